/* SPDX-License-Identifier: MIT */
/*
 * gpu.c - the "gpu" live back-end: a tier held in GPU memory through the CUDA runtime,
 * loaded at run time (cudart.h), so a live run pays the PCIe or NVLink copies an HBM tier
 * costs. Without a runtime or a device, open fails with one line and TS_EUNSUPPORTED.
 *
 * Objects lie in one arena allocated at open (cudaMalloc) of the tier's capacity plus
 * `headroom`, in extents of whole 4 KiB blocks (the allocator of extent.h). Requests run on
 * `streams` CUDA streams, one request per stream: submit starts the copy and answers
 * TS_BE_QUEUED, TS_BE_BUSY when every stream is in use; poll finds the finished ones with
 * cudaStreamQuery. With `pinned` (the default) bytes pass through a pinned host buffer per
 * stream (cudaMallocHost, `staging` bytes at most): a write copies the caller's bytes in
 * 1 MiB pieces, each piece's DMA started as soon as it is there, so the host copy of one
 * piece overlaps the DMA of the one before; an object larger than the buffer goes in rounds
 * of the buffer, waiting for one round's DMA before the next overwrites it. Without
 * `pinned`, the copies go from and to the caller's (pageable) buffer directly.
 * Frees are immediate (the caller keeps no request on a key in flight, see sim/backend.h).
 * Cost: O(1) expected per request plus the copies; memory: ~48 bytes a key on the host.
 */
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../sim/backend.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/pool.h"
#include "backend.h"
#include "cudart.h"
#include "extent.h"

#define GPU_BLOCK 4096u
#define GPU_PIECE (1u << 20)    /* bytes of one host copy + DMA in a pinned write */
#define GPU_MAX_CLASS 16384     /* extents up to 64 MiB have a free list of their own */

typedef struct gpu_params {
    char library[512]; /* the CUDA runtime; "": libcudart.so, .so.13, .so.12, .so.11 */
    int64_t device;
    uint64_t streams;
    bool pinned;
    uint64_t staging; /* bytes of pinned buffer per stream, at most */
    double headroom;  /* arena beyond the capacity, a fraction of it */
    bool cufile;
} gpu_params_t;

static const ts_param_spec_t k_gpu_params[] = {
    {"cufile", TS_PT_BOOL, offsetof(gpu_params_t, cufile), 0, 1, 0, "false",
     "read from NVMe straight into GPU memory through cuFile (GPUDirect Storage): not "
     "implemented yet, true is refused",
     NULL},
    {"device", TS_PT_INT, offsetof(gpu_params_t, device), 0, 0, 1023, "0",
     "the GPU, as CUDA numbers them (CUDA_VISIBLE_DEVICES applies)", NULL},
    {"headroom", TS_PT_FRACTION, offsetof(gpu_params_t, headroom), 0, 0, 10, "25%",
     "GPU memory allocated beyond the tier's capacity for extent rounding and fragmentation",
     NULL},
    {"library", TS_PT_STRING, offsetof(gpu_params_t, library),
     sizeof(((gpu_params_t *)0)->library), 1, 0, "",
     "the CUDA runtime to load; empty: libcudart.so, then .so.13, .so.12, .so.11", NULL},
    {"pinned", TS_PT_BOOL, offsetof(gpu_params_t, pinned), 0, 1, 0, "true",
     "copy through pinned host buffers (cudaMallocHost), one per stream; false: straight "
     "from and to the caller's buffers",
     NULL},
    {"staging", TS_PT_SIZE, offsetof(gpu_params_t, staging), 0, 4096, 1e12, "64MiB",
     "pinned buffer per stream, at most (the largest object when smaller); larger objects "
     "go in rounds",
     NULL},
    {"streams", TS_PT_COUNT, offsetof(gpu_params_t, streams), 0, 1, 64, "4",
     "CUDA streams: requests in flight at once", NULL},
};

typedef struct gpu_node {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
    uint64_t offset; /* of its extent in the arena, bytes */
    uint64_t blocks;
} gpu_node_t;

/* One stream and what it carries. */
typedef struct gpu_slot {
    void *stream;
    char *staging;  /* pinned, g->staging_size bytes; NULL without pinned */
    ts_be_io_t *io; /* in flight, or NULL */
    uint64_t seq;   /* submission order of io */
    uint64_t left;  /* a read: bytes of io still to copy out of staging (the last round) */
    uint64_t done;  /* a read: bytes of io already in the caller's buffer */
} gpu_slot_t;

