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

/* What the reports say of a figure a result read back lacks (ts_result_t.lacks), where its
 * 0 would read as measured. */
#define TS_REPORT_NOT_RECORDED "not recorded in this file (written by an older tiersim)"

/* Human-readable report: scenario summary, per-tier table, miss ratios, totals, wall time
 * and requests/s (only when wall_s > 0). Returns 0, TS_EIO (write failed; sys_errno set)
 * or TS_EINVAL (NULL argument). */
int ts_report_text(const ts_result_t *res, FILE *out, ts_err_t *err);

/* The text report's live section (reports/text_live.c): called by ts_report_text for a
 * result with has_live. */
int ts_report_text_live(const ts_result_t *res, FILE *out, ts_err_t *err);

/* ---- a live run beside its prediction (reports/live_compare.c) ---- */

typedef enum ts_live_unit {
    TS_LIVE_UNIT_NS = 0,          /* a time, ns */
    TS_LIVE_UNIT_PER_S = 1,       /* requests per second */
    TS_LIVE_UNIT_BYTES_PER_S = 2, /* bytes per second */
    TS_LIVE_UNIT_RATIO = 3,       /* a share, 0..1 */
    TS_LIVE_UNIT_COUNT_
} ts_live_unit_t;

/* One figure a live run measured, beside what the timed engine predicted of it. */
typedef struct ts_live_fig {
    char key[96];          /* its name in JSON and HDF5: "latency.all.p99_ns" */
    char label[64];        /* its name in the text and HTML reports: "all latency p99" */
    ts_live_unit_t unit;
    double measured;       /* in unit */
    double predicted;      /* in unit; 0 when has_predicted is false */
    bool has_predicted;    /* the timed engine predicted it (res->has_timed, and a
                            * latency set or level with requests) */
} ts_live_fig_t;

/* Entries ts_report_live_figures writes at most: throughput twice and the span, five
 * figures of three latency sets, a p50 per level, three of the time to first token, the
 * accelerator's utilisation. */
#define TS_LIVE_FIGS (3 + 15 + TS_TIMED_LEVELS + 3 + 1)

/* The figures of a live result (res->has_live) set beside the prediction (res->timed when
 * res->has_timed), into out[0..TS_LIVE_FIGS), in the order every report shows them:
 * requests/s, bytes/s, the span; mean, p50, p90, p99, p99.9 of all requests, gets and puts
 * (each set only when it measured requests); the p50 of gets by the level that served them
 * (levels that served some); the p50, p90 and p99 of the time to first token (when the
 * run or its prediction measured request groups; predicted only when the prediction has
 * groups); the accelerator utilisation (closed loop with compute time).
 * Returns how many. */
size_t ts_report_live_figures(const ts_result_t *res, ts_live_fig_t *out);

/* (measured - predicted) / predicted in percent; NaN when nothing was predicted, the
 * prediction is not above 0 or the measurement is not finite. */
double ts_report_live_error_pct(const ts_live_fig_t *f);

/* v (a figure's measured or predicted value) as the text report writes it: a duration,
 * "12345" requests/s, "1.50MiB/s", "12.50%". Returns buf. */
const char *ts_report_live_value(const ts_live_fig_t *f, double v, char *buf, size_t size);

/* The error as the text report writes it: "+12.3%", or "-" without one. Returns buf. */
const char *ts_report_live_error(const ts_live_fig_t *f, char *buf, size_t size);

/* A unit's name in JSON and HDF5: "ns", "1/s", "bytes/s", "ratio". */
const char *ts_report_live_unit_name(ts_live_unit_t u);

/* A back-end's reads and writes per second, and their bytes per second, over the live
 * run's measured span (span_ns; 0 gives 0). */
double ts_report_live_iops(const ts_live_level_t *d, uint64_t span_ns);
double ts_report_live_bytes_per_s(const ts_live_level_t *d, uint64_t span_ns);

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
