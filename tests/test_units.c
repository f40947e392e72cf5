/* SPDX-License-Identifier: MIT */
/*
 * test_units.c - human units (sizes, counts, durations, fractions, bandwidths, prices,
 * power): every
 * accepted form gives the hand-computed value, and
 * every malformed one is refused with a message naming what was expected.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/units.h"

struct size_case {
    const char *name;
    const char *in;
    int rc;
    uint64_t want;
};

struct unit_refusal {
    const char *name;
    const char *in;
    const char *msg; /* the whole message */
};

/* Sizes are written as the units are spelled (case matters): B; kB = KB = 1000, MB, GB, TB,
 * PB powers of 1000; KiB, MiB, GiB, TiB, PiB powers of 1024; bit, kbit = Kbit, Mbit, Gbit,
 * Tbit are bits (an eighth of a byte, the result a whole byte). Values computed by hand. */
static void test_units_size_table(void **state)
{
    (void)state;
    static const struct size_case cases[] = {
        {"plain", "4096", 0, 4096},
        {"kib", "4KiB", 0, 4096},
        {"KB decimal", "4KB", 0, 4000},
        {"kB decimal", "4kB", 0, 4000},
        {"mb", "3MB", 0, 3000000},
        {"gb", "2GB", 0, 2000000000ULL},
        {"fraction tb", "1.5TB", 0, 1500000000000ULL},
        {"pb", "2PB", 0, 2000000000000000ULL},
        {"space", " 512 MiB ", 0, 536870912ULL},              /* 512 x 2^20 */
        {"gib", "1GiB", 0, 1073741824ULL},                    /* 2^30 */
        {"tib", "2TiB", 0, 2199023255552ULL},                 /* 2 x 2^40 */
        {"pib", "1PiB", 0, 1125899906842624ULL},              /* 2^50 */
        {"bytes suffix", "10B", 0, 10},
        {"bits", "16bit", 0, 2},                              /* 16 / 8 */
        {"kbit", "16kbit", 0, 2000},                          /* 16e3 / 8 */
        {"Kbit", "16Kbit", 0, 2000},
        {"mbit", "8Mbit", 0, 1000000},                        /* 8e6 / 8 */
        {"gbit", "8Gbit", 0, 1000000000ULL},
        {"tbit", "8Tbit", 0, 1000000000000ULL},
        {"half byte", "0.5", TS_EPARSE, 0},
        {"four bits", "4bit", TS_EPARSE, 0},
        {"negative", "-1", TS_ERANGE, 0},
        {"junk suffix", "12x", TS_EPARSE, 0},
        {"empty", "", TS_EPARSE, 0},
        {"trailing", "4KiB x", TS_EPARSE, 0},
        {"inf", "inf", TS_EPARSE, 0},
        {"hex", "0x10", TS_EPARSE, 0},
        {"beyond 64 bits", "16384PiB", TS_ERANGE, 0},          /* 2^14 x 2^50 = 2^64 */
        {"exa is not a unit", "16EiB", TS_EPARSE, 0},
        {"binary bits", "8Mibit", TS_EPARSE, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        uint64_t v = 0;
        int rc = ts_parse_size(cases[i].in, &v, &err);
        if (rc != cases[i].rc || (rc == 0 && v != cases[i].want))
            fail_msg("case %s: rc %d value %llu", cases[i].name, rc, (unsigned long long)v);
        if (rc == TS_EPARSE)
            assert_non_null(strstr(err.msg, "expected a"));
        if (rc != 0)
            assert_non_null(strstr(err.msg, cases[i].in));
    }
}

/* Spellings that are near a unit but not one: each refused with what was meant. */
/* A caller wording its own message keeps the hint ts_parse_size gives, and only that. */
static void test_units_size_hint(void **state)
{
    (void)state;
    uint64_t v;
    ts_err_t e = {0};
    char hint[160];
    assert_int_equal(ts_parse_size("10Gib", &v, &e), TS_EPARSE);
    assert_string_equal(ts_size_hint("10Gib", hint, sizeof(hint)),
                        "units are case-sensitive; did you mean '10GiB'?");
    assert_non_null(strstr(e.msg, hint));
    ts_err_clear(&e);
    assert_int_equal(ts_parse_size("10Gb", &v, &e), TS_EPARSE);
    assert_string_equal(ts_size_hint("10Gb", hint, sizeof(hint)),
                        "Gb is gigabits; did you mean '10GB'?");
    assert_non_null(strstr(e.msg, hint));
    ts_err_clear(&e);
    assert_int_equal(ts_parse_size("12x", &v, &e), TS_EPARSE); /* no unit to suggest */
    assert_string_equal(ts_size_hint("12x", hint, sizeof(hint)), "");
    assert_string_equal(ts_size_hint("10GiB", hint, sizeof(hint)), ""); /* nothing wrong */
}

/* A list for an "expected one of" message: whole when it fits; else whole names from both
 * ends around ", ..., ", added in turn (start, end, start, ...) while they fit. By hand,
 * for the five names below: the whole list is 5+4+5+5+7 + 4 x 2 = 34 bytes; in 30 bytes
 * (29 and the NUL) the gap takes 7, then alpha 5 (12), epsilon 7 (19), ", beta" 6 (25);
 * ", delta" would make 32, and so would ", gamma". */
static void test_units_join_names(void **state)
{
    (void)state;
    static const char *const names[] = {"alpha", "beta", "gamma", "delta", "epsilon"};
    char out[64];
    ts_join_names(out, 35, names, 5);
    assert_string_equal(out, "alpha, beta, gamma, delta, epsilon");
    ts_join_names(out, 34, names, 5); /* one byte short: 7 + 5 + 7 + 6 + 7 = 32 fits */
    assert_string_equal(out, "alpha, beta, ..., delta, epsilon");
    ts_join_names(out, 30, names, 5);
    assert_string_equal(out, "alpha, beta, ..., epsilon");
    ts_join_names(out, 13, names, 5); /* no room for a name at each end */
    assert_string_equal(out, "alpha");
    ts_join_names(out, 8, names, 0);
    assert_string_equal(out, "");
}

static void test_units_size_refusals(void **state)
{
    (void)state;
#define SZ "expected a size such as 4096, 4KiB or 1.5TB, found "
    static const struct unit_refusal cases[] = {
        {"Gib", "10Gib", SZ "'10Gib': units are case-sensitive; did you mean '10GiB'?"},
        {"KIB", "10KIB", SZ "'10KIB': units are case-sensitive; did you mean '10KiB'?"},
        {"kib", "1kib", SZ "'1kib': units are case-sensitive; did you mean '1KiB'?"},
        {"gb", "10gb", SZ "'10gb': units are case-sensitive; did you mean '10GB'?"},
        {"mib with blanks", " 1.5 mib ",
         SZ "' 1.5 mib ': units are case-sensitive; did you mean '1.5MiB'?"},
        {"GBIT", "1GBIT", SZ "'1GBIT': units are case-sensitive; did you mean '1Gbit'?"},
        {"Gb is bits", "10Gb", SZ "'10Gb': Gb is gigabits; did you mean '10GB'?"},
        {"Mb is bits", "10Mb", SZ "'10Mb': Mb is megabits; did you mean '10MB'?"},
        {"kb is bits", "10kb", SZ "'10kb': kb is kilobits; did you mean '10kB'?"},
        {"b is bits", "10b", SZ "'10b': b is bits; did you mean '10B'?"},
        {"bare k", "2k", SZ "'2k': k is a prefix without a unit; did you mean '2kB' or '2KiB'?"},
        {"bare G", "10G", SZ "'10G': G is a prefix without a unit; did you mean '10GB' or "
                             "'10GiB'?"},
        {"bare m", "3m", SZ "'3m': m is a prefix without a unit; did you mean '3MB' or '3MiB'?"},
        {"unknown", "12x", SZ "'12x'"},
        {"control byte", "4\x01KiB", SZ "'4\\x01KiB'"},
    };
#undef SZ
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        uint64_t v = 0;
        int rc = ts_parse_size(cases[i].in, &v, &err);
        if (rc != TS_EPARSE || strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %s: rc %d message '%s'", cases[i].name, rc, err.msg);
    }
}

static void test_units_count_and_int(void **state)
{
    (void)state;
    ts_err_t err = {0};
    uint64_t v;
    assert_int_equal(ts_parse_count("10M", &v, &err), 0);
    assert_int_equal(v, 10000000);
    assert_int_equal(ts_parse_count("1e6", &v, &err), 0);
    assert_int_equal(v, 1000000);
    assert_int_equal(ts_parse_count("2.5k", &v, &err), 0);
    assert_int_equal(v, 2500);
    assert_int_equal(ts_parse_count("1.5", &v, &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "whole count"));
    int64_t i;
    ts_err_clear(&err);
    assert_int_equal(ts_parse_int("-42", &i, &err), 0);
    assert_int_equal(i, -42);
    assert_int_equal(ts_parse_int("4x", &i, &err), TS_EPARSE);
}

static void test_units_duration(void **state)
{
    (void)state;
    ts_err_t err = {0};
    uint64_t ns;
    assert_int_equal(ts_parse_duration("200us", &ns, &err), 0);
    assert_int_equal(ns, 200000);
    assert_int_equal(ts_parse_duration("3ms", &ns, &err), 0);
    assert_int_equal(ns, 3000000);
    assert_int_equal(ts_parse_duration("1.5s", &ns, &err), 0);
    assert_int_equal(ns, 1500000000ULL);
    assert_int_equal(ts_parse_duration("2min", &ns, &err), 0);
    assert_int_equal(ns, 120000000000ULL);
    assert_int_equal(ts_parse_duration("0", &ns, &err), 0);
    assert_int_equal(ns, 0);
    assert_int_equal(ts_parse_duration("5", &ns, &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "with a unit"));
}

static void test_units_fraction_bool(void **state)
{
    (void)state;
    ts_err_t err = {0};
    double f;
    assert_int_equal(ts_parse_fraction("10%", &f, &err), 0);
    assert_true(f > 0.0999999 && f < 0.1000001);
    assert_int_equal(ts_parse_fraction("0.25", &f, &err), 0);
    assert_true(f == 0.25);
    assert_int_equal(ts_parse_fraction("10 percent", &f, &err), TS_EPARSE);
    int b;
    assert_int_equal(ts_parse_bool("Yes", &b, &err), 0);
    assert_int_equal(b, 1);
    assert_int_equal(ts_parse_bool("off", &b, &err), 0);
    assert_int_equal(b, 0);
    assert_int_equal(ts_parse_bool("maybe", &b, &err), TS_EPARSE);
}

static void test_units_format(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(ts_format_size(4096, 0, buf, sizeof(buf)), "4KiB");
    assert_string_equal(ts_format_size(1000, 0, buf, sizeof(buf)), "1000B");
    assert_string_equal(ts_format_size(3ULL << 30, 1, buf, sizeof(buf)), "3GiB");
    assert_string_equal(ts_format_size(1536ULL << 20, 1, buf, sizeof(buf)), "1.50GiB");
    assert_string_equal(ts_format_duration(200000, buf, sizeof(buf)), "200us");
    assert_string_equal(ts_format_duration(5ULL * 31536000000000000ULL, buf, sizeof(buf)), "5y");
}

/* Durations for a person: whole years, days, hours and (below 120) minutes as that; else
 * four significant digits in the first unit where the rounded figure stays below its limit
 * (1000 us, ms and s; 120 min; 72 h; 1000 d). The exact form keeps every nanosecond. */
static void test_units_format_duration_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint64_t ns;
        const char *human, *exact;
    } cases[] = {
        {"nanoseconds", 110, "110ns", "110ns"},
        {"a microsecond", 1000, "1us", "1us"},
        {"1.5 us", 1500, "1.5us", "1.5us"},
        {"1 ns short of 1 ms rounds up a unit", 999999, "1ms", "999.999us"},
        {"1 ns short of 1 s: not 1000ms", 999999999, "1s", "999.999999ms"},
        {"99.87 s", 99870000000ULL, "99.87s", "99.87s"},
        {"90 s: not a whole minute", 90000000000ULL, "90s", "90s"},
        {"a whole minute", 60000000000ULL, "1min", "60s"},
        {"1230 s = 20.5 min", 1230000000000ULL, "20.5min", "1230s"},
        {"a whole hour", 3600000000000ULL, "1h", "3600s"},
        {"36.5 h: 2190 whole minutes, too many", 131400000000000ULL, "36.5h", "131400s"},
        {"two whole days", 172800000000000ULL, "2d", "172800s"},
        {"1e18 ns = 31.709 y", 1000000000000000000ULL, "31.71y", "1000000000s"},
        {"five whole years", 5ULL * 31536000000000000ULL, "5y", "157680000s"},
        {"one nanosecond past a second", 1000000001ULL, "1s", "1.000000001s"},
        {"zero", 0, "0ns", "0ns"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char a[48], b[48];
        ts_format_duration(cases[i].ns, a, sizeof(a));
        ts_format_duration_exact(cases[i].ns, b, sizeof(b));
        if (strcmp(a, cases[i].human) != 0 || strcmp(b, cases[i].exact) != 0)
            fail_msg("%s: got '%s' and '%s', want '%s' and '%s'", cases[i].name, a, b,
                     cases[i].human, cases[i].exact);
        uint64_t back;
        ts_err_t err = {0};
        if (ts_parse_duration(a, &back, &err) != 0 || ts_parse_duration(b, &back, &err) != 0 ||
            back != cases[i].ns)
            fail_msg("%s: '%s' or '%s' does not read back", cases[i].name, a, b);
    }
}

