/* SPDX-License-Identifier: MIT */
/*
 * report_test.h - what the report writers' tests (test_report*.c) share: the hand-built
 * two-tier result whose figures they check (make_result) and the same result with a bill
 * set by hand (make_cost_result); a writer run into memory (capture, with the JSON writer
 * with and without timing); reading the JSON document back (parse, get_int, get_real,
 * get_str); and a check that every line of a text fits a width. Header-only, static
 * helpers; the results own heap strings, freed by ts_result_release.
 */
#ifndef TS_TESTS_REPORT_TEST_H
#define TS_TESTS_REPORT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "reports/report.h"
#include "result_test.h"

/* ---- the hand-built result --------------------------------------------------------- */

/* tier hbm:  10 requests, 4 hits, 6 misses (0.6); bytes 10000 asked, 2500 hit, 7500 missed
 *            (0.75); capacity 20000 objects.
 * tier dram: 6 requests, 3 hits, 3 misses (0.5); bytes 7500 asked, 3000 hit, 4500 missed
 *            (0.6); capacity 1000 objects; its name needs CSV quoting.
 * totals:    10 requests (8 get, 1 put, 1 delete), 7 served by a tier (0.7), 5500 of 10000
 *            bytes hit (0.55), 3 requests and 4500 bytes to the backing store. */
static inline void make_result(ts_result_t *r)
{
    memset(r, 0, sizeof(*r));
    test_str(&r->scenario, "examples/two-tiers.yaml");
    test_str(&r->name, "two tiers");
    test_str(&r->workload, "zipf alpha=0.9 keys=100");
    r->seed = 42;
    r->mode = TS_MODE_OBJECTS;
    r->engine = "fast";
    r->footprint_objects = 100;
    r->footprint_bytes = 409600;
    test_result_tiers(r, 2);

    ts_tier_result_t *t = &r->tiers[0];
    test_str(&t->name, "hbm");
    test_str(&t->policy, "lru");
    t->capacity = 20000;
    t->n_objects = 4;
    t->used = 4;
    t->st = (ts_tier_stats_t){
        .n_req = 10, .n_hit = 4, .n_miss = 6, .bytes_req = 10000, .bytes_hit = 2500,
        .bytes_miss = 7500, .n_get = 8, .n_put = 1, .n_delete = 1, .n_insert = 6,
        .n_evict = 2, .n_too_large = 0, .n_removed = 1, .bytes_in = 6144, .bytes_out = 3072,
        .used_peak = 5,
    };

    t = &r->tiers[1];
    test_str(&t->name, "dram, \"big\"");
    test_str(&t->policy, "fifo");
    test_str(&t->params, "ratio=0.1");
    t->capacity = 1000;
    t->n_objects = 3;
    t->used = 3;
    t->st = (ts_tier_stats_t){
        .n_req = 6, .n_hit = 3, .n_miss = 3, .bytes_req = 7500, .bytes_hit = 3000,
        .bytes_miss = 4500, .n_get = 5, .n_put = 1, .n_delete = 0, .n_insert = 3,
        .n_evict = 0, .n_too_large = 1, .n_removed = 0, .bytes_in = 4500, .bytes_out = 0,
        .used_peak = 3,
    };

    r->totals = (ts_totals_t){
        .n_req = 10, .n_get = 8, .n_put = 1, .n_delete = 1, .bytes_req = 10000, .n_hit = 7,
        .bytes_hit = 5500, .n_backing = 3, .bytes_backing = 4500, .first_ns = 1000,
        .last_ns = 2000000,
    };
}

/* make_result's two tiers plus a central store, with a bill set by hand (the cost model's
 * own arithmetic is tested in test_cost.c): 2 h of trace span; DRAM bought at $4/GB over
 * 5 y ($0.02); S3 rented ($0.10); 1,000 GETs at $0.0004/1000 ($0.0004); 2 GB out at
 * $0.09/GB ($0.18); 8 H100s for 2 h at $2.99/h ($47.84), 10% of it stalled ($4.784); no
 * power; total $48.1404; 10 requests ($4,814,040 per million), 1.5 epochs ($32.0936). The
 * prices are profile neocloud-2025's, read 2025. */
