/* SPDX-License-Identifier: MIT */
/*
 * engine_timed.c - the timed engine (see timed.h for the model).
 *
 * Event kinds: one "arrival" (open loop: the next trace request is due; there is at most
 * one pending, so memory does not grow with the trace), one "client" (closed loop: client
 * id finished thinking), and the two the resource set registers. A request in flight holds
 * a record from a free list; its foreground jobs carry the record's index as their cookie,
 * background jobs carry TIMED_BG. The record goes back to the list when its last
 * foreground job ends, and its latency goes to the histograms then.
 */
#include "timed_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hist.h"
#include "models.h"
#include "util/mem.h"
#include "resource.h"


static const char *const k_arrivals[] = {"open", "closed", NULL};
static const char *const k_batches[] = {"request", "group", "loader", NULL};

static const ts_param_spec_t k_timed_params[] = {
    {"arrivals", TS_PT_ENUM, offsetof(ts_timed_params_t, arrivals), 0, 1, 0, "open",
     "open: requests issued at their trace times; closed: clients issue, wait, think",
     k_arrivals},
    {"time_scale", TS_PT_DOUBLE, offsetof(ts_timed_params_t, time_scale), 0, 0, 1e9, "1",
     "open loop: trace times are multiplied by it (0.5 replays twice as fast)", NULL},
    {"clients", TS_PT_COUNT, offsetof(ts_timed_params_t, clients), 0, 1, TS_DES_ID_MAX, "1",
     "closed loop: clients issuing requests side by side (e.g. GPUs or reader threads)", NULL},
    {"think", TS_PT_DURATION, offsetof(ts_timed_params_t, think_ns), 0, 0, 1e18, "0",
     "closed loop: compute time between a client's requests", NULL},
    {"prefill_rate", TS_PT_DOUBLE, offsetof(ts_timed_params_t, prefill_rate), 0, 0, 1e12, "0",
     "tokens/s at which a GPU recomputes the prompt blocks no tier held (TTFT; 0: not "
     "counted; auto: from the workload's model and the GPU tier)",
     NULL},
    {"batch", TS_PT_ENUM, offsetof(ts_timed_params_t, batch), 0, 1, 0, "request",
     "closed loop: a client issues one request, or a whole group (a training batch) at once "
     "and waits for all of it, or is a data loader whose workers read batches ahead while it "
     "computes (training workloads: loader)",
     k_batches},
    {"depth", TS_PT_COUNT, offsetof(ts_timed_params_t, depth), 0, 0, 1e6, "0",
     "closed loop: group: requests a client keeps in flight (0: the whole group); loader: its "
     "workers, one read each (0: the workload's read_threads, else 1)",
     NULL},
    {"prefetch_factor", TS_PT_COUNT, offsetof(ts_timed_params_t, prefetch_factor), 0, 1, 1e6,
     "2", "closed loop, loader: batches each worker reads ahead (PyTorch's prefetch_factor)",
     NULL},
    {"block_tokens", TS_PT_COUNT, offsetof(ts_timed_params_t, block_tokens), 0, 0, 1e9, "0",
     "tokens per KV block request, for TTFT's recompute time and prefill tokens saved (0: "
     "the workload's block_tokens when it has one)",
     NULL},
    {"mfu", TS_PT_FRACTION, offsetof(ts_timed_params_t, mfu), 0, 1e-3, 1, "50%",
     "prefill_rate auto: the share of the GPU's dense BF16 peak that prefill achieves", NULL},
    {"prefill_gpus", TS_PT_COUNT, offsetof(ts_timed_params_t, prefill_gpus), 0, 1, 1e6, "1",
     "prefill_rate auto: GPUs one prefill runs across (tensor parallelism)", NULL},
    {"max_in_flight", TS_PT_COUNT, offsetof(ts_timed_params_t, max_in_flight), 0, 1,
     TS_TIMED_MAX_IN_FLIGHT, "1048576",
     "open loop: jobs in flight at most; reached, the run stops there, partial", NULL},
};

const ts_param_spec_t *ts_timed_schema(size_t *n)
{
    *n = TS_PARAM_COUNT(k_timed_params);
    return k_timed_params;
}

/* ---- request records ---- */

