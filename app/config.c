/* SPDX-License-Identifier: MIT */
/*
 * config.c - the scenario loader: YAML (a file, a string or the built-in default) plus
 * `-s key.path=value` overrides -> ts_scenario_t (see scenario.h and docs/scenario.md).
 *
 * Pipeline: sim/yamltree.c builds a tree with line/column marks, the overrides edit that
 * tree, then the decoder below walks it once, resolving plug-in names through the
 * registries and filling their params structs through their schemas (ts_param_set), so an
 * override is checked exactly like the file. Every error names file:line:col and the key
 * path (or `-s key.path` for an override) and says what was expected and what was found.
 * `mode` is decoded first (tier capacities depend on it); other top-level keys are decoded
 * in document order, so the first problem in the file is the one reported.
 */
#include "scenario.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/admit.h"
#include "../traces/trace.h"
#include "../workloads/gen.h"
#include "../sim/models.h"
#include "../sim/util/mem.h"
#include "../sim/sample.h"
#include "../sim/util/units.h"
#include "../sim/util/yamltree.h"

#define CFG_PATH 256 /* key paths ("workload.trace.columns.time") */

typedef struct cfg {
    const char *source; /* names the input in locations */
    ts_scenario_t *sc;  /* being filled */
    ts_err_t *err;
    const ts_ynode_t *into;  /* prefetch.into, resolved once the tiers are known */
    char into_path[256];      /* its key path */
    /* devices and links, resolved once the whole scenario (and `devices:`) is read; index
     * TS_MAX_TIERS is the backing store */
    const ts_ynode_t *dev[TS_MAX_TIERS + 1], *link[TS_MAX_TIERS + 1];
    char dev_path[TS_MAX_TIERS + 1][CFG_PATH], link_path[TS_MAX_TIERS + 1][CFG_PATH];
    const ts_ynode_t *devices; /* `devices:`, an extra catalogue file */
    const ts_ynode_t *engine;  /* `engine:` (for messages about what the timed engine needs) */
    const ts_ynode_t *prefill_auto; /* `timed.prefill_rate: auto`, resolved at the end */
    const ts_ynode_t *admit[TS_MAX_TIERS]; /* tiers' `admit:` (cost_aware is resolved last) */
    /* each level's `cost:` (backing store at TS_MAX_TIERS) and the top-level one, applied
     * over the price table's defaults once the devices are known */
    const ts_ynode_t *cost[TS_MAX_TIERS + 1], *cost_top;
    char cost_path[TS_MAX_TIERS + 1][CFG_PATH];
} cfg_t;

/* ---- errors and small readers ---- */

static void cfg_where(cfg_t *c, ts_ymark_t m, const char *path)
{
    ts_ymark_where(c->err, c->source, m, path);
}

