/* SPDX-License-Identifier: MIT */
/*
 * checkpoint.c - MLPerf Storage v2.0's checkpointing workload: R ranks write an LLM's
 * checkpoint (fp16 weights and fp32 optimizer state, sharded as DLIO shards them over
 * tensor, pipeline and data parallelism with ZeRO) `checkpoints` times, then read them back.
 *
 * Shards (DLIO's base_checkpointing.py): rank r is on tensor rank r % TP, pipeline stage
 * (r / TP) % PP and data-parallel rank r / (TP x PP). Its stage holds transformer layers
 * (get_layer_index), stage 0 the embedding and the last stage the lm_head and final norm.
 * Model bytes: the stage's layers split by TP (and by DP under ZeRO 3), written by every
 * rank under ZeRO 0/3 and by DP rank 0 only under ZeRO 1/2. Optimizer bytes on every rank:
 * (3 n + 15 hidden) x optimizer dtype, n = parameters / (DP x TP x PP). A rank's shard
 * (model then optimizer bytes) is PUT in `chunk` pieces, the last one shorter.
 * Keys: 1<<62 | version<<40 | rank<<20 | chunk (version < 2^22, rank and chunk < 2^20),
 * bits 63 clear: training's samples lie below 2^40 and its checkpoint chunks have bit 63.
 * Order: checkpoint v = 1..W at v x interval, rank by rank, chunk by chunk (stream = rank,
 * TS_REQ_CHECKPOINT, the rank's last chunk TS_REQ_GROUP_END); then reads j = 1..Rd of
 * checkpoint j at (W + j) x interval, in the same order (DLIO's _checkpoint_read).
 * Cost: O(1) per request; open sums the ranks' shards in O(ranks). No random draws.
 */
#include <string.h>

#include "../sim/util/mem.h"
#include "gen_internal.h"

/* ================================ presets ================================ */

enum ckpt_model { CM_8B = 0, CM_70B = 1, CM_405B = 2, CM_1T = 3, CM_CUSTOM = 4 };
enum ckpt_mode { CMODE_BOTH = 0, CMODE_WRITE = 1, CMODE_READ = 2 };

static const char *const k_ckpt_models[] = {"llama3-8b", "llama3-70b", "llama3-405b",
                                            "llama3-1t", "custom",     NULL};
static const char *const k_ckpt_modes[] = {"both", "write", "read", NULL};
static const char *const k_ckpt_zeros[] = {"preset", "0", "1", "2", "3", NULL};
static const char *const k_ckpt_dtypes[] = {"fp16", "bf16", "fp32", "fp64", "int8", "uint8", NULL};
static const uint64_t k_ckpt_dtype_bytes[] = {2, 2, 4, 8, 1, 1};

/* MLPerf Storage's configs/dlio/workload/llama3_<size>.yaml (github.com/mlcommons/storage,
 * commit caa90c9 of 2025-06-13): the transformer, TP, PP and ZeRO stage; DP is the rules'
 * closed process count over TP x PP (Submission_guidelines.md Table 2; mlpstorage/config.py
 * LLM_ALLOWED_VALUES), so TP x PP x DP = 8, 64, 512, 1024 ranks. */
typedef struct ckpt_arch {
    uint64_t layers, hidden, ffn, heads, kv_heads, vocab;
    uint64_t tp, pp, dp;
    int zero; /* ZeRO stage 0..3 */
} ckpt_arch_t;

static const ckpt_arch_t k_ckpt_presets[] = {
    [CM_8B] = {32, 4096, 14336, 32, 8, 128256, 1, 1, 8, 3},
    [CM_70B] = {80, 8192, 28672, 128, 8, 128256, 8, 1, 8, 3},
    [CM_405B] = {126, 16384, 53248, 128, 8, 128256, 8, 32, 2, 1},
    [CM_1T] = {128, 25872, 98304, 192, 32, 128256, 8, 64, 2, 1},
};

