/* SPDX-License-Identifier: MIT */
/*
 * test_report.c - result writers: a hand-built two-tier result must come out of the JSON,
 * CSV and text writers with the hand-computed figures, its bill too (text section, JSON
 * object, cost.csv); output is byte-identical from run to run; write failures (full
 * device, bad directory, blocked rename, out of memory) report an error naming the file
 * and leave no temporary file behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/util/fmt.h"
#include "reports/report.h"
#include "sim/util/mem.h"
#include "scratch_test.h"
#include "writer_test.h"
#include "app/run.h"
#include "result_test.h"

/* ---- the hand-built result --------------------------------------------------------- */

/* tier hbm:  10 requests, 4 hits, 6 misses (0.6); bytes 10000 asked, 2500 hit, 7500 missed
 *            (0.75); capacity 20000 objects.
 * tier dram: 6 requests, 3 hits, 3 misses (0.5); bytes 7500 asked, 3000 hit, 4500 missed
 *            (0.6); capacity 1000 objects; its name needs CSV quoting.
 * totals:    10 requests (8 get, 1 put, 1 delete), 7 served by a tier (0.7), 5500 of 10000
 *            bytes hit (0.55), 3 requests and 4500 bytes to the backing store. */
static void make_result(ts_result_t *r)
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

/* ---- helpers ------------------------------------------------------------------------- */

typedef int (*writer_fn)(const ts_result_t *res, FILE *out, ts_err_t *err);

/* Runs a writer into memory; returns its code and the text (malloc'd, caller frees). */
static int capture(writer_fn fn, const ts_result_t *r, char **text, ts_err_t *err)
{
    size_t len = 0;
    FILE *f = open_memstream(text, &len);
    assert_non_null(f);
    int rc = fn(r, f, err);
    assert_int_equal(fclose(f), 0);
    return rc;
}

static int json_plain(const ts_result_t *r, FILE *out, ts_err_t *err)
{
    return ts_report_json(r, false, out, err);
}

static int json_timed(const ts_result_t *r, FILE *out, ts_err_t *err)
{
    return ts_report_json(r, true, out, err);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    return buf;
}

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!root)
        fail_msg("JSON does not parse: line %d: %s", jerr.line, jerr.text);
    return root;
}

static json_int_t get_int(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is missing or not an integer", key);
    return json_integer_value(v);
}

static double get_real(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_real(v))
        fail_msg("\"%s\" is missing or not a real", key);
    return json_real_value(v);
}

static const char *get_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is missing or not a string", key);
    return json_string_value(v);
}

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

/* ---- number formatting ------------------------------------------------------------- */

struct fmt_case {
    const char *name;
    uint64_t v;
    const char *want;
};

