/* SPDX-License-Identifier: MIT */
/*
 * kvjson.c - LLM-serving traces whose requests name their KV-cache blocks (JSON lines):
 *   mooncake: {"timestamp": ms, "input_length": tokens, "output_length": tokens,
 *              "hash_ids": [ids]}  (github.com/kvcache-ai/Mooncake, FAST'25 traces;
 *              512-token blocks)
 *   bailian:  {"chat_id", "parent_chat_id", "timestamp": s, "input_length",
 *              "output_length", "type", "turn", "hash_ids"}  (Alibaba Bailian / Qwen usage
 *              traces; 16-token blocks)
 * Each request expands, at its time, into one get per hash id in order (the prompt's
 * blocks: a hash id names a block and, chained, everything before it, so equal ids are a
 * shared prefix), then, with write_output, one put per block its decode fills:
 * floor((input + output) / B) - floor(input / B) blocks named from the last prompt block
 * and the request. Every block is B x kv_bytes_per_token bytes (the model preset's unless
 * given). key = MurmurHash3 finaliser of the hash id (output blocks: of a salted mix), so a
 * trace's keys keep its sharing. stream: mooncake the request's number, bailian the
 * conversation (the root of the chat_id -> parent_chat_id chain; a map of chat ids, 16
 * bytes each, is kept for that). Blank lines and '#' lines are skipped; a line that is not
 * a JSON object with those fields is an error naming path:line and the field.
 * Cost: one JSON parse per request and O(1) per block; memory: one request's ids, plus
 * the chat map (bailian).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/reader.h"
#include "../sim/models.h"
#include "../sim/util/text.h"

#define KVJ_PATH_MAX 1024
#define KVJ_MAX_IDS (1u << 24) /* hash ids in one request: 8.6G tokens at 512 */
#define KVJ_NS_END 18446744073709551616.0 /* 2^64: the first time in ns a request cannot hold */
#define KVJ_OUT_SALT UINT64_C(0x6f75747075740001)

typedef struct kvj_params {
    char path[KVJ_PATH_MAX];     /* trace file (plain or .zst) */
    int model;                   /* index in ts_gen_model_names */
    uint64_t kv_bytes_per_token; /* 0: the model's */
    uint64_t block_tokens;       /* tokens per hash id */
    bool write_output;           /* put the blocks decode fills */
} kvj_params_t;

#define KVJ_PARAMS(block_def, block_help)                                                       \
    {                                                                                           \
        {"path", TS_PT_STRING, offsetof(kvj_params_t, path), KVJ_PATH_MAX, 1, 0, NULL,           \
         "trace file (JSON lines, plain or .zst)", NULL},                                       \
            {"model", TS_PT_ENUM, offsetof(kvj_params_t, model), 0, 1, 0, "llama-3.1-70b",      \
             "model preset whose KV bytes per token size the blocks (tiersim list models)",     \
             ts_gen_model_names},                                                               \
            {"kv_bytes_per_token", TS_PT_SIZE, offsetof(kvj_params_t, kv_bytes_per_token), 0,   \
             0, 1e9, "0", "KV bytes per token; 0: the model's", NULL},                          \
            {"block_tokens", TS_PT_COUNT, offsetof(kvj_params_t, block_tokens), 0, 1, 1e6,      \
             block_def, block_help, NULL},                                                      \
            {"write_output", TS_PT_BOOL, offsetof(kvj_params_t, write_output), 0, 1, 0,         \
             "false", "put the KV blocks that decoding fills", NULL},                          \
    }

static const ts_param_spec_t k_mooncake_params[] = KVJ_PARAMS(
    "512", "tokens per hash id (the Mooncake traces use 512)");
static const ts_param_spec_t k_bailian_params[] = KVJ_PARAMS(
    "16", "tokens per hash id (the Bailian traces use 16)");

/* chat_id -> conversation root: open addressing, slots (chat + 1, root). */
typedef struct kvj_chat {
    uint64_t id1;  /* chat_id + 1; 0: empty */
    uint64_t root; /* the conversation's first chat_id */
} kvj_chat_t;

