/* SPDX-License-Identifier: MIT */
/*
 * test_policy_conformance.c - the property checks every registered policy must pass.
 *
 * For each registry entry, over seeded Zipf, uniform and loop traces in objects and bytes
 * mode (sizes 1..100 bytes, fixed per key), with random removals mixed in: the tier never
 * holds more than its capacity; its counters equal a shadow copy of the contents kept from
 * fills, evictions and removals; untouched lookups agree with the shadow and change
 * nothing; lookups never allocate; evict-until-empty returns every object once; the same
 * seed gives the same hits. Then the theory: OPT misses no more than any policy (objects
 * mode), LRU's misses never rise with capacity (stack property), FIFO-like policies miss
 * every request of a loop longer than the cache, and every policy misses only
 * compulsorily when everything fits. Registry checks, broken ops tables, OOM on create
 * and on insert. Invariant checks (sim/util/check.h): every policy has a check op whose
 * full walk agrees with the tier after every request of every case (with the tier's own
 * debug checks walking too), after evicting everything, and after failed inserts.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "sim/future.h"
#include "sim/util/check.h"
#include "sim/memtrace.h"
#include "sim/util/ktab.h"
#include "sim/util/mem.h"
#include "sim/param.h"
#include "sim/tier.h"
#include "policies/registry.h"
#include "rng_test.h"

#define CONF_MAX_PARAMS 256
#define CONF_NO_KEY UINT64_MAX /* never in a trace: the request passed to direct evicts */

enum conf_kind { CONF_ZIPF, CONF_UNIFORM, CONF_LOOP };

typedef struct conf_trace {
    ts_req_t *r;     /* requests, next_access filled */
    size_t n;        /* requests */
    uint64_t n_keys; /* keys are 0 .. n_keys - 1 */
} conf_trace_t;

static uint64_t conf_size(uint64_t key)
{
    return 1 + ts_hash64(key + 1) % 100;
}

/* A seeded trace: Zipf(alpha) by gsl_ran_discrete, uniform, or a loop 0..n_keys-1. */
static conf_trace_t conf_trace(enum conf_kind kind, size_t n, uint64_t n_keys, double alpha,
                               unsigned long seed)
{
    conf_trace_t t = {.r = test_calloc(n, sizeof(ts_req_t)), .n = n, .n_keys = n_keys};
    gsl_rng *rng = test_rng(seed);
    gsl_ran_discrete_t *zipf = NULL;
    if (kind == CONF_ZIPF) {
        double *w = test_malloc(n_keys * sizeof(double));
        for (uint64_t k = 0; k < n_keys; k++)
            w[k] = 1.0 / pow((double)(k + 1), alpha);
        zipf = gsl_ran_discrete_preproc(n_keys, w);
        assert_non_null(zipf);
        test_free(w);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = kind == CONF_ZIPF      ? (uint64_t)gsl_ran_discrete(rng, zipf)
                     : kind == CONF_UNIFORM ? (uint64_t)gsl_rng_uniform_int(rng, n_keys)
                                            : i % n_keys;
        t.r[i] = (ts_req_t){.key = k, .size_bytes = conf_size(k), .op = TS_OP_GET};
    }
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(t.r, n, &err), 0);
    if (zipf)
        gsl_ran_discrete_free(zipf);
    gsl_rng_free(rng);
    return t;
}

static void conf_trace_free(conf_trace_t *t)
{
    test_free(t->r);
}

/* A tier running ops at its default parameters. */
static ts_tier_t *conf_tier(const ts_policy_ops_t *ops, uint64_t capacity, bool objects)
{
    _Alignas(max_align_t) unsigned char params[CONF_MAX_PARAMS];
    ts_err_t err = {0};
    const ts_plugin_t *b = &ops->base;
    assert_true(b->params_size <= sizeof(params));
    assert_int_equal(ts_param_defaults(b->params, b->params_count, params, b->params_size, &err),
                     0);
    ts_policy_init_t init = {.capacity = capacity, .count_objects = objects, .seed = 7};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create(ops->base.name, ops, params, &init, &t, &err), 0);
    return t;
}

