/* SPDX-License-Identifier: MIT */
/*
 * agent_sessions_parse.c - the agent_sessions reader's parser: one conversation file (JSON,
 * plain or zstd) into a compacted conversation, whose sessions' first calls it queues for
 * the merge (agent_sessions.c holds the format's description, the merge and the replay).
 *
 * A session's entries are read in order, then its sub-agents' (depth-first, at most
 * AG_DEPTH_MAX levels); a call keeps only the ids its session's previous call lacks, and
 * the previous call's output blocks take the names of the ids that continue its prompt. A
 * malformed entry is recorded (file, JSON path, what was expected and what was found) and
 * dropped; a malformed file is one such record. Cost: O(ids) a call; memory: one JSON tree
 * while a file is parsed.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../sim/util/io.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/text.h"
#include "agent_sessions_internal.h"

#define AG_JPATH 192                         /* a JSON path in messages */
#define AG_FILE_MAX (1ull << 30)             /* bytes of JSON in one conversation */
#define AG_T_MAX 1e9                         /* seconds: times and durations (31 years) */
#define AG_TOKENS_MAX 1000000000ull          /* tokens of one prompt or output */
#define AG_DEPTH_MAX 32                      /* sub-agents within sub-agents */
#define AG_SALT UINT64_C(0x6167656e74736573) /* conversation salts of local ids */
#define AG_TOO_LONG "more than %llu bytes of JSON in one conversation"

/* ================================ helpers ================================ */

