/* SPDX-License-Identifier: MIT */
/*
 * test_ktab.c - the key index and node pool agree with a brute-force model under a long
 * random mix of inserts and deletes (so backward-shift deletion keeps every key
 * reachable), survive growth, and report TS_ENOMEM without leaking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/ktab.h"
#include "sim/util/mem.h"
#include "sim/util/pool.h"
#include "rng_test.h"

struct node {
    uint64_t key;
    uint32_t link;
    uint32_t pad;
};

static void test_ktab_matches_model_under_churn(void **state)
{
    (void)state;
    enum { UNIVERSE = 4000, STEPS = 200000 };
    ts_ktab_t t;
    ts_pool_t pool;
    ts_err_t err = {0};
    uint32_t where[UNIVERSE]; /* model: key -> id or TS_KTAB_NONE */
    for (int i = 0; i < UNIVERSE; i++)
        where[i] = TS_KTAB_NONE;
    assert_int_equal(ts_ktab_init(&t, 4, &err), 0);
    assert_int_equal(ts_pool_init(&pool, sizeof(struct node), 4, &err), 0);
    gsl_rng *rng = test_rng(7);
    uint64_t live = 0;
    for (int s = 0; s < STEPS; s++) {
        /* Keys spread over the 64-bit space, including 0 and near-max values. */
        uint32_t k = (uint32_t)gsl_rng_uniform_int(rng, UNIVERSE);
        uint64_t key = k == 1 ? UINT64_MAX : (uint64_t)k * 0x9E3779B97F4A7C15ULL;
        uint32_t got = ts_ktab_find(&t, key, pool.base, pool.stride);
        assert_int_equal(got, where[k]);
        if (got == TS_KTAB_NONE) {
            uint32_t id = ts_pool_alloc(&pool, &err);
            assert_int_not_equal(id, TS_POOL_NONE);
            ((struct node *)ts_pool_at(&pool, id))->key = key;
            assert_int_equal(ts_ktab_insert(&t, key, id, &err), 0);
            where[k] = id;
            live++;
        } else if (gsl_rng_uniform(rng) < 0.6) {
            assert_int_equal(ts_ktab_remove(&t, key, got), 1);
            ts_pool_release(&pool, got);
            where[k] = TS_KTAB_NONE;
            live--;
        }
        assert_int_equal(t.n, live);
        assert_int_equal(pool.n_live, live);
    }
    for (int k = 0; k < UNIVERSE; k++) {
        uint64_t key = k == 1 ? UINT64_MAX : (uint64_t)k * 0x9E3779B97F4A7C15ULL;
        assert_int_equal(ts_ktab_find(&t, key, pool.base, pool.stride), where[k]);
    }
    assert_int_equal(ts_ktab_remove(&t, 12345, 0), 0);
    gsl_rng_free(rng);
    ts_ktab_free(&t);
    ts_pool_free_all(&pool);
}

static void test_ktab_oom_leaves_table_usable(void **state)
{
    (void)state;
    ts_ktab_t t;
    ts_err_t err = {0};
    ts_mem_fail_after(0);
    assert_int_equal(ts_ktab_init(&t, 10, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_int_equal(ts_ktab_init(&t, 1, &err), 0);
    uint64_t keys[64];
    uint32_t i = 0;
    /* Fill to the growth threshold, then make the growth fail. */
    while (t.n + 1 <= t.grow_at) {
        keys[i] = i;
        assert_int_equal(ts_ktab_insert(&t, i, i, &err), 0);
        i++;
    }
    ts_err_clear(&err);
    ts_mem_fail_after(0);
    keys[i] = i;
    assert_int_equal(ts_ktab_insert(&t, i, i, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    for (uint32_t j = 0; j < i; j++)
        assert_int_equal(ts_ktab_find(&t, j, keys, sizeof(uint64_t)), j);
    ts_ktab_free(&t);
}

static void test_pool_reuses_released_ids(void **state)
{
    (void)state;
    ts_pool_t p;
    ts_err_t err = {0};
    assert_int_equal(ts_pool_init(&p, 8, 4, &err), TS_EINVAL);
    assert_int_equal(ts_pool_init(&p, sizeof(struct node), 1, &err), 0);
    uint32_t a = ts_pool_alloc(&p, &err), b = ts_pool_alloc(&p, &err);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    ts_pool_release(&p, a);
    assert_int_equal(ts_pool_alloc(&p, &err), a);
    for (int i = 0; i < 1000; i++)
        assert_int_not_equal(ts_pool_alloc(&p, &err), TS_POOL_NONE);
    assert_int_equal(p.n_live, 1002);
    ts_pool_free_all(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ktab_matches_model_under_churn),
        cmocka_unit_test(test_ktab_oom_leaves_table_usable),
        cmocka_unit_test(test_pool_reuses_released_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
