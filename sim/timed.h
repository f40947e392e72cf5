/* SPDX-License-Identifier: MIT */
/*
 * timed.h - the timed engine: a discrete-event replay of a reader through a tier hierarchy
 * whose levels are device models joined by links.
 *
 * Levels: tiers 0..n-1 (top first), then the backing store (level n). Each level has a
 * device (sim/device.h) and may have an uplink: the link it is reached over from the level
 * above it (tier 0's uplink joins it to the requester: a GPU reading host memory crosses
 * PCIe; a GPU reading its own HBM crosses nothing). Devices and each direction of each link
 * are resources of the event core (sim/resource.h): channels with a FCFS waiting line, then
 * bandwidth shared by the transfers in flight. How a device's figures become its resource
 * and each request's stage on it is the device's behaviour (sim/devmodel.h), resolved once
 * per level: ps (shared bandwidth, the default) or fixed (one request per channel).
 *
 * Requests are issued either open-loop, at their trace time (minus the first request's)
 * times time_scale, or closed-loop, by `clients` clients that each issue a request (or a
 * group), wait for it, then compute for `think` before the next; requests go to clients in
 * trace order. Or each client is a data loader that reads its batches ahead while it
 * computes (sim/timed_client.c).
 * Each request is handed to ts_hier_access, which decides what moves; every move becomes a
 * job, a chain of stages (a device read, the links crossed, a device write), store-and-
 * forward at object granularity:
 *   READ (a get's data to the requester): read at the serving level, then up every link to
 *     the requester. This is the request's critical path: its latency ends with it.
 *   WRITE (a put's data): the requester writes each level the hierarchy wrote, in parallel,
 *     each down the links from the requester; the put ends when the last write ends (under
 *     write-through, the backing store's).
 *   FILL, PROMOTE (copies a demand access leaves in upper tiers): the data travel up with
 *     the READ, so each costs only the write at its tier, started when the READ ends, off
 *     the critical path.
 *   DEMOTE, WRITEBACK, PREFETCH: full paths (read, links, write), started at issue.
 * Background jobs take resources from the foreground (queueing, shared bandwidth) but never
 * delay its completion directly; the eviction a fill needs is not waited for either.
 * Under ps, a write of S bytes on a device whose write bandwidth W is below its read
 * bandwidth R holds the device's shared bandwidth for S * R / W read-equivalent bytes (one
 * pipe per device); under fixed, each channel moves reads and writes at their own rates.
 * Cost per request: the hierarchy's, plus O(log events) per stage; memory: one record per
 * request in flight (open loop) or per client (closed loop), pooled.
 */
#ifndef TS_SIM_TIMED_H
#define TS_SIM_TIMED_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "metrics.h"
#include "util/err.h"
#include "hier.h"
#include "hist.h"
#include "param.h"
#include "progress.h"
#include "reader.h"
#include "resource.h"
#include "series.h"

/* The largest timed.max_in_flight: half the event core's TS_RES_MAX_IN_FLIGHT, so there is
 * room below it for the jobs one request starts (its moves) */
#define TS_TIMED_MAX_IN_FLIGHT (TS_RES_MAX_IN_FLIGHT / 2)

/* timed.batch: what a closed-loop client issues at once */
enum ts_timed_batch {
    TS_TIMED_BATCH_REQUEST = 0, /* one request */
    TS_TIMED_BATCH_GROUP = 1,   /* a whole group, then it waits for all of it */
    TS_TIMED_BATCH_LOADER = 2,  /* a data loader reading groups (batches) ahead */
};

