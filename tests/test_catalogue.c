/* SPDX-License-Identifier: MIT */
/*
 * test_catalogue.c - the bad-input catalogue: every row of tests/catalogue/cases.tsv runs
 * through the built tiersim (TS_TIERSIM, set by ctest), one cmocka test per row named after
 * it, so every failing row is reported by name in one run.
 *
 * A row gives the arguments, the expected exit status, stderr and stdout, and actions: files
 * written into a scratch directory first, how tiersim runs (environment, a signal, a file
 * size limit, copies at once) and what must hold afterwards (files that exist or not, are
 * unchanged, equal, hold no temporary file). Beyond what a row says, every run is checked
 * for its shape: exit 1 ends with one `tiersim: error: ` line, exit 2 with that line and a
 * `Try 'tiersim ...'.` line, exit 0 prints no error, and no sanitizer report anywhere.
 * A pending row (a known defect) is reported but does not fail; a pending row that passes
 * fails, so it gets flipped to ok. The format is in tests/catalogue/README.md.
 */
#include <dirent.h>
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "file_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define CAT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAT_SANITIZED 1
#endif
#endif
#ifndef CAT_SANITIZED
#define CAT_SANITIZED 0
#endif

#define CAT_COLUMNS 7
#define CAT_MAX_ACTS 24
#define CAT_MAX_PROCS 4
#define CAT_TEXT 65536

/* One row of cases.tsv, as written (placeholders are expanded when it runs). */
struct cat_row {
    int line;        /* in cases.tsv */
    char *name;      /* unique */
    bool is_pending; /* a known defect: reported, not failed */
    int exit;        /* expected exit status (128 + N: killed by signal N) */
    char *args;      /* tiersim's arguments (shell words) */
    char *err;       /* expected stderr: "=text" exactly, else fragments in order */
    char *out;       /* expected stdout, the same way; "-": not checked */
    char *acts;      /* actions, " ; " between them */
    const char *base; /* the scratch directory of the whole run */
};

/* What one row's run has found and set. */
struct cat_ctx {
    const struct cat_row *row;
    char dir[PATH_MAX];  /* {dir}: the row's scratch directory */
    char priv[PATH_MAX]; /* the runner's own files (captures, snapshots) */
    char *acts[CAT_MAX_ACTS];
    size_t n_acts;
    char fail[4096]; /* what went wrong, one reason a line */
    size_t fail_len;
    const char *env[8]; /* NAME=value */
    size_t n_env;
    int sig;              /* signal to send (0: none) */
    long sig_after_ms;    /* ... this long after the start, */
    const char *sig_when; /* ... or once an entry of {dir} contains this */
    long fsize;           /* RLIMIT_FSIZE in bytes (0: none) */
    int procs;            /* copies run at once */
    long timeout_s;
    bool under_valgrind, is_freeform;
};

