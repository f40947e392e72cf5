/* SPDX-License-Identifier: MIT */
/*
 * config_read.c - the scenario loader's readers (config_internal.h): error placement, and
 * scalars, strings, booleans, maps, key sets, choices and plug-in parameters from YAML nodes.
 *
 * Each reader takes a node and its key path; on failure it fills the loader's error with the
 * message, file:line:col and the path, and returns the negative code, so a section's decoder
 * only says what it expected. Plug-in parameters go through their schemas (ts_param_set, as
 * `-p` does): unknown keys, types, ranges and missing required keys are reported here; a
 * nested map gives dotted parameter names.
 */
#include "config_internal.h"

#include "plugins.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/units.h"

/* ---- errors and small readers ---- */

void ts__cfg_where(ts__cfg_t *c, ts_ymark_t m, const char *path)
{
    ts_ymark_where(c->err, c->source, m, path);
}

int ts__cfg_fail(ts__cfg_t *c, ts_ymark_t m, const char *path, int code, const char *fmt, ...)
{
    char msg[4 * sizeof(c->err->msg)]; /* ts_err_set fits it, keeping the end */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ts_err_set(c->err, code, "%s", msg);
    ts__cfg_where(c, m, path);
    return code;
}

static int cfg_oom(ts__cfg_t *c, ts_ymark_t m, const char *path)
{
    return ts__cfg_fail(c, m, path, TS_ENOMEM, "out of memory loading the scenario");
}

void ts__cfg_path_key(char *out, const char *parent, const char *key)
{
    int n = snprintf(out, TS__CFG_PATH, "%s%s%s", parent, parent[0] ? "." : "", key);
    if (n < 0)
        out[0] = 0;
}

int ts__cfg_scalar(ts__cfg_t *c, const ts_ynode_t *n, const char *path, const char *expect,
                   const char **out)
{
    *out = "";
    if (n->kind != TS_Y_SCALAR || n->is_null)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "expected %s, found %s", expect,
                            ts_ynode_what(n));
    *out = n->value;
    return 0;
}

int ts__cfg_string(ts__cfg_t *c, const ts_ynode_t *n, const char *path, char *buf, size_t size)
{
    const char *s;
    int rc = ts__cfg_scalar(c, n, path, "a string", &s);
    if (rc)
        return rc;
    if (strlen(s) >= size)
        return ts__cfg_fail(c, n->mark, path, TS_ERANGE,
                            "expected at most %zu characters, found %zu", size - 1, strlen(s));
    memcpy(buf, s, strlen(s) + 1);
    return 0;
}

int ts__cfg_bool(ts__cfg_t *c, const ts_ynode_t *n, const char *path, bool *out)
{
    const char *s;
    int b = 0, rc = ts__cfg_scalar(c, n, path, "true or false", &s);
    if (rc == 0 && (rc = ts_parse_bool(s, &b, c->err)) != 0)
        ts__cfg_where(c, n->mark, path);
    if (rc == 0)
        *out = b != 0;
    return rc;
}

int ts__cfg_map(ts__cfg_t *c, const ts_ynode_t *n, const char *path, const char *example)
{
    if (n->kind == TS_Y_MAP)
        return 0;
    return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "expected a map such as %s, found %s", example,
                        ts_ynode_what(n));
}

int ts__cfg_keys(ts__cfg_t *c, const ts_ynode_t *map, const char *path, const char *const *keys,
                 size_t n)
{
    for (const ts_ynode_t *kv = map->child; kv; kv = kv->next) {
        size_t i = 0;
        while (i < n && strcmp(kv->key, keys[i]) != 0)
            i++;
        if (i < n)
            continue;
        char sub[TS__CFG_PATH], list[160];
        ts__cfg_path_key(sub, path, kv->key);
        const char *hint = ts_suggest(kv->key, keys, n);
        if (hint)
            return ts__cfg_fail(c, kv->key_mark, sub, TS_ENOENT,
                                "unknown key '%s' (did you mean '%s'?)", kv->key, hint);
        ts_join_names(list, sizeof(list), keys, n);
        return ts__cfg_fail(c, kv->key_mark, sub, TS_ENOENT,
                            "unknown key '%s' (expected one of: %s)", kv->key, list);
    }
    return 0;
}

