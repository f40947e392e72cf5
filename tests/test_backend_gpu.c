/* SPDX-License-Identifier: MIT */
/*
 * test_backend_gpu.c - the "gpu" live back-end (backends/gpu.c) without CUDA: it loads a
 * stand-in runtime (tests/fake_cudart.c, a shared library over the C heap whose streams
 * finish a copy only at the second query) through its `library` parameter. Checked: a
 * missing runtime and a machine without a device fail with one clear line; the hand-traced
 * sequence of test_backend_memory.c gives the same results, with 4 KiB extents counted by
 * hand; requests in flight on two streams answer queued, then busy, and come back by poll
 * with their bytes; objects larger than the pinned buffer go in rounds; unpinned copies;
 * the arena and the GPU's memory running out; cufile refused. No GPU is needed.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend_test.h"

#define GPU_MAX_KV 8

/* Opens the gpu back-end on the stand-in runtime (unless library is given) with the
 * name=value pairs of kv (NULL-terminated), after setting the stand-in's device count. */
static int open_gpu(uint64_t capacity, uint64_t max_object, const char *devices,
                    const char *const *kv, ts_backend_t **b, ts_err_t *err)
{
    const ts_backend_ctx_t ctx = {.tier = "hbm", .capacity = capacity, .max_object = max_object};
    const char *names[GPU_MAX_KV + 1] = {"library"}, *values[GPU_MAX_KV + 1] = {TS_FAKE_CUDART};
    size_t n = 1;
    for (; kv && kv[2 * (n - 1)] && n <= GPU_MAX_KV; n++) {
        names[n] = kv[2 * (n - 1)];
        values[n] = kv[2 * (n - 1) + 1];
    }
    setenv("TS_FAKE_CUDA_DEVICES", devices, 1);
    unsetenv("TS_FAKE_CUDA_MEMORY");
    ts_err_clear(err);
    *b = NULL;
    return ts_backend_open_kv(&ts_backend_gpu, names, values, n, &ctx, b, err);
}

/* No runtime at the path asked for, or (where none is installed) at the default names;
 * a runtime with no device; a device number past the last. */
static void test_backend_gpu_no_cuda(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_backend_t *b = NULL;
    const char *missing[] = {"library", TS_BINARY_DIR "/no-such-libcudart.so", NULL};
    /* the pair given last wins: it replaces the stand-in */
    assert_int_equal(open_gpu(8192, 4096, "1", missing, &b, &err), TS_EUNSUPPORTED);
    assert_null(b);
    assert_non_null(strstr(err.msg, "gpu back-end of tier hbm: no CUDA runtime ('"));
    assert_non_null(strstr(err.msg, "no-such-libcudart.so' cannot be loaded"));
    void *real = dlopen("libcudart.so", RTLD_NOW | RTLD_LOCAL);
    if (real) {
        dlclose(real);
    } else {
        const char *deflt[] = {"library", "", NULL};
        assert_int_equal(open_gpu(8192, 4096, "1", deflt, &b, &err), TS_EUNSUPPORTED);
        assert_non_null(strstr(err.msg, "no CUDA runtime (libcudart.so not found)"));
    }
    assert_int_equal(open_gpu(8192, 4096, "0", NULL, &b, &err), TS_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "gpu back-end of tier hbm: no CUDA device (no "
                                    "CUDA-capable device is detected)"));
    const char *second[] = {"device", "1", NULL};
    assert_int_equal(open_gpu(8192, 4096, "1", second, &b, &err), TS_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "CUDA device 1 asked for, 1 present (0 to 0)"));
    const char *gds[] = {"cufile", "true", NULL};
    assert_int_equal(open_gpu(8192, 4096, "1", gds, &b, &err), TS_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "cufile (NVMe to GPU reads through GPUDirect Storage) is "
                                    "not implemented yet"));
}

