/* SPDX-License-Identifier: MIT */
/*
 * hier_test.h - the rig the tier hierarchy's tests (test_hier*.c) build hierarchies with:
 * tiers by policy, admission filters and a prefetcher with one parameter each, one request
 * replayed at a time, and checks of the move list and the link counters. B and C name the
 * backing store and the client (the requester) in moves; KA .. KW are the keys of the hand
 * traces.
 */
#ifndef TS_TESTS_HIER_TEST_H
#define TS_TESTS_HIER_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/hier.h"
#include "sim/util/mem.h"

extern const ts_policy_ops_t ts_policy_lru;
extern const ts_policy_ops_t ts_policy_fifo;
extern const ts_policy_ops_t ts_policy_sieve;
extern const ts_admit_ops_t ts_admit_second_hit;
extern const ts_admit_ops_t ts_admit_max_size;
extern const ts_admit_ops_t ts_admit_cost_aware;
extern const ts_prefetch_ops_t ts_prefetch_next_n;
extern const ts_prefetch_ops_t ts_prefetch_hint;

#define B TS_LEVEL_BACKING
#define C TS_LEVEL_CLIENT

/* the keys of the hand traces */
enum { KA = 1, KB, KC, KD, KE, KW };

/* A hierarchy under test: its tiers, the hierarchy, the move list of the last request, and
 * the params structs it owns (one per tier's filter, the last the prefetcher's). */
typedef struct rig {
    ts_tier_t *t[TS_MAX_TIERS];
    size_t n;
    ts_hier_t *h;
    ts_moves_t mv;
    void *params[TS_MAX_TIERS + 1]; /* filter / prefetcher params */
} rig_t;

/* Every combination of the hierarchy's rules, for the property tests: the body runs with
 * incl, pr, de and wr set (ints, cast them to ts_inclusion_t ... ts_write_t). */
#define RIG_EACH_RULES(incl, pr, de, wr)                                                          \
    for (int incl = 0; incl < TS_INCL_COUNT_; incl++)                                              \
        for (int pr = 0; pr < TS_PROMOTE_COUNT_; pr++)                                             \
            for (int de = 0; de < TS_DEMOTE_COUNT_; de++)                                          \
                for (int wr = 0; wr < TS_WRITE_COUNT_; wr++)

/* Appends tier t<n> of capacity cap (objects or bytes) running the policy ops. */
static inline void rig_tier(rig_t *g, const ts_policy_ops_t *ops, uint64_t cap, bool objects)
{
    ts_err_t err = {0};
    ts_policy_init_t init = {.capacity = cap, .count_objects = objects, .seed = 1};
    char name[8];
    snprintf(name, sizeof(name), "t%zu", g->n);
    assert_int_equal(ts_tier_create(name, ops, NULL, &init, &g->t[g->n], &err), 0);
    g->n++;
}

/* Params struct of an admission filter or prefetcher from one name=value pair. */
static inline void *rig_params(const ts_param_spec_t *spec, size_t count, size_t size,
                               const char *name, const char *value)
{
    void *p = ts_calloc(1, size ? size : 1);
    ts_err_t err = {0};
    assert_non_null(p);
    assert_int_equal(ts_param_defaults(spec, count, p, size, &err), 0);
    if (name)
        assert_int_equal(ts_param_set(spec, count, p, name, value, &err), 0);
    return p;
}

/* Puts the admission filter ops on tier i, with one parameter set (name NULL: none). */
static inline void rig_admit(rig_t *g, ts_hier_config_t *cfg, size_t i,
                             const ts_admit_ops_t *ops, const char *name, const char *value)
{
    const ts_plugin_t *b = &ops->base;
    g->params[i] = rig_params(b->params, b->params_count, b->params_size, name, value);
    cfg->admit[i] = ops;
    cfg->admit_params[i] = g->params[i];
}

/* Sets the prefetcher ops, with one parameter set (name NULL: none). */
static inline void rig_prefetch(rig_t *g, ts_hier_config_t *cfg, const ts_prefetch_ops_t *ops,
                                const char *name, const char *value)
{
    g->params[TS_MAX_TIERS] =
        rig_params(ops->base.params, ops->base.params_count, ops->base.params_size, name, value);
    cfg->prefetch = ops;
    cfg->prefetch_params = g->params[TS_MAX_TIERS];
}

/* Creates the hierarchy over the tiers added so far, and its move list. */
static inline void rig_start(rig_t *g, const ts_hier_config_t *cfg)
{
    ts_err_t err = {0};
    assert_int_equal(ts_hier_create(cfg, g->t, g->n, &g->h, &err), 0);
    assert_int_equal(ts_moves_init(&g->mv, 1, &err), 0); /* grows as needed */
}

/* Frees everything and zeroes the rig, ready for the next hierarchy. */
static inline void rig_free(rig_t *g)
{
    ts_hier_destroy(g->h);
    for (size_t i = 0; i < g->n; i++)
        ts_tier_destroy(g->t[i]);
    for (size_t i = 0; i <= TS_MAX_TIERS; i++)
        ts_free(g->params[i]);
    ts_moves_free(&g->mv);
    memset(g, 0, sizeof(*g));
}

/* Replays one request; returns the level that served it. */
static inline int rig_do(rig_t *g, char op, uint64_t key, uint64_t size)
{
    ts_req_t r = {.key = key, .size_bytes = size, .next_access = TS_REQ_NEVER};
    r.op = op == 'p' ? TS_OP_PUT : op == 'd' ? TS_OP_DELETE : TS_OP_GET;
    if (op == 'h')
        r.flags = TS_REQ_PREFETCH;
    ts_err_t err = {0};
    int rc = ts_hier_access(g->h, &r, &g->mv, &err);
    assert_true(rc >= 0);
    return rc;
}

/* Move i of the list is kind, from -> to, of key. */
static inline void expect_move(const ts_moves_t *m, size_t i, unsigned kind, unsigned from,
                               unsigned to, uint64_t key)
{
    assert_true(i < m->n);
    const ts_move_t *v = &m->v[i];
    if (v->kind != kind || v->from != from || v->to != to || v->key != key)
        fail_msg("move %zu: got %s %u->%u key %llu, expected %s %u->%u key %llu", i,
                 ts_move_names[v->kind], v->from, v->to, (unsigned long long)v->key,
                 ts_move_names[kind], from, to, (unsigned long long)key);
}

/* Link l (between tier l and the level below) carried up transfers upwards and down
 * downwards, of size bytes each. */
static inline void expect_link(const ts_hier_t *h, size_t l, uint64_t up, uint64_t down,
                               uint64_t size)
{
    const ts_link_stats_t *s = &h->link[l];
    if (s->n_up != up || s->n_down != down || s->bytes_up != up * size ||
        s->bytes_down != down * size)
        fail_msg("link %zu: up %llu (%llu B) down %llu (%llu B), expected up %llu down %llu", l,
                 (unsigned long long)s->n_up, (unsigned long long)s->bytes_up,
                 (unsigned long long)s->n_down, (unsigned long long)s->bytes_down,
                 (unsigned long long)up, (unsigned long long)down);
}

#endif
