/* SPDX-License-Identifier: MIT */
/*
 * test_sweep.c - sweeps: an axis splits at the commas outside brackets and quotes; the
 * points are the axes' product, the last axis fastest; the scenario's `sweep:` axes run,
 * a given axis replacing the scenario's of its key; LRU and FIFO on a cyclic loop hit
 * nothing below its length and all but the cold misses from it on, at every point; each
 * point gives exactly what a run of its overrides gives, with one thread or two, whether
 * the footprint is shared or measured per point; the shards of a job array cover the grid
 * once; a bad value is refused before any run,
 * naming its point; each point's result is sized by its run (a bound counted by hand) and
 * shares the sweep's copy of the scenario's text; the table fits 100 columns, the CSV
 * holds every point, and result.h5 holds every run with its overrides.
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

#include "file_test.h"
#include "scenarios_test.h"
#include "reports/h5.h"
#include "reports/sweep_report.h"
#include "scratch_test.h"
#include "sim/util/mem.h"
#include "app/run.h"
#include "app/scenario.h"
#include "app/sweep.h"

static const char k_loop[] = "name: loop\n" TS_TEST_LOOP_YAML;

/* Zipf over two tiers with shares of the footprint as capacities. */
static const char k_zipf[] = "name: zipf\n" TS_TEST_ZIPF_YAML;

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static ts_sweep_t *sweep_ok(const char *yaml, const char *const *axes, size_t n_axes, int threads)
{
    ts_sweep_spec_t spec = {.yaml = yaml, .axes = axes, .n_axes = n_axes, .threads = threads};
    ts_sweep_t *s = NULL;
    ts_err_t err = {0};
    if (ts_sweep_run(&spec, &s, &err))
        fail_msg("sweep: %s: %s", err.where, err.msg);
    return s;
}

static void test_sweep_axis_splits_at_top_level_commas(void **state)
{
    (void)state;
    ts_sweep_axis_t a;
    ts_err_t err = {0};
    assert_int_equal(ts_sweep_axis_parse(" tiers.0.capacity = 1%, 2% ,5%", &a, &err), 0);
    assert_string_equal(a.key, "tiers.0.capacity");
    assert_int_equal(a.n_values, 3);
    assert_string_equal(a.values[0], "1%");
    assert_string_equal(a.values[1], "2%");
    assert_string_equal(a.values[2], "5%");
    ts_sweep_axis_release(&a);
    /* a flow mapping or sequence is one value; so is a quoted string with a comma */
    assert_int_equal(ts_sweep_axis_parse("tiers.0.admit={kind: max_size, bytes: 1MiB},"
                                         "{kind: always},[a, b],'x,y',\"u,v\"",
                                         &a, &err),
                     0);
    assert_int_equal(a.n_values, 5);
    assert_string_equal(a.values[0], "{kind: max_size, bytes: 1MiB}");
    assert_string_equal(a.values[1], "{kind: always}");
    assert_string_equal(a.values[2], "[a, b]");
    assert_string_equal(a.values[3], "'x,y'");
    assert_string_equal(a.values[4], "\"u,v\"");
    ts_sweep_axis_release(&a);
    /* one value is an axis too */
    assert_int_equal(ts_sweep_axis_parse("seed=3", &a, &err), 0);
    assert_int_equal(a.n_values, 1);
    ts_sweep_axis_release(&a);
}

static void test_sweep_axis_errors_name_the_axis(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"tiers.0.capacity", "no '='"},   {"=1,2", "expected a key path"},
        {"a b=1", "expected a key path"}, {"k=1,,2", "value 2 is empty"},
        {"k=", "value 1 is empty"},       {"k=1,", "value 2 is empty"},
        {"k={a: 1", "not closed"},        {"k=a]", "closes no bracket"},
        {"k='abc", "not closed"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_sweep_axis_t a;
        ts_err_t err = {0};
        assert_int_equal(ts_sweep_axis_parse(cases[i].text, &a, &err), TS_EPARSE);
        if (!strstr(err.msg, cases[i].msg))
            fail_msg("'%s': message '%s' lacks '%s'", cases[i].text, err.msg, cases[i].msg);
        assert_string_equal(err.where, cases[i].text);
        assert_null(a.key); /* released */
        assert_int_equal(a.n_values, 0);
    }
}