static void test_report_fmt_count(void **state)
{
    (void)state;
    static const struct fmt_case cases[] = {
        {"zero", 0, "0"},
        {"below a thousand", 999, "999"},
        {"one thousand", 1000, "1.00k"},
        {"brief example", 20000, "20.0k"},
        {"rounds within k", 999499, "999k"},
        {"rounds up to M", 999500, "1.00M"},
        {"millions", 1234567, "1.23M"},
        {"tens of millions", 12345678, "12.3M"},
        {"giga", 4000000000ULL, "4.00G"},
        {"largest", UINT64_MAX, "18.4E"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[TS_FMT_LEN];
        ts_fmt_count(cases[i].v, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("case %s: got %s, want %s", cases[i].name, buf, cases[i].want);
    }
}

static void test_report_fmt_bytes(void **state)
{
    (void)state;
    static const struct fmt_case cases[] = {
        {"zero", 0, "0B"},
        {"below KiB", 1023, "1023B"},
        {"one KiB", 1024, "1.00KiB"},
        {"one and a half KiB", 1536, "1.50KiB"},
        {"rounds up to MiB", 1048575, "1.00MiB"},
        {"brief example", 4ULL << 30, "4.00GiB"},
        {"largest", UINT64_MAX, "16.00EiB"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[TS_FMT_LEN];
        ts_fmt_bytes(cases[i].v, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("case %s: got %s, want %s", cases[i].name, buf, cases[i].want);
    }
    /* Three significant digits: 19.6 GiB is 19.6 * 2^30; 271.25 MiB rounds to 271; 1000
     * KiB (1,024,000 bytes) is 0.977 MiB, past 999.5 KiB, so "0.98MiB". */
    static const struct fmt_case short_cases[] = {
        {"below KiB", 1023, "1023B"},
        {"one KiB", 1024, "1.00KiB"},
        {"tens", 21045339750ULL, "19.6GiB"},
        {"hundreds", 284426240ULL, "271MiB"},
        {"next unit", 1024000, "0.98MiB"},
        {"largest", UINT64_MAX, "16.0EiB"},
    };
    for (size_t i = 0; i < sizeof(short_cases) / sizeof(short_cases[0]); i++) {
        char buf[TS_FMT_LEN];
        ts_fmt_bytes_short(short_cases[i].v, buf, sizeof(buf));
        if (strcmp(buf, short_cases[i].want) != 0)
            fail_msg("case %s: got %s, want %s", short_cases[i].name, buf, short_cases[i].want);
    }
    char buf[TS_FMT_LEN];
    assert_string_equal(ts_fmt_pct(0.6, buf, sizeof(buf)), "60.00%");
    assert_string_equal(ts_fmt_fixed(0.75, 9, buf, sizeof(buf)), "0.750000000");
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

/* ---- CSV ------------------------------------------------------------------------------- */

static void test_report_csv_rows(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_csv, &r, &text, &err), 0);
    /* hand-written: the total row sums tier-local figures (capacity 21000, insertions 9,
     * bytes_in 10644, ...), takes request figures from the totals (7 of 10 served, so 3
     * misses, 0.3; 4500 of 10000 bytes missed, 0.45) and leaves used_peak empty. */
    static const char want[] =
        "tier,policy,params,capacity,capacity_unit,requests,hits,misses,miss_ratio,"
        "byte_miss_ratio,bytes_requested,bytes_hit,bytes_missed,gets,puts,deletes,insertions,"
        "evictions,too_large,removed,bytes_in,bytes_out,used_peak,objects_end,used_end,"
        "admission,refused,promotions_in,promotions_out,demotions_in,demotions_out,"
        "back_invalidations,writebacks,writeback_bytes,prefetched,prefetched_bytes,"
        "link_transfers_up,link_bytes_up,link_transfers_down,link_bytes_down\n"
        "hbm,lru,,20000,objects,10,4,6,0.600000000,0.750000000,10000,2500,7500,8,1,1,6,2,0,1,"
        "6144,3072,5,4,4,always,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
        "\"dram, \"\"big\"\"\",fifo,ratio=0.1,1000,objects,6,3,3,0.500000000,0.600000000,7500,"
        "3000,4500,5,1,0,3,0,1,0,4500,0,3,3,3,always,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
        "total,,,21000,objects,10,7,3,0.300000000,0.450000000,10000,5500,4500,8,1,1,9,2,1,1,"
        "10644,3072,,7,7,,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n";
    assert_string_equal(text, want);
    free(text);

    /* byte mode names the unit; deterministic across calls */
    r.mode = TS_MODE_BYTES;
    char *a = NULL, *b = NULL;
    assert_int_equal(capture(ts_report_csv, &r, &a, &err), 0);
    assert_int_equal(capture(ts_report_csv, &r, &b, &err), 0);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\nhbm,lru,,20000,bytes,"));
    free(a), free(b);
    ts_result_release(&r);
}

/* ---- text ------------------------------------------------------------------------------ */

/* Every line of the text report, checked for width. */
static void assert_width(const char *text, size_t max)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        if (n > max)
            fail_msg("line wider than %zu columns (%zu): %.*s", max, n, (int)n, p);
        p += n + (p[n] == '\n');
    }
}

/* The line after the one that starts with title, copied into buf. */
static const char *line_after(const char *text, const char *title, int skip, char *buf,
                              size_t size)
{
    const char *p = strstr(text, title);
    assert_non_null(p);
    for (int i = 0; i <= skip; i++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    size_t n = strcspn(p, "\n");
    assert_true(n < size);
    memcpy(buf, p, n);
    buf[n] = 0;
    return buf;
}

/* A non-default hierarchy: exclusive, demote next, write back, next_n prefetch into hbm,
 * max_size admission on hbm. Figures made up by hand:
 *   hbm:  2 refused, 3 promotions in, 2 demotions out, 5 prefetched (500 B)
 *   dram: 3 promotions out, 2 demotions in, 1 write-back (100 B)
 *   link hbm-dram: 6 up (6000 B), 2 down (2000 B); link dram-backing: 3 up (4500 B), 1 down
 *   (100 B). So the CSV total row sums: 2 refused, 3 in, 3 out, 2 in, 2 out, 0, 1 write-back
 *   of 100 B, 5 prefetched (500 B), links 9 up (10500 B), 3 down (2100 B). */
static void make_hier_result(ts_result_t *r)
{
    make_result(r);
    test_str(&r->tiers[1].name, "dram");
    test_str(&r->tiers[0].admit, "max_size");
    test_str(&r->tiers[0].admit_params, "max_size=1MiB");
    ts_tier_stats_t *s0 = &r->tiers[0].st, *s1 = &r->tiers[1].st;
    s0->n_refused = 2, s0->n_promote_in = 3, s0->n_demote_out = 2;
    s0->n_prefetch_in = 5, s0->bytes_prefetch_in = 500;
    s1->n_promote_out = 3, s1->n_demote_in = 2, s1->n_writeback = 1, s1->bytes_writeback = 100;
    ts_hier_result_t *h = &r->hier;
    h->inclusion = "exclusive", h->promote = "top", h->demote = "next", h->write = "back";
    test_str(&h->prefetch, "next_n");
    test_str(&h->prefetch_params, "n=4");
    test_str(&h->prefetch_into, "hbm");
    h->link[0] = (ts_link_stats_t){6, 6000, 2, 2000};
    h->link[1] = (ts_link_stats_t){3, 4500, 1, 100};
    h->st.n_writeback = 1, h->st.bytes_writeback = 100;
    h->st.n_dirty_end = 2, h->st.bytes_dirty_end = 300;
    h->st.n_pf_issued = 5, h->st.bytes_pf = 500, h->st.n_pf_used = 3, h->st.bytes_pf_used = 300;
    h->st.n_pf_unused = 2, h->st.bytes_pf_unused = 200;
}

static void test_report_hierarchy_counters(void **state)
{
    (void)state;
    ts_result_t r;
    make_hier_result(&r);
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    json_t *root = parse(text);
    json_t *h = json_object_get(root, "hierarchy");
    assert_string_equal(get_str(h, "inclusion"), "exclusive");
    assert_string_equal(get_str(h, "demote"), "next");
    assert_string_equal(get_str(h, "write"), "back");
    assert_true(json_is_false(json_object_get(h, "flush_at_end")));
    assert_int_equal(get_int(h, "writebacks"), 1);
    assert_int_equal(get_int(h, "dirty_end"), 2);
    assert_int_equal(get_int(h, "dirty_bytes_end"), 300);
    json_t *p = json_object_get(h, "prefetch");
    assert_string_equal(get_str(p, "kind"), "next_n");
    assert_string_equal(get_str(p, "into"), "hbm");
    assert_int_equal(get_int(p, "issued"), 5);
    assert_int_equal(get_int(p, "unused_bytes"), 200);
    json_t *links = json_object_get(h, "links");
    assert_int_equal(json_array_size(links), 2);
    json_t *l1 = json_array_get(links, 1);
    assert_string_equal(get_str(l1, "upper"), "dram");
    assert_string_equal(get_str(l1, "lower"), "backing");
    assert_int_equal(get_int(l1, "transfers_up"), 3);
    assert_int_equal(get_int(l1, "bytes_down"), 100);
    json_t *t0 = json_array_get(json_object_get(root, "tiers"), 0);
    assert_string_equal(get_str(t0, "admission"), "max_size");
    assert_string_equal(get_str(t0, "admission_params"), "max_size=1MiB");
    assert_int_equal(get_int(t0, "refused"), 2);
    assert_int_equal(get_int(t0, "prefetched_bytes"), 500);
    json_t *t1 = json_array_get(json_object_get(root, "tiers"), 1);
    assert_string_equal(get_str(t1, "admission"), "always");
    assert_int_equal(get_int(t1, "writeback_bytes"), 100);
    json_decref(root);
    free(text);

    assert_int_equal(capture(ts_report_csv, &r, &text, &err), 0);
    assert_non_null(strstr(text, ",4,4,max_size,2,3,0,0,2,0,0,0,5,500,6,6000,2,2000\n"));
    assert_non_null(strstr(text, ",3,3,always,0,0,3,2,0,0,1,100,0,0,3,4500,1,100\n"));
    assert_non_null(strstr(text, ",7,7,,2,3,3,2,2,0,1,100,5,500,9,10500,3,2100\n"));
    free(text);

    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);
    static const char *const want[] = {
        "hierarchy  inclusion exclusive, promote top, demote next, write back\n",
        "write-backs      1 (100B); dirty at end 2 (300B), flushed 0",
        "next_n n=4 into hbm: 5 issued (500B), 3 used, 2 unused (200B), 0 hints",
        "tiers: hierarchy moves", "max_size", "links (upper - lower)", "hbm - dram",
        "dram - backing"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(text, want[i]))
            fail_msg("text report lacks \"%s\":\n%s", want[i], text);
    assert_width(text, 100);
    free(text);

    /* the default hierarchy adds nothing to the text report */
    ts_result_release(&r);
    make_result(&r);
    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);
    assert_null(strstr(text, "hierarchy"));
    assert_null(strstr(text, "links"));
    free(text);
    ts_result_release(&r);
}