static int cfg_fail(cfg_t *c, ts_ymark_t m, const char *path, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int cfg_fail(cfg_t *c, ts_ymark_t m, const char *path, int code, const char *fmt, ...)
{
    char msg[sizeof(c->err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ts_err_set(c->err, code, "%s", msg);
    cfg_where(c, m, path);
    return code;
}

static int cfg_oom(cfg_t *c, ts_ymark_t m, const char *path)
{
    return cfg_fail(c, m, path, TS_ENOMEM, "out of memory loading the scenario");
}

/* parent.key; a path longer than CFG_PATH keeps its head (it only labels messages). */
static void cfg_path_key(char *out, const char *parent, const char *key)
{
    int n = snprintf(out, CFG_PATH, "%s%s%s", parent, parent[0] ? "." : "", key);
    if (n < 0)
        out[0] = 0;
}

static void cfg_join(char *out, size_t size, const char *const *names, size_t n)
{
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", names[i]);
}

/* The text of a scalar node, or an error saying what was expected instead. */
static int cfg_scalar(cfg_t *c, const ts_ynode_t *n, const char *path, const char *expect,
                      const char **out)
{
    *out = "";
    if (n->kind != TS_Y_SCALAR || n->is_null)
        return cfg_fail(c, n->mark, path, TS_EPARSE, "expected %s, found %s", expect,
                        ts_ynode_what(n));
    *out = n->value;
    return 0;
}

static int cfg_string(cfg_t *c, const ts_ynode_t *n, const char *path, char *buf,
                      size_t size)
{
    const char *s;
    int rc = cfg_scalar(c, n, path, "a string", &s);
    if (rc)
        return rc;
    if (strlen(s) >= size)
        return cfg_fail(c, n->mark, path, TS_ERANGE, "expected at most %zu characters, found %zu",
                        size - 1, strlen(s));
    memcpy(buf, s, strlen(s) + 1);
    return 0;
}

static int cfg_bool(cfg_t *c, const ts_ynode_t *n, const char *path, bool *out)
{
    const char *s;
    int b = 0, rc = cfg_scalar(c, n, path, "true or false", &s);
    if (rc == 0 && (rc = ts_parse_bool(s, &b, c->err)) != 0)
        cfg_where(c, n->mark, path);
    if (rc == 0)
        *out = b != 0;
    return rc;
}

static int cfg_map(cfg_t *c, const ts_ynode_t *n, const char *path, const char *example)
{
    if (n->kind == TS_Y_MAP)
        return 0;
    return cfg_fail(c, n->mark, path, TS_EPARSE, "expected a map such as %s, found %s", example,
                    ts_ynode_what(n));
}

/* Every key of map must be one of keys[0..n); the error suggests a close one. */
static int cfg_keys(cfg_t *c, const ts_ynode_t *map, const char *path, const char *const *keys,
                    size_t n)
{
    for (const ts_ynode_t *kv = map->child; kv; kv = kv->next) {
        size_t i = 0;
        while (i < n && strcmp(kv->key, keys[i]) != 0)
            i++;
        if (i < n)
            continue;
        char sub[CFG_PATH], list[200];
        cfg_path_key(sub, path, kv->key);
        const char *hint = ts_suggest(kv->key, keys, n);
        if (hint)
            return cfg_fail(c, kv->key_mark, sub, TS_ENOENT,
                            "unknown key '%s' (did you mean '%s'?)", kv->key, hint);
        cfg_join(list, sizeof(list), keys, n);
        return cfg_fail(c, kv->key_mark, sub, TS_ENOENT, "unknown key '%s' (expected one of: %s)",
                        kv->key, list);
    }
    return 0;
}

/* One of choices[0..n) (index in *out), or "unknown <what> 'x' (did you mean ...)". */
static int cfg_choice(cfg_t *c, const ts_ynode_t *n, const char *path, const char *what,
                      const char *const *choices, size_t count, int *out)
{
    char expect[160], list[120];
    cfg_join(list, sizeof(list), choices, count);
    snprintf(expect, sizeof(expect), "one of: %s", list);
    const char *s;
    int rc = cfg_scalar(c, n, path, expect, &s);
    if (rc)
        return rc;
    for (size_t i = 0; i < count; i++)
        if (strcmp(s, choices[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    const char *hint = ts_suggest(s, choices, count);
    if (hint)
        return cfg_fail(c, n->mark, path, TS_ENOENT, "unknown %s '%s' (did you mean '%s'?)", what,
                        s, hint);
    return cfg_fail(c, n->mark, path, TS_ENOENT, "unknown %s '%s' (expected %s)", what, s,
                    expect);
}

/* ---- plug-in parameters through their schemas ---- */

/* key is one of the space-separated words of list. */
static bool cfg_is_listed(const char *key, const char *list)
{
    size_t len = strlen(key);
    for (const char *p = list; *p;) {
        size_t w = strcspn(p, " ");
        if (w == len && strncmp(p, key, len) == 0)
            return true;
        p += w;
        while (*p == ' ')
            p++;
    }
    return false;
}

/* Sets every scalar under map as a parameter; nested maps give dotted names. */
static int cfg_params_walk(cfg_t *c, const ts_param_spec_t *spec, size_t count, void *params,
                           bool *seen, const ts_ynode_t *map, const char *prefix,
                           const char *path, const char *skip)
{
    for (const ts_ynode_t *kv = map->child; kv; kv = kv->next) {
        if (skip && cfg_is_listed(kv->key, skip))
            continue;
        char name[CFG_PATH], sub[CFG_PATH];
        cfg_path_key(name, prefix, kv->key);
        cfg_path_key(sub, path, kv->key);
        if (kv->kind == TS_Y_MAP) {
            int rc = cfg_params_walk(c, spec, count, params, seen, kv, name, sub, NULL);
            if (rc)
                return rc;
            continue;
        }
        const ts_param_spec_t *ps = ts_param_find(spec, count, name);
        if (!ps) {
            int rc = ts_param_set(spec, count, params, name, "", c->err); /* its message */
            cfg_where(c, kv->key_mark, sub);
            return rc ? rc : TS_EINTERNAL;
        }
        if (kv->kind != TS_Y_SCALAR || kv->is_null) {
            char form[128];
            return cfg_fail(c, kv->mark, sub, TS_EPARSE, "expected %s, found %s",
                            ts_param_type_name(ps, form, sizeof(form)), ts_ynode_what(kv));
        }
        int rc = ts_param_set(spec, count, params, name, kv->value, c->err);
        if (rc) {
            cfg_where(c, kv->mark, sub);
            return rc;
        }
        seen[ps - spec] = true;
    }
    return 0;
}

/* Allocates *params (size bytes) with the schema's defaults, sets them from n and checks
 * that the required ones were given. n is a map of parameters (skip lists, separated by
 * spaces, the keys that are not parameters), a scalar that is the value of scalar_param
 * (ignored when that is NULL), or NULL for none; mark and path place errors about n as a
 * whole. */
static int cfg_params(cfg_t *c, const ts_param_spec_t *spec, size_t count, size_t size,
                      void **params, const ts_ynode_t *n, ts_ymark_t mark, const char *path,
                      const char *skip, const char *scalar_param)
{
    int rc = 0;
    if (size) {
        if (!(*params = ts_malloc(size)))
            return cfg_oom(c, mark, path);
        if ((rc = ts_param_defaults(spec, count, *params, size, c->err)) != 0) {
            cfg_where(c, mark, path);
            return rc;
        }
    }
    if (!count && (!n || n->kind != TS_Y_MAP))
        return 0;
    bool *seen = ts_calloc(count ? count : 1, sizeof(bool));
    if (!seen)
        return cfg_oom(c, mark, path);
    if (n && n->kind == TS_Y_MAP) {
        rc = cfg_params_walk(c, spec, count, *params, seen, n, "", path, skip);
    } else if (n && scalar_param) {
        const ts_param_spec_t *ps = ts_param_find(spec, count, scalar_param);
        rc = ts_param_set(spec, count, *params, scalar_param, n->value, c->err);
        if (rc)
            cfg_where(c, n->mark, path);
        else if (ps)
            seen[ps - spec] = true;
    }
    for (size_t i = 0; rc == 0 && i < count; i++)
        if (!spec[i].def && !seen[i])
            rc = cfg_fail(c, mark, path, TS_EPARSE, "missing required key '%s'", spec[i].name);
    ts_free(seen);
    return rc;
}

/* ---- workload ---- */

/* Fills the workload from n (see cfg_params). */
static int cfg_reader(cfg_t *c, const ts_reader_ops_t *ops, const ts_ynode_t *n,
                      const char *path, const char *skip, const char *scalar_param,
                      bool is_generator)
{
    ts_workload_spec_t *w = &c->sc->workload;
    w->reader = ops;
    w->is_generator = is_generator;
    return cfg_params(c, ops->params, ops->params_count, ops->params_size, &w->params, n,
                      n->mark, path, skip, scalar_param);
}

static int cfg_trace(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "expected a map such as {path: requests.csv, format: csv} or a file "
                        "name, found %s",
                        ts_ynode_what(n));
    const ts_trace_format_t *fmt;
    const ts_ynode_t *fn = ts_ynode_get(n, "format");
    char sub[CFG_PATH];
    const char *s;
    int rc;
    if (fn) {
        cfg_path_key(sub, path, "format");
        if ((rc = cfg_scalar(c, fn, sub, "a trace format name", &s)) != 0)
            return rc;
        if (!(fmt = ts_trace_find(s, c->err))) {
            cfg_where(c, fn->mark, sub);
            return TS_ENOENT;
        }
    } else {
        const ts_ynode_t *pn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "path");
        if (!pn)
            return cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'path'");
        if (pn == n)
            snprintf(sub, sizeof(sub), "%s", path);
        else
            cfg_path_key(sub, path, "path");
        if ((rc = cfg_scalar(c, pn, sub, "a file name", &s)) != 0)
            return rc;
        char full[2048];
        ts_reader_ctx_t ctx = {0, c->sc->base_dir};
        if ((rc = ts_reader_path(&ctx, s, full, sizeof(full), c->err)) != 0) {
            cfg_where(c, pn->mark, sub);
            return rc;
        }
        if (!(fmt = ts_trace_guess(full))) {
            char list[160] = "";
            const char *names[32];
            size_t k = 0;
            for (size_t i = 0; i < ts_trace_count() && k < 32; i++)
                names[k++] = ts_trace_at(i)->name;
            cfg_join(list, sizeof(list), names, k);
            return cfg_fail(c, pn->mark, sub, TS_EPARSE,
                            "cannot tell the format of '%s' from its name or contents; add "
                            "'format:' (one of: %s)",
                            s, list);
        }
    }
    return cfg_reader(c, fmt->reader, n, path, "format", "path", false);
}

static int cfg_generator(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "expected a map such as {kind: zipf, alpha: 0.9} or a generator kind, "
                        "found %s",
                        ts_ynode_what(n));
    const ts_ynode_t *kn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "kind");
    if (!kn)
        return cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'kind'");
    char sub[CFG_PATH];
    if (kn == n)
        snprintf(sub, sizeof(sub), "%s", path);
    else
        cfg_path_key(sub, path, "kind");
    const char *kind;
    int rc = cfg_scalar(c, kn, sub, "a generator kind", &kind);
    if (rc)
        return rc;
    const ts_reader_ops_t *ops = ts_gen_find(kind, c->err);
    if (!ops) {
        cfg_where(c, kn->mark, sub);
        return TS_ENOENT;
    }
    return cfg_reader(c, ops, n, path, "kind", NULL, true);
}

static const char *const k_workload_keys[] = {"trace", "generator", "sample", "skip_bad"};

/* `workload.sample`: which part of the workload to replay (sim/sample.h). */
static int cfg_sample(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    int rc = cfg_map(c, n, path, "{rate: 1%, start: 10s, end: 1h}");
    if (rc)
        return rc;
    size_t count;
    const ts_param_spec_t *spec = ts_sample_schema(&count);
    void *p = NULL;
    rc = cfg_params(c, spec, count, sizeof(ts_sample_spec_t), &p, n, n->mark, path, NULL, NULL);
    if (rc == 0) {
        memcpy(&c->sc->sample, p, sizeof(ts_sample_spec_t));
        if (c->sc->sample.end_ns && c->sc->sample.end_ns <= c->sc->sample.start_ns)
            rc = cfg_fail(c, n->mark, path, TS_ERANGE, "the window ends before it starts");
    }
    ts_free(p);
    return rc;
}

static int cfg_workload(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    int rc = cfg_map(c, n, path, "{generator: {kind: zipf}} or {trace: {path: t.csv}}");
    if (rc || (rc = cfg_keys(c, n, path, k_workload_keys, 4)) != 0)
        return rc;
    const ts_ynode_t *sb = ts_ynode_get(n, "skip_bad");
    if (sb) {
        char sp[CFG_PATH];
        const char *v;
        ts_err_t e = {0};
        cfg_path_key(sp, path, "skip_bad");
        if ((rc = cfg_scalar(c, sb, sp, "a count of malformed records to pass over", &v)) != 0)
            return rc;
        if (ts_parse_count(v, &c->sc->skip_bad, &e) != 0)
            return cfg_fail(c, sb->mark, sp, TS_EPARSE,
                            "expected a count of malformed records to pass over, found '%s'", v);
    }
    const ts_ynode_t *trace = ts_ynode_get(n, "trace"), *gen = ts_ynode_get(n, "generator");
    if (trace && gen) {
        const ts_ynode_t *second = n->child; /* the later of the two */
        while (second != trace && second != gen)
            second = second->next;
        second = second == trace ? gen : trace;
        return cfg_fail(c, second->key_mark, path, TS_EPARSE,
                        "give either 'trace' or 'generator', not both");
    }
    const ts_ynode_t *sample = ts_ynode_get(n, "sample");
    char sp[CFG_PATH];
    cfg_path_key(sp, path, "sample");
    if (sample && (rc = cfg_sample(c, sample, sp)) != 0)
        return rc;
    if (!trace && !gen)
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "missing required key: 'trace' (a file) or 'generator' (synthetic)");
    char sub[CFG_PATH];
    cfg_path_key(sub, path, trace ? "trace" : "generator");
    return trace ? cfg_trace(c, trace, sub) : cfg_generator(c, gen, sub);
}

/* ---- tiers ---- */

/* Trailing letters of s end in b/B: a byte unit (B, KB, KiB, ...). */
static bool cfg_has_byte_unit(const char *s)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    return len && (s[len - 1] == 'b' || s[len - 1] == 'B');
}

