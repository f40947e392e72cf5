/* SPDX-License-Identifier: MIT */
/*
 * param.c - typed parameter schemas (see param.h).
 */
#include "param.h"

#include <stdio.h>
#include <string.h>

#include "util/text.h"
#include "util/units.h"

static bool param_has_range(const ts_param_spec_t *ps)
{
    return ps->min <= ps->max;
}

/* The types stored as a uint64_t: never below 0, so a range from 0 is "at most". */
static bool param_is_u64(const ts_param_spec_t *ps)
{
    return ps->type == TS_PT_COUNT || ps->type == TS_PT_SIZE || ps->type == TS_PT_DURATION ||
           ps->type == TS_PT_RATE;
}

static ts_price_unit_t param_price_unit(const ts_param_spec_t *ps);

/* A count bound, with the largest suffix ts_parse_count reads that keeps it exact ("10k",
 * "1M", "1T"; "2500" as it is). */
static void param_count_text(uint64_t v, char *buf, size_t size)
{
    static const char *const suffix[] = {"", "k", "M", "G", "T"};
    int k = 0;
    while (k < 4 && v >= 1000 && v % 1000 == 0) {
        v /= 1000;
        k++;
    }
    snprintf(buf, size, "%llu%s", (unsigned long long)v, suffix[k]);
}

/* A size bound: the shorter of its exact binary ("1KiB") and exact decimal ("1TB") forms,
 * or two decimals in binary units when neither is short ("1.50GiB"). */
