/* SPDX-License-Identifier: MIT */
/*
 * test_gslerr.c - the project's GSL policy (sim/util/gslerr.h): a GSL error comes back as
 * a code with GSL's reason, never as abort().
 *
 * No library path can be made to raise a GSL error on purpose: the streams are allocated
 * on the tiersim heap (sim/util/rng.c), the random variates and the inverse normal CDF
 * never report one, and calibrate's fit fails only when its SVD does not converge (its
 * allocations are tested through ts_calib_fit in test_calibrate). So these tests call GSL
 * directly under the policy, with inputs whose failure follows from mathematics or from the
 * address space: an allocation of 2^53 bytes (8 PiB, more than a 47-bit user address space
 * holds), a 2 x 2 matrix of determinant 1 x 4 - 2 x 2 = 0 solved by LU, the logarithm of
 * -1 and a quantile at fraction 1.5. The record is per thread, and the tiersim command line
 * installs the policy: in a child whose GSL handler is GSL's own (which aborts),
 * ts_cli_main("version") is enough for the 8 PiB allocation to come back as NULL.
 */
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>

#include "app/cli.h"
#include "sim/util/gslerr.h"
#include "fork_test.h"

/* 2^50 doubles, 2^53 bytes (8 PiB) */
#define HUGE_N ((size_t)1 << 50)

/* AddressSanitizer aborts on an allocation larger than it supports unless told to return
 * NULL as malloc does; this test needs malloc's answer. Called before the sanitizer is set
 * up: no instrumented code. */
const char *__asan_default_options(void);
__attribute__((no_sanitize_address, used)) const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static int setup(void **state)
{
    (void)state;
    ts_gsl_install();
    ts_gsl_clear();
    return 0;
}

/* An allocation no machine can satisfy is TS_ENOMEM with what was asked and GSL's reason. */
static void test_gslerr_absurd_allocation_is_enomem_not_abort(void **state)
{
    (void)state;
    gsl_vector *v = gsl_vector_alloc(HUGE_N);
    assert_null(v);
    assert_int_equal(ts_gsl_errno(), GSL_ENOMEM);
    ts_err_t err = {0};
    assert_int_equal(ts_gsl_fail(&err, TS_EINTERNAL, "cannot allocate a vector of %zu doubles",
                                 HUGE_N),
                     TS_ENOMEM);
    assert_int_equal(err.code, TS_ENOMEM);
    assert_non_null(strstr(err.msg, "cannot allocate a vector of 1125899906842624 doubles: "));
    assert_non_null(strstr(err.msg, "failed to allocate space for block"));
    assert_non_null(strstr(err.msg, "(GSL: malloc failed)"));
    assert_int_equal(ts_gsl_errno(), 0); /* ts_gsl_fail clears the record */
}

/* LU of [[1, 2], [2, 4]] (determinant 0) factors, but solving with it is a domain error. */
static void test_gslerr_singular_matrix_is_erange_not_abort(void **state)
{
    (void)state;
    double a[] = {1, 2, 2, 4}, b[] = {1, 1}, x[2];
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2);
    gsl_vector_view bv = gsl_vector_view_array(b, 2), xv = gsl_vector_view_array(x, 2);
    size_t perm_data[2];
    gsl_permutation perm = {2, perm_data};
    int signum;
    assert_int_equal(gsl_linalg_LU_decomp(&A.matrix, &perm, &signum), 0);
    assert_int_equal(gsl_linalg_LU_solve(&A.matrix, &perm, &bv.vector, &xv.vector), GSL_EDOM);
    ts_err_t err = {0};
    assert_int_equal(ts_gsl_fail(&err, TS_EINTERNAL, "the fit's matrix"), TS_ERANGE);
    assert_string_equal(err.msg, "the fit's matrix: matrix is singular (GSL: input domain error)");
}