static void cat_fail(struct cat_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cat_fail(struct cat_ctx *c, const char *fmt, ...)
{
    if (c->fail_len + 2 >= sizeof(c->fail))
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->fail + c->fail_len, sizeof(c->fail) - c->fail_len - 1, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->fail_len += (size_t)n < sizeof(c->fail) - c->fail_len - 1
                           ? (size_t)n
                           : sizeof(c->fail) - c->fail_len - 2;
    c->fail[c->fail_len++] = '\n';
    c->fail[c->fail_len] = 0;
}

/* ---- text: placeholders and escapes ------------------------------------------------- */

/* Expands {dir}, {src} and {long:N} (N times 'a') of in; returns a malloc'd string. */
static char *cat_expand(const struct cat_ctx *c, const char *in)
{
    size_t cap = strlen(in) * 2 + 8192, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    for (const char *p = in; *p;) {
        const char *put = NULL;
        size_t put_len = 0, skip = 0, rep = 0;
        if (!strncmp(p, "{dir}", 5))
            put = c->dir, skip = 5;
        else if (!strncmp(p, "{src}", 5))
            put = TS_SOURCE_DIR, skip = 5;
        else if (!strncmp(p, "{long:", 6)) {
            char *end;
            rep = strtoul(p + 6, &end, 10);
            if (*end == '}' && rep < 4096)
                skip = (size_t)(end + 1 - p);
            else
                rep = 0;
        }
        if (put)
            put_len = strlen(put);
        if (!skip) {
            put = p, put_len = 1, skip = 1;
        }
        if (n + put_len + rep + 1 > cap) {
            cap = (n + put_len + rep + 1) * 2;
            s = realloc(s, cap);
            assert_non_null(s);
        }
        if (rep)
            memset(s + n, 'a', rep), n += rep;
        else
            memcpy(s + n, put, put_len), n += put_len;
        p += skip;
    }
    s[n] = 0;
    return s;
}

/* Decodes \n \t \r \\ \xHH \0 in place; returns the length (the text may hold NULs). */
static size_t cat_unescape(char *s)
{
    size_t n = 0;
    for (char *p = s; *p; p++) {
        if (*p != '\\' || !p[1]) {
            s[n++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': s[n++] = '\n'; break;
        case 't': s[n++] = '\t'; break;
        case 'r': s[n++] = '\r'; break;
        case '0': s[n++] = 0; break;
        case 'x':
            if (p[1] && p[2]) {
                char hex[3] = {p[1], p[2], 0};
                s[n++] = (char)strtoul(hex, NULL, 16);
                p += 2;
                break;
            }
            /* fall through */
        default: s[n++] = *p;
        }
    }
    s[n] = 0;
    return n;
}

/* Expanded and unescaped (*len: its length when not NULL). */
static char *cat_text(const struct cat_ctx *c, const char *in, size_t *len)
{
    char *s = cat_expand(c, in);
    size_t n = cat_unescape(s);
    if (len)
        *len = n;
    return s;
}

/* Whether got matches want: "=text" is exact (a newline added when it has none, "=" alone
 * is empty), anything else is fragments separated by " ... " that appear in order. */
static bool cat_match(const char *want, const char *got)
{
    if (want[0] == '=') {
        size_t n = strlen(want + 1);
        if (n == 0)
            return got[0] == 0;
        if (want[n] == '\n')
            return strcmp(want + 1, got) == 0;
        return strncmp(want + 1, got, n) == 0 && got[n] == '\n' && got[n + 1] == 0;
    }
    const char *at = got;
    for (const char *p = want; *p;) {
        const char *sep = strstr(p, " ... ");
        size_t len = sep ? (size_t)(sep - p) : strlen(p);
        char frag[CAT_TEXT];
        if (len >= sizeof(frag))
            return false;
        memcpy(frag, p, len);
        frag[len] = 0;
        const char *hit = strstr(at, frag);
        if (!hit)
            return false;
        at = hit + len;
        p += len + (sep ? 5 : 0);
    }
    return true;
}

/* ---- files of the scratch directory ------------------------------------------------- */

/* {dir}/name, or name when it is absolute. */
static void cat_path(const struct cat_ctx *c, const char *name, char *out, size_t size)
{
    if (name[0] == '/')
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "%s/%s", c->dir, name);
}

static bool cat_write(const char *path, const char *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return false;
    bool ok = fwrite(data, 1, n, fp) == n;
    return fclose(fp) == 0 && ok;
}

/* The file's bytes (free them; NULL when unreadable), *n their count. */
static char *cat_slurp(const char *path, size_t *n)
{
    size_t len = 0;
    char *s = file_test_slurp(path, &len);
    if (n)
        *n = len;
    return s;
}

static int cat_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    chmod(path, 0700); /* a row may leave a read-only directory */
    return remove(path);
}

/* Whether dir (to depth levels) holds an entry whose name contains pat; with pat NULL, a
 * temporary file: a name containing ".tmp." (sim/util/io.c) or starting with '.'
 * (reports/files.c). The first found goes to hit. */
