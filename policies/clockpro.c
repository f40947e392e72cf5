/* SPDX-License-Identifier: MIT */
/*
 * clockpro.c - CLOCK-Pro: CLOCK with hot and cold pages and test periods.
 *
 * One clock holds hot pages, resident cold pages and non-resident cold pages (keys only)
 * still in their test period. The list head is the position just behind HAND_hot: a page
 * placed there is the last one every hand reaches. c is the capacity, |X| the sum of the
 * charges of X, mc the adaptive target for resident cold pages (initially cold_ratio * c,
 * default 100% as libCacheSim's), so hot pages hold at most c - mc.
 * Decision rule (x the requested page):
 *   hit:              ref(x) = 1; nothing moves
 *   evict (HAND_cold, from the oldest resident cold page on; a hot page is demoted first
 *   when none is cold):
 *     cold, ref 1, in its test period:  it turns hot, ref 0, to the head; HAND_hot runs
 *                                       while |hot| > c - mc
 *     cold, ref 1, test period over:    ref 0, a new test period, to the head
 *     cold, ref 0:                      the victim; in its test period it stays as a
 *                                       non-resident page (HAND_test runs while the
 *                                       non-resident pages exceed c), else it leaves
 *   HAND_hot (while |hot| > c - mc, or until it demotes one when no page is cold):
 *                                    hot ref 1: ref 0; hot ref 0: it turns cold in place;
 *                                    a cold page passed ends its test period (a
 *                                    non-resident one leaves, mc -= its charge)
 *   HAND_test (drop one non-resident page): hot pages are passed, cold ones end their test
 *                                    period; the first non-resident page leaves, mc -= x
 *   insert x, non-resident in test:  mc = min(c, mc + x); x turns hot at the head, ref 0;
 *                                    HAND_hot runs while |hot| > c - mc
 *   insert x, new:                   cold, in its test period, ref 0, at the head
 * HAND_cold rests on a resident cold page (the paper: it "stops at the next resident cold
 * page") and steps along a second ring of just those, kept in the clock's order, so it never
 * walks over hot or non-resident pages.
 * The tier calls evict until x fits, then insert: the paper's page fault. Bytes mode (a
 * generalisation) counts charges wherever the paper counts pages.
 * Cost: O(1) expected for lookup and insert; evict O(1) amortised (each hand step clears a
 * bit, ends a test period or moves a page, and every page gets one of each per pass).
 * Memory: a 32-byte node per resident page or non-resident cold page (at most c of those).
 * Paper: Jiang, Chen, Zhang, "CLOCK-Pro: An Effective Improvement of the CLOCK
 * Replacement", USENIX ATC 2005, section 4.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_clockpro;

typedef struct clockpro_params {
    double cold_ratio; /* initial target for resident cold pages, as a share of capacity */
} clockpro_params_t;

static const ts_param_spec_t k_clockpro_params[] = {
    {.name = "cold_ratio",
     .type = TS_PT_FRACTION,
     .offset = offsetof(clockpro_params_t, cold_ratio),
     .min = 0,
     .max = 1,
     .def = "100%",
     .help = "initial target for resident cold pages (mc) as a share of the capacity; it "
             "adapts to test-period hits and expiries"},
};

enum cp_kind { CP_HOT, CP_COLD, CP_TEST }; /* CP_TEST: non-resident cold, in its test period */

typedef struct cp_node {
    ts__lnode_t ln;  /* key, size, ring links (next: the way the hands turn) */
    uint32_t c_prev; /* resident cold pages only: links of the cold ring, the same order */
    uint32_t c_next;
    uint8_t kind;    /* enum cp_kind */
    uint8_t ref;     /* reference bit (resident pages) */
    uint8_t test;    /* a resident cold page in its test period */
    uint8_t spare[5];
} cp_node_t;

typedef struct clockpro {
    ts__lcache_t lc;   /* must be first: index and pool (lc.list unused) */
    uint32_t hand_hot;   /* TS__NIL when the clock is empty */
    uint32_t hand_cold;  /* a resident cold page (it rests on one), TS__NIL when none */
    uint32_t hand_test;
    uint32_t cold_first; /* the first resident cold page from HAND_hot on, TS__NIL if none */
    uint64_t n[3];        /* pages of each kind */
    uint64_t charge[3];   /* |hot|, |cold| (resident), |non-resident| */
    uint64_t cold_target; /* mc, 0..c */
} clockpro_t;

