/* SPDX-License-Identifier: MIT */
/*
 * config_tiers.c - the scenario's `tiers:` and `backing:`: each tier's name, capacity,
 * eviction policy and admission filter. The `device`, `link` and `cost` of every level (the
 * backing store's too) are noted here and resolved later (config_devices.c, config_cost.c).
 *
 * Rules: 1 to TS_MAX_TIERS tiers; names unique, of letters, digits, '_', '-' and '.'
 * (default tier<i>); a capacity is a count in objects mode, a size in bytes mode, or a share
 * of the footprint above 0% and at most 100%; the policy defaults to lru.
 */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

#include "../sim/admit.h"
#include "../sim/util/units.h"
#include "plugins.h"

/* ---- tiers ---- */

/* Trailing letters of s end in b/B: a byte unit (B, KB, KiB, ...). */
static bool cfg_has_byte_unit(const char *s)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    return len && (s[len - 1] == 'b' || s[len - 1] == 'B');
}

static int cfg_capacity(ts__cfg_t *c, const ts_ynode_t *n, const char *path, ts_tier_spec_t *t)
{
    bool objects = c->sc->mode == TS_MODE_OBJECTS;
    const char *s;
    int rc = ts__cfg_scalar(c, n, path,
                            objects ? "an object count such as 1000 or a percentage such as 10%"
                                    : "a size such as 4GiB or a percentage such as 10%",
                            &s);
    if (rc)
        return rc;
    ts_err_t e = {0};
    if (strchr(s, '%')) {
        double f;
        if (ts_parse_fraction(s, &f, &e))
            return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                                "expected a percentage of the footprint such as 10%%, found '%s'",
                                s);
        if (!(f > 0 && f <= 1))
            return ts__cfg_fail(c, n->mark, path, TS_ERANGE,
                                "a percentage capacity must be above 0%% and at most 100%%, "
                                "found '%s'",
                                s);
        t->is_fraction = true;
        t->capacity_fraction = f;
        t->capacity = 0;
        return 0;
    }
    uint64_t v;
    if (objects && cfg_has_byte_unit(s) && ts_parse_size(s, &v, &e) == 0)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "in objects mode a capacity is an object count such as 1000 or 10k, "
                            "found the size '%s' (set 'mode: bytes' to give capacities in bytes)",
                            s);
    ts_err_clear(&e);
    rc = objects ? ts_parse_count(s, &v, &e) : ts_parse_size(s, &v, &e);
    char hint[160] = "";
    if (rc == TS_EPARSE && !objects)
        ts_size_hint(s, hint, sizeof(hint));
    if (rc == TS_EPARSE)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "expected %s, or a percentage such as 10%%, "
                            "found '%s'%s%s",
                            objects ? "a count such as 1000, 10k or 1e6"
                                    : "a size such as 4096 (bytes), 512MiB or 1.5TB",
                            s, hint[0] ? ": " : "", hint);
    if (rc)
        return ts__cfg_fail(c, n->mark, path, rc, "%s", e.msg);
    if (v == 0)
        return ts__cfg_fail(c, n->mark, path, TS_ERANGE,
                            "a capacity must be above zero, found '%s'", s);
    t->is_fraction = false;
    t->capacity = v;
    return 0;
}

static int cfg_policy(ts__cfg_t *c, const ts_ynode_t *n, const char *path, ts_tier_spec_t *t)
{
    const ts_plugin_t *p = NULL;
    int rc = ts__cfg_named(c, n, path, TS_PLUGIN_POLICY, "a policy name",
                           "a policy name such as lru or a map such as {name: s3fifo, "
                           "small_ratio: 10%}",
                           &p, &t->policy_params);
    if (p)
        t->policy = ts_policy_ops_of(p);
    return rc;
}

