/* SPDX-License-Identifier: MIT */
/*
 * test_backend_directory.c - the "directory" live back-end (backends/directory.c) and its
 * timing model (backends/tbucket.c). The token bucket's end times are worked out by hand
 * (1 GB/s is one byte a nanosecond); the hand-traced sequence of test_backend_memory.c
 * gives the same results on object files named by key; a kept directory is served again
 * by the next open, with an interrupted write's temporary file removed; a directory or a
 * file at the path that this back-end did not make is refused and left as it was; the
 * stats say `emulated` exactly when a latency or a bandwidth is given, and a request then
 * takes at least the time the model gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend_test.h"
#include "backends/tbucket.h"
#include "file_test.h"
#include "scratch_test.h"

#define MS 1000000u /* ns */

/* 1 GB/s (one byte a ns), a 1 MB burst, 1 ms latency, from t = 10 s. */
static void test_backend_directory_tbucket(void **state)
{
    (void)state;
    const uint64_t t = 10000u * MS;
    ts_tbucket_t b = {.rate = 1000000000u, .burst = 1000000u};
    /* idle bucket, 4 MB: 1 ms latency, 1 MB from the burst at once, 3 MB at 1 B/ns: 4 ms */
    assert_int_equal(ts_tbucket_end(&b, t, MS, 4000000u), t + 4 * MS);
    /* asked at the same time, 1 MB: the first left the bucket empty at t + 4 ms, and 1 MB
     * takes 1 ms to come back: t + 5 ms */
    assert_int_equal(ts_tbucket_end(&b, t, MS, 1000000u), t + 5 * MS);
    /* 20 ms later the bucket is full again: 500 kB cost the latency alone */
    assert_int_equal(ts_tbucket_end(&b, t + 20 * MS, MS, 500000u), t + 21 * MS);
    /* at once 1 MB more: 500 kB left in the bucket, 500 kB at 1 B/ns: 0.5 ms after s */
    assert_int_equal(ts_tbucket_end(&b, t + 20 * MS, MS, 1000000u), t + 21 * MS + 500000u);
    /* no burst, 250 MB/s (4 ns a byte), no latency: 1000 bytes take 4000 ns, and the next
     * 1000 asked at the same time end 4000 ns later */
    ts_tbucket_t strict = {.rate = 250000000u};
    assert_int_equal(ts_tbucket_end(&strict, t, 0, 1000), t + 4000);
    assert_int_equal(ts_tbucket_end(&strict, t, 0, 1000), t + 8000);
    /* rounded up to whole ns: 1 byte at 3 B/s is 333,333,333.3 ns -> 333,333,334 */
    ts_tbucket_t slow = {.rate = 3};
    assert_int_equal(ts_tbucket_end(&slow, t, 0, 1), t + 333333334u);
    /* no rate: the latency alone, whatever the bytes */
    ts_tbucket_t none = {0};
    assert_int_equal(ts_tbucket_end(&none, t, 7 * MS, UINT64_MAX), t + 7 * MS);
    /* 2^64 - 1 bytes at 1 B/s saturate instead of wrapping */
    ts_tbucket_t huge = {.rate = 1};
    assert_int_equal(ts_tbucket_end(&huge, t, 0, UINT64_MAX), UINT64_MAX);
}

/* Opens the back-end on <dir>/store with the name=value pairs of kv (NULL-terminated). */
static ts_backend_t *open_dir(const char *dir, uint64_t capacity, const char *const *kv,
                              ts_err_t *err)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/store", dir);
    const ts_backend_ctx_t ctx = {.tier = "s3", .capacity = capacity, .scratch = dir};
    const char *names[8] = {"path"}, *values[8] = {path};
    size_t n = 1;
    for (; kv && kv[2 * (n - 1)] && n < 8; n++) {
        names[n] = kv[2 * (n - 1)];
        values[n] = kv[2 * (n - 1) + 1];
    }
    ts_backend_t *b = NULL;
    ts_err_clear(err);
    if (ts_backend_open_kv(&ts_backend_directory, names, values, n, &ctx, &b, err) != 0)
        return NULL;
    return b;
}

/* The sequence of backend_test.h on a 10,000-byte tier, in files named by key: reserved is
 * the bytes (the file system's rounding is its own); key 2's file holds its 100 bytes, key
 * 1's is gone; the marker is there; the directory is removed at close. */
static void test_backend_directory_hand_traced(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    ts_backend_t *b = open_dir(dir, 10000, NULL, &err);
    if (!b)
        fail_msg("open: %s", err.msg);
    ts_backend_stats_t st;
    be_hand_traced(b, "s3", &st);
    assert_int_equal(st.reserved, 4196);
    assert_false(st.emulated);
    char path[1024];
    snprintf(path, sizeof(path), "%s/store/0000000000000002", dir);
    size_t n = 0;
    char *text = file_test_slurp(path, &n);
    assert_non_null(text);
    assert_int_equal(n, 100);
    assert_int_equal(text[0], 'B');
    free(text);
    snprintf(path, sizeof(path), "%s/store/0000000000000001", dir);
    assert_int_equal(access(path, F_OK), -1); /* freed */
    snprintf(path, sizeof(path), "%s/store/.tiersim-live-directory", dir);
    text = file_test_slurp(path, &n);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "TIERSIM-LIVE-DIRECTORY 1\n", 25), 0);
    free(text);
    b->ops->close(b);
    snprintf(path, sizeof(path), "%s/store", dir);
    assert_int_equal(access(path, F_OK), -1); /* removed: not kept */
}

