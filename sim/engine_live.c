/* SPDX-License-Identifier: MIT */
/*
 * engine_live.c - the live engine (see live.h for what it does).
 *
 * Structure: a key table per level (the copies the engine wrote: size and version), chains
 * (one per request in flight: its steps, its two buffers, the back-end request it has out),
 * and one loop that issues requests when they are due and a chain is free, runs each chain
 * step by step (a synchronous back-end completes a step at once; an asynchronous one hands
 * it back through poll), and waits on the back-ends or the clock when there is nothing to
 * do. One thread; back-ends are driven from it only.
 */
#include "live.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hist.h"
#include "live_internal.h"
#include "util/ktab.h"
#include "util/mem.h"
#include "util/pool.h"

#define LIVE_POLL_MAX 64
#define LIVE_WAIT_MAX_NS 1000000ull /* longest single wait on a back-end, 1 ms */

/* ---- chains ---- */

static void live_sleep_until(uint64_t t)
{
    struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ull),
                          .tv_nsec = (long)(t % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static const char *live_level_name(const live_t *e, unsigned level)
{
    unsigned l = level == TS_LEVEL_BACKING ? (unsigned)e->n : level;
    return e->cfg->name[l] ? e->cfg->name[l] : "?";
}

static unsigned live_index(const live_t *e, unsigned level)
{
    return level == TS_LEVEL_BACKING ? (unsigned)e->n : level;
}

static int live_push_step(live_t *e, live_chain_t *c, const ts_move_t *m)
{
    if (c->n_step == c->cap_step) {
        size_t cap = c->cap_step * 2 + 8;
        ts_move_t *v = ts_realloc(c->step, cap * sizeof(*v));
        if (!v)
            return ts_err_set(e->err, TS_ENOMEM, "cannot hold a chain of %zu steps", cap);
        c->step = v;
        c->cap_step = cap;
    }
    c->step[c->n_step++] = *m;
    return 0;
}

static int live_push_touch(live_t *e, live_chain_t *c, uint64_t key, unsigned level, bool write)
{
    if (c->n_touch == c->cap_touch) {
        size_t cap = c->cap_touch * 2 + 8;
        live_touch_t *v = ts_realloc(c->touch, cap * sizeof(*v));
        if (!v)
            return ts_err_set(e->err, TS_ENOMEM, "cannot hold a chain of %zu copies", cap);
        c->touch = v;
        c->cap_touch = cap;
    }
    c->touch[c->n_touch++] = (live_touch_t){.key = key, .level = (uint8_t)level, .write = write};
    return 0;
}

/* Whether step m of chain c takes its bytes from the chain's own buffer (a demand request's
 * object: fetched by its first step, or made by its put). */
static bool live_from_buf(const live_chain_t *c, const ts_move_t *m)
{
    return c->timed && m->key == c->req.key;
}

/* Builds chain c from the request's moves (e->moves) and what served it. */
static int live_build(live_t *e, live_chain_t *c, const ts_req_t *q, int served)
{
    c->req = *q;
    c->n_step = c->n_touch = c->next = 0;
    c->stage = 0;
    c->fg_done = c->retry = c->in_flight = c->buf_ok = false;
    c->timed = served >= 0 && served != TS_LEVEL_NONE && q->op != TS_OP_DELETE;
    c->served = c->timed ? (uint8_t)live_index(e, (unsigned)served) : 0;
    c->recompute = c->timed && q->op == TS_OP_GET && (q->flags & TS_REQ_KV) && c->served == e->n &&
                   e->cfg->prefill_rate > 0;
    c->group = LIVE_NONE;
    int rc = 0;
    if (c->timed && q->op == TS_OP_GET) {
        ts_move_t f = {.key = q->key,
                       .bytes = q->size_bytes,
                       .kind = LIVE_OP_FETCH,
                       .from = (uint8_t)served,
                       .to = TS_LEVEL_CLIENT};
        rc = live_push_step(e, c, &f);
        if (rc == 0)
            rc = live_push_touch(e, c, q->key, c->served, false);
    }
    for (size_t i = 0; rc == 0 && i < e->moves.n; i++) {
        const ts_move_t *m = &e->moves.v[i];
        if (m->kind == TS_MOVE_READ)
            continue;
        rc = live_push_step(e, c, m);
        if (rc)
            break;
        if (m->kind == TS_MOVE_FREE) {
            rc = live_push_touch(e, c, m->key, live_index(e, m->from), true);
            continue;
        }
        if (!live_from_buf(c, m) && m->from != TS_LEVEL_CLIENT)
            rc = live_push_touch(e, c, m->key, live_index(e, m->from), false);
        if (rc == 0)
            rc = live_push_touch(e, c, m->key, live_index(e, m->to), true);
    }
    return rc;
}

/* Whether chain c must wait for a chain in flight (a copy one writes and the other uses). */
static bool live_conflicts(const live_t *e, const live_chain_t *c)
{
    for (uint32_t j = 0; j < e->n_ch; j++) {
        const live_chain_t *o = &e->ch[j];
        if (!o->busy || o == c)
            continue;
        for (size_t a = 0; a < c->n_touch; a++)
            for (size_t b = 0; b < o->n_touch; b++)
                if (c->touch[a].key == o->touch[b].key && c->touch[a].level == o->touch[b].level &&
                    (c->touch[a].write || o->touch[b].write))
                    return true;
    }
    return false;
}

/* ---- back-end requests ---- */

static void live_stop(live_t *e, int rc, const ts_err_t *why)
{
    if (e->io_rc == 0) {
        e->io_rc = rc;
        e->io_err = *why;
    }
    e->stopping = true;
}

/* Takes the latency of c's request (its foreground has ended now). */
static void live_fg_done(live_t *e, live_chain_t *c, uint64_t now)
{
    if (c->fg_done || !c->timed)
        return;
    c->fg_done = true;
    if (c->recompute) { /* no storage request: counted, not timed (as the timed engine) */
        e->out->m.kv_recomputed++;
        e->out->m.kv_recomputed_bytes += c->req.size_bytes;
    } else {
        uint64_t lat = now > c->due_ns ? now - c->due_ns : 0;
        ts_hist_record(e->h_all, lat);
        ts_hist_record(e->h_op[c->req.op == TS_OP_PUT], lat);
        if (c->req.op == TS_OP_GET)
            ts_hist_record(e->h_served[c->served], lat);
        if (now > e->last_done_ns)
            e->last_done_ns = now;
    }
    if (c->group != LIVE_NONE)
        ts__live_group_done(e, c, now);
    if (c->client != LIVE_NONE && e->ld) { /* its worker reads on (live_loader_step) */
        ts_loader_count_done(e->ld, c->client, c->worker);
        e->ld_moved = true;
    }
    else if (c->client != LIVE_NONE) { /* the last of its batch: the client computes */
        live_client_t *cl = &e->cl[c->client];
        if (--cl->pending == 0 && !cl->in_batch) {
            e->out->m.stall_ns += now - cl->start_ns;
            cl->ready_ns = now + e->cfg->think_ns;
        }
    }
}

/* A back-end request of c ended (result in c->io.result). Moves the chain on by one stage,
 * or stops the run on an I/O error. Returns 0 or a fatal error. */
static int live_io_done(live_t *e, live_chain_t *c, uint64_t now)
{
    live_level_t *L = &e->lv[c->io_level];
    ts_be_io_t *io = &c->io;
    c->in_flight = false;
    if (L->inflight && --L->inflight == 0)
        L->busy_ns += now - L->busy_since;
    uint64_t lat = now - c->io_t0;
    const ts_move_t *m = &c->step[c->next];
    const char *where =
        live_level_name(e, m->kind == LIVE_OP_FETCH || c->stage == 1 || c->stage == 3 ? m->from
                           : m->kind == TS_MOVE_FREE                                  ? m->from
                                                                                      : m->to);
    if (io->result) {
        ts_err_t why = {0};
        if (io->result == TS_ENOSPC || io->result == TS_EIO) {
            ts_err_set(&why, io->result, "%s: %s of key %#llx (%llu B): %s", where,
                       io->op == TS_BE_WRITE  ? "write"
                       : io->op == TS_BE_READ ? "read"
                                              : "free",
                       (unsigned long long)io->key, (unsigned long long)io->size,
                       ts_strerror(io->result));
            live_stop(e, io->result, &why);
            c->next = c->n_step; /* the chain ends here */
            return 0;
        }
        return ts_err_set(e->err, io->result == TS_ENOENT ? TS_EINTERNAL : io->result,
                          "%s: %s of key %#llx (%llu B) failed: %s", where,
                          io->op == TS_BE_WRITE  ? "write"
                          : io->op == TS_BE_READ ? "read"
                                                 : "free",
                          (unsigned long long)io->key, (unsigned long long)io->size,
                          ts_strerror(io->result));
    }
    if (io->op == TS_BE_READ) {
        ts_hist_record(L->rd, lat);
        L->n_read++;
        L->bytes_read += io->size;
        bool own = m->kind == LIVE_OP_FETCH;
        uint64_t version = own ? c->buf_version : c->vversion;
        if (e->cfg->verify) {
            uint64_t off = 0;
            if (ts_live_check_object(io->buf, io->key, version, io->size, &off))
                return ts_err_set(e->err, TS_EIO,
                                  "%s: key %#llx: the bytes read differ from those written "
                                  "(version %llu, %llu B) at offset %llu",
                                  where, (unsigned long long)io->key, (unsigned long long)version,
                                  (unsigned long long)io->size, (unsigned long long)off);
            e->out->n_verified++;
        }
        if (own) {
            c->buf_ok = true;
            c->next++;
            c->stage = 0;
            live_fg_done(e, c, now);
        } else {
            c->stage = 2; /* now write it */
        }
        return 0;
    }
    if (io->op == TS_BE_WRITE) {
        ts_hist_record(L->wr, lat);
        L->n_write++;
        L->bytes_written += io->size;
        if (c->stage == 3) { /* the object made in the backing store: now its target */
            c->stage = 2;
            return 0;
        }
    } else {
        L->n_free++;
        live_map_drop(&e->map[c->io_level], io->key);
    }
    c->next++;
    c->stage = 0;
    return 0;
}

/* Submits c->io to level l. Returns 0 (c->in_flight, or completed and handled), or a fatal
 * error. */
static int live_submit(live_t *e, live_chain_t *c, unsigned l)
{
    ts_backend_t *b = e->cfg->be[l];
    live_level_t *L = &e->lv[l];
    c->io_level = (uint8_t)l;
    c->io.user = (uint64_t)(c - e->ch);
    c->io.result = 0;
    c->io_t0 = ts_backend_now_ns();
    ts_err_t why = {0};
    int rc = b->ops->submit(b, &c->io, &why);
    if (rc == TS_BE_BUSY) {
        c->retry = true;
        return 0;
    }
    c->retry = false;
    if (rc < 0)
        return ts_err_set(e->err, rc, "%s: %s", e->cfg->name[l] ? e->cfg->name[l] : "?", why.msg);
    if (L->inflight++ == 0)
        L->busy_since = c->io_t0;
    if (L->inflight > L->max_inflight)
        L->max_inflight = L->inflight;
    c->in_flight = true;
    if (rc == TS_BE_DONE)
        return live_io_done(e, c, ts_backend_now_ns());
    return 0;
}

static void live_chain_end(live_t *e, live_chain_t *c, uint64_t now)
{
    live_fg_done(e, c, now);
    c->busy = false;
    e->n_busy--;
}

/* Runs chain c as far as it goes without waiting. Returns 0 or a fatal error. */
static int live_run_chain(live_t *e, live_chain_t *c)
{
    while (c->busy && !c->in_flight && !c->retry) {
        if (c->next >= c->n_step) {
            live_chain_end(e, c, ts_backend_now_ns());
            return 0;
        }
        const ts_move_t *m = &c->step[c->next];
        unsigned from = m->from, to = m->to;
        int rc = 0;
        if (m->kind == LIVE_OP_FETCH) {
            unsigned l = live_index(e, from);
            const live_copy_t *cp = live_map_find(&e->map[l], m->key);
            if (!cp)
                return ts_err_set(e->err, TS_EINTERNAL,
                                  "%s: key %#llx served from a level the engine never wrote it to",
                                  live_level_name(e, from), (unsigned long long)m->key);
            c->buf_version = cp->version;
            c->buf_size = cp->size;
            if (c->recompute) { /* the GPU's recompute makes the bytes: no read */
                ts_live_make_object(c->buf, m->key, cp->version, cp->size);
                c->buf_ok = true;
                c->next++;
                live_fg_done(e, c, ts_backend_now_ns());
                continue;
            }
            c->io = (ts_be_io_t){.op = TS_BE_READ, .key = m->key, .size = cp->size, .buf = c->buf};
            rc = live_submit(e, c, l);
        } else if (m->kind == TS_MOVE_FREE) {
            unsigned l = live_index(e, from);
            if (!live_map_find(&e->map[l], m->key)) { /* a put's copy never written */
                c->next++;
                continue;
            }
            c->io = (ts_be_io_t){.op = TS_BE_FREE, .key = m->key};
            rc = live_submit(e, c, l);
        } else if (c->stage < 2 && !live_from_buf(c, m)) {
            unsigned l = live_index(e, from);
            const live_copy_t *cp = live_map_find(&e->map[l], m->key);
            if (!cp && l == e->n) {
                /* an object the workload never names (a prefetcher's guess): it is made
                 * in the backing store now, then carried on from the bytes made */
                rc = live_map_set(&e->map[l], m->key, m->bytes, 0, e->err);
                if (rc)
                    return rc;
                ts_live_make_object(c->vbuf, m->key, 0, m->bytes);
                c->vversion = 0;
                c->vsize = m->bytes;
                c->stage = 3;
                e->out->made_objects++;
                c->io = (ts_be_io_t){
                    .op = TS_BE_WRITE, .key = m->key, .size = m->bytes, .buf = c->vbuf};
                rc = live_submit(e, c, l);
                if (rc)
                    return rc;
                continue;
            }
            if (!cp)
                return ts_err_set(
                    e->err, TS_EINTERNAL, "%s: key %#llx to %s from a level that holds no copy",
                    live_level_name(e, from), (unsigned long long)m->key, ts_move_names[m->kind]);
            c->vversion = cp->version;
            c->vsize = cp->size;
            c->stage = 1;
            c->io = (ts_be_io_t){.op = TS_BE_READ, .key = m->key, .size = cp->size, .buf = c->vbuf};
            rc = live_submit(e, c, l);
        } else {
            /* write: the bytes are in buf (own) or vbuf (read at stage 1) */
            bool own = live_from_buf(c, m);
            uint8_t *p = own ? c->buf : c->vbuf;
            uint64_t *size = own ? &c->buf_size : &c->vsize;
            uint64_t version = own ? c->buf_version : c->vversion;
            if (*size != m->bytes) { /* a copy of another size: the same version, resized */
                ts_live_make_object(p, m->key, version, m->bytes);
                *size = m->bytes;
            }
            unsigned l = live_index(e, to);
            rc = live_map_set(&e->map[l], m->key, m->bytes, version, e->err);
            if (rc)
                return rc;
            c->io = (ts_be_io_t){.op = TS_BE_WRITE, .key = m->key, .size = m->bytes, .buf = p};
            rc = live_submit(e, c, l);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- issuing ---- */

static int live_read_next(live_t *e)
{
    if (e->have_next || e->reader_done)
        return 0;
    int rc = ts_reader_next(e->r, &e->next_req, e->err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        e->reader_done = true;
        return 0;
    }
    e->have_next = true;
    if ((++e->n_read_req & (TS_PROGRESS_EVERY - 1)) == 0 && e->cfg->progress)
        e->cfg->progress->fn(e->cfg->progress->ctx, e->n_read_req, e->total);
    return 0;
}

static uint32_t live_free_chain(const live_t *e)
{
    for (uint32_t j = 0; j < e->n_ch; j++)
        if (!e->ch[j].busy)
            return j;
    return LIVE_NONE;
}

/* When the next request is due (open loop). */
static uint64_t live_due(const live_t *e, const ts_req_t *q)
{
    uint64_t t = q->time_ns > e->first_trace_ns ? q->time_ns - e->first_trace_ns : 0;
    double off = (double)t * e->cfg->time_scale / e->cfg->speed;
    return e->start_ns + (uint64_t)(off < 1.8e19 ? off : 1.8e19);
}

static int live_begin(live_t *e, uint32_t j, const ts_req_t *req, uint32_t client, uint64_t due,
                      uint64_t now);

/* Decides the next request and builds its chain in a free slot (the head). *wake gets the
 * time to come back when nothing can be taken now. Returns 0 or an error. */
static int live_take(live_t *e, uint64_t now, uint64_t *wake)
{
    if (e->ld) /* the data loaders issue their own (live_loader_issue) */
        return 0;
    int rc = live_read_next(e);
    if (rc || !e->have_next)
        return rc;
    uint32_t client = LIVE_NONE;
    uint64_t due = now;
    if (e->cfg->arrivals == TS_ARRIVALS_OPEN) {
        if (e->n_read_req == 1)
            e->first_trace_ns = e->next_req.time_ns;
        due = live_due(e, &e->next_req);
        if (due > now) {
            *wake = due < *wake ? due : *wake;
            return 0;
        }
    } else {
        uint32_t depth = e->cfg->batch_groups ? e->cfg->depth : 0;
        uint64_t ready = UINT64_MAX; /* the client ready longest starts the next batch */
        for (uint32_t k = 0; k < e->cfg->clients; k++) {
            const live_client_t *cl = &e->cl[k];
            if (cl->in_batch && (!depth || cl->pending < depth)) {
                client = k; /* its batch goes on */
                ready = UINT64_MAX;
                break;
            }
            if (cl->in_batch || cl->pending)
                continue;
            if (cl->ready_ns > now)
                *wake = cl->ready_ns < *wake ? cl->ready_ns : *wake;
            else if (cl->ready_ns < ready || client == LIVE_NONE) {
                client = k;
                ready = cl->ready_ns;
            }
        }
        /* a new batch is due when its client became ready: time it then waits for a free
         * chain or a conflict is part of its latency, as in the timed engine's closed loop */
        if (client != LIVE_NONE && ready != UINT64_MAX)
            due = ready > e->start_ns ? ready : e->start_ns;
        if (client == LIVE_NONE)
            return 0;
    }
    uint32_t j = live_free_chain(e);
    if (j == LIVE_NONE)
        return 0;
    ts_req_t q = e->next_req;
    e->have_next = false;
    return live_begin(e, j, &q, client, due, now);
}

/* Decides request q (its request number e->n_taken + 1) for client, due at due, and builds
 * its chain in free slot j: the head. */
static int live_begin(live_t *e, uint32_t j, const ts_req_t *req, uint32_t client, uint64_t due,
                      uint64_t now)
{
    live_chain_t *c = &e->ch[j];
    ts_req_t q = *req;
    e->n_taken++;
    int rc = ts_hier_access(e->h, &q, &e->moves, e->err);
    if (rc < 0)
        return rc;
    rc = live_build(e, c, &q, rc);
    if (rc)
        return rc;
    c->busy = true;
    e->n_busy++;
    c->client = client;
    c->worker = LIVE_NONE;
    c->due_ns = due;
    /* its group (TTFT): a batch group's client's, else the one being issued */
    uint32_t *open = client != LIVE_NONE && e->cfg->batch_groups ? &e->cl[client].group
                                                                  : &e->open_grp;
    if (c->timed && q.op == TS_OP_GET &&
        (*open != LIVE_NONE || !(q.flags & TS_REQ_PREFETCH)) &&
        (rc = ts__live_group_join(e, open, due, &c->group)) != 0)
        return rc;
    if (q.flags & TS_REQ_GROUP_END)
        ts__live_group_close(e, open);
    if (e->cfg->arrivals == TS_ARRIVALS_OPEN && now > due + 1000000) { /* 1 ms behind */
        e->out->n_late++;
        if (now - due > e->out->late_max_ns)
            e->out->late_max_ns = now - due;
    }
    if (client != LIVE_NONE && !e->ld) {
        live_client_t *cl = &e->cl[client];
        if (!cl->in_batch) { /* a new batch: after a compute, but for the first */
            cl->in_batch = true;
            cl->n_batch = 0;
            cl->start_ns = due;
            if (cl->started)
                e->out->m.compute_ns += e->cfg->think_ns;
            cl->started = true;
        }
        cl->n_batch++;
        cl->pending += c->timed;
        if (!e->cfg->batch_groups || (q.flags & TS_REQ_GROUP_END))
            cl->in_batch = false;
        if (!cl->in_batch && !cl->pending) /* a batch with no request to wait for */
            cl->ready_ns = now + e->cfg->think_ns;
    }
    if (c->timed && c->req.op == TS_OP_PUT) { /* the new bytes */
        c->buf_version = e->n_taken;          /* request i (from 0) writes version i + 1 */
        c->buf_size = q.size_bytes;
        ts_live_make_object(c->buf, q.key, c->buf_version, q.size_bytes);
        c->buf_ok = true;
    }
    e->head = j;
    return 0;
}

/* Starts the head when nothing in flight conflicts with it. */
static int live_start_head(live_t *e, bool *started)
{
    *started = false;
    if (e->head == LIVE_NONE)
        return 0;
    live_chain_t *c = &e->ch[e->head];
    if (live_conflicts(e, c))
        return 0;
    e->head = LIVE_NONE;
    *started = true;
    return live_run_chain(e, c);
}

/* ---- data loaders (sim/loader.h), on the wall clock ---- */

static int live_loader_pull(void *ctx, ts_req_t *r, bool *got, ts_err_t *err)
{
    live_t *e = ctx;
    (void)err; /* e->err is the same */
    int rc = live_read_next(e);
    *got = rc == 0 && e->have_next;
    if (*got) {
        *r = e->next_req;
        e->have_next = false;
    }
    return rc;
}

/* Issues r now in a free chain and starts it (it may end at once, counted by the loader),
 * or refuses while a chain waits to start or none is free. */
static int live_loader_issue(void *ctx, const ts_req_t *r, uint32_t client, uint32_t worker,
                             ts_err_t *err)
{
    live_t *e = ctx;
    (void)err;
    uint32_t j = e->head == LIVE_NONE && !e->stopping ? live_free_chain(e) : LIVE_NONE;
    if (j == LIVE_NONE)
        return TS_LOADER_BUSY;
    uint64_t now = ts_backend_now_ns();
    int rc = live_begin(e, j, r, client, now, now);
    if (rc)
        return rc;
    e->ch[j].worker = worker;
    if (!e->ch[j].timed) { /* nothing to wait for (a delete) */
        ts_loader_count_done(e->ld, client, worker);
        e->ld_moved = true;
    }
    bool started;
    return live_start_head(e, &started);
}

static int live_loader_compute(void *ctx, uint32_t client, uint64_t end_ns, ts_err_t *err)
{
    live_t *e = ctx;
    (void)err;
    e->cl[client].ready_ns = end_ns;
    e->cl[client].computing = true;
    return 0;
}

static const ts_loader_ops_t k_live_loader = {
    .pull = live_loader_pull, .issue = live_loader_issue, .compute = live_loader_compute};

/* Moves every client's loader on at now: computes that have ended, completions counted,
 * refused issues; *wake gets the earliest compute still running. */
static int live_loader_step(live_t *e, uint64_t now, uint64_t *wake)
{
    int rc = 0;
    e->ld_moved = false;
    for (uint32_t k = 0; rc == 0 && k < e->cfg->clients; k++) {
        live_client_t *cl = &e->cl[k];
        if (cl->computing && cl->ready_ns <= now) {
            cl->computing = false;
            rc = ts_loader_computed(e->ld, k, now, e->err);
        } else if (!e->stopping) {
            rc = ts_loader_kick(e->ld, k, now, e->err);
        }
        if (cl->computing && cl->ready_ns < *wake)
            *wake = cl->ready_ns;
    }
    return rc;
}

/* Takes level l's completions (waiting up to wait_ns for the first) and runs their chains on. */
static int live_poll_level(live_t *e, size_t l, uint64_t wait_ns, int *got)
{
    ts_backend_t *b = e->cfg->be[l];
    ts_be_io_t *done[LIVE_POLL_MAX];
    ts_err_t why = {0};
    int k = b->ops->poll(b, done, LIVE_POLL_MAX, wait_ns, &why);
    if (k < 0)
        return ts_err_set(e->err, k, "%s: %s", e->cfg->name[l] ? e->cfg->name[l] : "?", why.msg);
    uint64_t now = ts_backend_now_ns();
    for (int i = 0; i < k; i++) {
        live_chain_t *c = &e->ch[done[i]->user];
        int rc = live_io_done(e, c, now);
        if (rc == 0)
            rc = live_run_chain(e, c);
        if (rc)
            return rc;
    }
    *got += k;
    return 0;
}

/* Polls every asynchronous level with requests out without waiting (a back-end may hold
 * its starts until then: the file back-end submits them in one system call), then, when
 * none had finished, waits up to wait_ns on the first. */
static int live_poll(live_t *e, uint64_t wait_ns, int *got)
{
    *got = 0;
    size_t first = SIZE_MAX;
    for (size_t l = 0; l <= e->n; l++) {
        if (!e->lv[l].async || !e->lv[l].inflight)
            continue;
        if (first == SIZE_MAX)
            first = l;
        int rc = live_poll_level(e, l, 0, got);
        if (rc)
            return rc;
    }
    if (*got || first == SIZE_MAX || wait_ns == 0 || !e->lv[first].inflight)
        return 0;
    return live_poll_level(e, first, wait_ns, got);
}

static int live_retry(live_t *e)
{
    for (uint32_t j = 0; j < e->n_ch; j++) {
        live_chain_t *c = &e->ch[j];
        if (c->busy && c->retry) { /* the same request again */
            c->retry = false;
            int rc = live_submit(e, c, c->io_level);
            if (rc == 0)
                rc = live_run_chain(e, c);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static bool live_any_inflight(const live_t *e)
{
    for (size_t l = 0; l <= e->n; l++)
        if (e->lv[l].inflight)
            return true;
    return false;
}

static int live_loop(live_t *e)
{
    for (;;) {
        if (e->cfg->stop && *e->cfg->stop && !e->stopping) {
            ts_err_t why = {0};
            const char *abbrev = sigabbrev_np((int)*e->cfg->stop);
            if (e->cfg->stop_what || !abbrev)
                ts_err_set(&why, TS_EIO, "interrupted (%s)",
                           e->cfg->stop_what ? e->cfg->stop_what : "stop");
            else
                ts_err_set(&why, TS_EIO, "interrupted (SIG%s)", abbrev);
            live_stop(e, 1, &why); /* 1: not an error, a stop */
        }
        uint64_t now = ts_backend_now_ns(), wake = UINT64_MAX;
        int rc = e->ld ? live_loader_step(e, now, &wake) : 0;
        bool started = true;
        while (rc == 0 && started && !e->stopping) {
            if (e->head == LIVE_NONE) {
                rc = live_take(e, now, &wake);
                if (rc || e->head == LIVE_NONE)
                    break;
            }
            rc = live_start_head(e, &started);
            now = ts_backend_now_ns();
        }
        if (rc == 0)
            rc = live_retry(e);
        if (rc)
            return rc;
        bool more = !e->stopping && (e->head != LIVE_NONE || e->have_next || !e->reader_done ||
                                     (e->ld && !ts_loader_finished(e->ld)));
        if (!more && e->head != LIVE_NONE) { /* decided but never started (a stop) */
            e->ch[e->head].busy = false;
            e->n_busy--;
            e->head = LIVE_NONE;
        }
        if (!more && e->n_busy == 0)
            return 0;
        if (e->ld && e->ld_moved && !e->stopping)
            continue; /* a loader can go on at once */
        int got = 0;
        if (live_any_inflight(e)) {
            now = ts_backend_now_ns();
            uint64_t w = wake > now ? wake - now : 0;
            rc = live_poll(e, w < LIVE_WAIT_MAX_NS ? w : LIVE_WAIT_MAX_NS, &got);
            if (rc)
                return rc;
        } else if (wake != UINT64_MAX && !e->stopping) {
            uint64_t until = wake;
            if (until > now + 100000000ull) /* look at the stop flag every 100 ms */
                until = now + 100000000ull;
            live_sleep_until(until);
        } else if (!live_any_inflight(e)) {
            /* busy chains with nothing out and nothing to wait for: only a back-end that
             * answers busy with no request in flight leads here; never spin on it */
            return ts_err_set(e->err, TS_EINTERNAL, "live engine: chains wait on nothing");
        }
    }
}

/* ---- the end ---- */

/* The end-of-run write-backs, carried out as one background chain. */
static int live_finish(live_t *e)
{
    int rc = ts_hier_finish(e->h, &e->moves, e->err);
    if (rc || e->moves.n == 0)
        return rc;
    live_chain_t *c = &e->ch[0];
    ts_req_t none = {.key = 0, .op = TS_OP_DELETE};
    rc = live_build(e, c, &none, -1);
    if (rc)
        return rc;
    c->client = LIVE_NONE;
    c->busy = true;
    e->n_busy++;
    rc = live_run_chain(e, c);
    while (rc == 0 && c->busy) {
        int got;
        rc = live_poll(e, LIVE_WAIT_MAX_NS, &got);
        if (rc == 0)
            rc = live_retry(e);
    }
    return rc;
}

int ts_engine_live(ts_hier_t *h, ts_reader_t *r, const ts_live_config_t *cfg, ts_live_result_t *out,
                   ts_err_t *err)
{
    memset(out, 0, sizeof(*out));
    out->m.arrivals = cfg->arrivals;
    out->m.time_scale = cfg->time_scale;
    out->m.clients = cfg->arrivals == TS_ARRIVALS_CLOSED ? cfg->clients : 0;
    out->m.think_ns = cfg->arrivals == TS_ARRIVALS_CLOSED ? cfg->think_ns : 0;
    if (cfg->arrivals == TS_ARRIVALS_CLOSED && cfg->loader) {
        out->m.loader_workers = cfg->depth ? cfg->depth : 1;
        out->m.prefetch_factor = cfg->prefetch_factor;
    }
    out->m.au_target = cfg->arrivals == TS_ARRIVALS_CLOSED ? cfg->au_target : 0;
    out->speed = cfg->speed;
    out->verify = cfg->verify;
    live_t e = {.cfg = cfg,
                .h = h,
                .r = r,
                .n = h->n,
                .out = out,
                .err = err,
                .head = LIVE_NONE,
                .grp = {.free_head = TS_POOL_NONE},
                .open_grp = LIVE_NONE};
    if (h->n >= TS_TIMED_LEVELS)
        return ts_err_set(err, TS_EINVAL, "%zu tiers: the live engine takes at most %d", h->n,
                          TS_TIMED_LEVELS - 1);
    ts_hier_list_frees(h);
    int rc = ts__live_setup(&e);
    double cpu0 = ts__live_cpu_s();
    e.start_ns = ts_backend_now_ns();
    if (rc == 0 && cfg->progress) {
        ts_reader_info_t info;
        ts_reader_info(r, &info);
        e.total = info.n_requests;
        cfg->progress->fn(cfg->progress->ctx, 0, e.total);
    }
    if (rc == 0 && cfg->loader && cfg->arrivals == TS_ARRIVALS_CLOSED) {
        ts_loader_config_t lc = {.clients = cfg->clients,
                                 .workers = cfg->depth,
                                 .prefetch_factor = cfg->prefetch_factor,
                                 .think_ns = cfg->think_ns};
        rc = ts_loader_create(&lc, &k_live_loader, &e, &e.ld, err);
        for (uint32_t k = 0; rc == 0 && k < cfg->clients; k++)
            rc = ts_loader_start(e.ld, k, e.start_ns, err);
    }
    if (rc == 0)
        rc = live_loop(&e);
    if (rc == 0 && !e.stopping)
        rc = live_finish(&e);
    out->cpu_s = ts__live_cpu_s() - cpu0;
    if (rc == 0 && e.io_rc) {
        out->partial = true;
        out->stop_reason = ts_strdup(e.io_err.msg);
        if (!out->stop_reason)
            rc = ts_err_set(err, TS_ENOMEM, "cannot keep why the run stopped");
    }
    if (rc == 0)
        rc = ts__live_results(&e);
    if (rc)
        ts_live_result_release(out);
    ts__live_free(&e);
    return rc;
}
