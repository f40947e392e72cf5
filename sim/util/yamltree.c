/* SPDX-License-Identifier: MIT */
/*
 * yamltree.c - libyaml events to a tree with marks, and `-s` overrides (see
 * yamltree.h).
 *
 * The builder is a recursive descent over libyaml's event stream (one frame per nesting
 * level, capped at YT_MAX_DEPTH so hostile input cannot exhaust the stack). Every event is
 * deleted by the frame that fetched it. Memory comes from a chunked arena: building is one
 * bump per node or string, teardown is one walk over the chunks. Duplicate keys are found
 * by a scan of the map being built (maps in scenarios are small).
 */
#include "yamltree.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

#include "mem.h"

#define YT_MAX_DEPTH 64
#define YT_CHUNK 4096
#define YT_PATH 256

/* ---- arena ---- */

typedef struct yt_chunk {
    struct yt_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} yt_chunk_t;

struct ts_ytree {
    yt_chunk_t *chunks; /* newest first */
    ts_ynode_t *root;  /* NULL for an empty document */
};

static void *yt_alloc(ts_ytree_t *t, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    yt_chunk_t *c = t->chunks;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > YT_CHUNK ? size : YT_CHUNK;
        c = ts_malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = t->chunks;
        t->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

static char *yt_strndup(ts_ytree_t *t, const char *s, size_t len)
{
    char *d = yt_alloc(t, len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = 0;
    }
    return d;
}

static ts_ynode_t *yt_node(ts_ytree_t *t, ts_ykind_t kind, ts_ymark_t mark)
{
    ts_ynode_t *n = yt_alloc(t, sizeof(*n));
    if (n) {
        memset(n, 0, sizeof(*n));
        n->kind = kind;
        n->mark = mark;
    }
    return n;
}

static void yt_append(ts_ynode_t *parent, ts_ynode_t *n)
{
    if (parent->last)
        parent->last->next = n;
    else
        parent->child = n;
    parent->last = n;
    parent->n_children++;
}

void ts_ytree_destroy(ts_ytree_t *t)
{
    if (!t)
        return;
    for (yt_chunk_t *c = t->chunks, *next; c; c = next) {
        next = c->next;
        ts_free(c);
    }
    ts_free(t);
}

ts_ynode_t *ts_ytree_root(const ts_ytree_t *t)
{
    return t->root;
}

ts_ynode_t *ts_ynode_get(const ts_ynode_t *map, const char *key)
{
    if (!map || map->kind != TS_Y_MAP)
        return NULL;
    for (ts_ynode_t *c = map->child; c; c = c->next)
        if (strcmp(c->key, key) == 0)
            return c;
    return NULL;
}

const char *ts_ynode_what(const ts_ynode_t *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case TS_Y_MAP:
        return "a map";
    case TS_Y_SEQ:
        return "a list";
    case TS_Y_SCALAR:
        break;
    }
    return n->is_null ? "nothing" : "a value";
}

void ts_ymark_where(ts_err_t *err, const char *source, ts_ymark_t m, const char *path)
{
    if (!err)
        return;
    if (m.ovr) {
        ts_err_where(err, "-s %s", m.ovr);
        return;
    }
    size_t room = sizeof(err->where) - 1 - strlen(path) - 2 /* ": " */ - 24 /* :line:col */;
    if (room > sizeof(err->where) || room < 16)
        room = 16;
    size_t len = strlen(source);
    const char *dots = len > room ? "..." : "";
    if (len > room)
        source += len - (room - 3);
    if (path[0])
        ts_err_where(err, "%s%s:%u:%u: %s", dots, source, m.line, m.col, path);
    else
        ts_err_where(err, "%s%s:%u:%u", dots, source, m.line, m.col);
}

/* ---- parsing ---- */

typedef struct yt_parse {
    yaml_parser_t parser;
    ts_ytree_t *tree;
    const char *text; /* the input, for hints at an error's position */
    size_t len;
    const char *source;
    ts_err_t *err;
} yt_parse_t;

static ts_ymark_t yt_mark(yaml_mark_t m)
{
    ts_ymark_t k = {(unsigned)m.line + 1, (unsigned)m.column + 1, NULL};
    return k;
}

static int yt_fail(yt_parse_t *y, int code, yaml_mark_t m, const char *path, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));

