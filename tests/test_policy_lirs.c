/* SPDX-License-Identifier: MIT */
/*
 * test_policy_lirs.c - LIRS traced by hand with c = 3 objects, so Lhirs = max(1, 1% of 3)
 * = 1 and Llirs = 2, following section 3 of the SIGMETRICS'02 paper: the LIR set filling,
 * new blocks as resident HIR, stack pruning (a ghost dropped, a resident HIR block leaving S
 * for Q only), a resident HIR hit in S (promotion and demotion of the bottom LIR block), a
 * resident HIR hit outside S, a ghost's miss making it LIR, and the bound on ghosts.
 */
#include "policy_trace.h"

static void test_policy_lirs_paper_cases(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("lirs", 3, NULL, 0);
    char got[16], set[8];
    /* S top first (L: LIR, h: resident HIR, n: ghost), Q newest first (its front at the
     * right leaves first).
     *  1 A m: the LIR set has room                S [A]
     *  2 B m                                      S [B A]
     *  3 C m: |LIR| = 2 = Llirs: C is HIR         S [C B A]            Q [C]
     *  4 D m: Q's front C leaves, a ghost in S    S [D Cn B A]         Q [D] */
    assert_string_equal(pt_run(t, "ABCD", got), "mmmm");
    assert_string_equal(pt_content(t, set), "ABD");
    /*  5 A H: LIR to the top; the bottom B is LIR  S [A D Cn B]
     *  6 B H: B was the bottom: to the top, then pruning drops the ghost C and takes D out
     *         of S (D stays resident on Q)           S [B A]              Q [D]
     *  7 D H: resident HIR outside S: to the top of S and the end of Q, still HIR
     *                                                S [D B A]            Q [D] */
    assert_string_equal(pt_run(t, "ABD", got), "HHH");
    assert_string_equal(pt_content(t, set), "ABD");
    /*  8 E m: D leaves Q, a ghost in S              S [E Dn B A]         Q [E] */
    assert_string_equal(pt_run(t, "E", got), "m");
    assert_string_equal(pt_content(t, set), "ABE");
    /*  9 D m: a ghost: E leaves Q (a ghost), D becomes LIR at the top; |LIR| = 3 > 2: the
     *         bottom A becomes HIR on Q; B at the bottom is LIR
     *                                                S [D En B]           Q [A] */
    assert_string_equal(pt_run(t, "D", got), "m");
    assert_string_equal(pt_content(t, set), "ABD");
    /* 10 A H: outside S: to the top of S           S [A D En B]         Q [A]
     * 11 E m: a ghost: A leaves Q (a ghost in S), E becomes LIR; B demoted to Q
     *                                                S [E An D]           Q [B] */
    assert_string_equal(pt_run(t, "AE", got), "Hm");
    assert_string_equal(pt_content(t, set), "BDE");
    /* 12 B H: outside S: to the top of S           S [B E An D]         Q [B]
     * 13 B H: resident HIR in S: B becomes LIR and leaves Q; the bottom D is demoted to Q;
     *         pruning drops the ghost A                S [B E]              Q [D] */
    assert_string_equal(pt_run(t, "BB", got), "HH");
    assert_string_equal(pt_content(t, set), "BDE");
    /* 14 A m: A was forgotten (pruned): new, HIR; D leaves Q and is not in S: gone
     *                                                S [A B E]            Q [A]
     * 15 D m: new again (not a ghost): HIR; A leaves Q, a ghost
     *                                                S [D An B E]         Q [D] */
    assert_string_equal(pt_run(t, "AD", got), "mm");
    assert_string_equal(pt_content(t, set), "BDE");
    ts_tier_destroy(t);
}

static void test_policy_lirs_ghost_bound(void **state)
{
    (void)state;
    /* stack_ratio 1.34: S keeps at most floor(3 * 1.34) = 4 blocks while it has ghosts; the
     * ghost first made non-resident goes first. */
    static const char *const kv[] = {"stack_ratio", "1.34"};
    ts_tier_t *t = pt_tier("lirs", 3, kv, 1);
    char got[16], set[8];
    /*  1-3 A B C m                                  S [C B A]            Q [C]
     *  4 D m: C a ghost                             S [D Cn B A]         Q [D]   (4 blocks)
     *  5 E m: D a ghost; 5 blocks > 4: C dropped    S [E Dn B A]         Q [E]
     *  6 C m: new; E a ghost; D dropped             S [C En B A]         Q [C] */
    assert_string_equal(pt_run(t, "ABCDEC", got), "mmmmmm");
    assert_string_equal(pt_content(t, set), "ABC");
    /*  7 E m: a ghost: C leaves Q (a ghost), E LIR; A demoted
     *                                                S [E Cn B]           Q [A]
     *  8 D m: D's ghost was dropped: new, HIR; A leaves Q, gone
     *                                                S [D E Cn B]         Q [D] */
    assert_string_equal(pt_run(t, "ED", got), "mm");
    assert_string_equal(pt_content(t, set), "BDE");
    /*  9 A m: new; D a ghost; 5 blocks: C dropped  S [A Dn E B]         Q [A]
     * 10 D m: a ghost: A leaves Q (a ghost), D LIR; B demoted; E at the bottom is LIR
     *                                                S [D An E]           Q [B] */
    assert_string_equal(pt_run(t, "AD", got), "mm");
    assert_string_equal(pt_content(t, set), "BDE");
    /* 11 C m: new (dropped at 9), HIR; B leaves Q, gone   S [C D An E]   Q [C]
     * 12 A m: a ghost: C leaves Q (a ghost), A LIR; E demoted; pruning stops at D
     *                                                S [A Cn D]           Q [E] */
    assert_string_equal(pt_run(t, "CA", got), "mm");
    assert_string_equal(pt_content(t, set), "ADE");
    ts_tier_destroy(t);
}

static void test_policy_lirs_lookup_without_touch_keeps_state(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("lirs", 3, NULL, 0);
    char got[16], set[8];
    /* A B LIR, C HIR: S [C B A], Q [C]. The untouched lookups of pt_content leave C HIR;
     * touched, C would become LIR and A would be demoted to Q, so D's miss would take A.
     * Untouched, D's miss takes C. */
    assert_string_equal(pt_run(t, "ABC", got), "mmm");
    assert_string_equal(pt_content(t, set), "ABC");
    assert_string_equal(pt_run(t, "D", got), "m");
    assert_string_equal(pt_content(t, set), "ABD");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_lirs_paper_cases),
        cmocka_unit_test(test_policy_lirs_ghost_bound),
        cmocka_unit_test(test_policy_lirs_lookup_without_touch_keeps_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
