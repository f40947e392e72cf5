/* SPDX-License-Identifier: MIT */
/*
 * engine_fast.c - the fast engine: functional replay, no clock (see engine.h).
 */
#include "engine.h"

#include "lookahead.h"

#include <stdbool.h>

/* One tier under the default rules (h->is_plain): a get that is no prefetch hint is a
 * lookup and, on a miss, a fill, with the counts ts_hier_access would make on that path
 * (the totals, and the read over link 0 on a miss: from the tier after its fill, or from
 * the backing store past a tier that refused the object; tests/test_engine.c replays the
 * same traces both ways). Everything else goes through ts_hier_access. */
static int fast_one_tier(ts_hier_t *h, ts_lookahead_t *la, ts_series_t *s, ts_err_t *err)
{
    ts_tier_t *t = h->tiers[0];
    ts_totals_t *tot = &h->tot;
    ts_link_stats_t *link = &h->link[0];
    const ts_req_t *q;
    int rc;
    while ((rc = ts_lookahead_next(la, &q, err)) > 0) {
        if (s && ts_series_is_due(s, q->time_ns, tot->n_req))
            ts_series_advance(s, q->time_ns, tot->n_req);
        if (q->op != TS_OP_GET || (q->flags & TS_REQ_PREFETCH)) {
            rc = ts_hier_access(h, q, NULL, err);
            if (rc < 0)
                break;
            continue;
        }
        uint64_t size = q->size_bytes;
        if (tot->n_req == 0)
            tot->first_ns = q->time_ns;
        tot->last_ns = q->time_ns;
        tot->n_req++;
        tot->n_get++;
        tot->bytes_req += size;
        if (ts_tier_lookup(t, q)) {
            tot->n_hit++;
            tot->bytes_hit += size;
            continue;
        }
        tot->n_backing++;
        tot->bytes_backing += size;
        bool ok;
        rc = ts_tier_fill(t, q, NULL, NULL, &ok, err);
        if (rc < 0)
            break;
        link->n_up++;
        link->bytes_up += size;
    }
    return rc;
}

/* Requests come through the read-ahead ring (lookahead.h), which hints each key's index
 * slot and node into the CPU cache before its turn when the policies' structures outgrow
 * the last-level cache; the counters are those of a plain one-at-a-time replay. A series
 * costs one comparison per request until a sample is due. */
int ts_engine_fast_series(ts_hier_t *h, ts_reader_t *r, ts_series_t *s,
                          const ts_progress_hook_t *progress, ts_err_t *err)
{
    ts_lookahead_t la;
    ts_lookahead_init(&la, h, r, progress);
    int rc = s ? ts_series_begin(s, h, 0, NULL, NULL, false, err) : 0;
    if (rc)
        return rc;
    const ts_req_t *q;
    if (h->is_plain && h->n == 1) {
        rc = fast_one_tier(h, &la, s, err);
        if (rc < 0) {
            ts_err_where(err, "request %llu", (unsigned long long)h->tot.n_req);
            return rc;
        }
    }
    while ((rc = ts_lookahead_next(&la, &q, err)) > 0) {
        if (s && ts_series_is_due(s, q->time_ns, h->tot.n_req))
            ts_series_advance(s, q->time_ns, h->tot.n_req);
        rc = ts_hier_access(h, q, NULL, err);
        if (rc < 0) {
            ts_err_where(err, "request %llu", (unsigned long long)h->tot.n_req);
            return rc;
        }
    }
    if (rc == 0)
        rc = ts_hier_finish(h, NULL, err);
    if (rc == 0 && s)
        ts_series_finish(s, TS_SERIES_END_OF_INTERVAL, h->tot.n_req);
    return rc;
}

int ts_engine_fast_hier(ts_hier_t *h, ts_reader_t *r, const ts_progress_hook_t *progress,
                        ts_err_t *err)
{
    return ts_engine_fast_series(h, r, NULL, progress, err);
}

int ts_engine_fast(ts_tier_t *const *tiers, size_t n, ts_reader_t *r, ts_totals_t *tot,
                   ts_err_t *err)
{
    static const ts_hier_config_t defaults; /* all zeros: the default hierarchy */
    ts_hier_t *h;
    int rc = ts_hier_create(&defaults, tiers, n, &h, err);
    if (rc)
        return rc;
    rc = ts_engine_fast_hier(h, r, NULL, err);
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
