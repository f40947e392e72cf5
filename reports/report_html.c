/* SPDX-License-Identifier: MIT */
/*
 * report_html.c - `tiersim report`: HDF5 results files to one HTML page (report_html.h).
 *
 * The runs are read whole first (a run is one ts_result_t, its histograms and series), the
 * figures drawn into a working directory as SVG, then the page built and written. Tables
 * take their figures from the result as the text report does; formatting matches it.
 * Cost: one pass over the files; a figure per run and two across runs, each one gnuplot
 * process.
 */
#include "report_html.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/units.h"
#include "../sim/util/fmt.h"
#include "../sim/util/io.h"
#include "h5.h"
#include "html.h"
#include "plot.h"
#include "report.h"
#include "report_html_internal.h"

#define RH_MAX_CATS 32 /* cost categories across runs */

/* ---- figures ---- */

/* Inlines the SVG figure drawn by rc's plot call, or says why it is missing: gnuplot
 * absent or failing is a note on the page, anything else an error. */
static int rh_figure(ts__html_report_t *r, int rc, const char *svg, const char *caption)
{
    if (rc == 0)
        return ts_html_svg_file(r->page, svg, caption, r->err);
    if (rc != TS_EUNSUPPORTED)
        return rc;
    if (!r->n_missing++ && r->warn)
        snprintf(r->warn, r->warn_size, "%s", r->err->msg);
    char note[600];
    snprintf(note, sizeof(note), "Figure left out (%s): gnuplot could not draw it.", caption);
    ts_err_clear(r->err);
    return ts_html_para(r->page, note, r->err);
}

static void rh_path(const ts__html_report_t *r, char *buf, size_t size, const char *name, size_t i)
{
    snprintf(buf, size, "%s/%s-%04zu.svg", r->dir, name, i);
}

static const ts_plot_opts_t *rh_plot_opts(const ts__html_report_t *r, ts_plot_opts_t *o,
                                          const char *title)
{
    *o = (ts_plot_opts_t){.title = title, .gnuplot = r->opts ? r->opts->gnuplot : NULL};
    return o;
}

/* The CDF of one latency summary (n_buckets >= 1): from 0 at the first bucket's lower edge,
 * then at each bucket's upper bound the share at or below it; n_buckets + 1 points. */
static size_t rh_cdf(const ts_lat_t *l, double *x, double *y)
{
    uint64_t sum = 0;
    x[0] = (double)l->buckets[0].lo_ns;
    y[0] = 0;
    for (size_t i = 0; i < l->n_buckets; i++) {
        sum += l->buckets[i].count;
        x[i + 1] = (double)l->buckets[i].hi_ns;
        y[i + 1] = l->n ? (double)sum / (double)l->n : 0;
    }
    return l->n_buckets + 1;
}

/* A figure of latency CDFs, one line per summary lats[i] (named names[i]) that has
 * requests and buckets, drawn into <file>-<k>.svg. */
static int rh_cdf_figure(ts__html_report_t *r, size_t k, const char *file, const char *caption,
                         const ts_lat_t *const *lats, const char *const *names, size_t n_lats)
{
    ts_plot_series_t s[TS_TIMED_LEVELS + 1];
    double *buf[TS_TIMED_LEVELS + 1] = {0};
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < n_lats && n < TS_TIMED_LEVELS + 1; i++) {
        const ts_lat_t *lat = lats[i];
        if (!lat || !lat->n || !lat->n_buckets)
            continue;
        size_t np = lat->n_buckets + 1;
        if (!(buf[n] = ts_malloc(2 * np * sizeof(double)))) {
            rc = ts_err_set(r->err, TS_ENOMEM, "report: cannot build a latency CDF");
            break;
        }
        s[n] = (ts_plot_series_t){names[i], buf[n], buf[n] + np, 0};
        s[n].n = rh_cdf(lat, buf[n], buf[n] + np);
        n++;
    }
    if (rc == 0 && n) {
        char svg[PATH_MAX + 32];
        rh_path(r, svg, sizeof(svg), file, k);
        ts_plot_opts_t o;
        rc = ts_plot_latency_cdf(svg, s, n, rh_plot_opts(r, &o, NULL), r->err);
        rc = rh_figure(r, rc, svg, caption);
    }
    for (size_t i = 0; i < n; i++)
        ts_free(buf[i]);
    return rc;
}

static int rh_latency_figure(ts__html_report_t *r, size_t k)
{
    const ts_result_t *res = r->runs[k].res;
    const ts_timed_result_t *t = &res->timed;
    const ts_lat_t *lats[TS_TIMED_LEVELS + 1];
    const char *names[TS_TIMED_LEVELS + 1];
    char buf[TS_TIMED_LEVELS + 1][96];
    size_t n = 0;
    for (size_t l = 0; l <= t->n_levels && l <= res->n_tiers + 1 && n < TS_TIMED_LEVELS + 1;
         l++, n++) {
        lats[n] = l == 0 ? &t->all : &t->served[l - 1];
        if (l == 0)
            snprintf(buf[n], sizeof(buf[n]), "all requests");
        else
            snprintf(buf[n], sizeof(buf[n]), "gets served by %s",
                     l - 1 < res->n_tiers ? ts_str(res->tiers[l - 1].name) : "backing");
        names[n] = buf[n];
    }
    return rh_cdf_figure(r, k, "latency",
                         "latency CDF: all requests, and gets by the level that served them",
                         lats, names, n);
}

