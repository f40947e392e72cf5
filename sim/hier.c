/* SPDX-License-Identifier: MIT */
/*
 * hier.c - the tier hierarchy: placement, promotion, demotion, admission, write policy and
 * prefetch over ordered tiers (the rules are in hier.h).
 *
 * Structure: ts_hier_access walks the tiers, places the object (hier_place), emits moves
 * through hier_emit (the one place where link and traffic counters are kept), and handles
 * each eviction in hier_evicted, which ts_tier_fill calls back; a demotion inserts into a
 * lower tier whose own evictions call back in turn, so a cascade recurses at most once per
 * tier. Dirty and prefetched keys live in a small table (ts_ktab index + dense entries)
 * beside the policies; it is consulted only when write-back or a prefetcher is on, and the
 * eviction callback is installed only when some rule needs it, so the default hierarchy
 * costs what the plain fill loop did.
 * Debug builds check after every request that the inclusion rule holds for its key and that
 * the dirty table agrees with the write policy (hier_assert; docs/invariants.md).
 */
#include "hier.h"

#include <string.h>

#include "util/check.h"
#include "util/mem.h"

const char *const ts_move_names[TS_MOVE_COUNT_] = {"read",   "write",     "fill",    "promote",
                                                   "demote", "writeback", "prefetch", "free"};

enum { TRACK_DIRTY = 1u << 0, TRACK_PREFETCHED = 1u << 1, TRACK_META = 1u << 2 };

/* The request bits a demotion carries for the tier below (TRACK_META). */
#define TRACK_REQ_FLAGS (TS_REQ_KV | TS_REQ_HINT | TS_REQ_TTL)

struct hier_track {
    uint64_t key;   /* first: the index compares it */
    uint64_t bytes; /* size when tracked */
    uint32_t flags; /* TRACK_* */
    /* TRACK_META: the object's last demand request, for the tier a demotion moves it to */
    uint32_t stream;
    uint64_t time_ns, idle_ns;
    uint8_t req_flags; /* its TRACK_REQ_FLAGS bits */
};

/* ---- moves ---- */

int ts_moves_init(ts_moves_t *m, size_t cap, ts_err_t *err)
{
    memset(m, 0, sizeof(*m));
    if (cap == 0)
        cap = 1;
    m->v = ts_malloc(cap * sizeof(*m->v));
    if (!m->v)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a list of %zu moves", cap);
    m->cap = cap;
    return 0;
}

void ts_moves_free(ts_moves_t *m)
{
    ts_free(m->v);
    memset(m, 0, sizeof(*m));
}

static int hier_fail(ts_hier_t *h, int rc)
{
    if (!h->rc)
        h->rc = rc;
    return h->rc;
}

/* Position of a level on the path: requester -1, tiers 0..n-1, backing store n. */
static long hier_pos(const ts_hier_t *h, unsigned level)
{
    return level == TS_LEVEL_CLIENT ? -1 : level == TS_LEVEL_BACKING ? (long)h->n : (long)level;
}

/* Records one movement: link and tier counters, and the caller's list when there is one. */
static int hier_emit(ts_hier_t *h, unsigned kind, unsigned from, unsigned to, uint64_t key,
                     uint64_t bytes)
{
    long a = hier_pos(h, from), b = hier_pos(h, to);
    if (kind == TS_MOVE_FREE) {
        /* listed only: leaving a tier moves no data */
    } else if (a > b) {
        for (long l = b < 0 ? 0 : b; l < a; l++) {
            h->link[l].n_up++;
            h->link[l].bytes_up += bytes;
        }
    } else {
        for (long l = a < 0 ? 0 : a; l < b; l++) {
            h->link[l].n_down++;
            h->link[l].bytes_down += bytes;
        }
    }
    switch (kind) {
    case TS_MOVE_PROMOTE:
        h->tiers[from]->st.n_promote_out++;
        h->tiers[to]->st.n_promote_in++;
        break;
    case TS_MOVE_DEMOTE:
        h->tiers[from]->st.n_demote_out++;
        h->tiers[to]->st.n_demote_in++;
        break;
    case TS_MOVE_WRITEBACK:
        h->tiers[from]->st.n_writeback++;
        h->tiers[from]->st.bytes_writeback += bytes;
        break;
    case TS_MOVE_PREFETCH:
        h->tiers[to]->st.n_prefetch_in++;
        h->tiers[to]->st.bytes_prefetch_in += bytes;
        break;
    default:
        break;
    }
    ts_moves_t *m = h->moves;
    if (!m)
        return 0;
    if (m->n == m->cap) {
        size_t cap = m->cap * 2 + 16;
        ts_move_t *v = ts_realloc(m->v, cap * sizeof(*v));
        if (!v)
            return hier_fail(
                h, ts_err_set(h->err, TS_ENOMEM, "cannot grow the list of moves to %zu", cap));
        m->v = v;
        m->cap = cap;
    }
    m->v[m->n++] = (ts_move_t){.key = key,
                               .bytes = bytes,
                               .kind = (uint8_t)kind,
                               .from = (uint8_t)from,
                               .to = (uint8_t)to};
    return 0;
}

