/* SPDX-License-Identifier: MIT */
/*
 * units.h - human units: sizes (4KiB, 1.5TB), counts (10M, 1e6), durations (200us, 3ms),
 * fractions (10%, 0.1), bandwidths (25GB/s, 400Gbit/s), and "did you mean" suggestions by
 * edit distance.
 *
 * Every parser takes the whole string (leading/trailing blanks allowed, nothing else),
 * returns 0 or TS_EPARSE / TS_ERANGE, and fills err with what it expected and found.
 * Binary suffixes (KiB, MiB, ...) are powers of 1024, decimal ones (KB, MB, ...) of 1000.
 */
#ifndef TS_SIM_UNITS_H
#define TS_SIM_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Bytes: "4096", "4KiB", "1.5TB", "512 MiB", "2k" (= 2000). Result must be a whole byte. */
int ts_parse_size(const char *s, uint64_t *out, ts_err_t *err);
/* Count: "1000", "10M" (1e7), "2.5k", "1e6". Result must be a whole number. */
int ts_parse_count(const char *s, uint64_t *out, ts_err_t *err);
/* Signed integer in decimal (no suffix). */
int ts_parse_int(const char *s, int64_t *out, ts_err_t *err);
/* Real number, finite. */
int ts_parse_double(const char *s, double *out, ts_err_t *err);
/* Duration in ns: "200us", "3ms", "1.5s", "2min", "1h", "10ns"; a bare "0" is allowed. */
int ts_parse_duration(const char *s, uint64_t *out, ts_err_t *err);
/* Fraction: "10%" -> 0.1 or a plain real "0.1". */
int ts_parse_fraction(const char *s, double *out, ts_err_t *err);
/* Bandwidth in bytes/s: "25GB/s", "3.35TB/s", "900GiB/s", "7000MB/s" (B = bytes); "400Gbit/s",
 * "100Gb/s", "100Gbps" (b, bit, bits = bits, divided by 8). Prefixes k M G T P are decimal
 * in any case, Ki Mi Gi Ti Pi binary; "/s" or "ps". A bare "0" is allowed. Result must be a
 * whole number of bytes/s (uint64: exact, like sizes; 2^64 B/s is far above any link). */
int ts_parse_rate(const char *s, uint64_t *out, ts_err_t *err);
/* Boolean: true/false, yes/no, on/off, 1/0 (case-insensitive). */
int ts_parse_bool(const char *s, int *out, ts_err_t *err);

/* Writes a size as the largest binary unit that keeps it exact ("4KiB", "1000B"), or with
 * two decimals when inexact and round is nonzero ("1.50GiB"). Returns buf. */
const char *ts_format_size(uint64_t bytes, int round, char *buf, size_t size);
/* Writes a bandwidth. Exact (round 0): the shorter of the exact decimal and exact binary
 * forms, which ts_parse_rate reads back to the same value ("25GB/s", "3.35TB/s", "900GiB/s").
 * Rounded: three significant digits in decimal units ("31.5GB/s"). Returns buf. */
const char *ts_format_rate(uint64_t bytes_per_s, int round, char *buf, size_t size);
/* Writes a duration in the most readable unit ("200us", "1.5ms"). Returns buf. */
const char *ts_format_duration(uint64_t ns, char *buf, size_t size);

/* Levenshtein distance, case-insensitive, capped at 255. */
unsigned ts_edit_distance(const char *a, const char *b);
/* The candidate closest to word when close enough to be a likely typo, else NULL. */
const char *ts_suggest(const char *word, const char *const *cands, size_t n);
/* The index of name among names[0..n), or -1 with err set (TS_ENOENT): "unknown WHAT
 * 'name' (did you mean 'x'?)" when one is close, else "(expected one of: a, b, c)". */
long ts_name_index(const char *what, const char *name, const char *const *names, size_t n,
                   ts_err_t *err);

#endif
