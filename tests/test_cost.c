/* SPDX-License-Identifier: MIT */
/*
 * test_cost.c - the cost model (sim/cost.c) and its scenario keys (app/config.c).
 *
 * Bills computed on paper: a 3-tier run (HBM, DRAM, NVMe over S3) with every line item
 * (capacity per tier, requests, transfer, GPU time and its stalls, power) and the normalised
 * figures; the billing period of the fast engine (the trace's span), of cost.period and of an
 * open loop; capacity billed in objects mode; buying versus renting a tier; the price table's
 * rows and how a device finds its defaults; an end-to-end run whose central-store requests
 * come from the hierarchy; the JSON document's determinism; every configuration error.
 * Prices used below are the defaults of sim/presets/prices.yaml: DDR5 $4/GB and NVMe
 * $0.10/GB over 5 years (43,800 h), S3 $0.023/GiB-month (a month is 730 h), $0.0004 per
 * 1,000 GETs, $0.005 per 1,000 PUTs, an H100 at $3.99/h (the default profile, neocloud-2026-09);
 * the other profiles' GPU prices are those of their lists (test_cost_price_profiles).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reports/report.h"
#include "sim/cost.h"
#include "sim/result.h"
#include "sim/util/mem.h"
#include "app/run.h"
#include "app/scenario.h"
#include "result_test.h"

#define SRC "s.yaml"
#define HOUR_NS 3600000000000ULL
#define GIB_GB 1.073741824 /* GB in a GiB */

static void assert_usd(double got, double want)
{
    if (fabs(got - want) > 1e-9 * (fabs(want) > 1 ? fabs(want) : 1))
        fail_msg("got $%.17g, want $%.17g", got, want);
}

/* The bill of res as sc prices it, into *c (what *c held released first). */
static void bill(const ts_scenario_t *sc, const ts_result_t *res, ts_cost_result_t *c)
{
    ts_cost_result_release(c);
    ts_err_t err = {0};
    assert_int_equal(ts_cost_compute(&sc->cost, res, c, &err), 0);
}

static ts_scenario_t *load_ok(const char *yaml)
{
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    int rc = ts_scenario_load_string(yaml, SRC, "/base", NULL, 0, &sc, &err);
    if (rc)
        fail_msg("load failed: %s: %s: %s", ts_err_name(rc), err.where, err.msg);
    return sc;
}

/* HBM on an H100, 100 GB of DRAM, 1 TB of NVMe drawing 10 W, over S3 read at $0.02/GB
 * (another region); 8 closed-loop GPUs of 700 W at $0.10/kWh. */
static const char k_three_tiers[] =
    "mode: bytes\n"
    "workload: {generator: zipf}\n"
    "tiers:\n"
    "  - {name: hbm, capacity: 40GB, device: h100-sxm}\n"
    "  - {name: dram, capacity: 100GB, device: ddr5-4800-8ch}\n"
    "  - {name: nvme, capacity: 1TB, device: micron-9550-max, cost: {power: 10W}}\n"
    "backing: {device: s3-standard, cost: {egress: $0.02/GB}}\n"
    "cost: {gpu_power: 700W, electricity: $0.10/kWh}\n"
    "engine: timed\n"
    "timed: {arrivals: closed, clients: 8}\n";

/* What a one-hour timed run over k_three_tiers measured: 1M reads (4 TB) and 10k writes
 * (10 GB) on the link to S3, a 2 TB dataset, 8 clients stalled a quarter of the time;
 * 9M gets and 1M puts in all; 2 epochs, 5M tokens, 100 sessions. */
static void three_tier_result(ts_result_t *res)
{
    memset(res, 0, sizeof(*res));
    res->mode = TS_MODE_BYTES;
    test_result_tiers(res, 3);
    static const char *const names[] = {"hbm", "dram", "nvme"};
    static const uint64_t caps[] = {40000000000ULL, 100000000000ULL, 1000000000000ULL};
    for (size_t i = 0; i < 3; i++) {
        test_str(&res->tiers[i].name, "%s", names[i]);
        res->tiers[i].capacity = caps[i];
    }
    res->footprint_objects = 1000000;
    res->footprint_bytes = 2000000000000ULL;
    res->totals.n_get = 9000000;
    res->totals.n_put = 1000000;
    res->totals.n_req = 10000000;
    ts_link_stats_t *l = &res->hier.link[2];
    l->n_up = 1000000;
    l->bytes_up = 4000000000000ULL;
    l->n_down = 10000;
    l->bytes_down = 10000000000ULL;
    res->has_timed = true;
    res->timed.arrivals = TS_ARRIVALS_CLOSED;
    res->timed.clients = 8;
    res->timed.span_ns = HOUR_NS;
    res->timed.stall_ns = 2 * HOUR_NS; /* a quarter of 8 GPU-hours */
    res->units.epochs = 2;
    res->units.tokens = 5000000;
    res->units.sessions = 100;
}

