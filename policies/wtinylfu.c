/* SPDX-License-Identifier: MIT */
/*
 * wtinylfu.c - W-TinyLFU: a small LRU window in front of a segmented-LRU main cache whose
 * door is kept by a frequency sketch.
 *
 * c is the capacity, |Q| the sum of the charges on Q. The window W targets
 * w = floor(window_ratio * c) (1%), the main cache gets m = c - w, split into a probation
 * segment A and a protected segment P of at most floor(protected_ratio * m) (80%). A
 * count-min sketch (4 rows of 4-bit counters, a power of two >= 4c wide: 16 counters per
 * unit of capacity, as many as Caffeine's FrequencySketch) estimates how often each key was
 * requested recently; after 10c increments every counter is halved and the increment count
 * with it (aging as Caffeine's reset; in bytes mode c / 4096 stands for c).
 * Decision rule (heads most recent):
 *   every request:  the key's count in the sketch goes up by one (hit or miss)
 *   hit in W:       move to W's head
 *   hit in A:       move to P's head; while |P| > its bound, P's tail goes to A's head
 *   hit in P:       move to P's head
 *   insert:         to W's head
 *   evict (x the charge of the object that needs the room; the tier inserts it next):
 *                   loop
 *                     if |W| + x > w: the candidate is W's tail
 *                       if |A| + |P| + candidate <= m: it moves to A's head; again
 *                       victim v = A's tail (P's when A is empty; none: the candidate leaves)
 *                       if est(candidate) > est(v): v leaves, the candidate moves to A's head
 *                       else the candidate leaves
 *                     else A's tail leaves (then P's, then W's)
 * Ties keep the main cache's object, as the paper's TinyLFU admits only a more frequent
 * candidate. The doorkeeper (a Bloom filter in front of the sketch) is not implemented: it
 * saves sketch memory and changes no decision of note.
 * Cost: O(1) expected per request (4 counter updates); evict O(1) amortised (a candidate
 * moves to A once). Memory: a 32-byte node per object plus the sketch, 8 to 16 bytes per
 * unit of capacity in objects mode (4 rows of a power of two >= 4c counters, two a byte).
 * Paper: Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache Admission Policy",
 * ACM Transactions on Storage 13(4), 2017 (W-TinyLFU, section 4); the sketch's size and
 * reset follow the authors' reference implementation, Caffeine (github.com/ben-manes/
 * caffeine, FrequencySketch.java: ensureCapacity, increment, reset).
 */
#include "../sim/policy.h"

#include <stddef.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/rng.h"
#include "list_internal.h"

extern const ts_policy_ops_t ts_policy_wtinylfu;

typedef struct wtinylfu_params {
    double window_ratio;    /* share of the capacity for the LRU window */
    double protected_ratio; /* share of the main cache for the protected segment */
} wtinylfu_params_t;

static const ts_param_spec_t k_wtinylfu_params[] = {
    {.name = "window_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(wtinylfu_params_t, window_ratio),
     .min = 0,
     .max = 1,
     .def = "1%",
     .help = "share of the capacity for the LRU window new objects enter"},
    {.name = "protected_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(wtinylfu_params_t, protected_ratio),
     .min = 0,
     .max = 1,
     .def = "80%",
     .help = "share of the main cache for its protected segment (the rest is probation)"},
};

enum wt_where { WT_W, WT_A, WT_P, WT_NLISTS };

#define WT_ROWS 4
#define WT_MAX_COUNT 15 /* 4-bit counters */

typedef struct wt_node {
    ts__lnode_t ln; /* must be first: key, size, links within its list */
    uint8_t where;  /* wt_where */
} wt_node_t;

typedef struct wtinylfu {
    ts_policy_t base;        /* must be first */
    ts_pool_t pool;          /* wt_node_t per cached object */
    ts_ktab_t index;         /* key -> node id */
    ts__list_t q[WT_NLISTS]; /* W, A (probation), P (protected) */
    uint64_t window;         /* w */
    uint64_t main;           /* m */
    uint64_t prot;           /* most charge P holds */
    uint8_t *sketch;         /* WT_ROWS rows of width 4-bit counters, two to a byte (counter
                                j in byte j / 2, the high half for odd j) */
    uint64_t width_mask;     /* width - 1 */
    uint64_t n_adds;         /* increments since the last halving */
    uint64_t sample;         /* increments between halvings: 10c */
} wtinylfu_t;

