/* SPDX-License-Identifier: MIT */
/*
 * bench_util.h - the clock and the median every benchmark reports.
 */
#ifndef TS_BENCH_UTIL_H
#define TS_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

/* Monotonic wall-clock seconds. */
static inline double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (n >= 1); sorts v. */
static inline double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof(double), cmp_double);
    return v[n / 2];
}

#endif
