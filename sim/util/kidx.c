/* SPDX-License-Identifier: MIT */
/*
 * kidx.c - compact tagged open-addressing index (see kidx.h).
 *
 * Backward-shift deletion as in ktab.c: after emptying slot i, walk the run that follows;
 * an entry at j whose home lies cyclically outside (i, j] moves back into i, and i becomes
 * j. The slot's distance field says where its home is; only an entry 15 or more slots from
 * home (or every entry, in a table without the field) has its node's key hashed.
 */
#include "kidx.h"

#include <string.h>

#include "check.h"
#include "mem.h"

#define KIDX_MIN_SLOTS 16
#define KIDX_DBITS 4 /* bits of the distance field */

static uint64_t kidx_slots_for(uint64_t expected, uint32_t load_pct)
{
    uint64_t n = KIDX_MIN_SLOTS;
    while (n * load_pct / 100 < expected + 1)
        n <<= 1;
    return n;
}

/* Bits that hold every id + 1 up to max_id + 1. */
static uint32_t kidx_bits_for(uint64_t max_id)
{
    uint32_t b = 1;
    while (b < 32 && (max_id + 1) >> b)
        b++;
    return b;
}

/* The distance from home of entry s at slot j: from its field when below the field's
 * largest value, else from its node's key. */
static uint64_t kidx_dist(const ts_kidx_t *t, uint32_t s, uint64_t j, const ts_pool_t *pool)
{
    if (t->dmax) { /* idbits <= 28 */
        uint32_t d = (s >> t->idbits) & t->dmax;
        if (d < t->dmax)
            return d;
    }
    uint64_t home = ts_kidx_home(t, ts_kidx_hash(ts_kidx_key(pool, (s & t->idmask) - 1)));
    return (j - home) & t->mask;
}

/* s with its distance field set to d (saturating). */
static uint32_t kidx_with_dist(const ts_kidx_t *t, uint32_t s, uint64_t d)
{
    if (!t->dmax)
        return s;
    uint32_t f = d < t->dmax ? (uint32_t)d : t->dmax;
    return (s & ~(t->dmax << t->idbits)) | f << t->idbits;
}

static void kidx_place(ts_kidx_t *t, uint64_t key, uint32_t id)
{
    uint64_t h = ts_kidx_hash(key);
    uint64_t i = ts_kidx_home(t, h), d = 0;
    while (t->slot[i]) {
        i = (i + 1) & t->mask;
        d++;
    }
    t->slot[i] = kidx_with_dist(t, ts_kidx_tag(t, h) | (id + 1), d);
}

/* A table of nslots slots with idbits id bits holding the entries of t. */
static int kidx_rebuild(ts_kidx_t *t, uint64_t nslots, uint32_t idbits, const ts_pool_t *pool,
                        ts_err_t *err)
{
    uint32_t *slot = ts_calloc(nslots, sizeof(uint32_t));
    if (!slot)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate an index of %llu slots",
                          (unsigned long long)nslots);
    ts_kidx_t old = *t;
    t->slot = slot;
    t->mask = nslots - 1;
    t->hshift = 64 - (uint32_t)__builtin_ctzll(nslots);
    t->grow_at = nslots * t->load_pct / 100;
    t->idbits = idbits;
    t->idmask = (uint32_t)((1ULL << idbits) - 1);
    t->dmax = idbits + KIDX_DBITS <= 32 ? (1u << KIDX_DBITS) - 1 : 0;
    t->tshift = idbits + (t->dmax ? KIDX_DBITS : 0);
    t->tagmask = (uint32_t)((0xFFFFFFFFULL >> t->tshift) << t->tshift);
    if (old.slot)
        for (uint64_t i = 0; i <= old.mask; i++)
            if (old.slot[i]) {
                uint32_t id = (old.slot[i] & old.idmask) - 1;
                kidx_place(t, ts_kidx_key(pool, id), id);
            }
    ts_free(old.slot);
    return 0;
}

int ts_kidx_init(ts_kidx_t *t, uint64_t expected, uint32_t load_pct, ts_err_t *err)
{
    memset(t, 0, sizeof(*t));
    if (load_pct < 50 || load_pct > 90)
        return ts_err_set(err, TS_EINVAL, "an index fills 50%% to 90%% of its slots, not %u%%",
                          load_pct);
    t->load_pct = load_pct;
    return kidx_rebuild(t, kidx_slots_for(expected, load_pct), kidx_bits_for(expected), NULL,
                        err);
}