/* The bill on paper, period P = 1 h (the simulated span):
 *   hbm      priced in the GPU-hour                                      $0
 *   dram     100 GB x $4/GB / 43,800 h x 1 h = 400 / 43,800         $0.00913242009132420
 *   nvme     1,000 GB x $0.10/GB / 43,800 h                          $0.00228310502283105
 *   backing  2,000 GB x $0.023/GiB-month = 2,000 x 0.023 / 1.073741824 / 730 per hour
 *                                                                     $0.05868608004426303
 *   requests 1,000,000 x $0.0004/1000 + 10,000 x $0.005/1000 = 0.40 + 0.05    $0.45
 *   transfer 4,000 GB out x $0.02/GB (in: free)                                 $80
 *   GPU time 8 clients x 1 h x $3.99/h                                       $31.92
 *            of which stalled: 2 h / (8 x 1 h) = 25%                          $7.98
 *   power    (10 W + 8 x 700 W) x 1 h = 5.61 kWh x $0.10/kWh                 $0.561
 *   total    0.07010160515841829 + 0.45 + 80 + 31.92 + 0.561        $113.00110160515842
 * Normalised: / 10 (10M requests), / 2 epochs, / 5 (5M tokens), / 100 sessions. */
static void test_cost_three_tier_bill_by_hand(void **state)
{
    (void)state;
    ts_scenario_t *sc = load_ok(k_three_tiers);
    ts_result_t *res = calloc(1, sizeof(*res));
    three_tier_result(res);
    ts_cost_result_t c = {0};
    bill(sc, res, &c);
    assert_int_equal(c.period_ns, HOUR_NS);
    assert_int_equal(c.period_from, TS_COST_PERIOD_TIMED);
    assert_int_equal(c.n_levels, 4);
    assert_string_equal(c.level[0].name, "hbm");
    assert_string_equal(c.level[3].name, "backing");
    assert_int_equal(c.level[1].billed_bytes, 100000000000ULL);
    assert_int_equal(c.level[3].billed_bytes, 2000000000000ULL); /* the footprint */
    assert_false(c.level[1].is_estimated);
    assert_usd(c.level[0].capacity_usd, 0);
    assert_usd(c.level[1].capacity_usd, 400.0 / 43800);
    assert_usd(c.level[2].capacity_usd, 100.0 / 43800);
    assert_usd(c.level[3].capacity_usd, 2000 * 0.023 / GIB_GB / 730);
    assert_usd(c.capacity_usd, 0.07010160515841829);
    assert_int_equal(c.n_get, 1000000);
    assert_int_equal(c.n_put, 10000);
    assert_usd(c.get_usd, 0.40);
    assert_usd(c.put_usd, 0.05);
    assert_usd(c.requests_usd, 0.45);
    assert_int_equal(c.bytes_out, 4000000000000ULL);
    assert_usd(c.egress_usd, 80);
    assert_usd(c.ingress_usd, 0);
    assert_usd(c.transfer_usd, 80);
    assert_string_equal(c.gpu, "h100-sxm");
    assert_int_equal(c.gpus, 8);
    assert_string_equal(c.gpus_from, "timed.clients");
    assert_usd(c.gpu_usd, 31.92);
    assert_true(c.has_stall);
    assert_usd(c.stall_share, 0.25);
    assert_usd(c.stall_usd, 7.98);
    assert_usd(c.power_w, 5610);
    assert_usd(c.energy_kwh, 5.61);
    assert_usd(c.power_usd, 0.561);
    assert_usd(c.total_usd, 113.00110160515842);
    assert_int_equal(c.n_requests, 10000000);
    assert_usd(c.usd_per_m_requests, 11.300110160515842);
    assert_usd(c.usd_per_epoch, 56.50055080257921);
    assert_false(c.is_prefill_tokens);
    assert_usd(c.usd_per_m_tokens, 22.600220321031684);
    assert_usd(c.usd_per_session, 1.1300110160515842);
    ts_cost_result_release(&c);
    ts_result_release(res);
    free(res);
    ts_scenario_destroy(sc);
}

/* One 100 GB DRAM tier billed for 30 min with 2 GPUs named gpu, and more (YAML) after it;
 * res gets the one tier. */
static ts_scenario_t *dram_tier(ts_result_t *res, const char *gpu, const char *more)
{
    char yaml[512];
    snprintf(yaml, sizeof(yaml),
             "mode: bytes\nworkload: {generator: zipf}\n"
             "tiers: [{name: dram, capacity: 100GB, device: ddr5-4800-8ch}]\n"
             "cost: {period: 30min, gpus: 2, gpu: %s}\n%s",
             gpu, more);
    test_result_tiers(res, 1);
    res->tiers[0].capacity = 100000000000ULL;
    return load_ok(yaml);
}

/* The fast engine bills the trace's span, first to last request: 5 s to 2 h 5 s is 2 h, so
 * DRAM costs twice its hour (2 x 400 / 43,800) and 4 GPUs of the workload (no closed loop)
 * cost 4 x 2 h x $3.99 = $31.92, with no stall figure. cost.period replaces the span
 * (30 min: half an hour of DRAM). An open loop bills its simulated span, GPUs from the
 * workload again. */
