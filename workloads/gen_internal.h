/* SPDX-License-Identifier: MIT */
/*
 * gen_internal.h - what the generators share (workloads/common.c and the Zipf sampler of
 * workloads/zipf.c): seeded GSL random streams allocated through ts_malloc, the common
 * parameters (request count, key count, object sizes, arrivals, put ratio, key scrambling)
 * and the base instance that turns a key rank into a complete request.
 *
 * Determinism: every draw comes from two GSL streams seeded from the scenario seed (one for
 * key ranks, one for ops and arrivals); an object's size is a pure function of (seed, key),
 * so every request for a key sees the same size. The generator is gsl_rng_taus2 (L'Ecuyer's
 * maximally equidistributed Tausworthe, period 2^88), not mt19937: through GSL it gives a
 * 32-bit word in about 2 ns against 6 ns, and a Zipf draw needs 64 bits.
 */
#ifndef TS_WORKLOADS_GEN_INTERNAL_H
#define TS_WORKLOADS_GEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "../sim/util/err.h"
#include "../sim/reader.h"
#include "../sim/util/rng.h"


/* ---- Zipf sampler (workloads/zipf.c) ---- */

enum ts__zipf_method {
    TS__ZIPF_AUTO = 0,      /* alias table up to TS__ZIPF_ALIAS_MAX keys, else rejection */
    TS__ZIPF_ALIAS = 1,     /* Walker/Vose alias table: 8 bytes a key, one draw */
    TS__ZIPF_REJECTION = 2, /* Hoermann-Derflinger rejection-inversion: O(1) memory */
};

#define TS__ZIPF_ALIAS_MAX (1u << 20) /* 8 MiB table: beyond, cache misses make it slower */

typedef struct ts__zipf {
    uint64_t n;      /* ranks 0..n-1; rank 0 is the most popular */
    double alpha;    /* exponent: P(rank r) ~ (r + 1)^-alpha */
    uint64_t *alias; /* alias method: threshold << 32 | alias rank; NULL otherwise */
    double h_x1;     /* rejection-inversion: H(1.5) - 1 */
    double h_n;      /* H(n + 0.5) */
    double s;        /* squeeze: k - x <= s accepts at once */
    double inv_1ma;  /* 1 / (1 - alpha); infinite at alpha = 1 */
} ts__zipf_t;

/* Prepares sampling of n >= 1 ranks with exponent alpha >= 0. Returns 0, TS_EINVAL
 * (alias method asked for more than 2^32 keys) or TS_ENOMEM. */
int ts__zipf_init(ts__zipf_t *z, uint64_t n, double alpha, int method, ts_err_t *err);
void ts__zipf_fini(ts__zipf_t *z);
/* A rank in [0, n). Expected O(1): one 64-bit draw (alias) or about 1.1 uniforms and one
 * exp/log pair (rejection-inversion). */
uint64_t ts__zipf_draw(const ts__zipf_t *z, gsl_rng *r);

/* ---- common parameters ---- */

enum ts__size_dist {
    TS__SIZE_FIXED = 0,     /* every object has `size` bytes */
    TS__SIZE_UNIFORM = 1,   /* uniform integer in [size_min, size_max] */
    TS__SIZE_LOGNORMAL = 2, /* median `size`, log-sd size_sigma, clamped to [min, max] */
    TS__SIZE_PARETO = 3,    /* scale size_min, shape size_alpha, capped at size_max */
};

enum ts__arrival {
    TS__ARRIVAL_FIXED = 0,   /* request i at i * interarrival */
    TS__ARRIVAL_POISSON = 1, /* exponential gaps with mean interarrival */
};

typedef struct ts__gen_common {
    uint64_t requests;        /* requests until the end of the trace */
    uint64_t keys;            /* distinct key ranks drawn from */
    uint64_t size_bytes;      /* fixed size; median of lognormal */
    int size_dist;            /* enum ts__size_dist */
    uint64_t size_min_bytes;  /* lower bound (uniform, lognormal), scale (pareto) */
    uint64_t size_max_bytes;  /* upper bound (uniform, lognormal, pareto) */
    double size_sigma;        /* lognormal: standard deviation of ln(size) */
    double size_alpha;        /* pareto: shape */
    uint64_t interarrival_ns; /* time between requests (mean for poisson) */
    int arrival;              /* enum ts__arrival */
    double put_ratio;         /* fraction of requests that are puts */
    bool scramble;            /* map rank -> key through a 64-bit bijection */
} ts__gen_common_t;

extern const char *const ts__size_dist_names[]; /* "fixed", "uniform", ... NULL */
extern const char *const ts__arrival_names[];   /* "fixed", "poisson", NULL */

#define TS__MAX_KEYS 281474976710656.0 /* 2^48: ranks stay exact in a double */
#define TS__MAX_SIZE 1125899906842624.0 /* 2^50 bytes */

/* Schema entries of the common parameters of a generator whose params struct `type` holds
 * a ts__gen_common_t member `m`; keys_def and scramble_def are that generator's defaults. */
