/* SPDX-License-Identifier: MIT */
/*
 * config_internal.h - what the scenario loader's files (app/config*.c) share: the decoding
 * context, the error helpers, the readers of scalars and maps, the schema-driven parameter
 * readers (config_read.c), and each section's decoder and resolver.
 *
 * A decoder takes a YAML node and its key path and fills c->sc; a resolver runs once the
 * whole tree is decoded (config.c calls them in order). Every one of them returns 0 or a
 * negative TS_E* code with c->err filled: message, file:line:col and the key path. Not part
 * of the public API (ts__ prefix).
 */
#ifndef TS_APP_CONFIG_INTERNAL_H
#define TS_APP_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "../sim/util/err.h"
#include "../sim/param.h"
#include "../sim/util/yamltree.h"
#include "scenario.h"

#define TS__CFG_PATH 256 /* key paths ("workload.trace.columns.time") */

typedef struct ts__cfg {
    const char *source; /* names the input in locations */
    ts_scenario_t *sc;  /* being filled */
    ts_err_t *err;
    const ts_ynode_t *into;  /* prefetch.into, resolved once the tiers are known */
    char into_path[256];      /* its key path */
    /* devices and links, resolved once the whole scenario (and `devices:`) is read; index
     * TS_MAX_TIERS is the backing store */
    const ts_ynode_t *dev[TS_MAX_TIERS + 1], *link[TS_MAX_TIERS + 1];
    char dev_path[TS_MAX_TIERS + 1][TS__CFG_PATH], link_path[TS_MAX_TIERS + 1][TS__CFG_PATH];
    const ts_ynode_t *devices; /* `devices:`, an extra catalogue file */
    const ts_ynode_t *engine;  /* `engine:` (for messages about what the timed engine needs) */
    const ts_ynode_t *prefill_auto; /* `timed.prefill_rate: auto`, resolved at the end */
    /* `timed:` keys given, whose defaults a workload may set: think, batch, clients */
    const ts_ynode_t *timed_think, *timed_batch, *timed_clients;
    const ts_ynode_t *admit[TS_MAX_TIERS]; /* tiers' `admit:` (filters resolve last) */
    /* each level's `cost:` (backing store at TS_MAX_TIERS) and the top-level one, applied
     * over the price table's defaults once the devices are known */
    const ts_ynode_t *cost[TS_MAX_TIERS + 1], *cost_top;
    const ts_ynode_t *prices; /* the top-level `prices:` (a profile of the price table) */
    /* each level's `backend:` (backing store at TS_MAX_TIERS), read once the engine is known */
    const ts_ynode_t *backend[TS_MAX_TIERS + 1];
    char backend_path[TS_MAX_TIERS + 1][TS__CFG_PATH];
    char cost_path[TS_MAX_TIERS + 1][TS__CFG_PATH];
} ts__cfg_t;

/* ---- errors and small readers (config_read.c) ---- */

/* Places c->err at mark m of the input, key path path. */
void ts__cfg_where(ts__cfg_t *c, ts_ymark_t m, const char *path);

