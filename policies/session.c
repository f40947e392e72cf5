/* SPDX-License-Identifier: MIT */
/*
 * session.c - session-aware eviction: evict the object whose predicted next use is furthest
 * ahead, where a workload hint (TS_REQ_HINT, idle_ns) predicts it and LRU age otherwise.
 *
 * An agent's KV context sits idle while its tool call runs; the workload knows roughly for
 * how long (ts_req_t.idle_ns). Each access at time t (the largest request time seen, so
 * demotions and prefetches stamped 0 do not go back in time) sets the object's prediction:
 *   hinted:   the request carries TS_REQ_HINT and the object is private to its stream
 *             (every access so far came from r->stream): due = t + idle_ns (saturating;
 *             idle_ns = UINT64_MAX says the session ends: never again)
 *   unhinted: otherwise: no hint, or a shared object (a system prompt, a forked prefix, a
 *             memory-store entry read by several sessions: one session's idle time says
 *             nothing about the others)
 * Decision rule at time now, every candidate scored by its predicted next use N:
 *   parked (hinted, due >= now):   N = due                  (back when the session returns)
 *   overdue (hinted, due < now):   N = now + (now - due)    (late: expect as long again)
 *   unhinted, last access at L:    N = now + (now - L)      (LRU's estimate: back after
 *                                                            as long as it has been away)
 *   evict the largest N among the three class leaders (max due; min due when overdue; LRU
 *   tail); ties go to the least recently used (access sequence number).
 * Without hints every object is unhinted and the rule is exactly LRU. The same idea drives
 * KVFlow (evict by each agent's steps to its next run; Pan et al., arXiv 2507.07400) and
 * Continuum (pin a session's KV for a TTL through a tool call; Li et al., arXiv
 * 2511.02230); CachedAttention (Gao et al., USENIX ATC 2024) orders session KV by the
 * scheduler's queue. docs/workload-agentic.md has the rationale and results.
 * Structure: unhinted objects on an LRU list; hinted ones in a max-heap and a min-heap of
 * due (ties by sequence), each node holding its two heap positions.
 * Cost: O(1) expected for unhinted accesses and evictions from the list, O(log n) for
 * hinted ones (heap updates). Memory: a 64-byte node per object, 8 bytes of heap slots per
 * object (both heaps are sized to the node pool on insert, so hits never allocate), and
 * the index (ts_ktab, about 11-23 bytes an object).
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "list_internal.h"

extern const ts_policy_ops_t ts_policy_session;

enum { SESS_MAX = 0, SESS_MIN = 1 }; /* the two heaps */

typedef struct sess_node {
    ts__lnode_t ln;   /* must be first: key, size, LRU links (unhinted objects only) */
    uint64_t last_ns; /* time of the last access */
    uint64_t due_ns;  /* hinted: predicted next use (UINT64_MAX: never) */
    uint64_t seq;     /* access sequence number: LRU order and tie-break */
    uint32_t stream;  /* stream of the accesses (while private) */
    uint32_t hpos[2]; /* positions in the max- and min-heap; TS__NIL when unhinted */
    uint8_t is_shared; /* accessed by more than one stream */
} sess_node_t;

typedef struct sess_heap {
    uint32_t *v; /* node ids */
    uint32_t n;  /* entries */
} sess_heap_t;

typedef struct sess {
    ts__lcache_t lc;      /* must be first: index, node pool, LRU list of unhinted objects;
                           * lc.list.charge counts every cached object, hinted ones too */
    sess_heap_t heap[2];  /* hinted objects: max-heap and min-heap on due */
    uint32_t heap_cap;    /* slots allocated in each heap */
    uint64_t now_ns;      /* the largest request time seen */
    uint64_t seq;         /* accesses so far */
} sess_t;

static inline sess_node_t *sess_node(const sess_t *s, uint32_t id)
{
    return (sess_node_t *)ts_pool_at(&s->lc.pool, id);
}

/* ---- the two heaps ---- */

