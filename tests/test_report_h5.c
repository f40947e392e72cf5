/* SPDX-License-Identifier: MIT */
/*
 * test_report_h5.c - the HDF5 results file: a hand-traced run is written, then read back
 * with the HDF5 C API and every dataset checked against numbers worked out by hand; the
 * reader gives back what was written (one run and a two-run sweep file); failures (missing
 * directory, a file size limit standing for a full disk, out of memory) leave no file and
 * no temporary file; a file that is not HDF5, not tiersim's, newer, or missing a dataset,
 * a column or an attribute is refused with a message naming the file and the object; a
 * live run's group (the hand-made result of live_result_test.h) holds the comparison worked
 * out by hand and reads back whole: the same JSON, text report and histograms.
 *
 * The hand trace (h5_test.h: CSV, ms, 1000-byte objects) through one LRU tier of 3 objects:
 *   t=0 key 1 miss (used 1)   t=2 key 2 miss (2)   t=4 key 1 hit
 *   t=12 key 3 miss (3)       t=15 key 1 hit       t=18 key 4 miss: evicts 2 (LRU)
 *   t=25 key 2 miss: evicts 3 t=27 key 1 hit
 * In 10 ms intervals from t=0: [0,10) 3 requests, 1 hit, 2 fills (2000 bytes in), none
 * out, used 2; [10,20) 3 requests, 1 hit, 2000 in, 1000 out, used 3; [20,30) 2 requests,
 * 1 hit, 1000 in, 1000 out, used 3. Totals: 8 gets, 3 hits, 5 misses (5 insertions,
 * 2 evictions), 5 requests and 5000 bytes from the backing store, all up the one link.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/h5.h"
#include "reports/report.h"
#include "sim/util/mem.h"
#include "app/run.h"
#include "scratch_test.h"
#include "writer_test.h"
#include "live_result_test.h"
#include "h5_test.h"

#define MS 1000000ull

/* ---- reading with the HDF5 C API ------------------------------------------------------ */

static void attr_str(hid_t obj, const char *name, char *buf, size_t size)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *s = NULL;
    assert_true(H5Aread(a, t, &s) >= 0);
    snprintf(buf, size, "%s", s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
}

static uint64_t attr_u64(hid_t obj, const char *name)
{
    uint64_t v = 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_UINT64, &v) >= 0);
    H5Aclose(a);
    return v;
}

/* Column col of the 1-D compound dataset at path, as u64 (or double) into out (max rows);
 * returns the row count. */
static size_t column(hid_t file, const char *path, const char *col, bool real, void *out,
                     size_t max)
{
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0)
        fail_msg("no dataset %s", path);
    hid_t sp = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, NULL);
    H5Sclose(sp);
    assert_true(n <= max);
    size_t esz = real ? sizeof(double) : sizeof(uint64_t);
    hid_t mt = H5Tcreate(H5T_COMPOUND, esz);
    H5Tinsert(mt, col, 0, real ? H5T_NATIVE_DOUBLE : H5T_NATIVE_UINT64);
    if (n && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
        fail_msg("%s: cannot read column %s", path, col);
    H5Tclose(mt);
    H5Dclose(d);
    return (size_t)n;
}

static uint64_t cell(hid_t file, const char *path, const char *col, size_t row)
{
    uint64_t v[64];
    assert_true(column(file, path, col, false, v, 64) > row);
    return v[row];
}

static void assert_column(hid_t file, const char *path, const char *col, const uint64_t *want,
                          size_t n)
{
    uint64_t got[128];
    size_t k = column(file, path, col, false, got, 128);
    if (k < n)
        fail_msg("%s: %zu rows, expected at least %zu", path, k, n);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("%s.%s[%zu] = %llu, expected %llu", path, col, i,
                     (unsigned long long)got[i], (unsigned long long)want[i]);
}

static void assert_real_column(hid_t file, const char *path, const char *col,
                               const double *want, size_t n)
{
    double got[128];
    assert_true(column(file, path, col, true, got, 128) >= n);
    for (size_t i = 0; i < n; i++)
        if (fabs(got[i] - want[i]) > 1e-12)
            fail_msg("%s.%s[%zu] = %.17g, expected %.17g", path, col, i, got[i], want[i]);
}

/* ---- a hand-traced run, checked dataset by dataset ------------------------------------ */

