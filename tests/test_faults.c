/* SPDX-License-Identifier: MIT */
/*
 * test_faults.c - fault injection over whole verbs: out of memory at every allocation of a
 * small run, a full disk at every file each writing verb writes, write errors (ENOSPC, EIO)
 * at its every write, and a sweep killed with SIGKILL at points spread over its run.
 *
 * What must hold after a fault: the verb fails with one `tiersim: error:` line naming the
 * cause (TS_ENOMEM for the library), leaks nothing (the sanitizer pass), and the files it
 * was replacing keep their old bytes, with no temporary file left; after SIGKILL, which
 * cannot clean up, each set of results is wholly old or wholly new and whatever is left
 * besides is a temporary name that no reader takes for a result. Each test prints how
 * many fault points it covered ("faults: ..." lines): README.md quotes them.
 *
 * The verbs run as children of the built tiersim (TS_TIERSIM), stderr captured. A full
 * disk is RLIMIT_FSIZE (writes past it fail with EFBIG, as on a full disk with another
 * errno) over a growing limit, so each file is cut at several sizes. The write-fault hook
 * (ts_io_fail_after, sim/util/io.h; a child built with TS_DEBUG reads
 * TS_IO_FAIL_AFTER=N:ERRNO) fails the nth write with ENOSPC or EIO: in the Debug and
 * sanitizer passes only (a Release tiersim does not read the variable).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/run.h"
#include "app/scenario.h"
#include "reports/writer.h"
#include "sim/result.h"
#include "sim/util/io.h"
#include "sim/util/mem.h"

#include "file_test.h"
#include "scratch_test.h"

#define EX TS_SOURCE_DIR "/examples/"
#define FT_MAX_ARGS 32
#define FT_MAX_FILES 64

/* ---- running a verb ------------------------------------------------------------------- */

/* The text of a command with {dir} replaced by dir, split on blanks into argv (the words
 * point into buf). Returns argc. */
static int ft_argv(const char *cmd, const char *dir, char *buf, size_t size, char **argv)
{
    size_t n = 0;
    for (const char *p = cmd; *p && n + 1 < size;) {
        if (!strncmp(p, "{dir}", 5)) {
            n += (size_t)snprintf(buf + n, size - n, "%s", dir);
            p += 5;
        } else
            buf[n++] = *p++;
    }
    assert_true(n + 1 < size);
    buf[n] = 0;
    int argc = 0;
    argv[argc++] = "tiersim";
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && argc < FT_MAX_ARGS - 1;
         w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    argv[argc] = NULL;
    return argc;
}

/* Runs the built tiersim (TS_TIERSIM) on cmd in a child: stdout to /dev/null, stderr into
 * err (size bytes, NUL-terminated); env ("NAME=VALUE", or NULL) added to its environment;
 * lim (unless RLIM_INFINITY) its file size limit, with SIGXFSZ ignored so a write past it
 * fails with EFBIG. Returns its exit status (128 + N when killed by signal N). Children,
 * not ts_cli_main in-process: a limit or a signal must not hit the test itself. */
