/* SPDX-License-Identifier: MIT */
/*
 * test_timed_loader.c - the timed engine's data loader (timed.batch: loader): hand-traced
 * read-ahead and checkpoint steps, and accelerator utilisation against the figures theory
 * gives for MLPerf Storage's UNet3D on H100 (DLIO's unet3d_h100 config: 146,600,628-byte
 * samples, batch 7, 0.323 s of compute per batch, 4 read threads): AU >= 99% with ample
 * bandwidth, 50% when a batch takes twice its compute to read, and the most accelerators a
 * storage bandwidth B keeps at AU >= 90%, floor(B x compute / (0.9 x batch bytes)).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gen_test.h"
#include "timed_test.h"

#define UNET3D_SAMPLE 146600628ull
#define UNET3D_BATCH 7ull
#define UNET3D_COMPUTE (323 * MS)

/* The default hierarchy (timed_test.h); one client, a loader of `workers` workers. */
static void setup_loader(fixture_t *f, uint64_t cap, uint32_t workers, uint32_t prefetch)
{
    setup(f, cap);
    f->cfg.arrivals = TS_ARRIVALS_CLOSED;
    f->cfg.clients = 1;
    f->cfg.loader = true;
    f->cfg.depth = workers;
    f->cfg.prefetch_factor = prefetch;
}

static void push(fixture_t *f, uint64_t key, uint8_t flags)
{
    ts_err_t err;
    ts_req_t q = {.key = key, .size_bytes = MB, .op = TS_OP_GET, .flags = flags,
                  .next_access = TS_REQ_NEVER};
    assert_int_equal(ts_memtrace_push(f->mt, &q, &err), 0);
}

