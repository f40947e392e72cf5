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
 * Weight bytes = params_total x weight_bytes; prefill FLOPs per token = 2 x params_active
 * (the matrix multiplies; attention's own FLOPs, which grow with context, come on top).
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
} ts_model_t;

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
/* 2 x params_active. */
double ts_gen_model_prefill_flops_per_token(const ts_model_t *m);

#endif
