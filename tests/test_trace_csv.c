/* SPDX-License-Identifier: MIT */
/*
 * test_trace_csv.c - the CSV reader: column mapping, header, separators, quoting, op
 * names, time units, key hashing, defaults for absent columns, skipped blank and comment
 * lines, replay after reset, and errors that name file:line, the column and what was found.
 * Fixtures are written at test time into a fresh temporary directory.
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

#include "sim/util/ktab.h"
#include "sim/util/mem.h"
#include "traces/trace.h"

typedef struct fixture {
    char dir[256];  /* a fresh temporary directory */
    char path[512]; /* dir/requests.csv */
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof(f->dir), "%s/ts_csv_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/requests.csv", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void put_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Opens f->path with the csv reader and n extra name=value pairs ("name=value"). */
static int csv_open(fixture_t *f, const char *const *kv, size_t n, ts_reader_t **r,
                    ts_err_t *err)
{
    const char *names[16], *values[16];
    char buf[16][64];
    names[0] = "path";
    values[0] = f->path;
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], sizeof(buf[i]), "%s", kv[i]);
        char *eq = strchr(buf[i], '=');
        assert_non_null(eq);
        *eq = 0;
        names[i + 1] = buf[i];
        values[i + 1] = eq + 1;
    }
    const ts_reader_ops_t *fmt = ts_trace_find("csv", err);
    assert_non_null(fmt);
    return ts_reader_open_kv(fmt, names, values, n + 1, NULL, r, err);
}

static ts_reader_t *csv_open_ok(fixture_t *f, const char *text, const char *const *kv,
                                size_t n)
{
    put_file(f->path, text);
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    int rc = csv_open(f, kv, n, &r, &err);
    if (rc)
        print_error("open: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return r;
}

static void next_ok(ts_reader_t *r, ts_req_t *q)
{
    ts_err_t err = {0};
    int rc = ts_reader_next(r, q, &err);
    if (rc != 1)
        print_error("next: %s: %s\n", err.where, err.msg);
    assert_int_equal(rc, 1);
    assert_true(q->next_access == TS_REQ_NEVER);
}

static void next_end(ts_reader_t *r)
{
    ts_err_t err = {0};
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
}

static void test_csv_default_columns(void **state)
{
    ts_reader_t *r = csv_open_ok(*state, "0,1,100\n1.5,2,200\n2,18446744073709551615,0", NULL, 0);
    ts_req_t q;
    next_ok(r, &q);
    assert_true(q.time_ns == 0 && q.key == 1 && q.size_bytes == 100);
    assert_int_equal(q.op, TS_OP_GET);
    assert_int_equal(q.stream, 0);
    next_ok(r, &q);
    assert_true(q.time_ns == 1500000000ULL && q.key == 2 && q.size_bytes == 200);
    next_ok(r, &q); /* last line without a newline */
    assert_true(q.time_ns == 2000000000ULL && q.key == UINT64_MAX && q.size_bytes == 0);
    next_end(r);
    ts_reader_close(r);
}

static void test_csv_mapping_header_sep_and_reset(void **state)
{
    static const char *const kv[] = {"columns.time=3", "columns.key=2", "columns.size=1",
                                     "columns.op=0",   "columns.stream=4", "header=true",
                                     "sep=;",          "time_unit=ms"};
    const char *text = "# exported by hand\n"
                       "op;size;key;ts;tenant\n"
                       "\n"
                       "PUT ; 4KiB ; 77 ; 12.5 ; 3\r\n"
                       "  # an indented comment\n"
                       "get;512;78;13;4294967295\n";
    ts_reader_t *r = csv_open_ok(*state, text, kv, 8);
    for (int pass = 0; pass < 2; pass++) {
        ts_req_t q;
        next_ok(r, &q);
        assert_int_equal(q.op, TS_OP_PUT);
        assert_true(q.size_bytes == 4096 && q.key == 77 && q.time_ns == 12500000ULL);
        assert_int_equal(q.stream, 3);
        next_ok(r, &q);
        assert_int_equal(q.op, TS_OP_GET);
        assert_true(q.size_bytes == 512 && q.key == 78 && q.time_ns == 13000000ULL);
        assert_int_equal(q.stream, UINT32_MAX);
        next_end(r);
        ts_err_t err = {0};
        assert_int_equal(ts_reader_reset(r, &err), 0);
    }
    ts_reader_close(r);
}

static void test_csv_tab_separator_and_quotes(void **state)
{
    static const char *const kv[] = {"sep=\\t", "columns.op=3"};
    /* A quoted key may hold the separator; "" inside quotes is one quote. */
    const char *text = "1\t\"5\"\t\"20\"\tW\n"
                       "2\t\"a\tb\"\t 30 \tr\n"
                       "3\t\"a\tb\"\t\"1\"\"0\"\tr\n";
    ts_reader_t *r = csv_open_ok(*state, text, kv, 2);
    ts_req_t q, q2;
    next_ok(r, &q);
    assert_true(q.time_ns == 1000000000ULL && q.key == 5 && q.size_bytes == 20);
    assert_int_equal(q.op, TS_OP_PUT);
    next_ok(r, &q);
    assert_true(q.time_ns == 2000000000ULL && q.size_bytes == 30);
    assert_int_equal(q.op, TS_OP_GET);
    ts_err_t err = {0};
    assert_int_equal(ts_reader_next(r, &q2, &err), TS_EFORMAT);
    assert_non_null(strstr(err.where, "requests.csv:3"));
    assert_non_null(strstr(err.msg, "column 2 (size): expected a size, found '1\"0'"));
    ts_reader_close(r);
}

static void test_csv_op_names(void **state)
{
    static const struct {
        const char *name;
        int op;
    } cases[] = {{"get", TS_OP_GET},       {"READ", TS_OP_GET},     {"r", TS_OP_GET},
                 {"Put", TS_OP_PUT},       {"set", TS_OP_PUT},      {"Write", TS_OP_PUT},
                 {"W", TS_OP_PUT},         {"delete", TS_OP_DELETE}, {"DEL", TS_OP_DELETE},
                 {"d", TS_OP_DELETE}};
    char text[512] = "";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof(text) - n, "%zu,%zu,1,%s\n", i, i, cases[i].name);
    }
    static const char *const kv[] = {"columns.op=3"};
    ts_reader_t *r = csv_open_ok(*state, text, kv, 1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_req_t q;
        next_ok(r, &q);
        if (q.op != cases[i].op)
            print_error("case: %s\n", cases[i].name);
        assert_int_equal(q.op, cases[i].op);
    }
    next_end(r);
    ts_reader_close(r);
}

