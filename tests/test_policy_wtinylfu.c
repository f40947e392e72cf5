/* SPDX-License-Identifier: MIT */
/*
 * test_policy_wtinylfu.c - W-TinyLFU traced by hand with c = 4, window_ratio = 25% (a
 * window of w = 1, a main cache of m = 3, a protected segment of at most 2): the window's
 * overflow fills the main cache while it has room, then meets probation's tail, and the
 * more frequent of the two stays (a tie keeps the main cache's); a probation hit moves to
 * protected, whose overflow goes back to probation. Counts are exact (15 requests, no
 * halving before 10c = 40, and the sketch's 16 columns hold the 8 keys without a key's
 * four counters all shared).
 */
#include "policy_trace.h"

static void test_policy_wtinylfu_admission(void **state)
{
    (void)state;
    static const char *const kv[] = {"window_ratio", "25%"};
    ts_tier_t *t = pt_tier("wtinylfu", 4, kv, 1);
    char got[24], set[8];
    /* W window, A probation, P protected; heads first; (n) the key's count so far.
     *  1-4 A B C D m: all in W                   W [D C B A]
     *  5 E m (1): W + 1 > 1: A, B, C move to A while the main cache has room; then D (1)
     *        against A's tail A (1): not more frequent, D leaves
     *                                             W [E]  A [C B A] */
    assert_string_equal(pt_run(t, "ABCDE", got), "mmmmm");
    assert_string_equal(pt_content(t, set), "ABCE");
    /*  6 A H (2): probation hit -> P             W [E]  A [C B]  P [A]
     *  7 D m (2): E (1) against B (1): E leaves   W [D]
     *  8 F m (1): D (2) against B (1): B leaves, D to A
     *                                             W [F]  A [D C]  P [A] */
    assert_string_equal(pt_run(t, "ADF", got), "Hmm");
    assert_string_equal(pt_content(t, set), "ACDF");
    /*  9 C H (2): to P                            A [D]  P [C A]
     * 10 D H (3): to P, which holds 3 > 2: its tail A goes back to A
     *                                             A [A]  P [D C]
     * 11 G m (1): F (1) against A (2): F leaves   W [G] */
    assert_string_equal(pt_run(t, "CDG", got), "HHm");
    assert_string_equal(pt_content(t, set), "ACDG");
    /* 12 E m (2): G (1) against A (2): G leaves   W [E]
     * 13 H m (1): E (2) against A (2): a tie keeps A, E leaves
     * 14 E m (3): H (1) against A: H leaves       W [E]
     * 15 B m (2): E (3) against A (2): A leaves, E to A
     *                                             W [B]  A [E]  P [D C] */
    assert_string_equal(pt_run(t, "EHEB", got), "mmmm");
    assert_string_equal(pt_content(t, set), "BCDE");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_wtinylfu_admission),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
