/* SPDX-License-Identifier: MIT */
/*
 * timed_client.c - the timed engine's closed loop: clients that issue, wait and compute.
 *
 * Three kinds of client (timed.batch):
 *   request, group: the client issues its next request (or the requests of its next group, at
 *     most `depth` in flight), waits until all have completed, computes for think_ns, and
 *     issues again. Requests go to clients in trace order. Utilisation = compute / (compute +
 *     stall), every wait counted.
 *   loader: a data-parallel rank with a PyTorch-style data loader (as DLIO, the engine of
 *     MLPerf Storage, runs it). The trace's requests go to client stream mod clients; a
 *     client's groups (TS_REQ_GROUP_END) are its batches, numbered 0, 1, ... in its order,
 *     and each run of its TS_REQ_CHECKPOINT requests is a checkpoint step between two batches.
 *     `depth` workers W read batches: worker w reads batches w, w + W, w + 2W, ... one sample
 *     at a time (one read in flight per worker), and may start batch b once
 *     b < consumed + W x prefetch_factor (the loader's outstanding batches: PyTorch hands a
 *     worker the next batch index each time the training loop takes one). The training loop
 *     takes batches in order: it waits until batch b has arrived whole, computes for think_ns
 *     (which starts the next batch's window), and takes b + 1; a checkpoint step between
 *     them is issued by the loop itself (at most W requests in flight) and waited for, while
 *     the workers go on reading ahead.
 *     Accelerator utilisation is measured as DLIO measures it: the first step of each client
 *     is left out (its compute, and the time up to its end: the loader's start), so AU =
 *     sum of computes after the first / sum of (end of last compute - end of first compute),
 *     over the clients.
 * Memory: a client holds the requests of its loader's batches pulled but not yet issued; a
 * client that pulls a request of another stream keeps it for that stream's client, so the
 * ranks' skew bounds it (TIMED_LOADER_MAX_BUFFERED).
 */
#include "timed_internal.h"

#include <string.h>

#include "util/mem.h"

/* ================================ request, group ================================ */

static int client_next(timed_t *t, uint32_t client, uint64_t latency, ts_err_t *err);

/* Closed loop: client issues requests of its current batch while it has fewer than `depth`
 * in flight (0: no limit); when the batch is issued and complete, it computes. */
static int client_fill(timed_t *t, uint32_t client, ts_err_t *err)
{
    timed_client_t *c = &t->cl[client];
    uint32_t depth = t->cfg->batch_groups ? t->cfg->depth : 0;
    c->issuing = true;
    while (c->in_batch && (!depth || c->pending < depth)) {
        ts_req_t r;
        bool got;
        int rc = ts__timed_read(t, &r, &got, err);
        if (rc)
            return rc;
        if (!got) {
            c->in_batch = false;
            break;
        }
        if (c->n_batch++ == 0 && c->after_think)
            t->out->compute_ns += t->cfg->think_ns;
        c->pending++;
        if (!t->cfg->batch_groups || (r.flags & TS_REQ_GROUP_END))
            c->in_batch = false;
        if ((rc = ts__timed_issue(t, &r, client, TIMED_NONE, err)) != 0)
            return rc;
    }
    c->issuing = false;
    if (c->in_batch || c->pending || c->n_batch == 0)
        return 0;
    c->n_batch = 0; /* done: a later completion must not end it again */
    return client_next(t, client, ts_des_now(t->q) - c->start_ns, err);
}

/* Closed loop: client starts its next batch (one request, or a group), if any is left.
 * after_think says it has just computed for think_ns (every batch but its first). */
static int client_issue(timed_t *t, uint32_t client, bool after_think, ts_err_t *err)
{
    timed_client_t *c = &t->cl[client];
    c->start_ns = ts_des_now(t->q);
    c->in_batch = true;
    c->n_batch = 0;
    c->after_think = after_think;
    return client_fill(t, client, err);
}

/* A client's request ended: it computes for think_ns, then issues again. The compute
 * counts only when a request follows it (the run ends with the last request). */
static int client_next(timed_t *t, uint32_t client, uint64_t latency, ts_err_t *err)
{
    t->out->stall_ns += latency;
    if (t->reader_done)
        return 0;
    return ts_des_schedule(t->q, ts_des_now(t->q) + t->cfg->think_ns,
                           ts_des_tag(t->k_client, client), err);
}

