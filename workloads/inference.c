/* SPDX-License-Identifier: MIT */
/*
 * inference.c - LLM inference with a prefix (KV) cache: multi-turn conversations over shared
 * system prompts, cut into KV blocks named by chained hashes, plus model or LoRA weights.
 *
 * LLM requests arrive as a Poisson or gamma process of `rate` per second. Each goes to one
 * of `conversations` live conversation slots chosen uniformly (so a conversation's turns are
 * C / rate apart on average); an empty or finished slot starts a new conversation: a model
 * (Zipf over `models`), a system prompt (Zipf over `system_prompts`, its length a fixed
 * function of its rank) and a turn count. Turn k's prompt = system prompt + every earlier
 * turn's user and output tokens + new user tokens; the output adds decode tokens.
 * Token positions are cut into blocks of B; block i's key = mix(key(i-1), content(i)) with
 * content = (system prompt, i) for blocks wholly inside the system prompt, else
 * (conversation, i); the root is the model's. Equal prefixes give equal keys, and a
 * conversation diverges from its system prompt at the first block it owns.
 * One LLM request emits, all at its arrival time: weight chunk GETs when its model is not
 * among the `resident_models` (LRU), GETs of its floor(prompt / B) full prompt blocks in
 * order, PUTs of the prompt blocks never written before (write_prompt), PUTs of the blocks
 * its decode fills (write_output). A partial last block is never cached (as vLLM).
 * Memory: O(conversations + system_prompts + models + system_prompts x models / 8), never
 * the trace. Cost: O(1) per request (two 64-bit mixes), O(1) per LLM request set-up.
 */
#include "inference.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "../sim/util/mem.h"
#include "../sim/util/text.h"
#include "gen_internal.h"
#include "../sim/models.h"

/* ================================ parameters ================================ */

enum { INF_ARR_POISSON = 0, INF_ARR_GAMMA = 1 };
enum { INF_TURNS_FIXED = 0, INF_TURNS_GEOMETRIC = 1 };
enum { INF_W_NONE = 0, INF_W_MODELS = 1, INF_W_LORA = 2 };

static const char *const k_arrivals[] = {"poisson", "gamma", NULL};
static const char *const k_turns_dists[] = {"fixed", "geometric", NULL};
static const char *const k_weights[] = {"none", "models", "lora", NULL};
static const char *const k_kv_dtypes[] = {"model", "bf16", "fp16", "fp8", "fp32", NULL};
static const uint32_t k_kv_dtype_bytes[] = {0, 2, 2, 1, 4};

#define INF_MAX_TOKENS 1073741824.0 /* 2^30 tokens: any length stays exact in a double */
#define INF_MAX_SLOTS 16777216.0    /* 2^24 live conversations */
#define INF_MAX_RANKS 1048576.0     /* 2^20 system prompts or models: alias tables */
#define INF_MAX_SEEN (1ull << 27)   /* system_prompts x models bits (16 MiB) */

typedef struct inf_params {
    uint64_t requests;        /* block requests until the end (0: no limit) */
    uint64_t llm_requests;    /* LLM requests until the end (0: no limit) */
    int model;                /* index into ts_gen_model_names */
    int kv_dtype;             /* index into k_kv_dtypes */
    uint64_t kv_token_bytes;  /* KV bytes per token; 0: from model and kv_dtype */
    uint64_t block_tokens;    /* tokens per KV block */
    int arrival;              /* INF_ARR_* */
    double rate;              /* LLM requests per second */
    double arrival_cv;        /* gamma: coefficient of variation of the gaps */
    uint64_t conversations;   /* live conversation slots */
    double turns;             /* mean turns per conversation */
    int turns_dist;           /* INF_TURNS_* */
    uint64_t system_prompts;  /* pool of shared system prompts */
    double system_alpha;      /* Zipf exponent of their popularity */
    double system_tokens;     /* mean system prompt length (tokens) */
    double system_sigma;      /* lognormal sigma of it (0: all equal) */
    double user_tokens;       /* mean new user tokens per turn */
    double user_sigma;        /* lognormal sigma */
    double output_tokens;     /* mean decode tokens per turn */
    double output_sigma;      /* lognormal sigma */
    uint64_t max_context;     /* tokens; 0: the model's context */
    bool write_prompt;        /* PUT prompt blocks written for the first time */
    bool write_output;        /* PUT blocks filled by decode */
    int weights;              /* INF_W_* */
    uint64_t models;          /* models or adapters served */
    double model_alpha;       /* Zipf exponent of their popularity */
    uint64_t resident_models; /* models or adapters held at once (LRU) */
    uint64_t adapter_bytes;   /* lora: bytes of one adapter */
    uint64_t weight_chunk;    /* bytes per weight object */
    char arrivals_file[1024]; /* an Azure LLM trace driving arrivals and lengths; "": none */
} inf_params_t;

