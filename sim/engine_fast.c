/* SPDX-License-Identifier: MIT */
/*
 * engine_fast.c - the fast engine: functional replay, no clock (see engine.h).
 */
#include "engine.h"

#include <stdbool.h>

/* Fills tiers [0, upto) with r, bottom-most first, so the top tier's insert is last. */
static int fast_fill_above(ts_tier_t *const *tiers, size_t upto, const ts_req_t *r,
                           ts_err_t *err)
{
    for (size_t i = upto; i-- > 0;) {
        bool inserted;
        int rc = ts_tier_fill(tiers[i], r, NULL, NULL, &inserted, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int fast_one(ts_tier_t *const *tiers, size_t n, const ts_req_t *r, ts_totals_t *tot,
                    ts_err_t *err)
{
    if (r->op == TS_OP_DELETE) {
        tot->n_delete++;
        for (size_t i = 0; i < n; i++) {
            tiers[i]->st.n_delete++;
            ts_tier_remove(tiers[i], r->key);
        }
        return 0;
    }
    tot->bytes_req += r->size_bytes;
    size_t hit_at = n;
    for (size_t i = 0; i < n; i++)
        if (ts_tier_lookup(tiers[i], r)) {
            hit_at = i;
            break;
        }
    if (r->op == TS_OP_PUT) {
        tot->n_put++;
        tot->n_backing++; /* write-through to the system of record */
        tot->bytes_backing += r->size_bytes;
        if (hit_at < n) {
            tot->n_hit++;
            tot->bytes_hit += r->size_bytes;
        }
        return fast_fill_above(tiers, hit_at, r, err);
    }
    tot->n_get++;
    if (hit_at < n) {
        tot->n_hit++;
        tot->bytes_hit += r->size_bytes;
    } else {
        tot->n_backing++;
        tot->bytes_backing += r->size_bytes;
    }
    return fast_fill_above(tiers, hit_at, r, err);
}

/* Requests are read LOOKAHEAD ahead so that the top tier's index slot (LOOKAHEAD ahead)
 * and node (NEAR ahead) are on their way to the CPU cache when the request is replayed:
 * with a working set larger than the cache, those two loads dominate. The hints change
 * no state, so the counters are the same as a plain one-at-a-time replay. */
#define LOOKAHEAD 16 /* a power of two */
#define NEAR 6

int ts_engine_fast(ts_tier_t *const *tiers, size_t n, ts_reader_t *r, ts_totals_t *tot,
                   ts_err_t *err)
{
    ts_req_t ring[LOOKAHEAD];
    size_t head = 0, count = 0;
    bool more = true;
    for (;;) {
        while (more && count < LOOKAHEAD) {
            ts_req_t *q = &ring[(head + count) & (LOOKAHEAD - 1)];
            int rc = ts_reader_next(r, q, err);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                more = false;
                break;
            }
            if (n)
                ts_tier_prefetch(tiers[0], q->key, 0);
            count++;
        }
        if (count == 0)
            return 0;
        if (n && count > NEAR)
            ts_tier_prefetch(tiers[0], ring[(head + NEAR) & (LOOKAHEAD - 1)].key, 1);
        const ts_req_t *req = &ring[head];
        if (tot->n_req == 0)
            tot->first_ns = req->time_ns;
        tot->last_ns = req->time_ns;
        tot->n_req++;
        int rc = fast_one(tiers, n, req, tot, err);
        if (rc) {
            ts_err_where(err, "request %llu", (unsigned long long)tot->n_req);
            return rc;
        }
        head = (head + 1) & (LOOKAHEAD - 1);
        count--;
    }
}
