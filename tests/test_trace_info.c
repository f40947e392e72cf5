/* SPDX-License-Identifier: MIT */
/*
 * test_trace_info.c - trace statistics: exact counts, distinct keys, footprint, span, op mix
 * and percentiles on a hand-made trace; the reservoir's accuracy on a long trace; a
 * generator as input; error propagation and TS_ENOMEM from every allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/mem.h"
#include "traces/info.h"
#include "workloads/gen.h"

/* ---- a reader over a function of the request index ---- */

typedef struct fn_reader {
    ts_reader_t base;
    uint64_t i, n, fail_at;            /* next index, count, index that fails (or n) */
    void (*make)(uint64_t i, ts_req_t *q);
} fn_reader_t;

static int fn_next(ts_reader_t *r, ts_req_t *q, ts_err_t *err)
{
    fn_reader_t *f = (fn_reader_t *)r;
    if (f->i == f->fail_at)
        return ts_err_set(err, TS_EIO, "boom at %llu", (unsigned long long)f->i);
    if (f->i >= f->n)
        return 0;
    memset(q, 0, sizeof(*q));
    f->make(f->i++, q);
    return 1;
}

static int fn_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    ((fn_reader_t *)r)->i = 0;
    return 0;
}

static void fn_close(ts_reader_t *r)
{
    (void)r;
}

static const ts_reader_ops_t k_fn_ops = {
    .base = {.abi = TS_PLUGIN_ABI, .kind = TS_PLUGIN_FORMAT, .name = "fn", .summary = "test"},
    .next = fn_next,
    .reset = fn_reset,
    .close = fn_close,
};

static void make_hand(uint64_t i, ts_req_t *q)
{
    static const ts_req_t k[] = {
        {100, 1, 100, 0, 0, TS_OP_GET, 0, 0, 0},   {200, 2, 300, 0, 0, TS_OP_PUT, 0, 0, 0},
        {300, 1, 500, 0, 0, TS_OP_GET, 0, 0, 0},   {250, 3, 200, 0, 0, TS_OP_DELETE, 0, 0, 0},
        {1000, 2, 900, 0, 0, TS_OP_GET, 0, 0, 0},
    };
    *q = k[i];
}

static void test_info_hand_trace(void **state)
{
    (void)state;
    fn_reader_t fr = {{&k_fn_ops}, 0, 5, UINT64_MAX, make_hand};
    ts_trace_stats_t st;
    ts_err_t err = {0};
    assert_int_equal(ts_trace_stats(&fr.base, &st, &err), 0);
    assert_int_equal(st.n_requests, 5);
    assert_int_equal(st.n_keys, 3);
    assert_int_equal(st.footprint_bytes, 100 + 300 + 200); /* first-seen sizes */
    assert_int_equal(st.requested_bytes, 2000);
    assert_int_equal(st.first_ns, 100);
    assert_int_equal(st.last_ns, 1000);
    assert_int_equal(st.span_ns, 900);
    assert_int_equal(st.n_time_backwards, 1);
    assert_int_equal(st.n_ops[TS_OP_GET], 3);
    assert_int_equal(st.n_ops[TS_OP_PUT], 1);
    assert_int_equal(st.n_ops[TS_OP_DELETE], 1);
    assert_int_equal(st.size_min_bytes, 100);
    assert_int_equal(st.size_max_bytes, 900);
    assert_true(st.size_mean_bytes == 400.0);
    /* Sorted sizes 100 200 300 500 900; quantile f at rank (n - 1) f, interpolated:
     * p50 = x[2] = 300; p90 = x[3] + 0.6 (x[4] - x[3]) = 740; p99 = 500 + 0.96 * 400 = 884. */
    assert_true(st.size_p50_bytes == 300.0);
    assert_true(fabs(st.size_p90_bytes - 740.0) < 1e-9);
    assert_true(fabs(st.size_p99_bytes - 884.0) < 1e-9);
    assert_true(st.is_size_exact);
    assert_int_equal(st.n_size_samples, 5);
}

static void test_info_empty_trace(void **state)
{
    (void)state;
    fn_reader_t fr = {{&k_fn_ops}, 0, 0, UINT64_MAX, make_hand};
    ts_trace_stats_t st;
    ts_err_t err = {0};
    assert_int_equal(ts_trace_stats(&fr.base, &st, &err), 0);
    assert_int_equal(st.n_requests, 0);
    assert_int_equal(st.n_keys, 0);
    assert_int_equal(st.span_ns, 0);
    assert_true(st.size_p99_bytes == 0);
    assert_true(st.is_size_exact);
}

