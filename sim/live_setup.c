/* SPDX-License-Identifier: MIT */
/*
 * live_setup.c - the live engine before and after its replay (live_internal.h): the
 * configuration checked, the tables, histograms and chains made, the backing store
 * populated with the workload's objects; what was measured turned into the result.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "live_internal.h"
#include "util/mem.h"

/* Records key at size in the backing store's map, unless it is there at that size or more. */
static int live_note_object(live_t *e, uint64_t key, uint64_t size)
{
    live_copy_t *c = live_map_find(&e->map[e->n], key);
    if (size == 0 || (c && c->size >= size))
        return 0;
    if (size > e->max_object)
        e->max_object = size;
    return live_map_set(&e->map[e->n], key, size, 0, e->err);
}

/* The backing store's objects (each key at its largest size: the caller's footprint scan
 * found them, else the workload is read once for them), then writes them there (version
 * 0), synchronously. */
static int live_populate(live_t *e)
{
    live_map_t *m = &e->map[e->n];
    int rc = 0;
    if (e->cfg->objects) {
        for (size_t i = 0; rc == 0 && i < e->cfg->n_objects; i++)
            rc = live_note_object(e, e->cfg->objects[i].key, e->cfg->objects[i].size);
    } else {
        ts_req_t q;
        while ((rc = ts_reader_next(e->r, &q, e->err)) > 0)
            if (q.op != TS_OP_DELETE && (rc = live_note_object(e, q.key, q.size_bytes)) != 0)
                break;
        if (rc == 0)
            rc = ts_reader_reset(e->r, e->err);
    }
    if (rc < 0)
        return rc;
    uint8_t *buf = NULL;
    if (e->max_object && posix_memalign((void **)&buf, 4096, (size_t)e->max_object))
        return ts_err_set(e->err, TS_ENOMEM, "cannot allocate a buffer of %llu B",
                          (unsigned long long)e->max_object);
    ts_backend_t *b = e->cfg->be[e->n];
    uint64_t t0 = ts_backend_now_ns();
    for (uint32_t id = 0; rc == 0 && id < m->pool.n_live; id++) { /* none released yet */
        const live_copy_t *c = ts_pool_at(&m->pool, id);
        ts_live_make_object(buf, c->key, 0, c->size);
        ts_be_io_t io = {.op = TS_BE_WRITE, .key = c->key, .size = c->size, .buf = buf};
        rc = ts_backend_do(b, &io, e->err);
        if (rc)
            ts_err_prefix(e->err, "%s: writing the workload's objects",
                          e->cfg->name[e->n] ? e->cfg->name[e->n] : "backing store");
        e->out->populate_objects++;
        e->out->populate_bytes += c->size;
    }
    e->out->populate_s = (double)(ts_backend_now_ns() - t0) * 1e-9;
    free(buf);
    return rc;
}

int ts__live_setup(live_t *e)
{
    const ts_live_config_t *cfg = e->cfg;
    if (cfg->arrivals == TS_ARRIVALS_CLOSED && cfg->clients == 0)
        return ts_err_set(e->err, TS_EINVAL, "closed loop needs at least one client");
    if (cfg->arrivals == TS_ARRIVALS_OPEN && !(cfg->speed > 0 && cfg->time_scale >= 0))
        return ts_err_set(e->err, TS_EINVAL, "open loop needs a speed above 0");
    for (size_t l = 0; l <= e->n; l++) {
        if (!cfg->be[l])
            return ts_err_set(e->err, TS_EINVAL, "%s has no back-end",
                              cfg->name[l] ? cfg->name[l] : "a level");
        e->lv[l].async = (cfg->be[l]->ops->base.flags & TS_BACKEND_ASYNC) != 0;
    }
    int rc = 0;
    for (size_t l = 0; rc == 0 && l <= e->n; l++)
        rc = live_map_init(&e->map[l], l == e->n ? 4096 : 1024, e->err);
    for (size_t l = 0; rc == 0 && l <= e->n; l++) {
        rc = ts_hist_create(&e->lv[l].rd, e->err);
        if (rc == 0)
            rc = ts_hist_create(&e->lv[l].wr, e->err);
        if (rc == 0)
            rc = ts_hist_create(&e->h_served[l], e->err);
    }
    if (rc == 0)
        rc = ts_hist_create(&e->h_all, e->err);
    if (rc == 0)
        rc = ts_hist_create(&e->h_ttft, e->err);
    if (rc == 0)
        rc = ts_pool_init(&e->grp, sizeof(live_group_t), 64, e->err);
    for (int k = 0; rc == 0 && k < 2; k++)
        rc = ts_hist_create(&e->h_op[k], e->err);
    if (rc == 0)
        rc = ts_moves_init(&e->moves, 16, e->err);
    if (rc)
        return rc;
    rc = live_populate(e);
    if (rc)
        return rc;
    /* chains: as many as asked, as the buffer budget allows */
    uint32_t want = cfg->max_chains                       ? cfg->max_chains
                    : cfg->arrivals == TS_ARRIVALS_CLOSED && cfg->loader
                        ? 2 * cfg->clients * (cfg->depth ? cfg->depth : 1)
                    : cfg->arrivals == TS_ARRIVALS_CLOSED ? 2 * cfg->clients
                                                          : 64;
    uint64_t budget = cfg->buffer_budget ? cfg->buffer_budget : (1ull << 30);
    uint64_t per = 2 * (e->max_object ? e->max_object : 1);
    uint64_t fit = budget / per;
    if (fit < want)
        want = fit > 1 ? (uint32_t)fit : 1;
    if (cfg->arrivals == TS_ARRIVALS_CLOSED && want < 1)
        want = 1;
    e->ch = ts_calloc(want, sizeof(*e->ch));
    if (!e->ch)
        return ts_err_set(e->err, TS_ENOMEM, "cannot allocate %u chains", want);
    e->n_ch = want;
    size_t bsz = (size_t)((e->max_object + 4095) & ~4095ull);
    if (!bsz)
        bsz = 4096;
    for (uint32_t j = 0; j < want; j++)
        if (posix_memalign((void **)&e->ch[j].buf, 4096, bsz) ||
            posix_memalign((void **)&e->ch[j].vbuf, 4096, bsz))
            return ts_err_set(e->err, TS_ENOMEM,
                              "cannot allocate the buffers of %u chains "
                              "(%zu B each)",
                              want, bsz);
    if (cfg->arrivals == TS_ARRIVALS_CLOSED) {
        e->cl = ts_calloc(cfg->clients, sizeof(*e->cl));
        if (!e->cl)
            return ts_err_set(e->err, TS_ENOMEM, "cannot allocate %u clients", cfg->clients);
        for (uint32_t k = 0; k < cfg->clients; k++)
            e->cl[k].group = LIVE_NONE;
    }
    return 0;
}