static int timed_rec_get(timed_t *t, uint32_t *id, ts_err_t *err)
{
    if (t->free_rec == TIMED_NONE) {
        if (t->cap_rec >= TS_RES_MAX_IN_FLIGHT)
            return ts_err_set(err, TS_ENOSPC, "more than %u requests in flight",
                              TS_RES_MAX_IN_FLIGHT);
        uint32_t ncap = t->cap_rec ? t->cap_rec * 2 : 1024;
        if (ncap > TS_RES_MAX_IN_FLIGHT)
            ncap = TS_RES_MAX_IN_FLIGHT;
        timed_rec_t *nr = ts_realloc(t->rec, (size_t)ncap * sizeof(*nr));
        if (!nr)
            return ts_err_set(err, TS_ENOMEM, "cannot track %u requests in flight", ncap);
        t->rec = nr;
        for (uint32_t i = ncap; i-- > t->cap_rec;) {
            nr[i].next = t->free_rec;
            t->free_rec = i;
        }
        t->cap_rec = ncap;
    }
    *id = t->free_rec;
    t->free_rec = t->rec[*id].next;
    t->n_rec++;
    return 0;
}

static void timed_rec_put(timed_t *t, uint32_t id)
{
    t->rec[id].next = t->free_rec;
    t->free_rec = id;
    t->n_rec--;
}

/* ---- paths ---- */

static uint32_t timed_level(const timed_t *t, uint8_t lv)
{
    return lv == TS_LEVEL_BACKING ? (uint32_t)t->n : lv;
}

/* The device's behaviour says how long the request holds a channel and what it moves. */
static void timed_dev_stage(const timed_t *t, uint32_t lv, ts_dev_op_t op, uint64_t bytes,
                            ts_res_stage_t *s)
{
    const ts_device_t *d = &t->cfg->dev[lv];
    t->model[lv]->stage(d, op, bytes, s);
    s->res = t->res_dev[lv];
    if (d->service_dist != TS_DEV_DETERMINISTIC) { /* the time held, drawn around its mean */
        double f = (double)s->fixed_ns * ts_dev_service_factor(d, t->rng);
        s->fixed_ns = f < 1.8e19 ? (uint64_t)llround(f) : UINT64_MAX / 2;
    }
    if (s->bytes > TS_RES_MAX_BYTES)
        s->bytes = TS_RES_MAX_BYTES;
}

static uint32_t timed_link_stage(const timed_t *t, uint32_t lv, bool up, uint64_t bytes,
                                 ts_res_stage_t *s)
{
    uint32_t id = up ? t->res_up[lv] : t->res_down[lv];
    if (id == TIMED_NO_RES)
        return 0;
    s->res = id;
    s->fixed_ns = t->cfg->link[lv].latency_ns;
    s->bytes = bytes < TS_RES_MAX_BYTES ? bytes : TS_RES_MAX_BYTES;
    return 1;
}

/* Stages of a move of bytes from level a to level b; -1 stands for the requester.
 * read_src / write_dst say whether the devices at the ends take part. */
static uint32_t timed_path(const timed_t *t, int a, int b, uint64_t bytes, bool read_src,
                           bool write_dst, bool links, ts_res_stage_t *st)
{
    uint32_t k = 0;
    if (a >= 0 && read_src)
        timed_dev_stage(t, (uint32_t)a, TS_DEV_READ, bytes, &st[k++]);
    if (links) {
        if (a > b) /* up: crossing from level l to l - 1 uses l's uplink */
            for (int l = a; l > b; l--)
                k += timed_link_stage(t, (uint32_t)l, true, bytes, &st[k]);
        else
            for (int l = a + 1; l <= b; l++)
                k += timed_link_stage(t, (uint32_t)l, false, bytes, &st[k]);
    }
    if (b >= 0 && write_dst)
        timed_dev_stage(t, (uint32_t)b, TS_DEV_WRITE, bytes, &st[k++]);
    return k;
}

static int timed_mv_level(const timed_t *t, uint8_t lv)
{
    return lv == TS_LEVEL_CLIENT ? -1 : (int)timed_level(t, lv);
}

static int timed_submit_bg(timed_t *t, const ts_res_stage_t *st, uint32_t k, uint64_t bytes,
                           ts_err_t *err)
{
    t->out->n_background++;
    t->out->bytes_background += bytes;
    return ts_res_submit(t->rs, st, k, TIMED_BG, err);
}

/* Submits the jobs of one request's moves and counts its foreground jobs in *n_fg. A get's
 * data are read where the lookup found them (served, a level; -2: the READ's own source),
 * whatever tier the hierarchy staged them through. With a record (rec not NULL), the copies
 * a demand access leaves in upper tiers are noted in it, to be written when the data have
 * arrived; without one they start at once. */
