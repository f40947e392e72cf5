/* SPDX-License-Identifier: MIT */
/*
 * units.c - parsers and formatters for human units (see units.h).
 *
 * Numbers are read with strtod on the leading part, then the suffix is matched against a
 * table. Integer results are checked to be whole and to fit in 64 bits (values up to 2^53
 * are exact; larger ones are rejected rather than rounded silently).
 */
#include "units.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

struct unit {
    const char *name;
    double mult;
};

/* Sizes, as written (case matters): bytes B; decimal kB (KB is the same), MB, GB, TB, PB;
 * binary KiB, MiB, GiB, TiB, PiB; bits bit, kbit (Kbit), Mbit, Gbit, Tbit, Pbit. */
static const struct unit k_size_units[] = {
    {"", 1},
    {"B", 1},
    {"kB", 1e3},
    {"KB", 1e3},
    {"MB", 1e6},
    {"GB", 1e9},
    {"TB", 1e12},
    {"PB", 1e15},
    {"KiB", 1024.0},
    {"MiB", 1048576.0},
    {"GiB", 1073741824.0},
    {"TiB", 1099511627776.0},
    {"PiB", 1125899906842624.0},
    {"bit", 0.125},
    {"kbit", 125},
    {"Kbit", 125},
    {"Mbit", 125e3},
    {"Gbit", 125e6},
    {"Tbit", 125e9},
    {"Pbit", 125e12},
};

/* Bits written with a lone b: only in a rate ("100Gb/s"); as a size they are refused. */
static const struct unit k_rate_bits[] = {
    {"b", 0.125}, {"kb", 125}, {"Kb", 125}, {"Mb", 125e3}, {"Gb", 125e6}, {"Tb", 125e9},
    {"Pb", 125e12},
};

static const struct unit k_count_units[] = {
    {"", 1}, {"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1e9}, {"t", 1e12},
};

static const struct unit k_time_units[] = {
    {"ns", 1},    {"us", 1e3},   {"\xc2\xb5s", 1e3}, {"ms", 1e6},   {"s", 1e9},
    {"sec", 1e9}, {"m", 60e9},   {"min", 60e9},      {"h", 3600e9}, {"hr", 3600e9},
    {"d", 86400e9},    {"y", 31536000e9}, {"yr", 31536000e9},
};

#define UNITS_N(a) (sizeof(a) / sizeof((a)[0]))

/* Reads the plain decimal number at s (no blanks before it) into *num; *end points past it.
 * Returns -1 when there is none. */
static int units_number(const char *s, double *num, const char **end)
{
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s || errno == ERANGE || !isfinite(v))
        return -1;
    /* strtod accepts "inf", "nan" and hex: reject anything but plain decimal forms. */
    for (const char *p = s; p < e; p++)
        if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' ||
              *p == 'E'))
            return -1;
    *num = v;
    *end = e;
    return 0;
}

/* Splits s into a number and a suffix (blanks trimmed; lower-cased into suf when fold). */
static int units_split_case(const char *s, double *num, char *suf, size_t sufsize, bool fold)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    const char *end;
    double v;
    if (units_number(s, &v, &end))
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    size_t n = 0;
    while (*end && !isspace((unsigned char)*end)) {
        if (n + 1 >= sufsize)
            return -1;
        suf[n++] = fold ? (char)tolower((unsigned char)*end) : *end;
        end++;
    }
    suf[n] = 0;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *num = v;
    return 0;
}

static int units_split(const char *s, double *num, char *suf, size_t sufsize)
{
    return units_split_case(s, num, suf, sufsize, true);
}

static int units_lookup(const struct unit *u, size_t n, const char *suf, double *mult)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(u[i].name, suf) == 0) {
            *mult = u[i].mult;
            return 0;
        }
    return -1;
}

#define UNITS_SHOWN 96 /* bytes of an input echoed in a message */

