/* SPDX-License-Identifier: MIT */
/*
 * qdlp.c - QD-LP-FIFO: quick demotion through a small probationary FIFO P and a ghost FIFO
 * G, lazy promotion in a main FIFO M with reinsertion (CLOCK with a k-bit counter).
 *
 * c is the capacity, |Q| the charge on Q, p = floor(fifo_ratio * c) (default 10%),
 * m = c - p, g = floor(ghost_ratio * c) (default 90%), cmax = 2^bits - 1 (bits 2),
 * thr = move_to_main_threshold (default 1). Decision rule (heads newest):
 *   on hit in P:    P's counter += 1 (nothing moves)
 *   on hit in M:    cnt = min(cnt + 1, cmax) (nothing moves)
 *   on insert x:    if x in G: remove it there, x to the head of M; else x to the head of P
 *   on evict:       loop
 *                     if P is empty: CLOCK on M: while M's tail has cnt > 0: cnt -= 1,
 *                       reinsert it at M's head; the tail leaves; stop
 *                     t = P's tail
 *                     if t's hits >= thr: t to the head of M with cnt = 0; if |M| > m
 *                       CLOCK on M as above (its victim leaves; stop); else again
 *                     else: t leaves, its key to the head of G (tail falls off while
 *                       |G| > g); stop
 *   A miss whose key is in G takes it out of G before the evictions it causes; if M is
 *   full then, the eviction it needs comes from M (where the key will go).
 * Every miss goes through P first unless G remembers it (quick demotion: one-hit wonders
 * leave after a short stay); M never moves an object on a hit (lazy promotion).
 * Defaults and the main cache (CLOCK-2) are libCacheSim's QDLP. Difference: libCacheSim
 * inserts a ghost-hit key into a full M after the evictions its miss caused, by evicting
 * from M as well (the cache then holds one object less until the next miss); a tier's
 * policy evicts only when asked, so here that M eviction is the miss's eviction.
 * Cost: O(1) amortised (each extra step consumes a count a hit gave or moves an object
 * from P to M once). Memory: a 32-byte node per cached or ghost key.
 * Paper: Yang, Qiu, Zhang, Yue, Rashmi, "FIFO can be Better than LRU: the Power of Lazy
 * Promotion and Quick Demotion", HotOS 2023.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_qdlp;

typedef struct qdlp_params {
    double fifo_ratio;              /* share of the capacity for P */
    double ghost_ratio;             /* charge G remembers, share of the capacity */
    int64_t bits;                   /* M's counter bits */
    int64_t move_to_main_threshold; /* hits in P that move an object to M */
} qdlp_params_t;

static const ts_param_spec_t k_qdlp_params[] = {
    {.name = "fifo_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(qdlp_params_t, fifo_ratio),
     .min = 0,
     .max = 1,
     .def = "10%",
     .help = "share of the capacity for the probationary FIFO of new objects"},
    {.name = "ghost_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(qdlp_params_t, ghost_ratio),
     .min = 0,
     .max = 10,
     .def = "90%",
     .help = "charge of keys the ghost FIFO remembers, as a share of the capacity"},
    {.name = "bits",
     .type = TS_PT_INT,
     .offset = offsetof(qdlp_params_t, bits),
     .min = 1,
     .max = 7,
     .def = "2",
     .help = "bits of the main FIFO's reinsertion counter (CLOCK-2 by default)"},
    {.name = "move_to_main_threshold",
     .type = TS_PT_INT,
     .offset = offsetof(qdlp_params_t, move_to_main_threshold),
     .min = 1,
     .max = 255,
     .def = "1",
     .help = "hits while in the probationary FIFO that move an object to the main FIFO"},
};

enum qdlp_list { QD_P, QD_M, QD_G, QD_NLISTS };
static const char *const k_qdlp_names[QD_NLISTS] = {"P", "M", "G"};

typedef struct qdlp {
    ts__mq_t m;         /* must be first: index, pool, P, M, G */
    uint64_t main_cap;  /* m: M's share */
    uint64_t ghost_cap; /* g: most charge G keeps */
    uint8_t cmax;       /* 2^bits - 1 */
    uint8_t thr;        /* move_to_main_threshold */
    uint64_t ghost_key; /* key whose ghost the current miss took out of G */
    bool has_ghost_key; /* ghost_key is valid */
} qdlp_t;

static int qdlp_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                       ts_err_t *err)
{
    qdlp_params_t qp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_qdlp, params, &qp, sizeof(qp), err);
    if (rc)
        return rc;
    if (!(qp.fifo_ratio >= 0 && qp.fifo_ratio <= 1) ||
        !(qp.ghost_ratio >= 0 && qp.ghost_ratio <= 10) || qp.bits < 1 || qp.bits > 7 ||
        qp.move_to_main_threshold < 1 || qp.move_to_main_threshold > 255)
        return ts_err_set(err, TS_EINVAL,
                          "qdlp: fifo_ratio must lie in [0, 1], ghost_ratio in [0, 10], bits "
                          "in 1..7 and move_to_main_threshold in 1..255");
    qdlp_t *q = ts_calloc(1, sizeof(*q));
    if (!q)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate qdlp");
    rc = ts__mq_init(&q->m, &ts_policy_qdlp, init, sizeof(ts__qnode_t), QD_NLISTS,
                     1u << QD_P | 1u << QD_M, k_qdlp_names, 2, err);
    if (rc) {
        ts_free(q);
        return rc;
    }
    q->main_cap = init->capacity - (uint64_t)((double)init->capacity * qp.fifo_ratio);
    q->ghost_cap = (uint64_t)((double)init->capacity * qp.ghost_ratio);
    q->cmax = (uint8_t)((1u << qp.bits) - 1);
    q->thr = (uint8_t)qp.move_to_main_threshold;
    *out = &q->m.base;
    return 0;
}

