/* SPDX-License-Identifier: MIT */
/*
 * inference_test.h - what the inference generator's tests (test_inference*.c) share:
 * opening the generator with a seed and a table of "name=value" overrides, and reading its
 * block requests one at a time or an LLM request (a turn) at a time with the request each
 * belongs to (ts_gen_inference_current).
 */
#ifndef TS_TESTS_INFERENCE_TEST_H
#define TS_TESTS_INFERENCE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gen_test.h"
#include "workloads/inference.h"

/* The inference generator with seed and the n overrides kv (the test fails if it does not
 * open). */
static inline ts_reader_t *inf_open_ok(uint64_t seed, const char *const *kv, size_t n)
{
    return gen_test_open_ok("inference", seed, kv, n);
}

#define OPEN(seed, kv) inf_open_ok(seed, kv, sizeof(kv) / sizeof(kv[0]))

/* Reads one block request and the LLM request it belongs to; false at the end. */
static inline bool read_one(ts_reader_t *r, ts_req_t *q, ts_inference_req_t *ir)
{
    ts_err_t err = {0};
    int rc = ts_reader_next(r, q, &err);
    assert_true(rc >= 0);
    if (rc == 0)
        return false;
    assert_int_equal(ts_gen_inference_current(r, ir, &err), 0);
    return true;
}

/* Moves r to the first block request of the next LLM request and fills ir with that
 * request; *last is the index of the one before (UINT64_MAX at the start). False at the
 * end. */
static inline bool next_llm(ts_reader_t *r, ts_inference_req_t *ir, uint64_t *last)
{
    ts_req_t q;
    while (read_one(r, &q, ir)) {
        if (ir->index != *last) {
            *last = ir->index;
            return true;
        }
    }
    return false;
}

#endif