int ts__live_results(live_t *e)
{
    ts_live_result_t *o = e->out;
    ts_timed_result_t *m = &o->m;
    const ts_live_config_t *cfg = e->cfg;
    m->span_ns = e->last_done_ns > e->start_ns ? e->last_done_ns - e->start_ns : 0;
    m->n_timed = e->h_all->n;
    double span_s = (double)m->span_ns * 1e-9;
    m->req_per_s = span_s > 0 ? (double)m->n_timed / span_s : 0;
    m->bytes_per_s = span_s > 0 ? (double)e->h->tot.bytes_req / span_s : 0;
    ts_loader_totals_t lt = {0};
    if (e->ld) {
        ts_loader_totals(e->ld, &lt);
        m->compute_ns += lt.compute_ns;
        m->stall_ns += lt.stall_ns;
    }
    uint64_t busy = m->compute_ns + m->stall_ns;
    m->utilisation = lt.has_au ? lt.au : busy ? (double)m->compute_ns / (double)busy : 0;
    int rc = ts_lat_fill(e->h_all, &m->all, e->err);
    for (int k = 0; rc == 0 && k < 2; k++)
        rc = ts_lat_fill(e->h_op[k], &m->op[k], e->err);
    if (rc == 0)
        rc = ts_lat_fill(e->h_ttft, &m->ttft, e->err);
    m->prefill_rate = cfg->prefill_rate;
    m->block_tokens = cfg->block_tokens;
    m->served = ts_calloc(e->n + 1, sizeof(*m->served));
    o->level = ts_calloc(e->n + 1, sizeof(*o->level));
    if (rc == 0 && (!m->served || !o->level))
        rc = ts_err_set(e->err, TS_ENOMEM, "cannot hold the figures of %zu levels", e->n + 1);
    if (rc)
        return rc;
    m->n_levels = o->n_levels = e->n + 1;
    for (size_t l = 0; rc == 0 && l <= e->n; l++) {
        rc = ts_lat_fill(e->h_served[l], &m->served[l], e->err);
        live_level_t *L = &e->lv[l];
        ts_live_level_t *d = &o->level[l];
        if (rc == 0)
            rc = ts_lat_fill(L->rd, &d->read, e->err);
        if (rc == 0)
            rc = ts_lat_fill(L->wr, &d->write, e->err);
        d->n_read = L->n_read;
        d->n_write = L->n_write;
        d->n_free = L->n_free;
        d->bytes_read = L->bytes_read;
        d->bytes_written = L->bytes_written;
        d->max_inflight = L->max_inflight;
        d->busy_s = (double)L->busy_ns * 1e-9;
        ts_backend_stats_t st = {0};
        cfg->be[l]->ops->stats(cfg->be[l], &st);
        d->direct = st.direct;
        d->emulated = st.emulated;
        if (rc == 0 &&
            !(d->backend = ts_strdup(cfg->desc[l] ? cfg->desc[l] : cfg->be[l]->ops->base.name)))
            rc = ts_err_set(e->err, TS_ENOMEM, "cannot name a back-end");
    }
    return rc;
}

void ts__live_free(live_t *e)
{
    for (size_t l = 0; l < TS_TIMED_LEVELS; l++) {
        live_map_free(&e->map[l]);
        ts_hist_destroy(e->lv[l].rd);
        ts_hist_destroy(e->lv[l].wr);
        ts_hist_destroy(e->h_served[l]);
    }
    ts_hist_destroy(e->h_all);
    ts_hist_destroy(e->h_ttft);
    ts_pool_free_all(&e->grp);
    ts_loader_free(e->ld);
    ts_hist_destroy(e->h_op[0]);
    ts_hist_destroy(e->h_op[1]);
    for (uint32_t j = 0; e->ch && j < e->n_ch; j++) {
        free(e->ch[j].buf);
        free(e->ch[j].vbuf);
        ts_free(e->ch[j].step);
        ts_free(e->ch[j].touch);
    }
    ts_free(e->ch);
    ts_free(e->cl);
    ts_moves_free(&e->moves);
}

double ts__live_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru))
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}
