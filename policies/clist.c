/* SPDX-License-Identifier: MIT */
/*
 * clist.c - compact lists (see clist_internal.h): the node store with its side arrays, the
 * several-list helpers of S3-FIFO and ARC, the single-list cache base of LRU, FIFO, CLOCK
 * and SIEVE, and the pieces of their invariant checks. Every operation is O(1) expected (a
 * store's first differing size copies the common size once into a new array, O(nodes)); a
 * check is O(1), or O(n) when it walks the whole structure.
 */
#include <string.h>

#include "../sim/util/mem.h"
#include "clist_internal.h"

/* ---- node store ---- */

int ts__cstore_init(ts__cstore_t *st, uint64_t expected, uint32_t load_pct, bool has_meta,
                    ts_err_t *err)
{
    st->has_meta = has_meta;
    int rc = ts_pool_init(&st->pool, sizeof(ts__cnode_t), (uint32_t)expected + 1, err);
    if (rc)
        return rc;
    rc = ts_kidx_init(&st->index, expected, load_pct, err);
    if (rc)
        goto fail;
    st->side_cap = st->pool.cap;
    if (has_meta && !(st->meta = ts_calloc(st->side_cap, 1))) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate %u bytes of node state",
                        st->side_cap);
        goto fail;
    }
    return 0;
fail:
    ts__cstore_fini(st);
    return rc;
}

void ts__cstore_fini(ts__cstore_t *st)
{
    ts_kidx_free(&st->index);
    ts_pool_free_all(&st->pool);
    ts_free(st->meta);
    ts_free(st->size_bytes);
    memset(st, 0, sizeof(*st));
}

/* Side arrays as long as the pool, after it grew. */
static int cstore_side_grow(ts__cstore_t *st, ts_err_t *err)
{
    uint32_t cap = st->pool.cap;
    if (st->meta) {
        uint8_t *m = ts_realloc(st->meta, cap);
        if (!m)
            return ts_err_set(err, TS_ENOMEM, "cannot grow node state to %u bytes", cap);
        st->meta = m;
    }
    if (st->size_bytes) {
        uint64_t *s = ts_realloc(st->size_bytes, (size_t)cap * sizeof(uint64_t));
        if (!s)
            return ts_err_set(err, TS_ENOMEM, "cannot grow node sizes to %u entries", cap);
        st->size_bytes = s;
    }
    st->side_cap = cap;
    return 0;
}

/* Records node id's size: the common size while every size is equal, else the array. */
static int cstore_put_size(ts__cstore_t *st, uint32_t id, uint64_t size_bytes, ts_err_t *err)
{
    if (st->size_bytes) {
        st->size_bytes[id] = size_bytes;
        return 0;
    }
    if (!st->has_size || size_bytes == st->size_same) {
        st->size_same = size_bytes;
        st->has_size = true;
        return 0;
    }
    uint64_t *s = ts_malloc((size_t)st->side_cap * sizeof(uint64_t));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate sizes for %u nodes", st->side_cap);
    for (uint32_t i = 0; i < st->side_cap; i++)
        s[i] = st->size_same;
    s[id] = size_bytes;
    st->size_bytes = s;
    return 0;
}

uint32_t ts__cstore_add(ts__cstore_t *st, uint64_t key, uint64_t size_bytes, ts_err_t *err)
{
    uint32_t id = ts_pool_alloc(&st->pool, err);
    if (id == TS_POOL_NONE)
        return TS__NIL;
    if ((st->pool.cap > st->side_cap && cstore_side_grow(st, err)) ||
        cstore_put_size(st, id, size_bytes, err))
        goto fail;
    ts__cn(st, id)->key = key;
    if (ts_kidx_insert(&st->index, key, id, &st->pool, err))
        goto fail;
    if (st->meta)
        st->meta[id] = 0;
    return id;
fail:
    ts_pool_release(&st->pool, id);
    return TS__NIL;
}

void ts__cstore_del(ts__cstore_t *st, uint32_t id)
{
    int removed = ts_kidx_remove(&st->index, ts__cn(st, id)->key, id, &st->pool);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&st->pool, id);
}

size_t ts__cstore_bytes(const ts__cstore_t *st)
{
    size_t side = (st->meta ? 1 : 0) + (st->size_bytes ? sizeof(uint64_t) : 0);
    return ts_pool_bytes(&st->pool) + ts_kidx_bytes(&st->index) + side * st->side_cap;
}

void ts__cstore_prefetch(const ts__cstore_t *st, uint64_t key, int stage)
{
    if (stage == 0)
        ts_kidx_prefetch(&st->index, key);
    else
        ts_kidx_prefetch_node(&st->index, key, &st->pool);
}

void ts__cstore_victim(const ts__cstore_t *st, uint32_t id, ts_victim_t *out)
{
    if (!out)
        return;
    out->key = ts__cn(st, id)->key;
    out->size_bytes = ts__cstore_size(st, id);
}