/* keep: true leaves the objects; the next open serves them again and removes the temporary
 * file of a write that did not finish; without keep it removes them all. */
static void test_backend_directory_keep(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    const char *keep[] = {"keep", "true", NULL};
    ts_backend_t *b = open_dir(dir, 0, keep, &err); /* capacity 0: no limit */
    assert_non_null(b);
    char data[300], got[300];
    for (int i = 0; i < 300; i++)
        data[i] = (char)(i * 7);
    assert_int_equal(be_io(b, TS_BE_WRITE, 0xabcdef0123456789u, data, 300, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 5, data, 10, &err), 0);
    b->ops->close(b);
    char path[1024];
    snprintf(path, sizeof(path), "%s/store/.0000000000000009.tmp", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    b = open_dir(dir, 0, NULL, &err);
    if (!b)
        fail_msg("reopen: %s", err.msg);
    assert_int_equal(access(path, F_OK), -1);
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_int_equal(st.objects, 2);
    assert_int_equal(st.bytes, 310);
    assert_int_equal(be_io(b, TS_BE_READ, 0xabcdef0123456789u, got, 300, &err), 0);
    assert_memory_equal(got, data, 300);
    assert_int_equal(be_io(b, TS_BE_READ, 5, got, 10, &err), 0);
    b->ops->close(b);
    snprintf(path, sizeof(path), "%s/store", dir);
    assert_int_equal(access(path, F_OK), -1);
}

/* A directory of the user's at the path, and a file, are refused and left as they were. */
static void test_backend_directory_refusals(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    char path[1024], inner[1100];
    snprintf(path, sizeof(path), "%s/store", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(inner, sizeof(inner), "%s/0000000000000001", path);
    FILE *f = fopen(inner, "w");
    assert_non_null(f);
    fputs("the user's own data\n", f);
    assert_int_equal(fclose(f), 0);
    assert_null(open_dir(dir, 8192, NULL, &err));
    assert_int_equal(err.code, TS_EIO);
    assert_non_null(strstr(err.msg, "exists and was not made by tiersim's live mode; refusing "
                                    "to touch it"));
    size_t n = 0;
    char *text = file_test_slurp(inner, &n);
    assert_non_null(text);
    assert_string_equal(text, "the user's own data\n");
    free(text);
    assert_int_equal(scratch_count(path, NULL), 1);
    assert_int_equal(unlink(inner), 0);
    assert_int_equal(rmdir(path), 0);
    f = fopen(path, "w"); /* a file where the directory would be */
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    assert_null(open_dir(dir, 8192, NULL, &err));
    assert_non_null(strstr(err.msg, "refusing to touch it"));
    const ts_backend_ctx_t nowhere = {.tier = "s3", .capacity = 8192};
    ts_backend_t *b = NULL;
    ts_err_clear(&err);
    assert_int_equal(ts_backend_open_kv(&ts_backend_directory, NULL, NULL, 0, &nowhere, &b, &err),
                     TS_EINVAL);
    assert_non_null(strstr(err.msg, "no path, and no scratch directory"));
}

/* latency 20 ms: a read of 1 kB takes 20 ms at least; bandwidth 100 MB/s with no burst: a
 * write of 1 MB takes 1e6 / 1e8 s = 10 ms at least, and two 20 ms. Stats say emulated. */
static void test_backend_directory_emulated(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    const char *lat[] = {"latency", "20ms", NULL};
    ts_backend_t *b = open_dir(dir, 0, lat, &err);
    assert_non_null(b);
    static char buf[1000000];
    assert_int_equal(be_io(b, TS_BE_WRITE, 1, buf, 1000, &err), 0);
    uint64_t t0 = ts_backend_now_ns();
    assert_int_equal(be_io(b, TS_BE_READ, 1, buf, 1000, &err), 0);
    assert_true(ts_backend_now_ns() - t0 >= 20 * MS);
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_true(st.emulated);
    b->ops->close(b);
    const char *bw[] = {"bandwidth", "100MB/s", NULL};
    b = open_dir(dir, 0, bw, &err);
    assert_non_null(b);
    t0 = ts_backend_now_ns();
    assert_int_equal(be_io(b, TS_BE_WRITE, 1, buf, sizeof(buf), &err), 0);
    assert_true(ts_backend_now_ns() - t0 >= 10 * MS);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, buf, sizeof(buf), &err), 0);
    assert_true(ts_backend_now_ns() - t0 >= 20 * MS);
    b->ops->stats(b, &st);
    assert_true(st.emulated);
    b->ops->close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend_directory_tbucket),
        cmocka_unit_test_setup_teardown(test_backend_directory_hand_traced, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_directory_keep, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_directory_refusals, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_directory_emulated, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
