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
 * Memory per resident page or non-resident cold page (at most c of those): a 16-byte
 * compact node (key, clock links; clist_internal.h), 8 bytes of cold-ring links, a state
 * byte (kind, reference bit, test period) and a 4-byte-slot index filled to at most 80%.
 * Paper: Jiang, Chen, Zhang, "CLOCK-Pro: An Effective Improvement of the CLOCK
 * Replacement", USENIX ATC 2005, section 4.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "clist_internal.h"
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

/* A page's state byte: its kind in the low bits, then the reference bit and the test
 * period of a resident cold page. */
#define CP_KIND 3u
#define CP_REF (1u << 2)
#define CP_INTEST (1u << 3)

typedef struct clockpro {
    ts_policy_t base;    /* must be first */
    ts__cstore_t st;     /* nodes (key, ring links: next is the way the hands turn), index,
                            state bytes, sizes */
    ts__qlinks_t cl;     /* resident cold pages: links of the cold ring, the same order */
    uint32_t hand_hot;   /* TS__NIL when the clock is empty */
    uint32_t hand_cold;  /* a resident cold page (it rests on one), TS__NIL when none */
    uint32_t hand_test;
    uint32_t cold_first; /* the first resident cold page from HAND_hot on, TS__NIL if none */
    uint64_t n[3];        /* pages of each kind */
    uint64_t charge[3];   /* |hot|, |cold| (resident), |non-resident| */
    uint64_t cold_target; /* mc, 0..c */
} clockpro_t;

static inline ts__cnode_t *cp_n(const clockpro_t *c, uint32_t id)
{
    return ts__cn(&c->st, id);
}

static inline unsigned cp_kind(const clockpro_t *c, uint32_t id)
{
    return c->st.meta[id] & CP_KIND;
}

static inline bool cp_has(const clockpro_t *c, uint32_t id, unsigned bit)
{
    return (c->st.meta[id] & bit) != 0;
}

static inline void cp_mark(clockpro_t *c, uint32_t id, unsigned bit, bool on)
{
    c->st.meta[id] = (uint8_t)(on ? c->st.meta[id] | bit : c->st.meta[id] & ~bit);
}

static inline uint64_t cp_charge(const clockpro_t *c, uint32_t id)
{
    return ts_policy_charge(&c->base, ts__cstore_size(&c->st, id));
}

static void clockpro_destroy(ts_policy_t *p)
{
    clockpro_t *c = (clockpro_t *)p;
    if (!c)
        return;
    ts__cstore_fini(&c->st);
    ts__qlinks_fini(&c->cl);
    ts_free(c);
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
    ts_policy_base_init(&c->base, &ts_policy_clockpro, init);
    /* Objects mode: c resident pages and at most c non-resident ones. */
    uint64_t hint = init->count_objects && init->capacity < (1u << 25) ? 2 * init->capacity : 1024;
    if ((rc = ts__cstore_init(&c->st, hint, TS__CLOAD_GHOSTS, true, err)) ||
        (rc = ts__qlinks_cover(&c->cl, c->st.pool.cap, err))) {
        clockpro_destroy(&c->base);
        return rc;
    }
    c->hand_hot = c->hand_cold = c->hand_test = c->cold_first = TS__NIL;
    double mc = (double)init->capacity * cp.cold_ratio;
    c->cold_target = mc >= (double)init->capacity ? init->capacity : (uint64_t)mc;
    *out = &c->base;
    return 0;
}

/* ---- the clock: a ring through the nodes' prev / next ---- */

/* Links node id at the head, just behind HAND_hot (the first page sets every hand). */
static void cp_link_head(clockpro_t *c, uint32_t id)
{
    ts__cnode_t *n = cp_n(c, id);
    if (c->hand_hot == TS__NIL) {
        n->prev = n->next = id;
        c->hand_hot = c->hand_test = id;
        return;
    }
    ts__cnode_t *h = cp_n(c, c->hand_hot);
    n->next = c->hand_hot;
    n->prev = h->prev;
    cp_n(c, h->prev)->next = id;
    h->prev = id;
}

/* Unlinks node id; a hand on it moves on to the next page. */
static void cp_unlink(clockpro_t *c, uint32_t id)
{
    ts__cnode_t *n = cp_n(c, id);
    uint32_t next = n->next == id ? TS__NIL : n->next;
    if (c->hand_hot == id)
        c->hand_hot = next;
    if (c->hand_test == id)
        c->hand_test = next;
    cp_n(c, n->prev)->next = n->next;
    cp_n(c, n->next)->prev = n->prev;
}

/* ---- the cold ring: the resident cold pages in the clock's order, so HAND_cold steps from
 * one to the next without passing hot and non-resident pages. A page turns cold just
 * behind HAND_hot (new, moved to the head, or demoted where HAND_hot stands), so it joins
 * the cold ring just before cold_first. ---- */

