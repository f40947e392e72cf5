/* SPDX-License-Identifier: MIT */
/*
 * test_policy_car.c - CAR traced by hand with c = 2 following Figure 2 of the FAST'04
 * paper: a referenced object at T1's hand moves to T2, a hit only sets a bit (T2's hand
 * gives it a second chance), p adapts after replace, and both ghost trims (lines 5 and 6).
 */
#include "policy_trace.h"

static void test_policy_car_figure2(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("car", 2, NULL, 0);
    char got[16], set[8];
    /* Lists newest first, the hand at the right; * marks ref = 1; p starts at 0.
     *  1 A m                                    T1 [A]
     *  2 B m                                    T1 [B A]
     *  3 A H: ref(A) = 1                        T1 [B A*]
     *  4 C m: replace: |T1| = 2 >= max(1, p): A is referenced -> ref 0, to T2;
     *         |T1| = 1 >= 1: B -> B1. C new: |T1| + |B1| = 1 < c, directory 2 < 2c
     *                                           T1 [C]  T2 [A]  B1 [B] */
    assert_string_equal(pt_run(t, "ABAC", got), "mmHm");
    assert_string_equal(pt_content(t, set), "AC");
    /*  5 B m: replace first: |T1| = 1 >= 1: C -> B1; then the B1 hit: p = min(2, 0 +
     *         max(1, |B2| / |B1| = 0)) = 1; B to T2     T2 [B A]  B1 [C]
     *         (ARC adapts before replacing: with p = 1, A would have left T2, not C) */
    assert_string_equal(pt_run(t, "B", got), "m");
    assert_string_equal(pt_content(t, set), "AB");
    /*  6 C m: |T1| = 0 < max(1, 1): T2's hand: A -> B2; B1 hit: p = min(2, 1 + max(1,
     *         |B2| / |B1| = 1)) = 2; C to T2        T2 [C B]  B2 [A] */
    assert_string_equal(pt_run(t, "C", got), "m");
    assert_string_equal(pt_content(t, set), "BC");
    /*  7 B H: ref(B) = 1, B stays where it is     T2 [C B*]
     *  8 D m: T2's hand: B referenced -> ref 0, to the head; C -> B2. D new:
     *         |T1| + |B1| = 0, directory 3 < 4       T1 [D]  T2 [B]  B2 [C A] */
    assert_string_equal(pt_run(t, "BD", got), "Hm");
    assert_string_equal(pt_content(t, set), "BD");
    /*  9 E m: |T1| = 1 < max(1, p = 2): B -> B2; E new and the directory is 4 = 2c
     *         (line 6): the LRU of B2 (A) is dropped  T1 [E D]  B2 [B C] */
    assert_string_equal(pt_run(t, "E", got), "m");
    assert_string_equal(pt_content(t, set), "DE");
    /* 10 A m: A was dropped, so it is new. |T1| = 2 >= 2: D -> B1; |T1| + |B1| = 2 = c
     *         (line 5): the LRU of B1 (D) is dropped  T1 [A E]  B2 [B C] */
    assert_string_equal(pt_run(t, "A", got), "m");
    assert_string_equal(pt_content(t, set), "AE");
    /* 11 C m: |T1| = 2 >= 2: E -> B1; then the B2 hit: p = max(0, 2 - max(1, |B1| / |B2|
     *         = 1/2)) = 1; C to T2                   T1 [A]  T2 [C]  B1 [E]  B2 [B]
     * 12 A H: ref(A) = 1
     * 13 F m: |T1| = 1 >= max(1, 1): A referenced -> ref 0, to T2's head; |T1| = 0: T2's
     *         hand: C -> B2. F new: |T1| + |B1| = 1 < 2, directory 4 = 2c: B dropped
     *                                                T1 [F]  T2 [A]  B1 [E]  B2 [C] */
    assert_string_equal(pt_run(t, "CAF", got), "mHm");
    assert_string_equal(pt_content(t, set), "AF");
    /* 14 E m: |T1| = 1 >= 1: F -> B1; B1 hit: p = min(2, 1 + max(1, 1/2)) = 2; E to T2
     *                                                T2 [E A]  B1 [F]  B2 [C]
     * 15 C m: |T1| = 0: A -> B2; B2 hit: p = max(0, 2 - max(1, |B1| / |B2| = 1/2)) = 1
     *                                                T2 [C E]  B1 [F]  B2 [A] */
    assert_string_equal(pt_run(t, "EC", got), "mm");
    assert_string_equal(pt_content(t, set), "CE");
    ts_tier_destroy(t);
}

static void test_policy_car_lookup_without_touch_keeps_state(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("car", 2, NULL, 0);
    char got[16], set[8];
    /* A m, B m: T1 [B A]. An untouched lookup of A sets no bit, so C's miss takes A from
     * T1's hand (B would have left had A been referenced). */
    assert_string_equal(pt_run(t, "AB", got), "mm");
    assert_string_equal(pt_content(t, set), "AB");
    assert_string_equal(pt_run(t, "C", got), "m");
    assert_string_equal(pt_content(t, set), "BC");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_car_figure2),
        cmocka_unit_test(test_policy_car_lookup_without_touch_keeps_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
