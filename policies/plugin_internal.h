/* SPDX-License-Identifier: MIT */
/*
 * plugin_internal.h - helpers shared by the admission and prefetch registries.
 *
 * Both registries are sorted tables of ops with a parameter schema; these helpers check
 * such a table and build a params struct from name=value pairs, so each registry file only
 * lists its entries. Not part of the public API (ts__ prefix).
 */
#ifndef TS_POLICIES_PLUGIN_INTERNAL_H
#define TS_POLICIES_PLUGIN_INTERNAL_H

#include <stddef.h>

#include "../sim/util/err.h"
#include "../sim/param.h"

/* table[0..n) are ops structs whose `const char *name` field sits at name_offset (at most
 * TS__PLUGIN_MAX entries); what names the kind in messages ("admission"). */
#define TS__PLUGIN_MAX 64

/* Checks that the names are non-empty, sorted and unique. Returns 0 or TS_EINVAL. */
int ts__plugin_names_check(const char *what, const void *const *table, size_t n, size_t name_offset,
                           ts_err_t *err);

/* The index of the entry named name, or -1 with err saying "unknown <what> 'x' (did you
 * mean 'y'?)" or listing the names. */
long ts__plugin_find(const char *what, const char *name, const void *const *table, size_t n,
                     size_t name_offset, ts_err_t *err);

/* Allocates *params (size bytes, at least 1) filled with the schema's defaults, then sets
 * n name=value pairs. Returns 0 (free *params with ts_free), TS_ENOMEM or the parameter's
 * error (*params is then NULL). */
int ts__plugin_params_kv(const ts_param_spec_t *spec, size_t count, size_t size,
                         const char *const *names, const char *const *values, size_t n,
                         void **params, ts_err_t *err);

/* Defines the accessors of a registry table `table` of `const T *` entries, each with a
 * `name` field: size_t prefix##_count(void), const T *prefix##_at(size_t i) (NULL past the
 * end) and const T *prefix##_find(const char *name, ts_err_t *err) (what names the kind in
 * "unknown <what> 'x' (did you mean ...)"). */
#define TS__PLUGIN_ACCESSORS(T, prefix, table, what)                                            \
    size_t prefix##_count(void)                                                                 \
    {                                                                                           \
        return sizeof(table) / sizeof(table[0]);                                                \
    }                                                                                           \
    const T *prefix##_at(size_t i)                                                              \
    {                                                                                           \
        return i < prefix##_count() ? table[i] : NULL;                                          \
    }                                                                                           \
    const T *prefix##_find(const char *name, ts_err_t *err)                                     \
    {                                                                                           \
        long at = ts__plugin_find(what, name, (const void *const *)table, prefix##_count(),      \
                                  offsetof(T, name), err);                                      \
        return at < 0 ? NULL : table[at];                                                       \
    }

#endif