static void test_report_text_contents(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    test_str(&r.tiers[1].name, "dram");
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);

    static const char *const want[] = {
        "examples/two-tiers.yaml", "two tiers", "zipf alpha=0.9 keys=100", "objects",
        "fast", "42", "100 objects", "400.00KiB",
        /* tier table: names, capacities in objects, ratios */
        "hbm", "dram", "lru", "fifo", "20.0k", "1.00k", "60.00%", "75.00%", "50.00%",
        /* totals */
        "10 (get 8, put 1, delete 1)", "70.00% (7 requests served by some tier)",
        "55.00% (5.37KiB)", "3 requests (30.00%), 4.39KiB (4500 bytes)", "1us to 2ms"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(text, want[i]))
            fail_msg("text report lacks \"%s\":\n%s", want[i], text);
    assert_null(strstr(text, "wall"));
    assert_null(strstr(text, "\x1b")); /* no colours */
    assert_width(text, 100);

    /* columns are aligned: in the lookups block every line has the same length, and the
     * hbm row's figures are right-aligned under their headings */
    char head[256], row0[256], row1[256];
    line_after(text, "tiers: lookups", 0, head, sizeof(head));
    line_after(text, "tiers: lookups", 1, row0, sizeof(row0));
    line_after(text, "tiers: lookups", 2, row1, sizeof(row1));
    assert_int_equal(strlen(head), strlen(row0));
    assert_int_equal(strlen(head), strlen(row1));
    assert_int_equal(strncmp(row0, "hbm ", 4), 0);
    const char *col = strstr(head, "requests");
    assert_non_null(col);
    size_t end = (size_t)(col - head) + strlen("requests");
    assert_int_equal(strncmp(row0 + end - 2, "10", 2), 0);
    free(text);
    ts_result_release(&r);
}

