/* SPDX-License-Identifier: MIT */
/*
 * epoch.c - epoch-aware eviction for training datasets: evict samples already consumed in
 * the current epoch first.
 *
 * A training job reads every sample once per epoch, in a fresh order each epoch. A sample
 * read in this epoch will not be read again until the next one, while a cached sample not
 * yet read this epoch is a hit still to come. So the cache keeps two lists:
 *   fresh: samples not yet read in this epoch (least recently used at the tail);
 *   used:  samples read in this epoch (the most recently read at the head).
 * Decision rule:
 *   on hit:    the sample moves to the head of used (consumed now)
 *   on insert: the sample goes to the head of used (a miss has just read it)
 *   on evict:  the head of used (the most recently consumed: the cache keeps the samples it
 *              held longest, as admitting "until full" does) while used has any; else the
 *              tail of fresh
 *   new epoch: every used sample becomes fresh (the used list goes before the fresh one)
 * The epoch turns every `epoch_requests` lookups when that is given; with 0 it turns when a
 * sample of the used list is read again (a sample is read once per epoch, so a second read
 * means the next epoch has begun). A sample is on used exactly when its stamp is the current
 * epoch, which makes the turn O(1): nothing is relabelled.
 * With C of N samples cached and shuffled epochs, every sample cached at an epoch's start is
 * read before any of them is evicted (misses evict consumed samples), so an epoch hits about
 * C of its N reads, the best any cache of C can do on a random order; LRU hits about
 * C^2 / (2 N) of them.
 * Cost: O(1) per operation. Memory: a 32-byte node per sample plus the key table's slots.
 */
#include "../sim/policy.h"

#include <stddef.h>

#include "../sim/util/mem.h"
#include "list_internal.h"

extern const ts_policy_ops_t ts_policy_epoch;

typedef struct epoch_params {
    uint64_t epoch_requests; /* lookups per epoch; 0: a re-read turns it */
} epoch_params_t;

static const ts_param_spec_t k_epoch_params[] = {
    {.name = "epoch_requests",
     .type = TS_PT_COUNT,
     .offset = offsetof(epoch_params_t, epoch_requests),
     .min = 0,
     .max = 1e15,
     .def = "0",
     .help = "requests per epoch (a training dataset's samples); 0: a new epoch begins when "
             "a sample read in this one is read again"},
};

typedef struct epoch_node {
    ts__lnode_t ln;  /* must be first: key, size, list links */
    uint32_t stamp;  /* the epoch it was last read in (on used when it is the current one) */
} epoch_node_t;

typedef struct epoch {
    ts__lcache_t lc;  /* must be first: index, pool, and the fresh list (lc.list) */
    ts__list_t used;  /* read in this epoch, the most recent at the head */
    uint32_t cur;     /* the current epoch */
    uint64_t n_req;   /* lookups so far (with epoch_requests) */
    uint64_t per;     /* epoch_requests */
} epoch_t;

static epoch_node_t *ep_node(const epoch_t *e, uint32_t id)
{
    return (epoch_node_t *)ts_pool_at(&e->lc.pool, id);
}

static int epoch_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                        ts_err_t *err)
{
    *out = NULL;
    epoch_t *e = ts_calloc(1, sizeof(*e));
    if (!e)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate epoch");
    int rc = ts__lcache_init(&e->lc, &ts_policy_epoch, init, sizeof(epoch_node_t), err);
    if (rc) {
        ts_free(e);
        return rc;
    }
    ts__list_init(&e->used);
    e->per = ((const epoch_params_t *)params)->epoch_requests;
    *out = &e->lc.base;
    return 0;
}

static void epoch_destroy(ts_policy_t *p)
{
    epoch_t *e = (epoch_t *)p;
    ts__lcache_fini(&e->lc);
    ts_free(e);
}

/* The next epoch: the used list, all now unread, goes before the fresh one (its samples were
 * read more recently than any fresh one). */
static void epoch_turn(epoch_t *e)
{
    ts__list_t *f = &e->lc.list, *u = &e->used;
    const ts_pool_t *pool = &e->lc.pool;
    e->cur++;
    if (u->n == 0)
        return;
    ts__ln(pool, u->tail)->next = f->head;
    if (f->head != TS__NIL)
        ts__ln(pool, f->head)->prev = u->tail;
    else
        f->tail = u->tail;
    f->head = u->head;
    f->n += u->n;
    f->charge += u->charge;
    ts__list_init(u);
}

/* Node id, on fresh, is read now: to the head of used. */
static void epoch_consume(epoch_t *e, uint32_t id)
{
    epoch_node_t *n = ep_node(e, id);
    uint64_t charge = ts_policy_charge(&e->lc.base, n->ln.size_bytes);
    ts__list_unlink(&e->lc.pool, &e->lc.list, id);
    e->lc.list.charge -= charge;
    ts__list_push_head(&e->lc.pool, &e->used, id);
    e->used.charge += charge;
    n->stamp = e->cur;
}

