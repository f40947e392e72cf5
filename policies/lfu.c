/* SPDX-License-Identifier: MIT */
/*
 * lfu.c - Least Frequently Used eviction in O(1) with frequency buckets.
 *
 * Decision rule:
 *   on hit:    freq += 1; the object moves to the head of the bucket for its new frequency
 *   on insert: freq = 1; the object goes to the head of the bucket for frequency 1
 *   on evict:  in the bucket of the lowest frequency, the tail leaves: among the least
 *              frequently used objects, the least recently used one (ties go to LRU)
 * Frequencies count only while an object is cached ("in-cache LFU"): an evicted object
 * that comes back starts again at 1. This is not perfect LFU, which would remember the
 * counts of every key ever seen.
 * Structure: a list of buckets in increasing frequency; each bucket holds the list of its
 * objects, most recent at the head. A hit moves its object to the next bucket, creating
 * it (or renumbering the old bucket when the object was alone) when the next frequency is
 * missing, and frees a bucket that empties. Cost: O(1) expected for every operation.
 * The bucket pool is kept at least as large as the population (buckets <= objects), so
 * hits never allocate. Memory: a 32-byte node per object and at most one 40-byte bucket.
 * Paper: Shah, Mitra, Matani, "An O(1) algorithm for implementing the LFU cache eviction
 * scheme", 2010.
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "list_internal.h"

extern const ts_policy_ops_t ts_policy_lfu;

typedef struct lfu_node {
    ts__lnode_t ln;  /* must be first: key, size, links within its bucket */
    uint32_t bucket; /* id of its bucket in bpool */
} lfu_node_t;

typedef struct lfu_bucket {
    uint64_t freq;    /* access count of every object in it */
    uint32_t lower;   /* bucket of the next lower frequency, TS__NIL for the lowest */
    uint32_t higher;  /* bucket of the next higher frequency, TS__NIL for the highest */
    ts__list_t items; /* its objects, head most recently used */
} lfu_bucket_t;

typedef struct lfu {
    ts_policy_t base; /* must be first */
    ts_pool_t pool;   /* lfu_node_t per cached object */
    ts_ktab_t index;  /* key -> node id */
    ts_pool_t bpool;  /* lfu_bucket_t; cap >= objects, so a hit never grows it */
    uint32_t lowest;  /* bucket of the lowest frequency, TS__NIL when empty */
} lfu_t;

static inline lfu_node_t *lfu_node(const lfu_t *l, uint32_t id)
{
    return (lfu_node_t *)ts_pool_at(&l->pool, id);
}

static inline lfu_bucket_t *lfu_bucket(const lfu_t *l, uint32_t id)
{
    return (lfu_bucket_t *)ts_pool_at(&l->bpool, id);
}

static int lfu_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                      ts_err_t *err)
{
    (void)params;
    *out = NULL;
    lfu_t *l = ts_calloc(1, sizeof(*l));
    if (!l)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate lfu");
    ts_policy_base_init(&l->base, &ts_policy_lfu, init);
    l->lowest = TS__NIL;
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    int rc = ts_pool_init(&l->pool, sizeof(lfu_node_t), (uint32_t)hint + 1, err);
    if (rc)
        goto fail;
    rc = ts_pool_init(&l->bpool, sizeof(lfu_bucket_t), (uint32_t)hint + 1, err);
    if (rc)
        goto fail;
    rc = ts_ktab_init(&l->index, hint, err);
    if (rc)
        goto fail;
    *out = &l->base;
    return 0;
fail:
    ts_pool_free_all(&l->bpool);
    ts_pool_free_all(&l->pool);
    ts_free(l);
    return rc;
}

static void lfu_destroy(ts_policy_t *p)
{
    lfu_t *l = (lfu_t *)p;
    ts_ktab_free(&l->index);
    ts_pool_free_all(&l->bpool);
    ts_pool_free_all(&l->pool);
    ts_free(l);
}

/* A new empty bucket of frequency freq linked between lower and higher (either may be
 * TS__NIL). Never grows bpool when live buckets < bpool.cap; TS__NIL otherwise. */
