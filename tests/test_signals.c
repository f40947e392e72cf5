/* SPDX-License-Identifier: MIT */
/*
 * test_signals.c - an interrupted tiersim (app/cli_signals.c over the live table of
 * sim/util/io.c): SIGINT or SIGTERM while a trace is being written removes every temporary
 * file, prints one line naming the output and exits 130 or 143.
 *
 * Each case starts tiersim as a child writing a long generated trace into a scratch
 * directory, waits until its temporary file shows, sends the signal, then checks the exit
 * status, the one line on stderr and that the directory holds nothing but that stderr.
 * The HTML report draws its figures in a scratch directory under TMPDIR: SIGTERM once it
 * shows removes it too, and the line names the page.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_test.h"

#define SIG_WAIT_S 60 /* at most this long for the temporary file to show */

struct sig_case {
    const char *name;
    const char *out;      /* the output's name in the scratch directory; "-": stdout */
    int sig;              /* what is sent */
    int status;           /* the exit status expected */
    const char *sig_name; /* as the line names it */
    bool is_convert;      /* trace convert of a generated trace, else trace gen */
};

static const struct sig_case cases[] = {
    {"gen, plain, SIGINT", "big.bin", SIGINT, 130, "SIGINT", false},
    {"gen, plain, SIGTERM", "big.bin", SIGTERM, 143, "SIGTERM", false},
    {"gen, zstd, SIGINT", "big.bin.zst", SIGINT, 130, "SIGINT", false},
    {"gen, zstd, SIGTERM", "big.bin.zst", SIGTERM, 143, "SIGTERM", false},
    {"gen, stdout, SIGTERM", "-", SIGTERM, 143, "SIGTERM", false},
    {"convert, plain, SIGINT", "big.bin", SIGINT, 130, "SIGINT", true},
    {"convert, zstd, SIGTERM", "big.bin.zst", SIGTERM, 143, "SIGTERM", true},
};

/* Whether dir holds a temporary file (".tmp." in its name) or a scratch directory. */
static bool sig_has_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    bool has = false;
    for (struct dirent *e; !has && (e = readdir(d));)
        has = strstr(e->d_name, ".tmp.") != NULL || strncmp(e->d_name, "tiersim-", 8) == 0;
    closedir(d);
    return has;
}

/* Starts `tiersim trace gen` (or convert of dir/in.bin) writing c->out in dir (TMPDIR=dir,
 * so a scratch directory of standard output lands there too; stdout to /dev/null, stderr
 * to dir/err). */
static pid_t sig_start(const char *dir, const struct sig_case *c)
{
    char scenario[1024], out[1024], err[1024];
    snprintf(scenario, sizeof(scenario), "%s/examples/zipf-two-tier.yaml", TS_SOURCE_DIR);
    if (strcmp(c->out, "-") == 0)
        snprintf(out, sizeof(out), "-");
    else
        snprintf(out, sizeof(out), "%s/%s", dir, c->out);
    snprintf(err, sizeof(err), "%s/err", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGINT, SIG_DFL); /* as a terminal's child has them */
        signal(SIGTERM, SIG_DFL);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fo = open("/dev/null", O_WRONLY);
        if (fe < 0 || fo < 0 || dup2(fe, 2) < 0 || dup2(fo, 1) < 0) _exit(99);
        setenv("TMPDIR", dir, 1);
        if (c->is_convert) {
            char in[1024];
            snprintf(in, sizeof(in), "%s/in.bin", dir);
            execl(getenv("TS_TIERSIM"), "tiersim", "trace", "convert", in, out, (char *)NULL);
        } else {
            execl(getenv("TS_TIERSIM"), "tiersim", "trace", "gen", scenario, "-s",
                  "workload.generator.requests=500M", "-o", out, (char *)NULL);
        }
        _exit(98);
    }
    return pid;
}