static inline cp_node_t *cp_n(const clockpro_t *c, uint32_t id)
{
    return (cp_node_t *)ts_pool_at(&c->lc.pool, id);
}

static inline uint64_t cp_charge(const clockpro_t *c, const cp_node_t *n)
{
    return ts_policy_charge(&c->lc.base, n->ln.size_bytes);
}

static int clockpro_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                           ts_err_t *err)
{
    clockpro_params_t cp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_clockpro, params, &cp, sizeof(cp), err);
    if (rc)
        return rc;
    if (!(cp.cold_ratio >= 0 && cp.cold_ratio <= 1))
        return ts_err_set(err, TS_EINVAL, "clockpro: cold_ratio must lie in [0, 1]");
    clockpro_t *c = ts_calloc(1, sizeof(*c));
    if (!c)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate clockpro");
    rc = ts__lcache_init(&c->lc, &ts_policy_clockpro, init, sizeof(cp_node_t), err);
    if (rc) {
        ts_free(c);
        return rc;
    }
    c->hand_hot = c->hand_cold = c->hand_test = c->cold_first = TS__NIL;
    double mc = (double)init->capacity * cp.cold_ratio;
    c->cold_target = mc >= (double)init->capacity ? init->capacity : (uint64_t)mc;
    *out = &c->lc.base;
    return 0;
}

static void clockpro_destroy(ts_policy_t *p)
{
    clockpro_t *c = (clockpro_t *)p;
    ts__lcache_fini(&c->lc);
    ts_free(c);
}

/* ---- the clock: a ring through ln.prev / ln.next ---- */

/* Links node id at the head, just behind HAND_hot (the first page sets every hand). */
static void cp_link_head(clockpro_t *c, uint32_t id)
{
    cp_node_t *n = cp_n(c, id);
    if (c->hand_hot == TS__NIL) {
        n->ln.prev = n->ln.next = id;
        c->hand_hot = c->hand_test = id;
        return;
    }
    cp_node_t *h = cp_n(c, c->hand_hot);
    n->ln.next = c->hand_hot;
    n->ln.prev = h->ln.prev;
    cp_n(c, h->ln.prev)->ln.next = id;
    h->ln.prev = id;
}

/* Unlinks node id; a hand on it moves on to the next page. */
static void cp_unlink(clockpro_t *c, uint32_t id)
{
    cp_node_t *n = cp_n(c, id);
    uint32_t next = n->ln.next == id ? TS__NIL : n->ln.next;
    if (c->hand_hot == id)
        c->hand_hot = next;
    if (c->hand_test == id)
        c->hand_test = next;
    cp_n(c, n->ln.prev)->ln.next = n->ln.next;
    cp_n(c, n->ln.next)->ln.prev = n->ln.prev;
}

/* ---- the cold ring: the resident cold pages in the clock's order, so HAND_cold steps from
 * one to the next without passing hot and non-resident pages. A page turns cold just
 * behind HAND_hot (new, moved to the head, or demoted where HAND_hot stands), so it joins
 * the cold ring just before cold_first. ---- */

static void cp_cold_link(clockpro_t *c, uint32_t id)
{
    cp_node_t *n = cp_n(c, id);
    if (c->cold_first == TS__NIL) {
        n->c_prev = n->c_next = id;
        c->cold_first = id;
    } else {
        cp_node_t *f = cp_n(c, c->cold_first);
        n->c_next = c->cold_first;
        n->c_prev = f->c_prev;
        cp_n(c, f->c_prev)->c_next = id;
        f->c_prev = id;
    }
    if (c->hand_cold == TS__NIL)
        c->hand_cold = id;
}

static void cp_cold_unlink(clockpro_t *c, uint32_t id)
{
    cp_node_t *n = cp_n(c, id);
    uint32_t next = n->c_next == id ? TS__NIL : n->c_next;
    if (c->cold_first == id)
        c->cold_first = next;
    if (c->hand_cold == id)
        c->hand_cold = next;
    cp_n(c, n->c_prev)->c_next = n->c_next;
    cp_n(c, n->c_next)->c_prev = n->c_prev;
}

