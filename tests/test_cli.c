/* SPDX-License-Identifier: MIT */
/*
 * test_cli.c - the tiersim executable end to end: the built-in default runs, the same seed
 * gives byte-identical JSON, overrides change what they name, every example scenario
 * runs, trace gen/info agree, the trace verbs read agent-session directories, outputs land
 * in -o DIR, -q prints nothing, mrc prints its table and writes its CSV and plot data, list
 * prints plug-ins and device presets, and errors are one line with a non-zero exit.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "reports/h5.h"
#include "sim/util/mem.h"
#include "file_test.h"

struct fixture {
    char dir[256];
    const char *exe;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->exe = getenv("TS_TIERSIM");
    snprintf(f->dir, sizeof(f->dir), "/tmp/tiersim-cli-XXXXXX");
    if (!f->exe || !mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* Runs `tiersim ARGS` in an environment changed by env ("NAME=value ...", NULL: none)
 * with stdout to DIR/out and stderr to DIR/err; returns the exit code. */
static int tiersim_env(struct fixture *f, const char *env, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cd '%s' && env %s '%s' %s > '%s/out' 2> '%s/err'",
             TS_SOURCE_DIR, env ? env : "", f->exe, args, f->dir, f->dir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int tiersim(struct fixture *f, const char *args)
{
    return tiersim_env(f, NULL, args);
}

static char *slurp(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return file_test_slurp(path, NULL);
}

/* tiersim with printf-style arguments; asserts exit 0 and returns its stdout (free it). */
static char *tiersim_ok(struct fixture *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *tiersim_ok(struct fixture *f, const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    int rc = tiersim(f, args);
    if (rc != 0) {
        char *err = slurp(f->dir, "err");
        fail_msg("tiersim %s exited %d: %s", args, rc, err ? err : "");
    }
    char *out = slurp(f->dir, "out");
    assert_non_null(out);
    return out;
}

static void test_cli_default_run_prints_a_report(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "run"), 0);
    char *out = slurp(f->dir, "out");
    assert_non_null(out);
    assert_non_null(strstr(out, "miss ratio"));
    assert_non_null(strstr(out, "requests/s"));
    free(out);
}

static void test_cli_json_is_deterministic_and_complete(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "run --json"), 0);
    char *a = slurp(f->dir, "out");
    assert_int_equal(tiersim(f, "run --json"), 0);
    char *b = slurp(f->dir, "out");
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    assert_int_equal(tiersim(f, "run --json -s seed=43"), 0);
    char *c = slurp(f->dir, "out");
    assert_string_not_equal(a, c);

    json_error_t jerr;
    json_t *doc = json_loads(a, 0, &jerr);
    assert_non_null(doc);
    json_t *tiers = json_object_get(doc, "tiers");
    assert_true(json_is_array(tiers) && json_array_size(tiers) >= 1);
    static const char *const fields[] = {"name",      "policy",     "capacity",
                                         "requests",  "hits",       "misses",
                                         "miss_ratio", "byte_miss_ratio", "evictions"};
    for (size_t t = 0; t < json_array_size(tiers); t++) {
        json_t *tier = json_array_get(tiers, t);
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
            if (!json_object_get(tier, fields[i]))
                fail_msg("tier %zu lacks %s", t, fields[i]);
        json_int_t req = json_integer_value(json_object_get(tier, "requests"));
        json_int_t hit = json_integer_value(json_object_get(tier, "hits"));
        json_int_t mis = json_integer_value(json_object_get(tier, "misses"));
        assert_int_equal(req, hit + mis);
    }
    assert_non_null(json_object_get(doc, "totals"));
    json_decref(doc);
    free(a);
    free(b);
    free(c);
}

/* The timed engine's JSON: deterministic (simulated time only), with latency percentiles
 * in order, one timed request per get or put, and utilisations that are shares. */
