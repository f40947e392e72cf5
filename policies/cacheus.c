/* SPDX-License-Identifier: MIT */
/*
 * cacheus.c - Cacheus: SR-LRU and CR-LFU experts chosen by regret-learned weights, with a
 * learning rate that adapts to the hit rate.
 *
 * The cached objects are SR-LRU's two LRU lists, SR (new and demoted objects, target
 * s = sr_fraction * c) and R (objects requested again, target c - s), and CR-LFU's
 * frequency buckets. H is SR-LRU's history of evicted keys (each with its count, under c
 * units); G_lru and G_lfu hold the keys each expert evicted (c / 2 units each, newest
 * first). Weights w_lru + w_lfu = 1; lr is the learning rate. Decision rule:
 *   on hit in R:   move to R's head;   in SR: move to R's head, then while R is over its
 *                  target its LRU object moves to SR's head (demotion); freq += 1 (to the
 *                  tail of its new count's bucket)
 *   on a miss of a key in G_e: w_e *= exp(-lr), weights normalised; the key leaves G_e
 *   on insert:     a key in H leaves H for R's head (demoting as above), with freq = its
 *                  count in H + 1; any other key goes to SR's head with freq = 1
 *   on evict:      if SR is over its target, SR's LRU object leaves (SR-LRU's own rule);
 *                  else SR-LRU proposes SR's LRU object (R's when SR is empty) and CR-LFU
 *                  the newest object of the lowest count (churn resistance); the same
 *                  object leaves at once, else u is drawn uniformly in (0, 1) and SR-LRU's
 *                  choice leaves when u < w_lru, CR-LFU's otherwise, its key going to that
 *                  expert's G. Every victim's key and count go to H.
 *   every c requests (the cached object count in bytes mode): with h the hit rate of the
 *                  period and dh, dlr the changes since the last period, lr += sign(dh /
 *                  dlr) * |lr * dlr| (0.0001 when that falls under 0.001, 0.9 when it
 *                  reaches 1, as the authors' code) if lr changed;
 *                  else after 10 periods without a rising hit rate lr is drawn again.
 * lr starts uniform in {0.001, 0.002, ..., 1.0}; the draws come from a stream seeded by the
 * policy's seed. SR-LRU's adaptive SR size is not applied (see docs/policies.md: neither
 * does libCacheSim's).
 * Structure: one node per cached or remembered key (a key can be in H and a G at once),
 * linked on its SR-LRU list, its G list and, when cached, its count's FIFO; the instance,
 * nodes, index, buckets and draws are the experts' base shared with LeCaR (freq.c). Cost: O(1) per request except an insert from H (O(counts below its count)).
 * Memory: a 48-byte node per key (at most 3c keys in objects mode) and at most one 32-byte
 * bucket per cached object, plus index.
 * Paper: Rodriguez, Yusuf, Lyons, Paz, Rangaswami, Liu, Zhao, Narasimhan, "Learning Cache
 * Replacement with CACHEUS", USENIX FAST 2021.
 */
#include "../sim/policy.h"

#include <math.h>
#include <stddef.h>

#include "../sim/util/rng.h"
#include "cacheus_internal.h"
#include "freq_internal.h"
#include "list_internal.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_cacheus;

typedef struct cacheus_params {
    double sr_fraction;       /* SR's share of the capacity */
    double lru_weight;        /* initial w_lru */
    double learning_rate;     /* starting lr; negative: drawn */
    uint64_t update_interval; /* requests per learning-rate period; 0: the capacity */
} cacheus_params_t;

static const ts_param_spec_t k_cacheus_params[] = {
    {.name = "sr_fraction",
     .type = TS_PT_FRACTION,
     .offset = offsetof(cacheus_params_t, sr_fraction),
     .min = 0,
     .max = 1,
     .def = "0.5",
     .help = "SR-LRU's target for its SR list, as a share of the capacity (R gets the rest)"},
    {.name = "lru_weight",
     .type = TS_PT_FRACTION,
     .offset = offsetof(cacheus_params_t, lru_weight),
     .min = 0,
     .max = 1,
     .def = "0.5",
     .help = "SR-LRU's weight at the start (CR-LFU's is one minus it)"},
    {.name = "learning_rate",
     .type = TS_PT_DOUBLE,
     .offset = offsetof(cacheus_params_t, learning_rate),
     .min = -1,
     .max = 1,
     .def = "-1",
     .help = "the learning rate at the start; -1 draws it from 0.001..1.0 (the paper)"},
    {.name = "update_interval",
     .type = TS_PT_COUNT,
     .offset = offsetof(cacheus_params_t, update_interval),
     .min = 0,
     .max = 1e15,
     .def = "0",
     .help = "requests between learning-rate updates; 0: the capacity in objects mode, the "
             "cached object count in bytes mode"},
};

