/* SPDX-License-Identifier: MIT */
/*
 * bench_gen.c - requests per second of each workload generator through the reader seam.
 *
 * Usage: bench_gen [requests] — runs every generator (and both Zipf samplers) at several
 * key counts and prints one line each: kind, keys, sampler, millions of requests per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "workloads/gen.h"

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_one(const char *kind, const char *keys, const char *sampler, const char *reqs)
{
    ts_err_t err = {0};
    const ts_reader_ops_t *ops = ts_gen_find(kind, &err);
    if (!ops)
        return fprintf(stderr, "bench_gen: %s\n", err.msg), 1;
    const char *names[] = {"requests", "keys", "sampler"};
    const char *values[] = {reqs, keys, sampler};
    size_t n = sampler ? 3 : 2;
    ts_reader_ctx_t ctx = {.seed = 42, .base_dir = NULL};
    ts_reader_t *r = NULL;
    double t0 = bench_now();
    if (ts_reader_open_kv(ops, names, values, n, &ctx, &r, &err))
        return fprintf(stderr, "bench_gen: %s\n", err.msg), 1;
    double t1 = bench_now();
    ts_req_t req;
    uint64_t sum = 0, count = 0;
    while (ts_reader_next(r, &req, &err) == 1) {
        sum += req.key;
        count++;
    }
    double t2 = bench_now();
    printf("%-8s keys=%-6s sampler=%-10s open %7.3f s  %7.1f M req/s  (check %llx)\n", kind,
           keys, sampler ? sampler : "-", t1 - t0, (double)count / (t2 - t1) / 1e6,
           (unsigned long long)(sum & 0xffff));
    ts_reader_close(r);
    return 0;
}

int main(int argc, char **argv)
{
    const char *reqs = argc > 1 ? argv[1] : "20M";
    static const char *const k_keys[] = {"1M", "4M", "16M", "100M"};
    int rc = 0;
    for (size_t i = 0; i < 4; i++) {
        if (i < 3)
            rc |= bench_one("zipf", k_keys[i], "alias", reqs);
        rc |= bench_one("zipf", k_keys[i], "rejection", reqs);
    }
    rc |= bench_one("uniform", "1M", NULL, reqs);
    rc |= bench_one("loop", "1M", NULL, reqs);
    rc |= bench_one("mix", "1M", NULL, reqs);
    return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}
