/* SPDX-License-Identifier: MIT */
/*
 * reader.h - the trace reader seam: trace formats and workload generators both produce
 * requests through this interface, so every engine and tool takes either.
 *
 * Lifecycle: open(params, ctx) -> next() until it returns 0 (end) or < 0 (error, err
 * filled with the record index or line) -> reset() to replay from the start -> close().
 * Readers stream: memory stays constant whatever the trace length.
 * Writers (trace formats that can be written) create a temporary file beside the target
 * and rename it into place only in finish(), so a failed run never leaves a half-written
 * trace; destroy() without finish() discards the output.
 * Readers are plug-ins (sim/registry.h): a trace format's reader (kind TS_PLUGIN_FORMAT,
 * listed in ts_formats, traces/registry.c) carries its writer, file extension and magic
 * bytes; a generator (kind TS_PLUGIN_GENERATOR, in ts_generators, workloads/registry.c)
 * leaves those empty. The core asks a reader what it is (flags) and what it knows of its
 * workload (hints), never its name.
 */
#ifndef TS_SIM_READER_H
#define TS_SIM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "param.h"
#include "registry.h"
#include "req.h"

enum ts_reader_flag {
    TS_READER_GENERATOR = 1u << 0,       /* synthesises requests from a seed */
    TS_READER_NOT_THREAD_SAFE = 1u << 1, /* reads through a library that is not thread-safe
                                          * (HDF5 unless built so): one run at a time */
    TS_READER_SEEDLESS = 1u << 2,        /* a generator that draws nothing: its requests are
                                          * the same whatever the seed (a fixed layout) */
};

typedef struct ts_reader ts_reader_t;
typedef struct ts_writer ts_writer_t;
typedef struct ts_writer_ops ts_writer_ops_t;

typedef struct ts_reader_ctx {
    uint64_t seed;        /* the scenario's seed; generators draw only from it */
    const char *base_dir; /* relative trace paths are resolved against it; NULL: cwd */
} ts_reader_ctx_t;

/* What a reader knows about its whole trace without reading it; 0 = unknown. */
typedef struct ts_reader_info {
    uint64_t n_requests; /* requests until the end */
    uint64_t n_keys;     /* an upper bound on distinct keys (generators) */
} ts_reader_info_t;

/* What the requests returned so far amount to in the workload's own terms, for normalised
 * figures ($ per epoch, per million tokens, per session); 0 = unknown or not applicable. */
typedef struct ts_reader_units {
    double epochs;         /* training: epochs of progress (sample reads of steps not read
                            * before, over the dataset's samples) */
    uint64_t gpus;         /* accelerators the workload stands for (training ranks) */
    uint64_t llm_requests; /* LLM calls whose requests have started */
    uint64_t tokens;       /* their prompt and output tokens */
    uint64_t sessions;     /* agent sessions started (top level; sub-agents not counted) */
    uint64_t subagents;    /* sub-agent sessions of those */
    uint64_t tokens_in, tokens_out; /* of `tokens`: prompt and output tokens, where known */
    uint64_t model_ns;     /* the calls' model time (a trace's api_time), where known */
    uint64_t think_ns;     /* the idle time before calls (tool calls, the user), where known */
    uint64_t checkpoints;  /* checkpoint writes started (the checkpoint generator) */
    uint64_t ckpt_reads;   /* checkpoint reads started */
    uint64_t ckpt_bytes;   /* bytes of one whole checkpoint over all its ranks */
    uint64_t ckpt_bytes_written, ckpt_bytes_read; /* checkpoint bytes PUT and GET so far */
} ts_reader_units_t;

/* What a workload's parameters say of it, for the scenario's defaults (the timed engine's
 * block size, reader threads and prefill rate); 0 or NULL = not given. */
typedef struct ts_reader_hints {
    const char *model;     /* model preset (sim/models.h) whose KV cache it moves (static) */
    uint64_t block_tokens; /* tokens per KV block */
    uint64_t read_threads; /* reader threads a client keeps busy */
    double prefill_rate;   /* tokens/s of prefill the workload models itself */
    bool idle_hints_exact; /* its idle hints are the true idle times, known in advance (an
                            * oracle): results of hint-driven policies are an upper bound */
    /* a training workload: the closed loop's defaults (a data loader per rank) */
    uint64_t compute_ns;   /* accelerator compute per batch (timed.think) */
    uint64_t ranks;        /* data-parallel ranks, one client each (timed.clients) */
    double au_target;      /* accelerator utilisation a run must reach to pass (MLPerf
                            * Storage's threshold for the workload; 0: none) */
} ts_reader_hints_t;