/* The shadow copy of a tier's contents. */
typedef struct conf_shadow {
    uint64_t *size;   /* size of each cached key, 0 when absent */
    uint64_t n_keys;  /* keys 0 .. n_keys - 1 */
    uint64_t used;    /* sum of charges */
    uint64_t n;       /* objects */
    bool objects;     /* objects mode */
    const char *name; /* case and policy, for failure messages */
} conf_shadow_t;

static void conf_shadow_drop(conf_shadow_t *s, const ts_victim_t *v)
{
    if (v->key >= s->n_keys || s->size[v->key] != v->size_bytes)
        fail_msg("%s: victim %llu (size %llu) is not cached as such", s->name,
                 (unsigned long long)v->key, (unsigned long long)v->size_bytes);
    s->size[v->key] = 0;
    s->used -= s->objects ? 1 : v->size_bytes;
    s->n--;
}

static void conf_on_evict(void *ctx, const ts_tier_t *t, const ts_victim_t *v)
{
    (void)t;
    conf_shadow_drop(ctx, v);
}

static bool conf_cached(ts_tier_t *t, uint64_t key)
{
    ts_req_t r = {.key = key, .size_bytes = conf_size(key), .next_access = TS_REQ_NEVER};
    return t->policy->ops->lookup(t->policy, &r, false);
}

/* Replays tr through a fresh tier, removing a key before about 2% of the requests (drawn
 * from a generator seeded with seed). Writes each request's hit into hits. With check,
 * verifies the tier against the shadow after every request, and ends by evicting until
 * empty. Returns the number of misses. */
static size_t conf_replay(const char *label, const ts_policy_ops_t *ops, const conf_trace_t *tr,
                          uint64_t capacity, bool objects, unsigned long seed, bool check,
                          uint8_t *hits)
{
    char name[128];
    snprintf(name, sizeof(name), "%s: %s", label, ops->base.name);
    ts_tier_t *t = conf_tier(ops, capacity, objects);
    conf_shadow_t sh = {.size = test_calloc(tr->n_keys, sizeof(uint64_t)),
                        .n_keys = tr->n_keys,
                        .objects = objects,
                        .name = name};
    gsl_rng *rng = test_rng(seed);
    size_t misses = 0;
    ts_err_t err = {0};
    for (size_t i = 0; i < tr->n; i++) {
        const ts_req_t *r = &tr->r[i];
        if (seed && gsl_rng_uniform(rng) < 0.02) {
            uint64_t k = gsl_rng_uniform_int(rng, tr->n_keys);
            bool was = sh.size[k] != 0;
            if (ts_tier_remove(t, k) != was)
                fail_msg("%s: removing key %llu before request %zu: expected %d", name,
                         (unsigned long long)k, i, was);
            if (was) {
                ts_victim_t v = {.key = k, .size_bytes = sh.size[k]};
                conf_shadow_drop(&sh, &v);
            }
        }
        long n_alloc = ts_mem_count();
        bool hit = ts_tier_lookup(t, r);
        hits[i] = hit;
        if (ts_mem_count() != n_alloc)
            fail_msg("%s: the lookup of request %zu allocated", name, i);
        if (hit) {
            if (check && !sh.size[r->key])
                fail_msg("%s: request %zu hits key %llu, which is not cached", name, i,
                         (unsigned long long)r->key);
        } else {
            misses++;
            bool inserted;
            if (ts_tier_fill(t, r, conf_on_evict, &sh, &inserted, &err) != 0)
                fail_msg("%s: fill of request %zu failed: %s", name, i, err.msg);
            if (inserted) {
                sh.size[r->key] = r->size_bytes;
                sh.used += objects ? 1 : r->size_bytes;
                sh.n++;
            } else {
                assert_true(ts_tier_charge(t, r->size_bytes) > capacity);
            }
        }
        if (!check)
            continue;
        if (t->used > capacity || t->used != sh.used || t->n_objects != sh.n)
            fail_msg("%s: after request %zu the tier holds %llu units in %llu objects "
                     "(capacity %llu), the shadow %llu in %llu",
                     name, i, (unsigned long long)t->used, (unsigned long long)t->n_objects,
                     (unsigned long long)capacity, (unsigned long long)sh.used,
                     (unsigned long long)sh.n);
        if (i % 7 == 0)
            for (uint64_t k = 0; k < tr->n_keys; k++)
                if (conf_cached(t, k) != (sh.size[k] != 0))
                    fail_msg("%s: after request %zu, key %llu cached: policy %d, shadow %d", name,
                             i, (unsigned long long)k, conf_cached(t, k), sh.size[k] != 0);
    }
    if (check) {
        /* Evict until empty: every cached object comes out exactly once. */
        ts_req_t none = {.key = CONF_NO_KEY, .size_bytes = 1, .next_access = TS_REQ_NEVER};
        ts_victim_t v;
        uint64_t n = 0;
        while (t->policy->ops->evict(t->policy, &none, &v) == 0 && n <= t->n_objects) {
            conf_shadow_drop(&sh, &v);
            n++;
        }
        if (n != t->n_objects || sh.n != 0)
            fail_msg("%s: evict until empty gave %llu objects of %llu", name, (unsigned long long)n,
                     (unsigned long long)t->n_objects);
        if (t->policy->ops->evict(t->policy, &none, &v) != TS_ENOENT)
            fail_msg("%s: an empty policy must answer TS_ENOENT to evict", name);
        for (uint64_t k = 0; k < tr->n_keys; k++)
            if (conf_cached(t, k))
                fail_msg("%s: key %llu still cached after evicting everything", name,
                         (unsigned long long)k);
        assert_false(t->policy->ops->remove(t->policy, 0, NULL));
    }
    gsl_rng_free(rng);
    test_free(sh.size);
    ts_tier_destroy(t);
    return misses;
}

