/* SPDX-License-Identifier: MIT */
/*
 * test_cli_sweep.c - the verbs of many runs end to end, `tiersim mrc`, `sweep` and `report`
 * (app/cli_mrc.c, cli_sweep.c, cli_report.c): mrc prints its table and writes its CSV and,
 * without gnuplot, the plot's data and script with a warning; sweep prints a row per point,
 * writes sweep.csv and a results file that report reads back, runs one shard of the points,
 * and writes an HTML page leaving no scratch behind; their usage and point errors. The
 * fixture is tests/cli_test.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "file_test.h"
#include "cli_test.h"

/* mrc: the table on stdout, DIR/mrc.csv with one row per point, and without gnuplot in
 * PATH a warning (exit 0) with the plot's data and script written. */
static void test_cli_mrc_table_csv_and_plot_data(void **state)
{
    struct fixture *f = *state;
    char args[1024];
    snprintf(args, sizeof(args),
             "mrc examples/zipf-two-tier.yaml --policies lru,fifo --points 3 -o '%s/m' "
             "--plot '%s/m/mrc.svg'",
             f->dir, f->dir);
    assert_int_equal(tiersim_env(f, "PATH=/nonexistent", args), 0);
    char *out = slurp(f->dir, "out");
    assert_non_null(out);
    assert_non_null(strstr(out, "miss ratio of tier hbm by policy and capacity (objects)\n"));
    assert_non_null(strstr(out, "capacity  footprint      lru     fifo\n"));
    free(out);
    char *err = slurp(f->dir, "err");
    char want[1024];
    snprintf(want, sizeof(want),
             "tiersim: warning: gnuplot not found: wrote the data to %s/m/mrc.dat; install "
             "gnuplot (Debian package gnuplot-nox) to draw it: gnuplot %s/m/mrc.gp\n",
             f->dir, f->dir);
    assert_string_equal(err, want);
    free(err);
    char *csv = slurp(f->dir, "m/mrc.csv");
    assert_non_null(csv);
    size_t lines = 0;
    for (const char *p = csv; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + 2 * 3); /* the header, 2 policies x 3 capacities */
    assert_non_null(strstr(csv, "\nfifo,"));
    free(csv);
    char *dat = slurp(f->dir, "m/mrc.dat");
    assert_non_null(dat);
    free(dat);
    /* Usage and library errors. */
    assert_int_equal(tiersim(f, "mrc --sizes 1% --points 3"), 2);
    err = slurp(f->dir, "err");
    assert_non_null(strstr(err, "tiersim: error: give --sizes or --points, not both\n"));
    free(err);
    assert_int_equal(tiersim(f, "mrc --policies lruu"), 1);
    err = slurp(f->dir, "err");
    assert_string_equal(err, "tiersim: error: policies: unknown policy 'lruu' (did you mean "
                             "'lru'?)\n");
    free(err);
    static const char *const usage[][2] = {
        {"mrc --threads 0", "--threads expects a count such as 4, found '0'"},
        {"mrc --points x", "--points expects a count such as 12, found 'x'"},
        {"mrc --policies ,", "--policies expects 1 to 32 names separated by commas, found ','"},
        {"mrc a.yaml b.yaml", "mrc takes one scenario, found also 'b.yaml'"},
    };
    for (size_t i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
        assert_int_equal(tiersim(f, usage[i][0]), 2);
        err = slurp(f->dir, "err");
        if (!strstr(err, usage[i][1]))
            fail_msg("%s: %s", usage[i][0], err);
        free(err);
    }
}

/* sweep: the table on stdout, DIR/sweep.csv and DIR/result.h5 with a run per point that
 * `report` reads back, an HTML page without -o that leaves no scratch file behind; usage
 * and point errors. The loop (100 keys, 1000 requests) hits 900 times from capacity 100. */