/* LRU and FIFO on a cyclic loop of K = 100 keys, R = 1000 requests: below K every request
 * misses (each key is evicted before it comes back); from K on only the K cold misses do,
 * so the hit ratio is (R - K) / R = 0.9. Six points: 3 capacities x 2 policies. */
static void test_sweep_loop_by_hand(void **state)
{
    (void)state;
    const char *axes[] = {"tiers.0.capacity=50,100,150", "tiers.0.policy=lru,fifo"};
    ts_sweep_t *s = sweep_ok(k_loop, axes, 2, 0);
    assert_int_equal(s->n_points, 6);
    assert_int_equal(s->n_axes, 2);
    static const char *const cap[] = {"50", "50", "100", "100", "150", "150"};
    static const char *const pol[] = {"lru", "fifo", "lru", "fifo", "lru", "fifo"};
    for (size_t p = 0; p < 6; p++) {
        const ts_result_t *r = &s->runs[p];
        assert_string_equal(ts_sweep_value(s, p, 0), cap[p]);
        assert_string_equal(ts_sweep_value(s, p, 1), pol[p]);
        assert_string_equal(r->tiers[0].policy, pol[p]);
        assert_int_equal(r->tiers[0].capacity, strtoull(cap[p], NULL, 10));
        assert_int_equal(r->totals.n_req, 1000);
        assert_int_equal(r->totals.n_hit, p < 2 ? 0 : 900);
        /* the run keeps the point's overrides, axis by axis */
        assert_int_equal(r->n_overrides, 2);
        char want[64];
        snprintf(want, sizeof(want), "tiers.0.capacity=%s", cap[p]);
        assert_string_equal(r->overrides[0], want);
        snprintf(want, sizeof(want), "tiers.0.policy=%s", pol[p]);
        assert_string_equal(r->overrides[1], want);
    }
    ts_sweep_destroy(s);
}

/* The scenario's `sweep:` axes run when no axis is given; a given axis replaces the
 * scenario's of its key in place, and the others follow. */
static void test_sweep_scenario_axes_and_given_ones(void **state)
{
    (void)state;
    static const char yaml[] = "name: loop\n" TS_TEST_LOOP_YAML
                               "sweep:\n"
                               "  tiers.0.capacity: [50, 100]\n"
                               "  tiers.0.policy: [lru, fifo]\n";
    ts_sweep_t *s = sweep_ok(yaml, NULL, 0, 0);
    assert_int_equal(s->n_axes, 2);
    assert_int_equal(s->n_points, 4);
    assert_string_equal(s->axes[0].key, "tiers.0.capacity");
    assert_int_equal(s->runs[0].totals.n_hit, 0);
    assert_int_equal(s->runs[3].totals.n_hit, 900);
    assert_string_equal(s->runs[3].tiers[0].policy, "fifo");
    ts_sweep_destroy(s);
    const char *axes[] = {"seed=1,2,3", "tiers.0.capacity=100,150,200"};
    s = sweep_ok(yaml, axes, 2, 0);
    assert_int_equal(s->n_axes, 3);
    assert_int_equal(s->n_points, 18);
    assert_string_equal(s->axes[0].key, "tiers.0.capacity"); /* in the scenario's place */
    assert_int_equal(s->axes[0].n_values, 3);
    assert_string_equal(s->axes[1].key, "tiers.0.policy");
    assert_string_equal(s->axes[2].key, "seed");
    for (size_t p = 0; p < 18; p++) /* every capacity from 100 up: only the cold misses */
        assert_int_equal(s->runs[p].totals.n_hit, 900);
    assert_string_equal(ts_sweep_value(s, 17, 0), "200");
    assert_string_equal(ts_sweep_value(s, 17, 2), "3");
    ts_sweep_destroy(s);
}

