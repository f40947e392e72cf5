/* SPDX-License-Identifier: MIT */
/*
 * list.c - the single-list cache base shared by FIFO, LRU, CLOCK and SIEVE, and the pieces
 * of every list-based policy's invariant check (see list_internal.h). Every operation is
 * O(1) expected; a check is O(1), or O(n) when it walks the whole structure.
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
    uint64_t charge = ts_policy_charge(&lc->base, n->size_bytes);
    TS_ASSERT(lc->list.charge >= charge);
    lc->list.charge -= charge;
    ts__list_unlink(&lc->pool, &lc->list, id);
    int removed = ts_ktab_remove(&lc->index, n->key, id);
    TS_ASSERT(removed == 1);
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

/* ---- invariant checks ---- */

int ts__held_check(const ts_policy_t *p, uint64_t have_n, uint64_t have_charge,
                   uint64_t n_objects, uint64_t charge, ts_err_t *err)
{
    const char *name = p->ops->base.name;
    if (have_n != n_objects)
        return ts_err_set(err, TS_EINTERNAL, "%s: holds %llu objects, the tier counts %llu",
                          name, (unsigned long long)have_n, (unsigned long long)n_objects);
    if (have_charge != charge)
        return ts_err_set(err, TS_EINTERNAL, "%s: holds %llu units, the tier counts %llu", name,
                          (unsigned long long)have_charge, (unsigned long long)charge);
    if (charge > p->capacity)
        return ts_err_set(err, TS_EINTERNAL, "%s: holds %llu units, over its capacity %llu",
                          name, (unsigned long long)charge, (unsigned long long)p->capacity);
    return 0;
}

int ts__index_check(const ts_policy_t *p, const ts_pool_t *pool, const ts_ktab_t *index,
                    uint64_t n_nodes, bool full, ts_err_t *err)
{
    const char *name = p->ops->base.name;
    if (index->n != pool->n_live || index->n != n_nodes)
        return ts_err_set(err, TS_EINTERNAL,
                          "%s: the index holds %llu keys, the pool %u nodes, the lists %llu",
                          name, (unsigned long long)index->n, pool->n_live,
                          (unsigned long long)n_nodes);
    if (!full)
        return 0;
    int rc = ts_ktab_check(index, err);
    if (rc == 0)
        rc = ts_pool_check(pool, err);
    if (rc)
        ts_err_prefix(err, "%s", name);
    return rc;
}

int ts__list_check(const ts_policy_t *p, const ts_pool_t *pool, const ts_ktab_t *index,
                   const ts__list_t *l, const char *what, uint64_t *charge, ts_err_t *err)
{
    const char *name = p->ops->base.name;
    uint32_t prev = TS__NIL, id = l->head;
    uint64_t n = 0, sum = 0;
    while (id != TS__NIL) {
        if (n == l->n)
            return ts_err_set(err, TS_EINTERNAL, "%s: list %s is longer than its %llu nodes",
                              name, what, (unsigned long long)l->n);
        if (id >= pool->cap)
            return ts_err_set(err, TS_EINTERNAL, "%s: list %s links to node %u of %u", name,
                              what, id, pool->cap);
        const ts__lnode_t *nd = ts__ln(pool, id);
        if (nd->prev != prev)
            return ts_err_set(err, TS_EINTERNAL,
                              "%s: list %s: node %u links back to %u, not to %u", name, what,
                              id, nd->prev, prev);
        if (ts__find(index, pool, nd->key) != id)
            return ts_err_set(err, TS_EINTERNAL,
                              "%s: list %s: key %llu of node %u is not indexed at it", name,
                              what, (unsigned long long)nd->key, id);
        sum += ts_policy_charge(p, nd->size_bytes);
        prev = id;
        id = nd->next;
        n++;
    }
    if (n != l->n || l->tail != prev)
        return ts_err_set(err, TS_EINTERNAL,
                          "%s: list %s counts %llu nodes, ends at %u; walked %llu to %u", name,
                          what, (unsigned long long)l->n, l->tail, (unsigned long long)n, prev);
    *charge += sum;
    return 0;
}

int ts__lcache_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    const ts__lcache_t *lc = (const ts__lcache_t *)p;
    int rc = ts__held_check(p, lc->list.n, lc->list.charge, n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &lc->pool, &lc->index, lc->list.n, full, err);
    if (rc || !full)
        return rc;
    uint64_t sum = 0;
    rc = ts__list_check(p, &lc->pool, &lc->index, &lc->list, "queue", &sum, err);
    if (rc == 0 && sum != lc->list.charge)
        rc = ts_err_set(err, TS_EINTERNAL, "%s: the queue counts %llu units, its nodes hold %llu",
                        p->ops->base.name, (unsigned long long)lc->list.charge,
                        (unsigned long long)sum);
    return rc;
}

