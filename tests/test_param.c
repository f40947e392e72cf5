/* SPDX-License-Identifier: MIT */
/*
 * test_param.c - parameter schemas: defaults parse, values land in the right fields with
 * their units, ranges and unknown names are refused with useful messages, and malformed
 * schemas are caught by the check.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/param.h"

struct demo {
    bool flag;
    int64_t delta;
    uint64_t count;
    double alpha;
    uint64_t size;
    uint64_t wait;
    double ratio;
    char path[16];
    int kind;
};

static const char *const k_kinds[] = {"zipf", "uniform", NULL};

static const ts_param_spec_t k_spec[] = {
    {"flag", TS_PT_BOOL, offsetof(struct demo, flag), 0, 1, 0, "true", "a flag", NULL},
    {"delta", TS_PT_INT, offsetof(struct demo, delta), 0, -10, 10, "-3", "an int", NULL},
    {"count", TS_PT_COUNT, offsetof(struct demo, count), 0, 1, 1e9, "10k", "a count", NULL},
    {"alpha", TS_PT_DOUBLE, offsetof(struct demo, alpha), 0, 0, 5, "0.9", "skew", NULL},
    {"size", TS_PT_SIZE, offsetof(struct demo, size), 0, 1, 0, "4KiB", "bytes", NULL},
    {"wait", TS_PT_DURATION, offsetof(struct demo, wait), 0, 1, 0, "3ms", "time", NULL},
    {"ratio", TS_PT_FRACTION, offsetof(struct demo, ratio), 0, 0, 1, "10%", "share", NULL},
    {"columns.path", TS_PT_STRING, offsetof(struct demo, path), 16, 1, 0, "a.csv", "file",
     NULL},
    {"kind", TS_PT_ENUM, offsetof(struct demo, kind), 0, 1, 0, "uniform", "which", k_kinds},
};
#define N_SPEC TS_PARAM_COUNT(k_spec)

static void test_param_defaults_fill_every_field(void **state)
{
    (void)state;
    struct demo d;
    ts_err_t err = {0};
    assert_int_equal(ts_param_check_schema(k_spec, N_SPEC, sizeof(d), &err), 0);
    assert_int_equal(ts_param_defaults(k_spec, N_SPEC, &d, sizeof(d), &err), 0);
    assert_true(d.flag);
    assert_int_equal(d.delta, -3);
    assert_int_equal(d.count, 10000);
    assert_true(d.alpha == 0.9);
    assert_int_equal(d.size, 4096);
    assert_int_equal(d.wait, 3000000);
    assert_true(d.ratio > 0.0999 && d.ratio < 0.1001);
    assert_string_equal(d.path, "a.csv");
    assert_int_equal(d.kind, 1);
}

static void test_param_set_and_format_round_trip(void **state)
{
    (void)state;
    struct demo d;
    ts_err_t err = {0};
    ts_param_defaults(k_spec, N_SPEC, &d, sizeof(d), &err);
    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "size", "1MiB", &err), 0);
    assert_int_equal(d.size, 1048576);
    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "kind", "zipf", &err), 0);
    assert_int_equal(d.kind, 0);
    char buf[64];
    assert_string_equal(ts_param_format(&k_spec[4], &d, buf, sizeof(buf)), "1MiB");
    assert_string_equal(ts_param_format(&k_spec[8], &d, buf, sizeof(buf)), "zipf");
    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "columns.path", "b.csv", &err), 0);
    assert_string_equal(d.path, "b.csv");
}

static void test_param_errors_name_the_problem(void **state)
{
    (void)state;
    struct demo d;
    ts_err_t err = {0};
    ts_param_defaults(k_spec, N_SPEC, &d, sizeof(d), &err);

    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "alpah", "1", &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "did you mean 'alpha'"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "qqqqqqqqq", "1", &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "expected one of"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "alpha", "7", &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "between 0 and 5"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "size", "big", &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "found 'big'"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "kind", "zip", &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "one of zipf|uniform"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_set(k_spec, N_SPEC, &d, "columns.path", "0123456789abcdefg", &err),
                     TS_ERANGE);
    /* A failed set leaves the field as it was. */
    assert_int_equal(d.size, 4096);
}

