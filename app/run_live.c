/* SPDX-License-Identifier: MIT */
/*
 * run_live.c - a live run of a scenario (run.h): the prediction, the checks that keep the
 * user's machine safe, the back-ends, the live engine.
 *
 * Order of work: the timed engine predicts the run (the same scenario, its trace times
 * divided by live.speed); one pass over the workload gives its objects, their bytes and the
 * largest; the back-ends' room is checked against the memory and the scratch directory's
 * free space before anything is written; the back-ends open (tiers, then the backing
 * store); the live engine populates the backing store and replays; the back-ends close
 * (their scratch files are removed unless kept).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../sim/live.h"
#include "../sim/util/io.h"
#include "../sim/util/mem.h"
#include "../sim/util/units.h"
#include "run.h"
#include "run_internal.h"

/* Refuses a run whose back-ends cannot have the room they will be asked for: memory
 * back-ends against the memory available, scratch files against the scratch directory's
 * free space (both with a tenth kept back). */
static int live_check_room(const ts_scenario_t *sc, const ts_backend_ctx_t *ctx, size_t n,
                           ts_err_t *err)
{
    uint64_t mem = 0, disk = 0;
    char mem_names[256] = "", disk_names[256] = "";
    for (size_t l = 0; l < n; l++) {
        const ts_backend_spec_t *b = l < sc->n_tiers ? &sc->tiers[l].backend : &sc->backing_backend;
        uint32_t f = b->ops->base.flags;
        bool file = (f & TS_BACKEND_PERSISTENT) != 0, gpu = (f & TS_BACKEND_GPU_MEMORY) != 0;
        if (gpu)
            continue; /* the GPU back-end checks its device's memory itself */
        uint64_t *sum = file ? &disk : &mem;
        char *names = file ? disk_names : mem_names;
        *sum += ctx[l].capacity;
        size_t k = strlen(names);
        snprintf(names + k, 256 - k, "%s%s", k ? ", " : "", ctx[l].tier);
    }
    char a[32], b[32];
    uint64_t avail = ts_mem_available_bytes();
    if (mem && avail && mem > avail / 10 * 9)
        return ts_err_set(err, TS_ENOSPC,
                          "the memory back-ends (%s) need %s and the system has %s available: "
                          "make them smaller, or the workload",
                          mem_names, ts_format_size(mem, 1, a, sizeof(a)),
                          ts_format_size(avail, 1, b, sizeof(b)));
    uint64_t room;
    if (disk && sc->live.scratch[0]) {
        int rc = ts_io_room(sc->live.scratch, &room, NULL, err);
        if (rc) {
            ts_err_prefix(err, "live.scratch");
            return rc;
        }
        if (disk > room)
            return ts_err_set(err, TS_ENOSPC,
                              "the scratch files (%s) need up to %s and %s has %s free", disk_names,
                              ts_format_size(disk, 1, a, sizeof(a)), sc->live.scratch,
                              ts_format_size(room / 9 * 10, 1, b, sizeof(b)));
    }
    return 0;
}

int ts__run_live_prediction(const ts_scenario_t *sc, ts_result_t *res, ts_err_t *err)
{
    ts_scenario_t *p = ts_malloc(sizeof(*p));
    if (!p)
        return ts_err_set(err, TS_ENOMEM, "cannot copy the scenario for its prediction");
    memcpy(p, sc, sizeof(*p)); /* a view: nothing it owns is freed here */
    p->engine = TS_ENGINE_TIMED;
    p->timed.time_scale = sc->timed.time_scale / sc->live.speed;
    p->outputs.dir[0] = 0;
    ts_result_t pred;
    int rc = ts_run_with(p, NULL, &pred, err);
    ts_free(p);
    if (rc) {
        ts_err_prefix(err, "the timed engine's prediction");
        return rc;
    }
    res->timed = pred.timed;
    res->has_timed = pred.has_timed;
    memset(&pred.timed, 0, sizeof(pred.timed));
    ts_result_release(&pred);
    return 0;
}

