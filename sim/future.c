/* SPDX-License-Identifier: MIT */
/*
 * future.c - next-access annotation (see future.h).
 *
 * Walks the requests from last to first with an open-addressing map key -> index of the
 * latest request seen so far (that is, the next one in trace order). Slots hold the key
 * and index + 1 (0 marks an empty slot) side by side, so a probe touches one cache line;
 * the map doubles at 50% load and is never shrunk. The walk prefetches the slot of the key
 * FUTURE_AHEAD requests further on, so the map's cache misses overlap. Cost: O(n) expected.
 */
#include "future.h"

#include <stdint.h>

#include "util/ktab.h"
#include "util/mem.h"
#include "util/units.h"

#define FUTURE_AHEAD 16 /* requests between a slot's prefetch and its probe */

static int future_map_alloc(ts_future_t *m, uint64_t nslots, ts_err_t *err)
{
    m->slot = ts_calloc(nslots, sizeof(*m->slot));
    if (!m->slot)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a next-access map of %llu slots",
                          (unsigned long long)nslots);
    m->mask = nslots - 1;
    return 0;
}

static int future_map_grow(ts_future_t *m, ts_err_t *err)
{
    ts_future_t old = *m;
    int rc = future_map_alloc(m, (old.mask + 1) * 2, err);
    if (rc) {
        *m = old;
        return rc;
    }
    for (uint64_t i = 0; i <= old.mask; i++) {
        if (!old.slot[i].next)
            continue;
        uint64_t j = ts_hash64(old.slot[i].key) & m->mask;
        while (m->slot[j].next)
            j = (j + 1) & m->mask;
        m->slot[j] = old.slot[i];
    }
    ts_free(old.slot);
    return 0;
}

int ts_future_init(ts_future_t *f, uint64_t n_hint, ts_err_t *err)
{
    f->slot = NULL;
    f->n = 0;
    /* Start near the expected number of distinct keys; growth covers the rest. */
    uint64_t nslots = 1024;
    while (nslots < n_hint / 4 && nslots < (1u << 22))
        nslots <<= 1;
    return future_map_alloc(f, nslots, err);
}

void ts_future_free(ts_future_t *f)
{
    ts_free(f->slot);
    f->slot = NULL;
}

int ts_future_step(ts_future_t *f, uint64_t key, uint64_t i, uint64_t *next, ts_err_t *err)
{
    uint64_t j = ts_hash64(key) & f->mask;
    for (;;) {
        ts_future_slot_t *s = &f->slot[j];
        if (!s->next) {
            if ((f->n + 1) * 2 > f->mask + 1) {
                int rc = future_map_grow(f, err);
                if (rc)
                    return rc;
                j = ts_hash64(key) & f->mask;
                continue;
            }
            s->key = key;
            s->next = i + 1;
            f->n++;
            *next = TS_REQ_NEVER;
            return 0;
        }
        if (s->key == key) {
            *next = s->next - 1;
            s->next = i + 1;
            return 0;
        }
        j = (j + 1) & f->mask;
    }
}

int ts_future_annotate(ts_req_t *reqs, size_t n, ts_err_t *err)
{
    if (n == 0)
        return 0;
    if ((uint64_t)n >= TS_REQ_NEVER)
        return ts_err_set(err, TS_ERANGE, "too many requests to annotate: %zu", n);
    ts_future_t f;
    int rc = ts_future_init(&f, n, err);
    for (size_t i = n; rc == 0 && i-- > 0;) {
        /* The map is far larger than the caches: bring in the slot a later step probes. */
        if (i >= FUTURE_AHEAD)
            __builtin_prefetch(&f.slot[ts_hash64(reqs[i - FUTURE_AHEAD].key) & f.mask]);
        rc = ts_future_step(&f, reqs[i].key, i, &reqs[i].next_access, err);
    }
    ts_future_free(&f);
    return rc;
}

/* ---- the two-pass replay reader ---- */

/* Pass 1 keeps each request's key in next[i]; the backward pass overwrites it in place
 * with the request's next access, so the array is the only per-request memory. */
typedef struct future_reader {
    ts_reader_t base;     /* must be first */
    ts_reader_t *src;     /* borrowed */
    uint64_t *next;       /* next[i]: request i's next access (TS_REQ_NEVER: none) */
    uint64_t n;           /* requests in the first pass */
    uint64_t i;           /* requests handed out since the last reset */
    uint64_t sum_first;   /* order-sensitive digest of the first pass's keys */
    uint64_t sum_replay;  /* the same over the requests handed out since the last reset */
    uint64_t limit_bytes; /* the most memory the pre-pass may hold */
} future_reader_t;

static inline uint64_t future_digest(uint64_t sum, uint64_t key)
{
    return ts_hash64(sum ^ key) + 0x9e3779b97f4a7c15ULL;
}

/* need: bytes, at least, for the fr->n requests counted so far. */
static int future_refuse(const future_reader_t *fr, uint64_t need, ts_err_t *err)
{
    char a[32], b[32];
    return ts_err_set(err, TS_ENOMEM,
                      "the next-access pre-pass of an offline policy needs at least %s (%u "
                      "bytes per request, %llu requests, and a map of the distinct keys), "
                      "but %s of memory is available",
                      ts_format_size(need, 1, a, sizeof(a)),
                      (unsigned)sizeof(*fr->next), (unsigned long long)fr->n,
                      ts_format_size(fr->limit_bytes, 1, b, sizeof(b)));
}

