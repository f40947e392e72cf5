/* SPDX-License-Identifier: MIT */
/*
 * mrc.c - miss-ratio curves by one fast-engine run per (policy, capacity) point (see
 * mrc.h).
 *
 * Order of work: load the scenario once (its errors come first), check the policies and
 * parse the sizes, measure the footprint and length of the workload in one pass, turn the
 * sizes into distinct ascending capacities, then run the points side by side (sim/par.h:
 * the failure of the lowest index is reported, so errors are deterministic too).
 */
#include "mrc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/stackdist.h"
#include "mrc_internal.h"
#include "par.h"
#include "plugins.h"
#include "run.h"
#include "../sim/util/fmt.h"
#include "../sim/util/units.h"

#define MRC_OVR_LEN 64 /* "tiers.0.policy=" and a policy name */

typedef struct mrc_size {
    bool is_fraction; /* a share of the footprint */
    double fraction;  /* (0, 1] */
    uint64_t value;   /* a capacity in charge units otherwise */
} mrc_size_t;

typedef struct mrc_ctx {
    const ts_mrc_spec_t *spec;
    ts_mrc_t *m;
    const char **ovr;        /* per policy p: ovr + p * (n_overrides + 1), n_ovr[p] entries */
    size_t *n_ovr;
    char (*pol_ovr)[MRC_OVR_LEN];
    ts_par_progress_t progress; /* requests replayed over all points, of points x length */
    size_t *jobs;            /* the points to replay (indices into m->points) */
    ts_mrc_method_t meth[TS_MRC_MAX_POLICIES]; /* each policy's method */
    bool is_done[TS_MRC_MAX_POLICIES];         /* its points are in already */
} mrc_ctx_t;

/* ---- methods ---- */

static const char *const k_methods[TS_MRC_METHOD_COUNT_] = {"auto", "exact", "shards", "mini",
                                                           "replay"};

const char *ts_mrc_method_name(ts_mrc_method_t m)
{
    return (unsigned)m < TS_MRC_METHOD_COUNT_ ? k_methods[m] : "?";
}

int ts_mrc_method_parse(const char *s, ts_mrc_method_t *out, ts_err_t *err)
{
    for (unsigned i = 0; i < TS_MRC_METHOD_COUNT_; i++)
        if (strcmp(s, k_methods[i]) == 0) {
            *out = (ts_mrc_method_t)i;
            return 0;
        }
    return ts_err_set(err, TS_ENOENT, "unknown method '%s' (expected auto, exact, shards, mini "
                      "or replay)", s);
}

/* Each policy's method: what the spec asks, or auto's choice. */
static int mrc_methods(const ts_mrc_spec_t *spec, const ts_scenario_t *sc, const ts_mrc_t *m,
                       ts_mrc_method_t *meth, ts_err_t *err)
{
    ts_mrc_method_t want = spec->method;
    const char *name = ts_mrc_method_name(want);
    if ((unsigned)want >= TS_MRC_METHOD_COUNT_)
        return ts_err_set(err, TS_EINVAL, "unknown method %d", (int)want);
    if (!(spec->rate >= 0 && spec->rate <= 1)) {
        ts_err_where(err, "rate");
        return ts_err_set(err, TS_ERANGE, "a sampling rate must be above 0 and at most 1, "
                          "found %g", spec->rate);
    }
    if (spec->rate > 0 && want != TS_MRC_SHARDS && want != TS_MRC_MINI) {
        ts_err_where(err, "rate");
        return ts_err_set(err, TS_EINVAL, "a sampling rate is for methods shards and mini, "
                          "not %s", name);
    }
    if (spec->max_keys && want != TS_MRC_SHARDS) {
        ts_err_where(err, "max_keys");
        return ts_err_set(err, TS_EINVAL, "max_keys is for method shards, not %s", name);
    }
    for (size_t p = 0; p < m->n_policies; p++) {
        const ts_plugin_t *pl = ts_plugins_find(TS_PLUGIN_POLICY, m->policies[p], err);
        if (!pl)
            return TS_ENOENT;
        bool lru = ts__mrc_is_lru(ts_policy_ops_of(pl));
        if (want == TS_MRC_AUTO) {
            ts_err_t quiet = {0};
            meth[p] = lru && ts__mrc_lone_tier(sc, name, &quiet) == 0 ? TS_MRC_EXACT
                                                                       : TS_MRC_REPLAY;
            continue;
        }
        if ((want == TS_MRC_EXACT || want == TS_MRC_SHARDS) && !lru) {
            ts_err_where(err, "method");
            return ts_err_set(err, TS_EUNSUPPORTED, "method %s serves policy lru only (a stack "
                              "algorithm), not policy %s: use --method mini or replay",
                              name, m->policies[p]);
        }
        int rc = want == TS_MRC_REPLAY ? 0 : ts__mrc_lone_tier(sc, name, err);
        if (rc)
            return rc;
        meth[p] = want;
    }
    return 0;
}