static void test_cli_timed_json_is_deterministic_and_consistent(void **state)
{
    struct fixture *f = *state;
    const char *args = "run examples/timed-gpu-tiers.yaml --json "
                       "-s workload.generator.requests=20000 -s workload.generator.keys=5000";
    char *a = tiersim_ok(f, "%s", args);
    char *b = tiersim_ok(f, "%s", args);
    assert_string_equal(a, b);
    json_error_t jerr;
    json_t *doc = json_loads(a, 0, &jerr);
    assert_non_null(doc);
    json_t *timed = json_object_get(doc, "timed");
    assert_non_null(timed);
    json_t *totals = json_object_get(doc, "totals");
    json_int_t gets = json_integer_value(json_object_get(totals, "gets"));
    json_int_t puts = json_integer_value(json_object_get(totals, "puts"));
    assert_int_equal(json_integer_value(json_object_get(timed, "timed_requests")), gets + puts);
    json_t *all = json_object_get(json_object_get(timed, "latency"), "all");
    static const char *const order[] = {"p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns"};
    for (size_t i = 1; i < sizeof(order) / sizeof(order[0]); i++)
        assert_true(json_integer_value(json_object_get(all, order[i - 1])) <=
                    json_integer_value(json_object_get(all, order[i])));
    json_t *res = json_object_get(timed, "resources");
    assert_true(json_array_size(res) >= 4);
    for (size_t i = 0; i < json_array_size(res); i++) {
        double u = json_real_value(json_object_get(json_array_get(res, i), "utilisation"));
        assert_true(u >= 0 && u <= 1);
    }
    json_decref(doc);
    free(a);
    free(b);
}

/* A closed loop reports the accelerator's utilisation: compute / (compute + stall). */
static void test_cli_timed_closed_loop_reports_utilisation(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "run examples/timed-gpu-tiers.yaml --json "
                              "-s workload.generator.requests=5000 -s timed.arrivals=closed "
                              "-s timed.clients=4 -s timed.think=1ms");
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    json_t *timed = json_object_get(doc, "timed");
    double compute = (double)json_integer_value(json_object_get(timed, "compute_ns"));
    double stall = (double)json_integer_value(json_object_get(timed, "stall_ns"));
    double u = json_real_value(json_object_get(timed, "accelerator_utilisation"));
    /* 5000 requests over 4 clients: every request but each client's first follows a think */
    assert_true(compute == (5000.0 - 4.0) * 1e6);
    assert_float_equal(u, compute / (compute + stall), 1e-12);
    assert_true(u > 0 && u < 1);
    json_decref(doc);
    free(out);
}

static void test_cli_override_changes_the_named_key(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "run --json -s tiers.0.capacity=123"), 0);
    char *out = slurp(f->dir, "out");
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    json_t *t0 = json_array_get(json_object_get(doc, "tiers"), 0);
    assert_int_equal(json_integer_value(json_object_get(t0, "capacity")), 123);
    json_decref(doc);
    free(out);
}

static void test_cli_every_example_runs(void **state)
{
    struct fixture *f = *state;
    DIR *d = opendir(TS_SOURCE_DIR "/examples");
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        char args[512];
        snprintf(args, sizeof(args), "run -q examples/%s", e->d_name);
        int rc = tiersim(f, args);
        if (rc != 0) {
            char *err = slurp(f->dir, "err");
            fail_msg("examples/%s exited %d: %s", e->d_name, rc, err ? err : "");
        }
        n++;
    }
    closedir(d);
    assert_true(n >= 2);
}

static void test_cli_trace_gen_then_info(void **state)
{
    struct fixture *f = *state;
    free(tiersim_ok(f, "trace gen -s workload.generator.requests=5000 -o '%s/t.tsim'", f->dir));
    char *out = tiersim_ok(f, "trace info '%s/t.tsim'", f->dir);
    assert_non_null(strstr(out, "requests     5000\n"));
    free(out);
}

/* examples/tiny.csv by hand: 12 requests over keys 1..6; first sizes 4+4+8+4+16+4 KiB =
 * 40 KiB; nine 4 KiB, two 8 KiB and one 16 KiB request = 68 KiB; times 0..110 in ns. */
