/* SPDX-License-Identifier: MIT */
/*
 * config_cost.c - the cost model: the top-level `cost:` and each level's `cost:`, over the
 * prices the price table gives each level's device (sim/cost.h, docs/cost.md).
 *
 * Rules: applied once the devices are known; `prices:` picks the price table's profile (the
 * default one otherwise); request and transfer prices belong to the central store
 * (backing.cost); giving purchase or storage replaces the default way of paying for capacity;
 * cost.gpu names a row of the price table; everything is checked even when cost.enabled is
 * false.
 */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

#include "../sim/util/units.h"

/* ---- `cost:`, noted ---- */

int ts__cfg_cost(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    c->cost_top = n;
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0; /* `cost:` with everything commented out */
    return ts__cfg_map(c, n, path, "{gpus: 8, gpu_price: $2.99/h} or {enabled: false}");
}

int ts__cfg_prices(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *s;
    int rc = ts__cfg_scalar(c, n, path, "a price profile such as neocloud-2026-09", &s);
    if (rc == 0)
        c->prices = n;
    return rc;
}

/* ---- the cost model, once the devices are known ---- */

/* Sets the keys of map (a `cost:` map; null: nothing) in params through spec[0..n). */
static int cfg_apply(ts__cfg_t *c, const ts_param_spec_t *spec, size_t n, void *params,
                     const ts_ynode_t *map, const char *path)
{
    if (map->kind == TS_Y_SCALAR && map->is_null)
        return 0;
    int rc = ts__cfg_map(c, map, path, "{purchase: $0.10/GB, lifetime: 5y}");
    bool seen[32] = {0};
    return rc ? rc : ts__cfg_params_walk(c, spec, n, params, seen, map, "", path, NULL);
}

/* A level's `cost:` over its defaults. Giving purchase or storage replaces the default way
 * of paying for capacity (buy or rent), so a rented NVMe is not also bought. Request and
 * transfer prices belong to the central store; the message says so on a tier. */
static int cfg_level_cost(ts__cfg_t *c, size_t i, ts_price_scope_t scope, ts_price_t *p)
{
    const ts_ynode_t *map = c->cost[i];
    const char *path = c->cost_path[i];
    size_t n, n_all;
    const ts_param_spec_t *spec = ts_price_schema(scope, &n);
    ts_price_schema(TS_PRICE_BACKING, &n_all);
    for (const ts_ynode_t *kv = map->kind == TS_Y_MAP ? map->child : NULL; kv; kv = kv->next)
        if (!ts_param_find(spec, n, kv->key) && ts_param_find(spec, n_all, kv->key)) {
            char sub[TS__CFG_PATH];
            ts__cfg_path_key(sub, path, kv->key);
            return ts__cfg_fail(c, kv->key_mark, sub, TS_ENOENT,
                                "'%s' is a price of the central store: set it in backing.cost",
                                kv->key);
        }
    if (ts_ynode_get(map, "purchase") || ts_ynode_get(map, "storage"))
        p->purchase_usd_gb = p->storage_usd_gb_month = 0;
    return cfg_apply(c, spec, n, p, map, path);
}

/* The GPU's price from its row, and the profile it fell back to when not the scenario's. */
static void cfg_gpu_price(ts_cost_spec_t *cs, const ts_price_t *row)
{
    cs->gpu_usd_hour = row->gpu_usd_hour;
    bool is_fallback = row->profile[0] && strcmp(row->profile, cs->prices) != 0;
    snprintf(cs->gpu_fallback, sizeof(cs->gpu_fallback), "%s", is_fallback ? row->profile : "");
}

