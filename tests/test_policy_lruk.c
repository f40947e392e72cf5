/* SPDX-License-Identifier: MIT */
/*
 * test_policy_lruk.c - LRU-2 traced by hand with capacity 3 and the history of 3 evicted
 * keys retained: objects seen once go first (LRU among them), then the oldest second-last
 * request; a key back from the ghost history keeps its earlier request. K = 1 is LRU.
 */
#include "policy_trace.h"

static void test_policy_lruk_hand_trace(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("lruk", 3, NULL, 0);
    char got[32], set[8];
    /* X(HIST1, HIST2) at request times 1, 2, ...; young = fewer than 2 requests.
     *  1 A m A(1)   2 B m B(2)   3 A H A(3, 1)   4 C m C(4)   5 B H B(5, 2)
     *  6 D m: young C leaves (LRU would take A, its last request 3 the oldest)
     *         ghost [C(4)]; D(6)
     *  7 C m: young D leaves, ghost [D C]; C back with its history: C(7, 4)
     *  8 E m: no young: smallest HIST2: A (1) leaves, ghost [A D]; E(8)
     *  9 A m: young E leaves, ghost [E A D]; A back: A(9, 3)   ghost [E D]
     * 10 F m: smallest HIST2: B (2) leaves, ghost [B E D]; F(10) */
    assert_string_equal(pt_run(t, "ABACBDCEAF", got), "mmHmHmmmmm");
    assert_string_equal(pt_content(t, set), "ACF");
    /* 11 B m: young F leaves, ghost [F B E D] over 3: D falls off; B back: B(11, 5)
     * 12 D m: D's history is gone: D(12) young; no young object cached, smallest HIST2
     *         of A (3), C (4), B (5): A leaves */
    assert_string_equal(pt_run(t, "BD", got), "mm");
    assert_string_equal(pt_content(t, set), "BCD");
    ts_tier_destroy(t);
}

static void test_policy_lruk_k1_is_lru(void **state)
{
    (void)state;
    static const char *const k1[] = {"k", "1"};
    char keys[PT_MAX_KEYS + 1], a[PT_MAX_KEYS + 1], b[PT_MAX_KEYS + 1];
    pt_keys(keys, 4242, 9);
    ts_tier_t *k = pt_tier("lruk", 4, k1, 1), *l = pt_tier("lru", 4, NULL, 0);
    assert_string_equal(pt_run(k, keys, a), pt_run(l, keys, b));
    ts_tier_destroy(k);
    ts_tier_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_lruk_hand_trace),
        cmocka_unit_test(test_policy_lruk_k1_is_lru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
