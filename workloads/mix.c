/* SPDX-License-Identifier: MIT */
/*
 * mix.c - Zipf popularity interrupted by periodic sequential scans (scan pollution).
 *
 * The trace repeats a cycle of scan_every Zipf requests over ranks 0..keys-1 followed by
 * one scan of scan_length requests. Scans walk the separate ranks keys..keys+scan_keys-1
 * in order, each scan continuing where the last stopped (wrapping), so with scan_keys =
 * scan_length (the default) every scan reads the same keys. Scan ranks go through the same
 * key bijection as Zipf ranks, so scan keys and Zipf keys never collide.
 * Cost per request: one Zipf draw (see zipf.c) or O(1) for a scan; memory as zipf.
 */
#include "../sim/util/mem.h"
#include "gen_internal.h"

static const char *const k_mix_samplers[] = {"auto", "alias", "rejection", NULL};

typedef struct mix_params {
    ts__gen_common_t c;   /* requests, keys (Zipf ranks), sizes, arrivals, ... */
    double alpha;         /* Zipf skew */
    int sampler;          /* enum ts__zipf_method */
    uint64_t scan_every;  /* Zipf requests between scans */
    uint64_t scan_length; /* requests in one scan */
    uint64_t scan_keys;   /* distinct keys the scans walk (0: scan_length) */
} mix_params_t;

static const ts_param_spec_t k_mix_params[] = {
    TS__GEN_COMMON_PARAMS(mix_params_t, c, "1M", "true"),
    {"alpha", TS_PT_DOUBLE, offsetof(mix_params_t, alpha), 0, 0, 10, "1",
     "Zipf skew of the non-scan requests", NULL},
    {"sampler", TS_PT_ENUM, offsetof(mix_params_t, sampler), 0, 1, 0, "auto",
     "Zipf sampler (see zipf)", k_mix_samplers},
    {"scan_every", TS_PT_COUNT, offsetof(mix_params_t, scan_every), 0, 1, 1e15, "100k",
     "Zipf requests between two scans", NULL},
    {"scan_length", TS_PT_COUNT, offsetof(mix_params_t, scan_length), 0, 0, 1e15, "10k",
     "requests in one scan (0: no scans)", NULL},
    {"scan_keys", TS_PT_COUNT, offsetof(mix_params_t, scan_keys), 0, 0, TS__MAX_KEYS, "0",
     "distinct keys the scans walk over, after the Zipf keys (0: scan_length)", NULL},
};

typedef struct mix_gen {
    ts__gen_t g;          /* must be first */
    ts__zipf_t z;         /* Zipf rank sampler */
    uint64_t scan_every;  /* from params */
    uint64_t scan_length; /* from params */
    uint64_t scan_keys;   /* resolved (never 0 when scan_length > 0) */
    uint64_t phase;       /* position in the current cycle, 0..scan_every+scan_length-1 */
    uint64_t cursor;      /* next scan offset, 0..scan_keys-1 */
} mix_gen_t;

extern const ts_reader_ops_t ts_reader_gen_mix;

static void mix_close(ts_reader_t *r)
{
    mix_gen_t *mg = (mix_gen_t *)r;
    if (!mg)
        return;
    ts__zipf_fini(&mg->z);
    ts__gen_fini(&mg->g);
    ts_free(mg);
}

static int mix_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                    ts_err_t *err)
{
    const mix_params_t *p = params;
    *out = NULL;
    mix_gen_t *mg = ts_calloc(1, sizeof(*mg));
    if (!mg)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the mix generator");
    mg->scan_every = p->scan_every;
    mg->scan_length = p->scan_length;
    mg->scan_keys = p->scan_keys ? p->scan_keys : p->scan_length;
    int rc = 0;
    if (mg->scan_every < 1)
        rc = ts_err_set(err, TS_EINVAL, "mix: scan_every must be at least 1");
    else if (mg->scan_length > 0 && p->c.keys > UINT64_MAX - mg->scan_keys)
        rc = ts_err_set(err, TS_EINVAL, "mix: keys + scan_keys overflow 64 bits");
    if (rc == 0)
        rc = ts__gen_init(&mg->g, &ts_reader_gen_mix, &p->c, ctx, err);
    if (rc == 0)
        rc = ts__zipf_init(&mg->z, p->c.keys, p->alpha, p->sampler, err);
    if (rc) {
        mix_close(&mg->g.base);
        return rc;
    }
    *out = &mg->g.base;
    return 0;
}

static int mix_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    mix_gen_t *mg = (mix_gen_t *)r;
    (void)err;
    if (ts__gen_done(&mg->g))
        return 0;
    uint64_t rank;
    if (mg->phase < mg->scan_every) {
        rank = ts__zipf_draw(&mg->z, mg->g.rng_key);
    } else {
        rank = mg->g.p.keys + mg->cursor;
        if (++mg->cursor == mg->scan_keys)
            mg->cursor = 0;
    }
    if (++mg->phase == mg->scan_every + mg->scan_length)
        mg->phase = 0;
    ts__gen_emit(&mg->g, rank, req);
    return 1;
}

static int mix_reset(ts_reader_t *r, ts_err_t *err)
{
    mix_gen_t *mg = (mix_gen_t *)r;
    (void)err;
    ts__gen_rewind(&mg->g);
    mg->phase = 0;
    mg->cursor = 0;
    return 0;
}

static void mix_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    const mix_gen_t *mg = (const mix_gen_t *)r;
    out->n_requests = mg->g.p.requests;
    out->n_keys = mg->g.p.keys + (mg->scan_length ? mg->scan_keys : 0);
}

const ts_reader_ops_t ts_reader_gen_mix = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_GENERATOR,
             .name = "mix",
             .summary = "Zipf popularity with a sequential scan every scan_every requests",
             .flags = TS_READER_GENERATOR,
             .params = k_mix_params,
             .params_count = TS_PARAM_COUNT(k_mix_params),
             .params_size = sizeof(mix_params_t)},
    .open = mix_open,
    .next = mix_next,
    .reset = mix_reset,
    .close = mix_close,
    .info = mix_info,
};