/* A live run: the CDF of every request's latency as measured beside the one the timed
 * engine predicted, from their histograms. */
static int rh_live_figure(ts__html_report_t *r, size_t k)
{
    const ts_result_t *res = r->runs[k].res;
    const ts_lat_t *lats[2] = {&res->live.m.all, res->has_timed ? &res->timed.all : NULL};
    static const char *const names[2] = {"measured", "predicted"};
    return rh_cdf_figure(r, k, "live", "measured vs predicted latency CDF: all requests", lats,
                         names, 2);
}

static int rh_series_figure(ts__html_report_t *r, size_t k)
{
    const ts_result_t *res = r->runs[k].res;
    const ts_series_t *s = res->series;
    if (!s || !s->n_points || s->axis != TS_AXIS_TIME)
        return 0;
    size_t np = s->n_points, nt = s->n_tiers < res->n_tiers ? s->n_tiers : res->n_tiers;
    double *v = ts_malloc((1 + 2 * nt) * np * sizeof(double) + 1);
    if (!v)
        return ts_err_set(r->err, TS_ENOMEM, "report: cannot build the time series");
    ts_plot_series_t hit[TS_MAX_TIERS], occ[TS_MAX_TIERS];
    double *x = v;
    for (size_t i = 0; i < np; i++) /* each interval at its end */
        x[i] = (double)(ts_series_start(s, i) + ts_series_width(s, i));
    for (size_t j = 0; j < nt; j++) {
        double *h = v + (1 + 2 * j) * np, *o = h + np;
        size_t base = j * TS_SCOL_TIER_N, m = 0;
        for (size_t i = 0; i < np; i++) { /* intervals without requests are gaps: left out */
            uint64_t req = ts_series_get(s, i, base + TS_SCOL_REQUESTS);
            if (req)
                h[m++] = (double)ts_series_get(s, i, base + TS_SCOL_HITS) / (double)req;
        }
        double cap = s->capacity[j] ? (double)s->capacity[j] : 1;
        for (size_t i = 0; i < np; i++)
            o[i] = (double)ts_series_get(s, i, base + TS_SCOL_USED) / cap;
        hit[j] = (ts_plot_series_t){ts_str(res->tiers[j].name), NULL, h, m};
        occ[j] = (ts_plot_series_t){ts_str(res->tiers[j].name), x, o, np};
    }
    /* the hit ratios' x: the ends of the intervals that had requests (reuses a column) */
    double *hx = ts_malloc(nt * np * sizeof(double) + 1);
    int rc = hx ? 0 : ts_err_set(r->err, TS_ENOMEM, "report: cannot build the time series");
    for (size_t j = 0; j < nt && rc == 0; j++) {
        size_t base = j * TS_SCOL_TIER_N, m = 0;
        for (size_t i = 0; i < np; i++)
            if (ts_series_get(s, i, base + TS_SCOL_REQUESTS))
                hx[j * np + m++] = x[i];
        hit[j].x = hx + j * np;
    }
    if (rc == 0) {
        char svg[PATH_MAX + 32];
        rh_path(r, svg, sizeof(svg), "series", k);
        ts_plot_opts_t o;
        rc = ts_plot_timeseries(svg, hit, nt, occ, nt, rh_plot_opts(r, &o, NULL), r->err);
        rc = rh_figure(r, rc, svg, "hit ratio per interval and occupancy, on simulated time");
    }
    ts_free(hx);
    ts_free(v);
    return rc;
}

/* ---- tables ---- */

#define RH_CELL 192 /* bytes a table cell holds: a run's label fits */

typedef struct rh_cells {
    char (*c)[RH_CELL];
    const char **p;
    size_t n, cap;
} rh_cells_t;

static char *rh_cell(ts__html_report_t *r, rh_cells_t *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char(*c)[RH_CELL] = ts_realloc(t->c, cap * sizeof(*c));
        if (!c) {
            ts_err_set(r->err, TS_ENOMEM, "report: cannot build a table");
            return NULL;
        }
        t->c = c;
        t->cap = cap;
    }
    t->c[t->n][0] = 0;
    return t->c[t->n++];
}

/* Appends cells given as printf formats, one per argument list entry. */
static int rh_add(ts__html_report_t *r, rh_cells_t *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int rh_add(ts__html_report_t *r, rh_cells_t *t, const char *fmt, ...)
{
    char *c = rh_cell(r, t);
    if (!c)
        return TS_ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c, RH_CELL, fmt, ap);
    va_end(ap);
    return 0;
}

static int rh_emit(ts__html_report_t *r, rh_cells_t *t, const char *caption, size_t ncols,
                   const char *const *head)
{
    const char **p = ts_realloc(t->p, (t->n ? t->n : 1) * sizeof(*p));
    if (!p)
        return ts_err_set(r->err, TS_ENOMEM, "report: cannot build a table");
    t->p = p;
    for (size_t i = 0; i < t->n; i++)
        p[i] = t->c[i];
    int rc = ts_html_table(r->page, caption, ncols, head, t->n / ncols, p, r->err);
    t->n = 0;
    return rc;
}

