/* SPDX-License-Identifier: MIT */
/*
 * bench_des.c - schedule+pop pairs per second of the event queue (sim/des.h), classic "hold"
 * model: fill the queue with `size` events, then repeat { pop the earliest; schedule one at
 * now + a random increment }, so the queue size stays constant. Increments are exponential
 * with mean 1 us (rounded to ns), drawn once into a table before timing. For each size: one
 * untimed warm-up run, then `runs` timed runs of `steps` holds each; prints the median.
 *
 * Then the resources (sim/resource.h) under the same clock: a closed loop keeps `depth` jobs
 * in flight, each a two-stage path (an NVMe-like device, 8 channels, 20 us + 4 KiB through
 * 7 GB/s, then a 25 GB/s link) and each finish submits the next; prints jobs/s and the
 * events each job cost, median of `runs` runs of steps/10 jobs.
 *
 * usage: bench_des [steps] [runs]       (defaults 10M, 5)
 * Output: one line per queue size:  size holds_per_s ns_per_hold
 *         one line per depth:       depth jobs_per_s events_per_job
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "sim/util/gslerr.h"
#include "sim/des.h"
#include "sim/util/mem.h"
#include "sim/resource.h"
#include "sim/util/units.h"

#define INC_TABLE (1u << 20)

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* One run: returns seconds for `steps` holds on a queue of `size` events, or -1. */
static double hold_run(uint32_t size, uint64_t steps, const uint64_t *inc, ts_err_t *err)
{
    ts_des_t *q;
    if (ts_des_create(size, &q, err))
        return -1;
    uint32_t j = 0;
    for (uint32_t i = 0; i < size; i++, j = (j + 1) & (INC_TABLE - 1))
        if (ts_des_schedule(q, inc[j], i & TS_DES_ID_MAX, err))
            goto fail;
    uint64_t at;
    uint32_t tag, sum = 0;
    double t0 = now_s();
    for (uint64_t s = 0; s < steps; s++, j = (j + 1) & (INC_TABLE - 1)) {
        ts_des_pop(q, TS_DES_NEVER, &at, &tag);
        sum += tag;
        if (ts_des_schedule(q, at + inc[j], tag, err))
            goto fail;
    }
    double dt = now_s() - t0;
    ts_des_destroy(q);
    return sum == 0xffffffffu ? dt + 1e-12 : dt; /* keeps the tag reads */
fail:
    ts_des_destroy(q);
    return -1;
}

struct loop {
    ts_res_sys_t *s;
    ts_res_stage_t path[2];
    uint64_t left; /* jobs still to submit */
};

static int loop_done(void *ctx, uint64_t cookie, uint64_t start_ns, ts_err_t *err)
{
    (void)start_ns;
    struct loop *l = ctx;
    if (!l->left)
        return 0;
    l->left--;
    return ts_res_submit(l->s, l->path, 2, cookie, err);
}

/* One closed-loop run: seconds for `jobs` jobs with `depth` in flight, or -1. */
static double jobs_run(uint32_t depth, uint64_t jobs, double *events_per_job, ts_err_t *err)
{
    ts_des_t *q = NULL;
    struct loop l = {.left = jobs - depth};
    double dt = -1;
    if (ts_des_create(1024, &q, err) || ts_res_sys_create(q, loop_done, &l, &l.s, err))
        goto out;
    ts_res_spec_t dev = {.name = "nvme", .channels = 8, .bw_bytes_per_s = 7000000000ull};
    ts_res_spec_t link = {.name = "pcie", .bw_bytes_per_s = 25000000000ull};
    uint32_t d, k;
    if (ts_res_add(l.s, &dev, &d, err) || ts_res_add(l.s, &link, &k, err))
        goto out;
    l.path[0] = (ts_res_stage_t){.res = d, .fixed_ns = 20000, .bytes = 4096};
    l.path[1] = (ts_res_stage_t){.res = k, .fixed_ns = 0, .bytes = 4096};
    double t0 = now_s();
    for (uint32_t i = 0; i < depth; i++)
        if (ts_res_submit(l.s, l.path, 2, i, err))
            goto out;
    if (ts_des_run(q, TS_DES_NEVER, err))
        goto out;
    dt = now_s() - t0;
    *events_per_job = (double)q->n_events / (double)jobs;
out:
    ts_res_sys_destroy(l.s);
    ts_des_destroy(q);
    return dt;
}

int main(int argc, char **argv)
{
    ts_gsl_install();
    ts_err_t err = {0};
    uint64_t steps = 10000000, runs = 5;
    if ((argc > 1 && ts_parse_count(argv[1], &steps, &err)) ||
        (argc > 2 && ts_parse_count(argv[2], &runs, &err)) || runs < 1 || runs > 99) {
        fprintf(stderr, "usage: bench_des [steps] [runs]  (%s)\n", err.msg);
        return 2;
    }
    uint64_t *inc = ts_malloc(INC_TABLE * sizeof(*inc));
    if (!inc)
        return 1;
    uint64_t seed = 42;
    for (uint32_t i = 0; i < INC_TABLE; i++) {
        double u = ((double)(splitmix64(&seed) >> 11) + 0.5) * 0x1.0p-53;
        inc[i] = (uint64_t)llround(-log(u) * 1000.0);
    }
    static const uint32_t sizes[] = {1000, 10000, 100000, 1000000};
    printf("# size holds_per_s ns_per_hold  (hold model, exp(1us) increments, median of %llu)\n",
           (unsigned long long)runs);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        double t[99];
        if (hold_run(sizes[k], steps / 4, inc, &err) < 0)
            goto fail;
        for (uint64_t r = 0; r < runs; r++)
            if ((t[r] = hold_run(sizes[k], steps, inc, &err)) < 0)
                goto fail;
        qsort(t, runs, sizeof(double), cmp_double);
        double med = t[runs / 2];
        printf("%u %.0f %.1f\n", sizes[k], (double)steps / med, med * 1e9 / (double)steps);
    }
    printf("# depth jobs_per_s events_per_job  (2-stage jobs: device then link, closed loop)\n");
    static const uint32_t depths[] = {1, 64, 4096};
    uint64_t jobs = steps / 10;
    for (size_t k = 0; k < sizeof(depths) / sizeof(depths[0]); k++) {
        double t[99], epj = 0;
        if (jobs <= depths[k] || jobs_run(depths[k], jobs / 4 + depths[k], &epj, &err) < 0)
            goto fail;
        for (uint64_t r = 0; r < runs; r++)
            if ((t[r] = jobs_run(depths[k], jobs, &epj, &err)) < 0)
                goto fail;
        qsort(t, runs, sizeof(double), cmp_double);
        printf("%u %.0f %.2f\n", depths[k], (double)jobs / t[runs / 2], epj);
    }
    ts_free(inc);
    return 0;
fail:
    fprintf(stderr, "bench_des: %s\n", err.msg);
    ts_free(inc);
    return 1;
}
