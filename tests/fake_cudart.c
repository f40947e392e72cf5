/* SPDX-License-Identifier: MIT */
/*
 * fake_cudart.c - a stand-in for the CUDA runtime, built as a shared library for
 * tests/test_backend_gpu.c: the functions backends/cudart.c resolves, over the C heap.
 *
 * "Device" memory is malloc'd (TS_FAKE_CUDA_MEMORY bytes of it in all, default 1 GiB);
 * TS_FAKE_CUDA_DEVICES sets the device count (default 1), read at each call. A stream
 * keeps its copies queued: the first cudaStreamQuery after a copy answers "not ready"
 * (cudaErrorNotReady), the next one or a synchronize carries them out, so a caller that
 * uses bytes before their completion is caught. Not thread-safe (the tests are not).
 */
#include <stdlib.h>
#include <string.h>

#define FAKE_NOT_READY 600
#define FAKE_INVALID_VALUE 1
#define FAKE_MEMORY_ALLOCATION 2
#define FAKE_NO_DEVICE 100

typedef struct fake_copy {
    void *dst;
    const void *src;
    size_t n;
} fake_copy_t;

typedef struct fake_stream {
    fake_copy_t *q;
    size_t n, cap;
    int asked; /* queried once since the last copy was queued */
} fake_stream_t;

static size_t g_device_used; /* bytes of "device" memory handed out */

static size_t fake_env(const char *name, size_t def)
{
    const char *v = getenv(name);
    return v && *v ? (size_t)strtoull(v, NULL, 10) : def;
}

static void fake_run(fake_stream_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        memcpy(s->q[i].dst, s->q[i].src, s->q[i].n);
    s->n = 0;
    s->asked = 0;
}

int cudaGetDeviceCount(int *count)
{
    *count = (int)fake_env("TS_FAKE_CUDA_DEVICES", 1);
    return *count ? 0 : FAKE_NO_DEVICE;
}

int cudaSetDevice(int device)
{
    return device >= 0 && (size_t)device < fake_env("TS_FAKE_CUDA_DEVICES", 1)
               ? 0
               : FAKE_INVALID_VALUE;
}

int cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes)
{
    *total_bytes = fake_env("TS_FAKE_CUDA_MEMORY", (size_t)1 << 30);
    *free_bytes = *total_bytes - g_device_used;
    return 0;
}

/* Each block is preceded by its size, so cudaFree can give the bytes back. */
int cudaMalloc(void **ptr, size_t bytes)
{
    size_t total = fake_env("TS_FAKE_CUDA_MEMORY", (size_t)1 << 30);
    size_t *p = bytes <= total - g_device_used ? malloc(bytes + 16) : NULL;
    if (!p)
        return FAKE_MEMORY_ALLOCATION;
    p[0] = bytes;
    g_device_used += bytes;
    *ptr = (char *)p + 16;
    return 0;
}

int cudaFree(void *ptr)
{
    if (ptr) {
        size_t *p = (size_t *)(void *)((char *)ptr - 16);
        g_device_used -= p[0];
        free(p);
    }
    return 0;
}

int cudaMallocHost(void **ptr, size_t bytes)
{
    *ptr = malloc(bytes);
    return *ptr ? 0 : FAKE_MEMORY_ALLOCATION;
}

int cudaFreeHost(void *ptr)
{
    free(ptr);
    return 0;
}

int cudaMemcpy(void *dst, const void *src, size_t bytes, int kind)
{
    (void)kind;
    memcpy(dst, src, bytes);
    return 0;
}

int cudaMemcpyAsync(void *dst, const void *src, size_t bytes, int kind, void *stream)
{
    (void)kind;
    fake_stream_t *s = stream;
    if (!s) {
        memcpy(dst, src, bytes);
        return 0;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        fake_copy_t *q = realloc(s->q, cap * sizeof(*q));
        if (!q)
            return FAKE_MEMORY_ALLOCATION;
        s->q = q;
        s->cap = cap;
    }
    s->q[s->n++] = (fake_copy_t){dst, src, bytes};
    s->asked = 0;
    return 0;
}

int cudaStreamCreateWithFlags(void **stream, unsigned flags)
{
    (void)flags;
    *stream = calloc(1, sizeof(fake_stream_t));
    return *stream ? 0 : FAKE_MEMORY_ALLOCATION;
}

int cudaStreamDestroy(void *stream)
{
    fake_stream_t *s = stream;
    if (s) {
        fake_run(s);
        free(s->q);
        free(s);
    }
    return 0;
}

int cudaStreamQuery(void *stream)
{
    fake_stream_t *s = stream;
    if (s->n && !s->asked) {
        s->asked = 1;
        return FAKE_NOT_READY;
    }
    fake_run(s);
    return 0;
}

int cudaStreamSynchronize(void *stream)
{
    fake_run(stream);
    return 0;
}

int cudaDeviceSynchronize(void)
{
    return 0;
}

const char *cudaGetErrorString(int error)
{
    switch (error) {
    case 0:
        return "no error";
    case FAKE_INVALID_VALUE:
        return "invalid argument";
    case FAKE_MEMORY_ALLOCATION:
        return "out of memory";
    case FAKE_NO_DEVICE:
        return "no CUDA-capable device is detected";
    case FAKE_NOT_READY:
        return "device not ready";
    default:
        return "unknown error";
    }
}
