/* SPDX-License-Identifier: MIT */
/*
 * test_check.c - the invariant checks (sim/util/check.h) and what they guard.
 *
 * The macros: both forms in every build (the debug form reports a false condition once and
 * yields the value; the release form reports nothing, yields the same value and does not
 * evaluate TS_ASSERT's condition), the plain names pick the form of the build, the hook
 * catches a failure on its own thread, and without a hook a failure prints one line and
 * aborts (in a child process). The whole-structure checks of the key index and the node
 * pool accept what the library builds and name each deliberate corruption. Every policy's
 * check op accepts what a tier builds, and catches a tier whose counts are off or a policy
 * changed behind its tier's back (a cheap check for counts, the full walk for charges), as
 * do the tier's own debug checks through the hook. The hierarchy's debug checks stay quiet
 * over random traces in every configuration with the expensive walks on, and catch a key
 * copied into a second exclusive tier, an inclusive copy with none below it, and a dirty
 * key that no tier holds.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/hier.h"
#include "sim/param.h"
#include "sim/tier.h"
#include "sim/util/check.h"
#include "sim/util/ktab.h"
#include "sim/util/pool.h"
#include "policies/registry.h"
#include "fork_test.h"
#include "rng_test.h"

extern const ts_policy_ops_t ts_policy_lru;
extern const ts_prefetch_ops_t ts_prefetch_next_n;

/* What the hook saw: how many failures, the last one, and the first one's message. */
typedef struct caught {
    int n;
    int line;
    char file[256];
    char what[512];
    char first[512];
} caught_t;

static void catch_fail(void *ctx, const char *file, int line, const char *what)
{
    caught_t *c = ctx;
    if (c->n++ == 0)
        snprintf(c->first, sizeof(c->first), "%s", what);
    c->line = line;
    snprintf(c->file, sizeof(c->file), "%s", file);
    snprintf(c->what, sizeof(c->what), "%s", what);
}

static int setup_hook(void **state)
{
    caught_t *c = test_calloc(1, sizeof(*c));
    ts_check_set_hook(catch_fail, c);
    *state = c;
    return 0;
}

static int teardown_hook(void **state)
{
    ts_check_set_hook(NULL, NULL);
    ts_check_set_expensive(-1);
    test_free(*state);
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---- the macros ---- */

static void test_check_debug_forms(void **state)
{
    caught_t *c = *state;
    int x = 3;
    TS_ASSERT_DEBUG(x == 3);
    assert_int_equal(c->n, 0);
    int line = __LINE__ + 1;
    TS_ASSERT_DEBUG(x == 4);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->line, line);
    assert_true(ends_with(c->file, "test_check.c"));
    assert_string_equal(c->what, "x == 4");

    /* TS_ALWAYS yields its value as a bool and reports a false one. */
    assert_true(TS_ALWAYS_DEBUG(x));
    assert_int_equal(c->n, 1);
    assert_false(TS_ALWAYS_DEBUG(x - 3));
    assert_int_equal(c->n, 2);
    assert_string_equal(c->what, "ALWAYS(x - 3)");

    /* TS_NEVER yields its value as a bool and reports a true one. */
    assert_false(TS_NEVER_DEBUG(x > 5));
    assert_int_equal(c->n, 2);
    const int *px = &x;
    assert_true(TS_NEVER_DEBUG(px));
    assert_int_equal(c->n, 3);
    assert_string_equal(c->what, "NEVER(px)");

    /* Each evaluates its argument exactly once. */
    int k = 0;
    TS_ASSERT_DEBUG(k++ == 0);
    assert_true(TS_ALWAYS_DEBUG(k++ == 1));
    assert_false(TS_NEVER_DEBUG(k++ == 7));
    assert_int_equal(k, 3);
    assert_int_equal(c->n, 3);
}