typedef struct gpu_backend {
    ts_backend_t base;
    ts_cudart_t rt;
    char tier[64];
    bool pinned;
    char *arena; /* device memory */
    uint64_t arena_size, capacity, max_object, staging_size;
    ts_extents_t extents;
    gpu_slot_t *slots;
    uint32_t n_slots, n_busy;
    uint64_t seq;
    ts_pool_t nodes;
    ts_ktab_t index;
    ts_backend_stats_t st;
} gpu_backend_t;

/* "tier <t>: cudaX failed: <text>" as TS_EIO (or code). */
static int gpu_cuda_err(gpu_backend_t *g, int code, int e, const char *what, ts_err_t *err)
{
    char buf[32];
    return ts_err_set(err, code, "gpu back-end of tier %s: %s failed: %s", g->tier, what,
                      ts_cudart_error(&g->rt, e, buf, sizeof(buf)));
}

static void gpu_close(ts_backend_t *b)
{
    gpu_backend_t *g = (gpu_backend_t *)b;
    if (!g)
        return;
    for (uint32_t i = 0; g->slots && i < g->n_slots; i++) {
        gpu_slot_t *s = &g->slots[i];
        if (s->stream) {
            g->rt.stream_synchronize(s->stream); /* copies in flight end first */
            g->rt.stream_destroy(s->stream);
        }
        if (s->staging)
            g->rt.free_host(s->staging);
    }
    ts_free(g->slots);
    if (g->arena)
        g->rt.free_device(g->arena);
    ts_cudart_close(&g->rt);
    ts_extents_free(&g->extents);
    ts_ktab_free(&g->index);
    ts_pool_free_all(&g->nodes);
    ts_free(g);
}

/* The arena, the streams and their staging buffers. */
static int gpu_open_device(gpu_backend_t *g, const gpu_params_t *p, ts_err_t *err)
{
    int e = g->rt.malloc_device((void **)&g->arena, g->arena_size);
    if (e != TS_CUDA_SUCCESS) {
        size_t free_b = 0, total_b = 0;
        g->rt.mem_get_info(&free_b, &total_b);
        g->arena = NULL;
        return ts_err_set(err, TS_ENOMEM, "gpu back-end of tier %s: cannot allocate %llu bytes "
                                          "on CUDA device %d (%llu of %llu bytes free)",
                          g->tier, (unsigned long long)g->arena_size, g->rt.device,
                          (unsigned long long)free_b, (unsigned long long)total_b);
    }
    g->slots = ts_calloc(p->streams, sizeof(*g->slots));
    if (!g->slots)
        return ts_err_set(err, TS_ENOMEM, "gpu back-end of tier %s: out of memory", g->tier);
    g->n_slots = (uint32_t)p->streams;
    for (uint32_t i = 0; i < g->n_slots; i++) {
        gpu_slot_t *s = &g->slots[i];
        if ((e = g->rt.stream_create(&s->stream, TS_CUDA_STREAM_NON_BLOCKING)) != 0) {
            s->stream = NULL;
            return gpu_cuda_err(g, TS_EIO, e, "cudaStreamCreateWithFlags", err);
        }
        if (g->pinned && (e = g->rt.malloc_host((void **)&s->staging, g->staging_size)) != 0) {
            s->staging = NULL;
            return ts_err_set(err, TS_ENOMEM, "gpu back-end of tier %s: cannot pin %llu bytes "
                                              "of host memory (cudaMallocHost); try a smaller "
                                              "staging or pinned: false",
                              g->tier, (unsigned long long)g->staging_size);
        }
    }
    return 0;
}

