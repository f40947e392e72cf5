/* SPDX-License-Identifier: MIT */
/*
 * writer_json.c - the "json" report writer: result.json, the stable JSON document of one
 * run (json.c's format, schema in docs/results.md), always without timing so the file is
 * deterministic. Cost: O(tiers) and a few KiB of heap (the document is built whole first).
 */
#include "report.h"
#include "writer.h"

static int json_write(const ts_report_in_t *in, size_t file, FILE *out, ts_report_warn_t *warn,
                      ts_err_t *err)
{
    (void)file, (void)warn;
    return ts_report_json(in->runs[0], false, out, err);
}

const ts_report_ops_t ts_sink_json = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_REPORT,
             .name = "json",
             .summary = "result.json: the run as a stable JSON document, for programs",
             .flags = TS_REPORT_DEFAULT},
    .files = {"result.json"},
    .write = json_write,
};
