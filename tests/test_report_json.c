/* SPDX-License-Identifier: MIT */
/*
 * test_report_json.c - the JSON writer (reports/json.c): the hand-built two-tier result of
 * tests/report_test.h comes out with every key in document order and the hand-computed
 * figures; the document is byte-identical from run to run and without wall time unless
 * timing is asked for (then null where no time was measured); bytes that are not UTF-8
 * become U+FFFD; a counter past INT64_MAX is refused with nothing written; each failed
 * allocation is TS_ENOMEM with no output and no leak; the bill is a "cost" object, absent
 * from a result without one; a live run's "live" object (how it ran, what it measured, each
 * figure beside the prediction with the error worked out by hand, each back-end's rates)
 * and "timed" marked as the prediction; the time to first token's figures (live_compare.c)
 * when the run or its prediction has request groups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "sim/util/mem.h"
#include "report_test.h"
#include "live_result_test.h"

/* ---- helpers ---------------------------------------------------------------------------- */

/* The keys of obj, in document order, must be exactly want[0..n). */
static void assert_keys(json_t *obj, const char *const *want, size_t n)
{
    assert_int_equal(json_object_size(obj), n);
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        (void)v;
        if (strcmp(key, want[i]) != 0)
            fail_msg("key %zu is \"%s\", expected \"%s\"", i, key, want[i]);
        i++;
    }
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void test_report_json_fields(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    json_t *root = parse(text);

    static const char *const top[] = {"tiersim_version", "schema", "scenario", "tiers",
                                      "totals",          "hierarchy"};
    assert_keys(root, top, sizeof(top) / sizeof(top[0]));
    assert_string_equal(get_str(root, "tiersim_version"), TS_VERSION);
    assert_int_equal(get_int(root, "schema"), 1);

    json_t *sc = json_object_get(root, "scenario");
    static const char *const sc_keys[] = {"source", "name",     "seed",
                                          "mode",   "engine",   "workload",
                                          "footprint_objects", "footprint_bytes"};
    assert_keys(sc, sc_keys, sizeof(sc_keys) / sizeof(sc_keys[0]));
    assert_string_equal(get_str(sc, "source"), "examples/two-tiers.yaml");
    assert_string_equal(get_str(sc, "name"), "two tiers");
    assert_int_equal(get_int(sc, "seed"), 42);
    assert_string_equal(get_str(sc, "mode"), "objects");
    assert_string_equal(get_str(sc, "engine"), "fast");
    assert_string_equal(get_str(sc, "workload"), "zipf alpha=0.9 keys=100");
    assert_int_equal(get_int(sc, "footprint_objects"), 100);
    assert_int_equal(get_int(sc, "footprint_bytes"), 409600);

    json_t *tiers = json_object_get(root, "tiers");
    assert_true(json_is_array(tiers));
    assert_int_equal(json_array_size(tiers), 2);
    static const char *const tier_keys[] = {
        "name",      "policy",     "params",          "capacity",        "capacity_unit",
        "requests",  "hits",       "misses",          "miss_ratio",      "byte_miss_ratio",
        "evictions", "insertions", "too_large",       "removed",         "bytes_requested",
        "bytes_hit", "bytes_missed", "bytes_in",      "bytes_out",       "gets",
        "puts",      "deletes",    "used_peak",       "objects_end",     "used_end",
        "admission", "admission_params", "refused",   "promotions_in",   "promotions_out",
        "demotions_in", "demotions_out", "back_invalidations", "writebacks", "writeback_bytes",
        "prefetched", "prefetched_bytes"};

    json_t *t0 = json_array_get(tiers, 0);
    assert_keys(t0, tier_keys, sizeof(tier_keys) / sizeof(tier_keys[0]));
    assert_string_equal(get_str(t0, "name"), "hbm");
    assert_string_equal(get_str(t0, "policy"), "lru");
    assert_string_equal(get_str(t0, "params"), "");
    assert_int_equal(get_int(t0, "capacity"), 20000);
    assert_string_equal(get_str(t0, "capacity_unit"), "objects");
    assert_int_equal(get_int(t0, "requests"), 10);
    assert_int_equal(get_int(t0, "hits"), 4);
    assert_int_equal(get_int(t0, "misses"), 6);
    assert_true(get_real(t0, "miss_ratio") == 0.6);
    assert_true(get_real(t0, "byte_miss_ratio") == 0.75);
    assert_int_equal(get_int(t0, "evictions"), 2);
    assert_int_equal(get_int(t0, "insertions"), 6);
    assert_int_equal(get_int(t0, "too_large"), 0);
    assert_int_equal(get_int(t0, "removed"), 1);
    assert_int_equal(get_int(t0, "bytes_requested"), 10000);
    assert_int_equal(get_int(t0, "bytes_hit"), 2500);
    assert_int_equal(get_int(t0, "bytes_missed"), 7500);
    assert_int_equal(get_int(t0, "bytes_in"), 6144);
    assert_int_equal(get_int(t0, "bytes_out"), 3072);
    assert_int_equal(get_int(t0, "gets"), 8);
    assert_int_equal(get_int(t0, "puts"), 1);
    assert_int_equal(get_int(t0, "deletes"), 1);
    assert_int_equal(get_int(t0, "used_peak"), 5);
    assert_int_equal(get_int(t0, "objects_end"), 4);
    assert_int_equal(get_int(t0, "used_end"), 4);

    json_t *t1 = json_array_get(tiers, 1);
    assert_keys(t1, tier_keys, sizeof(tier_keys) / sizeof(tier_keys[0]));
    assert_string_equal(get_str(t1, "name"), "dram, \"big\"");
    assert_string_equal(get_str(t1, "policy"), "fifo");
    assert_string_equal(get_str(t1, "params"), "ratio=0.1");
    assert_int_equal(get_int(t1, "capacity"), 1000);
    assert_int_equal(get_int(t1, "requests"), 6);
    assert_int_equal(get_int(t1, "hits"), 3);
    assert_int_equal(get_int(t1, "misses"), 3);
    assert_true(get_real(t1, "miss_ratio") == 0.5);
    assert_true(get_real(t1, "byte_miss_ratio") == 0.6);
    assert_int_equal(get_int(t1, "too_large"), 1);
    assert_int_equal(get_int(t1, "bytes_in"), 4500);
    assert_int_equal(get_int(t1, "used_peak"), 3);

    json_t *to = json_object_get(root, "totals");
    static const char *const to_keys[] = {
        "requests",  "gets",      "puts",           "deletes",          "bytes_requested",
        "hits",      "bytes_hit", "hit_ratio",      "byte_hit_ratio",   "backing_requests",
        "backing_bytes", "first_time_ns", "last_time_ns", "skipped_records",
        "skipped_first"};
    assert_keys(to, to_keys, sizeof(to_keys) / sizeof(to_keys[0]));
    assert_int_equal(get_int(to, "requests"), 10);
    assert_int_equal(get_int(to, "gets"), 8);
    assert_int_equal(get_int(to, "puts"), 1);
    assert_int_equal(get_int(to, "deletes"), 1);
    assert_int_equal(get_int(to, "bytes_requested"), 10000);
    assert_int_equal(get_int(to, "hits"), 7);
    assert_int_equal(get_int(to, "bytes_hit"), 5500);
    assert_true(get_real(to, "hit_ratio") == 0.7);
    assert_true(get_real(to, "byte_hit_ratio") == 0.55);
    assert_int_equal(get_int(to, "backing_requests"), 3);
    assert_int_equal(get_int(to, "backing_bytes"), 4500);
    assert_int_equal(get_int(to, "first_time_ns"), 1000);
    assert_int_equal(get_int(to, "last_time_ns"), 2000000);

    json_decref(root);
    free(text);
    ts_result_release(&r);
}