typedef struct kvj_reader {
    ts_reader_t base;     /* must be first */
    ts_text_t text;      /* lines of the file */
    bool is_bailian;
    bool write_output;
    uint64_t block_bytes; /* B x KV bytes per token */
    uint64_t block_tokens;
    uint64_t n_req;       /* LLM requests read */
    /* the request being expanded */
    ts_req_t cur;         /* time, stream, op set; key and size per block */
    uint64_t *ids;        /* its hash ids */
    size_t n_ids, cap_ids;
    size_t next;          /* next block to return: ids, then outputs */
    size_t n_out;         /* output blocks to put */
    /* bailian conversations */
    kvj_chat_t *chat;
    uint64_t chat_mask, n_chat;
    char path[2 * KVJ_PATH_MAX];
} kvj_reader_t;

extern const ts_reader_ops_t ts_reader_mooncake;
extern const ts_reader_ops_t ts_reader_bailian;

static void kvj_close(ts_reader_t *r)
{
    kvj_reader_t *k = (kvj_reader_t *)r;
    if (!k)
        return;
    ts_text_close(&k->text);
    ts_free(k->ids);
    ts_free(k->chat);
    ts_free(k);
}

static int kvj_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                    ts_err_t *err, bool is_bailian)
{
    const kvj_params_t *p = params;
    *out = NULL;
    kvj_reader_t *k = ts_calloc(1, sizeof(*k));
    if (!k)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the trace reader");
    k->base.ops = is_bailian ? &ts_reader_bailian : &ts_reader_mooncake;
    k->is_bailian = is_bailian;
    k->write_output = p->write_output;
    k->block_tokens = p->block_tokens;
    const ts_model_t *m = ts_gen_model_at((size_t)p->model);
    uint64_t per_token = p->kv_bytes_per_token ? p->kv_bytes_per_token
                                               : ts_gen_model_kv_bytes_per_token(m, 0);
    k->block_bytes = per_token * p->block_tokens;
    int rc = ts_reader_path(ctx, p->path, k->path, sizeof(k->path), err);
    if (rc == 0 && is_bailian) {
        k->chat_mask = 1023;
        if (!(k->chat = ts_calloc(k->chat_mask + 1, sizeof(*k->chat))))
            rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the chat map");
    }
    if (rc == 0)
        rc = ts_text_open(&k->text, k->path, err);
    if (rc) {
        ts_free(k->chat);
        ts_free(k);
        return rc;
    }
    *out = &k->base;
    return 0;
}

static int kvj_open_mooncake(const void *p, const ts_reader_ctx_t *c, ts_reader_t **o,
                             ts_err_t *e)
{
    return kvj_open(p, c, o, e, false);
}

static int kvj_open_bailian(const void *p, const ts_reader_ctx_t *c, ts_reader_t **o,
                            ts_err_t *e)
{
    return kvj_open(p, c, o, e, true);
}

static int kvj_fail(const kvj_reader_t *k, ts_err_t *err, int code, const char *fmt,
                    const char *a)
{
    ts_err_where(err, "%s:%llu", k->path, (unsigned long long)k->text.line);
    return ts_err_set(err, code, fmt, a);
}

/* A non-negative integer member (a JSON number with no fraction). */
static int kvj_u64(const kvj_reader_t *k, json_t *o, const char *name, uint64_t *out,
                   ts_err_t *err)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return kvj_fail(k, err, TS_EFORMAT,
                        "expected '%s' to be a non-negative integer", name);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

