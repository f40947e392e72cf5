/* SPDX-License-Identifier: MIT */
/*
 * lecar.c - LeCaR: Learning Cache Replacement with LRU and LFU experts and regret weights.
 *
 * Two experts propose a victim: LRU (the least recently used object) and LFU (the least
 * frequently used, ties to the one that reached its count first). Weights w_lru + w_lfu = 1
 * say how far each is trusted. Each expert has a history H of the keys it evicted (FIFO,
 * newest first), holding at most c / 2 of charge each. t counts the requests the tier saw.
 * Decision rule:
 *   on hit:        move to the LRU head; freq += 1 (to the end of its new count's queue)
 *   on a miss of a key in H_e (expert e evicted it at time t_e):
 *                  w_e = w_e * exp(-lambda * d^(t - t_e)); both weights divided by their
 *                  sum; the key leaves H_e (regret: e's choice was wrong, and the sooner
 *                  the key came back the more it costs e)
 *   on insert:     freq = 1, at the LRU head
 *   on evict:      if both experts name the same object it leaves and no history keeps it;
 *                  else draw u uniform in (0, 1): LRU's choice leaves when u < w_lru, LFU's
 *                  otherwise; its key goes to the head of that expert's history, whose
 *                  tail entries fall off beyond c / 2.
 * lambda = learning_rate (0.45), d = 0.005^(1 / c) (discount), w_lru starts at lru_weight
 * (0.5); the draws come from a stream seeded by the policy's seed.
 * Frequencies count only while an object is cached: one that returns starts again at 1.
 * Structure: the LRU list of cached objects, the two histories (lists of ghost nodes) and,
 * for LFU, buckets of equal count in increasing order, each a FIFO of its objects; the
 * instance, nodes, index, buckets and draws are the experts' base shared with Cacheus
 * (freq.c). The bucket pool is kept as large as the population, so hits never
 * allocate.
 * Cost: O(1) expected for every operation. Memory: a 48-byte node per cached or history key
 * (at most 2c keys in objects mode) and at most one 32-byte bucket per object, plus index.
 * Paper: Vietri, Rodriguez, Martinez, Lyons, Liu, Rangaswami, Zhao, Narasimhan, "Driving
 * Cache Replacement with ML-based LeCaR", HotStorage 2018.
 */
#include "../sim/policy.h"

#include <math.h>
#include <stddef.h>

#include "../sim/util/rng.h"
#include "freq_internal.h"
#include "list_internal.h"

extern const ts_policy_ops_t ts_policy_lecar;

typedef struct lecar_params {
    double learning_rate; /* lambda */
    double lru_weight;    /* initial w_lru */
} lecar_params_t;

static const ts_param_spec_t k_lecar_params[] = {
    {.name = "learning_rate",
     .type = TS_PT_DOUBLE,
     .offset = offsetof(lecar_params_t, learning_rate),
     .min = 0,
     .max = 100,
     .def = "0.45",
     .help = "lambda: how much one regretted eviction lowers its expert's weight"},
    {.name = "lru_weight",
     .type = TS_PT_FRACTION,
     .offset = offsetof(lecar_params_t, lru_weight),
     .min = 0,
     .max = 1,
     .def = "0.5",
     .help = "the LRU expert's weight at the start (LFU's is one minus it)"},
};

enum lecar_where { LC_CACHE, LC_H_LRU, LC_H_LFU, LC_NLISTS };

typedef struct lecar_node {
    ts__lnode_t ln; /* must be first: key, size, links within its list */
    uint64_t time;  /* history: the request count at its eviction */
    ts__flink_t fl; /* cached: its count's FIFO */
    uint8_t where;  /* lecar_where */
} lecar_node_t;

typedef struct lecar {
    ts__experts_t x;         /* must be first: lecar_node_t per cached or history key, index,
                                LFU's buckets of the cached objects, the eviction draws */
    ts__list_t l[LC_NLISTS]; /* LRU list (head MRU), H_lru, H_lfu (head newest) */
    uint64_t hist_cap;       /* charge each history keeps: c / 2 */
    uint64_t now;            /* requests seen (touching lookups) */
    double w_lru, w_lfu;     /* expert weights, summing to 1 */
    double lr, ln_discount;  /* lambda and ln d */
} lecar_t;

static inline lecar_node_t *lc_node(const lecar_t *c, uint32_t id)
{
    return (lecar_node_t *)ts_pool_at(&c->x.pool, id);
}

