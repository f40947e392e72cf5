/* SPDX-License-Identifier: MIT */
/*
 * writer_html.c - the "html" report writer: report.html, the self-contained page `tiersim
 * report result.h5 --html` makes (report_html.c), for one run or a sweep's runs.
 *
 * The page is built from a results file, as `tiersim report` builds it: the runs go to
 * result.h5 in a scratch directory (under TMPDIR, else /tmp), the page is made from it
 * beside it, then copied into the stream files.c gives, and the scratch directory is
 * removed. Figures gnuplot cannot draw are left out of the page with a note, and the call
 * gives a warning rather than fail. Cost: the results file and the page on disk once more,
 * and one gnuplot process per figure.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../sim/util/io.h"
#include "h5.h"
#include "report_html.h"
#include "writer.h"

#define HTML_FILE "report.html"

/* Appends the file at path to out. Returns 0 or TS_EIO naming what failed. */
static int html_copy(const char *path, FILE *out, ts_err_t *err)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return ts_err_sys(err, TS_EIO, errno, "html: cannot read the page '%s'", path);
    char buf[1 << 14];
    size_t got;
    int rc = 0;
    errno = 0;
    while (rc == 0 && (got = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, got, out) != got)
            rc = ts_err_sys(err, TS_EIO, errno ? errno : EIO, "html: write failed");
    if (rc == 0 && ferror(in))
        rc = ts_err_sys(err, TS_EIO, errno ? errno : EIO, "html: cannot read the page '%s'",
                        path);
    if (rc == 0 && fflush(out) != 0)
        rc = ts_err_sys(err, TS_EIO, errno ? errno : EIO, "html: write failed");
    fclose(in);
    return rc;
}

/* None for a shard with no run. */
static bool html_has_file(const ts_report_in_t *in, size_t file)
{
    (void)file;
    return in->n_runs > 0;
}

static int html_write(const ts_report_in_t *in, size_t file, FILE *out, ts_report_warn_t *warn,
                      ts_err_t *err)
{
    (void)file;
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], h5[PATH_MAX + 16], page[PATH_MAX + 16], why[sizeof(err->msg)];
    int n = snprintf(dir, sizeof(dir), "%s/tiersim-html.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= sizeof(dir))
        return ts_err_set(err, TS_EINVAL, "html: TMPDIR is too long a path");
    sigset_t held;
    ts_io_hold_signals(&held); /* made and in the live table as one: gone on a signal */
    bool is_made = mkdtemp(dir) != NULL;
    int e = errno, live = is_made ? ts_io_live_add(dir, NULL, true) : 0;
    ts_io_release_signals(&held);
    if (!is_made)
        return ts_err_sys(err, TS_EIO, e, "html: cannot create a scratch directory in '%s'",
                          tmp && *tmp ? tmp : "/tmp");
    snprintf(h5, sizeof(h5), "%s/result.h5", dir);
    snprintf(page, sizeof(page), "%s/" HTML_FILE, dir);
    /* the page names the file as `tiersim report result.h5 --html` run beside it does */
    const ts_report_html_opts_t opts = {.names = (const char *const[]){"result.h5"}};
    size_t missing = 0;
    int rc = ts_report_h5_runs(in->runs, in->n_runs, h5, err);
    if (rc == 0)
        rc = ts_report_html((const char *const[]){h5}, 1, page, &opts, &missing, why,
                            sizeof(why), err);
    if (rc == 0)
        rc = html_copy(page, out, err);
    if (rc == 0 && missing)
        ts_report_warn(warn, HTML_FILE, "%zu figure%s left out: %s", missing,
                       missing == 1 ? "" : "s", why);
    unlink(page);
    unlink(h5);
    rmdir(dir);
    ts_io_live_drop(live);
    return rc;
}

const ts_report_ops_t ts_sink_html = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_REPORT,
             .name = "html",
             .summary = "report.html: one self-contained page with tables and figures "
                        "(gnuplot draws them)",
             .flags = TS_REPORT_NEEDS_GNUPLOT | TS_REPORT_MANY_RUNS | TS_REPORT_SERIES},
    .files = {HTML_FILE},
    .has_file = html_has_file,
    .write = html_write,
};