void ts_kidx_free(ts_kidx_t *t)
{
    ts_free(t->slot);
    memset(t, 0, sizeof(*t));
}

int ts_kidx_insert(ts_kidx_t *t, uint64_t key, uint32_t id, const ts_pool_t *pool,
                   ts_err_t *err)
{
    TS_ASSERT(id != TS_KTAB_NONE); /* id + 1 would read as an empty slot */
    uint64_t nslots = t->mask + 1;
    uint32_t idbits = t->idbits;
    if (t->n + 1 > t->grow_at)
        nslots *= 2;
    if ((uint64_t)id + 1 > t->idmask)
        idbits = kidx_bits_for((uint64_t)id * 2); /* room for the pool to grow again */
    if (nslots != t->mask + 1 || idbits != t->idbits) {
        int rc = kidx_rebuild(t, nslots, idbits, pool, err);
        if (rc)
            return rc;
    }
    kidx_place(t, key, id);
    t->n++;
    return 0;
}

int ts_kidx_remove(ts_kidx_t *t, uint64_t key, uint32_t id, const ts_pool_t *pool)
{
    uint64_t h = ts_kidx_hash(key);
    uint32_t want = ts_kidx_tag(t, h) | (id + 1), keep = t->tagmask | t->idmask;
    uint64_t i = ts_kidx_home(t, h);
    while ((t->slot[i] & keep) != want) {
        if (!t->slot[i])
            return 0;
        i = (i + 1) & t->mask;
    }
    uint64_t j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        uint32_t s = t->slot[j];
        if (!s)
            break;
        /* s may move back to i unless its home lies cyclically in (i, j]. */
        uint64_t gap = (j - i) & t->mask, d = kidx_dist(t, s, j, pool);
        if (d >= gap) {
            t->slot[i] = kidx_with_dist(t, s, d - gap);
            i = j;
        }
    }
    t->slot[i] = 0;
    TS_ASSERT(t->n > 0);
    t->n--;
    return 1;
}

size_t ts_kidx_bytes(const ts_kidx_t *t)
{
    return t->slot ? (size_t)(t->mask + 1) * sizeof(uint32_t) : 0;
}

int ts_kidx_check(const ts_kidx_t *t, const ts_pool_t *pool, ts_err_t *err)
{
    int rc = ts_ktab_check_shape(t->slot, t->mask, t->n, t->grow_at, t->load_pct, err);
    if (rc)
        return rc < 0 ? rc : 0;
    uint64_t nslots = t->mask + 1, used = 0;
    for (uint64_t i = 0; i < nslots; i++) {
        uint32_t s = t->slot[i];
        if (!s)
            continue;
        used++;
        uint32_t id1 = s & t->idmask;
        if (id1 == 0 || id1 > pool->cap)
            return ts_err_set(err, TS_EINTERNAL, "index: slot %llu names node %lld of %u",
                              (unsigned long long)i, (long long)id1 - 1, pool->cap);
        uint64_t h = ts_kidx_hash(ts_kidx_key(pool, id1 - 1));
        if ((s & t->tagmask) != ts_kidx_tag(t, h))
            return ts_err_set(err, TS_EINTERNAL,
                              "index: slot %llu's tag is not its node's (node %u)",
                              (unsigned long long)i, id1 - 1);
        uint64_t d = (i - ts_kidx_home(t, h)) & t->mask;
        if (kidx_with_dist(t, s, d) != s)
            return ts_err_set(err, TS_EINTERNAL,
                              "index: slot %llu records distance %u from home, not %llu",
                              (unsigned long long)i, t->dmax ? (s >> t->idbits) & t->dmax : 0,
                              (unsigned long long)d);
        /* Lookups stop at the first empty slot: none may lie between home and i. */
        for (uint64_t j = ts_kidx_home(t, h); j != i; j = (j + 1) & t->mask)
            if (!t->slot[j])
                return ts_err_set(err, TS_EINTERNAL,
                                  "index: the entry in slot %llu is unreachable (slot %llu "
                                  "between it and its home is empty)",
                                  (unsigned long long)i, (unsigned long long)j);
    }
    if (used != t->n)
        return ts_err_set(err, TS_EINTERNAL, "index: counts %llu keys but %llu slots are used",
                          (unsigned long long)t->n, (unsigned long long)used);
    return 0;
}
