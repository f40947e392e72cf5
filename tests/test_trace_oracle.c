/* SPDX-License-Identifier: MIT */
/*
 * test_trace_oracle.c - libCacheSim's oracleGeneral format: the reader against bytes laid
 * out by hand, the writer's next-access field against a hand trace, zstd in both
 * directions, and the errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include <cmocka.h>

#include "traces/trace.h"

typedef struct fixture {
    char dir[256];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "%s/oracle-XXXXXX", TS_BINARY_DIR);
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void record(unsigned char *p, uint32_t t, uint64_t id, uint32_t size, int64_t next)
{
    put_le(p, t, 4);
    put_le(p + 4, id, 8);
    put_le(p + 12, size, 4);
    put_le(p + 16, (uint64_t)next, 8);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char *buf = malloc(1 << 20);
    *n = fread(buf, 1, 1 << 20, fp);
    fclose(fp);
    return buf;
}

static const ts_reader_ops_t *fmt(void)
{
    const ts_reader_ops_t *f = ts_trace_find("oracle_general", NULL);
    assert_non_null(f);
    return f;
}

static ts_reader_t *open_kv(const char *path, const char *skip, ts_err_t *err, int *rc)
{
    const char *names[] = {"path", "skip_zero_size"};
    const char *values[] = {path, skip};
    ts_reader_t *r = NULL;
    *rc = ts_reader_open_kv(fmt(), names, values, skip ? 2 : 1, NULL, &r, err);
    return r;
}

/* Three records laid out by hand, the second of size 0: skipped by default, kept when
 * asked; times are seconds on the file, ns in tiersim. */
static void test_oracle_reads_hand_records(void **state)
{
    fixture_t *f = *state;
    unsigned char bytes[3 * 24];
    record(bytes, 7, 0x1122334455667788ull, 4096, 3);
    record(bytes + 24, 8, 42, 0, -1);
    record(bytes + 48, 4000000000u, 0x1122334455667788ull, 100, -1);
    char path[400];
    snprintf(path, sizeof(path), "%s/a.oracleGeneral", f->dir);
    write_file(path, bytes, sizeof(bytes));
    assert_ptr_equal(ts_trace_guess(path), fmt());
    ts_err_t err = {0};
    int rc;
    ts_reader_t *r = open_kv(path, NULL, &err, &rc);
    assert_int_equal(rc, 0);
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_true(q.time_ns == 7000000000ull && q.key == 0x1122334455667788ull &&
                q.size_bytes == 4096 && q.op == TS_OP_GET);
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_true(q.time_ns == 4000000000ull * 1000000000ull && q.size_bytes == 100);
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    assert_int_equal(ts_reader_reset(r, &err), 0);
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_true(q.size_bytes == 4096);
    ts_reader_close(r);

    r = open_kv(path, "false", &err, &rc);
    assert_int_equal(rc, 0);
    int n = 0;
    while (ts_reader_next(r, &q, &err) == 1)
        n++;
    assert_int_equal(n, 3);
    ts_reader_close(r);
}

/* A file that ends inside a record gives the whole records first, then names the cut one. */
static void test_oracle_truncated_record_is_named(void **state)
{
    fixture_t *f = *state;
    unsigned char bytes[24 + 10];
    record(bytes, 1, 2, 3, -1);
    memset(bytes + 24, 0, 10);
    char path[400];
    snprintf(path, sizeof(path), "%s/t.oracleGeneral", f->dir);
    write_file(path, bytes, sizeof(bytes));
    ts_err_t err = {0};
    int rc;
    ts_reader_t *r = open_kv(path, NULL, &err, &rc);
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_int_equal(q.key, 2);
    assert_int_equal(ts_reader_next(r, &q, &err), TS_EFORMAT);
    assert_non_null(strstr(err.where, "record 1"));
    assert_non_null(strstr(err.msg, "10 of 24 bytes"));
    ts_reader_close(r);
}

/* Batches give what next() gives, across the reader's 4096-record chunks: 10,000 records,
 * records 0, 7, 14, ... of size 0 (skipped), the last cut to 5 bytes; batches of 777
 * return the 8,570 whole records of non-zero size (9,999 whole, 1,429 of them of size 0),
 * then the cut record's error, naming record 9999. */
