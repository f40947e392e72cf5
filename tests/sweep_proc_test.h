/* SPDX-License-Identifier: MIT */
/*
 * sweep_proc_test.h - sweeps run as processes for the sweep tests: started (optionally under
 * an MPI launcher) in a process group of their own with their output in files, waited for,
 * and their files and messages compared. Needs cmocka, file_test.h and TS_SOURCE_DIR, and
 * the tiersim binary in $TS_TIERSIM.
 */
#ifndef TS_TESTS_SWEEP_PROC_TEST_H
#define TS_TESTS_SWEEP_PROC_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline double rs_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Starts `LAUNCH tiersim sweep SCENARIO ARGS -o dir/sub` (launch: "" or an MPI launcher's
 * command), stdout to dir/sub.out, stderr to dir/sub.err, in a process group of its own;
 * returns its pid (the group's). */
static inline pid_t rs_start_with(const char *launch, const char *dir, const char *sub,
                           const char *scenario, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cd '%s' && exec %s '%s' sweep %s %s -o '%s/%s' >'%s/%s.out' "
             "2>'%s/%s.err'", TS_SOURCE_DIR, launch, getenv("TS_TIERSIM"), scenario, args, dir,
             sub, dir, sub, dir, sub);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits for pid; returns its exit status, or 128 + the signal that ended it. */
static inline int rs_wait(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline pid_t rs_start(const char *dir, const char *sub, const char *scenario, const char *args)
{
    return rs_start_with("", dir, sub, scenario, args);
}

static inline int rs_run(const char *dir, const char *sub, const char *scenario, const char *args)
{
    return rs_wait(rs_start(dir, sub, scenario, args));
}

static inline void rs_same(const char *dir, const char *a, const char *b, const char *name,
                    unsigned seed)
{
    char pa[1024], pb[1024];
    snprintf(pa, sizeof(pa), "%s/%s%s", dir, a, name);
    snprintf(pb, sizeof(pb), "%s/%s%s", dir, b, name);
    size_t na = 0, nb = 0;
    char *fa = file_test_slurp(pa, &na), *fb = file_test_slurp(pb, &nb);
    if (!fa || !fb || na != nb || memcmp(fa, fb, na) != 0)
        fail_msg("%s%s and %s%s differ (%zu and %zu bytes; seed %u)", a, name, b, name, na, nb,
                 seed);
    free(fa);
    free(fb);
}

static inline bool rs_exists(const char *dir, const char *sub, const char *name)
{
    char p[1024];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, name);
    return stat(p, &st) == 0;
}

static inline void rs_stderr_has(const char *dir, const char *sub, const char *text)
{
    char p[1024];
    snprintf(p, sizeof(p), "%s/%s.err", dir, sub);
    char *e = file_test_slurp(p, NULL);
    assert_non_null(e);
    if (!strstr(e, text))
        fail_msg("stderr of %s lacks \"%s\": %s", sub, text, e);
    free(e);
}

#endif