/* chat_id's conversation: its parent's (looked up), or itself. */
static int kvj_chat_root(kvj_reader_t *k, uint64_t chat, int64_t parent, uint64_t *root,
                         ts_err_t *err)
{
    *root = chat;
    if (parent >= 0) {
        uint64_t p1 = (uint64_t)parent + 1;
        for (uint64_t j = ts_hash64(p1) & k->chat_mask; k->chat[j].id1; j = (j + 1) & k->chat_mask)
            if (k->chat[j].id1 == p1) {
                *root = k->chat[j].root;
                break;
            }
    }
    if ((k->n_chat + 1) * 2 > k->chat_mask + 1) {
        uint64_t nmask = k->chat_mask * 2 + 1;
        kvj_chat_t *nc = ts_calloc(nmask + 1, sizeof(*nc));
        if (!nc)
            return ts_err_set(err, TS_ENOMEM, "cannot grow the chat map of '%s'", k->path);
        for (uint64_t i = 0; i <= k->chat_mask; i++) {
            if (!k->chat[i].id1)
                continue;
            uint64_t j = ts_hash64(k->chat[i].id1) & nmask;
            while (nc[j].id1)
                j = (j + 1) & nmask;
            nc[j] = k->chat[i];
        }
        ts_free(k->chat);
        k->chat = nc;
        k->chat_mask = nmask;
    }
    uint64_t c1 = chat + 1, j = ts_hash64(c1) & k->chat_mask;
    while (k->chat[j].id1 && k->chat[j].id1 != c1)
        j = (j + 1) & k->chat_mask;
    if (!k->chat[j].id1)
        k->n_chat++;
    k->chat[j].id1 = c1;
    k->chat[j].root = *root;
    return 0;
}

/* Parses the next line into the request being expanded. 1, 0 at the end, or an error. */
static int kvj_read(kvj_reader_t *k, ts_err_t *err)
{
    char *line;
    int rc = ts_text_next(&k->text, &line, err);
    if (rc <= 0)
        return rc;
    rc = 0;
    json_error_t jerr;
    json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) {
        char shown[TS_TEXT_SHOWN];
        json_decref(o);
        return kvj_fail(k, err, TS_EFORMAT, "expected a JSON object: %s",
                        o ? "found another value"
                          : ts_text_shown(jerr.text, shown, sizeof(shown)));
    }
    uint64_t in_len = 0, out_len = 0, chat = 0;
    double t_s = 0;
    json_t *ts = json_object_get(o, "timestamp");
    json_t *ids = json_object_get(o, "hash_ids");
    if (!json_is_number(ts) || json_number_value(ts) < 0)
        rc = kvj_fail(k, err, TS_EFORMAT, "expected '%s' to be a non-negative number",
                      "timestamp");
    else
        t_s = json_number_value(ts) * (k->is_bailian ? 1.0 : 1e-3); /* mooncake: ms */
    if (rc == 0 && !(t_s * 1e9 + 0.5 < KVJ_NS_END)) {
        char found[48];
        snprintf(found, sizeof(found), "%.17g", json_number_value(ts));
        rc = kvj_fail(k, err, TS_EFORMAT,
                      k->is_bailian ? "'timestamp' is beyond 2^64 ns (584 years): %s s"
                                    : "'timestamp' is beyond 2^64 ns (584 years): %s ms",
                      found);
    }
    if (rc == 0)
        rc = kvj_u64(k, o, "input_length", &in_len, err);
    if (rc == 0)
        rc = kvj_u64(k, o, "output_length", &out_len, err);
    if (rc == 0 && (!json_is_array(ids) || json_array_size(ids) > KVJ_MAX_IDS))
        rc = kvj_fail(k, err, TS_EFORMAT, "expected '%s' to be an array of block ids",
                      "hash_ids");
    int64_t parent = -1;
    if (rc == 0 && k->is_bailian) {
        json_t *pc = json_object_get(o, "parent_chat_id");
        rc = kvj_u64(k, o, "chat_id", &chat, err);
        if (rc == 0 && !json_is_integer(pc))
            rc = kvj_fail(k, err, TS_EFORMAT, "expected '%s' to be an integer (-1: none)",
                          "parent_chat_id");
        if (rc == 0)
            parent = json_integer_value(pc);
    }
    size_t n = rc == 0 ? json_array_size(ids) : 0;
    if (rc == 0 && n > k->cap_ids) {
        uint64_t *nv = ts_realloc(k->ids, n * sizeof(*nv));
        if (!nv)
            rc = ts_err_set(err, TS_ENOMEM, "cannot hold %zu block ids", n);
        else {
            k->ids = nv;
            k->cap_ids = n;
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *v = json_array_get(ids, i);
        if (!json_is_integer(v))
            rc = kvj_fail(k, err, TS_EFORMAT, "expected '%s' to hold integers", "hash_ids");
        else
            k->ids[i] = (uint64_t)json_integer_value(v);
    }
    uint64_t root = 0;
    if (rc == 0 && k->is_bailian)
        rc = kvj_chat_root(k, chat, parent, &root, err);
    json_decref(o);
    if (rc)
        return rc;
    memset(&k->cur, 0, sizeof(k->cur));
    k->cur.time_ns = (uint64_t)(t_s * 1e9 + 0.5); /* below 2^64: checked above */
    k->cur.size_bytes = k->block_bytes;
    k->cur.next_access = TS_REQ_NEVER;
    k->cur.stream = k->is_bailian ? (uint32_t)ts_hash64(root + 1) : (uint32_t)k->n_req;
    k->n_ids = n;
    k->next = 0;
    uint64_t b = k->block_tokens;
    k->n_out = k->write_output ? (size_t)((in_len + out_len) / b - in_len / b) : 0;
    k->n_req++;
    return 1;
}

