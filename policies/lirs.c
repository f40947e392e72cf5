/* SPDX-License-Identifier: MIT */
/*
 * lirs.c - LIRS, Low Inter-reference Recency Set replacement.
 *
 * Blocks are LIR (low inter-reference recency: always cached) or HIR. c is the capacity,
 * Lhirs = max(1, floor(hir_ratio * c)) (default 1%, the paper's choice), Llirs = c - Lhirs,
 * |X| the sum of the charges on X. Stack S holds LIR blocks and HIR blocks (resident or
 * not) in recency order, its bottom always an LIR block; list Q holds the resident HIR
 * blocks, the next victim at its front. Heads are newest: S's top and Q's end.
 * Decision rule (x the requested block):
 *   hit, x LIR:               x to the top of S; prune if x was at the bottom
 *   hit, x HIR in S:          x to the top of S and LIR, out of Q; while |LIR| > Llirs the
 *                             bottom LIR of S becomes HIR at the end of Q; prune
 *   hit, x HIR not in S:      x to the top of S and to the end of Q (it stays HIR)
 *   evict:                    the front of Q leaves; if it is in S it stays there as a
 *                             non-resident HIR (ghost). Q empty: the bottom LIR of S leaves
 *   insert x, a ghost in S:   x to the top of S and LIR; demote bottom LIRs as on a hit
 *   insert x, new:            |LIR| + x <= Llirs: LIR at the top of S (the cache filling);
 *                             else HIR at the top of S and the end of Q
 *   prune:                    while the bottom of S is HIR, it leaves S (a ghost is dropped)
 *   bound:                    while |S| > stack_ratio * c (default 2c, as libCacheSim's),
 *                             the oldest ghost (first made non-resident) is dropped
 * Ghosts sit on list N in the order they became non-resident; they share Q's links (a
 * block is on Q or N, never both). In objects mode this is the paper's algorithm; bytes mode
 * (a generalisation) bounds the charges of the LIR set and of S.
 * Cost: O(1) expected per operation; pruning is amortised O(1) (each block enters S once
 * per request). Memory: a 32-byte node per resident or ghost block (status bits in the top
 * of the size field), index slots of about 11-23 bytes each.
 * Paper: Jiang, Zhang, "LIRS: An Efficient Low Inter-reference Recency Set Replacement
 * Policy to Improve Buffer Cache Performance", SIGMETRICS 2002.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_lirs;

typedef struct lirs_params {
    double hir_ratio;   /* share of the capacity for resident HIR blocks (Lhirs) */
    double stack_ratio; /* most charge S holds, ghosts included, as a share of capacity */
} lirs_params_t;

static const ts_param_spec_t k_lirs_params[] = {
    {.name = "hir_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(lirs_params_t, hir_ratio),
     .min = 0,
     .max = 1,
     .def = "1%",
     .help = "share of the capacity for resident HIR blocks (Lhirs, at least one unit)"},
    {.name = "stack_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(lirs_params_t, stack_ratio),
     .min = 1,
     .max = 100,
     .def = "200%",
     .help = "most charge stack S keeps, non-resident HIR blocks included, as a share of "
             "the capacity; beyond it the oldest non-resident blocks are dropped"},
};

/* Status bits in the top of a node's size field. */
#define LIRS_LIR (1ull << 63)        /* an LIR block */
#define LIRS_RES (1ull << 62)        /* resident: LIR, or HIR on Q */
#define LIRS_IN_S (1ull << 61)       /* on stack S */
#define LIRS_SIZE ((1ull << 61) - 1) /* the size in bytes */

typedef struct lirs_node {
    ts__lnode_t s;   /* key, size | status bits, links in S */
    uint32_t q_prev; /* links on Q (resident HIR) or N (ghost), TS__NIL at the ends */
    uint32_t q_next;
} lirs_node_t;

typedef struct lirs {
    ts__lcache_t lc;     /* must be first: index, pool, stack S (lc.list, head = top) */
    ts__list_t q;        /* resident HIR blocks, head = end (newest), tail = front */
    ts__list_t nr;       /* ghosts (non-resident HIR in S), head = newest */
    uint64_t lir_charge; /* |LIR| */
    uint64_t n_lir;      /* LIR blocks */
    uint64_t lir_max;    /* Llirs */
    uint64_t stack_max;  /* most charge S keeps while it holds ghosts */
} lirs_t;

