/* SPDX-License-Identifier: MIT */
/*
 * bench_gpu.c - host-to-GPU copy bandwidth of the gpu live back-end against a plain
 * cudaMemcpy loop, both through the same CUDA runtime loaded at run time (backends/
 * cudart.h). The target: the back-end's writes reach 90% of the plain loop's bandwidth from
 * the same pageable host buffer.
 *
 * `total` bytes of pageable host memory (default 1GiB) in objects of `object` bytes
 * (default 4MiB) are copied to the GPU: by a plain loop of cudaMemcpy (pageable source), by
 * the same loop from a pinned buffer (the link's ceiling, for reference), and as writes to
 * the gpu back-end (submit and poll, `streams` in flight, pinned staging; then the same with
 * pinned: false). One warm-up, then the median of `runs` (default 5); well under a minute.
 * Exits 77 with one line when there is no CUDA runtime or GPU, 1 when the back-end is under
 * 90% of the plain pageable loop.
 *
 * usage: bench_gpu [object] [total] [runs] [streams] [library]
 * Output: one line per way: way GB/s (and the back-end's share of the plain loop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/cudart.h"
#include "bench_util.h"
#include "sim/util/gslerr.h"
#include "sim/util/units.h"

#define MAX_RUNS 64

typedef struct bench {
    ts_cudart_t rt;
    char *host, *pinned, *dev;
    uint64_t object, total, n;
    const char *streams;
} bench_t;

/* One pass of the plain loop from src; seconds, or < 0 on a CUDA error. */
static double plain_pass(bench_t *b, const char *src)
{
    double t0 = now_s();
    for (uint64_t i = 0; i < b->n; i++)
        if (b->rt.memcpy_sync(b->dev + i * b->object, src + i * b->object, b->object,
                              TS_CUDA_HOST_TO_DEVICE) != TS_CUDA_SUCCESS)
            return -1;
    if (b->rt.device_synchronize() != TS_CUDA_SUCCESS)
        return -1;
    return now_s() - t0;
}

/* One pass of writes to the back-end (every key freed afterwards, untimed); seconds, or < 0
 * with err filled. */
static double backend_pass(bench_t *b, ts_backend_t *be, ts_be_io_t *io, ts_err_t *err)
{
    double t0 = now_s();
    ts_be_io_t *done[64];
    int inflight = 0;
    for (uint64_t i = 0; i < b->n; i++) {
        io[i] = (ts_be_io_t){.op = TS_BE_WRITE, .key = i, .size = b->object,
                             .buf = b->host + i * b->object};
        int rc;
        while ((rc = be->ops->submit(be, &io[i], err)) == TS_BE_BUSY) {
            int n = be->ops->poll(be, done, 64, UINT64_MAX, err);
            if (n < 0)
                return -1;
            inflight -= n;
        }
        if (rc < 0 || (rc == TS_BE_DONE && io[i].result))
            return -1;
        inflight += rc == TS_BE_QUEUED;
    }
    while (inflight > 0) {
        int n = be->ops->poll(be, done, 64, UINT64_MAX, err);
        if (n < 0)
            return -1;
        inflight -= n;
    }
    double secs = now_s() - t0;
    for (uint64_t i = 0; i < b->n; i++) {
        if (io[i].result)
            return -1;
        ts_be_io_t f = {.op = TS_BE_FREE, .key = i};
        if (ts_backend_do(be, &f, err) != 0)
            return -1;
    }
    return secs;
}

/* The median bandwidth of runs passes after one warm-up, GB/s; < 0 on error. */
static double bench_way(bench_t *b, int runs, const char *src, const char *pinned,
                        ts_err_t *err)
{
    ts_backend_t *be = NULL;
    ts_be_io_t *io = NULL;
    if (!src) {
        const ts_backend_ctx_t ctx = {.tier = "hbm", .capacity = b->total,
                                      .max_object = b->object};
        const char *names[] = {"library", "streams", "pinned"};
        const char *values[] = {b->rt.path, b->streams, pinned};
        if (ts_backend_open_kv(&ts_backend_gpu, names, values, 3, &ctx, &be, err) != 0)
            return -1;
        io = calloc(b->n, sizeof(*io));
        if (!io) {
            be->ops->close(be);
            return -1;
        }
    }
    double secs[MAX_RUNS];
    for (int r = -1; r < runs; r++) {
        double s = src ? plain_pass(b, src) : backend_pass(b, be, io, err);
        if (s < 0) {
            runs = -1;
            break;
        }
        if (r >= 0)
            secs[r] = s;
    }
    if (be)
        be->ops->close(be);
    free(io);
    return runs < 0 ? -1 : (double)b->total / bench_median(secs, (size_t)runs) / 1e9;
}

