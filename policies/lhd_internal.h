/* SPDX-License-Identifier: MIT */
/*
 * lhd_internal.h - LHD's hit-density model (policies/lhd.c), shared with its test.
 */
#ifndef TS_POLICIES_LHD_INTERNAL_H
#define TS_POLICIES_LHD_INTERNAL_H

#include <stdint.h>

/* Hit densities of one class from its per-age counts of hits and evictions (n_ages >= 1
 * ages; density[n_ages - 1] is left as it was). Walking down from the oldest age with
 * H = hits at ages >= a, E = events (hits + evictions) at ages >= a and L = the sum of E
 * over ages >= a (the space-time an object of age a still spends, summed over outcomes):
 * density[a] = H / L, or 0 when E <= 1e-5. Single-precision, as the authors' simulator. */
void ts__lhd_model(const float *hits, const float *evicts, float *density, uint32_t n_ages);

#endif
