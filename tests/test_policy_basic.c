/* SPDX-License-Identifier: MIT */
/*
 * test_policy_basic.c - FIFO and LRU traced by hand on the textbook reference string
 * 7 0 1 2 0 3 0 4 2 3 0 3 2 1 2 0 1 7 0 1 with 3 frames (Silberschatz et al., Operating
 * System Concepts, ch. 9): FIFO faults 15 times, LRU 12 times.
 */
#include "policy_trace.h"

#define TEXTBOOK "70120304230321201701"

static size_t count_misses(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == 'm';
    return n;
}

static void test_policy_basic_fifo_textbook(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("fifo", 3, NULL, 0);
    char got[32], set[32];
    /* Frames after each request, oldest first; hits do not reorder.
     *  7 m [7]       0 m [7 0]     1 m [7 0 1]   2 m -7 [0 1 2]  0 H
     *  3 m -0 [1 2 3]  0 m -1 [2 3 0]  4 m -2 [3 0 4]  2 m -3 [0 4 2]
     *  3 m -0 [4 2 3]  0 m -4 [2 3 0]  3 H  2 H  1 m -2 [3 0 1]  2 m -3 [0 1 2]
     *  0 H  1 H  7 m -0 [1 2 7]  0 m -1 [2 7 0]  1 m -2 [7 0 1] */
    assert_string_equal(pt_run(t, TEXTBOOK, got), "mmmmHmmmmmmHHmmHHmmm");
    assert_int_equal(count_misses(got), 15);
    assert_string_equal(pt_content(t, set), "017");
    assert_int_equal(t->st.n_evict, 12);
    ts_tier_destroy(t);
}

static void test_policy_basic_lru_textbook(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("lru", 3, NULL, 0);
    char got[32], set[32];
    /* Frames after each request, most recent first.
     *  7 m [7]  0 m [0 7]  1 m [1 0 7]  2 m -7 [2 1 0]  0 H [0 2 1]  3 m -1 [3 0 2]
     *  0 H [0 3 2]  4 m -2 [4 0 3]  2 m -3 [2 4 0]  3 m -0 [3 2 4]  0 m -4 [0 3 2]
     *  3 H [3 0 2]  2 H [2 3 0]  1 m -0 [1 2 3]  2 H [2 1 3]  0 m -3 [0 2 1]
     *  1 H [1 0 2]  7 m -2 [7 1 0]  0 H [0 7 1]  1 H [1 0 7] */
    assert_string_equal(pt_run(t, TEXTBOOK, got), "mmmmHmHmmmmHHmHmHmHH");
    assert_int_equal(count_misses(got), 12);
    assert_string_equal(pt_content(t, set), "017");
    ts_tier_destroy(t);
}

static void test_policy_basic_fifo_hit_does_not_reorder(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("fifo", 2, NULL, 0);
    char got[16], set[8];
    /* A m [A]  B m [A B]  A H (no move)  C m -A [B C]: FIFO evicts A although it was just
     * hit; LRU would have evicted B. */
    assert_string_equal(pt_run(t, "ABAC", got), "mmHm");
    assert_string_equal(pt_content(t, set), "BC");
    ts_tier_destroy(t);
    t = pt_tier("lru", 2, NULL, 0);
    assert_string_equal(pt_run(t, "ABAC", got), "mmHm");
    assert_string_equal(pt_content(t, set), "AC");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_basic_fifo_textbook),
        cmocka_unit_test(test_policy_basic_lru_textbook),
        cmocka_unit_test(test_policy_basic_fifo_hit_does_not_reorder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