static void test_oracle_batches_equal_single_reads(void **state)
{
    fixture_t *f = *state;
    enum { N = 10000 };
    unsigned char *bytes = malloc((size_t)N * 24);
    for (uint32_t i = 0; i < N; i++)
        record(bytes + (size_t)i * 24, i / 100, 1000 + i % 997, i % 7 ? 64 + i % 5 : 0, -1);
    char path[400];
    snprintf(path, sizeof(path), "%s/b.oracleGeneral", f->dir);
    write_file(path, bytes, (size_t)(N - 1) * 24 + 5);
    free(bytes);
    ts_err_t err = {0}, err2 = {0};
    int rc;
    ts_reader_t *one = open_kv(path, NULL, &err, &rc), *many = open_kv(path, NULL, &err, &rc);
    assert_non_null(one);
    assert_non_null(many);
    ts_req_t q, batch[777];
    size_t total = 0, got = 0, i = 0;
    for (;;) {
        rc = ts_reader_read(many, batch, 777, &got, &err2);
        for (size_t k = 0; k < got; k++, total++) {
            assert_int_equal(ts_reader_next(one, &q, &err), 1);
            assert_memory_equal(&q, &batch[k], sizeof(q));
        }
        if (rc < 0 || got == 0)
            break;
        i++;
    }
    assert_int_equal(total, 8570);
    assert_int_equal(rc, TS_EFORMAT);
    assert_int_equal(ts_reader_next(one, &q, &err), TS_EFORMAT);
    assert_string_equal(err.where, err2.where);
    assert_non_null(strstr(err2.where, "record 9999"));
    assert_non_null(strstr(err2.msg, "5 of 24 bytes"));
    assert_true(i >= 11);
    ts_reader_close(one);
    ts_reader_close(many);
}

static void write_trace(const char *path, const uint64_t *keys, size_t n)
{
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    assert_int_equal(fmt()->writer->create(path, &w, &err), 0);
    for (size_t i = 0; i < n; i++) {
        ts_req_t q = {.time_ns = i * 1500000000ull, .key = keys[i], .size_bytes = 10 + i,
                      .op = i % 2 ? TS_OP_PUT : TS_OP_GET, .next_access = TS_REQ_NEVER};
        assert_int_equal(fmt()->writer->write(w, &q, &err), 0);
    }
    assert_int_equal(fmt()->writer->finish(w, &err), 0);
    fmt()->writer->destroy(w);
}

/* keys A B A C B: request 0's next is request 2 (1-based 3), request 1's is request 4
 * (1-based 5), the others have none (-1). Times are truncated to whole seconds. */
static void test_oracle_writer_fills_next_access(void **state)
{
    fixture_t *f = *state;
    static const uint64_t keys[] = {0xA, 0xB, 0xA, 0xC, 0xB};
    static const int64_t next[] = {3, 5, -1, -1, -1};
    static const uint32_t secs[] = {0, 1, 3, 4, 6}; /* floor(i * 1.5) */
    char path[400];
    snprintf(path, sizeof(path), "%s/w.oracleGeneral", f->dir);
    write_trace(path, keys, 5);
    size_t n;
    unsigned char *b = read_file(path, &n);
    assert_int_equal(n, 5 * 24);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(get_le(b + 24 * i, 4), secs[i]);
        assert_int_equal(get_le(b + 24 * i + 4, 8), keys[i]);
        assert_int_equal(get_le(b + 24 * i + 12, 4), 10 + i);
        assert_int_equal((int64_t)get_le(b + 24 * i + 16, 8), next[i]);
    }
    free(b);
}

/* A ".zst" name is compressed with zstd: its content decompresses to the plain file's
 * bytes, and the reader streams it back. Across more records than one chunk (4096). */
