/* SPDX-License-Identifier: MIT */
/*
 * hist.h - log-linear latency histogram (HdrHistogram-like) in fixed memory.
 *
 * Values (ns, the whole uint64 range) fall in buckets: values below 2^(TS_HIST_SUB_BITS+1)
 * have a bucket each; above, every power-of-two range [2^k, 2^(k+1)) is cut into
 * 2^TS_HIST_SUB_BITS equal buckets of width 2^(k - TS_HIST_SUB_BITS). A bucket's width is
 * therefore at most 2^-7 = 0.78% of any value in it. Percentiles report the bucket's
 * midpoint, clamped to the exact min and max, so a reported percentile is within 2^-8
 * (0.39%) relative error of the true sample quantile (and exact below 256 ns). Count, sum
 * (128-bit), min and max are exact, so the mean is exact to double rounding.
 * Cost: record is O(1) (a count-leading-zeros and an add), merge and percentile are
 * O(TS_HIST_BUCKETS); memory is fixed at about 58 KiB per histogram. Reference: G. Tene,
 * HdrHistogram, http://hdrhistogram.org (the bucket layout idea; the code is our own).
 */
#ifndef TS_SIM_HIST_H
#define TS_SIM_HIST_H

#include <stdint.h>

#include "util/err.h"

#define TS_HIST_SUB_BITS 7u
#define TS_HIST_SUB (1u << TS_HIST_SUB_BITS)                        /* buckets per octave */
#define TS_HIST_BUCKETS ((64u - TS_HIST_SUB_BITS + 1u) * TS_HIST_SUB) /* 7424 */

typedef struct ts_hist {
    uint64_t n;                       /* read-only: values recorded */
    uint64_t min_ns;                  /* read-only: smallest value, UINT64_MAX when empty */
    uint64_t max_ns;                  /* read-only: largest value, 0 when empty */
    unsigned __int128 sum_ns;         /* read-only: exact sum of the values */
    uint64_t counts[TS_HIST_BUCKETS]; /* private: values per bucket */
} ts_hist_t;

/* Empties h (for a histogram embedded in another struct). */
void ts_hist_init(ts_hist_t *h);

/* An empty histogram on the heap. Returns 0 or TS_ENOMEM (*out NULL). Free with
 * ts_hist_destroy, which accepts NULL. */
int ts_hist_create(ts_hist_t **out, ts_err_t *err);
void ts_hist_destroy(ts_hist_t *h);

/* Bucket index of a value, and the smallest and largest value of a bucket. */
static inline uint32_t ts_hist_bucket(uint64_t v)
{
    if (v < 2 * TS_HIST_SUB)
        return (uint32_t)v;
    uint32_t shift = (uint32_t)(63 - __builtin_clzll(v)) - TS_HIST_SUB_BITS;
    return shift * TS_HIST_SUB + (uint32_t)(v >> shift);
}
uint64_t ts_hist_bucket_lo(uint32_t idx);
uint64_t ts_hist_bucket_hi(uint32_t idx);

/* Records one value; records `count` copies of a value. */
static inline void ts_hist_record_n(ts_hist_t *h, uint64_t v, uint64_t count)
{
    h->counts[ts_hist_bucket(v)] += count;
    h->n += count;
    h->sum_ns += (unsigned __int128)v * count;
    if (count && v < h->min_ns)
        h->min_ns = v;
    if (count && v > h->max_ns)
        h->max_ns = v;
}
static inline void ts_hist_record(ts_hist_t *h, uint64_t v)
{
    ts_hist_record_n(h, v, 1);
}

/* Adds every value of src to dst. */
void ts_hist_merge(ts_hist_t *dst, const ts_hist_t *src);

/* The p-th percentile (0 <= p <= 100; out-of-range p is clamped): the value of rank
 * ceil(p/100 * n) (rank 1 for p = 0, so p = 0 gives min and p = 100 gives max), reported
 * as its bucket's midpoint clamped to [min, max]. 0 when empty. */
uint64_t ts_hist_percentile(const ts_hist_t *h, double p);

/* Mean value, 0 when empty. */
double ts_hist_mean(const ts_hist_t *h);

/* One bucket as plain data, for writers and plots (a CDF is the running sum of counts). */
typedef struct ts_hist_bucket {
    uint64_t lo_ns; /* smallest value the bucket holds */
    uint64_t hi_ns; /* largest value it holds */
    uint64_t count; /* values recorded in it */
} ts_hist_bucket_t;

/* The non-empty buckets of h in increasing order, in a new array: *out (free with ts_free)
 * and *n; NULL and 0 when h is empty. Returns 0 or TS_ENOMEM. Cost: O(TS_HIST_BUCKETS). */
int ts_hist_export(const ts_hist_t *h, ts_hist_bucket_t **out, size_t *n, ts_err_t *err);

#endif
