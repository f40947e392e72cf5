/* SPDX-License-Identifier: MIT */
/*
 * sweep_report.h - what `tiersim sweep` writes: one row per point as a text table and as
 * CSV (sweep.csv); the runs themselves go to result.h5 (reports/h5.h).
 *
 * Writers read a ts_sweep_t only (sim/sweep.h); a shard's writes its own points (their
 * numbers in the whole grid), so the shards' CSV rows together make the grid's. A row holds
 * the point's number, the value
 * of each axis, and the run's headline figures: hit ratio and byte hit ratio of the whole
 * hierarchy, requests the backing store served, the p50 and p99 latency of every request
 * (timed engine), the accelerator utilisation (closed loop), the bill's total and its
 * normalised figures. The text table fits 100 columns (axis values are cut in the middle
 * when they must be) and gives one normalised figure, the first the runs have of: per
 * epoch, per million tokens, per session, per million requests. The CSV is deterministic
 * (no wall-clock figure), ratios with nine decimals, empty fields for figures a run lacks,
 * values quoted as RFC 4180 says, lines ending in "\n".
 */
#ifndef TS_REPORTS_SWEEP_REPORT_H
#define TS_REPORTS_SWEEP_REPORT_H

#include <stdio.h>

#include "../sim/util/err.h"
#include "../sim/result.h"

/* The table. Returns 0 or TS_EIO (the write failed; sys_errno set). */
int ts_report_sweep_text(const ts_sweep_t *s, FILE *out, ts_err_t *err);

/* The CSV: point, one column per axis (named by its key), then requests, hits, hit_ratio,
 * byte_hit_ratio, backing_requests, backing_bytes, latency_p50_ns, latency_p99_ns,
 * accelerator_utilisation, total_usd, usd_per_million_requests, usd_per_epoch,
 * usd_per_million_tokens, usd_per_session, overloaded (resources found overloaded, timed
 * open loop), partial (1: stopped at timed.max_in_flight). Returns 0 or TS_EIO. */
int ts_report_sweep_csv(const ts_sweep_t *s, FILE *out, ts_err_t *err);

/* Writes dir/sweep.csv and dir/result.h5 (every run, /runs/NNNN in point order, by the
 * hdf5 report writer; none for a shard with no point) as one set (ts_report_write_dir:
 * both files or neither), creating dir and its missing parents. Returns 0, or TS_ENOENT,
 * TS_ENOSPC, TS_ENOMEM, TS_EINVAL or TS_EIO naming the file. */
int ts_report_sweep_write(const ts_sweep_t *s, const char *dir, ts_err_t *err);

/* The same with s's runs holding only their figures (counters, latency percentiles, the
 * bill's totals: what the table and the CSV read) and result.h5 written from the complete
 * runs load(ctx, i, ...) gives, one at a time (a sweep's journal, app/sweep_journal.h):
 * memory stays that of one run, whatever the number of points. load is called for runs 0,
 * 1, ... in order and before s's figures are read (for sweep.csv), so it may wait for
 * each run to finish while a sweep goes on. */
int ts_report_sweep_write_from(const ts_sweep_t *s,
                               int (*load)(void *ctx, size_t i, ts_result_t *res, ts_err_t *err),
                               void *ctx, const char *dir, ts_err_t *err);

#endif
