/* SPDX-License-Identifier: MIT */
/*
 * writer_csv.c - the "csv" report writer: tiers.csv (a row per tier and a total row) and,
 * when the run has a bill, cost.csv (a line item per row); csv.c's formats, columns in
 * docs/results.md. Cost: O(tiers); no allocation.
 */
#include "report.h"
#include "writer.h"

enum { CSV_TIERS = 0, CSV_COST = 1 }; /* indexes of the files below */

/* cost.csv only for a run with a bill. */
static bool csv_has_file(const ts_report_in_t *in, size_t file)
{
    return file != CSV_COST || in->runs[0]->has_cost;
}

static int csv_write(const ts_report_in_t *in, size_t file, FILE *out, ts_report_warn_t *warn,
                     ts_err_t *err)
{
    (void)warn;
    return file == CSV_COST ? ts_report_cost_csv(in->runs[0], out, err)
                            : ts_report_csv(in->runs[0], out, err);
}

const ts_report_ops_t ts_sink_csv = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_REPORT,
             .name = "csv",
             .summary = "tiers.csv (a row per tier) and cost.csv (the bill), for spreadsheets",
             .flags = TS_REPORT_MULTI_FILE | TS_REPORT_DEFAULT},
    .files = {[CSV_TIERS] = "tiers.csv", [CSV_COST] = "cost.csv"},
    .has_file = csv_has_file,
    .write = csv_write,
};
