/* SPDX-License-Identifier: MIT */
/*
 * tier.h - one cache tier: a policy instance plus the capacity accounting and counters.
 *
 * The tier owns the request loop that policies must not: lookup, then admit (an object
 * whose charge exceeds the whole capacity is refused and counted as too large), then evict
 * until the object fits, then insert. Capacity is in charge units: objects (each object
 * charges 1) or bytes. Invariant: used <= capacity after every call.
 * Cost: the policy's cost per operation; no allocation on hits.
 */
#ifndef TS_SIM_TIER_H
#define TS_SIM_TIER_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "metrics.h"
#include "util/err.h"
#include "req.h"

typedef struct ts_tier {
    /* read-only */
    char name[64];           /* from the scenario */
    ts_policy_t *policy;     /* owned */
    uint64_t capacity;       /* charge units */
    bool count_objects;      /* objects mode */
    uint64_t used;           /* charge units held now */
    uint64_t n_objects;      /* objects held now */
    ts_tier_stats_t st;      /* counters */
} ts_tier_t;

/* Receives each object a fill evicts (for demotion by later engines); may be NULL. */
typedef void (*ts_tier_evict_fn)(void *ctx, const ts_tier_t *t, const ts_victim_t *v);

/* Creates a tier named name whose policy is ops with params (a filled params struct,
 * copied by the policy). init->capacity and init->count_objects give the accounting.
 * Returns 0, TS_ENOMEM or the policy's error. */
int ts_tier_create(const char *name, const ts_policy_ops_t *ops, const void *params,
                   const ts_policy_init_t *init, ts_tier_t **out, ts_err_t *err);
void ts_tier_destroy(ts_tier_t *t); /* accepts NULL */

/* The charge of an object of size bytes in this tier. */
static inline uint64_t ts_tier_charge(const ts_tier_t *t, uint64_t size_bytes)
{
    return t->count_objects ? 1 : size_bytes;
}

/* Hints that key will be looked up soon (stage 0 far ahead, 1 near); changes nothing. */
static inline void ts_tier_prefetch(const ts_tier_t *t, uint64_t key, int stage)
{
    if (t->policy->ops->prefetch)
        t->policy->ops->prefetch(t->policy, key, stage);
}

/* Looks r->key up and counts the request (by op), the hit or the miss. A hit touches the
 * object (recency/frequency). Returns true on a hit. */
bool ts_tier_lookup(ts_tier_t *t, const ts_req_t *r);

/* Counts n get requests of bytes bytes, hits of them hits of hit_bytes, as n calls of
 * ts_tier_lookup would (for a replay loop that calls the policy's lookup itself and adds
 * its counts in bulk, before anything reads them). */
void ts_tier_count_gets(ts_tier_t *t, uint64_t n, uint64_t bytes, uint64_t hits,
                        uint64_t hit_bytes);

/* Makes room and inserts r (absent from the tier): refuses it when it is larger than the
 * capacity (counted in n_too_large; returns 0 and *inserted = false); otherwise evicts
 * until it fits, passing each victim to on_evict. Returns 0 or an error from the policy
 * (TS_ENOMEM, or TS_EINTERNAL if the policy runs empty while the tier is still full). */
int ts_tier_fill(ts_tier_t *t, const ts_req_t *r, ts_tier_evict_fn on_evict, void *ctx,
                 bool *inserted, ts_err_t *err);

/* Removes key when present (a delete); counted in n_removed. Returns true when it was
 * present. */
bool ts_tier_remove(ts_tier_t *t, uint64_t key);

/* Removes key when present without counting it as a delete (the hierarchy moves the object
 * or invalidates the copy and counts why); bytes_out counts it. Fills *out (key, size as
 * inserted; may be NULL). Returns true when it was present. */
bool ts_tier_take(ts_tier_t *t, uint64_t key, ts_victim_t *out);

/* True when key is cached here; counts nothing and touches nothing (recency unchanged). */
static inline bool ts_tier_holds(const ts_tier_t *t, uint64_t key)
{
    ts_req_t q = {.key = key, .next_access = TS_REQ_NEVER};
    return t->policy->ops->lookup(t->policy, &q, false);
}

#endif
