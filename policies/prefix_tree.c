/* SPDX-License-Identifier: MIT */
/*
 * prefix_tree.c - prefix-tree (radix-tree) eviction for KV-cache blocks: the cached blocks of
 * prompt chains form a forest; only leaves leave, the least recently used leaf first.
 *
 * A prompt reads its blocks in order, block i's hash depending on blocks 0..i-1, so two
 * prompts sharing a prefix share the chain's first blocks and block i's parent is block i-1.
 * The policy learns the forest from the requests, per stream (r->stream: session or tenant):
 *   touching lookup of a KV get (TS_REQ_KV, op get, not a prefetch) of key K on stream s:
 *       K's parent = s's previous KV get when s's group is open (no TS_REQ_GROUP_END since),
 *       else none (the first block of a call); then s's last KV get = K
 *   any request with TS_REQ_GROUP_END closes its stream's group
 *   insert of K right after its lookup: K hangs under that parent if the parent is cached,
 *       else K is a root; any other insert (a put, a weight, a demotion) is a root
 *   a cached block keeps the parent it was inserted under (hash chains make it unique)
 * Decision rule:
 *   on hit:    the block's last access = now (inner blocks too)
 *   on evict:  among the leaves (cached blocks with no cached child), the least recently
 *              used one goes; its parent, left without cached children, becomes a leaf and
 *              competes with its own last access
 *   on remove: an inner block's children are detached: they become roots
 * So a block is never evicted while a descendant is cached: the order of SGLang's
 * RadixCache (Zheng et al., NeurIPS 2024, arXiv 2312.07104); vLLM's automatic prefix caching
 * reaches it for chains used whole (among equally recent blocks, the longest prefix's end
 * goes first). docs/policies.md has the rationale and measurements.
 * Structure: children linked under their parent (roots on one list); an access queue of
 * (seq, id) entries appended at every access, so it is ordered by access, and a min-heap on
 * seq for the blocks that become leaves after their queue entry left the front. A node's one
 * valid entry is the one carrying its current seq, in the place `where` names; evict takes
 * the smaller of the queue's and the heap's first valid leaf, dropping stale entries and
 * parking inner blocks (they return through the heap when they become leaves).
 * Cost: O(1) amortised per access and per eviction from the queue, O(log h) for a block
 * entering or leaving the heap (h <= leaves). Memory: a 48-byte node, 16-byte entries with
 * room for 2 per node in the queue and in the heap (reserved at insert: hits never
 * allocate), the index (about 11-23 bytes a key), and a 4096-slot stream table (96 KiB;
 * streams equal modulo 4096 share a slot, and a displaced stream's next block starts a
 * new chain).
 */
#include "../sim/policy.h"

#include "../sim/util/mem.h"
#include "list_internal.h"

extern const ts_policy_ops_t ts_policy_prefix_tree;

#define PT_STREAMS 4096u /* slots of the stream table, a power of two */

enum pt_where { PT_NONE = 0, PT_QUEUE = 1, PT_HEAP = 2 };

typedef struct pt_node {
    uint64_t key;        /* block hash or object key (must stay the first field) */
    uint64_t size_bytes; /* size as inserted */
    uint64_t seq;        /* last access (1, 2, ...); 0 once freed */
    uint32_t parent;     /* cached parent, TS__NIL for a root */
    uint32_t child;      /* first cached child, TS__NIL for a leaf */
    uint32_t prev, next; /* siblings under parent (the root list for a root) */
    uint8_t where;       /* pt_where: which structure holds the entry carrying seq */
} pt_node_t;

typedef struct pt_ent {
    uint64_t seq; /* the access it records */
    uint32_t id;  /* node */
} pt_ent_t;

typedef struct pt_stream {
    uint64_t last_key; /* the stream's last KV get, when is_open */
    uint32_t stream;   /* the stream owning the slot */
    uint32_t last_id;  /* last_key's node when it was cached then (a hint: checked by key) */
    uint8_t is_open;   /* its group is open */
} pt_stream_t;

