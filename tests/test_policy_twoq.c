/* SPDX-License-Identifier: MIT */
/*
 * test_policy_twoq.c - 2Q traced by hand with capacity 4 and the default shares: Kin =
 * floor(25% of 4) = 1, Kout = floor(50% of 4) = 2. New keys enter A1in (FIFO), its
 * evictions leave their keys in A1out, a key found in A1out enters Am (LRU), and Am is
 * evicted from only while |A1in| <= Kin.
 */
#include "policy_trace.h"

static void test_policy_twoq_hand_trace(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("twoq", 4, NULL, 0);
    char got[32], set[8];
    /* Lists newest..oldest.
     *  1-4 A B C D m                       A1in [D C B A]
     *  5 E m: |A1in| = 4 > 1: A leaves, to A1out     A1in [E D C B]  A1out [A]
     *  6 A m: A taken out of A1out; B leaves to A1out; A enters Am
     *                                      A1in [E D C]  A1out [B]  Am [A]
     *  7 C H (A1in: nothing moves)   8 A H (Am head)
     *  9 F m: C leaves                     A1in [F E D]  A1out [C B]
     * 10 B m: B taken out (A1out [C]); D leaves (A1out [D C]); B enters Am  Am [B A]
     * 11 G m: E leaves, A1out [E D C] over Kout: C falls off   A1out [E D]
     * 12 H m: F leaves, D falls off       A1in [H G]  A1out [F E]  Am [B A] */
    assert_string_equal(pt_run(t, "ABCDEACAFBGH", got), "mmmmmmHHmmmm");
    assert_string_equal(pt_content(t, set), "ABGH");
    /* 13 A H                              Am [A B]
     * 14 I m: G leaves                    A1in [I H]  A1out [G F]
     * 15 J m: H leaves                    A1in [J I]  A1out [H G]
     * 16 G m: G taken out (A1out [H]); I leaves (A1out [I H]); G enters Am
     *                                     A1in [J]  Am [G A B]
     * 17 K m: |A1in| = 1 <= Kin: Am's tail B leaves, with no ghost
     *                                     A1in [K J]  Am [G A] */
    assert_string_equal(pt_run(t, "AIJGK", got), "Hmmmm");
    assert_string_equal(pt_content(t, set), "AGJK");
    /* 18 B m: B is nowhere (Am keeps no ghost): to A1in; J leaves   A1in [B K]
     *                                                    A1out [J I]
     * 19 J m: J taken out (A1out [I]); K leaves (A1out [K I]); J enters Am
     *                                     A1in [B]  Am [J G A]
     * 20 X m: |A1in| = 1: Am's tail A leaves */
    assert_string_equal(pt_run(t, "BJX", got), "mmm");
    assert_string_equal(pt_content(t, set), "BGJX");
    assert_int_equal(t->st.n_evict, 13);
    ts_tier_destroy(t);
}

static void test_policy_twoq_remove(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("twoq", 4, NULL, 0);
    char got[16], set[8];
    /* After request 6 above A is in Am and B in A1out: a ghost is not cached. */
    assert_string_equal(pt_run(t, "ABCDEA", got), "mmmmmm");
    assert_false(ts_tier_remove(t, 'B'));
    assert_true(ts_tier_remove(t, 'A'));
    assert_string_equal(pt_content(t, set), "CDE");
    /* B still in A1out, room for it: no eviction, and it enters Am. */
    assert_string_equal(pt_run(t, "B", got), "m");
    assert_int_equal(t->st.n_evict, 2);
    /* X m: |A1in| = 3 > 1: C leaves, not B (in Am) */
    assert_string_equal(pt_run(t, "X", got), "m");
    assert_string_equal(pt_content(t, set), "BDEX");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_twoq_hand_trace),
        cmocka_unit_test(test_policy_twoq_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