static void test_csv_time_units(void **state)
{
    static const struct {
        const char *unit, *value;
        uint64_t ns;
    } cases[] = {
        {"ns", "7", 7},
        {"ns", "7.9", 7}, /* below 1 ns: truncated */
        {"us", "1", 1000},
        {"us", "0.5", 500},
        {"us", ".25", 250},
        {"ms", "2.000001", 2000001},
        {"s", "1", 1000000000ULL},
        {"s", "0.000000001", 1},
        {"s", "1.0000000009", 1000000000ULL},
        {"s", "18446744073", 18446744073000000000ULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s %s\n", cases[i].value, cases[i].unit);
        char text[64], unit[32];
        snprintf(text, sizeof(text), "%s,1,1\n", cases[i].value);
        snprintf(unit, sizeof(unit), "time_unit=%s", cases[i].unit);
        const char *kv[] = {unit};
        ts_reader_t *r = csv_open_ok(*state, text, kv, 1);
        ts_req_t q;
        next_ok(r, &q);
        assert_true(q.time_ns == cases[i].ns);
        ts_reader_close(r);
    }
}

static void test_csv_absent_columns_use_defaults(void **state)
{
    static const char *const kv[] = {"columns.time=-1", "columns.key=0", "columns.size=-1",
                                     "default_size=1MiB", "time_unit=us"};
    ts_reader_t *r = csv_open_ok(*state, "5\n6\n7\n", kv, 5);
    for (uint64_t i = 0; i < 3; i++) {
        ts_req_t q;
        next_ok(r, &q);
        assert_true(q.key == 5 + i && q.size_bytes == 1048576 && q.time_ns == i * 1000);
    }
    next_end(r);
    ts_reader_close(r);
}

static void test_csv_key_hashing(void **state)
{
    ts_reader_t *r = csv_open_ok(*state, "0,a,1\n0,b,1\n0,a,1\n0,123,1\n0,-5,1\n", NULL, 0);
    ts_req_t qa, qb, qa2, qn, qm;
    next_ok(r, &qa);
    next_ok(r, &qb);
    next_ok(r, &qa2);
    next_ok(r, &qn);
    next_ok(r, &qm);
    /* FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the published test vector). */
    assert_true(qa.key == ts_hash64(0xaf63dc4c8601ec8cULL));
    assert_true(qa.key == qa2.key && qa.key != qb.key);
    assert_true(qn.key == 123);
    assert_true(qm.key != (uint64_t)-5);
    ts_reader_close(r);

    static const char *const kv[] = {"key_hash=false"};
    put_file(((fixture_t *)*state)->path, "0,1,1\n0,a,1\n");
    ts_err_t err = {0};
    assert_int_equal(csv_open(*state, kv, 1, &r, &err), 0);
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_int_equal(ts_reader_next(r, &q, &err), TS_EFORMAT);
    assert_non_null(strstr(err.where, "requests.csv:2"));
    assert_non_null(strstr(err.msg, "column 1 (key)"));
    assert_non_null(strstr(err.msg, "found 'a'"));
    ts_reader_close(r);
}

struct bad_line {
    const char *name;
    bool has_op;       /* columns.op=3 */
    const char *text;
    const char *where; /* suffix of err.where */
    const char *msg;   /* substring of err.msg */
};

static const struct bad_line k_bad_lines[] = {
    {"size not a number", false, "0,1,1\n# c\n\n0,2,abc\n", "requests.csv:4",
     "column 2 (size): expected a size, found 'abc'"},
    {"missing column", false, "0,1\n", "requests.csv:1", "column 2 (size): missing (the line has 2 "
                                                  "columns)"},
    {"bad op", true, "0,1,1,get\n0,1,1,cas\n", "requests.csv:2",
     "column 3 (op): expected get|read|r|put|set|write|w|delete|del|d, found 'cas'"},
    {"negative time", true, "-1,1,1,get\n", "requests.csv:1",
     "column 0 (time): expected a non-negative time, found '-1'"},
    {"time overflow", true, "18446744074,1,1,get\n", "requests.csv:1", "column 0 (time)"},
    {"empty key", true, "0,,1,get\n", "requests.csv:1", "column 1 (key): empty key"},
    {"unterminated quote", true, "0,\"1,1,get\n", "requests.csv:1", "unterminated quote"},
    {"text after a quote", true, "0,\"1\"x,1,get\n", "requests.csv:1", "after a quoted field"},
};

static void test_csv_bad_lines_name_file_line_and_column(void **state)
{
    fixture_t *f = *state;
    static const char *const kv[] = {"columns.op=3"};
    for (size_t i = 0; i < sizeof(k_bad_lines) / sizeof(k_bad_lines[0]); i++) {
        const struct bad_line *c = &k_bad_lines[i];
        print_message("case: %s\n", c->name);
        put_file(f->path, c->text);
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        assert_int_equal(csv_open(f, kv, c->has_op ? 1 : 0, &r, &err), 0);
        ts_req_t q;
        int rc;
        while ((rc = ts_reader_next(r, &q, &err)) == 1)
            ;
        assert_int_equal(rc, TS_EFORMAT);
        size_t nw = strlen(err.where), ns = strlen(c->where);
        assert_true(nw >= ns);
        assert_string_equal(err.where + nw - ns, c->where);
        assert_non_null(strstr(err.where, f->dir));
        if (!strstr(err.msg, c->msg))
            print_error("got: %s\n", err.msg);
        assert_non_null(strstr(err.msg, c->msg));
        ts_reader_close(r);
    }
}

static void test_csv_bad_params(void **state)
{
    static const struct {
        const char *kv;
        int code;
        const char *msg;
    } cases[] = {
        {"columns.key=-1", TS_EINVAL, "columns.key is required"},
        {"columns.size=1", TS_EINVAL, "columns.key and columns.size are both column 1"},
        {"sep=ab", TS_EINVAL, "sep must be one character"},
        {"sep=\"", TS_EINVAL, "sep must be one character"},
        {"time_unit=h", TS_EPARSE, "one of ns|us|ms|s"},
        {"columns.time=2000", TS_ERANGE, "columns.time"},
    };
    fixture_t *f = *state;
    put_file(f->path, "0,1,1\n");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s\n", cases[i].kv);
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        const char *kv[] = {cases[i].kv};
        assert_int_equal(csv_open(f, kv, 1, &r, &err), cases[i].code);
        assert_null(r);
        assert_non_null(strstr(err.msg, cases[i].msg));
    }
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    unlink(f->path);
    assert_int_equal(csv_open(f, NULL, 0, &r, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "requests.csv"));
}

/* A line longer than the 64 KiB buffer makes it grow; reading continues after it. */
static void test_csv_long_lines(void **state)
{
    size_t n = 200 * 1024;
    char *text = malloc(n + 64);
    memset(text, ' ', n);
    text[0] = '#';
    snprintf(text + n, 64, "\n1,2,3\n");
    ts_reader_t *r = csv_open_ok(*state, text, NULL, 0);
    free(text);
    ts_req_t q;
    next_ok(r, &q);
    assert_true(q.key == 2 && q.size_bytes == 3);
    next_end(r);
    ts_reader_close(r);
}

static void test_csv_open_oom(void **state)
{
    fixture_t *f = *state;
    put_file(f->path, "0,1,1\n");
    for (long n = 0;; n++) {
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        ts_mem_fail_after(n);
        int rc = csv_open(f, NULL, 0, &r, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            assert_true(n > 0);
            ts_req_t q;
            next_ok(r, &q);
            ts_reader_close(r);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(r);
        assert_true(n < 100);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_default_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_mapping_header_sep_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_tab_separator_and_quotes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_op_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_time_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_absent_columns_use_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_key_hashing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_bad_lines_name_file_line_and_column, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_csv_bad_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_long_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_open_oom, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
