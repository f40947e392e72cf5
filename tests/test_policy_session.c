/* SPDX-License-Identifier: MIT */
/*
 * test_policy_session.c - the session-aware policy traced by hand: without hints it is LRU
 * (the textbook reference string faults 12 times); with hints it evicts the object whose
 * predicted next use (due = access time + idle_ns) is furthest, compares it with LRU's
 * age estimate (now + (now - last access)), lets an overdue hint age the same way, stops
 * trusting a hint once a second stream touches the object, and treats idle_ns = UINT64_MAX
 * as never again. A prefetch-style access stamped with time 0 does not turn the clock back.
 */
#include "policy_trace.h"

#define NEVER UINT64_MAX

typedef struct step {
    uint64_t t;    /* request time */
    char key;      /* one-character key */
    uint32_t s;    /* stream */
    bool hint;     /* carries TS_REQ_HINT */
    uint64_t idle; /* idle_ns when hinted */
} step_t;

/* Replays steps through t; writes 'H'/'m' per step into out and the victims into vs. */
static const char *run(ts_tier_t *t, const step_t *st, size_t n, char *out, pt_victims_t *vs)
{
    ts_err_t err = {0};
    for (size_t i = 0; i < n; i++) {
        ts_req_t r = {.time_ns = st[i].t,
                      .key = (unsigned char)st[i].key,
                      .size_bytes = 1,
                      .next_access = TS_REQ_NEVER,
                      .stream = st[i].s,
                      .op = TS_OP_GET,
                      .flags = st[i].hint ? TS_REQ_HINT : 0,
                      .idle_ns = st[i].hint ? st[i].idle : 0};
        bool hit = ts_tier_lookup(t, &r);
        out[i] = hit ? 'H' : 'm';
        if (!hit) {
            bool inserted;
            assert_int_equal(ts_tier_fill(t, &r, pt_on_evict, vs, &inserted, &err), 0);
            assert_true(inserted);
        }
        assert_true(t->used <= t->capacity);
    }
    out[n] = 0;
    return out;
}

static void test_policy_session_without_hints_is_lru(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("session", 3, NULL, 0);
    char got[32], set[32];
    /* The same frames as LRU in test_policy_basic.c: 12 faults. */
    assert_string_equal(pt_run(t, "70120304230321201701", got), "mmmmHmHmmmmHHmHmHmHH");
    assert_string_equal(pt_content(t, set), "017");
    ts_tier_destroy(t);
}

static void test_policy_session_hand_trace(void **state)
{
    (void)state;
    /* Capacity 3. due = t + idle for hinted private objects; N is each candidate's
     * predicted next use at the eviction time `now`; ties go to the older access.
     *  t0  A s1 idle 5    m  {A due 5}
     *  t1  B s2 idle 100  m  {A 5, B 101}
     *  t2  C s3           m  {A 5, B 101, C L2}
     *  t3  D s4           m  now 3: max due B 101 > C's 3 + 1 = 4 -> -B (LRU would drop A)
     *  t5  A s1 idle 5    H  A due 10
     *  t6  B s2           m  now 6: A 10 vs C 6 + 4 = 10: tie, C's access is older -> -C
     *  t20 E s5           m  now 20: A overdue by 10 -> 30; D 20 + 17 = 37 -> -D
     *  t21 F s6           m  A 21 + 11 = 32; B 21 + 15 = 36 -> -B
     *  t22 G s7           m  A 22 + 12 = 34; E 22 + 2 = 24 -> -A
     *  t30 X s1 idle 1000 m  E 30 + 10 = 40 (no parked object) -> -E; X due 1030
     *  t31 X s2 idle 1000 H  a second stream: X is shared, its hints no longer count
     *  t32 Y s8           m  LRU tail F (X unhinted, L31) -> -F
     *  t0  Z s9 idle max  m  stamped 0 but the clock stays at 32; G 32 + 10 = 42 -> -G;
     *                        Z due never
     *  t34 W s10          m  Z never > X 34 + 3 -> -Z */
    static const step_t st[] = {
        {0, 'A', 1, true, 5},       {1, 'B', 2, true, 100},   {2, 'C', 3, false, 0},
        {3, 'D', 4, false, 0},      {5, 'A', 1, true, 5},     {6, 'B', 2, false, 0},
        {20, 'E', 5, false, 0},     {21, 'F', 6, false, 0},   {22, 'G', 7, false, 0},
        {30, 'X', 1, true, 1000},   {31, 'X', 2, true, 1000}, {32, 'Y', 8, false, 0},
        {0, 'Z', 9, true, NEVER},   {34, 'W', 10, false, 0},
    };
    ts_tier_t *t = pt_tier("session", 3, NULL, 0);
    char got[32], set[32];
    pt_victims_t vs = {{0}, 0};
    size_t n = sizeof(st) / sizeof(st[0]);
    assert_string_equal(run(t, st, n, got, &vs), "mmmmHmmmmmHmmm");
    assert_string_equal(vs.v, "BCDBAEFGZ");
    assert_string_equal(pt_content(t, set), "WXY");
    ts_tier_destroy(t);
}

static void test_policy_session_remove_and_drain(void **state)
{
    (void)state;
    /* Parked and unhinted objects both leave through remove and evict; a drained tier
     * reports empty. */
    static const step_t st[] = {
        {0, 'A', 1, true, 50}, {1, 'B', 1, false, 0}, {2, 'C', 2, true, 10}};
    ts_tier_t *t = pt_tier("session", 3, NULL, 0);
    char got[8];
    pt_victims_t vs = {{0}, 0};
    assert_string_equal(run(t, st, 3, got, &vs), "mmm");
    assert_true(ts_tier_remove(t, 'C'));
    assert_false(ts_tier_remove(t, 'C'));
    ts_policy_t *p = t->policy;
    ts_victim_t v;
    ts_req_t r = {.time_ns = 2, .key = 'Z', .size_bytes = 1};
    /* now 2: A due 50 against B 2 + 1 = 3: A goes first. */
    assert_int_equal(p->ops->evict(p, &r, &v), 0);
    assert_int_equal(v.key, 'A');
    assert_int_equal(p->ops->evict(p, &r, &v), 0);
    assert_int_equal(v.key, 'B');
    assert_int_equal(p->ops->evict(p, &r, &v), TS_ENOENT);
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_session_without_hints_is_lru),
        cmocka_unit_test(test_policy_session_hand_trace),
        cmocka_unit_test(test_policy_session_remove_and_drain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
