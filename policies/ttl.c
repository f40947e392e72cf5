/* SPDX-License-Identifier: MIT */
/*
 * ttl.c - expiry-aware LRU: objects whose time to live has run out leave first.
 *
 * Caches of key-value and agent-memory stores hold objects written with a time to live (the
 * TTL column of Twitter's traces, TS_REQ_TTL): once it has run out, the object is dead
 * weight, however recently it was read. So:
 *   on hit:    the object moves to the head of the LRU list; a request that carries a TTL
 *              (a write) sets its expiry again: the request's time + the TTL
 *   on insert: the head of the LRU list; with a TTL, its expiry goes on a min-heap
 *   on evict:  the object that expired first, if any has expired by now (the latest
 *              request time seen); else the LRU tail
 * Objects without a TTL never expire. Without any TTL in the trace the rule is exactly LRU
 * (tested). A tier still serves an expired object it holds (the policy only orders
 * evictions): expiry makes an object the first to go, not a miss. Demoted objects keep
 * what is left of their TTL (the policy asks for request metadata, TS_POLICY_HINTS).
 * Cost: O(1) per access without a TTL, O(log n) with one. Memory: a 48-byte node per
 * object, a 24-byte heap entry per object with a TTL, and the key table's slots.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "gd_internal.h"

extern const ts_policy_ops_t ts_policy_ttl;

typedef struct ttl_node {
    ts__lnode_t ln;  /* must be first: key, size, LRU links */
    uint64_t expiry; /* when its TTL runs out (ns); UINT64_MAX: no TTL */
    uint32_t hpos;   /* its heap entry, TS__NIL without a TTL */
} ttl_node_t;

typedef struct ttl {
    ts__lcache_t lc; /* must be first: index, pool, LRU list (head MRU) */
    ts__heap_t heap; /* objects with a TTL, the earliest expiry at the top */
    uint64_t now;    /* the latest request time seen */
} ttl_t;

static ttl_node_t *ttl_node(const ttl_t *t, uint32_t id)
{
    return (ttl_node_t *)ts_pool_at(&t->lc.pool, id);
}

static int ttl_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                      ts_err_t *err)
{
    (void)params;
    *out = NULL;
    ttl_t *t = ts_calloc(1, sizeof(*t));
    if (!t)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate ttl");
    int rc = ts__lcache_init(&t->lc, &ts_policy_ttl, init, sizeof(ttl_node_t), err);
    if (rc == 0)
        rc = ts__heap_init(&t->heap, &t->lc.pool, offsetof(ttl_node_t, hpos), 1024, err);
    if (rc) {
        ts__lcache_fini(&t->lc);
        ts_free(t);
        return rc;
    }
    *out = &t->lc.base;
    return 0;
}

static void ttl_destroy(ts_policy_t *p)
{
    ttl_t *t = (ttl_t *)p;
    ts__heap_fini(&t->heap);
    ts__lcache_fini(&t->lc);
    ts_free(t);
}

/* The request's time moves the clock on (never back). */
static void ttl_tick(ttl_t *t, const ts_req_t *r)
{
    if (r->time_ns > t->now)
        t->now = r->time_ns;
}

/* Node id takes r's TTL, when r carries one: its expiry, on the heap. The heap has room. */
static void ttl_set(ttl_t *t, uint32_t id, const ts_req_t *r)
{
    if (!(r->flags & TS_REQ_TTL))
        return;
    ttl_node_t *n = ttl_node(t, id);
    n->expiry = r->idle_ns > UINT64_MAX - 1 - t->now ? UINT64_MAX - 1 : t->now + r->idle_ns;
    if (n->hpos == TS__NIL)
        ts__heap_push(&t->heap, (double)n->expiry, n->expiry, id);
    else
        ts__heap_update(&t->heap, n->hpos, (double)n->expiry, n->expiry);
}

static bool ttl_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    ttl_t *t = (ttl_t *)p;
    uint32_t id = ts__find(&t->lc.index, &t->lc.pool, r->key);
    if (id == TS__NIL || !touch)
        return id != TS__NIL;
    ttl_tick(t, r);
    ts__list_move_head(&t->lc.pool, &t->lc.list, id);
    ttl_set(t, id, r); /* the heap holds a slot for every cached object: no allocation */
    return true;
}

static int ttl_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    ttl_t *t = (ttl_t *)p;
    ttl_tick(t, r);
    int rc = ts__heap_reserve(&t->heap, (uint32_t)(t->lc.list.n + 1), err);
    if (rc)
        return rc;
    uint32_t id = ts__lcache_add(&t->lc, r, err);
    if (id == TS__NIL)
        return TS_ENOMEM;
    ttl_node_t *n = ttl_node(t, id);
    n->expiry = UINT64_MAX;
    n->hpos = TS__NIL;
    ttl_set(t, id, r);
    return 0;
}

static void ttl_drop(ttl_t *t, uint32_t id, ts_victim_t *out)
{
    ttl_node_t *n = ttl_node(t, id);
    if (n->hpos != TS__NIL)
        ts__heap_delete(&t->heap, n->hpos);
    ts__lcache_drop(&t->lc, id, out);
}

static int ttl_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    ttl_t *t = (ttl_t *)p;
    ttl_tick(t, r);
    if (t->lc.list.tail == TS__NIL)
        return TS_ENOENT;
    uint32_t id = t->lc.list.tail;
    if (t->heap.n && ttl_node(t, t->heap.a[0].id)->expiry <= t->now)
        id = t->heap.a[0].id; /* expired: it goes first */
    ttl_drop(t, id, out);
    return 0;
}

static bool ttl_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    ttl_t *t = (ttl_t *)p;
    uint32_t id = ts__find(&t->lc.index, &t->lc.pool, key);
    if (id == TS__NIL)
        return false;
    ttl_drop(t, id, out);
    return true;
}

static size_t ttl_mem_bytes(const ts_policy_t *p)
{
    const ttl_t *t = (const ttl_t *)p;
    return ts__lcache_mem(&t->lc, sizeof(ttl_t)) + (size_t)t->heap.cap * sizeof(*t->heap.a);
}

/* The LRU base's checks, and the heap: in order, holding exactly the objects with a TTL. */
static int ttl_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    const ttl_t *t = (const ttl_t *)p;
    int rc = ts__lcache_check(p, n_objects, charge, full, err);
    if (rc || !full)
        return rc;
    if ((rc = ts__heap_check(p, &t->heap, err)) != 0)
        return rc;
    uint64_t with_ttl = 0;
    for (uint32_t id = t->lc.list.head; id != TS__NIL; id = ttl_node(t, id)->ln.next)
        with_ttl += ttl_node(t, id)->hpos != TS__NIL;
    if (with_ttl != t->heap.n)
        return ts_err_set(err, TS_EINTERNAL, "ttl: %llu objects have a TTL, the heap holds %u",
                          (unsigned long long)with_ttl, t->heap.n);
    return 0;
}

const ts_policy_ops_t ts_policy_ttl = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "ttl",
             .summary = "expiry-aware LRU: objects whose time to live has run out (TS_REQ_TTL, "
                        "Twitter's TTL column) leave first; else the least recently used",
             .flags = TS_POLICY_HINTS},
    .create = ttl_create,
    .destroy = ttl_destroy,
    .lookup = ttl_lookup,
    .insert = ttl_insert,
    .evict = ttl_evict,
    .remove = ttl_remove,
    .mem_bytes = ttl_mem_bytes,
    .prefetch = ts__lcache_prefetch,
    .check = ttl_check,
};
