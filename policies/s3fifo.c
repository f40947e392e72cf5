/* SPDX-License-Identifier: MIT */
/*
 * s3fifo.c - S3-FIFO: a small FIFO S, a main FIFO M and a ghost FIFO G of keys only.
 *
 * c is the capacity, |Q| the sum of the charges on Q, small = small_ratio * c,
 * thr = move_to_main_threshold (default 2). Each object has a counter freq in 0..3.
 * Decision rule (heads newest, tails oldest):
 *   on hit (S or M):  freq = min(freq + 1, 3)
 *   on insert x:      if x in G: remove x from G, insert x at the head of M
 *                     else insert x at the head of S;                        freq = 0
 *   on evict:         loop
 *                       if S not empty and (|S| >= small or M empty):
 *                         t = tail of S
 *                         if t.freq >= thr: move t to the head of M, t.freq = 0; again
 *                         else: move t's key to the head of G; t is the victim; stop
 *                       else if M not empty:
 *                         t = tail of M
 *                         if t.freq > 0: t.freq -= 1, move t to the head of M; again
 *                         else: t is the victim; stop
 *   G keeps at most c - small of charge (the size of M): its tail leaves first.
 * The paper (Algorithm 1) promotes from S when freq > 1, i.e. on at least two hits while
 * in S; that is thr = 2, also libCacheSim's default move-to-main-threshold. A promoted
 * object starts M with a zero counter, as the authors describe it and libCacheSim does.
 * New objects go to S even before the cache first fills, as in the paper (libCacheSim's
 * later S3FIFO.c sends them to M once S is full).
 * Differences from the paper: an evict call returns exactly one victim, so a promotion
 * into a full M does not evict from M at once; M simply holds what S does not, and the next
 * eviction with |S| < small takes from M. The tier, not the policy, bounds the total.
 * Cost: O(1) expected for lookup/insert/remove; evict O(1) amortised (each extra step
 * consumes a count a hit gave, or moves an object from S to M once). Memory: a 16-byte
 * node, a byte of queue and counter and 5-10 bytes of index per cached or ghost key
 * (clist_internal.h).
 * Paper: Yang, Zhang, Qiu, Yue, Rashmi, "FIFO queues are all you need for cache eviction",
 * SOSP 2023.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "clist_internal.h"

extern const ts_policy_ops_t ts_policy_s3fifo;

typedef struct s3fifo_params {
    double small_ratio;             /* share of the capacity for S */
    int64_t move_to_main_threshold; /* hits in S needed to move to M at eviction */
} s3fifo_params_t;

static const ts_param_spec_t k_s3fifo_params[] = {
    {.name = "small_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(s3fifo_params_t, small_ratio),
     .min = 0,
     .max = 1,
     .def = "10%",
     .help = "share of the capacity for the small FIFO of new objects"},
    {.name = "move_to_main_threshold",
     .type = TS_PT_INT,
     .offset = offsetof(s3fifo_params_t, move_to_main_threshold),
     .min = 1,
     .max = 3,
     .def = "2",
     .help = "hits while in the small FIFO that move an object to the main FIFO"},
};

enum s3fifo_where { S3_S, S3_M, S3_G, S3_NLISTS };

typedef struct s3fifo {
    ts_policy_t base;        /* must be first */
    ts__cstore_t st;         /* a node per cached or ghost key; meta: queue, freq << 2 */
    ts__list_t q[S3_NLISTS]; /* S, M, G; charge = sum of charges */
    double small;            /* target charge of S */
    uint64_t ghost_cap;      /* most charge G keeps: c - small */
    uint8_t thr;             /* move_to_main_threshold */
} s3fifo_t;

/* Node id's counter, 0..3, in the bits of its meta byte above the queue. */
static inline unsigned s3fifo_freq(const s3fifo_t *s, uint32_t id)
{
    return s->st.meta[id] >> TS__CWHERE_BITS;
}

static inline void s3fifo_set_freq(s3fifo_t *s, uint32_t id, unsigned freq)
{
    s->st.meta[id] = (uint8_t)((s->st.meta[id] & TS__CWHERE_MASK) | freq << TS__CWHERE_BITS);
}

