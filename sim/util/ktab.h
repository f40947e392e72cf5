/* SPDX-License-Identifier: MIT */
/*
 * ktab.h - key -> node id index for policies: open addressing, linear probing, tagged slots.
 *
 * Policies keep their per-object nodes in a ts_pool (an array addressed by 32-bit ids) whose
 * nodes start with the 64-bit key. The table maps key -> id. Each 8-byte slot holds a 32-bit
 * tag of the key (the high half of key x 2^64/phi, Knuth's multiplicative hashing; the tag's
 * top bits are the home bucket) and id + 1 (0 marks an empty slot), so probing compares tags
 * without touching nodes, and deletion (backward-shift, no tombstones) and growth never read
 * nodes at all. One multiplication: a lookup's first load waits 3 cycles for its hash.
 * Cost: expected O(1) per operation; the table stays between 35% and 70% full, so its 8-byte
 * slots cost about 11-23 bytes per key. ts_hash64 below (the 64-bit finaliser of
 * MurmurHash3, a bijection on 64-bit keys) is the mixing hash of the other tables.
 */
#ifndef TS_SIM_UTIL_KTAB_H
#define TS_SIM_UTIL_KTAB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TS_KTAB_NONE UINT32_MAX /* "no such key" */

typedef struct ts_ktab {
    uint64_t *slot;   /* private: tag << 32 | (id + 1); 0 = empty */
    uint64_t mask;    /* private: number of slots - 1 (a power of two minus one) */
    uint64_t n;       /* read-only: keys stored */
    uint64_t grow_at; /* private: n at which the table doubles */
    uint32_t hshift;  /* private: a tag's home is tag >> hshift (32 - log2(slots)) */
} ts_ktab_t;

static inline uint64_t ts_hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/* Sizes the table for about expected keys (it grows past that). Returns 0 or TS_ENOMEM. */
int ts_ktab_init(ts_ktab_t *t, uint64_t expected, ts_err_t *err);
void ts_ktab_free(ts_ktab_t *t);
/* Removes every key, keeps the memory. */
void ts_ktab_clear(ts_ktab_t *t);

/* The id stored for key, or TS_KTAB_NONE. nodes/stride locate each node's leading key. */
/* The 32-bit tag of key: the top half of one multiplication by 2^64 / golden ratio
 * (Knuth's multiplicative hashing: the high bits depend on every bit of the key). */
static inline uint32_t ts_ktab_tag(uint64_t key)
{
    return (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32);
}

/* The home slot of a tag: its top bits. */
static inline uint64_t ts_ktab_home(const ts_ktab_t *t, uint32_t tag)
{
    return (tag >> t->hshift) & t->mask;
}

static inline uint32_t ts_ktab_find(const ts_ktab_t *t, uint64_t key, const void *nodes,
                                    size_t stride)
{
    uint32_t tag = ts_ktab_tag(key);
    uint64_t i = ts_ktab_home(t, tag);
    for (;;) {
        uint64_t s = t->slot[i];
        if (!s)
            return TS_KTAB_NONE;
        if ((uint32_t)(s >> 32) == tag) {
            uint32_t id = (uint32_t)s - 1;
            if (*(const uint64_t *)((const char *)nodes + (size_t)id * stride) == key)
                return id;
        }
        i = (i + 1) & t->mask;
    }
}

/* Cache prefetch hints for a key looked up soon (the fast engine reads ahead): the first
 * brings in the key's home slot; the second, issued later, reads that slot and brings in
 * the node it names when the tag matches. Neither changes the table nor faults. */
static inline void ts_ktab_prefetch(const ts_ktab_t *t, uint64_t key)
{
    __builtin_prefetch(&t->slot[ts_ktab_home(t, ts_ktab_tag(key))]);
}

static inline void ts_ktab_prefetch_node(const ts_ktab_t *t, uint64_t key, const void *nodes,
                                         size_t stride)
{
    uint32_t tag = ts_ktab_tag(key);
    uint64_t s = t->slot[ts_ktab_home(t, tag)];
    if (s && (uint32_t)(s >> 32) == tag)
        __builtin_prefetch((const char *)nodes + (size_t)((uint32_t)s - 1) * stride);
}

/* Adds key -> id; key must not be present. Returns 0 or TS_ENOMEM (table unchanged). */
int ts_ktab_insert(ts_ktab_t *t, uint64_t key, uint32_t id, ts_err_t *err);

/* Removes the entry key -> id. Returns 1 if it was there, 0 otherwise. */
int ts_ktab_remove(ts_ktab_t *t, uint64_t key, uint32_t id);

/* Bytes of heap held by the table. */
size_t ts_ktab_bytes(const ts_ktab_t *t);

/* Walks the whole table (O(slots); for tests and sim/util/check.h's expensive checks): a
 * power-of-two slot count, n equal to the occupied slots and within the growth bound, every
 * slot naming a valid id, and every entry reachable from its home slot (no empty slot in
 * between). Changes nothing. Returns 0, or TS_EINTERNAL with err naming the first fault. */
int ts_ktab_check(const ts_ktab_t *t, ts_err_t *err);

/* The part of that walk every open-addressing index here shares (ts_ktab, ts_kidx): with
 * no slots, n must be 0; else a power-of-two slot count (mask + 1), grow_at at load_pct
 * percent of it, and n within it. Returns TS_EINTERNAL naming the fault, 1 when there are
 * no slots to walk, else 0. */
int ts_ktab_check_shape(const void *slot, uint64_t mask, uint64_t n, uint64_t grow_at,
                        uint32_t load_pct, ts_err_t *err);

#endif