static void test_check_release_forms(void **state)
{
    caught_t *c = *state;
    int x = 3;
    TS_ASSERT_RELEASE(x == 4); /* never runs */
    assert_true(TS_ALWAYS_RELEASE(x));
    assert_false(TS_ALWAYS_RELEASE(x - 3));
    assert_false(TS_NEVER_RELEASE(x > 5));
    const int *px = &x;
    assert_true(TS_NEVER_RELEASE(px));
    assert_int_equal(c->n, 0);
    /* TS_ASSERT's condition is not evaluated; TS_ALWAYS and TS_NEVER evaluate once. */
    int k = 0;
    TS_ASSERT_RELEASE(k++ == 5);
    assert_int_equal(k, 0);
    assert_true(TS_ALWAYS_RELEASE(k++ == 0));
    assert_false(TS_NEVER_RELEASE(k++ == 7));
    assert_int_equal(k, 2);
}

/* The plain names report only in debug builds, and yield the same value in both. */
static void test_check_plain_names_follow_the_build(void **state)
{
    caught_t *c = *state;
    int zero = 0;
    TS_ASSERT(zero == 1);
    assert_int_equal(c->n, TS_CHECK_ON);
    assert_false(TS_ALWAYS(zero));
    assert_int_equal(c->n, 2 * TS_CHECK_ON);
    assert_true(TS_NEVER(zero + 1));
    assert_int_equal(c->n, 3 * TS_CHECK_ON);
#ifdef TS_DEBUG
    assert_int_equal(TS_CHECK_ON, 1); /* CMake defines TS_DEBUG in Debug and sanitizer builds */
#else
    assert_int_equal(TS_CHECK_ON, 0);
#endif
}

/* Without a hook, a failure prints one line on stderr and aborts (seen from a parent). */
static void test_check_without_hook_aborts(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = test_fork_no_core();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        ts_check_set_hook(NULL, NULL);
        ts_check_fail("sim/x.c", 12, "used <= capacity");
        _exit(0); /* not reached */
    }
    close(fds[1]);
    char buf[512] = {0};
    size_t n = 0;
    ssize_t k;
    while (n < sizeof(buf) - 1 && (k = read(fds[0], buf + n, sizeof(buf) - 1 - n)) > 0)
        n += (size_t)k;
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(buf, "tiersim: internal error: sim/x.c:12: used <= capacity\n"));
}

/* A hook set on another thread catches that thread's failures only. */
static void *other_thread(void *arg)
{
    caught_t *other = arg;
    ts_check_set_hook(catch_fail, other);
    ts_check_fail("b.c", 2, "second");
    return NULL;
}

static void test_check_hook_is_per_thread(void **state)
{
    caught_t *c = *state;
    ts_check_fail("a.c", 1, "first");
    assert_int_equal(c->n, 1);
    caught_t other = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_thread, &other), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(c->n, 1);
    assert_string_equal(c->what, "first");
    assert_int_equal(other.n, 1);
    assert_string_equal(other.what, "second");
    assert_string_equal(other.file, "b.c");
    assert_int_equal(other.line, 2);
}

static void test_check_expensive_switch(void **state)
{
    (void)state;
    ts_check_set_expensive(1);
    assert_true(ts_check_expensive());
    ts_check_set_expensive(0);
    assert_false(ts_check_expensive());
    ts_check_set_expensive(-1);
    const char *env = getenv("TS_CHECK");
    assert_int_equal(ts_check_expensive(), env && *env && strcmp(env, "0") != 0);
}

/* ---- the key index ---- */

struct node {
    uint64_t key;
    uint32_t link;
    uint32_t pad;
};

/* The key of node i in build_index: random-looking, so that some keys share a home. */
static uint64_t index_key(uint32_t i)
{
    return ts_hash64((uint64_t)i + 1);
}

/* An index of n keys over a pool whose node i holds index_key(i). */
static void build_index(ts_ktab_t *t, ts_pool_t *pool, uint32_t n)
{
    ts_err_t err = {0};
    assert_int_equal(ts_ktab_init(t, 4, &err), 0);
    assert_int_equal(ts_pool_init(pool, sizeof(struct node), 4, &err), 0);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = ts_pool_alloc(pool, &err);
        assert_int_equal(id, i);
        uint64_t key = index_key(i);
        ((struct node *)ts_pool_at(pool, id))->key = key;
        assert_int_equal(ts_ktab_insert(t, key, id, &err), 0);
    }
}