static int ft_cli_with(const char *cmd, const char *dir, const char *env, rlim_t lim,
                       char *err, size_t size)
{
    const char *exe = getenv("TS_TIERSIM");
    if (!exe)
        fail_msg("TS_TIERSIM is not set (ctest sets it to the built tiersim)");
    char buf[8192];
    char *argv[FT_MAX_ARGS];
    ft_argv(cmd, dir, buf, sizeof(buf), argv);
    argv[0] = (char *)exe;
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0), dup2(fd, 1), dup2(pipefd[1], 2);
        close(pipefd[0]);
        if (env)
            putenv((char *)env);
        if (lim != RLIM_INFINITY) {
            struct rlimit rl;
            getrlimit(RLIMIT_FSIZE, &rl);
            rl.rlim_cur = lim;
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        execv(exe, argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t n = 0;
    for (ssize_t k; (k = read(pipefd[0], err + n, size - 1 - n)) != 0;) {
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            break;
        n += (size_t)k;
        if (n + 1 == size) { /* full: drain the rest */
            char sink[4096];
            while (read(pipefd[0], sink, sizeof(sink)) > 0)
                ;
            break;
        }
    }
    err[n] = 0;
    close(pipefd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int ft_cli(const char *cmd, const char *dir, char *err, size_t size)
{
    return ft_cli_with(cmd, dir, NULL, RLIM_INFINITY, err, size);
}

/* Runs each " ; "-separated command of cmds, which must succeed. */
static void ft_setup(const char *cmds, const char *dir)
{
    if (!cmds)
        return;
    char all[4096];
    snprintf(all, sizeof(all), "%s", cmds);
    for (char *p = all; p && *p;) {
        char *sep = strstr(p, " ; ");
        if (sep)
            *sep = 0;
        char err[4096];
        int rc = ft_cli(p, dir, err, sizeof(err));
        if (rc != 0)
            fail_msg("setup `tiersim %s` exited %d: %s", p, rc, err);
        p = sep ? sep + 3 : NULL;
    }
}

/* ---- what a directory holds ----------------------------------------------------------- */

struct ft_file {
    char path[PATH_MAX]; /* relative to the snapshot's root */
    char *data;          /* NULL for a directory */
    size_t n;
};

struct ft_snap {
    struct ft_file f[FT_MAX_FILES];
    size_t n;
};

static bool ft_is_tmp(const char *name)
{
    return name[0] == '.' || strstr(name, ".tmp.") != NULL;
}

/* Every entry under dir, sorted by path, with its bytes. */
static void ft_snap_take(const char *dir, const char *rel, struct ft_snap *s)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s%s%s", dir, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        assert_true(s->n < FT_MAX_FILES);
        struct ft_file *f = &s->f[s->n++];
        snprintf(f->path, sizeof(f->path), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        char full[PATH_MAX + 8];
        snprintf(full, sizeof(full), "%s/%s", dir, f->path);
        struct stat sb;
        assert_int_equal(lstat(full, &sb), 0);
        f->data = NULL;
        f->n = 0;
        if (S_ISDIR(sb.st_mode))
            ft_snap_take(dir, f->path, s);
        else
            f->data = file_test_slurp(full, &f->n);
    }
    closedir(d);
}

static void ft_snap_free(struct ft_snap *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->f[i].data);
    s->n = 0;
}

static const struct ft_file *ft_snap_find(const struct ft_snap *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->f[i].path, path))
            return &s->f[i];
    return NULL;
}

/* "" when now holds exactly what was held, else what differs (into why). */
static const char *ft_snap_diff(const struct ft_snap *was, const struct ft_snap *now,
                                char *why, size_t size)
{
    why[0] = 0;
    for (size_t i = 0; i < now->n && !why[0]; i++) {
        const struct ft_file *a = ft_snap_find(was, now->f[i].path);
        if (!a)
            snprintf(why, size, "'%s' is new%s", now->f[i].path,
                     ft_is_tmp(strrchr(now->f[i].path, '/') ? strrchr(now->f[i].path, '/') + 1
                                                             : now->f[i].path)
                         ? " (a temporary file left)"
                         : "");
        else if (a->n != now->f[i].n || (a->data && memcmp(a->data, now->f[i].data, a->n)))
            snprintf(why, size, "'%s' changed (%zu bytes, was %zu)", now->f[i].path,
                     now->f[i].n, a->n);
    }
    for (size_t i = 0; i < was->n && !why[0]; i++)
        if (!ft_snap_find(now, was->f[i].path))
            snprintf(why, size, "'%s' is gone", was->f[i].path);
    return why;
}

/* ---- the writing verbs ---------------------------------------------------------------- */

/* A verb that writes files: setup makes the old outputs (" ; " between commands), args
 * replaces them with different ones. known: a known defect that makes its check fail
 * (reported as pending, not failed; a known case that passes fails, to drop the mark). */
struct ft_verb {
    const char *name;
    const char *setup;
    const char *args;
    const char *known;
};

