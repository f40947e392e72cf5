/* SPDX-License-Identifier: MIT */
/*
 * csv.c - delimited-text traces: one request a line, columns chosen by parameters.
 *
 * Record layout (one line, fields split on `sep`, columns numbered from 0):
 *   columns.time    time since the trace start in `time_unit` (ns|us|ms|s, default s);
 *                   a decimal with an optional fraction ("12", "0.000250"), extra fraction
 *                   digits below 1 ns are truncated. -1 (absent): request i gets i units.
 *   columns.key     required. A decimal unsigned 64-bit integer is used as is; anything
 *                   else is hashed (64-bit FNV-1a, then the MurmurHash3 finaliser) when
 *                   key_hash is true, and refused otherwise.
 *   columns.size    bytes: a plain integer or a size with a unit ("4KiB"); -1 (absent):
 *                   every request has default_size.
 *   columns.op      get|read|r, put|set|write|w, delete|del|d (any case); -1: all gets.
 *   columns.stream  unsigned 32-bit stream id; -1: stream 0.
 * Fields may be quoted ("a,b" with "" for a quote) and are trimmed of blanks; a trailing CR
 * is dropped. Blank lines and lines whose first non-blank character is '#' are skipped;
 * with header=true the first other line is skipped too. A malformed line fails with
 * where = "path:line" and a message naming the column and what was found.
 * Cost: one pass over each byte; memory: a 64 KiB buffer that grows to the longest line
 * (at most 1 MiB).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../sim/ktab.h"
#include "../sim/mem.h"
#include "../sim/reader.h"
#include "../sim/units.h"

extern const ts_reader_ops_t ts_reader_csv;

#define CSV_PATH_MAX 1024
#define CSV_BUF_BYTES (64u * 1024u)
#define CSV_LINE_MAX (1024u * 1024u)
#define CSV_MAX_COLUMN 1023

enum csv_col { CSV_TIME, CSV_KEY, CSV_SIZE, CSV_OP, CSV_STREAM, CSV_NCOLS };

static const char *const k_csv_col_names[CSV_NCOLS] = {"time", "key", "size", "op", "stream"};

static const char *const k_csv_units[] = {"ns", "us", "ms", "s", NULL};
static const uint64_t k_csv_unit_ns[] = {1, 1000, 1000000, 1000000000};
static const int k_csv_unit_digits[] = {0, 3, 6, 9}; /* fraction digits that reach 1 ns */

typedef struct csv_params {
    char path[CSV_PATH_MAX]; /* trace file, relative to the scenario's directory */
    int64_t col[CSV_NCOLS];  /* 0-based column of each field, -1 = absent */
    bool has_header;         /* skip the first data line */
    char sep[8];             /* one character; "\t" or "tab" for a tab */
    int time_unit;           /* index into k_csv_units */
    uint64_t default_size;   /* bytes, when there is no size column */
    bool key_hash;           /* hash keys that are not decimal integers */
} csv_params_t;

#define CSV_COL_PARAM(name, idx, def, help)                                                        \
    {name, TS_PT_INT, offsetof(csv_params_t, col) + (idx) * sizeof(int64_t), 0, -1,               \
     CSV_MAX_COLUMN, def, help, NULL}