static void test_cli_trace_convert_with_reader_params(void **state)
{
    struct fixture *f = *state;
    free(tiersim_ok(f, "trace convert examples/tiny.csv '%s/t.tsim' -p time_unit=ns", f->dir));
    char *out = tiersim_ok(f, "trace info '%s/t.tsim'", f->dir);
    static const char *const want[] = {"requests     12\n", "unique keys  6\n",
                                       "footprint    40KiB (40960 bytes)\n",
                                       "requested    68KiB\n", "time span    110ns\n",
                                       "get 12 (100.0%)"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(out, want[i]))
            fail_msg("trace info lacks '%s' in:\n%s", want[i], out);
    free(out);
    /* Without the parameter the times are read as seconds. */
    out = tiersim_ok(f, "trace info examples/tiny.csv");
    assert_non_null(strstr(out, "time span    110s\n"));
    free(out);
    /* A misspelt parameter: one line naming it, with a suggestion, exit 1. */
    assert_int_equal(tiersim(f, "trace info examples/tiny.csv -p time_unt=ns"), 1);
    char *err = slurp(f->dir, "err");
    assert_non_null(err);
    assert_string_equal(err, "tiersim: error: csv.time_unt: unknown key 'time_unt' (did you "
                             "mean 'time_unit'?)\n");
    free(err);
    assert_int_equal(tiersim(f, "trace info examples/tiny.csv -p time_unit"), 2);
}

/* The trace verbs read a directory of agent-session conversations: b.json is cut short
 * (passed over with --skip-bad 1), c.json has 2 + 3 prompt blocks (ids 1, 2 and 1, 2, 3:
 * 5 gets over 3 keys), its calls at 0 and 3 s, each block 64 tokens x Llama-3.1-70B's
 * 320 KiB = 20 MiB. */
static void test_cli_trace_verbs_read_agent_sessions(void **state)
{
    struct fixture *f = *state;
    char path[512];
    snprintf(path, sizeof(path), "%s/conv", f->dir);
    assert_int_equal(mkdir(path, 0755), 0);
    static const char *const files[][2] = {
        {"b.json", "{"},
        {"c.json", "{\"block_size\": 64, \"requests\": [{\"t\": 0, \"type\": \"s\", \"in\": 128, "
                   "\"out\": 1, \"hash_ids\": [1, 2]}, {\"t\": 3, \"type\": \"s\", \"in\": 192, "
                   "\"out\": 1, \"hash_ids\": [1, 2, 3]}]}"},
    };
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/conv/%s", f->dir, files[i][0]);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        fputs(files[i][1], fp);
        fclose(fp);
    }
    assert_int_equal(tiersim(f, "trace info x --format agent_sessions"), 1);
    char *out = tiersim_ok(f, "trace info '%s/conv' --format agent_sessions --skip-bad 1", f->dir);
    static const char *const want[] = {"requests     5\n", "unique keys  3\n",
                                       "footprint    60MiB", "time span    3s\n"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(out, want[i]))
            fail_msg("trace info lacks '%s' in:\n%s", want[i], out);
    free(out);
    char *err = slurp(f->dir, "err");
    assert_non_null(err);
    assert_non_null(strstr(err, "passed over 1 malformed record; the first: "));
    assert_non_null(strstr(err, "conv/b.json: invalid JSON at line 1"));
    free(err);
    free(tiersim_ok(f, "trace convert '%s/conv' '%s/c.tsim' --from agent_sessions --skip-bad 1",
                    f->dir, f->dir));
    out = tiersim_ok(f, "trace info '%s/c.tsim'", f->dir);
    assert_non_null(strstr(out, "requests     5\n"));
    free(out);
    out = tiersim_ok(f, "trace head '%s/conv/c.json' --format agent_sessions -n 1", f->dir);
    assert_non_null(strstr(out, " 3s\n")); /* the first call's hint: 3 s */
    free(out);
    snprintf(path, sizeof(path), "trace head '%s/conv' --format agent_sessions", f->dir);
    assert_int_equal(tiersim(f, path), 1); /* without --skip-bad: b.json stops it */
}