/* Every point equals a run of the same overrides, counter for counter. */
static void assert_same_as_runs(const ts_sweep_t *s, const char *yaml)
{
    for (size_t p = 0; p < s->n_points; p++) {
        const char *ovr[TS_SWEEP_MAX_AXES];
        char buf[TS_SWEEP_MAX_AXES][96];
        for (size_t a = 0; a < s->n_axes; a++) {
            snprintf(buf[a], sizeof(buf[a]), "%s=%s", s->axes[a].key, ts_sweep_value(s, p, a));
            ovr[a] = buf[a];
        }
        ts_scenario_t *sc = NULL;
        ts_result_t res;
        ts_err_t err = {0};
        if (ts_scenario_load_string(yaml, "<text>", NULL, ovr, s->n_axes, &sc, &err) ||
            ts_run(sc, &res, &err))
            fail_msg("point %zu: %s: %s", p, err.where, err.msg);
        const ts_result_t *q = &s->runs[p];
        assert_int_equal(q->footprint_objects, res.footprint_objects);
        assert_int_equal(q->footprint_bytes, res.footprint_bytes);
        assert_memory_equal(&q->totals, &res.totals, sizeof(res.totals));
        assert_int_equal(q->n_tiers, res.n_tiers);
        for (size_t t = 0; t < res.n_tiers; t++) {
            assert_int_equal(q->tiers[t].capacity, res.tiers[t].capacity);
            assert_memory_equal(&q->tiers[t].st, &res.tiers[t].st, sizeof(res.tiers[t].st));
        }
        ts_result_release(&res);
        ts_scenario_destroy(sc);
    }
}

static void test_sweep_points_equal_runs_with_any_thread_count(void **state)
{
    (void)state;
    /* capacities as shares: the footprint is measured once for all points */
    const char *axes[] = {"tiers.0.capacity=1%,5%", "tiers.0.policy=lru,s3fifo,sieve"};
    ts_sweep_t *one = sweep_ok(k_zipf, axes, 2, 1);
    ts_sweep_t *two = sweep_ok(k_zipf, axes, 2, 2);
    assert_int_equal(one->n_points, 6);
    assert_same_as_runs(one, k_zipf);
    for (size_t p = 0; p < 6; p++) {
        assert_memory_equal(&one->runs[p].totals, &two->runs[p].totals,
                            sizeof(one->runs[p].totals));
        assert_memory_equal(&one->runs[p].tiers[0].st, &two->runs[p].tiers[0].st,
                            sizeof(one->runs[p].tiers[0].st));
    }
    /* a bigger top tier hits more, whatever the policy */
    for (size_t p = 0; p < 3; p++)
        assert_true(one->runs[p + 3].tiers[0].st.n_hit > one->runs[p].tiers[0].st.n_hit);
    ts_sweep_destroy(one);
    ts_sweep_destroy(two);
    /* the workload varies with the seed: each point measures its own footprint */
    const char *seeds[] = {"seed=1,2,3"};
    ts_sweep_t *s = sweep_ok(k_zipf, seeds, 1, 2);
    assert_same_as_runs(s, k_zipf);
    assert_true(s->runs[0].totals.n_hit != s->runs[1].totals.n_hit ||
                s->runs[1].totals.n_hit != s->runs[2].totals.n_hit);
    ts_sweep_destroy(s);
}

/* The shards of a job array run disjoint points whose union is the grid, each exactly as
 * the whole sweep ran it; a shard past the last point runs nothing. */
