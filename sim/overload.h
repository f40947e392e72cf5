/* SPDX-License-Identifier: MIT */
/*
 * overload.h - the figures of a timed run's resources at its end (utilisation of channels
 * or of shared bandwidth), and open-loop overload detection.
 *
 * In an open loop whose offered load exceeds a resource's capacity, its backlog grows
 * without bound and latency figures depend on the run's length. The detector keeps
 * checkpoints of every resource's counters on simulated time: at most TS_OVERLOAD_POINTS,
 * every other one dropped and the spacing doubled when full, so memory is fixed whatever
 * the run's length, and the checkpoints stay spread over it. When the arrivals end at T
 * (ts_overload_end), each resource is judged over the window from the last checkpoint at
 * or before 3T/4 to T:
 *   utilisation  bandwidth: bytes moved / (B x W); channels: busy channel-time / (c x W);
 *                the larger is the bottleneck, and sets the unit of the two next figures
 *   offered      bytes (read-equivalent, per-request cost included) or stages arrived / W
 *   capacity     B, or c / the mean time the stages ended in the window held a channel
 *                (of all ended so far when the window has fewer than 16)
 *   overloaded   utilisation >= TS_OVERLOAD_UTIL, the stages present (waiting or served)
 *                grew by at least TS_OVERLOAD_GROWTH of the window's arrivals (and by one
 *                or more), and the resource is saturated at T
 *   backlog since  when the saturation still going on at T began (sim/resource.h)
 * Cost: O(resources) per checkpoint, O(1) per arrival otherwise; memory O(resources x
 * TS_OVERLOAD_POINTS). See docs/timed-model.md, "Overload".
 */
#ifndef TS_SIM_OVERLOAD_H
#define TS_SIM_OVERLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "resource.h"
#include "util/err.h"

#define TS_OVERLOAD_POINTS 64   /* checkpoints kept at most */
#define TS_OVERLOAD_UTIL 0.95   /* a window utilisation at least this is saturated */
#define TS_OVERLOAD_GROWTH 0.05 /* backlog growth, as a share of the window's arrivals */

typedef struct ts_overload ts_overload_t;

/* A detector for every resource of rs (kept until destroy; it must outlive the detector),
 * with a first checkpoint at the queue's clock. Returns 0 or TS_ENOMEM (*out NULL). */
int ts_overload_create(const ts_res_sys_t *rs, ts_overload_t **out, ts_err_t *err);

/* Accepts NULL. */
void ts_overload_destroy(ts_overload_t *o);

/* Takes a checkpoint when one is due at now (the queue's clock); o may be NULL. */
void ts_overload_sample(ts_overload_t *o, uint64_t now);

/* The arrivals ended (or were cut) at now: takes the last checkpoint, once; o may be NULL. */
void ts_overload_end(ts_overload_t *o, uint64_t now);

/* When the arrivals ended (0: not yet, or o NULL). */
uint64_t ts_overload_end_ns(const ts_overload_t *o);

/* Fills rr's counters, utilisation and load figures for resource id of rs over span ns
 * (name, role, level and channels are the caller's). is_bw: its utilisation is of its
 * shared bandwidth; cost_bytes: bytes each stage moves that are work, not data (subtracted
 * from rr->bytes). The overload figures come from o (NULL, or not ended: all 0). */
void ts_overload_fill(const ts_overload_t *o, const ts_res_sys_t *rs, uint32_t id,
                      uint64_t span, bool is_bw, uint64_t cost_bytes, ts_res_result_t *rr);

#endif
