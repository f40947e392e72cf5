/* SPDX-License-Identifier: MIT */
/*
 * test_live_loader.c - the live engine's data loaders (timed.batch: loader, sim/loader.h on
 * the wall clock): with reads far faster than the compute the loader keeps every batch
 * ready, so the accelerator utilisation (AU, as DLIO measures it) is about 100%; with reads
 * of a batch taking twice its compute AU is at most 50% (the reads bound each step) and the
 * loop stalls; a checkpoint step between batches is written whole before the next batch is
 * taken; every request is timed and every read checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/live.h"
#include "sim/memtrace.h"
#include "hier_test.h"
#include "live_wrap_test.h"

#define MS 1000000ull

/* ranks x batches batches of `batch` gets of 4 KiB (keys distinct: every read a miss), in
 * trace order batch 0 of every rank, batch 1 of every rank, ...; a rank's requests are its
 * stream; the last of a batch ends its group. With ckpt_after, each rank writes a
 * checkpoint of 2 objects (TS_REQ_CHECKPOINT puts) after its batch ckpt_after - 1. */
static ts_memtrace_t *loader_trace(unsigned ranks, unsigned batches, unsigned batch,
                                   unsigned ckpt_after)
{
    ts_err_t err = {0};
    ts_memtrace_t *mt = NULL;
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    uint64_t key = 1;
    for (unsigned b = 0; b < batches; b++)
        for (unsigned r = 0; r < ranks; r++) {
            for (unsigned i = 0; i < batch; i++) {
                ts_req_t q = {.key = key++,
                              .size_bytes = 4096,
                              .op = TS_OP_GET,
                              .stream = r,
                              .flags = i + 1 == batch ? TS_REQ_GROUP_END : 0,
                              .next_access = TS_REQ_NEVER};
                assert_int_equal(ts_memtrace_push(mt, &q, &err), 0);
            }
            for (unsigned i = 0; ckpt_after && b + 1 == ckpt_after && i < 2; i++) {
                ts_req_t q = {.key = 1000000 + r * 2 + i,
                              .size_bytes = 8192,
                              .op = TS_OP_PUT,
                              .stream = r,
                              .flags = TS_REQ_CHECKPOINT,
                              .next_access = TS_REQ_NEVER};
                assert_int_equal(ts_memtrace_push(mt, &q, &err), 0);
            }
        }
    return mt;
}

/* One LRU tier of 8 objects on host memory over the backing store on backing_ops, objects
 * mode. */
static void loader_run(ts_memtrace_t *mt, ts_live_config_t *cfg,
                       const ts_backend_ops_t *backing_ops, ts_live_result_t *out, rig_t *g)
{
    rig_tier(g, &ts_policy_lru, 8, true);
    ts_hier_config_t hc = {0};
    rig_start(g, &hc);
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    static const char *const names[] = {"t0", "backing"};
    for (size_t l = 0; l <= g->n; l++) {
        ts_backend_ctx_t ctx = {.tier = names[l],
                                .capacity = l < g->n ? 1ull << 20 : 1ull << 30,
                                .max_object = 1ull << 16};
        const ts_backend_ops_t *ops = l < g->n ? &ts_backend_memory : backing_ops;
        assert_int_equal(ts_backend_open_kv(ops, NULL, NULL, 0, &ctx, &cfg->be[l], &err), 0);
        cfg->name[l] = names[l];
    }
    cfg->arrivals = TS_ARRIVALS_CLOSED;
    cfg->loader = true;
    cfg->speed = 1;
    cfg->verify = true;
    int rc = ts_engine_live(g->h, r, cfg, out, &err);
    if (rc)
        fail_msg("live engine: %s", err.msg);
    assert_false(out->partial);
    for (size_t l = 0; l <= g->n; l++)
        cfg->be[l]->ops->close(cfg->be[l]);
    ts_reader_close(r);
}

/* 2 ranks, 12 batches of 4 gets each, 4 workers reading 2 batches ahead each, 5 ms of
 * compute per batch, host memory (a read takes microseconds): every batch but the first is
 * ready when the loop wants it, so AU (each rank's first step left out) is about 100%: the
 * computes take at least 11 x 5 ms per rank, and the loop waits only for the first batch. */
static void test_live_loader_keeps_batches_ready(void **state)
{
    (void)state;
    ts_memtrace_t *mt = loader_trace(2, 12, 4, 0);
    ts_live_config_t cfg = {.clients = 2, .depth = 4, .prefetch_factor = 2, .think_ns = 5 * MS};
    ts_live_result_t out;
    rig_t g = {0};
    loader_run(mt, &cfg, &ts_backend_memory, &out, &g);
    assert_int_equal(out.m.n_timed, 96);
    assert_int_equal(out.n_verified, 96); /* each a miss, read from the backing store */
    assert_int_equal(out.m.loader_workers, 4);
    assert_int_equal(out.m.prefetch_factor, 2);
    assert_true(out.m.compute_ns >= 24 * 5 * MS); /* every batch computed, each >= 5 ms */
    assert_true(out.m.utilisation >= 0.95);
    assert_true(out.m.utilisation <= 1.0 + 1e-9);
    ts_live_result_release(&out);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

/* 1 rank, 1 worker reading 1 batch ahead, 12 batches of 10 gets from a backing store that
 * takes 200 us a request (one at a time per worker: 2 ms a batch), 1 ms of compute: the worker
 * reads batch b + 1 while the loop computes b, so each step lasts as long as a batch's
 * reads, at least 2 ms, and AU = 1 ms / 2 ms = 50% at most (theory: 50%; slower reads on a
 * loaded machine only lower it). */
static void test_live_loader_bound_by_reads(void **state)
{
    (void)state;
    ts_memtrace_t *mt = loader_trace(1, 12, 10, 0);
    ts_live_config_t cfg = {.clients = 1, .depth = 1, .prefetch_factor = 1, .think_ns = 1 * MS};
    ts_live_result_t out;
    rig_t g = {0};
    loader_run(mt, &cfg, &k_wrap_slow, &out, &g);
    assert_int_equal(out.m.n_timed, 120);
    assert_true(out.m.stall_ns > 0);
    /* a compute may outlast 1 ms by the clock's lateness: allow 0.3 ms of it a step */
    assert_true(out.m.utilisation <= 1.3 / 2.0);
    assert_true(out.m.utilisation > 0.05);
    ts_live_result_release(&out);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

/* A checkpoint step (2 puts per rank after batch 2 of 5) is issued by the loop and waited
 * for: every put is timed, and the run ends with every batch computed (5 per rank). */
static void test_live_loader_checkpoint_step(void **state)
{
    (void)state;
    ts_memtrace_t *mt = loader_trace(2, 5, 3, 3);
    ts_live_config_t cfg = {.clients = 2, .depth = 2, .prefetch_factor = 1, .think_ns = 1 * MS};
    ts_live_result_t out;
    rig_t g = {0};
    loader_run(mt, &cfg, &k_wrap_async, &out, &g);
    assert_int_equal(out.m.n_timed, 2 * 5 * 3 + 2 * 2);
    assert_int_equal(out.m.op[1].n, 4); /* the puts */
    assert_int_equal(g.h->tot.n_put, 4);
    assert_true(out.m.compute_ns >= 10 * MS);
    ts_live_result_release(&out);
    rig_free(&g);
    ts_memtrace_destroy(mt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_loader_keeps_batches_ready),
        cmocka_unit_test(test_live_loader_bound_by_reads),
        cmocka_unit_test(test_live_loader_checkpoint_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
