/* SPDX-License-Identifier: MIT */
/*
 * test_calibrate.c - `tiersim calibrate` (app/calibrate.c, app/cli_calibrate.c): the fit on
 * synthetic points made by the ps model from known figures gives those figures back
 * (within 1%), the devices file it writes loads through the device catalogue and is the
 * same bytes for the same points, and end to end through the tiersim executable: a quick
 * memory run and a quick file run on a scratch directory write a file that `list devices`
 * shows and a timed scenario runs on, leave no scratch file, and the refusals (a file it did
 * not make, no CUDA runtime, bad options) are one line with exit 1 or 2. The fit out of
 * memory at each of its allocations is TS_ENOMEM, never abort() (GSL's policy installed).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "../app/calibrate.h"
#include "../sim/device.h"
#include "../sim/util/gslerr.h"
#include "../sim/util/mem.h"
#include "cli_test.h"
#include "file_test.h"

/* ---- synthetic points ---- */

/* The device that makes the points: latency, bandwidth and channels per op, and the shared
 * per-request cost (ns, 0: none). */
struct truth {
    double read_lat_ns, read_bw, write_lat_ns, write_bw;
    unsigned channels;
    double cost_ns;
};

/* One point as the ps model gives it: k = min(depth, channels) requests in service, each
 * for W = latency + k x (cost + size / bandwidth), so X = k / W requests/s; with depth
 * requests in flight each waits depth / X on average (Little's law). 10^6 requests. */
static ts_calib_point_t synth_point(const struct truth *t, int pattern, uint64_t size,
                                    unsigned depth)
{
    bool rd = pattern == TS_CALIB_RAND_READ || pattern == TS_CALIB_SEQ_READ;
    double lat = (rd ? t->read_lat_ns : t->write_lat_ns) * 1e-9;
    double bw = rd ? t->read_bw : t->write_bw;
    double k = depth < t->channels ? depth : t->channels;
    double x = k / (lat + k * (t->cost_ns * 1e-9 + (double)size / bw));
    ts_calib_point_t p = {.pattern = pattern, .size_bytes = size, .depth = depth,
                          .n_ops = 1000000};
    p.elapsed_ns = (uint64_t)llround(1e6 / x * 1e9);
    p.lat_sum_ns = (uint64_t)llround(1e6 * depth / x * 1e9);
    return p;
}

/* The full grid of docs/calibrate.md (depth x size at most 128 MiB). Returns the count. */
static size_t synth_grid(const struct truth *t, ts_calib_point_t *pts)
{
    static const uint64_t sizes[] = {4096, 65536, 1 << 20, 4 << 20};
    static const unsigned depths[] = {1, 4, 16, 32, 128};
    size_t n = 0;
    for (size_t s = 0; s < 4; s++)
        for (int pat = 0; pat < 4; pat++)
            for (size_t d = 0; d < 5; d++)
                if (depths[d] * sizes[s] <= 128u << 20)
                    pts[n++] = synth_point(t, pat, sizes[s], depths[d]);
    return n;
}

static void assert_within(double got, double want, double rel, const char *what)
{
    if (fabs(got - want) > rel * fabs(want))
        fail_msg("%s: %g, expected %g within %g%%", what, got, want, rel * 100);
}

/* 80 us, 2 GB/s, 32 channels (reads); 20 us, 1 GB/s (writes), no request cost: all given
 * back within 1% (the fit is a least-squares one of the very model that made the points,
 * so it is exact up to the rounding of the points' integer times), and 32 channels is the
 * count whose fit has the least error: at 16 the depth-32 and depth-128 points would be
 * half as fast, at 128 twice as fast. */