static void test_cost_period_rules(void **state)
{
    (void)state;
    ts_scenario_t *sc = load_ok(k_three_tiers);
    ts_result_t *res = calloc(1, sizeof(*res));
    three_tier_result(res);
    res->has_timed = false;
    res->totals.first_ns = 5000000000ULL;
    res->totals.last_ns = 5000000000ULL + 2 * HOUR_NS;
    res->units.gpus = 4;
    ts_cost_result_t c = {0};
    bill(sc, res, &c);
    assert_int_equal(c.period_ns, 2 * HOUR_NS);
    assert_int_equal(c.period_from, TS_COST_PERIOD_TRACE);
    assert_usd(c.level[1].capacity_usd, 2 * 400.0 / 43800);
    assert_int_equal(c.gpus, 4);
    assert_string_equal(c.gpus_from, "workload");
    assert_usd(c.gpu_usd, 31.92);
    assert_false(c.has_stall);
    assert_usd(c.stall_usd, 0);

    res->has_timed = true; /* open loop: the simulated span, not the trace's */
    res->timed.arrivals = TS_ARRIVALS_OPEN;
    res->timed.span_ns = HOUR_NS / 2;
    bill(sc, res, &c);
    assert_int_equal(c.period_ns, HOUR_NS / 2);
    assert_int_equal(c.period_from, TS_COST_PERIOD_TIMED);
    assert_string_equal(c.gpus_from, "workload");
    assert_false(c.has_stall);
    ts_scenario_destroy(sc);

    sc = dram_tier(res, "h100-sxm", "");
    bill(sc, res, &c);
    assert_int_equal(c.period_ns, HOUR_NS / 2);
    assert_int_equal(c.period_from, TS_COST_PERIOD_SET);
    assert_usd(c.level[0].capacity_usd, 0.5 * 400.0 / 43800);
    assert_string_equal(c.gpus_from, "cost.gpus");
    assert_usd(c.gpu_usd, 2 * 0.5 * 3.99);
    /* the one tier's link below it is the link to the central store */
    assert_int_equal(c.n_get, 0);
    ts_cost_result_release(&c);
    ts_result_release(res);
    free(res);
    ts_scenario_destroy(sc);
}

/* Objects mode: 1,000 objects of DRAM, a footprint of 10,000 objects in 40 GB (4 MB each):
 * 4 GB billed, marked estimated; 4 GB x $4/GB / 43,800 h for 1 h. Without a footprint, the
 * mean request size: 8 GB over 2,000 gets and puts, 4 MB again. */
static void test_cost_objects_mode_bills_mean_size(void **state)
{
    (void)state;
    ts_scenario_t *sc = load_ok("workload: {generator: zipf}\n"
                                "tiers: [{name: dram, capacity: 1000, device: ddr5-4800-8ch}]\n"
                                "cost: {period: 1h}\n");
    ts_result_t *res = calloc(1, sizeof(*res));
    res->mode = TS_MODE_OBJECTS;
    test_result_tiers(res, 1);
    res->tiers[0].capacity = 1000;
    res->footprint_objects = 10000;
    res->footprint_bytes = 40000000000ULL;
    ts_cost_result_t c = {0};
    bill(sc, res, &c);
    assert_int_equal(c.level[0].billed_bytes, 4000000000ULL);
    assert_true(c.level[0].is_estimated);
    assert_usd(c.level[0].capacity_usd, 4 * 4.0 / 43800);
    res->footprint_objects = res->footprint_bytes = 0;
    res->totals.n_get = 1500;
    res->totals.n_put = 500;
    res->totals.bytes_req = 8000000000ULL;
    bill(sc, res, &c);
    assert_int_equal(c.level[0].billed_bytes, 4000000000ULL);
    assert_usd(c.level[1].capacity_usd, 0); /* the central store: no footprint, no bytes */
    ts_cost_result_release(&c);
    ts_result_release(res);
    free(res);
    ts_scenario_destroy(sc);
}

/* Renting replaces buying: storage on the NVMe tier drops its default purchase price, so
 * 1,000 GB x $0.05/GB-month / 730 h = $0.0684931506849315 for an hour; a capacity given
 * explicitly (500 GB) is what is billed; a tier with no device has no price. */
