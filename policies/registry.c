/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the folder's three plug-in tables, each sorted by name: eviction policies
 * (ts_policies), admission filters (ts_admits) and prefetchers (ts_prefetchers), with each
 * kind's check of its required ops.
 *
 * To add one: write policies/<name>.c (a policy: fifo.c is the template),
 * policies/admit_<name>.c (admit_max_size.c is the short example) or
 * policies/prefetch_<name>.c (prefetch_next_n.c), exporting its ops table, then declare it
 * below and list it in its table in name order. The generic checks (sim/registry.h) run at
 * start-up and in the tests; test_policy_conformance.c runs the shared property checks on
 * every policy.
 */
#include "registry.h"

#include "../sim/util/mem.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- eviction policies ---- */

extern const ts_policy_ops_t ts_policy_arc;
extern const ts_policy_ops_t ts_policy_beladysize;
extern const ts_policy_ops_t ts_policy_cacheus;
extern const ts_policy_ops_t ts_policy_car;
extern const ts_policy_ops_t ts_policy_clock;
extern const ts_policy_ops_t ts_policy_clockpro;
extern const ts_policy_ops_t ts_policy_epoch;
extern const ts_policy_ops_t ts_policy_fifo;
extern const ts_policy_ops_t ts_policy_gdsf;
extern const ts_policy_ops_t ts_policy_hyperbolic;
extern const ts_policy_ops_t ts_policy_lecar;
extern const ts_policy_ops_t ts_policy_lfu;
extern const ts_policy_ops_t ts_policy_lfuda;
extern const ts_policy_ops_t ts_policy_lhd;
extern const ts_policy_ops_t ts_policy_lirs;
extern const ts_policy_ops_t ts_policy_lru;
extern const ts_policy_ops_t ts_policy_lruk;
extern const ts_policy_ops_t ts_policy_opt;
extern const ts_policy_ops_t ts_policy_prefix_tree;
extern const ts_policy_ops_t ts_policy_qdlp;
extern const ts_policy_ops_t ts_policy_s3fifo;
extern const ts_policy_ops_t ts_policy_session;
extern const ts_policy_ops_t ts_policy_sieve;
extern const ts_policy_ops_t ts_policy_slru;
extern const ts_policy_ops_t ts_policy_ttl;
extern const ts_policy_ops_t ts_policy_twoq;
extern const ts_policy_ops_t ts_policy_wtinylfu;

static const ts_plugin_t *const k_policies[] = {
    &ts_policy_arc.base,
    &ts_policy_beladysize.base,
    &ts_policy_cacheus.base,
    &ts_policy_car.base,
    &ts_policy_clock.base,
    &ts_policy_clockpro.base,
    &ts_policy_epoch.base,
    &ts_policy_fifo.base,
    &ts_policy_gdsf.base,
    &ts_policy_hyperbolic.base,
    &ts_policy_lecar.base,
    &ts_policy_lfu.base,
    &ts_policy_lfuda.base,
    &ts_policy_lhd.base,
    &ts_policy_lirs.base,
    &ts_policy_lru.base,
    &ts_policy_lruk.base,
    &ts_policy_opt.base,
    &ts_policy_prefix_tree.base,
    &ts_policy_qdlp.base,
    &ts_policy_s3fifo.base,
    &ts_policy_session.base,
    &ts_policy_sieve.base,
    &ts_policy_slru.base,
    &ts_policy_ttl.base,
    &ts_policy_twoq.base,
    &ts_policy_wtinylfu.base,
};

static int policy_check(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_policy_ops_t *o = ts_policy_ops_of(p);
    if (!o->create || !o->destroy || !o->lookup || !o->insert || !o->evict || !o->remove ||
        !o->mem_bytes)
        return ts_err_set(err, TS_EINVAL, "policy %s lacks a required method", p->name);
    return 0;
}

const ts_registry_t ts_policies = {
    .kind = TS_PLUGIN_POLICY,
    .entries = k_policies,
    .n = N_OF(k_policies),
    .check = policy_check,
};

