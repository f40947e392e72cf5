/* SPDX-License-Identifier: MIT */
/*
 * test_agentic.c - the agentic-session generator: reuse structure (turn k of a session
 * reads exactly the blocks of its turns < k, a sub-agent reads its parent's context at the
 * fork, every written block is new), hints (the first request of each turn arrives exactly
 * at the time the previous turn's hint announced; a session's last turn says never),
 * mean turns and mean tool time against the parameters (5-sigma tolerances derived from the
 * geometric and lognormal variances), memory-store popularity against Zipf (rank-1 share
 * 1 / H(N, alpha)), determinism and reset, parameter errors that name the key, TS_ENOMEM
 * from every allocation; and the session-aware policy against LRU and OPT on this workload
 * at equal capacity, with and without prefetch hints.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/policy.h"
#include "sim/prefetch.h"
#include "sim/engine.h"
#include "sim/future.h"
#include "sim/hier.h"
#include "sim/util/mem.h"
#include "sim/memtrace.h"
#include "sim/tier.h"
#include "traces/info.h"
#include "workloads/gen.h"
#include "policies/registry.h"

#define MAX_KV 24
#define MAX_STREAMS 4096
#define MEM_SIZE 1000u /* memory-store object size in these tests: tells them from blocks */

/* Opens the generator with seed and n name/value pairs kv[2i], kv[2i + 1]. */
static int ag_open(uint64_t seed, const char *const *kv, size_t n, ts_reader_t **r, ts_err_t *err)
{
    const char *names[MAX_KV], *values[MAX_KV];
    assert_true(n <= MAX_KV);
    for (size_t i = 0; i < n; i++) {
        names[i] = kv[2 * i];
        values[i] = kv[2 * i + 1];
    }
    const ts_reader_ops_t *ops = ts_gen_find("agentic", err);
    assert_non_null(ops);
    ts_reader_ctx_t ctx = {seed, NULL};
    return ts_reader_open_kv(ops, names, values, n, &ctx, r, err);
}

static ts_reader_t *ag_open_ok(uint64_t seed, const char *const *kv, size_t n)
{
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    int rc = ag_open(seed, kv, n, &r, &err);
    if (rc) print_error("agentic: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return r;
}

/* Loads the whole trace of (seed, kv) into memory. */
static ts_memtrace_t *ag_load(uint64_t seed, const char *const *kv, size_t n)
{
    ts_reader_t *r = ag_open_ok(seed, kv, n);
    ts_memtrace_t *mt = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_memtrace_load(r, 0, &mt, &err), 0);
    ts_reader_close(r);
    return mt;
}

static bool is_mem(const ts_req_t *q)
{
    return q->size_bytes == MEM_SIZE;
}

/* ---- reuse structure ---- */

typedef struct keys {
    uint64_t *v;
    size_t n, cap;
} keys_t;

static void keys_push(keys_t *k, uint64_t x)
{
    if (k->n == k->cap) {
        k->cap = k->cap * 2 + 16;
        k->v = realloc(k->v, k->cap * sizeof(*k->v));
        assert_non_null(k->v);
    }
    k->v[k->n++] = x;
}

static bool keys_equal(const keys_t *a, const keys_t *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof(*a->v)) == 0);
}

typedef struct sstate {
    keys_t ctx;      /* blocks the stream has read or written: its context */
    keys_t gets;     /* the GET batch in progress */
    uint64_t get_t;  /* its time */
    uint64_t last_t; /* time of the stream's latest request */
    bool started;    /* its first batch has been checked */
} sstate_t;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct reuse {
    sstate_t *st;   /* by stream id */
    keys_t prefix;  /* the shared prefix (the first session's first read) */
    size_t n_forks; /* sessions whose first read is another stream's context */
    size_t n_turns; /* GET batches checked */
} reuse_t;

/* A finished GET batch of stream s: its first must be the prefix or a parent's context at
 * the fork; every later one exactly the stream's context so far. */
