/* SPDX-License-Identifier: MIT */
/*
 * test_resource.c - resources against hand-computed times and queueing theory.
 * Hand traces (exact to the ns): one transfer takes latency + S/B, two together each see
 * B/2, staggered starts of three transfers, the per-transfer cap, a device whose channels
 * are held until its bytes are through, a chain of stages with a delay, and the areas the
 * stats integrate; random transfers against an exact fluid reference. Theory (long runs,
 * fixed GSL seeds, warm-up discarded): M/M/1 and M/D/1 mean waits, M/M/c (Erlang C) with
 * timed service and with capped bandwidth, M/M/1 processor sharing (mean time and
 * E[T | x] = x / (B (1 - rho)) per size class), utilisation = rho, Little's law.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "sim/des.h"
#include "sim/util/mem.h"
#include "sim/resource.h"
#include "rng_test.h"

/* ---- fixture: a queue, a resource set and a log of finished jobs ---------------------- */

#define LOG_MAX 8192

struct done_log {
    uint32_t n;
    uint64_t cookie[LOG_MAX];
    uint64_t start[LOG_MAX];
    uint64_t end[LOG_MAX];
    ts_des_t *q;
};

struct fx {
    ts_des_t *q;
    ts_res_sys_t *s;
    struct done_log log;
};

static int log_done(void *ctx, uint64_t cookie, uint64_t start_ns, ts_err_t *err)
{
    (void)err;
    struct done_log *l = ctx;
    if (l->n < LOG_MAX) {
        l->cookie[l->n] = cookie;
        l->start[l->n] = start_ns;
        l->end[l->n] = ts_des_now(l->q);
    }
    l->n++;
    return 0;
}

static int fx_setup(void **state)
{
    struct fx *f = test_calloc(1, sizeof(*f));
    ts_err_t err = {0};
    assert_int_equal(ts_des_create(0, &f->q, &err), 0);
    f->log.q = f->q;
    assert_int_equal(ts_res_sys_create(f->q, log_done, &f->log, &f->s, &err), 0);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    ts_res_sys_destroy(f->s);
    ts_des_destroy(f->q);
    test_free(f);
    return 0;
}

static uint32_t add(struct fx *f, uint32_t channels, uint64_t bw, uint64_t cap)
{
    ts_res_spec_t spec = {
        .name = "r", .channels = channels, .bw_bytes_per_s = bw, .max_rate_bytes_per_s = cap};
    uint32_t id;
    ts_err_t err = {0};
    assert_int_equal(ts_res_add(f->s, &spec, &id, &err), 0);
    return id;
}

static void submit1(struct fx *f, uint32_t res, uint64_t fixed, uint64_t bytes, uint64_t cookie)
{
    ts_res_stage_t st = {.res = res, .fixed_ns = fixed, .bytes = bytes};
    ts_err_t err = {0};
    assert_int_equal(ts_res_submit(f->s, &st, 1, cookie, &err), 0);
}

static void run_until(struct fx *f, uint64_t t)
{
    ts_err_t err = {0};
    assert_int_equal(ts_des_run(f->q, t, &err), 0);
}

/* Submits n transfers of `bytes` at once (cookies cookie0..), runs them all; returns the
 * time they started. */
static uint64_t burst(struct fx *f, uint32_t res, uint64_t n, uint64_t bytes, uint64_t cookie0)
{
    uint64_t t0 = ts_des_now(f->q);
    for (uint64_t i = 0; i < n; i++)
        submit1(f, res, 0, bytes, cookie0 + i);
    run_until(f, TS_DES_NEVER);
    return t0;
}

/* End time of the job with this cookie. */
static uint64_t end_of(const struct fx *f, uint64_t cookie)
{
    for (uint32_t i = 0; i < f->log.n && i < LOG_MAX; i++)
        if (f->log.cookie[i] == cookie)
            return f->log.end[i];
    fail_msg("job %llu did not finish", (unsigned long long)cookie);
    return 0;
}

/* ---- bandwidth, by hand ------------------------------------------------------------------ */

#define GBPS 1000000000ull /* 1e9 B/s: one byte per ns */

static void test_res_one_transfer_takes_latency_plus_size_over_bandwidth(void **state)
{
    struct fx *f = *state;
    uint32_t link = add(f, 0, GBPS, 0);
    submit1(f, link, 1000, 1000000, 1);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(end_of(f, 1), 1000 + 1000000);
    /* 3 bytes/ns: 1000 bytes take 333.3 ns, rounded up to 334 */
    uint32_t fast = add(f, 0, 3 * GBPS, 0);
    uint64_t t0 = ts_des_now(f->q);
    submit1(f, fast, 0, 1000, 2);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(end_of(f, 2), t0 + 334);
    /* 999 bytes at 3 bytes/ns: exactly 333 ns */
    t0 = ts_des_now(f->q);
    submit1(f, fast, 0, 999, 3);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(end_of(f, 3), t0 + 333);
}

