/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the one table of trace formats, sorted by name, and its checks.
 *
 * To add a format: write traces/<fmt>.c exporting `const ts_reader_ops_t ts_reader_<fmt>`
 * (and `ts_writer_<fmt>` if it can be written), declare it below and add an entry to
 * k_formats in name order. ts_trace_registry_check() (run by the tests and at startup)
 * then verifies it. Lookup is a linear scan: the table is short.
 */
#include "trace.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../sim/util/mem.h"
#include "../sim/util/units.h"
#include "native.h"

extern const ts_reader_ops_t ts_reader_agent_sessions;
extern const ts_reader_ops_t ts_reader_bailian;
extern const ts_reader_ops_t ts_reader_csv;
extern const ts_reader_ops_t ts_reader_hdf5;
extern const ts_writer_ops_t ts_writer_hdf5;
extern const ts_reader_ops_t ts_reader_oracle_general;
extern const ts_writer_ops_t ts_writer_oracle_general;
extern const ts_reader_ops_t ts_reader_mooncake;
extern const ts_reader_ops_t ts_reader_msr;
extern const ts_reader_ops_t ts_reader_twitter;

static const ts_trace_format_t k_csv = {
    .name = "csv",
    .summary = "delimited text, one request a line, columns chosen by parameters",
    .reader = &ts_reader_csv,
    .writer = NULL,
    .extension = ".csv",
    .magic = NULL,
    .magic_size = 0,
};

static const ts_trace_format_t k_native = {
    .name = "native",
    .summary = "tiersim binary trace (64-byte header, 40-byte records)",
    .reader = &ts_reader_native,
    .writer = &ts_writer_native,
    .extension = TS_NATIVE_EXTENSION,
    .magic = TS_NATIVE_MAGIC,
    .magic_size = TS_NATIVE_MAGIC_SIZE,
};

static const ts_trace_format_t k_hdf5 = {
    .name = "hdf5",
    .summary = "HDF5 container: a chunked, compressed compound dataset of records",
    .reader = &ts_reader_hdf5,
    .writer = &ts_writer_hdf5,
    .extension = ".h5",
    .magic = "\x89HDF\r\n\x1a\n", /* the HDF5 superblock signature at offset 0 */
    .magic_size = 8,
};

static const ts_trace_format_t k_agent_sessions = {
    .name = "agent_sessions",
    .summary = "Claude Code agent-session traces (kv-cache-tester): a JSON file per "
               "conversation, or a directory of them",
    .reader = &ts_reader_agent_sessions,
    .writer = NULL,
    .extension = NULL, /* plain .json, and often a directory: name the format */
    .magic = NULL,
    .magic_size = 0,
};

static const ts_trace_format_t k_bailian = {
    .name = "bailian",
    .summary = "Alibaba Bailian/Qwen usage traces: JSON lines with chats, turns and block ids",
    .reader = &ts_reader_bailian,
    .writer = NULL,
    .extension = NULL, /* JSON lines, like mooncake: name the format */
    .magic = NULL,
    .magic_size = 0,
};

static const ts_trace_format_t k_mooncake = {
    .name = "mooncake",
    .summary = "Mooncake KV-cache traces: JSON lines with token counts and block hash ids",
    .reader = &ts_reader_mooncake,
    .writer = NULL,
    .extension = NULL, /* JSON lines, like bailian: name the format */
    .magic = NULL,
    .magic_size = 0,
};

static const ts_trace_format_t k_msr = {
    .name = "msr",
    .summary = "MSR Cambridge block I/O CSV, as block requests or whole extents",
    .reader = &ts_reader_msr,
    .writer = NULL,
    .extension = NULL, /* published as <host>_<disk>.csv: name the format */
    .magic = NULL,
    .magic_size = 0,
};

static const ts_trace_format_t k_oracle_general = {
    .name = "oracle_general",
    .summary = "libCacheSim oracleGeneral binary (24-byte records), plain or zstd-compressed",
    .reader = &ts_reader_oracle_general,
    .writer = &ts_writer_oracle_general,
    .extension = ".oracleGeneral",
    .magic = NULL, /* no header; a zstd magic says nothing of what is inside */
    .magic_size = 0,
};

static const ts_trace_format_t k_twitter = {
    .name = "twitter",
    .summary = "Twitter cache-cluster traces: CSV timestamp,key,key size,value size,client,op,TTL",
    .reader = &ts_reader_twitter,
    .writer = NULL,
    .extension = NULL, /* published as clusterN.M(.zst): name the format */
    .magic = NULL,
    .magic_size = 0,
};

static const ts_trace_format_t *const k_formats[] = {
    &k_agent_sessions,
    &k_bailian,
    &k_csv,
    &k_hdf5,
    &k_mooncake,
    &k_msr,
    &k_native,
    &k_oracle_general,
    &k_twitter,
};

#define N_FORMATS (sizeof(k_formats) / sizeof(k_formats[0]))
#define TRACE_MAGIC_MAX 16

size_t ts_trace_count(void)
{
    return N_FORMATS;
}

const ts_trace_format_t *ts_trace_at(size_t i)
{
    return i < N_FORMATS ? k_formats[i] : NULL;
}

const ts_trace_format_t *ts_trace_find(const char *name, ts_err_t *err)
{
    const char *names[N_FORMATS];
    for (size_t i = 0; i < N_FORMATS; i++)
        names[i] = k_formats[i]->name;
    long at = ts_name_index("trace format", name, names, N_FORMATS, err);
    return at < 0 ? NULL : k_formats[at];
}