static const ts_param_spec_t k_csv_params[] = {
    {"path", TS_PT_STRING, offsetof(csv_params_t, path), CSV_PATH_MAX, 1, 0, NULL,
     "trace file (.csv)", NULL},
    CSV_COL_PARAM("columns.time", CSV_TIME, "0", "column of the time (-1: none)"),
    CSV_COL_PARAM("columns.key", CSV_KEY, "1", "column of the key (required)"),
    CSV_COL_PARAM("columns.size", CSV_SIZE, "2", "column of the size in bytes (-1: none)"),
    CSV_COL_PARAM("columns.op", CSV_OP, "-1", "column of the op (-1: all gets)"),
    CSV_COL_PARAM("columns.stream", CSV_STREAM, "-1", "column of the stream id (-1: 0)"),
    {"header", TS_PT_BOOL, offsetof(csv_params_t, has_header), 0, 1, 0, "false",
     "the first line names the columns", NULL},
    {"sep", TS_PT_STRING, offsetof(csv_params_t, sep), 8, 1, 0, ",",
     "field separator: one character, or \\t / tab", NULL},
    {"time_unit", TS_PT_ENUM, offsetof(csv_params_t, time_unit), 0, 1, 0, "s",
     "unit of the time column", k_csv_units},
    {"default_size", TS_PT_SIZE, offsetof(csv_params_t, default_size), 0, 0, -1, "4KiB",
     "object size when there is no size column", NULL},
    {"key_hash", TS_PT_BOOL, offsetof(csv_params_t, key_hash), 0, 1, 0, "true",
     "hash keys that are not decimal integers (else refuse them)", NULL},
};

typedef struct csv_reader {
    ts_reader_t base;         /* must be first */
    int fd;                   /* the open file */
    char *buf;                /* read buffer; [pos, len) not consumed yet */
    size_t cap, len, pos;     /* buffer size, bytes held, consumed bytes */
    bool is_eof;              /* read() returned 0 */
    bool has_header;          /* the first data line names the columns */
    bool is_header_pending;   /* the header line has not been skipped yet */
    uint64_t line;            /* number of the current line (1-based) */
    uint64_t n_returned;      /* requests returned since open/reset */
    int col[CSV_NCOLS];       /* columns, -1 = absent */
    int max_col;              /* highest column used */
    char **fields;            /* max_col + 1 field starts of the current line */
    char sep;                 /* separator */
    uint64_t unit_ns;         /* ns per time unit */
    int unit_digits;          /* fraction digits down to 1 ns */
    uint64_t default_size;    /* bytes */
    bool key_hash;            /* hash non-numeric keys */
    char path[2 * CSV_PATH_MAX]; /* resolved path, for messages */
} csv_reader_t;

static void csv_close(ts_reader_t *r)
{
    csv_reader_t *cr = (csv_reader_t *)r;
    if (!cr)
        return;
    if (cr->fd >= 0)
        close(cr->fd);
    ts_free(cr->buf);
    ts_free(cr->fields);
    ts_free(cr);
}

static int csv_parse_sep(const char *s, char *out, ts_err_t *err)
{
    if (strcmp(s, "\\t") == 0 || strcasecmp(s, "tab") == 0) {
        *out = '\t';
        return 0;
    }
    if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
        return ts_err_set(err, TS_EINVAL,
                          "sep must be one character other than a quote or newline, found '%s'",
                          s);
    *out = s[0];
    return 0;
}

static int csv_configure(csv_reader_t *cr, const csv_params_t *p, ts_err_t *err)
{
    if (!p->path[0])
        return ts_err_set(err, TS_EINVAL, "the csv reader needs a path");
    if (p->col[CSV_KEY] < 0)
        return ts_err_set(err, TS_EINVAL, "columns.key is required (a column index from 0)");
    cr->max_col = -1;
    for (int i = 0; i < CSV_NCOLS; i++) {
        cr->col[i] = (int)p->col[i];
        for (int j = 0; j < i; j++)
            if (cr->col[i] >= 0 && cr->col[i] == cr->col[j])
                return ts_err_set(err, TS_EINVAL, "columns.%s and columns.%s are both column %d",
                                  k_csv_col_names[j], k_csv_col_names[i], cr->col[i]);
        if (cr->col[i] > cr->max_col)
            cr->max_col = cr->col[i];
    }
    int rc = csv_parse_sep(p->sep, &cr->sep, err);
    if (rc)
        return rc;
    if (p->time_unit < 0 || p->time_unit > 3)
        return ts_err_set(err, TS_EINVAL, "time_unit %d is not a unit", p->time_unit);
    cr->unit_ns = k_csv_unit_ns[p->time_unit];
    cr->unit_digits = k_csv_unit_digits[p->time_unit];
    cr->default_size = p->default_size;
    cr->key_hash = p->key_hash;
    cr->has_header = p->has_header;
    cr->is_header_pending = p->has_header;
    return 0;
}

