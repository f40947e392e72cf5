/* SPDX-License-Identifier: MIT */
/*
 * twoq.c - 2Q: a FIFO A1in of new objects, a ghost FIFO A1out of keys only, an LRU Am.
 *
 * c is the capacity, |Q| the sum of the charges on Q, kin = floor(kin_ratio * c) and
 * kout = floor(kout_ratio * c) (defaults 25% and 50%, the paper's suggested values).
 * Decision rule (the paper's "full version", heads newest):
 *   on hit in Am:    move to the head of Am
 *   on hit in A1in:  nothing (correlated references stay in A1in)
 *   on insert x:     if x in A1out: remove it there, x to the head of Am
 *                    else x to the head of A1in
 *   on evict:        if |A1in| > kin (or Am is empty): A1in's tail leaves, its key goes to
 *                    the head of A1out, whose tail falls off while |A1out| > kout
 *                    else Am's tail leaves (no ghost)
 * A key in A1out is taken out of it before the evictions its miss causes (as the paper's
 * reclaimfor runs after the A1out check, and libCacheSim's TwoQ does at lookup), so it
 * never counts against kout while its own miss pushes other keys in.
 * Am has no bound of its own: it holds what A1in does not (the paper's "reclaimfor"
 * evicts from Am exactly when |A1in| <= kin). libCacheSim's TwoQ also caps Am at c - kin
 * on a ghost hit, which never binds in objects mode (|A1in| >= kin whenever the cache is
 * full) but can in bytes mode.
 * Cost: O(1) expected per operation. Memory: a 32-byte node per cached or ghost key.
 * Paper: Johnson, Shasha, "2Q: A Low Overhead High Performance Buffer Management
 * Replacement Algorithm", VLDB 1994.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_twoq;

typedef struct twoq_params {
    double kin_ratio;  /* share of the capacity for A1in */
    double kout_ratio; /* share of the capacity A1out remembers */
} twoq_params_t;

static const ts_param_spec_t k_twoq_params[] = {
    {.name = "kin_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(twoq_params_t, kin_ratio),
     .min = 0,
     .max = 1,
     .def = "25%",
     .help = "share of the capacity for the FIFO A1in of new objects (Kin)"},
    {.name = "kout_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(twoq_params_t, kout_ratio),
     .min = 0,
     .max = 10,
     .def = "50%",
     .help = "charge of evicted keys the ghost FIFO A1out remembers, as a share of the "
             "capacity (Kout)"},
};

enum twoq_list { TQ_IN, TQ_OUT, TQ_AM, TQ_NLISTS };
static const char *const k_twoq_names[TQ_NLISTS] = {"A1in", "A1out", "Am"};

typedef struct twoq {
    ts__mq_t m;          /* must be first: index, pool, A1in, A1out, Am */
    uint64_t kin;        /* A1in's share, charge units */
    uint64_t kout;       /* most charge A1out keeps */
    uint64_t ghost_key;  /* key whose ghost the current miss took out of A1out */
    bool has_ghost_key;  /* ghost_key is valid */
} twoq_t;

static int twoq_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                       ts_err_t *err)
{
    twoq_params_t tp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_twoq, params, &tp, sizeof(tp), err);
    if (rc)
        return rc;
    if (!(tp.kin_ratio >= 0 && tp.kin_ratio <= 1) || !(tp.kout_ratio >= 0 && tp.kout_ratio <= 10))
        return ts_err_set(err, TS_EINVAL,
                          "twoq: kin_ratio must lie in [0, 1] and kout_ratio in [0, 10]");
    twoq_t *t = ts_calloc(1, sizeof(*t));
    if (!t)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate twoq");
    rc = ts__mq_init(&t->m, &ts_policy_twoq, init, sizeof(ts__qnode_t), TQ_NLISTS,
                     1u << TQ_IN | 1u << TQ_AM, k_twoq_names, 2, err);
    if (rc) {
        ts_free(t);
        return rc;
    }
    t->kin = (uint64_t)((double)init->capacity * tp.kin_ratio);
    t->kout = (uint64_t)((double)init->capacity * tp.kout_ratio);
    *out = &t->m.base;
    return 0;
}

static void twoq_destroy(ts_policy_t *p)
{
    twoq_t *t = (twoq_t *)p;
    ts__mq_fini(&t->m);
    ts_free(t);
}