/* Lists that the copy of key in tier i left it (ts_hier_list_frees). */
static int hier_freed(ts_hier_t *h, size_t i, uint64_t key, uint64_t bytes)
{
    return h->list_frees && h->moves
               ? hier_emit(h, TS_MOVE_FREE, (unsigned)i, TS_LEVEL_NONE, key, bytes)
               : 0;
}

/* ---- dirty / prefetched keys ---- */

static hier_track_t *track_find(const ts_hier_t *h, uint64_t key)
{
    if (!h->n_track)
        return NULL;
    uint32_t id = ts_ktab_find(&h->track_index, key, h->track, sizeof(hier_track_t));
    return id == TS_KTAB_NONE ? NULL : &h->track[id];
}

/* The entry for key, added (flags 0) when absent; NULL after TS_ENOMEM (in h->rc). */
static hier_track_t *track_get(ts_hier_t *h, uint64_t key, uint64_t bytes)
{
    hier_track_t *e = track_find(h, key);
    if (e)
        return e;
    if (h->n_track == h->cap_track) {
        size_t cap = h->cap_track * 2 + 64;
        hier_track_t *v = ts_realloc(h->track, cap * sizeof(*v));
        if (!v) {
            hier_fail(h, ts_err_set(h->err, TS_ENOMEM,
                                    "cannot track %zu dirty or prefetched "
                                    "objects",
                                    cap));
            return NULL;
        }
        h->track = v;
        h->cap_track = cap;
    }
    uint32_t id = (uint32_t)h->n_track;
    int rc = ts_ktab_insert(&h->track_index, key, id, h->err);
    if (rc) {
        hier_fail(h, rc);
        return NULL;
    }
    h->track[id] = (hier_track_t){.key = key, .bytes = bytes, .flags = 0};
    h->n_track++;
    return &h->track[id];
}

/* Removes e (swap with the last entry). */
static void track_drop(ts_hier_t *h, hier_track_t *e)
{
    TS_ASSERT(h->n_track > 0 && e >= h->track && e < h->track + h->n_track);
    uint32_t id = (uint32_t)(e - h->track), last = (uint32_t)h->n_track - 1;
    int removed = ts_ktab_remove(&h->track_index, e->key, id);
    TS_ASSERT(removed == 1);
    if (id != last) {
        removed = ts_ktab_remove(&h->track_index, h->track[last].key, last);
        TS_ASSERT(removed == 1);
        h->track[id] = h->track[last];
        /* the index holds fewer keys than before the first remove: no growth, no failure */
        int rc = ts_ktab_insert(&h->track_index, h->track[id].key, id, NULL);
        TS_ASSERT(rc == 0);
    }
    h->n_track--;
}

/* A prefetched object leaves (or the run ends) before any demand hit. */
static void track_unused(ts_hier_t *h, const hier_track_t *e)
{
    if (e->flags & TRACK_PREFETCHED) {
        h->st.n_pf_unused++;
        h->st.bytes_pf_unused += e->bytes;
    }
}

/* Remembers r (a demand request whose object some tier now holds) for the demotions of its
 * object: the tiers below that judge by request flags or hints see them (h->keep_meta). */
static int hier_note_meta(ts_hier_t *h, const ts_req_t *r)
{
    hier_track_t *e = track_get(h, r->key, r->size_bytes);
    if (!e)
        return h->rc;
    e->flags |= TRACK_META;
    e->stream = r->stream;
    e->time_ns = r->time_ns;
    e->idle_ns = r->idle_ns;
    e->req_flags = (uint8_t)(r->flags & TRACK_REQ_FLAGS);
    return 0;
}

