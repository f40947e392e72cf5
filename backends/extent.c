/* SPDX-License-Identifier: MIT */
/*
 * extent.c - the back-ends' extent allocator (extent.h): a bump pointer and free lists by
 * length, with a longer free extent cut when nothing else fits.
 */
#include "extent.h"

#include <stdbool.h>
#include <string.h>

#include "../sim/util/mem.h"

int ts_extents_init(ts_extents_t *x, uint64_t block, uint64_t base, uint64_t limit,
                    uint64_t classes, ts_err_t *err)
{
    memset(x, 0, sizeof(*x));
    if (block == 0)
        return ts_err_set(err, TS_EINVAL, "extents: a block of 0 bytes");
    x->block = block;
    x->base = x->end = base;
    x->limit = limit;
    x->classes = classes ? classes : 1;
    x->lists = ts_calloc(x->classes + 1, sizeof(*x->lists));
    if (!x->lists)
        return ts_err_set(err, TS_ENOMEM, "extents: no memory for %llu free lists",
                          (unsigned long long)x->classes + 1);
    return 0;
}

void ts_extents_free(ts_extents_t *x)
{
    for (uint64_t i = 0; x->lists && i <= x->classes; i++)
        ts_free(x->lists[i].e);
    ts_free(x->lists);
    x->lists = NULL;
}

static ts_extent_list_t *extents_list_of(ts_extents_t *x, uint64_t blocks)
{
    return &x->lists[blocks <= x->classes ? blocks : 0];
}

/* Takes entry i of l out into *e. */
static void extents_take(ts_extent_list_t *l, size_t i, ts_extent_t *e)
{
    *e = l->e[i];
    l->e[i] = l->e[--l->n];
}

/* The shortest listed extent longer than blocks in a list of one length, else the first
 * long enough in the list of longer ones: its list and index. Returns false when none. */
static bool extents_longer(ts_extents_t *x, uint64_t blocks, ts_extent_list_t **l, size_t *i)
{
    for (uint64_t b = blocks + 1; b <= x->classes; b++)
        if (x->lists[b].n) {
            *l = &x->lists[b];
            *i = x->lists[b].n - 1;
            return true;
        }
    ts_extent_list_t *big = &x->lists[0];
    for (size_t k = 0; k < big->n; k++)
        if (big->e[k].blocks > blocks) {
            *l = big;
            *i = k;
            return true;
        }
    return false;
}

int ts_extents_alloc(ts_extents_t *x, uint64_t blocks, uint64_t *offset)
{
    ts_extent_list_t *l = extents_list_of(x, blocks);
    ts_extent_t e;
    for (size_t i = 0; i < l->n; i++)
        if (l->e[i].blocks == blocks) {
            extents_take(l, i, &e);
            *offset = e.offset;
            return 0;
        }
    if (blocks <= (x->limit - (x->end - x->base)) / x->block) {
        *offset = x->end;
        x->end += blocks * x->block;
        return 0;
    }
    size_t i;
    if (!extents_longer(x, blocks, &l, &i))
        return TS_ENOSPC;
    extents_take(l, i, &e);
    if (ts_extents_release(x, e.offset + blocks * x->block, e.blocks - blocks) != 0) {
        ts_extent_list_t *back = extents_list_of(x, e.blocks); /* it had room: no growth */
        back->e[back->n++] = e;
        return TS_ENOMEM;
    }
    *offset = e.offset;
    return 0;
}

int ts_extents_release(ts_extents_t *x, uint64_t offset, uint64_t blocks)
{
    ts_extent_list_t *l = extents_list_of(x, blocks);
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        ts_extent_t *e = ts_realloc(l->e, cap * sizeof(*e));
        if (!e)
            return TS_ENOMEM;
        l->e = e;
        l->cap = cap;
    }
    l->e[l->n++] = (ts_extent_t){offset, blocks};
    return 0;
}