static void test_cost_level_overrides(void **state)
{
    (void)state;
    ts_scenario_t *sc = load_ok(
        "mode: bytes\nworkload: {generator: zipf}\n"
        "tiers:\n"
        "  - {name: plain, capacity: 1GB}\n"
        "  - {name: nvme, capacity: 1TB, device: micron-9550-max,\n"
        "     cost: {storage: $0.05/GB-month}}\n"
        "  - {name: dram, capacity: 1TB, device: ddr5-4800-8ch, cost: {capacity: 500GB}}\n"
        "cost: {period: 1h}\n");
    const ts_price_t *nvme = &sc->cost.tier[1];
    assert_usd(nvme->purchase_usd_gb, 0);
    assert_usd(nvme->storage_usd_gb_month, 0.05);
    assert_string_equal(sc->cost.tier[0].row, "");
    assert_usd(sc->cost.tier[2].purchase_usd_gb, 4); /* purchase kept: only capacity given */
    ts_result_t *res = calloc(1, sizeof(*res));
    res->mode = TS_MODE_BYTES;
    test_result_tiers(res, 3);
    res->tiers[0].capacity = 1000000000ULL;
    res->tiers[1].capacity = res->tiers[2].capacity = 1000000000000ULL;
    ts_cost_result_t c = {0};
    bill(sc, res, &c);
    assert_usd(c.level[0].capacity_usd, 0);
    assert_usd(c.level[1].capacity_usd, 0.0684931506849315);
    assert_int_equal(c.level[2].billed_bytes, 500000000000ULL);
    assert_usd(c.level[2].capacity_usd, 500 * 4.0 / 43800);
    assert_string_equal(sc->cost.gpu, ""); /* no HBM tier, no cost.gpu: no GPU */
    ts_cost_result_release(&c);
    ts_result_release(res);
    free(res);
    ts_scenario_destroy(sc);
}

/* The embedded table parses, and a device's defaults are its kind's row with its own on top:
 * a RAID-0 of NVMe drives is priced per GB like its drives, an H100 has its GPU-hour and no
 * capacity price, a GPU without a row of its own gets none, the central store S3's prices. */
static void test_cost_price_table_rows(void **state)
{
    (void)state;
    ts_price_table_t *t = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_price_table_create(NULL, &t, &err), 0);
    assert_true(ts_price_table_count(t) >= 5);
    for (size_t i = 0; i < ts_price_table_count(t); i++)
        assert_true(ts_price_table_at(t, i)->row[0] != 0);
    assert_null(ts_price_table_at(t, ts_price_table_count(t)));
    ts_price_t p;
    ts_price_table_lookup(t, "raid0:4xmicron-9550-max", TS_DEV_RAID0, &p);
    assert_string_equal(p.row, "kind:raid0");
    assert_usd(p.purchase_usd_gb, 0.10);
    assert_int_equal(p.lifetime_ns, 5 * 8760 * HOUR_NS);
    ts_price_table_lookup(t, "h100-sxm", TS_DEV_GPU_HBM, &p);
    assert_string_equal(p.row, "h100-sxm");
    assert_usd(p.gpu_usd_hour, 3.99);
    assert_usd(p.purchase_usd_gb, 0);
    ts_price_table_lookup(t, "gb200", TS_DEV_GPU_HBM, &p);
    assert_string_equal(p.row, "kind:gpu_hbm");
    assert_usd(p.gpu_usd_hour, 0);
    ts_price_table_lookup(t, "s3-standard", TS_DEV_OBJECT_STORE, &p);
    assert_usd(p.storage_usd_gb_month, 0.023 / GIB_GB);
    assert_usd(p.get_usd, 4e-7);
    assert_usd(p.put_usd, 5e-6);
    assert_usd(p.egress_usd_gb, 0);
    assert_non_null(ts_price_table_find(t, "b200"));
    assert_null(ts_price_table_find(t, "no-such-part"));
    ts_price_table_destroy(t);

    /* a scenario with no device at all still prices its central store as S3 */
    ts_scenario_t *sc = load_ok("workload: {generator: zipf}\ntiers: [{capacity: 10}]\n");
    assert_string_equal(sc->cost.backing.row, "kind:object_store");
    assert_true(sc->cost.is_enabled);
    ts_scenario_destroy(sc);
}

/* Price profiles (prices: PROFILE, sim/presets/prices.yaml). The bill of three_tier_result
 * with the H100 at neocloud-2026-09's $3.99/h: GPU time 8 clients x 1 h x $3.99 = $31.92, a
 * quarter of it stalled ($7.98); the total is $113.00110160515842, as with the default. At hyperscaler-2026-09 (AWS p5.48xlarge per GPU) the
 * H100 costs 8 x 1 h x $6.88 = $55.04. That profile prices no B200: it falls back to
 * neocloud-2026-09's $6.69/h, so 2 GPUs for 30 min cost 2 x 0.5 h x $6.69 = $6.69, and the
 * bill and the text report name the fallback. Without `prices:` the profile is the default,
 * neocloud-2026-09; `prices: neocloud-2025` (the prices before profiles) has the H100 at
 * $2.99/h. */
