/* SPDX-License-Identifier: MIT */
/*
 * timed_internal.h - what the timed engine's files share: the request records, the
 * closed-loop clients and the engine's state. engine_timed.c holds the event core's side
 * (issue, moves, results); timed_client.c the closed loop's clients and data loaders.
 * Not an interface: only those two files include it.
 */
#ifndef TS_SIM_TIMED_INTERNAL_H
#define TS_SIM_TIMED_INTERNAL_H

#include "timed.h"

#include "util/rng.h"

#include "des.h"
#include "devmodel.h"
#include "loader.h"
#include "lookahead.h"
#include "overload.h"

#define TIMED_BG UINT64_MAX /* cookie of background jobs */
#define TIMED_NONE UINT32_MAX
#define TIMED_SYNC TS_LOADER_SYNC /* worker of a loader client's own I/O */
#define TIMED_NO_RES UINT32_MAX

typedef struct timed_rec {
    uint64_t issue_ns; /* when the request was issued */
    uint64_t size;     /* its bytes */
    uint64_t fill_bytes; /* size of the copies to write when the data has arrived */
    uint32_t fill_mask;  /* tiers to write them into (bit i: tier i) */
    uint32_t pending;  /* foreground jobs not yet ended */
    uint32_t client;   /* closed loop: the issuing client; else TIMED_NONE */
    uint32_t worker;   /* closed loop, loader: the data-loader worker that issued it, or
                        * TIMED_SYNC (the client's own checkpoint I/O); else TIMED_NONE */
    uint32_t next;     /* free-list link */
    uint32_t group;    /* its group (TTFT), or TIMED_NONE */
    uint32_t pos;      /* its index among its group's KV gets: its block's place in the prompt */
    uint8_t op;        /* ts_op_t */
    uint8_t level;     /* level that served it (n for the backing store) */
    uint8_t flags;     /* the request's ts_req_flag bits */
    uint8_t recompute; /* a KV get no tier held, with a prefill rate: the GPU recomputes
                        * it instead of reading it from the backing store */
} timed_rec_t;

/* A closed-loop client: what it issued last (one request, or a whole group) and how much of
 * it is still in flight. */
typedef struct timed_client {
    uint64_t start_ns; /* when it issued them */
    uint32_t pending;  /* requests not yet complete */
    uint32_t n_batch;  /* requests of the current batch issued so far */
    bool issuing;      /* it is still issuing them: completions now do not end the batch */
    bool in_batch;     /* the current batch has requests left to issue */
    bool after_think;  /* the batch follows a compute (every batch but the first) */
} timed_client_t;

/* A group of requests (an LLM call's weight and prompt reads) ending with TS_REQ_GROUP_END:
 * its time to first token runs from its first request's issue to its last completion, plus
 * the recomputation of the prompt blocks no tier held. */
typedef struct timed_group {
    uint64_t start_ns; /* issue of its first request */
    uint32_t pending;  /* its timed requests not yet complete */
    uint32_t n_hit;    /* gets served by a tier: their prefill is saved */
    uint32_t n_missed; /* gets served by the backing store: recomputed */
    uint32_t n_joined; /* KV gets joined so far (the next one's pos) */
    double recompute_s; /* prefill time of the missed blocks, each at its place */
    bool ended;        /* its last request was issued */
    uint32_t next;     /* free-list link */
} timed_group_t;

typedef struct timed {
    const ts_timed_config_t *cfg;
    ts_hier_t *h;
    ts_lookahead_t la;             /* the reader, read ahead */
    size_t n;                      /* tiers; the backing store is level n */
    ts_des_t *q;
    ts_res_sys_t *rs;
    uint32_t k_arrival, k_client, k_start;
    uint32_t res_dev[TS_TIMED_LEVELS];
    uint32_t res_up[TS_TIMED_LEVELS];   /* TIMED_NO_RES when the level has no uplink */
    uint32_t res_down[TS_TIMED_LEVELS];
    const ts_devmodel_ops_t *model[TS_TIMED_LEVELS]; /* each level's device behaviour */
    gsl_rng *rng; /* service-time draws (cfg->seed); NULL when every device is deterministic */
    ts_moves_t moves;
    timed_rec_t *rec;
    uint32_t n_rec, cap_rec, free_rec;
    ts_req_t pending_req;          /* open loop: the request the arrival event is for */
    bool have_pending;
    bool reader_done;
    uint64_t first_trace_ns;
    bool started;
    uint64_t n_issued;
    uint64_t last_done_ns;
    ts_hist_t *h_all, *h_op[2], *h_served[TS_TIMED_LEVELS];
    ts_hist_t *h_ttft;
    timed_group_t *grp;            /* groups in flight, with a free list */
    uint32_t cap_grp, free_grp;
    uint32_t open_grp;             /* the group being issued, or TIMED_NONE */
    timed_client_t *cl;            /* closed loop: [clients] */
    ts_loader_t *ld;               /* closed loop, batch loader: the ranks' loaders */
    ts_timed_result_t *out;
    ts_overload_t *ov;             /* open loop: the overload detector */
    /* the series' engine columns (cold: read at interval boundaries only) */
    uint32_t n_res;                /* resources, in the order of the result's res */
    uint32_t res_order[TS_TIMED_MAX_RES];
    bool res_is_link[TS_TIMED_MAX_RES];
    bool res_is_bw[TS_TIMED_MAX_RES];  /* utilisation of a shared bandwidth */
} timed_t;

/* ---- engine_timed.c, for the clients ---- */

/* Issues r now for client (TIMED_NONE in open loop) and its worker (TIMED_NONE but in the
 * loader). A request that needs no job completes inside: ts__timed_client_done is called
 * before it returns. */
int ts__timed_issue(timed_t *t, const ts_req_t *r, uint32_t client, uint32_t worker,
                    ts_err_t *err);
/* The next request of the trace into *r (*got false at its end; t->reader_done then). */
int ts__timed_read(timed_t *t, ts_req_t *r, bool *got, ts_err_t *err);

/* ---- timed_client.c ---- */

/* Allocates the clients (and their loaders with cfg->loader); 0 or TS_ENOMEM. */
int ts__timed_clients_create(timed_t *t, ts_err_t *err);
void ts__timed_clients_free(timed_t *t);
/* Event handlers: a client starts (time 0), a client's compute ends. */
int ts__timed_on_start(void *ctx, uint32_t client, ts_err_t *err);
int ts__timed_on_client(void *ctx, uint32_t client, ts_err_t *err);
/* A request of client (issued by worker) completed. */
int ts__timed_client_done(timed_t *t, uint32_t client, uint32_t worker, ts_err_t *err);
/* The closed loop's figures into t->out: compute, stall, utilisation (AU). */
void ts__timed_clients_result(timed_t *t);

#endif
