/* SPDX-License-Identifier: MIT */
/*
 * loader.h - data-parallel training ranks with a PyTorch-style data loader, as DLIO (the
 * engine of MLPerf Storage) runs them, for any engine that can issue requests and keep time.
 *
 * The trace's requests go to client (rank) stream mod clients; a client's groups
 * (TS_REQ_GROUP_END) are its batches, numbered 0, 1, ... in its order, and each run of its
 * TS_REQ_CHECKPOINT requests is a checkpoint step between two batches. `workers` workers W
 * read batches: worker w reads batches w, w + W, w + 2W, ... one sample at a time (one read
 * in flight per worker), and may start batch b once b < consumed + W x prefetch_factor (the
 * loader's outstanding batches: PyTorch hands a worker the next batch index each time the
 * training loop takes one). The training loop takes batches in order: it waits until batch b
 * has arrived whole, computes for think_ns (which opens the next batch's window), and takes
 * b + 1; a checkpoint step between them is issued by the loop itself (at most W requests in
 * flight) and waited for, while the workers go on reading ahead.
 * Accelerator utilisation is measured as DLIO measures it: the first step of each client is
 * left out (its compute, and the time up to its end: the loader's start), so AU = sum of
 * computes after the first / sum of (end of last compute - end of first compute). A compute
 * counts as long as it took: think_ns on a simulated clock; on the wall clock the wait,
 * which ends when the engine notices it (as DLIO times its own sleep).
 *
 * The engine gives the loader three callbacks: pull (the next trace request), issue (start a
 * request now; it may complete inside, calling ts_loader_done, or refuse for lack of room)
 * and compute (the client computes until a given time; the engine calls ts_loader_computed
 * then). The timed engine keeps simulated time (sim/timed_client.c), the live engine the
 * wall clock (sim/engine_live.c).
 * Memory: a client holds the requests of its loader's batches pulled but not yet issued; a
 * client that pulls a request of another stream keeps it for that stream's client, so the
 * ranks' skew bounds it (TS_LOADER_MAX_BUFFERED).
 */
#ifndef TS_SIM_LOADER_H
#define TS_SIM_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "req.h"
#include "util/err.h"

#define TS_LOADER_SYNC (UINT32_MAX - 1) /* the worker of a client's own (checkpoint) I/O */
#define TS_LOADER_BUSY 1                /* issue: no room now; the engine calls ts_loader_kick */
#define TS_LOADER_MAX_WORKERS 4096u     /* each step walks a client's workers */
#define TS_LOADER_MAX_BUFFERED (1u << 24)

typedef struct ts_loader_ops {
    /* The next request of the trace into *r; *got false at its end. */
    int (*pull)(void *ctx, ts_req_t *r, bool *got, ts_err_t *err);
    /* Issues r now for client and worker (TS_LOADER_SYNC: the training loop's own I/O).
     * Returns 0, TS_LOADER_BUSY (nothing issued: no room), or an error. A request that
     * completes at once calls ts_loader_done before issue returns. */
    int (*issue)(void *ctx, const ts_req_t *r, uint32_t client, uint32_t worker, ts_err_t *err);
    /* Client computes from now until end_ns: the engine calls ts_loader_computed then. */
    int (*compute)(void *ctx, uint32_t client, uint64_t end_ns, ts_err_t *err);
} ts_loader_ops_t;

typedef struct ts_loader_config {
    uint32_t clients;         /* ranks (>= 1) */
    uint32_t workers;         /* read threads per rank (0: 1) */
    uint32_t prefetch_factor; /* batches each worker reads ahead (>= 1) */
    uint64_t think_ns;        /* compute time per batch */
} ts_loader_config_t;

typedef struct ts_loader ts_loader_t;

/* Figures of a run: compute and stall summed over clients, and DLIO's AU (0 when no client
 * computed twice: the utilisation compute / (compute + stall) stands in then). */
typedef struct ts_loader_totals {
    uint64_t compute_ns;
    uint64_t stall_ns;
    double au;
    bool has_au;
} ts_loader_totals_t;

int ts_loader_create(const ts_loader_config_t *cfg, const ts_loader_ops_t *ops, void *ctx,
                     ts_loader_t **out, ts_err_t *err);
void ts_loader_free(ts_loader_t *l);
uint32_t ts_loader_workers(const ts_loader_t *l);

/* Client starts at now: its loop waits for its first batch, its workers read. */
int ts_loader_start(ts_loader_t *l, uint32_t client, uint64_t now, ts_err_t *err);
/* A request of client issued by worker completed at now; the client moves on. */
int ts_loader_done(ts_loader_t *l, uint32_t client, uint32_t worker, uint64_t now,
                   ts_err_t *err);
/* As ts_loader_done, but only counts it: the engine calls ts_loader_kick later. */
void ts_loader_count_done(ts_loader_t *l, uint32_t client, uint32_t worker);
/* Client's compute ended at now: its loop waits for its next batch. */
int ts_loader_computed(ts_loader_t *l, uint32_t client, uint64_t now, ts_err_t *err);
/* Moves client on as far as it can (after a refusal, or counted completions). */
int ts_loader_kick(ts_loader_t *l, uint32_t client, uint64_t now, ts_err_t *err);
/* Every client has ended: the trace is read and everything issued was taken. */
bool ts_loader_finished(const ts_loader_t *l);
/* Requests pulled but not yet issued. */
uint64_t ts_loader_buffered(const ts_loader_t *l);
void ts_loader_totals(const ts_loader_t *l, ts_loader_totals_t *out);

#endif
