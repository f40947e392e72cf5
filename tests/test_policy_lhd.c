/* SPDX-License-Identifier: MIT */
/*
 * test_policy_lhd.c - LHD traced by hand with c = 2 before its first reconfiguration (ages
 * coarsened by 2^10 accesses are all 0, so an object's rank is its class's starting density
 * (k + 17) / 1: 17 for an object never hit (class 0), 32 after a hit at age 0 (hit ages
 * 0 + 0: class 15)). The samples are the policy's own stream (seed 1), replayed here from
 * the same generator; the hit-density model is tested on its own.
 */
#include "policy_trace.h"
#include "policies/lhd_internal.h"
#include "sim/util/rng.h"

/* The slot (of 2) that draw i (1-based) of the policy's stream picks. */
static unsigned lhd_slot_of_draw(unsigned i)
{
    uint64_t s = ts_seed_derive(1, 0x4c4844); /* the policy's stream, seed 1 */
    uint64_t x = 0;
    for (unsigned k = 0; k < i; k++) {
        s += 0x9e3779b97f4a7c15ULL;
        x = ts_mix64(s);
    }
    return (unsigned)(((unsigned __int128)x * 2) >> 64);
}

/* Whether the 8 draws of an eviction starting at draw first pick slot 1 at least once. */
static bool lhd_samples_slot1(unsigned first)
{
    for (unsigned i = first; i < first + 8; i++)
        if (lhd_slot_of_draw(i) == 1)
            return true;
    return false;
}

static void test_policy_lhd_hand_trace(void **state)
{
    (void)state;
    /* Each access (hit or insert) takes one draw (the explorer's 1 in 32; no budget at
     * c = 2: 1% of 2 is 0), each eviction 8 (warm-up). Slots: the dense array, a victim's
     * slot taken by the last tag. */
    assert_true(lhd_samples_slot1(4));  /* step 4: [A B] draws 4-11 see B */
    assert_true(lhd_samples_slot1(13)); /* step 5: [A C] draws 13-20 see C */
    assert_true(lhd_samples_slot1(23)); /* step 7: [A D] draws 23-30 see D */
    assert_true(lhd_samples_slot1(32)); /* step 8: [A E] draws 32-39 see E */
    ts_tier_t *t = pt_tier("lhd", 2, NULL, 0);
    pt_victims_t vs = {0};
    char got[16], set[8];
    /*  1 A m (draw 1)  2 B m (draw 2)  3 A H: hit at age 0, A ranks 32 (draw 3)
     *  4 C m: A 32, B 17: B leaves (LRU too); C in slot 1 (draw 12)
     *  5 D m: A 32, C 17: C leaves, where LRU would evict A (draw 21 for D)
     *  6 A H (draw 22)
     *  7 E m: A 32, D 17: D leaves (draws 23-30; 31 for E)
     *  8 D m: A 32, E 17: E leaves (draws 32-39; 40 for D) */
    const char *keys = "ABACDAED";
    assert_string_equal(pt_run_victims(t, keys, got, &vs), "mmHmmHmm");
    assert_string_equal(vs.v, "BCDE");
    assert_string_equal(pt_content(t, set), "AD");
    ts_tier_destroy(t);
}

static void test_policy_lhd_model(void **state)
{
    (void)state;
    /* Ages 0..3. hits {1, 0, 2, 0}, evictions {0, 1, 0, 1}. From the oldest age down:
     *   a = 3: H = 0, E = 1, L = 1 (not written)
     *   a = 2: H = 2, E = 3, L = 4:  2 / 4  = 0.5
     *   a = 1: H = 2, E = 4, L = 8:  2 / 8  = 0.25
     *   a = 0: H = 3, E = 5, L = 13: 3 / 13
     * (an object of age 0 earns 3 hits over 13 age-steps of space-time among the events
     * still ahead of it). */
    const float hits[4] = {1, 0, 2, 0}, evicts[4] = {0, 1, 0, 1};
    float d[4] = {-1, -1, -1, -7};
    ts__lhd_model(hits, evicts, d, 4);
    assert_true(d[0] == 3.0f / 13.0f);
    assert_true(d[1] == 0.25f);
    assert_true(d[2] == 0.5f);
    assert_true(d[3] == -7);
    /* No events at all: density 0. */
    const float none[3] = {0, 0, 0};
    float z[3] = {5, 5, 5};
    ts__lhd_model(none, none, z, 3);
    assert_true(z[0] == 0 && z[1] == 0 && z[2] == 5);
}

static void test_policy_lhd_params(void **state)
{
    (void)state;
    ts_err_t err = {0};
    const ts_policy_ops_t *ops = ts_policy_find("lhd", &err);
    assert_non_null(ops);
    _Alignas(max_align_t) unsigned char params[256];
    const ts_plugin_t *b = &ops->base;
    assert_true(b->params_size <= sizeof(params));
    assert_int_equal(ts_param_defaults(b->params, b->params_count, params, b->params_size, &err),
                     0);
    assert_int_not_equal(ts_param_set(b->params, b->params_count, params, "samples", "0", &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_lhd_hand_trace),
        cmocka_unit_test(test_policy_lhd_model),
        cmocka_unit_test(test_policy_lhd_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