static void test_report_text_timing_and_bytes(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    r.mode = TS_MODE_BYTES;
    r.tiers[0].capacity = 4ULL << 30;
    r.wall_s = 2.5;
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);
    assert_non_null(strstr(text, "4.00GiB"));
    assert_non_null(strstr(text, "wall time        2.500 s"));
    assert_non_null(strstr(text, "4 requests/s"));
    free(text);
    ts_result_release(&r);
}

/* Big figures (10^11 requests, 16 tiers with long names) still fit in 100 columns. */
static void test_report_text_width(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    r.mode = TS_MODE_BYTES;
    test_result_tiers(&r, TS_MAX_TIERS);
    for (size_t i = 0; i < TS_MAX_TIERS; i++) {
        ts_tier_result_t *t = &r.tiers[i];
        test_str(&t->name, "tier-%zu-gpu-nvme", i);
        test_str(&t->policy, "s3fifo");
        t->capacity = 3ULL << 40;
        t->st.n_req = t->st.n_miss = t->st.n_insert = t->st.n_evict = 123456789012ULL;
        t->st.n_hit = t->st.n_too_large = t->st.n_removed = 98765432109ULL;
        t->st.bytes_in = t->st.bytes_out = t->st.bytes_req = 1ULL << 50;
    }
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);
    assert_width(text, 100);
    assert_non_null(strstr(text, "tier-15-gpu-nvme"));
    assert_non_null(strstr(text, " 123G ")); /* counts went compact to fit */
    free(text);
    ts_result_release(&r);
}

