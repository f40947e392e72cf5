/* SPDX-License-Identifier: MIT */
/*
 * test_inference.c - the LLM model presets and the inference generator: KV bytes per token
 * and parameter counts derived by hand from each config.json; block sizes; equal system
 * prompts give equal block keys and different ones disjoint keys; turn k re-reads exactly
 * the blocks of turns < k, with floor(tokens / B) blocks per request; the mean prompt
 * length, turns per conversation and arrival rate against their configured values; Zipf
 * popularity of system prompts; max_context; weight reads on model and adapter switches;
 * determinism; parameter errors name the key; an infinite cache under the fast engine hits
 * exactly the block references counted as repeats from the generator's structure.
 *
 * Statistical checks use 5-sigma tolerances derived in each test, with fixed seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen_test.h"
#include <math.h>

#include "sim/engine.h"
#include "sim/util/mem.h"
#include "sim/tier.h"
#include "workloads/gen.h"
#include "workloads/inference.h"
#include "sim/models.h"
#include "traces/info.h"


static int inf_open(uint64_t seed, const char *const *kv, size_t n, ts_reader_t **r, ts_err_t *err)
{
    return gen_test_open("inference", seed, kv, n, r, err);
}

static ts_reader_t *inf_open_ok(uint64_t seed, const char *const *kv, size_t n)
{
    return gen_test_open_ok("inference", seed, kv, n);
}

#define OPEN(seed, kv) inf_open_ok(seed, kv, sizeof(kv) / sizeof(kv[0]))

/* Reads one block request and the LLM request it belongs to; false at the end. */
static bool read_one(ts_reader_t *r, ts_req_t *q, ts_inference_req_t *ir)
{
    ts_err_t err = {0};
    int rc = ts_reader_next(r, q, &err);
    assert_true(rc >= 0);
    if (rc == 0)
        return false;
    assert_int_equal(ts_gen_inference_current(r, ir, &err), 0);
    return true;
}

/* Moves r to the first block request of the next LLM request and fills ir with that
 * request; *last is the index of the one before (UINT64_MAX at the start). False at the
 * end. */
static bool next_llm(ts_reader_t *r, ts_inference_req_t *ir, uint64_t *last)
{
    ts_req_t q;
    while (read_one(r, &q, ir)) {
        if (ir->index != *last) {
            *last = ir->index;
            return true;
        }
    }
    return false;
}

/* ---- presets ---- */

struct preset_case {
    const char *name;
    uint64_t kv_bytes; /* per token, BF16, by the formula */
    uint64_t params;   /* total, summed from config.json shapes (0: stated, not summed) */
};

/* Dense parameters from config.json: untied embedding and output head (2 x vocab x hidden),
 * per layer q and o (hidden^2 each), k and v (hidden x kv_heads x head_dim each), their
 * biases (Qwen2: q, k, v), a gated MLP (3 x hidden x intermediate), two RMSNorms; a final
 * norm. */
static uint64_t dense_params(uint64_t vocab, uint64_t hidden, uint64_t inter, uint64_t layers,
                             uint64_t kv_dim, bool qkv_bias)
{
    uint64_t attn = 2 * hidden * hidden + 2 * hidden * kv_dim;
    if (qkv_bias)
        attn += hidden + 2 * kv_dim;
    uint64_t layer = attn + 3 * hidden * inter + 2 * hidden;
    return 2 * vocab * hidden + layers * layer + hidden;
}

static void test_inference_presets_kv_bytes_and_params_by_hand(void **state)
{
    (void)state;
    const struct preset_case cases[] = {
        /* 2 x layers x kv_heads x head_dim x 2 bytes */
        {"llama-3.1-8b", 2 * 32 * 8 * 128 * 2, dense_params(128256, 4096, 14336, 32, 1024, false)},
        {"llama-3.1-70b", 2 * 80 * 8 * 128 * 2, dense_params(128256, 8192, 28672, 80, 1024, false)},
        {"llama-3.1-405b", 2 * 126 * 8 * 128 * 2,
         dense_params(128256, 16384, 53248, 126, 1024, false)},
        {"qwen2.5-72b", 2 * 80 * 8 * 128 * 2, dense_params(152064, 8192, 29568, 80, 1024, true)},
        /* MLA: layers x (512 + 64) x 2 bytes */
        {"deepseek-v3", 61 * (512 + 64) * 2, 0},
    };
    assert_int_equal(ts_gen_model_count(), sizeof(cases) / sizeof(cases[0]));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case %s\n", cases[i].name);
        const ts_model_t *m = ts_gen_model_find(cases[i].name, NULL);
        assert_non_null(m);
        assert_int_equal(ts_gen_model_kv_bytes_per_token(m, 0), cases[i].kv_bytes);
        assert_int_equal(ts_gen_model_kv_bytes_per_token(m, 1) * 2, cases[i].kv_bytes); /* FP8 */
        if (cases[i].params) {
            assert_int_equal(m->params_total, cases[i].params);
            assert_int_equal(m->params_active, cases[i].params);
            assert_int_equal(ts_gen_model_weight_bytes(m), 2 * cases[i].params);
        }
        assert_true(ts_gen_model_prefill_flops_per_token(m) == 2.0 * (double)m->params_active);
    }
    for (size_t i = 0; i < ts_gen_model_count(); i++) {
        if (i > 0)
            assert_true(strcmp(ts_gen_model_at(i - 1)->name, ts_gen_model_at(i)->name) < 0);
        assert_string_equal(ts_gen_model_names[i], ts_gen_model_at(i)->name);
    }
    assert_null(ts_gen_model_names[ts_gen_model_count()]);
    /* Llama-3.1-8B, 70B, 405B as their model cards round them; Qwen2.5-72B: 72.7B. */
    assert_int_equal(ts_gen_model_find("llama-3.1-8b", NULL)->params_total, 8030261248ull);
    assert_int_equal(ts_gen_model_find("qwen2.5-72b", NULL)->params_total / 100000000, 727);
    /* DeepSeek-V3: 671B total, 37B activated, FP8 weights (1 byte). */
    const ts_model_t *ds = ts_gen_model_find("deepseek-v3", NULL);
    assert_int_equal(ds->params_total, 671000000000ull);
    assert_int_equal(ds->params_active, 37000000000ull);
    assert_int_equal(ts_gen_model_weight_bytes(ds), 671000000000ull);
    ts_err_t err = {0};
    assert_null(ts_gen_model_find("llama-3.1-7b", &err));
    assert_int_equal(err.code, TS_ENOENT);
    assert_non_null(strstr(err.msg, "did you mean"));
}

