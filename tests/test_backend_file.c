/* SPDX-License-Identifier: MIT */
/*
 * test_backend_file.c - the "file" live back-end (backends/file.c) on a scratch file: the
 * hand-traced sequence of test_backend_memory.c gives the same results on a file, with 4 KiB
 * extents counted by hand; objects of many blocks read back byte for byte; freed extents are
 * reused, so the file never grows past the header and twice the capacity; the file is
 * removed at close unless kept; a file at the path that this back-end did not make is
 * refused and left as it was; buffered I/O (direct: false) and O_DIRECT (where the file
 * system allows it, else the fallback, reported in stats) give the same bytes. Many requests
 * in flight (64 objects at queue depth 8) on each I/O path (io_uring, the thread pool):
 * busy exactly when 8 are in flight, every completion handed back once, the bytes read
 * equal to those written, the counters worked out by hand; the fsync modes; parameters
 * refused with their message; a file system that refuses O_DIRECT (ramfs, mounted in a
 * private mount namespace of a child process) gives the buffered fallback.
 */
#include <fcntl.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend_test.h"
#include "file_test.h"
#include "scratch_test.h"

/* The back-end of tier "nvme" in dir with n name=value parameters, or NULL (err says why). */
static ts_backend_t *open_kv(const char *dir, uint64_t capacity, uint64_t max_object,
                             const char *const *names, const char *const *values, size_t n,
                             ts_err_t *err)
{
    const ts_backend_ctx_t ctx = {.tier = "nvme", .capacity = capacity,
                                  .max_object = max_object, .scratch = dir};
    ts_backend_t *b = NULL;
    ts_err_clear(err);
    if (ts_backend_open_kv(&ts_backend_file, names, values, n, &ctx, &b, err) != 0)
        return NULL;
    return b;
}

