/* SPDX-License-Identifier: MIT */
/*
 * test_hier_admit.c - what enters the tier hierarchy besides demand fills (sim/hier.c with
 * sim/admit.h and sim/prefetch.h), traced by hand: the admission filters second_hit (a
 * window of recent misses), max_size (in a non-inclusive and an inclusive hierarchy) and
 * cost_aware (load time against recompute time, KV blocks only, refused with zero figures);
 * the prefetchers next_n over a sequential scan and hint, with prefetches counted used or
 * unused once. The rig is tests/hier_test.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/hier.h"
#include "sim/util/mem.h"
#include "hier_test.h"

/* ---- admission ---- */

static void test_hier_second_hit_admission_hand_trace(void **state)
{
    (void)state;
    /* One tier, LRU 1 object, second_hit with a window of 2 misses. The filter is asked
     * before the current miss is recorded.
     *  #  req  lookup  window before     admitted?           window after (ring, 2 slots)
     *  1  A    miss    {}                no  (refused 1)     [A _]
     *  2  B    miss    {A}               no  (refused 2)     [A B]
     *  3  A    miss    {A B}             yes: cached [A]     [A B] (A rewritten in slot 0)
     *  4  C    miss    {A B}             no  (refused 3)     [A C] (B leaves)
     *  5  D    miss    {A C}             no  (refused 4)     [D C] (A leaves)
     *  6  B    miss    {C D}             no  (refused 5)     [D B]
     *  7  A    hit                       (nothing recorded)
     *  8  B    miss    {D B}             yes: evicts A       [B B]->[D B] kept as latest B
     * Totals: 8 lookups, 1 hit, 7 misses, 5 refused, 2 insertions, 1 eviction. */
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 1, true);
    ts_hier_config_t cfg = {0};
    rig_admit(&g, &cfg, 0, &ts_admit_second_hit, "window", "2");
    rig_start(&g, &cfg);
    const char *keys = "ABACDBAB";
    for (size_t i = 0; keys[i]; i++)
        rig_do(&g, 'g', (uint64_t)keys[i], 10);
    const ts_tier_stats_t *s = &g.t[0]->st;
    assert_int_equal(s->n_req, 8);
    assert_int_equal(s->n_hit, 1);
    assert_int_equal(s->n_miss, 7);
    assert_int_equal(s->n_refused, 5);
    assert_int_equal(s->n_insert, 2);
    assert_int_equal(s->n_evict, 1);
    assert_true(ts_tier_holds(g.t[0], 'B'));
    rig_free(&g);
}