/* ---- block sizes ---- */

static void test_inference_block_bytes_are_kv_per_token_times_B(void **state)
{
    (void)state;
    static const struct {
        const char *kv[3];
        uint64_t bytes;
    } cases[] = {
        {{"model=llama-3.1-8b", "block_tokens=16", "kv_dtype=model"}, 131072ull * 16},
        {{"model=llama-3.1-8b", "block_tokens=16", "kv_dtype=fp8"}, 65536ull * 16},
        {{"model=llama-3.1-70b", "block_tokens=256", "kv_dtype=bf16"}, 327680ull * 256},
        {{"model=deepseek-v3", "block_tokens=512", "kv_dtype=fp32"}, 61ull * 576 * 4 * 512},
        {{"model=qwen2.5-72b", "block_tokens=100", "kv_bytes_per_token=1000"}, 100000},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const char *kv[] = {cases[c].kv[0], cases[c].kv[1], cases[c].kv[2], "requests=500"};
        ts_reader_t *r = OPEN(3, kv);
        ts_req_t q;
        ts_inference_req_t ir;
        int n = 0;
        while (read_one(r, &q, &ir)) {
            assert_int_equal(q.size_bytes, cases[c].bytes);
            assert_int_equal(ir.block_bytes, cases[c].bytes);
            assert_true((q.key & TS_INFERENCE_WEIGHT_KEY) == 0);
            n++;
        }
        assert_int_equal(n, 500);
        ts_reader_close(r);
    }
}

/* ---- block naming ---- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* System prompts of exactly 4 blocks (1024 tokens, B = 256) and 300 user tokens: every
 * prompt has 5 full blocks; blocks 0-3 are the system prompt's, block 4 the conversation's. */
static void test_inference_equal_system_prompts_give_equal_keys(void **state)
{
    (void)state;
    enum { N = 400 };
    static const char *const kv[] = {
        "llm_requests=400", "requests=0",       "system_prompts=3",   "system_tokens=1024",
        "system_sigma=0",   "user_tokens=300",  "user_sigma=0",       "output_tokens=0",
        "turns=1",          "turns_dist=fixed", "write_prompt=false", "write_output=false",
        "block_tokens=256"};
    ts_reader_t *r = OPEN(5, kv);
    uint64_t first[3][4] = {{0}};
    bool has[3] = {false, false, false};
    uint64_t *own = calloc(N, sizeof(uint64_t));
    size_t n_own = 0;
    ts_req_t q;
    ts_inference_req_t ir;
    uint64_t blocks[5];
    int at = 0;
    while (read_one(r, &q, &ir)) {
        assert_int_equal(q.op, TS_OP_GET);
        assert_int_equal(ir.n_prompt_blocks, 5);
        assert_int_equal(q.stream, (uint32_t)ir.conversation);
        blocks[at++] = q.key;
        if (at < 5)
            continue;
        at = 0;
        uint32_t s = ir.system_prompt;
        assert_true(s < 3);
        if (!has[s]) {
            memcpy(first[s], blocks, sizeof(first[s]));
            has[s] = true;
        }
        assert_memory_equal(first[s], blocks, sizeof(first[s]));
        own[n_own++] = blocks[4];
    }
    assert_int_equal(n_own, N);
    assert_true(has[0] && has[1] && has[2]);
    /* Different system prompts: disjoint keys (12 distinct). */
    uint64_t all[12];
    memcpy(all, first, sizeof(all));
    qsort(all, 12, sizeof(uint64_t), cmp_u64);
    for (int i = 1; i < 12; i++)
        assert_true(all[i] != all[i - 1]);
    /* Each conversation's own block differs from every other and from the shared ones. */
    qsort(own, n_own, sizeof(uint64_t), cmp_u64);
    for (size_t i = 1; i < n_own; i++)
        assert_true(own[i] != own[i - 1]);
    for (int i = 0; i < 12; i++)
        assert_null(bsearch(&all[i], own, n_own, sizeof(uint64_t), cmp_u64));
    free(own);
    ts_reader_close(r);
}

/* ---- reuse structure ---- */

#define MAXB 4096

typedef struct turn_keys {
    uint64_t get[MAXB], put_prompt[MAXB], put_out[MAXB];
    size_t n_get, n_put_prompt, n_put_out;
    ts_inference_req_t ir;
} turn_keys_t;

/* Reads every block request of the next LLM request into t (the reader must stand at a
 * request boundary); false at the end of the trace. */
