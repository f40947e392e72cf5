/* SPDX-License-Identifier: MIT */
/*
 * hyperbolic.c - Hyperbolic caching: evict the sampled object with the lowest request rate
 * since it entered the cache.
 *
 * Each object has a count freq and the time t0 it entered (both reset when it re-enters);
 * now is the number of requests this policy has seen. Decision rule:
 *   on hit:    freq += 1
 *   on insert: freq = 1, t0 = now
 *   on evict:  draw `samples` cached objects uniformly at random, with replacement, from
 *              a stream seeded by the scenario's seed; the one with the smallest
 *              freq / (now - t0) leaves (ties: the first drawn)
 * Sizes: in bytes mode the rate is divided by the object's size when `by_size` is set
 * (the paper's size-aware variant), not by default.
 * Structure: the cached objects sit in a dense array (id, freq, t0), so a draw is one
 * random index and the scores read only that array; removal swaps the last entry in.
 * Cost: O(1) expected per hit and insert, O(samples) per evict. Memory: a 32-byte node
 * and a 16-byte array entry per object.
 * Defaults are the paper's and libCacheSim's (64 samples). Being randomised, the miss
 * ratio matches libCacheSim's only statistically (its draws come from its hash table).
 * Paper: Blankstein, Sen, Freedman, "Hyperbolic Caching: Flexible Caching for Web
 * Applications", USENIX ATC 2017.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "../sim/util/rng.h"
#include "list_internal.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_hyperbolic;

typedef struct hyperbolic_params {
    int64_t samples; /* objects drawn per eviction */
    bool by_size;    /* divide the rate by the size (bytes mode) */
} hyperbolic_params_t;

static const ts_param_spec_t k_hyperbolic_params[] = {
    {.name = "samples",
     .type = TS_PT_INT,
     .offset = offsetof(hyperbolic_params_t, samples),
     .min = 1,
     .max = 4096,
     .def = "64",
     .help = "cached objects drawn at random per eviction"},
    {.name = "by_size",
     .type = TS_PT_BOOL,
     .offset = offsetof(hyperbolic_params_t, by_size),
     .def = "false",
     .help = "divide each object's request rate by its charge (size-aware variant)"},
};

typedef struct hyp_node {
    uint64_t key;        /* must be first (ts_ktab) */
    uint64_t size_bytes; /* as inserted */
    uint32_t slot;       /* its entry in the dense array */
} hyp_node_t;

typedef struct hyp_entry {
    uint32_t id;   /* its node */
    uint32_t freq; /* requests while cached (saturates) */
    uint64_t t0;   /* `now` when it entered */
} hyp_entry_t;

typedef struct hyperbolic {
    ts_policy_t base;   /* must be first */
    ts_pool_t pool;     /* hyp_node_t per cached object */
    ts_ktab_t index;    /* key -> node id */
    hyp_entry_t *dense; /* cached objects, [0, n) */
    uint32_t n;         /* entries in use */
    uint32_t cap;       /* entries allocated */
    uint64_t now;       /* touching lookups so far */
    uint64_t charge;    /* sum of the objects' charges */
    uint64_t rng;       /* splitmix64 state */
    uint32_t samples;   /* draws per eviction */
    bool by_size;       /* size-aware score */
} hyperbolic_t;

static inline hyp_node_t *hyp_node(const hyperbolic_t *h, uint32_t id)
{
    return (hyp_node_t *)ts_pool_at(&h->pool, id);
}

