/* SPDX-License-Identifier: MIT */
/*
 * test_policy_cacheus.c - Cacheus traced by hand with c = 4 (SR and R targets 2 each, H
 * under 4 keys, each G at most 2), a fixed learning rate of 0.5 and no learning-rate update
 * within the trace; the expert draws are the policy's own stream (seed 1), read here from
 * the same generator. The two learning rules are tested on their own.
 */
#include <math.h>

#include "policy_trace.h"
#include "policies/cacheus_internal.h"
#include "sim/util/rng.h"

static void test_policy_cacheus_hand_trace(void **state)
{
    (void)state;
    /* The draws u1.. of the stream the policy uses (tier seed 1). */
    ts_err_t err = {0};
    gsl_rng *rng = ts_rng_create(1, &err);
    assert_non_null(rng);
    double u[4];
    for (int i = 0; i < 4; i++)
        u[i] = ts_rng_unit(rng);
    ts_rng_destroy(rng);
    double w_regret = exp(-0.5) / (1 + exp(-0.5)); /* 0.3775: one regret from 1/2 */
    assert_true(u[0] < 0.5);                       /* step 8: SR-LRU's choice */
    assert_true(u[1] >= w_regret);                 /* step 9: CR-LFU's */
    assert_true(u[2] < 0.5);                       /* step 11: SR-LRU's */
    assert_true(u[3] < w_regret);                  /* step 12: SR-LRU's */

    static const char *const kv[] = {"learning_rate", "0.5", "update_interval", "1e12"};
    ts_tier_t *t = pt_tier("cacheus", 4, kv, 2);
    pt_victims_t vs = {0};
    char got[32], set[8];
    /* SR and R most recent first; counts in brackets; H newest first.
     *  1-4  A B C D m: SR [D C B A], all count 1
     *  5    A H: SR -> R [A] (2); SR [D C B]
     *  6    E m: SR holds 3 > 2: its LRU B leaves (SR-LRU's own rule, no G); H [B]
     *            SR [E D C]
     *  7    B m: SR over: C leaves; H [C B]; B is in H: R [B A] with count 1 + 1 = 2;
     *            H [C]; SR [E D]
     *  8    F m: SR at 2: SR-LRU names D, CR-LFU the newest of count 1, E; u1 < 1/2:
     *            D leaves, G_lru [D]; H [D C]; SR [F E]
     *  9    D m: regret (G_lru): w_lru = 0.3775; SR-LRU names E, CR-LFU F; u2 >= w_lru:
     *            F leaves, G_lfu [F]; H [F D C]; D from H: H [F C], R [D B A] (2) is over
     *            2, A is demoted: SR [A E], R [D B]
     *  10   F m: regret (G_lfu): w_lru = 1/2; both name E (SR's LRU, the only count 1):
     *            E leaves, no G; H [E F C]; F from H: H [E C], R [F D B] (2), B demoted:
     *            SR [B A], R [F D]
     *  11   G m: SR-LRU names A, CR-LFU the newest of count 2 (A B D F), F; u3 < 1/2:
     *            A leaves, G_lru [A]; H [A E C]; SR [G B]
     *  12   A m: regret: w_lru = 0.3775; SR-LRU names B, CR-LFU G; u4 < w_lru: B leaves,
     *            G_lru [B]; H [B A E C] reaches 4 keys: C falls off; A from H: H [B E],
     *            R [A F D] (3), D demoted: SR [D G], R [A F]
     *  13   F H: R [F A]
     *  14   D H: SR -> R [D F A], A demoted: SR [A G], R [D F]
     *  15   G H: SR -> R [G D F], F demoted: SR [F A], R [G D] */
    const char *keys = "ABCDAEBFDFGAFDG";
    assert_string_equal(pt_run_victims(t, keys, got, &vs), "mmmmHmmmmmmmHHH");
    assert_string_equal(vs.v, "BCDFEAB");
    assert_string_equal(pt_content(t, set), "ADFG");
    ts_tier_destroy(t);
}

