/* SPDX-License-Identifier: MIT */
/*
 * test_policy_lecar.c - LeCaR traced by hand with c = 3 at the two ends of its weights:
 * with w_lru = 1 the draw always takes the LRU expert's choice and LeCaR is LRU; with
 * w_lru = 0 it is in-cache LFU with ties to the first object to reach the lowest count.
 * A regretted eviction cannot move a weight of 0 or 1 (the update is multiplicative), so
 * both traces are exact whatever the draws.
 */
#include "policy_trace.h"

static void test_policy_lecar_all_lru(void **state)
{
    (void)state;
    static const char *const kv[] = {"lru_weight", "1"};
    ts_tier_t *t = pt_tier("lecar", 3, kv, 1);
    char got[16], set[8];
    /* LRU list, most recent first:
     *  A m [A]  B m [B A]  C m [C B A]  A H [A C B]
     *  D m: LRU's B (LFU's B too: count 1, first to reach it)  [D A C]
     *  B m: LRU's C = LFU's C                                   [B D A]
     *  E m: LRU's A (LFU would take D, count 1 < A's 2)         [E B D]
     *  A m: LRU's D                                             [A E B]
     *  C m: LRU's B                                             [C A E] */
    assert_string_equal(pt_run(t, "ABCADBEAC", got), "mmmHmmmmm");
    assert_string_equal(pt_content(t, set), "ACE");
    ts_tier_destroy(t);
}

static void test_policy_lecar_all_lfu(void **state)
{
    (void)state;
    static const char *const kv[] = {"lru_weight", "0"};
    ts_tier_t *t = pt_tier("lecar", 3, kv, 1);
    char got[16], set[8];
    /* Counts, and the FIFO of count 1 (first to reach it first):
     *  A m, B m, C m: count 1 [A B C]
     *  A H: A has 2; count 1 [B C]
     *  D m: LFU's B = LRU's B: evicted without history; count 1 [C D]
     *  B m: LFU's C = LRU's C; count 1 [D B]
     *  E m: LFU's D (LRU's A): D goes to LFU's history; count 1 [B E]
     *  A H: A has 3 (had LRU won at E, A would have gone)
     *  C m: LFU's B = LRU's B; count 1 [E C] */
    assert_string_equal(pt_run(t, "ABCADBEAC", got), "mmmHmmmHm");
    assert_string_equal(pt_content(t, set), "ACE");
    /*  D m: a history hit (LFU's weight 1 stays 1 after normalising); LFU's E = LRU's E
     *       (LRU list [C A E]): count 1 [C D]
     *  E m: LFU's C (LRU's A); count 1 [D E]. A, never LFU's choice, stays. */
    assert_string_equal(pt_run(t, "DE", got), "mm");
    assert_string_equal(pt_content(t, set), "ADE");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_lecar_all_lru),
        cmocka_unit_test(test_policy_lecar_all_lfu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