/* log(-1) has no real value: NaN and a domain error; so does a quantile at fraction 1.5. */
static void test_gslerr_out_of_domain_is_erange_not_abort(void **state)
{
    (void)state;
    assert_true(isnan(gsl_sf_log(-1.0)));
    assert_int_equal(ts_gsl_errno(), GSL_EDOM);
    ts_err_t err = {0};
    assert_int_equal(ts_gsl_fail(&err, TS_EINTERNAL, "log of -1"), TS_ERANGE);
    assert_non_null(strstr(err.msg, "log of -1: "));

    const double sorted[] = {1, 2, 3};
    assert_true(gsl_stats_quantile_from_sorted_data(sorted, 1, 3, 1.5) == 0.0);
    assert_int_equal(ts_gsl_errno(), GSL_EDOM);
    ts_err_t qerr = {0};
    assert_int_equal(ts_gsl_fail(&qerr, TS_EINTERNAL, "the 150th percentile"), TS_ERANGE);
    assert_string_equal(qerr.msg,
                        "the 150th percentile: invalid quantile fraction (GSL: input domain error)");
}

/* With nothing recorded, the caller's code and text alone. */
static void test_gslerr_fail_without_a_record_gives_the_fallback(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_gsl_fail(&err, TS_ERANGE, "the line of %d sizes", 1), TS_ERANGE);
    assert_string_equal(err.msg, "the line of 1 sizes");
}

/* Each GSL code class maps to the tiersim code gslerr.h names. */
static void test_gslerr_code_mapping(void **state)
{
    (void)state;
    static const struct gslerr_case {
        const char *name;
        int gsl, ts;
    } cases[] = {
        {"success", GSL_SUCCESS, 0},          {"nomem", GSL_ENOMEM, TS_ENOMEM},
        {"inval", GSL_EINVAL, TS_EINVAL},     {"dom", GSL_EDOM, TS_ERANGE},
        {"range", GSL_ERANGE, TS_ERANGE},     {"sing", GSL_ESING, TS_ERANGE},
        {"maxiter", GSL_EMAXITER, TS_ERANGE}, {"zerodiv", GSL_EZERODIV, TS_ERANGE},
        {"failure", GSL_FAILURE, TS_ERANGE},  {"badlen", GSL_EBADLEN, TS_EINTERNAL},
        {"notsqr", GSL_ENOTSQR, TS_EINTERNAL}, {"unimpl", GSL_EUNIMPL, TS_EUNSUPPORTED},
        {"unsup", GSL_EUNSUP, TS_EUNSUPPORTED}, {"eof", GSL_EOF, TS_EIO},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (ts_gsl_code(cases[i].gsl) != cases[i].ts)
            fail_msg("%s: GSL %d gives %d, expected %d", cases[i].name, cases[i].gsl,
                     ts_gsl_code(cases[i].gsl), cases[i].ts);
}

/* A thread's error is its own: another thread's record stays clear. */
static void *gslerr_thread(void *arg)
{
    int *seen = arg;
    ts_gsl_clear();
    gsl_vector *v = gsl_vector_alloc(HUGE_N);
    seen[0] = v == NULL;
    seen[1] = ts_gsl_errno();
    return NULL;
}

static void test_gslerr_record_is_per_thread(void **state)
{
    (void)state;
    int seen[2] = {0, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, gslerr_thread, seen), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(seen[0]);
    assert_int_equal(seen[1], GSL_ENOMEM);
    assert_int_equal(ts_gsl_errno(), 0);
}

/* In a child with GSL's own handler, the 8 PiB allocation: exit 0 when it came back as
 * NULL; GSL's handler aborts otherwise. with_cli: ts_cli_main("version") first. */
static int gslerr_child(bool with_cli)
{
    pid_t pid = test_fork_no_core();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        gsl_set_error_handler(NULL); /* GSL's default: print and abort() */
        char a0[] = "tiersim", a1[] = "version";
        char *argv[] = {a0, a1, NULL};
        if (with_cli)
            ts_cli_main(2, argv);
        _exit(gsl_vector_alloc(HUGE_N) == NULL ? 0 : 3);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_gslerr_cli_installs_the_policy(void **state)
{
    (void)state;
    int status = gslerr_child(false); /* the control: GSL's own handler aborts */
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    status = gslerr_child(true);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_gslerr_absurd_allocation_is_enomem_not_abort, setup),
        cmocka_unit_test_setup(test_gslerr_singular_matrix_is_erange_not_abort, setup),
        cmocka_unit_test_setup(test_gslerr_out_of_domain_is_erange_not_abort, setup),
        cmocka_unit_test_setup(test_gslerr_fail_without_a_record_gives_the_fallback, setup),
        cmocka_unit_test(test_gslerr_code_mapping),
        cmocka_unit_test_setup(test_gslerr_record_is_per_thread, setup),
        cmocka_unit_test(test_gslerr_cli_installs_the_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
