/* SPDX-License-Identifier: MIT */
/*
 * test_policy_beladysize.c - Belady-Size traced by hand in bytes mode (the size-weighted
 * distance picks another victim than OPT's furthest next use) and in objects mode (OPT's
 * textbook string, never-again objects first), then exactly OPT's misses in objects mode
 * with samples = 0 on random traces.
 */
#include "policy_trace.h"
#include "sim/util/rng.h"

/* A tier of policy name (samples = s, or its own parameters when s is NULL) with capacity
 * units, in bytes mode or objects mode. */
static ts_tier_t *bs_tier(const char *name, const char *s, uint64_t capacity, bool objects)
{
    ts_err_t err = {0};
    const ts_policy_ops_t *ops = ts_policy_find(name, &err);
    assert_non_null(ops);
    _Alignas(max_align_t) unsigned char params[64];
    const ts_plugin_t *b = &ops->base;
    assert_true(b->params_size <= sizeof(params));
    assert_int_equal(ts_param_defaults(b->params, b->params_count, params, b->params_size, &err),
                     0);
    if (s)
        assert_int_equal(ts_param_set(b->params, b->params_count, params, "samples", s, &err),
                         0);
    ts_policy_init_t init = {.capacity = capacity, .count_objects = objects, .seed = 3};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create(name, ops, params, &init, &t, &err), 0);
    return t;
}

/* Replays keys (letters: sizes in bytes from size_of['A'..]; digits: 1 byte) through t;
 * 'H' or 'm' per request into out, the victims in order into *v. */
static const char *bs_run(ts_tier_t *t, const char *keys, const uint64_t *size_of, char *out,
                          pt_victims_t *v)
{
    size_t n = strlen(keys);
    ts_req_t reqs[PT_MAX_KEYS];
    assert_true(n <= PT_MAX_KEYS);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)keys[i];
        reqs[i] = (ts_req_t){.key = c, .size_bytes = c >= 'A' ? size_of[c - 'A'] : 1};
    }
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(reqs, n, &err), 0);
    v->n = 0;
    v->v[0] = 0;
    for (size_t i = 0; i < n; i++) {
        bool hit = ts_tier_lookup(t, &reqs[i]), inserted;
        out[i] = hit ? 'H' : 'm';
        if (!hit)
            assert_int_equal(ts_tier_fill(t, &reqs[i], pt_on_evict, v, &inserted, &err), 0);
        assert_int_equal(t->policy->ops->check(t->policy, t->n_objects, t->used, true, &err), 0);
    }
    out[n] = 0;
    return out;
}

static void test_policy_beladysize_bytes_hand_trace(void **state)
{
    (void)state;
    static const uint64_t size_of[] = {8, 1, 1, 2}; /* A B C D, bytes */
    /* 10 bytes; index 0:A 1:B 2:C 3:D 4:A 5:B 6:C 7:D; next uses A@0 -> 4, B@1 -> 5,
     * C@2 -> 6, D@3 -> 7, then never.
     *  #0-#2 m: A B C fill the 10 bytes.
     *  #3 D (2 B) m, now 3: scores (next - now) x size: A (4-3) x 8 = 8, B (5-3) x 1 = 2,
     *     C (6-3) x 1 = 3 -> evict A (OPT: C, the furthest); 2 bytes used, D fits [B C D].
     *  #4 A (8 B) m, now 4: B 1 x 1 = 1, C 2 x 1 = 2, D 3 x 2 = 6 -> evict D; 2 + 8 = 10:
     *     A enters never to be requested again [A B C].
     *  #5 B H, #6 C H: both become never-again (A, then B, then C).
     *  #7 D (2 B) m: never-again objects first, the latest first: C (9 used), B (8 used),
     *     then D fits [A D]. Victims A D C B. */
    char got[16];
    pt_victims_t v;
    for (int k = 0; k < 2; k++) { /* exact, then 128 samples of at most 3 live objects: the
                                   * largest is missed with probability (2/3)^128 < 1e-22 */
        ts_tier_t *t = bs_tier("beladysize", k ? NULL : "0", 10, false);
        assert_string_equal(bs_run(t, "ABCDABCD", size_of, got, &v), "mmmmmHHm");
        assert_string_equal(v.v, "ADCB");
        assert_int_equal(t->used, 10);
        ts_tier_destroy(t);
    }
    /* OPT on the same: #3 evicts C (next 6) then B (next 5) [A D]; #4 A H; #5 B m: A,
     * never again, leaves [B D]; #6 C m (4 bytes used); #7 D H. */
    ts_tier_t *t = bs_tier("opt", NULL, 10, false);
    assert_string_equal(bs_run(t, "ABCDABCD", size_of, got, &v), "mmmmHmmH");
    assert_string_equal(v.v, "CBA");
    ts_tier_destroy(t);
}

