/* SPDX-License-Identifier: MIT */
/*
 * timed_client.c - the timed engine's closed loop: clients that issue, wait and compute.
 *
 * Three kinds of client (timed.batch):
 *   request, group: the client issues its next request (or the requests of its next group, at
 *     most `depth` in flight), waits until all have completed, computes for think_ns, and
 *     issues again. Requests go to clients in trace order. Utilisation = compute / (compute +
 *     stall), every wait counted.
 *   loader: a data-parallel rank with a PyTorch-style data loader, as DLIO runs it
 *     (sim/loader.h: workers reading batches ahead while the rank computes, checkpoint steps,
 *     DLIO's AU); here its compute ends are events of the simulated clock.
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

static int loader_pull(void *ctx, ts_req_t *r, bool *got, ts_err_t *err)
{
    return ts__timed_read(ctx, r, got, err);
}

static int loader_issue(void *ctx, const ts_req_t *r, uint32_t client, uint32_t worker,
                        ts_err_t *err)
{
    return ts__timed_issue(ctx, r, client, worker, err);
}

static int loader_compute(void *ctx, uint32_t client, uint64_t end_ns, ts_err_t *err)
{
    timed_t *t = ctx;
    return ts_des_schedule(t->q, end_ns, ts_des_tag(t->k_client, client), err);
}

static const ts_loader_ops_t k_loader_ops = {
    .pull = loader_pull, .issue = loader_issue, .compute = loader_compute};

/* ================================ the clients ================================ */

int ts__timed_clients_create(timed_t *t, ts_err_t *err)
{
    uint32_t n = t->cfg->clients;
    if (!(t->cl = ts_calloc(n, sizeof(*t->cl))))
        return ts_err_set(err, TS_ENOMEM, "cannot allocate %u clients", n);
    if (!t->cfg->loader)
        return 0;
    ts_loader_config_t lc = {.clients = n,
                             .workers = t->cfg->depth,
                             .prefetch_factor = t->cfg->prefetch_factor,
                             .think_ns = t->cfg->think_ns};
    return ts_loader_create(&lc, &k_loader_ops, t, &t->ld, err);
}

void ts__timed_clients_free(timed_t *t)
{
    ts_loader_free(t->ld);
    ts_free(t->cl);
}

int ts__timed_on_start(void *ctx, uint32_t client, ts_err_t *err)
{
    timed_t *t = ctx;
    if (t->ld)
        return ts_loader_start(t->ld, client, ts_des_now(t->q), err);
    return client_issue(t, client, false, err);
}

int ts__timed_on_client(void *ctx, uint32_t client, ts_err_t *err)
{
    timed_t *t = ctx;
    return t->ld ? ts_loader_computed(t->ld, client, ts_des_now(t->q), err)
                 : client_issue(t, client, true, err);
}

int ts__timed_client_done(timed_t *t, uint32_t client, uint32_t worker, ts_err_t *err)
{
    if (t->ld)
        return ts_loader_done(t->ld, client, worker, ts_des_now(t->q), err);
    timed_client_t *c = &t->cl[client];
    c->pending--;
    return c->issuing ? 0 : client_fill(t, client, err);
}

void ts__timed_clients_result(timed_t *t)
{
    ts_timed_result_t *o = t->out;
    ts_loader_totals_t lt = {0};
    if (t->ld) {
        ts_loader_totals(t->ld, &lt);
        o->compute_ns += lt.compute_ns;
        o->stall_ns += lt.stall_ns;
    }
    uint64_t busy = o->compute_ns + o->stall_ns;
    o->utilisation = busy ? (double)o->compute_ns / (double)busy : 0;
    if (lt.has_au)
        o->utilisation = lt.au;
}