static void test_res_two_together_each_see_half(void **state)
{
    struct fx *f = *state;
    uint32_t link = add(f, 0, GBPS, 0);
    submit1(f, link, 1000, 1000000, 1);
    submit1(f, link, 1000, 1000000, 2);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(end_of(f, 1), 1000 + 2 * 1000000);
    assert_int_equal(end_of(f, 2), 1000 + 2 * 1000000);
    assert_int_equal(f->log.cookie[0], 1); /* equal finishes end in start order */
    ts_res_stats_t st;
    ts_res_stats(f->s, link, &st);
    assert_int_equal(st.bytes, 2000000);
    assert_int_equal(st.bw_busy_ns, 2000000);
    assert_true(st.transfer_area == 2.0 * 2000000);
    assert_true(st.busy_area == 2.0 * 2001000); /* unlimited channels: in service */
    assert_int_equal(st.n_queued, 0);
}

/* 1 byte/ns. A: 3000 bytes at 0; B: 1000 at 1000; C: 600 at 1500.
 *   0..1000   A alone: A has 2000 left
 *   1000..1500 A, B at 1/2: A 1750 left, B 750
 *   1500..    A, B, C at 1/3: C is done after 3 * 600 = 1800 ns -> 3300; A 1150, B 150
 *   3300..    A, B at 1/2: B done after 300 -> 3600; A 1000 left
 *   3600..    A alone -> 4600 (= 4600 bytes in all: the link never idled) */
static void test_res_staggered_starts_match_hand_computation(void **state)
{
    struct fx *f = *state;
    uint32_t link = add(f, 0, GBPS, 0);
    submit1(f, link, 0, 3000, 'A');
    run_until(f, 1000);
    ts_err_t err = {0};
    /* move the clock to 1000 and 1500 with delay jobs that finish there */
    ts_res_stage_t d = {.res = TS_RES_DELAY, .fixed_ns = 1000};
    assert_int_equal(ts_res_submit(f->s, &d, 1, 'x', &err), 0);
    run_until(f, 1000);
    assert_int_equal(ts_des_now(f->q), 1000);
    submit1(f, link, 0, 1000, 'B');
    d.fixed_ns = 500;
    assert_int_equal(ts_res_submit(f->s, &d, 1, 'y', &err), 0);
    run_until(f, 1500);
    assert_int_equal(ts_des_now(f->q), 1500);
    submit1(f, link, 0, 600, 'C');
    run_until(f, TS_DES_NEVER);
    assert_int_equal(end_of(f, 'C'), 3300);
    assert_int_equal(end_of(f, 'B'), 3600);
    assert_int_equal(end_of(f, 'A'), 4600);
    ts_res_stats_t st;
    ts_res_stats(f->s, link, &st);
    assert_int_equal(st.bw_busy_ns, 4600);
    /* transfers present: 1 on [0,1000), 2 on [1000,1500), 3 on [1500,3300), 2, then 1 */
    assert_true(st.transfer_area == 1000 + 2 * 500 + 3 * 1800 + 2 * 300 + 1000);
}

/* Seven transfers of 1000..1006 bytes started together at 1 byte/ns: each receives 1/7
 * byte/ns until the first is done at 7000; the others have 1..6 bytes left, so six take
 * 6 ns for the next byte, five 5 ns, and so on. */
static void test_res_seven_way_share_ends_on_time(void **state)
{
    struct fx *f = *state;
    uint32_t link = add(f, 0, GBPS, 0);
    for (uint64_t i = 0; i < 7; i++)
        submit1(f, link, 0, 1000 + i, i);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(end_of(f, 0), 7000);
    assert_int_equal(end_of(f, 1), 7006);
    assert_int_equal(end_of(f, 2), 7011);
    assert_int_equal(end_of(f, 6), 7000 + 6 + 5 + 4 + 3 + 2 + 1);
}

/* Rounding to the ns with a share that is not a whole number of units (1/17): 17 transfers
 * of 1000 bytes at 0 and an 18th after a 10 ns delay, at 1 byte/ns. Exactly: the 17 have
 * received 10/17 byte each at 10, then need 18 (1000 - 10/17) = 17989.41 ns more: done at
 * 17999.41, rounded up to 18000. Until that event all 18 share, so the 18th has received
 * 17990 / 18 = 999.44 bytes and needs 0.56 ns alone: 18001 (exact sharing: 18000). */
static void test_res_seventeen_way_share_rounds_finish_up(void **state)
{
    struct fx *f = *state;
    uint32_t link = add(f, 0, GBPS, 0);
    for (uint64_t i = 0; i < 17; i++)
        submit1(f, link, 0, 1000, i);
    ts_res_stage_t late[2] = {{.res = TS_RES_DELAY, .fixed_ns = 10}, {.res = link, .bytes = 1000}};
    ts_err_t err = {0};
    assert_int_equal(ts_res_submit(f->s, late, 2, 17, &err), 0);
    run_until(f, TS_DES_NEVER);
    for (uint64_t i = 0; i < 17; i++)
        assert_int_equal(end_of(f, i), 18000);
    assert_int_equal(end_of(f, 17), 18001);
}

