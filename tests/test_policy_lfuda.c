/* SPDX-License-Identifier: MIT */
/*
 * test_policy_lfuda.c - LFUDA traced by hand with capacity 3: priority K = L + freq, L the
 * last victim's K; ties to the least recently accessed. Aging evicts an object that was
 * popular earlier, which in-cache LFU keeps.
 */
#include "policy_trace.h"

static void test_policy_lfuda_hand_trace(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("lfuda", 3, NULL, 0);
    char got[32], set[8];
    /* K(X) at time t of its last access, L = 0 at start.
     *  1 A m K1 t1   2 B m K1 t2   3 C m K1 t3
     *  4 A H K2 t4   5 A H K3 t5   6 B H K2 t6
     *  7 D m: min K: C (1) leaves, L = 1; D: K = 1 + 1 = 2 t7
     *  8 E m: B (2, t6) and D (2, t7): B leaves (older), L = 2; E: K3 t8
     *  9 F m: D (2) leaves, L = 2; F: K3 t9
     * 10 G m: A, E, F all 3: A (t5) leaves, L = 3; G: K4 t10 */
    assert_string_equal(pt_run(t, "ABCAABDEFG", got), "mmmHHHmmmm");
    assert_string_equal(pt_content(t, set), "EFG");
    /* 11 E H: freq 2, K = L + 2 = 5 t11
     * 12 H m: F (3) leaves, L = 3; H: K4 t12 */
    assert_string_equal(pt_run(t, "EH", got), "Hm");
    assert_string_equal(pt_content(t, set), "EGH");
    ts_tier_destroy(t);
    /* In-cache LFU keeps A (3 requests) through requests 7-10 and evicts by count. */
    t = pt_tier("lfu", 3, NULL, 0);
    assert_string_equal(pt_run(t, "ABCAABDEFG", got), "mmmHHHmmmm");
    assert_string_equal(pt_content(t, set), "ABG");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_lfuda_hand_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
