/* SPDX-License-Identifier: MIT */
/*
 * units.h - human units: sizes (4KiB, 1.5TB), counts (10M, 1e6), durations (200us, 3ms),
 * fractions (10%, 0.1), bandwidths (25GB/s, 400Gbit/s), prices ($0.023/GB-month, 2.5/h),
 * power (700W), and "did you mean" suggestions by edit distance.
 *
 * Every parser takes the whole string (leading/trailing blanks allowed, nothing else),
 * returns 0 or TS_EPARSE / TS_ERANGE, and fills err with what it expected and found.
 * Size and bandwidth units are case-sensitive, with one meaning everywhere: binary units
 * (KiB, MiB, GiB, TiB, PiB) are powers of 1024, decimal ones (kB = KB, MB, GB, TB, PB) of
 * 1000; bits are bit, kbit = Kbit, Mbit, Gbit, Tbit, Pbit, and (in a rate only) a lone b.
 * Input echoed in a message shows control, invisible and non-UTF-8 bytes as \xHH.
 */
#ifndef TS_SIM_UTIL_UNITS_H
#define TS_SIM_UTIL_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Bytes: "4096", "4KiB", "1.5TB", "512 MiB", "4kB" (= 4000), "8Gbit" (= 1e9). Result must
 * be a whole byte below 2^64. Refused with what was meant: another case of a unit ("10Gib":
 * "units are case-sensitive; did you mean '10GiB'?"), bits written b ("10Gb": "Gb is
 * gigabits; did you mean '10GB'?"), a bare prefix ("2k": "did you mean '2kB' or '2KiB'?"). */
int ts_parse_size(const char *s, uint64_t *out, ts_err_t *err);
/* The hint ts_parse_size gives when it refuses the spelling of s ("units are case-sensitive;
 * did you mean '10GiB'?"), into buf, for a caller that words its own message; "" when s has
 * a size unit, or none to suggest. Returns buf. */
const char *ts_size_hint(const char *s, char *buf, size_t size);
/* Count: "1000", "10M" (1e7), "2.5k", "1e6". Result must be a whole number. */
int ts_parse_count(const char *s, uint64_t *out, ts_err_t *err);
/* Signed integer in decimal (no suffix). */
int ts_parse_int(const char *s, int64_t *out, ts_err_t *err);
/* Real number, finite. */
int ts_parse_double(const char *s, double *out, ts_err_t *err);
/* Duration in ns: "200us", "3ms", "1.5s", "2min", "1h", "3d", "5y" (365 days), "10ns"; a bare
 * "0" is allowed. */
int ts_parse_duration(const char *s, uint64_t *out, ts_err_t *err);
/* Fraction: "10%" -> 0.1 or a plain real "0.1". */
int ts_parse_fraction(const char *s, double *out, ts_err_t *err);
/* Bandwidth in bytes/s: a size unit then "/s" or "ps": "25GB/s", "3.35TB/s", "900GiB/s",
 * "7000MB/s" (B = bytes); "400Gbit/s" (bits, divided by 8); or bits with a lone b, "100Gb/s",
 * "100Gbps". Units as written (case-sensitive, as sizes). A bare "0" is allowed. Result must
 * be a whole number of bytes/s (uint64: exact, like sizes; 2^64 B/s is far above any link). */
int ts_parse_rate(const char *s, uint64_t *out, ts_err_t *err);
/* What a price is per. Internal units: dollars per GB (1e9 bytes), per GB-month (a month is
 * 730 h, 8760 h / 12), per hour, per request, per kWh. */
typedef enum ts_price_unit {
    TS_PRICE_PER_GB = 0,   /* purchase per GB of capacity; transfer per GB moved */
    TS_PRICE_PER_GB_MONTH, /* rented capacity */
    TS_PRICE_PER_HOUR,     /* a GPU-hour */
    TS_PRICE_PER_REQUEST,  /* a request to a central store */
    TS_PRICE_PER_KWH,      /* electricity */
    TS_PRICE_UNIT_COUNT_
} ts_price_unit_t;

/* Price: an optional '$', a non-negative number, '/', then a denominator in unit's kind,
 * with an optional leading amount: "$0.09/GB", "$90/TB", "0.12/GiB" (per GB); "$0.023/GB-month",
 * "$23/TB-month", "$0.0001/GB-hour" (per GB-month: SIZE-PERIOD or SIZE/PERIOD); "$2.99/h",
 * "2.5/hour", "$0.05/min", "$2000/month" (per hour); "$0.0004/1000", "$0.4/1M", "$4e-7/req"
 * (per request); "$0.12/kWh", "$120/MWh" (per kWh). Periods: s, min, h, d, month (730 h),
 * y (8760 h). A bare 0 ("0", "$0") is free; any other number needs its denominator. */
int ts_parse_price(const char *s, ts_price_unit_t unit, double *out, ts_err_t *err);
/* Writes a price with 12 significant digits in a form ts_parse_price reads back (within
 * 1e-12): "$0.023/GB-month", "$2.99/h", "$0.0004/1000" (per-request prices per 1,000); a
 * price per GB or GB-month is written per GiB when that form is shorter ("$0.023/GiB-month").
 * Returns buf. */
const char *ts_format_price(double usd, ts_price_unit_t unit, char *buf, size_t size);
/* Power in watts: "700W", "1.2kW", "25 w"; a bare "0" is allowed. */
int ts_parse_power(const char *s, double *watts, ts_err_t *err);
/* Boolean: true/false, yes/no, on/off, 1/0 (case-insensitive). */
int ts_parse_bool(const char *s, int *out, ts_err_t *err);

/* Writes a size as the largest binary unit that keeps it exact ("4KiB", "1000B"), or with
 * two decimals when inexact and round is nonzero ("1.50GiB"). Returns buf. */
const char *ts_format_size(uint64_t bytes, int round, char *buf, size_t size);
/* Writes a bandwidth. Exact (round 0): the shorter of the exact decimal and exact binary
 * forms, which ts_parse_rate reads back to the same value ("25GB/s", "3.35TB/s", "900GiB/s").
 * Rounded: three significant digits in decimal units ("31.5GB/s"). Returns buf. */
const char *ts_format_rate(uint64_t bytes_per_s, int round, char *buf, size_t size);
/* Writes a real in its shortest %g form that strtod reads back to the same double ("0.9",
 * not "0.90000000000000002"). Returns buf. */
const char *ts_format_real(double v, char *buf, size_t size);
/* Writes a duration for a person to read, in a unit ts_parse_duration reads: a whole number
 * of years, days, hours or (below 120) minutes as that ("5y", "2d", "1h", "10min"); else four
 * significant digits in the first of us, ms, s, min, h, d, y where they stay below 1000
 * (120 min, 72 h, 1000 d): "110ns", "200us", "1.5ms", "1s" (not "1000ms"), "99.87s",
 * "20.5min", "36.5h", "31.71y". Never e-notation. Returns buf. */
const char *ts_format_duration(uint64_t ns, char *buf, size_t size);
/* Writes a duration exactly, in the largest of ns, us, ms and s not above it, with as many
 * decimals as it needs: "110ns", "1.5us", "20s", "1.000000001s". Returns buf. */
const char *ts_format_duration_exact(uint64_t ns, char *buf, size_t size);

/* Levenshtein distance, case-insensitive, capped at 255. */
unsigned ts_edit_distance(const char *a, const char *b);
/* The candidate closest to word when close enough to be a likely typo, else NULL. */
const char *ts_suggest(const char *word, const char *const *cands, size_t n);
/* Joins names with ", " into out (size > 0 bytes, NUL-terminated) for an "expected one of"
 * message: all of them when they fit, else as many from the start and from the end as fit
 * around ", ..., ", so a list too long for a message keeps both its ends and whole names. */
void ts_join_names(char *out, size_t size, const char *const *names, size_t n);
/* The index of name among names[0..n), or -1 with err set (TS_ENOENT): "unknown WHAT
 * 'name' (did you mean 'x'?)" when one is close, else "(expected one of: a, b, c)". */
long ts_name_index(const char *what, const char *name, const char *const *names, size_t n,
                   ts_err_t *err);

#endif