/* ================================ parameters ================================ */

typedef struct ckpt_params {
    int model;            /* enum ckpt_model */
    uint64_t ranks;       /* MPI processes; 0: the preset's TP x PP x DP */
    int mode;             /* enum ckpt_mode */
    uint64_t checkpoints; /* checkpoints written (num_checkpoints_write) */
    uint64_t reads;       /* checkpoints read back (num_checkpoints_read) */
    uint64_t chunk_bytes; /* object size a shard is written in */
    uint64_t interval_ns; /* time_between_checkpoints */
    uint64_t layers, hidden, ffn, heads, kv_heads, vocab; /* 0: the preset's */
    uint64_t tp, pp, dp;                                  /* 0: the preset's */
    int zero;        /* index in k_ckpt_zeros: 0 preset, else stage + 1 */
    int model_dtype; /* index in k_ckpt_dtypes */
    int optimizer_dtype;
} ckpt_params_t;

#define CP(f) offsetof(ckpt_params_t, f)
#define CKPT_FIELD_MAX 1048575.0   /* ranks and chunks per rank: 20 bits of the key */
#define CKPT_VERSION_MAX 4194303.0 /* 22 bits */

static const ts_param_spec_t k_ckpt_params[] = {
    {"model", TS_PT_ENUM, CP(model), 0, 1, 0, "llama3-8b",
     "MLPerf Storage checkpointing model whose DLIO config gives the zero parameters below "
     "(custom: none)",
     k_ckpt_models},
    {"ranks", TS_PT_COUNT, CP(ranks), 0, 0, CKPT_FIELD_MAX, "0",
     "MPI processes, one GPU each (0: the rules' TP x PP x DP: 8, 64, 512, 1024); fewer is "
     "the rules' subset mode",
     NULL},
    {"mode", TS_PT_ENUM, CP(mode), 0, 1, 0, "both",
     "write then read back, write only (reads 0), or read only (of checkpoints written before)",
     k_ckpt_modes},
    {"checkpoints", TS_PT_COUNT, CP(checkpoints), 0, 0, CKPT_VERSION_MAX, "10",
     "checkpoints written (the config's num_checkpoints_write)", NULL},
    {"reads", TS_PT_COUNT, CP(reads), 0, 0, CKPT_VERSION_MAX, "10",
     "checkpoints read back, the first ones written (num_checkpoints_read)", NULL},
    {"chunk", TS_PT_SIZE, CP(chunk_bytes), 0, 0, TS__MAX_SIZE, "64MiB",
     "a rank's shard is written and read in objects of this size", NULL},
    {"interval", TS_PT_DURATION, CP(interval_ns), 0, 0, 3.6e12, "5s",
     "time before each checkpoint write or read (time_between_checkpoints)", NULL},
    {"layers", TS_PT_COUNT, CP(layers), 0, 0, 10000, "0", "transformer layers (0: preset)", NULL},
    {"hidden", TS_PT_COUNT, CP(hidden), 0, 0, 1e6, "0", "hidden size (0: preset)", NULL},
    {"ffn", TS_PT_COUNT, CP(ffn), 0, 0, 1e7, "0", "FFN hidden size (0: preset)", NULL},
    {"heads", TS_PT_COUNT, CP(heads), 0, 0, 1e5, "0", "attention heads (0: preset)", NULL},
    {"kv_heads", TS_PT_COUNT, CP(kv_heads), 0, 0, 1e5, "0", "key/value heads (0: preset)", NULL},
    {"vocab", TS_PT_COUNT, CP(vocab), 0, 0, 1e8, "0", "vocabulary size (0: preset)", NULL},
    {"tp", TS_PT_COUNT, CP(tp), 0, 0, 65536, "0", "tensor parallelism (0: preset; custom 1)", NULL},
    {"pp", TS_PT_COUNT, CP(pp), 0, 0, 65536, "0", "pipeline stages (0: preset; custom 1)", NULL},
    {"dp", TS_PT_COUNT, CP(dp), 0, 0, CKPT_FIELD_MAX, "0",
     "data parallelism of the full run: fewer ranks than TP x PP x DP write a subset "
     "(0: preset; custom: ranks / (TP x PP))",
     NULL},
    {"zero", TS_PT_ENUM, CP(zero), 0, 1, 0, "preset",
     "ZeRO stage 0-3 (preset: the config's; custom 0, DLIO's default)", k_ckpt_zeros},
    {"model_dtype", TS_PT_ENUM, CP(model_dtype), 0, 1, 0, "fp16", "weights' data type",
     k_ckpt_dtypes},
    {"optimizer_dtype", TS_PT_ENUM, CP(optimizer_dtype), 0, 1, 0, "fp32",
     "optimizer state's data type", k_ckpt_dtypes},
};