static int cfg_capacity(cfg_t *c, const ts_ynode_t *n, const char *path, ts_tier_spec_t *t)
{
    bool objects = c->sc->mode == TS_MODE_OBJECTS;
    const char *s;
    int rc = cfg_scalar(c, n, path,
                        objects ? "an object count such as 1000 or a percentage such as 10%"
                                : "a size such as 4GiB or a percentage such as 10%",
                        &s);
    if (rc)
        return rc;
    ts_err_t e = {0};
    if (strchr(s, '%')) {
        double f;
        if (ts_parse_fraction(s, &f, &e))
            return cfg_fail(c, n->mark, path, TS_EPARSE,
                            "expected a percentage of the footprint such as 10%%, found '%s'", s);
        if (!(f > 0 && f <= 1))
            return cfg_fail(c, n->mark, path, TS_ERANGE,
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
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "in objects mode a capacity is an object count such as 1000 or 10k, "
                        "found the size '%s' (set 'mode: bytes' to give capacities in bytes)",
                        s);
    ts_err_clear(&e);
    rc = objects ? ts_parse_count(s, &v, &e) : ts_parse_size(s, &v, &e);
    if (rc == TS_EPARSE)
        return cfg_fail(c, n->mark, path, TS_EPARSE, "expected %s, or a percentage such as 10%%, "
                        "found '%s'",
                        objects ? "a count such as 1000, 10k or 1e6"
                                : "a size such as 4096 (bytes), 512MiB or 1.5TB",
                        s);
    if (rc)
        return cfg_fail(c, n->mark, path, rc, "%s", e.msg);
    if (v == 0)
        return cfg_fail(c, n->mark, path, TS_ERANGE, "a capacity must be above zero, found '%s'",
                        s);
    t->is_fraction = false;
    t->capacity = v;
    return 0;
}

static int cfg_policy(cfg_t *c, const ts_ynode_t *n, const char *path, ts_tier_spec_t *t)
{
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "expected a policy name such as lru or a map such as {name: s3fifo, "
                        "small_ratio: 10%%}, found %s",
                        ts_ynode_what(n));
    const ts_ynode_t *nn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "name");
    if (!nn)
        return cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'name'");
    char sub[CFG_PATH];
    if (nn == n)
        snprintf(sub, sizeof(sub), "%s", path);
    else
        cfg_path_key(sub, path, "name");
    const char *name;
    int rc = cfg_scalar(c, nn, sub, "a policy name", &name);
    if (rc)
        return rc;
    const ts_policy_ops_t *ops = ts_policy_find(name, c->err);
    if (!ops) {
        cfg_where(c, nn->mark, sub);
        return TS_ENOENT;
    }
    t->policy = ops;
    return cfg_params(c, ops->params, ops->params_count, ops->params_size, &t->policy_params, n,
                      n->mark, path, "name", NULL);
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

/* A plug-in chosen by `kind`: a plain name, or a map whose `kind` picks it. Returns the
 * kind's text, its node and its key path (sub, CFG_PATH bytes). what names the plug-in in
 * messages; example shows the map form. */
static int cfg_kind(cfg_t *c, const ts_ynode_t *n, const char *path, const char *what,
                    const char *example, const char **kind, const ts_ynode_t **kn, char *sub)
{
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "expected %s name or a map such as %s, found %s", what, example,
                        ts_ynode_what(n));
    *kn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "kind");
    if (!*kn)
        return cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'kind'");
    if (*kn == n)
        snprintf(sub, CFG_PATH, "%s", path);
    else
        cfg_path_key(sub, path, "kind");
    char expect[64];
    snprintf(expect, sizeof(expect), "%s name", what);
    return cfg_scalar(c, *kn, sub, expect, kind);
}

static int cfg_admit(cfg_t *c, const ts_ynode_t *n, const char *path, ts_tier_spec_t *t)
{
    const char *kind;
    const ts_ynode_t *kn = NULL;
    char sub[CFG_PATH];
    int rc = cfg_kind(c, n, path, "an admission filter", "{kind: second_hit, window: 100000}",
                      &kind, &kn, sub);
    if (rc)
        return rc;
    const ts_admit_ops_t *ops = ts_admit_find(kind, c->err);
    if (!ops) {
        cfg_where(c, kn->mark, sub);
        return TS_ENOENT;
    }
    t->admit = ops;
    return cfg_params(c, ops->params, ops->params_count, ops->params_size, &t->admit_params,
                      kn == n ? NULL : n, n->mark, path, "kind", NULL);
}

static const char *const k_tier_keys[] = {"name", "capacity", "policy", "admit", "device",
                                          "link", "cost"};

/* Notes the `device`, `link` and `cost` of n (a tier, or the backing store at index i) for
 * cfg_resolve_devices and cfg_resolve_cost. */
static void cfg_note_level(cfg_t *c, const ts_ynode_t *n, const char *path, size_t i)
{
    c->dev[i] = ts_ynode_get(n, "device");
    c->link[i] = ts_ynode_get(n, "link");
    c->cost[i] = ts_ynode_get(n, "cost");
    cfg_path_key(c->dev_path[i], path, "device");
    cfg_path_key(c->link_path[i], path, "link");
    cfg_path_key(c->cost_path[i], path, "cost");
}

static int cfg_tier(cfg_t *c, const ts_ynode_t *n, const char *path, size_t i)
{
    ts_tier_spec_t *t = &c->sc->tiers[i];
    int rc = cfg_map(c, n, path, "{name: dram, capacity: 1000, policy: lru}");
    if (rc || (rc = cfg_keys(c, n, path, k_tier_keys, 7)) != 0)
        return rc;
    cfg_note_level(c, n, path, i);
    char sub[CFG_PATH];
    const ts_ynode_t *nn = ts_ynode_get(n, "name");
    cfg_path_key(sub, path, "name");
    if (nn) {
        if ((rc = cfg_string(c, nn, sub, t->name, sizeof(t->name))) != 0)
            return rc;
        if (!cfg_tier_name_ok(t->name))
            return cfg_fail(c, nn->mark, sub, TS_EPARSE,
                            "expected a tier name of letters, digits, '_', '-' or '.', "
                            "found '%s'",
                            t->name);
    } else {
        snprintf(t->name, sizeof(t->name), "tier%zu", i);
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(c->sc->tiers[j].name, t->name) == 0)
            return cfg_fail(c, nn ? nn->mark : n->mark, nn ? sub : path, TS_EPARSE,
                            "duplicate tier name '%s' (tiers[%zu] has it too)", t->name, j);
    const ts_ynode_t *cn = ts_ynode_get(n, "capacity");
    if (!cn)
        return cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'capacity'");
    cfg_path_key(sub, path, "capacity");
    if ((rc = cfg_capacity(c, cn, sub, t)) != 0)
        return rc;
    const ts_ynode_t *an = ts_ynode_get(n, "admit");
    cfg_path_key(sub, path, "admit");
    if (an && (rc = cfg_admit(c, an, sub, t)) != 0)
        return rc;
    c->admit[i] = an;
    c->sc->hier.admit[i] = t->admit;
    c->sc->hier.admit_params[i] = t->admit_params;
    const ts_ynode_t *pn = ts_ynode_get(n, "policy");
    cfg_path_key(sub, path, "policy");
    if (pn)
        return cfg_policy(c, pn, sub, t);
    if (!(t->policy = ts_policy_find("lru", c->err)))
        return cfg_fail(c, n->mark, path, TS_EINTERNAL, "the default policy lru is missing");
    return cfg_params(c, t->policy->params, t->policy->params_count, t->policy->params_size,
                      &t->policy_params, NULL, n->mark, path, NULL, NULL);
}

