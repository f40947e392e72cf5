/* SPDX-License-Identifier: MIT */
/*
 * msr.c - MSR Cambridge block I/O traces (SNIA IOTTA; Narayanan, Donnelly, Rowstron, "Write
 * off-loading", FAST 2008): CSV, one I/O a line, plain or zstd:
 *     Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime
 * Timestamp is a Windows filetime (100 ns ticks since 1601-01-01), Type Read or Write,
 * Offset and Size in bytes, ResponseTime in 100 ns ticks (not used).
 * Mapping (documented in docs/trace-format.md):
 *   mode blocks (default): an I/O becomes one request per block of block_size bytes it
 *     touches, in address order, each of block_size bytes, keyed by (volume, block index);
 *   mode extents: one request per I/O of its size, keyed by (volume, offset);
 *   volume = (Hostname, DiskNumber); key = MurmurHash3 finaliser of the volume's hash plus
 *   the block index (or offset) times an odd constant, so volumes do not share keys;
 *   time_ns = ticks x 100; Read -> get, Write -> put; stream = DiskNumber.
 * A malformed line fails with where = "path:line" and a message naming the column.
 * Cost: one pass over each byte plus O(1) per block; memory: the line buffer.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/reader.h"
#include "../sim/util/text.h"

#define MSR_PATH_MAX 1024
#define MSR_FIELDS 7
#define MSR_MAX_BLOCKS (UINT64_C(1) << 32) /* blocks one I/O may span (a sanity bound) */

enum { MSR_TIME, MSR_HOST, MSR_DISK, MSR_TYPE, MSR_OFFSET, MSR_SIZE, MSR_RESP };

static const char *const k_msr_cols[MSR_FIELDS] = {
    "Timestamp", "Hostname", "DiskNumber", "Type", "Offset", "Size", "ResponseTime"};

static const char *const k_msr_modes[] = {"blocks", "extents", NULL};

typedef struct msr_params {
    char path[MSR_PATH_MAX]; /* trace file, relative to the scenario's directory */
    int mode;                /* 0 blocks, 1 extents */
    uint64_t block_size;     /* bytes, blocks mode */
} msr_params_t;

static const ts_param_spec_t k_msr_params[] = {
    {"path", TS_PT_STRING, offsetof(msr_params_t, path), MSR_PATH_MAX, 1, 0, NULL,
     "trace file (plain or .zst)", NULL},
    {"mode", TS_PT_ENUM, offsetof(msr_params_t, mode), 0, 1, 0, "blocks",
     "blocks: one request per block an I/O touches; extents: one request per I/O",
     k_msr_modes},
    {"block_size", TS_PT_SIZE, offsetof(msr_params_t, block_size), 0, 512, 1073741824.0,
     "4KiB", "block size of the blocks mode", NULL},
};

typedef struct msr_reader {
    ts_reader_t base;     /* must be first */
    ts_text_t text;      /* lines of the file */
    bool is_extents;      /* mode extents */
    uint64_t block_size;
    char *fields[MSR_FIELDS];
    /* the I/O being cut into blocks */
    ts_req_t cur;         /* its request, key and size still to set */
    uint64_t volume;      /* hash of its volume */
    uint64_t next_block;  /* next block to return */
    uint64_t end_block;   /* one past its last block */
    char path[2 * MSR_PATH_MAX];
} msr_reader_t;

extern const ts_reader_ops_t ts_reader_msr;

static void msr_close(ts_reader_t *r)
{
    msr_reader_t *m = (msr_reader_t *)r;
    if (!m)
        return;
    ts_text_close(&m->text);
    ts_free(m);
}

static int msr_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                    ts_err_t *err)
{
    const msr_params_t *p = params;
    *out = NULL;
    msr_reader_t *m = ts_calloc(1, sizeof(*m));
    if (!m)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the msr reader");
    m->base.ops = &ts_reader_msr;
    m->is_extents = p->mode == 1;
    m->block_size = p->block_size;
    int rc = ts_reader_path(ctx, p->path, m->path, sizeof(m->path), err);
    if (rc == 0)
        rc = ts_text_open(&m->text, m->path, err);
    if (rc) {
        ts_free(m);
        return rc;
    }
    *out = &m->base;
    return 0;
}

static int msr_fail(const msr_reader_t *m, ts_err_t *err, int col, const char *what,
                    const char *found)
{
    ts_err_where(err, "%s:%llu", m->path, (unsigned long long)m->text.line);
    char shown[TS_TEXT_SHOWN];
    return ts_err_set(err, TS_EFORMAT, "column %d (%s): %s, found '%s'", col,
                      k_msr_cols[col], what, ts_text_shown(found, shown, sizeof(shown)));
}

