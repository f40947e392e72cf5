/* SPDX-License-Identifier: MIT */
/*
 * test_hier.c - the tier hierarchy: a three-tier exclusive write-back trace and an
 * inclusive back-invalidation trace worked out by hand (every tier and link counter, and
 * the exact move lists); promote up and none, admission (second_hit, max_size) and
 * prefetch (next_n, hint) traced by hand; properties over GSL-random traces for every
 * inclusion x promote x demote x write combination, with and without admission filters and
 * prefetching: exclusive tiers never share a key, inclusive tiers are supersets downwards
 * after every request, write-back flushes each dirty period exactly once (against a
 * reference model), every prefetch is used or unused once; the straight default path counts
 * exactly what the general path counts; hits allocate nothing; registry checks and
 * out-of-memory paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "sim/engine.h"
#include "sim/hier.h"
#include "sim/util/mem.h"
#include "sim/memtrace.h"

extern const ts_policy_ops_t ts_policy_lru;
extern const ts_policy_ops_t ts_policy_fifo;
extern const ts_policy_ops_t ts_policy_sieve;
extern const ts_admit_ops_t ts_admit_second_hit;
extern const ts_admit_ops_t ts_admit_max_size;
extern const ts_admit_ops_t ts_admit_cost_aware;
extern const ts_prefetch_ops_t ts_prefetch_next_n;
extern const ts_prefetch_ops_t ts_prefetch_hint;

#define B TS_LEVEL_BACKING
#define C TS_LEVEL_CLIENT

/* ---- fixture helpers ---- */

typedef struct rig {
    ts_tier_t *t[TS_MAX_TIERS];
    size_t n;
    ts_hier_t *h;
    ts_moves_t mv;
    void *params[TS_MAX_TIERS + 1]; /* filter / prefetcher params */
} rig_t;

static void rig_tier(rig_t *g, const ts_policy_ops_t *ops, uint64_t cap, bool objects)
{
    ts_err_t err = {0};
    ts_policy_init_t init = {.capacity = cap, .count_objects = objects, .seed = 1};
    char name[8];
    snprintf(name, sizeof(name), "t%zu", g->n);
    assert_int_equal(ts_tier_create(name, ops, NULL, &init, &g->t[g->n], &err), 0);
    g->n++;
}

/* Params struct of an admission filter or prefetcher from one name=value pair. */
static void *rig_params(const ts_param_spec_t *spec, size_t count, size_t size, const char *name,
                        const char *value)
{
    void *p = ts_calloc(1, size ? size : 1);
    ts_err_t err = {0};
    assert_non_null(p);
    assert_int_equal(ts_param_defaults(spec, count, p, size, &err), 0);
    if (name)
        assert_int_equal(ts_param_set(spec, count, p, name, value, &err), 0);
    return p;
}

static void rig_admit(rig_t *g, ts_hier_config_t *cfg, size_t i, const ts_admit_ops_t *ops,
                      const char *name, const char *value)
{
    const ts_plugin_t *b = &ops->base;
    g->params[i] = rig_params(b->params, b->params_count, b->params_size, name, value);
    cfg->admit[i] = ops;
    cfg->admit_params[i] = g->params[i];
}

static void rig_prefetch(rig_t *g, ts_hier_config_t *cfg, const ts_prefetch_ops_t *ops,
                         const char *name, const char *value)
{
    g->params[TS_MAX_TIERS] =
        rig_params(ops->base.params, ops->base.params_count, ops->base.params_size, name, value);
    cfg->prefetch = ops;
    cfg->prefetch_params = g->params[TS_MAX_TIERS];
}

static void rig_start(rig_t *g, const ts_hier_config_t *cfg)
{
    ts_err_t err = {0};
    assert_int_equal(ts_hier_create(cfg, g->t, g->n, &g->h, &err), 0);
    assert_int_equal(ts_moves_init(&g->mv, 1, &err), 0); /* grows as needed */
}

static void rig_free(rig_t *g)
{
    ts_hier_destroy(g->h);
    for (size_t i = 0; i < g->n; i++)
        ts_tier_destroy(g->t[i]);
    for (size_t i = 0; i <= TS_MAX_TIERS; i++)
        ts_free(g->params[i]);
    ts_moves_free(&g->mv);
    memset(g, 0, sizeof(*g));
}

