/* SPDX-License-Identifier: MIT */
/*
 * test_policy_s3fifo.c - S3-FIFO traced by hand with capacity 4 and small_ratio 50%
 * (S targets 2 objects, G keeps at most 2 keys), move_to_main_threshold 2: one-hit wonders
 * leave S for G, a ghost hit goes straight to M, M reinserts with the counter decremented.
 */
#include "policy_trace.h"

static const char *const k_half[] = {"small_ratio", "50%"};

static void test_policy_s3fifo_hand_trace(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("s3fifo", 4, k_half, 1);
    char got[32], set[8];
    /* Queues newest..oldest, X(n) = counter n (0 when omitted).
     *  1-4 A B C D m              S [D C B A]
     *  5 A H  6 A H  7 B H        S [D C B(1) A(2)]
     *  8 E m: |S| = 4 >= 2: A(2) >= 2 -> M, counter cleared; B(1) < 2 -> G, victim B
     *                             S [E D C]  M [A]  G [B]
     *  9 B m: |S| = 3 >= 2: C -> G (victim); B was in G -> straight to M
     *                             S [E D]  M [B A]  G [C] */
    assert_string_equal(pt_run(t, "ABCDAABEB", got), "mmmmHHHmm");
    assert_string_equal(pt_content(t, set), "ABDE");
    /* 10 A H                      M [B A(1)]
     * 11 C m: |S| = 2 >= 2: D -> G (victim), G [D C]; C in G -> M
     *                             S [E]  M [C B A(1)]  G [D]
     * 12 X m: |S| = 1 < 2 -> M: A(1) -> A(0) to the head; B(0) evicted (M keeps no ghost)
     *                             S [X E]  M [A C]  G [D] */
    assert_string_equal(pt_run(t, "ACX", got), "Hmm");
    assert_string_equal(pt_content(t, set), "ACEX");
    /* 13 A H                      M [A(1) C]
     * 14 B m: B is in no queue -> S. |S| = 2: E, a one-hit wonder, S -> G (victim)
     *                             S [B X]  M [A(1) C]  G [E D]
     * 15 C H                      M [A(1) C(1)]
     * 16 E m: |S| = 2: X -> G [X E D], trimmed to 2: D dropped; E in G -> straight to M
     *                             S [B]  M [E A(1) C(1)]  G [X]
     * 17 E H                      M [E(1) A(1) C(1)]
     * 18 X m: |S| = 1 < 2 -> M: C, A, E each lose one count and go to the head, then
     *         C(0) is evicted; X in G -> M      S [B]  M [X E A]
     * 19 C m: C is in no queue -> S; |S| = 1 < 2 -> M: A(0) evicted
     *                             S [C B]  M [X E] */
    assert_string_equal(pt_run(t, "ABCEEXC", got), "HmHmHmm");
    assert_string_equal(pt_content(t, set), "BCEX");
    /* 20 D m: D's ghost was trimmed at 16, so D goes to S; |S| = 2: B -> G (victim)
     *                             S [D C]  M [X E]  G [B]
     * 21 Y m: |S| = 2: C -> G (victim)
     *                             S [Y D]  M [X E]  G [C B]
     *         (had D still been in G, it would have gone to M, and Y's miss, with
     *         |S| = 1, would have evicted E from M) */
    assert_string_equal(pt_run(t, "DY", got), "mm");
    assert_string_equal(pt_content(t, set), "DEXY");
    ts_tier_destroy(t);
}

static void test_policy_s3fifo_threshold(void **state)
{
    (void)state;
    char got[16], set[8];
    /* Requests 1-8 of the trace above: at 8, B(1) goes to G with the default threshold 2,
     * but to M with threshold 1, and C(0) leaves instead. */
    ts_tier_t *t = pt_tier("s3fifo", 4, k_half, 1);
    assert_string_equal(pt_run(t, "ABCDAABE", got), "mmmmHHHm");
    assert_string_equal(pt_content(t, set), "ACDE");
    ts_tier_destroy(t);
    static const char *const kv[] = {"small_ratio", "50%", "move_to_main_threshold", "1"};
    t = pt_tier("s3fifo", 4, kv, 2);
    assert_string_equal(pt_run(t, "ABCDAABE", got), "mmmmHHHm");
    assert_string_equal(pt_content(t, set), "ABDE");
    ts_tier_destroy(t);
}

static void test_policy_s3fifo_remove_keeps_ghosts_out(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("s3fifo", 4, k_half, 1);
    char got[16], set[8];
    /* After request 8 of the trace above, B is a ghost: removing it reports false and
     * the tier's count is unchanged; removing A (in M) works. */
    assert_string_equal(pt_run(t, "ABCDAABE", got), "mmmmHHHm");
    assert_false(ts_tier_remove(t, 'B'));
    assert_true(ts_tier_remove(t, 'A'));
    assert_int_equal(t->n_objects, 3);
    assert_string_equal(pt_content(t, set), "CDE");
    /* B still in G: room for it without eviction, and it goes to M. */
    assert_string_equal(pt_run(t, "B", got), "m");
    assert_int_equal(t->st.n_evict, 1);
    assert_string_equal(pt_content(t, set), "BCDE");
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_s3fifo_hand_trace),
        cmocka_unit_test(test_policy_s3fifo_threshold),
        cmocka_unit_test(test_policy_s3fifo_remove_keeps_ghosts_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