static bool read_turn(ts_reader_t *r, turn_keys_t *t, ts_req_t *pending, bool *has_pending)
{
    t->n_get = t->n_put_prompt = t->n_put_out = 0;
    ts_req_t q;
    ts_inference_req_t ir;
    bool first = true;
    for (;;) {
        if (*has_pending) {
            q = *pending;
            *has_pending = false;
            ts_err_t err = {0};
            assert_int_equal(ts_gen_inference_current(r, &ir, &err), 0);
        } else if (!read_one(r, &q, &ir)) {
            return !first;
        }
        if (!first && ir.index != t->ir.index) {
            *pending = q;
            *has_pending = true;
            return true;
        }
        if (first)
            t->ir = ir;
        first = false;
        assert_int_equal(q.time_ns, ir.time_ns);
        if (q.op == TS_OP_GET) {
            assert_true(t->n_get < MAXB && t->n_put_prompt == 0 && t->n_put_out == 0);
            t->get[t->n_get++] = q.key;
        } else if (t->n_put_prompt + ir.first_new_block < ir.n_prompt_blocks) {
            assert_true(t->n_put_out == 0);
            t->put_prompt[t->n_put_prompt++] = q.key;
        } else {
            assert_true(t->n_put_out < MAXB);
            t->put_out[t->n_put_out++] = q.key;
        }
    }
}

/* One live conversation at a time, 4 turns each, B = 16 and lengths that vary: turn k GETs
 * exactly turn k-1's GETs followed by its decode PUTs, then blocks never seen; prefill PUTs
 * are exactly the GETs from floor(H_k / B) on; counts are floor(tokens / B). */
static void test_inference_turn_k_rereads_turns_before(void **state)
{
    (void)state;
    static const char *const kv[] = {"llm_requests=200",  "requests=0",        "conversations=1",
                                     "turns=4",           "turns_dist=fixed",  "system_prompts=4",
                                     "system_tokens=300", "user_tokens=120",   "output_tokens=90",
                                     "block_tokens=16",   "model=llama-3.1-8b"};
    ts_reader_t *r = OPEN(7, kv);
    turn_keys_t *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
    ts_req_t pending;
    bool has_pending = false;
    uint64_t n_turns = 0, n_partial_tail = 0, n_tokens = 0;
    while (read_turn(r, b, &pending, &has_pending)) {
        const ts_inference_req_t *ir = &b->ir;
        uint64_t B = 16;
        n_tokens += ir->prompt_tokens + ir->output_tokens;
        assert_int_equal(ir->index, n_turns);
        assert_int_equal(ir->turn, n_turns % 4 + 1);
        assert_int_equal(ir->conversation, n_turns / 4);
        assert_int_equal(b->n_get, ir->prompt_tokens / B);
        assert_int_equal(b->n_put_out,
                         (ir->prompt_tokens + ir->output_tokens) / B - ir->prompt_tokens / B);
        n_partial_tail += (ir->prompt_tokens + ir->output_tokens) % B != 0;
        if (ir->turn == 1) {
            assert_int_equal(ir->history_tokens, ir->system_tokens);
        } else {
            const ts_inference_req_t *pr = &a->ir;
            assert_int_equal(ir->conversation, pr->conversation);
            assert_int_equal(ir->history_tokens, pr->prompt_tokens + pr->output_tokens);
            /* The blocks of the turns before, in order: the previous prompt's, then its
             * decode blocks; floor(H_k / B) of them. */
            size_t n_old = a->n_get + a->n_put_out;
            assert_int_equal(n_old, ir->history_tokens / B);
            assert_int_equal(ir->first_new_block, n_old);
            assert_true(b->n_get >= n_old);
            assert_memory_equal(b->get, a->get, a->n_get * sizeof(uint64_t));
            assert_memory_equal(b->get + a->n_get, a->put_out, a->n_put_out * sizeof(uint64_t));
            for (size_t i = n_old; i < b->n_get; i++) {
                for (size_t j = 0; j < a->n_get; j++)
                    assert_true(b->get[i] != a->get[j]);
                for (size_t j = 0; j < a->n_put_out; j++)
                    assert_true(b->get[i] != a->put_out[j]);
            }
        }
        /* Prefill writes exactly the GETs from first_new_block on. */
        assert_int_equal(b->n_put_prompt, b->n_get - ir->first_new_block);
        assert_memory_equal(b->put_prompt, b->get + ir->first_new_block,
                            b->n_put_prompt * sizeof(uint64_t));
        turn_keys_t *t = a;
        a = b;
        b = t;
        n_turns++;
    }
    assert_int_equal(n_turns, 200);
    assert_true(n_partial_tail > 150); /* lengths vary: most requests end in a partial block */
    /* the units normalised costs use: the calls and their prompt and output tokens */
    ts_reader_units_t u;
    ts_reader_units(r, &u);
    assert_int_equal(u.llm_requests, 200);
    assert_int_equal(u.tokens, n_tokens);
    free(a);
    free(b);
    ts_reader_close(r);
}

/* ---- means ---- */

/* Conversations run one at a time, 3 turns each, so 30000 requests are 10000 whole
 * conversations. Turn k's prompt is S + sum_{j<k}(u_j + o_j) + u_k: the mean over a
 * conversation's turns is S + U + (T - 1) / 2 x (U + O) = 1000 + 200 + 300 = 1500. A
 * conversation's prompt sum is T S + sum_j (T - j + 1) u_j + sum_j (T - j) o_j, with
 * variance Var(u) (9 + 4 + 1) + Var(o) (4 + 1), Var = mean^2 (e^(sigma^2) - 1). */