/* ================================ instance ================================ */

#define CKPT_TAG (1ULL << 62)

enum ckpt_phase { PH_WRITE, PH_READ, PH_DONE };

typedef struct ckpt_gen {
    ts_reader_t base; /* must be first */
    ckpt_params_t p;  /* resolved parameters */
    ckpt_arch_t a;    /* resolved architecture; a.dp is DLIO's data_parallelism */
    uint64_t ranks;
    uint64_t mp;          /* TP x PP */
    uint64_t writes;      /* checkpoints written by this trace */
    uint64_t n_reads;     /* checkpoints read by this trace */
    uint64_t ckpt_bytes;  /* one checkpoint over all ranks */
    uint64_t ckpt_chunks; /* its objects */
    uint64_t n_requests, n_keys;
    /* cursor */
    int phase;           /* enum ckpt_phase */
    uint64_t v;          /* checkpoint written or read, 1-based */
    uint64_t r, i;       /* rank, chunk */
    uint64_t shard;      /* bytes of rank r's shard */
    bool is_fresh;       /* no request of checkpoint v emitted yet */
    ts_reader_units_t u; /* what has been emitted */
} ckpt_gen_t;

extern const ts_reader_ops_t ts_reader_gen_checkpoint;

/* ---- DLIO's layout ---- */

static uint64_t ckpt_dkv(const ckpt_arch_t *a)
{
    return a->hidden / a->heads * a->kv_heads;
}

/* Elements of one transformer layer (get_num_parameters's per-layer sum). */
static uint64_t ckpt_layer_params(const ckpt_arch_t *a)
{
    uint64_t h = a->hidden, f = a->ffn;
    return h + h * (h + 2 * ckpt_dkv(a)) + h * h + h + 2 * f * h + f * h;
}

/* get_num_parameters: embedding, the layers, final norm, lm_head. */
static uint64_t ckpt_num_params(const ckpt_arch_t *a)
{
    uint64_t emb = a->vocab * a->hidden;
    return 2 * emb + a->layers * ckpt_layer_params(a) + a->hidden;
}

/* Elements of a transformer layer on one rank (get_layer_parameters), sharding factor sf. */
static uint64_t ckpt_layer_elems(const ckpt_arch_t *a, uint64_t sf)
{
    uint64_t h = a->hidden, f = a->ffn, t = a->tp;
    return h / sf + h * (h + 2 * ckpt_dkv(a)) / t / sf + h * h / t / sf + h / sf +
           h * 2 * f / t / sf + h * f / t / sf;
}

/* Model bytes a rank of pipeline stage s holds: layers [lo, hi] of get_layer_index, 0 the
 * embedding, L + 1 the lm_head, L + 2 the final norm. */