typedef struct pt {
    ts_policy_t base; /* must be first */
    ts_pool_t pool;   /* pt_node_t per cached block or object */
    ts_ktab_t index;  /* key -> node id */
    uint32_t roots;   /* first root, TS__NIL when empty */
    uint64_t n;       /* cached objects */
    uint64_t charge;  /* their charge */
    uint64_t clock;   /* accesses so far (the latest seq) */
    pt_ent_t *q;      /* access queue: entries q_head..q_tail-1, seq increasing */
    size_t q_head;    /* first entry not yet consumed */
    size_t q_tail;    /* one past the last entry */
    size_t q_cap;     /* entries allocated */
    pt_ent_t *h;      /* min-heap on seq of blocks that became leaves */
    size_t h_n;       /* heap entries */
    size_t h_cap;     /* entries allocated */
    uint64_t pend_key;    /* the last touching lookup's key, when has_pend ... */
    uint64_t pend_parent; /* ... its parent's key, when pend_has_parent ... */
    uint32_t pend_pid;    /* ... that key's node id then (TS__NIL: not cached) ... */
    uint32_t pend_slot;   /* ... and the stream slot it updated */
    bool has_pend, pend_has_parent;
    pt_stream_t streams[PT_STREAMS]; /* stream -> its open group's last KV get */
} pt_t;

static inline pt_node_t *pt_node(const pt_t *t, uint32_t id)
{
    return (pt_node_t *)ts_pool_at(&t->pool, id);
}

/* An entry is valid when its node still carries its seq and says it is held there. */
static inline bool pt_valid(const pt_t *t, pt_ent_t e, int where)
{
    const pt_node_t *n = pt_node(t, e.id);
    return n->seq == e.seq && n->where == where;
}

/* ---- the access queue and the heap ---- */

#define PT_AHEAD 16 /* entries ahead whose nodes a walk of the queue prefetches */

/* Drops the stale entries of the queue and moves it to the start of its array. Each entry
 * reads its node: they are prefetched ahead, so the misses overlap. */
static void pt_queue_compact(pt_t *t)
{
    size_t w = 0;
    for (size_t i = t->q_head; i < t->q_tail; i++) {
        if (i + PT_AHEAD < t->q_tail)
            __builtin_prefetch(pt_node(t, t->q[i + PT_AHEAD].id));
        if (pt_valid(t, t->q[i], PT_QUEUE))
            t->q[w++] = t->q[i];
    }
    t->q_head = 0;
    t->q_tail = w;
}

/* Records an access to node id: it becomes the most recent. */
static void pt_access(pt_t *t, uint32_t id)
{
    pt_node_t *n = pt_node(t, id);
    n->seq = ++t->clock;
    n->where = PT_QUEUE;
    if (t->q_tail == t->q_cap)
        pt_queue_compact(t); /* at most one valid entry per node: room for half */
    TS_ASSERT(t->q_tail < t->q_cap);
    t->q[t->q_tail++] = (pt_ent_t){.seq = n->seq, .id = id};
}

static void pt_sift_down(pt_t *t, size_t i)
{
    pt_ent_t e = t->h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= t->h_n)
            break;
        if (c + 1 < t->h_n && t->h[c + 1].seq < t->h[c].seq)
            c++;
        if (t->h[c].seq >= e.seq)
            break;
        t->h[i] = t->h[c];
        i = c;
    }
    t->h[i] = e;
}

static void pt_heap_pop(pt_t *t)
{
    TS_ASSERT(t->h_n > 0);
    t->h[0] = t->h[--t->h_n];
    if (t->h_n)
        pt_sift_down(t, 0);
}

