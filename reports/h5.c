/* SPDX-License-Identifier: MIT */
/*
 * h5.c - writes the HDF5 results file (layout: h5.h, docs/results-hdf5.md; column tables:
 * h5_layout.c).
 *
 * One group per run under /runs; inside it small contiguous datasets (tables of a few rows,
 * histograms of their non-empty buckets, series of at most outputs.points rows), so a run
 * costs a few hundred KiB at most and no compression is needed. Objects are created without
 * time stamps, so the same results give a byte-identical file. The file is built in memory
 * (see ts__report_h5_image for why), then written through "<path>.tmp.XXXXXX" and renamed
 * into place (traces/io.c's atomic file), or, inside an output directory, through
 * reports/files.c's temporary file.
 */
#include "h5.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../sim/util/mem.h"
#include "../sim/util/io.h"
#include "h5_internal.h"
#include "report.h"

#define H5W_WHAT "results file"

/* Bytes of the writer's own type-conversion buffers. Only the variable-length strings are
 * converted (tables go as packed rows in the file's own type): 16 bytes an element. */
#define H5W_CONV_BYTES (16 * 1024)

typedef struct h5w {
    ts_err_t *err;
    int rc;           /* the first error */
    hid_t gcpl, dcpl; /* group and dataset creation: no time stamps */
    hid_t dxpl;       /* transfer: conversions use tconv and bkg, not buffers of HDF5's */
    void *tconv, *bkg; /* H5W_CONV_BYTES each, for the whole file: HDF5 would allocate and
                        * zero 1 MiB for each for every dataset it converts */
    char run[32];     /* "/runs/0000": messages name objects below it */
} h5w_t;

/* Records the first failure: "cannot <what>". Built in memory, the file can fail only for
 * want of memory inside HDF5 or a value HDF5 refuses. */
static int h5w_fail_what(h5w_t *w, const char *what)
{
    if (!w->rc)
        w->rc = ts_err_set(w->err, TS_EIO, "cannot %s (HDF5 error)", what);
    return w->rc;
}

/* The same naming the object being written: rel below the run group ("" for the group or
 * the root itself). */
static int h5w_fail(h5w_t *w, const char *rel)
{
    char what[200];
    snprintf(what, sizeof(what), "write %s%s%s", w->run[0] || rel[0] ? w->run : "/",
             rel[0] ? "/" : "", rel);
    return h5w_fail_what(w, what);
}

static int h5w_oom(h5w_t *w, const char *rel)
{
    if (!w->rc)
        w->rc = ts_err_set(w->err, TS_ENOMEM, "out of memory writing %s/%s", w->run, rel);
    return w->rc;
}

/* ---- attributes ---- */

static int h5w_attr(h5w_t *w, hid_t obj, const char *rel, const char *name, hid_t ftype,
                    hid_t mtype, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = space >= 0 && ftype >= 0 && mtype >= 0
                  ? H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT)
                  : -1;
    herr_t st = a >= 0 ? H5Awrite(a, mtype, value) : -1;
    if (a >= 0 && H5Aclose(a) < 0)
        st = -1;
    if (space >= 0)
        H5Sclose(space);
    return st < 0 ? h5w_fail(w, rel) : 0;
}

/* A variable-length UTF-8 string attribute (h5py reads it as str). */
static int h5w_attr_str(h5w_t *w, hid_t obj, const char *rel, const char *name, const char *v)
{
    hid_t t = ts__h5_str_type(0);
    int rc = h5w_attr(w, obj, rel, name, t, t, &v);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

static int h5w_attr_u64(h5w_t *w, hid_t obj, const char *rel, const char *name, uint64_t v)
{
    return h5w_attr(w, obj, rel, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

/* One attribute per entry of t, read from the struct at base. */
static int h5w_attrs(h5w_t *w, hid_t obj, const char *rel, const ts__h5_table_t *t,
                     const void *base)
{
    for (size_t i = 0; i < t->n && !w->rc; i++) {
        const ts__h5_field_t *f = &t->f[i];
        const char *p = (const char *)base + f->offset;
        if (f->kind == TS__H5_STR || f->kind == TS__H5_PSTR) {
            char s[1024];
            snprintf(s, sizeof(s), "%.*s", (int)f->size,
                     f->kind == TS__H5_STR ? p : ts_str(*(char *const *)p));
            h5w_attr_str(w, obj, rel, f->name, s);
            continue;
        }
        hid_t ft = ts__h5_scalar_type(f, true), mt = ts__h5_scalar_type(f, false);
        h5w_attr(w, obj, rel, f->name, ft, mt, p);
        if (ft >= 0)
            H5Tclose(ft);
        if (mt >= 0)
            H5Tclose(mt);
    }
    return w->rc;
}

/* ---- datasets ---- */

static hid_t h5w_group(h5w_t *w, hid_t loc, const char *rel, const char *name)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, w->gcpl, H5P_DEFAULT);
    if (g < 0)
        h5w_fail(w, rel);
    return g;
}

/* A dataset of `type` and `space` at loc/name written from buf; its id goes to *out when
 * out is not NULL (the caller closes it), else it is closed. */
static int h5w_dataset(h5w_t *w, hid_t loc, const char *rel, const char *name, hid_t ftype,
                       hid_t mtype, hid_t space, const void *buf, hid_t *out)
{
    static const uint64_t none; /* HDF5 wants a buffer even for an empty dataset */
    if (!buf)
        buf = &none;
    hid_t d = ftype >= 0 && mtype >= 0 && space >= 0
                  ? H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, w->dcpl, H5P_DEFAULT)
                  : -1;
    herr_t st = d >= 0 ? H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, w->dxpl, buf) : -1;
    if (st >= 0 && out) {
        *out = d;
        return 0;
    }
    if (d >= 0 && H5Dclose(d) < 0)
        st = -1;
    return st < 0 ? h5w_fail(w, rel) : 0;
}