/* Changes node id's kind and the counters; a cold page leaves the cold ring, a page turning
 * cold (just behind HAND_hot) joins it. */
static void cp_set_kind(clockpro_t *c, uint32_t id, int kind)
{
    cp_node_t *n = cp_n(c, id);
    if (n->kind == CP_COLD)
        cp_cold_unlink(c, id);
    if (kind == CP_COLD)
        cp_cold_link(c, id);
    uint64_t x = cp_charge(c, n);
    c->n[n->kind]--;
    c->charge[n->kind] -= x;
    n->kind = (uint8_t)kind;
    c->n[kind]++;
    c->charge[kind] += x;
}

/* A page leaves the clock for good. */
static void cp_drop(clockpro_t *c, uint32_t id)
{
    cp_node_t *n = cp_n(c, id);
    if (n->kind == CP_COLD)
        cp_cold_unlink(c, id);
    cp_unlink(c, id);
    c->n[n->kind]--;
    c->charge[n->kind] -= cp_charge(c, n);
    int removed = ts_ktab_remove(&c->lc.index, n->ln.key, id);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&c->lc.pool, id);
}

/* A non-resident page's test period ends unused: it leaves and mc shrinks by its charge. */
static void cp_expire(clockpro_t *c, uint32_t id)
{
    uint64_t x = cp_charge(c, cp_n(c, id));
    c->cold_target = c->cold_target > x ? c->cold_target - x : 0;
    cp_drop(c, id);
}

/* One step of HAND_hot; true when it demoted a hot page. A hot page with its bit set keeps
 * its status (bit cleared); a cold page passed ends its test period. */
static bool cp_hot_step(clockpro_t *c)
{
    uint32_t id = c->hand_hot;
    cp_node_t *n = cp_n(c, id);
    if (n->kind == CP_TEST) {
        cp_expire(c, id); /* moves the hand on */
        return false;
    }
    c->hand_hot = n->ln.next;
    if (n->kind == CP_COLD) {
        TS_ASSERT(c->cold_first == id);
        c->cold_first = n->c_next; /* the hand passes it; alone, it comes round again */
        n->test = 0;
        return false;
    }
    if (n->ref) {
        n->ref = 0;
        return false;
    }
    cp_set_kind(c, id, CP_COLD);
    return true;
}

/* HAND_test turns until it has dropped one non-resident page. */
static void cp_run_test(clockpro_t *c)
{
    while (c->n[CP_TEST] > 0) {
        uint32_t id = c->hand_test;
        cp_node_t *n = cp_n(c, id);
        if (n->kind == CP_TEST) {
            cp_expire(c, id);
            return;
        }
        if (n->kind == CP_COLD)
            n->test = 0;
        c->hand_test = n->ln.next;
    }
}

/* Hot pages within c - mc: HAND_hot turns while they are over. */
static void cp_fit_hot(clockpro_t *c)
{
    uint64_t cap = c->lc.base.capacity;
    while (c->n[CP_HOT] > 0 && c->charge[CP_HOT] > cap - c->cold_target)
        cp_hot_step(c);
}

/* Moves node id to the head with its reference bit clear. */
static void cp_to_head(clockpro_t *c, uint32_t id)
{
    cp_unlink(c, id);
    cp_link_head(c, id);
    cp_n(c, id)->ref = 0;
}

/* A touching hit sets the reference bit; a non-resident page is not cached. */
static bool clockpro_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    clockpro_t *c = (clockpro_t *)p;
    uint32_t id = ts__find(&c->lc.index, &c->lc.pool, r->key);
    if (id == TS__NIL || cp_n(c, id)->kind == CP_TEST)
        return false;
    if (touch)
        cp_n(c, id)->ref = 1;
    return true;
}

