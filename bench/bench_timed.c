/* SPDX-License-Identifier: MIT */
/*
 * bench_timed.c - requests/s of the timed engine on a two-tier hierarchy.
 *
 * Workload: Zipf(alpha) over `keys` keys of 4 KiB, `requests` requests (defaults 0.9, 1M,
 * 2M), generated once into memory so generation is not timed. Hierarchy: an H100's HBM
 * (LRU, 1% of the keys) over host DDR5 (LRU, 10%) reached over PCIe Gen5, over S3 reached
 * over a 100 GbE NIC; objects mode, default rules. Two arrival modes: open loop at the
 * generator's timestamps (one request per 100 us, a load the S3 tier sustains), and closed loop with 64 clients
 * and no think time. For each: one untimed warm-up replay, then `runs` timed replays (the
 * hierarchy and tiers are built fresh each time, inside the timed region), median printed.
 *
 * usage: bench_timed [requests] [keys] [alpha] [runs]
 * Output: one line per mode: mode requests hit_ratio p50 p99 events requests_per_s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "sim/util/gslerr.h"
#include "sim/device.h"
#include "sim/hier.h"
#include "sim/memtrace.h"
#include "sim/timed.h"
#include "sim/util/units.h"
#include "workloads/gen.h"
#include "policies/registry.h"

static int replay(const ts_memtrace_t *mt, uint64_t n_keys, const ts_timed_config_t *cfg,
                  double *secs, ts_timed_result_t *res, double *hit_ratio, ts_err_t *err)
{
    const ts_policy_ops_t *lru = ts_policy_find("lru", err);
    if (!lru)
        return TS_ENOENT;
    ts_tier_t *tiers[2] = {0};
    ts_hier_t *h = NULL;
    ts_reader_t *r = NULL;
    double t0 = now_s();
    ts_policy_init_t init = {.capacity = n_keys / 100, .count_objects = true, .seed = 1};
    int rc = ts_tier_create("hbm", lru, NULL, &init, &tiers[0], err);
    init.capacity = n_keys / 10;
    if (rc == 0)
        rc = ts_tier_create("dram", lru, NULL, &init, &tiers[1], err);
    ts_hier_config_t hc;
    memset(&hc, 0, sizeof(hc));
    if (rc == 0)
        rc = ts_hier_create(&hc, tiers, 2, &h, err);
    if (rc == 0)
        rc = ts_memtrace_reader(mt, &r, err);
    ts_timed_result_release(res); /* the previous run's histograms */
    if (rc == 0)
        rc = ts_engine_timed(h, r, cfg, res, err);
    *secs = now_s() - t0;
    if (rc == 0)
        *hit_ratio = (double)h->tot.n_hit / (double)(h->tot.n_get + h->tot.n_put);
    ts_reader_close(r);
    ts_hier_destroy(h);
    ts_tier_destroy(tiers[0]);
    ts_tier_destroy(tiers[1]);
    return rc;
}

int main(int argc, char **argv)
{
    ts_gsl_install();
    const char *requests = argc > 1 ? argv[1] : "2M";
    const char *keys = argc > 2 ? argv[2] : "1M";
    const char *alpha = argc > 3 ? argv[3] : "0.9";
    int runs = argc > 4 ? atoi(argv[4]) : 5;
    if (runs < 1 || runs > 99)
        runs = 5;

    ts_err_t err = {0};
    char buf[512];
    uint64_t n_keys = 0;
    if (ts_parse_count(keys, &n_keys, &err) || n_keys < 100) {
        fprintf(stderr, "bench_timed: error: keys: expected a count of at least 100\n");
        return 2;
    }
    const ts_reader_ops_t *zipf = ts_gen_find("zipf", &err);
    const char *names[] = {"requests", "keys", "alpha", "interarrival"};
    const char *values[] = {requests, keys, alpha, "100us"};
    ts_reader_ctx_t ctx = {.seed = 42};
    ts_reader_t *gen = NULL;
    ts_memtrace_t *mt = NULL;
    ts_dev_catalog_t *cat = NULL;
    static ts_timed_config_t cfg;
    int rc = zipf ? ts_reader_open_kv(zipf, names, values, 4, &ctx, &gen, &err) : TS_ENOENT;
    if (rc == 0)
        rc = ts_memtrace_load(gen, 0, &mt, &err);
    ts_reader_close(gen);
    if (rc == 0)
        rc = ts_dev_catalog_create(&cat, &err);
    if (rc == 0)
        rc = ts_dev_find(cat, "h100-sxm", &cfg.dev[0], &err);
    if (rc == 0)
        rc = ts_dev_find(cat, "ddr5-4800-8ch", &cfg.dev[1], &err);
    if (rc == 0)
        rc = ts_dev_find(cat, "s3-standard", &cfg.dev[2], &err);
    if (rc == 0)
        rc = ts_link_find(cat, "pcie-gen5-x16", &cfg.link[1], &err);
    if (rc == 0)
        rc = ts_link_find(cat, "eth-100g", &cfg.link[2], &err);
    ts_dev_catalog_destroy(cat);
    if (rc) {
        fprintf(stderr, "bench_timed: error: %s\n", ts_err_format(&err, buf, sizeof(buf)));
        ts_memtrace_destroy(mt);
        return 1;
    }
    cfg.has_link[1] = cfg.has_link[2] = true;
    cfg.time_scale = 1.0;

    printf("%-12s %10s %9s %10s %10s %14s\n", "arrivals", "requests", "hit_ratio", "p50",
           "p99", "requests_per_s");
    static ts_timed_result_t res;
    for (int mode = 0; mode < 2; mode++) {
        cfg.arrivals = mode ? TS_ARRIVALS_CLOSED : TS_ARRIVALS_OPEN;
        cfg.clients = 64;
        double secs[99], hit = 0;
        rc = replay(mt, n_keys, &cfg, &secs[0], &res, &hit, &err); /* warm-up */
        for (int i = 0; rc == 0 && i < runs; i++)
            rc = replay(mt, n_keys, &cfg, &secs[i], &res, &hit, &err);
        if (rc) {
            fprintf(stderr, "bench_timed: error: %s\n", ts_err_format(&err, buf, sizeof(buf)));
            ts_memtrace_destroy(mt);
            return 1;
        }
        qsort(secs, (size_t)runs, sizeof(double), cmp_double);
        char p50[32], p99[32];
        printf("%-12s %10zu %9.4f %10s %10s %14.0f\n", mode ? "closed/64" : "open",
               mt->n, hit, ts_format_duration(res.all.p50_ns, p50, sizeof(p50)),
               ts_format_duration(res.all.p99_ns, p99, sizeof(p99)),
               (double)mt->n / secs[runs / 2]);
        fflush(stdout);
        if (getenv("TS_BENCH_VERBOSE"))
            for (size_t i = 0; i < res.n_res; i++)
                fprintf(stderr, "  %-40s util %.3f queue %.2f wait %.0fns max %llu ops %llu\n",
                        res.res[i].name, res.res[i].utilisation, res.res[i].mean_queue,
                        res.res[i].mean_wait_ns, (unsigned long long)res.res[i].max_wait_ns,
                        (unsigned long long)res.res[i].n_ops);
    }
    ts_timed_result_release(&res);
    ts_memtrace_destroy(mt);
    return 0;
}
