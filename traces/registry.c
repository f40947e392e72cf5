/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the one table of trace formats (ts_formats), sorted by name, its kind check,
 * and format guessing.
 *
 * To add a format: write traces/<fmt>.c exporting `const ts_reader_ops_t ts_reader_<fmt>`
 * (kind TS_PLUGIN_FORMAT; its writer, extension and magic in the same table), declare it
 * below and add it to k_formats in name order. The generic checks (sim/registry.h, run by
 * the tests and at start-up) then verify it. Lookup is a linear scan: the table is short.
 */
#include "trace.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "native.h"

extern const ts_reader_ops_t ts_reader_agent_sessions;
extern const ts_reader_ops_t ts_reader_bailian;
extern const ts_reader_ops_t ts_reader_csv;
extern const ts_reader_ops_t ts_reader_hdf5;
extern const ts_reader_ops_t ts_reader_mooncake;
extern const ts_reader_ops_t ts_reader_msr;
extern const ts_reader_ops_t ts_reader_oracle_general;
extern const ts_reader_ops_t ts_reader_twitter;

static const ts_plugin_t *const k_formats[] = {
    &ts_reader_agent_sessions.base,
    &ts_reader_bailian.base,
    &ts_reader_csv.base,
    &ts_reader_hdf5.base,
    &ts_reader_mooncake.base,
    &ts_reader_msr.base,
    &ts_reader_native.base,
    &ts_reader_oracle_general.base,
    &ts_reader_twitter.base,
};

#define N_FORMATS (sizeof(k_formats) / sizeof(k_formats[0]))
#define TRACE_MAGIC_MAX 16

static int trace_check(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_reader_ops_t *r = ts_reader_ops_of(p);
    const char *name = p->name;
    if (p->flags & TS_READER_GENERATOR)
        return ts_err_set(err, TS_EINVAL, "trace format %s is flagged as a generator", name);
    if (!r->open || !r->next || !r->reset || !r->close)
        return ts_err_set(err, TS_EINVAL, "trace format %s lacks a required method", name);
    const ts_param_spec_t *ps = ts_param_find(p->params, p->params_count, "path");
    if (!ps || ps->type != TS_PT_STRING)
        return ts_err_set(err, TS_EINVAL, "trace format %s has no string parameter 'path'",
                          name);
    if (r->magic_size > TRACE_MAGIC_MAX || (r->magic_size > 0) != (r->magic != NULL))
        return ts_err_set(err, TS_EINVAL, "trace format %s has a bad magic", name);
    const ts_writer_ops_t *w = r->writer;
    if (w && (!w->create || !w->write || !w->finish || !w->destroy))
        return ts_err_set(err, TS_EINVAL, "trace writer %s lacks a required method", name);
    return 0;
}

const ts_registry_t ts_formats = {
    .kind = TS_PLUGIN_FORMAT,
    .entries = k_formats,
    .n = N_FORMATS,
    .check = trace_check,
};

const ts_reader_ops_t *ts_trace_find(const char *name, ts_err_t *err)
{
    return ts_reader_ops_of(ts_registry_find(&ts_formats, name, err));
}

static bool trace_has_suffix(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    return m > 0 && n > m && strcasecmp(path + n - m, ext) == 0;
}

const ts_reader_ops_t *ts_trace_guess(const char *path)
{
    unsigned char head[TRACE_MAGIC_MAX];
    ssize_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */
    if (fd >= 0) {
        got = read(fd, head, sizeof(head));
        close(fd);
    }
    for (size_t i = 0; got > 0 && i < N_FORMATS; i++) {
        const ts_reader_ops_t *f = ts_reader_ops_of(k_formats[i]);
        if (f->magic && f->magic_size <= (size_t)got && memcmp(head, f->magic, f->magic_size) == 0)
            return f;
    }
    /* by extension, also under the suffixes compressed and binary copies add
     * ("t.oracleGeneral.zst", "t.oracleGeneral.bin") */
    static const char *const k_extra[] = {"", ".zst", ".bin", ".bin.zst"};
    for (size_t e = 0; e < sizeof(k_extra) / sizeof(k_extra[0]); e++)
        for (size_t i = 0; i < N_FORMATS; i++) {
            const ts_reader_ops_t *f = ts_reader_ops_of(k_formats[i]);
            char ext[64];
            if (!f->extension)
                continue;
            snprintf(ext, sizeof(ext), "%s%s", f->extension, k_extra[e]);
            if (trace_has_suffix(path, ext))
                return f;
        }
    return NULL;
}

int ts_trace_open_path(const ts_reader_ops_t *fmt, const char *path, ts_reader_t **out,
                       ts_err_t *err)
{
    const char *names[] = {"path"};
    const char *values[] = {path};
    return ts_reader_open_kv(fmt, names, values, 1, NULL, out, err);
}
