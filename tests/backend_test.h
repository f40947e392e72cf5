/* SPDX-License-Identifier: MIT */
/*
 * backend_test.h - one request to a live back-end carried to its end, for the back-end
 * tests (the error record cleared first, so each message is the request's own).
 */
#ifndef TS_TESTS_BACKEND_TEST_H
#define TS_TESTS_BACKEND_TEST_H

#include "backends/backend.h"

static inline int be_io(ts_backend_t *b, ts_be_op_t op, uint64_t key, void *buf, uint64_t size,
                        ts_err_t *err)
{
    ts_be_io_t r = {.op = op, .key = key, .buf = buf, .size = size};
    ts_err_clear(err);
    return ts_backend_do(b, &r, err);
}

#endif
