/* SPDX-License-Identifier: MIT */
/*
 * pool.h - growable array of fixed-size nodes addressed by 32-bit ids, with a free list.
 *
 * Policies keep per-object metadata here and link nodes by id, not pointer, so growth
 * (realloc) never invalidates links and links cost 4 bytes. A node must be at least 12
 * bytes and start with its 64-bit key (see ktab.h); a freed node's bytes 8..11 hold the
 * free-list link. Alloc and free are O(1) amortised; hits never allocate.
 */
#ifndef TS_SIM_UTIL_POOL_H
#define TS_SIM_UTIL_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TS_POOL_NONE UINT32_MAX

typedef struct ts_pool {
    char *base;         /* private: node storage; moves when the pool grows */
    size_t stride;      /* read-only: bytes per node */
    uint32_t cap;       /* read-only: nodes allocated */
    uint32_t hwm;       /* private: ids below this have been handed out at least once */
    uint32_t free_head; /* private: first free id, TS_POOL_NONE when none */
    uint32_t n_live;    /* read-only: nodes in use */
} ts_pool_t;

/* Prepares an empty pool with room for initial nodes. Returns 0, TS_EINVAL (stride < 12)
 * or TS_ENOMEM. */
int ts_pool_init(ts_pool_t *p, size_t stride, uint32_t initial, ts_err_t *err);
void ts_pool_free_all(ts_pool_t *p);

/* A fresh id (node contents undefined), growing the pool when needed.
 * Returns TS_POOL_NONE when memory runs out, with err filled. */
uint32_t ts_pool_alloc(ts_pool_t *p, ts_err_t *err);
/* Returns id to the free list. */
void ts_pool_release(ts_pool_t *p, uint32_t id);

/* Grows the pool, when needed, so that n nodes can be live at once without a later
 * ts_pool_alloc growing it (for structures whose hit path takes nodes, such as LFU's
 * frequency buckets). Returns 0, or TS_ENOMEM with the pool unchanged. */
int ts_pool_reserve(ts_pool_t *p, uint32_t n, ts_err_t *err);

static inline void *ts_pool_at(const ts_pool_t *p, uint32_t id)
{
    return p->base + (size_t)id * p->stride;
}

/* Walks the free list (O(nodes); for tests and sim/util/check.h's expensive checks):
 * n_live <= ids handed out <= cap, and the free list holds exactly as many ids as were
 * handed out and are not live, each one handed out before (a longer list means a cycle or
 * an id freed twice). Changes nothing. Returns 0, or TS_EINTERNAL naming the first fault. */
int ts_pool_check(const ts_pool_t *p, ts_err_t *err);

/* Bytes of heap held by the pool. */
static inline size_t ts_pool_bytes(const ts_pool_t *p)
{
    return (size_t)p->cap * p->stride;
}

#endif
