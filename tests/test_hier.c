/* SPDX-License-Identifier: MIT */
/*
 * test_hier.c - the tier hierarchy's placement, inclusion, promotion, demotion and write
 * rules (sim/hier.c): a three-tier exclusive write-back trace and an inclusive
 * back-invalidation trace worked out by hand (every tier and link counter, and the exact
 * move lists); promote up and none, demotions carrying hints to a session tier, and
 * write-through and flush at the end traced by hand; no tiers at all; the fast engine over a
 * hierarchy; registry checks, a bad configuration and out-of-memory paths. Admission and
 * prefetching are in test_hier_admit.c, properties over random traces in
 * test_hier_properties.c; the rig is tests/hier_test.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/engine.h"
#include "sim/hier.h"
#include "sim/util/mem.h"
#include "sim/memtrace.h"
#include "hier_test.h"
#include "policies/registry.h"

/* ---- hand traces ---- */

static void test_hier_three_tier_exclusive_write_back_hand_trace(void **state)
{
    (void)state;
    /* t0 LRU 1 object, t1 LRU 1, t2 LRU 2; exclusive, promote top, demote next, write back.
     * All objects 100 bytes. Moves: D = demote, F = fill from backing, P = promote,
     * W = write from the requester, WB = write-back, R = read to the requester; * = dirty.
     *  #  req    lookups (t0 t1 t2)   moves, in order                          t0   t1   t2
     *  1  get A  miss miss miss       F A B->0, R                              A    -    -
     *  2  get B  miss miss miss       D A 0->1, F B, R                         B    A    -
     *  3  put C  miss miss miss       D A 1->2, D B 0->1, W C ->0              C*   B    A
     *  4  get A  miss miss hit        D B 1->2, D C 0->1, P A 2->0, R          A    C*   B
     *  5  put B  miss miss hit        D C 1->2, D A 0->1, W B ->0 (no P: put)  B*   A    C*
     *  6  get D  miss miss miss       D A 1->2, D B 0->1, F D, R               D    B*   A C*
     *  7  get E  miss miss miss       WB C 2->B (LRU of t2, last tier: dropped, dirty),
     *                                 D B 1->2, D D 0->1, F E, R               E    D    B* A
     *  8  del B  (not a lookup)       B removed from t2, dirty state dropped   E    D    A
     *  9  get D  miss hit             D E 0->1, P D 1->0, R                    D    E    A
     * 10  get D  hit                  R                                        D    E    A
     * 11  put A  miss miss hit        D E 1->2, D D 0->1, W A ->0              A*   D    E
     * 12  get C  miss miss miss       D D 1->2, D A 0->1, F C, R               C    A*   E D
     * Per tier: t0 11 lookups, 1 hit; 10 insertions (1-7, 9, 11, 12), 9 evictions, all
     * demoted; promotions in 2 (4, 9). t1 10 lookups, 1 hit (9); 9 demotions in, 7 evictions
     * demoted on (3-7, 11, 12), 1 promotion out (9). t2 9 lookups, 3 hits (4, 5, 11); 7
     * demotions in, 1 eviction written back (C), 1 promotion out (4), 1 removed (8).
     * Links (l0 t0-t1, l1 t1-t2, l2 t2-backing): fills cross l2 l1 l0 up (5 of them);
     * P 2->0 crosses l1 l0 up, P 1->0 crosses l0; each D 0->1 crosses l0 down (9), each
     * D 1->2 crosses l1 down (7); the write-back crosses l2 down. Writes from the requester
     * to t0 cross no counted link. Dirty at the end: A. */
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 1, true);
    rig_tier(&g, &ts_policy_lru, 1, true);
    rig_tier(&g, &ts_policy_lru, 2, true);
    ts_hier_config_t cfg = {.inclusion = TS_INCL_EXCLUSIVE,
                            .promote = TS_PROMOTE_TOP,
                            .demote = TS_DEMOTE_NEXT,
                            .write = TS_WRITE_BACK};
    rig_start(&g, &cfg);
    assert_int_equal(rig_do(&g, 'g', KA, 100), B);
    assert_int_equal(g.mv.n, 2);
    expect_move(&g.mv, 0, TS_MOVE_FILL, B, 0, KA);
    expect_move(&g.mv, 1, TS_MOVE_READ, 0, C, KA);
    rig_do(&g, 'g', KB, 100);
    assert_int_equal(rig_do(&g, 'p', KC, 100), B);
    assert_int_equal(g.mv.n, 3);
    expect_move(&g.mv, 0, TS_MOVE_DEMOTE, 1, 2, KA);
    expect_move(&g.mv, 1, TS_MOVE_DEMOTE, 0, 1, KB);
    expect_move(&g.mv, 2, TS_MOVE_WRITE, C, 0, KC);
    assert_int_equal(rig_do(&g, 'g', KA, 100), 2);
    assert_int_equal(g.mv.n, 4);
    expect_move(&g.mv, 0, TS_MOVE_DEMOTE, 1, 2, KB);
    expect_move(&g.mv, 1, TS_MOVE_DEMOTE, 0, 1, KC);
    expect_move(&g.mv, 2, TS_MOVE_PROMOTE, 2, 0, KA);
    expect_move(&g.mv, 3, TS_MOVE_READ, 0, C, KA);
    rig_do(&g, 'p', KB, 100);
    rig_do(&g, 'g', KD, 100);
    assert_true(ts_hier_is_dirty(g.h, KC));
    assert_int_equal(rig_do(&g, 'g', KE, 100), B);
    assert_int_equal(g.mv.n, 5);
    expect_move(&g.mv, 0, TS_MOVE_WRITEBACK, 2, B, KC);
    expect_move(&g.mv, 1, TS_MOVE_DEMOTE, 1, 2, KB);
    expect_move(&g.mv, 2, TS_MOVE_DEMOTE, 0, 1, KD);
    expect_move(&g.mv, 3, TS_MOVE_FILL, B, 0, KE);
    expect_move(&g.mv, 4, TS_MOVE_READ, 0, C, KE);
    assert_false(ts_hier_is_dirty(g.h, KC));
    assert_int_equal(rig_do(&g, 'd', KB, 100), TS_LEVEL_NONE);
    assert_int_equal(g.mv.n, 0);
    assert_false(ts_hier_is_dirty(g.h, KB));
    assert_int_equal(rig_do(&g, 'g', KD, 100), 1);
    assert_int_equal(rig_do(&g, 'g', KD, 100), 0);
    assert_int_equal(g.mv.n, 1);
    rig_do(&g, 'p', KA, 100);
    rig_do(&g, 'g', KC, 100);
    ts_err_t err = {0};
    assert_int_equal(ts_hier_finish(g.h, &g.mv, &err), 0);
    assert_int_equal(g.mv.n, 0); /* flush_at_end is off */

    const ts_tier_stats_t *s0 = &g.t[0]->st, *s1 = &g.t[1]->st, *s2 = &g.t[2]->st;
    assert_int_equal(s0->n_req, 11);
    assert_int_equal(s0->n_hit, 1);
    assert_int_equal(s0->n_miss, 10);
    assert_int_equal(s0->n_insert, 10);
    assert_int_equal(s0->n_evict, 9);
    assert_int_equal(s0->n_demote_out, 9);
    assert_int_equal(s0->n_promote_in, 2);
    assert_int_equal(s0->n_delete, 1);
    assert_int_equal(s0->n_removed, 0);
    assert_int_equal(s1->n_req, 10);
    assert_int_equal(s1->n_hit, 1);
    assert_int_equal(s1->n_insert, 9);
    assert_int_equal(s1->n_demote_in, 9);
    assert_int_equal(s1->n_evict, 7);
    assert_int_equal(s1->n_demote_out, 7);
    assert_int_equal(s1->n_promote_out, 1);
    assert_int_equal(s2->n_req, 9);
    assert_int_equal(s2->n_hit, 3);
    assert_int_equal(s2->n_miss, 6);
    assert_int_equal(s2->n_insert, 7);
    assert_int_equal(s2->n_demote_in, 7);
    assert_int_equal(s2->n_evict, 1);
    assert_int_equal(s2->n_writeback, 1);
    assert_int_equal(s2->bytes_writeback, 100);
    assert_int_equal(s2->n_promote_out, 1);
    assert_int_equal(s2->n_removed, 1);
    assert_int_equal(g.t[0]->n_objects, 1);
    assert_int_equal(g.t[1]->n_objects, 1);
    assert_int_equal(g.t[2]->n_objects, 2);
    expect_link(g.h, 0, 7, 9, 100);
    expect_link(g.h, 1, 6, 7, 100);
    expect_link(g.h, 2, 5, 1, 100);
    const ts_totals_t *to = &g.h->tot;
    assert_int_equal(to->n_req, 12);
    assert_int_equal(to->n_get, 8);
    assert_int_equal(to->n_put, 3);
    assert_int_equal(to->n_delete, 1);
    assert_int_equal(to->n_hit, 5);
    assert_int_equal(to->n_backing, 5); /* get misses only: puts stay in the cache */
    assert_int_equal(to->bytes_backing, 500);
    assert_int_equal(g.h->st.n_writeback, 1);
    assert_int_equal(g.h->st.n_dirty_end, 1);
    assert_int_equal(g.h->st.bytes_dirty_end, 100);
    assert_true(ts_hier_is_dirty(g.h, KA));
    rig_free(&g);
}

