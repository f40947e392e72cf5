/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - the types of what a run measures: counters per tier, link and hierarchy,
 * latency summaries, the timed engine's figures. Plain data, no engine.
 *
 * Engines fill them; sim/result.h gathers them into a run's result; reports read them
 * without compiling against the engines (tiers, hierarchy, devices, event queue).
 */
#ifndef TS_SIM_METRICS_H
#define TS_SIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

#define TS_MAX_TIERS 16
#define TS_DEV_NAME 64     /* buffer size of device and link names */

typedef enum ts_mode {
    TS_MODE_OBJECTS = 0, /* every object charges 1; capacities are object counts */
    TS_MODE_BYTES = 1,   /* capacities are bytes; objects charge their size */
} ts_mode_t;

static inline const char *ts_mode_name(ts_mode_t m)
{
    return m == TS_MODE_BYTES ? "bytes" : "objects";
}

/* ---- the hierarchy's rules (sim/hier.h applies them) ---- */

typedef enum ts_inclusion {
    TS_INCL_NON_INCLUSIVE = 0, /* default: fill all, no back-invalidation */
    TS_INCL_INCLUSIVE = 1,     /* each tier a subset of the one below */
    TS_INCL_EXCLUSIVE = 2,     /* each key in at most one tier */
    TS_INCL_COUNT_
} ts_inclusion_t;

typedef enum ts_promote {
    TS_PROMOTE_TOP = 0,  /* default: a hit goes to tier 0 */
    TS_PROMOTE_UP = 1,   /* one level up */
    TS_PROMOTE_NONE = 2, /* served where it is */
    TS_PROMOTE_COUNT_
} ts_promote_t;

typedef enum ts_demote {
    TS_DEMOTE_DROP = 0, /* default: evicted objects leave */
    TS_DEMOTE_NEXT = 1, /* evicted objects go to the next tier down */
    TS_DEMOTE_COUNT_
} ts_demote_t;

typedef enum ts_write {
    TS_WRITE_THROUGH = 0, /* default: puts reach the backing store at once */
    TS_WRITE_BACK = 1,    /* puts leave the object dirty; flushed when it leaves */
    TS_WRITE_COUNT_
} ts_write_t;

/* Names as written in scenarios, indexed by the enums above (sim/result.c). */
extern const char *const ts_inclusion_names[TS_INCL_COUNT_];
extern const char *const ts_promote_names[TS_PROMOTE_COUNT_];
extern const char *const ts_demote_names[TS_DEMOTE_COUNT_];
extern const char *const ts_write_names[TS_WRITE_COUNT_];

typedef struct ts_tier_stats {
    uint64_t n_req;       /* lookups that reached this tier */
    uint64_t n_hit;       /* of which found here */
    uint64_t n_miss;      /* of which not found here */
    uint64_t bytes_req;   /* bytes asked of this tier */
    uint64_t bytes_hit;   /* bytes served by this tier */
    uint64_t bytes_miss;  /* bytes not found here */
    uint64_t n_get;       /* lookups by op */
    uint64_t n_put;
    uint64_t n_delete;
    uint64_t n_insert;    /* objects admitted and inserted */
    uint64_t n_evict;     /* objects evicted to make room */
    uint64_t n_too_large; /* objects refused: larger than the whole tier */
    uint64_t n_removed;   /* objects dropped by deletes */
    uint64_t bytes_in;    /* bytes written into the tier (inserts) */
    uint64_t bytes_out;   /* bytes that left the tier (evictions and removals) */
    uint64_t used_peak;   /* highest occupancy seen, charge units */
    /* hierarchy traffic (sim/hier.c counts these; a lone tier leaves them 0) */
    uint64_t n_promote_in;    /* objects promoted into this tier from a lower one */
    uint64_t n_promote_out;   /* objects promoted from this tier to a higher one */
    uint64_t n_demote_in;     /* evicted objects demoted into this tier from a higher one */
    uint64_t n_demote_out;    /* evicted objects demoted from this tier to a lower one */
    uint64_t n_backinval;     /* copies removed because a lower tier evicted the object */
    uint64_t n_writeback;     /* dirty objects flushed from this tier to the backing store */
    uint64_t bytes_writeback; /* their bytes */
    uint64_t n_refused;       /* insertions the tier's admission filter refused */
    uint64_t n_prefetch_in;   /* objects inserted by prefetches */
    uint64_t bytes_prefetch_in; /* their bytes */
} ts_tier_stats_t;

