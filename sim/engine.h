/* SPDX-License-Identifier: MIT */
/*
 * engine.h - engines replay a reader through an ordered list of tiers.
 *
 * The fast engine is a functional replay with no clock. For each request, top tier first:
 *   get:    look the key up tier by tier until one hits (or none: the backing store
 *           serves it); every tier above the hit (or all of them) is filled with the
 *           object, bottom-most first (inclusive hierarchy, promote to the top).
 *   put:    the same walk (write-allocate into every tier above the first holder); copies
 *           are updated in place and keep the size they were inserted with (a trace whose
 *           object sizes change should delete before the put); the write goes through to
 *           the backing store (counted in backing requests and bytes).
 *   delete: removes the key from every tier; not a lookup (no hit or miss is counted).
 * Objects evicted from a tier are dropped (demotion arrives with the hierarchy engine).
 * Cost per request: one lookup per tier walked plus the fills; no allocation on hits.
 */
#ifndef TS_SIM_ENGINE_H
#define TS_SIM_ENGINE_H

#include <stddef.h>

#include "err.h"
#include "reader.h"
#include "result.h"
#include "tier.h"

/* Replays r to its end through tiers[0..n-1], adding to *tot (which the caller zeroes).
 * Returns 0, the reader's error (err names the record) or a tier's error. */
int ts_engine_fast(ts_tier_t *const *tiers, size_t n, ts_reader_t *r, ts_totals_t *tot,
                   ts_err_t *err);

#endif