/* The size of the back-end's file in dir (tiersim-nvme.live), bytes; -1 when there is none. */
static long long live_size(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/tiersim-nvme.live", dir);
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

static ts_backend_t *open_file(const char *dir, uint64_t capacity, uint64_t max_object,
                               const char *direct, const char *keep, ts_err_t *err)
{
    const char *names[3] = {"prealloc"}, *values[3] = {"none"}; /* the size shows the extents */
    size_t n = 1;
    if (direct)
        names[n] = "direct", values[n++] = direct;
    if (keep)
        names[n] = "keep", values[n++] = keep;
    return open_kv(dir, capacity, max_object, names, values, n, err);
}

/* As in test_backend_memory.c, capacity 10,000 bytes: A and B (4096 B each, one block each)
 * fit, C would make 12,288 bytes: refused; free A, C fits; B replaced by 100 bytes (still
 * one block). Then 2 objects, 4196 bytes, 2 blocks = 8192 bytes of extents. */
static void test_backend_file_hand_traced(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    ts_backend_t *b = open_file(dir, 10000, 10000, "false", NULL, &err);
    if (!b)
        fail_msg("open: %s", err.msg);
    static char a[4096], bb[4096], c[4096], got[4096];
    memset(a, 'A', sizeof(a));
    memset(bb, 'B', sizeof(bb));
    memset(c, 'C', sizeof(c));
    assert_int_equal(be_io(b, TS_BE_WRITE, 1, a, 4096, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, bb, 4096, &err), 0);
    memset(a, 'x', sizeof(a));
    assert_int_equal(be_io(b, TS_BE_WRITE, 3, c, 4096, &err), TS_ENOSPC);
    assert_non_null(strstr(err.msg, "tier nvme: 4096 bytes of key 3 do not fit (8192 of 10000 "
                                    "bytes used)"));
    assert_int_equal(be_io(b, TS_BE_READ, 1, got, 4096, &err), 0);
    for (size_t i = 0; i < sizeof(got); i++)
        if (got[i] != 'A')
            fail_msg("byte %zu of key 1 is '%c', not 'A'", i, got[i]);
    assert_int_equal(be_io(b, TS_BE_READ, 2, got, 100, &err), TS_EINVAL);
    assert_int_equal(be_io(b, TS_BE_FREE, 1, NULL, 0, &err), 0);
    assert_int_equal(be_io(b, TS_BE_READ, 1, got, 4096, &err), TS_ENOENT);
    assert_int_equal(be_io(b, TS_BE_WRITE, 3, c, 4096, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, bb, 100, &err), 0);
    memset(got, 0, sizeof(got));
    assert_int_equal(be_io(b, TS_BE_READ, 2, got, 100, &err), 0);
    assert_int_equal(got[0], 'B');
    assert_int_equal(got[99], 'B');
    assert_int_equal(got[100], 0);
    assert_int_equal(be_io(b, TS_BE_READ, 3, got, 4096, &err), 0);
    assert_int_equal(got[4095], 'C');
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_int_equal(st.objects, 2);
    assert_int_equal(st.bytes, 4196);
    assert_int_equal(st.reserved, 8192);
    assert_int_equal(st.writes, 4);
    assert_int_equal(st.bytes_written, 3 * 4096 + 100);
    assert_int_equal(st.reads, 3);
    assert_int_equal(st.frees, 1);
    assert_false(st.direct); /* asked for buffered I/O */
    char path[1024];
    snprintf(path, sizeof(path), "%s/tiersim-nvme.live", dir);
    assert_int_equal(access(path, F_OK), 0);
    b->ops->close(b);
    assert_int_equal(access(path, F_OK), -1); /* removed: not kept */
}

/* Nine objects of 1 KiB + k x 12,544 bytes (k = 0..8) of distinct bytes, with O_DIRECT asked
 * for: each reads back exactly. Their extents, by hand: ceil(size / 4096) = 1, 4, 7, 10, 13,
 * 16, 19, 22, 25 blocks, 117 in all. Freed and rewritten three times, they reuse their
 * extents, so the file stays the header plus 117 blocks: 4096 + 479,232 = 483,328 bytes. */
static void test_backend_file_extents_reused(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    const uint64_t cap = 1 << 20, big = 100 * 1024;
    ts_backend_t *b = open_file(dir, cap, big, "true", NULL, &err);
    if (!b)
        fail_msg("open: %s", err.msg);
    unsigned char *buf = malloc(big), *got = malloc(big);
    assert_non_null(buf);
    assert_non_null(got);
    for (int round = 0; round < 4; round++) {
        for (uint64_t k = 0; k < 9; k++) { /* 1 KiB + k x 12,544 B: 1 to 25 blocks, 450 KiB */
            uint64_t size = 1024 + k * 12544;
            for (uint64_t i = 0; i < size; i++)
                buf[i] = (unsigned char)(k * 31 + i * 7 + (uint64_t)round);
            assert_int_equal(be_io(b, TS_BE_WRITE, k, buf, size, &err), 0);
        }
        for (uint64_t k = 0; k < 9; k++) {
            uint64_t size = 1024 + k * 12544;
            assert_int_equal(be_io(b, TS_BE_READ, k, got, size, &err), 0);
            for (uint64_t i = 0; i < size; i++)
                if (got[i] != (unsigned char)(k * 31 + i * 7 + (uint64_t)round))
                    fail_msg("round %d key %llu byte %llu differs", round,
                             (unsigned long long)k, (unsigned long long)i);
        }
        for (uint64_t k = 0; round < 3 && k < 9; k++)
            assert_int_equal(be_io(b, TS_BE_FREE, k, NULL, 0, &err), 0);
    }
    assert_int_equal(be_io(b, TS_BE_WRITE, 99, buf, big + 1, &err), TS_EINVAL); /* too big */
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_int_equal(st.objects, 9);
    assert_int_equal(live_size(dir), 483328);
    printf("[ NOTE     ] file back-end: O_DIRECT %s here\n",
           st.direct ? "in effect" : "refused by the file system: buffered I/O");
    free(buf);
    free(got);
    b->ops->close(b);
}

/* keep: true leaves the file, which starts with the back-end's header, and a later open
 * takes it over; a file of the user's at the path is refused and left as it was. */
static void test_backend_file_safety(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    ts_backend_t *b = open_file(dir, 8192, 4096, "false", "true", &err);
    assert_non_null(b);
    char data[100] = "kept";
    assert_int_equal(be_io(b, TS_BE_WRITE, 5, data, sizeof(data), &err), 0);
    b->ops->close(b);
    char path[1024];
    snprintf(path, sizeof(path), "%s/tiersim-nvme.live", dir);
    size_t n = 0;
    char *text = file_test_slurp(path, &n);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "TIERSIM-LIVE-FILE 1\n", 20), 0);
    free(text);
    b = open_file(dir, 8192, 4096, "false", NULL, &err); /* ours: taken over, then removed */
    assert_non_null(b);
    /* while it is open, a second back-end on the same file (another live run) is refused */
    assert_null(open_file(dir, 8192, 4096, "false", NULL, &err));
    assert_int_equal(err.code, TS_EIO);
    assert_non_null(strstr(err.msg, "is in use by another live run"));
    assert_int_equal(access(path, F_OK), 0); /* and left as it was */
    b->ops->close(b);
    assert_int_equal(access(path, F_OK), -1);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("the user's own data\n", f);
    assert_int_equal(fclose(f), 0);
    assert_null(open_file(dir, 8192, 4096, "false", NULL, &err));
    assert_int_equal(err.code, TS_EIO);
    assert_non_null(strstr(err.msg, "exists and was not made by tiersim's live mode; refusing "
                                    "to touch it"));
    text = file_test_slurp(path, &n);
    assert_non_null(text);
    assert_string_equal(text, "the user's own data\n");
    free(text);
    const ts_backend_ctx_t nowhere = {.tier = "nvme", .capacity = 8192};
    ts_err_clear(&err);
    assert_int_equal(ts_backend_open_kv(&ts_backend_file, NULL, NULL, 0, &nowhere, &b, &err),
                     TS_EINVAL);
    assert_non_null(strstr(err.msg, "no path, and no scratch directory"));
}