static int cfg_tiers(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind != TS_Y_SEQ)
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "expected a list of tiers such as [{name: dram, capacity: 1000}], found %s",
                        ts_ynode_what(n));
    if (n->n_children == 0)
        return cfg_fail(c, n->mark, path, TS_EPARSE, "expected at least one tier, found none");
    size_t i = 0;
    char sub[CFG_PATH];
    for (const ts_ynode_t *item = n->child; item; item = item->next, i++) {
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (i == TS_MAX_TIERS)
            return cfg_fail(c, item->mark, sub, TS_ERANGE, "expected at most %d tiers, found %zu",
                            TS_MAX_TIERS, n->n_children);
        int rc = cfg_tier(c, item, sub, i);
        c->sc->n_tiers = i + 1;
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- top level ---- */

static int cfg_name(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    return cfg_string(c, n, path, c->sc->name, sizeof(c->sc->name));
}

static int cfg_seed(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *s;
    int rc = cfg_scalar(c, n, path, "a whole number such as 42", &s);
    if (rc)
        return rc;
    uint64_t v = 0;
    bool ok = s[0] != 0;
    for (const char *p = s; ok && *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        ok = d <= 9 && v <= (UINT64_MAX - d) / 10;
        v = v * 10 + d;
    }
    if (!ok)
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "expected a whole number from 0 to %llu, found '%s'",
                        (unsigned long long)UINT64_MAX, s);
    c->sc->seed = v;
    return 0;
}

static const char *const k_modes[] = {"objects", "bytes"};

static int cfg_mode(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    int m = 0;
    int rc = cfg_choice(c, n, path, "mode", k_modes, 2, &m);
    if (rc == 0)
        c->sc->mode = m == 0 ? TS_MODE_OBJECTS : TS_MODE_BYTES;
    return rc;
}

static const char *const k_engines[] = {"fast", "timed"};

static int cfg_engine(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *s;
    int e = 0, rc = cfg_scalar(c, n, path, "an engine name (fast or timed)", &s);
    if (rc)
        return rc;
    if (strcmp(s, "live") == 0)
        return cfg_fail(c, n->mark, path, TS_EUNSUPPORTED,
                        "engine 'live' is not available yet; expected one of: fast, timed");
    if ((rc = cfg_choice(c, n, path, "engine", k_engines, 2, &e)) == 0)
        c->sc->engine = e == 1 ? TS_ENGINE_TIMED : TS_ENGINE_FAST;
    c->engine = n;
    return rc;
}

static int cfg_timed(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0;
    int rc = cfg_map(c, n, path, "{arrivals: closed, clients: 8, think: 1ms}");
    if (rc)
        return rc;
    size_t count;
    const ts_param_spec_t *spec = ts_timed_schema(&count);
    const ts_ynode_t *rate = ts_ynode_get(n, "prefill_rate");
    c->prefill_auto = NULL;
    if (rate && rate->kind == TS_Y_SCALAR && !rate->is_null && !strcmp(rate->value, "auto"))
        c->prefill_auto = rate;
    void *p = NULL;
    rc = cfg_params(c, spec, count, sizeof(ts_timed_params_t), &p, n, n->mark, path,
                    c->prefill_auto ? "prefill_rate" : NULL, NULL);
    if (rc == 0)
        memcpy(&c->sc->timed, p, sizeof(ts_timed_params_t));
    ts_free(p);
    return rc;
}

static const char *const k_backing_keys[] = {"device", "link", "cost"};

static int cfg_backing(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    int rc = cfg_map(c, n, path, "{device: s3-standard, link: eth-100g}");
    if (rc || (rc = cfg_keys(c, n, path, k_backing_keys, 3)) != 0)
        return rc;
    cfg_note_level(c, n, path, TS_MAX_TIERS);
    return 0;
}

/* `cost:` is applied once the devices (and so the default prices) are known. */
static int cfg_cost(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    c->cost_top = n;
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0; /* `cost:` with everything commented out */
    return cfg_map(c, n, path, "{gpus: 8, gpu_price: $2.99/h} or {enabled: false}");
}

static int cfg_devices(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *s;
    int rc = cfg_scalar(c, n, path, "the name of a device catalogue file (YAML)", &s);
    if (rc)
        return rc;
    ts_reader_ctx_t ctx = {0, c->sc->base_dir};
    if ((rc = ts_reader_path(&ctx, s, c->sc->devices_file, sizeof(c->sc->devices_file),
                             c->err)) != 0)
        cfg_where(c, n->mark, path);
    c->devices = n;
    return rc;
}

/* ---- devices and links ---- */

/* A device (is_link false) or a link from n: a preset name, or a map whose `preset` names
 * one and whose other keys override its fields. */
static int cfg_model(cfg_t *c, const ts_dev_catalog_t *cat, const ts_ynode_t *n,
                     const char *path, bool is_link, void *out)
{
    const char *what = is_link ? "link" : "device";
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "expected a %s preset name or a map such as {preset: %s, %s}, found %s",
                        what, is_link ? "pcie-gen5-x16" : "micron-9550-max",
                        is_link ? "latency: 2us" : "channels: 64", ts_ynode_what(n));
    const ts_ynode_t *pn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "preset");
    if (!pn)
        return cfg_fail(c, n->mark, path, TS_EPARSE,
                        "missing required key 'preset' (a name from `tiersim list devices`)");
    char sub[CFG_PATH];
    if (pn == n)
        snprintf(sub, sizeof(sub), "%s", path);
    else
        cfg_path_key(sub, path, "preset");
    const char *name;
    int rc = cfg_scalar(c, pn, sub, is_link ? "a link preset name" : "a device preset name",
                        &name);
    if (rc)
        return rc;
    rc = is_link ? ts_link_find(cat, name, out, c->err) : ts_dev_find(cat, name, out, c->err);
    if (rc) {
        cfg_where(c, pn->mark, sub);
        return rc;
    }
    if (pn == n)
        return 0;
    for (const ts_ynode_t *kv = n->child; kv; kv = kv->next) {
        if (kv == pn)
            continue;
        cfg_path_key(sub, path, kv->key);
        const char *v;
        if ((rc = cfg_scalar(c, kv, sub, "a value", &v)) != 0)
            return rc;
        rc = is_link ? ts_link_set(out, kv->key, v, c->err) : ts_dev_set(out, kv->key, v, c->err);
        if (rc == 0)
            rc = is_link ? ts_link_check(out, c->err) : ts_dev_check(out, c->err);
        if (rc) {
            cfg_where(c, rc == TS_ENOENT ? kv->key_mark : kv->mark, sub);
            return rc;
        }
    }
    return 0;
}

static bool cfg_any_device(const cfg_t *c)
{
    for (size_t i = 0; i <= TS_MAX_TIERS; i++)
        if (c->dev[i] || c->link[i])
            return true;
    return c->devices != NULL || c->sc->engine == TS_ENGINE_TIMED;
}

