/* SPDX-License-Identifier: MIT */
/*
 * test_hist.c - the latency histogram: buckets tile the uint64 range with widths within
 * 2^-7 of their values; values below 256 are exact; percentiles of known distributions
 * (every integer 1..N once, uniform and exponential draws checked against a sort) are
 * within 2^-8 relative error; count, min, max and mean are exact; merge equals recording
 * everything in one histogram.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "sim/hist.h"
#include "sim/util/mem.h"
#include "rng_test.h"

static const double k_ps[] = {0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};

/* |got - want| <= want / 256, the documented bound. */
static void assert_close(uint64_t got, uint64_t want, double p)
{
    double diff = got > want ? (double)(got - want) : (double)(want - got);
    if (diff * 256.0 > (double)want) {
        print_error("p%g: got %llu, want %llu\n", p, (unsigned long long)got,
                    (unsigned long long)want);
        fail();
    }
}

static void test_hist_buckets_tile_the_range_with_bounded_width(void **state)
{
    (void)state;
    assert_int_equal(ts_hist_bucket_lo(0), 0);
    for (uint32_t i = 0; i + 1 < TS_HIST_BUCKETS; i++) {
        uint64_t lo = ts_hist_bucket_lo(i), hi = ts_hist_bucket_hi(i);
        assert_true(lo <= hi);
        assert_int_equal(ts_hist_bucket_lo(i + 1), hi + 1);
        assert_int_equal(ts_hist_bucket(lo), i);
        assert_int_equal(ts_hist_bucket(hi), i);
        /* width hi - lo + 1 is at most lo / 128 (one value each below 256) */
        if (lo >= 256)
            assert_true((hi - lo + 1) * 128 <= lo);
        else
            assert_int_equal(hi, lo);
    }
    assert_int_equal(ts_hist_bucket_hi(TS_HIST_BUCKETS - 1), UINT64_MAX);
    assert_int_equal(ts_hist_bucket(UINT64_MAX), TS_HIST_BUCKETS - 1);
}

static void test_hist_small_values_are_exact(void **state)
{
    (void)state;
    ts_hist_t *h;
    ts_err_t err = {0};
    assert_int_equal(ts_hist_create(&h, &err), 0);
    assert_int_equal(ts_hist_percentile(h, 50), 0);
    assert_true(ts_hist_mean(h) == 0.0);
    /* 0..199 once each: rank ceil(p * 2) is the value rank - 1 */
    for (uint64_t v = 0; v < 200; v++)
        ts_hist_record(h, v);
    assert_int_equal(h->n, 200);
    assert_int_equal(h->min_ns, 0);
    assert_int_equal(h->max_ns, 199);
    assert_true(ts_hist_mean(h) == 99.5);
    assert_int_equal(ts_hist_percentile(h, 0), 0);
    assert_int_equal(ts_hist_percentile(h, 50), 99);
    assert_int_equal(ts_hist_percentile(h, 90), 179);
    assert_int_equal(ts_hist_percentile(h, 99), 197);
    assert_int_equal(ts_hist_percentile(h, 99.9), 199);
    assert_int_equal(ts_hist_percentile(h, 100), 199);
    ts_hist_destroy(h);
    ts_hist_destroy(NULL);
}