/* Node id (a leaf whose entry has left the queue) enters the heap with its own seq. */
static void pt_heap_push(pt_t *t, uint32_t id)
{
    if (t->h_n == t->h_cap) { /* drop stale entries and heapify again (Floyd, O(h)) */
        size_t w = 0;
        for (size_t i = 0; i < t->h_n; i++)
            if (pt_valid(t, t->h[i], PT_HEAP))
                t->h[w++] = t->h[i];
        t->h_n = w;
        for (size_t i = w / 2; i-- > 0;)
            pt_sift_down(t, i);
    }
    TS_ASSERT(t->h_n < t->h_cap);
    pt_node_t *n = pt_node(t, id);
    n->where = PT_HEAP;
    size_t i = t->h_n++;
    pt_ent_t e = {.seq = n->seq, .id = id};
    while (i > 0 && t->h[(i - 1) / 2].seq > e.seq) {
        t->h[i] = t->h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    t->h[i] = e;
}

/* Grows the entry array *v (queue or heap, named what) to want entries. */
static int pt_grow(pt_ent_t **v, size_t *cap, size_t want, const char *what, ts_err_t *err)
{
    if (*cap >= want)
        return 0;
    pt_ent_t *n = ts_realloc(*v, want * sizeof(*n));
    if (!n)
        return ts_err_set(err, TS_ENOMEM, "prefix_tree: cannot grow the %s to %zu entries "
                          "(%zu bytes)", what, want, want * sizeof(*n));
    *v = n;
    *cap = want;
    return 0;
}

/* Grows the queue and the heap to two entries per pool node plus 16, so that an access or
 * a push can always make room by compacting (hits never allocate). */
static int pt_reserve(pt_t *t, ts_err_t *err)
{
    size_t want = 2 * (size_t)t->pool.cap + 16;
    int rc = pt_grow(&t->q, &t->q_cap, want, "access queue", err);
    return rc ? rc : pt_grow(&t->h, &t->h_cap, want, "leaf heap", err);
}

/* ---- the forest ---- */

/* Links node id at the head of parent's children (the root list when parent is TS__NIL). */
static void pt_link(pt_t *t, uint32_t id, uint32_t parent)
{
    pt_node_t *n = pt_node(t, id);
    uint32_t *head = parent == TS__NIL ? &t->roots : &pt_node(t, parent)->child;
    n->parent = parent;
    n->prev = TS__NIL;
    n->next = *head;
    if (*head != TS__NIL)
        pt_node(t, *head)->prev = id;
    *head = id;
}

static void pt_unlink(pt_t *t, uint32_t id)
{
    pt_node_t *n = pt_node(t, id);
    if (n->prev != TS__NIL)
        pt_node(t, n->prev)->next = n->next;
    else if (n->parent != TS__NIL)
        pt_node(t, n->parent)->child = n->next;
    else
        t->roots = n->next;
    if (n->next != TS__NIL)
        pt_node(t, n->next)->prev = n->prev;
}

/* Frees node id (reported in out, may be NULL): its children become roots; a parent left
 * without children becomes a leaf and, with no entry left in the queue, enters the heap. */
static void pt_free(pt_t *t, uint32_t id, ts_victim_t *out)
{
    pt_node_t *n = pt_node(t, id);
    if (out) {
        out->key = n->key;
        out->size_bytes = n->size_bytes;
    }
    while (n->child != TS__NIL) { /* a remove of an inner block: detach its children */
        uint32_t c = n->child;
        pt_unlink(t, c);
        pt_link(t, c, TS__NIL);
    }
    uint32_t parent = n->parent;
    pt_unlink(t, id);
    if (parent != TS__NIL) {
        pt_node_t *p = pt_node(t, parent);
        if (p->child == TS__NIL && p->where == PT_NONE)
            pt_heap_push(t, parent);
    }
    uint64_t charge = ts_policy_charge(&t->base, n->size_bytes);
    TS_ASSERT(t->n > 0 && t->charge >= charge);
    t->n--;
    t->charge -= charge;
    n->seq = 0; /* every entry of it is stale now */
    n->where = PT_NONE;
    int removed = ts_ktab_remove(&t->index, n->key, id);
    TS_ASSERT(removed == 1);
    ts_pool_release(&t->pool, id);
}

/* ---- ops ---- */

static int pt_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                     ts_err_t *err)
{
    (void)params;
    *out = NULL;
    pt_t *t = ts_calloc(1, sizeof(*t));
    if (!t)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate prefix_tree (%zu bytes)", sizeof(*t));
    ts_policy_base_init(&t->base, &ts_policy_prefix_tree, init);
    t->roots = TS__NIL;
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    int rc = ts_pool_init(&t->pool, sizeof(pt_node_t), (uint32_t)hint + 1, err);
    if (rc == 0)
        rc = ts_ktab_init(&t->index, hint, err);
    if (rc == 0)
        rc = pt_reserve(t, err);
    if (rc)
        goto fail;
    *out = &t->base;
    return 0;
fail:
    ts_free(t->q);
    ts_free(t->h);
    ts_ktab_free(&t->index);
    ts_pool_free_all(&t->pool);
    ts_free(t);
    return rc;
}