/* Carries ios[0..n) through b with every completion polled back: submits until the back-end
 * answers busy (which it may only do with qd requests in flight), polls, submits again.
 * Each request must come back exactly once, with result 0 (ios[k].user = k). */
static void flight(ts_backend_t *b, ts_be_io_t *ios, size_t n, size_t qd)
{
    ts_err_t err = {0};
    unsigned char seen[64] = {0};
    assert_true(n <= sizeof(seen));
    size_t next = 0, in_flight = 0, back = 0;
    for (; next < qd; next++, in_flight++) /* nothing polled yet: qd are taken... */
        assert_int_equal(b->ops->submit(b, &ios[next], &err), TS_BE_QUEUED);
    assert_int_equal(b->ops->submit(b, &ios[next], &err), TS_BE_BUSY); /* ...then none */
    while (back < n) {
        ts_be_io_t *done[4];
        int got = b->ops->poll(b, done, 4, UINT64_MAX, &err);
        if (got <= 0)
            fail_msg("poll answered %d with %zu in flight: %s", got, in_flight, err.msg);
        for (int i = 0; i < got; i++) {
            if (done[i]->result != 0)
                fail_msg("key %llu: %s", (unsigned long long)done[i]->key, err.msg);
            assert_int_equal(++seen[done[i]->user], 1);
        }
        back += (size_t)got;
        in_flight -= (size_t)got;
        while (next < n) {
            int rc = b->ops->submit(b, &ios[next], &err);
            if (rc == TS_BE_BUSY) {
                assert_int_equal(in_flight, qd);
                break;
            }
            assert_int_equal(rc, TS_BE_QUEUED);
            next++, in_flight++;
        }
    }
    ts_be_io_t *none[1];
    assert_int_equal(b->ops->poll(b, none, 1, 0, &err), 0); /* nothing left to hand back */
    for (size_t k = 0; k < n; k++)
        assert_int_equal(seen[k], 1);
}

struct flight_case {
    const char *name;
    const char *io;   /* the io parameter */
    const char *path; /* what stats.io starts with */
};

static const struct flight_case k_flight_cases[] = {
    {"io_uring", "uring", "io_uring"},
    {"thread pool", "threads", "threads"},
};

/* 64 objects at queue depth 8 on each I/O path: object k has 4096 x (k mod 4 + 1) - 100
 * bytes, so k mod 4 + 1 blocks: 16 x (1 + 2 + 3 + 4) = 160 blocks = 655,360 bytes of
 * extents, 655,360 - 64 x 100 = 648,960 bytes of objects, and a file of the header plus the
 * extents, 659,456 bytes. Written, then read back, each phase with 8 in flight. */
