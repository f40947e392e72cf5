/* SPDX-License-Identifier: MIT */
/*
 * test_kidx.c - the compact key index agrees with a brute-force model under a long random
 * mix of inserts and deletes (backward-shift deletion keeps every key reachable) while it
 * grows and widens its id bits; its sizes follow from its load bound; a failed growth
 * leaves it usable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/kidx.h"
#include "sim/util/mem.h"
#include "sim/util/pool.h"
#include "rng_test.h"

struct node {
    uint64_t key;
    uint32_t prev;
    uint32_t next;
};

static uint64_t kidx_test_key(uint32_t k)
{
    return k == 1 ? UINT64_MAX : (uint64_t)k * 0x9E3779B97F4A7C15ULL;
}

static void test_kidx_matches_model_under_churn(void **state)
{
    (void)state;
    enum { UNIVERSE = 4000, STEPS = 200000 };
    ts_kidx_t t;
    ts_pool_t pool;
    ts_err_t err = {0};
    uint32_t where[UNIVERSE]; /* model: key -> id or TS_KTAB_NONE */
    for (int i = 0; i < UNIVERSE; i++)
        where[i] = TS_KTAB_NONE;
    /* Sized for 4 keys: 16 slots and 3 id bits, so both grow during the run. */
    assert_int_equal(ts_kidx_init(&t, 4, 80, &err), 0);
    assert_int_equal(t.mask + 1, 16);
    assert_int_equal(t.idbits, 3);
    assert_int_equal(ts_pool_init(&pool, sizeof(struct node), 4, &err), 0);
    gsl_rng *rng = test_rng(11);
    uint64_t live = 0;
    for (int s = 0; s < STEPS; s++) {
        uint32_t k = (uint32_t)gsl_rng_uniform_int(rng, UNIVERSE);
        uint64_t key = kidx_test_key(k);
        uint32_t got = ts_kidx_find(&t, key, pool.base, pool.stride);
        assert_int_equal(got, where[k]);
        if (got == TS_KTAB_NONE) {
            uint32_t id = ts_pool_alloc(&pool, &err);
            assert_int_not_equal(id, TS_POOL_NONE);
            ((struct node *)ts_pool_at(&pool, id))->key = key;
            assert_int_equal(ts_kidx_insert(&t, key, id, &pool, &err), 0);
            where[k] = id;
            live++;
        } else if (gsl_rng_uniform(rng) < 0.6) {
            assert_int_equal(ts_kidx_remove(&t, key, got, &pool), 1);
            ts_pool_release(&pool, got);
            where[k] = TS_KTAB_NONE;
            live--;
        }
        assert_int_equal(t.n, live);
        if (s % 20000 == 0)
            assert_int_equal(ts_kidx_check(&t, &pool, &err), 0);
    }
    assert_int_equal(ts_kidx_check(&t, &pool, &err), 0);
    for (int k = 0; k < UNIVERSE; k++)
        assert_int_equal(ts_kidx_find(&t, kidx_test_key((uint32_t)k), pool.base, pool.stride),
                         where[k]);
    /* About 2400 keys live at the end: their ids need 12 bits or more. */
    assert_true(t.idbits >= 12 && t.idbits <= 32);
    assert_int_equal(ts_kidx_remove(&t, 12345, 0, &pool), 0);
    gsl_rng_free(rng);
    ts_kidx_free(&t);
    ts_pool_free_all(&pool);
}

/* The table keeps at most load_pct of its slots full; at 80%: 10,000 keys need 16,384 slots (13,107
 * allowed; 8,192 allow only 6,553), 100,000 keys 131,072 (104,857; 65,536 allow 52,428),
 * 4 bytes each. Ids up to 100,000 (id + 1 = 100,001 < 2^17) need 17 bits, leaving a 15-bit
 * tag. */
static void test_kidx_sizes_follow_the_load_bound(void **state)
{
    (void)state;
    ts_kidx_t t;
    ts_err_t err = {0};
    assert_int_equal(ts_kidx_init(&t, 10000, 80, &err), 0);
    assert_int_equal(ts_kidx_bytes(&t), 16384 * 4);
    assert_int_equal(t.grow_at, 13107);
    assert_int_equal(t.idbits, 14);
    ts_kidx_free(&t);
    assert_int_equal(ts_kidx_init(&t, 100000, 80, &err), 0);
    assert_int_equal(ts_kidx_bytes(&t), 131072 * 4);
    assert_int_equal(t.idbits, 17);
    assert_int_equal(t.idmask, (1u << 17) - 1);
    ts_kidx_free(&t);
    /* At 70%, as ts_ktab: 10,000 keys fit 16,384 slots (11,468 allowed), 100,000 need
     * 262,144 (131,072 allow 91,750). */
    assert_int_equal(ts_kidx_init(&t, 10000, 70, &err), 0);
    assert_int_equal(ts_kidx_bytes(&t), 16384 * 4);
    ts_kidx_free(&t);
    assert_int_equal(ts_kidx_init(&t, 100000, 70, &err), 0);
    assert_int_equal(ts_kidx_bytes(&t), 262144 * 4);
    ts_kidx_free(&t);
    assert_int_equal(ts_kidx_init(&t, 10, 95, &err), TS_EINVAL);
}

