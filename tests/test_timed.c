/* SPDX-License-Identifier: MIT */
/*
 * test_timed.c - the timed engine against hand-computed times.
 *
 * The devices are round numbers so every latency can be worked out on paper:
 *   tier 0 "fast": 1 channel, 10 us latency, 1 GB/s read and write
 *   backing "slow": 8 channels, 1 ms latency, 100 MB/s read and write
 * Objects are 1 MB (1e6 bytes): 1 ms on the fast device, 10 ms on the slow one.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "sim/hier.h"
#include "sim/memtrace.h"
#include "sim/timed.h"
#include "policies/registry.h"
#include "rng_test.h"
#include "timed_test.h"

static void push(fixture_t *f, uint64_t t_ns, uint64_t key, uint8_t op)
{
    ts_err_t err;
    ts_req_t q = {.time_ns = t_ns, .key = key, .size_bytes = MB, .op = op,
                  .next_access = TS_REQ_NEVER};
    assert_int_equal(ts_memtrace_push(f->mt, &q, &err), 0);
}

static int run(fixture_t *f, ts_err_t *err)
{
    assert_int_equal(ts_memtrace_reader(f->mt, &f->r, err), 0);
    return ts_engine_timed(f->h, f->r, &f->cfg, &f->res, err);
}

/* A miss is read from the backing store (1 ms + 10 ms); the fill into the fast tier runs
 * beside it (10 us + 1 ms) and is done long before the hit at 20 ms, which takes 10 us +
 * 1 ms on the idle fast device. */
static void test_timed_open_loop_miss_then_hit(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    push(&f, 0, 1, TS_OP_GET);
    push(&f, 20 * MS, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.n_timed, 2);
    assert_int_equal(f.res.served[1].n, 1);
    assert_int_equal(f.res.served[1].max_ns, 11 * MS);
    assert_int_equal(f.res.served[0].n, 1);
    assert_int_equal(f.res.served[0].max_ns, 1 * MS + 10 * US);
    assert_int_equal(f.res.op[0].n, 2);
    assert_int_equal(f.res.span_ns, 20 * MS + 1 * MS + 10 * US);
    assert_int_equal(f.res.n_background, 1); /* the fill */
    assert_int_equal(f.res.all.max_ns, 11 * MS);
    teardown(&f);
}

/* Two hits issued together on a one-channel device: the second waits for the first. */
static void test_timed_channel_queueing(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    push(&f, 0, 1, TS_OP_GET);        /* misses: read by 21 ms, then the fills */
    push(&f, 0, 2, TS_OP_GET);
    push(&f, 50 * MS, 1, TS_OP_GET);  /* hits issued together */
    push(&f, 50 * MS, 2, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.served[0].n, 2);
    assert_int_equal(f.res.served[0].max_ns, 2 * (1 * MS + 10 * US));
    /* the two misses share the backing store's bandwidth: each 1 ms + 20 ms */
    assert_int_equal(f.res.served[1].n, 2);
    assert_int_equal(f.res.served[1].max_ns, 21 * MS);
    const ts_res_result_t *fast = &f.res.res[0];
    assert_int_equal(fast->n_ops, 4); /* two fills, two reads */
    assert_true(fast->max_wait_ns == 1 * MS + 10 * US);
    teardown(&f);
}