static void test_backend_file_in_flight(void **state)
{
    const char *dir = *state;
    enum { N = 64, QD = 8, MAX = 16384 };
    unsigned char *data = malloc((size_t)N * MAX), *got = calloc(N, MAX);
    assert_non_null(data);
    assert_non_null(got);
    for (size_t c = 0; c < sizeof(k_flight_cases) / sizeof(k_flight_cases[0]); c++) {
        const struct flight_case *fc = &k_flight_cases[c];
        print_message("[ CASE     ] %s\n", fc->name);
        const char *names[] = {"io", "qd", "prealloc"}, *values[] = {fc->io, "8", "none"};
        ts_err_t err = {0};
        ts_backend_t *b = open_kv(dir, 1 << 20, MAX, names, values, 3, &err);
        if (!b && err.code == TS_EUNSUPPORTED && strcmp(fc->io, "uring") == 0) {
            print_message("[ NOTE     ] %s: not run, the kernel refuses io_uring: %s\n",
                          fc->name, err.msg);
            continue;
        }
        if (!b)
            fail_msg("%s: open: %s", fc->name, err.msg);
        assert_true(b->ops->base.flags & TS_BACKEND_ASYNC);
        ts_backend_stats_t st;
        b->ops->stats(b, &st);
        assert_non_null(st.io);
        if (strncmp(st.io, fc->path, strlen(fc->path)) != 0)
            fail_msg("%s: the I/O path is '%s'", fc->name, st.io);
        print_message("[ NOTE     ] %s: %s\n", fc->name, st.io);
        ts_be_io_t ios[N];
        for (size_t k = 0; k < N; k++) {
            uint64_t size = 4096 * (k % 4 + 1) - 100;
            for (size_t i = 0; i < size; i++)
                data[k * MAX + i] = (unsigned char)(k * 13 + i * 5 + c);
            ios[k] = (ts_be_io_t){.op = TS_BE_WRITE, .key = 1000 + k, .size = size,
                                  .buf = data + k * MAX, .user = k};
        }
        flight(b, ios, N, QD);
        for (size_t k = 0; k < N; k++)
            ios[k].op = TS_BE_READ, ios[k].buf = got + k * MAX;
        flight(b, ios, N, QD);
        for (size_t k = 0; k < N; k++)
            if (memcmp(got + k * MAX, data + k * MAX, ios[k].size) != 0)
                fail_msg("%s: key %zu reads back other bytes", fc->name, 1000 + k);
        b->ops->stats(b, &st);
        assert_int_equal(st.objects, 64);
        assert_int_equal(st.bytes, 648960);
        assert_int_equal(st.reserved, 655360);
        assert_int_equal(st.writes, 64);
        assert_int_equal(st.reads, 64);
        assert_int_equal(st.bytes_written, 648960);
        assert_int_equal(st.bytes_read, 648960);
        assert_int_equal(live_size(dir), 659456);
        b->ops->close(b);
    }
    free(data);
    free(got);
}

/* Each fsync mode writes and reads an object; with fsync: close and keep: true the kept file
 * holds the header and the object's block (8192 bytes). */
static void test_backend_file_fsync_modes(void **state)
{
    const char *dir = *state;
    static const char *const modes[] = {"never", "each", "close"};
    char path[1024];
    snprintf(path, sizeof(path), "%s/tiersim-nvme.live", dir);
    for (size_t m = 0; m < 3; m++) {
        const char *names[] = {"fsync", "keep", "prealloc"},
                   *values[] = {modes[m], "true", "none"};
        ts_err_t err = {0};
        ts_backend_t *b = open_kv(dir, 8192, 4096, names, values, 3, &err);
        if (!b)
            fail_msg("fsync %s: open: %s", modes[m], err.msg);
        char data[3000], got[3000];
        memset(data, 'F' + (int)m, sizeof(data));
        assert_int_equal(be_io(b, TS_BE_WRITE, 7, data, sizeof(data), &err), 0);
        assert_int_equal(be_io(b, TS_BE_READ, 7, got, sizeof(got), &err), 0);
        assert_memory_equal(got, data, sizeof(data));
        b->ops->close(b);
        assert_int_equal(live_size(dir), 8192);
        assert_int_equal(unlink(path), 0);
    }
}

/* prealloc: with `write` (the default) the whole capacity, rounded to blocks, is written
 * after the 4 KiB header before the first request: 10,000 bytes -> 3 blocks, a file of
 * 4,096 + 12,288 = 16,384 bytes, every block allocated; `fallocate` gives the same size
 * (allocated where the file system has fallocate); `none` leaves the header alone (4,096
 * bytes). Objects then land inside that layout: the size does not change. */