static void reuse_check(reuse_t *ru, uint32_t s)
{
    sstate_t *x = &ru->st[s];
    if (!x->gets.n) return;
    ru->n_turns++;
    if (x->started) {
        assert_true(keys_equal(&x->gets, &x->ctx));
    } else {
        if (!ru->prefix.n)
            for (size_t i = 0; i < x->gets.n; i++)
                keys_push(&ru->prefix, x->gets.v[i]);
        bool ok = keys_equal(&x->gets, &ru->prefix);
        if (!ok) {
            for (uint32_t p = 1; p < MAX_STREAMS && !ok; p++)
                ok = p != s && ru->st[p].last_t == x->get_t && keys_equal(&x->gets, &ru->st[p].ctx);
            assert_true(ok);
            ru->n_forks++;
        }
        for (size_t i = 0; i < x->gets.n; i++)
            keys_push(&x->ctx, x->gets.v[i]);
        x->started = true;
    }
    x->gets.n = 0;
}

static void test_agentic_reuse_structure(void **state)
{
    (void)state;
    static const char *const kv[] = {
        "sessions",           "60",   "session_rate", "0.2", "turns",         "8",
        "prefix_tokens",      "1000", "block_tokens", "64",  "user_tokens",   "100",
        "output_tokens",      "80",   "tool_tokens",  "150", "subagent_prob", "0.3",
        "memory_size",        "1000", "memory_reads", "2",   "memory_writes", "1",
        "kv_bytes_per_token", "16"};
    ts_memtrace_t *mt = ag_load(3, kv, sizeof(kv) / sizeof(kv[0]) / 2);
    reuse_t ru = {.st = calloc(MAX_STREAMS, sizeof(sstate_t))};
    keys_t puts = {0};
    uint64_t prev_t = 0;
    uint32_t open = 0; /* stream whose GET batch is in progress (batches are contiguous) */
    for (size_t i = 0; i < mt->n; i++) {
        const ts_req_t *q = &mt->reqs[i];
        assert_true(q->time_ns >= prev_t); /* sessions interleave in time order */
        prev_t = q->time_ns;
        assert_true(q->stream > 0 && q->stream < MAX_STREAMS);
        sstate_t *x = &ru.st[q->stream];
        bool is_get = !is_mem(q) && q->op == TS_OP_GET;
        if (open && !(is_get && q->stream == open && q->time_ns == ru.st[open].get_t)) {
            reuse_check(&ru, open);
            open = 0;
        }
        if (!is_mem(q)) {
            assert_int_equal(q->size_bytes, 64 * 16);
            if (is_get) {
                x->get_t = q->time_ns;
                keys_push(&x->gets, q->key);
                open = q->stream;
            } else {
                assert_int_equal(q->op, TS_OP_PUT);
                keys_push(&x->ctx, q->key);
                keys_push(&puts, q->key);
            }
        }
        x->last_t = q->time_ns;
    }
    if (open) reuse_check(&ru, open);
    /* 1000 / 64 = 15 full prefix blocks; written blocks are never written twice. */
    assert_int_equal(ru.prefix.n, 15);
    qsort(puts.v, puts.n, sizeof(uint64_t), cmp_u64);
    for (size_t i = 1; i < puts.n; i++)
        assert_true(puts.v[i] != puts.v[i - 1]);
    for (size_t i = 0; i < ru.prefix.n; i++)
        assert_null(bsearch(&ru.prefix.v[i], puts.v, puts.n, sizeof(uint64_t), cmp_u64));
    /* ~60 x 8 turns x 0.3 forks: some sub-agents, each checked against its parent. */
    print_message("%zu turns checked, %zu sub-agents\n", ru.n_turns, ru.n_forks);
    assert_true(ru.n_forks >= 50);
    assert_true(ru.n_turns >= 400);
    for (uint32_t s = 0; s < MAX_STREAMS; s++) {
        free(ru.st[s].ctx.v);
        free(ru.st[s].gets.v);
    }
    free(ru.st);
    free(ru.prefix.v);
    free(puts.v);
    ts_memtrace_destroy(mt);
}

