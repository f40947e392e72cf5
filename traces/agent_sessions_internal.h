/* SPDX-License-Identifier: MIT */
/*
 * agent_sessions_internal.h - what the agent_sessions reader's two files share: the reader,
 * its compacted conversations (sessions, calls, the pool of hash ids) and the merge's events;
 * the parser (agent_sessions_parse.c) fills a conversation and queues its first calls, the
 * merge and replay (agent_sessions.c) expand them into requests and free it.
 *
 * Invariant: a conversation stays open (on the reader's list) while it has events in the
 * heap or is the one being expanded. Not part of the public API (ts__ prefix).
 */
#ifndef TS_TRACES_AGENT_SESSIONS_INTERNAL_H
#define TS_TRACES_AGENT_SESSIONS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/util/err.h"
#include "../sim/reader.h"

#define TS__AG_FULL_MAX 2048 /* a path resolved against the scenario's */

enum { TS__AG_SCOPE_CONTEXT = 0, TS__AG_SCOPE_LOCAL = 1, TS__AG_SCOPE_GLOBAL = 2 };
enum { TS__AG_GET = 0, TS__AG_PUT = 1 }; /* phases of a call */

/* One LLM call of a session, compacted. */
typedef struct ts__ag_call {
    uint64_t t_ns;      /* issue time, ns since the trace start */
    uint64_t done_ns;   /* completion: t + api_time (t when api_time is absent) */
    uint64_t first;     /* its new ids: pool[first, first + n_new) */
    uint64_t out_first; /* output blocks named by the next call: pool[out_first, + n_named) */
    uint32_t n_keep;    /* leading ids equal to the session's previous call's */
    uint32_t n_new;     /* ids after those */
    uint32_t n_out;     /* output blocks to put (write_output) */
    uint32_t n_named;   /* of those, named by ids of the session's next call */
    uint32_t tokens_in, tokens_out; /* its "in" and "out" */
    uint64_t think_ns;  /* its "think_time" (0 when absent) */
} ts__ag_call_t;

/* A session: the conversation (index 0) or a sub-agent. */
typedef struct ts__ag_sess {
    uint64_t first_call; /* its calls: call[first_call, + n_calls), in time order */
    uint64_t n_calls;
    uint64_t salt;    /* added to a hash id before hashing (0: global ids) */
    uint64_t base_ns; /* what its t values are measured from (parsing only) */
    uint32_t entry;   /* its entry in the parent's requests (parsing only) */
    uint32_t stream;  /* stream id */
    uint64_t *ids;    /* the prompt of its latest call, rebuilt as it replays */
    uint32_t n_ids, cap_ids;
} ts__ag_sess_t;

typedef struct ts__ag_conv {
    ts__ag_sess_t *sess;
    size_t n_sess, cap_sess;
    ts__ag_call_t *call;
    size_t n_call, cap_call;
    uint64_t *pool; /* hash ids of the calls */
    size_t n_pool, cap_pool;
    uint64_t no;                     /* its number in the collection, from 0 */
    int scope;                       /* TS__AG_SCOPE_* */
    size_t pending;                  /* its events in the heap */
    struct ts__ag_conv *prev, *next; /* the open conversations */
} ts__ag_conv_t;

typedef struct ts__ag_event {
    uint64_t time_ns;
    uint64_t seq; /* push order: ties */
    ts__ag_conv_t *conv;
    uint64_t call;  /* index in conv->call */
    uint32_t sess;  /* index in conv->sess */
    uint32_t phase; /* TS__AG_GET or TS__AG_PUT */
} ts__ag_event_t;

typedef struct ts__ag_reader {
    ts_reader_t base; /* must be first */
    uint64_t block_bytes, block_tokens, spacing_ns;
    bool write_output;
    double hint_noise; /* lognormal sigma of the idle hints' error (0: exact) */
    ts_reader_units_t units; /* the calls started and the conversations opened so far */
    uint64_t seed;     /* the scenario's: the hints' errors */
    /* the collection */
    char dir[TS__AG_FULL_MAX]; /* the directory; empty when path is one file */
    char **names;              /* files in name order (the path itself for one file) */
    size_t n_files;
    char file[TS__AG_FULL_MAX + 258]; /* the file being parsed (dir/name), for messages */
    /* the merge */
    size_t next_file; /* next conversation to open */
    uint32_t next_stream;
    ts__ag_event_t *heap;
    size_t n_heap, cap_heap;
    uint64_t seq;
    ts__ag_conv_t *open; /* list of open conversations */
    /* malformed entries found by the last parse, returned one per next() */
    ts_err_t *bad;
    size_t n_bad, cap_bad, next_bad;
    /* parsing scratch: the previous and the current call's ids */
    uint64_t *prev_ids, *cur_ids;
    size_t n_prev, cap_prev, cap_cur;
    /* the request being expanded */
    ts__ag_event_t x;  /* its call; x.conv NULL: none */
    uint64_t x_idle;   /* hint of its blocks */
    uint32_t x_j, x_n; /* next block, blocks */
} ts__ag_reader_t;

/* ---- the merge (agent_sessions.c) ---- */

/* v grown to hold need elements of elem bytes (*cap updated), or NULL (v unchanged). */
void *ts__ag_grow(void *v, size_t *cap, size_t need, size_t elem);

/* When conversation no starts: no x spacing (saturating). */
uint64_t ts__ag_start_ns(const ts__ag_reader_t *k, uint64_t no);

/* Queues ev (its seq set in push order, its conversation's pending count raised). Returns 0
 * or TS_ENOMEM. */
int ts__ag_push(ts__ag_reader_t *k, ts__ag_event_t ev, ts_err_t *err);

/* Unlinks cv from the open conversations and frees it; NULL is a no-op. */
void ts__ag_conv_free(ts__ag_reader_t *k, ts__ag_conv_t *cv);

/* ---- the parser (agent_sessions_parse.c) ---- */

/* Parses conversation k->next_file and queues the first call of each of its sessions.
 * Malformed entries are recorded in k->bad; a malformed file is one of them. 0 or < 0. */
int ts__ag_open_next(ts__ag_reader_t *k, ts_err_t *err);

#endif
