/* SPDX-License-Identifier: MIT */
/*
 * sieve.c - SIEVE: a FIFO queue, one visited bit per object and a hand that persists.
 *
 * Decision rule (head newest, tail oldest):
 *   on hit:    visited = 1 (no move)
 *   on insert: the object goes to the head with visited = 0
 *   on evict:  o = hand, or the tail when the hand is unset
 *              while o.visited: o.visited = 0; o = o.prev (towards the head), or the tail
 *                               after passing the head
 *              evict o; hand = o.prev (unset when o was the head)
 *   on remove: a removed object under the hand moves the hand to its prev, as an eviction
 * Unlike CLOCK, a retained object stays where it is, so new objects sit between the hand
 * and the head and are examined quickly (quick demotion), while survivors keep their place.
 * Cost: O(1) expected lookup/insert/remove; evict O(1) amortised (each step of the hand
 * clears a bit that a hit set). Memory: a 16-byte node and a visited byte per object, and
 * 5.7-11.4 bytes of index (clist_internal.h).
 * Paper: Zhang, Yang, Yue, Vigfusson, Rashmi, "SIEVE is Simpler than LRU: an Efficient
 * Turn-Key Eviction Algorithm for Web Caches", NSDI 2024.
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "clist_internal.h"

extern const ts_policy_ops_t ts_policy_sieve;

typedef struct sieve {
    ts__ccache_t lc; /* must be first: index, node pool, queue (head newest) */
    uint32_t hand;   /* next node to examine; TS__NIL: start at the tail */
} sieve_t;

/* Node id's visited bit (hit since the hand last passed; the store's byte per node). */
static inline uint8_t *sieve_visited(const sieve_t *s, uint32_t id)
{
    return &s->lc.st.meta[id];
}

static inline ts__cnode_t *sieve_node(const sieve_t *s, uint32_t id)
{
    return ts__cn(&s->lc.st, id);
}

static int sieve_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                        ts_err_t *err)
{
    (void)params;
    *out = NULL;
    sieve_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate sieve");
    int rc = ts__ccache_init(&s->lc, &ts_policy_sieve, init, true, err);
    if (rc)
        goto fail;
    s->hand = TS__NIL;
    *out = &s->lc.base;
    return 0;
fail:
    ts_free(s);
    return rc;
}

static void sieve_destroy(ts_policy_t *p)
{
    sieve_t *s = (sieve_t *)p;
    ts__ccache_fini(&s->lc);
    ts_free(s);
}

/* A touching hit only sets the visited bit. */
static bool sieve_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    sieve_t *s = (sieve_t *)p;
    uint32_t id = ts__cstore_find(&s->lc.st, r->key);
    if (id == TS__NIL)
        return false;
    if (touch)
        *sieve_visited(s, id) = 1;
    return true;
}

static int sieve_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    return ts__ccache_add(&((sieve_t *)p)->lc, r, err) == TS__NIL ? TS_ENOMEM : 0;
}

/* The victim: from the hand (else the tail) towards the head, the first object not
 * visited since the hand last passed, clearing the visited bits it passes; the hand then
 * rests on the victim's newer neighbour. The list must not be empty. */
static uint32_t sieve_victim(sieve_t *s)
{
    uint32_t id = s->hand != TS__NIL ? s->hand : s->lc.list.tail;
    for (;;) {
        if (!*sieve_visited(s, id))
            break;
        *sieve_visited(s, id) = 0;
        uint32_t prev = sieve_node(s, id)->prev;
        id = prev != TS__NIL ? prev : s->lc.list.tail;
    }
    s->hand = sieve_node(s, id)->prev;
    return id;
}

static int sieve_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    sieve_t *s = (sieve_t *)p;
    (void)r;
    if (s->lc.list.tail == TS__NIL)
        return TS_ENOENT;
    ts__ccache_drop(&s->lc, sieve_victim(s), out);
    return 0;
}

static int sieve_replace(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    sieve_t *s = (sieve_t *)p;
    if (s->lc.list.tail == TS__NIL)
        return TS_ENOENT;
    if (!ts__ccache_can_reuse(&s->lc, r))
        return TS_EUNSUPPORTED;
    ts__ccache_reuse(&s->lc, sieve_victim(s), r, out);
    return 0;
}

static bool sieve_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    sieve_t *s = (sieve_t *)p;
    uint32_t id = ts__cstore_find(&s->lc.st, key);
    if (id == TS__NIL)
        return false;
    if (id == s->hand)
        s->hand = sieve_node(s, id)->prev;
    ts__ccache_drop(&s->lc, id, out);
    return true;
}

/* The base's checks; walking, also visited bits of 0 or 1 and a hand that is unset or on
 * the queue. */
static int sieve_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                       ts_err_t *err)
{
    const sieve_t *s = (const sieve_t *)p;
    int rc = ts__ccache_check(p, n_objects, charge, full, err);
    if (rc || !full)
        return rc;
    bool hand_seen = s->hand == TS__NIL;
    for (uint32_t id = s->lc.list.head; id != TS__NIL; id = sieve_node(s, id)->next) {
        if (*sieve_visited(s, id) > 1)
            return ts_err_set(err, TS_EINTERNAL, "sieve: node %u has visited = %u", id,
                              *sieve_visited(s, id));
        hand_seen |= id == s->hand;
    }
    if (!hand_seen)
        return ts_err_set(err, TS_EINTERNAL, "sieve: the hand rests on node %u, not queued",
                          s->hand);
    return 0;
}

static size_t sieve_mem_bytes(const ts_policy_t *p)
{
    return ts__ccache_mem(&((const sieve_t *)p)->lc, sizeof(sieve_t));
}

const ts_policy_ops_t ts_policy_sieve = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "sieve",
             .summary = "SIEVE: FIFO with a visited bit and a persistent hand that evicts in "
                        "place"},
    .create = sieve_create,
    .destroy = sieve_destroy,
    .lookup = sieve_lookup,
    .insert = sieve_insert,
    .evict = sieve_evict,
    .replace = sieve_replace,
    .remove = sieve_remove,
    .mem_bytes = sieve_mem_bytes,
    .prefetch = ts__ccache_prefetch,
    .check = sieve_check,
};
