/* SPDX-License-Identifier: MIT */
/*
 * test_config_outputs.c - the scenario's `outputs:` (app/config_outputs.c) and `sweep:`
 * (app/config_sweep.c): which report writers are on, the time series' axis, interval and
 * points, the scenario text and overrides kept for the results file, and the sweep axes in
 * the order and with the values as written (a lone value is one value; a run ignores them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "app/scenario.h"
#include "config_test.h"
#include "writer_test.h"

/* sweep: axes keep their order and their values as written; a lone value is one value. */
static void test_config_sweep_axes_decode(void **state)
{
    (void)state;
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    const char *yaml = "tiers:\n  - {capacity: 1}\n" W_ZIPF
                       "sweep:\n  tiers.0.capacity: [1%, 10k, '5%']\n  seed: 7\n";
    if (ts_scenario_load_string(yaml, SRC, NULL, NULL, 0, &sc, &err))
        fail_msg("%s: %s", err.where, err.msg);
    assert_int_equal(sc->n_sweep, 2);
    assert_string_equal(sc->sweep[0].key, "tiers.0.capacity");
    assert_int_equal(sc->sweep[0].n_values, 3);
    assert_string_equal(sc->sweep[0].values[0], "1%");
    assert_string_equal(sc->sweep[0].values[1], "10k");
    assert_string_equal(sc->sweep[0].values[2], "5%");
    assert_string_equal(sc->sweep[1].key, "seed");
    assert_int_equal(sc->sweep[1].n_values, 1);
    assert_string_equal(sc->sweep[1].values[0], "7");
    assert_int_equal(sc->seed, 42); /* a run ignores the sweep */
    ts_scenario_destroy(sc);
}

/* The series keys, and the text and overrides a scenario keeps for the results file. */
static void test_config_outputs_series_and_kept_text(void **state)
{
    (void)state;
    need_gen("zipf");
    const char *yaml = "workload: {generator: zipf}\n"
                       "tiers: [{capacity: 10}]\n"
                       "outputs: {hdf5: false, interval: 250ms, points: 200, axis: time}\n";
    const char *ovr[] = {"seed=3", "outputs.points=300"};
    ts_scenario_t *sc = load_ok(yaml, ovr, 2);
    assert_false(writer_in(sc->outputs.writers, "hdf5"));
    assert_true(writer_in(sc->outputs.writers, "json") && writer_in(sc->outputs.writers, "csv") &&
                writer_in(sc->outputs.writers, "text"));
    assert_int_equal(sc->outputs.series.axis, TS_AXIS_TIME);
    assert_int_equal(sc->outputs.series.interval, 250000000);
    assert_int_equal(sc->outputs.series.max_points, 300);
    assert_string_equal(sc->text, yaml);
    assert_int_equal(sc->n_overrides, 2);
    assert_string_equal(sc->overrides[0], "seed=3");
    assert_string_equal(sc->overrides[1], "outputs.points=300");
    ts_scenario_destroy(sc);

    sc = load_ok("workload: {generator: zipf}\ntiers: [{capacity: 10}]\n"
                 "outputs: {interval: 10k, axis: requests}\n",
                 NULL, 0);
    assert_true(writer_in(sc->outputs.writers, "hdf5")); /* the default */
    assert_int_equal(sc->outputs.series.axis, TS_AXIS_REQUESTS);
    assert_int_equal(sc->outputs.series.interval, 10000);
    assert_int_equal(sc->outputs.series.max_points, TS_SERIES_POINTS_DEFAULT);
    assert_null(sc->overrides);
    ts_scenario_destroy(sc);

    sc = load_ok("workload: {generator: zipf}\ntiers: [{capacity: 10}]\n"
                 "outputs: {interval: auto}\n",
                 NULL, 0);
    assert_int_equal(sc->outputs.series.axis, TS_AXIS_AUTO);
    assert_int_equal(sc->outputs.series.interval, 0);
    ts_scenario_destroy(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_sweep_axes_decode),
        cmocka_unit_test(test_config_outputs_series_and_kept_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