/* The sequence of backend_test.h on a 10,000-byte tier, on streams: C takes A's freed
 * block again and B's 100 bytes a new one (the arena has 10,000 x 1.25 / 4096 = 3.05 -> 3 +
 * 1 = 4 blocks), so 2 blocks = 8192 bytes of extents at the end. */
static void test_backend_gpu_hand_traced(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_backend_t *b;
    if (open_gpu(10000, 10000, "1", NULL, &b, &err) != 0)
        fail_msg("open: %s", err.msg);
    ts_backend_stats_t st;
    be_hand_traced(b, "hbm", &st);
    assert_int_equal(st.reserved, 8192);
    assert_false(st.emulated);
    static char big[10001];
    assert_int_equal(be_io(b, TS_BE_WRITE, 9, big, 10001, &err), TS_EINVAL); /* > max */
    b->ops->close(b);
}

/* Two streams: two writes answer queued, the third busy; poll with no wait gives nothing
 * (the stand-in's first query says not ready), with a wait both; then three reads in flight
 * the same way, each with its own bytes. */
static void test_backend_gpu_streams(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_backend_t *b;
    const char *kv[] = {"streams", "2", NULL};
    if (open_gpu(1 << 20, 65536, "1", kv, &b, &err) != 0)
        fail_msg("open: %s", err.msg);
    static unsigned char data[3][5000], got[3][5000];
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 5000; i++)
            data[k][i] = (unsigned char)(k * 77 + i);
    ts_be_io_t io[3];
    for (int k = 0; k < 3; k++)
        io[k] = (ts_be_io_t){.op = TS_BE_WRITE, .key = 100 + (uint64_t)k, .size = 5000,
                             .buf = data[k]};
    assert_int_equal(b->ops->submit(b, &io[0], &err), TS_BE_QUEUED);
    assert_int_equal(b->ops->submit(b, &io[1], &err), TS_BE_QUEUED);
    assert_int_equal(b->ops->submit(b, &io[2], &err), TS_BE_BUSY);
    ts_be_io_t *done[4];
    assert_int_equal(b->ops->poll(b, done, 4, 0, &err), 0);
    int n = b->ops->poll(b, done, 4, 1000000000u, &err); /* the second query: both */
    assert_int_equal(n, 2);
    assert_int_equal(done[0]->result, 0);
    assert_int_equal(done[1]->result, 0);
    assert_int_equal(b->ops->submit(b, &io[2], &err), TS_BE_QUEUED);
    assert_int_equal(b->ops->poll(b, done, 4, UINT64_MAX, &err), 1);
    assert_ptr_equal(done[0], &io[2]);
    for (int k = 0; k < 3; k++)
        io[k] = (ts_be_io_t){.op = TS_BE_READ, .key = 102 - (uint64_t)k, .size = 5000,
                             .buf = got[k]};
    assert_int_equal(b->ops->submit(b, &io[0], &err), TS_BE_QUEUED);
    assert_int_equal(b->ops->submit(b, &io[1], &err), TS_BE_QUEUED);
    assert_int_equal(b->ops->submit(b, &io[2], &err), TS_BE_BUSY);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(got[0][i], 0); /* nothing before completion */
    assert_int_equal(b->ops->poll(b, done, 1, UINT64_MAX, &err), 1);
    assert_ptr_equal(done[0], &io[0]); /* the oldest */
    assert_int_equal(b->ops->submit(b, &io[2], &err), TS_BE_QUEUED);
    for (int left = 2; left > 0; left -= n)
        assert_true((n = b->ops->poll(b, done, 4, UINT64_MAX, &err)) >= 1);
    for (int k = 0; k < 3; k++)
        assert_memory_equal(got[k], data[2 - k], 5000);
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_int_equal(st.writes, 3);
    assert_int_equal(st.reads, 3);
    assert_int_equal(st.bytes_read, 15000);
    assert_int_equal(st.reserved, 3 * 8192); /* 5000 bytes: 2 blocks each */
    b->ops->close(b);
}

