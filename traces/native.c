/* SPDX-License-Identifier: MIT */
/*
 * native.c - tiersim's own binary trace format: a streaming reader and an atomic writer.
 *
 * Layout (version 1, every integer little-endian, no padding):
 *   header, 64 bytes:
 *     @0  u8[8] magic        "TSIMTRC\0"
 *     @8  u16   version      1
 *     @10 u16   header_size  64; records start at this offset (readers accept 64..4096)
 *     @12 u32   flags        0; no flag is defined, a reader refuses any set bit
 *     @16 u64   n_records    number of records that follow
 *     @24 u32   record_size  40 (readers accept 32..4096: a 32-byte record has no idle_ns,
 *                            read as 0; bytes past 40 are skipped)
 *     @28 u32   reserved     0
 *     @32 u8[32] reserved    0
 *   record, 40 bytes (a ts_req_t without next_access):
 *     @0  u64 time_ns     issue time, ns since the trace start
 *     @8  u64 key         object id or block hash
 *     @16 u64 size_bytes  object size
 *     @24 u32 stream      tenant, GPU rank or session
 *     @28 u8  op          0 get, 1 put, 2 delete
 *     @29 u8  flags       ts_req_flag bits
 *     @30 u16 reserved    0
 *     @32 u64 idle_ns     with the hint flag: expected idle time of the stream after this
 *                         request (ns); 0 otherwise. Files written before this field have
 *                         32-byte records: their requests read with idle_ns = 0.
 * The file length is exactly header_size + n_records * record_size; anything else is
 * reported as a truncated (or overlong) file. Fields are encoded byte by byte, so files
 * are portable across hosts. Reading and writing cost O(1) per record through a 64 KiB
 * buffer; memory is constant.
 */
#include "native.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/util/mem.h"
#include "../sim/util/io.h"
#include "../sim/util/le.h"

#define NATIVE_BUF_BYTES (64u * 1024u)
#define NATIVE_PATH_MAX 1024
#define NATIVE_MAX_HEADER 4096u
#define NATIVE_MAX_RECORD 4096u

static void native_encode_header(unsigned char *h, uint64_t n_records)
{
    memset(h, 0, TS_NATIVE_HEADER_SIZE);
    memcpy(h, TS_NATIVE_MAGIC, TS_NATIVE_MAGIC_SIZE);
    ts_put_le16(h + 8, TS_NATIVE_VERSION);
    ts_put_le16(h + 10, TS_NATIVE_HEADER_SIZE);
    ts_put_le32(h + 12, 0);
    ts_put_le64(h + 16, n_records);
    ts_put_le32(h + 24, TS_NATIVE_RECORD_SIZE);
}

static void native_encode(unsigned char *p, const ts_req_t *r)
{
    ts_put_le64(p, r->time_ns);
    ts_put_le64(p + 8, r->key);
    ts_put_le64(p + 16, r->size_bytes);
    ts_put_le32(p + 24, r->stream);
    p[28] = r->op;
    p[29] = r->flags;
    ts_put_le16(p + 30, 0);
    ts_put_le64(p + 32, r->idle_ns);
}

/* Decodes a record of record_size bytes (at least TS_NATIVE_RECORD_MIN). */
static void native_decode(const unsigned char *p, uint32_t record_size, ts_req_t *r)
{
    r->time_ns = ts_get_le64(p);
    r->key = ts_get_le64(p + 8);
    r->size_bytes = ts_get_le64(p + 16);
    r->next_access = TS_REQ_NEVER;
    r->stream = ts_get_le32(p + 24);
    r->op = p[28];
    r->flags = p[29];
    r->reserved_ = 0;
    r->idle_ns = record_size >= TS_NATIVE_RECORD_IDLE ? ts_get_le64(p + 32) : 0;
}

/* ================================ reader ================================ */

typedef struct native_params {
    char path[NATIVE_PATH_MAX]; /* trace file, relative to the scenario's directory */
} native_params_t;

static const ts_param_spec_t k_native_params[] = {
    {"path", TS_PT_STRING, offsetof(native_params_t, path), NATIVE_PATH_MAX, 1, 0, NULL,
     "trace file (.tsim)", NULL},
};

typedef struct native_reader {
    ts_reader_t base;            /* must be first */
    int fd;                      /* the open trace */
    uint64_t n_records;          /* from the header */
    uint64_t index;              /* index of the next record to return */
    uint32_t header_size;        /* offset of record 0 */
    uint32_t record_size;        /* bytes per record on disk */
    unsigned char *buf;          /* whole records read ahead */
    size_t buf_len;              /* valid bytes in buf */
    size_t buf_pos;              /* next record's offset in buf */
    size_t buf_cap;              /* a whole number of records */
    char path[2 * NATIVE_PATH_MAX]; /* resolved path, for messages */
} native_reader_t;

