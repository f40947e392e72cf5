/* SPDX-License-Identifier: MIT */
/*
 * test_engine_live.c - the live engine (sim/engine_live.c): its objects are what it says
 * (header, checksum, the first differing offset found); for every rule combination it makes
 * exactly the fast engine's decisions while every read it makes, on host-memory back-ends
 * and on an asynchronous back-end that completes requests out of order with a queue depth of
 * 3, finds the bytes last written; a back-end that corrupts a read is caught with its level,
 * key and offset; a full back-end and a stop flag end the run with a partial result; an
 * open-loop run takes at least the trace's span; clients reading batch groups compute
 * between them as the timed engine's do; request groups' time to first token, closed and
 * open loop, with and without the modelled recompute of missed KV blocks, by hand.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "backends/backend.h"
#include "sim/engine.h"
#include "sim/live.h"
#include "sim/memtrace.h"
#include "sim/util/mem.h"
#include "hier_test.h"
#include "live_wrap_test.h"
#include "rng_test.h"

/* ---- objects ---- */

static void test_live_objects_carry_header_and_checksum(void **state)
{
    (void)state;
    uint8_t buf[4096];
    ts_live_make_object(buf, 0x1234, 7, sizeof(buf));
    uint64_t w[5];
    memcpy(w, buf, sizeof(w));
    assert_int_equal(w[1], 0x1234); /* key */
    assert_int_equal(w[2], 4096);   /* size */
    assert_int_equal(w[3], 7);      /* version */
    uint64_t off = 99;
    assert_int_equal(ts_live_check_object(buf, 0x1234, 7, sizeof(buf), &off), 0);
    assert_int_equal(off, 99); /* untouched when it matches */
    /* another version: its header differs at the version field, byte 24 */
    assert_int_equal(ts_live_check_object(buf, 0x1234, 8, sizeof(buf), &off), TS_EIO);
    assert_int_equal(off, 24);
    /* another key: byte 8 */
    assert_int_equal(ts_live_check_object(buf, 0x1235, 7, sizeof(buf), &off), TS_EIO);
    assert_int_equal(off, 8);
    /* one byte flipped in the body: its own offset */
    buf[1000] ^= 0x40;
    assert_int_equal(ts_live_check_object(buf, 0x1234, 7, sizeof(buf), &off), TS_EIO);
    assert_int_equal(off, 1000);
    buf[1000] ^= 0x40;
    /* the bytes differ between versions and keys (a stale copy cannot pass) */
    uint8_t other[4096];
    ts_live_make_object(other, 0x1234, 8, sizeof(other));
    assert_memory_not_equal(buf + 40, other + 40, 64);
    /* objects under the header's 40 bytes: compared whole */
    uint8_t small[17];
    ts_live_make_object(small, 5, 1, sizeof(small));
    assert_int_equal(ts_live_check_object(small, 5, 1, sizeof(small), &off), 0);
    small[16] ^= 1;
    assert_int_equal(ts_live_check_object(small, 5, 1, sizeof(small), &off), TS_EIO);
    assert_int_equal(off, 16);
}

/* ---- rigs ---- */

#define L_KEYS 24
#define L_REQS 600

/* A random trace of gets, puts and deletes over L_KEYS keys, 1 ms apart. */
static ts_memtrace_t *live_trace(unsigned long seed, bool objects, size_t n)
{
    ts_err_t err = {0};
    ts_memtrace_t *mt = NULL;
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    gsl_rng *rng = test_rng(seed);
    uint64_t sizes[L_KEYS];
    for (size_t k = 0; k < L_KEYS; k++)
        sizes[k] = objects ? 4096 : 20 * (1 + gsl_rng_uniform_int(rng, 3));
    for (size_t i = 0; i < n; i++) {
        uint64_t k = gsl_rng_uniform_int(rng, L_KEYS);
        double u = gsl_rng_uniform(rng);
        ts_req_t r = {.time_ns = i * 1000000ull,
                      .key = k,
                      .size_bytes = sizes[k],
                      .op = u < 0.65   ? TS_OP_GET
                            : u < 0.92 ? TS_OP_PUT
                                       : TS_OP_DELETE,
                      .next_access = TS_REQ_NEVER};
        assert_int_equal(ts_memtrace_push(mt, &r, &err), 0);
    }
    gsl_rng_free(rng);
    return mt;
}