/* ---- several lists ---- */

void ts__cmulti_free(const ts_policy_t *p, ts__cstore_t *st, ts__list_t *l, uint32_t id)
{
    ts__cmulti_unlink(p, st, l, id);
    ts__cstore_del(st, id);
}

int ts__cmulti_refill(const ts_policy_t *p, ts__cstore_t *st, ts__list_t *l, uint32_t id,
                      int where, uint64_t size_bytes, ts_err_t *err)
{
    uint64_t old = ts_policy_charge(p, ts__cstore_size(st, id));
    int rc = cstore_put_size(st, id, size_bytes, err);
    if (rc)
        return rc;
    ts__list_t *q = &l[ts__cwhere(st, id)];
    ts__clist_unlink(st, q, id);
    TS_ASSERT(q->charge >= old);
    q->charge -= old;
    ts__cmulti_push(p, st, l, id, where);
    return 0;
}

uint32_t ts__cmulti_add(const ts_policy_t *p, ts__cstore_t *st, ts__list_t *l,
                        const ts_req_t *r, int where, ts_err_t *err)
{
    uint32_t id = ts__cstore_add(st, r->key, r->size_bytes, err);
    if (id != TS__NIL)
        ts__cmulti_push(p, st, l, id, where);
    return id;
}

/* ---- single-list compact cache ---- */

int ts__ccache_init(ts__ccache_t *cc, const ts_policy_ops_t *ops, const ts_policy_init_t *init,
                    bool has_meta, ts_err_t *err)
{
    ts_policy_base_init(&cc->base, ops, init);
    ts__list_init(&cc->list);
    /* In objects mode the capacity bounds the population: size for it up front. */
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    return ts__cstore_init(&cc->st, hint, TS__CLOAD_ONE, has_meta, err);
}

void ts__ccache_fini(ts__ccache_t *cc)
{
    ts__cstore_fini(&cc->st);
}

uint32_t ts__ccache_add(ts__ccache_t *cc, const ts_req_t *r, ts_err_t *err)
{
    uint32_t id = ts__cstore_add(&cc->st, r->key, r->size_bytes, err);
    if (id == TS__NIL)
        return TS__NIL;
    ts__clist_push_head(&cc->st, &cc->list, id);
    cc->list.charge += ts_policy_charge(&cc->base, r->size_bytes);
    return id;
}

void ts__ccache_drop(ts__ccache_t *cc, uint32_t id, ts_victim_t *out)
{
    ts__cstore_victim(&cc->st, id, out);
    uint64_t charge = ts_policy_charge(&cc->base, ts__cstore_size(&cc->st, id));
    TS_ASSERT(cc->list.charge >= charge);
    cc->list.charge -= charge;
    ts__clist_unlink(&cc->st, &cc->list, id);
    ts__cstore_del(&cc->st, id);
}

void ts__ccache_reuse(ts__ccache_t *cc, uint32_t id, const ts_req_t *r, ts_victim_t *out)
{
    ts__cstore_t *st = &cc->st;
    TS_ASSERT(ts__ccache_can_reuse(cc, r));
    ts__cstore_victim(st, id, out);
    uint64_t old = ts_policy_charge(&cc->base, ts__cstore_size(st, id));
    TS_ASSERT(cc->list.charge >= old);
    cc->list.charge += ts_policy_charge(&cc->base, r->size_bytes) - old;
    ts__clist_unlink(st, &cc->list, id);
    int removed = ts_kidx_remove(&st->index, ts__cn(st, id)->key, id, &st->pool);
    TS_ASSERT(removed == 1);
    (void)removed;
    if (st->size_bytes)
        st->size_bytes[id] = r->size_bytes;
    st->size_same = st->size_bytes ? st->size_same : r->size_bytes;
    st->has_size = true;
    ts__cn(st, id)->key = r->key;
    /* Same count and id as before the removal: the index neither grows nor widens. */
    int rc = ts_kidx_insert(&st->index, r->key, id, &st->pool, NULL);
    TS_ASSERT(rc == 0);
    (void)rc;
    if (st->meta)
        st->meta[id] = 0;
    ts__clist_push_head(st, &cc->list, id);
}

int ts__ccache_replace_tail(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    ts__ccache_t *cc = (ts__ccache_t *)p;
    if (cc->list.tail == TS__NIL)
        return TS_ENOENT;
    if (!ts__ccache_can_reuse(cc, r))
        return TS_EUNSUPPORTED;
    ts__ccache_reuse(cc, cc->list.tail, r, out);
    return 0;
}

bool ts__ccache_remove(ts__ccache_t *cc, uint64_t key, ts_victim_t *out)
{
    uint32_t id = ts__cstore_find(&cc->st, key);
    if (id == TS__NIL)
        return false;
    ts__ccache_drop(cc, id, out);
    return true;
}

