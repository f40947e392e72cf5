/* SPDX-License-Identifier: MIT */
/*
 * sweep.h - a scenario run at every point of a grid of `-s` values, the runs side by side.
 *
 * An axis is "key.path=V1,V2,...": the values one scenario key takes (commas inside {},
 * [] or quotes belong to the value). The scenario may hold axes too, in a `sweep:` map of
 * key paths to lists of values; an axis given here replaces the scenario's of its key,
 * and the others follow the scenario's. The points are the Cartesian product of the axes, numbered with the last axis
 * varying fastest. Point p runs the scenario with the common overrides and then one
 * "key=value" per axis (later overrides win, so an axis may replace a common one).
 *
 * A sweep may run one shard of the points only (p % n_shards == shard), as one task of a job
 * array spread over machines; the shards' results files together hold every point.
 *
 * Every point's scenario is loaded (and checked) before anything runs, so a bad value
 * fails at once, naming the point. The runs then go side by side (sim/par.h), one simulation per thread,
 * each result in its own slot: the results are the same whatever the thread count, and
 * each is exactly what `tiersim run` gives for that point's overrides. When no axis
 * touches the workload (`workload...` or `seed`), its footprint is measured once for all.
 * Memory: a loaded scenario per thread (each point's is loaded again when it runs, then
 * freed), and every point's result (counters, latency histograms, time series; the
 * scenario's text once for all) until the caller writes them out; with a journal (or
 * is_lean) only each point's figures (its ts_result_t without its heap parts, 1.2 KiB on x86-64):
 * the complete result is on disk as soon as the point finishes.
 */
#ifndef TS_APP_SWEEP_H
#define TS_APP_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "../sim/util/err.h"
#include "../sim/progress.h"
#include "../sim/result.h"
#include "par.h"
#include "scenario.h"
#include "sweep_journal.h"

#define TS_SWEEP_MAX_VALUES 1000  /* per axis */
#define TS_SWEEP_MAX_POINTS 100000 /* the product of the axes' lengths */

typedef struct ts_sweep_spec {
    const char *path;                  /* scenario file; NULL: yaml */
    const char *yaml;                  /* scenario text when path is NULL; NULL: built-in */
    const char *const *overrides;      /* "key.path=value", common to every point */
    size_t n_overrides;
    const char *const *axes;           /* "key.path=V1,V2,..." (with the scenario's `sweep:`
                                        * axes, at least one) */
    size_t n_axes;
    bool series;                       /* sample each run's time series (for result.h5) */
    size_t shard, n_shards;            /* run only the points p with p % n_shards == shard
                                        * (a job array's task); n_shards 0 or 1: all */
    int threads;                       /* OpenMP threads; 0: OpenMP's default (ts_par_cap) */
    const ts_par_note_t *threads_note; /* told when fewer threads run than asked; NULL */
    const ts_progress_hook_t *progress; /* requests replayed over all points (of the sum
                                        * of their lengths when known, else 0); NULL: none */
    const ts_progress_hook_t *points;  /* points finished of the points to run; NULL: none */
    const char *journal_dir;           /* records each finished point in the journal there
                                        * (sweep_journal.h) and holds only its figures;
                                        * NULL: no journal */
    bool is_journal_scratch;           /* journal_dir is a scratch directory: the journal
                                        * stays a temporary file a signal removes */
    bool resume;                       /* with journal_dir: the journal there is this
                                        * sweep's; run only the points it lacks */
    bool is_lean;                      /* hold only each run's figures (what the table
                                        * and sweep.csv read), not its heap parts */
    const char *write_dir;             /* writes sweep.csv and result.h5 there (across
                                        * MPI ranks, rank 0), from the journal when there
                                        * is one: on two threads or more, as the points
                                        * finish; NULL: the caller writes them */
} ts_sweep_spec_t;

/* Parses one axis ("key=V1,V2,...") into *out (release with ts_sweep_axis_release).
 * Returns 0 or TS_EPARSE (no '=', an empty key or value, unbalanced brackets), TS_ERANGE
 * (more than TS_SWEEP_MAX_VALUES values) or TS_ENOMEM; err->where is the axis text. */
int ts_sweep_axis_parse(const char *text, ts_sweep_axis_t *out, ts_err_t *err);

/* Runs the sweep. Returns 0 with *out set (free it with ts_sweep_destroy), or an error
 * with *out NULL: an axis's (above; also TS_EINVAL for a key given twice or a shard not
 * below n_shards, TS_ERANGE for more than TS_SWEEP_MAX_AXES axes or TS_SWEEP_MAX_POINTS
 * points), the scenario's (file,
 * key, override) or the first failing point's run, prefixed with the point's number and
 * values, or TS_ENOMEM. */
int ts_sweep_run(const ts_sweep_spec_t *spec, ts_sweep_t **out, ts_err_t *err);

/* ts_sweep_run that hands back the journal (spec->journal_dir) in *journal, for writing
 * the sweep's files from it (ts_sweep_load_run) and removing it after. With spec->resume,
 * also the journal's errors (sweep_journal.h: none there, another sweep's). */
int ts_sweep_run_journal(const ts_sweep_spec_t *spec, ts_sweep_t **out,
                         ts_sweep_journal_t **journal, ts_err_t *err);

/* Loads run i of a sweep back from its journal (ctx): a ts_report_in_t's load_run. */
int ts_sweep_load_run(void *ctx, size_t i, ts_result_t *res, ts_err_t *err);

#endif
