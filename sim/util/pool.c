/* SPDX-License-Identifier: MIT */
/*
 * pool.c - id-addressed node pool (see pool.h). Grows by half again each time.
 * Invariant: n_live <= hwm <= cap, and the free list holds the hwm - n_live ids handed out
 * and not live (ts_pool_check walks it; debug builds assert the ends on every call).
 */
#include "pool.h"

#include <string.h>

#include "check.h"
#include "mem.h"

int ts_pool_init(ts_pool_t *p, size_t stride, uint32_t initial, ts_err_t *err)
{
    memset(p, 0, sizeof(*p));
    p->free_head = TS_POOL_NONE;
    if (stride < 12)
        return ts_err_set(err, TS_EINVAL, "pool nodes must be at least 12 bytes, not %zu",
                          stride);
    p->stride = stride;
    if (initial < 16)
        initial = 16;
    p->base = ts_malloc((size_t)initial * stride);
    if (!p->base)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %u nodes", initial);
    p->cap = initial;
    return 0;
}

void ts_pool_free_all(ts_pool_t *p)
{
    ts_free(p->base);
    memset(p, 0, sizeof(*p));
    p->free_head = TS_POOL_NONE;
}

int ts_pool_reserve(ts_pool_t *p, uint32_t n, ts_err_t *err)
{
    if (n <= p->cap)
        return 0;
    uint64_t ncap = (uint64_t)p->cap + p->cap / 2 + 16;
    if (ncap < n)
        ncap = n;
    if (ncap >= TS_POOL_NONE)
        ncap = TS_POOL_NONE - 1;
    if (ncap < n)
        return ts_err_set(err, TS_ENOMEM, "more than %u objects in one pool", (unsigned)ncap);
    char *nb = ts_realloc(p->base, (size_t)ncap * p->stride);
    if (!nb)
        return ts_err_set(err, TS_ENOMEM, "cannot grow a pool to %llu nodes",
                          (unsigned long long)ncap);
    p->base = nb;
    p->cap = (uint32_t)ncap;
    return 0;
}

uint32_t ts_pool_alloc(ts_pool_t *p, ts_err_t *err)
{
    uint32_t id = p->free_head;
    if (id != TS_POOL_NONE) {
        TS_ASSERT(id < p->hwm && p->n_live < p->hwm);
        memcpy(&p->free_head, (char *)ts_pool_at(p, id) + 8, sizeof(uint32_t));
        p->n_live++;
        return id;
    }
    if (p->hwm == p->cap) {
        uint64_t ncap = (uint64_t)p->cap + p->cap / 2 + 16;
        if (ncap >= TS_POOL_NONE)
            ncap = TS_POOL_NONE - 1;
        if (ncap <= p->cap) {
            ts_err_set(err, TS_ENOMEM, "more than %u objects in one pool", p->cap);
            return TS_POOL_NONE;
        }
        char *nb = ts_realloc(p->base, (size_t)ncap * p->stride);
        if (!nb) {
            ts_err_set(err, TS_ENOMEM, "cannot grow a pool to %llu nodes",
                       (unsigned long long)ncap);
            return TS_POOL_NONE;
        }
        p->base = nb;
        p->cap = (uint32_t)ncap;
    }
    p->n_live++;
    return p->hwm++;
}

void ts_pool_release(ts_pool_t *p, uint32_t id)
{
    TS_ASSERT(id < p->hwm && p->n_live > 0);
    memcpy((char *)ts_pool_at(p, id) + 8, &p->free_head, sizeof(uint32_t));
    p->free_head = id;
    p->n_live--;
}

int ts_pool_check(const ts_pool_t *p, ts_err_t *err)
{
    if (p->n_live > p->hwm || p->hwm > p->cap)
        return ts_err_set(err, TS_EINTERNAL, "pool: %u live of %u handed out, %u allocated",
                          p->n_live, p->hwm, p->cap);
    uint32_t n_free = p->hwm - p->n_live, k = 0;
    for (uint32_t id = p->free_head; id != TS_POOL_NONE; k++) {
        if (k == n_free)
            return ts_err_set(err, TS_EINTERNAL,
                              "pool: the free list is longer than the %u free ids (a cycle, "
                              "or an id freed twice)",
                              n_free);
        if (id >= p->hwm)
            return ts_err_set(err, TS_EINTERNAL, "pool: free id %u was never handed out (%u were)",
                              id, p->hwm);
        memcpy(&id, (const char *)ts_pool_at(p, id) + 8, sizeof(uint32_t));
    }
    if (k != n_free)
        return ts_err_set(err, TS_EINTERNAL, "pool: %u ids on the free list, %u expected", k,
                          n_free);
    return 0;
}