static void test_report_h5_hand_trace_fast(void **state)
{
    const char *dir = *state;
    char yaml[4096], path[1200], buf[4096];
    ts_result_t *res = hand_run(dir, "fast", yaml, sizeof(yaml));
    snprintf(path, sizeof(path), "%s/r.h5", dir);
    ts_err_t err = {0};
    assert_int_equal(ts_report_h5(res, path, &err), 0);
    size_t n_tmp;
    scratch_count(dir, &n_tmp);
    assert_int_equal(n_tmp, 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    attr_str(f, "format", buf, sizeof(buf));
    assert_string_equal(buf, "tiersim-results");
    attr_str(f, "tiersim_version", buf, sizeof(buf));
    assert_string_equal(buf, TS_VERSION);
    assert_int_equal(attr_u64(f, "schema"), 1);
    assert_int_equal(attr_u64(f, "runs"), 1);

    hid_t run = H5Gopen2(f, "runs/0000", H5P_DEFAULT);
    assert_true(run >= 0);
    attr_str(run, "engine", buf, sizeof(buf));
    assert_string_equal(buf, "fast");
    attr_str(run, "mode", buf, sizeof(buf));
    assert_string_equal(buf, "objects");
    attr_str(run, "name", buf, sizeof(buf));
    assert_string_equal(buf, "hand trace");
    assert_int_equal(attr_u64(run, "seed"), 7);
    H5Gclose(run);

    /* the scenario's text, as given, and the override */
    hid_t y = H5Dopen2(f, "runs/0000/scenario/yaml", H5P_DEFAULT);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    H5Tset_cset(st, H5T_CSET_UTF8);
    char *text = NULL;
    assert_true(H5Dread(y, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0);
    assert_string_equal(text, yaml);
    H5free_memory(text);
    H5Dclose(y);
    hid_t o = H5Dopen2(f, "runs/0000/scenario/overrides", H5P_DEFAULT);
    char *ov[1] = {NULL};
    assert_true(H5Dread(o, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, ov) >= 0);
    assert_string_equal(ov[0], "seed=7");
    H5free_memory(ov[0]);
    H5Dclose(o);
    H5Tclose(st);

    /* the tier table and the totals (see the header) */
    const char *T = "runs/0000/tiers";
    assert_int_equal(cell(f, T, "capacity", 0), 3);
    assert_int_equal(cell(f, T, "requests", 0), 8);
    assert_int_equal(cell(f, T, "hits", 0), 3);
    assert_int_equal(cell(f, T, "misses", 0), 5);
    assert_int_equal(cell(f, T, "insertions", 0), 5);
    assert_int_equal(cell(f, T, "evictions", 0), 2);
    assert_int_equal(cell(f, T, "bytes_in", 0), 5000);
    assert_int_equal(cell(f, T, "bytes_out", 0), 2000);
    assert_int_equal(cell(f, T, "used_peak", 0), 3);
    assert_int_equal(cell(f, T, "objects_end", 0), 3);
    const char *O = "runs/0000/totals";
    assert_int_equal(cell(f, O, "requests", 0), 8);
    assert_int_equal(cell(f, O, "gets", 0), 8);
    assert_int_equal(cell(f, O, "hits", 0), 3);
    assert_int_equal(cell(f, O, "backing_requests", 0), 5);
    assert_int_equal(cell(f, O, "backing_bytes", 0), 5000);
    assert_int_equal(cell(f, O, "last_time_ns", 0), 27 * MS);
    assert_int_equal(cell(f, "runs/0000/hierarchy/links", "transfers_up", 0), 5);
    assert_int_equal(cell(f, "runs/0000/hierarchy/links", "bytes_up", 0), 5000);
    assert_false(H5Lexists(f, "runs/0000/timed", H5P_DEFAULT) > 0);

    /* the series: three whole 10 ms intervals */
    hid_t sg = H5Gopen2(f, "runs/0000/series", H5P_DEFAULT);
    attr_str(sg, "axis", buf, sizeof(buf));
    assert_string_equal(buf, "time");
    assert_int_equal(attr_u64(sg, "interval"), 10 * MS);
    assert_int_equal(attr_u64(sg, "points"), 3);
    assert_int_equal(attr_u64(sg, "span"), 30 * MS);
    assert_int_equal(attr_u64(sg, "origin"), 0);
    H5Gclose(sg);
    const char *S = "runs/0000/series/tiers/dram";
    const uint64_t t[] = {0, 10 * MS, 20 * MS}, dt[] = {10 * MS, 10 * MS, 10 * MS};
    const uint64_t req[] = {3, 3, 2}, hit[] = {1, 1, 1}, in[] = {2000, 2000, 1000};
    const uint64_t out[] = {0, 1000, 1000}, used[] = {2, 3, 3}, bhit[] = {1000, 1000, 1000};
    const double ratio[] = {1.0 / 3, 1.0 / 3, 0.5}, occ[] = {2.0 / 3, 1, 1};
    assert_column(f, S, "t_ns", t, 3);
    assert_column(f, S, "dt_ns", dt, 3);
    assert_column(f, S, "requests", req, 3);
    assert_column(f, S, "hits", hit, 3);
    assert_column(f, S, "bytes_hit", bhit, 3);
    assert_column(f, S, "bytes_in", in, 3);
    assert_column(f, S, "bytes_out", out, 3);
    assert_column(f, S, "used", used, 3);
    assert_real_column(f, S, "hit_ratio", ratio, 3);
    assert_real_column(f, S, "occupancy", occ, 3);
    const uint64_t backing[] = {2, 2, 1};
    assert_column(f, "runs/0000/series/total", "requests", req, 3);
    assert_column(f, "runs/0000/series/total", "backing_requests", backing, 3);
    assert_real_column(f, "runs/0000/series/total", "hit_ratio", ratio, 3);
    H5Fclose(f);
    drop(res);
}

/* The timed engine issues each request at its trace time, so the tier sees the same three
 * intervals; the run ends when the last read from the backing store completes, so more
 * intervals may follow, with no request. Every get has one latency: each histogram's
 * counts add up to its requests (8 in all, 3 served by dram, 5 by the backing store). */
static void test_report_h5_hand_trace_timed_histograms(void **state)
{
    const char *dir = *state;
    char yaml[4096], path[1200];
    ts_result_t *res = hand_run(dir, "timed", yaml, sizeof(yaml));
    snprintf(path, sizeof(path), "%s/t.h5", dir);
    ts_err_t err = {0};
    assert_int_equal(ts_report_h5(res, path, &err), 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    static const struct {
        const char *name;
        uint64_t n;
    } hists[] = {{"all", 8}, {"get", 8}, {"put", 0}, {"get@dram", 3}, {"get@backing", 5}};
    for (size_t i = 0; i < sizeof(hists) / sizeof(hists[0]); i++) {
        char p[128];
        snprintf(p, sizeof(p), "runs/0000/timed/hist/%s", hists[i].name);
        uint64_t lo[64], hi[64], count[64];
        size_t n = column(f, p, "count", false, count, 64);
        column(f, p, "lo_ns", false, lo, 64);
        column(f, p, "hi_ns", false, hi, 64);
        uint64_t sum = 0;
        for (size_t k = 0; k < n; k++) {
            sum += count[k];
            assert_true(count[k] > 0 && lo[k] <= hi[k]);
            assert_true(k == 0 || lo[k] > hi[k - 1]);
        }
        if (sum != hists[i].n)
            fail_msg("%s: counts add up to %llu, expected %llu", p, (unsigned long long)sum,
                     (unsigned long long)hists[i].n);
    }
    assert_int_equal(cell(f, "runs/0000/timed/latency", "count", 0), 8);
    const uint64_t req[] = {3, 3, 2}, hit[] = {1, 1, 1};
    const char *S = "runs/0000/series/tiers/dram";
    assert_column(f, S, "requests", req, 3);
    assert_column(f, S, "hits", hit, 3);
    uint64_t all[128];
    size_t n = column(f, S, "requests", false, all, 128);
    for (size_t i = 3; i < n; i++)
        assert_int_equal(all[i], 0);
    /* utilisation: one column per resource, each in [0, 1] */
    hid_t u = H5Dopen2(f, "runs/0000/series/utilisation", H5P_DEFAULT);
    assert_true(u >= 0);
    hid_t sp = H5Dget_space(u);
    hsize_t dims[2];
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 2);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    assert_int_equal(dims[0], n);
    assert_int_equal(dims[1], res->timed.n_res);
    double *v = calloc(dims[0] * dims[1], sizeof(double));
    assert_non_null(v);
    assert_true(H5Dread(u, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    for (size_t i = 0; i < dims[0] * dims[1]; i++)
        assert_true(v[i] >= 0 && v[i] <= 1.0 + 1e-9);
    free(v);
    H5Sclose(sp);
    H5Dclose(u);
    H5Fclose(f);
    drop(res);
}

/* ---- a live run ----------------------------------------------------------------------- */

static void test_report_h5_live_reads_back(void **state)
{
    const char *dir = *state;
    char path[1200];
    ts_result_t r, back;
    make_live_result(&r);
    snprintf(path, sizeof(path), "%s/live.h5", dir);
    ts_err_t err = {0};
    if (ts_report_h5(&r, path, &err))
        fail_msg("write: %s", err.msg);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t run = H5Gopen2(f, "runs/0000", H5P_DEFAULT);
    char engine[16];
    attr_str(run, "engine", engine, sizeof(engine));
    assert_string_equal(engine, "live");
    hid_t g = H5Gopen2(f, "runs/0000/live", H5P_DEFAULT);
    assert_true(g >= 0);
    assert_int_equal(attr_u64(g, "made_objects"), 2);
    char why[64];
    attr_str(g, "stop_reason", why, sizeof(why));
    assert_string_equal(why, "stopped by SIGINT");
    H5Gclose(g);
    H5Gclose(run);
    /* the errors of live_result_test.h's table, worked out by hand */
    const double errs[] = {25, -25, -20, 50, 10, 50, 50, 50, 50, 10, 50, 50, 50, 20, -50, 100, 25};
    assert_real_column(f, "runs/0000/live/compare", "error_pct", errs, 17);
    double rows[64];
    assert_int_equal(column(f, "runs/0000/live/compare", "error_pct", true, rows, 64), 17);
    const double iops[] = {50, 25, 5}, bps[] = {50000, 25000, 5000};
    assert_real_column(f, "runs/0000/live/backends", "iops", iops, 3);
    assert_real_column(f, "runs/0000/live/backends", "bytes_per_s", bps, 3);
    const uint64_t qd[] = {2, 3, 1};
    assert_column(f, "runs/0000/live/backends", "max_inflight", qd, 3);
    assert_int_equal(cell(f, "runs/0000/live/hist/read@hbm", "count", 0), 6);
    assert_int_equal(cell(f, "runs/0000/live/hist/write@hbm", "hi_ns", 0), 1007);
    assert_int_equal(cell(f, "runs/0000/live/measured/hist/all", "count", 1), 2);
    assert_int_equal(cell(f, "runs/0000/live/measured/latency", "p99_ns", 0), 3000);
    assert_int_equal(cell(f, "runs/0000/timed/latency", "p99_ns", 0), 2000);
    H5Fclose(f);

    ts_result_h5_t *h = NULL;
    assert_int_equal(ts_result_h5_open(path, &h, &err), 0);
    if (ts_result_h5_read(h, 0, &back, &err))
        fail_msg("read: %s", err.msg);
    ts_result_h5_close(h);
    assert_true(back.has_live);
    assert_true(back.has_timed);
    char *ja = json_of(&r), *jb = json_of(&back);
    char *ta = report_of(&r, true), *tb = report_of(&back, true);
    assert_string_equal(ja, jb);
    assert_string_equal(ta, tb); /* `tiersim report result.h5` prints the same report */
    assert_non_null(strstr(tb, "measured beside predicted"));
    free(ja), free(jb), free(ta), free(tb);
    assert_lat_equal(&r.live.m.all, &back.live.m.all);
    assert_lat_equal(&r.live.m.op[0], &back.live.m.op[0]);
    for (size_t l = 0; l < 3; l++) {
        assert_lat_equal(&r.live.m.served[l], &back.live.m.served[l]);
        assert_lat_equal(&r.live.level[l].read, &back.live.level[l].read);
        assert_lat_equal(&r.live.level[l].write, &back.live.level[l].write);
        assert_int_equal(r.live.level[l].direct, back.live.level[l].direct);
        assert_int_equal(r.live.level[l].emulated, back.live.level[l].emulated);
    }
    assert_lat_equal(&r.timed.all, &back.timed.all);

    /* complete: no stop reason is written, none read back */
    r.live.partial = false;
    ts_free(r.live.stop_reason);
    r.live.stop_reason = NULL;
    ts_result_release(&back);
    assert_int_equal(ts_report_h5(&r, path, &err), 0);
    assert_int_equal(ts_result_h5_open(path, &h, &err), 0);
    assert_int_equal(ts_result_h5_read(h, 0, &back, &err), 0);
    ts_result_h5_close(h);
    assert_null(back.live.stop_reason);
    assert_false(back.live.partial);
    ts_result_release(&back);
    /* every allocation of the live part's writing and reading failing in turn: TS_ENOMEM,
     * no leak (the sanitizer build) */
    long n;
    for (n = 0;; n++) {
        ts_mem_fail_after(n);
        int rc = ts_report_h5(&r, path, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        if (rc != TS_ENOMEM)
            fail_msg("write, allocation %ld: rc %d (%s)", n, rc, err.msg);
    }
    for (n = 0;; n++) {
        h = NULL;
        ts_mem_fail_after(n);
        int rc = ts_result_h5_open(path, &h, &err);
        if (rc == 0)
            rc = ts_result_h5_read(h, 0, &back, &err);
        ts_mem_fail_after(-1);
        ts_result_h5_close(h);
        if (rc == 0)
            break;
        if (rc != TS_ENOMEM)
            fail_msg("read, allocation %ld: rc %d (%s)", n, rc, err.msg);
    }
    assert_true(n > 10);
    ts_result_release(&back);
    ts_result_release(&r);
}

/* A sweep file of two runs (fast, then timed): both read back whole, by index. */
static void test_report_h5_sweep_reads_back(void **state)
{
    const char *dir = *state;
    char yaml[4096], path[1200];
    ts_result_t *runs[2], *back = ts_calloc(1, sizeof(*back));
    assert_non_null(back);
    for (int i = 0; i < 2; i++)
        runs[i] = hand_run(dir, i ? "timed" : "fast", yaml, sizeof(yaml));
    snprintf(path, sizeof(path), "%s/sweep.h5", dir);
    ts_err_t err = {0};
    assert_int_equal(ts_report_h5_runs((const ts_result_t *const *)runs, 2, path, &err), 0);
    ts_result_h5_t *f = NULL;
    assert_int_equal(ts_result_h5_open(path, &f, &err), 0);
    assert_int_equal(ts_result_h5_runs(f), 2);
    for (size_t i = 0; i < 2; i++) {
        if (ts_result_h5_read(f, i, back, &err))
            fail_msg("run %zu: %s", i, err.msg);
        assert_same_result(runs[i], back);
        ts_result_release(back);
    }
    assert_int_equal(ts_result_h5_read(f, 2, back, &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "has 2 runs: there is no run 2"));
    ts_result_h5_close(f);
    for (int i = 0; i < 2; i++)
        drop(runs[i]);
    ts_free(back);
}

/* The same results written twice give the same bytes (no time stamps in the file). */
static void test_report_h5_deterministic(void **state)
{
    const char *dir = *state;
    char yaml[4096], p1[1200], p2[1200];
    ts_result_t *res = hand_run(dir, "timed", yaml, sizeof(yaml));
    snprintf(p1, sizeof(p1), "%s/a.h5", dir);
    snprintf(p2, sizeof(p2), "%s/b.h5", dir);
    ts_err_t err = {0};
    assert_int_equal(ts_report_h5(res, p1, &err), 0);
    assert_int_equal(ts_report_h5(res, p2, &err), 0);
    FILE *a = fopen(p1, "rb"), *b = fopen(p2, "rb");
    assert_non_null(a);
    assert_non_null(b);
    int ca, cb;
    long at = 0;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        if (ca != cb)
            fail_msg("the files differ at byte %ld", at);
        at++;
    } while (ca != EOF);
    fclose(a);
    fclose(b);
    drop(res);
}

/* write_dir writes result.h5 beside the others (report.txt, result.json, tiers.csv and the
 * bill's cost.csv), readable. */
static void test_report_h5_write_dir(void **state)
{
    const char *dir = *state;
    char yaml[4096], out[1200], path[1300];
    ts_result_t *res = hand_run(dir, "fast", yaml, sizeof(yaml));
    ts_result_t *back = ts_calloc(1, sizeof(*back));
    assert_non_null(back);
    snprintf(out, sizeof(out), "%s/out", dir);
    ts_err_t err = {0};
    assert_int_equal(write_dir(res, out, true, true, true, true, &err), 0);
    size_t n_tmp;
    assert_true(res->has_cost);
    assert_int_equal(scratch_count(out, &n_tmp), 5);
    assert_int_equal(n_tmp, 0);
    snprintf(path, sizeof(path), "%s/result.h5", out);
    ts_result_h5_t *f = NULL;
    assert_int_equal(ts_result_h5_open(path, &f, &err), 0);
    assert_int_equal(ts_result_h5_read(f, 0, back, &err), 0);
    assert_same_result(res, back);
    assert_string_equal(back->cost.prices, "neocloud-2026-09"); /* the default profile */
    assert_string_equal(back->cost.prices_date, "2026-09");
    assert_string_equal(back->cost.gpu_fallback, res->cost.gpu_fallback);
    ts_result_h5_close(f);
    drop(back);
    drop(res);
}

/* ---- write failures leave nothing ------------------------------------------------------ */

static void test_report_h5_missing_directory(void **state)
{
    const char *dir = *state;
    char path[1200];
    snprintf(path, sizeof(path), "%s/no/such/dir/r.h5", dir);
    ts_result_t r;
    memset(&r, 0, sizeof(r));
    r.engine = "fast";
    ts_err_t err = {0};
    assert_int_equal(ts_report_h5(&r, path, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "cannot create results file"));
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(scratch_count(dir, NULL), 0);
}

/* A file size limit of 4 KiB (writes past it fail with EFBIG, as they fail with ENOSPC on
 * a full disk): the error names the file and carries the system's errno, and neither the
 * file nor a temporary file is left. The same through write_dir: no result file at all. */
static void test_report_h5_file_size_limit(void **state)
{
    const char *dir = *state;
    char yaml[4096], path[1200], out[1200];
    ts_result_t *res = hand_run(dir, "timed", yaml, sizeof(yaml));
    snprintf(path, sizeof(path), "%s/r.h5", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    assert_int_equal(mkdir(out, 0755), 0);
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4096;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    ts_err_t err = {0}, err2 = {0};
    int rc = ts_report_h5(res, path, &err);
    int rc2 = write_dir(res, out, false, false, false, true, &err2);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    if (rc != TS_EIO || !strstr(err.msg, path) || !strstr(err.msg, "cannot write results file"))
        fail_msg("rc %d: %s", rc, err.msg);
    assert_int_equal(err.sys_errno, EFBIG);
    assert_false(exists(path));
    if (rc2 != TS_EIO || !strstr(err2.msg, "result.h5") || !strstr(err2.msg, "write failed"))
        fail_msg("write_dir: rc %d: %s", rc2, err2.msg);
    assert_int_equal(err2.sys_errno, EFBIG);
    assert_int_equal(scratch_count(out, NULL), 0);
    size_t n_tmp;
    scratch_count(dir, &n_tmp);
    assert_int_equal(n_tmp, 0);
    drop(res);
}

/* Every allocation of the writer and the reader fails in turn: TS_ENOMEM each time, no
 * file left by the writer, nothing leaked (ASan). */
static void test_report_h5_oom(void **state)
{
    const char *dir = *state;
    char yaml[4096], path[1200];
    ts_result_t *res = hand_run(dir, "timed", yaml, sizeof(yaml));
    ts_result_t *back = ts_calloc(1, sizeof(*back));
    assert_non_null(back);
    snprintf(path, sizeof(path), "%s/r.h5", dir);
    long n;
    for (n = 0;; n++) {
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = ts_report_h5(res, path, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        if (rc != TS_ENOMEM)
            fail_msg("allocation %ld: rc %d (%s)", n, rc, err.msg);
        assert_false(exists(path));
    }
    assert_true(n > 0);
    for (n = 0;; n++) {
        ts_err_t err = {0};
        ts_result_h5_t *f = NULL;
        ts_mem_fail_after(n);
        int rc = ts_result_h5_open(path, &f, &err);
        if (rc == 0)
            rc = ts_result_h5_read(f, 0, back, &err);
        ts_mem_fail_after(-1);
        ts_result_h5_close(f);
        if (rc == 0)
            break;
        if (rc != TS_ENOMEM || !strstr(err.msg, path))
            fail_msg("allocation %ld: rc %d (%s)", n, rc, err.msg);
    }
    assert_true(n > 2);
    assert_same_result(res, back);
    drop(back);
    drop(res);
}

/* ---- files the reader refuses ---------------------------------------------------------- */

static void test_report_h5_not_results_files(void **state)
{
    const char *dir = *state;
    char path[1200];
    snprintf(path, sizeof(path), "%s/none.h5", dir);
    expect_read_error(path, TS_ENOENT, "cannot open results file");
    snprintf(path, sizeof(path), "%s/text.h5", dir);
    write_text(path, "not hdf5\n");
    expect_read_error(path, TS_EFORMAT, "is not an HDF5 file");
    snprintf(path, sizeof(path), "%s/other.h5", dir);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    H5Fclose(f);
    expect_read_error(path, TS_EFORMAT, "is not a tiersim results file");
}

static void set_attr_str(hid_t obj, const char *name, const char *v)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, t, &v) >= 0);
    H5Aclose(a);
    H5Tclose(t);
}

static void test_report_h5_newer_schema(void **state)
{
    char path[1200];
    good_file(*state, "s.h5", path, sizeof(path));
    hid_t f = open_rw(path);
    hid_t a = H5Aopen(f, "schema", H5P_DEFAULT);
    uint32_t two = 2;
    assert_true(H5Awrite(a, H5T_NATIVE_UINT32, &two) >= 0);
    H5Aclose(a);
    H5Fclose(f);
    expect_read_error(path, TS_EUNSUPPORTED, "written with results schema 2");
}

/* A deleted dataset or group is named in the error. */
static void test_report_h5_missing_dataset(void **state)
{
    static const struct {
        const char *name, *link, *msg;
    } cases[] = {
        {"d.h5", "runs/0000/totals", "/runs/0000/totals: no such dataset"},
        {"h.h5", "runs/0000/timed/hist/get@dram",
         "/runs/0000/timed/hist/get@dram: no such dataset"},
        {"s.h5", "runs/0000/series/tiers/dram", "/runs/0000/series/tiers/dram: no such dataset"},
        {"r.h5", "runs/0000", "/runs/0000: no such group"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[1200];
        good_file(*state, cases[i].name, path, sizeof(path));
        hid_t f = open_rw(path);
        assert_true(H5Ldelete(f, cases[i].link, H5P_DEFAULT) >= 0);
        H5Fclose(f);
        expect_read_error(path, TS_EFORMAT, cases[i].msg);
    }
}

/* A tier table with one column, capacity: the first column it lacks, tier, is named. */
static void test_report_h5_missing_column(void **state)
{
    char path[1200];
    good_file(*state, "c.h5", path, sizeof(path));
    hid_t f = open_rw(path);
    assert_true(H5Ldelete(f, "runs/0000/tiers", H5P_DEFAULT) >= 0);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(uint64_t));
    H5Tinsert(t, "capacity", 0, H5T_NATIVE_UINT64);
    hsize_t one = 1;
    hid_t sp = H5Screate_simple(1, &one, NULL);
    hid_t d = H5Dcreate2(f, "runs/0000/tiers", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    uint64_t cap = 3;
    assert_true(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &cap) >= 0);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
    H5Fclose(f);
    expect_read_error(path, TS_EFORMAT, "/runs/0000/tiers: no column 'tier'");
}

static void test_report_h5_bad_attributes(void **state)
{
    char path[1200];
    good_file(*state, "e.h5", path, sizeof(path));
    hid_t f = open_rw(path);
    hid_t run = H5Gopen2(f, "runs/0000", H5P_DEFAULT);
    set_attr_str(run, "engine", "warp");
    H5Gclose(run);
    H5Fclose(f);
    expect_read_error(path, TS_EFORMAT, "/runs/0000: unknown engine 'warp'");

    good_file(*state, "a.h5", path, sizeof(path));
    f = open_rw(path);
    hid_t g = H5Gopen2(f, "runs/0000/series", H5P_DEFAULT);
    assert_true(H5Adelete(g, "interval") >= 0);
    H5Gclose(g);
    H5Fclose(f);
    expect_read_error(path, TS_EFORMAT, "/runs/0000/series: no attribute 'interval'");
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
#define T(fn) cmocka_unit_test_setup_teardown(fn, scratch_setup, scratch_teardown)
    const struct CMUnitTest tests[] = {
        T(test_report_h5_hand_trace_fast),
        T(test_report_h5_hand_trace_timed_histograms),
        T(test_report_h5_sweep_reads_back),
        T(test_report_h5_live_reads_back),
        T(test_report_h5_deterministic),
        T(test_report_h5_write_dir),
        T(test_report_h5_missing_directory),
        T(test_report_h5_file_size_limit),
        T(test_report_h5_oom),
        T(test_report_h5_not_results_files),
        T(test_report_h5_newer_schema),
        T(test_report_h5_missing_dataset),
        T(test_report_h5_missing_column),
        T(test_report_h5_bad_attributes),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
