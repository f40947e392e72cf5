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
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/reader.h"
#include "../sim/models.h"
#include "../sim/util/io.h"

#define AG_PATH_MAX 1024
#define AG_FULL_MAX 2048                     /* a path resolved against the scenario's */
#define AG_JPATH 192                         /* a JSON path in messages */
#define AG_FILE_MAX (1ull << 30)             /* bytes of JSON in one conversation */
#define AG_T_MAX 1e9                         /* seconds: times and durations (31 years) */
#define AG_TOKENS_MAX 1000000000ull          /* tokens of one prompt or output */
#define AG_DEPTH_MAX 32                      /* sub-agents within sub-agents */
#define AG_SALT UINT64_C(0x6167656e74736573) /* conversation salts of local ids */
#define AG_OUT_SALT UINT64_C(0x6f75747075740002)
#define AG_TOO_LONG "more than %llu bytes of JSON in one conversation"

enum { AG_SCOPE_CONTEXT = 0, AG_SCOPE_LOCAL = 1, AG_SCOPE_GLOBAL = 2 };
enum { AG_GET = 0, AG_PUT = 1 }; /* phases of a call */

typedef struct ag_params {
    char path[AG_PATH_MAX];      /* a conversation file, or a directory of them */
    int model;                   /* index in ts_gen_model_names */
    uint64_t kv_bytes_per_token; /* 0: the model's */
    uint64_t block_tokens;       /* tokens per hash id; files must agree */
    bool write_output;           /* put the blocks decoding fills */
    uint64_t spacing_ns;         /* between conversation starts */
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
};

/* One LLM call of a session, compacted. */
typedef struct ag_call {
    uint64_t t_ns;      /* issue time, ns since the trace start */
    uint64_t done_ns;   /* completion: t + api_time (t when api_time is absent) */
    uint64_t first;     /* its new ids: pool[first, first + n_new) */
    uint64_t out_first; /* output blocks named by the next call: pool[out_first, + n_named) */
    uint32_t n_keep;    /* leading ids equal to the session's previous call's */
    uint32_t n_new;     /* ids after those */
    uint32_t n_out;     /* output blocks to put (write_output) */
    uint32_t n_named;   /* of those, named by ids of the session's next call */
} ag_call_t;

/* A session: the conversation (index 0) or a sub-agent. */
typedef struct ag_sess {
    uint64_t first_call; /* its calls: call[first_call, + n_calls), in time order */
    uint64_t n_calls;
    uint64_t salt;    /* added to a hash id before hashing (0: global ids) */
    uint64_t base_ns; /* what its t values are measured from (parsing only) */
    uint32_t entry;   /* its entry in the parent's requests (parsing only) */
    uint32_t stream;  /* stream id */
    uint64_t *ids;    /* the prompt of its latest call, rebuilt as it replays */
    uint32_t n_ids, cap_ids;
} ag_sess_t;

typedef struct ag_conv {
    ag_sess_t *sess;
    size_t n_sess, cap_sess;
    ag_call_t *call;
    size_t n_call, cap_call;
    uint64_t *pool; /* hash ids of the calls */
    size_t n_pool, cap_pool;
    uint64_t no;                 /* its number in the collection, from 0 */
    int scope;                   /* AG_SCOPE_* */
    size_t pending;              /* its events in the heap */
    struct ag_conv *prev, *next; /* the open conversations */
} ag_conv_t;

typedef struct ag_event {
    uint64_t time_ns;
    uint64_t seq; /* push order: ties */
    ag_conv_t *conv;
    uint64_t call;  /* index in conv->call */
    uint32_t sess;  /* index in conv->sess */
    uint32_t phase; /* AG_GET or AG_PUT */
} ag_event_t;

