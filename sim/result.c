/* SPDX-License-Identifier: MIT */
/*
 * result.c - what a result owns on the heap, and its release (see result.h).
 */
#include "result.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "util/mem.h"
#include "util/units.h"

const char *const ts_inclusion_names[TS_INCL_COUNT_] = {"non_inclusive", "inclusive",
                                                       "exclusive"};
const char *const ts_promote_names[TS_PROMOTE_COUNT_] = {"top", "up", "none"};
const char *const ts_demote_names[TS_DEMOTE_COUNT_] = {"drop", "next"};
const char *const ts_write_names[TS_WRITE_COUNT_] = {"through", "back"};
const char *const ts_arrivals_names[TS_ARRIVALS_COUNT_] = {"open", "closed"};

int ts_lat_fill(const ts_hist_t *h, ts_lat_t *o, ts_err_t *err)
{
    memset(o, 0, sizeof(*o));
    if (!h || h->n == 0)
        return 0;
    o->n = h->n;
    o->mean_ns = ts_hist_mean(h);
    o->p50_ns = ts_hist_percentile(h, 50);
    o->p90_ns = ts_hist_percentile(h, 90);
    o->p99_ns = ts_hist_percentile(h, 99);
    o->p999_ns = ts_hist_percentile(h, 99.9);
    o->max_ns = h->max_ns;
    return ts_hist_export(h, &o->buckets, &o->n_buckets, err);
}

static void result_lat_release(ts_lat_t *l)
{
    ts_free(l->buckets);
    l->buckets = NULL;
    l->n_buckets = 0;
}

void ts_timed_result_release(ts_timed_result_t *r)
{
    result_lat_release(&r->all);
    result_lat_release(&r->ttft);
    result_lat_release(&r->op[0]);
    result_lat_release(&r->op[1]);
    for (size_t l = 0; r->served && l < r->n_levels; l++)
        result_lat_release(&r->served[l]);
    ts_free(r->served);
    for (size_t j = 0; r->res && j < r->n_res; j++)
        ts_free(r->res[j].name);
    ts_free(r->res);
    ts_free(r->prefill_source);
    ts_free(r->stop_reason);
    r->stop_reason = NULL;
    r->served = NULL;
    r->n_levels = 0;
    r->res = NULL;
    r->n_res = 0;
    r->prefill_source = NULL;
}

static void result_free_str(char **s)
{
    ts_free(*s);
    *s = NULL;
}

void ts_live_result_release(ts_live_result_t *r)
{
    ts_timed_result_release(&r->m);
    for (size_t l = 0; r->level && l < r->n_levels; l++) {
        result_free_str(&r->level[l].backend);
        result_lat_release(&r->level[l].read);
        result_lat_release(&r->level[l].write);
    }
    ts_free(r->level);
    r->level = NULL;
    r->n_levels = 0;
    result_free_str(&r->stop_reason);
}

void ts_result_release(ts_result_t *res)
{
    if (!res)
        return;
    ts_timed_result_release(&res->timed);
    ts_live_result_release(&res->live);
    ts_cost_result_release(&res->cost);
    for (size_t i = 0; res->tiers && i < res->n_tiers; i++) {
        ts_tier_result_t *t = &res->tiers[i];
        result_free_str(&t->name);
        result_free_str(&t->policy);
        result_free_str(&t->params);
        result_free_str(&t->admit);
        result_free_str(&t->admit_params);
    }
    ts_free(res->tiers);
    res->tiers = NULL;
    res->n_tiers = 0;
    ts_free(res->hier.link);
    res->hier.link = NULL;
    result_free_str(&res->hier.prefetch);
    result_free_str(&res->hier.prefetch_params);
    result_free_str(&res->hier.prefetch_into);
    result_free_str(&res->scenario);
    result_free_str(&res->name);
    result_free_str(&res->workload);
    result_free_str(&res->skipped_first);
    ts_series_destroy(res->series);
    if (!res->is_yaml_shared)
        ts_free((char *)res->scenario_yaml);
    ts_free(res->overrides);
    res->series = NULL;
    res->scenario_yaml = NULL;
    res->is_yaml_shared = false;
    res->overrides = NULL;
    res->n_overrides = 0;
}

