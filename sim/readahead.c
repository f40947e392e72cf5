/* SPDX-License-Identifier: MIT */
/*
 * readahead.c - a reader that reads another on a thread of its own (see readahead.h).
 *
 * Blocks form a ring; `made` counts the blocks the thread has filled, `used` those the
 * reader has handed out entirely (both only grow). The thread fills block made % K while
 * made - used < K, and once the ring is full sleeps until half of it is free (a wake-up
 * per K/2 blocks, not per block); the reader reads block used % K while used < made.
 * Each side publishes its counter, then looks whether the other sleeps; a side about to
 * sleep says so, then looks at the other's counter again (both sequentially consistent),
 * so a wake-up cannot be lost. A block that ends with an error or the end of the inner reader is the last the
 * thread fills until a reset.
 */
#include "readahead.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "util/mem.h"

typedef struct ra_block {
    ts_req_t req[TS_READAHEAD_BLOCK];
    size_t n;     /* requests filled */
    int rc;       /* after them: 0, or the inner reader's error */
    bool end;     /* the inner reader ended (or failed) with this block */
    ts_err_t err; /* rc's message */
} ra_block_t;

typedef struct ra_reader {
    ts_reader_t base;         /* must be first */
    ts_reader_t *inner;       /* borrowed; only the thread reads it while it runs */
    ts_reader_info_t info;    /* inner's, taken before the thread starts */
    ra_block_t *blocks;       /* TS_READAHEAD_BLOCKS */
    _Atomic uint64_t made;    /* blocks filled */
    _Atomic uint64_t used;    /* blocks handed out */
    _Atomic bool stop;        /* the thread must end */
    _Atomic bool maker_sleeps, user_sleeps;
    pthread_mutex_t mu;
    pthread_cond_t wake_maker, wake_user;
    pthread_t thread;
    bool running;   /* the thread was started and not joined */
    size_t pos;     /* requests of block used % K already handed out */
    bool finished;  /* the last block (end or error) has been handed out */
} ra_reader_t;

static void ra_wake(ra_reader_t *a, _Atomic bool *sleeps, pthread_cond_t *cv)
{
    if (!atomic_load(sleeps))
        return;
    pthread_mutex_lock(&a->mu);
    pthread_cond_signal(cv);
    pthread_mutex_unlock(&a->mu);
}

static void *ra_thread(void *arg)
{
    ra_reader_t *a = arg;
    for (;;) {
        uint64_t made = atomic_load(&a->made);
        if (made - atomic_load(&a->used) == TS_READAHEAD_BLOCKS) {
            pthread_mutex_lock(&a->mu);
            atomic_store(&a->maker_sleeps, true);
            while (made - atomic_load(&a->used) > TS_READAHEAD_BLOCKS / 2 &&
                   !atomic_load(&a->stop))
                pthread_cond_wait(&a->wake_maker, &a->mu);
            atomic_store(&a->maker_sleeps, false);
            pthread_mutex_unlock(&a->mu);
        }
        if (atomic_load(&a->stop))
            return NULL;
        ra_block_t *b = &a->blocks[made % TS_READAHEAD_BLOCKS];
        ts_err_clear(&b->err);
        b->rc = ts_reader_read(a->inner, b->req, TS_READAHEAD_BLOCK, &b->n, &b->err);
        b->end = b->rc < 0 || b->n == 0;
        atomic_store(&a->made, made + 1);
        ra_wake(a, &a->user_sleeps, &a->wake_user);
        if (b->end)
            return NULL;
    }
}

static int ra_start(ra_reader_t *a, ts_err_t *err)
{
    atomic_store(&a->made, 0);
    atomic_store(&a->used, 0);
    atomic_store(&a->stop, false);
    a->pos = 0;
    a->finished = false;
    int e = pthread_create(&a->thread, NULL, ra_thread, a);
    if (e)
        return ts_err_sys(err, TS_EIO, e, "cannot start the trace read-ahead thread");
    a->running = true;
    return 0;
}

static void ra_stop(ra_reader_t *a)
{
    if (!a->running)
        return;
    atomic_store(&a->stop, true);
    pthread_mutex_lock(&a->mu);
    pthread_cond_signal(&a->wake_maker);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    a->running = false;
}

