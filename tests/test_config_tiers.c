/* SPDX-License-Identifier: MIT */
/*
 * test_config_tiers.c - the scenario's `tiers:` (app/config_tiers.c) and `hierarchy:` and
 * `prefetch:` (app/config_hier.c): at most TS_MAX_TIERS tiers, capacities in bytes mode (sizes,
 * bare numbers as bytes, shares of the footprint), a policy given as a map with its
 * parameters (and their range checked where they are given), each tier's admission filter
 * with its parameters, and the hierarchy rules and the prefetcher with the tier it fills.
 * Errors in these sections are in test_config.c's table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/scenario.h"
#include "config_test.h"

static void test_config_too_many_tiers(void **state)
{
    (void)state;
    char yaml[1024] = "tiers:\n";
    for (int i = 0; i < TS_MAX_TIERS + 1; i++)
        strcat(yaml, "  - {capacity: 1}\n");
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_scenario_load_string(yaml, SRC, NULL, NULL, 0, &sc, &err), TS_ERANGE);
    assert_string_equal(err.where, SRC ":18:5: tiers[16]");
    assert_non_null(strstr(err.msg, "expected at most 16 tiers, found 17"));
    assert_null(sc);
}

static void test_config_hierarchy_admission_prefetch_decode(void **state)
{
    (void)state;
    need_gen("zipf");
    ts_scenario_t *sc = load_ok("workload: {generator: zipf}\n"
                                "prefetch: {kind: next_n, n: 8, into: dram}\n"
                                "tiers:\n"
                                "  - {name: hbm, capacity: 10,\n"
                                "     admit: {kind: max_size, max_size: 4KiB}}\n"
                                "  - {name: dram, capacity: 100, admit: second_hit}\n"
                                "  - {name: nvme, capacity: 1000}\n"
                                "hierarchy: {inclusion: exclusive, promote: up, demote: next,\n"
                                "            write: back, flush_at_end: yes}\n",
                                NULL, 0);
    const ts_hier_config_t *h = &sc->hier;
    assert_int_equal(h->inclusion, TS_INCL_EXCLUSIVE);
    assert_int_equal(h->promote, TS_PROMOTE_UP);
    assert_int_equal(h->demote, TS_DEMOTE_NEXT);
    assert_int_equal(h->write, TS_WRITE_BACK);
    assert_true(h->flush_at_end);
    assert_string_equal(h->admit[0]->base.name, "max_size");
    assert_ptr_equal(h->admit_params[0], sc->tiers[0].admit_params);
    assert_int_equal(*(const uint64_t *)sc->tiers[0].admit_params, 4096);
    assert_string_equal(h->admit[1]->base.name, "second_hit");
    assert_int_equal(*(const uint64_t *)sc->tiers[1].admit_params, 100000); /* default window */
    assert_null(h->admit[2]);
    assert_string_equal(h->prefetch->base.name, "next_n");
    assert_int_equal(*(const uint64_t *)sc->prefetch_params, 8);
    assert_int_equal(h->prefetch_into, 1);
    assert_string_equal(sc->prefetch_into, "dram");
    ts_scenario_destroy(sc);

    sc = load_ok("workload: {generator: zipf}\nprefetch: hint\ntiers: [{name: a, capacity: 5}]\n",
                 NULL, 0);
    assert_string_equal(sc->hier.prefetch->base.name, "hint");
    assert_int_equal(sc->hier.prefetch_into, 0);
    assert_string_equal(sc->prefetch_into, "a");
    ts_scenario_destroy(sc);
}

static void test_config_bytes_mode_capacities(void **state)
{
    (void)state;
    need_gen("zipf");
    ts_scenario_t *sc = load_ok("mode: bytes\n"
                                "workload: {generator: zipf}\n"
                                "tiers:\n"
                                "  - {capacity: 4GiB}\n"
                                "  - {capacity: 1.5TB}\n"
                                "  - {capacity: 1000}\n" /* a bare number is bytes */
                                "  - {capacity: 10kB}\n"
                                "  - {capacity: 0.5%}\n",
                                NULL, 0);
    assert_int_equal(sc->mode, TS_MODE_BYTES);
    assert_int_equal(sc->tiers[0].capacity, 4ull << 30);
    assert_int_equal(sc->tiers[1].capacity, 1500000000000ull);
    assert_int_equal(sc->tiers[2].capacity, 1000);
    assert_int_equal(sc->tiers[3].capacity, 10000);
    assert_true(sc->tiers[4].is_fraction);
    assert_true(sc->tiers[4].capacity_fraction > 0.00499 &&
                sc->tiers[4].capacity_fraction < 0.00501);
    ts_scenario_destroy(sc);
}

static void test_config_policy_map_with_params(void **state)
{
    (void)state;
    need_gen("zipf");
    need_policy("s3fifo");
    ts_scenario_t *sc = load_ok("workload: {generator: zipf}\n"
                                "tiers:\n"
                                "  - {capacity: 100, policy: {name: s3fifo, small_ratio: 25%}}\n",
                                NULL, 0);
    const ts_policy_ops_t *ops = sc->tiers[0].policy;
    assert_string_equal(ops->base.name, "s3fifo");
    const ts_param_spec_t *ps =
        ts_param_find(ops->base.params, ops->base.params_count, "small_ratio");
    assert_non_null(ps);
    assert_non_null(sc->tiers[0].policy_params);
    assert_true(ts_param_number(ps, sc->tiers[0].policy_params) == 0.25);
    ts_scenario_destroy(sc);

    ts_err_t err = {0};
    assert_int_equal(ts_scenario_load_string("workload: {generator: zipf}\n"
                                             "tiers:\n"
                                             "  - {capacity: 100, policy: {name: s3fifo, "
                                             "small_ratio: 3}}\n",
                                             SRC, NULL, NULL, 0, &sc, &err),
                     TS_ERANGE);
    assert_string_equal(err.where, SRC ":3:57: tiers[0].policy.small_ratio");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_too_many_tiers),
        cmocka_unit_test(test_config_hierarchy_admission_prefetch_decode),
        cmocka_unit_test(test_config_bytes_mode_capacities),
        cmocka_unit_test(test_config_policy_map_with_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
