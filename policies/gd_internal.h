/* SPDX-License-Identifier: MIT */
/*
 * gd_internal.h - a 4-ary min-heap of (priority, tie) entries over pool nodes, and the
 * Greedy-Dual base that LFUDA and GDSF share on top of it.
 *
 * Heap: each entry names its node, and the node keeps its entry's position (a uint32_t at
 * pos_off bytes into the node), so a node's priority can change in place. The smallest
 * (priority, tie) is at the top; ties on priority go to the smaller tie (an older access
 * time: LRU among equals). Push, pop, update and delete are O(log n).
 * Lazy keys: where a hit can only raise an object's key (Greedy-Dual, LRU-K), the hit
 * records the new key in the node alone and the heap entry keeps the old, smaller one.
 * An eviction looks at the top: a stale entry takes its node's key and sinks, until the
 * top is current. Every other entry's key is at most its node's, and at least the top's,
 * so a current top is the true minimum: the victims are those of an eager heap, while a
 * hit costs O(1) and each object sinks at most once per stay at the top.
 * Greedy-Dual (Cao and Irani's GreedyDual-Size with frequency, as in Arlitt et al.'s
 * LFU-DA and Cherkasova's GDSF): every object has priority L + freq * cost / size, the
 * inflation L is the priority of the last victim, cost is 1 and size is 1 (LFUDA) or the
 * object's charge (GDSF).
 */
#ifndef TS_POLICIES_GD_INTERNAL_H
#define TS_POLICIES_GD_INTERNAL_H

#include "list_internal.h"

typedef struct ts__hentry {
    double prio;  /* priority: the smallest leaves first */
    uint64_t tie; /* among equal priorities, the smallest leaves first */
    uint32_t id;  /* its node */
} ts__hentry_t;

typedef struct ts__heap {
    ts__hentry_t *a;       /* entries, a[0] the smallest */
    uint32_t n;            /* entries in use */
    uint32_t cap;          /* entries allocated */
    const ts_pool_t *pool; /* the nodes the entries name (borrowed) */
    size_t pos_off;        /* offset of each node's uint32_t heap position */
} ts__heap_t;

/* An empty heap over pool's nodes with room for cap entries. 0 or TS_ENOMEM. */
int ts__heap_init(ts__heap_t *h, const ts_pool_t *pool, size_t pos_off, uint32_t cap,
                  ts_err_t *err);
void ts__heap_fini(ts__heap_t *h);
/* Room for n entries, so that pushes up to n never allocate. 0 or TS_ENOMEM (unchanged). */
int ts__heap_reserve(ts__heap_t *h, uint32_t n, ts_err_t *err);
/* Adds node id (room reserved). */
void ts__heap_push(ts__heap_t *h, double prio, uint64_t tie, uint32_t id);
/* Gives the entry at position i a new priority and tie. */
void ts__heap_update(ts__heap_t *h, uint32_t i, double prio, uint64_t tie);
/* Removes the entry at position i. */
void ts__heap_delete(ts__heap_t *h, uint32_t i);
/* Walks the heap: order, and every node's position naming its entry. 0 or TS_EINTERNAL. */
int ts__heap_check(const ts_policy_t *p, const ts__heap_t *h, ts_err_t *err);

/* ---- Greedy-Dual base: one node per object, on the heap by its priority ---- */

typedef struct ts__gd_node {
    uint64_t key;        /* must be first (ts_ktab) */
    uint64_t size_bytes; /* as inserted */
    double prio;         /* current priority (the heap entry may hold an older, smaller one) */
    uint64_t tie;        /* time of the last access */
    uint32_t freq;       /* requests while cached (saturates) */
    uint32_t hpos;       /* its heap entry */
} ts__gd_node_t;

typedef struct ts__gd {
    ts_policy_t base; /* must be first */
    ts_pool_t pool;   /* ts__gd_node_t per cached object */
    ts_ktab_t index;  /* key -> node id */
    ts__heap_t heap;  /* priority order */
    double inflation; /* L: the priority of the last victim */
    uint64_t clock;   /* touching lookups so far: the tie of the latest access */
    uint64_t charge;  /* sum of the objects' charges */
    bool by_size;     /* GDSF: divide by the charge */
} ts__gd_t;

/* The ops of a Greedy-Dual policy (p is a ts__gd_t). */
int ts__gd_create(const ts_policy_ops_t *ops, bool by_size, const ts_policy_init_t *init,
                  ts_policy_t **out, ts_err_t *err);
void ts__gd_destroy(ts_policy_t *p);
bool ts__gd_lookup(ts_policy_t *p, const ts_req_t *r, bool touch);
int ts__gd_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err);
int ts__gd_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out);
bool ts__gd_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out);
size_t ts__gd_mem_bytes(const ts_policy_t *p);
void ts__gd_prefetch(const ts_policy_t *p, uint64_t key, int stage);
int ts__gd_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                 ts_err_t *err);

#endif
