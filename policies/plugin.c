/* SPDX-License-Identifier: MIT */
/*
 * plugin.c - table checks and params-from-pairs shared by the admission and prefetch
 * registries (see plugin_internal.h). Cost: O(n) per check; one allocation per params.
 */
#include "plugin_internal.h"

#include <string.h>

#include "../sim/mem.h"

int ts__plugin_names_check(const char *what, const char *const *names, size_t n, ts_err_t *err)
{
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
