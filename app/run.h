/* SPDX-License-Identifier: MIT */
/*
 * run.h - runs a scenario end to end: opens the workload, resolves percentage capacities
 * against the workload's footprint, runs the offline pre-pass when a policy needs the
 * future, builds the tiers, replays through the engine and fills a ts_result_t, with the
 * workload's units and, unless cost.enabled is false, the bill (sim/cost.h).
 */
#ifndef TS_APP_RUN_H
#define TS_APP_RUN_H

#include <signal.h>

#include "../sim/util/err.h"
#include "../sim/live.h"
#include "../sim/memtrace.h"
#include "../sim/progress.h"
#include "../sim/result.h"
#include "scenario.h"

/* Runs sc and fills *res (zeroed first, so release an earlier result before reusing it).
 * The result keeps a copy of the scenario's text and overrides, and, when a writer that
 * reads them will write (one flagged TS_REPORT_SERIES, such as hdf5, among outputs.writers,
 * and outputs.dir), the time series outputs.series asks for:
 * free them with ts_result_release. Returns 0 or the first error (err names the tier, key
 * or record); then res owns nothing. Deterministic: the same scenario gives the same
 * counters. */
int ts_run(const ts_scenario_t *sc, ts_result_t *res, ts_err_t *err);

/* What a caller may add to a run; a zeroed struct (or NULL) is a plain ts_run. */
typedef struct ts_run_opts {
    const ts_progress_hook_t *progress; /* called as the engine replays; NULL: none */
    bool has_footprint;                 /* the footprint below is known: skip its pass */
    uint64_t footprint_objects;         /* distinct keys of the (sampled) workload */
    uint64_t footprint_bytes;           /* their bytes, at each key's first size */
    bool series;                        /* sample the time series outputs.series asks for
                                         * even when the scenario writes no result.h5 (the
                                         * caller will: a sweep) */
    const char *raw_device;             /* live engine: the block device a file back-end
                                         * may erase (NULL: none) */
    const volatile sig_atomic_t *stop;  /* live engine: non-zero (a signal's number) stops
                                         * the run, with a partial result; NULL: none */
    const ts_memtrace_t *trace;         /* the scenario's workload already in memory (a
                                         * sweep decodes a shared trace once): read from
                                         * it instead of opening the workload; NULL: open */
    bool trace_future;                  /* trace's next_access fields are filled
                                         * (ts_future_annotate): OPT's pre-pass is done */
    const char *shared_yaml;            /* when it is the scenario's text, the result
                                         * borrows it (is_yaml_shared) rather than copy it:
                                         * the caller keeps it until the result is
                                         * released; NULL: copy */
    bool read_ahead;                    /* fast engine: read the workload on a thread of
                                         * its own when that can pay (sim/readahead.h): a
                                         * run that has the machine to itself */
    uint64_t future_limit_bytes;        /* the most memory the next-access pre-pass of an
                                         * offline policy may hold (sim/future.h); 0: what
                                         * the system reports available */
} ts_run_opts_t;

/* ts_run with opts (NULL: none). A given footprint must be what ts_footprint would find
 * for the scenario's workload (callers running one workload many times measure it once);
 * the counters are then those of ts_run. */
int ts_run_with(const ts_scenario_t *sc, const ts_run_opts_t *opts, ts_result_t *res,
                ts_err_t *err);

/* Whether a run of sc measures its workload's footprint (a capacity given as a share of
 * it, or a bill that prices the central store's contents), unless it is given. */
bool ts_run_needs_footprint(const ts_scenario_t *sc);

/* A workload's footprint (ts_footprint_scan). */
typedef struct ts_footprint {
    uint64_t objects;       /* distinct keys (of gets and puts) */
    uint64_t bytes;         /* their bytes, at each key's first size */
    uint64_t bytes_largest; /* their bytes, at each key's largest size */
    uint64_t largest;       /* the largest object */
    uint64_t requests;      /* requests read (deletes too) */
    ts_live_object_t *kept; /* with ts_footprint_keep: each key at its largest size, in the
                             * order first seen (owned: ts_free it); else NULL */
} ts_footprint_t;

/* ts_footprint_scan keeps the keys and their largest sizes in fp->kept when fp->kept is
 * this on entry (the live engine populates its backing store from them). */
#define ts_footprint_keep ((ts_live_object_t *)1)

/* The footprint of r in one pass (r is reset afterwards). Memory: about 24 bytes per
 * distinct key. Returns 0, the reader's error or TS_ENOMEM (nothing kept then). */
int ts_footprint_scan(ts_reader_t *r, ts_footprint_t *fp, ts_err_t *err);

/* Distinct keys and the bytes they occupy (first size seen for each key), as above;
 * *requests (when not NULL) receives the requests read. */
int ts_footprint(ts_reader_t *r, uint64_t *objects, uint64_t *bytes, uint64_t *requests,
                 ts_err_t *err);

#endif
