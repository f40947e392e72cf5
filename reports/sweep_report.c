/* SPDX-License-Identifier: MIT */
/*
 * sweep_report.c - a sweep's points as a table, as CSV and as a results file (see
 * sweep_report.h). Cost: O(points x axes).
 */
#include "sweep_report.h"

#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/fmt.h"
#include "writer.h"

extern const ts_report_ops_t ts_sink_hdf5; /* writer_hdf5.c */

#define SW_WHAT "sweep"
#define SW_WIDTH 100 /* widest table line */
#define SW_RATIO_DECIMALS 9
#define SW_MIN_AXIS 8 /* narrowest an axis column gets */

/* The normalised figure of the text table: the first unit every run has. */
typedef enum { SW_PER_EPOCH, SW_PER_TOKENS, SW_PER_SESSION, SW_PER_REQUESTS, SW_PER_NONE } sw_per_t;

static const char *const k_per_head[] = {"$/epoch", "$/1M tok", "$/session", "$/1M req", ""};

static bool sw_has(const ts_result_t *r, sw_per_t p)
{
    const ts_cost_result_t *c = &r->cost;
    switch (p) {
    case SW_PER_EPOCH:
        return r->has_cost && c->epochs > 0;
    case SW_PER_TOKENS:
        return r->has_cost && c->tokens > 0;
    case SW_PER_SESSION:
        return r->has_cost && c->sessions > 0;
    case SW_PER_REQUESTS:
        return r->has_cost && c->n_requests > 0;
    default:
        return false;
    }
}

static double sw_per_usd(const ts_result_t *r, sw_per_t p)
{
    const ts_cost_result_t *c = &r->cost;
    return p == SW_PER_EPOCH     ? c->usd_per_epoch
           : p == SW_PER_TOKENS  ? c->usd_per_m_tokens
           : p == SW_PER_SESSION ? c->usd_per_session
                                 : c->usd_per_m_requests;
}

static sw_per_t sw_per(const ts_sweep_t *s)
{
    for (sw_per_t p = SW_PER_EPOCH; p < SW_PER_NONE; p++) {
        bool all = true;
        for (size_t i = 0; all && i < s->n_runs; i++)
            all = sw_has(&s->runs[i], p);
        if (all)
            return p;
    }
    return SW_PER_NONE;
}

static bool sw_timed(const ts_result_t *r)
{
    return r->has_timed;
}

static bool sw_billed(const ts_result_t *r)
{
    return r->has_cost;
}

/* Whether some run of s has what `has` asks. */
static bool sw_any(const ts_sweep_t *s, bool (*has)(const ts_result_t *))
{
    for (size_t i = 0; i < s->n_runs; i++)
        if (has(&s->runs[i]))
            return true;
    return false;
}

static bool sw_overloaded(const ts_result_t *r)
{
    return r->has_timed && r->timed.n_overloaded;
}

static bool sw_partial(const ts_result_t *r)
{
    return r->has_timed && r->timed.partial;
}

/* The figures of one row, formatted for the table: [0] hit ratio, [1] byte hit ratio,
 * [2] p99, [3] accelerator utilisation, [4] total cost, [5] normalised cost. */
enum { SW_FIGS = 6 };

static void sw_figures(const ts_result_t *r, sw_per_t per, char (*f)[TS_FMT_LEN])
{
    const ts_totals_t *t = &r->totals;
    ts_fmt_pct(ts_ratio(t->n_hit, t->n_req), f[0], TS_FMT_LEN);
    ts_fmt_pct(ts_ratio(t->bytes_hit, t->bytes_req), f[1], TS_FMT_LEN);
    if (r->has_timed) { /* marked: "!" overloaded (grows with the run), "*" cut short */
        char d[TS_FMT_LEN];
        snprintf(f[2], TS_FMT_LEN, "%s%s%s", r->timed.partial ? "*" : "",
                 r->timed.n_overloaded ? "!" : "", ts_format_duration(r->timed.all.p99_ns, d,
                                                                      sizeof(d)));
    } else
        snprintf(f[2], TS_FMT_LEN, "-");
    if (ts_result_is_closed_loop(r))
        ts_fmt_pct(r->timed.utilisation, f[3], TS_FMT_LEN);
    else
        snprintf(f[3], TS_FMT_LEN, "-");
    if (r->has_cost)
        ts_fmt_usd_sig(r->cost.total_usd, f[4], TS_FMT_LEN);
    else
        snprintf(f[4], TS_FMT_LEN, "-");
    if (per != SW_PER_NONE)
        ts_fmt_usd_sig(sw_per_usd(r, per), f[5], TS_FMT_LEN);
    else
        snprintf(f[5], TS_FMT_LEN, "-");
}

