/* SPDX-License-Identifier: MIT */
/*
 * cli_report.c - `tiersim report`: the runs of HDF5 results files (run -o, sweep -o, shards of
 * a job array), as their text reports one after the other, or with --html as one
 * self-contained page (ts__cli_html, which `sweep --html` uses too).
 *
 * --plots DIR keeps the page's figures with their data and gnuplot scripts; --run-figures N
 * gives the first N runs figures of their own. Figures gnuplot could not draw are a warning.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "../reports/h5.h"
#include "../reports/report.h"
#include "../reports/report_html.h"
#include "../sim/util/mem.h"
#include "cli_internal.h"

/* ---- report ---- */

int ts__cli_html(const char *const *files, size_t n, const char *html,
                 const ts_report_html_opts_t *ro, bool quiet, ts_err_t *err)
{
    size_t missing = 0;
    char warn[sizeof(err->msg)];
    int rc = ts_report_html(files, n, html, ro, &missing, warn, sizeof(warn), err);
    if (rc)
        return rc;
    if (missing)
        fprintf(stderr, "tiersim: warning: %zu figure%s left out: %s\n", missing,
                missing == 1 ? "" : "s", warn);
    if (!quiet)
        printf("wrote %s\n", html);
    return 0;
}

/* The text report of every run of every file, one after the other. */
static int cli_report_text(char **files, int n, ts_err_t *err)
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
                putchar('\n');
            if (rc == 0 && (n > 1 || runs > 1))
                printf("== %s, run %zu\n\n", files[i], k);
            if (rc == 0)
                rc = ts_report_text(res, stdout, err);
            if (res)
                ts_result_release(res);
            ts_free(res);
        }
        ts_result_h5_close(f);
    }
    return rc;
}

int ts__cli_report(int argc, char **argv)
{
    static const struct option opts[] = {{"html", required_argument, NULL, 'H'},
                                         {"plots", required_argument, NULL, 'P'},
                                         {"run-figures", required_argument, NULL, 'F'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *html = NULL;
    ts_report_html_opts_t ro = {0};
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            html = optarg;
            break;
        case 'P':
            ro.plots_dir = optarg;
            break;
        case 'F':
            if (ts__cli_count_opt(optarg, "--run-figures expects a count such as 24, found '%s'",
                                  &ro.run_figures))
                return 2;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            ts__cli_help(stdout);
            return 0;
        default:
            return 2;
        }
    }
    if (optind >= argc)
        return ts__cli_usage_error("report needs at least one results file (result.h5)%s", "");
    if ((ro.plots_dir || ro.run_figures) && !html)
        return ts__cli_usage_error("--plots and --run-figures go with --html%s", "");
    ts_err_t err = {0};
    int rc;
    if (!html) {
        rc = cli_report_text(argv + optind, argc - optind, &err);
        if (rc == 0 && fflush(stdout) != 0)
            rc = ts_err_sys(&err, TS_EIO, errno, "cannot write to standard output");
        return rc ? ts__cli_fail(&err) : 0;
    }
    rc = ts__cli_html((const char *const *)(argv + optind), (size_t)(argc - optind), html, &ro,
                      quiet, &err);
    return rc ? ts__cli_fail(&err) : 0;
}