static void param_size_text(uint64_t v, char *buf, size_t size)
{
    static const char *const dec[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    char bin[48], d[48];
    ts_format_size(v, 0, bin, sizeof(bin));
    int k = 0;
    uint64_t q = v;
    while (k < 6 && q && q % 1000 == 0) {
        q /= 1000;
        k++;
    }
    snprintf(d, sizeof(d), "%llu%s", (unsigned long long)q, dec[k]);
    const char *best = strlen(d) < strlen(bin) ? d : bin;
    if (strlen(best) > 8)
        ts_format_size(v, 1, buf, size);
    else
        snprintf(buf, size, "%s", best);
}

/* A plain number as %g writes it, with the exponent as a user types it: "1e12", "1e-9"
 * (not "1e+12", "1e-09"), then unit. */
static void param_real_text(double v, const char *unit, char *buf, size_t size)
{
    char num[48], *e;
    snprintf(num, sizeof(num), "%g", v);
    if ((e = strchr(num, 'e')) != NULL) {
        char *digits = e + 1 + (e[1] == '+' || e[1] == '-');
        char *from = digits;
        while (from[0] == '0' && from[1])
            from++;
        memmove(digits, from, strlen(from) + 1);
        if (e[1] == '+')
            memmove(e + 1, e + 2, strlen(e + 2) + 1);
    }
    snprintf(buf, size, "%s%s", num, unit);
}

/* A bound of the range in the parameter's own unit, as a user would write it. */
static const char *param_bound(const ts_param_spec_t *ps, double v, char *buf, size_t size)
{
    if (param_is_u64(ps) && !(v >= 0 && v < 18446744073709551616.0)) { /* beyond a uint64_t */
        if (ps->type == TS_PT_DURATION)
            param_real_text(v / 31536e12, "y", buf, size);
        else
            param_real_text(v, "", buf, size);
        return buf;
    }
    switch (ps->type) {
    case TS_PT_COUNT:
        param_count_text((uint64_t)v, buf, size);
        break;
    case TS_PT_SIZE:
        param_size_text((uint64_t)v, buf, size);
        break;
    case TS_PT_DURATION:
        ts_format_duration((uint64_t)v, buf, size);
        break;
    case TS_PT_RATE:
        ts_format_rate((uint64_t)v, 0, buf, size);
        if (strlen(buf) > 10)
            ts_format_rate((uint64_t)v, 1, buf, size);
        break;
    case TS_PT_FRACTION:
        param_real_text(v * 100, "%", buf, size);
        break;
    case TS_PT_PRICE_GB:
    case TS_PT_PRICE_GB_MONTH:
    case TS_PT_PRICE_HOUR:
    case TS_PT_PRICE_REQUEST:
    case TS_PT_PRICE_KWH:
        ts_format_price(v, param_price_unit(ps), buf, size);
        break;
    case TS_PT_POWER:
        param_real_text(v >= 1000 ? v / 1000 : v, v >= 1000 ? "kW" : "W", buf, size);
        break;
    default: /* integers and plain numbers */
        param_real_text(v, "", buf, size);
        break;
    }
    return buf;
}

/* Outside [min, max]: a message with the bounds in the parameter's unit ("between 1KiB and
 * 1GiB", "at most 1h" for a quantity that cannot be negative, "at least 1B" when the upper
 * bound only stands for the largest uint64_t). */
static int param_check_range(const ts_param_spec_t *ps, double v, const char *value,
                             ts_err_t *err)
{
    if (!param_has_range(ps) || (v >= ps->min && v <= ps->max))
        return 0;
    char lo[64], hi[64];
    param_bound(ps, ps->min, lo, sizeof(lo));
    param_bound(ps, ps->max, hi, sizeof(hi));
    bool is_unbounded = param_is_u64(ps) && ps->max >= 1.8e19 &&
                        ps->max <= 18446744073709551616.0;
    char shown[TS_TEXT_SHOWN];
    value = ts_text_shown(value, shown, sizeof(shown));
    if (param_is_u64(ps) && ps->min <= 0 && !is_unbounded)
        return ts_err_set(err, TS_ERANGE, "%s must be at most %s, found '%s'", ps->name, hi,
                          value);
    if (is_unbounded)
        return ts_err_set(err, TS_ERANGE, "%s must be at least %s, found '%s'", ps->name, lo,
                          value);
    return ts_err_set(err, TS_ERANGE, "%s must be between %s and %s, found '%s'", ps->name, lo,
                      hi, value);
}

static ts_price_unit_t param_price_unit(const ts_param_spec_t *ps)
{
    return (ts_price_unit_t)(ps->type - TS_PT_PRICE_GB);
}

/* The types stored as a double. */
static bool param_is_real(const ts_param_spec_t *ps)
{
    return ps->type == TS_PT_DOUBLE || ps->type == TS_PT_FRACTION || ps->type == TS_PT_POWER ||
           (ps->type >= TS_PT_PRICE_GB && ps->type <= TS_PT_PRICE_KWH);
}

static int param_store(const ts_param_spec_t *ps, void *params, const char *value, ts_err_t *err)
{
    char *field = (char *)params + ps->offset;
    int rc = 0;
    switch (ps->type) {
    case TS_PT_BOOL: {
        int b;
        if ((rc = ts_parse_bool(value, &b, err)) == 0)
            *(bool *)field = b != 0;
        return rc;
    }
    case TS_PT_INT: {
        int64_t v;
        if ((rc = ts_parse_int(value, &v, err)) == 0 &&
            (rc = param_check_range(ps, (double)v, value, err)) == 0)
            *(int64_t *)field = v;
        return rc;
    }
    case TS_PT_COUNT:
    case TS_PT_SIZE:
    case TS_PT_DURATION:
    case TS_PT_RATE: {
        uint64_t v;
        rc = ps->type == TS_PT_COUNT      ? ts_parse_count(value, &v, err)
             : ps->type == TS_PT_SIZE     ? ts_parse_size(value, &v, err)
             : ps->type == TS_PT_DURATION ? ts_parse_duration(value, &v, err)
                                          : ts_parse_rate(value, &v, err);
        if (rc == 0 && (rc = param_check_range(ps, (double)v, value, err)) == 0)
            *(uint64_t *)field = v;
        return rc;
    }
    case TS_PT_DOUBLE:
    case TS_PT_FRACTION:
    case TS_PT_PRICE_GB:
    case TS_PT_PRICE_GB_MONTH:
    case TS_PT_PRICE_HOUR:
    case TS_PT_PRICE_REQUEST:
    case TS_PT_PRICE_KWH:
    case TS_PT_POWER: {
        double v;
        rc = ps->type == TS_PT_DOUBLE     ? ts_parse_double(value, &v, err)
             : ps->type == TS_PT_FRACTION ? ts_parse_fraction(value, &v, err)
             : ps->type == TS_PT_POWER    ? ts_parse_power(value, &v, err)
                                          : ts_parse_price(value, param_price_unit(ps), &v, err);
        if (rc == 0 && (rc = param_check_range(ps, v, value, err)) == 0)
            *(double *)field = v;
        return rc;
    }
    case TS_PT_STRING: {
        size_t len = strlen(value);
        if (len >= ps->size)
            return ts_err_set(err, TS_ERANGE, "%s is longer than %zu characters", ps->name,
                              ps->size - 1);
        memcpy(field, value, len + 1);
        return 0;
    }
    case TS_PT_ENUM: {
        for (int i = 0; ps->choices && ps->choices[i]; i++)
            if (strcmp(ps->choices[i], value) == 0) {
                *(int *)field = i;
                return 0;
            }
        char form[256];
        ts_param_type_name(ps, form, sizeof(form));
        char shown[TS_TEXT_SHOWN];
        return ts_err_set(err, TS_EPARSE, "expected %s, found '%s'", form,
                          ts_text_shown(value, shown, sizeof(shown)));
    }
    }
    return ts_err_set(err, TS_EINTERNAL, "parameter %s has an unknown type", ps->name);
}

const ts_param_spec_t *ts_param_find(const ts_param_spec_t *spec, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(spec[i].name, name) == 0)
            return &spec[i];
    return NULL;
}

