/* SPDX-License-Identifier: MIT */
/*
 * config_sweep.c - the scenario's `sweep:`: {key.path: [V1, V2, ...] or V, ...}, the axes
 * `tiersim sweep` runs (app/sweep.c loads each point with its values as overrides).
 *
 * Rules: at most TS_SCENARIO_MAX_AXES axes; a key is a path without spaces, '=' or ','; a
 * value is a scalar, kept as written (it is checked when a point is loaded). One key is not
 * an axis: share_trace_memory, the size up to which a trace file the points share is
 * decoded once into memory (app/sweep.c).
 */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/units.h"

/* ---- sweep ---- */

static int cfg_sweep_nomem(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    return ts__cfg_fail(c, n->mark, path, TS_ENOMEM, "out of memory holding the sweep");
}

/* One value of an axis: a scalar, kept as written. */
static int cfg_sweep_value(ts__cfg_t *c, const ts_ynode_t *v, const char *path, ts_sweep_axis_t *a)
{
    const char *s;
    int rc = ts__cfg_scalar(c, v, path, "a value such as 5% or lru", &s);
    if (rc)
        return rc;
    if (!(a->values[a->n_values] = ts_strdup(s)))
        return cfg_sweep_nomem(c, v, path);
    a->n_values++;
    return 0;
}

int ts__cfg_sweep(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    ts_scenario_t *sc = c->sc;
    int rc = ts__cfg_map(c, n, path, "{tiers.0.capacity: [1%, 5%], tiers.0.policy: [lru, sieve]}");
    if (rc)
        return rc;
    if (n->n_children > TS_SCENARIO_MAX_AXES)
        return ts__cfg_fail(c, n->mark, path, TS_ERANGE, "%zu axes, at most %d", n->n_children,
                            TS_SCENARIO_MAX_AXES);
    if (!(sc->sweep = ts_calloc(n->n_children + 1, sizeof(*sc->sweep))))
        return cfg_sweep_nomem(c, n, path);
    for (const ts_ynode_t *kv = n->child; kv; kv = kv->next) {
        char sub[256];
        snprintf(sub, sizeof(sub), "%s.%s", path, kv->key);
        if (strcmp(kv->key, "share_trace_memory") == 0) { /* not an axis: a limit */
            const char *v;
            if ((rc = ts__cfg_scalar(c, kv, sub, "a size such as 2GiB, or 0", &v)) != 0)
                return rc;
            ts_err_t e = {0};
            if (ts_parse_size(v, &sc->sweep_share_bytes, &e) != 0)
                return ts__cfg_fail(c, kv->mark, sub, TS_EPARSE,
                                    "expected a size such as 2GiB (or 0: never), found '%s'",
                                    v);
            continue;
        }
        if (!kv->key[0] || strpbrk(kv->key, " \t=,"))
            return ts__cfg_fail(c, kv->key_mark, sub, TS_EPARSE,
                                "expected a key path such as tiers.0.capacity, found '%s'",
                                kv->key);
        if (kv->kind == TS_Y_SEQ && !kv->n_children)
            return ts__cfg_fail(c, kv->mark, sub, TS_EPARSE,
                                "expected at least one value, found an empty list");
        ts_sweep_axis_t *a = &sc->sweep[sc->n_sweep++];
        size_t nv = kv->kind == TS_Y_SEQ ? kv->n_children : 1;
        a->key = ts_strdup(kv->key);
        a->values = ts_calloc(nv, sizeof(*a->values));
        if (!a->key || !a->values)
            return cfg_sweep_nomem(c, kv, sub);
        if (kv->kind != TS_Y_SEQ) {
            rc = cfg_sweep_value(c, kv, sub, a);
        } else {
            size_t i = 0;
            for (const ts_ynode_t *v = kv->child; v && rc == 0; v = v->next, i++) {
                char item[280];
                snprintf(item, sizeof(item), "%s[%zu]", sub, i);
                rc = cfg_sweep_value(c, v, item, a);
            }
        }
        if (rc)
            return rc;
    }
    return 0;
}