/* trace head prints the first records; trace info --json is one JSON object; a window of
 * [20 s, 60 s) keeps the requests at 20, 30, 40 and 50 s of examples/tiny.csv (times in s). */
static void test_cli_trace_head_json_and_window(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "trace head examples/tiny.csv -n 3");
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4); /* the heading and three records */
    assert_non_null(strstr(out, " 20s ")); /* the third request's time, exactly */
    free(out);
    out = tiersim_ok(f, "trace info examples/tiny.csv --json --start 20s --end 60s");
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "requests")), 4);
    assert_int_equal(json_integer_value(json_object_get(doc, "first_time_ns")), 20000000000ll);
    json_decref(doc);
    free(out);
    assert_int_equal(tiersim(f, "trace info examples/tiny.csv --sample 0"), 2);
}

/* -o DIR writes the four result files; result.h5 holds the time series, sampled with the
 * automatic interval: the built-in run is long enough to merge, so it ends with between
 * half the default 1000 points and all of them. outputs.hdf5=false leaves it out. */
static void test_cli_outputs_dir(void **state)
{
    struct fixture *f = *state;
    free(tiersim_ok(f, "run -q -o '%s/res'", f->dir));
    static const char *const files[] = {"res/result.json", "res/tiers.csv", "res/report.txt",
                                        "res/result.h5"};
    for (size_t i = 0; i < 4; i++) {
        char *s = slurp(f->dir, files[i]);
        if (!s || !s[0])
            fail_msg("%s missing or empty", files[i]);
        free(s);
    }
    char path[600];
    snprintf(path, sizeof(path), "%s/res/result.h5", f->dir);
    ts_result_h5_t *h5 = NULL;
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    ts_err_t err = {0};
    assert_non_null(res);
    assert_int_equal(ts_result_h5_open(path, &h5, &err), 0);
    assert_int_equal(ts_result_h5_read(h5, 0, res, &err), 0);
    assert_non_null(res->series);
    assert_true(res->series->n_merges > 0);
    assert_in_range(res->series->n_points, 500, 1000);
    assert_non_null(strstr(res->scenario_yaml, "name: default"));
    ts_result_h5_close(h5);
    ts_result_release(res);
    ts_free(res);
    free(tiersim_ok(f, "run -q -o '%s/res2' -s outputs.hdf5=false", f->dir));
    char *s = slurp(f->dir, "res2/result.h5");
    assert_null(s);
}

/* -q: run prints nothing at all; trace convert leaves out its closing line. */
static void test_cli_quiet_prints_nothing(void **state)
{
    struct fixture *f = *state;
    char args[1024];
    snprintf(args, sizeof(args), "trace convert examples/tiny.csv '%s/t.tsim' -q", f->dir);
    const char *const cases[] = {"run -q", "run -q examples/csv-trace.yaml", args};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(tiersim(f, cases[i]), 0);
        char *out = slurp(f->dir, "out"), *err = slurp(f->dir, "err");
        if (!out || !err || out[0] || err[0])
            fail_msg("%s printed '%s' and '%s'", cases[i], out ? out : "", err ? err : "");
        free(out);
        free(err);
    }
}

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