static void test_check_ktab_accepts_what_it_builds(void **state)
{
    (void)state;
    ts_ktab_t t;
    ts_pool_t pool;
    ts_err_t err = {0};
    build_index(&t, &pool, 300);
    assert_int_equal(ts_ktab_check(&t, &err), 0);
    for (uint32_t i = 0; i < 300; i += 2)
        assert_int_equal(ts_ktab_remove(&t, index_key(i), i), 1);
    assert_int_equal(ts_ktab_check(&t, &err), 0);
    ts_ktab_clear(&t);
    assert_int_equal(ts_ktab_check(&t, &err), 0);
    ts_ktab_free(&t);
    assert_int_equal(ts_ktab_check(&t, &err), 0); /* freed: no slots, no keys */
    ts_pool_free_all(&pool);
}

static void test_check_ktab_count_off_by_one(void **state)
{
    (void)state;
    ts_ktab_t t;
    ts_pool_t pool;
    build_index(&t, &pool, 20);
    t.n++;
    ts_err_t err = {0};
    assert_int_equal(ts_ktab_check(&t, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "counts 21 keys but 20 slots are used"));
    t.n -= 2;
    ts_err_clear(&err);
    assert_int_equal(ts_ktab_check(&t, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "counts 19 keys but 20"));
    t.n++;
    ts_ktab_free(&t);
    ts_pool_free_all(&pool);
}

/* Emptying the home slot of a displaced entry leaves that entry unreachable. */
static void test_check_ktab_unreachable_entry(void **state)
{
    (void)state;
    ts_ktab_t t;
    ts_pool_t pool;
    build_index(&t, &pool, 200);
    uint64_t home = UINT64_MAX;
    for (uint64_t i = 0; i <= t.mask && home == UINT64_MAX; i++)
        if (t.slot[i] && ts_ktab_home(&t, (uint32_t)(t.slot[i] >> 32)) != i)
            home = ts_ktab_home(&t, (uint32_t)(t.slot[i] >> 32));
    assert_true(home != UINT64_MAX); /* 200 keys in 512 slots: some entry is displaced */
    uint64_t saved = t.slot[home];
    t.slot[home] = 0;
    t.n--;
    ts_err_t err = {0};
    assert_int_equal(ts_ktab_check(&t, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "unreachable"));
    t.slot[home] = saved;
    t.n++;
    ts_err_clear(&err);
    assert_int_equal(ts_ktab_check(&t, &err), 0);
    /* A slot naming no id (id + 1 == 0) is not an entry. */
    t.slot[home] &= ~(uint64_t)UINT32_MAX;
    assert_int_equal(ts_ktab_check(&t, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "holds no id"));
    t.slot[home] = saved;
    ts_ktab_free(&t);
    ts_pool_free_all(&pool);
}

/* Debug builds assert on removing from an index that counts no keys. */
static void test_check_ktab_remove_from_empty_count(void **state)
{
    caught_t *c = *state;
    ts_ktab_t t;
    ts_pool_t pool;
    build_index(&t, &pool, 3);
    t.n = 0;
    assert_int_equal(ts_ktab_remove(&t, index_key(1), 1), 1);
    assert_int_equal(c->n, TS_CHECK_ON);
    if (TS_CHECK_ON)
        assert_string_equal(c->what, "t->n > 0");
    ts_ktab_free(&t);
    ts_pool_free_all(&pool);
}

/* ---- the node pool ---- */