int ts__cfg_choice(ts__cfg_t *c, const ts_ynode_t *n, const char *path, const char *what,
                   const char *const *choices, size_t count, int *out)
{
    char expect[160], list[120];
    ts_join_names(list, sizeof(list), choices, count);
    snprintf(expect, sizeof(expect), "one of: %s", list);
    const char *s;
    int rc = ts__cfg_scalar(c, n, path, expect, &s);
    if (rc)
        return rc;
    for (size_t i = 0; i < count; i++)
        if (strcmp(s, choices[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    const char *hint = ts_suggest(s, choices, count);
    if (hint)
        return ts__cfg_fail(c, n->mark, path, TS_ENOENT, "unknown %s '%s' (did you mean '%s'?)",
                            what, s, hint);
    return ts__cfg_fail(c, n->mark, path, TS_ENOENT, "unknown %s '%s' (expected %s)", what, s,
                        expect);
}

int ts__cfg_kind(ts__cfg_t *c, const ts_ynode_t *n, const char *path, const char *what,
                 const char *example, const char **kind, const ts_ynode_t **kn, char *sub)
{
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "expected %s name or a map such as %s, found %s", what, example,
                            ts_ynode_what(n));
    *kn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "kind");
    if (!*kn)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'kind'");
    if (*kn == n)
        snprintf(sub, TS__CFG_PATH, "%s", path);
    else
        ts__cfg_path_key(sub, path, "kind");
    char expect[64];
    snprintf(expect, sizeof(expect), "%s name", what);
    return ts__cfg_scalar(c, *kn, sub, expect, kind);
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

int ts__cfg_params_walk(ts__cfg_t *c, const ts_param_spec_t *spec, size_t count, void *params,
                        bool *seen, const ts_ynode_t *map, const char *prefix, const char *path,
                        const char *skip)
{
    for (const ts_ynode_t *kv = map->child; kv; kv = kv->next) {
        if (skip && cfg_is_listed(kv->key, skip))
            continue;
        char name[TS__CFG_PATH], sub[TS__CFG_PATH];
        ts__cfg_path_key(name, prefix, kv->key);
        ts__cfg_path_key(sub, path, kv->key);
        if (kv->kind == TS_Y_MAP) {
            int rc = ts__cfg_params_walk(c, spec, count, params, seen, kv, name, sub, NULL);
            if (rc)
                return rc;
            continue;
        }
        const ts_param_spec_t *ps = ts_param_find(spec, count, name);
        if (!ps) {
            int rc = ts_param_set(spec, count, params, name, "", c->err); /* its message */
            ts__cfg_where(c, kv->key_mark, sub);
            return rc ? rc : TS_EINTERNAL;
        }
        if (kv->kind != TS_Y_SCALAR || kv->is_null) {
            char form[128];
            return ts__cfg_fail(c, kv->mark, sub, TS_EPARSE, "expected %s, found %s",
                                ts_param_type_name(ps, form, sizeof(form)), ts_ynode_what(kv));
        }
        int rc = ts_param_set(spec, count, params, name, kv->value, c->err);
        if (rc) {
            ts__cfg_where(c, kv->mark, sub);
            return rc;
        }
        seen[ps - spec] = true;
    }
    return 0;
}

int ts__cfg_params(ts__cfg_t *c, const ts_param_spec_t *spec, size_t count, size_t size,
                   void **params, const ts_ynode_t *n, ts_ymark_t mark, const char *path,
                   const char *skip, const char *scalar_param)
{
    int rc = 0;
    if (size) {
        if (!(*params = ts_malloc(size)))
            return cfg_oom(c, mark, path);
        if ((rc = ts_param_defaults(spec, count, *params, size, c->err)) != 0) {
            ts__cfg_where(c, mark, path);
            return rc;
        }
    }
    if (!count && (!n || n->kind != TS_Y_MAP))
        return 0;
    bool *seen = ts_calloc(count ? count : 1, sizeof(bool));
    if (!seen)
        return cfg_oom(c, mark, path);
    if (n && n->kind == TS_Y_MAP) {
        rc = ts__cfg_params_walk(c, spec, count, *params, seen, n, "", path, skip);
    } else if (n && scalar_param) {
        const ts_param_spec_t *ps = ts_param_find(spec, count, scalar_param);
        rc = ts_param_set(spec, count, *params, scalar_param, n->value, c->err);
        if (rc)
            ts__cfg_where(c, n->mark, path);
        else if (ps)
            seen[ps - spec] = true;
    }
    for (size_t i = 0; rc == 0 && i < count; i++)
        if (!spec[i].def && !seen[i])
            rc = ts__cfg_fail(c, mark, path, TS_EPARSE, "missing required key '%s'", spec[i].name);
    ts_free(seen);
    return rc;
}

int ts__cfg_named(ts__cfg_t *c, const ts_ynode_t *n, const char *path, ts_plugin_kind_t kind,
                  const char *what, const char *example, const ts_plugin_t **out, void **params)
{
    if (n->kind == TS_Y_SEQ || (n->kind == TS_Y_SCALAR && n->is_null))
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "expected %s, found %s", example,
                            ts_ynode_what(n));
    const ts_ynode_t *nn = n->kind == TS_Y_SCALAR ? n : ts_ynode_get(n, "name");
    if (!nn)
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE, "missing required key 'name'");
    char sub[TS__CFG_PATH];
    if (nn == n)
        snprintf(sub, sizeof(sub), "%s", path);
    else
        ts__cfg_path_key(sub, path, "name");
    const char *name;
    int rc = ts__cfg_scalar(c, nn, sub, what, &name);
    if (rc)
        return rc;
    const ts_plugin_t *p = ts_plugins_find(kind, name, c->err);
    if (!p) {
        ts__cfg_where(c, nn->mark, sub);
        return TS_ENOENT;
    }
    *out = p;
    return ts__cfg_params(c, p->params, p->params_count, p->params_size, params,
                          nn == n ? NULL : n, n->mark, path, "name", NULL);
}