const ts_policy_ops_t *ts_policy_find(const char *name, ts_err_t *err)
{
    return ts_policy_ops_of(ts_registry_find(&ts_policies, name, err));
}

int ts_policy_create_kv(const ts_policy_ops_t *ops, const char *const *names,
                        const char *const *values, size_t n, const ts_policy_init_t *init,
                        ts_policy_t **out, ts_err_t *err)
{
    *out = NULL;
    void *params;
    int rc = ts_plugin_params_kv(&ops->base, names, values, n, &params, err);
    if (rc == 0)
        rc = ops->create(params, init, out, err);
    ts_free(params);
    return rc;
}

/* ---- admission filters ---- */

extern const ts_admit_ops_t ts_admit_always;
extern const ts_admit_ops_t ts_admit_cost_aware;
extern const ts_admit_ops_t ts_admit_max_size;
extern const ts_admit_ops_t ts_admit_second_hit;
extern const ts_admit_ops_t ts_admit_until_full;

static const ts_plugin_t *const k_admits[] = {
    &ts_admit_always.base,     &ts_admit_cost_aware.base, &ts_admit_max_size.base,
    &ts_admit_second_hit.base, &ts_admit_until_full.base,
};

static int admit_check(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_admit_ops_t *o = ts_admit_ops_of(p);
    if (!o->create || !o->destroy || !o->admit || !o->mem_bytes)
        return ts_err_set(err, TS_EINVAL, "admission %s lacks a required method", p->name);
    return 0;
}

const ts_registry_t ts_admits = {
    .kind = TS_PLUGIN_ADMIT,
    .entries = k_admits,
    .n = N_OF(k_admits),
    .check = admit_check,
};

const ts_admit_ops_t *ts_admit_find(const char *name, ts_err_t *err)
{
    return ts_admit_ops_of(ts_registry_find(&ts_admits, name, err));
}

int ts_admit_create_kv(const ts_admit_ops_t *ops, const char *const *names,
                       const char *const *values, size_t n, ts_admit_t **out, ts_err_t *err)
{
    *out = NULL;
    void *params;
    int rc = ts_plugin_params_kv(&ops->base, names, values, n, &params, err);
    if (rc == 0)
        rc = ops->create(params, out, err);
    ts_free(params);
    return rc;
}

/* ---- prefetchers ---- */

extern const ts_prefetch_ops_t ts_prefetch_hint;
extern const ts_prefetch_ops_t ts_prefetch_next_n;
extern const ts_prefetch_ops_t ts_prefetch_none;

static const ts_plugin_t *const k_prefetchers[] = {
    &ts_prefetch_hint.base,
    &ts_prefetch_next_n.base,
    &ts_prefetch_none.base,
};

static int prefetch_check(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_prefetch_ops_t *o = ts_prefetch_ops_of(p);
    if (!o->create || !o->destroy || !o->mem_bytes)
        return ts_err_set(err, TS_EINVAL, "prefetcher %s lacks a required method", p->name);
    return 0;
}

const ts_registry_t ts_prefetchers = {
    .kind = TS_PLUGIN_PREFETCH,
    .entries = k_prefetchers,
    .n = N_OF(k_prefetchers),
    .check = prefetch_check,
};

const ts_prefetch_ops_t *ts_prefetch_find(const char *name, ts_err_t *err)
{
    return ts_prefetch_ops_of(ts_registry_find(&ts_prefetchers, name, err));
}

int ts_prefetch_create_kv(const ts_prefetch_ops_t *ops, const char *const *names,
                          const char *const *values, size_t n, ts_prefetcher_t **out,
                          ts_err_t *err)
{
    *out = NULL;
    void *params;
    int rc = ts_plugin_params_kv(&ops->base, names, values, n, &params, err);
    if (rc == 0)
        rc = ops->create(params, out, err);
    ts_free(params);
    return rc;
}