static size_t conf_misses(const ts_policy_ops_t *ops, const conf_trace_t *tr, uint64_t capacity)
{
    uint8_t *hits = test_malloc(tr->n);
    size_t m = conf_replay("misses", ops, tr, capacity, true, 0, false, hits);
    test_free(hits);
    return m;
}

/* ---- properties over generated traces ---- */

static const struct conf_case {
    const char *name;
    enum conf_kind kind;
    uint64_t n_keys;
    bool objects;
    uint64_t capacity; /* objects or bytes */
} k_cases[] = {
    {"zipf objects cap 16", CONF_ZIPF, 200, true, 16},
    {"zipf objects cap 1", CONF_ZIPF, 200, true, 1},
    {"uniform objects cap 50", CONF_UNIFORM, 200, true, 50},
    {"loop objects cap 30", CONF_LOOP, 40, true, 30},
    {"zipf bytes cap 800", CONF_ZIPF, 200, false, 800},
    {"zipf bytes cap 120", CONF_ZIPF, 200, false, 120},
    {"uniform bytes cap 3000", CONF_UNIFORM, 200, false, 3000},
};

static void test_policy_conformance_properties(void **state)
{
    (void)state;
    enum { N = 3000 };
    uint8_t *h1 = test_malloc(N), *h2 = test_malloc(N);
    for (size_t c = 0; c < sizeof(k_cases) / sizeof(k_cases[0]); c++) {
        const struct conf_case *cc = &k_cases[c];
        conf_trace_t tr = conf_trace(cc->kind, N, cc->n_keys, 0.9, 11 + c);
        for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
            const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
            conf_replay(cc->name, ops, &tr, cc->capacity, cc->objects, 5 + c, true, h1);
            /* No checks (and no untouched lookups) this time: same hits. */
            conf_replay(cc->name, ops, &tr, cc->capacity, cc->objects, 5 + c, false, h2);
            if (memcmp(h1, h2, N) != 0)
                fail_msg("%s: %s: the same seed gave different hits", cc->name, ops->base.name);
        }
        conf_trace_free(&tr);
    }
    test_free(h1);
    test_free(h2);
}

