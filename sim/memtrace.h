/* SPDX-License-Identifier: MIT */
/*
 * memtrace.h - a trace held in memory: loaded from any reader, replayed through a reader.
 *
 * Used where the whole trace must be seen before replay (the next-access pre-pass of
 * offline policies, benchmarks that exclude generation time). Memory: 40 bytes a request.
 */
#ifndef TS_SIM_MEMTRACE_H
#define TS_SIM_MEMTRACE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "reader.h"
#include "req.h"

typedef struct ts_memtrace {
    ts_req_t *reqs; /* read-only: the requests, in order */
    size_t n;       /* read-only: requests held */
    size_t cap;     /* private: allocated slots */
} ts_memtrace_t;

/* Reads src to its end (at most limit requests; 0 = no limit) into a new memtrace.
 * Returns 0, the reader's error, or TS_ENOMEM. */
int ts_memtrace_load(ts_reader_t *src, uint64_t limit, ts_memtrace_t **out, ts_err_t *err);

/* Appends one request. Returns 0 or TS_ENOMEM. */
int ts_memtrace_push(ts_memtrace_t *mt, const ts_req_t *r, ts_err_t *err);

/* An empty memtrace. Returns 0 or TS_ENOMEM. */
int ts_memtrace_create(ts_memtrace_t **out, ts_err_t *err);
void ts_memtrace_destroy(ts_memtrace_t *mt); /* accepts NULL */

/* A reader replaying mt from the start; keeps (borrows) mt until closed, so mt must
 * outlive it. Returns 0 or TS_ENOMEM. */
int ts_memtrace_reader(const ts_memtrace_t *mt, ts_reader_t **out, ts_err_t *err);

#endif
