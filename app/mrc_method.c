/* SPDX-License-Identifier: MIT */
/*
 * mrc_method.c - the miss-ratio curve methods that do not replay every point (see mrc.h):
 * exact and SHARDS through one pass of LRU stack distances (sim/stackdist.h), and
 * miniature simulations (Waldspurger, Park, Garthwaite, Ahmad, "Cache Modeling and
 * Optimization using Miniature Simulations", USENIX ATC'17): the keys whose sample hash is
 * below rate x 2^24 are kept (the same filter as SHARDS), and each policy runs at each
 * capacity times the rate over that sample; its misses over the expected sampled requests
 * (requests x rate, SHARDS' bias correction) stand for the full cache's miss ratio.
 * Cost: exact and shards one pass, O(log M) a request; mini one pass plus one replay of the
 * sample (about rate x N requests, 40 bytes each in memory) per point, side by side.
 */
#include "mrc_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../sim/engine.h"
#include "../sim/future.h"
#include "../sim/memtrace.h"
#include "../sim/stackdist.h"
#include "../sim/tier.h"
#include "../sim/util/mem.h"
#include "../sim/util/rng.h"
#include "plugins.h"

int ts__mrc_lone_tier(const ts_scenario_t *sc, const char *method, ts_err_t *err)
{
    const ts_tier_spec_t *t = &sc->tiers[0];
    const char *why = NULL;
    if (sc->n_tiers != 1)
        why = "more than one tier";
    else if (t->admit && !(t->admit->base.flags & TS_ADMIT_ALL))
        why = "an admission filter on the top tier";
    else if (sc->hier.prefetch && !(sc->hier.prefetch->base.flags & TS_PREFETCH_NOTHING))
        why = "a prefetcher";
    if (!why)
        return 0;
    ts_err_where(err, "method");
    return ts_err_set(err, TS_EUNSUPPORTED,
                      "method %s models one tier alone; this scenario has %s: use --method "
                      "replay",
                      method, why);
}

bool ts__mrc_is_lru(const ts_policy_ops_t *ops)
{
    return (ops->base.flags & TS_POLICY_LRU_STACK) != 0;
}

uint32_t ts__mrc_threshold(double rate)
{
    return (uint32_t)fmin(fmax(floor(rate * TS_STACKDIST_P + 0.5), 1), TS_STACKDIST_P);
}

typedef int (*mrc_req_fn)(void *ctx, const ts_req_t *q, ts_err_t *err);

/* Reads sc's workload once, handing each request to fn (an error names its index), and
 * counts the requests on progress. */
static int mrc_pass(const ts_scenario_t *sc, mrc_req_fn fn, void *ctx,
                    ts_par_progress_t *progress, uint64_t *n_read, ts_err_t *err)
{
    ts_reader_t *r = NULL;
    int rc = ts_scenario_open_workload(sc, &r, err);
    ts_par_slot_t slot;
    ts_par_slot_init(&slot, progress);
    uint64_t n = 0;
    ts_req_t q;
    while (rc == 0 && (rc = ts_reader_next(r, &q, err)) > 0) {
        rc = fn(ctx, &q, err);
        if (rc)
            ts_err_where(err, "request %llu", (unsigned long long)n);
        if ((++n & (TS_PROGRESS_EVERY - 1)) == 0)
            ts_par_slot_report(&slot, n);
    }
    ts_par_slot_report(&slot, n);
    ts_reader_close(r);
    if (n_read)
        *n_read = n;
    return rc;
}

/* ---- exact and SHARDS ---- */

static int mrc_stack_req(void *ctx, const ts_req_t *q, ts_err_t *err)
{
    return ts_stackdist_access(ctx, q, err);
}

/* Policy p's points from the stack's hits at each capacity. */
static void mrc_fill(ts_mrc_t *m, size_t p, const ts_stackdist_t *s,
                     const ts_stackdist_point_t *pts)
{
    uint64_t n_req = ts_stackdist_requests(s), b_req = ts_stackdist_bytes(s);
    for (size_t i = 0; i < m->n_sizes; i++) {
        uint64_t hn = (uint64_t)llround(pts[i].hits), hb = (uint64_t)llround(pts[i].bytes_hit);
        m->points[p * m->n_sizes + i] = (ts_mrc_point_t){.n_req = n_req,
                                                         .n_miss = n_req - hn,
                                                         .bytes_req = b_req,
                                                         .bytes_miss = b_req - hb,
                                                         .n_total = m->n_requests,
                                                         .n_hier_hit = hn};
    }
}

