/* SPDX-License-Identifier: MIT */
/*
 * cli_internal.h - what the command line's files (app/cli*.c) share: printing an error or a
 * usage error, the options several verbs take (-s, counts, progress on a terminal), the help
 * text, the HTML report of results files, and each verb's entry point.
 *
 * A verb takes argc/argv from its own name on (argv[0] is the verb) and returns the process
 * exit status: 0 success, 1 an error (printed), 2 a usage error (printed). Not part of the
 * public API (ts__ prefix).
 */
#ifndef TS_APP_CLI_INTERNAL_H
#define TS_APP_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../reports/report_html.h"
#include "../sim/util/err.h"

#define TS__CLI_MAX_OVERRIDES 256 /* -s options of one command */

/* The usage error of a --threads option that is not a count from 1 to 100000. */
#define TS__CLI_THREADS_USAGE "--threads expects a count such as 4, found '%s'"

/* ---- shared helpers (cli.c) ---- */

/* Prints err as `tiersim: error: where: msg`. Returns 1. */
int ts__cli_fail(const ts_err_t *err);

/* Prints `tiersim: error: ` fmt (with arg) and a pointer to `tiersim help`. Returns 2. */
int ts__cli_usage_error(const char *fmt, const char *arg);

/* -s VALUE: one more override in ovr[0..*n). Returns 0, or 2 (a usage error) past
 * TS__CLI_MAX_OVERRIDES. */
int ts__cli_add_override(const char **ovr, size_t *n, const char *arg);

/* A count option from 1 to 100000 (--threads, --points) into *out; 2 (a usage error)
 * naming it otherwise. */
int ts__cli_count_opt(const char *arg, const char *usage, size_t *out);

/* Where progress lines go: stderr when it is a terminal and --quiet was not given. */
FILE *ts__cli_progress_out(bool quiet);

/* The help text of every verb. */
void ts__cli_help(FILE *out);

/* ---- the HTML report (cli_report.c) ---- */

/* The HTML report of the runs of n files into html; figures gnuplot could not draw are a
 * warning. Says "wrote <html>" on stdout unless quiet. Returns 0 or the report's error. */
int ts__cli_html(const char *const *files, size_t n, const char *html,
                 const ts_report_html_opts_t *ro, bool quiet, ts_err_t *err);

/* ---- the verbs, one file each ---- */

int ts__cli_run(int argc, char **argv);    /* cli_run.c */
int ts__cli_trace(int argc, char **argv);  /* cli_trace.c: info, head, gen, convert */
int ts__cli_mrc(int argc, char **argv);    /* cli_mrc.c */
int ts__cli_sweep(int argc, char **argv);  /* cli_sweep.c */
int ts__cli_report(int argc, char **argv); /* cli_report.c */
int ts__cli_list(int argc, char **argv);   /* cli_list.c */

#endif
