/* SPDX-License-Identifier: MIT */
/*
 * prefetch_registry.c - the one table of prefetchers, sorted by name, and its checks.
 *
 * To add a prefetcher: write policies/prefetch_<name>.c exporting `const ts_prefetch_ops_t
 * ts_prefetch_<name>` (prefetch_next_n.c is the short example), declare it below and list
 * it in k_prefetchers in name order; tests/test_hier.c checks the table.
 */
#include "../sim/prefetch.h"

#include "../sim/util/mem.h"
#include "plugin_internal.h"

extern const ts_prefetch_ops_t ts_prefetch_hint;
extern const ts_prefetch_ops_t ts_prefetch_next_n;
extern const ts_prefetch_ops_t ts_prefetch_none;

static const ts_prefetch_ops_t *const k_prefetchers[] = {
    &ts_prefetch_hint,
    &ts_prefetch_next_n,
    &ts_prefetch_none,
};

#define N_PREFETCHERS (sizeof(k_prefetchers) / sizeof(k_prefetchers[0]))

TS__PLUGIN_ACCESSORS(ts_prefetch_ops_t, ts_prefetch, k_prefetchers, "prefetcher")

int ts_prefetch_registry_check(ts_err_t *err)
{
    for (size_t i = 0; i < N_PREFETCHERS; i++) {
        const ts_prefetch_ops_t *p = k_prefetchers[i];
        if (p->abi != TS_PREFETCH_ABI || !p->summary || !p->create || !p->destroy || !p->mem_bytes)
            return ts_err_set(err, TS_EINVAL,
                              "prefetcher %s has a wrong ABI or lacks a summary or a method",
                              p->name ? p->name : "(unnamed)");
        if (ts_param_check_schema(p->params, p->params_count, p->params_size, err))
            return TS_EINVAL;
    }
    return ts__plugin_names_check("prefetcher", (const void *const *)k_prefetchers, N_PREFETCHERS,
                                  offsetof(ts_prefetch_ops_t, name), err);
}

int ts_prefetch_create_kv(const ts_prefetch_ops_t *ops, const char *const *names,
                          const char *const *values, size_t n, ts_prefetcher_t **out, ts_err_t *err)
{
    *out = NULL;
    void *params;
    int rc = ts__plugin_params_kv(ops->params, ops->params_count, ops->params_size, names, values,
                                  n, &params, err);
    if (rc == 0)
        rc = ops->create(params, out, err);
    ts_free(params);
    return rc;
}