/* A reference processor-sharing link in doubles (O(n) per event): transfers i start at
 * start[i] with size[i] bytes; every active one moves at min(cap, B/n) bytes/ns. Writes the
 * exact finish times, and for each transfer the number of finishes since the link was
 * last idle (the rounding of each of them may shift later finishes by under 1 ns). */
static void ps_reference(uint32_t n, const uint64_t *start, const uint64_t *size, double bpns,
                         double cap_bpns, double *finish, uint32_t *busy_rank)
{
    double *left = malloc(n * sizeof(*left));
    uint32_t *active = malloc(n * sizeof(*active));
    uint32_t n_act = 0, next = 0, rank = 0; /* starts are sorted */
    double now = 0;
    while (next < n || n_act) {
        if (!n_act) {
            now = (double)start[next];
            rank = 0;
        }
        double rate = bpns / n_act;
        if (cap_bpns > 0 && (n_act == 0 || cap_bpns < rate))
            rate = cap_bpns;
        double t_fin = 1e300;
        uint32_t which = 0;
        for (uint32_t k = 0; k < n_act; k++)
            if (now + left[active[k]] / rate < t_fin) {
                t_fin = now + left[active[k]] / rate;
                which = k;
            }
        double t = next < n && (double)start[next] <= t_fin ? (double)start[next] : t_fin;
        for (uint32_t k = 0; k < n_act; k++)
            left[active[k]] -= (t - now) * rate;
        now = t;
        if (next < n && (double)start[next] <= t_fin) {
            left[next] = (double)size[next];
            active[n_act++] = next++;
        } else {
            finish[active[which]] = now;
            busy_rank[active[which]] = ++rank;
            active[which] = active[--n_act];
        }
    }
    free(left);
    free(active);
}

/* Random starts (Poisson, load 0.8) and sizes (uniform 1..100000 bytes) on one link, with
 * and without a per-transfer cap: every finish is within (finishes earlier in its busy
 * period) + 1 ns of the exact fluid finish, never early by 1 ns or more, and the link's
 * busy time is the bytes over the bandwidth plus at most 1 ns per finish. */
static void test_res_random_transfers_match_reference_sharing(void **state)
{
    struct fx *f = *state;
    enum { N = 3000 };
    gsl_rng *rng = test_rng(777);
    uint64_t *start = malloc(N * sizeof(*start)), *size = malloc(N * sizeof(*size));
    double *ref = malloc(N * sizeof(*ref));
    uint32_t *rank = malloc(N * sizeof(*rank));
    uint64_t *got = malloc(N * sizeof(*got));
    ts_res_stage_t job[2];
    for (int capped = 0; capped < 2; capped++) {
        uint64_t cap = capped ? GBPS / 4 : 0;
        uint32_t link = add(f, 0, GBPS, cap);
        uint64_t t0 = ts_des_now(f->q), t = t0, total = 0;
        for (uint32_t i = 0; i < N; i++) {
            t += (uint64_t)llround(gsl_ran_exponential(rng, 50000 / 0.8));
            start[i] = t;
            size[i] = 1 + gsl_rng_uniform_int(rng, 100000);
            total += size[i];
            job[0] = (ts_res_stage_t){.res = TS_RES_DELAY, .fixed_ns = t - t0};
            job[1] = (ts_res_stage_t){.res = link, .bytes = size[i]};
            ts_err_t err = {0};
            assert_int_equal(ts_res_submit(f->s, job, 2, 1000000 * capped + i, &err), 0);
        }
        uint32_t first = f->log.n;
        run_until(f, TS_DES_NEVER);
        assert_int_equal(f->log.n, first + N);
        for (uint32_t k = first; k < f->log.n; k++)
            got[f->log.cookie[k] - 1000000 * capped] = f->log.end[k];
        ps_reference(N, start, size, 1.0, capped ? 0.25 : 0, ref, rank);
        double worst = 0;
        for (uint32_t i = 0; i < N; i++) {
            double diff = (double)got[i] - ref[i];
            if (diff > worst)
                worst = diff;
            if (diff <= -1 || diff > rank[i] + 1e-6)
                fail_msg("transfer %u: finish %llu, exact %.3f (rank %u in its busy period)", i,
                         (unsigned long long)got[i], ref[i], rank[i]);
        }
        print_message("  cap %s: worst finish - exact = %.3f ns over %d transfers\n",
                      capped ? "B/4" : "none", worst, N);
        ts_res_stats_t st;
        ts_res_stats(f->s, link, &st);
        assert_int_equal(st.bytes, total);
        if (!capped) {
            assert_true(st.bw_busy_ns >= total);
            assert_true(st.bw_busy_ns <= total + N);
        }
    }
    free(start);
    free(size);
    free(ref);
    free(rank);
    free(got);
    gsl_rng_free(rng);
}

/* The per-transfer cap: one transfer alone runs at the cap, not at B; c channels each
 * capped at B/c behave as c independent servers; without channels, more transfers than
 * B/cap share B. */