size_t ts__ccache_mem(const ts__ccache_t *cc, size_t self_size)
{
    return self_size + ts__cstore_bytes(&cc->st);
}

void ts__ccache_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const ts__ccache_t *cc = (const ts__ccache_t *)p;
    ts__cstore_prefetch(&cc->st, key, stage);
    uint32_t t = cc->list.tail;
    if (t == TS__NIL)
        return;
    const ts__cnode_t *n = ts__cn(&cc->st, t);
    if (stage == 0) {
        __builtin_prefetch(n);
        return;
    }
    if (n->prev != TS__NIL)
        __builtin_prefetch(ts__cn(&cc->st, n->prev));
    ts_kidx_prefetch(&cc->st.index, n->key);
}

int ts__ccache_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    const ts__ccache_t *cc = (const ts__ccache_t *)p;
    int rc = ts__held_check(p, cc->list.n, cc->list.charge, n_objects, charge, err);
    if (rc == 0)
        rc = ts__cstore_check(p, &cc->st, cc->list.n, full, err);
    if (rc || !full)
        return rc;
    uint64_t sum = 0;
    rc = ts__clist_check(p, &cc->st, &cc->list, "queue", -1, &sum, err);
    if (rc == 0 && sum != cc->list.charge)
        rc = ts_err_set(err, TS_EINTERNAL, "%s: the queue counts %llu units, its nodes hold %llu",
                        p->ops->base.name, (unsigned long long)cc->list.charge,
                        (unsigned long long)sum);
    return rc;
}

/* ---- invariant checks ---- */

int ts__cstore_check(const ts_policy_t *p, const ts__cstore_t *st, uint64_t n_nodes, bool full,
                     ts_err_t *err)
{
    const char *name = p->ops->base.name;
    if (st->index.n != st->pool.n_live || st->index.n != n_nodes)
        return ts_err_set(err, TS_EINTERNAL,
                          "%s: the index holds %llu keys, the pool %u nodes, the lists %llu",
                          name, (unsigned long long)st->index.n, st->pool.n_live,
                          (unsigned long long)n_nodes);
    if (st->has_meta != (st->meta != NULL))
        return ts_err_set(err, TS_EINTERNAL, "%s: node state %s", name,
                          st->has_meta ? "missing" : "present but not asked for");
    if (!full)
        return 0;
    int rc = ts_kidx_check(&st->index, &st->pool, err);
    if (rc == 0)
        rc = ts_pool_check(&st->pool, err);
    if (rc)
        ts_err_prefix(err, "%s", name);
    return rc;
}

int ts__clist_check(const ts_policy_t *p, const ts__cstore_t *st, const ts__list_t *l,
                    const char *what, int where, uint64_t *charge, ts_err_t *err)
{
    const char *name = p->ops->base.name;
    uint32_t prev = TS__NIL, id = l->head;
    uint64_t n = 0, sum = 0;
    while (id != TS__NIL) {
        if (n == l->n)
            return ts_err_set(err, TS_EINTERNAL, "%s: list %s is longer than its %llu nodes",
                              name, what, (unsigned long long)l->n);
        if (id >= st->pool.cap)
            return ts_err_set(err, TS_EINTERNAL, "%s: list %s links to node %u of %u", name,
                              what, id, st->pool.cap);
        if ((st->meta || st->size_bytes) && id >= st->side_cap)
            return ts_err_set(err, TS_EINTERNAL, "%s: list %s holds node %u, the side arrays "
                              "cover %u", name, what, id, st->side_cap);
        const ts__cnode_t *nd = ts__cn(st, id);
        if (nd->prev != prev)
            return ts_err_set(err, TS_EINTERNAL,
                              "%s: list %s: node %u links back to %u, not to %u", name, what,
                              id, nd->prev, prev);
        if (ts__cstore_find(st, nd->key) != id)
            return ts_err_set(err, TS_EINTERNAL,
                              "%s: list %s: key %llu of node %u is not indexed at it", name,
                              what, (unsigned long long)nd->key, id);
        if (where >= 0 && ts__cwhere(st, id) != where)
            return ts_err_set(err, TS_EINTERNAL, "%s: node %u on %s says list %d", name, id,
                              what, ts__cwhere(st, id));
        sum += ts_policy_charge(p, ts__cstore_size(st, id));
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

int ts__cmulti_check(const ts_policy_t *p, const ts__cstore_t *st, const ts__list_t *l,
                     const char *const *names, int n, ts_err_t *err)
{
    int rc = 0;
    for (int w = 0; rc == 0 && w < n; w++) {
        uint64_t sum = 0;
        rc = ts__clist_check(p, st, &l[w], names[w], w, &sum, err);
        if (rc == 0 && sum != l[w].charge)
            rc = ts_err_set(err, TS_EINTERNAL, "%s: %s counts %llu units, its nodes %llu",
                            p->ops->base.name, names[w], (unsigned long long)l[w].charge,
                            (unsigned long long)sum);
    }
    return rc;
}
