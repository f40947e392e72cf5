/* SPDX-License-Identifier: MIT */
/*
 * live_compare.c - a live run's figures set beside the timed engine's prediction of them
 * (report.h), one list for every writer: the text, JSON, HDF5 and HTML reports show the
 * same rows in the same order. The error of a figure is (measured - predicted) / predicted
 * in percent, none when nothing was predicted (or the prediction is 0).
 * Cost: O(levels), no allocation.
 */
#include <math.h>
#include <stdio.h>

#include "../sim/util/fmt.h"
#include "../sim/util/units.h"
#include "report.h"

static const char *const k_unit_names[TS_LIVE_UNIT_COUNT_] = {"ns", "1/s", "bytes/s",
                                                              "ratio"};

const char *ts_report_live_unit_name(ts_live_unit_t u)
{
    return (unsigned)u < TS_LIVE_UNIT_COUNT_ ? k_unit_names[u] : "?";
}

/* Appends one figure; has_p false leaves the prediction out (predicted 0). */
static void lc_add(ts_live_fig_t *out, size_t *n, ts_live_unit_t unit, double m, double p,
                   bool has_p)
{
    ts_live_fig_t *f = &out[*n];
    f->unit = unit;
    f->measured = m;
    f->predicted = has_p ? p : 0;
    f->has_predicted = has_p;
    (*n)++;
}

size_t ts_report_live_figures(const ts_result_t *res, ts_live_fig_t *out)
{
    const ts_timed_result_t *m = &res->live.m, *p = &res->timed;
    bool hp = res->has_timed;
    size_t n = 0;
    snprintf(out[n].key, sizeof(out[n].key), "requests_per_s");
    snprintf(out[n].label, sizeof(out[n].label), "throughput (requests/s)");
    lc_add(out, &n, TS_LIVE_UNIT_PER_S, m->req_per_s, p->req_per_s, hp);
    snprintf(out[n].key, sizeof(out[n].key), "bytes_per_s");
    snprintf(out[n].label, sizeof(out[n].label), "throughput (bytes/s)");
    lc_add(out, &n, TS_LIVE_UNIT_BYTES_PER_S, m->bytes_per_s, p->bytes_per_s, hp);
    snprintf(out[n].key, sizeof(out[n].key), "span_ns");
    snprintf(out[n].label, sizeof(out[n].label), "time (first issue to last end)");
    lc_add(out, &n, TS_LIVE_UNIT_NS, (double)m->span_ns, (double)p->span_ns, hp);
    const struct {
        const char *name;
        const ts_lat_t *m, *p;
    } sets[] = {
        {"all", &m->all, &p->all}, {"get", &m->op[0], &p->op[0]}, {"put", &m->op[1], &p->op[1]}};
    static const char *const q[] = {"mean", "p50", "p90", "p99", "p99.9"};
    static const char *const qkey[] = {"mean_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns"};
    for (size_t s = 0; s < 3; s++) {
        const ts_lat_t *lm = sets[s].m, *lp = sets[s].p;
        if (!lm->n)
            continue;
        const double vm[] = {lm->mean_ns, (double)lm->p50_ns, (double)lm->p90_ns,
                             (double)lm->p99_ns, (double)lm->p999_ns};
        const double vp[] = {lp->mean_ns, (double)lp->p50_ns, (double)lp->p90_ns,
                             (double)lp->p99_ns, (double)lp->p999_ns};
        for (size_t k = 0; k < 5; k++) {
            snprintf(out[n].key, sizeof(out[n].key), "latency.%s.%s", sets[s].name, qkey[k]);
            snprintf(out[n].label, sizeof(out[n].label), "%s latency %s", sets[s].name, q[k]);
            lc_add(out, &n, TS_LIVE_UNIT_NS, vm[k], vp[k], hp && lp->n);
        }
    }
    for (size_t l = 0; l < m->n_levels && l < TS_TIMED_LEVELS; l++) {
        const ts_lat_t *lm = &m->served[l];
        const ts_lat_t *lp = hp && l < p->n_levels ? &p->served[l] : NULL;
        if (!lm->n)
            continue;
        const char *level = l < res->n_tiers ? ts_str(res->tiers[l].name) : "backing";
        snprintf(out[n].key, sizeof(out[n].key), "get_latency_by_level.%.60s.p50_ns", level);
        snprintf(out[n].label, sizeof(out[n].label), "get p50, served by %.40s", level);
        lc_add(out, &n, TS_LIVE_UNIT_NS, (double)lm->p50_ns, lp ? (double)lp->p50_ns : 0,
               lp && lp->n);
    }
    bool hp_ttft = hp && p->ttft.n;
    if (m->ttft.n || hp_ttft) { /* groups: time to first token, p50, p90, p99 */
        const double vm[] = {(double)m->ttft.p50_ns, (double)m->ttft.p90_ns,
                             (double)m->ttft.p99_ns};
        const double vp[] = {(double)p->ttft.p50_ns, (double)p->ttft.p90_ns,
                             (double)p->ttft.p99_ns};
        for (size_t k = 0; k < 3; k++) {
            snprintf(out[n].key, sizeof(out[n].key), "ttft.%s", qkey[k + 1]);
            snprintf(out[n].label, sizeof(out[n].label), "time to first token %s", q[k + 1]);
            lc_add(out, &n, TS_LIVE_UNIT_NS, vm[k], vp[k], hp_ttft);
        }
    }
    if (m->arrivals == TS_ARRIVALS_CLOSED && m->compute_ns) {
        snprintf(out[n].key, sizeof(out[n].key), "accelerator_utilisation");
        snprintf(out[n].label, sizeof(out[n].label), "accelerator utilisation");
        lc_add(out, &n, TS_LIVE_UNIT_RATIO, m->utilisation, p->utilisation, hp);
    }
    return n;
}

double ts_report_live_error_pct(const ts_live_fig_t *f)
{
    if (!f->has_predicted || !(f->predicted > 0) || !isfinite(f->measured))
        return NAN;
    return (f->measured - f->predicted) / f->predicted * 100;
}

const char *ts_report_live_value(const ts_live_fig_t *f, double v, char *buf, size_t size)
{
    char b[TS_FMT_LEN];
    uint64_t u = isfinite(v) && v > 0 ? (uint64_t)llround(v) : 0;
    switch (f->unit) {
    case TS_LIVE_UNIT_NS:
        return ts_format_duration(u, buf, size);
    case TS_LIVE_UNIT_PER_S:
        return ts_fmt_fixed(v, 0, buf, size);
    case TS_LIVE_UNIT_BYTES_PER_S:
        snprintf(buf, size, "%s/s", ts_fmt_bytes(u, b, sizeof(b)));
        return buf;
    default:
        return ts_fmt_pct(v, buf, size);
    }
}

const char *ts_report_live_error(const ts_live_fig_t *f, char *buf, size_t size)
{
    double e = ts_report_live_error_pct(f);
    if (isnan(e))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%+.1f%%", e);
    return buf;
}

double ts_report_live_iops(const ts_live_level_t *d, uint64_t span_ns)
{
    return span_ns ? (double)(d->n_read + d->n_write) / ((double)span_ns * 1e-9) : 0;
}

double ts_report_live_bytes_per_s(const ts_live_level_t *d, uint64_t span_ns)
{
    return span_ns ? (double)(d->bytes_read + d->bytes_written) / ((double)span_ns * 1e-9) : 0;
}
