/* SPDX-License-Identifier: MIT */
/*
 * test_future.c - the next-access pre-pass: a hand example, a trace that makes the map
 * grow, an empty trace, and out-of-memory handling; the two-pass reader against the
 * in-memory pass, its memory bound and its check of the second pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/future.h"
#include "sim/memtrace.h"
#include "sim/util/mem.h"
#include "sim/util/rng.h"

static void test_future_hand_example(void **state)
{
    (void)state;
    /* Index: 0:A 1:B 2:A 3:C 4:B 5:A 6:A. The next request to the same key:
     * A@0 -> 2, B@1 -> 4, A@2 -> 5, C@3 never, B@4 never, A@5 -> 6, A@6 never. */
    const char *keys = "ABACBAA";
    const uint64_t want[] = {2, 4, 5, TS_REQ_NEVER, TS_REQ_NEVER, 6, TS_REQ_NEVER};
    ts_req_t r[7];
    for (size_t i = 0; i < 7; i++)
        r[i] = (ts_req_t){.key = (uint64_t)keys[i], .next_access = 12345};
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(r, 7, &err), 0);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(r[i].next_access, want[i]);
}

static void test_future_cyclic_grows(void **state)
{
    (void)state;
    /* A loop over K distinct keys, L times: request i is followed by i + K, except in
     * the last round. K is larger than the map's first size, so it must grow. */
    enum { K = 5000, L = 3 };
    ts_req_t *r = test_malloc(sizeof(*r) * K * L);
    for (size_t i = 0; i < (size_t)K * L; i++)
        r[i] = (ts_req_t){.key = 1000003u * (i % K) + 7};
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(r, (size_t)K * L, &err), 0);
    for (size_t i = 0; i < (size_t)K * L; i++)
        assert_int_equal(r[i].next_access, i + K < (size_t)K * L ? i + K : TS_REQ_NEVER);
    test_free(r);
}

static void test_future_empty(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(NULL, 0, &err), 0);
    assert_int_equal(err.code, 0);
}

static void test_future_oom(void **state)
{
    (void)state;
    enum { N = 20000 };
    ts_req_t *r = test_malloc(sizeof(*r) * N);
    for (size_t i = 0; i < N; i++)
        r[i] = (ts_req_t){.key = i};
    /* The first allocation (the map) and then a growth fail in turn; then it succeeds. */
    for (long n = 0;; n++) {
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = ts_future_annotate(r, N, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
        assert_non_null(strstr(err.msg, "next-access map"));
        assert_true(n < 64);
    }
    for (size_t i = 0; i < N; i++)
        assert_int_equal(r[i].next_access, TS_REQ_NEVER);
    test_free(r);
}

/* n requests over k keys drawn from a splitmix64 stream (seed), in a memtrace. */
static ts_memtrace_t *random_trace(uint64_t n, uint64_t k, uint64_t seed)
{
    ts_memtrace_t *mt = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    for (uint64_t i = 0; i < n; i++) {
        seed += 0x9e3779b97f4a7c15ULL;
        ts_req_t q = {.key = ts_mix64(seed) % k, .size_bytes = 100 + i % 7,
                      .next_access = TS_REQ_NEVER};
        assert_int_equal(ts_memtrace_push(mt, &q, &err), 0);
    }
    return mt;
}

/* The reader hands out the same requests as the memtrace, with the next accesses the
 * in-memory pass finds (that pass is the hand-checked one above), twice over a reset. */
static void test_future_reader_matches_annotate(void **state)
{
    (void)state;
    enum { N = 30000 };
    ts_memtrace_t *mt = random_trace(N, 3000, 5), *want = random_trace(N, 3000, 5);
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(want->reqs, want->n, &err), 0);
    ts_reader_t *src = NULL, *r = NULL;
    assert_int_equal(ts_memtrace_reader(mt, &src, &err), 0);
    assert_int_equal(ts_future_reader(src, 0, &r, &err), 0);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, N);
    for (int pass = 0; pass < 2; pass++) {
        ts_req_t q;
        size_t i = 0;
        int rc;
        while ((rc = ts_reader_next(r, &q, &err)) > 0) {
            assert_true(i < N);
            assert_int_equal(q.key, want->reqs[i].key);
            assert_int_equal(q.size_bytes, want->reqs[i].size_bytes);
            assert_int_equal(q.next_access, want->reqs[i].next_access);
            i++;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(i, N);
        assert_int_equal(ts_reader_reset(r, &err), 0);
    }
    ts_reader_close(r);
    ts_reader_close(src);
    ts_memtrace_destroy(mt);
    ts_memtrace_destroy(want);
}

