/* SPDX-License-Identifier: MIT */
/*
 * arc.c - ARC, the Adaptive Replacement Cache.
 *
 * Four LRU lists (head most recent): T1 (seen once recently) and T2 (seen at least twice)
 * hold the cached objects; the ghost lists B1 and B2 hold only the keys of objects evicted
 * from T1 and T2. A target p for |T1| adapts to the ghost hits. c is the capacity.
 * Decision rule (x the requested key):
 *   hit in T1 or T2:  move x to the head of T2
 *   miss, x in B1:    p = min(c, p + max(|B2| / |B1|, 1))     (before any eviction)
 *   miss, x in B2:    p = max(0, p - max(|B1| / |B2|, 1))
 *   evict (REPLACE):  if |T1| >= 1 and (|T1| > p or (x in B2 and |T1| == p)):
 *                         move the tail of T1 to the head of B1
 *                     else move the tail of T2 to the head of B2 (the other list if empty)
 *   insert:           x from B1 or B2 goes to the head of T2, any other key to that of T1;
 *                     then trim ghosts: drop tails of B1 while |T1| + |B1| > c, then tails
 *                     of B2 (then of B1) while |T1| + |T2| + |B1| + |B2| > 2c
 * In objects mode this is exactly the paper's algorithm: trimming after the insert deletes
 * the same ghost that the paper's cases IV.A and IV.B delete before REPLACE, and an insert
 * into a full T1 (case IV.A with |T1| = c) drops the victim's fresh B1 entry again, as the
 * paper drops the T1 tail outright. The tier calls evict once per missing unit, with the
 * request; the adaptation runs once per request, at its first evict or at its insert.
 * Bytes mode (a generalisation, not in the paper): every |L| above is the sum of the charges
 * (sizes) on L, and a ghost hit moves p by the ratio times the charge of x, so p stays in
 * the units of |T1|; ghosts keep the size of the evicted object.
 * Ghost entries hold no data and never count against the tier's use; this file bounds them.
 * Cost: O(1) expected for every operation (one index over residents and ghosts). Memory: a
 * 16-byte node, a byte naming its list and 5-10 bytes of index per resident or ghost key
 * (clist_internal.h), at most 2c keys in objects mode.
 * Paper: Megiddo, Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST 2003.
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "clist_internal.h"

extern const ts_policy_ops_t ts_policy_arc;

enum arc_where { ARC_T1, ARC_T2, ARC_B1, ARC_B2, ARC_NLISTS };

/* Nodes are ts__cnode_t; meta holds the list of each (clist_internal.h). */
typedef struct arc {
    ts_policy_t base;        /* must be first */
    ts__cstore_t st;         /* a node per resident or ghost key, index, meta, sizes */
    ts__list_t l[ARC_NLISTS]; /* T1, T2, B1, B2; charge = sum of the charges of its nodes */
    double p;             /* target charge of T1, 0..c */
    uint64_t adapted_key; /* key whose ghost hit already moved p ... */
    bool has_adapted;     /* ... during the current request */
} arc_t;

static int arc_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                      ts_err_t *err)
{
    (void)params;
    *out = NULL;
    arc_t *a = ts_calloc(1, sizeof(*a));
    if (!a)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate arc");
    ts_policy_base_init(&a->base, &ts_policy_arc, init);
    for (int i = 0; i < ARC_NLISTS; i++)
        ts__list_init(&a->l[i]);
    /* Residents plus ghosts reach 2c keys in objects mode. */
    uint64_t hint = init->count_objects && init->capacity < (1u << 25) ? 2 * init->capacity : 1024;
    int rc = ts__cstore_init(&a->st, hint, TS__CLOAD_GHOSTS, true, err);
    if (rc) {
        ts_free(a);
        return rc;
    }
    *out = &a->base;
    return 0;
}

static void arc_destroy(ts_policy_t *p)
{
    arc_t *a = (arc_t *)p;
    ts__cstore_fini(&a->st);
    ts_free(a);
}

