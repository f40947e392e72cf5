/* SPDX-License-Identifier: MIT */
/*
 * future.h - the next-access pre-pass for offline policies (Belady's OPT).
 *
 * A policy flagged TS_POLICY_NEEDS_FUTURE reads ts_req_t.next_access: the 0-based index,
 * in the trace, of the next request to the same key. A run reads its workload twice
 * through ts_future_reader (8 bytes per request in between, never the requests); tools
 * holding a trace in memory annotate it with ts_future_annotate.
 */
#ifndef TS_SIM_FUTURE_H
#define TS_SIM_FUTURE_H

#include <stddef.h>

#include "util/err.h"
#include "reader.h"
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

/* Opens a reader that replays src with every request's next_access filled in, reading src
 * twice rather than holding it. The first pass keeps each request's key (8 bytes per
 * request); one backward walk with the map above (32 to 64 bytes per distinct key, freed
 * before the replay) turns each key, in place, into the request's next access; src is then
 * reset and the replay reads it again, so what stays is 8 bytes per request.
 * limit_bytes bounds that memory (the array, and the map while it lives); 0 means the
 * memory the system reports available (ts_mem_available_bytes; no bound when it says
 * nothing). When src knows its length and 8 bytes each already exceed the bound, it is
 * refused before reading; else as soon as the array or the map would outgrow it.
 * Returns 0, TS_ENOMEM (the bound: "needs at least X ... but Y ... is available", in bytes
 * with units; or an allocation failed), TS_ERANGE (too many requests to index) or src's
 * error. src is borrowed: it must outlive the reader, which never closes it; the reader's
 * reset rewinds src. A replay that ends with other requests than the first pass read
 * (count or keys, checked by a digest) fails with TS_EINTERNAL. Close with
 * ts_reader_close. */
int ts_future_reader(ts_reader_t *src, uint64_t limit_bytes, ts_reader_t **out, ts_err_t *err);

#endif
