/* SPDX-License-Identifier: MIT */
/*
 * lruk.c - LRU-K: evict the object whose K-th most recent request is oldest.
 *
 * now counts the requests this policy has seen; each key keeps HIST(1..K), the times of
 * its K most recent requests (K = `k`, default 2), and refs, how many it has (up to K).
 * The backward K-distance of an object is now - HIST(K), infinite with fewer than K refs.
 * Decision rule:
 *   on hit:    shift the history: HIST(i) = HIST(i-1), HIST(1) = now
 *   on insert: the same, on the history retained for the key if it has one, else a fresh
 *              one with HIST(1) = now
 *   on evict:  among objects with fewer than K refs (infinite distance), the least recently
 *              used (subsidiary LRU); if none, the smallest HIST(K) (largest distance).
 *              The victim's history is retained: its key goes to the head of a ghost FIFO
 *              holding at most history_ratio * capacity of charge (default 100%)
 * K = 1 is LRU. The paper retains history for a Retained Information Period of time; a
 * ghost FIFO bounded by charge keeps the same information with bounded memory (the
 * keys evicted most recently). The Correlated Reference Period is 0: every request counts.
 * libCacheSim has no LRU-K (its LRU_K.cpp is empty), so tiersim's tests pin it by hand and
 * by K = 1 being LRU.
 * Structure: an LRU list of objects with fewer than K refs, a min-heap on HIST(K) of the
 * others (gd_internal.h), a ghost list. Cost: O(1) expected for objects with fewer than K
 * refs, O(log n) for the others. Memory: a 64-byte node per cached or ghost key and a
 * 24-byte heap entry per object with K refs.
 * Paper: O'Neil, O'Neil, Weikum, "The LRU-K page replacement algorithm for database disk
 * buffering", SIGMOD 1993.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "gd_internal.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_lruk;

#define LRUK_MAX_K 4

typedef struct lruk_params {
    int64_t k;            /* history depth K */
    double history_ratio; /* ghost history, share of the capacity */
} lruk_params_t;

static const ts_param_spec_t k_lruk_params[] = {
    {.name = "k",
     .type = TS_PT_INT,
     .offset = offsetof(lruk_params_t, k),
     .min = 1,
     .max = LRUK_MAX_K,
     .def = "2",
     .help = "the K of LRU-K: evict by the time of the K-th most recent request"},
    {.name = "history_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(lruk_params_t, history_ratio),
     .min = 0,
     .max = 10,
     .def = "100%",
     .help = "charge of evicted keys whose history is retained, as a share of the capacity"},
};

enum lruk_list { LK_YOUNG, LK_OLD, LK_GHOST, LK_NLISTS };
static const char *const k_lruk_names[LK_NLISTS] = {"young", "old", "ghost"};

typedef struct lruk_node {
    ts__qnode_t q;               /* must be first: cnt = refs, aux = heap position */
    uint64_t hist[LRUK_MAX_K];   /* hist[i] = HIST(i + 1) */
} lruk_node_t;

typedef struct lruk {
    ts__mq_t m;         /* must be first: index, pool, young (LRU), old, ghost (FIFO) */
    ts__heap_t heap;    /* the old objects by HIST(K) */
    uint64_t now;       /* touching lookups so far */
    uint64_t ghost_cap; /* most charge the ghost list keeps */
    uint8_t k;          /* K */
} lruk_t;

static inline lruk_node_t *lruk_node(const lruk_t *l, uint32_t id)
{
    return (lruk_node_t *)ts_pool_at(&l->m.pool, id);
}

