/* SPDX-License-Identifier: MIT */
/*
 * test_policy_sieve.c - SIEVE traced by hand: the hand clears visited bits on its way from
 * the tail towards the head, evicts in place, and stays where it stopped between evictions.
 */
#include "policy_trace.h"

static void test_policy_sieve_hand(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("sieve", 3, NULL, 0);
    char got[16], set[8];
    /* Queue newest..oldest; * = visited; ^ = the hand (unset: start at the oldest).
     *  1 A m [A]   2 B m [B A]   3 C m [C B A]   4 A H [C B A*]
     *  5 D m: hand unset -> A* cleared, on to B: unvisited, evicted; hand -> C
     *         [D C^ A]
     *  6 E m: hand at C: unvisited, evicted; hand -> D        [E D^ A]
     *         (a hand restarting at the oldest would have taken A) */
    assert_string_equal(pt_run(t, "ABCADE", got), "mmmHmm");
    assert_string_equal(pt_content(t, set), "ADE");
    /*  7 A H [E D^ A*]
     *  8 C m: hand at D: evicted; hand -> E                    [C E^ A*]
     *  9 E H [C E*^ A*]
     * 10 B m: E* cleared, on to C: evicted; C was the newest, hand unset  [B E A*]
     * 11 C m: from the oldest: A* cleared, on to E: evicted; hand -> B    [C B^ A]
     * 12 E m: hand at B: evicted; hand -> C                   [E C^ A]
     * 13 A H: A kept its place throughout */
    assert_string_equal(pt_run(t, "ACEBCEA", got), "HmHmmmH");
    assert_string_equal(pt_content(t, set), "ACE");
    ts_tier_destroy(t);
}

static void test_policy_sieve_remove_under_hand(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("sieve", 3, NULL, 0);
    char got[16], set[8];
    /* A B C m [C B A]; A H; D m: A cleared, B evicted, hand -> C  [D C^ A].
     * Removing C (under the hand) moves the hand to D: [D^ A].
     * E m: not full (2 of 3), no eviction                           [E D^ A]
     * F m: hand at D: evicted; hand -> E                            [F E^ A] */
    assert_string_equal(pt_run(t, "ABCAD", got), "mmmHm");
    assert_true(ts_tier_remove(t, 'C'));
    assert_false(ts_tier_remove(t, 'C'));
    assert_string_equal(pt_run(t, "EF", got), "mm");
    assert_string_equal(pt_content(t, set), "AEF");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_sieve_hand),
        cmocka_unit_test(test_policy_sieve_remove_under_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