static void test_inference_mean_prompt_turns_and_rate(void **state)
{
    (void)state;
    enum { N = 30000 };
    static const char *const kv[] = {
        "llm_requests=30000", "requests=0",         "conversations=1",  "turns=3",
        "turns_dist=fixed",   "system_tokens=1000", "system_sigma=0",   "user_tokens=200",
        "user_sigma=0.5",     "output_tokens=100",  "output_sigma=0.5", "rate=50",
        "write_prompt=false", "write_output=false", "block_tokens=512"};
    ts_reader_t *r = OPEN(9, kv);
    ts_inference_req_t ir;
    uint64_t last = UINT64_MAX, n = 0;
    double sum_prompt = 0, sum_out = 0, t0 = 0, t1 = 0;
    while (next_llm(r, &ir, &last)) {
        if (n == 0)
            t0 = (double)ir.time_ns;
        t1 = (double)ir.time_ns;
        sum_prompt += (double)ir.prompt_tokens;
        sum_out += (double)ir.output_tokens;
        assert_int_equal(ir.system_tokens, 1000);
        n++;
    }
    assert_int_equal(n, N);
    double e = exp(0.25) - 1;
    double var_conv = 200.0 * 200 * e * 14 + 100.0 * 100 * e * 5;
    double sd_mean = sqrt(var_conv / (N / 3)) / 3;
    double mean = sum_prompt / N;
    print_message("mean prompt %.2f (expected 1500 +- %.2f)\n", mean, 5 * sd_mean + 0.5);
    assert_true(fabs(mean - 1500) < 5 * sd_mean + 0.5);
    double mean_out = sum_out / N, sd_out = sqrt(100.0 * 100 * e / N);
    assert_true(fabs(mean_out - 100) < 5 * sd_out + 0.5);
    /* Poisson at 50/s: gaps of mean 20 ms and sd 20 ms. */
    double gap = (t1 - t0) / (N - 1), sd_gap = 20e6 / sqrt(N - 1);
    print_message("mean gap %.0f ns (expected 2e7 +- %.0f)\n", gap, 5 * sd_gap);
    assert_true(fabs(gap - 20e6) < 5 * sd_gap);
    ts_reader_close(r);
}

/* `trace info` of a hand-sized trace. One conversation at a time, 2 turns, fixed lengths:
 * system 1024 tokens (one system prompt), user 256, output 256, blocks of 256 tokens of
 * Llama-3.1-8B KV (131072 B/token: 32 MiB a block), no writes. Turn 1's prompt is
 * 1024 + 256 = 1280 tokens, 5 blocks; turn 2's is 1280 + 256 + 256 = 1792, 7 blocks: 12
 * GETs a conversation, 6000 for 500 conversations. Distinct blocks: the 4 system-prompt
 * blocks shared by all, and per conversation its own turn-1 user block and turn 2's two
 * new ones: 4 + 500 x 3 = 1504. 1000 calls at Poisson 10/s span 999 gaps of mean 0.1 s. */
static void test_inference_trace_info_matches_parameters(void **state)
{
    (void)state;
    static const char *const kv[] = {
        "llm_requests=1000",  "requests=0",          "conversations=1",  "turns=2",
        "turns_dist=fixed",   "system_prompts=1",    "system_tokens=1024", "system_sigma=0",
        "user_tokens=256",    "user_sigma=0",        "output_tokens=256", "output_sigma=0",
        "rate=10",            "write_prompt=false",  "write_output=false", "block_tokens=256",
        "model=llama-3.1-8b"};
    ts_reader_t *r = OPEN(3, kv);
    ts_trace_stats_t st;
    ts_err_t err = {0};
    assert_int_equal(ts_trace_stats(r, &st, &err), 0);
    const uint64_t block = 256ull * 131072;
    assert_int_equal(st.n_requests, 6000);
    assert_int_equal(st.n_ops[TS_OP_GET], 6000);
    assert_int_equal(st.n_keys, 1504);
    assert_int_equal(st.footprint_bytes, 1504 * block);
    assert_int_equal(st.requested_bytes, 6000 * block);
    assert_int_equal(st.size_min_bytes, block);
    assert_int_equal(st.size_max_bytes, block);
    assert_int_equal(st.n_time_backwards, 0);
    double span = (double)st.span_ns * 1e-9, sd = 0.1 * sqrt(999.0);
    print_message("span %.2f s (expected 99.9 +- %.2f)\n", span, 5 * sd);
    assert_true(fabs(span - 99.9) < 5 * sd);
    ts_reader_close(r);
}

/* Geometric turns with mean 3: the sample mean of the turns drawn for 20000 conversations
 * lies within 5 sd = 5 sqrt(1 - p) / p / sqrt(n), p = 1/3; each conversation then issues
 * exactly its drawn number of turns. */
static void test_inference_geometric_turns(void **state)
{
    (void)state;
    static const char *const kv[] = {
        "llm_requests=60000", "requests=0",         "conversations=1", "turns=3",
        "system_tokens=32",   "system_sigma=0",     "user_tokens=5",   "output_tokens=5",
        "write_prompt=false", "write_output=false", "block_tokens=16"};
    ts_reader_t *r = OPEN(13, kv);
    ts_inference_req_t ir;
    uint64_t last = UINT64_MAX, n_conv = 0, sum_turns = 0, expect_turn = 1, turns = 0;
    while (next_llm(r, &ir, &last)) {
        if (ir.turn == 1) {
            if (n_conv > 0)
                assert_int_equal(expect_turn, turns + 1); /* the last one finished */
            n_conv++;
            turns = ir.turns;
            expect_turn = 1;
            if (last < 40000)
                sum_turns += ir.turns;
        }
        assert_int_equal(ir.turn, expect_turn);
        expect_turn++;
    }
    assert_int_equal(last, 59999);
    /* Conversations started before request 40000: all their draws, no truncation bias. */
    uint64_t n_counted = 0;
    ts_reader_reset(r, NULL);
    last = UINT64_MAX;
    while (next_llm(r, &ir, &last)) {
        n_counted += ir.turn == 1 && ir.index < 40000;
    }
    double mean = (double)sum_turns / (double)n_counted;
    double tol = 5 * sqrt(2.0 / 3.0) * 3 / sqrt((double)n_counted);
    print_message("mean turns %.4f over %llu (expected 3 +- %.4f)\n", mean,
                  (unsigned long long)n_counted, tol);
    assert_true(fabs(mean - 3) < tol);
    ts_reader_close(r);
}

