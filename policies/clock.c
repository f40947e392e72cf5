/* SPDX-License-Identifier: MIT */
/*
 * clock.c - CLOCK (second chance) with a k-bit reference counter per object.
 *
 * Decision rule (the queue is the clock face; its tail is where the hand points):
 *   on hit:    cnt = min(cnt + 1, 2^bits - 1)
 *   on insert: the object goes to the head with cnt = 0
 *   on evict:  loop: t = tail
 *                    if t.cnt > 0: t.cnt -= 1, move t to the head (the hand passes it)
 *                    else: evict t, stop
 * With bits = 1 this is the classic second-chance CLOCK (Corbato, 1968; FIFO-Reinsertion);
 * more bits make it approximate LFU over a sliding window (as libCacheSim's n-bit Clock).
 * Cost: O(1) expected for lookup/insert/remove; evict is O(1) amortised, because every
 * step of the hand takes back one count that a hit gave. Memory: a 16-byte node and a
 * counter byte per object, and 5.7-11.4 bytes of index (clist_internal.h).
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "clist_internal.h"

extern const ts_policy_ops_t ts_policy_clock;

typedef struct clock_params {
    int64_t bits; /* reference-counter bits per object, 1..8 */
} clock_params_t;

static const ts_param_spec_t k_clock_params[] = {
    {.name = "bits",
     .type = TS_PT_INT,
     .offset = offsetof(clock_params_t, bits),
     .min = 1,
     .max = 8,
     .def = "1",
     .help = "bits of the per-object reference counter (1: classic second chance)"},
};

typedef struct clock_policy {
    ts__ccache_t lc; /* must be first: index, nodes, queue (head newest); meta: counter */
    uint8_t max_cnt; /* 2^bits - 1 */
} clock_policy_t;

/* The reference counter of node id, 0..max_cnt (the store's byte per node). */
static inline uint8_t *clock_cnt(const clock_policy_t *c, uint32_t id)
{
    return &c->lc.st.meta[id];
}

static int clock_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                        ts_err_t *err)
{
    clock_params_t cp;
    int rc = 0;
    *out = NULL;
    if (params) /* NULL params: the schema's defaults */
        cp = *(const clock_params_t *)params;
    else if ((rc = ts_param_defaults(k_clock_params, TS_PARAM_COUNT(k_clock_params), &cp,
                                     sizeof(cp), err)) != 0)
        return rc;
    int64_t bits = cp.bits;
    if (bits < 1 || bits > 8)
        return ts_err_set(err, TS_EINVAL, "clock: bits must be between 1 and 8, not %lld",
                          (long long)bits);
    clock_policy_t *c = ts_calloc(1, sizeof(*c));
    if (!c)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate clock");
    rc = ts__ccache_init(&c->lc, &ts_policy_clock, init, true, err);
    if (rc)
        goto fail;
    c->max_cnt = (uint8_t)((1u << bits) - 1);
    *out = &c->lc.base;
    return 0;
fail:
    ts_free(c);
    return rc;
}

static void clock_destroy(ts_policy_t *p)
{
    clock_policy_t *c = (clock_policy_t *)p;
    ts__ccache_fini(&c->lc);
    ts_free(c);
}

/* A touching hit raises the counter (saturating); the queue order does not change. */
static bool clock_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    clock_policy_t *c = (clock_policy_t *)p;
    uint32_t id = ts__cstore_find(&c->lc.st, r->key);
    if (id == TS__NIL)
        return false;
    if (touch && *clock_cnt(c, id) < c->max_cnt)
        ++*clock_cnt(c, id);
    return true;
}

/* New objects start at the head with a zero counter (ts__ccache_add zeroes it). */
static int clock_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    return ts__ccache_add(&((clock_policy_t *)p)->lc, r, err) == TS__NIL ? TS_ENOMEM : 0;
}

/* The victim: the hand (the tail) passes over objects whose counter is above 0, taking
 * one from each and moving them to the head; TS__NIL when empty. */
static uint32_t clock_victim(clock_policy_t *c)
{
    for (;;) {
        uint32_t id = c->lc.list.tail;
        if (id == TS__NIL)
            return TS__NIL;
        uint8_t *cnt = clock_cnt(c, id);
        if (*cnt == 0)
            return id;
        --*cnt;
        ts__clist_move_head(&c->lc.st, &c->lc.list, id);
    }
}

static int clock_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    clock_policy_t *c = (clock_policy_t *)p;
    (void)r;
    uint32_t id = clock_victim(c);
    if (id == TS__NIL)
        return TS_ENOENT;
    ts__ccache_drop(&c->lc, id, out);
    return 0;
}

static int clock_replace(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    clock_policy_t *c = (clock_policy_t *)p;
    if (!ts__ccache_can_reuse(&c->lc, r))
        return TS_EUNSUPPORTED;
    uint32_t id = clock_victim(c);
    if (id == TS__NIL)
        return TS_ENOENT;
    ts__ccache_reuse(&c->lc, id, r, out);
    return 0;
}

static bool clock_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    return ts__ccache_remove(&((clock_policy_t *)p)->lc, key, out);
}

/* The base's checks; walking, also every counter within 0..max_cnt. */
static int clock_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                       ts_err_t *err)
{
    const clock_policy_t *c = (const clock_policy_t *)p;
    int rc = ts__ccache_check(p, n_objects, charge, full, err);
    if (rc || !full)
        return rc;
    for (uint32_t id = c->lc.list.head; id != TS__NIL; id = ts__cn(&c->lc.st, id)->next)
        if (*clock_cnt(c, id) > c->max_cnt)
            return ts_err_set(err, TS_EINTERNAL, "clock: node %u counts %u, over %u", id,
                              *clock_cnt(c, id), c->max_cnt);
    return 0;
}

static size_t clock_mem_bytes(const ts_policy_t *p)
{
    return ts__ccache_mem(&((const clock_policy_t *)p)->lc, sizeof(clock_policy_t));
}

const ts_policy_ops_t ts_policy_clock = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "clock",
             .summary = "CLOCK / second chance with a k-bit reference counter (bits, default 1)",
             .params = k_clock_params,
             .params_count = TS_PARAM_COUNT(k_clock_params),
             .params_size = sizeof(clock_params_t)},
    .create = clock_create,
    .destroy = clock_destroy,
    .lookup = clock_lookup,
    .insert = clock_insert,
    .evict = clock_evict,
    .replace = clock_replace,
    .remove = clock_remove,
    .mem_bytes = clock_mem_bytes,
    .prefetch = ts__ccache_prefetch,
    .check = clock_check,
};