static void test_cost_price_profiles(void **state)
{
    (void)state;
    char yaml[1024];
    snprintf(yaml, sizeof(yaml), "%sprices: neocloud-2026-09\n", k_three_tiers);
    ts_scenario_t *sc = load_ok(yaml);
    assert_string_equal(sc->cost.prices, "neocloud-2026-09");
    assert_string_equal(sc->cost.prices_date, "2026-09");
    ts_result_t *res = calloc(1, sizeof(*res));
    three_tier_result(res);
    ts_cost_result_t c = {0};
    bill(sc, res, &c);
    assert_usd(c.gpu_usd_hour, 3.99);
    assert_usd(c.gpu_usd, 31.92);
    assert_usd(c.stall_usd, 7.98);
    assert_usd(c.total_usd, 113.00110160515842);
    assert_string_equal(c.prices, "neocloud-2026-09");
    assert_string_equal(c.gpu_fallback, "");
    ts_scenario_destroy(sc);

    snprintf(yaml, sizeof(yaml), "%sprices: hyperscaler-2026-09\n", k_three_tiers);
    sc = load_ok(yaml);
    bill(sc, res, &c);
    assert_usd(c.gpu_usd, 55.04);
    assert_string_equal(c.gpu_fallback, "");
    ts_scenario_destroy(sc);

    sc = dram_tier(res, "b200", "prices: hyperscaler-2026-09\n");
    bill(sc, res, &c);
    assert_usd(c.gpu_usd_hour, 6.69);
    assert_usd(c.gpu_usd, 6.69);
    assert_string_equal(c.gpu_fallback, "neocloud-2026-09");
    assert_string_equal(c.prices_date, "2026-09");
    /* the report's cost section names the profile, its date and the fallback */
    res->has_cost = true;
    res->cost = c;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    ts_err_t err = {0};
    assert_int_equal(ts_report_text(res, f, &err), 0);
    fclose(f);
    static const char *const want[] = {
        "\nprices     hyperscaler-2026-09, read 2026-09 (tiersim list prices)\n",
        "2 GPUs (cost.gpus) x 0.5000h x $6.69/h b200 from neocloud-2026-09"};
    for (size_t i = 0; i < 2; i++)
        if (!strstr(text, want[i]))
            fail_msg("the report lacks \"%s\":\n%s", want[i], text);
    free(text);
    ts_result_release(res); /* the bill with it */
    free(res);
    ts_scenario_destroy(sc);

    sc = load_ok("workload: {generator: zipf}\ntiers: [{capacity: 10, device: h100-sxm}]\n");
    assert_string_equal(sc->cost.prices, "neocloud-2026-09");
    assert_string_equal(sc->cost.prices_date, "2026-09");
    assert_usd(sc->cost.gpu_usd_hour, 3.99);
    ts_scenario_destroy(sc);
    sc = load_ok("workload: {generator: zipf}\ntiers: [{capacity: 10, device: h100-sxm}]\n"
                 "prices: neocloud-2025\n");
    assert_string_equal(sc->cost.prices_date, "2025");
    assert_usd(sc->cost.gpu_usd_hour, 2.99);
    ts_scenario_destroy(sc);
}

/* The profiles of the embedded table: one default, each dated and sourced; a profile's rows
 * replace the shared ones, a row it lacks comes from its fallback (named in ->profile); out
 * of memory at any allocation is TS_ENOMEM and no table; an unknown profile is refused with
 * a suggestion. */
static void test_cost_price_table_profiles(void **state)
{
    (void)state;
    ts_price_table_t *t = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_price_table_create("hyperscaler-2026-09", &t, &err), 0);
    assert_int_equal(ts_price_profile_count(t), 3);
    size_t n_default = 0;
    for (size_t i = 0; i < ts_price_profile_count(t); i++) {
        const ts_price_profile_t *p = ts_price_profile_at(t, i);
        n_default += p->is_default;
        assert_true(p->date[0] && p->source[0]);
    }
    assert_int_equal(n_default, 1);
    assert_null(ts_price_profile_at(t, 3));
    assert_string_equal(ts_price_table_profile(t)->name, "hyperscaler-2026-09");
    assert_string_equal(ts_price_table_profile(t)->fallback, "neocloud-2026-09");
    const ts_price_t *h100 = ts_price_table_find(t, "h100-sxm");
    assert_usd(h100->gpu_usd_hour, 6.88);
    assert_string_equal(h100->profile, "hyperscaler-2026-09");
    const ts_price_t *a100 = ts_price_table_find(t, "a100-80gb-sxm");
    assert_usd(a100->gpu_usd_hour, 2.79);
    assert_string_equal(a100->profile, "neocloud-2026-09");
    assert_string_equal(ts_price_table_find(t, "kind:dram")->profile, "");
    for (size_t i = 0; i < ts_price_table_count(t); i++)
        if (ts_price_table_at(t, i)->gpu_usd_hour > 0) /* every GPU price dated and sourced */
            assert_true(ts_price_table_date(t, i)[0] && ts_price_table_source(t, i)[0]);
    ts_price_table_destroy(t);

    long n; /* out of memory at every allocation of a profile with a fallback, then none */
    for (n = 0; n < 1000; n++) {
        ts_mem_fail_after(n);
        int rc = ts_price_table_create("hyperscaler-2026-09", &t, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(t);
    }
    assert_true(n > 2 && n < 1000);
    ts_price_table_destroy(t);
    t = NULL;

    err = (ts_err_t){0};
    assert_int_equal(ts_price_table_create("hyperscaler-2026", &t, &err), TS_ENOENT);
    assert_null(t);
    if (!strstr(err.msg, "unknown price profile 'hyperscaler-2026' (did you mean "
                         "'hyperscaler-2026-09'?)"))
        fail_msg("got: %s", err.msg);
}