/* s as a message shows it: control and invisible bytes escaped (ts_text_shown). */
static const char *units_shown(const char *s, char *buf)
{
    return ts_text_shown(s ? s : "", buf, UNITS_SHOWN);
}

static int units_whole(double v, const char *s, const char *what, uint64_t *out, ts_err_t *err)
{
    char shown[UNITS_SHOWN];
    if (v < 0)
        return ts_err_set(err, TS_ERANGE, "expected a non-negative %s, found '%s'", what,
                          units_shown(s, shown));
    if (!(v < 18446744073709551616.0))
        return ts_err_set(err, TS_ERANGE, "%s '%s' does not fit in 64 bits", what,
                          units_shown(s, shown));
    double r = floor(v + 0.5);
    if (fabs(v - r) > 1e-9 * (r > 1 ? r : 1))
        return ts_err_set(err, TS_EPARSE, "expected a whole %s, found '%s'", what,
                          units_shown(s, shown));
    *out = r < 18446744073709551616.0 ? (uint64_t)r : UINT64_MAX; /* v just below 2^64 */
    return 0;
}

/* The number of s as written (blanks around it dropped), for a suggestion: "1.5" of
 * " 1.5 gb". */
static void units_number_text(const char *s, char *buf, size_t size)
{
    while (isspace((unsigned char)*s))
        s++;
    double v;
    const char *end = s;
    if (units_number(s, &v, &end))
        end = s;
    snprintf(buf, size, "%.*s", (int)(end - s), s);
}

/* A unit of u[0, n) that suf spells in another case (the first one whose last letter, b
 * for bits or B for bytes, is as written, else the first), or NULL. */
static const char *units_case_variant(const struct unit *u, size_t n, const char *suf)
{
    const char *any = NULL;
    size_t len = strlen(suf);
    for (size_t i = 0; len && i < n; i++) {
        if (strcasecmp(u[i].name, suf) != 0)
            continue;
        if (u[i].name[len - 1] == suf[len - 1])
            return u[i].name;
        if (!any)
            any = u[i].name;
    }
    return any;
}

/* Why suf is not a size unit and what was meant, into hint ("" when there is nothing to
 * say): "Gb is gigabits; did you mean '10GB'?" (a lone b is bits, only in a rate), "units
 * are case-sensitive; did you mean '10GiB'?", "G is a prefix without a unit; did you mean
 * '10GB' or '10GiB'?". */
static void units_size_hint(const char *s, const char *suf, char *hint, size_t size)
{
    static const char dec[] = "kKMGTP";
    static const char *const names[] = {"kilo", "kilo", "mega", "giga", "tera", "peta"};
    char num[48];
    units_number_text(s, num, sizeof(num));
    size_t n = strlen(suf);
    const char *at = n == 2 ? strchr(dec, suf[0]) : NULL;
    hint[0] = 0;
    if ((n == 1 && suf[0] == 'b') || (at && suf[1] == 'b')) {
        snprintf(hint, size, "%s is %sbits; did you mean '%s%.*sB'?", suf,
                 at ? names[at - dec] : "", num, (int)(n - 1), suf);
        return;
    }
    const char *v = units_case_variant(k_size_units, UNITS_N(k_size_units), suf);
    if (v) {
        snprintf(hint, size, "units are case-sensitive; did you mean '%s%s'?", num, v);
        return;
    }
    if (n == 1 && strchr("kKmMgGtTpP", suf[0])) {
        char d = suf[0] == 'k' || suf[0] == 'K' ? suf[0] : (char)toupper((unsigned char)suf[0]);
        snprintf(hint, size, "%s is a prefix without a unit; did you mean '%s%cB' or '%s%ciB'?",
                 suf, num, d, num, (char)toupper((unsigned char)suf[0]));
    }
}

const char *ts_size_hint(const char *s, char *buf, size_t size)
{
    double v, mult;
    char suf[16];
    buf[0] = 0;
    if (units_split_case(s, &v, suf, sizeof(suf), false) == 0 &&
        units_lookup(k_size_units, UNITS_N(k_size_units), suf, &mult) != 0)
        units_size_hint(s, suf, buf, size);
    return buf;
}