/* The block to read from next, waiting for the thread to fill it. */
static ra_block_t *ra_current(ra_reader_t *a)
{
    uint64_t used = atomic_load(&a->used);
    if (used == atomic_load(&a->made)) {
        pthread_mutex_lock(&a->mu);
        atomic_store(&a->user_sleeps, true);
        while (used == atomic_load(&a->made))
            pthread_cond_wait(&a->wake_user, &a->mu);
        atomic_store(&a->user_sleeps, false);
        pthread_mutex_unlock(&a->mu);
    }
    return &a->blocks[used % TS_READAHEAD_BLOCKS];
}

static int ra_next_batch(ts_reader_t *r, ts_req_t *reqs, size_t max, size_t *got,
                         ts_err_t *err)
{
    ra_reader_t *a = (ra_reader_t *)r;
    size_t n = 0;
    while (n < max && !a->finished) {
        ra_block_t *b = ra_current(a);
        if (a->pos == b->n) { /* handed out: the end or error it carries, or the next */
            if (b->end) {
                if (n)
                    break; /* the end or error is the next call's */
                a->finished = true;
                if (b->rc < 0) {
                    *got = 0;
                    *err = b->err;
                    return b->rc;
                }
                break;
            }
            a->pos = 0;
            uint64_t used = atomic_load(&a->used) + 1;
            atomic_store(&a->used, used);
            if (atomic_load(&a->made) - used <= TS_READAHEAD_BLOCKS / 2)
                ra_wake(a, &a->maker_sleeps, &a->wake_maker);
            continue;
        }
        size_t take = b->n - a->pos < max - n ? b->n - a->pos : max - n;
        memcpy(reqs + n, b->req + a->pos, take * sizeof(*reqs));
        n += take;
        a->pos += take;
    }
    *got = n;
    return 0;
}

static int ra_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    size_t got;
    int rc = ra_next_batch(r, req, 1, &got, err);
    return rc < 0 ? rc : (int)got;
}

static int ra_reset(ts_reader_t *r, ts_err_t *err)
{
    ra_reader_t *a = (ra_reader_t *)r;
    ra_stop(a);
    int rc = ts_reader_reset(a->inner, err);
    return rc ? rc : ra_start(a, err);
}

static void ra_close(ts_reader_t *r)
{
    ra_reader_t *a = (ra_reader_t *)r;
    if (!a)
        return;
    ra_stop(a);
    pthread_cond_destroy(&a->wake_maker);
    pthread_cond_destroy(&a->wake_user);
    pthread_mutex_destroy(&a->mu);
    ts_free(a->blocks);
    ts_free(a);
}

static void ra_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    *out = ((const ra_reader_t *)r)->info;
}

static const ts_reader_ops_t k_ra_ops = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "read_ahead",
             .summary = "reads another reader on a thread of its own"},
    .next = ra_next,
    .next_batch = ra_next_batch,
    .reset = ra_reset,
    .close = ra_close,
    .info = ra_info,
};

bool ts_readahead_wanted(const ts_reader_t *inner, const ts_reader_ops_t *ops)
{
    if (!inner || inner->ops->units || (ops && ops->units) ||
        (ops && (ops->base.flags & TS_READER_NOT_THREAD_SAFE)))
        return false;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        return CPU_COUNT(&set) >= 2;
    return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

int ts_readahead_open(ts_reader_t *inner, ts_reader_t **out, ts_err_t *err)
{
    *out = NULL;
    ra_reader_t *a = ts_calloc(1, sizeof(*a));
    ra_block_t *blocks = a ? ts_malloc(TS_READAHEAD_BLOCKS * sizeof(*blocks)) : NULL;
    if (!blocks) {
        ts_free(a);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %zu KiB of trace read-ahead",
                          TS_READAHEAD_BLOCKS * sizeof(*blocks) >> 10);
    }
    a->base.ops = &k_ra_ops;
    a->inner = inner;
    a->blocks = blocks;
    ts_reader_info(inner, &a->info);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->wake_maker, NULL);
    pthread_cond_init(&a->wake_user, NULL);
    int rc = ra_start(a, err);
    if (rc) {
        ra_close(&a->base);
        return rc;
    }
    *out = &a->base;
    return 0;
}
