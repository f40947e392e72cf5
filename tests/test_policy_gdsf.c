/* SPDX-License-Identifier: MIT */
/*
 * test_policy_gdsf.c - GDSF traced by hand in bytes mode (capacity 10 bytes): priority H =
 * L + freq / size, L the last victim's H. Large objects with few requests leave first.
 * In objects mode (every size 1) it makes LFUDA's choices.
 */
#include "policy_trace.h"

/* Replays (key, size) pairs through t in bytes mode; 'H' or 'm' per request. */
static const char *gdsf_run(ts_tier_t *t, const char *keys, const uint64_t *sizes, char *out)
{
    size_t n = strlen(keys);
    ts_err_t err = {0};
    for (size_t i = 0; i < n; i++) {
        ts_req_t r = {.key = (unsigned char)keys[i], .size_bytes = sizes[i], .op = TS_OP_GET,
                      .next_access = TS_REQ_NEVER};
        bool hit = ts_tier_lookup(t, &r), inserted;
        out[i] = hit ? 'H' : 'm';
        if (!hit)
            assert_int_equal(ts_tier_fill(t, &r, NULL, NULL, &inserted, &err), 0);
        assert_true(t->used <= t->capacity);
    }
    out[n] = 0;
    return out;
}

static void test_policy_gdsf_bytes(void **state)
{
    (void)state;
    ts_err_t err = {0};
    const ts_policy_ops_t *ops = ts_policy_find("gdsf", &err);
    assert_non_null(ops);
    ts_policy_init_t init = {.capacity = 10, .count_objects = false, .seed = 1};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create("gdsf", ops, NULL, &init, &t, &err), 0);
    char got[16], set[8];
    /* L = 0.  1 A(5) m H = 1/5 = 0.2   2 B(2) m H = 0.5   3 C(3) m H = 1/3   used 10
     *  4 D(2) m: A (0.2) leaves, L = 0.2; D: 0.2 + 1/2 = 0.7            used 7
     *  5 B H: 0.2 + 2/2 = 1.2
     *  6 E(4) m: 7 + 4 > 10: C (1/3) leaves, L = 1/3; E: 1/3 + 1/4 = 0.583  used 8
     *  7 F(1) m: fits: F: 1/3 + 1 = 1.333                                used 9
     *  8 G(3) m: E (0.583) leaves, L = 0.583; G: 0.583 + 1/3 = 0.917      used 8 */
    static const uint64_t sizes[] = {5, 2, 3, 2, 2, 4, 1, 3};
    assert_string_equal(gdsf_run(t, "ABCDBEFG", sizes, got), "mmmmHmmm");
    assert_string_equal(pt_content(t, set), "BDFG");
    assert_int_equal(t->used, 8);
    assert_int_equal(t->st.n_evict, 3);
    ts_tier_destroy(t);
}

static void test_policy_gdsf_objects_is_lfuda(void **state)
{
    (void)state;
    char keys[PT_MAX_KEYS + 1], a[PT_MAX_KEYS + 1], b[PT_MAX_KEYS + 1];
    pt_keys(keys, 777, 11);
    ts_tier_t *g = pt_tier("gdsf", 4, NULL, 0), *l = pt_tier("lfuda", 4, NULL, 0);
    assert_string_equal(pt_run(g, keys, a), pt_run(l, keys, b));
    ts_tier_destroy(g);
    ts_tier_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_gdsf_bytes),
        cmocka_unit_test(test_policy_gdsf_objects_is_lfuda),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
