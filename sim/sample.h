/* SPDX-License-Identifier: MIT */
/*
 * sample.h - sampling while reading: a reader that passes on part of another reader's
 * requests, so a trace of a billion requests can be explored on a laptop.
 *
 * Spatial sampling (SHARDS: Waldspurger et al., "Efficient MRC construction with SHARDS",
 * FAST 2015): a request is kept when its key's hash, salted by the seed, falls below
 * rate x 2^64, so a kept key keeps every one of its requests and reuse is preserved; a
 * cache of C x rate objects over the sample then behaves like one of C over the whole trace.
 * Temporal sampling: only requests whose time, measured from the first request of the
 * trace, lies in [start, end). Both may be combined. A sample reports no workload units
 * (ts_reader_units_t): its requests are part of the work the generator counts, so the bill
 * gives no per-epoch, per-token or per-session figure. Cost: O(1) per request read;
 * constant memory.
 */
#ifndef TS_SIM_SAMPLE_H
#define TS_SIM_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "param.h"
#include "reader.h"

typedef struct ts_sample_spec {
    double rate;       /* share of keys kept, (0, 1]; 1 keeps every key */
    uint64_t start_ns; /* window start, from the first request's time */
    uint64_t end_ns;   /* window end (exclusive); 0: no end */
    uint64_t salt;     /* mixed into the key hash (e.g. from the scenario's seed) */
} ts_sample_spec_t;

/* The schema of a scenario's `workload.sample` map: rate, start, end. *n gets the count. */
const ts_param_spec_t *ts_sample_schema(size_t *n);

/* True when spec keeps everything (rate 1, no window): no wrapper is needed. */
bool ts_sample_is_all(const ts_sample_spec_t *spec);

/* Wraps inner, which it then owns (closed with the wrapper, also when this fails), in a
 * reader that returns only the sampled requests. Returns 0, TS_ERANGE (rate outside (0, 1],
 * end before start) or TS_ENOMEM. */
int ts_sample_open(ts_reader_t *inner, const ts_sample_spec_t *spec, ts_reader_t **out,
                   ts_err_t *err);

/* Wraps inner (owned, as above) in a reader that passes over up to max_bad malformed
 * records (TS_EFORMAT from inner, which has then moved past them) and fails on the next
 * one as inner would. Other errors pass through. Returns 0 or TS_ENOMEM. */
int ts_skipbad_open(ts_reader_t *inner, uint64_t max_bad, ts_reader_t **out, ts_err_t *err);

/* Records passed over so far by a reader from ts_skipbad_open, and the error of the first
 * (where and message; empty when none). */
uint64_t ts_skipbad_count(const ts_reader_t *r, const ts_err_t **first);

#endif