#define P_(f) offsetof(inf_params_t, f)

static const ts_param_spec_t k_inf_params[] = {
    {"requests", TS_PT_COUNT, P_(requests), 0, 0, 1e15, "1M",
     "block requests until the end of the trace (0: no limit)", NULL},
    {"llm_requests", TS_PT_COUNT, P_(llm_requests), 0, 0, 1e15, "0",
     "LLM requests until the end of the trace (0: no limit); the first limit reached ends it",
     NULL},
    {"model", TS_PT_ENUM, P_(model), 0, 1, 0, "llama-3.1-70b",
     "model preset: KV bytes per token, weight bytes, context", ts_gen_model_names},
    {"kv_dtype", TS_PT_ENUM, P_(kv_dtype), 0, 1, 0, "model",
     "KV cache element type (model: the preset's, BF16)", k_kv_dtypes},
    {"kv_bytes_per_token", TS_PT_SIZE, P_(kv_token_bytes), 0, 0, 1073741824.0, "0",
     "KV bytes per token, overriding model and kv_dtype (0: derived)", NULL},
    {"block_tokens", TS_PT_COUNT, P_(block_tokens), 0, 1, 1048576, "256",
     "tokens per KV block (vLLM 16, LMCache 256, Mooncake 512)", NULL},
    {"arrival", TS_PT_ENUM, P_(arrival), 0, 1, 0, "poisson",
     "LLM request arrivals: poisson or gamma (bursty)", k_arrivals},
    {"rate", TS_PT_DOUBLE, P_(rate), 0, 1e-6, 1e7, "3.34", "LLM requests per second", NULL},
    {"arrival_cv", TS_PT_DOUBLE, P_(arrival_cv), 0, 0.01, 100, "2",
     "gamma: coefficient of variation of the gaps (1 = poisson)", NULL},
    {"conversations", TS_PT_COUNT, P_(conversations), 0, 1, INF_MAX_SLOTS, "600",
     "live conversations; a turn's gap to the next is about conversations / rate", NULL},
    {"turns", TS_PT_DOUBLE, P_(turns), 0, 1, 1e6, "4.18", "mean turns per conversation", NULL},
    {"turns_dist", TS_PT_ENUM, P_(turns_dist), 0, 1, 0, "geometric",
     "turns per conversation: fixed (rounded) or geometric with that mean", k_turns_dists},
    {"system_prompts", TS_PT_COUNT, P_(system_prompts), 0, 1, INF_MAX_RANKS, "100",
     "shared system prompts in the pool", NULL},
    {"system_alpha", TS_PT_DOUBLE, P_(system_alpha), 0, 0, 10, "1",
     "Zipf exponent of system prompt popularity", NULL},
    {"system_tokens", TS_PT_DOUBLE, P_(system_tokens), 0, 0, INF_MAX_TOKENS, "2000",
     "mean system prompt length in tokens", NULL},
    {"system_sigma", TS_PT_DOUBLE, P_(system_sigma), 0, 0, 5, "0.5",
     "lognormal sigma of system prompt lengths (0: all the mean)", NULL},
    {"user_tokens", TS_PT_DOUBLE, P_(user_tokens), 0, 1, INF_MAX_TOKENS, "1200",
     "mean new user tokens per turn", NULL},
    {"user_sigma", TS_PT_DOUBLE, P_(user_sigma), 0, 0, 5, "1", "lognormal sigma of them", NULL},
    {"output_tokens", TS_PT_DOUBLE, P_(output_tokens), 0, 0, INF_MAX_TOKENS, "182",
     "mean decode (output) tokens per turn", NULL},
    {"output_sigma", TS_PT_DOUBLE, P_(output_sigma), 0, 0, 5, "1", "lognormal sigma of them", NULL},
    {"max_context", TS_PT_COUNT, P_(max_context), 0, 0, INF_MAX_TOKENS, "0",
     "a conversation ends before a turn that would pass this many tokens (0: the model's)", NULL},
    {"write_prompt", TS_PT_BOOL, P_(write_prompt), 0, 1, 0, "true",
     "PUT the prompt blocks that prefill computes for the first time", NULL},
    {"write_output", TS_PT_BOOL, P_(write_output), 0, 1, 0, "true",
     "PUT the blocks that decode fills", NULL},
    {"weights", TS_PT_ENUM, P_(weights), 0, 1, 0, "none",
     "weight reads on a cold start: none, models (full copies) or lora (base + adapters)",
     k_weights},
    {"models", TS_PT_COUNT, P_(models), 0, 1, INF_MAX_RANKS, "1",
     "models (or adapters) served; each has its own KV keys", NULL},
    {"model_alpha", TS_PT_DOUBLE, P_(model_alpha), 0, 0, 10, "1",
     "Zipf exponent of model (adapter) popularity", NULL},
    {"resident_models", TS_PT_COUNT, P_(resident_models), 0, 1, 4096, "1",
     "models (adapters) held in GPU memory at once, LRU; a miss reads the weights", NULL},
    {"adapter_size", TS_PT_SIZE, P_(adapter_bytes), 0, 1, TS__MAX_SIZE, "414MB",
     "lora: bytes of one adapter (rank 16, all linear layers of Llama-3.1-70B, BF16)", NULL},
    {"weight_chunk", TS_PT_SIZE, P_(weight_chunk), 0, 4096, TS__MAX_SIZE, "1GiB",
     "bytes per weight object (the last chunk of a model may be smaller)", NULL},
    {"arrivals_file", TS_PT_STRING, P_(arrivals_file), 1024, 1, 0, "",
     "Azure LLM inference trace (CSV TIMESTAMP,ContextTokens,GeneratedTokens) whose times and "
     "lengths replace the drawn ones (\"\": draw them)",
     NULL},
};