static inline lirs_node_t *lirs_n(const lirs_t *l, uint32_t id)
{
    return (lirs_node_t *)ts_pool_at(&l->lc.pool, id);
}

static inline uint64_t lirs_size(const lirs_node_t *n)
{
    return n->s.size_bytes & LIRS_SIZE;
}

static inline uint64_t lirs_charge(const lirs_t *l, const lirs_node_t *n)
{
    return ts_policy_charge(&l->lc.base, lirs_size(n));
}

static int lirs_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                       ts_err_t *err)
{
    lirs_params_t lp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_lirs, params, &lp, sizeof(lp), err);
    if (rc)
        return rc;
    if (!(lp.hir_ratio >= 0 && lp.hir_ratio <= 1) ||
        !(lp.stack_ratio >= 1 && lp.stack_ratio <= 100))
        return ts_err_set(err, TS_EINVAL,
                          "lirs: hir_ratio must lie in [0, 1] and stack_ratio in [1, 100]");
    lirs_t *l = ts_calloc(1, sizeof(*l));
    if (!l)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate lirs");
    rc = ts__lcache_init(&l->lc, &ts_policy_lirs, init, sizeof(lirs_node_t), err);
    if (rc) {
        ts_free(l);
        return rc;
    }
    ts__list_init(&l->q);
    ts__list_init(&l->nr);
    uint64_t c = init->capacity;
    uint64_t hir = (uint64_t)((double)c * lp.hir_ratio);
    hir = hir < 1 ? 1 : hir > c ? c : hir;
    l->lir_max = c - hir;
    double smax = (double)c * lp.stack_ratio;
    l->stack_max = smax >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)smax;
    *out = &l->lc.base;
    return 0;
}

static void lirs_destroy(ts_policy_t *p)
{
    lirs_t *l = (lirs_t *)p;
    ts__lcache_fini(&l->lc);
    ts_free(l);
}

/* ---- Q and N: lists on the nodes' second pair of links ---- */

static void lirs_q_push(lirs_t *l, ts__list_t *q, uint32_t id)
{
    lirs_node_t *n = lirs_n(l, id);
    n->q_prev = TS__NIL;
    n->q_next = q->head;
    if (q->head != TS__NIL)
        lirs_n(l, q->head)->q_prev = id;
    else
        q->tail = id;
    q->head = id;
    q->n++;
    q->charge += lirs_charge(l, n);
}

static void lirs_q_unlink(lirs_t *l, ts__list_t *q, uint32_t id)
{
    lirs_node_t *n = lirs_n(l, id);
    TS_ASSERT(q->n > 0);
    if (n->q_prev != TS__NIL)
        lirs_n(l, n->q_prev)->q_next = n->q_next;
    else
        q->head = n->q_next;
    if (n->q_next != TS__NIL)
        lirs_n(l, n->q_next)->q_prev = n->q_prev;
    else
        q->tail = n->q_prev;
    q->n--;
    q->charge -= lirs_charge(l, n);
}

/* ---- stack S ---- */

static void lirs_s_push(lirs_t *l, uint32_t id)
{
    lirs_node_t *n = lirs_n(l, id);
    ts__list_push_head(&l->lc.pool, &l->lc.list, id);
    l->lc.list.charge += lirs_charge(l, n);
    n->s.size_bytes |= LIRS_IN_S;
}

static void lirs_s_unlink(lirs_t *l, uint32_t id)
{
    lirs_node_t *n = lirs_n(l, id);
    ts__list_unlink(&l->lc.pool, &l->lc.list, id);
    l->lc.list.charge -= lirs_charge(l, n);
    n->s.size_bytes &= ~LIRS_IN_S;
}

/* Unindexes and frees node id (on no list). */
static void lirs_free(lirs_t *l, uint32_t id)
{
    int removed = ts_ktab_remove(&l->lc.index, lirs_n(l, id)->s.key, id);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&l->lc.pool, id);
}

static void lirs_set_lir(lirs_t *l, lirs_node_t *n, bool lir)
{
    uint64_t c = lirs_charge(l, n);
    if (lir) {
        n->s.size_bytes |= LIRS_LIR | LIRS_RES;
        l->lir_charge += c;
        l->n_lir++;
    } else {
        n->s.size_bytes &= ~LIRS_LIR;
        l->lir_charge -= c;
        l->n_lir--;
    }
}