static bool trace_has_suffix(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    return m > 0 && n > m && strcasecmp(path + n - m, ext) == 0;
}

const ts_trace_format_t *ts_trace_guess(const char *path)
{
    unsigned char head[TRACE_MAGIC_MAX];
    ssize_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */
    if (fd >= 0) {
        got = read(fd, head, sizeof(head));
        close(fd);
    }
    for (size_t i = 0; got > 0 && i < N_FORMATS; i++) {
        const ts_trace_format_t *f = k_formats[i];
        if (f->magic && f->magic_size <= (size_t)got && memcmp(head, f->magic, f->magic_size) == 0)
            return f;
    }
    /* by extension, also under the suffixes compressed and binary copies add
     * ("t.oracleGeneral.zst", "t.oracleGeneral.bin") */
    static const char *const k_extra[] = {"", ".zst", ".bin", ".bin.zst"};
    for (size_t e = 0; e < sizeof(k_extra) / sizeof(k_extra[0]); e++)
        for (size_t i = 0; i < N_FORMATS; i++) {
            char ext[64];
            if (!k_formats[i]->extension)
                continue;
            snprintf(ext, sizeof(ext), "%s%s", k_formats[i]->extension, k_extra[e]);
            if (trace_has_suffix(path, ext))
                return k_formats[i];
        }
    return NULL;
}

/* The schema is well formed and every default parses (a default that cannot be read would
 * only show up when a user relies on it). */
static int trace_check_params(const ts_reader_ops_t *r, ts_err_t *err)
{
    int rc = ts_param_check_schema(r->params, r->params_count, r->params_size, err);
    if (rc == 0) {
        void *buf = ts_malloc(r->params_size);
        if (!buf)
            return ts_err_set(err, TS_ENOMEM, "cannot allocate parameters of %s", r->name);
        rc = ts_param_defaults(r->params, r->params_count, buf, r->params_size, err);
        ts_free(buf);
    }
    return rc ? TS_EINVAL : 0;
}

static int trace_check_reader(const ts_trace_format_t *f, ts_err_t *err)
{
    const ts_reader_ops_t *r = f->reader;
    if (!r)
        return ts_err_set(err, TS_EINVAL, "trace format %s has no reader", f->name);
    if (r->abi != TS_READER_ABI)
        return ts_err_set(err, TS_EINVAL, "trace reader %s has ABI %u, expected %u", f->name,
                          r->abi, TS_READER_ABI);
    if (!r->name || strcmp(r->name, f->name) != 0 || !r->summary)
        return ts_err_set(err, TS_EINVAL, "trace reader %s lacks a summary or has another name",
                          f->name);
    if (r->flags & TS_READER_GENERATOR)
        return ts_err_set(err, TS_EINVAL, "trace reader %s is flagged as a generator", f->name);
    if (!r->open || !r->next || !r->reset || !r->close)
        return ts_err_set(err, TS_EINVAL, "trace reader %s lacks a required method", f->name);
    int rc = trace_check_params(r, err);
    if (rc) {
        ts_err_prefix(err, "trace reader %s", f->name);
        return rc;
    }
    const ts_param_spec_t *ps = ts_param_find(r->params, r->params_count, "path");
    if (!ps || ps->type != TS_PT_STRING)
        return ts_err_set(err, TS_EINVAL, "trace reader %s has no string parameter 'path'",
                          f->name);
    return 0;
}

static int trace_check_writer(const ts_trace_format_t *f, ts_err_t *err)
{
    const ts_writer_ops_t *w = f->writer;
    if (!w)
        return 0;
    if (w->abi != TS_READER_ABI)
        return ts_err_set(err, TS_EINVAL, "trace writer %s has ABI %u, expected %u", f->name,
                          w->abi, TS_READER_ABI);
    if (!w->name || strcmp(w->name, f->name) != 0 || !w->summary)
        return ts_err_set(err, TS_EINVAL, "trace writer %s lacks a summary or has another name",
                          f->name);
    if (!w->create || !w->write || !w->finish || !w->destroy)
        return ts_err_set(err, TS_EINVAL, "trace writer %s lacks a required method", f->name);
    return 0;
}

int ts_trace_registry_check(ts_err_t *err)
{
    for (size_t i = 0; i < N_FORMATS; i++) {
        const ts_trace_format_t *f = k_formats[i];
        if (!f || !f->name || !f->name[0] || !f->summary)
            return ts_err_set(err, TS_EINVAL, "trace format entry %zu lacks a name or summary",
                              i);
        if (i > 0 && strcmp(k_formats[i - 1]->name, f->name) >= 0)
            return ts_err_set(err, TS_EINVAL,
                              "trace format registry is not sorted or has a duplicate at '%s'",
                              f->name);
        if (f->magic_size > TRACE_MAGIC_MAX || (f->magic_size > 0) != (f->magic != NULL))
            return ts_err_set(err, TS_EINVAL, "trace format %s has a bad magic", f->name);
        int rc = trace_check_reader(f, err);
        if (rc == 0)
            rc = trace_check_writer(f, err);
        if (rc)
            return rc;
    }
    return 0;
}

int ts_trace_open_path(const ts_trace_format_t *fmt, const char *path, ts_reader_t **out,
                       ts_err_t *err)
{
    const char *names[] = {"path"};
    const char *values[] = {path};
    return ts_reader_open_kv(fmt->reader, names, values, 1, NULL, out, err);
}
