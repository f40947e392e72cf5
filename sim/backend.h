/* SPDX-License-Identifier: MIT */
/*
 * backend.h - the live back-end seam: where a tier's objects really are in live mode (host
 * memory, a scratch file, GPU memory, a directory standing for the central store).
 *
 * The live engine decides exactly as the fast and timed engines do (policies, admission,
 * promotion, demotion, write-back) and carries each decision out on a back-end: a write
 * stores an object's bytes under its key, a read copies them into the caller's buffer, a
 * free gives the object's room back. Back-ends are plug-ins (sim/registry.h, kind
 * TS_PLUGIN_BACKEND; the tables are in backends/backend.h): an ops table whose first member
 * is a ts_plugin_t, a base-first instance, one registry line.
 *
 * One request is a ts_be_io_t the caller owns until it completes. submit() answers:
 *   TS_BE_DONE   - finished now; io->result holds 0 or a negative TS_E* code;
 *   TS_BE_QUEUED - in flight; poll() hands it back once io->result is set;
 *   TS_BE_BUSY   - not taken (queue full): poll, then submit it again;
 *   < 0          - refused (a bad request: size 0 or over the object limit), err says why.
 * A synchronous back-end (no TS_BACKEND_ASYNC flag) only ever answers TS_BE_DONE or < 0.
 * Results in io->result: TS_ENOENT (a read or free of a key not stored), TS_EINVAL (a read
 * whose size is not the stored size), TS_ENOSPC (a write that does not fit), TS_EIO.
 * Writing a key already stored replaces its bytes. Keys are opaque 64-bit ids.
 * Ordering: the caller never has two requests on one key in flight at once unless both are
 * reads (the live engine waits for a key's write or free before it reads, writes or frees it
 * again, and for its reads before it writes or frees it), so a back-end may reuse an
 * object's room as soon as a free is submitted.
 * Instances are not thread-safe: one engine thread drives one instance.
 */
#ifndef TS_SIM_BACKEND_H
#define TS_SIM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "registry.h"
#include "util/err.h"

/* Capability flags (ts_plugin_t.flags of a back-end). */
#define TS_BACKEND_ASYNC (1u << 0)     /* submit may answer TS_BE_QUEUED or TS_BE_BUSY */
#define TS_BACKEND_DIRECT_IO (1u << 1) /* bypasses the page cache (O_DIRECT) where it can */
#define TS_BACKEND_GPU_MEMORY (1u << 2) /* objects live in GPU memory */
#define TS_BACKEND_PERSISTENT (1u << 3) /* objects survive the process (a file, a store) */

typedef enum ts_be_op { TS_BE_READ = 0, TS_BE_WRITE, TS_BE_FREE } ts_be_op_t;

enum { TS_BE_DONE = 0, TS_BE_QUEUED = 1, TS_BE_BUSY = 2 };

/* One request. The caller fills op, key, size, buf and user; the back-end sets result. */
typedef struct ts_be_io {
    ts_be_op_t op;
    uint64_t key;
    uint64_t size; /* bytes read or written (ignored by a free) */
    void *buf;     /* the bytes: read into, written from (ignored by a free) */
    uint64_t user; /* the caller's own, untouched */
    int result;    /* set on completion: 0 or a negative TS_E* code */
} ts_be_io_t;

/* What the engine tells a back-end when it opens one. */
typedef struct ts_backend_ctx {
    const char *tier;      /* the tier's name, for messages */
    uint64_t capacity;     /* bytes of objects it must hold at once */
    uint64_t max_object;   /* the largest object it will be asked to store, bytes */
    const char *scratch;   /* where a file back-end may create its files; NULL: none */
    bool keep;             /* keep what it wrote (its scratch files) after close */
    const char *raw_device; /* a block device the user allowed to be erased (named by both
                             * --allow-raw-device and --i-know-this-erases); NULL: none,
                             * and a file back-end refuses every block device */
} ts_backend_ctx_t;

typedef struct ts_backend ts_backend_t;
typedef struct ts_backend_ops ts_backend_ops_t;

/* Every instance starts with this (base-first). */
struct ts_backend {
    const ts_backend_ops_t *ops;
};

/* What a back-end holds and did, for the report. */
typedef struct ts_backend_stats {
    uint64_t objects;     /* stored now */
    uint64_t bytes;       /* bytes of objects stored now */
    uint64_t reserved;    /* bytes set aside for them (slots, alignment) */
    uint64_t reads, writes, frees;
    uint64_t bytes_read, bytes_written;
    bool direct;   /* the page cache is bypassed (O_DIRECT took effect) */
    bool emulated; /* its latency or bandwidth is injected (a local disk standing for a
                    * far store): the report says so */
    const char *io; /* the I/O path that ran ("io_uring", "threads", ...), owned by the
                     * back-end; NULL: none (memory) */
} ts_backend_stats_t;

struct ts_backend_ops {
    ts_plugin_t base; /* kind TS_PLUGIN_BACKEND */
    /* Opens an instance for ctx with params (base.params_size bytes, defaults filled).
     * Returns 0 or TS_EINVAL / TS_ENOMEM / TS_EIO naming what failed. */
    int (*open)(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                ts_err_t *err);
    int (*submit)(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err);
    /* Completed requests into done (at most max), waiting up to wait_ns for the first.
     * Returns how many, or a negative code. Required only with TS_BACKEND_ASYNC. */
    int (*poll)(ts_backend_t *b, ts_be_io_t **done, int max, uint64_t wait_ns, ts_err_t *err);
    void (*stats)(const ts_backend_t *b, ts_backend_stats_t *out);
    void (*close)(ts_backend_t *b); /* accepts NULL */
};

/* The ops of a registry entry of kind TS_PLUGIN_BACKEND, or NULL. */
static inline const ts_backend_ops_t *ts_backend_ops_of(const ts_plugin_t *p)
{
    return p && p->kind == TS_PLUGIN_BACKEND ? (const ts_backend_ops_t *)p : NULL;
}

/* Opens ops with params given as name=value pairs (defaults for the rest), as a scenario
 * or a test gives them. Returns 0 or the error of the parameters or of open. */
int ts_backend_open_kv(const ts_backend_ops_t *ops, const char *const *names,
                       const char *const *values, size_t n, const ts_backend_ctx_t *ctx,
                       ts_backend_t **out, ts_err_t *err);

/* Submits io and, for an asynchronous back-end, polls until it completes; for a caller with
 * no other request in flight (a completion of another would be dropped). Returns
 * io->result (0 or a negative code); err says why when it is not 0. */
int ts_backend_do(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err);

/* The clock back-ends time their requests by (CLOCK_MONOTONIC), ns. */
static inline uint64_t ts_backend_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The kind's check for the registry: open, submit, stats and close set; poll with
 * TS_BACKEND_ASYNC. */
int ts_backend_check(const ts_plugin_t *p, ts_err_t *err);

#endif