/* Stack pruning: HIR blocks leave the bottom of S until an LIR block is there; a resident
 * one stays on Q, a ghost is forgotten. */
static void lirs_prune(lirs_t *l)
{
    uint32_t id;
    while ((id = l->lc.list.tail) != TS__NIL && !(lirs_n(l, id)->s.size_bytes & LIRS_LIR)) {
        lirs_s_unlink(l, id);
        if (!(lirs_n(l, id)->s.size_bytes & LIRS_RES)) {
            lirs_q_unlink(l, &l->nr, id);
            lirs_free(l, id);
        }
    }
}

/* While the LIR set is over Llirs, the LIR block at the bottom of S becomes a resident HIR
 * block at the end of Q, and S is pruned. */
static void lirs_demote(lirs_t *l)
{
    while (l->lir_charge > l->lir_max) {
        uint32_t id = l->lc.list.tail;
        TS_ASSERT(id != TS__NIL);
        lirs_s_unlink(l, id);
        lirs_set_lir(l, lirs_n(l, id), false);
        lirs_q_push(l, &l->q, id);
        lirs_prune(l);
    }
}

/* Drops the oldest ghosts while S holds more than stack_max. A ghost is never at the bottom
 * of S (pruning keeps an LIR block there), so no pruning follows. */
static void lirs_bound(lirs_t *l)
{
    while (l->lc.list.charge > l->stack_max && l->nr.tail != TS__NIL) {
        uint32_t id = l->nr.tail;
        lirs_q_unlink(l, &l->nr, id);
        lirs_s_unlink(l, id);
        lirs_free(l, id);
    }
}

static bool lirs_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    lirs_t *l = (lirs_t *)p;
    uint32_t id = ts__find(&l->lc.index, &l->lc.pool, r->key);
    if (id == TS__NIL)
        return false;
    lirs_node_t *n = lirs_n(l, id);
    uint64_t st = n->s.size_bytes;
    if (!(st & LIRS_RES))
        return false; /* a ghost */
    if (!touch)
        return true;
    if (st & LIRS_LIR) {
        bool was_bottom = l->lc.list.tail == id;
        ts__list_move_head(&l->lc.pool, &l->lc.list, id);
        if (was_bottom)
            lirs_prune(l);
    } else if (st & LIRS_IN_S) {
        ts__list_move_head(&l->lc.pool, &l->lc.list, id);
        lirs_q_unlink(l, &l->q, id);
        lirs_set_lir(l, n, true);
        lirs_demote(l);
    } else {
        lirs_s_push(l, id);
        lirs_q_unlink(l, &l->q, id);
        lirs_q_push(l, &l->q, id);
        lirs_prune(l); /* x is the bottom when S had no LIR block (Llirs = 0) */
        lirs_bound(l);
    }
    return true;
}

static int lirs_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    lirs_t *l = (lirs_t *)p;
    if (r->size_bytes > LIRS_SIZE)
        return ts_err_set(err, TS_EINVAL, "lirs: an object of %llu bytes is over the %llu bytes "
                          "it can hold", (unsigned long long)r->size_bytes,
                          (unsigned long long)LIRS_SIZE);
    uint64_t x = ts_policy_charge(p, r->size_bytes);
    uint32_t id = ts__find(&l->lc.index, &l->lc.pool, r->key);
    if (id != TS__NIL) { /* a ghost in S (the tier inserts only absent keys) */
        lirs_q_unlink(l, &l->nr, id);
        lirs_s_unlink(l, id);
        lirs_n(l, id)->s.size_bytes = r->size_bytes;
        lirs_s_push(l, id);
        lirs_set_lir(l, lirs_n(l, id), true);
        lirs_demote(l);
        lirs_bound(l);
        return 0;
    }
    id = ts__lcache_add(&l->lc, r, err); /* top of S, charge counted */
    if (id == TS__NIL)
        return TS_ENOMEM;
    lirs_node_t *n = lirs_n(l, id);
    n->s.size_bytes |= LIRS_IN_S | LIRS_RES;
    if (l->lir_charge + x <= l->lir_max)
        lirs_set_lir(l, n, true);
    else
        lirs_q_push(l, &l->q, id);
    lirs_prune(l); /* x is the bottom when S had no LIR block (Llirs = 0) */
    lirs_bound(l);
    return 0;
}