static void test_kidx_oom_leaves_table_usable(void **state)
{
    (void)state;
    ts_kidx_t t;
    ts_pool_t pool;
    ts_err_t err = {0};
    ts_mem_fail_after(0);
    assert_int_equal(ts_kidx_init(&t, 10, 80, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_int_equal(ts_kidx_init(&t, 1, 70, &err), 0);
    assert_int_equal(ts_pool_init(&pool, sizeof(struct node), 64, &err), 0);
    uint32_t i = 0;
    /* Fill to the growth threshold, then make the growth fail. */
    while (t.n + 1 <= t.grow_at) {
        uint32_t id = ts_pool_alloc(&pool, &err);
        ((struct node *)ts_pool_at(&pool, id))->key = kidx_test_key(i);
        assert_int_equal(ts_kidx_insert(&t, kidx_test_key(i), id, &pool, &err), 0);
        i++;
    }
    ts_err_clear(&err);
    ts_mem_fail_after(0);
    assert_int_equal(ts_kidx_insert(&t, kidx_test_key(i), i, &pool, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_int_equal(t.n, i);
    for (uint32_t j = 0; j < i; j++)
        assert_int_equal(ts_kidx_find(&t, kidx_test_key(j), pool.base, pool.stride), j);
    assert_int_equal(ts_kidx_check(&t, &pool, &err), 0);
    ts_kidx_free(&t);
    ts_pool_free_all(&pool);
}

/* 40 keys whose hashes (key x C, ts_kidx_hash) are 2^63 + j, j = 0..39: one home, so they
 * sit 0..39 slots from it and deletions shift entries whose distance field is saturated
 * (15 or more, read from the node's key). Keys are (2^63 + j) x C^-1 mod 2^64. After
 * removing every other one, the rest are found, the removed are not, and the check holds. */
static void test_kidx_one_home_long_run(void **state)
{
    (void)state;
    const uint64_t c = 0x9e3779b97f4a7c15ULL;
    uint64_t inv = c; /* Newton's iteration: each step doubles the correct low bits */
    for (int i = 0; i < 6; i++)
        inv *= 2 - c * inv;
    assert_true(c * inv == 1);
    enum { N = 40 };
    ts_kidx_t t;
    ts_pool_t pool;
    ts_err_t err = {0};
    assert_int_equal(ts_kidx_init(&t, 100, 80, &err), 0);
    assert_int_equal(ts_pool_init(&pool, sizeof(struct node), N, &err), 0);
    uint64_t keys[N];
    for (uint32_t j = 0; j < N; j++) {
        keys[j] = ((1ULL << 63) + j) * inv;
        assert_int_equal(ts_kidx_hash(keys[j]), (1ULL << 63) + j);
        uint32_t id = ts_pool_alloc(&pool, &err);
        ((struct node *)ts_pool_at(&pool, id))->key = keys[j];
        assert_int_equal(ts_kidx_insert(&t, keys[j], id, &pool, &err), 0);
    }
    assert_int_equal(ts_kidx_check(&t, &pool, &err), 0);
    for (uint32_t j = 0; j < N; j += 2)
        assert_int_equal(ts_kidx_remove(&t, keys[j], j, &pool), 1);
    assert_int_equal(ts_kidx_check(&t, &pool, &err), 0);
    for (uint32_t j = 0; j < N; j++)
        assert_int_equal(ts_kidx_find(&t, keys[j], pool.base, pool.stride),
                         j % 2 ? j : TS_KTAB_NONE);
    ts_kidx_free(&t);
    ts_pool_free_all(&pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kidx_matches_model_under_churn),
        cmocka_unit_test(test_kidx_sizes_follow_the_load_bound),
        cmocka_unit_test(test_kidx_oom_leaves_table_usable),
        cmocka_unit_test(test_kidx_one_home_long_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
