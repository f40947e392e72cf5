/* SPDX-License-Identifier: MIT */
/*
 * result.h - everything a run measured, as plain data: what reports read.
 *
 * Reports read a ts_result_t only, never engine internals. Fields derived from counters
 * (miss ratios) are computed by the helpers below so every report agrees on them.
 * A result owns its heap parts (arrays sized by the run's tiers, levels and resources, its
 * strings, the scenario's text unless shared, the time series, the timed engine's histogram
 * buckets): ts_result_release frees them; a zeroed result owns none and is valid.
 */
#ifndef TS_SIM_RESULT_H
#define TS_SIM_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cost.h"
#include "metrics.h"
#include "reader.h"
#include "series.h"
#include "util/err.h"

/* Bytes the result's strings hold at most, NUL included: longer text is cut when the result
 * is filled (what every report shows), and each is the width of its column in result.h5. */
#define TS_RESULT_SOURCE 1024      /* ts_result_t.scenario */
#define TS_RESULT_NAME 128         /* ts_result_t.name */
#define TS_RESULT_WORKLOAD 512     /* ts_result_t.workload */
#define TS_RESULT_SKIPPED 320      /* ts_result_t.skipped_first */
#define TS_TIER_NAME 64            /* ts_tier_result_t.name */
#define TS_TIER_POLICY 32          /* .policy */
#define TS_TIER_PARAMS 256         /* .params */
#define TS_TIER_ADMIT 32           /* .admit */
#define TS_TIER_ADMIT_PARAMS 128   /* .admit_params */
#define TS_HIER_PREFETCH 32        /* ts_hier_result_t.prefetch */
#define TS_HIER_PREFETCH_PARAMS 128 /* .prefetch_params */
#define TS_HIER_PREFETCH_INTO 64   /* .prefetch_into */

/* What a result read back from a results file lacks (ts_result_t.lacks): figures the
 * tiersim that wrote the file did not record yet, which read as 0 or "". Each column or
 * attribute added to result.h5 after its first layout is optional and names its bit here
 * (reports/h5_layout.c); docs/results-hdf5.md lists them. A run's own result lacks none. */
#define TS_LACKS_SOME 0x1u     /* some optional column or attribute: set with every bit below */
#define TS_LACKS_OVERLOAD 0x2u /* timed: which resources were overloaded, their offered load,
                                * capacity and backlog, and a stop at timed.max_in_flight */
#define TS_LACKS_UTIL_OF 0x4u  /* timed resources: whether utilisation is of the bandwidth or
                                * of the channels, and the channels' utilisation */
#define TS_LACKS_KV_BYTES 0x8u /* timed: the bytes of the KV blocks recomputed */
#define TS_LACKS_PRICES 0x10u  /* cost: the price profile, its date, the GPU's fallback */

/* A result's strings are owned and allocated to their length; NULL reads as "" (a zeroed
 * result has only NULL strings). */
static inline const char *ts_str(const char *s)
{
    return s ? s : "";
}

typedef struct ts_tier_result {
    char *name;           /* owned: tier name */
    char *policy;         /* owned: policy name */
    char *params;         /* owned: "k=v k=v" policy parameters, empty if none */
    uint64_t capacity;    /* charge units (objects or bytes), after resolving percentages */
    uint64_t n_objects;   /* objects held at the end */
    uint64_t used;        /* charge units held at the end */
    size_t mem_bytes;     /* policy heap at the end */
    char *admit;          /* owned: admission filter name; empty when it admits everything */
    char *admit_params;   /* owned: its "k=v k=v" parameters, empty if none */
    ts_tier_stats_t st;   /* counters */
} ts_tier_result_t;

/* The hierarchy's rules and what moved between its levels. */
typedef struct ts_hier_result {
    const char *inclusion; /* rule names (static strings from sim/hier.h) */
    const char *promote;
    const char *demote;
    const char *write;
    bool flush_at_end;
    char *prefetch;        /* owned: prefetcher name; empty when none (or one that does
                            * nothing) */
    char *prefetch_params; /* owned: its "k=v k=v" parameters */
    char *prefetch_into;   /* owned: target tier name; empty without a prefetcher */
    ts_hier_stats_t st;    /* write-back, dirty and prefetch counters */
    ts_link_stats_t *link; /* owned: n_tiers links; link i: tier i <-> tier i+1 (last:
                            * <-> backing) */
} ts_hier_result_t;

/* True when the hierarchy runs the default rules (what every run did before the hierarchy
 * had rules): reports show the hierarchy sections only otherwise. */