/* Appends a sentence to m->note. */
static void mrc_note(ts_mrc_t *m, const char *fmt, const char *policy, const char *what)
{
    size_t n = strlen(m->note);
    char line[200];
    snprintf(line, sizeof(line), fmt, policy, what);
    snprintf(m->note + n, sizeof(m->note) - n, "%s%s", n ? "; " : "", line);
}

/* ---- sizes ---- */

static int mrc_parse_size(const char *tok, ts_mode_t mode, mrc_size_t *out, ts_err_t *err)
{
    ts_err_t e = {0};
    if (strchr(tok, '%')) {
        if (ts_parse_fraction(tok, &out->fraction, &e) != 0)
            return ts_err_set(err, TS_EPARSE, "expected a share of the footprint such as 5%%, "
                              "found '%s'", tok);
        if (!(out->fraction > 0 && out->fraction <= 1))
            return ts_err_set(err, TS_ERANGE, "a share of the footprint must be above 0%% and "
                              "at most 100%%, found '%s'", tok);
        out->is_fraction = true;
        return 0;
    }
    bool objects = mode == TS_MODE_OBJECTS;
    int rc = objects ? ts_parse_count(tok, &out->value, &e) : ts_parse_size(tok, &out->value, &e);
    char hint[160] = "";
    if (rc && !objects)
        ts_size_hint(tok, hint, sizeof(hint));
    if (rc)
        return ts_err_set(err, rc, "expected a share of the footprint such as 5%% or %s, found "
                          "'%s'%s%s",
                          objects ? "an object count such as 1000 or 10k"
                                  : "a size such as 512MiB (the scenario is in bytes mode)",
                          tok, hint[0] ? ": " : "", hint);
    if (out->value == 0)
        return ts_err_set(err, TS_ERANGE, "a capacity must be above zero, found '%s'", tok);
    out->is_fraction = false;
    return 0;
}

/* The sizes asked for: a list, evenly spaced shares, or the default list. */
static int mrc_sizes(const ts_mrc_spec_t *spec, ts_mode_t mode, mrc_size_t *sizes, size_t *n,
                     ts_err_t *err)
{
    *n = 0;
    if (!spec->sizes && spec->n_points) {
        if (spec->n_points < 2 || spec->n_points > TS_MRC_MAX_POINTS)
            return ts_err_set(err, TS_ERANGE, "points: expected 2 to %d, found %zu",
                              TS_MRC_MAX_POINTS, spec->n_points);
        for (size_t i = 0; i < spec->n_points; i++) /* 0.1% * 1000^(i / (n - 1)) */
            sizes[(*n)++] = (mrc_size_t){
                .is_fraction = true,
                .fraction = i + 1 == spec->n_points
                                ? 1.0
                                : 1e-3 * pow(1e3, (double)i / (double)(spec->n_points - 1))};
        return 0;
    }
    const char *list = spec->sizes ? spec->sizes : TS_MRC_DEFAULT_SIZES;
    char *copy = ts_strdup(list);
    if (!copy)
        return ts_err_set(err, TS_ENOMEM, "cannot copy the sizes");
    int rc = 0;
    char *p = copy;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = 0;
        if (!p[strspn(p, " \t")])
            rc = ts_err_set(err, TS_EPARSE, "empty size in '%s'", list);
        else if (*n == TS_MRC_MAX_POINTS)
            rc = ts_err_set(err, TS_ERANGE, "more than %d sizes", TS_MRC_MAX_POINTS);
        else
            rc = mrc_parse_size(p, mode, &sizes[(*n)++], err);
        if (rc || !comma)
            break;
        p = comma + 1;
    }
    ts_free(copy);
    if (rc)
        ts_err_where(err, "sizes");
    return rc;
}