static void test_backend_file_prealloc_lays_out_the_capacity(void **state)
{
    const char *dir = *state;
    static const char *const modes[] = {"write", "fallocate", "none"};
    static const long long sizes[] = {16384, 16384, 4096};
    char path[1024];
    snprintf(path, sizeof(path), "%s/tiersim-nvme.live", dir);
    for (size_t m = 0; m < 3; m++) {
        const char *names[] = {"prealloc"}, *values[] = {modes[m]};
        ts_err_t err = {0};
        ts_backend_t *b = open_kv(dir, 10000, 4096, m == 0 ? NULL : names,
                                  m == 0 ? NULL : values, m == 0 ? 0 : 1, &err);
        if (!b)
            fail_msg("prealloc %s: open: %s", modes[m], err.msg);
        assert_int_equal(live_size(dir), sizes[m]);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        if (m == 0 && (long long)sb.st_blocks * 512 < sizes[m])
            fail_msg("prealloc write: %lld bytes allocated of %lld", (long long)sb.st_blocks * 512,
                     sizes[m]);
        char data[4096], got[4096];
        memset(data, 'P', sizeof(data));
        assert_int_equal(be_io(b, TS_BE_WRITE, 1, data, sizeof(data), &err), 0);
        assert_int_equal(be_io(b, TS_BE_READ, 1, got, sizeof(got), &err), 0);
        assert_memory_equal(got, data, sizeof(data));
        assert_int_equal(live_size(dir), m == 2 ? 8192 : sizes[m]);
        b->ops->close(b);
        assert_int_equal(live_size(dir), -1);
    }
}

struct param_case {
    const char *name, *value;
    int code;
    const char *msg; /* a part of the message */
};

static const struct param_case k_bad_params[] = {
    {"qd", "0", TS_ERANGE, "qd must be between 1 and 4096, found '0'"},
    {"qd", "5000", TS_ERANGE, "qd must be between 1 and 4096, found '5000'"},
    {"qd", "eight", TS_EPARSE, "found 'eight'"},
    {"threads", "2000", TS_ERANGE, "threads must be at most 1024, found '2000'"},
    {"io", "aio", TS_EPARSE, "expected one of auto|uring|threads, found 'aio'"},
    {"fsync", "sometimes", TS_EPARSE, "expected one of never|each|close, found 'sometimes'"},
    {"prealloc", "zero", TS_EPARSE, "expected one of write|fallocate|none, found 'zero'"},
    {"depth", "8", TS_ENOENT, "unknown key 'depth'"},
};

/* Bad parameters are refused with their code and a message naming the value. */
static void test_backend_file_bad_params(void **state)
{
    const char *dir = *state;
    for (size_t i = 0; i < sizeof(k_bad_params) / sizeof(k_bad_params[0]); i++) {
        const struct param_case *pc = &k_bad_params[i];
        ts_err_t err = {0};
        ts_backend_t *b = open_kv(dir, 8192, 4096, &pc->name, &pc->value, 1, &err);
        if (b || err.code != pc->code || !strstr(err.msg, pc->msg))
            fail_msg("%s: %s: code %d, message '%s'", pc->name, pc->value, err.code, err.msg);
    }
}

/* In a child with a private mount namespace: a ramfs (which has no O_DIRECT) on dir/ramfs,
 * the back-end there with O_DIRECT asked for. Exit status: 0 (buffered fallback, same
 * bytes), 77 (no namespace or mount allowed here), 78 (this ramfs takes O_DIRECT), else a
 * failure described on standard error. */