static inline bool ts_hier_result_is_default(const ts_hier_result_t *h, const ts_tier_result_t *t,
                                             size_t n)
{
    bool plain = (!h->inclusion || !strcmp(h->inclusion, "non_inclusive")) &&
                 (!h->promote || !strcmp(h->promote, "top")) &&
                 (!h->demote || !strcmp(h->demote, "drop")) &&
                 (!h->write || !strcmp(h->write, "through")) && !h->flush_at_end &&
                 !ts_str(h->prefetch)[0];
    for (size_t i = 0; plain && i < n; i++)
        plain = !ts_str(t[i].admit)[0];
    return plain;
}

/* A run's result. Sized by what the run has: the tiers, the timed engine's levels and
 * resources and the bill's levels are arrays of the run's length, strings are as long as
 * their text, and the scenario's text may be shared by the runs of a sweep. */
typedef struct ts_result {
    char *scenario;           /* owned: source of the scenario */
    char *name;               /* owned: scenario title, may be empty */
    char *workload;           /* owned: workload description */
    uint64_t seed;
    ts_mode_t mode;
    const char *engine;       /* "fast", "timed" or "live" */
    uint64_t footprint_objects; /* distinct keys (0 when not computed) */
    uint64_t footprint_bytes;   /* bytes of distinct keys at first size (0 when not computed) */
    size_t n_tiers;
    ts_tier_result_t *tiers;  /* owned: n_tiers tiers, top first (ts_result_alloc_tiers) */
    ts_totals_t totals;
    ts_hier_result_t hier;
    uint64_t skipped_records;    /* malformed records passed over (workload.skip_bad) */
    char *skipped_first;         /* owned: "where: message" of the first, NULL when none */
    bool has_timed;           /* the timed engine ran: `timed` holds its figures (for a live
                               * run: its prediction of the live run) */
    ts_timed_result_t timed;
    bool has_live;            /* the live engine ran: `live` holds what it measured */
    ts_live_result_t live;
    ts_reader_units_t units;  /* the workload's units (epochs, tokens, sessions; 0: unknown) */
    bool has_cost;            /* cost.enabled: `cost` holds the bill */
    ts_cost_result_t cost;
    double wall_s;            /* wall-clock seconds of the replay (not in deterministic output) */
    ts_series_t *series;      /* owned: the finished time series; NULL when not sampled */
    const char *scenario_yaml; /* the scenario's YAML text; NULL when unknown. Owned, unless
                                * is_yaml_shared */
    bool is_yaml_shared;      /* scenario_yaml is borrowed from whoever made the result (a
                               * sweep: one text for its runs), which outlives it */
    uint32_t lacks;           /* TS_LACKS_* bits: read from a results file that did not
                               * record those figures (0: a run's own result) */
    char **overrides;         /* owned (one block): the `-s` overrides applied, in order */
    size_t n_overrides;
} ts_result_t;

/* Gives res n zeroed tiers (res->tiers, res->n_tiers) and as many hierarchy links, replacing
 * none (res has no tiers yet). Returns 0 or TS_ENOMEM (res unchanged). */
int ts_result_alloc_tiers(ts_result_t *res, size_t n, ts_err_t *err);

/* Copies the counters of a hierarchy of n tiers (st, and link[0..n)) into a result's (dst,
 * whose links have room for n). */
void ts_result_set_hier_stats(ts_hier_result_t *dst, const ts_hier_stats_t *st,
                              const ts_link_stats_t *link, size_t n);

/* *dst := the text snprintf(buf, max, fmt, ...) would leave in a buffer of max bytes, in a
 * heap string of its length (freeing what *dst held). Returns 0 or TS_ENOMEM (*dst NULL). */