/* The node of key when it is a ghost (in B1 or B2), else TS__NIL. */
static uint32_t arc_ghost(const arc_t *a, uint64_t key)
{
    uint32_t id = ts__cstore_find(&a->st, key);
    return id != TS__NIL && ts__cwhere(&a->st, id) >= ARC_B1 ? id : TS__NIL;
}

/* Moves p on a ghost hit of r->key, once per request (cases II and III of the paper). */
static void arc_adapt(arc_t *a, const ts_req_t *r)
{
    if (a->has_adapted && a->adapted_key == r->key)
        return;
    a->has_adapted = true;
    a->adapted_key = r->key;
    uint32_t id = arc_ghost(a, r->key);
    if (id == TS__NIL)
        return;
    double c = (double)a->base.capacity;
    double b1 = (double)a->l[ARC_B1].charge, b2 = (double)a->l[ARC_B2].charge;
    double x = (double)ts_policy_charge(&a->base, r->size_bytes);
    if (ts__cwhere(&a->st, id) == ARC_B1) {
        double d = b1 > 0 && b2 > b1 ? b2 / b1 : 1.0;
        a->p = a->p + d * x < c ? a->p + d * x : c;
    } else {
        double d = b2 > 0 && b1 > b2 ? b1 / b2 : 1.0;
        a->p = a->p - d * x > 0 ? a->p - d * x : 0;
    }
}

static bool arc_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    arc_t *a = (arc_t *)p;
    if (touch)
        a->has_adapted = false; /* a touching lookup starts a new request */
    uint32_t id = ts__cstore_find(&a->st, r->key);
    if (id == TS__NIL || ts__cwhere(&a->st, id) >= ARC_B1)
        return false;
    if (touch && ts__cwhere(&a->st, id) == ARC_T2) /* already frequent: to the head */
        ts__clist_move_head(&a->st, &a->l[ARC_T2], id);
    else if (touch) {
        ts__cmulti_unlink(&a->base, &a->st, a->l, id);
        ts__cmulti_push(&a->base, &a->st, a->l, id, ARC_T2);
    }
    return true;
}

/* Drops ghost tails until |T1| + |B1| <= c and the directory holds at most 2c. */
static void arc_trim_ghosts(arc_t *a)
{
    uint64_t c = a->base.capacity;
    ts__list_t *t1 = &a->l[ARC_T1], *t2 = &a->l[ARC_T2];
    ts__list_t *b1 = &a->l[ARC_B1], *b2 = &a->l[ARC_B2];
    while (b1->tail != TS__NIL && t1->charge + b1->charge > c)
        ts__cmulti_free(&a->base, &a->st, a->l, b1->tail);
    uint64_t c2 = c > UINT64_MAX / 2 ? UINT64_MAX : 2 * c;
    while (t1->charge + t2->charge + b1->charge + b2->charge > c2) {
        if (b2->tail != TS__NIL)
            ts__cmulti_free(&a->base, &a->st, a->l, b2->tail);
        else if (b1->tail != TS__NIL)
            ts__cmulti_free(&a->base, &a->st, a->l, b1->tail);
        else
            break;
    }
}

static int arc_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    arc_t *a = (arc_t *)p;
    arc_adapt(a, r);
    a->has_adapted = false;
    uint32_t id = arc_ghost(a, r->key);
    if (id != TS__NIL) {
        /* A ghost hit: the key was seen twice recently, so it goes to T2. */
        int rc = ts__cmulti_refill(&a->base, &a->st, a->l, id, ARC_T2, r->size_bytes, err);
        if (rc)
            return rc;
    } else {
        if (ts__cmulti_add(&a->base, &a->st, a->l, r, ARC_T1, err) == TS__NIL)
            return TS_ENOMEM;
    }
    arc_trim_ghosts(a);
    return 0;
}

