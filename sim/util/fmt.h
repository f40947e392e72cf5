/* SPDX-License-Identifier: MIT */
/*
 * fmt.h - number formatting and output-error checks shared by the result writers.
 *
 * Every helper writes into a caller buffer and returns it; none allocates. Decimal output is
 * always written with '.' whatever the C locale, so reports are byte-identical everywhere.
 */
#ifndef TS_SIM_UTIL_FMT_H
#define TS_SIM_UTIL_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "units.h"

/* Buffer size that holds any result of the helpers below. */
#define TS_FMT_LEN 48

/* A count with three significant digits and a decimal suffix: "950", "20.0k", "1.23M",
 * "123G". Values below 1000 are exact. */
const char *ts_fmt_count(uint64_t v, char *buf, size_t size);

/* Bytes in binary units with two decimals: "512B", "4.00KiB", "1.50GiB". */
const char *ts_fmt_bytes(uint64_t v, char *buf, size_t size);

/* Bytes in binary units with three significant digits: "512B", "4.00KiB", "19.6GiB",
 * "271MiB", and "0.98MiB" for 1000KiB (the next unit from 999.5 on); at most 7 characters
 * ("1023B" is exact below 1KiB). */
const char *ts_fmt_bytes_short(uint64_t v, char *buf, size_t size);

/* A real with a fixed number of decimals ("%.*f"), with '.' as the decimal point. */
const char *ts_fmt_fixed(double v, int decimals, char *buf, size_t size);

/* A ratio as a percentage with two decimals: 0.6 -> "60.00%". */
const char *ts_fmt_pct(double ratio, char *buf, size_t size);

/* The smallest dollar figure the two helpers below write as a number: a non-zero one
 * below it is written "<$0.0001" (">-$0.0001" when negative), never in e-notation. */
#define TS_FMT_USD_MIN 0.0001

/* Dollars for a bill line: "$0" for zero, two decimals from one cent up ("$29.83"), three
 * significant digits from $0.0001 to a cent ("$0.00012", "$0.000345"), and "<$0.0001"
 * below that, so that a small item stays visible without e-notation. */
const char *ts_fmt_usd(double v, char *buf, size_t size);

/* Dollars to compare side by side: "$0", four significant digits from $0.0001 to $100
 * ("$0.1026", "$0.0001234"), two decimals from $100 up ("$1234.50"), and "<$0.0001" for a
 * non-zero figure below $0.0001. */
const char *ts_fmt_usd_sig(double v, char *buf, size_t size);

/* A price as ts_format_price writes it ("$0.023/GB-month"), with '.' as the decimal point. */
const char *ts_fmt_price(double usd, ts_price_unit_t unit, char *buf, size_t size);

/* src into buf (size >= 8), cut in the middle with "..." when it does not fit, so that its
 * start and its end (where paths and values differ) both stay. */
const char *ts_fmt_shorten(const char *src, char *buf, size_t size);

/* Writes fmt to out; on a failed write sets err to TS_EIO (with errno) naming what.
 * Returns 0 or TS_EIO. */
int ts_out_printf(FILE *out, ts_err_t *err, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A CSV text field: s (at most size bytes) as it is, or in double quotes with its quotes
 * doubled when it holds a comma, a quote or a line break (RFC 4180); no separator. Returns
 * 0 or TS_EIO naming what. */
int ts_out_csv_field(FILE *out, ts_err_t *err, const char *what, const char *s, size_t size);

/* Flushes out and checks its error indicator; sets err to TS_EIO naming what.
 * Returns 0 or TS_EIO. */
int ts_out_finish(FILE *out, ts_err_t *err, const char *what);

#endif