/* Resolves every `device` and `link` against the presets and the `devices:` catalogue.
 * A tier below a GPU's HBM with no link of its own is reached over the GPU's host link.
 * The timed engine needs a device for every tier; the backing store defaults to S3. */
static int cfg_resolve_devices(cfg_t *c)
{
    if (!cfg_any_device(c))
        return 0;
    ts_scenario_t *sc = c->sc;
    ts_dev_catalog_t *cat = NULL;
    ts_ymark_t top = {1, 1, NULL};
    int rc = ts_dev_catalog_create(&cat, c->err);
    if (rc) {
        cfg_where(c, top, "devices");
        return rc;
    }
    if (c->devices && (rc = ts_dev_catalog_load_file(cat, sc->devices_file, c->err)) != 0) {
        if (!c->err->where[0])
            cfg_where(c, c->devices->mark, "devices");
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
        } else if (sc->engine == TS_ENGINE_TIMED) {
            char path[CFG_PATH];
            snprintf(path, sizeof(path), "tiers[%zu]", i);
            rc = cfg_fail(c, c->engine ? c->engine->mark : top, path, TS_EPARSE,
                          "the timed engine needs a device for every tier; add for example "
                          "'device: ddr5-4800-8ch' to tier '%s' (see `tiersim list devices`)",
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
                cfg_where(c, c->dev[i - 1]->mark, c->dev_path[i - 1]);
            t->has_link = rc == 0;
        }
    }
out:
    ts_dev_catalog_destroy(cat);
    return rc;
}

/* The workload's parameter called name, or NULL when its reader has none. */
static const ts_param_spec_t *cfg_workload_param(const ts_scenario_t *sc, const char *name)
{
    const ts_reader_ops_t *r = sc->workload.reader;
    return r && sc->workload.params ? ts_param_find(r->params, r->params_count, name) : NULL;
}

/* `timed.block_tokens: 0` takes the workload's block size and `timed.depth: 0` its reader
 * threads; `timed.prefill_rate: auto` is derived from the workload's model and the top GPU
 * tier (dense BF16 FLOP/s x mfu over 2 x active parameters per token), or taken from a
 * workload that models prefill itself. */
static int cfg_resolve_prefill(cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    const ts_param_spec_t *bt = cfg_workload_param(sc, "block_tokens");
    if (!sc->timed.block_tokens && bt)
        sc->timed.block_tokens = (uint64_t)ts_param_number(bt, sc->workload.params);
    const ts_param_spec_t *rt = cfg_workload_param(sc, "read_threads");
    if (!sc->timed.depth && rt)
        sc->timed.depth = (uint64_t)ts_param_number(rt, sc->workload.params);
    if (!c->prefill_auto)
        return 0;
    const ts_param_spec_t *mp = cfg_workload_param(sc, "model");
    const ts_tier_spec_t *gpu = NULL;
    for (size_t i = 0; i < sc->n_tiers && !gpu; i++)
        if (sc->tiers[i].has_device && sc->tiers[i].device.kind == TS_DEV_GPU_HBM &&
            sc->tiers[i].device.bf16_flops > 0)
            gpu = &sc->tiers[i];
    if (mp && mp->type == TS_PT_ENUM && gpu) {
        const char *name = mp->choices[(int)ts_param_number(mp, sc->workload.params)];
        const ts_model_t *m = ts_gen_model_find(name, c->err);
        if (!m) {
            cfg_where(c, c->prefill_auto->mark, "timed.prefill_rate");
            return c->err->code;
        }
        double flops = ts_gen_model_prefill_flops_per_token(m);
        double gpus = (double)sc->timed.prefill_gpus;
        sc->timed.prefill_rate = gpus * gpu->device.bf16_flops * sc->timed.mfu / flops;
        snprintf(sc->prefill_source, sizeof(sc->prefill_source),
                 "%s on %" PRIu64 " x %s at %.3g%% MFU", m->name, sc->timed.prefill_gpus,
                 gpu->device.name, sc->timed.mfu * 100);
        return 0;
    }
    const ts_param_spec_t *wr = cfg_workload_param(sc, "prefill_rate");
    if (wr) {
        sc->timed.prefill_rate = ts_param_number(wr, sc->workload.params);
        snprintf(sc->prefill_source, sizeof(sc->prefill_source), "the workload's prefill_rate");
        return 0;
    }
    return cfg_fail(c, c->prefill_auto->mark, "timed.prefill_rate", TS_EPARSE,
                    mp ? "'auto' needs a GPU tier to take FLOP/s from (a device such as "
                         "h100-sxm, see `tiersim list devices`); or give tokens/s"
                       : "'auto' needs a workload with a model (the inference generator, a "
                         "mooncake, bailian or agent_sessions trace) or its own prefill_rate; "
                         "or give tokens/s");
}

/* Fills the zero parameters of each `cost_aware` filter: the load of a block from its tier
 * (the device's read latency and overhead, then every link up to the top tier; the slowest
 * of the device and those links sets the rate) and the recompute of it (`timed`). */
static int cfg_resolve_cost_aware(cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    for (size_t i = 0; i < sc->n_tiers; i++) {
        const ts_tier_spec_t *t = &sc->tiers[i];
        if (!t->admit || strcmp(t->admit->name, "cost_aware") != 0)
            continue;
        ts_admit_cost_aware_params_t *p = t->admit_params;
        char path[CFG_PATH];
        snprintf(path, sizeof(path), "tiers[%zu].admit", i);
        if ((!p->load_rate || !p->load_latency_ns) && !t->has_device)
            return cfg_fail(c, c->admit[i]->mark, path, TS_EPARSE,
                            "cost_aware needs the tier's device (or load_rate and "
                            "load_latency) to know how fast a block loads back");
        if (t->has_device) {
            const ts_device_t *d = &t->device;
            uint64_t rate = d->read_bytes_per_s, lat = d->read_latency_ns + d->overhead_ns;
            if (d->channel_bytes_per_s && d->channel_bytes_per_s < rate)
                rate = d->channel_bytes_per_s;
            for (size_t j = i; j >= 1; j--) {
                const ts_tier_spec_t *u = &sc->tiers[j];
                if (!u->has_link)
                    continue;
                lat += u->link.latency_ns;
                if (u->link.bytes_per_s && u->link.bytes_per_s < rate)
                    rate = u->link.bytes_per_s;
            }
            if (!p->load_rate)
                p->load_rate = rate;
            if (!p->load_latency_ns)
                p->load_latency_ns = lat;
        }
        if (!(p->prefill_rate > 0))
            p->prefill_rate = sc->timed.prefill_rate;
        if (!p->block_tokens)
            p->block_tokens = sc->timed.block_tokens;
        if (!(p->prefill_rate > 0) || !p->block_tokens)
            return cfg_fail(c, c->admit[i]->mark, path, TS_EPARSE,
                            "cost_aware needs a prefill rate and a block size: set "
                            "timed.prefill_rate (a number or auto) and timed.block_tokens, or "
                            "the filter's prefill_rate and block_tokens");
    }
    return 0;
}

/* ---- cost ---- */

/* Sets the keys of map (a `cost:` map; null: nothing) in params through spec[0..n). */
static int cfg_apply(cfg_t *c, const ts_param_spec_t *spec, size_t n, void *params,
                     const ts_ynode_t *map, const char *path)
{
    if (map->kind == TS_Y_SCALAR && map->is_null)
        return 0;
    int rc = cfg_map(c, map, path, "{purchase: $0.10/GB, lifetime: 5y}");
    bool seen[32] = {0};
    return rc ? rc : cfg_params_walk(c, spec, n, params, seen, map, "", path, NULL);
}

/* A level's `cost:` over its defaults. Giving purchase or storage replaces the default way
 * of paying for capacity (buy or rent), so a rented NVMe is not also bought. Request and
 * transfer prices belong to the central store; the message says so on a tier. */
