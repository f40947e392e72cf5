/* SPDX-License-Identifier: MIT */
/*
 * hier.h - the tier hierarchy: ordered tiers over a backing store, and every rule that moves
 * an object between them (placement, promotion, demotion, admission, write policy, prefetch).
 *
 * Levels: tiers 0..n-1, top (fastest, nearest the GPU) first, then the backing store (the
 * system of record: always hits, never full). The requester sits above tier 0. One call,
 * ts_hier_access, replays one request: it looks the key up top-down, places the object by
 * the rules below, counts everything, and lists the data movements it made (ts_move_t) so
 * that the fast engine can count them and a timed engine can turn each into a transfer.
 * Cost per request: one policy lookup per tier walked, plus one insert per copy placed and
 * the evictions that make room; no allocation on hits (the move buffer and the dirty /
 * prefetch table grow only to their largest size, amortised).
 *
 * RULES (also in docs/scenario.md, "hierarchy").
 * Lookup: a demand get or put looks the key up in tier 0, 1, ... and stops at the first
 *   hit h (h = backing store when none holds it). Every lookup is counted in its tier.
 * Inclusion (where copies may live):
 *   non_inclusive (default; "NINE" in CPU-cache terms, the engine's behaviour before the
 *     hierarchy existed): a miss fills every tier, bottom-most first; a tier that refuses
 *     the object is skipped; an eviction never touches other tiers, so an upper tier may
 *     keep a key a lower tier has dropped.
 *   inclusive: every tier holds a subset of the tier below (checked by tests after every
 *     request). A miss fills every tier bottom-up and stops at the first tier that refuses
 *     (the tiers above it may not hold what it lacks). Evicting from tier i removes the
 *     copies in tiers above i (back-invalidation, counted in those tiers); the object stays
 *     below i, so only an eviction from the last tier makes it leave the hierarchy, and
 *     `demote` has nothing to do (the tier below already holds the object).
 *   exclusive: a key is in at most one tier. A miss places the object in the first tier,
 *     top-down, that admits it.
 * Promotion (on a hit in tier h > 0; misses are placed as above whatever this says):
 *   top: non_inclusive/inclusive copy the object into tiers h-1 .. 0 (bottom-up, skipping
 *     or, inclusive, stopping at a refusal); exclusive moves it to the highest tier in
 *     0 .. h-1 that admits it, or leaves it in h if none does.
 *   up: the same with h-1 as the only target.
 *   none: the hit is served from h and copied nowhere.
 * Demotion (an object evicted from tier i to make room):
 *   next: exclusive and non_inclusive insert it into tier i+1 (if that tier refuses it,
 *     i+2, and so on; the insert may evict and demote in turn); non_inclusive does nothing
 *     when the next tier already holds a copy. Evicted from the last tier, or refused by
 *     every tier below: it is dropped.
 *   drop: the object is dropped.
 * Admission: each tier may have a filter (sim/admit.h) consulted before every
 *   insertion into it (fill, promotion, demotion, prefetch), as is the tier's own size
 *   check (an object larger than the whole tier is refused, counted in too_large). A refusal
 *   is counted in the tier's `refused`; the object then goes on as each rule above says
 *   (skipped, stop, next tier down, stays, or dropped). Filters hear of a request's misses
 *   after the request is placed.
 * Writes: a put is placed exactly like a get (same lookup, hit and promotion rules); its
 *   data come from the requester, so its moves are WRITEs into every tier that holds the key
 *   afterwards, top-down, each from the one above (the first from the requester).
 *   through: the put then goes on to the backing store at once (counted in the backing
 *     requests and bytes).
 *   back: the key becomes dirty (one bit per key, kept in the hierarchy beside the
 *     policies, never in them). A put no tier admits goes to the backing store at once. A
 *     dirty object is written to the backing store exactly once, when its last cached copy
 *     leaves the hierarchy (dropped or evicted from the last tier holding it), from the tier
 *     it leaves (a write-back: counted in that tier, in bytes, and as a link transfer);
 *     moving it between tiers (promotion, demotion) keeps it dirty; a later put keeps it
 *     dirty (still one flush); a delete drops the dirty state without writing. (An object
 *     being moved never counts as leaving: a non_inclusive promotion or demotion can evict
 *     another copy of the object it is moving before that object lands.) Dirty objects
 *     left at the end are counted by ts_hier_finish and flushed only when flush_at_end is
 *     set.
 * Deletes: remove the key from every tier (counted as removed); not a lookup.
 * Prefetch: after every demand get or put the prefetcher (sim/prefetch.h) may propose
 *   objects; each one no tier holds is fetched from the backing store into the target tier
 *   (`into`, default 0) as a miss would be, restricted to that tier (exclusive: the target,
 *   or the next tier down if it refuses; inclusive: every tier from the bottom up to the
 *   target; non_inclusive: the target only). Proposals already cached cost nothing. With the
 *   `hint` prefetcher, trace requests flagged TS_REQ_PREFETCH are such proposals instead of
 *   demand requests. A prefetched object is "used" at its first demand hit and "unused" if
 *   it leaves the hierarchy (evicted, deleted) or the run ends before one. Prefetches count
 *   no demand hit or miss (their lookups are not counted in the tiers either).
 * Moves list, in the order they happen: for each insertion the moves that made room
 *   (demotions, write-backs) come before the move that inserted; after the placement come a
 *   get's READ (to the requester) or a put's WRITEs, then the prefetches it triggered.
 *   A move from level a to level b crosses every link between them: link i joins tier i and
 *   the level below it (tier i+1, or the backing store for the last tier); the requester's
 *   own link above tier 0 is not counted.
 * Known limits: a tier's copy keeps the size it was inserted with (a put of another size
 *   updates it in place); demoted and prefetched objects enter a tier with no next-access
 *   time (TS_REQ_NEVER), which offline policies (opt) read as "never again".
 */
