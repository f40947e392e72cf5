/* SPDX-License-Identifier: MIT */
/*
 * test_inference_arrivals.c - when the inference generator's requests arrive and how long
 * their prompts are (workloads/inference.c): the mean prompt length, turns per conversation
 * and Poisson arrival rate against their configured values; `trace info` of a hand-sized
 * trace; gamma gaps with their mean and squared coefficient of variation; Zipf popularity of
 * system prompts; an Azure trace driving times and lengths (and a bad row naming its line).
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
#include "traces/info.h"

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

/* ---- an arrivals file ---- */

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
        cmocka_unit_test(test_inference_mean_prompt_turns_and_rate),
        cmocka_unit_test(test_inference_trace_info_matches_parameters),
        cmocka_unit_test(test_inference_gamma_arrivals),
        cmocka_unit_test(test_inference_system_prompt_zipf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