enum cacheus_list { CU_SR, CU_R, CU_H, CU_NONE };    /* SR-LRU lists */
enum cacheus_ghost { CU_G_LRU, CU_G_LFU, CU_GNONE }; /* experts' histories */

typedef struct cacheus_node {
    ts__lnode_t ln; /* must be first: key, size, links within its SR-LRU list */
    uint32_t gprev; /* links within its G list */
    uint32_t gnext;
    ts__flink_t fl; /* cached: its count's FIFO; in H: fl.bucket holds its count */
    uint8_t where;  /* cacheus_list */
    uint8_t ghost;  /* cacheus_ghost */
} cacheus_node_t;

typedef struct cacheus {
    ts__experts_t x;        /* must be first: cacheus_node_t per cached or remembered key,
                               index, CR-LFU's buckets of the cached objects, expert draws
                               and learning-rate draws */
    ts__list_t l[3];        /* SR, R, H (head: most recent) */
    ts__list_t g[2];        /* G_lru, G_lfu (head: newest; links gprev/gnext) */
    uint64_t sr_cap;        /* SR's target, charge units */
    uint64_t g_cap;         /* each G's bound: c / 2 */
    double w_lru;           /* SR-LRU's weight (CR-LFU's is 1 - w_lru) */
    ts__cacheus_lr_t learn; /* the learning rate and its history */
    uint64_t period;        /* requests per period (0: the cached object count) */
    uint64_t n_period;      /* requests in this period */
    uint64_t hits;          /* hits in this period */
    uint64_t interval;      /* length of this period */
    uint64_t n_gonly;       /* nodes in a G list and on no SR-LRU list */
} cacheus_t;

static inline cacheus_node_t *cu_node(const cacheus_t *c, uint32_t id)
{
    return (cacheus_node_t *)ts_pool_at(&c->x.pool, id);
}

static inline uint64_t cu_charge(const cacheus_t *c, uint32_t id)
{
    return ts_policy_charge(&c->x.base, cu_node(c, id)->ln.size_bytes);
}

static double cu_draw_lr(cacheus_t *c)
{
    return 0.001 + (double)ts_rng_below(c->x.rng, 1000) / 1000.0;
}

static int cacheus_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                          ts_err_t *err)
{
    cacheus_params_t cp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_cacheus, params, &cp, sizeof(cp), err);
    if (rc)
        return rc;
    if (!(cp.sr_fraction >= 0 && cp.sr_fraction <= 1) ||
        !(cp.lru_weight >= 0 && cp.lru_weight <= 1) ||
        !(cp.learning_rate >= -1 && cp.learning_rate <= 1) ||
        (cp.learning_rate < 0 && cp.learning_rate != -1))
        return ts_err_set(
            err, TS_EINVAL,
            "cacheus: sr_fraction and lru_weight must lie in [0, 1] and learning_rate in "
            "[0, 1] or be -1 (drawn)");
    /* Objects mode: c cached keys, under c in H and at most c in the Gs alone. */
    uint64_t cap = init->capacity;
    uint64_t hint = init->count_objects && cap < (1u << 24) ? 3 * cap + 2 : 1024;
    ts__experts_t *x;
    if ((rc = ts__experts_create(sizeof(cacheus_t), &ts_policy_cacheus, init,
                                 sizeof(cacheus_node_t), offsetof(cacheus_node_t, fl),
                                 (uint32_t)hint, (uint32_t)(hint / 3 + 2), &x, err)))
        return rc;
    cacheus_t *c = (cacheus_t *)x;
    for (int i = 0; i < 3; i++)
        ts__list_init(&c->l[i]);
    for (int i = 0; i < 2; i++)
        ts__list_init(&c->g[i]);
    c->sr_cap = (uint64_t)((double)init->capacity * cp.sr_fraction);
    c->g_cap = init->capacity / 2;
    c->w_lru = cp.lru_weight;
    c->period =
        cp.update_interval ? cp.update_interval : (init->count_objects ? init->capacity : 0);
    c->interval = c->period ? c->period : 1;
    c->learn.lr = cp.learning_rate < 0 ? cu_draw_lr(c) : cp.learning_rate;
    *out = &c->x.base;
    return 0;
}

/* ---- SR-LRU lists and the experts' G lists ---- */

static void cu_unlink(cacheus_t *c, uint32_t id)
{
    cacheus_node_t *n = cu_node(c, id);
    ts__list_unlink(&c->x.pool, &c->l[n->where], id);
    c->l[n->where].charge -= cu_charge(c, id);
    n->where = CU_NONE;
    c->n_gonly += n->ghost != CU_GNONE;
}