#ifndef TS_SIM_HIER_H
#define TS_SIM_HIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admit.h"
#include "prefetch.h"
#include "util/err.h"
#include "util/ktab.h"
#include "req.h"
#include "tier.h"

/* Levels in moves: tiers are 0..n-1. */
#define TS_LEVEL_BACKING 0xFEu /* the backing store (system of record) */
#define TS_LEVEL_CLIENT 0xFFu  /* the requester (GPU, host process) above tier 0 */
#define TS_LEVEL_NONE 0xFDu    /* returned for requests nothing serves (deletes, hints) */

/* What a hierarchy is built from. All zeros (and NULLs) is the default hierarchy:
 * non_inclusive, promote top, demote drop, write through, no filters, no prefetcher. */
typedef struct ts_hier_config {
    ts_inclusion_t inclusion;
    ts_promote_t promote;
    ts_demote_t demote;
    ts_write_t write;
    bool flush_at_end;                         /* ts_hier_finish writes dirty objects back */
    const ts_admit_ops_t *admit[TS_MAX_TIERS]; /* per tier; NULL or TS_ADMIT_ALL: no filter */
    const void *admit_params[TS_MAX_TIERS];    /* filled params structs (copied) */
    const ts_prefetch_ops_t *prefetch;         /* NULL or TS_PREFETCH_NOTHING: none */
    const void *prefetch_params;               /* filled params struct (copied) */
    uint32_t prefetch_into;                    /* target tier of prefetches */
} ts_hier_config_t;

typedef enum ts_move_kind {
    TS_MOVE_READ = 0,      /* a get's data to the requester (to = CLIENT) */
    TS_MOVE_WRITE = 1,     /* a put's data into a tier or the backing store */
    TS_MOVE_FILL = 2,      /* a missed object placed in a tier (from the backing store or
                            * the tier below that just received it) */
    TS_MOVE_PROMOTE = 3,   /* a hit object copied (moved, exclusive) to a higher tier */
    TS_MOVE_DEMOTE = 4,    /* an evicted object moved to a lower tier */
    TS_MOVE_WRITEBACK = 5, /* a dirty object flushed to the backing store */
    TS_MOVE_PREFETCH = 6,  /* a prefetched object placed in a tier */
    TS_MOVE_FREE = 7,      /* a copy left tier `from` (to = TS_LEVEL_NONE): evicted, demoted,
                            * moved up (exclusive), back-invalidated or deleted; listed only
                            * when ts_hier_list_frees asked for it */
    TS_MOVE_COUNT_
} ts_move_kind_t;

extern const char *const ts_move_names[TS_MOVE_COUNT_]; /* "read", "write", ... */

typedef struct ts_move {
    uint64_t key;   /* object */
    uint64_t bytes; /* bytes moved */
    uint8_t kind;   /* ts_move_kind_t */
    uint8_t from;   /* level read: a tier index, TS_LEVEL_BACKING or TS_LEVEL_CLIENT */
    uint8_t to;     /* level written */
} ts_move_t;

/* A caller-owned, growable list of moves. ts_hier_access replaces its contents. */
typedef struct ts_moves {
    ts_move_t *v; /* ts_malloc'd; grown by the hierarchy when full */
    size_t n;     /* moves listed */
    size_t cap;   /* room in v */
} ts_moves_t;

