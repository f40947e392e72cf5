/* SPDX-License-Identifier: MIT */
/*
 * backend_test.h - one request to a live back-end carried to its end, for the back-end
 * tests (the error record cleared first, so each message is the request's own), and the
 * hand-traced sequence they share.
 */
#ifndef TS_TESTS_BACKEND_TEST_H
#define TS_TESTS_BACKEND_TEST_H

#include <stdio.h>
#include <string.h>

#include "backends/backend.h"

static inline int be_io(ts_backend_t *b, ts_be_op_t op, uint64_t key, void *buf, uint64_t size,
                        ts_err_t *err)
{
    ts_be_io_t r = {.op = op, .key = key, .buf = buf, .size = size};
    ts_err_clear(err);
    return ts_backend_do(b, &r, err);
}

/* The sequence every back-end's test traces by hand, on an empty instance b of a tier named
 * tier holding 10,000 bytes: A (key 1) and B (key 2), 4096 B each, use 8192; C (key 3,
 * 4096 B) would make 12,288: refused, nothing changes (a read of key 3: TS_ENOENT); key 1
 * reads back all 'A' though the caller's buffer changed after the write (a copy was
 * stored); key 2 read with 100 bytes: TS_EINVAL; free key 1 (read and free again:
 * TS_ENOENT); C fits: 8192; key 2 replaced by 100 bytes reads back 100 'B's: 4196 bytes in
 * 2 objects. Counters: 4 writes (4096 x 3 + 100 = 12,388 bytes), 2 reads (4196 bytes), 1
 * free; *st holds them at the end, for the caller to check what its back-end adds. */
static inline void be_hand_traced(ts_backend_t *b, const char *tier, ts_backend_stats_t *st)
{
    static char a[4096], bb[4096], c[4096], got[4096];
    memset(a, 'A', sizeof(a));
    memset(bb, 'B', sizeof(bb));
    memset(c, 'C', sizeof(c));
    ts_err_t err = {0};
    assert_int_equal(be_io(b, TS_BE_WRITE, 1, a, 4096, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, bb, 4096, &err), 0);
    memset(a, 'x', sizeof(a)); /* a copy was stored: this changes nothing */
    assert_int_equal(be_io(b, TS_BE_WRITE, 3, c, 4096, &err), TS_ENOSPC);
    char want[128];
    snprintf(want, sizeof(want), "tier %s: 4096 bytes of key 3 do not fit (8192 of 10000 bytes "
                                 "used)", tier);
    assert_non_null(strstr(err.msg, want));
    assert_int_equal(be_io(b, TS_BE_READ, 3, got, 4096, &err), TS_ENOENT);
    assert_int_equal(be_io(b, TS_BE_READ, 1, got, 4096, &err), 0);
    for (size_t i = 0; i < sizeof(got); i++)
        if (got[i] != 'A')
            fail_msg("byte %zu of key 1 is '%c', not 'A'", i, got[i]);
    assert_int_equal(be_io(b, TS_BE_READ, 2, got, 100, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "key 2 holds 4096 bytes, 100 asked for"));
    assert_int_equal(be_io(b, TS_BE_FREE, 1, NULL, 0, &err), 0);
    assert_int_equal(be_io(b, TS_BE_FREE, 1, NULL, 0, &err), TS_ENOENT);
    assert_int_equal(be_io(b, TS_BE_READ, 1, got, 4096, &err), TS_ENOENT);
    assert_int_equal(be_io(b, TS_BE_WRITE, 3, c, 4096, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, bb, 100, &err), 0); /* replaced, smaller */
    memset(got, 0, sizeof(got));
    assert_int_equal(be_io(b, TS_BE_READ, 2, got, 100, &err), 0);
    assert_int_equal(got[0], 'B');
    assert_int_equal(got[99], 'B');
    assert_int_equal(got[100], 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 4, c, 0, &err), TS_EINVAL); /* no bytes: refused */
    b->ops->stats(b, st);
    assert_int_equal(st->objects, 2);
    assert_int_equal(st->bytes, 4196);
    assert_int_equal(st->writes, 4);
    assert_int_equal(st->bytes_written, 12388);
    assert_int_equal(st->reads, 2);
    assert_int_equal(st->bytes_read, 4196);
    assert_int_equal(st->frees, 1);
}

#endif
