/* SPDX-License-Identifier: MIT */
/*
 * resource.c - channels, FCFS waiting lines and processor-shared bandwidth (see resource.h).
 *
 * Units of work: one unit is 1/RES_K nano-byte, so a transfer of S bytes is S * 1e9 * RES_K
 * units and a resource of B bytes/s delivers B * RES_K units per ns in all. With n active
 * transfers each receives min(cap, B/n) * RES_K units per ns; RES_K = lcm(1..16) keeps that
 * an integer for every n <= 16 (and every n dividing it). For other n the increment of V is
 * rounded up, so V never lags the exact value. A completion event is placed at the exact
 * finish under the current sharing rounded up to the ns; until it pops all transfers keep
 * sharing, so each rounding can delay the later finishes of the same busy period by under
 * 1 ns. One valid completion event per resource: ev_at is its time; an event of the
 * resource at any other time is stale (the next finish moved) and is ignored.
 */
#include "resource.h"

#include <stdio.h>
#include <string.h>

#include "util/mem.h"
#include "util/pool.h"

#define RES_K 720720u /* lcm(1..16) */
#define RES_NS_PER_S 1000000000u

typedef unsigned __int128 u128;

struct job {
    uint64_t cookie;    /* the owner's; first, as pool nodes start with a 64-bit key */
    uint32_t next;      /* next in a waiting line (bytes 8..11, the pool's free link) */
    uint32_t n, cur;    /* stages, current stage */
    uint64_t start_ns;  /* submit time */
    uint64_t arrive_ns; /* arrival at the current stage */
    uint64_t serve_ns;  /* when it took a channel there */
    ts_res_stage_t st[TS_RES_MAX_STAGES];
};

struct flow {
    u128 fin;     /* V at which the transfer is done */
    uint32_t job; /* job id */
    uint32_t seq; /* start order, breaks ties between equal finishes */
};

struct res {
    char name[32];
    uint32_t id;
    uint32_t channels;     /* 0 = unlimited */
    uint64_t bw;           /* bytes/s, 0 = infinite */
    uint64_t cap;          /* bytes/s per transfer, 0 = none */
    ts_hist_t *wait_hist;  /* the owner's, or NULL */
    uint32_t wait_head;    /* FCFS waiting line of job ids */
    uint32_t wait_tail;
    struct flow *fh;       /* binary min-heap of active transfers by (fin, seq) */
    uint32_t fcap;         /* slots in fh */
    uint32_t fseq;         /* next transfer's seq */
    u128 v;                /* virtual time: units each active transfer has received */
    uint64_t t_v;          /* time v was last brought up to date */
    uint64_t ev_at;        /* time of the valid completion event, TS_DES_NEVER when none */
    bool in_loop;          /* completing transfers: defer rescheduling to the loop's end */
    uint64_t t_acc;        /* areas in st are integrated up to this time */
    ts_res_stats_t st;     /* totals; in_service, waiting, transfers are the live counts */
};

struct ts_res_sys {
    ts_des_t *q;
    ts_res_done_fn done;
    void *ctx;
    uint32_t kind_job; /* event: a job's fixed time (or zero-length service) is over */
    uint32_t kind_res; /* event: a resource's next transfer completion */
    struct res **res;  /* resources by id (pointers stay put when the array grows) */
    uint32_t n_res, cap_res;
    ts_pool_t jobs;
};

static inline struct job *res_job(ts_res_sys_t *s, uint32_t id)
{
    return ts_pool_at(&s->jobs, id);
}

/* ---- time integrals ------------------------------------------------------------------- */

/* Bytes/s all active transfers move together: n x the cap when that is below B, else B. */
static inline double res_rate(const struct res *r, uint32_t transfers)
{
    if (r->cap && (!r->bw || (u128)r->cap * transfers <= r->bw))
        return (double)r->cap * transfers;
    return (double)r->bw;
}

/* Saturated: a request waits for a channel, or the shared bandwidth is all in use. */
static inline bool res_saturated(const struct res *r, const ts_res_stats_t *st)
{
    return (r->channels && st->waiting) ||
           (r->bw && st->transfers && res_rate(r, st->transfers) >= (double)r->bw);
}

