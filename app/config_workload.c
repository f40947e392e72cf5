/* SPDX-License-Identifier: MIT */
/*
 * config_workload.c - the scenario's `workload:`: a trace file (`trace:`, its format named or
 * told from the file) or a generator (`generator:`, by kind), with `sample:` and `skip_bad:`;
 * then opening and describing the workload of a loaded scenario.
 *
 * Rules: exactly one of trace and generator; a trace's path is relative to the scenario's
 * directory; the reader's other keys are its parameters, checked through its schema (a bare
 * file name or kind stands for the map); a sample window ends after it starts.
 */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

#include "../traces/trace.h"
#include "../workloads/gen.h"
#include "../sim/util/mem.h"
#include "../sim/sample.h"
#include "../sim/util/units.h"
#include "plugins.h"

/* ---- workload ---- */

/* Fills the workload from n (see ts__cfg_params). */
static int cfg_reader(ts__cfg_t *c, const ts_reader_ops_t *ops, const ts_ynode_t *n,
                      const char *path, const char *skip, const char *scalar_param,
                      bool is_generator)
{
    ts_workload_spec_t *w = &c->sc->workload;
    w->reader = ops;
    w->is_generator = is_generator;
    const ts_plugin_t *b = &ops->base;
    return ts__cfg_params(c, b->params, b->params_count, b->params_size, &w->params, n, n->mark,
                          path, skip, scalar_param);
}

/* The where of an error at mark and key path, kept in out (sizeof ts_err_t's where) for an
 * error found later, when the trace is opened. */
static void cfg_where_of(ts__cfg_t *c, ts_ymark_t mark, const char *path, char *out)
{
    ts_err_t e = {0};
    ts_ymark_where(&e, c->source, mark, path);
    memcpy(out, e.where, sizeof(e.where));
}

static int cfg_trace(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "expected a map such as {path: requests.csv, format: csv} or a file "
                            "name, found %s",
                            ts_ynode_what(n));
    const ts_reader_ops_t *fmt;
    const ts_ynode_t *fn = ts_ynode_get(n, "format");
    char sub[TS__CFG_PATH];
    const char *s;
    int rc;
    if (fn) {
        ts__cfg_path_key(sub, path, "format");
        if ((rc = ts__cfg_scalar(c, fn, sub, "a trace format name", &s)) != 0)
            return rc;
        if (!(fmt = ts_reader_ops_of(ts_plugins_find(TS_PLUGIN_FORMAT, s, c->err)))) {
            ts__cfg_where(c, fn->mark, sub);
            return TS_ENOENT;
        }
    } else {
        const ts_ynode_t *pn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "path");
        if (!pn)
            return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'path'");
        if (pn == n)
            snprintf(sub, sizeof(sub), "%s", path);
        else
            ts__cfg_path_key(sub, path, "path");
        if ((rc = ts__cfg_scalar(c, pn, sub, "a file name", &s)) != 0)
            return rc;
        cfg_where_of(c, pn->mark, sub, c->sc->workload.where_path);
        char full[2048];
        ts_reader_ctx_t ctx = {0, c->sc->base_dir};
        if ((rc = ts_reader_path(&ctx, s, full, sizeof(full), c->err)) != 0) {
            ts__cfg_where(c, pn->mark, sub);
            return rc;
        }
        if (!(fmt = ts_trace_guess(full))) {
            char list[160] = "";
            const char *names[32];
            size_t k = 0;
            for (size_t i = 0; i < ts_registry_count(&ts_formats) && k < 32; i++)
                names[k++] = ts_registry_at(&ts_formats, i)->name;
            ts_join_names(list, sizeof(list), names, k);
            return ts__cfg_fail(c, pn->mark, sub, TS_EPARSE,
                                "cannot tell the format of '%s' from its name or contents; add "
                                "'format:' (one of: %s)",
                                s, list);
        }
    }
    cfg_where_of(c, n->mark, path, c->sc->workload.where);
    const ts_ynode_t *pn = n->kind == TS_Y_MAP ? ts_ynode_get(n, "path") : NULL;
    if (!c->sc->workload.where_path[0] && pn) { /* the format given: the path a parameter */
        ts__cfg_path_key(sub, path, "path");
        cfg_where_of(c, pn->mark, sub, c->sc->workload.where_path);
    } else if (!c->sc->workload.where_path[0]) {
        cfg_where_of(c, n->mark, path, c->sc->workload.where_path);
    }
    return cfg_reader(c, fmt, n, path, "format", "path", false);
}

