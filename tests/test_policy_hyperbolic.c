/* SPDX-License-Identifier: MIT */
/*
 * test_policy_hyperbolic.c - Hyperbolic caching traced by hand with capacity 2: with 64
 * draws from 2 objects, both are drawn except with probability 2^-63, so each eviction
 * takes the lower rate freq / (now - t0) of the two. A new object's high rate lets it
 * push out an older, more requested one.
 */
#include "policy_trace.h"

static void test_policy_hyperbolic_hand_trace(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("hyperbolic", 2, NULL, 0);
    char got[16], set[8];
    /* now counts requests; X(freq, t0).
     *  1 A m A(1, 1)   2 B m B(1, 2)   3 A H A(2)   4 A H A(3)
     *  5 C m: A 3 / (5 - 1) = 0.75, B 1 / (5 - 2) = 0.33: B leaves; C(1, 5)
     *  6 D m: A 3 / 5 = 0.6, C 1 / 1 = 1: A leaves; D(1, 6) */
    assert_string_equal(pt_run(t, "ABAACD", got), "mmHHmm");
    assert_string_equal(pt_content(t, set), "CD");
    /*  7 C H C(2, 5)
     *  8 E m: C 2 / 3 = 0.67, D 1 / 2 = 0.5: D leaves */
    assert_string_equal(pt_run(t, "CE", got), "Hm");
    assert_string_equal(pt_content(t, set), "CE");
    ts_tier_destroy(t);
}

static void test_policy_hyperbolic_params(void **state)
{
    (void)state;
    ts_err_t err = {0};
    const ts_policy_ops_t *ops = ts_policy_find("hyperbolic", &err);
    assert_non_null(ops);
    static const char *const names[] = {"samples"};
    static const char *const bad[] = {"0"};
    ts_policy_init_t init = {.capacity = 4, .count_objects = true, .seed = 1};
    ts_policy_t *p = NULL;
    assert_int_not_equal(ts_policy_create_kv(ops, names, bad, 1, &init, &p, &err), 0);
    assert_null(p);
    assert_non_null(strstr(err.msg, "samples"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_hyperbolic_hand_trace),
        cmocka_unit_test(test_policy_hyperbolic_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