static void test_calibrate_fit_gives_back_known_figures(void **state)
{
    (void)state;
    const struct truth t = {80000, 2e9, 20000, 1e9, 32, 0};
    ts_calib_point_t pts[TS_CALIB_MAX_POINTS];
    size_t n = synth_grid(&t, pts);
    assert_int_equal(n, 76); /* 4 patterns x (5 + 5 + 5 + 4 depths) */
    ts_calib_fit_t fit;
    ts_err_t err = {0};
    assert_int_equal(ts_calib_fit(pts, n, &fit, &err), 0);
    assert_within(fit.read_latency_ns, 80000, 0.01, "read latency");
    assert_within(fit.read_bytes_per_s, 2e9, 0.01, "read bandwidth");
    assert_within(fit.write_latency_ns, 20000, 0.01, "write latency");
    assert_within(fit.write_bytes_per_s, 1e9, 0.01, "write bandwidth");
    assert_int_equal(fit.channels, 32);
    assert_true(fit.request_cost_ns < 1);
    /* the QD1 lines are exact: latency + size / bandwidth */
    assert_within(fit.read_line_ns, 80000, 1e-6, "read line intercept");
    assert_within(fit.read_line_bytes_per_s, 2e9, 1e-6, "read line bandwidth");
    assert_within(fit.write_line_ns, 20000, 1e-6, "write line intercept");
    assert_within(fit.write_line_bytes_per_s, 1e9, 1e-6, "write line bandwidth");
    /* the model reproduces every point it was made from */
    for (size_t i = 0; i < n; i++)
        assert_within(pts[i].model_bytes_per_s, ts_calib_bytes_per_s(&pts[i]), 0.01, "point");
    assert_true(fit.rms_err_pct < 1);
}

/* A shared request cost (a virtual disk's host, a controller's IOPS limit): 48.7 us,
 * 3.54 GB/s reads, 45.9 us, 3.59 GB/s writes, 3.04 us a request, 128 channels (none that
 * the grid fills: the IOPS of 4 KiB requests level off at 1 / (3.04 + 1.16) us = 238,000/s
 * because of the cost, not the channels). Given back within 1%; and 16 channels with
 * 2 us: the same. */
static void test_calibrate_fit_gives_back_the_request_cost(void **state)
{
    (void)state;
    const struct truth ts[] = {{48700, 3.54e9, 45900, 3.59e9, 128, 3040},
                               {60000, 6e9, 30000, 3e9, 16, 2000}};
    for (size_t i = 0; i < 2; i++) {
        const struct truth *t = &ts[i];
        ts_calib_point_t pts[TS_CALIB_MAX_POINTS];
        size_t n = synth_grid(t, pts);
        ts_calib_fit_t fit;
        ts_err_t err = {0};
        assert_int_equal(ts_calib_fit(pts, n, &fit, &err), 0);
        assert_int_equal(fit.channels, t->channels);
        assert_within(fit.request_cost_ns, t->cost_ns, 0.01, "request cost");
        assert_within(fit.read_latency_ns, t->read_lat_ns, 0.01, "read latency");
        assert_within(fit.read_bytes_per_s, t->read_bw, 0.01, "read bandwidth");
        assert_within(fit.write_latency_ns, t->write_lat_ns, 0.01, "write latency");
        assert_within(fit.write_bytes_per_s, t->write_bw, 0.01, "write bandwidth");
        assert_true(fit.rms_err_pct < 1);
    }
}

/* One channel (a synchronous back-end measured at depth 1 only): channels 1. */
static void test_calibrate_fit_depth_one_is_one_channel(void **state)
{
    (void)state;
    const struct truth t = {500, 20e9, 300, 10e9, 1, 0};
    ts_calib_point_t pts[8];
    size_t n = 0;
    for (int pat = 0; pat < 4; pat++) {
        pts[n++] = synth_point(&t, pat, 4096, 1);
        pts[n++] = synth_point(&t, pat, 1 << 20, 1);
    }
    ts_calib_fit_t fit;
    ts_err_t err = {0};
    assert_int_equal(ts_calib_fit(pts, n, &fit, &err), 0);
    assert_int_equal(fit.channels, 1);
    assert_within(fit.read_latency_ns, 500, 0.01, "read latency");
    assert_within(fit.read_bytes_per_s, 20e9, 0.01, "read bandwidth");
}

