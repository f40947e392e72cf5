/* SPDX-License-Identifier: MIT */
/*
 * live_wrap_test.h - test back-ends for the live engine's tests: host memory underneath,
 * with a queue of 3 requests in front; test-async completes them newest first (out of
 * order), test-slow each WRAP_SLOW_NS after its submit, in order, test-corrupt flips a byte
 * of key 3's reads. g_stop is set after g_stop_after submits (0: never).
 */
#ifndef TS_TESTS_LIVE_WRAP_TEST_H
#define TS_TESTS_LIVE_WRAP_TEST_H

#include <signal.h>
#include <string.h>
#include <time.h>

#include "backends/backend.h"
#include "sim/util/mem.h"

/* ---- a test back-end: memory underneath; asynchronous, out of order, or corrupting ---- */

#define WRAP_SLOW_NS 200000ull /* test-slow: 200 us a request */

typedef struct wrap {
    ts_backend_t base;
    ts_backend_t *mem;
    ts_be_io_t *q[3];
    uint64_t due[3]; /* test-slow: when each request in q ends */
    int n;
} wrap_t;

static const ts_backend_ops_t k_wrap_async, k_wrap_corrupt, k_wrap_slow;

static int wrap_open(const ts_backend_ops_t *ops, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                     ts_err_t *err)
{
    wrap_t *w = ts_calloc(1, sizeof(*w));
    assert_non_null(w);
    w->base.ops = ops;
    int rc = ts_backend_open_kv(&ts_backend_memory, NULL, NULL, 0, ctx, &w->mem, err);
    assert_int_equal(rc, 0);
    *out = &w->base;
    return 0;
}

static int wrap_open_async(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                           ts_err_t *err)
{
    (void)params;
    return wrap_open(&k_wrap_async, ctx, out, err);
}

static int wrap_open_corrupt(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                             ts_err_t *err)
{
    (void)params;
    return wrap_open(&k_wrap_corrupt, ctx, out, err);
}

static int wrap_open_slow(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                          ts_err_t *err)
{
    (void)params;
    return wrap_open(&k_wrap_slow, ctx, out, err);
}

/* Set after g_stop_after submits to the asynchronous test back-end (0: never). */
static volatile sig_atomic_t g_stop;
static unsigned g_stop_after, g_submits;

static int wrap_submit(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err)
{
    wrap_t *w = (wrap_t *)b;
    if (g_stop_after && ++g_submits == g_stop_after)
        g_stop = SIGTERM;
    if (b->ops == &k_wrap_corrupt) {
        int rc = ts_backend_do(w->mem, io, err);
        if (rc == 0 && io->op == TS_BE_READ && io->key == 3 && io->size > 100)
            ((uint8_t *)io->buf)[100] ^= 1;
        return TS_BE_DONE;
    }
    if (w->n == 3)
        return TS_BE_BUSY;
    w->due[w->n] = ts_backend_now_ns() + WRAP_SLOW_NS;
    w->q[w->n++] = io;
    return TS_BE_QUEUED;
}

/* test-slow: each request ends WRAP_SLOW_NS after its submit, in submit order. */
static int wrap_poll_slow(ts_backend_t *b, ts_be_io_t **done, int max, uint64_t wait_ns,
                          ts_err_t *err)
{
    wrap_t *w = (wrap_t *)b;
    uint64_t now = ts_backend_now_ns();
    if (w->n && w->due[0] > now && wait_ns >= w->due[0] - now) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(w->due[0] - now)};
        nanosleep(&ts, NULL);
        now = ts_backend_now_ns();
    }
    int k = 0;
    while (k < w->n && k < max && w->due[k] <= now) {
        ts_backend_do(w->mem, w->q[k], err);
        done[k] = w->q[k];
        k++;
    }
    memmove(w->q, w->q + k, (size_t)(w->n - k) * sizeof(w->q[0]));
    memmove(w->due, w->due + k, (size_t)(w->n - k) * sizeof(w->due[0]));
    w->n -= k;
    return k;
}

static int wrap_poll(ts_backend_t *b, ts_be_io_t **done, int max, uint64_t wait_ns, ts_err_t *err)
{
    (void)wait_ns;
    wrap_t *w = (wrap_t *)b;
    int k = 0;
    while (w->n && k < max) { /* newest first: out of order */
        ts_be_io_t *io = w->q[--w->n];
        ts_backend_do(w->mem, io, err);
        done[k++] = io;
    }
    return k;
}

static void wrap_stats(const ts_backend_t *b, ts_backend_stats_t *out)
{
    const wrap_t *w = (const wrap_t *)b;
    w->mem->ops->stats(w->mem, out);
}

static void wrap_close(ts_backend_t *b)
{
    wrap_t *w = (wrap_t *)b;
    if (!w)
        return;
    w->mem->ops->close(w->mem);
    ts_free(w);
}

/* The test back-ends differ in name, flags, open and poll only. */
#define WRAP_OPS(name_, flags_, open_, poll_)                                                  \
    {.base = {.kind = TS_PLUGIN_BACKEND, .name = name_, .flags = flags_},                      \
     .open = open_,                                                                            \
     .submit = wrap_submit,                                                                    \
     .poll = poll_,                                                                            \
     .stats = wrap_stats,                                                                      \
     .close = wrap_close}

static const ts_backend_ops_t k_wrap_async =
    WRAP_OPS("test-async", TS_BACKEND_ASYNC, wrap_open_async, wrap_poll);
static const ts_backend_ops_t k_wrap_slow =
    WRAP_OPS("test-slow", TS_BACKEND_ASYNC, wrap_open_slow, wrap_poll_slow);
static const ts_backend_ops_t k_wrap_corrupt =
    WRAP_OPS("test-corrupt", 0, wrap_open_corrupt, NULL);

#endif
