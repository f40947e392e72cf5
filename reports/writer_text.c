/* SPDX-License-Identifier: MIT */
/*
 * writer_text.c - the "text" report writer: report.txt, the readable report of one run
 * (text.c's format, what `tiersim run` prints) without the wall time and requests/s that
 * the printed report ends with: a file written holds the same bytes for the same scenario
 * and seed, whatever the machine's speed.
 *
 * The shortest writer, and the template for a new one: an ops table naming the writer, its
 * files and flags, and a write op that fills one file through the stream it is given
 * (reports/files.c opens it on a temporary file, then syncs and renames it with the rest
 * of the set). Cost: O(tiers); no allocation.
 */
#include "report.h"
#include "writer.h"

/* report.txt: one run (the table lacks TS_REPORT_MANY_RUNS, so files.c gives one). */
static int text_write(const ts_report_in_t *in, size_t file, FILE *out, ts_report_warn_t *warn,
                      ts_err_t *err)
{
    (void)file, (void)warn;
    ts_result_t run = *in->runs[0]; /* a shallow copy: only its wall time differs */
    run.wall_s = 0.0;
    return ts_report_text(&run, out, err);
}

const ts_report_ops_t ts_sink_text = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_REPORT,
             .name = "text",
             .summary = "report.txt: the readable report tiersim run prints",
             .flags = TS_REPORT_DEFAULT},
    .files = {"report.txt"},
    .write = text_write,
};