/* Replays one request; returns the level that served it. */
static int rig_do(rig_t *g, char op, uint64_t key, uint64_t size)
{
    ts_req_t r = {.key = key, .size_bytes = size, .next_access = TS_REQ_NEVER};
    r.op = op == 'p' ? TS_OP_PUT : op == 'd' ? TS_OP_DELETE : TS_OP_GET;
    if (op == 'h')
        r.flags = TS_REQ_PREFETCH;
    ts_err_t err = {0};
    int rc = ts_hier_access(g->h, &r, &g->mv, &err);
    assert_true(rc >= 0);
    return rc;
}

static void expect_move(const ts_moves_t *m, size_t i, unsigned kind, unsigned from, unsigned to,
                        uint64_t key)
{
    assert_true(i < m->n);
    const ts_move_t *v = &m->v[i];
    if (v->kind != kind || v->from != from || v->to != to || v->key != key)
        fail_msg("move %zu: got %s %u->%u key %llu, expected %s %u->%u key %llu", i,
                 ts_move_names[v->kind], v->from, v->to, (unsigned long long)v->key,
                 ts_move_names[kind], from, to, (unsigned long long)key);
}

static void expect_link(const ts_hier_t *h, size_t l, uint64_t up, uint64_t down, uint64_t size)
{
    const ts_link_stats_t *s = &h->st.link[l];
    if (s->n_up != up || s->n_down != down || s->bytes_up != up * size ||
        s->bytes_down != down * size)
        fail_msg("link %zu: up %llu (%llu B) down %llu (%llu B), expected up %llu down %llu", l,
                 (unsigned long long)s->n_up, (unsigned long long)s->bytes_up,
                 (unsigned long long)s->n_down, (unsigned long long)s->bytes_down,
                 (unsigned long long)up, (unsigned long long)down);
}

/* ---- hand traces ---- */

enum { KA = 1, KB, KC, KD, KE, KW };

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
    assert_int_equal(g.h->st.link[1].n_up, 2);
    assert_int_equal(g.h->st.link[1].bytes_up, 300);
    assert_int_equal(g.h->st.link[0].n_up, 3);
    assert_int_equal(g.h->st.link[0].bytes_up, 500);
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

/* ---- properties over random traces ---- */

#define P_KEYS 24
#define P_REQS 1500

typedef struct prop_case {
    ts_inclusion_t incl;
    ts_promote_t promote;
    ts_demote_t demote;
    ts_write_t write;
    bool admit;   /* second_hit on t1 and max_size on t2 */
    bool objects; /* objects mode; else bytes mode with sizes 1..3 units of 10 B */
    bool pf;      /* next_n (n = 2) prefetching into t1 */
} prop_case_t;

static void prop_build(rig_t *g, const prop_case_t *pc)
{
    uint64_t unit = pc->objects ? 1 : 20;
    rig_tier(g, &ts_policy_lru, 2 * unit, pc->objects);
    rig_tier(g, &ts_policy_fifo, 4 * unit, pc->objects);
    rig_tier(g, &ts_policy_sieve, 7 * unit, pc->objects);
    ts_hier_config_t cfg = {
        .inclusion = pc->incl, .promote = pc->promote, .demote = pc->demote, .write = pc->write};
    if (pc->admit) {
        rig_admit(g, &cfg, 1, &ts_admit_second_hit, "window", "6");
        rig_admit(g, &cfg, 2, &ts_admit_max_size, "max_size", "20");
    }
    if (pc->pf) {
        rig_prefetch(g, &cfg, &ts_prefetch_next_n, "n", "2");
        cfg.prefetch_into = 1;
    }
    rig_start(g, &cfg);
}

static void prop_check_placement(const rig_t *g, const prop_case_t *pc, size_t step)
{
    for (uint64_t k = 0; k < P_KEYS; k++) {
        unsigned copies = 0;
        for (size_t i = 0; i < g->n; i++) {
            bool here = ts_tier_holds(g->t[i], k);
            copies += here;
            if (pc->incl == TS_INCL_INCLUSIVE && here && i + 1 < g->n &&
                !ts_tier_holds(g->t[i + 1], k))
                fail_msg("step %zu: inclusive, key %llu in tier %zu but not in tier %zu", step,
                         (unsigned long long)k, i, i + 1);
        }
        if (pc->incl == TS_INCL_EXCLUSIVE && copies > 1)
            fail_msg("step %zu: exclusive, key %llu held by %u tiers", step, (unsigned long long)k,
                     copies);
    }
    for (size_t i = 0; i < g->n; i++)
        assert_true(g->t[i]->used <= g->t[i]->capacity);
}

