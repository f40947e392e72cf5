/* SPDX-License-Identifier: MIT */
/*
 * ioq.c - the file back-end's I/O queue (ioq_internal.h): one buffer per slot, aligned to
 * 4 KiB, and two ways to move them to and from the file.
 *
 * io_uring: a ring of qd entries (IORING_SETUP_COOP_TASKRUN where the kernel knows it); the
 * file is registered (io_uring_register_files, IOSQE_FIXED_FILE) and the slot buffers too
 * (io_uring_register_buffers, one iovec per slot, READ_FIXED/WRITE_FIXED) where the kernel
 * allows it (registered buffers are pinned: RLIMIT_MEMLOCK may refuse, and more than
 * IOQ_PIN_MAX bytes are not asked for), plain READ/WRITE otherwise. A start only fills a
 * submission entry; the next reap submits every entry filled since the last one in one
 * io_uring_submit (as fio's iodepth_batch does), then peeks the completion ring and waits in
 * the kernel only when it is empty. A caller that starts k requests and then reaps pays one
 * system call for the k, not k. See https://unixism.net/loti/ and liburing's man pages.
 * threads: `threads` workers take slots from a FIFO under one mutex and run pread or
 * pwritev2 (RWF_DSYNC when asked) to the end of the transfer; finished slots go to a second
 * FIFO the reaper waits on (a condition variable on CLOCK_MONOTONIC).
 * The buffers are one block in transparent huge pages from 2 MiB up (ioq_bufs): a 1 MiB read
 * into scattered 4 KiB pages needs 256 segments, and a virtio disk that takes 254 a request
 * splits it in two; in huge pages it is one segment. On such a disk this took 1 MiB
 * sequential reads at queue depth 8 from 1.6-2.9 to 3.6-4.7 GB/s (`make bench-live`).
 * Cost: at most two system calls per reap, whatever the starts before it (io_uring); two lock
 * round trips and a wake-up per request (threads). Memory: qd x buf_bytes.
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../sim/util/mem.h"
#include "ioq_internal.h"

/* valgrind does not see the kernel fill a buffer through io_uring: a read's bytes are
 * marked defined by hand where memcheck's header is present (Debian's valgrind ships it). */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define IOQ_MARK_DEFINED(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#endif
#endif
#ifndef IOQ_MARK_DEFINED
#define IOQ_MARK_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#define IOQ_ALIGN 4096u
#define IOQ_HUGE (2u << 20) /* a transparent huge page on x86-64 and arm64 (4 KiB base) */
/* Slot buffers are registered (pinned in RAM for the ring's life) only up to this many bytes
 * in all, so a tier with huge objects does not lock gigabytes; the kernel's own limit is
 * 1 GiB a buffer, and RLIMIT_MEMLOCK for an unprivileged user. */
#define IOQ_PIN_MAX (256ull << 20)

typedef struct ioq_slot {
    uint64_t bytes, offset; /* the transfer */
    int64_t res;            /* threads: its result once done */
    bool is_write;
} ioq_slot_t;

/* A FIFO of slot numbers (threads path), room for qd. */
typedef struct ioq_fifo {
    unsigned *v;
    unsigned head, n;
} ioq_fifo_t;

struct ts__ioq {
    ts__ioq_cfg_t cfg;
    char *bufs; /* qd x cfg.buf_bytes, aligned */
    ioq_slot_t *slots;
    unsigned inflight;
    unsigned unsubmitted; /* io_uring: entries filled since the last submit */
    char path[160];       /* ts__ioq_path */
    /* io_uring */
    bool is_uring, has_ring, fixed_file, fixed_bufs;
    struct io_uring ring;
    /* threads */
    pthread_t *tids;
    unsigned n_tids;
    bool has_sync, stop;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    ioq_fifo_t todo, fin;
};

static void fifo_push(ioq_fifo_t *f, unsigned qd, unsigned slot)
{
    f->v[(f->head + f->n++) % qd] = slot;
}

static unsigned fifo_pop(ioq_fifo_t *f, unsigned qd)
{
    unsigned s = f->v[f->head];
    f->head = (f->head + 1) % qd;
    f->n--;
    return s;
}

void *ts__ioq_buf(const ts__ioq_t *q, unsigned slot)
{
    return q->bufs + (size_t)slot * q->cfg.buf_bytes;
}

const char *ts__ioq_path(const ts__ioq_t *q)
{
    return q->path;
}

unsigned ts__ioq_inflight(const ts__ioq_t *q)
{
    return q->inflight;
}

/* ---- the threads path ---- */

/* One whole transfer of slot (short transfers continued, EINTR retried): bytes moved or
 * -errno. */
static int64_t ioq_transfer(ts__ioq_t *q, unsigned slot)
{
    const ioq_slot_t *s = &q->slots[slot];
    char *buf = ts__ioq_buf(q, slot);
    uint64_t done = 0;
    while (done < s->bytes) {
        ssize_t n;
        if (s->is_write) {
            struct iovec iov = {buf + done, s->bytes - done};
            n = pwritev2(q->cfg.fd, &iov, 1, (off_t)(s->offset + done),
                         q->cfg.dsync ? RWF_DSYNC : 0);
        } else {
            n = pread(q->cfg.fd, buf + done, s->bytes - done, (off_t)(s->offset + done));
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break; /* end of file: a short read, the caller's to judge */
        done += (uint64_t)n;
    }
    return (int64_t)done;
}

static void *ioq_worker(void *arg)
{
    ts__ioq_t *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->todo.n && !q->stop)
            pthread_cond_wait(&q->work, &q->mu);
        if (!q->todo.n) /* stopping, nothing left */
            break;
        unsigned slot = fifo_pop(&q->todo, q->cfg.qd);
        pthread_mutex_unlock(&q->mu);
        int64_t res = ioq_transfer(q, slot);
        pthread_mutex_lock(&q->mu);
        q->slots[slot].res = res;
        fifo_push(&q->fin, q->cfg.qd, slot);
        pthread_cond_signal(&q->done);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static int ioq_threads_open(ts__ioq_t *q, ts_err_t *err)
{
    unsigned n = q->cfg.threads < q->cfg.qd ? q->cfg.threads : q->cfg.qd;
    q->todo.v = ts_calloc(q->cfg.qd, sizeof(unsigned));
    q->fin.v = ts_calloc(q->cfg.qd, sizeof(unsigned));
    q->tids = ts_calloc(n, sizeof(pthread_t));
    if (!q->todo.v || !q->fin.v || !q->tids)
        return ts_err_set(err, TS_ENOMEM, "I/O queue: out of memory for %u threads", n);
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return ts_err_set(err, TS_ENOMEM, "I/O queue: cannot make a condition variable");
    bool ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0;
    bool has_mu = ok && pthread_mutex_init(&q->mu, NULL) == 0;
    bool has_work = has_mu && pthread_cond_init(&q->work, &ca) == 0;
    bool has_done = has_work && pthread_cond_init(&q->done, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!has_done) {
        if (has_work)
            pthread_cond_destroy(&q->work);
        if (has_mu)
            pthread_mutex_destroy(&q->mu);
        return ts_err_set(err, TS_ENOMEM, "I/O queue: cannot make a mutex and two condition "
                                          "variables");
    }
    q->has_sync = true;
    for (; q->n_tids < n; q->n_tids++) {
        int rc = pthread_create(&q->tids[q->n_tids], NULL, ioq_worker, q);
        if (rc != 0)
            return ts_err_sys(err, TS_ENOMEM, rc, "I/O queue: cannot start thread %u of %u",
                              q->n_tids + 1, n);
    }
    return 0;
}

static int ioq_threads_reap(ts__ioq_t *q, unsigned *slots, int64_t *res, int max,
                            uint64_t wait_ns)
{
    pthread_mutex_lock(&q->mu);
    if (!q->fin.n && wait_ns > 0) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        uint64_t ns = (uint64_t)until.tv_nsec + wait_ns % 1000000000u;
        until.tv_sec += (time_t)(wait_ns / 1000000000u + ns / 1000000000u);
        until.tv_nsec = (long)(ns % 1000000000u);
        while (!q->fin.n) {
            if (wait_ns == UINT64_MAX)
                pthread_cond_wait(&q->done, &q->mu);
            else if (pthread_cond_timedwait(&q->done, &q->mu, &until) == ETIMEDOUT)
                break;
        }
    }
    int n = 0;
    for (; n < max && q->fin.n; n++) {
        slots[n] = fifo_pop(&q->fin, q->cfg.qd);
        res[n] = q->slots[slots[n]].res;
    }
    pthread_mutex_unlock(&q->mu);
    return n;
}

/* ---- the io_uring path ---- */

/* Sets q up on io_uring; returns 0 or the negative errno of io_uring_queue_init. */
static int ioq_uring_open(ts__ioq_t *q)
{
    int rc = io_uring_queue_init(q->cfg.qd, &q->ring, IORING_SETUP_COOP_TASKRUN);
    if (rc == -EINVAL) /* a kernel before 5.19 */
        rc = io_uring_queue_init(q->cfg.qd, &q->ring, 0);
    if (rc < 0)
        return rc;
    q->has_ring = q->is_uring = true;
    q->fixed_file = io_uring_register_files(&q->ring, &q->cfg.fd, 1) == 0;
    struct iovec *iov = (uint64_t)q->cfg.qd * q->cfg.buf_bytes <= IOQ_PIN_MAX
                            ? ts_calloc(q->cfg.qd, sizeof(*iov))
                            : NULL;
    if (iov) { /* too many bytes to pin, or no memory for the list: plain buffers */
        for (unsigned i = 0; i < q->cfg.qd; i++)
            iov[i] = (struct iovec){ts__ioq_buf(q, i), q->cfg.buf_bytes};
        q->fixed_bufs = io_uring_register_buffers(&q->ring, iov, q->cfg.qd) == 0;
        ts_free(iov);
    }
    snprintf(q->path, sizeof(q->path), "io_uring%s",
             q->fixed_file && q->fixed_bufs ? " (registered file and buffers)"
             : q->fixed_file               ? " (registered file)"
             : q->fixed_bufs               ? " (registered buffers)"
                                           : "");
    return 0;
}

static int ioq_uring_start(ts__ioq_t *q, unsigned slot, ts_err_t *err)
{
    const ioq_slot_t *s = &q->slots[slot];
    struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);
    if (!sqe) /* cannot happen: the ring has qd entries and at most qd are in flight */
        return ts_err_set(err, TS_EIO, "I/O queue: the submission ring is full");
    int fd = q->fixed_file ? 0 : q->cfg.fd;
    void *buf = ts__ioq_buf(q, slot);
    unsigned len = (unsigned)s->bytes;
    if (q->fixed_bufs && s->is_write)
        io_uring_prep_write_fixed(sqe, fd, buf, len, s->offset, (int)slot);
    else if (q->fixed_bufs)
        io_uring_prep_read_fixed(sqe, fd, buf, len, s->offset, (int)slot);
    else if (s->is_write)
        io_uring_prep_write(sqe, fd, buf, len, s->offset);
    else
        io_uring_prep_read(sqe, fd, buf, len, s->offset);
    if (q->fixed_file)
        sqe->flags |= IOSQE_FIXED_FILE;
    if (s->is_write && q->cfg.dsync)
        sqe->rw_flags = RWF_DSYNC;
    io_uring_sqe_set_data64(sqe, slot);
    q->unsubmitted++;
    return 0;
}