/* The fast engine reads requests ahead and prefetches index slots and nodes: the hits it
 * counts must be those of a plain one-at-a-time replay, and prefetching keys that are
 * absent, cached or far from anything must change nothing, for every policy. */
static void test_policy_conformance_engine_readahead(void **state)
{
    (void)state;
    enum { N = 4000 };
    conf_trace_t tr = conf_trace(CONF_ZIPF, N, 300, 0.8, 91);
    ts_err_t err = {0};
    ts_memtrace_t *mt = NULL;
    assert_int_equal(ts_memtrace_create(&mt, &err), 0);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(ts_memtrace_push(mt, &tr.r[i], &err), 0);
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
        for (int objects = 0; objects < 2; objects++) {
            uint64_t cap = objects ? 40 : 2000;
            uint8_t *hits = test_malloc(N);
            size_t direct = conf_replay("readahead", ops, &tr, cap, objects, 0, false, hits);
            test_free(hits);
            ts_tier_t *t = conf_tier(ops, cap, objects);
            for (uint64_t k = 0; k < 4; k++) /* on an empty policy */
                ts_tier_prefetch(t, k * 1000003, (int)(k & 1));
            ts_reader_t *r = NULL;
            ts_totals_t tot = {0};
            assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
            assert_int_equal(ts_engine_fast(&t, 1, r, &tot, &err), 0);
            if (t->st.n_miss != direct || tot.n_req != N)
                fail_msg("readahead: %s (%s): the engine counted %llu misses, a plain replay "
                         "%zu", ops->base.name, objects ? "objects" : "bytes",
                         (unsigned long long)t->st.n_miss, direct);
            ts_reader_close(r);
            ts_tier_destroy(t);
        }
    }
    ts_memtrace_destroy(mt);
    conf_trace_free(&tr);
}

static void test_policy_conformance_opt_is_lowest(void **state)
{
    (void)state;
    const ts_policy_ops_t *opt = ts_policy_find("opt", NULL);
    assert_non_null(opt);
    static const uint64_t caps[] = {1, 3, 10, 40, 150};
    for (int kind = CONF_ZIPF; kind <= CONF_UNIFORM; kind++) {
        conf_trace_t tr = conf_trace(kind, 4000, 300, 0.8, 21 + kind);
        for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
            size_t m_opt = conf_misses(opt, &tr, caps[c]);
            for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
                const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
                size_t m = conf_misses(ops, &tr, caps[c]);
                if (m_opt > m)
                    fail_msg("capacity %llu: opt misses %zu > %s misses %zu",
                             (unsigned long long)caps[c], m_opt, ops->base.name, m);
            }
        }
        conf_trace_free(&tr);
    }
}

static void test_policy_conformance_lru_stack_property(void **state)
{
    (void)state;
    const ts_policy_ops_t *lru = ts_policy_find("lru", NULL);
    conf_trace_t tr = conf_trace(CONF_ZIPF, 3000, 100, 0.9, 31);
    size_t distinct = 0;
    uint8_t seen[100] = {0};
    for (size_t i = 0; i < tr.n; i++) {
        distinct += !seen[tr.r[i].key];
        seen[tr.r[i].key] = 1;
    }
    size_t prev = SIZE_MAX;
    for (uint64_t cap = 1; cap <= 64; cap++) {
        size_t m = conf_misses(lru, &tr, cap);
        if (m > prev)
            fail_msg("lru: %zu misses at capacity %llu, %zu at one less", m,
                     (unsigned long long)cap, prev);
        assert_true(m >= distinct);
        prev = m;
    }
    /* Everything fits: only the compulsory misses. */
    assert_int_equal(conf_misses(lru, &tr, 100), distinct);
    conf_trace_free(&tr);
}

