/* SPDX-License-Identifier: MIT */
/*
 * gd.c - the priority heap and the Greedy-Dual base of LFUDA and GDSF (gd_internal.h).
 * Heap operations O(log n); lookup without touch O(1) expected.
 */
#include <stddef.h>

#include "../sim/util/mem.h"
#include "gd_internal.h"

/* ---- heap ---- */

static inline bool heap_less(const ts__hentry_t *a, const ts__hentry_t *b)
{
    return a->prio < b->prio || (a->prio == b->prio && a->tie < b->tie);
}

static inline void heap_place(ts__heap_t *h, uint32_t i, ts__hentry_t e)
{
    h->a[i] = e;
    *(uint32_t *)((char *)ts_pool_at(h->pool, e.id) + h->pos_off) = i;
}

/* Restores the order around entry i after its key changed either way. The heap is 4-ary
 * (children of i: 4i + 1 .. 4i + 4): half the levels of a binary heap for the sinking that
 * evictions do, and a node's children share one or two cache lines. */
static void heap_fix(ts__heap_t *h, uint32_t i)
{
    ts__hentry_t e = h->a[i];
    while (i > 0) {
        uint32_t up = (i - 1) / 4;
        if (!heap_less(&e, &h->a[up]))
            break;
        heap_place(h, i, h->a[up]);
        i = up;
    }
    for (;;) {
        uint32_t c = 4 * i + 1;
        if (c >= h->n)
            break;
        uint32_t end = c + 4 < h->n ? c + 4 : h->n, m = c;
        for (uint32_t j = c + 1; j < end; j++)
            if (heap_less(&h->a[j], &h->a[m]))
                m = j;
        if (!heap_less(&h->a[m], &e))
            break;
        heap_place(h, i, h->a[m]);
        i = m;
    }
    heap_place(h, i, e);
}

int ts__heap_init(ts__heap_t *h, const ts_pool_t *pool, size_t pos_off, uint32_t cap,
                  ts_err_t *err)
{
    h->pool = pool;
    h->pos_off = pos_off;
    h->n = 0;
    h->cap = cap ? cap : 1;
    h->a = ts_malloc((size_t)h->cap * sizeof(*h->a));
    if (!h->a)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a heap of %u entries", h->cap);
    return 0;
}

void ts__heap_fini(ts__heap_t *h)
{
    ts_free(h->a);
    h->a = NULL;
}

int ts__heap_reserve(ts__heap_t *h, uint32_t n, ts_err_t *err)
{
    if (n <= h->cap)
        return 0;
    uint32_t cap = h->cap * 2 > n ? h->cap * 2 : n;
    ts__hentry_t *a = ts_realloc(h->a, (size_t)cap * sizeof(*a));
    if (!a)
        return ts_err_set(err, TS_ENOMEM, "cannot grow a heap to %u entries", cap);
    h->a = a;
    h->cap = cap;
    return 0;
}

void ts__heap_push(ts__heap_t *h, double prio, uint64_t tie, uint32_t id)
{
    TS_ASSERT(h->n < h->cap);
    h->a[h->n] = (ts__hentry_t){.prio = prio, .tie = tie, .id = id};
    heap_fix(h, h->n++);
}

void ts__heap_update(ts__heap_t *h, uint32_t i, double prio, uint64_t tie)
{
    h->a[i].prio = prio;
    h->a[i].tie = tie;
    heap_fix(h, i);
}

void ts__heap_delete(ts__heap_t *h, uint32_t i)
{
    TS_ASSERT(i < h->n);
    if (i == --h->n)
        return;
    h->a[i] = h->a[h->n];
    heap_fix(h, i);
}

int ts__heap_check(const ts_policy_t *p, const ts__heap_t *h, ts_err_t *err)
{
    for (uint32_t i = 0; i < h->n; i++) {
        uint32_t id = h->a[i].id;
        if (id >= h->pool->cap ||
            *(const uint32_t *)((const char *)ts_pool_at(h->pool, id) + h->pos_off) != i)
            return ts_err_set(err, TS_EINTERNAL, "%s: heap entry %u names node %u, not there",
                              p->ops->base.name, i, id);
        if (i > 0 && heap_less(&h->a[i], &h->a[(i - 1) / 4]))
            return ts_err_set(err, TS_EINTERNAL, "%s: heap entry %u is below its parent",
                              p->ops->base.name, i);
    }
    return 0;
}

/* ---- Greedy-Dual base ---- */

static inline ts__gd_node_t *gd_node(const ts__gd_t *g, uint32_t id)
{
    return (ts__gd_node_t *)ts_pool_at(&g->pool, id);
}

/* Sets the node's priority from its count and the current inflation, and its tie. */
static inline void gd_touch(const ts__gd_t *g, ts__gd_node_t *n)
{
    double f = (double)n->freq;
    n->prio = g->inflation +
              (g->by_size ? f / (double)ts_policy_charge(&g->base, n->size_bytes) : f);
    n->tie = g->clock;
}

int ts__gd_create(const ts_policy_ops_t *ops, bool by_size, const ts_policy_init_t *init,
                  ts_policy_t **out, ts_err_t *err)
{
    *out = NULL;
    ts__gd_t *g = ts_calloc(1, sizeof(*g));
    if (!g)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %s", ops->base.name);
    ts_policy_base_init(&g->base, ops, init);
    g->by_size = by_size;
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    int rc = ts_pool_init(&g->pool, sizeof(ts__gd_node_t), (uint32_t)hint + 1, err);
    if (rc)
        goto fail;
    rc = ts_ktab_init(&g->index, hint, err);
    if (rc)
        goto fail;
    rc = ts__heap_init(&g->heap, &g->pool, offsetof(ts__gd_node_t, hpos), (uint32_t)hint + 1,
                       err);
    if (rc)
        goto fail;
    *out = &g->base;
    return 0;
fail:
    ts_ktab_free(&g->index);
    ts_pool_free_all(&g->pool);
    ts_free(g);
    return rc;
}