/* `trace info` of a hand-sized trace: 100 sessions of 3 turns, fixed lengths, blocks of 256
 * tokens at 1 KiB a token (256 KiB), no sub-agents, no memory store. The 512-token prefix
 * is 2 blocks, read by every turn and never written. Turn 1 reads them and writes the
 * blocks of its user prompt (256) and output (256): 2 PUTs. Turn 2 reads those 4 and writes
 * the tool result's block and its output's: 2 more; turn 3 reads 6 and writes 2. A session:
 * 2 + 4 + 6 = 12 GETs and 6 PUTs; the trace: 1200 GETs, 600 PUTs, 2 + 100 x 6 = 602 keys. */
static void test_agentic_trace_info_matches_parameters(void **state)
{
    (void)state;
    static const char *const kv[] = {
        "sessions",      "100", "session_rate",      "0.5", "turns",         "3",
        "turns_dist",    "fixed", "prefix_tokens",   "512", "block_tokens",  "256",
        "user_tokens",   "256", "output_tokens",     "256", "output_sigma",  "0",
        "tool_tokens",   "256", "tool_tokens_sigma", "0",   "subagent_prob", "0",
        "memory_reads",  "0",   "memory_writes",     "0",   "human_prob",    "0",
        "kv_bytes_per_token", "1KiB"};
    ts_reader_t *r = ag_open_ok(5, kv, sizeof(kv) / sizeof(kv[0]) / 2);
    ts_trace_stats_t st;
    ts_err_t err = {0};
    assert_int_equal(ts_trace_stats(r, &st, &err), 0);
    assert_int_equal(st.n_ops[TS_OP_GET], 1200);
    assert_int_equal(st.n_ops[TS_OP_PUT], 600);
    assert_int_equal(st.n_requests, 1800);
    assert_int_equal(st.n_keys, 602);
    assert_int_equal(st.footprint_bytes, 602 * 262144ull);
    assert_int_equal(st.size_min_bytes, 262144);
    assert_int_equal(st.size_max_bytes, 262144);
    assert_int_equal(st.n_time_backwards, 0);
    ts_reader_close(r);
}

/* ---- hints, turns, tool time ---- */

