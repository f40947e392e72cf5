/* SPDX-License-Identifier: MIT */
/*
 * lookahead.h - reads requests ahead of the replay and hints their keys into the CPU cache.
 *
 * Engines pull requests through a ring of TS_LOOKAHEAD: when a request enters the ring its
 * key's index slot in every tier is prefetched, and TS_LOOKAHEAD_NEAR requests before its
 * turn its node in the top tier: with a working set larger than the CPU caches, those
 * loads dominate the cost of a lookup. The hints change no state (policy.h), so the
 * results are those of a plain one-at-a-time replay. Cost: O(tiers) per request.
 * Hints pay only when the policies' structures outgrow the CPU's last-level cache: below
 * that they are instructions spent on lines already cached, so the ring hints only while
 * the tiers' policies hold more than the last-level cache (ts_mem_llc_bytes), judged as
 * the replay starts and again every TS_PROGRESS_EVERY requests, and otherwise hands out
 * requests one at a time as it reads them.
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

#define TS_LOOKAHEAD 16 /* a power of two */
#define TS_LOOKAHEAD_NEAR 6

typedef struct ts_lookahead {
    ts_req_t ring[TS_LOOKAHEAD]; /* private */
    size_t head, count;          /* private */
    bool done;                   /* read-only: the reader has reached its end */
    const ts_hier_t *h;          /* the hierarchy whose tiers are hinted */
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

/* progress (NULL: none) is kept until the replay ends. */
static inline void ts_lookahead_init(ts_lookahead_t *la, const ts_hier_t *h, ts_reader_t *r,
                                     const ts_progress_hook_t *progress)
{
    la->head = la->count = 0;
    la->done = false;
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

/* Points *out at the next request (valid until the next call): 1, 0 at the end, or the
 * reader's error. */
static inline int ts_lookahead_next(ts_lookahead_t *la, const ts_req_t **out, ts_err_t *err)
{
    const ts_hier_t *h = la->h;
    if (!la->hint && la->count == 0) { /* no hints: straight from the reader */
        if (la->done)
            return 0;
        ts_req_t *q = &la->ring[la->head];
        int rc = ts_reader_next(la->r, q, err);
        if (rc <= 0) {
            la->done = rc == 0;
            return rc;
        }
        if ((++la->n_read & (TS_PROGRESS_EVERY - 1)) == 0) {
            la->hint = ts_lookahead_wants_hints(la);
            if (la->progress)
                la->progress->fn(la->progress->ctx, la->n_read, la->total);
        }
        *out = q;
        return 1;
    }
    while (!la->done && la->count < TS_LOOKAHEAD) {
        ts_req_t *q = &la->ring[(la->head + la->count) & (TS_LOOKAHEAD - 1)];
        int rc = ts_reader_next(la->r, q, err);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            la->done = true;
            break;
        }
        for (size_t i = 0; i < h->n; i++)
            ts_tier_prefetch(h->tiers[i], q->key, 0);
        la->count++;
        if ((++la->n_read & (TS_PROGRESS_EVERY - 1)) == 0) {
            la->hint = ts_lookahead_wants_hints(la);
            if (la->progress)
                la->progress->fn(la->progress->ctx, la->n_read, la->total);
        }
    }
    if (la->count == 0)
        return 0;
    if (h->n && la->count > TS_LOOKAHEAD_NEAR)
        ts_tier_prefetch(h->tiers[0],
                         la->ring[(la->head + TS_LOOKAHEAD_NEAR) & (TS_LOOKAHEAD - 1)].key, 1);
    *out = &la->ring[la->head];
    la->head = (la->head + 1) & (TS_LOOKAHEAD - 1);
    la->count--;
    return 1;
}

#endif
