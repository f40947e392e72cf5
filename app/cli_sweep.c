/* SPDX-License-Identifier: MIT */
/*
 * cli_sweep.c - `tiersim sweep`: runs every point of the grid of a scenario's `sweep:` axes and
 * the --vary ones, side by side on the cores (app/sweep.c), or only one shard of the points.
 *
 * Prints a row per point; -o DIR writes sweep.csv and every run in result.h5; --html FILE
 * writes the runs' report from that result.h5, through a scratch directory (removed after)
 * when no -o is given; --html - writes the page to stdout in place of the table. The time
 * series are sampled only when result.h5 is written.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../reports/report_html.h"
#include "../reports/sweep_report.h"
#include "../sim/util/io.h"
#include "cli_internal.h"
#include "progress.h"
#include "ranks.h"
#include "sweep.h"

/* ---- sweep ---- */

/* Removes dir/result.h5 and dir, the scratch a sweep with --html and no -o wrote. */
static void cli_sweep_scratch_remove(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/result.h5", dir);
    remove(path);
    snprintf(path, sizeof(path), "%s/sweep.csv", dir);
    remove(path);
    snprintf(path, sizeof(path), "%s/%s", dir, TS_SWEEP_JOURNAL);
    remove(path);
    rmdir(dir);
}

/* Makes the scratch directory a sweep with --html and no -o writes its files in (*live: its
 * entry in the live table, so a signal removes it). */
static int cli_sweep_scratch(char *scratch, size_t size, const char *html, int *live,
                             ts_err_t *err)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, size, "%s/tiersim-sweep.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    sigset_t old;
    ts_io_hold_signals(&old); /* made and in the live table as one */
    bool is_made = mkdtemp(scratch) != NULL;
    int e = errno;
    *live = is_made ? ts_io_live_add(scratch, html, true) : 0; /* gone on a signal */
    ts_io_release_signals(&old);
    if (is_made)
        return 0;
    scratch[0] = 0;
    return ts_err_sys(err, TS_EIO, e, "cannot create a scratch directory in '%s'",
                      tmp && *tmp ? tmp : "/tmp");
}