static void test_agentic_hints_turns_and_tool_time(void **state)
{
    (void)state;
    /* Tool time lognormal(median 10 s, sigma 0.5): mean 10 e^0.125 s, sd of one draw
     * mean sqrt(e^0.25 - 1). Turns geometric with mean 8: sd sqrt(56). */
    static const char *const kv[] = {
        "sessions",           "1000", "session_rate", "1",   "turns",         "8",
        "prefix_tokens",      "512",  "block_tokens", "256", "user_tokens",   "50",
        "output_tokens",      "50",   "tool_tokens",  "100", "tool_time",     "10s",
        "tool_sigma",         "0.5",  "human_prob",   "0",   "subagent_prob", "0",
        "memory_size",        "1000", "memory_reads", "1",   "memory_writes", "1",
        "kv_bytes_per_token", "4"};
    ts_memtrace_t *mt = ag_load(5, kv, sizeof(kv) / sizeof(kv[0]) / 2);
    uint64_t *due = calloc(MAX_STREAMS, sizeof(uint64_t));  /* announced next turn */
    uint64_t *last = calloc(MAX_STREAMS, sizeof(uint64_t)); /* latest request time */
    uint32_t *turns = calloc(MAX_STREAMS, sizeof(uint32_t));
    double gap_sum = 0;
    size_t n_gaps = 0, n_end = 0;
    for (size_t i = 0; i < mt->n; i++) {
        const ts_req_t *q = &mt->reqs[i];
        uint32_t s = q->stream;
        assert_true(s > 0 && s < MAX_STREAMS);
        if (is_mem(q)) {
            assert_int_equal(q->flags, 0); /* the memory store carries no hint */
            turns[s] += q->op == TS_OP_GET;
        } else {
            assert_true(q->flags & TS_REQ_HINT); /* every KV request of a turn */
            assert_true(q->flags & TS_REQ_KV);
            uint64_t at = q->idle_ns == UINT64_MAX ? UINT64_MAX : q->time_ns + q->idle_ns;
            if (due[s] && at != due[s]) {
                /* A new announcement: this turn began exactly when the last one said. */
                assert_true(due[s] != UINT64_MAX);
                assert_int_equal(q->time_ns, due[s]);
            }
            if (due[s] && at != due[s]) {
                gap_sum += (double)(due[s] - last[s]) * 1e-9;
                n_gaps++;
            }
            if (at == UINT64_MAX && due[s] != UINT64_MAX) n_end++;
            due[s] = at;
        }
        if (due[s] && due[s] != UINT64_MAX)
            assert_true(q->time_ns <= due[s]); /* nothing before the announced return */
        if (!due[s] || q->time_ns < due[s]) last[s] = q->time_ns;
    }
    size_t n_sess = 0;
    double turn_sum = 0;
    for (uint32_t s = 1; s < MAX_STREAMS; s++)
        if (turns[s]) {
            n_sess++;
            turn_sum += turns[s];
            assert_int_equal(due[s], UINT64_MAX); /* every session ended with "never" */
        }
    assert_int_equal(n_sess, 1000);
    assert_int_equal(n_end, 1000);
    double mean_turns = turn_sum / (double)n_sess, tol_turns = 5 * sqrt(56.0 / 1000);
    double mean_tool = 10 * exp(0.125), sd_tool = mean_tool * sqrt(exp(0.25) - 1);
    double got_tool = gap_sum / (double)n_gaps, tol_tool = 5 * sd_tool / sqrt((double)n_gaps);
    print_message("turns %.3f (8 +- %.3f), tool %.3f s over %zu gaps (%.3f +- %.3f)\n", mean_turns,
                  tol_turns, got_tool, n_gaps, mean_tool, tol_tool);
    assert_true(fabs(mean_turns - 8) < tol_turns);
    assert_int_equal(n_gaps, (size_t)turn_sum - n_sess); /* one tool call between turns */
    assert_true(fabs(got_tool - mean_tool) < tol_tool);
    free(due);
    free(last);
    free(turns);
    ts_memtrace_destroy(mt);
}

static void test_agentic_fixed_turns_and_no_end_hint(void **state)
{
    (void)state;
    static const char *const kv[] = {
        "sessions",      "30",   "turns",        "5",   "turns_dist",    "fixed",
        "prefix_tokens", "300",  "block_tokens", "100", "end_hint",      "false",
        "memory_size",   "1000", "memory_reads", "1",   "subagent_prob", "0"};
    ts_memtrace_t *mt = ag_load(9, kv, sizeof(kv) / sizeof(kv[0]) / 2);
    uint32_t turns[64] = {0};
    for (size_t i = 0; i < mt->n; i++) {
        const ts_req_t *q = &mt->reqs[i];
        assert_true(q->stream < 64);
        turns[q->stream] += is_mem(q) && q->op == TS_OP_GET;
        if (!is_mem(q) && (q->flags & TS_REQ_HINT)) assert_true(q->idle_ns != UINT64_MAX);
    }
    for (uint32_t s = 1; s <= 30; s++)
        assert_int_equal(turns[s], 5);
    ts_memtrace_destroy(mt);
}

/* Sessions counted for normalised costs are the top-level ones: 30 here, whatever
 * sub-agents fork (a sub-agent is part of its parent's session). */
