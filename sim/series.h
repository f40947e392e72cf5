/* SPDX-License-Identifier: MIT */
/*
 * series.h - time series of a run: per tier and for the hierarchy, what happened in each
 * interval of simulated time (or of request count), in bounded memory.
 *
 * The axis is the timed engine's clock, the trace's request times for the fast engine, or
 * the count of requests replayed (for traces whose requests carry no time). Intervals are
 * [origin + k * interval, origin + (k+1) * interval); the origin is the first request's
 * axis value. When a sample is due (the axis reaches the next boundary) the engine calls
 * ts_series_advance, which copies the running counters of every tier (and the engine's
 * extra columns) once per boundary passed: that is the whole cost, so a replay pays one
 * comparison per request. Counters are kept cumulative while sampling and become
 * per-interval values when the series is finished; levels (a tier's occupancy) are the
 * value at the end of each interval.
 * Memory is fixed at begin: max_points rows. MERGE RULE: when the axis reaches an
 * interval the table cannot hold (index >= max_points), adjacent intervals merge pairwise
 * (2j and 2j+1 become j, keeping the later row; a trailing odd interval is still open and
 * is dropped, to be sampled again) and the interval doubles, as often as needed; finishing
 * gives back the rows no interval used, so a finished series holds n_points rows. A run
 * long enough to merge ends with between max_points/2 and max_points intervals; an
 * automatic interval starts at 1 ns (or 1 request), so it ends as the smallest power of
 * two that fits the run. Cost: a merge is O(max_points x columns), at most 64 of them.
 */
#ifndef TS_SIM_SERIES_H
#define TS_SIM_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "util/err.h"

struct ts_hier; /* sim/hier.h: the sampler reads its tiers' counters */

#define TS_SERIES_POINTS_DEFAULT 1000u /* max_points unless the scenario says otherwise */
#define TS_SERIES_POINTS_MIN 2u
#define TS_SERIES_POINTS_MAX 1000000u
#define TS_SERIES_END_OF_INTERVAL UINT64_MAX /* ts_series_finish: end with a whole interval */

typedef enum ts_series_axis {
    TS_AXIS_AUTO = 0,     /* the engine's clock or the trace's times; requests when every
                           * request has the same time */
    TS_AXIS_TIME = 1,     /* ns */
    TS_AXIS_REQUESTS = 2, /* requests replayed */
    TS_AXIS_COUNT_
} ts_series_axis_t;

extern const char *const ts_series_axis_names[TS_AXIS_COUNT_]; /* "auto", "time", "requests" */

/* What the scenario asks for (outputs.axis, outputs.interval, outputs.points). */
typedef struct ts_series_spec {
    ts_series_axis_t axis;
    uint64_t interval;   /* first interval: ns (time, auto) or requests; 0: automatic */
    uint64_t max_points; /* rows kept, TS_SERIES_POINTS_MIN..TS_SERIES_POINTS_MAX */
} ts_series_spec_t;

/* Columns of one tier (counters unless said), then of the hierarchy, then one per resource
 * of the timed engine (in the order of ts_timed_result_t.res). */
enum ts_series_tier_col {
    TS_SCOL_REQUESTS = 0, /* lookups that reached the tier */
    TS_SCOL_HITS,         /* found there */
    TS_SCOL_BYTES_HIT,    /* bytes served by the tier */
    TS_SCOL_BYTES_IN,     /* bytes written into it */
    TS_SCOL_BYTES_OUT,    /* bytes that left it (evictions, removals) */
    TS_SCOL_USED,         /* level: charge units held at the end of the interval */
    TS_SCOL_TIER_N
};

enum ts_series_total_col {
    TS_STOT_REQUESTS = 0, /* demand gets and puts */
    TS_STOT_HITS,         /* served by some tier */
    TS_STOT_BYTES_REQ,    /* bytes they asked for */
    TS_STOT_BYTES_HIT,    /* bytes served by some tier */
    TS_STOT_BACKING,      /* requests that reached the backing store */
    TS_STOT_BACKING_BYTES,
    TS_STOT_N
};

/* Writes the engine's extra columns (n_res values, counters) as they stand at axis value
 * `at` (at >= the engine's clock; no event lies between the clock and at). */
typedef void (*ts_series_fill_fn)(void *ctx, uint64_t at, uint64_t *row);