static void qdlp_destroy(ts_policy_t *p)
{
    qdlp_t *q = (qdlp_t *)p;
    ts__mq_fini(&q->m);
    ts_free(q);
}

/* A touching hit counts: in P up to 255 hits, in M up to cmax; nothing moves. */
static bool qdlp_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    qdlp_t *q = (qdlp_t *)p;
    uint32_t id = ts__find(&q->m.index, &q->m.pool, r->key);
    if (id == TS__NIL)
        return false;
    ts__qnode_t *n = ts__qn(&q->m, id);
    if (n->where == QD_G)
        return false;
    if (touch && n->cnt < (n->where == QD_M ? q->cmax : 255))
        n->cnt++;
    return true;
}

static int qdlp_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    qdlp_t *q = (qdlp_t *)p;
    uint32_t id = ts__find(&q->m.index, &q->m.pool, r->key);
    bool ghost = id != TS__NIL || (q->has_ghost_key && q->ghost_key == r->key);
    q->has_ghost_key = false;
    if (id != TS__NIL) { /* a ghost in G: reuse its node */
        ts__qnode_t *n = ts__qn(&q->m, id);
        ts__mq_unlink(&q->m, id);
        n->ln.size_bytes = r->size_bytes;
        n->cnt = 0;
        ts__mq_push(&q->m, id, QD_M);
        return 0;
    }
    return ts__mq_add(&q->m, r, ghost ? QD_M : QD_P, err) == TS__NIL ? TS_ENOMEM : 0;
}

/* CLOCK on M: reinserts counted tails, then the first uncounted one leaves. */
static void qdlp_evict_main(qdlp_t *q, ts_victim_t *out)
{
    ts__list_t *mq = &q->m.q[QD_M];
    for (;;) {
        uint32_t id = mq->tail;
        ts__qnode_t *n = ts__qn(&q->m, id);
        if (n->cnt == 0) {
            ts__mq_drop(&q->m, id, out);
            return;
        }
        n->cnt--;
        ts__list_move_head(&q->m.pool, mq, id);
    }
}

static int qdlp_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    qdlp_t *q = (qdlp_t *)p;
    ts__list_t *pq = &q->m.q[QD_P], *mq = &q->m.q[QD_M];
    if (q->has_ghost_key && q->ghost_key != r->key)
        q->has_ghost_key = false; /* a miss that was never filled */
    uint32_t g = ts__find(&q->m.index, &q->m.pool, r->key);
    if (g != TS__NIL && ts__qn(&q->m, g)->where == QD_G) {
        ts__mq_drop(&q->m, g, NULL);
        q->ghost_key = r->key;
        q->has_ghost_key = true;
    }
    if (q->has_ghost_key && mq->tail != TS__NIL &&
        mq->charge + ts_policy_charge(p, r->size_bytes) > q->main_cap) {
        qdlp_evict_main(q, out);
        return 0;
    }
    for (;;) {
        if (pq->tail == TS__NIL) {
            if (mq->tail == TS__NIL)
                return TS_ENOENT;
            qdlp_evict_main(q, out);
            return 0;
        }
        uint32_t id = pq->tail;
        ts__qnode_t *n = ts__qn(&q->m, id);
        if (n->cnt >= q->thr) {
            n->cnt = 0;
            ts__mq_move(&q->m, id, QD_M);
            if (mq->charge > q->main_cap) {
                qdlp_evict_main(q, out);
                return 0;
            }
            continue;
        }
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
        n->cnt = 0;
        ts__mq_move(&q->m, id, QD_G); /* the node stays as the ghost */
        ts__mq_trim(&q->m, QD_G, q->ghost_cap);
        return 0;
    }
}

static size_t qdlp_mem_bytes(const ts_policy_t *p)
{
    return ts__mq_mem(&((const qdlp_t *)p)->m, sizeof(qdlp_t));
}

/* The mq checks, G within its share and M's counters within cmax. */
static int qdlp_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                      ts_err_t *err)
{
    const qdlp_t *q = (const qdlp_t *)p;
    int rc = ts__mq_check(p, n_objects, charge, full, err);
    if (rc == 0 && q->m.q[QD_G].charge > q->ghost_cap)
        rc = ts_err_set(err, TS_EINTERNAL, "qdlp: G holds %llu units, over its %llu",
                        (unsigned long long)q->m.q[QD_G].charge,
                        (unsigned long long)q->ghost_cap);
    for (uint32_t id = q->m.q[QD_M].head; rc == 0 && full && id != TS__NIL;
         id = ts__qn(&q->m, id)->ln.next)
        if (ts__qn(&q->m, id)->cnt > q->cmax)
            rc = ts_err_set(err, TS_EINTERNAL, "qdlp: node %u on M counts %u, over %u", id,
                            ts__qn(&q->m, id)->cnt, q->cmax);
    return rc;
}

const ts_policy_ops_t ts_policy_qdlp = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "qdlp",
             .summary = "QD-LP-FIFO: probationary FIFO and ghost for quick demotion, main "
                        "FIFO with reinsertion for lazy promotion",
             .params = k_qdlp_params,
             .params_count = TS_PARAM_COUNT(k_qdlp_params),
             .params_size = sizeof(qdlp_params_t)},
    .create = qdlp_create,
    .destroy = qdlp_destroy,
    .lookup = qdlp_lookup,
    .insert = qdlp_insert,
    .evict = qdlp_evict,
    .remove = ts__mq_remove,
    .mem_bytes = qdlp_mem_bytes,
    .prefetch = ts__mq_prefetch,
    .check = qdlp_check,
};