int ts_report_sweep_text(const ts_sweep_t *s, FILE *out, ts_err_t *err)
{
    static const char *const head[SW_FIGS] = {"hit ratio", "byte hits", "p99",
                                              "accel", "cost", ""};
    sw_per_t per = sw_per(s);
    bool show[SW_FIGS] = {true, true, sw_any(s, sw_timed), sw_any(s, ts_result_is_closed_loop),
                          sw_any(s, sw_billed), per != SW_PER_NONE};
    char axes[256];
    size_t off = 0;
    for (size_t a = 0; a < s->n_axes && off < sizeof(axes); a++) {
        int n = snprintf(axes + off, sizeof(axes) - off, "%s%s: %zu", a ? " x " : "",
                         s->axes[a].key, s->axes[a].n_values);
        off += n > 0 ? (size_t)n : 0;
    }
    int rc = ts_out_printf(out, err, SW_WHAT, "sweep of %.80s\npoints     %zu (%.200s)\n",
                            s->source, s->n_points, axes);
    if (!rc && s->n_shards > 1)
        rc = ts_out_printf(out, err, SW_WHAT,
                            "shard      %zu/%zu: %zu point%s, those whose number modulo %zu is "
                            "%zu\n",
                            s->shard, s->n_shards, s->n_runs, s->n_runs == 1 ? "" : "s",
                            s->n_shards, s->shard);
    /* widths: the figures', then what is left shared by the axes */
    size_t w_pt = strlen("point"), w[SW_FIGS], used = 0;
    char f[SW_FIGS][TS_FMT_LEN];
    for (size_t k = 0; k < SW_FIGS; k++)
        w[k] = strlen(k == SW_FIGS - 1 ? k_per_head[per] : head[k]);
    for (size_t i = 0; i < s->n_runs; i++) {
        sw_figures(&s->runs[i], per, f);
        for (size_t k = 0; k < SW_FIGS; k++)
            w[k] = strlen(f[k]) > w[k] ? strlen(f[k]) : w[k];
    }
    used = w_pt;
    for (size_t k = 0; k < SW_FIGS; k++)
        used += show[k] ? 2 + w[k] : 0;
    size_t share = SW_WIDTH > used + 2 * s->n_axes ? (SW_WIDTH - used) / s->n_axes - 2 : 0;
    share = share < SW_MIN_AXIS ? SW_MIN_AXIS : share;
    size_t w_ax[TS_SWEEP_MAX_AXES];
    for (size_t a = 0; a < s->n_axes; a++) {
        size_t m = strlen(s->axes[a].key);
        for (size_t v = 0; v < s->axes[a].n_values; v++)
            m = strlen(s->axes[a].values[v]) > m ? strlen(s->axes[a].values[v]) : m;
        w_ax[a] = m < share ? m : share;
    }
    char cell[TS_FMT_LEN * 2];
    size_t cell_size = 0;
    if (!rc)
        rc = ts_out_printf(out, err, SW_WHAT, "\n%*s", (int)w_pt, "point");
    for (size_t a = 0; !rc && a < s->n_axes; a++) {
        cell_size = w_ax[a] + 1 < sizeof(cell) ? w_ax[a] + 1 : sizeof(cell);
        rc = ts_out_printf(out, err, SW_WHAT, "  %-*s", (int)w_ax[a],
                            ts_fmt_shorten(s->axes[a].key, cell, cell_size));
    }
    for (size_t k = 0; !rc && k < SW_FIGS; k++)
        if (show[k])
            rc = ts_out_printf(out, err, SW_WHAT, "  %*s", (int)w[k],
                                k == SW_FIGS - 1 ? k_per_head[per] : head[k]);
    if (!rc)
        rc = ts_out_printf(out, err, SW_WHAT, "\n");
    for (size_t i = 0; !rc && i < s->n_runs; i++) {
        size_t p = ts_sweep_point(s, i);
        sw_figures(&s->runs[i], per, f);
        rc = ts_out_printf(out, err, SW_WHAT, "%*zu", (int)w_pt, p);
        for (size_t a = 0; !rc && a < s->n_axes; a++) {
            cell_size = w_ax[a] + 1 < sizeof(cell) ? w_ax[a] + 1 : sizeof(cell);
            rc = ts_out_printf(out, err, SW_WHAT, "  %-*s", (int)w_ax[a],
                                ts_fmt_shorten(ts_sweep_value(s, p, a), cell, cell_size));
        }
        for (size_t k = 0; !rc && k < SW_FIGS; k++)
            if (show[k])
                rc = ts_out_printf(out, err, SW_WHAT, "  %*s", (int)w[k], f[k]);
        if (!rc)
            rc = ts_out_printf(out, err, SW_WHAT, "\n");
    }
    if (!rc && sw_any(s, sw_overloaded))
        rc = ts_out_printf(out, err, SW_WHAT,
                            "\n! a device was overloaded: the p99 grows with the run's length "
                            "(the point's report names it)\n");
    if (!rc && sw_any(s, sw_partial))
        rc = ts_out_printf(out, err, SW_WHAT,
                            "* stopped early at timed.max_in_flight: the point's figures are "
                            "partial\n");
    return rc ? rc : ts_out_finish(out, err, SW_WHAT);
}