typedef struct ts_series {
    /* read-only: the layout */
    ts_series_spec_t spec;
    uint32_t n_tiers;
    uint32_t n_res;                  /* engine columns after the hierarchy's */
    size_t n_cols;                   /* n_tiers * TS_SCOL_TIER_N + TS_STOT_N + n_res */
    uint64_t capacity[TS_MAX_TIERS]; /* tier capacities, charge units */
    /* read-only: the samples */
    ts_series_axis_t axis; /* TS_AXIS_TIME or TS_AXIS_REQUESTS once the first sample is in */
    uint64_t origin;       /* axis value of the first request (trace ns, 0 on a clock) */
    uint64_t interval;     /* width of every interval, after the merges */
    uint64_t span;         /* where the last interval ends, from the origin */
    uint32_t n_merges;     /* times the interval doubled */
    size_t n_points;       /* intervals sampled */
    size_t max_points;     /* most intervals kept (the merge rule) */
    size_t n_rows;         /* rows v has room for: max_points while sampling, n_points (at
                            * least 1) once finished */
    uint64_t *v;           /* [n_rows][n_cols]; finished: per-interval values */
    bool is_finished;
    /* private */
    const struct ts_hier *h;    /* borrowed between begin and finish */
    ts_series_fill_fn fill;
    void *ctx;
    bool has_clock;        /* the engine has a clock: auto means time */
    bool is_started;
    bool is_tentative;     /* auto axis, every request so far at the first one's time:
                            * sampled by requests until the time moves */
    uint64_t origin_t;     /* time of the first request */
    uint64_t next_t;       /* a sample is due when the time reaches it */
    uint64_t next_r;       /* ... or the request count reaches it */
} ts_series_t;

/* A series that will sample as spec says (copied). Returns 0, TS_ERANGE (max_points out of
 * range) or TS_ENOMEM; *out NULL on failure. Free with ts_series_destroy (accepts NULL). */
int ts_series_create(const ts_series_spec_t *spec, ts_series_t **out, ts_err_t *err);
void ts_series_destroy(ts_series_t *s);

/* Sizes the table for n_tiers tiers, n_res engine columns and `rows` rows (allocated,
 * zeroed; n_rows). The engines call it through ts_series_begin (rows = max_points); a
 * reader of a results file calls it directly with rows = the points it read, then fills v
 * and the read-only fields. Returns 0, TS_EINVAL (more than TS_MAX_TIERS tiers, or a table already
 * sized) or TS_ENOMEM. */
int ts_series_layout(ts_series_t *s, uint32_t n_tiers, uint32_t n_res, size_t rows,
                     ts_err_t *err);

/* Starts sampling the tiers of h (borrowed until ts_series_finish) and n_res extra columns
 * from fill(ctx, ...) (NULL when n_res is 0). has_clock: the engine runs a simulated clock,
 * so the axis is time (TS_AXIS_REQUESTS is then TS_EINVAL). Returns 0, TS_EINVAL or
 * TS_ENOMEM. */
int ts_series_begin(ts_series_t *s, const struct ts_hier *h, uint32_t n_res, ts_series_fill_fn fill,
                    void *ctx, bool has_clock, ts_err_t *err);

/* True when a sample is due before the request at time t, with n requests replayed before
 * it. The engines call it for every request (or event time), so it is one or two
 * comparisons. */
static inline bool ts_series_is_due(const ts_series_t *s, uint64_t t, uint64_t n)
{
    return t >= s->next_t || n >= s->next_r;
}

/* The next boundary on the time axis (UINT64_MAX when sampling by requests). */
static inline uint64_t ts_series_next_time(const ts_series_t *s)
{
    return s->next_t;
}

/* Samples every boundary up to the request at time t (n replayed before it); the first
 * call sets the origin. Never fails: the table is sized at begin. */
void ts_series_advance(ts_series_t *s, uint64_t t, uint64_t n);

/* Ends sampling at time end_t (TS_SERIES_END_OF_INTERVAL: at the end of the interval
 * holding the last request) or, on the requests axis, after end_n requests: samples the
 * boundaries up to the end, then the last, possibly partial, interval; turns counters
 * into per-interval values, and shrinks the table to the points it has. A series that saw
 * no request has no point. */
void ts_series_finish(ts_series_t *s, uint64_t end_t, uint64_t end_n);

/* Column of tier i's column c, of the hierarchy's column c, of engine column j. */
static inline size_t ts_series_tier_col(uint32_t tier, unsigned c)
{
    return (size_t)tier * TS_SCOL_TIER_N + c;
}
static inline size_t ts_series_total_col(const ts_series_t *s, unsigned c)
{
    return (size_t)s->n_tiers * TS_SCOL_TIER_N + c;
}
static inline size_t ts_series_res_col(const ts_series_t *s, uint32_t j)
{
    return (size_t)s->n_tiers * TS_SCOL_TIER_N + TS_STOT_N + j;
}

/* Value of column col in interval i. */
static inline uint64_t ts_series_get(const ts_series_t *s, size_t i, size_t col)
{
    return s->v[i * s->n_cols + col];
}

/* Start of interval i from the origin, and its width (the last one may be shorter). */
static inline uint64_t ts_series_start(const ts_series_t *s, size_t i)
{
    return (uint64_t)i * s->interval;
}
static inline uint64_t ts_series_width(const ts_series_t *s, size_t i)
{
    uint64_t a = ts_series_start(s, i);
    return i + 1 < s->n_points || s->span >= a + s->interval ? s->interval : s->span - a;
}

#endif