/* An uplink above tier 0 (the requester's link) adds its latency and S / B to a hit. */
static void test_timed_uplink_adds_transfer(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    f.cfg.has_link[0] = true;
    snprintf(f.cfg.link[0].name, sizeof(f.cfg.link[0].name), "pcie");
    f.cfg.link[0].bytes_per_s = 500 * MB; /* 2 ms per object */
    f.cfg.link[0].latency_ns = 5 * US;
    push(&f, 0, 1, TS_OP_GET);
    push(&f, 100 * MS, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    /* hit: device 10 us + 1 ms, then link 5 us + 2 ms */
    assert_int_equal(f.res.served[0].max_ns, 3 * MS + 15 * US);
    /* miss: backing 11 ms, then the same link (the backing store has no link of its own) */
    assert_int_equal(f.res.served[1].max_ns, 13 * MS + 5 * US);
    teardown(&f);
}

/* Write-through: a put writes the tier and the backing store in parallel and ends with
 * the slower, 1 ms + 10 ms. */
static void test_timed_put_write_through(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    push(&f, 0, 7, TS_OP_PUT);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.op[1].n, 1);
    assert_int_equal(f.res.op[1].max_ns, 11 * MS);
    teardown(&f);
}

/* A write on a device whose write bandwidth is half its read bandwidth takes twice as
 * long to move its bytes. */
static void test_timed_slow_writes(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    f.cfg.dev[1].write_bytes_per_s = 50 * MB;
    push(&f, 0, 7, TS_OP_PUT);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.op[1].max_ns, 21 * MS);
    teardown(&f);
}

/* One client that thinks 2 ms between requests: miss (11 ms; the fill then holds the fast
 * device until 12.01 ms), think, hit at 13 ms (1.01 ms).
 * Utilisation = compute / (compute + stall) = 2 / (2 + 12.01). */
static void test_timed_closed_loop_stall(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    f.cfg.arrivals = TS_ARRIVALS_CLOSED;
    f.cfg.clients = 1;
    f.cfg.think_ns = 2 * MS;
    push(&f, 0, 1, TS_OP_GET);
    push(&f, 0, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.compute_ns, 2 * MS);
    assert_int_equal(f.res.stall_ns, 12 * MS + 10 * US);
    assert_int_equal(f.res.span_ns, 14 * MS + 10 * US);
    assert_float_equal(f.res.utilisation, 2.0 / 14.01, 1e-12);
    teardown(&f);
}

/* Two clients split the trace in order and run side by side. */
static void test_timed_closed_loop_two_clients(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    f.cfg.arrivals = TS_ARRIVALS_CLOSED;
    f.cfg.clients = 2;
    push(&f, 0, 1, TS_OP_GET);
    push(&f, 0, 2, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    /* both misses at time 0, sharing the backing bandwidth: 1 ms + 20 ms each */
    assert_int_equal(f.res.served[1].n, 2);
    assert_int_equal(f.res.span_ns, 21 * MS);
    assert_int_equal(f.res.stall_ns, 42 * MS);
    assert_int_equal(f.res.compute_ns, 0);
    teardown(&f);
}

/* time_scale 0.5 issues the second request at 10 ms instead of 20 ms. */
static void test_timed_time_scale(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    f.cfg.time_scale = 0.5;
    push(&f, 1000 * MS, 1, TS_OP_GET); /* times are taken from the first request on */
    push(&f, 1020 * MS, 2, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.span_ns, 10 * MS + 11 * MS);
    teardown(&f);
}

/* Two LLM calls of two 1 MB KV blocks each, 10 tokens a block, prefill at 1000 tokens/s.
 * Call A at 0: both blocks miss every tier, so the GPU recomputes them instead of reading
 * them from the backing store: 2 x 10 tokens, TTFT 20 ms; they are not timed as requests.
 * Their copies still fill the fast tier. Call B at 100 ms: both hit the
 * one-channel fast tier: 1.01 ms, then 1.01 ms more in the queue: TTFT 2.02 ms. Call C at
 * 200 ms reads one 1 MB object that is not a KV block (weights): it misses alone, 1 ms +
 * 10 ms, and nothing can be recomputed instead: TTFT 11 ms, no prefill tokens counted. */
/* Calls {k1, k2} at 0 and {k1, key} at 100 ms, KV blocks of 10 tokens, prefill at 1000
 * tokens/s. */
static void setup_two_calls(fixture_t *f, uint64_t key)
{
    setup(f, 10);
    f->cfg.prefill_rate = 1000;
    f->cfg.block_tokens = 10;
    push(f, 0, 1, TS_OP_GET);
    push(f, 0, 2, TS_OP_GET);
    push(f, 100 * MS, 1, TS_OP_GET);
    push(f, 100 * MS, key, TS_OP_GET);
    for (int i = 0; i < 4; i++)
        f->mt->reqs[i].flags = TS_REQ_KV;
    f->mt->reqs[1].flags |= TS_REQ_GROUP_END;
    f->mt->reqs[3].flags |= TS_REQ_GROUP_END;
}

static void test_timed_ttft_of_groups(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup_two_calls(&f, 2);
    push(&f, 200 * MS, 3, TS_OP_GET);
    f.mt->reqs[4].flags = TS_REQ_GROUP_END;
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.ttft.n, 3);
    assert_int_equal(f.res.ttft.max_ns, 20 * MS);
    assert_true(f.res.ttft.mean_ns == (20 * MS + 2 * (1 * MS + 10 * US) + 11 * MS) / 3.0);
    assert_int_equal(f.res.kv_recomputed, 2);
    assert_int_equal(f.res.n_timed, 3);
    assert_int_equal(f.res.prefill_tokens_recomputed, 20);
    assert_int_equal(f.res.prefill_tokens_saved, 20);
    teardown(&f);
}