/* ================================ loader ================================ */

#define TIMED_LOADER_MAX_BUFFERED (1u << 24)
#define TIMED_LOADER_MAX_WORKERS 4096u

/* A batch, or a checkpoint step: requests pulled (len), issued (next), completed (done). */
typedef struct timed_unit {
    ts_req_t *req;   /* [cap] */
    uint32_t cap, len, next, done;
    uint64_t before; /* a checkpoint step: the batch it comes before */
    bool closed;     /* its last request has been pulled */
} timed_unit_t;

enum { MAIN_WAIT, MAIN_COMPUTE, MAIN_DONE };

typedef struct timed_loader {
    timed_unit_t *batch;   /* ring over batch indices [consumed, n_batches): [cap_b] */
    uint64_t cap_b;        /* a power of two */
    uint64_t n_batches;    /* batches begun (the last may be open) */
    uint64_t consumed;     /* batches the training loop has taken */
    timed_unit_t *sync;    /* ring of checkpoint steps [sync_head, sync_tail): [cap_s] */
    uint64_t cap_s, sync_head, sync_tail;
    uint64_t *wk_batch;    /* per worker: the batch it reads */
    bool *wk_busy;         /* per worker: a read in flight */
    bool last_is_sync;     /* the unit begun last is a checkpoint step (else a batch) */
    bool in_progress;      /* loader_progress is running: completions only count */
    int main;              /* MAIN_* */
    uint64_t wait_from;    /* MAIN_WAIT: when the loop began waiting */
    bool computed;         /* it has ended a compute */
    uint64_t first_end;    /* end of its first compute */
    uint64_t last_end;     /* end of its latest compute */
    uint64_t n_computed;   /* computes begun */
    uint64_t ticks;        /* issues, completions and takes: progress made */
} timed_loader_t;

static uint32_t loader_workers(const timed_t *t)
{
    return t->cfg->depth ? t->cfg->depth : 1;
}

/* Room for one more request in u. */
static int unit_reserve(timed_unit_t *u, ts_err_t *err)
{
    if (u->len < u->cap)
        return 0;
    uint32_t ncap = u->cap ? u->cap * 2 : 16;
    ts_req_t *nr = ncap > u->cap ? ts_realloc(u->req, (size_t)ncap * sizeof(*nr)) : NULL;
    if (!nr)
        return ts_err_set(err, TS_ENOMEM, "cannot hold a batch of %u requests", ncap);
    u->req = nr;
    u->cap = ncap;
    return 0;
}

/* Doubles a ring of units whose live span [lo, hi) fills it (index i at slot i & (cap-1)).
 * Pointers into the ring do not survive it: take them again after anything that pulls. */
static int ring_grow(timed_unit_t **ring, uint64_t *cap, uint64_t lo, uint64_t hi,
                     ts_err_t *err)
{
    uint64_t ncap = *cap ? *cap * 2 : 8;
    timed_unit_t *nr = ncap <= (1u << 30) ? ts_calloc(ncap, sizeof(*nr)) : NULL;
    if (!nr)
        return ts_err_set(err, TS_ENOMEM, "cannot hold %llu batches of a data loader",
                          (unsigned long long)ncap);
    for (uint64_t i = lo; i < hi; i++) /* full: every slot is live, and moves */
        nr[i & (ncap - 1)] = (*ring)[i & (*cap - 1)];
    ts_free(*ring);
    *ring = nr;
    *cap = ncap;
    return 0;
}

/* The slot of a new unit of ring [lo, hi), its buffer kept, its counts reset. */
static int unit_begin(timed_unit_t **ring, uint64_t *cap, uint64_t lo, uint64_t hi,
                      timed_unit_t **out, ts_err_t *err)
{
    if (hi - lo >= *cap) {
        int rc = ring_grow(ring, cap, lo, hi, err);
        if (rc)
            return rc;
    }
    timed_unit_t *u = &(*ring)[hi & (*cap - 1)];
    u->len = u->next = u->done = 0;
    u->before = 0;
    u->closed = false;
    *out = u;
    return 0;
}

/* Gives request r to its client's loader: a checkpoint request to its open checkpoint step
 * (or a new one), any other to its open batch (or a new one); a group end closes it. */
