/* SPDX-License-Identifier: MIT */
/*
 * config_devices.c - devices and links: the `devices:` catalogue file, each level's `device`
 * and `link` (a preset name, or a map of a preset and fields over it), and what they imply
 * once resolved: the timed engine's block size, depth and `prefill_rate: auto`, and the
 * zero parameters of `cost_aware` admission filters.
 *
 * Rules: nothing is resolved when no level names a device and the engine is fast; the timed
 * engine needs a device on every tier; the backing store defaults to S3 Standard; a tier
 * right below a GPU's HBM is reached over that GPU's host link unless it names a link.
 */
#include "config_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../sim/admit.h"
#include "../sim/models.h"

/* ---- devices and links ---- */

int ts__cfg_devices(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *s;
    int rc = ts__cfg_scalar(c, n, path, "the name of a device catalogue file (YAML)", &s);
    if (rc)
        return rc;
    ts_reader_ctx_t ctx = {0, c->sc->base_dir};
    if ((rc = ts_reader_path(&ctx, s, c->sc->devices_file, sizeof(c->sc->devices_file),
                             c->err)) != 0)
        ts__cfg_where(c, n->mark, path);
    c->devices = n;
    return rc;
}

/* A device (is_link false) or a link from n: a preset name, or a map whose `preset` names
 * one and whose other keys override its fields. */
static int cfg_model(ts__cfg_t *c, const ts_dev_catalog_t *cat, const ts_ynode_t *n,
                     const char *path, bool is_link, void *out)
{
    const char *what = is_link ? "link" : "device";
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "expected a %s preset name or a map such as {preset: %s, %s}, found %s",
                            what, is_link ? "pcie-gen5-x16" : "micron-9550-max",
                            is_link ? "latency: 2us" : "channels: 64", ts_ynode_what(n));
    const ts_ynode_t *pn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "preset");
    if (!pn)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "missing required key 'preset' (a name from `tiersim list devices`)");
    char sub[TS__CFG_PATH];
    if (pn == n)
        snprintf(sub, sizeof(sub), "%s", path);
    else
        ts__cfg_path_key(sub, path, "preset");
    const char *name;
    int rc =
        ts__cfg_scalar(c, pn, sub, is_link ? "a link preset name" : "a device preset name", &name);
    if (rc)
        return rc;
    rc = is_link ? ts_link_find(cat, name, out, c->err) : ts_dev_find(cat, name, out, c->err);
    if (rc) {
        ts__cfg_where(c, pn->mark, sub);
        return rc;
    }
    if (pn == n)
        return 0;
    for (const ts_ynode_t *kv = n->child; kv; kv = kv->next) {
        if (kv == pn)
            continue;
        ts__cfg_path_key(sub, path, kv->key);
        const char *v;
        if ((rc = ts__cfg_scalar(c, kv, sub, "a value", &v)) != 0)
            return rc;
        rc = is_link ? ts_link_set(out, kv->key, v, c->err) : ts_dev_set(out, kv->key, v, c->err);
        if (rc == 0)
            rc = is_link ? ts_link_check(out, c->err) : ts_dev_check(out, c->err);
        if (rc) {
            ts__cfg_where(c, rc == TS_ENOENT ? kv->key_mark : kv->mark, sub);
            return rc;
        }
    }
    return 0;
}

static bool cfg_any_device(const ts__cfg_t *c)
{
    for (size_t i = 0; i <= TS_MAX_TIERS; i++)
        if (c->dev[i] || c->link[i])
            return true;
    return c->devices != NULL || c->sc->engine != TS_ENGINE_FAST;
}

int ts__cfg_resolve_devices(ts__cfg_t *c)
{
    if (!cfg_any_device(c))
        return 0;
    ts_scenario_t *sc = c->sc;
    ts_dev_catalog_t *cat = NULL;
    ts_ymark_t top = {1, 1, NULL};
    int rc = ts_dev_catalog_create(&cat, c->err);
    if (rc) {
        ts__cfg_where(c, top, "devices");
        return rc;
    }
    if (c->devices && (rc = ts_dev_catalog_load_file(cat, sc->devices_file, c->err)) != 0) {
        if (!c->err->where[0])
            ts__cfg_where(c, c->devices->mark, "devices");
        goto out;
    }
    for (size_t i = 0; i <= TS_MAX_TIERS && rc == 0; i++) {
        bool backing = i == TS_MAX_TIERS;
        if (!backing && i >= sc->n_tiers)
            continue;
        ts_tier_spec_t *t = backing ? NULL : &sc->tiers[i];
        if (c->dev[i]) {
            rc = cfg_model(c, cat, c->dev[i], c->dev_path[i], false,
                           backing ? &sc->backing : &t->device);
            if (t)
                t->has_device = true;
        } else if (backing) {
            rc = ts_dev_find(cat, "s3-standard", &sc->backing, c->err);
        } else if (sc->engine != TS_ENGINE_FAST) {
            char path[TS__CFG_PATH];
            snprintf(path, sizeof(path), "tiers[%zu]", i);
            rc = ts__cfg_fail(c, c->engine ? c->engine->mark : top, path, TS_EPARSE,
                              "the %s engine needs a device for every tier%s; add for example "
                              "'device: ddr5-4800-8ch' to tier '%s' (see `tiersim list devices`)",
                              sc->engine == TS_ENGINE_LIVE ? "live" : "timed",
                              sc->engine == TS_ENGINE_LIVE ? " (for its prediction)" : "",
                              t->name);
        }
        if (rc == 0 && c->link[i]) {
            rc = cfg_model(c, cat, c->link[i], c->link_path[i], true,
                           backing ? &sc->backing_link : &t->link);
            if (backing)
                sc->has_backing_link = true;
            else
                t->has_link = true;
        }
    }
    /* a tier right below a GPU's HBM is reached over the GPU's host link by default */
    for (size_t i = 1; rc == 0 && i < sc->n_tiers; i++) {
        const ts_tier_spec_t *up = &sc->tiers[i - 1];
        ts_tier_spec_t *t = &sc->tiers[i];
        if (!t->has_link && up->has_device && up->device.kind == TS_DEV_GPU_HBM &&
            up->device.host_link[0]) {
            rc = ts_link_find(cat, up->device.host_link, &t->link, c->err);
            if (rc)
                ts__cfg_where(c, c->dev[i - 1]->mark, c->dev_path[i - 1]);
            t->has_link = rc == 0;
        }
    }
out:
    ts_dev_catalog_destroy(cat);
    return rc;
}