static void test_hier_inclusive_back_invalidation_hand_trace(void **state)
{
    (void)state;
    /* t0 LRU 1, t1 FIFO 2; inclusive, promote top. Trace A B A C B B A (gets).
     *  req  t0    t1     t1 after (head newest)  t0 after
     *  A    miss  miss   [A]                     [A]
     *  B    miss  miss   [B A]                   [B]        (t0 evicts A)
     *  A    miss  hit    [B A]                   [A]        (t0 evicts B)
     *  C    miss  miss   [C B]: evicts A, which back-invalidates A in t0; t0 then has room: [C]
     *  B    miss  hit    [C B]                   [B]        (t0 evicts C)
     *  B    hit          [C B]                   [B]
     *  A    miss  miss   [A C]: evicts B, back-invalidating it in t0: [A]
     * t0: 7 lookups, 1 hit, 6 insertions, 3 evictions, 2 back-invalidations.
     * t1: 6 lookups, 2 hits, 4 insertions, 2 evictions. Totals: 3 hits, 4 backing reads.
     * (The default non_inclusive hierarchy keeps B in t0 at the end and evicts 5 times.) */
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 1, true);
    rig_tier(&g, &ts_policy_fifo, 2, true);
    ts_hier_config_t cfg = {.inclusion = TS_INCL_INCLUSIVE};
    rig_start(&g, &cfg);
    const char *keys = "ABACBBA";
    for (size_t i = 0; keys[i]; i++)
        rig_do(&g, 'g', (uint64_t)keys[i], 10);
    assert_int_equal(g.t[0]->st.n_req, 7);
    assert_int_equal(g.t[0]->st.n_hit, 1);
    assert_int_equal(g.t[0]->st.n_insert, 6);
    assert_int_equal(g.t[0]->st.n_evict, 3);
    assert_int_equal(g.t[0]->st.n_backinval, 2);
    assert_int_equal(g.t[1]->st.n_req, 6);
    assert_int_equal(g.t[1]->st.n_hit, 2);
    assert_int_equal(g.t[1]->st.n_insert, 4);
    assert_int_equal(g.t[1]->st.n_evict, 2);
    assert_int_equal(g.h->tot.n_hit, 3);
    assert_int_equal(g.h->tot.n_backing, 4);
    assert_true(ts_tier_holds(g.t[0], 'A'));
    assert_true(ts_tier_holds(g.t[1], 'A'));
    /* the last miss: fill t1 from the backing store, then t0 from t1, then the read */
    assert_int_equal(g.mv.n, 3);
    expect_move(&g.mv, 0, TS_MOVE_FILL, B, 1, 'A');
    expect_move(&g.mv, 1, TS_MOVE_FILL, 1, 0, 'A');
    expect_move(&g.mv, 2, TS_MOVE_READ, 0, C, 'A');
    rig_free(&g);
}