#undef P_

/* ================================ instance ================================ */

enum { INF_STREAM_ARR = 11, INF_STREAM_CONV = 12, INF_STREAM_LEN = 13, INF_SALT = 14 };
enum { PH_IDLE, PH_WEIGHTS, PH_GET, PH_PUT_PROMPT, PH_PUT_OUTPUT };

typedef struct inf_conv {
    uint64_t id;          /* conversation number */
    uint64_t hist_tokens; /* tokens before the next turn's user tokens */
    uint64_t prev_prompt; /* the previous turn's prompt tokens */
    uint32_t sys;         /* system prompt rank */
    uint32_t model;       /* model or adapter rank */
    uint32_t turn;        /* turns done */
    uint32_t turns;       /* turns drawn; 0: slot empty */
} inf_conv_t;

typedef struct inf_gen {
    ts_reader_t base;     /* must be first */
    inf_params_t p;       /* copy of the parameters */
    const ts_model_t *m;  /* the preset */
    uint64_t seed;        /* scenario seed */
    uint64_t salt;        /* key salt derived from the seed */
    uint64_t block_bytes; /* KV bytes per block */
    uint64_t max_context; /* resolved */
    uint64_t model_bytes; /* weight bytes of one model (models) or adapter (lora) */
    uint64_t base_bytes;  /* lora: weight bytes of the base model */
    gsl_rng *rng_arr;     /* arrival gaps */
    gsl_rng *rng_conv;    /* slot choice and conversation draws */
    gsl_rng *rng_len;     /* user and output lengths */
    ts__zipf_t z_sys;     /* system prompt ranks */
    ts__zipf_t z_model;   /* model ranks */
    inf_conv_t *slots;    /* [conversations] */
    uint32_t *resident;   /* [resident_models], most recent first */
    uint64_t n_resident;  /* entries used */
    uint8_t *seen;        /* bit (model * P + sys): its system prompt blocks were written */
    /* progress */
    uint64_t n_out;   /* block requests returned */
    uint64_t n_llm;   /* LLM requests started */
    uint64_t n_tokens; /* their prompt and output tokens */
    uint64_t n_conv;  /* conversations started */
    double clock_ns;  /* arrival time of the next LLM request */
    bool base_loaded; /* lora: the base model was read */
    /* the current LLM request */
    ts_inference_req_t cur;
    bool has_cur;          /* cur describes a started request */
    int phase;             /* PH_* */
    uint64_t i;            /* position inside the phase */
    uint64_t n_base_reads; /* lora: base weight chunks in n_weight_reads */
    uint64_t h;            /* running chain hash */
    uint64_t h_saved;      /* chain hash before block first_new_block */
    uint64_t h_end;        /* chain hash of the last prompt block */
    uint64_t root;         /* chain root of the model */
    uint64_t sys_content;  /* content salt of the system prompt */
    uint64_t conv_content; /* content salt of the conversation */
    /* arrivals_file: times and lengths from an Azure trace */
    bool has_az;           /* the file is open */
    ts_text_t az;         /* its lines */
    bool az_started;       /* its first request was read (az_first is set) */
    uint64_t az_first;     /* its first request's time, ns since the epoch */
    char az_path[2048];    /* resolved path */
} inf_gen_t;

extern const ts_reader_ops_t ts_reader_gen_inference;

/* A length with mean `mean`: mean x exp(sigma Z - sigma^2 / 2), rounded, at least `lo`
 * (0 tokens only for a zero mean). z is a standard normal. */
