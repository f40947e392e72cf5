/* SPDX-License-Identifier: MIT */
/*
 * par.c - independent simulations side by side under OpenMP (see par.h).
 */
#include "par.h"

#include <stdio.h>
#include <unistd.h>

#include <hdf5.h>
#include <omp.h>

int ts_par_cap(int asked, size_t n, char *why, size_t size)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    long t = asked > 0 ? asked : omp_get_max_threads(), by_cpu = TS_PAR_CPU_FACTOR * cpus;
    if (why && size)
        why[0] = 0;
    if (n > 0 && (size_t)t > n) {
        t = (long)n;
        if (why && size)
            snprintf(why, size, "%zu point%s", n, n == 1 ? "" : "s");
    }
    if (t > by_cpu && by_cpu <= TS_PAR_MAX_THREADS) {
        t = by_cpu;
        if (why && size)
            snprintf(why, size, "%d x %ld online CPU%s", TS_PAR_CPU_FACTOR, cpus,
                     cpus == 1 ? "" : "s");
    }
    if (t > TS_PAR_MAX_THREADS) {
        t = TS_PAR_MAX_THREADS;
        if (why && size)
            snprintf(why, size, "at most %d", TS_PAR_MAX_THREADS);
    }
    return t < 1 ? 1 : (int)t;
}

int ts_par_cap_note(int asked, size_t n, const ts_par_note_t *note)
{
    char why[64];
    int base = asked > 0 ? asked : omp_get_max_threads();
    int used = ts_par_cap(asked, n, why, sizeof(why));
    if (why[0] && note && note->fn)
        note->fn(note->ctx, base, used, why);
    return used;
}

/* The next job of a loop run by ts_par_run: its counter's value, counted up. */
static size_t par_next(void *counter)
{
    size_t i;
#pragma omp atomic capture
    i = (*(size_t *)counter)++;
    return i;
}

int ts_par_run(size_t n, int threads, ts_par_job_fn job, void *ctx, ts_err_t *err)
{
    size_t counter = 0, failed;
    return ts_par_run_dealt(n, threads, par_next, &counter, job, ctx, &failed, err);
}

int ts_par_threads(int threads, const ts_scenario_t *sc)
{
    int n = threads > 0 ? threads : omp_get_max_threads();
    hbool_t is_safe = 0;
    /* the readers flagged so are those of HDF5 files: safe when the library is built so */
    if ((sc->workload.reader->base.flags & TS_READER_NOT_THREAD_SAFE) &&
        (H5is_library_threadsafe(&is_safe) < 0 || !is_safe))
        n = 1;
    return n;
}

static void par_slot_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)total;
    ts_par_slot_report(ctx, done);
}

const ts_progress_hook_t *ts_par_slot_init(ts_par_slot_t *s, ts_par_progress_t *p)
{
    *s = (ts_par_slot_t){.p = p, .hook = {par_slot_progress, s}};
    return p->hook ? &s->hook : NULL;
}

void ts_par_slot_report(ts_par_slot_t *s, uint64_t done)
{
    ts_par_progress_t *p = s->p;
    if (!p->hook)
        return;
    uint64_t delta = done - s->last;
    s->last = done;
#pragma omp critical(ts_par_progress)
    {
        p->done += delta;
        if (delta || p->done == 0)
            p->hook->fn(p->hook->ctx, p->done, p->total);
    }
}

int ts_par_run_dealt(size_t n, int threads, size_t (*next)(void *), void *deal,
                     ts_par_job_fn job, void *ctx, size_t *failed, ts_err_t *err)
{
    size_t fail_at = n;
    int fail_rc = 0, is_failed = 0;
    ts_err_t fail_err = {0};
    threads = ts_par_cap(threads, n, NULL, 0);
#pragma omp parallel num_threads(threads)
    for (;;) {
        int stop;
#pragma omp atomic read
        stop = is_failed;
        size_t i = stop ? n : next(deal);
        if (i >= n)
            break;
        ts_err_t e = {0};
        int rc = job(ctx, i, &e);
        if (rc) {
#pragma omp critical(ts_par_fail)
            {
                if (i < fail_at) {
                    fail_at = i;
                    fail_rc = rc;
                    fail_err = e;
                }
            }
#pragma omp atomic write
            is_failed = 1;
        }
    }
    *failed = fail_at;
    if (!fail_rc)
        return 0;
    if (err && !err->code)
        *err = fail_err;
    return fail_rc;
}