static void cp_cold_link(clockpro_t *c, uint32_t id)
{
    ts__qlink_t *l = c->cl.at;
    if (c->cold_first == TS__NIL) {
        l[id].prev = l[id].next = id;
        c->cold_first = id;
    } else {
        uint32_t f = c->cold_first;
        l[id].next = f;
        l[id].prev = l[f].prev;
        l[l[f].prev].next = id;
        l[f].prev = id;
    }
    if (c->hand_cold == TS__NIL)
        c->hand_cold = id;
}

static void cp_cold_unlink(clockpro_t *c, uint32_t id)
{
    ts__qlink_t *l = c->cl.at;
    uint32_t next = l[id].next == id ? TS__NIL : l[id].next;
    if (c->cold_first == id)
        c->cold_first = next;
    if (c->hand_cold == id)
        c->hand_cold = next;
    l[l[id].prev].next = l[id].next;
    l[l[id].next].prev = l[id].prev;
}

/* Changes node id's kind and the counters; a cold page leaves the cold ring, a page turning
 * cold (just behind HAND_hot) joins it. */
static void cp_set_kind(clockpro_t *c, uint32_t id, unsigned kind)
{
    unsigned old = cp_kind(c, id);
    if (old == CP_COLD)
        cp_cold_unlink(c, id);
    if (kind == CP_COLD)
        cp_cold_link(c, id);
    uint64_t x = cp_charge(c, id);
    c->n[old]--;
    c->charge[old] -= x;
    c->st.meta[id] = (uint8_t)((c->st.meta[id] & ~CP_KIND) | kind);
    c->n[kind]++;
    c->charge[kind] += x;
}

/* A page leaves the clock for good. */
static void cp_drop(clockpro_t *c, uint32_t id)
{
    unsigned kind = cp_kind(c, id);
    if (kind == CP_COLD)
        cp_cold_unlink(c, id);
    cp_unlink(c, id);
    c->n[kind]--;
    c->charge[kind] -= cp_charge(c, id);
    ts__cstore_del(&c->st, id);
}

/* A non-resident page's test period ends unused: it leaves and mc shrinks by its charge. */
static void cp_expire(clockpro_t *c, uint32_t id)
{
    uint64_t x = cp_charge(c, id);
    c->cold_target = c->cold_target > x ? c->cold_target - x : 0;
    cp_drop(c, id);
}

/* One step of HAND_hot; true when it demoted a hot page. A hot page with its bit set keeps
 * its status (bit cleared); a cold page passed ends its test period. */
static bool cp_hot_step(clockpro_t *c)
{
    uint32_t id = c->hand_hot;
    unsigned kind = cp_kind(c, id);
    if (kind == CP_TEST) {
        cp_expire(c, id); /* moves the hand on */
        return false;
    }
    c->hand_hot = cp_n(c, id)->next;
    if (kind == CP_COLD) {
        TS_ASSERT(c->cold_first == id);
        c->cold_first = c->cl.at[id].next; /* the hand passes it; alone, it comes round */
        cp_mark(c, id, CP_INTEST, false);
        return false;
    }
    if (cp_has(c, id, CP_REF)) {
        cp_mark(c, id, CP_REF, false);
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
        unsigned kind = cp_kind(c, id);
        if (kind == CP_TEST) {
            cp_expire(c, id);
            return;
        }
        if (kind == CP_COLD)
            cp_mark(c, id, CP_INTEST, false);
        c->hand_test = cp_n(c, id)->next;
    }
}

/* Hot pages within c - mc: HAND_hot turns while they are over. */
static void cp_fit_hot(clockpro_t *c)
{
    uint64_t cap = c->base.capacity;
    while (c->n[CP_HOT] > 0 && c->charge[CP_HOT] > cap - c->cold_target)
        cp_hot_step(c);
}

/* Moves node id to the head with its reference bit clear. */
static void cp_to_head(clockpro_t *c, uint32_t id)
{
    cp_unlink(c, id);
    cp_link_head(c, id);
    cp_mark(c, id, CP_REF, false);
}

/* A touching hit sets the reference bit; a non-resident page is not cached. */
static bool clockpro_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    clockpro_t *c = (clockpro_t *)p;
    uint32_t id = ts__cstore_find(&c->st, r->key);
    if (id == TS__NIL || cp_kind(c, id) == CP_TEST)
        return false;
    if (touch)
        cp_mark(c, id, CP_REF, true);
    return true;
}

/* A new node for r, in no ring, state 0; TS__NIL with err filled (nothing changed). */
static uint32_t cp_add(clockpro_t *c, const ts_req_t *r, ts_err_t *err)
{
    uint32_t id = ts__cstore_add(&c->st, r->key, r->size_bytes, err);
    if (id != TS__NIL && ts__qlinks_cover(&c->cl, c->st.pool.cap, err)) {
        ts__cstore_del(&c->st, id);
        return TS__NIL;
    }
    return id;
}