static uint64_t inf_len(double mean, double sigma, double z, uint64_t lo)
{
    if (mean <= 0)
        return 0;
    double v = sigma > 0 ? mean * exp(sigma * z - 0.5 * sigma * sigma) : mean;
    if (!(v < INF_MAX_TOKENS))
        v = INF_MAX_TOKENS;
    uint64_t x = (uint64_t)floor(v + 0.5);
    return x < lo ? lo : x;
}

/* System prompt s's length: a pure function of (seed, s), drawn once per prompt. */
static uint64_t inf_sys_len(const inf_gen_t *g, uint32_t s)
{
    const inf_params_t *p = &g->p;
    double z = 0;
    if (p->system_sigma > 0) {
        uint64_t h = ts_mix64(g->salt ^ ts_mix64(0x5157ull << 32 | s));
        z = gsl_cdf_ugaussian_Pinv(((double)(h >> 11) + 0.5) * 0x1p-53);
    }
    return inf_len(p->system_tokens, p->system_sigma, z, 1);
}

static double inf_normal(const inf_gen_t *g, double sigma)
{
    return sigma > 0 ? gsl_ran_gaussian_ziggurat(g->rng_len, 1.0) : 0.0;
}

static uint64_t inf_chain(uint64_t parent, uint64_t content)
{
    return ts_mix64(parent ^ content);
}

/* Content id of block i of the current request. */
static uint64_t inf_content(const inf_gen_t *g, uint64_t i)
{
    const ts_inference_req_t *c = &g->cur;
    uint64_t b = g->p.block_tokens;
    if ((i + 1) * b <= c->system_tokens)
        return ts_mix64(g->sys_content + i);
    return ts_mix64(g->conv_content + i);
}

static void inf_reseed(inf_gen_t *g)
{
    ts_rng_reseed(g->rng_arr, ts_seed_derive(g->seed, INF_STREAM_ARR));
    ts_rng_reseed(g->rng_conv, ts_seed_derive(g->seed, INF_STREAM_CONV));
    ts_rng_reseed(g->rng_len, ts_seed_derive(g->seed, INF_STREAM_LEN));
    memset(g->slots, 0, g->p.conversations * sizeof(*g->slots));
    if (g->seen)
        memset(g->seen, 0, (g->p.system_prompts * g->p.models + 7) / 8);
    g->n_resident = 0;
    g->n_out = g->n_llm = g->n_conv = g->n_tokens = 0;
    g->clock_ns = 0;
    g->base_loaded = false;
    g->has_cur = false;
    g->phase = PH_IDLE;
}

static void inf_close(ts_reader_t *r)
{
    inf_gen_t *g = (inf_gen_t *)r;
    if (!g)
        return;
    ts_rng_destroy(g->rng_arr);
    ts_rng_destroy(g->rng_conv);
    ts_rng_destroy(g->rng_len);
    ts__zipf_fini(&g->z_sys);
    ts__zipf_fini(&g->z_model);
    ts_free(g->slots);
    ts_free(g->resident);
    ts_free(g->seen);
    if (g->has_az)
        ts_text_close(&g->az);
    ts_free(g);
}

/* Checks what the schema's ranges cannot: combinations and derived sizes. */
static int inf_check(const inf_params_t *p, ts_err_t *err)
{
    if (p->requests == 0 && p->llm_requests == 0)
        return ts_err_set(err, TS_EINVAL,
                          "inference: requests and llm_requests are both 0 (no end)");
    if (p->write_prompt && p->system_prompts * p->models > INF_MAX_SEEN)
        return ts_err_set(err, TS_EINVAL,
                          "inference: system_prompts x models is %llu, more than 2^27 "
                          "(write_prompt tracks each pair)",
                          (unsigned long long)(p->system_prompts * p->models));
    return 0;
}