static void test_signals_remove_temporary_files(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct sig_case *c = &cases[i];
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/case%zu", f->dir, i);
        assert_int_equal(mkdir(dir, 0755), 0);
        if (c->is_convert) { /* its input: 5M requests, 200 MB */
            char cmd[2048];
            snprintf(cmd, sizeof(cmd),
                     "'%s' trace gen '%s/examples/zipf-two-tier.yaml' -q -s "
                     "workload.generator.requests=5M -o '%s/in.bin'",
                     getenv("TS_TIERSIM"), TS_SOURCE_DIR, dir);
            assert_int_equal(system(cmd), 0);
        }
        pid_t pid = sig_start(dir, c);
        struct timespec nap = {0, 5 * 1000 * 1000};
        int st = 0;
        bool has_exited = false;
        for (long waited = 0; !sig_has_tmp(dir); waited++) {
            if (waitpid(pid, &st, WNOHANG) == pid) {
                has_exited = true;
                break;
            }
            if (waited > SIG_WAIT_S * 200L) {
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                fail_msg("%s: no temporary file after %d s", c->name, SIG_WAIT_S);
            }
            nanosleep(&nap, NULL);
        }
        if (has_exited)
            fail_msg("%s: tiersim exited (status %d) before its temporary file showed", c->name,
                     st);
        assert_int_equal(kill(pid, c->sig), 0);
        assert_int_equal(waitpid(pid, &st, 0), pid);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != c->status)
            fail_msg("%s: expected exit %d, found %s %d", c->name, c->status,
                     WIFEXITED(st) ? "exit" : "signal",
                     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        char *err = slurp(dir, "err");
        assert_non_null(err);
        char want[1200];
        if (strcmp(c->out, "-") == 0)
            snprintf(want, sizeof(want),
                     "tiersim: interrupted (%s); nothing written to standard output\n",
                     c->sig_name);
        else
            snprintf(want, sizeof(want), "tiersim: interrupted (%s); nothing written to %s/%s\n",
                     c->sig_name, dir, c->out);
        if (strcmp(err, want) != 0)
            fail_msg("%s: stderr is '%s', expected '%s'", c->name, err, want);
        free(err);
        if (c->is_convert) {
            snprintf(want, sizeof(want), "%s/in.bin", dir);
            assert_int_equal(unlink(want), 0);
        }
        if (dir_entries(dir) != 1) /* err alone: no temporary file, no output */
            fail_msg("%s: %zu entries left in the directory", c->name, dir_entries(dir));
    }
}

/* `tiersim report R.h5 --html P` of a 64-run results file, SIGTERM as soon as its scratch
 * directory of figures shows in TMPDIR: exit 143, the line names P, and neither P nor the
 * scratch directory is left. (Without gnuplot the page may be done before the signal: then
 * it must be whole and the scratch directory gone all the same.) */
static void test_signals_html_report_scratch(void **state)
{
    struct fixture *f = *state;
    char dir[512], tmp[600], cmd[4096];
    snprintf(dir, sizeof(dir), "%s/html", f->dir);
    snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(mkdir(tmp, 0755), 0);
    snprintf(cmd, sizeof(cmd),
             "'%s' sweep '%s/examples/zipf-two-tier.yaml' -q -s workload.generator.requests=2000 "
             "--vary tiers.0.capacity=10,20,30,40,50,60,70,80 --vary seed=1,2,3,4,5,6,7,8 "
             "-o '%s/sw'",
             getenv("TS_TIERSIM"), TS_SOURCE_DIR, dir);
    assert_int_equal(system(cmd), 0);
    char h5[700], page[700], err[700];
    snprintf(h5, sizeof(h5), "%s/sw/result.h5", dir);
    snprintf(page, sizeof(page), "%s/r.html", dir);
    snprintf(err, sizeof(err), "%s/err", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fe < 0 || dup2(fe, 2) < 0) _exit(99);
        setenv("TMPDIR", tmp, 1);
        execl(getenv("TS_TIERSIM"), "tiersim", "report", h5, "-q", "--html", page, (char *)NULL);
        _exit(98);
    }
    struct timespec nap = {0, 1000 * 1000};
    int st = 0;
    bool has_exited = false;
    for (long waited = 0; !sig_has_tmp(tmp) && !has_exited; waited++) {
        has_exited = waitpid(pid, &st, WNOHANG) == pid;
        if (waited > SIG_WAIT_S * 1000L) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fail_msg("report --html: no scratch directory after %d s", SIG_WAIT_S);
        }
        nanosleep(&nap, NULL);
    }
    if (!has_exited) {
        assert_int_equal(kill(pid, SIGTERM), 0);
        assert_int_equal(waitpid(pid, &st, 0), pid);
    }
    assert_true(WIFEXITED(st));
    assert_int_equal(dir_entries(tmp), 0); /* the scratch directory is gone either way */
    char *text = slurp(dir, "err");
    assert_non_null(text);
    if (WEXITSTATUS(st) == 0) {
        printf("[ NOTE     ] report --html was done before SIGTERM (no gnuplot?): page whole, "
               "no scratch directory left\n");
        char *html = slurp(dir, "r.html");
        assert_non_null(html);
        assert_non_null(strstr(html, "</html>"));
        free(html);
    } else {
        char want[900];
        snprintf(want, sizeof(want), "tiersim: interrupted (SIGTERM); nothing written to %s\n",
                 page);
        assert_int_equal(WEXITSTATUS(st), 143);
        assert_string_equal(text, want);
        assert_int_equal(access(page, F_OK), -1);
    }
    free(text);
}