/* cost.gpu names a row of the price table. */
static int cfg_cost_gpu(ts__cfg_t *c, const ts_price_table_t *tab)
{
    ts_cost_spec_t *cs = &c->sc->cost;
    const ts_price_t *row = ts_price_table_find(tab, cs->gpu);
    const ts_ynode_t *gn = ts_ynode_get(c->cost_top, "gpu");
    if (!row) {
        const char *names[64];
        size_t k = 0;
        for (size_t i = 0; i < ts_price_table_count(tab) && k < 64; i++)
            if (ts_price_table_at(tab, i)->gpu_usd_hour > 0)
                names[k++] = ts_price_table_at(tab, i)->row;
        const char *hint = NULL; /* a row the name begins ("h100": "h100-sxm"), else a typo's */
        for (size_t i = 0; i < k; i++)
            if (strncmp(names[i], cs->gpu, strlen(cs->gpu)) == 0)
                hint = hint ? "" : names[i];
        if (!hint || !hint[0])
            hint = ts_suggest(cs->gpu, names, k);
        char list[160];
        ts_join_names(list, sizeof(list), names, k);
        return ts__cfg_fail(c, gn->mark, "cost.gpu", TS_ENOENT,
                            "no price for GPU '%s' in the price table (%s%s%s); or set "
                            "cost.gpu_price",
                            cs->gpu, hint ? "did you mean '" : "priced: ", hint ? hint : list,
                            hint ? "'?" : "");
    }
    if (!ts_ynode_get(c->cost_top, "gpu_price"))
        cfg_gpu_price(cs, row);
    return 0;
}

int ts__cfg_resolve_cost(ts__cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    ts_cost_spec_t *cs = &sc->cost;
    ts_ymark_t top = {1, 1, NULL};
    size_t n;
    const ts_param_spec_t *spec = ts_cost_schema(&n);
    int rc = ts_param_defaults(spec, n, cs, sizeof(*cs), c->err);
    if (rc) {
        ts__cfg_where(c, top, "cost");
        return TS_EINTERNAL;
    }
    if (c->cost_top && (rc = cfg_apply(c, spec, n, cs, c->cost_top, "cost")) != 0)
        return rc;
    ts_price_table_t *tab = NULL;
    const char *prices = c->prices ? c->prices->value : NULL;
    if ((rc = ts_price_table_create(prices, &tab, c->err)) != 0) {
        ts__cfg_where(c, c->prices ? c->prices->mark : top, c->prices ? "prices" : "cost");
        return rc;
    }
    const ts_price_profile_t *pp = ts_price_table_profile(tab);
    snprintf(cs->prices, sizeof(cs->prices), "%s", pp->name);
    snprintf(cs->prices_date, sizeof(cs->prices_date), "%s", pp->date);
    bool is_gpu_named = cs->gpu[0] != 0;
    bool is_price_given = c->cost_top && ts_ynode_get(c->cost_top, "gpu_price");
    for (size_t i = 0; i < sc->n_tiers; i++) {
        const ts_tier_spec_t *t = &sc->tiers[i];
        ts_price_t *p = &cs->tier[i];
        ts_price_table_lookup(tab, t->has_device ? t->device.name : "",
                              t->has_device ? t->device.kind : TS_DEV_OTHER, p);
        if (!cs->gpu[0] && t->has_device && t->device.kind == TS_DEV_GPU_HBM) {
            snprintf(cs->gpu, sizeof(cs->gpu), "%s", t->device.name);
            if (!is_price_given)
                cfg_gpu_price(cs, p);
        }
    }
    ts_price_table_lookup(tab, sc->backing.name[0] ? sc->backing.name : "s3-standard",
                          sc->backing.name[0] ? sc->backing.kind : TS_DEV_OBJECT_STORE,
                          &cs->backing);
    if (is_gpu_named)
        rc = cfg_cost_gpu(c, tab);
    ts_price_table_destroy(tab);
    for (size_t i = 0; rc == 0 && i <= TS_MAX_TIERS; i++) {
        bool is_backing = i == TS_MAX_TIERS;
        if (c->cost[i] && (is_backing || i < sc->n_tiers))
            rc = cfg_level_cost(c, i, is_backing ? TS_PRICE_BACKING : TS_PRICE_TIER,
                                is_backing ? &cs->backing : &cs->tier[i]);
    }
    return rc;
}