/* n rows of table t, read from the structs at base, as a 1-D compound dataset. The rows go
 * as packed rows (copied into them unless the struct is laid out so): the memory type is
 * then the file's, so HDF5 converts nothing and needs no conversion buffers (it zeroes a
 * 1 MiB background buffer for every dataset it converts, which for a sweep of 10,000 runs
 * was most of the writing time). */
static int h5w_table(h5w_t *w, hid_t loc, const char *rel, const char *name,
                     const ts__h5_table_t *t, const void *base, size_t n, hid_t *out)
{
    hsize_t dims = n;
    void *packed = NULL;
    if (!ts__h5_is_packed(t) && n) {
        if (!(packed = ts_malloc(n * ts__h5_packed_size(t))))
            return h5w_oom(w, rel);
        ts__h5_pack(t, base, n, packed);
        base = packed;
    }
    hid_t ft = ts__h5_compound(t, true);
    hid_t mt = ts__h5_packed_type(t);
    hid_t space = H5Screate_simple(1, &dims, NULL);
    int rc = h5w_dataset(w, loc, rel, name, ft, mt, space, base, out);
    if (space >= 0)
        H5Sclose(space);
    if (ft >= 0)
        H5Tclose(ft);
    if (mt >= 0)
        H5Tclose(mt);
    ts_free(packed);
    return rc;
}

/* n variable-length UTF-8 strings as a 1-D dataset, or one as a scalar (n = 0). */
static int h5w_strings(h5w_t *w, hid_t loc, const char *rel, const char *name,
                       const char *const *v, size_t n, bool is_scalar)
{
    hsize_t dims = n;
    hid_t t = ts__h5_str_type(0);
    hid_t space = is_scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, NULL);
    int rc = h5w_dataset(w, loc, rel, name, t, t, space, v, NULL);
    if (space >= 0)
        H5Sclose(space);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

/* ---- the parts of a run ---- */

static int h5w_scenario(h5w_t *w, hid_t run, const ts_result_t *res)
{
    hid_t g = h5w_group(w, run, "scenario", "scenario");
    if (g < 0)
        return w->rc;
    const char *yaml = res->scenario_yaml ? res->scenario_yaml : "";
    h5w_strings(w, g, "scenario/yaml", "yaml", &yaml, 1, true);
    if (!w->rc)
        h5w_strings(w, g, "scenario/overrides", "overrides", (const char *const *)res->overrides,
                    res->n_overrides, false);
    if (!w->rc)
        h5w_attr_str(w, g, "scenario", "source", ts_str(res->scenario));
    H5Gclose(g);
    return w->rc;
}

static int h5w_tiers(h5w_t *w, hid_t run, const ts_result_t *res)
{
    ts_tier_result_t shown[TS_MAX_TIERS]; /* what the other writers print for no filter */
    char always[] = "always";
    for (size_t i = 0; i < res->n_tiers && i < TS_MAX_TIERS; i++) {
        shown[i] = res->tiers[i];
        if (!ts_str(shown[i].admit)[0])
            shown[i].admit = always;
    }
    hid_t d = -1;
    if (h5w_table(w, run, "tiers", "tiers", &ts__h5_tiers, shown, res->n_tiers, &d))
        return w->rc;
    h5w_attr_str(w, d, "tiers", "capacity_unit", ts_mode_name(res->mode));
    if (H5Dclose(d) < 0)
        h5w_fail(w, "tiers");
    return w->rc;
}

