/* SPDX-License-Identifier: MIT */
/*
 * common.c - what every generator shares (see gen_internal.h): seeded GSL streams, object
 * sizes as a function of the key, arrivals, ops and key scrambling.
 *
 * Per-key sizes: u = (mix64(key ^ size_salt) >> 11 + 0.5) / 2^53 is a uniform in (0, 1)
 * that depends only on the key and the seed; the size is the distribution's quantile at u
 * (uniform: min + floor(u * (max - min + 1)); lognormal: size * exp(sigma * Phi^-1(u)) with
 * GSL's gsl_cdf_ugaussian_Pinv; pareto: min * u^(-1/alpha)), rounded and clamped.
 * Cost per request: O(1); a quantile function evaluation for lognormal and pareto sizes.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "../sim/util/mem.h"
#include "gen_internal.h"

const char *const ts__size_dist_names[] = {"fixed", "uniform", "lognormal", "pareto", NULL};
const char *const ts__arrival_names[] = {"fixed", "poisson", NULL};

enum { GEN_STREAM_KEY = 1, GEN_STREAM_AUX = 2, GEN_SALT_KEY = 3, GEN_SALT_SIZE = 4 };

int ts__gen_init(ts__gen_t *g, const ts_reader_ops_t *ops, const ts__gen_common_t *p,
                 const ts_reader_ctx_t *ctx, ts_err_t *err)
{
    memset(g, 0, sizeof(*g));
    g->base.ops = ops;
    g->p = *p;
    g->seed = ctx ? ctx->seed : 0;
    if (p->keys < 1)
        return ts_err_set(err, TS_EINVAL, "%s: keys must be at least 1", ops->base.name);
    if (p->size_dist != TS__SIZE_FIXED && p->size_min_bytes > p->size_max_bytes)
        return ts_err_set(err, TS_EINVAL, "%s: size_min (%llu) is larger than size_max (%llu)",
                          ops->base.name, (unsigned long long)p->size_min_bytes,
                          (unsigned long long)p->size_max_bytes);
    if (p->size_dist == TS__SIZE_PARETO && p->size_min_bytes == 0)
        return ts_err_set(err, TS_EINVAL, "%s: pareto sizes need size_min of at least 1 byte",
                          ops->base.name);
    g->key_salt = ts_seed_derive(g->seed, GEN_SALT_KEY);
    g->size_salt = ts_seed_derive(g->seed, GEN_SALT_SIZE);
    g->rng_key = ts_rng_create(ts_seed_derive(g->seed, GEN_STREAM_KEY), err);
    if (!g->rng_key)
        return TS_ENOMEM;
    g->rng_aux = ts_rng_create(ts_seed_derive(g->seed, GEN_STREAM_AUX), err);
    if (!g->rng_aux) {
        ts_rng_destroy(g->rng_key);
        g->rng_key = NULL;
        return TS_ENOMEM;
    }
    return 0;
}

void ts__gen_fini(ts__gen_t *g)
{
    ts_rng_destroy(g->rng_key);
    ts_rng_destroy(g->rng_aux);
    g->rng_key = g->rng_aux = NULL;
}

void ts__gen_rewind(ts__gen_t *g)
{
    ts_rng_reseed(g->rng_key, ts_seed_derive(g->seed, GEN_STREAM_KEY));
    ts_rng_reseed(g->rng_aux, ts_seed_derive(g->seed, GEN_STREAM_AUX));
    g->index = 0;
    g->clock_ns = 0;
}

/* Rounds v to an integer in [lo, hi] (NaN gives lo). */
static uint64_t gen_clamp(double v, uint64_t lo, uint64_t hi)
{
    if (!(v >= (double)lo))
        return lo;
    if (v >= (double)hi)
        return hi;
    uint64_t x = (uint64_t)(v + 0.5);
    return x < lo ? lo : x > hi ? hi : x;
}

uint64_t ts__gen_size(const ts__gen_t *g, uint64_t key)
{
    const ts__gen_common_t *p = &g->p;
    if (p->size_dist == TS__SIZE_FIXED)
        return p->size_bytes;
    uint64_t h = ts_mix64(key ^ g->size_salt);
    switch (p->size_dist) {
    case TS__SIZE_UNIFORM: {
        uint64_t span = p->size_max_bytes - p->size_min_bytes + 1; /* sizes < 2^50: no wrap */
        return p->size_min_bytes + (uint64_t)(((unsigned __int128)h * span) >> 64);
    }
    case TS__SIZE_LOGNORMAL: {
        double u = ((double)(h >> 11) + 0.5) * 0x1p-53;
        double v = (double)p->size_bytes * exp(p->size_sigma * gsl_cdf_ugaussian_Pinv(u));
        return gen_clamp(v, p->size_min_bytes, p->size_max_bytes);
    }
    case TS__SIZE_PARETO: {
        double u = ((double)(h >> 11) + 0.5) * 0x1p-53;
        double v = (double)p->size_min_bytes * pow(u, -1.0 / p->size_alpha);
        return gen_clamp(v, p->size_min_bytes, p->size_max_bytes);
    }
    }
    return p->size_bytes;
}

void ts__gen_emit(ts__gen_t *g, uint64_t rank, ts_req_t *req)
{
    const ts__gen_common_t *p = &g->p;
    uint64_t key = ts__gen_key(g, rank);
    /* every field set, those not named zero: a request leaves no byte of the caller's
     * memory undefined (trace writers copy every field, idle_ns included) */
    *req = (ts_req_t){.key = key, .size_bytes = ts__gen_size(g, key),
                      .next_access = TS_REQ_NEVER};
    if (p->arrival == TS__ARRIVAL_POISSON) {
        req->time_ns = (uint64_t)g->clock_ns;
        g->clock_ns += -log(ts_rng_unit(g->rng_aux)) * (double)p->interarrival_ns;
    } else {
        req->time_ns = g->index * p->interarrival_ns;
    }
    if (p->put_ratio >= 1)
        req->op = TS_OP_PUT;
    else if (p->put_ratio > 0)
        req->op = ts_rng_unit(g->rng_aux) < p->put_ratio ? TS_OP_PUT : TS_OP_GET;
    else
        req->op = TS_OP_GET;
    g->index++;
}

void ts__gen_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    const ts__gen_t *g = (const ts__gen_t *)r;
    out->n_requests = g->p.requests;
    out->n_keys = g->p.keys;
}

int ts__gen_bad(ts_err_t *err, const char *gen, const char *key, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ts_err_set(err, TS_EINVAL, "%s: %s: %s", gen, key, msg);
}
