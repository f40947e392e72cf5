/* SPDX-License-Identifier: MIT */
/*
 * test_par.c - the parallel driver: a workload whose reader is flagged
 * TS_READER_NOT_THREAD_SAFE runs one simulation at a time unless the HDF5 library it reads
 * through is built thread-safe, whatever the reader's name; other workloads get the threads
 * asked for; jobs all run and the failure of the lowest index is the one reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <hdf5.h>

#include "app/par.h"
#include "sim/util/mem.h"
#include "traces/trace.h"
#include "workloads/gen.h"

static int toy_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                    ts_err_t *err)
{
    (void)params;
    (void)ctx;
    *out = NULL;
    return ts_err_set(err, TS_EUNSUPPORTED, "never opened");
}

/* Flagged as not thread-safe; its name says nothing of HDF5. */
static const ts_reader_ops_t k_toy_unsafe = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "toy",
             .summary = "a reader that is not thread-safe",
             .flags = TS_READER_NOT_THREAD_SAFE},
    .open = toy_open,
};

static void test_par_not_thread_safe_reader_runs_alone(void **state)
{
    (void)state;
    ts_scenario_t *sc = ts_calloc(1, sizeof(*sc));
    assert_non_null(sc);
    hbool_t is_safe = 0;
    int unsafe_threads = H5is_library_threadsafe(&is_safe) >= 0 && is_safe ? 4 : 1;
    const ts_reader_ops_t *unsafe[] = {&k_toy_unsafe, ts_trace_find("hdf5", NULL)};
    for (size_t i = 0; i < 2; i++) {
        sc->workload.reader = unsafe[i];
        assert_int_equal(ts_par_threads(4, sc), unsafe_threads);
    }
    const ts_reader_ops_t *safe[] = {ts_gen_find("zipf", NULL), ts_trace_find("native", NULL)};
    for (size_t i = 0; i < 2; i++) {
        sc->workload.reader = safe[i];
        assert_int_equal(ts_par_threads(4, sc), 4);
        assert_int_equal(ts_par_threads(3, sc), 3);
    }
    ts_free(sc);
}

/* Job i records itself; jobs 5 and 7 fail. */
static int par_job(void *ctx, size_t i, ts_err_t *err)
{
    int *ran = ctx;
    ran[i] = 1;
    if (i == 5 || i == 7)
        return ts_err_set(err, TS_EINVAL, "job %zu failed", i);
    return 0;
}

static void test_par_run_reports_the_lowest_failure(void **state)
{
    (void)state;
    int ran[16] = {0};
    ts_err_t err = {0};
    assert_int_equal(ts_par_run(5, 2, par_job, ran, &err), 0);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(ran[i], 1);
    for (int threads = 1; threads <= 3; threads++) {
        ts_err_clear(&err);
        assert_int_equal(ts_par_run(16, threads, par_job, ran, &err), TS_EINVAL);
        assert_string_equal(err.msg, "job 5 failed");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_par_not_thread_safe_reader_runs_alone),
        cmocka_unit_test(test_par_run_reports_the_lowest_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