static int ioq_uring_reap(ts__ioq_t *q, unsigned *slots, int64_t *res, int max,
                          uint64_t wait_ns, ts_err_t *err)
{
    while (q->unsubmitted) { /* the starts since the last reap, in one system call */
        int rc = io_uring_submit(&q->ring);
        if (rc == -EINTR)
            continue;
        if (rc == -EAGAIN || rc == -EBUSY || rc == 0) { /* the kernel is short: try again at */
            wait_ns = 0;                                /* the next reap, without waiting */
            break;
        }
        if (rc < 0)
            return ts_err_sys(err, TS_EIO, -rc, "I/O queue: io_uring_submit failed");
        q->unsubmitted -= (unsigned)rc < q->unsubmitted ? (unsigned)rc : q->unsubmitted;
    }
    struct io_uring_cqe *cqe;
    if (io_uring_peek_cqe(&q->ring, &cqe) != 0 && wait_ns > 0) {
        int rc;
        if (wait_ns == UINT64_MAX) {
            while ((rc = io_uring_wait_cqe(&q->ring, &cqe)) == -EINTR)
                ;
        } else {
            struct __kernel_timespec ts = {.tv_sec = (long long)(wait_ns / 1000000000u),
                                           .tv_nsec = (long long)(wait_ns % 1000000000u)};
            rc = io_uring_wait_cqe_timeout(&q->ring, &cqe, &ts);
            if (rc == -ETIME || rc == -EINTR)
                return 0;
        }
        if (rc < 0)
            return ts_err_sys(err, TS_EIO, -rc, "I/O queue: waiting for io_uring completions "
                                                "failed");
    }
    int n = 0;
    unsigned head;
    io_uring_for_each_cqe(&q->ring, head, cqe)
    {
        if (n == max)
            break;
        slots[n] = (unsigned)io_uring_cqe_get_data64(cqe);
        res[n] = cqe->res;
        if (cqe->res > 0 && !q->slots[slots[n]].is_write)
            IOQ_MARK_DEFINED(ts__ioq_buf(q, slots[n]), (size_t)cqe->res);
        n++;
    }
    io_uring_cq_advance(&q->ring, (unsigned)n);
    return n;
}

