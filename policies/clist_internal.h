/* SPDX-License-Identifier: MIT */
/*
 * clist_internal.h - compact lists: 16-byte nodes, a 4-byte-slot index and side arrays,
 * shared by LRU, FIFO, CLOCK, SIEVE (one list) and S3-FIFO, ARC (several lists, ghosts).
 *
 * The compact sibling of list_internal.h, which stays as it is for the other policies. A
 * node is only its key and two 32-bit links (ts__cnode_t, 16 bytes); what else an object
 * needs lives beside the pool, addressed by the same id:
 *   - a byte per node (meta) when the policy asks for it: CLOCK's counter, SIEVE's visited
 *     bit, the list holding the node (low TS__CWHERE_BITS bits) and S3-FIFO's counter;
 *   - the object's size: one value for every node while all sizes are equal (the usual
 *     objects-mode trace), an 8-byte array from the first differing size on.
 * The index is ts_kidx (sim/util/kidx.h). Lists are ts__list_t (list_internal.h): head
 * newest, tail oldest, count and charge. Every operation is O(1) expected.
 * Memory in objects mode, fixed sizes: 16 bytes of node, 1 byte of meta when asked, and an
 * index filled to at most TS__CLOAD_ONE (single list: probes as short as ts_ktab's, 5.7-11.4
 * bytes per key) or TS__CLOAD_GHOSTS percent (several lists with ghosts, which hold about
 * two keys per cached object: 5-10 bytes per key).
 */
#ifndef TS_POLICIES_CLIST_INTERNAL_H
#define TS_POLICIES_CLIST_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../sim/util/kidx.h"
#include "list_internal.h"

typedef struct ts__cnode {
    uint64_t key;  /* object key (must stay the first field) */
    uint32_t prev; /* towards the head, TS__NIL at the head */
    uint32_t next; /* towards the tail, TS__NIL at the tail */
} ts__cnode_t;

/* Nodes, index and side arrays of one policy. */
typedef struct ts__cstore {
    ts_pool_t pool;       /* ts__cnode_t per key (cached or ghost) */
    ts_kidx_t index;      /* key -> node id */
    uint8_t *meta;        /* a byte per node for the policy; NULL when it asked none */
    uint64_t *size_bytes; /* size per node; NULL while every node has size_same */
    uint64_t size_same;   /* the size of every node while size_bytes is NULL */
    uint32_t side_cap;    /* nodes the side arrays cover */
    bool has_meta;        /* the policy asked for meta */
    bool has_size;        /* size_same is set (a node was added) */
} ts__cstore_t;

#define TS__CWHERE_BITS 2
#define TS__CWHERE_MASK 3u
#define TS__CLISTS 4
#define TS__CLOAD_ONE 70    /* index load bound of the single-list base */
#define TS__CLOAD_GHOSTS 80 /* index load bound for policies with ghosts */

static inline ts__cnode_t *ts__cn(const ts__cstore_t *st, uint32_t id)
{
    return (ts__cnode_t *)ts_pool_at(&st->pool, id);
}

static inline uint64_t ts__cstore_size(const ts__cstore_t *st, uint32_t id)
{
    return st->size_bytes ? st->size_bytes[id] : st->size_same;
}

static inline uint32_t ts__cstore_find(const ts__cstore_t *st, uint64_t key)
{
    return ts_kidx_find(&st->index, key, st->pool.base, sizeof(ts__cnode_t));
}

/* The list a node is on (meta's low bits; multi-list policies). */
static inline int ts__cwhere(const ts__cstore_t *st, uint32_t id)
{
    return st->meta[id] & TS__CWHERE_MASK;
}

static inline void ts__clist_push_head(const ts__cstore_t *st, ts__list_t *l, uint32_t id)
{
    ts__cnode_t *n = ts__cn(st, id);
    n->prev = TS__NIL;
    n->next = l->head;
    if (l->head != TS__NIL)
        ts__cn(st, l->head)->prev = id;
    else
        l->tail = id;
    l->head = id;
    l->n++;
}

static inline void ts__clist_unlink(const ts__cstore_t *st, ts__list_t *l, uint32_t id)
{
    TS_ASSERT(l->n > 0);
    ts__cnode_t *n = ts__cn(st, id);
    if (n->prev != TS__NIL)
        ts__cn(st, n->prev)->next = n->next;
    else
        l->head = n->next;
    if (n->next != TS__NIL)
        ts__cn(st, n->next)->prev = n->prev;
    else
        l->tail = n->prev;
    l->n--;
}

/* Moves id (on l) to the head of l. */
static inline void ts__clist_move_head(const ts__cstore_t *st, ts__list_t *l, uint32_t id)
{
    if (l->head == id)
        return;
    ts__clist_unlink(st, l, id);
    ts__clist_push_head(st, l, id);
}

/* Sizes st for about expected keys (pool, and index filled to at most load_pct percent),
 * with a meta byte per node when has_meta. st must be zeroed; on failure frees what it
 * allocated and returns TS_ENOMEM. */
int ts__cstore_init(ts__cstore_t *st, uint64_t expected, uint32_t load_pct, bool has_meta,
                    ts_err_t *err);
void ts__cstore_fini(ts__cstore_t *st);
/* A new indexed node for key of size bytes, links unset, meta 0; TS__NIL with err filled
 * when memory runs out (st unchanged). */
uint32_t ts__cstore_add(ts__cstore_t *st, uint64_t key, uint64_t size_bytes, ts_err_t *err);
/* Unindexes and frees node id (already off its list). */
void ts__cstore_del(ts__cstore_t *st, uint32_t id);
/* Heap bytes of pool, index and side arrays. */
size_t ts__cstore_bytes(const ts__cstore_t *st);
/* Prefetch hook body: the key's index slot (stage 0), then its node (stage 1). */
void ts__cstore_prefetch(const ts__cstore_t *st, uint64_t key, int stage);

