/* SPDX-License-Identifier: MIT */
/*
 * cli_run.c - `tiersim run`: loads a scenario (a file, or the built-in default) with its -s
 * overrides, runs it with its engine, prints the text report (or the JSON result with
 * --json), then writes the result files into -o DIR or the scenario's outputs.dir.
 *
 * A progress line shows on stderr when it is a terminal; -q prints neither it nor the report.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../reports/report.h"
#include "../reports/writer.h"
#include "../sim/util/mem.h"
#include "cli_internal.h"
#include "progress.h"
#include "run.h"
#include "scenario.h"

/* ---- run ---- */

/* Settles which result files run writes before it runs (the time series are sampled only
 * for the writers that read them): -o DIR replaces outputs.dir; a scenario that turns every
 * writer off gets the default ones. */
static int cli_outputs(ts_scenario_t *sc, const char *outdir, ts_err_t *err)
{
    ts_output_spec_t *o = &sc->outputs;
    if (outdir) {
        int n = snprintf(o->dir, sizeof(o->dir), "%s", outdir);
        if (n < 0 || (size_t)n >= sizeof(o->dir))
            return ts_err_set(err, TS_EINVAL, "-o: output directory name too long (%zu bytes)",
                              strlen(outdir));
    }
    if (!o->writers)
        o->writers = ts_report_default_set();
    return 0;
}

/* `run`, and `live` (the same with engine: live and its own options). */
/* The timed engine's warnings on standard error: each overloaded resource, and a run cut
 * at timed.max_in_flight, whose report is partial: it exits 1 (code otherwise). */
static int cli_timed_warnings(const ts_timed_result_t *t, int code)
{
    char load[256];
    for (size_t i = 0; i < t->n_res; i++)
        if (t->res[i].is_overloaded)
            fprintf(stderr, "tiersim: warning: %s is overloaded: %s; latency figures depend on "
                            "the run's length\n",
                    ts_str(t->res[i].name), ts_res_load_text(&t->res[i], load, sizeof(load)));
    if (!t->partial)
        return code;
    fprintf(stderr, "tiersim: %s: the timed run stopped early; its report is partial\n",
            ts_str(t->stop_reason));
    return 1;
}