static size_t param_field_size(const ts_param_spec_t *ps)
{
    if (param_is_real(ps))
        return sizeof(double);
    switch (ps->type) {
    case TS_PT_BOOL:
        return sizeof(bool);
    case TS_PT_ENUM:
        return sizeof(int);
    case TS_PT_STRING:
        return ps->size;
    default:
        return sizeof(uint64_t);
    }
}

int ts_param_check_schema(const ts_param_spec_t *spec, size_t n, size_t params_size,
                          ts_err_t *err)
{
    if (n > 0 && !spec)
        return ts_err_set(err, TS_EINVAL, "schema has %zu entries but no table", n);
    for (size_t i = 0; i < n; i++) {
        const ts_param_spec_t *ps = &spec[i];
        if (!ps->name || !ps->name[0])
            return ts_err_set(err, TS_EINVAL, "parameter %zu has no name", i);
        if (!ps->help)
            return ts_err_set(err, TS_EINVAL, "parameter %s has no help text", ps->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(spec[j].name, ps->name) == 0)
                return ts_err_set(err, TS_EINVAL, "parameter %s is declared twice", ps->name);
        if (ps->type == TS_PT_STRING && ps->size < 2)
            return ts_err_set(err, TS_EINVAL, "string parameter %s has no buffer size",
                              ps->name);
        if (ps->type == TS_PT_ENUM && (!ps->choices || !ps->choices[0]))
            return ts_err_set(err, TS_EINVAL, "enum parameter %s has no choices", ps->name);
        if (ps->offset + param_field_size(ps) > params_size)
            return ts_err_set(err, TS_EINVAL, "parameter %s lies outside the params struct",
                              ps->name);
    }
    return 0;
}

int ts_param_defaults(const ts_param_spec_t *spec, size_t n, void *params, size_t params_size,
                      ts_err_t *err)
{
    memset(params, 0, params_size);
    for (size_t i = 0; i < n; i++) {
        if (!spec[i].def)
            continue;
        int rc = param_store(&spec[i], params, spec[i].def, err);
        if (rc) {
            ts_err_prefix(err, "default of parameter %s", spec[i].name);
            return TS_EINVAL;
        }
    }
    return 0;
}

size_t ts_param_names(const ts_param_spec_t *spec, size_t n, const char **names, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap; i++)
        names[k++] = spec[i].name;
    return k;
}

int ts_param_set(const ts_param_spec_t *spec, size_t n, void *params, const char *name,
                 const char *value, ts_err_t *err)
{
    const ts_param_spec_t *ps = ts_param_find(spec, n, name);
    if (!ps) {
        char shown[TS_TEXT_SHOWN];
        const char *key = ts_text_shown(name, shown, sizeof(shown));
        const char *names[64] = {0};
        size_t k = ts_param_names(spec, n, names, 64);
        const char *hint = ts_suggest(name, names, k);
        if (hint)
            return ts_err_set(err, TS_ENOENT, "unknown key '%s' (did you mean '%s'?)", key,
                              hint);
        char list[160];
        ts_join_names(list, sizeof(list), names, k);
        if (k == 0)
            return ts_err_set(err, TS_ENOENT, "unknown key '%s' (this takes no parameters)",
                              key);
        return ts_err_set(err, TS_ENOENT, "unknown key '%s' (expected one of: %s)", key, list);
    }
    return param_store(ps, params, value ? value : "", err);
}

