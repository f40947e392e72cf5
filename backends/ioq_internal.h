/* SPDX-License-Identifier: MIT */
/*
 * ioq_internal.h - the file back-end's I/O queue (backends/ioq.c): reads and writes of one
 * file descriptor at a queue depth, through io_uring or, where the kernel refuses it, a pool
 * of pread/pwrite threads. The queue owns one buffer per slot, aligned to 4 KiB (as O_DIRECT
 * wants), which the caller fills before a write and reads after a read.
 *
 * A request is a slot number: ts__ioq_start starts the transfer of a slot's buffer, and
 * ts__ioq_reap hands back finished slots with their results. At most `qd` slots are in
 * flight; which ones are free is the caller's business. Not thread-safe: one caller drives
 * one queue (the threads are the queue's own).
 */
#ifndef TS_BACKENDS_IOQ_INTERNAL_H
#define TS_BACKENDS_IOQ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/util/err.h"

/* Which I/O path a queue takes (the file back-end's `io` parameter, in its order). */
typedef enum ts__ioq_kind {
    TS__IOQ_AUTO = 0, /* io_uring, else threads when io_uring_queue_init fails */
    TS__IOQ_URING,    /* io_uring or an error */
    TS__IOQ_THREADS,  /* a pool of pread/pwrite threads */
} ts__ioq_kind_t;

typedef struct ts__ioq ts__ioq_t;

/* What a queue is made of. */
typedef struct ts__ioq_cfg {
    int fd;              /* the file; kept open by the caller until ts__ioq_close */
    ts__ioq_kind_t kind; /* the path asked for */
    unsigned qd;         /* slots: requests in flight at most (1 or more) */
    unsigned threads;    /* pool size of the threads path (1 or more) */
    uint64_t buf_bytes;  /* bytes of each slot's buffer, a multiple of 4096 */
    bool dsync;          /* every write is durable when it completes (RWF_DSYNC) */
} ts__ioq_cfg_t;

/* A queue for cfg: qd buffers and, for io_uring, a ring of qd entries with the file and the
 * buffers registered where the kernel allows (plain otherwise). Returns 0, TS_ENOMEM, or
 * TS_EUNSUPPORTED when io_uring was asked for and cannot be set up (the message says why);
 * what ran is ts__ioq_path. */
int ts__ioq_open(const ts__ioq_cfg_t *cfg, ts__ioq_t **out, ts_err_t *err);

/* Stops the threads, waits for what is in flight, frees everything. Accepts NULL. */
void ts__ioq_close(ts__ioq_t *q);

/* Slot's buffer (cfg.buf_bytes bytes, 4 KiB aligned), owned by the queue. */
void *ts__ioq_buf(const ts__ioq_t *q, unsigned slot);

/* The path that runs, for the report: "io_uring (registered file and buffers)",
 * "io_uring", "threads", or "threads (io_uring unavailable: <reason>)". Lives as long as q. */
const char *ts__ioq_path(const ts__ioq_t *q);

/* Starts reading (is_write false) or writing bytes of slot's buffer at offset (both
 * multiples of 4096 for O_DIRECT). slot must not be in flight. Returns 0 or TS_EIO (the
 * ring refused it; err says why). */
int ts__ioq_start(ts__ioq_t *q, unsigned slot, bool is_write, uint64_t bytes, uint64_t offset,
                  ts_err_t *err);

/* Finished slots into slots[] with their results in res[] (bytes moved, or -errno), at most
 * max, waiting up to wait_ns (UINT64_MAX: no limit) for the first when none has finished.
 * Returns how many (0 when none finished in time or none is in flight), or TS_EIO. */
int ts__ioq_reap(ts__ioq_t *q, unsigned *slots, int64_t *res, int max, uint64_t wait_ns,
                 ts_err_t *err);

/* Requests in flight. */
unsigned ts__ioq_inflight(const ts__ioq_t *q);

#endif