/* The widest realistic report: four tiers with long names over long device names, the
 * timed engine in a closed loop, a non-default hierarchy with a prefetcher, a long
 * workload description. Every line fits 100 columns; a table too wide goes on in a second
 * table under the same first column, even with a tier name of the longest (63 bytes). */
static const char k_four_tiers[] =
    "name: four tiers with long names, timed\n"
    "seed: 42\n"
    "mode: bytes\n"
    "workload:\n"
    "  generator: {kind: zipf, alpha: 0.9, keys: 2000, requests: 20k, size: 64KiB,\n"
    "              put_ratio: 0.1, arrival: poisson, interarrival: 100us}\n"
    "tiers:\n"
    "  - {name: gpu-hbm-h100-sxm, capacity: 1%, policy: s3fifo, device: h100-sxm}\n"
    "  - {name: host-dram-ddr5-8ch, capacity: 5%, policy: lru, device: ddr5-4800-8ch}\n"
    "  - {name: local-nvme-raid0-gen5, capacity: 20%, policy: sieve,\n"
    "     device: raid0:4xmicron-9550-max, link: pcie-gen5-x16}\n"
    "  - {name: rack-nvme-pool-over-ib, capacity: 40%, policy: arc, device: kioxia-cm7-r,\n"
    "     link: ib-ndr-400}\n"
    "backing: {device: s3-standard, link: eth-100g}\n"
    "hierarchy: {inclusion: exclusive, promote: top, demote: next, write: back}\n"
    "prefetch: {kind: next_n, n: 2, into: host-dram-ddr5-8ch}\n"
    "engine: timed\n"
    "timed: {arrivals: closed, clients: 64, think: 50us}\n";

static char *four_tier_report(const char *override)
{
    ts_err_t err = {0};
    ts_scenario_t *sc = NULL;
    const char *ovr[] = {override};
    if (ts_scenario_load_string(k_four_tiers, "four-tiers.yaml", NULL, ovr, override ? 1 : 0,
                                &sc, &err) != 0)
        fail_msg("load: %s: %s", err.where, err.msg);
    ts_result_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    if (ts_run(sc, r, &err) != 0)
        fail_msg("run: %s: %s", err.where, err.msg);
    ts_scenario_destroy(sc);
    char *text = NULL;
    assert_int_equal(capture(ts_report_text, r, &text, &err), 0);
    ts_result_release(r);
    free(r);
    return text;
}

static void test_report_text_four_tier_timed_fits_100_columns(void **state)
{
    (void)state;
    char *text = four_tier_report(NULL);
    assert_width(text, 100);
    /* The long workload description wraps under its value. */
    assert_non_null(strstr(text, "\nworkload   zipf requests=20000 "));
    assert_non_null(strstr(text, "\n           size_sigma=1 "));
    /* The contents block, too wide at these names, goes on in a second table. */
    char head[256];
    line_after(text, "tiers: contents and traffic", 0, head, sizeof(head));
    assert_null(strstr(head, "used at end"));
    assert_non_null(strstr(text, "\n\ntier                    used at end\n"));
    /* Latency by serving level, under a heading row, each level indented. */
    assert_non_null(strstr(text, "\nget, by the level that served it\n"
                                 "  gpu-hbm-h100-sxm "));
    /* Devices: every row of the table is as long as its heading (right-aligned). */
    const char *dev = strstr(text, "\ndevices and links");
    assert_non_null(dev);
    size_t width = strcspn(dev + 1, "\n");
    for (const char *p = dev + 1 + width + 1; *p && *p != '\n';) {
        size_t n = strcspn(p, "\n");
        if (n != width)
            fail_msg("device row of %zu columns, heading %zu: %.*s", n, width, (int)n, p);
        p += n + (p[n] == '\n');
    }
    free(text);
    text = four_tier_report("tiers.3.name=a-tier-name-of-sixty-three-characters-which-is-the-"
                            "most-xxxxxxx");
    assert_width(text, 100);
    assert_non_null(strstr(text, "\na-tier-name-of-sixty-three-characters-which-is-the-most-"
                                 "xxxxxxx  kioxia-cm7-r "));
    free(text);
}