static void test_policy_beladysize_objects_hand_trace(void **state)
{
    (void)state;
    static const uint64_t size_of[] = {8, 1, 1, 2};
    char got[32];
    pt_victims_t v;
    /* 3 objects, sizes ignored (each counts 1): scores are next - now, OPT's order.
     *  #3 D m, now 3: A 1, B 2, C 3 -> evict C [A B D]; #4 A H, #5 B H (both never again);
     *  #6 C m: B, the latest never-again object, leaves [A C D]; #7 D H. */
    ts_tier_t *t = bs_tier("beladysize", "0", 3, true);
    assert_string_equal(bs_run(t, "ABCDABCD", size_of, got, &v), "mmmmHHmH");
    assert_string_equal(v.v, "CB");
    ts_tier_destroy(t);
    /* The textbook string (test_policy_opt.c): 9 faults and OPT's victims, 7 1 0 at #3 #5
     * #7 by distance, then 4 (#10), 3 (#13) and 2 (#17), each then the one never-again
     * object cached. */
    t = bs_tier("beladysize", "0", 3, true);
    assert_string_equal(bs_run(t, "70120304230321201701", size_of, got, &v),
                        "mmmmHmHmHHmHHmHHHmHH");
    assert_int_equal(t->st.n_miss, 9);
    assert_string_equal(v.v, "710432");
    ts_tier_destroy(t);
}

/* The never-again stack and a hit that moves an object onto it: a hit whose request is the
 * key's last makes it the first victim, whatever its distance was. */
static void test_policy_beladysize_last_hit_leaves_first(void **state)
{
    (void)state;
    static const uint64_t size_of[] = {1, 1, 1};
    char got[16];
    pt_victims_t v;
    /* 0:A 1:B 2:A 3:C 4:B. #2 A H (never again); #3 C m: A leaves though B's distance
     * (4 - 3) x 1 is smaller than A's was; #4 B H. */
    ts_tier_t *t = bs_tier("beladysize", NULL, 2, true);
    assert_string_equal(bs_run(t, "ABACB", size_of, got, &v), "mmHmH");
    assert_string_equal(v.v, "A");
    ts_tier_destroy(t);
}

/* With equal charges (objects mode, any sizes) and samples = 0 the rule is OPT's:
 * furthest next use, never-again objects first, so the misses are OPT's. */
static void test_policy_beladysize_exact_is_opt_in_objects_mode(void **state)
{
    (void)state;
    enum { N = 20000, KEYS = 400 };
    ts_req_t *r = test_malloc(N * sizeof(*r));
    uint64_t s = 11;
    for (size_t i = 0; i < N; i++) {
        s += 0x9e3779b97f4a7c15ULL;
        uint64_t z = ts_mix64(s);
        uint64_t k = z % KEYS;
        r[i] = (ts_req_t){.key = (z >> 32) % 3 ? k % 40 : k, .size_bytes = 1 + (z >> 40) % 500};
    }
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(r, N, &err), 0);
    static const uint64_t caps[] = {1, 7, 30, 100, 300};
    for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
        ts_tier_t *a = bs_tier("opt", NULL, caps[c], true);
        ts_tier_t *b = bs_tier("beladysize", "0", caps[c], true);
        for (size_t i = 0; i < N; i++) {
            ts_tier_t *t2[2] = {a, b};
            for (int j = 0; j < 2; j++) {
                bool ins;
                if (!ts_tier_lookup(t2[j], &r[i]))
                    assert_int_equal(ts_tier_fill(t2[j], &r[i], NULL, NULL, &ins, &err), 0);
            }
        }
        assert_int_equal(b->st.n_miss, a->st.n_miss);
        assert_true(a->st.n_miss > KEYS / 2); /* evictions happened */
        ts_tier_destroy(a);
        ts_tier_destroy(b);
    }
    test_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_beladysize_bytes_hand_trace),
        cmocka_unit_test(test_policy_beladysize_objects_hand_trace),
        cmocka_unit_test(test_policy_beladysize_last_hit_leaves_first),
        cmocka_unit_test(test_policy_beladysize_exact_is_opt_in_objects_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