static int csv_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                    ts_err_t *err)
{
    const csv_params_t *p = params;
    *out = NULL;
    csv_reader_t *cr = ts_calloc(1, sizeof(*cr));
    if (!cr)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the csv reader");
    cr->base.ops = &ts_reader_csv;
    cr->fd = -1;
    int rc = csv_configure(cr, p, err);
    if (rc)
        goto fail;
    if ((rc = ts_reader_path(ctx, p->path, cr->path, sizeof(cr->path), err)))
        goto fail;
    cr->cap = CSV_BUF_BYTES;
    cr->buf = ts_malloc(cr->cap);
    cr->fields = ts_calloc((size_t)cr->max_col + 1, sizeof(char *));
    if (!cr->buf || !cr->fields) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the buffers of '%s'", cr->path);
        goto fail;
    }
    cr->fd = open(cr->path, O_RDONLY | O_CLOEXEC);
    if (cr->fd < 0) {
        int e = errno;
        rc = ts_err_sys(err, e == ENOENT ? TS_ENOENT : TS_EIO, e, "cannot open trace '%s'",
                        cr->path);
        goto fail;
    }
    *out = &cr->base;
    return 0;
fail:
    csv_close(&cr->base);
    return rc;
}

/* ---- line reading ---- */

/* Sets *line to the next line, NUL-terminated, without its '\n'. 1: a line; 0: end. */
static int csv_getline(csv_reader_t *cr, char **line, ts_err_t *err)
{
    for (;;) {
        char *nl = memchr(cr->buf + cr->pos, '\n', cr->len - cr->pos);
        if (nl || (cr->is_eof && cr->pos < cr->len)) {
            char *end = nl ? nl : cr->buf + cr->len; /* len < cap: room for the NUL */
            *end = 0;
            *line = cr->buf + cr->pos;
            cr->pos = (size_t)(end - cr->buf) + (nl != NULL);
            cr->line++;
            return 1;
        }
        if (cr->is_eof)
            return 0;
        if (cr->pos > 0) {
            memmove(cr->buf, cr->buf + cr->pos, cr->len - cr->pos);
            cr->len -= cr->pos;
            cr->pos = 0;
        }
        if (cr->len + 1 >= cr->cap) {
            if (cr->cap >= CSV_LINE_MAX) {
                ts_err_where(err, "%s:%llu", cr->path, (unsigned long long)cr->line + 1);
                return ts_err_set(err, TS_EFORMAT, "line is longer than %u bytes",
                                  CSV_LINE_MAX);
            }
            char *nb = ts_realloc(cr->buf, cr->cap * 2);
            if (!nb)
                return ts_err_set(err, TS_ENOMEM, "cannot grow the line buffer of '%s'",
                                  cr->path);
            cr->buf = nb;
            cr->cap *= 2;
        }
        ssize_t k = read(cr->fd, cr->buf + cr->len, cr->cap - 1 - cr->len);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            ts_err_where(err, "%s:%llu", cr->path, (unsigned long long)cr->line + 1);
            return ts_err_sys(err, TS_EIO, errno, "cannot read trace '%s'", cr->path);
        }
        if (k == 0)
            cr->is_eof = true;
        cr->len += (size_t)k;
    }
}

/* ---- field splitting and parsing ---- */

static bool csv_is_blank(char c, char sep)
{
    return (c == ' ' || c == '\t') && c != sep;
}

/* Reports "column N (name): what[, found 'x']" at path:line. */
static int csv_fail(csv_reader_t *cr, ts_err_t *err, int col, const char *what,
                    const char *found)
{
    ts_err_where(err, "%s:%llu", cr->path, (unsigned long long)cr->line);
    if (!found)
        return ts_err_set(err, TS_EFORMAT, "column %d (%s): %s", cr->col[col],
                          k_csv_col_names[col], what);
    return ts_err_set(err, TS_EFORMAT, "column %d (%s): %s, found '%.60s'", cr->col[col],
                      k_csv_col_names[col], what, found);
}