static void native_close(ts_reader_t *r)
{
    native_reader_t *nr = (native_reader_t *)r;
    if (!nr)
        return;
    if (nr->fd >= 0)
        close(nr->fd);
    ts_free(nr->buf);
    ts_free(nr);
}

/* Validates the header and the file length against it. */
static int native_check_header(native_reader_t *nr, const unsigned char *h, ssize_t got,
                               ts_err_t *err)
{
    if (got == 0)
        return ts_err_set(err, TS_EFORMAT, "empty file (expected a tiersim trace header)");
    if (got < (ssize_t)TS_NATIVE_MAGIC_SIZE || memcmp(h, TS_NATIVE_MAGIC, TS_NATIVE_MAGIC_SIZE))
        return ts_err_set(err, TS_EFORMAT, "not a tiersim trace (bad magic; expected \"%s\")",
                          TS_NATIVE_MAGIC);
    if (got < (ssize_t)TS_NATIVE_HEADER_SIZE)
        return ts_err_set(err, TS_EFORMAT, "truncated header: %zd of %d bytes", got,
                          TS_NATIVE_HEADER_SIZE);
    unsigned version = ts_get_le16(h + 8);
    if (version == 0 || version > TS_NATIVE_VERSION)
        return ts_err_set(err, TS_EUNSUPPORTED,
                          "trace version %u is not supported (this build reads version %u)",
                          version, TS_NATIVE_VERSION);
    nr->header_size = ts_get_le16(h + 10);
    if (nr->header_size < TS_NATIVE_HEADER_SIZE || nr->header_size > NATIVE_MAX_HEADER)
        return ts_err_set(err, TS_EFORMAT, "header size %u is outside %d..%u", nr->header_size,
                          TS_NATIVE_HEADER_SIZE, NATIVE_MAX_HEADER);
    uint32_t flags = ts_get_le32(h + 12);
    if (flags)
        return ts_err_set(err, TS_EUNSUPPORTED, "unknown header flags 0x%x", flags);
    nr->n_records = ts_get_le64(h + 16);
    nr->record_size = ts_get_le32(h + 24);
    if (nr->record_size < TS_NATIVE_RECORD_MIN || nr->record_size > NATIVE_MAX_RECORD)
        return ts_err_set(err, TS_EFORMAT, "record size %u is outside %d..%u", nr->record_size,
                          TS_NATIVE_RECORD_MIN, NATIVE_MAX_RECORD);
    if (nr->n_records > (UINT64_MAX - nr->header_size) / nr->record_size)
        return ts_err_set(err, TS_EFORMAT, "record count %llu is impossibly large",
                          (unsigned long long)nr->n_records);

    struct stat st;
    if (fstat(nr->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        uint64_t size = (uint64_t)st.st_size;
        uint64_t want = nr->header_size + nr->n_records * nr->record_size;
        if (size < want) {
            uint64_t whole =
                size < nr->header_size ? 0 : (size - nr->header_size) / nr->record_size;
            ts_err_where(err, "%s: record %llu", nr->path, (unsigned long long)whole);
            return ts_err_set(err, TS_EFORMAT,
                              "truncated: the header announces %llu records but the file holds "
                              "%llu (%llu bytes, %llu expected)",
                              (unsigned long long)nr->n_records, (unsigned long long)whole,
                              (unsigned long long)size, (unsigned long long)want);
        }
        if (size > want)
            return ts_err_set(err, TS_EFORMAT,
                              "%llu unexpected bytes after the %llu records the header announces",
                              (unsigned long long)(size - want),
                              (unsigned long long)nr->n_records);
    }
    return 0;
}

static int native_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                       ts_err_t *err)
{
    const native_params_t *p = params;
    *out = NULL;
    native_reader_t *nr = ts_calloc(1, sizeof(*nr));
    if (!nr)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the native reader");
    nr->base.ops = &ts_reader_native;
    nr->fd = -1;
    int rc;
    if (!p->path[0]) {
        rc = ts_err_set(err, TS_EINVAL, "the native reader needs a path");
        goto fail;
    }
    if ((rc = ts_reader_path(ctx, p->path, nr->path, sizeof(nr->path), err)))
        goto fail;
    nr->fd = open(nr->path, O_RDONLY | O_CLOEXEC);
    if (nr->fd < 0) {
        int e = errno;
        rc = ts_err_sys(err, e == ENOENT ? TS_ENOENT : TS_EIO, e, "cannot open trace '%s'",
                        nr->path);
        goto fail;
    }
    unsigned char h[TS_NATIVE_HEADER_SIZE];
    ssize_t got = ts_io_read_full(nr->fd, h, sizeof(h));
    if (got < 0) {
        rc = ts_err_sys(err, TS_EIO, (int)-got, "cannot read trace '%s'", nr->path);
        goto fail;
    }
    if ((rc = native_check_header(nr, h, got, err))) {
        ts_err_where(err, "%s", nr->path);
        goto fail;
    }
    nr->buf_cap = NATIVE_BUF_BYTES / nr->record_size * nr->record_size;
    nr->buf = ts_malloc(nr->buf_cap);
    if (!nr->buf) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the read buffer of '%s'", nr->path);
        goto fail;
    }
    /* After the 64 bytes read, a version-1 header needs no seek, so pipes work too. */
    if (nr->header_size != got && lseek(nr->fd, nr->header_size, SEEK_SET) < 0) {
        rc = ts_err_sys(err, TS_EIO, errno, "cannot seek in trace '%s'", nr->path);
        goto fail;
    }
    *out = &nr->base;
    return 0;
