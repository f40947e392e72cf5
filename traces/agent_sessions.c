/* SPDX-License-Identifier: MIT */
/*
 * agent_sessions.c - Claude Code agent-session traces with KV block hashes (kv-cache-tester,
 * github.com/callanjfox/kv-cache-tester, traces/): one JSON document per conversation,
 *   {"block_size": tokens per hash id, "hash_id_scope": "global" | "local" (optional),
 *    "requests": [entry, ...], ...}
 *   entry: {"t": s, "type": "s" | "n", "in": tokens, "out": tokens, "hash_ids": [ids],
 *           "api_time": s (optional), "think_time": s (optional), ...}
 *      or  {"t": spawn s, "type": "subagent", "requests": [entry, ...], ...} (nests)
 * path is one file or a directory (its *.json and *.json.zst files in name order);
 * conversation c starts at c x spacing. Every session (the conversation and each sub-agent)
 * is a stream that replays its LLM calls in order: a call at time T gets its prompt blocks
 * (one KV get per hash id, the last ending its TTFT group) and, with write_output, puts the
 * blocks its output fills at T + api_time, named by the session's next call where that call
 * holds them. Hints: idle_ns = the session's next call - the request's time; UINT64_MAX
 * after its last call. docs/trace-format.md gives the time, key and hint rules.
 * Merge: a heap of the pending calls of open conversations (ties in push order); a file is
 * parsed when the replay reaches its start and freed after its last call. Memory: the open
 * conversations, compacted (a call keeps only the ids its predecessor lacks), one JSON tree
 * while a file is parsed, and the file names. Cost: O(log pending) a call, O(1) a block.
 * This file lists the collection, merges and replays; agent_sessions_parse.c parses a file.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_cdf.h>

#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/reader.h"
#include "../sim/models.h"
#include "agent_sessions_internal.h"

#define AG_PATH_MAX 1024
#define AG_OUT_SALT UINT64_C(0x6f75747075740002)

typedef struct ag_params {
    char path[AG_PATH_MAX];      /* a conversation file, or a directory of them */
    int model;                   /* index in ts_gen_model_names */
    uint64_t kv_bytes_per_token; /* 0: the model's */
    uint64_t block_tokens;       /* tokens per hash id; files must agree */
    bool write_output;           /* put the blocks decoding fills */
    uint64_t spacing_ns;         /* between conversation starts */
    double hint_noise;           /* lognormal sigma of the idle hints' error (0: exact) */
} ag_params_t;

#define AG_P(f) offsetof(ag_params_t, f)

static const ts_param_spec_t k_ag_params[] = {
    {"path", TS_PT_STRING, AG_P(path), AG_PATH_MAX, 1, 0, NULL,
     "a conversation file (JSON, plain or .zst) or a directory of them", NULL},
    {"model", TS_PT_ENUM, AG_P(model), 0, 1, 0, "llama-3.1-70b",
     "model preset whose KV bytes per token size the blocks (tiersim list models)",
     ts_gen_model_names},
    {"kv_bytes_per_token", TS_PT_SIZE, AG_P(kv_bytes_per_token), 0, 0, 1e9, "0",
     "KV bytes per token; 0: the model's", NULL},
    {"block_tokens", TS_PT_COUNT, AG_P(block_tokens), 0, 1, 1e6, "64",
     "tokens per hash id (the traces' block_size, 64; a file that differs is an error)", NULL},
    {"write_output", TS_PT_BOOL, AG_P(write_output), 0, 1, 0, "false",
     "put the KV blocks that decoding fills, when the call completes", NULL},
    {"spacing", TS_PT_DURATION, AG_P(spacing_ns), 0, 0, 8.64e15, "0",
     "time between conversation starts (the n-th file, from 0, starts at n x spacing)", NULL},
    {"hint_noise", TS_PT_DOUBLE, AG_P(hint_noise), 0, 0, 10, "0",
     "lognormal sigma of the error of each call's idle hint (0: exact, the trace's own time "
     "to the session's next call: an oracle)",
     NULL},
};

extern const ts_reader_ops_t ts_reader_agent_sessions;

/* ================================ helpers ================================ */

void *ts__ag_grow(void *v, size_t *cap, size_t need, size_t elem)
{
    if (v && need <= *cap)
        return v;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *nv = ts_realloc(v, n * elem);
    if (nv)
        *cap = n;
    return nv;
}

uint64_t ts__ag_start_ns(const ts__ag_reader_t *k, uint64_t no)
{
    return k->spacing_ns && no > UINT64_MAX / k->spacing_ns ? UINT64_MAX : no * k->spacing_ns;
}

