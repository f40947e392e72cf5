/* SPDX-License-Identifier: MIT */
/*
 * test_mem.c - the heap wrappers: large blocks (huge-page aligned) are zeroed by ts_calloc
 * and keep their contents through ts_realloc in both directions; the failure hook fails
 * exactly the Nth allocation and counts the ones before it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/util/mem.h"

#define BIG ((size_t)3 << 20) /* past the 2 MiB huge-page threshold */

static void test_mem_large_calloc_is_zero_and_aligned(void **state)
{
    (void)state;
    unsigned char *p = ts_calloc(BIG / 8, 8);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % ((size_t)2 << 20), 0);
    for (size_t i = 0; i < BIG; i += 4093)
        assert_int_equal(p[i], 0);
    assert_int_equal(p[BIG - 1], 0);
    ts_free(p);
}

static void test_mem_realloc_keeps_contents_across_the_threshold(void **state)
{
    (void)state;
    size_t small = 1000;
    uint32_t *p = ts_malloc(small * sizeof(uint32_t));
    assert_non_null(p);
    for (size_t i = 0; i < small; i++)
        p[i] = (uint32_t)(i * 2654435761u);
    p = ts_realloc(p, BIG); /* small -> large */
    assert_non_null(p);
    for (size_t i = 0; i < small; i++)
        assert_int_equal(p[i], (uint32_t)(i * 2654435761u));
    size_t n = BIG / sizeof(uint32_t);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint32_t)i;
    p = ts_realloc(p, 2 * BIG); /* large -> larger */
    assert_non_null(p);
    for (size_t i = 0; i < n; i += 997)
        assert_int_equal(p[i], (uint32_t)i);
    p = ts_realloc(p, 64); /* large -> small */
    assert_non_null(p);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(p[i], (uint32_t)i);
    ts_free(p);
}

static void test_mem_fail_after_counts(void **state)
{
    (void)state;
    ts_mem_fail_after(2);
    void *a = ts_malloc(10), *b = ts_calloc(1, BIG), *c = ts_malloc(10);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_int_equal(ts_mem_count(), 2);
    ts_mem_fail_after(0);
    assert_null(ts_realloc(NULL, BIG));
    ts_mem_fail_after(-1);
    ts_free(a);
    ts_free(b);
    assert_null(ts_calloc(SIZE_MAX / 2, 4)); /* overflow, not a wrapped small block */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mem_large_calloc_is_zero_and_aligned),
        cmocka_unit_test(test_mem_realloc_keeps_contents_across_the_threshold),
        cmocka_unit_test(test_mem_fail_after_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