static uint64_t ag_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t ag_ns(double s)
{
    return (uint64_t)(s * 1e9 + 0.5); /* s <= AG_T_MAX */
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
__attribute__((format(printf, 5, 6))) static int
ag_bad(ts__ag_reader_t *k, const char *jp, const char *name, ts_err_t *err, const char *fmt, ...)
{
    ts_err_t *nb = ts__ag_grow(k->bad, &k->cap_bad, k->n_bad + 1, sizeof(*nb));
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
static int ag_seconds(ts__ag_reader_t *k, const json_t *o, const char *jp, const char *name,
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
static int ag_count(ts__ag_reader_t *k, const json_t *o, const char *jp, const char *name,
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

/* ================================ conversations ================================ */

/* A new session of cv; its index in *s. */
static int ag_sess_add(ts__ag_reader_t *k, ts__ag_conv_t *cv, uint64_t base_ns, uint32_t entry,
                       size_t *s, ts_err_t *err)
{
    ts__ag_sess_t *ns = ts__ag_grow(cv->sess, &cv->cap_sess, cv->n_sess + 1, sizeof(*ns));
    if (!ns)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the sessions of '%s'", k->file);
    cv->sess = ns;
    *s = cv->n_sess++;
    ts__ag_sess_t *ss = &cv->sess[*s];
    memset(ss, 0, sizeof(*ss));
    ss->base_ns = base_ns;
    ss->entry = entry;
    ss->stream = k->next_stream++;
    uint64_t conv_salt = ts_hash64(AG_SALT + cv->no);
    ss->salt = cv->scope == TS__AG_SCOPE_GLOBAL  ? 0
               : cv->scope == TS__AG_SCOPE_LOCAL ? conv_salt
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
static int ag_ids(ts__ag_reader_t *k, const json_t *e, const char *jp, uint64_t in, size_t *n_ids,
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
    uint64_t *nv = ts__ag_grow(k->cur_ids, &k->cap_cur, n, sizeof(*nv));
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
static int ag_call_entry(ts__ag_reader_t *k, ts__ag_conv_t *cv, ag_walk_t *w, const json_t *e,
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
    ts__ag_call_t *nc = ts__ag_grow(cv->call, &cv->cap_call, cv->n_call + 1, sizeof(*nc));
    if (nc)
        cv->call = nc;
    uint64_t *np =
        nc ? ts__ag_grow(cv->pool, &cv->cap_pool, cv->n_pool + (n - keep) + named, sizeof(*np))
           : NULL;
    if (!np)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the requests of '%s'", k->file);
    cv->pool = np;
    if (w->has_prev) { /* name the previous call's output blocks by this prompt's */
        ts__ag_call_t *pc = &cv->call[cv->n_call - 1];
        pc->n_named = (uint32_t)(named < pc->n_out ? named : pc->n_out);
        pc->out_first = cv->n_pool;
        if (pc->n_named)
            memcpy(cv->pool + cv->n_pool, k->cur_ids + p0, pc->n_named * sizeof(*cv->pool));
        cv->n_pool += pc->n_named;
    }
    ts__ag_call_t *c = &cv->call[cv->n_call++];
    memset(c, 0, sizeof(*c));
    c->t_ns = ag_add(cv->sess[w->s].base_ns, ag_ns(t));
    c->done_ns = api >= 0 ? ag_add(c->t_ns, ag_ns(api)) : c->t_ns;
    c->n_keep = (uint32_t)keep;
    c->n_new = (uint32_t)(n - keep);
    c->tokens_in = (uint32_t)in;
    c->tokens_out = (uint32_t)out;
    c->think_ns = ag_ns(think);
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
static int ag_subagent_entry(ts__ag_reader_t *k, ts__ag_conv_t *cv, ag_walk_t *w, const json_t *e,
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

static int ag_session(ts__ag_reader_t *k, ts__ag_conv_t *cv, size_t s, const json_t *reqs,
                      const char *jp, int depth, ts_err_t *err);

/* One entry of a session's requests. 0, 1 (bad) or < 0. */
static int ag_entry(ts__ag_reader_t *k, ts__ag_conv_t *cv, ag_walk_t *w, const json_t *e, size_t i,
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
static int ag_session(ts__ag_reader_t *k, ts__ag_conv_t *cv, size_t s, const json_t *reqs,
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
    if (src->n == 0 && got >= 3 && memcmp(buf, TS_TEXT_BOM, 3) == 0) {
        memmove(buf, (char *)buf + 3, (size_t)got - 3); /* a byte-order mark is not JSON */
        got -= 3;
        src->n += 3;
        if (got == 0)
            return ag_read(buf, len, data); /* 0 would end the input */
    }
    src->n += (uint64_t)got;
    if (src->n > AG_FILE_MAX) {
        src->rc = ts_err_set(&src->err, TS_EFORMAT, AG_TOO_LONG, AG_FILE_MAX);
        return (size_t)-1;
    }
    return (size_t)got;
}

/* Parses k->file into *root: 0; 1 when it is malformed (recorded); or < 0. */
static int ag_load(ts__ag_reader_t *k, json_t **root, ts_err_t *err)
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
    char shown[4 * JSON_ERROR_TEXT_LENGTH]; /* jansson's text can quote the input */
    return ag_bad(k, "", NULL, err, "invalid JSON at line %d, column %d: %s", jerr.line,
                  jerr.column, ts_text_shown(jerr.text, shown, sizeof(shown)));
}

/* The conversation's top level: block size, id scope, requests. 0, 1 (bad) or < 0. */
static int ag_top(ts__ag_reader_t *k, ts__ag_conv_t *cv, const json_t *root, ts_err_t *err)
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
    cv->scope = !sv            ? TS__AG_SCOPE_CONTEXT
                : sv[0] == 'g' ? TS__AG_SCOPE_GLOBAL
                               : TS__AG_SCOPE_LOCAL;
    size_t s;
    if ((rc = ag_sess_add(k, cv, ts__ag_start_ns(k, cv->no), 0, &s, err)) != 0)
        return rc;
    return ag_session(k, cv, s, reqs, "", 0, err);
}

int ts__ag_open_next(ts__ag_reader_t *k, ts_err_t *err)
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
    ts__ag_conv_t *cv = ts_calloc(1, sizeof(*cv));
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
            ts__ag_event_t ev = {.time_ns = cv->call[c].t_ns, .conv = cv, .call = c,
                                 .sess = (uint32_t)s, .phase = TS__AG_GET};
            if (ts__ag_push(k, ev, err))
                rc = TS_ENOMEM;
        }
    if (rc >= 0 && cv->pending) { /* a conversation and its sub-agents start */
        k->units.sessions++;
        k->units.subagents += cv->n_sess - 1;
    }
    if (rc < 0 || cv->pending == 0) /* an error, or nothing to replay */
        ts__ag_conv_free(k, cv);
    return rc < 0 ? rc : 0;
}