static uint32_t lfu_bucket_new(lfu_t *l, uint64_t freq, uint32_t lower, uint32_t higher,
                               ts_err_t *err)
{
    uint32_t b = ts_pool_alloc(&l->bpool, err);
    if (b == TS_POOL_NONE)
        return TS__NIL;
    lfu_bucket_t *bk = lfu_bucket(l, b);
    bk->freq = freq;
    bk->lower = lower;
    bk->higher = higher;
    ts__list_init(&bk->items);
    if (lower != TS__NIL)
        lfu_bucket(l, lower)->higher = b;
    else
        l->lowest = b;
    if (higher != TS__NIL)
        lfu_bucket(l, higher)->lower = b;
    return b;
}

/* Unlinks node id from its bucket and frees the bucket if it empties. */
static void lfu_detach(lfu_t *l, uint32_t id)
{
    uint32_t b = lfu_node(l, id)->bucket;
    lfu_bucket_t *bk = lfu_bucket(l, b);
    ts__list_unlink(&l->pool, &bk->items, id);
    if (bk->items.n)
        return;
    if (bk->lower != TS__NIL)
        lfu_bucket(l, bk->lower)->higher = bk->higher;
    else
        l->lowest = bk->higher;
    if (bk->higher != TS__NIL)
        lfu_bucket(l, bk->higher)->lower = bk->lower;
    ts_pool_release(&l->bpool, b);
}

/* Unlinks node id, unindexes and frees it, reporting it in out (may be NULL). */
static void lfu_drop(lfu_t *l, uint32_t id, ts_victim_t *out)
{
    lfu_node_t *n = lfu_node(l, id);
    if (out) {
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
    }
    lfu_detach(l, id);
    int removed = ts_ktab_remove(&l->index, n->ln.key, id);
    TS_ASSERT(removed == 1);
    ts_pool_release(&l->pool, id);
}

/* A touching hit moves the object one frequency up, to the head of that bucket. */
static bool lfu_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    lfu_t *l = (lfu_t *)p;
    uint32_t id = ts__find(&l->index, &l->pool, r->key);
    if (id == TS__NIL)
        return false;
    if (!touch)
        return true;
    lfu_node_t *n = lfu_node(l, id);
    uint32_t b = n->bucket;
    lfu_bucket_t *bk = lfu_bucket(l, b);
    uint64_t f = bk->freq + 1;
    uint32_t next = bk->higher;
    if (next == TS__NIL || lfu_bucket(l, next)->freq != f) {
        if (bk->items.n == 1) {
            /* Alone in its bucket and freq + 1 is free: renumber the bucket in place. */
            bk->freq = f;
            ts__list_move_head(&l->pool, &bk->items, id);
            return true;
        }
        /* Cannot fail: live buckets < objects <= bpool.cap (see lfu_insert). */
        next = lfu_bucket_new(l, f, b, next, NULL);
        if (TS_NEVER(next == TS__NIL))
            return true;
    }
    lfu_detach(l, id);
    ts__list_push_head(&l->pool, &lfu_bucket(l, next)->items, id);
    n->bucket = next;
    return true;
}

/* The new object joins the frequency-1 bucket, created at the low end when missing. */
static int lfu_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    lfu_t *l = (lfu_t *)p;
    /* Keep bpool.cap >= objects so that hits never allocate a bucket. */
    if (ts_pool_reserve(&l->bpool, l->pool.n_live + 1, err))
        return TS_ENOMEM;
    uint32_t id = ts_pool_alloc(&l->pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (ts_ktab_insert(&l->index, r->key, id, err)) {
        ts_pool_release(&l->pool, id);
        return TS_ENOMEM;
    }
    uint32_t b = l->lowest;
    if (b == TS__NIL || lfu_bucket(l, b)->freq != 1) {
        b = lfu_bucket_new(l, 1, TS__NIL, b, err);
        if (b == TS__NIL) {
            ts_ktab_remove(&l->index, r->key, id);
            ts_pool_release(&l->pool, id);
            return TS_ENOMEM;
        }
    }
    lfu_node_t *n = lfu_node(l, id);
    n->ln.key = r->key;
    n->ln.size_bytes = r->size_bytes;
    n->bucket = b;
    ts__list_push_head(&l->pool, &lfu_bucket(l, b)->items, id);
    return 0;
}

