/* SPDX-License-Identifier: MIT */
/*
 * run_internal.h - what run.c hands to run_live.c: the live engine's part of a run.
 */
#ifndef TS_APP_RUN_INTERNAL_H
#define TS_APP_RUN_INTERNAL_H

#include "../sim/hier.h"
#include "../sim/reader.h"
#include "../sim/result.h"
#include "run.h"
#include "scenario.h"

/* The timed engine's prediction of sc's live run (its trace times divided by live.speed),
 * into res->timed. Returns 0 or the timed run's error. */
int ts__run_live_prediction(const ts_scenario_t *sc, ts_result_t *res, ts_err_t *err);

/* Opens sc's back-ends (after checking that the memory and the scratch directory have room
 * for them), runs the live engine over h and r into res->live, and closes them. Returns 0
 * (also for a run stopped early: res->live.partial), or the first error. */
int ts__run_live(const ts_scenario_t *sc, ts_hier_t *h, ts_reader_t *r, const ts_run_opts_t *opts,
                 ts_result_t *res, ts_err_t *err);

#endif