static int h5w_hierarchy(h5w_t *w, hid_t run, const ts_result_t *res)
{
    const ts_hier_result_t *h = &res->hier;
    hid_t g = h5w_group(w, run, "hierarchy", "hierarchy");
    if (g < 0)
        return w->rc;
    const char *rules[][2] = {{"inclusion", h->inclusion ? h->inclusion : "non_inclusive"},
                              {"promote", h->promote ? h->promote : "top"},
                              {"demote", h->demote ? h->demote : "drop"},
                              {"write", h->write ? h->write : "through"}};
    for (size_t i = 0; i < 4 && !w->rc; i++)
        h5w_attr_str(w, g, "hierarchy", rules[i][0], rules[i][1]);
    ts_hier_result_t shown = *h; /* what the other writers print for "none" */
    char none[] = "none";
    if (!ts_str(shown.prefetch)[0])
        shown.prefetch = none;
    h5w_attrs(w, g, "hierarchy", &ts__h5_hier_attrs, &shown);
    if (!w->rc)
        h5w_table(w, g, "hierarchy/counters", "counters", &ts__h5_hier_counters, &h->st, 1,
                  NULL);
    ts__h5_link_row_t rows[TS_MAX_TIERS];
    memset(rows, 0, sizeof(rows)); /* string columns are stored with their whole buffer */
    for (size_t i = 0; i < res->n_tiers; i++) {
        snprintf(rows[i].upper, sizeof(rows[i].upper), "%s", ts_str(res->tiers[i].name));
        snprintf(rows[i].lower, sizeof(rows[i].lower), "%s",
                 i + 1 < res->n_tiers ? ts_str(res->tiers[i + 1].name) : "backing");
        rows[i].st = h->link[i];
    }
    if (!w->rc)
        h5w_table(w, g, "hierarchy/links", "links", &ts__h5_links, rows, res->n_tiers, NULL);
    H5Gclose(g);
    return w->rc;
}

/* A level's name: the tier's, or "backing" past the tiers. */
static const char *h5w_level(const ts_result_t *res, size_t l)
{
    return l < res->n_tiers ? ts_str(res->tiers[l].name) : "backing";
}

/* The latency rows of t: all, get, put, ttft, then gets by the level that served them. */
static size_t h5w_lat_rows(const ts_result_t *res, const ts_timed_result_t *t,
                           ts__h5_lat_row_t *rows)
{
    const char *names[] = {"all", "get", "put", "ttft"};
    const ts_lat_t *lats[] = {&t->all, &t->op[0], &t->op[1], &t->ttft};
    size_t n = 0;
    for (; n < 4; n++) {
        rows[n] = (ts__h5_lat_row_t){.level = -1, .lat = *lats[n]};
        snprintf(rows[n].name, sizeof(rows[n].name), "%s", names[n]);
    }
    for (size_t l = 0; l <= res->n_tiers && l < t->n_levels; l++, n++) {
        rows[n] = (ts__h5_lat_row_t){.level = (int32_t)l, .lat = t->served[l]};
        snprintf(rows[n].name, sizeof(rows[n].name), "get@%s", h5w_level(res, l));
    }
    return n;
}

/* <g>/latency (the summaries of rows[0..n)) and <g>/hist/<name> (each one's histogram);
 * base names g in messages ("timed"). */
static int h5w_lat_hist(h5w_t *w, hid_t g, const char *base, const ts__h5_lat_row_t *rows,
                        size_t n)
{
    char rel[TS__H5_NAME + 48];
    snprintf(rel, sizeof(rel), "%s/latency", base);
    h5w_table(w, g, rel, "latency", &ts__h5_latency, rows, n, NULL);
    snprintf(rel, sizeof(rel), "%s/hist", base);
    hid_t hist = w->rc ? -1 : h5w_group(w, g, rel, "hist");
    for (size_t i = 0; hist >= 0 && i < n && !w->rc; i++) {
        char name[TS__H5_NAME];
        ts__h5_link_name(rows[i].name, name, sizeof(name));
        snprintf(rel, sizeof(rel), "%s/hist/%s", base, name);
        h5w_table(w, hist, rel, name, &ts__h5_buckets, rows[i].lat.buckets,
                  rows[i].lat.n_buckets, NULL);
    }
    if (hist >= 0)
        H5Gclose(hist);
    return w->rc;
}

/* The group loc/name (base in messages: "timed", "live/measured") holding t: its
 * attributes, latency summaries and histograms, resources. */
static int h5w_timed(h5w_t *w, hid_t loc, const char *base, const char *name,
                     const ts_result_t *res, const ts_timed_result_t *t)
{
    hid_t g = h5w_group(w, loc, base, name);
    if (g < 0)
        return w->rc;
    h5w_attr_str(w, g, base, "arrivals",
                 (unsigned)t->arrivals < TS_ARRIVALS_COUNT_ ? ts_arrivals_names[t->arrivals]
                                                            : "open");
    h5w_attrs(w, g, base, &ts__h5_timed_attrs, t);
    ts__h5_lat_row_t rows[4 + TS_TIMED_LEVELS];
    size_t n = h5w_lat_rows(res, t, rows);
    char rel[64];
    snprintf(rel, sizeof(rel), "%s/resources", base);
    if (!w->rc)
        h5w_table(w, g, rel, "resources", &ts__h5_resources, t->res, t->n_res, NULL);
    if (!w->rc)
        h5w_lat_hist(w, g, base, rows, n);
    H5Gclose(g);
    return w->rc;
}

