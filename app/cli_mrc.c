/* SPDX-License-Identifier: MIT */
/*
 * cli_mrc.c - `tiersim mrc`: the miss-ratio curves of a scenario's top tier, one fast run per
 * policy and capacity, side by side on the cores (app/mrc.c).
 *
 * Capacities are --sizes (shares of the footprint or absolute) or --points N (shares spaced
 * on a log scale), not both; --method picks how (exact, shards, mini, replay), --rate and
 * --max-keys tune the sampled ones. Prints the table; -o DIR writes mrc.csv; --plot draws it, and a
 * missing gnuplot is a warning (the data and script are still written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/policy.h"
#include "../reports/mrc_report.h"
#include "../sim/util/mem.h"
#include "cli_internal.h"
#include "mrc.h"
#include "progress.h"
#include "../policies/registry.h"

/* ---- mrc ---- */

/* Splits a comma-separated list in place into at most max entries. Returns the count, or
 * max + 1 when there are more. */
static size_t cli_split(char *list, const char **out, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (n++ < max)
            out[n - 1] = t;
    return n;
}

/* The miss-ratio curve of the scenario's top tier, one column per policy. */
int ts__cli_mrc(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, NULL, 's'},     {"policies", required_argument, NULL, 'P'},
        {"sizes", required_argument, NULL, 'S'},   {"points", required_argument, NULL, 'N'},
        {"threads", required_argument, NULL, 'T'}, {"output", required_argument, NULL, 'o'},
        {"plot", required_argument, NULL, 'G'},    {"quiet", no_argument, NULL, 'q'},
        {"method", required_argument, NULL, 'M'},  {"rate", required_argument, NULL, 'R'},
        {"max-keys", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *ovr[TS__CLI_MAX_OVERRIDES];
    const char *pols[TS_MRC_MAX_POLICIES];
    char *pol_list = NULL;
    ts_mrc_spec_t spec = {.overrides = ovr, .policies = pols};
    const char *outdir = NULL, *plot = NULL;
    bool quiet = false;
    size_t threads = 0;
    ts__cli_threads_t tn = {0};
    const ts_par_note_t note = {ts__cli_threads_note, &tn};
    spec.threads_note = &note;
    ts_err_t err = {0};
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = ts__cli_getopt("mrc", argc, argv, "s:o:qh", opts)) != -1) {
        switch (c) {
        case 's':
            rc = ts__cli_add_override("mrc", ovr, &spec.n_overrides, optarg);
            break;
        case 'P':
            ts_free(pol_list);
            pol_list = ts_strdup(optarg);
            if (!pol_list)
                rc = ts__cli_usage("mrc", "out of memory at '%s'", optarg);
            else if (strcmp(pol_list, "all") == 0)
                for (spec.n_policies = 0; spec.n_policies < ts_registry_count(&ts_policies);
                     spec.n_policies++)
                    pols[spec.n_policies] = ts_registry_at(&ts_policies, spec.n_policies)->name;
            else if ((spec.n_policies = cli_split(pol_list, pols, TS_MRC_MAX_POLICIES)) == 0 ||
                     spec.n_policies > TS_MRC_MAX_POLICIES)
                rc = ts__cli_usage("mrc", "--policies expects 1 to %d names separated by "
                                          "commas, found '%s'",
                                   TS_MRC_MAX_POLICIES, optarg);
            break;
        case 'S':
            spec.sizes = optarg;
            break;
        case 'M':
            if (ts_mrc_method_parse(optarg, &spec.method, &err) != 0)
                rc = ts__cli_usage("mrc", "--method: %s", err.msg);
            break;
        case 'R': {
            char *end = NULL;
            spec.rate = strtod(optarg, &end);
            if (end == optarg || *end || !(spec.rate > 0 && spec.rate <= 1))
                rc = ts__cli_usage("mrc", "--rate expects a share of the keys above 0 and at "
                                          "most 1 such as 0.01, found '%s'",
                                   optarg);
            break;
        }
        case 'K': {
            size_t n = 0;
            rc = ts__cli_count_opt("mrc", optarg,
                                   "--max-keys expects a count of keys such as 8k, found '%s'",
                                   &n);
            spec.max_keys = n;
            if (rc == 0 && n == 0)
                rc = ts__cli_usage("mrc", "--max-keys expects at least one key, found '%s'",
                                   optarg);
            break;
        }
        case 'N':
            rc = ts__cli_count_opt("mrc", optarg,
                                   "--points expects a count such as 12, found '%s'",
                                   &spec.n_points);
            break;
        case 'T':
            rc = ts__cli_count_opt("mrc", optarg, TS__CLI_THREADS_USAGE, &threads);
            spec.threads = (int)threads;
            tn.arg = optarg;
            break;
        case 'o':
            rc = ts__cli_dir_opt("mrc", optarg);
            outdir = optarg;
            break;
        case 'G':
            rc = ts__cli_path_opt("mrc", "--plot", optarg);
            plot = optarg;
            break;
        case 'q':
            quiet = tn.is_quiet = true;
            break;
        case 'h':
            ts_free(pol_list);
            return ts__cli_help_topic("mrc", NULL, stdout);
        default:
            rc = 2;
        }
    }
    if (rc == 0 && spec.sizes && spec.n_points)
        rc = ts__cli_usage("mrc", "give --sizes or --points, not both");
    if (rc == 0 && argc - optind > 1)
        rc = ts__cli_usage("mrc", "mrc takes one scenario, found also '%s'", argv[optind + 1]);
    if (rc) {
        ts_free(pol_list);
        return rc;
    }
    spec.path = optind < argc ? argv[optind] : NULL;
    ts_err_clear(&err);
    ts_progress_t meter;
    ts_progress_start(&meter, ts__cli_progress_out(quiet), 0);
    const ts_progress_hook_t hook = {ts_progress_hook_meter, &meter};
    spec.progress = &hook;
    ts_mrc_t *m = NULL;
    rc = ts_mrc_run(&spec, &m, &err);
    ts_progress_finish(&meter);
    if (rc == 0 && !quiet)
        rc = ts_report_mrc_text(m, stdout, &err);
    if (rc == 0 && outdir)
        rc = ts_report_mrc_write(m, outdir, &err);
    if (rc == 0 && plot) {
        rc = ts_report_mrc_plot(m, plot, NULL, &err);
        if (rc == TS_EUNSUPPORTED) { /* no image, but the data are there: a warning */
            fprintf(stderr, "tiersim: warning: %s\n", err.msg);
            rc = 0;
        }
    }
    ts_mrc_destroy(m);
    ts_free(pol_list);
    return rc ? ts__cli_fail(&err) : 0;
}
