/* SPDX-License-Identifier: MIT */
/*
 * trace.h - the registry of trace formats (traces/registry.c): ts_formats.
 *
 * A trace format is its reader (ts_reader_ops_t of kind TS_PLUGIN_FORMAT, exported as
 * ts_reader_<fmt>), which also carries the format's writer (NULL when it cannot be
 * written), its usual file extension and its magic bytes. Readers take a params struct
 * whose schema always has a string parameter "path" (resolved against the scenario's
 * directory).
 */
#ifndef TS_TRACES_TRACE_H
#define TS_TRACES_TRACE_H

#include <stddef.h>

#include "../sim/util/err.h"
#include "../sim/reader.h"
#include "../sim/registry.h"

/* Every trace format, sorted by name. Its kind check asks for the reader's methods, a
 * "path" parameter whose schema defaults all parse, a complete writer if any, and a
 * well-formed magic. */
extern const ts_registry_t ts_formats;

/* The format named name, or NULL with err "unknown trace format 'x' (did you mean ...)". */
const ts_reader_ops_t *ts_trace_find(const char *name, ts_err_t *err);

/* Guesses a format from the file's leading bytes (magic) first, then from its extension
 * (case-insensitive); NULL if neither matches or the file cannot be read and has no known
 * extension. */
const ts_reader_ops_t *ts_trace_guess(const char *path);

/* Opens path with format fmt and default params (path set). For tools and tests. */
int ts_trace_open_path(const ts_reader_ops_t *fmt, const char *path, ts_reader_t **out,
                       ts_err_t *err);

#endif
