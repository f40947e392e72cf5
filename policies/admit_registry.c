/* SPDX-License-Identifier: MIT */
/*
 * admit_registry.c - the one table of admission filters, sorted by name, and its checks.
 *
 * To add a filter: write policies/admit_<name>.c exporting `const ts_admit_ops_t
 * ts_admit_<name>` (admit_max_size.c is the short example), declare it below and list it in
 * k_admits in name order; tests/test_hier.c checks the table.
 */
#include "../sim/admit.h"

#include "../sim/util/mem.h"
#include "plugin_internal.h"

extern const ts_admit_ops_t ts_admit_always;
extern const ts_admit_ops_t ts_admit_cost_aware;
extern const ts_admit_ops_t ts_admit_max_size;
extern const ts_admit_ops_t ts_admit_second_hit;
extern const ts_admit_ops_t ts_admit_until_full;

static const ts_admit_ops_t *const k_admits[] = {
    &ts_admit_always,
    &ts_admit_cost_aware,
    &ts_admit_max_size,
    &ts_admit_second_hit,
    &ts_admit_until_full,
};

#define N_ADMITS (sizeof(k_admits) / sizeof(k_admits[0]))

TS__PLUGIN_ACCESSORS(ts_admit_ops_t, ts_admit, k_admits, "admission")

int ts_admit_registry_check(ts_err_t *err)
{
    for (size_t i = 0; i < N_ADMITS; i++) {
        const ts_admit_ops_t *a = k_admits[i];
        if (a->abi != TS_ADMIT_ABI || !a->summary || !a->create || !a->destroy || !a->admit ||
            !a->mem_bytes)
            return ts_err_set(err, TS_EINVAL,
                              "admission %s has a wrong ABI or lacks a summary or a method",
                              a->name ? a->name : "(unnamed)");
        if (ts_param_check_schema(a->params, a->params_count, a->params_size, err))
            return TS_EINVAL;
    }
    return ts__plugin_names_check("admission", (const void *const *)k_admits, N_ADMITS,
                                  offsetof(ts_admit_ops_t, name), err);
}

int ts_admit_create_kv(const ts_admit_ops_t *ops, const char *const *names,
                       const char *const *values, size_t n, ts_admit_t **out, ts_err_t *err)
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
