/* SPDX-License-Identifier: MIT */
/*
 * test_policy_prefix_tree.c - the prefix-tree KV policy traced by hand (two prompts sharing
 * a two-block prefix and a third one: the shared blocks stay while a child is cached, where
 * LRU drops them), how it learns parents (per stream, reset by a group's end, not broken by
 * other objects), the detaching remove, and a randomized comparison with a brute-force
 * reference (O(n) per eviction) over thousands of chains, with the full check as they go.
 */
#include "policy_trace.h"

#include "rng_test.h"

/* One request of a hand trace: a one-character key on a stream. */
typedef struct step {
    char key;      /* one-character key */
    uint32_t s;    /* stream */
    uint8_t flags; /* TS_REQ_KV, TS_REQ_GROUP_END */
} step_t;

/* Replays a prompt chain: the keys as KV gets on stream s, the last one ending the group.
 * Writes 'H' or 'm' per key into out; the victims go to vs. */
static const char *run_chain(ts_tier_t *t, const char *keys, uint32_t s, pt_victims_t *vs,
                             char *out)
{
    size_t n = strlen(keys);
    for (size_t i = 0; i < n; i++) {
        ts_req_t r = {.key = (unsigned char)keys[i],
                      .size_bytes = 1,
                      .op = TS_OP_GET,
                      .stream = s,
                      .flags = TS_REQ_KV | (i + 1 == n ? TS_REQ_GROUP_END : 0),
                      .next_access = TS_REQ_NEVER};
        bool hit = ts_tier_lookup(t, &r);
        out[i] = hit ? 'H' : 'm';
        bool ok;
        ts_err_t err = {0};
        if (!hit)
            assert_int_equal(ts_tier_fill(t, &r, pt_on_evict, vs, &ok, &err), 0);
        assert_int_equal(t->policy->ops->check(t->policy, t->n_objects, t->used, true, &err), 0);
    }
    out[n] = 0;
    return out;
}

/* Replays single steps (any flags); returns the victims. */
static const char *run_steps(ts_tier_t *t, const step_t *st, size_t n, pt_victims_t *vs)
{
    for (size_t i = 0; i < n; i++) {
        ts_req_t r = {.key = (unsigned char)st[i].key,
                      .size_bytes = 1,
                      .op = TS_OP_GET,
                      .stream = st[i].s,
                      .flags = st[i].flags,
                      .next_access = TS_REQ_NEVER};
        bool ok;
        ts_err_t err = {0};
        if (!ts_tier_lookup(t, &r))
            assert_int_equal(ts_tier_fill(t, &r, pt_on_evict, vs, &ok, &err), 0);
        assert_int_equal(t->policy->ops->check(t->policy, t->n_objects, t->used, true, &err), 0);
    }
    return vs->v;
}

static void test_policy_prefix_tree_hand_trace(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("prefix_tree", 5, NULL, 0);
    ts_tier_t *lru = pt_tier("lru", 5, NULL, 0);
    pt_victims_t v = {0}, vl = {0};
    char got[16], set[16];
    /* Access times in brackets; a leaf has no cached child.
     * P1 (stream 1) A B C: three misses; the chain A -> B -> C      A[1] B[2] C[3]
     * P2 (stream 1) A B D: A, B hit; D misses and hangs under B     A[4] B[5] D[6]
     * Both prompts share the prefix A B. */
    assert_string_equal(run_chain(t, "ABC", 1, &v, got), "mmm");
    assert_string_equal(run_chain(t, "ABD", 1, &v, got), "HHm");
    assert_string_equal(run_chain(lru, "ABC", 1, &vl, got), "mmm");
    assert_string_equal(run_chain(lru, "ABD", 1, &vl, got), "HHm");
    /* P3 (stream 2) E F G H, a prompt of its own, into a full cache of 5:
     *   E m: room (4 cached)                                   E[7]
     *   F m: leaves C[3], D[6], E[7]: C leaves (LRU: C[3] too)   F[8] under E
     *   G m: leaves D[6], F[8]: D leaves; B, without a cached child now, becomes a leaf
     *        with its own time [5].  LRU evicts A[4], the least recent: the shared prefix.
     *   H m: leaves B[5], G[9]: B leaves; A becomes a leaf [4]. LRU evicts B[5]. */
    assert_string_equal(run_chain(t, "EFGH", 2, &v, got), "mmmm");
    assert_string_equal(v.v, "CDB");
    assert_string_equal(pt_content(t, set), "AEFGH");
    assert_string_equal(run_chain(lru, "EFGH", 2, &vl, got), "mmmm");
    assert_string_equal(vl.v, "CAB");
    /* After G, the prefix tree still held A and B (D, B's child, had just left); LRU held B
     * without A, a prefix no prompt can use without A. */
    /* P4 (stream 1) A B: A hits (A[11]); B misses: leaves A[11], H[10]: H leaves (G becomes
     * a leaf [9]); B hangs under A. LRU: A and B miss (evicting D[6], E[7]). */
    assert_string_equal(run_chain(t, "AB", 1, &v, got), "Hm");
    assert_string_equal(v.v, "CDBH");
    assert_string_equal(pt_content(t, set), "ABEFG");
    assert_string_equal(run_chain(lru, "AB", 1, &vl, got), "mm");
    assert_string_equal(vl.v, "CABDE");
    ts_tier_destroy(t);
    ts_tier_destroy(lru);
}