static uint64_t ckpt_stage_model(const ckpt_gen_t *c, uint64_t s)
{
    const ckpt_arch_t *a = &c->a;
    uint64_t L = a->layers, q = L / a->pp, rem = L % a->pp, lo, hi;
    if (s < rem) {
        lo = s * (q + 1) + 1;
        hi = lo + q;
    } else {
        lo = rem * (q + 1) + (s - rem) * q + 1;
        hi = lo + q - 1;
    }
    if (s == a->pp - 1) hi = L + 2;
    if (s == 0) lo = 0;
    uint64_t sf = a->zero == 3 ? a->dp : 1;
    uint64_t emb = a->hidden * a->vocab / a->tp / sf;
    uint64_t first = lo > 1 ? lo : 1, last = hi < L ? hi : L;
    uint64_t n = last >= first ? (last - first + 1) * ckpt_layer_elems(a, sf) : 0;
    n += (lo == 0 ? emb : 0) + (hi >= L + 1 ? emb : 0) + (hi >= L + 2 ? a->hidden / sf : 0);
    return n * k_ckpt_dtype_bytes[c->p.model_dtype];
}

/* Bytes rank r writes per checkpoint: its model part and its optimizer part. */
static void ckpt_rank_parts(const ckpt_gen_t *c, uint64_t r, uint64_t *model, uint64_t *optim)
{
    const ckpt_arch_t *a = &c->a;
    *model = *optim = 0;
    if (a->zero == 0 && r >= c->mp) return; /* rank_to_checkpoint is 0: nothing of its own */
    uint64_t dp_rank = r / c->mp;
    if (!((a->zero == 1 || a->zero == 2) && dp_rank != 0))
        *model = ckpt_stage_model(c, r / a->tp % a->pp);
    uint64_t n = ckpt_num_params(a) / (a->zero > 0 ? a->dp * c->mp : c->mp);
    if (n > 0) *optim = (3 * n + 15 * a->hidden) * k_ckpt_dtype_bytes[c->p.optimizer_dtype];
}

static uint64_t ckpt_shard(const ckpt_gen_t *c, uint64_t r)
{
    uint64_t m, o;
    ckpt_rank_parts(c, r, &m, &o);
    return m + o;
}

static uint64_t ckpt_chunks_of(const ckpt_gen_t *c, uint64_t bytes)
{
    return bytes / c->p.chunk_bytes + (bytes % c->p.chunk_bytes != 0);
}

/* ---- parameters ---- */

#define CKPT_BAD(err, key, ...) ts__gen_bad(err, "checkpoint", key, __VA_ARGS__)

static uint64_t ckpt_pick(uint64_t given, uint64_t preset)
{
    return given ? given : preset;
}

/* Applies the preset to the zero parameters and checks what the schema cannot, as DLIO's
 * ConfigArguments.validate does. */