int ts_parse_size(const char *s, uint64_t *out, ts_err_t *err)
{
    double v, mult;
    char suf[16], shown[UNITS_SHOWN], hint[160];
    int bad = units_split_case(s, &v, suf, sizeof(suf), false);
    if (bad || units_lookup(k_size_units, UNITS_N(k_size_units), suf, &mult)) {
        if (!bad)
            units_size_hint(s, suf, hint, sizeof(hint));
        return ts_err_set(err, TS_EPARSE,
                          "expected a size such as 4096, 4KiB or 1.5TB, found '%s'%s%s",
                          units_shown(s, shown), !bad && hint[0] ? ": " : "",
                          !bad ? hint : "");
    }
    return units_whole(v * mult, s, "number of bytes", out, err);
}

int ts_parse_count(const char *s, uint64_t *out, ts_err_t *err)
{
    double v, mult;
    char suf[16], shown[UNITS_SHOWN];
    if (units_split(s, &v, suf, sizeof(suf)) ||
        units_lookup(k_count_units, UNITS_N(k_count_units), suf, &mult))
        return ts_err_set(err, TS_EPARSE, "expected a count such as 1000, 10M or 1e6, found '%s'",
                          units_shown(s, shown));
    return units_whole(v * mult, s, "count", out, err);
}

int ts_parse_int(const char *s, int64_t *out, ts_err_t *err)
{
    if (!s)
        return ts_err_set(err, TS_EPARSE, "expected an integer, found nothing");
    char *end, shown[UNITS_SHOWN];
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (end != s && isspace((unsigned char)*end))
        end++;
    if (end == s || *end || errno == ERANGE)
        return ts_err_set(err, TS_EPARSE, "expected an integer, found '%s'",
                          units_shown(s, shown));
    *out = v;
    return 0;
}

int ts_parse_double(const char *s, double *out, ts_err_t *err)
{
    double v, mult = 1;
    char suf[8], shown[UNITS_SHOWN];
    if (units_split(s, &v, suf, sizeof(suf)) || suf[0])
        return ts_err_set(err, TS_EPARSE, "expected a number, found '%s'", units_shown(s, shown));
    *out = v * mult;
    return 0;
}

int ts_parse_duration(const char *s, uint64_t *out, ts_err_t *err)
{
    double v, mult;
    char suf[16], shown[UNITS_SHOWN];
    int bad = units_split(s, &v, suf, sizeof(suf));
    if (!bad && suf[0] == 0 && v == 0) {
        *out = 0;
        return 0;
    }
    if (bad || units_lookup(k_time_units, UNITS_N(k_time_units), suf, &mult))
        return ts_err_set(err, TS_EPARSE,
                          "expected a duration with a unit such as 200us, 3ms or 1.5s, found '%s'",
                          units_shown(s, shown));
    double ns = v * mult;
    if (ns < 0)
        return ts_err_set(err, TS_ERANGE, "expected a non-negative duration, found '%s'",
                          units_shown(s, shown));
    double r = floor(ns + 0.5);
    if (!(r < 18446744073709551616.0))
        return ts_err_set(err, TS_ERANGE, "duration '%s' does not fit in 64 bits of ns",
                          units_shown(s, shown));
    *out = (uint64_t)r;
    return 0;
}

int ts_parse_fraction(const char *s, double *out, ts_err_t *err)
{
    double v;
    char suf[8], shown[UNITS_SHOWN];
    if (units_split(s, &v, suf, sizeof(suf)) || (suf[0] && strcmp(suf, "%") != 0))
        return ts_err_set(err, TS_EPARSE, "expected a fraction such as 10%% or 0.1, found '%s'",
                          units_shown(s, shown));
    *out = suf[0] ? v / 100.0 : v;
    return 0;
}