/* A hit in Am makes it the most recently used; a hit in A1in changes nothing. */
static bool twoq_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    twoq_t *t = (twoq_t *)p;
    uint32_t id = ts__find(&t->m.index, &t->m.pool, r->key);
    if (id == TS__NIL || ts__qn(&t->m, id)->where == TQ_OUT)
        return false;
    if (touch && ts__qn(&t->m, id)->where == TQ_AM)
        ts__list_move_head(&t->m.pool, &t->m.q[TQ_AM], id);
    return true;
}

/* Takes r's key out of A1out, remembering that it was there. */
static void twoq_take_ghost(twoq_t *t, const ts_req_t *r)
{
    uint32_t id = ts__find(&t->m.index, &t->m.pool, r->key);
    if (id == TS__NIL || ts__qn(&t->m, id)->where != TQ_OUT)
        return;
    ts__mq_drop(&t->m, id, NULL);
    t->ghost_key = r->key;
    t->has_ghost_key = true;
}

static int twoq_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    twoq_t *t = (twoq_t *)p;
    uint32_t id = ts__find(&t->m.index, &t->m.pool, r->key);
    bool ghost = (t->has_ghost_key && t->ghost_key == r->key) ||
                 (id != TS__NIL && ts__qn(&t->m, id)->where == TQ_OUT);
    if (id != TS__NIL) { /* a ghost in A1out: reuse its node */
        ts__mq_unlink(&t->m, id);
        ts__qn(&t->m, id)->ln.size_bytes = r->size_bytes;
        ts__mq_push(&t->m, id, TQ_AM);
        t->has_ghost_key = false;
        return 0;
    }
    if (ts__mq_add(&t->m, r, ghost ? TQ_AM : TQ_IN, err) == TS__NIL)
        return TS_ENOMEM;
    t->has_ghost_key = false;
    return 0;
}

static int twoq_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    twoq_t *t = (twoq_t *)p;
    ts__list_t *in = &t->m.q[TQ_IN], *am = &t->m.q[TQ_AM];
    if (t->has_ghost_key && t->ghost_key != r->key)
        t->has_ghost_key = false; /* a miss that was never filled */
    twoq_take_ghost(t, r);
    if (in->tail != TS__NIL && (in->charge > t->kin || am->tail == TS__NIL)) {
        uint32_t id = in->tail;
        ts__qnode_t *n = ts__qn(&t->m, id);
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
        ts__mq_move(&t->m, id, TQ_OUT); /* the node stays as the ghost */
        ts__mq_trim(&t->m, TQ_OUT, t->kout);
        return 0;
    }
    if (am->tail == TS__NIL)
        return TS_ENOENT;
    ts__mq_drop(&t->m, am->tail, out);
    return 0;
}

static size_t twoq_mem_bytes(const ts_policy_t *p)
{
    return ts__mq_mem(&((const twoq_t *)p)->m, sizeof(twoq_t));
}

/* The mq checks, and A1out within kout. */
static int twoq_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                      ts_err_t *err)
{
    const twoq_t *t = (const twoq_t *)p;
    int rc = ts__mq_check(p, n_objects, charge, full, err);
    if (rc == 0 && t->m.q[TQ_OUT].charge > t->kout)
        rc = ts_err_set(err, TS_EINTERNAL, "twoq: A1out holds %llu units, over its %llu",
                        (unsigned long long)t->m.q[TQ_OUT].charge, (unsigned long long)t->kout);
    return rc;
}

const ts_policy_ops_t ts_policy_twoq = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "twoq",
             .summary = "2Q: FIFO A1in for new objects, ghost FIFO A1out, LRU Am for keys seen "
                        "again after leaving A1in",
             .params = k_twoq_params,
             .params_count = TS_PARAM_COUNT(k_twoq_params),
             .params_size = sizeof(twoq_params_t)},
    .create = twoq_create,
    .destroy = twoq_destroy,
    .lookup = twoq_lookup,
    .insert = twoq_insert,
    .evict = twoq_evict,
    .remove = ts__mq_remove,
    .mem_bytes = twoq_mem_bytes,
    .prefetch = ts__mq_prefetch,
    .check = twoq_check,
};