/* The same blocks with attention: attn_s 1e-5 s per token^2 (ts_gen_prefill_seconds).
 * Call A at 0, blocks k1, k2 both missed: block 0 (tokens 0-10) recomputes in
 * 10 / 1000 + 1e-5 x (10^2 - 0) = 11 ms, block 1 (tokens 10-20) in 10 ms + 1e-5 x (400 - 100)
 * = 13 ms: TTFT 24 ms. Call D at 100 ms: k1 hits (1.01 ms), k4 is missed at place 1, so its
 * 13 ms are those of tokens 10-20, not 0-10: TTFT 1.01 + 13 = 14.01 ms. Call E at 200 ms
 * reads weights k5 (not KV: 1 ms + 10 ms from the backing store), then KV block k6, missed:
 * the first KV block of its call, tokens 0-10, 11 ms: TTFT 11 + 11 = 22 ms. */
static void test_timed_ttft_recompute_at_position(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup_two_calls(&f, 4);
    f.cfg.prefill_attn_s = 1e-5;
    push(&f, 200 * MS, 5, TS_OP_GET);
    push(&f, 200 * MS, 6, TS_OP_GET);
    f.mt->reqs[5].flags = TS_REQ_KV | TS_REQ_GROUP_END;
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.ttft.n, 3);
    assert_int_equal(f.res.ttft.max_ns, 24 * MS);
    assert_true(f.res.ttft.mean_ns == (24 * MS + 14 * MS + 10 * US + 22 * MS) / 3.0);
    assert_int_equal(f.res.kv_recomputed, 4);
    assert_int_equal(f.res.prefill_tokens_recomputed, 40);
    teardown(&f);
}

/* One closed-loop client with 3 ms of compute reading two groups {k1, k2}, depth requests
 * in flight at a time (0: all). */
static void setup_two_batches(fixture_t *f, uint32_t depth)
{
    setup(f, 10);
    f->cfg.arrivals = TS_ARRIVALS_CLOSED;
    f->cfg.clients = 1;
    f->cfg.think_ns = 3 * MS;
    f->cfg.batch_groups = true;
    f->cfg.depth = depth;
    for (int i = 0; i < 4; i++)
        push(f, 0, 1 + (uint64_t)(i & 1), TS_OP_GET);
    f->mt->reqs[1].flags = f->mt->reqs[3].flags = TS_REQ_GROUP_END;
}

/* Batches: one client issues each group whole. Group 1 (two misses at once: 1 ms + 20 ms
 * each, sharing the backing store) ends at 21 ms, and its fills hold the fast tier until
 * 23.02 ms; 3 ms of compute; group 2 (two hits on the one-channel fast tier, from 24 ms)
 * takes 2 x 1.01 ms. Stall 23.02 ms, compute 3 ms. */
