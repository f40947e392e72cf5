/* SPDX-License-Identifier: MIT */
/*
 * test_policy_arc.c - ARC traced by hand with c = 2 following the FAST'03 paper: a B1
 * ghost hit raises p (which then protects T1), a B2 ghost hit lowers it (which then lets
 * T1 go first), ghost trimming (cases IV.A and IV.B), and the bytes-mode generalisation.
 */
#include "policy_trace.h"

extern const ts_policy_ops_t ts_policy_arc;

static void test_policy_arc_ghost_hits(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("arc", 2, NULL, 0);
    char got[16], set[8];
    /* Lists most recent first; p starts at 0.
     *  1 A m: IV, directory not full            T1 [A]
     *  2 B m                                    T1 [B A]
     *  3 A H                                    T1 [B]  T2 [A]
     *  4 C m: IV.B; REPLACE: |T1| = 1 > p = 0 -> B to B1
     *                                           T1 [C]  T2 [A]  B1 [B]
     *  5 B m: B1 hit: p = min(2, 0 + max(|B2|/|B1| = 0, 1)) = 1;
     *         REPLACE: |T1| = 1, not > p = 1 -> A (T2) to B2; B to T2
     *                                           T1 [C]  T2 [B]  B2 [A]
     *         (with p still 0, C would have left instead) */
    assert_string_equal(pt_run(t, "ABACB", got), "mmHmm");
    assert_string_equal(pt_content(t, set), "BC");
    /*  6 C H: p = 1 kept C                      T2 [C B]  B2 [A]
     *  7 D m: IV.B (|L1| = 0, total 3 < 4); REPLACE: |T1| = 0 -> B to B2
     *                                           T1 [D]  T2 [C]  B2 [B A]
     *  8 A m: B2 hit: p = max(0, 1 - max(|B1|/|B2| = 0, 1)) = 0;
     *         REPLACE: |T1| = 1 > 0 -> D to B1; A to T2
     *                                           T2 [A C]  B1 [D]  B2 [B] */
    assert_string_equal(pt_run(t, "CDA", got), "Hmm");
    assert_string_equal(pt_content(t, set), "AC");
    /*  9 E m: IV.B with total = 4 = 2c: B (LRU of B2) deleted; REPLACE: |T1| = 0 -> C to B2
     *                                           T1 [E]  T2 [A]  B1 [D]  B2 [C]
     * 10 F m: IV.A (|T1| + |B1| = 2 = c, |T1| < c): D (LRU of B1) deleted;
     *         REPLACE: |T1| = 1 > p = 0 -> E to B1
     *                                           T1 [F]  T2 [A]  B1 [E]  B2 [C]
     *         (had p stayed 1, A would have left T2 instead)
     * 11 A H */
    assert_string_equal(pt_run(t, "EFA", got), "mmH");
    assert_string_equal(pt_content(t, set), "AF");
    /* 12 D m: D's ghost was deleted at #10, so D is new: IV.A (|T1| + |B1| = 2):
     *         E (LRU of B1) deleted; REPLACE: |T1| = 1 > 0 -> F to B1
     *                                           T1 [D]  T2 [A]  B1 [F]  B2 [C]
     * 13 C m: B2 hit: p = max(0, 0 - 1) = 0; REPLACE: x in B2, |T1| = 1 >= p -> D to B1;
     *         C to T2                           T2 [C A]  B1 [D F]
     * 14 F m: B1 hit: p = min(2, 0 + max(0/2, 1)) = 1; REPLACE: T1 empty -> A to B2;
     *         F to T2                           T2 [F C]  B1 [D]  B2 [A] */
    assert_string_equal(pt_run(t, "DCF", got), "mmm");
    assert_string_equal(pt_content(t, set), "CF");
    /* 15 D m: B1 hit: p = min(2, 1 + max(|B2|/|B1| = 1, 1)) = 2; REPLACE: T1 empty -> C
     *         to B2; D to T2                    T2 [D F]  B2 [C A]
     * 16 X m: IV.B with total = 4: A (LRU of B2) deleted; REPLACE: T1 empty -> F to B2
     *                                           T1 [X]  T2 [D]  B2 [F C]
     * 17 C m: B2 hit: p = max(0, 2 - max(0/2, 1)) = 1; REPLACE: x in B2 and |T1| = 1 = p
     *         -> X to B1 (without the x-in-B2 clause D would leave T2); C to T2
     *                                           T2 [C D]  B1 [X]  B2 [F] */
    assert_string_equal(pt_run(t, "DXC", got), "mmm");
    assert_string_equal(pt_content(t, set), "CD");
    ts_tier_destroy(t);
}

