/* SPDX-License-Identifier: MIT */
/*
 * progress.h - progress of a long replay: the hook engines call (app/progress.h draws it).
 *
 * Engines call hook->fn once as the replay starts (done 0), then every TS_PROGRESS_EVERY
 * requests they read: one add, one mask test and a predictable branch per request, nothing
 * else on the hot path.
 */
#ifndef TS_SIM_PROGRESS_H
#define TS_SIM_PROGRESS_H

#include <stdint.h>

#define TS_PROGRESS_EVERY (1u << 16) /* requests between hook calls (a power of two) */

/* done: requests read so far by this replay (0 when it starts); total: the reader's length
 * when it knows it (generators, native and HDF5 traces, loaded traces), else 0. */
typedef void (*ts_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct ts_progress_hook {
    ts_progress_fn fn; /* called every TS_PROGRESS_EVERY requests */
    void *ctx;         /* handed back to fn */
} ts_progress_hook_t;

#endif
