/* SPDX-License-Identifier: MIT */
/*
 * bench_fast.c - requests/s of the fast engine for every policy, and memory per object.
 *
 * Workload: Zipf(alpha) over `keys` keys, `requests` requests (defaults 0.9, 1M, 10M),
 * generated once into memory so generation is not timed. For every registered policy and
 * each cache size (1% and 10% of the keys, objects mode, one tier, one thread): one
 * untimed warm-up replay, then `runs` timed replays through ts_engine_fast, each with a
 * fresh tier; prints the median. Offline policies (OPT) include their next-access pre-pass
 * in the timed region. Bytes per object = the policy's heap (ts_policy_ops.mem_bytes) at
 * the end of the run divided by the objects it holds.
 *
 * usage: bench_fast [requests] [keys] [alpha] [runs] [policy]
 * Output: one line per policy and size:
 *   policy size requests miss_ratio requests_per_s bytes_per_object
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "sim/util/gslerr.h"
#include "sim/policy.h"
#include "sim/engine.h"
#include "sim/future.h"
#include "sim/util/mem.h"
#include "sim/memtrace.h"
#include "sim/util/units.h"
#include "workloads/gen.h"
#include "policies/registry.h"

struct outcome {
    double seconds;
    double miss_ratio;
    double bytes_per_object;
};

static int replay(const ts_policy_ops_t *ops, uint64_t capacity, const ts_memtrace_t *mt,
                  struct outcome *o, ts_err_t *err)
{
    ts_policy_init_t init = {.capacity = capacity, .count_objects = true, .seed = 42};
    ts_tier_t *tier = NULL;
    ts_reader_t *r = NULL;
    ts_memtrace_t *copy = NULL;
    const ts_memtrace_t *src = mt;
    int rc = 0;
    if (ops->base.flags & TS_POLICY_NEEDS_FUTURE) {
        /* Copying the trace is not timed; the pre-pass on the copy is the policy's cost. */
        rc = ts_memtrace_create(&copy, err);
        for (size_t i = 0; rc == 0 && i < mt->n; i++)
            rc = ts_memtrace_push(copy, &mt->reqs[i], err);
        src = copy;
    }
    double t0 = now_s();
    if (rc == 0 && copy)
        rc = ts_future_annotate(copy->reqs, copy->n, err);
    void *params = NULL;
    if (rc == 0) {
        params = ts_calloc(1, ops->base.params_size ? ops->base.params_size : 1);
        rc = params ? ts_param_defaults(ops->base.params, ops->base.params_count, params,
                                        ops->base.params_size, err)
                    : TS_ENOMEM;
    }
    if (rc == 0)
        rc = ts_tier_create(ops->base.name, ops, params, &init, &tier, err);
    if (rc == 0)
        rc = ts_memtrace_reader(src, &r, err);
    ts_totals_t tot = {0};
    if (rc == 0)
        rc = ts_engine_fast(&tier, 1, r, &tot, err);
    o->seconds = now_s() - t0;
    if (rc == 0) {
        o->miss_ratio = (double)tier->st.n_miss / (double)tier->st.n_req;
        o->bytes_per_object = tier->n_objects
                                  ? (double)ops->mem_bytes(tier->policy) / (double)tier->n_objects
                                  : 0;
    }
    ts_reader_close(r);
    ts_tier_destroy(tier);
    ts_free(params);
    ts_memtrace_destroy(copy);
    return rc;
}

int main(int argc, char **argv)
{
    ts_gsl_install();
    const char *requests = argc > 1 ? argv[1] : "10M";
    const char *keys = argc > 2 ? argv[2] : "1M";
    const char *alpha = argc > 3 ? argv[3] : "0.9";
    int runs = argc > 4 ? atoi(argv[4]) : 5;
    const char *only = argc > 5 ? argv[5] : NULL;
    if (runs < 1 || runs > 99)
        runs = 5;

    ts_err_t err = {0};
    char buf[512];
    const ts_reader_ops_t *zipf = ts_gen_find("zipf", &err);
    const char *names[] = {"requests", "keys", "alpha"};
    const char *values[] = {requests, keys, alpha};
    ts_reader_ctx_t ctx = {.seed = 42};
    ts_reader_t *gen = NULL;
    ts_memtrace_t *mt = NULL;
    int rc = zipf ? ts_reader_open_kv(zipf, names, values, 3, &ctx, &gen, &err) : TS_ENOENT;
    if (rc == 0)
        rc = ts_memtrace_load(gen, 0, &mt, &err);
    ts_reader_close(gen);
    if (rc) {
        fprintf(stderr, "bench_fast: error: %s\n", ts_err_format(&err, buf, sizeof(buf)));
        return 1;
    }
    uint64_t n_keys = 0;
    if (ts_parse_count(keys, &n_keys, &err) || n_keys == 0) {
        fprintf(stderr, "bench_fast: error: keys: %s\n", ts_err_format(&err, buf, sizeof(buf)));
        ts_memtrace_destroy(mt);
        return 2;
    }
    static const double sizes[] = {0.01, 0.10};
    printf("%-8s %6s %10s %10s %14s %16s\n", "policy", "size", "requests", "miss_ratio",
           "requests_per_s", "bytes_per_object");
    for (size_t p = 0; p < ts_registry_count(&ts_policies); p++) {
        const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, p));
        if (only && strcmp(only, ops->base.name) != 0)
            continue;
        for (size_t s = 0; s < 2; s++) {
            uint64_t cap = (uint64_t)(sizes[s] * (double)n_keys);
            double secs[99];
            struct outcome o = {0};
            rc = replay(ops, cap, mt, &o, &err); /* warm-up, not timed */
            for (int i = 0; rc == 0 && i < runs; i++) {
                rc = replay(ops, cap, mt, &o, &err);
                secs[i] = o.seconds;
            }
            if (rc) {
                fprintf(stderr, "bench_fast: error: %s: %s\n", ops->base.name,
                        ts_err_format(&err, buf, sizeof(buf)));
                ts_memtrace_destroy(mt);
                return 1;
            }
            qsort(secs, (size_t)runs, sizeof(double), cmp_double);
            double med = secs[runs / 2];
            printf("%-8s %5.0f%% %10zu %10.6f %14.0f %16.1f\n", ops->base.name, sizes[s] * 100,
                   mt->n, o.miss_ratio, (double)mt->n / med, o.bytes_per_object);
            fflush(stdout);
        }
    }
    ts_memtrace_destroy(mt);
    return 0;
}