static int ramfs_child(const char *dir)
{
    char map[64];
    unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
    if (unshare(CLONE_NEWNS) != 0) { /* no privilege: a user namespace maps us to root */
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            return 77;
        FILE *f;
        if ((f = fopen("/proc/self/setgroups", "w")))
            fputs("deny", f), fclose(f);
        snprintf(map, sizeof(map), "0 %u 1", uid);
        if (!(f = fopen("/proc/self/uid_map", "w")) || fputs(map, f) < 0 || fclose(f) != 0)
            return 77;
        snprintf(map, sizeof(map), "0 %u 1", gid);
        if (!(f = fopen("/proc/self/gid_map", "w")) || fputs(map, f) < 0 || fclose(f) != 0)
            return 77;
    }
    char sub[1024], probe[1100];
    snprintf(sub, sizeof(sub), "%s/ramfs", dir);
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 || mkdir(sub, 0700) != 0 ||
        mount("tiersim", sub, "ramfs", 0, NULL) != 0)
        return 77;
    snprintf(probe, sizeof(probe), "%s/probe", sub);
    int fd = open(probe, O_RDWR | O_CREAT | O_DIRECT, 0600);
    if (fd >= 0)
        return 78;
    ts_err_t err = {0};
    ts_backend_t *b = open_file(sub, 1 << 20, 8192, "true", NULL, &err);
    if (!b)
        return fprintf(stderr, "open on ramfs: %s\n", err.msg), 1;
    char data[5000], got[5000];
    memset(data, 'R', sizeof(data));
    if (be_io(b, TS_BE_WRITE, 1, data, sizeof(data), &err) != 0 ||
        be_io(b, TS_BE_READ, 1, got, sizeof(got), &err) != 0)
        return fprintf(stderr, "I/O on ramfs: %s\n", err.msg), 2;
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    if (st.direct || memcmp(got, data, sizeof(data)) != 0 || st.writes != 1 || st.reads != 1)
        return fprintf(stderr, "ramfs: direct %d, %llu writes, %llu reads\n", (int)st.direct,
                       (unsigned long long)st.writes, (unsigned long long)st.reads),
               3;
    b->ops->close(b);
    return 0;
}

/* A file system that refuses O_DIRECT: the file is opened buffered, stats say so, and the
 * bytes are the same. */
static void test_backend_file_direct_refused(void **state)
{
    const char *dir = *state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(ramfs_child(dir));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77 || WEXITSTATUS(status) == 78) {
        print_message("[ NOTE     ] not run: %s\n",
                      WEXITSTATUS(status) == 77
                          ? "no private mount namespace with a ramfs allowed here"
                          : "this kernel's ramfs takes O_DIRECT");
        skip();
    }
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A block device is never written unless the user allowed that very device: a node made
 * with mknod (a loop device number; skipped where mknod is not allowed) is refused without
 * raw_device, and with raw_device naming another node; allowed, an empty device (no file
 * attached) is refused for its size, before anything is written. */
static void test_backend_file_block_device_refused_unless_allowed(void **state)
{
    const char *dir = *state;
    char dev[1024], other[1024];
    snprintf(dev, sizeof(dev), "%s/blk", dir);
    snprintf(other, sizeof(other), "%s/blk2", dir);
    if (mknod(dev, S_IFBLK | 0600, makedev(7, 251)) != 0 ||
        mknod(other, S_IFBLK | 0600, makedev(7, 252)) != 0) {
        print_message("[ SKIPPED  ] mknod of a block device is not allowed here (%s)\n",
                      strerror(errno));
        return;
    }
    const char *names[] = {"path"}, *values[] = {dev};
    ts_err_t err = {0};
    assert_null(open_kv(dir, 1 << 20, 4096, names, values, 1, &err));
    assert_int_equal(err.code, TS_EIO);
    assert_non_null(strstr(err.msg, "is a block device; live mode erases one only when "
                                    "--allow-raw-device and --i-know-this-erases both name it"));
    const char *const allowed[] = {other, dev};
    for (size_t i = 0; i < 2; i++) {
        const ts_backend_ctx_t ctx = {.tier = "nvme", .capacity = 1 << 20, .max_object = 4096,
                                      .raw_device = allowed[i]};
        ts_backend_t *b = NULL;
        ts_err_clear(&err);
        int rc = ts_backend_open_kv(&ts_backend_file, names, values, 1, &ctx, &b, &err);
        assert_null(b);
        if (i == 0) {
            assert_int_equal(rc, TS_EIO);
            assert_non_null(strstr(err.msg, "is a block device"));
        } else { /* allowed: opening a loop device with nothing attached fails, or it
                  * holds 0 bytes */
            assert_true(rc == TS_EIO || rc == TS_ENOSPC);
            assert_true(strstr(err.msg, "cannot open block device") ||
                        strstr(err.msg, "holds 0 bytes"));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backend_file_hand_traced, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_extents_reused, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_safety, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_in_flight, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_fsync_modes, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_prealloc_lays_out_the_capacity,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_bad_params, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_block_device_refused_unless_allowed,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_direct_refused, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
