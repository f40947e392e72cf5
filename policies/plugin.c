/* SPDX-License-Identifier: MIT */
/*
 * plugin.c - table checks and params-from-pairs shared by the admission and prefetch
 * registries (see plugin_internal.h). Cost: O(n) per check; one allocation per params.
 */
#include "plugin_internal.h"

#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/units.h"

static const char *plugin_name(const void *const *table, size_t i, size_t name_offset)
{
    return *(const char *const *)((const char *)table[i] + name_offset);
}

long ts__plugin_find(const char *what, const char *name, const void *const *table, size_t n,
                     size_t name_offset, ts_err_t *err)
{
    const char *names[TS__PLUGIN_MAX];
    if (n > TS__PLUGIN_MAX)
        n = TS__PLUGIN_MAX;
    for (size_t i = 0; i < n; i++)
        names[i] = plugin_name(table, i, name_offset);
    return ts_name_index(what, name, names, n, err);
}

int ts__plugin_names_check(const char *what, const void *const *table, size_t n, size_t name_offset,
                           ts_err_t *err)
{
    if (n > TS__PLUGIN_MAX)
        return ts_err_set(err, TS_EINVAL, "%s registry has more than %d entries", what,
                          TS__PLUGIN_MAX);
    const char *names[TS__PLUGIN_MAX];
    for (size_t i = 0; i < n; i++)
        names[i] = plugin_name(table, i, name_offset);
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !names[i][0])
            return ts_err_set(err, TS_EINVAL, "%s entry %zu has no name", what, i);
        if (i > 0 && strcmp(names[i - 1], names[i]) >= 0)
            return ts_err_set(err, TS_EINVAL,
                              "%s registry is not sorted or has a duplicate at '%s'", what,
                              names[i]);
    }
    return 0;
}

int ts__plugin_params_kv(const ts_param_spec_t *spec, size_t count, size_t size,
                         const char *const *names, const char *const *values, size_t n,
                         void **params, ts_err_t *err)
{
    *params = ts_malloc(size ? size : 1);
    if (!*params)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate parameters");
    int rc = ts_param_defaults(spec, count, *params, size, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = ts_param_set(spec, count, *params, names[i], values[i], err);
    if (rc) {
        ts_free(*params);
        *params = NULL;
    }
    return rc;
}