int ts_result_strf(char **dst, size_t max, ts_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The bytes res owns on the heap (its arrays, strings and what they point to, the time
 * series, the histogram buckets), not counting sizeof(*res) nor a shared scenario text:
 * what a result costs beyond its struct. Approximate only in malloc's own overhead. */
size_t ts_result_heap_bytes(const ts_result_t *res);

/* Frees what res owns (not res itself) and zeroes those fields; accepts a zeroed result. */
void ts_result_release(ts_result_t *res);

static inline double ts_ratio(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : 0.0;
}

static inline double ts_tier_miss_ratio(const ts_tier_result_t *t)
{
    return ts_ratio(t->st.n_miss, t->st.n_req);
}

static inline double ts_tier_byte_miss_ratio(const ts_tier_result_t *t)
{
    return ts_ratio(t->st.bytes_miss, t->st.bytes_req);
}

/* Whether the timed engine ran the result as a closed loop (it then has an accelerator
 * utilisation). */
static inline bool ts_result_is_closed_loop(const ts_result_t *r)
{
    return r->has_timed && r->timed.arrivals == TS_ARRIVALS_CLOSED;
}

/* ---- many runs: miss-ratio curves (app/mrc.h) and sweeps (app/sweep.h) ---- */

#define TS_MRC_MAX_POLICIES 32

/* What the top tier did at one (policy, capacity) point. */
typedef struct ts_mrc_point {
    uint64_t n_req;       /* requests that reached the top tier */
    uint64_t n_miss;      /* of which it missed */
    uint64_t bytes_req;   /* their bytes */
    uint64_t bytes_miss;  /* bytes of the misses */
    uint64_t n_total;     /* requests of the whole run */
    uint64_t n_hier_hit;  /* requests some tier of the hierarchy served */
} ts_mrc_point_t;

typedef struct ts_mrc {
    char source[1024];        /* the scenario's file, or "<built-in>" */
    char tier[64];            /* the top tier's name */
    ts_mode_t mode;           /* capacities are objects or bytes */
    uint64_t footprint_objects; /* distinct keys of the workload */
    uint64_t footprint_bytes; /* their bytes */
    uint64_t n_requests;      /* requests of the workload (one run) */
    size_t n_policies;
    char policies[TS_MRC_MAX_POLICIES][32]; /* policy names, in the order asked */
    size_t n_sizes;
    uint64_t *capacity;       /* n_sizes capacities, ascending, distinct (charge units) */
    ts_mrc_point_t *points;   /* n_policies * n_sizes: points[p * n_sizes + s] */
    char method[TS_MRC_MAX_POLICIES][8]; /* how each policy's curve was made: "exact",
                                       * "shards", "mini" or "replay" */
    double rate[TS_MRC_MAX_POLICIES]; /* sampling rate of "shards" (at the end) and "mini";
                                       * 1 otherwise. A sampled point's misses are its
                                       * estimated miss ratio times its requests, rounded */
    char note[256];           /* what the methods could not do as asked, and what ran
                                       * instead; empty: nothing */
} ts_mrc_t;

void ts_mrc_destroy(ts_mrc_t *m); /* accepts NULL */

/* The share of requests the top tier missed at a point (0 when it had none). */
static inline double ts_mrc_miss_ratio(const ts_mrc_point_t *p)
{
    return p->n_req ? (double)p->n_miss / (double)p->n_req : 0.0;
}

/* The same in bytes. */
static inline double ts_mrc_byte_miss_ratio(const ts_mrc_point_t *p)
{
    return p->bytes_req ? (double)p->bytes_miss / (double)p->bytes_req : 0.0;
}

#define TS_SWEEP_MAX_AXES 16

/* One axis of a sweep: a key and the n_values values it takes, as given (spaces around
 * them trimmed), 1 to TS_SWEEP_MAX_VALUES of them; the scenario's `sweep:` axes are of the
 * same type. */
typedef struct ts_sweep_axis {
    char *key;       /* owned: "tiers.0.capacity" */
    char **values;   /* owned: n_values values, as written */
    size_t n_values; /* at least 1 */
} ts_sweep_axis_t;

void ts_sweep_axis_release(ts_sweep_axis_t *a); /* accepts a zeroed axis */

typedef struct ts_sweep {
    char source[1024];  /* the scenario's file, or "<built-in>" */
    size_t n_axes;
    ts_sweep_axis_t axes[TS_SWEEP_MAX_AXES];
    size_t n_points;    /* the grid's: the product of the axes' lengths */
    size_t shard;       /* run i is point shard + i * n_shards */
    size_t n_shards;    /* 1 when the sweep ran every point */
    size_t n_runs;      /* points this sweep ran (all of them unless sharded; may be 0) */
    ts_result_t *runs;  /* n_runs results, in point order */
    char *scenario_yaml; /* owned: the scenario's text, shared by the runs whose text it is
                          * (their is_yaml_shared); NULL when none is */
} ts_sweep_t;

/* The index of axis a's value at point p: the last axis varies fastest. */
size_t ts_sweep_index(const ts_sweep_t *s, size_t p, size_t a);

/* The value axis `a` takes at point p. */
const char *ts_sweep_value(const ts_sweep_t *s, size_t p, size_t a);

/* The point run i of s is. */
static inline size_t ts_sweep_point(const ts_sweep_t *s, size_t i)
{
    return s->shard + i * s->n_shards;
}

void ts_sweep_destroy(ts_sweep_t *s); /* accepts NULL */

#endif
