/* SPDX-License-Identifier: MIT */
/*
 * test_policy_clockpro.c - CLOCK-Pro traced by hand with c = 3 objects and an initial cold
 * target mc = floor(3 * 0.34) = 1, following section 4 of the USENIX ATC'05 paper:
 * HAND_cold's three cases (promotion in the test period, a new test period, eviction with
 * or without a non-resident entry), HAND_hot's demotions and the test periods it ends, mc
 * growing on a non-resident page's miss and shrinking when a test period runs out, and
 * HAND_test bounding the non-resident pages to c.
 */
#include "policy_trace.h"

static void test_policy_clockpro_hands(void **state)
{
    (void)state;
    static const char *const kv[] = {"cold_ratio", "0.34"};
    ts_tier_t *t = pt_tier("clockpro", 3, kv, 1);
    char got[16], set[8];
    /* The clock in the hands' order starting at HAND_hot (new pages go at the end, just
     * behind it); h hot, c cold resident, t in its test period, n non-resident, * ref = 1;
     * [hot, cold, test] name the pages under HAND_hot, HAND_cold and HAND_test (HAND_cold
     * rests on a resident cold page: after a victim, the next one; none, the next new).
     *  1-3 A B C m: cold in test           (At Bt Ct)                  [A, A, A]
     *  4-5 A B H: bits set                 (At* Bt* Ct)
     *  6 D m: HAND_cold: A referenced in its test period turns hot and goes to the head
     *         (hot 1 <= c - mc = 2), so does B (hot 2 <= 2); C unreferenced: the victim,
     *         non-resident as its test period runs; D new at the head
     *                                      (Cn Ah Bh Dt)               [C, D, C] */
    assert_string_equal(pt_run(t, "ABCABD", got), "mmmHHm");
    assert_string_equal(pt_content(t, set), "ABD");
    /*  7 C m: HAND_cold passes A and B (hot) and takes D (Dn). C is non-resident in its
     *         test period: mc = 2, C hot at the head; hot 3 > c - mc = 1: HAND_hot demotes
     *         A and B (bits clear), stopping at D
     *                                      (Dn Ch Ac Bc)               [D, A, A] */
    assert_string_equal(pt_run(t, "C", got), "m");
    assert_string_equal(pt_content(t, set), "ABC");
    /*  8 A H: ref(A) = 1 (A is cold, its test period over)
     *  9 E m: HAND_cold: A referenced outside a test period: bit cleared, a new test
     *         period, to the head; B unreferenced and out of its test period: the victim,
     *         forgotten; E new at the head  (Dn Ch At Et)             [D, A, A] */
    assert_string_equal(pt_run(t, "AE", got), "Hm");
    assert_string_equal(pt_content(t, set), "ACE");
    /* 10 A H: ref(A) = 1
     * 11 F m: HAND_cold: A referenced in its test period turns hot: hot 2 > c - mc = 1:
     *         HAND_hot reaches Dn, whose test period ends: it leaves and mc = 1, so hot 2
     *         <= 2 and the hand stops at C; HAND_cold goes on to E: the victim (En); F new
     *                                      (Ch En Ah Ft)               [C, F, E] */
    assert_string_equal(pt_run(t, "AF", got), "Hm");
    assert_string_equal(pt_content(t, set), "ACF");
    /* 12 G m: HAND_cold passes A, takes F (Fn); G at the head   (Ch En Ah Fn Gt)
     * 13 H m: HAND_cold passes C, En, A, Fn, takes G (Gn): three non-resident pages = c
     *                                      (Ch En Ah Fn Gn Ht)         [C, H, E]
     * 14 I m: HAND_cold takes H (Hn): four non-resident pages > c: HAND_test drops E
     *         (mc = 0)                     (Ch Ah Fn Gn Hn It)         [C, I, A] */
    assert_string_equal(pt_run(t, "GHI", got), "mmm");
    assert_string_equal(pt_content(t, set), "ACI");
    /* 15 E m: E was dropped: new. HAND_cold takes I (In); HAND_test passes A and drops F
     *                                      (Ch Ah Gn Hn In Et)         [C, E, G]
     * 16 H m: HAND_cold takes E (En); HAND_test drops G. H is non-resident in its test
     *         period: mc = 1, H hot at the head; hot 3 > 2: HAND_hot demotes C
     *                                      (Ah In En Hh Cc)            [A, C, I] */
    assert_string_equal(pt_run(t, "EH", got), "mm");
    assert_string_equal(pt_content(t, set), "ACH");
    /* 17 J m: HAND_cold takes C, out of its test period: forgotten; J at the head
     *                                      (Ah In En Hh Jt)            [A, J, I]
     * 18 C m: C is new. HAND_cold passes A, In, En, H and takes J (Jn): three non-resident
     *                                      (Ah In En Hh Jn Ct)         [A, C, I] */
    assert_string_equal(pt_run(t, "JC", got), "mm");
    assert_string_equal(pt_content(t, set), "ACH");
    ts_tier_destroy(t);
}

static void test_policy_clockpro_lookup_without_touch_keeps_state(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("clockpro", 3, NULL, 0);
    char got[16], set[8];
    /* A B C cold in test. The untouched lookups of pt_content set no bit, so D's miss takes
     * A, the first page under HAND_cold (a referenced A would have turned hot). */
    assert_string_equal(pt_run(t, "ABC", got), "mmm");
    assert_string_equal(pt_content(t, set), "ABC");
    assert_string_equal(pt_run(t, "D", got), "m");
    assert_string_equal(pt_content(t, set), "BCD");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_clockpro_hands),
        cmocka_unit_test(test_policy_clockpro_lookup_without_touch_keeps_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