static inline wt_node_t *wt_node(const wtinylfu_t *t, uint32_t id)
{
    return (wt_node_t *)ts_pool_at(&t->pool, id);
}

static inline uint64_t wt_charge(const wtinylfu_t *t, const wt_node_t *n)
{
    return ts_policy_charge(&t->base, n->ln.size_bytes);
}

/* The column of key in row i: one 64-bit hash split into four 16-bit-apart slices. */
static inline size_t wt_slot(const wtinylfu_t *t, uint64_t h, int i)
{
    uint64_t x = ts_mix64(h + 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1));
    return (size_t)i * (t->width_mask + 1) + (size_t)(x & t->width_mask);
}

static inline unsigned wt_counter(const wtinylfu_t *t, size_t j)
{
    return (t->sketch[j >> 1] >> ((j & 1) * 4)) & WT_MAX_COUNT;
}

static unsigned wt_estimate(const wtinylfu_t *t, uint64_t key)
{
    unsigned m = WT_MAX_COUNT;
    for (int i = 0; i < WT_ROWS; i++) {
        unsigned v = wt_counter(t, wt_slot(t, key, i));
        m = v < m ? v : m;
    }
    return m;
}

/* Bytes of the sketch: WT_ROWS rows of width counters, two to a byte. */
static inline size_t wt_sketch_bytes(const wtinylfu_t *t)
{
    return (size_t)WT_ROWS * (t->width_mask + 1) / 2;
}

/* Adds one to each of the key's counters (saturating); an add that raised any counter
 * counts towards the sample. At sample adds every counter is halved, and the count of adds
 * with it, less a quarter of the odd counters (the halving's truncation, one of four
 * counters per add), as Caffeine's FrequencySketch.reset: the sketch then stands for half a
 * sample and ages again after about sample / 2 more adds. */
static void wt_increment(wtinylfu_t *t, uint64_t key)
{
    bool added = false;
    for (int i = 0; i < WT_ROWS; i++) {
        size_t j = wt_slot(t, key, i);
        if (wt_counter(t, j) < WT_MAX_COUNT) {
            t->sketch[j >> 1] += (uint8_t)(1u << ((j & 1) * 4));
            added = true;
        }
    }
    if (!added || ++t->n_adds < t->sample)
        return;
    size_t n = wt_sketch_bytes(t);
    uint64_t odd = 0;
    for (size_t j = 0; j < n; j++) {
        uint8_t b = t->sketch[j];
        odd += (b & 1u) + ((b >> 4) & 1u);
        t->sketch[j] = (uint8_t)((b >> 1) & 0x77u);
    }
    odd >>= 2;
    t->n_adds = (t->n_adds > odd ? t->n_adds - odd : 0) >> 1;
}

static void wtinylfu_destroy(ts_policy_t *p)
{
    wtinylfu_t *t = (wtinylfu_t *)p;
    ts_ktab_free(&t->index);
    ts_pool_free_all(&t->pool);
    ts_free(t->sketch);
    ts_free(t);
}

static int wtinylfu_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                           ts_err_t *err)
{
    wtinylfu_params_t wp;
    int rc = 0;
    *out = NULL;
    if (params)
        wp = *(const wtinylfu_params_t *)params;
    else if ((rc = ts_param_defaults(k_wtinylfu_params, TS_PARAM_COUNT(k_wtinylfu_params), &wp,
                                     sizeof(wp), err)) != 0)
        return rc;
    if (!(wp.window_ratio >= 0 && wp.window_ratio <= 1) ||
        !(wp.protected_ratio >= 0 && wp.protected_ratio <= 1))
        return ts_err_set(err, TS_EINVAL,
                          "wtinylfu: window_ratio and protected_ratio must lie in [0, 1]");
    wtinylfu_t *t = ts_calloc(1, sizeof(*t));
    if (!t)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate wtinylfu");
    ts_policy_base_init(&t->base, &ts_policy_wtinylfu, init);
    for (int i = 0; i < WT_NLISTS; i++)
        ts__list_init(&t->q[i]);
    uint64_t c = init->capacity;
    t->window = (uint64_t)(wp.window_ratio * (double)c);
    t->main = c - t->window;
    t->prot = (uint64_t)(wp.protected_ratio * (double)t->main);
    /* The sketch counts keys, not bytes: in bytes mode it is sized for objects of a 4 KiB
     * average size, at most 2^24 columns, and ages after 10 times that many keys. */
    uint64_t keys = init->count_objects ? c : c / 4096;
    t->sample = keys < UINT64_MAX / 10 ? 10 * keys : UINT64_MAX;
    if (t->sample == 0)
        t->sample = 1;
    uint64_t width = 16;
    while (width < 4 * keys && width < (1u << 24))
        width <<= 1;
    t->width_mask = width - 1;
    t->sketch = ts_calloc(WT_ROWS * width / 2, 1);
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    if (!t->sketch) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate wtinylfu's sketch of %llu bytes",
                        (unsigned long long)(WT_ROWS * width / 2));
        goto fail;
    }
    if ((rc = ts_pool_init(&t->pool, sizeof(wt_node_t), (uint32_t)hint + 1, err)) ||
        (rc = ts_ktab_init(&t->index, hint, err)))
        goto fail;
    *out = &t->base;
    return 0;