/* ---- the queue ---- */

/* The slot buffers, one block: aligned to 4 KiB, and from 2 MiB up in transparent huge pages
 * where the kernel gives them (MADV_HUGEPAGE), so that a large transfer is a few physically
 * contiguous segments rather than one per 4 KiB page (a block device may take no more than
 * ~254 segments a request: a 1 MiB read in 4 KiB pages is split in two). */
static int ioq_bufs(ts__ioq_t *q)
{
    size_t bytes = (size_t)q->cfg.qd * q->cfg.buf_bytes;
    size_t align = bytes >= IOQ_HUGE ? IOQ_HUGE : IOQ_ALIGN;
    bytes = (bytes + align - 1) / align * align;
    if (posix_memalign((void **)&q->bufs, align, bytes) != 0)
        return TS_ENOMEM;
    if (align == IOQ_HUGE)
        (void)madvise(q->bufs, bytes, MADV_HUGEPAGE); /* a hint: 4 KiB pages otherwise */
    return 0;
}

int ts__ioq_open(const ts__ioq_cfg_t *cfg, ts__ioq_t **out, ts_err_t *err)
{
    *out = NULL;
    ts__ioq_t *q = ts_calloc(1, sizeof(*q));
    if (!q)
        return ts_err_set(err, TS_ENOMEM, "I/O queue: out of memory");
    q->cfg = *cfg;
    int rc = 0;
    q->slots = ts_calloc(cfg->qd, sizeof(*q->slots));
    if (!q->slots)
        rc = ts_err_set(err, TS_ENOMEM, "I/O queue: out of memory for %u slots", cfg->qd);
    else if (ioq_bufs(q) != 0)
        rc = ts_err_set(err, TS_ENOMEM, "I/O queue: no memory for %u buffers of %llu bytes",
                        cfg->qd, (unsigned long long)cfg->buf_bytes);
    int uring = 0;
    if (!rc && cfg->kind != TS__IOQ_THREADS && (uring = ioq_uring_open(q)) < 0 &&
        cfg->kind == TS__IOQ_URING)
        rc = ts_err_sys(err, TS_EUNSUPPORTED, -uring, "io_uring cannot be set up "
                                                      "(io_uring_queue_init of %u entries)",
                        cfg->qd);
    if (!rc && !q->is_uring) {
        if (uring < 0)
            snprintf(q->path, sizeof(q->path), "threads (io_uring unavailable: %s)",
                     strerror(-uring));
        else
            snprintf(q->path, sizeof(q->path), "threads");
        rc = ioq_threads_open(q, err);
    }
    if (rc) {
        ts__ioq_close(q);
        return rc;
    }
    *out = q;
    return 0;
}

