/* SPDX-License-Identifier: MIT */
/*
 * cli_report.c - `tiersim report`: the runs of HDF5 results files (run -o, sweep -o, shards of
 * a job array), as their text reports one after the other, or with --html as one
 * self-contained page (ts__cli_html, which `sweep --html` uses too).
 *
 * -o FILE writes the text reports into FILE; --html - and -o - write to standard output.
 * --plots DIR keeps the page's figures with their data and gnuplot scripts; --run-figures N
 * gives the first N runs figures of their own. Figures gnuplot could not draw are a warning.
 */
#include <errno.h>
#include <stdio.h>

#include "../reports/h5.h"
#include "../reports/report.h"
#include "../reports/report_html.h"
#include "../sim/util/io.h"
#include "../sim/util/mem.h"
#include "cli_internal.h"

/* ---- report ---- */

int ts__cli_html(const char *const *files, size_t n, const char *html,
                 const ts_report_html_opts_t *ro, bool quiet, ts_err_t *err)
{
    size_t missing = 0;
    char warn[sizeof(err->msg)];
    ts__cli_stdout_t so = {0};
    bool to_stdout = ts__cli_is_stdout(html);
    int rc = to_stdout ? ts__cli_stdout_open(&so, "report.html", err) : 0;
    ts_report_html_opts_t one = *ro;
    one.is_one_page = to_stdout; /* further pages go beside a file, not to stdout */
    if (rc == 0)
        rc = ts_report_html(files, n, to_stdout ? so.path : html, &one, &missing, warn,
                            sizeof(warn), err);
    if (rc == 0 && to_stdout)
        rc = ts__cli_stdout_copy(&so, err);
    ts__cli_stdout_close(&so);
    if (rc)
        return rc;
    if (missing)
        fprintf(stderr, "tiersim: warning: %zu figure%s left out: %s\n", missing,
                missing == 1 ? "" : "s", warn);
    if (!quiet && !to_stdout)
        fprintf(stderr, "tiersim: wrote %s\n", html);
    return 0;
}

/* The text report of every run of every file, one after the other, into out. */
static int cli_report_text(char **files, int n, FILE *out, ts_err_t *err)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        ts_result_h5_t *f = NULL;
        rc = ts_result_h5_open(files[i], &f, err);
        size_t runs = rc ? 0 : ts_result_h5_runs(f);
        for (size_t k = 0; k < runs && rc == 0; k++) {
            ts_result_t *res = ts_calloc(1, sizeof(*res));
            rc = res ? ts_result_h5_read(f, k, res, err)
                     : ts_err_set(err, TS_ENOMEM, "cannot hold a run of '%s'", files[i]);
            if (rc == 0 && (i || k))
                fputc('\n', out);
            if (rc == 0 && (n > 1 || runs > 1))
                fprintf(out, "== %s, run %zu\n\n", files[i], k);
            if (rc == 0)
                rc = ts_report_text(res, out, err);
            if (res)
                ts_result_release(res);
            ts_free(res);
        }
        ts_result_h5_close(f);
    }
    return rc;
}

/* Copies the scratch stream ctx into the file ts_file_write is writing. */
static void cli_report_copy(FILE *f, const void *ctx)
{
    FILE *in = (FILE *)ctx;
    char buf[1 << 14];
    size_t n;
    rewind(in);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, f) != n)
            break; /* f's error indicator is set: ts_file_write reports it */
}

/* The text reports into path ("-" or NULL: standard output). A file is written whole or not
 * at all: the reports go to a scratch stream first, then into path through a temporary file
 * renamed into place. */
static int cli_report_text_to(char **files, int n, const char *path, bool quiet, ts_err_t *err)
{
    if (!path || ts__cli_is_stdout(path)) {
        int rc = cli_report_text(files, n, stdout, err);
        if (rc == 0 && fflush(stdout) != 0)
            rc = ts_err_sys(err, TS_EIO, errno, "cannot write to standard output");
        return rc;
    }
    FILE *tmp = tmpfile();
    if (!tmp)
        return ts_err_sys(err, TS_EIO, errno, "cannot create a scratch file for '%s'", path);
    int rc = cli_report_text(files, n, tmp, err);
    if (rc == 0 && (fflush(tmp) != 0 || ferror(tmp)))
        rc = ts_err_sys(err, TS_EIO, errno, "cannot write the scratch file for '%s'", path);
    if (rc == 0)
        rc = ts_file_write(path, "text report", cli_report_copy, tmp, err);
    fclose(tmp);
    if (rc == 0 && !quiet)
        fprintf(stderr, "tiersim: wrote %s\n", path);
    return rc;
}

int ts__cli_report(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"html", required_argument, NULL, 'H'},
                                         {"plots", required_argument, NULL, 'P'},
                                         {"run-figures", required_argument, NULL, 'F'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *html = NULL, *out = NULL;
    ts_report_html_opts_t ro = {0};
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = ts__cli_getopt("report", argc, argv, "o:qh", opts)) != -1) {
        switch (c) {
        case 'o':
            if (ts__cli_path_opt("report", "-o", optarg))
                return 2;
            out = optarg;
            break;
        case 'H':
            if (ts__cli_path_opt("report", "--html", optarg))
                return 2;
            html = optarg;
            break;
        case 'P':
            if (ts__cli_path_opt("report", "--plots", optarg))
                return 2;
            ro.plots_dir = optarg;
            break;
        case 'F':
            if (ts__cli_count_opt("report", optarg,
                                  "--run-figures expects a count such as 24, found '%s'",
                                  &ro.run_figures))
                return 2;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            return ts__cli_help_topic("report", NULL, stdout);
        default:
            return 2;
        }
    }
    if (optind >= argc)
        return ts__cli_usage("report", "report needs at least one results file (result.h5)");
    if ((ro.plots_dir || ro.run_figures) && !html)
        return ts__cli_usage("report", "--plots and --run-figures go with --html");
    if (out && html)
        return ts__cli_usage("report", "give -o (the text reports) or --html (the page), "
                                       "not both");
    ts_err_t err = {0};
    int rc;
    if (!html)
        rc = cli_report_text_to(argv + optind, argc - optind, out, quiet, &err);
    else
        rc = ts__cli_html((const char *const *)(argv + optind), (size_t)(argc - optind), html,
                          &ro, quiet, &err);
    return rc ? ts__cli_fail(&err) : 0;
}
