/* SPDX-License-Identifier: MIT */
/*
 * test_backend_memory.c - the live back-end seam (sim/backend.h) and its "memory" back-end
 * (backends/memory.c): the registry's table passes its check; a hand-traced sequence of
 * writes, reads, frees and a replacement against a 10,000-byte tier gives the results and
 * counters worked out below; the bytes are copies (changing the caller's buffer after a
 * write changes nothing stored); 10,000 keys survive the index growing and half of them
 * freed; the arena reuses a freed extent for an object of its length and refuses, naming the
 * arena, one that no extent fits; parameters are checked; pinned objects are locked or
 * refused with the limit named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend_test.h"

static ts_backend_t *open_memory(uint64_t capacity, const char *pinned)
{
    const ts_backend_ctx_t ctx = {.tier = "dram", .capacity = capacity, .max_object = capacity};
    const char *names[] = {"pinned"}, *values[] = {pinned};
    ts_backend_t *b = NULL;
    ts_err_t err = {0};
    int rc = ts_backend_open_kv(&ts_backend_memory, names, values, pinned ? 1 : 0, &ctx, &b,
                                &err);
    if (rc)
        fail_msg("open: %s", err.msg);
    return b;
}

static void test_backend_registry_checks(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_registry_check(&ts_backends, &err), 0);
    assert_ptr_equal(ts_registry_find(&ts_backends, "memory", &err), &ts_backend_memory.base);
    assert_null(ts_registry_find(&ts_backends, "memroy", &err));
    assert_non_null(strstr(err.msg, "did you mean 'memory'?"));
}

/* The sequence of backend_test.h on a 10,000-byte tier: the objects it leaves, 4096 and 100
 * bytes, take whole 64-byte blocks of the arena: 64 + 2 blocks = 4224 bytes reserved. */
static void test_backend_memory_hand_traced(void **state)
{
    (void)state;
    ts_backend_t *b = open_memory(10000, NULL);
    ts_backend_stats_t st;
    be_hand_traced(b, "dram", &st);
    assert_int_equal(st.reserved, 4224);
    b->ops->close(b);
}

/* 10,000 keys of 64 bytes each holding its own key: the index and the node pool grow past
 * their first 1024; the even keys freed, the odd ones read back intact, 5000 x 64 bytes. */
static void test_backend_memory_many_keys(void **state)
{
    (void)state;
    ts_backend_t *b = open_memory(10000 * 64, NULL);
    ts_err_t err = {0};
    uint64_t buf[8];
    for (uint64_t k = 0; k < 10000; k++) {
        for (int i = 0; i < 8; i++)
            buf[i] = k * 8 + (uint64_t)i;
        assert_int_equal(be_io(b, TS_BE_WRITE, k, buf, sizeof(buf), &err), 0);
    }
    for (uint64_t k = 0; k < 10000; k += 2)
        assert_int_equal(be_io(b, TS_BE_FREE, k, NULL, 0, &err), 0);
    for (uint64_t k = 0; k < 10000; k++) {
        int rc = be_io(b, TS_BE_READ, k, buf, sizeof(buf), &err);
        assert_int_equal(rc, k % 2 ? 0 : TS_ENOENT);
        for (int i = 0; rc == 0 && i < 8; i++)
            if (buf[i] != k * 8 + (uint64_t)i)
                fail_msg("key %llu word %d is %llu", (unsigned long long)k, i,
                         (unsigned long long)buf[i]);
    }
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_int_equal(st.objects, 5000);
    assert_int_equal(st.bytes, 5000 * 64);
    b->ops->close(b);
}

/* The arena of a 1,000-byte tier is 2 x 16 blocks of 64 bytes (2,048 bytes). A freed extent
 * is reused by an object of its length: 100 rounds of writing and freeing 1,000 bytes under
 * alternating keys never fail. Extents are not merged: 640 bytes (10 blocks, at 0), freed;
 * 700 bytes (11 blocks: no free extent of 11, so from the bump pointer, at 640), freed;
 * 740 bytes (12 blocks) then finds no free extent of 12 or more and 21 + 12 > 32 blocks
 * left: refused with the arena named, though 740 bytes are within the capacity; 600 bytes
 * (10 blocks) still fit in the first extent. */