static void test_check_pool(void **state)
{
    caught_t *c = *state;
    ts_pool_t pool;
    ts_err_t err = {0};
    assert_int_equal(ts_pool_init(&pool, sizeof(struct node), 4, &err), 0);
    assert_int_equal(ts_pool_check(&pool, &err), 0);
    for (int i = 0; i < 30; i++) /* grows past the first 16 nodes, to 40 */
        assert_int_equal(ts_pool_alloc(&pool, &err), (uint32_t)i);
    ts_pool_release(&pool, 3);
    ts_pool_release(&pool, 17);
    ts_pool_release(&pool, 0);
    assert_int_equal(ts_pool_check(&pool, &err), 0);

    pool.n_live++; /* a live count off by one: the free list is one too long */
    assert_int_equal(ts_pool_check(&pool, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "longer than the 2 free ids"));
    pool.n_live -= 2; /* the other way: one too short */
    ts_err_clear(&err);
    assert_int_equal(ts_pool_check(&pool, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "3 ids on the free list, 4 expected"));
    pool.n_live++;
    pool.n_live = pool.hwm + 1;
    ts_err_clear(&err);
    assert_int_equal(ts_pool_check(&pool, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "31 live of 30 handed out"));
    pool.n_live = 27;

    /* A node freed twice makes the free list a cycle. */
    ts_err_clear(&err);
    uint32_t self = 0;
    memcpy((char *)ts_pool_at(&pool, 0) + 8, &self, sizeof(self));
    assert_int_equal(ts_pool_check(&pool, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "a cycle"));
    /* A free id never handed out. */
    uint32_t far = 50;
    memcpy((char *)ts_pool_at(&pool, 0) + 8, &far, sizeof(far));
    ts_err_clear(&err);
    assert_int_equal(ts_pool_check(&pool, &err), TS_EINTERNAL);
    assert_non_null(strstr(err.msg, "free id 50 was never handed out (30 were)"));

    /* Debug builds assert on releasing an id never handed out (30: within the 40 nodes
     * allocated, so the release itself stays in bounds). */
    assert_int_equal(pool.cap, 40);
    assert_int_equal(c->n, 0);
    ts_pool_release(&pool, pool.hwm);
    assert_int_equal(c->n, TS_CHECK_ON);
    ts_pool_free_all(&pool);
}

/* ---- policies and tiers ---- */

/* A tier running ops at its default parameters. */
static ts_tier_t *make_tier(const ts_policy_ops_t *ops, uint64_t capacity, bool objects)
{
    _Alignas(max_align_t) unsigned char params[256];
    ts_err_t err = {0};
    assert_true(ops->base.params_size <= sizeof(params));
    assert_int_equal(
        ts_param_defaults(ops->base.params, ops->base.params_count, params, ops->base.params_size, &err), 0);
    ts_policy_init_t init = {.capacity = capacity, .count_objects = objects, .seed = 3};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create(ops->base.name, ops, params, &init, &t, &err), 0);
    return t;
}

static ts_req_t req(uint64_t key, uint64_t size)
{
    return (ts_req_t){.key = key, .size_bytes = size, .op = TS_OP_GET, .next_access = TS_REQ_NEVER};
}

/* Looks key up and fills it on a miss. */
static void touch(ts_tier_t *t, uint64_t key, uint64_t size)
{
    ts_req_t r = req(key, size);
    if (ts_tier_lookup(t, &r))
        return;
    bool inserted;
    ts_err_t err = {0};
    assert_int_equal(ts_tier_fill(t, &r, NULL, NULL, &inserted, &err), 0);
}

/* The policy's check against what its tier counts. */
static int policy_check(const ts_tier_t *t, uint64_t n_objects, uint64_t charge, bool full,
                        ts_err_t *err)
{
    ts_err_clear(err);
    return t->policy->ops->check(t->policy, n_objects, charge, full, err);
}

/* Every policy's check accepts what a tier builds (hits, evictions, ghosts, removals), in
 * both modes, cheap and walking. */
static void test_check_policies_accept_what_tiers_build(void **state)
{
    caught_t *c = *state;
    ts_check_set_expensive(1); /* the tier's own calls walk too */
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
        if (!ops->check)
            fail_msg("%s has no check op", ops->base.name);
        for (int objects = 0; objects < 2; objects++) {
            ts_tier_t *t = make_tier(ops, objects ? 8 : 100, objects);
            ts_err_t err = {0};
            for (uint64_t k = 0; k < 400; k++) {
                uint64_t key = (k * k) % 23; /* repeats, so hits, ghosts and evictions */
                touch(t, key, 1 + key % 17);
                if (k % 37 == 0)
                    ts_tier_remove(t, (k / 3) % 23);
                for (int full = 0; full < 2; full++)
                    if (policy_check(t, t->n_objects, t->used, full, &err) != 0)
                        fail_msg("%s (%s): request %llu: %s", ops->base.name,
                                 objects ? "objects" : "bytes", (unsigned long long)k, err.msg);
            }
            ts_tier_destroy(t);
        }
    }
    assert_int_equal(c->n, 0);
}