static int s3fifo_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                         ts_err_t *err)
{
    s3fifo_params_t sp;
    int rc = 0;
    *out = NULL;
    if (params) /* NULL params: the schema's defaults */
        sp = *(const s3fifo_params_t *)params;
    else if ((rc = ts_param_defaults(k_s3fifo_params, TS_PARAM_COUNT(k_s3fifo_params), &sp,
                                     sizeof(sp), err)) != 0)
        return rc;
    if (!(sp.small_ratio >= 0 && sp.small_ratio <= 1) || sp.move_to_main_threshold < 1 ||
        sp.move_to_main_threshold > 3)
        return ts_err_set(err, TS_EINVAL,
                          "s3fifo: small_ratio must lie in [0, 1] and move_to_main_threshold "
                          "in 1..3");
    s3fifo_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate s3fifo");
    ts_policy_base_init(&s->base, &ts_policy_s3fifo, init);
    for (int i = 0; i < S3_NLISTS; i++)
        ts__list_init(&s->q[i]);
    s->small = sp.small_ratio * (double)init->capacity;
    s->ghost_cap = init->capacity - (uint64_t)s->small;
    s->thr = (uint8_t)sp.move_to_main_threshold;
    /* Cached objects plus ghosts reach about 2c keys in objects mode. */
    uint64_t hint = init->count_objects && init->capacity < (1u << 25) ? 2 * init->capacity : 1024;
    rc = ts__cstore_init(&s->st, hint, TS__CLOAD_GHOSTS, true, err);
    if (rc) {
        ts_free(s);
        return rc;
    }
    *out = &s->base;
    return 0;
}

static void s3fifo_destroy(ts_policy_t *p)
{
    s3fifo_t *s = (s3fifo_t *)p;
    ts__cstore_fini(&s->st);
    ts_free(s);
}

static void s3fifo_unlink(s3fifo_t *s, uint32_t id)
{
    ts__cmulti_unlink(&s->base, &s->st, s->q, id);
}

static void s3fifo_push(s3fifo_t *s, uint32_t id, int where)
{
    ts__cmulti_push(&s->base, &s->st, s->q, id, where);
}

static void s3fifo_free(s3fifo_t *s, uint32_t id)
{
    ts__cmulti_free(&s->base, &s->st, s->q, id);
}

static void s3fifo_trim_ghosts(s3fifo_t *s)
{
    ts__list_t *g = &s->q[S3_G];
    while (g->tail != TS__NIL && g->charge > s->ghost_cap)
        s3fifo_free(s, g->tail);
}

/* A touching hit raises the 2-bit counter; nothing moves. */
static bool s3fifo_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    s3fifo_t *s = (s3fifo_t *)p;
    uint32_t id = ts__cstore_find(&s->st, r->key);
    if (id == TS__NIL || ts__cwhere(&s->st, id) == S3_G)
        return false;
    if (touch && s3fifo_freq(s, id) < 3)
        s3fifo_set_freq(s, id, s3fifo_freq(s, id) + 1);
    return true;
}

/* A key remembered in G goes straight to M; any other to S. */
static int s3fifo_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    s3fifo_t *s = (s3fifo_t *)p;
    uint32_t id = ts__cstore_find(&s->st, r->key);
    if (id != TS__NIL) { /* a ghost: the key is not cached */
        int rc = ts__cmulti_refill(&s->base, &s->st, s->q, id, S3_M, r->size_bytes, err);
        if (rc == 0)
            s3fifo_set_freq(s, id, 0);
        return rc;
    }
    return ts__cmulti_add(&s->base, &s->st, s->q, r, S3_S, err) == TS__NIL ? TS_ENOMEM : 0;
}

static int s3fifo_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    s3fifo_t *s = (s3fifo_t *)p;
    ts__list_t *sq = &s->q[S3_S], *mq = &s->q[S3_M];
    (void)r;
    for (;;) {
        if (sq->tail != TS__NIL && ((double)sq->charge >= s->small || mq->tail == TS__NIL)) {
            uint32_t id = sq->tail;
            s3fifo_unlink(s, id);
            if (s3fifo_freq(s, id) >= s->thr) {
                s3fifo_set_freq(s, id, 0);
                s3fifo_push(s, id, S3_M);
                continue;
            }
            ts__cstore_victim(&s->st, id, out);
            s3fifo_push(s, id, S3_G); /* the node stays as the ghost entry */
            s3fifo_trim_ghosts(s);
            return 0;
        }
        if (mq->tail == TS__NIL)
            return TS_ENOENT;
        uint32_t id = mq->tail;
        if (s3fifo_freq(s, id) > 0) {
            s3fifo_set_freq(s, id, s3fifo_freq(s, id) - 1);
            ts__clist_move_head(&s->st, mq, id);
            continue;
        }
        ts__cstore_victim(&s->st, id, out);
        s3fifo_free(s, id);
        return 0;
    }
}

