/* SPDX-License-Identifier: MIT */
/*
 * admit.h - the admission-filter seam (one filter per tier) and its registry.
 *
 * An admission filter decides whether an object may enter a tier at all, before the tier
 * makes room for it; the eviction policy then decides what leaves. The hierarchy (sim/hier.c)
 * asks `admit` before every insertion into the tier (a fill after a miss, a promotion, a
 * demotion, a prefetch) and tells the filter about every demand lookup that missed in the
 * tier through `on_miss`, after the request has been placed (so a filter never sees the
 * current miss when it judges the current request). A refused object is not counted as an
 * insertion; what happens to it next is the hierarchy's rule (sim/hier.h).
 * The filters are deterministic and draw nothing at random. A filter flagged TS_ADMIT_ALL
 * admits everything: the hierarchy creates no instance of it.
 *
 * Contract of the ops (all required unless marked optional):
 *   create    builds an instance from a filled params struct (copied).
 *   destroy   frees it; accepts NULL.
 *   admit     true when r's object may enter the tier now. Never allocates.
 *   on_miss   (optional) a demand lookup of r->key missed in this tier.
 *   mem_bytes heap bytes held by the instance.
 *   resolve   (optional) fills what the scenario left open in a filled params struct from
 *             the tier's context (its device, the links above it, the timed engine's figures),
 *             once the whole scenario is known and before create. Returns 0, or TS_EPARSE
 *             saying what is missing (the caller adds the tier's key path).
 * Registry: ts_admits (policies/registry.h) lists the filters, sorted by name.
 */
#ifndef TS_SIM_ADMIT_H
#define TS_SIM_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "device.h"
#include "param.h"
#include "registry.h"
#include "req.h"

enum ts_admit_flag {
    TS_ADMIT_REQ_META = 1u << 0, /* judges by request flags (TS_REQ_KV): objects demoted into
                                  * the tier carry those of their last demand request */
    TS_ADMIT_ALL = 1u << 1,      /* admits everything (the default): no instance is made */
};

typedef struct ts_admit ts_admit_t;

/* What a filter's resolve may know of its tier (borrowed for the call). */
typedef struct ts_admit_ctx {
    const ts_device_t *device;     /* the tier's device model; NULL when it has none */
    const ts_link_t *const *links; /* the links a load from the tier crosses up to the top
                                    * tier, the tier's own first (tiers without one skipped) */
    size_t n_links;
    double prefill_rate;   /* tokens/s of recompute (timed.prefill_rate); 0: unknown */
    double prefill_attn_s; /* attention's s per token^2 on top (`prefill_rate: auto`); 0: none */
    uint64_t block_tokens; /* tokens per KV block (timed.block_tokens); 0: unknown */
} ts_admit_ctx_t;

typedef struct ts_admit_ops {
    ts_plugin_t base; /* kind TS_PLUGIN_ADMIT; name "second_hit"; flags ts_admit_flag */
    int (*create)(const void *params, ts_admit_t **out, ts_err_t *err);
    void (*destroy)(ts_admit_t *a);
    bool (*admit)(ts_admit_t *a, const ts_req_t *r);
    void (*on_miss)(ts_admit_t *a, const ts_req_t *r); /* optional */
    size_t (*mem_bytes)(const ts_admit_t *a);
    int (*resolve)(void *params, const ts_admit_ctx_t *ctx, ts_err_t *err); /* optional */
} ts_admit_ops_t;

/* Base of every filter instance (first member of the implementation's struct). */
struct ts_admit {
    const ts_admit_ops_t *ops;
};

static inline void ts_admit_destroy(ts_admit_t *a)
{
    if (a)
        a->ops->destroy(a);
}

/* The ops table whose base is p (a filter entry, or NULL). */
static inline const ts_admit_ops_t *ts_admit_ops_of(const ts_plugin_t *p)
{
    return (const ts_admit_ops_t *)p;
}

#endif
