/* SPDX-License-Identifier: MIT */
/*
 * overload.c - resource figures and open-loop overload detection (see overload.h).
 */
#include "overload.h"

#include <string.h>

#include "util/mem.h"

#define OV_FIRST_STEP_NS 1000u /* spacing of the first checkpoints (1 us) */
#define OV_MIN_DONE 16         /* stages ended in the window to measure its service time */

/* One resource's counters at a checkpoint. */
typedef struct ov_point {
    uint64_t n_arrivals, n_done, bytes_arrived;
    double moved_bytes, busy_area, service_sum_ns;
    uint64_t backlog_since_ns; /* with is_backlogged (ts_res_stats_t) */
    bool is_backlogged;
} ov_point_t;

struct ts_overload {
    const ts_res_sys_t *rs;
    uint32_t n_res;
    uint32_t n_points;       /* checkpoints held */
    uint64_t step_ns;        /* spacing of checkpoints now */
    uint64_t next_ns;        /* the next is due at or after this */
    uint64_t end_ns;         /* the arrivals ended here (with is_ended) */
    bool is_ended;
    uint64_t at[TS_OVERLOAD_POINTS + 1]; /* checkpoint times; the last slot is the end's */
    ov_point_t *pt;          /* [(TS_OVERLOAD_POINTS + 1) x n_res], checkpoint-major */
};

static void ov_take(ts_overload_t *o, uint32_t k, uint64_t now)
{
    o->at[k] = now;
    for (uint32_t i = 0; i < o->n_res; i++) {
        ts_res_stats_t s;
        ts_res_stats(o->rs, i, &s);
        o->pt[(size_t)k * o->n_res + i] = (ov_point_t){
            s.n_arrivals, s.n_done,           s.bytes_arrived, s.moved_bytes,
            s.busy_area,  s.service_sum_ns,   s.backlog_since_ns, s.is_backlogged};
    }
}

int ts_overload_create(const ts_res_sys_t *rs, ts_overload_t **out, ts_err_t *err)
{
    *out = NULL;
    ts_overload_t *o = ts_calloc(1, sizeof(*o));
    uint32_t n = ts_res_count(rs);
    if (o)
        o->pt = ts_calloc((size_t)(TS_OVERLOAD_POINTS + 1) * (n ? n : 1), sizeof(*o->pt));
    if (!o || !o->pt) {
        ts_overload_destroy(o);
        return ts_err_set(err, TS_ENOMEM, "cannot hold the load checkpoints of %u resources",
                          n);
    }
    o->rs = rs;
    o->n_res = n;
    o->step_ns = OV_FIRST_STEP_NS;
    *out = o;
    ts_overload_sample(o, 0);
    return 0;
}

void ts_overload_destroy(ts_overload_t *o)
{
    if (!o)
        return;
    ts_free(o->pt);
    ts_free(o);
}

void ts_overload_sample(ts_overload_t *o, uint64_t now)
{
    if (!o || o->is_ended || (o->n_points && now < o->next_ns))
        return;
    if (o->n_points == TS_OVERLOAD_POINTS) { /* keep every other one, twice as far apart */
        for (uint32_t k = 1; k < TS_OVERLOAD_POINTS / 2; k++) {
            o->at[k] = o->at[2 * k];
            memcpy(&o->pt[(size_t)k * o->n_res], &o->pt[(size_t)2 * k * o->n_res],
                   o->n_res * sizeof(*o->pt));
        }
        o->n_points = TS_OVERLOAD_POINTS / 2;
        o->step_ns *= 2;
    }
    ov_take(o, o->n_points++, now);
    o->next_ns = now + o->step_ns;
}

void ts_overload_end(ts_overload_t *o, uint64_t now)
{
    if (!o || o->is_ended)
        return;
    ov_take(o, TS_OVERLOAD_POINTS, now);
    o->end_ns = now;
    o->is_ended = true;
}

uint64_t ts_overload_end_ns(const ts_overload_t *o)
{
    return o && o->is_ended ? o->end_ns : 0;
}

