/* SPDX-License-Identifier: MIT */
/*
 * test_trace_native.c - the native binary format: the on-disk layout byte by byte, round
 * trips of edge values (idle_ns included), files with the older 32-byte records (read with
 * idle_ns = 0) and with longer records (extra bytes skipped), replay after reset, refusal of bad magic / version / truncated or
 * overlong files / bad ops with the record index, atomic writes (nothing left behind on
 * destroy or failure) and TS_ENOMEM from every allocation of open and create.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/util/mem.h"
#include "traces/native.h"
#include "traces/trace.h"

typedef struct fixture {
    char dir[256];  /* a fresh temporary directory */
    char path[512]; /* dir/t.tsim */
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof(f->dir), "%s/ts_native_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/t.tsim", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char p[800];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Entries in the directory other than . and .. */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static const ts_req_t k_edge[] = {
    {0, 0, 0, TS_REQ_NEVER, 0, TS_OP_GET, 0, 0, 0},
    {1, UINT64_MAX, 4096, TS_REQ_NEVER, 1, TS_OP_PUT, TS_REQ_PREFETCH, 0, 0},
    {UINT64_MAX, 0x0123456789abcdefULL, UINT64_MAX, TS_REQ_NEVER, UINT32_MAX, TS_OP_DELETE,
     0xff, 0, UINT64_MAX},
    {1000000000, 42, 0, TS_REQ_NEVER, 7, TS_OP_GET, TS_REQ_CHECKPOINT | TS_REQ_HINT, 0,
     9000000000ULL},
};
#define N_EDGE (sizeof(k_edge) / sizeof(k_edge[0]))

static void write_reqs(const char *path, const ts_req_t *reqs, size_t n)
{
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    assert_int_equal(ts_writer_native.create(path, &w, &err), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ts_writer_native.write(w, &reqs[i], &err), 0);
    assert_int_equal(ts_writer_native.finish(w, &err), 0);
    ts_writer_native.destroy(w);
}

static void assert_req_equal(const ts_req_t *a, const ts_req_t *b)
{
    assert_true(a->time_ns == b->time_ns);
    assert_true(a->key == b->key);
    assert_true(a->size_bytes == b->size_bytes);
    assert_int_equal(a->stream, b->stream);
    assert_int_equal(a->op, b->op);
    assert_int_equal(a->flags, b->flags);
    assert_true(a->idle_ns == b->idle_ns);
    assert_true(b->next_access == TS_REQ_NEVER);
}

static ts_reader_t *open_ok(const char *path)
{
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    const ts_reader_ops_t *fmt = ts_trace_find("native", &err);
    assert_non_null(fmt);
    assert_int_equal(ts_trace_open_path(fmt, path, &r, &err), 0);
    return r;
}

static int open_err(const char *path, ts_err_t *err)
{
    ts_reader_t *r = NULL;
    int rc = ts_trace_open_path(ts_trace_find("native", NULL), path, &r, err);
    assert_null(r);
    return rc;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static unsigned char buf[4096];
    *n = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    return buf;
}

static void spit(const char *path, const unsigned char *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, n, fp), n);
    fclose(fp);
}

/* The layout of docs/trace-format.md, checked byte by byte on a one-record file. */
static void test_native_layout_matches_the_spec(void **state)
{
    fixture_t *f = *state;
    ts_req_t r = {0x0807060504030201ULL, 0x1817161514131211ULL, 0x2827262524232221ULL,
                  TS_REQ_NEVER, 0x34333231u, TS_OP_DELETE, 0x05, 0, 0x4847464544434241ULL};
    write_reqs(f->path, &r, 1);
    size_t n;
    unsigned char *b = slurp(f->path, &n);
    assert_int_equal(n, 64 + 40);
    assert_memory_equal(b, "TSIMTRC\0", 8);
    const unsigned char hdr[] = {1, 0, 64, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0};
    assert_memory_equal(b + 8, hdr, sizeof(hdr));
    for (size_t i = 28; i < 64; i++)
        assert_int_equal(b[i], 0);
    const unsigned char rec[40] = {1,    2,    3,    4,    5,    6,    7,    8,
                                   0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                                   0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
                                   0x31, 0x32, 0x33, 0x34, 2,    5,    0,    0,
                                   0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48};
    assert_memory_equal(b + 64, rec, 40);
}

