/* SPDX-License-Identifier: MIT */
/*
 * test_prefetch.c - the prefetcher seam's capabilities: a prefetcher flagged
 * TS_PREFETCH_NOTHING gets no instance in a hierarchy (its create is never called) and
 * trace hints stay demand requests; a prefetcher flagged TS_PREFETCH_HINTS gets one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/hier.h"
#include "sim/prefetch.h"

extern const ts_policy_ops_t ts_policy_lru;
extern const ts_prefetch_ops_t ts_prefetch_none;
extern const ts_prefetch_ops_t ts_prefetch_hint;

static int toy_create_fails(const void *params, ts_prefetcher_t **out, ts_err_t *err)
{
    (void)params;
    *out = NULL;
    return ts_err_set(err, TS_EINVAL, "a prefetcher that does nothing was created");
}

static size_t toy_mem_bytes(const ts_prefetcher_t *p)
{
    (void)p;
    return 0;
}

/* Flagged as doing nothing, whatever its name; creating it would fail. */
static const ts_prefetch_ops_t k_toy_nothing = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_PREFETCH,
             .name = "toy_nothing",
             .summary = "a toy that does nothing",
             .flags = TS_PREFETCH_NOTHING},
    .create = toy_create_fails,
    .mem_bytes = toy_mem_bytes,
};

/* A hierarchy of one LRU tier with prefetcher p; NULL when it cannot be built. */
static ts_hier_t *one_tier(const ts_prefetch_ops_t *p, ts_tier_t **t)
{
    ts_err_t err = {0};
    ts_policy_init_t init = {.capacity = 4, .count_objects = true, .seed = 1};
    assert_int_equal(ts_tier_create("t0", &ts_policy_lru, NULL, &init, t, &err), 0);
    ts_hier_config_t cfg = {.prefetch = p};
    ts_hier_t *h = NULL;
    if (ts_hier_create(&cfg, t, 1, &h, &err) != 0)
        fail_msg("%s: %s", p->base.name, err.msg);
    return h;
}

static void test_prefetch_nothing_gets_no_instance(void **state)
{
    (void)state;
    const ts_prefetch_ops_t *nothing[] = {&k_toy_nothing, &ts_prefetch_none};
    for (size_t c = 0; c < 2; c++) {
        ts_tier_t *t = NULL;
        ts_hier_t *h = one_tier(nothing[c], &t);
        assert_null(h->pf);
        assert_false(h->takes_hints);
        ts_hier_destroy(h);
        ts_tier_destroy(t);
    }
    ts_tier_t *t = NULL;
    ts_hier_t *h = one_tier(&ts_prefetch_hint, &t);
    assert_non_null(h->pf);
    assert_true(h->takes_hints);
    ts_hier_destroy(h);
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefetch_nothing_gets_no_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
