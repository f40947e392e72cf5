/* SPDX-License-Identifier: MIT */
/*
 * policy.h - the eviction policy seam and the policy registry.
 *
 * A policy instance manages the contents of one tier: which keys are cached and which one
 * to evict. It knows nothing of devices, time or capacity accounting: sim/tier.c owns the
 * request loop (lookup, admit, evict until the object fits, insert) and the used/capacity
 * counters. A policy only tracks the charge of each object (1 in objects mode, its size in
 * bytes mode; see ts_policy_charge) where its own decisions depend on it (S3-FIFO's small
 * queue, ARC's target size).
 *
 * Every policy is a plug-in (sim/registry.h): its ops table starts with a ts_plugin_t (kind
 * TS_PLUGIN_POLICY, name, summary, ts_policy_flag bits, parameter schema) and is listed in
 * ts_policies (policies/registry.h).
 *
 * Contract of the ops (all required unless marked optional):
 *   create   builds an empty instance for `init->capacity` charge units; params is a
 *            filled params struct which the policy copies.
 *   destroy  frees it; accepts NULL.
 *   lookup   true when r->key is cached; with touch, records the access (a hit).
 *            Never allocates.
 *   insert   adds r->key (absent, and the tier has made room). May allocate.
 *   evict    chooses a victim, unlinks it, reports its key and size; TS_ENOENT when empty.
 *            r is the request that needs the room (ARC reads it).
 *   replace  (optional) in objects mode with the tier full: evict(p, r, out) then
 *            insert(p, r) in one step, with exactly their outcome (the victim in out).
 *            TS_ENOENT when empty, TS_EUNSUPPORTED when it cannot in one step (nothing changed:
 *            the tier evicts and inserts); never allocates.
 *   remove   drops key if present and reports it in out (may be NULL); false if absent.
 *   mem_bytes heap bytes held by the instance (for the memory-per-object benchmark).
 *   prefetch (optional) a hint that key will be looked up soon: stage 0 well ahead, stage 1
 *            closer. It may issue CPU cache prefetches (ts_ktab_prefetch, then
 *            ts_ktab_prefetch_node) and must change nothing: results never depend on it.
 *   check    (optional) verifies the instance's invariants (index count = list or heap
 *            count, per-list charges, bounds) and that it caches n_objects objects of charge
 *            units in all, as the tier counts them (ghost keys excluded). Without full it
 *            compares counters only, O(1); with full it walks every structure, O(n). Changes
 *            nothing and never allocates. Returns 0, or TS_EINTERNAL with err naming the first
 *            broken invariant. Debug builds call it after every tier operation, with full
 *            when expensive checks are on (sim/util/check.h, docs/invariants.md).
 */
#ifndef TS_SIM_POLICY_H
#define TS_SIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "param.h"
#include "registry.h"
#include "req.h"

enum ts_policy_flag {
    TS_POLICY_NEEDS_FUTURE = 1u << 0, /* reads ts_req_t.next_access: the engine runs a pre-pass */
    TS_POLICY_HINTS = 1u << 1, /* reads stream and idle_ns hints: objects demoted into it
                                * carry those of their last demand request */
    TS_POLICY_LRU_STACK = 1u << 2, /* decides exactly as LRU: one pass of stack distances
                                    * gives its misses at every capacity (mrc's exact) */
};

typedef struct ts_policy ts_policy_t;

typedef struct ts_policy_init {
    uint64_t capacity;  /* in charge units: objects, or bytes */
    bool count_objects; /* objects mode: every object charges 1 */
    uint64_t seed;      /* for randomised policies; derived from the scenario seed */
} ts_policy_init_t;

typedef struct ts_victim {
    uint64_t key;        /* evicted or removed key */
    uint64_t size_bytes; /* its size in bytes as inserted */
} ts_victim_t;

typedef struct ts_policy_ops {
    ts_plugin_t base; /* kind TS_PLUGIN_POLICY; name "lru"; flags ts_policy_flag */
    int (*create)(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                  ts_err_t *err);
    void (*destroy)(ts_policy_t *p);
    bool (*lookup)(ts_policy_t *p, const ts_req_t *r, bool touch);
    int (*insert)(ts_policy_t *p, const ts_req_t *r, ts_err_t *err);
    int (*evict)(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out);
    bool (*remove)(ts_policy_t *p, uint64_t key, ts_victim_t *out);
    size_t (*mem_bytes)(const ts_policy_t *p);
    int (*replace)(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out); /* optional */
    void (*prefetch)(const ts_policy_t *p, uint64_t key, int stage); /* optional */
    int (*check)(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                 ts_err_t *err); /* optional */
} ts_policy_ops_t;

/* Base of every policy instance (first member of the implementation's struct). */
struct ts_policy {
    const ts_policy_ops_t *ops; /* the implementation */
    uint64_t capacity;          /* charge units, as created */
    bool count_objects;         /* objects mode */
};

/* The charge of an object of size bytes: 1 in objects mode, else its size. */
static inline uint64_t ts_policy_charge(const ts_policy_t *p, uint64_t size_bytes)
{
    return p->count_objects ? 1 : size_bytes;
}

/* Fills the base fields; every create calls it first. */
static inline void ts_policy_base_init(ts_policy_t *p, const ts_policy_ops_t *ops,
                                       const ts_policy_init_t *init)
{
    p->ops = ops;
    p->capacity = init->capacity;
    p->count_objects = init->count_objects;
}

static inline void ts_policy_destroy(ts_policy_t *p)
{
    if (p)
        p->ops->destroy(p);
}

/* The ops table whose base is p (a policy entry, or NULL). */
static inline const ts_policy_ops_t *ts_policy_ops_of(const ts_plugin_t *p)
{
    return (const ts_policy_ops_t *)p;
}

#endif