/* /runs/NNNN/live: how the live run went (attributes), what it measured (measured/, laid
 * out as timed/, which holds the prediction), each figure beside its prediction (compare),
 * each level's back-end (backends; its reads' and writes' latency in latency and hist/). */
static int h5w_live(h5w_t *w, hid_t run, const ts_result_t *res)
{
    const ts_live_result_t *lr = &res->live;
    hid_t g = h5w_group(w, run, "live", "live");
    if (g < 0)
        return w->rc;
    h5w_attrs(w, g, "live", &ts__h5_live_attrs, lr);
    if (!w->rc)
        h5w_timed(w, g, "live/measured", "measured", res, &lr->m);
    ts_live_fig_t figs[TS_LIVE_FIGS];
    ts__h5_compare_row_t cmp[TS_LIVE_FIGS];
    size_t nf = ts_report_live_figures(res, figs);
    memset(cmp, 0, sizeof(cmp)); /* string columns are stored with their whole buffer */
    for (size_t i = 0; i < nf; i++) {
        snprintf(cmp[i].figure, sizeof(cmp[i].figure), "%.*s", (int)sizeof(cmp[i].figure) - 1,
                 figs[i].key);
        snprintf(cmp[i].unit, sizeof(cmp[i].unit), "%s", ts_report_live_unit_name(figs[i].unit));
        cmp[i].measured = figs[i].measured;
        cmp[i].predicted = figs[i].has_predicted ? figs[i].predicted : NAN;
        cmp[i].error_pct = ts_report_live_error_pct(&figs[i]);
    }
    if (!w->rc)
        h5w_table(w, g, "live/compare", "compare", &ts__h5_compare, cmp, nf, NULL);
    size_t nl = lr->n_levels < TS_TIMED_LEVELS ? lr->n_levels : TS_TIMED_LEVELS;
    ts__h5_backend_row_t be[TS_TIMED_LEVELS];
    ts__h5_lat_row_t rows[2 * TS_TIMED_LEVELS];
    memset(be, 0, sizeof(be));
    for (size_t l = 0; l < nl; l++) {
        const ts_live_level_t *d = &lr->level[l];
        snprintf(be[l].level, sizeof(be[l].level), "%s", h5w_level(res, l));
        be[l].d = *d;
        be[l].iops = ts_report_live_iops(d, lr->m.span_ns);
        be[l].bytes_per_s = ts_report_live_bytes_per_s(d, lr->m.span_ns);
        for (size_t k = 0; k < 2; k++) {
            ts__h5_lat_row_t *x = &rows[2 * l + k];
            *x = (ts__h5_lat_row_t){.level = (int32_t)l, .lat = k ? d->write : d->read};
            snprintf(x->name, sizeof(x->name), "%s@%.*s", k ? "write" : "read",
                     (int)sizeof(x->name) - 7, be[l].level);
        }
    }
    if (!w->rc)
        h5w_table(w, g, "live/backends", "backends", &ts__h5_backends, be, nl, NULL);
    if (!w->rc)
        h5w_lat_hist(w, g, "live", rows, 2 * nl);
    H5Gclose(g);
    return w->rc;
}

/* hits / requests, NaN for an interval without requests (a gap in a plot). */
static double h5w_ratio(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : NAN;
}

static int h5w_series_tier(h5w_t *w, hid_t g, const ts_series_t *s, const ts_result_t *res,
                           uint32_t tier, ts__h5_series_row_t *rows)
{
    for (size_t i = 0; i < s->n_points; i++) {
        ts__h5_series_row_t *r = &rows[i];
        size_t c = ts_series_tier_col(tier, 0);
        r->t = ts_series_start(s, i);
        r->dt = ts_series_width(s, i);
        r->requests = ts_series_get(s, i, c + TS_SCOL_REQUESTS);
        r->hits = ts_series_get(s, i, c + TS_SCOL_HITS);
        r->hit_ratio = h5w_ratio(r->hits, r->requests);
        r->bytes_hit = ts_series_get(s, i, c + TS_SCOL_BYTES_HIT);
        r->bytes_in = ts_series_get(s, i, c + TS_SCOL_BYTES_IN);
        r->bytes_out = ts_series_get(s, i, c + TS_SCOL_BYTES_OUT);
        r->used = ts_series_get(s, i, c + TS_SCOL_USED);
        r->occupancy = h5w_ratio(r->used, s->capacity[tier]);
    }
    char name[TS__H5_NAME], rel[TS__H5_NAME + 16];
    ts__h5_link_name(res->tiers[tier].name, name, sizeof(name));
    snprintf(rel, sizeof(rel), "series/tiers/%s", name);
    const ts__h5_table_t *t = s->axis == TS_AXIS_REQUESTS ? &ts__h5_series_req : &ts__h5_series_time;
    return h5w_table(w, g, rel, name, t, rows, s->n_points, NULL);
}

