/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the command-line interface (verbs run, trace, list, ...), inside the library so
 * tests can drive it. Only the CLI prints; errors are one line `tiersim: error: ...`.
 */
#ifndef TS_APP_CLI_H
#define TS_APP_CLI_H

/* Runs the CLI; returns the process exit status (0 success, 1 error, 2 usage). Standard
 * output is flushed before it returns: a write error on it is an error of the command
 * ("tiersim: error: standard output: No space left on device", 1). It may be called again
 * in the same process (tests do). It first installs the project's GSL policy
 * (ts_gsl_install, sim/util/gslerr.h) for the whole process, so a GSL error is reported as
 * an error of the command and never aborts. */
int ts_cli_main(int argc, char **argv);

/* The executable's last step: closes standard output, so an error only the close reports
 * (a file system that writes back late) fails the command too; returns rc, or 1 after
 * printing that error when rc was 0. */
int ts_cli_exit(int rc);

#endif
