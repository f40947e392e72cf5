/* SPDX-License-Identifier: MIT */
/*
 * fmt_internal.h - number formatting and output-error checks shared by the result writers.
 *
 * Every helper writes into a caller buffer and returns it; none allocates. Decimal output is
 * always written with '.' whatever the C locale, so reports are byte-identical everywhere.
 */
#ifndef TS_REPORTS_FMT_INTERNAL_H
#define TS_REPORTS_FMT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../sim/err.h"
#include "../sim/units.h"

/* Buffer size that holds any result of the helpers below. */
#define TS__FMT_LEN 48

/* A count with three significant digits and a decimal suffix: "950", "20.0k", "1.23M",
 * "123G". Values below 1000 are exact. */
const char *ts__fmt_count(uint64_t v, char *buf, size_t size);

/* Bytes in binary units with two decimals: "512B", "4.00KiB", "1.50GiB". */
const char *ts__fmt_bytes(uint64_t v, char *buf, size_t size);

/* Bytes in binary units with three significant digits: "512B", "4.00KiB", "19.6GiB",
 * "271MiB", and "0.98MiB" for 1000KiB (the next unit from 999.5 on); at most 7 characters
 * ("1023B" is exact below 1KiB). */
const char *ts__fmt_bytes_short(uint64_t v, char *buf, size_t size);

/* A real with a fixed number of decimals ("%.*f"), with '.' as the decimal point. */
const char *ts__fmt_fixed(double v, int decimals, char *buf, size_t size);

/* A ratio as a percentage with two decimals: 0.6 -> "60.00%". */
const char *ts__fmt_pct(double ratio, char *buf, size_t size);

/* Dollars: "$0", two decimals from one cent up ("$29.83"), else three significant digits
 * ("$0.000345", "$1.2e-07"): small items of a bill stay visible. */
const char *ts__fmt_usd(double v, char *buf, size_t size);

/* Dollars to compare side by side: "$0", four significant digits below $100 ("$0.1026",
 * "$1.234e-05"), else two decimals ("$1234.50"). */
const char *ts__fmt_usd_sig(double v, char *buf, size_t size);

/* A price as ts_format_price writes it ("$0.023/GB-month"), with '.' as the decimal point. */
const char *ts__fmt_price(double usd, ts_price_unit_t unit, char *buf, size_t size);

/* src into buf (size >= 8), cut in the middle with "..." when it does not fit, so that its
 * start and its end (where paths and values differ) both stay. */
const char *ts__fmt_shorten(const char *src, char *buf, size_t size);

/* Writes fmt to out; on a failed write sets err to TS_EIO (with errno) naming what.
 * Returns 0 or TS_EIO. */
int ts__out_printf(FILE *out, ts_err_t *err, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A CSV text field: s (at most size bytes) as it is, or in double quotes with its quotes
 * doubled when it holds a comma, a quote or a line break (RFC 4180); no separator. Returns
 * 0 or TS_EIO naming what. */
int ts__out_csv_field(FILE *out, ts_err_t *err, const char *what, const char *s, size_t size);

/* Flushes out and checks its error indicator; sets err to TS_EIO naming what.
 * Returns 0 or TS_EIO. */
int ts__out_finish(FILE *out, ts_err_t *err, const char *what);

/* ---- files (reports/files.c) ---- */

/* mkdir -p: creates dir and its missing parents, then checks that dir is a directory.
 * Returns 0, TS_ENOENT, TS_ENOSPC, TS_ENOMEM, TS_EINVAL (name too long) or TS_EIO. */
int ts__mkdir_p(const char *dir, ts_err_t *err);

/* Fills the stream of one output file; write errors are found afterwards (ferror). */
typedef void (*ts__file_body_fn)(FILE *f, const void *ctx);

/* Writes path in full through a temporary file beside it, renamed into place (see
 * traces/io_internal.h); what names the file in messages ("plot data"). Returns 0, or
 * TS_ENOENT, TS_ENOSPC, TS_ENOMEM or TS_EIO naming path, which is then left untouched. */
int ts__file_write(const char *path, const char *what, ts__file_body_fn body, const void *ctx,
                   ts_err_t *err);

#endif
