/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the generic plug-in registry: table checks, lookup with "did you mean", and
 * params from name=value pairs (see registry.h). Cost: O(n) per lookup and per check.
 */
#include "registry.h"

#include <string.h>

#include "util/mem.h"
#include "util/units.h"

/* As messages name each kind; "unknown <name> 'x'" keeps the words users know. */
static const char *const k_kind_names[TS_PLUGIN_KIND_COUNT_] = {
    [TS_PLUGIN_POLICY] = "policy",
    [TS_PLUGIN_ADMIT] = "admission",
    [TS_PLUGIN_PREFETCH] = "prefetcher",
    [TS_PLUGIN_FORMAT] = "trace format",
    [TS_PLUGIN_GENERATOR] = "generator kind",
    [TS_PLUGIN_REPORT] = "report writer",
    [TS_PLUGIN_DEVMODEL] = "device model",
    [TS_PLUGIN_BACKEND] = "back-end",
};

const char *ts_plugin_kind_name(int kind)
{
    return kind >= 0 && kind < TS_PLUGIN_KIND_COUNT_ ? k_kind_names[kind] : "?";
}

/* Every default of the schema parses (a default that cannot be read would only show up
 * when a user relies on it). */
static int registry_defaults_parse(const ts_plugin_t *p, ts_err_t *err)
{
    if (!p->params_count)
        return 0;
    void *buf = ts_malloc(p->params_size ? p->params_size : 1);
    if (!buf)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate parameters of %s", p->name);
    int rc = ts_param_defaults(p->params, p->params_count, buf, p->params_size, err);
    ts_free(buf);
    return rc;
}

int ts_registry_check(const ts_registry_t *r, ts_err_t *err)
{
    const char *what = ts_plugin_kind_name((int)r->kind);
    if (r->n > TS_REGISTRY_MAX)
        return ts_err_set(err, TS_EINVAL, "%s registry has more than %d entries", what,
                          TS_REGISTRY_MAX);
    for (size_t i = 0; i < r->n; i++) {
        const ts_plugin_t *p = r->entries[i];
        if (!p)
            return ts_err_set(err, TS_EINVAL, "%s entry %zu is NULL", what, i);
        const char *name = p->name && p->name[0] ? p->name : "(unnamed)";
        if (p->abi != TS_PLUGIN_ABI)
            return ts_err_set(err, TS_EINVAL, "%s %s has ABI %u, expected %u", what, name,
                              p->abi, TS_PLUGIN_ABI);
        if (p->kind != r->kind)
            return ts_err_set(err, TS_EINVAL, "%s %s is listed among the %s entries",
                              ts_plugin_kind_name((int)p->kind), name, what);
        if (!p->name || !p->name[0] || !p->summary)
            return ts_err_set(err, TS_EINVAL, "%s %s lacks a name or summary", what, name);
        if (i > 0 && strcmp(r->entries[i - 1]->name, p->name) >= 0)
            return ts_err_set(err, TS_EINVAL,
                              "%s registry is not sorted or has a duplicate at '%s'", what,
                              p->name);
        int rc = ts_param_check_schema(p->params, p->params_count, p->params_size, err);
        if (rc == 0)
            rc = registry_defaults_parse(p, err);
        if (rc) {
            ts_err_prefix(err, "%s %s", what, name);
            return rc == TS_ENOMEM ? rc : TS_EINVAL;
        }
        if (r->check && (rc = r->check(p, err)) != 0)
            return rc;
    }
    return 0;
}

const ts_plugin_t *ts_registry_find(const ts_registry_t *r, const char *name, ts_err_t *err)
{
    const char *names[TS_REGISTRY_MAX];
    size_t n = r->n < TS_REGISTRY_MAX ? r->n : TS_REGISTRY_MAX;
    for (size_t i = 0; i < n; i++)
        names[i] = r->entries[i]->name;
    long at = ts_name_index(ts_plugin_kind_name((int)r->kind), name, names, n, err);
    return at < 0 ? NULL : r->entries[at];
}

int ts_plugin_params_kv(const ts_plugin_t *p, const char *const *names,
                        const char *const *values, size_t n, void **params, ts_err_t *err)
{
    *params = ts_malloc(p->params_size ? p->params_size : 1);
    if (!*params)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate parameters of %s", p->name);
    int rc = ts_param_defaults(p->params, p->params_count, *params, p->params_size, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = ts_param_set(p->params, p->params_count, *params, names[i], values[i], err);
    if (rc) {
        ts_free(*params);
        *params = NULL;
    }
    return rc;
}

int ts_plugin_params(const ts_plugin_t *p, const char *const *names, const char *const *values,
                     size_t n, void **out, ts_err_t *err)
{
    *out = NULL;
    void *params = p->params_size ? ts_malloc(p->params_size) : NULL;
    if (p->params_size && !params)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate parameters of %s", p->name);
    int rc = params ? ts_param_defaults(p->params, p->params_count, params, p->params_size, err)
                    : 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = ts_param_set(p->params, p->params_count, params, names[i], values[i], err);
        if (rc)
            ts_err_where(err, "%s.%s", p->name, names[i]);
    }
    if (rc) {
        ts_free(params);
        return rc;
    }
    *out = params;
    return 0;
}