static void test_res_per_transfer_cap(void **state)
{
    struct fx *f = *state;
    uint32_t capped = add(f, 4, GBPS, GBPS / 4);
    submit1(f, capped, 0, 1000, 1);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(end_of(f, 1), 4000);
    uint64_t t0 = burst(f, capped, 8, 1000, 10);
    for (uint64_t i = 0; i < 8; i++)
        assert_int_equal(end_of(f, 10 + i), t0 + (i < 4 ? 4000 : 8000));
    ts_res_stats_t st;
    ts_res_stats(f->s, capped, &st);
    assert_int_equal(st.n_queued, 4);
    assert_true(st.wait_sum_ns == 4 * 4000.0);
    assert_int_equal(st.wait_max_ns, 4000);
    uint32_t open = add(f, 0, GBPS, GBPS / 4);
    t0 = burst(f, open, 8, 1000, 20);
    for (uint64_t i = 0; i < 8; i++)
        assert_int_equal(end_of(f, 20 + i), t0 + 8000);
    /* cap with no aggregate limit: each transfer at the cap whatever their number */
    uint32_t nolimit = add(f, 0, 0, GBPS / 2);
    t0 = burst(f, nolimit, 3, 1000, 30);
    for (uint64_t i = 0; i < 3; i++)
        assert_int_equal(end_of(f, 30 + i), t0 + 2000);
}

/* A device: 2 channels, 100 ns per request, 1 byte/ns shared; three 1000-byte reads at 0.
 *   jobs 1, 2: channels at 0, fixed until 100, then share the bandwidth: 2000 ns -> 2100
 *   job 3 waits for a channel until 2100, fixed until 2200, alone: -> 3200 */
static void test_res_device_holds_channel_until_bytes_done(void **state)
{
    struct fx *f = *state;
    ts_hist_t waits;
    ts_hist_init(&waits);
    ts_res_spec_t spec = {.name = "nvme", .channels = 2, .bw_bytes_per_s = GBPS,
                          .wait_hist = &waits};
    uint32_t dev;
    ts_err_t err = {0};
    assert_int_equal(ts_res_add(f->s, &spec, &dev, &err), 0);
    for (uint64_t i = 1; i <= 3; i++)
        submit1(f, dev, 100, 1000, i);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(end_of(f, 1), 2100);
    assert_int_equal(end_of(f, 2), 2100);
    assert_int_equal(end_of(f, 3), 3200);
    ts_res_stats_t st;
    ts_res_stats(f->s, dev, &st);
    assert_int_equal(st.n_arrivals, 3);
    assert_int_equal(st.n_started, 3);
    assert_int_equal(st.n_done, 3);
    assert_int_equal(st.n_queued, 1);
    assert_true(st.wait_sum_ns == 2100);
    assert_true(st.busy_area == 2100 + 2100 + 1100);
    assert_true(st.queue_area == 2100);
    assert_true(st.system_area == 2100 + 2100 + 3200);
    assert_true(st.sojourn_sum_ns == 2100 + 2100 + 3200);
    assert_int_equal(st.bw_busy_ns, 2000 + 1000);
    assert_int_equal(st.bytes, 3000);
    assert_int_equal(st.in_service + st.waiting + st.transfers, 0);
    assert_int_equal(ts_res_in_flight(f->s), 0);
    assert_int_equal(waits.n, 3);
    assert_int_equal(waits.min_ns, 0);
    assert_int_equal(waits.max_ns, 2100);
    assert_int_equal(ts_hist_percentile(&waits, 50), 0);
}

/* A path: NVMe (read 10 us + 4096 B at 4 B/ns), PCIe (500 ns, 2 B/ns), a 300 ns delay, HBM
 * (50 ns, 8 B/ns): 10000 + 1024, + 500 + 2048, + 300, + 50 + 512 = 14434. */
static void test_res_chain_of_stages(void **state)
{
    struct fx *f = *state;
    uint32_t nvme = add(f, 4, 4 * GBPS, 0), pcie = add(f, 0, 2 * GBPS, 0);
    uint32_t hbm = add(f, 0, 8 * GBPS, 0);
    ts_res_stage_t path[4] = {
        {.res = nvme, .fixed_ns = 10000, .bytes = 4096},
        {.res = pcie, .fixed_ns = 500, .bytes = 4096},
        {.res = TS_RES_DELAY, .fixed_ns = 300},
        {.res = hbm, .fixed_ns = 50, .bytes = 4096},
    };
    ts_err_t err = {0};
    run_until(f, 0);
    assert_int_equal(ts_res_submit(f->s, path, 4, 77, &err), 0);
    assert_int_equal(ts_res_in_flight(f->s), 1);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(f->log.n, 1);
    assert_int_equal(f->log.start[0], 0);
    assert_int_equal(end_of(f, 77), 14434);
    ts_res_stats_t st;
    ts_res_stats(f->s, pcie, &st);
    assert_int_equal(st.n_done, 1);
    assert_true(st.sojourn_sum_ns == 2548);
}

