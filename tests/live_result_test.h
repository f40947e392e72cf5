/* SPDX-License-Identifier: MIT */
/*
 * live_result_test.h - a live run's result built by hand for the report tests (JSON, HDF5,
 * HTML): two tiers and the backing store, what the live engine measured, what the timed
 * engine predicted, each back-end; the errors and rates below are worked out by hand.
 * Header-only, static helpers; needs cmocka and result_test.h.
 */
#ifndef TS_TESTS_LIVE_RESULT_TEST_H
#define TS_TESTS_LIVE_RESULT_TEST_H

#include <string.h>

#include "result_test.h"

/* One histogram bucket: [lo, hi] ns, count requests. */
typedef struct live_bucket {
    uint64_t lo, hi, count;
} live_bucket_t;

/* *l := a summary of n requests with these figures (ns) and the buckets b[0..nb), owned by
 * the result. */
static inline void live_lat(ts_lat_t *l, uint64_t n, double mean, uint64_t p50, uint64_t p90,
                            uint64_t p99, uint64_t p999, uint64_t max, const live_bucket_t *b,
                            size_t nb)
{
    *l = (ts_lat_t){.n = n, .mean_ns = mean, .p50_ns = p50, .p90_ns = p90, .p99_ns = p99,
                    .p999_ns = p999, .max_ns = max};
    if (!nb)
        return;
    l->buckets = ts_calloc(nb, sizeof(*l->buckets));
    assert_non_null(l->buckets);
    for (size_t i = 0; i < nb; i++)
        l->buckets[i] = (ts_hist_bucket_t){.lo_ns = b[i].lo, .hi_ns = b[i].hi, .count = b[i].count};
    l->n_buckets = nb;
}

/* t->served := n zeroed summaries. */
static inline void live_levels(ts_timed_result_t *t, size_t n)
{
    t->served = ts_calloc(n, sizeof(*t->served));
    assert_non_null(t->served);
    t->n_levels = n;
}

/* Closed loop of 4 clients (think 0), tiers hbm and dram over a backing store.
 *
 *                      measured   predicted   error (measured - predicted) / predicted
 *   requests/s               50          40    +25%
 *   bytes/s               30000       40000    -25%
 *   span                  200ms       250ms    -20%
 *   all and get: mean      1500        1000    +50%
 *                p50       1100        1000    +10%
 *                p90, p99, p99.9   3000  2000  +50%
 *   (no puts: no put rows)
 *   get p50 by hbm          600         500    +20%
 *               dram       1000        2000    -50%
 *               backing    8000        4000   +100%
 *   utilisation             0.5         0.4    +25%
 * 17 figures. Back-ends over the measured 200 ms: hbm 6 reads + 4 writes, 10000 bytes:
 * 50 IOPS, 50000 bytes/s; dram 2 + 3, 5000 bytes: 25 IOPS, 25000 bytes/s; backing 1 read,
 * 1000 bytes: 5 IOPS, 5000 bytes/s. The run stopped early ("stopped by SIGINT"). */
