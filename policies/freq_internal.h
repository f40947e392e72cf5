/* SPDX-License-Identifier: MIT */
/*
 * freq_internal.h - frequency buckets for the count-based experts (LeCaR's LFU, Cacheus's
 * CR-LFU): the cached objects grouped by request count, one FIFO per count (first to reach
 * it at the front), the buckets linked in increasing count. Empty buckets are freed. Also
 * the base both learned-expert policies build on (nodes, index, buckets, draws, weights).
 *
 * A policy embeds a ts__flink_t in its pool nodes and a ts__freq_t in its instance, and
 * keeps the bucket pool at least as large as its cached objects (ts__freq_reserve before
 * an insert), so a hit never allocates. Cost: O(1) per append, detach and bump; filing at
 * count f walks the buckets below f.
 */
#ifndef TS_POLICIES_FREQ_INTERNAL_H
#define TS_POLICIES_FREQ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/util/rng.h"
#include "list_internal.h"

typedef struct ts__flink {
    uint32_t prev;   /* towards the front of its bucket's FIFO, TS__NIL at the front */
    uint32_t next;   /* towards the back */
    uint32_t bucket; /* its bucket */
} ts__flink_t;

typedef struct ts__fbucket {
    uint64_t freq;   /* count of its objects */
    uint32_t lower;  /* next lower count's bucket, TS__NIL at the lowest */
    uint32_t higher; /* next higher, TS__NIL at the highest */
    uint32_t first;  /* first to reach this count */
    uint32_t last;   /* last to reach it */
    uint64_t n;      /* objects in it */
} ts__fbucket_t;

typedef struct ts__freq {
    ts_pool_t pool;         /* ts__fbucket_t */
    uint32_t lowest;        /* lowest count's bucket, TS__NIL when empty */
    const ts_pool_t *nodes; /* the policy's node pool (borrowed until fini) */
    size_t link_off;        /* offset of the ts__flink_t in a node */
} ts__freq_t;

static inline ts__fbucket_t *ts__fb(const ts__freq_t *f, uint32_t b)
{
    return (ts__fbucket_t *)ts_pool_at(&f->pool, b);
}

static inline ts__flink_t *ts__fl(const ts__freq_t *f, uint32_t id)
{
    return (ts__flink_t *)((char *)ts_pool_at(f->nodes, id) + f->link_off);
}

/* Sets f up for the nodes of pool nodes, whose link sits at link_off, with room for
 * initial buckets. Returns 0 or TS_ENOMEM (nothing left allocated). */
int ts__freq_init(ts__freq_t *f, const ts_pool_t *nodes, size_t link_off, uint32_t initial,
                  ts_err_t *err);
void ts__freq_fini(ts__freq_t *f);
/* Makes room for n buckets. Returns 0 or TS_ENOMEM. */
int ts__freq_reserve(ts__freq_t *f, uint32_t n, ts_err_t *err);
/* Files node id (in no bucket) at the back of count freq's FIFO; the pool has room. */
void ts__freq_file(ts__freq_t *f, uint32_t id, uint64_t freq);
/* Takes node id out of its bucket. */
void ts__freq_detach(ts__freq_t *f, uint32_t id);
/* Moves node id from count k to the back of count k + 1's FIFO (a hit). */
void ts__freq_bump(ts__freq_t *f, uint32_t id);
/* Node id's count. */
static inline uint64_t ts__freq_of(const ts__freq_t *f, uint32_t id)
{
    return ts__fb(f, ts__fl(f, id)->bucket)->freq;
}
/* The first (oldest) or last (newest) node of the lowest count; TS__NIL when empty. */
static inline uint32_t ts__freq_lowest(const ts__freq_t *f, bool newest)
{
    if (f->lowest == TS__NIL)
        return TS__NIL;
    const ts__fbucket_t *b = ts__fb(f, f->lowest);
    return newest ? b->last : b->first;
}
static inline size_t ts__freq_bytes(const ts__freq_t *f)
{
    return ts_pool_bytes(&f->pool);
}
/* Walks the buckets (O(objects)): increasing counts, FIFO links, no empty bucket, and n
 * objects in all. Returns 0 or TS_EINTERNAL naming p's policy and the fault. */
int ts__freq_check(const ts__freq_t *f, const ts_policy_t *p, uint64_t n, ts_err_t *err);

/* ---- the learned-experts base of LeCaR and Cacheus ----
 * What both keep beside their own lists: the nodes (a policy's node type, with its
 * ts__flink_t at link_off), the key index, the LFU-side buckets and the stream of the
 * expert draws. An instance starts with a ts__experts_t; create, destroy, mem_bytes and
 * prefetch are the ones here, node ids come from ts__experts_add and go back through
 * ts__experts_release, and the weights move by ts__experts_regret. */

typedef struct ts__experts {
    ts_policy_t base;  /* must be first */
    ts_pool_t pool;    /* the policy's nodes, each starting with its key */
    ts_ktab_t index;   /* key -> node id */
    ts__freq_t freq;   /* count buckets of the cached objects */
    gsl_rng *rng;      /* the expert draws (and any other draw of the policy) */
    size_t self_bytes; /* size of the whole instance */
} ts__experts_t;

/* A zeroed instance of self_bytes (>= sizeof(ts__experts_t)) for ops, with room for about
 * nodes nodes and buckets buckets, the stream seeded from init's seed. Returns 0 with *out
 * set, or TS_ENOMEM with nothing left allocated. */
int ts__experts_create(size_t self_bytes, const ts_policy_ops_t *ops,
                       const ts_policy_init_t *init, size_t node_bytes, size_t link_off,
                       uint32_t nodes, uint32_t buckets, ts__experts_t **out, ts_err_t *err);
/* destroy op: frees everything ts__experts_create made (accepts NULL). */
void ts__experts_destroy(ts_policy_t *p);
/* A new node indexed under key (its key field set, the rest as the pool left it); TS__NIL
 * with err filled when memory runs out (nothing changed). */
uint32_t ts__experts_add(ts__experts_t *x, uint64_t key, ts_err_t *err);
/* Unindexes and frees node id (off every list and bucket). */
void ts__experts_release(ts__experts_t *x, uint32_t id);
/* mem_bytes op: the instance, nodes, buckets and index. */
size_t ts__experts_mem_bytes(const ts_policy_t *p);
/* prefetch op: the key's index slot, then its node. */
void ts__experts_prefetch(const ts_policy_t *p, uint64_t key, int stage);
/* Regret: the weight of the expert that evicted a returning key (lru_regrets: the LRU-side
 * one) is multiplied by factor (in [0, 1]), then both are divided by their sum (0.5 each
 * when it is 0), so they again sum to 1. */
void ts__experts_regret(double *w_lru, double *w_lfu, bool lru_regrets, double factor);

#endif
