/* SPDX-License-Identifier: MIT */
/*
 * fifo.c - First-In First-Out eviction: the reference template for a policy.
 *
 * Decision rule:
 *   on hit:    nothing changes (order is insertion order only)
 *   on insert: the object goes to the head of the queue
 *   on evict:  the object at the tail (inserted longest ago) leaves
 * Cost: O(1) expected for every operation (ts_kidx index + id-linked list in a ts_pool).
 * Memory: a 16-byte node per object plus 5.7-11.4 bytes of index.
 *
 * Copy this file to start a new policy: keep the same sections and a comment on each hook.
 * Single-list policies reuse the compact ts__ccache base (clist_internal.h: 16-byte nodes,
 * sizes and a byte of state beside them) or, when a node needs more fields, the ts__lcache
 * base (list_internal.h); others keep their own pool, index and lists the same way.
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "clist_internal.h"

extern const ts_policy_ops_t ts_policy_fifo;

typedef struct fifo {
    ts__ccache_t lc; /* must be first: index, node pool, queue (head newest) */
} fifo_t;

/* FIFO has no parameters, so its schema is empty (params NULL, count 0). */

/* create: allocate the instance; the base sizes pool and index from the capacity in
 * objects mode so a run never rehashes. Undo through one label on failure. */
static int fifo_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                       ts_err_t *err)
{
    (void)params;
    *out = NULL;
    fifo_t *f = ts_calloc(1, sizeof(*f));
    if (!f)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate fifo");
    int rc = ts__ccache_init(&f->lc, &ts_policy_fifo, init, false, err);
    if (rc)
        goto fail;
    *out = &f->lc.base;
    return 0;
fail:
    ts_free(f);
    return rc;
}

/* destroy: free everything (the ts_policy_destroy wrapper accepts NULL). */
static void fifo_destroy(ts_policy_t *p)
{
    fifo_t *f = (fifo_t *)p;
    ts__ccache_fini(&f->lc);
    ts_free(f);
}

/* lookup: a hit changes nothing in FIFO, so touch is ignored. Never allocates. */
static bool fifo_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    fifo_t *f = (fifo_t *)p;
    (void)touch;
    return ts__cstore_find(&f->lc.st, r->key) != TS__NIL;
}

/* insert: the tier has made room; link a new node at the head. */
static int fifo_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    fifo_t *f = (fifo_t *)p;
    return ts__ccache_add(&f->lc, r, err) == TS__NIL ? TS_ENOMEM : 0;
}

/* evict: the tail is the oldest insertion. */
static int fifo_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    fifo_t *f = (fifo_t *)p;
    (void)r;
    if (f->lc.list.tail == TS__NIL)
        return TS_ENOENT;
    ts__ccache_drop(&f->lc, f->lc.list.tail, out);
    return 0;
}

/* remove: explicit deletion (a DELETE request). */
static bool fifo_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    return ts__ccache_remove(&((fifo_t *)p)->lc, key, out);
}

/* mem_bytes: heap held, for the memory-per-object benchmark. */
static size_t fifo_mem_bytes(const ts_policy_t *p)
{
    return ts__ccache_mem(&((const fifo_t *)p)->lc, sizeof(fifo_t));
}

/* The plug-in: base says what it is (name, summary, flags such as TS_POLICY_NEEDS_FUTURE,
 * parameter schema); one line in policies/registry.c lists it. */
const ts_policy_ops_t ts_policy_fifo = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "fifo",
             .summary = "first in, first out: evicts the oldest insertion; hits change nothing"},
    .create = fifo_create,
    .destroy = fifo_destroy,
    .lookup = fifo_lookup,
    .insert = fifo_insert,
    .evict = fifo_evict,
    .replace = ts__ccache_replace_tail,
    .remove = fifo_remove,
    .mem_bytes = fifo_mem_bytes,
    .prefetch = ts__ccache_prefetch,
    .check = ts__ccache_check, /* invariants: the base's list, index and pool agree */
};