static void pt_destroy(ts_policy_t *p)
{
    pt_t *t = (pt_t *)p;
    ts_free(t->q);
    ts_free(t->h);
    ts_ktab_free(&t->index);
    ts_pool_free_all(&t->pool);
    ts_free(t);
}

/* A touching lookup is a request: it learns the chain of its stream, then records a hit. */
static bool pt_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    pt_t *t = (pt_t *)p;
    uint32_t id = ts__find(&t->index, &t->pool, r->key);
    if (!touch)
        return id != TS__NIL;
    pt_stream_t *s = &t->streams[r->stream & (PT_STREAMS - 1)];
    t->has_pend = false;
    if (r->op == TS_OP_GET && (r->flags & TS_REQ_KV) && !(r->flags & TS_REQ_PREFETCH)) {
        t->has_pend = true;
        t->pend_key = r->key;
        t->pend_has_parent = s->is_open && s->stream == r->stream;
        t->pend_parent = s->last_key;
        t->pend_pid = s->last_id;
        t->pend_slot = r->stream & (PT_STREAMS - 1);
        s->stream = r->stream;
        s->last_key = r->key;
        s->last_id = id;
        s->is_open = 1;
    }
    if ((r->flags & TS_REQ_GROUP_END) && s->stream == r->stream)
        s->is_open = 0;
    if (id == TS__NIL)
        return false;
    pt_access(t, id);
    return true;
}

static int pt_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    pt_t *t = (pt_t *)p;
    uint32_t parent = TS__NIL;
    bool is_pend = t->has_pend && t->pend_key == r->key;
    if (is_pend && t->pend_has_parent) {
        /* The parent's node as its stream slot remembered it, when that node still holds
         * it (a freed node has seq 0); else by the index. */
        uint32_t pid = t->pend_pid;
        if (pid >= t->pool.cap || pt_node(t, pid)->seq == 0 ||
            pt_node(t, pid)->key != t->pend_parent)
            pid = ts__find(&t->index, &t->pool, t->pend_parent);
        parent = pid;
    }
    t->has_pend = false;
    uint32_t id = ts_pool_alloc(&t->pool, err);
    if (id == TS_POOL_NONE)
        return TS_ENOMEM;
    if (pt_reserve(t, err) || ts_ktab_insert(&t->index, r->key, id, err)) {
        ts_pool_release(&t->pool, id);
        return TS_ENOMEM;
    }
    pt_node_t *n = pt_node(t, id);
    n->key = r->key;
    n->size_bytes = r->size_bytes;
    n->child = TS__NIL;
    pt_link(t, id, parent);
    if (is_pend)
        t->streams[t->pend_slot].last_id = id;
    t->n++;
    t->charge += ts_policy_charge(&t->base, r->size_bytes);
    pt_access(t, id);
    return 0;
}

/* The first valid leaf entry of the queue, dropping stale entries and parking inner
 * blocks (where = none: they come back through the heap); TS__NIL when none. */
static uint32_t pt_queue_front(pt_t *t)
{
    for (; t->q_head < t->q_tail; t->q_head++) {
        if (t->q_head + PT_AHEAD < t->q_tail)
            __builtin_prefetch(pt_node(t, t->q[t->q_head + PT_AHEAD].id));
        pt_ent_t e = t->q[t->q_head];
        if (!pt_valid(t, e, PT_QUEUE))
            continue;
        pt_node_t *n = pt_node(t, e.id);
        if (n->child == TS__NIL)
            return e.id;
        n->where = PT_NONE;
    }
    return TS__NIL;
}

/* The same for the heap's top. */
static uint32_t pt_heap_front(pt_t *t)
{
    while (t->h_n) {
        pt_ent_t e = t->h[0];
        if (pt_valid(t, e, PT_HEAP)) {
            pt_node_t *n = pt_node(t, e.id);
            if (n->child == TS__NIL)
                return e.id;
            n->where = PT_NONE;
        }
        pt_heap_pop(t);
    }
    return TS__NIL;
}

