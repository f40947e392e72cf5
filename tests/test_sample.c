/* SPDX-License-Identifier: MIT */
/*
 * test_sample.c - sampling while reading: spatial sampling keeps every request of a kept
 * key and about rate of the keys (binomial bound), a window keeps exactly the requests
 * inside it, rate 1 changes nothing, and bad specs are refused.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/ktab.h"
#include "sim/memtrace.h"
#include "sim/sample.h"
#include "traces/trace.h"

enum { KEYS = 20000, REQS = 200000 };

/* Request i: key (i * 7919) mod KEYS, at time 1000 + i ns. */
static ts_memtrace_t *make_trace(void)
{
    ts_err_t err = {0};
    ts_memtrace_t *mt = NULL;
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    for (uint64_t i = 0; i < REQS; i++) {
        ts_req_t q = {.time_ns = 1000 + i, .key = (i * 7919) % KEYS, .size_bytes = 1,
                      .next_access = TS_REQ_NEVER};
        assert_int_equal(ts_memtrace_push(mt, &q, &err), 0);
    }
    return mt;
}

static ts_reader_t *open_sample(const ts_memtrace_t *mt, const ts_sample_spec_t *spec)
{
    ts_err_t err = {0};
    ts_reader_t *inner = NULL, *r = NULL;
    assert_int_equal(ts_memtrace_reader(mt, &inner, &err), 0);
    assert_int_equal(ts_sample_open(inner, spec, &r, &err), 0);
    return r;
}

static void test_sample_spatial_keeps_whole_keys(void **state)
{
    (void)state;
    ts_memtrace_t *mt = make_trace();
    ts_sample_spec_t spec = {.rate = 0.1, .salt = 42};
    ts_reader_t *r = open_sample(mt, &spec);
    bool *kept = calloc(KEYS, sizeof(bool));
    uint64_t *per_key = calloc(KEYS, sizeof(uint64_t));
    ts_err_t err = {0};
    ts_req_t q;
    uint64_t n = 0;
    while (ts_reader_next(r, &q, &err) == 1) {
        kept[q.key] = true;
        per_key[q.key]++;
        n++;
    }
    assert_int_equal(err.code, 0);
    /* every key appears REQS / KEYS = 10 times in the trace; a kept key keeps all 10 */
    uint64_t n_kept = 0;
    for (size_t k = 0; k < KEYS; k++) {
        if (!kept[k])
            continue;
        n_kept++;
        assert_int_equal(per_key[k], REQS / KEYS);
    }
    assert_int_equal(n, n_kept * (REQS / KEYS));
    /* kept keys ~ Binomial(KEYS, 0.1): mean 2000, sd sqrt(20000 * 0.1 * 0.9) = 42.4 */
    double sd = sqrt(KEYS * 0.1 * 0.9);
    assert_true(fabs((double)n_kept - KEYS * 0.1) < 5 * sd);
    /* the same salt keeps the same keys after a reset */
    assert_int_equal(ts_reader_reset(r, &err), 0);
    uint64_t again = 0;
    while (ts_reader_next(r, &q, &err) == 1) {
        assert_true(kept[q.key]);
        again++;
    }
    assert_int_equal(again, n);
    ts_reader_close(r);
    free(kept);
    free(per_key);
    ts_memtrace_destroy(mt);
}

/* The window [100 ns, 300 ns) from the first request keeps requests 100..299. */
static void test_sample_window_is_exact(void **state)
{
    (void)state;
    ts_memtrace_t *mt = make_trace();
    ts_sample_spec_t spec = {.rate = 1, .start_ns = 100, .end_ns = 300};
    ts_reader_t *r = open_sample(mt, &spec);
    ts_err_t err = {0};
    ts_req_t q;
    uint64_t i = 100;
    while (ts_reader_next(r, &q, &err) == 1) {
        assert_int_equal(q.time_ns, 1000 + i);
        i++;
    }
    assert_int_equal(i, 300);
    ts_reader_close(r);
    ts_memtrace_destroy(mt);
}

static void test_sample_all_changes_nothing(void **state)
{
    (void)state;
    ts_memtrace_t *mt = make_trace();
    ts_sample_spec_t spec = {.rate = 1};
    assert_true(ts_sample_is_all(&spec));
    ts_reader_t *r = open_sample(mt, &spec);
    ts_err_t err = {0};
    ts_req_t q;
    uint64_t i = 0;
    while (ts_reader_next(r, &q, &err) == 1) {
        assert_true(q.key == mt->reqs[i].key && q.time_ns == mt->reqs[i].time_ns);
        i++;
    }
    assert_int_equal(i, REQS);
    ts_reader_close(r);
    ts_memtrace_destroy(mt);
}

static void test_sample_refuses_bad_specs(void **state)
{
    (void)state;
    ts_memtrace_t *mt = make_trace();
    static const ts_sample_spec_t bad[] = {
        {.rate = 0}, {.rate = 1.5}, {.rate = 0.5, .start_ns = 10, .end_ns = 10}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ts_err_t err = {0};
        ts_reader_t *inner = NULL, *r = (ts_reader_t *)1;
        assert_int_equal(ts_memtrace_reader(mt, &inner, &err), 0);
        assert_int_equal(ts_sample_open(inner, &bad[i], &r, &err), TS_ERANGE);
        assert_null(r); /* inner is closed by the failed open */
    }
    ts_memtrace_destroy(mt);
}

/* Three malformed lines among five: with room for 3 they are passed over and counted, the
 * first one remembered; with room for 2 the third fails as the reader would. */
static void test_skipbad_passes_over_and_counts(void **state)
{
    (void)state;
    char path[400];
    snprintf(path, sizeof(path), "%s/skipbad.csv", TS_BINARY_DIR);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("0,1,10\nx,2,10\n2,3,10\n3,4,zz\n4,5,10\n5,6,-1\n", fp);
    fclose(fp);
    const ts_reader_ops_t *csv = ts_trace_find("csv", NULL);
    for (uint64_t room = 2; room <= 3; room++) {
        ts_err_t err = {0};
        ts_reader_t *inner = NULL, *r = NULL;
        assert_int_equal(ts_trace_open_path(csv, path, &inner, &err), 0);
        assert_int_equal(ts_skipbad_open(inner, room, &r, &err), 0);
        ts_req_t q;
        int rc, n = 0;
        while ((rc = ts_reader_next(r, &q, &err)) == 1)
            n++;
        const ts_err_t *first = NULL;
        uint64_t skipped = ts_skipbad_count(r, &first);
        if (room == 3) {
            assert_int_equal(rc, 0);
            assert_int_equal(n, 3);
            assert_int_equal(skipped, 3);
        } else {
            assert_int_equal(rc, TS_EFORMAT);
            assert_non_null(strstr(err.where, ":6"));
            assert_int_equal(skipped, 2);
        }
        assert_non_null(strstr(first->where, ":2"));
        ts_reader_close(r);
    }
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_spatial_keeps_whole_keys),
        cmocka_unit_test(test_sample_window_is_exact),
        cmocka_unit_test(test_sample_all_changes_nothing),
        cmocka_unit_test(test_sample_refuses_bad_specs),
        cmocka_unit_test(test_skipbad_passes_over_and_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