typedef struct ts_totals {
    uint64_t n_req; /* requests replayed (hints included) */
    uint64_t n_get; /* by op (demand requests only) */
    uint64_t n_put;
    uint64_t n_delete;
    uint64_t bytes_req; /* bytes requested by demand gets and puts */
    uint64_t n_hit;     /* demand requests served by some tier */
    uint64_t bytes_hit;
    uint64_t n_backing;     /* demand requests that went to the backing store: get misses,
                             * puts written through */
    uint64_t bytes_backing; /* their bytes */
    uint64_t first_ns;      /* time of the first request */
    uint64_t last_ns;       /* time of the last request */
} ts_totals_t;

typedef struct ts_link_stats {
    uint64_t n_up; /* transfers toward the requester */
    uint64_t bytes_up;
    uint64_t n_down; /* transfers toward the backing store */
    uint64_t bytes_down;
} ts_link_stats_t;

/* The hierarchy's own counters; what crossed each link is kept beside them (ts_hier_t's and
 * ts_hier_result_t's link arrays). */
typedef struct ts_hier_stats {
    uint64_t n_writeback; /* dirty objects flushed during the run */
    uint64_t bytes_writeback;
    uint64_t n_dirty_end; /* dirty objects left at the end (before any final flush) */
    uint64_t bytes_dirty_end;
    uint64_t n_flush_end; /* of which flushed by ts_hier_finish (flush_at_end) */
    uint64_t bytes_flush_end;
    uint64_t n_pf_hint;   /* trace requests taken as prefetch hints */
    uint64_t n_pf_issued; /* prefetches that fetched an object from the backing store */
    uint64_t bytes_pf;    /* their bytes */
    uint64_t n_pf_used;   /* prefetched objects hit by a demand request */
    uint64_t bytes_pf_used;
    uint64_t n_pf_unused; /* prefetched objects that left, or stayed, without one */
    uint64_t bytes_pf_unused;
} ts_hier_stats_t;

#define TS_TIMED_LEVELS (TS_MAX_TIERS + 1) /* tiers and the backing store */
#define TS_TIMED_MAX_RES (3 * TS_TIMED_LEVELS)

typedef enum ts_arrivals {
    TS_ARRIVALS_OPEN = 0,   /* at trace times (scaled) */
    TS_ARRIVALS_CLOSED = 1, /* clients: issue, wait, think */
    TS_ARRIVALS_COUNT_
} ts_arrivals_t;

extern const char *const ts_arrivals_names[TS_ARRIVALS_COUNT_]; /* "open", "closed" */

/* Latency summary of a set of requests (ns), with the histogram it was read from. */
typedef struct ts_lat {
    uint64_t n;
    double mean_ns;
    uint64_t p50_ns, p90_ns, p99_ns, p999_ns, max_ns;
    size_t n_buckets;          /* non-empty histogram buckets */
    ts_hist_bucket_t *buckets; /* owned by the result holding it (ts_timed_result_release) */
} ts_lat_t;

/* Fills o from the histogram h (NULL or empty: all zeros); o owns a copy of its non-empty
 * buckets. Returns 0 or TS_ENOMEM (sim/result.c). */
int ts_lat_fill(const ts_hist_t *h, ts_lat_t *o, ts_err_t *err);

typedef enum ts_res_role {
    TS_ROLE_DEVICE = 0, /* a level's device */
    TS_ROLE_LINK_UP = 1,   /* a level's uplink, toward the requester */
    TS_ROLE_LINK_DOWN = 2, /* the same link, toward the backing store */
} ts_res_role_t;