static void test_hier_max_size_admission_hand_trace(void **state)
{
    (void)state;
    /* Bytes mode, t0 1000 B with max_size 150, t1 1000 B; non_inclusive, promote top.
     *  get A(100): miss both; fill t1, then t0.                      t0 {A}  t1 {A}
     *  get B(200): miss both; t1 takes it, t0 refuses (1): served from t1, read crosses l0.
     *  get B(200): t0 miss, t1 hit; promotion refused by t0 (2): served from t1.
     *  get A(100): t0 hit.
     * Links: l1 (t1-backing) up 2 fills (300 B); l0 up: fill A (100) + two reads of B from
     * t1 (400) = 3 transfers, 500 B.
     * Then inclusive, with the filter on the lower tier: B (200) is refused by t1, so the
     * fill stops there and t0 may not hold it either; it is served from the backing store. */
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 1000, false);
    rig_tier(&g, &ts_policy_lru, 1000, false);
    ts_hier_config_t cfg = {0};
    rig_admit(&g, &cfg, 0, &ts_admit_max_size, "max_size", "150");
    rig_start(&g, &cfg);
    assert_int_equal(rig_do(&g, 'g', KA, 100), B);
    assert_int_equal(rig_do(&g, 'g', KB, 200), B);
    expect_move(&g.mv, 0, TS_MOVE_FILL, B, 1, KB);
    expect_move(&g.mv, 1, TS_MOVE_READ, 1, C, KB);
    assert_int_equal(rig_do(&g, 'g', KB, 200), 1);
    assert_int_equal(rig_do(&g, 'g', KA, 100), 0);
    assert_int_equal(g.t[0]->st.n_refused, 2);
    assert_int_equal(g.t[0]->st.n_insert, 1);
    assert_int_equal(g.t[0]->st.n_hit, 1);
    assert_int_equal(g.t[1]->st.n_insert, 2);
    assert_int_equal(g.t[1]->st.n_hit, 1);
    assert_int_equal(g.h->link[1].n_up, 2);
    assert_int_equal(g.h->link[1].bytes_up, 300);
    assert_int_equal(g.h->link[0].n_up, 3);
    assert_int_equal(g.h->link[0].bytes_up, 500);
    rig_free(&g);

    rig_tier(&g, &ts_policy_lru, 1000, false);
    rig_tier(&g, &ts_policy_lru, 1000, false);
    cfg = (ts_hier_config_t){.inclusion = TS_INCL_INCLUSIVE};
    rig_admit(&g, &cfg, 1, &ts_admit_max_size, "max_size", "150");
    rig_start(&g, &cfg);
    assert_int_equal(rig_do(&g, 'g', KB, 200), B);
    assert_int_equal(g.mv.n, 1);
    expect_move(&g.mv, 0, TS_MOVE_READ, B, C, KB);
    assert_false(ts_hier_holds(g.h, KB));
    assert_int_equal(g.t[1]->st.n_refused, 1);
    assert_int_equal(g.t[0]->st.n_insert, 0);
    rig_free(&g);
}

/* Replays a get of key (size bytes) with the request flags given. */
static int rig_get_flags(rig_t *g, uint64_t key, uint64_t size, uint8_t flags)
{
    ts_req_t r = {.key = key, .size_bytes = size, .next_access = TS_REQ_NEVER, .flags = flags};
    ts_err_t err = {0};
    int rc = ts_hier_access(g->h, &r, &g->mv, &err);
    assert_true(rc >= 0);
    return rc;
}

/* cost_aware on tier 1: 10-token blocks recomputed at 1000 tokens/s, loaded back in 2 ms +
 * size / 100000 B/s; admitted when recompute >= speedup x load. */
static void rig_cost_aware(rig_t *g, ts_hier_config_t *cfg, const char *speedup)
{
    static const char *const names[] = {"load_rate", "load_latency", "prefill_rate",
                                        "block_tokens", "speedup"};
    const char *values[] = {"100000B/s", "2ms", "1000", "10", speedup};
    void *p = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_plugin_params_kv(&ts_admit_cost_aware.base, names, values, 5, &p, &err),
                     0);
    g->params[1] = p;
    cfg->admit[1] = &ts_admit_cost_aware;
    cfg->admit_params[1] = p;
}

