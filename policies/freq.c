/* SPDX-License-Identifier: MIT */
/*
 * freq.c - frequency buckets shared by LeCaR and Cacheus (contract in freq_internal.h):
 * FIFOs of equal count linked in increasing order, each bucket freed when it empties; and
 * the experts' base both policies are built on (instance, nodes, index, draws, weights).
 */
#include "freq_internal.h"

#include "../sim/util/mem.h"

int ts__freq_init(ts__freq_t *f, const ts_pool_t *nodes, size_t link_off, uint32_t initial,
                  ts_err_t *err)
{
    f->lowest = TS__NIL;
    f->nodes = nodes;
    f->link_off = link_off;
    return ts_pool_init(&f->pool, sizeof(ts__fbucket_t), initial, err);
}

void ts__freq_fini(ts__freq_t *f)
{
    ts_pool_free_all(&f->pool);
}

int ts__freq_reserve(ts__freq_t *f, uint32_t n, ts_err_t *err)
{
    return ts_pool_reserve(&f->pool, n, err);
}

static void freq_append(ts__freq_t *f, uint32_t b, uint32_t id)
{
    ts__fbucket_t *bk = ts__fb(f, b);
    ts__flink_t *l = ts__fl(f, id);
    l->bucket = b;
    l->next = TS__NIL;
    l->prev = bk->last;
    if (bk->last != TS__NIL)
        ts__fl(f, bk->last)->next = id;
    else
        bk->first = id;
    bk->last = id;
    bk->n++;
}

/* A new empty bucket of count freq between lower and higher (either may be TS__NIL); the
 * pool has room (reserved by the policy), so it cannot fail. */
static uint32_t freq_new(ts__freq_t *f, uint64_t freq, uint32_t lower, uint32_t higher)
{
    uint32_t b = ts_pool_alloc(&f->pool, NULL);
    if (TS_NEVER(b == TS_POOL_NONE))
        return TS__NIL;
    *ts__fb(f, b) = (ts__fbucket_t){
        .freq = freq, .lower = lower, .higher = higher, .first = TS__NIL, .last = TS__NIL};
    if (lower != TS__NIL)
        ts__fb(f, lower)->higher = b;
    else
        f->lowest = b;
    if (higher != TS__NIL)
        ts__fb(f, higher)->lower = b;
    return b;
}

void ts__freq_file(ts__freq_t *f, uint32_t id, uint64_t freq)
{
    uint32_t lower = TS__NIL, b = f->lowest;
    while (b != TS__NIL && ts__fb(f, b)->freq < freq) {
        lower = b;
        b = ts__fb(f, b)->higher;
    }
    if (b == TS__NIL || ts__fb(f, b)->freq != freq)
        b = freq_new(f, freq, lower, b);
    if (TS_ALWAYS(b != TS__NIL))
        freq_append(f, b, id);
}

void ts__freq_detach(ts__freq_t *f, uint32_t id)
{
    ts__flink_t *l = ts__fl(f, id);
    uint32_t b = l->bucket;
    ts__fbucket_t *bk = ts__fb(f, b);
    if (l->prev != TS__NIL)
        ts__fl(f, l->prev)->next = l->next;
    else
        bk->first = l->next;
    if (l->next != TS__NIL)
        ts__fl(f, l->next)->prev = l->prev;
    else
        bk->last = l->prev;
    if (--bk->n)
        return;
    if (bk->lower != TS__NIL)
        ts__fb(f, bk->lower)->higher = bk->higher;
    else
        f->lowest = bk->higher;
    if (bk->higher != TS__NIL)
        ts__fb(f, bk->higher)->lower = bk->lower;
    ts_pool_release(&f->pool, b);
}

void ts__freq_bump(ts__freq_t *f, uint32_t id)
{
    uint32_t b = ts__fl(f, id)->bucket;
    ts__fbucket_t *bk = ts__fb(f, b);
    uint64_t k = bk->freq + 1;
    uint32_t next = bk->higher;
    if (next == TS__NIL || ts__fb(f, next)->freq != k) {
        if (bk->n == 1) {
            bk->freq = k; /* alone: the bucket takes the new count */
            return;
        }
        /* Cannot fail: live buckets <= cached objects <= the pool's room. */
        next = freq_new(f, k, b, next);
        if (next == TS__NIL)
            return;
    }
    ts__freq_detach(f, id);
    freq_append(f, next, id);
}