static void cu_push(cacheus_t *c, uint32_t id, int where)
{
    cacheus_node_t *n = cu_node(c, id);
    c->n_gonly -= n->where == CU_NONE && n->ghost != CU_GNONE;
    n->where = (uint8_t)where;
    ts__list_push_head(&c->x.pool, &c->l[where], id);
    c->l[where].charge += cu_charge(c, id);
}

static void cu_gunlink(cacheus_t *c, uint32_t id)
{
    cacheus_node_t *n = cu_node(c, id);
    ts__list_t *g = &c->g[n->ghost];
    if (n->gprev != TS__NIL)
        cu_node(c, n->gprev)->gnext = n->gnext;
    else
        g->head = n->gnext;
    if (n->gnext != TS__NIL)
        cu_node(c, n->gnext)->gprev = n->gprev;
    else
        g->tail = n->gprev;
    g->n--;
    g->charge -= cu_charge(c, id);
    n->ghost = CU_GNONE;
    c->n_gonly -= n->where == CU_NONE;
}

static void cu_gpush(cacheus_t *c, uint32_t id, int ghost)
{
    cacheus_node_t *n = cu_node(c, id);
    ts__list_t *g = &c->g[ghost];
    n->ghost = (uint8_t)ghost;
    n->gprev = TS__NIL;
    n->gnext = g->head;
    if (g->head != TS__NIL)
        cu_node(c, g->head)->gprev = id;
    else
        g->tail = id;
    g->head = id;
    g->n++;
    g->charge += cu_charge(c, id);
    c->n_gonly += n->where == CU_NONE;
}

/* Frees node id when it is on no list. */
static void cu_release(cacheus_t *c, uint32_t id)
{
    cacheus_node_t *n = cu_node(c, id);
    if (n->where != CU_NONE || n->ghost != CU_GNONE)
        return;
    ts__experts_release(&c->x, id);
}

/* While R is over its target, its LRU object moves to SR's head. */
static void cu_demote(cacheus_t *c)
{
    uint64_t r_cap = c->x.base.capacity - c->sr_cap;
    while (c->l[CU_R].charge > r_cap && c->l[CU_R].tail != TS__NIL) {
        uint32_t t = c->l[CU_R].tail;
        cu_unlink(c, t);
        cu_push(c, t, CU_SR);
    }
}

double ts__cacheus_regret(double w_lru, bool lru_regrets, double lr)
{
    double w_lfu = 1 - w_lru;
    ts__experts_regret(&w_lru, &w_lfu, lru_regrets, exp(-lr));
    return w_lru;
}

bool ts__cacheus_lr_update(ts__cacheus_lr_t *s, double hr)
{
    double dhr = hr - s->hr_prev, dlr = s->lr - s->lr_prev;
    s->lr_prev = s->lr;
    s->hr_prev = hr;
    if (dlr != 0) {
        double next = s->lr + fabs(s->lr * dlr) * (dhr / dlr > 0 ? 1 : -1);
        s->lr = next >= 1 ? 0.9 : next > 0.001 ? next : 0.0001;
        s->unlearn = 0;
        return false;
    }
    if (hr == 0 || dhr <= 0)
        s->unlearn++;
    if (s->unlearn < 10)
        return false;
    s->unlearn = 0;
    return true;
}

/* The learning-rate update at the end of a period. */
static void cu_update_lr(cacheus_t *c)
{
    if (ts__cacheus_lr_update(&c->learn, (double)c->hits / (double)c->interval))
        c->learn.lr = cu_draw_lr(c);
    c->hits = 0;
    c->n_period = 0;
    uint64_t cached = c->l[CU_SR].n + c->l[CU_R].n;
    c->interval = c->period ? c->period : (cached ? cached : 1);
}

static bool cacheus_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    cacheus_t *c = (cacheus_t *)p;
    uint32_t id = ts__find(&c->x.index, &c->x.pool, r->key);
    bool hit = id != TS__NIL && cu_node(c, id)->where <= CU_R;
    if (!touch)
        return hit;
    if (hit) {
        cacheus_node_t *n = cu_node(c, id);
        c->hits++;
        if (n->where == CU_R) {
            ts__list_move_head(&c->x.pool, &c->l[CU_R], id);
        } else {
            cu_unlink(c, id);
            cu_push(c, id, CU_R);
            cu_demote(c);
        }
        ts__freq_bump(&c->x.freq, id);
    } else if (id != TS__NIL && cu_node(c, id)->ghost != CU_GNONE) {
        /* Regret: the expert that evicted this key loses weight. */
        c->w_lru = ts__cacheus_regret(c->w_lru, cu_node(c, id)->ghost == CU_G_LRU, c->learn.lr);
        cu_gunlink(c, id);
        cu_release(c, id);
    }
    if (++c->n_period >= c->interval)
        cu_update_lr(c);
    return hit;
}

