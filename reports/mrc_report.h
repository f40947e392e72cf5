/* SPDX-License-Identifier: MIT */
/*
 * mrc_report.h - what `tiersim mrc` writes: the curves as a text table, as CSV (mrc.csv)
 * and as a plot.
 *
 * Writers read a ts_mrc_t only (sim/mrc.h). The text table has one row per capacity and
 * one column per policy (the top tier's miss ratio), aligned, within 100 columns, under a
 * line naming each policy's method (and rate) and a note when there is one: when the
 * policies do not fit side by side they continue in a second table. The CSV has one row
 * per (policy, capacity) point, policy-major, with the counters behind each ratio; it is
 * deterministic (no wall-clock figure), ratios with nine decimals, lines ending in "\n".
 */
#ifndef TS_REPORTS_MRC_REPORT_H
#define TS_REPORTS_MRC_REPORT_H

#include <stdio.h>

#include "../sim/util/err.h"
#include "../sim/result.h"
#include "plot.h"

/* The table. Returns 0 or TS_EIO (the write failed; sys_errno set). */
int ts_report_mrc_text(const ts_mrc_t *m, FILE *out, ts_err_t *err);

/* The CSV, with a header line:
 * policy,capacity,capacity_unit,footprint_share,requests,misses,miss_ratio,bytes_requested,
 * bytes_missed,byte_miss_ratio,run_requests,run_hits,method,sampling_rate (method: exact,
 * shards, mini or replay; sampling_rate: the rate of shards and mini, empty otherwise; a
 * sampled point's misses are estimates, its miss ratio times its requests). Returns 0 or
 * TS_EIO. */
int ts_report_mrc_csv(const ts_mrc_t *m, FILE *out, ts_err_t *err);

/* Writes dir/mrc.csv atomically, creating dir and its missing parents. Returns 0, or
 * TS_ENOENT, TS_ENOSPC, TS_ENOMEM, TS_EINVAL or TS_EIO naming the file. */
int ts_report_mrc_write(const ts_mrc_t *m, const char *dir, ts_err_t *err);

/* Draws the curves with ts_plot_mrc (one line per policy; its title names the tier);
 * returns what it returns, TS_EUNSUPPORTED included when gnuplot cannot draw. */
int ts_report_mrc_plot(const ts_mrc_t *m, const char *image, const ts_plot_opts_t *opts,
                       ts_err_t *err);

#endif
