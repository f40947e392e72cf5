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
 * per request). Memory per resident or ghost block: a 16-byte compact node (key, links in
 * S; clist_internal.h), 8 bytes of links on Q or N, a status byte, and a 4-byte-slot index
 * filled to at most 80% (5-10 bytes per key); the size once for all while sizes are equal.
 * Paper: Jiang, Zhang, "LIRS: An Efficient Low Inter-reference Recency Set Replacement
 * Policy to Improve Buffer Cache Performance", SIGMETRICS 2002.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "clist_internal.h"
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

/* Status bits in a node's meta byte, above the list bits (S is list 0 of the compact
 * store's multi-list helpers; a node off S keeps list bits 0 too). */
#define LIRS_IN_S (1u << TS__CWHERE_BITS)        /* on stack S */
#define LIRS_LIR (1u << (TS__CWHERE_BITS + 1))   /* an LIR block */
#define LIRS_RES (1u << (TS__CWHERE_BITS + 2))   /* resident: LIR, or HIR on Q */

typedef struct lirs {
    ts_policy_t base;    /* must be first */
    ts__cstore_t st;     /* nodes (key, links in S), index, status bytes, sizes */
    ts__list_t s;        /* stack S, head = top */
    ts__qlinks_t ql;     /* per node: links on Q (resident HIR) or N (ghost), prev towards
                            the head (newest) */
    ts__list_t q;        /* resident HIR blocks, head = end (newest), tail = front */
    ts__list_t nr;       /* ghosts (non-resident HIR in S), head = newest */
    uint64_t lir_charge; /* |LIR| */
    uint64_t n_lir;      /* LIR blocks */
    uint64_t lir_max;    /* Llirs */
    uint64_t stack_max;  /* most charge S keeps while it holds ghosts */
} lirs_t;

static inline uint8_t *lirs_st(const lirs_t *l, uint32_t id)
{
    return &l->st.meta[id];
}

static inline uint64_t lirs_size(const lirs_t *l, uint32_t id)
{
    return ts__cstore_size(&l->st, id);
}

static inline uint64_t lirs_charge(const lirs_t *l, uint32_t id)
{
    return ts_policy_charge(&l->base, lirs_size(l, id));
}

static void lirs_destroy(ts_policy_t *p)
{
    lirs_t *l = (lirs_t *)p;
    if (!l)
        return;
    ts__cstore_fini(&l->st);
    ts__qlinks_fini(&l->ql);
    ts_free(l);
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
    ts_policy_base_init(&l->base, &ts_policy_lirs, init);
    ts__list_init(&l->s);
    ts__list_init(&l->q);
    ts__list_init(&l->nr);
    uint64_t c = init->capacity;
    uint64_t hir = (uint64_t)((double)c * lp.hir_ratio);
    hir = hir < 1 ? 1 : hir > c ? c : hir;
    l->lir_max = c - hir;
    double smax = (double)c * lp.stack_ratio;
    l->stack_max = smax >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)smax;
    /* Objects mode: S's bound and the resident HIR blocks off S bound the nodes. */
    double nodes = smax + (double)hir + 1;
    uint64_t hint = init->count_objects && nodes < (double)(1u << 26) ? (uint64_t)nodes : 1024;
    if ((rc = ts__cstore_init(&l->st, hint, TS__CLOAD_GHOSTS, true, err)) ||
        (rc = ts__qlinks_cover(&l->ql, l->st.pool.cap, err)))
        goto fail;
    *out = &l->base;
    return 0;
fail:
    lirs_destroy(&l->base);
    return rc;
}

/* ---- Q and N: lists on the nodes' second pair of links ---- */

static void lirs_q_push(lirs_t *l, ts__list_t *q, uint32_t id)
{
    ts__qlink_t *n = &l->ql.at[id];
    n->prev = TS__NIL;
    n->next = q->head;
    if (q->head != TS__NIL)
        l->ql.at[q->head].prev = id;
    else
        q->tail = id;
    q->head = id;
    q->n++;
    q->charge += lirs_charge(l, id);
}

/* Takes id off q, whose count holds it at charge units. */
static void lirs_q_unlink_at(lirs_t *l, ts__list_t *q, uint32_t id, uint64_t charge)
{
    ts__qlink_t *n = &l->ql.at[id];
    TS_ASSERT(q->n > 0);
    if (n->prev != TS__NIL)
        l->ql.at[n->prev].next = n->next;
    else
        q->head = n->next;
    if (n->next != TS__NIL)
        l->ql.at[n->next].prev = n->prev;
    else
        q->tail = n->prev;
    q->n--;
    q->charge -= charge;
}

static void lirs_q_unlink(lirs_t *l, ts__list_t *q, uint32_t id)
{
    lirs_q_unlink_at(l, q, id, lirs_charge(l, id));
}