/* Geometric turns (mean M = 3), fixed lengths S = 1000, U = 200, O = 100: a conversation of
 * T turns sums Y(T) = T S + U T(T + 1)/2 + O T(T - 1)/2 prompt tokens, so the mean prompt
 * over requests is R = E[Y] / E[T] = S + U + (M - 1)(U + O) = 1800. The estimator
 * sum Y / sum T has variance about E[(Y - R T)^2] / (n E[T]^2) (delta method), summed here
 * over the geometric law; the one unfinished conversation at the end shifts the mean by
 * well under a token. */
static void test_inference_mean_prompt_geometric_turns(void **state)
{
    (void)state;
    enum { N = 60000 };
    static const char *const kv[] = {
        "llm_requests=60000", "requests=0",     "conversations=1",    "turns=3",
        "system_tokens=1000", "system_sigma=0", "user_tokens=200",    "user_sigma=0",
        "output_tokens=100",  "output_sigma=0", "write_prompt=false", "write_output=false",
        "block_tokens=512"};
    const double S = 1000, U = 200, O = 100, p = 1.0 / 3;
    double ey = 0, et = 0;
    for (int t = 1; t < 2000; t++) {
        double w = p * pow(1 - p, t - 1);
        ey += w * (t * S + U * t * (t + 1) / 2 + O * t * (t - 1) / 2);
        et += w * t;
    }
    double R = ey / et;
    assert_true(fabs(R - (S + U + 2 * (U + O))) < 1e-6);
    double v = 0;
    for (int t = 1; t < 2000; t++) {
        double w = p * pow(1 - p, t - 1);
        double d = t * S + U * t * (t + 1) / 2 + O * t * (t - 1) / 2 - R * t;
        v += w * d * d;
    }
    double n_conv = N / et, sd = sqrt(v / n_conv) / et;
    ts_reader_t *r = OPEN(37, kv);
    ts_inference_req_t ir;
    uint64_t last = UINT64_MAX, n = 0;
    double sum = 0;
    while (next_llm(r, &ir, &last)) {
        sum += (double)ir.prompt_tokens;
        n++;
    }
    assert_int_equal(n, N);
    print_message("mean prompt %.2f (expected %.0f +- %.2f)\n", sum / N, R, 5 * sd + 1);
    assert_true(fabs(sum / N - R) < 5 * sd + 1);
    ts_reader_close(r);
}

/* Gamma gaps with CV 3 at 50/s: mean 20 ms (sd of the mean 3 x 20 ms / sqrt(n)); the squared
 * CV of the sample is 9 within 5 sd of s^2 / sigma^2, about sqrt((2 + 6 / k) / n), k = 1/9. */
static void test_inference_gamma_arrivals(void **state)
{
    (void)state;
    enum { N = 40000 };
    static const char *const kv[] = {"llm_requests=40000",
                                     "requests=0",
                                     "arrival=gamma",
                                     "arrival_cv=3",
                                     "rate=50",
                                     "system_tokens=32",
                                     "system_sigma=0",
                                     "user_tokens=5",
                                     "output_tokens=5",
                                     "write_prompt=false",
                                     "write_output=false",
                                     "block_tokens=16"};
    ts_reader_t *r = OPEN(17, kv);
    ts_inference_req_t ir;
    uint64_t last = UINT64_MAX, prev_t = 0;
    double s1 = 0, s2 = 0;
    uint64_t n = 0;
    while (next_llm(r, &ir, &last)) {
        if (ir.index > 0) {
            double g = (double)(ir.time_ns - prev_t);
            s1 += g;
            s2 += g * g;
            n++;
        }
        prev_t = ir.time_ns;
    }
    assert_int_equal(n, N - 1);
    double mean = s1 / (double)n, var = s2 / (double)n - mean * mean;
    double cv2 = var / (mean * mean);
    double tol_mean = 5 * 3 * 20e6 / sqrt((double)n);
    double tol_cv2 = 9 * 5 * sqrt((2 + 6 * 9.0) / (double)n);
    print_message("mean gap %.0f (2e7 +- %.0f), cv^2 %.3f (9 +- %.3f)\n", mean, tol_mean, cv2,
                  tol_cv2);
    assert_true(fabs(mean - 20e6) < tol_mean);
    assert_true(fabs(cv2 - 9) < tol_cv2);
    ts_reader_close(r);
}

/* ---- popularity ---- */

/* Single-turn conversations pick a system prompt each: P(rank 0) = 1 / H(10, 1), P(rank 1)
 * half of it; 5-sigma binomial tolerances. */
static void test_inference_system_prompt_zipf(void **state)
{
    (void)state;
    enum { N = 20000 };
    static const char *const kv[] = {"llm_requests=20000",
                                     "requests=0",
                                     "system_prompts=10",
                                     "system_alpha=1",
                                     "turns=1",
                                     "turns_dist=fixed",
                                     "system_tokens=32",
                                     "system_sigma=0",
                                     "user_tokens=5",
                                     "output_tokens=0",
                                     "write_prompt=false",
                                     "block_tokens=16"};
    ts_reader_t *r = OPEN(19, kv);
    ts_inference_req_t ir;
    uint64_t last = UINT64_MAX, count[10] = {0}, n = 0;
    while (next_llm(r, &ir, &last)) {
        assert_true(ir.system_prompt < 10);
        count[ir.system_prompt]++;
        n++;
    }
    assert_int_equal(n, N);
    double h = 0;
    for (int k = 1; k <= 10; k++)
        h += 1.0 / k;
    for (int k = 0; k < 2; k++) {
        double p = 1.0 / (k + 1) / h, share = (double)count[k] / N;
        double tol = 5 * sqrt(p * (1 - p) / N);
        print_message("rank %d share %.4f (expected %.4f +- %.4f)\n", k, share, p, tol);
        assert_true(fabs(share - p) < tol);
    }
    ts_reader_close(r);
}