/* An object of 3 MiB + 5 bytes through a 1 MiB pinned buffer (4 rounds, pieces of 1 MiB),
 * and the same unpinned: the bytes come back exactly. */
static void test_backend_gpu_rounds(void **state)
{
    (void)state;
    const uint64_t size = (3u << 20) + 5;
    unsigned char *data = malloc(size), *got = malloc(size);
    assert_non_null(data);
    assert_non_null(got);
    for (uint64_t i = 0; i < size; i++)
        data[i] = (unsigned char)(i * 13 + i / 4096);
    const char *pinned[] = {"staging", "1MiB", NULL};
    const char *unpinned[] = {"pinned", "false", NULL};
    const char *const *cases[] = {pinned, unpinned};
    for (int c = 0; c < 2; c++) {
        ts_err_t err = {0};
        ts_backend_t *b;
        if (open_gpu(8u << 20, 4u << 20, "1", cases[c], &b, &err) != 0)
            fail_msg("open: %s", err.msg);
        memset(got, 0, size);
        assert_int_equal(be_io(b, TS_BE_WRITE, 7, data, size, &err), 0);
        assert_int_equal(be_io(b, TS_BE_READ, 7, got, size, &err), 0);
        if (memcmp(got, data, size) != 0)
            fail_msg("%s: the object did not come back", cases[c][0]);
        ts_backend_stats_t st;
        b->ops->stats(b, &st);
        assert_int_equal(st.reserved, 769 * 4096); /* ceil((3 MiB + 5) / 4 KiB) blocks */
        b->ops->close(b);
    }
    free(data);
    free(got);
}

/* The arena: capacity 10,000 with no headroom is 10,000 / 4096 = 2.44 -> 2 + 1 = 3 blocks;
 * two objects of 4097 bytes (8194 bytes, within the capacity) take 2 blocks each: the second
 * finds no room. A GPU of 64 KiB cannot hold a 1 MiB arena. */
static void test_backend_gpu_full(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_backend_t *b;
    const char *none[] = {"headroom", "0", NULL};
    if (open_gpu(10000, 10000, "1", none, &b, &err) != 0)
        fail_msg("open: %s", err.msg);
    static char x[4097];
    assert_int_equal(be_io(b, TS_BE_WRITE, 1, x, 4097, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, x, 4097, &err), TS_ENOSPC);
    assert_non_null(strstr(err.msg, "no room for key 2 in the 12288-byte arena (8192 bytes of "
                                    "extents in use; raise headroom)"));
    assert_int_equal(be_io(b, TS_BE_WRITE, 1, x, 4096, &err), 0); /* 1 block: fits */
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, x, 4096, &err), 0);
    b->ops->close(b);
    setenv("TS_FAKE_CUDA_DEVICES", "1", 1);
    setenv("TS_FAKE_CUDA_MEMORY", "65536", 1);
    const ts_backend_ctx_t ctx = {.tier = "hbm", .capacity = 1 << 20, .max_object = 4096};
    const char *names[] = {"library"}, *values[] = {TS_FAKE_CUDART};
    ts_err_clear(&err);
    assert_int_equal(ts_backend_open_kv(&ts_backend_gpu, names, values, 1, &ctx, &b, &err),
                     TS_ENOMEM);
    /* 1 MiB x 1.25 / 4096 = 320 -> 321 blocks */
    assert_non_null(strstr(err.msg, "cannot allocate 1314816 bytes on CUDA device 0 (65536 of "
                                    "65536 bytes free)"));
    unsetenv("TS_FAKE_CUDA_MEMORY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend_gpu_no_cuda),
        cmocka_unit_test(test_backend_gpu_hand_traced),
        cmocka_unit_test(test_backend_gpu_streams),
        cmocka_unit_test(test_backend_gpu_rounds),
        cmocka_unit_test(test_backend_gpu_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