fail:
    native_close(&nr->base);
    return rc;
}

/* Refills buf with as many whole records as fit, up to the announced count. */
static int native_fill(native_reader_t *nr, ts_err_t *err)
{
    uint64_t left = (nr->n_records - nr->index) * nr->record_size;
    size_t want = left < nr->buf_cap ? (size_t)left : nr->buf_cap;
    ssize_t got = ts_io_read_full(nr->fd, nr->buf, want);
    if (got < 0) {
        ts_err_where(err, "%s: record %llu", nr->path, (unsigned long long)nr->index);
        return ts_err_sys(err, TS_EIO, (int)-got, "cannot read trace '%s'", nr->path);
    }
    if ((size_t)got < nr->record_size) {
        ts_err_where(err, "%s: record %llu", nr->path, (unsigned long long)nr->index);
        return ts_err_set(err, TS_EFORMAT,
                          "truncated: the header announces %llu records but record %llu is "
                          "incomplete",
                          (unsigned long long)nr->n_records, (unsigned long long)nr->index);
    }
    nr->buf_len = (size_t)got;
    nr->buf_pos = 0;
    return 0;
}

static int native_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    native_reader_t *nr = (native_reader_t *)r;
    if (nr->index >= nr->n_records)
        return 0;
    if (nr->buf_len - nr->buf_pos < nr->record_size) {
        int rc = native_fill(nr, err);
        if (rc)
            return rc;
    }
    const unsigned char *p = nr->buf + nr->buf_pos;
    native_decode(p, nr->record_size, req);
    nr->buf_pos += nr->record_size; /* a bad record is passed over: the next call goes on */
    nr->index++;
    if (req->op >= TS_OP_COUNT_) {
        ts_err_where(err, "%s: record %llu", nr->path, (unsigned long long)nr->index - 1);
        return ts_err_set(err, TS_EFORMAT, "op %u is not 0 (get), 1 (put) or 2 (delete)",
                          req->op);
    }
    return 1;
}

/* As native_next in a loop, without a call per record: whole records of the buffer are
 * decoded in one pass, a bad op ending the batch with its error after the ones before. */
static int native_next_batch(ts_reader_t *r, ts_req_t *reqs, size_t max, size_t *got,
                             ts_err_t *err)
{
    native_reader_t *nr = (native_reader_t *)r;
    size_t n = 0;
    int rc = 0;
    while (n < max && nr->index < nr->n_records) {
        if (nr->buf_len - nr->buf_pos < nr->record_size) {
            rc = native_fill(nr, err);
            if (rc)
                break;
        }
        size_t in_buf = (nr->buf_len - nr->buf_pos) / nr->record_size;
        size_t take = in_buf < max - n ? in_buf : max - n;
        for (size_t k = 0; k < take; k++) {
            ts_req_t *q = &reqs[n];
            native_decode(nr->buf + nr->buf_pos, nr->record_size, q);
            nr->buf_pos += nr->record_size;
            nr->index++;
            if (q->op >= TS_OP_COUNT_) {
                ts_err_where(err, "%s: record %llu", nr->path,
                             (unsigned long long)nr->index - 1);
                *got = n;
                return ts_err_set(err, TS_EFORMAT,
                                  "op %u is not 0 (get), 1 (put) or 2 (delete)", q->op);
            }
            n++;
        }
    }
    *got = n;
    return rc;
}

static int native_reset(ts_reader_t *r, ts_err_t *err)
{
    native_reader_t *nr = (native_reader_t *)r;
    if (lseek(nr->fd, nr->header_size, SEEK_SET) < 0)
        return ts_err_sys(err, TS_EIO, errno, "cannot rewind trace '%s'", nr->path);
    nr->index = 0;
    nr->buf_len = nr->buf_pos = 0;
    return 0;
}