/* One CSV field after a comma, unless it is the first (reports/fmt.c quotes it). */
static int sw_csv_field(FILE *out, const char *v, bool first, ts_err_t *err)
{
    int rc = first ? 0 : ts_out_printf(out, err, SW_WHAT, ",");
    return rc ? rc : ts_out_csv_field(out, err, SW_WHAT, v, strlen(v) + 1);
}

/* A real for the CSV, or an empty field when the run lacks it. */
static const char *sw_csv_real(bool has, double v, int decimals, char *buf, size_t size)
{
    if (!has)
        buf[0] = 0;
    else if (decimals >= 0)
        ts_fmt_fixed(v, decimals, buf, size);
    else
        snprintf(buf, size, "%.10g", v);
    return buf;
}

int ts_report_sweep_csv(const ts_sweep_t *s, FILE *out, ts_err_t *err)
{
    int rc = sw_csv_field(out, "point", true, err);
    for (size_t a = 0; !rc && a < s->n_axes; a++)
        rc = sw_csv_field(out, s->axes[a].key, false, err);
    if (!rc)
        rc = ts_out_printf(out, err, SW_WHAT,
                            ",requests,hits,hit_ratio,byte_hit_ratio,backing_requests,"
                            "backing_bytes,latency_p50_ns,latency_p99_ns,"
                            "accelerator_utilisation,total_usd,usd_per_million_requests,"
                            "usd_per_epoch,usd_per_million_tokens,usd_per_session,overloaded,"
                            "partial\n");
    for (size_t i = 0; !rc && i < s->n_runs; i++) {
        const ts_result_t *r = &s->runs[i];
        const ts_totals_t *t = &r->totals;
        size_t p = ts_sweep_point(s, i);
        char v[10][TS_FMT_LEN];
        rc = ts_out_printf(out, err, SW_WHAT, "%zu", p);
        for (size_t a = 0; !rc && a < s->n_axes; a++)
            rc = sw_csv_field(out, ts_sweep_value(s, p, a), false, err);
        sw_csv_real(true, ts_ratio(t->n_hit, t->n_req), SW_RATIO_DECIMALS, v[0], TS_FMT_LEN);
        sw_csv_real(true, ts_ratio(t->bytes_hit, t->bytes_req), SW_RATIO_DECIMALS, v[1],
                    TS_FMT_LEN);
        sw_csv_real(r->has_timed, (double)r->timed.all.p50_ns, 0, v[2], TS_FMT_LEN);
        sw_csv_real(r->has_timed, (double)r->timed.all.p99_ns, 0, v[3], TS_FMT_LEN);
        sw_csv_real(ts_result_is_closed_loop(r), r->timed.utilisation, SW_RATIO_DECIMALS, v[4], TS_FMT_LEN);
        sw_csv_real(r->has_cost, r->cost.total_usd, -1, v[5], TS_FMT_LEN);
        for (sw_per_t u = SW_PER_EPOCH; u < SW_PER_NONE; u++)
            sw_csv_real(sw_has(r, u), sw_per_usd(r, u), -1, v[6 + u], TS_FMT_LEN);
        if (!rc)
            rc = ts_out_printf(out, err, SW_WHAT,
                                ",%llu,%llu,%s,%s,%llu,%llu,%s,%s,%s,%s,%s,%s,%s,%s,%u,%d\n",
                                (unsigned long long)t->n_req, (unsigned long long)t->n_hit, v[0],
                                v[1], (unsigned long long)t->n_backing,
                                (unsigned long long)t->bytes_backing, v[2], v[3], v[4], v[5],
                                v[6 + SW_PER_REQUESTS], v[6 + SW_PER_EPOCH],
                                v[6 + SW_PER_TOKENS], v[6 + SW_PER_SESSION],
                                r->has_timed ? r->timed.n_overloaded : 0,
                                r->has_timed && r->timed.partial);
    }
    return rc ? rc : ts_out_finish(out, err, SW_WHAT);
}

