/* SPDX-License-Identifier: MIT */
/*
 * twitter.c - Twitter's production cache traces (github.com/twitter/cache-trace): CSV, one
 * request a line, usually zstd-compressed:
 *     timestamp,anonymized key,key size,value size,client id,operation,TTL
 * Mapping (documented in docs/trace-format.md):
 *   timestamp   seconds -> time_ns
 *   key         a decimal is the key itself, other text is hashed (sim/util/text.c)
 *   size        key size + value size (as libCacheSim counts an object), or the value size
 *               alone with `size: value`
 *   client id   stream (a decimal up to 2^32-1, other text hashed to 32 bits)
 *   operation   get, gets -> get; set, add, replace, cas, append, prepend, incr, decr -> put;
 *               delete -> delete; anything else is an error naming the line
 *   TTL         seconds; above 0, the request carries it (TS_REQ_TTL, idle_ns in ns) for
 *               the policies that judge by expiry (ttl); 0 or empty: none
 * A malformed line fails with where = "path:line" and a message naming the column.
 * Cost: one pass over each byte; memory: the line buffer of sim/util/text.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../sim/util/mem.h"
#include "../sim/reader.h"
#include "../sim/util/text.h"

#define TWR_PATH_MAX 1024
#define TWR_FIELDS 7

enum { TWR_TIME, TWR_KEY, TWR_KSIZE, TWR_VSIZE, TWR_CLIENT, TWR_OP, TWR_TTL };

static const char *const k_twr_cols[TWR_FIELDS] = {
    "timestamp", "key", "key size", "value size", "client id", "operation", "TTL"};

static const char *const k_twr_sizes[] = {"key+value", "value", NULL};

typedef struct twr_params {
    char path[TWR_PATH_MAX]; /* trace file, relative to the scenario's directory */
    int size;                /* 0: key + value size, 1: value size */
} twr_params_t;

static const ts_param_spec_t k_twr_params[] = {
    {"path", TS_PT_STRING, offsetof(twr_params_t, path), TWR_PATH_MAX, 1, 0, NULL,
     "trace file (plain or .zst)", NULL},
    {"size", TS_PT_ENUM, offsetof(twr_params_t, size), 0, 1, 0, "key+value",
     "an object's size: key size + value size, or the value size alone", k_twr_sizes},
};

typedef struct twr_reader {
    ts_reader_t base; /* must be first */
    ts_text_t text;  /* lines of the file */
    bool value_only;  /* size = value size */
    char *fields[TWR_FIELDS];
    char path[2 * TWR_PATH_MAX];
} twr_reader_t;

extern const ts_reader_ops_t ts_reader_twitter;

static void twr_close(ts_reader_t *r)
{
    twr_reader_t *t = (twr_reader_t *)r;
    if (!t)
        return;
    ts_text_close(&t->text);
    ts_free(t);
}

static int twr_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                    ts_err_t *err)
{
    const twr_params_t *p = params;
    *out = NULL;
    twr_reader_t *t = ts_calloc(1, sizeof(*t));
    if (!t)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the twitter reader");
    t->base.ops = &ts_reader_twitter;
    t->value_only = p->size == 1;
    int rc = ts_reader_path(ctx, p->path, t->path, sizeof(t->path), err);
    if (rc == 0)
        rc = ts_text_open(&t->text, t->path, err);
    if (rc) {
        ts_free(t);
        return rc;
    }
    *out = &t->base;
    return 0;
}

static int twr_fail(const twr_reader_t *t, ts_err_t *err, int col, const char *what,
                    const char *found)
{
    ts_err_where(err, "%s:%llu", t->path, (unsigned long long)t->text.line);
    char shown[TS_TEXT_SHOWN];
    return ts_err_set(err, TS_EFORMAT, "column %d (%s): %s, found '%s'", col,
                      k_twr_cols[col], what, ts_text_shown(found, shown, sizeof(shown)));
}

