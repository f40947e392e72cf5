/* SPDX-License-Identifier: MIT */
/*
 * ranks.h - sweeps across machines: the ranks of `mpirun -n R tiersim sweep ...`.
 *
 * Built with MPI when CMake finds it (OpenMPI from Debian's libopenmpi-dev); without it
 * every call here is a single-process stand-in (rank 0 of 1) and `tiersim version` says
 * so. MPI is started only when the process was launched by an MPI launcher (its
 * environment names a world size), so a plain `tiersim` never touches it.
 *
 * Points are dealt dynamically: rank 0 keeps the next point's number, hands it to its own
 * threads through an atomic counter and to the other ranks' threads through a coordinator
 * thread of its own that answers their requests (one message each way), so a rank asks
 * for the next point when it finishes one, whatever the points cost. Calls from several
 * threads of a rank are serialised here (MPI_THREAD_SERIALIZED is asked for).
 */
#ifndef TS_APP_RANKS_H
#define TS_APP_RANKS_H

#include <stdbool.h>
#include <stddef.h>

#include "../sim/util/err.h"

/* Starts MPI when the process was launched by mpirun (else nothing). Returns 0 or TS_EIO. */
int ts_mpi_start(int *argc, char ***argv, ts_err_t *err);
/* Ends MPI when it was started. */
void ts_mpi_stop(void);

int ts_mpi_rank(void); /* 0 without MPI */
int ts_mpi_size(void); /* 1 without MPI */

/* What this build has, for `tiersim version`: "Open MPI v4.1.4, ...", or a line saying
 * it was built without MPI. */
const char *ts_mpi_library(void);

/* Dealing points 0..n-1 over every rank's threads. Collective: every rank calls start and
 * end. */
typedef struct ts_mpi_deal ts_mpi_deal_t;
int ts_mpi_deal_start(size_t n, ts_mpi_deal_t **out, ts_err_t *err);
/* The next point for the calling thread; n and above: none left. Thread-safe. */
size_t ts_mpi_deal_next(void *deal);
/* Waits until every rank has had its last point; frees d. Returns 0 or TS_EIO. */
int ts_mpi_deal_end(ts_mpi_deal_t *d, ts_err_t *err);

/* Every rank's outcome made one (collective): rc and failed (the lowest point that failed
 * here, or SIZE_MAX) from each rank; returns the code of the lowest failed point over all
 * ranks, with its error copied into err on every rank, or 0. A rank whose rc is an error
 * not tied to a point passes failed 0. */
int ts_mpi_agree(int rc, size_t failed, ts_err_t *err);

void ts_mpi_barrier(void);

/* Rank 0's n bytes at buf to every rank (collective). */
void ts_mpi_bcast(void *buf, size_t n);

#endif