int ts_result_alloc_tiers(ts_result_t *res, size_t n, ts_err_t *err)
{
    ts_tier_result_t *t = ts_calloc(n ? n : 1, sizeof(*t));
    ts_link_stats_t *l = ts_calloc(n ? n : 1, sizeof(*l));
    if (!t || !l) {
        ts_free(t);
        ts_free(l);
        return ts_err_set(err, TS_ENOMEM, "cannot hold the results of %zu tiers", n);
    }
    res->tiers = t;
    res->n_tiers = n;
    res->hier.link = l;
    return 0;
}

void ts_result_set_hier_stats(ts_hier_result_t *dst, const ts_hier_stats_t *st,
                              const ts_link_stats_t *link, size_t n)
{
    dst->st = *st;
    memcpy(dst->link, link, n * sizeof(*link));
}

int ts_result_strf(char **dst, size_t max, ts_err_t *err, const char *fmt, ...)
{
    ts_free(*dst);
    *dst = NULL;
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (max && len > max - 1)
        len = max - 1; /* what snprintf leaves in a buffer of max bytes */
    char *s = ts_malloc(len + 1);
    if (s) {
        if (n > 0)
            vsnprintf(s, len + 1, fmt, aq);
        s[len] = 0;
    }
    va_end(aq);
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot hold a string of %zu bytes", len + 1);
    *dst = s;
    return 0;
}

static size_t result_str_bytes(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static size_t result_lat_bytes(const ts_lat_t *l)
{
    return l->n_buckets * sizeof(*l->buckets);
}

static size_t result_timed_bytes(const ts_timed_result_t *t)
{
    size_t b = result_lat_bytes(&t->all) + result_lat_bytes(&t->ttft) +
               result_lat_bytes(&t->op[0]) + result_lat_bytes(&t->op[1]) +
               result_str_bytes(t->prefill_source) + result_str_bytes(t->stop_reason);
    for (size_t l = 0; t->served && l < t->n_levels; l++)
        b += sizeof(*t->served) + result_lat_bytes(&t->served[l]);
    for (size_t j = 0; t->res && j < t->n_res; j++)
        b += sizeof(*t->res) + result_str_bytes(t->res[j].name);
    return b;
}

size_t ts_result_heap_bytes(const ts_result_t *res)
{
    size_t b = result_str_bytes(res->scenario) + result_str_bytes(res->name) +
               result_str_bytes(res->workload) + result_str_bytes(res->skipped_first);
    if (res->tiers)
        b += res->n_tiers * sizeof(*res->tiers);
    for (size_t i = 0; res->tiers && i < res->n_tiers; i++) {
        const ts_tier_result_t *t = &res->tiers[i];
        b += result_str_bytes(t->name) + result_str_bytes(t->policy) +
             result_str_bytes(t->params) + result_str_bytes(t->admit) +
             result_str_bytes(t->admit_params);
    }
    const ts_hier_result_t *h = &res->hier;
    if (h->link)
        b += res->n_tiers * sizeof(*h->link);
    b += result_str_bytes(h->prefetch) + result_str_bytes(h->prefetch_params) +
         result_str_bytes(h->prefetch_into);
    b += result_timed_bytes(&res->timed) + result_timed_bytes(&res->live.m);
    const ts_live_result_t *lr = &res->live;
    b += result_str_bytes(lr->stop_reason);
    for (size_t l = 0; lr->level && l < lr->n_levels; l++)
        b += sizeof(*lr->level) + result_str_bytes(lr->level[l].backend) +
             result_lat_bytes(&lr->level[l].read) + result_lat_bytes(&lr->level[l].write);
    const ts_cost_result_t *c = &res->cost;
    for (size_t l = 0; c->level && l < c->n_levels; l++)
        b += sizeof(*c->level) + result_str_bytes(c->level[l].name);
    b += result_str_bytes(c->gpu) + result_str_bytes(c->gpu_fallback) +
         result_str_bytes(c->prices) + result_str_bytes(c->prices_date);
    if (res->series)
        b += sizeof(*res->series) + res->series->n_rows * res->series->n_cols * sizeof(uint64_t);
    if (!res->is_yaml_shared)
        b += result_str_bytes(res->scenario_yaml);
    if (res->overrides) {
        b += res->n_overrides * sizeof(char *);
        for (size_t i = 0; i < res->n_overrides; i++)
            b += strlen(res->overrides[i]) + 1;
    }
    return b;
}

/* ---- many runs ---- */

void ts_mrc_destroy(ts_mrc_t *m)
{
    if (!m)
        return;
    ts_free(m->capacity);
    ts_free(m->points);
    ts_free(m);
}

void ts_sweep_axis_release(ts_sweep_axis_t *a)
{
    for (size_t i = 0; i < a->n_values; i++)
        ts_free(a->values[i]);
    ts_free(a->values);
    ts_free(a->key);
    *a = (ts_sweep_axis_t){0};
}

size_t ts_sweep_index(const ts_sweep_t *s, size_t p, size_t a)
{
    size_t stride = 1;
    for (size_t b = s->n_axes; b-- > a + 1;)
        stride *= s->axes[b].n_values;
    return (p / stride) % s->axes[a].n_values;
}

const char *ts_sweep_value(const ts_sweep_t *s, size_t p, size_t a)
{
    return s->axes[a].values[ts_sweep_index(s, p, a)];
}

void ts_sweep_destroy(ts_sweep_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->runs && i < s->n_runs; i++)
        ts_result_release(&s->runs[i]);
    ts_free(s->runs);
    ts_free(s->scenario_yaml);
    for (size_t a = 0; a < s->n_axes; a++)
        ts_sweep_axis_release(&s->axes[a]);
    ts_free(s);
}

