/* SPDX-License-Identifier: MIT */
/*
 * rng_test.h - the seeded GSL stream (mt19937) tests draw their own inputs from, made under
 * the project's GSL policy (sim/util/gslerr.h): the common setup of every test that calls
 * GSL itself, so a GSL error fails the test with a message instead of aborting it.
 * Include after <cmocka.h>.
 */
#ifndef TS_TESTS_RNG_TEST_H
#define TS_TESTS_RNG_TEST_H

#include <gsl/gsl_rng.h>

#include "sim/util/gslerr.h"

/* Installs the GSL policy, then a mt19937 stream seeded with seed (asserted allocated).
 * Free with gsl_rng_free. */
static inline gsl_rng *test_rng(unsigned long seed)
{
    ts_gsl_install();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, seed);
    return r;
}

#endif
