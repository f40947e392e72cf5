/* SPDX-License-Identifier: MIT */
/*
 * mrc.h - miss-ratio curves: the scenario's top tier under each of several policies at each
 * of several capacities, one fast-engine run per (policy, capacity) point.
 *
 * The scenario is loaded once to learn its top tier, mode and workload; one pass over the
 * workload measures its footprint and length; then every point loads the scenario again
 * (with `tiers.0.policy=P` added to the overrides when P is not the scenario's own policy,
 * whose parameters are kept otherwise), sets the top tier's capacity, switches to the fast
 * engine (the tier's device is not consulted, so capacities beyond it are allowed) and runs
 * it with the footprint already known. Points run side by side under OpenMP, one
 * simulation per thread, each opening its own workload reader; each point is deterministic
 * and lands in its own slot, so the curve is the same whatever the thread count.
 * Cost: one footprint pass plus one run per point; memory: one run per thread.
 *
 * Methods (ts_mrc_method_t): replay is the above. exact builds the whole LRU curve in one
 * pass of stack distances (sim/stackdist.h), shards the same over a spatial sample of the
 * keys, mini runs each policy at each capacity times R over a sample at rate R
 * (Waldspurger et al., "Cache Modeling and Optimization using Miniature Simulations",
 * USENIX ATC'17), side by side. The one-pass and sampled methods model the top tier alone:
 * they need a scenario of one tier with no admission filter and no prefetcher; exact and
 * shards need LRU. auto (the default) is exact for LRU where it can be, and replay
 * otherwise; it falls back to replay where exact finds what it cannot follow (m->note says
 * so). Bytes mode: exact replays the capacities below the largest object (see
 * sim/stackdist.h).
 */
#ifndef TS_APP_MRC_H
#define TS_APP_MRC_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/util/err.h"
#include "../sim/progress.h"
#include "../sim/result.h"
#include "par.h"
#include "scenario.h"

#define TS_MRC_MAX_POINTS 1000 /* capacities per curve */
/* The default capacities: a 1-2-5 series of shares of the footprint. */
#define TS_MRC_DEFAULT_SIZES "0.1%,0.2%,0.5%,1%,2%,5%,10%,20%,50%,100%"

typedef enum ts_mrc_method {
    TS_MRC_AUTO = 0,   /* exact for LRU where it can be, replay otherwise */
    TS_MRC_EXACT = 1,  /* Mattson's stack distances, one pass (LRU) */
    TS_MRC_SHARDS = 2, /* SHARDS-sampled stack distances, one pass (LRU) */
    TS_MRC_MINI = 3,   /* miniature simulations over a sample (any policy) */
    TS_MRC_REPLAY = 4, /* one fast run per point (any policy) */
    TS_MRC_METHOD_COUNT_
} ts_mrc_method_t;

#define TS_MRC_DEFAULT_RATE 0.01 /* sampling rate of shards and mini */

/* "auto", "exact", "shards", "mini", "replay"; "?" otherwise. */
const char *ts_mrc_method_name(ts_mrc_method_t m);

/* The method named s. Returns 0, or TS_ENOENT naming the methods. */
int ts_mrc_method_parse(const char *s, ts_mrc_method_t *out, ts_err_t *err);

typedef struct ts_mrc_spec {
    const char *path;                 /* scenario file; NULL: yaml */
    const char *yaml;                 /* scenario text when path is NULL; NULL: the built-in */
    const char *const *overrides;     /* "key.path=value", applied before anything here */
    size_t n_overrides;
    const char *const *policies;      /* names; n_policies 0: the scenario's top-tier policy */
    size_t n_policies;
    const char *sizes;                /* "1%,2%,10k" (shares of the footprint, or capacities
                                       * in the scenario's units: objects, or bytes such as
                                       * 4GiB); NULL: n_points, else TS_MRC_DEFAULT_SIZES */
    size_t n_points;                  /* with no sizes: this many shares, evenly spaced on a
                                       * log scale from 0.1% to 100% (2 to TS_MRC_MAX_POINTS) */
    int threads;                      /* OpenMP threads; 0: OpenMP's default (ts_par_cap) */
    const ts_par_note_t *threads_note; /* told when fewer threads run than asked; NULL */
    ts_mrc_method_t method;           /* TS_MRC_AUTO: exact for LRU, else replay */
    double rate;                      /* shards and mini: sampling rate in (0, 1]; 0:
                                       * TS_MRC_DEFAULT_RATE (fixed-size shards: the start) */
    uint64_t max_keys;                /* shards: keep at most this many sampled keys
                                       * (fixed-size SHARDS); 0: fixed rate */
    const ts_progress_hook_t *progress; /* requests replayed over all points, of points x
                                       * the workload's length; called from any thread,
                                       * never from two at once; NULL: none */
} ts_mrc_spec_t;

/* Runs the curves. Returns 0 with *out set (free it with ts_mrc_destroy), or an error with
 * *out NULL: the scenario's (file, key, override), TS_ENOENT for an unknown policy and
 * TS_EINVAL for a repeated one (where "policies"), TS_EPARSE / TS_ERANGE for a size (where
 * "sizes"), TS_EUNSUPPORTED for a method that cannot serve a policy or the scenario, or,
 * with exact asked, a trace it cannot follow (where "method"), TS_ERANGE for a rate or
 * max_keys out of range, TS_ENOMEM, or the first failing point's, prefixed with its policy
 * and capacity. */
int ts_mrc_run(const ts_mrc_spec_t *spec, ts_mrc_t **out, ts_err_t *err);

#endif