static inline void res_acc_to(const struct res *r, uint64_t now, ts_res_stats_t *st)
{
    if (now == r->t_acc)
        return;
    double dt = (double)(now - r->t_acc);
    st->busy_area += dt * st->in_service;
    st->queue_area += dt * st->waiting;
    st->system_area += dt * (st->in_service + st->waiting);
    st->transfer_area += dt * st->transfers;
    if (st->transfers) {
        st->bw_busy_ns += now - r->t_acc;
        st->moved_bytes += dt * res_rate(r, st->transfers) / RES_NS_PER_S;
    }
    if (!res_saturated(r, st))
        st->is_backlogged = false;
    else if (!st->is_backlogged) {
        st->is_backlogged = true;
        st->backlog_since_ns = r->t_acc;
    }
}

static inline void res_acc(struct res *r, uint64_t now)
{
    if (now != r->t_acc) {
        res_acc_to(r, now, &r->st);
        r->t_acc = now;
    }
}

/* ---- shared bandwidth ----------------------------------------------------------------- */

/* True when each transfer runs at the cap rather than at its share B/n. */
static inline bool res_capped(const struct res *r)
{
    return r->cap && (!r->bw || (u128)r->cap * r->st.transfers <= r->bw);
}

static inline void res_advance(struct res *r, uint64_t now)
{
    uint64_t dt = now - r->t_v;
    r->t_v = now;
    if (!dt || !r->st.transfers)
        return;
    if (res_capped(r)) {
        r->v += (u128)dt * r->cap * RES_K;
    } else {
        u128 all = (u128)dt * r->bw * RES_K, n = r->st.transfers;
        r->v += (all + n - 1) / n;
    }
}

/* Time at which the first transfer of the heap is done, given v at now. */
static uint64_t res_next_finish(const struct res *r, uint64_t now)
{
    u128 fin = r->fh[0].fin;
    if (fin <= r->v)
        return now;
    u128 left = fin - r->v, dt;
    if (res_capped(r)) {
        u128 rate = (u128)r->cap * RES_K;
        dt = (left + rate - 1) / rate;
    } else {
        u128 rate = (u128)r->bw * RES_K;
        dt = (left * r->st.transfers + rate - 1) / rate;
    }
    return dt >= TS_DES_NEVER - now ? TS_DES_NEVER - 1 : now + (uint64_t)dt;
}

static inline bool flow_less(const struct flow *a, const struct flow *b)
{
    return a->fin < b->fin || (a->fin == b->fin && a->seq < b->seq);
}

static int res_flow_reserve(struct res *r, uint32_t n, ts_err_t *err)
{
    if (n <= r->fcap)
        return 0;
    uint32_t ncap = r->fcap ? r->fcap * 2 : 16;
    if (ncap < n)
        ncap = n;
    struct flow *fh = ts_realloc(r->fh, (size_t)ncap * sizeof(*fh));
    if (!fh)
        return ts_err_set(err, TS_ENOMEM, "%s: cannot track %u transfers", r->name, ncap);
    r->fh = fh;
    r->fcap = ncap;
    return 0;
}

static void res_flow_push(struct res *r, struct flow x)
{
    uint32_t i = r->st.transfers++;
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!flow_less(&x, &r->fh[p]))
            break;
        r->fh[i] = r->fh[p];
        i = p;
    }
    r->fh[i] = x;
}

static struct flow res_flow_pop(struct res *r)
{
    struct flow top = r->fh[0], x = r->fh[--r->st.transfers];
    uint32_t n = r->st.transfers, i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && flow_less(&r->fh[c + 1], &r->fh[c]))
            c++;
        if (!flow_less(&r->fh[c], &x))
            break;
        r->fh[i] = r->fh[c];
        i = c;
    }
    if (n)
        r->fh[i] = x;
    return top;
}