static int lirs_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    lirs_t *l = (lirs_t *)p;
    (void)r;
    uint32_t id = l->q.tail;
    if (id != TS__NIL) {
        lirs_node_t *n = lirs_n(l, id);
        out->key = n->s.key;
        out->size_bytes = lirs_size(n);
        lirs_q_unlink(l, &l->q, id);
        n->s.size_bytes &= ~LIRS_RES;
        if (n->s.size_bytes & LIRS_IN_S)
            lirs_q_push(l, &l->nr, id);
        else
            lirs_free(l, id);
        return 0;
    }
    id = l->lc.list.tail; /* Q is empty: the bottom LIR block of S */
    if (id == TS__NIL)
        return TS_ENOENT;
    lirs_node_t *n = lirs_n(l, id);
    out->key = n->s.key;
    out->size_bytes = lirs_size(n);
    lirs_s_unlink(l, id);
    lirs_set_lir(l, n, false);
    lirs_free(l, id);
    lirs_prune(l);
    return 0;
}

/* Removes a resident block (a delete); it leaves no ghost. A ghost reports false. */
static bool lirs_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    lirs_t *l = (lirs_t *)p;
    uint32_t id = ts__find(&l->lc.index, &l->lc.pool, key);
    if (id == TS__NIL)
        return false;
    lirs_node_t *n = lirs_n(l, id);
    uint64_t st = n->s.size_bytes;
    if (!(st & LIRS_RES))
        return false;
    if (out) {
        out->key = key;
        out->size_bytes = lirs_size(n);
    }
    if (st & LIRS_LIR)
        lirs_set_lir(l, n, false);
    else
        lirs_q_unlink(l, &l->q, id);
    if (st & LIRS_IN_S)
        lirs_s_unlink(l, id);
    lirs_free(l, id);
    lirs_prune(l);
    return true;
}

static size_t lirs_mem_bytes(const ts_policy_t *p)
{
    return ts__lcache_mem(&((const lirs_t *)p)->lc, sizeof(lirs_t));
}

static void lirs_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const lirs_t *l = (const lirs_t *)p;
    ts__prefetch(&l->lc.index, &l->lc.pool, key, stage);
}

/* Walks Q or N (named what): links, index entries, status bits (want under mask), count
 * and charge; counts the nodes also on S in *in_s. */
static int lirs_check_q(const lirs_t *l, const ts__list_t *q, const char *what, uint64_t mask,
                        uint64_t want, uint64_t *in_s, ts_err_t *err)
{
    uint32_t prev = TS__NIL, id = q->head;
    uint64_t n = 0, sum = 0;
    while (id != TS__NIL) {
        if (n == q->n || id >= l->lc.pool.cap)
            return ts_err_set(err, TS_EINTERNAL, "lirs: %s is longer than its %llu blocks or "
                              "links to node %u", what, (unsigned long long)q->n, id);
        const lirs_node_t *nd = lirs_n(l, id);
        if (nd->q_prev != prev || ts__find(&l->lc.index, &l->lc.pool, nd->s.key) != id)
            return ts_err_set(err, TS_EINTERNAL, "lirs: %s: node %u links back to %u, not to "
                              "%u, or is not indexed at its key", what, id, nd->q_prev, prev);
        if ((nd->s.size_bytes & mask) != want)
            return ts_err_set(err, TS_EINTERNAL, "lirs: %s: node %u has status bits %#llx",
                              what, id, (unsigned long long)(nd->s.size_bytes >> 61));
        *in_s += (nd->s.size_bytes & LIRS_IN_S) != 0;
        sum += lirs_charge(l, nd);
        prev = id;
        id = nd->q_next;
        n++;
    }
    if (n != q->n || q->tail != prev || sum != q->charge)
        return ts_err_set(err, TS_EINTERNAL, "lirs: %s counts %llu blocks of %llu units, ends "
                          "at %u; walked %llu of %llu to %u", what, (unsigned long long)q->n,
                          (unsigned long long)q->charge, q->tail, (unsigned long long)n,
                          (unsigned long long)sum, prev);
    return 0;
}