static const struct ft_verb k_verbs[] = {
    {"run -o", "run " EX "csv-trace.yaml -q -o {dir}/o -s seed=7 -s tiers.0.capacity=2%",
     "run " EX "csv-trace.yaml -q -o {dir}/o", NULL},
    {"sweep -o", "sweep " EX "csv-trace.yaml -q --vary seed=1,2 -o {dir}/o",
     "sweep " EX "csv-trace.yaml -q --vary seed=3,4,5 -o {dir}/o", NULL},
    {"trace convert", "trace gen -q -o {dir}/t.tsim -s workload.generator.requests=5",
     "trace convert " EX "tiny.csv {dir}/t.tsim -q", NULL},
    {"trace gen", "trace gen -q -o {dir}/t.tsim -s workload.generator.requests=5",
     "trace gen -q -o {dir}/t.tsim -s workload.generator.requests=3000", NULL},
    {"trace gen .zst",
     "trace gen -q -o {dir}/t.oracleGeneral.zst -s workload.generator.requests=5",
     "trace gen -q -o {dir}/t.oracleGeneral.zst -s workload.generator.requests=3000", NULL},
    {"report --html",
     "run " EX "csv-trace.yaml -q -o {dir}/o ; run " EX "csv-trace.yaml -q -o {dir}/o2 -s "
     "seed=7 -s tiers.0.capacity=2% ; report {dir}/o2/result.h5 -q --html {dir}/r.html",
     "report {dir}/o/result.h5 -q --html {dir}/r.html", NULL},
    {"mrc -o", "mrc " EX "csv-trace.yaml -q -o {dir}/m --points 3",
     "mrc " EX "csv-trace.yaml -q -o {dir}/m", NULL},
    {"mrc --plot", "mrc " EX "csv-trace.yaml -q --plot {dir}/m.svg --points 3",
     "mrc " EX "csv-trace.yaml -q --plot {dir}/m.svg", NULL},
    {"calibrate -o", "calibrate --memory --quick --size 4MiB --time 2ms -q -o {dir}/d.yaml",
     "calibrate --memory --quick --size 4MiB --time 2ms -q -o {dir}/d.yaml --name other",
     NULL},
};

/* The fresh scratch directory of one verb's case: <state>/<i>. */
static void ft_case_dir(void **state, size_t i, const char *tag, char *dir, size_t size)
{
    snprintf(dir, size, "%s/%s%zu", (const char *)*state, tag, i);
    assert_int_equal(mkdir(dir, 0755), 0);
}

/* One fault of a verb: it must fail (exit 1) with one error line holding want, and leave
 * the directory as it was. Returns "" or what went wrong (in why). */
static const char *ft_check_failed(const struct ft_verb *v, const char *point, int rc,
                                   const char *err, const char *want, const char *dir,
                                   const struct ft_snap *was, char *why, size_t size)
{
    why[0] = 0;
    if (rc != 1 || file_test_count(err, "tiersim: error: ") != 1 || !strstr(err, want)) {
        snprintf(why, size, "%s, %s: exit %d (expected 1 with one error line saying '%s'); "
                 "stderr: %.2000s", v->name, point, rc, want, err);
        return why;
    }
    struct ft_snap now = {.n = 0};
    ft_snap_take(dir, "", &now);
    char diff[PATH_MAX + 128];
    if (ft_snap_diff(was, &now, diff, sizeof(diff))[0])
        snprintf(why, size, "%s, %s: the failure did not leave the old files as they were: %s",
                 v->name, point, diff);
    ft_snap_free(&now);
    return why;
}

/* Reports the first failure of a verb's fault loop: a failure, or pending for a known
 * defect. Returns whether the loop goes on (no failure). */
static bool ft_verdict(const struct ft_verb *v, const char *why, size_t *n_pending)
{
    if (!why[0])
        return true;
    if (!v->known)
        fail_msg("%s", why);
    printf("[ PENDING  ] %s: %s; first seen: %s\n", v->name, v->known, why);
    ++*n_pending;
    return false;
}