/* Writes text to DIR/name and puts that path in path. */
static void cli_put_file(struct fixture *f, const char *name, const char *text, char *path,
                         size_t size)
{
    snprintf(path, size, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Entries of dir other than . and .. */
static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
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
        {"sweep --vary seed=1 --shard 4/4", "--shard expects I/N with 0 <= I < N <= 10000"},
        {"sweep --vary seed=1 --shard 1", "--shard expects I/N with 0 <= I < N <= 10000"},
        {"sweep --vary seed=1 --shard -1/4", "--shard expects I/N with 0 <= I < N <= 10000"},
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

static void test_cli_errors_are_one_line(void **state)
{
    struct fixture *f = *state;
    char path[512];
    cli_put_file(f, "bad.yaml",
                 "seed: 1\nworkload:\n  generator: {kind: zipf}\ntiers:\n  - {name: a, "
                 "capacity: 12x, policy: lru}\n",
                 path, sizeof(path));
    char args[1024];
    snprintf(args, sizeof(args), "run '%s'", path);
    assert_int_equal(tiersim(f, args), 1);
    char *err = slurp(f->dir, "err");
    assert_non_null(err);
    assert_non_null(strstr(err, "tiersim: error: "));
    assert_non_null(strstr(err, "bad.yaml:5:"));
    assert_non_null(strstr(err, "12x"));
    assert_non_null(strchr(err, '\n'));
    assert_null(strchr(strchr(err, '\n') + 1, '\n'));
    free(err);

    assert_int_equal(tiersim(f, "runn"), 2);
    err = slurp(f->dir, "err");
    assert_non_null(strstr(err, "did you mean 'run'"));
    free(err);
    assert_int_equal(tiersim(f, "run /nonexistent/scenario.yaml"), 1);
    assert_int_equal(tiersim(f, "run -s tiers.0.policy=lruu"), 1);
    err = slurp(f->dir, "err");
    assert_non_null(strstr(err, "did you mean 'lru'"));
    free(err);
}

static void test_cli_list_shows_every_policy(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "list policies"), 0);
    char *out = slurp(f->dir, "out");
    static const char *const names[] = {"fifo", "lru", "clock", "lfu", "arc", "s3fifo",
                                        "sieve", "opt"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strstr(out, names[i]))
            fail_msg("list policies lacks %s", names[i]);
    free(out);
}

/* Whether the table row of out that starts with "  name " contains text. */
static int cli_row_has(const char *out, const char *name, const char *text)
{
    char key[80];
    snprintf(key, sizeof(key), "\n  %s ", name);
    const char *row = strstr(out, key);
    if (!row)
        return 0;
    const char *eol = strchr(row + 1, '\n');
    const char *hit = strstr(row, text);
    return hit && (!eol || hit < eol);
}

static void test_cli_list_devices_shows_presets_and_fields(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "list devices");
    static const struct {
        const char *name, *figures[3];
    } rows[] = {
        {"h100-sxm", {"80GB", "3.35TB/s", "pcie-gen5-x16"}},
        {"gb200", {"186GB", "8TB/s", "nvlink-c2c"}},
        {"micron-9550-max", {"6.4TB", "14GB/s", "10GB/s"}},
        {"ddr5-4800-8ch", {"512GiB", "307GB/s", "100ns"}},
        {"s3-standard", {"object_store", "30ms", "625MB/s per request"}},
        {"pcie-gen5-x16", {"63GB/s", "1us", "PCIe 5.0"}},
        {"eth-400g", {"50GB/s", "10us", "400 Gb"}},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        for (size_t k = 0; k < 3; k++)
            if (!cli_row_has(out, rows[i].name, rows[i].figures[k]))
                fail_msg("row %s lacks %s in:\n%s", rows[i].name, rows[i].figures[k], out);
    static const char *const text[] = {"raid0:<N>x<drive>", "device fields", "link fields",
                                       "read_bw          a bandwidth (e.g. 25GB/s",
                                       "bandwidth        a bandwidth"};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        if (!strstr(out, text[i]))
            fail_msg("list devices lacks '%s'", text[i]);
    free(out);

    out = tiersim_ok(f, "list");
    assert_non_null(strstr(out, "policies:"));
    assert_true(cli_row_has(out, "kioxia-cm7-r", "nvme"));
    free(out);
    assert_int_equal(tiersim(f, "list devics"), 2);
    char *err = slurp(f->dir, "err");
    assert_non_null(strstr(err, "did you mean 'devices'"));
    free(err);
    assert_int_equal(tiersim(f, "list policies extra"), 2);

    /* A user catalogue adds a row and edits a preset; a bad one is one line with its place. */
    char path[512];
    cli_put_file(f, "mine.yaml",
                 "devices:\n  my-drive: {like: samsung-pm9a3, capacity: 3.84TB}\n"
                 "  h100-sxm: {capacity: 94GB}\n",
                 path, sizeof(path));
    out = tiersim_ok(f, "list devices '%s'", path);
    assert_true(cli_row_has(out, "my-drive", "3.84TB"));
    assert_true(cli_row_has(out, "h100-sxm", "94GB"));
    free(out);
    cli_put_file(f, "bad.yaml", "devices:\n  my-drive: {like: samsung-pm9a3, read_bw: 7GB}\n",
                 path, sizeof(path));
    char args[1024];
    snprintf(args, sizeof(args), "list devices '%s'", path);
    assert_int_equal(tiersim(f, args), 1);
    err = slurp(f->dir, "err");
    assert_non_null(strstr(err, "bad.yaml:2:44: devices.my-drive.read_bw: expected a bandwidth"));
    assert_null(strchr(strchr(err, '\n') + 1, '\n'));
    free(err);
}

