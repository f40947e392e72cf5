/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the one table of report writers, sorted by name, its kind check, and the
 * sets of writers a scenario chooses (see writer.h).
 *
 * To add a writer: write reports/writer_<name>.c exporting `const ts_report_ops_t
 * ts_sink_<name>` (writer_text.c is the short example), declare it below and list it in
 * k_reports in name order; its name becomes an `outputs.<name>` key and a name
 * `outputs.write` takes. tests/test_writers.c checks the table. Cost: O(entries) per call.
 */
#include "writer.h"

#include <string.h>

extern const ts_report_ops_t ts_sink_csv;
extern const ts_report_ops_t ts_sink_hdf5;
extern const ts_report_ops_t ts_sink_html;
extern const ts_report_ops_t ts_sink_json;
extern const ts_report_ops_t ts_sink_text;

static const ts_plugin_t *const k_reports[] = {
    &ts_sink_csv.base, &ts_sink_hdf5.base, &ts_sink_html.base,
    &ts_sink_json.base, &ts_sink_text.base,
};

#define N_REPORTS (sizeof(k_reports) / sizeof(k_reports[0]))
_Static_assert(N_REPORTS <= TS_REPORT_MAX, "a set of writers is a 64-bit mask");

int ts_report_check(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_report_ops_t *w = (const ts_report_ops_t *)p;
    if (!w->write || !w->files[0])
        return ts_err_set(err, TS_EINVAL, "report writer %s lacks write or a file", p->name);
    if (p->flags & ~TS_REPORT_FLAGS_ALL)
        return ts_err_set(err, TS_EINVAL, "report writer %s has unknown flags 0x%x", p->name,
                          p->flags & ~TS_REPORT_FLAGS_ALL);
    size_t n = 0;
    while (n < TS_REPORT_MAX_FILES && w->files[n]) {
        const char *f = w->files[n];
        if (!f[0] || strchr(f, '/') || !strcmp(f, ".") || !strcmp(f, ".."))
            return ts_err_set(err, TS_EINVAL, "report writer %s: '%s' is not a file name",
                              p->name, f);
        for (size_t k = 0; k < n; k++)
            if (!strcmp(w->files[k], f))
                return ts_err_set(err, TS_EINVAL, "report writer %s names '%s' twice", p->name,
                                  f);
        n++;
    }
    for (size_t k = n; k < TS_REPORT_MAX_FILES; k++)
        if (w->files[k])
            return ts_err_set(err, TS_EINVAL, "report writer %s: a file follows a NULL one",
                              p->name);
    if ((n > 1) != !!(p->flags & TS_REPORT_MULTI_FILE))
        return ts_err_set(err, TS_EINVAL,
                          "report writer %s: TS_REPORT_MULTI_FILE is %s but it names %zu file%s",
                          p->name, p->flags & TS_REPORT_MULTI_FILE ? "set" : "not set", n,
                          n == 1 ? "" : "s");
    return 0;
}

const ts_registry_t ts_reports = {
    .kind = TS_PLUGIN_REPORT,
    .entries = k_reports,
    .n = N_REPORTS,
    .check = ts_report_check,
};

ts_report_set_t ts_report_default_set(void)
{
    ts_report_set_t set = 0;
    for (size_t i = 0; i < N_REPORTS; i++)
        if (k_reports[i]->flags & TS_REPORT_DEFAULT)
            set |= (ts_report_set_t)1 << i;
    return set;
}

ts_report_set_t ts_report_find_bit(const char *name, ts_err_t *err)
{
    const ts_plugin_t *p = ts_registry_find(&ts_reports, name, err);
    for (size_t i = 0; p && i < N_REPORTS; i++)
        if (k_reports[i] == p)
            return (ts_report_set_t)1 << i;
    return 0;
}

size_t ts_report_set_list(ts_report_set_t set, const ts_report_ops_t **out)
{
    size_t n = 0;
    for (size_t i = 0; i < N_REPORTS; i++)
        if (set & ((ts_report_set_t)1 << i))
            out[n++] = (const ts_report_ops_t *)k_reports[i];
    return n;
}

uint32_t ts_report_set_flags(ts_report_set_t set)
{
    uint32_t flags = 0;
    for (size_t i = 0; i < N_REPORTS; i++)
        if (set & ((ts_report_set_t)1 << i))
            flags |= k_reports[i]->flags;
    return flags;
}