static int cli_run_verb(const char *verb, int argc, char **argv)
{
    static const struct option opts[] = {{"set", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"timing", no_argument, NULL, 't'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"scratch", required_argument, NULL, 'S'},
                                         {"keep", no_argument, NULL, 'K'},
                                         {"verify", no_argument, NULL, 'V'},
                                         {"allow-raw-device", required_argument, NULL, 'R'},
                                         {"i-know-this-erases", required_argument, NULL, 'E'},
                                         {NULL, 0, NULL, 0}};
    const char *raw = NULL, *erases = NULL;
    bool live = strcmp(verb, "live") == 0;
    const char *ovr[TS__CLI_MAX_OVERRIDES];
    size_t n_ovr = 0;
    char scratch[1100];
    if (live)
        ovr[n_ovr++] = "engine=live"; /* first: the scenario's own -s come after */
    bool json = false, timing = false, quiet = false;
    const char *outdir = NULL;
    int c;
    optind = 1;
    while ((c = ts__cli_getopt(verb, argc, argv, "s:o:qh", opts)) != -1) {
        if (!live && (c == 'S' || c == 'K' || c == 'V' || c == 'R' || c == 'E'))
            return ts__cli_usage(verb, "%s is an option of `tiersim live`",
                                 c == 'S'   ? "--scratch"
                                 : c == 'K' ? "--keep"
                                 : c == 'V' ? "--verify"
                                 : c == 'R' ? "--allow-raw-device"
                                            : "--i-know-this-erases");
        switch (c) {
        case 's':
            if (ts__cli_add_override(verb, ovr, &n_ovr, optarg))
                return 2;
            break;
        case 'S':
            if (ts__cli_dir_opt(verb, optarg))
                return 2;
            snprintf(scratch, sizeof(scratch), "live.scratch=%s", optarg);
            if (strlen(optarg) >= 1024)
                return ts__cli_usage(verb, "--scratch: directory name too long");
            if (ts__cli_add_override(verb, ovr, &n_ovr, scratch))
                return 2;
            break;
        case 'K':
            if (ts__cli_add_override(verb, ovr, &n_ovr, "live.keep=true"))
                return 2;
            break;
        case 'V':
            if (ts__cli_add_override(verb, ovr, &n_ovr, "live.verify=true"))
                return 2;
            break;
        case 'R':
            raw = optarg;
            break;
        case 'E':
            erases = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 't':
            timing = true;
            break;
        case 'o':
            if (ts__cli_dir_opt(verb, optarg))
                return 2;
            outdir = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            return ts__cli_help_topic(verb, NULL, stdout);
        default:
            return 2;
        }
    }
    if (argc - optind > 1)
        return ts__cli_usage(verb, "%s takes one scenario, found also '%s'", verb,
                             argv[optind + 1]);
    const char *path = optind < argc ? argv[optind] : NULL;
    if (live && !path)
        return ts__cli_usage(verb, "live needs a scenario whose tiers name their back-ends "
                                   "(see examples/live-*.yaml)");
    if ((raw || erases) && !(raw && erases && strcmp(raw, erases) == 0))
        return ts__cli_usage(verb,
                             "a block device is erased only when --allow-raw-device and "
                             "--i-know-this-erases both name it, found %s%s%s",
                             raw ? raw : "no --allow-raw-device", " and ",
                             erases ? erases : "no --i-know-this-erases");
    static volatile sig_atomic_t stop;
    if (live)
        ts__cli_signals_soft(&stop);

    ts_err_t err = {0};
    ts_scenario_t *sc = NULL;
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    if (!res) {
        ts_err_set(&err, TS_ENOMEM, "cannot allocate the result");
        return ts__cli_fail(&err);
    }
    int rc = ts_scenario_load(path, NULL, ovr, n_ovr, &sc, &err);
    ts_progress_t meter;
    ts_progress_start(&meter, ts__cli_progress_out(quiet), 0);
    const ts_progress_hook_t hook = {ts_progress_hook_meter, &meter};
    const ts_run_opts_t run_opts = {
        .progress = &hook, .stop = live ? &stop : NULL, .raw_device = raw, .read_ahead = true};
    if (rc == 0)
        rc = cli_outputs(sc, outdir, &err);
    if (rc == 0)
        rc = ts_run_with(sc, &run_opts, res, &err);
    ts_progress_finish(&meter);
    if (rc == 0) {
        if (json)
            rc = ts_report_json(res, timing, stdout, &err);
        else if (!quiet)
            rc = ts_report_text(res, stdout, &err);
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = ts_err_sys(&err, TS_EIO, errno, "cannot write to standard output");
    if (rc == 0 && sc->outputs.dir[0]) {
        const ts_report_ops_t *w[TS_REPORT_MAX];
        size_t n_w = ts_report_set_list(sc->outputs.writers, w);
        ts_report_warn_t warn;
        rc = ts_report_write_run(res, w, n_w, sc->outputs.dir, &warn, &err);
        if (rc == 0 && warn.n)
            fprintf(stderr, "tiersim: warning: %s\n", warn.msg);
    }
    int code = rc ? ts__cli_fail(&err) : 0;
    if (rc == 0 && res->has_live && res->live.partial) {
        /* the report and files are written, marked partial: say why, and exit as the stop
         * asks (128 + a signal's number, else 1) */
        fprintf(stderr, "tiersim: %s: the live run stopped early; its report is partial\n",
                ts_str(res->live.stop_reason));
        code = stop ? 128 + (int)stop : 1;
    }
    if (rc == 0 && res->has_timed && !res->has_live)
        code = cli_timed_warnings(&res->timed, code);
    ts_scenario_destroy(sc);
    ts_result_release(res);
    ts_free(res);
    return code;
}

int ts__cli_run(int argc, char **argv)
{
    return cli_run_verb("run", argc, argv);
}

int ts__cli_live(int argc, char **argv)
{
    return cli_run_verb("live", argc, argv);
}