static void test_sweep_shards_cover_the_grid(void **state)
{
    (void)state;
    const char *axes[] = {"tiers.0.capacity=50,100", "tiers.0.policy=lru,fifo,clock"};
    ts_sweep_t *all = sweep_ok(k_loop, axes, 2, 0);
    assert_int_equal(all->n_runs, 6);
    bool seen[6] = {false};
    for (size_t k = 0; k < 4; k++) {
        ts_sweep_spec_t spec = {.yaml = k_loop, .axes = axes, .n_axes = 2, .shard = k,
                                .n_shards = 4};
        ts_sweep_t *s = NULL;
        ts_err_t err = {0};
        assert_int_equal(ts_sweep_run(&spec, &s, &err), 0);
        assert_int_equal(s->n_points, 6);
        assert_int_equal(s->n_runs, k < 2 ? 2 : 1); /* points k and k + 4 */
        for (size_t i = 0; i < s->n_runs; i++) {
            size_t p = ts_sweep_point(s, i);
            assert_int_equal(p % 4, k);
            assert_false(seen[p]);
            seen[p] = true;
            assert_memory_equal(&s->runs[i].totals, &all->runs[p].totals,
                                sizeof(s->runs[i].totals));
            assert_string_equal(s->runs[i].tiers[0].policy, ts_sweep_value(all, p, 1));
        }
        if (k == 1) { /* its CSV rows carry the grid's point numbers */
            FILE *f = tmpfile();
            assert_non_null(f);
            assert_int_equal(ts_report_sweep_csv(s, f, &err), 0);
            rewind(f);
            char line[3][512];
            for (size_t i = 0; i < 3; i++)
                assert_non_null(fgets(line[i], sizeof(line[i]), f));
            assert_null(fgets(line[0], sizeof(line[0]), f));
            fclose(f);
            assert_true(starts_with(line[1], "1,50,fifo,1000,0,"));
            assert_true(starts_with(line[2], "5,100,clock,1000,900,"));
        }
        ts_sweep_destroy(s);
    }
    for (size_t p = 0; p < 6; p++)
        assert_true(seen[p]);
    ts_sweep_destroy(all);
    /* more shards than points: the last ones are empty; a shard must be below the count */
    ts_sweep_spec_t spec = {.yaml = k_loop, .axes = axes, .n_axes = 2, .shard = 7,
                            .n_shards = 8};
    ts_sweep_t *s = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_sweep_run(&spec, &s, &err), 0);
    assert_int_equal(s->n_runs, 0);
    ts_sweep_destroy(s);
    spec.shard = 8;
    assert_int_equal(ts_sweep_run(&spec, &s, &err), TS_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err.msg, "shards are numbered from 0 to 7"));
}

static void test_sweep_refuses_bad_points_before_running(void **state)
{
    (void)state;
    ts_sweep_t *s = (ts_sweep_t *)&s; /* must come back NULL */
    ts_err_t err = {0};
    const char *bad_value[] = {"tiers.0.policy=lru,fifo", "tiers.0.capacity=10,12x"};
    ts_sweep_spec_t spec = {.yaml = k_loop, .axes = bad_value, .n_axes = 2};
    assert_int_equal(ts_sweep_run(&spec, &s, &err), TS_EPARSE);
    assert_null(s);
    /* the first bad point: policy lru, capacity 12x (point 1 of 4) */
    if (!strstr(err.msg, "sweep point 1 (tiers.0.policy=lru, tiers.0.capacity=12x)"))
        fail_msg("message: %s", err.msg);
    /* an unknown key */
    const char *bad_key[] = {"tiers.0.capacty=10,20"};
    spec = (ts_sweep_spec_t){.yaml = k_loop, .axes = bad_key, .n_axes = 1};
    err = (ts_err_t){0};
    assert_int_equal(ts_sweep_run(&spec, &s, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "sweep point 0 (tiers.0.capacty=10)"));
    /* a key swept twice, no axis, too many points */
    const char *twice[] = {"seed=1,2", "seed=3"};
    spec = (ts_sweep_spec_t){.yaml = k_loop, .axes = twice, .n_axes = 2};
    err = (ts_err_t){0};
    assert_int_equal(ts_sweep_run(&spec, &s, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "'seed' is swept twice"));
    spec.n_axes = 0;
    err = (ts_err_t){0};
    assert_int_equal(ts_sweep_run(&spec, &s, &err), TS_EINVAL);
    char big[2][4200];
    for (size_t a = 0; a < 2; a++) {
        size_t off =
            (size_t)snprintf(big[a], sizeof(big[a]), "%s=", a ? "seed" : "tiers.0.capacity");
        for (int v = 1; v <= 317; v++)
            off +=
                (size_t)snprintf(big[a] + off, sizeof(big[a]) - off, "%s%d", v > 1 ? "," : "", v);
    }
    const char *huge[] = {big[0], big[1]}; /* 317 x 317 = 100489 > 100000 points */
    spec = (ts_sweep_spec_t){.yaml = k_loop, .axes = huge, .n_axes = 2};
    err = (ts_err_t){0};
    assert_int_equal(ts_sweep_run(&spec, &s, &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "more than 100000 points"));
}

