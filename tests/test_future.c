/* SPDX-License-Identifier: MIT */
/*
 * test_future.c - the next-access pre-pass: a hand example, a trace that makes the map
 * grow, an empty trace, and out-of-memory handling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/future.h"
#include "sim/util/mem.h"

static void test_future_hand_example(void **state)
{
    (void)state;
    /* Index: 0:A 1:B 2:A 3:C 4:B 5:A 6:A. The next request to the same key:
     * A@0 -> 2, B@1 -> 4, A@2 -> 5, C@3 never, B@4 never, A@5 -> 6, A@6 never. */
    const char *keys = "ABACBAA";
    const uint64_t want[] = {2, 4, 5, TS_REQ_NEVER, TS_REQ_NEVER, 6, TS_REQ_NEVER};
    ts_req_t r[7];
    for (size_t i = 0; i < 7; i++)
        r[i] = (ts_req_t){.key = (uint64_t)keys[i], .next_access = 12345};
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(r, 7, &err), 0);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(r[i].next_access, want[i]);
}

static void test_future_cyclic_grows(void **state)
{
    (void)state;
    /* A loop over K distinct keys, L times: request i is followed by i + K, except in
     * the last round. K is larger than the map's first size, so it must grow. */
    enum { K = 5000, L = 3 };
    ts_req_t *r = test_malloc(sizeof(*r) * K * L);
    for (size_t i = 0; i < (size_t)K * L; i++)
        r[i] = (ts_req_t){.key = 1000003u * (i % K) + 7};
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(r, (size_t)K * L, &err), 0);
    for (size_t i = 0; i < (size_t)K * L; i++)
        assert_int_equal(r[i].next_access, i + K < (size_t)K * L ? i + K : TS_REQ_NEVER);
    test_free(r);
}

static void test_future_empty(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(NULL, 0, &err), 0);
    assert_int_equal(err.code, 0);
}

static void test_future_oom(void **state)
{
    (void)state;
    enum { N = 20000 };
    ts_req_t *r = test_malloc(sizeof(*r) * N);
    for (size_t i = 0; i < N; i++)
        r[i] = (ts_req_t){.key = i};
    /* The first allocation (the map) and then a growth fail in turn; then it succeeds. */
    for (long n = 0;; n++) {
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = ts_future_annotate(r, N, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
        assert_non_null(strstr(err.msg, "next-access map"));
        assert_true(n < 64);
    }
    for (size_t i = 0; i < N; i++)
        assert_int_equal(r[i].next_access, TS_REQ_NEVER);
    test_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_future_hand_example),
        cmocka_unit_test(test_future_cyclic_grows),
        cmocka_unit_test(test_future_empty),
        cmocka_unit_test(test_future_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
