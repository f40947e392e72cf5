/* SPDX-License-Identifier: MIT */
/*
 * gdsf.c - Greedy-Dual-Size-Frequency.
 *
 * Each object has a count freq, a size s (its charge: its bytes in bytes mode, 1 in
 * objects mode) and a priority H; the cache has an inflation L (0 at start); cost is 1.
 * Decision rule:
 *   on hit:    freq += 1; H = L + freq * cost / s
 *   on insert: freq = 1; H = L + cost / s
 *   on evict:  the smallest H leaves (ties: the least recently accessed); L = its H
 * Small, frequently requested objects stay; L ages out objects no longer requested. With
 * one size for every object (objects mode) this is LFUDA's rule.
 * libCacheSim's GDSF scales cost / s by 10^6 and breaks ties the same way; in objects mode
 * its priorities are exactly 10^6 times these, so the two agree.
 * Structure and cost: the Greedy-Dual base (gd_internal.h), a 4-ary heap with lazy keys:
 * O(1) expected per hit, O(log n) per insert and (amortised) evict. Memory: a 48-byte node
 * and a 24-byte heap entry per object.
 * Paper: Cherkasova, "Improving WWW proxies performance with Greedy-Dual-Size-Frequency
 * caching policy", HP Labs HPL-98-69R1, 1998.
 */
#include "../sim/policy.h"

#include "gd_internal.h"

extern const ts_policy_ops_t ts_policy_gdsf;

static int gdsf_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                       ts_err_t *err)
{
    (void)params;
    return ts__gd_create(&ts_policy_gdsf, true, init, out, err);
}

const ts_policy_ops_t ts_policy_gdsf = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "gdsf",
             .summary = "Greedy-Dual-Size-Frequency: priority L + frequency / size, L the last "
                        "victim's priority"},
    .create = gdsf_create,
    .destroy = ts__gd_destroy,
    .lookup = ts__gd_lookup,
    .insert = ts__gd_insert,
    .evict = ts__gd_evict,
    .remove = ts__gd_remove,
    .mem_bytes = ts__gd_mem_bytes,
    .prefetch = ts__gd_prefetch,
    .check = ts__gd_check,
};