static int clockpro_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    clockpro_t *c = (clockpro_t *)p;
    uint32_t id = ts__find(&c->lc.index, &c->lc.pool, r->key);
    if (id != TS__NIL) { /* non-resident in its test period (the tier inserts absent keys) */
        cp_node_t *n = cp_n(c, id);
        uint64_t cap = c->lc.base.capacity;
        c->n[CP_TEST]--;
        c->charge[CP_TEST] -= cp_charge(c, n);
        n->ln.size_bytes = r->size_bytes;
        uint64_t x = cp_charge(c, n);
        c->cold_target = c->cold_target + x < cap ? c->cold_target + x : cap;
        n->kind = CP_HOT;
        c->n[CP_HOT]++;
        c->charge[CP_HOT] += x;
        n->test = 0;
        cp_to_head(c, id);
        cp_fit_hot(c);
        return 0;
    }
    id = ts_pool_alloc(&c->lc.pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (ts_ktab_insert(&c->lc.index, r->key, id, err)) {
        ts_pool_release(&c->lc.pool, id);
        return TS_ENOMEM;
    }
    cp_node_t *n = cp_n(c, id);
    *n =
        (cp_node_t){.ln = {.key = r->key, .size_bytes = r->size_bytes}, .kind = CP_COLD, .test = 1};
    c->n[CP_COLD]++;
    c->charge[CP_COLD] += cp_charge(c, n);
    cp_link_head(c, id);
    cp_cold_link(c, id);
    return 0;
}

/* HAND_cold turns until it finds an unreferenced resident cold page: the victim. */
static int clockpro_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    clockpro_t *c = (clockpro_t *)p;
    (void)r;
    if (c->n[CP_HOT] + c->n[CP_COLD] == 0)
        return TS_ENOENT;
    for (;;) {
        while (c->n[CP_COLD] == 0 && !cp_hot_step(c))
            ; /* no resident cold page: HAND_hot demotes one */
        uint32_t id = c->hand_cold;
        cp_node_t *n = cp_n(c, id);
        TS_ASSERT(n->kind == CP_COLD);
        if (n->ref) {
            if (n->test) {
                cp_set_kind(c, id, CP_HOT);
                n->test = 0;
                cp_to_head(c, id);
                cp_fit_hot(c);
            } else {
                n->test = 1;
                cp_cold_unlink(c, id);
                cp_to_head(c, id);
                cp_cold_link(c, id);
            }
            continue;
        }
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
        if (!n->test) { /* leaving the cold ring moves HAND_cold to the next cold page */
            cp_drop(c, id);
            return 0;
        }
        cp_set_kind(c, id, CP_TEST);
        n->test = 0;
        while (c->charge[CP_TEST] > c->lc.base.capacity)
            cp_run_test(c);
        return 0;
    }
}

/* Removes a resident page (a delete); it leaves no non-resident entry. */
static bool clockpro_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    clockpro_t *c = (clockpro_t *)p;
    uint32_t id = ts__find(&c->lc.index, &c->lc.pool, key);
    if (id == TS__NIL || cp_n(c, id)->kind == CP_TEST)
        return false;
    if (out) {
        out->key = key;
        out->size_bytes = cp_n(c, id)->ln.size_bytes;
    }
    cp_drop(c, id);
    return true;
}

static size_t clockpro_mem_bytes(const ts_policy_t *p)
{
    return ts__lcache_mem(&((const clockpro_t *)p)->lc, sizeof(clockpro_t));
}

static void clockpro_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const clockpro_t *c = (const clockpro_t *)p;
    ts__prefetch(&c->lc.index, &c->lc.pool, key, stage);
}

/* Walks the ring from HAND_hot: links agree, every node indexed at its id, kinds, bits,
 * counts and charges match the counters, and each hand is on the ring. */