static void test_native_round_trip_edge_values(void **state)
{
    fixture_t *f = *state;
    write_reqs(f->path, k_edge, N_EDGE);
    ts_reader_t *r = open_ok(f->path);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, N_EDGE);
    ts_err_t err = {0};
    ts_req_t q;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < N_EDGE; i++) {
            assert_int_equal(ts_reader_next(r, &q, &err), 1);
            assert_req_equal(&k_edge[i], &q);
        }
        assert_int_equal(ts_reader_next(r, &q, &err), 0);
        assert_int_equal(ts_reader_next(r, &q, &err), 0);
        assert_int_equal(ts_reader_reset(r, &err), 0);
    }
    ts_reader_close(r);
}

/* More records than one 64 KiB buffer holds (1638 of 40 bytes), so refills and reset cross buffers. */
static void test_native_round_trip_many_records(void **state)
{
    fixture_t *f = *state;
    enum { N = 5000 };
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    assert_int_equal(ts_writer_native.create(f->path, &w, &err), 0);
    for (uint64_t i = 0; i < N; i++) {
        ts_req_t q = {i * 1000, i * 0x9e3779b97f4a7c15ULL, i % 7 * 512, TS_REQ_NEVER,
                      (uint32_t)(i % 3), (uint8_t)(i % 3), (uint8_t)i, 0, 0};
        assert_int_equal(ts_writer_native.write(w, &q, &err), 0);
    }
    assert_int_equal(ts_writer_native.finish(w, &err), 0);
    ts_writer_native.destroy(w);
    ts_reader_t *r = open_ok(f->path);
    for (int pass = 0; pass < 2; pass++) {
        ts_req_t q;
        uint64_t i = 0;
        while (ts_reader_next(r, &q, &err) == 1) {
            assert_true(q.time_ns == i * 1000 && q.key == i * 0x9e3779b97f4a7c15ULL);
            assert_true(q.size_bytes == i % 7 * 512 && q.op == i % 3 && q.flags == (uint8_t)i);
            i++;
        }
        assert_int_equal(err.code, 0);
        assert_int_equal(i, N);
        assert_int_equal(ts_reader_reset(r, &err), 0);
    }
    /* in batches of 333 across the 64 KiB buffer: the same records */
    ts_req_t b[333];
    size_t got;
    uint64_t i = 0;
    while (ts_reader_read(r, b, 333, &got, &err) == 0 && got)
        for (size_t k = 0; k < got; k++, i++)
            assert_true(b[k].time_ns == i * 1000 && b[k].key == i * 0x9e3779b97f4a7c15ULL &&
                        b[k].size_bytes == i % 7 * 512 && b[k].op == i % 3);
    assert_int_equal(i, N);
    ts_reader_close(r);
}

/* Rewrites the records of a file written with 40-byte records at another record size
 * (32: the layout before idle_ns; more: unknown trailing fields filled with 0xEE). */
static void resize_records(const char *path, size_t n_rec, uint32_t size)
{
    size_t n;
    unsigned char *b = slurp(path, &n);
    assert_int_equal(n, 64 + n_rec * 40);
    static unsigned char out[4096];
    assert_true(64 + n_rec * size <= sizeof(out));
    memcpy(out, b, 64);
    out[24] = (unsigned char)size;
    out[25] = (unsigned char)(size >> 8);
    for (size_t i = 0; i < n_rec; i++) {
        unsigned char *o = out + 64 + i * size;
        memset(o, 0xEE, size);
        memcpy(o, b + 64 + i * 40, size < 40 ? size : 40);
    }
    spit(path, out, 64 + n_rec * size);
}

/* Files from before idle_ns (32-byte records) still read, every idle_ns 0; records longer
 * than 40 bytes read idle_ns and skip the rest. */
static void test_native_reads_32_byte_and_longer_records(void **state)
{
    fixture_t *f = *state;
    static const uint32_t sizes[] = {32, 48};
    for (size_t k = 0; k < 2; k++) {
        write_reqs(f->path, k_edge, N_EDGE);
        resize_records(f->path, N_EDGE, sizes[k]);
        ts_reader_t *r = open_ok(f->path);
        ts_err_t err = {0};
        ts_req_t q;
        for (size_t i = 0; i < N_EDGE; i++) {
            assert_int_equal(ts_reader_next(r, &q, &err), 1);
            ts_req_t want = k_edge[i];
            if (sizes[k] == 32)
                want.idle_ns = 0;
            assert_req_equal(&want, &q);
        }
        assert_int_equal(ts_reader_next(r, &q, &err), 0);
        ts_reader_close(r);
    }
}

static void test_native_empty_trace(void **state)
{
    fixture_t *f = *state;
    write_reqs(f->path, NULL, 0);
    ts_reader_t *r = open_ok(f->path);
    ts_err_t err = {0};
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    ts_reader_close(r);
}

