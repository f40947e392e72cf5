/* SPDX-License-Identifier: MIT */
/*
 * test_trace_twitter.c - Twitter cache traces: hand lines to exact requests, every
 * operation's mapping, the size choice, a zstd-compressed copy, and errors naming the line.
 */
#include <zstd.h>

#include "sim/util/text.h"
#include "trace_test.h"

static ts_reader_t *open_twr(const char *path, const char *size, ts_err_t *err)
{
    const char *names[] = {"size"};
    const char *values[] = {size};
    return trace_test_open("twitter", path, names, values, size ? 1 : 0, err);
}

static const char k_lines[] =
    "0,key-a,10,90,7,get,0\n"
    "1,12345,4,100,7,gets,0\n"
    "# a comment\n"
    "2,key-a,10,200,8,set,3600\n"
    "3,key-b,6,0,9,add,0\n"
    "3,key-b,6,1,9,replace,0\n"
    "4,key-b,6,1,9,cas,0\n"
    "5,key-b,6,2,9,append,0\n"
    "6,key-b,6,2,9,prepend,0\n"
    "7,key-b,6,2,9,incr,0\n"
    "8,key-b,6,2,9,decr,0\n"
    "9,key-a,10,0,client-x,delete,0\n";

static const uint8_t k_ops[] = {TS_OP_GET, TS_OP_GET, TS_OP_PUT, TS_OP_PUT, TS_OP_PUT, TS_OP_PUT,
                                TS_OP_PUT, TS_OP_PUT, TS_OP_PUT, TS_OP_PUT, TS_OP_DELETE};
static const uint64_t k_times[] = {0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9};
static const uint64_t k_vsize[] = {90, 100, 200, 0, 1, 1, 2, 2, 2, 2, 0};
static const uint64_t k_ksize[] = {10, 4, 10, 6, 6, 6, 6, 6, 6, 6, 10};

static void check_all(ts_reader_t *r, bool value_only)
{
    ts_err_t err = {0};
    ts_req_t q;
    for (size_t i = 0; i < sizeof(k_ops); i++) {
        assert_int_equal(ts_reader_next(r, &q, &err), 1);
        assert_int_equal(q.op, k_ops[i]);
        /* the set at 2 s has a TTL of 3600 s: its request carries it in ns */
        assert_int_equal(q.flags, i == 2 ? TS_REQ_TTL : 0);
        assert_true(q.idle_ns == (i == 2 ? 3600000000000ull : 0));
        assert_true(q.time_ns == k_times[i] * 1000000000ull);
        assert_true(q.size_bytes == k_vsize[i] + (value_only ? 0 : k_ksize[i]));
    }
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
}

static void test_twitter_maps_every_field(void **state)
{
    (void)state;
    char path[400];
    trace_test_put("c.0", k_lines, sizeof(k_lines) - 1, path);
    ts_err_t err = {0};
    ts_reader_t *r = open_twr(path, NULL, &err);
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_true(q.key == ts_text_hash("key-a") && q.stream == 7);
    assert_int_equal(q.flags, 0); /* TTL 0: none */
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_true(q.key == 12345); /* a decimal key is the key itself */
    assert_int_equal(ts_reader_reset(r, &err), 0);
    check_all(r, false);
    ts_reader_close(r);
    r = open_twr(path, "value", &err);
    check_all(r, true);
    ts_reader_close(r);
}

static void test_twitter_reads_zstd(void **state)
{
    (void)state;
    size_t cap = ZSTD_compressBound(sizeof(k_lines));
    void *z = malloc(cap);
    size_t n = ZSTD_compress(z, cap, k_lines, sizeof(k_lines) - 1, 3);
    assert_false(ZSTD_isError(n));
    char path[400];
    trace_test_put("c.0.zst", z, n, path);
    ts_err_t err = {0};
    ts_reader_t *r = open_twr(path, NULL, &err);
    check_all(r, false);
    ts_reader_close(r);
    free(z);
}

static void test_twitter_errors_name_the_line(void **state)
{
    (void)state;
    static const trace_test_bad_t k_cases[] = {
        {"0,a,1,2,3,get,0\n1,a,1,2,3,fetch,0\n", ":2", "column 5 (operation)"},
        {"0,a,1,2,3,get\n", ":1", "expected 7 columns"},
        {"x,a,1,2,3,get,0\n", ":1", "column 0 (timestamp): expected whole seconds"},
        {"0,a,-1,2,3,get,0\n", ":1", "column 2 (key size)"},
        {"0,a,1,2.5,3,get,0\n", ":1", "column 3 (value size)"},
        {"0,a,1,2,3,set,1h\n", ":1", "column 6 (TTL): expected whole seconds"},
        {"0,\"a,1,2,3,get,0\n", ":1", "unterminated quote"},
    };
    trace_test_bad_cases("twitter", k_cases, sizeof(k_cases) / sizeof(k_cases[0]), NULL, NULL,
                         0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twitter_maps_every_field),
        cmocka_unit_test(test_twitter_reads_zstd),
        cmocka_unit_test(test_twitter_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, trace_test_setup, trace_test_teardown);
}
