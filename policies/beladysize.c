/* SPDX-License-Identifier: MIT */
/*
 * beladysize.c - Belady-Size: evict the object whose next request is furthest ahead,
 * weighted by its size (offline).
 *
 * It reads ts_req_t.next_access, filled by the engine's pre-pass (sim/future.h), like OPT.
 * now is the index of the current request: one more than the previous touching lookup's,
 * and exactly the object's next use on a hit (a lower tier sees only some requests).
 * Decision rule:
 *   on hit:    the object's next use becomes the request's next_access
 *   on insert: the object enters with the request's next_access
 *   on evict:  an object never requested again, if any, leaves first (the latest to become
 *              so); else, of `samples` cached objects drawn uniformly with replacement
 *              (samples = 0: of every cached object), the one with the largest
 *              (next use - now) x charge leaves; ties: the first drawn (or the earliest in
 *              the array). charge is the size in bytes mode and 1 in objects mode, where the
 *              rule is OPT's furthest next use (exactly OPT's misses with samples = 0).
 * Structure: the live objects sit in dense parallel arrays (next use; charge, bytes mode
 * only; node) so a draw is one random index and, in objects mode, one 8-byte read; the
 * draws of an eviction are made first and their entries prefetched together. The
 * never-again objects sit in a second array, a stack. Removal swaps the last entry in.
 * Cost: O(1) expected per hit, insert and remove; O(samples) per eviction, O(n) with
 * samples = 0. Memory: a 24-byte node and 16 bytes of the arrays per object (24 in bytes
 * mode).
 * Not an optimal variable-size algorithm (FOO/PFOO, Berger et al., SIGMETRICS 2018): the
 * size-weighted Belady heuristic as the LRB paper defines it (Song et al., "Learning
 * Relaxed Belady for Content Distribution Network Caching", NSDI 2020), sampled as
 * libCacheSim's BeladySize is (128 samples by default).
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "../sim/util/rng.h"
#include "list_internal.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_beladysize;

typedef struct bsize_params {
    int64_t samples; /* objects drawn per eviction; 0: every cached object */
} bsize_params_t;

static const ts_param_spec_t k_bsize_params[] = {
    {.name = "samples",
     .type = TS_PT_INT,
     .offset = offsetof(bsize_params_t, samples),
     .min = 0,
     .max = 4096,
     .def = "128",
     .help = "cached objects drawn at random per eviction (0: all of them, exact)"},
};

#define BSIZE_DEAD 0x80000000u /* slot flag: in the never-again stack */

typedef struct bsize_node {
    uint64_t key;        /* must be first (ts_ktab) */
    uint64_t size_bytes; /* as inserted */
    uint32_t slot;       /* its entry: in live, or (| BSIZE_DEAD) in dead */
} bsize_node_t;

typedef struct bsize {
    ts_policy_t base;    /* must be first */
    ts_pool_t pool;      /* bsize_node_t per cached object */
    ts_ktab_t index;     /* key -> node id */
    uint64_t *lnext;     /* live (requested again) [0, n_live): request index of the next
                            use, never TS_REQ_NEVER */
    uint64_t *lcharge;   /* live: units each holds (its weight); NULL in objects mode (1) */
    uint32_t *lid;       /* live: its node */
    uint32_t *dead;      /* node ids of objects never requested again, [0, n_dead) */
    uint32_t n_live, n_dead; /* entries in use in each */
    uint32_t cap;        /* entries allocated in each array */
    uint64_t charge;     /* sum of the objects' charges */
    uint64_t seen;       /* now + 1: see the header */
    uint64_t rng;        /* splitmix64 state */
    uint32_t samples;    /* draws per eviction; 0: all */
} bsize_t;

static inline bsize_node_t *bsize_node(const bsize_t *b, uint32_t id)
{
    return (bsize_node_t *)ts_pool_at(&b->pool, id);
}

static void bsize_destroy(ts_policy_t *p)
{
    bsize_t *b = (bsize_t *)p;
    ts_free(b->lnext);
    ts_free(b->lcharge);
    ts_free(b->lid);
    ts_free(b->dead);
    ts_ktab_free(&b->index);
    ts_pool_free_all(&b->pool);
    ts_free(b);
}