static int h5w_series_total(h5w_t *w, hid_t g, const ts_series_t *s)
{
    ts__h5_total_row_t *rows = ts_calloc(s->n_points ? s->n_points : 1, sizeof(*rows));
    if (!rows)
        return h5w_oom(w, "series/total");
    for (size_t i = 0; i < s->n_points; i++) {
        ts__h5_total_row_t *r = &rows[i];
        r->t = ts_series_start(s, i);
        r->dt = ts_series_width(s, i);
        r->requests = ts_series_get(s, i, ts_series_total_col(s, TS_STOT_REQUESTS));
        r->hits = ts_series_get(s, i, ts_series_total_col(s, TS_STOT_HITS));
        r->hit_ratio = h5w_ratio(r->hits, r->requests);
        r->bytes_requested = ts_series_get(s, i, ts_series_total_col(s, TS_STOT_BYTES_REQ));
        r->bytes_hit = ts_series_get(s, i, ts_series_total_col(s, TS_STOT_BYTES_HIT));
        r->backing_requests = ts_series_get(s, i, ts_series_total_col(s, TS_STOT_BACKING));
        r->backing_bytes = ts_series_get(s, i, ts_series_total_col(s, TS_STOT_BACKING_BYTES));
    }
    const ts__h5_table_t *t = s->axis == TS_AXIS_REQUESTS ? &ts__h5_total_req : &ts__h5_total_time;
    h5w_table(w, g, "series/total", "total", t, rows, s->n_points, NULL);
    ts_free(rows);
    return w->rc;
}

/* The resources' busy time per interval ([points][resources], the raw counter) and their
 * utilisation (busy / (channels x width); those that share a bandwidth: busy / width). */
static int h5w_series_busy(h5w_t *w, hid_t g, const ts_series_t *s, const ts_result_t *res)
{
    size_t n = s->n_points * s->n_res;
    uint64_t *busy = ts_calloc(n ? n : 1, sizeof(*busy));
    double *util = ts_calloc(n ? n : 1, sizeof(*util));
    if (!busy || !util) {
        ts_free(busy);
        ts_free(util);
        return h5w_oom(w, "series/busy_ns");
    }
    for (size_t i = 0; i < s->n_points; i++)
        for (uint32_t j = 0; j < s->n_res; j++) {
            uint64_t b = ts_series_get(s, i, ts_series_res_col(s, j));
            const ts_res_result_t *rr = j < res->timed.n_res ? &res->timed.res[j] : NULL;
            uint64_t ch = rr && rr->channels && !rr->is_bw_util ? rr->channels : 1;
            busy[i * s->n_res + j] = b;
            util[i * s->n_res + j] = h5w_ratio(b, ch * ts_series_width(s, i));
        }
    hsize_t dims[2] = {s->n_points, s->n_res};
    hid_t space = H5Screate_simple(2, dims, NULL);
    h5w_dataset(w, g, "series/busy_ns", "busy_ns", H5T_STD_U64LE, H5T_NATIVE_UINT64, space,
                busy, NULL);
    if (!w->rc)
        h5w_dataset(w, g, "series/utilisation", "utilisation", H5T_IEEE_F64LE,
                    H5T_NATIVE_DOUBLE, space, util, NULL);
    if (space >= 0)
        H5Sclose(space);
    ts_free(busy);
    ts_free(util);
    return w->rc;
}

static int h5w_series(h5w_t *w, hid_t run, const ts_result_t *res)
{
    const ts_series_t *s = res->series;
    hid_t g = h5w_group(w, run, "series", "series");
    if (g < 0)
        return w->rc;
    h5w_attr_str(w, g, "series", "axis", ts_series_axis_names[s->axis]);
    h5w_attr_u64(w, g, "series", "points", s->n_points);
    h5w_attrs(w, g, "series", &ts__h5_series_attrs, s);
    ts__h5_series_row_t *rows = ts_calloc(s->n_points ? s->n_points : 1, sizeof(*rows));
    hid_t tiers = w->rc ? -1 : h5w_group(w, g, "series/tiers", "tiers");
    if (!rows && !w->rc)
        h5w_oom(w, "series/tiers");
    for (uint32_t i = 0; tiers >= 0 && i < s->n_tiers && i < res->n_tiers && !w->rc; i++)
        h5w_series_tier(w, tiers, s, res, i, rows);
    ts_free(rows);
    if (tiers >= 0)
        H5Gclose(tiers);
    if (!w->rc)
        h5w_series_total(w, g, s);
    if (!w->rc && s->n_res)
        h5w_series_busy(w, g, s, res);
    H5Gclose(g);
    return w->rc;
}