/* A tier whose counts are off: the policy's check says so, and so do the tier's own debug
 * checks on its next operation. */
static void test_check_tier_counts_off(void **state)
{
    caught_t *c = *state;
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
        ts_tier_t *t = make_tier(ops, 4, true);
        for (uint64_t k = 1; k <= 6; k++)
            touch(t, k, 1);
        assert_int_equal(t->n_objects, 4);
        ts_err_t err = {0};
        assert_int_equal(policy_check(t, 5, 4, false, &err), TS_EINTERNAL);
        if (!strstr(err.msg, "holds 4 objects, the tier counts 5") || !strstr(err.msg, ops->base.name))
            fail_msg("%s: %s", ops->base.name, err.msg);
        assert_int_equal(policy_check(t, 4, 5, true, &err), TS_EINTERNAL);
        assert_non_null(strstr(err.msg, "units"));

        /* More in use than the capacity: caught before anything else. */
        assert_int_equal(c->n, 0);
        t->used = 5;
        ts_req_t r = req(1, 1);
        ts_tier_lookup(t, &r);
        assert_int_equal(c->n > 0, TS_CHECK_ON);
        if (TS_CHECK_ON)
            assert_string_equal(c->first, "t->used <= t->capacity");
        t->used = 4;
        c->n = 0;
        ts_tier_destroy(t);
    }
}

/* A policy changed behind its tier's back: one object more is caught by the counters; the
 * same number of objects of other sizes only by the walk when the policy keeps no charge
 * counter (LFU, OPT), by the counters otherwise. */
static void test_check_policy_changed_behind_the_tier(void **state)
{
    caught_t *c = *state;
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        const ts_policy_ops_t *ops = ts_policy_ops_of(ts_registry_at(&ts_policies, i));
        ts_policy_t *p = NULL;
        ts_err_t err = {0};

        /* One object more (objects mode). */
        ts_tier_t *t = make_tier(ops, 10, true);
        for (uint64_t k = 1; k <= 4; k++)
            touch(t, k, 1);
        p = t->policy;
        ts_req_t extra = req(99, 1);
        assert_int_equal(p->ops->insert(p, &extra, &err), 0);
        assert_int_equal(policy_check(t, t->n_objects, t->used, false, &err), TS_EINTERNAL);
        if (!strstr(err.msg, "holds 5 objects, the tier counts 4"))
            fail_msg("%s: %s", ops->base.name, err.msg);
        ts_check_set_expensive(0);
        ts_req_t r = req(2, 1);
        ts_tier_lookup(t, &r);
        assert_int_equal(c->n > 0, TS_CHECK_ON);
        if (TS_CHECK_ON && !strstr(c->first, "holds 5 objects, the tier counts 4"))
            fail_msg("%s: the tier's check said %s", ops->base.name, c->first);
        c->n = 0;
        ts_tier_destroy(t);

        /* As many objects, 10 bytes more (bytes mode): key 1 (10 bytes) swapped for key 99
         * (20 bytes). */
        t = make_tier(ops, 1000, false);
        for (uint64_t k = 1; k <= 4; k++)
            touch(t, k, 10);
        p = t->policy;
        ts_victim_t v;
        assert_true(p->ops->remove(p, 1, &v));
        extra = req(99, 20);
        assert_int_equal(p->ops->insert(p, &extra, &err), 0);
        assert_int_equal(policy_check(t, 4, 40, true, &err), TS_EINTERNAL);
        if (!strstr(err.msg, "holds 50 units, the tier counts 40"))
            fail_msg("%s: %s", ops->base.name, err.msg);
        int cheap = policy_check(t, 4, 40, false, &err);
        bool has_counter = strcmp(ops->base.name, "lfu") != 0 && strcmp(ops->base.name, "opt") != 0;
        if (cheap != (has_counter ? TS_EINTERNAL : 0))
            fail_msg("%s: the cheap check returned %d (%s)", ops->base.name, cheap, err.msg);
        ts_check_set_expensive(1);
        r = req(2, 10);
        ts_tier_lookup(t, &r);
        assert_int_equal(c->n > 0, TS_CHECK_ON);
        if (TS_CHECK_ON && !strstr(c->first, "holds 50 units, the tier counts 40"))
            fail_msg("%s: the tier's check said %s", ops->base.name, c->first);
        c->n = 0;
        ts_tier_destroy(t);
    }
}

