/* SPDX-License-Identifier: MIT */
/*
 * progress.h - the progress meter: draws a replay's progress hook (sim/progress.h) as one
 * line (requests done, share of the total, rate, time left).
 *
 * The meter writes only to the FILE its caller hands it (the CLI passes stderr when it is a
 * terminal and --quiet is not given), waits TS_PROGRESS_DELAY_S before its first line so
 * short runs print nothing, redraws at most every TS_PROGRESS_REDRAW_S, and erases its line
 * when finished. ts_progress_format() is the pure function behind the line.
 * Cost: one clock read per hook call; a redraw is one short write.
 */
#ifndef TS_APP_PROGRESS_H
#define TS_APP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../sim/progress.h"

#define TS_PROGRESS_DELAY_S 1.0  /* nothing is drawn before the run has lasted this */
#define TS_PROGRESS_REDRAW_S 0.2 /* least time between two redraws */
#define TS_PROGRESS_LINE 96      /* buffer size that holds any line */

typedef struct ts_progress {
    FILE *out;          /* where the line goes; NULL: the meter stays silent */
    uint64_t total;     /* requests expected; 0: unknown */
    double start_s;     /* monotonic clock when started */
    double drawn_s;     /* when the line was last drawn */
    size_t width;       /* length of the line on screen, 0 when none */
    const char *unit;   /* what is counted ("points"; set after start); NULL: requests */
} ts_progress_t;

/* Starts a meter that draws on out (NULL: never draws) for total requests (0: unknown). */
void ts_progress_start(ts_progress_t *p, FILE *out, uint64_t total);

/* Records that done requests are done (of total when nonzero, which replaces the total
 * given at start); draws the line when the run has lasted TS_PROGRESS_DELAY_S and the last
 * redraw is TS_PROGRESS_REDRAW_S old. done == 0 restarts the clock: a replay begins, and
 * the time spent before it (a footprint pass, loading a trace) is not in its rate. */
void ts_progress_update(ts_progress_t *p, uint64_t done, uint64_t total);

/* Erases the line, if one was drawn. */
void ts_progress_finish(ts_progress_t *p);

/* A hook function over a meter: ctx is the ts_progress_t. */
void ts_progress_hook_meter(void *ctx, uint64_t done, uint64_t total);

/* The line for done requests of total (0: unknown) after elapsed_s seconds, into buf
 * (TS_PROGRESS_LINE bytes hold any line); returns buf. With a total:
 *   " 25.0% [#####               ] 2.50M/10.0M requests, 1.25M/s, ETA 6s"
 * without: "2.50M requests, 1.25M/s, 2s elapsed". Counts and rates have three significant
 * digits; times are "6s", "1m05s" or "2h03m", rounded to the nearest second; the bar has
 * 20 cells, each filled by a whole 5%. */
const char *ts_progress_format(uint64_t done, uint64_t total, double elapsed_s, char *buf,
                               size_t size);

/* The same counting unit ("points"; NULL: requests), a rate under 10 a second given with
 * two significant digits ("0.25/s"): " 25.0% [#####               ] 16/64 points, 2.5/s,
 * ETA 19s". */
const char *ts_progress_format_unit(uint64_t done, uint64_t total, double elapsed_s,
                                    const char *unit, char *buf, size_t size);

#endif