/* How requests are issued: the scenario's `timed:` map (schema ts_timed_schema). */
typedef struct ts_timed_params {
    int arrivals;       /* ts_arrivals_t */
    double time_scale;  /* open loop: issue time = (trace time - first) * time_scale */
    uint64_t clients;   /* closed loop: clients (>= 1) */
    uint64_t think_ns;  /* closed loop: compute time between a client's requests */
    double prefill_rate;   /* tokens/s a GPU prefills (recomputes) at; 0: no recompute */
    int batch;             /* closed loop: 0 one request at a time, 1 a whole group, 2 a data
                            * loader reading groups (batches) ahead */
    uint64_t depth;        /* closed loop: groups: requests in flight per client (0: all);
                            * loader: its workers (0: 1) */
    uint64_t prefetch_factor; /* closed loop, loader: batches each worker reads ahead */
    uint64_t block_tokens; /* tokens per KV block request (TTFT, prefill tokens saved) */
    double mfu;            /* `prefill_rate: auto`: share of the GPU's BF16 peak prefill gets */
    uint64_t prefill_gpus; /* `prefill_rate: auto`: GPUs one prefill runs across (TP) */
    uint64_t max_in_flight; /* open loop: jobs in flight at most (TS_TIMED_MAX_IN_FLIGHT) */
    double prefill_attn_s; /* not a key: `auto` sets it, see ts_timed_config_t */
    double au_target;      /* not a key: the workload's AU pass threshold (0: none) */
} ts_timed_params_t;

/* The schema of ts_timed_params_t; *n receives its entry count. */
const ts_param_spec_t *ts_timed_schema(size_t *n);

typedef struct ts_timed_config {
    ts_arrivals_t arrivals;
    double time_scale;  /* open loop: issue time = (trace time - first) * time_scale */
    uint32_t clients;   /* closed loop: clients (>= 1) */
    uint64_t think_ns;  /* closed loop: compute time between a client's requests */
    double prefill_rate;   /* tokens/s of prefill for missed blocks (0: none) */
    double prefill_attn_s; /* attention's s per token^2: the block at tokens [l0, l1) of its
                            * group takes ts_gen_prefill_seconds(prefill_rate, this, l0, l1) */
    bool batch_groups;     /* closed loop: clients issue whole groups (TS_REQ_GROUP_END) */
    bool loader;           /* closed loop: each client is a data loader (below) */
    uint32_t depth;        /* with batch_groups: requests in flight per client (0: all);
                            * with loader: its workers (0: 1) */
    uint32_t prefetch_factor; /* with loader: batches each worker reads ahead (>= 1) */
    double au_target;      /* the workload's AU pass threshold, for the report (0: none) */
    uint64_t block_tokens; /* tokens per KV block request */
    uint32_t max_in_flight; /* open loop: when an arrival finds this many jobs in flight, no
                             * more are issued; the run ends when they have, partial
                             * (0: no cap but the event core's, TS_RES_MAX_IN_FLIGHT) */
    uint64_t seed;         /* of the service-time draws of devices that are not
                            * deterministic (ts_dev_service_factor) */
    ts_device_t dev[TS_TIMED_LEVELS];  /* tiers 0..n-1, then the backing store at [n] */
    bool has_link[TS_TIMED_LEVELS];    /* level i has an uplink */
    ts_link_t link[TS_TIMED_LEVELS];   /* level i's uplink (toward the requester) */
    ts_series_t *series; /* NULL: none; else sampled on the clock (borrowed, begun and
                          * finished by the engine; its engine columns are the
                          * resources' busy time, in the order of the result's res) */
    const ts_progress_hook_t *progress; /* called as requests are read; NULL: none */
} ts_timed_config_t;

/* Replays r to its end through h with the devices and links of cfg (levels 0..h->n; the
 * backing store's device is cfg->dev[h->n]), then calls ts_hier_finish (its write-backs
 * are timed too) and runs every job to its end. Fills *out (zeroed first, so release an
 * earlier result before reusing it); its latency summaries own their histogram buckets.
 * With cfg->series, samples it at every boundary of simulated time. In an open loop each
 * resource is judged for overload when the arrivals end (sim/overload.h), and an arrival
 * finding cfg->max_in_flight jobs in flight ends them: the rest of the run completes and
 * *out is marked partial with its stop_reason (still a return of 0). Returns 0; TS_EINVAL
 * for a configuration the engine cannot run (no clients, a path longer than the event
 * core's chains, a device without bandwidth, or without channels under a model that needs
 * them); TS_ENOENT for a device whose model is not a registered behaviour; TS_ENOMEM; the
 * reader's, hierarchy's or event core's error (err->where names the request). On failure
 * *out holds nothing to release. */
int ts_engine_timed(ts_hier_t *h, ts_reader_t *r, const ts_timed_config_t *cfg,
                    ts_timed_result_t *out, ts_err_t *err);

#endif