/* After a verb's loop: a known defect that did not show fails, so its mark is dropped. */
static void ft_known_done(const struct ft_verb *v, bool showed)
{
    if (v->known && !showed)
        fail_msg("%s: marked as a known defect (%s) but every fault passed: drop the mark",
                 v->name, v->known);
}

/* ---- out of memory ------------------------------------------------------------------- */

/* A small run end to end, as `tiersim run -o` does it: load, run, write every default
 * report. Allocation n fails for n = 0, 1, ... until the whole succeeds: each failure is
 * TS_ENOMEM with a message, leaves no temporary file, and (sanitizer pass) leaks nothing. */
static void test_faults_oom_small_run(void **state)
{
    char dir[1200], yaml[1300], out[1300], over[1400];
    snprintf(dir, sizeof(dir), "%s", (const char *)*state);
    snprintf(yaml, sizeof(yaml), "%s/s.yaml", dir);
    snprintf(out, sizeof(out), "%s/o", dir);
    snprintf(over, sizeof(over), "outputs.dir=%s", out);
    FILE *fp = fopen(yaml, "w");
    assert_non_null(fp);
    fputs("workload: {generator: {kind: zipf, requests: 300, keys: 60}}\n"
          "tiers: [{name: a, capacity: 8, policy: lru}, {name: b, capacity: 30, policy: "
          "s3fifo}]\n",
          fp);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(mkdir(out, 0755), 0);
    const char *ovr[] = {over};
    long n;
    for (n = 0; n < 1000000; n++) {
        ts_err_t err = {0};
        ts_scenario_t *sc = NULL;
        ts_result_t *res = NULL;
        ts_mem_fail_after(n);
        int rc = ts_scenario_load_file(yaml, ovr, 1, &sc, &err);
        if (rc == 0) {
            res = ts_calloc(1, sizeof(*res));
            rc = res ? ts_run(sc, res, &err) : ts_err_set(&err, TS_ENOMEM, "result");
        }
        if (rc == 0) {
            const ts_report_ops_t *w[TS_REPORT_MAX];
            size_t n_w = ts_report_set_list(ts_report_default_set(), w);
            ts_report_warn_t warn;
            rc = ts_report_write_run(res, w, n_w, out, &warn, &err);
            ts_result_release(res);
        }
        ts_mem_fail_after(-1);
        ts_free(res);
        ts_scenario_destroy(sc);
        size_t n_tmp = 0;
        scratch_count(out, &n_tmp);
        if (n_tmp)
            fail_msg("allocation %ld failed: a temporary file is left in %s", n, out);
        if (rc == 0)
            break;
        if (rc != TS_ENOMEM || err.code != TS_ENOMEM || !err.msg[0])
            fail_msg("allocation %ld failed: rc %d, err.code %d ('%s: %s'), expected TS_ENOMEM "
                     "with a message", n, rc, err.code, err.where, err.msg);
    }
    assert_true(n > 0);
    size_t n_files = scratch_count(out, NULL);
    assert_true(n_files >= 1);
    printf("faults: out of memory: a small run (load, run, %zu report files): %ld allocation "
           "points, each TS_ENOMEM, no temporary file left\n", n_files, n);
}

/* ---- a full disk (RLIMIT_FSIZE) ------------------------------------------------------ */

/* Every writing verb with a file size limit of 0, 1, 2, 4, ... bytes until it succeeds:
 * each limit cuts some file; the verb must fail naming "File too large" and leave the old
 * outputs. */