/* ---- max_context ---- */

/* System 1000 + 1000 user tokens a turn, no output, max_context 5000: turns take the
 * context to 2000, 3000, 4000, 5000; a fifth would reach 6000, so the conversation ends
 * after 4 turns although 100 were drawn. */
static void test_inference_max_context_ends_a_conversation(void **state)
{
    (void)state;
    static const char *const kv[] = {"llm_requests=40", "requests=0",       "conversations=1",
                                     "turns=100",       "turns_dist=fixed", "system_tokens=1000",
                                     "system_sigma=0",  "user_tokens=1000", "user_sigma=0",
                                     "output_tokens=0", "max_context=5000", "block_tokens=256"};
    ts_reader_t *r = OPEN(23, kv);
    ts_inference_req_t ir;
    uint64_t last = UINT64_MAX, n = 0;
    while (next_llm(r, &ir, &last)) {
        assert_int_equal(ir.turn, n % 4 + 1);
        assert_int_equal(ir.conversation, n / 4);
        assert_int_equal(ir.prompt_tokens, 1000 + 1000 * ir.turn);
        n++;
    }
    assert_int_equal(n, 40);
    ts_reader_close(r);
}

/* ---- weights ---- */

/* Three Llama-3.1-8B models, uniform popularity, one resident: a request reads the model's
 * 16,060,522,496 weight bytes in ceil(W / 4GiB) = 4 chunks (3 x 4GiB + 3,175,620,608)
 * exactly when its model differs from the previous request's. */
static void test_inference_model_weights_load_on_switch(void **state)
{
    (void)state;
    static const char *const kv[] = {"llm_requests=300",  "requests=0",         "weights=models",
                                     "models=3",          "model_alpha=0",      "resident_models=1",
                                     "weight_chunk=4GiB", "model=llama-3.1-8b", "system_tokens=100",
                                     "user_tokens=50",    "output_tokens=10",   "block_tokens=16"};
    ts_reader_t *r = OPEN(29, kv);
    const uint64_t w = 8030261248ull * 2, chunk = 4ull << 30;
    ts_req_t q;
    ts_inference_req_t ir;
    uint64_t last = UINT64_MAX, prev_model = UINT64_MAX, n_loads = 0, n_switch = 0;
    uint64_t bytes = 0, n_chunks = 0, kv_first_model[3] = {0};
    while (read_one(r, &q, &ir)) {
        if (ir.index != last) {
            if (last != UINT64_MAX) {
                assert_int_equal(n_chunks, n_chunks ? 4 : 0);
                assert_int_equal(bytes, n_chunks ? w : 0);
            }
            last = ir.index;
            bool sw = ir.model != prev_model;
            n_switch += sw;
            prev_model = ir.model;
            assert_int_equal(ir.n_weight_reads, sw ? 4 : 0);
            assert_int_equal(ir.weight_bytes, sw ? w : 0);
            n_loads += sw;
            bytes = n_chunks = 0;
        }
        /* weights cannot be recomputed: only KV blocks carry TS_REQ_KV */
        assert_int_equal(!(q.flags & TS_REQ_KV), !!(q.key & TS_INFERENCE_WEIGHT_KEY));
        if (q.key & TS_INFERENCE_WEIGHT_KEY) {
            assert_int_equal(q.op, TS_OP_GET);
            assert_int_equal(q.stream, TS_INFERENCE_WEIGHT_STREAM | ir.model);
            assert_int_equal(q.size_bytes, n_chunks < 3 ? chunk : w - 3 * chunk);
            bytes += q.size_bytes;
            n_chunks++;
        } else if (ir.turn == 1 && q.op == TS_OP_GET && kv_first_model[ir.model] == 0 &&
                   ir.system_prompt == 0) {
            kv_first_model[ir.model] = q.key; /* block 0 of system prompt 0 */
        }
    }
    /* Uniform over 3 models: about 2/3 of requests switch. */
    assert_true(n_switch > 150 && n_switch < 250);
    assert_int_equal(n_loads, n_switch);
    /* Each model has its own KV keys for the same system prompt. */
    assert_true(kv_first_model[0] && kv_first_model[1] && kv_first_model[2]);
    assert_true(kv_first_model[0] != kv_first_model[1] && kv_first_model[1] != kv_first_model[2] &&
                kv_first_model[0] != kv_first_model[2]);
    ts_reader_close(r);
}

/* LoRA: the base model is read once, at the first request; adapters of 414MB (one chunk)
 * are read when not among the 2 most recently used. */