int ts__mrc_dense(const ts_scenario_t *sc, ts_mrc_t *m, ts_stackdist_t **out,
                  ts_par_progress_t *progress, ts_err_t *err)
{
    const ts_stackdist_config_t cfg = {.threshold = TS_STACKDIST_P};
    int rc = ts_stackdist_create(&cfg, out, err);
    if (rc == 0)
        rc = mrc_pass(sc, mrc_stack_req, *out, progress, &m->n_requests, err);
    if (rc == 0)
        ts_stackdist_footprint(*out, &m->footprint_objects, &m->footprint_bytes);
    return rc;
}

int ts__mrc_dense_points(const ts_stackdist_t *s, ts_mrc_t *m, size_t p, ts_err_t *err)
{
    ts_stackdist_point_t *pts = ts_malloc(m->n_sizes * sizeof(*pts));
    if (!pts)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %zu points", m->n_sizes);
    ts_stackdist_fold(s, m->capacity, m->n_sizes, pts);
    mrc_fill(m, p, s, pts);
    m->rate[p] = 1;
    snprintf(m->method[p], sizeof(m->method[p]), "exact");
    ts_free(pts);
    return 0;
}



int ts__mrc_stack(const ts_scenario_t *sc, ts_mrc_t *m, size_t p, uint32_t threshold,
                  uint64_t max_keys, bool *replay, uint64_t *largest,
                  ts_par_progress_t *progress, ts_err_t *err)
{
    const ts_stackdist_config_t cfg = {.count_bytes = m->mode == TS_MODE_BYTES,
                                       .threshold = threshold,
                                       .max_keys = max_keys,
                                       .capacity = m->capacity,
                                       .n_capacity = m->n_sizes,
                                       .expected_keys = threshold == TS_STACKDIST_P
                                                            ? m->footprint_objects
                                                            : 1024};
    ts_stackdist_t *s = NULL;
    ts_stackdist_point_t *pts = ts_malloc(m->n_sizes * sizeof(*pts));
    int rc = pts ? ts_stackdist_create(&cfg, &s, err)
                 : ts_err_set(err, TS_ENOMEM, "cannot allocate %zu points", m->n_sizes);
    if (rc == 0)
        rc = mrc_pass(sc, mrc_stack_req, s, progress, NULL, err);
    if (rc == 0) {
        bool exact = threshold == TS_STACKDIST_P && max_keys == 0;
        ts_stackdist_points(s, pts);
        mrc_fill(m, p, s, pts);
        for (size_t i = 0; i < m->n_sizes; i++) {
            if (replay)
                replay[i] = exact && cfg.count_bytes && m->capacity[i] < ts_stackdist_largest(s);
        }
        m->rate[p] = ts_stackdist_rate(s);
        *largest = ts_stackdist_largest(s);
    }
    ts_stackdist_destroy(s);
    ts_free(pts);
    return rc;
}

/* ---- miniature simulations ---- */

typedef struct mini_ctx {
    const ts_scenario_t *sc;
    ts_mrc_t *m;
    ts_memtrace_t *sample;
    uint32_t threshold; /* keys whose sample hash is below it are kept */
    double rate;
    size_t *pols;      /* the mini policies' indices in m */
    uint64_t n_req, bytes_req; /* gets and puts of the whole workload, and their bytes */
} mini_ctx_t;

/* The sampling pass: counts every get and put, keeps the sampled keys' requests. */
static int mini_req(void *ctx, const ts_req_t *q, ts_err_t *err)
{
    mini_ctx_t *c = ctx;
    if (q->op != TS_OP_DELETE) {
        c->n_req++;
        c->bytes_req += q->size_bytes;
    }
    return ts_stackdist_hash(q->key) < c->threshold ? ts_memtrace_push(c->sample, q, err) : 0;
}

/* Policy p's parameters: the scenario's for its own policy, else the defaults. *owned is
 * set when the caller frees them. */
static int mini_params(const mini_ctx_t *c, const ts_policy_ops_t *ops, void **params,
                       bool *owned, ts_err_t *err)
{
    *owned = false;
    *params = NULL;
    if (ops == c->sc->tiers[0].policy) {
        *params = c->sc->tiers[0].policy_params;
        return 0;
    }
    size_t size = ops->base.params_size ? ops->base.params_size : 1;
    *params = ts_calloc(1, size);
    if (!*params)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the parameters of %s",
                          ops->base.name);
    *owned = true;
    return ts_param_defaults(ops->base.params, ops->base.params_count, *params,
                             ops->base.params_size, err);
}