static int cfg_level_cost(cfg_t *c, size_t i, ts_price_scope_t scope, ts_price_t *p)
{
    const ts_ynode_t *map = c->cost[i];
    const char *path = c->cost_path[i];
    size_t n, n_all;
    const ts_param_spec_t *spec = ts_price_schema(scope, &n);
    ts_price_schema(TS_PRICE_BACKING, &n_all);
    for (const ts_ynode_t *kv = map->kind == TS_Y_MAP ? map->child : NULL; kv; kv = kv->next)
        if (!ts_param_find(spec, n, kv->key) && ts_param_find(spec, n_all, kv->key)) {
            char sub[CFG_PATH];
            cfg_path_key(sub, path, kv->key);
            return cfg_fail(c, kv->key_mark, sub, TS_ENOENT,
                            "'%s' is a price of the central store: set it in backing.cost",
                            kv->key);
        }
    if (ts_ynode_get(map, "purchase") || ts_ynode_get(map, "storage"))
        p->purchase_usd_gb = p->storage_usd_gb_month = 0;
    return cfg_apply(c, spec, n, p, map, path);
}

/* cost.gpu names a row of the price table. */
static int cfg_cost_gpu(cfg_t *c, const ts_price_table_t *tab)
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
        char list[200];
        cfg_join(list, sizeof(list), names, k);
        return cfg_fail(c, gn->mark, "cost.gpu", TS_ENOENT,
                        "no price for GPU '%s' in the price table (%s%s%s); or set "
                        "cost.gpu_price",
                        cs->gpu, hint ? "did you mean '" : "priced: ", hint ? hint : list,
                        hint ? "'?" : "");
    }
    if (!ts_ynode_get(c->cost_top, "gpu_price"))
        cs->gpu_usd_hour = row->gpu_usd_hour;
    return 0;
}

/* The cost model: the top-level `cost:` keys; every level's defaults from the price table by
 * its device (a tier without one has no price; the central store is S3 Standard unless it
 * names a device); the GPU (cost.gpu, else the first tier on a GPU's HBM); each level's
 * `cost:`. Checked even when cost.enabled is false, so a typo never hides. */
