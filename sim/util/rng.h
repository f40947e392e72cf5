/* SPDX-License-Identifier: MIT */
/*
 * rng.h - seeded random streams for every folder: a GSL taus2 stream on the tiersim heap,
 * 64-bit mixing and sub-stream seeds derived from the scenario's seed.
 *
 * Every random draw in tiersim comes from one of these streams, seeded from the scenario's
 * seed through ts_seed_derive, so a scenario gives the same bytes on every run and thread
 * count. Cost: O(1) per draw; a stream is a few dozen bytes.
 */
#ifndef TS_SIM_UTIL_RNG_H
#define TS_SIM_UTIL_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "err.h"

/* A taus2 stream seeded with seed. Allocated with ts_malloc (gsl_rng_alloc would call
 * malloc and, under GSL's default error handler, abort when it fails).
 * Returns the stream, or NULL with err = TS_ENOMEM. Free with ts_rng_destroy. */
gsl_rng *ts_rng_create(uint64_t seed, ts_err_t *err);
void ts_rng_destroy(gsl_rng *r); /* accepts NULL */
/* Restarts the stream as if just created with seed. */
void ts_rng_reseed(gsl_rng *r, uint64_t seed);

/* The splitmix64 finaliser: a bijection on 64-bit values with good avalanche. */
static inline uint64_t ts_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A seed for sub-stream `purpose` of the scenario seed. */
static inline uint64_t ts_seed_derive(uint64_t seed, uint64_t purpose)
{
    return ts_mix64(seed + 0x9e3779b97f4a7c15ULL * (purpose + 1));
}

/* 64 random bits from two 32-bit outputs. */
static inline uint64_t ts_rng_u64(gsl_rng *r)
{
    uint64_t hi = gsl_rng_get(r);
    uint64_t lo = gsl_rng_get(r);
    return hi << 32 | lo;
}

/* A uniform double in the open interval (0, 1) with 53 random bits. */
static inline double ts_rng_unit(gsl_rng *r)
{
    return ((double)(ts_rng_u64(r) >> 11) + 0.5) * 0x1p-53;
}

/* A uniform integer in [0, n), n >= 1, without bias (Lemire's multiply-and-reject). */
static inline uint64_t ts_rng_below(gsl_rng *r, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)ts_rng_u64(r) * n;
    if ((uint64_t)m < n) {
        uint64_t t = (0 - n) % n;
        while ((uint64_t)m < t)
            m = (unsigned __int128)ts_rng_u64(r) * n;
    }
    return (uint64_t)(m >> 64);
}

#endif