static void test_hier_cost_aware_admission_hand_trace(void **state)
{
    (void)state;
    /* Bytes mode; t0 1000 B, t1 10000 B with cost_aware: a block of 10 tokens recomputes in
     * 10 / 1000 tokens/s = 10 ms; loading S bytes back from t1 takes 2 ms + S / 100000 B/s.
     * 600 B: 8 ms <= 10 ms, admitted; 900 B: 11 ms > 10 ms, refused, unless not a KV block.
     * Exclusive, demote next: what t0 evicts moves to t1, carrying its KV flag.
     *  get A(600, KV):   t0 {A}
     *  get B(900, KV):   t0 evicts A -> t1 admits it (8 ms).        t0 {B}  t1 {A}
     *  get C(600, KV):   t0 evicts B -> t1 refuses it (11 ms): gone. t0 {C}  t1 {A}
     *  get W(900, -):    t0 evicts C -> t1 admits it.               t0 {W}  t1 {A, C}
     *  get D(600, KV):   t0 evicts W, not a KV block -> admitted.   t0 {D}  t1 {A, C, W}
     *  get B(900, KV):   a miss everywhere (it was dropped); placed in t0 (no filter),
     *                    evicting D -> t1 admits it.                t0 {B}  t1 {A, C, W, D} */
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 1000, false);
    rig_tier(&g, &ts_policy_lru, 10000, false);
    ts_hier_config_t cfg = {.inclusion = TS_INCL_EXCLUSIVE, .demote = TS_DEMOTE_NEXT};
    rig_cost_aware(&g, &cfg, "1");
    rig_start(&g, &cfg);
    assert_true(g.h->keep_meta);
    assert_int_equal(rig_get_flags(&g, KA, 600, TS_REQ_KV), B);
    assert_int_equal(rig_get_flags(&g, KB, 900, TS_REQ_KV), B);
    assert_true(ts_tier_holds(g.t[1], KA));
    assert_int_equal(rig_get_flags(&g, KC, 600, TS_REQ_KV), B);
    assert_false(ts_hier_holds(g.h, KB));
    assert_int_equal(g.t[1]->st.n_refused, 1);
    assert_int_equal(rig_get_flags(&g, KW, 900, 0), B);
    assert_int_equal(rig_get_flags(&g, KD, 600, TS_REQ_KV), B);
    assert_true(ts_tier_holds(g.t[1], KW)); /* not a KV block: nothing to recompute */
    assert_int_equal(rig_get_flags(&g, KB, 900, TS_REQ_KV), B);
    assert_true(ts_tier_holds(g.t[0], KB) && ts_tier_holds(g.t[1], KD));
    assert_true(ts_tier_holds(g.t[1], KA) && ts_tier_holds(g.t[1], KC));
    assert_int_equal(g.t[1]->st.n_refused, 1);
    assert_int_equal(g.t[1]->st.n_insert, 4);
    rig_free(&g);

    /* speedup 2 asks for a load twice as fast as recompute: 600 B (8 ms) is refused too */
    rig_tier(&g, &ts_policy_lru, 1000, false);
    rig_tier(&g, &ts_policy_lru, 10000, false);
    rig_cost_aware(&g, &cfg, "2");
    rig_start(&g, &cfg);
    assert_int_equal(rig_get_flags(&g, KA, 600, TS_REQ_KV), B);
    assert_int_equal(rig_get_flags(&g, KB, 600, TS_REQ_KV), B);
    assert_false(ts_hier_holds(g.h, KA));
    assert_int_equal(g.t[1]->st.n_refused, 1);
    rig_free(&g);

    /* zero figures are refused at creation (the scenario fills them) */
    void *zero = NULL; /* the defaults: every figure 0, speedup 1 */
    ts_admit_t *a = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_plugin_params_kv(&ts_admit_cost_aware.base, NULL, NULL, 0, &zero, &err),
                     0);
    assert_int_equal(ts_admit_cost_aware.create(zero, &a, &err), TS_EINVAL);
    ts_free(zero);
    assert_null(a);
    assert_non_null(strstr(err.msg, "cost_aware needs load_rate, prefill_rate and block_tokens"));
}

/* ---- prefetch ---- */