static int inf_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                    ts_err_t *err)
{
    const inf_params_t *p = params;
    *out = NULL;
    const ts_model_t *m = ts_gen_model_at((size_t)p->model);
    if (!m)
        return ts_err_set(err, TS_EINVAL, "inference: model index %d is not a preset", p->model);
    uint64_t kvt = p->kv_token_bytes
                       ? p->kv_token_bytes
                       : ts_gen_model_kv_bytes_per_token(m, k_kv_dtype_bytes[p->kv_dtype]);
    int rc = inf_check(p, err); /* a block stays under 2^30 x 2^20 bytes by the ranges */
    if (rc)
        return rc;
    inf_gen_t *g = ts_calloc(1, sizeof(*g));
    if (!g)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the inference generator");
    g->base.ops = &ts_reader_gen_inference;
    g->p = *p;
    g->m = m;
    g->seed = ctx ? ctx->seed : 0;
    g->salt = ts_seed_derive(g->seed, INF_SALT);
    g->block_bytes = kvt * p->block_tokens;
    g->max_context = p->max_context ? p->max_context : m->context_tokens;
    g->base_bytes = ts_gen_model_weight_bytes(m);
    g->model_bytes = p->weights == INF_W_LORA ? p->adapter_bytes : g->base_bytes;
    g->rng_arr = ts_rng_create(0, err);
    g->rng_conv = g->rng_arr ? ts_rng_create(0, err) : NULL;
    g->rng_len = g->rng_conv ? ts_rng_create(0, err) : NULL;
    if (!g->rng_len) {
        rc = TS_ENOMEM;
        goto fail;
    }
    rc = ts__zipf_init(&g->z_sys, p->system_prompts, p->system_alpha, TS__ZIPF_AUTO, err);
    if (rc == 0)
        rc = ts__zipf_init(&g->z_model, p->models, p->model_alpha, TS__ZIPF_AUTO, err);
    if (rc)
        goto fail;
    g->slots = ts_calloc(p->conversations, sizeof(*g->slots));
    g->resident = ts_calloc(p->resident_models, sizeof(*g->resident));
    if (p->write_prompt)
        g->seen = ts_calloc((p->system_prompts * p->models + 7) / 8, 1);
    if (!g->slots || !g->resident || (p->write_prompt && !g->seen)) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate %llu inference conversations",
                        (unsigned long long)p->conversations);
        goto fail;
    }
    if (p->arrivals_file[0]) {
        if ((rc = ts_reader_path(ctx, p->arrivals_file, g->az_path, sizeof(g->az_path), err)) ||
            (rc = ts_text_open(&g->az, g->az_path, err)))
            goto fail;
        g->has_az = true;
    }
    inf_reseed(g);
    *out = &g->base;
    return 0;
fail:
    inf_close(&g->base);
    return rc;
}

static int inf_reset(ts_reader_t *r, ts_err_t *err)
{
    inf_gen_t *g = (inf_gen_t *)r;
    inf_reseed(g);
    g->az_started = false;
    return g->has_az ? ts_text_rewind(&g->az, err) : 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil algorithm). */
static int64_t inf_days(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Digits after a decimal point as ns (beyond 9 digits truncated); *end past them. */
static uint64_t inf_frac_ns(const char *s, const char **end)
{
    uint64_t v = 0;
    int n = 0;
    for (; *s >= '0' && *s <= '9'; s++, n++)
        if (n < 9)
            v = v * 10 + (uint64_t)(*s - '0');
    for (; n < 9; n++)
        v *= 10;
    *end = s;
    return v;
}

/* "2023-11-16 18:15:46.6805900" (UTC) or plain seconds ("12.5") -> ns, exactly. Returns
 * 0, INF_AZ_BAD (not such a time) or INF_AZ_RANGE (2^64 ns or more after 1970, from
 * 2554-07-21 23:34:33.709551616 UTC on). */
enum { INF_AZ_BAD = 1, INF_AZ_RANGE = 2 };
static int inf_az_time(const char *s, uint64_t *ns)
{
    int y, mo, d, h, mi, sec, n = 0;
    const char *end = s;
    uint64_t frac = 0;
    if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 &&
        mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 &&
        sec >= 0 && sec < 61 && y >= 1970) {
        end = s + n;
        if (*end == '.')
            frac = inf_frac_ns(end + 1, &end);
        if (*end)
            return INF_AZ_BAD;
        int64_t secs = inf_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
        if ((uint64_t)secs > (UINT64_MAX - frac) / 1000000000u)
            return INF_AZ_RANGE;
        *ns = (uint64_t)secs * 1000000000u + frac;
        return 0;
    }
    uint64_t whole = 0;
    int digits = 0;
    for (end = s; *end >= '0' && *end <= '9' && digits < 12; end++, digits++)
        whole = whole * 10 + (uint64_t)(*end - '0');
    if (digits == 0 && *end != '.')
        return INF_AZ_BAD;
    if (*end == '.')
        frac = inf_frac_ns(end + 1, &end);
    if (*end)
        return INF_AZ_BAD;
    *ns = whole * 1000000000u + frac;
    return 0;
}

/* The next Azure row: time (ns from the first row), context and generated tokens.
 * 1, 0 at the end, or TS_EFORMAT naming the line. A header line is skipped. */