static void test_oracle_zstd_round_trip(void **state)
{
    fixture_t *f = *state;
    enum { N = 10000 };
    uint64_t *keys = malloc(N * sizeof(*keys));
    for (size_t i = 0; i < N; i++)
        keys[i] = (i * 7919) % 1234;
    char plain[400], zst[400];
    snprintf(plain, sizeof(plain), "%s/r.oracleGeneral", f->dir);
    snprintf(zst, sizeof(zst), "%s/r.oracleGeneral.zst", f->dir);
    write_trace(plain, keys, N);
    write_trace(zst, keys, N);
    assert_ptr_equal(ts_trace_guess(zst), fmt());
    size_t np, nz;
    unsigned char *bp = read_file(plain, &np), *bz = read_file(zst, &nz);
    assert_int_equal(np, (size_t)N * 24);
    assert_true(nz < np && bz[0] == 0x28 && bz[1] == 0xb5 && bz[2] == 0x2f && bz[3] == 0xfd);
    unsigned char *out = malloc(np);
    size_t dn = ZSTD_decompress(out, np, bz, nz);
    assert_false(ZSTD_isError(dn));
    assert_int_equal(dn, np);
    assert_memory_equal(out, bp, np);
    ts_err_t err = {0};
    int rc;
    ts_reader_t *r = open_kv(zst, NULL, &err, &rc);
    assert_int_equal(rc, 0);
    for (int pass = 0; pass < 2; pass++) {
        ts_req_t q;
        size_t i = 0;
        while (ts_reader_next(r, &q, &err) == 1) {
            assert_true(q.key == keys[i] && q.size_bytes == 10 + i);
            i++;
        }
        assert_int_equal(err.code, 0);
        assert_int_equal(i, N);
        assert_int_equal(ts_reader_reset(r, &err), 0);
    }
    ts_reader_close(r);
    /* a damaged stream is an error, not a short trace */
    bz[nz / 2] ^= 0xff;
    write_file(zst, bz, nz);
    r = open_kv(zst, NULL, &err, &rc);
    assert_int_equal(rc, 0);
    ts_req_t q;
    int got;
    while ((got = ts_reader_next(r, &q, &err)) == 1)
        ;
    assert_int_equal(got, TS_EFORMAT);
    assert_non_null(strstr(err.msg, "zstd"));
    ts_reader_close(r);
    /* and so is one cut short */
    write_file(zst, bz, nz / 2);
    r = open_kv(zst, NULL, &err, &rc);
    while ((got = ts_reader_next(r, &q, &err)) == 1)
        ;
    assert_int_equal(got, TS_EFORMAT);
    ts_reader_close(r);
    free(out);
    free(bp);
    free(bz);
    free(keys);
}

/* What the format cannot hold is refused, naming the record; a failed writer leaves no
 * file behind, nor does one whose directory does not exist. */
static void test_oracle_writer_refuses_and_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    char path[400];
    snprintf(path, sizeof(path), "%s/bad.oracleGeneral", f->dir);
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    assert_int_equal(fmt()->writer->create(path, &w, &err), 0);
    ts_req_t q = {.key = 1, .size_bytes = 1, .op = TS_OP_GET};
    assert_int_equal(fmt()->writer->write(w, &q, &err), 0);
    q.op = TS_OP_DELETE;
    assert_int_equal(fmt()->writer->write(w, &q, &err), TS_EUNSUPPORTED);
    assert_non_null(strstr(err.where, "record 1"));
    assert_non_null(strstr(err.msg, "no deletes"));
    q.op = TS_OP_GET;
    q.size_bytes = 1ull << 32;
    assert_int_equal(fmt()->writer->write(w, &q, &err), TS_ERANGE);
    q.size_bytes = 1;
    q.time_ns = (1ull << 32) * 1000000000ull;
    assert_int_equal(fmt()->writer->write(w, &q, &err), TS_ERANGE);
    fmt()->writer->destroy(w); /* without finish: nothing is left */
    assert_int_equal(access(path, F_OK), -1);
    char cmd[500];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", f->dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/no/such/dir/x.oracleGeneral.zst", f->dir);
    assert_int_equal(fmt()->writer->create(path, &w, &err), TS_ENOENT);
    assert_null(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_oracle_reads_hand_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oracle_truncated_record_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oracle_batches_equal_single_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oracle_writer_fills_next_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oracle_zstd_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oracle_writer_refuses_and_leaves_nothing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
