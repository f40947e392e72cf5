/* SPDX-License-Identifier: MIT */
/*
 * series.c - time series sampled on simulated time or request count (see series.h for the
 * interval rule and the merge rule).
 */
#include "series.h"

#include <string.h>

#include "hier.h"
#include "util/mem.h"

const char *const ts_series_axis_names[TS_AXIS_COUNT_] = {"auto", "time", "requests"};

int ts_series_create(const ts_series_spec_t *spec, ts_series_t **out, ts_err_t *err)
{
    *out = NULL;
    if (spec->max_points < TS_SERIES_POINTS_MIN || spec->max_points > TS_SERIES_POINTS_MAX)
        return ts_err_set(err, TS_ERANGE, "a time series keeps %u to %u points, not %llu",
                          TS_SERIES_POINTS_MIN, TS_SERIES_POINTS_MAX,
                          (unsigned long long)spec->max_points);
    ts_series_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a time series");
    s->spec = *spec;
    s->max_points = (size_t)spec->max_points;
    s->next_t = s->next_r = 0; /* the first request starts it */
    *out = s;
    return 0;
}

void ts_series_destroy(ts_series_t *s)
{
    if (!s)
        return;
    ts_free(s->v);
    ts_free(s);
}

int ts_series_layout(ts_series_t *s, uint32_t n_tiers, uint32_t n_res, size_t rows,
                     ts_err_t *err)
{
    if (n_tiers > TS_MAX_TIERS || s->v)
        return ts_err_set(err, TS_EINVAL, "a time series of %u tiers cannot be laid out",
                          n_tiers);
    size_t cols = (size_t)n_tiers * TS_SCOL_TIER_N + TS_STOT_N + n_res;
    s->v = ts_calloc(rows ? rows * cols : 1, sizeof(uint64_t));
    if (!s->v)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a time series of %zu points", rows);
    s->n_tiers = n_tiers;
    s->n_res = n_res;
    s->n_cols = cols;
    s->n_rows = rows ? rows : 1;
    return 0;
}

int ts_series_begin(ts_series_t *s, const ts_hier_t *h, uint32_t n_res, ts_series_fill_fn fill,
                    void *ctx, bool has_clock, ts_err_t *err)
{
    if (has_clock && s->spec.axis == TS_AXIS_REQUESTS)
        return ts_err_set(err, TS_EINVAL,
                          "the timed engine samples its time series on its clock, not by "
                          "requests");
    int rc = ts_series_layout(s, (uint32_t)h->n, n_res, s->max_points, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < h->n; i++)
        s->capacity[i] = h->tiers[i]->capacity;
    s->h = h;
    s->fill = fill;
    s->ctx = ctx;
    s->has_clock = has_clock;
    return 0;
}

/* Row j := the counters as they stand at axis value `at`. */
static void series_sample(ts_series_t *s, size_t j, uint64_t at)
{
    uint64_t *row = s->v + j * s->n_cols;
    const ts_hier_t *h = s->h;
    for (size_t i = 0; i < h->n; i++, row += TS_SCOL_TIER_N) {
        const ts_tier_t *t = h->tiers[i];
        row[TS_SCOL_REQUESTS] = t->st.n_req;
        row[TS_SCOL_HITS] = t->st.n_hit;
        row[TS_SCOL_BYTES_HIT] = t->st.bytes_hit;
        row[TS_SCOL_BYTES_IN] = t->st.bytes_in;
        row[TS_SCOL_BYTES_OUT] = t->st.bytes_out;
        row[TS_SCOL_USED] = t->used;
    }
    const ts_totals_t *o = &h->tot;
    row[TS_STOT_REQUESTS] = o->n_get + o->n_put;
    row[TS_STOT_HITS] = o->n_hit;
    row[TS_STOT_BYTES_REQ] = o->bytes_req;
    row[TS_STOT_BYTES_HIT] = o->bytes_hit;
    row[TS_STOT_BACKING] = o->n_backing;
    row[TS_STOT_BACKING_BYTES] = o->bytes_backing;
    if (s->n_res)
        s->fill(s->ctx, at, row + TS_STOT_N);
}

/* origin + k * interval, saturating. */
static uint64_t series_boundary(const ts_series_t *s, uint64_t k)
{
    if (k && s->interval > (UINT64_MAX - s->origin) / k)
        return UINT64_MAX;
    return s->origin + k * s->interval;
}

/* The merge rule of series.h: pairs of intervals become one; the interval doubles. */
static void series_merge(ts_series_t *s)
{
    size_t m = s->n_points / 2, w = s->n_cols;
    for (size_t j = 0; j < m; j++)
        memcpy(s->v + j * w, s->v + (2 * j + 1) * w, w * sizeof(uint64_t));
    s->n_points = m;
    s->interval = s->interval > UINT64_MAX / 2 ? UINT64_MAX : 2 * s->interval;
    s->n_merges++;
}

