/* SPDX-License-Identifier: MIT */
/*
 * test_prefill.c - prefill FLOPs and time with attention (sim/models.c) against Mooncake
 * (Qin et al., "Mooncake: A KVCache-centric Disaggregated Architecture for LLM Serving",
 * FAST'25): Eq. 1, flops(n) = l x (a n^2 d + b n d^2) with Table 1's l = 80, d = 8192, a = 4,
 * b = 22 (LLaMA3-70B), at 8,192 and 32,768 tokens; tokens [l0, l1) add up; Eq. 2's
 * threshold, the KV load bandwidth at which loading a prefix takes as long as recomputing it,
 * B = G x p x KV bytes per token / flops(p) (about 6 GB/s on 8 x A800 and 19 GB/s on
 * 8 x H800 at p = 8,192 in the paper); the llama-3.1-70b preset, which has LLaMA3-70B's
 * shapes, against both; the seconds of a block at its place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "sim/models.h"

#define REL(x, want) (fabs((x) - (want)) / (want))

/* Table 1 as a model: 80 layers, attention width d = 8192, and 2 x active parameters =
 * l x b x d^2 = 80 x 22 x 8192^2, i.e. params_active = 80 x 11 x 67 108 864 = 59 055 800 320. */
static const ts_model_t k_table1 = {.name = "mooncake-table-1",
                                    .attn = TS_ATTN_STANDARD,
                                    .layers = 80,
                                    .kv_heads = 8,
                                    .head_dim = 128,
                                    .kv_elem_bytes = 2,
                                    .weight_bytes = 2,
                                    .params_total = 59055800320ull,
                                    .params_active = 59055800320ull,
                                    .attn_dim = 8192};

/* Eq. 1 by hand. n = 8192: n^2 d = n d^2 = 8192^3 = 549 755 813 888, so
 * 80 x (4 + 22) x 549 755 813 888 = 1 143 492 092 887 040 FLOPs. n = 32768: n^2 d =
 * 8 796 093 022 208, n d^2 = 2 199 023 255 552; 80 x (4 x 8 796 093 022 208 + 22 x
 * 2 199 023 255 552) = 80 x 83 562 883 710 976 = 6 685 030 696 878 080 FLOPs. */
static void test_prefill_flops_are_mooncake_eq1(void **state)
{
    (void)state;
    double f8 = ts_gen_model_prefill_flops(&k_table1, 0, 8192);
    double f32 = ts_gen_model_prefill_flops(&k_table1, 0, 32768);
    assert_true(REL(f8, 1143492092887040.0) < 0.05);
    assert_true(REL(f32, 6685030696878080.0) < 0.05);
    assert_true(REL(f8, 1143492092887040.0) < 1e-12); /* the same equation: exact */
    assert_true(REL(f32, 6685030696878080.0) < 1e-12);
    /* [0, 8192) + [8192, 32768) = [0, 32768); a 256-token block at 8192 costs
     * 2 x 59 055 800 320 x 256 + 80 x 4 x 8192 x (8448^2 - 8192^2)
     * = 30 236 569 763 840 + 2 621 440 x 4 259 840 = 41 403 484 733 440 FLOPs */
    assert_true(REL(f8 + ts_gen_model_prefill_flops(&k_table1, 8192, 32768), f32) < 1e-12);
    assert_true(REL(ts_gen_model_prefill_flops(&k_table1, 8192, 8448), 41403484733440.0) < 1e-12);
    assert_true(ts_gen_model_prefill_flops(&k_table1, 100, 100) == 0);
    /* the mean rate of a prompt: 8192 tokens at 1e15 FLOP/s take 1.14349 s: 7164.0 tokens/s;
     * a first token alone, 1e15 / 118 111 600 640 = 8466.6 tokens/s */
    assert_true(fabs(ts_gen_model_prefill_rate(&k_table1, 1e15, 8192) - 7164.0) < 0.1);
    assert_true(fabs(ts_gen_model_prefill_rate(&k_table1, 1e15, 0) - 8466.6) < 0.1);
}

/* The llama-3.1-70b preset has LLaMA3-70B's shapes (80 layers, 64 query heads of 128, 8 KV
 * heads): its attention term is Eq. 1's exactly (80 x 4 x 8192 = 2 621 440 FLOPs per token^2)
 * and its KV bytes per token Eq. 2's l x (2 d / gqa) x s = 80 x 2048 x 2 = 327 680. Its matrix
 * multiplies are 2 x 70 553 706 496 = 141 107 412 992 FLOPs per token, where the paper's b
 * gives 80 x 22 x 8192^2 = 118 111 600 640 (19.5% fewer; the paper's b is its round figure,
 * the preset's the sum of the config's shapes). So over 8,192 tokens the preset costs
 * 141 107 412 992 + 2 621 440 x 8192 = 162 582 249 472 FLOPs a token, 16.5% above Eq. 1's
 * 139 586 437 120; over 32,768, 227 006 758 912 against 204 010 946 560 (+11.3%).
 * Without attention (2 x parameters alone) the 32k rate was 227.0 / 141.1 = 1.609 x too fast
 * by this count (Eq. 1's own b: 204.0 / 118.1 = 1.727; the preset's count against Eq. 1,
 * 204.0 / 141.1 = 1.446: the "about 45%"). */