/* Splits line in place into fields 0..max_col; returns the number found (may stop early
 * once max_col is reached) or a negative error for a broken quote. */
static int csv_split(csv_reader_t *cr, char *p, ts_err_t *err)
{
    int n = 0;
    for (;;) {
        while (csv_is_blank(*p, cr->sep))
            p++;
        char *start, *end;
        if (*p == '"') {
            char *w = ++p;
            start = w;
            for (;;) {
                if (*p == 0) {
                    ts_err_where(err, "%s:%llu", cr->path, (unsigned long long)cr->line);
                    return ts_err_set(err, TS_EFORMAT, "column %d: unterminated quote", n);
                }
                if (*p == '"') {
                    if (p[1] != '"') {
                        p++;
                        break;
                    }
                    p++;
                }
                *w++ = *p++;
            }
            end = w;
            while (csv_is_blank(*p, cr->sep))
                p++;
            if (*p && *p != cr->sep) {
                ts_err_where(err, "%s:%llu", cr->path, (unsigned long long)cr->line);
                return ts_err_set(err, TS_EFORMAT,
                                  "column %d: unexpected '%c' after a quoted field", n, *p);
            }
        } else {
            start = p;
            while (*p && *p != cr->sep)
                p++;
            end = p;
            while (end > start && csv_is_blank(end[-1], cr->sep))
                end--;
        }
        bool has_more = *p == cr->sep;
        *end = 0;
        cr->fields[n++] = start;
        if (!has_more || n > cr->max_col)
            return n;
        p++;
    }
}

/* Decimal unsigned 64-bit integer, digits only. */
static bool csv_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* "12", "12.5", ".5" in units of unit_ns; fraction digits beyond 1 ns are truncated. */
static bool csv_parse_time(const char *s, uint64_t unit_ns, int digits, uint64_t *out)
{
    uint64_t ip = 0, frac = 0;
    int n_int = 0, n_frac = 0;
    for (; *s >= '0' && *s <= '9'; s++, n_int++) {
        unsigned d = (unsigned)(*s - '0');
        if (ip > (UINT64_MAX - d) / 10)
            return false;
        ip = ip * 10 + d;
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, n_frac++)
            if (n_frac < digits)
                frac = frac * 10 + (unsigned)(*s - '0');
    }
    if (*s || (n_int == 0 && n_frac == 0))
        return false;
    for (int i = n_frac; i < digits; i++)
        frac *= 10;
    if (ip > (UINT64_MAX - frac) / unit_ns)
        return false;
    *out = ip * unit_ns + frac;
    return true;
}

/* 64-bit FNV-1a over the bytes, then the MurmurHash3 finaliser to spread the bits. */
static uint64_t csv_hash_key(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return ts_hash64(h);
}

static int csv_parse_op(const char *s)
{
    static const struct {
        const char *name;
        int op;
    } k_ops[] = {
        {"get", TS_OP_GET},    {"read", TS_OP_GET},     {"r", TS_OP_GET},
        {"put", TS_OP_PUT},    {"set", TS_OP_PUT},      {"write", TS_OP_PUT},
        {"w", TS_OP_PUT},      {"delete", TS_OP_DELETE}, {"del", TS_OP_DELETE},
        {"d", TS_OP_DELETE},
    };
    for (size_t i = 0; i < sizeof(k_ops) / sizeof(k_ops[0]); i++)
        if (strcasecmp(s, k_ops[i].name) == 0)
            return k_ops[i].op;
    return -1;
}

