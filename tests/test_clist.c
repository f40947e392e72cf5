/* SPDX-License-Identifier: MIT */
/*
 * test_clist.c - the compact lists keep no size in their 16-byte nodes: while every object
 * has one size the store holds that value once, and from the first differing size on an
 * array beside the pool. Either way each victim must report the size it was inserted with,
 * in objects mode (where the charge is 1 but the tier counts the bytes that leave) and in
 * bytes mode, for every policy on the compact base.
 */
#include "policy_trace.h"

static const char *const k_compact[] = {"lru", "fifo", "clock", "sieve", "s3fifo", "arc"};

/* The size a key is requested with: 100 bytes times its letter's rank, or 4096 for all. */
static uint64_t clist_test_size(uint64_t key, bool mixed)
{
    return mixed ? 100 * (key - 'A' + 1) : 4096;
}

typedef struct clist_seen {
    uint64_t n_evicted;
    uint64_t bytes_evicted;
    bool mixed;
} clist_seen_t;

static void clist_on_evict(void *ctx, const ts_tier_t *t, const ts_victim_t *v)
{
    (void)t;
    clist_seen_t *s = ctx;
    assert_int_equal(v->size_bytes, clist_test_size(v->key, s->mixed));
    s->n_evicted++;
    s->bytes_evicted += v->size_bytes;
}

/* Replays 128 pseudo-random requests over 8 keys through a tier of capacity (objects or
 * bytes); every victim's size is checked by clist_on_evict. Returns the policy's heap. */
static size_t clist_replay(const char *name, uint64_t capacity, bool objects, bool mixed)
{
    ts_err_t err = {0};
    const ts_policy_ops_t *ops = ts_policy_find(name, &err);
    assert_non_null(ops);
    ts_policy_init_t init = {.capacity = capacity, .count_objects = objects, .seed = 1};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create(name, ops, NULL, &init, &t, &err), 0);
    char keys[PT_MAX_KEYS + 1];
    pt_keys(keys, 7, 8);
    clist_seen_t seen = {.mixed = mixed};
    uint64_t bytes_in = 0;
    for (int i = 0; i < PT_MAX_KEYS; i++) {
        uint64_t key = (unsigned char)keys[i];
        ts_req_t r = {.key = key, .size_bytes = clist_test_size(key, mixed), .op = TS_OP_GET};
        if (ts_tier_lookup(t, &r))
            continue;
        bool inserted;
        assert_int_equal(ts_tier_fill(t, &r, clist_on_evict, &seen, &inserted, &err), 0);
        bytes_in += inserted ? r.size_bytes : 0;
    }
    assert_true(seen.n_evicted > 0);
    assert_int_equal(t->st.n_evict, seen.n_evicted);
    assert_int_equal(t->st.bytes_out, seen.bytes_evicted);
    /* In bytes mode the tier's use is what went in minus what left. */
    assert_int_equal(t->st.bytes_in, bytes_in);
    if (!objects)
        assert_int_equal(t->used, bytes_in - seen.bytes_evicted);
    size_t heap = ops->mem_bytes(t->policy);
    ts_tier_destroy(t);
    return heap;
}

static void test_clist_victims_report_their_sizes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(k_compact) / sizeof(k_compact[0]); i++) {
        size_t same = clist_replay(k_compact[i], 3, true, false);
        size_t mixed = clist_replay(k_compact[i], 3, true, true);
        /* The size array appears only with differing sizes: 8 bytes per pool node, and the
         * pool holds at least its 16-node minimum. */
        assert_true(mixed >= same + 16 * sizeof(uint64_t));
        clist_replay(k_compact[i], 1000, false, true); /* bytes mode: 100-800 B in 1000 B */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clist_victims_report_their_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