/* The table and the CSV of the loop sweep; the files it writes, read back. */
static void test_sweep_report_table_csv_and_results_file(void **state)
{
    const char *dir = *state;
    const char *axes[] = {"tiers.0.capacity=50,100", "tiers.0.admit=always,second_hit"};
    ts_sweep_t *s = sweep_ok(k_loop, axes, 2, 0);
    /* second_hit admits a key on its second miss: at capacity 100 the first pass is
     * refused and the second pass misses once more, so 800 hits instead of 900 */
    assert_int_equal(s->runs[2].totals.n_hit, 900);
    assert_int_equal(s->runs[3].totals.n_hit, 800);
    char path[1200];
    snprintf(path, sizeof(path), "%s/table.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    ts_err_t err = {0};
    assert_int_equal(ts_report_sweep_text(s, f, &err), 0);
    fclose(f);
    char *text = file_test_slurp(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "points     4 (tiers.0.capacity: 2 x tiers.0.admit: 2)"));
    assert_non_null(strstr(text, "hit ratio"));
    assert_non_null(strstr(text, "90.00%"));
    assert_non_null(strstr(text, "80.00%"));
    for (char *line = text, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        assert_true(end - line <= 100);
    }
    free(text);
    /* the files: sweep.csv and result.h5 in a new directory */
    snprintf(path, sizeof(path), "%s/out/sub", dir);
    assert_int_equal(ts_report_sweep_write(s, path, &err), 0);
    snprintf(path, sizeof(path), "%s/out/sub/sweep.csv", dir);
    char *csv = file_test_slurp(path, NULL);
    assert_non_null(csv);
    assert_int_equal(file_test_count(csv, "\n"), 5);
    assert_true(starts_with(csv, "point,tiers.0.capacity,tiers.0.admit,requests,hits,hit_ratio,"));
    /* 200 misses of 4 KiB from the backing store, no latency or utilisation (fast engine),
     * a bill of 200 GETs at S3's $0.0004 per 1000: $8e-05, $0.08 per million requests;
     * nothing overloaded, complete */
    assert_non_null(strstr(csv, "\n3,100,second_hit,1000,800,0.800000000,0.800000000,200,"
                                "819200,,,,8e-05,0.08,,,,0,0\n"));
    free(csv);
    snprintf(path, sizeof(path), "%s/out/sub/result.h5", dir);
    ts_result_h5_t *h5 = NULL;
    assert_int_equal(ts_result_h5_open(path, &h5, &err), 0);
    assert_int_equal(ts_result_h5_runs(h5), 4);
    for (size_t p = 0; p < 4; p++) {
        ts_result_t r;
        assert_int_equal(ts_result_h5_read(h5, p, &r, &err), 0);
        assert_int_equal(r.totals.n_hit, s->runs[p].totals.n_hit);
        assert_int_equal(r.n_overrides, 2);
        assert_string_equal(r.overrides[1] + strlen("tiers.0.admit="), ts_sweep_value(s, p, 1));
        ts_result_release(&r);
    }
    ts_result_h5_close(h5);
    ts_sweep_destroy(s);
    /* values with commas or quotes are quoted, their quotes doubled (RFC 4180) */
    const char *names[] = {"name='a,b',\"u,v\""};
    s = sweep_ok(k_loop, names, 1, 0);
    f = tmpfile();
    assert_non_null(f);
    assert_int_equal(ts_report_sweep_csv(s, f, &err), 0);
    rewind(f);
    char line[3][256];
    for (size_t i = 0; i < 3; i++)
        assert_non_null(fgets(line[i], sizeof(line[i]), f));
    fclose(f);
    assert_true(starts_with(line[1], "0,\"'a,b'\",1000,"));
    assert_true(starts_with(line[2], "1,\"\"\"u,v\"\"\",1000,"));
    ts_sweep_destroy(s);
}

