/* SPDX-License-Identifier: MIT */
/*
 * test_engine.c - the fast engine over two tiers, traced by hand: where each request is
 * served, what is promoted, what the backing store sees; puts write through; deletes
 * remove from every tier; the in-memory trace replays exactly; the three-tier example run
 * end to end balances its link traffic against its totals.
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
#include "app/run.h"

extern const ts_policy_ops_t ts_policy_lru;
extern const ts_policy_ops_t ts_policy_fifo;

static ts_memtrace_t *trace_of(const char *keys, const char *ops)
{
    ts_memtrace_t *mt;
    ts_err_t err = {0};
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    for (size_t i = 0; keys[i]; i++) {
        ts_req_t r = {.time_ns = i * 10, .key = (uint64_t)keys[i], .size_bytes = 100,
                      .next_access = TS_REQ_NEVER};
        r.op = !ops || ops[i] == 'g' ? TS_OP_GET : ops[i] == 'p' ? TS_OP_PUT : TS_OP_DELETE;
        assert_int_equal(ts_memtrace_push(mt, &r, &err), 0);
    }
    return mt;
}

static void make_tiers(ts_tier_t **t, uint64_t c0, uint64_t c1)
{
    ts_err_t err = {0};
    ts_policy_init_t i0 = {.capacity = c0, .count_objects = true};
    ts_policy_init_t i1 = {.capacity = c1, .count_objects = true};
    assert_int_equal(ts_tier_create("hbm", &ts_policy_lru, NULL, &i0, &t[0], &err), 0);
    assert_int_equal(ts_tier_create("dram", &ts_policy_fifo, NULL, &i1, &t[1], &err), 0);
}

static void test_engine_two_tier_hand_trace(void **state)
{
    (void)state;
    /* hbm: LRU of 1 object; dram: FIFO of 2. Inclusive, fill both on a miss.
     *  req  hbm      dram        served by   hbm after  dram after (head first)
     *  A    miss     miss        backing     [A]        [A]
     *  B    miss     miss        backing     [B]        [B A]
     *  A    miss     hit         dram        [A]        [B A]
     *  C    miss     miss        backing     [C]        [C B]   (A evicted, FIFO)
     *  B    miss     hit         dram        [B]        [C B]
     *  B    hit      -           hbm         [B]        [C B]
     *  A    miss     miss        backing     [A]        [A C]   (B evicted) */
    ts_memtrace_t *mt = trace_of("ABACBBA", NULL);
    ts_tier_t *t[2];
    make_tiers(t, 1, 2);
    ts_reader_t *r;
    ts_err_t err = {0};
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    ts_totals_t tot = {0};
    assert_int_equal(ts_engine_fast(t, 2, r, &tot, &err), 0);
    assert_int_equal(tot.n_req, 7);
    assert_int_equal(tot.n_get, 7);
    assert_int_equal(tot.n_hit, 3);
    assert_int_equal(tot.n_backing, 4);
    assert_int_equal(tot.bytes_backing, 400);
    assert_int_equal(tot.first_ns, 0);
    assert_int_equal(tot.last_ns, 60);
    assert_int_equal(t[0]->st.n_req, 7);
    assert_int_equal(t[0]->st.n_hit, 1);
    assert_int_equal(t[0]->st.n_insert, 6);
    assert_int_equal(t[0]->st.n_evict, 5);
    assert_int_equal(t[1]->st.n_req, 6);
    assert_int_equal(t[1]->st.n_hit, 2);
    assert_int_equal(t[1]->st.n_insert, 4);
    assert_int_equal(t[1]->st.n_evict, 2);
    /* Replaying the same trace after reset doubles every counter. */
    assert_int_equal(ts_reader_reset(r, &err), 0);
    ts_totals_t tot2 = {0};
    ts_tier_destroy(t[0]);
    ts_tier_destroy(t[1]);
    make_tiers(t, 1, 2);
    assert_int_equal(ts_engine_fast(t, 2, r, &tot2, &err), 0);
    assert_memory_equal(&tot, &tot2, sizeof(tot));
    ts_reader_close(r);
    ts_tier_destroy(t[0]);
    ts_tier_destroy(t[1]);
    ts_memtrace_destroy(mt);
}

