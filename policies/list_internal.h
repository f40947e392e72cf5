/* SPDX-License-Identifier: MIT */
/*
 * list_internal.h - doubly linked lists of pool nodes linked by 32-bit ids, shared by the
 * list-based policies (FIFO, LRU, CLOCK, SIEVE, S3-FIFO, ARC, LFU buckets).
 *
 * A list node starts with ts__lnode_t (key first, as ts_ktab requires); a policy that needs
 * more per-object state embeds it as the first member of its own node. The head is the
 * newest (or most recently used) end, the tail the oldest. Every operation is O(1).
 */
#ifndef TS_POLICIES_LIST_INTERNAL_H
#define TS_POLICIES_LIST_INTERNAL_H

#include <stdint.h>

#include "../sim/util/check.h"
#include "../sim/util/ktab.h"
#include "../sim/policy.h"
#include "../sim/util/pool.h"

#define TS__NIL UINT32_MAX

typedef struct ts__lnode {
    uint64_t key;        /* object key (must stay the first field) */
    uint64_t size_bytes; /* object size as inserted */
    uint32_t prev;       /* towards the head, TS__NIL at the head */
    uint32_t next;       /* towards the tail, TS__NIL at the tail */
} ts__lnode_t;

typedef struct ts__list {
    uint32_t head;   /* newest, TS__NIL when empty */
    uint32_t tail;   /* oldest, TS__NIL when empty */
    uint64_t n;      /* nodes on the list */
    uint64_t charge; /* sum of the charges of the nodes (kept by the caller) */
} ts__list_t;

static inline ts__lnode_t *ts__ln(const ts_pool_t *pool, uint32_t id)
{
    return (ts__lnode_t *)ts_pool_at(pool, id);
}

static inline void ts__list_init(ts__list_t *l)
{
    l->head = l->tail = TS__NIL;
    l->n = 0;
    l->charge = 0;
}

static inline void ts__list_push_head(const ts_pool_t *pool, ts__list_t *l, uint32_t id)
{
    ts__lnode_t *n = ts__ln(pool, id);
    n->prev = TS__NIL;
    n->next = l->head;
    if (l->head != TS__NIL)
        ts__ln(pool, l->head)->prev = id;
    else
        l->tail = id;
    l->head = id;
    l->n++;
}

static inline void ts__list_unlink(const ts_pool_t *pool, ts__list_t *l, uint32_t id)
{
    TS_ASSERT(l->n > 0);
    ts__lnode_t *n = ts__ln(pool, id);
    if (n->prev != TS__NIL)
        ts__ln(pool, n->prev)->next = n->next;
    else
        l->head = n->next;
    if (n->next != TS__NIL)
        ts__ln(pool, n->next)->prev = n->prev;
    else
        l->tail = n->prev;
    l->n--;
}

/* Moves id (on l) to the head of l. */
static inline void ts__list_move_head(const ts_pool_t *pool, ts__list_t *l, uint32_t id)
{
    if (l->head == id)
        return;
    ts__list_unlink(pool, l, id);
    ts__list_push_head(pool, l, id);
}

/* Finds key through the index; TS__NIL when absent. */
static inline uint32_t ts__find(const ts_ktab_t *t, const ts_pool_t *pool, uint64_t key)
{
    return ts_ktab_find(t, key, pool->base, pool->stride);
}

/* Prefetch hook body for a policy with one index and one node pool (policy.h). */
static inline void ts__prefetch(const ts_ktab_t *t, const ts_pool_t *pool, uint64_t key,
                                int stage)
{
    if (stage == 0)
        ts_ktab_prefetch(t, key);
    else
        ts_ktab_prefetch_node(t, key, pool->base, pool->stride);
}

/* ---- single-list cache base (policies/list.c): index + pool + one list ----
 * FIFO, LRU, CLOCK and SIEVE differ only in what a hit does and which node evict picks;
 * they embed ts__lcache_t first and share allocation, insertion and unlinking here. */

typedef struct ts__lcache {
    ts_policy_t base; /* must be first */
    ts_pool_t pool;   /* nodes: ts__lnode_t or a larger struct that starts with one */
    ts_ktab_t index;  /* key -> node id */
    ts__list_t list;  /* head: newest */
} ts__lcache_t;

/* Initialises lc (already zeroed) for nodes of node_size bytes. On failure frees what it
 * allocated and returns TS_ENOMEM. */
int ts__lcache_init(ts__lcache_t *lc, const ts_policy_ops_t *ops, const ts_policy_init_t *init,
                    size_t node_size, ts_err_t *err);
void ts__lcache_fini(ts__lcache_t *lc);
/* Links a new node for r at the head; returns its id (extra fields zeroed) or TS__NIL on
 * failure with err filled. */