typedef struct ag_reader {
    ts_reader_t base; /* must be first */
    uint64_t block_bytes, block_tokens, spacing_ns;
    bool write_output;
    /* the collection */
    char dir[AG_FULL_MAX]; /* the directory; empty when path is one file */
    char **names;          /* files in name order (the path itself for one file) */
    size_t n_files;
    char file[AG_FULL_MAX + 258]; /* the file being parsed (dir/name), for messages */
    /* the merge */
    size_t next_file; /* next conversation to open */
    uint32_t next_stream;
    ag_event_t *heap;
    size_t n_heap, cap_heap;
    uint64_t seq;
    ag_conv_t *open; /* list of open conversations */
    /* malformed entries found by the last parse, returned one per next() */
    ts_err_t *bad;
    size_t n_bad, cap_bad, next_bad;
    /* parsing scratch: the previous and the current call's ids */
    uint64_t *prev_ids, *cur_ids;
    size_t n_prev, cap_prev, cap_cur;
    /* the request being expanded */
    ag_event_t x;      /* its call; x.conv NULL: none */
    uint64_t x_idle;   /* hint of its blocks */
    uint32_t x_j, x_n; /* next block, blocks */
} ag_reader_t;

extern const ts_reader_ops_t ts_reader_agent_sessions;

/* ================================ helpers ================================ */

static uint64_t ag_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t ag_ns(double s)
{
    return (uint64_t)(s * 1e9 + 0.5); /* s <= AG_T_MAX */
}

/* v grown to hold need elements of elem bytes (*cap updated), or NULL (v unchanged). */
static void *ag_grow(void *v, size_t *cap, size_t need, size_t elem)
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

/* When conversation no starts: no x spacing (saturating). */
static uint64_t ag_start_ns(const ag_reader_t *k, uint64_t no)
{
    return k->spacing_ns && no > UINT64_MAX / k->spacing_ns ? UINT64_MAX : no * k->spacing_ns;
}