/* Makes room for cap moves (at least 1). Returns 0 or TS_ENOMEM. */
int ts_moves_init(ts_moves_t *m, size_t cap, ts_err_t *err);
void ts_moves_free(ts_moves_t *m); /* accepts a zeroed list */

typedef struct hier_track hier_track_t; /* private: dirty / prefetched entry */

typedef struct ts_hier {
    /* read-only */
    ts_hier_config_t cfg;
    size_t n;                        /* tiers */
    ts_tier_t *tiers[TS_MAX_TIERS];  /* borrowed: the caller's, top first */
    ts_admit_t *admit[TS_MAX_TIERS]; /* owned; NULL: admit everything */
    ts_prefetcher_t *pf;             /* owned; NULL: none */
    ts_totals_t tot;                 /* demand totals */
    ts_hier_stats_t st;              /* write-backs, dirty objects, prefetch */
    ts_link_stats_t link[TS_MAX_TIERS]; /* link i: tier i <-> tier i+1 (last: <-> backing) */
    /* private */
    ts_tier_evict_fn on_evict;           /* NULL when evictions need no handling */
    bool takes_hints;                    /* the prefetcher reads TS_REQ_PREFETCH as hints */
    bool is_plain;                       /* the default rules: gets may take the straight path */
    bool keep_meta; /* tiers below the top judge demotions by request flags or hints: the
                     * track table also remembers each held object's last demand request */
    bool has_on_miss;                    /* some filter wants to hear of misses */
    bool list_frees;                     /* moves lists name every copy that leaves a tier */
    int rc;                              /* first error raised inside an eviction callback */
    uint64_t inflight[TS_MAX_TIERS + 1]; /* keys being moved: the demand key, then demotions */
    size_t n_inflight;

    ts_err_t *err;         /* of the call in progress */
    ts_moves_t *moves;     /* of the call in progress; NULL: count only */
    ts_ktab_t track_index; /* key -> track entry */
    hier_track_t *track;   /* dirty / prefetched keys, dense */
    size_t n_track, cap_track;
    bool finished; /* ts_hier_finish ran */
} ts_hier_t;

/* Builds a hierarchy over tiers[0..n) (n <= TS_MAX_TIERS; borrowed: the caller keeps them
 * and destroys them after the hierarchy). Creates the filters and prefetcher cfg names.
 * Returns 0, TS_EINVAL (too many tiers, prefetch_into out of range) or the filter's /
 * prefetcher's error (TS_ENOMEM). */
int ts_hier_create(const ts_hier_config_t *cfg, ts_tier_t *const *tiers, size_t n, ts_hier_t **out,
                   ts_err_t *err);
void ts_hier_destroy(ts_hier_t *h); /* accepts NULL; leaves the tiers alone */

/* Replays one request r by the rules above and counts it. When moves is not NULL its
 * contents are replaced by the data movements the request caused, in order (it grows when
 * full; it never shrinks). Returns the level that served a demand get or put (the tier
 * where the lookup hit, or TS_LEVEL_BACKING), TS_LEVEL_NONE for a delete or a prefetch hint,
 * or a negative error: TS_ENOMEM (growing moves or the dirty table), or a tier's error. After
 * an error the hierarchy's counters are no longer meaningful. */
int ts_hier_access(ts_hier_t *h, const ts_req_t *r, ts_moves_t *moves, ts_err_t *err);

/* From now on, moves lists also name every copy that leaves a tier (TS_MOVE_FREE, after the
 * moves that read it: a demotion or write-back of an evicted object comes before its FREE),
 * which a live engine needs to give the room back. Counts nothing and changes no decision.
 * Call before the first request. */
void ts_hier_list_frees(ts_hier_t *h);

/* End of run: counts the dirty objects left (and, with flush_at_end, writes each back from
 * the lowest tier holding it, listing the WRITEBACK moves in moves, which may be NULL) and
 * the prefetched objects never used. Call once, after the last request; a second call does
 * nothing. Returns 0 or TS_ENOMEM. */
int ts_hier_finish(ts_hier_t *h, ts_moves_t *moves, ts_err_t *err);

/* True when some tier holds key (no counting, no touching). */
bool ts_hier_holds(const ts_hier_t *h, uint64_t key);

/* True when key is dirty (write-back: newer in the hierarchy than in the backing store). */
bool ts_hier_is_dirty(const ts_hier_t *h, uint64_t key);

/* Heap bytes of the hierarchy's own state (filters, prefetcher, dirty table). */
size_t ts_hier_mem_bytes(const ts_hier_t *h);

#endif
