/* SPDX-License-Identifier: MIT */
/*
 * sweep_journal.h - a sweep's journal: every finished point's complete result on disk, so a
 * killed sweep keeps them and `tiersim sweep --resume` runs only the others.
 *
 * The journal is DIR/.sweep-journal beside the sweep's files. It opens with a text header
 * that names the sweep: the scenario (its source and a 64-bit hash of its text), each `-s`
 * override (its key and a hash of its value), each axis (its key, its number of values and
 * a hash of them, in order) and the shard. Then one record per finished point, appended
 * and fdatasync'ed as the point finishes: a 32-byte head (magic "TSJREC01", the point's
 * number, the record's compressed and plain sizes) and the point's results file (result.h5
 * of that one run, the same bytes `tiersim run` writes) as a zstd frame with its checksum.
 * A record cut short or damaged (the process killed while writing it) ends the journal:
 * resuming cuts it off and runs that point again. The journal is created complete (header
 * through a temporary file renamed into place) and removed once sweep.csv and result.h5
 * are in place. Until it holds a record it is in the process's live table, so a signal
 * that interrupts a sweep before any point finished removes it with the other temporary
 * files; afterwards it stays (a SIGTERM at a time limit keeps the finished points).
 *
 * Appending is safe from many threads (one record at a time); records are built in turns,
 * as HDF5 is not thread-safe. A record is durable before its add returns, but the points
 * that finish while an fdatasync runs share the next one (group commit), and taking in a
 * rank's journal syncs once for all its records. Cost: a few KiB of disk a point; at most
 * one fdatasync a point.
 */
#ifndef TS_APP_SWEEP_JOURNAL_H
#define TS_APP_SWEEP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "../sim/result.h"
#include "../sim/util/err.h"

#define TS_SWEEP_JOURNAL ".sweep-journal" /* its name in the output directory */

typedef struct ts_sweep_journal ts_sweep_journal_t;

/* What names a sweep in its journal's header. */
typedef struct ts_sweep_journal_id {
    const char *source;           /* the scenario's file or "<built-in>" */
    const char *text;             /* its text (NULL: none) */
    const char *const *overrides; /* "key=value", in order */
    size_t n_overrides;
    const ts_sweep_t *sweep;      /* its axes, grid and shard */
    bool is_scratch;              /* in a scratch directory: a temporary file a signal
                                   * removes even once it holds points */
} ts_sweep_journal_id_t;

/* Starts the journal of the sweep id in dir (created with its parents when missing),
 * replacing a journal there (never anything but a regular file). Returns 0 with *out set,
 * or TS_ENOENT, TS_ENOSPC, TS_EIO (naming the file) or TS_ENOMEM. */
int ts_sweep_journal_create(const char *dir, const ts_sweep_journal_id_t *id,
                            ts_sweep_journal_t **out, ts_err_t *err);

/* Opens dir's journal to resume the sweep id: checks that its header names the same
 * sweep, reads every complete record and cuts off a damaged tail. Returns 0 with *out set,
 * TS_ENOENT (no journal: nothing to resume), TS_EINVAL (the journal is of another sweep:
 * the message names the scenario, the `-s` key, the axis or the shard that differs),
 * TS_EFORMAT (not a journal), TS_EIO or TS_ENOMEM. */
int ts_sweep_journal_resume(const char *dir, const ts_sweep_journal_id_t *id,
                            ts_sweep_journal_t **out, ts_err_t *err);

/* The same two under another file name in dir: a rank's own journal in a sweep across MPI
 * ranks is TS_SWEEP_JOURNAL "." and its rank (.sweep-journal.1, ...). */
int ts_sweep_journal_create_as(const char *dir, const char *name,
                               const ts_sweep_journal_id_t *id, ts_sweep_journal_t **out,
                               ts_err_t *err);
int ts_sweep_journal_resume_as(const char *dir, const char *name,
                               const ts_sweep_journal_id_t *id, ts_sweep_journal_t **out,
                               ts_err_t *err);

/* Moves the records of every rank's journal in j's directory (.sweep-journal.N, of the
 * same sweep id) that j lacks into j, then removes those files. Returns 0, the error of a
 * journal of another sweep (as resume gives it), TS_EIO or TS_ENOMEM. */
int ts_sweep_journal_absorb(ts_sweep_journal_t *j, const ts_sweep_journal_id_t *id,
                            ts_err_t *err);

/* Removes the rank journals (.sweep-journal.N, regular files only) in dir: a new sweep
 * there starts without them. Returns 0 or TS_EIO. */
int ts_sweep_journal_clear_ranks(const char *dir, ts_err_t *err);

/* Whether run i (of the sweep's runs) has its record. */
bool ts_sweep_journal_has(const ts_sweep_journal_t *j, size_t i);

/* Records run i's result res (durable when this returns 0). Thread-safe. Returns 0, or
 * TS_ENOSPC, TS_EIO (naming the journal) or TS_ENOMEM. */
int ts_sweep_journal_add(ts_sweep_journal_t *j, size_t i, const ts_result_t *res,
                         ts_err_t *err);

/* HDF5 is not thread-safe: records are built holding j's lock on it, and a thread that
 * uses HDF5 while points finish (reads records back, writes the sweep's result.h5) holds
 * it too, with these. */
void ts_sweep_journal_hold_hdf5(ts_sweep_journal_t *j);
void ts_sweep_journal_release_hdf5(ts_sweep_journal_t *j);

/* Reads run i's result back into *res (zeroed first; release it with ts_result_release).
 * Returns 0, TS_ERANGE (no record), TS_EFORMAT (a damaged record), TS_EIO or TS_ENOMEM. */
int ts_sweep_journal_read(ts_sweep_journal_t *j, size_t i, ts_result_t *res, ts_err_t *err);

/* Removes the journal's file (its results are in the sweep's files now, or the sweep that
 * started it failed), unless another process has put its own at its path. */
void ts_sweep_journal_remove(ts_sweep_journal_t *j);

void ts_sweep_journal_close(ts_sweep_journal_t *j); /* accepts NULL */

#endif