int ts__cli_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, NULL, 's'},    {"vary", required_argument, NULL, 'V'},
        {"threads", required_argument, NULL, 'T'}, {"output", required_argument, NULL, 'o'},
        {"html", required_argument, NULL, 'H'},   {"shard", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {"resume", no_argument, NULL, 'R'},       {NULL, 0, NULL, 0}};
    const char *ovr[TS__CLI_MAX_OVERRIDES], *axes[TS_SWEEP_MAX_AXES];
    ts_sweep_spec_t spec = {.overrides = ovr, .axes = axes, .series = true};
    const char *outdir = NULL, *html = NULL;
    bool quiet = false;
    size_t threads = 0;
    ts__cli_threads_t tn = {0};
    const ts_par_note_t note = {ts__cli_threads_note, &tn};
    spec.threads_note = &note;
    ts_err_t err = {0};
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = ts__cli_getopt("sweep", argc, argv, "s:o:qh", opts)) != -1) {
        switch (c) {
        case 's':
            rc = ts__cli_add_override("sweep", ovr, &spec.n_overrides, optarg);
            break;
        case 'V':
            if (spec.n_axes == TS_SWEEP_MAX_AXES)
                rc = ts__cli_usage("sweep", "too many --vary axes (at most %d)",
                                   TS_SWEEP_MAX_AXES);
            else
                axes[spec.n_axes++] = optarg;
            break;
        case 'T':
            rc = ts__cli_count_opt("sweep", optarg, TS__CLI_THREADS_USAGE, &threads);
            spec.threads = (int)threads;
            tn.arg = optarg;
            break;
        case 'o':
            rc = ts__cli_dir_opt("sweep", optarg);
            outdir = optarg;
            break;
        case 'H':
            rc = ts__cli_path_opt("sweep", "--html", optarg);
            html = optarg;
            break;
        case 'S': {
            unsigned long i, n;
            int used = 0;
            if (sscanf(optarg, "%lu/%lu%n", &i, &n, &used) != 2 || optarg[used] || n == 0 ||
                i >= n || n > TS_SWEEP_MAX_POINTS || optarg[0] == '-')
                rc = ts__cli_usage("sweep", "--shard expects I/N with 0 <= I < N <= %d, such "
                                            "as 0/4, found '%s'",
                                   TS_SWEEP_MAX_POINTS, optarg);
            spec.shard = i;
            spec.n_shards = n;
            break;
        }
        case 'q':
            quiet = tn.is_quiet = true;
            break;
        case 'R':
            spec.resume = true;
            break;
        case 'h':
            return ts__cli_help_topic("sweep", NULL, stdout);
        default:
            rc = 2;
        }
    }
    if (rc == 0 && argc - optind > 1)
        rc = ts__cli_usage("sweep", "sweep takes one scenario, found also '%s'",
                           argv[optind + 1]);
    if (rc == 0 && spec.resume && !outdir)
        rc = ts__cli_usage("sweep", "--resume needs -o DIR, the directory of the sweep to "
                                    "resume");
    if (rc)
        return rc;
    spec.path = optind < argc ? argv[optind] : NULL;
    spec.series = outdir || html; /* the time series are for result.h5 only */
    ts_err_clear(&err);
    char scratch[PATH_MAX] = "";
    int live = 0;
    if (rc == 0 && ts_mpi_size() > 1 && !outdir)
        rc = ts__cli_usage("sweep", "a sweep across %d MPI ranks needs -o DIR, a directory "
                                    "every rank can reach", ts_mpi_size());
    if (html && !outdir) { /* the report reads a results file: a scratch one */
        rc = cli_sweep_scratch(scratch, sizeof(scratch), html, &live, &err);
        outdir = scratch;
    }
    /* each finished point goes to the journal in the output directory, and only its
     * figures stay in memory */
    spec.journal_dir = outdir;
    spec.write_dir = outdir; /* sweep.csv and result.h5, as the points finish */
    spec.is_journal_scratch = scratch[0] != 0;
    spec.is_lean = true;
    ts_progress_t meter;
    ts_progress_start(&meter, ts__cli_progress_out(quiet), 0);
    meter.unit = "points";
    const ts_progress_hook_t hook = {ts_progress_hook_meter, &meter};
    spec.points = &hook;
    ts_sweep_t *s = NULL;
    ts_sweep_journal_t *journal = NULL;
    if (rc == 0)
        rc = ts_sweep_run_journal(&spec, &s, &journal, &err);
    ts_progress_finish(&meter);
    if (ts_mpi_rank() != 0) { /* another rank: its points are in rank 0's files now */
        ts_sweep_journal_close(journal);
        ts_sweep_destroy(s);
        return rc ? 1 : 0;
    }
    if (rc == 0 && !quiet && !ts__cli_is_stdout(html)) /* the page takes stdout */
        rc = ts_report_sweep_text(s, stdout, &err);
    if (rc == 0 && fflush(stdout) != 0)
        rc = ts_err_sys(&err, TS_EIO, errno, "cannot write to standard output");
    /* the files are in place: the journal has done its work; a new sweep that failed
     * leaves the directory as it was, a resumed one its journal */
    if (rc == 0 || !spec.resume)
        ts_sweep_journal_remove(journal);
    ts_sweep_journal_close(journal);
    if (rc == 0 && html && !s->n_runs) {
        fprintf(stderr, "tiersim: warning: shard %zu/%zu has no point: no report written\n",
                s->shard, s->n_shards);
        html = NULL;
    }
    if (rc == 0 && html) {
        char h5[PATH_MAX + 16];
        snprintf(h5, sizeof(h5), "%s/result.h5", outdir);
        const char *files[] = {h5};
        const ts_report_html_opts_t ro = {0};
        rc = ts__cli_html(files, 1, html, &ro, quiet, &err);
    }
    if (scratch[0])
        cli_sweep_scratch_remove(scratch);
    ts_io_live_drop(live);
    ts_sweep_destroy(s);
    return rc ? ts__cli_fail(&err) : 0;
}