static void test_policy_conformance_loop(void **state)
{
    (void)state;
    enum { K = 20, ROUNDS = 10 };
    conf_trace_t tr = conf_trace(CONF_LOOP, K * ROUNDS, K, 0, 1);
    static const char *const fifo_like[] = {"fifo", "lru", "clock", "sieve"};
    static const uint64_t caps[] = {1, 5, K - 1};
    for (size_t i = 0; i < sizeof(fifo_like) / sizeof(fifo_like[0]); i++) {
        const ts_policy_ops_t *ops = ts_policy_find(fifo_like[i], NULL);
        assert_non_null(ops);
        for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
            if (conf_misses(ops, &tr, caps[c]) != tr.n)
                fail_msg("%s: a loop over %d keys with capacity %llu must always miss",
                         ops->base.name, K, (unsigned long long)caps[c]);
    }
    /* With room for the whole loop, every policy misses each key once. */
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++)
        assert_int_equal(conf_misses(ts_policy_ops_of(ts_registry_at(&ts_policies, i)), &tr, K), K);
    conf_trace_free(&tr);
}

/* ---- registry ---- */

static void test_policy_conformance_registry(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_registry_check(&ts_policies, &err), 0);
    static const char *const names[] = {
        "arc",
        "beladysize",
        "cacheus",
        "car",
        "clock",
        "clockpro",
        "epoch",
        "fifo",
        "gdsf",
        "hyperbolic",
        "lecar",
        "lfu",
        "lfuda",
        "lhd",
        "lirs",
        "lru",
        "lruk",
        "opt",
        "prefix_tree",
        "qdlp",
        "s3fifo",
        "session",
        "sieve",
        "slru",
        "ttl",
        "twoq",
        "wtinylfu",
    };
    assert_int_equal(ts_registry_count(&ts_policies), sizeof(names) / sizeof(names[0]));
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        assert_string_equal(ts_registry_at(&ts_policies, i)->name, names[i]);
        assert_ptr_equal(&ts_policy_find(names[i], NULL)->base, ts_registry_at(&ts_policies, i));
    }
    assert_null(ts_registry_at(&ts_policies, ts_registry_count(&ts_policies)));
    assert_null(ts_policy_find("s3fif0", &err));
    assert_int_equal(err.code, TS_ENOENT);
    assert_non_null(strstr(err.msg, "did you mean 's3fifo'"));
    assert_true(ts_policy_find("opt", NULL)->base.flags & TS_POLICY_NEEDS_FUTURE);
    assert_false(ts_policy_find("lru", NULL)->base.flags & TS_POLICY_NEEDS_FUTURE);
}

/* The policy registry's checks run on a table of the one entry p. */
static int conf_check_one(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_plugin_t *one[] = {p};
    ts_registry_t r = ts_policies;
    r.entries = one;
    r.n = 1;
    return ts_registry_check(&r, err);
}

static void test_policy_conformance_broken_ops(void **state)
{
    (void)state;
    const ts_policy_ops_t *good = ts_policy_find("s3fifo", NULL);
    static const struct broken_case {
        const char *name;
        int what;
        const char *msg;
    } cases[] = {
        {"no evict", 0, "lacks a required method"},
        {"wrong abi", 1, "has ABI 99"},
        {"no name", 2, "lacks a name"},
        {"schema outside struct", 3, "outside the params struct"},
        {"no lookup", 4, "lacks a required method"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_policy_ops_t bad = *good;
        switch (cases[i].what) {
        case 0:
            bad.evict = NULL;
            break;
        case 1:
            bad.base.abi = 99;
            break;
        case 2:
            bad.base.name = NULL;
            break;
        case 3:
            bad.base.params_size = 4;
            break;
        case 4:
            bad.lookup = NULL;
            break;
        }
        ts_err_t err = {0};
        if (conf_check_one(&bad.base, &err) != TS_EINVAL || !strstr(err.msg, cases[i].msg))
            fail_msg("%s: message '%s' lacks '%s'", cases[i].name, err.msg, cases[i].msg);
    }
    ts_err_t err = {0};
    assert_int_equal(conf_check_one(NULL, &err), TS_EINVAL);
    assert_int_equal(conf_check_one(&good->base, &err), 0);
}

/* ---- out of memory ---- */

static void test_policy_conformance_create_oom(void **state)
{
    (void)state;
    _Alignas(max_align_t) unsigned char params[CONF_MAX_PARAMS];
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
        ts_err_t err = {0};
        const ts_plugin_t *b = &ops->base;
        assert_int_equal(
            ts_param_defaults(b->params, b->params_count, params, b->params_size, &err), 0);
        for (int objects = 0; objects <= 1; objects++) {
            ts_policy_init_t init = {.capacity = objects ? 1000 : 1 << 20,
                                     .count_objects = objects};
            for (long n = 0;; n++) {
                ts_tier_t *t = (ts_tier_t *)&err; /* must be reset to NULL on failure */
                ts_err_clear(&err);
                ts_mem_fail_after(n);
                int rc = ts_tier_create(ops->base.name, ops, params, &init, &t, &err);
                ts_mem_fail_after(-1);
                if (rc == 0) {
                    ts_tier_destroy(t);
                    break;
                }
                if (rc != TS_ENOMEM || t != NULL)
                    fail_msg("%s: create with allocation %ld failing returned %d", ops->base.name,
                             n, rc);
                assert_int_equal(err.code, TS_ENOMEM);
                assert_true(n < 32);
            }
        }
    }
}