/* ---- the hierarchy ---- */

typedef struct rig {
    ts_tier_t *t[3];
    ts_hier_t *h;
    void *pf_params;
} rig_t;

static void rig_open(rig_t *g, ts_inclusion_t incl, ts_write_t write, ts_demote_t demote,
                     bool prefetch)
{
    memset(g, 0, sizeof(*g));
    ts_err_t err = {0};
    for (int i = 0; i < 3; i++)
        g->t[i] = make_tier(&ts_policy_lru, 3 + 3 * (uint64_t)i, true);
    ts_hier_config_t cfg = {.inclusion = incl, .write = write, .demote = demote};
    if (prefetch) {
        const ts_prefetch_ops_t *pf = &ts_prefetch_next_n;
        g->pf_params = test_calloc(1, pf->base.params_size);
        assert_int_equal(
            ts_param_defaults(pf->base.params, pf->base.params_count, g->pf_params, pf->base.params_size, &err),
            0);
        cfg.prefetch = pf;
        cfg.prefetch_params = g->pf_params;
        cfg.prefetch_into = 1;
    }
    assert_int_equal(ts_hier_create(&cfg, g->t, 3, &g->h, &err), 0);
}

static void rig_close(rig_t *g)
{
    ts_hier_destroy(g->h);
    for (int i = 0; i < 3; i++)
        ts_tier_destroy(g->t[i]);
    if (g->pf_params)
        test_free(g->pf_params);
}

static int rig_access(rig_t *g, uint64_t key, ts_op_t op)
{
    ts_req_t r = req(key, 1);
    r.op = op;
    ts_err_t err = {0};
    int rc = ts_hier_access(g->h, &r, NULL, &err);
    assert_true(rc >= 0);
    return rc;
}

/* Random gets, puts and deletes in every inclusion x write x demote x prefetch setting,
 * with the expensive walks on: no check fires. */
static void test_check_hierarchy_quiet_when_correct(void **state)
{
    caught_t *c = *state;
    ts_check_set_expensive(1);
    gsl_rng *rng = test_rng(17); /* seeded again for every combination */
    for (int incl = 0; incl < TS_INCL_COUNT_; incl++)
        for (int write = 0; write < TS_WRITE_COUNT_; write++)
            for (int demote = 0; demote < TS_DEMOTE_COUNT_; demote++)
                for (int pf = 0; pf < 2; pf++) {
                    rig_t g;
                    rig_open(&g, incl, write, demote, pf);
                    gsl_rng_set(rng, 17);
                    for (int k = 0; k < 2000; k++) {
                        double u = gsl_rng_uniform(rng);
                        ts_op_t op = u < 0.6 ? TS_OP_GET : u < 0.95 ? TS_OP_PUT : TS_OP_DELETE;
                        rig_access(&g, gsl_rng_uniform_int(rng, 40), op);
                    }
                    if (c->n)
                        fail_msg("%s, write %s, demote %s, prefetch %d: %s",
                                 ts_inclusion_names[incl], ts_write_names[write],
                                 ts_demote_names[demote], pf, c->first);
                    rig_close(&g);
                }
    gsl_rng_free(rng);
}