static void test_timed_closed_loop_batches(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup_two_batches(&f, 0);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.compute_ns, 3 * MS);
    assert_int_equal(f.res.stall_ns, 23 * MS + 20 * US);
    assert_int_equal(f.res.span_ns, 26 * MS + 20 * US);
    assert_float_equal(f.res.utilisation, 3.0 / 26.02, 1e-12);
    teardown(&f);
}

/* The same two groups with depth 1 (one data-loader worker): the client reads a group one
 * request at a time. Group 1: k1 misses (1 ms + 10 ms alone) until 11 ms, then k2 until
 * 22 ms (its fill holds the fast tier until 23.01 ms); 3 ms of compute until 25 ms; group
 * 2: two hits on the one-channel fast tier, one after the other: 1.01 ms each, 27.02 ms.
 * Stall 22 + 2.02 ms, compute 3 ms. */
static void test_timed_closed_loop_batch_depth(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup_two_batches(&f, 1);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.compute_ns, 3 * MS);
    assert_int_equal(f.res.stall_ns, 24 * MS + 20 * US);
    assert_int_equal(f.res.span_ns, 27 * MS + 20 * US);
    assert_int_equal(f.res.op[0].max_ns, 11 * MS);
    teardown(&f);
}

static void test_timed_rejects_bad_config(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    f.cfg.arrivals = TS_ARRIVALS_CLOSED;
    f.cfg.clients = 0;
    push(&f, 0, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "at least one client"));
    teardown(&f);
}

/* The first test's run, sampled every 5 ms. The miss holds one of the slow device's 8
 * channels over [0, 11 ms] (1 ms latency + 10 ms of transfer); the fill then holds the fast
 * device over [11, 12.01 ms]; the hit at 20 ms over [20, 21.01 ms], which ends the run. So
 * intervals [0,5), [5,10), [10,15), [15,20) and a partial [20, 21.01). Both devices share
 * their bandwidth, so busy is the time their whole bandwidth moved bytes, the latency
 * excluded: the slow device 4, 5, 1, 0, 0 ms (its transfer over [1, 11 ms]), the fast one
 * 0, 0, 1, 0, 1 ms (transfers over [11.01, 12.01] and [20.01, 21.01 ms]). The tier sees
 * the miss (and counts the fill's bytes in) when it is issued, at 0, and the hit at 20 ms.
 * The histograms hold each latency once: 11 ms for the miss, 1.01 ms for the hit. */
