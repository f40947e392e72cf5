/* SPDX-License-Identifier: MIT */
/*
 * des.h - the event queue and simulated clock of the timed engine.
 *
 * An event is a time (uint64 ns) and a 32-bit tag: an 8-bit kind, which names the handler
 * that will run it, and a 24-bit id, which the handler reads (a job, a resource, a client).
 * Events pop in (time, insertion order): equal times leave in FIFO order, so a run is
 * deterministic. Popping an event moves the clock to its time; the clock never goes back.
 * Implementation: an implicit 4-ary min-heap of 16-byte keys ((time << 64) | (seq << 32) |
 * tag, compared as one 128-bit integer), laid out so that the four children of a node share
 * one 64-byte cache line. A pop leaves a hole at the root that the next schedule fills, so
 * pop-then-schedule (the common "hold" step) costs one sift-down. Events scheduled at the
 * current time (completions, hand-offs) skip the heap: they wait in a FIFO ring and run
 * after the heap's events of that same time, which were all scheduled earlier, so the
 * (time, insertion) order holds at O(1) per such event. Schedule and pop are
 * O(log4 n) and never allocate once the queue has reached its peak size. The 32-bit
 * sequence numbers are renumbered (an O(n log n) sort) once every 2^32 schedules.
 */
#ifndef TS_SIM_DES_H
#define TS_SIM_DES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define TS_DES_KINDS 256u              /* handlers a queue can hold (kind is 8 bits) */
#define TS_DES_ID_MAX ((1u << 24) - 1) /* largest id a tag carries */
#define TS_DES_NEVER UINT64_MAX        /* a time no event reaches */

/* A handler runs one event: ctx as registered, id from the tag; ts_des_now() is the event's
 * time. Returns 0 or a negative TS_E* code (with err filled), which stops ts_des_run. */
typedef int (*ts_des_handler_fn)(void *ctx, uint32_t id, ts_err_t *err);

typedef unsigned __int128 ts_des_key_t; /* (time << 64) | (seq << 32) | tag */

typedef struct ts_des_handler {
    ts_des_handler_fn fn; /* NULL: kind not registered */
    void *ctx;            /* passed back to fn */
} ts_des_handler_t;

typedef struct ts_des {
    ts_des_key_t *heap; /* private: logical slot 0 is the root; children of i: 4i+1..4i+4 */
    void *raw;          /* private: the allocation heap points into (aligned to 64 bytes) */
    uint32_t n;         /* private: slots in use, the hole included */
    uint32_t cap;       /* private: slots allocated */
    bool has_hole;      /* private: slot 0 was popped and not refilled yet */
    uint32_t seq_next;  /* private: sequence number of the next schedule */
    uint32_t n_kinds;   /* read-only: kinds registered */
    uint64_t now_ns;    /* read-only: the clock, the time of the last event popped */
    uint64_t n_events;  /* read-only: events popped so far */
    uint32_t *ring;     /* private: tags of events at now_ns, FIFO */
    uint32_t ring_head; /* private: index of the oldest */
    uint32_t ring_n;    /* private: events in the ring */
    uint32_t ring_cap;  /* private: slots (0 or a power of two) */
    ts_des_handler_t handlers[TS_DES_KINDS]; /* private: by kind */
} ts_des_t;

/* Packs and unpacks a tag. kind < TS_DES_KINDS, id <= TS_DES_ID_MAX. */
static inline uint32_t ts_des_tag(uint32_t kind, uint32_t id)
{
    return kind << 24 | (id & TS_DES_ID_MAX);
}
static inline uint32_t ts_des_tag_kind(uint32_t tag)
{
    return tag >> 24;
}
static inline uint32_t ts_des_tag_id(uint32_t tag)
{
    return tag & TS_DES_ID_MAX;
}

/* An empty queue at time 0 with room for `initial` events before it grows.
 * Returns 0 or TS_ENOMEM; *out is NULL on failure. Free with ts_des_destroy. */
int ts_des_create(uint32_t initial, ts_des_t **out, ts_err_t *err);
/* Accepts NULL. */
void ts_des_destroy(ts_des_t *q);

/* Registers fn(ctx, id) as the handler of a new kind, written to *kind.
 * Returns 0 or TS_ENOSPC when all TS_DES_KINDS kinds are taken. */
int ts_des_kind_add(ts_des_t *q, ts_des_handler_fn fn, void *ctx, uint32_t *kind,
                    ts_err_t *err);

/* Adds an event at at_ns >= now with the given tag. Returns 0, TS_EINVAL (a time in the
 * past) or TS_ENOMEM (the queue could not grow; it is unchanged). */
int ts_des_schedule(ts_des_t *q, uint64_t at_ns, uint32_t tag, ts_err_t *err);

/* Grows the queue, when needed, so that n events fit without a later schedule allocating.
 * Returns 0 or TS_ENOMEM with the queue unchanged. */
int ts_des_reserve(ts_des_t *q, uint32_t n, ts_err_t *err);

/* Takes the earliest event when its time is <= until_ns: writes its time and tag, moves
 * the clock there and returns true. Returns false (and changes nothing) otherwise. */
bool ts_des_pop(ts_des_t *q, uint64_t until_ns, uint64_t *at_ns, uint32_t *tag);

/* Time of the earliest pending event, TS_DES_NEVER when none. */
uint64_t ts_des_peek(ts_des_t *q);

/* Pops and runs events, each by its kind's handler, while the earliest is at or before
 * until_ns. Returns 0 when none is left that early, a handler's error, or TS_EINTERNAL
 * for an event whose kind has no handler. */
int ts_des_run(ts_des_t *q, uint64_t until_ns, ts_err_t *err);

static inline uint64_t ts_des_now(const ts_des_t *q)
{
    return q->now_ns;
}

/* Events waiting to be popped. */
static inline uint32_t ts_des_pending(const ts_des_t *q)
{
    return q->n - (uint32_t)q->has_hole + q->ring_n;
}

#endif