/* True when node a belongs above node b in heap h. */
static bool sess_above(const sess_t *s, int h, uint32_t a, uint32_t b)
{
    const sess_node_t *x = sess_node(s, a), *y = sess_node(s, b);
    if (x->due_ns != y->due_ns)
        return h == SESS_MAX ? x->due_ns > y->due_ns : x->due_ns < y->due_ns;
    return x->seq < y->seq;
}

static inline void sess_place(sess_t *s, int h, uint32_t i, uint32_t id)
{
    s->heap[h].v[i] = id;
    sess_node(s, id)->hpos[h] = i;
}

/* Restores heap h around slot i after its node's key changed either way. */
static void sess_fix(sess_t *s, int h, uint32_t i)
{
    sess_heap_t *hp = &s->heap[h];
    uint32_t id = hp->v[i];
    while (i > 0 && sess_above(s, h, id, hp->v[(i - 1) / 2])) {
        sess_place(s, h, i, hp->v[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= hp->n)
            break;
        if (c + 1 < hp->n && sess_above(s, h, hp->v[c + 1], hp->v[c]))
            c++;
        if (!sess_above(s, h, hp->v[c], id))
            break;
        sess_place(s, h, i, hp->v[c]);
        i = c;
    }
    sess_place(s, h, i, id);
}

static void sess_heap_add(sess_t *s, int h, uint32_t id)
{
    uint32_t i = s->heap[h].n++;
    sess_place(s, h, i, id);
    sess_fix(s, h, i);
}

static void sess_heap_del(sess_t *s, int h, uint32_t id)
{
    sess_heap_t *hp = &s->heap[h];
    uint32_t i = sess_node(s, id)->hpos[h];
    TS_ASSERT(i < hp->n);
    sess_node(s, id)->hpos[h] = TS__NIL;
    if (i == --hp->n)
        return;
    sess_place(s, h, i, hp->v[hp->n]);
    sess_fix(s, h, i);
}

/* Takes node id out of whichever class holds it (list or heaps). */
static void sess_unlink(sess_t *s, uint32_t id)
{
    sess_node_t *n = sess_node(s, id);
    if (n->hpos[SESS_MAX] != TS__NIL) {
        sess_heap_del(s, SESS_MAX, id);
        sess_heap_del(s, SESS_MIN, id);
    } else {
        ts__list_unlink(&s->lc.pool, &s->lc.list, id);
    }
}

/* ---- accesses ---- */

/* Records an access by r to node id (already unlinked from its class) and files it. */
static void sess_access(sess_t *s, uint32_t id, const ts_req_t *r, bool is_new)
{
    sess_node_t *n = sess_node(s, id);
    if (r->time_ns > s->now_ns)
        s->now_ns = r->time_ns;
    if (is_new) {
        n->stream = r->stream;
        n->is_shared = 0;
    } else if (n->stream != r->stream) {
        n->is_shared = 1;
    }
    n->last_ns = s->now_ns;
    n->seq = ++s->seq;
    if ((r->flags & TS_REQ_HINT) && !n->is_shared) {
        n->due_ns = r->idle_ns > UINT64_MAX - n->last_ns ? UINT64_MAX : n->last_ns + r->idle_ns;
        sess_heap_add(s, SESS_MAX, id);
        sess_heap_add(s, SESS_MIN, id);
    } else {
        n->hpos[SESS_MAX] = n->hpos[SESS_MIN] = TS__NIL;
        ts__list_push_head(&s->lc.pool, &s->lc.list, id);
    }
}

static int sess_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                       ts_err_t *err)
{
    (void)params;
    *out = NULL;
    sess_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate session");
    int rc = ts__lcache_init(&s->lc, &ts_policy_session, init, sizeof(sess_node_t), err);
    if (rc) {
        ts_free(s);
        return rc;
    }
    *out = &s->lc.base;
    return 0;
}

static void sess_destroy(ts_policy_t *p)
{
    sess_t *s = (sess_t *)p;
    ts_free(s->heap[SESS_MAX].v);
    ts_free(s->heap[SESS_MIN].v);
    ts__lcache_fini(&s->lc);
    ts_free(s);
}