/* Parents are learned per stream, from KV gets only, and a group's end starts a new chain. */
static void test_policy_prefix_tree_learning(void **state)
{
    (void)state;
    static const uint8_t KV = TS_REQ_KV, END = TS_REQ_GROUP_END;
    /* Interleaved streams: A (1), X (2), B (1): B's parent is A, not X. Then W, a plain
     * object: leaves X[2], B[3]: X leaves (A is inner). Had B hung under X, A would. */
    {
        ts_tier_t *t = pt_tier("prefix_tree", 3, NULL, 0);
        pt_victims_t v = {0};
        const step_t st[] = {{'A', 1, KV}, {'X', 2, KV}, {'B', 1, KV | END}, {'W', 3, 0}};
        assert_string_equal(run_steps(t, st, 4, &v), "X");
        ts_tier_destroy(t);
    }
    /* A plain object between two blocks does not break the chain: A, W, B (stream 1) gives
     * A -> B and the leaf W. Y (plain): leaves W[2], B[3]: W. Z: leaves B[3], Y[4]: B, and
     * A becomes a leaf [1]. Q: leaves A[1], Y[4], Z[5]: A. */
    {
        ts_tier_t *t = pt_tier("prefix_tree", 3, NULL, 0);
        pt_victims_t v = {0};
        const step_t st[] = {{'A', 1, KV},       {'W', 1, 0}, {'B', 1, KV | END},
                             {'Y', 3, 0},        {'Z', 3, 0}, {'Q', 3, 0}};
        assert_string_equal(run_steps(t, st, 6, &v), "WBA");
        ts_tier_destroy(t);
    }
    /* A group's end: A B (end), then C on stream 1 starts a chain of its own (a root).
     * D (plain): leaves B[2], C[3]: B, and A becomes a leaf [1]; E: leaves A[1], C, D: A.
     * Had C hung under B, D would have evicted C. */
    {
        ts_tier_t *t = pt_tier("prefix_tree", 3, NULL, 0);
        pt_victims_t v = {0};
        const step_t st[] = {{'A', 1, KV}, {'B', 1, KV | END}, {'C', 1, KV | END},
                             {'D', 3, 0},  {'E', 3, 0}};
        assert_string_equal(run_steps(t, st, 5, &v), "BA");
        ts_tier_destroy(t);
    }
    /* A hit on an inner block renews it but does not free it: A B C, then A again; the
     * leaf C goes before A ([4]) and B ([2]) in that order: C[3], then B[2] (a leaf once C
     * is gone), then A[4]. */
    {
        ts_tier_t *t = pt_tier("prefix_tree", 3, NULL, 0);
        pt_victims_t v = {0};
        const step_t st[] = {{'A', 1, KV},    {'B', 1, KV}, {'C', 1, KV | END},
                             {'A', 1, KV | END}, {'X', 3, 0},  {'Y', 3, 0}, {'Z', 3, 0}};
        assert_string_equal(run_steps(t, st, 7, &v), "CBA");
        ts_tier_destroy(t);
    }
}

/* Removing an inner block detaches its children: they become roots and leave by their own
 * order. A -> B -> {C, D}; remove B: C and D are roots, A a leaf again. */
