/* SPDX-License-Identifier: MIT */
/*
 * prefetch.h - the prefetcher seam (one per hierarchy) and its registry.
 *
 * A prefetcher watches the demand stream and proposes objects to fetch before they are
 * asked for. The hierarchy (sim/hier.c) calls `on_access` once for every demand get or put,
 * after the request has been served and placed; the prefetcher writes up to `cap` proposed
 * requests into `out` (each with TS_REQ_PREFETCH set) and returns how many. The hierarchy
 * fetches each proposed object that no tier holds from the backing store into the target
 * tier; proposals for objects already cached cost nothing. Prefetches never count as demand
 * hits or misses. A prefetcher with TS_PREFETCH_HINTS also asks the hierarchy to treat trace
 * requests that carry TS_REQ_PREFETCH as prefetch requests (hints) rather than demand.
 * A prefetcher flagged TS_PREFETCH_NOTHING does nothing: the hierarchy creates no instance
 * of it. Later workload-aware prefetchers (training epochs, KV-cache sessions) plug in here.
 *
 * Contract of the ops (all required unless marked optional):
 *   create    builds an instance from a filled params struct (copied).
 *   destroy   frees it; accepts NULL.
 *   on_access (optional) proposes prefetches after demand request r; returns a count <= cap.
 *             Never allocates.
 *   mem_bytes heap bytes held by the instance.
 * Registry: ts_prefetchers (policies/registry.h) lists the prefetchers, sorted by name.
 */
#ifndef TS_SIM_PREFETCH_H
#define TS_SIM_PREFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "param.h"
#include "registry.h"
#include "req.h"

#define TS_PREFETCH_MAX 64 /* most proposals one on_access may return (cap passed in) */

enum ts_prefetch_flag {
    TS_PREFETCH_HINTS = 1u << 0,   /* trace requests flagged TS_REQ_PREFETCH are hints */
    TS_PREFETCH_NOTHING = 1u << 1, /* does nothing (the default): no instance is made */
};

typedef struct ts_prefetcher ts_prefetcher_t;

typedef struct ts_prefetch_ops {
    ts_plugin_t base; /* kind TS_PLUGIN_PREFETCH; name "next_n"; flags ts_prefetch_flag */
    int (*create)(const void *params, ts_prefetcher_t **out, ts_err_t *err);
    void (*destroy)(ts_prefetcher_t *p);
    size_t (*on_access)(ts_prefetcher_t *p, const ts_req_t *r, ts_req_t *out, size_t cap);
    size_t (*mem_bytes)(const ts_prefetcher_t *p);
} ts_prefetch_ops_t;

/* Base of every prefetcher instance (first member of the implementation's struct). */
struct ts_prefetcher {
    const ts_prefetch_ops_t *ops;
};

static inline void ts_prefetcher_destroy(ts_prefetcher_t *p)
{
    if (p)
        p->ops->destroy(p);
}

/* The ops table whose base is p (a prefetcher entry, or NULL). */
static inline const ts_prefetch_ops_t *ts_prefetch_ops_of(const ts_plugin_t *p)
{
    return (const ts_prefetch_ops_t *)p;
}

#endif