static int twr_op(const char *s)
{
    static const struct {
        const char *name;
        int op;
    } k_ops[] = {
        {"get", TS_OP_GET},      {"gets", TS_OP_GET},   {"set", TS_OP_PUT},
        {"add", TS_OP_PUT},      {"replace", TS_OP_PUT}, {"cas", TS_OP_PUT},
        {"append", TS_OP_PUT},   {"prepend", TS_OP_PUT}, {"incr", TS_OP_PUT},
        {"decr", TS_OP_PUT},     {"delete", TS_OP_DELETE},
    };
    for (size_t i = 0; i < sizeof(k_ops) / sizeof(k_ops[0]); i++)
        if (strcasecmp(s, k_ops[i].name) == 0)
            return k_ops[i].op;
    return -1;
}

static int twr_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    twr_reader_t *t = (twr_reader_t *)r;
    char *line;
    int rc = ts_text_next(&t->text, &line, err);
    if (rc <= 0)
        return rc;
    int n = ts_text_split(&t->text, line, ',', t->fields, TWR_FIELDS, err);
    if (n < 0)
        return n;
    if (n < TWR_FIELDS) {
        ts_err_where(err, "%s:%llu", t->path, (unsigned long long)t->text.line);
        return ts_err_set(err, TS_EFORMAT,
                          "expected 7 columns (timestamp, key, key size, value size, client "
                          "id, operation, TTL), found %d",
                          n);
    }
    char **f = t->fields;
    uint64_t ts, ks, vs, client;
    if (!ts_text_u64(f[TWR_TIME], &ts) || ts > UINT64_MAX / 1000000000u)
        return twr_fail(t, err, TWR_TIME, "expected whole seconds", f[TWR_TIME]);
    if (!f[TWR_KEY][0])
        return twr_fail(t, err, TWR_KEY, "expected a key", f[TWR_KEY]);
    if (!ts_text_u64(f[TWR_KSIZE], &ks))
        return twr_fail(t, err, TWR_KSIZE, "expected a size in bytes", f[TWR_KSIZE]);
    if (!ts_text_u64(f[TWR_VSIZE], &vs) || vs > UINT64_MAX - ks)
        return twr_fail(t, err, TWR_VSIZE, "expected a size in bytes", f[TWR_VSIZE]);
    int op = twr_op(f[TWR_OP]);
    if (op < 0)
        return twr_fail(t, err, TWR_OP,
                        "expected get|gets|set|add|replace|cas|append|prepend|incr|decr|delete",
                        f[TWR_OP]);
    uint64_t ttl = 0;
    if (f[TWR_TTL][0] && (!ts_text_u64(f[TWR_TTL], &ttl) || ttl > UINT64_MAX / 1000000000u))
        return twr_fail(t, err, TWR_TTL, "expected whole seconds", f[TWR_TTL]);
    memset(req, 0, sizeof(*req));
    req->time_ns = ts * 1000000000u;
    if (ttl) {
        req->flags = TS_REQ_TTL;
        req->idle_ns = ttl * 1000000000u;
    }
    if (!ts_text_u64(f[TWR_KEY], &req->key))
        req->key = ts_text_hash(f[TWR_KEY]);
    req->size_bytes = t->value_only ? vs : ks + vs;
    if (ts_text_u64(f[TWR_CLIENT], &client) && client <= UINT32_MAX)
        req->stream = (uint32_t)client;
    else
        req->stream = (uint32_t)ts_text_hash(f[TWR_CLIENT]);
    req->op = (uint8_t)op;
    req->next_access = TS_REQ_NEVER;
    return 1;
}

static int twr_reset(ts_reader_t *r, ts_err_t *err)
{
    return ts_text_rewind(&((twr_reader_t *)r)->text, err);
}

const ts_reader_ops_t ts_reader_twitter = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "twitter",
             .summary = "Twitter cache-cluster traces: CSV timestamp,key,key size,value "
                        "size,client,op,TTL",
             .params = k_twr_params,
             .params_count = TS_PARAM_COUNT(k_twr_params),
             .params_size = sizeof(twr_params_t)},
    .open = twr_open,
    .next = twr_next,
    .reset = twr_reset,
    .close = twr_close,
    .extension = NULL, /* published as clusterN.M(.zst): name the format */
};