int ts_parse_bool(const char *s, int *out, ts_err_t *err)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; s && i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    char shown[UNITS_SHOWN];
    return ts_err_set(err, TS_EPARSE, "expected true or false, found '%s'",
                      units_shown(s, shown));
}

/* Rate suffix, as written: UNIT PER, PER = "/s" or "ps"; UNIT a size unit other than none
 * (B, kB, GiB, Gbit, ...) or a bit count with a lone b (b, kb, Kb, Mb, Gb, Tb, Pb). */
static int units_rate_suffix(const char *suf, double *mult)
{
    char u[16];
    size_t n = strlen(suf);
    if (n < 3 || n >= sizeof(u) || (strcmp(suf + n - 2, "/s") && strcmp(suf + n - 2, "ps")))
        return -1;
    memcpy(u, suf, n - 2);
    u[n - 2] = 0;
    if (!u[0])
        return -1;
    if (units_lookup(k_size_units, UNITS_N(k_size_units), u, mult) == 0)
        return 0;
    return units_lookup(k_rate_bits, UNITS_N(k_rate_bits), u, mult);
}

/* What a refused rate suffix was likely meant to be, into hint ("" when nothing is close):
 * another case ("gb/s": did you mean '10Gb/s'?) or bits with an s ("Gbits/s": 'Gbit/s'). */
static void units_rate_hint(const char *s, const char *suf, char *hint, size_t size)
{
    char num[48], u[16];
    size_t n = strlen(suf);
    hint[0] = 0;
    if (n < 3 || n >= sizeof(u) || (strcmp(suf + n - 2, "/s") && strcmp(suf + n - 2, "ps")))
        return;
    memcpy(u, suf, n - 2);
    u[n - 2] = 0;
    units_number_text(s, num, sizeof(num));
    const char *v = units_case_variant(k_rate_bits, UNITS_N(k_rate_bits), u);
    const char *w = units_case_variant(k_size_units, UNITS_N(k_size_units), u);
    if (!v || (w && w[strlen(w) - 1] == u[n - 3]))
        v = w;
    if (v) {
        snprintf(hint, size, "units are case-sensitive; did you mean '%s%s%s'?", num, v,
                 suf + n - 2);
        return;
    }
    if (n > 6 && strcmp(u + n - 6, "bits") == 0) {
        u[n - 3] = 0; /* "Gbits" -> "Gbit" */
        double mult;
        if (units_lookup(k_size_units, UNITS_N(k_size_units), u, &mult) == 0)
            snprintf(hint, size, "did you mean '%s%s%s'?", num, u, suf + n - 2);
    }
}

int ts_parse_rate(const char *s, uint64_t *out, ts_err_t *err)
{
    double v, mult = 0;
    char suf[16], shown[UNITS_SHOWN], hint[160];
    int bad = units_split_case(s, &v, suf, sizeof(suf), false);
    if (!bad && suf[0] == 0 && v == 0) {
        *out = 0;
        return 0;
    }
    if (bad || units_rate_suffix(suf, &mult)) {
        if (!bad)
            units_rate_hint(s, suf, hint, sizeof(hint));
        return ts_err_set(err, TS_EPARSE,
                          "expected a bandwidth such as 25GB/s, 900GiB/s or 400Gbit/s (B = bytes, "
                          "b or bit = bits), found '%s'%s%s",
                          units_shown(s, shown), !bad && hint[0] ? ": " : "",
                          !bad ? hint : "");
    }
    return units_whole(v * mult, s, "number of bytes per second", out, err);
}

/* ---- prices and power ---- */

#define UNITS_MONTH_H 730.0 /* a month: 8760 h / 12, the average AWS bills GB-months over */