static void test_hier_promote_up_and_none_hand_trace(void **state)
{
    (void)state;
    /* Exclusive, promote up, demote next; three LRU tiers of 1 object each.
     *  get A, get B, get C: each misses and enters t0, pushing the others down:
     *                                         t0 C, t1 B, t2 A
     *  get A: hit in t2, moves up one level: t1 evicts B, demoted to t2 (empty now).
     *         moves: D B 1->2, P A 2->1, R from t1        t0 C, t1 A, t2 B
     *  get A: hit in t1, moves up to t0: t0 evicts C, demoted to t1 (empty now).
     *         moves: D C 0->1, P A 1->0, R from t0        t0 A, t1 C, t2 B */
    rig_t g = {0};
    for (int i = 0; i < 3; i++)
        rig_tier(&g, &ts_policy_lru, 1, true);
    ts_hier_config_t cfg = {.inclusion = TS_INCL_EXCLUSIVE, .promote = TS_PROMOTE_UP,
                            .demote = TS_DEMOTE_NEXT};
    rig_start(&g, &cfg);
    rig_do(&g, 'g', KA, 10);
    rig_do(&g, 'g', KB, 10);
    rig_do(&g, 'g', KC, 10);
    assert_int_equal(rig_do(&g, 'g', KA, 10), 2);
    assert_int_equal(g.mv.n, 3);
    expect_move(&g.mv, 0, TS_MOVE_DEMOTE, 1, 2, KB);
    expect_move(&g.mv, 1, TS_MOVE_PROMOTE, 2, 1, KA);
    expect_move(&g.mv, 2, TS_MOVE_READ, 1, C, KA);
    assert_int_equal(rig_do(&g, 'g', KA, 10), 1);
    assert_int_equal(g.mv.n, 3);
    expect_move(&g.mv, 0, TS_MOVE_DEMOTE, 0, 1, KC);
    expect_move(&g.mv, 1, TS_MOVE_PROMOTE, 1, 0, KA);
    expect_move(&g.mv, 2, TS_MOVE_READ, 0, C, KA);
    assert_true(ts_tier_holds(g.t[0], KA) && ts_tier_holds(g.t[1], KC) &&
                ts_tier_holds(g.t[2], KB));
    rig_free(&g);

    /* non_inclusive, promote none; t0 LRU 1, t1 LRU 2. get A, get B fill both tiers (t0
     * keeps B). get A: t0 misses, t1 hits; served from t1 and copied nowhere: the only move
     * is the read, which crosses link 0 upwards. */
    rig_tier(&g, &ts_policy_lru, 1, true);
    rig_tier(&g, &ts_policy_lru, 2, true);
    cfg = (ts_hier_config_t){.promote = TS_PROMOTE_NONE};
    rig_start(&g, &cfg);
    rig_do(&g, 'g', KA, 10);
    rig_do(&g, 'g', KB, 10);
    assert_int_equal(rig_do(&g, 'g', KA, 10), 1);
    assert_int_equal(g.mv.n, 1);
    expect_move(&g.mv, 0, TS_MOVE_READ, 1, C, KA);
    assert_true(ts_tier_holds(g.t[0], KB));
    assert_false(ts_tier_holds(g.t[0], KA));
    assert_int_equal(g.t[0]->st.n_insert, 2);
    assert_int_equal(g.t[1]->st.n_promote_out, 0);
    expect_link(g.h, 0, 3, 0, 10); /* the fills of A and B, then the read of A */
    rig_free(&g);
}