static void test_timed_series_and_histograms(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err = {0};
    setup(&f, 10);
    ts_series_spec_t spec = {.axis = TS_AXIS_AUTO, .interval = 5 * MS, .max_points = 100};
    assert_int_equal(ts_series_create(&spec, &f.cfg.series, &err), 0);
    push(&f, 0, 1, TS_OP_GET);
    push(&f, 20 * MS, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    const ts_series_t *s = f.cfg.series;
    assert_int_equal(s->axis, TS_AXIS_TIME);
    assert_int_equal(s->n_points, 5);
    assert_int_equal(s->span, 21 * MS + 10 * US);
    assert_int_equal(ts_series_width(s, 4), 1 * MS + 10 * US);
    assert_int_equal(s->n_res, 2);
    assert_string_equal(f.res.res[0].name, "fast: fast");
    assert_string_equal(f.res.res[1].name, "backing: slow");
    const uint64_t fast[] = {0, 0, 1 * MS, 0, 1 * MS};
    const uint64_t slow[] = {4 * MS, 5 * MS, 1 * MS, 0, 0};
    const uint64_t req[] = {1, 0, 0, 0, 1}, hit[] = {0, 0, 0, 0, 1};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(ts_series_get(s, i, ts_series_res_col(s, 0)), fast[i]);
        assert_int_equal(ts_series_get(s, i, ts_series_res_col(s, 1)), slow[i]);
        assert_int_equal(ts_series_get(s, i, ts_series_tier_col(0, TS_SCOL_REQUESTS)), req[i]);
        assert_int_equal(ts_series_get(s, i, ts_series_tier_col(0, TS_SCOL_HITS)), hit[i]);
        assert_int_equal(ts_series_get(s, i, ts_series_tier_col(0, TS_SCOL_BYTES_IN)),
                         i == 0 ? MB : 0);
        assert_int_equal(ts_series_get(s, i, ts_series_tier_col(0, TS_SCOL_USED)), 1);
    }
    /* histograms: one bucket each, holding the exact latency */
    assert_int_equal(f.res.all.n_buckets, 2);
    assert_int_equal(f.res.all.buckets[0].count + f.res.all.buckets[1].count, 2);
    assert_true(f.res.all.buckets[0].lo_ns <= 1 * MS + 10 * US &&
                f.res.all.buckets[0].hi_ns >= 1 * MS + 10 * US);
    assert_true(f.res.all.buckets[1].lo_ns <= 11 * MS && f.res.all.buckets[1].hi_ns >= 11 * MS);
    assert_int_equal(f.res.served[1].n_buckets, 1);
    assert_int_equal(f.res.served[1].buckets[0].count, 1);
    assert_int_equal(f.res.op[1].n_buckets, 0); /* no puts */
    assert_null(f.res.op[1].buckets);
    ts_series_destroy(f.cfg.series);
    teardown(&f);
}

/* Five objects read into a tier of 4 channels at 4 GB/s (10 us latency), then read again
 * together at 100 ms, then one alone at 200 ms. Under `fixed` each channel serves one
 * request at 1 GB/s: S = 10 us + 1 ms, so four hits end at S, the fifth waits for a channel
 * and ends at 2 S (2.02 ms), and the lone hit takes S too: the run ends at 200 ms + S.
 * The fills before were laid out the same way (four at 51 ms, the fifth at 52.01 ms).
 * Mean of the five: (4 x 1.01 + 2.02) / 5 = 1.212 ms. */
static void test_timed_fixed_model_one_request_per_channel(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    ts_device_t *d = &f.cfg.dev[0];
    d->channels = 4;
    d->read_bytes_per_s = d->write_bytes_per_s = 4000 * MB;
    snprintf(d->model, sizeof(d->model), "fixed");
    for (uint64_t k = 1; k <= 5; k++)
        push(&f, 0, k, TS_OP_GET);
    for (uint64_t k = 1; k <= 5; k++)
        push(&f, 100 * MS, k, TS_OP_GET);
    push(&f, 200 * MS, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.served[0].n, 6);
    assert_int_equal(f.res.served[0].max_ns, 2 * (1 * MS + 10 * US));
    assert_int_equal(f.res.span_ns, 200 * MS + 1 * MS + 10 * US);
    /* the five misses share the backing store (ps): 1 ms + 5 MB at 100 MB/s */
    assert_int_equal(f.res.served[1].max_ns, 51 * MS);
    const ts_res_result_t *fast = &f.res.res[0];
    assert_int_equal(fast->n_ops, 11); /* five fills, six reads */
    assert_int_equal(fast->bytes, 11 * MB);
    assert_int_equal(fast->max_wait_ns, 1 * MS + 10 * US);
    teardown(&f);
}

/* The same run on the same device under ps (the default): the four hits share 4 GB/s and
 * end at 10 us + 1 ms like fixed; the fifth, alone once it has a channel, moves at the
 * whole 4 GB/s: 1.01 ms + 10 us + 250 us = 1.27 ms; the lone hit takes 260 us. */