/* No tier and no request: every ratio is 0 (never a division by zero), the CSV still has
 * its header and total row, and the JSON an empty tier array. */
static void test_report_empty_result(void **state)
{
    (void)state;
    ts_result_t r;
    memset(&r, 0, sizeof(r));
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_csv, &r, &text, &err), 0);
    assert_non_null(strstr(text, "\ntotal,,,0,objects,0,0,0,0.000000000,0.000000000,0,"));
    assert_int_equal(strchr(strchr(text, '\n') + 1, '\n')[1], 0); /* exactly two lines */
    free(text);

    assert_int_equal(capture(json_timed, &r, &text, &err), 0);
    json_t *root = parse(text);
    assert_int_equal(json_array_size(json_object_get(root, "tiers")), 0);
    assert_true(get_real(json_object_get(root, "totals"), "hit_ratio") == 0.0);
    assert_true(json_is_null(json_object_get(json_object_get(root, "scenario"), "engine")));
    json_decref(root);
    free(text);

    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);
    assert_non_null(strstr(text, "hit ratio        0.00%"));
    free(text);
}

/* ---- the bill ---------------------------------------------------------------------------- */

/* make_result's two tiers plus a central store, with a bill set by hand (the cost model's
 * own arithmetic is tested in test_cost.c): 2 h of trace span; DRAM bought at $4/GB over
 * 5 y ($0.02); S3 rented ($0.10); 1,000 GETs at $0.0004/1000 ($0.0004); 2 GB out at
 * $0.09/GB ($0.18); 8 H100s for 2 h at $2.99/h ($47.84), 10% of it stalled ($4.784); no
 * power; total $48.1404; 10 requests ($4,814,040 per million), 1.5 epochs ($32.0936). */
static void make_cost_result(ts_result_t *r)
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

static void test_report_cost_text(void **state)
{
    (void)state;
    ts_result_t r;
    make_cost_result(&r);
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);
    const char *cost = strstr(text, "\ncost       billing period 2h (trace span, 2.0000 h)\n");
    if (!cost)
        fail_msg("no cost section:\n%s", text);
    static const char *const want[] = {
        "level    priced as", "93.13GiB", "$4/GB over 5y", "$0.023/GB-month", "$0.02",
        "1000 get x $0.0004/1000, 0 put x $0.005/1000", "1.86GiB out x $0.09/GB",
        "8 GPUs (cost.gpus) x 2.0000h x $2.99/h h100-sxm", "$47.84",
        "10.00% of the GPU time waited on storage", "$4.78", "$48.14", "10 requests",
        "$4814040.00", "1.500 epochs", "$32.09"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(cost, want[i]))
            fail_msg("cost section lacks \"%s\":\n%s", want[i], cost);
    assert_null(strstr(cost, "per 1M tokens")); /* no unit counted, no figure */
    assert_null(strstr(cost, "per session"));
    assert_null(strstr(cost, "power")); /* electricity 0: not billed */
    assert_width(cost, 100);
    char row[256];
    line_after(cost + 1, "cost ", 2, row, sizeof(row)); /* the dram row */
    assert_int_equal(strncmp(row, "dram     kind:dram", 18), 0);
    free(text);
    ts_result_release(&r);
}

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
    static const char *const keys[] = {"period_ns", "period_from", "levels", "capacity_usd",
                                       "requests",  "transfer",    "gpu",    "power",
                                       "total_usd", "normalised"};
    assert_keys(c, keys, sizeof(keys) / sizeof(keys[0]));
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

/* cost.csv: one line item a row; the GPU-hours are 8 x 2 h; normalised figures only for the
 * units counted. A result without a bill is refused. */
static void test_report_cost_csv(void **state)
{
    (void)state;
    ts_result_t r;
    make_cost_result(&r);
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_cost_csv, &r, &text, &err), 0);
    static const char *const want[] = {
        "item,level,quantity,unit,price,usd\n",
        "\ncapacity,dram,100000000000,bytes,,0.02\n",
        "\ncapacity,backing,1000000000000,bytes,,0.1\n",
        "\nrequests_get,backing,1000,requests,4e-07,0.0004\n",
        "\ntransfer_out,backing,2000000000,bytes,9e-11,0.18\n",
        "\ngpu_time,h100-sxm,16,gpu_hours,2.99,47.84\n",
        "\ngpu_stall,h100-sxm,1.6",
        "\ntotal,,2,hours,,48.1404\n",
        "\nper_million_requests,,10,requests,,4814040\n",
        "\nper_epoch,,1.5,epochs,,32.0936\n"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(text, want[i]))
            fail_msg("cost.csv lacks \"%s\":\n%s", want[i], text);
    assert_null(strstr(text, "per_million_tokens"));
    free(text);
    r.has_cost = false;
    assert_int_equal(capture(ts_report_cost_csv, &r, &text, &err), TS_EINVAL);
    free(text);
    ts_result_release(&r);
}