/* A workload that counts no tokens (a KV-block trace) is priced per token by the timed
 * engine's prefill tokens: 3M saved + 1M recomputed = 4M, so $113.0011... / 4. */
static void test_cost_tokens_fall_back_to_prefill(void **state)
{
    (void)state;
    ts_scenario_t *sc = load_ok(k_three_tiers);
    ts_result_t *res = calloc(1, sizeof(*res));
    three_tier_result(res);
    res->units.tokens = 0;
    res->timed.prefill_tokens_saved = 3000000;
    res->timed.prefill_tokens_recomputed = 1000000;
    ts_cost_result_t c = {0};
    bill(sc, res, &c);
    assert_int_equal(c.tokens, 4000000);
    assert_true(c.is_prefill_tokens);
    assert_usd(c.usd_per_m_tokens, 113.00110160515842 / 4);
    res->has_timed = false; /* the fast engine has none: no per-token figure */
    bill(sc, res, &c);
    assert_int_equal(c.tokens, 0);
    assert_usd(c.usd_per_m_tokens, 0);
    ts_cost_result_release(&c);
    ts_result_release(res);
    free(res);
    ts_scenario_destroy(sc);
}

/* KV blocks the timed engine recomputed were never read from S3: of the 1M reads (4 TB) on
 * the link, 250k blocks (1 TB) were recomputed, so 750k GETs ($0.30) and 3,000 GB out
 * ($60) are billed: $113.0011... - 0.10 - 20. */
static void test_cost_recomputed_kv_blocks_are_not_reads(void **state)
{
    (void)state;
    ts_scenario_t *sc = load_ok(k_three_tiers);
    ts_result_t *res = calloc(1, sizeof(*res));
    three_tier_result(res);
    res->timed.kv_recomputed = 250000;
    res->timed.kv_recomputed_bytes = 1000000000000ULL;
    ts_cost_result_t c = {0};
    bill(sc, res, &c);
    assert_int_equal(c.n_get, 750000);
    assert_int_equal(c.bytes_out, 3000000000000ULL);
    assert_usd(c.get_usd, 0.30);
    assert_usd(c.egress_usd, 60);
    assert_usd(c.total_usd, 113.00110160515842 - 0.10 - 20);
    ts_cost_result_release(&c);
    ts_result_release(res);
    free(res);
    ts_scenario_destroy(sc);
}

/* ---- end to end ---- */

/* A loop over 10 objects of 1 MB, one a second for 100 s: the period is 99 s (first to last
 * request) = 0.0275 h. HBM holds 2 objects and DRAM 5, so LRU misses every request there;
 * NVMe holds 20 and keeps all 10 after the first pass: 10 GETs reach S3, 10 MB out. The
 * footprint (S3's capacity) is 10 MB. 2 GPUs on the H100 price.
 *   dram     0.005 GB x $4 / 43,800 h x 0.0275 h
 *   nvme     0.02 GB x $0.10 / 43,800 h x 0.0275 h
 *   backing  0.01 GB x $0.023/1.073741824 / 730 h x 0.0275 h
 *   requests 10 x $0.0004/1000 = $0.000004
 *   GPU time 2 x 0.0275 h x $3.99 = $0.21945 */
static const char k_loop_run[] = "mode: bytes\n"
                                 "workload:\n"
                                 "  generator: {kind: loop, keys: 10, requests: 100, size: 1MB,\n"
                                 "              interarrival: 1s}\n"
                                 "tiers:\n"
                                 "  - {name: hbm, capacity: 2MB, device: h100-sxm}\n"
                                 "  - {name: dram, capacity: 5MB, device: ddr5-4800-8ch}\n"
                                 "  - {name: nvme, capacity: 20MB, device: micron-9550-max}\n"
                                 "cost: {gpus: 2}\n";

static void test_cost_end_to_end_loop_run(void **state)
{
    (void)state;
    ts_scenario_t *sc = load_ok(k_loop_run);
    ts_result_t *res = calloc(1, sizeof(*res));
    ts_err_t err = {0};
    int rc = ts_run(sc, res, &err);
    if (rc)
        fail_msg("%s: %s", err.where, err.msg);
    assert_true(res->has_cost);
    const ts_cost_result_t *c = &res->cost;
    double h = 99.0 / 3600;
    assert_int_equal(c->period_ns, 99000000000ULL);
    assert_int_equal(res->footprint_bytes, 10000000); /* measured for the bill */
    assert_int_equal(c->n_get, 10);
    assert_int_equal(c->bytes_out, 10000000);
    assert_int_equal(c->n_put, 0);
    assert_usd(c->level[1].capacity_usd, 0.005 * 4 / 43800 * h);
    assert_usd(c->level[2].capacity_usd, 0.02 * 0.10 / 43800 * h);
    assert_usd(c->level[3].capacity_usd, 0.01 * 0.023 / GIB_GB / 730 * h);
    assert_usd(c->requests_usd, 0.000004);
    assert_usd(c->gpu_usd, 0.21945);
    assert_usd(c->total_usd, c->capacity_usd + 0.000004 + 0.21945);
    assert_usd(c->usd_per_m_requests, c->total_usd / 100 * 1e6);
    assert_usd(c->usd_per_epoch, 0); /* the loop generator counts no epochs */
    ts_result_release(res);
    free(res);
    ts_scenario_destroy(sc);
}