uint32_t ts__lcache_add(ts__lcache_t *lc, const ts_req_t *r, ts_err_t *err);
/* Unlinks and frees node id, reporting it in out (may be NULL). */
void ts__lcache_drop(ts__lcache_t *lc, uint32_t id, ts_victim_t *out);
/* remove hook body: drops key when present. */
bool ts__lcache_remove(ts__lcache_t *lc, uint64_t key, ts_victim_t *out);
size_t ts__lcache_mem(const ts__lcache_t *lc, size_t self_size);
/* prefetch hook for the single-list policies. */
void ts__lcache_prefetch(const ts_policy_t *p, uint64_t key, int stage);

/* ---- invariant checks: the pieces of the policies' check ops (policy.h) ----
 * Each returns 0, or TS_EINTERNAL with err naming the policy and the broken invariant. */

/* The policy holds have_n objects of have_charge units; the tier counts n_objects of
 * charge. Also charge <= the policy's capacity. O(1). */
int ts__held_check(const ts_policy_t *p, uint64_t have_n, uint64_t have_charge,
                   uint64_t n_objects, uint64_t charge, ts_err_t *err);
/* The index holds one key per live pool node, and n_nodes nodes (cached and ghost) are on
 * the policy's lists or heaps. O(1); with full, also ts_ktab_check and ts_pool_check. */
int ts__index_check(const ts_policy_t *p, const ts_pool_t *pool, const ts_ktab_t *index,
                    uint64_t n_nodes, bool full, ts_err_t *err);
/* Walks list l (named what in messages), O(l->n): prev and next links agree, head and tail
 * are its ends, it holds exactly l->n nodes, each one live in the pool and indexed at its
 * id. Adds the charges of its nodes to *charge. */
int ts__list_check(const ts_policy_t *p, const ts_pool_t *pool, const ts_ktab_t *index,
                   const ts__list_t *l, const char *what, uint64_t *charge, ts_err_t *err);
/* check op of the single-list policies (p is a ts__lcache_t; CLOCK and SIEVE add their
 * own fields' checks): the list holds every cached object, its charge counter is their
 * charge, and the index and pool agree with it. */
int ts__lcache_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err);

/* ---- tagged-list cache base (policies/list.c): index + pool + up to four lists ----
 * ARC and CAR keep residents and ghost keys on four lists; each node records its list.
 * They embed ts__tcache_t first and share allocation, moves between lists (with the
 * lists' charges) and the walk of their check here. */

#define TS__TLISTS 4

typedef struct ts__tnode {
    ts__lnode_t ln; /* must be first: key, size, links within its list */
    uint8_t where;  /* the list holding it */
    uint8_t bit;    /* free for the policy (CAR's reference bit) */
} ts__tnode_t;

typedef struct ts__tcache {
    ts_policy_t base;         /* must be first */
    ts_pool_t pool;           /* ts__tnode_t per resident or ghost key */
    ts_ktab_t index;          /* key -> node id, residents and ghosts */
    ts__list_t l[TS__TLISTS]; /* charge = sum of the charges of its nodes */
} ts__tcache_t;

static inline ts__tnode_t *ts__tn(const ts__tcache_t *c, uint32_t id)
{
    return (ts__tnode_t *)ts_pool_at(&c->pool, id);
}

/* Initialises c (already zeroed), sized for 2c keys in objects mode; on failure frees what
 * it allocated and returns TS_ENOMEM. */
int ts__tcache_init(ts__tcache_t *c, const ts_policy_ops_t *ops, const ts_policy_init_t *init,
                    ts_err_t *err);
void ts__tcache_fini(ts__tcache_t *c);
/* Unlinks node id from its list. */
void ts__tcache_unlink(ts__tcache_t *c, uint32_t id);
/* Links node id (unlinked) at the head of list where. */
void ts__tcache_push(ts__tcache_t *c, uint32_t id, int where);
/* Unlinks, unindexes and frees node id. */
void ts__tcache_free(ts__tcache_t *c, uint32_t id);
/* A new node for r at the head of list where (bit clear); TS__NIL with err on failure. */
uint32_t ts__tcache_add(ts__tcache_t *c, const ts_req_t *r, int where, ts_err_t *err);
/* Removes key when it is on a list below n_cached (a resident), reporting it in out. */
bool ts__tcache_remove(ts__tcache_t *c, uint64_t key, int n_cached, ts_victim_t *out);
size_t ts__tcache_mem(const ts__tcache_t *c, size_t self_size);
void ts__tcache_prefetch(const ts_policy_t *p, uint64_t key, int stage);
/* Walks the n lists named names: links, index entries, charge counters and list tags. */
int ts__tcache_check_lists(const ts__tcache_t *c, const char *const *names, int n,
                           ts_err_t *err);

#endif