/* Fills req from the split fields of the current line. */
static int csv_parse_fields(csv_reader_t *cr, int n_fields, ts_req_t *req, ts_err_t *err)
{
    for (int c = 0; c < CSV_NCOLS; c++)
        if (cr->col[c] >= n_fields) {
            char what[64];
            snprintf(what, sizeof(what), "missing (the line has %d column%s)", n_fields,
                     n_fields == 1 ? "" : "s");
            return csv_fail(cr, err, c, what, NULL);
        }
    memset(req, 0, sizeof(*req));
    req->next_access = TS_REQ_NEVER;

    const char *s = cr->fields[cr->col[CSV_KEY]];
    if (!csv_parse_u64(s, &req->key)) {
        if (!s[0])
            return csv_fail(cr, err, CSV_KEY, "empty key", NULL);
        if (!cr->key_hash)
            return csv_fail(cr, err, CSV_KEY,
                            "expected an unsigned integer key (set key_hash to hash others)", s);
        req->key = csv_hash_key(s);
    }
    if (cr->col[CSV_TIME] >= 0) {
        s = cr->fields[cr->col[CSV_TIME]];
        if (!csv_parse_time(s, cr->unit_ns, cr->unit_digits, &req->time_ns))
            return csv_fail(cr, err, CSV_TIME, "expected a non-negative time", s);
    } else {
        req->time_ns = cr->n_returned * cr->unit_ns;
    }
    if (cr->col[CSV_SIZE] >= 0) {
        s = cr->fields[cr->col[CSV_SIZE]];
        if (!csv_parse_u64(s, &req->size_bytes) && ts_parse_size(s, &req->size_bytes, NULL))
            return csv_fail(cr, err, CSV_SIZE, "expected a size", s);
    } else {
        req->size_bytes = cr->default_size;
    }
    if (cr->col[CSV_OP] >= 0) {
        s = cr->fields[cr->col[CSV_OP]];
        int op = csv_parse_op(s);
        if (op < 0)
            return csv_fail(cr, err, CSV_OP,
                            "expected get|read|r|put|set|write|w|delete|del|d", s);
        req->op = (uint8_t)op;
    }
    if (cr->col[CSV_STREAM] >= 0) {
        uint64_t v;
        s = cr->fields[cr->col[CSV_STREAM]];
        if (!csv_parse_u64(s, &v) || v > UINT32_MAX)
            return csv_fail(cr, err, CSV_STREAM, "expected a stream id from 0 to 4294967295",
                            s);
        req->stream = (uint32_t)v;
    }
    return 0;
}

static int csv_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    csv_reader_t *cr = (csv_reader_t *)r;
    for (;;) {
        char *line = NULL;
        int rc = csv_getline(cr, &line, err);
        if (rc <= 0)
            return rc;
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\r')
            line[n - 1] = 0;
        const char *q = line;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == 0 || *q == '#')
            continue;
        if (cr->is_header_pending) {
            cr->is_header_pending = false;
            continue;
        }
        int n_fields = csv_split(cr, line, err);
        if (n_fields < 0)
            return n_fields;
        if ((rc = csv_parse_fields(cr, n_fields, req, err)))
            return rc;
        cr->n_returned++;
        return 1;
    }
}

static int csv_reset(ts_reader_t *r, ts_err_t *err)
{
    csv_reader_t *cr = (csv_reader_t *)r;
    if (lseek(cr->fd, 0, SEEK_SET) < 0)
        return ts_err_sys(err, TS_EUNSUPPORTED, errno, "cannot rewind trace '%s'", cr->path);
    cr->len = cr->pos = 0;
    cr->is_eof = false;
    cr->line = 0;
    cr->n_returned = 0;
    cr->is_header_pending = cr->has_header;
    return 0;
}

const ts_reader_ops_t ts_reader_csv = {
    .abi = TS_READER_ABI,
    .name = "csv",
    .summary = "delimited text, one request a line, columns chosen by parameters",
    .flags = 0,
    .params = k_csv_params,
    .params_count = TS_PARAM_COUNT(k_csv_params),
    .params_size = sizeof(csv_params_t),
    .open = csv_open,
    .next = csv_next,
    .reset = csv_reset,
    .close = csv_close,
    .info = NULL,
};