static void test_timed_ps_model_shares_bandwidth(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    ts_device_t *d = &f.cfg.dev[0];
    d->channels = 4;
    d->read_bytes_per_s = d->write_bytes_per_s = 4000 * MB;
    snprintf(d->model, sizeof(d->model), "ps");
    for (uint64_t k = 1; k <= 5; k++)
        push(&f, 0, k, TS_OP_GET);
    for (uint64_t k = 1; k <= 5; k++)
        push(&f, 100 * MS, k, TS_OP_GET);
    push(&f, 200 * MS, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.served[0].n, 6);
    assert_int_equal(f.res.served[0].max_ns, 1 * MS + 10 * US + 10 * US + 250 * US);
    assert_int_equal(f.res.span_ns, 200 * MS + 10 * US + 250 * US);
    teardown(&f);
}

/* A model that is not a behaviour, and fixed without channels, are refused by level. */
static void test_timed_rejects_bad_device_model(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err = {0};
    setup(&f, 10);
    snprintf(f.cfg.dev[0].model, sizeof(f.cfg.dev[0].model), "fixd");
    push(&f, 0, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "level fast: unknown device model 'fixd'"));
    assert_non_null(strstr(err.msg, "did you mean 'fixed'"));
    ts_reader_close(f.r);
    f.r = NULL;
    snprintf(f.cfg.dev[0].model, sizeof(f.cfg.dev[0].model), "fixed");
    f.cfg.dev[0].channels = 0;
    err = (ts_err_t){0};
    assert_int_equal(run(&f, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "level fast: device fast has no channels"));
    teardown(&f);
}

/* A request cost of 100 us on the backing store (100 MB/s: 10,000 read-equivalent bytes a
 * request) is time, not data: one miss of 1 MB takes 1 ms + 100 us + 10 ms, and the
 * device's byte count is the 1 MB read. */
static void test_timed_request_cost_is_time_not_bytes(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    f.cfg.dev[1].request_cost_ns = 100 * US;
    push(&f, 0, 1, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.served[1].max_ns, 11 * MS + 100 * US);
    assert_int_equal(f.res.res[1].n_ops, 1);
    assert_int_equal(f.res.res[1].bytes, MB);
    teardown(&f);
}

/* `service: exponential` through the engine: every request a miss of a distinct key, at
 * Poisson times, on a backing store of one fixed channel whose mean service is
 * 1 ms + 1 MB / 100 MB/s = 11 ms; arrivals every 22 ms on average: M/M/1 at rho = 0.5, whose
 * mean time in the system is 11 / (1 - 0.5) = 22 ms (within 3% over 100,000 requests).
 * The draws follow the seed: the same seed gives the same result, another seed another. */
static double timed_mm1_mean(uint64_t seed)
{
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    snprintf(f.cfg.dev[1].model, sizeof(f.cfg.dev[1].model), "fixed");
    f.cfg.dev[1].channels = 1;
    f.cfg.dev[1].service_dist = TS_DEV_EXPONENTIAL;
    f.cfg.seed = seed;
    gsl_rng *r = test_rng(99);
    double t = 0;
    for (uint64_t k = 0; k < 100000; k++) {
        push(&f, (uint64_t)llround(t), 1000 + k, TS_OP_GET);
        t += gsl_ran_exponential(r, 22.0 * MS);
    }
    gsl_rng_free(r);
    assert_int_equal(run(&f, &err), 0);
    double mean = f.res.served[1].mean_ns;
    teardown(&f);
    return mean;
}

static void test_timed_exponential_service_is_mm1(void **state)
{
    (void)state;
    double a = timed_mm1_mean(1), b = timed_mm1_mean(1), c = timed_mm1_mean(2);
    print_message("  M/M/1 in the engine: mean %.3f ms (seed 1), %.3f ms (seed 2), theory 22 ms\n",
                  a / MS, c / MS);
    assert_true(fabs(a - 22.0 * MS) <= 0.03 * 22.0 * MS);
    assert_true(fabs(c - 22.0 * MS) <= 0.03 * 22.0 * MS);
    assert_true(a == b);
    assert_true(a != c);
}

