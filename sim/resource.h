/* SPDX-License-Identifier: MIT */
/*
 * resource.h - devices and links of the timed engine: channels with a FCFS waiting line,
 * and bandwidth shared by the transfers in flight; jobs are chains of stages over them.
 *
 * A resource has `channels` servers (0: unlimited) and a bandwidth B bytes/s (0: infinite)
 * shared equally by its active transfers (processor sharing), each optionally capped at
 * max_rate bytes/s. A stage on a resource: wait for a free channel (FCFS), hold it for
 * fixed_ns (per-request overhead + latency), then move `bytes` through the shared
 * bandwidth; the channel is freed when the last byte is through. A job is a chain of up to
 * TS_RES_MAX_STAGES stages, each starting when the previous ends; when the last ends the
 * owner's done callback runs at the finish time (from the event loop, never inside submit).
 * Sharing uses virtual time: all active transfers of a resource progress at the same rate
 * min(max_rate, B/n), so V(t), the service each has received since the resource was last
 * idle, orders their finishes by V_start + size: a heap keyed by that finish gives the next
 * completion. V is a 128-bit integer in 1/720720 nano-bytes, so shares B/n are exact for
 * every n <= 16; finish times are rounded up to the next ns. Costs: O(log n) per transfer
 * start and end, O(1) per channel hand-off; jobs come from a pool, so nothing allocates in
 * steady state. See docs/timed-model.md for the model, its limits and its theory checks.
 */
#ifndef TS_SIM_RESOURCE_H
#define TS_SIM_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "des.h"
#include "util/err.h"
#include "hist.h"

#define TS_RES_MAX_STAGES 8u                       /* stages in one job */
#define TS_RES_DELAY UINT32_MAX                    /* stage resource: a pure delay of fixed_ns */
#define TS_RES_MAX_BYTES (UINT64_C(1) << 50)       /* largest transfer in one stage (1 PiB) */
#define TS_RES_MAX_IN_FLIGHT (TS_DES_ID_MAX + 1u)  /* jobs in flight at once (16 Mi) */

typedef struct ts_res_spec {
    const char *name;              /* for messages and reports; copied (first 31 bytes) */
    uint32_t channels;             /* requests served at once; 0 = unlimited, never queues */
    uint64_t bw_bytes_per_s;       /* bandwidth shared by active transfers; 0 = infinite */
    uint64_t max_rate_bytes_per_s; /* cap on one transfer's rate; 0 = none */
    ts_hist_t *wait_hist;          /* optional: records every wait for a channel (ns, 0 for
                                      none); borrowed, must outlive the set */
} ts_res_spec_t;

typedef struct ts_res_stage {
    uint32_t res;      /* resource id from ts_res_add, or TS_RES_DELAY */
    uint64_t fixed_ns; /* time holding a channel before the bytes flow */
    uint64_t bytes;    /* bytes moved through the resource's shared bandwidth */
} ts_res_stage_t;

/* Totals of one resource up to the queue's clock. Areas are integrals over time (ns) of a
 * count, so area / elapsed is its time average (utilisation = busy_area / (channels * T)). */
typedef struct ts_res_stats {
    uint64_t n_arrivals;     /* stages that reached the resource */
    uint64_t n_started;      /* stages that got a channel */
    uint64_t n_done;         /* stages that ended */
    uint64_t n_queued;       /* stages that had to wait for a channel */
    uint64_t bytes;          /* bytes of ended stages */
    uint64_t wait_max_ns;    /* longest wait for a channel */
    double wait_sum_ns;      /* sum of waits for a channel (started stages) */
    double sojourn_sum_ns;   /* sum of arrival-to-end times (ended stages) */
    double service_sum_ns;   /* sum of times holding a channel (ended stages) */
    double busy_area;        /* channel-ns held (channels in service integrated over time) */
    double queue_area;       /* stage-ns spent waiting (waiting-line length integrated) */
    double system_area;      /* stage-ns present (waiting or in service) */
    double transfer_area;    /* transfer-ns (active transfers integrated over time) */
    uint64_t bw_busy_ns;     /* time with at least one active transfer */
    double moved_bytes;      /* bytes moved through the bandwidth, transfers under way
                                included (its integral of the transfers' total rate) */
    uint64_t bytes_arrived;  /* bytes of the stages that reached the resource */
    uint64_t backlog_since_ns; /* with is_backlogged: when the saturation going on now
                                  began (a request waiting for a channel, or the whole
                                  bandwidth in use, with no break longer than 0 ns) */
    bool is_backlogged;      /* saturated now */
    uint32_t channels;       /* the resource's channels (0: unlimited) */
    uint64_t bw_bytes_per_s; /* its shared bandwidth (0: infinite) */
    uint32_t in_service;     /* stages holding a channel now */
    uint32_t waiting;        /* stages waiting now */
    uint32_t transfers;      /* active transfers now */
} ts_res_stats_t;

/* Called when job `cookie`, submitted at start_ns, has finished; the clock is the finish
 * time. Returns 0 or a negative TS_E* code, which stops ts_des_run. May submit jobs. */
typedef int (*ts_res_done_fn)(void *ctx, uint64_t cookie, uint64_t start_ns, ts_err_t *err);

typedef struct ts_res_sys ts_res_sys_t;

/* A set of resources driven by the event queue q (kept until destroy; it must outlive the
 * set); registers two event kinds on q. done(ctx, ...) is called for every finished job.
 * Returns 0, TS_ENOMEM or TS_ENOSPC (q has no kinds left); *out is NULL on failure. */
int ts_res_sys_create(ts_des_t *q, ts_res_done_fn done, void *ctx, ts_res_sys_t **out,
                      ts_err_t *err);
/* Accepts NULL. Jobs still in flight are dropped without callbacks. */
void ts_res_sys_destroy(ts_res_sys_t *s);

/* Adds a resource, idle at the current time; its id (0, 1, ...) goes to *id.
 * Returns 0, TS_EINVAL (a cap above the bandwidth) or TS_ENOMEM. */
int ts_res_add(ts_res_sys_t *s, const ts_res_spec_t *spec, uint32_t *id, ts_err_t *err);

/* Starts a job of n stages (1..TS_RES_MAX_STAGES, copied) at the current time.
 * Returns 0, TS_EINVAL (bad stage count, unknown resource), TS_ERANGE (a stage above
 * TS_RES_MAX_BYTES), TS_ENOSPC (TS_RES_MAX_IN_FLIGHT jobs already in flight) or TS_ENOMEM.
 * Nothing is started when it fails. */
int ts_res_submit(ts_res_sys_t *s, const ts_res_stage_t *stages, uint32_t n, uint64_t cookie,
                  ts_err_t *err);

/* Resources added so far, and jobs submitted but not yet finished. */
uint32_t ts_res_count(const ts_res_sys_t *s);
uint32_t ts_res_in_flight(const ts_res_sys_t *s);

/* The resource's name ("" for a bad id). */
const char *ts_res_name(const ts_res_sys_t *s, uint32_t id);

/* Totals of resource id up to the queue's clock (all zero for a bad id). */
void ts_res_stats(const ts_res_sys_t *s, uint32_t id, ts_res_stats_t *out);

/* The same, integrated up to `at` (the queue's clock when earlier), as if no event came
 * between the clock and at: what they will be then unless something changes first. */
void ts_res_stats_at(const ts_res_sys_t *s, uint32_t id, uint64_t at, ts_res_stats_t *out);

#endif
