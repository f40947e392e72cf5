/* SPDX-License-Identifier: MIT */
/*
 * admit_cost_aware.c - keep a KV-cache block only where loading it back beats recomputing it.
 *
 * A KV block that no tier holds is recomputed by prefill: with c = context tokens before it
 * and n = block_tokens, ts_gen_prefill_seconds(prefill_rate, attn_s, c, c + n) =
 * n / prefill_rate + attn_s x ((c + n)^2 - c^2) seconds of GPU time (attn_s, attention's
 * growth with context, comes with `prefill_rate: auto`; 0 otherwise). Held in this tier, it
 * is loaded back instead: load_latency + size / load_rate. Rule, for a request flagged
 * TS_REQ_KV:
 *     admit(r) = recompute time >= speedup x (load_latency + size / load_rate)
 * so with speedup 1 a block enters only a tier that gives it back at least as fast as the
 * GPU would recompute it; a larger speedup demands a margin. Anything else (weights, a
 * memory store, any object not flagged KV) cannot be recomputed and is always admitted.
 * The load figures are those of an idle tier: queueing under load is left to the timed
 * engine. Because the rule reads the request's flags, demotions into the tier carry the
 * flags of the object's last demand request (TS_ADMIT_REQ_META).
 * resolve fills the zero parameters from the tier's context once the scenario is known:
 *     load_latency = device read latency + overhead + the latency of every link up to the top
 *     load_rate    = min(device read rate, its per-request cap, every such link's rate)
 * and prefill_rate, attn_s and block_tokens from `timed` (where `prefill_rate: auto` derives
 * them from the model and the GPU).
 * Cost: O(1), two divisions; no state besides the thresholds.
 */
#include "../sim/admit.h"

#include "../sim/models.h"
#include "../sim/util/mem.h"

extern const ts_admit_ops_t ts_admit_cost_aware;

typedef struct cost_aware_params {
    uint64_t load_rate;       /* bytes/s a block is loaded back at */
    uint64_t load_latency_ns; /* time to first byte of a load */
    double prefill_rate;      /* tokens/s of recompute */
    uint64_t block_tokens;    /* tokens per KV block */
    double speedup;           /* admit when recompute >= speedup x load */
    uint64_t context;         /* tokens before the block in its prompt */
    double attn_s;            /* attention's s per token^2 (from `timed`, not a key) */
} cost_aware_params_t;

typedef struct cost_aware {
    ts_admit_t base;
    cost_aware_params_t p;
} cost_aware_t;

#define CA_P(f) offsetof(cost_aware_params_t, f)

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
    {"context", TS_PT_COUNT, CA_P(context), 0, 0, 1e12, "0",
     "tokens before a block in its prompt: its attention, so its recompute time, grows with them",
     NULL},
};

/* The zero figures from the tier's device and links and from `timed`; the messages name
 * what the scenario lacks. */
static int cost_aware_resolve(void *params, const ts_admit_ctx_t *ctx, ts_err_t *err)
{
    cost_aware_params_t *p = params;
    if ((!p->load_rate || !p->load_latency_ns) && !ctx->device)
        return ts_err_set(err, TS_EPARSE,
                          "cost_aware needs the tier's device (or load_rate and load_latency) to "
                          "know how fast a block loads back");
    if (ctx->device) {
        const ts_device_t *d = ctx->device;
        uint64_t rate = d->read_bytes_per_s, lat = d->read_latency_ns + d->overhead_ns;
        if (d->channel_bytes_per_s && d->channel_bytes_per_s < rate)
            rate = d->channel_bytes_per_s;
        for (size_t i = 0; i < ctx->n_links; i++) {
            const ts_link_t *l = ctx->links[i];
            lat += l->latency_ns;
            if (l->bytes_per_s && l->bytes_per_s < rate)
                rate = l->bytes_per_s;
        }
        if (!p->load_rate)
            p->load_rate = rate;
        if (!p->load_latency_ns)
            p->load_latency_ns = lat;
    }
    if (!(p->prefill_rate > 0)) { /* a rate of its own is a constant one */
        p->prefill_rate = ctx->prefill_rate;
        p->attn_s = ctx->prefill_attn_s;
    }
    if (!p->block_tokens)
        p->block_tokens = ctx->block_tokens;
    if (!(p->prefill_rate > 0) || !p->block_tokens)
        return ts_err_set(err, TS_EPARSE,
                          "cost_aware needs a prefill rate and a block size: set "
                          "timed.prefill_rate (a number or auto) and timed.block_tokens, or the "
                          "filter's prefill_rate and block_tokens");
    return 0;
}

static int cost_aware_create(const void *params, ts_admit_t **out, ts_err_t *err)
{
    const cost_aware_params_t *p = params;
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
    const cost_aware_params_t *p = &((const cost_aware_t *)a)->p;
    uint64_t c = p->context;
    double recompute_s = ts_gen_prefill_seconds(p->prefill_rate, p->attn_s, c, c + p->block_tokens);
    double load_s = (double)p->load_latency_ns * 1e-9 + (double)r->size_bytes / (double)p->load_rate;
    return recompute_s >= p->speedup * load_s;
}

static size_t cost_aware_mem_bytes(const ts_admit_t *a)
{
    (void)a;
    return sizeof(cost_aware_t);
}

const ts_admit_ops_t ts_admit_cost_aware = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_ADMIT,
             .name = "cost_aware",
             .summary = "admit a KV block only if loading it back is faster than recomputing it",
             .flags = TS_ADMIT_REQ_META,
             .params = k_cost_aware_params,
             .params_count = TS_PARAM_COUNT(k_cost_aware_params),
             .params_size = sizeof(cost_aware_params_t)},
    .create = cost_aware_create,
    .destroy = cost_aware_destroy,
    .admit = cost_aware_admit,
    .mem_bytes = cost_aware_mem_bytes,
    .resolve = cost_aware_resolve,
};