#define TS__GEN_COMMON_PARAMS(type, m, keys_def, scramble_def)                                     \
    {"requests", TS_PT_COUNT, offsetof(type, m.requests), 0, 0, 1e15, "1M",                        \
     "number of requests", NULL},                                                                  \
    {"keys", TS_PT_COUNT, offsetof(type, m.keys), 0, 1, TS__MAX_KEYS, keys_def,                    \
     "number of distinct keys", NULL},                                                             \
    {"size", TS_PT_SIZE, offsetof(type, m.size_bytes), 0, 0, TS__MAX_SIZE, "4KiB",                 \
     "object size (fixed), median size (lognormal)", NULL},                                        \
    {"size_dist", TS_PT_ENUM, offsetof(type, m.size_dist), 0, 1, 0, "fixed",                       \
     "object size distribution, a fixed function of the key", ts__size_dist_names},            \
    {"size_min", TS_PT_SIZE, offsetof(type, m.size_min_bytes), 0, 0, TS__MAX_SIZE, "1KiB",         \
     "smallest size (uniform, lognormal) and scale (pareto)", NULL},                               \
    {"size_max", TS_PT_SIZE, offsetof(type, m.size_max_bytes), 0, 0, TS__MAX_SIZE, "1MiB",         \
     "largest size (uniform, lognormal, pareto)", NULL},                                           \
    {"size_sigma", TS_PT_DOUBLE, offsetof(type, m.size_sigma), 0, 0, 20, "1",                      \
     "lognormal: standard deviation of ln(size)", NULL},                                           \
    {"size_alpha", TS_PT_DOUBLE, offsetof(type, m.size_alpha), 0, 0.01, 100, "1.5",                \
     "pareto: shape (tail index)", NULL},                                                          \
    {"interarrival", TS_PT_DURATION, offsetof(type, m.interarrival_ns), 0, 0, 3.6e12, "1us",       \
     "time between requests (the mean for poisson arrivals)", NULL},                               \
    {"arrival", TS_PT_ENUM, offsetof(type, m.arrival), 0, 1, 0, "fixed",                           \
     "fixed gaps or a poisson process", ts__arrival_names},                                        \
    {"put_ratio", TS_PT_FRACTION, offsetof(type, m.put_ratio), 0, 0, 1, "0",                       \
     "fraction of requests that are puts (the rest are gets)", NULL},                              \
    {"scramble", TS_PT_BOOL, offsetof(type, m.scramble), 0, 1, 0, scramble_def,                    \
     "name keys by a 64-bit bijection of their rank (else key = rank)", NULL}

/* ---- base instance ---- */

typedef struct ts__gen {
    ts_reader_t base;     /* must be first */
    ts__gen_common_t p;   /* copy of the common parameters */
    uint64_t seed;        /* the scenario seed */
    uint64_t key_salt;    /* scramble: key = mix64(rank + key_salt) */
    uint64_t size_salt;   /* size hash: u = mix64(key ^ size_salt) */
    uint64_t index;       /* requests emitted since open/reset */
    double clock_ns;      /* poisson arrivals: time of the next request */
    gsl_rng *rng_key;     /* key ranks (each generator's sampler) */
    gsl_rng *rng_aux;     /* ops and arrival gaps */
} ts__gen_t;

/* Validates p (size bounds) and seeds both streams from ctx->seed (0 when ctx is NULL).
 * Returns 0, TS_EINVAL naming the parameter, or TS_ENOMEM. */
int ts__gen_init(ts__gen_t *g, const ts_reader_ops_t *ops, const ts__gen_common_t *p,
                 const ts_reader_ctx_t *ctx, ts_err_t *err);
void ts__gen_fini(ts__gen_t *g);
/* Back to request 0 with both streams reseeded: the same sequence follows. */
void ts__gen_rewind(ts__gen_t *g);
/* True when all requests have been emitted. */
static inline bool ts__gen_done(const ts__gen_t *g)
{
    return g->index >= g->p.requests;
}
/* The key naming rank (scrambled or not). */
static inline uint64_t ts__gen_key(const ts__gen_t *g, uint64_t rank)
{
    return g->p.scramble ? ts_mix64(rank + g->key_salt) : rank;
}
/* The size of key: a pure function of (seed, key, size parameters). */
uint64_t ts__gen_size(const ts__gen_t *g, uint64_t key);
/* Fills every field of req for the object of rank (key, size, time, op; next_access
 * TS_REQ_NEVER; the rest zero); advances to the next request. */
void ts__gen_emit(ts__gen_t *g, uint64_t rank, ts_req_t *req);
/* info(): n_requests = requests, n_keys = keys. */
void ts__gen_info(const ts_reader_t *r, ts_reader_info_t *out);

/* A parameter the schema cannot check: sets err to TS_EINVAL with "<gen>: <key>: <message>"
 * and returns TS_EINVAL. */
int ts__gen_bad(ts_err_t *err, const char *gen, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