int ts__freq_check(const ts__freq_t *f, const ts_policy_t *p, uint64_t n, ts_err_t *err)
{
    const char *name = p->ops->base.name;
    uint64_t seen = 0, prev_freq = 0;
    uint32_t lower = TS__NIL;
    for (uint32_t b = f->lowest; b != TS__NIL; lower = b, b = ts__fb(f, b)->higher) {
        const ts__fbucket_t *bk = ts__fb(f, b);
        uint64_t k = 0;
        uint32_t before = TS__NIL;
        for (uint32_t id = bk->first; id != TS__NIL && k <= bk->n; id = ts__fl(f, id)->next) {
            if (id >= f->nodes->cap || ts__fl(f, id)->prev != before || ts__fl(f, id)->bucket != b)
                return ts_err_set(err, TS_EINTERNAL, "%s: node %u in bucket %u is misfiled", name,
                                  id, b);
            before = id;
            k++;
        }
        if (bk->lower != lower || bk->freq <= prev_freq || k != bk->n || k == 0 ||
            bk->last != before)
            return ts_err_set(err, TS_EINTERNAL,
                              "%s: bucket %u (count %llu) holds %llu of %llu objects or is "
                              "out of order",
                              name, b, (unsigned long long)bk->freq, (unsigned long long)k,
                              (unsigned long long)bk->n);
        prev_freq = bk->freq;
        seen += k;
    }
    if (seen != n)
        return ts_err_set(err, TS_EINTERNAL, "%s: buckets hold %llu objects, its lists %llu", name,
                          (unsigned long long)seen, (unsigned long long)n);
    return 0;
}

/* ---- the learned-experts base ---- */

void ts__experts_destroy(ts_policy_t *p)
{
    ts__experts_t *x = (ts__experts_t *)p;
    if (!x)
        return;
    ts_rng_destroy(x->rng);
    ts_ktab_free(&x->index);
    ts__freq_fini(&x->freq);
    ts_pool_free_all(&x->pool);
    ts_free(x);
}

int ts__experts_create(size_t self_bytes, const ts_policy_ops_t *ops,
                       const ts_policy_init_t *init, size_t node_bytes, size_t link_off,
                       uint32_t nodes, uint32_t buckets, ts__experts_t **out, ts_err_t *err)
{
    *out = NULL;
    ts__experts_t *x = ts_calloc(1, self_bytes);
    if (!x)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %s", ops->base.name);
    ts_policy_base_init(&x->base, ops, init);
    x->self_bytes = self_bytes;
    int rc;
    if ((rc = ts_pool_init(&x->pool, node_bytes, nodes, err)) ||
        (rc = ts__freq_init(&x->freq, &x->pool, link_off, buckets, err)) ||
        (rc = ts_ktab_init(&x->index, nodes, err)))
        goto fail;
    x->rng = ts_rng_create(init->seed, err);
    if (!x->rng) {
        rc = TS_ENOMEM;
        goto fail;
    }
    *out = x;
    return 0;
fail:
    ts__experts_destroy(&x->base);
    return rc;
}

uint32_t ts__experts_add(ts__experts_t *x, uint64_t key, ts_err_t *err)
{
    uint32_t id = ts_pool_alloc(&x->pool, err);
    if (id == TS_POOL_NONE)
        return TS__NIL;
    if (ts_ktab_insert(&x->index, key, id, err)) {
        ts_pool_release(&x->pool, id);
        return TS__NIL;
    }
    *(uint64_t *)ts_pool_at(&x->pool, id) = key;
    return id;
}

void ts__experts_release(ts__experts_t *x, uint32_t id)
{
    int removed = ts_ktab_remove(&x->index, *(const uint64_t *)ts_pool_at(&x->pool, id), id);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&x->pool, id);
}

size_t ts__experts_mem_bytes(const ts_policy_t *p)
{
    const ts__experts_t *x = (const ts__experts_t *)p;
    return x->self_bytes + ts_pool_bytes(&x->pool) + ts__freq_bytes(&x->freq) +
           ts_ktab_bytes(&x->index);
}

void ts__experts_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const ts__experts_t *x = (const ts__experts_t *)p;
    ts__prefetch(&x->index, &x->pool, key, stage);
}

void ts__experts_regret(double *w_lru, double *w_lfu, bool lru_regrets, double factor)
{
    if (lru_regrets)
        *w_lru *= factor;
    else
        *w_lfu *= factor;
    double s = *w_lru + *w_lfu;
    if (s > 0) {
        *w_lru /= s;
        *w_lfu /= s;
    } else {
        *w_lru = *w_lfu = 0.5;
    }
}