/* Utilisation of a device that shares its bandwidth is the busy share of that bandwidth.
 * The backing store (ps, 100,000 channels, 1 ms, 100 MB/s) reads ten 1 MB misses, 20 ms
 * apart, each alone: 10 ms of its bandwidth each, 100 ms in all. The last read ends at
 * 180 + 11 = 191 ms, and its fill of the fast tier (ps, 10 us + 1 ms) at 192.01 ms, the
 * span: 100 / 192.01 = 52.08%. The fast tier moved ten fills: 10 / 192.01. Counted in
 * channels, the backing store would read 10 x 11 ms / (100,000 x 192.01 ms), about 0. */
static void test_timed_bandwidth_utilisation(void **state)
{
    (void)state;
    fixture_t f;
    ts_err_t err;
    setup(&f, 10);
    f.cfg.dev[1].channels = 100000;
    for (uint64_t k = 0; k < 10; k++)
        push(&f, k * 20 * MS, 100 + k, TS_OP_GET);
    assert_int_equal(run(&f, &err), 0);
    assert_int_equal(f.res.end_ns, 192 * MS + 10 * US);
    const ts_res_result_t *fast = &f.res.res[0], *slow = &f.res.res[1];
    assert_true(slow->is_bw_util && fast->is_bw_util);
    assert_true(fabs(slow->utilisation - 100.0 / 192.01) < 1e-9);
    assert_true(fabs(fast->utilisation - 10.0 / 192.01) < 1e-9);
    /* in channels: fast's one channel held 10 x 1.01 ms; slow's 100,000 10 x 11 ms */
    assert_true(fabs(fast->channel_utilisation - 10.1 / 192.01) < 1e-9);
    assert_true(fabs(slow->channel_utilisation - 110.0 / (1e5 * 192.01)) < 1e-12);
    assert_int_equal(f.res.n_overloaded, 0);
    teardown(&f);
}

/* M/D/1 on the backing store: one `fixed` channel, every request a miss of its own key,
 * service S = 1 ms + 1 MB / 100 MB/s = 11 ms, so the capacity is 1 / S = 90.91 requests/s;
 * Poisson arrivals at rho / S. seed: the arrivals'; max: timed.max_in_flight. */
static void md1_run(fixture_t *f, double rho, uint64_t n, uint32_t max)
{
    setup(f, 10);
    snprintf(f->cfg.dev[1].model, sizeof(f->cfg.dev[1].model), "fixed");
    f->cfg.dev[1].channels = 1;
    f->cfg.max_in_flight = max;
    gsl_rng *r = test_rng(7);
    double t = 0;
    for (uint64_t k = 0; k < n; k++) {
        push(f, (uint64_t)llround(t), 1000 + k, TS_OP_GET);
        t += gsl_ran_exponential(r, 11.0 * MS / rho);
    }
    gsl_rng_free(r);
    ts_err_t err;
    assert_int_equal(run(f, &err), 0);
}

/* At rho = 1.5 the backing store alone is flagged: offered 1.5 / 11 ms = 136.4 requests/s
 * (within 4%: about 10,000 Poisson arrivals in the last quarter, 1% standard deviation)
 * against 90.91 (within 0.5%); its backlog began near the start (its queue grows 45
 * requests a second from the first arrivals on). The fast tier takes the fills at 90.91/s,
 * 1.01 ms each: 9% busy. At rho = 0.5 nothing is flagged, and the offered load is 45.45. */
