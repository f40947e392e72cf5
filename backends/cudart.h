/* SPDX-License-Identifier: MIT */
/*
 * cudart.h - the CUDA runtime, loaded at run time (dlopen) so that tiersim builds and runs
 * without CUDA: the few functions the gpu back-end and bench/bench_gpu.c call, resolved by
 * name (dlsym) into a table, with their prototypes in plain C types (no CUDA header).
 *
 * The library is the one named, or else the first of libcudart.so, .so.13, .so.12 and
 * .so.11 that loads. Opening checks that a device is there and makes it current. A missing
 * library or device is TS_EUNSUPPORTED with one line ("no CUDA runtime (libcudart.so not
 * found)", "no CUDA device"), so the rest of tiersim runs on. The CUDA values used here
 * (cudaSuccess, cudaErrorNotReady, the copy kinds, cudaStreamNonBlocking) are part of the
 * runtime's ABI and have kept their numbers since CUDA 4.
 */
#ifndef TS_BACKENDS_CUDART_H
#define TS_BACKENDS_CUDART_H

#include <stddef.h>

#include "../sim/util/err.h"

#define TS_CUDA_SUCCESS 0            /* cudaSuccess */
#define TS_CUDA_NOT_READY 600        /* cudaErrorNotReady: a stream still has work */
#define TS_CUDA_HOST_TO_DEVICE 1     /* cudaMemcpyHostToDevice */
#define TS_CUDA_DEVICE_TO_HOST 2     /* cudaMemcpyDeviceToHost */
#define TS_CUDA_STREAM_NON_BLOCKING 1u /* cudaStreamNonBlocking: no implicit sync with stream 0 */

/* The runtime's functions (each returns a cudaError_t, 0 on success; a stream is a
 * pointer). Read-only after ts_cudart_open. */
typedef struct ts_cudart {
    void *lib;      /* private: the dlopen handle */
    char path[512]; /* the library loaded */
    int device;     /* the current device */
    int (*get_device_count)(int *count);
    int (*set_device)(int device);
    int (*mem_get_info)(size_t *free_bytes, size_t *total_bytes);
    int (*malloc_device)(void **ptr, size_t bytes);         /* cudaMalloc */
    int (*free_device)(void *ptr);                          /* cudaFree */
    int (*malloc_host)(void **ptr, size_t bytes);           /* cudaMallocHost: pinned */
    int (*free_host)(void *ptr);                            /* cudaFreeHost */
    int (*memcpy_sync)(void *dst, const void *src, size_t bytes, int kind); /* cudaMemcpy */
    int (*memcpy_async)(void *dst, const void *src, size_t bytes, int kind, void *stream);
    int (*stream_create)(void **stream, unsigned flags); /* cudaStreamCreateWithFlags */
    int (*stream_destroy)(void *stream);
    int (*stream_query)(void *stream);       /* 0: idle; TS_CUDA_NOT_READY: busy */
    int (*stream_synchronize)(void *stream);
    int (*device_synchronize)(void);
    const char *(*error_string)(int error);  /* cudaGetErrorString */
} ts_cudart_t;

/* Loads the runtime (library, or the default names when NULL or ""), resolves every
 * function above, and makes device current. Returns 0, or TS_EUNSUPPORTED: "no CUDA
 * runtime (libcudart.so not found)", "no CUDA runtime ('<library>' cannot be loaded: ...)",
 * "CUDA runtime '<path>' has no <function>", "no CUDA device", "CUDA device <d> asked for,
 * <n> present"; rt is then closed. */
int ts_cudart_open(ts_cudart_t *rt, const char *library, int device, ts_err_t *err);

/* Unloads the runtime; accepts a zeroed or closed rt. */
void ts_cudart_close(ts_cudart_t *rt);

/* The runtime's text for error, or "CUDA error <n>". buf holds the latter. */
const char *ts_cudart_error(const ts_cudart_t *rt, int error, char *buf, size_t size);

#endif
