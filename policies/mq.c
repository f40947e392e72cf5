/* SPDX-License-Identifier: MIT */
/*
 * mq.c - the multi-queue cache base (see mq_internal.h): one index and node pool, several
 * lists of cached or ghost keys, each with its charge. O(1) expected per operation.
 */
#include <string.h>

#include "../sim/util/mem.h"
#include "mq_internal.h"

int ts__mq_init(ts__mq_t *m, const ts_policy_ops_t *ops, const ts_policy_init_t *init,
                size_t node_size, uint32_t n_lists, uint32_t cached_mask,
                const char *const *names, uint32_t keys_per_unit, ts_err_t *err)
{
    TS_ASSERT(n_lists <= TS__MQ_MAX && node_size >= sizeof(ts__qnode_t));
    ts_policy_base_init(&m->base, ops, init);
    m->n_lists = n_lists;
    m->cached_mask = cached_mask;
    m->names = names;
    for (uint32_t i = 0; i < TS__MQ_MAX; i++)
        ts__list_init(&m->q[i]);
    /* In objects mode the capacity bounds the population: size for it up front. */
    uint64_t hint = init->count_objects && init->capacity < (1u << 25)
                        ? keys_per_unit * init->capacity
                        : 1024;
    int rc = ts_pool_init(&m->pool, node_size, (uint32_t)hint + 1, err);
    if (rc)
        return rc;
    rc = ts_ktab_init(&m->index, hint, err);
    if (rc)
        ts_pool_free_all(&m->pool);
    return rc;
}

int ts__mq_params(const ts_policy_ops_t *ops, const void *params, void *out, size_t size,
                  ts_err_t *err)
{
    if (params) {
        memcpy(out, params, size);
        return 0;
    }
    return ts_param_defaults(ops->base.params, ops->base.params_count, out, size, err);
}

void ts__mq_fini(ts__mq_t *m)
{
    ts_ktab_free(&m->index);
    ts_pool_free_all(&m->pool);
}

void ts__mq_unlink(ts__mq_t *m, uint32_t id)
{
    ts__qnode_t *n = ts__qn(m, id);
    ts__list_t *l = &m->q[n->where];
    uint64_t c = ts_policy_charge(&m->base, n->ln.size_bytes);
    ts__list_unlink(&m->pool, l, id);
    TS_ASSERT(l->charge >= c);
    l->charge -= c;
}

void ts__mq_push(ts__mq_t *m, uint32_t id, uint32_t where)
{
    ts__qnode_t *n = ts__qn(m, id);
    ts__list_t *l = &m->q[where];
    n->where = (uint8_t)where;
    ts__list_push_head(&m->pool, l, id);
    l->charge += ts_policy_charge(&m->base, n->ln.size_bytes);
}

void ts__mq_move(ts__mq_t *m, uint32_t id, uint32_t where)
{
    ts__mq_unlink(m, id);
    ts__mq_push(m, id, where);
}

uint32_t ts__mq_add(ts__mq_t *m, const ts_req_t *r, uint32_t where, ts_err_t *err)
{
    uint32_t id = ts_pool_alloc(&m->pool, err);
    if (id == TS_POOL_NONE)
        return TS__NIL;
    if (ts_ktab_insert(&m->index, r->key, id, err)) {
        ts_pool_release(&m->pool, id);
        return TS__NIL;
    }
    ts__qnode_t *n = ts__qn(m, id);
    memset((char *)n + sizeof(n->ln), 0, m->pool.stride - sizeof(n->ln));
    n->ln.key = r->key;
    n->ln.size_bytes = r->size_bytes;
    ts__mq_push(m, id, where);
    return id;
}

void ts__mq_drop(ts__mq_t *m, uint32_t id, ts_victim_t *out)
{
    ts__qnode_t *n = ts__qn(m, id);
    if (out) {
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
    }
    ts__mq_unlink(m, id);
    int removed = ts_ktab_remove(&m->index, n->ln.key, id);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&m->pool, id);
}

void ts__mq_trim(ts__mq_t *m, uint32_t where, uint64_t cap)
{
    ts__list_t *l = &m->q[where];
    while (l->tail != TS__NIL && l->charge > cap)
        ts__mq_drop(m, l->tail, NULL);
}

bool ts__mq_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    ts__mq_t *m = (ts__mq_t *)p;
    uint32_t id = ts__find(&m->index, &m->pool, key);
    if (id == TS__NIL || !ts__mq_is_cached(m, id))
        return false;
    ts__mq_drop(m, id, out);
    return true;
}

size_t ts__mq_mem(const ts__mq_t *m, size_t self_size)
{
    return self_size + ts_pool_bytes(&m->pool) + ts_ktab_bytes(&m->index);
}

void ts__mq_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const ts__mq_t *m = (const ts__mq_t *)p;
    ts__prefetch(&m->index, &m->pool, key, stage);
    for (uint32_t w = 0; w < m->n_lists; w++)
        if (m->q[w].tail != TS__NIL)
            __builtin_prefetch(ts__qn(m, m->q[w].tail));
}

int ts__mq_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                 ts_err_t *err)
{
    const ts__mq_t *m = (const ts__mq_t *)p;
    const char *name = p->ops->base.name;
    uint64_t n_cached = 0, c_cached = 0, n_all = 0;
    for (uint32_t w = 0; w < m->n_lists; w++) {
        n_all += m->q[w].n;
        if ((m->cached_mask >> w) & 1) {
            n_cached += m->q[w].n;
            c_cached += m->q[w].charge;
        }
    }
    int rc = ts__held_check(p, n_cached, c_cached, n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &m->pool, &m->index, n_all, full, err);
    for (uint32_t w = 0; rc == 0 && full && w < m->n_lists; w++) {
        uint64_t sum = 0;
        rc = ts__list_check(p, &m->pool, &m->index, &m->q[w], m->names[w], &sum, err);
        if (rc == 0 && sum != m->q[w].charge)
            rc = ts_err_set(err, TS_EINTERNAL, "%s: list %s counts %llu units, its nodes %llu",
                            name, m->names[w], (unsigned long long)m->q[w].charge,
                            (unsigned long long)sum);
        for (uint32_t id = m->q[w].head; rc == 0 && id != TS__NIL; id = ts__qn(m, id)->ln.next)
            if (ts__qn(m, id)->where != w)
                rc = ts_err_set(err, TS_EINTERNAL, "%s: node %u on list %s says list %u", name,
                                id, m->names[w], ts__qn(m, id)->where);
    }
    return rc;
}