#define TS_RES_NAME (2 * TS_DEV_NAME + 16) /* bytes a resource's name holds at most, NUL
                                            * included (its column's width in result.h5) */
#define TS_PREFILL_SOURCE 160 /* the same for ts_timed_result_t.prefill_source */
#define TS_TIMED_STOP 384     /* the same for ts_timed_result_t.stop_reason */

typedef struct ts_res_result {
    char *name;             /* owned: "hbm: h100-sxm", "dram link up: pcie-gen5-x16" (shorter
                             * than TS_RES_NAME bytes) */
    uint8_t role;           /* ts_res_role_t */
    uint8_t level;          /* tier index, or n for the backing store */
    uint64_t channels;      /* 0: unlimited */
    uint64_t n_ops;         /* stages served */
    uint64_t bytes;         /* bytes moved (read-equivalent for device writes) */
    double utilisation;     /* is_bw_util: bytes moved / (bandwidth * span), the busy share
                             * of the shared bandwidth; else busy channel-time / (channels *
                             * span); links: the share of the span with a transfer in flight */
    double mean_queue;      /* time-averaged requests waiting for a channel */
    double mean_wait_ns;    /* mean wait for a channel */
    uint64_t max_wait_ns;
    double mean_in_system;  /* time-averaged stages present (waiting or served) */
    uint8_t is_bw_util;     /* utilisation is of the bandwidth (devices that share it) */
    double channel_utilisation; /* busy channel-time / (channels * span) whatever
                                 * is_bw_util says (0: unlimited channels) */
    /* open loop, over the last quarter of the arrivals (sim/overload.h); 0 otherwise */
    uint8_t is_overloaded;  /* saturated and its backlog still growing when arrivals ended */
    uint8_t is_load_bytes;  /* offered and capacity are bytes/s (else requests/s) */
    double offered_per_s;   /* what arrived at it per second */
    double capacity_per_s;  /* what it can serve per second */
    uint64_t backlog_since_ns; /* overloaded: when the backlog still there at the end began */
} ts_res_result_t;

typedef struct ts_timed_result {
    ts_arrivals_t arrivals;
    double time_scale;
    uint32_t clients;
    uint64_t think_ns;
    uint32_t loader_workers;     /* closed loop, data loader: workers per client (0: none) */
    uint32_t prefetch_factor;    /* and batches each reads ahead */
    double au_target;            /* the workload's AU pass threshold (0: none) */
    uint64_t span_ns;            /* first issue to last foreground completion */
    uint64_t end_ns;             /* when the last job (background included) ended */
    uint64_t n_timed;            /* requests with a latency (gets and puts) */
    double req_per_s;            /* n_timed / span */
    double bytes_per_s;          /* demand bytes / span */
    ts_lat_t all;                /* every timed request */
    ts_lat_t ttft;               /* groups (TS_REQ_GROUP_END): time to first token */
    uint64_t prefill_tokens_saved;      /* tokens of group gets a tier served */
    uint64_t prefill_tokens_recomputed; /* tokens of group gets the backing store served */
    uint64_t kv_recomputed;      /* KV gets no tier held, recomputed rather than read from
                                  * the backing store (with a prefill rate); not timed */
    uint64_t kv_recomputed_bytes; /* their bytes */
    double prefill_rate;         /* tokens/s used for recompute (0: none) */
    uint64_t block_tokens;       /* tokens per KV block request */
    char *prefill_source;        /* owned: how prefill_rate was derived (NULL or empty: given
                                  * as a number); shorter than TS_PREFILL_SOURCE bytes */
    ts_lat_t op[2];              /* [0] gets, [1] puts */
    size_t n_levels;             /* entries of served: the tiers and the backing store */
    ts_lat_t *served;            /* owned: n_levels summaries, gets by the level that served
                                  * them (tiers top first, then the backing store) */
    uint64_t n_background;       /* background jobs run */
    uint64_t bytes_background;
    /* closed loop */
    uint64_t compute_ns;         /* sum of think times of all clients */
    uint64_t stall_ns;           /* sum of request latencies of all clients */
    double utilisation;          /* the accelerator utilisation: compute / (compute + stall);
                                  * with a data loader, DLIO's AU (each client's first step
                                  * left out, sim/timed_client.c) */
    size_t n_res;                /* entries of res */
    ts_res_result_t *res;        /* owned: n_res devices and links, level by level */
    uint64_t arrivals_end_ns;    /* open loop: the last issue, where overload is judged */
    uint32_t n_overloaded;       /* resources with is_overloaded */
    bool partial;                /* stopped early (timed.max_in_flight): figures up to then */
    char *stop_reason;           /* owned: why (NULL when complete); shorter than
                                  * TS_TIMED_STOP bytes */
} ts_timed_result_t;

/* What the group latency (ttft) measures: an LLM call's time to first token where the run
 * has KV blocks (a block size or a prefill rate), else a group's read whole (a batch). */
static inline const char *ts_timed_group_label(const ts_timed_result_t *t)
{
    return t->block_tokens || t->prefill_rate > 0 ? "time to first token"
                                                  : "group (batch) read whole";
}

/* Frees what r owns (histogram buckets, the per-level and per-resource arrays, strings) and
 * zeroes those fields; accepts a zeroed result (sim/result.c). */
void ts_timed_result_release(ts_timed_result_t *r);

/* One line on resource r's load (sim/result.c): "offered 1.50k requests/s against a capacity
 * of 1.00k requests/s (150.00%)" (or "offered ..., its capacity not measured yet" when no
 * request on it had ended), and, when it is overloaded, "; backlog growing since 12ms of
 * simulated time". Returns buf. */
const char *ts_res_load_text(const ts_res_result_t *r, char *buf, size_t size);

/* The resource of t most overloaded (offered over capacity), or NULL (sim/result.c). */
const ts_res_result_t *ts_timed_worst_overload(const ts_timed_result_t *t);

/* Sets t->stop_reason for a run cut at timed.max_in_flight = limit (sim/result.c): the
 * limit, when (t->arrivals_end_ns) and the most overloaded resource with its load. Returns 0
 * or TS_ENOMEM. */
int ts_timed_stop_reason(ts_timed_result_t *t, uint32_t limit, ts_err_t *err);

/* ---- the live engine's measurements (sim/live.h) ---- */

#define TS_LIVE_BACKEND 96 /* bytes ts_live_level_t.backend holds at most, NUL included (its
                            * column's width in result.h5) */
#define TS_LIVE_STOP 256   /* the same for ts_live_result_t.stop_reason */

/* What one level's back-end did in a live run. */
typedef struct ts_live_level {
    char *backend;         /* owned: its name and what took effect ("file: O_DIRECT") */
    ts_lat_t read, write;  /* latency of its reads and writes, submit to completion */
    uint64_t n_read, n_write, n_free;
    uint64_t bytes_read, bytes_written;
    uint32_t max_inflight; /* most requests it had in flight at once (its queue depth) */
    double busy_s;         /* seconds with at least one request in flight */
    bool direct;           /* the page cache was bypassed */
    bool emulated;         /* its latency or bandwidth was injected */
} ts_live_level_t;

/* A live run: what was measured (in `m`, the figures the timed engine predicts, so that a
 * report sets them side by side), per back-end, and how the run went. */
typedef struct ts_live_result {
    ts_timed_result_t m;      /* measured; res unused */
    size_t n_levels;          /* tiers, then the backing store */
    ts_live_level_t *level;   /* owned: n_levels */
    double speed;             /* open loop: trace time divided by this */
    bool verify;              /* every read was checked against what was written */
    uint64_t n_verified;      /* reads checked */
    uint64_t n_late;          /* open loop: requests issued after their time */
    uint64_t late_max_ns;     /* the furthest behind one was */
    uint64_t populate_objects; /* objects written to the backing store before the run */
    uint64_t populate_bytes;
    double populate_s;        /* how long that took */
    uint64_t made_objects;    /* objects the workload never names (a prefetcher's guesses)
                               * made in the backing store when first fetched */
    double cpu_s;             /* CPU time of the process during the replay (user + system) */
    bool partial;             /* stopped before the end of the workload */
    char *stop_reason;        /* owned: why (NULL when complete) */
} ts_live_result_t;

/* Frees what r owns and zeroes those fields; accepts a zeroed result (sim/result.c). */
void ts_live_result_release(ts_live_result_t *r);

#endif
