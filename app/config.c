/* SPDX-License-Identifier: MIT */
/*
 * config.c - the scenario loader: YAML (a file, a string or the built-in default) plus
 * `-s key.path=value` overrides -> ts_scenario_t (see scenario.h and docs/scenario.md).
 *
 * Pipeline: sim/util/yamltree.c builds a tree with line/column marks, the overrides edit that
 * tree, then the decoder walks it once, resolving plug-in names through the registries and
 * filling their params structs through their schemas (ts_param_set), so an override is
 * checked exactly like the file. Every error names file:line:col and the key path (or
 * `-s key.path` for an override) and says what was expected and what was found. `mode` is
 * decoded first (tier capacities depend on it); other top-level keys are decoded in document
 * order, so the first problem in the file is the one reported. Then, in this order: the
 * prefetcher's tier, devices and links, what they imply for the timed engine and for the
 * admission filters that resolve their parameters from them, and the cost model. This file
 * holds the entry points, the small top-level keys (name, seed, mode, engine, timed) and that
 * order; each section has its config_<section>.c.
 */
#include "config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/prefetch.h"
#include "../sim/util/mem.h"
#include "../sim/util/yamltree.h"

/* ---- top level ---- */

static int cfg_name(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    return ts__cfg_string(c, n, path, c->sc->name, sizeof(c->sc->name));
}

static int cfg_seed(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *s;
    int rc = ts__cfg_scalar(c, n, path, "a whole number such as 42", &s);
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
        return ts__cfg_fail(c, n->mark, path, TS_EPARSE,
                            "expected a whole number from 0 to %llu, found '%s'",
                            (unsigned long long)UINT64_MAX, s);
    c->sc->seed = v;
    return 0;
}

static const char *const k_modes[] = {"objects", "bytes"};

static int cfg_mode(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    int m = 0;
    int rc = ts__cfg_choice(c, n, path, "mode", k_modes, 2, &m);
    if (rc == 0)
        c->sc->mode = m == 0 ? TS_MODE_OBJECTS : TS_MODE_BYTES;
    return rc;
}

static const char *const k_engines[] = {"fast", "timed", "live"};

static int cfg_engine(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    const char *s;
    int e = 0, rc = ts__cfg_scalar(c, n, path, "an engine name (fast, timed or live)", &s);
    if (rc)
        return rc;
    if ((rc = ts__cfg_choice(c, n, path, "engine", k_engines, 3, &e)) == 0)
        c->sc->engine = (ts_engine_kind_t)e;
    c->engine = n;
    return rc;
}

static int cfg_timed(ts__cfg_t *c, const ts_ynode_t *n, const char *path)
{
    if (n->kind == TS_Y_SCALAR && n->is_null)
        return 0;
    int rc = ts__cfg_map(c, n, path, "{arrivals: closed, clients: 8, think: 1ms}");
    if (rc)
        return rc;
    size_t count;
    const ts_param_spec_t *spec = ts_timed_schema(&count);
    const ts_ynode_t *rate = ts_ynode_get(n, "prefill_rate");
    c->prefill_auto = NULL;
    c->timed_think = ts_ynode_get(n, "think");
    c->timed_batch = ts_ynode_get(n, "batch");
    c->timed_clients = ts_ynode_get(n, "clients");
    if (rate && rate->kind == TS_Y_SCALAR && !rate->is_null && !strcmp(rate->value, "auto"))
        c->prefill_auto = rate;
    void *p = NULL;
    rc = ts__cfg_params(c, spec, count, sizeof(ts_timed_params_t), &p, n, n->mark, path,
                        c->prefill_auto ? "prefill_rate" : NULL, NULL);
    if (rc == 0)
        memcpy(&c->sc->timed, p, sizeof(ts_timed_params_t));
    ts_free(p);
    return rc;
}

/* ---- decoding: the top-level keys, then the resolution ---- */

typedef int (*cfg_fn)(ts__cfg_t *c, const ts_ynode_t *n, const char *path);

