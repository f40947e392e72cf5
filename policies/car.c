/* SPDX-License-Identifier: MIT */
/*
 * car.c - CAR, CLOCK with Adaptive Replacement.
 *
 * ARC's structure with its two LRU lists of cached objects replaced by two CLOCKs: T1
 * (objects seen once recently) and T2 (seen at least twice), each object with a reference
 * bit; the ghost lists B1 and B2 are LRU lists of the keys evicted from T1 and T2. A target
 * p for |T1| adapts to ghost hits. c is the capacity. Lists here have their newest entry at
 * the head: a CLOCK's hand is the tail, its "tail" (where entries go) the head.
 * Decision rule (x the requested key):
 *   hit in T1 or T2:  ref(x) = 1; nothing moves
 *   evict (replace):  loop
 *                       if |T1| >= max(1, p):
 *                         hand of T1 with ref 0: its key goes to the head of B1; victim
 *                         else: ref = 0, it moves to the head of T2 (it was seen twice)
 *                       else:
 *                         hand of T2 with ref 0: its key goes to the head of B2; victim
 *                         else: ref = 0, it moves to the head of T2 (second chance)
 *                     (an empty T1 or T2 sends the hand to the other one)
 *   insert x:         x not a ghost: if |T1| + |B1| = c, the tail of B1 is dropped,
 *                                    else if |T1| + |T2| + |B1| + |B2| = 2c, that of B2;
 *                                    x goes to the head of T1, ref 0
 *                     x in B1: p = min(c, p + max(1, |B2| / |B1|)); x to the head of T2
 *                     x in B2: p = max(0, p - max(1, |B1| / |B2|)); x to the head of T2
 * In objects mode this is the paper's Figure 2 step for step: the tier calls evict once for
 * a miss in a full cache (the paper's replace), then insert; the ghost trim and p's
 * adaptation follow replace as in the paper (unlike ARC, CAR adapts after replacing).
 * Bytes mode (a generalisation, not in the paper): every |L| is the sum of the charges
 * (sizes) on L, the trims drop ghosts while |T1| + |B1| + x > c (then the whole directory
 * + x > 2c), and a ghost hit moves p by the ratio times the charge of x.
 * Ghost entries hold no data and never count against the tier's use; this file bounds them.
 * Cost: O(1) expected for lookup, insert and remove; evict O(1) amortised (each pass of the
 * hand clears a bit a hit set, or moves an object from T1 to T2 once). Memory: a 32-byte
 * node per resident or ghost key, at most 2c keys in objects mode.
 * Paper: Bansal, Modha, "CAR: Clock with Adaptive Replacement", FAST 2004, Figure 2.
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "list_internal.h"

extern const ts_policy_ops_t ts_policy_car;

enum car_where { CAR_T1, CAR_T2, CAR_B1, CAR_B2, CAR_NLISTS };

/* Nodes are ts__tnode_t: where is the list, bit the reference bit (T1 and T2 only). */
typedef struct car {
    ts__tcache_t tc; /* must be first: index, node pool, T1, T2, B1, B2 */
    double p;        /* target charge of T1, 0..c */
} car_t;

static int car_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                      ts_err_t *err)
{
    (void)params;
    *out = NULL;
    car_t *a = ts_calloc(1, sizeof(*a));
    if (!a)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate car");
    int rc = ts__tcache_init(&a->tc, &ts_policy_car, init, err);
    if (rc) {
        ts_free(a);
        return rc;
    }
    *out = &a->tc.base;
    return 0;
}

static void car_destroy(ts_policy_t *p)
{
    car_t *a = (car_t *)p;
    ts__tcache_fini(&a->tc);
    ts_free(a);
}

/* Moves node id to the head of list where with its reference bit clear. */
static void car_move(car_t *a, uint32_t id, int where)
{
    ts__tcache_unlink(&a->tc, id);
    ts__tn(&a->tc, id)->bit = 0;
    ts__tcache_push(&a->tc, id, where);
}

/* A touching hit sets the reference bit; a ghost key is not cached. */
static bool car_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    car_t *a = (car_t *)p;
    uint32_t id = ts__find(&a->tc.index, &a->tc.pool, r->key);
    if (id == TS__NIL || ts__tn(&a->tc, id)->where >= CAR_B1)
        return false;
    if (touch)
        ts__tn(&a->tc, id)->bit = 1;
    return true;
}

/* Lines 5-6 of the paper's Figure 2, for a new key of charge x. */
static void car_trim_ghosts(car_t *a, uint64_t x)
{
    uint64_t c = a->tc.base.capacity, c2 = c > UINT64_MAX / 2 ? UINT64_MAX : 2 * c;
    ts__list_t *t1 = &a->tc.l[CAR_T1], *t2 = &a->tc.l[CAR_T2];
    ts__list_t *b1 = &a->tc.l[CAR_B1], *b2 = &a->tc.l[CAR_B2];
    if (b1->tail != TS__NIL && t1->charge + b1->charge + x > c) {
        while (b1->tail != TS__NIL && t1->charge + b1->charge + x > c)
            ts__tcache_free(&a->tc, b1->tail);
        return;
    }
    while (b2->tail != TS__NIL && t1->charge + t2->charge + b1->charge + b2->charge + x > c2)
        ts__tcache_free(&a->tc, b2->tail);
}

