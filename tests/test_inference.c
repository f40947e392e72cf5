/* SPDX-License-Identifier: MIT */
/*
 * test_inference.c - the LLM model presets and the inference generator's KV blocks
 * (workloads/inference.c, sim/models.c): KV bytes per token and parameter counts derived by
 * hand from each config.json; block sizes; equal system prompts give equal block keys and
 * different ones disjoint keys; turn k re-reads exactly the blocks of turns < k, with
 * floor(tokens / B) blocks per request; determinism; parameter errors name the key; an
 * infinite cache under the fast engine hits exactly the block references counted as repeats
 * from the generator's structure. Arrivals and means are in test_inference_arrivals.c,
 * conversations and weights in test_inference_turns.c.
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
#include "inference_test.h"

#include "sim/engine.h"
#include "sim/util/mem.h"
#include "sim/tier.h"
#include "workloads/gen.h"
#include "workloads/inference.h"
#include "sim/models.h"

static int inf_open(uint64_t seed, const char *const *kv, size_t n, ts_reader_t **r, ts_err_t *err)
{
    return gen_test_open("inference", seed, kv, n, r, err);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inference_presets_kv_bytes_and_params_by_hand),
        cmocka_unit_test(test_inference_block_bytes_are_kv_per_token_times_B),
        cmocka_unit_test(test_inference_equal_system_prompts_give_equal_keys),
        cmocka_unit_test(test_inference_turn_k_rereads_turns_before),
        cmocka_unit_test(test_inference_determinism),
        cmocka_unit_test(test_inference_errors_name_the_key),
        cmocka_unit_test(test_inference_infinite_cache_hits_equal_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