static int loader_route(timed_t *t, const ts_req_t *r, ts_err_t *err)
{
    timed_loader_t *l = &t->ld[r->stream % t->cfg->clients];
    bool sync = r->flags & TS_REQ_CHECKPOINT;
    timed_unit_t *u = NULL;
    int rc;
    if (sync) {
        if (l->n_batches && !l->last_is_sync) /* a checkpoint ends the batch before it */
            l->batch[(l->n_batches - 1) & (l->cap_b - 1)].closed = true;
        if (l->last_is_sync && l->sync_tail > l->sync_head &&
            !l->sync[(l->sync_tail - 1) & (l->cap_s - 1)].closed)
            u = &l->sync[(l->sync_tail - 1) & (l->cap_s - 1)];
        else {
            if ((rc = unit_begin(&l->sync, &l->cap_s, l->sync_head, l->sync_tail, &u, err)))
                return rc;
            u->before = l->n_batches;
            l->sync_tail++;
        }
    } else {
        if (l->last_is_sync && l->sync_tail > l->sync_head)
            l->sync[(l->sync_tail - 1) & (l->cap_s - 1)].closed = true;
        if (!l->last_is_sync && l->n_batches > l->consumed &&
            !l->batch[(l->n_batches - 1) & (l->cap_b - 1)].closed)
            u = &l->batch[(l->n_batches - 1) & (l->cap_b - 1)];
        else {
            if ((rc = unit_begin(&l->batch, &l->cap_b, l->consumed, l->n_batches, &u, err)))
                return rc;
            l->n_batches++;
        }
    }
    l->last_is_sync = sync;
    if ((rc = unit_reserve(u, err)) != 0)
        return rc;
    u->req[u->len++] = *r;
    if (!sync && (r->flags & TS_REQ_GROUP_END))
        u->closed = true;
    if (++t->ld_buffered > TIMED_LOADER_MAX_BUFFERED)
        return ts_err_set(err, TS_ENOMEM,
                          "the data loaders hold %u requests read ahead for clients that wait "
                          "on others; does the trace end its batches (groups), and do its "
                          "streams (%u clients: stream mod clients) read alike?",
                          TIMED_LOADER_MAX_BUFFERED, t->cfg->clients);
    return 0;
}

/* Pulls the next trace request into its client's loader; at the trace's end closes every
 * loader's open units and sets *more false. */
static int loader_pull(timed_t *t, bool *more, ts_err_t *err)
{
    ts_req_t r;
    int rc = ts__timed_read(t, &r, more, err);
    if (rc || *more)
        return rc ? rc : loader_route(t, &r, err);
    for (uint32_t c = 0; c < t->cfg->clients; c++) {
        timed_loader_t *l = &t->ld[c];
        if (l->n_batches > l->consumed)
            l->batch[(l->n_batches - 1) & (l->cap_b - 1)].closed = true;
        if (l->sync_tail > l->sync_head)
            l->sync[(l->sync_tail - 1) & (l->cap_s - 1)].closed = true;
    }
    return 0;
}

/* Issues u's next request for client (worker: the issuer); it may complete at once. */
static int unit_issue(timed_t *t, timed_loader_t *l, timed_unit_t *u, uint32_t client,
                      uint32_t worker, ts_err_t *err)
{
    ts_req_t r = u->req[u->next++];
    t->ld_buffered--;
    l->ticks++;
    return ts__timed_issue(t, &r, client, worker, err);
}

/* Worker w of client reads on: the next sample of its batch, or the next batch of its own
 * once that one has arrived whole, while the loader's window allows. */