static inline void make_cost_result(ts_result_t *r)
{
    make_result(r);
    test_str(&r->tiers[1].name, "dram");
    r->has_cost = true;
    ts_cost_result_t *c = &r->cost;
    c->period_ns = 7200000000000ULL;
    c->period_from = TS_COST_PERIOD_TRACE;
    test_cost_levels(c, 3);
    static const char *const names[] = {"hbm", "dram", "backing"};
    static const char *const rows[] = {"h100-sxm", "kind:dram", "kind:object_store"};
    for (size_t i = 0; i < 3; i++) {
        test_str(&c->level[i].name, "%s", names[i]);
        snprintf(c->level[i].price.row, sizeof(c->level[i].price.row), "%s", rows[i]);
        c->level[i].price.lifetime_ns = 5 * 31536000000000000ULL;
    }
    c->level[0].billed_bytes = 80000000000ULL;
    c->level[1].billed_bytes = 100000000000ULL;
    c->level[1].price.purchase_usd_gb = 4;
    c->level[1].capacity_usd = 0.02;
    c->level[2].billed_bytes = 1000000000000ULL;
    c->level[2].price.storage_usd_gb_month = 0.023;
    c->level[2].price.get_usd = 4e-7;
    c->level[2].price.put_usd = 5e-6;
    c->level[2].price.egress_usd_gb = 0.09;
    c->level[2].capacity_usd = 0.1;
    c->capacity_usd = 0.12;
    c->n_get = 1000;
    c->get_usd = c->requests_usd = 0.0004;
    c->bytes_out = 2000000000ULL;
    c->egress_usd = c->transfer_usd = 0.18;
    test_str(&c->gpu, "h100-sxm");
    test_str(&c->prices, "neocloud-2025");
    test_str(&c->prices_date, "2025");
    c->gpus = 8;
    c->gpus_from = "cost.gpus";
    c->gpu_usd_hour = 2.99;
    c->gpu_usd = 47.84;
    c->has_stall = true;
    c->stall_share = 0.1;
    c->stall_usd = 4.784;
    c->total_usd = 48.1404;
    c->n_requests = 10;
    c->usd_per_m_requests = 4814040;
    c->epochs = 1.5;
    c->usd_per_epoch = 32.0936;
}

/* ---- helpers ---------------------------------------------------------------------------- */

typedef int (*writer_fn)(const ts_result_t *res, FILE *out, ts_err_t *err);

/* Runs a writer into memory; returns its code and the text (malloc'd, caller frees). */
static inline int capture(writer_fn fn, const ts_result_t *r, char **text, ts_err_t *err)
{
    size_t len = 0;
    FILE *f = open_memstream(text, &len);
    assert_non_null(f);
    int rc = fn(r, f, err);
    assert_int_equal(fclose(f), 0);
    return rc;
}

static inline int json_plain(const ts_result_t *r, FILE *out, ts_err_t *err)
{
    return ts_report_json(r, false, out, err);
}

static inline int json_timed(const ts_result_t *r, FILE *out, ts_err_t *err)
{
    return ts_report_json(r, true, out, err);
}

static inline json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!root)
        fail_msg("JSON does not parse: line %d: %s", jerr.line, jerr.text);
    return root;
}

static inline json_int_t get_int(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is missing or not an integer", key);
    return json_integer_value(v);
}

static inline double get_real(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_real(v))
        fail_msg("\"%s\" is missing or not a real", key);
    return json_real_value(v);
}

static inline const char *get_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is missing or not a string", key);
    return json_string_value(v);
}

/* Every line of the text report, checked for width. */
static inline void assert_width(const char *text, size_t max)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        if (n > max)
            fail_msg("line wider than %zu columns (%zu): %.*s", max, n, (int)n, p);
        p += n + (p[n] == '\n');
    }
}

#endif