static int cfg_resolve_cost(cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    ts_cost_spec_t *cs = &sc->cost;
    ts_ymark_t top = {1, 1, NULL};
    size_t n;
    const ts_param_spec_t *spec = ts_cost_schema(&n);
    int rc = ts_param_defaults(spec, n, cs, sizeof(*cs), c->err);
    if (rc) {
        cfg_where(c, top, "cost");
        return TS_EINTERNAL;
    }
    if (c->cost_top && (rc = cfg_apply(c, spec, n, cs, c->cost_top, "cost")) != 0)
        return rc;
    ts_price_table_t *tab = NULL;
    if ((rc = ts_price_table_create(&tab, c->err)) != 0) {
        cfg_where(c, top, "cost");
        return rc;
    }
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
                cs->gpu_usd_hour = p->gpu_usd_hour;
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

static const char *const k_output_keys[] = {"dir",  "json",     "csv",   "text",
                                            "hdf5", "interval", "points", "axis"};
#define N_OUTPUT_KEYS (sizeof(k_output_keys) / sizeof(k_output_keys[0]))

/* outputs.interval: `auto`, a duration (time axes) or a count of requests (axis requests);
 * read once the axis is known. */
static int cfg_series_interval(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    ts_series_spec_t *sp = &c->sc->outputs.series;
    bool by_requests = sp->axis == TS_AXIS_REQUESTS;
    const char *expect = by_requests ? "auto or a count of requests such as 10k"
                                     : "auto or a duration such as 1s or 500ms";
    const char *v;
    int rc = cfg_scalar(c, n, path, expect, &v);
    if (rc)
        return rc;
    ts_err_t e = {0};
    sp->interval = 0;
    if (strcmp(v, "auto") != 0 && ((by_requests ? ts_parse_count(v, &sp->interval, &e)
                                                : ts_parse_duration(v, &sp->interval, &e)) != 0 ||
                                   sp->interval == 0))
        return cfg_fail(c, n->mark, path, TS_EPARSE, "expected %s, found '%s'", expect, v);
    return 0;
}

static int cfg_series_points(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *v;
    int rc = cfg_scalar(c, n, path, "a count of points", &v);
    if (rc)
        return rc;
    ts_err_t e = {0};
    uint64_t p = 0;
    if (ts_parse_count(v, &p, &e) != 0 || p < TS_SERIES_POINTS_MIN || p > TS_SERIES_POINTS_MAX)
        return cfg_fail(c, n->mark, path, TS_ERANGE,
                        "expected a count of points from %u to %u, found '%s'",
                        TS_SERIES_POINTS_MIN, TS_SERIES_POINTS_MAX, v);
    c->sc->outputs.series.max_points = p;
    return 0;
}

static int cfg_outputs(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0; /* `outputs:` with everything commented out */
    ts_output_spec_t *o = &c->sc->outputs;
    int rc = cfg_map(c, n, path, "{dir: out, json: true}");
    if (rc || (rc = cfg_keys(c, n, path, k_output_keys, N_OUTPUT_KEYS)) != 0)
        return rc;
    char sub[CFG_PATH];
    const ts_ynode_t *interval = NULL;
    for (const ts_ynode_t *kv = n->child; rc == 0 && kv; kv = kv->next) {
        cfg_path_key(sub, path, kv->key);
        int axis = 0;
        if (strcmp(kv->key, "dir") == 0) {
            rc = cfg_string(c, kv, sub, o->dir, sizeof(o->dir));
        } else if (strcmp(kv->key, "interval") == 0) {
            interval = kv;
        } else if (strcmp(kv->key, "points") == 0) {
            rc = cfg_series_points(c, kv, sub);
        } else if (strcmp(kv->key, "axis") == 0) {
            rc = cfg_choice(c, kv, sub, "axis", ts_series_axis_names, TS_AXIS_COUNT_, &axis);
            o->series.axis = (ts_series_axis_t)axis;
        } else {
            rc = cfg_bool(c, kv, sub,
                          strcmp(kv->key, "json") == 0   ? &o->json
                          : strcmp(kv->key, "csv") == 0  ? &o->csv
                          : strcmp(kv->key, "hdf5") == 0 ? &o->hdf5
                                                         : &o->text);
        }
    }
    if (rc == 0 && interval) {
        cfg_path_key(sub, path, "interval");
        rc = cfg_series_interval(c, interval, sub);
    }
    return rc;
}

/* ---- hierarchy and prefetch ---- */

static const char *const k_hier_keys[] = {"inclusion", "promote", "demote", "write",
                                          "flush_at_end"};

static int cfg_hierarchy(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0; /* `hierarchy:` with everything commented out: the defaults */
    ts_hier_config_t *h = &c->sc->hier;
    int rc = cfg_map(c, n, path, "{inclusion: exclusive, promote: top, demote: next}");
    if (rc || (rc = cfg_keys(c, n, path, k_hier_keys, 5)) != 0)
        return rc;
    char sub[CFG_PATH];
    for (const ts_ynode_t *kv = n->child; rc == 0 && kv; kv = kv->next) {
        cfg_path_key(sub, path, kv->key);
        int v = 0;
        if (strcmp(kv->key, "inclusion") == 0) {
            if ((rc = cfg_choice(c, kv, sub, "inclusion", ts_inclusion_names, TS_INCL_COUNT_,
                                 &v)) == 0)
                h->inclusion = (ts_inclusion_t)v;
        } else if (strcmp(kv->key, "promote") == 0) {
            if ((rc = cfg_choice(c, kv, sub, "promote rule", ts_promote_names,
                                 TS_PROMOTE_COUNT_, &v)) == 0)
                h->promote = (ts_promote_t)v;
        } else if (strcmp(kv->key, "demote") == 0) {
            if ((rc = cfg_choice(c, kv, sub, "demote rule", ts_demote_names, TS_DEMOTE_COUNT_,
                                 &v)) == 0)
                h->demote = (ts_demote_t)v;
        } else if (strcmp(kv->key, "write") == 0) {
            if ((rc = cfg_choice(c, kv, sub, "write policy", ts_write_names, TS_WRITE_COUNT_,
                                 &v)) == 0)
                h->write = (ts_write_t)v;
        } else {
            rc = cfg_bool(c, kv, sub, &h->flush_at_end);
        }
    }
    return rc;
}

static int cfg_prefetch(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *kind;
    const ts_ynode_t *kn = NULL;
    char sub[CFG_PATH];
    int rc = cfg_kind(c, n, path, "a prefetcher", "{kind: next_n, n: 4, into: hbm}", &kind, &kn,
                      sub);
    if (rc)
        return rc;
    const ts_prefetch_ops_t *ops = ts_prefetch_find(kind, c->err);
    if (!ops) {
        cfg_where(c, kn->mark, sub);
        return TS_ENOENT;
    }
    ts_scenario_t *sc = c->sc;
    sc->hier.prefetch = ops;
    c->into = kn == n ? NULL : ts_ynode_get(n, "into");
    cfg_path_key(c->into_path, path, "into");
    rc = cfg_params(c, ops->params, ops->params_count, ops->params_size, &sc->prefetch_params,
                    kn == n ? NULL : n, n->mark, path, "kind into", NULL);
    sc->hier.prefetch_params = sc->prefetch_params;
    return rc;
}

/* prefetch.into names a tier: resolved after the whole scenario is decoded. */
static int cfg_prefetch_into(cfg_t *c)
{
    ts_scenario_t *sc = c->sc;
    const char *name;
    int rc = cfg_scalar(c, c->into, c->into_path, "a tier name", &name);
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
        return cfg_fail(c, c->into->mark, c->into_path, TS_ENOENT,
                        "unknown tier '%s' (did you mean '%s'?)", name, hint);
    char list[200];
    cfg_join(list, sizeof(list), names, sc->n_tiers);
    return cfg_fail(c, c->into->mark, c->into_path, TS_ENOENT,
                    "unknown tier '%s' (expected one of: %s)", name, list);
}

/* ---- sweep ---- */

static int cfg_sweep_nomem(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    return cfg_fail(c, n->mark, path, TS_ENOMEM, "out of memory holding the sweep");
}

/* One value of an axis: a scalar, kept as written. */
static int cfg_sweep_value(cfg_t *c, const ts_ynode_t *v, const char *path,
                           ts_sweep_axis_t *a)
{
    const char *s;
    int rc = cfg_scalar(c, v, path, "a value such as 5% or lru", &s);
    if (rc)
        return rc;
    if (!(a->values[a->n_values] = ts_strdup(s)))
        return cfg_sweep_nomem(c, v, path);
    a->n_values++;
    return 0;
}

/* sweep: {key.path: [V1, V2, ...] or V, ...}: the axes `tiersim sweep` runs. */
static int cfg_sweep(cfg_t *c, const ts_ynode_t *n, const char *path)
{
    ts_scenario_t *sc = c->sc;
    int rc = cfg_map(c, n, path, "{tiers.0.capacity: [1%, 5%], tiers.0.policy: [lru, sieve]}");
    if (rc)
        return rc;
    if (n->n_children > TS_SCENARIO_MAX_AXES)
        return cfg_fail(c, n->mark, path, TS_ERANGE, "%zu axes, at most %d", n->n_children,
                        TS_SCENARIO_MAX_AXES);
    if (!(sc->sweep = ts_calloc(n->n_children + 1, sizeof(*sc->sweep))))
        return cfg_sweep_nomem(c, n, path);
    for (const ts_ynode_t *kv = n->child; kv; kv = kv->next) {
        char sub[256];
        snprintf(sub, sizeof(sub), "%s.%s", path, kv->key);
        if (!kv->key[0] || strpbrk(kv->key, " \t=,"))
            return cfg_fail(c, kv->key_mark, sub, TS_EPARSE,
                            "expected a key path such as tiers.0.capacity, found '%s'", kv->key);
        if (kv->kind == TS_Y_SEQ && !kv->n_children)
            return cfg_fail(c, kv->mark, sub, TS_EPARSE,
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

typedef int (*cfg_fn)(cfg_t *c, const ts_ynode_t *n, const char *path);

static const struct {
    const char *key;
    cfg_fn fn;
} k_top[] = {
    {"name", cfg_name},   {"seed", cfg_seed},       {"mode", NULL /* first, see below */},
    {"workload", cfg_workload}, {"tiers", cfg_tiers}, {"hierarchy", cfg_hierarchy},
    {"prefetch", cfg_prefetch}, {"engine", cfg_engine}, {"timed", cfg_timed},
    {"backing", cfg_backing},   {"devices", cfg_devices}, {"outputs", cfg_outputs},
    {"cost", cfg_cost},         {"sweep", cfg_sweep},
};
#define N_TOP (sizeof(k_top) / sizeof(k_top[0]))

static int cfg_decode(cfg_t *c, const ts_ynode_t *root)
{
    ts_scenario_t *sc = c->sc;
    sc->seed = 42;
    sc->mode = TS_MODE_OBJECTS;
    sc->engine = TS_ENGINE_FAST;
    sc->outputs.json = sc->outputs.csv = sc->outputs.text = sc->outputs.hdf5 = true;
    sc->outputs.series.max_points = TS_SERIES_POINTS_DEFAULT;
    sc->sample.rate = 1.0;
    size_t n_timed;
    const ts_param_spec_t *timed = ts_timed_schema(&n_timed);
    ts_ymark_t top = {1, 1, NULL};
    if (ts_param_defaults(timed, n_timed, &sc->timed, sizeof(sc->timed), c->err) != 0) {
        cfg_where(c, top, "timed");
        return TS_EINTERNAL;
    }
    if (!root)
        return cfg_fail(c, top, "", TS_EPARSE,
                        "the scenario is empty; expected a map with at least 'workload' and "
                        "'tiers'");
    int rc = cfg_map(c, root, "", "{workload: ..., tiers: [...]} at the top level");
    const char *keys[N_TOP];
    for (size_t i = 0; i < N_TOP; i++)
        keys[i] = k_top[i].key;
    if (rc || (rc = cfg_keys(c, root, "", keys, N_TOP)) != 0)
        return rc;
    const ts_ynode_t *mode = ts_ynode_get(root, "mode");
    if (mode && (rc = cfg_mode(c, mode, "mode")) != 0)
        return rc;
    for (const ts_ynode_t *kv = root->child; kv; kv = kv->next)
        for (size_t i = 0; i < N_TOP; i++)
            if (k_top[i].fn && strcmp(kv->key, k_top[i].key) == 0 &&
                (rc = k_top[i].fn(c, kv, kv->key)) != 0)
                return rc;
    if (!ts_ynode_get(root, "workload"))
        return cfg_fail(c, root->mark, "", TS_EPARSE,
                        "missing required key 'workload' at the top level");
    if (!ts_ynode_get(root, "tiers"))
        return cfg_fail(c, root->mark, "", TS_EPARSE,
                        "missing required key 'tiers' at the top level");
    if (c->into && (rc = cfg_prefetch_into(c)) != 0)
        return rc;
    const ts_ynode_t *out = ts_ynode_get(root, "outputs");
    const ts_ynode_t *axis = out && out->kind == TS_Y_MAP ? ts_ynode_get(out, "axis") : NULL;
    if (axis && sc->engine == TS_ENGINE_TIMED && sc->outputs.series.axis == TS_AXIS_REQUESTS)
        return cfg_fail(c, axis->mark, "outputs.axis", TS_EINVAL,
                        "the timed engine samples its time series on its clock: the axis is "
                        "time or auto, not requests");
    if (!c->into && sc->hier.prefetch && strcmp(sc->hier.prefetch->name, "none") != 0)
        snprintf(sc->prefetch_into, sizeof(sc->prefetch_into), "%s", sc->tiers[0].name);
    if ((rc = cfg_resolve_devices(c)) != 0 || (rc = cfg_resolve_prefill(c)) != 0 ||
        (rc = cfg_resolve_cost_aware(c)) != 0)
        return rc;
    return cfg_resolve_cost(c);
}

/* ---- public entry points ---- */

/* Takes ownership of text (the YAML tree's source, kept in the scenario). */
static int cfg_load(ts_ytree_t *tree, char *text, const char *source, const char *base_dir,
                    const char *const *overrides, size_t n, ts_scenario_t **out, ts_err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = ts_ytree_override(tree, overrides[i], err);
        if (rc) {
            ts_free(text);
            return rc;
        }
    }
    ts_scenario_t *sc = ts_calloc(1, sizeof(*sc));
    if (sc) {
        sc->text = text;
        sc->n_overrides = n;
        sc->overrides = ts_strv_dup(overrides, n);
    }
    if (!sc || (n && !sc->overrides)) {
        if (!sc)
            ts_free(text);
        ts_scenario_destroy(sc);
        ts_err_set(err, TS_ENOMEM, "out of memory loading the scenario");
        ts_err_where(err, "%s", source);
        return TS_ENOMEM;
    }
    snprintf(sc->source, sizeof(sc->source), "%s", source);
    int len = snprintf(sc->base_dir, sizeof(sc->base_dir), "%s", base_dir);
    if (len < 0 || (size_t)len >= sizeof(sc->base_dir)) {
        ts_scenario_destroy(sc);
        ts_err_set(err, TS_ERANGE, "directory '%s' is too long", base_dir);
        ts_err_where(err, "%s", source);
        return TS_ERANGE;
    }
    cfg_t c = {.source = source, .sc = sc, .err = err};
    int rc = cfg_decode(&c, ts_ytree_root(tree));
    if (rc) {
        ts_scenario_destroy(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

#define CFG_MAX_FILE (16u << 20) /* a scenario is a page of YAML; refuse absurd files */

/* Reads the whole file at path into *text (NUL-terminated; free with ts_free). */
static int cfg_read_file(const char *path, char **text, size_t *len, ts_err_t *err)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return ts_err_sys(err, e == ENOENT ? TS_ENOENT : TS_EIO, e, "cannot open scenario '%s'",
                          path);
    }
    struct stat st;
    int rc = 0;
    if (fstat(fileno(f), &st) != 0)
        rc = ts_err_sys(err, TS_EIO, errno, "cannot read scenario '%s'", path);
    else if (S_ISDIR(st.st_mode))
        rc = ts_err_set(err, TS_EIO, "cannot read scenario '%s': it is a directory", path);
    else if (st.st_size > (off_t)CFG_MAX_FILE)
        rc = ts_err_set(err, TS_ERANGE, "scenario '%s' is larger than %u MiB", path,
                        CFG_MAX_FILE >> 20);
    else if (!(*text = ts_malloc((size_t)st.st_size + 1)))
        rc = ts_err_set(err, TS_ENOMEM, "out of memory reading scenario '%s'", path);
    else if ((*len = fread(*text, 1, (size_t)st.st_size, f)) != (size_t)st.st_size ||
             ferror(f))
        rc = ts_err_sys(err, TS_EIO, errno, "cannot read scenario '%s'", path);
    fclose(f);
    if (rc) {
        ts_free(*text);
        *text = NULL;
        return rc;
    }
    (*text)[*len] = 0;
    return 0;
}

int ts_scenario_load_file(const char *path, const char *const *overrides, size_t n,
                          ts_scenario_t **out, ts_err_t *err)
{
    *out = NULL;
    char *text;
    size_t len = 0;
    int rc = cfg_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    ts_ytree_t *tree = NULL;
    rc = ts_ytree_parse(text, len, path, &tree, err);
    if (rc) {
        ts_free(text);
        return rc;
    }
    char dir[sizeof(((ts_scenario_t *)0)->base_dir)];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    rc = cfg_load(tree, text, path, dir, overrides, n, out, err);
    ts_ytree_destroy(tree);
    return rc;
}

int ts_scenario_load_string(const char *yaml, const char *source, const char *base_dir,
                            const char *const *overrides, size_t n, ts_scenario_t **out,
                            ts_err_t *err)
{
    *out = NULL;
    if (!yaml)
        return ts_err_set(err, TS_EINVAL, "no scenario text");
    if (!source)
        source = "<string>";
    char cwd[sizeof(((ts_scenario_t *)0)->base_dir)];
    if (!base_dir)
        base_dir = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
    ts_ytree_t *tree = NULL;
    int rc = ts_ytree_parse(yaml, strlen(yaml), source, &tree, err);
    if (rc)
        return rc;
    char *text = ts_strdup(yaml);
    if (!text) {
        ts_ytree_destroy(tree);
        ts_err_set(err, TS_ENOMEM, "out of memory loading the scenario");
        ts_err_where(err, "%s", source);
        return TS_ENOMEM;
    }
    rc = cfg_load(tree, text, source, base_dir, overrides, n, out, err);
    ts_ytree_destroy(tree);
    return rc;
}

/* Kept in step with docs/scenario.md ("The built-in default"). */
static const char k_default_yaml[] =
    "# The built-in scenario: `tiersim run` with no file.\n"
    "name: default (zipf 0.9 over two tiers)\n"
    "seed: 42\n"
    "mode: objects\n"
    "workload:\n"
    "  generator: {kind: zipf, alpha: 0.9, keys: 200k, requests: 2M, size: 4KiB}\n"
    "tiers:\n"
    "  - {name: hbm, capacity: 1%, policy: lru}\n"
    "  - {name: dram, capacity: 10%, policy: fifo}\n"
    "engine: fast\n";

const char *ts_scenario_default_yaml(void)
{
    return k_default_yaml;
}

int ts_scenario_load(const char *path, const char *yaml, const char *const *overrides,
                     size_t n, ts_scenario_t **out, ts_err_t *err)
{
    if (path)
        return ts_scenario_load_file(path, overrides, n, out, err);
    return ts_scenario_load_string(yaml ? yaml : ts_scenario_default_yaml(),
                                   yaml ? "<text>" : "<built-in>", NULL, overrides, n, out, err);
}

void ts_scenario_destroy(ts_scenario_t *sc)
{
    if (!sc)
        return;
    ts_free(sc->text);
    ts_free(sc->overrides);
    ts_free(sc->workload.params);
    ts_free(sc->prefetch_params);
    for (size_t i = 0; i < sc->n_sweep; i++) {
        for (size_t j = 0; j < sc->sweep[i].n_values; j++)
            ts_free(sc->sweep[i].values[j]);
        ts_free(sc->sweep[i].values);
        ts_free(sc->sweep[i].key);
    }
    ts_free(sc->sweep);
    for (size_t i = 0; i < TS_MAX_TIERS; i++) {
        ts_free(sc->tiers[i].policy_params);
        ts_free(sc->tiers[i].admit_params);
    }
    ts_free(sc);
}

int ts_scenario_open_workload(const ts_scenario_t *sc, ts_reader_t **out, ts_err_t *err)
{
    *out = NULL;
    const ts_reader_ops_t *ops = sc->workload.reader;
    if (!ops)
        return ts_err_set(err, TS_EINVAL, "the scenario has no workload");
    ts_reader_ctx_t ctx = {sc->seed, sc->base_dir[0] ? sc->base_dir : NULL};
    int rc = ops->open(sc->workload.params, &ctx, out, err);
    if (rc) {
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
    size_t used = (size_t)snprintf(buf, size, "%s", ops->name);
    for (size_t i = 0; i < ops->params_count && used < size; i++) {
        char v[256];
        cfg_format_param(&ops->params[i], sc->workload.params, v, sizeof(v));
        bool quote = !v[0] || strchr(v, ' ');
        used += (size_t)snprintf(buf + used, size - used, quote ? " %s=\"%s\"" : " %s=%s",
                                 ops->params[i].name, v);
    }
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
