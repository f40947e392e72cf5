/* SPDX-License-Identifier: MIT */
/*
 * run.c - scenario -> result (see run.h).
 *
 * Order of work: open the workload; if a policy needs next-access times, read it once to
 * find them and replay it a second time with them (8 bytes per request in between: the
 * only case where memory grows with trace length);
 * measure the footprint when a capacity is a percentage (or the bill prices the central
 * store's capacity); build the tiers (policy seeds derive from the scenario seed and the tier
 * index) and the hierarchy over them (its rules, admission filters and prefetcher); replay;
 * copy counters and the workload's units to the result; compute the bill.
 */
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../sim/engine.h"
#include "../sim/future.h"
#include "../sim/readahead.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/units.h"
#include "../reports/writer.h"
#include "run_internal.h"

int ts_footprint_scan(ts_reader_t *r, ts_footprint_t *fp, ts_err_t *err)
{
    typedef ts_live_object_t node_t; /* a key and its largest size */
    ts_ktab_t set;
    node_t *v = NULL;
    size_t n = 0, cap = 0;
    bool keep = fp->kept == ts_footprint_keep;
    memset(fp, 0, sizeof(*fp));
    int rc = ts_ktab_init(&set, 1024, err);
    if (rc)
        return rc;
    ts_req_t q;
    while ((rc = ts_reader_next(r, &q, err)) > 0) {
        fp->requests++;
        if (q.op == TS_OP_DELETE)
            continue;
        if (q.size_bytes > fp->largest)
            fp->largest = q.size_bytes;
        uint32_t id = ts_ktab_find(&set, q.key, v, sizeof(node_t));
        if (id != TS_KTAB_NONE) {
            if (q.size_bytes > v[id].size) {
                fp->bytes_largest += q.size_bytes - v[id].size;
                v[id].size = q.size_bytes;
            }
            continue;
        }
        if (n == cap) {
            size_t ncap = cap + cap / 2 + 1024;
            node_t *nv = ts_realloc(v, ncap * sizeof(*nv));
            if (!nv) {
                rc = ts_err_set(err, TS_ENOMEM, "cannot count %zu distinct keys", ncap);
                break;
            }
            v = nv;
            cap = ncap;
        }
        v[n] = (node_t){q.key, q.size_bytes};
        rc = ts_ktab_insert(&set, q.key, (uint32_t)n, err);
        if (rc)
            break;
        n++;
        fp->bytes += q.size_bytes;
        fp->bytes_largest += q.size_bytes;
    }
    ts_ktab_free(&set);
    fp->objects = n;
    if (rc == 0)
        rc = ts_reader_reset(r, err);
    if (rc == 0 && keep)
        fp->kept = v;
    else
        ts_free(v);
    return rc < 0 ? rc : 0;
}

int ts_footprint(ts_reader_t *r, uint64_t *objects, uint64_t *bytes, uint64_t *requests,
                 ts_err_t *err)
{
    ts_footprint_t fp;
    int rc = ts_footprint_scan(r, &fp, err);
    if (rc)
        return rc;
    *objects = fp.objects;
    *bytes = fp.bytes;
    if (requests)
        *requests = fp.requests;
    return 0;
}