static void test_calibrate_fit_needs_a_qd1_random_read(void **state)
{
    (void)state;
    const struct truth t = {80000, 2e9, 20000, 1e9, 32, 0};
    ts_calib_point_t pts[2] = {synth_point(&t, TS_CALIB_SEQ_READ, 4096, 1),
                               synth_point(&t, TS_CALIB_RAND_READ, 4096, 16)};
    ts_calib_fit_t fit;
    ts_err_t err = {0};
    assert_int_equal(ts_calib_fit(pts, 2, &fit, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "no random read at queue depth 1"));
}

/* Out of memory at every allocation of the fit in turn (its matrices, one block per channel
 * count tried: at least one for each of 1..128): TS_ENOMEM naming the matrices each time,
 * then, with room, the same fit as without the hook. */
static void test_calibrate_fit_out_of_memory_is_enomem(void **state)
{
    (void)state;
    const struct truth t = {80000, 2e9, 20000, 1e9, 32, 0};
    ts_calib_point_t pts[TS_CALIB_MAX_POINTS];
    size_t n = synth_grid(&t, pts);
    ts_calib_fit_t want, fit;
    ts_err_t err = {0};
    assert_int_equal(ts_calib_fit(pts, n, &want, &err), 0);
    long k = 0;
    for (;; k++) {
        ts_err_clear(&err);
        ts_mem_fail_after(k);
        int rc = ts_calib_fit(pts, n, &fit, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
        assert_non_null(strstr(err.msg, "calibrate: cannot allocate the fit's matrices"));
        assert_true(k < 10000);
    }
    assert_true(k >= 128);
    assert_int_equal(fit.channels, want.channels);
    assert_true(fit.read_latency_ns == want.read_latency_ns);
    assert_true(fit.write_bytes_per_s == want.write_bytes_per_s);
}

/* ---- the devices file ---- */

static void test_calibrate_yaml_loads_in_the_catalogue(void **state)
{
    struct fixture *f = *state;
    const struct truth t = {80000, 2e9, 20000, 1e9, 32, 0};
    ts_calib_t *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->n_points = synth_grid(&t, c->points);
    c->target = TS_CALIB_FILE;
    c->direct = true;
    snprintf(c->io, sizeof(c->io), "io_uring");
    snprintf(c->where, sizeof(c->where), "scratch/tiersim-calibrate.live");
    c->size_bytes = 1 << 30;
    c->capacity_bytes = 500ull << 30;
    ts_err_t err = {0};
    assert_int_equal(ts_calib_fit(c->points, c->n_points, &c->fit, &err), 0);
    char path[512], again[512];
    snprintf(path, sizeof(path), "%s/dev.yaml", f->dir);
    snprintf(again, sizeof(again), "%s/dev2.yaml", f->dir);
    assert_int_equal(ts_calib_write_yaml(c, "my-disk", path, NULL, &err), 0);
    assert_int_equal(ts_calib_write_yaml(c, "my-disk", again, NULL, &err), 0);
    char *a = file_test_slurp(path, NULL), *b = file_test_slurp(again, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b); /* no date: the same points give the same bytes */
    assert_non_null(strstr(a, "# fit: read latency"));
    free(a);
    free(b);

    ts_dev_catalog_t *cat = NULL;
    assert_int_equal(ts_dev_catalog_create(&cat, &err), 0);
    assert_int_equal(ts_dev_catalog_load_file(cat, path, &err), 0);
    ts_device_t d;
    assert_int_equal(ts_dev_find(cat, "my-disk", &d, &err), 0);
    assert_int_equal(d.kind, TS_DEV_NVME);
    assert_int_equal(d.channels, 32);
    assert_int_equal(d.capacity_bytes, 500ull << 30);
    assert_within((double)d.read_latency_ns, 80000, 0.01, "read_latency");
    assert_within((double)d.write_latency_ns, 20000, 0.01, "write_latency");
    /* 2 GB/s to four digits */
    assert_int_equal(d.read_bytes_per_s, 2000000000u);
    assert_int_equal(d.request_cost_ns, 0);
    assert_within((double)d.write_bytes_per_s, 1e9, 0.01, "write_bw");
    assert_non_null(strstr(d.summary, "O_DIRECT, io_uring"));
    assert_int_equal(ts_dev_check(&d, &err), 0);
    ts_dev_catalog_destroy(cat);
    free(c);
}

/* ---- end to end ---- */

/* A timed scenario on the device of devices file yaml, named name; runs it, exit 0. */
static void run_timed_on(struct fixture *f, const char *yaml, const char *name)
{
    char text[1024], path[512];
    snprintf(text, sizeof(text),
             "mode: bytes\ndevices: %s\n"
             "workload: {generator: {kind: zipf, keys: 1000, requests: 5000, size: 64KiB}}\n"
             "tiers: [{name: t, capacity: 10%%, device: %s}]\n"
             "engine: timed\n",
             yaml, name);
    cli_put_file(f, "s.yaml", text, path, sizeof(path));
    char *out = tiersim_ok(f, "run '%s'", path);
    assert_non_null(strstr(out, name));
    free(out);
}

/* `tiersim calibrate ARGS -o yaml`: its table holds table; `list devices yaml` holds listed. */
static void calibrate_listed(struct fixture *f, const char *args, const char *yaml,
                             const char *table, const char *listed)
{
    char *out = tiersim_ok(f, "calibrate %s -o '%s'", args, yaml);
    if (!strstr(out, table))
        fail_msg("calibrate %s: no '%s' in\n%s", args, table, out);
    free(out);
    out = tiersim_ok(f, "list devices '%s'", yaml);
    if (!strstr(out, listed))
        fail_msg("list devices: no '%s' in\n%s", listed, out);
    free(out);
}

static void test_calibrate_cli_quick_memory(void **state)
{
    struct fixture *f = *state;
    char yaml[512];
    snprintf(yaml, sizeof(yaml), "%s/mem.yaml", f->dir);
    calibrate_listed(f, "--memory --quick --size 4MiB --time 20ms", yaml, "model MB/s",
                     "calibrated-memory dram");
    run_timed_on(f, yaml, "calibrated-memory");
    /* without -o the devices file is standard output, the table in its comments */
    char *out = tiersim_ok(f, "calibrate --memory --quick --size 4MiB --time 10ms --name m2");
    assert_true(strncmp(out, "# SPDX-License-Identifier: MIT\n", 31) == 0);
    char path[512];
    cli_put_file(f, "m2.yaml", out, path, sizeof(path));
    free(out);
    out = tiersim_ok(f, "list devices '%s'", path);
    assert_non_null(strstr(out, "m2 "));
    free(out);
}

static void test_calibrate_cli_quick_file(void **state)
{
    struct fixture *f = *state;
    char scratch[512], yaml[512];
    snprintf(scratch, sizeof(scratch), "%s/scratch", f->dir);
    snprintf(yaml, sizeof(yaml), "%s/disk.yaml", f->dir);
    assert_int_equal(mkdir(scratch, 0700), 0);
    char args[1024];
    snprintf(args, sizeof(args), "--file '%s' --quick --size 4MiB --time 20ms --name my-disk",
             scratch);
    calibrate_listed(f, args, yaml, "sequential write", "my-disk         nvme");
    assert_int_equal(dir_entries(scratch), 0); /* the scratch file is gone */
    run_timed_on(f, yaml, "my-disk");
    /* --keep keeps it, and a second run takes it over (it carries tiersim's header) */
    free(tiersim_ok(f, "calibrate --file '%s' --quick --size 4MiB --time 10ms --keep -q -o '%s'",
                    scratch, yaml));
    assert_int_equal(dir_entries(scratch), 1);
    char kept[600];
    snprintf(kept, sizeof(kept), "%s/tiersim-calibrate.live", scratch);
    free(tiersim_ok(f, "calibrate --file '%s' --quick --size 4MiB --time 10ms -q -o '%s'", kept,
                    yaml));
    assert_int_equal(dir_entries(scratch), 0);
}

/* Refusals: exit status and a piece of the one line on stderr. */
static void test_calibrate_cli_refusals(void **state)
{
    struct fixture *f = *state;
    char mine[512];
    cli_put_file(f, "mine.dat", "my data\n", mine, sizeof(mine));
    static const struct {
        const char *name, *args;
        int rc;
        const char *msg;
    } cases[] = {
        {"foreign file", "calibrate --file {mine} --quick --size 4MiB -q", 1,
         "was not made by tiersim's live mode; refusing to touch it"},
        {"no cuda runtime", "calibrate --gpu 0 --quick --size 4MiB --cuda-library {dir}/no.so",
         1, "tiersim: error: "},
        {"bad size", "calibrate --memory --size 12Q", 2, "--size: "},
        {"size too small", "calibrate --memory --size 1MiB", 2,
         "--size must be at least 16MiB, found '1MiB'"},
        {"quick size too small", "calibrate --memory --quick --size 1MiB", 2,
         "--size must be at least 4MiB with --quick"},
        {"no target", "calibrate --quick", 2, "give one of --file PATH, --memory or --gpu N"},
        {"two targets", "calibrate --memory --gpu 0", 2, "calibrate measures one device"},
        {"bad gpu", "calibrate --gpu x", 2, "--gpu expects a GPU number"},
        {"bad name", "calibrate --memory --name a:b", 2, "--name expects a device name"},
        {"bad time", "calibrate --memory --time 5", 2, "--time expects a duration"},
        {"no directory", "calibrate --file {dir}/nodir/x.live --quick --size 4MiB", 1,
         "no directory"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char args[1024] = "";
        const char *s = cases[i].args;
        while (*s) { /* {dir} and {mine} */
            size_t len = strlen(args);
            if (strncmp(s, "{dir}", 5) == 0) {
                snprintf(args + len, sizeof(args) - len, "%s", f->dir);
                s += 5;
            } else if (strncmp(s, "{mine}", 6) == 0) {
                snprintf(args + len, sizeof(args) - len, "%s", mine);
                s += 6;
            } else {
                snprintf(args + len, sizeof(args) - len, "%c", *s++);
            }
        }
        int rc = tiersim(f, args);
        char *err = slurp(f->dir, "err");
        assert_non_null(err);
        if (rc != cases[i].rc || !strstr(err, cases[i].msg))
            fail_msg("%s: exit %d (expected %d), stderr '%s'", cases[i].name, rc, cases[i].rc,
                     err);
        size_t lines = 0;
        for (const char *p = err; *p; p++)
            lines += *p == '\n';
        if (lines != (cases[i].rc == 2 ? 2u : 1u))
            fail_msg("%s: %zu lines on stderr: '%s'", cases[i].name, lines, err);
        free(err);
    }
    char *left = file_test_slurp(mine, NULL);
    assert_string_equal(left, "my data\n"); /* untouched */
    free(left);
}

#ifdef TS_FAKE_CUDART
/* The gpu back-end on the stand-in runtime: host->GPU writes and GPU->host reads. */
static void test_calibrate_cli_gpu_fake_runtime(void **state)
{
    struct fixture *f = *state;
    char yaml[512];
    snprintf(yaml, sizeof(yaml), "%s/gpu.yaml", f->dir);
    char args[1024];
    snprintf(args, sizeof(args), "--gpu 0 --cuda-library '%s' --quick --size 16MiB --time 10ms",
             TS_FAKE_CUDART);
    calibrate_listed(f, args, yaml, "random read          1MiB    16", "calibrated-gpu");
}
#endif

int main(void)
{
    ts_gsl_install(); /* the fit calls GSL: its errors come back as codes (gslerr.h) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibrate_fit_gives_back_known_figures),
        cmocka_unit_test(test_calibrate_fit_gives_back_the_request_cost),
        cmocka_unit_test(test_calibrate_fit_depth_one_is_one_channel),
        cmocka_unit_test(test_calibrate_fit_needs_a_qd1_random_read),
        cmocka_unit_test(test_calibrate_fit_out_of_memory_is_enomem),
        cmocka_unit_test_setup_teardown(test_calibrate_yaml_loads_in_the_catalogue, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_calibrate_cli_quick_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calibrate_cli_quick_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calibrate_cli_refusals, setup, teardown),
#ifdef TS_FAKE_CUDART
        cmocka_unit_test_setup_teardown(test_calibrate_cli_gpu_fake_runtime, setup, teardown),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