static bool cat_find(const char *dir, const char *pat, int depth, char *hit, size_t size)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[PATH_MAX];
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        if (pat ? strstr(e->d_name, pat) != NULL
                : strstr(e->d_name, ".tmp.") != NULL || e->d_name[0] == '.') {
            snprintf(hit, size, "%s", sub);
            found = true;
        }
        struct stat sb;
        if (!found && depth > 0 && lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
            found = cat_find(sub, pat, depth - 1, hit, size);
    }
    closedir(d);
    return found;
}

static bool cat_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        size_t k = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : 9;
        if (k == 9 || i + k >= n)
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
        i += k + 1;
    }
    return true;
}

/* ---- running tiersim ---------------------------------------------------------------- */

static const char *cat_exe(void)
{
    const char *exe = getenv("TS_TIERSIM");
    if (!exe)
        fail_msg("TS_TIERSIM is not set (ctest sets it to the built tiersim)");
    return exe;
}

static bool cat_have_valgrind(void)
{
    return system("valgrind --version >/dev/null 2>&1") == 0;
}

/* Starts `tiersim args` (a shell command line) in the source directory with stdout and
 * stderr to out and err, in a process group of its own. */
static pid_t cat_spawn(const struct cat_ctx *c, const char *args, const char *out,
                       const char *err)
{
    char cmd[CAT_TEXT];
    snprintf(cmd, sizeof(cmd), "exec %s'%s' %s",
             c->under_valgrind ? "valgrind -q --error-exitcode=99 --leak-check=no " : "",
             cat_exe(), args);
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setpgid(0, 0);
    int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fi = open("/dev/null", O_RDONLY);
    if (fo < 0 || fe < 0 || fi < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0 ||
        chdir(TS_SOURCE_DIR) != 0)
        _exit(126);
    for (size_t i = 0; i < c->n_env; i++)
        putenv((char *)c->env[i]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (c->fsize > 0) {
        struct rlimit rl = {(rlim_t)c->fsize, (rlim_t)c->fsize};
        signal(SIGXFSZ, SIG_IGN); /* writes past it fail with EFBIG, as on a full disk */
        setrlimit(RLIMIT_FSIZE, &rl);
    }
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

static int cat_status(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

static double cat_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs c->procs copies of the row's command at once, sends the row's signal, waits for all
 * (killing them at the timeout); their statuses go to status[]. */
static void cat_run(struct cat_ctx *c, const char *args, int *status)
{
    pid_t pid[CAT_MAX_PROCS];
    bool done[CAT_MAX_PROCS] = {false};
    char out[PATH_MAX + 16], err[PATH_MAX + 16];
    for (int i = 0; i < c->procs; i++) {
        snprintf(out, sizeof(out), "%s/out.%d", c->priv, i);
        snprintf(err, sizeof(err), "%s/err.%d", c->priv, i);
        pid[i] = cat_spawn(c, args, out, err);
        assert_true(pid[i] > 0);
        status[i] = -1;
    }
    double start = cat_now();
    bool signalled = c->sig == 0;
    for (int left = c->procs; left > 0;) {
        for (int i = 0; i < c->procs; i++) {
            int st;
            if (!done[i] && waitpid(pid[i], &st, WNOHANG) == pid[i]) {
                done[i] = true;
                status[i] = cat_status(st);
                left--;
                if (!signalled)
                    cat_fail(c, "copy %d exited (status %d) before the signal was sent", i,
                             status[i]);
            }
        }
        double waited = cat_now() - start;
        char hit[PATH_MAX];
        if (!signalled && (c->sig_when ? cat_find(c->dir, c->sig_when, 2, hit, sizeof(hit))
                                       : waited * 1000 >= (double)c->sig_after_ms)) {
            for (int i = 0; i < c->procs; i++)
                if (!done[i])
                    kill(pid[i], c->sig);
            signalled = true;
        }
        if (left > 0 && waited > (double)c->timeout_s) {
            cat_fail(c, "timed out after %lds: killed", c->timeout_s);
            for (int i = 0; i < c->procs; i++)
                if (!done[i])
                    kill(-pid[i], SIGKILL);
            for (int i = 0; i < c->procs; i++)
                if (!done[i])
                    waitpid(pid[i], NULL, 0), done[i] = true;
            break;
        }
        if (left > 0)
            nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
}

/* Checks one copy's exit status and output: what the row expects and the shape of every
 * run (see the file's header). */
static void cat_check_run(struct cat_ctx *c, int i, int status)
{
    const struct cat_row *r = c->row;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/err.%d", c->priv, i);
    char *err = cat_slurp(path, NULL);
    snprintf(path, sizeof(path), "%s/out.%d", c->priv, i);
    char *out = cat_slurp(path, NULL);
    if (!err || !out) {
        cat_fail(c, "copy %d: no capture of its output", i);
        free(err);
        free(out);
        return;
    }
    const char *tag = c->procs > 1 ? " (a copy)" : "";
    if (status != r->exit)
        cat_fail(c, "exit status %d%s, expected %d; stderr: %.400s", status, tag, r->exit, err);
    char *want = cat_text(c, r->err, NULL);
    if (!cat_match(want, err))
        cat_fail(c, "stderr%s is not as expected:\n  want: %.600s\n  got:  %.600s", tag, want,
                 err);
    free(want);
    if (strcmp(r->out, "-") != 0) {
        want = cat_text(c, r->out, NULL);
        if (!cat_match(want, out))
            cat_fail(c, "stdout%s is not as expected:\n  want: %.600s\n  got:  %.600s", tag,
                     want, out);
        free(want);
    }
    /* a sanitizer's error report (a warning such as "failed to allocate", when a row lets
     * malloc return NULL, is not one); valgrind's show in its exit status (99) */
    if (strstr(err, "ERROR: AddressSanitizer") || strstr(err, "ERROR: LeakSanitizer") ||
        strstr(err, "runtime error:") || strstr(err, "==ERROR"))
        cat_fail(c, "a sanitizer or valgrind report on stderr: %.600s", err);
    /* the shape: the last two lines of stderr */
    size_t n = strlen(err);
    const char *last = NULL, *prev = NULL;
    for (const char *p = err; *p;) {
        prev = last, last = p;
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    size_t n_errors = file_test_count(err, "tiersim: error: ");
    if (c->is_freeform || status >= 128 || status != r->exit)
        ;
    else if (status == 0 && n_errors)
        cat_fail(c, "exit 0 with an error line: %.400s", err);
    else if (status == 1 && (n_errors != 1 || !last || strncmp(last, "tiersim: error: ", 16) ||
                             err[n - 1] != '\n'))
        cat_fail(c, "exit 1 must end with one line 'tiersim: error: ...', got: %.400s", err);
    else if (status == 2 && (n_errors != 1 || !prev || strncmp(prev, "tiersim: error: ", 16) ||
                             strncmp(last, "Try 'tiersim", 12) || err[n - 1] != '\n'))
        cat_fail(c, "exit 2 must end with 'tiersim: error: ...' and 'Try ...', got: %.400s", err);
    free(err);
    free(out);
}

/* ---- actions ------------------------------------------------------------------------ */

enum cat_phase { CAT_SETUP, CAT_MODIFY, CAT_CHECK };

/* Where the snapshot of name is kept: the runner's directory, '/' turned into '_'. */
static void cat_snap(const struct cat_ctx *c, const char *name, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/snap.", c->priv);
    for (const char *p = name; *p && n + 1 < (int)size; p++)
        out[n++] = *p == '/' ? '_' : *p;
    out[n] = 0;
}

/* Splits "verb rest" (rest "name=value" for most) and runs it in phase; returns false for
 * an unknown verb. */
static bool cat_act(struct cat_ctx *c, const char *act, enum cat_phase phase)
{
    char verb[32];
    const char *rest = strchr(act, ' ');
    size_t vlen = rest ? (size_t)(rest - act) : strlen(act);
    if (vlen >= sizeof(verb))
        return false;
    memcpy(verb, act, vlen);
    verb[vlen] = 0;
    rest = rest ? rest + 1 : "";
    size_t len;
    char *arg = cat_text(c, rest, &len);
    char *val = memchr(arg, '=', len);
    size_t val_len = 0;
    if (val) {
        *val++ = 0;
        val_len = len - (size_t)(val - arg);
    }
    char path[PATH_MAX + 32], path2[PATH_MAX + 32];
    cat_path(c, arg, path, sizeof(path));
    struct stat sb;
    static const char *const setup[] = {"file", "mkdir", "fifo", "socket", "symlink", "chmod",
                                        "truncate", "copy", "poke", "tiersim", "snapshot"};
    static const char *const modify[] = {"env", "signal", "fsize", "concurrent", "timeout",
                                         "nonroot", "valgrind", "freeform", "debug"};
    static const char *const check[] = {"exists", "absent", "type", "notmp", "unchanged",
                                        "same", "contains", "json", "utf8"};
    const char *const *known[] = {setup, modify, check};
    size_t n_known[] = {sizeof(setup) / sizeof(*setup), sizeof(modify) / sizeof(*modify),
                        sizeof(check) / sizeof(*check)};
    bool is_known = false, is_mine = false;
    for (int ph = 0; ph < 3; ph++)
        for (size_t i = 0; i < n_known[ph]; i++)
            if (!strcmp(verb, known[ph][i]))
                is_known = true, is_mine = ph == (int)phase;
    if (!is_known || !is_mine) {
        free(arg);
        return is_known;
    }
    if (!strcmp(verb, "file") && !cat_write(path, val ? val : "", val_len))
        cat_fail(c, "setup: cannot write %s", path);
    else if (!strcmp(verb, "mkdir") && mkdir(path, 0755) != 0)
        cat_fail(c, "setup: cannot create directory %s", path);
    else if (!strcmp(verb, "fifo") && mkfifo(path, 0644) != 0)
        cat_fail(c, "setup: cannot create FIFO %s", path);
    else if (!strcmp(verb, "socket")) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        int len_ok = snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
        if (fd < 0 || len_ok < 0 || (size_t)len_ok >= sizeof(a.sun_path) ||
            bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
            cat_fail(c, "setup: cannot bind socket %s", path);
        if (fd >= 0)
            close(fd);
    } else if (!strcmp(verb, "symlink") && symlink(val ? val : "", path) != 0)
        cat_fail(c, "setup: cannot create symlink %s", path);
    else if (!strcmp(verb, "chmod") && chmod(path, (mode_t)strtoul(val ? val : "", NULL, 8)))
        cat_fail(c, "setup: cannot chmod %s", path);
    else if (!strcmp(verb, "truncate") && truncate(path, strtol(val ? val : "", NULL, 10)))
        cat_fail(c, "setup: cannot truncate %s", path);
    else if (!strcmp(verb, "copy") || !strcmp(verb, "snapshot")) {
        if (!strcmp(verb, "copy"))
            snprintf(path2, sizeof(path2), "%s/%s", TS_SOURCE_DIR, val ? val : "");
        else
            snprintf(path2, sizeof(path2), "%s", path);
        size_t n;
        char *data = cat_slurp(path2, &n);
        if (!strcmp(verb, "snapshot"))
            cat_snap(c, arg, path, sizeof(path));
        if (!data || !cat_write(path, data, n))
            cat_fail(c, "setup: cannot copy %s to %s", path2, path);
        free(data);
    } else if (!strcmp(verb, "poke")) {
        char *colon = val ? strchr(val, ':') : NULL;
        int fd = open(path, O_WRONLY);
        if (!colon || fd < 0 ||
            pwrite(fd, colon + 1, val_len - (size_t)(colon + 1 - val),
                   strtol(val, NULL, 10)) < 0)
            cat_fail(c, "setup: cannot poke %s", path);
        if (fd >= 0)
            close(fd);
    } else if (!strcmp(verb, "tiersim")) {
        char *x = cat_text(c, rest, NULL); /* escapes decoded, as in the row's own args */
        char o[PATH_MAX + 16], e[PATH_MAX + 16];
        snprintf(o, sizeof(o), "%s/setup.out", c->priv);
        snprintf(e, sizeof(e), "%s/setup.err", c->priv);
        struct cat_ctx plain = *c;
        plain.n_env = 0, plain.fsize = 0, plain.under_valgrind = false;
        pid_t pid = cat_spawn(&plain, x, o, e);
        int st = 0;
        waitpid(pid, &st, 0);
        if (cat_status(st) != 0) {
            char *msg = cat_slurp(e, NULL);
            cat_fail(c, "setup: tiersim %s exited %d: %.300s", x, cat_status(st),
                     msg ? msg : "");
            free(msg);
        }
        free(x);
    } else if (!strcmp(verb, "env") && c->n_env < 8 && val) {
        val[-1] = '=';
        c->env[c->n_env++] = strdup(arg);
    } else if (!strcmp(verb, "signal")) {
        char *when = strchr(arg, ' ');
        c->sig = !strncmp(arg, "INT", 3) ? SIGINT : !strncmp(arg, "TERM", 4) ? SIGTERM
                 : !strncmp(arg, "KILL", 4) ? SIGKILL : 0;
        if (!c->sig || !when)
            cat_fail(c, "bad action 'signal %s' (signal INT|TERM|KILL MS|NAME-PART)", arg);
        else if (when[1] >= '0' && when[1] <= '9')
            c->sig_after_ms = strtol(when + 1, NULL, 10);
        else
            c->sig_when = strdup(when + 1);
    } else if (!strcmp(verb, "fsize"))
        c->fsize = strtol(arg, NULL, 10);
    else if (!strcmp(verb, "concurrent"))
        c->procs = (int)strtol(arg, NULL, 10) > CAT_MAX_PROCS ? CAT_MAX_PROCS
                                                                : (int)strtol(arg, NULL, 10);
    else if (!strcmp(verb, "timeout"))
        c->timeout_s = strtol(arg, NULL, 10);
    else if (!strcmp(verb, "valgrind"))
        c->under_valgrind = true;
    else if (!strcmp(verb, "freeform"))
        c->is_freeform = true;
    else if (!strcmp(verb, "exists") && lstat(path, &sb) != 0)
        cat_fail(c, "%s does not exist", arg);
    else if (!strcmp(verb, "absent") && lstat(path, &sb) == 0)
        cat_fail(c, "%s exists", arg);
    else if (!strcmp(verb, "type")) {
        const char *t = lstat(path, &sb) != 0    ? "absent"
                        : S_ISREG(sb.st_mode)   ? "regular"
                        : S_ISDIR(sb.st_mode)   ? "dir"
                        : S_ISLNK(sb.st_mode)   ? "symlink"
                        : S_ISFIFO(sb.st_mode)  ? "fifo"
                        : S_ISSOCK(sb.st_mode)  ? "socket"
                                                : "other";
        if (strcmp(t, val ? val : ""))
            cat_fail(c, "%s is a %s, expected a %s", arg, t, val ? val : "");
    } else if (!strcmp(verb, "notmp")) {
        char hit[PATH_MAX];
        if (cat_find(arg[0] ? path : c->dir, NULL, 4, hit, sizeof(hit)))
            cat_fail(c, "a temporary file is left: %s", hit);
    } else if (!strcmp(verb, "unchanged") || !strcmp(verb, "same")) {
        if (!strcmp(verb, "unchanged"))
            cat_snap(c, arg, path2, sizeof(path2));
        else
            cat_path(c, val ? val : "", path2, sizeof(path2));
        size_t na, nb;
        char *a = cat_slurp(path, &na), *b = cat_slurp(path2, &nb);
        if (!a || !b || na != nb || memcmp(a, b, na))
            cat_fail(c, "%s differs from %s (%zu and %zu bytes)", arg,
                     !strcmp(verb, "same") ? val : "its snapshot", a ? na : 0, b ? nb : 0);
        free(a);
        free(b);
    } else if (!strcmp(verb, "contains")) {
        char *a = cat_slurp(path, NULL);
        if (!a || !strstr(a, val ? val : ""))
            cat_fail(c, "%s does not contain '%s'", arg, val ? val : "");
        free(a);
    } else if (!strcmp(verb, "json") || !strcmp(verb, "utf8")) {
        if (!arg[0])
            snprintf(path, sizeof(path), "%s/out.0", c->priv);
        size_t n;
        char *a = cat_slurp(path, &n);
        json_error_t jerr;
        json_t *doc = a && !strcmp(verb, "json") ? json_loadb(a, n, 0, &jerr) : NULL;
        if (!a || (!strcmp(verb, "json") && !doc))
            cat_fail(c, "%s is not valid JSON", arg[0] ? arg : "stdout");
        if (a && !strcmp(verb, "utf8") && !cat_utf8((const unsigned char *)a, n))
            cat_fail(c, "%s is not valid UTF-8", arg[0] ? arg : "stdout");
        json_decref(doc);
        free(a);
    }
    free(arg);
    return true;
}

/* ---- one row ------------------------------------------------------------------------ */

static void cat_test_row(void **state)
{
    const struct cat_row *r = *state;
    struct cat_ctx c = {.row = r, .procs = 1, .timeout_s = 120};
    snprintf(c.dir, sizeof(c.dir), "%s/%d", r->base, r->line);
    snprintf(c.priv, sizeof(c.priv), "%s/%d.r", r->base, r->line);
    assert_int_equal(mkdir(c.dir, 0755), 0);
    assert_int_equal(mkdir(c.priv, 0755), 0);
    char *acts = strdup(r->acts);
    assert_non_null(acts);
    for (char *p = acts; p && *p && c.n_acts < CAT_MAX_ACTS;) {
        char *sep = strstr(p, " ; ");
        if (sep)
            *sep = 0;
        c.acts[c.n_acts++] = p;
        p = sep ? sep + 3 : NULL;
    }
    for (size_t i = 0; i < c.n_acts; i++)
        if (!cat_act(&c, c.acts[i], CAT_MODIFY))
            fail_msg("%s (cases.tsv:%d): unknown action '%s'", r->name, r->line, c.acts[i]);
    const char *skip_why = NULL;
    for (size_t i = 0; i < c.n_acts; i++)
        if (!strcmp(c.acts[i], "nonroot") && geteuid() == 0)
            skip_why = "needs a user other than root (root ignores permissions)";
#ifndef TS_DEBUG
    for (size_t i = 0; i < c.n_acts; i++)
        if (!strcmp(c.acts[i], "debug"))
            skip_why = "needs a tiersim built with TS_DEBUG (it reads TS_IO_FAIL_AFTER): runs "
                       "in the Debug and sanitizer passes only";
#endif
    if (c.under_valgrind && CAT_SANITIZED) /* the Release pass runs it */
        skip_why = "runs under valgrind, which cannot run a sanitizer build (the Release pass "
                   "runs it)";
    if (skip_why) {
        printf("[ SKIP     ] %s: %s\n", r->name, skip_why);
        for (size_t i = 0; i < c.n_env; i++)
            free((char *)c.env[i]);
        free((char *)c.sig_when);
        free(acts);
        skip();
    }
    if (c.under_valgrind && !cat_have_valgrind())
        fail_msg("%s (cases.tsv:%d): the row runs under valgrind, which is not installed (make "
                 "deps installs it)", r->name, r->line);
    for (size_t i = 0; i < c.n_acts; i++)
        cat_act(&c, c.acts[i], CAT_SETUP);
    int status[CAT_MAX_PROCS];
    if (!c.fail_len) {
        char *args = cat_text(&c, r->args, NULL);
        cat_run(&c, args, status);
        free(args);
        for (int i = 0; i < c.procs; i++)
            cat_check_run(&c, i, status[i]);
        for (size_t i = 0; i < c.n_acts; i++)
            cat_act(&c, c.acts[i], CAT_CHECK);
    }
    for (size_t i = 0; i < c.n_env; i++)
        free((char *)c.env[i]);
    free((char *)c.sig_when);
    free(acts);
    if (r->is_pending && !c.fail_len)
        fail_msg("%s (cases.tsv:%d) is marked pending but passes: its defect is fixed, mark "
                 "it ok", r->name, r->line);
    if (r->is_pending) {
        printf("[ PENDING  ] %s (cases.tsv:%d): %s", r->name, r->line, c.fail);
        return;
    }
    if (c.fail_len)
        fail_msg("%s (cases.tsv:%d):\n%s", r->name, r->line, c.fail);
}

/* ---- the table ---------------------------------------------------------------------- */

/* Reads cases.tsv into rows (malloc'd; their strings point into *text). */
static size_t cat_load(char **text, struct cat_row **rows)
{
    *text = file_test_slurp(TS_SOURCE_DIR "/tests/catalogue/cases.tsv", NULL);
    if (!*text) {
        fprintf(stderr, "test_catalogue: cannot read tests/catalogue/cases.tsv\n");
        exit(1);
    }
    size_t n = 0, cap = 0;
    *rows = NULL;
    int line = 0;
    for (char *p = *text, *next; p && *p; p = next) {
        line++;
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = 0;
        if (!*p || *p == '#')
            continue;
        char *col[CAT_COLUMNS] = {0};
        int k = 0;
        for (char *q = p; q && k < CAT_COLUMNS; k++) {
            col[k] = q;
            q = strchr(q, '\t');
            if (q)
                *q++ = 0;
        }
        if (k < 5 || (strcmp(col[1], "ok") && strcmp(col[1], "pending"))) {
            fprintf(stderr, "cases.tsv:%d: expected name, ok|pending, exit, args, stderr "
                            "[, stdout [, actions]] separated by tabs\n", line);
            exit(1);
        }
        for (size_t i = 0; i < n; i++)
            if (!strcmp((*rows)[i].name, col[0])) {
                fprintf(stderr, "cases.tsv:%d: row name '%s' is taken\n", line, col[0]);
                exit(1);
            }
        if (n == cap) {
            cap = cap ? cap * 2 : 128;
            *rows = realloc(*rows, cap * sizeof(**rows));
            if (!*rows)
                exit(1);
        }
        (*rows)[n++] = (struct cat_row){.line = line, .name = col[0],
                                        .is_pending = !strcmp(col[1], "pending"),
                                        .exit = atoi(col[2]), .args = col[3], .err = col[4],
                                        .out = col[5] && *col[5] ? col[5] : "-",
                                        .acts = col[6] ? col[6] : ""};
    }
    return n;
}

int main(void)
{
    char *text;
    struct cat_row *rows;
    size_t n = cat_load(&text, &rows);
    char base[] = "/tmp/tiersim-cat-XXXXXX";
    if (!mkdtemp(base)) {
        perror("test_catalogue: mkdtemp");
        return 1;
    }
    struct CMUnitTest *tests = calloc(n, sizeof(*tests));
    if (!tests)
        return 1;
    size_t n_pending = 0, n_run = 0;
    const char *only = getenv("TS_CATALOGUE_ONLY"); /* rows whose name holds it (iterating) */
    for (size_t i = 0; i < n; i++) {
        rows[i].base = base;
        if (only && !strstr(rows[i].name, only))
            continue;
        tests[n_run++] = (struct CMUnitTest){rows[i].name, cat_test_row, NULL, NULL, &rows[i]};
        n_pending += rows[i].is_pending;
    }
    printf("catalogue: %zu rows, %zu of them run (TS_CATALOGUE_ONLY), %zu pending\n", n, n_run,
           n_pending);
    int failed = _cmocka_run_group_tests("catalogue", tests, n_run, NULL, NULL);
    nftw(base, cat_rm, 16, FTW_DEPTH | FTW_PHYS);
    free(tests);
    free(rows);
    free(text);
    return failed;
}
