/* SPDX-License-Identifier: MIT */
/*
 * report.h - result formats: a readable text report, CSV (tiers, and the bill) and JSON
 * (the HDF5 results file: h5.h). The report writers (writer.h) write them into an output
 * directory; these functions write one format to any stream.
 *
 * Writers read a ts_result_t only. The JSON document is stable (documented in
 * docs/results.md) and deterministic: it holds no wall-clock figure unless with_timing is
 * set, so the same scenario and seed give byte-identical JSON.
 */
#ifndef TS_REPORTS_REPORT_H
#define TS_REPORTS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../sim/util/err.h"
#include "../sim/result.h"

/* Human-readable report: scenario summary, per-tier table, miss ratios, totals, wall time
 * and requests/s (only when wall_s > 0). Returns 0, TS_EIO (write failed; sys_errno set)
 * or TS_EINVAL (NULL argument). */
int ts_report_text(const ts_result_t *res, FILE *out, ts_err_t *err);

/* The text report's live section (reports/text_live.c): called by ts_report_text for a
 * result with has_live. */
int ts_report_text_live(const ts_result_t *res, FILE *out, ts_err_t *err);

/* The JSON document (schema in docs/results.md). Returns 0, TS_ENOMEM, TS_EIO, TS_ERANGE
 * (a counter above 2^63-1, which JSON integers here cannot hold; the field is named) or
 * TS_EINVAL. Nothing is written unless the whole document could be built. The first call
 * routes jansson's allocator through ts_malloc/ts_free (json_set_alloc_funcs, process-wide,
 * once). */
int ts_report_json(const ts_result_t *res, bool with_timing, FILE *out, ts_err_t *err);

/* One row per tier plus a "total" row, with a header line. Returns 0, TS_EIO or
 * TS_EINVAL. */
int ts_report_csv(const ts_result_t *res, FILE *out, ts_err_t *err);

/* The bill as CSV: a header line, one row per line item (capacity of each level, central-
 * store requests and transfer, GPU time and its stalls, power, the total, then the
 * normalised figures the workload has units for). Returns 0, TS_EIO or TS_EINVAL (NULL
 * argument, or a result without a bill). */
int ts_report_cost_csv(const ts_result_t *res, FILE *out, ts_err_t *err);

#endif