/* splitmix64: independent-looking seeds for each tier from one scenario seed. */
static uint64_t run_mix_seed(uint64_t seed, uint64_t i)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (i + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* *dst := "k=v k=v" of params (schema spec[0..count)), cut to max bytes. */
static int run_params_desc(const ts_param_spec_t *spec, size_t count, const void *params,
                           char **dst, size_t max, ts_err_t *err)
{
    char buf[TS_TIER_PARAMS];
    size_t size = max < sizeof(buf) ? max : sizeof(buf), used = 0;
    buf[0] = 0;
    for (size_t i = 0; params && i < count && used < size; i++) {
        char v[128];
        ts_param_format(&spec[i], params, v, sizeof(v));
        used += (size_t)snprintf(buf + used, size - used, "%s%s=%s", i ? " " : "", spec[i].name,
                                 v);
    }
    return ts_result_strf(dst, size, err, "%s", buf);
}

static int run_hier_result(const ts_scenario_t *sc, const ts_hier_t *h, ts_hier_result_t *hr,
                           ts_err_t *err)
{
    hr->inclusion = ts_inclusion_names[sc->hier.inclusion];
    hr->promote = ts_promote_names[sc->hier.promote];
    hr->demote = ts_demote_names[sc->hier.demote];
    hr->write = ts_write_names[sc->hier.write];
    hr->flush_at_end = sc->hier.flush_at_end;
    /* a prefetcher that does nothing is told by an empty name (the writers print none) */
    const ts_prefetch_ops_t *p = sc->hier.prefetch;
    if (p && (p->base.flags & TS_PREFETCH_NOTHING))
        p = NULL;
    int rc = ts_result_strf(&hr->prefetch, TS_HIER_PREFETCH, err, "%s", p ? p->base.name : "");
    if (rc == 0)
        rc = p ? run_params_desc(p->base.params, p->base.params_count, sc->prefetch_params,
                                 &hr->prefetch_params, TS_HIER_PREFETCH_PARAMS, err)
               : ts_result_strf(&hr->prefetch_params, 1, err, "%s", "");
    if (rc == 0)
        rc = ts_result_strf(&hr->prefetch_into, TS_HIER_PREFETCH_INTO, err, "%s",
                            sc->prefetch_into);
    ts_result_set_hier_stats(hr, &h->st, h->link, h->n);
    return rc;
}

/* Tier i's names, parameters and counters. A filter that admits everything is told by an
 * empty name (the writers print always). */
static int run_tier_result(const ts_scenario_t *sc, size_t i, const ts_tier_t *t,
                           ts_tier_result_t *tr, ts_err_t *err)
{
    const ts_tier_spec_t *spec = &sc->tiers[i];
    const ts_policy_ops_t *po = spec->policy;
    const ts_admit_ops_t *ao = spec->admit;
    if (ao && (ao->base.flags & TS_ADMIT_ALL))
        ao = NULL;
    int rc = ts_result_strf(&tr->name, TS_TIER_NAME, err, "%s", t->name);
    if (rc == 0)
        rc = ts_result_strf(&tr->policy, TS_TIER_POLICY, err, "%s", po->base.name);
    if (rc == 0)
        rc = run_params_desc(po->base.params, po->base.params_count, spec->policy_params,
                             &tr->params, TS_TIER_PARAMS, err);
    if (rc == 0)
        rc = ts_result_strf(&tr->admit, TS_TIER_ADMIT, err, "%s", ao ? ao->base.name : "");
    if (rc == 0)
        rc = ao ? run_params_desc(ao->base.params, ao->base.params_count, spec->admit_params,
                                  &tr->admit_params, TS_TIER_ADMIT_PARAMS, err)
                : ts_result_strf(&tr->admit_params, 1, err, "%s", "");
    tr->capacity = t->capacity;
    tr->n_objects = t->n_objects;
    tr->used = t->used;
    tr->mem_bytes = t->policy->ops->mem_bytes(t->policy);
    tr->st = t->st;
    return rc;
}

/* The timed engine's devices and links: tiers, then the backing store. */
static void run_timed_config(const ts_scenario_t *sc, ts_timed_config_t *cfg)
{
    cfg->arrivals = (ts_arrivals_t)sc->timed.arrivals;
    cfg->time_scale = sc->timed.time_scale;
    cfg->clients = (uint32_t)sc->timed.clients;
    cfg->think_ns = sc->timed.think_ns;
    cfg->prefill_rate = sc->timed.prefill_rate;
    cfg->prefill_attn_s = sc->timed.prefill_attn_s;
    cfg->batch_groups = sc->timed.batch == TS_TIMED_BATCH_GROUP;
    cfg->loader = sc->timed.batch == TS_TIMED_BATCH_LOADER;
    cfg->au_target = sc->timed.au_target;
    cfg->depth = (uint32_t)sc->timed.depth;
    cfg->prefetch_factor = (uint32_t)sc->timed.prefetch_factor;
    cfg->block_tokens = sc->timed.block_tokens;
    cfg->max_in_flight = (uint32_t)sc->timed.max_in_flight;
    cfg->seed = sc->seed;
    for (size_t i = 0; i < sc->n_tiers; i++) {
        cfg->dev[i] = sc->tiers[i].device;
        cfg->has_link[i] = sc->tiers[i].has_link;
        cfg->link[i] = sc->tiers[i].link;
    }
    cfg->dev[sc->n_tiers] = sc->backing;
    cfg->has_link[sc->n_tiers] = sc->has_backing_link;
    cfg->link[sc->n_tiers] = sc->backing_link;
}

static bool run_needs_future(const ts_scenario_t *sc)
{
    for (size_t i = 0; i < sc->n_tiers; i++)
        if (sc->tiers[i].policy->base.flags & TS_POLICY_NEEDS_FUTURE)
            return true;
    return false;
}

bool ts_run_needs_footprint(const ts_scenario_t *sc)
{
    for (size_t i = 0; i < sc->n_tiers; i++)
        if (sc->tiers[i].is_fraction)
            return true;
    return ts_cost_needs_footprint(&sc->cost);
}

static int run_capacity(const ts_scenario_t *sc, const ts_tier_spec_t *ts,
                        const ts_result_t *res, uint64_t *cap, ts_err_t *err)
{
    if (!ts->is_fraction) {
        *cap = ts->capacity;
        return 0;
    }
    uint64_t fp = sc->mode == TS_MODE_BYTES ? res->footprint_bytes : res->footprint_objects;
    double c = floor(ts->capacity_fraction * (double)fp + 0.5);
    if (c < 1) {
        ts_err_where(err, "tiers.%s.capacity", ts->name);
        return ts_err_set(err, TS_ERANGE,
                          "%.6g%% of a footprint of %llu %s is less than one unit",
                          ts->capacity_fraction * 100, (unsigned long long)fp,
                          ts_mode_name(sc->mode));
    }
    *cap = (uint64_t)c;
    return 0;
}

/* The time series are for the writers that read them (result.h5, report.html): sampled
 * when one of them will write, by the run or by its caller. The live engine samples none
 * (an empty series would make a results file that does not read back). */
static bool run_wants_series(const ts_scenario_t *sc, const ts_run_opts_t *opts)
{
    if (sc->engine == TS_ENGINE_LIVE)
        return false;
    return opts->series || (sc->outputs.dir[0] &&
                            (ts_report_set_flags(sc->outputs.writers) & TS_REPORT_SERIES));
}

/* The scenario's source, title, workload, text and overrides, kept in the result (the text
 * borrowed when the caller shares one copy of it). */
static int run_keep_scenario(const ts_scenario_t *sc, const ts_run_opts_t *opts,
                             ts_result_t *res, ts_err_t *err)
{
    char workload[TS_RESULT_WORKLOAD];
    ts_scenario_workload_desc(sc, workload, sizeof(workload));
    int rc = ts_result_strf(&res->scenario, TS_RESULT_SOURCE, err, "%s", sc->source);
    if (rc == 0)
        rc = ts_result_strf(&res->name, TS_RESULT_NAME, err, "%s", sc->name);
    if (rc == 0)
        rc = ts_result_strf(&res->workload, TS_RESULT_WORKLOAD, err, "%s", workload);
    if (rc)
        return rc;
    if (opts->shared_yaml && sc->text && strcmp(opts->shared_yaml, sc->text) == 0) {
        res->scenario_yaml = opts->shared_yaml;
        res->is_yaml_shared = true;
    } else {
        res->scenario_yaml = ts_strdup(sc->text);
    }
    res->n_overrides = sc->n_overrides;
    res->overrides = ts_strv_dup((const char *const *)sc->overrides, sc->n_overrides);
    if ((sc->text && !res->scenario_yaml) || (sc->n_overrides && !res->overrides))
        return ts_err_set(err, TS_ENOMEM, "cannot keep the scenario's text in the result");
    return 0;
}

int ts_run(const ts_scenario_t *sc, ts_result_t *res, ts_err_t *err)
{
    return ts_run_with(sc, NULL, res, err);
}

int ts_run_with(const ts_scenario_t *sc, const ts_run_opts_t *opts, ts_result_t *res,
                ts_err_t *err)
{
    static const ts_run_opts_t none;
    if (!opts)
        opts = &none;
    memset(res, 0, sizeof(*res));
    res->seed = sc->seed;
    res->mode = sc->mode;
    res->engine = sc->engine == TS_ENGINE_LIVE    ? "live"
                  : sc->engine == TS_ENGINE_TIMED ? "timed"
                                                  : "fast";

    ts_reader_t *src = NULL, *replay = NULL;
    ts_tier_t *tiers[TS_MAX_TIERS] = {0};
    ts_hier_t *h = NULL;
    ts_series_t *series = NULL;
    int rc = run_keep_scenario(sc, opts, res, err);
    if (rc == 0 && sc->engine == TS_ENGINE_LIVE)
        rc = ts__run_live_prediction(sc, res, err);
    if (rc == 0)
        rc = ts_result_alloc_tiers(res, sc->n_tiers, err);
    if (rc == 0 && run_wants_series(sc, opts))
        rc = ts_series_create(&sc->outputs.series, &series, err);
    if (rc == 0)
        rc = opts->trace ? ts_memtrace_reader(opts->trace, &src, err)
                         : ts_scenario_open_workload(sc, &src, err);
    if (rc)
        goto out;
    replay = src;
    if (run_needs_future(sc) && !(opts->trace && opts->trace_future)) {
        rc = ts_future_reader(src, opts->future_limit_bytes, &replay, err);
        if (rc) {
            replay = src;
            goto out;
        }
    }
    if (opts->has_footprint) {
        res->footprint_objects = opts->footprint_objects;
        res->footprint_bytes = opts->footprint_bytes;
    } else if (ts_run_needs_footprint(sc)) {
        rc = ts_footprint(replay, &res->footprint_objects, &res->footprint_bytes, NULL, err);
        if (rc)
            goto out;
    }
    for (size_t i = 0; i < sc->n_tiers; i++) {
        const ts_tier_spec_t *spec = &sc->tiers[i];
        ts_policy_init_t init = {.count_objects = sc->mode == TS_MODE_OBJECTS,
                                 .seed = run_mix_seed(sc->seed, i)};
        rc = run_capacity(sc, spec, res, &init.capacity, err);
        if (rc == 0 && spec->has_device && sc->mode == TS_MODE_BYTES &&
            init.capacity > spec->device.capacity_bytes) {
            char a[32], b[32];
            ts_err_where(err, "tiers.%s.capacity", spec->name);
            rc = ts_err_set(err, TS_ERANGE, "%s is more than the %s of device %s",
                            ts_format_size(init.capacity, 1, a, sizeof(a)),
                            ts_format_size(spec->device.capacity_bytes, 1, b, sizeof(b)),
                            spec->device.name);
        }
        if (rc == 0)
            rc = ts_tier_create(spec->name, spec->policy, spec->policy_params, &init, &tiers[i],
                                err);
        if (rc)
            goto out;
    }

    rc = ts_hier_create(&sc->hier, tiers, sc->n_tiers, &h, err);
    if (rc)
        goto out;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (sc->engine == TS_ENGINE_LIVE) {
        rc = ts__run_live(sc, h, replay, opts, res, err);
    } else if (sc->engine == TS_ENGINE_TIMED) {
        ts_timed_config_t *cfg = ts_calloc(1, sizeof(*cfg));
        if (!cfg) {
            rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the timed engine's set-up");
            goto out;
        }
        run_timed_config(sc, cfg);
        cfg->series = series;
        cfg->progress = opts->progress;
        rc = ts_engine_timed(h, replay, cfg, &res->timed, err);
        res->has_timed = rc == 0;
        if (rc == 0)
            rc = ts_result_strf(&res->timed.prefill_source, TS_PREFILL_SOURCE, err, "%s",
                                sc->prefill_source);
        ts_free(cfg);
    } else {
        ts_reader_t *ahead = NULL;
        if (opts->read_ahead && ts_readahead_wanted(replay, sc->workload.reader))
            rc = ts_readahead_open(replay, &ahead, err);
        if (rc == 0)
            rc = ts_engine_fast_series(h, ahead ? ahead : replay, series, opts->progress, err);
        ts_reader_close(ahead); /* stops its thread before anything reads replay again */
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (rc)
        goto out;
    res->totals = h->tot;
    const ts_err_t *first = NULL;
    res->skipped_records = ts_skipbad_count(src, &first);
    if (res->skipped_records && first)
        rc = ts_result_strf(&res->skipped_first, TS_RESULT_SKIPPED, err, "%.120s%s%.190s",
                            first->where, first->where[0] ? ": " : "", first->msg);
    if (rc == 0)
        rc = run_hier_result(sc, h, &res->hier, err);
    res->series = series;
    series = NULL;

    for (size_t i = 0; rc == 0 && i < sc->n_tiers; i++)
        rc = run_tier_result(sc, i, tiers[i], &res->tiers[i], err);
    if (rc)
        goto out;
    ts_reader_units(src, &res->units);
    res->has_cost = sc->cost.is_enabled;
    if (res->has_cost)
        rc = ts_cost_compute(&sc->cost, res, &res->cost, err);
out:
    if (rc)
        ts_result_release(res);
    ts_series_destroy(series);
    ts_hier_destroy(h);
    for (size_t i = 0; i < TS_MAX_TIERS; i++)
        ts_tier_destroy(tiers[i]);
    if (replay != src)
        ts_reader_close(replay);
    ts_reader_close(src);
    return rc;
}