/* ---- what the devices imply: the timed engine's figures, admission filters ---- */

int ts__cfg_resolve_prefill(ts__cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    ts_reader_hints_t h;
    ts_reader_hints(sc->workload.reader, sc->workload.params, &h);
    if (!sc->timed.block_tokens && h.block_tokens)
        sc->timed.block_tokens = h.block_tokens;
    if (!sc->timed.depth && h.read_threads)
        sc->timed.depth = h.read_threads;
    if (h.compute_ns) { /* a training workload: its closed loop is a data loader per rank */
        if (!c->timed_think)
            sc->timed.think_ns = h.compute_ns;
        if (!c->timed_clients && h.ranks)
            sc->timed.clients = h.ranks;
        if (!c->timed_batch)
            sc->timed.batch = TS_TIMED_BATCH_LOADER;
        sc->timed.au_target = h.au_target;
    }
    if (!c->prefill_auto)
        return 0;
    const ts_tier_spec_t *gpu = NULL;
    for (size_t i = 0; i < sc->n_tiers && !gpu; i++)
        if (sc->tiers[i].has_device && sc->tiers[i].device.kind == TS_DEV_GPU_HBM &&
            sc->tiers[i].device.bf16_flops > 0)
            gpu = &sc->tiers[i];
    if (h.model && gpu) {
        const ts_model_t *m = ts_gen_model_find(h.model, c->err);
        if (!m) {
            ts__cfg_where(c, c->prefill_auto->mark, "timed.prefill_rate");
            return c->err->code;
        }
        /* the matrix multiplies' rate, and attention's time growing with the context */
        double fs = (double)sc->timed.prefill_gpus * gpu->device.bf16_flops * sc->timed.mfu;
        sc->timed.prefill_rate = ts_gen_model_prefill_rate(m, fs, 0);
        sc->timed.prefill_attn_s = ts_gen_model_prefill_attn_flops(m) / fs;
        char line[1024]; /* composed whole, then cut to the field: a long name may cut it */
        snprintf(line, sizeof(line),
                 "%.64s on %" PRIu64 " x %.64s at %.3g%% MFU, without attention; with it, "
                 "mean %.0f over an 8k-token prompt, %.0f over 32k",
                 m->name, sc->timed.prefill_gpus, gpu->device.name, sc->timed.mfu * 100,
                 ts_gen_model_prefill_rate(m, fs, 8192),
                 ts_gen_model_prefill_rate(m, fs, 32768));
        snprintf(sc->prefill_source, sizeof(sc->prefill_source), "%.*s",
                 (int)sizeof(sc->prefill_source) - 1, line);
        return 0;
    }
    if (h.prefill_rate > 0) {
        sc->timed.prefill_rate = h.prefill_rate;
        snprintf(sc->prefill_source, sizeof(sc->prefill_source), "the workload's prefill_rate");
        return 0;
    }
    return ts__cfg_fail(c, c->prefill_auto->mark, "timed.prefill_rate", TS_EPARSE,
                        h.model ? "'auto' needs a GPU tier to take FLOP/s from (a device such as "
                                  "h100-sxm, see `tiersim list devices`); or give tokens/s"
                                : "'auto' needs a workload with a model (the inference generator, "
                                  "a mooncake, bailian or agent_sessions trace) or its own "
                                  "prefill_rate; or give tokens/s");
}

int ts__cfg_resolve_admit(ts__cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    for (size_t i = 0; i < sc->n_tiers; i++) {
        const ts_tier_spec_t *t = &sc->tiers[i];
        if (!t->admit || !t->admit->resolve)
            continue;
        const ts_link_t *links[TS_MAX_TIERS];
        ts_admit_ctx_t ctx = {.device = t->has_device ? &t->device : NULL,
                              .links = links,
                              .prefill_rate = sc->timed.prefill_rate,
                              .prefill_attn_s = sc->timed.prefill_attn_s,
                              .block_tokens = sc->timed.block_tokens};
        for (size_t j = i; j >= 1; j--) /* tier j's link joins it to tier j - 1 */
            if (sc->tiers[j].has_link)
                links[ctx.n_links++] = &sc->tiers[j].link;
        int rc = t->admit->resolve(t->admit_params, &ctx, c->err);
        if (rc) {
            char path[TS__CFG_PATH];
            snprintf(path, sizeof(path), "tiers[%zu].admit", i);
            ts__cfg_where(c, c->admit[i]->mark, path);
            return rc;
        }
    }
    return 0;
}