/* A key copied behind the hierarchy's back into a second exclusive tier. */
static void test_check_hierarchy_exclusive_copy(void **state)
{
    caught_t *c = *state;
    rig_t g;
    rig_open(&g, TS_INCL_EXCLUSIVE, TS_WRITE_THROUGH, TS_DEMOTE_NEXT, false);
    assert_int_equal(rig_access(&g, 1, TS_OP_GET), TS_LEVEL_BACKING);
    assert_true(ts_tier_holds(g.t[0], 1));
    ts_req_t r = req(1, 1);
    bool inserted;
    ts_err_t err = {0};
    assert_int_equal(ts_tier_fill(g.t[2], &r, NULL, NULL, &inserted, &err), 0);
    assert_int_equal(c->n, 0);
    assert_int_equal(rig_access(&g, 1, TS_OP_GET), 0);
    assert_int_equal(c->n, TS_CHECK_ON);
    if (TS_CHECK_ON)
        assert_string_equal(c->first, "h->cfg.inclusion != TS_INCL_EXCLUSIVE || n_held <= 1");
    rig_close(&g);
}

/* An inclusive copy in tier 0 whose copy below was taken away. */
static void test_check_hierarchy_inclusive_hole(void **state)
{
    caught_t *c = *state;
    rig_t g;
    rig_open(&g, TS_INCL_INCLUSIVE, TS_WRITE_THROUGH, TS_DEMOTE_DROP, false);
    assert_int_equal(rig_access(&g, 1, TS_OP_GET), TS_LEVEL_BACKING);
    for (int i = 0; i < 3; i++)
        assert_true(ts_tier_holds(g.t[i], 1));
    assert_true(ts_tier_take(g.t[1], 1, NULL));
    assert_int_equal(rig_access(&g, 1, TS_OP_GET), 0);
    assert_int_equal(c->n, TS_CHECK_ON);
    if (TS_CHECK_ON)
        assert_string_equal(c->first,
                            "h->cfg.inclusion != TS_INCL_INCLUSIVE || !held || held_below");
    rig_close(&g);
}

/* A dirty key that no tier holds any more: the walk over the dirty table finds it when
 * another key is accessed. */
static void test_check_hierarchy_dirty_not_cached(void **state)
{
    caught_t *c = *state;
    rig_t g;
    rig_open(&g, TS_INCL_NON_INCLUSIVE, TS_WRITE_BACK, TS_DEMOTE_DROP, false);
    rig_access(&g, 1, TS_OP_PUT);
    assert_true(ts_hier_is_dirty(g.h, 1));
    for (int i = 0; i < 3; i++)
        ts_tier_take(g.t[i], 1, NULL);
    ts_check_set_expensive(0);
    rig_access(&g, 2, TS_OP_GET); /* the cheap checks look at key 2 only */
    assert_int_equal(c->n, 0);
    ts_check_set_expensive(1);
    rig_access(&g, 2, TS_OP_GET);
    assert_int_equal(c->n, TS_CHECK_ON);
    if (TS_CHECK_ON)
        assert_string_equal(c->first, "!e || n_held > 0");
    rig_close(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_check_debug_forms, setup_hook, teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_release_forms, setup_hook, teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_plain_names_follow_the_build, setup_hook,
                                        teardown_hook),
        cmocka_unit_test(test_check_without_hook_aborts),
        cmocka_unit_test_setup_teardown(test_check_hook_is_per_thread, setup_hook, teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_expensive_switch, setup_hook, teardown_hook),
        cmocka_unit_test(test_check_ktab_accepts_what_it_builds),
        cmocka_unit_test(test_check_ktab_count_off_by_one),
        cmocka_unit_test(test_check_ktab_unreachable_entry),
        cmocka_unit_test_setup_teardown(test_check_ktab_remove_from_empty_count, setup_hook,
                                        teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_pool, setup_hook, teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_policies_accept_what_tiers_build, setup_hook,
                                        teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_tier_counts_off, setup_hook, teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_policy_changed_behind_the_tier, setup_hook,
                                        teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_hierarchy_quiet_when_correct, setup_hook,
                                        teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_hierarchy_exclusive_copy, setup_hook,
                                        teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_hierarchy_inclusive_hole, setup_hook,
                                        teardown_hook),
        cmocka_unit_test_setup_teardown(test_check_hierarchy_dirty_not_cached, setup_hook,
                                        teardown_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
