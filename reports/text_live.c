/* SPDX-License-Identifier: MIT */
/*
 * text_live.c - the text report's live section (report.h): how the live run went, what it
 * measured beside what the timed engine predicted for the same scenario (error in percent:
 * (measured - predicted) / predicted), and what each level's back-end did.
 */
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

/* Measured beside predicted: throughput, latency percentiles, gets by serving level
 * (ts_report_live_figures). */
static int live_compare(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    ts_live_fig_t figs[TS_LIVE_FIGS];
    size_t n = ts_report_live_figures(res, figs);
    int rc = ts_out_printf(out, err, LIVE_WHAT, "\n%-32s %14s %14s %9s\n",
                           "measured beside predicted", "measured", "predicted", "error");
    for (size_t i = 0; !rc && i < n; i++) {
        const ts_live_fig_t *f = &figs[i];
        char m[32], p[32], e[32];
        rc = ts_out_printf(out, err, LIVE_WHAT, "  %-30s %14s %14s %9s\n", f->label,
                           ts_report_live_value(f, f->measured, m, sizeof(m)),
                           f->has_predicted ? ts_report_live_value(f, f->predicted, p, sizeof(p))
                                            : "-",
                           ts_report_live_error(f, e, sizeof(e)));
    }
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
    if (!rc && m->arrivals == TS_ARRIVALS_CLOSED && m->loader_workers)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "live       closed loop: %u clients, each a data loader of %u workers "
                           "reading %u batches ahead each; compute %s per batch (a wait on the "
                           "clock)\n",
                           m->clients, m->loader_workers, m->prefetch_factor,
                           live_ns(m->think_ns, a, sizeof(a)));
    else if (!rc && m->arrivals == TS_ARRIVALS_CLOSED)
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
    if (!rc && m->arrivals == TS_ARRIVALS_CLOSED)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           m->loader_workers ? "  accelerator    compute %s, stall %s: "
                                               "utilisation (AU) %s, as DLIO measures it\n"
                                             : "  accelerator    compute %s, stall %s: "
                                               "utilisation %s\n",
                           live_ns(m->compute_ns, a, sizeof(a)),
                           live_ns(m->stall_ns, b, sizeof(b)),
                           ts_fmt_pct(m->utilisation, c, sizeof(c)));
    if (!rc && m->arrivals == TS_ARRIVALS_CLOSED && m->au_target > 0)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "  AU threshold   %s (MLPerf Storage's for this workload): %s\n",
                           ts_fmt_pct(m->au_target, a, sizeof(a)),
                           m->utilisation >= m->au_target ? "pass" : "FAIL");
    if (!rc && lr->verify)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "  verified       %llu reads matched what was written\n",
                           (unsigned long long)lr->n_verified);
    else if (!rc)
        rc = ts_out_printf(out, err, LIVE_WHAT, "  verified       no (live.verify: false)\n");
    if (!rc && m->ttft.n)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "  prefill tokens %llu saved (blocks a tier held), %llu recomputed "
                           "(%llu blocks not read: their prefill is modelled at %s tokens/s)\n",
                           (unsigned long long)m->prefill_tokens_saved,
                           (unsigned long long)m->prefill_tokens_recomputed,
                           (unsigned long long)m->kv_recomputed,
                           ts_fmt_fixed(m->prefill_rate, 0, a, sizeof(a)));
    if (!rc && m->arrivals == TS_ARRIVALS_OPEN)
        rc = ts_out_printf(out, err, LIVE_WHAT,
                           "  behind         %llu requests issued over 1ms after their time (at "
                           "most %s late)\n",
                           (unsigned long long)lr->n_late, live_ns(lr->late_max_ns, a, sizeof(a)));
    if (!rc) rc = live_compare(res, out, err);
    if (!rc) rc = live_backends(res, out, err);
    return rc;
}