typedef struct live_case {
    ts_inclusion_t incl;
    ts_promote_t promote;
    ts_demote_t demote;
    ts_write_t write;
    bool objects;
    bool pf;
    bool flush;
} live_case_t;

static void live_rig(rig_t *g, const live_case_t *lc)
{
    uint64_t unit = lc->objects ? 1 : 40;
    rig_tier(g, &ts_policy_lru, 2 * unit, lc->objects);
    rig_tier(g, &ts_policy_fifo, 4 * unit, lc->objects);
    rig_tier(g, &ts_policy_sieve, 7 * unit, lc->objects);
    ts_hier_config_t cfg = {.inclusion = lc->incl,
                            .promote = lc->promote,
                            .demote = lc->demote,
                            .write = lc->write,
                            .flush_at_end = lc->flush};
    if (lc->pf) {
        rig_prefetch(g, &cfg, &ts_prefetch_next_n, "n", "2");
        cfg.prefetch_into = 1;
    }
    rig_start(g, &cfg);
}

/* The rig of live_rig for objects, and a reader over mt. */
static ts_reader_t *live_reader(rig_t *g, ts_memtrace_t *mt)
{
    live_case_t lc = {.objects = true};
    live_rig(g, &lc);
    ts_reader_t *r = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    return r;
}

/* Opens one back-end per level (tiers, then the backing store) of ops. */
static void live_open(ts_live_config_t *cfg, const rig_t *g, const ts_backend_ops_t *tier_ops,
                      const ts_backend_ops_t *backing_ops, uint64_t tier_cap)
{
    static const char *const names[] = {"t0", "t1", "t2", "t3", "backing"};
    for (size_t l = 0; l <= g->n; l++) {
        ts_backend_ctx_t ctx = {.tier = l < g->n ? names[l] : "backing",
                                .capacity = l < g->n ? tier_cap : 1ull << 30,
                                .max_object = 1ull << 20};
        ts_err_t err = {0};
        const ts_backend_ops_t *ops = l < g->n ? tier_ops : backing_ops;
        assert_int_equal(ts_backend_open_kv(ops, NULL, NULL, 0, &ctx, &cfg->be[l], &err), 0);
        cfg->name[l] = l < g->n ? names[l] : "backing";
    }
}

static void live_close(ts_live_config_t *cfg, size_t n)
{
    for (size_t l = 0; l <= n; l++)
        cfg->be[l]->ops->close(cfg->be[l]);
}

/* Replays mt through the fast engine and through the live engine over ops; the decisions
 * (every counter) must be the same, and every read must find what was written. */