/* /runs/NNNN/cost: the bill (sim/cost.h) as attributes, and its capacity line per level as
 * a table. A run without a bill has no cost group. */
static int h5w_cost(h5w_t *w, hid_t run, const ts_result_t *res)
{
    if (!res->has_cost)
        return w->rc;
    const ts_cost_result_t *k = &res->cost;
    hid_t g = h5w_group(w, run, "cost", "cost");
    if (g < 0)
        return w->rc;
    h5w_attr_str(w, g, "cost", "period_from_name",
                 k->period_from >= 0 && k->period_from < TS_COST_PERIOD_COUNT_
                     ? ts_cost_period_names[k->period_from]
                     : "?");
    h5w_attr_str(w, g, "cost", "gpus_from", k->gpus_from ? k->gpus_from : "none");
    h5w_attrs(w, g, "cost", &ts__h5_cost_attrs, k);
    if (!w->rc)
        h5w_table(w, g, "cost/levels", "levels", &ts__h5_cost_levels, k->level, k->n_levels,
                  NULL);
    H5Gclose(g);
    return w->rc;
}

static int h5w_run(h5w_t *w, hid_t runs, size_t i, const ts_result_t *res)
{
    char name[24];
    snprintf(name, sizeof(name), "%04zu", i);
    snprintf(w->run, sizeof(w->run), "/runs/%s", name);
    hid_t run = H5Gcreate2(runs, name, H5P_DEFAULT, w->gcpl, H5P_DEFAULT);
    if (run < 0)
        return h5w_fail(w, "");
    h5w_attr_u64(w, run, "", "index", i);
    h5w_attr_str(w, run, "", "engine", res->engine ? res->engine : "fast");
    h5w_attr_str(w, run, "", "mode", ts_mode_name(res->mode));
    h5w_attrs(w, run, "", &ts__h5_run_attrs, res);
    if (!w->rc)
        h5w_scenario(w, run, res);
    if (!w->rc)
        h5w_tiers(w, run, res);
    if (!w->rc)
        h5w_table(w, run, "totals", "totals", &ts__h5_totals, &res->totals, 1, NULL);
    if (!w->rc)
        h5w_hierarchy(w, run, res);
    if (!w->rc && res->has_live)
        h5w_live(w, run, res);
    if (!w->rc && res->has_timed)
        h5w_timed(w, run, "timed", "timed", res, &res->timed);
    if (!w->rc && res->series)
        h5w_series(w, run, res);
    if (!w->rc)
        h5w_cost(w, run, res);
    if (H5Gclose(run) < 0)
        h5w_fail(w, "");
    return w->rc;
}

/* The core driver's memory: HDF5 grows it as the file grows; at the file's close it goes to
 * the caller rather than back to the heap, so the image is not copied (for a 10,000-run
 * sweep the copy was as large as the file). The blocks come from the C library, as HDF5's
 * own would: HDF5 grows the image 64 KiB at a time, which realloc does in place (mremap for
 * large blocks) where ts_realloc's huge blocks would copy the whole image each time; each
 * growth asks for half as much again, for allocators that copy.
 * Given a file (src->fd), an image past H5W_MAP_BYTES (or src->map_bytes) moves into that
 * file, mapped shared
 * and reserved ahead (posix_fallocate, so a full disk is an error here, not a SIGBUS
 * later): the pages are the file's, dropped from the process after each run, so a large
 * sweep's file does not sit in memory. */
#define H5W_MAP_BYTES ((size_t)64 << 20)

typedef struct h5w_image {
    void *mem;      /* the image once the file is closed; the caller's */
    bool is_kept;   /* the file is complete: keep its memory at close */
    int fd;         /* the file to map a large image in; -1: none */
    size_t step;    /* the image moves there past this many bytes, and grows by as many */
    void *map;      /* the mapping, once the image moved there */
    size_t cap;     /* its bytes */
    int sys_errno;  /* why growing the mapping failed; 0: it did not */
} h5w_image_t;

static void *h5w_image_malloc(size_t size, H5FD_file_image_op_t op, void *udata)
{
    (void)op, (void)udata;
    return malloc(size ? size : 1);
}

static void *h5w_image_memcpy(void *dst, const void *src, size_t size, H5FD_file_image_op_t op,
                              void *udata)
{
    (void)op, (void)udata;
    return memcpy(dst, src, size);
}

