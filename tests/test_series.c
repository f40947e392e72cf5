/* SPDX-License-Identifier: MIT */
/*
 * test_series.c - time series sampling: interval bucketing on time and on request count,
 * the automatic axis, the merge rule when the table is full, levels against counters, the
 * engine columns' boundary times, the table shrinking to its points when finished, and the
 * errors, all against hand-worked numbers.
 *
 * The hierarchy is a stand-in: one tier whose counters the test moves by hand, as an
 * engine's replay would, so each interval's expected value is plain counting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/mem.h"
#include "sim/hier.h"
#include "sim/series.h"

typedef struct rig {
    ts_tier_t tier;
    ts_hier_t h;
    ts_series_t *s;
} rig_t;

static rig_t *rig_new(ts_series_axis_t axis, uint64_t interval, uint64_t points, bool clock,
                      uint32_t n_res, ts_series_fill_fn fill)
{
    rig_t *g = ts_calloc(1, sizeof(*g));
    assert_non_null(g);
    g->tier.capacity = 4;
    g->h.n = 1;
    g->h.tiers[0] = &g->tier;
    ts_series_spec_t spec = {.axis = axis, .interval = interval, .max_points = points};
    ts_err_t err = {0};
    assert_int_equal(ts_series_create(&spec, &g->s, &err), 0);
    assert_int_equal(ts_series_begin(g->s, &g->h, n_res, fill, g, clock, &err), 0);
    return g;
}

static void rig_free(rig_t *g)
{
    ts_series_destroy(g->s);
    ts_free(g);
}

/* One get at time t, as an engine replays it: sample first, then count. */
static void rig_get(rig_t *g, uint64_t t, bool hit, uint64_t used_after)
{
    if (ts_series_is_due(g->s, t, g->h.tot.n_req))
        ts_series_advance(g->s, t, g->h.tot.n_req);
    g->h.tot.n_req++;
    g->h.tot.n_get++;
    g->h.tot.n_hit += hit;
    g->tier.st.n_req++;
    g->tier.st.n_hit += hit;
    g->tier.st.bytes_hit += hit ? 100 : 0;
    g->tier.used = used_after;
}

static uint64_t col(const rig_t *g, size_t i, unsigned c)
{
    return ts_series_get(g->s, i, ts_series_tier_col(0, c));
}

/* Interval 10 ns from the first request at t=100: [100,110) holds t=100,103 (one hit),
 * [110,120) holds 112, [120,130) nothing, [130,140) holds 135 (a hit). The fast engine ends
 * with a whole interval, so four points of 10 ns, span 40. Occupancy is the level at each
 * interval's end: 1 after t=103, 2 after 112, still 2 (nothing happened), 3 after 135. */
static void test_series_time_intervals(void **state)
{
    (void)state;
    rig_t *g = rig_new(TS_AXIS_TIME, 10, 100, false, 0, NULL);
    assert_int_equal(g->s->n_rows, 100); /* room for max_points while sampling */
    rig_get(g, 100, false, 1);
    rig_get(g, 103, true, 1);
    rig_get(g, 112, false, 2);
    rig_get(g, 135, true, 3);
    ts_series_finish(g->s, TS_SERIES_END_OF_INTERVAL, g->h.tot.n_req);
    const ts_series_t *s = g->s;
    assert_int_equal(s->n_rows, 4); /* finished: the 4 points it has, not 100 rows */
    assert_int_equal(s->axis, TS_AXIS_TIME);
    assert_int_equal(s->origin, 100);
    assert_int_equal(s->interval, 10);
    assert_int_equal(s->n_points, 4);
    assert_int_equal(s->span, 40);
    const uint64_t req[] = {2, 1, 0, 1}, hit[] = {1, 0, 0, 1}, used[] = {1, 2, 2, 3};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(col(g, i, TS_SCOL_REQUESTS), req[i]);
        assert_int_equal(col(g, i, TS_SCOL_HITS), hit[i]);
        assert_int_equal(col(g, i, TS_SCOL_BYTES_HIT), 100 * hit[i]);
        assert_int_equal(col(g, i, TS_SCOL_USED), used[i]);
        assert_int_equal(ts_series_get(s, i, ts_series_total_col(s, TS_STOT_REQUESTS)), req[i]);
        assert_int_equal(ts_series_start(s, i), 10 * i);
        assert_int_equal(ts_series_width(s, i), 10);
    }
    assert_int_equal(s->capacity[0], 4);
    rig_free(g);
}

/* The merge rule with 4 rows, interval 1, one request at each t = 0..9:
 * t=1,2,3 close [0,1), [1,2), [2,3) (3 rows); t=4 needs row 4: pairs merge (rows
 * [0,2) and, from [2,3)'s pair, nothing: [2,3) was alone and is dropped), interval 2, and
 * [2,4) closes; t=6 closes [4,6); t=8 needs row 4 again: merge to interval 4, rows [0,4)
 * and [4,8); the end of the interval holding t=9 is 12. So three intervals of 4 ns with
 * 4, 4 and 2 requests, and two merges. */