static void test_policy_prefix_tree_remove_detaches(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("prefix_tree", 4, NULL, 0);
    pt_victims_t v = {0};
    char got[8];
    assert_string_equal(run_chain(t, "ABC", 1, &v, got), "mmm"); /* A[1] B[2] C[3] */
    assert_string_equal(run_chain(t, "ABD", 1, &v, got), "HHm"); /* A[4] B[5] D[6] */
    assert_true(ts_tier_remove(t, 'B'));
    ts_err_t err = {0};
    assert_int_equal(t->policy->ops->check(t->policy, t->n_objects, t->used, true, &err), 0);
    /* Leaves now: A[4], C[3], D[6]: evict until empty gives C, A, D. */
    ts_victim_t out;
    const char want[] = "CAD";
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t->policy->ops->evict(t->policy, NULL, &out), 0);
        assert_int_equal(out.key, (uint64_t)want[i]);
    }
    assert_int_equal(t->policy->ops->evict(t->policy, NULL, &out), TS_ENOENT);
    ts_tier_destroy(t);
}

/* ---- randomized comparison with a brute-force reference ---- */

#define REF_MAX 256 /* blocks the reference holds at most */

typedef struct ref {
    uint64_t key[REF_MAX], size[REF_MAX], seq[REF_MAX];
    int parent[REF_MAX]; /* slot of the cached parent, -1 for a root */
    int n_child[REF_MAX];
    bool live[REF_MAX];
    uint64_t used, cap, clock;
    uint64_t last[64];  /* per stream: last KV get of its open group */
    bool open[64];
    uint64_t pend_key, pend_parent;
    bool has_pend, pend_has_parent;
} ref_t;

static int ref_find(const ref_t *f, uint64_t key)
{
    for (int i = 0; i < REF_MAX; i++)
        if (f->live[i] && f->key[i] == key)
            return i;
    return -1;
}

static void ref_drop(ref_t *f, int i)
{
    for (int j = 0; j < REF_MAX; j++)
        if (f->live[j] && f->parent[j] == i)
            f->parent[j] = -1; /* detached */
    if (f->parent[i] >= 0)
        f->n_child[f->parent[i]]--;
    f->live[i] = false;
    f->used -= f->size[i];
}

/* The least recently used leaf, as the policy's rule says, by a scan. */
static uint64_t ref_evict(ref_t *f)
{
    int best = -1;
    for (int i = 0; i < REF_MAX; i++)
        if (f->live[i] && f->n_child[i] == 0 && (best < 0 || f->seq[i] < f->seq[best]))
            best = i;
    assert_true(best >= 0);
    uint64_t key = f->key[best];
    ref_drop(f, best);
    return key;
}

static bool ref_lookup(ref_t *f, const ts_req_t *r)
{
    uint32_t s = r->stream;
    f->has_pend = false;
    if (r->op == TS_OP_GET && (r->flags & TS_REQ_KV)) {
        f->has_pend = true;
        f->pend_key = r->key;
        f->pend_has_parent = f->open[s];
        f->pend_parent = f->last[s];
        f->last[s] = r->key;
        f->open[s] = true;
    }
    if (r->flags & TS_REQ_GROUP_END)
        f->open[s] = false;
    int i = ref_find(f, r->key);
    if (i >= 0)
        f->seq[i] = ++f->clock;
    return i >= 0;
}

/* Evicts until r fits (victims appended to vic), then inserts it. */
static void ref_fill(ref_t *f, const ts_req_t *r, uint64_t *vic, size_t *n_vic)
{
    while (f->used + r->size_bytes > f->cap)
        vic[(*n_vic)++] = ref_evict(f);
    int parent = f->has_pend && f->pend_key == r->key && f->pend_has_parent
                     ? ref_find(f, f->pend_parent)
                     : -1;
    f->has_pend = false;
    int i = 0;
    while (f->live[i])
        i++;
    assert_true(i < REF_MAX);
    f->live[i] = true;
    f->key[i] = r->key;
    f->size[i] = r->size_bytes;
    f->parent[i] = parent;
    f->n_child[i] = 0;
    f->seq[i] = ++f->clock;
    if (parent >= 0)
        f->n_child[parent]++;
    f->used += r->size_bytes;
}

typedef struct vlist {
    uint64_t v[REF_MAX];
    size_t n;
} vlist_t;

static void on_evict_key(void *ctx, const ts_tier_t *t, const ts_victim_t *v)
{
    (void)t;
    vlist_t *l = ctx;
    assert_true(l->n < REF_MAX);
    l->v[l->n++] = v->key;
}

/* The key of block d of chain c: chains form a random tree of prompts; block keys are the
 * prompt tree's node ids, so chains sharing a node share the prefix up to it. */
enum { RT_NODES = 400, RT_STREAMS = 8 };

