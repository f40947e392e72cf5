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

#include "ktab.h"
#include "mem.h"

typedef struct future_slot {
    uint64_t key;  /* request key */
    uint64_t next; /* index + 1 of the latest request to key seen so far; 0: empty slot */
} future_slot_t;

typedef struct future_map {
    future_slot_t *slot; /* 2^k slots */
    uint64_t mask;       /* slots - 1 */
    uint64_t n;          /* keys stored */
} future_map_t;

static int future_map_alloc(future_map_t *m, uint64_t nslots, ts_err_t *err)
{
    m->slot = ts_calloc(nslots, sizeof(*m->slot));
    if (!m->slot)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a next-access map of %llu slots",
                          (unsigned long long)nslots);
    m->mask = nslots - 1;
    return 0;
}

static int future_map_grow(future_map_t *m, ts_err_t *err)
{
    future_map_t old = *m;
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

int ts_future_annotate(ts_req_t *reqs, size_t n, ts_err_t *err)
{
    if (n == 0)
        return 0;
    if ((uint64_t)n >= TS_REQ_NEVER)
        return ts_err_set(err, TS_ERANGE, "too many requests to annotate: %zu", n);
    future_map_t m = {0};
    /* Start near the expected number of distinct keys; growth covers the rest. */
    uint64_t nslots = 1024;
    while (nslots < n / 4 && nslots < (1u << 22))
        nslots <<= 1;
    int rc = future_map_alloc(&m, nslots, err);
    if (rc)
        return rc;
    for (size_t i = n; i-- > 0;) {
        uint64_t key = reqs[i].key;
        uint64_t j = ts_hash64(key) & m.mask;
        for (;;) {
            future_slot_t *s = &m.slot[j];
            if (!s->next) {
                if ((m.n + 1) * 2 > m.mask + 1) {
                    if ((rc = future_map_grow(&m, err)) != 0)
                        goto out;
                    j = ts_hash64(key) & m.mask;
                    continue;
                }
                s->key = key;
                s->next = (uint64_t)i + 1;
                m.n++;
                reqs[i].next_access = TS_REQ_NEVER;
                break;
            }
            if (s->key == key) {
                reqs[i].next_access = s->next - 1;
                s->next = (uint64_t)i + 1;
                break;
            }
            j = (j + 1) & m.mask;
        }
    }
out:
    ts_free(m.slot);
    return rc;
}