static int lecar_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                        ts_err_t *err)
{
    lecar_params_t lp;
    int rc = 0;
    *out = NULL;
    if (params)
        lp = *(const lecar_params_t *)params;
    else if ((rc = ts_param_defaults(k_lecar_params, TS_PARAM_COUNT(k_lecar_params), &lp,
                                     sizeof(lp), err)) != 0)
        return rc;
    if (!(lp.learning_rate >= 0 && lp.learning_rate <= 100) ||
        !(lp.lru_weight >= 0 && lp.lru_weight <= 1))
        return ts_err_set(err, TS_EINVAL,
                          "lecar: learning_rate must lie in [0, 100] and lru_weight in [0, 1]");
    uint64_t hint = init->count_objects && init->capacity < (1u << 25) ? 2 * init->capacity : 1024;
    ts__experts_t *x;
    if ((rc = ts__experts_create(sizeof(lecar_t), &ts_policy_lecar, init, sizeof(lecar_node_t),
                                 offsetof(lecar_node_t, fl), (uint32_t)hint + 1,
                                 (uint32_t)hint / 2 + 1, &x, err)))
        return rc;
    lecar_t *c = (lecar_t *)x;
    for (int i = 0; i < LC_NLISTS; i++)
        ts__list_init(&c->l[i]);
    c->hist_cap = init->capacity / 2;
    c->w_lru = lp.lru_weight;
    c->w_lfu = 1 - lp.lru_weight;
    c->lr = lp.learning_rate;
    c->ln_discount = init->capacity ? log(0.005) / (double)init->capacity : 0;
    *out = &c->x.base;
    return 0;
}

/* ---- lists ---- */

static void lc_unlink(lecar_t *c, uint32_t id)
{
    lecar_node_t *n = lc_node(c, id);
    ts__list_t *l = &c->l[n->where];
    ts__list_unlink(&c->x.pool, l, id);
    l->charge -= ts_policy_charge(&c->x.base, n->ln.size_bytes);
}

static void lc_push(lecar_t *c, uint32_t id, int where)
{
    lecar_node_t *n = lc_node(c, id);
    n->where = (uint8_t)where;
    ts__list_push_head(&c->x.pool, &c->l[where], id);
    c->l[where].charge += ts_policy_charge(&c->x.base, n->ln.size_bytes);
}

/* Unlinks (from its list and, when cached, its bucket), unindexes and frees node id. */
static void lc_free(lecar_t *c, uint32_t id)
{
    lecar_node_t *n = lc_node(c, id);
    if (n->where == LC_CACHE)
        ts__freq_detach(&c->x.freq, id);
    lc_unlink(c, id);
    ts__experts_release(&c->x, id);
}

/* Regret: the expert whose history held the key loses weight. */
static void lecar_regret(lecar_t *c, uint32_t id)
{
    lecar_node_t *n = lc_node(c, id);
    double f = exp(-c->lr * exp(c->ln_discount * (double)(c->now - n->time))); /* d^t */
    ts__experts_regret(&c->w_lru, &c->w_lfu, n->where == LC_H_LRU, f);
}

static bool lecar_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    lecar_t *c = (lecar_t *)p;
    if (touch)
        c->now++;
    uint32_t id = ts__find(&c->x.index, &c->x.pool, r->key);
    if (id == TS__NIL)
        return false;
    lecar_node_t *n = lc_node(c, id);
    if (n->where != LC_CACHE) {
        if (touch) {
            lecar_regret(c, id);
            lc_free(c, id);
        }
        return false;
    }
    if (!touch)
        return true;
    ts__list_move_head(&c->x.pool, &c->l[LC_CACHE], id);
    ts__freq_bump(&c->x.freq, id);
    return true;
}

static int lecar_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    lecar_t *c = (lecar_t *)p;
    /* A history key is taken out by the touching lookup of its miss; one inserted without
     * a lookup (a demotion) leaves its history without regret. */
    uint32_t id = ts__find(&c->x.index, &c->x.pool, r->key);
    if (id != TS__NIL)
        lc_free(c, id);
    if (ts__freq_reserve(&c->x.freq, (uint32_t)c->l[LC_CACHE].n + 1, err))
        return TS_ENOMEM;
    id = ts__experts_add(&c->x, r->key, err);
    if (id == TS__NIL)
        return TS_ENOMEM;
    lecar_node_t *n = lc_node(c, id);
    n->ln.size_bytes = r->size_bytes;
    n->time = 0;
    lc_push(c, id, LC_CACHE);
    ts__freq_file(&c->x.freq, id, 1);
    return 0;
}