static const char *rh_units(const ts_result_t *res, uint64_t v, char *buf, size_t size)
{
    return res->mode == TS_MODE_BYTES ? ts_fmt_bytes(v, buf, size) : ts_fmt_count(v, buf, size);
}

static double rh_hit_ratio(const ts_result_t *res)
{
    return res->totals.n_req ? (double)res->totals.n_hit / (double)res->totals.n_req : 0;
}

/* The figures across runs weigh cost against the GPU utilisation when every run is a
 * closed loop, else against the hit ratio. */
static bool rh_by_utilisation(const ts__html_report_t *r)
{
    bool all = true;
    for (size_t k = 0; k < r->n_runs && all; k++)
        all = ts_result_is_closed_loop(r->runs[k].res);
    return all;
}

static double rh_benefit(const ts_result_t *res, bool by_utilisation)
{
    return by_utilisation ? res->timed.utilisation : rh_hit_ratio(res);
}

static const char *rh_benefit_name(bool by_utilisation)
{
    return by_utilisation ? "GPU utilisation" : "hit ratio";
}

static int rh_summary(ts__html_report_t *r, rh_cells_t *t)
{
    static const char *const head[] = {"run", "file", "engine", "requests", "hit ratio",
                                       "accelerator utilisation", "total cost"};
    int rc = ts_html_section(r->page, "summary", "Runs", r->err);
    for (size_t k = 0; k < r->n_runs && rc == 0; k++) {
        const ts_result_t *res = r->runs[k].res;
        char a[TS_FMT_LEN], b[TS_FMT_LEN], c[TS_FMT_LEN];
        bool closed = ts_result_is_closed_loop(res);
        rc = rh_add(r, t, "%s", r->runs[k].label);
        rc =
            rc ? rc
               : rh_add(r, t, "%.40s#%zu", ts__report_html_base(r->runs[k].file), r->runs[k].index);
        rc = rc ? rc : rh_add(r, t, "%s", res->engine ? res->engine : "fast");
        rc = rc ? rc : rh_add(r, t, "%s", ts_fmt_count(res->totals.n_req, a, sizeof(a)));
        rc = rc ? rc : rh_add(r, t, "%s", ts_fmt_pct(rh_hit_ratio(res), b, sizeof(b)));
        char d[TS_FMT_LEN];
        if (closed && res->timed.au_target > 0) /* MLPerf Storage's threshold: pass or FAIL */
            rc = rc ? rc
                    : rh_add(r, t, "%s (%s: %s)", ts_fmt_pct(res->timed.utilisation, c, sizeof(c)),
                             res->timed.utilisation >= res->timed.au_target ? "pass" : "FAIL",
                             ts_fmt_pct(res->timed.au_target, d, sizeof(d)));
        else
            rc = rc ? rc
                    : rh_add(r, t, "%s", closed ? ts_fmt_pct(res->timed.utilisation, c, sizeof(c))
                                                : "-");
        rc = rc ? rc
                : rh_add(r, t, "%s",
                         res->has_cost ? ts_fmt_usd_sig(res->cost.total_usd, d, sizeof(d)) : "-");
    }
    return rc ? rc : rh_emit(r, t, NULL, 7, head);
}

static int rh_tiers(ts__html_report_t *r, rh_cells_t *t, const ts_result_t *res)
{
    static const char *const head[] = {"tier", "policy", "capacity", "requests", "hits",
                                       "miss ratio", "byte miss ratio", "evictions"};
    int rc = 0;
    for (size_t i = 0; i < res->n_tiers && rc == 0; i++) {
        const ts_tier_result_t *x = &res->tiers[i];
        char a[TS_FMT_LEN], b[TS_FMT_LEN], c[TS_FMT_LEN];
        rc = rh_add(r, t, "%s", ts_str(x->name));
        rc = rc ? rc : rh_add(r, t, "%s", ts_str(x->policy));
        rc = rc ? rc : rh_add(r, t, "%s", rh_units(res, x->capacity, a, sizeof(a)));
        rc = rc ? rc : rh_add(r, t, "%llu", (unsigned long long)x->st.n_req);
        rc = rc ? rc : rh_add(r, t, "%llu", (unsigned long long)x->st.n_hit);
        rc = rc ? rc : rh_add(r, t, "%s", ts_fmt_pct(ts_tier_miss_ratio(x), b, sizeof(b)));
        rc = rc ? rc : rh_add(r, t, "%s", ts_fmt_pct(ts_tier_byte_miss_ratio(x), c, sizeof(c)));
        rc = rc ? rc : rh_add(r, t, "%llu", (unsigned long long)x->st.n_evict);
    }
    return rc ? rc : rh_emit(r, t, "tiers", 8, head);
}

static int rh_lat_row(ts__html_report_t *r, rh_cells_t *t, const char *name, const ts_lat_t *l)
{
    if (!l->n)
        return 0;
    char v[6][32];
    int rc = rh_add(r, t, "%s", name);
    rc = rc ? rc : rh_add(r, t, "%llu", (unsigned long long)l->n);
    const uint64_t ns[6] = {(uint64_t)llround(l->mean_ns), l->p50_ns, l->p90_ns, l->p99_ns,
                            l->p999_ns, l->max_ns};
    for (size_t i = 0; i < 6 && rc == 0; i++)
        rc = rh_add(r, t, "%s", ts_format_duration(ns[i], v[i], sizeof(v[i])));
    return rc;
}