static int mini_job(void *ctx, size_t i, ts_err_t *err)
{
    mini_ctx_t *c = ctx;
    ts_mrc_t *m = c->m;
    size_t p = c->pols[i / m->n_sizes], s = i % m->n_sizes;
    double scaled = floor((double)m->capacity[s] * c->rate + 0.5);
    ts_policy_init_t init = {.capacity = scaled < 1 ? 1 : (uint64_t)scaled,
                             .count_objects = m->mode == TS_MODE_OBJECTS,
                             .seed = ts_seed_derive(c->sc->seed, 0)};
    const ts_plugin_t *pl = ts_plugins_find(TS_PLUGIN_POLICY, m->policies[p], err);
    const ts_policy_ops_t *ops = ts_policy_ops_of(pl);
    void *params = NULL;
    bool owned = false;
    ts_tier_t *tier = NULL;
    ts_reader_t *r = NULL;
    int rc = ops ? mini_params(c, ops, &params, &owned, err) : TS_ENOENT;
    if (rc == 0)
        rc = ts_tier_create(c->sc->tiers[0].name, ops, params, &init, &tier, err);
    if (rc == 0)
        rc = ts_memtrace_reader(c->sample, &r, err);
    ts_totals_t tot = {0};
    if (rc == 0)
        rc = ts_engine_fast(&tier, 1, r, &tot, err);
    if (rc == 0) {
        const ts_tier_stats_t *st = &tier->st;
        /* Over the expected sample (requests x rate), not the one drawn: SHARDS_adj's
         * correction (the references a sample has too many or too few of, mostly a few
         * hot keys', count as hits). */
        double en = (double)c->n_req * c->rate, eb = (double)c->bytes_req * c->rate;
        double mr = en > 0 ? fmin((double)st->n_miss / en, 1) : 0;
        double bmr = eb > 0 ? fmin((double)st->bytes_miss / eb, 1) : 0;
        uint64_t miss = (uint64_t)llround(mr * (double)c->n_req);
        m->points[p * m->n_sizes + s] =
            (ts_mrc_point_t){.n_req = c->n_req,
                             .n_miss = miss,
                             .bytes_req = c->bytes_req,
                             .bytes_miss = (uint64_t)llround(bmr * (double)c->bytes_req),
                             .n_total = m->n_requests,
                             .n_hier_hit = c->n_req - miss};
    } else {
        ts_err_prefix(err, "policy %s, capacity %llu", m->policies[p],
                      (unsigned long long)m->capacity[s]);
    }
    ts_reader_close(r);
    ts_tier_destroy(tier);
    if (owned)
        ts_free(params);
    return rc;
}

int ts__mrc_mini(const ts_scenario_t *sc, ts_mrc_t *m, const bool *is_mini, double rate,
                 int threads, ts_par_progress_t *progress, ts_err_t *err)
{
    uint32_t threshold = ts__mrc_threshold(rate);
    mini_ctx_t c = {.sc = sc, .m = m, .rate = (double)threshold / TS_STACKDIST_P};
    ts_memtrace_t *mt = NULL;
    size_t n_pols = 0;
    bool future = false;
    c.pols = ts_malloc(m->n_policies * sizeof(*c.pols));
    int rc = c.pols ? ts_memtrace_create(&mt, err)
                    : ts_err_set(err, TS_ENOMEM, "cannot allocate %zu policies", m->n_policies);
    for (size_t p = 0; rc == 0 && p < m->n_policies; p++)
        if (is_mini[p]) {
            const ts_plugin_t *pl = ts_plugins_find(TS_PLUGIN_POLICY, m->policies[p], err);
            if (!pl)
                rc = TS_ENOENT;
            else
                future |= (ts_policy_ops_of(pl)->base.flags & TS_POLICY_NEEDS_FUTURE) != 0;
            c.pols[n_pols++] = p;
            m->rate[p] = c.rate;
        }
    c.threshold = threshold;
    c.sample = mt;
    if (rc == 0)
        rc = mrc_pass(sc, mini_req, &c, progress, NULL, err);
    if (rc == 0 && future)
        rc = ts_future_annotate(mt->reqs, mt->n, err);
    if (rc == 0 && n_pols)
        rc = ts_par_run(n_pols * m->n_sizes, threads, mini_job, &c, err);
    ts_memtrace_destroy(mt);
    ts_free(c.pols);
    return rc;
}