static void native_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    const native_reader_t *nr = (const native_reader_t *)r;
    out->n_requests = nr->n_records;
}

const ts_reader_ops_t ts_reader_native = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "native",
             .summary = "tiersim binary trace (64-byte header, 40-byte records)",
             .params = k_native_params,
             .params_count = TS_PARAM_COUNT(k_native_params),
             .params_size = sizeof(native_params_t)},
    .open = native_open,
    .next = native_next,
    .next_batch = native_next_batch,
    .reset = native_reset,
    .close = native_close,
    .info = native_info,
    .writer = &ts_writer_native,
    .extension = TS_NATIVE_EXTENSION,
    .magic = TS_NATIVE_MAGIC,
    .magic_size = TS_NATIVE_MAGIC_SIZE,
};

/* ================================ writer ================================ */

typedef struct native_writer {
    ts_writer_t base;   /* must be first */
    ts_afile_t af;     /* the temporary file and the rename (sim/util/io.c) */
    uint64_t n_records; /* records written so far */
    unsigned char *buf; /* pending bytes (header, then records) */
    size_t len;         /* pending bytes in buf */
    bool is_finished;   /* finish() succeeded: tmp is now path */
    bool has_failed;    /* a write failed; only destroy() remains */
} native_writer_t;

static int native_flush(native_writer_t *w, ts_err_t *err)
{
    int rc = ts_afile_write(&w->af, w->buf, w->len, "trace", err);
    w->len = 0;
    w->has_failed |= rc != 0;
    return rc;
}

static void native_destroy(ts_writer_t *base)
{
    native_writer_t *w = (native_writer_t *)base;
    if (!w)
        return;
    ts_afile_discard(&w->af); /* removes the temporary file unless finish() renamed it */
    ts_free(w->buf);
    ts_free(w);
}

static int native_create(const char *path, ts_writer_t **out, ts_err_t *err)
{
    *out = NULL;
    native_writer_t *w = ts_calloc(1, sizeof(*w));
    if (!w)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the native writer");
    w->base.ops = &ts_writer_native;
    w->af.fd = -1;
    int rc = 0;
    if (!(w->buf = ts_malloc(NATIVE_BUF_BYTES)))
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the writer of '%s'", path);
    if (rc == 0)
        rc = ts_afile_open(&w->af, path, "trace", err);
    if (rc) {
        native_destroy(&w->base);
        return rc;
    }
    native_encode_header(w->buf, 0);
    w->len = TS_NATIVE_HEADER_SIZE;
    *out = &w->base;
    return 0;
}

static int native_write(ts_writer_t *base, const ts_req_t *req, ts_err_t *err)
{
    native_writer_t *w = (native_writer_t *)base;
    if (w->is_finished || w->has_failed)
        return ts_err_set(err, TS_EINVAL, "trace '%s' is already %s", w->af.path,
                          w->is_finished ? "finished" : "failed");
    if (req->op >= TS_OP_COUNT_) {
        ts_err_where(err, "%s: record %llu", w->af.path, (unsigned long long)w->n_records);
        return ts_err_set(err, TS_EINVAL, "op %u is not a request op", req->op);
    }
    if (w->len + TS_NATIVE_RECORD_SIZE > NATIVE_BUF_BYTES) {
        int rc = native_flush(w, err);
        if (rc)
            return rc;
    }
    native_encode(w->buf + w->len, req);
    w->len += TS_NATIVE_RECORD_SIZE;
    w->n_records++;
    return 0;
}

static int native_finish(ts_writer_t *base, ts_err_t *err)
{
    native_writer_t *w = (native_writer_t *)base;
    if (w->is_finished || w->has_failed)
        return ts_err_set(err, TS_EINVAL, "trace '%s' is already %s", w->af.path,
                          w->is_finished ? "finished" : "failed");
    int rc = native_flush(w, err);
    if (rc)
        return rc;
    unsigned char h[TS_NATIVE_HEADER_SIZE];
    native_encode_header(h, w->n_records);
    ssize_t k;
    do
        k = pwrite(w->af.fd, h, sizeof(h), 0);
    while (k < 0 && errno == EINTR);
    if (k != (ssize_t)sizeof(h)) {
        int e = k < 0 ? errno : EIO;
        w->has_failed = true;
        return ts_err_sys(err, ts_io_code(e) == TS_ENOSPC ? TS_ENOSPC : TS_EIO, e,
                          "cannot write the header of trace '%s'", w->af.path);
    }
    rc = ts_afile_commit(&w->af, "trace", err);
    w->has_failed = rc != 0;
    w->is_finished = rc == 0;
    return rc;
}

const ts_writer_ops_t ts_writer_native = {
    .create = native_create,
    .write = native_write,
    .finish = native_finish,
    .destroy = native_destroy,
};
