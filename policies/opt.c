/* SPDX-License-Identifier: MIT */
/*
 * opt.c - Belady's OPT (MIN): evict the object whose next request lies furthest ahead.
 *
 * Offline: it reads ts_req_t.next_access (the index of the next request to the same key,
 * TS_REQ_NEVER if none), which the engine fills in a pre-pass (sim/future.h).
 * Decision rule:
 *   on hit:    the object's next use becomes the request's next_access
 *   on insert: the object enters with the request's next_access
 *   on evict:  the object with the largest next use leaves (never-again objects first;
 *              ties broken by heap position, deterministically)
 * With unit sizes (objects mode) this is optimal among demand-fetch policies: no policy
 * that inserts every miss has fewer misses in this tier. A DELETE counts as the key's next
 * use (the engine removes the copy then), and the claim is for one tier on its own: in a
 * hierarchy, each tier sees only the misses of the tiers above it. With variable sizes (bytes mode) it is still
 * Belady's furthest-next-use rule, not size-aware: it is not an optimal variable-size
 * algorithm (such as FOO/PFOO, Berger et al., 2018), only the classic heuristic.
 * Structure: a binary max-heap of (next use, node id) with each node's heap position.
 * Cost: O(log n) for hit, insert, evict and remove; lookup without touch O(1) expected.
 * Hits never allocate (the heap holds one entry per cached object and grows on insert).
 * Paper: Belady, "A study of replacement algorithms for a virtual-storage computer",
 * IBM Systems Journal 5(2), 1966; Mattson et al., 1970, for the optimality proof (MIN).
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "list_internal.h" /* the index and pool helpers; OPT keeps no list */

extern const ts_policy_ops_t ts_policy_opt;

typedef struct opt_node {
    uint64_t key;        /* must be first (ts_ktab) */
    uint64_t size_bytes; /* as inserted */
    uint32_t hpos;       /* index of its entry in the heap */
} opt_node_t;

typedef struct opt_entry {
    uint64_t next; /* request index of the next use, TS_REQ_NEVER if none */
    uint32_t id;   /* its node */
} opt_entry_t;

typedef struct opt {
    ts_policy_t base;  /* must be first */
    ts_pool_t pool;    /* opt_node_t per cached object */
    ts_ktab_t index;   /* key -> node id */
    opt_entry_t *heap; /* max-heap on next; heap[0] is the victim */
    uint32_t n;        /* entries in heap */
    uint32_t cap;      /* entries allocated */
} opt_t;

static inline opt_node_t *opt_node(const opt_t *o, uint32_t id)
{
    return (opt_node_t *)ts_pool_at(&o->pool, id);
}

static int opt_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                      ts_err_t *err)
{
    (void)params;
    *out = NULL;
    opt_t *o = ts_calloc(1, sizeof(*o));
    if (!o)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate opt");
    ts_policy_base_init(&o->base, &ts_policy_opt, init);
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    int rc = ts_pool_init(&o->pool, sizeof(opt_node_t), (uint32_t)hint + 1, err);
    if (rc)
        goto fail;
    rc = ts_ktab_init(&o->index, hint, err);
    if (rc)
        goto fail;
    o->cap = (uint32_t)hint + 1;
    o->heap = ts_malloc((size_t)o->cap * sizeof(*o->heap));
    if (!o->heap) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate a heap of %u entries", o->cap);
        goto fail;
    }
    *out = &o->base;
    return 0;
fail:
    ts_ktab_free(&o->index);
    ts_pool_free_all(&o->pool);
    ts_free(o);
    return rc;
}

static void opt_destroy(ts_policy_t *p)
{
    opt_t *o = (opt_t *)p;
    ts_free(o->heap);
    ts_ktab_free(&o->index);
    ts_pool_free_all(&o->pool);
    ts_free(o);
}

static inline void opt_place(opt_t *o, uint32_t i, opt_entry_t e)
{
    o->heap[i] = e;
    opt_node(o, e.id)->hpos = i;
}

/* Restores the heap order around entry i after its key changed either way. */
static void opt_fix(opt_t *o, uint32_t i)
{
    opt_entry_t e = o->heap[i];
    while (i > 0) {
        uint32_t up = (i - 1) / 2;
        if (o->heap[up].next >= e.next)
            break;
        opt_place(o, i, o->heap[up]);
        i = up;
    }
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= o->n)
            break;
        if (c + 1 < o->n && o->heap[c + 1].next > o->heap[c].next)
            c++;
        if (o->heap[c].next <= e.next)
            break;
        opt_place(o, i, o->heap[c]);
        i = c;
    }
    opt_place(o, i, e);
}

/* Takes entry i out of the heap. */
static void opt_heap_del(opt_t *o, uint32_t i)
{
    TS_ASSERT(i < o->n);
    o->n--;
    if (i == o->n)
        return;
    o->heap[i] = o->heap[o->n];
    opt_fix(o, i);
}

