/* SPDX-License-Identifier: MIT */
/*
 * lru.c - Least Recently Used eviction.
 *
 * Decision rule:
 *   on hit:    move the object to the head (most recently used)
 *   on insert: the object goes to the head
 *   on evict:  the object at the tail (least recently used) leaves
 * Cost: O(1) expected per operation. Memory: a 16-byte node per object plus 5.7-11.4 bytes
 * of index (clist_internal.h: the size lives beside the nodes), no fixed table.
 * LRU is a stack algorithm (Mattson et al., 1970): its misses never rise with capacity.
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "clist_internal.h"

extern const ts_policy_ops_t ts_policy_lru;

typedef struct lru {
    ts__ccache_t lc; /* must be first: index, node pool, recency list (head MRU) */
} lru_t;

static int lru_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                      ts_err_t *err)
{
    (void)params;
    *out = NULL;
    lru_t *l = ts_calloc(1, sizeof(*l));
    if (!l)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate lru");
    int rc = ts__ccache_init(&l->lc, &ts_policy_lru, init, false, err);
    if (rc) {
        ts_free(l);
        return rc;
    }
    *out = &l->lc.base;
    return 0;
}

static void lru_destroy(ts_policy_t *p)
{
    lru_t *l = (lru_t *)p;
    ts__ccache_fini(&l->lc);
    ts_free(l);
}

/* A touching hit makes the object the most recently used. */
static bool lru_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    lru_t *l = (lru_t *)p;
    uint32_t id = ts__cstore_find(&l->lc.st, r->key);
    if (id == TS__NIL)
        return false;
    if (touch)
        ts__clist_move_head(&l->lc.st, &l->lc.list, id);
    return true;
}

static int lru_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    return ts__ccache_add(&((lru_t *)p)->lc, r, err) == TS__NIL ? TS_ENOMEM : 0;
}

static int lru_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    lru_t *l = (lru_t *)p;
    (void)r;
    if (l->lc.list.tail == TS__NIL)
        return TS_ENOENT;
    ts__ccache_drop(&l->lc, l->lc.list.tail, out);
    return 0;
}

static bool lru_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    return ts__ccache_remove(&((lru_t *)p)->lc, key, out);
}

static size_t lru_mem_bytes(const ts_policy_t *p)
{
    return ts__ccache_mem(&((const lru_t *)p)->lc, sizeof(lru_t));
}

const ts_policy_ops_t ts_policy_lru = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "lru",
             .summary = "least recently used: a hit moves the object to the head; evicts the tail",
             .flags = TS_POLICY_LRU_STACK},
    .create = lru_create,
    .destroy = lru_destroy,
    .lookup = lru_lookup,
    .insert = lru_insert,
    .evict = lru_evict,
    .replace = ts__ccache_replace_tail,
    .remove = lru_remove,
    .mem_bytes = lru_mem_bytes,
    .prefetch = ts__ccache_prefetch,
    .check = ts__ccache_check,
};
