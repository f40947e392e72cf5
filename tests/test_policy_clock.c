/* SPDX-License-Identifier: MIT */
/*
 * test_policy_clock.c - CLOCK traced by hand: second chance with one reference bit, and
 * the extra rounds a 2-bit counter gives a frequently hit object.
 */
#include "policy_trace.h"
#include "policies/registry.h"

static void test_policy_clock_second_chance(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("clock", 3, NULL, 0);
    char got[16], set[8];
    /* Queue newest..oldest, the hand at the oldest; (n) = counter.
     *  A m [A]  B m [B A]  C m [C B A]  A H: A(1)
     *  D m: A(1) -> A(0) to the front [A C B]; B(0) leaves       -> [D A C]
     *  B m: C(0) leaves                                          -> [B D A]
     *  A H: A(1)
     *  C m: A(1) -> A(0) to the front [A B D]; D(0) leaves       -> [C A B]
     *  D m: B(0) leaves                                          -> [D C A]
     * FIFO would have evicted A at the first D. */
    assert_string_equal(pt_run(t, "ABCADBACD", got), "mmmHmmHmm");
    assert_string_equal(pt_content(t, set), "ACD");
    ts_tier_destroy(t);
}

static void test_policy_clock_two_bits(void **state)
{
    (void)state;
    static const char *const kv[] = {"bits", "2"};
    ts_tier_t *t = pt_tier("clock", 3, kv, 1);
    char got[16], set[8];
    /* bits = 2 (counter 0..3):
     *  A B C m [C B A]; A H A(1); A H A(2)
     *  D m: A(2) -> A(1) front [A C B]; B leaves  -> [D A C]
     *  E m: C leaves                              -> [E D A]
     *  F m: A(1) -> A(0) front [A E D]; D leaves  -> [F A E]
     *  G m: E leaves                              -> [G F A]
     *  A H */
    assert_string_equal(pt_run(t, "ABCAADEFGA", got), "mmmHHmmmmH");
    assert_string_equal(pt_content(t, set), "AFG");
    ts_tier_destroy(t);
    /* bits = 1: the second hit of A saturates at 1, so A survives one round only:
     *  D m: A(1) -> A(0) front, B leaves -> [D A C]; E m: C leaves -> [E D A];
     *  F m: A(0) leaves -> [F E D]; G m: D leaves -> [G F E]; A m: E leaves -> [A G F] */
    t = pt_tier("clock", 3, NULL, 0);
    assert_string_equal(pt_run(t, "ABCAADEFGA", got), "mmmHHmmmmm");
    assert_string_equal(pt_content(t, set), "AFG");
    ts_tier_destroy(t);
}

static void test_policy_clock_bits_out_of_range(void **state)
{
    (void)state;
    const ts_policy_ops_t *ops = ts_policy_find("clock", NULL);
    assert_non_null(ops);
    ts_err_t err = {0};
    _Alignas(max_align_t) unsigned char params[64];
    const ts_plugin_t *b = &ops->base;
    assert_true(b->params_size <= sizeof(params));
    assert_int_equal(ts_param_defaults(b->params, b->params_count, params, b->params_size, &err),
                     0);
    /* The schema refuses 9 bits ... */
    assert_int_equal(ts_param_set(b->params, b->params_count, params, "bits", "9", &err),
                     TS_ERANGE);
    assert_non_null(strstr(err.msg, "bits"));
    /* ... and create refuses a params struct that bypassed it. */
    const ts_param_spec_t *bits = ts_param_find(b->params, b->params_count, "bits");
    assert_non_null(bits);
    int64_t nine = 9;
    memcpy(params + bits->offset, &nine, sizeof(nine));
    ts_policy_init_t init = {.capacity = 4, .count_objects = true};
    ts_policy_t *p = (ts_policy_t *)&err; /* must be reset to NULL on failure */
    ts_err_clear(&err);
    assert_int_equal(ops->create(params, &init, &p, &err), TS_EINVAL);
    assert_null(p);
    assert_non_null(strstr(err.msg, "bits must be between 1 and 8"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_clock_second_chance),
        cmocka_unit_test(test_policy_clock_two_bits),
        cmocka_unit_test(test_policy_clock_bits_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
