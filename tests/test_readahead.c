/* SPDX-License-Identifier: MIT */
/*
 * test_readahead.c - the read-ahead reader gives exactly its inner reader's requests, in
 * order, through many rounds of its ring; an error at the same request with the same
 * message, after the requests before it; a reset starts over; closing it while its thread
 * waits on a full ring returns; and it is wanted only where it is safe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/readahead.h"
#include "traces/trace.h"
#include "workloads/gen.h"

static ts_reader_t *open_zipf(const char *requests)
{
    const char *names[] = {"requests", "keys"};
    const char *values[] = {requests, "5000"};
    ts_reader_ctx_t ctx = {.seed = 11};
    ts_reader_t *r = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_reader_open_kv(ts_gen_find("zipf", NULL), names, values, 2, &ctx, &r,
                                       &err),
                     0);
    return r;
}

/* 100,000 requests: 98 blocks of 1,024 through a ring of 8, in batches of 300 and one at a
 * time, equal to a second copy of the generator read directly; then the end, twice. */
static void test_readahead_gives_the_inner_requests(void **state)
{
    (void)state;
    ts_reader_t *inner = open_zipf("100000"), *twin = open_zipf("100000"), *ra = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_readahead_open(inner, &ra, &err), 0);
    ts_reader_info_t info;
    ts_reader_info(ra, &info);
    assert_int_equal(info.n_requests, 100000);
    ts_req_t batch[300], q;
    size_t got, total = 0;
    bool single = false;
    for (;;) {
        if (single) {
            int rc = ts_reader_next(ra, &batch[0], &err);
            assert_true(rc >= 0);
            got = (size_t)rc;
        } else {
            assert_int_equal(ts_reader_read(ra, batch, 300, &got, &err), 0);
        }
        if (got == 0)
            break;
        for (size_t k = 0; k < got; k++) {
            assert_int_equal(ts_reader_next(twin, &q, &err), 1);
            assert_memory_equal(&q, &batch[k], sizeof(q));
        }
        total += got;
        single = total > 50000 && total < 52000;
    }
    assert_int_equal(total, 100000);
    assert_int_equal(ts_reader_next(ra, &q, &err), 0);
    assert_int_equal(ts_reader_next(twin, &q, &err), 0);
    ts_reader_close(ra);
    ts_reader_close(inner);
    ts_reader_close(twin);
}

/* A CSV trace whose line 3000 is malformed (its size is no number): the 2,999 requests
 * before it, then the direct reader's error, word for word. */
static void test_readahead_error_at_the_same_request(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof(path), "%s/readahead-XXXXXX", TS_BINARY_DIR);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    for (int i = 0; i < 5000; i++)
        fprintf(fp, i == 2999 ? "%d,%d,big%d\n" : "%d,%d,%d\n", i, i % 77, 100);
    fclose(fp);
    const ts_reader_ops_t *csv = ts_trace_find("csv", NULL);
    const char *names[] = {"path"};
    const char *values[] = {path};
    ts_reader_t *inner = NULL, *twin = NULL, *ra = NULL;
    ts_err_t err = {0}, e1 = {0}, e2 = {0};
    assert_int_equal(ts_reader_open_kv(csv, names, values, 1, NULL, &inner, &err), 0);
    assert_int_equal(ts_reader_open_kv(csv, names, values, 1, NULL, &twin, &err), 0);
    assert_int_equal(ts_readahead_open(inner, &ra, &err), 0);
    ts_req_t q, r;
    size_t n = 0;
    int rc;
    while ((rc = ts_reader_next(ra, &q, &e1)) == 1) {
        assert_int_equal(ts_reader_next(twin, &r, &e2), 1);
        assert_memory_equal(&q, &r, sizeof(q));
        n++;
    }
    assert_int_equal(n, 2999);
    assert_true(rc < 0);
    assert_int_equal(ts_reader_next(twin, &r, &e2), rc);
    assert_string_equal(e1.where, e2.where);
    assert_string_equal(e1.msg, e2.msg);
    ts_reader_close(ra);
    ts_reader_close(inner);
    ts_reader_close(twin);
    unlink(path);
}

/* Reset after 20,000 of 30,000 requests, then all 30,000 from the first. Closing a reader
 * whose thread has filled its ring and waits returns. */
static void test_readahead_reset_and_close(void **state)
{
    (void)state;
    ts_reader_t *inner = open_zipf("30000"), *twin = open_zipf("30000"), *ra = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_readahead_open(inner, &ra, &err), 0);
    ts_req_t q, r;
    for (int i = 0; i < 20000; i++)
        assert_int_equal(ts_reader_next(ra, &q, &err), 1);
    assert_int_equal(ts_reader_reset(ra, &err), 0);
    size_t n = 0;
    while (ts_reader_next(ra, &q, &err) == 1) {
        assert_int_equal(ts_reader_next(twin, &r, &err), 1);
        assert_memory_equal(&q, &r, sizeof(q));
        n++;
    }
    assert_int_equal(n, 30000);
    ts_reader_close(ra);
    assert_int_equal(ts_reader_reset(inner, &err), 0);
    assert_int_equal(ts_readahead_open(inner, &ra, &err), 0);
    usleep(20000); /* the thread fills its ring and waits */
    assert_int_equal(ts_reader_next(ra, &q, &err), 1);
    ts_reader_close(ra);
    ts_reader_close(inner);
    ts_reader_close(twin);
}

/* Not for readers that count workload units (a training generator counts epochs), nor
 * for formats that must stay on one thread; a plain generator on a machine of two or more
 * CPUs is. */
static void test_readahead_wanted_only_where_safe(void **state)
{
    (void)state;
    ts_reader_t *zipf = open_zipf("10");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(ts_readahead_wanted(zipf, ts_gen_find("zipf", NULL)), cpus >= 2);
    const ts_reader_ops_t *training = ts_gen_find("training", NULL);
    assert_non_null(training->units);
    assert_false(ts_readahead_wanted(zipf, training));
    ts_reader_ops_t unsafe = *ts_gen_find("zipf", NULL);
    unsafe.base.flags |= TS_READER_NOT_THREAD_SAFE;
    assert_false(ts_readahead_wanted(zipf, &unsafe));
    ts_reader_close(zipf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readahead_gives_the_inner_requests),
        cmocka_unit_test(test_readahead_error_at_the_same_request),
        cmocka_unit_test(test_readahead_reset_and_close),
        cmocka_unit_test(test_readahead_wanted_only_where_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