static void test_engine_put_and_delete(void **state)
{
    (void)state;
    /* hbm LRU 1, dram FIFO 2.
     *  put A  : both miss; write-through (backing 1); fill both.
     *  get A  : hbm hit.
     *  del A  : removed from both tiers; not a lookup.
     *  get A  : both miss; backing 2.  */
    ts_memtrace_t *mt = trace_of("AAAA", "pgdg");
    ts_tier_t *t[2];
    make_tiers(t, 1, 2);
    ts_reader_t *r;
    ts_err_t err = {0};
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    ts_totals_t tot = {0};
    assert_int_equal(ts_engine_fast(t, 2, r, &tot, &err), 0);
    assert_int_equal(tot.n_put, 1);
    assert_int_equal(tot.n_get, 2);
    assert_int_equal(tot.n_delete, 1);
    assert_int_equal(tot.n_backing, 2);
    assert_int_equal(tot.n_hit, 1);
    assert_int_equal(t[0]->st.n_req, 3);
    assert_int_equal(t[0]->st.n_removed, 1);
    assert_int_equal(t[1]->st.n_removed, 1);
    assert_int_equal(t[1]->st.n_delete, 1);
    assert_int_equal(t[0]->n_objects, 1);
    assert_int_equal(t[1]->n_objects, 1);
    ts_reader_close(r);
    ts_tier_destroy(t[0]);
    ts_tier_destroy(t[1]);
    ts_memtrace_destroy(mt);
}

