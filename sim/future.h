/* SPDX-License-Identifier: MIT */
/*
 * future.h - the next-access pre-pass for offline policies (Belady's OPT).
 *
 * A policy flagged TS_POLICY_NEEDS_FUTURE reads ts_req_t.next_access: the 0-based index,
 * in the same request array, of the next request to the same key. The engine runs this
 * pass over an in-memory trace before the replay.
 */
#ifndef TS_SIM_FUTURE_H
#define TS_SIM_FUTURE_H

#include <stddef.h>

#include "util/err.h"
#include "req.h"

/* Sets reqs[i].next_access, for every i < n, to the smallest j > i with
 * reqs[j].key == reqs[i].key, or TS_REQ_NEVER when there is none. Every op counts as an
 * access. One backward pass with a hash map from key to the last index seen: O(n)
 * expected time, memory 32 to 64 bytes per distinct key, freed before returning.
 * Returns 0, TS_ENOMEM (reqs partly annotated) or TS_ERANGE when n does not fit the index
 * type. reqs may be NULL when n is 0. */
int ts_future_annotate(ts_req_t *reqs, size_t n, ts_err_t *err);

/* The same pass one request at a time, for traces that do not fit in memory (a trace
 * writer walking its file backwards). Memory: 32 to 64 bytes per distinct key. */
typedef struct ts_future_slot {
    uint64_t key;  /* request key */
    uint64_t next; /* index + 1 of the latest request to key seen so far; 0: empty slot */
} ts_future_slot_t;

typedef struct ts_future {
    ts_future_slot_t *slot; /* private: 2^k slots, at most half full */
    uint64_t mask;          /* private: slots - 1 */
    uint64_t n;             /* read-only: distinct keys seen */
} ts_future_t;

/* An empty map sized for about n_hint requests. Returns 0 or TS_ENOMEM. */
int ts_future_init(ts_future_t *f, uint64_t n_hint, ts_err_t *err);
/* Request i (visited in decreasing order of i) is to key: *next receives the index of the
 * next request to key already visited, or TS_REQ_NEVER. Returns 0 or TS_ENOMEM (the map is
 * then unchanged and may be freed). */
int ts_future_step(ts_future_t *f, uint64_t key, uint64_t i, uint64_t *next, ts_err_t *err);
void ts_future_free(ts_future_t *f); /* accepts a freed or failed map */

#endif