/* ---- invariants (debug builds) ---- */

/* The rules hold for key: inclusive, a copy in tier i has one in tier i+1 below it;
 * exclusive, at most one tier holds it. A tracked key (dirty, prefetched, or remembered for
 * demotions) is cached somewhere, and only write-back makes a key dirty. O(tiers). */
static void hier_assert_key(const ts_hier_t *h, uint64_t key)
{
    const hier_track_t *e = track_find(h, key);
    if (e)
        TS_ASSERT(!(e->flags & TRACK_DIRTY) || h->cfg.write == TS_WRITE_BACK);
    if (h->cfg.inclusion == TS_INCL_NON_INCLUSIVE && !e)
        return;
    size_t n_held = 0;
    bool held_below = true; /* below the last tier: the backing store holds everything */
    for (size_t i = h->n; i-- > 0;) {
        bool held = ts_tier_holds(h->tiers[i], key);
        TS_ASSERT(h->cfg.inclusion != TS_INCL_INCLUSIVE || !held || held_below);
        n_held += held;
        held_below = held;
    }
    TS_ASSERT(h->cfg.inclusion != TS_INCL_EXCLUSIVE || n_held <= 1);
    TS_ASSERT(!e || n_held > 0);
}

/* After a request that succeeded: nothing left in flight, the rules hold for its key, and,
 * with expensive checks on, for every tracked key and the track table's index too. */
static void hier_assert(const ts_hier_t *h, uint64_t key, int rc)
{
    if (!TS_CHECK_ON || rc < 0 || h->rc)
        return;
    TS_ASSERT(h->n_inflight == 0);
    TS_ASSERT(h->track_index.n == h->n_track && h->n_track <= h->cap_track);
    hier_assert_key(h, key);
    if (!ts_check_expensive())
        return;
    ts_err_t e = {0};
    if (ts_ktab_check(&h->track_index, &e) != 0)
        ts_check_fail(__FILE__, __LINE__, e.msg);
    for (size_t k = 0; k < h->n_track; k++) {
        TS_ASSERT(h->track[k].flags != 0);
        TS_ASSERT(track_find(h, h->track[k].key) == &h->track[k]);
        hier_assert_key(h, h->track[k].key);
    }
}

/* ---- placement ---- */

/* Would tier i take r's object now (its filter, and the object fits the whole tier)? */
static bool hier_admits(ts_hier_t *h, size_t i, const ts_req_t *r)
{
    ts_tier_t *t = h->tiers[i];
    if (h->admit[i] && !h->admit[i]->ops->admit(h->admit[i], r)) {
        t->st.n_refused++;
        return false;
    }
    if (ts_tier_charge(t, r->size_bytes) > t->capacity) {
        t->st.n_too_large++;
        return false;
    }
    return true;
}

/* Inserts r's object (absent from tier i) when tier i admits it; evictions call back into
 * hier_evicted. Returns 0 (with *ok) or an error. */
static int hier_insert(ts_hier_t *h, size_t i, const ts_req_t *r, bool *ok)
{
    *ok = false;
    if (!hier_admits(h, i, r))
        return 0;
    int rc = ts_tier_fill(h->tiers[i], r, h->on_evict, h, ok, h->err);
    return rc ? hier_fail(h, rc) : h->rc;
}

/* The object v, evicted from tier i, has left the hierarchy: flush it when dirty. */
static int hier_left(ts_hier_t *h, size_t i, const ts_victim_t *v)
{
    hier_track_t *e = track_find(h, v->key);
    if (!e)
        return 0;
    int rc = 0;
    if (e->flags & TRACK_DIRTY) {
        h->st.n_writeback++;
        h->st.bytes_writeback += v->size_bytes;
        rc = hier_emit(h, TS_MOVE_WRITEBACK, (unsigned)i, TS_LEVEL_BACKING, v->key, v->size_bytes);
    }
    track_unused(h, e);
    track_drop(h, e);
    return rc;
}

static size_t hier_index(const ts_hier_t *h, const ts_tier_t *t)
{
    size_t i = 0;
    while (i < h->n && h->tiers[i] != t)
        i++;
    return i;
}