static void live_same_as_fast(const live_case_t *lc, const ts_backend_ops_t *ops,
                              ts_arrivals_t arrivals, unsigned long seed)
{
    ts_memtrace_t *mt = live_trace(seed, lc->objects, L_REQS);
    ts_err_t err = {0};
    rig_t a = {0}, b = {0};
    live_rig(&a, lc);
    live_rig(&b, lc);
    ts_reader_t *ra = NULL, *rb = NULL;
    assert_int_equal(ts_memtrace_reader(mt, &ra, &err), 0);
    assert_int_equal(ts_memtrace_reader(mt, &rb, &err), 0);
    assert_int_equal(ts_engine_fast_hier(a.h, ra, NULL, &err), 0);

    ts_live_config_t cfg = {.arrivals = arrivals,
                            .time_scale = 0, /* open loop: everything due at once */
                            .speed = 1,
                            .clients = 4,
                            .verify = true};
    live_open(&cfg, &b, ops, ops, 1ull << 20);
    ts_live_result_t out;
    int rc = ts_engine_live(b.h, rb, &cfg, &out, &err);
    if (rc)
        fail_msg("live engine: %s", err.msg);
    assert_false(out.partial);
    assert_memory_equal(&a.h->tot, &b.h->tot, sizeof(ts_totals_t));
    assert_memory_equal(&a.h->st, &b.h->st, sizeof(ts_hier_stats_t));
    for (size_t i = 0; i < a.n; i++)
        assert_memory_equal(&a.t[i]->st, &b.t[i]->st, sizeof(ts_tier_stats_t));
    /* every demand get and put was timed; every read was checked */
    assert_int_equal(out.m.n_timed, b.h->tot.n_get + b.h->tot.n_put);
    assert_int_equal(out.m.op[0].n, b.h->tot.n_get);
    uint64_t reads = 0;
    for (size_t l = 0; l < out.n_levels; l++)
        reads += out.level[l].n_read;
    assert_int_equal(out.n_verified, reads);
    /* every get read its object once from the level that served it */
    assert_true(reads >= b.h->tot.n_get);
    uint64_t served = 0;
    for (size_t l = 0; l < out.m.n_levels; l++)
        served += out.m.served[l].n;
    assert_int_equal(served, b.h->tot.n_get);
    /* the backing store served at least every get miss */
    assert_true(out.level[b.n].n_read >= b.h->tot.n_get - b.h->tot.n_hit);
    /* the backing store was written every object once before the run */
    assert_true(out.populate_objects > 0 && out.populate_objects <= L_KEYS + 2);
    if (ops->base.flags & TS_BACKEND_ASYNC)
        assert_true(out.level[0].max_inflight > 1);
    ts_live_result_release(&out);
    live_close(&cfg, b.n);
    ts_reader_close(ra);
    ts_reader_close(rb);
    rig_free(&a);
    rig_free(&b);
    ts_memtrace_destroy(mt);
}

static void test_live_decides_as_fast_and_reads_what_it_wrote(void **state)
{
    (void)state;
    unsigned long seed = 1;
    RIG_EACH_RULES(incl, pr, de, wr)
                    for (int v = 0; v < 4; v++) {
                        live_case_t lc = {.incl = (ts_inclusion_t)incl,
                                          .promote = (ts_promote_t)pr,
                                          .demote = (ts_demote_t)de,
                                          .write = (ts_write_t)wr,
                                          .objects = (v & 1) == 0,
                                          .pf = (v & 2) != 0,
                                          .flush = wr == TS_WRITE_BACK && (v & 1)};
                        print_message("live: %s promote %s demote %s write %s%s%s\n",
                                      ts_inclusion_names[incl], ts_promote_names[pr],
                                      ts_demote_names[de], ts_write_names[wr],
                                      lc.objects ? "" : " (bytes)", lc.pf ? " with prefetch" : "");
                        live_same_as_fast(&lc, &ts_backend_memory, TS_ARRIVALS_CLOSED, seed);
                        live_same_as_fast(&lc, &k_wrap_async,
                                          v & 1 ? TS_ARRIVALS_OPEN : TS_ARRIVALS_CLOSED, seed);
                        seed++;
                    }
}

