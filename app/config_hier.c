/* SPDX-License-Identifier: MIT */
/*
 * config_hier.c - the scenario's `hierarchy:` (inclusion, promote, demote, write policy,
 * flush at the end) and `prefetch:` (a prefetcher by kind, its parameters, and `into`, the
 * tier it fills).
 *
 * Rules: each rule is one of its enum's names; prefetch.into names a tier, so it is resolved
 * once the whole scenario is decoded (without it, config.c takes the top tier).
 */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

#include "../sim/prefetch.h"
#include "plugins.h"
#include "../sim/util/units.h"

/* ---- hierarchy and prefetch ---- */

static const char *const k_hier_keys[] = {"inclusion", "promote", "demote", "write",
                                          "flush_at_end"};

int ts__cfg_hierarchy(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0; /* `hierarchy:` with everything commented out: the defaults */
    ts_hier_config_t *h = &c->sc->hier;
    int rc = ts__cfg_map(c, n, path, "{inclusion: exclusive, promote: top, demote: next}");
    if (rc || (rc = ts__cfg_keys(c, n, path, k_hier_keys, 5)) != 0)
        return rc;
    char sub[TS__CFG_PATH];
    for (const ts_ynode_t *kv = n->child; rc == 0 && kv; kv = kv->next) {
        ts__cfg_path_key(sub, path, kv->key);
        int v = 0;
        if (strcmp(kv->key, "inclusion") == 0) {
            if ((rc = ts__cfg_choice(c, kv, sub, "inclusion", ts_inclusion_names, TS_INCL_COUNT_,
                                     &v)) == 0)
                h->inclusion = (ts_inclusion_t)v;
        } else if (strcmp(kv->key, "promote") == 0) {
            if ((rc = ts__cfg_choice(c, kv, sub, "promote rule", ts_promote_names,
                                     TS_PROMOTE_COUNT_, &v)) == 0)
                h->promote = (ts_promote_t)v;
        } else if (strcmp(kv->key, "demote") == 0) {
            if ((rc = ts__cfg_choice(c, kv, sub, "demote rule", ts_demote_names, TS_DEMOTE_COUNT_,
                                     &v)) == 0)
                h->demote = (ts_demote_t)v;
        } else if (strcmp(kv->key, "write") == 0) {
            if ((rc = ts__cfg_choice(c, kv, sub, "write policy", ts_write_names, TS_WRITE_COUNT_,
                                     &v)) == 0)
                h->write = (ts_write_t)v;
        } else {
            rc = ts__cfg_bool(c, kv, sub, &h->flush_at_end);
        }
    }
    return rc;
}

int ts__cfg_prefetch(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *kind;
    const ts_ynode_t *kn = NULL;
    char sub[TS__CFG_PATH];
    int rc = ts__cfg_kind(c, n, path, "a prefetcher", "{kind: next_n, n: 4, into: hbm}", &kind, &kn,
                          sub);
    if (rc)
        return rc;
    const ts_prefetch_ops_t *ops =
        ts_prefetch_ops_of(ts_plugins_find(TS_PLUGIN_PREFETCH, kind, c->err));
    if (!ops) {
        ts__cfg_where(c, kn->mark, sub);
        return TS_ENOENT;
    }
    ts_scenario_t *sc = c->sc;
    sc->hier.prefetch = ops;
    c->into = kn == n ? NULL : ts_ynode_get(n, "into");
    ts__cfg_path_key(c->into_path, path, "into");
    rc = ts__cfg_params(c, ops->base.params, ops->base.params_count, ops->base.params_size,
                        &sc->prefetch_params, kn == n ? NULL : n, n->mark, path, "kind into", NULL);
    sc->hier.prefetch_params = sc->prefetch_params;
    return rc;
}

int ts__cfg_prefetch_into(ts__cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    const char *name;
    int rc = ts__cfg_scalar(c, c->into, c->into_path, "a tier name", &name);
    if (rc)
        return rc;
    const char *names[TS_MAX_TIERS];
    for (size_t i = 0; i < sc->n_tiers; i++) {
        names[i] = sc->tiers[i].name;
        if (strcmp(name, names[i]) == 0) {
            sc->hier.prefetch_into = (uint32_t)i;
            snprintf(sc->prefetch_into, sizeof(sc->prefetch_into), "%s", name);
            return 0;
        }
    }
    const char *hint = ts_suggest(name, names, sc->n_tiers);
    if (hint)
        return ts__cfg_fail(c, c->into->mark, c->into_path, TS_ENOENT,
                            "unknown tier '%s' (did you mean '%s'?)", name, hint);
    char list[160];
    ts_join_names(list, sizeof(list), names, sc->n_tiers);
    return ts__cfg_fail(c, c->into->mark, c->into_path, TS_ENOENT,
                        "unknown tier '%s' (expected one of: %s)", name, list);
}