static int rh_latency(ts__html_report_t *r, rh_cells_t *t, const ts_result_t *res)
{
    static const char *const head[] = {"requests", "count", "mean", "p50", "p90", "p99",
                                       "p99.9", "max"};
    const ts_timed_result_t *x = &res->timed;
    int rc = rh_lat_row(r, t, "all", &x->all);
    rc = rc ? rc : rh_lat_row(r, t, "get", &x->op[0]);
    rc = rc ? rc : rh_lat_row(r, t, "put", &x->op[1]);
    rc = rc ? rc : rh_lat_row(r, t, ts_timed_group_label(x), &x->ttft);
    for (size_t l = 0; l <= res->n_tiers && l < x->n_levels && rc == 0; l++) {
        char name[96];
        snprintf(name, sizeof(name), "get served by %s",
                 l < res->n_tiers ? ts_str(res->tiers[l].name) : "backing");
        rc = rh_lat_row(r, t, name, &x->served[l]);
    }
    return rc ? rc
              : rh_emit(r, t,
                        res->has_live ? "latency predicted by the timed engine"
                                      : "latency (timed engine)",
                        8, head);
}

/* The timed engine's warnings: each overloaded resource (open loop), and a run cut short;
 * or that the results file did not record them. */
static int rh_overload(ts__html_report_t *r, const ts_result_t *res)
{
    const ts_timed_result_t *x = &res->timed;
    if (res->lacks & TS_LACKS_OVERLOAD)
        return x->arrivals == TS_ARRIVALS_CLOSED
                   ? 0
                   : ts_html_para(r->page, "Overload: " TS_REPORT_NOT_RECORDED ".", r->err);
    char text[700], load[256];
    int rc = 0;
    for (size_t i = 0; i < x->n_res && rc == 0; i++) {
        if (!x->res[i].is_overloaded)
            continue;
        snprintf(text, sizeof(text),
                 "Overloaded: %.*s, %s. Its queue grows without bound, so the latency figures "
                 "depend on the run's length.",
                 TS_RES_NAME, ts_str(x->res[i].name),
                 ts_res_load_text(&x->res[i], load, sizeof(load)));
        rc = ts_html_para(r->page, text, r->err);
    }
    if (rc == 0 && x->partial) {
        snprintf(text, sizeof(text), "Partial: the timed run stopped early (%.*s).",
                 TS_TIMED_STOP, ts_str(x->stop_reason));
        rc = ts_html_para(r->page, text, r->err);
    }
    return rc;
}

/* A live run: how it ran, each figure measured beside predicted with the error, and what
 * each level's back-end did (as the text report's live section). */
static int rh_live(ts__html_report_t *r, rh_cells_t *t, const ts_result_t *res)
{
    const ts_live_result_t *lr = &res->live;
    const ts_timed_result_t *m = &lr->m;
    char text[700], a[TS_FMT_LEN], b[TS_FMT_LEN];
    int rc = 0;
    if (lr->partial) {
        snprintf(text, sizeof(text),
                 "Partial: the live run stopped early (%.300s); what follows covers the "
                 "requests before it.",
                 ts_str(lr->stop_reason));
        rc = ts_html_para(r->page, text, r->err);
    }
    if (rc == 0) {
        char loop[160];
        if (m->arrivals == TS_ARRIVALS_CLOSED)
            snprintf(loop, sizeof(loop), "closed loop, %u clients, think %s", m->clients,
                     ts_format_duration(m->think_ns, a, sizeof(a)));
        else
            snprintf(loop, sizeof(loop), "open loop, trace times x %g / speed %g",
                     m->time_scale, lr->speed);
        snprintf(text, sizeof(text),
                 "Live run on real back-ends (%s): measured over %s, CPU time %.3g s; %llu "
                 "objects (%s) written to the backing store in %.3g s before it; %s.",
                 loop, ts_format_duration(m->span_ns, b, sizeof(b)), lr->cpu_s,
                 (unsigned long long)lr->populate_objects,
                 ts_fmt_bytes(lr->populate_bytes, a, sizeof(a)), lr->populate_s,
                 lr->verify ? "every read verified" : "reads not verified");
        rc = ts_html_para(r->page, text, r->err);
    }
    static const char *const head[] = {"figure", "measured", "predicted", "error"};
    ts_live_fig_t figs[TS_LIVE_FIGS];
    size_t n = ts_report_live_figures(res, figs);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const ts_live_fig_t *f = &figs[i];
        char v[32];
        rc = rh_add(r, t, "%s", f->label);
        rc = rc ? rc : rh_add(r, t, "%s", ts_report_live_value(f, f->measured, v, sizeof(v)));
        rc = rc ? rc
                : rh_add(r, t, "%s",
                         f->has_predicted ? ts_report_live_value(f, f->predicted, v, sizeof(v))
                                          : "-");
        rc = rc ? rc : rh_add(r, t, "%s", ts_report_live_error(f, v, sizeof(v)));
    }
    rc = rc ? rc : rh_emit(r, t, "measured beside predicted (the timed engine)", 4, head);
    static const char *const bhead[] = {"level", "back-end", "reads", "read p50", "read p99",
                                        "writes", "write p50", "write p99", "IOPS",
                                        "bytes/s", "queue depth", "busy"};
    for (size_t l = 0; l < lr->n_levels && rc == 0; l++) {
        const ts_live_level_t *d = &lr->level[l];
        char v[6][32];
        rc = rh_add(r, t, "%s", l < res->n_tiers ? ts_str(res->tiers[l].name) : "backing");
        rc = rc ? rc
                : rh_add(r, t, "%.60s%s%s", ts_str(d->backend), d->direct ? ", direct" : "",
                         d->emulated ? ", emulated" : "");
        rc = rc ? rc : rh_add(r, t, "%llu", (unsigned long long)d->n_read);
        rc = rc ? rc : rh_add(r, t, "%s", ts_format_duration(d->read.p50_ns, v[0], 32));
        rc = rc ? rc : rh_add(r, t, "%s", ts_format_duration(d->read.p99_ns, v[1], 32));
        rc = rc ? rc : rh_add(r, t, "%llu", (unsigned long long)d->n_write);
        rc = rc ? rc : rh_add(r, t, "%s", ts_format_duration(d->write.p50_ns, v[2], 32));
        rc = rc ? rc : rh_add(r, t, "%s", ts_format_duration(d->write.p99_ns, v[3], 32));
        rc = rc ? rc
                : rh_add(r, t, "%s", ts_fmt_fixed(ts_report_live_iops(d, m->span_ns), 0, v[4], 32));
        rc = rc ? rc
                : rh_add(r, t, "%s/s",
                         ts_fmt_bytes((uint64_t)llround(ts_report_live_bytes_per_s(d, m->span_ns)),
                                      v[5], 32));
        rc = rc ? rc : rh_add(r, t, "%u", d->max_inflight);
        rc = rc ? rc : rh_add(r, t, "%.3g s", d->busy_s);
    }
    return rc ? rc : rh_emit(r, t, "back-ends (live run)", 12, bhead);
}

