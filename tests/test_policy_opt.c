/* SPDX-License-Identifier: MIT */
/*
 * test_policy_opt.c - Belady's OPT traced by hand: the textbook reference string
 * 7 0 1 2 0 3 0 4 2 3 0 3 2 1 2 0 1 7 0 1 with 3 frames faults 9 times (FIFO 15, LRU 12;
 * see test_policy_basic.c), never-again objects leave first, and a hit refreshes the
 * object's next use.
 */
#include "policy_trace.h"

static void test_policy_opt_textbook(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("opt", 3, NULL, 0);
    char got[32], set[8];
    /* Index: 0:7 1:0 2:1 3:2 4:0 5:3 6:0 7:4 8:2 9:3 10:0 11:3 12:2 13:1 14:2 15:0 16:1
     * 17:7 18:0 19:1. On each fault, the frame whose next use is furthest leaves:
     *  #3 2: 7@17 0@4 1@13       -> evict 7 [0 1 2]
     *  #4 0 H
     *  #5 3: 0@6 1@13 2@8        -> evict 1 [0 2 3]
     *  #6 0 H
     *  #7 4: 0@10 2@8 3@9        -> evict 0 [2 3 4]
     *  #8 2 H  #9 3 H
     *  #10 0: 2@12 3@11 4 never  -> evict 4 [2 3 0]
     *  #11 3 H  #12 2 H
     *  #13 1: 2@14 3 never 0@15  -> evict 3 [2 0 1]
     *  #14 2 H  #15 0 H  #16 1 H
     *  #17 7: 2 never 0@18 1@19  -> evict 2 [0 1 7]
     *  #18 0 H  #19 1 H          => 9 faults */
    assert_string_equal(pt_run(t, "70120304230321201701", got), "mmmmHmHmHHmHHmHHHmHH");
    assert_int_equal(t->st.n_miss, 9);
    assert_string_equal(pt_content(t, set), "017");
    ts_tier_destroy(t);
}

static void test_policy_opt_hit_refreshes_next_use(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("opt", 2, NULL, 0);
    char got[16], set[8];
    /* Index 0:A 1:B 2:A 3:C 4:B 5:A.
     * #3 C: A was inserted with next use 2, but the hit at 2 moved it to 5; B's is 4, so
     * A (furthest) leaves, not B (which a stale next use 2 for A would have picked).
     * [B C]; #4 B H; #5 A m: B never again, C never again -> either leaves. */
    assert_string_equal(pt_run(t, "ABACBA", got), "mmHmHm");
    assert_int_equal(t->st.n_miss, 4);
    ts_tier_destroy(t);
    t = pt_tier("opt", 2, NULL, 0);
    /* #2 C: A never again, B@3 -> A leaves [B C]; #3 B H; #4 C H. */
    assert_string_equal(pt_run(t, "ABCBC", got), "mmmHH");
    assert_string_equal(pt_content(t, set), "BC");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_opt_textbook),
        cmocka_unit_test(test_policy_opt_hit_refreshes_next_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
