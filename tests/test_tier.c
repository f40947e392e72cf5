/* SPDX-License-Identifier: MIT */
/*
 * test_tier.c - capacity accounting around a policy, traced by hand in bytes mode:
 * eviction until the object fits, refusal of objects larger than the tier, removal,
 * and the counters each step must leave; and a policy's replace op (evict and insert in
 * one step, when full in objects mode) leaving what evict then insert leaves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/mem.h"
#include "sim/tier.h"

extern const ts_policy_ops_t ts_policy_lru, ts_policy_fifo, ts_policy_clock, ts_policy_sieve;

static ts_req_t req(uint64_t key, uint64_t size)
{
    ts_req_t r = {.key = key, .size_bytes = size, .op = TS_OP_GET, .next_access = TS_REQ_NEVER};
    return r;
}

/* Looks up, fills on a miss; returns 1 for a hit. */
static int access1(ts_tier_t *t, uint64_t key, uint64_t size)
{
    ts_req_t r = req(key, size);
    if (ts_tier_lookup(t, &r))
        return 1;
    bool ins;
    ts_err_t err = {0};
    assert_int_equal(ts_tier_fill(t, &r, NULL, NULL, &ins, &err), 0);
    return 0;
}

static void test_tier_bytes_mode_hand_trace(void **state)
{
    (void)state;
    ts_policy_init_t init = {.capacity = 100, .count_objects = false};
    ts_tier_t *t;
    ts_err_t err = {0};
    assert_int_equal(ts_tier_create("dram", &ts_policy_lru, NULL, &init, &t, &err), 0);
    /* LRU, capacity 100 bytes.
     * A(40) miss -> [A]           used 40
     * B(50) miss -> [B A]         used 90
     * A     hit  -> [A B]
     * C(30) miss -> evict B (LRU) -> [C A] used 70
     * D(200) miss, larger than the tier: refused, nothing evicted
     * B(50) miss -> 70+50 > 100: evict A (LRU of [C A]) -> [B C] used 80 */
    assert_int_equal(access1(t, 'A', 40), 0);
    assert_int_equal(access1(t, 'B', 50), 0);
    assert_int_equal(access1(t, 'A', 40), 1);
    assert_int_equal(access1(t, 'C', 30), 0);
    assert_int_equal(t->used, 70);
    assert_int_equal(access1(t, 'D', 200), 0);
    assert_int_equal(t->st.n_too_large, 1);
    assert_int_equal(t->used, 70);
    assert_int_equal(access1(t, 'B', 50), 0);
    assert_int_equal(t->used, 80);
    assert_int_equal(t->n_objects, 2);
    assert_int_equal(t->st.n_req, 6);
    assert_int_equal(t->st.n_hit, 1);
    assert_int_equal(t->st.n_miss, 5);
    assert_int_equal(t->st.n_evict, 2);
    assert_int_equal(t->st.n_insert, 4);
    assert_int_equal(t->st.bytes_in, 40 + 50 + 30 + 50);
    assert_int_equal(t->st.bytes_out, 50 + 40);
    assert_int_equal(t->st.bytes_req, 40 + 50 + 40 + 30 + 200 + 50);
    assert_int_equal(t->st.bytes_hit, 40);
    assert_int_equal(t->st.used_peak, 90);
    assert_true(ts_tier_remove(t, 'C'));
    assert_false(ts_tier_remove(t, 'C'));
    assert_int_equal(t->used, 50);
    assert_int_equal(t->st.n_removed, 1);
    ts_tier_destroy(t);
}

static void test_tier_create_oom_is_clean(void **state)
{
    (void)state;
    ts_policy_init_t init = {.capacity = 10, .count_objects = true};
    for (long n = 0;; n++) {
        ts_tier_t *t = NULL;
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = ts_tier_create("x", &ts_policy_lru, NULL, &init, &t, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            ts_tier_destroy(t);
            assert_true(n > 0);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(t);
    }
}

/* A FIFO of capacity 2 by hand: keys 1, 2 fill it; 3 replaces 1 (the oldest), 1 replaces
 * 2; then 3 hits. Two replacements: 2 evictions, 4 insertions, 2 objects held. */
static void test_tier_replace_hand_trace(void **state)
{
    (void)state;
    ts_policy_init_t init = {.capacity = 2, .count_objects = true, .seed = 1};
    ts_tier_t *t = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_tier_create("c", &ts_policy_fifo, NULL, &init, &t, &err), 0);
    const uint64_t keys[] = {1, 2, 3, 1, 3};
    const int hit[] = {0, 0, 0, 0, 1};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(access1(t, keys[i], 100), hit[i]);
    assert_int_equal(t->st.n_evict, 2);
    assert_int_equal(t->st.n_insert, 4);
    assert_int_equal(t->n_objects, 2);
    assert_int_equal(t->used, 2);
    assert_false(ts_tier_holds(t, 2));
    assert_true(ts_tier_holds(t, 1) && ts_tier_holds(t, 3));
    ts_tier_destroy(t);
}

/* LRU, FIFO, CLOCK and SIEVE, each with its replace op and with a copy of its ops without
 * it, over the same 20,000 requests (Zipf-like: key = i*i mod 307 of a pseudo-random i,
 * 300 objects of capacity 64; sizes equal for the first 10,000 requests, then two sizes,
 * so replace declines once and then runs on the size array): the same hit or miss at
 * every request, the same counters, and the same keys held at the end. */
static void test_tier_replace_equals_evict_insert(void **state)
{
    (void)state;
    const ts_policy_ops_t *const pols[] = {&ts_policy_lru, &ts_policy_fifo, &ts_policy_clock,
                                           &ts_policy_sieve};
    for (size_t k = 0; k < 4; k++) {
        ts_policy_ops_t plain = *pols[k];
        plain.replace = NULL;
        assert_non_null(pols[k]->replace);
        ts_policy_init_t init = {.capacity = 64, .count_objects = true, .seed = 1};
        ts_tier_t *a = NULL, *b = NULL;
        ts_err_t err = {0};
        assert_int_equal(ts_tier_create("a", pols[k], NULL, &init, &a, &err), 0);
        assert_int_equal(ts_tier_create("b", &plain, NULL, &init, &b, &err), 0);
        uint64_t x = 88172645463325252ull;
        for (int i = 0; i < 20000; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint64_t v = x % 300, key = v * v % 307;
            uint64_t size = i < 10000 ? 4096 : 4096 + (key & 1) * 512;
            assert_int_equal(access1(a, key, size), access1(b, key, size));
        }
        assert_memory_equal(&a->st, &b->st, sizeof(a->st));
        assert_int_equal(a->used, b->used);
        assert_true(a->st.n_evict > 1000);
        for (uint64_t key = 0; key < 307; key++)
            assert_int_equal(ts_tier_holds(a, key), ts_tier_holds(b, key));
        ts_tier_destroy(a);
        ts_tier_destroy(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tier_bytes_mode_hand_trace),
        cmocka_unit_test(test_tier_create_oom_is_clean),
        cmocka_unit_test(test_tier_replace_hand_trace),
        cmocka_unit_test(test_tier_replace_equals_evict_insert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