static int clockpro_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    clockpro_t *c = (clockpro_t *)p;
    uint32_t id = ts__cstore_find(&c->st, r->key);
    if (id != TS__NIL) { /* non-resident in its test period (the tier inserts absent keys) */
        uint64_t cap = c->base.capacity;
        c->n[CP_TEST]--;
        c->charge[CP_TEST] -= cp_charge(c, id);
        if (ts__cstore_size(&c->st, id) != r->size_bytes) {
            /* A new size: a new node takes the page's place (it moves to the head anyway). */
            cp_unlink(c, id);
            ts__cstore_del(&c->st, id);
            if ((id = cp_add(c, r, err)) == TS__NIL)
                return TS_ENOMEM; /* the page is forgotten */
            cp_link_head(c, id);
        }
        uint64_t x = cp_charge(c, id);
        c->cold_target = c->cold_target + x < cap ? c->cold_target + x : cap;
        c->st.meta[id] = CP_HOT;
        c->n[CP_HOT]++;
        c->charge[CP_HOT] += x;
        cp_to_head(c, id);
        cp_fit_hot(c);
        return 0;
    }
    if ((id = cp_add(c, r, err)) == TS__NIL)
        return TS_ENOMEM;
    c->st.meta[id] = CP_COLD | CP_INTEST;
    c->n[CP_COLD]++;
    c->charge[CP_COLD] += cp_charge(c, id);
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
        TS_ASSERT(cp_kind(c, id) == CP_COLD);
        if (cp_has(c, id, CP_REF)) {
            if (cp_has(c, id, CP_INTEST)) {
                cp_set_kind(c, id, CP_HOT);
                cp_mark(c, id, CP_INTEST, false);
                cp_to_head(c, id);
                cp_fit_hot(c);
            } else {
                cp_mark(c, id, CP_INTEST, true);
                cp_cold_unlink(c, id);
                cp_to_head(c, id);
                cp_cold_link(c, id);
            }
            continue;
        }
        ts__cstore_victim(&c->st, id, out);
        if (!cp_has(c, id, CP_INTEST)) { /* leaving the cold ring moves HAND_cold on */
            cp_drop(c, id);
            return 0;
        }
        cp_set_kind(c, id, CP_TEST);
        cp_mark(c, id, CP_INTEST, false);
        while (c->charge[CP_TEST] > c->base.capacity)
            cp_run_test(c);
        return 0;
    }
}

/* Removes a resident page (a delete); it leaves no non-resident entry. */
static bool clockpro_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    clockpro_t *c = (clockpro_t *)p;
    uint32_t id = ts__cstore_find(&c->st, key);
    if (id == TS__NIL || cp_kind(c, id) == CP_TEST)
        return false;
    ts__cstore_victim(&c->st, id, out);
    cp_drop(c, id);
    return true;
}

static size_t clockpro_mem_bytes(const ts_policy_t *p)
{
    const clockpro_t *c = (const clockpro_t *)p;
    return sizeof(*c) + ts__cstore_bytes(&c->st) + ts__qlinks_bytes(&c->cl);
}

static void clockpro_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    ts__cstore_prefetch(&((const clockpro_t *)p)->st, key, stage);
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
        if (seen == total || id >= c->st.side_cap || id >= c->cl.cap)
            return ts_err_set(err, TS_EINTERNAL,
                              "clockpro: the clock is longer than its "
                              "%llu pages or links to node %u",
                              (unsigned long long)total, id);
        const ts__cnode_t *nd = cp_n(c, id);
        if (cp_n(c, nd->next)->prev != id || ts__cstore_find(&c->st, nd->key) != id)
            return ts_err_set(err, TS_EINTERNAL,
                              "clockpro: node %u: its next page links "
                              "back elsewhere, or it is not indexed at its key",
                              id);
        unsigned kind = cp_kind(c, id);
        if (kind > CP_TEST || (kind != CP_COLD && cp_has(c, id, CP_INTEST)) ||
            (kind == CP_TEST && cp_has(c, id, CP_REF)))
            return ts_err_set(err, TS_EINTERNAL, "clockpro: node %u: state %#x", id,
                              (unsigned)c->st.meta[id]);
        if (kind == CP_COLD) { /* the cold ring visits the cold pages in this order */
            if (id != cold || c->cl.at[c->cl.at[id].next].prev != id)
                return ts_err_set(err, TS_EINTERNAL,
                                  "clockpro: cold page %u is not next on the cold ring (%u) "
                                  "or its next cold page links back elsewhere",
                                  id, cold);
            cold = c->cl.at[id].next;
        }
        n[kind]++;
        charge[kind] += cp_charge(c, id);
        on_test |= id == c->hand_test;
        seen++;
        id = nd->next;
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
                       : c->hand_cold < c->st.side_cap && cp_kind(c, c->hand_cold) == CP_COLD;
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
        rc = ts__cstore_check(p, &c->st, c->n[CP_HOT] + c->n[CP_COLD] + c->n[CP_TEST], full,
                              err);
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