/* Inserts under allocation failures: a failed fill leaves the object uncached, the
 * counters unchanged, and the policy usable. */
static void test_policy_conformance_insert_oom(void **state)
{
    (void)state;
    enum { N = 5000, FAIL_FROM = 1000 };
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
        for (long fail_at = 0; fail_at < 4; fail_at++) {
            /* Bytes mode: the structures start small and grow as keys arrive. */
            ts_tier_t *t = conf_tier(ops, (uint64_t)1 << 40, false);
            size_t n_failed = 0;
            for (uint64_t k = 0; k < N; k++) {
                ts_req_t r = {.key = k, .size_bytes = 1, .next_access = TS_REQ_NEVER};
                assert_false(ts_tier_lookup(t, &r));
                if (k == FAIL_FROM)
                    ts_mem_fail_after(fail_at);
                ts_err_t err = {0};
                bool inserted;
                uint64_t before = t->n_objects;
                int rc = ts_tier_fill(t, &r, NULL, NULL, &inserted, &err);
                if (rc) {
                    ts_mem_fail_after(-1);
                    assert_int_equal(rc, TS_ENOMEM);
                    assert_false(inserted);
                    assert_int_equal(t->n_objects, before);
                    assert_false(conf_cached(t, k));
                    n_failed++;
                } else {
                    assert_true(conf_cached(t, k));
                }
            }
            ts_mem_fail_after(-1);
            if (n_failed != 1)
                fail_msg("%s: %zu failed inserts with allocation %ld failing", ops->base.name,
                         n_failed, fail_at);
            /* Every object still comes out exactly once. */
            ts_req_t none = {.key = CONF_NO_KEY, .size_bytes = 1, .next_access = TS_REQ_NEVER};
            ts_victim_t v;
            uint64_t n = 0;
            while (t->policy->ops->evict(t->policy, &none, &v) == 0)
                n++;
            assert_int_equal(n, t->n_objects);
            assert_int_equal(n, N - 1);
            ts_tier_destroy(t);
        }
    }
}

/* ---- invariant checks (the check op, sim/util/check.h) ---- */

/* The full walk of every policy agrees with its tier after every request of every case,
 * with removals mixed in; the tier's own debug checks walk too (expensive checks on for
 * this thread). Evicted until empty behind the tier's back, the policy holds nothing. */