static void prop_run(const prop_case_t *pc, unsigned long seed)
{
    print_message("case %s promote %s demote %s write %s%s%s\n", ts_inclusion_names[pc->incl],
                  ts_promote_names[pc->promote], ts_demote_names[pc->demote],
                  ts_write_names[pc->write], pc->admit ? " with admission (bytes)" : "",
                  pc->pf ? " with prefetch" : "");
    rig_t g = {0};
    prop_build(&g, pc);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    bool ref_dirty[P_KEYS] = {0};
    unsigned expected[P_KEYS] = {0}, flushed[P_KEYS] = {0};
    uint64_t sizes[P_KEYS];
    for (size_t k = 0; k < P_KEYS; k++)
        sizes[k] = pc->objects ? 10 : 10 * (1 + gsl_rng_uniform_int(rng, 3));
    for (size_t step = 0; step < P_REQS; step++) {
        uint64_t k = gsl_rng_uniform_int(rng, P_KEYS);
        double u = gsl_rng_uniform(rng);
        char op = u < 0.65 ? 'g' : u < 0.9 ? 'p' : 'd';
        rig_do(&g, op, k, sizes[k]);
        for (size_t m = 0; m < g.mv.n; m++) {
            const ts_move_t *v = &g.mv.v[m];
            assert_true(v->from == C || v->from == B || v->from < g.n);
            assert_true(v->to == C || v->to == B || v->to < g.n);
            if (v->kind != TS_MOVE_WRITEBACK || pc->pf)
                continue;
            if (!ref_dirty[v->key])
                fail_msg("step %zu: key %llu written back while clean", step,
                         (unsigned long long)v->key);
            flushed[v->key]++;
        }
        /* reference: a dirty key is flushed once when no tier holds it any more; a delete
         * drops it unwritten; a put leaves it dirty when some tier took it */
        for (uint64_t j = 0; j < P_KEYS; j++) {
            if (op == 'd' && j == k) {
                ref_dirty[j] = false;
                continue;
            }
            if (ref_dirty[j] && !ts_hier_holds(g.h, j)) {
                expected[j]++;
                ref_dirty[j] = false;
            }
        }
        if (op == 'p' && pc->write == TS_WRITE_BACK && ts_hier_holds(g.h, k))
            ref_dirty[k] = true;
        /* With prefetching, a prefetch may evict the object a put just wrote within the same
         * request; the reference above cannot see that, so only placement is checked. */
        for (uint64_t j = 0; j < P_KEYS && !pc->pf; j++) {
            if (flushed[j] != expected[j])
                fail_msg("step %zu: key %llu flushed %u times, expected %u", step,
                         (unsigned long long)j, flushed[j], expected[j]);
            assert_int_equal(ts_hier_is_dirty(g.h, j), ref_dirty[j]);
        }
        prop_check_placement(&g, pc, step);
    }
    if (pc->write == TS_WRITE_THROUGH)
        assert_int_equal(g.h->st.n_writeback, 0);
    unsigned dirty_left = 0;
    for (size_t j = 0; j < P_KEYS; j++)
        dirty_left += ref_dirty[j];
    ts_err_t err = {0};
    assert_int_equal(ts_hier_finish(g.h, NULL, &err), 0);
    if (!pc->pf)
        assert_int_equal(g.h->st.n_dirty_end, dirty_left);
    /* every prefetched object is used once or found unused once (at the latest, at the end) */
    const ts_hier_stats_t *st = &g.h->st;
    assert_int_equal(st->n_pf_issued, st->n_pf_used + st->n_pf_unused);
    assert_int_equal(st->bytes_pf, st->bytes_pf_used + st->bytes_pf_unused);
    if (pc->pf)
        assert_true(st->n_pf_issued > 0);
    /* every demand get or put is looked up in the top tier; prefetches never are */
    assert_int_equal(g.t[0]->st.n_req, g.h->tot.n_get + g.h->tot.n_put);
    gsl_rng_free(rng);
    rig_free(&g);
}

static void test_hier_properties_every_combination(void **state)
{
    (void)state;
    unsigned long seed = 1;
    for (int incl = 0; incl < TS_INCL_COUNT_; incl++)
        for (int pr = 0; pr < TS_PROMOTE_COUNT_; pr++)
            for (int de = 0; de < TS_DEMOTE_COUNT_; de++)
                for (int wr = 0; wr < TS_WRITE_COUNT_; wr++)
                    for (int ad = 0; ad < 4; ad++) {
                        prop_case_t pc = {.incl = (ts_inclusion_t)incl,
                                          .promote = (ts_promote_t)pr,
                                          .demote = (ts_demote_t)de,
                                          .write = (ts_write_t)wr,
                                          .admit = (ad & 1) != 0,
                                          .objects = (ad & 1) == 0,
                                          .pf = (ad & 2) != 0};
                        prop_run(&pc, seed++);
                    }
}