/* A touching hit re-predicts the object's next use from this request. */
static bool sess_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    sess_t *s = (sess_t *)p;
    uint32_t id = ts__find(&s->lc.index, &s->lc.pool, r->key);
    if (id == TS__NIL)
        return false;
    if (touch) {
        sess_unlink(s, id);
        sess_access(s, id, r, false);
    }
    return true;
}

/* Makes each heap hold one slot per pool node, so that a hit can always park its object. */
static int sess_reserve(sess_t *s, ts_err_t *err)
{
    uint32_t want = s->lc.pool.cap;
    if (s->heap_cap >= want)
        return 0;
    for (int h = 0; h < 2; h++) {
        uint32_t *v = ts_realloc(s->heap[h].v, (size_t)want * sizeof(*v));
        if (!v)
            return ts_err_set(err, TS_ENOMEM, "cannot grow the session heaps to %u entries",
                              want);
        s->heap[h].v = v;
    }
    s->heap_cap = want;
    return 0;
}

static int sess_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    sess_t *s = (sess_t *)p;
    uint32_t id = ts__lcache_add(&s->lc, r, err); /* linked at the LRU head */
    if (id == TS__NIL)
        return TS_ENOMEM;
    if (sess_reserve(s, err)) {
        ts__lcache_drop(&s->lc, id, NULL);
        return TS_ENOMEM;
    }
    ts__list_unlink(&s->lc.pool, &s->lc.list, id);
    sess_access(s, id, r, true);
    return 0;
}

static void sess_drop(sess_t *s, uint32_t id, ts_victim_t *out)
{
    sess_node_t *n = sess_node(s, id);
    if (out) {
        out->key = n->ln.key;
        out->size_bytes = n->ln.size_bytes;
    }
    sess_unlink(s, id);
    TS_ASSERT(s->lc.list.charge >= ts_policy_charge(&s->lc.base, n->ln.size_bytes));
    s->lc.list.charge -= ts_policy_charge(&s->lc.base, n->ln.size_bytes);
    int removed = ts_ktab_remove(&s->lc.index, n->ln.key, id);
    TS_ASSERT(removed == 1);
    ts_pool_release(&s->lc.pool, id);
}

/* now + (now - x) for x <= now, in 128 bits (no overflow whatever the clock). */
static unsigned __int128 sess_mirror(uint64_t now, uint64_t x)
{
    return (unsigned __int128)now + (now - x);
}

static int sess_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    sess_t *s = (sess_t *)p;
    if (r && r->time_ns > s->now_ns)
        s->now_ns = r->time_ns;
    uint64_t now = s->now_ns;
    uint32_t best = TS__NIL;
    unsigned __int128 best_n = 0;
    uint32_t cand[3] = {TS__NIL, TS__NIL, s->lc.list.tail};
    if (s->heap[SESS_MAX].n) {
        cand[0] = s->heap[SESS_MAX].v[0];
        cand[1] = s->heap[SESS_MIN].v[0];
    }
    for (int c = 0; c < 3; c++) {
        if (cand[c] == TS__NIL)
            continue;
        const sess_node_t *n = sess_node(s, cand[c]);
        if (c == 1 && n->due_ns >= now)
            continue; /* the min-heap's leader competes only when overdue */
        unsigned __int128 v;
        if (c == 2)
            v = sess_mirror(now, n->last_ns);
        else if (n->due_ns >= now)
            v = n->due_ns;
        else
            v = sess_mirror(now, n->due_ns);
        if (best == TS__NIL || v > best_n ||
            (v == best_n && n->seq < sess_node(s, best)->seq)) {
            best = cand[c];
            best_n = v;
        }
    }
    if (best == TS__NIL)
        return TS_ENOENT;
    sess_drop(s, best, out);
    return 0;
}

static bool sess_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    sess_t *s = (sess_t *)p;
    uint32_t id = ts__find(&s->lc.index, &s->lc.pool, key);
    if (id == TS__NIL)
        return false;
    sess_drop(s, id, out);
    return true;
}