void ts__gd_destroy(ts_policy_t *p)
{
    ts__gd_t *g = (ts__gd_t *)p;
    ts__heap_fini(&g->heap);
    ts_ktab_free(&g->index);
    ts_pool_free_all(&g->pool);
    ts_free(g);
}

/* A touching hit counts one more request and takes the current inflation; its raised
 * key reaches the heap lazily, at eviction (gd_internal.h). */
bool ts__gd_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    ts__gd_t *g = (ts__gd_t *)p;
    if (touch)
        g->clock++;
    uint32_t id = ts__find(&g->index, &g->pool, r->key);
    if (id == TS__NIL)
        return false;
    if (touch) {
        ts__gd_node_t *n = gd_node(g, id);
        n->freq += n->freq < UINT32_MAX;
        gd_touch(g, n);
    }
    return true;
}

int ts__gd_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    ts__gd_t *g = (ts__gd_t *)p;
    if (ts__heap_reserve(&g->heap, g->heap.n + 1, err))
        return TS_ENOMEM;
    uint32_t id = ts_pool_alloc(&g->pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (ts_ktab_insert(&g->index, r->key, id, err)) {
        ts_pool_release(&g->pool, id);
        return TS_ENOMEM;
    }
    ts__gd_node_t *n = gd_node(g, id);
    n->key = r->key;
    n->size_bytes = r->size_bytes;
    n->freq = 1;
    g->charge += ts_policy_charge(p, r->size_bytes);
    gd_touch(g, n);
    ts__heap_push(&g->heap, n->prio, n->tie, id);
    return 0;
}

static void gd_drop(ts__gd_t *g, uint32_t id, ts_victim_t *out)
{
    ts__gd_node_t *n = gd_node(g, id);
    if (out) {
        out->key = n->key;
        out->size_bytes = n->size_bytes;
    }
    ts__heap_delete(&g->heap, n->hpos);
    TS_ASSERT(g->charge >= ts_policy_charge(&g->base, n->size_bytes));
    g->charge -= ts_policy_charge(&g->base, n->size_bytes);
    int removed = ts_ktab_remove(&g->index, n->key, id);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&g->pool, id);
}

/* The smallest priority leaves and becomes the inflation L; stale tops sink first. */
int ts__gd_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    ts__gd_t *g = (ts__gd_t *)p;
    (void)r;
    if (g->heap.n == 0)
        return TS_ENOENT;
    for (;;) {
        const ts__hentry_t *top = &g->heap.a[0];
        const ts__gd_node_t *n = gd_node(g, top->id);
        if (top->prio == n->prio && top->tie == n->tie)
            break;
        ts__heap_update(&g->heap, 0, n->prio, n->tie);
    }
    g->inflation = g->heap.a[0].prio;
    gd_drop(g, g->heap.a[0].id, out);
    return 0;
}

bool ts__gd_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    ts__gd_t *g = (ts__gd_t *)p;
    uint32_t id = ts__find(&g->index, &g->pool, key);
    if (id == TS__NIL)
        return false;
    gd_drop(g, id, out);
    return true;
}

size_t ts__gd_mem_bytes(const ts_policy_t *p)
{
    const ts__gd_t *g = (const ts__gd_t *)p;
    return sizeof(*g) + ts_pool_bytes(&g->pool) + ts_ktab_bytes(&g->index) +
           (size_t)g->heap.cap * sizeof(ts__hentry_t);
}

void ts__gd_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const ts__gd_t *g = (const ts__gd_t *)p;
    ts__prefetch(&g->index, &g->pool, key, stage);
}

/* One heap entry per object and index key; walking: the heap's order and positions, each
 * entry's key at least L and at most its node's (lazy keys), and the objects' charge. */
int ts__gd_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                 ts_err_t *err)
{
    const ts__gd_t *g = (const ts__gd_t *)p;
    int rc = ts__index_check(p, &g->pool, &g->index, g->heap.n, full, err);
    if (rc || !full)
        return rc ? rc : ts__held_check(p, g->heap.n, g->charge, n_objects, charge, err);
    rc = ts__heap_check(p, &g->heap, err);
    uint64_t sum = 0;
    for (uint32_t i = 0; rc == 0 && i < g->heap.n; i++) {
        const ts__gd_node_t *n = gd_node(g, g->heap.a[i].id);
        sum += ts_policy_charge(p, n->size_bytes);
        const ts__hentry_t *e = &g->heap.a[i];
        if (e->prio < g->inflation || n->freq == 0 || e->prio > n->prio ||
            (e->prio == n->prio && e->tie > n->tie))
            rc = ts_err_set(err, TS_EINTERNAL,
                            "%s: node %u: heap key %g above its own %g, below L = %g, or no "
                            "request", p->ops->base.name, e->id, e->prio, n->prio,
                            g->inflation);
    }
    if (rc == 0 && sum != g->charge)
        rc = ts_err_set(err, TS_EINTERNAL, "%s: counts %llu units, its objects hold %llu",
                        p->ops->base.name, (unsigned long long)g->charge,
                        (unsigned long long)sum);
    return rc ? rc : ts__held_check(p, g->heap.n, sum, n_objects, charge, err);
}