static int ckpt_resolve(ckpt_gen_t *c, ts_err_t *err)
{
    ckpt_params_t *p = &c->p;
    ckpt_arch_t pre = {0}, *a = &c->a;
    if (p->model != CM_CUSTOM) pre = k_ckpt_presets[p->model];
    *a = (ckpt_arch_t){ckpt_pick(p->layers, pre.layers),
                       ckpt_pick(p->hidden, pre.hidden),
                       ckpt_pick(p->ffn, pre.ffn),
                       ckpt_pick(p->heads, pre.heads),
                       ckpt_pick(p->kv_heads, pre.kv_heads),
                       ckpt_pick(p->vocab, pre.vocab),
                       ckpt_pick(p->tp, ckpt_pick(pre.tp, 1)),
                       ckpt_pick(p->pp, ckpt_pick(pre.pp, 1)),
                       ckpt_pick(p->dp, pre.dp),
                       p->zero ? p->zero - 1 : pre.zero};
    static const char *const need[] = {"layers", "hidden", "ffn", "heads", "kv_heads", "vocab"};
    const uint64_t have[] = {a->layers, a->hidden, a->ffn, a->heads, a->kv_heads, a->vocab};
    for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++)
        if (!have[k]) return CKPT_BAD(err, need[k], "model custom needs it (0 given)");
    if (a->kv_heads > a->heads)
        return CKPT_BAD(err, "kv_heads", "%llu key/value heads for %llu attention heads",
                        (unsigned long long)a->kv_heads, (unsigned long long)a->heads);
    c->mp = a->tp * a->pp;
    c->ranks = p->ranks ? p->ranks : a->tp * a->pp * a->dp;
    if (!c->ranks)
        return CKPT_BAD(err, "ranks", "model custom needs a rank count (or dp), 0 given");
    if (p->chunk_bytes == 0) return CKPT_BAD(err, "chunk", "must be at least 1 byte");
    if (a->layers < a->pp)
        return CKPT_BAD(err, "pp", "%llu pipeline stages for %llu layers: DLIO needs layers >= pp",
                        (unsigned long long)a->pp, (unsigned long long)a->layers);
    if (a->zero == 3 && a->pp > 1)
        return CKPT_BAD(err, "zero", "ZeRO stage 3 with pp %llu: DLIO allows it only with pp 1",
                        (unsigned long long)a->pp);
    if (!a->dp || c->ranks >= a->tp * a->pp * a->dp) { /* DLIO's default mode */
        if (c->ranks % c->mp)
            return CKPT_BAD(err, "ranks", "%llu ranks are not a multiple of tp x pp = %llu",
                            (unsigned long long)c->ranks, (unsigned long long)c->mp);
        a->dp = c->ranks / c->mp;
    } /* else the subset mode: ranks 0..R-1 of a TP x PP x DP run */
    if (ckpt_num_params(a) > UINT64_MAX / 16)
        return CKPT_BAD(err, "layers", "the model's parameter count overflows 64 bits");
    c->writes = p->mode == CMODE_READ ? 0 : p->checkpoints;
    c->n_reads = p->mode == CMODE_WRITE ? 0 : p->reads;
    if (p->interval_ns && c->writes + c->n_reads > (UINT64_MAX >> 1) / p->interval_ns)
        return CKPT_BAD(err, "interval", "%llu checkpoints %llu ns apart end beyond 2^63 ns",
                        (unsigned long long)(c->writes + c->n_reads),
                        (unsigned long long)p->interval_ns);
    if (c->writes && c->n_reads > c->writes)
        return CKPT_BAD(err, "reads", "%llu checkpoints read, only %llu written",
                        (unsigned long long)c->n_reads, (unsigned long long)c->writes);
    for (uint64_t r = 0; r < c->ranks; r++) {
        uint64_t b = ckpt_shard(c, r), n = ckpt_chunks_of(c, b);
        if (n > CKPT_FIELD_MAX)
            return CKPT_BAD(err, "chunk",
                            "rank %llu's %llu-byte shard would take %llu chunks, "
                            "above 2^20: raise it",
                            (unsigned long long)r, (unsigned long long)b, (unsigned long long)n);
        c->ckpt_bytes += b;
        c->ckpt_chunks += n;
    }
    c->n_requests = (c->writes + c->n_reads) * c->ckpt_chunks;
    c->n_keys = (c->writes > c->n_reads ? c->writes : c->n_reads) * c->ckpt_chunks;
    return 0;
}

/* ================================ reader ================================ */

/* Moves the cursor to rank r's first chunk (or past the last rank). */
static void ckpt_rank(ckpt_gen_t *c, uint64_t r)
{
    c->r = r;
    c->i = 0;
    c->shard = r < c->ranks ? ckpt_shard(c, r) : 0;
}

/* Starts checkpoint v of phase, or the next phase when phase has none left. */
static void ckpt_begin(ckpt_gen_t *c, int phase, uint64_t v)
{
    if (phase == PH_WRITE && v > c->writes) {
        phase = PH_READ;
        v = 1;
    }
    if (phase == PH_READ && v > c->n_reads) phase = PH_DONE;
    c->phase = phase;
    c->v = v;
    c->is_fresh = true;
    ckpt_rank(c, 0);
}

