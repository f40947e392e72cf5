/* SPDX-License-Identifier: MIT */
/*
 * bench_live.c - the file back-end against fio, its physical-limit yardstick, on the same
 * scratch file and the same access pattern, O_DIRECT both.
 *
 * For each pattern: the file back-end (backends/file.c) makes its scratch file in the scratch
 * directory ($BENCH_LIVE_DIR, default <build>/bench-live) and writes `area` bytes of objects
 * (default 1 GiB) in key order, so their extents lie end to end after the 4 KiB header. Then
 * `runs` (default 5) timed runs of `seconds` each (default 4), alternating: the back-end
 * reading objects through submit/poll at the pattern's queue depth (each read copied into a
 * buffer of the caller's, as the live engine gets it), then fio reading the same file with
 * io_uring at the same depth, offsets restricted to the objects (--offset=4096 --size=area),
 * with its buffers and file registered as the back-end's are (--fixedbufs --registerfiles:
 * without them fio pins the pages of every request, which costs up to half its bandwidth on
 * a virtual machine, and would flatter the back-end).
 *   4 KiB random reads at queue depth 32: uniform random keys / fio --rw=randread --bs=4k
 *   1 MiB sequential reads at queue depth 8: keys in order / fio --rw=read --bs=1M
 * Prints every run, then the medians in IOPS and MB/s (10^6 bytes/s) and the ratio
 * tiersim/fio of each. Exits 1 when fio is missing or a step fails.
 *
 * usage: bench_live [area] [seconds] [runs] [random|sequential|both]
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/backend.h"
#include "bench_util.h"
#include "sim/util/gslerr.h"
#include "sim/util/mem.h"
#include "sim/util/units.h"

#define LIVE_MAX_QD 32

typedef struct live_pattern {
    const char *name;
    uint64_t object; /* bytes */
    unsigned qd;
    bool is_random;
    const char *fio_rw, *fio_bs;
} live_pattern_t;

static const live_pattern_t k_patterns[] = {
    {"4 KiB random reads, queue depth 32", 4096, 32, true, "randread", "4k"},
    {"1 MiB sequential reads, queue depth 8", 1u << 20, 8, false, "read", "1M"},
};

/* One timed run's figures. */
typedef struct live_rate {
    double iops, mb_s; /* operations and 10^6 bytes per second */
    double cpu_pct;    /* CPU time (user + system) over wall time, % of one core */
} live_rate_t;

/* CPU seconds (user + system) this process has used. */
static double live_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* Runs argv (argv[0] looked up on PATH) with standard output to out_path (NULL: /dev/null)
 * and standard error to /dev/null. Returns its exit status, 127 when it cannot be run. */