/* ================================ the heap ================================ */

static bool ag_before(const ts__ag_event_t *a, const ts__ag_event_t *b)
{
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
}

int ts__ag_push(ts__ag_reader_t *k, ts__ag_event_t ev, ts_err_t *err)
{
    ts__ag_event_t *nh = ts__ag_grow(k->heap, &k->cap_heap, k->n_heap + 1, sizeof(*nh));
    if (!nh)
        return ts_err_set(err, TS_ENOMEM, "cannot grow the queue of pending calls");
    k->heap = nh;
    ev.seq = k->seq++;
    size_t i = k->n_heap++;
    while (i > 0 && ag_before(&ev, &k->heap[(i - 1) / 2])) {
        k->heap[i] = k->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    k->heap[i] = ev;
    ev.conv->pending++;
    return 0;
}

static ts__ag_event_t ag_pop(ts__ag_reader_t *k)
{
    ts__ag_event_t top = k->heap[0], last = k->heap[--k->n_heap];
    size_t i = 0, n = k->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ag_before(&k->heap[c + 1], &k->heap[c]))
            c++;
        if (!ag_before(&k->heap[c], &last))
            break;
        k->heap[i] = k->heap[c];
        i = c;
    }
    if (n)
        k->heap[i] = last;
    top.conv->pending--;
    return top;
}

/* ================================ conversations ================================ */

void ts__ag_conv_free(ts__ag_reader_t *k, ts__ag_conv_t *cv)
{
    if (!cv)
        return;
    if (cv->prev)
        cv->prev->next = cv->next;
    else if (k->open == cv)
        k->open = cv->next;
    if (cv->next)
        cv->next->prev = cv->prev;
    for (size_t i = 0; i < cv->n_sess; i++)
        ts_free(cv->sess[i].ids);
    ts_free(cv->sess);
    ts_free(cv->call);
    ts_free(cv->pool);
    ts_free(cv);
}

/* ================================ replay ================================ */

/* idle x exp(sigma z) with z standard normal drawn from (seed, stream, call) alone, so a
 * call's gets and puts share their error, the hint does not depend on the order the merge
 * reaches the call in, and a reset or a rerun with the seed gives the same. Saturates below
 * UINT64_MAX (the end marker). */
static uint64_t ag_noisy(const ts__ag_reader_t *k, uint32_t stream, uint64_t call, uint64_t idle)
{
    uint64_t h = ts_hash64(k->seed ^ ts_hash64(((uint64_t)stream << 32) ^ call));
    double u = ((double)(h >> 11) + 0.5) * 0x1p-53; /* (0, 1) */
    double f = exp(k->hint_noise * gsl_cdf_ugaussian_Pinv(u)), v = (double)idle * f;
    return v < 1.8e19 ? (uint64_t)llround(v) : UINT64_MAX - 1;
}

/* Starts expanding the call of ev: its gets (rebuilding the session's prompt) or its puts;
 * queues what follows it. 0 or TS_ENOMEM. */
static int ag_start(ts__ag_reader_t *k, ts__ag_event_t ev, ts_err_t *err)
{
    ts__ag_conv_t *cv = ev.conv;
    ts__ag_sess_t *ss = &cv->sess[ev.sess];
    const ts__ag_call_t *c = &cv->call[ev.call];
    bool has_next = ev.call + 1 < ss->first_call + ss->n_calls;
    uint64_t at = ev.phase == TS__AG_GET ? c->t_ns : c->done_ns;
    uint64_t next_t = has_next ? cv->call[ev.call + 1].t_ns : 0;
    k->x = ev;
    k->x_j = 0;
    k->x_idle = !has_next ? UINT64_MAX : next_t > at ? next_t - at : 0;
    if (has_next && k->hint_noise > 0) /* the hint as a forecast: off by a lognormal factor */
        k->x_idle = ag_noisy(k, ss->stream, ev.call, k->x_idle);
    if (ev.phase == TS__AG_PUT) {
        k->x_n = c->n_out;
        return 0;
    }
    ts_reader_units_t *u = &k->units; /* a call starts */
    u->llm_requests++;
    u->tokens_in += c->tokens_in;
    u->tokens_out += c->tokens_out;
    u->tokens += (uint64_t)c->tokens_in + c->tokens_out;
    u->model_ns += c->done_ns - c->t_ns;
    u->think_ns += c->think_ns;
    uint32_t n = c->n_keep + c->n_new;
    if (n > ss->cap_ids) {
        uint64_t *v = ts_realloc(ss->ids, (size_t)n * sizeof(*v));
        if (!v)
            return ts_err_set(err, TS_ENOMEM, "cannot hold %u block ids", n);
        ss->ids = v;
        ss->cap_ids = n;
    }
    if (c->n_new)
        memcpy(ss->ids + c->n_keep, cv->pool + c->first, c->n_new * sizeof(*ss->ids));
    ss->n_ids = n;
    k->x_n = n;
    int rc = 0;
    if (has_next) {
        ts__ag_event_t nx = {.time_ns = next_t, .conv = cv, .call = ev.call + 1,
                             .sess = ev.sess, .phase = TS__AG_GET};
        rc = ts__ag_push(k, nx, err);
    }
    if (rc == 0 && c->n_out) {
        ts__ag_event_t put = {.time_ns = c->done_ns, .conv = cv, .call = ev.call,
                              .sess = ev.sess, .phase = TS__AG_PUT};
        rc = ts__ag_push(k, put, err);
    }
    return rc;
}