static void test_faults_disk_full_every_verb(void **state)
{
    size_t total = 0, n_pending = 0;
    for (size_t i = 0; i < sizeof(k_verbs) / sizeof(k_verbs[0]); i++) {
        const struct ft_verb *v = &k_verbs[i];
        char dir[1200], err[16384];
        ft_case_dir(state, i, "full", dir, sizeof(dir));
        ft_setup(v->setup, dir);
        struct ft_snap was = {.n = 0};
        ft_snap_take(dir, "", &was);
        size_t points = 0, pending_before = n_pending;
        int rc = 1;
        for (rlim_t lim = 0; rc != 0; lim = lim ? lim * 2 : 1) {
            assert_true(lim < ((rlim_t)1 << 40));
            rc = ft_cli_with(v->args, dir, NULL, lim, err, sizeof(err));
            if (rc == 0)
                break;
            char point[64], why[PATH_MAX + 4096];
            snprintf(point, sizeof(point), "files limited to %llu bytes",
                     (unsigned long long)lim);
            points++;
            if (!ft_verdict(v, ft_check_failed(v, point, rc, err, "File too large", dir, &was,
                                               why, sizeof(why)),
                            &n_pending))
                break;
        }
        ft_known_done(v, n_pending > pending_before);
        if (n_pending > pending_before) {
            ft_snap_free(&was);
            continue;
        }
        struct ft_snap now = {.n = 0};
        ft_snap_take(dir, "", &now);
        char why[PATH_MAX + 128];
        if (!ft_snap_diff(&was, &now, why, sizeof(why))[0])
            fail_msg("%s: succeeded without changing its outputs", v->name);
        for (size_t k = 0; k < now.n; k++) {
            const char *base = strrchr(now.f[k].path, '/');
            if (ft_is_tmp(base ? base + 1 : now.f[k].path))
                fail_msg("%s: a temporary file is left: %s", v->name, now.f[k].path);
        }
        ft_snap_free(&now);
        ft_snap_free(&was);
        printf("faults: disk full (RLIMIT_FSIZE, EFBIG): %s: %zu limits, each failed cleanly "
               "with the old outputs kept\n", v->name, points);
        total += points;
    }
    printf("faults: disk full: %zu fault points over %zu verbs (%zu pending on a known "
           "defect)\n", total, sizeof(k_verbs) / sizeof(k_verbs[0]), n_pending);
}

/* ---- the write-fault hook: ENOSPC and EIO at every write ---------------------------- */

#if defined(TS_DEBUG)
/* Write n of a verb fails with sys_errno for n = 0, 1, ... until it succeeds. */
static size_t ft_hook_verb(void **state, size_t i, int sys_errno, const char *want)
{
    const struct ft_verb *v = &k_verbs[i];
    char dir[1200], err[16384];
    ft_case_dir(state, i, sys_errno == ENOSPC ? "nospc" : "eio", dir, sizeof(dir));
    ft_setup(v->setup, dir);
    struct ft_snap was = {.n = 0};
    ft_snap_take(dir, "", &was);
    long n;
    size_t n_pending = 0;
    for (n = 0; n < 100000; n++) {
        char env[64];
        snprintf(env, sizeof(env), "TS_IO_FAIL_AFTER=%ld:%s", n,
                 sys_errno == ENOSPC ? "ENOSPC" : "EIO");
        int rc = ft_cli_with(v->args, dir, env, RLIM_INFINITY, err, sizeof(err));
        if (rc == 0)
            break;
        char point[64], why[PATH_MAX + 4096];
        snprintf(point, sizeof(point), "write %ld failing", n);
        if (!ft_verdict(v, ft_check_failed(v, point, rc, err, want, dir, &was, why,
                                           sizeof(why)),
                        &n_pending))
            break;
    }
    ft_known_done(v, n_pending > 0);
    if (n_pending) {
        ft_snap_free(&was);
        return (size_t)n;
    }
    if (n == 0)
        fail_msg("%s: the first write failing did not fail the verb", v->name);
    ft_snap_free(&was);
    printf("faults: %s: %s: %ld write points, each failed cleanly with the old outputs kept\n",
           want, v->name, n);
    return (size_t)n;
}
#endif