/* A rate with three significant digits: "0.50", "90.9", "136", "1.50k". */
static void result_rate(double v, char *buf, size_t size)
{
    if (v >= 999.5)
        ts_fmt_count((uint64_t)llround(v), buf, size);
    else
        ts_fmt_fixed(v, v < 9.995 ? 2 : v < 99.95 ? 1 : 0, buf, size);
}

const char *ts_res_load_text(const ts_res_result_t *r, char *buf, size_t size)
{
    char off[TS_FMT_LEN], cap[TS_FMT_LEN], pct[TS_FMT_LEN], since[TS_FMT_LEN];
    const char *unit = r->is_load_bytes ? "/s" : " requests/s";
    if (r->is_load_bytes) {
        ts_fmt_bytes((uint64_t)llround(r->offered_per_s), off, sizeof(off));
        ts_fmt_bytes((uint64_t)llround(r->capacity_per_s), cap, sizeof(cap));
    } else {
        result_rate(r->offered_per_s, off, sizeof(off));
        result_rate(r->capacity_per_s, cap, sizeof(cap));
    }
    int n;
    if (r->capacity_per_s > 0)
        n = snprintf(buf, size, "offered %s%s against a capacity of %s%s (%s)", off, unit, cap,
                     unit, ts_fmt_pct(r->offered_per_s / r->capacity_per_s, pct, sizeof(pct)));
    else
        n = snprintf(buf, size, "offered %s%s, its capacity not measured yet (no request on it "
                                "had ended)", off, unit);
    if (n < 0 || (size_t)n >= size)
        return buf;
    if (r->is_overloaded)
        snprintf(buf + n, size - (size_t)n, "; backlog growing since %s of simulated time",
                 ts_format_duration(r->backlog_since_ns, since, sizeof(since)));
    return buf;
}

const ts_res_result_t *ts_timed_worst_overload(const ts_timed_result_t *t)
{
    const ts_res_result_t *worst = NULL;
    double worst_ratio = 0;
    for (size_t j = 0; t->res && j < t->n_res; j++) {
        const ts_res_result_t *r = &t->res[j];
        double ratio = r->capacity_per_s > 0 ? r->offered_per_s / r->capacity_per_s : 0;
        if (r->is_overloaded && (!worst || ratio > worst_ratio)) {
            worst = r;
            worst_ratio = ratio;
        }
    }
    return worst;
}

int ts_timed_stop_reason(ts_timed_result_t *t, uint32_t limit, ts_err_t *err)
{
    char at[TS_FMT_LEN], load[2 * TS_FMT_LEN + 96];
    const ts_res_result_t *w = ts_timed_worst_overload(t);
    return ts_result_strf(
        &t->stop_reason, TS_TIMED_STOP, err,
        "%u jobs in flight (timed.max_in_flight) at %s of simulated time: %s%s%s; no more "
        "requests were issued (docs/timed-model.md, \"Overload\")",
        limit, ts_format_duration(t->arrivals_end_ns, at, sizeof(at)),
        w ? ts_str(w->name) : "no resource was found overloaded",
        w ? " is overloaded, " : "", w ? ts_res_load_text(w, load, sizeof(load)) : "");
}