/* A touching hit moves the object's next use to this request's next access. */
static bool opt_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    opt_t *o = (opt_t *)p;
    uint32_t id = ts_ktab_find(&o->index, r->key, o->pool.base, o->pool.stride);
    if (id == TS_KTAB_NONE)
        return false;
    if (touch) {
        uint32_t i = opt_node(o, id)->hpos;
        o->heap[i].next = r->next_access;
        opt_fix(o, i);
    }
    return true;
}

static int opt_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    opt_t *o = (opt_t *)p;
    if (o->n == o->cap) {
        uint64_t ncap = (uint64_t)o->cap + o->cap / 2 + 16;
        if (ncap > UINT32_MAX)
            ncap = UINT32_MAX;
        opt_entry_t *nh = ncap > o->cap ? ts_realloc(o->heap, (size_t)ncap * sizeof(*nh)) : NULL;
        if (!nh)
            return ts_err_set(err, TS_ENOMEM, "cannot grow the opt heap to %llu entries",
                              (unsigned long long)ncap);
        o->heap = nh;
        o->cap = (uint32_t)ncap;
    }
    uint32_t id = ts_pool_alloc(&o->pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (ts_ktab_insert(&o->index, r->key, id, err)) {
        ts_pool_release(&o->pool, id);
        return TS_ENOMEM;
    }
    opt_node_t *n = opt_node(o, id);
    n->key = r->key;
    n->size_bytes = r->size_bytes;
    uint32_t i = o->n++;
    o->heap[i] = (opt_entry_t){.next = r->next_access, .id = id};
    opt_fix(o, i);
    return 0;
}

static void opt_drop(opt_t *o, uint32_t id, ts_victim_t *out)
{
    opt_node_t *n = opt_node(o, id);
    if (out) {
        out->key = n->key;
        out->size_bytes = n->size_bytes;
    }
    opt_heap_del(o, n->hpos);
    int removed = ts_ktab_remove(&o->index, n->key, id);
    TS_ASSERT(removed == 1);
    ts_pool_release(&o->pool, id);
}

/* The root of the max-heap is used furthest in the future (or never). */
static int opt_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    opt_t *o = (opt_t *)p;
    (void)r;
    if (o->n == 0)
        return TS_ENOENT;
    opt_drop(o, o->heap[0].id, out);
    return 0;
}

static bool opt_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    opt_t *o = (opt_t *)p;
    uint32_t id = ts_ktab_find(&o->index, key, o->pool.base, o->pool.stride);
    if (id == TS_KTAB_NONE)
        return false;
    opt_drop(o, id, out);
    return true;
}

/* One heap entry and one index key per object. Walking: the max-heap order, each node's
 * position, the index entries, and the objects' charge. */
static int opt_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    const opt_t *o = (const opt_t *)p;
    int rc = ts__index_check(p, &o->pool, &o->index, o->n, full, err);
    if (rc == 0 && o->n > o->cap)
        rc = ts_err_set(err, TS_EINTERNAL, "opt: %u heap entries in %u", o->n, o->cap);
    if (rc || !full)
        return rc ? rc : ts__held_check(p, o->n, charge, n_objects, charge, err);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < o->n; i++) {
        uint32_t id = o->heap[i].id;
        if (id >= o->pool.cap)
            return ts_err_set(err, TS_EINTERNAL, "opt: heap entry %u names node %u of %u", i,
                              id, o->pool.cap);
        const opt_node_t *nd = opt_node(o, id);
        if (nd->hpos != i || ts_ktab_find(&o->index, nd->key, o->pool.base, o->pool.stride) != id)
            return ts_err_set(err, TS_EINTERNAL,
                              "opt: node %u (key %llu) at heap entry %u says entry %u, or is "
                              "not indexed at its id",
                              id, (unsigned long long)nd->key, i, nd->hpos);
        if (i > 0 && o->heap[(i - 1) / 2].next < o->heap[i].next)
            return ts_err_set(err, TS_EINTERNAL, "opt: heap entry %u is used later than its "
                              "parent", i);
        sum += ts_policy_charge(p, nd->size_bytes);
    }
    return ts__held_check(p, o->n, sum, n_objects, charge, err);
}

static size_t opt_mem_bytes(const ts_policy_t *p)
{
    const opt_t *o = (const opt_t *)p;
    return sizeof(*o) + ts_pool_bytes(&o->pool) + ts_ktab_bytes(&o->index) +
           (size_t)o->cap * sizeof(*o->heap);
}

static void opt_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const opt_t *x = (const opt_t *)p;
    ts__prefetch(&x->index, &x->pool, key, stage);
}

const ts_policy_ops_t ts_policy_opt = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "opt",
             .summary = "Belady's OPT (offline): evicts the object whose next use is furthest "
                        "ahead",
             .flags = TS_POLICY_NEEDS_FUTURE},
    .create = opt_create,
    .destroy = opt_destroy,
    .lookup = opt_lookup,
    .insert = opt_insert,
    .evict = opt_evict,
    .remove = opt_remove,
    .mem_bytes = opt_mem_bytes,
    .prefetch = opt_prefetch,
    .check = opt_check,
};
