/* SPDX-License-Identifier: MIT */
/*
 * uniform.c - keys drawn uniformly at random from N: P(rank r) = 1/N, r = 0..N-1.
 *
 * A draw is one unbiased integer in [0, N) from 64 random bits (Lemire's multiply-and-reject,
 * expected O(1), rejection probability below N / 2^64). Keys are scrambled by default, so
 * the key space looks like hashed object ids. Memory: O(1).
 */
#include "../sim/util/mem.h"
#include "gen_internal.h"

typedef struct uniform_params {
    ts__gen_common_t c; /* requests, keys, sizes, arrivals, put_ratio, scramble */
} uniform_params_t;

static const ts_param_spec_t k_uniform_params[] = {
    TS__GEN_COMMON_PARAMS(uniform_params_t, c, "1M", "true"),
};

extern const ts_reader_ops_t ts_reader_gen_uniform;

static void uniform_close(ts_reader_t *r)
{
    ts__gen_t *g = (ts__gen_t *)r;
    if (!g)
        return;
    ts__gen_fini(g);
    ts_free(g);
}

static int uniform_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                        ts_err_t *err)
{
    const uniform_params_t *p = params;
    *out = NULL;
    ts__gen_t *g = ts_calloc(1, sizeof(*g));
    if (!g)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the uniform generator");
    int rc = ts__gen_init(g, &ts_reader_gen_uniform, &p->c, ctx, err);
    if (rc) {
        uniform_close(&g->base);
        return rc;
    }
    *out = &g->base;
    return 0;
}

static int uniform_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    ts__gen_t *g = (ts__gen_t *)r;
    (void)err;
    if (ts__gen_done(g))
        return 0;
    ts__gen_emit(g, ts_rng_below(g->rng_key, g->p.keys), req);
    return 1;
}

static int uniform_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    ts__gen_rewind((ts__gen_t *)r);
    return 0;
}

const ts_reader_ops_t ts_reader_gen_uniform = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_GENERATOR,
             .name = "uniform",
             .summary = "every one of N keys equally likely",
             .flags = TS_READER_GENERATOR,
             .params = k_uniform_params,
             .params_count = TS_PARAM_COUNT(k_uniform_params),
             .params_size = sizeof(uniform_params_t)},
    .open = uniform_open,
    .next = uniform_next,
    .reset = uniform_reset,
    .close = uniform_close,
    .info = ts__gen_info,
};