/* Replays a hinted get: stream, time and idle hint as an agentic workload sends them. */
static void rig_get_hint(rig_t *g, uint64_t key, uint32_t stream, uint64_t t, uint64_t idle)
{
    ts_req_t r = {.key = key, .size_bytes = 1, .next_access = TS_REQ_NEVER, .time_ns = t,
                  .stream = stream, .flags = TS_REQ_HINT | TS_REQ_KV, .idle_ns = idle};
    ts_err_t err = {0};
    assert_true(ts_hier_access(g->h, &r, &g->mv, &err) >= 0);
}

static void test_hier_demotions_carry_hints_to_a_session_tier(void **state)
{
    (void)state;
    /* Objects mode; t0 LRU of 1 object, t1 session of 2; exclusive, demote next. Each get
     * is its own session's, hinted idle for the time given:
     *  t=0 A idle 10:   t0 {A}
     *  t=1 B idle 100:  A demoted to t1 at now 1, due 0 + 10 = 10: idle 9 ahead.
     *  t=2 C idle 50:   B demoted to t1 at now 2, due 1 + 100 = 101.      t1 {A:10, B:101}
     *  t=3 D idle 1000: C demoted (due 52); t1 is full and evicts the furthest predicted
     *                   use: B (101), not A, the least recently used.      t1 {A:10, C:52}
     * Without the hints the demoted copies would be unhinted and t1 would evict A (LRU). */
    extern const ts_policy_ops_t ts_policy_session;
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 1, true);
    rig_tier(&g, &ts_policy_session, 2, true);
    ts_hier_config_t cfg = {.inclusion = TS_INCL_EXCLUSIVE, .demote = TS_DEMOTE_NEXT};
    rig_start(&g, &cfg);
    assert_true(g.h->keep_meta);
    rig_get_hint(&g, KA, 1, 0, 10);
    rig_get_hint(&g, KB, 2, 1, 100);
    rig_get_hint(&g, KC, 3, 2, 50);
    rig_get_hint(&g, KD, 4, 3, 1000);
    assert_true(ts_tier_holds(g.t[1], KA) && ts_tier_holds(g.t[1], KC));
    assert_false(ts_hier_holds(g.h, KB));
    assert_true(ts_tier_holds(g.t[0], KD));
    rig_free(&g);
}