static int gpu_open(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                    ts_err_t *err)
{
    const gpu_params_t *p = params;
    *out = NULL;
    const char *tier = ctx && ctx->tier ? ctx->tier : "tier";
    if (!ctx || ctx->capacity == 0)
        return ts_err_set(err, TS_EINVAL, "gpu back-end: the tier has no capacity");
    if (p->cufile)
        return ts_err_set(err, TS_EUNSUPPORTED, "gpu back-end of tier %s: cufile (NVMe to GPU "
                                                "reads through GPUDirect Storage) is not "
                                                "implemented yet; leave cufile: false",
                          tier);
    gpu_backend_t *g = ts_malloc(sizeof(*g));
    if (!g)
        return ts_err_set(err, TS_ENOMEM, "gpu back-end: out of memory");
    memset(g, 0, sizeof(*g));
    g->base.ops = &ts_backend_gpu;
    g->pinned = p->pinned;
    g->capacity = ctx->capacity;
    g->max_object = ctx->max_object ? ctx->max_object : ctx->capacity;
    snprintf(g->tier, sizeof(g->tier), "%s", tier);
    uint64_t blocks = (uint64_t)((double)ctx->capacity * (1 + p->headroom) / GPU_BLOCK) + 1;
    g->arena_size = blocks * GPU_BLOCK;
    uint64_t max_blocks = (g->max_object + GPU_BLOCK - 1) / GPU_BLOCK;
    g->staging_size = max_blocks * GPU_BLOCK < p->staging ? max_blocks * GPU_BLOCK : p->staging;
    int rc = ts_cudart_open(&g->rt, p->library, (int)p->device, err);
    if (rc)
        ts_err_prefix(err, "gpu back-end of tier %s", g->tier);
    if (!rc)
        rc = ts_extents_init(&g->extents, GPU_BLOCK, 0, g->arena_size,
                             max_blocks < GPU_MAX_CLASS ? max_blocks : GPU_MAX_CLASS, err);
    if (!rc && (ts_pool_init(&g->nodes, sizeof(gpu_node_t), 1024, err) != 0 ||
                ts_ktab_init(&g->index, 1024, err) != 0))
        rc = TS_ENOMEM;
    if (!rc)
        rc = gpu_open_device(g, p, err);
    if (rc) {
        gpu_close(&g->base);
        return rc;
    }
    *out = &g->base;
    return 0;
}

static gpu_node_t *gpu_find(const gpu_backend_t *g, uint64_t key, uint32_t *id)
{
    *id = ts_ktab_find(&g->index, key, g->nodes.base, g->nodes.stride);
    return *id == TS_KTAB_NONE ? NULL : ts_pool_at(&g->nodes, *id);
}

static void gpu_drop(gpu_backend_t *g, gpu_node_t *nd, uint32_t id)
{
    (void)ts_extents_release(&g->extents, nd->offset, nd->blocks); /* no memory: lost room */
    g->st.objects--;
    g->st.bytes -= nd->size;
    g->st.reserved -= nd->blocks * GPU_BLOCK;
    ts_ktab_remove(&g->index, nd->key, id);
    ts_pool_release(&g->nodes, id);
}

/* A stream with nothing in flight, or NULL. */
static gpu_slot_t *gpu_idle_slot(gpu_backend_t *g)
{
    for (uint32_t i = 0; g->n_busy < g->n_slots && i < g->n_slots; i++)
        if (!g->slots[i].io)
            return &g->slots[i];
    return NULL;
}

/* Starts the copy of io's bytes to dev on s. Returns 0 or a CUDA error. */
static int gpu_start_write(gpu_backend_t *g, gpu_slot_t *s, const ts_be_io_t *io, char *dev)
{
    if (!g->pinned)
        return g->rt.memcpy_async(dev, io->buf, io->size, TS_CUDA_HOST_TO_DEVICE, s->stream);
    const char *src = io->buf;
    for (uint64_t at = 0; at < io->size;) {
        uint64_t round = io->size - at < g->staging_size ? io->size - at : g->staging_size;
        int e = at ? g->rt.stream_synchronize(s->stream) : 0; /* staging free again */
        for (uint64_t k = 0; !e && k < round; k += GPU_PIECE) {
            uint64_t n = round - k < GPU_PIECE ? round - k : GPU_PIECE;
            memcpy(s->staging + k, src + at + k, n);
            e = g->rt.memcpy_async(dev + at + k, s->staging + k, n, TS_CUDA_HOST_TO_DEVICE,
                                   s->stream);
        }
        if (e)
            return e;
        at += round;
    }
    return 0;
}

/* Starts the copy of io's bytes from dev on s: all but the last round of the staging buffer
 * synchronously, the last one left in flight for poll. Returns 0 or a CUDA error. */
static int gpu_start_read(gpu_backend_t *g, gpu_slot_t *s, ts_be_io_t *io, const char *dev)
{
    s->done = 0;
    s->left = 0;
    if (!g->pinned)
        return g->rt.memcpy_async(io->buf, dev, io->size, TS_CUDA_DEVICE_TO_HOST, s->stream);
    while (io->size - s->done > g->staging_size) {
        int e = g->rt.memcpy_async(s->staging, dev + s->done, g->staging_size,
                                   TS_CUDA_DEVICE_TO_HOST, s->stream);
        if (!e)
            e = g->rt.stream_synchronize(s->stream);
        if (e)
            return e;
        memcpy((char *)io->buf + s->done, s->staging, g->staging_size);
        s->done += g->staging_size;
    }
    s->left = io->size - s->done;
    return g->rt.memcpy_async(s->staging, dev + s->done, s->left, TS_CUDA_DEVICE_TO_HOST,
                              s->stream);
}