/* With a bill, write_dir adds cost.csv beside tiers.csv. */
static void test_report_write_dir_cost_csv(void **state)
{
    char dir[1200], path[1300];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_result_t r;
    make_cost_result(&r);
    ts_err_t err = {0};
    assert_int_equal(write_dir(&r, dir, false, true, false, false, &err), 0);
    assert_int_equal(scratch_count(dir, NULL), 2);
    snprintf(path, sizeof(path), "%s/cost.csv", dir);
    char *got = read_file(path), *want = NULL;
    assert_non_null(got);
    assert_int_equal(capture(ts_report_cost_csv, &r, &want, &err), 0);
    assert_string_equal(got, want);
    free(got), free(want);
    ts_result_release(&r);
}

/* ---- output errors ----------------------------------------------------------------------- */

static void test_report_dev_full(void **state)
{
    (void)state;
    FILE *probe = fopen("/dev/full", "w");
    if (!probe)
        skip();
    fclose(probe);
    static const struct {
        const char *name;
        writer_fn fn;
    } cases[] = {{"json", json_plain}, {"csv", ts_report_csv}, {"text", ts_report_text}};
    ts_result_t r;
    make_result(&r);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FILE *f = fopen("/dev/full", "w");
        assert_non_null(f);
        ts_err_t err = {0};
        int rc = cases[i].fn(&r, f, &err);
        fclose(f);
        if (rc != TS_EIO || err.sys_errno != ENOSPC || !strstr(err.msg, "write failed"))
            fail_msg("case %s: rc %d errno %d msg \"%s\"", cases[i].name, rc, err.sys_errno,
                     err.msg);
        assert_non_null(strstr(err.msg, cases[i].name));
    }
    ts_result_release(&r);
}

/* ---- write_dir --------------------------------------------------------------------------- */

static void test_report_write_dir_files(void **state)
{
    char dir[1200], path[1300];
    snprintf(dir, sizeof(dir), "%s/a/b//out/", (const char *)*state); /* mkdir -p */
    ts_result_t r;
    make_result(&r);
    r.wall_s = 1.5;
    ts_err_t err = {0};
    assert_int_equal(write_dir(&r, dir, true, true, true, false, &err), 0);
    size_t n_hidden;
    assert_int_equal(scratch_count(dir, &n_hidden), 3);
    assert_int_equal(n_hidden, 0); /* no temporary file left */

    static const struct {
        const char *file;
        writer_fn fn;
    } cases[] = {{"result.json", json_plain},
                 {"tiers.csv", ts_report_csv},
                 {"report.txt", ts_report_text}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
        char *got = read_file(path);
        char *want = NULL;
        assert_non_null(got);
        assert_int_equal(capture(cases[i].fn, &r, &want, &err), 0);
        if (strcmp(got, want) != 0)
            fail_msg("%s differs from the writer's output", cases[i].file);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0644);
        free(got), free(want);
    }
    snprintf(path, sizeof(path), "%s/result.json", dir);
    char *json = read_file(path);
    assert_null(strstr(json, "wall")); /* result.json is the deterministic document */
    free(json);

    /* again, only the CSV: it replaces tiers.csv, nothing else appears */
    assert_int_equal(write_dir(&r, dir, false, true, false, false, &err), 0);
    assert_int_equal(scratch_count(dir, NULL), 3);
    ts_result_release(&r);
}

static void test_report_write_dir_only_json(void **state)
{
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    assert_int_equal(write_dir(&r, dir, true, false, false, false, &err), 0);
    assert_int_equal(scratch_count(dir, NULL), 1);
    char path[1300];
    snprintf(path, sizeof(path), "%s/result.json", dir);
    assert_int_equal(access(path, R_OK), 0);
    ts_result_release(&r);
}