/* Makes sure the resource's completion event is scheduled at its next finish. */
static int res_resched(ts_res_sys_t *s, struct res *r, ts_err_t *err)
{
    if (r->in_loop)
        return 0;
    if (!r->st.transfers) {
        r->ev_at = TS_DES_NEVER;
        return 0;
    }
    uint64_t t = res_next_finish(r, ts_des_now(s->q));
    if (t == r->ev_at)
        return 0;
    r->ev_at = t;
    return ts_des_schedule(s->q, t, ts_des_tag(s->kind_res, r->id), err);
}

static int res_transfer_start(ts_res_sys_t *s, struct res *r, uint32_t job, uint64_t bytes,
                              ts_err_t *err)
{
    int rc = res_flow_reserve(r, r->st.transfers + 1, err);
    if (rc)
        return rc;
    uint64_t now = ts_des_now(s->q);
    res_acc(r, now);
    res_advance(r, now);
    u128 work = (u128)bytes * RES_NS_PER_S * RES_K;
    res_flow_push(r, (struct flow){.fin = r->v + work, .job = job, .seq = r->fseq++});
    return res_resched(s, r, err);
}

/* ---- stages and jobs ------------------------------------------------------------------ */

static inline bool res_has_transfer(const struct res *r, const ts_res_stage_t *st)
{
    return st->bytes && (r->bw || r->cap);
}

static int res_stage_begin(ts_res_sys_t *s, uint32_t jid, ts_err_t *err);

/* Job jid takes a channel of r now. Never ends the stage synchronously, so channel
 * hand-offs do not recurse. */
static int res_service_start(ts_res_sys_t *s, struct res *r, uint32_t jid, ts_err_t *err)
{
    uint64_t now = ts_des_now(s->q);
    struct job *j = res_job(s, jid);
    const ts_res_stage_t *st = &j->st[j->cur];
    uint64_t wait = now - j->arrive_ns;
    j->serve_ns = now;
    r->st.in_service++;
    r->st.n_started++;
    r->st.wait_sum_ns += (double)wait;
    if (wait > r->st.wait_max_ns)
        r->st.wait_max_ns = wait;
    if (r->wait_hist)
        ts_hist_record(r->wait_hist, wait);
    if (!st->fixed_ns && res_has_transfer(r, st))
        return res_transfer_start(s, r, jid, st->bytes, err);
    return ts_des_schedule(s->q, now + st->fixed_ns, ts_des_tag(s->kind_job, jid), err);
}

/* The current stage of job jid ends now: free its channel (the next waiter takes it), then
 * begin the next stage or finish the job. */
static int res_stage_end(ts_res_sys_t *s, uint32_t jid, ts_err_t *err)
{
    uint64_t now = ts_des_now(s->q);
    struct job *j = res_job(s, jid);
    const ts_res_stage_t *st = &j->st[j->cur];
    if (st->res != TS_RES_DELAY) {
        struct res *r = s->res[st->res];
        res_acc(r, now);
        r->st.in_service--;
        r->st.n_done++;
        r->st.bytes += st->bytes;
        r->st.sojourn_sum_ns += (double)(now - j->arrive_ns);
        r->st.service_sum_ns += (double)(now - j->serve_ns);
        if (r->st.waiting) {
            uint32_t w = r->wait_head;
            r->wait_head = res_job(s, w)->next;
            r->st.waiting--;
            int rc = res_service_start(s, r, w, err);
            if (rc)
                return rc;
        }
    }
    if (++j->cur < j->n)
        return res_stage_begin(s, jid, err);
    uint64_t cookie = j->cookie, start = j->start_ns;
    ts_pool_release(&s->jobs, jid);
    return s->done(s->ctx, cookie, start, err);
}

/* Job jid arrives at its current stage now. */
static int res_stage_begin(ts_res_sys_t *s, uint32_t jid, ts_err_t *err)
{
    uint64_t now = ts_des_now(s->q);
    struct job *j = res_job(s, jid);
    const ts_res_stage_t *st = &j->st[j->cur];
    j->arrive_ns = now;
    if (st->res == TS_RES_DELAY)
        return ts_des_schedule(s->q, now + st->fixed_ns, ts_des_tag(s->kind_job, jid), err);
    struct res *r = s->res[st->res];
    res_acc(r, now);
    r->st.n_arrivals++;
    r->st.bytes_arrived += st->bytes;
    if (!r->channels || r->st.in_service < r->channels)
        return res_service_start(s, r, jid, err);
    j->next = TS_POOL_NONE;
    if (r->st.waiting)
        res_job(s, r->wait_tail)->next = jid;
    else
        r->wait_head = jid;
    r->wait_tail = jid;
    r->st.waiting++;
    r->st.n_queued++;
    return 0;
}