static void test_policy_arc_full_t1_drops_without_ghost(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("arc", 2, NULL, 0);
    char got[16], set[8];
    /* 1 A m, 2 B m                       T1 [B A]
     * 3 C m: IV.A with |T1| = c: the LRU of T1 (A) leaves the cache with no ghost
     *                                     T1 [C B]
     * 4 A m: A is new, not a ghost hit: IV.A again, B leaves with no ghost
     *                                     T1 [A C]
     * 5 C H                               T1 [A]  T2 [C]
     * 6 B m: new; IV.B (|L1| = 1 < c, total 2): REPLACE |T1| = 1 > p = 0 -> A to B1
     *                                     T1 [B]  T2 [C]  B1 [A]
     * 7 A m: B1 hit this time: p = 1; REPLACE |T1| = 1 not > 1 -> C to B2; A to T2
     *                                     T1 [B]  T2 [A]  B2 [C] */
    assert_string_equal(pt_run(t, "ABCACBA", got), "mmmmHmm");
    assert_string_equal(pt_content(t, set), "AB");
    ts_tier_destroy(t);
}

static void test_policy_arc_lookup_without_touch_keeps_state(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("arc", 2, NULL, 0);
    char got[16], set[8];
    /* Same as the first four requests of test_policy_arc_ghost_hits: T1 [C] T2 [A] B1 [B]
     * and p = 0. Untouched lookups of every key (A in T2, C in T1, B a ghost) change
     * nothing, so:
     *  B m: B1 hit, p = 1; REPLACE |T1| = 1 not > 1 -> A to B2     T1 [C]  T2 [B]
     *  D m: REPLACE |T1| = 1 not > 1 -> B to B2                     T1 [D C]
     * Had the untouched lookup of C moved it to T2 (T2 [C A]), B's miss would have taken
     * A, and D's would have taken C from T2, leaving B and D. */
    assert_string_equal(pt_run(t, "ABAC", got), "mmHm");
    assert_string_equal(pt_content(t, set), "AC");
    assert_string_equal(pt_content(t, set), "AC");
    assert_string_equal(pt_run(t, "BD", got), "mm");
    assert_string_equal(pt_content(t, set), "CD");
    ts_tier_destroy(t);
}

static void test_policy_arc_bytes_mode(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_policy_init_t init = {.capacity = 100, .count_objects = false};
    ts_tier_t *t;
    assert_int_equal(ts_tier_create("arc", &ts_policy_arc, NULL, &init, &t, &err), 0);
    ts_req_t a = {.key = 'A', .size_bytes = 60}, b = {.key = 'B', .size_bytes = 30};
    ts_req_t c = {.key = 'C', .size_bytes = 50};
    bool ins;
    /* A(60) m, B(30) m: T1 [B A] 90 bytes. A H: T2 [A]. C(50) m: 90 + 50 > 100:
     * REPLACE |T1| = 30 > p = 0 -> B to B1 (60 used), still 110 > 100: |T1| = 0 -> A to
     * B2; C enters T1. Ghosts count nothing against the tier: used = 50. */
    assert_false(ts_tier_lookup(t, &a));
    assert_int_equal(ts_tier_fill(t, &a, NULL, NULL, &ins, &err), 0);
    assert_false(ts_tier_lookup(t, &b));
    assert_int_equal(ts_tier_fill(t, &b, NULL, NULL, &ins, &err), 0);
    assert_true(ts_tier_lookup(t, &a));
    assert_false(ts_tier_lookup(t, &c));
    assert_int_equal(ts_tier_fill(t, &c, NULL, NULL, &ins, &err), 0);
    assert_int_equal(t->used, 50);
    assert_int_equal(t->st.n_evict, 2);
    /* B(30) m: a B1 hit; 50 + 30 <= 100, no eviction; B goes to T2. */
    assert_false(ts_tier_lookup(t, &b));
    assert_int_equal(ts_tier_fill(t, &b, NULL, NULL, &ins, &err), 0);
    assert_int_equal(t->used, 80);
    assert_true(ts_tier_lookup(t, &b));
    assert_true(ts_tier_lookup(t, &c));
    ts_tier_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_arc_ghost_hits),
        cmocka_unit_test(test_policy_arc_full_t1_drops_without_ghost),
        cmocka_unit_test(test_policy_arc_lookup_without_touch_keeps_state),
        cmocka_unit_test(test_policy_arc_bytes_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
