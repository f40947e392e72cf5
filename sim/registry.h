/* SPDX-License-Identifier: MIT */
/*
 * registry.h - what every plug-in is (a common header first in its ops table) and the one
 * generic registry every plug-in kind is listed in.
 *
 * Every plug-in kind (eviction policy, admission filter, prefetcher, trace format, workload
 * generator, report writer, device behaviour, live back-end) has the same three parts: a
 * `static const` ops table whose first member is a ts_plugin_t (name, summary, capability
 * flags, parameter schema), a base-first instance, and one line in its folder's registry
 * table, a ts_registry_t: a sorted array of `const ts_plugin_t *`. The core asks a plug-in
 * what it is (flags) and what it needs (optional ops of its kind); it never compares a
 * plug-in's name. app/plugins.h gathers every kind's table so a name is looked up one way.
 * Invariant (ts_registry_check, run by the tests and at start-up): entries share the
 * table's kind and ABI, names are non-empty, sorted and unique, schemas are well formed and
 * their defaults parse, and the kind's own check (required ops) passes. Cost: lookups are
 * linear over a few dozen entries; a check is O(entries x parameters).
 */
#ifndef TS_SIM_REGISTRY_H
#define TS_SIM_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "param.h"
#include "util/err.h"

#define TS_PLUGIN_ABI 2 /* 2: readers gained next_batch */
#define TS_REGISTRY_MAX 128 /* entries in one table */

typedef enum ts_plugin_kind {
    TS_PLUGIN_POLICY = 0, /* eviction policy (sim/policy.h) */
    TS_PLUGIN_ADMIT,      /* admission filter (sim/admit.h) */
    TS_PLUGIN_PREFETCH,   /* prefetcher (sim/prefetch.h) */
    TS_PLUGIN_FORMAT,     /* trace format: a reader and maybe a writer (sim/reader.h) */
    TS_PLUGIN_GENERATOR,  /* workload generator: a reader (sim/reader.h) */
    TS_PLUGIN_REPORT,     /* report writer */
    TS_PLUGIN_DEVMODEL,   /* device behaviour of the timed engine */
    TS_PLUGIN_BACKEND,    /* live back-end */
    TS_PLUGIN_KIND_COUNT_
} ts_plugin_kind_t;

/* The kind as messages name it ("policy", "admission filter", ...); "?" out of range. */
const char *ts_plugin_kind_name(int kind);

/* The header of every ops table (its first member, named `base`). */
typedef struct ts_plugin {
    uint32_t abi;                  /* TS_PLUGIN_ABI */
    uint32_t kind;                 /* ts_plugin_kind_t */
    const char *name;              /* registry key, lower case: "lru", "csv", "json" */
    const char *summary;           /* one line for `tiersim list` */
    uint32_t flags;                /* capability flags; their meaning is the kind's */
    const ts_param_spec_t *params; /* schema of the params struct (NULL when none) */
    size_t params_count;           /* entries in params */
    size_t params_size;            /* sizeof the params struct (0 when none) */
} ts_plugin_t;

/* One kind's table: entries sorted by name. */
typedef struct ts_registry {
    uint32_t kind;                     /* ts_plugin_kind_t of every entry */
    const ts_plugin_t *const *entries; /* n entries, sorted by name */
    size_t n;
    /* The kind's own check of one entry (its required ops); NULL when it has none.
     * Returns 0 or TS_EINVAL naming the entry. */
    int (*check)(const ts_plugin_t *p, ts_err_t *err);
} ts_registry_t;

/* Checks every entry of r (see the invariant above). Returns 0 or TS_EINVAL naming the
 * kind and the entry. */
int ts_registry_check(const ts_registry_t *r, ts_err_t *err);

/* The entry named name (exact), or NULL with err TS_ENOENT: "unknown <kind> 'x' (did you
 * mean 'y'?)", or the list of names when none is close. */
const ts_plugin_t *ts_registry_find(const ts_registry_t *r, const char *name, ts_err_t *err);

/* Entries in name order; NULL past the end. */
static inline size_t ts_registry_count(const ts_registry_t *r)
{
    return r->n;
}
static inline const ts_plugin_t *ts_registry_at(const ts_registry_t *r, size_t i)
{
    return i < r->n ? r->entries[i] : NULL;
}

/* A params struct of p on the heap (p->params_size bytes, at least 1) filled with the
 * schema's defaults, then n name=value pairs. Returns 0 (free *params with ts_free),
 * TS_ENOMEM or the parameter's error (*params is then NULL). */
int ts_plugin_params_kv(const ts_plugin_t *p, const char *const *names,
                        const char *const *values, size_t n, void **params, ts_err_t *err);

/* A params struct for p (p->params_size bytes from ts_malloc, ts_free it; NULL when p has
 * none) holding p's defaults, then names[i] = values[i] for i < n. Returns 0, or the
 * error of the first value refused, its where "<p>.<name>" (TS_ENOENT, TS_EPARSE,
 * TS_ERANGE), or TS_ENOMEM. */
int ts_plugin_params(const ts_plugin_t *p, const char *const *names, const char *const *values,
                     size_t n, void **out, ts_err_t *err);

#endif
