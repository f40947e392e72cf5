/* SPDX-License-Identifier: MIT */
/*
 * par.h - independent simulations side by side: an OpenMP loop over n jobs, one per
 * thread at a time, with deterministic errors and one progress count over them all.
 *
 * Jobs are handed out in index order (dynamic schedule). After a failure no new job
 * starts, and the failure of the lowest index is the one reported, so the outcome does not
 * depend on the thread count. Each job must write only its own slot of the caller's
 * arrays; a job is one single-threaded, deterministic simulation.
 */
#ifndef TS_APP_PAR_H
#define TS_APP_PAR_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/util/err.h"
#include "progress.h"
#include "scenario.h"

/* Job i of a loop: 0 or an error in err (a job's own, never shared). */
typedef int (*ts_par_job_fn)(void *ctx, size_t i, ts_err_t *err);

#define TS_PAR_MAX_THREADS 1024 /* threads of one loop, whatever is asked */
#define TS_PAR_CPU_FACTOR 4      /* and at most this many per online CPU */

/* The threads a loop of n jobs runs on: asked (<= 0: OpenMP's default, which
 * OMP_NUM_THREADS sets) lowered to n, to TS_PAR_CPU_FACTOR x the online CPUs and to
 * TS_PAR_MAX_THREADS; at least 1. (An OpenMP runtime asked for 100000 threads crashes.)
 * When asked was lowered, why (size bytes; may be NULL) says to what: "2 points",
 * "4 x 4 online CPUs", "at most 1024"; else it is "". */
int ts_par_cap(int asked, size_t n, char *why, size_t size);

/* Told once by a driver (mrc, sweep) when it runs on fewer threads than asked (NULL: not
 * told): asked and used are counts, why as ts_par_cap gives it. */
typedef struct ts_par_note {
    void (*fn)(void *ctx, int asked, int used, const char *why);
    void *ctx;
} ts_par_note_t;

/* ts_par_cap for a driver: the threads to run n jobs on, told to note (may be NULL) when
 * lowered. */
int ts_par_cap_note(int asked, size_t n, const ts_par_note_t *note);

/* Runs job(ctx, i) for i in [0, n) on `threads` threads (0: OpenMP's default), capped by
 * ts_par_cap. Returns 0, or the code of the failed job of the lowest index, its error
 * copied into err. */
int ts_par_run(size_t n, int threads, ts_par_job_fn job, void *ctx, ts_err_t *err);

/* ts_par_run over the jobs that next(deal) hands out (thread-safe; n or above: none left),
 * as a sweep across MPI ranks deals them (ranks.h). *failed gets the lowest job that
 * failed here, or n. */
int ts_par_run_dealt(size_t n, int threads, size_t (*next)(void *), void *deal,
                     ts_par_job_fn job, void *ctx, size_t *failed, ts_err_t *err);

/* The threads to use for runs of sc: `threads` (0: OpenMP's default), or 1 when its
 * workload's reader is flagged TS_READER_NOT_THREAD_SAFE (it reads through HDF5) and the
 * HDF5 library is not built thread-safe. */
int ts_par_threads(int threads, const ts_scenario_t *sc);

/* One progress count over many jobs: each job reports its own requests done through a
 * ts_par_slot_t's hook, and the sum over all jobs goes to `hook` (out of `total`), from any
 * thread but never from two at once. */
typedef struct ts_par_progress {
    const ts_progress_hook_t *hook; /* where the sum goes; NULL: nowhere */
    uint64_t done;                  /* requests over all jobs so far */
    uint64_t total;                 /* requests of all jobs */
} ts_par_progress_t;

typedef struct ts_par_slot {
    ts_par_progress_t *p;
    uint64_t last;           /* this job's requests already counted */
    ts_progress_hook_t hook; /* hand this to the job's run */
} ts_par_slot_t;

/* A job's slot of p; its hook is NULL-safe to hand on (NULL when p has no hook). */
const ts_progress_hook_t *ts_par_slot_init(ts_par_slot_t *s, ts_par_progress_t *p);

/* Counts the job's requests up to `done` (from its last report on). */
void ts_par_slot_report(ts_par_slot_t *s, uint64_t done);

#endif