fail:
    wtinylfu_destroy(&t->base);
    return rc;
}

static void wt_unlink(wtinylfu_t *t, uint32_t id)
{
    wt_node_t *n = wt_node(t, id);
    ts__list_t *q = &t->q[n->where];
    ts__list_unlink(&t->pool, q, id);
    TS_ASSERT(q->charge >= wt_charge(t, n));
    q->charge -= wt_charge(t, n);
}

static void wt_push(wtinylfu_t *t, uint32_t id, int where)
{
    wt_node_t *n = wt_node(t, id);
    n->where = (uint8_t)where;
    ts__list_push_head(&t->pool, &t->q[where], id);
    t->q[where].charge += wt_charge(t, n);
}

static void wt_victim(wtinylfu_t *t, uint32_t id, ts_victim_t *out)
{
    wt_node_t *n = wt_node(t, id);
    if (out) {
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
    }
    wt_unlink(t, id);
    int removed = ts_ktab_remove(&t->index, n->ln.key, id);
    TS_ASSERT(removed == 1);
    ts_pool_release(&t->pool, id);
}

/* Every touching lookup is a request: the sketch counts it, hit or miss. */
static bool wtinylfu_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    wtinylfu_t *t = (wtinylfu_t *)p;
    if (touch)
        wt_increment(t, r->key);
    uint32_t id = ts__find(&t->index, &t->pool, r->key);
    if (id == TS__NIL)
        return false;
    if (!touch)
        return true;
    wt_node_t *n = wt_node(t, id);
    if (n->where != WT_A) {
        ts__list_move_head(&t->pool, &t->q[n->where], id);
        return true;
    }
    wt_unlink(t, id);
    wt_push(t, id, WT_P);
    ts__list_t *pq = &t->q[WT_P];
    while (pq->charge > t->prot && pq->tail != id) {
        uint32_t d = pq->tail;
        wt_unlink(t, d);
        wt_push(t, d, WT_A);
    }
    return true;
}

static int wtinylfu_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    wtinylfu_t *t = (wtinylfu_t *)p;
    uint32_t id = ts_pool_alloc(&t->pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (ts_ktab_insert(&t->index, r->key, id, err)) {
        ts_pool_release(&t->pool, id);
        return TS_ENOMEM;
    }
    wt_node_t *n = wt_node(t, id);
    n->ln.key = r->key;
    n->ln.size_bytes = r->size_bytes;
    wt_push(t, id, WT_W);
    return 0;
}