/* What the rules do with v, evicted from tier i. */
static void hier_evicted_from(ts_hier_t *h, size_t i, const ts_victim_t *v)
{
    if (h->cfg.inclusion == TS_INCL_INCLUSIVE) {
        for (size_t j = 0; j < i; j++) {
            ts_victim_t w;
            if (ts_tier_take(h->tiers[j], v->key, &w)) {
                h->tiers[j]->st.n_backinval++;
                hier_freed(h, j, w.key, w.size_bytes);
            }
        }
        if (i + 1 == h->n)
            hier_left(h, i, v);
        return;
    }
    if (h->cfg.demote == TS_DEMOTE_NEXT) {
        ts_req_t q = {.key = v->key, .size_bytes = v->size_bytes, .next_access = TS_REQ_NEVER};
        const hier_track_t *m = h->keep_meta ? track_find(h, v->key) : NULL;
        if (m && (m->flags & TRACK_META)) { /* as of now: the idle time still ahead */
            uint64_t now = h->tot.last_ns, due = m->time_ns + m->idle_ns;
            q.time_ns = now > m->time_ns ? now : m->time_ns;
            q.stream = m->stream;
            q.flags = m->req_flags;
            q.idle_ns = m->idle_ns == UINT64_MAX || due < m->time_ns ? UINT64_MAX
                        : due > q.time_ns                          ? due - q.time_ns
                                                                   : 0;
        }
        bool ok = false;
        h->inflight[h->n_inflight++] = v->key; /* on its way down: still cached */
        for (size_t j = i + 1; j < h->n && !ok && !h->rc; j++) {
            ok = h->cfg.inclusion == TS_INCL_NON_INCLUSIVE && ts_tier_holds(h->tiers[j], v->key);
            if (!ok && hier_insert(h, j, &q, &ok) == 0 && ok)
                hier_emit(h, TS_MOVE_DEMOTE, (unsigned)i, (unsigned)j, v->key, v->size_bytes);
        }
        h->n_inflight--;
        if (ok || h->rc)
            return; /* moved down, or a copy was already there */
    }
    if (!h->n_track)
        return;
    for (size_t k = 0; k < h->n_inflight; k++)
        if (h->inflight[k] == v->key)
            return; /* being moved between tiers: it has not left */
    if (h->cfg.inclusion == TS_INCL_NON_INCLUSIVE && ts_hier_holds(h, v->key))
        return;
    hier_left(h, i, v);
}

/* Eviction callback (installed only when some rule needs it, or frees are listed; see
 * ts_hier_create and ts_hier_list_frees). */
static void hier_evicted(void *ctx, const ts_tier_t *t, const ts_victim_t *v)
{
    ts_hier_t *h = ctx;
    if (h->rc)
        return;
    size_t i = hier_index(h, t);
    hier_evicted_from(h, i, v);
    if (!h->rc)
        hier_freed(h, i, v->key, v->size_bytes);
}

/* Copies r's object into tiers hi, hi-1, ..., lo (non-exclusive placement, bottom-up) from
 * level src: a tier that refuses it is skipped (non_inclusive) or ends the copy (inclusive:
 * the tiers above may not hold what it lacks). Each copy is listed as a `kind` move from the
 * level below it that holds the object, except for WRITE (a put lists its writes later).
 * *top becomes the highest tier that took it (left alone when none did). */
static int hier_copy_up(ts_hier_t *h, const ts_req_t *r, size_t lo, size_t hi, unsigned src,
                        unsigned kind, unsigned *top)
{
    for (size_t j = hi + 1; j-- > lo;) {
        bool ok;
        int rc = hier_insert(h, j, r, &ok);
        if (rc)
            return rc;
        if (!ok) {
            if (h->cfg.inclusion == TS_INCL_INCLUSIVE)
                break;
            continue;
        }
        if (kind != TS_MOVE_WRITE && (rc = hier_emit(h, kind, src, j, r->key, r->size_bytes)))
            return rc;
        src = *top = (unsigned)j;
    }
    return 0;
}

/* Places a missed object: exclusive, in the first tier from `from` down that admits it;
 * otherwise in every tier from the bottom up to `from` (inclusive: stopping at a refusal).
 * kind (FILL, PREFETCH, or WRITE for a put whose moves are listed later: none here) names
 * the moves. Returns 0 with *top = the highest tier now holding it (TS_LEVEL_BACKING: none).
 * upto is the last tier a non-exclusive placement may fill from the bottom (n-1), or, for
 * a non-inclusive prefetch, the target itself. */