static void random_run(uint64_t seed, bool bytes)
{
    gsl_rng *g = test_rng((unsigned long)seed);
    int tparent[RT_NODES];
    for (int i = 0; i < RT_NODES; i++) { /* about a third are roots; the rest extend one */
        bool is_root = i == 0 || gsl_rng_uniform_int(g, 3) == 0;
        tparent[i] = is_root ? -1 : (int)gsl_rng_uniform_int(g, (unsigned long)i);
    }
    uint64_t cap = bytes ? 40 + gsl_rng_uniform_int(g, 60) : 8 + gsl_rng_uniform_int(g, 60);
    ts_tier_t *t = NULL;
    {
        ts_err_t err = {0};
        const ts_policy_ops_t *ops = ts_policy_find("prefix_tree", &err);
        ts_policy_init_t init = {.capacity = cap, .count_objects = !bytes, .seed = 1};
        assert_int_equal(ts_tier_create("t", ops, NULL, &init, &t, &err), 0);
    }
    ref_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->cap = cap;
    /* Each stream walks a chain (root to a random prompt node) a block at a time; streams
     * take turns at random, so chains interleave. */
    int path[RT_STREAMS][RT_NODES], len[RT_STREAMS] = {0}, pos[RT_STREAMS] = {0};
    for (int k = 0; k < 6000; k++) {
        uint32_t s = (uint32_t)gsl_rng_uniform_int(g, RT_STREAMS);
        ts_req_t r = {.op = TS_OP_GET, .stream = s, .next_access = TS_REQ_NEVER};
        unsigned long what = gsl_rng_uniform_int(g, 20);
        if (what == 0) { /* a plain object (a weight chunk): no parent, the chain goes on */
            r.key = 100000 + gsl_rng_uniform_int(g, 30);
        } else if (what == 1 && f->used) { /* a delete of any cached key */
            int i = (int)gsl_rng_uniform_int(g, REF_MAX);
            while (!f->live[i])
                i = (i + 1) % REF_MAX;
            uint64_t key = f->key[i];
            ref_drop(f, i);
            assert_true(ts_tier_remove(t, key));
            continue;
        } else {
            if (pos[s] == len[s]) { /* a new prompt: the path to a random node */
                int n = (int)gsl_rng_uniform_int(g, RT_NODES), d = 0, tmp[RT_NODES];
                for (; n >= 0; n = tparent[n])
                    tmp[d++] = n;
                for (int i = 0; i < d; i++)
                    path[s][i] = tmp[d - 1 - i];
                len[s] = d;
                pos[s] = 0;
            }
            r.key = (uint64_t)path[s][pos[s]++];
            r.flags = TS_REQ_KV | (pos[s] == len[s] ? TS_REQ_GROUP_END : 0);
        }
        r.size_bytes = bytes ? 1 + r.key % 4 : 1;
        bool want = ref_lookup(f, &r);
        bool hit = ts_tier_lookup(t, &r);
        if (hit != want)
            fail_msg("seed %llu request %d key %llu: %s, the reference %s",
                     (unsigned long long)seed, k, (unsigned long long)r.key, hit ? "hit" : "miss",
                     want ? "hit" : "miss");
        if (hit)
            continue;
        uint64_t vic[REF_MAX];
        size_t n_vic = 0;
        ref_fill(f, &r, vic, &n_vic);
        vlist_t got = {.n = 0};
        bool ok;
        ts_err_t err = {0};
        assert_int_equal(ts_tier_fill(t, &r, on_evict_key, &got, &ok, &err), 0);
        assert_true(ok);
        if (got.n != n_vic)
            fail_msg("seed %llu request %d: %zu victims, the reference %zu",
                     (unsigned long long)seed, k, got.n, n_vic);
        for (size_t i = 0; i < n_vic; i++)
            if (got.v[i] != vic[i])
                fail_msg("seed %llu request %d: victim %zu is %llu, the reference's %llu",
                         (unsigned long long)seed, k, i, (unsigned long long)got.v[i],
                         (unsigned long long)vic[i]);
        if (k % 7 == 0) {
            int rc = t->policy->ops->check(t->policy, t->n_objects, t->used, true, &err);
            if (rc)
                fail_msg("seed %llu request %d: %s", (unsigned long long)seed, k, err.msg);
        }
    }
    free(f);
    ts_tier_destroy(t);
    gsl_rng_free(g);
}

static void test_policy_prefix_tree_random(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 12; seed++)
        random_run(seed, seed % 2 == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_prefix_tree_hand_trace),
        cmocka_unit_test(test_policy_prefix_tree_learning),
        cmocka_unit_test(test_policy_prefix_tree_remove_detaches),
        cmocka_unit_test(test_policy_prefix_tree_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