static void test_cli_sweep_table_files_and_report(void **state)
{
    struct fixture *f = *state;
    char yaml[1100];
    cli_put_file(f, "loop.yaml",
                 "name: loop\nmode: objects\nworkload: {generator: {kind: loop, keys: 100, "
                 "requests: 1000}}\ntiers: [{name: t, capacity: 10, policy: lru}]\n",
                 yaml, sizeof(yaml));
    char *out = tiersim_ok(f, "sweep '%s' --vary tiers.0.capacity=50,100 -o '%s/s'", yaml,
                           f->dir);
    assert_non_null(strstr(out, "points     2 (tiers.0.capacity: 2)\n"));
    if (!strstr(out, "\n    1  100                  90.00%     90.00%  <$0.0001     $0.04\n"))
        fail_msg("table: %s", out);
    free(out);
    char *csv = slurp(f->dir, "s/sweep.csv");
    assert_non_null(csv);
    assert_non_null(strstr(csv, "\n1,100,1000,900,0.900000000,"));
    free(csv);
    /* shard 1 of 2 runs point 1 only, and says so */
    out = tiersim_ok(f, "sweep '%s' --vary tiers.0.capacity=50,100 --shard 1/2 -o '%s/s1'", yaml,
                     f->dir);
    assert_non_null(strstr(out, "shard      1/2: 1 point, those whose number modulo 2 is 1\n"));
    assert_null(strstr(out, "\n    0  "));
    free(out);
    csv = slurp(f->dir, "s1/sweep.csv");
    assert_non_null(csv);
    assert_int_equal(file_test_count(csv, "\n"), 2);
    assert_non_null(strstr(csv, "\n1,100,1000,900,0.900000000,"));
    free(csv);
    char h5[1200];
    snprintf(h5, sizeof(h5), "report '%s/s/result.h5'", f->dir);
    out = tiersim_ok(f, "%s", h5);
    assert_int_equal(file_test_count(out, "tiersim 0.1.0 result"), 2);
    free(out);
    /* --html with no -o: the page, and no scratch directory left in TMPDIR */
    char tmp[1100], env[1200];
    snprintf(tmp, sizeof(tmp), "%s/tmp", f->dir);
    assert_int_equal(mkdir(tmp, 0755), 0);
    snprintf(env, sizeof(env), "TMPDIR=%s", tmp);
    char args[2400];
    snprintf(args, sizeof(args), "sweep '%s' --vary seed=1,2 --html '%s/s.html' -q", yaml, f->dir);
    assert_int_equal(tiersim_env(f, env, args), 0);
    char *page = slurp(f->dir, "s.html");
    assert_non_null(page);
    assert_non_null(strstr(page, "<td>loop (seed=2)</td>"));
    free(page);
    assert_int_equal(dir_entries(tmp), 0);
    /* errors */
    static const char *const usage[][2] = {
        {"sweep --vary seed=1 --threads 0", "--threads expects a count such as 4, found '0'"},
        {"sweep a.yaml b.yaml --vary seed=1", "sweep takes one scenario, found also 'b.yaml'"},
        {"sweep --vary seed=1 --shard 4/4", "--shard expects I/N with 0 <= I < N <= 100000"},
        {"sweep --vary seed=1 --shard 1", "--shard expects I/N with 0 <= I < N <= 100000"},
        {"sweep --vary seed=1 --shard -1/4", "--shard expects I/N with 0 <= I < N <= 100000"},
        {"report r.h5 --run-figures 3", "--plots and --run-figures go with --html"},
        {"report r.h5 --html r.html --run-figures 0", "--run-figures expects a count such as 24"},
    };
    for (size_t i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
        assert_int_equal(tiersim(f, usage[i][0]), 2);
        char *err = slurp(f->dir, "err");
        if (!strstr(err, usage[i][1]))
            fail_msg("%s: %s", usage[i][0], err);
        free(err);
    }
    assert_int_equal(tiersim(f, "sweep"), 1); /* the built-in scenario sweeps nothing */
    char *msg = slurp(f->dir, "err");
    assert_non_null(strstr(msg, "a sweep needs at least one axis: --vary key=V1,V2,... or a "
                                "`sweep:` map in the scenario"));
    free(msg);
    snprintf(args, sizeof(args), "sweep '%s' --vary tiers.0.capacity=10,1x", yaml);
    assert_int_equal(tiersim(f, args), 1);
    char *err = slurp(f->dir, "err");
    if (!strstr(err, "sweep point 1 (tiers.0.capacity=1x)"))
        fail_msg("%s", err);
    free(err);
}

/* The GPU-tiers example at its rate and ten times it: the second point's backing store is
 * overloaded, so its p99 is marked "!" and a line under the table says what that means; the
 * same with a cap of 500 jobs in flight marks it "*" too (stopped early). */
static void test_cli_sweep_marks_overloaded_points(void **state)
{
    struct fixture *f = *state;
    const char *base = "sweep examples/timed-gpu-tiers.yaml --vary timed.time_scale=1,0.1 "
                       "-s workload.generator.requests=20000 -s workload.generator.keys=5000";
    char *out = tiersim_ok(f, "%s", base);
    const char *row0 = strstr(out, "\n    0  1   "), *row1 = strstr(out, "\n    1  0.1 ");
    assert_non_null(row0);
    assert_non_null(row1);
    assert_true(strcspn(row0 + 1, "!\n") == strcspn(row0 + 1, "\n")); /* no mark */
    assert_true(strcspn(row1 + 1, "!") < strcspn(row1 + 1, "\n"));
    assert_non_null(strstr(out, "\n! a device was overloaded: the p99 grows with the run's "
                                "length"));
    assert_null(strstr(out, "\n* stopped early"));
    free(out);
    out = tiersim_ok(f, "%s -s timed.max_in_flight=500 -o '%s/cut'", base, f->dir);
    assert_non_null(strstr(out, "  *!"));
    char *csv = slurp(f->dir, "cut/sweep.csv");
    assert_non_null(csv);
    assert_non_null(strstr(csv, ",usd_per_session,overloaded,partial\n0,1,"));
    assert_non_null(strstr(csv, ",0,0\n1,0.1,"));
    assert_non_null(strstr(csv, ",1,1\n"));
    free(csv);
    assert_non_null(strstr(out, "\n* stopped early at timed.max_in_flight: the point's figures "
                                "are partial\n"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_mrc_table_csv_and_plot_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_sweep_table_files_and_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_sweep_marks_overloaded_points, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