static int bsize_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                        ts_err_t *err)
{
    bsize_params_t bp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_beladysize, params, &bp, sizeof(bp), err);
    if (rc)
        return rc;
    if (bp.samples < 0 || bp.samples > 4096)
        return ts_err_set(err, TS_EINVAL, "beladysize: samples must lie in 0..4096, not %lld",
                          (long long)bp.samples);
    bsize_t *b = ts_calloc(1, sizeof(*b));
    if (!b)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate beladysize");
    ts_policy_base_init(&b->base, &ts_policy_beladysize, init);
    b->samples = (uint32_t)bp.samples;
    b->rng = ts_seed_derive(init->seed, 0x42656c6164); /* "Belad" */
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    rc = ts_pool_init(&b->pool, sizeof(bsize_node_t), (uint32_t)hint + 1, err);
    if (rc)
        goto fail;
    rc = ts_ktab_init(&b->index, hint, err);
    if (rc)
        goto fail;
    b->cap = (uint32_t)hint + 1;
    b->lnext = ts_malloc((size_t)b->cap * sizeof(*b->lnext));
    b->lid = ts_malloc((size_t)b->cap * sizeof(*b->lid));
    b->dead = ts_malloc((size_t)b->cap * sizeof(*b->dead));
    if (!init->count_objects)
        b->lcharge = ts_malloc((size_t)b->cap * sizeof(*b->lcharge));
    if (!b->lnext || !b->lid || !b->dead || (!init->count_objects && !b->lcharge)) {
        rc = ts_err_set(err, TS_ENOMEM, "beladysize: cannot allocate %u entries", b->cap);
        goto fail;
    }
    *out = &b->base;
    return 0;
fail:
    bsize_destroy(&b->base);
    return rc;
}

/* Room for one more object in both arrays (each can hold every object), so that moving
 * an object between them on a hit never allocates. Returns 0 or TS_ENOMEM (nothing
 * changed but the arrays' room). */
static int bsize_reserve(bsize_t *b, ts_err_t *err)
{
    if (b->n_live + b->n_dead < b->cap)
        return 0;
    if (b->cap >= BSIZE_DEAD / 2)
        return ts_err_set(err, TS_ENOMEM, "beladysize: more than %u objects", b->cap);
    uint32_t cap = b->cap * 2;
    uint64_t *nx = ts_realloc(b->lnext, (size_t)cap * sizeof(*nx));
    if (nx)
        b->lnext = nx;
    uint32_t *li = nx ? ts_realloc(b->lid, (size_t)cap * sizeof(*li)) : NULL;
    if (li)
        b->lid = li;
    uint32_t *d = li ? ts_realloc(b->dead, (size_t)cap * sizeof(*d)) : NULL;
    if (d)
        b->dead = d;
    uint64_t *ch = d && b->lcharge ? ts_realloc(b->lcharge, (size_t)cap * sizeof(*ch)) : NULL;
    if (ch)
        b->lcharge = ch;
    if (!d || (b->lcharge && !ch))
        return ts_err_set(err, TS_ENOMEM, "beladysize: cannot grow to %u entries", cap);
    b->cap = cap;
    return 0;
}

/* Takes node id's entry out of its array (the last entry fills the hole). */
static void bsize_unlink(bsize_t *b, uint32_t id)
{
    uint32_t slot = bsize_node(b, id)->slot;
    if (slot & BSIZE_DEAD) {
        slot &= ~BSIZE_DEAD;
        b->dead[slot] = b->dead[--b->n_dead];
        bsize_node(b, b->dead[slot])->slot = slot | BSIZE_DEAD;
    } else {
        uint32_t last = --b->n_live;
        b->lnext[slot] = b->lnext[last];
        b->lid[slot] = b->lid[last];
        if (b->lcharge)
            b->lcharge[slot] = b->lcharge[last];
        bsize_node(b, b->lid[slot])->slot = slot;
    }
}

/* Puts node id in the array its next use says (the room is reserved). */
static void bsize_link(bsize_t *b, uint32_t id, uint64_t next)
{
    bsize_node_t *n = bsize_node(b, id);
    if (next == TS_REQ_NEVER) {
        n->slot = b->n_dead | BSIZE_DEAD;
        b->dead[b->n_dead++] = id;
    } else {
        uint32_t s = b->n_live++;
        n->slot = s;
        b->lnext[s] = next;
        b->lid[s] = id;
        if (b->lcharge)
            b->lcharge[s] = ts_policy_charge(&b->base, n->size_bytes);
    }
}

