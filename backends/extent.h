/* SPDX-License-Identifier: MIT */
/*
 * extent.h - the extent allocator of the back-ends that keep objects in one linear space
 * (the file back-end's scratch file, the gpu back-end's device arena): extents of whole
 * blocks handed out from a bump pointer and reused through free lists by length.
 *
 * One free list per length of 1 to `classes` blocks; longer extents share one list. An
 * extent is taken, in this order: a free one of exactly the length asked for; a new one
 * from the bump pointer while the space has room; a free one that is longer, cut to the
 * length (the rest goes back to its list). Freed extents are not merged with their
 * neighbours. Cost: O(1) expected for an exact reuse or the bump pointer; the cutting
 * fallback scans the lists above the length, O(classes + long extents).
 */
#ifndef TS_BACKENDS_EXTENT_H
#define TS_BACKENDS_EXTENT_H

#include <stdint.h>

#include "../sim/util/err.h"

/* A free extent: offset in bytes, length in blocks. */
typedef struct ts_extent {
    uint64_t offset, blocks;
} ts_extent_t;

typedef struct ts_extent_list {
    ts_extent_t *e;
    size_t n, cap;
} ts_extent_list_t;

typedef struct ts_extents {
    uint64_t block;          /* read-only: bytes per block */
    uint64_t base;           /* read-only: offset of the first extent, bytes */
    uint64_t limit;          /* read-only: bytes past base that extents may cover */
    uint64_t end;            /* read-only: the bump pointer, bytes (base + handed out) */
    uint64_t classes;        /* read-only: lengths with a list of their own */
    ts_extent_list_t *lists; /* private: [b] extents of b blocks; [0] longer ones */
} ts_extents_t;

/* Prepares x for a space of limit bytes from offset base, in blocks of block bytes, with a
 * free list for each length of 1 to classes blocks (1 at least). Returns 0, or TS_EINVAL
 * (block 0) / TS_ENOMEM; x is then safe to give to ts_extents_free. */
int ts_extents_init(ts_extents_t *x, uint64_t block, uint64_t base, uint64_t limit,
                    uint64_t classes, ts_err_t *err);

/* Frees the lists; accepts a zeroed or failed x. */
void ts_extents_free(ts_extents_t *x);

/* Blocks of x that bytes take (bytes rounded up to whole blocks). */
static inline uint64_t ts_extents_blocks(const ts_extents_t *x, uint64_t bytes)
{
    return (bytes + x->block - 1) / x->block;
}

/* An extent of blocks blocks (1 at least) into *offset (bytes). Returns 0, TS_ENOSPC when
 * neither a free extent nor the space left holds it, or TS_ENOMEM (the rest of a cut extent
 * could not be listed; nothing is taken). */
int ts_extents_alloc(ts_extents_t *x, uint64_t blocks, uint64_t *offset);

/* Gives the extent at offset, blocks long, back. Returns 0 or TS_ENOMEM (its list could not
 * grow: the extent is lost to reuse, nothing else changes). */
int ts_extents_release(ts_extents_t *x, uint64_t offset, uint64_t blocks);

#endif