/* Every cached object is either on the LRU list or in both heaps, and each heap has a slot
 * for every live node (so a hit can always park its object). Walking: the list's links
 * (each node unhinted), both heaps' order and positions (each node in the other heap too),
 * the index entries, and the charge of list and heaps together. */
static int sess_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                      ts_err_t *err)
{
    const sess_t *s = (const sess_t *)p;
    const sess_heap_t *hp = s->heap;
    uint64_t n = s->lc.list.n + hp[SESS_MAX].n;
    int rc = ts__held_check(p, n, s->lc.list.charge, n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &s->lc.pool, &s->lc.index, n, full, err);
    if (rc == 0 && (hp[SESS_MAX].n != hp[SESS_MIN].n || s->lc.pool.n_live > s->heap_cap))
        rc = ts_err_set(err, TS_EINTERNAL, "session: heaps of %u and %u entries, %u slots "
                        "for %u objects", hp[SESS_MAX].n, hp[SESS_MIN].n, s->heap_cap,
                        s->lc.pool.n_live);
    if (rc || !full)
        return rc;
    uint64_t sum = 0;
    rc = ts__list_check(p, &s->lc.pool, &s->lc.index, &s->lc.list, "LRU", &sum, err);
    for (uint32_t id = s->lc.list.head; rc == 0 && id != TS__NIL; id = sess_node(s, id)->ln.next) {
        const sess_node_t *nd = sess_node(s, id);
        if (nd->hpos[SESS_MAX] != TS__NIL || nd->hpos[SESS_MIN] != TS__NIL)
            rc = ts_err_set(err, TS_EINTERNAL, "session: node %u is on the list and a heap", id);
    }
    for (int h = 0; rc == 0 && h < 2; h++)
        for (uint32_t i = 0; rc == 0 && i < hp[h].n; i++) {
            uint32_t id = hp[h].v[i];
            if (id >= s->lc.pool.cap)
                return ts_err_set(err, TS_EINTERNAL, "session: heap %d entry %u names node %u",
                                  h, i, id);
            const sess_node_t *nd = sess_node(s, id);
            uint32_t o = nd->hpos[!h];
            if (nd->hpos[h] != i || o >= hp[!h].n || hp[!h].v[o] != id ||
                ts__find(&s->lc.index, &s->lc.pool, nd->ln.key) != id)
                rc = ts_err_set(err, TS_EINTERNAL,
                                "session: node %u at entry %u of heap %d is misplaced in a "
                                "heap or not indexed at its id", id, i, h);
            else if (i > 0 && sess_above(s, h, id, hp[h].v[(i - 1) / 2]))
                rc = ts_err_set(err, TS_EINTERNAL,
                                "session: heap %d entry %u belongs above its parent", h, i);
            else if (h == SESS_MAX)
                sum += ts_policy_charge(p, nd->ln.size_bytes);
        }
    if (rc == 0 && sum != s->lc.list.charge)
        rc = ts_err_set(err, TS_EINTERNAL, "session: counts %llu units, its objects hold %llu",
                        (unsigned long long)s->lc.list.charge, (unsigned long long)sum);
    return rc;
}

static size_t sess_mem_bytes(const ts_policy_t *p)
{
    const sess_t *s = (const sess_t *)p;
    return ts__lcache_mem(&s->lc, sizeof(*s)) + 2 * (size_t)s->heap_cap * sizeof(uint32_t);
}

static void sess_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const sess_t *s = (const sess_t *)p;
    ts__prefetch(&s->lc.index, &s->lc.pool, key, stage);
}

const ts_policy_ops_t ts_policy_session = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "session",
             .summary = "session-aware: evicts the furthest predicted next use (workload idle "
                        "hints, else LRU age)",
             .flags = TS_POLICY_HINTS},
    .create = sess_create,
    .destroy = sess_destroy,
    .lookup = sess_lookup,
    .insert = sess_insert,
    .evict = sess_evict,
    .remove = sess_remove,
    .mem_bytes = sess_mem_bytes,
    .prefetch = sess_prefetch,
    .check = sess_check,
};