static void test_engine_memtrace_load_oom(void **state)
{
    (void)state;
    ts_memtrace_t *src = trace_of("ABCDEFGH", NULL);
    for (long n = 0;; n++) {
        ts_reader_t *r = NULL;
        ts_memtrace_t *copy = NULL;
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = ts_memtrace_reader(src, &r, &err);
        if (rc == 0)
            rc = ts_memtrace_load(r, 0, &copy, &err);
        ts_mem_fail_after(-1);
        ts_reader_close(r);
        if (rc == 0) {
            assert_int_equal(copy->n, 8);
            assert_memory_equal(copy->reqs, src->reqs, 8 * sizeof(ts_req_t));
            ts_memtrace_destroy(copy);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
    }
    ts_memtrace_destroy(src);
}

/* The three-tier example end to end (exclusive, write-back with flush at the end, next_n
 * into dram, 4KiB objects that every tier's filter size limit admits): what crosses the
 * link to the backing store is exactly the get misses and prefetches going up and the
 * write-backs going down (no put is written through); every prefetched object is used or
 * unused; every dirty object left is flushed. */
static void test_engine_three_tier_example_accounts(void **state)
{
    (void)state;
    const char *ovr[] = {"workload.generator.requests=20000", "outputs.dir="};
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    int rc = ts_scenario_load_file(TS_SOURCE_DIR "/examples/three-tier.yaml", ovr, 2, &sc, &err);
    if (rc != 0) /* a missing generator is a failure, never a reason to skip */
        fail_msg("examples/three-tier.yaml does not load: %s: %s", err.where, err.msg);
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    assert_non_null(res);
    assert_int_equal(ts_run(sc, res, &err), 0);
    const ts_totals_t *to = &res->totals;
    const ts_hier_stats_t *st = &res->hier.st;
    assert_string_equal(res->hier.inclusion, "exclusive");
    assert_int_equal(res->n_tiers, 3);
    assert_int_equal(to->n_req, 20000);
    assert_int_equal(to->n_get + to->n_put + to->n_delete, to->n_req);
    assert_int_equal(res->tiers[0].st.n_req, to->n_get + to->n_put);
    const ts_link_stats_t *last = &res->hier.link[2];
    assert_int_equal(last->bytes_up, to->bytes_backing + st->bytes_pf);
    assert_int_equal(last->n_up, to->n_backing + st->n_pf_issued);
    assert_int_equal(last->bytes_down, st->bytes_writeback + st->bytes_flush_end);
    assert_int_equal(st->n_pf_issued, st->n_pf_used + st->n_pf_unused);
    assert_int_equal(st->n_flush_end, st->n_dirty_end);
    assert_true(st->n_writeback > 0 && st->n_pf_used > 0);
    ts_result_release(res);
    ts_free(res);
    ts_scenario_destroy(sc);
}

/* One tier under the default rules takes the engine's single-tier loop. LRU of 2 objects:
 *  get A miss [A]; get B miss [B A]; get A hit [A B]; get C miss, B out [C A];
 *  get B miss, A out [B C]; get A miss, C out [A B]
 * 1 hit, 5 misses served by the backing store over link 0 (5 reads of 100 bytes up),
 * 5 inserts, 3 evictions. */
static void test_engine_one_tier_hand_trace(void **state)
{
    (void)state;
    ts_memtrace_t *mt = trace_of("ABACBA", NULL);
    ts_err_t err = {0};
    ts_policy_init_t init = {.capacity = 2, .count_objects = true};
    ts_tier_t *t;
    assert_int_equal(ts_tier_create("dram", &ts_policy_lru, NULL, &init, &t, &err), 0);
    static const ts_hier_config_t defaults;
    ts_hier_t *h;
    assert_int_equal(ts_hier_create(&defaults, &t, 1, &h, &err), 0);
    ts_reader_t *r;
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    assert_int_equal(ts_engine_fast_hier(h, r, NULL, &err), 0);
    assert_int_equal(h->tot.n_req, 6);
    assert_int_equal(h->tot.n_get, 6);
    assert_int_equal(h->tot.n_hit, 1);
    assert_int_equal(h->tot.bytes_hit, 100);
    assert_int_equal(h->tot.n_backing, 5);
    assert_int_equal(h->tot.bytes_backing, 500);
    assert_int_equal(h->tot.bytes_req, 600);
    assert_int_equal(h->tot.first_ns, 0);
    assert_int_equal(h->tot.last_ns, 50);
    assert_int_equal(h->link[0].n_up, 5);
    assert_int_equal(h->link[0].bytes_up, 500);
    assert_int_equal(h->link[0].n_down, 0);
    assert_int_equal(t->st.n_hit, 1);
    assert_int_equal(t->st.n_insert, 5);
    assert_int_equal(t->st.n_evict, 3);
    ts_reader_close(r);
    ts_hier_destroy(h);
    ts_tier_destroy(t);
    ts_memtrace_destroy(mt);
}

/* The single-tier loop counts what the general path counts (a move list forces it): gets,
 * puts, deletes, prefetch-flagged requests and objects too large for the tier, in bytes
 * mode, over a pseudo-random trace. */
static void test_engine_one_tier_matches_general_path(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_memtrace_t *mt;
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    uint64_t x = 88172645463325252ULL; /* xorshift64 (Marsaglia, 2003) */
    for (uint64_t i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned op = (unsigned)(x >> 60);
        ts_req_t q = {.time_ns = i * 7,
                      .key = (x >> 8) % 97,
                      .size_bytes = (x >> 20) % 100 == 0 ? 50000 : 1 + (x >> 20) % 300,
                      .next_access = TS_REQ_NEVER,
                      .op = op < 12 ? TS_OP_GET : op < 14 ? TS_OP_PUT : TS_OP_DELETE,
                      .flags = (x >> 40) % 50 == 0 ? TS_REQ_PREFETCH : 0};
        assert_int_equal(ts_memtrace_push(mt, &q, &err), 0);
    }
    static const ts_hier_config_t defaults;
    ts_policy_init_t init = {.capacity = 5000, .count_objects = false};
    ts_tier_t *t[2];
    ts_hier_t *h[2];
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ts_tier_create("dram", &ts_policy_lru, NULL, &init, &t[k], &err), 0);
        assert_int_equal(ts_hier_create(&defaults, &t[k], 1, &h[k], &err), 0);
    }
    ts_reader_t *r;
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    assert_int_equal(ts_engine_fast_hier(h[0], r, NULL, &err), 0);
    ts_moves_t mv;
    assert_int_equal(ts_moves_init(&mv, 4, &err), 0);
    for (size_t i = 0; i < mt->n; i++)
        assert_true(ts_hier_access(h[1], &mt->reqs[i], &mv, &err) >= 0);
    assert_int_equal(ts_hier_finish(h[1], NULL, &err), 0);
    assert_true(t[0]->st.n_too_large > 0 && t[0]->st.n_evict > 0 && h[0]->tot.n_delete > 0);
    assert_memory_equal(&h[0]->tot, &h[1]->tot, sizeof(h[0]->tot));
    assert_memory_equal(&h[0]->link[0], &h[1]->link[0], sizeof(h[0]->link[0]));
    assert_memory_equal(&h[0]->st, &h[1]->st, sizeof(h[0]->st));
    assert_memory_equal(&t[0]->st, &t[1]->st, sizeof(t[0]->st));
    assert_int_equal(t[0]->used, t[1]->used);
    ts_moves_free(&mv);
    ts_reader_close(r);
    for (int k = 0; k < 2; k++) {
        ts_hier_destroy(h[k]);
        ts_tier_destroy(t[k]);
    }
    ts_memtrace_destroy(mt);
}