/* Every integer 1..N once: the p-th percentile is exactly ceil(p N / 100). */
static void test_hist_uniform_integers_within_error_bound(void **state)
{
    (void)state;
    enum { N = 1000000 };
    ts_hist_t *h;
    ts_err_t err = {0};
    assert_int_equal(ts_hist_create(&h, &err), 0);
    for (uint64_t v = 1; v <= N; v++)
        ts_hist_record(h, v);
    assert_true(ts_hist_mean(h) == (N + 1) / 2.0);
    for (size_t i = 0; i < sizeof(k_ps) / sizeof(k_ps[0]); i++) {
        uint64_t want = (uint64_t)ceil(k_ps[i] * N / 100.0);
        if (want < 1)
            want = 1;
        assert_close(ts_hist_percentile(h, k_ps[i]), want, k_ps[i]);
    }
    assert_int_equal(ts_hist_percentile(h, 100), N);
    assert_int_equal(ts_hist_percentile(h, 0), 1);
    ts_hist_destroy(h);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Random draws (uniform over 6 decades, exponential with mean 100 us) against the exact
 * sample quantiles from a sort; merging two halves gives the same answers. */
static void test_hist_random_draws_match_sorted_quantiles_and_merge(void **state)
{
    (void)state;
    enum { N = 200000 };
    gsl_rng *rng = test_rng(2024);
    uint64_t *v = malloc(N * sizeof(*v));
    ts_hist_t *whole, *a, *b;
    ts_err_t err = {0};
    assert_int_equal(ts_hist_create(&whole, &err), 0);
    assert_int_equal(ts_hist_create(&a, &err), 0);
    assert_int_equal(ts_hist_create(&b, &err), 0);
    for (int dist = 0; dist < 2; dist++) {
        ts_hist_init(whole);
        ts_hist_init(a);
        ts_hist_init(b);
        unsigned __int128 sum = 0;
        for (uint32_t i = 0; i < N; i++) {
            v[i] = dist == 0 ? 1 + gsl_rng_uniform_int(rng, 1000000)
                             : (uint64_t)gsl_ran_exponential(rng, 100000.0);
            sum += v[i];
            ts_hist_record(whole, v[i]);
            ts_hist_record(i % 2 ? a : b, v[i]);
        }
        ts_hist_merge(a, b);
        assert_memory_equal(a, whole, sizeof(*a));
        qsort(v, N, sizeof(*v), cmp_u64);
        assert_int_equal(whole->min_ns, v[0]);
        assert_int_equal(whole->max_ns, v[N - 1]);
        assert_true(ts_hist_mean(whole) == (double)sum / N);
        for (size_t i = 0; i < sizeof(k_ps) / sizeof(k_ps[0]); i++) {
            uint64_t rank = (uint64_t)ceil(k_ps[i] * N / 100.0);
            uint64_t want = v[rank ? rank - 1 : 0];
            assert_close(ts_hist_percentile(whole, k_ps[i]), want, k_ps[i]);
        }
    }
    ts_hist_destroy(whole);
    ts_hist_destroy(a);
    ts_hist_destroy(b);
    free(v);
    gsl_rng_free(rng);
}

static void test_hist_extremes_and_weighted_records(void **state)
{
    (void)state;
    ts_hist_t *h;
    ts_err_t err = {0};
    assert_int_equal(ts_hist_create(&h, &err), 0);
    ts_hist_record_n(h, 1000, 99);
    ts_hist_record(h, UINT64_MAX);
    ts_hist_record_n(h, 5, 0); /* no values: min unchanged */
    assert_int_equal(h->n, 100);
    assert_int_equal(h->min_ns, 1000);
    /* 1000's bucket is [1000, 1003]: its midpoint 1001.5 rounds up */
    assert_int_equal(ts_hist_percentile(h, 99), 1002);
    assert_close(ts_hist_percentile(h, 99.5), UINT64_MAX, 99.5);
    assert_int_equal(ts_hist_percentile(h, 100), UINT64_MAX);
    double mean = (99.0 * 1000 + 18446744073709551615.0) / 100;
    assert_true(ts_hist_mean(h) > mean * (1 - 1e-12) && ts_hist_mean(h) < mean * (1 + 1e-12));
    ts_hist_destroy(h);
    ts_mem_fail_after(0);
    assert_int_equal(ts_hist_create(&h, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_null(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_buckets_tile_the_range_with_bounded_width),
        cmocka_unit_test(test_hist_small_values_are_exact),
        cmocka_unit_test(test_hist_uniform_integers_within_error_bound),
        cmocka_unit_test(test_hist_random_draws_match_sorted_quantiles_and_merge),
        cmocka_unit_test(test_hist_extremes_and_weighted_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
