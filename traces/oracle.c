/* SPDX-License-Identifier: MIT */
/*
 * oracle.c - libCacheSim's oracleGeneral binary trace: reader and writer, plain or zstd.
 *
 * Layout (no header; every integer little-endian; 24-byte records, packed):
 *   @0  u32 real_time          seconds (the trace's own clock, not relative)
 *   @4  u64 obj_id             object id (already a hash in the public traces)
 *   @12 u32 obj_size           bytes
 *   @16 i64 next_access_vtime  1-based index of the next request to obj_id, -1 if none
 * The public collections ship it zstd-compressed (`.oracleGeneral.zst`, `.bin.zst`): the
 * reader recognises the zstd frame magic and decompresses as it streams (sim/util/io.c).
 * Reading: time_ns = real_time x 1e9, key = obj_id, size = obj_size, op get; as libCacheSim
 * does, requests of size 0 are skipped unless skip_zero_size is false; next_access_vtime is
 * not used (tiersim computes next accesses itself when a policy needs them). Records are
 * read in chunks (read(2) copies a page-cached file about three times faster than
 * faulting in a mapping of it on the machines measured) and decoded a block at a time.
 * Writing: time in whole seconds (truncated), puts written as plain requests (the format
 * has no op), deletes refused; finish() fills next_access_vtime with one backward pass over
 * the written records (memory: 32 to 64 bytes per distinct key), then, when the path ends
 * in ".zst", compresses them. Cost: O(1) per record, constant memory when reading.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../sim/future.h"
#include "../sim/util/mem.h"
#include "../sim/reader.h"
#include "../sim/util/io.h"
#include "../sim/util/le.h"

#define OG_RECORD 24
#define OG_CHUNK 4096 /* records per read or write */
#define OG_PATH_MAX 1024
#define OG_WHAT "trace"
#define OG_ZSTD_LEVEL 3 /* zstd's default: fast, about 3x on these records */

/* ================================ reader ================================ */

typedef struct og_params {
    char path[OG_PATH_MAX]; /* trace file, relative to the scenario's directory */
    bool skip_zero_size;    /* drop requests of size 0, as libCacheSim does */
} og_params_t;

static const ts_param_spec_t k_og_params[] = {
    {"path", TS_PT_STRING, offsetof(og_params_t, path), OG_PATH_MAX, 1, 0, NULL,
     "trace file (.oracleGeneral, optionally .zst-compressed)", NULL},
    {"skip_zero_size", TS_PT_BOOL, offsetof(og_params_t, skip_zero_size), 0, 1, 0, "true",
     "skip requests of size 0 (libCacheSim does)", NULL},
};

typedef struct og_reader {
    ts_reader_t base;     /* must be first */
    ts_zin_t in;         /* the file, decompressed when it is zstd */
    bool skip_zero_size;
    uint64_t index;       /* records read so far */
    unsigned char *buf;   /* records read ahead */
    size_t len, pos;      /* valid bytes in buf, next record's offset */
    size_t cut;           /* bytes of a record cut short after buf's, to report next */
    char path[2 * OG_PATH_MAX];
} og_reader_t;

static void og_close(ts_reader_t *r)
{
    og_reader_t *o = (og_reader_t *)r;
    if (!o)
        return;
    if (o->buf) /* the stream is open */
        ts_zin_close(&o->in);
    ts_free(o->buf);
    ts_free(o);
}

extern const ts_reader_ops_t ts_reader_oracle_general;
extern const ts_writer_ops_t ts_writer_oracle_general;

static int og_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                   ts_err_t *err)
{
    const og_params_t *p = params;
    *out = NULL;
    og_reader_t *o = ts_calloc(1, sizeof(*o));
    if (!o)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the oracleGeneral reader");
    o->base.ops = &ts_reader_oracle_general;
    o->skip_zero_size = p->skip_zero_size;
    int rc = ts_reader_path(ctx, p->path, o->path, sizeof(o->path), err);
    if (rc) {
        ts_free(o);
        return rc;
    }
    if ((rc = ts_zin_open(&o->in, o->path, err)) != 0) {
        ts_free(o);
        return rc;
    }
    if (!(o->buf = ts_malloc(OG_RECORD * OG_CHUNK))) {
        ts_zin_close(&o->in);
        ts_free(o);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the oracleGeneral reader");
    }
    *out = &o->base;
    return 0;
}

/* Decodes the record at p into req (false: a zero-size request to skip). */
static inline bool og_decode(const og_reader_t *o, const unsigned char *p, ts_req_t *req)
{
    uint64_t size = ts_get_le32(p + 12);
    if (size == 0 && o->skip_zero_size)
        return false;
    *req = (ts_req_t){.time_ns = ts_get_le32(p) * UINT64_C(1000000000),
                      .key = ts_get_le64(p + 4),
                      .size_bytes = size,
                      .next_access = TS_REQ_NEVER,
                      .op = TS_OP_GET};
    return true;
}

