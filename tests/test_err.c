/* SPDX-License-Identifier: MIT */
/*
 * test_err.c - the error record: first error wins, context prefixes accumulate, where is
 * set once (innermost), names and messages come from the one code list.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/err.h"

static void test_err_first_error_wins(void **state)
{
    (void)state;
    ts_err_t e = {0};
    assert_int_equal(ts_err_set(&e, TS_EPARSE, "bad %s", "value"), TS_EPARSE);
    assert_int_equal(ts_err_set(&e, TS_ENOMEM, "later"), TS_ENOMEM);
    assert_int_equal(e.code, TS_EPARSE);
    assert_string_equal(e.msg, "bad value");
    assert_int_equal(ts_err_set(NULL, TS_EIO, "x"), TS_EIO);
}

static void test_err_where_and_prefix(void **state)
{
    (void)state;
    ts_err_t e = {0};
    ts_err_prefix(&e, "ignored while clear");
    assert_string_equal(e.msg, "");
    ts_err_set(&e, TS_ERANGE, "too big");
    ts_err_where(&e, "a.yaml:3:5: tiers[0].capacity");
    ts_err_where(&e, "outer");
    ts_err_prefix(&e, "tier %s", "dram");
    char buf[512];
    assert_string_equal(ts_err_format(&e, buf, sizeof(buf)),
                        "a.yaml:3:5: tiers[0].capacity: tier dram: too big");
}

static void test_err_sys_and_names(void **state)
{
    (void)state;
    ts_err_t e = {0};
    ts_err_sys(&e, TS_EIO, ENOENT, "cannot open %s", "x.csv");
    assert_int_equal(e.sys_errno, ENOENT);
    assert_non_null(strstr(e.msg, "cannot open x.csv: "));
    assert_string_equal(ts_err_name(TS_ENOMEM), "ENOMEM");
    assert_string_equal(ts_strerror(TS_ENOMEM), "out of memory");
    assert_string_equal(ts_err_name(-999), "UNKNOWN");
}

static void test_err_long_prefix_truncates_safely(void **state)
{
    (void)state;
    ts_err_t e = {0};
    char big[400];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    ts_err_set(&e, TS_EINVAL, "%s", big);
    ts_err_prefix(&e, "%s", big);
    assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_first_error_wins),
        cmocka_unit_test(test_err_where_and_prefix),
        cmocka_unit_test(test_err_sys_and_names),
        cmocka_unit_test(test_err_long_prefix_truncates_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
