/* SPDX-License-Identifier: MIT */
/*
 * h5_test.h - what the HDF5 results-file tests (test_report_h5*.c) share: the hand trace
 * (CSV, ms, 1000-byte objects; traced by hand in test_report_h5.c) run through one LRU tier
 * of 3 objects by either engine, a results file of its timed run to damage or rewrite
 * (good_file), reading run 0 back and the error expected of it, opening a file for editing
 * with the HDF5 C API, and the check that a result read back is the one written (its JSON
 * document, series, histograms, scenario text and overrides). Header-only, static helpers;
 * the tests run in a scratch directory (scratch_test.h).
 */
#ifndef TS_TESTS_H5_TEST_H
#define TS_TESTS_H5_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hdf5.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/run.h"
#include "app/scenario.h"
#include "reports/h5.h"
#include "reports/report.h"
#include "sim/util/mem.h"

static const char k_trace[] = "0,1,1000\n2,2,1000\n4,1,1000\n12,3,1000\n"
                              "15,1,1000\n18,4,1000\n25,2,1000\n27,1,1000\n";

static inline void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static inline bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* The hand trace's scenario in dir (engine fast or timed), with a 10 ms interval. */
static inline void hand_yaml(const char *dir, const char *engine, char *buf, size_t size)
{
    char trace[1100];
    snprintf(trace, sizeof(trace), "%s/hand.csv", dir);
    if (!exists(trace))
        write_text(trace, k_trace);
    snprintf(buf, size,
             "name: hand trace\n"
             "workload:\n"
             "  trace: {path: %s, format: csv, columns: {time: 0, key: 1, size: 2},\n"
             "          time_unit: ms}\n"
             "tiers:\n"
             "  - {name: dram, capacity: 3, policy: lru, device: ddr5-4800-8ch}\n"
             "engine: %s\n"
             "outputs: {dir: %s/out, interval: 10ms, points: 100}\n",
             trace, engine, dir);
}

/* The hand trace run by engine (override seed=7, so one override is kept) into a new
 * result; its YAML into yaml. Free with drop. */
static inline ts_result_t *hand_run(const char *dir, const char *engine, char *yaml,
                                    size_t size)
{
    hand_yaml(dir, engine, yaml, size);
    const char *ovr[] = {"seed=7"};
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    assert_non_null(res);
    if (ts_scenario_load_string(yaml, "hand.yaml", dir, ovr, 1, &sc, &err) ||
        ts_run(sc, res, &err))
        fail_msg("hand run (%s): %s: %s", engine, err.where, err.msg);
    ts_scenario_destroy(sc);
    return res;
}

static inline void drop(ts_result_t *res)
{
    ts_result_release(res);
    ts_free(res);
}

/* A written hand-trace file at dir/name for the reader tests to damage. */
static inline void good_file(const char *dir, const char *name, char *path, size_t size)
{
    char yaml[4096];
    ts_result_t *res = hand_run(dir, "timed", yaml, sizeof(yaml));
    snprintf(path, size, "%s/%s", dir, name);
    ts_err_t err = {0};
    assert_int_equal(ts_report_h5(res, path, &err), 0);
    drop(res);
}

/* Opens path and reads run 0: the code, with the message in err. */
static inline int read_run0(const char *path, ts_err_t *err)
{
    ts_result_h5_t *f = NULL;
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    assert_non_null(res);
    int rc = ts_result_h5_open(path, &f, err);
    if (rc == 0)
        rc = ts_result_h5_read(f, 0, res, err);
    ts_result_h5_close(f);
    drop(res);
    return rc;
}

static inline void expect_read_error(const char *path, int code, const char *msg)
{
    ts_err_t err = {0};
    int rc = read_run0(path, &err);
    if (rc != code || !strstr(err.msg, msg) || !strstr(err.msg, path))
        fail_msg("%s: got %s \"%s\", expected %s \"%s\"", path, ts_err_name(rc), err.msg,
                 ts_err_name(code), msg);
}

/* Edits a written file with the HDF5 C API. */
static inline hid_t open_rw(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    return f;
}

/* The JSON document of r, or (is_text) its text report; malloc'd. */
static inline char *report_of(const ts_result_t *r, bool is_text)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    ts_err_t err = {0};
    assert_int_equal(is_text ? ts_report_text(r, m, &err) : ts_report_json(r, false, m, &err),
                     0);
    fclose(m);
    return text;
}

static inline char *json_of(const ts_result_t *r)
{
    return report_of(r, false);
}

static inline void assert_lat_equal(const ts_lat_t *a, const ts_lat_t *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->n_buckets, b->n_buckets);
    if (a->n_buckets)
        assert_memory_equal(a->buckets, b->buckets, a->n_buckets * sizeof(*a->buckets));
}

/* What the reader gives back is what was written: the same JSON document (every counter,
 * name and summary), the same series table, histograms, scenario text and overrides. */
static inline void assert_same_result(const ts_result_t *a, const ts_result_t *b)
{
    char *ja = json_of(a), *jb = json_of(b);
    assert_string_equal(ja, jb);
    free(ja);
    free(jb);
    assert_string_equal(a->scenario_yaml, b->scenario_yaml);
    assert_int_equal(a->n_overrides, b->n_overrides);
    for (size_t i = 0; i < a->n_overrides; i++)
        assert_string_equal(a->overrides[i], b->overrides[i]);
    const ts_series_t *sa = a->series, *sb = b->series;
    assert_non_null(sa);
    assert_non_null(sb);
    assert_int_equal(sa->axis, sb->axis);
    assert_int_equal(sa->origin, sb->origin);
    assert_int_equal(sa->interval, sb->interval);
    assert_int_equal(sa->span, sb->span);
    assert_int_equal(sa->n_points, sb->n_points);
    assert_int_equal(sa->n_cols, sb->n_cols);
    assert_memory_equal(sa->v, sb->v, sa->n_points * sa->n_cols * sizeof(uint64_t));
    assert_memory_equal(sa->capacity, sb->capacity, sizeof(sa->capacity));
    assert_int_equal(a->has_timed, b->has_timed);
    if (!a->has_timed)
        return;
    assert_lat_equal(&a->timed.all, &b->timed.all);
    assert_lat_equal(&a->timed.op[0], &b->timed.op[0]);
    assert_lat_equal(&a->timed.op[1], &b->timed.op[1]);
    assert_lat_equal(&a->timed.ttft, &b->timed.ttft);
    for (size_t l = 0; l <= a->n_tiers; l++)
        assert_lat_equal(&a->timed.served[l], &b->timed.served[l]);
}

#endif