/* Same result twice, and a result that differs only in wall time: identical bytes. */
static void test_report_json_deterministic(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    char *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(capture(json_plain, &r, &a, &err), 0);
    assert_int_equal(capture(json_plain, &r, &b, &err), 0);
    r.wall_s = 3.25;
    assert_int_equal(capture(json_plain, &r, &c, &err), 0);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    assert_null(strstr(a, "wall"));
    assert_null(strstr(a, "timing"));
    /* two-space indentation, one document followed by a newline */
    assert_non_null(strstr(a, "\n  \"schema\": 1,\n"));
    assert_int_equal(a[strlen(a) - 1], '\n');
    free(a), free(b), free(c);
    ts_result_release(&r);
}

static void test_report_json_timing(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    r.wall_s = 2.5; /* 10 requests in 2.5 s: 4 requests/s */
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(json_timed, &r, &text, &err), 0);
    json_t *root = parse(text);
    static const char *const top[] = {"tiersim_version", "schema", "scenario", "tiers",
                                      "totals",          "hierarchy", "timing"};
    assert_keys(root, top, sizeof(top) / sizeof(top[0]));
    json_t *tm = json_object_get(root, "timing");
    assert_true(get_real(tm, "wall_s") == 2.5);
    assert_true(get_real(tm, "requests_per_s") == 4.0);
    json_decref(root);
    free(text);

    /* no measured wall time: the figures are null rather than invented */
    r.wall_s = 0.0;
    assert_int_equal(capture(json_timed, &r, &text, &err), 0);
    root = parse(text);
    tm = json_object_get(root, "timing");
    assert_true(json_is_null(json_object_get(tm, "wall_s")));
    assert_true(json_is_null(json_object_get(tm, "requests_per_s")));
    json_decref(root);
    free(text);
    ts_result_release(&r);
}

