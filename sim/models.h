/* SPDX-License-Identifier: MIT */
/*
 * models.h - LLM model presets (sim/models.c): the figures that turn tokens into
 * bytes and FLOPs for the inference workload (KV cache per token, weight bytes, prefill
 * FLOPs per token).
 *
 * KV bytes per token, standard attention (multi-head or grouped-query):
 *     2 (K and V) x layers x kv_heads x head_dim x bytes per element;
 * multi-head latent attention (MLA, DeepSeek-V2/V3), one compressed latent plus the
 * decoupled RoPE key per layer:
 *     layers x (kv_lora_rank + rope_head_dim) x bytes per element.
 * Weight bytes = params_total x weight_bytes.
 *
 * Prefill FLOPs follow Mooncake (Qin et al., FAST'25, Eq. 1): a prompt of n tokens costs
 *     flops(n) = layers x (a x n^2 x d + b x n x d^2),  a = 4,
 * the first term attention (Q K^T and the weighted sum of V over every earlier token, two
 * FLOPs a multiply-add), the second the matrix multiplies. Here d of the attention term is
 * the model's attn_dim (query heads x head dim) and the matrix multiplies are counted as
 * 2 x params_active per token, so tokens [l0, l1) of a prompt cost
 *     flops(l0, l1) = 2 x params_active x (l1 - l0) + layers x a x attn_dim x (l1^2 - l0^2)
 * and take (l1 - l0) / rate + attn_s x (l1^2 - l0^2) seconds on a GPU doing F FLOP/s, with
 * rate = F / (2 x params_active) tokens/s and attn_s = layers x a x attn_dim / F.
 * docs/workload-inference.md gives the public source of every figure.
 */
#ifndef TS_SIM_MODELS_H
#define TS_SIM_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef enum ts_attn_kind {
    TS_ATTN_STANDARD = 0, /* K and V per KV head (MHA, GQA) */
    TS_ATTN_MLA = 1,      /* compressed latent + RoPE key (DeepSeek) */
} ts_attn_kind_t;

typedef struct ts_model {
    const char *name;        /* "llama-3.1-70b" */
    const char *summary;     /* one line */
    ts_attn_kind_t attn;     /* how the KV cache is laid out */
    uint32_t layers;         /* transformer layers (num_hidden_layers) */
    uint32_t kv_heads;       /* standard: num_key_value_heads */
    uint32_t head_dim;       /* standard: dimension of one head */
    uint32_t kv_lora_rank;   /* MLA: latent width (512 for DeepSeek-V3) */
    uint32_t rope_head_dim;  /* MLA: decoupled RoPE key width (64) */
    uint32_t kv_elem_bytes;  /* bytes per KV element as served by default (BF16: 2) */
    uint32_t weight_bytes;   /* bytes per parameter as released (BF16: 2, FP8: 1) */
    uint64_t params_total;   /* parameters held in memory */
    uint64_t params_active;  /* parameters used per token (MoE: the activated ones) */
    uint64_t context_tokens; /* longest context the model supports */
    uint32_t attn_dim;       /* query heads x head dim: the d of attention's FLOPs (MLA: the
                              * mean of the query-key and value head dims x heads) */
} ts_model_t;

/* Mooncake's a: attention FLOPs per layer = a x n^2 x d for n tokens. */
#define TS_PREFILL_ATTN_A 4.0

/* The presets, in name order; NULL past the end. */
size_t ts_gen_model_count(void);
const ts_model_t *ts_gen_model_at(size_t i);
/* The preset named name, or NULL with err naming the valid ones (TS_ENOENT). */
const ts_model_t *ts_gen_model_find(const char *name, ts_err_t *err);
/* NULL-terminated preset names in table order (for enum parameters). */
extern const char *const ts_gen_model_names[];

/* KV cache bytes per token with elem_bytes per element (0: the preset's). */
uint64_t ts_gen_model_kv_bytes_per_token(const ts_model_t *m, uint32_t elem_bytes);
/* params_total x weight_bytes. */
uint64_t ts_gen_model_weight_bytes(const ts_model_t *m);
/* 2 x params_active: the FLOPs of a token's matrix multiplies, whatever its position. */
double ts_gen_model_prefill_flops_per_token(const ts_model_t *m);
/* layers x a x attn_dim: tokens [l0, l1) spend this x (l1^2 - l0^2) FLOPs in attention. */
double ts_gen_model_prefill_attn_flops(const ts_model_t *m);
/* FLOPs to prefill tokens [l0, l1) of a prompt (l0 tokens already in context; l1 >= l0). */
double ts_gen_model_prefill_flops(const ts_model_t *m, uint64_t l0, uint64_t l1);
/* Mean tokens/s prefilling a whole prompt of prefix_tokens at flops_per_s FLOP/s
 * (prefix_tokens 0: the rate of a first token, matrix multiplies alone). */
double ts_gen_model_prefill_rate(const ts_model_t *m, double flops_per_s, uint64_t prefix_tokens);
/* Seconds to prefill tokens [l0, l1): (l1 - l0) / rate + attn_s x (l1^2 - l0^2), with rate the
 * tokens/s of the matrix multiplies (> 0) and attn_s the attention's seconds per token^2 (0: a
 * constant rate, as a rate given in tokens/s is). */
double ts_gen_prefill_seconds(double rate, double attn_s, uint64_t l0, uint64_t l1);

#endif