static void test_inference_lora_adapters_lru(void **state)
{
    (void)state;
    static const char *const kv[] = {"llm_requests=300",   "requests=0",        "weights=lora",
                                     "models=5",           "model_alpha=0.5",   "resident_models=2",
                                     "model=llama-3.1-8b", "system_tokens=100", "user_tokens=50",
                                     "output_tokens=10",   "block_tokens=16"};
    ts_reader_t *r = OPEN(31, kv);
    const uint64_t w = 8030261248ull * 2, base_chunks = (w + (1ull << 30) - 1) >> 30;
    ts_req_t q;
    ts_inference_req_t ir;
    uint64_t last = UINT64_MAX, lru[2] = {UINT64_MAX, UINT64_MAX}, n_base = 0, n_adapter = 0;
    uint64_t expect_base = 0, expect_adapter = 0;
    while (read_one(r, &q, &ir)) {
        if (ir.index != last) {
            last = ir.index;
            bool hit = lru[0] == ir.model || lru[1] == ir.model;
            if (lru[0] != ir.model) {
                lru[1] = lru[0];
                lru[0] = ir.model;
            }
            uint64_t want = (ir.index == 0 ? base_chunks : 0) + (hit ? 0 : 1);
            assert_int_equal(ir.n_weight_reads, want);
            expect_base += ir.index == 0 ? base_chunks : 0;
            expect_adapter += hit ? 0 : 1;
        }
        if (q.stream == TS_INFERENCE_BASE_STREAM) {
            n_base++;
        } else if (q.key & TS_INFERENCE_WEIGHT_KEY) {
            assert_int_equal(q.size_bytes, 414000000);
            assert_int_equal(q.stream, TS_INFERENCE_WEIGHT_STREAM | ir.model);
            n_adapter++;
        }
    }
    assert_int_equal(n_base, 15); /* ceil(16,060,522,496 / 1GiB) */
    assert_int_equal(n_base, expect_base);
    assert_int_equal(n_adapter, expect_adapter);
    assert_true(n_adapter > 20);
    ts_reader_close(r);
}

/* ---- determinism ---- */

static void test_inference_determinism(void **state)
{
    (void)state;
    enum { N = 5000 };
    static const char *const kv[] = {"requests=5000",  "block_tokens=16", "arrival=gamma",
                                     "weights=models", "models=4",        "weight_chunk=8GiB"};
    ts_reader_t *a = OPEN(41, kv), *b = OPEN(41, kv), *c = OPEN(42, kv);
    ts_req_t *first = calloc(N, sizeof(ts_req_t));
    ts_req_t qa, qb, qc;
    ts_inference_req_t ir;
    ts_err_t err = {0};
    assert_int_equal(ts_gen_inference_current(a, &ir, &err), TS_ENOENT);
    int n_same_key = 0;
    for (int i = 0; i < N; i++) {
        assert_true(read_one(a, &qa, &ir));
        assert_true(read_one(b, &qb, &ir));
        assert_true(read_one(c, &qc, &ir));
        assert_memory_equal(&qa, &qb, sizeof(qa));
        n_same_key += qa.key == qc.key;
        first[i] = qa;
    }
    assert_false(read_one(a, &qa, &ir));
    assert_true(n_same_key < 10);
    ts_reader_info_t info;
    ts_reader_info(a, &info);
    assert_int_equal(info.n_requests, N);
    assert_int_equal(ts_reader_reset(a, &err), 0);
    err = (ts_err_t){0};
    assert_int_equal(ts_gen_inference_current(a, &ir, &err), TS_ENOENT);
    for (int i = 0; i < N; i++) {
        assert_true(read_one(a, &qa, &ir));
        assert_memory_equal(&qa, &first[i], sizeof(qa));
    }
    err = (ts_err_t){0};
    assert_int_equal(ts_gen_inference_current(NULL, &ir, &err), TS_EINVAL);
    free(first);
    ts_reader_close(a);
    ts_reader_close(b);
    ts_reader_close(c);
}

/* ---- errors ---- */

static void test_inference_errors_name_the_key(void **state)
{
    (void)state;
    static const struct {
        const char *kv, *kv2;
        int code;
        const char *needle;
    } cases[] = {
        {"block_tokens=0", NULL, TS_ERANGE, "block_tokens"},
        {"rate=0", NULL, TS_ERANGE, "rate"},
        {"turns=0.5", NULL, TS_ERANGE, "turns"},
        {"model=llama-3.1-7b", NULL, TS_EPARSE, "model"},
        {"weights=all", NULL, TS_EPARSE, "weights"},
        {"conversation=3", NULL, TS_ENOENT, "conversation"},
        {"requests=0", NULL, TS_EINVAL, "llm_requests"},
        {"models=1M", "system_prompts=1000", TS_EINVAL, "system_prompts x models"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *kv[] = {cases[i].kv, cases[i].kv2};
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        int rc = inf_open(1, kv, cases[i].kv2 ? 2 : 1, &r, &err);
        print_message("case %s: %d %s\n", cases[i].kv, rc, err.msg);
        assert_int_equal(rc, cases[i].code);
        assert_null(r);
        assert_true(strstr(err.msg, cases[i].needle) || strstr(err.where, cases[i].needle));
    }
}

/* ---- an infinite cache through the fast engine ---- */

/* Hits of a cache that never evicts = GETs of blocks referenced before. From the structure:
 * turn 1 re-reads its system prompt's floor(S / B) blocks when an earlier conversation of
 * the same model used that prompt; turn k > 1 re-reads floor(P_{k-1} / B) blocks (the
 * previous prompt's), or floor(H_k / B) when decode blocks were written. */
static void check_infinite_cache(bool write_output)
{
    const char *kv[] = {"requests=0",
                        "llm_requests=3000",
                        "conversations=30",
                        "system_prompts=20",
                        "models=2",
                        "block_tokens=64",
                        "system_tokens=500",
                        "user_tokens=200",
                        "output_tokens=150",
                        "write_prompt=false",
                        write_output ? "write_output=true" : "write_output=false",
                        "model=llama-3.1-8b"};
    ts_reader_t *r = OPEN(43, kv);
    ts_req_t q;
    ts_inference_req_t ir;
    bool seen[2][20] = {{false}};
    uint64_t *prev_prompt = calloc(3000, sizeof(uint64_t)); /* per conversation */
    uint64_t last = UINT64_MAX, repeats = 0, n_get = 0, n_put = 0;
    while (read_one(r, &q, &ir)) {
        n_get += q.op == TS_OP_GET;
        n_put += q.op == TS_OP_PUT;
        if (ir.index == last)
            continue;
        last = ir.index;
        uint64_t B = ir.block_tokens;
        assert_true(ir.conversation < 3000);
        if (ir.turn == 1) {
            if (seen[ir.model][ir.system_prompt])
                repeats += ir.system_tokens / B;
            seen[ir.model][ir.system_prompt] = true;
        } else {
            repeats += write_output ? ir.history_tokens / B : prev_prompt[ir.conversation] / B;
        }
        prev_prompt[ir.conversation] = ir.prompt_tokens;
    }
    free(prev_prompt);
    ts_err_t err = {0};
    assert_int_equal(ts_reader_reset(r, &err), 0);
    ts_policy_init_t init = {.capacity = 1ull << 62, .count_objects = false};
    extern const ts_policy_ops_t ts_policy_lru;
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create("hbm", &ts_policy_lru, NULL, &init, &t, &err), 0);
    ts_totals_t tot = {0};
    assert_int_equal(ts_engine_fast(&t, 1, r, &tot, &err), 0);
    print_message("write_output %d: %llu gets, %llu hits, %llu repeats (hit ratio %.4f)\n",
                  write_output, (unsigned long long)tot.n_get, (unsigned long long)tot.n_hit,
                  (unsigned long long)repeats, (double)tot.n_hit / (double)tot.n_get);
    assert_int_equal(tot.n_get, n_get);
    assert_int_equal(tot.n_put, n_put);
    assert_int_equal(tot.n_hit, repeats);
    assert_int_equal(t->st.n_evict, 0);
    assert_true(repeats > n_get / 4);
    ts_tier_destroy(t);
    ts_reader_close(r);
}