/* ---- several lists (S3-FIFO, ARC): the node's list in meta, charges kept here ---- */

/* Unlinks id from its list, taking its charge off that list. */
static inline void ts__cmulti_unlink(const ts_policy_t *p, ts__cstore_t *st, ts__list_t *l,
                                     uint32_t id)
{
    ts__list_t *q = &l[ts__cwhere(st, id)];
    uint64_t charge = ts_policy_charge(p, ts__cstore_size(st, id));
    ts__clist_unlink(st, q, id);
    TS_ASSERT(q->charge >= charge);
    q->charge -= charge;
}

/* Links id (unlinked) at the head of list where, adding its charge; meta's other bits stay. */
static inline void ts__cmulti_push(const ts_policy_t *p, ts__cstore_t *st, ts__list_t *l,
                                   uint32_t id, int where)
{
    st->meta[id] = (uint8_t)((st->meta[id] & ~TS__CWHERE_MASK) | (unsigned)where);
    ts__clist_push_head(st, &l[where], id);
    l[where].charge += ts_policy_charge(p, ts__cstore_size(st, id));
}

/* Unlinks, unindexes and frees id. */
void ts__cmulti_free(const ts_policy_t *p, ts__cstore_t *st, ts__list_t *l, uint32_t id);
/* A new node for r at the head of list where (meta: where, other bits 0); TS__NIL with err. */
uint32_t ts__cmulti_add(const ts_policy_t *p, ts__cstore_t *st, ts__list_t *l,
                        const ts_req_t *r, int where, ts_err_t *err);
/* A ghost cached again: id moves from its list to the head of list where with a new size.
 * Returns 0, or TS_ENOMEM (the first differing size needs the size array) with nothing
 * changed. */
int ts__cmulti_refill(const ts_policy_t *p, ts__cstore_t *st, ts__list_t *l, uint32_t id,
                      int where, uint64_t size_bytes, ts_err_t *err);
/* Reports node id in out (may be NULL). */
void ts__cstore_victim(const ts__cstore_t *st, uint32_t id, ts_victim_t *out);

/* ---- single-list compact cache (LRU, FIFO, CLOCK, SIEVE) ---- */

typedef struct ts__ccache {
    ts_policy_t base; /* must be first */
    ts__cstore_t st;  /* nodes, index, meta (CLOCK, SIEVE) */
    ts__list_t list;  /* head: newest */
} ts__ccache_t;

/* Initialises cc (already zeroed); has_meta asks for a byte per node. On failure frees
 * what it allocated and returns TS_ENOMEM. */
int ts__ccache_init(ts__ccache_t *cc, const ts_policy_ops_t *ops, const ts_policy_init_t *init,
                    bool has_meta, ts_err_t *err);
void ts__ccache_fini(ts__ccache_t *cc);
/* Links a new node for r at the head (meta 0); its id, or TS__NIL with err filled. */
uint32_t ts__ccache_add(ts__ccache_t *cc, const ts_req_t *r, ts_err_t *err);
/* Unlinks and frees node id, reporting it in out (may be NULL). */
void ts__ccache_drop(ts__ccache_t *cc, uint32_t id, ts_victim_t *out);
/* Whether r can take a victim's node in place (ts__ccache_reuse): its size can be kept
 * without allocating (the common size, or a size array exists). */
static inline bool ts__ccache_can_reuse(const ts__ccache_t *cc, const ts_req_t *r)
{
    const ts__cstore_t *st = &cc->st;
    return st->size_bytes || !st->has_size || r->size_bytes == st->size_same;
}
/* The replace op's second half: node id (the victim the policy chose) leaves, reported in
 * out, and r takes its node at the head (meta 0), as ts__ccache_drop then ts__ccache_add
 * would leave the list, index and charges; ts__ccache_can_reuse(cc, r) must hold. */
void ts__ccache_reuse(ts__ccache_t *cc, uint32_t id, const ts_req_t *r, ts_victim_t *out);
/* replace op of a policy that evicts the tail (LRU, FIFO). */
int ts__ccache_replace_tail(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out);
/* remove hook body: drops key when present. */
bool ts__ccache_remove(ts__ccache_t *cc, uint64_t key, ts_victim_t *out);
size_t ts__ccache_mem(const ts__ccache_t *cc, size_t self_size);
/* prefetch hook: the key's slot and node, the tail node, the one before it and the tail
 * key's slot. */
void ts__ccache_prefetch(const ts_policy_t *p, uint64_t key, int stage);
/* check op (CLOCK and SIEVE add their own fields' checks), as ts__lcache_check. */
int ts__ccache_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err);

/* ---- invariant checks, as their list_internal.h counterparts ---- */

/* The index holds one key per live node and n_nodes nodes are on the lists; with full,
 * also ts_kidx_check and ts_pool_check. */
int ts__cstore_check(const ts_policy_t *p, const ts__cstore_t *st, uint64_t n_nodes, bool full,
                     ts_err_t *err);
/* Walks list l (named what): links, length, each node live, covered by the side arrays and
 * indexed at its id; when
 * where >= 0 also each node's list in meta. Adds the charges of its nodes to *charge. */
int ts__clist_check(const ts_policy_t *p, const ts__cstore_t *st, const ts__list_t *l,
                    const char *what, int where, uint64_t *charge, ts_err_t *err);
/* ts__clist_check of the n lists named names (where = their position), and each list's
 * charge counter against its nodes. */
int ts__cmulti_check(const ts_policy_t *p, const ts__cstore_t *st, const ts__list_t *l,
                     const char *const *names, int n, ts_err_t *err);

#endif