static int live_run(char *const *argv, const char *out_path)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return 127;
    if (pid == 0) {
        int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int null = open("/dev/null", O_WRONLY);
        if (out < 0 || null < 0 || dup2(out, 1) < 0 || dup2(null, 2) < 0)
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static uint64_t live_rand(uint64_t *s) /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Keeps qd requests of op in flight on b: keys from *next (in order, or uniform over n when
 * rnd is not NULL), each into (or from) its own buffer of bufs, until `count` requests have
 * completed or `seconds` have passed (count 0: time only). Completions after the deadline
 * are waited for but not counted. Returns 0 or the first error; *rate gets the counted ones. */
static int live_pump(ts_backend_t *b, ts_be_op_t op, uint64_t object, unsigned qd, uint64_t n,
                     uint64_t *next, uint64_t *rnd, char *bufs, uint64_t count, double seconds,
                     live_rate_t *rate, ts_err_t *err)
{
    ts_be_io_t ios[LIVE_MAX_QD], *idle[LIVE_MAX_QD];
    unsigned n_idle = qd, in_flight = 0;
    for (unsigned i = 0; i < qd; i++) {
        ios[i] = (ts_be_io_t){.op = op, .size = object, .buf = bufs + i * object, .user = i};
        idle[i] = &ios[qd - 1 - i];
    }
    uint64_t done = 0, issued = 0;
    double t0 = now_s(), t_end = t0 + seconds, t_stop = 0, cpu0 = live_cpu_s(), cpu = 0;
    bool is_open = true;
    while (is_open || in_flight) {
        while (is_open && n_idle && (!count || issued < count)) {
            ts_be_io_t *io = idle[--n_idle];
            io->key = rnd ? live_rand(rnd) % n : (*next)++ % n;
            int rc = b->ops->submit(b, io, err);
            if (rc == TS_BE_BUSY) { /* cannot be: qd slots, qd requests */
                n_idle++;
                break;
            }
            if (rc < 0 || (rc == TS_BE_DONE && io->result))
                return rc < 0 ? rc : io->result;
            issued++;
            if (rc == TS_BE_QUEUED)
                in_flight++;
            else
                idle[n_idle++] = io, done++;
        }
        ts_be_io_t *got[LIVE_MAX_QD];
        int k = in_flight ? b->ops->poll(b, got, LIVE_MAX_QD, UINT64_MAX, err) : 0;
        if (k < 0)
            return k;
        for (int i = 0; i < k; i++) {
            if (got[i]->result)
                return got[i]->result;
            idle[n_idle++] = got[i];
        }
        in_flight -= (unsigned)k;
        if (is_open) {
            done += (uint64_t)k;
            double t = now_s();
            if ((count && done >= count) || (!count && t >= t_end)) {
                is_open = false;
                t_stop = t;
                cpu = live_cpu_s() - cpu0;
            }
        }
    }
    double secs = t_stop > t0 ? t_stop - t0 : 1e-9;
    rate->iops = (double)done / secs;
    rate->mb_s = (double)done * (double)object / secs / 1e6;
    rate->cpu_pct = 100 * cpu / secs;
    return 0;
}

/* fio on path, reading the pattern's way over [4096, 4096 + area) for seconds. Returns 0 or
 * -1 with a message on stderr. */
static int live_fio(const live_pattern_t *p, const char *path, const char *json, uint64_t area,
                    double seconds, live_rate_t *rate)
{
    char a_file[1100], a_rw[64], a_bs[64], a_qd[64], a_rt[64], a_size[64], a_out[1100];
    snprintf(a_file, sizeof(a_file), "--filename=%s", path);
    snprintf(a_rw, sizeof(a_rw), "--rw=%s", p->fio_rw);
    snprintf(a_bs, sizeof(a_bs), "--bs=%s", p->fio_bs);
    snprintf(a_qd, sizeof(a_qd), "--iodepth=%u", p->qd);
    snprintf(a_rt, sizeof(a_rt), "--runtime=%g", seconds);
    snprintf(a_size, sizeof(a_size), "--size=%llu", (unsigned long long)area);
    snprintf(a_out, sizeof(a_out), "--output=%s", json);
    char *argv[] = {"fio", "--name=tiersim-live", "--readonly", a_file, "--direct=1",
                    "--ioengine=io_uring", "--fixedbufs", "--registerfiles", a_rw, a_bs, a_qd,
                    "--time_based", a_rt,
                    "--offset=4096", a_size, "--output-format=json", a_out, NULL};
    int rc = live_run(argv, NULL);
    if (rc != 0) {
        fprintf(stderr, "bench_live: fio exited with status %d (%s)\n", rc, p->name);
        return -1;
    }
    json_error_t je;
    json_t *root = json_load_file(json, 0, &je);
    json_t *read = json_object_get(json_array_get(json_object_get(root, "jobs"), 0), "read");
    json_t *job = json_array_get(json_object_get(root, "jobs"), 0);
    json_t *iops = json_object_get(read, "iops"), *bw = json_object_get(read, "bw_bytes");
    json_t *usr = json_object_get(job, "usr_cpu"), *sys = json_object_get(job, "sys_cpu");
    if (!json_is_number(iops) || !json_is_number(bw) || !json_is_number(usr) ||
        !json_is_number(sys)) {
        fprintf(stderr, "bench_live: no jobs[0].read.iops, read.bw_bytes, usr_cpu and sys_cpu "
                        "in fio's output %s%s%s\n",
                json, root ? "" : ": ", root ? "" : je.text);
        json_decref(root);
        return -1;
    }
    rate->iops = json_number_value(iops);
    rate->mb_s = json_number_value(bw) / 1e6;
    rate->cpu_pct = json_number_value(usr) + json_number_value(sys);
    json_decref(root);
    return 0;
}

/* One pattern: the objects written, then runs alternating the back-end and fio. */
static int live_pattern(const live_pattern_t *p, const char *dir, uint64_t area, double seconds,
                        int runs)
{
    uint64_t n = area / p->object;
    const ts_backend_ctx_t ctx = {.tier = "bench", .capacity = n * p->object,
                                  .max_object = p->object, .scratch = dir};
    char qd[16];
    snprintf(qd, sizeof(qd), "%u", p->qd);
    const char *names[] = {"qd"}, *values[] = {qd};
    ts_err_t err = {0};
    ts_backend_t *b = NULL;
    char *bufs = NULL;
    if (ts_backend_open_kv(&ts_backend_file, names, values, 1, &ctx, &b, &err) != 0 ||
        posix_memalign((void **)&bufs, 4096, p->qd * p->object) != 0) {
        fprintf(stderr, "bench_live: %s\n", err.code ? err.msg : "out of memory");
        b ? b->ops->close(b) : (void)0;
        return -1;
    }
    for (uint64_t i = 0; i < p->qd * p->object; i++)
        bufs[i] = (char)(i * 7 + 1);
    char path[1100], json[1100];
    snprintf(path, sizeof(path), "%s/tiersim-bench.live", dir);
    snprintf(json, sizeof(json), "%s/fio.json", dir);
    live_rate_t w;
    uint64_t next = 0, rnd = 0x9E3779B97F4A7C15ull;
    double t0 = now_s();
    int rc = live_pump(b, TS_BE_WRITE, p->object, p->qd, n, &next, NULL, bufs, n, 0, &w, &err);
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    double *ts_iops = calloc((size_t)runs, sizeof(double));
    double *ts_mb = calloc((size_t)runs, sizeof(double));
    double *fio_iops = calloc((size_t)runs, sizeof(double));
    double *fio_mb = calloc((size_t)runs, sizeof(double));
    if (!rc && (!ts_iops || !ts_mb || !fio_iops || !fio_mb))
        rc = ts_err_set(&err, TS_ENOMEM, "out of memory");
    if (rc) {
        fprintf(stderr, "bench_live: writing the objects: %s\n", err.msg);
    } else {
        printf("\n# %s: %llu objects of %llu bytes written in %.1f s (%.0f MB/s); %s, %s\n",
               p->name, (unsigned long long)n, (unsigned long long)p->object, now_s() - t0,
               w.mb_s, st.direct ? "O_DIRECT" : "buffered (O_DIRECT refused)", st.io);
        printf("%-5s %14s %12s %6s %14s %12s %6s\n", "run", "tiersim IOPS", "MB/s", "CPU%",
               "fio IOPS", "MB/s", "CPU%");
    }
    next = 0;
    for (int r = 0; !rc && r < runs; r++) {
        live_rate_t t, f;
        if ((rc = live_pump(b, TS_BE_READ, p->object, p->qd, n, &next, p->is_random ? &rnd : NULL,
                            bufs, 0, seconds, &t, &err)) != 0) {
            fprintf(stderr, "bench_live: %s: %s\n", p->name, err.msg);
            break;
        }
        if ((rc = live_fio(p, path, json, n * p->object, seconds, &f)) != 0)
            break;
        printf("%-5d %14.0f %12.1f %6.1f %14.0f %12.1f %6.1f\n", r + 1, t.iops, t.mb_s,
               t.cpu_pct, f.iops, f.mb_s, f.cpu_pct);
        fflush(stdout);
        ts_iops[r] = t.iops, ts_mb[r] = t.mb_s, fio_iops[r] = f.iops, fio_mb[r] = f.mb_s;
    }
    if (!rc) {
        double ti = bench_median(ts_iops, (size_t)runs), tm = bench_median(ts_mb, (size_t)runs);
        double fi = bench_median(fio_iops, (size_t)runs), fm = bench_median(fio_mb, (size_t)runs);
        printf("%-7s %12.0f %12.1f %14.0f %12.1f   tiersim/fio: %.3f (IOPS), %.3f (MB/s)\n",
               "median", ti, tm, fi, fm, ti / fi, tm / fm);
        printf("# %s: the file back-end reaches %.1f%% of fio's IOPS and %.1f%% of its "
               "bandwidth (target: 90%%)\n",
               p->name, 100 * ti / fi, 100 * tm / fm);
    }
    unlink(json);
    free(ts_iops), free(ts_mb), free(fio_iops), free(fio_mb);
    free(bufs);
    b->ops->close(b); /* removes the scratch file */
    return rc ? -1 : 0;
}

int main(int argc, char **argv)
{
    ts_gsl_install();
    uint64_t area = 1ull << 30;
    ts_err_t err = {0};
    if (argc > 1 && ts_parse_size(argv[1], &area, &err) != 0) {
        fprintf(stderr, "bench_live: area '%s': %s\n", argv[1], err.msg);
        return 1;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 4;
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    const char *which = argc > 4 ? argv[4] : "both";
    bool is_both = strcmp(which, "both") == 0;
    if (area < (4u << 20) || seconds < 0.5 || seconds > 600 || runs < 1 || runs > 99 ||
        (!is_both && strcmp(which, "random") != 0 && strcmp(which, "sequential") != 0)) {
        fprintf(stderr, "usage: bench_live [area (4MiB or more, default 1GiB)] [seconds per run "
                        "(0.5 to 600, default 4)] [runs (1 to 99, default 5)] "
                        "[random|sequential|both (default)]\n");
        return 1;
    }
    char *version[] = {"fio", "--version", NULL};
    if (live_run(version, NULL) != 0) {
        fprintf(stderr, "bench_live: fio is not installed (or not on PATH): it is the yardstick; "
                        "install the Debian package 'fio' (`make deps` does)\n");
        return 1;
    }
    const char *dir = getenv("BENCH_LIVE_DIR");
    if (!dir || !*dir)
        dir = TS_BINARY_DIR "/bench-live";
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_live: cannot make the scratch directory '%s': %s\n", dir,
                strerror(errno));
        return 1;
    }
    printf("# file back-end (submit/poll, each read copied to the caller) vs fio (io_uring, "
           "registered buffers and file),\n# same scratch file, O_DIRECT; scratch directory %s;\n"
           "# %llu MiB of objects per pattern; %d runs of %g s each, alternating; medians\n",
           dir, (unsigned long long)(area >> 20), runs, seconds);
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof(k_patterns) / sizeof(k_patterns[0]); i++)
        if (is_both || k_patterns[i].is_random == (strcmp(which, "random") == 0))
            rc = live_pattern(&k_patterns[i], dir, area, seconds, runs);
    return rc ? 1 : 0;
}