/* Writes the JSON document of res into a string (caller frees). */
static char *json_of(const ts_result_t *res)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ts_err_t err = {0};
    assert_int_equal(ts_report_json(res, false, f, &err), 0);
    fclose(f);
    return buf;
}

/* The same scenario twice gives the same document, bill included; cost.enabled false
 * leaves the bill out. */
static void test_cost_json_deterministic_and_disabled(void **state)
{
    (void)state;
    char *doc[2];
    for (int k = 0; k < 2; k++) {
        ts_scenario_t *sc = load_ok(k_loop_run);
        ts_result_t *res = calloc(1, sizeof(*res));
        ts_err_t err = {0};
        assert_int_equal(ts_run(sc, res, &err), 0);
        doc[k] = json_of(res);
        ts_result_release(res);
        free(res);
        ts_scenario_destroy(sc);
    }
    assert_string_equal(doc[0], doc[1]);
    assert_non_null(strstr(doc[0], "\"cost\": {"));
    assert_non_null(strstr(doc[0], "\"usd_per_million_requests\""));
    assert_non_null(strstr(doc[0], "\"usd_per_epoch\": null"));
    free(doc[0]);
    free(doc[1]);

    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    const char *ovr[] = {"cost.enabled=false"};
    assert_int_equal(ts_scenario_load_string(k_loop_run, SRC, "/base", ovr, 1, &sc, &err), 0);
    ts_result_t *res = calloc(1, sizeof(*res));
    assert_int_equal(ts_run(sc, res, &err), 0);
    assert_false(res->has_cost);
    assert_int_equal(res->footprint_bytes, 0); /* no bill, no footprint pass */
    char *d = json_of(res);
    assert_null(strstr(d, "\"cost\""));
    free(d);
    ts_result_release(res);
    free(res);
    ts_scenario_destroy(sc);
}

/* ---- configuration errors ---- */

struct cost_err_case {
    const char *name;
    const char *yaml;
    int code;
    const char *where; /* exact err.where */
    const char *msg;   /* substring of err.msg */
};

#define W "workload: {generator: zipf}\n"

static const struct cost_err_case k_err_cases[] = {
    {"tier key typo", W "tiers:\n  - {capacity: 1, device: ddr5-4800-8ch, cost: {purchse: 1}}\n",
     TS_ENOENT, SRC ":3:49: tiers[0].cost.purchse",
     "unknown key 'purchse' (did you mean 'purchase'?)"},
    {"request price on a tier", W "tiers:\n  - {capacity: 1, cost: {get: $0.0004/1000}}\n",
     TS_ENOENT, SRC ":3:26: tiers[0].cost.get",
     "'get' is a price of the central store: set it in backing.cost"},
    {"rent priced per GB", W "tiers: [{capacity: 1}]\nbacking: {cost: {storage: $0.023/GB}}\n",
     TS_EPARSE, SRC ":3:27: backing.cost.storage",
     "expected a price such as $0.023/GB-month or $23/TB-month, found '$0.023/GB'"},
    {"request price without its count",
     W "tiers: [{capacity: 1}]\nbacking: {cost: {get: 0.0004}}\n", TS_EPARSE,
     SRC ":3:23: backing.cost.get", "expected a price such as $0.0004/1000"},
    {"negative price", W "tiers: [{capacity: 1}]\ncost: {gpu_price: -2/h}\n", TS_ERANGE,
     SRC ":3:19: cost.gpu_price", "expected a non-negative price"},
    {"gpu price per GB", W "tiers: [{capacity: 1}]\ncost: {gpu_price: $2/GB}\n", TS_EPARSE,
     SRC ":3:19: cost.gpu_price", "expected a price such as $2.99/h"},
    {"top-level typo", W "tiers: [{capacity: 1}]\ncost: {enabld: false}\n", TS_ENOENT,
     SRC ":3:8: cost.enabld", "unknown key 'enabld' (did you mean 'enabled'?)"},
    {"backing typo", W "tiers: [{capacity: 1}]\nbacking: {cost: {egres: 0}}\n", TS_ENOENT,
     SRC ":3:18: backing.cost.egres", "unknown key 'egres' (did you mean 'egress'?)"},
    {"backing key", W "tiers: [{capacity: 1}]\nbacking: {costs: {}}\n", TS_ENOENT,
     SRC ":3:11: backing.costs", "unknown key 'costs' (did you mean 'cost'?)"},
    {"cost is a list", W "tiers: [{capacity: 1}]\ncost: [1]\n", TS_EPARSE, SRC ":3:7: cost",
     "expected a map such as {gpus: 8, gpu_price: $2.99/h} or {enabled: false}, found a list"},
    {"gpu prefix", W "tiers: [{capacity: 1}]\ncost: {gpu: h100}\n", TS_ENOENT,
     SRC ":3:13: cost.gpu",
     "no price for GPU 'h100' in the price table (did you mean 'h100-sxm'?)"},
    {"unpriced gpu", W "tiers: [{capacity: 1}]\ncost: {gpu: tpu-v5p}\n", TS_ENOENT,
     SRC ":3:13: cost.gpu",
     "no price for GPU 'tpu-v5p' in the price table (priced: a100-80gb-sxm, h100-sxm, h200, "
     "b200); or set cost.gpu_price"},
    {"gpu typo", W "tiers: [{capacity: 1}]\ncost: {gpu: h100-smx}\n", TS_ENOENT,
     SRC ":3:13: cost.gpu", "(did you mean 'h100-sxm'?); or set cost.gpu_price"},
    {"profile typo", W "tiers: [{capacity: 1}]\nprices: neocloud-2026-9\n", TS_ENOENT,
     SRC ":3:9: prices",
     "unknown price profile 'neocloud-2026-9' (did you mean 'neocloud-2026-09'?)"},
    {"unknown profile", W "tiers: [{capacity: 1}]\nprices: aws\n", TS_ENOENT, SRC ":3:9: prices",
     "unknown price profile 'aws' (expected one of: neocloud-2025, neocloud-2026-09, "
     "hyperscaler-2026-09)"},
    {"profile is a list", W "tiers: [{capacity: 1}]\nprices: [a]\n", TS_EPARSE,
     SRC ":3:9: prices", "expected a price profile such as neocloud-2026-09, found a list"},
    {"gpu count", W "tiers: [{capacity: 1}]\ncost: {gpus: many}\n", TS_EPARSE,
     SRC ":3:14: cost.gpus", "expected a count"},
    {"power without unit", W "tiers: [{capacity: 1, cost: {power: 25}}]\n", TS_EPARSE,
     SRC ":2:37: tiers[0].cost.power", "expected a power such as 700W"},
    {"lifetime zero", W "tiers: [{capacity: 1, cost: {lifetime: 0}}]\n", TS_ERANGE,
     SRC ":2:40: tiers[0].cost.lifetime", "lifetime must be between"},
};

