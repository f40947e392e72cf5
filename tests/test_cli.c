/* SPDX-License-Identifier: MIT */
/*
 * test_cli.c - the tiersim executable end to end, `tiersim run` (app/cli_run.c) and the
 * errors every verb shares (app/cli.c): the built-in default runs, the same seed gives
 * byte-identical JSON, the timed engine's JSON is deterministic and consistent, a closed
 * loop reports utilisation, overrides change what they name, every example scenario runs,
 * outputs land in -o DIR, -q prints nothing, and errors are one line with a non-zero exit;
 * a live run decides as the fast engine, and of an inference scenario measures the time to
 * first token of as many LLM calls as its prediction.
 * The other verbs are in test_cli_trace.c, test_cli_sweep.c and test_cli_list.c, help and
 * usage in test_cli_help.c; the fixture is tests/cli_test.h.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "reports/h5.h"
#include "sim/util/mem.h"
#include "cli_test.h"

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
    static const char *const fields[] = {"name",     "policy", "capacity",   "requests",
                                         "hits",     "misses", "miss_ratio", "byte_miss_ratio",
                                         "evictions"};
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

/* An open loop ten times faster than the example's: the backing store (S3) is overloaded,
 * which standard error and the JSON say; with timed.max_in_flight = 500 the run stops
 * there, exit 1, partial, its reason naming the limit, the time and the device. */
static void test_cli_timed_overload_is_reported_and_capped(void **state)
{
    struct fixture *f = *state;
    const char *args = "run examples/timed-gpu-tiers.yaml --json -s workload.generator.requests=20000 "
                       "-s workload.generator.keys=5000 -s timed.time_scale=0.1";
    char cmd[512];
    for (int cut = 0; cut < 2; cut++) {
        snprintf(cmd, sizeof(cmd), "%s%s", args, cut ? " -s timed.max_in_flight=500" : "");
        assert_int_equal(tiersim(f, cmd), cut ? 1 : 0);
        char *err = slurp(f->dir, "err"), *out = slurp(f->dir, "out");
        assert_non_null(strstr(err, "tiersim: warning: backing: s3-standard is overloaded: "
                                    "offered "));
        json_error_t jerr;
        json_t *doc = json_loads(out, 0, &jerr);
        json_t *timed = json_object_get(doc, "timed");
        assert_int_equal(json_integer_value(json_object_get(timed, "overloaded")), 1);
        assert_true(json_is_true(json_object_get(timed, "partial")) == cut);
        if (cut) {
            assert_non_null(strstr(err, "tiersim: 500 jobs in flight (timed.max_in_flight) at "));
            assert_non_null(strstr(err, "of simulated time: backing: s3-standard is overloaded"));
            assert_non_null(strstr(err, "its report is partial"));
        }
        json_decref(doc);
        free(err);
        free(out);
    }
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

/* The live engine decides what the fast engine decides: for each live example, the tiers'
 * counters (tiers.csv) of `tiersim live` and of `tiersim run -s engine=fast` are the same
 * bytes, and the live run leaves nothing in its scratch directory. */
static void test_cli_live_decides_as_fast(void **state)
{
    struct fixture *f = *state;
    static const char *const ex[] = {"live-memory-file", "live-three-level", "live-inference"};
    for (size_t i = 0; i < 3; i++) {
        free(tiersim_ok(f, "live examples/%s.yaml -q --scratch '%s/scr%zu' -o '%s/live%zu'", ex[i],
                        f->dir, i, f->dir, i));
        free(tiersim_ok(f, "run examples/%s.yaml -q -s engine=fast -o '%s/fast%zu'", ex[i], f->dir,
                        i));
        char a[64], b[64], scr[64];
        snprintf(a, sizeof(a), "live%zu/tiers.csv", i);
        snprintf(b, sizeof(b), "fast%zu/tiers.csv", i);
        snprintf(scr, sizeof(scr), "scr%zu", i);
        char *live = slurp(f->dir, a), *fast = slurp(f->dir, b);
        assert_non_null(live);
        assert_non_null(fast);
        if (strcmp(live, fast) != 0)
            fail_msg("%s: the live run's tiers.csv differs from the fast run's", ex[i]);
        free(live);
        free(fast);
        char path[1200];
        snprintf(path, sizeof(path), "%s/%s", f->dir, scr);
        DIR *d = opendir(path);
        assert_non_null(d);
        for (struct dirent *e; (e = readdir(d));)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                fail_msg("%s: %s left in the scratch directory", ex[i], e->d_name);
        closedir(d);
    }
}

/* A live run of an inference scenario measures the time to first token of the same LLM
 * calls the timed engine predicts: its report sets the measured p50, p90 and p99 beside a
 * prediction (not "-"), and result.json counts as many groups measured as predicted, and
 * the same prefill tokens saved and recomputed (the decisions are the same). */
static void test_cli_live_inference_measures_ttft(void **state)
{
    struct fixture *f = *state;
    free(tiersim_ok(f, "live examples/live-inference.yaml -q -o '%s/inf'", f->dir));
    char *txt = slurp(f->dir, "inf/report.txt");
    assert_non_null(txt);
    static const char *const rows[] = {"time to first token p50", "time to first token p90",
                                       "time to first token p99"};
    for (size_t i = 0; i < 3; i++) {
        const char *row = strstr(txt, rows[i]);
        if (!row)
            fail_msg("no '%s' row in the live report", rows[i]);
        char m[32], p[32], e[32];
        assert_int_equal(sscanf(row + strlen(rows[i]), "%31s %31s %31s", m, p, e), 3);
        if (!strcmp(p, "-") || !strcmp(e, "-"))
            fail_msg("'%s': no prediction beside %s", rows[i], m);
    }
    assert_non_null(strstr(txt, "  prefill tokens "));
    free(txt);
    char path[1200];
    snprintf(path, sizeof(path), "%s/inf/result.json", f->dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    assert_non_null(root);
    json_t *mt = json_object_get(json_object_get(json_object_get(root, "live"), "measured"),
                                 "ttft");
    json_t *pt = json_object_get(json_object_get(root, "timed"), "ttft");
    assert_non_null(mt);
    assert_non_null(pt);
    json_int_t n = json_integer_value(json_object_get(mt, "count"));
    assert_true(n > 0);
    assert_int_equal(n, json_integer_value(json_object_get(pt, "count")));
    /* the same decisions: the same blocks saved and recomputed */
    json_t *lm = json_object_get(json_object_get(root, "live"), "measured"),
           *tm = json_object_get(root, "timed");
    static const char *const tok[] = {"prefill_tokens_saved", "prefill_tokens_recomputed",
                                      "kv_recomputed"};
    for (size_t i = 0; i < 3; i++) {
        json_int_t a = json_integer_value(json_object_get(lm, tok[i]));
        if (a != json_integer_value(json_object_get(tm, tok[i])))
            fail_msg("%s: %lld measured, %lld predicted", tok[i], (long long)a,
                     (long long)json_integer_value(json_object_get(tm, tok[i])));
    }
    assert_true(json_integer_value(json_object_get(lm, "kv_recomputed")) > 0);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_default_run_prints_a_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_json_is_deterministic_and_complete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_timed_json_is_deterministic_and_consistent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_timed_overload_is_reported_and_capped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_timed_closed_loop_reports_utilisation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_override_changes_the_named_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_every_example_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_live_decides_as_fast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_live_inference_measures_ttft, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_outputs_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_quiet_prints_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_errors_are_one_line, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