static bool bsize_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    bsize_t *b = (bsize_t *)p;
    uint32_t id = ts__find(&b->index, &b->pool, r->key);
    if (!touch)
        return id != TS__NIL;
    b->seen++;
    if (id == TS__NIL)
        return false;
    uint32_t slot = bsize_node(b, id)->slot;
    if (!(slot & BSIZE_DEAD)) {
        uint64_t *next = &b->lnext[slot];
        if (*next + 1 > b->seen) /* this request is its next use: now is known */
            b->seen = *next + 1;
        if (r->next_access != TS_REQ_NEVER) {
            *next = r->next_access;
            return true;
        }
    }
    bsize_unlink(b, id);
    bsize_link(b, id, r->next_access);
    return true;
}

static int bsize_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    bsize_t *b = (bsize_t *)p;
    int rc = bsize_reserve(b, err);
    if (rc)
        return rc;
    uint32_t id = ts_pool_alloc(&b->pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (ts_ktab_insert(&b->index, r->key, id, err)) {
        ts_pool_release(&b->pool, id);
        return TS_ENOMEM;
    }
    bsize_node_t *n = bsize_node(b, id);
    n->key = r->key;
    n->size_bytes = r->size_bytes;
    b->charge += ts_policy_charge(p, r->size_bytes);
    bsize_link(b, id, r->next_access);
    return 0;
}

static void bsize_drop(bsize_t *b, uint32_t id, ts_victim_t *out)
{
    bsize_node_t *n = bsize_node(b, id);
    if (out) {
        out->key = n->key;
        out->size_bytes = n->size_bytes;
    }
    TS_ASSERT(b->charge >= ts_policy_charge(&b->base, n->size_bytes));
    b->charge -= ts_policy_charge(&b->base, n->size_bytes);
    bsize_unlink(b, id);
    int removed = ts_ktab_remove(&b->index, n->key, id);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&b->pool, id);
}

/* (next use - now) x charge of live entry i; 0 for a next use already past (a lower tier's
 * stale copy). In objects mode every charge is 1, and max(next use, now) orders the entries
 * as the distance does, so the score needs no multiply. */
static inline unsigned __int128 bsize_score(const bsize_t *b, uint32_t i, uint64_t now)
{
    uint64_t next = b->lnext[i];
    if (!b->lcharge)
        return next > now ? next : now;
    return (unsigned __int128)(next > now ? next - now : 0) * b->lcharge[i];
}

/* The sampled choice: samples uniform draws, made 64 at a time and their entries prefetched
 * before any is read, so the cache misses overlap; the first of the largest score wins. */
static uint32_t bsize_sample(bsize_t *b, uint64_t now)
{
    uint32_t best = 0, draw[64];
    unsigned __int128 best_score = 0;
    for (uint32_t done = 0; done < b->samples; done += 64) {
        uint32_t k = b->samples - done < 64 ? b->samples - done : 64;
        for (uint32_t i = 0; i < k; i++) {
            draw[i] = ts__draw_below(&b->rng, b->n_live);
            __builtin_prefetch(&b->lnext[draw[i]]);
            if (b->lcharge)
                __builtin_prefetch(&b->lcharge[draw[i]]);
        }
        for (uint32_t i = 0; i < k; i++) {
            unsigned __int128 sc = bsize_score(b, draw[i], now);
            if ((done == 0 && i == 0) || sc > best_score) {
                best = draw[i];
                best_score = sc;
            }
        }
    }
    return best;
}

static int bsize_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    bsize_t *b = (bsize_t *)p;
    (void)r;
    if (b->n_dead) {
        bsize_drop(b, b->dead[b->n_dead - 1], out);
        return 0;
    }
    if (b->n_live == 0)
        return TS_ENOENT;
    uint64_t now = b->seen ? b->seen - 1 : 0;
    uint32_t best = 0;
    if (b->samples == 0) {
        unsigned __int128 best_score = bsize_score(b, 0, now);
        for (uint32_t i = 1; i < b->n_live; i++) {
            unsigned __int128 sc = bsize_score(b, i, now);
            if (sc > best_score) {
                best = i;
                best_score = sc;
            }
        }
    } else {
        best = bsize_sample(b, now);
    }
    bsize_drop(b, b->lid[best], out);
    return 0;
}