static void test_series_merge_rule(void **state)
{
    (void)state;
    rig_t *g = rig_new(TS_AXIS_TIME, 1, 4, false, 0, NULL);
    for (uint64_t t = 0; t < 10; t++)
        rig_get(g, t, false, t + 1);
    ts_series_finish(g->s, TS_SERIES_END_OF_INTERVAL, g->h.tot.n_req);
    const ts_series_t *s = g->s;
    assert_int_equal(s->interval, 4);
    assert_int_equal(s->n_merges, 2);
    assert_int_equal(s->n_points, 3);
    assert_int_equal(s->span, 12);
    assert_int_equal(col(g, 0, TS_SCOL_REQUESTS), 4);
    assert_int_equal(col(g, 1, TS_SCOL_REQUESTS), 4);
    assert_int_equal(col(g, 2, TS_SCOL_REQUESTS), 2);
    /* levels at the end of [0,4), [4,8) and at the end: after t=3, t=7 and t=9 */
    assert_int_equal(col(g, 0, TS_SCOL_USED), 4);
    assert_int_equal(col(g, 1, TS_SCOL_USED), 8);
    assert_int_equal(col(g, 2, TS_SCOL_USED), 10);
    rig_free(g);
}

/* A long gap: with 4 rows and interval 1, requests at t=0 and t=100 force merges until
 * t=100 falls in row 0..3: 100 / 2^k < 4 first for k = 5 (interval 32, t=100 in row 3).
 * Rows 0..2 are [0,32), [32,64), [64,96): the first holds t=0, the others are empty; the
 * request at 100 is in [96,128), the last. */
static void test_series_gap_merges_at_once(void **state)
{
    (void)state;
    rig_t *g = rig_new(TS_AXIS_TIME, 1, 4, false, 0, NULL);
    rig_get(g, 0, false, 1);
    rig_get(g, 100, true, 1);
    ts_series_finish(g->s, TS_SERIES_END_OF_INTERVAL, g->h.tot.n_req);
    const ts_series_t *s = g->s;
    assert_int_equal(s->interval, 32);
    assert_int_equal(s->n_merges, 5);
    assert_int_equal(s->n_points, 4);
    const uint64_t req[] = {1, 0, 0, 1};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(col(g, i, TS_SCOL_REQUESTS), req[i]);
    rig_free(g);
}

/* A trace whose requests all carry time 0, axis auto: sampled by request count with an
 * automatic interval (1, doubling). 10 requests, 4 rows: the same steps as the merge rule
 * on the request index, ending after request 10 in the middle of [8,12): rows [0,4),
 * [4,8) and a partial [8,10) of width 2. */
static void test_series_auto_without_times_counts_requests(void **state)
{
    (void)state;
    rig_t *g = rig_new(TS_AXIS_AUTO, 0, 4, false, 0, NULL);
    for (int i = 0; i < 10; i++)
        rig_get(g, 0, i % 2 == 0, 1);
    ts_series_finish(g->s, TS_SERIES_END_OF_INTERVAL, g->h.tot.n_req);
    const ts_series_t *s = g->s;
    assert_int_equal(s->axis, TS_AXIS_REQUESTS);
    assert_int_equal(s->interval, 4);
    assert_int_equal(s->n_points, 3);
    assert_int_equal(s->span, 10);
    assert_int_equal(ts_series_width(s, 2), 2);
    const uint64_t req[] = {4, 4, 2}, hit[] = {2, 2, 1};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(col(g, i, TS_SCOL_REQUESTS), req[i]);
        assert_int_equal(col(g, i, TS_SCOL_HITS), hit[i]);
    }
    rig_free(g);
}

/* Axis auto on a trace whose time starts standing still, then moves: three requests at
 * t=0 are sampled by count at first; the request at t=5 switches to time with the given
 * interval 10 from the origin 0, dropping the count samples. [0,10) holds the four requests
 * at 0, 0, 0 and 5; [10,20) the one at 12. */
static void test_series_auto_switches_to_time(void **state)
{
    (void)state;
    rig_t *g = rig_new(TS_AXIS_AUTO, 10, 8, false, 0, NULL);
    rig_get(g, 0, false, 1);
    rig_get(g, 0, false, 1);
    rig_get(g, 0, false, 1);
    rig_get(g, 5, true, 1);
    rig_get(g, 12, true, 2);
    ts_series_finish(g->s, TS_SERIES_END_OF_INTERVAL, g->h.tot.n_req);
    const ts_series_t *s = g->s;
    assert_int_equal(s->axis, TS_AXIS_TIME);
    assert_int_equal(s->interval, 10);
    assert_int_equal(s->n_points, 2);
    assert_int_equal(col(g, 0, TS_SCOL_REQUESTS), 4);
    assert_int_equal(col(g, 0, TS_SCOL_HITS), 1);
    assert_int_equal(col(g, 1, TS_SCOL_REQUESTS), 1);
    rig_free(g);
}