static int mrc_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Shares become capacities (at least one unit); sorted, repeats dropped. */
static int mrc_capacities(ts_mrc_t *m, const mrc_size_t *sizes, size_t n, ts_err_t *err)
{
    uint64_t fp = m->mode == TS_MODE_BYTES ? m->footprint_bytes : m->footprint_objects;
    m->capacity = ts_malloc(n * sizeof(*m->capacity));
    if (!m->capacity)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %zu capacities", n);
    for (size_t i = 0; i < n; i++) {
        if (sizes[i].is_fraction && fp == 0) {
            ts_err_where(err, "sizes");
            return ts_err_set(err, TS_ERANGE, "shares of the footprint need a workload with "
                              "requests; this one has none");
        }
        double c = sizes[i].is_fraction ? floor(sizes[i].fraction * (double)fp + 0.5) : 0;
        m->capacity[i] = !sizes[i].is_fraction ? sizes[i].value : c < 1 ? 1 : (uint64_t)c;
    }
    qsort(m->capacity, n, sizeof(*m->capacity), mrc_cmp_u64);
    m->n_sizes = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || m->capacity[i] != m->capacity[m->n_sizes - 1])
            m->capacity[m->n_sizes++] = m->capacity[i];
    return 0;
}

/* ---- policies ---- */

static int mrc_policies(const ts_mrc_spec_t *spec, const ts_scenario_t *sc, ts_mrc_t *m,
                        ts_err_t *err)
{
    if (!spec->n_policies) {
        snprintf(m->policies[0], sizeof(m->policies[0]), "%s", sc->tiers[0].policy->base.name);
        m->n_policies = 1;
        return 0;
    }
    if (spec->n_policies > TS_MRC_MAX_POLICIES) {
        ts_err_where(err, "policies");
        return ts_err_set(err, TS_ERANGE, "at most %d policies, found %zu", TS_MRC_MAX_POLICIES,
                          spec->n_policies);
    }
    for (size_t i = 0; i < spec->n_policies; i++) {
        const ts_plugin_t *ops = ts_plugins_find(TS_PLUGIN_POLICY, spec->policies[i], err);
        if (!ops) {
            ts_err_where(err, "policies");
            return TS_ENOENT;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->policies[j], ops->name) == 0) {
                ts_err_where(err, "policies");
                return ts_err_set(err, TS_EINVAL, "policy '%s' is named twice", ops->name);
            }
        snprintf(m->policies[i], sizeof(m->policies[i]), "%s", ops->name);
    }
    m->n_policies = spec->n_policies;
    return 0;
}

/* The override lists: the caller's, then the policy when it is not the scenario's. */
static int mrc_overrides(mrc_ctx_t *c, const ts_scenario_t *sc, ts_err_t *err)
{
    const ts_mrc_spec_t *spec = c->spec;
    size_t np = c->m->n_policies, stride = spec->n_overrides + 1;
    c->ovr = ts_calloc(np * stride, sizeof(*c->ovr));
    c->n_ovr = ts_calloc(np, sizeof(*c->n_ovr));
    c->pol_ovr = ts_calloc(np, sizeof(*c->pol_ovr));
    if (!c->ovr || !c->n_ovr || !c->pol_ovr)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the overrides of %zu policies", np);
    for (size_t p = 0; p < np; p++) {
        const char **o = c->ovr + p * stride;
        for (size_t i = 0; i < spec->n_overrides; i++)
            o[i] = spec->overrides[i];
        c->n_ovr[p] = spec->n_overrides;
        if (strcmp(c->m->policies[p], sc->tiers[0].policy->base.name) != 0) {
            snprintf(c->pol_ovr[p], MRC_OVR_LEN, "tiers.0.policy=%s", c->m->policies[p]);
            o[c->n_ovr[p]++] = c->pol_ovr[p];
        }
    }
    return 0;
}

/* ---- points ---- */