/* Bytes that are not UTF-8 become U+FFFD; the document still parses. */
static void test_report_json_bad_utf8(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    test_str(&r.tiers[0].name, "a\xff" "b\xc3");
    test_str(&r.name, "caf\xc3\xa9"); /* valid: kept as is */
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    json_t *root = parse(text);
    json_t *t0 = json_array_get(json_object_get(root, "tiers"), 0);
    assert_string_equal(get_str(t0, "name"), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    assert_string_equal(get_str(json_object_get(root, "scenario"), "name"), "caf\xc3\xa9");
    json_decref(root);
    free(text);
    ts_result_release(&r);
}

static void test_report_json_counter_range(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    r.tiers[1].st.bytes_in = (uint64_t)INT64_MAX; /* the largest that fits */
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    json_t *root = parse(text);
    assert_true(get_int(json_array_get(json_object_get(root, "tiers"), 1), "bytes_in") ==
                INT64_MAX);
    json_decref(root);
    free(text);

    r.tiers[1].st.bytes_in = (uint64_t)INT64_MAX + 1;
    assert_int_equal(capture(json_plain, &r, &text, &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "bytes_in"));
    assert_int_equal(strlen(text), 0); /* nothing written */
    free(text);
    ts_result_release(&r);
}

/* Fail the Nth allocation until the writer succeeds: each failure is TS_ENOMEM with a
 * message and no output; ASan checks that nothing leaks. */
static void test_report_json_oom(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    r.wall_s = 1.0;
    char *want = NULL;
    ts_err_t err = {0};
    assert_int_equal(capture(json_timed, &r, &want, &err), 0);
    long n;
    for (n = 0; n < 100000; n++) {
        char *text = NULL;
        ts_err_clear(&err);
        ts_mem_fail_after(n);
        int rc = capture(json_timed, &r, &text, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            assert_string_equal(text, want);
            free(text);
            break;
        }
        if (rc != TS_ENOMEM)
            fail_msg("allocation %ld: rc %d (%s)", n, rc, err.msg);
        assert_non_null(strstr(err.msg, "out of memory"));
        assert_int_equal(strlen(text), 0);
        free(text);
    }
    assert_true(n > 10); /* the document really goes through ts_malloc */
    free(want);
    ts_result_release(&r);
}

/* ---- the bill ---------------------------------------------------------------------------- */

static void test_report_cost_json(void **state)
{
    (void)state;
    ts_result_t r;
    make_cost_result(&r);
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    json_t *root = parse(text);
    json_t *c = json_object_get(root, "cost");
    static const char *const keys[] = {"prices",    "period_ns", "period_from", "levels",
                                       "capacity_usd", "requests", "transfer", "gpu",
                                       "power",     "total_usd", "normalised"};
    assert_keys(c, keys, sizeof(keys) / sizeof(keys[0]));
    assert_string_equal(get_str(json_object_get(c, "prices"), "profile"), "neocloud-2025");
    assert_string_equal(get_str(json_object_get(c, "prices"), "date"), "2025");
    assert_int_equal(get_int(c, "period_ns"), 7200000000000LL);
    assert_string_equal(get_str(c, "period_from"), "trace span");
    json_t *levels = json_object_get(c, "levels");
    assert_int_equal(json_array_size(levels), 3);
    json_t *dram = json_array_get(levels, 1);
    assert_string_equal(get_str(dram, "priced_as"), "kind:dram");
    assert_int_equal(get_int(dram, "billed_bytes"), 100000000000LL);
    assert_true(get_real(dram, "purchase_usd_per_gb") == 4);
    assert_int_equal(get_int(dram, "lifetime_ns"), 157680000000000000LL);
    assert_true(get_real(json_object_get(c, "requests"), "usd_per_get") == 4e-7);
    assert_int_equal(get_int(json_object_get(c, "transfer"), "bytes_out"), 2000000000LL);
    json_t *gpu = json_object_get(c, "gpu");
    assert_string_equal(get_str(gpu, "name"), "h100-sxm");
    assert_int_equal(get_int(gpu, "count"), 8);
    assert_true(json_is_null(json_object_get(gpu, "price_fallback")));
    assert_true(get_real(gpu, "stall_share") == 0.1);
    assert_true(get_real(c, "total_usd") == 48.1404);
    json_t *per = json_object_get(c, "normalised");
    assert_true(get_real(per, "usd_per_epoch") == 32.0936);
    assert_true(json_is_null(json_object_get(per, "usd_per_million_tokens")));
    assert_string_equal(get_str(per, "tokens_from"), "none");
    json_decref(root);
    free(text);
    r.has_cost = false;
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    assert_null(strstr(text, "\"cost\""));
    free(text);
    ts_result_release(&r);
}

/* ---- a live run --------------------------------------------------------------------- */

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-9 * (fabs(want) > 1 ? fabs(want) : 1))
        fail_msg("%.17g, expected %.17g", got, want);
}