static int yt_fail(yt_parse_t *y, int code, yaml_mark_t m, const char *path, const char *fmt,
                   ...)
{
    char msg[sizeof(y->err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ts_err_set(y->err, code, "%s", msg);
    ts_ymark_where(y->err, y->source, yt_mark(m), path ? path : "");
    return code;
}

static int yt_oom(yt_parse_t *y)
{
    ts_err_set(y->err, TS_ENOMEM, "out of memory while reading the scenario");
    ts_err_where(y->err, "%s", y->source);
    return TS_ENOMEM;
}

/* The byte at 0-based line/column (columns count characters), or 0 past the end. */
static char yt_char_at(const yt_parse_t *y, size_t line, size_t col)
{
    size_t i = 0;
    for (size_t l = 0; l < line && i < y->len; i++)
        if (y->text[i] == '\n')
            l++;
    for (size_t c = 0; i < y->len && y->text[i] != '\n'; i++)
        if (((unsigned char)y->text[i] & 0xC0) != 0x80 && c++ == col)
            return y->text[i];
    return 0;
}

/* Turns libyaml's error state into ours. */
static int yt_syntax_error(yt_parse_t *y)
{
    yaml_parser_t *p = &y->parser;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        return yt_oom(y);
    case YAML_READER_ERROR:
        ts_err_set(y->err, TS_EPARSE, "YAML: %s (at byte %zu)", problem, p->problem_offset);
        ts_err_where(y->err, "%s", y->source);
        return TS_EPARSE;
    default:
        break;
    }
    char hint[64] = "";
    char ch = yt_char_at(y, p->problem_mark.line, p->problem_mark.column);
    if (ch == '\t')
        snprintf(hint, sizeof(hint), "; found a tab: YAML indents with spaces only");
    else if (ch > ' ' && ch < 127 && strstr(problem, "cannot start any token"))
        snprintf(hint, sizeof(hint), " ('%c')", ch);
    if (p->context)
        return yt_fail(y, TS_EPARSE, p->problem_mark, NULL,
                       "YAML syntax error: %s%s (%s at line %zu, column %zu)", problem, hint,
                       p->context, p->context_mark.line + 1, p->context_mark.column + 1);
    return yt_fail(y, TS_EPARSE, p->problem_mark, NULL, "YAML syntax error: %s%s", problem, hint);
}

static int yt_next(yt_parse_t *y, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&y->parser, ev))
        return yt_syntax_error(y);
    return 0;
}

static bool yt_is_null(const yaml_event_t *ev)
{
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)ev->data.scalar.value;
    return v[0] == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static void yt_path_key(char *out, const char *parent, const char *key)
{
    snprintf(out, YT_PATH, "%s%s%s", parent, parent[0] ? "." : "", key);
}

static int yt_build(yt_parse_t *y, const yaml_event_t *ev, unsigned depth, const char *path,
                    ts_ynode_t **out);

static int yt_build_seq(yt_parse_t *y, ts_ynode_t *seq, unsigned depth, const char *path)
{
    char sub[YT_PATH];
    for (;;) {
        yaml_event_t ev;
        int rc = yt_next(y, &ev);
        if (rc)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        ts_ynode_t *item = NULL;
        snprintf(sub, sizeof(sub), "%s[%zu]", path, seq->n_children);
        rc = yt_build(y, &ev, depth + 1, sub, &item);
        yaml_event_delete(&ev);
        if (rc)
            return rc;
        yt_append(seq, item);
    }
}

static int yt_build_map(yt_parse_t *y, ts_ynode_t *map, unsigned depth, const char *path)
{
    char sub[YT_PATH];
    for (;;) {
        yaml_event_t ev;
        int rc = yt_next(y, &ev);
        if (rc)
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            const char *found = ev.type == YAML_ALIAS_EVENT ? "an alias"
                                : ev.type == YAML_SEQUENCE_START_EVENT ? "a list"
                                                                       : "a map";
            rc = yt_fail(y, TS_EPARSE, ev.start_mark, path, "expected a key name, found %s",
                         found);
            yaml_event_delete(&ev);
            return rc;
        }
        ts_ymark_t key_mark = yt_mark(ev.start_mark);
        yaml_mark_t raw_mark = ev.start_mark;
        char *key = yt_strndup(y->tree, (const char *)ev.data.scalar.value,
                               ev.data.scalar.length);
        yaml_event_delete(&ev);
        if (!key)
            return yt_oom(y);
        yt_path_key(sub, path, key);
        ts_ynode_t *first = ts_ynode_get(map, key);
        if (first)
            return yt_fail(y, TS_EPARSE, raw_mark, sub,
                           "duplicate key '%s' (first given at line %u)", key,
                           first->key_mark.line);
        if ((rc = yt_next(y, &ev)) != 0)
            return rc;
        ts_ynode_t *value = NULL;
        rc = yt_build(y, &ev, depth + 1, sub, &value);
        yaml_event_delete(&ev);
        if (rc)
            return rc;
        value->key = key;
        value->key_mark = key_mark;
        yt_append(map, value);
    }
}

