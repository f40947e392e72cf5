/* SPDX-License-Identifier: MIT */
/*
 * text_live.c - the text report's live section (report.h): how the live run went, what it
 * measured beside what the timed engine predicted for the same scenario (error in percent:
 * (measured - predicted) / predicted), and what each level's back-end did.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../sim/util/fmt.h"
#include "../sim/util/units.h"
#include "report.h"

#define LIVE_WHAT "text report"

static const char *live_ns(uint64_t ns, char *buf, size_t size)
{
    return ts_format_duration(ns, buf, size);
}

/* "+12.3%", or "-" when there is nothing to compare with. */
static const char *live_err(double measured, double predicted, char *buf, size_t size)
{
    if (!(predicted > 0) || !isfinite(measured))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%+.1f%%", (measured - predicted) / predicted * 100);
    return buf;
}

static int live_row(FILE *out, ts_err_t *err, const char *label, const char *m, const char *p,
                    double vm, double vp)
{
    char e[32];
    return ts_out_printf(out, err, LIVE_WHAT, "  %-30s %14s %14s %9s\n", label, m, p,
                         live_err(vm, vp, e, sizeof(e)));
}

static int live_lat_row(FILE *out, ts_err_t *err, const char *label, uint64_t m, uint64_t p,
                        bool has_p)
{
    char a[32], b[32];
    return live_row(out, err, label, live_ns(m, a, sizeof(a)),
                    has_p ? live_ns(p, b, sizeof(b)) : "-", (double)m, has_p ? (double)p : 0);
}

/* Measured beside predicted: throughput, latency percentiles, gets by serving level. */
static int live_compare(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_timed_result_t *m = &res->live.m, *p = &res->timed;
    bool hp = res->has_timed;
    char a[32], b[32];
    int rc = ts_out_printf(out, err, LIVE_WHAT, "\n%-32s %14s %14s %9s\n",
                           "measured beside predicted", "measured", "predicted", "error");
    if (!rc)
        rc = live_row(out, err, "throughput (requests/s)", ts_fmt_fixed(m->req_per_s, 0, a, 32),
                      hp ? ts_fmt_fixed(p->req_per_s, 0, b, 32) : "-", m->req_per_s,
                      hp ? p->req_per_s : 0);
    if (!rc) {
        char ma[32], pb[32];
        snprintf(ma, sizeof(ma), "%s/s", ts_fmt_bytes((uint64_t)llround(m->bytes_per_s), a, 32));
        snprintf(pb, sizeof(pb), "%s/s", ts_fmt_bytes((uint64_t)llround(p->bytes_per_s), b, 32));
        rc = live_row(out, err, "throughput (bytes/s)", ma, hp ? pb : "-", m->bytes_per_s,
                      hp ? p->bytes_per_s : 0);
    }
    if (!rc)
        rc = live_lat_row(out, err, "time (first issue to last end)", m->span_ns, p->span_ns, hp);
    const struct {
        const char *name;
        const ts_lat_t *m, *p;
    } sets[] = {
        {"all", &m->all, &p->all}, {"get", &m->op[0], &p->op[0]}, {"put", &m->op[1], &p->op[1]}};
    for (size_t s = 0; !rc && s < 3; s++) {
        if (!sets[s].m->n)
            continue;
        const uint64_t vm[] = {(uint64_t)llround(sets[s].m->mean_ns), sets[s].m->p50_ns,
                               sets[s].m->p90_ns, sets[s].m->p99_ns, sets[s].m->p999_ns};
        const uint64_t vp[] = {(uint64_t)llround(sets[s].p->mean_ns), sets[s].p->p50_ns,
                               sets[s].p->p90_ns, sets[s].p->p99_ns, sets[s].p->p999_ns};
        static const char *const q[] = {"mean", "p50", "p90", "p99", "p99.9"};
        for (size_t k = 0; !rc && k < 5; k++) {
            char label[64];
            snprintf(label, sizeof(label), "%s latency %s", sets[s].name, q[k]);
            rc = live_lat_row(out, err, label, vm[k], vp[k], hp && sets[s].p->n);
        }
    }
    for (size_t l = 0; !rc && l < m->n_levels; l++) {
        const ts_lat_t *lm = &m->served[l];
        const ts_lat_t *lp = hp && l < p->n_levels ? &p->served[l] : NULL;
        if (!lm->n)
            continue;
        char label[96];
        snprintf(label, sizeof(label), "get p50, served by %.40s",
                 l < res->n_tiers ? ts_str(res->tiers[l].name) : "backing");
        rc = live_lat_row(out, err, label, lm->p50_ns, lp ? lp->p50_ns : 0, lp && lp->n);
    }
    if (!rc && m->arrivals == TS_ARRIVALS_CLOSED && m->compute_ns)
        rc = live_row(out, err, "accelerator utilisation", ts_fmt_pct(m->utilisation, a, 32),
                      hp ? ts_fmt_pct(p->utilisation, b, 32) : "-", m->utilisation,
                      hp ? p->utilisation : 0);
    return rc;
}

