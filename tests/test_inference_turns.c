/* SPDX-License-Identifier: MIT */
/*
 * test_inference_turns.c - the inference generator's conversations and model weights
 * (workloads/inference.c): geometric turns per conversation (their mean, and each
 * conversation issuing exactly its drawn turns), the mean prompt under geometric turns,
 * max_context ending a conversation, and weight reads on model switches (one resident model)
 * and on LoRA adapter switches (the base once, adapters through an LRU of two).
 *
 * Statistical checks use 5-sigma tolerances derived in each test, with fixed seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gen_test.h"
#include "inference_test.h"
#include <math.h>

#include "workloads/gen.h"
#include "workloads/inference.h"
#include "sim/models.h"

/* ---- turns ---- */

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inference_geometric_turns),
        cmocka_unit_test(test_inference_mean_prompt_geometric_turns),
        cmocka_unit_test(test_inference_max_context_ends_a_conversation),
        cmocka_unit_test(test_inference_model_weights_load_on_switch),
        cmocka_unit_test(test_inference_lora_adapters_lru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
