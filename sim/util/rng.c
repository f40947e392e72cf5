/* SPDX-License-Identifier: MIT */
/*
 * rng.c - seeded GSL streams on the tiersim heap (see rng.h).
 */
#include "rng.h"

#include "mem.h"

/* GSL generators take a 32-bit seed (taus2 and mt19937 use the low 32 bits); fold all 64 in. */
static unsigned long gen_rng_seed(uint64_t seed)
{
    return (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu);
}

gsl_rng *ts_rng_create(uint64_t seed, ts_err_t *err)
{
    const gsl_rng_type *t = gsl_rng_taus2;
    gsl_rng *r = ts_malloc(sizeof(*r));
    void *state = ts_calloc(1, t->size);
    if (!r || !state) {
        ts_free(r);
        ts_free(state);
        ts_err_set(err, TS_ENOMEM, "cannot allocate a random number stream");
        return NULL;
    }
    r->type = t;
    r->state = state;
    gsl_rng_set(r, gen_rng_seed(seed));
    return r;
}

void ts_rng_destroy(gsl_rng *r)
{
    if (!r)
        return;
    ts_free(r->state);
    ts_free(r);
}

void ts_rng_reseed(gsl_rng *r, uint64_t seed)
{
    gsl_rng_set(r, gen_rng_seed(seed));
}