static void run_ok(fixture_t *f, ts_reader_t *r)
{
    ts_err_t err = {0};
    if (!r)
        assert_int_equal(ts_memtrace_reader(f->mt, &r, &err), 0);
    f->r = r;
    int rc = ts_engine_timed(f->h, r, &f->cfg, &f->res, &err);
    if (rc)
        print_error("timed: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

/* Four one-sample batches (keys 1..4, all misses), 2 workers, prefetch 1 (two batches
 * outstanding), 30 ms of compute. 0: workers read batches 0 and 1 side by side on the
 * shared backing store, 1 ms + 20 ms: both arrive at 21 ms. 21: the loop takes batch 0
 * (stall 21 ms), which lets worker 0 read batch 2 (alone: 11 ms, at 32 ms). 51: takes batch
 * 1, worker 1 reads batch 3 (at 62 ms). 81: batch 2; 111: batch 3; 141: the end. Stall
 * 21 ms, compute 4 x 30 ms, and AU (first step left out) 3 x 30 / (141 - 51) = 100%. */
static void test_loader_reads_ahead_while_computing(void **state)
{
    (void)state;
    fixture_t f;
    setup_loader(&f, 10, 2, 1);
    f.cfg.think_ns = 30 * MS;
    for (uint64_t k = 1; k <= 4; k++)
        push(&f, k, TS_REQ_GROUP_END);
    run_ok(&f, NULL);
    assert_int_equal(f.res.stall_ns, 21 * MS);
    assert_int_equal(f.res.compute_ns, 120 * MS);
    assert_int_equal(f.res.span_ns, 62 * MS);
    assert_int_equal(f.res.op[0].max_ns, 21 * MS);
    assert_float_equal(f.res.utilisation, 1.0, 1e-12);
    assert_int_equal(f.res.loader_workers, 2);
    assert_int_equal(f.res.prefetch_factor, 1);
    teardown(&f);
}

/* The same without read-ahead (batch: group) computes 30 ms between reads of 11 ms: the
 * client waits 4 x 11 ms; utilisation 120 / (120 + 44). */
static void test_group_batches_do_not_read_ahead(void **state)
{
    (void)state;
    fixture_t f;
    setup_loader(&f, 10, 2, 1);
    f.cfg.loader = false;
    f.cfg.batch_groups = true;
    f.cfg.think_ns = 30 * MS;
    for (uint64_t k = 1; k <= 4; k++)
        push(&f, k, TS_REQ_GROUP_END);
    run_ok(&f, NULL);
    assert_int_equal(f.res.stall_ns, 44 * MS);
    assert_int_equal(f.res.compute_ns, 90 * MS); /* the last compute follows no request */
    teardown(&f);
}

/* A checkpoint step between two batches blocks the loop, not the loader. One worker,
 * prefetch 2: batch 0 (key 1) arrives at 11 ms; the worker reads batch 1 (key 2) ahead,
 * until 22 ms. The loop computes batch 0 from 11 to 41 ms, then reads the checkpoint (key
 * 9, a miss: 41 to 52 ms), then takes batch 1 (ready since 22 ms) and computes until 82 ms.
 * Stall 11 + 11 ms, AU 30 / (82 - 41). */
static void test_loader_checkpoint_blocks_the_loop(void **state)
{
    (void)state;
    fixture_t f;
    setup_loader(&f, 10, 1, 2);
    f.cfg.think_ns = 30 * MS;
    push(&f, 1, TS_REQ_GROUP_END);
    push(&f, 9, TS_REQ_CHECKPOINT);
    push(&f, 2, TS_REQ_GROUP_END);
    run_ok(&f, NULL);
    assert_int_equal(f.res.stall_ns, 22 * MS);
    assert_int_equal(f.res.compute_ns, 60 * MS);
    assert_float_equal(f.res.utilisation, 30.0 / 41.0, 1e-12);
    teardown(&f);
}

/* Requests go to client stream mod clients: two streams, two clients, each stream's two
 * batches read by its own client side by side. Every read shares the backing store with
 * the other stream's: batches 0 of both at 21 ms; batches 1 of both (read ahead with
 * prefetch 2, one worker) from 21 ms, both at 42 ms. Each loop: stall 21 ms, computes at 21
 * and at 51 ms (batch 1 ready at 42 ms). */
static void test_loader_routes_streams_to_clients(void **state)
{
    (void)state;
    fixture_t f;
    setup_loader(&f, 10, 1, 2);
    f.cfg.clients = 2;
    f.cfg.think_ns = 30 * MS;
    ts_err_t err;
    for (uint64_t k = 1; k <= 4; k++) {
        ts_req_t q = {.key = k, .size_bytes = MB, .op = TS_OP_GET, .flags = TS_REQ_GROUP_END,
                      .stream = (uint32_t)(k & 1), .next_access = TS_REQ_NEVER};
        assert_int_equal(ts_memtrace_push(f.mt, &q, &err), 0);
    }
    run_ok(&f, NULL);
    assert_int_equal(f.res.stall_ns, 2 * 21 * MS);
    assert_int_equal(f.res.compute_ns, 4 * 30 * MS);
    assert_int_equal(f.res.span_ns, 42 * MS);
    assert_float_equal(f.res.utilisation, 1.0, 1e-12);
    teardown(&f);
}

/* ---- UNet3D on H100 over a storage system of one bandwidth ---- */

/* ranks UNet3D ranks, `steps` batches each (every sample read once), over a backing store of
 * bw bytes/s shared by every read in flight (100 us of latency); returns the AU. */
static double unet3d_au(uint64_t ranks, uint64_t steps, uint64_t bw)
{
    fixture_t f;
    setup_loader(&f, 1, 4, 2);
    dev(&f.cfg.dev[0], "hbm", 1 << 20, 0, 1000000 * MB); /* the fills: out of the way */
    dev(&f.cfg.dev[1], "storage", 1 << 20, 100 * US, bw);
    snprintf(f.cfg.dev[1].model, sizeof(f.cfg.dev[1].model), "ps");
    f.cfg.clients = (uint32_t)ranks;
    f.cfg.think_ns = UNET3D_COMPUTE;
    char samples[64], gpus[64];
    snprintf(samples, sizeof(samples), "samples=%llu",
             (unsigned long long)(ranks * steps * UNET3D_BATCH));
    snprintf(gpus, sizeof(gpus), "gpus_per_node=%llu", (unsigned long long)ranks);
    const char *kv[] = {"workload=unet3d", "accelerator=h100", samples, "epochs=1", "nodes=1",
                        gpus};
    run_ok(&f, gen_test_open_ok("training", 7, kv, sizeof(kv) / sizeof(kv[0])));
    assert_int_equal(f.res.n_timed, ranks * steps * UNET3D_BATCH);
    assert_int_equal(f.res.compute_ns, ranks * steps * UNET3D_COMPUTE);
    double au = f.res.utilisation;
    teardown(&f);
    return au;
}

/* With 8 ranks reading 8 x 1.026 GB per 0.323 s step (25 GB/s) from 1 TB/s, every batch is
 * there before its compute ends: AU >= 99%. */
static void test_unet3d_ample_bandwidth_keeps_au_above_99(void **state)
{
    (void)state;
    assert_true(unet3d_au(8, 40, 1000000 * MB) >= 0.99);
}

/* One rank whose batch (7 x 146.6 MB = 1.026 GB) takes 2 x 0.323 s to read: the loader
 * delivers a batch every 0.646 s, the accelerator computes 0.323 s of it: AU 50% +- 1%. */
static void test_unet3d_io_twice_compute_gives_au_50(void **state)
{
    (void)state;
    double batch = (double)(UNET3D_BATCH * UNET3D_SAMPLE);
    uint64_t bw = (uint64_t)llround(batch / (2 * 0.323));
    double au = unet3d_au(1, 200, bw);
    print_message("AU %.4f%% at %.4g GB/s\n", au * 100, (double)bw / 1e9);
    assert_true(fabs(au - 0.5) <= 0.01);
}

/* The most accelerators a bandwidth keeps at AU >= 90%, found by a sweep over accelerator
 * counts, is the analytic bound floor(B x 0.323 s / (0.9 x 1.026 GB)) within one: 3 at
 * 10 GB/s, 17 at 50 GB/s. */
static void test_unet3d_accelerators_at_au_90_match_the_bound(void **state)
{
    (void)state;
    const uint64_t bws[] = {10000 * MB, 50000 * MB};
    double batch = (double)(UNET3D_BATCH * UNET3D_SAMPLE);
    for (size_t i = 0; i < 2; i++) {
        uint64_t bound = (uint64_t)floor((double)bws[i] * 0.323 / (0.9 * batch));
        uint64_t most = 0;
        for (uint64_t n = 1; n <= bound + 3; n++) {
            double au = unet3d_au(n, 60, bws[i]);
            if (n + 1 >= bound && n <= bound + 1)
                print_message("%llu accelerators: AU %.2f%%\n", (unsigned long long)n, au * 100);
            if (au >= 0.9)
                most = n;
        }
        print_message("%llu GB/s: %llu accelerators at AU >= 90%% (bound %llu)\n",
                      (unsigned long long)(bws[i] / 1000 / MB), (unsigned long long)most,
                      (unsigned long long)bound);
        assert_true(most + 1 >= bound && most <= bound + 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loader_reads_ahead_while_computing),
        cmocka_unit_test(test_group_batches_do_not_read_ahead),
        cmocka_unit_test(test_loader_checkpoint_blocks_the_loop),
        cmocka_unit_test(test_loader_routes_streams_to_clients),
        cmocka_unit_test(test_unet3d_ample_bandwidth_keeps_au_above_99),
        cmocka_unit_test(test_unet3d_io_twice_compute_gives_au_50),
        cmocka_unit_test(test_unet3d_accelerators_at_au_90_match_the_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