static void test_agentic_units_count_top_level_sessions(void **state)
{
    (void)state;
    static const char *const kv[] = {"sessions", "30", "turns", "5", "subagent_prob", "0.5",
                                     "prefix_tokens", "300", "block_tokens", "100"};
    ts_reader_t *r = ag_open_ok(5, kv, sizeof(kv) / sizeof(kv[0]) / 2);
    ts_req_t q;
    ts_err_t err = {0};
    uint32_t top = 0;
    int rc;
    while ((rc = ts_reader_next(r, &q, &err)) == 1)
        if (q.stream > top)
            top = q.stream;
    assert_int_equal(rc, 0);
    assert_true(top > 30); /* sub-agents took stream ids of their own */
    ts_reader_units_t u;
    ts_reader_units(r, &u);
    assert_int_equal(u.sessions, 30);
    ts_reader_close(r);
}

/* ---- memory store ---- */

static void test_agentic_memory_store_is_zipf(void **state)
{
    (void)state;
    static const char *const kv[] = {
        "sessions",      "400",  "turns",          "10",  "prefix_tokens", "256",
        "block_tokens",  "256",  "memory_objects", "100", "memory_alpha",  "1",
        "memory_size",   "1000", "memory_reads",   "3",   "memory_writes", "2",
        "subagent_prob", "0",    "output_tokens",  "20",  "tool_tokens",   "20"};
    ts_memtrace_t *mt = ag_load(7, kv, sizeof(kv) / sizeof(kv[0]) / 2);
    uint64_t *k = malloc(mt->n * sizeof(uint64_t));
    size_t n = 0, n_get = 0;
    for (size_t i = 0; i < mt->n; i++)
        if (is_mem(&mt->reqs[i])) {
            k[n++] = mt->reqs[i].key;
            n_get += mt->reqs[i].op == TS_OP_GET;
        }
    /* 3 reads and 2 writes a turn. */
    assert_int_equal(n_get * 2, (n - n_get) * 3);
    qsort(k, n, sizeof(uint64_t), cmp_u64);
    size_t best = 0, run = 1, distinct = 1;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && k[i] == k[i - 1]) {
            run++;
            continue;
        }
        if (run > best) best = run;
        run = 1;
        distinct += i < n;
    }
    double h = 0;
    for (int r = 1; r <= 100; r++)
        h += 1.0 / r;
    double p1 = 1 / h, share = (double)best / (double)n;
    double tol = 5 * sqrt(p1 * (1 - p1) / (double)n);
    print_message("%zu memory requests, %zu keys, rank-1 share %.4f (%.4f +- %.4f)\n", n, distinct,
                  share, p1, tol);
    assert_true(distinct <= 100);
    assert_true(fabs(share - p1) < tol);
    free(k);
    ts_memtrace_destroy(mt);
}

/* ---- determinism ---- */

static bool req_same(const ts_req_t *a, const ts_req_t *b)
{
    return a->time_ns == b->time_ns && a->key == b->key && a->size_bytes == b->size_bytes &&
           a->op == b->op && a->stream == b->stream && a->flags == b->flags &&
           a->idle_ns == b->idle_ns;
}

static void test_agentic_deterministic_and_reset_replays(void **state)
{
    (void)state;
    static const char *const kv[] = {"sessions",      "20",  "turns",         "6",
                                     "subagent_prob", "0.3", "prefetch_lead", "3s",
                                     "hint_noise",    "0.3"};
    ts_memtrace_t *a = ag_load(11, kv, 5), *b = ag_load(11, kv, 5), *c = ag_load(12, kv, 5);
    assert_true(a->n > 1000);
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_true(req_same(&a->reqs[i], &b->reqs[i]));
    size_t same = 0;
    for (size_t i = 0; i < a->n && i < c->n; i++)
        same += req_same(&a->reqs[i], &c->reqs[i]);
    assert_true(same < a->n / 10);
    ts_reader_t *r = ag_open_ok(11, kv, 5);
    ts_err_t err = {0};
    ts_req_t q;
    for (size_t i = 0; i < a->n / 2; i++)
        assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_int_equal(ts_reader_reset(r, &err), 0);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(ts_reader_next(r, &q, &err), 1);
        assert_true(req_same(&q, &a->reqs[i]));
    }
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    ts_reader_close(r);
    ts_memtrace_destroy(a);
    ts_memtrace_destroy(b);
    ts_memtrace_destroy(c);
}