static int inf_az_next(inf_gen_t *g, uint64_t *t, uint64_t *ctx_tokens, uint64_t *gen_tokens,
                       ts_err_t *err)
{
    for (;;) {
        char *line, *f[3];
        int rc = ts_text_next(&g->az, &line, err);
        if (rc <= 0)
            return rc;
        int n = ts_text_split(&g->az, line, ',', f, 3, err);
        if (n < 0)
            return n;
        if (g->az.line == 1 && n >= 1 && strcasecmp(f[0], "TIMESTAMP") == 0)
            continue;
        uint64_t abs_ns;
        const char *what = NULL;
        int bad = n < 3 ? 0 : inf_az_time(f[0], &abs_ns);
        if (n < 3)
            what = "expected 3 columns (TIMESTAMP, ContextTokens, GeneratedTokens)";
        else if (bad == INF_AZ_RANGE)
            what = "column 0 (TIMESTAMP): beyond 2^64 ns after 1970 "
                   "(2554-07-21 23:34:33.709551615)";
        else if (bad)
            what = "column 0 (TIMESTAMP): expected a time such as 2023-11-16 18:15:46.68";
        else if (!ts_text_u64(f[1], ctx_tokens) || *ctx_tokens > INF_MAX_TOKENS)
            what = "column 1 (ContextTokens): expected a token count";
        else if (!ts_text_u64(f[2], gen_tokens) || *gen_tokens > INF_MAX_TOKENS)
            what = "column 2 (GeneratedTokens): expected a token count";
        if (what) {
            ts_err_where(err, "%s:%llu", g->az_path, (unsigned long long)g->az.line);
            return ts_err_set(err, TS_EFORMAT, "%s", what);
        }
        if (!g->az_started) {
            g->az_started = true;
            g->az_first = abs_ns;
        }
        *t = abs_ns > g->az_first ? abs_ns - g->az_first : 0;
        return 1;
    }
}

/* The time of the next arrival; advances the clock by one gap. */
static uint64_t inf_arrival(inf_gen_t *g)
{
    const inf_params_t *p = &g->p;
    uint64_t t = (uint64_t)g->clock_ns;
    double mean_ns = 1e9 / p->rate;
    if (p->arrival == INF_ARR_GAMMA) {
        double k = 1.0 / (p->arrival_cv * p->arrival_cv);
        g->clock_ns += gsl_ran_gamma(g->rng_arr, k, mean_ns / k);
    } else {
        g->clock_ns += -log(ts_rng_unit(g->rng_arr)) * mean_ns;
    }
    return t;
}

static void inf_conv_start(inf_gen_t *g, inf_conv_t *c)
{
    const inf_params_t *p = &g->p;
    c->id = g->n_conv++;
    c->model = (uint32_t)ts__zipf_draw(&g->z_model, g->rng_conv);
    c->sys = (uint32_t)ts__zipf_draw(&g->z_sys, g->rng_conv);
    if (p->turns_dist == INF_TURNS_FIXED) {
        c->turns = (uint32_t)floor(p->turns + 0.5);
    } else {
        /* Geometric on 1, 2, ... with mean turns: 1 + floor(ln U / ln(1 - 1/turns)). */
        double q = 1.0 - 1.0 / p->turns;
        double t = q > 0 ? 1.0 + floor(log(ts_rng_unit(g->rng_conv)) / log(q)) : 1.0;
        c->turns = t < 4294967295.0 ? (uint32_t)t : UINT32_MAX;
    }
    c->turn = 0;
    c->hist_tokens = inf_sys_len(g, c->sys);
    c->prev_prompt = 0;
}

/* Makes model the most recent resident; returns true when it had to be loaded. */
static bool inf_touch_model(inf_gen_t *g, uint32_t model)
{
    uint64_t i = 0;
    while (i < g->n_resident && g->resident[i] != model)
        i++;
    bool miss = i == g->n_resident;
    if (miss && g->n_resident < g->p.resident_models)
        g->n_resident++;
    if (i == g->n_resident)
        i--;
    memmove(g->resident + 1, g->resident, i * sizeof(*g->resident));
    g->resident[0] = model;
    return miss;
}

static uint64_t inf_chunks(uint64_t bytes, uint64_t chunk)
{
    return bytes / chunk + (bytes % chunk != 0);
}

/* Starts the next LLM request: picks its conversation, draws its lengths (or takes the
 * time and lengths of the next arrivals_file row), lays out its block ranges and weight
 * reads. 1, 0 at the end of arrivals_file, or its error. */
