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
 * The filters are deterministic and draw nothing at random.
 *
 * Contract of the ops (all required unless marked optional):
 *   create    builds an instance from a filled params struct (copied).
 *   destroy   frees it; accepts NULL.
 *   admit     true when r's object may enter the tier now. Never allocates.
 *   on_miss   (optional) a demand lookup of r->key missed in this tier.
 *   mem_bytes heap bytes held by the instance.
 * Registry: policies/admit_registry.c lists the filters, sorted by name.
 */
#ifndef TS_SIM_ADMIT_H
#define TS_SIM_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "param.h"
#include "req.h"

#define TS_ADMIT_ABI 1

enum ts_admit_flag {
    TS_ADMIT_REQ_META = 1u << 0, /* judges by request flags (TS_REQ_KV): objects demoted into
                                  * the tier carry those of their last demand request */
};

typedef struct ts_admit ts_admit_t;

typedef struct ts_admit_ops {
    uint32_t abi;                  /* TS_ADMIT_ABI */
    const char *name;              /* registry key: "always", "second_hit", "max_size" */
    const char *summary;           /* one line for `tiersim list admission` */
    uint32_t flags;                /* ts_admit_flag bits */
    const ts_param_spec_t *params; /* schema of the params struct (NULL if none) */
    size_t params_count;
    size_t params_size;
    int (*create)(const void *params, ts_admit_t **out, ts_err_t *err);
    void (*destroy)(ts_admit_t *a);
    bool (*admit)(ts_admit_t *a, const ts_req_t *r);
    void (*on_miss)(ts_admit_t *a, const ts_req_t *r); /* optional */
    size_t (*mem_bytes)(const ts_admit_t *a);
} ts_admit_ops_t;

/* The params of `cost_aware` (policies/admit_cost_aware.c), public because the scenario
 * fills the zero ones from the tier's device and links and from `timed`. */
typedef struct ts_admit_cost_aware_params {
    uint64_t load_rate;       /* bytes/s a block is loaded back at */
    uint64_t load_latency_ns; /* time to first byte of a load */
    double prefill_rate;      /* tokens/s of recompute */
    uint64_t block_tokens;    /* tokens per KV block */
    double speedup;           /* admit when recompute >= speedup x load */
} ts_admit_cost_aware_params_t;

/* Base of every filter instance (first member of the implementation's struct). */
struct ts_admit {
    const ts_admit_ops_t *ops;
};

static inline void ts_admit_destroy(ts_admit_t *a)
{
    if (a)
        a->ops->destroy(a);
}

/* ---- registry (policies/admit_registry.c) ---- */

size_t ts_admit_count(void);
const ts_admit_ops_t *ts_admit_at(size_t i); /* sorted by name; NULL past the end */

/* The filter named name, or NULL with err saying "unknown admission 'x' (did you mean
 * 'y'?)" or listing the valid names. */
const ts_admit_ops_t *ts_admit_find(const char *name, ts_err_t *err);

/* Checks every entry (ABI, name, methods, schema) and that names are sorted and unique.
 * Returns 0 or TS_EINVAL. */
int ts_admit_registry_check(ts_err_t *err);

/* Creates an instance of ops with default params overridden by n name=value pairs.
 * Returns 0, TS_ENOMEM or a parameter error. */
int ts_admit_create_kv(const ts_admit_ops_t *ops, const char *const *names,
                       const char *const *values, size_t n, ts_admit_t **out, ts_err_t *err);

#endif
