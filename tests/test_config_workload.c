/* SPDX-License-Identifier: MIT */
/*
 * test_config_workload.c - the scenario's `workload:` (app/config_workload.c): relative trace
 * paths resolve against the scenario's directory (or the current one), the format is told
 * from the file name, the built-in default scenario and every .yaml file in examples/ load and open
 * their workload, and a workload's description lists every parameter in its shortest form.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/scenario.h"
#include "traces/trace.h"
#include "workloads/gen.h"
#include "config_test.h"

static void test_config_relative_trace_paths(void **state)
{
    (void)state;
    need_format("csv");
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    int rc = ts_scenario_load_file(TS_SOURCE_DIR "/examples/csv-trace.yaml", NULL, 0, &sc, &err);
    if (rc)
        fail_msg("%s: %s", err.where, err.msg);
    assert_string_equal(sc->base_dir, TS_SOURCE_DIR "/examples");
    assert_false(sc->workload.is_generator);
    assert_string_equal(sc->workload.reader->base.name, "csv");
    ts_reader_t *r = NULL;
    assert_int_equal(ts_scenario_open_workload(sc, &r, &err), 0);
    ts_req_t req;
    int n = 0;
    while ((rc = ts_reader_next(r, &req, &err)) == 1)
        n++;
    assert_int_equal(rc, 0);
    assert_int_equal(n, 12); /* the rows of examples/tiny.csv */
    ts_reader_close(r);
    ts_scenario_destroy(sc);

    /* A string scenario resolves against the directory it is given, the format is guessed
     * from the file name, and a scalar trace is its path. */
    sc = NULL;
    rc = ts_scenario_load_string("workload: {trace: tiny.csv}\ntiers: [{capacity: 4}]\n", SRC,
                                 TS_SOURCE_DIR "/examples", NULL, 0, &sc, &err);
    if (rc)
        fail_msg("%s: %s", err.where, err.msg);
    assert_string_equal(sc->workload.reader->base.name, "csv");
    assert_int_equal(ts_scenario_open_workload(sc, &r, &err), 0);
    ts_reader_close(r);
    ts_scenario_destroy(sc);

    /* Without a directory, relative paths resolve against the current one. */
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    rc = ts_scenario_load_string("workload: {trace: {path: nothere.csv, format: csv}}\n"
                                 "tiers: [{capacity: 4}]\n",
                                 SRC, NULL, NULL, 0, &sc, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(sc->base_dir, cwd);
    r = (ts_reader_t *)1;
    ts_err_clear(&err);
    assert_true(ts_scenario_open_workload(sc, &r, &err) < 0); /* the reader's error */
    assert_null(r);
    assert_non_null(strstr(err.msg, "nothere.csv"));
    ts_scenario_destroy(sc);
}

static void test_config_default_scenario_loads(void **state)
{
    (void)state;
    need_gen("zipf");
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    int rc = ts_scenario_load_string(ts_scenario_default_yaml(), "<built-in>", NULL, NULL, 0, &sc,
                                     &err);
    if (rc)
        fail_msg("%s: %s", err.where, err.msg);
    assert_string_equal(sc->source, "<built-in>");
    assert_true(sc->workload.is_generator);
    assert_int_equal(sc->n_tiers, 2);
    assert_string_equal(sc->tiers[0].name, "hbm");
    assert_true(sc->tiers[0].is_fraction);
    assert_string_equal(sc->tiers[1].name, "dram");
    ts_reader_t *r = NULL;
    assert_int_equal(ts_scenario_open_workload(sc, &r, &err), 0);
    ts_req_t req;
    assert_int_equal(ts_reader_next(r, &req, &err), 1);
    ts_reader_close(r);
    ts_scenario_destroy(sc);
}

static void test_config_workload_desc_lists_params(void **state)
{
    (void)state;
    need_gen("zipf");
    ts_scenario_t *sc = load_ok("workload: {generator: {kind: zipf, alpha: 0.9}}\n"
                                "tiers: [{capacity: 5}]\n",
                                NULL, 0);
    char buf[512];
    const char *d = ts_scenario_workload_desc(sc, buf, sizeof(buf));
    assert_ptr_equal(d, buf);
    assert_true(strncmp(d, "zipf ", 5) == 0);
    const char *a = strstr(d, " alpha=0.9"); /* the shortest form, not 0.90000000000000002 */
    assert_non_null(a);
    assert_true(a[10] == ' ' || a[10] == 0);
    const ts_reader_ops_t *ops = sc->workload.reader;
    for (size_t i = 0; i < ops->base.params_count; i++) {
        char key[80];
        snprintf(key, sizeof(key), " %s=", ops->base.params[i].name);
        assert_non_null(strstr(d, key));
    }
    char tiny[8];
    ts_scenario_workload_desc(sc, tiny, sizeof(tiny));
    assert_int_equal(strlen(tiny), 7); /* truncated, still terminated */
    ts_scenario_destroy(sc);
}

static void test_config_examples_load(void **state)
{
    (void)state;
    if (ts_registry_count(&ts_generators) == 0 || ts_registry_count(&ts_formats) == 0)
        fail_msg("the examples need generators and trace formats; the registries hold %zu and %zu",
                 (size_t)ts_registry_count(&ts_generators), (size_t)ts_registry_count(&ts_formats));
    DIR *d = opendir(TS_SOURCE_DIR "/examples");
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/examples/%s", TS_SOURCE_DIR, e->d_name);
        ts_scenario_t *sc = NULL;
        ts_err_t err = {0};
        int rc = ts_scenario_load_file(path, NULL, 0, &sc, &err);
        if (rc)
            fail_msg("%s: %s: %s", path, err.where, err.msg);
        ts_reader_t *r = NULL;
        if (ts_scenario_open_workload(sc, &r, &err))
            fail_msg("%s: %s: %s", path, err.where, err.msg);
        ts_reader_close(r);
        ts_scenario_destroy(sc);
        n++;
    }
    closedir(d);
    assert_true(n >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_relative_trace_paths),
        cmocka_unit_test(test_config_default_scenario_loads),
        cmocka_unit_test(test_config_workload_desc_lists_params),
        cmocka_unit_test(test_config_examples_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
