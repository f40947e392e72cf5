/* SPDX-License-Identifier: MIT */
/*
 * memtrace.c - in-memory trace and its replay reader (see memtrace.h).
 * The array grows by half again each time: amortised O(1) per push.
 */
#include "memtrace.h"

#include <string.h>

#include "util/mem.h"

int ts_memtrace_create(ts_memtrace_t **out, ts_err_t *err)
{
    *out = ts_calloc(1, sizeof(**out));
    return *out ? 0 : ts_err_set(err, TS_ENOMEM, "cannot allocate an in-memory trace");
}

void ts_memtrace_destroy(ts_memtrace_t *mt)
{
    if (!mt)
        return;
    ts_free(mt->reqs);
    ts_free(mt);
}

int ts_memtrace_push(ts_memtrace_t *mt, const ts_req_t *r, ts_err_t *err)
{
    if (mt->n == mt->cap) {
        size_t ncap = mt->cap + mt->cap / 2 + 1024;
        ts_req_t *nr = ts_realloc(mt->reqs, ncap * sizeof(*nr));
        if (!nr)
            return ts_err_set(err, TS_ENOMEM, "cannot hold %zu requests in memory", ncap);
        mt->reqs = nr;
        mt->cap = ncap;
    }
    mt->reqs[mt->n++] = *r;
    return 0;
}

int ts_memtrace_load(ts_reader_t *src, uint64_t limit, ts_memtrace_t **out, ts_err_t *err)
{
    ts_memtrace_t *mt;
    int rc = ts_memtrace_create(&mt, err);
    if (rc)
        return rc;
    ts_reader_info_t info;
    ts_reader_info(src, &info);
    if (info.n_requests) {
        size_t want = (size_t)(limit && limit < info.n_requests ? limit : info.n_requests);
        mt->reqs = ts_malloc(want * sizeof(ts_req_t));
        if (!mt->reqs) {
            ts_memtrace_destroy(mt);
            return ts_err_set(err, TS_ENOMEM, "cannot hold %zu requests in memory", want);
        }
        mt->cap = want;
    }
    ts_req_t r;
    while (!limit || mt->n < limit) {
        rc = ts_reader_next(src, &r, err);
        if (rc <= 0)
            break;
        rc = ts_memtrace_push(mt, &r, err);
        if (rc)
            break;
    }
    if (rc < 0) {
        ts_memtrace_destroy(mt);
        return rc;
    }
    *out = mt;
    return 0;
}

/* ---- replay reader ---- */

typedef struct memrd {
    ts_reader_t base;
    const ts_memtrace_t *mt; /* borrowed */
    size_t pos;
} memrd_t;

static int memrd_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    memrd_t *m = (memrd_t *)r;
    (void)err;
    if (m->pos >= m->mt->n)
        return 0;
    *req = m->mt->reqs[m->pos++];
    return 1;
}

static int memrd_next_batch(ts_reader_t *r, ts_req_t *reqs, size_t max, size_t *got,
                            ts_err_t *err)
{
    memrd_t *m = (memrd_t *)r;
    (void)err;
    size_t n = m->mt->n - m->pos < max ? m->mt->n - m->pos : max;
    memcpy(reqs, m->mt->reqs + m->pos, n * sizeof(*reqs));
    m->pos += n;
    *got = n;
    return 0;
}

static int memrd_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    ((memrd_t *)r)->pos = 0;
    return 0;
}

static void memrd_close(ts_reader_t *r)
{
    ts_free(r);
}

static void memrd_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    out->n_requests = ((const memrd_t *)r)->mt->n;
}

static int memrd_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                      ts_err_t *err)
{
    (void)params;
    (void)ctx;
    *out = NULL;
    return ts_err_set(err, TS_EUNSUPPORTED, "in-memory traces are opened with ts_memtrace_reader");
}

static const ts_reader_ops_t k_memrd_ops = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "memory",
             .summary = "requests held in memory"},
    .open = memrd_open,
    .next = memrd_next,
    .next_batch = memrd_next_batch,
    .reset = memrd_reset,
    .close = memrd_close,
    .info = memrd_info,
};

int ts_memtrace_reader(const ts_memtrace_t *mt, ts_reader_t **out, ts_err_t *err)
{
    memrd_t *m = ts_calloc(1, sizeof(*m));
    *out = NULL;
    if (!m)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a memory reader");
    m->base.ops = &k_memrd_ops;
    m->mt = mt;
    *out = &m->base;
    return 0;
}
