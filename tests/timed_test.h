/* SPDX-License-Identifier: MIT */
/*
 * timed_test.h - the timed engine tests' fixture: one LRU tier "fast" (1 channel, 10 us,
 * 1 GB/s) over a backing store "slow" (8 channels, 1 ms, 100 MB/s), round numbers so every
 * latency can be worked out on paper (1 MB objects: 1 ms on the fast device, 10 ms on the
 * slow one). Include after <cmocka.h>.
 */
#ifndef TS_TESTS_TIMED_TEST_H
#define TS_TESTS_TIMED_TEST_H

#include <stdio.h>
#include <string.h>

#include "policies/registry.h"
#include "sim/hier.h"
#include "sim/memtrace.h"
#include "sim/timed.h"

#define MB 1000000ull
#define US 1000ull
#define MS 1000000ull

typedef struct fixture {
    ts_tier_t *tier[2];
    size_t n;
    ts_hier_t *h;
    ts_memtrace_t *mt;
    ts_reader_t *r;
    ts_timed_config_t cfg;
    ts_timed_result_t res;
} fixture_t;

static inline void dev(ts_device_t *d, const char *name, uint64_t channels, uint64_t lat_ns,
                uint64_t bw)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->channels = channels;
    d->read_latency_ns = d->write_latency_ns = lat_ns;
    d->read_bytes_per_s = d->write_bytes_per_s = bw;
    d->capacity_bytes = 1ull << 40;
}

/* One LRU tier of cap objects over the backing store; the default hierarchy. */
static inline void setup(fixture_t *f, uint64_t cap)
{
    memset(f, 0, sizeof(*f));
    ts_err_t err;
    ts_policy_init_t init = {.capacity = cap, .count_objects = true};
    const ts_policy_ops_t *lru = ts_policy_find("lru", &err);
    assert_non_null(lru);
    assert_int_equal(ts_tier_create("fast", lru, NULL, &init, &f->tier[0], &err), 0);
    f->n = 1;
    ts_hier_config_t hc;
    memset(&hc, 0, sizeof(hc));
    assert_int_equal(ts_hier_create(&hc, f->tier, f->n, &f->h, &err), 0);
    assert_int_equal(ts_memtrace_create(&f->mt, &err), 0);
    dev(&f->cfg.dev[0], "fast", 1, 10 * US, 1000 * MB);
    dev(&f->cfg.dev[1], "slow", 8, 1 * MS, 100 * MB);
    f->cfg.time_scale = 1.0;
}

static inline void teardown(fixture_t *f)
{
    ts_timed_result_release(&f->res);
    ts_reader_close(f->r);
    ts_memtrace_destroy(f->mt);
    ts_hier_destroy(f->h);
    for (size_t i = 0; i < f->n; i++)
        ts_tier_destroy(f->tier[i]);
}

#endif