/* Grows the mapping to hold size bytes (in steps of im->step); NULL with sys_errno set
 * when the file cannot grow. */
static void *h5w_image_map(h5w_image_t *im, void *p, size_t old, size_t size)
{
    size_t cap = (size + im->step - 1) / im->step * im->step;
    int e = posix_fallocate(im->fd, 0, (off_t)cap);
    if (e) {
        im->sys_errno = e;
        return NULL;
    }
    void *m = im->map ? mremap(im->map, im->cap, cap, MREMAP_MAYMOVE)
                      : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED, im->fd, 0);
    if (m == MAP_FAILED) {
        im->sys_errno = errno;
        return NULL;
    }
    if (!im->map) {
        if (old) /* p may be NULL when nothing was held yet */
            memcpy(m, p, old);
        free(p);
    }
    im->map = m;
    im->cap = cap;
    return m;
}

static void *h5w_image_realloc(void *p, size_t size, H5FD_file_image_op_t op, void *udata)
{
    (void)op;
    h5w_image_t *im = udata;
    if (im->map && size <= im->cap)
        return im->map;
    if (im->map) /* p is the mapping: grown in place or moved by mremap */
        return h5w_image_map(im, p, 0, size);
    if (im->fd >= 0 && size > im->step) /* p is malloc's: copied into the mapping */
        return h5w_image_map(im, p, malloc_usable_size(p), size);
    size_t have = p ? malloc_usable_size(p) : 0;
    if (p && size <= have)
        return p;
    /* At least half as much again: where realloc copies rather than remaps (a sanitizer's
     * allocator), 64 KiB steps would copy the whole image each time. */
    size_t want = have && size < have + have / 2 ? have + have / 2 : size;
    return realloc(p, want ? want : 1);
}

static herr_t h5w_image_free(void *p, H5FD_file_image_op_t op, void *udata)
{
    h5w_image_t *im = udata;
    if (op == H5FD_FILE_IMAGE_OP_FILE_CLOSE && im->is_kept && !im->mem)
        im->mem = p;
    else if (p && p == im->map) {
        munmap(im->map, im->cap);
        im->map = NULL;
    } else
        free(p);
    return 0;
}

static void *h5w_image_udata_copy(void *udata)
{
    return udata; /* one h5w_image_t, on the writer's stack, for every copy of the fapl */
}

static herr_t h5w_image_udata_free(void *udata)
{
    (void)udata;
    return 0;
}

/* Writes /runs/i for each run of src: its own, or loaded (and released once written). */
static void h5w_runs(h5w_t *w, hid_t g, const ts__h5_src_t *src, h5w_image_t *im)
{
    for (size_t i = 0; i < src->n && !w->rc; i++) {
        ts_result_t loaded = {0};
        const ts_result_t *r = src->runs ? src->runs[i] : &loaded;
        if (!src->runs && (w->rc = src->load(src->ctx, i, &loaded, w->err)) != 0)
            break;
        h5w_run(w, g, i, r);
        ts_result_release(&loaded);
        if (im->map) /* written: the pages are the file's, not the process's */
            madvise(im->map, im->cap, MADV_DONTNEED);
    }
}

/* The whole file is built in memory (HDF5's core driver with no backing store) and written
 * out by the caller, so HDF5 itself never does I/O: HDF5 1.10 leaves a file whose closing
 * failed (a full disk found while flushing) half torn down, and the library crashes when it
 * terminates at exit. Written from memory, a full disk is an ordinary write error. */