/* ---- tagged-list cache base ---- */

int ts__tcache_init(ts__tcache_t *c, const ts_policy_ops_t *ops, const ts_policy_init_t *init,
                    ts_err_t *err)
{
    ts_policy_base_init(&c->base, ops, init);
    for (int i = 0; i < TS__TLISTS; i++)
        ts__list_init(&c->l[i]);
    /* Residents plus ghosts reach 2c keys in objects mode. */
    uint64_t hint = init->count_objects && init->capacity < (1u << 25) ? 2 * init->capacity : 1024;
    int rc = ts_pool_init(&c->pool, sizeof(ts__tnode_t), (uint32_t)hint + 1, err);
    if (rc)
        return rc;
    rc = ts_ktab_init(&c->index, hint, err);
    if (rc)
        ts_pool_free_all(&c->pool);
    return rc;
}

void ts__tcache_fini(ts__tcache_t *c)
{
    ts_ktab_free(&c->index);
    ts_pool_free_all(&c->pool);
}

void ts__tcache_unlink(ts__tcache_t *c, uint32_t id)
{
    ts__tnode_t *n = ts__tn(c, id);
    ts__list_t *l = &c->l[n->where];
    uint64_t charge = ts_policy_charge(&c->base, n->ln.size_bytes);
    ts__list_unlink(&c->pool, l, id);
    TS_ASSERT(l->charge >= charge);
    l->charge -= charge;
}

void ts__tcache_push(ts__tcache_t *c, uint32_t id, int where)
{
    ts__tnode_t *n = ts__tn(c, id);
    n->where = (uint8_t)where;
    ts__list_push_head(&c->pool, &c->l[where], id);
    c->l[where].charge += ts_policy_charge(&c->base, n->ln.size_bytes);
}

void ts__tcache_free(ts__tcache_t *c, uint32_t id)
{
    ts__tcache_unlink(c, id);
    int removed = ts_ktab_remove(&c->index, ts__tn(c, id)->ln.key, id);
    TS_ASSERT(removed == 1);
    ts_pool_release(&c->pool, id);
}

uint32_t ts__tcache_add(ts__tcache_t *c, const ts_req_t *r, int where, ts_err_t *err)
{
    uint32_t id = ts_pool_alloc(&c->pool, err);
    if (id == TS_POOL_NONE)
        return TS__NIL;
    if (ts_ktab_insert(&c->index, r->key, id, err)) {
        ts_pool_release(&c->pool, id);
        return TS__NIL;
    }
    ts__tnode_t *n = ts__tn(c, id);
    n->ln.key = r->key;
    n->ln.size_bytes = r->size_bytes;
    n->bit = 0;
    ts__tcache_push(c, id, where);
    return id;
}

bool ts__tcache_remove(ts__tcache_t *c, uint64_t key, int n_cached, ts_victim_t *out)
{
    uint32_t id = ts__find(&c->index, &c->pool, key);
    if (id == TS__NIL || ts__tn(c, id)->where >= n_cached)
        return false;
    if (out) {
        out->key = key;
        out->size_bytes = ts__tn(c, id)->ln.size_bytes;
    }
    ts__tcache_free(c, id);
    return true;
}

size_t ts__tcache_mem(const ts__tcache_t *c, size_t self_size)
{
    return self_size + ts_pool_bytes(&c->pool) + ts_ktab_bytes(&c->index);
}

void ts__tcache_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const ts__tcache_t *c = (const ts__tcache_t *)p;
    ts__prefetch(&c->index, &c->pool, key, stage);
}

int ts__tcache_check_lists(const ts__tcache_t *c, const char *const *names, int n,
                           ts_err_t *err)
{
    const ts_policy_t *p = &c->base;
    int rc = 0;
    for (int w = 0; rc == 0 && w < n; w++) {
        uint64_t sum = 0;
        rc = ts__list_check(p, &c->pool, &c->index, &c->l[w], names[w], &sum, err);
        if (rc == 0 && sum != c->l[w].charge)
            rc = ts_err_set(err, TS_EINTERNAL, "%s: %s counts %llu units, its nodes %llu",
                            p->ops->base.name, names[w], (unsigned long long)c->l[w].charge,
                            (unsigned long long)sum);
        for (uint32_t id = c->l[w].head; rc == 0 && id != TS__NIL; id = ts__tn(c, id)->ln.next)
            if (ts__tn(c, id)->where != w)
                rc = ts_err_set(err, TS_EINTERNAL, "%s: node %u on %s says list %u",
                                p->ops->base.name, id, names[w], ts__tn(c, id)->where);
    }
    return rc;
}