static inline void make_live_result(ts_result_t *r)
{
    memset(r, 0, sizeof(*r));
    test_str(&r->scenario, "examples/live.yaml");
    test_str(&r->name, "live by hand");
    test_str(&r->workload, "zipf alpha=0.9 keys=100");
    r->seed = 9;
    r->mode = TS_MODE_BYTES;
    r->engine = "live";
    test_result_tiers(r, 2);
    test_str(&r->tiers[0].name, "hbm");
    test_str(&r->tiers[0].policy, "lru");
    test_str(&r->tiers[1].name, "dram");
    test_str(&r->tiers[1].policy, "lru");
    r->tiers[0].capacity = 4000;
    r->tiers[1].capacity = 8000;
    r->tiers[0].st = (ts_tier_stats_t){.n_req = 4, .n_hit = 2, .n_miss = 2, .n_get = 4};
    r->tiers[1].st = (ts_tier_stats_t){.n_req = 2, .n_hit = 1, .n_miss = 1, .n_get = 2};
    r->totals = (ts_totals_t){.n_req = 4, .n_get = 4, .bytes_req = 4000, .n_hit = 3,
                              .bytes_hit = 3000, .n_backing = 1, .bytes_backing = 1000};

    static const live_bucket_t pb[] = {{1000, 1007, 2}, {2000, 2015, 2}};
    static const live_bucket_t mb[] = {{1096, 1103, 2}, {3000, 3023, 2}};
    r->has_timed = true;
    ts_timed_result_t *p = &r->timed;
    p->arrivals = TS_ARRIVALS_CLOSED;
    p->clients = 4;
    p->span_ns = 250000000;
    p->end_ns = 250000000;
    p->n_timed = 4;
    p->req_per_s = 40;
    p->bytes_per_s = 40000;
    p->compute_ns = 1000000;
    p->utilisation = 0.4;
    live_lat(&p->all, 4, 1000, 1000, 2000, 2000, 2000, 2000, pb, 2);
    live_lat(&p->op[0], 4, 1000, 1000, 2000, 2000, 2000, 2000, pb, 2);
    live_levels(p, 3);
    static const live_bucket_t p0[] = {{500, 503, 2}}, p1[] = {{2000, 2015, 1}},
                               p2[] = {{4000, 4031, 1}};
    live_lat(&p->served[0], 2, 500, 500, 500, 500, 500, 500, p0, 1);
    live_lat(&p->served[1], 1, 2000, 2000, 2000, 2000, 2000, 2000, p1, 1);
    live_lat(&p->served[2], 1, 4000, 4000, 4000, 4000, 4000, 4000, p2, 1);

    r->has_live = true;
    ts_live_result_t *lr = &r->live;
    ts_timed_result_t *m = &lr->m;
    m->arrivals = TS_ARRIVALS_CLOSED;
    m->clients = 4;
    m->span_ns = 200000000;
    m->n_timed = 4;
    m->req_per_s = 50;
    m->bytes_per_s = 30000;
    m->compute_ns = 1000000;
    m->utilisation = 0.5;
    live_lat(&m->all, 4, 1500, 1100, 3000, 3000, 3000, 3000, mb, 2);
    live_lat(&m->op[0], 4, 1500, 1100, 3000, 3000, 3000, 3000, mb, 2);
    live_levels(m, 3);
    static const live_bucket_t m0[] = {{600, 603, 2}}, m1[] = {{1000, 1007, 1}},
                               m2[] = {{8000, 8063, 1}};
    live_lat(&m->served[0], 2, 600, 600, 600, 600, 600, 600, m0, 1);
    live_lat(&m->served[1], 1, 1000, 1000, 1000, 1000, 1000, 1000, m1, 1);
    live_lat(&m->served[2], 1, 8000, 8000, 8000, 8000, 8000, 8000, m2, 1);

    lr->speed = 1;
    lr->verify = true;
    lr->n_verified = 4;
    lr->populate_objects = 100;
    lr->populate_bytes = 409600;
    lr->populate_s = 0.5;
    lr->made_objects = 2;
    lr->cpu_s = 0.125;
    lr->partial = true;
    test_str(&lr->stop_reason, "stopped by SIGINT");
    lr->level = ts_calloc(3, sizeof(*lr->level));
    assert_non_null(lr->level);
    lr->n_levels = 3;
    static const live_bucket_t rb[] = {{496, 499, 6}}, wb[] = {{1000, 1007, 4}},
                               r1[] = {{1000, 1007, 2}}, r2[] = {{1000, 1007, 1}};
    ts_live_level_t *d = &lr->level[0];
    test_str(&d->backend, "memory");
    d->n_read = 6, d->n_write = 4, d->n_free = 1;
    d->bytes_read = 6000, d->bytes_written = 4000;
    d->max_inflight = 2;
    d->busy_s = 0.05;
    live_lat(&d->read, 6, 497, 497, 499, 499, 499, 499, rb, 1);
    live_lat(&d->write, 4, 1003, 1003, 1007, 1007, 1007, 1007, wb, 1);
    d = &lr->level[1];
    test_str(&d->backend, "file");
    d->direct = true;
    d->n_read = 2, d->n_write = 3;
    d->bytes_read = 2000, d->bytes_written = 3000;
    d->max_inflight = 3;
    d->busy_s = 0.1;
    live_lat(&d->read, 2, 1003, 1003, 1007, 1007, 1007, 1007, r1, 1);
    d = &lr->level[2];
    test_str(&d->backend, "directory");
    d->emulated = true;
    d->n_read = 1;
    d->bytes_read = 1000;
    d->max_inflight = 1;
    d->busy_s = 0.01;
    live_lat(&d->read, 1, 1003, 1003, 1003, 1003, 1003, 1003, r2, 1);
}

#endif