static bool epoch_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    epoch_t *e = (epoch_t *)p;
    if (touch && e->per && ++e->n_req > (uint64_t)(e->cur + 1) * e->per)
        epoch_turn(e);
    uint32_t id = ts__find(&e->lc.index, &e->lc.pool, r->key);
    if (id == TS__NIL || !touch)
        return id != TS__NIL;
    if (ep_node(e, id)->stamp == e->cur) { /* read again in this epoch */
        if (e->per) {
            ts__list_move_head(&e->lc.pool, &e->used, id);
            return true;
        }
        epoch_turn(e); /* the next epoch has begun: it is fresh now */
    }
    epoch_consume(e, id);
    return true;
}

static int epoch_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    epoch_t *e = (epoch_t *)p;
    uint32_t id = ts__lcache_add(&e->lc, r, err);
    if (id == TS__NIL)
        return TS_ENOMEM;
    epoch_consume(e, id);
    return 0;
}

/* Unlinks node id from the list it is on and frees it, reporting it in out (may be NULL). */
static void epoch_drop(epoch_t *e, uint32_t id, ts_victim_t *out)
{
    epoch_node_t *n = ep_node(e, id);
    if (n->stamp != e->cur) {
        ts__lcache_drop(&e->lc, id, out);
        return;
    }
    if (out) {
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
    }
    e->used.charge -= ts_policy_charge(&e->lc.base, n->ln.size_bytes);
    ts__list_unlink(&e->lc.pool, &e->used, id);
    int removed = ts_ktab_remove(&e->lc.index, n->ln.key, id);
    TS_ASSERT(removed == 1);
    (void)removed;
    ts_pool_release(&e->lc.pool, id);
}

static int epoch_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    epoch_t *e = (epoch_t *)p;
    (void)r;
    uint32_t id = e->used.head != TS__NIL ? e->used.head : e->lc.list.tail;
    if (id == TS__NIL)
        return TS_ENOENT;
    epoch_drop(e, id, out);
    return 0;
}

static bool epoch_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    epoch_t *e = (epoch_t *)p;
    uint32_t id = ts__find(&e->lc.index, &e->lc.pool, key);
    if (id == TS__NIL)
        return false;
    epoch_drop(e, id, out);
    return true;
}

static size_t epoch_mem_bytes(const ts_policy_t *p)
{
    return ts__lcache_mem(&((const epoch_t *)p)->lc, sizeof(epoch_t));
}

/* Besides the counts: every used node carries the current epoch, no fresh one does. */
static int epoch_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                       ts_err_t *err)
{
    const epoch_t *e = (const epoch_t *)p;
    const ts__list_t *f = &e->lc.list, *u = &e->used;
    int rc = ts__held_check(p, f->n + u->n, f->charge + u->charge, n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &e->lc.pool, &e->lc.index, f->n + u->n, full, err);
    if (rc || !full)
        return rc;
    const ts__list_t *lists[2] = {f, u};
    const char *names[2] = {"fresh", "used"};
    for (int k = 0; k < 2 && rc == 0; k++) {
        uint64_t sum = 0;
        rc = ts__list_check(p, &e->lc.pool, &e->lc.index, lists[k], names[k], &sum, err);
        if (rc == 0 && sum != lists[k]->charge)
            rc = ts_err_set(err, TS_EINTERNAL, "epoch: list %s counts %llu units, holds %llu",
                            names[k], (unsigned long long)lists[k]->charge,
                            (unsigned long long)sum);
        for (uint32_t id = lists[k]->head; rc == 0 && id != TS__NIL; id = ts__ln(&e->lc.pool, id)->next)
            if ((ep_node(e, id)->stamp == e->cur) != (k == 1))
                rc = ts_err_set(err, TS_EINTERNAL,
                                "epoch: node %u on %s has epoch %u, the current one is %u", id,
                                names[k], ep_node(e, id)->stamp, e->cur);
    }
    return rc;
}

const ts_policy_ops_t ts_policy_epoch = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "epoch",
             .summary = "epoch-aware (training): evicts samples already read in this epoch "
                        "first, the most recent of them; then the least recently used",
             .params = k_epoch_params,
             .params_count = TS_PARAM_COUNT(k_epoch_params),
             .params_size = sizeof(epoch_params_t)},
    .create = epoch_create,
    .destroy = epoch_destroy,
    .lookup = epoch_lookup,
    .insert = epoch_insert,
    .evict = epoch_evict,
    .remove = epoch_remove,
    .mem_bytes = epoch_mem_bytes,
    .prefetch = ts__lcache_prefetch,
    .check = epoch_check,
};
