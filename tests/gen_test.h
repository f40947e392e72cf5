/* SPDX-License-Identifier: MIT */
/*
 * gen_test.h - opening a generator by kind with a seed and "name=value" overrides, for the
 * generator tests (test_gen.c and the workload-model tests).
 */
#ifndef TS_TESTS_GEN_TEST_H
#define TS_TESTS_GEN_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/reader.h"
#include "sim/util/mem.h"
#include "workloads/gen.h"

#define GEN_TEST_MAX_KV 24

/* Opens generator kind with seed and n "name=value" strings. Returns the reader's code. */
static inline int gen_test_open(const char *kind, uint64_t seed, const char *const *kv,
                                size_t n, ts_reader_t **r, ts_err_t *err)
{
    const char *names[GEN_TEST_MAX_KV], *values[GEN_TEST_MAX_KV];
    char buf[GEN_TEST_MAX_KV][128];
    assert_true(n <= GEN_TEST_MAX_KV);
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], sizeof(buf[i]), "%s", kv[i]);
        char *eq = strchr(buf[i], '=');
        assert_non_null(eq);
        *eq = 0;
        names[i] = buf[i];
        values[i] = eq + 1;
    }
    const ts_reader_ops_t *ops = ts_gen_find(kind, err);
    assert_non_null(ops);
    ts_reader_ctx_t ctx = {seed, NULL};
    return ts_reader_open_kv(ops, names, values, n, &ctx, r, err);
}

/* The same, asserting success (the error is printed first when it fails). */
static inline ts_reader_t *gen_test_open_ok(const char *kind, uint64_t seed,
                                            const char *const *kv, size_t n)
{
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    int rc = gen_test_open(kind, seed, kv, n, &r, &err);
    if (rc)
        print_error("%s: %s\n", kind, err.msg);
    assert_int_equal(rc, 0);
    return r;
}

/* Opening kind with the n "name=value" strings fails with code, leaves no reader and says
 * msg in the error's message or place; what (a case's name) is printed first. */
static inline void gen_test_refused(const char *kind, const char *what, const char *const *kv,
                                    size_t n, int code, const char *msg)
{
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    int rc = gen_test_open(kind, 1, kv, n, &r, &err);
    print_message("case: %s -> %s: %s\n", what, err.where, err.msg);
    assert_int_equal(rc, code);
    assert_null(r);
    assert_true(strstr(err.msg, msg) || strstr(err.where, msg));
}

/* Failing the Nth allocation, N = 0, 1, ..., makes open return TS_ENOMEM with no reader until
 * it succeeds (after at least one). */
static inline void gen_test_open_oom(const char *kind, const char *const *kv, size_t n)
{
    for (long k = 0;; k++) {
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        ts_mem_fail_after(k);
        int rc = gen_test_open(kind, 1, kv, n, &r, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            assert_true(k > 0);
            ts_reader_close(r);
            return;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(r);
    }
}

#endif