int ts__report_h5_image_src(const ts__h5_src_t *src, void **image, size_t *size, bool *in_fd,
                            ts_err_t *err)
{
    *image = NULL;
    *size = 0;
    *in_fd = false;
    ts__h5_quiet();
    h5w_t w = {.err = err, .gcpl = -1, .dcpl = -1, .dxpl = -1};
    h5w_image_t im = {.fd = src->fd, .step = src->map_bytes ? src->map_bytes : H5W_MAP_BYTES};
    H5FD_file_image_callbacks_t cb = {h5w_image_malloc,     h5w_image_memcpy,
                                      h5w_image_realloc,    h5w_image_free,
                                      h5w_image_udata_copy, h5w_image_udata_free, &im};
    char name[64];
    snprintf(name, sizeof(name), "tiersim-results-%p.h5", (void *)&w);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    w.gcpl = H5Pcreate(H5P_GROUP_CREATE);
    w.dcpl = H5Pcreate(H5P_DATASET_CREATE);
    w.dxpl = H5Pcreate(H5P_DATASET_XFER);
    w.tconv = ts_calloc(1, H5W_CONV_BYTES);
    w.bkg = ts_calloc(1, H5W_CONV_BYTES);
    hid_t file = -1;
    if (fcpl >= 0 && fapl >= 0 && w.gcpl >= 0 && w.dcpl >= 0 && w.dxpl >= 0 && w.tconv &&
        w.bkg && H5Pset_buffer(w.dxpl, H5W_CONV_BYTES, w.tconv, w.bkg) >= 0 &&
        H5Pset_fapl_core(fapl, 64 * 1024, 0) >= 0 && H5Pset_file_image_callbacks(fapl, &cb) >= 0 &&
        H5Pset_obj_track_times(fcpl, 0) >= 0 && H5Pset_obj_track_times(w.gcpl, 0) >= 0 &&
        H5Pset_obj_track_times(w.dcpl, 0) >= 0)
        file = H5Fcreate(name, H5F_ACC_TRUNC, fcpl, fapl);
    if (file < 0) {
        w.rc = ts_err_set(err, TS_ENOMEM, "cannot create a results file in memory");
    } else {
        uint32_t schema = TS__H5_SCHEMA;
        h5w_attr_str(&w, file, "", "format", TS__H5_FORMAT);
        h5w_attr(&w, file, "", "schema", H5T_STD_U32LE, H5T_NATIVE_UINT32, &schema);
        h5w_attr_str(&w, file, "", "tiersim_version", TS_VERSION);
        h5w_attr_u64(&w, file, "", "runs", src->n);
        hid_t g = w.rc ? -1 : h5w_group(&w, file, "", "runs");
        if (g >= 0)
            h5w_runs(&w, g, src, &im);
        if (g >= 0)
            H5Gclose(g);
        w.run[0] = 0;
        ssize_t len = w.rc || H5Fflush(file, H5F_SCOPE_GLOBAL) < 0
                          ? -1
                          : H5Fget_file_image(file, NULL, 0);
        if (!w.rc && len <= 0)
            h5w_fail_what(&w, "build the file image");
        im.is_kept = !w.rc;
        if (H5Fclose(file) < 0 && !w.rc)
            h5w_fail_what(&w, "close the file image");
        if (!w.rc && !im.mem)
            h5w_fail_what(&w, "take the file image");
        if (!w.rc)
            *size = (size_t)len;
    }
    if (im.sys_errno) /* the mapped file could not grow: that, not HDF5's view of it */
        w.rc = ts_err_sys(err, ts_io_code(im.sys_errno), im.sys_errno,
                          "cannot grow the file past %zu bytes", im.cap);
    if (im.map && im.mem == im.map) { /* the file holds the image: cut it to its length */
        munmap(im.map, im.cap);
        im.mem = NULL;
        if (!w.rc && ftruncate(im.fd, (off_t)*size) != 0)
            w.rc = ts_err_sys(err, TS_EIO, errno, "cannot cut the file to %zu bytes", *size);
        *in_fd = w.rc == 0;
    } else if (im.map)
        munmap(im.map, im.cap);
    if (w.rc) {
        free(im.mem);
        im.mem = NULL;
    }
    *image = im.mem;
    H5Pclose(fcpl);
    H5Pclose(fapl);
    H5Pclose(w.gcpl);
    H5Pclose(w.dcpl);
    H5Pclose(w.dxpl);
    ts_free(w.tconv);
    ts_free(w.bkg);
    return w.rc;
}

int ts__report_h5_image(const ts_result_t *const *runs, size_t n, void **image, size_t *size,
                        ts_err_t *err)
{
    const ts__h5_src_t src = {.runs = runs, .n = n, .fd = -1};
    bool in_fd;
    return ts__report_h5_image_src(&src, image, size, &in_fd, err);
}

int ts_report_h5_runs(const ts_result_t *const *runs, size_t n, const char *path, ts_err_t *err)
{
    if (!runs || n == 0 || !path || !path[0])
        return ts_err_set(err, TS_EINVAL, "write results file: no run or no path");
    for (size_t i = 0; i < n; i++)
        if (!runs[i])
            return ts_err_set(err, TS_EINVAL, "write results file: run %zu is missing", i);
    void *image;
    size_t size;
    int rc = ts__report_h5_image(runs, n, &image, &size, err);
    if (rc) {
        ts_err_prefix(err, "'%s'", path);
        return rc;
    }
    ts_afile_t af;
    rc = ts_afile_open(&af, path, H5W_WHAT, err);
    if (rc == 0)
        rc = ts_afile_write(&af, image, size, H5W_WHAT, err);
    if (rc == 0)
        rc = ts_afile_commit(&af, H5W_WHAT, err);
    ts_afile_discard(&af);
    ts_free(image);
    return rc;
}

int ts_report_h5(const ts_result_t *res, const char *path, ts_err_t *err)
{
    return ts_report_h5_runs(&res, 1, path, err);
}

int ts_report_h5_bytes(const ts_result_t *res, void **image, size_t *size, ts_err_t *err)
{
    return ts__report_h5_image(&res, 1, image, size, err);
}
