/* SPDX-License-Identifier: MIT */
/*
 * cli_test.h - the fixture of the command-line tests (test_cli.c, test_cli_trace.c,
 * test_cli_sweep.c, test_cli_list.c): a scratch directory per test (cmocka setup/teardown;
 * *state is a struct fixture), the tiersim executable run from the source directory with
 * its stdout and stderr in files of that directory, and small files written there.
 */
#ifndef TS_TESTS_CLI_TEST_H
#define TS_TESTS_CLI_TEST_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "file_test.h"

/* A test's state: a scratch directory (also where stdout and stderr land) and the tiersim
 * executable (TS_TIERSIM, set by ctest). */
struct fixture {
    char dir[256];
    const char *exe;
};

/* Setup: a fresh /tmp/tiersim-cli-XXXXXX; fails when TS_TIERSIM is not set. */
static inline int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->exe = getenv("TS_TIERSIM");
    snprintf(f->dir, sizeof(f->dir), "/tmp/tiersim-cli-XXXXXX");
    if (!f->exe || !mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* Teardown: removes the scratch directory and everything in it. */
static inline int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* Runs `tiersim ARGS` in an environment changed by env ("NAME=value ...", NULL: none)
 * with stdout to DIR/out and stderr to DIR/err; returns the exit code. */
static inline int tiersim_env(struct fixture *f, const char *env, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cd '%s' && env %s '%s' %s > '%s/out' 2> '%s/err'",
             TS_SOURCE_DIR, env ? env : "", f->exe, args, f->dir, f->dir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* tiersim_env with the environment unchanged. */
static inline int tiersim(struct fixture *f, const char *args)
{
    return tiersim_env(f, NULL, args);
}

/* The contents of DIR/name (free them), or NULL. */
static inline char *slurp(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return file_test_slurp(path, NULL);
}

/* tiersim with printf-style arguments; asserts exit 0 and returns its stdout (free it). */
static inline char *tiersim_ok(struct fixture *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline char *tiersim_ok(struct fixture *f, const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    int rc = tiersim(f, args);
    if (rc != 0) {
        char *err = slurp(f->dir, "err");
        fail_msg("tiersim %s exited %d: %s", args, rc, err ? err : "");
    }
    char *out = slurp(f->dir, "out");
    assert_non_null(out);
    return out;
}

/* Writes text to DIR/name and puts that path in path. */
static inline void cli_put_file(struct fixture *f, const char *name, const char *text,
                                char *path, size_t size)
{
    snprintf(path, size, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Entries of dir other than . and .. */
static inline size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

#endif
