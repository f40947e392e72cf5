/* SPDX-License-Identifier: MIT */
/*
 * fmt.c - number formatting and output-error checks for the result writers (see
 * fmt.h). Pure functions over caller buffers; cost O(1) each.
 */
#include "fmt.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <string.h>

/* printf honours LC_NUMERIC; a report must not depend on it, so put the '.' back. */
static void fmt_fix_point(char *s)
{
    for (; *s; s++)
        if (*s == ',')
            *s = '.';
}

const char *ts_fmt_count(uint64_t v, char *buf, size_t size)
{
    static const char suffix[] = "kMGTPE";
    if (v < 1000) {
        snprintf(buf, size, "%llu", (unsigned long long)v);
        return buf;
    }
    double d = (double)v;
    int u = -1;
    while (d >= 999.5 && u < 5) {
        d /= 1000.0;
        u++;
    }
    /* d is in [0.9995, 999.5): pick the decimals that leave three significant digits. */
    int dec = d < 9.995 ? 2 : d < 99.95 ? 1 : 0;
    snprintf(buf, size, "%.*f%c", dec, d, suffix[u]);
    fmt_fix_point(buf);
    return buf;
}

/* Bytes in binary units. Long: two decimals, the next unit from 1023.995 on. Short: three
 * significant digits, the next unit from 999.5 on ("0.98MiB" rather than a fourth digit). */
static const char *fmt_binary(uint64_t v, bool is_short, char *buf, size_t size)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (v < 1024) {
        snprintf(buf, size, "%lluB", (unsigned long long)v);
        return buf;
    }
    double d = (double)v, next = is_short ? 999.5 : 1023.995;
    int u = 0;
    for (; d >= next && u < 6; u++)
        d /= 1024.0;
    int dec = !is_short || d < 9.995 ? 2 : d < 99.95 ? 1 : 0;
    snprintf(buf, size, "%.*f%s", dec, d, names[u]);
    fmt_fix_point(buf);
    return buf;
}

const char *ts_fmt_bytes(uint64_t v, char *buf, size_t size)
{
    return fmt_binary(v, false, buf, size);
}

const char *ts_fmt_bytes_short(uint64_t v, char *buf, size_t size)
{
    return fmt_binary(v, true, buf, size);
}

const char *ts_fmt_fixed(double v, int decimals, char *buf, size_t size)
{
    snprintf(buf, size, "%.*f", decimals, v);
    fmt_fix_point(buf);
    return buf;
}

const char *ts_fmt_pct(double ratio, char *buf, size_t size)
{
    snprintf(buf, size, "%.2f%%", ratio * 100.0);
    fmt_fix_point(buf);
    return buf;
}

/* A non-zero figure too small for the formats below: its bound, never e-notation. */
static bool fmt_usd_tiny(double v, char *buf, size_t size)
{
    if (v == 0 || !(fabs(v) < TS_FMT_USD_MIN))
        return false;
    snprintf(buf, size, v > 0 ? "<$0.0001" : ">-$0.0001");
    return true;
}

const char *ts_fmt_usd(double v, char *buf, size_t size)
{
    if (fmt_usd_tiny(v, buf, size))
        return buf;
    if (v == 0)
        snprintf(buf, size, "$0");
    else if (fabs(v) >= 0.01)
        snprintf(buf, size, "$%.2f", v);
    else /* [0.0001, 0.01): %g keeps the fixed form down to 1e-4 */
        snprintf(buf, size, "$%.3g", v);
    fmt_fix_point(buf);
    return buf;
}

const char *ts_fmt_usd_sig(double v, char *buf, size_t size)
{
    if (fmt_usd_tiny(v, buf, size))
        return buf;
    if (v == 0)
        snprintf(buf, size, "$0");
    else if (fabs(v) >= 100)
        snprintf(buf, size, "$%.2f", v);
    else
        snprintf(buf, size, "$%.4g", v);
    fmt_fix_point(buf);
    return buf;
}

const char *ts_fmt_shorten(const char *src, char *buf, size_t size)
{
    size_t n = strlen(src);
    if (n < size) {
        memcpy(buf, src, n + 1);
        return buf;
    }
    size_t keep = size - 4, head = keep / 2, tail = keep - head;
    snprintf(buf, size, "%.*s...%s", (int)head, src, src + n - tail);
    return buf;
}

const char *ts_fmt_price(double usd, ts_price_unit_t unit, char *buf, size_t size)
{
    ts_format_price(usd, unit, buf, size);
    fmt_fix_point(buf);
    return buf;
}

int ts_out_csv_field(FILE *out, ts_err_t *err, const char *what, const char *s, size_t size)
{
    size_t n = strnlen(s, size);
    bool needs_quotes = false;
    for (size_t i = 0; i < n && !needs_quotes; i++)
        needs_quotes = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!needs_quotes)
        return ts_out_printf(out, err, what, "%.*s", (int)n, s);
    int rc = ts_out_printf(out, err, what, "\"");
    for (size_t i = 0; i < n && !rc; i++)
        rc = ts_out_printf(out, err, what, s[i] == '"' ? "\"\"" : "%c", s[i]);
    return rc ? rc : ts_out_printf(out, err, what, "\"");
}

int ts_out_printf(FILE *out, ts_err_t *err, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errno = 0;
    int n = vfprintf(out, fmt, ap);
    int e = errno;
    va_end(ap);
    if (n < 0 || ferror(out))
        return ts_err_sys(err, TS_EIO, e ? e : EIO, "%s: write failed", what);
    return 0;
}

int ts_out_finish(FILE *out, ts_err_t *err, const char *what)
{
    errno = 0;
    int rc = fflush(out);
    int e = errno;
    if (rc != 0 || ferror(out))
        return ts_err_sys(err, TS_EIO, e ? e : EIO, "%s: write failed", what);
    return 0;
}
