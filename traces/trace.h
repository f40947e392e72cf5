/* SPDX-License-Identifier: MIT */
/*
 * trace.h - the registry of trace formats (traces/registry.c): readers and writers.
 *
 * Every format has a reader (ts_reader_ops_t, exported as ts_reader_<fmt>) and optionally a
 * writer (ts_writer_ops_t, ts_writer_<fmt>). Readers take a params struct whose schema
 * always has a string parameter "path" (resolved against the scenario's directory).
 */
#ifndef TS_TRACES_TRACE_H
#define TS_TRACES_TRACE_H

#include <stddef.h>

#include "../sim/util/err.h"
#include "../sim/reader.h"

typedef struct ts_trace_format {
    const char *name;              /* "native", "csv" */
    const char *summary;           /* one line */
    const ts_reader_ops_t *reader; /* required */
    const ts_writer_ops_t *writer; /* NULL when the format cannot be written */
    const char *extension;         /* usual file suffix (".tsim", ".csv"), for guessing */
    const char *magic;             /* leading bytes that identify a file; NULL: none */
    size_t magic_size;             /* bytes of magic to compare (it may hold NULs) */
} ts_trace_format_t;

size_t ts_trace_count(void);
const ts_trace_format_t *ts_trace_at(size_t i);

/* The format named name, or NULL with err "unknown trace format 'x' (did you mean ...)". */
const ts_trace_format_t *ts_trace_find(const char *name, ts_err_t *err);

/* Guesses a format from the file's leading bytes (magic) first, then from its extension
 * (case-insensitive); NULL if neither matches or the file cannot be read and has no known
 * extension. */
const ts_trace_format_t *ts_trace_guess(const char *path);

/* Checks every entry (ABI, names unique and sorted, required methods, schemas with a
 * "path" parameter). 0 or TS_EINVAL. */
int ts_trace_registry_check(ts_err_t *err);

/* Opens path with format fmt and default params (path set). For tools and tests. */
int ts_trace_open_path(const ts_trace_format_t *fmt, const char *path, ts_reader_t **out,
                       ts_err_t *err);

#endif
