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
 */
#ifndef TS_SIM_READER_H
#define TS_SIM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "param.h"
#include "req.h"

#define TS_READER_ABI 1

enum ts_reader_flag {
    TS_READER_GENERATOR = 1u << 0, /* synthesises requests from a seed */
};

typedef struct ts_reader ts_reader_t;
typedef struct ts_writer ts_writer_t;

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
} ts_reader_units_t;

typedef struct ts_reader_ops {
    uint32_t abi;                  /* TS_READER_ABI */
    const char *name;              /* "csv", "native", "zipf" */
    const char *summary;           /* one line for `tiersim list` */
    uint32_t flags;                /* ts_reader_flag */
    const ts_param_spec_t *params; /* schema of the params struct */
    size_t params_count;           /* entries in params */
    size_t params_size;            /* sizeof the params struct */
    /* Opens a reader; params is a filled params struct (copied, not kept). */
    int (*open)(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                ts_err_t *err);
    /* 1: *req filled; 0: end of trace; < 0: error (err names the record or line). */
    int (*next)(ts_reader_t *r, ts_req_t *req, ts_err_t *err);
    /* Rewinds to the first request; a generator replays exactly the same sequence. */
    int (*reset)(ts_reader_t *r, ts_err_t *err);
    /* Releases everything; accepts NULL. */
    void (*close)(ts_reader_t *r);
    /* Optional (NULL): what is known up front. */
    void (*info)(const ts_reader_t *r, ts_reader_info_t *out);
    /* Optional (NULL): the workload units of the requests returned since open or reset. */
    void (*units)(const ts_reader_t *r, ts_reader_units_t *out);
} ts_reader_ops_t;

/* Base of every reader instance (first member of the implementation's struct). */
struct ts_reader {
    const ts_reader_ops_t *ops;
};

static inline int ts_reader_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    return r->ops->next(r, req, err);
}

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

/* Opens the reader of ops with its default parameters overridden by n name=value pairs
 * (names[i], values[i]). Convenience for tools and tests. */
int ts_reader_open_kv(const ts_reader_ops_t *ops, const char *const *names,
                      const char *const *values, size_t n, const ts_reader_ctx_t *ctx,
                      ts_reader_t **out, ts_err_t *err);

/* Joins a relative path to ctx->base_dir into buf. Returns 0 or TS_ERANGE (too long). */
int ts_reader_path(const ts_reader_ctx_t *ctx, const char *path, char *buf, size_t size,
                   ts_err_t *err);

typedef struct ts_writer_ops {
    uint32_t abi;        /* TS_READER_ABI */
    const char *name;    /* format name, the same as its reader's */
    const char *summary; /* one line */
    /* Starts writing path (through a temporary file beside it). */
    int (*create)(const char *path, ts_writer_t **out, ts_err_t *err);
    int (*write)(ts_writer_t *w, const ts_req_t *req, ts_err_t *err);
    /* Flushes, completes headers, syncs and renames into place. Returns 0 or an error,
     * in which case nothing is left at path. */
    int (*finish)(ts_writer_t *w, ts_err_t *err);
    /* Frees; removes the temporary file unless finish() succeeded. Accepts NULL. */
    void (*destroy)(ts_writer_t *w);
} ts_writer_ops_t;

struct ts_writer {
    const ts_writer_ops_t *ops;
};

#endif
