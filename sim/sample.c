/* SPDX-License-Identifier: MIT */
/*
 * sample.c - spatial (hash of the key) and temporal (window) sampling of a reader (see
 * sample.h).
 */
#include "sample.h"

#include <math.h>
#include <stddef.h>

#include "util/ktab.h"
#include "util/mem.h"

static const ts_param_spec_t k_sample_params[] = {
    {"rate", TS_PT_FRACTION, offsetof(ts_sample_spec_t, rate), 0, 1e-9, 1, "100%",
     "share of keys kept (all requests of a kept key), e.g. 1% (SHARDS)", NULL},
    {"start", TS_PT_DURATION, offsetof(ts_sample_spec_t, start_ns), 0, 0, 1.8e19, "0",
     "keep requests from this time on, measured from the trace's first request", NULL},
    {"end", TS_PT_DURATION, offsetof(ts_sample_spec_t, end_ns), 0, 0, 1.8e19, "0",
     "keep requests before this time (0: to the end)", NULL},
};

const ts_param_spec_t *ts_sample_schema(size_t *n)
{
    *n = TS_PARAM_COUNT(k_sample_params);
    return k_sample_params;
}

bool ts_sample_is_all(const ts_sample_spec_t *spec)
{
    return spec->rate >= 1.0 && spec->start_ns == 0 && spec->end_ns == 0;
}

typedef struct sample_reader {
    ts_reader_t base;   /* must be first */
    ts_reader_t *inner; /* owned */
    uint64_t threshold; /* keep when hash < threshold (UINT64_MAX with rate 1: all) */
    bool keep_all_keys;
    uint64_t salt;
    uint64_t start_ns, end_ns;
    bool has_first;
    uint64_t first_ns;
} sample_reader_t;

static void sample_close(ts_reader_t *r)
{
    sample_reader_t *s = (sample_reader_t *)r;
    if (!s)
        return;
    ts_reader_close(s->inner);
    ts_free(s);
}

static int sample_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    sample_reader_t *s = (sample_reader_t *)r;
    for (;;) {
        int rc = ts_reader_next(s->inner, req, err);
        if (rc <= 0)
            return rc;
        if (!s->has_first) {
            s->has_first = true;
            s->first_ns = req->time_ns;
        }
        uint64_t t = req->time_ns > s->first_ns ? req->time_ns - s->first_ns : 0;
        if (t < s->start_ns)
            continue;
        if (s->end_ns && t >= s->end_ns)
            return 0; /* past the window: stop reading */
        if (!s->keep_all_keys && ts_hash64(req->key ^ s->salt) >= s->threshold)
            continue;
        return 1;
    }
}

static int sample_reset(ts_reader_t *r, ts_err_t *err)
{
    sample_reader_t *s = (sample_reader_t *)r;
    s->has_first = false;
    return ts_reader_reset(s->inner, err);
}

static const ts_reader_ops_t k_sample_ops = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "sample",
             .summary = "spatial and temporal sampling of another reader"},
    .next = sample_next,
    .reset = sample_reset,
    .close = sample_close,
};

int ts_sample_open(ts_reader_t *inner, const ts_sample_spec_t *spec, ts_reader_t **out,
                   ts_err_t *err)
{
    *out = NULL;
    int rc = 0;
    if (!(spec->rate > 0 && spec->rate <= 1))
        rc = ts_err_set(err, TS_ERANGE, "sample rate must be above 0 and at most 100%%, not %g",
                        spec->rate);
    else if (spec->end_ns && spec->end_ns <= spec->start_ns)
        rc = ts_err_set(err, TS_ERANGE, "the sample window ends before it starts");
    sample_reader_t *s = rc ? NULL : ts_calloc(1, sizeof(*s));
    if (rc == 0 && !s)
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the sampling reader");
    if (rc) {
        ts_reader_close(inner);
        return rc;
    }
    s->base.ops = &k_sample_ops;
    s->inner = inner;
    s->keep_all_keys = spec->rate >= 1.0;
    s->threshold = s->keep_all_keys ? UINT64_MAX : (uint64_t)ldexp(spec->rate, 64);
    s->salt = spec->salt;
    s->start_ns = spec->start_ns;
    s->end_ns = spec->end_ns;
    *out = &s->base;
    return 0;
}

/* ---- passing over malformed records ---- */

typedef struct skipbad_reader {
    ts_reader_t base;   /* must be first */
    ts_reader_t *inner; /* owned */
    uint64_t max_bad, n_bad;
    ts_err_t first;     /* the first record passed over */
} skipbad_reader_t;

static void skipbad_close(ts_reader_t *r)
{
    skipbad_reader_t *s = (skipbad_reader_t *)r;
    if (!s)
        return;
    ts_reader_close(s->inner);
    ts_free(s);
}

static int skipbad_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    skipbad_reader_t *s = (skipbad_reader_t *)r;
    for (;;) {
        int rc = ts_reader_next(s->inner, req, err);
        if (rc != TS_EFORMAT || s->n_bad == s->max_bad)
            return rc;
        if (s->n_bad++ == 0)
            s->first = *err;
        ts_err_clear(err);
    }
}

static int skipbad_reset(ts_reader_t *r, ts_err_t *err)
{
    skipbad_reader_t *s = (skipbad_reader_t *)r;
    s->n_bad = 0;
    ts_err_clear(&s->first);
    return ts_reader_reset(s->inner, err);
}

/* Passing over bad records changes no unit a generator counts: the inner reader's. */
static void skipbad_units(const ts_reader_t *r, ts_reader_units_t *out)
{
    ts_reader_units(((const skipbad_reader_t *)r)->inner, out);
}

static const ts_reader_ops_t k_skipbad_ops = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "skip_bad",
             .summary = "passes over malformed records of another reader"},
    .next = skipbad_next,
    .reset = skipbad_reset,
    .close = skipbad_close,
    .units = skipbad_units,
};

int ts_skipbad_open(ts_reader_t *inner, uint64_t max_bad, ts_reader_t **out, ts_err_t *err)
{
    *out = NULL;
    skipbad_reader_t *s = ts_calloc(1, sizeof(*s));
    if (!s) {
        ts_reader_close(inner);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the reader");
    }
    s->base.ops = &k_skipbad_ops;
    s->inner = inner;
    s->max_bad = max_bad;
    *out = &s->base;
    return 0;
}

uint64_t ts_skipbad_count(const ts_reader_t *r, const ts_err_t **first)
{
    const skipbad_reader_t *s = (const skipbad_reader_t *)r;
    if (r->ops != &k_skipbad_ops) {
        if (first)
            *first = NULL;
        return 0;
    }
    if (first)
        *first = &s->first;
    return s->n_bad;
}
