/* SPDX-License-Identifier: MIT */
/*
 * plugins.h - every plug-in kind's registry gathered in one place, so the application
 * looks a plug-in up one way: by kind and name.
 *
 * Each folder owns its tables (policies/registry.c: policies, admission filters,
 * prefetchers; traces/registry.c: trace formats; workloads/registry.c: generators); this
 * module indexes them by ts_plugin_kind_t. A kind with no plug-ins yet has an empty table.
 * ts_plugins_check runs the generic checks (sim/registry.h) on every table; the command
 * line runs it at start-up. Cost: a lookup is linear in its kind's table.
 */
#ifndef TS_APP_PLUGINS_H
#define TS_APP_PLUGINS_H

#include "../sim/registry.h"
#include "../sim/util/err.h"

/* The table of kind (never NULL for a kind below TS_PLUGIN_KIND_COUNT_; maybe empty);
 * NULL for a kind out of range. */
const ts_registry_t *ts_plugins_registry(ts_plugin_kind_t kind);

/* The plug-in of kind named name (exact), or NULL with err TS_ENOENT: "unknown <kind>
 * 'x' (did you mean 'y'?)" or the list of names; TS_EINVAL for a kind out of range. The
 * kind's header casts the entry to its ops (ts_policy_ops_of, ts_reader_ops_of, ...). */
const ts_plugin_t *ts_plugins_find(ts_plugin_kind_t kind, const char *name, ts_err_t *err);

/* Checks every kind's table: each sits at its kind's slot and passes ts_registry_check.
 * Returns 0 or TS_EINVAL naming the kind and the entry. */
int ts_plugins_check(ts_err_t *err);

#endif