static int hyperbolic_create(const void *params, const ts_policy_init_t *init,
                             ts_policy_t **out, ts_err_t *err)
{
    hyperbolic_params_t hp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_hyperbolic, params, &hp, sizeof(hp), err);
    if (rc)
        return rc;
    if (hp.samples < 1 || hp.samples > 4096)
        return ts_err_set(err, TS_EINVAL, "hyperbolic: samples must lie in 1..4096, not %lld",
                          (long long)hp.samples);
    hyperbolic_t *h = ts_calloc(1, sizeof(*h));
    if (!h)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate hyperbolic");
    ts_policy_base_init(&h->base, &ts_policy_hyperbolic, init);
    h->samples = (uint32_t)hp.samples;
    h->by_size = hp.by_size;
    h->rng = ts_seed_derive(init->seed, 0x4879706572); /* "Hyper" */
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    rc = ts_pool_init(&h->pool, sizeof(hyp_node_t), (uint32_t)hint + 1, err);
    if (rc)
        goto fail;
    rc = ts_ktab_init(&h->index, hint, err);
    if (rc)
        goto fail;
    h->cap = (uint32_t)hint + 1;
    h->dense = ts_malloc((size_t)h->cap * sizeof(*h->dense));
    if (!h->dense) {
        rc = ts_err_set(err, TS_ENOMEM, "hyperbolic: cannot allocate %u entries", h->cap);
        goto fail;
    }
    *out = &h->base;
    return 0;
fail:
    ts_ktab_free(&h->index);
    ts_pool_free_all(&h->pool);
    ts_free(h);
    return rc;
}

static void hyperbolic_destroy(ts_policy_t *p)
{
    hyperbolic_t *h = (hyperbolic_t *)p;
    ts_free(h->dense);
    ts_ktab_free(&h->index);
    ts_pool_free_all(&h->pool);
    ts_free(h);
}

static bool hyperbolic_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    hyperbolic_t *h = (hyperbolic_t *)p;
    if (touch)
        h->now++;
    uint32_t id = ts__find(&h->index, &h->pool, r->key);
    if (id == TS__NIL)
        return false;
    if (touch) {
        hyp_entry_t *e = &h->dense[hyp_node(h, id)->slot];
        e->freq += e->freq < UINT32_MAX;
    }
    return true;
}

static int hyperbolic_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    hyperbolic_t *h = (hyperbolic_t *)p;
    if (h->n == h->cap) {
        uint32_t cap = h->cap * 2;
        hyp_entry_t *d = ts_realloc(h->dense, (size_t)cap * sizeof(*d));
        if (!d)
            return ts_err_set(err, TS_ENOMEM, "hyperbolic: cannot grow to %u entries", cap);
        h->dense = d;
        h->cap = cap;
    }
    uint32_t id = ts_pool_alloc(&h->pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (ts_ktab_insert(&h->index, r->key, id, err)) {
        ts_pool_release(&h->pool, id);
        return TS_ENOMEM;
    }
    hyp_node_t *n = hyp_node(h, id);
    n->key = r->key;
    n->size_bytes = r->size_bytes;
    n->slot = h->n;
    h->charge += ts_policy_charge(p, r->size_bytes);
    h->dense[h->n++] = (hyp_entry_t){.id = id, .freq = 1, .t0 = h->now};
    return 0;
}

static void hyp_drop(hyperbolic_t *h, uint32_t id, ts_victim_t *out)
{
    hyp_node_t *n = hyp_node(h, id);
    if (out) {
        out->key = n->key;
        out->size_bytes = n->size_bytes;
    }
    uint32_t slot = n->slot;
    TS_ASSERT(h->charge >= ts_policy_charge(&h->base, n->size_bytes));
    h->charge -= ts_policy_charge(&h->base, n->size_bytes);
    h->dense[slot] = h->dense[--h->n];
    hyp_node(h, h->dense[slot].id)->slot = slot;
    int removed = ts_ktab_remove(&h->index, n->key, id);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&h->pool, id);
}