static int inf_request_start(inf_gen_t *g, ts_err_t *err)
{
    const inf_params_t *p = &g->p;
    uint64_t t = 0, user = 0, outt = 0, az_ctx = 0;
    if (g->has_az) {
        int rc = inf_az_next(g, &t, &az_ctx, &outt, err);
        if (rc <= 0)
            return rc;
    } else {
        t = inf_arrival(g);
    }
    inf_conv_t *c = &g->slots[ts_rng_below(g->rng_conv, p->conversations)];
    if (c->turns == 0 || c->turn >= c->turns)
        inf_conv_start(g, c);
    if (g->has_az) {
        /* the row's context is the whole prompt: what the history does not cover is new
         * user tokens; a context shorter than the history starts a new conversation */
        if (c->turn > 0 && az_ctx <= c->hist_tokens)
            inf_conv_start(g, c);
        user = az_ctx > c->hist_tokens ? az_ctx - c->hist_tokens : 1;
    } else {
        user = inf_len(p->user_tokens, p->user_sigma, inf_normal(g, p->user_sigma), 1);
        outt = inf_len(p->output_tokens, p->output_sigma, inf_normal(g, p->output_sigma), 0);
    }
    if (c->turn > 0 && c->hist_tokens + user + outt > g->max_context) {
        inf_conv_start(g, c); /* the context is full: a new conversation takes the slot */
        if (g->has_az)
            user = az_ctx > c->hist_tokens ? az_ctx - c->hist_tokens : 1;
    }
    uint64_t b = p->block_tokens;
    ts_inference_req_t *q = &g->cur;
    memset(q, 0, sizeof(*q));
    q->index = g->n_llm++;
    q->time_ns = t;
    q->conversation = c->id;
    q->turn = c->turn + 1;
    q->turns = c->turns;
    q->model = c->model;
    q->system_prompt = c->sys;
    q->system_tokens = inf_sys_len(g, c->sys);
    q->history_tokens = c->hist_tokens;
    q->prompt_tokens = c->hist_tokens + user;
    q->output_tokens = outt;
    g->n_tokens += q->prompt_tokens + outt;
    q->block_tokens = b;
    q->block_bytes = g->block_bytes;
    q->n_prompt_blocks = q->prompt_tokens / b;
    q->n_blocks_after = (q->prompt_tokens + outt) / b;
    /* Blocks written before: the previous turns' (their prompts' blocks, and the decode
     * blocks when outputs are written), or the system prompt's own blocks once any
     * conversation of this model has used it. */
    if (q->turn > 1) {
        q->first_new_block = p->write_output ? c->hist_tokens / b : c->prev_prompt / b;
    } else {
        uint64_t bit = (uint64_t)c->model * p->system_prompts + c->sys;
        bool seen = g->seen && (g->seen[bit / 8] >> (bit % 8) & 1);
        q->first_new_block = seen ? q->system_tokens / b : 0;
        if (g->seen)
            g->seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
    if (q->first_new_block > q->n_prompt_blocks)
        q->first_new_block = q->n_prompt_blocks;
    /* Weights. */
    g->n_base_reads = 0;
    if (p->weights != INF_W_NONE) {
        if (p->weights == INF_W_LORA && !g->base_loaded) {
            g->base_loaded = true;
            g->n_base_reads = inf_chunks(g->base_bytes, p->weight_chunk);
            q->weight_bytes += g->base_bytes;
        }
        if (inf_touch_model(g, c->model)) {
            q->n_weight_reads = inf_chunks(g->model_bytes, p->weight_chunk);
            q->weight_bytes += g->model_bytes;
        }
        q->n_weight_reads += g->n_base_reads;
    }
    c->turn++;
    c->prev_prompt = q->prompt_tokens;
    c->hist_tokens = q->prompt_tokens + outt;
    g->root = ts_mix64(g->salt ^ ts_mix64(0x4b56ull << 48 | c->model));
    g->sys_content =
        ts_mix64(g->salt + ts_mix64(0x53ull << 56 | (uint64_t)c->model << 24 | c->sys));
    g->conv_content = ts_mix64(g->salt - ts_mix64(0x43ull << 56 ^ c->id));
    g->has_cur = true;
    g->phase = PH_WEIGHTS;
    g->i = 0;
    return 1;
}

static void inf_emit(inf_gen_t *g, ts_req_t *req, uint64_t key, uint64_t size, int op,
                     uint32_t stream)
{
    req->time_ns = g->cur.time_ns;
    req->key = key;
    req->size_bytes = size;
    req->next_access = TS_REQ_NEVER;
    req->stream = stream;
    req->op = (uint8_t)op;
    req->flags = 0;
    req->reserved_ = 0;
    req->idle_ns = 0;
    g->n_out++;
}

/* Chains block g->i onto g->h and emits it as a KV request with op; moves to the next block. */
static void inf_emit_block(inf_gen_t *g, ts_req_t *req, int op, uint32_t stream)
{
    g->h = inf_chain(g->h, inf_content(g, g->i++));
    inf_emit(g, req, g->h & ~TS_INFERENCE_WEIGHT_KEY, g->block_bytes, op, stream);
    req->flags = TS_REQ_KV;
}

/* Weight chunk j of the current request: the base model's first (lora), then the model's. */
static void inf_emit_weight(inf_gen_t *g, uint64_t j, ts_req_t *req)
{
    const inf_params_t *p = &g->p;
    bool is_base = j < g->n_base_reads;
    uint64_t k = is_base ? j : j - g->n_base_reads;
    uint64_t bytes = is_base ? g->base_bytes : g->model_bytes;
    uint64_t id = is_base ? 0xffffffffull : g->cur.model;
    uint64_t size =
        k + 1 < inf_chunks(bytes, p->weight_chunk) ? p->weight_chunk : bytes - k * p->weight_chunk;
    uint64_t key = ts_mix64(g->salt ^ ts_mix64(id << 32 ^ 0x57ull << 24 ^ k * 0x9e3779b9ull));
    uint32_t stream = is_base ? TS_INFERENCE_BASE_STREAM
                              : TS_INFERENCE_WEIGHT_STREAM | (g->cur.model & 0x7fffffffu);
    inf_emit(g, req, key | TS_INFERENCE_WEIGHT_KEY, size, TS_OP_GET, stream);
}

static int inf_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    inf_gen_t *g = (inf_gen_t *)r;
    const inf_params_t *p = &g->p;
    const ts_inference_req_t *q = &g->cur;
    if (p->requests && g->n_out >= p->requests)
        return 0;
    uint32_t stream = (uint32_t)(q->conversation & 0x7fffffffu);
    for (;;) {
        switch (g->phase) {
        case PH_IDLE:
            if (p->llm_requests && g->n_llm >= p->llm_requests)
                return 0;
            int rc = inf_request_start(g, err);
            if (rc <= 0)
                return rc;
            stream = (uint32_t)(q->conversation & 0x7fffffffu);
            continue;
        case PH_WEIGHTS:
            if (g->i < q->n_weight_reads) {
                inf_emit_weight(g, g->i++, req);
                if (g->i == q->n_weight_reads && q->n_prompt_blocks == 0)
                    req->flags |= TS_REQ_GROUP_END;
                return 1;
            }
            g->phase = PH_GET;
            g->i = 0;
            g->h = g->h_saved = g->root;
            continue;
        case PH_GET:
            if (g->i < q->n_prompt_blocks) {
                inf_emit_block(g, req, TS_OP_GET, stream);
                if (g->i == q->first_new_block)
                    g->h_saved = g->h;
                if (g->i == q->n_prompt_blocks) /* the call's reads end: its TTFT group */
                    req->flags |= TS_REQ_GROUP_END;
                return 1;
            }
            g->h_end = g->h;
            g->phase = PH_PUT_PROMPT;
            g->i = q->first_new_block;
            g->h = g->h_saved;
            continue;
        case PH_PUT_PROMPT:
            if (p->write_prompt && g->i < q->n_prompt_blocks) {
                inf_emit_block(g, req, TS_OP_PUT, stream);
                return 1;
            }
            g->phase = PH_PUT_OUTPUT;
            g->i = q->n_prompt_blocks;
            g->h = g->h_end;
            continue;
        case PH_PUT_OUTPUT:
            if (p->write_output && g->i < q->n_blocks_after) {
                inf_emit_block(g, req, TS_OP_PUT, stream);
                return 1;
            }
            g->phase = PH_IDLE;
            continue;
        }
    }
}

