/* SPDX-License-Identifier: MIT */
/*
 * list.c - the single-list cache base shared by FIFO, LRU, CLOCK and SIEVE
 * (see list_internal.h). Every operation is O(1) expected.
 */
#include <string.h>

#include "../sim/util/mem.h"
#include "list_internal.h"

int ts__lcache_init(ts__lcache_t *lc, const ts_policy_ops_t *ops, const ts_policy_init_t *init,
                    size_t node_size, ts_err_t *err)
{
    ts_policy_base_init(&lc->base, ops, init);
    ts__list_init(&lc->list);
    /* In objects mode the capacity bounds the population: size for it up front. */
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    int rc = ts_pool_init(&lc->pool, node_size, (uint32_t)hint + 1, err);
    if (rc)
        return rc;
    rc = ts_ktab_init(&lc->index, hint, err);
    if (rc) {
        ts_pool_free_all(&lc->pool);
        return rc;
    }
    return 0;
}

void ts__lcache_fini(ts__lcache_t *lc)
{
    ts_ktab_free(&lc->index);
    ts_pool_free_all(&lc->pool);
}

uint32_t ts__lcache_add(ts__lcache_t *lc, const ts_req_t *r, ts_err_t *err)
{
    uint32_t id = ts_pool_alloc(&lc->pool, err);
    if (id == TS_POOL_NONE)
        return TS__NIL;
    if (ts_ktab_insert(&lc->index, r->key, id, err)) {
        ts_pool_release(&lc->pool, id);
        return TS__NIL;
    }
    ts__lnode_t *n = ts__ln(&lc->pool, id);
    if (lc->pool.stride > sizeof(*n))
        memset((char *)n + sizeof(*n), 0, lc->pool.stride - sizeof(*n));
    n->key = r->key;
    n->size_bytes = r->size_bytes;
    ts__list_push_head(&lc->pool, &lc->list, id);
    lc->list.charge += ts_policy_charge(&lc->base, r->size_bytes);
    return id;
}

void ts__lcache_drop(ts__lcache_t *lc, uint32_t id, ts_victim_t *out)
{
    ts__lnode_t *n = ts__ln(&lc->pool, id);
    if (out) {
        out->key = n->key;
        out->size_bytes = n->size_bytes;
    }
    lc->list.charge -= ts_policy_charge(&lc->base, n->size_bytes);
    ts__list_unlink(&lc->pool, &lc->list, id);
    ts_ktab_remove(&lc->index, n->key, id);
    ts_pool_release(&lc->pool, id);
}

bool ts__lcache_remove(ts__lcache_t *lc, uint64_t key, ts_victim_t *out)
{
    uint32_t id = ts__find(&lc->index, &lc->pool, key);
    if (id == TS__NIL)
        return false;
    ts__lcache_drop(lc, id, out);
    return true;
}

size_t ts__lcache_mem(const ts__lcache_t *lc, size_t self_size)
{
    return self_size + ts_pool_bytes(&lc->pool) + ts_ktab_bytes(&lc->index);
}

/* Besides the key's slot and node, warms what the next eviction from the tail touches: the
 * tail node, the node before it and the tail key's index slot. */
void ts__lcache_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const ts__lcache_t *lc = (const ts__lcache_t *)p;
    ts__prefetch(&lc->index, &lc->pool, key, stage);
    uint32_t t = lc->list.tail;
    if (t == TS__NIL)
        return;
    const ts__lnode_t *n = ts__ln(&lc->pool, t);
    if (stage == 0) {
        __builtin_prefetch(n);
        return;
    }
    if (n->prev != TS__NIL)
        __builtin_prefetch(ts__ln(&lc->pool, n->prev));
    ts_ktab_prefetch(&lc->index, n->key);
}