/* Writes a valid 4-record file, applies an edit to its bytes, and expects open to fail. */
struct bad_case {
    const char *name;
    size_t offset;     /* byte to change (unless truncating) */
    unsigned char val; /* new value */
    long new_len;      /* > 0: cut or extend the file to this length; -1: empty it */
    int code;          /* expected code */
    const char *msg;   /* expected substring of the message */
    const char *where; /* expected substring of where, or NULL */
};

static const struct bad_case k_bad[] = {
    {"bad magic", 0, 'X', 0, TS_EFORMAT, "bad magic", NULL},
    {"newer version", 8, 2, 0, TS_EUNSUPPORTED, "version 2", NULL},
    {"version 0", 8, 0, 0, TS_EUNSUPPORTED, "version 0", NULL},
    {"small header size", 10, 16, 0, TS_EFORMAT, "header size 16", NULL},
    {"unknown flag", 12, 1, 0, TS_EUNSUPPORTED, "flags", NULL},
    {"small record size", 24, 16, 0, TS_EFORMAT, "record size 16", NULL},
    {"truncated mid-record", 0, 0, 64 + 2 * 40 + 10, TS_EFORMAT, "truncated", "record 2"},
    {"truncated at a record boundary", 0, 0, 64 + 3 * 40, TS_EFORMAT, "holds 3", "record 3"},
    {"truncated header", 0, 0, 20, TS_EFORMAT, "truncated header", NULL},
    {"empty file", 0, 0, -1, TS_EFORMAT, "empty file", NULL},
    {"trailing bytes", 0, 0, 64 + 4 * 40 + 5, TS_EFORMAT, "5 unexpected bytes", NULL},
};

static void test_native_refuses_bad_files(void **state)
{
    fixture_t *f = *state;
    for (size_t c = 0; c < sizeof(k_bad) / sizeof(k_bad[0]); c++) {
        const struct bad_case *bc = &k_bad[c];
        print_message("case: %s\n", bc->name);
        write_reqs(f->path, k_edge, N_EDGE);
        size_t n;
        unsigned char *b = slurp(f->path, &n);
        if (bc->new_len < 0) {
            n = 0;
        } else if (bc->new_len > 0) {
            if ((size_t)bc->new_len > n)
                memset(b + n, 0, (size_t)bc->new_len - n);
            n = (size_t)bc->new_len;
        } else {
            b[bc->offset] = bc->val;
        }
        spit(f->path, b, n);
        ts_err_t err = {0};
        assert_int_equal(open_err(f->path, &err), bc->code);
        assert_non_null(strstr(err.msg, bc->msg));
        assert_non_null(strstr(err.where, f->path));
        if (bc->where)
            assert_non_null(strstr(err.where, bc->where));
    }
}

static void test_native_bad_op_names_the_record(void **state)
{
    fixture_t *f = *state;
    write_reqs(f->path, k_edge, N_EDGE);
    size_t n;
    unsigned char *b = slurp(f->path, &n);
    b[64 + 2 * 40 + 28] = 9; /* record 2's op */
    spit(f->path, b, n);
    ts_reader_t *r = open_ok(f->path);
    ts_err_t err = {0};
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_int_equal(ts_reader_next(r, &q, &err), TS_EFORMAT);
    assert_non_null(strstr(err.where, "record 2"));
    assert_non_null(strstr(err.msg, "op 9"));
    /* a batch gives the two records before it, then the same error */
    ts_err_t e2 = {0};
    ts_req_t batch[8];
    size_t got;
    assert_int_equal(ts_reader_reset(r, &e2), 0);
    assert_int_equal(ts_reader_read(r, batch, 8, &got, &e2), TS_EFORMAT);
    assert_int_equal(got, 2);
    assert_string_equal(e2.where, err.where);
    ts_reader_close(r);
}