static void inf_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    const inf_gen_t *g = (const inf_gen_t *)r;
    out->n_requests = g->p.llm_requests ? 0 : g->p.requests;
    out->n_keys = out->n_requests;
}

/* Tokens served: every started LLM call's prompt and output (a trace cut by `requests`
 * counts its last call whole). */
static void inf_units(const ts_reader_t *r, ts_reader_units_t *out)
{
    const inf_gen_t *g = (const inf_gen_t *)r;
    out->llm_requests = g->n_llm;
    out->tokens = g->n_tokens;
}

int ts_gen_inference_current(const ts_reader_t *r, ts_inference_req_t *out, ts_err_t *err)
{
    if (!r || r->ops != &ts_reader_gen_inference)
        return ts_err_set(err, TS_EINVAL, "not an inference generator");
    const inf_gen_t *g = (const inf_gen_t *)r;
    if (!g->has_cur)
        return ts_err_set(err, TS_ENOENT, "inference: no request returned yet");
    *out = g->cur;
    return 0;
}

/* The model preset and the block size, for the timed engine's defaults. */
static void inf_hints(const void *params, ts_reader_hints_t *out)
{
    const inf_params_t *p = params;
    out->model = ts_gen_model_names[p->model];
    out->block_tokens = p->block_tokens;
}

const ts_reader_ops_t ts_reader_gen_inference = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_GENERATOR,
             .name = "inference",
             .summary = "LLM inference: multi-turn prompts over shared system prompts as KV blocks",
             .flags = TS_READER_GENERATOR,
             .params = k_inf_params,
             .params_count = TS_PARAM_COUNT(k_inf_params),
             .params_size = sizeof(inf_params_t)},
    .open = inf_open,
    .next = inf_next,
    .reset = inf_reset,
    .close = inf_close,
    .info = inf_info,
    .units = inf_units,
    .hints = inf_hints,
};