static int cfg_generator(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "expected a map such as {kind: zipf, alpha: 0.9} or a generator kind, "
                            "found %s",
                            ts_ynode_what(n));
    const ts_ynode_t *kn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "kind");
    if (!kn)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'kind'");
    char sub[TS__CFG_PATH];
    if (kn == n)
        snprintf(sub, sizeof(sub), "%s", path);
    else
        ts__cfg_path_key(sub, path, "kind");
    const char *kind;
    int rc = ts__cfg_scalar(c, kn, sub, "a generator kind", &kind);
    if (rc)
        return rc;
    const ts_reader_ops_t *ops =
        ts_reader_ops_of(ts_plugins_find(TS_PLUGIN_GENERATOR, kind, c->err));
    if (!ops) {
        ts__cfg_where(c, kn->mark, sub);
        return TS_ENOENT;
    }
    return cfg_reader(c, ops, n, path, "kind", NULL, true);
}

static const char *const k_workload_keys[] = {"trace", "generator", "sample", "skip_bad"};

/* `workload.sample`: which part of the workload to replay (sim/sample.h). */
static int cfg_sample(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    int rc = ts__cfg_map(c, n, path, "{rate: 1%, start: 10s, end: 1h}");
    if (rc)
        return rc;
    size_t count;
    const ts_param_spec_t *spec = ts_sample_schema(&count);
    void *p = NULL;
    rc = ts__cfg_params(c, spec, count, sizeof(ts_sample_spec_t), &p, n, n->mark, path, NULL, NULL);
    if (rc == 0) {
        memcpy(&c->sc->sample, p, sizeof(ts_sample_spec_t));
        if (c->sc->sample.end_ns && c->sc->sample.end_ns <= c->sc->sample.start_ns)
            rc = ts__cfg_fail(c, n->mark, path, TS_ERANGE, "the window ends before it starts");
    }
    ts_free(p);
    return rc;
}

int ts__cfg_workload(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    int rc = ts__cfg_map(c, n, path, "{generator: {kind: zipf}} or {trace: {path: t.csv}}");
    if (rc || (rc = ts__cfg_keys(c, n, path, k_workload_keys, 4)) != 0)
        return rc;
    const ts_ynode_t *sb = ts_ynode_get(n, "skip_bad");
    if (sb) {
        char sp[TS__CFG_PATH];
        const char *v;
        ts_err_t e = {0};
        ts__cfg_path_key(sp, path, "skip_bad");
        if ((rc = ts__cfg_scalar(c, sb, sp, "a count of malformed records to pass over", &v)) != 0)
            return rc;
        if (ts_parse_count(v, &c->sc->skip_bad, &e) != 0)
            return ts__cfg_fail(c, sb->mark, sp, TS_EPARSE,
                                "expected a count of malformed records to pass over, found '%s'",
                                v);
    }
    const ts_ynode_t *trace = ts_ynode_get(n, "trace"), *gen = ts_ynode_get(n, "generator");
    if (trace && gen) {
        const ts_ynode_t *second = n->child; /* the later of the two */
        while (second != trace && second != gen)
            second = second->next;
        second = second == trace ? gen : trace;
        return ts__cfg_fail(c, second->key_mark, path, TS_EPARSE,
                            "give either 'trace' or 'generator', not both");
    }
    const ts_ynode_t *sample = ts_ynode_get(n, "sample");
    char sp[TS__CFG_PATH];
    ts__cfg_path_key(sp, path, "sample");
    if (sample && (rc = cfg_sample(c, sample, sp)) != 0)
        return rc;
    if (!trace && !gen)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "missing required key: 'trace' (a file) or 'generator' (synthetic)");
    char sub[TS__CFG_PATH];
    ts__cfg_path_key(sub, path, trace ? "trace" : "generator");
    return trace ? cfg_trace(c, trace, sub) : cfg_generator(c, gen, sub);
}