/* The done callback never runs inside submit, even for a job that takes no time. */
static void test_res_zero_length_job_finishes_from_the_event_loop(void **state)
{
    struct fx *f = *state;
    uint32_t r = add(f, 1, 0, 0);
    submit1(f, r, 0, 0, 5);
    submit1(f, r, 0, 123, 6); /* infinite bandwidth: bytes take no time */
    assert_int_equal(f->log.n, 0);
    run_until(f, TS_DES_NEVER);
    assert_int_equal(f->log.n, 2);
    assert_int_equal(end_of(f, 5), 0);
    assert_int_equal(end_of(f, 6), 0);
}

static void test_res_bad_input_is_refused(void **state)
{
    struct fx *f = *state;
    uint32_t r = add(f, 1, GBPS, 0);
    ts_err_t err = {0};
    ts_res_stage_t st[TS_RES_MAX_STAGES + 1] = {{.res = r}};
    assert_int_equal(ts_res_submit(f->s, st, 0, 1, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "stages"));
    ts_err_clear(&err);
    assert_int_equal(ts_res_submit(f->s, st, TS_RES_MAX_STAGES + 1, 1, &err), TS_EINVAL);
    ts_err_clear(&err);
    st[0].res = 9;
    assert_int_equal(ts_res_submit(f->s, st, 1, 1, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "no resource 9"));
    ts_err_clear(&err);
    st[0] = (ts_res_stage_t){.res = r, .bytes = TS_RES_MAX_BYTES + 1};
    assert_int_equal(ts_res_submit(f->s, st, 1, 1, &err), TS_ERANGE);
    ts_err_clear(&err);
    ts_res_spec_t bad = {.name = "nic", .bw_bytes_per_s = 100, .max_rate_bytes_per_s = 200};
    uint32_t id;
    assert_int_equal(ts_res_add(f->s, &bad, &id, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "nic"));
    assert_int_equal(ts_res_count(f->s), 1);
    assert_int_equal(ts_res_in_flight(f->s), 0);
    assert_string_equal(ts_res_name(f->s, r), "r");
    assert_string_equal(ts_res_name(f->s, 5), "");
}