/* The price table's rows with the prices of sim/presets/prices.yaml, and the cost keys;
 * `list` alone ends with them. */
static void test_cli_list_prices_shows_rows_and_keys(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "list prices");
    static const struct {
        const char *name, *figure;
    } rows[] = {
        {"kind:dram", "$4/GB"},
        {"kind:nvme", "$0.1/GB"},
        {"kind:object_store", "$0.023/GiB-month"},
        {"kind:object_store", "$0.0004/1000"},
        {"h100-sxm", "$2.99/h"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (!cli_row_has(out, rows[i].name, rows[i].figure))
            fail_msg("row %s lacks %s in:\n%s", rows[i].name, rows[i].figure, out);
    static const char *const text[] = {"backing.cost keys only:", "egress", "gpu_price",
                                       "electricity", "lifetime"};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        if (!strstr(out, text[i]))
            fail_msg("list prices lacks '%s'", text[i]);
    free(out);
    out = tiersim_ok(f, "list");
    assert_true(cli_row_has(out, "kind:object_store", "$0.005/1000"));
    free(out);
}

/* The model presets with their KV bytes per token (2 x layers x kv heads x head dim x 2;
 * MLA layers x 576 x 2), the inference generator's parameters, and its trace: Llama-3.1-70B
 * blocks of 256 tokens are 327680 x 256 bytes = 80MiB. */
static void test_cli_list_models_and_gen_inference(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "list models");
    static const struct {
        const char *name, *figures[2];
    } rows[] = {
        {"llama-3.1-8b", {"131072", "8x128"}},   {"llama-3.1-70b", {"327680", "141GB"}},
        {"llama-3.1-405b", {"516096", "126"}},   {"qwen2.5-72b", {"327680", "72.71B"}},
        {"deepseek-v3", {"70272", "MLA"}},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        for (size_t k = 0; k < 2; k++)
            if (!cli_row_has(out, rows[i].name, rows[i].figures[k]))
                fail_msg("row %s lacks %s in:\n%s", rows[i].name, rows[i].figures[k], out);
    free(out);
    out = tiersim_ok(f, "list generators");
    assert_true(cli_row_has(out, "inference", "KV blocks"));
    assert_non_null(strstr(out, "block_tokens"));
    free(out);
    free(tiersim_ok(f, "trace gen examples/inference-llama70b.yaml "
                       "-s workload.generator.requests=3000 -o '%s/i.tsim'",
                    f->dir));
    out = tiersim_ok(f, "trace info '%s/i.tsim'", f->dir);
    if (!strstr(out, "requests     3000\n") || !strstr(out, "min 80MiB  mean 80MiB  max 80MiB"))
        fail_msg("trace info of the inference trace:\n%s", out);
    free(out);
}

/* The longest line of text, in columns (bytes: the lists are ASCII). */
static size_t cli_widest_line(const char *text, const char **where)
{
    size_t widest = 0;
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        if (n > widest) {
            widest = n;
            *where = line;
        }
        line += n + (line[n] == '\n');
    }
    return widest;
}

