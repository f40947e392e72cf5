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

typedef struct car_node {
    ts__lnode_t ln; /* must be first: key, size, links within its list */
    uint8_t where;  /* car_where: the list holding it */
    uint8_t ref;    /* reference bit (T1 and T2 only) */
} car_node_t;

typedef struct car {
    ts_policy_t base;         /* must be first */
    ts_pool_t pool;           /* car_node_t per resident or ghost key */
    ts_ktab_t index;          /* key -> node id, residents and ghosts */
    ts__list_t l[CAR_NLISTS]; /* T1, T2, B1, B2; charge = sum of charges */
    double p;                 /* target charge of T1, 0..c */
} car_t;

static inline car_node_t *car_node(const car_t *a, uint32_t id)
{
    return (car_node_t *)ts_pool_at(&a->pool, id);
}

static inline uint64_t car_charge(const car_t *a, const car_node_t *n)
{
    return ts_policy_charge(&a->base, n->ln.size_bytes);
}

static int car_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                      ts_err_t *err)
{
    (void)params;
    *out = NULL;
    car_t *a = ts_calloc(1, sizeof(*a));
    if (!a)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate car");
    ts_policy_base_init(&a->base, &ts_policy_car, init);
    for (int i = 0; i < CAR_NLISTS; i++)
        ts__list_init(&a->l[i]);
    /* Residents plus ghosts reach 2c keys in objects mode. */
    uint64_t hint = init->count_objects && init->capacity < (1u << 25) ? 2 * init->capacity : 1024;
    int rc = ts_pool_init(&a->pool, sizeof(car_node_t), (uint32_t)hint + 1, err);
    if (rc)
        goto fail;
    rc = ts_ktab_init(&a->index, hint, err);
    if (rc)
        goto fail;
    *out = &a->base;
    return 0;
fail:
    ts_pool_free_all(&a->pool);
    ts_free(a);
    return rc;
}

static void car_destroy(ts_policy_t *p)
{
    car_t *a = (car_t *)p;
    ts_ktab_free(&a->index);
    ts_pool_free_all(&a->pool);
    ts_free(a);
}

static void car_unlink(car_t *a, uint32_t id)
{
    car_node_t *n = car_node(a, id);
    ts__list_t *l = &a->l[n->where];
    ts__list_unlink(&a->pool, l, id);
    TS_ASSERT(l->charge >= car_charge(a, n));
    l->charge -= car_charge(a, n);
}

static void car_push(car_t *a, uint32_t id, int where)
{
    car_node_t *n = car_node(a, id);
    ts__list_t *l = &a->l[where];
    n->where = (uint8_t)where;
    n->ref = 0;
    ts__list_push_head(&a->pool, l, id);
    l->charge += car_charge(a, n);
}

/* Unlinks, unindexes and frees node id. */
static void car_free(car_t *a, uint32_t id)
{
    car_unlink(a, id);
    int removed = ts_ktab_remove(&a->index, car_node(a, id)->ln.key, id);
    TS_ASSERT(removed == 1);
    ts_pool_release(&a->pool, id);
}

/* A touching hit sets the reference bit; a ghost key is not cached. */
static bool car_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    car_t *a = (car_t *)p;
    uint32_t id = ts__find(&a->index, &a->pool, r->key);
    if (id == TS__NIL || car_node(a, id)->where >= CAR_B1)
        return false;
    if (touch)
        car_node(a, id)->ref = 1;
    return true;
}

/* Lines 5-6 of the paper's Figure 2, for a new key of charge x. */
static void car_trim_ghosts(car_t *a, uint64_t x)
{
    uint64_t c = a->base.capacity, c2 = c > UINT64_MAX / 2 ? UINT64_MAX : 2 * c;
    ts__list_t *t1 = &a->l[CAR_T1], *t2 = &a->l[CAR_T2];
    ts__list_t *b1 = &a->l[CAR_B1], *b2 = &a->l[CAR_B2];
    if (b1->tail != TS__NIL && t1->charge + b1->charge + x > c) {
        while (b1->tail != TS__NIL && t1->charge + b1->charge + x > c)
            car_free(a, b1->tail);
        return;
    }
    while (b2->tail != TS__NIL && t1->charge + t2->charge + b1->charge + b2->charge + x > c2)
        car_free(a, b2->tail);
}