/* ---- errors ---- */

static void test_agentic_bad_params_name_the_key(void **state)
{
    (void)state;
    static const struct {
        const char *kv[4];
        size_t n;
        int code;
        const char *msg;
    } cases[] = {
        {{"block_tokens", "0"}, 1, TS_ERANGE, "block_tokens"},
        {{"session_rate", "0"}, 1, TS_ERANGE, "session_rate"},
        {{"human_prob", "1.5"}, 1, TS_ERANGE, "human_prob"},
        {{"turns_dist", "poisson"}, 1, TS_EPARSE, "geometric|fixed"},
        {{"prefix_tokens", "300000"}, 1, TS_EINVAL, "context_max"},
        {{"turns_dist", "fixed", "turns", "2.5"}, 2, TS_EINVAL, "turns must be a whole number"},
        {{"requests", "10"}, 1, TS_ENOENT, "unknown key 'requests'"},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        print_message("case %zu: %s\n", c, cases[c].kv[0]);
        assert_int_equal(ag_open(1, cases[c].kv, cases[c].n, &r, &err), cases[c].code);
        assert_null(r);
        if (!strstr(err.msg, cases[c].msg)) print_error("got: %s\n", err.msg);
        assert_non_null(strstr(err.msg, cases[c].msg));
    }
}

static void test_agentic_oom(void **state)
{
    (void)state;
    static const char *const kv[] = {"sessions",      "5",   "turns",         "4",
                                     "subagent_prob", "0.5", "prefetch_lead", "1s"};
    /* Open: every allocation fails in turn. */
    for (long n = 0;; n++) {
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        ts_mem_fail_after(n);
        int rc = ag_open(1, kv, 4, &r, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            ts_reader_close(r);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(r);
        assert_true(n < 100);
    }
    /* Generation: sessions, their blocks and the event heap; a failure is TS_ENOMEM and
     * close frees everything (the sanitizer build checks for leaks). */
    bool finished = false;
    for (long n = 0; !finished; n++) {
        ts_reader_t *r = ag_open_ok(1, kv, 4);
        ts_err_t err = {0};
        ts_req_t q;
        int rc;
        ts_mem_fail_after(n);
        while ((rc = ts_reader_next(r, &q, &err)) == 1)
            ;
        ts_mem_fail_after(-1);
        if (rc == 0)
            finished = true;
        else
            assert_int_equal(rc, TS_ENOMEM);
        ts_reader_close(r);
        assert_true(n < 1000);
    }
}

/* ---- the session-aware policy against LRU ---- */

/* Misses of one tier of `capacity` objects running policy over mt (next_access filled),
 * with the hint prefetcher when pf. */
static uint64_t run_policy(const ts_memtrace_t *mt, const char *policy, uint64_t capacity, bool pf)
{
    ts_err_t err = {0};
    const ts_policy_ops_t *ops = ts_policy_find(policy, &err);
    assert_non_null(ops);
    ts_policy_init_t init = {.capacity = capacity, .count_objects = true, .seed = 1};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create("hbm", ops, NULL, &init, &t, &err), 0);
    ts_hier_config_t cfg = {0};
    if (pf) cfg.prefetch = ts_prefetch_find("hint", &err);
    ts_hier_t *h = NULL;
    assert_int_equal(ts_hier_create(&cfg, &t, 1, &h, &err), 0);
    ts_reader_t *r = NULL;
    assert_int_equal(ts_memtrace_reader(mt, &r, &err), 0);
    assert_int_equal(ts_engine_fast_hier(h, r, NULL, &err), 0);
    uint64_t misses = t->st.n_miss;
    ts_reader_close(r);
    ts_hier_destroy(h);
    ts_tier_destroy(t);
    return misses;
}