/* Builds the node that starts with ev (which the caller deletes). */
static int yt_build(yt_parse_t *y, const yaml_event_t *ev, unsigned depth, const char *path,
                    ts_ynode_t **out)
{
    if (depth > YT_MAX_DEPTH)
        return yt_fail(y, TS_EPARSE, ev->start_mark, path,
                       "nesting is deeper than %d levels", YT_MAX_DEPTH);
    ts_ymark_t mark = yt_mark(ev->start_mark);
    ts_ynode_t *n;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (!(n = yt_node(y->tree, TS_Y_SCALAR, mark)))
            return yt_oom(y);
        n->value = yt_strndup(y->tree, (const char *)ev->data.scalar.value,
                              ev->data.scalar.length);
        if (!n->value)
            return yt_oom(y);
        n->is_null = yt_is_null(ev);
        *out = n;
        return 0;
    case YAML_SEQUENCE_START_EVENT:
        if (!(n = yt_node(y->tree, TS_Y_SEQ, mark)))
            return yt_oom(y);
        *out = n;
        return yt_build_seq(y, n, depth, path);
    case YAML_MAPPING_START_EVENT:
        if (!(n = yt_node(y->tree, TS_Y_MAP, mark)))
            return yt_oom(y);
        *out = n;
        return yt_build_map(y, n, depth, path);
    case YAML_ALIAS_EVENT:
        return yt_fail(y, TS_EPARSE, ev->start_mark, path,
                       "aliases (*%s) are not supported; write the value out",
                       (const char *)ev->data.alias.anchor);
    default:
        return yt_fail(y, TS_EPARSE, ev->start_mark, path, "unexpected YAML event %d",
                       (int)ev->type);
    }
}

/* stream-start, then nothing or one document, then stream-end. */
static int yt_build_stream(yt_parse_t *y)
{
    yaml_event_t ev;
    int rc = yt_next(y, &ev);
    if (rc)
        return rc;
    yaml_event_delete(&ev); /* stream start */
    if ((rc = yt_next(y, &ev)) != 0)
        return rc;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return 0;
    }
    yaml_event_delete(&ev); /* document start */
    if ((rc = yt_next(y, &ev)) != 0)
        return rc;
    rc = yt_build(y, &ev, 0, "", &y->tree->root);
    yaml_event_delete(&ev);
    if (rc)
        return rc;
    if ((rc = yt_next(y, &ev)) != 0)
        return rc;
    yaml_event_delete(&ev); /* document end */
    if ((rc = yt_next(y, &ev)) != 0)
        return rc;
    if (ev.type != YAML_STREAM_END_EVENT)
        rc = yt_fail(y, TS_EPARSE, ev.start_mark, NULL,
                     "expected one YAML document, found a second one");
    yaml_event_delete(&ev);
    return rc;
}

int ts_ytree_parse(const char *text, size_t len, const char *source, ts_ytree_t **out,
                    ts_err_t *err)
{
    *out = NULL;
    yt_parse_t y = {.text = text, .len = len, .source = source, .err = err};
    y.tree = ts_calloc(1, sizeof(*y.tree));
    if (!y.tree)
        return yt_oom(&y);
    if (!yaml_parser_initialize(&y.parser)) {
        ts_ytree_destroy(y.tree);
        return yt_oom(&y);
    }
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
    int rc = yt_build_stream(&y);
    yaml_parser_delete(&y.parser);
    if (rc) {
        ts_ytree_destroy(y.tree);
        return rc;
    }
    ts_ynode_t *root = y.tree->root;
    if (root && root->kind == TS_Y_SCALAR && root->is_null)
        y.tree->root = NULL; /* "---" alone */
    *out = y.tree;
    return 0;
}

/* ---- overrides ---- */