static int hier_place_miss(ts_hier_t *h, const ts_req_t *r, size_t from, size_t upto, unsigned kind,
                           unsigned *top)
{
    *top = TS_LEVEL_BACKING;
    bool ok;
    if (!h->n)
        return 0;
    if (h->cfg.inclusion == TS_INCL_EXCLUSIVE) {
        for (size_t j = from; j < h->n; j++) {
            int rc = hier_insert(h, j, r, &ok);
            if (rc)
                return rc;
            if (ok) {
                *top = (unsigned)j;
                return kind == TS_MOVE_WRITE
                           ? 0
                           : hier_emit(h, kind, TS_LEVEL_BACKING, j, r->key, r->size_bytes);
            }
        }
        return 0;
    }
    return hier_copy_up(h, r, from, upto, TS_LEVEL_BACKING, kind, top);
}

/* Promotes an object hit in tier hit (> 0) by cfg.promote; *top = the highest tier now
 * holding it. Puts (is_put) list no PROMOTE moves: their data come from the requester. */
static int hier_promote(ts_hier_t *h, const ts_req_t *r, size_t hit, bool is_put, unsigned *top)
{
    *top = (unsigned)hit;
    if (h->cfg.promote == TS_PROMOTE_NONE || hit == 0)
        return 0;
    size_t target = h->cfg.promote == TS_PROMOTE_TOP ? 0 : hit - 1;
    bool ok;
    if (h->cfg.inclusion == TS_INCL_EXCLUSIVE) {
        size_t j = target;
        while (j < hit && !hier_admits(h, j, r))
            j++;
        if (j == hit)
            return 0; /* no tier above takes it: it stays */
        ts_victim_t v;
        ts_tier_take(h->tiers[hit], r->key, &v);
        ts_req_t q = *r;
        q.size_bytes = v.size_bytes;
        int rc = hier_freed(h, hit, v.key, v.size_bytes);
        if (rc == 0)
            rc = ts_tier_fill(h->tiers[j], &q, h->on_evict, h, &ok, h->err);
        if (rc || h->rc)
            return hier_fail(h, rc ? rc : h->rc);
        *top = (unsigned)j;
        return is_put ? 0
                      : hier_emit(h, TS_MOVE_PROMOTE, (unsigned)hit, (unsigned)j, r->key,
                                  v.size_bytes);
    }
    return hier_copy_up(h, r, target, hit - 1, (unsigned)hit,
                        is_put ? TS_MOVE_WRITE : TS_MOVE_PROMOTE, top);
}

/* A put's data: into every tier holding the key (top-down, each from the one above), then
 * on to the backing store when written through. */
static int hier_put_moves(ts_hier_t *h, const ts_req_t *r, unsigned top, bool through)
{
    unsigned src = TS_LEVEL_CLIENT;
    int rc = 0;
    if (top != TS_LEVEL_BACKING) {
        for (size_t j = top; j < h->n && rc == 0; j++) {
            if (j > top && (h->cfg.inclusion == TS_INCL_EXCLUSIVE ||
                            (h->cfg.inclusion == TS_INCL_NON_INCLUSIVE &&
                             !ts_tier_holds(h->tiers[j], r->key))))
                continue;
            rc = hier_emit(h, TS_MOVE_WRITE, src, (unsigned)j, r->key, r->size_bytes);
            src = (unsigned)j;
        }
    }
    if (rc == 0 && through)
        rc = hier_emit(h, TS_MOVE_WRITE, src, TS_LEVEL_BACKING, r->key, r->size_bytes);
    return rc;
}

/* A prefetch of q's object (a proposal or a hint): fetched when no tier holds it. */
static int hier_prefetch(ts_hier_t *h, const ts_req_t *q)
{
    if (ts_hier_holds(h, q->key))
        return 0;
    size_t into = h->cfg.prefetch_into;
    size_t upto = h->cfg.inclusion == TS_INCL_NON_INCLUSIVE ? into : h->n - 1;
    unsigned top;
    int rc = hier_place_miss(h, q, into, upto, TS_MOVE_PREFETCH, &top);
    if (rc || top == TS_LEVEL_BACKING)
        return rc;
    h->st.n_pf_issued++;
    h->st.bytes_pf += q->size_bytes;
    hier_track_t *e = track_get(h, q->key, q->size_bytes);
    if (!e)
        return h->rc;
    e->flags |= TRACK_PREFETCHED;
    e->bytes = q->size_bytes;
    return 0;
}

