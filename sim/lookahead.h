/* SPDX-License-Identifier: MIT */
/*
 * lookahead.h - reads requests ahead of the replay and hints their keys into the CPU cache.
 *
 * Engines pull requests through a ring of TS_LOOKAHEAD: when a request enters the ring its
 * key's index slot in every tier is prefetched, and TS_LOOKAHEAD_NEAR requests before its
 * turn its node in the top tier: with a working set larger than the CPU caches, those
 * loads dominate the cost of a lookup. The hints change no state (policy.h), so the
 * results are those of a plain one-at-a-time replay. Cost: O(tiers) per request.
 */
#ifndef TS_SIM_LOOKAHEAD_H
#define TS_SIM_LOOKAHEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "hier.h"
#include "reader.h"

#define TS_LOOKAHEAD 16 /* a power of two */
#define TS_LOOKAHEAD_NEAR 6

typedef struct ts_lookahead {
    ts_req_t ring[TS_LOOKAHEAD]; /* private */
    size_t head, count;          /* private */
    bool done;                   /* read-only: the reader has reached its end */
    const ts_hier_t *h;          /* the hierarchy whose tiers are hinted */
    ts_reader_t *r;
} ts_lookahead_t;

static inline void ts_lookahead_init(ts_lookahead_t *la, const ts_hier_t *h, ts_reader_t *r)
{
    la->head = la->count = 0;
    la->done = false;
    la->h = h;
    la->r = r;
}

/* Points *out at the next request (valid until the next call): 1, 0 at the end, or the
 * reader's error. */
static inline int ts_lookahead_next(ts_lookahead_t *la, const ts_req_t **out, ts_err_t *err)
{
    const ts_hier_t *h = la->h;
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