static void test_report_write_dir_not_a_dir(void **state)
{
    char file[1200], below[1300];
    snprintf(file, sizeof(file), "%s/plain", (const char *)*state);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("not a directory\n", f);
    fclose(f);
    ts_result_t r;
    make_result(&r);

    ts_err_t err = {0};
    int rc = write_dir(&r, file, true, true, true, false, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, file));
    assert_non_null(strstr(err.msg, "not a directory"));

    snprintf(below, sizeof(below), "%s/sub", file);
    ts_err_clear(&err);
    rc = write_dir(&r, below, true, true, true, false, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, below));
    assert_int_equal(scratch_count((const char *)*state, NULL), 1);

    ts_err_clear(&err);
    assert_int_equal(write_dir(&r, "", true, true, true, false, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "output directory"));
    ts_result_release(&r);
}

/* report.txt is a non-empty directory, so renaming into it fails: the error names the file
 * and every temporary file is removed. */
static void test_report_write_dir_rename_fails(void **state)
{
    char dir[1200], blocker[1300], inner[1400];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    snprintf(blocker, sizeof(blocker), "%s/report.txt", dir);
    snprintf(inner, sizeof(inner), "%s/keep", blocker);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(mkdir(blocker, 0755), 0);
    assert_int_equal(mkdir(inner, 0755), 0);
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    int rc = write_dir(&r, dir, true, true, true, false, &err);
    assert_int_equal(rc, TS_EIO);
    assert_non_null(strstr(err.msg, blocker));
    size_t n_hidden;
    scratch_count(dir, &n_hidden);
    assert_int_equal(n_hidden, 0);
    ts_result_release(&r);
}

/* Without write permission: an error naming the file, nothing left. Root bypasses
 * permissions, so the test is skipped there. */
static void test_report_write_dir_no_permission(void **state)
{
    if (geteuid() == 0)
        skip();
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/ro", (const char *)*state);
    assert_int_equal(mkdir(dir, 0555), 0);
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    int rc = write_dir(&r, dir, true, true, true, false, &err);
    assert_int_equal(rc, TS_EIO);
    assert_int_equal(err.sys_errno, EACCES);
    assert_non_null(strstr(err.msg, "result.json"));
    assert_int_equal(scratch_count(dir, NULL), 0);
    ts_result_release(&r);
}

/* Out of memory while building result.json: no file appears, nothing leaks. */
static void test_report_write_dir_oom(void **state)
{
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_result_t r;
    make_result(&r);
    long n;
    for (n = 0; n < 100000; n++) {
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = write_dir(&r, dir, true, true, true, false, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        if (rc != TS_ENOMEM)
            fail_msg("allocation %ld: rc %d (%s)", n, rc, err.msg);
        assert_non_null(strstr(err.msg, "result.json"));
        assert_int_equal(scratch_count(dir, NULL), 0);
    }
    assert_true(n > 0);
    assert_int_equal(scratch_count(dir, NULL), 3);
    ts_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_fmt_count),
        cmocka_unit_test(test_report_fmt_bytes),
        cmocka_unit_test(test_report_json_fields),
        cmocka_unit_test(test_report_json_deterministic),
        cmocka_unit_test(test_report_json_timing),
        cmocka_unit_test(test_report_json_bad_utf8),
        cmocka_unit_test(test_report_json_counter_range),
        cmocka_unit_test(test_report_json_oom),
        cmocka_unit_test(test_report_csv_rows),
        cmocka_unit_test(test_report_text_contents),
        cmocka_unit_test(test_report_hierarchy_counters),
        cmocka_unit_test(test_report_text_timing_and_bytes),
        cmocka_unit_test(test_report_text_width),
        cmocka_unit_test(test_report_text_four_tier_timed_fits_100_columns),
        cmocka_unit_test(test_report_empty_result),
        cmocka_unit_test(test_report_cost_text),
        cmocka_unit_test(test_report_cost_json),
        cmocka_unit_test(test_report_cost_csv),
        cmocka_unit_test_setup_teardown(test_report_write_dir_cost_csv, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test(test_report_dev_full),
        cmocka_unit_test_setup_teardown(test_report_write_dir_files, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_only_json, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_not_a_dir, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_rename_fails, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_no_permission, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_oom, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