/* `tiersim list` and `tiersim list KIND` for every KIND it accepts (as its error for an
 * unknown one lists them) fit in 100 columns: long help wraps under its column. */
static void test_cli_list_fits_100_columns(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "list zzzzzzzzzzzzzzzz"), 2);
    char *err = slurp(f->dir, "err");
    assert_non_null(err);
    const char *kinds = strstr(err, "; expected ");
    assert_non_null(kinds);
    kinds += strlen("; expected ");
    char list[512];
    snprintf(list, sizeof(list), "%.*s", (int)strcspn(kinds, "\n"), kinds);
    free(err);
    size_t n_kinds = 0;
    for (char *save = NULL, *w = strtok_r(list, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
        if (strcmp(w, "or") == 0)
            continue;
        char args[64];
        snprintf(args, sizeof(args), "list %s", w);
        char *out = tiersim_ok(f, "%s", args);
        const char *at = out;
        size_t widest = cli_widest_line(out, &at);
        if (widest > 100)
            fail_msg("tiersim %s: a line of %zu columns: %.*s", args, widest, (int)widest, at);
        free(out);
        n_kinds++;
    }
    assert_true(n_kinds >= 8); /* five plug-in kinds, models, devices, prices */
    char *out = tiersim_ok(f, "list");
    const char *at = out;
    size_t widest = cli_widest_line(out, &at);
    if (widest > 100)
        fail_msg("tiersim list: a line of %zu columns: %.*s", widest, (int)widest, at);
    free(out);
}

/* "wrote" lines go to stderr, never stdout, and -q silences them: trace gen and convert say
 * how many requests they wrote (examples/csv-trace.yaml's trace, examples/tiny.csv, has 12),
 * report -o FILE and --html FILE name the file. */
static void test_cli_wrote_lines_on_stderr_and_quiet(void **state)
{
    struct fixture *f = *state;
    char args[1024], want[1024];
    snprintf(args, sizeof(args), "trace gen examples/csv-trace.yaml -o '%s/t.tsim'", f->dir);
    assert_int_equal(tiersim(f, args), 0);
    char *out = slurp(f->dir, "out"), *err = slurp(f->dir, "err");
    snprintf(want, sizeof(want), "tiersim: wrote 12 requests to %s/t.tsim (native)\n", f->dir);
    assert_string_equal(out, "");
    assert_string_equal(err, want);
    free(out);
    free(err);
    free(tiersim_ok(f, "run examples/csv-trace.yaml -q -o '%s/r'", f->dir));
    static const char *const cases[][2] = {
        {"trace gen examples/csv-trace.yaml -o '%s/t2.tsim'", "t2.tsim"},
        {"trace convert examples/tiny.csv '%s/t3.tsim'", "t3.tsim"},
        {"report '%s/r/result.h5' -o '%s/r.txt'", "r.txt"},
        {"report '%s/r/result.h5' --html '%s/r.html'", "r.html"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int quiet = 0; quiet < 2; quiet++) {
            char cmd[900];
            snprintf(cmd, sizeof(cmd), cases[i][0], f->dir, f->dir);
            snprintf(args, sizeof(args), "%s%s", cmd, quiet ? " -q" : "");
            int rc = tiersim(f, args);
            out = slurp(f->dir, "out");
            err = slurp(f->dir, "err");
            if (rc != 0 || !out || out[0] || !err)
                fail_msg("%s: exit %d, stdout '%s'", args, rc, out ? out : "");
            /* gnuplot may be missing: a warning line, never a "wrote" on stdout */
            int said = strstr(err, "tiersim: wrote ") && strstr(err, cases[i][1]);
            if (said == (quiet != 0))
                fail_msg("%s: stderr '%s'", args, err);
            free(out);
            free(err);
        }
    }
    /* report -o FILE holds what report prints on stdout */
    char *text = tiersim_ok(f, "report '%s/r/result.h5'", f->dir);
    char *file = slurp(f->dir, "r.txt");
    assert_non_null(file);
    assert_string_equal(text, file);
    free(file);
    char *dash = tiersim_ok(f, "report '%s/r/result.h5' -o -", f->dir);
    assert_string_equal(text, dash);
    free(dash);
    free(text);
}

