/* SPDX-License-Identifier: MIT */
/*
 * policy_trace.h - helpers for the hand-traced policy tests (test_policy_*.c).
 *
 * A trace is a string of one-character keys replayed through a tier in objects mode; the
 * outcome is a string with 'H' for a hit and 'm' for a miss at each position, so a test
 * reads as the hand derivation in its comment. Requests carry next_access (filled by
 * ts_future_annotate over the replayed string) so the same helper drives OPT.
 */
#ifndef TS_TESTS_POLICY_TRACE_H
#define TS_TESTS_POLICY_TRACE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/future.h"
#include "sim/param.h"
#include "sim/tier.h"
#include "policies/registry.h"

#define PT_MAX_KEYS 128 /* longest trace a test replays at once */

/* The keys a tier evicts, in order, as a string of one-character keys: pass pt_on_evict
 * with a pt_victims_t to ts_tier_fill. */
typedef struct pt_victims {
    char v[64]; /* evicted keys in order, NUL-terminated */
    size_t n;
} pt_victims_t;

static inline void pt_on_evict(void *ctx, const ts_tier_t *t, const ts_victim_t *v)
{
    (void)t;
    pt_victims_t *vs = ctx;
    assert_true(vs->n + 1 < sizeof(vs->v));
    vs->v[vs->n++] = (char)v->key;
    vs->v[vs->n] = 0;
}

/* A tier of capacity objects running the registered policy name, its parameters at their
 * defaults except for n_kv name=value pairs. Fails the test on any error. */
static inline ts_tier_t *pt_tier(const char *name, uint64_t capacity, const char *const *kv,
                                 size_t n_kv)
{
    ts_err_t err = {0};
    const ts_policy_ops_t *ops = ts_policy_find(name, &err);
    assert_non_null(ops);
    _Alignas(max_align_t) unsigned char params[256];
    assert_true(ops->base.params_size <= sizeof(params));
    const ts_plugin_t *b = &ops->base;
    assert_int_equal(ts_param_defaults(b->params, b->params_count, params, b->params_size, &err),
                     0);
    for (size_t i = 0; i < n_kv; i++)
        assert_int_equal(
            ts_param_set(b->params, b->params_count, params, kv[2 * i], kv[2 * i + 1], &err), 0);
    ts_policy_init_t init = {.capacity = capacity, .count_objects = true, .seed = 1};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create(name, ops, params, &init, &t, &err), 0);
    return t;
}

/* Replays keys through t (lookup, then fill on a miss) and writes 'H' or 'm' per request
 * into out (strlen(keys) + 1 bytes). Returns out. */
static inline const char *pt_run(ts_tier_t *t, const char *keys, char *out)
{
    size_t n = strlen(keys);
    assert_true(n <= PT_MAX_KEYS);
    ts_req_t reqs[PT_MAX_KEYS];
    for (size_t i = 0; i < n; i++)
        reqs[i] = (ts_req_t){.key = (unsigned char)keys[i], .size_bytes = 1, .op = TS_OP_GET};
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(reqs, n, &err), 0);
    for (size_t i = 0; i < n; i++) {
        bool hit = ts_tier_lookup(t, &reqs[i]);
        out[i] = hit ? 'H' : 'm';
        if (!hit) {
            bool inserted;
            assert_int_equal(ts_tier_fill(t, &reqs[i], NULL, NULL, &inserted, &err), 0);
            assert_true(inserted);
        }
        assert_true(t->used <= t->capacity);
    }
    out[n] = 0;
    return out;
}

/* As pt_run, and appends the keys t evicts to vs, in order (without next_access). */
static inline const char *pt_run_victims(ts_tier_t *t, const char *keys, char *out,
                                         pt_victims_t *vs)
{
    size_t n = strlen(keys);
    ts_err_t err = {0};
    for (size_t i = 0; i < n; i++) {
        ts_req_t r = {.key = (unsigned char)keys[i], .size_bytes = 1, .op = TS_OP_GET};
        bool hit = ts_tier_lookup(t, &r);
        out[i] = hit ? 'H' : 'm';
        bool inserted;
        if (!hit) {
            assert_int_equal(ts_tier_fill(t, &r, pt_on_evict, vs, &inserted, &err), 0);
            assert_true(inserted);
        }
        assert_true(t->used <= t->capacity);
    }
    out[n] = 0;
    return out;
}

/* Fills out (PT_MAX_KEYS + 1 bytes) with PT_MAX_KEYS pseudo-random keys among the first
 * n_keys capital letters, from a linear congruential stream seeded with seed; returns out. */
static inline const char *pt_keys(char *out, uint32_t seed, unsigned n_keys)
{
    for (int i = 0; i < PT_MAX_KEYS; i++) {
        seed = seed * 1103515245u + 12345u;
        out[i] = (char)('A' + (seed >> 16) % n_keys);
    }
    out[PT_MAX_KEYS] = 0;
    return out;
}

/* The keys cached in t, as a sorted string over the printable characters (looked up
 * without touching, so the policy's state does not change). */
static inline const char *pt_content(ts_tier_t *t, char *out)
{
    size_t k = 0;
    for (int c = '!'; c <= '~'; c++) {
        ts_req_t r = {.key = (uint64_t)c, .size_bytes = 1, .next_access = TS_REQ_NEVER};
        if (t->policy->ops->lookup(t->policy, &r, false))
            out[k++] = (char)c;
    }
    out[k] = 0;
    return out;
}

#endif