static void ft_hook(void **state, int sys_errno)
{
#if defined(TS_DEBUG)
    size_t total = 0;
    for (size_t i = 0; i < sizeof(k_verbs) / sizeof(k_verbs[0]); i++)
        total += ft_hook_verb(state, i, sys_errno, strerror(sys_errno));
    printf("faults: %s: %zu write points over %zu verbs\n", strerror(sys_errno), total,
           sizeof(k_verbs) / sizeof(k_verbs[0]));
#else
    (void)state;
    printf("[ NOTE     ] faults: %s at every write of %zu verbs: runs in the Debug and "
           "sanitizer passes only (tiersim reads TS_IO_FAIL_AFTER when built with TS_DEBUG); "
           "0 points covered in this build\n",
           strerror(sys_errno), sizeof(k_verbs) / sizeof(k_verbs[0]));
#endif
}

static void test_faults_enospc_every_write(void **state)
{
    ft_hook(state, ENOSPC);
}

static void test_faults_eio_every_write(void **state)
{
    ft_hook(state, EIO);
}

/* ---- SIGKILL during a sweep ------------------------------------------------------- */

static double ft_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts the built tiersim (TS_TIERSIM) on cmd in a child, output to /dev/null. */
static pid_t ft_spawn(const char *cmd, const char *dir)
{
    const char *exe = getenv("TS_TIERSIM");
    if (!exe)
        fail_msg("TS_TIERSIM is not set (ctest sets it to the built tiersim)");
    static char buf[8192];
    char *argv[FT_MAX_ARGS];
    ft_argv(cmd, dir, buf, sizeof(buf), argv);
    argv[0] = (char *)exe;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
        execv(exe, argv);
        _exit(127);
    }
    return pid;
}