/* `tiersim live` with clients that think 10 ms between requests (a run of about 50 s):
 * SIGINT once its scratch file shows. The requests in flight finish, the report is printed
 * marked PARTIAL, the scratch file is removed, and the exit status is 130. */
static void test_signals_live_run_stops_with_partial_report(void **state)
{
    struct fixture *f = *state;
    char dir[512], scr[600], out[600], err[600], file[700];
    snprintf(dir, sizeof(dir), "%s/live", f->dir);
    snprintf(scr, sizeof(scr), "%s/scr", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    snprintf(err, sizeof(err), "%s/err", dir);
    snprintf(file, sizeof(file), "%s/tiersim-nvme.live", scr);
    assert_int_equal(mkdir(dir, 0755), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fe < 0 || fo < 0 || dup2(fe, 2) < 0 || dup2(fo, 1) < 0) _exit(99);
        char scenario[1024];
        snprintf(scenario, sizeof(scenario), "%s/examples/live-memory-file.yaml", TS_SOURCE_DIR);
        execl(getenv("TS_TIERSIM"), "tiersim", "live", scenario, "--scratch", scr, "-s",
              "timed.think=10ms", (char *)NULL);
        _exit(98);
    }
    struct timespec nap = {0, 5 * 1000 * 1000};
    int st = 0;
    for (long waited = 0; access(file, F_OK) != 0; waited++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            fail_msg("live: tiersim exited (status %d) before its scratch file showed", st);
        if (waited > SIG_WAIT_S * 200L) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fail_msg("live: no scratch file after %d s", SIG_WAIT_S);
        }
        nanosleep(&nap, NULL);
    }
    struct timespec half = {0, 500 * 1000 * 1000};
    nanosleep(&half, NULL);
    assert_int_equal(kill(pid, SIGINT), 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    char *text = slurp(dir, "err"), *report = slurp(dir, "out");
    assert_non_null(text);
    assert_non_null(report);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 130)
        fail_msg("live: expected exit 130, found %s %d; stderr: %s",
                 WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
                 text);
    assert_non_null(strstr(text, "tiersim: stopping: the requests in flight finish"));
    assert_non_null(
        strstr(text, "tiersim: interrupted (SIGINT): the live run stopped early; its report is "
                     "partial\n"));
    assert_non_null(strstr(report, "PARTIAL    the live run stopped early: interrupted (SIGINT)"));
    assert_non_null(strstr(report, "measured beside predicted"));
    assert_int_equal(dir_entries(scr), 0); /* the scratch file is gone */
    free(text);
    free(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signals_remove_temporary_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signals_html_report_scratch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signals_live_run_stops_with_partial_report, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