static int cacheus_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    cacheus_t *c = (cacheus_t *)p;
    uint64_t cached = c->l[CU_SR].n + c->l[CU_R].n;
    if (ts__freq_reserve(&c->x.freq, (uint32_t)cached + 2, err))
        return TS_ENOMEM;
    uint32_t id = ts__find(&c->x.index, &c->x.pool, r->key);
    uint64_t freq = 1;
    if (id != TS__NIL) {
        cacheus_node_t *n = cu_node(c, id);
        TS_ASSERT(n->where == CU_H || n->where == CU_NONE);
        if (n->ghost != CU_GNONE) /* inserted without a touching lookup (a demotion) */
            cu_gunlink(c, id);
        if (n->where == CU_H) {
            freq = (uint64_t)n->fl.bucket + 1;
            cu_unlink(c, id);
        }
    } else {
        id = ts__experts_add(&c->x, r->key, err);
        if (id == TS__NIL)
            return TS_ENOMEM;
        cu_node(c, id)->where = CU_NONE;
        cu_node(c, id)->ghost = CU_GNONE;
    }
    cacheus_node_t *n = cu_node(c, id);
    n->ln.key = r->key;
    n->ln.size_bytes = r->size_bytes;
    cu_push(c, id, freq > 1 ? CU_R : CU_SR);
    if (freq > 1)
        cu_demote(c);
    ts__freq_file(&c->x.freq, id, freq);
    return 0;
}

/* Moves cached node id to H with its count, and its key to G (ghost, or none); H keeps
 * under c units and each G at most c / 2. */
static void cu_retire(cacheus_t *c, uint32_t id, int ghost)
{
    cacheus_node_t *n = cu_node(c, id);
    uint64_t freq = ts__freq_of(&c->x.freq, id);
    ts__freq_detach(&c->x.freq, id);
    cu_unlink(c, id);
    n->fl.bucket = freq > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)freq;
    cu_push(c, id, CU_H);
    if (ghost != CU_GNONE)
        cu_gpush(c, id, ghost);
    ts__list_t *h = &c->l[CU_H];
    while (h->tail != TS__NIL && h->charge >= c->x.base.capacity) {
        uint32_t t = h->tail;
        cu_unlink(c, t);
        cu_release(c, t);
    }
    for (int g = 0; g < 2; g++)
        while (c->g[g].tail != TS__NIL && c->g[g].charge > c->g_cap) {
            uint32_t t = c->g[g].tail;
            cu_gunlink(c, t);
            cu_release(c, t);
        }
}

static int cacheus_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    cacheus_t *c = (cacheus_t *)p;
    (void)r;
    uint32_t lru = c->l[CU_SR].tail != TS__NIL ? c->l[CU_SR].tail : c->l[CU_R].tail;
    if (lru == TS__NIL)
        return TS_ENOENT;
    uint32_t id = lru;
    int ghost = CU_GNONE;
    if (c->l[CU_SR].charge <= c->sr_cap) {
        uint32_t lfu = ts__freq_lowest(&c->x.freq, true);
        if (lfu != lru) {
            bool by_lru = ts_rng_unit(c->x.rng) < c->w_lru;
            id = by_lru ? lru : lfu;
            ghost = by_lru ? CU_G_LRU : CU_G_LFU;
        }
    }
    out->key = cu_node(c, id)->ln.key;
    out->size_bytes = cu_node(c, id)->ln.size_bytes;
    cu_retire(c, id, ghost);
    return 0;
}

/* Removes a cached object (no history keeps it); remembered keys are not cached and stay. */
static bool cacheus_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    cacheus_t *c = (cacheus_t *)p;
    uint32_t id = ts__find(&c->x.index, &c->x.pool, key);
    if (id == TS__NIL || cu_node(c, id)->where > CU_R)
        return false;
    if (out) {
        out->key = key;
        out->size_bytes = cu_node(c, id)->ln.size_bytes;
    }
    ts__freq_detach(&c->x.freq, id);
    cu_unlink(c, id);
    cu_release(c, id);
    return true;
}