static uint64_t msr_key(uint64_t volume, uint64_t index)
{
    return ts_hash64(volume + index * UINT64_C(0x9e3779b97f4a7c15));
}

/* Parses the next line into m->cur and the block range. 1, 0 at the end, or an error. */
static int msr_read_io(msr_reader_t *m, ts_err_t *err)
{
    char *line;
    int rc = ts_text_next(&m->text, &line, err);
    if (rc <= 0)
        return rc;
    int n = ts_text_split(&m->text, line, ',', m->fields, MSR_FIELDS, err);
    if (n < 0)
        return n;
    if (n < MSR_SIZE + 1) {
        ts_err_where(err, "%s:%llu", m->path, (unsigned long long)m->text.line);
        return ts_err_set(err, TS_EFORMAT,
                          "expected 7 columns (Timestamp, Hostname, DiskNumber, Type, Offset, "
                          "Size, ResponseTime), found %d",
                          n);
    }
    char **f = m->fields;
    uint64_t ticks, disk, offset, size;
    if (!ts_text_u64(f[MSR_TIME], &ticks) || ticks > UINT64_MAX / 100)
        return msr_fail(m, err, MSR_TIME, "expected a Windows filetime (100 ns ticks)",
                        f[MSR_TIME]);
    if (!ts_text_u64(f[MSR_DISK], &disk) || disk > UINT32_MAX)
        return msr_fail(m, err, MSR_DISK, "expected a disk number", f[MSR_DISK]);
    int op;
    if (strcasecmp(f[MSR_TYPE], "read") == 0)
        op = TS_OP_GET;
    else if (strcasecmp(f[MSR_TYPE], "write") == 0)
        op = TS_OP_PUT;
    else
        return msr_fail(m, err, MSR_TYPE, "expected Read or Write", f[MSR_TYPE]);
    if (!ts_text_u64(f[MSR_OFFSET], &offset))
        return msr_fail(m, err, MSR_OFFSET, "expected a byte offset", f[MSR_OFFSET]);
    if (!ts_text_u64(f[MSR_SIZE], &size) || size > UINT64_MAX - offset)
        return msr_fail(m, err, MSR_SIZE, "expected a size in bytes", f[MSR_SIZE]);
    memset(&m->cur, 0, sizeof(m->cur));
    m->cur.time_ns = ticks * 100;
    m->cur.op = (uint8_t)op;
    m->cur.stream = (uint32_t)disk;
    m->cur.next_access = TS_REQ_NEVER;
    m->volume = ts_text_hash(f[MSR_HOST]) ^ ts_hash64(disk + 1);
    if (m->is_extents) {
        m->cur.key = msr_key(m->volume, offset);
        m->cur.size_bytes = size;
        m->next_block = 0;
        m->end_block = 1;
        return 1;
    }
    m->next_block = offset / m->block_size;
    m->end_block = size ? (offset + size - 1) / m->block_size + 1 : m->next_block + 1;
    if (m->end_block - m->next_block > MSR_MAX_BLOCKS)
        return msr_fail(m, err, MSR_SIZE, "an I/O of more than 2^32 blocks", f[MSR_SIZE]);
    m->cur.size_bytes = m->block_size;
    return 1;
}

static int msr_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    msr_reader_t *m = (msr_reader_t *)r;
    if (m->next_block == m->end_block) {
        int rc = msr_read_io(m, err);
        if (rc <= 0)
            return rc;
    }
    *req = m->cur;
    if (!m->is_extents)
        req->key = msr_key(m->volume, m->next_block);
    m->next_block++;
    return 1;
}

static int msr_reset(ts_reader_t *r, ts_err_t *err)
{
    msr_reader_t *m = (msr_reader_t *)r;
    m->next_block = m->end_block = 0;
    return ts_text_rewind(&m->text, err);
}

const ts_reader_ops_t ts_reader_msr = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "msr",
             .summary = "MSR Cambridge block I/O CSV, as block requests or whole extents",
             .params = k_msr_params,
             .params_count = TS_PARAM_COUNT(k_msr_params),
             .params_size = sizeof(msr_params_t)},
    .open = msr_open,
    .next = msr_next,
    .reset = msr_reset,
    .close = msr_close,
    .extension = NULL, /* published as <host>_<disk>.csv: name the format */
};