static void test_hier_next_n_prefetch_sequential_scan(void **state)
{
    (void)state;
    /* One LRU tier of 8 objects, next_n with n = 2; gets of keys 1..10 in order, 100 B each.
     *   key 1: miss; prefetch 2 and 3.        keys k = 2..10: hit (2..k+1 are cached by
     *   then); each prefetches k+2 (k+1 is already there). So 1 miss, 9 hits; 2 + 9 = 11
     *   prefetches, 9 of them used (keys 2..10), 11 and 12 never used (counted at the end).
     * The tier holds 1..k+2 after key k, reaching 8 at k = 6: the prefetches at k = 7..10
     * evict keys 1, 2, 3, 4 (least recently used), all already used: 4 evictions.
     * Without the prefetcher all 10 gets miss. */
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 8, true);
    ts_hier_config_t cfg = {0};
    rig_prefetch(&g, &cfg, &ts_prefetch_next_n, "n", "2");
    rig_start(&g, &cfg);
    assert_int_equal(rig_do(&g, 'g', 1, 100), B);
    assert_int_equal(g.mv.n, 4);
    expect_move(&g.mv, 0, TS_MOVE_FILL, B, 0, 1);
    expect_move(&g.mv, 1, TS_MOVE_READ, 0, C, 1);
    expect_move(&g.mv, 2, TS_MOVE_PREFETCH, B, 0, 2);
    expect_move(&g.mv, 3, TS_MOVE_PREFETCH, B, 0, 3);
    for (uint64_t k = 2; k <= 10; k++)
        assert_int_equal(rig_do(&g, 'g', k, 100), 0);
    ts_err_t err = {0};
    assert_int_equal(ts_hier_finish(g.h, NULL, &err), 0);
    const ts_hier_stats_t *st = &g.h->st;
    assert_int_equal(g.h->tot.n_hit, 9);
    assert_int_equal(g.h->tot.n_backing, 1);
    assert_int_equal(st->n_pf_issued, 11);
    assert_int_equal(st->bytes_pf, 1100);
    assert_int_equal(st->n_pf_used, 9);
    assert_int_equal(st->n_pf_unused, 2);
    assert_int_equal(st->bytes_pf_unused, 200);
    assert_int_equal(g.t[0]->st.n_req, 10); /* prefetches are not lookups */
    assert_int_equal(g.t[0]->st.n_insert, 12);
    assert_int_equal(g.t[0]->st.n_prefetch_in, 11);
    assert_int_equal(g.t[0]->st.n_evict, 4);
    expect_link(g.h, 0, 12, 0, 100);
    rig_free(&g);
}

static void test_hier_hint_prefetch_and_unused_on_eviction(void **state)
{
    (void)state;
    /* One LRU tier of 1 object, the hint prefetcher. hint 5 fetches 5 (a hint, not a
     * demand request); get 5 hits it (used); hint 6 fetches 6, evicting 5; hint 7 fetches
     * 7, evicting 6 before any demand hit (unused); get 6 misses, and its fill evicts 7,
     * never used either: 2 unused, 200 B. */
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 1, true);
    ts_hier_config_t cfg = {0};
    rig_prefetch(&g, &cfg, &ts_prefetch_hint, NULL, NULL);
    rig_start(&g, &cfg);
    assert_int_equal(rig_do(&g, 'h', 5, 100), TS_LEVEL_NONE);
    expect_move(&g.mv, 0, TS_MOVE_PREFETCH, B, 0, 5);
    assert_int_equal(rig_do(&g, 'g', 5, 100), 0);
    rig_do(&g, 'h', 6, 100);
    rig_do(&g, 'h', 7, 100);
    assert_int_equal(rig_do(&g, 'g', 6, 100), B);
    const ts_hier_stats_t *st = &g.h->st;
    assert_int_equal(g.h->tot.n_req, 5);
    assert_int_equal(g.h->tot.n_get, 2);
    assert_int_equal(g.h->tot.n_hit, 1);
    assert_int_equal(st->n_pf_hint, 3);
    assert_int_equal(st->n_pf_issued, 3);
    assert_int_equal(st->n_pf_used, 1);
    assert_int_equal(st->n_pf_unused, 2);
    assert_int_equal(st->bytes_pf_unused, 200);
    assert_int_equal(g.t[0]->st.n_req, 2);
    rig_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hier_second_hit_admission_hand_trace),
        cmocka_unit_test(test_hier_max_size_admission_hand_trace),
        cmocka_unit_test(test_hier_cost_aware_admission_hand_trace),
        cmocka_unit_test(test_hier_next_n_prefetch_sequential_scan),
        cmocka_unit_test(test_hier_hint_prefetch_and_unused_on_eviction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