static int worker_step(timed_t *t, uint32_t client, uint32_t w, ts_err_t *err)
{
    timed_loader_t *l = &t->ld[client];
    uint64_t window = (uint64_t)loader_workers(t) * t->cfg->prefetch_factor;
    while (!l->wk_busy[w]) {
        uint64_t b = l->wk_batch[w];
        if (b >= l->consumed + window)
            return 0;
        bool more = true;
        int rc = 0;
        while (rc == 0 && b >= l->n_batches && more) /* the batch is not in the trace yet */
            rc = loader_pull(t, &more, err);
        if (rc || b >= l->n_batches)
            return rc;
        if (b < l->consumed) { /* taken already: its worker has not moved on yet */
            l->wk_batch[w] += loader_workers(t);
            continue;
        }
        /* its next sample may not be in the trace yet either (a pull may move the ring) */
        while (rc == 0 && l->batch[b & (l->cap_b - 1)].next == l->batch[b & (l->cap_b - 1)].len &&
               !l->batch[b & (l->cap_b - 1)].closed)
            rc = loader_pull(t, &more, err);
        if (rc)
            return rc;
        timed_unit_t *u = &l->batch[b & (l->cap_b - 1)];
        if (u->next == u->len) { /* read whole (closed): on to this worker's next batch */
            l->wk_batch[w] += loader_workers(t);
            continue;
        }
        l->wk_busy[w] = true;
        if ((rc = unit_issue(t, l, u, client, w, err)) != 0)
            return rc;
    }
    return 0;
}

/* The training loop: a checkpoint step due before the next batch is issued and waited for;
 * the next batch, once whole, is taken and computed. */
static int main_step(timed_t *t, uint32_t client, ts_err_t *err)
{
    timed_loader_t *l = &t->ld[client];
    uint64_t now = ts_des_now(t->q);
    int rc = 0;
    bool more = true;
    while (l->main == MAIN_WAIT) {
        if (l->sync_head < l->sync_tail &&
            l->sync[l->sync_head & (l->cap_s - 1)].before == l->consumed) {
            uint32_t depth = loader_workers(t);
            timed_unit_t *s = &l->sync[l->sync_head & (l->cap_s - 1)];
            while (rc == 0 && s->next - s->done < depth && (s->next < s->len || !s->closed)) {
                if (s->next == s->len)
                    rc = loader_pull(t, &more, err);
                else
                    rc = unit_issue(t, l, s, client, TIMED_SYNC, err);
                s = &l->sync[l->sync_head & (l->cap_s - 1)]; /* a pull may move the ring */
            }
            if (rc || !s->closed || s->done < s->len)
                return rc;
            l->sync_head++; /* done: the loop goes on to the next batch */
            l->ticks++;
            continue;
        }
        if (l->consumed == l->n_batches) { /* the next batch is not in the trace yet */
            if (!more || t->reader_done) {
                if (l->sync_head == l->sync_tail) { /* nothing is left: the client ends */
                    l->main = MAIN_DONE;
                    t->out->stall_ns += now - l->wait_from;
                }
                return 0;
            }
            rc = loader_pull(t, &more, err);
            if (rc)
                return rc;
            continue;
        }
        timed_unit_t *u = &l->batch[l->consumed & (l->cap_b - 1)];
        if (!u->closed || u->done < u->len)
            return 0; /* it is still being read */
        l->consumed++; /* taken: its compute begins, and a batch more may be read ahead */
        l->ticks++;
        l->n_computed++;
        l->main = MAIN_COMPUTE;
        t->out->stall_ns += now - l->wait_from;
        t->out->compute_ns += t->cfg->think_ns;
        return ts_des_schedule(t->q, now + t->cfg->think_ns, ts_des_tag(t->k_client, client),
                               err);
    }
    return 0;
}

/* Moves client's loader and training loop on until neither can: issues may complete at once
 * (a hit that needs no job), which lets a worker or the loop go on. */
static int loader_progress(timed_t *t, uint32_t client, ts_err_t *err)
{
    timed_loader_t *l = &t->ld[client];
    uint32_t nw = loader_workers(t);
    int rc = 0;
    l->in_progress = true;
    for (uint64_t before = l->ticks - 1; rc == 0 && before != l->ticks;) {
        before = l->ticks;
        rc = main_step(t, client, err);
        for (uint32_t w = 0; rc == 0 && w < nw; w++)
            rc = worker_step(t, client, w, err);
    }
    l->in_progress = false;
    return rc;
}

static int loader_done(timed_t *t, uint32_t client, uint32_t worker, ts_err_t *err)
{
    timed_loader_t *l = &t->ld[client];
    l->ticks++;
    if (worker == TIMED_SYNC)
        l->sync[l->sync_head & (l->cap_s - 1)].done++;
    else {
        l->wk_busy[worker] = false;
        l->batch[l->wk_batch[worker] & (l->cap_b - 1)].done++;
    }
    return l->in_progress ? 0 : loader_progress(t, client, err);
}