/* One row of the bill: the item, its dollars and its share of the total. */
static int rh_bill_row(ts__html_report_t *r, rh_cells_t *t, const char *item, double usd,
                       double total)
{
    char d[32];
    int rc = rh_add(r, t, "%s", item);
    rc = rc ? rc : rh_add(r, t, "%s", ts_fmt_usd(usd, d, sizeof(d)));
    if (total > 0)
        return rc ? rc : rh_add(r, t, "%.1f%%", 100.0 * usd / total);
    return rc ? rc : rh_add(r, t, "-");
}

static int rh_bill(ts__html_report_t *r, rh_cells_t *t, const ts_result_t *res)
{
    static const char *const head[] = {"item", "dollars", "share of total"};
    const ts_cost_result_t *c = &res->cost;
    const double total = c->total_usd;
    int rc = 0;
    for (size_t i = 0; i < c->n_levels && rc == 0; i++) {
        char item[80];
        snprintf(item, sizeof(item), "capacity: %.50s", ts_str(c->level[i].name));
        rc = rh_bill_row(r, t, item, c->level[i].capacity_usd, total);
    }
    const char *items[] = {"central-store requests", "central-store transfer", "GPU time",
                           "  of which stalled on storage", "power", "total"};
    const double usd[] = {c->requests_usd, c->transfer_usd, c->gpu_usd,
                          c->has_stall ? c->stall_usd : NAN, c->power_usd, total};
    for (size_t i = 0; i < 6 && rc == 0; i++)
        if (!isnan(usd[i]))
            rc = rh_bill_row(r, t, items[i], usd[i], total);
    const char *per[] = {"per million requests", "per epoch", "per million tokens",
                         "per session"};
    const double pv[] = {c->usd_per_m_requests, c->usd_per_epoch, c->usd_per_m_tokens,
                         c->usd_per_session};
    const bool has[] = {c->n_requests > 0, c->epochs > 0, c->tokens > 0, c->sessions > 0};
    for (size_t i = 0; i < 4 && rc == 0; i++) {
        if (!has[i])
            continue;
        char d[32];
        rc = rh_add(r, t, "%s", per[i]);
        rc = rc ? rc : rh_add(r, t, "%s", ts_fmt_usd(pv[i], d, sizeof(d)));
        rc = rc ? rc : rh_add(r, t, "%s", "");
    }
    return rc ? rc : rh_emit(r, t, "the bill (dollars)", 3, head);
}

