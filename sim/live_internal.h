/* SPDX-License-Identifier: MIT */
/*
 * live_internal.h - what the live engine's two files share: the table of the copies each
 * level holds (key -> size and version of the bytes the engine wrote there; expected O(1)
 * per operation, about 40 bytes a copy), the engine's state (chains, clients, levels), and
 * its set-up and results (live_setup.c).
 */
#ifndef TS_SIM_LIVE_INTERNAL_H
#define TS_SIM_LIVE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hist.h"
#include "hier.h"
#include "live.h"
#include "loader.h"

#include "util/err.h"
#include "util/ktab.h"
#include "util/pool.h"

typedef struct live_copy {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
    uint64_t version;
} live_copy_t;

typedef struct live_map {
    ts_ktab_t index;
    ts_pool_t pool;
} live_map_t;

int live_map_init(live_map_t *m, uint64_t expected, ts_err_t *err);
void live_map_free(live_map_t *m);                             /* accepts a zeroed table */
live_copy_t *live_map_find(const live_map_t *m, uint64_t key); /* NULL: none */
/* Sets key's copy (added when absent). Returns 0 or TS_ENOMEM. */
int live_map_set(live_map_t *m, uint64_t key, uint64_t size, uint64_t version, ts_err_t *err);
void live_map_drop(live_map_t *m, uint64_t key); /* no copy: nothing */

#define LIVE_OP_FETCH 0xF0u /* a chain's first step: a get's read into its buffer */
#define LIVE_NONE UINT32_MAX /* no chain, client or group */

typedef struct live_touch {
    uint64_t key;
    uint8_t level;
    bool write; /* a write or a free */
} live_touch_t;

typedef struct live_chain {
    bool busy;
    bool fg_done;   /* its latency has been taken */
    bool timed;     /* a demand get or put: it has a latency */
    bool retry;     /* its back-end said busy: submit again */
    bool in_flight; /* io is out */
    bool recompute; /* a KV get only the backing store held, with a prefill rate: its
                     * bytes are made (the GPU's recompute), not read */
    uint8_t stage;  /* within the current step: 0 to start, 1 reading its source, 2 its
                     * source read (writing it), 3 making it in the backing store */
    uint8_t served; /* level that served a demand request */
    ts_req_t req;
    uint64_t due_ns; /* its latency runs from here */
    uint32_t client; /* closed loop: its client; else LIVE_NONE */
    uint32_t worker; /* loader: the worker that issued it (TS_LOADER_SYNC: the loop) */
    uint32_t group;  /* its request group (TTFT), or LIVE_NONE */
    ts_move_t *step; /* its steps */
    size_t n_step, cap_step, next;
    live_touch_t *touch;
    size_t n_touch, cap_touch;
    uint8_t *buf; /* the request's own object */
    uint64_t buf_size, buf_version;
    bool buf_ok;
    uint8_t *vbuf; /* another object in transit */
    uint64_t vsize, vversion;
    ts_be_io_t io;
    uint8_t io_level;
    uint64_t io_t0;
} live_chain_t;

typedef struct live_client {
    uint64_t ready_ns; /* when it may start its next batch (its compute has ended) */
    bool computing;    /* loader: it computes until ready_ns */
    uint64_t start_ns; /* when its current batch started */
    uint32_t pending;  /* requests of its batch whose latency has not ended */
    uint32_t n_batch;  /* requests of its batch issued so far */
    bool in_batch;     /* its batch has requests left to issue */
    bool started;      /* it has run a batch before (compute counts from the second) */
    uint32_t group;    /* batch groups: the group its batch forms, or LIVE_NONE */
} live_client_t;

/* A group of requests ending with TS_REQ_GROUP_END (an LLM call's KV block reads): its
 * time to first token runs from its first request's due time to the end of its last get's
 * foreground, plus the modelled recompute of its missed KV blocks (live_group.c). */
typedef struct live_group {
    uint64_t start_ns; /* due time of its first request (first: a pool node's key) */
    uint64_t last_ns;  /* latest end of its gets' foregrounds so far */
    uint32_t pending;  /* its gets whose foreground has not ended */
    uint32_t n_hit;    /* KV gets a tier served: their prefill is saved */
    uint32_t n_missed; /* KV gets the backing store served: recomputed */
    bool ended;        /* its last request was issued */
} live_group_t;

typedef struct live_level {
    ts_hist_t *rd, *wr;
    uint64_t n_read, n_write, n_free, bytes_read, bytes_written;
    uint32_t inflight, max_inflight;
    uint64_t busy_since, busy_ns;
    bool async;
} live_level_t;

typedef struct live {
    const ts_live_config_t *cfg;
    ts_hier_t *h;
    ts_reader_t *r;
    size_t n;                        /* tiers; the backing store is level n */
    live_map_t map[TS_TIMED_LEVELS]; /* copies per level */
    live_level_t lv[TS_TIMED_LEVELS];
    uint64_t max_object;
    live_chain_t *ch;
    uint32_t n_ch, n_busy;
    live_client_t *cl;
    ts_loader_t *ld; /* closed loop with a data loader per client, else NULL */
    bool ld_moved;   /* a loader's request ended since its clients were last moved on */
    ts_moves_t moves;
    ts_req_t next_req;
    bool have_next, reader_done, stopping;
    uint32_t head; /* a decided chain waiting to start, or LIVE_NONE */
    uint64_t n_read_req, total;
    uint64_t n_taken; /* requests decided (a put writes version n_taken) */
    uint64_t start_ns, first_trace_ns, last_done_ns;
    ts_hist_t *h_all, *h_op[2], *h_served[TS_TIMED_LEVELS];
    ts_hist_t *h_ttft;
    ts_pool_t grp;     /* groups in flight (live_group_t) */
    uint32_t open_grp; /* the group being issued (but in batch groups), or LIVE_NONE */
    ts_live_result_t *out;
    int io_rc;       /* a back-end's error that stopped the run */
    ts_err_t io_err; /* its message */
    ts_err_t *err;
} live_t;

/* Checks the configuration, makes the tables, histograms and chains, and populates the
 * backing store (live_setup.c). Returns 0 or an error in e->err. */
int ts__live_setup(live_t *e);

/* Fills e->out from what the run measured. Returns 0 or TS_ENOMEM. */
int ts__live_results(live_t *e);

void ts__live_free(live_t *e); /* everything ts__live_setup made */

double ts__live_cpu_s(void); /* CPU time of the process so far, user + system */

/* Request groups (live_group.c). *open is the group being issued (e->open_grp, or a batch
 * group's client's): a get decided now joins it, opening one that starts at due when none
 * is open. Returns 0 or TS_ENOMEM. */
int ts__live_group_join(live_t *e, uint32_t *open, uint64_t due, uint32_t *id);

/* The request flagged TS_REQ_GROUP_END was issued: *open takes no more requests (it ends
 * now when all its gets are done). */
void ts__live_group_close(live_t *e, uint32_t *open);

/* The foreground of chain c's get ended at now: counted in its group, which ends when it was
 * the last. */
void ts__live_group_done(live_t *e, const live_chain_t *c, uint64_t now);

#endif
