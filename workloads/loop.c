/* SPDX-License-Identifier: MIT */
/*
 * loop.c - a cyclic scan: ranks 0, 1, ..., N-1, 0, 1, ... (request i has rank i mod N).
 *
 * The classic worst case for LRU: with a cache smaller than N every request misses.
 * `scramble` defaults to false here, so the keys are the ranks themselves (0..N-1); with
 * scramble on, the same cycle runs over N scrambled keys. No random draw is made for the
 * keys (only for ops and Poisson arrivals). Cost O(1) per request, memory O(1).
 */
#include "../sim/util/mem.h"
#include "gen_internal.h"

typedef struct loop_params {
    ts__gen_common_t c; /* requests, keys, sizes, arrivals, put_ratio, scramble */
} loop_params_t;

static const ts_param_spec_t k_loop_params[] = {
    TS__GEN_COMMON_PARAMS(loop_params_t, c, "1M", "false"),
};

typedef struct loop_gen {
    ts__gen_t g;   /* must be first */
    uint64_t rank; /* rank of the next request */
} loop_gen_t;

extern const ts_reader_ops_t ts_reader_gen_loop;

static void loop_close(ts_reader_t *r)
{
    loop_gen_t *lg = (loop_gen_t *)r;
    if (!lg)
        return;
    ts__gen_fini(&lg->g);
    ts_free(lg);
}

static int loop_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                     ts_err_t *err)
{
    const loop_params_t *p = params;
    *out = NULL;
    loop_gen_t *lg = ts_calloc(1, sizeof(*lg));
    if (!lg)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the loop generator");
    int rc = ts__gen_init(&lg->g, &ts_reader_gen_loop, &p->c, ctx, err);
    if (rc) {
        loop_close(&lg->g.base);
        return rc;
    }
    *out = &lg->g.base;
    return 0;
}

static int loop_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    loop_gen_t *lg = (loop_gen_t *)r;
    (void)err;
    if (ts__gen_done(&lg->g))
        return 0;
    ts__gen_emit(&lg->g, lg->rank, req);
    if (++lg->rank == lg->g.p.keys)
        lg->rank = 0;
    return 1;
}

static int loop_reset(ts_reader_t *r, ts_err_t *err)
{
    loop_gen_t *lg = (loop_gen_t *)r;
    (void)err;
    ts__gen_rewind(&lg->g);
    lg->rank = 0;
    return 0;
}

const ts_reader_ops_t ts_reader_gen_loop = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_GENERATOR,
             .name = "loop",
             .summary = "cyclic scan over N keys: 0, 1, ..., N-1, 0, ...",
             .flags = TS_READER_GENERATOR,
             .params = k_loop_params,
             .params_count = TS_PARAM_COUNT(k_loop_params),
             .params_size = sizeof(loop_params_t)},
    .open = loop_open,
    .next = loop_next,
    .reset = loop_reset,
    .close = loop_close,
    .info = ts__gen_info,
};
