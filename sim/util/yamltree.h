/* SPDX-License-Identifier: MIT */
/*
 * yamltree.h - a small YAML document tree with source marks, for the scenario
 * loader (app/config.c) and the preset catalogues (sim/device.c, sim/cost.c).
 *
 * libyaml's event stream is turned into maps, lists and scalars that remember where they
 * start (1-based line and column) so every later error can point at the text. `-s
 * key.path=value` overrides edit the tree before decoding; nodes they create or replace
 * carry the override's key path instead of a line. Every node and string lives in one arena
 * owned by the tree (freed at once by ts_ytree_destroy). Aliases are refused; anchors and
 * tags are ignored; one document per stream.
 */
#ifndef TS_SIM_UTIL_YAMLTREE_H
#define TS_SIM_UTIL_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

typedef enum ts_ykind {
    TS_Y_SCALAR, /* a plain or quoted value */
    TS_Y_MAP,    /* key: value pairs, in document order */
    TS_Y_SEQ,    /* a list */
} ts_ykind_t;

typedef struct ts_ymark {
    unsigned line;   /* 1-based; 0 when the node came from an override */
    unsigned col;    /* 1-based */
    const char *ovr; /* the override's key path ("tiers.0.capacity"), or NULL */
} ts_ymark_t;

typedef struct ts_ynode ts_ynode_t;
struct ts_ynode {
    ts_ykind_t kind;
    ts_ymark_t mark;     /* where the node starts */
    const char *key;      /* as a map member: its key; NULL in a list or at the root */
    ts_ymark_t key_mark; /* where the key starts */
    const char *value;    /* scalar text ("" for an empty scalar); NULL for maps and lists */
    bool is_null;         /* a plain scalar written as nothing, ~ or null */
    ts_ynode_t *child;   /* first member (maps, lists) */
    ts_ynode_t *last;    /* last member, for appending */
    ts_ynode_t *next;    /* next sibling */
    size_t n_children;    /* members */
};

typedef struct ts_ytree ts_ytree_t;

/* Parses one YAML document from text (len bytes; borrowed for the call). source names the
 * input in error locations ("scenario.yaml:3:7").
 * Returns 0 with *out set (its root may be NULL for an empty stream), TS_EPARSE with
 * err->where = "source:line:col" and libyaml's problem (plus a hint for tabs), or
 * TS_ENOMEM. */
int ts_ytree_parse(const char *text, size_t len, const char *source, ts_ytree_t **out,
                    ts_err_t *err);

/* The root node, or NULL for an empty document. */
ts_ynode_t *ts_ytree_root(const ts_ytree_t *t);

/* Applies one override "key.path=value": list members are addressed by their index
 * ("tiers.0.capacity"); missing map keys are added (with maps for the intermediate ones);
 * the node found is replaced by the scalar value (taken verbatim, never parsed as YAML).
 * Returns 0; TS_EPARSE (no '=', empty path segment), TS_ENOENT (index out of range, a path
 * through a value) with err->where = "-s key.path"; or TS_ENOMEM. */
int ts_ytree_override(ts_ytree_t *t, const char *text, ts_err_t *err);

void ts_ytree_destroy(ts_ytree_t *t); /* accepts NULL */

/* The member of map named key, or NULL (also when map is not a map). */
ts_ynode_t *ts_ynode_get(const ts_ynode_t *map, const char *key);

/* Sets err->where (when still empty) to "source:line:col: path", "source:line:col" when path
 * is empty, or "-s key.path" for a mark from an override. A source too long to leave room
 * for the rest is shortened to its tail ("...dir/scenario.yaml"). */
void ts_ymark_where(ts_err_t *err, const char *source, ts_ymark_t m, const char *path);

/* "a map", "a list", "nothing" (null scalar) or "a value": for "expected X, found Y". */
const char *ts_ynode_what(const ts_ynode_t *n);

#endif