static void test_timed_overload_md1(void **state)
{
    (void)state;
    fixture_t f;
    md1_run(&f, 1.5, 40000, 0);
    const ts_res_result_t *slow = &f.res.res[1];
    print_message("  rho 1.5: offered %.2f/s, capacity %.2f/s, backlog since %.3f s of %.3f s\n",
                  slow->offered_per_s, slow->capacity_per_s, slow->backlog_since_ns * 1e-9,
                  f.res.arrivals_end_ns * 1e-9);
    assert_int_equal(f.res.n_overloaded, 1);
    assert_true(slow->is_overloaded && !f.res.res[0].is_overloaded);
    assert_false(slow->is_load_bytes);
    assert_true(fabs(slow->offered_per_s - 1.5 / 0.011) < 0.04 * 1.5 / 0.011);
    assert_true(fabs(slow->capacity_per_s - 1 / 0.011) < 0.005 / 0.011);
    assert_true(slow->backlog_since_ns < f.res.arrivals_end_ns / 20);
    assert_ptr_equal(ts_timed_worst_overload(&f.res), slow);
    char line[256];
    assert_non_null(strstr(ts_res_load_text(slow, line, sizeof(line)),
                           "requests/s against a capacity of 90.9 requests/s"));
    assert_non_null(strstr(line, "; backlog growing since "));
    assert_false(f.res.partial);
    teardown(&f);

    md1_run(&f, 0.5, 40000, 0);
    slow = &f.res.res[1];
    assert_int_equal(f.res.n_overloaded, 0);
    assert_false(slow->is_overloaded);
    assert_true(fabs(slow->offered_per_s - 0.5 / 0.011) < 0.04 * 0.5 / 0.011);
    teardown(&f);
}

/* timed.max_in_flight = 100 at rho = 1.5: the backlog grows (1.5 - 1) / 11 ms = 45.5
 * requests a second, so 100 jobs are in flight after about 2.2 s (1.2 to 3.5 s allowing for
 * the Poisson arrivals); no request is issued after that, what is in flight ends, and the
 * result is partial, its reason naming the limit, the time and the saturated device. */
static void test_timed_max_in_flight_stops(void **state)
{
    (void)state;
    fixture_t f;
    md1_run(&f, 1.5, 40000, 100);
    print_message("  stop: %s\n", f.res.stop_reason);
    assert_true(f.res.partial);
    assert_true(f.res.arrivals_end_ns > 1200 * MS && f.res.arrivals_end_ns < 3500 * MS);
    assert_true(f.res.n_timed < 1000);
    assert_non_null(f.res.stop_reason);
    assert_non_null(strstr(f.res.stop_reason, "100 jobs in flight (timed.max_in_flight) at "));
    assert_non_null(strstr(f.res.stop_reason, "of simulated time: backing: slow is overloaded, "
                                              "offered 1"));
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timed_open_loop_miss_then_hit),
        cmocka_unit_test(test_timed_channel_queueing),
        cmocka_unit_test(test_timed_uplink_adds_transfer),
        cmocka_unit_test(test_timed_put_write_through),
        cmocka_unit_test(test_timed_slow_writes),
        cmocka_unit_test(test_timed_closed_loop_stall),
        cmocka_unit_test(test_timed_closed_loop_two_clients),
        cmocka_unit_test(test_timed_time_scale),
        cmocka_unit_test(test_timed_ttft_of_groups),
        cmocka_unit_test(test_timed_ttft_recompute_at_position),
        cmocka_unit_test(test_timed_closed_loop_batches),
        cmocka_unit_test(test_timed_closed_loop_batch_depth),
        cmocka_unit_test(test_timed_rejects_bad_config),
        cmocka_unit_test(test_timed_series_and_histograms),
        cmocka_unit_test(test_timed_fixed_model_one_request_per_channel),
        cmocka_unit_test(test_timed_ps_model_shares_bandwidth),
        cmocka_unit_test(test_timed_rejects_bad_device_model),
        cmocka_unit_test(test_timed_exponential_service_is_mm1),
        cmocka_unit_test(test_timed_request_cost_is_time_not_bytes),
        cmocka_unit_test(test_timed_bandwidth_utilisation),
        cmocka_unit_test(test_timed_overload_md1),
        cmocka_unit_test(test_timed_max_in_flight_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
