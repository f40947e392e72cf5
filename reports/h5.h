/* SPDX-License-Identifier: MIT */
/*
 * h5.h - the HDF5 results file: one file per run or per sweep, written atomically and read
 * back into ts_result_t (for `tiersim report`, plots and HTML).
 *
 * Layout (every group, dataset, column, unit and attribute in docs/results-hdf5.md): the root
 * carries format "tiersim-results", schema, tiersim_version and runs; each run is a group
 * /runs/NNNN (0000, 0001, ...; four digits, more past 9999) holding its scenario (YAML text
 * and overrides), tiers, totals, hierarchy, timed figures with latency histograms, time
 * series, and (reserved) cost. A single run's file has /runs/0000 only. Files open in h5py
 * and pandas without tiersim, and are deterministic: no object holds a time stamp and wall
 * times are not stored.
 */
#ifndef TS_REPORTS_H5_H
#define TS_REPORTS_H5_H

#include <stddef.h>

#include "../sim/util/err.h"
#include "../sim/result.h"

/* Writes res as the one run of a results file at path, through a temporary file beside it
 * renamed into place. Returns 0, TS_EINVAL (NULL argument), TS_ENOENT (no such
 * directory), TS_ENOSPC (disk or quota full), TS_EIO (any other write error; sys_errno
 * says which) or TS_ENOMEM; on failure nothing is left at path and no temporary file
 * remains. The file is built in memory first (its size: a few hundred KiB a run). */
int ts_report_h5(const ts_result_t *res, const char *path, ts_err_t *err);

/* The bytes of the results file of the one run res, built in memory: *image (free with
 * ts_free), *size. Not thread-safe (HDF5 is not): callers on many threads take turns.
 * Returns 0, TS_ENOMEM or TS_EIO. */
int ts_report_h5_bytes(const ts_result_t *res, void **image, size_t *size, ts_err_t *err);

/* The same for n >= 1 runs (a sweep): runs[i] becomes /runs/<i, four digits>. */
int ts_report_h5_runs(const ts_result_t *const *runs, size_t n, const char *path, ts_err_t *err);

/* ---- reading ---- */

typedef struct ts_result_h5 ts_result_h5_t;

/* Opens a results file. Returns 0; TS_ENOENT / TS_EIO (cannot open), TS_EFORMAT (not
 * HDF5, or no root attribute format = "tiersim-results"), TS_EUNSUPPORTED (a newer schema),
 * TS_ENOMEM. Messages name the file. Close with ts_result_h5_close (accepts NULL). */
int ts_result_h5_open(const char *path, ts_result_h5_t **out, ts_err_t *err);
void ts_result_h5_close(ts_result_h5_t *f);

/* The same for a results file's bytes in memory (size bytes at image, left unchanged; they
 * must outlive *out), named name in messages. */
int ts_result_h5_open_image(const void *image, size_t size, const char *name,
                            ts_result_h5_t **out, ts_err_t *err);

/* Runs the file holds. */
size_t ts_result_h5_runs(const ts_result_h5_t *f);

/* Reads run i into *res (zeroed first): every figure the writer stored, the time series,
 * the latency histograms and the scenario's text and overrides (wall_s is 0: not stored).
 * Release with ts_result_release. Returns 0; TS_ERANGE (no run i); TS_EFORMAT naming the
 * object that is missing or malformed ("'f.h5': /runs/0000/tiers: no column 'hits'");
 * TS_ENOMEM. On failure res owns nothing. */
int ts_result_h5_read(ts_result_h5_t *f, size_t i, ts_result_t *res, ts_err_t *err);

#endif