/* Distinct keys of mt (after ts_future_annotate: each key's last request says never). */
static uint64_t footprint(const ts_memtrace_t *mt)
{
    uint64_t n = 0;
    for (size_t i = 0; i < mt->n; i++)
        n += mt->reqs[i].next_access == TS_REQ_NEVER && !(mt->reqs[i].flags & TS_REQ_PREFETCH);
    return n;
}

static const char *const k_beat_kv[] = {
    "sessions",           "150",  "session_rate", "0.5", "turns",       "15",
    "prefix_tokens",      "4096", "block_tokens", "256", "memory_size", "1000",
    "kv_bytes_per_token", "4"};

static void test_agentic_session_policy_beats_lru(void **state)
{
    (void)state;
    ts_memtrace_t *mt = ag_load(42, k_beat_kv, 7);
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(mt->reqs, mt->n, &err), 0);
    uint64_t keys = footprint(mt), cap = keys / 5;
    uint64_t lru = run_policy(mt, "lru", cap, false);
    uint64_t sess = run_policy(mt, "session", cap, false);
    uint64_t opt = run_policy(mt, "opt", cap, false);
    double n = (double)mt->n;
    print_message("%zu requests, %llu keys, capacity %llu: misses lru %llu (%.2f%%), session "
                  "%llu (%.2f%%), opt %llu (%.2f%%); compulsory %.2f%%\n",
                  mt->n, (unsigned long long)keys, (unsigned long long)cap, (unsigned long long)lru,
                  100 * lru / n, (unsigned long long)sess, 100 * sess / n, (unsigned long long)opt,
                  100 * opt / n, 100 * keys / n);
    /* OPT is optimal in objects mode; every policy misses each key once. */
    assert_true(keys <= opt && opt <= sess);
    /* With exact hints the policy orders a session's private blocks by their true next
     * use, as OPT does; only shared blocks (prefix, forks, memory store) fall back to LRU
     * age. So it must close at least half of the gap between LRU and OPT. */
    assert_true(lru - sess >= (lru - opt) / 2);
    ts_memtrace_destroy(mt);
}

static void test_agentic_prefetch_hints_help_further(void **state)
{
    (void)state;
    const char *kv[16];
    memcpy(kv, k_beat_kv, sizeof(k_beat_kv));
    kv[14] = "prefetch_lead";
    kv[15] = "2s";
    ts_memtrace_t *plain = ag_load(42, k_beat_kv, 7), *mt = ag_load(42, kv, 8);
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(plain->reqs, plain->n, &err), 0);
    uint64_t cap = footprint(plain) / 5;
    uint64_t sess = run_policy(plain, "session", cap, false);
    uint64_t sess_pf = run_policy(mt, "session", cap, true);
    uint64_t lru_pf = run_policy(mt, "lru", cap, true);
    print_message("capacity %llu: misses session %llu, with prefetch hints %llu (lru with "
                  "them %llu)\n",
                  (unsigned long long)cap, (unsigned long long)sess, (unsigned long long)sess_pf,
                  (unsigned long long)lru_pf);
    /* Blocks brought back before the turn no longer miss. */
    assert_true(sess_pf < sess);
    assert_true(sess_pf <= lru_pf);
    ts_memtrace_destroy(plain);
    ts_memtrace_destroy(mt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agentic_reuse_structure),
        cmocka_unit_test(test_agentic_trace_info_matches_parameters),
        cmocka_unit_test(test_agentic_hints_turns_and_tool_time),
        cmocka_unit_test(test_agentic_fixed_turns_and_no_end_hint),
        cmocka_unit_test(test_agentic_units_count_top_level_sessions),
        cmocka_unit_test(test_agentic_memory_store_is_zipf),
        cmocka_unit_test(test_agentic_deterministic_and_reset_replays),
        cmocka_unit_test(test_agentic_bad_params_name_the_key),
        cmocka_unit_test(test_agentic_oom),
        cmocka_unit_test(test_agentic_session_policy_beats_lru),
        cmocka_unit_test(test_agentic_prefetch_hints_help_further),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