static int hyperbolic_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    hyperbolic_t *h = (hyperbolic_t *)p;
    (void)r;
    if (h->n == 0)
        return TS_ENOENT;
    /* Draw every index first and prefetch the entries, so the misses overlap. */
    uint32_t draw[64], best = 0;
    double best_score = 0;
    for (uint32_t done = 0; done < h->samples; done += 64) {
        uint32_t m = h->samples - done < 64 ? h->samples - done : 64;
        for (uint32_t i = 0; i < m; i++) {
            draw[i] = ts__draw_below(&h->rng, h->n);
            __builtin_prefetch(&h->dense[draw[i]]);
        }
        for (uint32_t i = 0; i < m; i++) {
            const hyp_entry_t *e = &h->dense[draw[i]];
            uint64_t age = h->now - e->t0;
            double score = (double)e->freq / (double)(age ? age : 1);
            if (h->by_size)
                score /= (double)ts_policy_charge(p, hyp_node(h, e->id)->size_bytes);
            if ((done == 0 && i == 0) || score < best_score) {
                best = draw[i];
                best_score = score;
            }
        }
    }
    hyp_drop(h, h->dense[best].id, out);
    return 0;
}

static bool hyperbolic_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    hyperbolic_t *h = (hyperbolic_t *)p;
    uint32_t id = ts__find(&h->index, &h->pool, key);
    if (id == TS__NIL)
        return false;
    hyp_drop(h, id, out);
    return true;
}

static size_t hyperbolic_mem_bytes(const ts_policy_t *p)
{
    const hyperbolic_t *h = (const hyperbolic_t *)p;
    return sizeof(*h) + ts_pool_bytes(&h->pool) + ts_ktab_bytes(&h->index) +
           (size_t)h->cap * sizeof(*h->dense);
}

static void hyperbolic_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const hyperbolic_t *h = (const hyperbolic_t *)p;
    ts__prefetch(&h->index, &h->pool, key, stage);
}

/* One dense entry per object and index key; walking: each entry's node points back at
 * it, entered no later than now, and the objects' charge. */
static int hyperbolic_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge,
                            bool full, ts_err_t *err)
{
    const hyperbolic_t *h = (const hyperbolic_t *)p;
    int rc = ts__index_check(p, &h->pool, &h->index, h->n, full, err);
    if (rc || !full)
        return rc ? rc : ts__held_check(p, h->n, h->charge, n_objects, charge, err);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        const hyp_entry_t *e = &h->dense[i];
        if (e->id >= h->pool.cap || hyp_node(h, e->id)->slot != i || e->t0 > h->now ||
            e->freq == 0)
            return ts_err_set(err, TS_EINTERNAL,
                              "hyperbolic: entry %u (node %u, entered at %llu of %llu) is "
                              "not its node's",
                              i, e->id, (unsigned long long)e->t0, (unsigned long long)h->now);
        if (ts__find(&h->index, &h->pool, hyp_node(h, e->id)->key) != e->id)
            return ts_err_set(err, TS_EINTERNAL, "hyperbolic: node %u is not indexed", e->id);
        sum += ts_policy_charge(p, hyp_node(h, e->id)->size_bytes);
    }
    if (sum != h->charge)
        return ts_err_set(err, TS_EINTERNAL, "hyperbolic: counts %llu units, its objects %llu",
                          (unsigned long long)h->charge, (unsigned long long)sum);
    return ts__held_check(p, h->n, sum, n_objects, charge, err);
}

const ts_policy_ops_t ts_policy_hyperbolic = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "hyperbolic",
             .summary = "hyperbolic caching: of 64 sampled objects, evicts the lowest requests "
                        "per unit of time in the cache",
             .params = k_hyperbolic_params,
             .params_count = TS_PARAM_COUNT(k_hyperbolic_params),
             .params_size = sizeof(hyperbolic_params_t)},
    .create = hyperbolic_create,
    .destroy = hyperbolic_destroy,
    .lookup = hyperbolic_lookup,
    .insert = hyperbolic_insert,
    .evict = hyperbolic_evict,
    .remove = hyperbolic_remove,
    .mem_bytes = hyperbolic_mem_bytes,
    .prefetch = hyperbolic_prefetch,
    .check = hyperbolic_check,
};