int main(int argc, char **argv)
{
    ts_gsl_install();
    bench_t b = {.streams = argc > 4 ? argv[4] : "4"};
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    const char *library = argc > 5 ? argv[5] : "";
    ts_err_t err = {0};
    if (ts_parse_size(argc > 1 ? argv[1] : "4MiB", &b.object, &err) != 0 ||
        ts_parse_size(argc > 2 ? argv[2] : "1GiB", &b.total, &err) != 0 || runs < 1 ||
        runs > MAX_RUNS || b.object == 0 || b.total < b.object) {
        fprintf(stderr, "usage: bench_gpu [object] [total] [runs 1-%d] [streams] [library]%s%s\n",
                MAX_RUNS, err.code ? ": " : "", err.msg);
        return 2;
    }
    b.n = b.total / b.object;
    b.total = b.n * b.object;
    if (ts_cudart_open(&b.rt, library, 0, &err) != 0) {
        printf("bench_gpu: skipped: %s\n", err.msg);
        return 77;
    }
    int rc = 1;
    b.host = malloc(b.total);
    if (!b.host || b.rt.malloc_host((void **)&b.pinned, b.total) != TS_CUDA_SUCCESS ||
        b.rt.malloc_device((void **)&b.dev, b.total) != TS_CUDA_SUCCESS) {
        fprintf(stderr, "bench_gpu: cannot allocate %llu bytes of host, pinned and GPU memory\n",
                (unsigned long long)b.total);
        goto out;
    }
    for (uint64_t i = 0; i < b.total; i++) /* every page touched, distinct bytes */
        b.host[i] = b.pinned[i] = (char)(i * 131 + i / 4096);
    printf("# %llu objects of %llu bytes (%llu bytes) to GPU 0 through %s; median of %d runs "
           "after one warm-up\n",
           (unsigned long long)b.n, (unsigned long long)b.object, (unsigned long long)b.total,
           b.rt.path, runs);
    double plain = bench_way(&b, runs, b.host, NULL, &err);
    double ceiling = bench_way(&b, runs, b.pinned, NULL, &err);
    b.rt.free_device(b.dev); /* room for the back-end's arena */
    b.dev = NULL;
    double staged = bench_way(&b, runs, NULL, "true", &err);
    double direct = bench_way(&b, runs, NULL, "false", &err);
    if (plain <= 0 || ceiling <= 0 || staged <= 0 || direct <= 0) {
        fprintf(stderr, "bench_gpu: a copy failed%s%s\n", err.code ? ": " : "", err.msg);
        goto out;
    }
    printf("plain cudaMemcpy loop, pageable host buffer   %8.2f GB/s\n", plain);
    printf("plain cudaMemcpy loop, pinned host buffer     %8.2f GB/s (the link's ceiling)\n",
           ceiling);
    printf("gpu back-end writes, pinned staging, %s streams %6.2f GB/s = %.1f%% of the plain "
           "pageable loop, %.1f%% of the pinned one\n",
           b.streams, staged, 100 * staged / plain, 100 * staged / ceiling);
    printf("gpu back-end writes, pinned: false, %s streams  %6.2f GB/s = %.1f%% of the plain "
           "pageable loop\n",
           b.streams, direct, 100 * direct / plain);
    rc = staged >= 0.9 * plain ? 0 : 1;
    printf("target (90%% of the plain pageable loop): %s\n", rc ? "MISSED" : "met");
out:
    if (b.dev)
        b.rt.free_device(b.dev);
    if (b.pinned)
        b.rt.free_host(b.pinned);
    free(b.host);
    ts_cudart_close(&b.rt);
    return rc;
}