/* The least recently used object of the lowest-frequency bucket leaves. */
static int lfu_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    lfu_t *l = (lfu_t *)p;
    (void)r;
    if (l->lowest == TS__NIL)
        return TS_ENOENT;
    lfu_drop(l, lfu_bucket(l, l->lowest)->items.tail, out);
    return 0;
}

static bool lfu_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    lfu_t *l = (lfu_t *)p;
    uint32_t id = ts__find(&l->index, &l->pool, key);
    if (id == TS__NIL)
        return false;
    lfu_drop(l, id, out);
    return true;
}

/* One index key per object, at most one bucket per object and room for one more (hits never
 * allocate), no buckets exactly when no objects. Walking: buckets from the lowest in
 * strictly increasing frequency with consistent links, none empty, every object's bucket
 * field naming the bucket it is on, and the objects' charge. */
static int lfu_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    const lfu_t *l = (const lfu_t *)p;
    uint64_t n = l->pool.n_live;
    int rc = ts__index_check(p, &l->pool, &l->index, n, full, err);
    if (rc == 0 && (l->bpool.n_live > n || l->bpool.cap < n || (l->lowest == TS__NIL) != (n == 0)))
        rc = ts_err_set(err, TS_EINTERNAL,
                        "lfu: %u buckets (room for %u) for %llu objects, lowest bucket %u",
                        l->bpool.n_live, l->bpool.cap, (unsigned long long)n, l->lowest);
    if (rc || !full)
        return rc ? rc : ts__held_check(p, n, charge, n_objects, charge, err);
    uint64_t n_seen = 0, sum = 0, n_buckets = 0;
    uint32_t lower = TS__NIL;
    for (uint32_t b = l->lowest; rc == 0 && b != TS__NIL; b = lfu_bucket(l, b)->higher) {
        const lfu_bucket_t *bk = lfu_bucket(l, b);
        if (++n_buckets > l->bpool.n_live || bk->lower != lower || bk->items.n == 0 ||
            (lower != TS__NIL && lfu_bucket(l, lower)->freq >= bk->freq))
            return ts_err_set(err, TS_EINTERNAL,
                              "lfu: bucket %u (frequency %llu, %llu objects) is out of order, "
                              "empty or one too many",
                              b, (unsigned long long)bk->freq, (unsigned long long)bk->items.n);
        rc = ts__list_check(p, &l->pool, &l->index, &bk->items, "bucket", &sum, err);
        for (uint32_t id = bk->items.head; rc == 0 && id != TS__NIL; id = lfu_node(l, id)->ln.next)
            if (lfu_node(l, id)->bucket != b)
                rc = ts_err_set(err, TS_EINTERNAL, "lfu: node %u on bucket %u names bucket %u",
                                id, b, lfu_node(l, id)->bucket);
        n_seen += bk->items.n;
        lower = b;
    }
    if (rc == 0 && (n_seen != n || n_buckets != l->bpool.n_live))
        rc = ts_err_set(err, TS_EINTERNAL, "lfu: buckets hold %llu objects in %llu buckets, "
                        "the pools %llu in %u", (unsigned long long)n_seen,
                        (unsigned long long)n_buckets, (unsigned long long)n, l->bpool.n_live);
    return rc ? rc : ts__held_check(p, n, sum, n_objects, charge, err);
}

static size_t lfu_mem_bytes(const ts_policy_t *p)
{
    const lfu_t *l = (const lfu_t *)p;
    return sizeof(*l) + ts_pool_bytes(&l->pool) + ts_pool_bytes(&l->bpool) +
           ts_ktab_bytes(&l->index);
}

static void lfu_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const lfu_t *x = (const lfu_t *)p;
    ts__prefetch(&x->index, &x->pool, key, stage);
}

const ts_policy_ops_t ts_policy_lfu = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "lfu",
             .summary = "least frequently used (in-cache counts), ties to the least recently "
                        "used; O(1)"},
    .create = lfu_create,
    .destroy = lfu_destroy,
    .lookup = lfu_lookup,
    .insert = lfu_insert,
    .evict = lfu_evict,
    .remove = lfu_remove,
    .mem_bytes = lfu_mem_bytes,
    .prefetch = lfu_prefetch,
    .check = lfu_check,
};