static int wtinylfu_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    wtinylfu_t *t = (wtinylfu_t *)p;
    ts__list_t *w = &t->q[WT_W], *a = &t->q[WT_A], *pq = &t->q[WT_P];
    /* The incoming object counts as in W already (the tier inserts it after the room is
     * made), so W's overflow meets a full main cache as the paper's does. */
    uint64_t x = r ? ts_policy_charge(&t->base, r->size_bytes) : 0;
    while (w->tail != TS__NIL && w->charge + x > t->window) {
        uint32_t cand = w->tail;
        uint64_t cc = wt_charge(t, wt_node(t, cand));
        if (a->charge + pq->charge + cc <= t->main) {
            wt_unlink(t, cand);
            wt_push(t, cand, WT_A);
            continue;
        }
        uint32_t v = a->tail != TS__NIL ? a->tail : pq->tail;
        if (v != TS__NIL &&
            wt_estimate(t, wt_node(t, cand)->ln.key) > wt_estimate(t, wt_node(t, v)->ln.key)) {
            wt_victim(t, v, out);
            wt_unlink(t, cand);
            wt_push(t, cand, WT_A);
            return 0;
        }
        wt_victim(t, cand, out);
        return 0;
    }
    uint32_t v = a->tail != TS__NIL ? a->tail : pq->tail != TS__NIL ? pq->tail : w->tail;
    if (v == TS__NIL)
        return TS_ENOENT;
    wt_victim(t, v, out);
    return 0;
}

static bool wtinylfu_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    wtinylfu_t *t = (wtinylfu_t *)p;
    uint32_t id = ts__find(&t->index, &t->pool, key);
    if (id == TS__NIL)
        return false;
    wt_victim(t, id, out);
    return true;
}

/* W, A and P hold every cached object once; P stays within its bound after a hit (a
 * lone object larger than the bound excepted). Walking: each list's links, index entries, charge counter and nodes' list tags. */
static int wtinylfu_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                          ts_err_t *err)
{
    static const char *const names[WT_NLISTS] = {"W", "A", "P"};
    const wtinylfu_t *t = (const wtinylfu_t *)p;
    const ts__list_t *q = t->q;
    int rc = ts__held_check(p, q[0].n + q[1].n + q[2].n, q[0].charge + q[1].charge + q[2].charge,
                            n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &t->pool, &t->index, q[0].n + q[1].n + q[2].n, full, err);
    if (rc == 0 && q[WT_P].charge > t->prot && q[WT_P].n > 1)
        rc = ts_err_set(err, TS_EINTERNAL, "wtinylfu: P holds %llu units, over its %llu",
                        (unsigned long long)q[WT_P].charge, (unsigned long long)t->prot);
    for (int i = 0; rc == 0 && full && i < WT_NLISTS; i++) {
        uint64_t sum = 0;
        rc = ts__list_check(p, &t->pool, &t->index, &q[i], names[i], &sum, err);
        if (rc == 0 && sum != q[i].charge)
            rc = ts_err_set(err, TS_EINTERNAL, "wtinylfu: %s counts %llu units, its nodes %llu",
                            names[i], (unsigned long long)q[i].charge, (unsigned long long)sum);
        for (uint32_t id = q[i].head; rc == 0 && id != TS__NIL; id = wt_node(t, id)->ln.next)
            if (wt_node(t, id)->where != i)
                rc = ts_err_set(err, TS_EINTERNAL, "wtinylfu: node %u on %s says list %u", id,
                                names[i], wt_node(t, id)->where);
    }
    return rc;
}

static size_t wtinylfu_mem_bytes(const ts_policy_t *p)
{
    const wtinylfu_t *t = (const wtinylfu_t *)p;
    return sizeof(*t) + ts_pool_bytes(&t->pool) + ts_ktab_bytes(&t->index) + wt_sketch_bytes(t);
}

static void wtinylfu_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const wtinylfu_t *t = (const wtinylfu_t *)p;
    ts__prefetch(&t->index, &t->pool, key, stage);
    if (stage == 0)
        for (int i = 0; i < WT_ROWS; i++)
            __builtin_prefetch(&t->sketch[wt_slot(t, key, i) >> 1]);
}

const ts_policy_ops_t ts_policy_wtinylfu = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "wtinylfu",
             .summary = "W-TinyLFU: 1% LRU window, a frequency sketch admits into a segmented "
                        "LRU",
             .params = k_wtinylfu_params,
             .params_count = TS_PARAM_COUNT(k_wtinylfu_params),
             .params_size = sizeof(wtinylfu_params_t)},
    .create = wtinylfu_create,
    .destroy = wtinylfu_destroy,
    .lookup = wtinylfu_lookup,
    .insert = wtinylfu_insert,
    .evict = wtinylfu_evict,
    .remove = wtinylfu_remove,
    .mem_bytes = wtinylfu_mem_bytes,
    .prefetch = wtinylfu_prefetch,
    .check = wtinylfu_check,
};