int ts__run_live(const ts_scenario_t *sc, ts_hier_t *h, ts_reader_t *r, const ts_run_opts_t *opts,
                 ts_result_t *res, ts_err_t *err)
{
    ts_footprint_t fp = {.kept = ts_footprint_keep}; /* the engine populates from them */
    int rc = ts_footprint_scan(r, &fp, err);
    if (rc)
        return rc;
    uint64_t bytes = fp.bytes_largest, max = fp.largest;
    size_t n = sc->n_tiers + 1;
    ts_backend_ctx_t ctx[TS_TIMED_LEVELS];
    ts_live_config_t *cfg = ts_calloc(1, sizeof(*cfg));
    if (!cfg) {
        ts_free(fp.kept);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the live engine's set-up");
    }
    for (size_t l = 0; l < n; l++) {
        bool backing = l == sc->n_tiers;
        /* a tier's room: its capacity in bytes (objects mode: that many of the largest),
         * and one largest object more for the copies whose size differs from the model's
         * charge (a put of another size, a prefetcher's guessed size) */
        uint64_t cap = backing                     ? bytes
                       : sc->mode == TS_MODE_BYTES ? h->tiers[l]->capacity
                                                   : h->tiers[l]->capacity * max;
        ctx[l] = (ts_backend_ctx_t){.tier = backing ? "backing" : sc->tiers[l].name,
                                    .capacity = (cap ? cap : 1) + max,
                                    .max_object = max ? max : 1,
                                    .scratch = sc->live.scratch[0] ? sc->live.scratch : NULL,
                                    .keep = sc->live.keep,
                                    .raw_device = opts->raw_device};
        cfg->name[l] = ctx[l].tier;
    }
    if (sc->live.scratch[0] && (rc = ts_mkdir_p(sc->live.scratch, err)) != 0)
        ts_err_prefix(err, "live.scratch");
    if (rc == 0)
        rc = live_check_room(sc, ctx, n, err);
    for (size_t l = 0; rc == 0 && l < n; l++) {
        const ts_backend_spec_t *b = l < sc->n_tiers ? &sc->tiers[l].backend : &sc->backing_backend;
        rc = b->ops->open(b->params, &ctx[l], &cfg->be[l], err);
        if (rc)
            ts_err_prefix(err, "%s: back-end %s", ctx[l].tier, b->ops->base.name);
        else
            cfg->desc[l] = b->ops->base.name;
    }
    if (rc == 0) {
        cfg->arrivals = (ts_arrivals_t)sc->timed.arrivals;
        cfg->time_scale = sc->timed.time_scale;
        cfg->speed = sc->live.speed;
        cfg->clients = (uint32_t)sc->timed.clients;
        cfg->think_ns = sc->timed.think_ns;
        cfg->batch_groups = sc->timed.batch == TS_TIMED_BATCH_GROUP;
        cfg->depth = (uint32_t)sc->timed.depth;
        cfg->loader = sc->timed.batch == TS_TIMED_BATCH_LOADER;
        cfg->prefetch_factor = (uint32_t)sc->timed.prefetch_factor;
        cfg->au_target = sc->timed.au_target;
        cfg->verify = sc->live.verify;
        cfg->prefill_rate = sc->timed.prefill_rate; /* as the prediction's (run.c) */
        cfg->block_tokens = sc->timed.block_tokens;
        cfg->max_chains = (uint32_t)sc->live.chains;
        cfg->buffer_budget = sc->live.buffers;
        cfg->stop = opts->stop;
        cfg->progress = opts->progress;
        cfg->objects = fp.kept;
        cfg->n_objects = fp.objects;
        rc = ts_engine_live(h, r, cfg, &res->live, err);
        res->has_live = rc == 0;
    }
    for (size_t l = 0; l < n; l++)
        if (cfg->be[l])
            cfg->be[l]->ops->close(cfg->be[l]);
    ts_free(cfg);
    ts_free(fp.kept);
    return rc;
}