/* The window's figures of resource i (whose channels and bandwidth s gives) into rr (see
 * overload.h). */
static void ov_judge(const ts_overload_t *o, uint32_t i, const ts_res_stats_t *s,
                     ts_res_result_t *rr)
{
    uint64_t t_end = o->end_ns, from = t_end - t_end / 4;
    uint32_t a = 0;
    for (uint32_t k = 0; k < o->n_points; k++)
        if (o->at[k] <= from)
            a = k;
    if (o->at[a] >= t_end)
        return;
    double w = (double)(t_end - o->at[a]) * 1e-9; /* seconds */
    const ov_point_t *p = &o->pt[(size_t)a * o->n_res + i];
    const ov_point_t *e = &o->pt[(size_t)TS_OVERLOAD_POINTS * o->n_res + i];
    double arrived = (double)(e->n_arrivals - p->n_arrivals);
    double busy = e->busy_area - p->busy_area; /* channel-ns */
    double u_bw = s->bw_bytes_per_s
                      ? (e->moved_bytes - p->moved_bytes) / ((double)s->bw_bytes_per_s * w)
                      : 0;
    double u_ch = s->channels ? busy / ((double)s->channels * w * 1e9) : 0;
    rr->is_load_bytes = s->bw_bytes_per_s && u_bw >= u_ch;
    if (rr->is_load_bytes) {
        rr->offered_per_s = (double)(e->bytes_arrived - p->bytes_arrived) / w;
        rr->capacity_per_s = (double)s->bw_bytes_per_s;
    } else {
        /* c over the mean service of the stages ended in the window, or, with fewer than
         * OV_MIN_DONE there (services longer than it), of all those ended so far */
        double done = (double)(e->n_done - p->n_done);
        double served = e->service_sum_ns - p->service_sum_ns;
        if (done < OV_MIN_DONE) {
            done = (double)e->n_done;
            served = e->service_sum_ns;
        }
        rr->offered_per_s = arrived / w;
        rr->capacity_per_s = served > 0 ? done * s->channels / served * 1e9 : 0;
    }
    double grew = (double)(e->n_arrivals - e->n_done) - (double)(p->n_arrivals - p->n_done);
    double util = u_bw > u_ch ? u_bw : u_ch;
    rr->is_overloaded = util >= TS_OVERLOAD_UTIL && grew >= 1 &&
                        grew >= TS_OVERLOAD_GROWTH * arrived && e->is_backlogged;
    rr->backlog_since_ns = rr->is_overloaded ? e->backlog_since_ns : 0;
}

void ts_overload_fill(const ts_overload_t *o, const ts_res_sys_t *rs, uint32_t id,
                      uint64_t span, bool is_bw, uint64_t cost_bytes, ts_res_result_t *rr)
{
    ts_res_stats_t s;
    ts_res_stats(rs, id, &s);
    double T = span ? (double)span : 1.0;
    uint64_t cost = cost_bytes * s.n_done;
    rr->n_ops = s.n_done;
    rr->bytes = cost < s.bytes ? s.bytes - cost : 0;
    rr->is_bw_util = is_bw;
    rr->channel_utilisation = rr->channels ? s.busy_area / ((double)rr->channels * T) : 0;
    if (!is_bw)
        rr->utilisation = rr->channel_utilisation;
    else if (rr->role == TS_ROLE_DEVICE && s.bw_bytes_per_s)
        rr->utilisation = s.moved_bytes / ((double)s.bw_bytes_per_s * T * 1e-9);
    else
        rr->utilisation = (double)s.bw_busy_ns / T;
    rr->mean_queue = s.queue_area / T;
    rr->mean_wait_ns = s.n_started ? s.wait_sum_ns / (double)s.n_started : 0;
    rr->max_wait_ns = s.wait_max_ns;
    rr->mean_in_system = s.system_area / T;
    if (o && o->is_ended && id < o->n_res)
        ov_judge(o, id, &s, rr);
}
