/* SPDX-License-Identifier: MIT */
/*
 * test_policy_ttl.c - the expiry-aware LRU traced by hand (an expired object leaves before
 * the LRU tail, an unexpired TTL changes nothing, a write refreshes the TTL), and exactly
 * LRU on a trace without TTLs.
 */
#include "policy_trace.h"
#include "rng_test.h"

/* One request at time_s seconds with a TTL of ttl_s seconds (0: none): 'H' or 'm'. */
static char step(ts_tier_t *t, uint64_t time_s, char key, uint64_t ttl_s)
{
    ts_req_t r = {.time_ns = time_s * 1000000000ull, .key = (unsigned char)key,
                  .size_bytes = 1, .op = TS_OP_GET, .next_access = TS_REQ_NEVER};
    if (ttl_s) {
        r.flags = TS_REQ_TTL;
        r.idle_ns = ttl_s * 1000000000ull;
    }
    if (ts_tier_lookup(t, &r))
        return 'H';
    ts_err_t err = {0};
    bool inserted;
    assert_int_equal(ts_tier_fill(t, &r, NULL, NULL, &inserted, &err), 0);
    assert_true(inserted);
    return 'm';
}

/* Capacity 3. LRU list newest first; (expiry).
 *   0 s A ttl 10 s  m  [A(10)]        1 s B m [B A(10)]      2 s C ttl 100 s m [C(102) B A]
 *   3 s A H: [A(10) C B]
 *  20 s D m: A expired at 10 s: it leaves, though the most recently used; LRU would take B
 *            [D C(102) B]
 *  21 s E m: C expires at 102 s, not yet: the LRU tail, B, leaves  [E D C(102)]
 *  22 s C ttl 1 s H (a write: C now expires at 23 s)  [C(23) E D]
 *  30 s F m: C expired: it goes  [F E D] */
static void test_policy_ttl_expired_objects_leave_first(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("ttl", 3, NULL, 0);
    char set[8];
    assert_int_equal(step(t, 0, 'A', 10), 'm');
    assert_int_equal(step(t, 1, 'B', 0), 'm');
    assert_int_equal(step(t, 2, 'C', 100), 'm');
    assert_int_equal(step(t, 3, 'A', 0), 'H');
    assert_int_equal(step(t, 20, 'D', 0), 'm');
    assert_string_equal(pt_content(t, set), "BCD");
    assert_int_equal(step(t, 21, 'E', 0), 'm');
    assert_string_equal(pt_content(t, set), "CDE");
    assert_int_equal(step(t, 22, 'C', 1), 'H');
    assert_int_equal(step(t, 30, 'F', 0), 'm');
    assert_string_equal(pt_content(t, set), "DEF");
    ts_tier_destroy(t);
}

/* Without TTLs the policy is LRU: the same hits and misses on 20,000 requests over 500
 * keys, capacity 100. */
static void test_policy_ttl_without_ttls_is_lru(void **state)
{
    (void)state;
    ts_tier_t *a = pt_tier("ttl", 100, NULL, 0), *b = pt_tier("lru", 100, NULL, 0);
    gsl_rng *g = test_rng(5);
    for (uint64_t i = 0; i < 20000; i++) {
        uint64_t k = gsl_rng_uniform_int(g, 500);
        ts_req_t r = {.time_ns = i, .key = k, .size_bytes = 1, .op = TS_OP_GET,
                      .next_access = TS_REQ_NEVER};
        bool ha = ts_tier_lookup(a, &r), hb = ts_tier_lookup(b, &r);
        assert_int_equal(ha, hb);
        ts_err_t err = {0};
        bool ins;
        if (!ha) {
            assert_int_equal(ts_tier_fill(a, &r, NULL, NULL, &ins, &err), 0);
            assert_int_equal(ts_tier_fill(b, &r, NULL, NULL, &ins, &err), 0);
        }
    }
    gsl_rng_free(g);
    ts_tier_destroy(a);
    ts_tier_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_ttl_expired_objects_leave_first),
        cmocka_unit_test(test_policy_ttl_without_ttls_is_lru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
