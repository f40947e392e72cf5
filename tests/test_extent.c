/* SPDX-License-Identifier: MIT */
/*
 * test_extent.c - the back-ends' extent allocator (backends/extent.c), traced by hand on a
 * space of 10 blocks of 100 bytes from offset 1000: the bump pointer hands out extents in
 * order; a freed extent is reused by a request of its length; a request the bump pointer
 * cannot serve cuts a longer free extent and lists the rest; a request nothing holds gets
 * TS_ENOSPC; extents longer than the classes share one list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backends/extent.h"

static void test_extent_hand_traced(void **state)
{
    (void)state;
    ts_extents_t x;
    ts_err_t err = {0};
    assert_int_equal(ts_extents_init(&x, 100, 1000, 1000, 4, &err), 0);
    assert_int_equal(ts_extents_blocks(&x, 1), 1);
    assert_int_equal(ts_extents_blocks(&x, 100), 1);
    assert_int_equal(ts_extents_blocks(&x, 101), 2);
    uint64_t a, b, c, d, e;
    assert_int_equal(ts_extents_alloc(&x, 3, &a), 0); /* blocks 0-2: offset 1000 */
    assert_int_equal(a, 1000);
    assert_int_equal(ts_extents_alloc(&x, 2, &b), 0); /* blocks 3-4 */
    assert_int_equal(b, 1300);
    assert_int_equal(ts_extents_alloc(&x, 4, &c), 0); /* blocks 5-8: one block left */
    assert_int_equal(c, 1500);
    assert_int_equal(x.end, 1900);
    assert_int_equal(ts_extents_alloc(&x, 2, &d), TS_ENOSPC); /* 1 block left, none free */
    assert_int_equal(ts_extents_release(&x, a, 3), 0);
    assert_int_equal(ts_extents_alloc(&x, 3, &d), 0); /* exact reuse of a */
    assert_int_equal(d, 1000);
    assert_int_equal(ts_extents_alloc(&x, 1, &e), 0); /* the last block from the bump */
    assert_int_equal(e, 1900);
    assert_int_equal(ts_extents_release(&x, c, 4), 0);
    assert_int_equal(ts_extents_alloc(&x, 1, &e), 0); /* cuts c: 1500, rest 1600 (3 blocks) */
    assert_int_equal(e, 1500);
    assert_int_equal(ts_extents_alloc(&x, 3, &e), 0); /* the rest, reused exactly */
    assert_int_equal(e, 1600);
    assert_int_equal(ts_extents_alloc(&x, 1, &e), TS_ENOSPC);
    ts_extents_free(&x);
}

/* Classes of 1 to 2 blocks: a 5-block extent goes to the shared list, is cut for 3 blocks
 * (the 2-block rest goes to its own list) and the rest is reused. */
static void test_extent_long_list(void **state)
{
    (void)state;
    ts_extents_t x;
    ts_err_t err = {0};
    assert_int_equal(ts_extents_init(&x, 4096, 0, 5 * 4096, 2, &err), 0);
    uint64_t a, b;
    assert_int_equal(ts_extents_alloc(&x, 5, &a), 0);
    assert_int_equal(a, 0);
    assert_int_equal(ts_extents_release(&x, a, 5), 0);
    assert_int_equal(ts_extents_alloc(&x, 6, &b), TS_ENOSPC); /* nothing that long */
    assert_int_equal(ts_extents_alloc(&x, 3, &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(ts_extents_alloc(&x, 2, &b), 0);
    assert_int_equal(b, 3 * 4096);
    assert_int_equal(ts_extents_alloc(&x, 1, &b), TS_ENOSPC);
    ts_extents_free(&x);
    assert_int_equal(ts_extents_init(&x, 0, 0, 4096, 1, &err), TS_EINVAL);
    ts_extents_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extent_hand_traced),
        cmocka_unit_test(test_extent_long_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