static int rh_run(ts__html_report_t *r, rh_cells_t *t, size_t k)
{
    const ts__html_run_t *run = &r->runs[k];
    const ts_result_t *res = run->res;
    char id[32], heading[256], text[1400];
    snprintf(id, sizeof(id), "run-%zu", r->first + k);
    snprintf(heading, sizeof(heading), "Run %zu: %s", r->first + k, run->label);
    int rc = ts_html_section(r->page, id, heading, r->err);
    snprintf(text, sizeof(text),
             "%s engine, %s mode, seed %llu. Workload: %.512s. From %.512s, run %zu.",
             res->engine ? res->engine : "fast", ts_mode_name(res->mode),
             (unsigned long long)res->seed, ts_str(res->workload), run->file, run->index);
    rc = rc ? rc : ts_html_para(r->page, text, r->err);
    rc = rc ? rc : rh_tiers(r, t, res);
    if (rc == 0) {
        char a[TS_FMT_LEN];
        snprintf(text, sizeof(text),
                 "Totals: %llu requests, hit ratio %s, %llu served by the backing store.",
                 (unsigned long long)res->totals.n_req,
                 ts_fmt_pct(rh_hit_ratio(res), a, sizeof(a)),
                 (unsigned long long)res->totals.n_backing);
        rc = ts_html_para(r->page, text, r->err);
    }
    size_t max_figures = r->opts && r->opts->run_figures ? r->opts->run_figures
                                                         : TS_REPORT_HTML_RUN_FIGURES;
    bool figures = r->first + k < max_figures;
    if (rc == 0 && res->has_live) {
        rc = rh_live(r, t, res);
        rc = rc || !figures ? rc : rh_live_figure(r, k);
    }
    if (rc == 0 && res->has_timed) {
        rc = rh_overload(r, res);
        rc = rc ? rc : rh_latency(r, t, res);
        rc = rc || !figures ? rc : rh_latency_figure(r, k);
    }
    rc = rc || !figures ? rc : rh_series_figure(r, k);
    if (rc == 0 && !figures && r->first + k == max_figures) {
        snprintf(text, sizeof(text),
                 "Runs from %zu on are shown by their tables only: their figures are drawn "
                 "for the first %zu runs (report fewer files, or raise the limit, to see "
                 "theirs).",
                 max_figures, max_figures);
        rc = ts_html_para(r->page, text, r->err);
    }
    if (rc == 0 && res->has_cost && ts_str(res->cost.prices)[0]) {
        const ts_cost_result_t *c = &res->cost;
        snprintf(text, sizeof(text), "Prices: profile %.*s, read %.*s%s%.*s%s.", TS_PRICE_ROW,
                 c->prices, TS_PRICE_DATE, ts_str(c->prices_date),
                 ts_str(c->gpu_fallback)[0] ? " (the GPU's price, not known in it, from " : "",
                 TS_PRICE_ROW, ts_str(c->gpu_fallback), ts_str(c->gpu_fallback)[0] ? ")" : "");
        rc = ts_html_para(r->page, text, r->err);
    }
    if (rc == 0 && res->has_cost)
        rc = rh_bill(r, t, res);
    size_t same = k; /* an earlier run with the same scenario text */
    for (size_t j = 0; res->scenario_yaml && j < k && same == k; j++)
        if (r->runs[j].res->scenario_yaml &&
            !strcmp(r->runs[j].res->scenario_yaml, res->scenario_yaml))
            same = j;
    if (rc == 0 && res->scenario_yaml && same < k) {
        snprintf(text, sizeof(text), "Scenario: as run %zu's%s", r->first + same,
                 res->n_overrides ? ", with:" : ".");
        rc = ts_html_para(r->page, text, r->err);
        for (size_t i = 0; i < res->n_overrides && rc == 0; i++) {
            snprintf(text, sizeof(text), "-s %s", res->overrides[i]);
            rc = ts_html_para(r->page, text, r->err);
        }
    } else if (rc == 0 && res->scenario_yaml) {
        rc = ts_html_para(r->page, "Scenario:", r->err);
        rc = rc ? rc : ts_html_pre(r->page, res->scenario_yaml, r->err);
        for (size_t i = 0; i < res->n_overrides && rc == 0; i++) {
            snprintf(text, sizeof(text), "-s %s", res->overrides[i]);
            rc = ts_html_para(r->page, text, r->err);
        }
    }
    return rc;
}

/* ---- across runs ---- */

/* The stacked bars' categories: capacity per level name (the union over runs, in order of
 * appearance), then requests, transfer, GPU time busy and stalled, power. */
/* A figure's caption across runs: what, and which keys' values name the runs. */
static const char *rh_caption(const ts__html_report_t *r, const char *what, char *buf, size_t size)
{
    if (r->tag_keys[0])
        snprintf(buf, size, "%s; runs named by their %s", what, r->tag_keys);
    else
        snprintf(buf, size, "%s", what);
    return buf;
}