static void test_backend_memory_arena_reuses_extents(void **state)
{
    (void)state;
    ts_backend_t *b = open_memory(1000, NULL);
    ts_err_t err = {0};
    static unsigned char buf[1000], got[1000];
    for (int r = 0; r < 100; r++) {
        memset(buf, r, sizeof(buf));
        assert_int_equal(be_io(b, TS_BE_WRITE, (uint64_t)r % 2, buf, 1000, &err), 0);
        assert_int_equal(be_io(b, TS_BE_READ, (uint64_t)r % 2, got, 1000, &err), 0);
        assert_memory_equal(got, buf, 1000);
        assert_int_equal(be_io(b, TS_BE_FREE, (uint64_t)r % 2, NULL, 0, &err), 0);
    }
    assert_int_equal(be_io(b, TS_BE_WRITE, 1, buf, 640, &err), 0);
    assert_int_equal(be_io(b, TS_BE_FREE, 1, NULL, 0, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, buf, 700, &err), 0);
    assert_int_equal(be_io(b, TS_BE_FREE, 2, NULL, 0, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 3, buf, 740, &err), TS_ENOSPC);
    assert_non_null(strstr(err.msg, "no room for key 3 in the arena"));
    assert_int_equal(be_io(b, TS_BE_READ, 3, got, 740, &err), TS_ENOENT);
    assert_int_equal(be_io(b, TS_BE_WRITE, 4, buf, 600, &err), 0);
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_int_equal(st.objects, 1);
    assert_int_equal(st.bytes, 600);
    assert_int_equal(st.reserved, 640);
    b->ops->close(b);
}

static void test_backend_memory_params(void **state)
{
    (void)state;
    const ts_backend_ctx_t ctx = {.tier = "dram", .capacity = 1000};
    ts_backend_t *b = NULL;
    ts_err_t err = {0};
    const char *names[] = {"pined"}, *values[] = {"true"};
    assert_int_equal(ts_backend_open_kv(&ts_backend_memory, names, values, 1, &ctx, &b, &err),
                     TS_ENOENT);
    assert_null(b);
    assert_string_equal(err.where, "memory.pined");
    assert_non_null(strstr(err.msg, "did you mean 'pinned'?"));
    const ts_backend_ctx_t none = {.tier = "dram", .capacity = 0};
    ts_err_clear(&err);
    assert_int_equal(ts_backend_open_kv(&ts_backend_memory, NULL, NULL, 0, &none, &b, &err),
                     TS_EINVAL);
    assert_non_null(strstr(err.msg, "the tier has no capacity"));
}

/* pinned: the object is locked in RAM, or, where RLIMIT_MEMLOCK forbids it, the write fails
 * naming the limit and nothing is stored. Either way a read gives the bytes written or
 * TS_ENOENT, never something else. */
static void test_backend_memory_pinned(void **state)
{
    (void)state;
    ts_backend_t *b = open_memory(1 << 20, "true");
    char data[8192], got[8192];
    memset(data, 'p', sizeof(data));
    ts_err_t err = {0};
    int rc = be_io(b, TS_BE_WRITE, 7, data, sizeof(data), &err);
    if (rc == 0) {
        assert_int_equal(be_io(b, TS_BE_READ, 7, got, sizeof(got), &err), 0);
        assert_memory_equal(got, data, sizeof(data));
    } else {
        assert_int_equal(rc, TS_ENOMEM);
        assert_non_null(strstr(err.msg, "RLIMIT_MEMLOCK"));
        printf("[ NOTE     ] pinned: mlock refused here (%s)\n", err.msg);
        assert_int_equal(be_io(b, TS_BE_READ, 7, got, sizeof(got), &err), TS_ENOENT);
    }
    b->ops->close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend_registry_checks),
        cmocka_unit_test(test_backend_memory_hand_traced),
        cmocka_unit_test(test_backend_memory_many_keys),
        cmocka_unit_test(test_backend_memory_params),
        cmocka_unit_test(test_backend_memory_pinned),
        cmocka_unit_test(test_backend_memory_arena_reuses_extents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