static int lruk_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                       ts_err_t *err)
{
    lruk_params_t lp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_lruk, params, &lp, sizeof(lp), err);
    if (rc)
        return rc;
    if (lp.k < 1 || lp.k > LRUK_MAX_K || !(lp.history_ratio >= 0 && lp.history_ratio <= 10))
        return ts_err_set(err, TS_EINVAL, "lruk: k must lie in 1..%d and history_ratio in "
                          "[0, 10]", LRUK_MAX_K);
    lruk_t *l = ts_calloc(1, sizeof(*l));
    if (!l)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate lruk");
    rc = ts__mq_init(&l->m, &ts_policy_lruk, init, sizeof(lruk_node_t), LK_NLISTS,
                     1u << LK_YOUNG | 1u << LK_OLD, k_lruk_names, 2, err);
    if (rc) {
        ts_free(l);
        return rc;
    }
    uint64_t hint = init->count_objects && init->capacity < (1u << 25) ? init->capacity : 1024;
    rc = ts__heap_init(&l->heap, &l->m.pool, offsetof(ts__qnode_t, aux), (uint32_t)hint + 1, err);
    if (rc) {
        ts__mq_fini(&l->m);
        ts_free(l);
        return rc;
    }
    l->k = (uint8_t)lp.k;
    l->ghost_cap = (uint64_t)((double)init->capacity * lp.history_ratio);
    *out = &l->m.base;
    return 0;
}

static void lruk_destroy(ts_policy_t *p)
{
    lruk_t *l = (lruk_t *)p;
    ts__heap_fini(&l->heap);
    ts__mq_fini(&l->m);
    ts_free(l);
}

/* Records a request at now in node id's history. */
static void lruk_record(lruk_t *l, uint32_t id)
{
    lruk_node_t *n = lruk_node(l, id);
    for (int i = l->k - 1; i > 0; i--)
        n->hist[i] = n->hist[i - 1];
    n->hist[0] = l->now;
    if (n->q.cnt < l->k)
        n->q.cnt++;
}

/* Places node id (on no list, history recorded) by its refs: LRU head or the heap. */
static void lruk_place(lruk_t *l, uint32_t id)
{
    lruk_node_t *n = lruk_node(l, id);
    if (n->q.cnt < l->k) {
        ts__mq_push(&l->m, id, LK_YOUNG);
        return;
    }
    ts__mq_push(&l->m, id, LK_OLD);
    ts__heap_push(&l->heap, (double)n->hist[l->k - 1], 0, id);
}

static bool lruk_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    lruk_t *l = (lruk_t *)p;
    if (touch)
        l->now++;
    uint32_t id = ts__find(&l->m.index, &l->m.pool, r->key);
    if (id == TS__NIL)
        return false;
    lruk_node_t *n = lruk_node(l, id);
    if (n->q.where == LK_GHOST)
        return false;
    if (!touch)
        return true;
    lruk_record(l, id); /* an old object's raised HIST(K) reaches the heap lazily */
    if (n->q.where == LK_OLD)
        return true;
    if (n->q.cnt < l->k)
        ts__list_move_head(&l->m.pool, &l->m.q[LK_YOUNG], id);
    else {
        ts__mq_unlink(&l->m, id);
        lruk_place(l, id); /* the heap has room for every cached object */
    }
    return true;
}

static int lruk_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    lruk_t *l = (lruk_t *)p;
    uint64_t cached = l->m.q[LK_YOUNG].n + l->m.q[LK_OLD].n;
    if (ts__heap_reserve(&l->heap, (uint32_t)cached + 1, err))
        return TS_ENOMEM;
    uint32_t id = ts__find(&l->m.index, &l->m.pool, r->key);
    if (id != TS__NIL) { /* a ghost: its history is retained */
        ts__mq_unlink(&l->m, id);
        lruk_node(l, id)->q.ln.size_bytes = r->size_bytes;
    } else {
        id = ts__mq_add(&l->m, r, LK_GHOST, err); /* zeroed; placed below */
        if (id == TS__NIL)
            return TS_ENOMEM;
        ts__mq_unlink(&l->m, id);
    }
    lruk_record(l, id);
    lruk_place(l, id);
    return 0;
}

