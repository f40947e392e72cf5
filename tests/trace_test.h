/* SPDX-License-Identifier: MIT */
/*
 * trace_test.h - helpers for the trace-format tests (test_trace_*.c): a scratch directory
 * under the build tree, files written into it, a reader opened by format name with
 * name=value parameters, and a reader drained to its end.
 */
#ifndef TS_TESTS_TRACE_TEST_H
#define TS_TESTS_TRACE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "traces/trace.h"

static char g_dir[256]; /* the scratch directory of the running group */

/* Group setup: a fresh directory <build>/trace-XXXXXX. */
static int trace_test_setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof(g_dir), "%s/trace-XXXXXX", TS_BINARY_DIR);
    return mkdtemp(g_dir) ? 0 : -1;
}

/* Group teardown: removes the directory and everything in it. */
static int trace_test_teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes n bytes to g_dir/name; path (400 bytes) receives its name. */
static inline void trace_test_put(const char *name, const void *data, size_t n, char *path)
{
    snprintf(path, 400, "%s/%s", g_dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

/* Opens the reader of format on path with n more name=value parameters; asserts success. */
static inline ts_reader_t *trace_test_open(const char *format, const char *path,
                                           const char *const *names,
                                           const char *const *values, size_t n, ts_err_t *err)
{
    const char *nn[8] = {"path"}, *vv[8] = {path};
    assert_true(n < 8);
    for (size_t i = 0; i < n; i++) {
        nn[i + 1] = names[i];
        vv[i + 1] = values[i];
    }
    const ts_reader_ops_t *f = ts_trace_find(format, err);
    assert_non_null(f);
    ts_reader_t *r = NULL;
    assert_int_equal(ts_reader_open_kv(f, nn, vv, n + 1, NULL, &r, err), 0);
    return r;
}

/* Reads r to its end or its first error: 0 or that error. */
static inline int trace_test_drain(ts_reader_t *r, ts_err_t *err)
{
    ts_req_t q;
    int rc;
    while ((rc = ts_reader_next(r, &q, err)) == 1)
        ;
    return rc;
}

/* A text that must fail with TS_EFORMAT, where containing `where` and a message containing
 * `msg`. */
typedef struct trace_test_bad {
    const char *text;
    const char *where;
    const char *msg;
} trace_test_bad_t;

/* Runs every bad case through the reader of format (with n more parameters). */
static inline void trace_test_bad_cases(const char *format, const trace_test_bad_t *cases,
                                        size_t n_cases, const char *const *names,
                                        const char *const *values, size_t n)
{
    for (size_t i = 0; i < n_cases; i++) {
        char path[400];
        trace_test_put("bad", cases[i].text, strlen(cases[i].text), path);
        ts_err_t err = {0};
        ts_reader_t *r = trace_test_open(format, path, names, values, n, &err);
        int rc = trace_test_drain(r, &err);
        if (rc != TS_EFORMAT || !strstr(err.where, cases[i].where) ||
            !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: rc %d where '%s' msg '%s'", i, rc, err.where, err.msg);
        ts_reader_close(r);
    }
}

#endif