/* What a JSON value is, for messages. */
static const char *ag_kind(const json_t *v, char *buf, size_t size)
{
    if (!v)
        return "nothing (the member is missing)";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        snprintf(buf, size, "\"%.40s\"", json_string_value(v));
        return buf;
    case JSON_INTEGER:
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    case JSON_REAL:
        snprintf(buf, size, "%.9g", json_real_value(v));
        return buf;
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* Records a malformed entry: "<file>: <jp>[.name]: <message>". Returns 1 (the entry is
 * dropped), or TS_ENOMEM. */
__attribute__((format(printf, 5, 6))) static int ag_bad(ag_reader_t *k, const char *jp,
                                                        const char *name, ts_err_t *err,
                                                        const char *fmt, ...)
{
    ts_err_t *nb = ag_grow(k->bad, &k->cap_bad, k->n_bad + 1, sizeof(*nb));
    if (!nb)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the errors of '%s'", k->file);
    k->bad = nb;
    ts_err_t *e = &k->bad[k->n_bad++];
    memset(e, 0, sizeof(*e));
    e->code = TS_EFORMAT;
    ts_err_where(e, "%s", k->file);
    int n = snprintf(e->msg, sizeof(e->msg), "%s%s%s%s", jp, *jp && name ? "." : "",
                     name ? name : "", *jp || name ? ": " : "");
    if (n >= 0 && (size_t)n < sizeof(e->msg)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg + n, sizeof(e->msg) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return 1;
}

/* Member name of o, a number of seconds in [0, AG_T_MAX]; optional: absent or null leaves
 * *out. 0, 1 (bad, recorded) or < 0. */
static int ag_seconds(ag_reader_t *k, const json_t *o, const char *jp, const char *name,
                      bool optional, double *out, ts_err_t *err)
{
    json_t *v = json_object_get(o, name);
    char b[64];
    if (optional && (!v || json_is_null(v)))
        return 0;
    if (!json_is_number(v) || json_number_value(v) < 0)
        return ag_bad(k, jp, name, err, "expected a non-negative number of seconds, found %s",
                      ag_kind(v, b, sizeof(b)));
    if (json_number_value(v) > AG_T_MAX)
        return ag_bad(k, jp, name, err, "%.9g s is beyond the limit of %.0f s",
                      json_number_value(v), AG_T_MAX);
    *out = json_number_value(v);
    return 0;
}

/* Member name of o, an integer in [0, max]. 0, 1 (bad, recorded) or < 0. */
static int ag_count(ag_reader_t *k, const json_t *o, const char *jp, const char *name,
                    uint64_t max, uint64_t *out, ts_err_t *err)
{
    json_t *v = json_object_get(o, name);
    char b[64];
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return ag_bad(k, jp, name, err, "expected a non-negative integer, found %s",
                      ag_kind(v, b, sizeof(b)));
    if ((uint64_t)json_integer_value(v) > max)
        return ag_bad(k, jp, name, err, "%" JSON_INTEGER_FORMAT " is beyond the limit of %llu",
                      json_integer_value(v), (unsigned long long)max);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

/* ================================ the heap ================================ */

static bool ag_before(const ag_event_t *a, const ag_event_t *b)
{
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
}

static int ag_push(ag_reader_t *k, ag_event_t ev, ts_err_t *err)
{
    ag_event_t *nh = ag_grow(k->heap, &k->cap_heap, k->n_heap + 1, sizeof(*nh));
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

static ag_event_t ag_pop(ag_reader_t *k)
{
    ag_event_t top = k->heap[0], last = k->heap[--k->n_heap];
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

static void ag_conv_free(ag_reader_t *k, ag_conv_t *cv)
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

/* A new session of cv; its index in *s. */
static int ag_sess_add(ag_reader_t *k, ag_conv_t *cv, uint64_t base_ns, uint32_t entry,
                       size_t *s, ts_err_t *err)
{
    ag_sess_t *ns = ag_grow(cv->sess, &cv->cap_sess, cv->n_sess + 1, sizeof(*ns));
    if (!ns)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the sessions of '%s'", k->file);
    cv->sess = ns;
    *s = cv->n_sess++;
    ag_sess_t *ss = &cv->sess[*s];
    memset(ss, 0, sizeof(*ss));
    ss->base_ns = base_ns;
    ss->entry = entry;
    ss->stream = k->next_stream++;
    uint64_t conv_salt = ts_hash64(AG_SALT + cv->no);
    ss->salt = cv->scope == AG_SCOPE_GLOBAL  ? 0
               : cv->scope == AG_SCOPE_LOCAL ? conv_salt
                                              : ts_hash64(conv_salt + *s + 1);
    return 0;
}

/* Where a session's parsing stands. */
typedef struct ag_walk {
    size_t s;         /* the session */
    int depth;        /* 0: the conversation */
    bool has_prev;    /* it has a call already */
    double prev_t;    /* that call's t */
    uint64_t prev_in; /* and its input tokens */
} ag_walk_t;

/* Reads the hash ids of an entry into k->cur_ids. 0, 1 (bad) or < 0. */
static int ag_ids(ag_reader_t *k, const json_t *e, const char *jp, uint64_t in, size_t *n_ids,
                  ts_err_t *err)
{
    json_t *ids = json_object_get(e, "hash_ids");
    char b[64];
    if (!json_is_array(ids))
        return ag_bad(k, jp, "hash_ids", err, "expected an array of block ids, found %s",
                      ag_kind(ids, b, sizeof(b)));
    size_t n = json_array_size(ids);
    uint64_t most = in / k->block_tokens + (in % k->block_tokens != 0);
    if (n > most)
        return ag_bad(k, jp, "hash_ids", err,
                      "%zu block ids for %llu input tokens (at most %llu of %llu tokens)", n,
                      (unsigned long long)in, (unsigned long long)most,
                      (unsigned long long)k->block_tokens);
    uint64_t *nv = ag_grow(k->cur_ids, &k->cap_cur, n, sizeof(*nv));
    if (!nv)
        return ts_err_set(err, TS_ENOMEM, "cannot hold %zu block ids", n);
    k->cur_ids = nv;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(ids, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            char name[32];
            snprintf(name, sizeof(name), "hash_ids[%zu]", i);
            return ag_bad(k, jp, name, err, "expected a non-negative integer, found %s",
                          ag_kind(v, b, sizeof(b)));
        }
        k->cur_ids[i] = (uint64_t)json_integer_value(v);
    }
    *n_ids = n;
    return 0;
}

/* An LLM call entry of session w->s. 0 (added), 1 (bad, dropped) or < 0. */
static int ag_call_entry(ag_reader_t *k, ag_conv_t *cv, ag_walk_t *w, const json_t *e,
                         const char *jp, ts_err_t *err)
{
    double t = 0, api = -1, think = 0;
    uint64_t in = 0, out = 0;
    size_t n = 0;
    int rc = ag_seconds(k, e, jp, "t", false, &t, err);
    if (rc == 0)
        rc = ag_count(k, e, jp, "in", AG_TOKENS_MAX, &in, err);
    if (rc == 0)
        rc = ag_count(k, e, jp, "out", AG_TOKENS_MAX, &out, err);
    if (rc == 0)
        rc = ag_seconds(k, e, jp, "api_time", true, &api, err);
    if (rc == 0) /* the gap before this call: t - (previous t + api_time); checked only */
        rc = ag_seconds(k, e, jp, "think_time", true, &think, err);
    if (rc == 0 && w->has_prev && t < w->prev_t)
        rc = ag_bad(k, jp, "t", err, "%.9g s is before the session's previous request (%.9g s)",
                    t, w->prev_t);
    if (rc == 0)
        rc = ag_ids(k, e, jp, in, &n, err);
    if (rc)
        return rc;
    /* the prompt shares n_keep leading blocks with the previous call */
    size_t keep = 0;
    while (w->has_prev && keep < n && keep < k->n_prev && k->cur_ids[keep] == k->prev_ids[keep])
        keep++;
    size_t named = 0, p0 = w->has_prev ? (size_t)(w->prev_in / k->block_tokens) : 0;
    if (w->has_prev && keep >= p0 && n > p0) /* it continues the previous prompt */
        named = n - p0;
    ag_call_t *nc = ag_grow(cv->call, &cv->cap_call, cv->n_call + 1, sizeof(*nc));
    if (nc)
        cv->call = nc;
    uint64_t *np = nc ? ag_grow(cv->pool, &cv->cap_pool, cv->n_pool + (n - keep) + named,
                                sizeof(*np))
                      : NULL;
    if (!np)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the requests of '%s'", k->file);
    cv->pool = np;
    if (w->has_prev) { /* name the previous call's output blocks by this prompt's */
        ag_call_t *pc = &cv->call[cv->n_call - 1];
        pc->n_named = (uint32_t)(named < pc->n_out ? named : pc->n_out);
        pc->out_first = cv->n_pool;
        if (pc->n_named)
            memcpy(cv->pool + cv->n_pool, k->cur_ids + p0, pc->n_named * sizeof(*cv->pool));
        cv->n_pool += pc->n_named;
    }
    ag_call_t *c = &cv->call[cv->n_call++];
    memset(c, 0, sizeof(*c));
    c->t_ns = ag_add(cv->sess[w->s].base_ns, ag_ns(t));
    c->done_ns = api >= 0 ? ag_add(c->t_ns, ag_ns(api)) : c->t_ns;
    c->n_keep = (uint32_t)keep;
    c->n_new = (uint32_t)(n - keep);
    c->first = cv->n_pool;
    memcpy(cv->pool + cv->n_pool, k->cur_ids + keep, (n - keep) * sizeof(*cv->pool));
    cv->n_pool += n - keep;
    uint64_t b = k->block_tokens;
    c->n_out = k->write_output ? (uint32_t)((in + out) / b - in / b) : 0;
    /* this prompt becomes the previous one */
    uint64_t *tmp = k->prev_ids;
    k->prev_ids = k->cur_ids;
    k->cur_ids = tmp;
    size_t cap = k->cap_prev;
    k->cap_prev = k->cap_cur;
    k->cap_cur = cap;
    k->n_prev = n;
    w->has_prev = true;
    w->prev_t = t;
    w->prev_in = in;
    return 0;
}

/* A sub-agent entry (entry i) of session w->s: a new session whose entries are read after
 * its parent's. Its requests' t count from the spawn when the first is below the spawn t
 * (older captures start at 0), else from the parent's origin. 0, 1 (bad) or < 0. */
static int ag_subagent_entry(ag_reader_t *k, ag_conv_t *cv, ag_walk_t *w, const json_t *e,
                             size_t i, const char *jp, ts_err_t *err)
{
    double spawn = 0;
    char b[64];
    int rc = ag_seconds(k, e, jp, "t", false, &spawn, err);
    json_t *reqs = json_object_get(e, "requests");
    if (rc == 0 && !json_is_array(reqs))
        rc = ag_bad(k, jp, "requests", err, "expected an array of requests, found %s",
                    ag_kind(reqs, b, sizeof(b)));
    if (rc == 0 && w->depth + 1 > AG_DEPTH_MAX)
        rc = ag_bad(k, jp, NULL, err, "sub-agents nested deeper than %d levels", AG_DEPTH_MAX);
    if (rc)
        return rc;
    json_t *t0 = json_object_get(json_array_get(reqs, 0), "t");
    uint64_t base = cv->sess[w->s].base_ns;
    if (json_is_number(t0) && json_number_value(t0) < spawn)
        base = ag_add(base, ag_ns(spawn));
    size_t s;
    return ag_sess_add(k, cv, base, (uint32_t)i, &s, err);
}

static int ag_session(ag_reader_t *k, ag_conv_t *cv, size_t s, const json_t *reqs,
                      const char *jp, int depth, ts_err_t *err);

/* One entry of a session's requests. 0, 1 (bad) or < 0. */
static int ag_entry(ag_reader_t *k, ag_conv_t *cv, ag_walk_t *w, const json_t *e, size_t i,
                    const char *jp, ts_err_t *err)
{
    char b[64];
    if (!json_is_object(e))
        return ag_bad(k, jp, NULL, err, "expected an object (a request), found %s",
                      ag_kind(e, b, sizeof(b)));
    const char *type = json_string_value(json_object_get(e, "type"));
    if (type && strcmp(type, "subagent") == 0)
        return ag_subagent_entry(k, cv, w, e, i, jp, err);
    if (type && (strcmp(type, "s") == 0 || strcmp(type, "n") == 0))
        return ag_call_entry(k, cv, w, e, jp, err);
    return ag_bad(k, jp, "type", err, "expected \"s\", \"n\" or \"subagent\", found %s",
                  ag_kind(json_object_get(e, "type"), b, sizeof(b)));
}

/* Reads session s's entries (reqs, at JSON path jp): its calls, then its sub-agents'. */
static int ag_session(ag_reader_t *k, ag_conv_t *cv, size_t s, const json_t *reqs,
                      const char *jp, int depth, ts_err_t *err)
{
    ag_walk_t w = {.s = s, .depth = depth};
    size_t first_child = cv->n_sess, n = json_array_size(reqs);
    cv->sess[s].first_call = cv->n_call;
    k->n_prev = 0;
    char ep[AG_JPATH];
    for (size_t i = 0; i < n; i++) {
        snprintf(ep, sizeof(ep), "%s%srequests[%zu]", jp, *jp ? "." : "", i);
        int rc = ag_entry(k, cv, &w, json_array_get(reqs, i), i, ep, err);
        if (rc < 0)
            return rc;
    }
    cv->sess[s].n_calls = cv->n_call - cv->sess[s].first_call;
    for (size_t c = first_child, end = cv->n_sess; c < end; c++) {
        uint32_t i = cv->sess[c].entry;
        snprintf(ep, sizeof(ep), "%s%srequests[%u]", jp, *jp ? "." : "", i);
        json_t *sub = json_object_get(json_array_get(reqs, i), "requests");
        int rc = ag_session(k, cv, c, sub, ep, depth + 1, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

typedef struct ag_src {
    ts_zin_t z;
    uint64_t n; /* bytes read */
    int rc;     /* a read error, described in err */
    ts_err_t err;
} ag_src_t;

static size_t ag_read(void *buf, size_t len, void *data)
{
    ag_src_t *src = data;
    ssize_t got = ts_zin_read(&src->z, buf, len, &src->err);
    if (got < 0) {
        src->rc = (int)got;
        return (size_t)-1;
    }
    src->n += (uint64_t)got;
    if (src->n > AG_FILE_MAX) {
        src->rc = ts_err_set(&src->err, TS_EFORMAT, AG_TOO_LONG, AG_FILE_MAX);
        return (size_t)-1;
    }
    return (size_t)got;
}

/* Parses k->file into *root: 0; 1 when it is malformed (recorded); or < 0. */
static int ag_load(ag_reader_t *k, json_t **root, ts_err_t *err)
{
    ag_src_t src = {.rc = 0};
    *root = NULL;
    int rc = ts_zin_open(&src.z, k->file, err);
    if (rc)
        return rc;
    struct stat st; /* a plain file too long fails before parsing; zstd input as it is read */
    if (!src.z.is_zstd && fstat(src.z.fd, &st) == 0 && (uint64_t)st.st_size > AG_FILE_MAX) {
        ts_zin_close(&src.z);
        return ag_bad(k, "", NULL, err, AG_TOO_LONG, AG_FILE_MAX);
    }
    json_error_t jerr;
    *root = json_load_callback(ag_read, &src, JSON_REJECT_DUPLICATES, &jerr);
    ts_zin_close(&src.z);
    if (*root)
        return 0;
    if (src.rc == TS_EFORMAT) /* too long, or damaged zstd data: a bad file */
        return ag_bad(k, "", NULL, err, "%s", src.err.msg);
    if (src.rc) {
        if (err && err->code == 0)
            *err = src.err;
        return src.rc;
    }
    return ag_bad(k, "", NULL, err, "invalid JSON at line %d, column %d: %s", jerr.line,
                  jerr.column, jerr.text);
}

/* The conversation's top level: block size, id scope, requests. 0, 1 (bad) or < 0. */
static int ag_top(ag_reader_t *k, ag_conv_t *cv, const json_t *root, ts_err_t *err)
{
    char b[64];
    if (!json_is_object(root))
        return ag_bad(k, "", NULL, err, "expected a JSON object (a conversation), found %s",
                      ag_kind(root, b, sizeof(b)));
    uint64_t bs = 0;
    int rc = ag_count(k, root, "", "block_size", AG_TOKENS_MAX, &bs, err);
    if (rc == 0 && bs != k->block_tokens)
        rc = ag_bad(k, "", "block_size", err,
                    "%llu tokens per hash id, but block_tokens is %llu (set it to %llu)",
                    (unsigned long long)bs, (unsigned long long)k->block_tokens,
                    (unsigned long long)bs);
    json_t *scope = json_object_get(root, "hash_id_scope");
    if (json_is_null(scope)) /* as if absent */
        scope = NULL;
    const char *sv = json_string_value(scope);
    if (rc == 0 && scope && !(sv && (strcmp(sv, "global") == 0 || strcmp(sv, "local") == 0)))
        rc = ag_bad(k, "", "hash_id_scope", err, "expected \"global\" or \"local\", found %s",
                    ag_kind(scope, b, sizeof(b)));
    json_t *reqs = json_object_get(root, "requests");
    if (rc == 0 && !json_is_array(reqs))
        rc = ag_bad(k, "", "requests", err, "expected an array of requests, found %s",
                    ag_kind(reqs, b, sizeof(b)));
    if (rc)
        return rc;
    cv->scope = !sv ? AG_SCOPE_CONTEXT : sv[0] == 'g' ? AG_SCOPE_GLOBAL : AG_SCOPE_LOCAL;
    size_t s;
    if ((rc = ag_sess_add(k, cv, ag_start_ns(k, cv->no), 0, &s, err)) != 0)
        return rc;
    return ag_session(k, cv, s, reqs, "", 0, err);
}

/* Parses conversation k->next_file and queues the first call of each of its sessions.
 * Malformed entries are recorded in k->bad; a malformed file is one of them. 0 or < 0. */
static int ag_open_next(ag_reader_t *k, ts_err_t *err)
{
    size_t no = k->next_file++;
    int n = k->dir[0] ? snprintf(k->file, sizeof(k->file), "%s/%s", k->dir, k->names[no])
                      : snprintf(k->file, sizeof(k->file), "%s", k->names[no]);
    if (n < 0 || (size_t)n >= sizeof(k->file))
        return ts_err_set(err, TS_ERANGE, "the path of '%s' is too long", k->names[no]);
    k->n_bad = k->next_bad = 0;
    json_t *root;
    int rc = ag_load(k, &root, err);
    if (rc)
        return rc > 0 ? 0 : rc;
    ag_conv_t *cv = ts_calloc(1, sizeof(*cv));
    if (!cv) {
        json_decref(root);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a conversation");
    }
    cv->no = no;
    cv->next = k->open;
    if (k->open)
        k->open->prev = cv;
    k->open = cv;
    rc = ag_top(k, cv, root, err);
    json_decref(root);
    for (size_t s = 0; rc >= 0 && s < cv->n_sess; s++)
        if (cv->sess[s].n_calls) {
            uint64_t c = cv->sess[s].first_call;
            ag_event_t ev = {.time_ns = cv->call[c].t_ns, .conv = cv, .call = c,
                             .sess = (uint32_t)s, .phase = AG_GET};
            if (ag_push(k, ev, err))
                rc = TS_ENOMEM;
        }
    if (rc < 0 || cv->pending == 0) /* an error, or nothing to replay */
        ag_conv_free(k, cv);
    return rc < 0 ? rc : 0;
}

/* ================================ replay ================================ */

/* Starts expanding the call of ev: its gets (rebuilding the session's prompt) or its puts;
 * queues what follows it. 0 or TS_ENOMEM. */
static int ag_start(ag_reader_t *k, ag_event_t ev, ts_err_t *err)
{
    ag_conv_t *cv = ev.conv;
    ag_sess_t *ss = &cv->sess[ev.sess];
    const ag_call_t *c = &cv->call[ev.call];
    bool has_next = ev.call + 1 < ss->first_call + ss->n_calls;
    uint64_t at = ev.phase == AG_GET ? c->t_ns : c->done_ns;
    uint64_t next_t = has_next ? cv->call[ev.call + 1].t_ns : 0;
    k->x = ev;
    k->x_j = 0;
    k->x_idle = !has_next ? UINT64_MAX : next_t > at ? next_t - at : 0;
    if (ev.phase == AG_PUT) {
        k->x_n = c->n_out;
        return 0;
    }
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
        ag_event_t nx = {.time_ns = next_t, .conv = cv, .call = ev.call + 1, .sess = ev.sess,
                         .phase = AG_GET};
        rc = ag_push(k, nx, err);
    }
    if (rc == 0 && c->n_out) {
        ag_event_t put = {.time_ns = c->done_ns, .conv = cv, .call = ev.call,
                          .sess = ev.sess, .phase = AG_PUT};
        rc = ag_push(k, put, err);
    }
    return rc;
}

/* Block x_j of the call being expanded. */
static void ag_block(ag_reader_t *k, ts_req_t *req)
{
    const ag_conv_t *cv = k->x.conv;
    const ag_sess_t *ss = &cv->sess[k->x.sess];
    const ag_call_t *c = &cv->call[k->x.call];
    uint32_t j = k->x_j++;
    memset(req, 0, sizeof(*req));
    req->size_bytes = k->block_bytes;
    req->next_access = TS_REQ_NEVER;
    req->stream = ss->stream;
    req->flags = TS_REQ_KV | TS_REQ_HINT;
    req->idle_ns = k->x_idle;
    if (k->x.phase == AG_GET) {
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
    ag_reader_t *k = (ag_reader_t *)r;
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
            ag_conv_free(k, k->x.conv); /* its last call is out */
        k->x.conv = NULL;
        if (k->next_file < k->n_files &&
            (k->n_heap == 0 || ag_start_ns(k, k->next_file) <= k->heap[0].time_ns)) {
            int rc = ag_open_next(k, err);
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
static void ag_clear(ag_reader_t *k)
{
    while (k->open)
        ag_conv_free(k, k->open);
    k->n_heap = 0;
    k->seq = 0;
    k->next_file = 0;
    k->next_stream = 1;
    k->n_bad = k->next_bad = 0;
    k->x.conv = NULL;
    k->x_j = k->x_n = 0;
}

static int ag_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    ag_clear((ag_reader_t *)r);
    return 0;
}

static void ag_close(ts_reader_t *r)
{
    ag_reader_t *k = (ag_reader_t *)r;
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

static int ag_add_name(ag_reader_t *k, size_t *cap, const char *name, ts_err_t *err)
{
    char **nn = ag_grow(k->names, cap, k->n_files + 1, sizeof(*nn));
    if (!nn)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the file names of '%s'", k->dir);
    k->names = nn;
    if (!(k->names[k->n_files] = ts_strdup(name)))
        return ts_err_set(err, TS_ENOMEM, "cannot hold the file names of '%s'", k->dir);
    k->n_files++;
    return 0;
}

/* The files of the collection: path itself, or a directory's trace files in name order. */
static int ag_list(ag_reader_t *k, const char *path, ts_err_t *err)
{
    struct stat st;
    size_t cap = 0;
    if (stat(path, &st) != 0)
        return ts_err_sys(err, errno == ENOENT ? TS_ENOENT : TS_EIO, errno, "cannot open '%s'",
                          path);
    if (!S_ISDIR(st.st_mode))
        return ag_add_name(k, &cap, path, err);
    snprintf(k->dir, sizeof(k->dir), "%s", path); /* fits: both AG_FULL_MAX */
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
    ag_reader_t *k = ts_calloc(1, sizeof(*k));
    if (!k)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the trace reader");
    k->base.ops = &ts_reader_agent_sessions;
    k->block_tokens = p->block_tokens;
    k->write_output = p->write_output;
    k->spacing_ns = p->spacing_ns;
    k->next_stream = 1;
    const ts_model_t *m = ts_gen_model_at((size_t)p->model);
    uint64_t per_token = p->kv_bytes_per_token ? p->kv_bytes_per_token
                                               : ts_gen_model_kv_bytes_per_token(m, 0);
    k->block_bytes = per_token * p->block_tokens;
    char path[AG_FULL_MAX];
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

const ts_reader_ops_t ts_reader_agent_sessions = {
    .abi = TS_READER_ABI,
    .name = "agent_sessions",
    .summary = "Claude Code agent-session traces (kv-cache-tester): JSON conversations with "
               "sub-agents and KV block hash ids",
    .flags = 0,
    .params = k_ag_params,
    .params_count = TS_PARAM_COUNT(k_ag_params),
    .params_size = sizeof(ag_params_t),
    .open = ag_open,
    .next = ag_next,
    .reset = ag_reset,
    .close = ag_close,
    .info = NULL,
};