/* The victim's node stays as a ghost with its history (or goes when none is kept). */
static int lruk_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    lruk_t *l = (lruk_t *)p;
    (void)r;
    uint32_t id = l->m.q[LK_YOUNG].tail;
    if (id == TS__NIL) {
        if (l->heap.n == 0)
            return TS_ENOENT;
        /* Stale tops (hit since they were placed) sink first (gd_internal.h). */
        while ((double)lruk_node(l, l->heap.a[0].id)->hist[l->k - 1] != l->heap.a[0].prio)
            ts__heap_update(&l->heap, 0, (double)lruk_node(l, l->heap.a[0].id)->hist[l->k - 1],
                            0);
        id = l->heap.a[0].id;
        ts__heap_delete(&l->heap, 0);
    }
    lruk_node_t *n = lruk_node(l, id);
    out->key = n->q.ln.key;
    out->size_bytes = n->q.ln.size_bytes;
    ts__mq_move(&l->m, id, LK_GHOST);
    ts__mq_trim(&l->m, LK_GHOST, l->ghost_cap);
    return 0;
}

static bool lruk_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    lruk_t *l = (lruk_t *)p;
    uint32_t id = ts__find(&l->m.index, &l->m.pool, key);
    if (id == TS__NIL || lruk_node(l, id)->q.where == LK_GHOST)
        return false;
    if (lruk_node(l, id)->q.where == LK_OLD)
        ts__heap_delete(&l->heap, lruk_node(l, id)->q.aux);
    ts__mq_drop(&l->m, id, out);
    return true;
}

static size_t lruk_mem_bytes(const ts_policy_t *p)
{
    const lruk_t *l = (const lruk_t *)p;
    return ts__mq_mem(&l->m, sizeof(*l)) + (size_t)l->heap.cap * sizeof(ts__hentry_t);
}

/* The mq checks; the heap holds exactly the old objects, in order; refs match the list
 * (young < K, old = K); the ghost list within its share. */
static int lruk_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                      ts_err_t *err)
{
    const lruk_t *l = (const lruk_t *)p;
    int rc = ts__mq_check(p, n_objects, charge, full, err);
    if (rc == 0 && (l->heap.n != l->m.q[LK_OLD].n || l->m.q[LK_GHOST].charge > l->ghost_cap))
        rc = ts_err_set(err, TS_EINTERNAL,
                        "lruk: heap of %u for %llu old objects; ghosts %llu units of %llu",
                        l->heap.n, (unsigned long long)l->m.q[LK_OLD].n,
                        (unsigned long long)l->m.q[LK_GHOST].charge,
                        (unsigned long long)l->ghost_cap);
    if (rc || !full)
        return rc;
    rc = ts__heap_check(p, &l->heap, err);
    for (uint32_t i = 0; rc == 0 && i < l->heap.n; i++)
        if (l->heap.a[i].prio > (double)lruk_node(l, l->heap.a[i].id)->hist[l->k - 1])
            rc = ts_err_set(err, TS_EINTERNAL, "lruk: heap entry %u is above its node's HIST(K)",
                            i);
    for (uint32_t w = LK_YOUNG; rc == 0 && w <= LK_OLD; w++)
        for (uint32_t id = l->m.q[w].head; rc == 0 && id != TS__NIL;
             id = lruk_node(l, id)->q.ln.next)
            if ((lruk_node(l, id)->q.cnt < l->k) != (w == LK_YOUNG))
                rc = ts_err_set(err, TS_EINTERNAL, "lruk: node %u with %u refs is on %s", id,
                                lruk_node(l, id)->q.cnt, k_lruk_names[w]);
    return rc;
}

const ts_policy_ops_t ts_policy_lruk = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "lruk",
             .summary = "LRU-K (K = 2): evicts the oldest K-th most recent request; fewer than "
                        "K requests go first, by LRU; retains evicted keys' history",
             .params = k_lruk_params,
             .params_count = TS_PARAM_COUNT(k_lruk_params),
             .params_size = sizeof(lruk_params_t)},
    .create = lruk_create,
    .destroy = lruk_destroy,
    .lookup = lruk_lookup,
    .insert = lruk_insert,
    .evict = lruk_evict,
    .remove = lruk_remove,
    .mem_bytes = lruk_mem_bytes,
    .prefetch = ts__mq_prefetch,
    .check = lruk_check,
};