/* Event: job id's fixed time is over (or its stage had no time at all). */
static int res_on_job(void *ctx, uint32_t jid, ts_err_t *err)
{
    ts_res_sys_t *s = ctx;
    struct job *j = res_job(s, jid);
    const ts_res_stage_t *st = &j->st[j->cur];
    if (st->res != TS_RES_DELAY) {
        struct res *r = s->res[st->res];
        if (res_has_transfer(r, st))
            return res_transfer_start(s, r, jid, st->bytes, err);
    }
    return res_stage_end(s, jid, err);
}

/* Event: resource id's earliest transfers may be done. */
static int res_on_res(void *ctx, uint32_t id, ts_err_t *err)
{
    ts_res_sys_t *s = ctx;
    struct res *r = s->res[id];
    uint64_t now = ts_des_now(s->q);
    if (now != r->ev_at)
        return 0;
    r->ev_at = TS_DES_NEVER;
    res_acc(r, now);
    res_advance(r, now);
    r->in_loop = true;
    while (r->st.transfers && r->fh[0].fin <= r->v) {
        struct flow f = res_flow_pop(r);
        if (!r->st.transfers)
            r->v = 0;
        int rc = res_stage_end(s, f.job, err);
        if (rc) {
            r->in_loop = false;
            return rc;
        }
    }
    r->in_loop = false;
    return res_resched(s, r, err);
}

/* ---- public --------------------------------------------------------------------------- */

int ts_res_sys_create(ts_des_t *q, ts_res_done_fn done, void *ctx, ts_res_sys_t **out,
                      ts_err_t *err)
{
    *out = NULL;
    if (q->n_kinds + 2 > TS_DES_KINDS)
        return ts_err_set(err, TS_ENOSPC, "the event queue has no room for 2 more kinds");
    ts_res_sys_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a resource set");
    int rc = ts_pool_init(&s->jobs, sizeof(struct job), 64, err);
    if (rc) {
        ts_free(s);
        return rc;
    }
    s->q = q;
    s->done = done;
    s->ctx = ctx;
    ts_des_kind_add(q, res_on_job, s, &s->kind_job, err);
    ts_des_kind_add(q, res_on_res, s, &s->kind_res, err);
    *out = s;
    return 0;
}

void ts_res_sys_destroy(ts_res_sys_t *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->n_res; i++) {
        ts_free(s->res[i]->fh);
        ts_free(s->res[i]);
    }
    ts_free(s->res);
    ts_pool_free_all(&s->jobs);
    ts_free(s);
}

int ts_res_add(ts_res_sys_t *s, const ts_res_spec_t *spec, uint32_t *id, ts_err_t *err)
{
    const char *name = spec->name ? spec->name : "";
    if (spec->max_rate_bytes_per_s && spec->bw_bytes_per_s &&
        spec->max_rate_bytes_per_s > spec->bw_bytes_per_s)
        return ts_err_set(err, TS_EINVAL,
                          "%s: per-transfer rate %llu B/s is above the bandwidth %llu B/s",
                          name, (unsigned long long)spec->max_rate_bytes_per_s,
                          (unsigned long long)spec->bw_bytes_per_s);
    if (s->n_res >= TS_DES_ID_MAX)
        return ts_err_set(err, TS_ENOSPC, "more than %u resources", TS_DES_ID_MAX);
    if (s->n_res == s->cap_res) {
        uint32_t ncap = s->cap_res ? s->cap_res * 2 : 8;
        struct res **nr = ts_realloc(s->res, ncap * sizeof(*nr));
        if (!nr)
            return ts_err_set(err, TS_ENOMEM, "cannot grow the resource table");
        s->res = nr;
        s->cap_res = ncap;
    }
    struct res *r = ts_calloc(1, sizeof(*r));
    if (!r)
        return ts_err_set(err, TS_ENOMEM, "%s: cannot allocate a resource", name);
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->id = s->n_res;
    r->channels = spec->channels;
    r->bw = spec->bw_bytes_per_s;
    r->cap = spec->max_rate_bytes_per_s;
    r->wait_hist = spec->wait_hist;
    r->ev_at = TS_DES_NEVER;
    r->t_v = r->t_acc = ts_des_now(s->q);
    s->res[s->n_res] = r;
    *id = s->n_res++;
    return 0;
}