/* Explicit requests axis with interval 3 over 7 requests: [0,3), [3,6), [6,7). */
static void test_series_requests_axis(void **state)
{
    (void)state;
    rig_t *g = rig_new(TS_AXIS_REQUESTS, 3, 10, false, 0, NULL);
    for (uint64_t i = 0; i < 7; i++)
        rig_get(g, 1000 * i, true, 1);
    ts_series_finish(g->s, TS_SERIES_END_OF_INTERVAL, g->h.tot.n_req);
    const ts_series_t *s = g->s;
    assert_int_equal(s->axis, TS_AXIS_REQUESTS);
    assert_int_equal(s->n_points, 3);
    assert_int_equal(col(g, 0, TS_SCOL_REQUESTS), 3);
    assert_int_equal(col(g, 1, TS_SCOL_REQUESTS), 3);
    assert_int_equal(col(g, 2, TS_SCOL_REQUESTS), 1);
    assert_int_equal(ts_series_width(s, 2), 1);
    rig_free(g);
}

/* Engine columns are filled with the boundary time: a column equal to `at` becomes, per
 * interval, the interval's width. With a clock (origin 0), interval 10, a request at 0 and
 * 13 and the run ending at 25: [0,10), [10,20) and a partial [20,25). */
static void fill_time(void *ctx, uint64_t at, uint64_t *row)
{
    (void)ctx;
    row[0] = at;
}

static void test_series_engine_columns_see_boundaries(void **state)
{
    (void)state;
    rig_t *g = rig_new(TS_AXIS_AUTO, 10, 10, true, 1, fill_time);
    ts_series_advance(g->s, 0, 0);
    rig_get(g, 0, false, 1);
    rig_get(g, 13, false, 1);
    ts_series_finish(g->s, 25, 0);
    const ts_series_t *s = g->s;
    assert_int_equal(s->axis, TS_AXIS_TIME);
    assert_int_equal(s->n_points, 3);
    assert_int_equal(s->span, 25);
    const uint64_t w[] = {10, 10, 5};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ts_series_get(s, i, ts_series_res_col(s, 0)), w[i]);
        assert_int_equal(ts_series_width(s, i), w[i]);
    }
    rig_free(g);
}

/* A run with no request has no point. */
static void test_series_empty_run(void **state)
{
    (void)state;
    rig_t *g = rig_new(TS_AXIS_TIME, 10, 10, false, 0, NULL);
    ts_series_finish(g->s, TS_SERIES_END_OF_INTERVAL, 0);
    assert_int_equal(g->s->n_points, 0);
    assert_int_equal(g->s->n_rows, 1); /* the table shrinks to its smallest */
    rig_free(g);
}

static void test_series_errors(void **state)
{
    (void)state;
    ts_series_t *s = NULL;
    ts_err_t err = {0};
    ts_series_spec_t spec = {.axis = TS_AXIS_TIME, .max_points = 1};
    assert_int_equal(ts_series_create(&spec, &s, &err), TS_ERANGE);
    assert_null(s);
    assert_non_null(strstr(err.msg, "keeps 2 to 1000000 points, not 1"));

    spec = (ts_series_spec_t){.axis = TS_AXIS_REQUESTS, .max_points = 10};
    err = (ts_err_t){0};
    assert_int_equal(ts_series_create(&spec, &s, &err), 0);
    ts_tier_t tier = {0};
    ts_hier_t *h = ts_calloc(1, sizeof(*h));
    assert_non_null(h);
    h->n = 1;
    h->tiers[0] = &tier;
    assert_int_equal(ts_series_begin(s, h, 0, NULL, NULL, true, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "samples its time series on its clock"));
    ts_series_destroy(s);
    ts_free(h);
}

/* Every allocation of create and begin fails cleanly. */
static void test_series_oom(void **state)
{
    (void)state;
    ts_series_spec_t spec = {.axis = TS_AXIS_TIME, .max_points = 10};
    ts_hier_t *h = ts_calloc(1, sizeof(*h));
    assert_non_null(h);
    for (long n = 0;; n++) {
        ts_series_t *s = NULL;
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = ts_series_create(&spec, &s, &err);
        if (rc == 0)
            rc = ts_series_begin(s, h, 0, NULL, NULL, false, &err);
        ts_mem_fail_after(-1);
        ts_series_destroy(s);
        if (rc == 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
        assert_non_null(strstr(err.msg, "time series"));
    }
    ts_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series_time_intervals),
        cmocka_unit_test(test_series_merge_rule),
        cmocka_unit_test(test_series_gap_merges_at_once),
        cmocka_unit_test(test_series_auto_without_times_counts_requests),
        cmocka_unit_test(test_series_auto_switches_to_time),
        cmocka_unit_test(test_series_requests_axis),
        cmocka_unit_test(test_series_engine_columns_see_boundaries),
        cmocka_unit_test(test_series_empty_run),
        cmocka_unit_test(test_series_errors),
        cmocka_unit_test(test_series_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
