/* SPDX-License-Identifier: MIT */
/*
 * kidx.h - compact key -> node id index: open addressing, linear probing, 4-byte slots.
 *
 * The compact sibling of ts_ktab (ktab.h) for the policies whose nodes are 16 bytes
 * (policies/clist_internal.h). Nodes live in a ts_pool and start with their 64-bit key; the
 * index reads them through the pool. Each 4-byte slot holds, from the low bits up:
 *   id + 1 in idbits bits (0 marks an empty slot);
 *   the entry's distance from its home slot in 4 bits, 15 meaning "15 or more";
 *   a tag: the high bits of the key's hash.
 * The home slot comes from the top bits of the hash and the tag from the bits below them,
 * so a tag compare tells apart keys that share a home. idbits is as small as the pool's ids allow (21 bits for a million nodes,
 * leaving a 7-bit tag); when the pool hands out a larger id the index is rebuilt with more
 * id bits. Above 28 id bits the distance goes, above 32 the tag: then deletion hashes the
 * nodes' keys and every probe compares them. Backward-shift deletion reads the distances,
 * and the key of a node only where the distance is 15 or more; growth reads every key. So a
 * node must stay in the pool, key intact, while it is indexed.
 * Cost: expected O(1) per operation; the table stays between half its load bound and the
 * bound full (load_pct: 70% as ts_ktab, 5.7-11.4 bytes of slots per key; 80% where memory
 * counts more than probe lengths, 5-10 bytes). Hash: ts_kidx_hash, one multiplication (a
 * lookup's first load waits 3 cycles for it, not the 12 of a mixing hash).
 */
#ifndef TS_SIM_UTIL_KIDX_H
#define TS_SIM_UTIL_KIDX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ktab.h"
#include "pool.h"

typedef struct ts_kidx {
    uint32_t *slot;   /* private: tag bits | (id + 1); 0 = empty */
    uint64_t mask;    /* private: number of slots - 1 (a power of two minus one) */
    uint64_t n;       /* read-only: keys stored */
    uint64_t grow_at; /* private: n at which the table doubles */
    uint32_t idmask;  /* private: the id + 1 bits of a slot */
    uint32_t idbits;  /* private: 1..32 */
    uint32_t dmax;    /* private: the distance field's largest value (15, or 0: no field) */
    uint32_t tshift;  /* private: the tag's lowest bit, idbits plus the distance's bits */
    uint32_t load_pct; /* private: the table doubles past this share of its slots full */
    uint32_t tagmask;  /* private: the tag bits of a slot */
    uint32_t hshift;   /* private: 64 - log2(slots): the home is the hash's top bits */
} ts_kidx_t;

/* The index's hash: one multiplication by 2^64 / golden ratio (Knuth's multiplicative
 * hashing); its high bits depend on every bit of the key, so the home is taken from the
 * top and the tag from the bits just below it. */
static inline uint64_t ts_kidx_hash(uint64_t key)
{
    return key * 0x9e3779b97f4a7c15ULL;
}

/* The home slot of hash h. */
static inline uint64_t ts_kidx_home(const ts_kidx_t *t, uint64_t h)
{
    return h >> t->hshift;
}

/* Sizes the table for about expected keys with ids below expected + 1 (it grows past
 * both), filled to at most load_pct percent (50..90). Returns 0, TS_EINVAL or TS_ENOMEM. */
int ts_kidx_init(ts_kidx_t *t, uint64_t expected, uint32_t load_pct, ts_err_t *err);
void ts_kidx_free(ts_kidx_t *t);

/* The slot's tag bits for hash h (the bits below the home's, in place above the
 * distance). */
static inline uint32_t ts_kidx_tag(const ts_kidx_t *t, uint64_t h)
{
    return (uint32_t)((h << (64 - t->hshift)) >> 32) & t->tagmask;
}

static inline uint64_t ts_kidx_key(const ts_pool_t *pool, uint32_t id)
{
    return *(const uint64_t *)ts_pool_at(pool, id);
}

/* The id stored for key, or TS_KTAB_NONE. nodes/stride locate each node's leading key (a
 * constant stride lets the compiler fold the multiply). */
static inline uint32_t ts_kidx_find(const ts_kidx_t *t, uint64_t key, const void *nodes,
                                    size_t stride)
{
    uint64_t h = ts_kidx_hash(key);
    uint32_t tag = ts_kidx_tag(t, h), idmask = t->idmask, tagmask = t->tagmask;
    uint64_t i = ts_kidx_home(t, h);
    for (;;) {
        uint32_t s = t->slot[i];
        if (!s)
            return TS_KTAB_NONE;
        if ((s & tagmask) == tag) {
            uint32_t id = (s & idmask) - 1;
            if (*(const uint64_t *)((const char *)nodes + (size_t)id * stride) == key)
                return id;
        }
        i = (i + 1) & t->mask;
    }
}

/* Cache prefetch hints, as ts_ktab_prefetch and ts_ktab_prefetch_node: the key's home slot,
 * then (issued later) the node that slot names when its tag matches. */
static inline void ts_kidx_prefetch(const ts_kidx_t *t, uint64_t key)
{
    __builtin_prefetch(&t->slot[ts_kidx_home(t, ts_kidx_hash(key))]);
}

static inline void ts_kidx_prefetch_node(const ts_kidx_t *t, uint64_t key, const ts_pool_t *pool)
{
    uint64_t h = ts_kidx_hash(key);
    uint32_t s = t->slot[ts_kidx_home(t, h)];
    if (s && (s & t->tagmask) == ts_kidx_tag(t, h))
        __builtin_prefetch(ts_pool_at(pool, (s & t->idmask) - 1));
}

/* Adds key -> id; key must not be present, and every indexed node must hold its key (the
 * node id itself need not yet). Returns 0 or TS_ENOMEM (table unchanged). */
int ts_kidx_insert(ts_kidx_t *t, uint64_t key, uint32_t id, const ts_pool_t *pool,
                   ts_err_t *err);

/* Removes the entry key -> id. Returns 1 if it was there, 0 otherwise. */
int ts_kidx_remove(ts_kidx_t *t, uint64_t key, uint32_t id, const ts_pool_t *pool);

/* Bytes of heap held by the table. */
size_t ts_kidx_bytes(const ts_kidx_t *t);

/* Walks the whole table (O(slots); for tests and expensive checks): a power-of-two slot
 * count, n equal to the occupied slots and within the growth bound, every slot naming an id
 * of the pool whose key hashes to the slot's tag, at the distance from its home the slot
 * records, and reachable from its home slot (no empty slot in between). Changes nothing.
 * Returns 0, or TS_EINTERNAL naming the first fault. */
int ts_kidx_check(const ts_kidx_t *t, const ts_pool_t *pool, ts_err_t *err);

#endif