static void test_hier_write_through_and_flush_at_end(void **state)
{
    (void)state;
    /* Two LRU tiers of 2; non_inclusive. Write-through: a put goes into both tiers and on
     * to the backing store at once (W ->0, W 0->1, W 1->backing). Write-back with
     * flush_at_end: two puts leave A and B dirty; finish flushes each once, from t1 (the
     * lowest tier holding it). */
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 2, true);
    rig_tier(&g, &ts_policy_lru, 2, true);
    ts_hier_config_t cfg = {0};
    rig_start(&g, &cfg);
    rig_do(&g, 'p', KA, 100);
    assert_int_equal(g.mv.n, 3);
    expect_move(&g.mv, 0, TS_MOVE_WRITE, C, 0, KA);
    expect_move(&g.mv, 1, TS_MOVE_WRITE, 0, 1, KA);
    expect_move(&g.mv, 2, TS_MOVE_WRITE, 1, B, KA);
    assert_int_equal(g.h->tot.n_backing, 1);
    assert_false(ts_hier_is_dirty(g.h, KA));
    rig_free(&g);

    rig_tier(&g, &ts_policy_lru, 2, true);
    rig_tier(&g, &ts_policy_lru, 2, true);
    cfg = (ts_hier_config_t){.write = TS_WRITE_BACK, .flush_at_end = true};
    rig_start(&g, &cfg);
    rig_do(&g, 'p', KA, 100);
    assert_int_equal(g.mv.n, 2);
    rig_do(&g, 'p', KB, 100);
    rig_do(&g, 'p', KA, 100); /* still one dirty period */
    assert_int_equal(g.h->tot.n_backing, 0);
    ts_err_t err = {0};
    assert_int_equal(ts_hier_finish(g.h, &g.mv, &err), 0);
    assert_int_equal(g.mv.n, 2);
    assert_int_equal(g.mv.v[0].kind, TS_MOVE_WRITEBACK);
    assert_int_equal(g.mv.v[0].from, 1);
    assert_int_equal(g.mv.v[1].kind, TS_MOVE_WRITEBACK);
    assert_int_equal(g.mv.v[0].key + g.mv.v[1].key, KA + KB);
    assert_int_equal(g.h->st.n_dirty_end, 2);
    assert_int_equal(g.h->st.n_flush_end, 2);
    assert_int_equal(g.h->st.bytes_flush_end, 200);
    assert_int_equal(g.t[1]->st.n_writeback, 2);
    assert_int_equal(ts_hier_finish(g.h, &g.mv, &err), 0); /* once only */
    assert_int_equal(g.mv.n, 0);
    assert_int_equal(g.h->st.n_flush_end, 2);
    rig_free(&g);
}