static void test_res_create_oom_is_clean(void **state)
{
    (void)state;
    ts_des_t *q;
    ts_err_t err = {0};
    assert_int_equal(ts_des_create(0, &q, &err), 0);
    struct done_log log = {.q = q};
    ts_res_sys_t *s = NULL;
    for (long n = 0;; n++) {
        ts_err_clear(&err);
        ts_mem_fail_after(n);
        int rc = ts_res_sys_create(q, log_done, &log, &s, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(s);
    }
    ts_res_spec_t spec = {.name = "r", .channels = 1, .bw_bytes_per_s = GBPS};
    uint32_t id;
    ts_mem_fail_after(0);
    assert_int_equal(ts_res_add(s, &spec, &id, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_int_equal(ts_res_count(s), 0);
    assert_int_equal(ts_res_add(s, &spec, &id, &err), 0);
    /* A submit that cannot get memory (transfer heap, job pool) starts nothing. */
    ts_res_stage_t st = {.res = id, .bytes = 1000};
    for (long n = 0;; n++) {
        ts_err_clear(&err);
        ts_mem_fail_after(n);
        int rc = ts_res_submit(s, &st, 1, 42, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
        assert_int_equal(ts_res_in_flight(s), 0);
        ts_res_stats_t rs;
        ts_res_stats(s, id, &rs);
        assert_int_equal(rs.n_arrivals + rs.transfers + ts_des_pending(q), 0);
    }
    assert_int_equal(ts_des_run(q, TS_DES_NEVER, &err), 0);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.end[0], 1000);
    ts_res_sys_destroy(s);
    ts_des_destroy(q);
}

/* ---- queueing theory ------------------------------------------------------------------ */

#define THEORY_JOBS 2000000u /* about 0.25 s each in Release, 1.2 s under the sanitizers */
#define THEORY_WARMUP 100000u

enum service {
    SERVICE_EXP,      /* fixed_ns drawn exponential */
    SERVICE_DET,      /* fixed_ns constant */
    SERVICE_EXP_BYTES /* bytes drawn exponential (mean in bytes), moved at the resource's rate */
};

/* Open-loop Poisson source feeding one resource; snapshots the resource's totals when the
 * warm-up ends and when the last job arrives. */
struct source {
    ts_des_t *q;
    ts_res_sys_t *s;
    gsl_rng *rng;
    uint32_t kind, res;
    double mean_gap_ns, mean_service_ns;
    enum service service;
    uint32_t n_arrived, n_total;
    ts_res_stats_t warm, end;
    uint64_t t_warm, t_end;
};

static int source_arrive(void *ctx, uint32_t id, ts_err_t *err)
{
    (void)id;
    struct source *src = ctx;
    uint64_t now = ts_des_now(src->q);
    if (src->n_arrived == THEORY_WARMUP) {
        ts_res_stats(src->s, src->res, &src->warm);
        src->t_warm = now;
    }
    if (src->n_arrived == src->n_total) {
        ts_res_stats(src->s, src->res, &src->end);
        src->t_end = now;
        return 0;
    }
    double svc = src->service == SERVICE_DET
                     ? src->mean_service_ns
                     : gsl_ran_exponential(src->rng, src->mean_service_ns);
    uint64_t amount = (uint64_t)llround(svc);
    ts_res_stage_t st = {.res = src->res, .fixed_ns = amount};
    if (src->service == SERVICE_EXP_BYTES)
        st = (ts_res_stage_t){.res = src->res, .bytes = amount ? amount : 1};
    int rc = ts_res_submit(src->s, &st, 1, (uint64_t)src->n_arrived << 32 | st.bytes, err);
    if (rc)
        return rc;
    src->n_arrived++;
    uint64_t gap = (uint64_t)llround(gsl_ran_exponential(src->rng, src->mean_gap_ns));
    return ts_des_schedule(src->q, now + gap, ts_des_tag(src->kind, 0), err);
}

/* Finished jobs after the warm-up, by size class (bytes / mean: <1/2, <1, <2, <4, more):
 * time present and bytes, for the processor-sharing law E[T | x] = x / (B (1 - rho)). */
#define SIZE_CLASSES 5

struct finish_acc {
    ts_des_t *q;
    double mean_bytes;
    uint64_t n_done;
    uint64_t n[SIZE_CLASSES];
    double t_sum[SIZE_CLASSES];
    double x_sum[SIZE_CLASSES];
};

static int count_done(void *ctx, uint64_t cookie, uint64_t start_ns, ts_err_t *err)
{
    (void)err;
    struct finish_acc *acc = ctx;
    acc->n_done++;
    uint64_t bytes = cookie & 0xffffffffu;
    if ((cookie >> 32) < THEORY_WARMUP || !bytes)
        return 0;
    double r = (double)bytes / acc->mean_bytes;
    int c = r < 0.5 ? 0 : r < 1 ? 1 : r < 2 ? 2 : r < 4 ? 3 : 4;
    acc->n[c]++;
    acc->t_sum[c] += (double)(ts_des_now(acc->q) - start_ns);
    acc->x_sum[c] += (double)bytes;
    return 0;
}

struct measured {
    double wq_ns;    /* mean wait for a channel */
    double u_bw;     /* time with a transfer active / elapsed */
    double util;     /* busy channel-time / (channels * elapsed) */
    double lq;       /* time-averaged waiting-line length */
    double lambda;   /* arrivals per ns */
    double l_sys;    /* time-averaged number present */
    double w_sys_ns; /* mean time present */
};

/* c channels, arrival rate lambda, mean service 1/mu (ns), one seed. */
static struct measured run_queue(const ts_res_spec_t *spec, double lambda,
                                 double mean_service_ns, enum service service,
                                 unsigned long seed, struct finish_acc *acc)
{
    ts_des_t *q;
    ts_res_sys_t *s;
    ts_err_t err = {0};
    struct finish_acc local = {0};
    if (!acc)
        acc = &local;
    assert_int_equal(ts_des_create(1024, &q, &err), 0);
    acc->q = q;
    acc->mean_bytes = mean_service_ns;
    assert_int_equal(ts_res_sys_create(q, count_done, acc, &s, &err), 0);
    struct source src = {.q = q,
                         .s = s,
                         .rng = test_rng(seed),
                         .mean_gap_ns = 1.0 / lambda,
                         .mean_service_ns = mean_service_ns,
                         .service = service,
                         .n_total = THEORY_JOBS};
    uint32_t channels = spec->channels;
    assert_int_equal(ts_res_add(s, spec, &src.res, &err), 0);
    assert_int_equal(ts_des_kind_add(q, source_arrive, &src, &src.kind, &err), 0);
    assert_int_equal(ts_des_schedule(q, 0, ts_des_tag(src.kind, 0), &err), 0);
    assert_int_equal(ts_des_run(q, TS_DES_NEVER, &err), 0);
    assert_int_equal(acc->n_done, THEORY_JOBS);
    const ts_res_stats_t *a = &src.warm, *b = &src.end;
    double dt = (double)(src.t_end - src.t_warm);
    struct measured m = {
        .wq_ns = (b->wait_sum_ns - a->wait_sum_ns) / (double)(b->n_started - a->n_started),
        .util = channels ? (b->busy_area - a->busy_area) / (channels * dt) : 0,
        .u_bw = (double)(b->bw_busy_ns - a->bw_busy_ns) / dt,
        .lq = (b->queue_area - a->queue_area) / dt,
        .lambda = (double)(b->n_arrivals - a->n_arrivals) / dt,
        .l_sys = (b->system_area - a->system_area) / dt,
        .w_sys_ns = (b->sojourn_sum_ns - a->sojourn_sum_ns) / (double)(b->n_done - a->n_done),
    };
    gsl_rng_free(src.rng);
    ts_res_sys_destroy(s);
    ts_des_destroy(q);
    return m;
}

static void assert_rel(const char *what, double got, double want, double tol)
{
    double rel = fabs(got - want) / want;
    print_message("  %-28s measured %12.4f  theory %12.4f  error %.3f%%\n", what, got, want,
                  100 * rel);
    if (rel > tol)
        fail_msg("%s: %g differs from %g by %.3f%% (limit %.1f%%)", what, got, want, 100 * rel,
                 100 * tol);
}

/* Little's law holds on the sample path: L = lambda W for the waiting line and for the
 * whole system (1% covers the jobs straddling the window's ends). */
static void assert_little(const struct measured *m)
{
    assert_rel("Little Lq = lambda Wq", m->lq, m->lambda * m->wq_ns, 0.01);
    assert_rel("Little L = lambda W", m->l_sys, m->lambda * m->w_sys_ns, 0.01);
}

#define SERVICE_NS 10000.0 /* mean service 10 us: rounding draws to the ns is negligible */

static void test_res_mm1_mean_wait_matches_theory(void **state)
{
    (void)state;
    double mu = 1 / SERVICE_NS, rho = 0.7, lambda = rho * mu;
    ts_res_spec_t spec = {.name = "server", .channels = 1};
    struct measured m = run_queue(&spec, lambda, SERVICE_NS, SERVICE_EXP, 1, NULL);
    assert_rel("M/M/1 Wq = rho/(mu-lambda)", m.wq_ns, rho / (mu - lambda), 0.03);
    assert_rel("M/M/1 utilisation = rho", m.util, rho, 0.01);
    assert_little(&m);
}

static void test_res_md1_mean_wait_matches_theory(void **state)
{
    (void)state;
    double mu = 1 / SERVICE_NS, rho = 0.7, lambda = rho * mu;
    ts_res_spec_t spec = {.name = "server", .channels = 1};
    struct measured m = run_queue(&spec, lambda, SERVICE_NS, SERVICE_DET, 2, NULL);
    assert_rel("M/D/1 Wq = rho/(2mu(1-rho))", m.wq_ns, rho / (2 * mu * (1 - rho)), 0.03);
    assert_rel("M/D/1 utilisation = rho", m.util, rho, 0.01);
    assert_little(&m);
}

/* Erlang C: the probability that an arrival waits, for c servers and load a = lambda/mu. */
static double erlang_c(uint32_t c, double a)
{
    double term = 1, sum = 0; /* term = a^k / k! */
    for (uint32_t k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double tail = term * c / (c - a);
    return tail / (sum + tail);
}

/* Runs c = spec->channels servers at rho = 0.7 (mean service 10 us) and checks the mean
 * wait against Erlang C, the utilisation against rho, and Little's law. */
static void check_erlang_c(const char *label, const ts_res_spec_t *spec, enum service service,
                           unsigned long seed)
{
    const uint32_t c = spec->channels;
    double mu = 1 / SERVICE_NS, rho = 0.7, lambda = rho * c * mu;
    struct measured m = run_queue(spec, lambda, SERVICE_NS, service, seed, NULL);
    double wq = erlang_c(c, lambda / mu) / (c * mu - lambda);
    char what[64];
    snprintf(what, sizeof(what), "%s Wq (Erlang C)", label);
    assert_rel(what, m.wq_ns, wq, 0.03);
    snprintf(what, sizeof(what), "%s utilisation = rho", label);
    assert_rel(what, m.util, rho, 0.01);
    assert_little(&m);
}

static void test_res_mmc_mean_wait_matches_erlang_c(void **state)
{
    (void)state;
    ts_res_spec_t spec = {.name = "server", .channels = 4};
    check_erlang_c("M/M/4", &spec, SERVICE_EXP, 3);
}

/* The same M/M/4 through the bandwidth path: 4 channels capped at B/4 each, exponential
 * sizes; each transfer moves at B/4, so the channels are 4 independent servers. B = 4
 * bytes/ns and a cap of 1 byte/ns make a mean size of 10000 bytes a mean service of 10 us. */
static void test_res_capped_channels_match_erlang_c(void **state)
{
    (void)state;
    ts_res_spec_t spec = {.name = "raid", .channels = 4, .bw_bytes_per_s = 4 * GBPS,
                          .max_rate_bytes_per_s = GBPS};
    check_erlang_c("capped M/M/4", &spec, SERVICE_EXP_BYTES, 4);
}

/* Processor sharing (M/M/1-PS): a link with no channel limit and exponential sizes. The
 * mean time present is 1 / (mu - lambda), as for M/M/1; and, the law that tells sharing
 * from queueing, the mean time of a transfer of x bytes is x / (B (1 - rho)) whatever x:
 * checked per size class. The link is busy a fraction rho of the time. */
static void test_res_processor_sharing_matches_theory(void **state)
{
    (void)state;
    double mu = 1 / SERVICE_NS, rho = 0.7, lambda = rho * mu;
    ts_res_spec_t spec = {.name = "link", .bw_bytes_per_s = GBPS};
    struct finish_acc acc = {0};
    struct measured m = run_queue(&spec, lambda, SERVICE_NS, SERVICE_EXP_BYTES, 5, &acc);
    assert_rel("M/M/1-PS W = 1/(mu-lambda)", m.w_sys_ns, 1 / (mu - lambda), 0.03);
    assert_rel("M/M/1-PS link busy = rho", m.u_bw, rho, 0.01);
    assert_rel("Little L = lambda W", m.l_sys, m.lambda * m.w_sys_ns, 0.01);
    static const char *const names[SIZE_CLASSES] = {
        "PS T/x, x < mean/2", "PS T/x, mean/2..mean", "PS T/x, mean..2 mean",
        "PS T/x, 2..4 mean", "PS T/x, x > 4 mean"};
    for (int k = 0; k < SIZE_CLASSES; k++) {
        assert_true(acc.n[k] > 10000);
        assert_rel(names[k], acc.t_sum[k] / acc.x_sum[k], 1 / (1 - rho), 0.05);
    }
}

/* Erlang C against values worked out by hand: one server gives rho; c = 2, a = 1 gives
 * (1/2 * 2) / (1 + 1 + 1) = 1/3. */
static void test_res_erlang_c_helper_by_hand(void **state)
{
    (void)state;
    assert_true(fabs(erlang_c(1, 0.7) - 0.7) < 1e-12);
    assert_true(fabs(erlang_c(2, 1.0) - 1.0 / 3) < 1e-12);
}

/* Saturation and bytes moved, by hand. One channel, 10 us per job, three jobs at 0: the
 * second waits until 10 us, the third until 20 us, so a request waits from 0 to 20 us: the
 * backlog began at 0 and is over at 20 us. Shared 1 GB/s, no channels: two 1000-byte
 * transfers at 0 share it (0.5 GB/s each) and end at 2 us, the whole bandwidth in use from
 * 0: 2000 bytes moved; with a 0.25 GB/s cap per transfer the two move 0.5 GB/s, half of it,
 * never saturated: 1000 bytes moved at 2 us, 2000 at 4 us. */
static void test_res_backlog_and_moved_bytes(void **state)
{
    struct fx *f = *state;
    uint32_t c = add(f, 1, 0, 0), b = add(f, 0, GBPS, 0), k = add(f, 0, GBPS, GBPS / 4);
    ts_res_stats_t st;
    for (uint64_t i = 0; i < 3; i++)
        submit1(f, c, 10000, 0, i);
    submit1(f, b, 0, 1000, 10);
    submit1(f, b, 0, 1000, 11);
    submit1(f, k, 0, 1000, 20);
    submit1(f, k, 0, 1000, 21);
    ts_res_stats(f->s, c, &st);
    assert_true(st.is_backlogged);
    assert_int_equal(st.backlog_since_ns, 0);
    assert_int_equal(st.channels, 1);
    run_until(f, 2000);
    assert_int_equal(ts_des_now(f->q), 2000);
    ts_res_stats(f->s, b, &st);
    assert_false(st.is_backlogged); /* idle from now on */
    assert_true(st.moved_bytes == 2000.0);
    assert_int_equal(st.bytes_arrived, 2000);
    assert_int_equal(st.bw_bytes_per_s, GBPS);
    ts_res_stats(f->s, k, &st);
    assert_false(st.is_backlogged);
    assert_true(fabs(st.moved_bytes - 1000.0) < 1e-9);
    run_until(f, 10000);
    ts_res_stats(f->s, c, &st);
    assert_true(st.is_backlogged);
    assert_int_equal(st.backlog_since_ns, 0);
    ts_res_stats(f->s, k, &st);
    assert_true(fabs(st.moved_bytes - 2000.0) < 1e-9);
    run_until(f, 20000);
    ts_res_stats(f->s, c, &st);
    assert_false(st.is_backlogged); /* the third job took the channel at 20 us */
}

int main(void)
{
#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        FX(test_res_one_transfer_takes_latency_plus_size_over_bandwidth),
        FX(test_res_two_together_each_see_half),
        FX(test_res_staggered_starts_match_hand_computation),
        FX(test_res_seven_way_share_ends_on_time),
        FX(test_res_seventeen_way_share_rounds_finish_up),
        FX(test_res_random_transfers_match_reference_sharing),
        FX(test_res_per_transfer_cap),
        FX(test_res_device_holds_channel_until_bytes_done),
        FX(test_res_chain_of_stages),
        FX(test_res_zero_length_job_finishes_from_the_event_loop),
        FX(test_res_bad_input_is_refused),
        FX(test_res_backlog_and_moved_bytes),
        cmocka_unit_test(test_res_create_oom_is_clean),
        cmocka_unit_test(test_res_erlang_c_helper_by_hand),
        cmocka_unit_test(test_res_mm1_mean_wait_matches_theory),
        cmocka_unit_test(test_res_md1_mean_wait_matches_theory),
        cmocka_unit_test(test_res_mmc_mean_wait_matches_erlang_c),
        cmocka_unit_test(test_res_capped_channels_match_erlang_c),
        cmocka_unit_test(test_res_processor_sharing_matches_theory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