/* The error of a trace whose last record is cut short after whole records. */
static int og_truncated(const og_reader_t *o, size_t tail, ts_err_t *err)
{
    ts_err_where(err, "%s: record %llu", o->path, (unsigned long long)o->index);
    return ts_err_set(err, TS_EFORMAT,
                      "truncated record: %zu of %d bytes (the trace ends inside a record)",
                      tail, OG_RECORD);
}

/* Reads the next records into o->buf: 1, 0 at the end, or an error (a read error, or a
 * record cut short at the end of the trace). */
static int og_more(og_reader_t *o, ts_err_t *err)
{
    if (o->cut) {
        size_t tail = o->cut;
        o->cut = 0;
        return og_truncated(o, tail, err);
    }
    ssize_t got = ts_zin_read(&o->in, o->buf, OG_RECORD * OG_CHUNK, err);
    if (got < 0) {
        ts_err_where(err, "%s: record %llu", o->path, (unsigned long long)o->index);
        return (int)got;
    }
    if (got == 0)
        return 0;
    /* Whole records first; a record cut short is reported once they are read. */
    o->len = (size_t)got / OG_RECORD * OG_RECORD;
    o->pos = 0;
    o->cut = (size_t)got % OG_RECORD;
    return o->len ? 1 : og_more(o, err);
}

static int og_next_batch(ts_reader_t *r, ts_req_t *reqs, size_t max, size_t *got,
                         ts_err_t *err)
{
    og_reader_t *o = (og_reader_t *)r;
    size_t n = 0;
    int rc = 0;
    while (n < max) {
        if (o->len - o->pos < OG_RECORD) {
            rc = og_more(o, err);
            if (rc <= 0)
                break;
            rc = 0;
        }
        size_t end = o->pos + (max - n) * OG_RECORD;
        if (end > o->len)
            end = o->len;
        for (; o->pos < end; o->pos += OG_RECORD) {
            o->index++;
            n += og_decode(o, o->buf + o->pos, &reqs[n]);
        }
    }
    *got = n;
    return rc;
}

static int og_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    size_t got;
    int rc = og_next_batch(r, req, 1, &got, err);
    return rc < 0 ? rc : (int)got;
}

static int og_reset(ts_reader_t *r, ts_err_t *err)
{
    og_reader_t *o = (og_reader_t *)r;
    o->index = 0;
    o->len = o->pos = o->cut = 0;
    return ts_zin_rewind(&o->in, err);
}

const ts_reader_ops_t ts_reader_oracle_general = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "oracle_general",
             .summary = "libCacheSim oracleGeneral binary (24-byte records), plain or "
                        "zstd-compressed",
             .params = k_og_params,
             .params_count = TS_PARAM_COUNT(k_og_params),
             .params_size = sizeof(og_params_t)},
    .open = og_open,
    .next = og_next,
    .next_batch = og_next_batch,
    .reset = og_reset,
    .close = og_close,
    .writer = &ts_writer_oracle_general,
    .extension = ".oracleGeneral",
    .magic = NULL, /* no header; a zstd magic says nothing of what is inside */
};

/* ================================ writer ================================ */

typedef struct og_writer {
    ts_writer_t base;    /* must be first */
    ts_afile_t raw;     /* the records (the output itself unless compressing) */
    ts_afile_t out;     /* the compressed output (is_zstd) */
    bool is_zstd;        /* the path ends in ".zst" */
    bool is_done;        /* finish() ran (well or not): only destroy() remains */
    uint64_t n;          /* records written */
    unsigned char *buf;  /* pending records */
    size_t len;          /* pending bytes */
} og_writer_t;

static void og_destroy(ts_writer_t *base)
{
    og_writer_t *w = (og_writer_t *)base;
    if (!w)
        return;
    ts_afile_discard(&w->raw);
    ts_afile_discard(&w->out);
    ts_free(w->buf);
    ts_free(w);
}

static int og_create(const char *path, ts_writer_t **out, ts_err_t *err)
{
    *out = NULL;
    og_writer_t *w = ts_calloc(1, sizeof(*w));
    if (!w)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the oracleGeneral writer");
    w->base.ops = &ts_writer_oracle_general;
    w->raw.fd = w->out.fd = -1;
    size_t n = strlen(path);
    w->is_zstd = n > 4 && strcasecmp(path + n - 4, ".zst") == 0;
    int rc = 0;
    if (!(w->buf = ts_malloc(OG_RECORD * OG_CHUNK)))
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the writer of '%s'", path);
    if (rc == 0 && w->is_zstd)
        rc = ts_afile_open(&w->out, path, OG_WHAT, err);
    if (rc == 0) /* when compressing, the records wait beside the output under another name */
        rc = ts_afile_open(&w->raw, w->is_zstd ? w->out.tmp : path, OG_WHAT, err);
    if (rc) {
        og_destroy(&w->base);
        return rc;
    }
    *out = &w->base;
    return 0;
}

