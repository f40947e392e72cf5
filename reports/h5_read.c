/* SPDX-License-Identifier: MIT */
/*
 * h5_read.c - reads the HDF5 results file back into ts_result_t (see h5.h).
 *
 * Tables are read by column name through the same column tables the writer uses, so a
 * file with extra columns (a later schema's additions) still reads, and so does an older
 * file without the optional ones (added since the first layout: they read as 0 or "", and
 * the result's `lacks` says which figures were not recorded); a missing required column,
 * dataset, attribute or a value out of its range is an error naming the file and the
 * object ("'r.h5': /runs/0000/tiers: no column 'hits'"). Everything read is checked
 * against the result's limits (tiers, levels, resources, string lengths) before the
 * result's arrays are sized to it.
 * Cost: proportional to the run's size; one allocation per histogram and per series.
 */
#include "h5.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../sim/util/mem.h"
#include "h5_internal.h"

struct ts_result_h5 {
    hid_t file;
    char *path;     /* owned */
    uint64_t n_runs;
};

typedef struct h5r {
    const char *path; /* the file, for messages */
    ts_err_t *err;
    char run[32];     /* "/runs/0000" */
    uint32_t lacks;   /* TS_LACKS_* of the optional columns and attributes not found */
} h5r_t;

/* "'f.h5': /runs/0000/<rel>: <what>" as TS_EFORMAT. */
static int h5r_bad(h5r_t *r, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int h5r_bad(h5r_t *r, const char *rel, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ts_err_set(r->err, TS_EFORMAT, "'%s': %s%s%s: %s", r->path, r->run,
                      rel[0] ? "/" : "", rel, msg);
}

static int h5r_oom(h5r_t *r, const char *rel)
{
    return ts_err_set(r->err, TS_ENOMEM, "'%s': out of memory reading %s/%s", r->path, r->run,
                      rel);
}

/* ---- attributes ---- */

static int h5r_attr(h5r_t *r, hid_t obj, const char *rel, const char *name, hid_t mtype,
                    void *out)
{
    if (H5Aexists(obj, name) <= 0)
        return h5r_bad(r, rel, "no attribute '%s'", name);
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    herr_t st = a >= 0 ? H5Aread(a, mtype, out) : -1;
    if (a >= 0)
        H5Aclose(a);
    return st < 0 ? h5r_bad(r, rel, "attribute '%s' is not of the expected type", name) : 0;
}

/* A string attribute (variable-length) into buf. */
static int h5r_attr_str(h5r_t *r, hid_t obj, const char *rel, const char *name, char *buf,
                        size_t size)
{
    hid_t t = ts__h5_str_type(0);
    char *s = NULL;
    int rc = t < 0 ? h5r_oom(r, rel) : h5r_attr(r, obj, rel, name, t, &s);
    if (t >= 0)
        H5Tclose(t);
    if (rc)
        return rc;
    int n = snprintf(buf, size, "%s", s ? s : "");
    H5free_memory(s);
    if (n < 0 || (size_t)n >= size)
        return h5r_bad(r, rel, "attribute '%s' is longer than %zu bytes", name, size - 1);
    return 0;
}

/* The attributes of table t into base; an optional one the file lacks reads as 0 or "". */
static int h5r_attrs(h5r_t *r, hid_t obj, const char *rel, const ts__h5_table_t *t, void *base)
{
    int rc = 0;
    for (size_t i = 0; i < t->n && rc == 0; i++) {
        const ts__h5_field_t *f = &t->f[i];
        char *p = (char *)base + f->offset;
        bool is_absent = f->optional && H5Aexists(obj, f->name) <= 0;
        if (is_absent)
            r->lacks |= f->optional;
        if (f->kind == TS__H5_STR) {
            if (is_absent)
                p[0] = 0;
            else
                rc = h5r_attr_str(r, obj, rel, f->name, p, f->size);
            continue;
        }
        if (f->kind == TS__H5_PSTR) {
            char buf[1024] = "";
            if (!is_absent)
                rc = h5r_attr_str(r, obj, rel, f->name, buf,
                                  f->size < sizeof(buf) ? f->size : sizeof(buf));
            if (rc == 0 && ts_result_strf((char **)p, 0, NULL, "%s", buf) != 0)
                rc = h5r_oom(r, rel);
            continue;
        }
        if (is_absent) {
            memset(p, 0, ts__h5_field_size(f));
            continue;
        }
        hid_t mt = ts__h5_scalar_type(f, false);
        rc = mt < 0 ? h5r_oom(r, rel) : h5r_attr(r, obj, rel, f->name, mt, p);
        if (mt >= 0)
            H5Tclose(mt);
    }
    return rc;
}

/* A string attribute that must be one of names[0..n): its index in *out. */
static int h5r_attr_choice(h5r_t *r, hid_t obj, const char *rel, const char *name,
                           const char *const *names, size_t n, size_t *out)
{
    char v[64];
    int rc = h5r_attr_str(r, obj, rel, name, v, sizeof(v));
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return rc ? rc : h5r_bad(r, rel, "unknown %s '%s'", name, v);
}

/* ---- datasets ---- */

static hid_t h5r_dataset(h5r_t *r, hid_t loc, const char *rel, const char *name)
{
    hid_t d = H5Lexists(loc, name, H5P_DEFAULT) > 0 ? H5Dopen2(loc, name, H5P_DEFAULT) : -1;
    if (d < 0)
        h5r_bad(r, rel, "no such dataset");
    return d;
}

static hid_t h5r_group(h5r_t *r, hid_t loc, const char *rel, const char *name)
{
    hid_t g = H5Lexists(loc, name, H5P_DEFAULT) > 0 ? H5Gopen2(loc, name, H5P_DEFAULT) : -1;
    if (g < 0)
        h5r_bad(r, rel, "no such group");
    return g;
}

/* The extent of a dataset of `rank` dimensions into dims. */
static int h5r_dims(h5r_t *r, hid_t d, const char *rel, int rank, hsize_t *dims)
{
    hid_t space = H5Dget_space(d);
    int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (nd == rank && rank > 0)
        H5Sget_simple_extent_dims(space, dims, NULL);
    if (space >= 0)
        H5Sclose(space);
    return nd == rank ? 0 : h5r_bad(r, rel, "has %d dimensions, expected %d", nd, rank);
}

/* Opens the 1-D table loc/name, checks that it has every required column of t (an
 * optional one it lacks goes into r->lacks) and at most max rows (its row count to *n).
 * The caller closes *out. */
static int h5r_table_open(h5r_t *r, hid_t loc, const char *rel, const char *name,
                          const ts__h5_table_t *t, size_t max, hid_t *out, size_t *n)
{
    *out = h5r_dataset(r, loc, rel, name);
    if (*out < 0)
        return TS_EFORMAT;
    hsize_t dims = 0;
    int rc = h5r_dims(r, *out, rel, 1, &dims);
    hid_t ft = rc ? -1 : H5Dget_type(*out);
    if (rc == 0 && (ft < 0 || H5Tget_class(ft) != H5T_COMPOUND))
        rc = h5r_bad(r, rel, "is not a table (a compound dataset)");
    for (size_t i = 0; rc == 0 && i < t->n; i++) {
        if (H5Tget_member_index(ft, t->f[i].name) >= 0)
            continue;
        if (t->f[i].optional)
            r->lacks |= t->f[i].optional;
        else
            rc = h5r_bad(r, rel, "no column '%s'", t->f[i].name);
    }
    if (ft >= 0)
        H5Tclose(ft);
    if (rc == 0 && dims > max)
        rc = h5r_bad(r, rel, "has %llu rows, at most %zu expected", (unsigned long long)dims,
                     max);
    if (rc) {
        H5Dclose(*out);
        *out = -1;
        return rc;
    }
    *n = (size_t)dims;
    return 0;
}

/* Reads the n rows of an open table into dst (rows of t->mem_size bytes; through packed
 * rows when t has string pointers, each string then a new copy owned by dst's row). The
 * rows are zeroed first: H5Dread leaves the members the file's type lacks (optional
 * columns of an older file) as they are, so those read as 0 or "". */
static int h5r_table_read(h5r_t *r, hid_t d, const char *rel, const ts__h5_table_t *t,
                          void *dst, size_t n)
{
    bool is_packed = ts__h5_has_pointers(t);
    void *packed = is_packed ? ts_calloc(n ? n : 1, ts__h5_packed_size(t)) : NULL;
    if (is_packed && !packed)
        return h5r_oom(r, rel);
    if (!is_packed)
        memset(dst, 0, n * t->mem_size);
    hid_t mt = is_packed ? ts__h5_packed_type(t) : ts__h5_compound(t, false);
    herr_t st = mt >= 0 ? H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, is_packed ? packed : dst)
                        : -1;
    if (mt >= 0)
        H5Tclose(mt);
    int rc = st < 0 ? h5r_bad(r, rel, "cannot read its rows (damaged file?)") : 0;
    if (rc == 0 && is_packed && ts__h5_unpack(t, packed, n, dst) != 0)
        rc = h5r_oom(r, rel);
    ts_free(packed);
    return rc;
}