/* Block x_j of the call being expanded. */
static void ag_block(ts__ag_reader_t *k, ts_req_t *req)
{
    const ts__ag_conv_t *cv = k->x.conv;
    const ts__ag_sess_t *ss = &cv->sess[k->x.sess];
    const ts__ag_call_t *c = &cv->call[k->x.call];
    uint32_t j = k->x_j++;
    memset(req, 0, sizeof(*req));
    req->size_bytes = k->block_bytes;
    req->next_access = TS_REQ_NEVER;
    req->stream = ss->stream;
    req->flags = TS_REQ_KV | TS_REQ_HINT;
    req->idle_ns = k->x_idle;
    if (k->x.phase == TS__AG_GET) {
        req->time_ns = c->t_ns;
        req->op = TS_OP_GET;
        req->key = ts_hash64(ss->ids[j] + ss->salt);
        if (k->x_j == k->x_n) /* the call's prompt reads end: its TTFT group */
            req->flags |= TS_REQ_GROUP_END;
        return;
    }
    req->time_ns = c->done_ns;
    req->op = TS_OP_PUT;
    if (j < c->n_named)
        req->key = ts_hash64(cv->pool[c->out_first + j] + ss->salt);
    else /* the session has no next call that holds it: a name of its own */
        req->key = ts_hash64(ts_hash64(AG_OUT_SALT + cv->no) + k->x.call * 0x9e3779b97f4a7c15ULL +
                             j);
}

static int ag_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    ts__ag_reader_t *k = (ts__ag_reader_t *)r;
    for (;;) {
        if (k->next_bad < k->n_bad) { /* a malformed entry of the file just parsed */
            if (err && err->code == 0)
                *err = k->bad[k->next_bad];
            k->next_bad++;
            return TS_EFORMAT;
        }
        if (k->x.conv && k->x_j < k->x_n) {
            ag_block(k, req);
            return 1;
        }
        if (k->x.conv && k->x.conv->pending == 0)
            ts__ag_conv_free(k, k->x.conv); /* its last call is out */
        k->x.conv = NULL;
        if (k->next_file < k->n_files &&
            (k->n_heap == 0 || ts__ag_start_ns(k, k->next_file) <= k->heap[0].time_ns)) {
            int rc = ts__ag_open_next(k, err);
            if (rc)
                return rc;
            continue;
        }
        if (k->n_heap == 0)
            return 0;
        int rc = ag_start(k, ag_pop(k), err);
        if (rc)
            return rc;
    }
}

/* Back to the state after open: no conversation open, nothing pending. */
static void ag_clear(ts__ag_reader_t *k)
{
    while (k->open)
        ts__ag_conv_free(k, k->open);
    k->n_heap = 0;
    k->seq = 0;
    k->next_file = 0;
    k->next_stream = 1;
    k->n_bad = k->next_bad = 0;
    k->x.conv = NULL;
    k->x_j = k->x_n = 0;
    memset(&k->units, 0, sizeof(k->units));
}

static void ag_units(const ts_reader_t *r, ts_reader_units_t *out)
{
    *out = ((const ts__ag_reader_t *)r)->units;
}

static int ag_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    ag_clear((ts__ag_reader_t *)r);
    return 0;
}