static int pt_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    pt_t *t = (pt_t *)p;
    (void)r;
    uint32_t a = pt_queue_front(t), b = TS__NIL;
    /* The heap's top entry has the smallest seq of the heap, valid or not: when it is
     * later than the queue's leaf, the heap cannot win and its nodes are not read. */
    if (t->h_n && (a == TS__NIL || t->h[0].seq < pt_node(t, a)->seq))
        b = pt_heap_front(t);
    if (a == TS__NIL && b == TS__NIL)
        return TS_ENOENT;
    if (b == TS__NIL || (a != TS__NIL && pt_node(t, a)->seq < pt_node(t, b)->seq))
        t->q_head++;
    else {
        pt_heap_pop(t);
        a = b;
    }
    pt_free(t, a, out);
    return 0;
}

static bool pt_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    pt_t *t = (pt_t *)p;
    uint32_t id = ts__find(&t->index, &t->pool, key);
    if (id == TS__NIL)
        return false;
    pt_free(t, id, out);
    return true;
}

/* Walks the forest from the roots without a stack (down the first child, on to the next
 * sibling, back up through parent): every node is reached once, names the node it was
 * reached from as its parent and its previous sibling, is indexed at its id, has a seq of
 * an access so far, and as a leaf holds a valid entry. Returns 0 or TS_EINTERNAL. */
static int pt_check_forest(const pt_t *t, uint64_t *n_where, uint64_t *sum, ts_err_t *err)
{
    uint64_t seen = 0;
    uint32_t id = t->roots, up = TS__NIL, prev = TS__NIL;
    while (id != TS__NIL) {
        if (id >= t->pool.cap || ++seen > t->n)
            return ts_err_set(err, TS_EINTERNAL,
                              "prefix_tree: the forest links to node %u "
                              "(%u nodes) or holds more than its %llu blocks (a cycle)",
                              id, t->pool.cap, (unsigned long long)t->n);
        const pt_node_t *n = pt_node(t, id);
        if (n->parent != up || n->prev != prev)
            return ts_err_set(err, TS_EINTERNAL,
                              "prefix_tree: node %u names parent %u and "
                              "previous sibling %u, reached from %u after %u",
                              id, n->parent, n->prev, up, prev);
        if (ts__find(&t->index, &t->pool, n->key) != id)
            return ts_err_set(err, TS_EINTERNAL,
                              "prefix_tree: key %llu of node %u is not "
                              "indexed at it",
                              (unsigned long long)n->key, id);
        if (n->seq == 0 || n->seq > t->clock || n->where > PT_HEAP ||
            (n->child == TS__NIL && n->where == PT_NONE))
            return ts_err_set(err, TS_EINTERNAL,
                              "prefix_tree: node %u has seq %llu (clock "
                              "%llu), place %u, first child %u (a leaf needs a place)",
                              id, (unsigned long long)n->seq, (unsigned long long)t->clock,
                              n->where, n->child);
        n_where[n->where]++;
        *sum += ts_policy_charge(&t->base, n->size_bytes);
        if (n->child != TS__NIL) {
            up = id;
            prev = TS__NIL;
            id = n->child;
            continue;
        }
        while (id != TS__NIL && pt_node(t, id)->next == TS__NIL)
            id = pt_node(t, id)->parent;
        if (id != TS__NIL) {
            prev = id;
            up = pt_node(t, id)->parent;
            id = pt_node(t, id)->next;
        }
    }
    if (seen != t->n)
        return ts_err_set(err, TS_EINTERNAL,
                          "prefix_tree: %llu of %llu cached blocks are "
                          "not reachable from a root: a parent is missing",
                          (unsigned long long)(t->n - seen), (unsigned long long)t->n);
    return 0;
}

/* The cached blocks form a forest in which every block's parent is cached (a block whose
 * parent is not cached is a root: learned so, or detached by a remove), every leaf has one
 * valid entry, in the queue or the heap, and there is room to append without allocating.
 * Walking: the forest (pt_check_forest), the queue's order and the heap's, and the count
 * of valid entries in each against the nodes that say they are held there. */
