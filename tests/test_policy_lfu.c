/* SPDX-License-Identifier: MIT */
/*
 * test_policy_lfu.c - LFU traced by hand: the least frequent object leaves, ties go to the
 * least recently used one, and counts restart at 1 after an eviction.
 */
#include "policy_trace.h"

#include "sim/util/mem.h"
#include "policies/registry.h"

static void test_policy_lfu_tie_rule(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("lfu", 3, NULL, 0);
    char got[32], set[8];
    /* X(n) = count n. Buckets list their objects most recent first.
     *  1 A m  2 B m  3 C m     f1: [C B A]
     *  4 A H                   f1: [C B]   f2: [A]
     *  5 D m: tie B, C at f1 -> the least recently used, B, leaves
     *                          f1: [D C]   f2: [A] */
    assert_string_equal(pt_run(t, "ABCAD", got), "mmmHm");
    assert_string_equal(pt_content(t, set), "ACD");
    /*  6 C H                   f1: [D]     f2: [C A]
     *  7 E m: D (only f1) leaves            f1: [E]  f2: [C A]
     *  8 B m: E leaves (B restarts at 1)    f1: [B]  f2: [C A]
     *  9 A H                   f1: [B]  f2: [C]  f3: [A]
     * 10 D m: B leaves         f1: [D]  f2: [C]  f3: [A]
     * 11 D H                   f2: [D C]  f3: [A]
     * 12 E m: tie C, D at f2 -> C (reached 2 at #6, D at #11) leaves
     *                          f1: [E]  f2: [D]  f3: [A]
     * 13 C m: E leaves         f1: [C]  f2: [D]  f3: [A]
     * 14 D H  15 A H */
    assert_string_equal(pt_run(t, "CEBADDECDA", got), "HmmHmHmmHH");
    assert_string_equal(pt_content(t, set), "ACD");
    ts_tier_destroy(t);
}

static void test_policy_lfu_remove(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("lfu", 3, NULL, 0);
    char got[16], set[8];
    /* A B C m; A H A H (A(3)); remove A; D m (room, no eviction); E m: tie B, C, D at f1
     * -> B (least recent) leaves. */
    assert_string_equal(pt_run(t, "ABCAA", got), "mmmHH");
    assert_true(ts_tier_remove(t, 'A'));
    assert_string_equal(pt_run(t, "DE", got), "mm");
    assert_string_equal(pt_content(t, set), "CDE");
    assert_int_equal(t->st.n_evict, 1);
    ts_tier_destroy(t);
}

static void test_policy_lfu_hits_never_allocate(void **state)
{
    (void)state;
    /* Bytes mode, so the structures start small (about 1024 entries). N objects, then
     * rounds j = 1 .. N-1 hit keys j .. N-1 once each: key k ends with count k + 1, so N
     * distinct counts need N buckets, more than the first bucket pool holds. Inserts
     * reserve the room; the hits must not allocate. */
    enum { N = 1200 };
    const ts_policy_ops_t *ops = ts_policy_find("lfu", NULL);
    ts_policy_init_t init = {.capacity = 1 << 30, .count_objects = false};
    ts_tier_t *t;
    ts_err_t err = {0};
    assert_int_equal(ts_tier_create("lfu", ops, NULL, &init, &t, &err), 0);
    for (uint64_t k = 0; k < N; k++) {
        ts_req_t r = {.key = k, .size_bytes = 1};
        bool ins;
        assert_false(ts_tier_lookup(t, &r));
        assert_int_equal(ts_tier_fill(t, &r, NULL, NULL, &ins, &err), 0);
    }
    ts_mem_fail_after(-1);
    for (uint64_t j = 1; j < N; j++)
        for (uint64_t k = j; k < N; k++) {
            ts_req_t r = {.key = k, .size_bytes = 1};
            assert_true(ts_tier_lookup(t, &r));
        }
    assert_int_equal(ts_mem_count(), 0);
    /* The least frequent is key 0 (count 1), then key 1 (count 2), ... */
    ts_req_t none = {.key = N, .size_bytes = 1};
    ts_victim_t v;
    for (uint64_t k = 0; k < N; k++) {
        assert_int_equal(ops->evict(t->policy, &none, &v), 0);
        assert_int_equal(v.key, k);
    }
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_lfu_tie_rule),
        cmocka_unit_test(test_policy_lfu_remove),
        cmocka_unit_test(test_policy_lfu_hits_never_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
