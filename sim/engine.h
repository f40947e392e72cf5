/* SPDX-License-Identifier: MIT */
/*
 * engine.h - engines replay a reader through a tier hierarchy.
 *
 * The fast engine is a functional replay with no clock: it hands each request to
 * ts_hier_access (sim/hier.h holds every placement, promotion, demotion, admission, write
 * and prefetch rule) without a move list, so the hierarchy only counts. It reads requests
 * ahead and hints the top tier's index and nodes into the CPU cache, which changes no count.
 * Cost per request: the hierarchy's (one lookup per tier walked plus the placements); no
 * allocation on hits.
 */
#ifndef TS_SIM_ENGINE_H
#define TS_SIM_ENGINE_H

#include <stddef.h>

#include "util/err.h"
#include "hier.h"
#include "progress.h"
#include "reader.h"
#include "result.h"
#include "series.h"
#include "tier.h"

/* Replays r to its end through h (then calls ts_hier_finish); counters land in h and its
 * tiers. progress (NULL: none) is called every TS_PROGRESS_EVERY requests read. Returns 0,
 * the reader's error (err names the record) or the hierarchy's error (err->where names the
 * request). */
int ts_engine_fast_hier(ts_hier_t *h, ts_reader_t *r, const ts_progress_hook_t *progress,
                        ts_err_t *err);

/* The same, sampling s (when not NULL; begun and finished here) on the requests' times:
 * intervals of trace time from the first request, or of request count (series.h). The last
 * interval is a whole one on the time axis. Also TS_ENOMEM (the series' table). */
int ts_engine_fast_series(ts_hier_t *h, ts_reader_t *r, ts_series_t *s,
                          const ts_progress_hook_t *progress, ts_err_t *err);

/* Replays r to its end through tiers[0..n-1] under the default hierarchy (non_inclusive:
 * misses fill every tier, hits promote to the top, evictions drop, puts write through;
 * deletes remove from every tier), adding the totals to *tot (which the caller zeroes).
 * Returns 0, TS_ENOMEM, the reader's error or a tier's error. */
int ts_engine_fast(ts_tier_t *const *tiers, size_t n, ts_reader_t *r, ts_totals_t *tot,
                   ts_err_t *err);

#endif