/* Stores io in a new extent (a key already stored gives its old one back then, or first
 * when the arena is full: no request on the key is in flight) and starts the copy on s.
 * Returns 0 or TS_ENOSPC / TS_ENOMEM / TS_EIO. */
static int gpu_write(gpu_backend_t *g, gpu_slot_t *s, ts_be_io_t *io, ts_err_t *err)
{
    uint32_t id;
    gpu_node_t *old = gpu_find(g, io->key, &id);
    if (g->st.bytes - (old ? old->size : 0) + io->size > g->capacity)
        return ts_err_set(err, TS_ENOSPC, "gpu back-end of tier %s: %llu bytes of key %llu do "
                                          "not fit (%llu of %llu bytes used)",
                          g->tier, (unsigned long long)io->size, (unsigned long long)io->key,
                          (unsigned long long)g->st.bytes, (unsigned long long)g->capacity);
    uint64_t blocks = ts_extents_blocks(&g->extents, io->size), offset;
    int rc = ts_extents_alloc(&g->extents, blocks, &offset);
    if (rc == TS_ENOSPC && old) { /* full: the old extent first */
        gpu_drop(g, old, id);
        old = NULL;
        rc = ts_extents_alloc(&g->extents, blocks, &offset);
    }
    if (rc)
        return ts_err_set(err, rc, "gpu back-end of tier %s: no room for key %llu in the "
                                   "%llu-byte arena (%llu bytes of extents in use; raise "
                                   "headroom)",
                          g->tier, (unsigned long long)io->key,
                          (unsigned long long)g->arena_size, (unsigned long long)g->st.reserved);
    if (old) { /* the node moves to the new extent */
        (void)ts_extents_release(&g->extents, old->offset, old->blocks);
        g->st.bytes -= old->size;
        g->st.reserved -= old->blocks * GPU_BLOCK;
        g->st.objects--;
    } else {
        id = ts_pool_alloc(&g->nodes, err);
        if (id == TS_POOL_NONE || ts_ktab_insert(&g->index, io->key, id, err) != 0) {
            if (id != TS_POOL_NONE)
                ts_pool_release(&g->nodes, id);
            ts_extents_release(&g->extents, offset, blocks);
            return TS_ENOMEM;
        }
    }
    *(gpu_node_t *)ts_pool_at(&g->nodes, id) =
        (gpu_node_t){.key = io->key, .size = io->size, .offset = offset, .blocks = blocks};
    g->st.objects++;
    g->st.bytes += io->size;
    g->st.reserved += blocks * GPU_BLOCK;
    int e = gpu_start_write(g, s, io, g->arena + offset);
    if (e) {
        gpu_drop(g, ts_pool_at(&g->nodes, id), id);
        return gpu_cuda_err(g, TS_EIO, e, "cudaMemcpyAsync (host to device)", err);
    }
    return 0;
}

static int gpu_submit(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err)
{
    gpu_backend_t *g = (gpu_backend_t *)b;
    if (io->op != TS_BE_FREE && (io->size == 0 || !io->buf || io->size > g->max_object))
        return ts_err_set(err, TS_EINVAL, "gpu back-end of tier %s: a %s of key %llu with %llu "
                                          "bytes (1 to %llu)",
                          g->tier, io->op == TS_BE_READ ? "read" : "write",
                          (unsigned long long)io->key, (unsigned long long)io->size,
                          (unsigned long long)g->max_object);
    if (io->op != TS_BE_READ && io->op != TS_BE_WRITE && io->op != TS_BE_FREE)
        return ts_err_set(err, TS_EINVAL, "gpu back-end: unknown operation %d", (int)io->op);
    uint32_t id;
    gpu_node_t *nd = gpu_find(g, io->key, &id);
    if (io->op != TS_BE_WRITE && !nd) {
        io->result = ts_err_set(err, TS_ENOENT, "gpu back-end of tier %s: key %llu is not "
                                                "stored",
                                g->tier, (unsigned long long)io->key);
        return TS_BE_DONE;
    }
    if (io->op == TS_BE_FREE) {
        gpu_drop(g, nd, id);
        g->st.frees++;
        io->result = 0;
        return TS_BE_DONE;
    }
    if (io->op == TS_BE_READ && nd->size != io->size) {
        io->result = ts_err_set(err, TS_EINVAL, "gpu back-end of tier %s: key %llu holds %llu "
                                                "bytes, %llu asked for",
                                g->tier, (unsigned long long)io->key,
                                (unsigned long long)nd->size, (unsigned long long)io->size);
        return TS_BE_DONE;
    }
    gpu_slot_t *s = gpu_idle_slot(g);
    if (!s)
        return TS_BE_BUSY;
    if (io->op == TS_BE_WRITE) {
        io->result = gpu_write(g, s, io, err);
    } else {
        int e = gpu_start_read(g, s, io, g->arena + nd->offset);
        io->result = e ? gpu_cuda_err(g, TS_EIO, e, "cudaMemcpyAsync (device to host)", err) : 0;
    }
    if (io->result)
        return TS_BE_DONE;
    s->io = io;
    s->seq = g->seq++;
    g->n_busy++;
    return TS_BE_QUEUED;
}

