/* SPDX-License-Identifier: MIT */
/*
 * bench_gen.c - requests per second of each workload generator through the reader seam.
 *
 * Every generator with its defaults apart from the parameters shown, cut at `requests`
 * (default 10M; the agentic case runs 600 sessions instead, about 8M requests): Zipf with
 * both samplers (alias at 1M keys, rejection-inversion at 1M and 100M), uniform, loop, mix,
 * and the three workload models (training as UNet3D and ResNet-50 on 8 H100s, inference as
 * Llama-3.1-70B, agentic). Per case one untimed warm-up, then `runs` timed passes to the
 * end (open included: the alias table and the training generator's step walk are built
 * there); prints the median.
 *
 * usage: bench_gen [requests] [runs]
 * Output: one line per case: generator params requests requests_per_s
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "sim/util/gslerr.h"
#include "sim/util/units.h"
#include "workloads/gen.h"

enum { MAX_PARAMS = 4 };

typedef struct {
    const char *kind;
    const char *names[MAX_PARAMS];
    const char *values[MAX_PARAMS];
    bool own_length; /* the params set the trace's length (agentic has no requests cut) */
} gen_case_t;

/* alpha 0.99 for the Zipf cases: the skew of the cache studies' production traces */
static const gen_case_t k_cases[] = {
    {.kind = "zipf", .names = {"keys", "sampler", "alpha"}, .values = {"1M", "alias", "0.99"}},
    {.kind = "zipf", .names = {"keys", "sampler", "alpha"}, .values = {"1M", "rejection", "0.99"}},
    {.kind = "zipf",
     .names = {"keys", "sampler", "alpha"},
     .values = {"100M", "rejection", "0.99"}},
    {.kind = "uniform", .names = {"keys"}, .values = {"1M"}},
    {.kind = "loop", .names = {"keys"}, .values = {"1M"}},
    {.kind = "mix", .names = {"keys"}, .values = {"1M"}},
    {.kind = "training", .names = {"workload"}, .values = {"unet3d"}},
    {.kind = "training", .names = {"workload"}, .values = {"resnet50"}},
    {.kind = "inference", .names = {"model"}, .values = {"llama-3.1-70b"}},
    /* about 16k requests a session at the defaults */
    {.kind = "agentic", .names = {"sessions"}, .values = {"600"}, .own_length = true},
};

/* One pass over the case's trace: requests read into *n, seconds (open included) into *secs. */
static volatile uint64_t g_sink; /* the keys are consumed, so the loop cannot be dropped */

static int run_once(const gen_case_t *c, const char *requests, uint64_t *n, double *secs,
                    ts_err_t *err)
{
    const ts_reader_ops_t *ops = ts_gen_find(c->kind, err);
    if (!ops) return TS_ENOENT;
    const char *names[MAX_PARAMS + 1], *values[MAX_PARAMS + 1];
    size_t np = 0;
    for (size_t i = 0; i < MAX_PARAMS && c->names[i]; i++, np++) {
        names[np] = c->names[i];
        values[np] = c->values[i];
    }
    if (!c->own_length) {
        names[np] = "requests";
        values[np++] = requests;
    }
    ts_reader_ctx_t ctx = {.seed = 42, .base_dir = NULL};
    ts_reader_t *r = NULL;
    double t0 = now_s();
    int rc = ts_reader_open_kv(ops, names, values, np, &ctx, &r, err);
    if (rc) return rc;
    ts_req_t req;
    uint64_t count = 0, sum = 0;
    while ((rc = ts_reader_next(r, &req, err)) == 1) {
        sum += req.key ^ req.size_bytes;
        count++;
    }
    *secs = now_s() - t0;
    ts_reader_close(r);
    *n = count;
    g_sink = sum;
    return rc < 0 ? -rc : rc;
}

int main(int argc, char **argv)
{
    ts_gsl_install();
    const char *requests = argc > 1 ? argv[1] : "10M";
    uint64_t runs = 5;
    ts_err_t err = {0};
    if (argc > 2 && (ts_parse_count(argv[2], &runs, &err) || runs < 1 || runs > 100)) {
        fprintf(stderr, "bench_gen: runs must be a count from 1 to 100, found '%s'\n", argv[2]);
        return EXIT_FAILURE;
    }
    printf("%-10s %-38s %10s %14s\n", "generator", "params", "requests", "requests_per_s");
    for (size_t k = 0; k < sizeof(k_cases) / sizeof(k_cases[0]); k++) {
        const gen_case_t *c = &k_cases[k];
        double rate[100];
        uint64_t n = 0;
        double secs;
        for (uint64_t i = 0; i <= runs; i++) {
            if (run_once(c, requests, &n, &secs, &err)) {
                fprintf(stderr, "bench_gen: %s: %s\n", c->kind, err.msg);
                return EXIT_FAILURE;
            }
            if (i > 0) /* the first pass warms up */
                rate[i - 1] = (double)n / secs;
        }
        char params[128] = "defaults";
        size_t off = 0;
        for (size_t i = 0; i < MAX_PARAMS && c->names[i]; i++)
            off += (size_t)snprintf(params + off, sizeof(params) - off, "%s%s=%s", i ? "," : "",
                                    c->names[i], c->values[i]);
        printf("%-10s %-38s %10llu %14.0f\n", c->kind, params, (unsigned long long)n,
               bench_median(rate, (size_t)runs));
        fflush(stdout);
    }
    return EXIT_SUCCESS;
}