void ts__ioq_close(ts__ioq_t *q)
{
    if (!q)
        return;
    if (q->has_ring) { /* what is in flight lands first: the kernel may write the buffers */
        unsigned slots[16];
        int64_t res[16];
        while (q->inflight && ts__ioq_reap(q, slots, res, 16, UINT64_MAX, NULL) > 0)
            ;
        io_uring_queue_exit(&q->ring);
    }
    if (q->has_sync) {
        pthread_mutex_lock(&q->mu);
        q->stop = true;
        pthread_cond_broadcast(&q->work);
        pthread_mutex_unlock(&q->mu);
        for (unsigned i = 0; i < q->n_tids; i++)
            pthread_join(q->tids[i], NULL);
        pthread_cond_destroy(&q->work);
        pthread_cond_destroy(&q->done);
        pthread_mutex_destroy(&q->mu);
    }
    ts_free(q->tids);
    ts_free(q->todo.v);
    ts_free(q->fin.v);
    free(q->bufs);
    ts_free(q->slots);
    ts_free(q);
}

int ts__ioq_start(ts__ioq_t *q, unsigned slot, bool is_write, uint64_t bytes, uint64_t offset,
                  ts_err_t *err)
{
    q->slots[slot] = (ioq_slot_t){.bytes = bytes, .offset = offset, .is_write = is_write};
    if (q->is_uring) {
        int rc = ioq_uring_start(q, slot, err);
        if (rc)
            return rc;
    } else {
        pthread_mutex_lock(&q->mu);
        fifo_push(&q->todo, q->cfg.qd, slot);
        pthread_cond_signal(&q->work);
        pthread_mutex_unlock(&q->mu);
    }
    q->inflight++;
    return 0;
}

int ts__ioq_reap(ts__ioq_t *q, unsigned *slots, int64_t *res, int max, uint64_t wait_ns,
                 ts_err_t *err)
{
    if (!q->inflight || max <= 0)
        return 0;
    int n = q->is_uring ? ioq_uring_reap(q, slots, res, max, wait_ns, err)
                        : ioq_threads_reap(q, slots, res, max, wait_ns);
    if (n > 0)
        q->inflight -= (unsigned)n;
    return n;
}