static const struct unit k_period_hours[] = {
    {"s", 1 / 3600.0}, {"sec", 1 / 3600.0}, {"min", 1 / 60.0},         {"h", 1},
    {"hr", 1},         {"hour", 1},         {"d", 24},                  {"day", 24},
    {"mo", UNITS_MONTH_H}, {"month", UNITS_MONTH_H}, {"y", 8760},       {"yr", 8760},
    {"year", 8760},
};

static const struct unit k_energy_kwh[] = {{"wh", 1e-3}, {"kwh", 1}, {"mwh", 1e3}};

static const struct unit k_power_w[] = {{"w", 1}, {"kw", 1e3}};

static const char *const k_price_examples[TS_PRICE_UNIT_COUNT_] = {
    "$0.09/GB or $90/TB", "$0.023/GB-month or $23/TB-month", "$2.99/h or $0.05/min",
    "$0.0004/1000 or $0.4/1M", "$0.12/kWh"};

/* A price denominator with an optional leading amount ("GB", "100GB", "1k"): the amount
 * (1 when absent) and the unit word, lower-cased when fold (sizes keep their case). Returns
 * -1 when it is malformed. */
static int units_denom(const char *d, double *num, char *suf, size_t sufsize, bool fold)
{
    while (isspace((unsigned char)*d))
        d++;
    if (!isalpha((unsigned char)*d))
        return units_split_case(d, num, suf, sufsize, fold);
    size_t n = 0;
    for (; *d && !isspace((unsigned char)*d); d++) {
        if (n + 1 >= sufsize)
            return -1;
        suf[n++] = fold ? (char)tolower((unsigned char)*d) : *d;
    }
    suf[n] = 0;
    while (isspace((unsigned char)*d))
        d++;
    *num = 1;
    return *d ? -1 : 0;
}

/* The amount d stands for, in units of u's table ("100GB" -> 100 x 1e9 bytes); the table
 * of sizes is matched as written, the others in any case. */
static int units_denom_in(const char *d, const struct unit *u, size_t n, double *out)
{
    double num, mult;
    char suf[24];
    bool fold = u != k_size_units;
    if (units_denom(d, &num, suf, sizeof(suf), fold) || units_lookup(u, n, suf, &mult) ||
        num <= 0)
        return -1;
    *out = num * mult;
    return 0;
}

/* A request count: "1000", "1k", "1M", or "req", "request", "1000 requests". */
static int units_denom_requests(const char *d, double *out)
{
    static const char *const words[] = {"requests", "request", "reqs", "req"};
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%s", d);
    if (len < 0 || (size_t)len >= sizeof(buf))
        return -1;
    while (len > 0 && isspace((unsigned char)buf[len - 1]))
        buf[--len] = 0;
    for (size_t i = 0; i < 4; i++) {
        size_t w = strlen(words[i]);
        if ((size_t)len >= w && strcasecmp(buf + len - w, words[i]) == 0) {
            buf[len - w] = 0;
            break;
        }
    }
    char *p = buf;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p) {
        *out = 1;
        return 0;
    }
    uint64_t n;
    ts_err_t e = {0};
    if (ts_parse_count(p, &n, &e) || n == 0)
        return -1;
    *out = (double)n;
    return 0;
}

