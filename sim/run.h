/* SPDX-License-Identifier: MIT */
/*
 * run.h - runs a scenario end to end: opens the workload, resolves percentage capacities
 * against the workload's footprint, runs the offline pre-pass when a policy needs the
 * future, builds the tiers, replays through the engine and fills a ts_result_t, with the
 * workload's units and, unless cost.enabled is false, the bill (sim/cost.h).
 */
#ifndef TS_SIM_RUN_H
#define TS_SIM_RUN_H

#include "err.h"
#include "result.h"
#include "scenario.h"

/* Runs sc and fills *res (zeroed first, so release an earlier result before reusing it).
 * The result keeps a copy of the scenario's text and overrides, and, when result.h5 will
 * be written (outputs.hdf5 and outputs.dir), the time series outputs.series asks for:
 * free them with ts_result_release. Returns 0 or the first error (err names the tier, key
 * or record); then res owns nothing. Deterministic: the same scenario gives the same
 * counters. */
int ts_run(const ts_scenario_t *sc, ts_result_t *res, ts_err_t *err);

/* Distinct keys and the bytes they occupy (first size seen for each key) in one pass over
 * r, which is reset afterwards. Memory: about 24 bytes per distinct key.
 * Returns 0, the reader's error or TS_ENOMEM. */
int ts_footprint(ts_reader_t *r, uint64_t *objects, uint64_t *bytes, ts_err_t *err);

#endif