static void ckpt_rewind(ckpt_gen_t *c)
{
    memset(&c->u, 0, sizeof(c->u));
    c->u.gpus = c->ranks;
    c->u.ckpt_bytes = c->ckpt_bytes;
    ckpt_begin(c, PH_WRITE, 1);
}

static void ckpt_close(ts_reader_t *r)
{
    ts_free(r);
}

static int ckpt_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                     ts_err_t *err)
{
    (void)ctx; /* the layout is fixed: nothing is drawn */
    *out = NULL;
    ckpt_gen_t *c = ts_calloc(1, sizeof(*c));
    if (!c) return ts_err_set(err, TS_ENOMEM, "cannot allocate the checkpoint generator");
    c->base.ops = &ts_reader_gen_checkpoint;
    c->p = *(const ckpt_params_t *)params;
    int rc = ckpt_resolve(c, err);
    if (rc) {
        ckpt_close(&c->base);
        return rc;
    }
    ckpt_rewind(c);
    *out = &c->base;
    return 0;
}

static int ckpt_next(ts_reader_t *rd, ts_req_t *req, ts_err_t *err)
{
    ckpt_gen_t *c = (ckpt_gen_t *)rd;
    (void)err;
    while (c->phase != PH_DONE) {
        uint64_t n = ckpt_chunks_of(c, c->shard);
        if (c->r >= c->ranks) {
            ckpt_begin(c, c->phase, c->v + 1);
            continue;
        }
        if (c->i >= n) {
            ckpt_rank(c, c->r + 1);
            continue;
        }
        bool is_put = c->phase == PH_WRITE;
        uint64_t off = c->i * c->p.chunk_bytes, size = c->shard - off;
        if (size > c->p.chunk_bytes) size = c->p.chunk_bytes;
        uint64_t slot = is_put ? c->v : c->writes + c->v; /* intervals before this one */
        *req = (ts_req_t){.time_ns = slot * c->p.interval_ns,
                          .key = CKPT_TAG | c->v << 40 | c->r << 20 | c->i,
                          .size_bytes = size,
                          .next_access = TS_REQ_NEVER,
                          .stream = (uint32_t)c->r,
                          .op = is_put ? TS_OP_PUT : TS_OP_GET,
                          .flags = TS_REQ_CHECKPOINT | (c->i + 1 == n ? TS_REQ_GROUP_END : 0)};
        if (c->is_fresh) {
            c->is_fresh = false;
            *(is_put ? &c->u.checkpoints : &c->u.ckpt_reads) += 1;
        }
        *(is_put ? &c->u.ckpt_bytes_written : &c->u.ckpt_bytes_read) += size;
        c->i++;
        return 1;
    }
    return 0;
}

static int ckpt_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    ckpt_rewind((ckpt_gen_t *)r);
    return 0;
}

static void ckpt_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    const ckpt_gen_t *c = (const ckpt_gen_t *)r;
    out->n_requests = c->n_requests;
    out->n_keys = c->n_keys;
}

/* Checkpoints started and bytes moved so far, the size of one, and the ranks (GPUs). */
static void ckpt_units(const ts_reader_t *r, ts_reader_units_t *out)
{
    *out = ((const ckpt_gen_t *)r)->u;
}

const ts_reader_ops_t ts_reader_gen_checkpoint = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_GENERATOR,
             .name = "checkpoint",
             .summary = "LLM checkpoint writes and reads (MLPerf Storage checkpointing, DLIO): "
                        "Llama 3 8B to 1T sharded over ranks",
             .flags = TS_READER_GENERATOR | TS_READER_SEEDLESS,
             .params = k_ckpt_params,
             .params_count = TS_PARAM_COUNT(k_ckpt_params),
             .params_size = sizeof(ckpt_params_t)},
    .open = ckpt_open,
    .next = ckpt_next,
    .reset = ckpt_reset,
    .close = ckpt_close,
    .info = ckpt_info,
    .units = ckpt_units,
};
