/* SPDX-License-Identifier: MIT */
/*
 * info.c - one streaming pass over a reader: counts, distinct keys and footprint, time span,
 * op mix and request-size percentiles (see info.h).
 *
 * Distinct keys: a ts_ktab maps each key to its index in a growing array of keys (the
 * table's nodes), so a key costs 8 bytes of array plus 8-16 bytes of index. Sizes: exact
 * min/max/mean, and percentiles from a reservoir of TS_TRACE_STATS_SAMPLE sizes sorted with
 * gsl_sort at the end. Cost: O(1) expected per request, O(k log k) once for the sort.
 */
#include "info.h"

#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/rng.h"

#define INFO_RESERVOIR_SEED 0x5eedULL

typedef struct info_state {
    ts_ktab_t index;  /* key -> position in keys */
    uint64_t *keys;   /* distinct keys in order of first appearance */
    uint64_t cap;     /* slots in keys */
    double *sample;   /* reservoir of request sizes */
    gsl_rng *rng;     /* reservoir replacement draws */
    double size_sum;  /* for the mean */
} info_state_t;

static void info_free(info_state_t *s)
{
    ts_ktab_free(&s->index);
    ts_free(s->keys);
    ts_free(s->sample);
    ts_rng_destroy(s->rng);
}

static int info_init(info_state_t *s, const ts_reader_t *r, ts_err_t *err)
{
    memset(s, 0, sizeof(*s));
    ts_reader_info_t ri;
    ts_reader_info(r, &ri);
    uint64_t expect = ri.n_keys ? ri.n_keys : 1024;
    if (expect > (1u << 20)) /* a hint only: grow from 1M rather than reserve a bound */
        expect = 1u << 20;
    s->cap = expect;
    s->keys = ts_malloc(s->cap * sizeof(uint64_t));
    s->sample = ts_malloc(TS_TRACE_STATS_SAMPLE * sizeof(double));
    if (!s->keys || !s->sample)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate trace statistics");
    int rc = ts_ktab_init(&s->index, expect, err);
    if (rc)
        return rc;
    s->rng = ts_rng_create(INFO_RESERVOIR_SEED, err);
    return s->rng ? 0 : TS_ENOMEM;
}

/* Adds key when new; *is_new tells. */
static int info_add_key(info_state_t *s, uint64_t key, bool *is_new, ts_err_t *err)
{
    *is_new = ts_ktab_find(&s->index, key, s->keys, sizeof(uint64_t)) == TS_KTAB_NONE;
    if (!*is_new)
        return 0;
    uint64_t n = s->index.n;
    if (n >= TS_KTAB_NONE)
        return ts_err_set(err, TS_ERANGE, "more than %u distinct keys", TS_KTAB_NONE - 1);
    if (n == s->cap) {
        uint64_t *nk = ts_realloc(s->keys, s->cap * 2 * sizeof(uint64_t));
        if (!nk)
            return ts_err_set(err, TS_ENOMEM, "cannot grow the key set past %llu keys",
                              (unsigned long long)n);
        s->keys = nk;
        s->cap *= 2;
    }
    s->keys[n] = key;
    return ts_ktab_insert(&s->index, key, (uint32_t)n, err);
}

static int info_add(info_state_t *s, const ts_req_t *q, ts_trace_stats_t *st, ts_err_t *err)
{
    if (q->op >= TS_OP_COUNT_)
        return ts_err_set(err, TS_EFORMAT, "request %llu has op %u",
                          (unsigned long long)st->n_requests, q->op);
    bool is_new;
    int rc = info_add_key(s, q->key, &is_new, err);
    if (rc)
        return rc;
    if (is_new)
        st->footprint_bytes += q->size_bytes;
    if (st->n_requests == 0) {
        st->first_ns = q->time_ns;
        st->size_min_bytes = q->size_bytes;
    } else if (q->time_ns < st->last_ns) {
        st->n_time_backwards++;
    }
    st->last_ns = q->time_ns;
    st->n_ops[q->op]++;
    st->requested_bytes += q->size_bytes;
    s->size_sum += (double)q->size_bytes;
    if (q->size_bytes < st->size_min_bytes)
        st->size_min_bytes = q->size_bytes;
    if (q->size_bytes > st->size_max_bytes)
        st->size_max_bytes = q->size_bytes;
    /* Algorithm R: request i (0-based) replaces a random slot with probability K / (i + 1). */
    uint64_t i = st->n_requests;
    if (i < TS_TRACE_STATS_SAMPLE) {
        s->sample[i] = (double)q->size_bytes;
    } else {
        uint64_t j = ts_rng_below(s->rng, i + 1);
        if (j < TS_TRACE_STATS_SAMPLE)
            s->sample[j] = (double)q->size_bytes;
    }
    st->n_requests++;
    return 0;
}

static void info_finish(info_state_t *s, ts_trace_stats_t *st)
{
    st->n_keys = s->index.n;
    st->span_ns = st->last_ns >= st->first_ns ? st->last_ns - st->first_ns : 0;
    size_t k = st->n_requests < TS_TRACE_STATS_SAMPLE ? (size_t)st->n_requests
                                                      : TS_TRACE_STATS_SAMPLE;
    st->n_size_samples = k;
    st->is_size_exact = st->n_requests <= TS_TRACE_STATS_SAMPLE;
    if (k == 0)
        return;
    st->size_mean_bytes = s->size_sum / (double)st->n_requests;
    gsl_sort(s->sample, 1, k);
    st->size_p50_bytes = gsl_stats_quantile_from_sorted_data(s->sample, 1, k, 0.50);
    st->size_p90_bytes = gsl_stats_quantile_from_sorted_data(s->sample, 1, k, 0.90);
    st->size_p99_bytes = gsl_stats_quantile_from_sorted_data(s->sample, 1, k, 0.99);
}

int ts_trace_stats(ts_reader_t *r, ts_trace_stats_t *out, ts_err_t *err)
{
    memset(out, 0, sizeof(*out));
    info_state_t s;
    int rc = info_init(&s, r, err);
    ts_req_t q;
    while (rc == 0 && (rc = ts_reader_next(r, &q, err)) == 1)
        rc = info_add(&s, &q, out, err);
    if (rc == 0) {
        info_finish(&s, out);
        ts_reader_units(r, &out->units);
    } else
        memset(out, 0, sizeof(*out));
    info_free(&s);
    return rc;
}
