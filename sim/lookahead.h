/* SPDX-License-Identifier: MIT */
/*
 * lookahead.h - reads requests ahead of the replay and hints their keys into the CPU cache.
 *
 * Engines pull requests one at a time from a block that the reader fills at once
 * (ts_reader_read: one call per block, not per request). When the policies' structures
 * outgrow the CPU's last-level cache, each request's key is hinted TS_LOOKAHEAD requests
 * before its turn (its index slot in every tier) and TS_LOOKAHEAD_NEAR before it (its node
 * in the top tier): with a working set larger than the CPU caches, those loads dominate
 * the cost of a lookup. Below that size hints are instructions spent on lines already
 * cached, so they are on only while the tiers' policies hold more than the last-level
 * cache (ts_mem_llc_bytes), judged as the replay starts and again every TS_PROGRESS_EVERY
 * requests. The hints change no state (policy.h), so the results are those of a plain
 * one-at-a-time replay. Cost: O(tiers) per request.
 * It also counts the requests read and calls the progress hook, when there is one, at the
 * start and every TS_PROGRESS_EVERY requests (sim/progress.h).
 */
#ifndef TS_SIM_LOOKAHEAD_H
#define TS_SIM_LOOKAHEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/mem.h"
#include "hier.h"
#include "progress.h"
#include "reader.h"

#define TS_LOOKAHEAD_BLOCK 256 /* requests read from the reader at a time */
#define TS_LOOKAHEAD 16         /* the slot hint runs this many requests ahead */
#define TS_LOOKAHEAD_NEAR 6     /* the node hint this many */

typedef struct ts_lookahead {
    ts_req_t buf[TS_LOOKAHEAD_BLOCK]; /* private: the requests read, buf[pos] next */
    size_t pos, len;                  /* private */
    size_t block;                     /* private: requests read at a time */
    bool done;                        /* read-only: the reader has reached its end */
    int pending;                      /* private: the reader's error after buf (0: none) */
    ts_err_t pending_err;             /* private: its message */
    const ts_hier_t *h;               /* the hierarchy whose tiers are hinted */
    ts_reader_t *r;
    uint64_t n_read;                    /* requests read so far */
    uint64_t total;                     /* the reader's length when known (for progress) */
    const ts_progress_hook_t *progress; /* NULL: none */
    size_t llc;                         /* bytes of last-level cache */
    bool hint;                          /* prefetch hints on (the structures outgrow it) */
} ts_lookahead_t;

/* Whether the tiers' policies hold more than the last-level cache. O(tiers). */
static inline bool ts_lookahead_wants_hints(const ts_lookahead_t *la)
{
    size_t b = 0;
    for (size_t i = 0; i < la->h->n; i++) {
        const ts_policy_t *p = la->h->tiers[i]->policy;
        b += p->ops->prefetch ? p->ops->mem_bytes(p) : 0;
    }
    return b > la->llc;
}

/* Reads block requests at a time (1..TS_LOOKAHEAD_BLOCK); progress (NULL: none) is kept
 * until the replay ends. */
static inline void ts_lookahead_init(ts_lookahead_t *la, const ts_hier_t *h, ts_reader_t *r,
                                     size_t block, const ts_progress_hook_t *progress)
{
    la->pos = la->len = 0;
    la->block = block < 1 ? 1 : block > TS_LOOKAHEAD_BLOCK ? TS_LOOKAHEAD_BLOCK : block;
    la->done = false;
    la->pending = 0;
    la->h = h;
    la->r = r;
    la->n_read = 0;
    la->total = 0;
    la->progress = progress;
    la->llc = ts_mem_llc_bytes();
    la->hint = ts_lookahead_wants_hints(la);
    if (progress) {
        ts_reader_info_t info;
        ts_reader_info(r, &info);
        la->total = info.n_requests;
        progress->fn(progress->ctx, 0, la->total);
    }
}

/* The slot hint of every tier for buf[i], when it exists. */
static inline void ts_lookahead_hint_slot(const ts_lookahead_t *la, size_t i)
{
    if (i < la->len)
        for (size_t t = 0; t < la->h->n; t++)
            ts_tier_prefetch(la->h->tiers[t], la->buf[i].key, 0);
}

/* Reads the next block: 1, 0 at the end, or the reader's error (after the requests
 * before it have been handed out). */
static inline int ts_lookahead_fill(ts_lookahead_t *la, ts_err_t *err)
{
    if (la->pending) {
        *err = la->pending_err;
        return la->pending;
    }
    if (la->done)
        return 0;
    size_t n = 0;
    ts_err_t e = {0};
    int rc = ts_reader_read(la->r, la->buf, la->block, &n, &e);
    if (rc < 0) {
        if (n == 0) {
            *err = e;
            return rc;
        }
        la->pending = rc;
        la->pending_err = e;
    } else if (n == 0) {
        la->done = true;
        return 0;
    }
    uint64_t before = la->n_read;
    la->n_read += n;
    la->pos = 0;
    la->len = n;
    if (before / TS_PROGRESS_EVERY != la->n_read / TS_PROGRESS_EVERY) {
        la->hint = ts_lookahead_wants_hints(la);
        if (la->progress)
            la->progress->fn(la->progress->ctx, la->n_read, la->total);
    }
    if (la->hint)
        for (size_t i = 0; i < TS_LOOKAHEAD; i++)
            ts_lookahead_hint_slot(la, i);
    return 1;
}

/* The hints of the request at buf[i] as its turn comes (when hints are on): the slot of
 * the one TS_LOOKAHEAD later, the node of the one TS_LOOKAHEAD_NEAR later. */
static inline void ts_lookahead_hint_turn(const ts_lookahead_t *la, size_t i)
{
    ts_lookahead_hint_slot(la, i + TS_LOOKAHEAD);
    if (i + TS_LOOKAHEAD_NEAR < la->len && la->h->n)
        ts_tier_prefetch(la->h->tiers[0], la->buf[i + TS_LOOKAHEAD_NEAR].key, 1);
}

/* The rest of the current block, reading the next one when it is used up: *reqs and *n
 * (all of it counts as handed out; call ts_lookahead_hint_turn(la, *first + i) before
 * request i when la->hint); returns 1, 0 at the end, or the reader's error. */
static inline int ts_lookahead_block(ts_lookahead_t *la, const ts_req_t **reqs, size_t *n,
                                     size_t *first, ts_err_t *err)
{
    if (la->pos == la->len) {
        int rc = ts_lookahead_fill(la, err);
        if (rc <= 0)
            return rc;
    }
    *first = la->pos;
    *reqs = &la->buf[la->pos];
    *n = la->len - la->pos;
    la->pos = la->len;
    return 1;
}

/* Points *out at the next request (valid until the next call): 1, 0 at the end, or the
 * reader's error. */
static inline int ts_lookahead_next(ts_lookahead_t *la, const ts_req_t **out, ts_err_t *err)
{
    if (la->pos == la->len) {
        int rc = ts_lookahead_fill(la, err);
        if (rc <= 0)
            return rc;
    }
    size_t i = la->pos++;
    if (la->hint)
        ts_lookahead_hint_turn(la, i);
    *out = &la->buf[i];
    return 1;
}

#endif