static int timed_submit_moves(timed_t *t, uint8_t op, int served, timed_rec_t *rec,
                                   uint64_t cookie, uint32_t *n_fg, ts_err_t *err)
{
    ts_res_stage_t st[TS_RES_MAX_STAGES];
    *n_fg = 0;
    for (size_t i = 0; i < t->moves.n; i++) {
        const ts_move_t *m = &t->moves.v[i];
        int a = timed_mv_level(t, m->from), b = timed_mv_level(t, m->to);
        uint32_t k;
        bool fg = false;
        switch (m->kind) {
        case TS_MOVE_READ:
            if (rec && rec->recompute)
                continue; /* computed on the GPU: TTFT adds the time (timed_group_done) */
            k = timed_path(t, served >= 0 ? served : a, -1, m->bytes, true, false, true, st);
            fg = op == TS_OP_GET;
            break;
        case TS_MOVE_WRITE: /* from the requester, straight to the level written */
            k = timed_path(t, -1, b, m->bytes, false, true, true, st);
            fg = op == TS_OP_PUT;
            break;
        case TS_MOVE_FILL:
        case TS_MOVE_PROMOTE: /* the data come up with the read: only the write remains */
            if (rec && b >= 0 && b < (int)t->n) {
                rec->fill_mask |= 1u << b;
                rec->fill_bytes = m->bytes;
                continue;
            }
            k = timed_path(t, a, b, m->bytes, false, true, false, st);
            break;
        default: /* demote, write-back, prefetch: the whole way */
            k = timed_path(t, a, b, m->bytes, true, true, true, st);
            break;
        }
        if (k == 0)
            continue;
        int rc = fg ? ts_res_submit(t->rs, st, k, cookie, err)
                    : timed_submit_bg(t, st, k, m->bytes, err);
        if (rc)
            return rc;
        *n_fg += fg;
    }
    return 0;
}