static bool cfg_tier_name_ok(const char *s)
{
    if (!s[0])
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

static int cfg_admit(ts__cfg_t *c, const ts_ynode_t *n, const char *path, ts_tier_spec_t *t)
{
    const char *kind;
    const ts_ynode_t *kn = NULL;
    char sub[TS__CFG_PATH];
    int rc = ts__cfg_kind(c, n, path, "an admission filter", "{kind: second_hit, window: 100000}",
                          &kind, &kn, sub);
    if (rc)
        return rc;
    const ts_admit_ops_t *ops = ts_admit_ops_of(ts_plugins_find(TS_PLUGIN_ADMIT, kind, c->err));
    if (!ops) {
        ts__cfg_where(c, kn->mark, sub);
        return TS_ENOENT;
    }
    t->admit = ops;
    return ts__cfg_params(c, ops->base.params, ops->base.params_count, ops->base.params_size,
                          &t->admit_params, kn == n ? NULL : n, n->mark, path, "kind", NULL);
}

static const char *const k_tier_keys[] = {"name", "capacity", "policy", "admit", "device",
                                          "link", "cost", "backend"};

/* Notes the `device`, `link` and `cost` of n (a tier, or the backing store at index i) for
 * ts__cfg_resolve_devices and ts__cfg_resolve_cost. */
static void cfg_note_level(ts__cfg_t *c, const ts_ynode_t *n, const char *path, size_t i)
{
    c->dev[i] = ts_ynode_get(n, "device");
    c->link[i] = ts_ynode_get(n, "link");
    c->cost[i] = ts_ynode_get(n, "cost");
    c->backend[i] = ts_ynode_get(n, "backend");
    ts__cfg_path_key(c->backend_path[i], path, "backend");
    ts__cfg_path_key(c->dev_path[i], path, "device");
    ts__cfg_path_key(c->link_path[i], path, "link");
    ts__cfg_path_key(c->cost_path[i], path, "cost");
}

static int cfg_tier(ts__cfg_t *c, const ts_ynode_t *n, const char *path, size_t i)
{
    ts_tier_spec_t *t = &c->sc->tiers[i];
    int rc = ts__cfg_map(c, n, path, "{name: dram, capacity: 1000, policy: lru}");
    if (rc || (rc = ts__cfg_keys(c, n, path, k_tier_keys, 8)) != 0)
        return rc;
    cfg_note_level(c, n, path, i);
    char sub[TS__CFG_PATH];
    const ts_ynode_t *nn = ts_ynode_get(n, "name");
    ts__cfg_path_key(sub, path, "name");
    if (nn) {
        if ((rc = ts__cfg_string(c, nn, sub, t->name, sizeof(t->name))) != 0)
            return rc;
        if (!cfg_tier_name_ok(t->name))
            return ts__cfg_fail(c, nn->mark, sub, TS_EPARSE,
                                "expected a tier name of letters, digits, '_', '-' or '.', "
                                "found '%s'",
                                t->name);
    } else {
        snprintf(t->name, sizeof(t->name), "tier%zu", i);
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(c->sc->tiers[j].name, t->name) == 0)
            return ts__cfg_fail(c, nn ? nn->mark : n->mark, nn ? sub : path, TS_EPARSE,
                                "duplicate tier name '%s' (tiers[%zu] has it too)", t->name, j);
    const ts_ynode_t *cn = ts_ynode_get(n, "capacity");
    if (!cn)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'capacity'");
    ts__cfg_path_key(sub, path, "capacity");
    if ((rc = cfg_capacity(c, cn, sub, t)) != 0)
        return rc;
    const ts_ynode_t *an = ts_ynode_get(n, "admit");
    ts__cfg_path_key(sub, path, "admit");
    if (an && (rc = cfg_admit(c, an, sub, t)) != 0)
        return rc;
    c->admit[i] = an;
    c->sc->hier.admit[i] = t->admit;
    c->sc->hier.admit_params[i] = t->admit_params;
    const ts_ynode_t *pn = ts_ynode_get(n, "policy");
    ts__cfg_path_key(sub, path, "policy");
    if (pn)
        return cfg_policy(c, pn, sub, t);
    if (!(t->policy = ts_policy_ops_of(ts_plugins_find(TS_PLUGIN_POLICY, "lru", c->err))))
        return ts__cfg_fail(c, n->mark, path, TS_EINTERNAL, "the default policy lru is missing");
    const ts_plugin_t *b = &t->policy->base;
    return ts__cfg_params(c, b->params, b->params_count, b->params_size, &t->policy_params, NULL,
                          n->mark, path, NULL, NULL);
}

int ts__cfg_tiers(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind != TS_Y_SEQ)
        return ts__cfg_fail(
            c, n->mark, path, TS_EPARSE,
            "expected a list of tiers such as [{name: dram, capacity: 1000}], found %s",
            ts_ynode_what(n));
    if (n->n_children == 0)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "expected at least one tier, found none");
    size_t i = 0;
    char sub[TS__CFG_PATH];
    for (const ts_ynode_t *item = n->child; item; item = item->next, i++) {
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (i == TS_MAX_TIERS)
            return ts__cfg_fail(c, item->mark, sub, TS_ERANGE,
                                "expected at most %d tiers, found %zu", TS_MAX_TIERS,
                                n->n_children);
        int rc = cfg_tier(c, item, sub, i);
        c->sc->n_tiers = i + 1;
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the backing store ---- */

static const char *const k_backing_keys[] = {"device", "link", "cost", "backend"};

int ts__cfg_backing(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    int rc = ts__cfg_map(c, n, path, "{device: s3-standard, link: eth-100g}");
    if (rc || (rc = ts__cfg_keys(c, n, path, k_backing_keys, 4)) != 0)
        return rc;
    cfg_note_level(c, n, path, TS_MAX_TIERS);
    return 0;
}
