/* SPDX-License-Identifier: MIT */
/*
 * config_outputs.c - the scenario's `outputs:`: the results directory, which report writers
 * write into it, and the time series (axis, interval, points).
 *
 * Writers are named by their registry names (reports/writer.h): each is an
 * `outputs.<name>: true|false` key, and `outputs.write: [text, json]` names the whole set;
 * `write` is applied first, then the per-writer keys, whatever their order in the map.
 * Without either, the set is the writers flagged TS_REPORT_DEFAULT. `interval` is read
 * after the other keys, as its form (a duration, or a count of requests) depends on
 * `axis`; `points` lies in [TS_SERIES_POINTS_MIN, TS_SERIES_POINTS_MAX].
 */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

#include "../reports/writer.h"
#include "../sim/util/units.h"

static const char *const k_output_keys[] = {"dir", "write", "interval", "points", "axis"};
#define N_OUTPUT_KEYS (sizeof(k_output_keys) / sizeof(k_output_keys[0]))
#define CFG_WRITER_NAME 64 /* longest writer name in a comma-separated `write` */

void ts__cfg_outputs_defaults(ts_scenario_t *sc)
{
    sc->outputs.writers = ts_report_default_set();
}

/* Adds the writer named name (given at node n, key path path) to *set. */
static int cfg_writer(ts__cfg_t *c, const char *name, const ts_ynode_t *n, const char *path,
                      uint64_t *set)
{
    ts_err_t e = {0};
    ts_report_set_t bit = ts_report_find_bit(name, &e);
    if (!bit)
        return ts__cfg_fail(c, n->mark, path, e.code ? e.code : TS_ENOENT, "%s", e.msg);
    *set |= bit;
    return 0;
}

/* outputs.write: a list of writer names, or a scalar holding names separated by commas (the
 * form `-s outputs.write=text,json` gives); it replaces the set. */
static int cfg_write(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    uint64_t set = 0;
    int rc = 0;
    if (n->kind == TS_Y_SEQ) {
        size_t i = 0;
        for (const ts_ynode_t *m = n->child; rc == 0 && m; m = m->next, i++) {
            char sub[TS__CFG_PATH], idx[24];
            const char *v;
            snprintf(idx, sizeof(idx), "%zu", i);
            ts__cfg_path_key(sub, path, idx);
            rc = ts__cfg_scalar(c, m, sub, "a report writer's name", &v);
            if (rc == 0)
                rc = cfg_writer(c, v, m, sub, &set);
        }
    } else {
        const char *v;
        rc = ts__cfg_scalar(c, n, path, "a list of report writers such as [text, json]", &v);
        size_t blank = strspn(v, " ");
        for (const char *p = v + blank; rc == 0 && v[blank];) {
            size_t len = strcspn(p, ","), lead = strspn(p, " ");
            size_t end = len;
            while (end > lead && p[end - 1] == ' ')
                end--;
            char name[CFG_WRITER_NAME];
            if (end == lead || end - lead >= sizeof(name))
                return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                                    "expected report writers' names separated by commas, "
                                    "found '%s'",
                                    v);
            snprintf(name, sizeof(name), "%.*s", (int)(end - lead), p + lead);
            rc = cfg_writer(c, name, n, path, &set);
            if (!p[len])
                break;
            p += len + 1;
        }
    }
    if (rc == 0)
        c->sc->outputs.writers = set;
    return rc;
}

/* outputs.interval: `auto`, a duration (time axes) or a count of requests (axis requests);
 * read once the axis is known. */
static int cfg_series_interval(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    ts_series_spec_t *sp = &c->sc->outputs.series;
    bool by_requests = sp->axis == TS_AXIS_REQUESTS;
    const char *expect = by_requests ? "auto or a count of requests such as 10k"
                                     : "auto or a duration such as 1s or 500ms";
    const char *v;
    int rc = ts__cfg_scalar(c, n, path, expect, &v);
    if (rc)
        return rc;
    ts_err_t e = {0};
    sp->interval = 0;
    if (strcmp(v, "auto") != 0 && ((by_requests ? ts_parse_count(v, &sp->interval, &e)
                                                : ts_parse_duration(v, &sp->interval, &e)) != 0 ||
                                   sp->interval == 0))
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "expected %s, found '%s'", expect, v);
    return 0;
}

static int cfg_series_points(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *v;
    int rc = ts__cfg_scalar(c, n, path, "a count of points", &v);
    if (rc)
        return rc;
    ts_err_t e = {0};
    uint64_t p = 0;
    if (ts_parse_count(v, &p, &e) != 0 || p < TS_SERIES_POINTS_MIN || p > TS_SERIES_POINTS_MAX)
        return ts__cfg_fail(c, n->mark, path, TS_ERANGE,
                            "expected a count of points from %u to %u, found '%s'",
                            TS_SERIES_POINTS_MIN, TS_SERIES_POINTS_MAX, v);
    c->sc->outputs.series.max_points = p;
    return 0;
}

int ts__cfg_outputs(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0; /* `outputs:` with everything commented out */
    ts_output_spec_t *o = &c->sc->outputs;
    const char *keys[N_OUTPUT_KEYS + TS_REPORT_MAX];
    size_t n_keys = 0;
    for (size_t i = 0; i < N_OUTPUT_KEYS; i++)
        keys[n_keys++] = k_output_keys[i];
    for (size_t i = 0; i < ts_registry_count(&ts_reports) && i < TS_REPORT_MAX; i++)
        keys[n_keys++] = ts_registry_at(&ts_reports, i)->name;
    int rc = ts__cfg_map(c, n, path, "{dir: out, json: true}");
    if (rc || (rc = ts__cfg_keys(c, n, path, keys, n_keys)) != 0)
        return rc;
    char sub[TS__CFG_PATH];
    const ts_ynode_t *write = ts_ynode_get(n, "write");
    if (write) {
        ts__cfg_path_key(sub, path, "write");
        if ((rc = cfg_write(c, write, sub)) != 0)
            return rc;
    }
    const ts_ynode_t *interval = NULL;
    for (const ts_ynode_t *kv = n->child; rc == 0 && kv; kv = kv->next) {
        ts__cfg_path_key(sub, path, kv->key);
        int axis = 0;
        bool on = false;
        if (strcmp(kv->key, "dir") == 0) {
            rc = ts__cfg_string(c, kv, sub, o->dir, sizeof(o->dir));
        } else if (strcmp(kv->key, "write") == 0) {
            continue; /* read first */
        } else if (strcmp(kv->key, "interval") == 0) {
            interval = kv;
        } else if (strcmp(kv->key, "points") == 0) {
            rc = cfg_series_points(c, kv, sub);
        } else if (strcmp(kv->key, "axis") == 0) {
            rc = ts__cfg_choice(c, kv, sub, "axis", ts_series_axis_names, TS_AXIS_COUNT_, &axis);
            o->series.axis = (ts_series_axis_t)axis;
        } else if ((rc = ts__cfg_bool(c, kv, sub, &on)) == 0) {
            /* a writer's name: the key check above let nothing else through */
            ts_report_set_t bit = ts_report_find_bit(kv->key, NULL);
            o->writers = on ? o->writers | bit : o->writers & ~bit;
        }
    }
    if (rc == 0 && interval) {
        ts__cfg_path_key(sub, path, "interval");
        rc = cfg_series_interval(c, interval, sub);
    }
    return rc;
}