/* The file the user named (the records' own file is a temporary one when compressing). */
static const char *og_path(const og_writer_t *w)
{
    return w->is_zstd ? w->out.path : w->raw.path;
}

static int og_flush(og_writer_t *w, ts_err_t *err)
{
    int rc = ts_afile_write(&w->raw, w->buf, w->len, OG_WHAT, err);
    w->len = 0;
    return rc;
}

static int og_write(ts_writer_t *base, const ts_req_t *req, ts_err_t *err)
{
    og_writer_t *w = (og_writer_t *)base;
    const char *path = og_path(w);
    if (w->is_done)
        return ts_err_set(err, TS_EINVAL, "trace '%s' is already finished", path);
    const char *why = NULL;
    if (req->op == TS_OP_DELETE)
        why = "the oracleGeneral format has no deletes";
    else if (req->op >= TS_OP_COUNT_)
        why = "not a request op";
    else if (req->time_ns / UINT64_C(1000000000) > UINT32_MAX)
        why = "its time does not fit the format's 32-bit seconds";
    else if (req->size_bytes > UINT32_MAX)
        why = "its size does not fit the format's 32-bit sizes";
    if (why) {
        ts_err_where(err, "%s: record %llu", path, (unsigned long long)w->n);
        return ts_err_set(err, req->op == TS_OP_DELETE ? TS_EUNSUPPORTED : TS_ERANGE,
                          "cannot write this request: %s", why);
    }
    if (w->len == OG_RECORD * OG_CHUNK) {
        int rc = og_flush(w, err);
        if (rc)
            return rc;
    }
    unsigned char *p = w->buf + w->len;
    ts_put_le32(p, (uint32_t)(req->time_ns / UINT64_C(1000000000)));
    ts_put_le64(p + 4, req->key);
    ts_put_le32(p + 12, (uint32_t)req->size_bytes);
    ts_put_le64(p + 16, UINT64_MAX); /* -1 until finish() knows the next access */
    w->len += OG_RECORD;
    w->n++;
    return 0;
}

/* Fills next_access_vtime, walking the records from the last to the first, a chunk at a
 * time, in place. */
static int og_fill_next(og_writer_t *w, ts_err_t *err)
{
    ts_future_t f;
    int rc = ts_future_init(&f, w->n, err);
    for (uint64_t end = w->n; rc == 0 && end > 0;) {
        uint64_t start = end > OG_CHUNK ? end - OG_CHUNK : 0;
        size_t bytes = (size_t)(end - start) * OG_RECORD;
        off_t off = (off_t)(start * OG_RECORD);
        if (pread(w->raw.fd, w->buf, bytes, off) != (ssize_t)bytes) {
            rc = ts_err_sys(err, TS_EIO, errno, "cannot read back trace '%s'", og_path(w));
            break;
        }
        for (uint64_t i = end; rc == 0 && i-- > start;) {
            unsigned char *p = w->buf + (i - start) * OG_RECORD;
            uint64_t next;
            rc = ts_future_step(&f, ts_get_le64(p + 4), i, &next, err);
            ts_put_le64(p + 16, next == TS_REQ_NEVER ? UINT64_MAX : next + 1);
        }
        if (rc == 0 && pwrite(w->raw.fd, w->buf, bytes, off) != (ssize_t)bytes) {
            int e = errno;
            rc = ts_err_sys(err, ts_io_code(e) == TS_ENOSPC ? TS_ENOSPC : TS_EIO, e,
                            "cannot write trace '%s'", og_path(w));
        }
        end = start;
    }
    ts_future_free(&f);
    return rc;
}

static int og_finish(ts_writer_t *base, ts_err_t *err)
{
    og_writer_t *w = (og_writer_t *)base;
    if (w->is_done)
        return ts_err_set(err, TS_EINVAL, "trace '%s' is already finished", og_path(w));
    w->is_done = true;
    int rc = og_flush(w, err);
    if (rc == 0)
        rc = og_fill_next(w, err);
    if (rc == 0 && w->is_zstd)
        rc = ts_afile_compress(w->raw.fd, &w->out, OG_ZSTD_LEVEL, OG_WHAT, err);
    if (rc == 0)
        rc = ts_afile_commit(w->is_zstd ? &w->out : &w->raw, OG_WHAT, err);
    return rc;
}

const ts_writer_ops_t ts_writer_oracle_general = {
    .create = og_create,
    .write = og_write,
    .finish = og_finish,
    .destroy = og_destroy,
};