static int lecar_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    lecar_t *c = (lecar_t *)p;
    (void)r;
    uint32_t lru = c->l[LC_CACHE].tail;
    if (lru == TS__NIL)
        return TS_ENOENT;
    uint32_t lfu = ts__freq_lowest(&c->x.freq, false);
    int hist = -1;
    uint32_t id = lru;
    if (lru != lfu) {
        bool by_lru = ts_rng_unit(c->x.rng) < c->w_lru;
        id = by_lru ? lru : lfu;
        hist = by_lru ? LC_H_LRU : LC_H_LFU;
    }
    lecar_node_t *n = lc_node(c, id);
    out->key = n->ln.key;
    out->size_bytes = n->ln.size_bytes;
    if (hist < 0) {
        lc_free(c, id);
        return 0;
    }
    ts__freq_detach(&c->x.freq, id);
    lc_unlink(c, id);
    n->time = c->now;
    lc_push(c, id, hist);
    ts__list_t *h = &c->l[hist];
    while (h->tail != TS__NIL && h->charge > c->hist_cap)
        lc_free(c, h->tail);
    return 0;
}

/* Removes a cached object; history keys are not cached and stay. */
static bool lecar_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    lecar_t *c = (lecar_t *)p;
    uint32_t id = ts__find(&c->x.index, &c->x.pool, key);
    if (id == TS__NIL || lc_node(c, id)->where != LC_CACHE)
        return false;
    if (out) {
        out->key = key;
        out->size_bytes = lc_node(c, id)->ln.size_bytes;
    }
    lc_free(c, id);
    return true;
}

/* The LRU list holds the cached objects, each history at most c / 2, the weights sum to 1;
 * walking: every list, and the buckets (increasing counts, FIFO links, every cached object
 * in exactly one, none empty). */
static int lecar_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                       ts_err_t *err)
{
    static const char *const names[LC_NLISTS] = {"LRU", "H_lru", "H_lfu"};
    const lecar_t *c = (const lecar_t *)p;
    const ts__list_t *l = c->l;
    int rc = ts__held_check(p, l[LC_CACHE].n, l[LC_CACHE].charge, n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &c->x.pool, &c->x.index, l[0].n + l[1].n + l[2].n, full, err);
    if (rc == 0 && (l[LC_H_LRU].charge > c->hist_cap || l[LC_H_LFU].charge > c->hist_cap))
        rc = ts_err_set(err, TS_EINTERNAL, "lecar: histories hold %llu and %llu units, over %llu",
                        (unsigned long long)l[LC_H_LRU].charge,
                        (unsigned long long)l[LC_H_LFU].charge, (unsigned long long)c->hist_cap);
    if (rc == 0 && !(fabs(c->w_lru + c->w_lfu - 1) < 1e-9 && c->w_lru >= 0 && c->w_lfu >= 0))
        rc = ts_err_set(err, TS_EINTERNAL, "lecar: weights %g and %g do not sum to 1", c->w_lru,
                        c->w_lfu);
    for (int w = 0; rc == 0 && full && w < LC_NLISTS; w++) {
        uint64_t sum = 0;
        rc = ts__list_check(p, &c->x.pool, &c->x.index, &l[w], names[w], &sum, err);
        if (rc == 0 && sum != l[w].charge)
            rc = ts_err_set(err, TS_EINTERNAL, "lecar: %s counts %llu units, its nodes %llu",
                            names[w], (unsigned long long)l[w].charge, (unsigned long long)sum);
        for (uint32_t id = l[w].head; rc == 0 && id != TS__NIL; id = lc_node(c, id)->ln.next)
            if (lc_node(c, id)->where != w)
                rc = ts_err_set(err, TS_EINTERNAL, "lecar: node %u on %s says list %u", id,
                                names[w], lc_node(c, id)->where);
    }
    return rc || !full ? rc : ts__freq_check(&c->x.freq, p, l[LC_CACHE].n, err);
}

const ts_policy_ops_t ts_policy_lecar = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "lecar",
             .summary = "LeCaR: LRU and LFU experts, one drawn by regret-learned weights",
             .params = k_lecar_params,
             .params_count = TS_PARAM_COUNT(k_lecar_params),
             .params_size = sizeof(lecar_params_t)},
    .create = lecar_create,
    .destroy = ts__experts_destroy,
    .lookup = lecar_lookup,
    .insert = lecar_insert,
    .evict = lecar_evict,
    .remove = lecar_remove,
    .mem_bytes = ts__experts_mem_bytes,
    .prefetch = ts__experts_prefetch,
    .check = lecar_check,
};
