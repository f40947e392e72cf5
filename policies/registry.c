/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the one table of eviction policies, sorted by name, and its checks.
 *
 * To add a policy: write policies/<name>.c exporting `const ts_policy_ops_t ts_policy_<name>`
 * (policies/fifo.c is the template), declare it below, and list it in k_policies in
 * name order. test_policy_conformance.c then runs the shared property checks on it.
 */
#include "../sim/policy.h"

#include <stdio.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/units.h"

extern const ts_policy_ops_t ts_policy_arc;
extern const ts_policy_ops_t ts_policy_clock;
extern const ts_policy_ops_t ts_policy_fifo;
extern const ts_policy_ops_t ts_policy_lfu;
extern const ts_policy_ops_t ts_policy_lru;
extern const ts_policy_ops_t ts_policy_opt;
extern const ts_policy_ops_t ts_policy_s3fifo;
extern const ts_policy_ops_t ts_policy_session;
extern const ts_policy_ops_t ts_policy_sieve;

static const ts_policy_ops_t *const k_policies[] = {
    &ts_policy_arc, &ts_policy_clock,  &ts_policy_fifo,    &ts_policy_lfu, &ts_policy_lru,
    &ts_policy_opt, &ts_policy_s3fifo, &ts_policy_session, &ts_policy_sieve,
};

#define N_POLICIES (sizeof(k_policies) / sizeof(k_policies[0]))

size_t ts_policy_count(void)
{
    return N_POLICIES;
}

const ts_policy_ops_t *ts_policy_at(size_t i)
{
    return i < N_POLICIES ? k_policies[i] : NULL;
}

const ts_policy_ops_t *ts_policy_find(const char *name, ts_err_t *err)
{
    const char *names[N_POLICIES];
    for (size_t i = 0; i < N_POLICIES; i++)
        names[i] = k_policies[i]->name;
    long at = ts_name_index("policy", name, names, N_POLICIES, err);
    return at < 0 ? NULL : k_policies[at];
}

int ts_policy_check(const ts_policy_ops_t *ops, ts_err_t *err)
{
    if (!ops)
        return ts_err_set(err, TS_EINVAL, "policy entry is NULL");
    const char *name = ops->name ? ops->name : "(unnamed)";
    if (ops->abi != TS_POLICY_ABI)
        return ts_err_set(err, TS_EINVAL, "policy %s has ABI %u, expected %u", name, ops->abi,
                          TS_POLICY_ABI);
    if (!ops->name || !ops->name[0] || !ops->summary)
        return ts_err_set(err, TS_EINVAL, "policy %s lacks a name or summary", name);
    if (!ops->create || !ops->destroy || !ops->lookup || !ops->insert || !ops->evict ||
        !ops->remove || !ops->mem_bytes)
        return ts_err_set(err, TS_EINVAL, "policy %s lacks a required method", name);
    int rc = ts_param_check_schema(ops->params, ops->params_count, ops->params_size, err);
    if (rc)
        ts_err_prefix(err, "policy %s", name);
    return rc ? TS_EINVAL : 0;
}

int ts_policy_registry_check(ts_err_t *err)
{
    for (size_t i = 0; i < N_POLICIES; i++) {
        int rc = ts_policy_check(k_policies[i], err);
        if (rc)
            return rc;
        if (i > 0 && strcmp(k_policies[i - 1]->name, k_policies[i]->name) >= 0)
            return ts_err_set(err, TS_EINVAL, "policy registry is not sorted or has a "
                                              "duplicate at '%s'",
                              k_policies[i]->name);
    }
    return 0;
}

int ts_policy_create_kv(const ts_policy_ops_t *ops, const char *const *names,
                        const char *const *values, size_t n, const ts_policy_init_t *init,
                        ts_policy_t **out, ts_err_t *err)
{
    *out = NULL;
    void *params = ts_malloc(ops->params_size ? ops->params_size : 1);
    if (!params)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate parameters of %s", ops->name);
    int rc = ts_param_defaults(ops->params, ops->params_count, params, ops->params_size, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = ts_param_set(ops->params, ops->params_count, params, names[i], values[i], err);
    if (rc == 0)
        rc = ops->create(params, init, out, err);
    ts_free(params);
    return rc;
}
