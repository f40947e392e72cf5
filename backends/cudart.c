/* SPDX-License-Identifier: MIT */
/*
 * cudart.c - the CUDA runtime loaded at run time (cudart.h): dlopen by name, dlsym of each
 * function into the table, then the device check.
 */
#include "cudart.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static const char *const k_default_names[] = {"libcudart.so", "libcudart.so.13",
                                              "libcudart.so.12", "libcudart.so.11"};

/* One function of the table: its slot and the runtime's name for it. */
static const struct cudart_sym {
    size_t offset;
    const char *name;
} k_syms[] = {
    {offsetof(ts_cudart_t, get_device_count), "cudaGetDeviceCount"},
    {offsetof(ts_cudart_t, set_device), "cudaSetDevice"},
    {offsetof(ts_cudart_t, mem_get_info), "cudaMemGetInfo"},
    {offsetof(ts_cudart_t, malloc_device), "cudaMalloc"},
    {offsetof(ts_cudart_t, free_device), "cudaFree"},
    {offsetof(ts_cudart_t, malloc_host), "cudaMallocHost"},
    {offsetof(ts_cudart_t, free_host), "cudaFreeHost"},
    {offsetof(ts_cudart_t, memcpy_sync), "cudaMemcpy"},
    {offsetof(ts_cudart_t, memcpy_async), "cudaMemcpyAsync"},
    {offsetof(ts_cudart_t, stream_create), "cudaStreamCreateWithFlags"},
    {offsetof(ts_cudart_t, stream_destroy), "cudaStreamDestroy"},
    {offsetof(ts_cudart_t, stream_query), "cudaStreamQuery"},
    {offsetof(ts_cudart_t, stream_synchronize), "cudaStreamSynchronize"},
    {offsetof(ts_cudart_t, device_synchronize), "cudaDeviceSynchronize"},
    {offsetof(ts_cudart_t, error_string), "cudaGetErrorString"},
};

const char *ts_cudart_error(const ts_cudart_t *rt, int error, char *buf, size_t size)
{
    const char *s = rt && rt->error_string ? rt->error_string(error) : NULL;
    if (s)
        return s;
    snprintf(buf, size, "CUDA error %d", error);
    return buf;
}

void ts_cudart_close(ts_cudart_t *rt)
{
    if (rt->lib)
        dlclose(rt->lib);
    memset(rt, 0, sizeof(*rt));
}

/* Loads library, or the first default name that loads. */
static int cudart_load(ts_cudart_t *rt, const char *library, ts_err_t *err)
{
    if (library && library[0]) {
        rt->lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
        if (!rt->lib) {
            const char *why = dlerror();
            return ts_err_set(err, TS_EUNSUPPORTED, "no CUDA runtime ('%s' cannot be loaded: %s)",
                              library, why ? why : "unknown reason");
        }
        snprintf(rt->path, sizeof(rt->path), "%s", library);
        return 0;
    }
    for (size_t i = 0; i < sizeof(k_default_names) / sizeof(k_default_names[0]); i++)
        if ((rt->lib = dlopen(k_default_names[i], RTLD_NOW | RTLD_LOCAL))) {
            snprintf(rt->path, sizeof(rt->path), "%s", k_default_names[i]);
            return 0;
        }
    return ts_err_set(err, TS_EUNSUPPORTED, "no CUDA runtime (libcudart.so not found)");
}

int ts_cudart_open(ts_cudart_t *rt, const char *library, int device, ts_err_t *err)
{
    memset(rt, 0, sizeof(*rt));
    int rc = cudart_load(rt, library, err);
    for (size_t i = 0; !rc && i < sizeof(k_syms) / sizeof(k_syms[0]); i++) {
        void *fn = dlsym(rt->lib, k_syms[i].name);
        if (!fn)
            rc = ts_err_set(err, TS_EUNSUPPORTED, "CUDA runtime '%s' has no %s", rt->path,
                            k_syms[i].name);
        else /* POSIX: a function pointer and a void * have the same representation */
            memcpy((char *)rt + k_syms[i].offset, &fn, sizeof(fn));
    }
    int n = 0, e = 0;
    char buf[32];
    if (!rc && ((e = rt->get_device_count(&n)) != TS_CUDA_SUCCESS || n <= 0))
        rc = ts_err_set(err, TS_EUNSUPPORTED, "no CUDA device (%s)",
                        e ? ts_cudart_error(rt, e, buf, sizeof(buf)) : "0 devices");
    if (!rc && (device < 0 || device >= n))
        rc = ts_err_set(err, TS_EUNSUPPORTED, "CUDA device %d asked for, %d present (0 to %d)",
                        device, n, n - 1);
    if (!rc && (e = rt->set_device(device)) != TS_CUDA_SUCCESS)
        rc = ts_err_set(err, TS_EUNSUPPORTED, "CUDA device %d cannot be used: %s", device,
                        ts_cudart_error(rt, e, buf, sizeof(buf)));
    if (rc) {
        ts_cudart_close(rt);
        return rc;
    }
    rt->device = device;
    return 0;
}
