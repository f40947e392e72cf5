/* SPDX-License-Identifier: MIT */
/*
 * plugins.c - every kind's registry by kind, lookups and the start-up check (see
 * plugins.h).
 */
#include "plugins.h"

#include "../backends/backend.h"
#include "../reports/writer.h"
#include "../sim/admit.h"
#include "../sim/devmodel.h"
#include "../sim/policy.h"
#include "../sim/prefetch.h"
#include "../traces/trace.h"
#include "../workloads/gen.h"
#include "../policies/registry.h"

static const ts_registry_t *const k_registries[TS_PLUGIN_KIND_COUNT_] = {
    [TS_PLUGIN_POLICY] = &ts_policies,
    [TS_PLUGIN_ADMIT] = &ts_admits,
    [TS_PLUGIN_PREFETCH] = &ts_prefetchers,
    [TS_PLUGIN_FORMAT] = &ts_formats,
    [TS_PLUGIN_GENERATOR] = &ts_generators,
    [TS_PLUGIN_REPORT] = &ts_reports,
    [TS_PLUGIN_DEVMODEL] = &ts_devmodels,
    [TS_PLUGIN_BACKEND] = &ts_backends,
};

const ts_registry_t *ts_plugins_registry(ts_plugin_kind_t kind)
{
    return (int)kind >= 0 && kind < TS_PLUGIN_KIND_COUNT_ ? k_registries[kind] : NULL;
}

const ts_plugin_t *ts_plugins_find(ts_plugin_kind_t kind, const char *name, ts_err_t *err)
{
    const ts_registry_t *r = ts_plugins_registry(kind);
    if (!r) {
        ts_err_set(err, TS_EINVAL, "no plug-in kind %d", (int)kind);
        return NULL;
    }
    return ts_registry_find(r, name, err);
}

int ts_plugins_check(ts_err_t *err)
{
    for (int k = 0; k < TS_PLUGIN_KIND_COUNT_; k++) {
        const ts_registry_t *r = k_registries[k];
        if (!r || r->kind != (uint32_t)k)
            return ts_err_set(err, TS_EINVAL, "the %s slot holds another kind's table",
                              ts_plugin_kind_name(k));
        int rc = ts_registry_check(r, err);
        if (rc)
            return rc;
    }
    return 0;
}
