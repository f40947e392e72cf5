/* SPDX-License-Identifier: MIT */
/*
 * native.h - tiersim's own binary trace format (traces/native.c): layout constants and the
 * reader and writer ops tables.
 *
 * A file is a 64-byte header followed by fixed-size records (40 bytes written; 32-byte
 * records of older files are still read, with idle_ns = 0), all little-endian; the layout is
 * documented byte by byte in native.c and in docs/trace-format.md.
 */
#ifndef TS_TRACES_NATIVE_H
#define TS_TRACES_NATIVE_H

#include "../sim/reader.h"

#define TS_NATIVE_MAGIC "TSIMTRC" /* 8 bytes on disk, with the terminating NUL */
#define TS_NATIVE_MAGIC_SIZE 8
#define TS_NATIVE_VERSION 1        /* the version this code writes and reads */
#define TS_NATIVE_HEADER_SIZE 64   /* bytes before the first record (version 1) */
#define TS_NATIVE_RECORD_SIZE 40   /* bytes per record written (version 1, with idle_ns) */
#define TS_NATIVE_RECORD_MIN 32    /* smallest record read (files written before idle_ns) */
#define TS_NATIVE_RECORD_IDLE 40   /* records at least this long carry idle_ns at @32 */
#define TS_NATIVE_EXTENSION ".tsim"

/* Reader: params {path}. next() fails with TS_EFORMAT naming the record index when a record
 * is malformed (unknown op) or missing (file shorter than its header says); open() fails
 * with TS_EFORMAT on a bad magic, header size, record size or file length, and with
 * TS_EUNSUPPORTED on a newer version or unknown header flags. */
extern const ts_reader_ops_t ts_reader_native;

/* Writer: records stream through a 64 KiB buffer into "<path>.tmp.XXXXXX" beside path;
 * finish() writes the record count into the header, fsyncs and renames. Errors name the
 * path: TS_ENOSPC when the disk is full, TS_ENOENT when the directory does not exist,
 * TS_EIO otherwise; TS_EINVAL for a request whose op is not a ts_op_t. */
extern const ts_writer_ops_t ts_writer_native;

#endif