/* A version-1 file streams from a pipe: open needs no seek. */
static void test_native_reads_from_a_pipe(void **state)
{
    fixture_t *f = *state;
    write_reqs(f->path, k_edge, N_EDGE);
    size_t n;
    unsigned char *b = slurp(f->path, &n);
    char fifo[600];
    snprintf(fifo, sizeof(fifo), "%s/fifo", f->dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *fp = fopen(fifo, "wb");
        size_t k = fp ? fwrite(b, 1, n, fp) : 0;
        _exit(fp && fclose(fp) == 0 && k == n ? 0 : 1);
    }
    ts_reader_t *r = open_ok(fifo);
    ts_err_t err = {0};
    ts_req_t q;
    for (size_t i = 0; i < N_EDGE; i++) {
        assert_int_equal(ts_reader_next(r, &q, &err), 1);
        assert_req_equal(&k_edge[i], &q);
    }
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    ts_reader_close(r);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_native_missing_file(void **state)
{
    fixture_t *f = *state;
    ts_err_t err = {0};
    assert_int_equal(open_err(f->path, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "t.tsim"));
}

static void test_native_destroy_without_finish_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    assert_int_equal(ts_writer_native.create(f->path, &w, &err), 0);
    assert_int_equal(dir_entries(f->dir), 1); /* the temporary file */
    for (size_t i = 0; i < N_EDGE; i++)
        assert_int_equal(ts_writer_native.write(w, &k_edge[i], &err), 0);
    ts_writer_native.destroy(w);
    assert_int_equal(dir_entries(f->dir), 0);
    ts_writer_native.destroy(NULL);
}

static void test_native_finish_replaces_atomically(void **state)
{
    fixture_t *f = *state;
    write_reqs(f->path, k_edge, N_EDGE);
    write_reqs(f->path, k_edge, 1); /* overwrite: the rename replaces the old file */
    assert_int_equal(dir_entries(f->dir), 1);
    ts_reader_t *r = open_ok(f->path);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, 1);
    ts_reader_close(r);
}

static void test_native_write_misuse(void **state)
{
    fixture_t *f = *state;
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    assert_int_equal(ts_writer_native.create(f->path, &w, &err), 0);
    ts_req_t bad = k_edge[0];
    bad.op = TS_OP_COUNT_;
    assert_int_equal(ts_writer_native.write(w, &bad, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "op 3"));
    assert_int_equal(ts_writer_native.finish(w, &err), 0);
    ts_err_clear(&err);
    assert_int_equal(ts_writer_native.write(w, &k_edge[0], &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "finished"));
    ts_writer_native.destroy(w);
    assert_int_equal(dir_entries(f->dir), 1);
}

static void test_native_missing_directory(void **state)
{
    fixture_t *f = *state;
    char path[600];
    snprintf(path, sizeof(path), "%s/no/such/dir/t.tsim", f->dir);
    ts_err_t err = {0};
    ts_writer_t *w = (ts_writer_t *)&err;
    assert_int_equal(ts_writer_native.create(path, &w, &err), TS_ENOENT);
    assert_null(w);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(dir_entries(f->dir), 0);
}

/* A write that fails (file size limit) reports the path and leaves nothing behind. */
static void test_native_write_error_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {100 * 1024, old.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    int rc = ts_writer_native.create(f->path, &w, &err);
    for (int i = 0; rc == 0 && i < 10000; i++)
        rc = ts_writer_native.write(w, &k_edge[i % N_EDGE], &err);
    if (rc == 0)
        rc = ts_writer_native.finish(w, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, TS_EIO);
    assert_non_null(strstr(err.msg, f->path));
    assert_int_equal(ts_writer_native.finish(w, &err), TS_EINVAL);
    ts_writer_native.destroy(w);
    assert_int_equal(dir_entries(f->dir), 0);
}

static void test_native_open_oom(void **state)
{
    fixture_t *f = *state;
    write_reqs(f->path, k_edge, N_EDGE);
    const ts_reader_ops_t *fmt = ts_trace_find("native", NULL);
    for (long n = 0;; n++) {
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        ts_mem_fail_after(n);
        int rc = ts_trace_open_path(fmt, f->path, &r, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            assert_true(n > 0);
            ts_reader_close(r);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(r);
        assert_true(n < 100);
    }
}

static void test_native_create_oom(void **state)
{
    fixture_t *f = *state;
    for (long n = 0;; n++) {
        ts_err_t err = {0};
        ts_writer_t *w = NULL;
        ts_mem_fail_after(n);
        int rc = ts_writer_native.create(f->path, &w, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            assert_true(n > 0);
            ts_writer_native.destroy(w);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(w);
        assert_int_equal(dir_entries(f->dir), 0);
        assert_true(n < 100);
    }
    assert_int_equal(dir_entries(f->dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_native_layout_matches_the_spec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_round_trip_edge_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_round_trip_many_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_reads_32_byte_and_longer_records, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_native_empty_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_refuses_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_bad_op_names_the_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_reads_from_a_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_destroy_without_finish_leaves_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_finish_replaces_atomically, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_native_write_misuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_write_error_leaves_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_native_open_oom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_create_oom, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
