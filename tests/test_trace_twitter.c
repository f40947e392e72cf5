/* SPDX-License-Identifier: MIT */
/*
 * test_trace_twitter.c - Twitter cache traces: hand lines to exact requests, every
 * operation's mapping, the size choice, a zstd-compressed copy, and errors naming the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include <cmocka.h>

#include "traces/text_internal.h"
#include "traces/trace.h"

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof(g_dir), "%s/twitter-XXXXXX", TS_BINARY_DIR);
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, const void *data, size_t n, char *path)
{
    snprintf(path, 400, "%s/%s", g_dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

static ts_reader_t *open_twr(const char *path, const char *size, ts_err_t *err)
{
    const char *names[] = {"path", "size"};
    const char *values[] = {path, size};
    ts_reader_t *r = NULL;
    const ts_trace_format_t *f = ts_trace_find("twitter", err);
    assert_non_null(f);
    assert_int_equal(ts_reader_open_kv(f->reader, names, values, size ? 2 : 1, NULL, &r, err),
                     0);
    return r;
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
        assert_true(q.time_ns == k_times[i] * 1000000000ull);
        assert_true(q.size_bytes == k_vsize[i] + (value_only ? 0 : k_ksize[i]));
    }
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
}

static void test_twitter_maps_every_field(void **state)
{
    (void)state;
    char path[400];
    put("c.0", k_lines, sizeof(k_lines) - 1, path);
    ts_err_t err = {0};
    ts_reader_t *r = open_twr(path, NULL, &err);
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_true(q.key == ts__text_hash("key-a") && q.stream == 7);
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
    put("c.0.zst", z, n, path);
    ts_err_t err = {0};
    ts_reader_t *r = open_twr(path, NULL, &err);
    check_all(r, false);
    ts_reader_close(r);
    free(z);
}

static void test_twitter_errors_name_the_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *where;
        const char *msg;
    } k_cases[] = {
        {"0,a,1,2,3,get,0\n1,a,1,2,3,fetch,0\n", ":2", "column 5 (operation)"},
        {"0,a,1,2,3,get\n", ":1", "expected 7 columns"},
        {"x,a,1,2,3,get,0\n", ":1", "column 0 (timestamp): expected whole seconds"},
        {"0,a,-1,2,3,get,0\n", ":1", "column 2 (key size)"},
        {"0,a,1,2.5,3,get,0\n", ":1", "column 3 (value size)"},
        {"0,\"a,1,2,3,get,0\n", ":1", "unterminated quote"},
    };
    for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
        char path[400];
        put("bad", k_cases[i].text, strlen(k_cases[i].text), path);
        ts_err_t err = {0};
        ts_reader_t *r = open_twr(path, NULL, &err);
        ts_req_t q;
        int rc;
        while ((rc = ts_reader_next(r, &q, &err)) == 1)
            ;
        if (rc != TS_EFORMAT || !strstr(err.where, k_cases[i].where) ||
            !strstr(err.msg, k_cases[i].msg))
            fail_msg("case %zu: rc %d where '%s' msg '%s'", i, rc, err.where, err.msg);
        ts_reader_close(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twitter_maps_every_field),
        cmocka_unit_test(test_twitter_reads_zstd),
        cmocka_unit_test(test_twitter_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