/* How many of unit's base quantities (GB, GB-month, hours, requests, kWh) d stands for. */
static int units_price_denom(const char *d, ts_price_unit_t unit, double *base)
{
    double bytes, hours;
    switch (unit) {
    case TS_PRICE_PER_GB:
        if (units_denom_in(d, k_size_units, UNITS_N(k_size_units), &bytes))
            return -1;
        *base = bytes / 1e9;
        return 0;
    case TS_PRICE_PER_GB_MONTH: {
        /* SIZE-PERIOD or SIZE/PERIOD: split at the last '-' or '/' */
        char buf[48];
        int len = snprintf(buf, sizeof(buf), "%s", d);
        char *sep = len > 0 && (size_t)len < sizeof(buf) ? strrchr(buf, '-') : NULL;
        char *slash = len > 0 && (size_t)len < sizeof(buf) ? strrchr(buf, '/') : NULL;
        if (!sep || (slash && slash > sep))
            sep = slash;
        if (!sep)
            return -1;
        *sep = 0;
        if (units_denom_in(buf, k_size_units, UNITS_N(k_size_units), &bytes) ||
            units_denom_in(sep + 1, k_period_hours, UNITS_N(k_period_hours), &hours))
            return -1;
        *base = bytes / 1e9 * hours / UNITS_MONTH_H;
        return 0;
    }
    case TS_PRICE_PER_HOUR:
        return units_denom_in(d, k_period_hours, UNITS_N(k_period_hours), base);
    case TS_PRICE_PER_REQUEST:
        return units_denom_requests(d, base);
    case TS_PRICE_PER_KWH:
        return units_denom_in(d, k_energy_kwh, UNITS_N(k_energy_kwh), base);
    case TS_PRICE_UNIT_COUNT_:
        break;
    }
    return -1;
}

int ts_parse_price(const char *s, ts_price_unit_t unit, double *out, ts_err_t *err)
{
    if ((unsigned)unit >= TS_PRICE_UNIT_COUNT_)
        return ts_err_set(err, TS_EINVAL, "unknown price unit %d", (int)unit);
    const char *p = s ? s : "";
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '$')
        p++;
    double v, base = 1;
    const char *end;
    int bad = units_number(p, &v, &end);
    if (!bad) {
        while (isspace((unsigned char)*end))
            end++;
        if (*end == '/')
            bad = units_price_denom(end + 1, unit, &base);
        else
            bad = *end || v != 0; /* only zero needs no unit */
    }
    char shown[UNITS_SHOWN];
    if (bad)
        return ts_err_set(err, TS_EPARSE, "expected a price such as %s, found '%s'",
                          k_price_examples[unit], units_shown(s, shown));
    if (v < 0)
        return ts_err_set(err, TS_ERANGE, "expected a non-negative price, found '%s'",
                          units_shown(s, shown));
    *out = v / base;
    return 0;
}

int ts_parse_power(const char *s, double *watts, ts_err_t *err)
{
    double v, mult = 1;
    char suf[8], shown[UNITS_SHOWN];
    int bad = units_split(s, &v, suf, sizeof(suf));
    if (!bad && (suf[0] || v != 0))
        bad = units_lookup(k_power_w, UNITS_N(k_power_w), suf, &mult);
    if (bad)
        return ts_err_set(err, TS_EPARSE, "expected a power such as 700W or 1.2kW, found '%s'",
                          units_shown(s, shown));
    if (v < 0)
        return ts_err_set(err, TS_ERANGE, "expected a non-negative power, found '%s'",
                          units_shown(s, shown));
    *watts = v * mult;
    return 0;
}

const char *ts_format_real(double v, char *buf, size_t size)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

const char *ts_format_price(double usd, ts_price_unit_t unit, char *buf, size_t size)
{
    static const char *const per[TS_PRICE_UNIT_COUNT_] = {"GB", "GB-month", "h", "1000",
                                                          "kWh"};
    static const char *const per_gib[2] = {"GiB", "GiB-month"};
    /* per-request prices as price lists write them, per 1,000; 12 significant digits drop
     * the binary noise of the conversions ($0.0004/1000 is 4e-7 per request, times 1000 is
     * 0.00039999999999999996) and read back within 1e-12 */
    snprintf(buf, size, "$%.12g/%s", unit == TS_PRICE_PER_REQUEST ? usd * 1000 : usd,
             (unsigned)unit < TS_PRICE_UNIT_COUNT_ ? per[unit] : "?");
    if (unit == TS_PRICE_PER_GB || unit == TS_PRICE_PER_GB_MONTH) {
        /* a price set per GiB (as AWS bills) reads back in its own, shorter form */
        char gib[64];
        snprintf(gib, sizeof(gib), "$%.12g/%s", usd * 1.073741824, per_gib[unit]);
        if (strlen(gib) < strlen(buf))
            snprintf(buf, size, "%s", gib);
    }
    return buf;
}

