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

int ts_engine_fast(ts_tier_t *const *tiers, size_t n, ts_reader_t *r, ts_totals_t *tot,
                   ts_err_t *err)
{
    ts_req_t req;
    int rc;
    while ((rc = ts_reader_next(r, &req, err)) > 0) {
        if (tot->n_req == 0)
            tot->first_ns = req.time_ns;
        tot->last_ns = req.time_ns;
        tot->n_req++;
        rc = fast_one(tiers, n, &req, tot, err);
        if (rc) {
            ts_err_where(err, "request %llu", (unsigned long long)tot->n_req);
            return rc;
        }
    }
    return rc;
}
