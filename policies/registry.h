/* SPDX-License-Identifier: MIT */
/*
 * registry.h - the tables of this folder's plug-ins (eviction policies, admission filters,
 * prefetchers; policies/registry.c), each a ts_registry_t of sim/registry.h sorted by name,
 * with typed lookups and instances made from name=value pairs for tools and tests.
 * app/plugins.c gathers these tables with every other kind's.
 */
#ifndef TS_POLICIES_REGISTRY_H
#define TS_POLICIES_REGISTRY_H

#include <stddef.h>

#include "../sim/admit.h"
#include "../sim/policy.h"
#include "../sim/prefetch.h"
#include "../sim/registry.h"
#include "../sim/util/err.h"

/* ---- eviction policies ---- */

/* Every policy, sorted by name; its kind check asks for the required ops. */
extern const ts_registry_t ts_policies;


/* The policy named name (exact), or NULL with err saying "unknown policy 'x' (did you
 * mean 'y'?)" or listing the valid names. */
const ts_policy_ops_t *ts_policy_find(const char *name, ts_err_t *err);

/* Creates an instance of ops with default params overridden by n name=value pairs. */
int ts_policy_create_kv(const ts_policy_ops_t *ops, const char *const *names,
                        const char *const *values, size_t n, const ts_policy_init_t *init,
                        ts_policy_t **out, ts_err_t *err);

/* ---- admission filters ---- */

/* Every admission filter, sorted by name. */
extern const ts_registry_t ts_admits;


/* The filter named name, or NULL with err saying "unknown admission 'x' (did you mean
 * 'y'?)" or listing the valid names. */
const ts_admit_ops_t *ts_admit_find(const char *name, ts_err_t *err);

/* Creates an instance of ops with default params overridden by n name=value pairs.
 * Returns 0, TS_ENOMEM or a parameter error. */
int ts_admit_create_kv(const ts_admit_ops_t *ops, const char *const *names,
                       const char *const *values, size_t n, ts_admit_t **out, ts_err_t *err);

/* ---- prefetchers ---- */

/* Every prefetcher, sorted by name. */
extern const ts_registry_t ts_prefetchers;


/* The prefetcher named name, or NULL with err saying "unknown prefetcher 'x' (did you mean
 * 'y'?)" or listing the valid names. */
const ts_prefetch_ops_t *ts_prefetch_find(const char *name, ts_err_t *err);

/* Creates an instance of ops with default params overridden by n name=value pairs.
 * Returns 0, TS_ENOMEM or a parameter error. */
int ts_prefetch_create_kv(const ts_prefetch_ops_t *ops, const char *const *names,
                          const char *const *values, size_t n, ts_prefetcher_t **out,
                          ts_err_t *err);

#endif
