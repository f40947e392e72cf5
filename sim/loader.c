/* SPDX-License-Identifier: MIT */
/*
 * loader.c - data-parallel training ranks with a data loader (see loader.h for the rules).
 *
 * Per client: a ring of batches [consumed, n_batches) and a ring of checkpoint steps
 * [sync_head, sync_tail), each a unit of requests pulled (len), issued (next) and completed
 * (done); per worker the batch it reads and whether a read is in flight. Progress is a loop
 * over the training loop's step and the workers' steps until neither moves (an issue may
 * complete at once, which lets another go on).
 */
#include "loader.h"

#include "util/mem.h"

/* A batch, or a checkpoint step: requests pulled (len), issued (next), completed (done). */
typedef struct ld_unit {
    ts_req_t *req;   /* [cap] */
    uint32_t cap, len, next, done;
    uint64_t before; /* a checkpoint step: the batch it comes before */
    bool closed;     /* its last request has been pulled */
} ld_unit_t;

enum { MAIN_WAIT, MAIN_COMPUTE, MAIN_DONE };

typedef struct ld_client {
    ld_unit_t *batch;      /* ring over batch indices [consumed, n_batches): [cap_b] */
    uint64_t cap_b;        /* a power of two */
    uint64_t n_batches;    /* batches begun (the last may be open) */
    uint64_t consumed;     /* batches the training loop has taken */
    ld_unit_t *sync;       /* ring of checkpoint steps [sync_head, sync_tail): [cap_s] */
    uint64_t cap_s, sync_head, sync_tail;
    uint64_t *wk_batch;    /* per worker: the batch it reads */
    bool *wk_busy;         /* per worker: a read in flight */
    bool last_is_sync;     /* the unit begun last is a checkpoint step (else a batch) */
    bool in_progress;      /* ld_progress is running: completions only count */
    int main;              /* MAIN_* */
    uint64_t wait_from;    /* MAIN_WAIT: when the loop began waiting */
    bool computed;         /* it has ended a compute */
    uint64_t first_end;    /* end of its first compute */
    uint64_t last_end;     /* end of its latest compute */
    uint64_t n_computed;   /* computes begun */
    uint64_t compute_from; /* MAIN_COMPUTE: when the compute began */
    uint64_t au_compute;   /* computes after the first, as long as each took */
    uint64_t ticks;        /* issues, completions and takes: progress made */
} ld_client_t;

struct ts_loader {
    ts_loader_config_t cfg;
    const ts_loader_ops_t *ops;
    void *ctx;
    uint32_t nw;          /* workers per client */
    ld_client_t *cl;      /* [clients] */
    uint64_t buffered;    /* requests pulled, not yet issued */
    bool ended;           /* the trace is read */
    uint64_t compute_ns;  /* computes ended, summed */
    uint64_t stall_ns;    /* waits for batches and checkpoints, summed */
};

