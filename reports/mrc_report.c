/* SPDX-License-Identifier: MIT */
/*
 * mrc_report.c - the miss-ratio curves as a table, CSV and a plot (see mrc_report.h).
 * Cost: O(policies x capacities); the plot copies the curves into arrays of doubles.
 */
#include "mrc_report.h"

#include <limits.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/fmt.h"
#include "../sim/util/io.h"

#define MRC_WHAT "miss-ratio curves"
#define MRC_WIDTH 100 /* widest table line */
#define MRC_RATIO_DECIMALS 9

static double mrc_share(const ts_mrc_t *m, uint64_t capacity)
{
    uint64_t fp = m->mode == TS_MODE_BYTES ? m->footprint_bytes : m->footprint_objects;
    return fp ? (double)capacity / (double)fp : 0.0;
}

static const char *mrc_capacity(const ts_mrc_t *m, uint64_t v, char *buf, size_t size)
{
    if (m->mode == TS_MODE_BYTES)
        return ts_fmt_bytes(v, buf, size);
    snprintf(buf, size, "%llu", (unsigned long long)v);
    return buf;
}

/* Column widths: capacity, share of the footprint, and each policy's (its name or
 * "100.00%"). */
static void mrc_widths(const ts_mrc_t *m, size_t *w_cap, size_t *w_share, size_t *w_pol)
{
    char a[TS_FMT_LEN];
    *w_cap = strlen("capacity");
    *w_share = strlen("footprint");
    for (size_t s = 0; s < m->n_sizes; s++) {
        size_t n = strlen(mrc_capacity(m, m->capacity[s], a, sizeof(a)));
        *w_cap = n > *w_cap ? n : *w_cap;
        n = strlen(ts_fmt_pct(mrc_share(m, m->capacity[s]), a, sizeof(a)));
        *w_share = n > *w_share ? n : *w_share;
    }
    for (size_t p = 0; p < m->n_policies; p++) {
        size_t n = strlen(m->policies[p]);
        w_pol[p] = n > 7 ? n : 7;
    }
}

/* One table: the capacities and the policies [from, to). */
static int mrc_table(const ts_mrc_t *m, const size_t *w, const size_t *w_pol, size_t from,
                     size_t to, FILE *out, ts_err_t *err)
{
    char a[TS_FMT_LEN], b[TS_FMT_LEN];
    int rc = ts_out_printf(out, err, MRC_WHAT, "\n%*s  %*s", (int)w[0], "capacity", (int)w[1],
                            "footprint");
    for (size_t p = from; !rc && p < to; p++)
        rc = ts_out_printf(out, err, MRC_WHAT, "  %*s", (int)w_pol[p], m->policies[p]);
    if (!rc)
        rc = ts_out_printf(out, err, MRC_WHAT, "\n");
    for (size_t s = 0; !rc && s < m->n_sizes; s++) {
        rc = ts_out_printf(out, err, MRC_WHAT, "%*s  %*s", (int)w[0],
                            mrc_capacity(m, m->capacity[s], a, sizeof(a)), (int)w[1],
                            ts_fmt_pct(mrc_share(m, m->capacity[s]), b, sizeof(b)));
        for (size_t p = from; !rc && p < to; p++)
            rc = ts_out_printf(out, err, MRC_WHAT, "  %*s", (int)w_pol[p],
                                ts_fmt_pct(ts_mrc_miss_ratio(&m->points[p * m->n_sizes + s]),
                                            a, sizeof(a)));
        if (!rc)
            rc = ts_out_printf(out, err, MRC_WHAT, "\n");
    }
    return rc;
}

int ts_report_mrc_text(const ts_mrc_t *m, FILE *out, ts_err_t *err)
{
    char a[TS_FMT_LEN], b[TS_FMT_LEN];
    int rc = ts_out_printf(out, err, MRC_WHAT,
                            "miss ratio of tier %.63s by policy and capacity (%s)\n"
                            "scenario   %.88s\n"
                            "footprint  %s objects, %s; %llu requests per run\n",
                            m->tier, m->mode == TS_MODE_BYTES ? "bytes" : "objects", m->source,
                            ts_fmt_count(m->footprint_objects, a, sizeof(a)),
                            ts_fmt_bytes(m->footprint_bytes, b, sizeof(b)),
                            (unsigned long long)m->n_requests);
    /* "method     lru exact, arc mini at rate 0.010000", wrapped within 100 columns */
    size_t col = 0;
    for (size_t p = 0; !rc && p < m->n_policies; p++) {
        char item[96] = "";
        if (m->rate[p] > 0 && m->rate[p] < 1)
            ts_fmt_fixed(m->rate[p], 6, a, sizeof(a));
        snprintf(item, sizeof(item), "%s %s%s%s", m->policies[p],
                 m->method[p][0] ? m->method[p] : "replay",
                 m->rate[p] > 0 && m->rate[p] < 1 ? " at rate " : "",
                 m->rate[p] > 0 && m->rate[p] < 1 ? a : "");
        const char *lead = p == 0 ? "method     " : col + 2 + strlen(item) > MRC_WIDTH
                                                       ? ",\n           "
                                                       : ", ";
        col = (p && lead[1] == '\n' ? 11 : col + strlen(lead)) + strlen(item);
        rc = ts_out_printf(out, err, MRC_WHAT, "%s%s", lead, item);
    }
    if (!rc)
        rc = ts_out_printf(out, err, MRC_WHAT, "\n");
    if (!rc && m->note[0])
        rc = ts_out_printf(out, err, MRC_WHAT, "note       %s\n", m->note);
    size_t w[2], w_pol[TS_MRC_MAX_POLICIES];
    mrc_widths(m, &w[0], &w[1], w_pol);
    /* As many policies side by side as fit, then the rest in further tables. */
    for (size_t from = 0; !rc && from < m->n_policies;) {
        size_t to = from, width = w[0] + 2 + w[1];
        while (to < m->n_policies && (to == from || width + 2 + w_pol[to] <= MRC_WIDTH))
            width += 2 + w_pol[to++];
        rc = mrc_table(m, w, w_pol, from, to, out, err);
        from = to;
    }
    return rc ? rc : ts_out_finish(out, err, MRC_WHAT);
}