static void test_cost_config_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(k_err_cases) / sizeof(k_err_cases[0]); i++) {
        const struct cost_err_case *k = &k_err_cases[i];
        ts_scenario_t *sc = NULL;
        ts_err_t err = {0};
        int rc = ts_scenario_load_string(k->yaml, SRC, "/base", NULL, 0, &sc, &err);
        if (rc != k->code || strcmp(err.where, k->where) != 0 || !strstr(err.msg, k->msg))
            fail_msg("case '%s': got %s at '%s': %s", k->name, ts_err_name(rc), err.where,
                     err.msg);
        assert_null(sc);
    }
}

/* An override is checked like the file and sets a price the same way. */
static void test_cost_overrides(void **state)
{
    (void)state;
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    const char *ovr[] = {"tiers.1.cost.purchase=$8/GB", "backing.cost.get=$0.4/1M",
                         "cost.gpu_price=2.5/h"};
    assert_int_equal(ts_scenario_load_string(k_three_tiers, SRC, "/base", ovr, 3, &sc, &err), 0);
    assert_usd(sc->cost.tier[1].purchase_usd_gb, 8);
    assert_usd(sc->cost.tier[1].storage_usd_gb_month, 0);
    assert_usd(sc->cost.backing.get_usd, 4e-7);
    assert_usd(sc->cost.gpu_usd_hour, 2.5); /* given: the H100 row's price does not apply */
    assert_string_equal(sc->cost.gpu, "h100-sxm");
    ts_scenario_destroy(sc);
    const char *bad[] = {"backing.cost.put=five"};
    assert_int_equal(ts_scenario_load_string(k_three_tiers, SRC, "/base", bad, 1, &sc, &err),
                     TS_EPARSE);
    assert_string_equal(err.where, "-s backing.cost.put");
    assert_non_null(strstr(err.msg, "expected a price such as $0.0004/1000"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_three_tier_bill_by_hand),
        cmocka_unit_test(test_cost_period_rules),
        cmocka_unit_test(test_cost_objects_mode_bills_mean_size),
        cmocka_unit_test(test_cost_level_overrides),
        cmocka_unit_test(test_cost_price_table_rows),
        cmocka_unit_test(test_cost_price_profiles),
        cmocka_unit_test(test_cost_price_table_profiles),
        cmocka_unit_test(test_cost_tokens_fall_back_to_prefill),
        cmocka_unit_test(test_cost_recomputed_kv_blocks_are_not_reads),
        cmocka_unit_test(test_cost_end_to_end_loop_run),
        cmocka_unit_test(test_cost_json_deterministic_and_disabled),
        cmocka_unit_test(test_cost_config_errors),
        cmocka_unit_test(test_cost_overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