/* -o - writes a single output file to stdout and nothing else there, with no "wrote" line:
 * trace gen's native trace starts with the 8-byte magic "TSIMTRC\0" and holds the 64-byte
 * header and 40 bytes for each of examples/tiny.csv's 12 requests (64 + 12 x 40 = 544), and
 * reads back; trace convert IN - gives the same bytes; report --html - gives the page. */
static void test_cli_dash_writes_to_stdout(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "trace gen examples/csv-trace.yaml -o -"), 0);
    char path[512];
    snprintf(path, sizeof(path), "%s/out", f->dir);
    size_t len = 0;
    char *trace = file_test_slurp(path, &len);
    char *err = slurp(f->dir, "err");
    assert_non_null(trace);
    assert_string_equal(err, "");
    free(err);
    assert_int_equal(len, 64 + 12 * 40);
    assert_memory_equal(trace, "TSIMTRC\0", 8);
    snprintf(path, sizeof(path), "%s/gen.tsim", f->dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(trace, 1, len, fp), len);
    fclose(fp);
    char *info = tiersim_ok(f, "trace info '%s'", path);
    assert_non_null(strstr(info, "requests     12\n"));
    assert_non_null(strstr(info, "(native)"));
    free(info);
    /* the same requests through convert: the same bytes (csv-trace.yaml reads tiny.csv
     * with time_unit=ns) */
    assert_int_equal(tiersim(f, "trace convert examples/tiny.csv - -p time_unit=ns"), 0);
    snprintf(path, sizeof(path), "%s/out", f->dir);
    size_t len2 = 0;
    char *conv = file_test_slurp(path, &len2);
    assert_non_null(conv);
    assert_int_equal(len2, len);
    assert_memory_equal(conv, trace, len);
    err = slurp(f->dir, "err");
    assert_string_equal(err, "");
    free(err);
    free(conv);
    free(trace);
    /* no scratch left behind in TMPDIR */
    char tmp[600], env[700];
    snprintf(tmp, sizeof(tmp), "%s/tmp", f->dir);
    assert_int_equal(mkdir(tmp, 0755), 0);
    snprintf(env, sizeof(env), "TMPDIR=%s", tmp);
    assert_int_equal(tiersim_env(f, env, "trace gen examples/csv-trace.yaml -o - -q"), 0);
    assert_int_equal(dir_entries(tmp), 0);
    free(tiersim_ok(f, "run examples/csv-trace.yaml -q -o '%s/r'", f->dir));
    char *page = tiersim_ok(f, "report '%s/r/result.h5' --html -", f->dir);
    assert_true(strncmp(page, "<!DOCTYPE html>", 15) == 0);
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_default_run_prints_a_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_json_is_deterministic_and_complete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_timed_json_is_deterministic_and_consistent,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_timed_closed_loop_reports_utilisation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_override_changes_the_named_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_every_example_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_trace_gen_then_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_trace_convert_with_reader_params, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_trace_head_json_and_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_trace_verbs_read_agent_sessions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_outputs_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_quiet_prints_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_mrc_table_csv_and_plot_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_sweep_table_files_and_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_errors_are_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_shows_every_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_devices_shows_presets_and_fields, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_prices_shows_rows_and_keys, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_fits_100_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_models_and_gen_inference, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_wrote_lines_on_stderr_and_quiet, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_dash_writes_to_stdout, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
