/* SPDX-License-Identifier: MIT */
/*
 * io_internal.h - byte streams for trace formats: an input that reads a plain or
 * zstd-compressed file the same way, and an atomic output file.
 *
 * Input: ts__zin_open() looks at the first four bytes: the zstd frame magic (28 B5 2F FD)
 * makes every later read go through a libzstd decompression stream, anything else is read
 * as it is. Reads are buffered (128 KiB of compressed input plus what the caller asks for);
 * memory is constant whatever the file's length.
 * Output: ts__afile_open() creates "<path>.tmp.XXXXXX" beside path (O_EXCL, mode from the
 * umask); writes are plain; ts__afile_commit() fsyncs, closes, renames over path and syncs
 * the directory, so a reader never sees a half-written file; ts__afile_discard() removes
 * the temporary file unless committed. ts__afile_compress() streams one file's bytes into
 * another through libzstd. Not part of the public API (ts__ prefix).
 */
#ifndef TS_TRACES_IO_INTERNAL_H
#define TS_TRACES_IO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../sim/err.h"

typedef struct ts__zin {
    int fd;              /* the open file */
    bool is_zstd;        /* the file is a zstd stream */
    void *dstream;       /* ZSTD_DStream *, when is_zstd */
    unsigned char *in;   /* compressed bytes read ahead */
    size_t in_len;       /* valid bytes in `in` */
    size_t in_pos;       /* bytes of `in` consumed */
    bool in_eof;         /* the file has no more bytes */
    bool frame_done;     /* the last decompression call ended a frame */
    const char *path;    /* for messages (borrowed) */
} ts__zin_t;

/* Opens path for reading (path is borrowed for messages and must outlive the stream).
 * Returns 0, TS_ENOENT, TS_EIO or TS_ENOMEM; messages name the path. */
int ts__zin_open(ts__zin_t *z, const char *path, ts_err_t *err);
/* Reads up to n bytes into buf: the count (less than n only at the end), or a negative
 * error: TS_EIO (the file) or TS_EFORMAT (corrupt or truncated compressed data). */
ssize_t ts__zin_read(ts__zin_t *z, void *buf, size_t n, ts_err_t *err);
/* Goes back to the first byte. Returns 0 or TS_EIO. */
int ts__zin_rewind(ts__zin_t *z, ts_err_t *err);
void ts__zin_close(ts__zin_t *z); /* also after a failed open; not on a zeroed struct */

typedef struct ts__afile {
    int fd;         /* the temporary file; -1 once closed */
    char *path;     /* the target (owned) */
    char *tmp;      /* the temporary file's name (owned) */
    bool committed; /* renamed into place */
} ts__afile_t;

/* Creates the temporary file of path. what names the file in messages ("trace").
 * Returns 0; TS_ENOENT (no such directory), TS_ENOSPC, TS_EIO, TS_ENOMEM. */
int ts__afile_open(ts__afile_t *f, const char *path, const char *what, ts_err_t *err);
/* Writes all n bytes at the current position. Returns 0, TS_ENOSPC or TS_EIO. */
int ts__afile_write(ts__afile_t *f, const void *buf, size_t n, const char *what, ts_err_t *err);
/* fsync, close, rename over path, sync the directory. A file written by another library
 * through f->tmp (with fd closed, set to -1) is reopened to be synced. Returns 0 or TS_ENOSPC / TS_EIO (the
 * temporary file is then removed). */
int ts__afile_commit(ts__afile_t *f, const char *what, ts_err_t *err);
/* Closes and removes the temporary file unless committed; frees. Accepts a zeroed one. */
void ts__afile_discard(ts__afile_t *f);

/* Compresses the bytes of the open file src_fd (from offset 0 to its end) into dst with
 * zstd at level. Returns 0, TS_EIO, TS_ENOSPC or TS_ENOMEM. */
int ts__afile_compress(int src_fd, ts__afile_t *dst, int level, const char *what, ts_err_t *err);

/* Reads up to n bytes from fd, retrying short reads and EINTR: the count (less than n only
 * at the end of the file), or -errno. */
ssize_t ts__io_read_full(int fd, void *buf, size_t n);

/* An errno as a tiersim code: ENOSPC/EDQUOT -> TS_ENOSPC, ENOENT -> TS_ENOENT, else TS_EIO. */
int ts__io_code(int sys_errno);

#endif
