/* SPDX-License-Identifier: MIT */
/*
 * report.h - result writers: a readable text report, CSV and JSON.
 *
 * Writers read a ts_result_t only. The JSON document is stable (documented in
 * docs/results.md) and deterministic: it holds no wall-clock figure unless with_timing is
 * set, so the same scenario and seed give byte-identical JSON.
 * File outputs are written to a temporary file and renamed into place, so a failed run
 * leaves no half-written result.
 */
#ifndef TS_REPORTS_REPORT_H
#define TS_REPORTS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../sim/err.h"
#include "../sim/result.h"

/* Human-readable report: scenario summary, per-tier table, miss ratios, totals, wall time
 * and requests/s. Returns 0 or TS_EIO. */
int ts_report_text(const ts_result_t *res, FILE *out, ts_err_t *err);

/* The JSON document. Returns 0, TS_ENOMEM or TS_EIO. */
int ts_report_json(const ts_result_t *res, bool with_timing, FILE *out, ts_err_t *err);

/* One row per tier plus a "total" row, with a header line. Returns 0 or TS_EIO. */
int ts_report_csv(const ts_result_t *res, FILE *out, ts_err_t *err);

/* Writes the outputs a scenario asks for (result.json, tiers.csv, report.txt) into dir,
 * each atomically. Returns 0 or an error naming the file. */
int ts_report_write_dir(const ts_result_t *res, const char *dir, bool json, bool csv,
                        bool text, ts_err_t *err);

#endif
