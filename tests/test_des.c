/* SPDX-License-Identifier: MIT */
/*
 * test_des.c - the event queue: equal times pop in insertion order, random schedules pop in
 * (time, insertion) order and each exactly once (checked against a sorted copy), the clock,
 * dispatch by kind, the renumbering of sequence numbers when they run out, and its errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/des.h"
#include "sim/util/mem.h"
#include "rng_test.h"

static ts_des_t *mkq(void)
{
    ts_des_t *q;
    ts_err_t err = {0};
    assert_int_equal(ts_des_create(0, &q, &err), 0);
    return q;
}

static void test_des_equal_times_pop_fifo(void **state)
{
    (void)state;
    ts_des_t *q = mkq();
    ts_err_t err = {0};
    /* 3000 events: ids 0..2999, at times 7, 5, 9, 5, 7, ... (id % 3 picks the time). */
    static const uint64_t times[3] = {7, 5, 9};
    for (uint32_t i = 0; i < 3000; i++)
        assert_int_equal(ts_des_schedule(q, times[i % 3], i, &err), 0);
    assert_int_equal(ts_des_pending(q), 3000);
    uint64_t at;
    uint32_t tag;
    /* time 5 holds ids 1, 4, 7, ...; time 7 ids 0, 3, ...; time 9 ids 2, 5, ... */
    static const uint32_t first[3] = {1, 0, 2};
    static const uint64_t order[3] = {5, 7, 9};
    for (int t = 0; t < 3; t++)
        for (uint32_t k = 0; k < 1000; k++) {
            assert_true(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
            assert_int_equal(at, order[t]);
            assert_int_equal(tag, first[t] + 3 * k);
            assert_int_equal(ts_des_now(q), order[t]);
        }
    assert_false(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
    assert_int_equal(ts_des_pending(q), 0);
    assert_int_equal(ts_des_peek(q), TS_DES_NEVER);
    ts_des_destroy(q);
}

struct ev {
    uint64_t at;
    uint32_t order; /* global schedule order */
};

static int ev_cmp(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* Hold model with random increments (many ties): pops must come out exactly in the order
 * of a stable sort of everything scheduled, (time, schedule order). */
static void test_des_random_schedules_pop_in_time_then_insertion_order(void **state)
{
    (void)state;
    enum { N0 = 5000, STEPS = 200000 };
    gsl_rng *rng = test_rng(12345);
    ts_des_t *q = mkq();
    ts_err_t err = {0};
    struct ev *all = malloc((N0 + STEPS) * sizeof(*all));
    uint32_t n = 0;
    for (; n < N0; n++) {
        all[n] = (struct ev){.at = gsl_rng_uniform_int(rng, 1000), .order = n};
        assert_int_equal(ts_des_schedule(q, all[n].at, n, &err), 0);
    }
    uint64_t last_at = 0;
    uint32_t last_order = 0, popped = 0;
    uint32_t *seen = calloc(N0 + STEPS, sizeof(*seen));
    uint32_t *pops = malloc((N0 + STEPS) * sizeof(*pops));
    for (uint32_t s = 0; s < STEPS + N0; s++) {
        uint64_t at;
        uint32_t tag;
        assert_true(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
        assert_int_equal(at, all[tag].at);
        assert_true(at > last_at || (at == last_at && (popped == 0 || tag > last_order)));
        last_at = at;
        last_order = tag;
        seen[tag]++;
        pops[popped++] = tag;
        /* sometimes schedule two, sometimes none, keeping the size about N0 */
        uint32_t k = s < STEPS ? (uint32_t)gsl_rng_uniform_int(rng, 3) : 0;
        for (uint32_t i = 0; i < k && n < N0 + STEPS; i++, n++) {
            all[n] = (struct ev){.at = at + gsl_rng_uniform_int(rng, 50), .order = n};
            assert_int_equal(ts_des_schedule(q, all[n].at, n, &err), 0);
        }
        if (ts_des_pending(q) == 0)
            break;
    }
    assert_int_equal(ts_des_pending(q), 0);
    assert_int_equal(popped, n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(seen[i], 1);
    /* The hold model only schedules at or after the clock, so the pop sequence is the
     * stable sort of all events. */
    qsort(all, n, sizeof(*all), ev_cmp);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(pops[i], all[i].order);
    free(pops);
    free(seen);
    free(all);
    ts_des_destroy(q);
    gsl_rng_free(rng);
}

/* Events scheduled at the current time wait in the ring: they run after the heap's events
 * of the same time (scheduled earlier), in their own order, and an allocation failure
 * while the ring grows leaves the queue as it was. */
static void test_des_events_at_now_follow_earlier_ones(void **state)
{
    (void)state;
    ts_des_t *q = mkq();
    ts_err_t err = {0};
    uint64_t at;
    uint32_t tag;
    assert_int_equal(ts_des_schedule(q, 10, 1, &err), 0);
    assert_int_equal(ts_des_schedule(q, 10, 2, &err), 0);
    assert_int_equal(ts_des_schedule(q, 20, 9, &err), 0);
    assert_true(ts_des_pop(q, TS_DES_NEVER, &at, &tag)); /* clock at 10 */
    assert_int_equal(tag, 1);
    assert_int_equal(ts_des_schedule(q, 10, 3, &err), 0); /* at now: the ring */
    assert_int_equal(ts_des_schedule(q, 10, 4, &err), 0);
    assert_int_equal(ts_des_pending(q), 4);
    assert_int_equal(ts_des_peek(q), 10);
    static const uint32_t want[] = {2, 3, 4, 9};
    for (size_t i = 0; i < 4; i++) {
        assert_true(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
        assert_int_equal(tag, want[i]);
        assert_int_equal(at, i < 3 ? 10 : 20);
    }
    assert_false(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
    /* the first event at now allocates the ring */
    ts_des_t *q2 = mkq();
    ts_mem_fail_after(0);
    assert_int_equal(ts_des_schedule(q2, 0, 7, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_int_equal(ts_des_pending(q2), 0);
    assert_int_equal(ts_des_schedule(q2, 0, 7, &err), 0);
    assert_true(ts_des_pop(q2, 0, &at, &tag));
    assert_int_equal(tag, 7);
    ts_des_destroy(q2);
    ts_des_destroy(q);
}

static void test_des_pop_stops_at_until_and_clock_only_moves_forward(void **state)
{
    (void)state;
    ts_des_t *q = mkq();
    ts_err_t err = {0};
    assert_int_equal(ts_des_schedule(q, 100, 1, &err), 0);
    assert_int_equal(ts_des_schedule(q, 200, 2, &err), 0);
    uint64_t at;
    uint32_t tag;
    assert_false(ts_des_pop(q, 99, &at, &tag));
    assert_int_equal(ts_des_now(q), 0);
    assert_true(ts_des_pop(q, 100, &at, &tag));
    assert_int_equal(at, 100);
    assert_int_equal(tag, 1);
    assert_false(ts_des_pop(q, 150, &at, &tag));
    assert_int_equal(ts_des_peek(q), 200);
    assert_int_equal(ts_des_pending(q), 1);
    /* the past is refused; the present is allowed */
    assert_int_equal(ts_des_schedule(q, 99, 3, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "before the clock"));
    ts_err_t err2 = {0};
    assert_int_equal(ts_des_schedule(q, 100, 4, &err2), 0);
    assert_true(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
    assert_int_equal(tag, 4);
    assert_true(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
    assert_int_equal(tag, 2);
    assert_int_equal(q->n_events, 3);
    ts_des_destroy(q);
}

/* Sequence numbers wrap after 2^32 schedules: the queue renumbers, keeping FIFO order. */
static void test_des_sequence_renumbering_keeps_fifo(void **state)
{
    (void)state;
    ts_des_t *q = mkq();
    ts_err_t err = {0};
    q->seq_next = UINT32_MAX - 40;
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(ts_des_schedule(q, i % 2 ? 50 : 10, i, &err), 0);
    assert_int_equal(q->seq_next, 100); /* renumbered once, at the 41st schedule */
    uint64_t at;
    uint32_t tag;
    for (uint32_t k = 0; k < 101; k++) {
        assert_true(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
        assert_int_equal(tag, k < 50 ? 2 * k : k < 100 ? 2 * (k - 50) + 1 : 1000);
        if (k == 10) { /* renumber again while a pop has left a hole at the root */
            q->seq_next = UINT32_MAX;
            assert_int_equal(ts_des_schedule(q, 50, 1000, &err), 0);
            assert_int_equal(q->seq_next, 90);
        }
    }
    assert_int_equal(ts_des_pending(q), 0);
    ts_des_destroy(q);
}

struct calls {
    uint32_t n;
    uint32_t ids[8];
    uint64_t at[8];
    ts_des_t *q;
};

static int on_event(void *ctx, uint32_t id, ts_err_t *err)
{
    struct calls *c = ctx;
    c->ids[c->n] = id;
    c->at[c->n++] = ts_des_now(c->q);
    if (id == 7) /* handlers may schedule */
        return ts_des_schedule(c->q, ts_des_now(c->q) + 5, ts_des_tag(0, 8), err);
    if (id == 99)
        return ts_err_set(err, TS_EIO, "handler failed");
    return 0;
}

static void test_des_run_dispatches_by_kind(void **state)
{
    (void)state;
    ts_des_t *q = mkq();
    ts_err_t err = {0};
    struct calls a = {.q = q}, b = {.q = q};
    uint32_t ka, kb;
    assert_int_equal(ts_des_kind_add(q, on_event, &a, &ka, &err), 0);
    assert_int_equal(ts_des_kind_add(q, on_event, &b, &kb, &err), 0);
    assert_int_equal(ka, 0);
    assert_int_equal(kb, 1);
    assert_int_equal(ts_des_tag_kind(ts_des_tag(kb, TS_DES_ID_MAX)), kb);
    assert_int_equal(ts_des_tag_id(ts_des_tag(kb, TS_DES_ID_MAX)), TS_DES_ID_MAX);
    assert_int_equal(ts_des_schedule(q, 10, ts_des_tag(ka, 7), &err), 0);
    assert_int_equal(ts_des_schedule(q, 12, ts_des_tag(kb, 3), &err), 0);
    assert_int_equal(ts_des_schedule(q, 30, ts_des_tag(kb, 4), &err), 0);
    assert_int_equal(ts_des_run(q, 20, &err), 0);
    /* a: 7 at 10, then 8 at 15 (scheduled by the handler); b: 3 at 12; 4 waits */
    assert_int_equal(a.n, 2);
    assert_int_equal(a.ids[0], 7);
    assert_int_equal(a.at[0], 10);
    assert_int_equal(a.ids[1], 8);
    assert_int_equal(a.at[1], 15);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.at[0], 12);
    assert_int_equal(ts_des_pending(q), 1);
    assert_int_equal(ts_des_now(q), 15);
    assert_int_equal(ts_des_schedule(q, 40, ts_des_tag(kb, 99), &err), 0);
    assert_int_equal(ts_des_schedule(q, 50, ts_des_tag(5, 1), &err), 0);
    assert_int_equal(ts_des_run(q, TS_DES_NEVER, &err), TS_EIO);
    assert_int_equal(b.n, 3);
    ts_err_t err2 = {0};
    assert_int_equal(ts_des_run(q, TS_DES_NEVER, &err2), TS_EINTERNAL);
    assert_non_null(strstr(err2.msg, "no handler"));
    ts_des_destroy(q);
}

static void test_des_kinds_run_out(void **state)
{
    (void)state;
    ts_des_t *q = mkq();
    ts_err_t err = {0};
    uint32_t k;
    for (uint32_t i = 0; i < TS_DES_KINDS; i++)
        assert_int_equal(ts_des_kind_add(q, on_event, NULL, &k, &err), 0);
    assert_int_equal(k, TS_DES_KINDS - 1);
    assert_int_equal(ts_des_kind_add(q, on_event, NULL, &k, &err), TS_ENOSPC);
    ts_des_destroy(q);
}

/* Create and growth fail cleanly; a failed schedule leaves the queue as it was. */
static void test_des_oom_is_clean(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_des_t *q = (ts_des_t *)1;
    for (long n = 0; n < 2; n++) {
        ts_err_clear(&err);
        ts_mem_fail_after(n);
        assert_int_equal(ts_des_create(0, &q, &err), TS_ENOMEM);
        assert_null(q);
    }
    ts_mem_fail_after(-1);
    assert_int_equal(ts_des_create(64, &q, &err), 0);
    for (uint32_t i = 0; i < 64; i++)
        assert_int_equal(ts_des_schedule(q, 1000 - i, i, &err), 0);
    ts_mem_fail_after(0);
    assert_int_equal(ts_des_schedule(q, 1, 64, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_int_equal(ts_des_pending(q), 64);
    uint64_t at;
    uint32_t tag;
    for (uint32_t i = 0; i < 64; i++) {
        assert_true(ts_des_pop(q, TS_DES_NEVER, &at, &tag));
        assert_int_equal(tag, 63 - i);
    }
    ts_des_destroy(q);
    ts_des_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_des_equal_times_pop_fifo),
        cmocka_unit_test(test_des_random_schedules_pop_in_time_then_insertion_order),
        cmocka_unit_test(test_des_events_at_now_follow_earlier_ones),
        cmocka_unit_test(test_des_pop_stops_at_until_and_clock_only_moves_forward),
        cmocka_unit_test(test_des_sequence_renumbering_keeps_fifo),
        cmocka_unit_test(test_des_run_dispatches_by_kind),
        cmocka_unit_test(test_des_kinds_run_out),
        cmocka_unit_test(test_des_oom_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
