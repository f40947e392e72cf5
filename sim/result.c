/* SPDX-License-Identifier: MIT */
/*
 * result.c - what a result owns on the heap, and its release (see result.h).
 */
#include "result.h"

#include "util/mem.h"

const char *const ts_inclusion_names[TS_INCL_COUNT_] = {"non_inclusive", "inclusive",
                                                       "exclusive"};
const char *const ts_promote_names[TS_PROMOTE_COUNT_] = {"top", "up", "none"};
const char *const ts_demote_names[TS_DEMOTE_COUNT_] = {"drop", "next"};
const char *const ts_write_names[TS_WRITE_COUNT_] = {"through", "back"};
const char *const ts_arrivals_names[TS_ARRIVALS_COUNT_] = {"open", "closed"};

void ts_timed_result_release(ts_timed_result_t *r)
{
    ts_lat_t *all[4 + TS_TIMED_LEVELS] = {&r->all, &r->ttft, &r->op[0], &r->op[1]};
    for (size_t l = 0; l < TS_TIMED_LEVELS; l++)
        all[4 + l] = &r->served[l];
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        ts_free(all[i]->buckets);
        all[i]->buckets = NULL;
        all[i]->n_buckets = 0;
    }
}

void ts_result_release(ts_result_t *res)
{
    if (!res)
        return;
    ts_timed_result_release(&res->timed);
    ts_series_destroy(res->series);
    ts_free(res->scenario_yaml);
    ts_free(res->overrides);
    res->series = NULL;
    res->scenario_yaml = NULL;
    res->overrides = NULL;
    res->n_overrides = 0;
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
    for (size_t a = 0; a < s->n_axes; a++)
        ts_sweep_axis_release(&s->axes[a]);
    ts_free(s);
}