/* Bandwidths by hand: decimal prefixes are powers of 1000, binary of 1024, bits are /8. A
 * lone b is bits only in a rate (Gb/s, Gbps); units are case-sensitive as in sizes. */
static void test_units_rate_table(void **state)
{
    (void)state;
    static const struct size_case cases[] = {
        {"gb/s", "25GB/s", 0, 25000000000ULL},
        {"fraction tb/s", "3.35TB/s", 0, 3350000000000ULL},
        {"gib/s", "900GiB/s", 0, 966367641600ULL},           /* 900 x 2^30 */
        {"gbit/s", "400Gbit/s", 0, 50000000000ULL},          /* 400e9 / 8 */
        {"gb bits", "100Gb/s", 0, 12500000000ULL},           /* 100e9 / 8 */
        {"gbps", "100Gbps", 0, 12500000000ULL},
        {"mb/s", "7000MB/s", 0, 7000000000ULL},
        {"kB/s", "4kB/s", 0, 4000},
        {"space", " 12.5 GB/s ", 0, 12500000000ULL},
        {"bytes/s", "512B/s", 0, 512},
        {"kib/s", "4KiB/s", 0, 4096},
        {"mbit/s", "8Mbit/s", 0, 1000000},                   /* 8e6 / 8 */
        {"kb/s bits", "16kb/s", 0, 2000},                    /* 16e3 / 8 */
        {"zero", "0", 0, 0},
        {"bare number", "25", TS_EPARSE, 0},
        {"no per second", "25GB", TS_EPARSE, 0},
        {"unknown prefix", "25XB/s", TS_EPARSE, 0},
        {"time unit", "25GB/h", TS_EPARSE, 0},
        {"junk", "fast", TS_EPARSE, 0},
        {"negative", "-1GB/s", TS_ERANGE, 0},
        {"fraction of a byte", "1bit/s", TS_EPARSE, 0},
        {"binary bits", "8Mibit/s", TS_EPARSE, 0},
        {"lower case gib", "900gib/s", TS_EPARSE, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        uint64_t v = 0;
        int rc = ts_parse_rate(cases[i].in, &v, &err);
        if (rc != cases[i].rc || (rc == 0 && v != cases[i].want))
            fail_msg("case %s: rc %d value %llu", cases[i].name, rc, (unsigned long long)v);
        if (rc == TS_EPARSE && !strstr(err.msg, "expected a bandwidth such as 25GB/s") &&
            !strstr(err.msg, "whole number of bytes per second"))
            fail_msg("case %s: message '%s'", cases[i].name, err.msg);
        if (rc != 0)
            assert_non_null(strstr(err.msg, cases[i].in));
    }
}

static void test_units_rate_refusals(void **state)
{
    (void)state;
#define RT "expected a bandwidth such as 25GB/s, 900GiB/s or 400Gbit/s (B = bytes, b or bit = " \
           "bits), found "
    static const struct unit_refusal cases[] = {
        {"gib/s", "900gib/s", RT "'900gib/s': units are case-sensitive; did you mean '900GiB/s'?"},
        {"GBPS", "25GBPS", RT "'25GBPS'"},
        {"gbit/s", "400gbit/s",
         RT "'400gbit/s': units are case-sensitive; did you mean '400Gbit/s'?"},
        {"bits with an s", "400Gbits/s", RT "'400Gbits/s': did you mean '400Gbit/s'?"},
    };
#undef RT
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        uint64_t v = 0;
        int rc = ts_parse_rate(cases[i].in, &v, &err);
        if (rc != TS_EPARSE || strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %s: rc %d message '%s'", cases[i].name, rc, err.msg);
    }
}

/* The exact form is the shorter of decimal and binary and parses back to the same value;
 * the rounded one keeps three significant digits. */
static void test_units_rate_format_round_trips(void **state)
{
    (void)state;
    static const struct {
        uint64_t v;
        const char *exact, *rounded;
    } cases[] = {
        {25000000000ULL, "25GB/s", "25GB/s"},
        {3350000000000ULL, "3.35TB/s", "3.35TB/s"},
        {966367641600ULL, "900GiB/s", "966GB/s"},
        {31500000000ULL, "31.5GB/s", "31.5GB/s"},
        {2039000000000ULL, "2.039TB/s", "2.04TB/s"},
        {999600000ULL, "999.6MB/s", "1GB/s"},
        {4096, "4KiB/s", "4.1kB/s"},
        {0, "0B/s", "0B/s"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_string_equal(ts_format_rate(cases[i].v, 0, buf, sizeof(buf)), cases[i].exact);
        uint64_t back = 1;
        ts_err_t err = {0};
        assert_int_equal(ts_parse_rate(buf, &back, &err), 0);
        assert_int_equal(back, cases[i].v);
        assert_string_equal(ts_format_rate(cases[i].v, 1, buf, sizeof(buf)), cases[i].rounded);
    }
}

struct price_case {
    const char *name;
    const char *in;
    ts_price_unit_t unit;
    int rc;
    double want;
};

/* Prices by hand, in the internal units: dollars per GB (1e9 bytes), per GB-month (a month
 * is 730 h), per hour, per request, per kWh. */
static void test_units_price_table(void **state)
{
    (void)state;
    static const struct price_case cases[] = {
        {"per gb", "$0.09/GB", TS_PRICE_PER_GB, 0, 0.09},
        {"per tb", "$90/TB", TS_PRICE_PER_GB, 0, 0.09},                 /* 90 / 1000 GB */
        {"per gib", "0.12/GiB", TS_PRICE_PER_GB, 0, 0.12 / 1.073741824}, /* 2^30 / 1e9 GB */
        {"per byte", "$9e-11/B", TS_PRICE_PER_GB, 0, 0.09},             /* x 1e9 bytes */
        {"blanks", " $0.09 / GB ", TS_PRICE_PER_GB, 0, 0.09},
        {"amount in denominator", "$9/100GB", TS_PRICE_PER_GB, 0, 0.09},
        {"zero", "0", TS_PRICE_PER_GB, 0, 0},
        {"zero dollars", "$0", TS_PRICE_PER_GB, 0, 0},
        {"no unit", "0.09", TS_PRICE_PER_GB, TS_EPARSE, 0},
        {"wrong unit", "$0.09/GB-month", TS_PRICE_PER_GB, TS_EPARSE, 0},
        {"unknown unit", "$0.09/XB", TS_PRICE_PER_GB, TS_EPARSE, 0},
        {"no number", "$/GB", TS_PRICE_PER_GB, TS_EPARSE, 0},
        {"negative", "-1/GB", TS_PRICE_PER_GB, TS_ERANGE, 0},
        {"gb-month", "$0.023/GB-month", TS_PRICE_PER_GB_MONTH, 0, 0.023},
        {"tb-month", "$23/TB-month", TS_PRICE_PER_GB_MONTH, 0, 0.023},
        {"gb/month", "$0.023/GB/month", TS_PRICE_PER_GB_MONTH, 0, 0.023},
        {"gib-month", "$0.023/GiB-month", TS_PRICE_PER_GB_MONTH, 0, 0.023 / 1.073741824},
        {"gb-hour", "$0.0001/GB-hour", TS_PRICE_PER_GB_MONTH, 0, 0.073},  /* x 730 h */
        {"gb-year", "$0.276/GB-year", TS_PRICE_PER_GB_MONTH, 0, 0.023},   /* x 730 / 8760 */
        {"purchase is not rent", "$0.023/GB", TS_PRICE_PER_GB_MONTH, TS_EPARSE, 0},
        {"per hour", "$2.99/h", TS_PRICE_PER_HOUR, 0, 2.99},
        {"no dollar", "2.5/hour", TS_PRICE_PER_HOUR, 0, 2.5},
        {"per minute", "$0.05/min", TS_PRICE_PER_HOUR, 0, 3.0},          /* x 60 */
        {"per month", "$2190/month", TS_PRICE_PER_HOUR, 0, 3.0},         /* / 730 */
        {"per second", "$1/s", TS_PRICE_PER_HOUR, 0, 3600},
        {"per day", "$24/day", TS_PRICE_PER_HOUR, 0, 1},
        {"hour is not size", "$2.99/GB", TS_PRICE_PER_HOUR, TS_EPARSE, 0},
        {"per 1000", "$0.0004/1000", TS_PRICE_PER_REQUEST, 0, 4e-7},
        {"per 1m", "$0.4/1M", TS_PRICE_PER_REQUEST, 0, 4e-7},
        {"per 10k", "$0.0044/10k", TS_PRICE_PER_REQUEST, 0, 4.4e-7},
        {"per req", "$4e-7/req", TS_PRICE_PER_REQUEST, 0, 4e-7},
        {"per 1000 requests", "$0.005/1000 requests", TS_PRICE_PER_REQUEST, 0, 5e-6},
        {"per zero", "$0.0004/0", TS_PRICE_PER_REQUEST, TS_EPARSE, 0},
        {"per half", "$0.0004/1.5", TS_PRICE_PER_REQUEST, TS_EPARSE, 0},
        {"per kwh", "$0.12/kWh", TS_PRICE_PER_KWH, 0, 0.12},
        {"per mwh", "$120/MWh", TS_PRICE_PER_KWH, 0, 0.12},
        {"per wh", "$0.00012/Wh", TS_PRICE_PER_KWH, 0, 0.12},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        double v = -1;
        int rc = ts_parse_price(cases[i].in, cases[i].unit, &v, &err);
        if (rc != cases[i].rc ||
            (rc == 0 && fabs(v - cases[i].want) > 1e-12 * fabs(cases[i].want)))
            fail_msg("case %s: rc %d value %.17g", cases[i].name, rc, v);
        if (rc == TS_EPARSE && !strstr(err.msg, "expected a price such as"))
            fail_msg("case %s: message '%s'", cases[i].name, err.msg);
        if (rc != 0)
            assert_non_null(strstr(err.msg, cases[i].in));
    }
}

/* The written form reads back to the price (12 significant digits) and shows per-request
 * prices per 1,000, as price lists do. */
static void test_units_price_format_round_trips(void **state)
{
    (void)state;
    static const struct price_case cases[] = {
        {"rent", "$0.023/GB-month", TS_PRICE_PER_GB_MONTH, 0, 0.023},
        {"get", "$0.0004/1000", TS_PRICE_PER_REQUEST, 0, 4e-7},
        {"gpu", "$2.99/h", TS_PRICE_PER_HOUR, 0, 2.99},
        {"purchase", "$0.1/GB", TS_PRICE_PER_GB, 0, 0.1},
        {"energy", "$0.12/kWh", TS_PRICE_PER_KWH, 0, 0.12},
        {"per gib", "$0.023/GiB-month", TS_PRICE_PER_GB_MONTH, 0, 0.023 / 1.073741824},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        double v = 0, back = 0;
        assert_int_equal(ts_parse_price(cases[i].in, cases[i].unit, &v, &err), 0);
        assert_string_equal(ts_format_price(v, cases[i].unit, buf, sizeof(buf)), cases[i].in);
        assert_int_equal(ts_parse_price(buf, cases[i].unit, &back, &err), 0);
        assert_true(fabs(back - v) <= 1e-12 * v);
    }
}

static void test_units_power_and_years(void **state)
{
    (void)state;
    ts_err_t err = {0};
    double w = -1;
    assert_int_equal(ts_parse_power("700W", &w, &err), 0);
    assert_true(w == 700);
    assert_int_equal(ts_parse_power("1.2kW", &w, &err), 0);
    assert_true(w == 1200);
    assert_int_equal(ts_parse_power("25 w", &w, &err), 0);
    assert_true(w == 25);
    assert_int_equal(ts_parse_power("0", &w, &err), 0);
    assert_true(w == 0);
    assert_int_equal(ts_parse_power("700", &w, &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "expected a power such as 700W"));
    ts_err_clear(&err);
    assert_int_equal(ts_parse_power("-5W", &w, &err), TS_ERANGE);
    uint64_t ns;
    assert_int_equal(ts_parse_duration("5y", &ns, &err), 0);
    assert_int_equal(ns, 5ULL * 365 * 86400 * 1000000000ULL); /* a year is 365 days */
}

static void test_units_suggest(void **state)
{
    (void)state;
    static const char *const cands[] = {"policy", "capacity", "name"};
    assert_int_equal(ts_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(ts_edit_distance("LRU", "lru"), 0);
    assert_string_equal(ts_suggest("polcy", cands, 3), "policy");
    assert_string_equal(ts_suggest("capacty", cands, 3), "capacity");
    assert_null(ts_suggest("zzzzzzzz", cands, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_size_table),   cmocka_unit_test(test_units_count_and_int),
        cmocka_unit_test(test_units_duration),     cmocka_unit_test(test_units_fraction_bool),
        cmocka_unit_test(test_units_format),       cmocka_unit_test(test_units_suggest),
        cmocka_unit_test(test_units_format_duration_table),
        cmocka_unit_test(test_units_rate_table),
        cmocka_unit_test(test_units_size_refusals),
        cmocka_unit_test(test_units_size_hint),
        cmocka_unit_test(test_units_join_names),
        cmocka_unit_test(test_units_rate_refusals),
        cmocka_unit_test(test_units_rate_format_round_trips),
        cmocka_unit_test(test_units_price_table),
        cmocka_unit_test(test_units_price_format_round_trips),
        cmocka_unit_test(test_units_power_and_years),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