static void test_inference_infinite_cache_hits_equal_repeats(void **state)
{
    (void)state;
    check_infinite_cache(false);
    check_infinite_cache(true);
}

/* An Azure trace drives times and lengths: the first row opens a conversation (system
 * prompt 100 tokens + 274 user tokens = its 374-token context: 23 blocks of 16); the
 * second row's 396 tokens are fewer than the history (374 + 44 output), so a new
 * conversation starts (24 blocks); the third's 1200 continue it (75 blocks, the first 24
 * the second's). Times come from the TIMESTAMP column, from the first row on. */
static void test_inference_azure_arrivals_drive_lengths(void **state)
{
    (void)state;
    FILE *fp = fopen("azure-test.csv", "w");
    assert_non_null(fp);
    fputs("TIMESTAMP,ContextTokens,GeneratedTokens\n"
          "2023-11-16 18:15:46.6805900,374,44\n"
          "2023-11-16 18:15:50.9951690,396,109\n"
          "2023-11-16 18:15:51.1,1200,10\n",
          fp);
    fclose(fp);
    static const char *const kv[] = {"arrivals_file=azure-test.csv", "conversations=1",
                                     "turns=1000", "turns_dist=fixed", "system_tokens=100",
                                     "system_sigma=0", "system_prompts=1", "block_tokens=16",
                                     "write_prompt=false", "write_output=false"};
    ts_reader_t *r = OPEN(7, kv);
    ts_req_t q;
    ts_inference_req_t ir;
    uint64_t gets[3] = {0}, times[3] = {0}, keys2[24];
    uint64_t n2 = 0;
    int shared = 0;
    while (read_one(r, &q, &ir)) {
        size_t k = (size_t)ir.index;
        assert_true(k < 3);
        gets[k] += q.op == TS_OP_GET;
        times[k] = q.time_ns;
        if (k == 1 && n2 < 24)
            keys2[n2++] = q.key;
        if (k == 2 && q.op == TS_OP_GET)
            for (uint64_t i = 0; i < n2; i++)
                shared += q.key == keys2[i];
    }
    assert_int_equal(gets[0], 23);
    assert_int_equal(gets[1], 24);
    assert_int_equal(gets[2], 75);
    assert_int_equal(shared, 24);
    assert_int_equal(times[0], 0);
    assert_int_equal(times[1], 4314579000ull);
    assert_int_equal(times[2], 4419410000ull);
    ts_reader_close(r);
    /* a bad row is an error naming the line */
    fp = fopen("azure-test.csv", "w");
    fputs("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,12x,4\n", fp);
    fclose(fp);
    r = OPEN(7, kv);
    ts_err_t err = {0};
    assert_int_equal(ts_reader_next(r, &q, &err), TS_EFORMAT);
    assert_non_null(strstr(err.where, "azure-test.csv:2"));
    assert_non_null(strstr(err.msg, "ContextTokens"));
    ts_reader_close(r);
    remove("azure-test.csv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inference_azure_arrivals_drive_lengths),
        cmocka_unit_test(test_inference_presets_kv_bytes_and_params_by_hand),
        cmocka_unit_test(test_inference_block_bytes_are_kv_per_token_times_B),
        cmocka_unit_test(test_inference_equal_system_prompts_give_equal_keys),
        cmocka_unit_test(test_inference_turn_k_rereads_turns_before),
        cmocka_unit_test(test_inference_mean_prompt_turns_and_rate),
        cmocka_unit_test(test_inference_trace_info_matches_parameters),
        cmocka_unit_test(test_inference_geometric_turns),
        cmocka_unit_test(test_inference_mean_prompt_geometric_turns),
        cmocka_unit_test(test_inference_gamma_arrivals),
        cmocka_unit_test(test_inference_system_prompt_zipf),
        cmocka_unit_test(test_inference_max_context_ends_a_conversation),
        cmocka_unit_test(test_inference_model_weights_load_on_switch),
        cmocka_unit_test(test_inference_lora_adapters_lru),
        cmocka_unit_test(test_inference_determinism),
        cmocka_unit_test(test_inference_errors_name_the_key),
        cmocka_unit_test(test_inference_infinite_cache_hits_equal_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
