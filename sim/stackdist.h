/* SPDX-License-Identifier: MIT */
/*
 * stackdist.h - LRU stack distances in one pass (Mattson et al., "Evaluation techniques for
 * storage hierarchies", IBM Systems Journal 9(2), 1970), exact or sampled by SHARDS
 * (Waldspurger, Park, Garthwaite, Ahmad, "Efficient MRC Construction with SHARDS", FAST'15),
 * counted straight into the hits at a list of capacities: the LRU miss-ratio curve of every
 * capacity from one replay.
 *
 * The rule (objects mode: every weight is 1; bytes mode: an object weighs its size). A
 * re-access of key k, of weight w, whose distance d is the total weight of the distinct
 * other keys requested since k's previous request, hits at capacity C iff d + w <= C.
 * This is exactly the fast engine's one-tier LRU (evict from the tail until the new object
 * fits, never insert an object larger than the tier) at every capacity C when
 *   - no key changes size (the tier keeps an object at the size it was inserted with, which
 *     then depends on C); a size change is refused (TS_EUNSUPPORTED) unless sampled;
 *   - no key is deleted while it is on the stack (a delete leaves free room at the
 *     capacities that held it only); refused the same way unless sampled;
 *   - C is at least the largest object (below it the tier passes a larger object by, which
 *     the stack does not; LRU in bytes mode is then not even a stack algorithm: a, a 20-byte
 *     b, a hits at 10 bytes, misses at 20 and hits at 21). ts_stackdist_largest tells the
 *     caller which capacities to replay instead.
 * Proof sketch: with those conditions the tier always holds the longest prefix of the
 * recency stack whose total weight is at most C (true when empty; a hit reorders the prefix;
 * a miss puts k on top and evicts from the bottom of the prefix until it fits).
 *
 * Structure: a Fenwick tree over access times holds each key's weight at the time of its
 * last access, so d = (total weight) - (prefix sum up to that time); a key table (ts_ktab)
 * maps key -> entry (time, weight). Times are renumbered when the tree is full, so it spans
 * at most about twice the live keys. Cost: O(log M) per request (M keys on the stack), one
 * binary search over the capacities per re-access; memory about 40 bytes per key. Exact
 * in objects mode can instead keep a histogram of every distance (16 bytes per key more),
 * so the capacities may be chosen after the pass, from the footprint it measured.
 *
 * SHARDS: a key is sampled iff (splitmix64(key) >> 40) < T of P = 2^24 (rate R = T/P); a
 * sampled distance is scaled by 1/R. Fixed-size SHARDS keeps at most max_keys keys: past
 * that it lowers T to the largest sampled hash, drops the keys at or above it, and rescales
 * the counts so far by the ratio of the rates. At the end the first bucket (hits at every
 * capacity) is adjusted by the expected minus the actual sampled references (SHARDS_adj,
 * section 4.3 of the paper), so the counts sum to the requests times R.
 */
#ifndef TS_SIM_STACKDIST_H
#define TS_SIM_STACKDIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/rng.h"
#include "req.h"

#define TS_STACKDIST_P (1u << 24) /* SHARDS modulus: a threshold of P samples every key */

typedef struct ts_stackdist ts_stackdist_t;

typedef struct ts_stackdist_config {
    bool count_bytes;          /* bytes mode: weights are sizes; objects mode: 1 */
    uint32_t threshold;        /* sample keys whose hash < threshold; P: every key (exact) */
    uint64_t max_keys;         /* fixed-size SHARDS: keys kept at most (0: fixed rate) */
    const uint64_t *capacity;  /* ascending, distinct capacities (charge units); copied */
    size_t n_capacity;         /* 1 or more; 0 (exact objects mode only): a histogram of
                                * every distance, folded later by ts_stackdist_fold */
    uint64_t expected_keys;    /* sizes the key table (0: small, it grows) */
} ts_stackdist_config_t;

/* What the stack found, per capacity, scaled to the whole trace (exact: the counts). */
typedef struct ts_stackdist_point {
    double hits;       /* requests (gets and puts) that hit */
    double bytes_hit;  /* their bytes */
} ts_stackdist_point_t;

/* Creates a stack for cfg. Exact (threshold P, max_keys 0) is strict: ts_stackdist_access
 * refuses what the rule above cannot match. Returns 0, TS_EINVAL (a threshold of 0 or above
 * P, no capacity, capacities not ascending) or TS_ENOMEM. */
int ts_stackdist_create(const ts_stackdist_config_t *cfg, ts_stackdist_t **out, ts_err_t *err);
void ts_stackdist_destroy(ts_stackdist_t *s); /* accepts NULL */

/* One request: a get or a put is an access (a miss inserts it); a delete takes the key off
 * the stack. Returns 0, TS_ENOMEM, or (exact only) TS_EUNSUPPORTED for a delete of a key on
 * the stack or a key whose size changed in bytes mode, with a message naming the key. */
int ts_stackdist_access(ts_stackdist_t *s, const ts_req_t *r, ts_err_t *err);

/* The hits at each capacity (out: n_capacity entries), the bias correction applied. */
void ts_stackdist_points(const ts_stackdist_t *s, ts_stackdist_point_t *out);

/* A histogram stack (n_capacity 0): the hits at each of n_capacity ascending capacities
 * (any, chosen after the pass). */
void ts_stackdist_fold(const ts_stackdist_t *s, const uint64_t *capacity, size_t n_capacity,
                       ts_stackdist_point_t *out);

/* Keys ever sampled onto the stack, and their bytes at their first request (exact: the
 * workload's footprint as ts_footprint counts it). */
void ts_stackdist_footprint(const ts_stackdist_t *s, uint64_t *objects, uint64_t *bytes);

/* Requests (gets and puts) and their bytes seen, sampled or not. */
uint64_t ts_stackdist_requests(const ts_stackdist_t *s);
uint64_t ts_stackdist_bytes(const ts_stackdist_t *s);

/* The largest object accessed (bytes); capacities below it are not exact in bytes mode. */
uint64_t ts_stackdist_largest(const ts_stackdist_t *s);

/* The sampling rate at the end (1 when exact; fixed-size SHARDS lowers it). */
double ts_stackdist_rate(const ts_stackdist_t *s);

/* The sample hash of a key (0 .. P - 1): SHARDS' and the miniature simulations' filter. */
static inline uint32_t ts_stackdist_hash(uint64_t key)
{
    return (uint32_t)(ts_mix64(key) >> 40);
}

#endif