int ts_report_mrc_csv(const ts_mrc_t *m, FILE *out, ts_err_t *err)
{
    char a[TS_FMT_LEN], b[TS_FMT_LEN], c[TS_FMT_LEN];
    int rc = ts_out_printf(out, err, MRC_WHAT,
                            "policy,capacity,capacity_unit,footprint_share,requests,misses,"
                            "miss_ratio,bytes_requested,bytes_missed,byte_miss_ratio,"
                            "run_requests,run_hits,method,sampling_rate\n");
    for (size_t p = 0; !rc && p < m->n_policies; p++)
        for (size_t s = 0; !rc && s < m->n_sizes; s++) {
            const ts_mrc_point_t *pt = &m->points[p * m->n_sizes + s];
            bool sampled = m->rate[p] > 0 && m->rate[p] < 1;
            char d[TS_FMT_LEN] = "";
            if (sampled)
                ts_fmt_fixed(m->rate[p], MRC_RATIO_DECIMALS, d, sizeof(d));
            rc = ts_out_printf(
                out, err, MRC_WHAT, "%s,%llu,%s,%s,%llu,%llu,%s,%llu,%llu,%s,%llu,%llu,%s,%s\n",
                m->policies[p], (unsigned long long)m->capacity[s],
                m->mode == TS_MODE_BYTES ? "bytes" : "objects",
                ts_fmt_fixed(mrc_share(m, m->capacity[s]), MRC_RATIO_DECIMALS, a, sizeof(a)),
                (unsigned long long)pt->n_req, (unsigned long long)pt->n_miss,
                ts_fmt_fixed(ts_mrc_miss_ratio(pt), MRC_RATIO_DECIMALS, b, sizeof(b)),
                (unsigned long long)pt->bytes_req, (unsigned long long)pt->bytes_miss,
                ts_fmt_fixed(ts_mrc_byte_miss_ratio(pt), MRC_RATIO_DECIMALS, c, sizeof(c)),
                (unsigned long long)pt->n_total, (unsigned long long)pt->n_hier_hit,
                m->method[p][0] ? m->method[p] : "replay", d);
        }
    return rc ? rc : ts_out_finish(out, err, MRC_WHAT);
}

static void mrc_csv_body(FILE *f, const void *ctx)
{
    ts_report_mrc_csv(ctx, f, NULL); /* a failed write shows in ferror(f) */
}

int ts_report_mrc_write(const ts_mrc_t *m, const char *dir, ts_err_t *err)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/mrc.csv", dir);
    if (n < 0 || (size_t)n >= sizeof(path))
        return ts_err_set(err, TS_EINVAL, "path too long for mrc.csv in '%s'", dir);
    int rc = ts_mkdir_p(dir, err);
    return rc ? rc : ts_file_write(path, "miss-ratio curves", mrc_csv_body, m, err);
}

int ts_report_mrc_plot(const ts_mrc_t *m, const char *image, const ts_plot_opts_t *opts,
                       ts_err_t *err)
{
    size_t np = m->n_policies, ns = m->n_sizes;
    double *x = ts_malloc(ns * sizeof(*x));
    double *y = ts_malloc(np * ns * sizeof(*y));
    ts_plot_series_t *s = ts_calloc(np, sizeof(*s));
    int rc = x && y && s ? 0 : ts_err_set(err, TS_ENOMEM, "cannot allocate the curves' plot");
    for (size_t i = 0; !rc && i < ns; i++)
        x[i] = (double)m->capacity[i];
    for (size_t p = 0; !rc && p < np; p++) {
        for (size_t i = 0; i < ns; i++)
            y[p * ns + i] = ts_mrc_miss_ratio(&m->points[p * ns + i]);
        s[p] = (ts_plot_series_t){m->policies[p], x, y + p * ns, ns};
    }
    if (!rc) {
        char title[160];
        snprintf(title, sizeof(title), "Miss ratio of tier %.63s by capacity", m->tier);
        ts_plot_opts_t o = opts ? *opts : (ts_plot_opts_t){0};
        if (!o.title)
            o.title = title;
        rc = ts_plot_mrc(image, s, np, m->mode == TS_MODE_BYTES, &o, err);
    }
    ts_free(x);
    ts_free(y);
    ts_free(s);
    return rc;
}