/* OPT's pre-pass holds 8 bytes per request: a workload whose length says it cannot fit
 * (10^15 requests at 8 bytes each need 8 x 10^15 bytes, 7.11 PiB, more than any machine
 * this runs on has) is refused before anything is read, naming what it needs and what is
 * available. Then the bound a caller sets: 10,000 requests need 80,000 bytes (78.12 KiB),
 * more than a 64 KiB bound, and fit in 1 MiB. */
static void test_engine_opt_prepass_refused_when_too_large(void **state)
{
    (void)state;
    const char *ovr[] = {"workload.generator.requests=1000T", "tiers.0.policy=opt",
                         "outputs.dir="};
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    int rc =
        ts_scenario_load_file(TS_SOURCE_DIR "/examples/zipf-two-tier.yaml", ovr, 3, &sc, &err);
    if (rc != 0)
        fail_msg("examples/zipf-two-tier.yaml does not load: %s: %s", err.where, err.msg);
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    assert_non_null(res);
    assert_int_equal(ts_run(sc, res, &err), TS_ENOMEM);
    assert_non_null(strstr(err.msg, "needs at least 7.11PiB (8 bytes per request, "
                                    "1000000000000000 requests"));
    assert_non_null(strstr(err.msg, "of memory is available"));
    ts_result_release(res);
    ts_scenario_destroy(sc);
    ovr[0] = "workload.generator.requests=10000";
    rc = ts_scenario_load_file(TS_SOURCE_DIR "/examples/zipf-two-tier.yaml", ovr, 3, &sc, &err);
    assert_int_equal(rc, 0);
    ts_run_opts_t opts = {.future_limit_bytes = 64 << 10};
    ts_err_t err2 = {0};
    assert_int_equal(ts_run_with(sc, &opts, res, &err2), TS_ENOMEM);
    assert_non_null(strstr(err2.msg, "needs at least 78.12KiB (8 bytes per request, 10000 "
                                     "requests"));
    assert_non_null(strstr(err2.msg, "but 64KiB of memory is available"));
    opts.future_limit_bytes = 1 << 20;
    assert_int_equal(ts_run_with(sc, &opts, res, &err2), 0);
    assert_int_equal(res->totals.n_req, 10000);
    ts_result_release(res);
    ts_free(res);
    ts_scenario_destroy(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_two_tier_hand_trace),
        cmocka_unit_test(test_engine_put_and_delete),
        cmocka_unit_test(test_engine_one_tier_hand_trace),
        cmocka_unit_test(test_engine_one_tier_matches_general_path),
        cmocka_unit_test(test_engine_memtrace_load_oom),
        cmocka_unit_test(test_engine_three_tier_example_accounts),
        cmocka_unit_test(test_engine_opt_prepass_refused_when_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
