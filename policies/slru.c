/* SPDX-License-Identifier: MIT */
/*
 * slru.c - Segmented LRU: n LRU segments, each with an equal share of the capacity.
 *
 * c is the capacity, n = segments (default 4), quota = floor(c / n), |S| the charge on
 * segment S; segment 0 is the probationary one, segment n-1 the most protected.
 * Decision rule (heads most recently used):
 *   on hit in S_i:  i = n-1: move to the head of S_i
 *                   else: move to the head of S_i+1; while |S_j| > quota for j = i+1 down
 *                   to 1: S_j's tail moves down to the head of S_j-1 ("cooling")
 *   on insert x:    x to the head of the lowest segment with room for it (|S| + x <=
 *                   quota), else to the head of S_0
 *   on evict:       the tail of the lowest non-empty segment leaves
 * New objects therefore fill the segments from the bottom while the cache warms up, as in
 * libCacheSim's SLRU. When n does not divide c, S_0 holds the remainder beyond its quota;
 * libCacheSim then evicts from S_0 when a hit cools into it, which a tier's policy cannot
 * do (evictions belong to the tier), so the two differ only for such capacities.
 * Cost: O(1) expected, a hit O(n) at worst (one cooling step per segment). Memory: a
 * 32-byte node per object.
 * Paper: Karedla, Love, Wherry, "Caching strategies to improve disk system performance",
 * IEEE Computer 27(3), 1994.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_slru;

#define SLRU_MAX_SEGMENTS 16

typedef struct slru_params {
    int64_t segments; /* number of segments */
} slru_params_t;

static const ts_param_spec_t k_slru_params[] = {
    {.name = "segments",
     .type = TS_PT_INT,
     .offset = offsetof(slru_params_t, segments),
     .min = 1,
     .max = SLRU_MAX_SEGMENTS,
     .def = "4",
     .help = "number of LRU segments, each with an equal share of the capacity"},
};

static const char *const k_slru_names[SLRU_MAX_SEGMENTS] = {
    "S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7",
    "S8", "S9", "S10", "S11", "S12", "S13", "S14", "S15",
};

typedef struct slru {
    ts__mq_t m;     /* must be first: index, pool, one list per segment */
    uint64_t quota; /* charge units per segment */
} slru_t;

static int slru_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                       ts_err_t *err)
{
    slru_params_t sp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_slru, params, &sp, sizeof(sp), err);
    if (rc)
        return rc;
    if (sp.segments < 1 || sp.segments > SLRU_MAX_SEGMENTS)
        return ts_err_set(err, TS_EINVAL, "slru: segments must lie in 1..%d, not %lld",
                          SLRU_MAX_SEGMENTS, (long long)sp.segments);
    slru_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate slru");
    uint32_t n = (uint32_t)sp.segments;
    rc = ts__mq_init(&s->m, &ts_policy_slru, init, sizeof(ts__qnode_t), n, (1u << n) - 1,
                     k_slru_names, 1, err);
    if (rc) {
        ts_free(s);
        return rc;
    }
    s->quota = init->capacity / n;
    *out = &s->m.base;
    return 0;
}

static void slru_destroy(ts_policy_t *p)
{
    slru_t *s = (slru_t *)p;
    ts__mq_fini(&s->m);
    ts_free(s);
}

/* Moves the tail of segment j >= 1 down to the head of segment j - 1, then cools that
 * one while it is over its quota (segment 0 keeps its overflow until the next evict). */
static void slru_cool(slru_t *s, uint32_t j)
{
    ts__mq_move(&s->m, s->m.q[j].tail, j - 1);
    while (j - 1 >= 1 && s->m.q[j - 1].charge > s->quota)
        slru_cool(s, j - 1);
}

static bool slru_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    slru_t *s = (slru_t *)p;
    uint32_t id = ts__find(&s->m.index, &s->m.pool, r->key);
    if (id == TS__NIL)
        return false;
    if (!touch)
        return true;
    uint32_t i = ts__qn(&s->m, id)->where;
    if (i + 1 == s->m.n_lists) {
        ts__list_move_head(&s->m.pool, &s->m.q[i], id);
        return true;
    }
    ts__mq_move(&s->m, id, i + 1);
    while (s->m.q[i + 1].charge > s->quota)
        slru_cool(s, i + 1);
    return true;
}

static int slru_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    slru_t *s = (slru_t *)p;
    uint64_t c = ts_policy_charge(p, r->size_bytes);
    uint32_t w = 0;
    while (w < s->m.n_lists && s->m.q[w].charge + c > s->quota)
        w++;
    if (w == s->m.n_lists)
        w = 0;
    return ts__mq_add(&s->m, r, w, err) == TS__NIL ? TS_ENOMEM : 0;
}

static int slru_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    slru_t *s = (slru_t *)p;
    (void)r;
    for (uint32_t w = 0; w < s->m.n_lists; w++)
        if (s->m.q[w].tail != TS__NIL) {
            ts__mq_drop(&s->m, s->m.q[w].tail, out);
            return 0;
        }
    return TS_ENOENT;
}

static size_t slru_mem_bytes(const ts_policy_t *p)
{
    return ts__mq_mem(&((const slru_t *)p)->m, sizeof(slru_t));
}

const ts_policy_ops_t ts_policy_slru = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "slru",
             .summary = "segmented LRU: a hit moves an object one segment up, overflow cools "
                        "down; evicts from the lowest segment",
             .params = k_slru_params,
             .params_count = TS_PARAM_COUNT(k_slru_params),
             .params_size = sizeof(slru_params_t)},
    .create = slru_create,
    .destroy = slru_destroy,
    .lookup = slru_lookup,
    .insert = slru_insert,
    .evict = slru_evict,
    .remove = ts__mq_remove,
    .mem_bytes = slru_mem_bytes,
    .prefetch = ts__mq_prefetch,
    .check = ts__mq_check,
};