static void test_param_check_rejects_bad_schemas(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_param_spec_t dup[2] = {k_spec[0], k_spec[0]};
    assert_int_equal(ts_param_check_schema(dup, 2, sizeof(struct demo), &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "declared twice"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_check_schema(k_spec, N_SPEC, 8, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "outside"));
    ts_err_clear(&err);
    ts_param_spec_t bad_def = k_spec[4];
    bad_def.def = "4 potatoes";
    struct demo d;
    assert_int_equal(ts_param_defaults(&bad_def, 1, &d, sizeof(d), &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "default of parameter size"));
}

/* A rate field stores bytes/s (bits divided by 8), honours its range and prints back in a
 * form that parses to the same value. */
static void test_param_rate_type(void **state)
{
    (void)state;
    struct link {
        uint64_t bw;
    } l;
    static const ts_param_spec_t spec[] = {
        {"bandwidth", TS_PT_RATE, offsetof(struct link, bw), 0, 1, 1e12, "25GB/s", "bytes/s",
         NULL},
    };
    ts_err_t err = {0};
    assert_int_equal(ts_param_check_schema(spec, 1, sizeof(l), &err), 0);
    assert_int_equal(ts_param_defaults(spec, 1, &l, sizeof(l), &err), 0);
    assert_int_equal(l.bw, 25000000000ULL);
    assert_int_equal(ts_param_set(spec, 1, &l, "bandwidth", "400Gbit/s", &err), 0);
    assert_int_equal(l.bw, 50000000000ULL);
    char buf[64];
    assert_string_equal(ts_param_format(&spec[0], &l, buf, sizeof(buf)), "50GB/s");
    assert_true(ts_param_number(&spec[0], &l) == 5e10);
    assert_non_null(strstr(ts_param_type_name(&spec[0], buf, sizeof(buf)), "bandwidth"));
    assert_int_equal(ts_param_set(spec, 1, &l, "bandwidth", "2TB/s", &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "bandwidth must be between"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_set(spec, 1, &l, "bandwidth", "25GB", &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "expected a bandwidth"));
    assert_int_equal(l.bw, 50000000000ULL);
}

/* Price and power fields store dollars in the internal unit (here per GB-month and per
 * request) and watts, print back in a form that parses, and name their form in errors. */
static void test_param_price_and_power_types(void **state)
{
    (void)state;
    struct bill {
        double rent, get, watts;
    } b;
    static const ts_param_spec_t spec[] = {
        {"storage", TS_PT_PRICE_GB_MONTH, offsetof(struct bill, rent), 0, 0, 1e6,
         "$0.023/GB-month", "rent", NULL},
        {"get", TS_PT_PRICE_REQUEST, offsetof(struct bill, get), 0, 0, 1, "0", "per GET", NULL},
        {"power", TS_PT_POWER, offsetof(struct bill, watts), 0, 0, 1e6, "0", "watts", NULL},
    };
    ts_err_t err = {0};
    assert_int_equal(ts_param_check_schema(spec, 3, sizeof(b), &err), 0);
    assert_int_equal(ts_param_defaults(spec, 3, &b, sizeof(b), &err), 0);
    assert_true(b.rent == 0.023 && b.get == 0 && b.watts == 0);
    assert_int_equal(ts_param_set(spec, 3, &b, "storage", "$23/TB-month", &err), 0);
    assert_true(fabs(b.rent - 0.023) < 1e-15); /* $23 / 1000 GB */
    assert_int_equal(ts_param_set(spec, 3, &b, "get", "$0.4/1M", &err), 0);
    assert_true(fabs(b.get - 4e-7) < 1e-21);
    assert_int_equal(ts_param_set(spec, 3, &b, "power", "1.2kW", &err), 0);
    char buf[64];
    assert_string_equal(ts_param_format(&spec[0], &b, buf, sizeof(buf)), "$0.023/GB-month");
    assert_string_equal(ts_param_format(&spec[1], &b, buf, sizeof(buf)), "$0.0004/1000");
    assert_string_equal(ts_param_format(&spec[2], &b, buf, sizeof(buf)), "1200W");
    assert_true(ts_param_number(&spec[2], &b) == 1200);
    assert_non_null(strstr(ts_param_type_name(&spec[0], buf, sizeof(buf)), "per GB-month"));
    assert_int_equal(ts_param_set(spec, 3, &b, "storage", "$0.023/GB", &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "expected a price such as $0.023/GB-month"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_set(spec, 3, &b, "get", "$2/req", &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "get must be between"));
    assert_true(fabs(b.get - 4e-7) < 1e-21); /* a failed set changes nothing */
}

/* A range refused names its bounds in the parameter's own unit: "between" for both,
 * "at most" for a quantity that cannot be negative and starts at 0, "at least" when the
 * upper bound only stands for the largest uint64_t (1.8e19). Each bound below is the
 * schema's figure written by hand in its unit: 1024 B = 1KiB, 2^50 B = 1PiB, 3.6e12 ns =
 * 1h, 1e6 = 1M, 1e12 B/s = 1TB/s, 1e9 ns = 1s, 3.1536e19 ns = 1000 years of 365 days,
 * 1e-3 = 0.1%, 1e6 W = 1000kW, 1e-9 = 1e-7%; plain numbers with the exponent as typed. */
static void test_param_range_messages_use_units(void **state)
{
    (void)state;
    struct ranged {
        uint64_t size, wait, n, bw, life, cap;
        double share, watts, rate, tiny;
    };
    static const ts_param_spec_t spec[] = {
        {"size", TS_PT_SIZE, offsetof(struct ranged, size), 0, 1024, 1125899906842624.0, "4KiB",
         "bytes", NULL},
        {"wait", TS_PT_DURATION, offsetof(struct ranged, wait), 0, 0, 3.6e12, "0", "time", NULL},
        {"n", TS_PT_COUNT, offsetof(struct ranged, n), 0, 1, 1e6, "1", "count", NULL},
        {"bw", TS_PT_RATE, offsetof(struct ranged, bw), 0, 1, 1e12, "1GB/s", "rate", NULL},
        {"life", TS_PT_DURATION, offsetof(struct ranged, life), 0, 1e9, 3.1536e19, "5y", "time",
         NULL},
        {"cap", TS_PT_SIZE, offsetof(struct ranged, cap), 0, 1, 1.8e19, "1GiB", "bytes", NULL},
        {"share", TS_PT_FRACTION, offsetof(struct ranged, share), 0, 1e-3, 1, "10%", "share",
         NULL},
        {"power", TS_PT_POWER, offsetof(struct ranged, watts), 0, 0, 1e6, "0", "watts", NULL},
        {"rate", TS_PT_DOUBLE, offsetof(struct ranged, rate), 0, 1e-9, 1e12, "1", "per s",
         NULL},
        {"tiny", TS_PT_FRACTION, offsetof(struct ranged, tiny), 0, 1e-9, 1, "1%", "share",
         NULL},
    };
    static const struct {
        const char *name, *value, *want;
    } cases[] = {
        {"size", "2PiB", "size must be between 1KiB and 1PiB, found '2PiB'"},
        {"wait", "2h", "wait must be at most 1h, found '2h'"},
        {"n", "0", "n must be between 1 and 1M, found '0'"},
        {"bw", "2TB/s", "bw must be between 1B/s and 1TB/s, found '2TB/s'"},
        {"life", "0", "life must be between 1s and 1000y, found '0'"},
        {"cap", "0", "cap must be at least 1B, found '0'"},
        {"share", "0", "share must be between 0.1% and 100%, found '0'"},
        {"power", "1.5MW", NULL}, /* not a power this parser reads: no range involved */
        {"power", "2000kW", "power must be between 0W and 1000kW, found '2000kW'"},
        {"rate", "2e12", "rate must be between 1e-9 and 1e12, found '2e12'"},
        {"tiny", "0", "tiny must be between 1e-7% and 100%, found '0'"},
    };
    struct ranged r;
    ts_err_t err = {0};
    assert_int_equal(ts_param_defaults(spec, TS_PARAM_COUNT(spec), &r, sizeof(r), &err), 0);
    for (size_t i = 0; i < TS_PARAM_COUNT(cases); i++) {
        ts_err_clear(&err);
        int rc = ts_param_set(spec, TS_PARAM_COUNT(spec), &r, cases[i].name, cases[i].value,
                              &err);
        if (!cases[i].want) {
            assert_int_equal(rc, TS_EPARSE);
            continue;
        }
        if (rc != TS_ERANGE || strcmp(err.msg, cases[i].want) != 0)
            fail_msg("%s=%s: %d '%s', want '%s'", cases[i].name, cases[i].value, rc, err.msg,
                     cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_param_defaults_fill_every_field),
        cmocka_unit_test(test_param_set_and_format_round_trip),
        cmocka_unit_test(test_param_errors_name_the_problem),
        cmocka_unit_test(test_param_check_rejects_bad_schemas),
        cmocka_unit_test(test_param_rate_type),
        cmocka_unit_test(test_param_price_and_power_types),
        cmocka_unit_test(test_param_range_messages_use_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