static int hier_delete(ts_hier_t *h, const ts_req_t *r)
{
    h->tot.n_delete++;
    for (size_t i = 0; i < h->n; i++) {
        h->tiers[i]->st.n_delete++;
        ts_victim_t v;
        if (ts_tier_take(h->tiers[i], r->key, &v)) {
            h->tiers[i]->st.n_removed++;
            int rc = hier_freed(h, i, v.key, v.size_bytes);
            if (rc)
                return rc;
        }
    }
    hier_track_t *e = track_find(h, r->key);
    if (e) { /* dirty data are dropped unwritten; a prefetched object was never used */
        track_unused(h, e);
        track_drop(h, e);
    }
    TS_ASSERT(!ts_hier_holds(h, r->key));
    return TS_LEVEL_NONE;
}

/* After a demand request: filters hear of the misses in tiers 0..hit-1; the prefetcher
 * proposes. */
static int hier_after(ts_hier_t *h, const ts_req_t *r, size_t hit)
{
    if (h->has_on_miss)
        for (size_t i = 0; i < hit; i++)
            if (h->admit[i] && h->admit[i]->ops->on_miss)
                h->admit[i]->ops->on_miss(h->admit[i], r);
    if (!h->pf || !h->pf->ops->on_access)
        return 0;
    ts_req_t out[TS_PREFETCH_MAX];
    size_t k = h->pf->ops->on_access(h->pf, r, out, TS_PREFETCH_MAX);
    for (size_t i = 0; i < k; i++) {
        int rc = hier_prefetch(h, &out[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int hier_demand(ts_hier_t *h, const ts_req_t *r)
{
    size_t n = h->n, hit = n;
    for (size_t i = 0; i < n; i++)
        if (ts_tier_lookup(h->tiers[i], r)) {
            hit = i;
            break;
        }
    bool is_put = r->op == TS_OP_PUT;
    ts_totals_t *tot = &h->tot;
    tot->bytes_req += r->size_bytes;
    if (is_put)
        tot->n_put++;
    else
        tot->n_get++;
    if (hit < n) {
        tot->n_hit++;
        tot->bytes_hit += r->size_bytes;
    }
    if (h->n_track) {
        hier_track_t *e = track_find(h, r->key);
        if (e && (e->flags & TRACK_PREFETCHED) && hit < n) {
            h->st.n_pf_used++;
            h->st.bytes_pf_used += e->bytes;
            e->flags &= ~(uint32_t)TRACK_PREFETCHED;
            if (!e->flags)
                track_drop(h, e);
        }
    }
    unsigned top;
    h->inflight[0] = r->key;
    h->n_inflight = 1;
    int rc = hit < n ? hier_promote(h, r, hit, is_put, &top)
                     : hier_place_miss(h, r, 0, n ? n - 1 : 0,
                                       is_put ? TS_MOVE_WRITE : TS_MOVE_FILL, &top);
    h->n_inflight = 0;
    if (rc)
        return rc;
    if (h->keep_meta && top != TS_LEVEL_BACKING && (rc = hier_note_meta(h, r)) != 0)
        return rc;
    if (!is_put) {
        if (hit == n) {
            tot->n_backing++;
            tot->bytes_backing += r->size_bytes;
        }
        rc = hier_emit(h, TS_MOVE_READ, top, TS_LEVEL_CLIENT, r->key, r->size_bytes);
    } else {
        bool through = h->cfg.write == TS_WRITE_THROUGH || top == TS_LEVEL_BACKING;
        if (through) {
            tot->n_backing++;
            tot->bytes_backing += r->size_bytes;
        } else {
            hier_track_t *e = track_get(h, r->key, r->size_bytes);
            if (!e)
                return h->rc;
            e->flags |= TRACK_DIRTY;
        }
        rc = hier_put_moves(h, r, top, through);
    }
    if (rc)
        return rc;
    rc = hier_after(h, r, hit);
    if (rc)
        return rc;
    return hit < n ? (int)hit : (int)TS_LEVEL_BACKING;
}

/* A get under the default hierarchy with no move list: the straight fill loop the engine
 * ran before the hierarchy existed, with the link and promotion counts hier_emit would
 * make. It counts exactly what the general path counts (tests/test_hier.c replays the same
 * traces both ways); it exists because this is the path every one-tier run takes. */
static int hier_plain_get(ts_hier_t *h, const ts_req_t *r)
{
    size_t n = h->n, hit = n;
    for (size_t i = 0; i < n; i++)
        if (ts_tier_lookup(h->tiers[i], r)) {
            hit = i;
            break;
        }
    ts_totals_t *tot = &h->tot;
    uint64_t size = r->size_bytes;
    tot->n_get++;
    tot->bytes_req += size;
    if (hit < n) {
        tot->n_hit++;
        tot->bytes_hit += size;
    } else {
        tot->n_backing++;
        tot->bytes_backing += size;
    }
    size_t src = hit; /* position of the highest copy; n: the backing store */
    for (size_t j = hit; j-- > 0;) {
        bool ok;
        int rc = ts_tier_fill(h->tiers[j], r, NULL, NULL, &ok, h->err);
        if (rc)
            return rc;
        if (!ok)
            continue;
        if (hit < n) {
            h->tiers[src]->st.n_promote_out++;
            h->tiers[j]->st.n_promote_in++;
        }
        for (size_t l = j; l < src; l++) {
            h->link[l].n_up++;
            h->link[l].bytes_up += size;
        }
        src = j;
    }
    for (size_t l = 0; l < src; l++) { /* the read, to the requester */
        h->link[l].n_up++;
        h->link[l].bytes_up += size;
    }
    return hit < n ? (int)hit : (int)TS_LEVEL_BACKING;
}

int ts_hier_access(ts_hier_t *h, const ts_req_t *r, ts_moves_t *moves, ts_err_t *err)
{
    if (h->is_plain && !moves && r->op == TS_OP_GET && !(r->flags & TS_REQ_PREFETCH)) {
        ts_totals_t *tot = &h->tot;
        if (tot->n_req == 0)
            tot->first_ns = r->time_ns;
        tot->last_ns = r->time_ns;
        tot->n_req++;
        h->err = err;
        int rc = hier_plain_get(h, r);
        hier_assert(h, r->key, rc);
        return rc;
    }
    h->err = err;
    h->moves = moves;
    if (moves)
        moves->n = 0;
    ts_totals_t *tot = &h->tot;
    if (tot->n_req == 0)
        tot->first_ns = r->time_ns;
    tot->last_ns = r->time_ns;
    tot->n_req++;
    int rc;
    if ((r->flags & TS_REQ_PREFETCH) && h->takes_hints) {
        h->st.n_pf_hint++;
        rc = hier_prefetch(h, r);
        rc = rc ? rc : (int)TS_LEVEL_NONE;
    } else if (r->op == TS_OP_DELETE) {
        rc = hier_delete(h, r);
    } else {
        rc = hier_demand(h, r);
    }
    h->moves = NULL;
    hier_assert(h, r->key, rc);
    return rc;
}

/* ---- end of run, queries, lifetime ---- */

int ts_hier_finish(ts_hier_t *h, ts_moves_t *moves, ts_err_t *err)
{
    if (moves)
        moves->n = 0;
    if (h->finished)
        return 0;
    h->finished = true;
    h->err = err;
    h->moves = moves;
    int rc = 0;
    for (size_t k = 0; k < h->n_track && rc == 0; k++) {
        const hier_track_t *e = &h->track[k];
        track_unused(h, e);
        if (!(e->flags & TRACK_DIRTY))
            continue;
        h->st.n_dirty_end++;
        h->st.bytes_dirty_end += e->bytes;
        if (!h->cfg.flush_at_end)
            continue;
        size_t j = h->n;
        while (j-- > 0 && !ts_tier_holds(h->tiers[j], e->key))
            ;
        if (j < h->n) {
            h->st.n_flush_end++;
            h->st.bytes_flush_end += e->bytes;
            rc = hier_emit(h, TS_MOVE_WRITEBACK, (unsigned)j, TS_LEVEL_BACKING, e->key, e->bytes);
        }
    }
    h->moves = NULL;
    return rc;
}

void ts_hier_list_frees(ts_hier_t *h)
{
    h->list_frees = true;
    h->on_evict = hier_evicted;
}

bool ts_hier_holds(const ts_hier_t *h, uint64_t key)
{
    for (size_t i = 0; i < h->n; i++)
        if (ts_tier_holds(h->tiers[i], key))
            return true;
    return false;
}

bool ts_hier_is_dirty(const ts_hier_t *h, uint64_t key)
{
    const hier_track_t *e = track_find(h, key);
    return e && (e->flags & TRACK_DIRTY);
}

size_t ts_hier_mem_bytes(const ts_hier_t *h)
{
    size_t b = sizeof(*h) + h->cap_track * sizeof(hier_track_t) + ts_ktab_bytes(&h->track_index);
    for (size_t i = 0; i < h->n; i++)
        if (h->admit[i])
            b += h->admit[i]->ops->mem_bytes(h->admit[i]);
    if (h->pf)
        b += h->pf->ops->mem_bytes(h->pf);
    return b;
}

int ts_hier_create(const ts_hier_config_t *cfg, ts_tier_t *const *tiers, size_t n, ts_hier_t **out,
                   ts_err_t *err)
{
    *out = NULL;
    if (n > TS_MAX_TIERS)
        return ts_err_set(err, TS_EINVAL, "a hierarchy has at most %d tiers, found %zu",
                          TS_MAX_TIERS, n);
    if (cfg->prefetch && n && cfg->prefetch_into >= n)
        return ts_err_set(err, TS_EINVAL, "prefetch target tier %u does not exist (%zu tiers)",
                          cfg->prefetch_into, n);
    if ((unsigned)cfg->inclusion >= TS_INCL_COUNT_ || (unsigned)cfg->promote >= TS_PROMOTE_COUNT_ ||
        (unsigned)cfg->demote >= TS_DEMOTE_COUNT_ || (unsigned)cfg->write >= TS_WRITE_COUNT_)
        return ts_err_set(err, TS_EINVAL, "unknown hierarchy rule");
    ts_hier_t *h = ts_calloc(1, sizeof(*h));
    if (!h)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the hierarchy");
    h->cfg = *cfg;
    h->n = n;
    for (size_t i = 0; i < n; i++)
        h->tiers[i] = tiers[i];
    int rc = ts_ktab_init(&h->track_index, 64, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const ts_admit_ops_t *a = cfg->admit[i];
        if (!a || (a->base.flags & TS_ADMIT_ALL))
            continue;
        rc = a->create(cfg->admit_params[i], &h->admit[i], err);
        if (rc)
            ts_err_prefix(err, "tier %s: admission %s", tiers[i]->name, a->base.name);
        else
            h->has_on_miss |= a->on_miss != NULL;
    }
    const ts_prefetch_ops_t *p = cfg->prefetch;
    if (rc == 0 && p && n && !(p->base.flags & TS_PREFETCH_NOTHING)) {
        rc = p->create(cfg->prefetch_params, &h->pf, err);
        if (rc)
            ts_err_prefix(err, "prefetcher %s", p->base.name);
        else
            h->takes_hints = (p->base.flags & TS_PREFETCH_HINTS) != 0;
    }
    if (rc) {
        ts_hier_destroy(h);
        return rc;
    }
    bool needs_cb = cfg->inclusion == TS_INCL_INCLUSIVE || cfg->demote == TS_DEMOTE_NEXT ||
                    cfg->write == TS_WRITE_BACK || h->pf;
    h->on_evict = needs_cb ? hier_evicted : NULL;
    for (size_t i = 1; cfg->demote == TS_DEMOTE_NEXT && i < n; i++)
        h->keep_meta |= (h->admit[i] && (h->admit[i]->ops->base.flags & TS_ADMIT_REQ_META)) ||
                        (tiers[i]->policy->ops->base.flags & TS_POLICY_HINTS);
    bool has_admit = false;
    for (size_t i = 0; i < n; i++)
        has_admit |= h->admit[i] != NULL;
    h->is_plain = !needs_cb && !has_admit && cfg->inclusion == TS_INCL_NON_INCLUSIVE &&
                  cfg->promote == TS_PROMOTE_TOP && cfg->write == TS_WRITE_THROUGH;
    *out = h;
    return 0;
}

void ts_hier_destroy(ts_hier_t *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < TS_MAX_TIERS; i++)
        ts_admit_destroy(h->admit[i]);
    ts_prefetcher_destroy(h->pf);
    ts_ktab_free(&h->track_index);
    ts_free(h->track);
    ts_free(h);
}