/* ---- a loaded scenario's workload: opened, described ---- */

int ts_scenario_open_workload(const ts_scenario_t *sc, ts_reader_t **out, ts_err_t *err)
{
    *out = NULL;
    const ts_reader_ops_t *ops = sc->workload.reader;
    if (!ops)
        return ts_err_set(err, TS_EINVAL, "the scenario has no workload");
    ts_reader_ctx_t ctx = {sc->seed, sc->base_dir[0] ? sc->base_dir : NULL};
    int rc = ops->open(sc->workload.params, &ctx, out, err);
    if (rc) { /* a file that cannot be read, or parameters the reader refuses: where given */
        if (err && !err->where[0])
            memcpy(err->where, err->sys_errno ? sc->workload.where_path : sc->workload.where,
                   sizeof(err->where));
        *out = NULL;
        return rc;
    }
    if (!ts_sample_is_all(&sc->sample)) {
        ts_sample_spec_t spec = sc->sample;
        spec.salt = sc->seed;
        ts_reader_t *inner = *out;
        *out = NULL;
        rc = ts_sample_open(inner, &spec, out, err);
    }
    if (rc == 0 && sc->skip_bad) {
        ts_reader_t *inner = *out;
        *out = NULL;
        rc = ts_skipbad_open(inner, sc->skip_bad, out, err);
    }
    return rc;
}

/* A parameter's value as a user would write it; reals in their shortest exact form ("0.9",
 * not "0.90000000000000002"). */
static void cfg_format_param(const ts_param_spec_t *ps, const void *params, char *buf,
                             size_t size)
{
    if (ps->type != TS_PT_DOUBLE && ps->type != TS_PT_FRACTION) {
        ts_param_format(ps, params, buf, size);
        return;
    }
    ts_format_real(ts_param_number(ps, params), buf, size);
}

const char *ts_scenario_workload_desc(const ts_scenario_t *sc, char *buf, size_t size)
{
    const ts_reader_ops_t *ops = sc->workload.reader;
    if (!size)
        return buf;
    if (!ops) {
        snprintf(buf, size, "(none)");
        return buf;
    }
    const ts_plugin_t *b = &ops->base;
    size_t used = (size_t)snprintf(buf, size, "%s", b->name);
    for (size_t i = 0; i < b->params_count && used < size; i++) {
        char v[256];
        cfg_format_param(&b->params[i], sc->workload.params, v, sizeof(v));
        bool quote = !v[0] || strchr(v, ' ');
        used += (size_t)snprintf(buf + used, size - used, quote ? " %s=\"%s\"" : " %s=%s",
                                 b->params[i].name, v);
    }
    ts_reader_hints_t hints;
    ts_reader_hints(ops, sc->workload.params, &hints);
    if (hints.idle_hints_exact && used < size)
        used += (size_t)snprintf(buf + used, size - used,
                                 "; idle hints exact (known in advance: an upper bound for "
                                 "hint-driven policies; hint_noise > 0 makes them forecasts)");
    if (!ts_sample_is_all(&sc->sample) && used < size) {
        size_t n;
        const ts_param_spec_t *spec = ts_sample_schema(&n);
        used += (size_t)snprintf(buf + used, size - used, "; sampled");
        for (size_t i = 0; i < n && used < size; i++) {
            char v[64];
            cfg_format_param(&spec[i], &sc->sample, v, sizeof(v));
            used += (size_t)snprintf(buf + used, size - used, " %s=%s", spec[i].name, v);
        }
    }
    return buf;
}