/* Finishes s's request after its stream answered e. */
static ts_be_io_t *gpu_finish(gpu_backend_t *g, gpu_slot_t *s, int e, ts_err_t *err)
{
    ts_be_io_t *io = s->io;
    s->io = NULL;
    g->n_busy--;
    uint32_t id;
    gpu_node_t *nd = gpu_find(g, io->key, &id);
    if (e) {
        io->result = gpu_cuda_err(g, TS_EIO, e, io->op == TS_BE_READ ? "a copy to the host"
                                                                      : "a copy to the GPU",
                                  err);
        if (io->op == TS_BE_WRITE && nd) /* its bytes are not there */
            gpu_drop(g, nd, id);
        return io;
    }
    if (io->op == TS_BE_READ) {
        if (g->pinned)
            memcpy((char *)io->buf + s->done, s->staging, s->left);
        g->st.reads++;
        g->st.bytes_read += io->size;
    } else {
        g->st.writes++;
        g->st.bytes_written += io->size;
    }
    io->result = 0;
    return io;
}

/* Collects up to max finished requests into done. */
static int gpu_reap(gpu_backend_t *g, ts_be_io_t **done, int max, ts_err_t *err)
{
    int n = 0;
    for (uint32_t i = 0; n < max && g->n_busy && i < g->n_slots; i++) {
        gpu_slot_t *s = &g->slots[i];
        if (!s->io)
            continue;
        int e = g->rt.stream_query(s->stream);
        if (e != TS_CUDA_NOT_READY)
            done[n++] = gpu_finish(g, s, e, err);
    }
    return n;
}

static int gpu_poll(ts_backend_t *b, ts_be_io_t **done, int max, uint64_t wait_ns, ts_err_t *err)
{
    gpu_backend_t *g = (gpu_backend_t *)b;
    int n = gpu_reap(g, done, max, err);
    if (n || !g->n_busy || wait_ns == 0 || max <= 0)
        return n;
    if (wait_ns == UINT64_MAX) { /* the oldest request ends first, or soon */
        gpu_slot_t *old = NULL;
        for (uint32_t i = 0; i < g->n_slots; i++)
            if (g->slots[i].io && (!old || g->slots[i].seq < old->seq))
                old = &g->slots[i];
        done[0] = gpu_finish(g, old, g->rt.stream_synchronize(old->stream), err);
        return 1 + gpu_reap(g, done + 1, max - 1, err);
    }
    uint64_t now = ts_backend_now_ns();
    for (uint64_t until = wait_ns > UINT64_MAX - now ? UINT64_MAX : now + wait_ns;
         !n && ts_backend_now_ns() < until;) {
        sched_yield();
        n = gpu_reap(g, done, max, err);
    }
    return n;
}

static void gpu_stats(const ts_backend_t *b, ts_backend_stats_t *out)
{
    *out = ((const gpu_backend_t *)b)->st;
}

const ts_backend_ops_t ts_backend_gpu = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_BACKEND,
             .name = "gpu",
             .summary = "GPU memory through the CUDA runtime loaded at run time: one arena, "
                        "copies on streams from pinned buffers",
             .flags = TS_BACKEND_ASYNC | TS_BACKEND_GPU_MEMORY,
             .params = k_gpu_params,
             .params_count = sizeof(k_gpu_params) / sizeof(k_gpu_params[0]),
             .params_size = sizeof(gpu_params_t)},
    .open = gpu_open,
    .submit = gpu_submit,
    .poll = gpu_poll,
    .stats = gpu_stats,
    .close = gpu_close,
};