static void test_report_live_json(void **state)
{
    (void)state;
    ts_result_t r;
    make_live_result(&r);
    ts_err_t err = {0};
    char *text = NULL, *again = NULL;
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    assert_int_equal(capture(json_plain, &r, &again, &err), 0);
    assert_string_equal(text, again); /* the same layout and values each time */
    json_t *root = parse(text);
    static const char *const top[] = {"tiersim_version", "schema", "scenario", "tiers",
                                      "totals", "hierarchy", "live", "timed"};
    assert_keys(root, top, sizeof(top) / sizeof(top[0]));
    assert_string_equal(get_str(json_object_get(root, "scenario"), "engine"), "live");
    json_t *timed = json_object_get(root, "timed");
    assert_true(json_is_true(json_object_get(timed, "is_prediction")));
    assert_true(get_real(timed, "requests_per_s") == 40);

    json_t *lv = json_object_get(root, "live");
    static const char *const keys[] = {
        "arrivals", "time_scale", "speed",       "clients",  "think_ns", "verify",
        "verified_reads", "populate", "made_objects", "late", "cpu_s", "partial",
        "stop_reason", "measured", "compare", "backends"};
    assert_keys(lv, keys, sizeof(keys) / sizeof(keys[0]));
    assert_string_equal(get_str(lv, "arrivals"), "closed");
    assert_int_equal(get_int(lv, "clients"), 4);
    assert_true(json_is_true(json_object_get(lv, "verify")));
    assert_int_equal(get_int(lv, "verified_reads"), 4);
    json_t *pop = json_object_get(lv, "populate");
    assert_int_equal(get_int(pop, "objects"), 100);
    assert_int_equal(get_int(pop, "bytes"), 409600);
    assert_true(get_real(pop, "seconds") == 0.5);
    assert_int_equal(get_int(lv, "made_objects"), 2);
    assert_int_equal(get_int(json_object_get(lv, "late"), "requests"), 0);
    assert_true(get_real(lv, "cpu_s") == 0.125);
    assert_true(json_is_true(json_object_get(lv, "partial")));
    assert_string_equal(get_str(lv, "stop_reason"), "stopped by SIGINT");

    json_t *m = json_object_get(lv, "measured");
    assert_int_equal(get_int(m, "span_ns"), 200000000);
    assert_true(get_real(m, "requests_per_s") == 50);
    json_t *all = json_object_get(json_object_get(m, "latency"), "all");
    assert_int_equal(get_int(all, "count"), 4);
    assert_int_equal(get_int(all, "p99_ns"), 3000);
    json_t *by = json_object_get(m, "get_latency_by_level");
    assert_int_equal(json_array_size(by), 3);
    assert_string_equal(get_str(json_array_get(by, 2), "level"), "backing");
    assert_int_equal(get_int(json_object_get(json_array_get(by, 2), "latency"), "p50_ns"), 8000);

    /* the table in live_result_test.h: 17 figures, errors by hand */
    static const struct {
        const char *figure, *unit;
        double measured, predicted, error_pct;
    } want[] = {
        {"requests_per_s", "1/s", 50, 40, 25},
        {"bytes_per_s", "bytes/s", 30000, 40000, -25},
        {"span_ns", "ns", 200e6, 250e6, -20},
        {"latency.all.mean_ns", "ns", 1500, 1000, 50},
        {"latency.all.p50_ns", "ns", 1100, 1000, 10},
        {"latency.all.p90_ns", "ns", 3000, 2000, 50},
        {"latency.all.p99_ns", "ns", 3000, 2000, 50},
        {"latency.all.p999_ns", "ns", 3000, 2000, 50},
        {"latency.get.mean_ns", "ns", 1500, 1000, 50},
        {"latency.get.p50_ns", "ns", 1100, 1000, 10},
        {"latency.get.p90_ns", "ns", 3000, 2000, 50},
        {"latency.get.p99_ns", "ns", 3000, 2000, 50},
        {"latency.get.p999_ns", "ns", 3000, 2000, 50},
        {"get_latency_by_level.hbm.p50_ns", "ns", 600, 500, 20},
        {"get_latency_by_level.dram.p50_ns", "ns", 1000, 2000, -50},
        {"get_latency_by_level.backing.p50_ns", "ns", 8000, 4000, 100},
        {"accelerator_utilisation", "ratio", 0.5, 0.4, 25},
    };
    json_t *cmp = json_object_get(lv, "compare");
    assert_int_equal(json_array_size(cmp), sizeof(want) / sizeof(want[0]));
    static const char *const cmp_keys[] = {"figure", "unit", "measured", "predicted",
                                           "error_pct"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        json_t *e = json_array_get(cmp, i);
        assert_keys(e, cmp_keys, 5);
        assert_string_equal(get_str(e, "figure"), want[i].figure);
        assert_string_equal(get_str(e, "unit"), want[i].unit);
        assert_near(get_real(e, "measured"), want[i].measured);
        assert_near(get_real(e, "predicted"), want[i].predicted);
        assert_near(get_real(e, "error_pct"), want[i].error_pct);
    }

    static const struct {
        const char *level, *backend;
        bool direct, emulated;
        json_int_t reads, writes;
        double iops, bytes_per_s;
    } be[] = {{"hbm", "memory", false, false, 6, 4, 50, 50000},
              {"dram", "file", true, false, 2, 3, 25, 25000},
              {"backing", "directory", false, true, 1, 0, 5, 5000}};
    json_t *bes = json_object_get(lv, "backends");
    assert_int_equal(json_array_size(bes), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(bes, i);
        assert_string_equal(get_str(e, "level"), be[i].level);
        assert_string_equal(get_str(e, "backend"), be[i].backend);
        assert_int_equal(json_is_true(json_object_get(e, "direct")), be[i].direct);
        assert_int_equal(json_is_true(json_object_get(e, "emulated")), be[i].emulated);
        assert_int_equal(get_int(e, "reads"), be[i].reads);
        assert_int_equal(get_int(e, "writes"), be[i].writes);
        assert_near(get_real(e, "iops"), be[i].iops);
        assert_near(get_real(e, "bytes_per_s"), be[i].bytes_per_s);
    }
    json_t *h = json_array_get(bes, 0);
    assert_int_equal(get_int(h, "max_inflight"), 2);
    assert_int_equal(get_int(json_object_get(h, "read_latency"), "p50_ns"), 497);
    assert_int_equal(get_int(json_object_get(h, "write_latency"), "count"), 4);

    /* nothing predicted: the predictions and errors are null */
    r.has_timed = false;
    free(text);
    json_decref(root);
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    root = parse(text);
    cmp = json_object_get(json_object_get(root, "live"), "compare");
    assert_true(json_is_null(json_object_get(json_array_get(cmp, 0), "predicted")));
    assert_true(json_is_null(json_object_get(json_array_get(cmp, 0), "error_pct")));
    assert_null(json_object_get(root, "timed"));
    json_decref(root);
    free(text);
    free(again);
    ts_result_release(&r);
}