/* A whole table into dst (room for max rows); its row count to *n. */
static int h5r_table(h5r_t *r, hid_t loc, const char *rel, const char *name,
                     const ts__h5_table_t *t, void *dst, size_t max, size_t *n)
{
    hid_t d;
    int rc = h5r_table_open(r, loc, rel, name, t, max, &d, n);
    if (rc)
        return rc;
    rc = h5r_table_read(r, d, rel, t, dst, *n);
    H5Dclose(d);
    return rc;
}

/* The same into a new array (*out, free with ts_free; NULL for no rows). */
static int h5r_table_alloc(h5r_t *r, hid_t loc, const char *rel, const char *name,
                           const ts__h5_table_t *t, size_t max, void **out, size_t *n)
{
    *out = NULL;
    hid_t d;
    int rc = h5r_table_open(r, loc, rel, name, t, max, &d, n);
    if (rc || *n == 0) {
        if (rc == 0)
            H5Dclose(d);
        return rc;
    }
    *out = ts_calloc(*n, t->mem_size);
    rc = *out ? h5r_table_read(r, d, rel, t, *out, *n) : h5r_oom(r, rel);
    H5Dclose(d);
    if (rc) {
        ts_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The same into a new array of exactly its rows (*out, owned by the result: its strings
 * too), with *n set only once the rows are in, so a release frees what was read. */
static int h5r_table_sized(h5r_t *r, hid_t loc, const char *rel, const char *name,
                           const ts__h5_table_t *t, size_t max, void **out, size_t *n)
{
    hid_t d;
    size_t rows = 0;
    int rc = h5r_table_open(r, loc, rel, name, t, max, &d, &rows);
    if (rc)
        return rc;
    *out = ts_calloc(rows ? rows : 1, t->mem_size);
    if (!*out)
        rc = h5r_oom(r, rel);
    else
        *n = rows; /* zeroed rows: valid to release whatever the read leaves */
    if (rc == 0)
        rc = h5r_table_read(r, d, rel, t, *out, rows);
    H5Dclose(d);
    return rc;
}

/* The tiers table, with the result's tiers (and their links) sized to its rows. */
static int h5r_tiers(h5r_t *r, hid_t run, ts_result_t *res)
{
    hid_t d;
    size_t n = 0;
    int rc = h5r_table_open(r, run, "tiers", "tiers", &ts__h5_tiers, TS_MAX_TIERS, &d, &n);
    if (rc)
        return rc;
    if (ts_result_alloc_tiers(res, n, NULL) != 0)
        rc = h5r_oom(r, "tiers");
    if (rc == 0)
        rc = h5r_table_read(r, d, "tiers", &ts__h5_tiers, res->tiers, n);
    H5Dclose(d);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (res->tiers[i].admit && strcmp(res->tiers[i].admit, "always") == 0)
            res->tiers[i].admit[0] = 0; /* the file's spelling of no filter */
    return rc;
}

/* ---- the parts of a run ---- */

static int h5r_scenario(h5r_t *r, hid_t run, ts_result_t *res)
{
    hid_t g = h5r_group(r, run, "scenario", "scenario");
    if (g < 0)
        return TS_EFORMAT;
    hid_t t = ts__h5_str_type(0);
    hid_t y = h5r_dataset(r, g, "scenario/yaml", "yaml");
    char *yaml = NULL;
    int rc = y < 0 ? TS_EFORMAT : 0;
    if (rc == 0 && (t < 0 || H5Dread(y, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &yaml) < 0))
        rc = h5r_bad(r, "scenario/yaml", "is not a string");
    if (rc == 0 && !(res->scenario_yaml = ts_strdup(yaml ? yaml : "")))
        rc = h5r_oom(r, "scenario/yaml");
    H5free_memory(yaml);
    if (y >= 0)
        H5Dclose(y);
    hid_t o = rc ? -1 : h5r_dataset(r, g, "scenario/overrides", "overrides");
    hsize_t n = 0;
    if (rc == 0 && (o < 0 || (rc = h5r_dims(r, o, "scenario/overrides", 1, &n)) != 0))
        rc = TS_EFORMAT;
    char **v = rc || n == 0 ? NULL : ts_calloc((size_t)n, sizeof(char *));
    if (rc == 0 && n && !v)
        rc = h5r_oom(r, "scenario/overrides");
    if (rc == 0 && n && H5Dread(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        rc = h5r_bad(r, "scenario/overrides", "is not a list of strings");
    else if (rc == 0 && n) {
        res->overrides = ts_strv_dup((const char *const *)v, (size_t)n);
        res->n_overrides = (size_t)n;
        for (size_t i = 0; i < n; i++)
            H5free_memory(v[i]);
        if (!res->overrides) {
            res->n_overrides = 0;
            rc = h5r_oom(r, "scenario/overrides");
        }
    }
    ts_free(v);
    if (o >= 0)
        H5Dclose(o);
    if (t >= 0)
        H5Tclose(t);
    H5Gclose(g);
    return rc;
}

static int h5r_hierarchy(h5r_t *r, hid_t run, ts_result_t *res)
{
    ts_hier_result_t *h = &res->hier;
    hid_t g = h5r_group(r, run, "hierarchy", "hierarchy");
    if (g < 0)
        return TS_EFORMAT;
    size_t v[4] = {0};
    int rc = h5r_attr_choice(r, g, "hierarchy", "inclusion", ts_inclusion_names,
                             TS_INCL_COUNT_, &v[0]);
    if (rc == 0)
        rc = h5r_attr_choice(r, g, "hierarchy", "promote", ts_promote_names,
                             TS_PROMOTE_COUNT_, &v[1]);
    if (rc == 0)
        rc = h5r_attr_choice(r, g, "hierarchy", "demote", ts_demote_names, TS_DEMOTE_COUNT_,
                             &v[2]);
    if (rc == 0)
        rc = h5r_attr_choice(r, g, "hierarchy", "write", ts_write_names, TS_WRITE_COUNT_,
                             &v[3]);
    h->inclusion = ts_inclusion_names[v[0]];
    h->promote = ts_promote_names[v[1]];
    h->demote = ts_demote_names[v[2]];
    h->write = ts_write_names[v[3]];
    if (rc == 0)
        rc = h5r_attrs(r, g, "hierarchy", &ts__h5_hier_attrs, h);
    if (rc == 0 && h->prefetch && strcmp(h->prefetch, "none") == 0) /* the file's spelling */
        h->prefetch[0] = 0;
    size_t n = 0;
    if (rc == 0)
        rc = h5r_table(r, g, "hierarchy/counters", "counters", &ts__h5_hier_counters, &h->st,
                       1, &n);
    if (rc == 0 && n != 1)
        rc = h5r_bad(r, "hierarchy/counters", "has %zu rows, expected 1", n);
    ts__h5_link_row_t rows[TS_MAX_TIERS];
    if (rc == 0)
        rc = h5r_table(r, g, "hierarchy/links", "links", &ts__h5_links, rows, TS_MAX_TIERS, &n);
    if (rc == 0 && n != res->n_tiers)
        rc = h5r_bad(r, "hierarchy/links", "has %zu rows for %zu tiers", n, res->n_tiers);
    for (size_t i = 0; rc == 0 && i < n; i++)
        h->link[i] = rows[i].st;
    H5Gclose(g);
    return rc;
}

/* The histogram of latency row `row` from <base>/hist/<name> into its summary. */
static int h5r_hist(h5r_t *r, hid_t hist, const char *base, ts__h5_lat_row_t *row,
                    ts_lat_t *dst)
{
    char name[TS__H5_NAME], rel[TS__H5_NAME + 48];
    ts__h5_link_name(row->name, name, sizeof(name));
    snprintf(rel, sizeof(rel), "%s/hist/%s", base, name);
    *dst = row->lat;
    dst->buckets = NULL;
    dst->n_buckets = 0;
    void *b = NULL;
    int rc = h5r_table_alloc(r, hist, rel, name, &ts__h5_buckets, TS_HIST_BUCKETS, &b,
                             &dst->n_buckets);
    dst->buckets = b;
    return rc;
}

/* Where a row of a latency table goes: its summary in the result, or NULL for a row the
 * table should not have. */
typedef ts_lat_t *(*h5r_lat_dst_fn)(const ts__h5_lat_row_t *row, void *ctx);

/* <g>/latency and, for each of its rows, <g>/hist/<name> into where dst puts it; base
 * names g in messages. */
static int h5r_lat_hist(h5r_t *r, hid_t g, const char *base, size_t max, h5r_lat_dst_fn dst,
                        void *ctx)
{
    ts__h5_lat_row_t rows[4 + 2 * TS_TIMED_LEVELS];
    char rel[TS__H5_NAME + 48];
    size_t n = 0;
    snprintf(rel, sizeof(rel), "%s/latency", base);
    int rc = h5r_table(r, g, rel, "latency", &ts__h5_latency, rows, max, &n);
    snprintf(rel, sizeof(rel), "%s/hist", base);
    hid_t hist = rc ? -1 : h5r_group(r, g, rel, "hist");
    if (rc == 0 && hist < 0)
        rc = TS_EFORMAT;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ts_lat_t *d = dst(&rows[i], ctx);
        snprintf(rel, sizeof(rel), "%s/latency", base);
        if (!d)
            rc = h5r_bad(r, rel, "unknown row '%s' (level %d)", rows[i].name,
                         (int)rows[i].level);
        else if (d->n_buckets || d->buckets)
            rc = h5r_bad(r, rel, "row '%s' comes twice", rows[i].name);
        else
            rc = h5r_hist(r, hist, base, &rows[i], d);
    }
    if (hist >= 0)
        H5Gclose(hist);
    return rc;
}

typedef struct h5r_timed_ctx {
    ts_timed_result_t *t;
    size_t n_tiers;
} h5r_timed_ctx_t;

static ts_lat_t *h5r_timed_dst(const ts__h5_lat_row_t *row, void *ctx)
{
    h5r_timed_ctx_t *c = ctx;
    static const char *const k_kinds[] = {"all", "get", "put", "ttft"};
    if (row->level >= 0)
        return (size_t)row->level <= c->n_tiers ? &c->t->served[row->level] : NULL;
    for (size_t k = 0; k < 4; k++)
        if (strcmp(row->name, k_kinds[k]) == 0)
            return k == 0 ? &c->t->all : k == 3 ? &c->t->ttft : &c->t->op[k - 1];
    return NULL;
}

/* The group loc/name (base in messages: "timed", "live/measured") into t. */
static int h5r_timed(h5r_t *r, hid_t loc, const char *base, const char *name, ts_result_t *res,
                     ts_timed_result_t *t)
{
    hid_t g = h5r_group(r, loc, base, name);
    if (g < 0)
        return TS_EFORMAT;
    size_t arrivals = 0;
    int rc = h5r_attr_choice(r, g, base, "arrivals", ts_arrivals_names, TS_ARRIVALS_COUNT_,
                             &arrivals);
    t->arrivals = (ts_arrivals_t)arrivals;
    if (rc == 0)
        rc = h5r_attrs(r, g, base, &ts__h5_timed_attrs, t);
    char rel[64];
    snprintf(rel, sizeof(rel), "%s/resources", base);
    if (rc == 0)
        rc = h5r_table_sized(r, g, rel, "resources", &ts__h5_resources, TS_TIMED_MAX_RES,
                             (void **)&t->res, &t->n_res);
    snprintf(rel, sizeof(rel), "%s/latency", base);
    if (rc == 0 && !(t->served = ts_calloc(res->n_tiers + 1, sizeof(*t->served))))
        rc = h5r_oom(r, rel);
    if (rc == 0)
        t->n_levels = res->n_tiers + 1;
    h5r_timed_ctx_t ctx = {t, res->n_tiers};
    if (rc == 0)
        rc = h5r_lat_hist(r, g, base, 4 + TS_TIMED_LEVELS, h5r_timed_dst, &ctx);
    H5Gclose(g);
    return rc;
}

typedef struct h5r_live_ctx {
    ts_live_result_t *lr;
} h5r_live_ctx_t;

/* "read@<level>" and "write@<level>" rows into that level's back-end. */
static ts_lat_t *h5r_live_dst(const ts__h5_lat_row_t *row, void *ctx)
{
    ts_live_result_t *lr = ((h5r_live_ctx_t *)ctx)->lr;
    if (row->level < 0 || (size_t)row->level >= lr->n_levels)
        return NULL;
    ts_live_level_t *d = &lr->level[row->level];
    if (strncmp(row->name, "read@", 5) == 0)
        return &d->read;
    if (strncmp(row->name, "write@", 6) == 0)
        return &d->write;
    return NULL;
}

/* /runs/NNNN/live (h5.c's h5w_live): live/compare is derived, not read. */
static int h5r_live(h5r_t *r, hid_t run, ts_result_t *res)
{
    ts_live_result_t *lr = &res->live;
    hid_t g = h5r_group(r, run, "live", "live");
    if (g < 0)
        return TS_EFORMAT;
    int rc = h5r_attrs(r, g, "live", &ts__h5_live_attrs, lr);
    if (rc == 0 && lr->stop_reason && !lr->stop_reason[0]) { /* the file's spelling of none */
        ts_free(lr->stop_reason);
        lr->stop_reason = NULL;
    }
    if (rc == 0)
        rc = h5r_timed(r, g, "live/measured", "measured", res, &lr->m);
    ts__h5_backend_row_t *be = NULL;
    size_t n = 0;
    if (rc == 0)
        rc = h5r_table_sized(r, g, "live/backends", "backends", &ts__h5_backends,
                             TS_TIMED_LEVELS, (void **)&be, &n);
    if (rc == 0 && n > res->n_tiers + 1)
        rc = h5r_bad(r, "live/backends", "has %zu rows for %zu tiers and the backing store",
                     n, res->n_tiers);
    if (rc == 0 && !(lr->level = ts_calloc(n ? n : 1, sizeof(*lr->level))))
        rc = h5r_oom(r, "live/backends");
    if (rc == 0)
        lr->n_levels = n;
    for (size_t l = 0; be && l < n; l++) {
        if (rc == 0) {
            lr->level[l] = be[l].d; /* takes its backend string */
            lr->level[l].read = lr->level[l].write = (ts_lat_t){0};
        } else {
            ts_free(be[l].d.backend);
        }
    }
    ts_free(be);
    h5r_live_ctx_t ctx = {lr};
    if (rc == 0)
        rc = h5r_lat_hist(r, g, "live", 2 * TS_TIMED_LEVELS, h5r_live_dst, &ctx);
    H5Gclose(g);
    return rc;
}

/* One tier's rows of the series into its columns of s. */
static int h5r_series_tier(h5r_t *r, hid_t tiers, const ts__h5_table_t *t, ts_series_t *s,
                           const ts_result_t *res, uint32_t tier, ts__h5_series_row_t *rows)
{
    char name[TS__H5_NAME], rel[TS__H5_NAME + 16];
    ts__h5_link_name(res->tiers[tier].name, name, sizeof(name));
    snprintf(rel, sizeof(rel), "series/tiers/%s", name);
    size_t n = 0;
    int rc = h5r_table(r, tiers, rel, name, t, rows, s->n_points, &n);
    if (rc == 0 && n != s->n_points)
        rc = h5r_bad(r, rel, "has %zu rows, expected %zu", n, s->n_points);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t *row = s->v + i * s->n_cols + ts_series_tier_col(tier, 0);
        row[TS_SCOL_REQUESTS] = rows[i].requests;
        row[TS_SCOL_HITS] = rows[i].hits;
        row[TS_SCOL_BYTES_HIT] = rows[i].bytes_hit;
        row[TS_SCOL_BYTES_IN] = rows[i].bytes_in;
        row[TS_SCOL_BYTES_OUT] = rows[i].bytes_out;
        row[TS_SCOL_USED] = rows[i].used;
    }
    return rc;
}

/* series/total into s (its row count set s->n_points before). */
static int h5r_series_total(h5r_t *r, hid_t g, const ts__h5_table_t *t, ts_series_t *s)
{
    ts__h5_total_row_t *rows = ts_calloc(s->n_points ? s->n_points : 1, sizeof(*rows));
    if (!rows)
        return h5r_oom(r, "series/total");
    size_t n = 0;
    int rc = h5r_table(r, g, "series/total", "total", t, rows, s->n_points, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t *row = s->v + i * s->n_cols + ts_series_total_col(s, 0);
        row[TS_STOT_REQUESTS] = rows[i].requests;
        row[TS_STOT_HITS] = rows[i].hits;
        row[TS_STOT_BYTES_REQ] = rows[i].bytes_requested;
        row[TS_STOT_BYTES_HIT] = rows[i].bytes_hit;
        row[TS_STOT_BACKING] = rows[i].backing_requests;
        row[TS_STOT_BACKING_BYTES] = rows[i].backing_bytes;
    }
    ts_free(rows);
    return rc;
}

/* series/busy_ns ([points][resources]) into the engine columns. */
static int h5r_series_busy(h5r_t *r, hid_t g, ts_series_t *s)
{
    hid_t d = h5r_dataset(r, g, "series/busy_ns", "busy_ns");
    hsize_t dims[2] = {0, 0};
    int rc = d < 0 ? TS_EFORMAT : h5r_dims(r, d, "series/busy_ns", 2, dims);
    if (rc == 0 && (dims[0] != s->n_points || dims[1] != s->n_res))
        rc = h5r_bad(r, "series/busy_ns", "is %llux%llu, expected %zux%u",
                     (unsigned long long)dims[0], (unsigned long long)dims[1], s->n_points,
                     s->n_res);
    size_t cells = s->n_points * s->n_res;
    uint64_t *busy = rc ? NULL : ts_calloc(cells ? cells : 1, sizeof(*busy));
    if (rc == 0 && !busy)
        rc = h5r_oom(r, "series/busy_ns");
    if (rc == 0 && H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, busy) < 0)
        rc = h5r_bad(r, "series/busy_ns", "cannot read it (damaged file?)");
    for (size_t i = 0; rc == 0 && i < s->n_points; i++)
        for (uint32_t j = 0; j < s->n_res; j++)
            s->v[i * s->n_cols + ts_series_res_col(s, j)] = busy[i * s->n_res + j];
    ts_free(busy);
    if (d >= 0)
        H5Dclose(d);
    return rc;
}

/* The series' attributes, then a table of the right size for its rows. */
static int h5r_series_head(h5r_t *r, hid_t g, const ts_result_t *res, ts_series_t **out)
{
    ts_series_t head = {0};
    size_t axis = 0;
    uint64_t points = 0;
    int rc = h5r_attr_choice(r, g, "series", "axis", ts_series_axis_names, TS_AXIS_COUNT_,
                             &axis);
    if (rc == 0)
        rc = h5r_attr(r, g, "series", "points", H5T_NATIVE_UINT64, &points);
    if (rc == 0)
        rc = h5r_attrs(r, g, "series", &ts__h5_series_attrs, &head);
    if (rc == 0 && (axis == TS_AXIS_AUTO || head.interval == 0 || points > head.max_points))
        rc = h5r_bad(r, "series", "axis '%s', interval %llu and %llu of %zu points do not make "
                     "a series", ts_series_axis_names[axis], (unsigned long long)head.interval,
                     (unsigned long long)points, head.max_points);
    ts_series_spec_t spec = {.axis = (ts_series_axis_t)axis, .interval = head.interval,
                             .max_points = head.max_points};
    if (rc == 0 && (rc = ts_series_create(&spec, out, r->err)) != 0)
        ts_err_prefix(r->err, "'%s': %s/series", r->path, r->run);
    uint32_t n_res = res->has_timed ? (uint32_t)res->timed.n_res : 0;
    if (rc == 0 && H5Lexists(g, "busy_ns", H5P_DEFAULT) <= 0)
        n_res = 0;
    if (rc == 0 && (rc = ts_series_layout(*out, (uint32_t)res->n_tiers, n_res, (size_t)points,
                                          r->err)) != 0)
        ts_err_prefix(r->err, "'%s': %s/series", r->path, r->run);
    if (rc)
        return rc;
    ts_series_t *s = *out;
    s->axis = (ts_series_axis_t)axis;
    s->origin = head.origin;
    s->interval = head.interval;
    s->span = head.span;
    s->n_merges = head.n_merges;
    s->n_points = (size_t)points;
    s->is_finished = true;
    for (size_t i = 0; i < res->n_tiers; i++)
        s->capacity[i] = res->tiers[i].capacity;
    return 0;
}

static int h5r_series(h5r_t *r, hid_t run, ts_result_t *res)
{
    hid_t g = h5r_group(r, run, "series", "series");
    if (g < 0)
        return TS_EFORMAT;
    ts_series_t *s = NULL;
    int rc = h5r_series_head(r, g, res, &s);
    const ts__h5_table_t *tt = s && s->axis == TS_AXIS_REQUESTS ? &ts__h5_series_req
                                                                 : &ts__h5_series_time;
    ts__h5_series_row_t *rows = NULL;
    if (rc == 0 && !(rows = ts_calloc(s->n_points ? s->n_points : 1, sizeof(*rows))))
        rc = h5r_oom(r, "series/tiers");
    hid_t tiers = rc ? -1 : h5r_group(r, g, "series/tiers", "tiers");
    if (rc == 0 && tiers < 0)
        rc = TS_EFORMAT;
    for (uint32_t i = 0; rc == 0 && i < s->n_tiers; i++)
        rc = h5r_series_tier(r, tiers, tt, s, res, i, rows);
    if (tiers >= 0)
        H5Gclose(tiers);
    ts_free(rows);
    if (rc == 0)
        rc = h5r_series_total(r, g,
                              s->axis == TS_AXIS_REQUESTS ? &ts__h5_total_req : &ts__h5_total_time,
                              s);
    if (rc == 0 && s->n_res)
        rc = h5r_series_busy(r, g, s);
    H5Gclose(g);
    if (rc)
        ts_series_destroy(s);
    else
        res->series = s;
    return rc;
}

static int h5r_cost(h5r_t *r, hid_t run, ts_result_t *res)
{
    hid_t g = h5r_group(r, run, "cost", "cost");
    if (g < 0)
        return TS_EFORMAT;
    ts_cost_result_t *k = &res->cost;
    size_t from = 0;
    int rc = h5r_attrs(r, g, "cost", &ts__h5_cost_attrs, k);
    if (rc == 0)
        rc = h5r_attr_choice(r, g, "cost", "gpus_from", ts__h5_gpus_from, 4, &from);
    k->gpus_from = ts__h5_gpus_from[from];
    if (rc == 0 && (k->period_from < 0 || k->period_from >= TS_COST_PERIOD_COUNT_))
        rc = h5r_bad(r, "cost", "has an unknown period_from %d", (int)k->period_from);
    if (rc == 0)
        rc = h5r_table_sized(r, g, "cost/levels", "levels", &ts__h5_cost_levels,
                             TS_MAX_TIERS + 1, (void **)&k->level, &k->n_levels);
    H5Gclose(g);
    res->has_cost = rc == 0;
    return rc;
}

static int h5r_run(h5r_t *r, hid_t run, ts_result_t *res)
{
    size_t engine = 0, mode = 0, n = 0;
    int rc = h5r_attrs(r, run, "", &ts__h5_run_attrs, res);
    if (rc == 0)
        rc = h5r_attr_choice(r, run, "", "engine", ts__h5_engine_names, TS__H5_ENGINES,
                             &engine);
    static const char *const k_modes[] = {"objects", "bytes"};
    if (rc == 0)
        rc = h5r_attr_choice(r, run, "", "mode", k_modes, 2, &mode);
    res->engine = ts__h5_engine_names[engine];
    res->mode = (ts_mode_t)mode;
    if (rc == 0)
        rc = h5r_scenario(r, run, res);
    if (rc == 0)
        rc = h5r_tiers(r, run, res);
    if (rc == 0)
        rc = h5r_table(r, run, "totals", "totals", &ts__h5_totals, &res->totals, 1, &n);
    if (rc == 0 && n != 1)
        rc = h5r_bad(r, "totals", "has %zu rows, expected 1", n);
    if (rc == 0)
        rc = h5r_hierarchy(r, run, res);
    res->has_live = rc == 0 && H5Lexists(run, "live", H5P_DEFAULT) > 0;
    if (rc == 0 && res->has_live)
        rc = h5r_live(r, run, res);
    res->has_timed = rc == 0 && H5Lexists(run, "timed", H5P_DEFAULT) > 0;
    if (rc == 0 && res->has_timed)
        rc = h5r_timed(r, run, "timed", "timed", res, &res->timed);
    if (rc == 0 && H5Lexists(run, "series", H5P_DEFAULT) > 0)
        rc = h5r_series(r, run, res);
    if (rc == 0 && H5Lexists(run, "cost", H5P_DEFAULT) > 0)
        rc = h5r_cost(r, run, res);
    return rc;
}

int ts_result_h5_read(ts_result_h5_t *f, size_t i, ts_result_t *res, ts_err_t *err)
{
    memset(res, 0, sizeof(*res));
    if (!f)
        return ts_err_set(err, TS_EINVAL, "read results: no file");
    if (i >= f->n_runs)
        return ts_err_set(err, TS_ERANGE, "'%s' has %llu runs: there is no run %zu", f->path,
                          (unsigned long long)f->n_runs, i);
    h5r_t r = {.path = f->path, .err = err};
    snprintf(r.run, sizeof(r.run), "/runs/%04zu", i);
    const char *name = r.run + 1;
    hid_t run = H5Lexists(f->file, "runs", H5P_DEFAULT) > 0 &&
                        H5Lexists(f->file, name, H5P_DEFAULT) > 0
                    ? H5Gopen2(f->file, name, H5P_DEFAULT)
                    : -1;
    int rc = run < 0 ? h5r_bad(&r, "", "no such group") : h5r_run(&r, run, res);
    if (run >= 0)
        H5Gclose(run);
    if (rc)
        ts_result_release(res);
    else
        res->lacks = r.lacks;
    return rc;
}

/* Opens path, or the image (size bytes) named path, and checks its root. */
static int h5r_open(const char *path, const void *image, size_t size, ts_result_h5_t **out,
                    ts_err_t *err)
{
    *out = NULL;
    ts__h5_quiet();
    ts_result_h5_t *f = ts_calloc(1, sizeof(*f));
    if (!f || !(f->path = ts_strdup(path))) {
        ts_free(f);
        return ts_err_set(err, TS_ENOMEM, "cannot open results file '%s': out of memory",
                          path);
    }
    hid_t fapl = image ? H5Pcreate(H5P_FILE_ACCESS) : H5P_DEFAULT;
    if (image && (fapl < 0 || H5Pset_fapl_core(fapl, 64 * 1024, 0) < 0 ||
                  H5Pset_file_image(fapl, (void *)image, size) < 0))
        f->file = -1;
    else
        f->file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (image && fapl >= 0)
        H5Pclose(fapl);
    h5r_t r = {.path = path, .err = err};
    char format[64] = "";
    uint32_t schema = 0;
    int rc = 0;
    if (f->file < 0)
        rc = ts_err_set(err, TS_EFORMAT, "'%s' is not an HDF5 file", path);
    else if (H5Aexists(f->file, "format") <= 0 ||
             h5r_attr_str(&r, f->file, "", "format", format, sizeof(format)) != 0 ||
             strcmp(format, TS__H5_FORMAT) != 0)
        rc = ts_err_set(err, TS_EFORMAT,
                        "'%s' is not a tiersim results file (its root has no attribute "
                        "format = \"%s\")",
                        path, TS__H5_FORMAT);
    else if ((rc = h5r_attr(&r, f->file, "", "schema", H5T_NATIVE_UINT32, &schema)) == 0 &&
             schema > TS__H5_SCHEMA)
        rc = ts_err_set(err, TS_EUNSUPPORTED,
                        "'%s' was written with results schema %u; this tiersim reads schema %u "
                        "and older",
                        path, schema, TS__H5_SCHEMA);
    if (rc == 0)
        rc = h5r_attr(&r, f->file, "", "runs", H5T_NATIVE_UINT64, &f->n_runs);
    if (rc) {
        ts_result_h5_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

int ts_result_h5_open(const char *path, ts_result_h5_t **out, ts_err_t *err)
{
    *out = NULL;
    if (access(path, R_OK) != 0) {
        int e = errno;
        return ts_err_sys(err, e == ENOENT ? TS_ENOENT : TS_EIO, e,
                          "cannot open results file '%s'", path);
    }
    return h5r_open(path, NULL, 0, out, err);
}

int ts_result_h5_open_image(const void *image, size_t size, const char *name,
                            ts_result_h5_t **out, ts_err_t *err)
{
    return h5r_open(name, image, size, out, err);
}

size_t ts_result_h5_runs(const ts_result_h5_t *f)
{
    return f ? (size_t)f->n_runs : 0;
}

void ts_result_h5_close(ts_result_h5_t *f)
{
    if (!f)
        return;
    if (f->file >= 0)
        H5Fclose(f->file);
    ts_free(f->path);
    ts_free(f);
}
