/* SPDX-License-Identifier: MIT */
/*
 * config_outputs.c - the scenario's `outputs:`: the results directory, which files to write
 * (json, csv, text, hdf5) and the time series (axis, interval, points).
 *
 * Rules: `interval` is read after the other keys, as its form (a duration, or a count of
 * requests) depends on `axis`; `points` lies in [TS_SERIES_POINTS_MIN, TS_SERIES_POINTS_MAX].
 */
#include "config_internal.h"

#include <string.h>

#include "../sim/util/units.h"

static const char *const k_output_keys[] = {"dir",  "json",     "csv",   "text",
                                            "hdf5", "interval", "points", "axis"};
#define N_OUTPUT_KEYS (sizeof(k_output_keys) / sizeof(k_output_keys[0]))

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
    int rc = ts__cfg_map(c, n, path, "{dir: out, json: true}");
    if (rc || (rc = ts__cfg_keys(c, n, path, k_output_keys, N_OUTPUT_KEYS)) != 0)
        return rc;
    char sub[TS__CFG_PATH];
    const ts_ynode_t *interval = NULL;
    for (const ts_ynode_t *kv = n->child; rc == 0 && kv; kv = kv->next) {
        ts__cfg_path_key(sub, path, kv->key);
        int axis = 0;
        if (strcmp(kv->key, "dir") == 0) {
            rc = ts__cfg_string(c, kv, sub, o->dir, sizeof(o->dir));
        } else if (strcmp(kv->key, "interval") == 0) {
            interval = kv;
        } else if (strcmp(kv->key, "points") == 0) {
            rc = cfg_series_points(c, kv, sub);
        } else if (strcmp(kv->key, "axis") == 0) {
            rc = ts__cfg_choice(c, kv, sub, "axis", ts_series_axis_names, TS_AXIS_COUNT_, &axis);
            o->series.axis = (ts_series_axis_t)axis;
        } else {
            rc = ts__cfg_bool(c, kv, sub,
                              strcmp(kv->key, "json") == 0   ? &o->json
                              : strcmp(kv->key, "csv") == 0  ? &o->csv
                              : strcmp(kv->key, "hdf5") == 0 ? &o->hdf5
                                                             : &o->text);
        }
    }
    if (rc == 0 && interval) {
        ts__cfg_path_key(sub, path, "interval");
        rc = cfg_series_interval(c, interval, sub);
    }
    return rc;
}