/* Room for one more request in u. */
static int unit_reserve(ld_unit_t *u, ts_err_t *err)
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
static int ring_grow(ld_unit_t **ring, uint64_t *cap, uint64_t lo, uint64_t hi, ts_err_t *err)
{
    uint64_t ncap = *cap ? *cap * 2 : 8;
    ld_unit_t *nr = ncap <= (1u << 30) ? ts_calloc(ncap, sizeof(*nr)) : NULL;
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
static int unit_begin(ld_unit_t **ring, uint64_t *cap, uint64_t lo, uint64_t hi, ld_unit_t **out,
                      ts_err_t *err)
{
    if (hi - lo >= *cap) {
        int rc = ring_grow(ring, cap, lo, hi, err);
        if (rc)
            return rc;
    }
    ld_unit_t *u = &(*ring)[hi & (*cap - 1)];
    u->len = u->next = u->done = 0;
    u->before = 0;
    u->closed = false;
    *out = u;
    return 0;
}

static ld_unit_t *ld_batch(const ld_client_t *c, uint64_t b)
{
    return &c->batch[b & (c->cap_b - 1)];
}

static ld_unit_t *ld_sync(const ld_client_t *c, uint64_t s)
{
    return &c->sync[s & (c->cap_s - 1)];
}

/* Gives request r to its client's loader: a checkpoint request to its open checkpoint step
 * (or a new one), any other to its open batch (or a new one); a group end closes it. */
static int ld_route(ts_loader_t *l, const ts_req_t *r, ts_err_t *err)
{
    ld_client_t *c = &l->cl[r->stream % l->cfg.clients];
    bool sync = r->flags & TS_REQ_CHECKPOINT;
    ld_unit_t *u = NULL;
    int rc;
    if (sync) {
        if (c->n_batches && !c->last_is_sync) /* a checkpoint ends the batch before it */
            ld_batch(c, c->n_batches - 1)->closed = true;
        if (c->last_is_sync && c->sync_tail > c->sync_head &&
            !ld_sync(c, c->sync_tail - 1)->closed)
            u = ld_sync(c, c->sync_tail - 1);
        else {
            if ((rc = unit_begin(&c->sync, &c->cap_s, c->sync_head, c->sync_tail, &u, err)))
                return rc;
            u->before = c->n_batches;
            c->sync_tail++;
        }
    } else {
        if (c->last_is_sync && c->sync_tail > c->sync_head)
            ld_sync(c, c->sync_tail - 1)->closed = true;
        if (!c->last_is_sync && c->n_batches > c->consumed &&
            !ld_batch(c, c->n_batches - 1)->closed)
            u = ld_batch(c, c->n_batches - 1);
        else {
            if ((rc = unit_begin(&c->batch, &c->cap_b, c->consumed, c->n_batches, &u, err)))
                return rc;
            c->n_batches++;
        }
    }
    c->last_is_sync = sync;
    if ((rc = unit_reserve(u, err)) != 0)
        return rc;
    u->req[u->len++] = *r;
    if (!sync && (r->flags & TS_REQ_GROUP_END))
        u->closed = true;
    if (++l->buffered > TS_LOADER_MAX_BUFFERED)
        return ts_err_set(err, TS_ENOMEM,
                          "the data loaders hold %u requests read ahead for clients that wait "
                          "on others; does the trace end its batches (groups), and do its "
                          "streams (%u clients: stream mod clients) read alike?",
                          TS_LOADER_MAX_BUFFERED, l->cfg.clients);
    return 0;
}

/* Pulls the next trace request into its client's loader; at the trace's end closes every
 * loader's open units and sets *more false. */
static int ld_pull(ts_loader_t *l, bool *more, ts_err_t *err)
{
    ts_req_t r;
    int rc = l->ended ? 0 : l->ops->pull(l->ctx, &r, more, err);
    if (l->ended)
        *more = false;
    if (rc || *more)
        return rc ? rc : ld_route(l, &r, err);
    l->ended = true;
    for (uint32_t k = 0; k < l->cfg.clients; k++) {
        ld_client_t *c = &l->cl[k];
        if (c->n_batches > c->consumed)
            ld_batch(c, c->n_batches - 1)->closed = true;
        if (c->sync_tail > c->sync_head)
            ld_sync(c, c->sync_tail - 1)->closed = true;
    }
    return 0;
}

/* Issues u's next request for client (worker: the issuer); it may complete at once, or be
 * refused (TS_LOADER_BUSY: nothing changes). */
static int unit_issue(ts_loader_t *l, ld_unit_t *u, uint32_t client, uint32_t worker,
                      ts_err_t *err)
{
    ld_client_t *c = &l->cl[client];
    ts_req_t r = u->req[u->next++];
    l->buffered--;
    c->ticks++;
    int rc = l->ops->issue(l->ctx, &r, client, worker, err);
    if (rc == TS_LOADER_BUSY) {
        u->next--;
        l->buffered++;
        c->ticks--;
    }
    return rc;
}

/* Worker w of client reads on: the next sample of its batch, or the next batch of its own
 * once that one has arrived whole, while the loader's window allows. */
static int worker_step(ts_loader_t *l, uint32_t client, uint32_t w, ts_err_t *err)
{
    ld_client_t *c = &l->cl[client];
    uint64_t window = (uint64_t)l->nw * l->cfg.prefetch_factor;
    while (!c->wk_busy[w]) {
        uint64_t b = c->wk_batch[w];
        if (b >= c->consumed + window)
            return 0;
        bool more = true;
        int rc = 0;
        while (rc == 0 && b >= c->n_batches && more) /* the batch is not in the trace yet */
            rc = ld_pull(l, &more, err);
        if (rc || b >= c->n_batches)
            return rc;
        if (b < c->consumed) { /* taken already: its worker has not moved on yet */
            c->wk_batch[w] += l->nw;
            continue;
        }
        /* its next sample may not be in the trace yet either (a pull may move the ring) */
        while (rc == 0 && ld_batch(c, b)->next == ld_batch(c, b)->len && !ld_batch(c, b)->closed)
            rc = ld_pull(l, &more, err);
        if (rc)
            return rc;
        ld_unit_t *u = ld_batch(c, b);
        if (u->next == u->len) { /* read whole (closed): on to this worker's next batch */
            c->wk_batch[w] += l->nw;
            continue;
        }
        c->wk_busy[w] = true;
        rc = unit_issue(l, u, client, w, err);
        if (rc == TS_LOADER_BUSY) {
            c->wk_busy[w] = false;
            return 0;
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* The training loop: a checkpoint step due before the next batch is issued and waited for;
 * the next batch, once whole, is taken and computed. */
static int main_step(ts_loader_t *l, uint32_t client, uint64_t now, ts_err_t *err)
{
    ld_client_t *c = &l->cl[client];
    int rc = 0;
    bool more = true;
    while (c->main == MAIN_WAIT) {
        if (c->sync_head < c->sync_tail && ld_sync(c, c->sync_head)->before == c->consumed) {
            ld_unit_t *s = ld_sync(c, c->sync_head);
            while (rc == 0 && s->next - s->done < l->nw && (s->next < s->len || !s->closed)) {
                if (s->next == s->len)
                    rc = ld_pull(l, &more, err);
                else if ((rc = unit_issue(l, s, client, TS_LOADER_SYNC, err)) == TS_LOADER_BUSY)
                    return 0;
                s = ld_sync(c, c->sync_head); /* a pull may move the ring */
            }
            if (rc || !s->closed || s->done < s->len)
                return rc;
            c->sync_head++; /* done: the loop goes on to the next batch */
            c->ticks++;
            continue;
        }
        if (c->consumed == c->n_batches) { /* the next batch is not in the trace yet */
            if (!more || l->ended) {
                if (c->sync_head == c->sync_tail) { /* nothing is left: the client ends */
                    c->main = MAIN_DONE;
                    l->stall_ns += now - c->wait_from;
                }
                return 0;
            }
            if ((rc = ld_pull(l, &more, err)) != 0)
                return rc;
            continue;
        }
        ld_unit_t *u = ld_batch(c, c->consumed);
        if (!u->closed || u->done < u->len)
            return 0; /* it is still being read */
        c->consumed++; /* taken: its compute begins, and a batch more may be read ahead */
        c->ticks++;
        c->n_computed++;
        c->main = MAIN_COMPUTE;
        l->stall_ns += now - c->wait_from;
        c->compute_from = now;
        return l->ops->compute(l->ctx, client, now + l->cfg.think_ns, err);
    }
    return 0;
}

int ts_loader_kick(ts_loader_t *l, uint32_t client, uint64_t now, ts_err_t *err)
{
    ld_client_t *c = &l->cl[client];
    int rc = 0;
    c->in_progress = true;
    for (uint64_t before = c->ticks - 1; rc == 0 && before != c->ticks;) {
        before = c->ticks;
        rc = main_step(l, client, now, err);
        for (uint32_t w = 0; rc == 0 && w < l->nw; w++)
            rc = worker_step(l, client, w, err);
    }
    c->in_progress = false;
    return rc;
}

void ts_loader_count_done(ts_loader_t *l, uint32_t client, uint32_t worker)
{
    ld_client_t *c = &l->cl[client];
    c->ticks++;
    if (worker == TS_LOADER_SYNC)
        ld_sync(c, c->sync_head)->done++;
    else {
        c->wk_busy[worker] = false;
        ld_batch(c, c->wk_batch[worker])->done++;
    }
}

int ts_loader_done(ts_loader_t *l, uint32_t client, uint32_t worker, uint64_t now,
                   ts_err_t *err)
{
    ts_loader_count_done(l, client, worker);
    return l->cl[client].in_progress ? 0 : ts_loader_kick(l, client, now, err);
}

int ts_loader_computed(ts_loader_t *l, uint32_t client, uint64_t now, ts_err_t *err)
{
    ld_client_t *c = &l->cl[client];
    l->compute_ns += now - c->compute_from; /* think_ns, or on a clock the wait it took */
    if (c->computed)
        c->au_compute += now - c->compute_from;
    else
        c->first_end = now;
    c->computed = true;
    c->last_end = now;
    c->main = MAIN_WAIT;
    c->wait_from = now;
    return ts_loader_kick(l, client, now, err);
}

int ts_loader_start(ts_loader_t *l, uint32_t client, uint64_t now, ts_err_t *err)
{
    l->cl[client].wait_from = now; /* the loop waits from the start for its first batch */
    return ts_loader_kick(l, client, now, err);
}

bool ts_loader_finished(const ts_loader_t *l)
{
    for (uint32_t k = 0; k < l->cfg.clients; k++)
        if (l->cl[k].main != MAIN_DONE)
            return false;
    return true;
}

uint64_t ts_loader_buffered(const ts_loader_t *l)
{
    return l->buffered;
}

uint32_t ts_loader_workers(const ts_loader_t *l)
{
    return l->nw;
}

void ts_loader_totals(const ts_loader_t *l, ts_loader_totals_t *out)
{
    double compute = 0, window = 0; /* DLIO's AU: each client's first step left out */
    for (uint32_t k = 0; k < l->cfg.clients; k++) {
        const ld_client_t *c = &l->cl[k];
        if (c->n_computed < 2)
            continue;
        compute += (double)c->au_compute;
        window += (double)(c->last_end - c->first_end);
    }
    out->compute_ns = l->compute_ns;
    out->stall_ns = l->stall_ns;
    out->has_au = window > 0;
    out->au = window > 0 ? compute / window : 0;
}

int ts_loader_create(const ts_loader_config_t *cfg, const ts_loader_ops_t *ops, void *ctx,
                     ts_loader_t **out, ts_err_t *err)
{
    *out = NULL;
    if (cfg->clients == 0)
        return ts_err_set(err, TS_EINVAL, "a data loader needs at least one client");
    if (cfg->prefetch_factor == 0)
        return ts_err_set(err, TS_EINVAL, "a data loader needs prefetch_factor >= 1");
    uint32_t nw = cfg->workers ? cfg->workers : 1;
    if (nw > TS_LOADER_MAX_WORKERS)
        return ts_err_set(err, TS_EINVAL, "timed.depth: a data loader of %u workers; at most %u",
                          nw, TS_LOADER_MAX_WORKERS);
    ts_loader_t *l = ts_calloc(1, sizeof(*l));
    if (!l || !(l->cl = ts_calloc(cfg->clients, sizeof(*l->cl)))) {
        ts_free(l);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %u data loaders", cfg->clients);
    }
    l->cfg = *cfg;
    l->ops = ops;
    l->ctx = ctx;
    l->nw = nw;
    for (uint32_t k = 0; k < cfg->clients; k++) {
        ld_client_t *c = &l->cl[k];
        c->wk_batch = ts_calloc(nw, sizeof(*c->wk_batch));
        c->wk_busy = ts_calloc(nw, sizeof(*c->wk_busy));
        if (!c->wk_batch || !c->wk_busy) {
            ts_loader_free(l);
            return ts_err_set(err, TS_ENOMEM, "cannot allocate %u loader workers", nw);
        }
        for (uint32_t w = 0; w < nw; w++)
            c->wk_batch[w] = w;
    }
    *out = l;
    return 0;
}

static void units_free(ld_unit_t *ring, uint64_t cap)
{
    for (uint64_t i = 0; ring && i < cap; i++)
        ts_free(ring[i].req);
    ts_free(ring);
}

void ts_loader_free(ts_loader_t *l)
{
    if (!l)
        return;
    for (uint32_t k = 0; l->cl && k < l->cfg.clients; k++) {
        units_free(l->cl[k].batch, l->cl[k].cap_b);
        units_free(l->cl[k].sync, l->cl[k].cap_s);
        ts_free(l->cl[k].wk_batch);
        ts_free(l->cl[k].wk_busy);
    }
    ts_free(l->cl);
    ts_free(l);
}
