/* SPDX-License-Identifier: MIT */
/*
 * test_hier_properties.c - the tier hierarchy's properties over GSL-random traces
 * (sim/hier.c): for every inclusion x promote x demote x write combination, with and without
 * admission filters and prefetching, exclusive tiers never share a key, inclusive tiers are
 * supersets downwards after every request, write-back flushes each dirty period exactly once
 * (against a reference model), and every prefetch is used or unused once; the straight
 * default path counts exactly what the general path counts; hits allocate nothing; the
 * FREE moves a live engine asks for change no decision and, applied in order, keep a shadow
 * copy of every tier equal to the tier, never over its capacity. The rig is
 * tests/hier_test.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/hier.h"
#include "sim/util/mem.h"
#include "hier_test.h"
#include "rng_test.h"

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
    gsl_rng *rng = test_rng(seed);
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

/* Runs run on every rule combination, with and without admission (bytes mode) and
 * prefetching, seeds counting up from seed. */
static void prop_each(void (*run)(const prop_case_t *, unsigned long), unsigned long seed)
{
    RIG_EACH_RULES(incl, pr, de, wr)
    for (int ad = 0; ad < 4; ad++) {
        prop_case_t pc = {.incl = (ts_inclusion_t)incl,
                          .promote = (ts_promote_t)pr,
                          .demote = (ts_demote_t)de,
                          .write = (ts_write_t)wr,
                          .admit = (ad & 1) != 0,
                          .objects = (ad & 1) == 0,
                          .pf = (ad & 2) != 0};
        run(&pc, seed++);
    }
}

static void test_hier_properties_every_combination(void **state)
{
    (void)state;
    prop_each(prop_run, 1);
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
    gsl_rng *rng = test_rng(99);
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

/* ---- the frees a live engine carries out ---- */

/* A shadow of each tier built from the moves alone, in list order: a copy arrives with a
 * FILL, PROMOTE, DEMOTE, PREFETCH or WRITE into the tier and leaves with a FREE from it. A
 * move reading an object from a tier (DEMOTE, WRITEBACK, PROMOTE of another key) finds it
 * there; room is made before a copy lands (counted in objects mode: the shadow never holds
 * more objects than the tier may);
 * after each request the shadow holds exactly what the tier holds. The same requests
 * through a twin without frees make the same decisions. */
static void frees_run(const prop_case_t *pc, unsigned long seed)
{
    print_message("frees: case %s promote %s demote %s write %s%s%s\n",
                  ts_inclusion_names[pc->incl], ts_promote_names[pc->promote],
                  ts_demote_names[pc->demote], ts_write_names[pc->write],
                  pc->admit ? " with admission (bytes)" : "", pc->pf ? " with prefetch" : "");
    rig_t g = {0}, twin = {0};
    prop_build(&g, pc);
    prop_build(&twin, pc);
    ts_hier_list_frees(g.h);
    gsl_rng *rng = test_rng(seed);
    uint64_t sizes[P_KEYS];
    enum { SHADOW_KEYS = P_KEYS + 2 }; /* next_n (n = 2) proposes the two keys above a key */
    uint64_t held[3][SHADOW_KEYS] = {{0}}; /* shadow: the copy's size, 0: none */
    for (size_t k = 0; k < P_KEYS; k++)
        sizes[k] = pc->objects ? 10 : 10 * (1 + gsl_rng_uniform_int(rng, 3));
    uint64_t n_free = 0;
    for (size_t step = 0; step < P_REQS; step++) {
        uint64_t k = gsl_rng_uniform_int(rng, P_KEYS);
        double u = gsl_rng_uniform(rng);
        char op = u < 0.65 ? 'g' : u < 0.9 ? 'p' : 'd';
        assert_int_equal(rig_do(&g, op, k, sizes[k]), rig_do(&twin, op, k, sizes[k]));
        for (size_t m = 0; m < g.mv.n; m++) {
            const ts_move_t *v = &g.mv.v[m];
            assert_true(v->key < SHADOW_KEYS);
                bool reads_tier = v->from < g.n && v->key != k;
            if (reads_tier && !held[v->from][v->key])
                fail_msg("step %zu move %zu: %s of key %llu from tier %u, which no longer holds "
                         "it",
                         step, m, ts_move_names[v->kind], (unsigned long long)v->key, v->from);
            if (v->kind == TS_MOVE_FREE) {
                assert_true(v->from < g.n && v->to == TS_LEVEL_NONE);
                /* a put's own copies are listed by the writes that end its moves: one its
                 * placement made and a cascade of demotions then evicted has none */
                if (!held[v->from][v->key] && !(op == 'p' && v->key == k))
                    fail_msg("step %zu: free of key %llu from tier %u, which holds no copy",
                             step, (unsigned long long)v->key, v->from);
                held[v->from][v->key] = 0;
                n_free++;
                continue;
            }
            if (v->to >= g.n || v->kind == TS_MOVE_READ)
                continue;
            held[v->to][v->key] = v->bytes;
            if (!pc->objects)
                continue; /* bytes: a move's bytes may differ from the charge (a put of
                           * another size, a prefetch's guessed size), so room is counted
                           * in objects mode only */
            uint64_t used = 0;
            for (size_t j = 0; j < SHADOW_KEYS; j++)
                used += held[v->to][j] != 0;
            if (used > g.t[v->to]->capacity)
                fail_msg("step %zu move %zu: tier %u holds %llu of %llu objects after a %s",
                         step, m, v->to, (unsigned long long)used,
                         (unsigned long long)g.t[v->to]->capacity, ts_move_names[v->kind]);
        }
        for (size_t i = 0; i < g.n; i++)
            for (uint64_t j = 0; j < SHADOW_KEYS; j++)
                if ((held[i][j] != 0) != ts_tier_holds(g.t[i], j))
                    fail_msg("step %zu: key %llu %s tier %zu but the moves say %s", step,
                             (unsigned long long)j, ts_tier_holds(g.t[i], j) ? "is in" : "is not in",
                             i, held[i][j] ? "it is" : "it is not");
    }
    assert_true(n_free > 0);
    assert_memory_equal(&g.h->tot, &twin.h->tot, sizeof(ts_totals_t));
    assert_memory_equal(&g.h->st, &twin.h->st, sizeof(ts_hier_stats_t));
    for (size_t i = 0; i < g.n; i++)
        assert_memory_equal(&g.t[i]->st, &twin.t[i]->st, sizeof(ts_tier_stats_t));
    gsl_rng_free(rng);
    rig_free(&g);
    rig_free(&twin);
}

static void test_hier_frees_keep_a_shadow_of_every_tier(void **state)
{
    (void)state;
    prop_each(frees_run, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hier_properties_every_combination),
        cmocka_unit_test(test_hier_plain_path_counts_like_general_path),
        cmocka_unit_test(test_hier_hits_do_not_allocate),
        cmocka_unit_test(test_hier_frees_keep_a_shadow_of_every_tier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