static int yt_ovr_fail(ts_err_t *err, int code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int yt_ovr_fail(ts_err_t *err, int code, const char *where, const char *fmt, ...)
{
    char msg[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ts_err_set(err, code, "%s", msg);
    ts_err_where(err, "-s %s", where);
    return code;
}

static bool yt_index(const char *s, size_t *out)
{
    size_t v = 0;
    if (!s[0])
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (SIZE_MAX - 9) / 10)
            return false;
        v = v * 10 + (size_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* The segment starting at s (up to the next '.') is a list index. */
static bool yt_is_index_segment(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n > 0 && (s[n] == 0 || s[n] == '.');
}

static int yt_ovr_oom(ts_err_t *err, const char *text)
{
    return yt_ovr_fail(err, TS_ENOMEM, text, "out of memory applying the override");
}

int ts_ytree_override(ts_ytree_t *t, const char *text, ts_err_t *err)
{
    const char *eq = strchr(text, '=');
    const char *kb = text, *ke = eq ? eq : text + strlen(text);
    while (kb < ke && (*kb == ' ' || *kb == '\t'))
        kb++;
    while (ke > kb && (ke[-1] == ' ' || ke[-1] == '\t'))
        ke--;
    if (!eq || kb == ke)
        return yt_ovr_fail(err, TS_EPARSE, text, "expected key.path=value, found '%s'", text);
    char *path = yt_strndup(t, kb, (size_t)(ke - kb));   /* kept: the nodes' ovr mark */
    char *segs = yt_strndup(t, kb, (size_t)(ke - kb));   /* cut into segments below */
    const char *vb = eq + 1, *ve = vb + strlen(vb);
    while (vb < ve && (*vb == ' ' || *vb == '\t'))
        vb++;
    while (ve > vb && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    char *value = yt_strndup(t, vb, (size_t)(ve - vb)); /* the new scalar */
    if (!path || !segs || !value)
        return yt_ovr_oom(err, text);
    ts_ymark_t mark = {0, 0, path};
    if (!t->root) {
        ts_ymark_t top = {1, 1, NULL};
        if (!(t->root = yt_node(t, TS_Y_MAP, top)))
            return yt_ovr_oom(err, path);
    }
    ts_ynode_t *node = t->root;
    char *seg = segs;
    for (;;) {
        char *dot = strchr(seg, '.');
        if (dot)
            *dot = 0;
        size_t upto = (size_t)(seg - segs); /* path[0..upto) is the part already walked */
        if (!seg[0])
            return yt_ovr_fail(err, TS_EPARSE, path, "empty key in '%s'", path);
        if (node->kind == TS_Y_SCALAR && node->is_null) {
            node->kind = TS_Y_MAP; /* `outputs:` left empty: give it keys */
            node->value = NULL;
            node->is_null = false;
        }
        if (node->kind == TS_Y_SCALAR && upto == 0)
            return yt_ovr_fail(err, TS_EPARSE, path, "the scenario is a single value, not a map");
        if (node->kind == TS_Y_SCALAR)
            return yt_ovr_fail(err, TS_ENOENT, path, "'%.*s' is a value, not a map or a list",
                               (int)(upto - 1), path);
        ts_ynode_t *next = NULL;
        if (node->kind == TS_Y_SEQ) {
            size_t idx;
            if (!yt_index(seg, &idx))
                return yt_ovr_fail(err, TS_EPARSE, path,
                                   "%s%.*s is a list: expected an index such as 0, found '%s'",
                                   upto ? "" : "the scenario", (int)(upto ? upto - 1 : 0),
                                   path, seg);
            if (idx >= node->n_children)
                return yt_ovr_fail(err, TS_ENOENT, path,
                                   "index %zu is out of range (%s%.*s has %zu %s)", idx,
                                   upto ? "" : "the scenario", (int)(upto ? upto - 1 : 0),
                                   path, node->n_children,
                                   node->n_children == 1 ? "entry" : "entries");
            next = node->child;
            for (size_t i = 0; i < idx; i++)
                next = next->next;
        } else if (!(next = ts_ynode_get(node, seg))) {
            if (dot && yt_is_index_segment(dot + 1))
                return yt_ovr_fail(err, TS_ENOENT, path,
                                   "there is no list '%.*s' to index (an override can change "
                                   "list entries but not add lists)",
                                   (int)(dot - segs), path);
            if (!(next = yt_node(t, dot ? TS_Y_MAP : TS_Y_SCALAR, mark)))
                return yt_ovr_oom(err, path);
            next->key = seg;
            next->key_mark = mark;
            yt_append(node, next);
        }
        node = next;
        if (!dot)
            break;
        seg = dot + 1;
    }
    node->kind = TS_Y_SCALAR;
    node->mark = mark;
    node->value = value;
    node->is_null = false;
    node->child = node->last = NULL;
    node->n_children = 0;
    return 0;
}