/* Removes a cached object; ghost keys are not cached and stay. */
static bool s3fifo_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    s3fifo_t *s = (s3fifo_t *)p;
    uint32_t id = ts__cstore_find(&s->st, key);
    if (id == TS__NIL || ts__cwhere(&s->st, id) == S3_G)
        return false;
    ts__cstore_victim(&s->st, id, out);
    s3fifo_free(s, id);
    return true;
}

/* S and M hold the cached objects, G at most ghost_cap of charge; every key is on exactly
 * one queue. Walking: each queue's links, index entries, charge counter, and each node's
 * queue tag and counter (0..3). */
static int s3fifo_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                        ts_err_t *err)
{
    static const char *const names[S3_NLISTS] = {"S", "M", "G"};
    const s3fifo_t *s = (const s3fifo_t *)p;
    const ts__list_t *q = s->q;
    int rc = ts__held_check(p, q[S3_S].n + q[S3_M].n, q[S3_S].charge + q[S3_M].charge,
                            n_objects, charge, err);
    if (rc == 0)
        rc = ts__cstore_check(p, &s->st, q[S3_S].n + q[S3_M].n + q[S3_G].n, full, err);
    if (rc == 0 && q[S3_G].charge > s->ghost_cap)
        rc = ts_err_set(err, TS_EINTERNAL, "s3fifo: G holds %llu units, over its %llu",
                        (unsigned long long)q[S3_G].charge, (unsigned long long)s->ghost_cap);
    if (rc == 0 && full)
        rc = ts__cmulti_check(p, &s->st, q, names, S3_NLISTS, err);
    for (int w = 0; rc == 0 && full && w < S3_NLISTS; w++)
        for (uint32_t id = q[w].head; rc == 0 && id != TS__NIL; id = ts__cn(&s->st, id)->next)
            if (s3fifo_freq(s, id) > 3)
                rc = ts_err_set(err, TS_EINTERNAL, "s3fifo: node %u on %s has freq %u", id,
                                names[w], s3fifo_freq(s, id));
    return rc;
}

static size_t s3fifo_mem_bytes(const ts_policy_t *p)
{
    const s3fifo_t *s = (const s3fifo_t *)p;
    return sizeof(*s) + ts__cstore_bytes(&s->st);
}

/* Besides the key's slot and node, warms what the next evictions will touch: the tails of
 * S, M and G, the nodes before them, and the index slot of the ghost due to expire. */
static void s3fifo_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const s3fifo_t *x = (const s3fifo_t *)p;
    ts__cstore_prefetch(&x->st, key, stage);
    for (int q = 0; q < S3_NLISTS; q++) {
        uint32_t t = x->q[q].tail;
        if (t == TS__NIL)
            continue;
        if (stage == 0) {
            __builtin_prefetch(ts__cn(&x->st, t));
            continue;
        }
        const ts__cnode_t *n = ts__cn(&x->st, t);
        if (n->prev != TS__NIL)
            __builtin_prefetch(ts__cn(&x->st, n->prev));
        if (q != S3_S)
            ts_kidx_prefetch(&x->st.index, n->key);
    }
}

const ts_policy_ops_t ts_policy_s3fifo = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "s3fifo",
             .summary = "S3-FIFO: small FIFO filters one-hit wonders, main FIFO with 2-bit "
                        "reinsertion",
             .params = k_s3fifo_params,
             .params_count = TS_PARAM_COUNT(k_s3fifo_params),
             .params_size = sizeof(s3fifo_params_t)},
    .create = s3fifo_create,
    .destroy = s3fifo_destroy,
    .lookup = s3fifo_lookup,
    .insert = s3fifo_insert,
    .evict = s3fifo_evict,
    .remove = s3fifo_remove,
    .mem_bytes = s3fifo_mem_bytes,
    .prefetch = s3fifo_prefetch,
    .check = s3fifo_check,
};
