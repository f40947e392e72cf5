/* SPDX-License-Identifier: MIT */
/*
 * test_report.c - what the result writers share (reports/json.c, csv.c, text.c): the number
 * formatting helpers they print with (sim/util/fmt.h: counts, bytes, percentages, fixed
 * decimals) against hand-picked cases; a non-default hierarchy's counters (inclusion,
 * write-backs, prefetches, links) in all three writers, and no hierarchy section in the text
 * of the default one; a result with no tier and no request, whose ratios are 0 in every
 * writer. Each writer's own contents are tested in test_report_json.c, test_report_csv.c and
 * test_report_text.c, result files in test_report_files.c; the fixtures in
 * tests/report_test.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "sim/util/fmt.h"
#include "reports/report.h"
#include "report_test.h"

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

/* ---- the hierarchy ---------------------------------------------------------------------- */

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

/* Fails naming the first of want[0..n) the text report lacks; its lines fit 100 columns. */
static void assert_text_has(const char *text, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strstr(text, want[i]))
            fail_msg("text report lacks \"%s\":\n%s", want[i], text);
    assert_width(text, 100);
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
    assert_text_has(text, want, sizeof(want) / sizeof(want[0]));
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

/* ---- recomputed KV blocks ------------------------------------------------------------------ */

/* A timed run in which 3 KV blocks of 16 tokens (1 MiB each) missed every tier and were
 * prefilled again: the totals say so on a line of their own (they are among the backing
 * store's requests but were never read), the bill notes that no get was billed for them,
 * and the JSON totals and bill carry the counts. */
static void test_report_recomputed_blocks(void **state)
{
    (void)state;
    ts_result_t r;
    make_cost_result(&r);
    r.has_timed = true;
    r.timed.kv_recomputed = 3;
    r.timed.kv_recomputed_bytes = 3 << 20;
    r.timed.prefill_tokens_recomputed = 48;
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);
    static const char *const want[] = {
        "  recomputed       3 KV blocks (48 tokens, 3.00MiB) no tier held: prefilled again on "
        "the GPU,",
        "counted in its requests above, neither timed as", "requests nor billed as gets\n",
        "  note             3 KV blocks (48 tokens) recomputed on the GPU, not fetched: no get\n"};
    assert_text_has(text, want, sizeof(want) / sizeof(want[0]));
    free(text);
    assert_int_equal(capture(json_plain, &r, &text, &err), 0);
    json_t *root = parse(text);
    assert_int_equal(get_int(json_object_get(root, "totals"), "recomputed_blocks"), 3);
    assert_int_equal(get_int(json_object_get(root, "totals"), "recomputed_tokens"), 48);
    json_t *rq = json_object_get(json_object_get(root, "cost"), "requests");
    assert_int_equal(get_int(rq, "recomputed_not_billed"), 3);
    json_decref(root);
    free(text);
    ts_result_release(&r);

    /* none recomputed: no such line */
    make_cost_result(&r);
    assert_int_equal(capture(ts_report_text, &r, &text, &err), 0);
    assert_null(strstr(text, "recomputed"));
    free(text);
    ts_result_release(&r);
}

/* ---- the empty result -------------------------------------------------------------------- */

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_fmt_count),
        cmocka_unit_test(test_report_fmt_bytes),
        cmocka_unit_test(test_report_hierarchy_counters),
        cmocka_unit_test(test_report_recomputed_blocks),
        cmocka_unit_test(test_report_empty_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