static int pt_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                    ts_err_t *err)
{
    const pt_t *t = (const pt_t *)p;
    int rc = ts__held_check(p, t->n, t->charge, n_objects, charge, err);
    if (rc == 0)
        rc = ts__index_check(p, &t->pool, &t->index, t->n, full, err);
    size_t want = 2 * (size_t)t->pool.n_live + 16; /* a failed insert may leave pool.cap more */
    if (rc == 0 && (t->q_cap < want || t->h_cap < want || t->q_head > t->q_tail ||
                    t->q_tail > t->q_cap || t->h_n > t->h_cap))
        rc = ts_err_set(err, TS_EINTERNAL,
                        "prefix_tree: queue %zu..%zu of %zu entries, heap "
                        "%zu of %zu, for %u nodes (%zu entries needed)",
                        t->q_head, t->q_tail, t->q_cap, t->h_n, t->h_cap, t->pool.cap, want);
    if (rc || !full)
        return rc;
    uint64_t n_where[3] = {0}, sum = 0, valid_q = 0, valid_h = 0;
    rc = pt_check_forest(t, n_where, &sum, err);
    if (rc == 0 && sum != t->charge)
        return ts_err_set(err, TS_EINTERNAL,
                          "prefix_tree: counts %llu units, its blocks hold "
                          "%llu",
                          (unsigned long long)t->charge, (unsigned long long)sum);
    for (size_t i = t->q_head; rc == 0 && i < t->q_tail; i++) {
        if (t->q[i].id >= t->pool.cap || (i > t->q_head && t->q[i].seq <= t->q[i - 1].seq))
            return ts_err_set(err, TS_EINTERNAL,
                              "prefix_tree: queue entry %zu (node %u, seq "
                              "%llu) out of range or order",
                              i, t->q[i].id, (unsigned long long)t->q[i].seq);
        valid_q += pt_valid(t, t->q[i], PT_QUEUE);
    }
    for (size_t i = 0; rc == 0 && i < t->h_n; i++) {
        if (t->h[i].id >= t->pool.cap || (i > 0 && t->h[i].seq < t->h[(i - 1) / 2].seq))
            return ts_err_set(err, TS_EINTERNAL,
                              "prefix_tree: heap entry %zu (node %u, seq "
                              "%llu) out of range or above its parent",
                              i, t->h[i].id, (unsigned long long)t->h[i].seq);
        valid_h += pt_valid(t, t->h[i], PT_HEAP);
    }
    if (rc == 0 && (valid_q != n_where[PT_QUEUE] || valid_h != n_where[PT_HEAP]))
        rc =
            ts_err_set(err, TS_EINTERNAL,
                       "prefix_tree: %llu valid queue and %llu heap "
                       "entries for %llu and %llu blocks held there",
                       (unsigned long long)valid_q, (unsigned long long)valid_h,
                       (unsigned long long)n_where[PT_QUEUE], (unsigned long long)n_where[PT_HEAP]);
    return rc;
}

static size_t pt_mem_bytes(const ts_policy_t *p)
{
    const pt_t *t = (const pt_t *)p;
    return sizeof(*t) + ts_pool_bytes(&t->pool) + ts_ktab_bytes(&t->index) +
           (t->q_cap + t->h_cap) * sizeof(pt_ent_t);
}

/* Besides the key's slot and node, warms the node the next eviction reads first: the one
 * of the queue's first entry. */
static void pt_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const pt_t *t = (const pt_t *)p;
    ts__prefetch(&t->index, &t->pool, key, stage);
    if (stage == 1 && t->q_head < t->q_tail)
        __builtin_prefetch(pt_node(t, t->q[t->q_head].id));
}

const ts_policy_ops_t ts_policy_prefix_tree = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "prefix_tree",
             .summary = "prefix tree of KV block chains: evicts the least recently used leaf, "
                        "never a block whose descendants are cached"},
    .create = pt_create,
    .destroy = pt_destroy,
    .lookup = pt_lookup,
    .insert = pt_insert,
    .evict = pt_evict,
    .remove = pt_remove,
    .mem_bytes = pt_mem_bytes,
    .prefetch = pt_prefetch,
    .check = pt_check,
};