static bool bsize_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    bsize_t *b = (bsize_t *)p;
    uint32_t id = ts__find(&b->index, &b->pool, key);
    if (id == TS__NIL)
        return false;
    bsize_drop(b, id, out);
    return true;
}

static size_t bsize_mem_bytes(const ts_policy_t *p)
{
    const bsize_t *b = (const bsize_t *)p;
    return sizeof(*b) + ts_pool_bytes(&b->pool) + ts_ktab_bytes(&b->index) +
           (size_t)b->cap * (sizeof(*b->lnext) + sizeof(*b->lid) + sizeof(*b->dead) +
                             (b->lcharge ? sizeof(*b->lcharge) : 0));
}

static void bsize_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const bsize_t *b = (const bsize_t *)p;
    ts__prefetch(&b->index, &b->pool, key, stage);
}

/* One array entry per object and index key, and the charge counter. Walking: each entry's
 * node points back at it, live entries have a next use and their node's charge, and the
 * objects' charge is the counter's. */
static int bsize_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                       ts_err_t *err)
{
    const bsize_t *b = (const bsize_t *)p;
    uint64_t n = (uint64_t)b->n_live + b->n_dead;
    int rc = ts__index_check(p, &b->pool, &b->index, n, full, err);
    if (rc == 0 && n > b->cap)
        rc = ts_err_set(err, TS_EINTERNAL, "beladysize: %u and %u entries in %u",
                        b->n_live, b->n_dead, b->cap);
    if (rc || !full)
        return rc ? rc : ts__held_check(p, n, b->charge, n_objects, charge, err);
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        bool dead = i >= b->n_live;
        uint32_t slot = dead ? (uint32_t)(i - b->n_live) : (uint32_t)i;
        uint32_t id = dead ? b->dead[slot] : b->lid[slot];
        if (id >= b->pool.cap || bsize_node(b, id)->slot != (slot | (dead ? BSIZE_DEAD : 0)))
            return ts_err_set(err, TS_EINTERNAL, "beladysize: %s entry %u (node %u) is not "
                              "its node's", dead ? "never-again" : "live", slot, id);
        const bsize_node_t *nd = bsize_node(b, id);
        if (ts__find(&b->index, &b->pool, nd->key) != id)
            return ts_err_set(err, TS_EINTERNAL, "beladysize: node %u is not indexed", id);
        uint64_t c = ts_policy_charge(p, nd->size_bytes);
        uint64_t lc = dead ? c : b->lcharge ? b->lcharge[slot] : 1;
        if (!dead && (b->lnext[slot] == TS_REQ_NEVER || lc != c))
            return ts_err_set(err, TS_EINTERNAL, "beladysize: live entry %u has no next use "
                              "or a charge of %llu units, not %llu", slot,
                              (unsigned long long)lc, (unsigned long long)c);
        sum += c;
    }
    if (sum != b->charge)
        return ts_err_set(err, TS_EINTERNAL, "beladysize: counts %llu units, its objects %llu",
                          (unsigned long long)b->charge, (unsigned long long)sum);
    return ts__held_check(p, n, sum, n_objects, charge, err);
}

const ts_policy_ops_t ts_policy_beladysize = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "beladysize",
             .summary = "Belady-Size (offline): of 128 sampled objects, evicts the largest "
                        "next-use distance x size; never-again objects first",
             .flags = TS_POLICY_NEEDS_FUTURE,
             .params = k_bsize_params,
             .params_count = TS_PARAM_COUNT(k_bsize_params),
             .params_size = sizeof(bsize_params_t)},
    .create = bsize_create,
    .destroy = bsize_destroy,
    .lookup = bsize_lookup,
    .insert = bsize_insert,
    .evict = bsize_evict,
    .remove = bsize_remove,
    .mem_bytes = bsize_mem_bytes,
    .prefetch = bsize_prefetch,
    .check = bsize_check,
};
