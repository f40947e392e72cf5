/* SPDX-License-Identifier: MIT */
/*
 * mrc_internal.h - the one-pass and sampled methods of `tiersim mrc` (app/mrc_method.c),
 * shared with the replay driver (app/mrc.c) only.
 */
#ifndef TS_APP_MRC_INTERNAL_H
#define TS_APP_MRC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../sim/util/err.h"
#include "../sim/result.h"
#include "../sim/stackdist.h"
#include "par.h"
#include "scenario.h"

/* 0 when the one-pass and sampled methods model sc's top tier exactly as the fast engine
 * runs it (one tier, no admission filter, no prefetcher); else TS_EUNSUPPORTED with a
 * message naming `method`. */
int ts__mrc_lone_tier(const ts_scenario_t *sc, const char *method, ts_err_t *err);

/* Whether policy ops is LRU, the stack algorithm exact and shards serve. */
bool ts__mrc_is_lru(const ts_policy_ops_t *ops);

/* The SHARDS threshold of a sampling rate in (0, 1]: rate x 2^24, rounded, at least 1. */
uint32_t ts__mrc_threshold(double rate);

/* Fills policy p's points from one pass of LRU stack distances over sc's workload: exact
 * with threshold TS_STACKDIST_P and max_keys 0, SHARDS otherwise. Exact in bytes mode sets
 * replay[s] for the capacities below the largest object (the caller replays them), whose
 * size goes to *largest. Counts one workload's requests on progress. Returns 0, the reader's error, TS_ENOMEM, or (exact)
 * TS_EUNSUPPORTED naming the request it cannot follow. */
int ts__mrc_stack(const ts_scenario_t *sc, ts_mrc_t *m, size_t p, uint32_t threshold,
                  uint64_t max_keys, bool *replay, uint64_t *largest,
                  ts_par_progress_t *progress, ts_err_t *err);

/* Exact LRU in objects mode with the capacities still unknown: one pass keeps a histogram
 * of every stack distance in *out (free with ts_stackdist_destroy, also after an error)
 * and sets m's footprint and request count from it, so no footprint pass is needed.
 * Returns what ts__mrc_stack returns. */
int ts__mrc_dense(const ts_scenario_t *sc, ts_mrc_t *m, ts_stackdist_t **out,
                  ts_par_progress_t *progress, ts_err_t *err);

/* Policy p's points (method exact) from that histogram at m's capacities. Returns 0 or
 * TS_ENOMEM. */
int ts__mrc_dense_points(const ts_stackdist_t *s, ts_mrc_t *m, size_t p, ts_err_t *err);

/* Fills the points of the policies with is_mini[p] by miniature simulations: one pass
 * samples the keys at `rate` into memory, then each (policy, capacity) runs the policy at
 * capacity x rate over the sample, side by side on `threads` threads. Counts one workload's
 * requests on progress. Returns 0, the reader's error, TS_ENOMEM, or the first failing
 * point's error, prefixed with its policy and capacity. */
int ts__mrc_mini(const ts_scenario_t *sc, ts_mrc_t *m, const bool *is_mini, double rate,
                 int threads, ts_par_progress_t *progress, ts_err_t *err);

#endif
