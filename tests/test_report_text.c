/* SPDX-License-Identifier: MIT */
/*
 * test_report_text.c - the text report (reports/text.c): the hand-built two-tier result of
 * tests/report_test.h shows its scenario, tier table and totals with compact figures, no
 * wall time unless measured and no colours, in right-aligned columns; byte mode prints
 * capacities in bytes; every line fits 100 columns, with 16 tiers of huge figures and with
 * the widest realistic run (four long-named tiers, timed engine, a prefetcher), where a
 * table too wide goes on in a second one; the bill's section lists every line item.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "app/run.h"
#include "report_test.h"

/* ---- helpers ---------------------------------------------------------------------------- */

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

/* ---- the two-tier result ----------------------------------------------------------------- */

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

static char *four_tier_report_with(const char *const *ovr, size_t n_ovr)
{
    ts_err_t err = {0};
    ts_scenario_t *sc = NULL;
    if (ts_scenario_load_string(k_four_tiers, "four-tiers.yaml", NULL, ovr, n_ovr, &sc,
                                &err) != 0)
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

static char *four_tier_report(const char *override)
{
    const char *ovr[] = {override};
    return four_tier_report_with(ovr, override ? 1 : 0);
}

/* The same hierarchy in an open loop twenty times the workload's rate (200k requests/s,
 * the S3 backing store serving about 5.5k/s), cut at 500 jobs in flight: the devices'
 * utilisation is marked (ps devices and links: bw), the backing store is reported
 * overloaded, and the run stopped early, all within 100 columns. */
static void test_report_text_overload_and_stop(void **state)
{
    (void)state;
    const char *ovr[] = {"timed.arrivals=open", "timed.time_scale=0.05",
                         "timed.max_in_flight=500"};
    char *text = four_tier_report_with(ovr, 3);
    assert_width(text, 100);
    assert_non_null(strstr(text, "% bw "));
    assert_non_null(strstr(text, "\n  util             bw: busy share of the bandwidth; ch: of "
                                 "the channels\n"));
    assert_non_null(strstr(text, "\n  overloaded       backing: s3-standard: offered "));
    assert_non_null(strstr(text, "\n  stopped early    500 jobs in flight (timed.max_in_flight) "
                                 "at "));
    free(text);
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

/* ---- the bill ---------------------------------------------------------------------------- */

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
        "\nprices     neocloud-2025, read 2025 (tiersim list prices)\n",
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
    line_after(cost + 1, "cost ", 3, row, sizeof(row)); /* the dram row, after prices */
    assert_int_equal(strncmp(row, "dram     kind:dram", 18), 0);
    free(text);
    ts_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_text_contents),
        cmocka_unit_test(test_report_text_timing_and_bytes),
        cmocka_unit_test(test_report_text_width),
        cmocka_unit_test(test_report_text_four_tier_timed_fits_100_columns),
        cmocka_unit_test(test_report_text_overload_and_stop),
        cmocka_unit_test(test_report_cost_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