/* A back-end that returns a flipped bit at byte 100 of key 3: the run fails naming it. */
static void test_live_verify_names_level_key_and_offset(void **state)
{
    (void)state;
    ts_memtrace_t *mt = live_trace(7, true, 200);
    ts_err_t err = {0};
    rig_t g = {0};
    ts_reader_t *r = live_reader(&g, mt);
    ts_live_config_t cfg = {
        .arrivals = TS_ARRIVALS_CLOSED, .clients = 1, .speed = 1, .verify = true};
    live_open(&cfg, &g, &ts_backend_memory, &k_wrap_corrupt, 1ull << 20);
    ts_live_result_t out;
    assert_int_equal(ts_engine_live(g.h, r, &cfg, &out, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "backing: key 0x3: the bytes read differ"));
    assert_non_null(strstr(err.msg, "at offset 100"));
    live_close(&cfg, g.n);
    ts_reader_close(r);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

/* A top tier whose back-end has room for one 4 KiB object while the model gives it two: the
 * second fill finds it full; the run ends there, partial, naming the tier and key. */
static void test_live_full_backend_stops_with_partial_result(void **state)
{
    (void)state;
    ts_memtrace_t *mt = live_trace(3, true, 100);
    ts_err_t err = {0};
    rig_t g = {0};
    ts_reader_t *r = live_reader(&g, mt);
    ts_live_config_t cfg = {.arrivals = TS_ARRIVALS_CLOSED, .clients = 1, .speed = 1};
    live_open(&cfg, &g, &ts_backend_memory, &ts_backend_memory, 4096);
    ts_live_result_t out;
    assert_int_equal(ts_engine_live(g.h, r, &cfg, &out, &err), 0);
    assert_true(out.partial);
    assert_non_null(out.stop_reason);
    assert_non_null(strstr(out.stop_reason, "t0: write of key"));
    assert_non_null(strstr(out.stop_reason, "no space left"));
    assert_true(out.m.n_timed < 100);
    ts_live_result_release(&out);
    live_close(&cfg, g.n);
    ts_reader_close(r);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

static void test_live_stop_flag_ends_the_run_partial(void **state)
{
    (void)state;
    ts_memtrace_t *mt = live_trace(4, true, 100);
    ts_err_t err = {0};
    rig_t g = {0};
    ts_reader_t *r = live_reader(&g, mt);
    static volatile sig_atomic_t stop = 1;
    ts_live_config_t cfg = {.arrivals = TS_ARRIVALS_CLOSED,
                            .clients = 2,
                            .speed = 1,
                            .stop = &stop,
                            .stop_what = "SIGINT"};
    live_open(&cfg, &g, &ts_backend_memory, &ts_backend_memory, 1ull << 20);
    ts_live_result_t out;
    assert_int_equal(ts_engine_live(g.h, r, &cfg, &out, &err), 0);
    assert_true(out.partial);
    assert_string_equal(out.stop_reason, "interrupted (SIGINT)");
    assert_int_equal(out.m.n_timed, 0);
    ts_live_result_release(&out);
    live_close(&cfg, g.n);
    ts_reader_close(r);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

/* Open loop at the trace's times: 50 requests 1 ms apart cannot end before 49 ms, and at
 * speed 2 not before 24.5 ms. */
static void test_live_open_loop_keeps_the_trace_times(void **state)
{
    (void)state;
    for (int k = 1; k <= 2; k++) {
        live_case_t lc = {.objects = true};
        ts_memtrace_t *mt = live_trace(5, true, 50);
        ts_err_t err = {0};
        rig_t g = {0};
        live_rig(&g, &lc);
        ts_reader_t *r = NULL;
        assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
        ts_live_config_t cfg = {.arrivals = TS_ARRIVALS_OPEN, .time_scale = 1, .speed = k};
        live_open(&cfg, &g, &ts_backend_memory, &ts_backend_memory, 1ull << 20);
        ts_live_result_t out;
        assert_int_equal(ts_engine_live(g.h, r, &cfg, &out, &err), 0);
        assert_false(out.partial);
        assert_true(out.m.span_ns >= 49000000ull / (uint64_t)k);
        assert_int_equal(out.m.n_timed, g.h->tot.n_get + g.h->tot.n_put);
        ts_live_result_release(&out);
        live_close(&cfg, g.n);
        ts_reader_close(r);
        rig_free(&g);
        ts_memtrace_destroy(mt);
    }
}

/* Closed loop with batch groups, as a training run's data loader: 10 groups of 4 requests
 * (the fourth flagged as ending its group), 2 clients reading 2 at a time, 2 ms of compute
 * between a client's batches. Every client computes after each batch but its first: 8
 * computes of 2 ms; the 5 batches of the busier client take at least 4 computes. */
static void test_live_closed_loop_batches_compute_between_groups(void **state)
{
    (void)state;
    ts_memtrace_t *mt = live_trace(6, true, 40);
    for (size_t i = 0; i < mt->n; i++) {
        mt->reqs[i].op = TS_OP_GET;
        mt->reqs[i].flags = (i % 4 == 3) ? TS_REQ_GROUP_END : 0;
    }
    ts_err_t err = {0};
    rig_t g = {0};
    ts_reader_t *r = live_reader(&g, mt);
    ts_live_config_t cfg = {.arrivals = TS_ARRIVALS_CLOSED,
                            .clients = 2,
                            .think_ns = 2000000,
                            .batch_groups = true,
                            .depth = 2,
                            .speed = 1,
                            .verify = true};
    live_open(&cfg, &g, &k_wrap_async, &ts_backend_memory, 1ull << 20);
    ts_live_result_t out;
    assert_int_equal(ts_engine_live(g.h, r, &cfg, &out, &err), 0);
    assert_false(out.partial);
    assert_int_equal(out.m.n_timed, 40);
    assert_int_equal(out.m.compute_ns, 8 * 2000000ull);
    assert_true(out.m.span_ns >= 4 * 2000000ull);
    assert_true(out.m.stall_ns > 0);
    double u = (double)out.m.compute_ns / (double)(out.m.compute_ns + out.m.stall_ns);
    assert_true(out.m.utilisation > u - 1e-12 && out.m.utilisation < u + 1e-12);
    ts_live_result_release(&out);
    live_close(&cfg, g.n);
    ts_reader_close(r);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

/* Little's law in a closed loop: with N clients and no think time every client is always
 * in the system (waiting for the engine, or in flight), so the latencies add up to N x the
 * run's span, less the drain at the end. With one chain for 4 clients, 3 wait on the engine
 * at any time: their wait is part of their latency (it counts from when the client became
 * ready), so the sum is still 4 x span, not 1 x span. Gets only, all served by the slow
 * tier (200 us each), 100 requests: the drain takes at most 3 of 100 request times. */
static void test_live_closed_loop_latency_obeys_littles_law(void **state)
{
    (void)state;
    ts_memtrace_t *mt = live_trace(8, true, 100);
    for (size_t i = 0; i < mt->n; i++)
        mt->reqs[i].op = TS_OP_GET;
    ts_err_t err = {0};
    rig_t g = {0};
    ts_reader_t *r = live_reader(&g, mt);
    ts_live_config_t cfg = {
        .arrivals = TS_ARRIVALS_CLOSED, .clients = 4, .max_chains = 1, .speed = 1};
    live_open(&cfg, &g, &k_wrap_slow, &k_wrap_slow, 1ull << 20);
    ts_live_result_t out;
    assert_int_equal(ts_engine_live(g.h, r, &cfg, &out, &err), 0);
    assert_false(out.partial);
    assert_int_equal(out.m.n_timed, 100);
    double in_system = out.m.all.mean_ns * 100.0 / (double)out.m.span_ns;
    assert_true(in_system > 4.0 * 0.95);
    assert_true(in_system <= 4.0 + 1e-9);
    ts_live_result_release(&out);
    live_close(&cfg, g.n);
    ts_reader_close(r);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

/* A stop in the middle of a busy run, with requests decided but waiting on a copy in flight
 * and requests out on the asynchronous back-end: it ends (partial, named by its signal)
 * once those in flight are done, for stops at many points of the run. */
static void test_live_stop_midway_ends(void **state)
{
    (void)state;
    for (unsigned after = 5; after < 400; after += 37) {
        live_case_t lc = {.objects = true, .write = TS_WRITE_BACK, .demote = TS_DEMOTE_NEXT};
        ts_memtrace_t *mt = live_trace(after, true, 600);
        ts_err_t err = {0};
        rig_t g = {0};
        live_rig(&g, &lc);
        ts_reader_t *r = NULL;
        assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
        g_stop = 0;
        g_submits = 0;
        g_stop_after = after;
        ts_live_config_t cfg = {.arrivals = TS_ARRIVALS_CLOSED, .clients = 8, .speed = 1,
                                .verify = true, .stop = &g_stop};
        live_open(&cfg, &g, &k_wrap_async, &k_wrap_async, 1ull << 20);
        ts_live_result_t out;
        assert_int_equal(ts_engine_live(g.h, r, &cfg, &out, &err), 0);
        assert_true(out.partial);
        assert_string_equal(out.stop_reason, "interrupted (SIGTERM)");
        assert_true(out.m.n_timed < 600);
        g_stop_after = 0;
        ts_live_result_release(&out);
        live_close(&cfg, g.n);
        ts_reader_close(r);
        rig_free(&g);
        ts_memtrace_destroy(mt);
    }
}

/* ---- time to first token ---- */

#define T_GROUPS 3
#define T_BLOCK_TOKENS 1000
#define T_UPPER_NS 2000000000ull /* a generous bound for wall-clock time on a loaded machine */

/* Groups of 4 KV block gets of keys 0..3 (the fourth ends its group), T_GROUPS times, 1 ms
 * apart in trace time; one tier of 8 objects (LRU) over the backing store. */
static ts_memtrace_t *ttft_trace(void)
{
    ts_err_t err = {0};
    ts_memtrace_t *mt = NULL;
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    for (size_t i = 0; i < 4 * T_GROUPS; i++) {
        ts_req_t r = {.time_ns = i * 1000000ull,
                      .key = i % 4,
                      .size_bytes = 4096,
                      .op = TS_OP_GET,
                      .flags = (uint8_t)(TS_REQ_KV | (i % 4 == 3 ? TS_REQ_GROUP_END : 0)),
                      .next_access = TS_REQ_NEVER};
        assert_int_equal(ts_memtrace_push(mt, &r, &err), 0);
    }
    return mt;
}

static void ttft_run(ts_live_config_t *cfg, ts_live_result_t *out)
{
    ts_memtrace_t *mt = ttft_trace();
    ts_err_t err = {0};
    rig_t g = {0};
    rig_tier(&g, &ts_policy_lru, 8, true);
    ts_hier_config_t hc = {0};
    rig_start(&g, &hc);
    ts_reader_t *r = NULL;
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    cfg->block_tokens = T_BLOCK_TOKENS;
    cfg->speed = 1;
    cfg->verify = true;
    live_open(cfg, &g, &k_wrap_slow, &k_wrap_slow, 1ull << 20);
    assert_int_equal(ts_engine_live(g.h, r, cfg, out, &err), 0);
    assert_false(out->partial);
    live_close(cfg, g.n);
    ts_reader_close(r);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

/* One client, closed loop, a batch a group, on the slow back-end (200 us a request, 3 at a
 * time) at both levels. Group 1 misses all 4 blocks, groups 2 and 3 find them in the tier.
 * Without a prefill rate every get is read: 4 reads, 3 at a time, take 2 x 200 us, so every
 * TTFT is at least 400 us; the first group's 4 blocks count as recomputed tokens, the
 * others' 8 as saved. With 1,000 tokens a block at 1,000,000 tokens/s a missed block is
 * 1 ms of prefill: the first group's 4 are not read (no backing store read at all) and its
 * TTFT is 4 ms plus the little wall time of its fills' start; the others' at least 400 us. */
static void test_live_ttft_closed_loop_groups_by_hand(void **state)
{
    (void)state;
    ts_live_config_t cfg = {
        .arrivals = TS_ARRIVALS_CLOSED, .clients = 1, .batch_groups = true, .max_chains = 8};
    ts_live_result_t out;
    ttft_run(&cfg, &out);
    assert_int_equal(out.m.ttft.n, T_GROUPS);
    assert_true(out.m.ttft.mean_ns >= 400000.0);
    assert_true(out.m.ttft.p50_ns >= 400000ull * 255 / 256); /* within a bucket (0.39%) */
    assert_true(out.m.ttft.max_ns < T_UPPER_NS);
    assert_int_equal(out.m.prefill_tokens_recomputed, 4 * T_BLOCK_TOKENS);
    assert_int_equal(out.m.prefill_tokens_saved, 4 * (T_GROUPS - 1) * T_BLOCK_TOKENS);
    assert_int_equal(out.m.kv_recomputed, 0);
    assert_int_equal(out.m.n_timed, 4 * T_GROUPS);
    assert_int_equal(out.level[1].n_read, 4);
    ts_live_result_release(&out);

    ts_live_config_t rc = {.arrivals = TS_ARRIVALS_CLOSED,
                           .clients = 1,
                           .batch_groups = true,
                           .max_chains = 8,
                           .prefill_rate = 1e6};
    ttft_run(&rc, &out);
    assert_int_equal(out.m.ttft.n, T_GROUPS);
    assert_true(out.m.ttft.max_ns >= 4000000ull); /* the first group: 4 x 1 ms, exact */
    assert_true(out.m.ttft.max_ns < 4000000ull + T_UPPER_NS);
    assert_true(out.m.ttft.mean_ns * T_GROUPS >= 4000000.0 + (T_GROUPS - 1) * 400000.0);
    assert_true(out.m.ttft.p50_ns >= 400000ull * 255 / 256);
    assert_int_equal(out.m.prefill_tokens_recomputed, 4 * T_BLOCK_TOKENS);
    assert_int_equal(out.m.prefill_tokens_saved, 4 * (T_GROUPS - 1) * T_BLOCK_TOKENS);
    assert_int_equal(out.m.kv_recomputed, 4);
    assert_int_equal(out.m.kv_recomputed_bytes, 4 * 4096);
    assert_int_equal(out.m.n_timed, 4 * (T_GROUPS - 1)); /* a recompute is not a request */
    assert_int_equal(out.level[1].n_read, 0);
    assert_int_equal(out.level[0].n_write, 4); /* the recomputed blocks still fill the tier */
    assert_true(out.m.prefill_rate == 1e6);
    assert_int_equal(out.m.block_tokens, T_BLOCK_TOKENS);
    ts_live_result_release(&out);
}

/* Open loop: a group starts at its first get's due time and ends with its last get's
 * foreground; its gets are due 0, 1, 2 and 3 ms after it, and the last takes at least one
 * read of 200 us, so every TTFT is at least 3.2 ms. */
static void test_live_ttft_open_loop_spans_the_group(void **state)
{
    (void)state;
    ts_live_config_t cfg = {.arrivals = TS_ARRIVALS_OPEN, .time_scale = 1};
    ts_live_result_t out;
    ttft_run(&cfg, &out);
    assert_int_equal(out.m.ttft.n, T_GROUPS);
    assert_true(out.m.ttft.mean_ns >= 3200000.0);
    assert_true(out.m.ttft.p50_ns >= 3200000ull * 255 / 256);
    assert_true(out.m.ttft.max_ns < T_UPPER_NS);
    assert_int_equal(out.m.prefill_tokens_recomputed + out.m.prefill_tokens_saved,
                     4 * T_GROUPS * T_BLOCK_TOKENS);
    ts_live_result_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_objects_carry_header_and_checksum),
        cmocka_unit_test(test_live_decides_as_fast_and_reads_what_it_wrote),
        cmocka_unit_test(test_live_verify_names_level_key_and_offset),
        cmocka_unit_test(test_live_full_backend_stops_with_partial_result),
        cmocka_unit_test(test_live_stop_flag_ends_the_run_partial),
        cmocka_unit_test(test_live_stop_midway_ends),
        cmocka_unit_test(test_live_open_loop_keeps_the_trace_times),
        cmocka_unit_test(test_live_closed_loop_batches_compute_between_groups),
        cmocka_unit_test(test_live_closed_loop_latency_obeys_littles_law),
        cmocka_unit_test(test_live_ttft_closed_loop_groups_by_hand),
        cmocka_unit_test(test_live_ttft_open_loop_spans_the_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