static int rh_cost_bars(ts__html_report_t *r)
{
    const char *cats[RH_MAX_CATS];
    const char *levels[RH_MAX_CATS]; /* the level each capacity category is of */
    char names[RH_MAX_CATS][96];
    size_t nc = 0, nr = 0;
    for (size_t k = 0; k < r->n_runs; k++) {
        const ts_cost_result_t *c = &r->runs[k].res->cost;
        if (!r->runs[k].res->has_cost)
            continue;
        nr++;
        for (size_t i = 0; i < c->n_levels; i++) {
            size_t j = 0;
            while (j < nc && strcmp(levels[j], ts_str(c->level[i].name)) != 0)
                j++;
            if (j == nc && nc < RH_MAX_CATS - 5) {
                snprintf(names[nc], sizeof(names[nc]), "capacity %.80s", ts_str(c->level[i].name));
                cats[nc] = names[nc];
                levels[nc] = ts_str(c->level[i].name);
                nc++;
            }
        }
    }
    if (!nr)
        return 0;
    static const char *const rest[] = {"requests", "transfer", "GPU busy", "GPU stalled",
                                       "power"};
    size_t nl = nc;
    for (size_t i = 0; i < 5; i++)
        cats[nc++] = rest[i];
    double *usd = ts_calloc(nr * nc, sizeof(double));
    const char **runs = ts_calloc(nr, sizeof(*runs));
    int rc = usd && runs ? 0 : ts_err_set(r->err, TS_ENOMEM, "report: cannot build the bars");
    size_t row = 0;
    for (size_t k = 0; k < r->n_runs && rc == 0; k++) {
        const ts_cost_result_t *c = &r->runs[k].res->cost;
        if (!r->runs[k].res->has_cost)
            continue;
        double *u = usd + row * nc;
        runs[row++] = r->runs[k].tag;
        for (size_t i = 0; i < c->n_levels; i++)
            for (size_t j = 0; j < nl; j++)
                if (!strcmp(levels[j], ts_str(c->level[i].name)))
                    u[j] += c->level[i].capacity_usd;
        double stall = c->has_stall ? c->stall_usd : 0;
        u[nl] = c->requests_usd;
        u[nl + 1] = c->transfer_usd;
        u[nl + 2] = c->gpu_usd - stall;
        u[nl + 3] = stall;
        u[nl + 4] = c->power_usd;
    }
    if (rc == 0) {
        ts_plot_bars_t bars = {runs, nr, cats, nc, usd, NULL};
        char svg[PATH_MAX + 32];
        rh_path(r, svg, sizeof(svg), "cost", 0);
        ts_plot_opts_t o;
        rc = ts_plot_cost_bars(svg, &bars, rh_plot_opts(r, &o, NULL), r->err);
        char caption[256];
        rc = rh_figure(r, rc, svg, rh_caption(r, "the bill of each run, by item", caption,
                                              sizeof(caption)));
    }
    ts_free(usd);
    ts_free(runs);
    return rc;
}

#define RH_SWEEP_LINES 16 /* a sweep figure draws at most this many lines */

/* The index of v in names[0..*n), added at the end when absent (room: max); SIZE_MAX when
 * absent and there is no room. */
static size_t rh_slot(const char **names, size_t *n, size_t max, const char *v)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(names[i], v))
            return i;
    if (*n == max)
        return SIZE_MAX;
    names[*n] = v;
    return (*n)++;
}

/* When the runs differ in the same keys (a sweep), benefit and cost along the first key,
 * one line per values of the others. */
static int rh_sweep_figure(ts__html_report_t *r)
{
    if (!r->tag_keys[0] || r->n_runs < 2)
        return 0;
    bool all_closed = rh_by_utilisation(r);
    size_t n = r->n_runs, n_x = 0, n_lines = 0;
    const char **xs = ts_calloc(n, sizeof(*xs));
    const char *lines[RH_SWEEP_LINES];
    double *v = ts_calloc(4 * RH_SWEEP_LINES * n, sizeof(double));
    ts_plot_series_t ben[RH_SWEEP_LINES], cost[RH_SWEEP_LINES];
    if (!xs || !v) {
        ts_free(xs);
        ts_free(v);
        return ts_err_set(r->err, TS_ENOMEM, "report: cannot build the sweep figure");
    }
    for (size_t l = 0; l < RH_SWEEP_LINES; l++) {
        double *b = v + 4 * l * n;
        ben[l] = (ts_plot_series_t){NULL, b, b + n, 0};
        cost[l] = (ts_plot_series_t){NULL, b + 2 * n, b + 3 * n, 0};
    }
    bool fits = true;
    for (size_t k = 0; k < n && fits; k++) {
        const ts__html_run_t *run = &r->runs[k];
        size_t x = rh_slot(xs, &n_x, n, run->x_value);
        size_t l = rh_slot(lines, &n_lines, RH_SWEEP_LINES, run->line);
        fits = l != SIZE_MAX;
        if (!fits)
            break;
        ben[l].name = cost[l].name = run->line[0] ? run->line : "runs";
        double *b = v + 4 * l * n; /* ben[l]'s x and y, then cost[l]'s */
        b[ben[l].n] = (double)x;
        b[n + ben[l].n++] = rh_benefit(run->res, all_closed);
        if (run->res->has_cost) {
            b[2 * n + cost[l].n] = (double)x;
            b[3 * n + cost[l].n++] = run->res->cost.total_usd;
        }
    }
    int rc = 0;
    if (fits && n_x >= 2) {
        const char *benefit = rh_benefit_name(all_closed);
        ts_plot_sweep_t sw = {r->x_key, xs, n_x, ben, cost, n_lines, benefit, NULL};
        char svg[PATH_MAX + 32], caption[320];
        rh_path(r, svg, sizeof(svg), "sweep", 0);
        ts_plot_opts_t o;
        rc = ts_plot_sweep(svg, &sw, rh_plot_opts(r, &o, NULL), r->err);
        if (r->line_keys[0])
            snprintf(caption, sizeof(caption), "%s and cost by %s, one line per %s", benefit,
                     r->x_key, r->line_keys);
        else
            snprintf(caption, sizeof(caption), "%s and cost by %s", benefit, r->x_key);
        rc = rh_figure(r, rc, svg, caption);
    }
    ts_free(xs);
    ts_free(v);
    return rc;
}