const char *ts_format_size(uint64_t bytes, int round, char *buf, size_t size)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    uint64_t v = bytes;
    while (u < 5 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    if (!round || v < 1024 || u == 5) {
        snprintf(buf, size, "%llu%s", (unsigned long long)v, names[u]);
        return buf;
    }
    double d = (double)bytes;
    u = 0;
    while (u < 5 && d >= 1024) {
        d /= 1024;
        u++;
    }
    snprintf(buf, size, "%.2f%s", d, names[u]);
    return buf;
}

/* Units of ts_format_duration, smallest first: a value is written in the first unit where,
 * rounded to four significant digits, it stays below that unit's limit. */
static const struct units_time {
    const char *name;
    double ns;    /* nanoseconds in one */
    double limit; /* written in this unit below this many */
} k_time_out[] = {
    {"us", 1e3, 1000},       {"ms", 1e6, 1000},      {"s", 1e9, 1000},
    {"min", 60e9, 120},      {"h", 3600e9, 72},      {"d", 86400e9, 1000},
    {"y", 31536000e9, 1e300},
};

const char *ts_format_duration(uint64_t ns, char *buf, size_t size)
{
    static const struct {
        uint64_t ns;
        const char *name;
        uint64_t below; /* only for fewer than this many (0: any) */
    } whole[] = {{31536000000000000ULL, "y", 0}, /* 365 days, as "y" reads */
                 {86400000000000ULL, "d", 0},
                 {3600000000000ULL, "h", 0},
                 {60000000000ULL, "min", 120}};
    for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
        if (ns >= whole[i].ns && ns % whole[i].ns == 0 &&
            (!whole[i].below || ns / whole[i].ns < whole[i].below)) {
            snprintf(buf, size, "%llu%s", (unsigned long long)(ns / whole[i].ns), whole[i].name);
            return buf;
        }
    if (ns < 1000) {
        snprintf(buf, size, "%lluns", (unsigned long long)ns);
        return buf;
    }
    size_t u = 0, last = sizeof(k_time_out) / sizeof(k_time_out[0]) - 1;
    char num[48];
    for (;; u++) {
        double v = (double)ns / k_time_out[u].ns;
        snprintf(num, sizeof(num), v < 1e4 ? "%.4g" : "%.0f", v);
        if (u == last || strtod(num, NULL) < k_time_out[u].limit)
            break;
    }
    snprintf(buf, size, "%s%s", num, k_time_out[u].name);
    return buf;
}

/* v / 1000^k written exactly: integer part, then the remainder's 3k digits without trailing
 * zeros ("3.35"). */
static void units_exact_decimal(uint64_t v, int k, char *buf, size_t size)
{
    uint64_t div = 1;
    for (int i = 0; i < k; i++)
        div *= 1000;
    uint64_t ip = v / div, rem = v % div;
    if (!rem) {
        snprintf(buf, size, "%llu", (unsigned long long)ip);
        return;
    }
    int digits = 3 * k;
    while (rem % 10 == 0) {
        rem /= 10;
        digits--;
    }
    snprintf(buf, size, "%llu.%0*llu", (unsigned long long)ip, digits, (unsigned long long)rem);
}

const char *ts_format_duration_exact(uint64_t ns, char *buf, size_t size)
{
    static const char *const names[] = {"ns", "us", "ms", "s"};
    int k = 0;
    for (uint64_t p = 1000; k < 3 && ns >= p; p *= 1000)
        k++;
    char num[48];
    units_exact_decimal(ns, k, num, sizeof(num));
    snprintf(buf, size, "%s%s", num, names[k]);
    return buf;
}

