/* SPDX-License-Identifier: MIT */
/*
 * lfuda.c - LFU with Dynamic Aging (LFU-DA).
 *
 * Each object has a count freq and a priority K; the cache has an inflation L (0 at start).
 * Decision rule:
 *   on hit:    freq += 1; K = L + freq
 *   on insert: freq = 1; K = L + 1
 *   on evict:  the smallest K leaves (ties: the least recently accessed); L = its K
 * Aging: L rises with every eviction, so objects that were popular long ago but are no
 * longer requested fall below new ones and leave, which plain LFU never lets happen.
 * This is the paper's rule with cost 1 (its C_i = 1 for a hit-ratio goal). libCacheSim's
 * LFUDA adds L (its current minimum frequency) to the count on each hit instead of setting
 * K = L + freq, so the two differ (see docs/policies.md).
 * Structure and cost: the Greedy-Dual base (gd_internal.h), a 4-ary heap with lazy keys:
 * O(1) expected per hit, O(log n) per insert and (amortised) evict. Memory: a 48-byte node
 * and a 24-byte heap entry per object.
 * Paper: Arlitt, Cherkasova, Dilley, Friedrich, Jin, "Evaluating content management
 * techniques for Web proxy caches", ACM SIGMETRICS Performance Evaluation Review 27(4),
 * 2000.
 */
#include "../sim/policy.h"

#include "gd_internal.h"

extern const ts_policy_ops_t ts_policy_lfuda;

static int lfuda_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                        ts_err_t *err)
{
    (void)params;
    return ts__gd_create(&ts_policy_lfuda, false, init, out, err);
}

const ts_policy_ops_t ts_policy_lfuda = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "lfuda",
             .summary = "LFU with dynamic aging: priority L + frequency, L the last victim's "
                        "priority; ties to the least recently used"},
    .create = lfuda_create,
    .destroy = ts__gd_destroy,
    .lookup = ts__gd_lookup,
    .insert = ts__gd_insert,
    .evict = ts__gd_evict,
    .remove = ts__gd_remove,
    .mem_bytes = ts__gd_mem_bytes,
    .prefetch = ts__gd_prefetch,
    .check = ts__gd_check,
};