/* The request's data have arrived: writes the copies noted in its record. */
static int timed_submit_fills(timed_t *t, const timed_rec_t *rec, ts_err_t *err)
{
    for (uint32_t mask = rec->fill_mask; mask; mask &= mask - 1) {
        ts_res_stage_t st;
        timed_dev_stage(t, (uint32_t)__builtin_ctz(mask), TS_DEV_WRITE, rec->fill_bytes, &st);
        int rc = timed_submit_bg(t, &st, 1, rec->fill_bytes, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- issuing ---- */

static void timed_record(timed_t *t, const timed_rec_t *rc, uint64_t now)
{
    if (rc->recompute) { /* no storage request: counted, not timed */
        t->out->kv_recomputed++;
        t->out->kv_recomputed_bytes += rc->size;
        return;
    }
    uint64_t lat = now - rc->issue_ns;
    ts_hist_record(t->h_all, lat);
    ts_hist_record(t->h_op[rc->op == TS_OP_PUT], lat);
    if (rc->op == TS_OP_GET)
        ts_hist_record(t->h_served[rc->level], lat);
    if (now > t->last_done_ns)
        t->last_done_ns = now;
}

/* The group a request issued now belongs to (opening one when none is open), or an error. */
static int timed_group_join(timed_t *t, uint64_t now, uint32_t *id, ts_err_t *err)
{
    if (t->open_grp == TIMED_NONE) {
        if (t->free_grp == TIMED_NONE) {
            uint32_t ncap = t->cap_grp ? t->cap_grp * 2 : 256;
            timed_group_t *ng = ncap > t->cap_grp && ncap <= TS_RES_MAX_IN_FLIGHT
                                    ? ts_realloc(t->grp, (size_t)ncap * sizeof(*ng))
                                    : NULL;
            if (!ng)
                return ts_err_set(err, TS_ENOMEM, "cannot track %u request groups", ncap);
            t->grp = ng;
            for (uint32_t i = ncap; i-- > t->cap_grp;) {
                ng[i].next = t->free_grp;
                t->free_grp = i;
            }
            t->cap_grp = ncap;
        }
        uint32_t g = t->free_grp;
        t->free_grp = t->grp[g].next;
        t->grp[g] = (timed_group_t){.start_ns = now, .next = TIMED_NONE};
        t->open_grp = g;
    }
    *id = t->open_grp;
    return 0;
}

/* A request of group g completed (served at level, a get or not); ends the group when it
 * was its last. */
static void timed_group_done(timed_t *t, uint32_t g, const timed_rec_t *rec, uint64_t now)
{
    timed_group_t *gr = &t->grp[g];
    const ts_timed_config_t *cfg = t->cfg;
    uint64_t bt = cfg->block_tokens;
    if (rec->op == TS_OP_GET && (rec->flags & TS_REQ_KV)) {
        if (rec->level == t->n && cfg->prefill_rate > 0) /* its tokens at their positions */
            gr->recompute_s += ts_gen_prefill_seconds(cfg->prefill_rate, cfg->prefill_attn_s,
                                                      rec->pos * bt, (rec->pos + 1ull) * bt);
        *(rec->level == t->n ? &gr->n_missed : &gr->n_hit) += 1;
    }
    if (--gr->pending || !gr->ended)
        return;
    ts_hist_record(t->h_ttft, now - gr->start_ns + (uint64_t)llround(gr->recompute_s * 1e9));
    t->out->prefill_tokens_saved += (uint64_t)gr->n_hit * cfg->block_tokens;
    t->out->prefill_tokens_recomputed += (uint64_t)gr->n_missed * cfg->block_tokens;
    gr->next = t->free_grp;
    t->free_grp = g;
}

int ts__timed_issue(timed_t *t, const ts_req_t *r, uint32_t client, uint32_t worker,
                    ts_err_t *err)
{
    uint64_t now = ts_des_now(t->q);
    t->n_issued++;
    int lv = ts_hier_access(t->h, r, &t->moves, err);
    if (lv < 0) {
        ts_err_where(err, "request %llu", (unsigned long long)t->n_issued);
        return lv;
    }
    bool timed = lv != TS_LEVEL_NONE;
    uint32_t id = 0;
    timed_rec_t *rec = NULL;
    int rc;
    if (timed) {
        rc = timed_rec_get(t, &id, err);
        if (rc)
            return rc;
        rec = &t->rec[id];
        rec->issue_ns = now;
        rec->size = r->size_bytes;
        rec->fill_mask = 0;
        rec->fill_bytes = 0;
        rec->op = r->op;
        rec->flags = r->flags;
        rec->level = (uint8_t)timed_level(t, (uint8_t)lv);
        rec->recompute = r->op == TS_OP_GET && (r->flags & TS_REQ_KV) && rec->level == t->n &&
                         t->cfg->prefill_rate > 0;
        rec->client = client;
        rec->worker = worker;
        rec->pending = 0;
        rec->group = TIMED_NONE;
        if (r->op == TS_OP_GET && (t->open_grp != TIMED_NONE || !(r->flags & TS_REQ_PREFETCH))) {
            if ((rc = timed_group_join(t, now, &rec->group, err)) != 0)
                return rc;
            t->grp[rec->group].pending++;
            rec->pos = r->flags & TS_REQ_KV ? t->grp[rec->group].n_joined++ : 0;
        }
    }
    if (r->flags & TS_REQ_GROUP_END && t->open_grp != TIMED_NONE) {
        t->grp[t->open_grp].ended = true;
        t->open_grp = TIMED_NONE;
    }
    uint32_t n_fg;
    rc = timed_submit_moves(t, r->op, timed ? (int)rec->level : -2, rec, id, &n_fg, err);
    if (rc)
        return rc;
    if (!timed)
        return client == TIMED_NONE ? 0 : ts__timed_client_done(t, client, worker, err);
    if (n_fg == 0) { /* nothing to wait for */
        rc = timed_submit_fills(t, rec, err);
        timed_record(t, rec, now);
        if (rec->group != TIMED_NONE)
            timed_group_done(t, rec->group, rec, now);
        timed_rec_put(t, id);
        if (rc)
            return rc;
        return client == TIMED_NONE ? 0 : ts__timed_client_done(t, client, worker, err);
    }
    rec->pending = n_fg;
    return 0;
}

int ts__timed_read(timed_t *t, ts_req_t *r, bool *got, ts_err_t *err)
{
    *got = false;
    if (t->reader_done)
        return 0;
    const ts_req_t *q;
    int rc = ts_lookahead_next(&t->la, &q, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        t->reader_done = true;
        return 0;
    }
    *r = *q;
    *got = true;
    return 0;
}

/* Open loop: schedules the arrival of the next trace request. */
static int timed_arm_arrival(timed_t *t, ts_err_t *err)
{
    bool got;
    int rc = ts__timed_read(t, &t->pending_req, &got, err);
    if (rc || !got) {
        ts_overload_end(t->ov, ts_des_now(t->q)); /* the last arrival was issued now */
        return rc;
    }
    t->have_pending = true;
    if (!t->started) {
        t->started = true;
        t->first_trace_ns = t->pending_req.time_ns;
    }
    uint64_t rel = t->pending_req.time_ns > t->first_trace_ns
                       ? t->pending_req.time_ns - t->first_trace_ns
                       : 0;
    double at = (double)rel * t->cfg->time_scale;
    uint64_t when = at >= 1.8e19 ? UINT64_MAX - 1 : (uint64_t)llround(at);
    if (when < ts_des_now(t->q)) /* a trace out of time order: issue at once */
        when = ts_des_now(t->q);
    return ts_des_schedule(t->q, when, ts_des_tag(t->k_arrival, 0), err);
}

static int timed_on_arrival(void *ctx, uint32_t id, ts_err_t *err)
{
    (void)id;
    timed_t *t = ctx;
    ts_req_t r = t->pending_req;
    t->have_pending = false;
    ts_overload_sample(t->ov, ts_des_now(t->q));
    if (t->cfg->max_in_flight && ts_res_in_flight(t->rs) >= t->cfg->max_in_flight) {
        t->out->partial = t->reader_done = true; /* what is in flight still ends */
        ts_overload_end(t->ov, ts_des_now(t->q));
        return 0;
    }
    int rc = ts__timed_issue(t, &r, TIMED_NONE, TIMED_NONE, err);
    return rc ? rc : timed_arm_arrival(t, err);
}

static int timed_on_done(void *ctx, uint64_t cookie, uint64_t start_ns, ts_err_t *err)
{
    (void)start_ns;
    timed_t *t = ctx;
    uint64_t now = ts_des_now(t->q);
    if (now > t->out->end_ns)
        t->out->end_ns = now;
    if (cookie == TIMED_BG)
        return 0;
    uint32_t id = (uint32_t)cookie;
    timed_rec_t *rec = &t->rec[id];
    if (--rec->pending)
        return 0;
    int rc = timed_submit_fills(t, rec, err);
    if (rc)
        return rc;
    timed_record(t, rec, now);
    if (rec->group != TIMED_NONE)
        timed_group_done(t, rec->group, rec, now);
    uint32_t client = rec->client, worker = rec->worker;
    timed_rec_put(t, id);
    return client == TIMED_NONE ? 0 : ts__timed_client_done(t, client, worker, err);
}

/* ---- set-up and results ---- */

static int timed_add_link(timed_t *t, const char *name, uint64_t bw, uint32_t *id,
                          ts_err_t *err)
{
    ts_res_spec_t spec = {.name = name, .bw_bytes_per_s = bw};
    return ts_res_add(t->rs, &spec, id, err);
}

/* Level l's device resource, as its behaviour lays it out; errors name the level. */
static int timed_add_dev(timed_t *t, size_t l, const char *name, ts_err_t *err)
{
    const ts_device_t *d = &t->cfg->dev[l];
    const char *lname = l < t->n ? t->h->tiers[l]->name : "backing";
    const ts_devmodel_ops_t *m = ts_devmodel_of(d, err);
    ts_res_spec_t spec = {.name = name};
    int rc = m ? 0 : err && err->code ? err->code : TS_ENOENT;
    if (rc == 0 && (m->base.flags & TS_DEVMODEL_NEEDS_CHANNELS) && d->channels == 0)
        rc = ts_err_set(err, TS_EINVAL, "device %s has no channels (model %s serves one "
                                        "request per channel)",
                        d->name, m->base.name);
    if (rc == 0)
        rc = m->resource(d, &spec, err);
    if (rc) {
        ts_err_prefix(err, "level %s", lname);
        return rc;
    }
    t->model[l] = m;
    return ts_res_add(t->rs, &spec, &t->res_dev[l], err);
}

/* "hbm: h100-sxm", "dram link up: pcie-gen5-x16": the level's name, then the model's. */
static void timed_res_name(const timed_t *t, uint8_t level, uint8_t role, char *buf,
                           size_t size)
{
    const char *lname = level < t->n ? t->h->tiers[level]->name : "backing";
    const char *model = role == TS_ROLE_DEVICE ? t->cfg->dev[level].name
                                               : t->cfg->link[level].name;
    const char *what = role == TS_ROLE_DEVICE    ? ""
                       : role == TS_ROLE_LINK_UP ? " link up"
                                                 : " link down";
    snprintf(buf, size, "%.*s%s: %.*s", TS_DEV_NAME, lname, what, TS_DEV_NAME, model);
}

/* The series' engine columns at time `at` (no event between the clock and at): each
 * resource's busy time so far, as its utilisation counts it: channel-ns held, or, for those
 * that share a bandwidth, ns of that whole bandwidth moved (devices) or with a transfer in
 * flight (links). */
static void timed_series_fill(void *ctx, uint64_t at, uint64_t *row)
{
    timed_t *t = ctx;
    for (uint32_t j = 0; j < t->n_res; j++) {
        ts_res_stats_t st;
        ts_res_stats_at(t->rs, t->res_order[j], at, &st);
        double bw = (double)st.bw_bytes_per_s;
        row[j] = t->res_is_link[j] || (t->res_is_bw[j] && !bw) ? st.bw_busy_ns
                 : t->res_is_bw[j] ? (uint64_t)llround(st.moved_bytes * 1e9 / bw)
                                   : (uint64_t)llround(st.busy_area);
    }
}

/* Runs every pending event; with a series, stops at each boundary of its intervals to
 * sample it before the first event at or after the boundary. */
static int timed_run_events(timed_t *t, ts_err_t *err)
{
    ts_series_t *s = t->cfg->series;
    if (!s)
        return ts_des_run(t->q, TS_DES_NEVER, err);
    for (;;) {
        int rc = ts_des_run(t->q, ts_series_next_time(s) - 1, err);
        uint64_t at = ts_des_peek(t->q);
        if (rc || at == TS_DES_NEVER)
            return rc;
        ts_series_advance(s, at, 0);
    }
}

static int timed_setup(timed_t *t, ts_err_t *err)
{
    const ts_timed_config_t *cfg = t->cfg;
    if (cfg->arrivals == TS_ARRIVALS_CLOSED && cfg->clients == 0)
        return ts_err_set(err, TS_EINVAL, "a closed loop needs at least one client");
    if (cfg->arrivals == TS_ARRIVALS_CLOSED && cfg->clients > TS_DES_ID_MAX)
        return ts_err_set(err, TS_ERANGE, "at most %u clients", TS_DES_ID_MAX);
    if (!(cfg->time_scale >= 0) || !isfinite(cfg->time_scale))
        return ts_err_set(err, TS_ERANGE, "time_scale must be a finite number >= 0");
    /* the longest path: a read at one end, every link, a write at the other */
    uint32_t links = 0;
    for (size_t l = 0; l <= t->n; l++)
        links += cfg->has_link[l];
    if (links + 2 > TS_RES_MAX_STAGES)
        return ts_err_set(err, TS_EINVAL,
                          "the hierarchy has %u links; a timed path crosses at most %u",
                          links, TS_RES_MAX_STAGES - 2);
    int rc = ts_des_create(4096, &t->q, err);
    if (rc == 0)
        rc = ts_res_sys_create(t->q, timed_on_done, t, &t->rs, err);
    if (rc == 0)
        rc = ts_des_kind_add(t->q, timed_on_arrival, t, &t->k_arrival, err);
    if (rc == 0)
        rc = ts_des_kind_add(t->q, ts__timed_on_client, t, &t->k_client, err);
    if (rc == 0)
        rc = ts_des_kind_add(t->q, ts__timed_on_start, t, &t->k_start, err);
    for (size_t l = 0; rc == 0 && l <= t->n && !t->rng; l++)
        if (cfg->dev[l].service_dist != TS_DEV_DETERMINISTIC &&
            !(t->rng = ts_rng_create(cfg->seed ^ 0x9e3779b97f4a7c15ull, err)))
            rc = TS_ENOMEM;
    if (rc)
        return rc;
    for (size_t l = 0; l <= t->n; l++) {
        char name[TS_RES_NAME];
        timed_res_name(t, (uint8_t)l, TS_ROLE_DEVICE, name, sizeof(name));
        rc = timed_add_dev(t, l, name, err);
        t->res_up[l] = t->res_down[l] = TIMED_NO_RES;
        if (rc == 0 && cfg->has_link[l]) {
            timed_res_name(t, (uint8_t)l, TS_ROLE_LINK_UP, name, sizeof(name));
            rc = timed_add_link(t, name, cfg->link[l].bytes_per_s, &t->res_up[l], err);
            timed_res_name(t, (uint8_t)l, TS_ROLE_LINK_DOWN, name, sizeof(name));
            if (rc == 0)
                rc = timed_add_link(t, name, cfg->link[l].bytes_per_s, &t->res_down[l], err);
        }
        if (rc)
            return rc;
    }
    for (size_t l = 0; l <= t->n; l++) {
        t->res_is_bw[t->n_res] = t->model[l]->base.flags & TS_DEVMODEL_SHARES_BW;
        t->res_order[t->n_res++] = t->res_dev[l];
        for (int d = 0; d < 2 && t->res_up[l] != TIMED_NO_RES; d++) {
            t->res_is_link[t->n_res] = true;
            t->res_order[t->n_res++] = d ? t->res_down[l] : t->res_up[l];
        }
    }
    if (cfg->series) {
        rc = ts_series_begin(cfg->series, t->h, t->n_res, timed_series_fill, t, true, err);
        if (rc)
            return rc;
        ts_series_advance(cfg->series, 0, 0);
    }
    rc = cfg->arrivals == TS_ARRIVALS_OPEN ? ts_overload_create(t->rs, &t->ov, err) : 0;
    if (rc == 0)
        rc = ts_moves_init(&t->moves, 16, err);
    if (rc)
        return rc;
    t->free_rec = TIMED_NONE;
    t->free_grp = t->open_grp = TIMED_NONE;
    if (cfg->arrivals == TS_ARRIVALS_CLOSED && (rc = ts__timed_clients_create(t, err)) != 0)
        return rc;
    ts_hist_t **hs[4 + TS_TIMED_LEVELS];
    size_t nh = 0;
    hs[nh++] = &t->h_all;
    hs[nh++] = &t->h_ttft;
    hs[nh++] = &t->h_op[0];
    hs[nh++] = &t->h_op[1];
    for (size_t l = 0; l <= t->n; l++)
        hs[nh++] = &t->h_served[l];
    for (size_t i = 0; i < nh; i++)
        if ((rc = ts_hist_create(hs[i], err)))
            return rc;
    return 0;
}

static int timed_fill_res(timed_t *t, uint32_t id, uint8_t role, uint8_t level,
                          uint64_t channels, uint64_t span, ts_err_t *err)
{
    ts_timed_result_t *o = t->out;
    ts_res_result_t *rr = &o->res[o->n_res++];
    char name[TS_RES_NAME];
    timed_res_name(t, level, role, name, sizeof(name));
    *rr = (ts_res_result_t){.role = role, .level = level, .channels = channels};
    /* a device that shares its bandwidth: utilisation of it; requests' cost is work */
    bool bw = role != TS_ROLE_DEVICE || (t->model[level]->base.flags & TS_DEVMODEL_SHARES_BW);
    uint64_t cost = role == TS_ROLE_DEVICE && bw ? ts_dev_cost_bytes(&t->cfg->dev[level]) : 0;
    ts_overload_fill(t->ov, t->rs, id, span, bw, cost, rr);
    o->n_overloaded += rr->is_overloaded;
    if (!(rr->name = ts_strdup(name)))
        return ts_err_set(err, TS_ENOMEM, "cannot name resource %s", name);
    return 0;
}

/* The result's arrays, sized by the run: a latency summary per level, a row per resource. */
static int timed_alloc_results(timed_t *t, ts_err_t *err)
{
    ts_timed_result_t *o = t->out;
    o->served = ts_calloc(t->n + 1, sizeof(*o->served));
    o->res = ts_calloc(t->n_res ? t->n_res : 1, sizeof(*o->res));
    if (!o->served || !o->res)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the figures of %zu levels", t->n + 1);
    o->n_levels = t->n + 1;
    return 0;
}

static int timed_results(timed_t *t, ts_err_t *err)
{
    ts_timed_result_t *o = t->out;
    o->span_ns = t->last_done_ns;
    o->n_timed = t->h_all->n;
    double span_s = (double)o->span_ns * 1e-9;
    o->req_per_s = span_s > 0 ? (double)o->n_timed / span_s : 0;
    o->bytes_per_s = span_s > 0 ? (double)t->h->tot.bytes_req / span_s : 0;
    int rc = timed_alloc_results(t, err);
    if (rc == 0)
        rc = ts_lat_fill(t->h_all, &o->all, err);
    if (rc == 0)
        rc = ts_lat_fill(t->h_ttft, &o->ttft, err);
    o->prefill_rate = t->cfg->prefill_rate;
    o->block_tokens = t->cfg->block_tokens;
    for (size_t k = 0; rc == 0 && k < 2; k++)
        rc = ts_lat_fill(t->h_op[k], &o->op[k], err);
    for (size_t l = 0; rc == 0 && l <= t->n; l++)
        rc = ts_lat_fill(t->h_served[l], &o->served[l], err);
    if (rc)
        return rc;
    ts__timed_clients_result(t);
    uint64_t end = o->end_ns > o->span_ns ? o->end_ns : o->span_ns;
    for (size_t l = 0; rc == 0 && l <= t->n; l++) {
        rc = timed_fill_res(t, t->res_dev[l], TS_ROLE_DEVICE, (uint8_t)l,
                            t->cfg->dev[l].channels, end, err);
        if (rc == 0 && t->res_up[l] != TIMED_NO_RES) {
            rc = timed_fill_res(t, t->res_up[l], TS_ROLE_LINK_UP, (uint8_t)l, 0, end, err);
            if (rc == 0)
                rc = timed_fill_res(t, t->res_down[l], TS_ROLE_LINK_DOWN, (uint8_t)l, 0, end,
                                    err);
        }
    }
    o->arrivals_end_ns = ts_overload_end_ns(t->ov);
    if (rc == 0 && o->partial)
        rc = ts_timed_stop_reason(o, t->cfg->max_in_flight, err);
    if (rc)
        return rc;
    if (t->cfg->series)
        ts_series_finish(t->cfg->series, end > ts_des_now(t->q) ? end : ts_des_now(t->q), 0);
    return 0;
}

static void timed_free(timed_t *t)
{
    ts_overload_destroy(t->ov);
    ts_res_sys_destroy(t->rs);
    ts_des_destroy(t->q);
    ts_rng_destroy(t->rng);
    ts_moves_free(&t->moves);
    ts_free(t->rec);
    ts_free(t->grp);
    ts__timed_clients_free(t);
    ts_hist_destroy(t->h_ttft);
    ts_hist_destroy(t->h_all);
    ts_hist_destroy(t->h_op[0]);
    ts_hist_destroy(t->h_op[1]);
    for (size_t l = 0; l < TS_TIMED_LEVELS; l++)
        ts_hist_destroy(t->h_served[l]);
}

int ts_engine_timed(ts_hier_t *h, ts_reader_t *r, const ts_timed_config_t *cfg,
                    ts_timed_result_t *out, ts_err_t *err)
{
    memset(out, 0, sizeof(*out));
    out->arrivals = cfg->arrivals;
    out->time_scale = cfg->time_scale;
    out->clients = cfg->arrivals == TS_ARRIVALS_CLOSED ? cfg->clients : 0;
    out->think_ns = cfg->arrivals == TS_ARRIVALS_CLOSED ? cfg->think_ns : 0;
    if (cfg->arrivals == TS_ARRIVALS_CLOSED && cfg->loader) {
        out->loader_workers = cfg->depth ? cfg->depth : 1;
        out->prefetch_factor = cfg->prefetch_factor;
    }
    out->au_target = cfg->arrivals == TS_ARRIVALS_CLOSED ? cfg->au_target : 0;
    timed_t t = {.cfg = cfg, .h = h, .n = h->n, .out = out};
    ts_lookahead_init(&t.la, h, r, TS_LOOKAHEAD, cfg->progress);
    int rc = timed_setup(&t, err);
    if (rc == 0) {
        if (cfg->arrivals == TS_ARRIVALS_OPEN)
            rc = timed_arm_arrival(&t, err);
        else
            for (uint32_t c = 0; rc == 0 && c < cfg->clients; c++)
                rc = ts_des_schedule(t.q, 0, ts_des_tag(t.k_start, c), err);
    }
    if (rc == 0)
        rc = timed_run_events(&t, err);
    if (rc == 0) { /* the end-of-run flush, timed as background work */
        rc = ts_hier_finish(h, &t.moves, err);
        uint32_t n_fg;
        if (rc == 0)
            rc = timed_submit_moves(&t, TS_OP_DELETE, -2, NULL, TIMED_BG, &n_fg, err);
        if (rc == 0)
            rc = timed_run_events(&t, err);
    }
    if (rc == 0)
        rc = timed_results(&t, err);
    if (rc)
        ts_timed_result_release(out);
    timed_free(&t);
    return rc;
}