/* ---- the backing store alone, and the engine ---- */

/* No tiers at all: the backing store serves everything. */
static void test_hier_no_tiers(void **state)
{
    (void)state;
    rig_t g = {0};
    ts_hier_config_t cfg = {0};
    rig_start(&g, &cfg);
    assert_int_equal(rig_do(&g, 'g', 1, 10), B);
    assert_int_equal(g.mv.n, 1);
    expect_move(&g.mv, 0, TS_MOVE_READ, B, C, 1);
    assert_int_equal(rig_do(&g, 'p', 1, 10), B);
    expect_move(&g.mv, 0, TS_MOVE_WRITE, C, B, 1);
    assert_int_equal(g.h->tot.n_backing, 2);
    rig_free(&g);
}

/* The fast engine over a hierarchy gives the same counters as direct calls. */
static void test_hier_engine_replays_through_hierarchy(void **state)
{
    (void)state;
    ts_memtrace_t *mt;
    ts_err_t err = {0};
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    for (uint64_t k = 1; k <= 10; k++) {
        ts_req_t r = {.time_ns = k, .key = k, .size_bytes = 100, .next_access = TS_REQ_NEVER};
        assert_int_equal(ts_memtrace_push(mt, &r, &err), 0);
    }
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 8, true);
    ts_hier_config_t cfg = {0};
    rig_prefetch(&g, &cfg, &ts_prefetch_next_n, "n", "2");
    rig_start(&g, &cfg);
    ts_reader_t *r;
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    assert_int_equal(ts_engine_fast_hier(g.h, r, NULL, &err), 0);
    assert_int_equal(g.h->tot.n_hit, 9); /* as in the next_n hand trace */
    assert_int_equal(g.h->st.n_pf_unused, 2);
    assert_int_equal(g.h->tot.first_ns, 1);
    assert_int_equal(g.h->tot.last_ns, 10);
    ts_reader_close(r);
    ts_memtrace_destroy(mt);
    rig_free(&g);
}

/* ---- registries, errors, memory ---- */