const char *ts_param_format(const ts_param_spec_t *ps, const void *params, char *buf,
                            size_t size)
{
    const char *field = (const char *)params + ps->offset;
    switch (ps->type) {
    case TS_PT_BOOL:
        snprintf(buf, size, "%s", *(const bool *)field ? "true" : "false");
        break;
    case TS_PT_INT:
        snprintf(buf, size, "%lld", (long long)*(const int64_t *)field);
        break;
    case TS_PT_COUNT:
        snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)field);
        break;
    case TS_PT_SIZE:
        ts_format_size(*(const uint64_t *)field, 0, buf, size);
        break;
    case TS_PT_DURATION:
        snprintf(buf, size, "%lluns", (unsigned long long)*(const uint64_t *)field);
        break;
    case TS_PT_RATE:
        ts_format_rate(*(const uint64_t *)field, 0, buf, size);
        break;
    case TS_PT_DOUBLE:
    case TS_PT_FRACTION:
        snprintf(buf, size, "%.17g", *(const double *)field);
        break;
    case TS_PT_PRICE_GB:
    case TS_PT_PRICE_GB_MONTH:
    case TS_PT_PRICE_HOUR:
    case TS_PT_PRICE_REQUEST:
    case TS_PT_PRICE_KWH:
        ts_format_price(*(const double *)field, param_price_unit(ps), buf, size);
        break;
    case TS_PT_POWER:
        snprintf(buf, size, "%.12gW", *(const double *)field);
        break;
    case TS_PT_STRING:
        snprintf(buf, size, "%s", field);
        break;
    case TS_PT_ENUM: {
        int v = *(const int *)field;
        int nc = 0;
        while (ps->choices[nc])
            nc++;
        snprintf(buf, size, "%s", v >= 0 && v < nc ? ps->choices[v] : "?");
        break;
    }
    }
    return buf;
}

const char *ts_param_type_name(const ts_param_spec_t *ps, char *buf, size_t size)
{
    switch (ps->type) {
    case TS_PT_BOOL:
        snprintf(buf, size, "true or false");
        break;
    case TS_PT_INT:
        snprintf(buf, size, "an integer");
        break;
    case TS_PT_COUNT:
        snprintf(buf, size, "a count (e.g. 1000, 10M)");
        break;
    case TS_PT_DOUBLE:
        snprintf(buf, size, "a number");
        break;
    case TS_PT_SIZE:
        snprintf(buf, size, "a size (e.g. 4KiB, 1.5TB)");
        break;
    case TS_PT_DURATION:
        snprintf(buf, size, "a duration (e.g. 200us, 3ms)");
        break;
    case TS_PT_RATE:
        snprintf(buf, size, "a bandwidth (e.g. 25GB/s, 400Gbit/s)");
        break;
    case TS_PT_FRACTION:
        snprintf(buf, size, "a fraction (e.g. 10%% or 0.1)");
        break;
    case TS_PT_PRICE_GB:
        snprintf(buf, size, "a price per GB (e.g. $0.09/GB)");
        break;
    case TS_PT_PRICE_GB_MONTH:
        snprintf(buf, size, "a price per GB-month (e.g. $0.023/GB-month)");
        break;
    case TS_PT_PRICE_HOUR:
        snprintf(buf, size, "a price per hour (e.g. $2.99/h)");
        break;
    case TS_PT_PRICE_REQUEST:
        snprintf(buf, size, "a price per request (e.g. $0.0004/1000)");
        break;
    case TS_PT_PRICE_KWH:
        snprintf(buf, size, "a price per kWh (e.g. $0.12/kWh)");
        break;
    case TS_PT_POWER:
        snprintf(buf, size, "a power (e.g. 700W)");
        break;
    case TS_PT_STRING:
        snprintf(buf, size, "a string");
        break;
    case TS_PT_ENUM: {
        size_t used = (size_t)snprintf(buf, size, "one of ");
        for (int i = 0; ps->choices[i] && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "|" : "",
                                     ps->choices[i]);
        break;
    }
    }
    return buf;
}

double ts_param_number(const ts_param_spec_t *ps, const void *params)
{
    const char *field = (const char *)params + ps->offset;
    if (param_is_real(ps))
        return *(const double *)field;
    switch (ps->type) {
    case TS_PT_BOOL:
        return *(const bool *)field;
    case TS_PT_INT:
        return (double)*(const int64_t *)field;
    case TS_PT_COUNT:
    case TS_PT_SIZE:
    case TS_PT_DURATION:
    case TS_PT_RATE:
        return (double)*(const uint64_t *)field;
    case TS_PT_ENUM:
        return *(const int *)field;
    default: /* strings */
        break;
    }
    return 0;
}