static const struct {
    const char *key;
    cfg_fn fn;
} k_top[] = {
    {"name", cfg_name},
    {"seed", cfg_seed},
    {"mode", NULL /* first, see below */},
    {"workload", ts__cfg_workload},   /* config_workload.c */
    {"tiers", ts__cfg_tiers},         /* config_tiers.c */
    {"hierarchy", ts__cfg_hierarchy}, /* config_hier.c */
    {"prefetch", ts__cfg_prefetch},   /* config_hier.c */
    {"engine", cfg_engine},
    {"timed", cfg_timed},
    {"live", ts__cfg_live},           /* config_live.c */
    {"backing", ts__cfg_backing},     /* config_tiers.c */
    {"devices", ts__cfg_devices},     /* config_devices.c */
    {"outputs", ts__cfg_outputs},     /* config_outputs.c */
    {"cost", ts__cfg_cost},           /* config_cost.c */
    {"prices", ts__cfg_prices},       /* config_cost.c */
    {"sweep", ts__cfg_sweep},         /* config_sweep.c */
};
#define N_TOP (sizeof(k_top) / sizeof(k_top[0]))

static int cfg_decode(ts__cfg_t *c, const ts_ynode_t *root)
{
    ts_scenario_t *sc = c->sc;
    sc->seed = 42;
    sc->mode = TS_MODE_OBJECTS;
    sc->engine = TS_ENGINE_FAST;
    sc->sweep_share_bytes = TS_SWEEP_SHARE_DEFAULT;
    ts__cfg_outputs_defaults(sc);
    sc->outputs.series.max_points = TS_SERIES_POINTS_DEFAULT;
    sc->sample.rate = 1.0;
    size_t n_timed;
    const ts_param_spec_t *timed = ts_timed_schema(&n_timed);
    ts_ymark_t top = {1, 1, NULL};
    if (ts_param_defaults(timed, n_timed, &sc->timed, sizeof(sc->timed), c->err) != 0) {
        ts__cfg_where(c, top, "timed");
        return TS_EINTERNAL;
    }
    size_t n_live;
    const ts_param_spec_t *live = ts_live_schema(&n_live);
    if (ts_param_defaults(live, n_live, &sc->live, sizeof(sc->live), c->err) != 0) {
        ts__cfg_where(c, top, "live");
        return TS_EINTERNAL;
    }
    if (!root)
        return ts__cfg_fail(c, top, "", TS_EPARSE,
                            "the scenario is empty; expected a map with at least 'workload' and "
                            "'tiers'");
    int rc = ts__cfg_map(c, root, "", "{workload: ..., tiers: [...]} at the top level");
    const char *keys[N_TOP];
    for (size_t i = 0; i < N_TOP; i++)
        keys[i] = k_top[i].key;
    if (rc || (rc = ts__cfg_keys(c, root, "", keys, N_TOP)) != 0)
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
        return ts__cfg_fail(c, root->mark, "", TS_EPARSE,
                            "missing required key 'workload' at the top level");
    if (!ts_ynode_get(root, "tiers"))
        return ts__cfg_fail(c, root->mark, "", TS_EPARSE,
                            "missing required key 'tiers' at the top level");
    if (c->into && (rc = ts__cfg_prefetch_into(c)) != 0)
        return rc;
    const ts_ynode_t *out = ts_ynode_get(root, "outputs");
    const ts_ynode_t *axis = out && out->kind == TS_Y_MAP ? ts_ynode_get(out, "axis") : NULL;
    if (axis && sc->engine == TS_ENGINE_TIMED && sc->outputs.series.axis == TS_AXIS_REQUESTS)
        return ts__cfg_fail(c, axis->mark, "outputs.axis", TS_EINVAL,
                            "the timed engine samples its time series on its clock: the axis is "
                            "time or auto, not requests");
    if (!c->into && sc->hier.prefetch && !(sc->hier.prefetch->base.flags & TS_PREFETCH_NOTHING))
        snprintf(sc->prefetch_into, sizeof(sc->prefetch_into), "%s", sc->tiers[0].name);
    if ((rc = ts__cfg_resolve_devices(c)) != 0 || (rc = ts__cfg_resolve_prefill(c)) != 0 ||
        (rc = ts__cfg_resolve_admit(c)) != 0 || (rc = ts__cfg_resolve_backends(c)) != 0)
        return rc;
    return ts__cfg_resolve_cost(c);
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
    ts__cfg_t c = {.source = source, .sc = sc, .err = err};
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
        ts_free(sc->tiers[i].backend.params);
    }
    ts_free(sc->backing_backend.params);
    ts_free(sc);
}