/* sweep.csv through a writer of the registered writers' shape (writer.h), so it and
 * result.h5 are committed as one set. No scenario names it (it needs a sweep): it is not in
 * the registry. */
static int sw_csv_write(const ts_report_in_t *in, size_t file, FILE *out,
                        ts_report_warn_t *warn, ts_err_t *err)
{
    (void)file, (void)warn;
    return ts_report_sweep_csv(in->sweep, out, err);
}

static const ts_report_ops_t k_sweep_csv = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_REPORT,
             .name = "sweep",
             .summary = "sweep.csv: a row per point of a sweep",
             .flags = TS_REPORT_MANY_RUNS},
    .files = {"sweep.csv"},
    .write = sw_csv_write,
};

int ts_report_sweep_write(const ts_sweep_t *s, const char *dir, ts_err_t *err)
{
    return ts_report_sweep_write_from(s, NULL, NULL, dir, err);
}

int ts_report_sweep_write_from(const ts_sweep_t *s,
                               int (*load)(void *ctx, size_t i, ts_result_t *res, ts_err_t *err),
                               void *ctx, const char *dir, ts_err_t *err)
{
    const ts_result_t **runs = ts_malloc((s->n_runs + 1) * sizeof(*runs));
    if (!runs)
        return ts_err_set(err, TS_ENOMEM, "cannot list the sweep's %zu runs", s->n_runs);
    for (size_t i = 0; i < s->n_runs; i++)
        runs[i] = &s->runs[i];
    /* result.h5 by the hdf5 writer, which leaves it out for a shard with no point; first,
     * as it takes the runs one by one from load (which may wait for each: app/sweep.c),
     * and sweep.csv reads every run's figures */
    const ts_report_in_t in = {.runs = runs, .n_runs = s->n_runs, .sweep = s,
                               .load_run = load, .load_ctx = ctx};
    const ts_report_ops_t *const writers[] = {&ts_sink_hdf5, &k_sweep_csv};
    int rc = ts_report_write_dir(&in, writers, 2, dir, NULL, err);
    ts_free(runs);
    return rc;
}