static int car_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    car_t *a = (car_t *)p;
    uint64_t x = ts_policy_charge(&a->base, r->size_bytes);
    uint32_t id = ts__find(&a->index, &a->pool, r->key);
    if (id != TS__NIL) {
        /* A ghost hit (the tier inserts only absent keys): adapt p, then x goes to T2. */
        double c = (double)a->base.capacity;
        double b1 = (double)a->l[CAR_B1].charge, b2 = (double)a->l[CAR_B2].charge;
        if (car_node(a, id)->where == CAR_B1) {
            double d = b2 > b1 ? b2 / b1 : 1.0;
            a->p = a->p + d * (double)x < c ? a->p + d * (double)x : c;
        } else {
            double d = b1 > b2 ? b1 / b2 : 1.0;
            a->p = a->p - d * (double)x > 0 ? a->p - d * (double)x : 0;
        }
        car_unlink(a, id);
        car_node(a, id)->ln.size_bytes = r->size_bytes;
        car_push(a, id, CAR_T2);
        return 0;
    }
    car_trim_ghosts(a, x);
    id = ts_pool_alloc(&a->pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (ts_ktab_insert(&a->index, r->key, id, err)) {
        ts_pool_release(&a->pool, id);
        return TS_ENOMEM;
    }
    car_node_t *n = car_node(a, id);
    n->ln.key = r->key;
    n->ln.size_bytes = r->size_bytes;
    car_push(a, id, CAR_T1);
    return 0;
}

/* replace: the hand turns until it finds an unreferenced object; its key stays as a ghost. */
static int car_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    car_t *a = (car_t *)p;
    ts__list_t *t1 = &a->l[CAR_T1], *t2 = &a->l[CAR_T2];
    (void)r;
    if (t1->tail == TS__NIL && t2->tail == TS__NIL)
        return TS_ENOENT;
    for (;;) {
        double want = a->p > 1 ? a->p : 1;
        bool from_t1 = t2->tail == TS__NIL || (t1->tail != TS__NIL && (double)t1->charge >= want);
        uint32_t id = from_t1 ? t1->tail : t2->tail;
        car_node_t *n = car_node(a, id);
        if (n->ref) {
            car_unlink(a, id);
            car_push(a, id, CAR_T2); /* clears ref */
            continue;
        }
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
        car_unlink(a, id);
        car_push(a, id, from_t1 ? CAR_B1 : CAR_B2);
        return 0;
    }
}

/* Removes a resident object (a delete); it leaves no ghost. Ghost keys are not cached, so
 * they report false and stay. */
static bool car_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    car_t *a = (car_t *)p;
    uint32_t id = ts__find(&a->index, &a->pool, key);
    if (id == TS__NIL || car_node(a, id)->where >= CAR_B1)
        return false;
    if (out) {
        out->key = key;
        out->size_bytes = car_node(a, id)->ln.size_bytes;
    }
    car_free(a, id);
    return true;
}

/* T1 and T2 hold the cached objects, every key is on exactly one list, 0 <= p <= c, the
 * directory holds at most 2c, and ghosts carry no reference bit. Walking: each list's
 * links, index entries, charge counter and nodes' list tags. */
static int car_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    static const char *const names[CAR_NLISTS] = {"T1", "T2", "B1", "B2"};
    const car_t *a = (const car_t *)p;
    const ts__list_t *l = a->l;
    uint64_t c = a->base.capacity, c2 = c > UINT64_MAX / 2 ? UINT64_MAX : 2 * c;
    int rc = ts__held_check(p, l[CAR_T1].n + l[CAR_T2].n, l[CAR_T1].charge + l[CAR_T2].charge,
                            n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &a->pool, &a->index,
                             l[CAR_T1].n + l[CAR_T2].n + l[CAR_B1].n + l[CAR_B2].n, full, err);
    if (rc == 0 && !(a->p >= 0 && a->p <= (double)c))
        rc = ts_err_set(err, TS_EINTERNAL, "car: target p = %g outside [0, %llu]", a->p,
                        (unsigned long long)c);
    uint64_t all = l[CAR_T1].charge + l[CAR_T2].charge + l[CAR_B1].charge + l[CAR_B2].charge;
    if (rc == 0 && a->base.count_objects && all > c2)
        rc = ts_err_set(err, TS_EINTERNAL, "car: all lists hold %llu keys (at most %llu)",
                        (unsigned long long)all, (unsigned long long)c2);
    for (int w = 0; rc == 0 && full && w < CAR_NLISTS; w++) {
        uint64_t sum = 0;
        rc = ts__list_check(p, &a->pool, &a->index, &l[w], names[w], &sum, err);
        if (rc == 0 && sum != l[w].charge)
            rc = ts_err_set(err, TS_EINTERNAL, "car: %s counts %llu units, its nodes %llu",
                            names[w], (unsigned long long)l[w].charge, (unsigned long long)sum);
        for (uint32_t id = l[w].head; rc == 0 && id != TS__NIL; id = car_node(a, id)->ln.next) {
            const car_node_t *n = car_node(a, id);
            if (n->where != w || n->ref > 1 || (w >= CAR_B1 && n->ref))
                rc = ts_err_set(err, TS_EINTERNAL, "car: node %u on %s says list %u, ref %u", id,
                                names[w], n->where, n->ref);
        }
    }
    return rc;
}

static size_t car_mem_bytes(const ts_policy_t *p)
{
    const car_t *a = (const car_t *)p;
    return sizeof(*a) + ts_pool_bytes(&a->pool) + ts_ktab_bytes(&a->index);
}

static void car_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const car_t *x = (const car_t *)p;
    ts__prefetch(&x->index, &x->pool, key, stage);
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
    .prefetch = car_prefetch,
    .check = car_check,
};