typedef struct ts_reader_ops {
    ts_plugin_t base; /* kind TS_PLUGIN_FORMAT or TS_PLUGIN_GENERATOR; flags ts_reader_flag */
    /* Opens a reader; params is a filled params struct (copied, not kept). */
    int (*open)(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                ts_err_t *err);
    /* 1: *req filled; 0: end of trace; < 0: error (err names the record or line). */
    int (*next)(ts_reader_t *r, ts_req_t *req, ts_err_t *err);
    /* Optional (NULL: next() is called in a loop): the next requests, as many next() calls
     * would give them, up to max into reqs; *got says how many. Returns 0 (*got == 0 only
     * at the end) or next()'s error, in which case the *got requests before the fault are
     * valid and the call after goes on as next() would. */
    int (*next_batch)(ts_reader_t *r, ts_req_t *reqs, size_t max, size_t *got,
                      ts_err_t *err);
    /* Rewinds to the first request; a generator replays exactly the same sequence. */
    int (*reset)(ts_reader_t *r, ts_err_t *err);
    /* Releases everything; accepts NULL. */
    void (*close)(ts_reader_t *r);
    /* Optional (NULL): what is known up front. */
    void (*info)(const ts_reader_t *r, ts_reader_info_t *out);
    /* Optional (NULL): the workload units of the requests returned since open or reset. */
    void (*units)(const ts_reader_t *r, ts_reader_units_t *out);
    /* Optional (NULL): what a filled params struct says of the workload (out is zeroed). */
    void (*hints)(const void *params, ts_reader_hints_t *out);
    /* Trace formats only (NULL / 0 for generators): */
    const ts_writer_ops_t *writer; /* NULL when the format cannot be written */
    const char *extension;         /* usual file suffix (".tsim", ".csv"); NULL: none */
    const char *magic;             /* leading bytes that identify a file; NULL: none */
    size_t magic_size;             /* bytes of magic to compare (it may hold NULs) */
} ts_reader_ops_t;

/* The ops table whose base is p (a format or generator entry, or NULL). */
static inline const ts_reader_ops_t *ts_reader_ops_of(const ts_plugin_t *p)
{
    return (const ts_reader_ops_t *)p;
}

/* Base of every reader instance (first member of the implementation's struct). */
struct ts_reader {
    const ts_reader_ops_t *ops;
};

static inline int ts_reader_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    return r->ops->next(r, req, err);
}

/* Up to max requests into reqs (ops->next_batch, or next() in a loop), as next_batch. */
int ts_reader_read(ts_reader_t *r, ts_req_t *reqs, size_t max, size_t *got, ts_err_t *err);

static inline int ts_reader_reset(ts_reader_t *r, ts_err_t *err)
{
    return r->ops->reset(r, err);
}

static inline void ts_reader_close(ts_reader_t *r)
{
    if (r)
        r->ops->close(r);
}

/* Fills out from ops->info, or zeroes when the reader has none. */
void ts_reader_info(const ts_reader_t *r, ts_reader_info_t *out);

/* Fills out from ops->units, or zeroes when the reader has none. */
void ts_reader_units(const ts_reader_t *r, ts_reader_units_t *out);

/* Fills out from ops->hints on a filled params struct, or zeroes when ops has none. */
void ts_reader_hints(const ts_reader_ops_t *ops, const void *params, ts_reader_hints_t *out);

/* Opens the reader of ops with its default parameters overridden by n name=value pairs
 * (names[i], values[i]). Convenience for tools and tests. */
int ts_reader_open_kv(const ts_reader_ops_t *ops, const char *const *names,
                      const char *const *values, size_t n, const ts_reader_ctx_t *ctx,
                      ts_reader_t **out, ts_err_t *err);

/* Joins a relative path to ctx->base_dir into buf. Returns 0 or TS_ERANGE (too long). */
int ts_reader_path(const ts_reader_ctx_t *ctx, const char *path, char *buf, size_t size,
                   ts_err_t *err);

/* A trace format's writer: part of its format (ts_reader_ops_t.writer), which names it. */
struct ts_writer_ops {
    /* Starts writing path (through a temporary file beside it). */
    int (*create)(const char *path, ts_writer_t **out, ts_err_t *err);
    int (*write)(ts_writer_t *w, const ts_req_t *req, ts_err_t *err);
    /* Flushes, completes headers, syncs and renames into place. Returns 0 or an error,
     * in which case nothing is left at path. */
    int (*finish)(ts_writer_t *w, ts_err_t *err);
    /* Frees; removes the temporary file unless finish() succeeded. Accepts NULL. */
    void (*destroy)(ts_writer_t *w);
};

struct ts_writer {
    const ts_writer_ops_t *ops;
};

#endif