/* REPLACE(x, p): the victim's key stays behind as a ghost. */
static int arc_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    arc_t *a = (arc_t *)p;
    ts__list_t *t1 = &a->l[ARC_T1], *t2 = &a->l[ARC_T2];
    if (t1->tail == TS__NIL && t2->tail == TS__NIL)
        return TS_ENOENT;
    arc_adapt(a, r);
    uint32_t g = arc_ghost(a, r->key);
    bool in_b2 = g != TS__NIL && ts__cwhere(&a->st, g) == ARC_B2;
    double t1c = (double)t1->charge;
    bool from_t1 = t1->n > 0 && (t1c > a->p || (in_b2 && t1c >= a->p));
    if (t2->tail == TS__NIL)
        from_t1 = true;
    else if (t1->tail == TS__NIL)
        from_t1 = false;
    uint32_t id = from_t1 ? t1->tail : t2->tail;
    ts__cstore_victim(&a->st, id, out);
    ts__cmulti_unlink(&a->base, &a->st, a->l, id);
    ts__cmulti_push(&a->base, &a->st, a->l, id, from_t1 ? ARC_B1 : ARC_B2);
    return 0;
}

/* Removes a resident object (a delete); it leaves no ghost. Ghost keys are
 * not cached, so they report false and stay. */
static bool arc_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    arc_t *a = (arc_t *)p;
    uint32_t id = ts__cstore_find(&a->st, key);
    if (id == TS__NIL || ts__cwhere(&a->st, id) >= ARC_B1)
        return false;
    ts__cstore_victim(&a->st, id, out);
    ts__cmulti_free(&a->base, &a->st, a->l, id);
    return true;
}

/* T1 and T2 hold the cached objects, every key is on exactly one list, 0 <= p <= c, and
 * the ghost bounds hold between calls: |T1| + |B1| <= c, |T1| + |T2| + |B1| + |B2| <= 2c.
 * Walking: each list's links, index entries, charge counter and nodes' list tags. */
static int arc_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    static const char *const names[ARC_NLISTS] = {"T1", "T2", "B1", "B2"};
    const arc_t *a = (const arc_t *)p;
    const ts__list_t *l = a->l;
    uint64_t c = a->base.capacity, c2 = c > UINT64_MAX / 2 ? UINT64_MAX : 2 * c;
    int rc = ts__held_check(p, l[ARC_T1].n + l[ARC_T2].n,
                            l[ARC_T1].charge + l[ARC_T2].charge, n_objects, charge, err);
    if (rc == 0)
        rc = ts__cstore_check(p, &a->st,
                             l[ARC_T1].n + l[ARC_T2].n + l[ARC_B1].n + l[ARC_B2].n, full, err);
    if (rc == 0 && !(a->p >= 0 && a->p <= (double)c))
        rc = ts_err_set(err, TS_EINTERNAL, "arc: target p = %g outside [0, %llu]", a->p,
                        (unsigned long long)c);
    uint64_t t1b1 = l[ARC_T1].charge + l[ARC_B1].charge;
    uint64_t all = t1b1 + l[ARC_T2].charge + l[ARC_B2].charge;
    if (rc == 0 && (t1b1 > c || all > c2))
        rc = ts_err_set(err, TS_EINTERNAL,
                        "arc: |T1| + |B1| = %llu (at most %llu), all lists %llu (at most %llu)",
                        (unsigned long long)t1b1, (unsigned long long)c, (unsigned long long)all,
                        (unsigned long long)c2);
    if (rc == 0 && full)
        rc = ts__cmulti_check(p, &a->st, a->l, names, ARC_NLISTS, err);
    return rc;
}

static size_t arc_mem_bytes(const ts_policy_t *p)
{
    return sizeof(arc_t) + ts__cstore_bytes(&((const arc_t *)p)->st);
}

static void arc_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    ts__cstore_prefetch(&((const arc_t *)p)->st, key, stage);
}

const ts_policy_ops_t ts_policy_arc = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "arc",
             .summary = "ARC: recency (T1) and frequency (T2) lists balanced by ghost hits"},
    .create = arc_create,
    .destroy = arc_destroy,
    .lookup = arc_lookup,
    .insert = arc_insert,
    .evict = arc_evict,
    .remove = arc_remove,
    .mem_bytes = arc_mem_bytes,
    .prefetch = arc_prefetch,
    .check = arc_check,
};
