/* SPDX-License-Identifier: MIT */
/*
 * engine_fast.c - the fast engine: functional replay, no clock (see engine.h).
 */
#include "engine.h"

#include "lookahead.h"

#include <stdbool.h>

/* Adds n get requests of bytes bytes, hits of them of hit_bytes, the last at last_ns, to
 * the tier's and the hierarchy's counters, as ts_hier_access counts them on the path
 * fast_one_tier takes. */
static void fast_count(ts_hier_t *h, uint64_t n, uint64_t bytes, uint64_t hits,
                       uint64_t hit_bytes, uint64_t last_ns)
{
    if (!n)
        return;
    ts_totals_t *tot = &h->tot;
    ts_tier_count_gets(h->tiers[0], n, bytes, hits, hit_bytes);
    tot->n_req += n;
    tot->n_get += n;
    tot->bytes_req += bytes;
    tot->n_hit += hits;
    tot->bytes_hit += hit_bytes;
    tot->n_backing += n - hits;
    tot->bytes_backing += bytes - hit_bytes;
    tot->last_ns = last_ns;
}

/* One tier under the default rules (h->is_plain): a get that is no prefetch hint is a
 * lookup and, on a miss, a fill, with the counts ts_hier_access would make on that path
 * (the totals, and the read over link 0 on a miss: from the tier after its fill, or from
 * the backing store past a tier that refused the object; tests/test_engine.c replays the
 * same traces both ways). The loop takes the read-ahead block by block, calls the policy's
 * lookup itself and keeps its counts in registers, adding them (fast_count) before
 * anything else reads them: a series sample, a request of another kind, the end.
 * Everything but such gets goes through ts_hier_access. */
static int fast_one_tier(ts_hier_t *h, ts_lookahead_t *la, ts_series_t *s, ts_err_t *err)
{
    ts_tier_t *t = h->tiers[0];
    ts_policy_t *p = t->policy;
    bool (*lookup)(ts_policy_t *, const ts_req_t *, bool) = p->ops->lookup;
    ts_totals_t *tot = &h->tot;
    ts_link_stats_t *link = &h->link[0];
    uint64_t n = 0, bytes = 0, hits = 0, hit_bytes = 0, last_ns = 0, misses = 0;
    const ts_req_t *reqs;
    size_t len, first;
    int rc;
    while ((rc = ts_lookahead_block(la, &reqs, &len, &first, err)) > 0) {
        bool hint = la->hint;
        for (size_t i = 0; i < len; i++) {
            const ts_req_t *q = &reqs[i];
            if (hint)
                ts_lookahead_hint_turn(la, first + i);
            if (s && ts_series_is_due(s, q->time_ns, tot->n_req + n)) {
                fast_count(h, n, bytes, hits, hit_bytes, last_ns);
                n = bytes = hits = hit_bytes = 0;
                ts_series_advance(s, q->time_ns, tot->n_req);
            }
            if (q->op != TS_OP_GET || (q->flags & TS_REQ_PREFETCH)) {
                fast_count(h, n, bytes, hits, hit_bytes, last_ns);
                n = bytes = hits = hit_bytes = 0;
                rc = ts_hier_access(h, q, NULL, err);
                if (rc < 0)
                    goto out;
                continue;
            }
            uint64_t size = q->size_bytes;
            if (n == 0 && tot->n_req == 0)
                tot->first_ns = q->time_ns;
            last_ns = q->time_ns;
            n++;
            bytes += size;
            if (lookup(p, q, true)) {
                hits++;
                hit_bytes += size;
                continue;
            }
            bool ok;
            rc = ts_tier_fill(t, q, NULL, NULL, &ok, err);
            if (rc < 0)
                goto out;
            misses++;
            link->bytes_up += size;
        }
    }
out:
    fast_count(h, n, bytes, hits, hit_bytes, last_ns);
    link->n_up += misses;
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
    ts_lookahead_init(&la, h, r, TS_LOOKAHEAD_BLOCK, progress);
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