static void test_policy_cacheus_regret(void **state)
{
    (void)state;
    /* From 1/2, SR-LRU's regret at lr = 0.5 gives e^-0.5 / (1 + e^-0.5); CR-LFU's regret
     * then weighs both by e^-0.5 and brings the weight back to 1/2. */
    double w = ts__cacheus_regret(0.5, true, 0.5);
    assert_true(fabs(w - 0.6065306597 / 1.6065306597) < 1e-9);
    assert_true(fabs(ts__cacheus_regret(w, false, 0.5) - 0.5) < 1e-12);
    /* Weights of 0 and 1 stay (the update is multiplicative). */
    assert_true(ts__cacheus_regret(1, false, 0.9) == 1);
    assert_true(ts__cacheus_regret(0, false, 0.9) == 0);
}

static void test_policy_cacheus_learning_rate(void **state)
{
    (void)state;
    ts__cacheus_lr_t s = {.lr = 0.5};
    /* First period, hit rate 0.4: dlr = 0.5, dhr = 0.4, same sign: up by 0.5 * 0.5. */
    assert_false(ts__cacheus_lr_update(&s, 0.4));
    assert_true(fabs(s.lr - 0.75) < 1e-12);
    /* Hit rate falls to 0.3 while lr rose by 0.25: down by 0.75 * 0.25 = 0.1875. */
    assert_false(ts__cacheus_lr_update(&s, 0.3));
    assert_true(fabs(s.lr - 0.5625) < 1e-12);
    /* Hit rate rises to 0.35 while lr fell by 0.1875: down again, by 0.5625 * 0.1875. */
    assert_false(ts__cacheus_lr_update(&s, 0.35));
    assert_true(fabs(s.lr - (0.5625 - 0.10546875)) < 1e-12);
    /* A step that would reach 1 sets 0.9: 0.8 + 0.8 * 0.3. */
    ts__cacheus_lr_t high = {.lr = 0.8, .lr_prev = 0.5, .hr_prev = 0.2};
    assert_false(ts__cacheus_lr_update(&high, 0.3));
    assert_true(high.lr == 0.9);
    /* dhr / dlr < 0: down by 0.002 * 0.001. */
    ts__cacheus_lr_t low = {.lr = 0.002, .lr_prev = 0.003, .hr_prev = 0.5};
    assert_false(ts__cacheus_lr_update(&low, 0.6));
    assert_true(fabs(low.lr - 0.001998) < 1e-12);
    /* A step that would end at or under 0.001 sets 0.0001: 0.0011 - 0.0011 * 0.4989. */
    ts__cacheus_lr_t floor = {.lr = 0.0011, .lr_prev = 0.5, .hr_prev = 0.5};
    assert_false(ts__cacheus_lr_update(&floor, 0.5));
    assert_true(floor.lr == 0.0001);
    /* An unchanged lr: ten periods without a rising hit rate ask for a new draw. */
    ts__cacheus_lr_t flat = {.lr = 0.2, .lr_prev = 0.2, .hr_prev = 0.3};
    for (int i = 0; i < 9; i++)
        assert_false(ts__cacheus_lr_update(&flat, 0.3));
    assert_int_equal(flat.unlearn, 9);
    assert_true(ts__cacheus_lr_update(&flat, 0.3));
    assert_int_equal(flat.unlearn, 0);
    /* A rising hit rate does not count. */
    assert_false(ts__cacheus_lr_update(&flat, 0.4));
    assert_int_equal(flat.unlearn, 0);
}

static void test_policy_cacheus_params(void **state)
{
    (void)state;
    ts_err_t err = {0};
    const ts_policy_ops_t *ops = ts_policy_find("cacheus", &err);
    assert_non_null(ops);
    _Alignas(max_align_t) unsigned char bad[256];
    const ts_plugin_t *b = &ops->base;
    assert_true(b->params_size <= sizeof(bad));
    assert_int_equal(ts_param_defaults(b->params, b->params_count, bad, b->params_size, &err), 0);
    /* Within the schema's range, but only -1 (drawn) is allowed below 0. */
    assert_int_equal(ts_param_set(b->params, b->params_count, bad, "learning_rate", "-0.5", &err),
                     0);
    ts_policy_init_t init = {.capacity = 4, .count_objects = true, .seed = 1};
    ts_policy_t *p = NULL;
    assert_int_equal(ops->create(bad, &init, &p, &err), TS_EINVAL);
    assert_null(p);
    assert_non_null(strstr(err.msg, "learning_rate"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_cacheus_hand_trace),
        cmocka_unit_test(test_policy_cacheus_regret),
        cmocka_unit_test(test_policy_cacheus_learning_rate),
        cmocka_unit_test(test_policy_cacheus_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
