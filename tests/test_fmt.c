/* SPDX-License-Identifier: MIT */
/*
 * test_fmt.c - the dollar formatters of sim/util/fmt.h against the rule fmt.h states: "$0"
 * for zero; ts_fmt_usd two decimals from one cent up and three significant digits from
 * $0.0001; ts_fmt_usd_sig four significant digits below $100 and two decimals from $100;
 * both write "<$0.0001" for a non-zero figure below $0.0001, never e-notation.
 * Each expected string is worked out from that rule, case by case, in the tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/fmt.h"

struct usd_case {
    const char *name;
    double usd;
    const char *want;
};

static void test_fmt_usd_bill_lines(void **state)
{
    (void)state;
    static const struct usd_case cases[] = {
        {"zero", 0, "$0"},
        {"dollars: two decimals", 29.83, "$29.83"},
        {"thousands: two decimals", 1234.5, "$1234.50"},
        {"one cent: two decimals", 0.01, "$0.01"},
        {"below a cent: three significant digits", 0.000345, "$0.000345"},
        {"1.2e-4: three significant digits, trailing zero dropped", 0.00012, "$0.00012"},
        {"exactly the floor: written", 0.0001, "$0.0001"},
        {"just below the floor", 0.0000999, "<$0.0001"},
        {"a byte-month of S3", 3.67e-20, "<$0.0001"},
        {"a tiny credit", -1e-9, ">-$0.0001"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[TS_FMT_LEN];
        const char *got = ts_fmt_usd(cases[i].usd, buf, sizeof(buf));
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: %.17g gave '%s', want '%s'", cases[i].name, cases[i].usd, got,
                     cases[i].want);
        if (strchr(got, 'e'))
            fail_msg("%s: '%s' is in e-notation", cases[i].name, got);
    }
}

static void test_fmt_usd_sig_columns(void **state)
{
    (void)state;
    static const struct usd_case cases[] = {
        {"zero", 0, "$0"},
        {"four significant digits", 0.1026, "$0.1026"},
        {"just below $100", 99.99, "$99.99"},
        {"from $100: two decimals", 1234.5, "$1234.50"},
        {"1.234e-4: four significant digits", 0.0001234, "$0.0001234"},
        {"1.234e-5: below the floor", 0.00001234, "<$0.0001"},
        {"4e-5: below the floor", 4e-5, "<$0.0001"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[TS_FMT_LEN];
        const char *got = ts_fmt_usd_sig(cases[i].usd, buf, sizeof(buf));
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: %.17g gave '%s', want '%s'", cases[i].name, cases[i].usd, got,
                     cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_usd_bill_lines),
        cmocka_unit_test(test_fmt_usd_sig_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