/* The bound: 1000 requests need 8000 bytes for the array, so 7999 bytes are refused before
 * reading (the memtrace knows its length) and the message names both figures; 8 KiB hold
 * the array but not the map, which starts at 1024 16-byte slots (16 KiB); the map of 1000
 * distinct keys grows once, at 512 keys, to 2048 slots, when old and new slots (48 KiB)
 * are held together with the array. */
static void test_future_reader_refuses_over_limit(void **state)
{
    (void)state;
    ts_memtrace_t *mt = random_trace(1000, UINT64_MAX, 9);
    ts_err_t err = {0};
    ts_reader_t *src = NULL, *r = NULL;
    assert_int_equal(ts_memtrace_reader(mt, &src, &err), 0);
    assert_int_equal(ts_future_reader(src, 7999, &r, &err), TS_ENOMEM);
    assert_null(r);
    assert_non_null(strstr(err.msg, "needs at least 7.81KiB"));
    assert_non_null(strstr(err.msg, "1000 requests"));
    assert_non_null(strstr(err.msg, "but 7.81KiB of memory is available"));
    ts_err_t err2 = {0};
    assert_int_equal(ts_reader_reset(src, &err2), 0);
    assert_int_equal(ts_future_reader(src, 8192, &r, &err2), TS_ENOMEM);
    assert_non_null(strstr(err2.msg, "needs at least"));
    assert_non_null(strstr(err2.msg, "but 8KiB of memory is available"));
    ts_err_t err3 = {0};
    assert_int_equal(ts_reader_reset(src, &err3), 0);
    assert_int_equal(ts_future_reader(src, 8000 + 3 * 2048 * 16, &r, &err3), 0);
    ts_reader_close(r);
    ts_reader_close(src);
    ts_memtrace_destroy(mt);
}

/* A source whose reset gives other requests: the first pass reads `a`, replays read `b`. */
typedef struct flip_reader {
    ts_reader_t base;
    const ts_memtrace_t *a, *b, *cur;
    size_t pos;
} flip_reader_t;

static int flip_next(ts_reader_t *r, ts_req_t *q, ts_err_t *err)
{
    flip_reader_t *f = (flip_reader_t *)r;
    (void)err;
    if (f->pos == f->cur->n)
        return 0;
    *q = f->cur->reqs[f->pos++];
    return 1;
}

static int flip_reset(ts_reader_t *r, ts_err_t *err)
{
    flip_reader_t *f = (flip_reader_t *)r;
    (void)err;
    f->cur = f->b;
    f->pos = 0;
    return 0;
}

static void flip_close(ts_reader_t *r)
{
    (void)r;
}

static const ts_reader_ops_t k_flip_ops = {
    .next = flip_next, .reset = flip_reset, .close = flip_close};

static int flip_replay(const ts_memtrace_t *a, const ts_memtrace_t *b, ts_err_t *err)
{
    flip_reader_t f = {.base = {.ops = &k_flip_ops}, .a = a, .b = b, .cur = a};
    ts_reader_t *r = NULL;
    int rc = ts_future_reader(&f.base, 0, &r, err);
    ts_req_t q;
    while (rc == 0 && (rc = ts_reader_next(r, &q, err)) > 0)
        rc = 0;
    ts_reader_close(r);
    return rc;
}

static void test_future_reader_checks_replay(void **state)
{
    (void)state;
    ts_memtrace_t *a = random_trace(100, 10, 1), *same = random_trace(100, 10, 1);
    ts_memtrace_t *other = random_trace(100, 10, 2), *longer = random_trace(101, 10, 1);
    ts_memtrace_t *shorter = random_trace(99, 10, 1);
    ts_err_t err = {0};
    assert_int_equal(flip_replay(a, same, &err), 0);
    assert_int_equal(flip_replay(a, other, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "read differently the second time"));
    ts_err_t err2 = {0};
    assert_int_equal(flip_replay(a, longer, &err2), TS_EINTERNAL);
    assert_non_null(strstr(err2.msg, "more than its 100 requests"));
    ts_err_t err3 = {0};
    assert_int_equal(flip_replay(a, shorter, &err3), TS_EINTERNAL);
    assert_non_null(strstr(err3.msg, "100 requests then 99"));
    ts_memtrace_destroy(a);
    ts_memtrace_destroy(same);
    ts_memtrace_destroy(other);
    ts_memtrace_destroy(longer);
    ts_memtrace_destroy(shorter);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_future_hand_example),
        cmocka_unit_test(test_future_cyclic_grows),
        cmocka_unit_test(test_future_empty),
        cmocka_unit_test(test_future_oom),
        cmocka_unit_test(test_future_reader_matches_annotate),
        cmocka_unit_test(test_future_reader_refuses_over_limit),
        cmocka_unit_test(test_future_reader_checks_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