static void test_prefill_llama70b_preset_against_eq1(void **state)
{
    (void)state;
    const ts_model_t *m = ts_gen_model_find("llama-3.1-70b", NULL);
    assert_non_null(m);
    assert_true(ts_gen_model_prefill_attn_flops(m) == 2621440.0);
    assert_true(ts_gen_model_prefill_attn_flops(m) == ts_gen_model_prefill_attn_flops(&k_table1));
    assert_int_equal(ts_gen_model_kv_bytes_per_token(m, 0), 327680);
    double per8 = ts_gen_model_prefill_flops(m, 0, 8192) / 8192;
    double per32 = ts_gen_model_prefill_flops(m, 0, 32768) / 32768;
    assert_true(REL(per8, 162582249472.0) < 1e-12);
    assert_true(REL(per32, 227006758912.0) < 1e-12);
    assert_true(fabs(per8 / 139586437120.0 - 1.165) < 0.001);
    assert_true(fabs(per32 / 204010946560.0 - 1.113) < 0.001);
    assert_true(fabs(per32 / ts_gen_model_prefill_flops_per_token(m) - 1.609) < 0.001);
}

/* Eq. 2: loading p tokens' KV at B takes p x 327 680 / B, recomputing them flops(p) / G; equal
 * at B = G x 327 680 / (flops(p) / p). G: 8 x 312 TFLOP/s dense BF16 (A800, Table 1) and
 * 8 x 989 TFLOP/s (H800, an H100's dense BF16). Table 1's model at p = 8192:
 *     2.496e15 x 327 680 / 139 586 437 120 = 5.859 GB/s  (the paper: "6 GB/s")
 *     7.912e15 x 327 680 / 139 586 437 120 = 18.57 GB/s  (the paper: "19 GB/s")
 * and the preset, 162 582 249 472 FLOPs a token: 5.031 GB/s and 15.95 GB/s. */
static double threshold(const ts_model_t *m, double g, uint64_t p)
{
    return g * (double)p * (double)ts_gen_model_kv_bytes_per_token(m, 0) /
           ts_gen_model_prefill_flops(m, 0, p);
}

static void test_prefill_mooncake_load_vs_recompute_thresholds(void **state)
{
    (void)state;
    const double a800 = 8 * 312e12, h800 = 8 * 989e12;
    assert_int_equal(ts_gen_model_kv_bytes_per_token(&k_table1, 0), 327680);
    assert_true(REL(threshold(&k_table1, a800, 8192), 6e9) < 0.05);
    assert_true(REL(threshold(&k_table1, h800, 8192), 19e9) < 0.05);
    assert_true(fabs(threshold(&k_table1, a800, 8192) - 5.859e9) < 1e6);
    assert_true(fabs(threshold(&k_table1, h800, 8192) - 18.573e9) < 1e7);
    const ts_model_t *m = ts_gen_model_find("llama-3.1-70b", NULL);
    assert_true(fabs(threshold(m, a800, 8192) - 5.031e9) < 1e6);
    assert_true(fabs(threshold(m, h800, 8192) - 15.947e9) < 1e7);
    /* at the time, loading equals recomputing: 8192 tokens' KV at that rate, and their FLOPs */
    double b = threshold(m, a800, 8192);
    assert_true(REL(8192.0 * 327680 / b, ts_gen_model_prefill_flops(m, 0, 8192) / a800) < 1e-12);
}

/* Seconds of tokens [l0, l1): (l1 - l0) / rate + attn_s (l1^2 - l0^2). 256 tokens at 8192 with
 * rate 10 000 tokens/s and attn_s 1e-9: 0.0256 + 1e-9 x 4 259 840 = 0.02985984 s; with attn_s
 * 0 a constant rate, 0.0256 s wherever the block is. */
static void test_prefill_seconds_of_a_block(void **state)
{
    (void)state;
    assert_true(fabs(ts_gen_prefill_seconds(1e4, 1e-9, 8192, 8448) - 0.02985984) < 1e-12);
    assert_true(fabs(ts_gen_prefill_seconds(1e4, 0, 8192, 8448) - 0.0256) < 1e-12);
    assert_true(fabs(ts_gen_prefill_seconds(1e4, 0, 0, 256) - 0.0256) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefill_flops_are_mooncake_eq1),
        cmocka_unit_test(test_prefill_llama70b_preset_against_eq1),
        cmocka_unit_test(test_prefill_mooncake_load_vs_recompute_thresholds),
        cmocka_unit_test(test_prefill_seconds_of_a_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