/* What a sweep keeps of each point is its result, sized by its run. A point of k_loop (one
 * tier, the fast engine, a bill of two levels, no time series; the scenario's text is the
 * sweep's, shared) owns on the heap, counted by hand:
 *   its tier and the link below it      sizeof(ts_tier_result_t) + sizeof(ts_link_stats_t)
 *   the bill's levels (cache, backing)  2 x sizeof(ts_cost_level_t)
 *   strings, each its text and a NUL    source "<text>" 7, name "loop" 5, the workload's
 *                                       description; tier "cache" 6, "lru" 4, its
 *                                       parameters "" 1 (lru has none), admission "" 1
 *                                       (none: it admits everything), "" 1; prefetch ""
 *                                       1 (none), "" 1, "" 1; bill "cache" 6,
 *                                       "backing" 8, GPU "" 1, its price's fallback
 *                                       profile "" 1, price profile "neocloud-2026-09"
 *                                       17 (the default) and its date "2026-09" 8
 *   its one override                    a pointer, and "tiers.0.capacity=V" with its NUL
 * With sizeof(ts_result_t) (1.9 KiB on x86-64: no fixed arrays left; it was 32.5 KiB; the
 * overload figures and the live run's measured figures grew it from 1.2 KiB) that is about
 * 3.1 KiB a point, under the 4 KiB asserted: 10,000 points hold under 40 MiB. */
static void test_sweep_point_memory_is_bounded(void **state)
{
    (void)state;
    const char *axes[] = {"tiers.0.capacity=50,100"};
    ts_sweep_t *s = sweep_ok(k_loop, axes, 1, 1);
    assert_int_equal(s->n_runs, 2);
    assert_non_null(s->scenario_yaml);
    for (size_t p = 0; p < 2; p++) {
        const ts_result_t *r = &s->runs[p];
        assert_true(r->is_yaml_shared);
        assert_ptr_equal(r->scenario_yaml, s->scenario_yaml);
        assert_null(r->series);
        assert_false(r->has_timed);
        assert_int_equal(r->n_overrides, 1);
        size_t want = sizeof(ts_tier_result_t) + sizeof(ts_link_stats_t) +
                      2 * sizeof(ts_cost_level_t) + 7 + 5 + strlen(r->workload) + 1 + 6 + 4 + 1 +
                      1 + 1 + 1 + 1 + 1 + 6 + 8 + 1 + 1 + 17 + 8 + sizeof(char *) +
                      strlen("tiers.0.capacity=") + strlen(p ? "100" : "50") + 1;
        assert_int_equal(ts_result_heap_bytes(r), want);
        assert_true(sizeof(ts_result_t) + want < 4 * 1024);
    }
    ts_sweep_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_axis_splits_at_top_level_commas),
        cmocka_unit_test(test_sweep_axis_errors_name_the_axis),
        cmocka_unit_test(test_sweep_loop_by_hand),
        cmocka_unit_test(test_sweep_scenario_axes_and_given_ones),
        cmocka_unit_test(test_sweep_points_equal_runs_with_any_thread_count),
        cmocka_unit_test(test_sweep_shards_cover_the_grid),
        cmocka_unit_test(test_sweep_refuses_bad_points_before_running),
        cmocka_unit_test(test_sweep_point_memory_is_bounded),
        cmocka_unit_test_setup_teardown(test_sweep_report_table_csv_and_results_file, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