/* Walks G list g: links, tags and charge. */
static int cu_check_ghosts(const cacheus_t *c, int g, ts_err_t *err)
{
    const ts__list_t *l = &c->g[g];
    uint32_t prev = TS__NIL;
    uint64_t n = 0, sum = 0;
    for (uint32_t id = l->head; id != TS__NIL; prev = id, id = cu_node(c, id)->gnext) {
        if (n == l->n || id >= c->x.pool.cap)
            return ts_err_set(err, TS_EINTERNAL,
                              "cacheus: G list %d is longer than its %llu "
                              "keys or links outside the pool",
                              g, (unsigned long long)l->n);
        const cacheus_node_t *nd = cu_node(c, id);
        if (nd->gprev != prev || nd->ghost != g || ts__find(&c->x.index, &c->x.pool, nd->ln.key) != id)
            return ts_err_set(err, TS_EINTERNAL, "cacheus: node %u on G list %d is misfiled", id,
                              g);
        sum += cu_charge(c, id);
        n++;
    }
    if (n != l->n || prev != l->tail || sum != l->charge)
        return ts_err_set(err, TS_EINTERNAL,
                          "cacheus: G list %d holds %llu keys of %llu units, counts %llu of %llu",
                          g, (unsigned long long)n, (unsigned long long)sum,
                          (unsigned long long)l->n, (unsigned long long)l->charge);
    return 0;
}

/* SR and R hold the cached objects, H under c units, each G at most c / 2, the weight and
 * rate in range; walking: every list and the buckets. */
static int cacheus_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                         ts_err_t *err)
{
    static const char *const names[3] = {"SR", "R", "H"};
    const cacheus_t *c = (const cacheus_t *)p;
    const ts__list_t *l = c->l;
    int rc = ts__held_check(p, l[CU_SR].n + l[CU_R].n, l[CU_SR].charge + l[CU_R].charge, n_objects,
                            charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &c->x.pool, &c->x.index, l[0].n + l[1].n + l[2].n + c->n_gonly, full,
                             err);
    if (rc == 0 && ((l[CU_H].n && l[CU_H].charge >= p->capacity) ||
                    c->g[CU_G_LRU].charge > c->g_cap || c->g[CU_G_LFU].charge > c->g_cap))
        rc = ts_err_set(err, TS_EINTERNAL,
                        "cacheus: H holds %llu units (bound %llu), the Gs %llu and %llu (bound "
                        "%llu)",
                        (unsigned long long)l[CU_H].charge, (unsigned long long)p->capacity,
                        (unsigned long long)c->g[0].charge, (unsigned long long)c->g[1].charge,
                        (unsigned long long)c->g_cap);
    if (rc == 0 && !(c->w_lru >= 0 && c->w_lru <= 1 && c->learn.lr > 0 && c->learn.lr <= 1))
        rc = ts_err_set(err, TS_EINTERNAL, "cacheus: weight %g or learning rate %g out of range",
                        c->w_lru, c->learn.lr);
    for (int w = 0; rc == 0 && full && w < 3; w++) {
        uint64_t sum = 0;
        rc = ts__list_check(p, &c->x.pool, &c->x.index, &l[w], names[w], &sum, err);
        if (rc == 0 && sum != l[w].charge)
            rc = ts_err_set(err, TS_EINTERNAL, "cacheus: list %s counts %llu units, holds %llu",
                            names[w], (unsigned long long)l[w].charge, (unsigned long long)sum);
        for (uint32_t id = l[w].head; rc == 0 && id != TS__NIL; id = cu_node(c, id)->ln.next)
            if (cu_node(c, id)->where != w)
                rc = ts_err_set(err, TS_EINTERNAL, "cacheus: node %u on %s is tagged %u", id,
                                names[w], cu_node(c, id)->where);
    }
    for (int g = 0; rc == 0 && full && g < 2; g++)
        rc = cu_check_ghosts(c, g, err);
    return rc == 0 && full ? ts__freq_check(&c->x.freq, p, l[CU_SR].n + l[CU_R].n, err) : rc;
}

const ts_policy_ops_t ts_policy_cacheus = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "cacheus",
             .summary = "Cacheus: SR-LRU and CR-LFU experts, one drawn by regret-learned "
                        "weights with an adaptive learning rate",
             .params = k_cacheus_params,
             .params_count = TS_PARAM_COUNT(k_cacheus_params),
             .params_size = sizeof(cacheus_params_t)},
    .create = cacheus_create,
    .destroy = ts__experts_destroy,
    .lookup = cacheus_lookup,
    .insert = cacheus_insert,
    .evict = cacheus_evict,
    .remove = cacheus_remove,
    .mem_bytes = ts__experts_mem_bytes,
    .prefetch = ts__experts_prefetch,
    .check = cacheus_check,
};
