/* SPDX-License-Identifier: MIT */
/*
 * cli_internal.h - what the command line's files (app/cli*.c) share: printing an error or a
 * usage error, option parsing that names a bad option, the options several verbs take (-s,
 * counts, -o DIR, progress on a terminal), the help texts, standard output as an output
 * file ("-"), the HTML report of results files, and each verb's entry point.
 *
 * A verb takes argc/argv from its own name on (argv[0] is the verb) and returns the process
 * exit status: 0 success, 1 an error (printed), 2 a usage error (printed). Not part of the
 * public API (ts__ prefix).
 */
#ifndef TS_APP_CLI_INTERNAL_H
#define TS_APP_CLI_INTERNAL_H

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../reports/report_html.h"
#include "../sim/util/err.h"

#define TS__CLI_MAX_OVERRIDES 256 /* -s options of one command */

/* The message of a --threads option that is not a count from 1 to 100000. */
#define TS__CLI_THREADS_USAGE "--threads expects a count such as 4, found '%s'"

/* ---- shared helpers (cli.c) ---- */

/* Prints err as `tiersim: error: where: msg`. Returns 1. */
int ts__cli_fail(const ts_err_t *err);

/* A usage error: prints `tiersim: error: ` and the message, then "Try 'tiersim VERB
 * --help'." ("Try 'tiersim help'." when verb is NULL), both on stderr. verb may name a
 * sub-verb ("trace gen"). Returns 2. */
int ts__cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long for a verb (its name in messages, "run" or "trace gen"), quiet: an unknown or
 * ambiguous option, an option given a value it does not take, or one without the value it
 * needs is printed as one usage line naming it ("run: unknown option '--jsn' (did you mean
 * '--json'?)") with the verb's Try line, and returned as '?'. Otherwise returns what
 * getopt_long returns. The caller sets optind = 1 before the first call. */
int ts__cli_getopt(const char *verb, int argc, char **argv, const char *shortopts,
                   const struct option *longopts);

/* -s VALUE: one more override in ovr[0..*n). Returns 0, or 2 (a usage error of verb) past
 * TS__CLI_MAX_OVERRIDES. */
int ts__cli_add_override(const char *verb, const char **ovr, size_t *n, const char *arg);

/* A count option from 1 to 100000 (--threads, --points) into *out; otherwise usage (a
 * format with one %s, the value) as a usage error of verb, and 2. */
int ts__cli_count_opt(const char *verb, const char *arg, const char *usage, size_t *out);

/* An option of verb that takes a file name (opt as typed in messages: "--html"): 0, or 2 (a
 * usage error naming opt) when arg is empty. */
int ts__cli_path_opt(const char *verb, const char *opt, const char *arg);

/* -o DIR of verb: 0, or 2 (a usage error) when it is empty or "-": standard output is not
 * a directory. */
int ts__cli_dir_opt(const char *verb, const char *arg);

/* What --threads said, for the note of a driver that runs on fewer threads (ts_par_note_t
 * of app/par.h): ctx is a ts__cli_threads_t. Says "tiersim: note: --threads 100000: using 16
 * (4 x 4 online CPUs)" on stderr (OMP_NUM_THREADS=... when that asked), nothing when quiet
 * or when neither asked (OpenMP's default lowered to the number of points). */
typedef struct ts__cli_threads {
    const char *arg; /* the value of --threads as typed; NULL: not given */
    bool is_quiet;   /* -q */
} ts__cli_threads_t;
void ts__cli_threads_note(void *ctx, int asked, int used, const char *why);

/* Where progress lines go: stderr when it is a terminal and --quiet was not given. */
FILE *ts__cli_progress_out(bool quiet);

/* The overview: the verbs with one line each and how to get a verb's help. */
void ts__cli_help(FILE *out);

/* The help of verb (NULL: the overview) or of its sub-verb sub (NULL: none) into out.
 * Returns 0, or 2 for an unknown verb or sub-verb (a usage error, printed). */
int ts__cli_help_topic(const char *verb, const char *sub, FILE *out);

/* ---- standard output as a file (cli.c) ---- */

/* Whether an output file's name means standard output. */
static inline bool ts__cli_is_stdout(const char *path)
{
    return path && path[0] == '-' && !path[1];
}

/* Standard output written as a file: writers take a file name (and HDF5 seeks), so "-" is
 * written to dir/name, a fresh scratch directory under $TMPDIR, then copied to stdout. */
typedef struct ts__cli_stdout {
    char dir[PATH_MAX]; /* the scratch directory; "" when none */
    char path[PATH_MAX + 64]; /* the file the writer writes; "" when none */
    int live[2];              /* the file's and the directory's entries in the live table
                               * (sim/util/io.h): removed on a signal */
} ts__cli_stdout_t;

/* Creates the scratch directory and sets s->path to its file name. Returns 0 or TS_EIO. */
int ts__cli_stdout_open(ts__cli_stdout_t *s, const char *name, ts_err_t *err);
/* Copies s->path to standard output and flushes it. Returns 0 or TS_EIO. */
int ts__cli_stdout_copy(const ts__cli_stdout_t *s, ts_err_t *err);
/* Removes the scratch file and directory; accepts a zeroed s. */
void ts__cli_stdout_close(ts__cli_stdout_t *s);

/* ---- interruption (cli_signals.c) ---- */

/* Installs the handler of SIGINT, SIGTERM and SIGHUP: it removes the live temporary files
 * (sim/util/io.h), says "tiersim: interrupted (SIGINT); nothing written to FILE" on stderr
 * and exits 128 + the signal (130, 143, 129). A signal ignored at start stays ignored. */
void ts__cli_signals_install(void);

/* From now on the first SIGINT, SIGTERM or SIGHUP sets *flag to its number (a live run then
 * stops and writes its partial report); a second one acts as above. */
void ts__cli_signals_soft(volatile sig_atomic_t *flag);

/* ---- the HTML report (cli_report.c) ---- */

/* The HTML report of the runs of n files into html ("-": standard output); figures gnuplot
 * could not draw are a warning. Says "tiersim: wrote <html>" on stderr unless quiet or on
 * standard output. Returns 0 or the report's error. */
int ts__cli_html(const char *const *files, size_t n, const char *html,
                 const ts_report_html_opts_t *ro, bool quiet, ts_err_t *err);

/* ---- the verbs, one file each ---- */

int ts__cli_run(int argc, char **argv);    /* cli_run.c */
int ts__cli_live(int argc, char **argv);   /* cli_run.c */
int ts__cli_trace(int argc, char **argv);  /* cli_trace.c: info, head, gen, convert */
int ts__cli_mrc(int argc, char **argv);    /* cli_mrc.c */
int ts__cli_sweep(int argc, char **argv);  /* cli_sweep.c */
int ts__cli_report(int argc, char **argv); /* cli_report.c */
int ts__cli_list(int argc, char **argv);   /* cli_list.c */
int ts__cli_calibrate(int argc, char **argv); /* cli_calibrate.c */

#endif