/* Each level's back-end: requests, latency, bytes, queue depth, busy time. */
static int live_backends(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_live_result_t *lr = &res->live;
    int rc = ts_out_printf(out, err, LIVE_WHAT, "\n%-10s %-18s %8s %9s %9s %8s %9s %9s %4s\n",
                           "back-ends", "back-end", "reads", "read p50", "read p99", "writes",
                           "write p50", "write p99", "qd");
    for (size_t l = 0; !rc && l < lr->n_levels; l++) {
        const ts_live_level_t *d = &lr->level[l];
        char name[64], be[64], n1[32], n2[32], a[32], b[32], c[32], e[32];
        snprintf(name, sizeof(name), "%.9s",
                 l < res->n_tiers ? ts_str(res->tiers[l].name) : "backing");
        snprintf(be, sizeof(be), "%.10s%s%s", ts_str(d->backend), d->direct ? " direct" : "",
                 d->emulated ? " emul." : "");
        rc = ts_out_printf(out, err, LIVE_WHAT, "%-10s %-18s %8s %9s %9s %8s %9s %9s %4u\n", name,
                           be, ts_fmt_count(d->n_read, n1, 32), live_ns(d->read.p50_ns, a, 32),
                           live_ns(d->read.p99_ns, b, 32), ts_fmt_count(d->n_write, n2, 32),
                           live_ns(d->write.p50_ns, c, 32), live_ns(d->write.p99_ns, e, 32),
                           d->max_inflight);
    }
    for (size_t l = 0; !rc && l < lr->n_levels; l++) {
        const ts_live_level_t *d = &lr->level[l];
        char a[32], b[32];
        rc = ts_out_printf(
            out, err, LIVE_WHAT, "  %-8.8s read %s, wrote %s, %llu frees, busy %.3gs\n",
            l < res->n_tiers ? ts_str(res->tiers[l].name) : "backing",
            ts_fmt_bytes(d->bytes_read, a, 32), ts_fmt_bytes(d->bytes_written, b, 32),
            (unsigned long long)d->n_free, d->busy_s);
    }
    return rc;
}

int ts_report_text_live(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_live_result_t *lr = &res->live;
    const ts_timed_result_t *m = &lr->m;
    char a[32], b[32], c[32];
    int rc = ts_out_printf(out, err, LIVE_WHAT, "\n");
    if (!rc && lr->partial)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "PARTIAL    the live run stopped early: %s; what follows covers the "
                           "requests before it\n",
                           ts_str(lr->stop_reason));
    if (!rc && m->arrivals == TS_ARRIVALS_CLOSED)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "live       closed loop: %u clients, think %s between requests\n",
                           m->clients, live_ns(m->think_ns, a, sizeof(a)));
    else if (!rc)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "live       open loop: requests at their trace times x %g / speed %g\n",
                           m->time_scale, lr->speed);
    if (!rc)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "  populate       %llu objects, %s written to the backing store in "
                           "%.3gs before the run\n",
                           (unsigned long long)lr->populate_objects,
                           ts_fmt_bytes(lr->populate_bytes, a, sizeof(a)), lr->populate_s);
    if (!rc && lr->made_objects)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "  made           %llu objects the workload never names (prefetched "
                           "guesses) written to the backing store when first fetched\n",
                           (unsigned long long)lr->made_objects);
    if (!rc)
        rc = ts_out_printf(
            out, err, LIVE_WHAT, "  measured time  %s, CPU time %.3gs (%s of it)\n",
            live_ns(m->span_ns, b, sizeof(b)), lr->cpu_s,
            ts_fmt_pct(m->span_ns ? lr->cpu_s / ((double)m->span_ns * 1e-9) : 0, c, sizeof(c)));
    if (!rc && lr->verify)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "  verified       %llu reads matched what was written\n",
                           (unsigned long long)lr->n_verified);
    else if (!rc)
        rc = ts_out_printf(out, err, LIVE_WHAT, "  verified       no (live.verify: false)\n");
    if (!rc && m->arrivals == TS_ARRIVALS_OPEN)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "  behind         %llu requests issued over 1ms after their time (at "
                           "most %s late)\n",
                           (unsigned long long)lr->n_late, live_ns(lr->late_max_ns, a, sizeof(a)));
    if (!rc)
        rc = live_compare(res, out, err);
    if (!rc)
        rc = live_backends(res, out, err);
    return rc;
}
