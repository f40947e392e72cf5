/* SPDX-License-Identifier: MIT */
/*
 * test_policy_qdlp.c - QD-LP-FIFO traced by hand with capacity 4, fifo_ratio 50% (M's
 * share m = 2), ghost_ratio 50% (G keeps 2 keys), CLOCK-2 main and threshold 1: a key hit
 * in P moves to M when it reaches P's tail, an unhit one leaves for G, a ghost hit goes
 * straight to M, and M reinserts counted objects (lazy promotion).
 */
#include "policy_trace.h"

static const char *const k_half[] = {"fifo_ratio", "50%", "ghost_ratio", "50%"};

static void test_policy_qdlp_hand_trace(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("qdlp", 4, k_half, 2);
    char got[32], set[8];
    /* Queues newest..oldest, X(n) = counter n (0 when omitted).
     *  1-4 A B C D m               P [D C B A]
     *  5 A H                       P [D C B A(1)]
     *  6 E m: A(1) -> M (|M| = 1 <= 2), again: B -> G, the victim
     *                              P [E D C]  M [A]  G [B]
     *  7 B m: B taken out of G; |M| + 1 <= 2; C -> G, the victim; B enters M
     *                              P [E D]  M [B A]  G [C]
     *  8 A H (M: A(1))   9 D H (P: D(1))
     * 10 F m: D(1) -> M [D B A(1)], |M| = 3 > 2: CLOCK: A(1) -> A(0) to the head,
     *         B(0) leaves (M keeps no ghost)     P [F E]  M [A D]  G [C] */
    assert_string_equal(pt_run(t, "ABCDAEBADF", got), "mmmmHmmHHm");
    assert_string_equal(pt_content(t, set), "ADEF");
    /* 11 C m: C taken out of G; M is full (2 + 1 > 2), so the eviction comes from M:
     *         D(0) leaves; C enters M     P [F E]  M [C A]
     * 12 X m: P's tail E(0) -> G, the victim      P [X F]  G [E] */
    assert_string_equal(pt_run(t, "CX", got), "mm");
    assert_string_equal(pt_content(t, set), "ACFX");
    ts_tier_destroy(t);
}

static void test_policy_qdlp_remove(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("qdlp", 4, k_half, 2);
    char got[16], set[8];
    /* After request 6 above B is a ghost: not cached. */
    assert_string_equal(pt_run(t, "ABCDAE", got), "mmmmHm");
    assert_false(ts_tier_remove(t, 'B'));
    assert_true(ts_tier_remove(t, 'A'));
    assert_string_equal(pt_content(t, set), "CDE");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_qdlp_hand_trace),
        cmocka_unit_test(test_policy_qdlp_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