static int rh_pareto(ts__html_report_t *r)
{
    size_t n = 0;
    bool all_closed = rh_by_utilisation(r);
    for (size_t k = 0; k < r->n_runs; k++)
        n += r->runs[k].res->has_cost;
    if (n < 2)
        return 0;
    double *v = ts_calloc(2 * n, sizeof(double));
    const char **labels = ts_calloc(n, sizeof(*labels));
    int rc = v && labels ? 0 : ts_err_set(r->err, TS_ENOMEM, "report: cannot build the front");
    size_t m = 0;
    for (size_t k = 0; k < r->n_runs && rc == 0; k++) {
        const ts_result_t *res = r->runs[k].res;
        if (!res->has_cost)
            continue;
        labels[m] = r->runs[k].tag;
        v[m] = res->cost.total_usd;
        v[n + m] = rh_benefit(res, all_closed);
        m++;
    }
    if (rc == 0) {
        ts_plot_points_t pts = {labels, v, v + n, n,
                                rh_benefit_name(all_closed), NULL};
        char svg[PATH_MAX + 32];
        rh_path(r, svg, sizeof(svg), "pareto", 0);
        ts_plot_opts_t o;
        rc = ts_plot_pareto(svg, &pts, rh_plot_opts(r, &o, NULL), r->err);
        char caption[256];
        rc = rh_figure(r, rc, svg,
                       rh_caption(r,
                                  all_closed ? "cost against GPU utilisation, Pareto front marked"
                                             : "cost against hit ratio, Pareto front marked",
                                  caption, sizeof(caption)));
    }
    ts_free(v);
    ts_free(labels);
    return rc;
}

/* ---- the page ---- */

/* Page r->page_no of the report (runs from r->first on) into r->out. The first tells how
 * many pages the runs take (r->n_pages), lists them, and compares its runs. */
static int rh_page(ts__html_report_t *r, rh_cells_t *t, const char *const *files, size_t n)
{
    size_t max = TS_REPORT_HTML_MAX_RUNS;
    int rc = ts__report_html_read(r, files, n);
    size_t total = r->first + r->n_runs + r->n_left_out;
    if (r->page_no == 1)
        r->n_pages = r->opts && r->opts->is_one_page ? 1 : (total + max - 1) / max;
    rc = rc ? rc : ts__report_html_workdir(r);
    char title[256], more[48] = "";
    if (total > 1)
        snprintf(more, sizeof(more), " and %zu more run%s", total - 1, total > 2 ? "s" : "");
    snprintf(title, sizeof(title), "tiersim report: %.150s%s", r->n_runs ? r->runs[0].label : "",
             more);
    if (r->page_no > 1)
        snprintf(title, sizeof(title), "tiersim report, page %zu of %zu: runs %zu to %zu of %zu",
                 r->page_no, r->n_pages, r->first, r->first + r->n_runs - 1, total);
    rc = rc ? rc : ts_html_create(title, &r->page, r->err);
    rc = rc || r->page_no == 1 ? rc : ts__report_html_links(r);
    rc = rc ? rc : rh_summary(r, t);
    if (rc == 0 && r->page_no == 1 && r->n_left_out) {
        char note[240];
        if (r->n_pages > 1)
            snprintf(note, sizeof(note), "This page shows the first %zu runs; pages 2 to %zu "
                     "show the other %zu, %zu a page (sweep.csv has a row for each).",
                     r->n_runs, r->n_pages, r->n_left_out, max);
        else
            snprintf(note, sizeof(note), "This page shows the first %zu runs; the files hold "
                     "%zu more, left out (sweep.csv has a row for each).", r->n_runs,
                     r->n_left_out);
        rc = ts_html_para(r->page, note, r->err);
    }
    rc = rc || r->page_no > 1 || r->n_pages < 2 ? rc : ts__report_html_links(r);
    for (size_t k = 0; k < r->n_runs && rc == 0; k++)
        rc = rh_run(r, t, k);
    if (rc == 0 && r->page_no == 1) {
        rc = ts_html_section(r->page, "compare", "Cost and benefit across runs", r->err);
        rc = rc ? rc : rh_cost_bars(r);
        rc = rc ? rc : rh_sweep_figure(r);
        rc = rc ? rc : rh_pareto(r);
    }
    return rc ? rc : ts_html_write(r->page, r->out, r->err);
}

int ts_report_html(const char *const *files, size_t n, const char *out,
                   const ts_report_html_opts_t *opts, size_t *n_missing, char *warn,
                   size_t size, ts_err_t *err)
{
    rh_cells_t t = {0};
    if (warn && size)
        warn[0] = 0;
    if (n_missing)
        *n_missing = 0;
    int rc = 0;
    size_t n_pages = 1;
    for (size_t p = 1; p <= n_pages && rc == 0; p++) {
        char name[PATH_MAX];
        ts__report_html_page_name(out, p, name, sizeof(name));
        ts__html_report_t r = {.opts = opts, .out = name, .warn = warn, .warn_size = size,
                               .err = err, .page_no = p, .n_pages = n_pages, .first_out = out,
                               .first = (p - 1) * TS_REPORT_HTML_MAX_RUNS};
        rc = rh_page(&r, &t, files, n);
        n_pages = r.n_pages;
        if (n_missing)
            *n_missing += r.n_missing;
        ts__report_html_release(&r);
    }
    ts_free(t.c);
    ts_free(t.p);
    return rc;
}