static int cp_check_ring(const clockpro_t *c, ts_err_t *err)
{
    uint64_t total = c->n[CP_HOT] + c->n[CP_COLD] + c->n[CP_TEST], seen = 0;
    uint64_t n[3] = {0}, charge[3] = {0};
    bool on_test = c->hand_hot == TS__NIL;
    uint32_t id = c->hand_hot, cold = c->cold_first;
    do {
        if (id == TS__NIL)
            break;
        if (seen == total || id >= c->lc.pool.cap)
            return ts_err_set(err, TS_EINTERNAL,
                              "clockpro: the clock is longer than its "
                              "%llu pages or links to node %u",
                              (unsigned long long)total, id);
        const cp_node_t *nd = cp_n(c, id);
        if (cp_n(c, nd->ln.next)->ln.prev != id ||
            ts__find(&c->lc.index, &c->lc.pool, nd->ln.key) != id)
            return ts_err_set(err, TS_EINTERNAL,
                              "clockpro: node %u: its next page links "
                              "back elsewhere, or it is not indexed at its key",
                              id);
        if (nd->kind > CP_TEST || (nd->kind != CP_COLD && nd->test) ||
            (nd->kind == CP_TEST && nd->ref))
            return ts_err_set(err, TS_EINTERNAL, "clockpro: node %u: kind %u, ref %u, test %u", id,
                              nd->kind, nd->ref, nd->test);
        if (nd->kind == CP_COLD) { /* the cold ring visits the cold pages in this order */
            if (id != cold || cp_n(c, nd->c_next)->c_prev != id)
                return ts_err_set(err, TS_EINTERNAL,
                                  "clockpro: cold page %u is not next on the cold ring (%u) "
                                  "or its next cold page links back elsewhere",
                                  id, cold);
            cold = nd->c_next;
        }
        n[nd->kind]++;
        charge[nd->kind] += cp_charge(c, nd);
        on_test |= id == c->hand_test;
        seen++;
        id = nd->ln.next;
    } while (id != c->hand_hot);
    for (int k = 0; k < 3; k++)
        if (n[k] != c->n[k] || charge[k] != c->charge[k])
            return ts_err_set(err, TS_EINTERNAL,
                              "clockpro: kind %d counts %llu pages of %llu "
                              "units; the clock holds %llu of %llu",
                              k, (unsigned long long)c->n[k], (unsigned long long)c->charge[k],
                              (unsigned long long)n[k], (unsigned long long)charge[k]);
    bool cold_ok = c->n[CP_COLD] == 0
                       ? c->hand_cold == TS__NIL && c->cold_first == TS__NIL
                       : c->hand_cold < c->lc.pool.cap && cp_n(c, c->hand_cold)->kind == CP_COLD;
    if (!on_test || !cold_ok)
        return ts_err_set(err, TS_EINTERNAL,
                          "clockpro: HAND_test (%u) is off the clock, or HAND_cold (%u) is not "
                          "on a resident cold page",
                          c->hand_test, c->hand_cold);
    return 0;
}

/* Residents are the hot and cold pages; every node is on the clock; mc <= c, |hot| <=
 * c - mc, the non-resident pages hold at most c. Walking: the ring (cp_check_ring). */
static int clockpro_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                          ts_err_t *err)
{
    const clockpro_t *c = (const clockpro_t *)p;
    uint64_t cap = p->capacity;
    int rc = ts__held_check(p, c->n[CP_HOT] + c->n[CP_COLD], c->charge[CP_HOT] + c->charge[CP_COLD],
                            n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &c->lc.pool, &c->lc.index,
                             c->n[CP_HOT] + c->n[CP_COLD] + c->n[CP_TEST], full, err);
    if (rc == 0 && (c->cold_target > cap || c->charge[CP_HOT] > cap - c->cold_target ||
                    c->charge[CP_TEST] > cap))
        rc = ts_err_set(err, TS_EINTERNAL,
                        "clockpro: target mc = %llu, hot pages %llu, "
                        "non-resident %llu units, capacity %llu",
                        (unsigned long long)c->cold_target, (unsigned long long)c->charge[CP_HOT],
                        (unsigned long long)c->charge[CP_TEST], (unsigned long long)cap);
    if (rc || !full)
        return rc;
    return cp_check_ring(c, err);
}

const ts_policy_ops_t ts_policy_clockpro = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "clockpro",
             .summary = "CLOCK-Pro: hot and cold pages on one clock, non-resident cold pages "
                        "in a test period, an adaptive cold target",
             .params = k_clockpro_params,
             .params_count = TS_PARAM_COUNT(k_clockpro_params),
             .params_size = sizeof(clockpro_params_t)},
    .create = clockpro_create,
    .destroy = clockpro_destroy,
    .lookup = clockpro_lookup,
    .insert = clockpro_insert,
    .evict = clockpro_evict,
    .remove = clockpro_remove,
    .mem_bytes = clockpro_mem_bytes,
    .prefetch = clockpro_prefetch,
    .check = clockpro_check,
};
