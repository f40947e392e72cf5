/* SPDX-License-Identifier: MIT */
/*
 * report_html.h - `tiersim report`: one self-contained HTML page from HDF5 results files.
 *
 * The runs go TS_REPORT_HTML_MAX_RUNS to a page: the first page (out) has the summary,
 * a link to each further page and the runs compared; each further page (out with "-2",
 * "-3", ... before its ".html") its runs' table and sections, and links back. Every run of
 * every file gets a section: its tiers, totals, latencies and bill as tables,
 * its latency CDF and its hit ratio and occupancy over time as figures (the first
 * run_figures runs), and its scenario's YAML (or, when an earlier run had the same text,
 * a pointer to that run's, with its own `-s` overrides). A last section sets the runs side by side: the cost breakdown as stacked bars and,
 * with two runs or more, cost against hit ratio (or GPU utilisation, when every run is a
 * closed loop) with the Pareto front. Figures are drawn by gnuplot (reports/plot.h) as SVG
 * and inlined; without gnuplot the page says which figures it left out and the call still
 * succeeds (*n_missing counts them).
 */
#ifndef TS_REPORTS_REPORT_HTML_H
#define TS_REPORTS_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "../sim/util/err.h"

typedef struct ts_report_html_opts {
    const char *plots_dir; /* keep the figures (SVG, data, gnuplot scripts) here; NULL: a
                            * temporary directory, removed afterwards */
    const char *gnuplot;   /* program to draw with; NULL: "gnuplot" through PATH */
    size_t run_figures;    /* the first this many runs get their own figures (latency CDF,
                            * time series), the others their tables only, so a large sweep
                            * stays a page a browser opens; 0: TS_REPORT_HTML_RUN_FIGURES */
    const char *const *names; /* what the page calls the files (names[i] for files[i]:
                               * a results file read from a scratch copy); NULL: their
                               * paths */
    bool is_one_page;      /* the first TS_REPORT_HTML_MAX_RUNS runs only (a page written
                            * to standard output); false: every run, on as many pages */
} ts_report_html_opts_t;

#define TS_REPORT_HTML_RUN_FIGURES 24
#define TS_REPORT_HTML_MAX_RUNS 200 /* runs a page shows: the runs past them go on further
                                     * pages (OUT-2.html, OUT-3.html, ... beside OUT, linked
                                     * from the first), so a 100,000-point sweep's pages each
                                     * stay small and quick to render, and only one page's
                                     * runs are in memory at a time */

/* Reads the n results files and writes the page to out (atomically). *n_missing (may be
 * NULL) receives the figures left out because gnuplot could not draw them, and warn (may
 * be NULL, size bytes) the first reason. Returns 0 or the error of a file (naming it),
 * TS_ENOMEM, TS_ENOSPC, TS_EIO. */
int ts_report_html(const char *const *files, size_t n, const char *out,
                   const ts_report_html_opts_t *opts, size_t *n_missing, char *warn,
                   size_t size, ts_err_t *err);

#endif
