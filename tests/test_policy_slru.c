/* SPDX-License-Identifier: MIT */
/*
 * test_policy_slru.c - SLRU traced by hand with capacity 4 and 2 segments (quota 2 each):
 * new objects fill the segments from the bottom while the cache warms up, a hit moves an
 * object one segment up and the overflow cools down, evictions come from S0's tail. With
 * one segment SLRU is LRU.
 */
#include "policy_trace.h"

static const char *const k_two[] = {"segments", "2"};

static void test_policy_slru_hand_trace(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("slru", 4, k_two, 1);
    char got[32], set[8];
    /* Segments newest..oldest.
     *  1-2 A B m                   S0 [B A]
     *  3-4 C D m: S0 is full, S1 has room       S1 [D C]
     *  5 E m: evict S0's tail A; S0 has room    S0 [E B]
     *  6 B H: B to S1 [B D C], over its quota: C cools to S0   S0 [C E]  S1 [B D]
     *  7 C H: C to S1 [C B D]: D cools          S0 [D E]  S1 [C B]
     *  8 F m: E leaves                          S0 [F D]
     *  9 E m: D leaves                          S0 [E F]
     * 10 C H 11 B H: the top segment is LRU     S1 [B C]
     * 12 G m: F leaves                          S0 [G E] */
    assert_string_equal(pt_run(t, "ABCDEBCFECBG", got), "mmmmmHHmmHHm");
    assert_string_equal(pt_content(t, set), "BCEG");
    /* 13 D m: E leaves                          S0 [D G]
     * 14 G H: G to S1 [G B C]: C cools          S0 [C D]  S1 [G B]
     * 15 X m: D leaves (C, just cooled, is newer) */
    assert_string_equal(pt_run(t, "DGX", got), "mHm");
    assert_string_equal(pt_content(t, set), "BCGX");
    ts_tier_destroy(t);
}

static void test_policy_slru_one_segment_is_lru(void **state)
{
    (void)state;
    static const char *const one[] = {"segments", "1"};
    char keys[PT_MAX_KEYS + 1], a[PT_MAX_KEYS + 1], b[PT_MAX_KEYS + 1];
    pt_keys(keys, 12345, 9);
    ts_tier_t *s = pt_tier("slru", 4, one, 1), *l = pt_tier("lru", 4, NULL, 0);
    assert_string_equal(pt_run(s, keys, a), pt_run(l, keys, b));
    ts_tier_destroy(s);
    ts_tier_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_slru_hand_trace),
        cmocka_unit_test(test_policy_slru_one_segment_is_lru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