/* Sets c->err (code, the formatted message) at m and path. Returns code. */
int ts__cfg_fail(ts__cfg_t *c, ts_ymark_t m, const char *path, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* parent.key; a path longer than TS__CFG_PATH keeps its head (it only labels messages). */
void ts__cfg_path_key(char *out, const char *parent, const char *key);

/* The text of a scalar node, or an error saying what was expected instead. */
int ts__cfg_scalar(ts__cfg_t *c, const ts_ynode_t *n, const char *path, const char *expect,
                   const char **out);

/* A scalar copied into buf (size bytes); TS_ERANGE when it does not fit. */
int ts__cfg_string(ts__cfg_t *c, const ts_ynode_t *n, const char *path, char *buf,
                   size_t size);

/* true or false (the forms ts_parse_bool takes). */
int ts__cfg_bool(ts__cfg_t *c, const ts_ynode_t *n, const char *path, bool *out);

/* 0 when n is a map, else an error showing example. */
int ts__cfg_map(ts__cfg_t *c, const ts_ynode_t *n, const char *path, const char *example);

/* Every key of map must be one of keys[0..n); the error suggests a close one. */
int ts__cfg_keys(ts__cfg_t *c, const ts_ynode_t *map, const char *path,
                 const char *const *keys, size_t n);

/* One of choices[0..n) (index in *out), or "unknown <what> 'x' (did you mean ...)". */
int ts__cfg_choice(ts__cfg_t *c, const ts_ynode_t *n, const char *path, const char *what,
                   const char *const *choices, size_t count, int *out);

/* A plug-in chosen by `kind`: a plain name, or a map whose `kind` picks it. Returns the
 * kind's text, its node and its key path (sub, TS__CFG_PATH bytes). what names the plug-in
 * in messages; example shows the map form. */
int ts__cfg_kind(ts__cfg_t *c, const ts_ynode_t *n, const char *path, const char *what,
                 const char *example, const char **kind, const ts_ynode_t **kn, char *sub);

/* A plug-in of kind named by a scalar (`lru`) or by the `name` of a map whose other keys are
 * its parameters (`{name: s3fifo, small_ratio: 10%}`): *out and its filled *params. what
 * names it ("a policy name"); example is the message for a node of another kind ("a policy
 * name such as lru or a map such as {...}"). */
int ts__cfg_named(ts__cfg_t *c, const ts_ynode_t *n, const char *path, ts_plugin_kind_t kind,
                  const char *what, const char *example, const ts_plugin_t **out, void **params);

/* ---- plug-in parameters through their schemas (config_read.c) ---- */

/* Sets every scalar under map as a parameter; nested maps give dotted names. prefix is the
 * parameter name of map ("" at the top), skip lists (separated by spaces) the keys that are
 * not parameters, and seen[i] is set for each spec[i] given. */
int ts__cfg_params_walk(ts__cfg_t *c, const ts_param_spec_t *spec, size_t count, void *params,
                        bool *seen, const ts_ynode_t *map, const char *prefix,
                        const char *path, const char *skip);

/* Allocates *params (size bytes) with the schema's defaults, sets them from n and checks
 * that the required ones were given. n is a map of parameters (skip lists, separated by
 * spaces, the keys that are not parameters), a scalar that is the value of scalar_param
 * (ignored when that is NULL), or NULL for none; mark and path place errors about n as a
 * whole. */
int ts__cfg_params(ts__cfg_t *c, const ts_param_spec_t *spec, size_t count, size_t size,
                   void **params, const ts_ynode_t *n, ts_ymark_t mark, const char *path,
                   const char *skip, const char *scalar_param);

/* ---- sections: the decoder of each top-level key (n is its value, path its key) ---- */

int ts__cfg_workload(ts__cfg_t *c, const ts_ynode_t *n, const char *path);  /* workload */
int ts__cfg_tiers(ts__cfg_t *c, const ts_ynode_t *n, const char *path);     /* tiers */
int ts__cfg_backing(ts__cfg_t *c, const ts_ynode_t *n, const char *path);   /* tiers */
int ts__cfg_hierarchy(ts__cfg_t *c, const ts_ynode_t *n, const char *path); /* hier */
int ts__cfg_prefetch(ts__cfg_t *c, const ts_ynode_t *n, const char *path);  /* hier */
int ts__cfg_devices(ts__cfg_t *c, const ts_ynode_t *n, const char *path);   /* devices */
int ts__cfg_outputs(ts__cfg_t *c, const ts_ynode_t *n, const char *path);   /* outputs */
/* The writers a scenario without `outputs` (or without a choice in it) gets: those
 * flagged TS_REPORT_DEFAULT (config_outputs.c). */
void ts__cfg_outputs_defaults(ts_scenario_t *sc);

/* sweep: {key.path: [V1, V2, ...] or V, ...}: the axes `tiersim sweep` runs. */
int ts__cfg_sweep(ts__cfg_t *c, const ts_ynode_t *n, const char *path); /* sweep */

/* live: {speed: 1, verify: true, scratch: DIR, ...}: the live engine's settings
 * (config_live.c). */
int ts__cfg_live(ts__cfg_t *c, const ts_ynode_t *n, const char *path); /* live */

/* Every level's `backend:` (a back-end name or {name: file, path: ...}); the live engine
 * needs one for every tier, and the backing store defaults to memory (config_live.c). */
int ts__cfg_resolve_backends(ts__cfg_t *c);

/* `cost:` is applied once the devices (and so the default prices) are known. */
int ts__cfg_cost(ts__cfg_t *c, const ts_ynode_t *n, const char *path); /* cost */
int ts__cfg_prices(ts__cfg_t *c, const ts_ynode_t *n, const char *path); /* prices */

/* ---- resolution, once the whole scenario is decoded (in this order) ---- */

/* prefetch.into names a tier: resolved after the whole scenario is decoded (config_hier.c). */
int ts__cfg_prefetch_into(ts__cfg_t *c);

/* Resolves every `device` and `link` against the presets and the `devices:` catalogue.
 * A tier below a GPU's HBM with no link of its own is reached over the GPU's host link.
 * The timed engine needs a device for every tier; the backing store defaults to S3
 * (config_devices.c). */
int ts__cfg_resolve_devices(ts__cfg_t *c);

/* `timed.block_tokens: 0` takes the workload's block size and `timed.depth: 0` its reader
 * threads; `timed.prefill_rate: auto` is derived from the workload's model and the top GPU
 * tier (dense BF16 FLOP/s x mfu over 2 x active parameters per token), or taken from a
 * workload that models prefill itself: all as the reader's hints() say (config_devices.c). */
int ts__cfg_resolve_prefill(ts__cfg_t *c);

/* Lets every tier's admission filter with a resolve op fill what the scenario left open
 * from its tier: the tier's device, the links up to the top tier and the timed engine's
 * prefill rate and block size (cost_aware: its load and recompute figures). Errors are
 * placed at the tier's `admit` (config_devices.c). */
int ts__cfg_resolve_admit(ts__cfg_t *c);

/* The cost model: the top-level `cost:` keys; every level's defaults from the price table by
 * its device (a tier without one has no price; the central store is S3 Standard unless it
 * names a device); the GPU (cost.gpu, else the first tier on a GPU's HBM); each level's
 * `cost:`. Checked even when cost.enabled is false, so a typo never hides (config_cost.c). */
int ts__cfg_resolve_cost(ts__cfg_t *c);

#endif
