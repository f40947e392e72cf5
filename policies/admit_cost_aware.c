/* SPDX-License-Identifier: MIT */
/*
 * admit_cost_aware.c - keep a KV-cache block only where loading it back beats recomputing it.
 *
 * A KV block that no tier holds is recomputed by prefill: block_tokens / prefill_rate
 * seconds of GPU time. Held in this tier, it is loaded back instead: load_latency +
 * size / load_rate. Decision rule, for a request flagged TS_REQ_KV:
 *     admit(r) = block_tokens / prefill_rate >= speedup x (load_latency + size / load_rate)
 * so with speedup 1 a block enters only a tier that gives it back at least as fast as the
 * GPU would recompute it; a larger speedup demands a margin. Anything else (weights, a
 * memory store, any object not flagged KV) cannot be recomputed and is always admitted.
 * The load figures are those of an idle tier: queueing under load is left to the timed
 * engine. Because the rule reads the request's flags, demotions into the tier carry the
 * flags of the object's last demand request (TS_ADMIT_REQ_META).
 * The scenario fills the zero parameters (sim/config.c): load_rate and load_latency from
 * the tier's device and the links up to the top tier, prefill_rate and block_tokens from
 * `timed` (where `prefill_rate: auto` derives the rate from the model and the GPU).
 * Cost: O(1), two divisions; no state besides the thresholds.
 */
#include "../sim/admit.h"

#include "../sim/util/mem.h"

extern const ts_admit_ops_t ts_admit_cost_aware;

typedef struct cost_aware {
    ts_admit_t base;
    ts_admit_cost_aware_params_t p;
} cost_aware_t;

#define CA_P(f) offsetof(ts_admit_cost_aware_params_t, f)

static const ts_param_spec_t k_cost_aware_params[] = {
    {"load_rate", TS_PT_RATE, CA_P(load_rate), 0, 0, 1.8e19, "0",
     "bytes/s a block is loaded back from the tier at (0: its device and links)", NULL},
    {"load_latency", TS_PT_DURATION, CA_P(load_latency_ns), 0, 0, 8.64e15, "0",
     "time to first byte of a load from the tier (0: its device and links)", NULL},
    {"prefill_rate", TS_PT_DOUBLE, CA_P(prefill_rate), 0, 0, 1e12, "0",
     "tokens/s the GPU recomputes a block at (0: timed.prefill_rate)", NULL},
    {"block_tokens", TS_PT_COUNT, CA_P(block_tokens), 0, 0, 1e9, "0",
     "tokens per KV block (0: timed.block_tokens)", NULL},
    {"speedup", TS_PT_DOUBLE, CA_P(speedup), 0, 0, 1e6, "1",
     "admit when recompute time >= speedup x load time", NULL},
};

static int cost_aware_create(const void *params, ts_admit_t **out, ts_err_t *err)
{
    const ts_admit_cost_aware_params_t *p = params;
    *out = NULL;
    if (!p->load_rate || !(p->prefill_rate > 0) || !p->block_tokens)
        return ts_err_set(err, TS_EINVAL,
                          "cost_aware needs load_rate, prefill_rate and block_tokens (give them, "
                          "or a device for the tier and timed.prefill_rate)");
    cost_aware_t *c = ts_calloc(1, sizeof(*c));
    if (!c)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate admission filter cost_aware");
    c->base.ops = &ts_admit_cost_aware;
    c->p = *p;
    *out = &c->base;
    return 0;
}

static void cost_aware_destroy(ts_admit_t *a)
{
    ts_free(a);
}

static bool cost_aware_admit(ts_admit_t *a, const ts_req_t *r)
{
    if (!(r->flags & TS_REQ_KV))
        return true;
    const ts_admit_cost_aware_params_t *p = &((const cost_aware_t *)a)->p;
    double recompute_s = (double)p->block_tokens / p->prefill_rate;
    double load_s = (double)p->load_latency_ns * 1e-9 + (double)r->size_bytes / (double)p->load_rate;
    return recompute_s >= p->speedup * load_s;
}

static size_t cost_aware_mem_bytes(const ts_admit_t *a)
{
    (void)a;
    return sizeof(cost_aware_t);
}

const ts_admit_ops_t ts_admit_cost_aware = {
    .abi = TS_ADMIT_ABI,
    .name = "cost_aware",
    .summary = "admit a KV block only if loading it back is faster than recomputing it",
    .flags = TS_ADMIT_REQ_META,
    .params = k_cost_aware_params,
    .params_count = TS_PARAM_COUNT(k_cost_aware_params),
    .params_size = sizeof(ts_admit_cost_aware_params_t),
    .create = cost_aware_create,
    .destroy = cost_aware_destroy,
    .admit = cost_aware_admit,
    .mem_bytes = cost_aware_mem_bytes,
};