/* ---- stack S ---- */

static void lirs_s_push(lirs_t *l, uint32_t id)
{
    ts__cmulti_push(&l->base, &l->st, &l->s, id, 0);
    *lirs_st(l, id) |= LIRS_IN_S;
}

static void lirs_s_unlink(lirs_t *l, uint32_t id)
{
    ts__cmulti_unlink(&l->base, &l->st, &l->s, id);
    *lirs_st(l, id) &= (uint8_t)~LIRS_IN_S;
}

static void lirs_set_lir(lirs_t *l, uint32_t id, bool lir)
{
    uint64_t c = lirs_charge(l, id);
    if (lir) {
        *lirs_st(l, id) |= LIRS_LIR | LIRS_RES;
        l->lir_charge += c;
        l->n_lir++;
    } else {
        *lirs_st(l, id) &= (uint8_t)~LIRS_LIR;
        l->lir_charge -= c;
        l->n_lir--;
    }
}

/* Stack pruning: HIR blocks leave the bottom of S until an LIR block is there; a resident
 * one stays on Q, a ghost is forgotten. */
static void lirs_prune(lirs_t *l)
{
    uint32_t id;
    while ((id = l->s.tail) != TS__NIL && !(*lirs_st(l, id) & LIRS_LIR)) {
        lirs_s_unlink(l, id);
        if (!(*lirs_st(l, id) & LIRS_RES)) {
            lirs_q_unlink(l, &l->nr, id);
            ts__cstore_del(&l->st, id);
        }
    }
}

/* While the LIR set is over Llirs, the LIR block at the bottom of S becomes a resident HIR
 * block at the end of Q, and S is pruned. */
static void lirs_demote(lirs_t *l)
{
    while (l->lir_charge > l->lir_max) {
        uint32_t id = l->s.tail;
        TS_ASSERT(id != TS__NIL);
        lirs_s_unlink(l, id);
        lirs_set_lir(l, id, false);
        lirs_q_push(l, &l->q, id);
        lirs_prune(l);
    }
}

/* Drops the oldest ghosts while S holds more than stack_max. A ghost is never at the bottom
 * of S (pruning keeps an LIR block there), so no pruning follows. */
static void lirs_bound(lirs_t *l)
{
    while (l->s.charge > l->stack_max && l->nr.tail != TS__NIL) {
        uint32_t id = l->nr.tail;
        lirs_q_unlink(l, &l->nr, id);
        lirs_s_unlink(l, id);
        ts__cstore_del(&l->st, id);
    }
}

static bool lirs_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    lirs_t *l = (lirs_t *)p;
    uint32_t id = ts__cstore_find(&l->st, r->key);
    if (id == TS__NIL)
        return false;
    uint8_t st = *lirs_st(l, id);
    if (!(st & LIRS_RES))
        return false; /* a ghost */
    if (!touch)
        return true;
    if (st & LIRS_LIR) {
        bool was_bottom = l->s.tail == id;
        ts__clist_move_head(&l->st, &l->s, id);
        if (was_bottom)
            lirs_prune(l);
    } else if (st & LIRS_IN_S) {
        ts__clist_move_head(&l->st, &l->s, id);
        lirs_q_unlink(l, &l->q, id);
        lirs_set_lir(l, id, true);
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
    uint64_t x = ts_policy_charge(p, r->size_bytes);
    uint32_t id = ts__cstore_find(&l->st, r->key);
    if (id != TS__NIL) { /* a ghost in S (the tier inserts only absent keys) */
        uint64_t old = lirs_charge(l, id);
        /* To the top of S with its new size (nothing changed on failure), then off N. */
        if (ts__cmulti_refill(p, &l->st, &l->s, id, 0, r->size_bytes, err))
            return TS_ENOMEM;
        lirs_q_unlink_at(l, &l->nr, id, old);
        lirs_set_lir(l, id, true);
        lirs_demote(l);
        lirs_bound(l);
        return 0;
    }
    id = ts__cmulti_add(p, &l->st, &l->s, r, 0, err); /* top of S, charge counted */
    if (id == TS__NIL)
        return TS_ENOMEM;
    if (ts__qlinks_cover(&l->ql, l->st.pool.cap, err)) {
        ts__cmulti_free(p, &l->st, &l->s, id);
        return TS_ENOMEM;
    }
    *lirs_st(l, id) |= LIRS_IN_S | LIRS_RES;
    if (l->lir_charge + x <= l->lir_max)
        lirs_set_lir(l, id, true);
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
        ts__cstore_victim(&l->st, id, out);
        lirs_q_unlink(l, &l->q, id);
        *lirs_st(l, id) &= (uint8_t)~LIRS_RES;
        if (*lirs_st(l, id) & LIRS_IN_S)
            lirs_q_push(l, &l->nr, id);
        else
            ts__cstore_del(&l->st, id);
        return 0;
    }
    id = l->s.tail; /* Q is empty: the bottom LIR block of S */
    if (id == TS__NIL)
        return TS_ENOENT;
    ts__cstore_victim(&l->st, id, out);
    lirs_s_unlink(l, id);
    lirs_set_lir(l, id, false);
    ts__cstore_del(&l->st, id);
    lirs_prune(l);
    return 0;
}

