/* SPDX-License-Identifier: MIT */
/*
 * bench_mrc.c - one-pass miss-ratio curves: time and error.
 *
 * Workload: Zipf(alpha) over `keys` keys, `requests` requests (defaults 1.0, 1M, 10M),
 * objects mode, one LRU tier, generated as it is read (generation is in every timing).
 * Speed: `tiersim mrc --method exact --points 100` (the footprint pass and one pass of stack
 * distances) against `--method replay --sizes 10%` (the same footprint pass and one LRU
 * run); each the median of `runs` runs after a warm-up, one thread. Error: the mean
 * absolute error of SHARDS (fixed rate 1%, and fixed size 8k keys), and of mini at 1%,
 * against exact (which equals replay) at 20 capacities from 1% to 100% of the footprint.
 *
 * usage: bench_mrc [requests] [keys] [alpha] [runs]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/mrc.h"
#include "bench_util.h"
#include "sim/util/units.h"

static int run(const ts_mrc_spec_t *spec, ts_mrc_t **m, double *seconds)
{
    ts_err_t err = {0};
    double t0 = now_s();
    int rc = ts_mrc_run(spec, m, &err);
    *seconds = now_s() - t0;
    if (rc)
        fprintf(stderr, "bench_mrc: %s: %s\n", err.where, err.msg);
    return rc;
}

static double timed(const ts_mrc_spec_t *spec, int runs)
{
    double t[32];
    ts_mrc_t *m = NULL;
    if (run(spec, &m, &t[0]))
        exit(1);
    ts_mrc_destroy(m);
    for (int i = 0; i < runs; i++) {
        if (run(spec, &m, &t[i]))
            exit(1);
        ts_mrc_destroy(m);
    }
    return bench_median(t, (size_t)runs);
}

static double mae(const ts_mrc_t *a, const ts_mrc_t *b)
{
    double sum = 0;
    for (size_t s = 0; s < a->n_sizes; s++)
        sum += fabs(ts_mrc_miss_ratio(&a->points[s]) - ts_mrc_miss_ratio(&b->points[s]));
    return sum / (double)a->n_sizes;
}

int main(int argc, char **argv)
{
    ts_err_t err = {0};
    uint64_t requests = 10000000, keys = 1000000;
    if ((argc > 1 && ts_parse_count(argv[1], &requests, &err)) ||
        (argc > 2 && ts_parse_count(argv[2], &keys, &err))) {
        fprintf(stderr, "bench_mrc: %s\n", err.msg);
        return 2;
    }
    double alpha = argc > 3 ? atof(argv[3]) : 1.0;
    int runs = argc > 4 ? atoi(argv[4]) : 5;
    runs = runs < 1 ? 1 : runs > 31 ? 31 : runs;
    char yaml[512];
    snprintf(yaml, sizeof(yaml),
             "seed: 42\nmode: objects\nworkload:\n  generator: {kind: zipf, alpha: %g, keys: "
             "%llu, requests: %llu}\ntiers:\n  - {name: c, capacity: 10%%, policy: lru}\n"
             "engine: fast\n",
             alpha, (unsigned long long)keys, (unsigned long long)requests);
    ts_mrc_spec_t spec = {.yaml = yaml, .threads = 1, .method = TS_MRC_REPLAY,
                          .sizes = "10%"};
    double t_one = timed(&spec, runs);
    spec = (ts_mrc_spec_t){.yaml = yaml, .threads = 1, .method = TS_MRC_EXACT, .n_points = 100};
    double t_exact = timed(&spec, runs);
    printf("zipf(%g) %llu requests over %llu keys, median of %d runs\n", alpha,
           (unsigned long long)requests, (unsigned long long)keys, runs);
    printf("one lru run (replay, 1 point)  %8.3f s\n", t_one);
    printf("exact lru curve (100 points)   %8.3f s  (%.2fx one run)\n", t_exact,
           t_exact / t_one);

    const char *sizes = "1%,2%,3%,4%,5%,6%,8%,10%,12%,15%,20%,25%,30%,40%,50%,60%,70%,80%,"
                        "90%,100%";
    ts_mrc_t *ex = NULL, *sh = NULL, *fs = NULL, *mi = NULL;
    double t_ex, t_sh, t_fs, t_mi;
    spec = (ts_mrc_spec_t){.yaml = yaml, .threads = 2, .method = TS_MRC_EXACT, .sizes = sizes};
    int rc = run(&spec, &ex, &t_ex);
    spec.method = TS_MRC_SHARDS;
    spec.rate = 0.01;
    rc = rc ? rc : run(&spec, &sh, &t_sh);
    spec.rate = 0.1; /* fixed size: the rate comes down from 10% */
    spec.max_keys = 8192;
    rc = rc ? rc : run(&spec, &fs, &t_fs);
    spec.method = TS_MRC_MINI;
    spec.rate = 0.01;
    spec.max_keys = 0;
    rc = rc ? rc : run(&spec, &mi, &t_mi);
    if (rc == 0) {
        printf("error against exact, 20 capacities 1%%-100%% of the footprint (one run each):\n");
        printf("  shards rate 1%%              MAE %.4f  %6.3f s\n", mae(sh, ex), t_sh);
        printf("  shards 8192 keys (rate %.4f) MAE %.4f  %6.3f s\n", fs->rate[0], mae(fs, ex),
               t_fs);
        printf("  mini rate 1%%                MAE %.4f  %6.3f s (2 threads)\n", mae(mi, ex),
               t_mi);
    }
    ts_mrc_destroy(ex);
    ts_mrc_destroy(sh);
    ts_mrc_destroy(fs);
    ts_mrc_destroy(mi);
    return rc ? 1 : 0;
}
