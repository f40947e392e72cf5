/* SPDX-License-Identifier: MIT */
/*
 * hist.c - log-linear latency histogram (see hist.h for the layout and the error bound).
 */
#include "hist.h"

#include <math.h>
#include <string.h>

#include "util/mem.h"

void ts_hist_init(ts_hist_t *h)
{
    memset(h, 0, sizeof(*h));
    h->min_ns = UINT64_MAX;
}

int ts_hist_create(ts_hist_t **out, ts_err_t *err)
{
    *out = ts_malloc(sizeof(**out));
    if (!*out)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a latency histogram");
    ts_hist_init(*out);
    return 0;
}

void ts_hist_destroy(ts_hist_t *h)
{
    ts_free(h);
}

/* Buckets below 2*SUB hold one value each; bucket shift*SUB + s (SUB <= s < 2*SUB) holds
 * [s << shift, (s + 1) << shift). */
uint64_t ts_hist_bucket_lo(uint32_t idx)
{
    if (idx < 2 * TS_HIST_SUB)
        return idx;
    uint32_t shift = idx / TS_HIST_SUB - 1;
    uint64_t s = idx % TS_HIST_SUB + TS_HIST_SUB;
    return s << shift;
}

uint64_t ts_hist_bucket_hi(uint32_t idx)
{
    if (idx < 2 * TS_HIST_SUB)
        return idx;
    uint32_t shift = idx / TS_HIST_SUB - 1;
    return ts_hist_bucket_lo(idx) + ((1ull << shift) - 1);
}

void ts_hist_merge(ts_hist_t *dst, const ts_hist_t *src)
{
    for (uint32_t i = 0; i < TS_HIST_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
    dst->n += src->n;
    dst->sum_ns += src->sum_ns;
    if (src->min_ns < dst->min_ns)
        dst->min_ns = src->min_ns;
    if (src->max_ns > dst->max_ns)
        dst->max_ns = src->max_ns;
}

uint64_t ts_hist_percentile(const ts_hist_t *h, double p)
{
    if (h->n == 0)
        return 0;
    if (!(p > 0))
        return h->min_ns;
    if (p >= 100)
        return h->max_ns;
    double r = ceil(p * (double)h->n / 100.0);
    uint64_t rank = r < 1 ? 1 : r >= (double)h->n ? h->n : (uint64_t)r;
    uint64_t seen = 0;
    uint32_t i = 0;
    for (; i < TS_HIST_BUCKETS - 1; i++) {
        seen += h->counts[i];
        if (seen >= rank)
            break;
    }
    uint64_t lo = ts_hist_bucket_lo(i), hi = ts_hist_bucket_hi(i);
    uint64_t mid = lo + (hi - lo) / 2 + ((hi - lo) & 1);
    if (mid < h->min_ns)
        mid = h->min_ns;
    if (mid > h->max_ns)
        mid = h->max_ns;
    return mid;
}

double ts_hist_mean(const ts_hist_t *h)
{
    return h->n ? (double)h->sum_ns / (double)h->n : 0.0;
}

int ts_hist_export(const ts_hist_t *h, ts_hist_bucket_t **out, size_t *n, ts_err_t *err)
{
    *out = NULL;
    *n = 0;
    size_t used = 0;
    for (uint32_t i = 0; i < TS_HIST_BUCKETS; i++)
        used += h->counts[i] != 0;
    if (used == 0)
        return 0;
    ts_hist_bucket_t *b = ts_malloc(used * sizeof(*b));
    if (!b)
        return ts_err_set(err, TS_ENOMEM, "cannot export a histogram of %zu buckets", used);
    size_t k = 0;
    for (uint32_t i = 0; i < TS_HIST_BUCKETS; i++)
        if (h->counts[i])
            b[k++] = (ts_hist_bucket_t){ts_hist_bucket_lo(i), ts_hist_bucket_hi(i), h->counts[i]};
    *out = b;
    *n = used;
    return 0;
}