static void test_hier_registries_are_well_formed(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_registry_check(&ts_admits, &err), 0);
    assert_int_equal(ts_registry_check(&ts_prefetchers, &err), 0);
    assert_int_equal(ts_registry_count(&ts_admits), 5);
    assert_string_equal(ts_registry_at(&ts_admits, 2)->name, "max_size");
    assert_null(ts_registry_at(&ts_admits, 5));
    assert_string_equal(ts_registry_at(&ts_prefetchers, 1)->name, "next_n");
    assert_null(ts_admit_find("secondhit", &err));
    assert_int_equal(err.code, TS_ENOENT);
    assert_non_null(strstr(err.msg, "did you mean 'second_hit'"));
    ts_err_clear(&err);
    assert_null(ts_prefetch_find("next", &err));
    assert_non_null(strstr(err.msg, "prefetcher"));
    ts_admit_t *a;
    const char *names[] = {"window"}, *values[] = {"3"};
    ts_err_clear(&err);
    assert_int_equal(ts_admit_create_kv(&ts_admit_second_hit, names, values, 1, &a, &err), 0);
    assert_true(a->ops->mem_bytes(a) >= 3 * sizeof(uint64_t));
    ts_admit_destroy(a);
    const char *bad[] = {"windw"};
    assert_int_equal(ts_admit_create_kv(&ts_admit_second_hit, bad, values, 1, &a, &err), TS_ENOENT);
    assert_null(a);
    ts_prefetcher_t *p;
    const char *nn[] = {"n"}, *nv[] = {"65"};
    ts_err_clear(&err);
    assert_int_equal(ts_prefetch_create_kv(&ts_prefetch_next_n, nn, nv, 1, &p, &err), TS_ERANGE);
}

static void test_hier_create_rejects_bad_config(void **state)
{
    (void)state;
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 2, true);
    ts_hier_config_t cfg = {.prefetch = &ts_prefetch_hint, .prefetch_into = 1};
    ts_err_t err = {0};
    ts_hier_t *h = (ts_hier_t *)&err;
    assert_int_equal(ts_hier_create(&cfg, g.t, 1, &h, &err), TS_EINVAL);
    assert_null(h);
    assert_non_null(strstr(err.msg, "prefetch target tier 1"));
    rig_free(&g);
}

static void test_hier_create_and_access_out_of_memory(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        rig_t g = {0};
        rig_tier(&g, &ts_policy_lru, 2, true);
        rig_tier(&g, &ts_policy_lru, 4, true);
        ts_hier_config_t cfg = {.write = TS_WRITE_BACK};
        rig_admit(&g, &cfg, 1, &ts_admit_second_hit, "window", "4");
        rig_prefetch(&g, &cfg, &ts_prefetch_next_n, "n", "2");
        ts_moves_t mv = {0};
        ts_err_t err = {0};
        ts_hier_t *h = NULL;
        ts_mem_fail_after(n);
        int rc = ts_hier_create(&cfg, g.t, g.n, &h, &err);
        if (rc == 0)
            rc = ts_moves_init(&mv, 1, &err);
        for (uint64_t k = 0; rc >= 0 && k < 8; k++) {
            ts_req_t r = {
                .key = k % 3, .size_bytes = 1, .next_access = TS_REQ_NEVER, .op = TS_OP_PUT};
            rc = ts_hier_access(h, &r, &mv, &err);
        }
        ts_mem_fail_after(-1);
        ts_moves_free(&mv);
        g.h = h;
        rig_free(&g);
        if (rc >= 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hier_three_tier_exclusive_write_back_hand_trace),
        cmocka_unit_test(test_hier_inclusive_back_invalidation_hand_trace),
        cmocka_unit_test(test_hier_promote_up_and_none_hand_trace),
        cmocka_unit_test(test_hier_demotions_carry_hints_to_a_session_tier),
        cmocka_unit_test(test_hier_write_through_and_flush_at_end),
        cmocka_unit_test(test_hier_engine_replays_through_hierarchy),
        cmocka_unit_test(test_hier_no_tiers),
        cmocka_unit_test(test_hier_registries_are_well_formed),
        cmocka_unit_test(test_hier_create_rejects_bad_config),
        cmocka_unit_test(test_hier_create_and_access_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