/* Samples every boundary <= x (an axis value >= origin). */
static void series_cross(ts_series_t *s, uint64_t x)
{
    uint64_t k = (x - s->origin) / s->interval; /* the interval holding x */
    while (k >= s->max_points) {
        series_merge(s);
        k = (x - s->origin) / s->interval;
    }
    for (size_t j = s->n_points; j < k; j++)
        series_sample(s, j, series_boundary(s, j + 1));
    if (k > s->n_points)
        s->n_points = (size_t)k;
    uint64_t next = series_boundary(s, k + 1);
    if (s->axis == TS_AXIS_TIME)
        s->next_t = next;
    else
        s->next_r = next;
}

/* Sampling starts at the first request: its time (or count) is the origin. */
static void series_start_axis(ts_series_t *s, ts_series_axis_t axis, uint64_t origin,
                              uint64_t interval)
{
    s->axis = axis;
    s->origin = origin;
    s->interval = interval ? interval : 1;
    s->n_points = 0;
    s->n_merges = 0;
    s->next_t = s->next_r = UINT64_MAX;
    if (axis == TS_AXIS_TIME)
        s->next_t = series_boundary(s, 1);
    else
        s->next_r = series_boundary(s, 1);
}

static void series_start(ts_series_t *s, uint64_t t, uint64_t n)
{
    s->is_started = true;
    s->origin_t = t;
    ts_series_axis_t axis = s->spec.axis;
    if (axis == TS_AXIS_AUTO && s->has_clock)
        axis = TS_AXIS_TIME;
    if (axis != TS_AXIS_AUTO) {
        series_start_axis(s, axis, axis == TS_AXIS_TIME ? t : n, s->spec.interval);
        return;
    }
    /* auto without a clock: by requests while the time stands still */
    series_start_axis(s, TS_AXIS_REQUESTS, n, 0);
    s->is_tentative = true;
    s->next_t = t == UINT64_MAX ? t : t + 1;
}

void ts_series_advance(ts_series_t *s, uint64_t t, uint64_t n)
{
    if (!s->is_started) {
        series_start(s, t, n);
        return;
    }
    if (s->is_tentative && t > s->origin_t) { /* the trace has times after all */
        s->is_tentative = false;
        series_start_axis(s, TS_AXIS_TIME, s->origin_t, s->spec.interval);
    }
    uint64_t x = s->axis == TS_AXIS_TIME ? t : n;
    if (x >= s->origin && x >= (s->axis == TS_AXIS_TIME ? s->next_t : s->next_r))
        series_cross(s, x);
}

/* Intervals needed to cover [origin, end): at least one. */
static uint64_t series_cover(const ts_series_t *s, uint64_t end)
{
    return end > s->origin ? (end - s->origin - 1) / s->interval + 1 : 1;
}

/* Gives back the rows past the last point (a sweep holds many finished series). Shrinking
 * cannot lose data: should realloc fail, the larger table stays. */
static void series_shrink(ts_series_t *s)
{
    size_t rows = s->n_points ? s->n_points : 1;
    if (rows >= s->n_rows || !s->v)
        return;
    uint64_t *v = ts_realloc(s->v, rows * s->n_cols * sizeof(uint64_t));
    if (v) {
        s->v = v;
        s->n_rows = rows;
    }
}

void ts_series_finish(ts_series_t *s, uint64_t end_t, uint64_t end_n)
{
    if (s->is_finished)
        return;
    s->is_finished = true;
    s->next_t = s->next_r = UINT64_MAX;
    if (!s->is_started) {
        s->n_points = 0;
        s->h = NULL;
        series_shrink(s);
        return;
    }
    s->is_tentative = false;
    uint64_t end = s->axis == TS_AXIS_REQUESTS      ? end_n
                   : end_t == TS_SERIES_END_OF_INTERVAL ? series_boundary(s, s->n_points + 1)
                                                        : end_t;
    uint64_t need = series_cover(s, end);
    while (need > s->max_points) {
        series_merge(s);
        need = series_cover(s, end);
    }
    /* Every boundary before the engine's last activity is sampled already, so the rows
     * still missing (those a merge dropped included) read the state as it is now. */
    if (need > s->n_points) {
        for (size_t j = s->n_points; j + 1 < need; j++)
            series_sample(s, j, series_boundary(s, j + 1));
        series_sample(s, (size_t)need - 1, end);
        s->n_points = (size_t)need;
        s->span = end > s->origin ? end - s->origin : 0;
    } else { /* sampled up to a boundary at or after the end already */
        s->span = (uint64_t)s->n_points * s->interval;
    }
    /* cumulative -> per interval, last row first */
    for (size_t j = s->n_points; j-- > 1;)
        for (size_t c = 0; c < s->n_cols; c++)
            if (c >= (size_t)s->n_tiers * TS_SCOL_TIER_N || c % TS_SCOL_TIER_N != TS_SCOL_USED)
                s->v[j * s->n_cols + c] -= s->v[(j - 1) * s->n_cols + c];
    s->h = NULL;
    series_shrink(s);
}