/* Removes a resident block (a delete); it leaves no ghost. A ghost reports false. */
static bool lirs_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    lirs_t *l = (lirs_t *)p;
    uint32_t id = ts__cstore_find(&l->st, key);
    if (id == TS__NIL)
        return false;
    uint8_t st = *lirs_st(l, id);
    if (!(st & LIRS_RES))
        return false;
    ts__cstore_victim(&l->st, id, out);
    if (st & LIRS_LIR)
        lirs_set_lir(l, id, false);
    else
        lirs_q_unlink(l, &l->q, id);
    if (st & LIRS_IN_S)
        lirs_s_unlink(l, id);
    ts__cstore_del(&l->st, id);
    lirs_prune(l);
    return true;
}

static size_t lirs_mem_bytes(const ts_policy_t *p)
{
    const lirs_t *l = (const lirs_t *)p;
    return sizeof(*l) + ts__cstore_bytes(&l->st) + ts__qlinks_bytes(&l->ql);
}

static void lirs_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const lirs_t *l = (const lirs_t *)p;
    ts__cstore_prefetch(&l->st, key, stage);
}

/* Walks Q or N (named what): links, index entries, status bits (want under mask), count
 * and charge; counts the nodes also on S in *in_s. */
static int lirs_check_q(const lirs_t *l, const ts__list_t *q, const char *what, unsigned mask,
                        unsigned want, uint64_t *in_s, ts_err_t *err)
{
    uint32_t prev = TS__NIL, id = q->head;
    uint64_t n = 0, sum = 0;
    while (id != TS__NIL) {
        if (n == q->n || id >= l->ql.cap || id >= l->st.side_cap)
            return ts_err_set(err, TS_EINTERNAL, "lirs: %s is longer than its %llu blocks or "
                              "links to node %u", what, (unsigned long long)q->n, id);
        if (l->ql.at[id].prev != prev ||
            ts__cstore_find(&l->st, ts__cn(&l->st, id)->key) != id)
            return ts_err_set(err, TS_EINTERNAL, "lirs: %s: node %u links back to %u, not to "
                              "%u, or is not indexed at its key", what, id, l->ql.at[id].prev,
                              prev);
        uint8_t st = *lirs_st(l, id);
        if ((st & mask) != want)
            return ts_err_set(err, TS_EINTERNAL, "lirs: %s: node %u has status bits %#x",
                              what, id, (unsigned)st);
        *in_s += (st & LIRS_IN_S) != 0;
        sum += lirs_charge(l, id);
        prev = id;
        id = l->ql.at[id].next;
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
    const ts__list_t *s = &l->s;
    int rc = ts__held_check(p, l->n_lir + l->q.n, l->lir_charge + l->q.charge, n_objects,
                            charge, err);
    if (rc == 0)
        rc = ts__cstore_check(p, &l->st, l->n_lir + l->q.n + l->nr.n, full, err);
    if (rc == 0 && l->lir_charge > l->lir_max)
        rc = ts_err_set(err, TS_EINTERNAL, "lirs: the LIR set holds %llu units, over %llu",
                        (unsigned long long)l->lir_charge, (unsigned long long)l->lir_max);
    if (rc == 0 && s->tail != TS__NIL && !(*lirs_st(l, s->tail) & LIRS_LIR))
        rc = ts_err_set(err, TS_EINTERNAL, "lirs: the bottom of S (node %u) is not LIR",
                        s->tail);
    if (rc == 0 && s->charge > l->stack_max && l->nr.n > 0)
        rc = ts_err_set(err, TS_EINTERNAL, "lirs: S holds %llu units with ghosts, over %llu",
                        (unsigned long long)s->charge, (unsigned long long)l->stack_max);
    if (rc || !full)
        return rc;
    uint64_t in_s = 0, sum = 0, n_lir = 0, lir = 0;
    rc = ts__clist_check(p, &l->st, s, "S", 0, &sum, err);
    for (uint32_t id = s->head; rc == 0 && id != TS__NIL; id = ts__cn(&l->st, id)->next) {
        uint8_t st = *lirs_st(l, id);
        if (!(st & LIRS_IN_S))
            rc = ts_err_set(err, TS_EINTERNAL, "lirs: node %u on S is not marked so", id);
        n_lir += (st & LIRS_LIR) != 0;
        lir += st & LIRS_LIR ? lirs_charge(l, id) : 0;
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
