/* SPDX-License-Identifier: MIT */
/*
 * models.c - the LLM model presets (see models.h): one static table, sorted by name.
 *
 * Figures are those of each model's Hugging Face config.json and model card (layers,
 * KV heads, head dim, MLA widths, released weight precision); parameter counts are summed
 * from the config's shapes (embeddings, attention, MLP, norms, untied output head) and agree
 * with the model cards. docs/workload-inference.md cites each. Cost: lookups are a scan of
 * five entries. attn_dim is num_attention_heads x head_dim (DeepSeek-V3: 128 heads, query-key
 * heads of 192 = 128 + 64 RoPE, value heads of 128).
 */
#include "models.h"

#include "util/units.h"

static const ts_model_t k_models[] = {
    {"deepseek-v3", "DeepSeek-V3, 671B MoE (37B active), MLA, FP8 weights", TS_ATTN_MLA, 61, 0, 0,
     512, 64, 2, 1, 671000000000ull, 37000000000ull, 163840, 128 * (192 + 128) / 2},
    {"llama-3.1-405b", "Llama-3.1-405B, dense, GQA 8 KV heads", TS_ATTN_STANDARD, 126, 8, 128, 0, 0,
     2, 2, 405853388800ull, 405853388800ull, 131072, 128 * 128},
    {"llama-3.1-70b", "Llama-3.1-70B, dense, GQA 8 KV heads", TS_ATTN_STANDARD, 80, 8, 128, 0, 0, 2,
     2, 70553706496ull, 70553706496ull, 131072, 64 * 128},
    {"llama-3.1-8b", "Llama-3.1-8B, dense, GQA 8 KV heads", TS_ATTN_STANDARD, 32, 8, 128, 0, 0, 2,
     2, 8030261248ull, 8030261248ull, 131072, 32 * 128},
    {"qwen2.5-72b", "Qwen2.5-72B, dense, GQA 8 KV heads", TS_ATTN_STANDARD, 80, 8, 128, 0, 0, 2, 2,
     72706203648ull, 72706203648ull, 131072, 64 * 128},
};

#define N_MODELS (sizeof(k_models) / sizeof(k_models[0]))

const char *const ts_gen_model_names[] = {"deepseek-v3",  "llama-3.1-405b", "llama-3.1-70b",
                                          "llama-3.1-8b", "qwen2.5-72b",    NULL};

size_t ts_gen_model_count(void)
{
    return N_MODELS;
}

const ts_model_t *ts_gen_model_at(size_t i)
{
    return i < N_MODELS ? &k_models[i] : NULL;
}

const ts_model_t *ts_gen_model_find(const char *name, ts_err_t *err)
{
    long at = ts_name_index("model", name, ts_gen_model_names, N_MODELS, err);
    return at < 0 ? NULL : &k_models[at];
}

uint64_t ts_gen_model_kv_bytes_per_token(const ts_model_t *m, uint32_t elem_bytes)
{
    uint64_t b = elem_bytes ? elem_bytes : m->kv_elem_bytes;
    if (m->attn == TS_ATTN_MLA)
        return (uint64_t)m->layers * (m->kv_lora_rank + m->rope_head_dim) * b;
    return 2ull * m->layers * m->kv_heads * m->head_dim * b;
}

uint64_t ts_gen_model_weight_bytes(const ts_model_t *m)
{
    return m->params_total * m->weight_bytes;
}

double ts_gen_model_prefill_flops_per_token(const ts_model_t *m)
{
    return 2.0 * (double)m->params_active;
}

double ts_gen_model_prefill_attn_flops(const ts_model_t *m)
{
    return (double)m->layers * TS_PREFILL_ATTN_A * (double)m->attn_dim;
}

double ts_gen_model_prefill_flops(const ts_model_t *m, uint64_t l0, uint64_t l1)
{
    double a = (double)l0, b = (double)l1;
    return ts_gen_model_prefill_flops_per_token(m) * (b - a) +
           ts_gen_model_prefill_attn_flops(m) * (b * b - a * a);
}

double ts_gen_model_prefill_rate(const ts_model_t *m, double flops_per_s, uint64_t prefix_tokens)
{
    if (!prefix_tokens)
        return flops_per_s / ts_gen_model_prefill_flops_per_token(m);
    return (double)prefix_tokens * flops_per_s / ts_gen_model_prefill_flops(m, 0, prefix_tokens);
}

double ts_gen_prefill_seconds(double rate, double attn_s, uint64_t l0, uint64_t l1)
{
    double a = (double)l0, b = (double)l1;
    return (b - a) / rate + attn_s * (b * b - a * a);
}
