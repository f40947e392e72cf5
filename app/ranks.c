/* SPDX-License-Identifier: MIT */
/*
 * ranks.c - the MPI ranks of a sweep across machines (see ranks.h), or, in a build
 * without MPI, the one process standing for rank 0 of 1.
 */
#include "ranks.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/util/mem.h"

#ifdef TS_HAVE_MPI
#include <mpi.h>
#include <pthread.h>
#include <time.h>

#define TAG_ASK 71  /* a rank's thread asks for its next point */
#define TAG_DEAL 72 /* rank 0 answers with it */

static bool g_started;
static int g_rank, g_size = 1;
static char g_library[MPI_MAX_LIBRARY_VERSION_STRING + 64];

struct ts_mpi_deal {
    size_t n;
    size_t next;     /* rank 0: the next point to hand out (atomic) */
    bool ended;      /* another rank: it was told there are no points left (atomic) */
    pthread_t coord; /* rank 0: answers the other ranks */
    bool has_coord;
    int coord_rc;    /* the coordinator's MPI failure, 0 when none */
};

/* Launched by an MPI launcher: its environment says how many ranks there are. */
static bool ranks_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

int ts_mpi_start(int *argc, char ***argv, ts_err_t *err)
{
    if (!ranks_launched())
        return 0;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return ts_err_set(err, TS_EIO, "MPI did not start (MPI_Init_thread)");
    g_started = true;
    if (provided < MPI_THREAD_SERIALIZED) {
        ts_mpi_stop();
        return ts_err_set(err, TS_EIO, "the MPI library allows calls from one thread only; a "
                                       "sweep needs MPI_THREAD_SERIALIZED");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    return 0;
}

void ts_mpi_stop(void)
{
    if (g_started)
        MPI_Finalize();
    g_started = false;
}

int ts_mpi_rank(void)
{
    return g_rank;
}

int ts_mpi_size(void)
{
    return g_size;
}

const char *ts_mpi_library(void)
{
    char v[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0;
    MPI_Get_library_version(v, &len);
    char *nl = strchr(v, ','); /* "Open MPI v4.1.4, package: ...": its name and version */
    if (nl)
        *nl = 0;
    snprintf(g_library, sizeof(g_library), "MPI: %s (sweeps across ranks with mpirun)", v);
    return g_library;
}

/* Rank 0's coordinator: answers each request of another rank with the next point, until
 * every other rank has been told that none is left. Waits by polling (100 us naps), so it
 * does not take a core from the rank's own threads. */
static void *ranks_coordinate(void *arg)
{
    ts_mpi_deal_t *d = arg;
    int ended = 0;
    while (ended < g_size - 1) {
        unsigned char ask;
        MPI_Request req;
        MPI_Status st;
        int done = 0;
        if (MPI_Irecv(&ask, 1, MPI_BYTE, MPI_ANY_SOURCE, TAG_ASK, MPI_COMM_WORLD, &req) !=
            MPI_SUCCESS) {
            d->coord_rc = TS_EIO;
            return NULL;
        }
        while (!done) {
            MPI_Test(&req, &done, &st);
            if (!done) {
                struct timespec nap = {0, 100000};
                nanosleep(&nap, NULL);
            }
        }
        uint64_t v = __atomic_fetch_add(&d->next, 1, __ATOMIC_RELAXED);
        MPI_Send(&v, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_DEAL, MPI_COMM_WORLD);
        if (v >= d->n)
            ended++;
    }
    return NULL;
}

int ts_mpi_deal_start(size_t n, ts_mpi_deal_t **out, ts_err_t *err)
{
    ts_mpi_deal_t *d = ts_calloc(1, sizeof(*d));
    if (!d)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the points' dealer");
    d->n = n;
    if (g_rank == 0 && g_size > 1) {
        if (pthread_create(&d->coord, NULL, ranks_coordinate, d) != 0) {
            ts_free(d);
            return ts_err_set(err, TS_EIO, "cannot start the thread that deals points to ranks");
        }
        d->has_coord = true;
    }
    *out = d;
    return 0;
}

size_t ts_mpi_deal_next(void *deal)
{
    ts_mpi_deal_t *d = deal;
    if (g_rank == 0)
        return __atomic_fetch_add(&d->next, 1, __ATOMIC_RELAXED);
    if (__atomic_load_n(&d->ended, __ATOMIC_ACQUIRE))
        return d->n;
    uint64_t v = d->n;
#pragma omp critical(ts_mpi_calls)
    {
        if (!d->ended) {
            unsigned char ask = 1;
            MPI_Send(&ask, 1, MPI_BYTE, 0, TAG_ASK, MPI_COMM_WORLD);
            MPI_Recv(&v, 1, MPI_UINT64_T, 0, TAG_DEAL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (v >= d->n)
                __atomic_store_n(&d->ended, true, __ATOMIC_RELEASE);
        }
    }
    return v >= d->n ? d->n : (size_t)v;
}

int ts_mpi_deal_end(ts_mpi_deal_t *d, ts_err_t *err)
{
    while (g_rank != 0 && ts_mpi_deal_next(d) < d->n)
        ; /* a rank that stopped early (an error) still takes its end, so rank 0 can stop */
    int rc = 0;
    if (d->has_coord) {
        pthread_join(d->coord, NULL);
        if (d->coord_rc)
            rc = ts_err_set(err, TS_EIO, "MPI failed while dealing points to the ranks");
    }
    ts_free(d);
    return rc;
}

int ts_mpi_agree(int rc, size_t failed, ts_err_t *err)
{
    if (g_size == 1)
        return rc;
    struct {
        long val;
        int rank;
    } in = {rc ? (long)(failed < (size_t)LONG_MAX ? failed : (size_t)LONG_MAX - 1) : LONG_MAX,
            g_rank},
      out;
    MPI_Allreduce(&in, &out, 1, MPI_LONG_INT, MPI_MINLOC, MPI_COMM_WORLD);
    if (out.val == LONG_MAX)
        return 0;
    struct {
        int rc;
        ts_err_t err;
    } msg = {rc, {0}};
    if (g_rank == out.rank && err)
        msg.err = *err;
    MPI_Bcast(&msg, (int)sizeof(msg), MPI_BYTE, out.rank, MPI_COMM_WORLD);
    if (err)
        *err = msg.err;
    return msg.rc;
}

void ts_mpi_barrier(void)
{
    if (g_size > 1)
        MPI_Barrier(MPI_COMM_WORLD);
}

void ts_mpi_bcast(void *buf, size_t n)
{
    if (g_size > 1 && n)
        MPI_Bcast(buf, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
}

#else /* one process: rank 0 of 1 */

struct ts_mpi_deal {
    size_t n, next;
};

int ts_mpi_start(int *argc, char ***argv, ts_err_t *err)
{
    (void)argc;
    (void)argv;
    (void)err;
    return 0;
}

void ts_mpi_stop(void)
{
}

int ts_mpi_rank(void)
{
    return 0;
}

int ts_mpi_size(void)
{
    return 1;
}

const char *ts_mpi_library(void)
{
    return "MPI: none (built without it: install libopenmpi-dev, or run make deps, and "
           "rebuild for sweeps across ranks)";
}

int ts_mpi_deal_start(size_t n, ts_mpi_deal_t **out, ts_err_t *err)
{
    ts_mpi_deal_t *d = ts_calloc(1, sizeof(*d));
    if (!d)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the points' dealer");
    d->n = n;
    *out = d;
    return 0;
}

size_t ts_mpi_deal_next(void *deal)
{
    ts_mpi_deal_t *d = deal;
    return __atomic_fetch_add(&d->next, 1, __ATOMIC_RELAXED);
}

int ts_mpi_deal_end(ts_mpi_deal_t *d, ts_err_t *err)
{
    (void)err;
    ts_free(d);
    return 0;
}

int ts_mpi_agree(int rc, size_t failed, ts_err_t *err)
{
    (void)failed;
    (void)err;
    return rc;
}

void ts_mpi_barrier(void)
{
}

void ts_mpi_bcast(void *buf, size_t n)
{
    (void)buf;
    (void)n;
}

#endif