static int car_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    car_t *a = (car_t *)p;
    uint64_t x = ts_policy_charge(&a->tc.base, r->size_bytes);
    uint32_t id = ts__find(&a->tc.index, &a->tc.pool, r->key);
    if (id == TS__NIL) {
        car_trim_ghosts(a, x);
        return ts__tcache_add(&a->tc, r, CAR_T1, err) == TS__NIL ? TS_ENOMEM : 0;
    }
    /* A ghost hit (the tier inserts only absent keys): adapt p, then x goes to T2. */
    double c = (double)a->tc.base.capacity;
    double b1 = (double)a->tc.l[CAR_B1].charge, b2 = (double)a->tc.l[CAR_B2].charge;
    if (ts__tn(&a->tc, id)->where == CAR_B1) {
        double d = b2 > b1 ? b2 / b1 : 1.0;
        a->p = a->p + d * (double)x < c ? a->p + d * (double)x : c;
    } else {
        double d = b1 > b2 ? b1 / b2 : 1.0;
        a->p = a->p - d * (double)x > 0 ? a->p - d * (double)x : 0;
    }
    ts__tcache_unlink(&a->tc, id);
    ts__tn(&a->tc, id)->ln.size_bytes = r->size_bytes;
    ts__tcache_push(&a->tc, id, CAR_T2);
    return 0;
}

/* replace: the hand turns until it finds an unreferenced object; its key stays as a ghost. */
static int car_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    car_t *a = (car_t *)p;
    ts__list_t *t1 = &a->tc.l[CAR_T1], *t2 = &a->tc.l[CAR_T2];
    (void)r;
    if (t1->tail == TS__NIL && t2->tail == TS__NIL)
        return TS_ENOENT;
    for (;;) {
        double want = a->p > 1 ? a->p : 1;
        bool from_t1 = t2->tail == TS__NIL || (t1->tail != TS__NIL && (double)t1->charge >= want);
        uint32_t id = from_t1 ? t1->tail : t2->tail;
        ts__tnode_t *n = ts__tn(&a->tc, id);
        if (n->bit) {
            car_move(a, id, CAR_T2);
            continue;
        }
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
        car_move(a, id, from_t1 ? CAR_B1 : CAR_B2);
        return 0;
    }
}

/* Removes a resident object (a delete); it leaves no ghost. Ghost keys are not cached, so
 * they report false and stay. */
static bool car_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    return ts__tcache_remove(&((car_t *)p)->tc, key, CAR_B1, out);
}

/* T1 and T2 hold the cached objects, every key is on exactly one list, 0 <= p <= c, the
 * directory holds at most 2c in objects mode, and ghosts carry no reference bit. Walking:
 * each list's links, index entries, charge counter, list tags and reference bits. */
static int car_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    static const char *const names[CAR_NLISTS] = {"T1", "T2", "B1", "B2"};
    const car_t *a = (const car_t *)p;
    const ts__list_t *l = a->tc.l;
    uint64_t c = p->capacity, c2 = c > UINT64_MAX / 2 ? UINT64_MAX : 2 * c;
    int rc = ts__held_check(p, l[CAR_T1].n + l[CAR_T2].n, l[CAR_T1].charge + l[CAR_T2].charge,
                            n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &a->tc.pool, &a->tc.index,
                             l[CAR_T1].n + l[CAR_T2].n + l[CAR_B1].n + l[CAR_B2].n, full, err);
    if (rc == 0 && !(a->p >= 0 && a->p <= (double)c))
        rc = ts_err_set(err, TS_EINTERNAL, "car: target p = %g outside [0, %llu]", a->p,
                        (unsigned long long)c);
    uint64_t all = l[CAR_T1].charge + l[CAR_T2].charge + l[CAR_B1].charge + l[CAR_B2].charge;
    if (rc == 0 && p->count_objects && all > c2)
        rc = ts_err_set(err, TS_EINTERNAL, "car: all lists hold %llu keys (at most %llu)",
                        (unsigned long long)all, (unsigned long long)c2);
    if (rc || !full)
        return rc;
    rc = ts__tcache_check_lists(&a->tc, names, CAR_NLISTS, err);
    for (int w = 0; rc == 0 && w < CAR_NLISTS; w++)
        for (uint32_t id = l[w].head; rc == 0 && id != TS__NIL; id = ts__tn(&a->tc, id)->ln.next)
            if (ts__tn(&a->tc, id)->bit > (w < CAR_B1))
                rc = ts_err_set(err, TS_EINTERNAL, "car: node %u on %s has reference bit %u", id,
                                names[w], ts__tn(&a->tc, id)->bit);
    return rc;
}

static size_t car_mem_bytes(const ts_policy_t *p)
{
    return ts__tcache_mem(&((const car_t *)p)->tc, sizeof(car_t));
}

const ts_policy_ops_t ts_policy_car = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "car",
             .summary = "CAR: ARC's adaptation over two CLOCKs (reference bits, no move on a "
                        "hit)"},
    .create = car_create,
    .destroy = car_destroy,
    .lookup = car_lookup,
    .insert = car_insert,
    .evict = car_evict,
    .remove = car_remove,
    .mem_bytes = car_mem_bytes,
    .prefetch = ts__tcache_prefetch,
    .check = car_check,
};
