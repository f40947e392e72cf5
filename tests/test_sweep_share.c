/* SPDX-License-Identifier: MIT */
/*
 * test_sweep_share.c - a trace file every point of a sweep reads alike is decoded once
 * into memory (sweep.share_trace_memory, app/sweep.c) and replayed from there: the sweep's
 * sweep.csv, table and every run's report from result.h5 are byte for byte those of the
 * same sweep reading the file at every point (share_trace_memory: 0; result.h5 itself
 * records that override, so it differs there), for a CSV trace and an oracleGeneral one
 * written by `tiersim trace gen` (with OPT among the policies, whose next-access pre-pass
 * is then made once on the shared copy); a bad limit is refused at its key.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "file_test.h"
#include "scratch_test.h"
#include "sweep_proc_test.h"

#define SH_GRID "--vary tiers.0.capacity=2KiB,4KiB,8KiB --vary tiers.0.policy=lru,sieve"

static void sh_same_both_ways(const char *dir, const char *sc, const char *args)
{
    char shared[1024], alone[1024];
    snprintf(shared, sizeof(shared), "%s --threads 2", args);
    snprintf(alone, sizeof(alone), "%s --threads 2 -s sweep.share_trace_memory=0", args);
    assert_int_equal(rs_run(dir, "shared", sc, shared), 0);
    assert_int_equal(rs_run(dir, "alone", sc, alone), 0);
    rs_same(dir, "shared", "alone", "/sweep.csv", 0);
    rs_same(dir, "shared", "alone", ".out", 0);
    /* result.h5 records the -s overrides, which differ here: every run's report instead */
    const char *sub[] = {"shared", "alone"};
    for (int k = 0; k < 2; k++) {
        char cmd[2048];
        snprintf(cmd, sizeof(cmd), "cd '%s/%s' && '%s' report result.h5 >report.txt", dir,
                 sub[k], getenv("TS_TIERSIM"));
        assert_int_equal(system(cmd), 0);
    }
    rs_same(dir, "shared", "alone", "/report.txt", 0);
}

static void test_sweep_share_csv_trace_is_identical(void **state)
{
    sh_same_both_ways(*state, "examples/csv-trace.yaml", SH_GRID);
}

static void test_sweep_share_oracle_general_is_identical(void **state)
{
    const char *dir = *state;
    char cmd[2048], path[1024];
    snprintf(path, sizeof(path), "%s/z.oracleGeneral", dir);
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && '%s' trace gen examples/zipf-lru.yaml -o '%s' -f oracle_general "
             "-s workload.generator.requests=50k -q",
             TS_SOURCE_DIR, getenv("TS_TIERSIM"), path);
    assert_int_equal(system(cmd), 0);
    char yaml[1024];
    snprintf(yaml, sizeof(yaml), "%s/og.yaml", dir);
    FILE *f = fopen(yaml, "w");
    assert_non_null(f);
    fprintf(f, "mode: objects\n"
               "workload: {trace: {path: %s, format: oracle_general}}\n"
               "tiers: [{capacity: 1%%, policy: lru}]\n", path);
    fclose(f);
    sh_same_both_ways(dir, yaml, "--vary tiers.0.capacity=1%,5% --vary tiers.0.policy=lru,s3fifo,opt");
}

static void test_sweep_share_bad_limit_is_refused(void **state)
{
    const char *dir = *state;
    assert_int_not_equal(rs_run(dir, "bad", "examples/csv-trace.yaml",
                                SH_GRID " -s sweep.share_trace_memory=lots"),
                         0);
    rs_stderr_has(dir, "bad", "sweep.share_trace_memory");
    rs_stderr_has(dir, "bad", "expected a size such as 2GiB (or 0: never), found 'lots'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sweep_share_csv_trace_is_identical, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_share_oracle_general_is_identical,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_share_bad_limit_is_refused, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
