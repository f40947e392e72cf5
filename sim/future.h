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

#include "err.h"
#include "req.h"

/* Sets reqs[i].next_access, for every i < n, to the smallest j > i with
 * reqs[j].key == reqs[i].key, or TS_REQ_NEVER when there is none. Every op counts as an
 * access. One backward pass with a hash map from key to the last index seen: O(n)
 * expected time, memory 32 to 64 bytes per distinct key, freed before returning.
 * Returns 0, TS_ENOMEM (reqs partly annotated) or TS_ERANGE when n does not fit the index
 * type. reqs may be NULL when n is 0. */
int ts_future_annotate(ts_req_t *reqs, size_t n, ts_err_t *err);

#endif
