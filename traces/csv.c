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
 * The file may be zstd-compressed (recognised by its magic; sim/util/text.c reads it).
 * Cost: one pass over each byte; memory: a 64 KiB buffer that grows to the longest line
 * (at most 1 MiB).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../sim/util/mem.h"
#include "../sim/reader.h"
#include "../sim/util/units.h"
#include "../sim/util/text.h"

extern const ts_reader_ops_t ts_reader_csv;

#define CSV_PATH_MAX 1024
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
    ts_text_t text;          /* lines of the file (plain or zstd) */
    bool has_header;          /* the first data line names the columns */
    bool is_header_pending;   /* the header line has not been skipped yet */
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
    ts_text_close(&cr->text);
    ts_free(cr->fields);
    ts_free(cr);
}

static int csv_parse_sep(const char *s, char *out, ts_err_t *err)
{
    if (strcmp(s, "\\t") == 0 || strcasecmp(s, "tab") == 0) {
        *out = '\t';
        return 0;
    }
    char shown[TS_TEXT_SHOWN];
    if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
        return ts_err_set(err, TS_EINVAL,
                          "sep must be one character other than a quote or newline, found '%s'",
                          ts_text_shown(s, shown, sizeof(shown)));
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
    int rc = csv_configure(cr, p, err);
    if (rc)
        goto fail;
    if ((rc = ts_reader_path(ctx, p->path, cr->path, sizeof(cr->path), err)))
        goto fail;
    cr->fields = ts_calloc((size_t)cr->max_col + 1, sizeof(char *));
    if (!cr->fields) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the buffers of '%s'", cr->path);
        goto fail;
    }
    if ((rc = ts_text_open(&cr->text, cr->path, err)))
        goto fail;
    *out = &cr->base;
    return 0;
fail:
    csv_close(&cr->base);
    return rc;
}

/* ---- field splitting and parsing ---- */

/* Reports "column N (name): what[, found 'x']" at path:line. */
static int csv_fail(csv_reader_t *cr, ts_err_t *err, int col, const char *what,
                    const char *found)
{
    ts_err_where(err, "%s:%llu", cr->path, (unsigned long long)cr->text.line);
    if (!found)
        return ts_err_set(err, TS_EFORMAT, "column %d (%s): %s", cr->col[col],
                          k_csv_col_names[col], what);
    char shown[TS_TEXT_SHOWN];
    return ts_err_set(err, TS_EFORMAT, "column %d (%s): %s, found '%s'", cr->col[col],
                      k_csv_col_names[col], what, ts_text_shown(found, shown, sizeof(shown)));
}

/* "12", "12.5", ".5" in units of unit_ns; fraction digits beyond 1 ns are truncated.
 * Returns 0, CSV_TIME_BAD (not such a number) or CSV_TIME_RANGE (2^64 ns or more). */
enum { CSV_TIME_BAD = 1, CSV_TIME_RANGE = 2 };
static int csv_parse_time(const char *s, uint64_t unit_ns, int digits, uint64_t *out)
{
    uint64_t ip = 0, frac = 0;
    int n_int = 0, n_frac = 0;
    bool is_big = false; /* the whole part alone passes 2^64 */
    for (; *s >= '0' && *s <= '9'; s++, n_int++) {
        unsigned d = (unsigned)(*s - '0');
        if (ip > (UINT64_MAX - d) / 10)
            is_big = true;
        else
            ip = ip * 10 + d;
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, n_frac++)
            if (n_frac < digits)
                frac = frac * 10 + (unsigned)(*s - '0');
    }
    if (*s || (n_int == 0 && n_frac == 0))
        return CSV_TIME_BAD;
    for (int i = n_frac; i < digits; i++)
        frac *= 10;
    if (is_big || ip > (UINT64_MAX - frac) / unit_ns)
        return CSV_TIME_RANGE;
    *out = ip * unit_ns + frac;
    return 0;
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
    if (!ts_text_u64(s, &req->key)) {
        if (!s[0])
            return csv_fail(cr, err, CSV_KEY, "empty key", NULL);
        if (!cr->key_hash)
            return csv_fail(cr, err, CSV_KEY,
                            "expected an unsigned integer key (set key_hash to hash others)", s);
        req->key = ts_text_hash(s);
    }
    if (cr->col[CSV_TIME] >= 0) {
        s = cr->fields[cr->col[CSV_TIME]];
        int bad = csv_parse_time(s, cr->unit_ns, cr->unit_digits, &req->time_ns);
        if (bad)
            return csv_fail(cr, err, CSV_TIME,
                            bad == CSV_TIME_RANGE
                                ? "expected a time below 2^64 ns (584 years)"
                                : "expected a non-negative time",
                            s);
    } else {
        req->time_ns = cr->n_returned * cr->unit_ns;
    }
    if (cr->col[CSV_SIZE] >= 0) {
        s = cr->fields[cr->col[CSV_SIZE]];
        int bad = 0;
        if (!ts_text_u64(s, &req->size_bytes))
            bad = ts_parse_size(s, &req->size_bytes, NULL);
        if (bad)
            return csv_fail(cr, err, CSV_SIZE,
                            bad == TS_ERANGE && s[0] != '-'
                                ? "expected a size below 2^64 bytes"
                                : "expected a size",
                            s);
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
        if (!ts_text_u64(s, &v) || v > UINT32_MAX)
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
        int rc = ts_text_next(&cr->text, &line, err);
        if (rc <= 0)
            return rc;
        if (cr->is_header_pending) {
            cr->is_header_pending = false;
            continue;
        }
        int n_fields = ts_text_split(&cr->text, line, cr->sep, cr->fields, cr->max_col + 1, err);
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
    int rc = ts_text_rewind(&cr->text, err);
    if (rc)
        return rc;
    cr->n_returned = 0;
    cr->is_header_pending = cr->has_header;
    return 0;
}

const ts_reader_ops_t ts_reader_csv = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "csv",
             .summary = "delimited text, one request a line, columns chosen by parameters",
             .params = k_csv_params,
             .params_count = TS_PARAM_COUNT(k_csv_params),
             .params_size = sizeof(csv_params_t)},
    .open = csv_open,
    .next = csv_next,
    .reset = csv_reset,
    .close = csv_close,
    .extension = ".csv",
};
