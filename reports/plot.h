/* SPDX-License-Identifier: MIT */
/*
 * plot.h - plots drawn by gnuplot: miss-ratio curves, latency CDFs, hit ratio and occupancy
 * over time, stacked cost bars, and cost against a benefit with the Pareto front.
 *
 * Every function takes plain arrays (no result struct), so any producer can feed it, and
 * writes three files named after the image: for "out/mrc.svg", "out/mrc.dat" (the data:
 * whitespace-separated columns under '#' comment headers; series are blocks separated by
 * two blank lines, gnuplot's `index`), "out/mrc.gp" (a self-contained gnuplot script with
 * the same data inline: `gnuplot out/mrc.gp`, run from the same directory, redraws the
 * image) and the image itself, PNG (pngcairo) or SVG by the name's extension. The three are
 * each written to a temporary file and renamed into place; the image is drawn by running
 * gnuplot (found through PATH) on the script, with its output captured, never printed.
 * Text from callers (titles, series, run and point names) is escaped for gnuplot's quoted
 * strings and drawn literally (no enhanced-text markup).
 *
 * When gnuplot cannot be run (not in PATH) or fails, the data and script are still written
 * and the call returns TS_EUNSUPPORTED with a message naming the data file and the Debian
 * package: callers treat it as a warning. Other errors: TS_EINVAL (bad arguments, an image
 * name not ending in .png or .svg, nothing to plot), TS_ENOMEM, and TS_ENOENT, TS_ENOSPC or
 * TS_EIO from the files (the message names the file).
 */
#ifndef TS_REPORTS_PLOT_H
#define TS_REPORTS_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "../sim/util/err.h"

/* One line of a line plot: n points (x[i], y[i]). Series with n == 0 are left out. */
typedef struct ts_plot_series {
    const char *name; /* legend entry */
    const double *x;  /* n values; unit given by the plot function */
    const double *y;  /* n values; unit given by the plot function */
    size_t n;
} ts_plot_series_t;

typedef struct ts_plot_opts {
    const char *title;  /* NULL: the plot's own title */
    const char *gnuplot; /* program to run; NULL: "gnuplot", looked up through PATH */
    bool is_script_only; /* write the data and the script, do not run gnuplot */
} ts_plot_opts_t;

/* Miss-ratio curves, one line per series (a policy): x = capacity in objects, or in bytes
 * when is_bytes; y = miss ratio in [0, 1] (drawn in %). The capacity axis is logarithmic
 * when its largest value is at least 20 times its smallest. opts may be NULL. */
int ts_plot_mrc(const char *image, const ts_plot_series_t *curves, size_t n, bool is_bytes,
                const ts_plot_opts_t *opts, ts_err_t *err);

/* Latency CDFs, one line per series (a tier or serving level): x = latency in ns (drawn on
 * a log axis in us, or in ms when the largest is 10 ms or more), y = the fraction of
 * requests at or below it, in [0, 1] (drawn in %), x ascending. */
int ts_plot_latency_cdf(const char *image, const ts_plot_series_t *levels, size_t n,
                        const ts_plot_opts_t *opts, ts_err_t *err);

/* Two panels over simulated time, one line per series (a tier) in each: hit ratio (y in
 * [0, 1] per sampling interval) above occupancy (y = used / capacity, in [0, 1]); x =
 * simulated time in ns, drawn in ms, s, min or h by the largest. Either list may be
 * empty (n == 0), not both. */
int ts_plot_timeseries(const char *image, const ts_plot_series_t *hit_ratio, size_t n_hit,
                       const ts_plot_series_t *occupancy, size_t n_occ,
                       const ts_plot_opts_t *opts, ts_err_t *err);

/* Stacked bars: one bar per run, one stacked part per category (bottom first). */
typedef struct ts_plot_bars {
    const char *const *runs;       /* n_runs bar labels */
    size_t n_runs;
    const char *const *categories; /* n_categories legend entries ("capacity hbm", "GPU") */
    size_t n_categories;
    const double *usd;             /* n_runs * n_categories dollars; row r is run r */
    const char *per;               /* what one bar costs ("per epoch"); NULL: "total" */
} ts_plot_bars_t;

int ts_plot_cost_bars(const char *image, const ts_plot_bars_t *bars, const ts_plot_opts_t *opts,
                      ts_err_t *err);

/* A sweep's figures along one of its keys: two panels over the key's values (categories,
 * in the order given), one line per combination of the other keys' values: the benefit
 * above (y in [0, 1], drawn in %), the cost below (dollars). Series x values are indices
 * into x_labels; a line may skip values it has no run for. */
typedef struct ts_plot_sweep {
    const char *x_name;              /* the key along x ("tiers.0.capacity") */
    const char *const *x_labels;     /* n_x values */
    size_t n_x;
    const ts_plot_series_t *benefit; /* n_lines series: x = index, y = benefit */
    const ts_plot_series_t *cost;    /* n_lines series: x = index, y = dollars */
    size_t n_lines;
    const char *benefit_name;        /* "hit ratio", "GPU utilisation"; NULL: "hit ratio" */
    const char *per;                 /* what the cost is for; NULL: "total" */
} ts_plot_sweep_t;

int ts_plot_sweep(const char *image, const ts_plot_sweep_t *sw, const ts_plot_opts_t *opts,
                  ts_err_t *err);

/* Cost against a benefit across runs, with the Pareto front (least cost, most benefit)
 * as a step line through its points. Points are labelled with their names: all of them up
 * to 30 points, only the front's beyond. */
typedef struct ts_plot_points {
    const char *const *labels; /* n point names; NULL: unlabelled */
    const double *cost_usd;    /* n costs (x) */
    const double *benefit;     /* n benefits in [0, 1] (y, drawn in %) */
    size_t n;
    const char *benefit_name;  /* y axis: "hit ratio", "GPU utilisation"; NULL: "hit ratio" */
    const char *per;           /* what the cost is for ("per epoch"); NULL: "total" */
} ts_plot_points_t;

int ts_plot_pareto(const char *image, const ts_plot_points_t *pts, const ts_plot_opts_t *opts,
                   ts_err_t *err);

/* The Pareto front of n points for least cost and most benefit: writes into front (room
 * for n) the indices of the points no other point dominates (another with cost <= and
 * benefit >= and one of them strictly better), ordered by cost ascending (so benefit
 * ascending too), and returns their count. Of identical points only the first (lowest
 * index) is kept; points with a NaN or infinite coordinate are left out. front is also the
 * work space: O(n log n), no allocation. */
size_t ts_pareto_front(const double *cost, const double *benefit, size_t n, size_t *front);

#endif