const char *ts_format_rate(uint64_t bytes_per_s, int round, char *buf, size_t size)
{
    static const char *const dec[] = {"", "k", "M", "G", "T", "P"};
    static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
    int kd = 0;
    for (uint64_t p = 1000; kd < 5 && bytes_per_s >= p; p *= 1000)
        kd++;
    if (round) {
        double d = (double)bytes_per_s;
        for (int i = 0; i < kd; i++)
            d /= 1000;
        if (d >= 999.5 && kd < 5) {
            d /= 1000;
            kd++;
        }
        snprintf(buf, size, "%.3g%sB/s", d, dec[kd]);
        return buf;
    }
    char d_num[32], b_num[32];
    units_exact_decimal(bytes_per_s, kd, d_num, sizeof(d_num));
    int kb = 0;
    uint64_t q = bytes_per_s;
    while (kb < 5 && q >= 1024 && q % 1024 == 0) {
        q /= 1024;
        kb++;
    }
    snprintf(b_num, sizeof(b_num), "%llu", (unsigned long long)q);
    if (kb > 0 && strlen(b_num) + 1 < strlen(d_num) + strlen(dec[kd]))
        snprintf(buf, size, "%s%sB/s", b_num, bin[kb]);
    else
        snprintf(buf, size, "%s%sB/s", d_num, dec[kd]);
    return buf;
}

unsigned ts_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 255;
    unsigned row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            unsigned best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb] > 255 ? 255 : row[lb];
}

const char *ts_suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    unsigned best_d = 255;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i])
            continue;
        unsigned d = ts_edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    size_t len = strlen(word);
    unsigned limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return best && best_d <= limit ? best : NULL;
}

long ts_name_index(const char *what, const char *name, const char *const *names, size_t n,
                   ts_err_t *err)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    const char *hint = ts_suggest(name, names, n);
    char shown[UNITS_SHOWN];
    units_shown(name, shown);
    if (hint) {
        ts_err_set(err, TS_ENOENT, "unknown %s '%s' (did you mean '%s'?)", what, shown, hint);
        return -1;
    }
    char list[224]; /* with the rest, it fits a message (256 bytes) */
    ts_join_names(list, sizeof(list), names, n);
    ts_err_set(err, TS_ENOENT, "unknown %s '%s' (expected one of: %s)", what, shown, list);
    return -1;
}

/* Appends names[from..to) joined by ", " to out at *used (the caller made sure it fits). */
static void join_run(char *out, size_t *used, const char *const *names, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        size_t k = strlen(names[i]);
        if (i > from)
            memcpy(out + *used, ", ", 2), *used += 2;
        memcpy(out + *used, names[i], k);
        *used += k;
    }
}

void ts_join_names(char *out, size_t size, const char *const *names, size_t n)
{
    static const char gap[] = ", ..., ";
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(names[i]) + (i ? 2 : 0);
    size_t used = 0;
    if (total < size) {
        join_run(out, &used, names, 0, n);
        out[used] = 0;
        return;
    }
    /* head names [0, h) and tail names [n - t, n), added in turn while they fit (all n
     * never do: they alone are too long) */
    size_t h = 0, t = 0, len = sizeof(gap) - 1;
    bool is_head_full = false, is_tail_full = false;
    while (h + t < n && !(is_head_full && is_tail_full)) {
        bool is_head = !is_head_full && (is_tail_full || h <= t);
        size_t i = is_head ? h : n - 1 - t;
        size_t cost = strlen(names[i]) + ((is_head ? h : t) ? 2 : 0);
        if (len + cost < size) {
            len += cost;
            *(is_head ? &h : &t) += 1;
        } else {
            *(is_head ? &is_head_full : &is_tail_full) = true;
        }
    }
    if (h == 0 || t == 0) { /* not even one name at each end: the start, cut */
        snprintf(out, size, "%s", n ? names[0] : "");
        return;
    }
    join_run(out, &used, names, 0, h);
    memcpy(out + used, gap, sizeof(gap) - 1);
    used += sizeof(gap) - 1;
    join_run(out, &used, names, n - t, n);
    out[used] = 0;
}