static void test_policy_conformance_check_walks(void **state)
{
    (void)state;
    enum { N = 1500 };
    ts_check_set_expensive(1);
    for (size_t c = 0; c < sizeof(k_cases) / sizeof(k_cases[0]); c++) {
        const struct conf_case *cc = &k_cases[c];
        conf_trace_t tr = conf_trace(cc->kind, N, cc->n_keys, 0.9, 41 + c);
        for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
            const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
            if (!ops->check)
                fail_msg("%s has no check op", ops->base.name);
            ts_tier_t *t = conf_tier(ops, cc->capacity, cc->objects);
            ts_err_t err = {0};
            for (size_t k = 0; k < tr.n; k++) {
                const ts_req_t *r = &tr.r[k];
                if (k % 50 == 7)
                    ts_tier_remove(t, tr.r[k / 2].key);
                bool inserted;
                if (!ts_tier_lookup(t, r) && ts_tier_fill(t, r, NULL, NULL, &inserted, &err))
                    fail_msg("%s: %s: fill of request %zu failed: %s", cc->name, ops->base.name, k,
                             err.msg);
                if (ops->check(t->policy, t->n_objects, t->used, true, &err) != 0)
                    fail_msg("%s: %s: after request %zu: %s", cc->name, ops->base.name, k, err.msg);
            }
            ts_req_t none = {.key = CONF_NO_KEY, .size_bytes = 1, .next_access = TS_REQ_NEVER};
            ts_victim_t v;
            for (uint64_t n = 0; n <= t->n_objects; n++)
                if (t->policy->ops->evict(t->policy, &none, &v) != 0)
                    break;
            if (ops->check(t->policy, 0, 0, true, &err) != 0)
                fail_msg("%s: %s: evicted until empty: %s", cc->name, ops->base.name, err.msg);
            ts_tier_destroy(t);
        }
        conf_trace_free(&tr);
    }
    ts_check_set_expensive(-1);
}

/* An insert that fails for want of memory leaves every structure whole: the full walk
 * agrees with the tier right after the failure and after the fills that follow. In bytes
 * mode the structures start at about 1024 nodes and grow as the 2000 bytes fill, so the
 * first allocation after request FAIL_FROM is a growth inside some fill. */
static void test_policy_conformance_check_after_oom(void **state)
{
    (void)state;
    enum { N = 2600, FAIL_FROM = 1500 };
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
        size_t n_failed = 0;
        for (long fail_at = 0; fail_at < 3; fail_at++) {
            ts_tier_t *t = conf_tier(ops, 2000, false);
            for (uint64_t k = 0; k < N; k++) {
                uint64_t key = k % 5 == 0 ? k / 2 : k; /* some hits */
                ts_req_t r = {.key = key, .size_bytes = 1, .next_access = TS_REQ_NEVER};
                if (ts_tier_lookup(t, &r))
                    continue;
                if (k == FAIL_FROM)
                    ts_mem_fail_after(fail_at);
                ts_err_t err = {0};
                bool inserted;
                int rc = ts_tier_fill(t, &r, NULL, NULL, &inserted, &err);
                if (rc) {
                    ts_mem_fail_after(-1);
                    assert_int_equal(rc, TS_ENOMEM);
                    n_failed++;
                }
                ts_err_clear(&err);
                if ((rc || k % 97 == 0) &&
                    ops->check(t->policy, t->n_objects, t->used, true, &err) != 0)
                    fail_msg("%s: allocation %ld failing, after request %llu: %s", ops->base.name,
                             fail_at, (unsigned long long)k, err.msg);
            }
            ts_mem_fail_after(-1);
            ts_err_t err = {0};
            if (ops->check(t->policy, t->n_objects, t->used, true, &err) != 0)
                fail_msg("%s: allocation %ld failing, at the end: %s", ops->base.name, fail_at,
                         err.msg);
            ts_tier_destroy(t);
        }
        if (n_failed == 0 || n_failed > 3)
            fail_msg("%s: %zu failed inserts in 3 runs", ops->base.name, n_failed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_conformance_registry),
        cmocka_unit_test(test_policy_conformance_broken_ops),
        cmocka_unit_test(test_policy_conformance_properties),
        cmocka_unit_test(test_policy_conformance_opt_is_lowest),
        cmocka_unit_test(test_policy_conformance_engine_readahead),
        cmocka_unit_test(test_policy_conformance_lru_stack_property),
        cmocka_unit_test(test_policy_conformance_loop),
        cmocka_unit_test(test_policy_conformance_create_oom),
        cmocka_unit_test(test_policy_conformance_insert_oom),
        cmocka_unit_test(test_policy_conformance_check_walks),
        cmocka_unit_test(test_policy_conformance_check_after_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