/* Pass 1: every key, in order, into next[]. */
static int future_read_keys(future_reader_t *fr, uint64_t hint, ts_err_t *err)
{
    uint64_t cap = 0;
    ts_req_t q;
    int rc;
    while ((rc = ts_reader_next(fr->src, &q, err)) > 0) {
        if (fr->n == cap) {
            uint64_t ncap = fr->n < hint ? hint : cap + cap / 2 + 4096;
            if (ncap >= TS_REQ_NEVER / sizeof(*fr->next))
                return ts_err_set(err, TS_ERANGE, "too many requests to annotate: %llu",
                                  (unsigned long long)fr->n);
            uint64_t room = fr->limit_bytes / sizeof(*fr->next);
            ncap = ncap < room ? ncap : room;
            if (ncap <= fr->n) {
                fr->n++;
                return future_refuse(fr, fr->n * sizeof(*fr->next), err);
            }
            uint64_t *nn = ts_realloc(fr->next, (size_t)ncap * sizeof(*nn));
            if (!nn)
                return ts_err_set(err, TS_ENOMEM, "cannot hold the keys of %llu requests "
                                  "(%zu bytes each)", (unsigned long long)ncap, sizeof(*nn));
            fr->next = nn;
            cap = ncap;
        }
        fr->sum_first = future_digest(fr->sum_first, q.key);
        fr->next[fr->n++] = q.key;
    }
    return rc;
}

/* Pass 1's backward half: keys become next accesses, the map kept within the limit. */
static int future_fill(future_reader_t *fr, ts_err_t *err)
{
    ts_future_t f;
    int rc = ts_future_init(&f, fr->n, err);
    uint64_t start = rc ? 0 : fr->n * sizeof(*fr->next) + (f.mask + 1) * sizeof(*f.slot);
    if (start > fr->limit_bytes) /* the map's first slots */
        rc = future_refuse(fr, start, err);
    for (uint64_t i = fr->n; rc == 0 && i-- > 0;) {
        if ((f.n + 1) * 2 > f.mask + 1) { /* the map would grow: old and new slots at once */
            uint64_t need = fr->n * sizeof(*fr->next) + (f.mask + 1) * 3 * sizeof(*f.slot);
            if (need > fr->limit_bytes)
                rc = future_refuse(fr, need, err);
        }
        if (i >= FUTURE_AHEAD) /* still a key: the walk has not reached it */
            __builtin_prefetch(&f.slot[ts_hash64(fr->next[i - FUTURE_AHEAD]) & f.mask]);
        if (rc == 0)
            rc = ts_future_step(&f, fr->next[i], i, &fr->next[i], err);
    }
    ts_future_free(&f);
    return rc;
}

static int future_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    future_reader_t *fr = (future_reader_t *)r;
    int rc = ts_reader_next(fr->src, req, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (fr->i != fr->n || fr->sum_replay != fr->sum_first)
            return ts_err_set(err, TS_EINTERNAL,
                              "the workload read differently the second time (%llu requests "
                              "then %llu, or other keys): OPT needs a workload that replays "
                              "exactly",
                              (unsigned long long)fr->n, (unsigned long long)fr->i);
        return 0;
    }
    if (fr->i == fr->n)
        return ts_err_set(err, TS_EINTERNAL,
                          "the workload gave more than its %llu requests the second time",
                          (unsigned long long)fr->n);
    fr->sum_replay = future_digest(fr->sum_replay, req->key);
    req->next_access = fr->next[fr->i++];
    return 1;
}

static int future_reset(ts_reader_t *r, ts_err_t *err)
{
    future_reader_t *fr = (future_reader_t *)r;
    fr->i = 0;
    fr->sum_replay = 0;
    return ts_reader_reset(fr->src, err);
}

static void future_close(ts_reader_t *r)
{
    future_reader_t *fr = (future_reader_t *)r;
    if (!fr)
        return;
    ts_free(fr->next);
    ts_free(fr);
}

static void future_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    const future_reader_t *fr = (const future_reader_t *)r;
    ts_reader_info(fr->src, out);
    out->n_requests = fr->n;
}

static void future_units(const ts_reader_t *r, ts_reader_units_t *out)
{
    ts_reader_units(((const future_reader_t *)r)->src, out);
}

static const ts_reader_ops_t k_future_ops = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "next_access",
             .summary = "replays another reader with each request's next access"},
    .next = future_next,
    .reset = future_reset,
    .close = future_close,
    .info = future_info,
    .units = future_units,
};

int ts_future_reader(ts_reader_t *src, uint64_t limit_bytes, ts_reader_t **out, ts_err_t *err)
{
    *out = NULL;
    future_reader_t *fr = ts_calloc(1, sizeof(*fr));
    if (!fr)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the next-access reader");
    fr->base.ops = &k_future_ops;
    fr->src = src;
    fr->limit_bytes = limit_bytes ? limit_bytes : ts_mem_available_bytes();
    if (!fr->limit_bytes)
        fr->limit_bytes = UINT64_MAX; /* the system does not say */
    ts_reader_info_t info;
    ts_reader_info(src, &info);
    int rc = 0;
    if (info.n_requests > fr->limit_bytes / sizeof(*fr->next)) {
        fr->n = info.n_requests;
        uint64_t need = fr->n > UINT64_MAX / sizeof(*fr->next) ? UINT64_MAX
                                                               : fr->n * sizeof(*fr->next);
        rc = future_refuse(fr, need, err);
        fr->n = 0;
    }
    if (rc == 0)
        rc = future_read_keys(fr, info.n_requests, err);
    if (rc == 0)
        rc = future_fill(fr, err);
    if (rc == 0)
        rc = ts_reader_reset(src, err);
    if (rc) {
        future_close(&fr->base);
        return rc;
    }
    *out = &fr->base;
    return 0;
}
