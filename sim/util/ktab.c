/* SPDX-License-Identifier: MIT */
/*
 * ktab.c - tagged open-addressing index (see ktab.h).
 *
 * Backward-shift deletion: after emptying slot i, walk the run that follows; an entry at j
 * whose home bucket lies cyclically outside (i, j] moves back into i, and i becomes j. This
 * keeps every key reachable from its home with no tombstones, so lookups stay short however
 * many deletions a long simulation makes.
 */
#include "ktab.h"

#include <string.h>

#include "check.h"
#include "mem.h"

#define KTAB_MIN_SLOTS 16

static uint64_t ktab_slots_for(uint64_t expected)
{
    uint64_t n = KTAB_MIN_SLOTS;
    while (n * 7 / 10 < expected + 1)
        n <<= 1;
    return n;
}

static int ktab_alloc(ts_ktab_t *t, uint64_t nslots, ts_err_t *err)
{
    uint64_t *slot = ts_calloc(nslots, sizeof(uint64_t));
    if (!slot)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate an index of %llu slots",
                          (unsigned long long)nslots);
    t->slot = slot;
    t->mask = nslots - 1;
    uint32_t bits = (uint32_t)__builtin_ctzll(nslots);
    t->hshift = bits < 32 ? 32 - bits : 0;
    t->grow_at = nslots * 7 / 10;
    return 0;
}

int ts_ktab_init(ts_ktab_t *t, uint64_t expected, ts_err_t *err)
{
    memset(t, 0, sizeof(*t));
    return ktab_alloc(t, ktab_slots_for(expected), err);
}

void ts_ktab_free(ts_ktab_t *t)
{
    ts_free(t->slot);
    memset(t, 0, sizeof(*t));
}

void ts_ktab_clear(ts_ktab_t *t)
{
    memset(t->slot, 0, (t->mask + 1) * sizeof(uint64_t));
    t->n = 0;
}

static void ktab_place(const ts_ktab_t *t, uint64_t s)
{
    uint64_t i = ts_ktab_home(t, (uint32_t)(s >> 32));
    while (t->slot[i])
        i = (i + 1) & t->mask;
    t->slot[i] = s;
}

static int ktab_grow(ts_ktab_t *t, ts_err_t *err)
{
    ts_ktab_t old = *t;
    int rc = ktab_alloc(t, (old.mask + 1) * 2, err);
    if (rc) {
        *t = old;
        return rc;
    }
    for (uint64_t i = 0; i <= old.mask; i++)
        if (old.slot[i])
            ktab_place(t, old.slot[i]);
    ts_free(old.slot);
    return 0;
}

int ts_ktab_insert(ts_ktab_t *t, uint64_t key, uint32_t id, ts_err_t *err)
{
    if (t->n + 1 > t->grow_at) {
        int rc = ktab_grow(t, err);
        if (rc)
            return rc;
    }
    TS_ASSERT(id != TS_KTAB_NONE); /* id + 1 would read as an empty slot */
    uint64_t tag = ts_ktab_tag(key);
    ktab_place(t, tag << 32 | ((uint64_t)id + 1));
    t->n++;
    TS_ASSERT(t->n <= t->grow_at);
    return 0;
}

int ts_ktab_remove(ts_ktab_t *t, uint64_t key, uint32_t id)
{
    uint64_t want = (uint64_t)ts_ktab_tag(key) << 32 | ((uint64_t)id + 1);
    uint64_t i = ts_ktab_home(t, (uint32_t)(want >> 32));
    while (t->slot[i] != want) {
        if (!t->slot[i])
            return 0;
        i = (i + 1) & t->mask;
    }
    uint64_t j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        uint64_t s = t->slot[j];
        if (!s)
            break;
        uint64_t home = ts_ktab_home(t, (uint32_t)(s >> 32));
        /* s may move back to i unless its home lies cyclically in (i, j]. */
        if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
            t->slot[i] = s;
            i = j;
        }
    }
    t->slot[i] = 0;
    TS_ASSERT(t->n > 0);
    t->n--;
    return 1;
}

size_t ts_ktab_bytes(const ts_ktab_t *t)
{
    return t->slot ? (size_t)(t->mask + 1) * sizeof(uint64_t) : 0;
}

int ts_ktab_check_shape(const void *slot, uint64_t mask, uint64_t n, uint64_t grow_at,
                        uint32_t load_pct, ts_err_t *err)
{
    if (!slot)
        return n ? ts_err_set(err, TS_EINTERNAL, "index: %llu keys but no slots",
                              (unsigned long long)n)
                 : 1;
    uint64_t nslots = mask + 1;
    if (nslots & mask)
        return ts_err_set(err, TS_EINTERNAL, "index: %llu slots is not a power of two",
                          (unsigned long long)nslots);
    if (grow_at != nslots * load_pct / 100 || n > grow_at)
        return ts_err_set(err, TS_EINTERNAL, "index: %llu keys in %llu slots (grows at %llu)",
                          (unsigned long long)n, (unsigned long long)nslots,
                          (unsigned long long)grow_at);
    return 0;
}

int ts_ktab_check(const ts_ktab_t *t, ts_err_t *err)
{
    int rc = ts_ktab_check_shape(t->slot, t->mask, t->n, t->grow_at, 70, err);
    if (rc)
        return rc < 0 ? rc : 0;
    uint64_t nslots = t->mask + 1, used = 0;
    for (uint64_t i = 0; i < nslots; i++) {
        uint64_t s = t->slot[i];
        if (!s)
            continue;
        used++;
        if ((uint32_t)s == 0)
            return ts_err_set(err, TS_EINTERNAL, "index: slot %llu holds no id",
                              (unsigned long long)i);
        /* Lookups stop at the first empty slot: none may lie between home and i. */
        for (uint64_t j = ts_ktab_home(t, (uint32_t)(s >> 32)); j != i; j = (j + 1) & t->mask)
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
