/* SPDX-License-Identifier: MIT */
/*
 * live.h - the live engine: the same hierarchy as the fast and timed engines, every decision
 * carried out on real storage (sim/backend.h), and measured.
 *
 * Before the replay the engine reads the workload once and writes every object it names
 * into the backing store's back-end (each key at the largest size any request gives it), so
 * that every miss has real bytes to read; this is timed apart (populate_s). Then each request
 * is handed to ts_hier_access, which decides exactly what it decides in the other engines
 * (with FREE moves listed: ts_hier_list_frees), and its moves become a chain of back-end
 * requests run in order:
 *   a get first reads the object from the level that served it into the request's buffer
 *     (its latency ends there, as the timed engine's READ does);
 *   a put makes the object's new bytes in its buffer (no I/O);
 *   FILL, PROMOTE, WRITE and a DEMOTE of the request's own key write that buffer into
 *     their level (resized when a move carries other bytes than the buffer holds);
 *   DEMOTE, WRITEBACK and PREFETCH of other keys read the object from their source level
 *     and write it into their target;
 *   FREE frees the copy in its tier.
 * A put's latency ends with its chain. Chains of different requests run side by side (the
 * clients of a closed loop, the arrivals of an open loop, up to the back-ends' queue
 * depths), except that a request whose chain touches a copy another chain in flight writes
 * or frees (or reads, when it writes or frees it) waits, and the requests after it with it:
 * decisions are made in trace order and carried out in an order consistent with them.
 *
 * Objects: every object carries a 40-byte header (magic, key, size, version, and the xxh3
 * checksum of the bytes after it) followed by bytes drawn from a generator seeded by its key
 * and version (the populate writes version 0; the put of request i writes version i + 1).
 * The engine knows which version and size each copy must hold; with verify, every read is
 * checked against that, and a difference is an error naming the level, key and the first
 * byte offset that differs. Objects under 40 bytes have no header (verify compares them
 * with the bytes regenerated).
 *
 * Arrivals: open loop, each request issued at (trace time - first) * time_scale / speed
 * after the start (a request issued late is counted, and its latency runs from its due
 * time, so a system that falls behind shows it); or closed loop, `clients` clients each
 * issuing a batch (one request, or with batch_groups a whole group, `depth` at a time),
 * waiting for all of it, then computing for think_ns (a sleep: the engine waits on the
 * back-ends or the clock) before the next, as the timed engine's clients do; the stall is
 * the time a batch took, the compute the think times after each client's first batch.
 * Groups (TS_REQ_GROUP_END; live_group.c): a group's time to first token runs from the due
 * time of its first get to the end of its last get's foreground, plus the modelled prefill
 * of its missed KV blocks (missed x block_tokens / prefill_rate s, as the timed engine adds
 * it; nothing runs on a GPU). With a prefill rate a KV get only the backing store held is
 * not read: its bytes are made in its buffer (the prefill's result), it fills the tiers as
 * decided, and it is counted in kv_recomputed rather than timed, as in the timed engine.
 * A stop flag (set by a signal handler) or a back-end error (ENOSPC, EIO) ends the run after
 * the chains in flight have ended: the result is complete up to there and marked partial.
 * Memory: the key table (about 40 bytes a key and a copy) and two buffers of the largest
 * object per chain in flight.
 */
#ifndef TS_SIM_LIVE_H
#define TS_SIM_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "hier.h"
#include "metrics.h"
#include "progress.h"
#include "reader.h"
#include "util/err.h"

#define TS_LIVE_HEADER 40u /* bytes of an object's header */

/* A key of the workload and its largest size: what the backing store is populated with. */
typedef struct ts_live_object {
    uint64_t key, size;
} ts_live_object_t;

typedef struct ts_live_config {
    ts_arrivals_t arrivals;
    double time_scale;      /* open loop: as the timed engine's */
    double speed;           /* open loop: trace time is divided by it (2: twice as fast) */
    uint32_t clients;       /* closed loop: clients (>= 1) */
    uint64_t think_ns;      /* closed loop: compute time between a client's batches */
    bool batch_groups;      /* closed loop: a batch is a whole group (up to a request
                             * flagged TS_REQ_GROUP_END), else one request */
    uint32_t depth;         /* batch groups: requests of its batch a client keeps in flight
                             * (0: all); loader: its workers (0: 1) */
    bool loader;            /* closed loop: each client is a data loader (sim/loader.h)
                             * whose workers read batches ahead while it computes */
    uint32_t prefetch_factor; /* loader: batches each worker reads ahead (>= 1) */
    double au_target;       /* loader: the AU a run must reach (MLPerf Storage; 0: none) */
    bool verify;            /* check every read */
    double prefill_rate;    /* tokens/s of the modelled prefill of a missed KV block (TTFT;
                             * 0: none, and such a get is read from the backing store) */
    uint64_t block_tokens;  /* tokens per KV block request (TTFT, prefill tokens) */
    uint32_t max_chains;    /* chains in flight at most (0: clients x 2 closed, with a loader
                             * clients x 2 x workers; 64 open) */
    uint64_t buffer_budget; /* bytes the chains' buffers may take (0: 1 GiB) */
    ts_backend_t *be[TS_TIMED_LEVELS];  /* tiers 0..n-1, then the backing store [n]
                                         * (borrowed, opened by the caller) */
    const char *name[TS_TIMED_LEVELS];  /* each level's name, for messages */
    const char *desc[TS_TIMED_LEVELS];  /* each back-end's description for the report */
    const volatile sig_atomic_t *stop;  /* not NULL: non-zero stops the run (partial); a
                                         * signal's number names it in the reason */
    const char *stop_what;              /* NULL, or what set it ("SIGINT") */
    const ts_progress_hook_t *progress; /* called as requests are read; NULL: none */
    const ts_live_object_t *objects; /* the workload's keys at their largest sizes, as a
                                      * footprint scan found them (borrowed); NULL: the
                                      * engine reads the workload once for them */
    size_t n_objects;
} ts_live_config_t;

/* Populates cfg->be[h->n] with r's objects, replays r through h (after ts_hier_list_frees)
 * on the back-ends, ends with ts_hier_finish (its write-backs carried out too), and fills
 * *out (zeroed first). Returns 0 (also for a run stopped early: out->partial says why);
 * TS_EINVAL for a configuration it cannot run; TS_ENOMEM; the reader's or hierarchy's
 * error; or, for a copy found different from what was written (verify), TS_EIO naming the
 * level, key and offset. On failure *out holds nothing to release. */
int ts_engine_live(ts_hier_t *h, ts_reader_t *r, const ts_live_config_t *cfg, ts_live_result_t *out,
                   ts_err_t *err);

/* Object bytes: fills buf with the object key, version of size bytes as the engine writes
 * it (header and generated bytes). Exposed for tests. */
void ts_live_make_object(void *buf, uint64_t key, uint64_t version, uint64_t size);

/* Checks buf (size bytes read of key) against version: 0, or TS_EIO with *offset the first
 * byte that differs from what ts_live_make_object gives. */
int ts_live_check_object(const void *buf, uint64_t key, uint64_t version, uint64_t size,
                         uint64_t *offset);

#endif