/* Runs cmd to its end; its exit status. */
static int ft_spawn_wait(const char *cmd, const char *dir)
{
    int st = 0;
    waitpid(ft_spawn(cmd, dir), &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A sweep replacing an old set is killed (SIGKILL) at 16 points spread over its run time
 * (a fixed-seed jitter): its set (sweep.csv, result.h5) is afterwards wholly the old one
 * or wholly the new one, and nothing else appears but temporary names; a user's file in
 * the directory survives; a sweep run to its end afterwards writes the full new set. */
static void test_faults_sweep_sigkill(void **state)
{
    const char *old_cmd = "sweep " EX "csv-trace.yaml -q --vary seed=1,2 -o {dir}/o";
    const char *new_cmd = "sweep " EX "csv-trace.yaml -q --vary seed=3,4,5,6,7,8 -o {dir}/o";
    const char *ref_cmd = "sweep " EX "csv-trace.yaml -q --vary seed=3,4,5,6,7,8 -o {dir}/ref";
    char dir[1200], path[1400];
    snprintf(dir, sizeof(dir), "%s", (const char *)*state);
    double t0 = ft_now();
    assert_int_equal(ft_spawn_wait(ref_cmd, dir), 0);
    double t_full = ft_now() - t0;
    static const char *const k_set[] = {"sweep.csv", "result.h5"};
    struct ft_snap ref = {.n = 0};
    snprintf(path, sizeof(path), "%s/ref", dir);
    ft_snap_take(path, "", &ref);
    uint64_t rng = 12345;
    size_t n_old = 0, n_new = 0, n_mixed = 0, n_tmp_left = 0;
    char mixed[256] = "";
    const int points = 16;
    for (int k = 0; k < points; k++) {
        char sub[1300];
        snprintf(sub, sizeof(sub), "%s/k%d", dir, k);
        assert_int_equal(mkdir(sub, 0755), 0);
        assert_int_equal(ft_spawn_wait(old_cmd, sub), 0);
        snprintf(path, sizeof(path), "%s/o/notes.txt", sub);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs("a user's file\n", fp);
        assert_int_equal(fclose(fp), 0);
        struct ft_snap was = {.n = 0};
        snprintf(path, sizeof(path), "%s/o", sub);
        ft_snap_take(path, "", &was);
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        double frac = ((double)k + (double)(rng >> 11) / 9007199254740992.0) / points;
        pid_t pid = ft_spawn(new_cmd, sub);
        long long ns = (long long)(frac * t_full * 1.2 * 1e9);
        struct timespec d = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        struct ft_snap now = {.n = 0};
        ft_snap_take(path, "", &now);
        int n_is_old = 0, n_is_new = 0;
        for (size_t j = 0; j < 2; j++) {
            const struct ft_file *f = ft_snap_find(&now, k_set[j]);
            const struct ft_file *o = ft_snap_find(&was, k_set[j]);
            const struct ft_file *r = ft_snap_find(&ref, k_set[j]);
            assert_non_null(o);
            assert_non_null(r);
            if (!f)
                fail_msg("kill %d at %.0f%% of a sweep: %s is gone", k, frac * 120, k_set[j]);
            bool is_old = f->n == o->n && !memcmp(f->data, o->data, f->n);
            bool is_new = f->n == r->n && !memcmp(f->data, r->data, f->n);
            if (!is_old && !is_new)
                fail_msg("kill %d at %.0f%% of a sweep: %s is neither the old file nor the new "
                         "one (%zu bytes)", k, frac * 120, k_set[j], f->n);
            n_is_old += is_old;
            n_is_new += is_new && !is_old;
        }
        if (n_is_old != 2 && n_is_new != 2) { /* a known limit, see below */
            n_mixed++;
            if (n_mixed == 1)
                snprintf(mixed, sizeof(mixed), "kill %d at %.0f%%: sweep.csv %s, result.h5 %s",
                         k, frac * 120,
                         ft_snap_find(&now, "sweep.csv")->n == ft_snap_find(&was, "sweep.csv")->n
                             ? "old" : "new",
                         ft_snap_find(&now, "result.h5")->n == ft_snap_find(&was, "result.h5")->n
                             ? "old" : "new");
        } else {
            n_old += n_is_old == 2;
            n_new += n_is_old != 2;
        }
        for (size_t j = 0; j < now.n; j++) {
            const char *name = now.f[j].path;
            if (!strcmp(name, "sweep.csv") || !strcmp(name, "result.h5") ||
                !strcmp(name, "notes.txt"))
                continue;
            if (!ft_is_tmp(strrchr(name, '/') ? strrchr(name, '/') + 1 : name))
                fail_msg("kill %d: '%s' is left, and it is not a temporary name", k, name);
            n_tmp_left++;
        }
        if (!ft_snap_find(&now, "notes.txt"))
            fail_msg("kill %d: the user's notes.txt is gone", k);
        ft_snap_free(&now);
        ft_snap_free(&was);
        /* a later sweep run to its end: the new set, the user's file kept */
        assert_int_equal(ft_spawn_wait(new_cmd, sub), 0);
        ft_snap_take(path, "", &now);
        for (size_t j = 0; j < 2; j++) {
            const struct ft_file *f = ft_snap_find(&now, k_set[j]);
            const struct ft_file *r = ft_snap_find(&ref, k_set[j]);
            if (!f || f->n != r->n || memcmp(f->data, r->data, f->n))
                fail_msg("kill %d: the sweep run afterwards did not write the new %s", k,
                         k_set[j]);
        }
        if (!ft_snap_find(&now, "notes.txt"))
            fail_msg("kill %d: the sweep run afterwards removed the user's notes.txt", k);
        ft_snap_free(&now);
    }
    ft_snap_free(&ref);
    printf("faults: SIGKILL during a sweep (%.0f ms run): %d kill points: %zu left the old set, "
           "%zu the new one, %zu a mix; %zu temporary files left (none taken for a result)\n",
           t_full * 1000, points, n_old, n_new, n_mixed, n_tmp_left);
    /* A set is renamed into place file by file (reports/files.c): signals it can catch are
     * held, but SIGKILL between two renames leaves the new sweep.csv beside the old
     * result.h5. Reported, not failed, until the commit survives it (a known defect). */
    if (n_mixed)
        printf("[ PENDING  ] SIGKILL between the renames of a set leaves half of it replaced "
               "(%zu of %d kills; first: %s)\n", n_mixed, points, mixed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_faults_oom_small_run, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_faults_disk_full_every_verb, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_faults_enospc_every_write, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_faults_eio_every_write, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_faults_sweep_sigkill, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