static int kvj_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    kvj_reader_t *k = (kvj_reader_t *)r;
    while (k->next == k->n_ids + k->n_out) {
        int rc = kvj_read(k, err);
        if (rc <= 0)
            return rc;
    }
    *req = k->cur;
    req->flags = TS_REQ_KV;
    if (k->next < k->n_ids) {
        req->op = TS_OP_GET;
        req->key = ts_hash64(k->ids[k->next]);
        if (k->next + 1 == k->n_ids) /* the request's prompt reads end: its TTFT group */
            req->flags |= TS_REQ_GROUP_END;
    } else { /* output blocks: named from the last prompt block, the request and j */
        uint64_t base = k->n_ids ? k->ids[k->n_ids - 1] : 0;
        req->op = TS_OP_PUT;
        req->key = ts_hash64(ts_hash64(base ^ KVJ_OUT_SALT) + k->n_req * 0x9e3779b97f4a7c15ULL +
                             (k->next - k->n_ids));
    }
    k->next++;
    return 1;
}

static int kvj_reset(ts_reader_t *r, ts_err_t *err)
{
    kvj_reader_t *k = (kvj_reader_t *)r;
    k->n_ids = k->n_out = k->next = 0;
    k->n_req = 0;
    if (k->chat) {
        memset(k->chat, 0, (k->chat_mask + 1) * sizeof(*k->chat));
        k->n_chat = 0;
    }
    return ts_text_rewind(&k->text, err);
}

/* Both formats: the model preset sizing the blocks, and the block size. */
static void kvj_hints(const void *params, ts_reader_hints_t *out)
{
    const kvj_params_t *p = params;
    out->model = ts_gen_model_names[p->model];
    out->block_tokens = p->block_tokens;
}

const ts_reader_ops_t ts_reader_mooncake = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "mooncake",
             .summary = "Mooncake KV-cache traces: JSON lines with token counts and block hash ids",
             .params = k_mooncake_params,
             .params_count = TS_PARAM_COUNT(k_mooncake_params),
             .params_size = sizeof(kvj_params_t)},
    .open = kvj_open_mooncake,
    .next = kvj_next,
    .reset = kvj_reset,
    .close = kvj_close,
    .hints = kvj_hints,
    .extension = NULL, /* JSON lines, like bailian: name the format */
};

const ts_reader_ops_t ts_reader_bailian = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "bailian",
             .summary = "Alibaba Bailian/Qwen usage traces: JSON lines with chats, turns and "
                        "block ids",
             .params = k_bailian_params,
             .params_count = TS_PARAM_COUNT(k_bailian_params),
             .params_size = sizeof(kvj_params_t)},
    .open = kvj_open_bailian,
    .next = kvj_next,
    .reset = kvj_reset,
    .close = kvj_close,
    .hints = kvj_hints,
    .extension = NULL, /* JSON lines, like mooncake: name the format */
};