static void ag_close(ts_reader_t *r)
{
    ts__ag_reader_t *k = (ts__ag_reader_t *)r;
    if (!k)
        return;
    ag_clear(k);
    for (size_t i = 0; i < k->n_files; i++)
        ts_free(k->names[i]);
    ts_free(k->names);
    ts_free(k->heap);
    ts_free(k->bad);
    ts_free(k->prev_ids);
    ts_free(k->cur_ids);
    ts_free(k);
}

/* ================================ open ================================ */

static bool ag_is_trace(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".json") == 0) ||
           (n > 9 && strcmp(name + n - 9, ".json.zst") == 0);
}

static int ag_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ag_add_name(ts__ag_reader_t *k, size_t *cap, const char *name, ts_err_t *err)
{
    char **nn = ts__ag_grow(k->names, cap, k->n_files + 1, sizeof(*nn));
    if (!nn)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the file names of '%s'", k->dir);
    k->names = nn;
    if (!(k->names[k->n_files] = ts_strdup(name)))
        return ts_err_set(err, TS_ENOMEM, "cannot hold the file names of '%s'", k->dir);
    k->n_files++;
    return 0;
}

/* The files of the collection: path itself, or a directory's trace files in name order. */
static int ag_list(ts__ag_reader_t *k, const char *path, ts_err_t *err)
{
    struct stat st;
    size_t cap = 0;
    if (stat(path, &st) != 0)
        return ts_err_sys(err, errno == ENOENT ? TS_ENOENT : TS_EIO, errno, "cannot open '%s'",
                          path);
    if (!S_ISDIR(st.st_mode))
        return ag_add_name(k, &cap, path, err);
    snprintf(k->dir, sizeof(k->dir), "%s", path); /* fits: both TS__AG_FULL_MAX */
    DIR *d = opendir(path);
    if (!d)
        return ts_err_sys(err, TS_EIO, errno, "cannot read the directory '%s'", path);
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d)) != NULL;) {
        if (!ag_is_trace(de->d_name))
            continue;
        snprintf(k->file, sizeof(k->file), "%s/%s", path, de->d_name);
        if (stat(k->file, &st) == 0 && S_ISREG(st.st_mode))
            rc = ag_add_name(k, &cap, de->d_name, err);
    }
    closedir(d);
    if (rc == 0 && k->n_files == 0)
        rc = ts_err_set(err, TS_ENOENT, "no conversation files (*.json, *.json.zst) in '%s'",
                        path);
    if (rc == 0)
        qsort(k->names, k->n_files, sizeof(*k->names), ag_cmp_names);
    return rc;
}

static int ag_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                   ts_err_t *err)
{
    const ag_params_t *p = params;
    *out = NULL;
    ts__ag_reader_t *k = ts_calloc(1, sizeof(*k));
    if (!k)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the trace reader");
    k->base.ops = &ts_reader_agent_sessions;
    k->block_tokens = p->block_tokens;
    k->write_output = p->write_output;
    k->spacing_ns = p->spacing_ns;
    k->hint_noise = p->hint_noise;
    k->seed = ctx ? ctx->seed : 0;
    k->next_stream = 1;
    const ts_model_t *m = ts_gen_model_at((size_t)p->model);
    uint64_t per_token = p->kv_bytes_per_token ? p->kv_bytes_per_token
                                               : ts_gen_model_kv_bytes_per_token(m, 0);
    k->block_bytes = per_token * p->block_tokens;
    char path[TS__AG_FULL_MAX];
    int rc = ts_reader_path(ctx, p->path, path, sizeof(path), err);
    if (rc == 0)
        rc = ag_list(k, path, err);
    if (rc) {
        ag_close(&k->base);
        return rc;
    }
    *out = &k->base;
    return 0;
}

/* The model preset sizing the blocks, and the block size. */
static void ag_hints(const void *params, ts_reader_hints_t *out)
{
    const ag_params_t *p = params;
    out->model = ts_gen_model_names[p->model];
    out->block_tokens = p->block_tokens;
    out->idle_hints_exact = p->hint_noise == 0;
}

const ts_reader_ops_t ts_reader_agent_sessions = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "agent_sessions",
             .summary = "Claude Code agent-session traces (kv-cache-tester): a JSON file per "
                        "conversation, or a directory of them",
             .params = k_ag_params,
             .params_count = TS_PARAM_COUNT(k_ag_params),
             .params_size = sizeof(ag_params_t)},
    .open = ag_open,
    .next = ag_next,
    .reset = ag_reset,
    .close = ag_close,
    .hints = ag_hints,
    .units = ag_units,
    .extension = NULL, /* plain .json, and often a directory: name the format */
};