/* The default hierarchy's gets take a straight path when no move list is asked for; it
 * must count exactly what the general path (with a move list) counts. */
static void test_hier_plain_path_counts_like_general_path(void **state)
{
    (void)state;
    rig_t a = {0}, b = {0};
    rig_tier(&a, &ts_policy_lru, 3, true);
    rig_tier(&a, &ts_policy_fifo, 6, true);
    rig_tier(&b, &ts_policy_lru, 3, true);
    rig_tier(&b, &ts_policy_fifo, 6, true);
    ts_hier_config_t cfg = {0};
    rig_start(&a, &cfg);
    rig_start(&b, &cfg);
    assert_true(a.h->is_plain);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 99);
    ts_err_t err = {0};
    for (size_t i = 0; i < 3000; i++) {
        double u = gsl_rng_uniform(rng);
        ts_req_t r = {
            .key = gsl_rng_uniform_int(rng, 20), .size_bytes = 10, .next_access = TS_REQ_NEVER};
        r.op = u < 0.8 ? TS_OP_GET : u < 0.95 ? TS_OP_PUT : TS_OP_DELETE;
        int ra = ts_hier_access(a.h, &r, NULL, &err);
        int rb = ts_hier_access(b.h, &r, &b.mv, &err);
        assert_int_equal(ra, rb);
    }
    assert_memory_equal(&a.h->tot, &b.h->tot, sizeof(ts_totals_t));
    assert_memory_equal(&a.h->st, &b.h->st, sizeof(ts_hier_stats_t));
    for (size_t i = 0; i < 2; i++)
        assert_memory_equal(&a.t[i]->st, &b.t[i]->st, sizeof(ts_tier_stats_t));
    assert_true(a.t[1]->st.n_promote_out > 0);
    gsl_rng_free(rng);
    rig_free(&a);
    rig_free(&b);
}

/* The seam for the timed engine: once the move list has grown, hits allocate nothing, even
 * with a filter, a prefetcher and write-back on. */
static void test_hier_hits_do_not_allocate(void **state)
{
    (void)state;
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 8, true);
    rig_tier(&g, &ts_policy_lru, 8, true);
    ts_hier_config_t cfg = {.inclusion = TS_INCL_EXCLUSIVE, .demote = TS_DEMOTE_NEXT,
                            .write = TS_WRITE_BACK};
    rig_admit(&g, &cfg, 1, &ts_admit_second_hit, "window", "16");
    rig_prefetch(&g, &cfg, &ts_prefetch_next_n, "n", "1");
    rig_start(&g, &cfg);
    for (uint64_t k = 0; k < 4; k++)
        rig_do(&g, 'p', 100 * k, 10); /* 100k + 1 is prefetched into t0 too */
    for (uint64_t k = 0; k < 4; k++)
        assert_int_equal(rig_do(&g, 'g', 100 * k, 10), 0);
    ts_mem_fail_after(-1); /* resets the count */
    for (int round = 0; round < 50; round++)
        for (uint64_t k = 0; k < 4; k++)
            assert_int_equal(rig_do(&g, round & 1 ? 'g' : 'p', 100 * k, 10), 0);
    assert_int_equal(ts_mem_count(), 0);
    rig_free(&g);
}

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
        cmocka_unit_test(test_hier_second_hit_admission_hand_trace),
        cmocka_unit_test(test_hier_max_size_admission_hand_trace),
        cmocka_unit_test(test_hier_cost_aware_admission_hand_trace),
        cmocka_unit_test(test_hier_demotions_carry_hints_to_a_session_tier),
        cmocka_unit_test(test_hier_next_n_prefetch_sequential_scan),
        cmocka_unit_test(test_hier_hint_prefetch_and_unused_on_eviction),
        cmocka_unit_test(test_hier_write_through_and_flush_at_end),
        cmocka_unit_test(test_hier_properties_every_combination),
        cmocka_unit_test(test_hier_plain_path_counts_like_general_path),
        cmocka_unit_test(test_hier_engine_replays_through_hierarchy),
        cmocka_unit_test(test_hier_hits_do_not_allocate),
        cmocka_unit_test(test_hier_no_tiers),
        cmocka_unit_test(test_hier_registries_are_well_formed),
        cmocka_unit_test(test_hier_create_rejects_bad_config),
        cmocka_unit_test(test_hier_create_and_access_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