static int mrc_point(mrc_ctx_t *c, size_t i, ts_err_t *err)
{
    ts_mrc_t *m = c->m;
    size_t p = i / m->n_sizes, s = i % m->n_sizes;
    size_t stride = c->spec->n_overrides + 1;
    ts_scenario_t *sc = NULL;
    ts_result_t *res = ts_malloc(sizeof(*res));
    int rc = res ? ts_scenario_load(c->spec->path, c->spec->yaml, c->ovr + p * stride,
                                    c->n_ovr[p], &sc, err)
                 : ts_err_set(err, TS_ENOMEM, "cannot allocate a result");
    if (rc == 0) {
        ts_tier_spec_t *top = &sc->tiers[0];
        top->is_fraction = false;
        top->capacity_fraction = 0;
        top->capacity = m->capacity[s];
        top->has_device = false;
        sc->engine = TS_ENGINE_FAST;
        ts_par_slot_t slot;
        const ts_run_opts_t opts = {.progress = ts_par_slot_init(&slot, &c->progress),
                                    .has_footprint = true,
                                    .footprint_objects = m->footprint_objects,
                                    .footprint_bytes = m->footprint_bytes};
        rc = ts_run_with(sc, &opts, res, err);
        if (rc == 0)
            ts_par_slot_report(&slot, m->n_requests);
    }
    if (rc == 0) {
        const ts_tier_stats_t *st = &res->tiers[0].st;
        m->points[i] = (ts_mrc_point_t){.n_req = st->n_req,
                                        .n_miss = st->n_miss,
                                        .bytes_req = st->bytes_req,
                                        .bytes_miss = st->bytes_miss,
                                        .n_total = res->totals.n_req,
                                        .n_hier_hit = res->totals.n_hit};
    } else {
        ts_err_prefix(err, "policy %s, capacity %llu", m->policies[p],
                      (unsigned long long)m->capacity[s]);
    }
    ts_scenario_destroy(sc);
    ts_result_release(res);
    ts_free(res);
    return rc;
}

static int mrc_job(void *ctx, size_t i, ts_err_t *err)
{
    mrc_ctx_t *c = ctx;
    return mrc_point(c, c->jobs[i], err);
}

/* Runs every policy's method; the replays last, side by side. */
static int mrc_compute(mrc_ctx_t *c, const ts_scenario_t *sc, int threads, ts_err_t *err)
{
    const ts_mrc_spec_t *spec = c->spec;
    ts_mrc_t *m = c->m;
    size_t np = m->n_policies, ns = m->n_sizes;
    const ts_mrc_method_t *meth = c->meth;
    bool is_mini[TS_MRC_MAX_POLICIES] = {false}, any_mini = false;
    bool *replay = ts_calloc(np * ns, sizeof(*replay));
    c->jobs = ts_malloc(np * ns * sizeof(*c->jobs));
    int rc = replay && c->jobs ? 0
                               : ts_err_set(err, TS_ENOMEM, "cannot allocate %zu points", np * ns);
    size_t passes = 0, n_replay = 0;
    for (size_t p = 0; rc == 0 && p < np; p++) {
        if (c->is_done[p])
            continue;
        passes += meth[p] == TS_MRC_EXACT || meth[p] == TS_MRC_SHARDS;
        any_mini |= is_mini[p] = meth[p] == TS_MRC_MINI;
        n_replay += meth[p] == TS_MRC_REPLAY ? ns : 0;
    }
    c->progress.total = c->progress.done + m->n_requests * (passes + any_mini + n_replay);
    double rate = spec->rate > 0 ? spec->rate : TS_MRC_DEFAULT_RATE;
    for (size_t p = 0; rc == 0 && p < np; p++) {
        if (c->is_done[p])
            continue;
        m->rate[p] = 1;
        uint64_t largest = 0;
        ts_mrc_method_t used = meth[p];
        bool *rp = replay + p * ns;
        if (meth[p] == TS_MRC_EXACT || meth[p] == TS_MRC_SHARDS) {
            bool exact = meth[p] == TS_MRC_EXACT;
            rc = ts__mrc_stack(sc, m, p, exact ? TS_STACKDIST_P : ts__mrc_threshold(rate),
                               exact ? 0 : spec->max_keys, rp, &largest, &c->progress, err);
            if (rc == TS_EUNSUPPORTED && spec->method == TS_MRC_AUTO) {
                mrc_note(m, "%s: exact cannot follow this trace (%s), so it was replayed",
                         m->policies[p], err->msg);
                ts_err_clear(err);
                rc = 0;
                used = TS_MRC_REPLAY;
                for (size_t s = 0; s < ns; s++)
                    rp[s] = true;
            } else if (rc) {
                ts_err_prefix(err, "policy %s, method %s", m->policies[p],
                              ts_mrc_method_name(meth[p]));
            } else if (exact && ns && rp[0]) {
                char b[TS_FMT_LEN];
                mrc_note(m, "%s: capacities below the largest object (%s) replayed",
                         m->policies[p], ts_fmt_bytes(largest, b, sizeof(b)));
            }
        } else if (meth[p] == TS_MRC_REPLAY) {
            for (size_t s = 0; s < ns; s++)
                rp[s] = true;
        }
        snprintf(m->method[p], sizeof(m->method[p]), "%s", ts_mrc_method_name(used));
    }
    if (rc == 0 && any_mini)
        rc = ts__mrc_mini(sc, m, is_mini, rate, threads, &c->progress, err);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < np * ns; i++)
        if (replay[i])
            c->jobs[n++] = i;
    if (rc == 0 && n) {
        c->progress.total = c->progress.done + m->n_requests * n;
        rc = ts_par_run(n, threads, mrc_job, c, err);
    }
    ts_free(replay);
    return rc;
}