/* A compute ended: the loop waits for its next batch. */
static int loader_computed(timed_t *t, uint32_t client, ts_err_t *err)
{
    timed_loader_t *l = &t->ld[client];
    uint64_t now = ts_des_now(t->q);
    if (!l->computed)
        l->first_end = now;
    l->computed = true;
    l->last_end = now;
    l->main = MAIN_WAIT;
    l->wait_from = now;
    return loader_progress(t, client, err);
}

/* ================================ the clients ================================ */

int ts__timed_clients_create(timed_t *t, ts_err_t *err)
{
    uint32_t n = t->cfg->clients;
    if (!(t->cl = ts_calloc(n, sizeof(*t->cl))))
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %u clients", n);
    if (!t->cfg->loader)
        return 0;
    if (t->cfg->prefetch_factor == 0)
        return ts_err_set(err, TS_EINVAL, "a data loader needs prefetch_factor >= 1");
    uint32_t nw = loader_workers(t);
    if (nw > TIMED_LOADER_MAX_WORKERS) /* each event walks a client's workers */
        return ts_err_set(err, TS_EINVAL, "timed.depth: a data loader of %u workers; at most %u", nw,
                          TIMED_LOADER_MAX_WORKERS);
    if (!(t->ld = ts_calloc(n, sizeof(*t->ld))))
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %u data loaders", n);
    for (uint32_t c = 0; c < n; c++) {
        timed_loader_t *l = &t->ld[c];
        l->wk_batch = ts_calloc(nw, sizeof(*l->wk_batch));
        l->wk_busy = ts_calloc(nw, sizeof(*l->wk_busy));
        if (!l->wk_batch || !l->wk_busy)
            return ts_err_set(err, TS_ENOMEM, "cannot allocate %u loader workers", nw);
        for (uint32_t w = 0; w < nw; w++)
            l->wk_batch[w] = w;
    }
    return 0;
}

static void units_free(timed_unit_t *ring, uint64_t cap)
{
    for (uint64_t i = 0; ring && i < cap; i++)
        ts_free(ring[i].req);
    ts_free(ring);
}

void ts__timed_clients_free(timed_t *t)
{
    for (uint32_t c = 0; t->ld && c < t->cfg->clients; c++) {
        units_free(t->ld[c].batch, t->ld[c].cap_b);
        units_free(t->ld[c].sync, t->ld[c].cap_s);
        ts_free(t->ld[c].wk_batch);
        ts_free(t->ld[c].wk_busy);
    }
    ts_free(t->ld);
    ts_free(t->cl);
}

int ts__timed_on_start(void *ctx, uint32_t client, ts_err_t *err)
{
    timed_t *t = ctx;
    if (t->ld) { /* the loop waits from the start for its first batch */
        t->ld[client].wait_from = ts_des_now(t->q);
        return loader_progress(t, client, err);
    }
    return client_issue(t, client, false, err);
}

int ts__timed_on_client(void *ctx, uint32_t client, ts_err_t *err)
{
    timed_t *t = ctx;
    return t->ld ? loader_computed(t, client, err) : client_issue(t, client, true, err);
}

int ts__timed_client_done(timed_t *t, uint32_t client, uint32_t worker, ts_err_t *err)
{
    if (t->ld)
        return loader_done(t, client, worker, err);
    timed_client_t *c = &t->cl[client];
    c->pending--;
    return c->issuing ? 0 : client_fill(t, client, err);
}

void ts__timed_clients_result(timed_t *t)
{
    ts_timed_result_t *o = t->out;
    uint64_t busy = o->compute_ns + o->stall_ns;
    o->utilisation = busy ? (double)o->compute_ns / (double)busy : 0;
    if (!t->ld)
        return;
    double compute = 0, window = 0; /* DLIO's AU: each client's first step left out */
    for (uint32_t c = 0; c < t->cfg->clients; c++) {
        const timed_loader_t *l = &t->ld[c];
        if (l->n_computed < 2)
            continue;
        compute += (double)(l->n_computed - 1) * (double)t->cfg->think_ns;
        window += (double)(l->last_end - l->first_end);
    }
    if (window > 0)
        o->utilisation = compute / window;
}
