/* SPDX-License-Identifier: MIT */
/*
 * info.h - summary statistics of a trace (traces/info.c), computed in one streaming pass
 * over any reader (trace format or generator). Fills a struct and prints nothing; the CLI's
 * `tiersim trace info` formats it.
 */
#ifndef TS_TRACES_INFO_H
#define TS_TRACES_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "../sim/util/err.h"
#include "../sim/reader.h"
#include "../sim/req.h"

#define TS_TRACE_STATS_SAMPLE 65536 /* sizes kept for the percentiles */

typedef struct ts_trace_stats {
    uint64_t n_requests;          /* requests read */
    uint64_t n_keys;              /* distinct keys */
    uint64_t footprint_bytes;     /* sum over keys of the size at the key's first request */
    uint64_t requested_bytes;     /* sum of the sizes of all requests */
    uint64_t first_ns;            /* time of the first request */
    uint64_t last_ns;             /* time of the last request */
    uint64_t span_ns;             /* last_ns - first_ns; 0 when last_ns < first_ns */
    uint64_t n_time_backwards;    /* requests issued before the request preceding them */
    uint64_t n_ops[TS_OP_COUNT_]; /* requests per op (index: ts_op_t) */
    uint64_t size_min_bytes;      /* smallest request size (exact) */
    uint64_t size_max_bytes;      /* largest request size (exact) */
    double size_mean_bytes;       /* mean request size (exact) */
    double size_p50_bytes;        /* median request size */
    double size_p90_bytes;        /* 90th percentile */
    double size_p99_bytes;        /* 99th percentile */
    uint64_t n_size_samples;      /* sizes the percentiles come from */
    bool is_size_exact;           /* every size was kept: the percentiles are exact */
    ts_reader_units_t units;      /* what the requests amount to in the workload's own terms
                                   * (calls, tokens, sessions, epochs), where the reader says */
} ts_trace_stats_t;

/* Reads r from its current position to the end (the caller resets it first if needed) and
 * fills out. Percentiles are over requests (not distinct objects), interpolated linearly
 * between order statistics (GSL's quantile_from_sorted_data). They are exact up to
 * TS_TRACE_STATS_SAMPLE requests; beyond, they come from a uniform reservoir sample of that
 * many sizes (Vitter's algorithm R, fixed seed, so repeatable), whose rank error has a
 * standard deviation of sqrt(p (1 - p) / 65536): 0.2 percentage points at p50, 0.04 at p99.
 * Memory: 512 KiB for the sample plus about 20 bytes per distinct key.
 * Returns 0; the reader's error; TS_EFORMAT for a request with an unknown op; TS_ERANGE
 * past 2^32 - 1 distinct keys; TS_ENOMEM. On error *out is zeroed. */
int ts_trace_stats(ts_reader_t *r, ts_trace_stats_t *out, ts_err_t *err);

#endif
