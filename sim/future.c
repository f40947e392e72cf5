/* SPDX-License-Identifier: MIT */
/*
 * future.c - next-access annotation (see future.h).
 *
 * Walks the requests from last to first with an open-addressing map key -> index of the
 * latest request seen so far (that is, the next one in trace order). Slots hold the key
 * and index + 1 (0 marks an empty slot) side by side, so a probe touches one cache line;
 * the map doubles at 50% load and is never shrunk. Cost: O(n) expected.
 */
#include "future.h"

#include <stdint.h>

#include "util/ktab.h"
#include "util/mem.h"

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
    for (size_t i = n; rc == 0 && i-- > 0;)
        rc = ts_future_step(&f, reqs[i].key, i, &reqs[i].next_access, err);
    ts_future_free(&f);
    return rc;
}
