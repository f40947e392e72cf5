/* SPDX-License-Identifier: MIT */
/*
 * test_trace_registry.c - the trace format registry: its checks pass, lookup by exact name
 * with a "did you mean" for typos, format guessing by magic bytes before extension, and a
 * write-then-read round trip through every format that has a writer.
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
#include <unistd.h>

#include "traces/trace.h"

typedef struct fixture {
    char dir[256]; /* a fresh temporary directory */
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof(f->dir), "%s/ts_reg_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    static const char *const names[] = {"a.dat", "b.CSV", "c.tsim", "d.bin", "rt"};
    char p[400];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", f->dir, names[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_trace_registry_check_and_find(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_registry_check(&ts_formats, &err), 0);
    assert_int_equal(ts_registry_count(&ts_formats), 9);
    for (size_t i = 0; i < ts_registry_count(&ts_formats); i++) {
        const ts_reader_ops_t *f = ts_reader_ops_of(ts_registry_at(&ts_formats, i));
        assert_ptr_equal(ts_trace_find(f->base.name, NULL), f);
        assert_int_equal(f->base.kind, TS_PLUGIN_FORMAT);
    }
    assert_null(ts_registry_at(&ts_formats, ts_registry_count(&ts_formats)));
    assert_null(ts_trace_find("natve", &err));
    assert_int_equal(err.code, TS_ENOENT);
    assert_non_null(strstr(err.msg, "did you mean 'native'"));
    ts_err_clear(&err);
    assert_null(ts_trace_find("parquet", &err));
    assert_non_null(strstr(err.msg, "expected one of: agent_sessions, bailian, csv, hdf5, mooncake, msr, native, oracle_general, twitter"));
}

static void write_native(const char *path, uint64_t n)
{
    const ts_reader_ops_t *fmt = ts_trace_find("native", NULL);
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    assert_int_equal(fmt->writer->create(path, &w, &err), 0);
    for (uint64_t i = 0; i < n; i++) {
        ts_req_t q = {i, i * 7, 100 + i, TS_REQ_NEVER, 0, TS_OP_GET, 0, 0, 0};
        assert_int_equal(fmt->writer->write(w, &q, &err), 0);
    }
    assert_int_equal(fmt->writer->finish(w, &err), 0);
    fmt->writer->destroy(w);
}

static void test_trace_guess(void **state)
{
    fixture_t *f = *state;
    char p[400];
    snprintf(p, sizeof(p), "%s/a.dat", f->dir); /* native content, unknown extension */
    write_native(p, 3);
    assert_string_equal(ts_trace_guess(p)->base.name, "native");
    snprintf(p, sizeof(p), "%s/b.CSV", f->dir); /* extension, any case */
    FILE *fp = fopen(p, "w");
    fputs("0,1,2\n", fp);
    fclose(fp);
    assert_string_equal(ts_trace_guess(p)->base.name, "csv");
    snprintf(p, sizeof(p), "%s/c.tsim", f->dir); /* missing file: the extension decides */
    assert_string_equal(ts_trace_guess(p)->base.name, "native");
    snprintf(p, sizeof(p), "%s/d.bin", f->dir);
    fp = fopen(p, "w");
    fputs("TSIMTRX", fp);
    fclose(fp);
    assert_null(ts_trace_guess(p));
}

/* Every writable format reads back what it wrote: the native format every field, the
 * oracleGeneral format what it can hold (time in whole seconds, key, size; no op, stream
 * or flags), so its requests here are gets with sizes above 0 at whole seconds. */
static void test_trace_round_trip_every_writer(void **state)
{
    fixture_t *f = *state;
    char p[400];
    snprintf(p, sizeof(p), "%s/rt", f->dir);
    for (size_t i = 0; i < ts_registry_count(&ts_formats); i++) {
        const ts_reader_ops_t *fmt = ts_reader_ops_of(ts_registry_at(&ts_formats, i));
        if (!fmt->writer)
            continue;
        ts_err_t err = {0};
        ts_writer_t *w = NULL;
        bool full = strcmp(fmt->base.name, "native") == 0 || strcmp(fmt->base.name, "hdf5") == 0;
        assert_int_equal(fmt->writer->create(p, &w, &err), 0);
        for (uint64_t k = 0; k < 100; k++) {
            ts_req_t q = {k * 3 * 1000000000ull, k ^ 0xabc, k % 5 * 1000 + 1, TS_REQ_NEVER, 0,
                          TS_OP_GET, 0, 0, 0};
            if (full) {
                q.stream = (uint32_t)k % 4;
                q.op = (uint8_t)(k % 3);
                q.flags = (uint8_t)(k % 2);
            }
            assert_int_equal(fmt->writer->write(w, &q, &err), 0);
        }
        assert_int_equal(fmt->writer->finish(w, &err), 0);
        fmt->writer->destroy(w);
        ts_reader_t *r = NULL;
        assert_int_equal(ts_trace_open_path(fmt, p, &r, &err), 0);
        ts_req_t q;
        uint64_t k = 0;
        while (ts_reader_next(r, &q, &err) == 1) {
            assert_true(q.time_ns == k * 3 * 1000000000ull && q.key == (k ^ 0xabc) &&
                        q.size_bytes == k % 5 * 1000 + 1);
            if (full)
                assert_true(q.stream == k % 4 && q.op == k % 3 && q.flags == k % 2);
            k++;
        }
        assert_int_equal(err.code, 0);
        assert_int_equal(k, 100);
        ts_reader_close(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_registry_check_and_find),
        cmocka_unit_test_setup_teardown(test_trace_guess, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_round_trip_every_writer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