int ts_res_submit(ts_res_sys_t *s, const ts_res_stage_t *stages, uint32_t n, uint64_t cookie,
                  ts_err_t *err)
{
    if (n < 1 || n > TS_RES_MAX_STAGES)
        return ts_err_set(err, TS_EINVAL, "a job has 1 to %u stages, not %u",
                          TS_RES_MAX_STAGES, n);
    for (uint32_t i = 0; i < n; i++) {
        if (stages[i].res != TS_RES_DELAY && stages[i].res >= s->n_res)
            return ts_err_set(err, TS_EINVAL, "stage %u: no resource %u (%u defined)", i,
                              stages[i].res, s->n_res);
        if (stages[i].bytes > TS_RES_MAX_BYTES)
            return ts_err_set(err, TS_ERANGE, "stage %u: %llu bytes is above the limit %llu",
                              i, (unsigned long long)stages[i].bytes,
                              (unsigned long long)TS_RES_MAX_BYTES);
    }
    if (s->jobs.n_live >= TS_RES_MAX_IN_FLIGHT)
        return ts_err_set(err, TS_ENOSPC,
                          "more than %u jobs in flight at %.6f s simulated (a device cannot "
                          "keep up with the load; docs/timed-model.md, \"Overload\")",
                          TS_RES_MAX_IN_FLIGHT, (double)ts_des_now(s->q) * 1e-9);
    /* Reserve what the first stage may need, so that nothing fails half-way. */
    int rc = ts_des_reserve(s->q, ts_des_pending(s->q) + 1, err);
    if (!rc && stages[0].res != TS_RES_DELAY) {
        struct res *r = s->res[stages[0].res];
        rc = res_flow_reserve(r, r->st.transfers + 1, err);
    }
    if (rc)
        return rc;
    uint32_t jid = ts_pool_alloc(&s->jobs, err);
    if (jid == TS_POOL_NONE)
        return err && err->code ? err->code : TS_ENOMEM;
    struct job *j = res_job(s, jid);
    j->cookie = cookie;
    j->next = TS_POOL_NONE;
    j->n = n;
    j->cur = 0;
    j->start_ns = ts_des_now(s->q);
    memcpy(j->st, stages, n * sizeof(*stages));
    return res_stage_begin(s, jid, err);
}

uint32_t ts_res_count(const ts_res_sys_t *s)
{
    return s->n_res;
}

uint32_t ts_res_in_flight(const ts_res_sys_t *s)
{
    return s->jobs.n_live;
}

const char *ts_res_name(const ts_res_sys_t *s, uint32_t id)
{
    return id < s->n_res ? s->res[id]->name : "";
}

void ts_res_stats(const ts_res_sys_t *s, uint32_t id, ts_res_stats_t *out)
{
    ts_res_stats_at(s, id, ts_des_now(s->q), out);
}

void ts_res_stats_at(const ts_res_sys_t *s, uint32_t id, uint64_t now, ts_res_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (id >= s->n_res)
        return;
    const struct res *r = s->res[id];
    *out = r->st;
    out->channels = r->channels;
    out->bw_bytes_per_s = r->bw;
    if (now < r->t_acc)
        now = r->t_acc;
    res_acc_to(r, now, out);
    if (!res_saturated(r, out)) /* as it is now, after this instant's changes */
        out->is_backlogged = false;
    else if (!out->is_backlogged) {
        out->is_backlogged = true;
        out->backlog_since_ns = now;
    }
}