/* size = i mod 1000 (uniform on 0..999), key = i mod 5000, 200000 requests. */
static void make_long(uint64_t i, ts_req_t *q)
{
    q->time_ns = i * 10;
    q->key = i % 5000;
    q->size_bytes = i % 1000;
    q->op = i % 4 == 0 ? TS_OP_PUT : TS_OP_GET;
}

static void test_info_reservoir_accuracy(void **state)
{
    (void)state;
    fn_reader_t fr = {{&k_fn_ops}, 0, 200000, UINT64_MAX, make_long};
    ts_trace_stats_t st;
    ts_err_t err = {0};
    assert_int_equal(ts_trace_stats(&fr.base, &st, &err), 0);
    assert_int_equal(st.n_requests, 200000);
    assert_int_equal(st.n_keys, 5000);
    /* key k is first seen at i = k, with size k mod 1000: 5 * (0 + ... + 999). */
    assert_int_equal(st.footprint_bytes, 5 * 499500);
    assert_int_equal(st.span_ns, 1999990);
    assert_int_equal(st.n_ops[TS_OP_PUT], 50000);
    assert_int_equal(st.size_min_bytes, 0);
    assert_int_equal(st.size_max_bytes, 999);
    assert_true(st.size_mean_bytes == 499.5);
    assert_false(st.is_size_exact);
    assert_int_equal(st.n_size_samples, TS_TRACE_STATS_SAMPLE);
    /* True quantiles 499.5, 899.1, 989.01; the sample's rank sd is sqrt(p(1-p)/65536)
     * (0.0020, 0.0012, 0.0004), i.e. 2.0, 1.2 and 0.4 sizes: allow 5 sd. */
    assert_true(fabs(st.size_p50_bytes - 499.5) < 10);
    assert_true(fabs(st.size_p90_bytes - 899.1) < 6);
    assert_true(fabs(st.size_p99_bytes - 989.0) < 2.5);
}

static void test_info_over_a_generator(void **state)
{
    (void)state;
    ts_err_t err = {0};
    const char *names[] = {"requests", "keys", "interarrival", "size"};
    const char *values[] = {"5000", "1000", "1us", "4KiB"};
    ts_reader_t *r = NULL;
    ts_reader_ctx_t ctx = {7, NULL};
    assert_int_equal(ts_reader_open_kv(ts_gen_find("loop", &err), names, values, 4, &ctx, &r,
                                       &err),
                     0);
    ts_trace_stats_t st;
    assert_int_equal(ts_trace_stats(r, &st, &err), 0);
    assert_int_equal(st.n_requests, 5000);
    assert_int_equal(st.n_keys, 1000);
    assert_int_equal(st.footprint_bytes, 1000 * 4096);
    assert_int_equal(st.span_ns, 4999 * 1000);
    assert_true(st.size_p50_bytes == 4096);
    ts_reader_close(r);
}

static void test_info_reader_error_propagates(void **state)
{
    (void)state;
    fn_reader_t fr = {{&k_fn_ops}, 0, 5, 3, make_hand};
    ts_trace_stats_t st;
    ts_err_t err = {0};
    assert_int_equal(ts_trace_stats(&fr.base, &st, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "boom at 3"));
    assert_int_equal(st.n_requests, 0);
}

static void make_bad_op(uint64_t i, ts_req_t *q)
{
    q->key = i;
    q->op = i == 2 ? 7 : TS_OP_GET;
}

static void test_info_bad_op(void **state)
{
    (void)state;
    fn_reader_t fr = {{&k_fn_ops}, 0, 5, UINT64_MAX, make_bad_op};
    ts_trace_stats_t st;
    ts_err_t err = {0};
    assert_int_equal(ts_trace_stats(&fr.base, &st, &err), TS_EFORMAT);
    assert_non_null(strstr(err.msg, "request 2 has op 7"));
}

static void test_info_oom(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        fn_reader_t fr = {{&k_fn_ops}, 0, 5000, UINT64_MAX, make_long};
        ts_trace_stats_t st;
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = ts_trace_stats(&fr.base, &st, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            assert_true(n > 0);
            assert_int_equal(st.n_keys, 5000);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_int_equal(st.n_requests, 0);
        assert_true(n < 100);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_hand_trace),
        cmocka_unit_test(test_info_empty_trace),
        cmocka_unit_test(test_info_reservoir_accuracy),
        cmocka_unit_test(test_info_over_a_generator),
        cmocka_unit_test(test_info_reader_error_propagates),
        cmocka_unit_test(test_info_bad_op),
        cmocka_unit_test(test_info_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