/* Request groups add the time to first token's p50, p90 and p99 before the utilisation,
 * each measured beside predicted with its error by hand; a prediction without groups
 * leaves the prediction out; no groups at all, no rows. */
static void test_report_live_ttft_figures(void **state)
{
    (void)state;
    ts_result_t r;
    make_live_result(&r);
    ts_live_fig_t figs[TS_LIVE_FIGS];
    assert_int_equal(ts_report_live_figures(&r, figs), 17);
    ts_lat_t *m = &r.live.m.ttft, *p = &r.timed.ttft;
    *m = (ts_lat_t){.n = 10, .p50_ns = 3000000, .p90_ns = 4000000, .p99_ns = 8000000};
    *p = (ts_lat_t){.n = 10, .p50_ns = 2000000, .p90_ns = 5000000, .p99_ns = 8000000};
    static const struct {
        const char *key, *label;
        double measured, predicted, error_pct;
    } want[] = {{"ttft.p50_ns", "time to first token p50", 3e6, 2e6, 50},
                {"ttft.p90_ns", "time to first token p90", 4e6, 5e6, -20},
                {"ttft.p99_ns", "time to first token p99", 8e6, 8e6, 0}};
    assert_int_equal(ts_report_live_figures(&r, figs), 20);
    for (size_t i = 0; i < 3; i++) {
        const ts_live_fig_t *f = &figs[16 + i];
        assert_string_equal(f->key, want[i].key);
        assert_string_equal(f->label, want[i].label);
        assert_int_equal(f->unit, TS_LIVE_UNIT_NS);
        assert_true(f->has_predicted);
        assert_near(f->measured, want[i].measured);
        assert_near(f->predicted, want[i].predicted);
        assert_near(ts_report_live_error_pct(f), want[i].error_pct);
    }
    assert_string_equal(figs[19].key, "accelerator_utilisation");
    p->n = 0; /* the prediction has no groups */
    assert_int_equal(ts_report_live_figures(&r, figs), 20);
    assert_false(figs[16].has_predicted);
    assert_true(isnan(ts_report_live_error_pct(&figs[16])));
    m->n = 0;
    assert_int_equal(ts_report_live_figures(&r, figs), 17);
    ts_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_json_fields),
        cmocka_unit_test(test_report_json_deterministic),
        cmocka_unit_test(test_report_json_timing),
        cmocka_unit_test(test_report_json_bad_utf8),
        cmocka_unit_test(test_report_json_counter_range),
        cmocka_unit_test(test_report_json_oom),
        cmocka_unit_test(test_report_cost_json),
        cmocka_unit_test(test_report_live_json),
        cmocka_unit_test(test_report_live_ttft_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