int ts_mrc_run(const ts_mrc_spec_t *spec, ts_mrc_t **out, ts_err_t *err)
{
    *out = NULL;
    ts_scenario_t *sc = NULL;
    ts_reader_t *r = NULL;
    ts_stackdist_t *dense = NULL;
    mrc_size_t *sizes = ts_malloc(TS_MRC_MAX_POINTS * sizeof(*sizes));
    ts_mrc_t *m = ts_calloc(1, sizeof(*m));
    mrc_ctx_t c = {.spec = spec, .m = m};
    size_t n_sizes = 0;
    int rc = sizes && m ? 0 : ts_err_set(err, TS_ENOMEM, "cannot allocate the curves");
    if (rc == 0)
        rc = ts_scenario_load(spec->path, spec->yaml, spec->overrides, spec->n_overrides, &sc,
                              err);
    if (rc == 0)
        rc = mrc_policies(spec, sc, m, err);
    if (rc == 0) {
        snprintf(m->source, sizeof(m->source), "%s", sc->source);
        snprintf(m->tier, sizeof(m->tier), "%s", sc->tiers[0].name);
        m->mode = sc->mode;
        rc = mrc_sizes(spec, sc->mode, sizes, &n_sizes, err);
    }
    if (rc == 0)
        rc = mrc_methods(spec, sc, m, c.meth, err);
    c.progress = (ts_par_progress_t){.hook = spec->progress};
    if (rc == 0 && m->mode == TS_MODE_OBJECTS && m->n_policies == 1 &&
        c.meth[0] == TS_MRC_EXACT) { /* the footprint comes with the distances: one pass */
        rc = ts__mrc_dense(sc, m, &dense, &c.progress, err);
        if (rc == TS_EUNSUPPORTED && spec->method == TS_MRC_AUTO) {
            mrc_note(m, "%s: exact cannot follow this trace (%s), so it was replayed",
                     m->policies[0], err->msg);
            ts_err_clear(err);
            c.meth[0] = TS_MRC_REPLAY;
            ts_stackdist_destroy(dense);
            dense = NULL;
            rc = 0;
        } else if (rc) {
            ts_err_prefix(err, "policy %s, method exact", m->policies[0]);
        }
    }
    if (rc == 0 && !dense)
        rc = ts_scenario_open_workload(sc, &r, err);
    if (rc == 0 && !dense)
        rc = ts_footprint(r, &m->footprint_objects, &m->footprint_bytes, &m->n_requests, err);
    if (rc == 0)
        rc = mrc_capacities(m, sizes, n_sizes, err);
    if (rc == 0)
        rc = mrc_overrides(&c, sc, err);
    if (rc == 0) {
        m->points = ts_calloc(m->n_policies * m->n_sizes, sizeof(*m->points));
        if (!m->points)
            rc = ts_err_set(err, TS_ENOMEM, "cannot allocate %zu points",
                            m->n_policies * m->n_sizes);
    }
    if (rc == 0 && dense && (rc = ts__mrc_dense_points(dense, m, 0, err)) == 0)
        c.is_done[0] = true;
    if (rc == 0) {
        size_t n = m->n_policies * m->n_sizes;
        int threads = ts_par_cap_note(ts_par_threads(spec->threads, sc), n, spec->threads_note);
        rc = mrc_compute(&c, sc, threads, err);
    }
    ts_reader_close(r);
    ts_stackdist_destroy(dense);
    ts_scenario_destroy(sc);
    ts_free(sizes);
    ts_free(c.ovr);
    ts_free(c.n_ovr);
    ts_free(c.pol_ovr);
    ts_free(c.jobs);
    if (rc) {
        ts_mrc_destroy(m);
        return rc;
    }
    *out = m;
    return 0;
}

