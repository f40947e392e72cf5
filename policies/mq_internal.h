/* SPDX-License-Identifier: MIT */
/*
 * mq_internal.h - the multi-queue cache base shared by 2Q, SLRU, QD-LP-FIFO and LRU-K: one
 * index and one node pool for cached and ghost keys, up to TS__MQ_MAX lists, and a mask
 * saying which lists hold cached objects (the others hold ghosts: keys without data).
 *
 * Every node is on exactly one list, named by its `where` tag, and each list keeps the sum
 * of its nodes' charges. The helpers keep the index, the lists and their charges in step,
 * so a policy only decides which list a node goes to. Every operation is O(1) expected;
 * the check is O(1), or O(n) when it walks every list.
 */
#ifndef TS_POLICIES_MQ_INTERNAL_H
#define TS_POLICIES_MQ_INTERNAL_H

#include "../sim/util/mem.h"
#include "../sim/util/rng.h"
#include "list_internal.h"

#define TS__MQ_MAX 17 /* lists: SLRU's 16 segments and one spare */

typedef struct ts__qnode {
    ts__lnode_t ln; /* must be first: key, size, links on its list */
    uint8_t where;  /* list it is on */
    uint8_t cnt;    /* the policy's counter (reference bits, hits) */
    uint16_t spare; /* zero */
    uint32_t aux;   /* the policy's extra field (heap position) */
} ts__qnode_t;

typedef struct ts__mq {
    ts_policy_t base;          /* must be first */
    ts_pool_t pool;            /* a ts__qnode_t, or a larger node starting with one */
    ts_ktab_t index;           /* key -> node id, cached and ghost keys */
    ts__list_t q[TS__MQ_MAX];  /* the lists; head newest */
    uint32_t n_lists;          /* lists in use */
    uint32_t cached_mask;      /* bit w set: list w holds cached objects */
    const char *const *names;  /* list names for check messages */
} ts__mq_t;

static inline ts__qnode_t *ts__qn(const ts__mq_t *m, uint32_t id)
{
    return (ts__qnode_t *)ts_pool_at(&m->pool, id);
}

static inline bool ts__mq_is_cached(const ts__mq_t *m, uint32_t id)
{
    return (m->cached_mask >> ts__qn(m, id)->where) & 1;
}

/* A second pair of links per node, beside a pool (LIRS's Q and N, CLOCK-Pro's cold ring):
 * at[id] for every id below cap, grown with the pool. */
typedef struct ts__qlink {
    uint32_t prev; /* TS__NIL at an end */
    uint32_t next;
} ts__qlink_t;

typedef struct ts__qlinks {
    ts__qlink_t *at; /* cap entries */
    uint32_t cap;    /* node ids covered */
} ts__qlinks_t;

/* Makes q cover ids below n (a pool's cap). Returns 0 or TS_ENOMEM (q unchanged). */
static inline int ts__qlinks_cover(ts__qlinks_t *q, uint32_t n, ts_err_t *err)
{
    if (n <= q->cap)
        return 0;
    ts__qlink_t *at = ts_realloc(q->at, (size_t)n * sizeof(*at));
    if (!at)
        return ts_err_set(err, TS_ENOMEM, "cannot grow a policy's second links to %u nodes", n);
    q->at = at;
    q->cap = n;
    return 0;
}

static inline void ts__qlinks_fini(ts__qlinks_t *q)
{
    ts_free(q->at);
    q->at = NULL;
    q->cap = 0;
}

static inline size_t ts__qlinks_bytes(const ts__qlinks_t *q)
{
    return (size_t)q->cap * sizeof(ts__qlink_t);
}

/* One draw of the sampling policies (Hyperbolic, LHD, Belady-Size): the splitmix64 stream
 * at *state steps once and its output, scaled by a 128-bit multiply, gives an index
 * uniform in [0, n) (bias below n / 2^64). */
static inline uint32_t ts__draw_below(uint64_t *state, uint32_t n)
{
    *state += 0x9e3779b97f4a7c15ULL;
    return (uint32_t)(((unsigned __int128)ts_mix64(*state) * n) >> 64);
}

/* Initialises m (already zeroed) with n_lists lists for nodes of node_size bytes, sized
 * for keys_per_unit index keys per unit of capacity in objects mode. Returns 0, or
 * TS_ENOMEM with what it allocated freed. */
int ts__mq_init(ts__mq_t *m, const ts_policy_ops_t *ops, const ts_policy_init_t *init,
                size_t node_size, uint32_t n_lists, uint32_t cached_mask,
                const char *const *names, uint32_t keys_per_unit, ts_err_t *err);
void ts__mq_fini(ts__mq_t *m);
/* Copies params (size bytes) into out, or the schema's defaults when params is NULL.
 * Returns 0 or the error of ts_param_defaults. */
int ts__mq_params(const ts_policy_ops_t *ops, const void *params, void *out, size_t size,
                  ts_err_t *err);
/* Unlinks node id from its list. */
void ts__mq_unlink(ts__mq_t *m, uint32_t id);
/* Links node id (on no list) at the head of list where. */
void ts__mq_push(ts__mq_t *m, uint32_t id, uint32_t where);
/* Moves node id from its list to the head of list where. */
void ts__mq_move(ts__mq_t *m, uint32_t id, uint32_t where);
/* A new node for r at the head of list where, counters zero; TS__NIL on failure (err
 * filled, nothing changed). */
uint32_t ts__mq_add(ts__mq_t *m, const ts_req_t *r, uint32_t where, ts_err_t *err);
/* Unlinks, unindexes and frees node id, reporting it in out (may be NULL). */
void ts__mq_drop(ts__mq_t *m, uint32_t id, ts_victim_t *out);
/* Drops the tails of list where while its charge exceeds cap (ghost lists). */
void ts__mq_trim(ts__mq_t *m, uint32_t where, uint64_t cap);
/* remove hook body: drops key when cached; ghosts are not cached and stay. */
bool ts__mq_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out);
size_t ts__mq_mem(const ts__mq_t *m, size_t self_size);
/* prefetch hook: the key's slot and node, and each list's tail. */
void ts__mq_prefetch(const ts_policy_t *p, uint64_t key, int stage);
/* check op body: the cached lists hold n_objects objects of charge units, the index one
 * key per node on a list; with full, every list's links, index entries, tags and charge. */
int ts__mq_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                 ts_err_t *err);

#endif
