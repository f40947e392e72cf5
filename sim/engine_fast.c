/* SPDX-License-Identifier: MIT */
/*
 * engine_fast.c - the fast engine: functional replay, no clock (see engine.h).
 */
#include "engine.h"

#include <stdbool.h>

/* Requests are read LOOKAHEAD ahead so that the top tier's index slot (LOOKAHEAD ahead)
 * and node (NEAR ahead) are on their way to the CPU cache when the request is replayed:
 * with a working set larger than the cache, those two loads dominate. The hints change
 * no state, so the counters are the same as a plain one-at-a-time replay. */
#define LOOKAHEAD 16 /* a power of two */
#define NEAR 6

int ts_engine_fast_hier(ts_hier_t *h, ts_reader_t *r, ts_err_t *err)
{
    ts_req_t ring[LOOKAHEAD];
    size_t head = 0, count = 0;
    bool more = true;
    const ts_tier_t *top = h->n ? h->tiers[0] : NULL;
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
            if (top)
                ts_tier_prefetch(top, q->key, 0);
            count++;
        }
        if (count == 0)
            return ts_hier_finish(h, NULL, err);
        if (top && count > NEAR)
            ts_tier_prefetch(top, ring[(head + NEAR) & (LOOKAHEAD - 1)].key, 1);
        int rc = ts_hier_access(h, &ring[head], NULL, err);
        if (rc < 0) {
            ts_err_where(err, "request %llu", (unsigned long long)h->tot.n_req);
            return rc;
        }
        head = (head + 1) & (LOOKAHEAD - 1);
        count--;
    }
}

int ts_engine_fast(ts_tier_t *const *tiers, size_t n, ts_reader_t *r, ts_totals_t *tot,
                   ts_err_t *err)
{
    static const ts_hier_config_t defaults; /* all zeros: the default hierarchy */
    ts_hier_t *h;
    int rc = ts_hier_create(&defaults, tiers, n, &h, err);
    if (rc)
        return rc;
    rc = ts_engine_fast_hier(h, r, err);
    const ts_totals_t *s = &h->tot;
    if (s->n_req) {
        if (tot->n_req == 0)
            tot->first_ns = s->first_ns;
        tot->last_ns = s->last_ns;
    }
    tot->n_req += s->n_req;
    tot->n_get += s->n_get;
    tot->n_put += s->n_put;
    tot->n_delete += s->n_delete;
    tot->bytes_req += s->bytes_req;
    tot->n_hit += s->n_hit;
    tot->bytes_hit += s->bytes_hit;
    tot->n_backing += s->n_backing;
    tot->bytes_backing += s->bytes_backing;
    ts_hier_destroy(h);
    return rc;
}