/* Residents are the LIR blocks and Q; every node is LIR, on Q or on N; |LIR| <= Llirs; the
 * bottom of S is LIR; S is within its bound unless N is empty. Walking: S's links (every
 * node on it marked so), the LIR count and charge, and Q and N with their status bits. */
static int lirs_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                      ts_err_t *err)
{
    const lirs_t *l = (const lirs_t *)p;
    const ts__list_t *s = &l->lc.list;
    int rc = ts__held_check(p, l->n_lir + l->q.n, l->lir_charge + l->q.charge, n_objects,
                            charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &l->lc.pool, &l->lc.index, l->n_lir + l->q.n + l->nr.n, full,
                             err);
    if (rc == 0 && l->lir_charge > l->lir_max)
        rc = ts_err_set(err, TS_EINTERNAL, "lirs: the LIR set holds %llu units, over %llu",
                        (unsigned long long)l->lir_charge, (unsigned long long)l->lir_max);
    if (rc == 0 && s->tail != TS__NIL && !(lirs_n(l, s->tail)->s.size_bytes & LIRS_LIR))
        rc = ts_err_set(err, TS_EINTERNAL, "lirs: the bottom of S (node %u) is not LIR",
                        s->tail);
    if (rc == 0 && s->charge > l->stack_max && l->nr.n > 0)
        rc = ts_err_set(err, TS_EINTERNAL, "lirs: S holds %llu units with ghosts, over %llu",
                        (unsigned long long)s->charge, (unsigned long long)l->stack_max);
    if (rc || !full)
        return rc;
    uint64_t unused = 0, in_s = 0, sum = 0, n_lir = 0, lir = 0;
    rc = ts__list_check(p, &l->lc.pool, &l->lc.index, s, "S", &unused, err);
    for (uint32_t id = s->head; rc == 0 && id != TS__NIL; id = lirs_n(l, id)->s.next) {
        const lirs_node_t *nd = lirs_n(l, id);
        if (!(nd->s.size_bytes & LIRS_IN_S))
            rc = ts_err_set(err, TS_EINTERNAL, "lirs: node %u on S is not marked so", id);
        sum += lirs_charge(l, nd);
        n_lir += (nd->s.size_bytes & LIRS_LIR) != 0;
        lir += nd->s.size_bytes & LIRS_LIR ? lirs_charge(l, nd) : 0;
    }
    if (rc == 0 && (sum != s->charge || n_lir != l->n_lir || lir != l->lir_charge))
        rc = ts_err_set(err, TS_EINTERNAL, "lirs: S counts %llu units and %llu LIR blocks of "
                        "%llu; its nodes %llu, %llu and %llu", (unsigned long long)s->charge,
                        (unsigned long long)l->n_lir, (unsigned long long)l->lir_charge,
                        (unsigned long long)sum, (unsigned long long)n_lir,
                        (unsigned long long)lir);
    if (rc == 0)
        rc = lirs_check_q(l, &l->q, "Q", LIRS_LIR | LIRS_RES, LIRS_RES, &in_s, err);
    if (rc == 0)
        rc = lirs_check_q(l, &l->nr, "N", LIRS_LIR | LIRS_RES | LIRS_IN_S, LIRS_IN_S, &in_s,
                          err);
    if (rc == 0 && n_lir + in_s != s->n)
        rc = ts_err_set(err, TS_EINTERNAL, "lirs: S holds %llu nodes, %llu LIR and %llu HIR "
                        "marked on it", (unsigned long long)s->n, (unsigned long long)n_lir,
                        (unsigned long long)in_s);
    return rc;
}

const ts_policy_ops_t ts_policy_lirs = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "lirs",
             .summary = "LIRS: a stack S of recency with LIR blocks always cached, 1% of the "
                        "capacity for HIR blocks on Q, non-resident HIR blocks kept in S",
             .params = k_lirs_params,
             .params_count = TS_PARAM_COUNT(k_lirs_params),
             .params_size = sizeof(lirs_params_t)},
    .create = lirs_create,
    .destroy = lirs_destroy,
    .lookup = lirs_lookup,
    .insert = lirs_insert,
    .evict = lirs_evict,
    .remove = lirs_remove,
    .mem_bytes = lirs_mem_bytes,
    .prefetch = lirs_prefetch,
    .check = lirs_check,
};
