/* SPDX-License-Identifier: MIT */
/*
 * config_live.c - the scenario's `live:` map and every level's `backend:` (live mode).
 *
 * A back-end is a name (`backend: memory`) or a map whose `name` picks it and whose other
 * keys are its parameters (`backend: {name: file, direct: true}`), checked against its
 * schema whatever the engine, so a typo never waits for a live run to show. The live engine
 * needs one on every tier; the backing store's defaults to memory. A file back-end with no
 * path of its own needs `live.scratch` (or --scratch), the directory it creates its file in.
 */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "plugins.h"

static const ts_param_spec_t k_live_params[] = {
    {"buffers", TS_PT_SIZE, offsetof(ts_live_params_t, buffers), 0, 0, 1e15, "0",
     "bytes the requests' buffers may take at most (two of the largest object per request in "
     "flight; 0: 1 GiB)",
     NULL},
    {"chains", TS_PT_COUNT, offsetof(ts_live_params_t, chains), 0, 0, 1e6, "0",
     "requests in flight at most (0: twice the clients in a closed loop, 64 in an open one)", NULL},
    {"keep", TS_PT_BOOL, offsetof(ts_live_params_t, keep), 0, 1, 0, "false",
     "keep the scratch files after the run (they are removed by default)", NULL},
    {"scratch", TS_PT_STRING, offsetof(ts_live_params_t, scratch),
     sizeof(((ts_live_params_t *)0)->scratch), 1, 0, "",
     "directory the file back-ends create their scratch files in (live mode writes nowhere "
     "else)",
     NULL},
    {"speed", TS_PT_DOUBLE, offsetof(ts_live_params_t, speed), 0, 1e-6, 1e9, "1",
     "open loop: the trace's times are divided by it (2 replays twice as fast)", NULL},
    {"verify", TS_PT_BOOL, offsetof(ts_live_params_t, verify), 0, 1, 0, "false",
     "check every read against the bytes written (header, key, version and checksum)", NULL},
};

const ts_param_spec_t *ts_live_schema(size_t *n)
{
    *n = TS_PARAM_COUNT(k_live_params);
    return k_live_params;
}

int ts__cfg_live(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0;
    int rc = ts__cfg_map(c, n, path, "{scratch: /mnt/nvme/tiersim, verify: true}");
    if (rc)
        return rc;
    void *p = NULL;
    rc = ts__cfg_params(c, k_live_params, TS_PARAM_COUNT(k_live_params), sizeof(ts_live_params_t),
                        &p, n, n->mark, path, NULL, NULL);
    if (rc == 0)
        memcpy(&c->sc->live, p, sizeof(ts_live_params_t));
    ts_free(p);
    return rc;
}

/* One level's `backend:` into spec. */
static int cfg_backend(ts__cfg_t *c, const ts_ynode_t *n, const char *path, ts_backend_spec_t *spec)
{
    const ts_plugin_t *p = NULL;
    int rc = ts__cfg_named(c, n, path, TS_PLUGIN_BACKEND, "a back-end name",
                           "a back-end name such as memory or a map such as {name: file, "
                           "direct: true}",
                           &p, &spec->params);
    if (p)
        spec->ops = ts_backend_ops_of(p);
    return rc;
}

int ts__cfg_resolve_backends(ts__cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    for (size_t i = 0; i <= TS_MAX_TIERS; i++) {
        bool backing = i == TS_MAX_TIERS;
        if (!backing && i >= sc->n_tiers)
            continue;
        ts_backend_spec_t *spec = backing ? &sc->backing_backend : &sc->tiers[i].backend;
        int rc = 0;
        if (c->backend[i])
            rc = cfg_backend(c, c->backend[i], c->backend_path[i], spec);
        else if (backing || sc->engine != TS_ENGINE_LIVE)
            continue;
        else {
            ts_ymark_t top = {1, 1, NULL};
            char path[TS__CFG_PATH];
            snprintf(path, sizeof(path), "tiers[%zu]", i);
            rc = ts__cfg_fail(c, c->engine ? c->engine->mark : top, path, TS_EPARSE,
                              "the live engine needs a back-end for every tier; add for "
                              "example 'backend: memory' to tier '%s' (see `tiersim list "
                              "backends`)",
                              sc->tiers[i].name);
        }
        if (rc)
            return rc;
    }
    if (sc->engine == TS_ENGINE_LIVE && !sc->backing_backend.ops) {
        const ts_backend_ops_t *mem =
            ts_backend_ops_of(ts_plugins_find(TS_PLUGIN_BACKEND, "memory", c->err));
        if (!mem)
            return TS_EINTERNAL;
        sc->backing_backend.ops = mem;
        ts_ymark_t top = {1, 1, NULL};
        return ts__cfg_params(c, mem->base.params, mem->base.params_count, mem->base.params_size,
                              &sc->backing_backend.params, NULL, top, "backing.backend", NULL,
                              NULL);
    }
    return 0;
}
