/* SPDX-License-Identifier: MIT */
/*
 * io.h - files for every folder: an input that reads a plain or zstd-compressed file the
 * same way, an atomic output file, mkdir -p, and one file written through a stream.
 *
 * Input: ts_zin_open() looks at the first four bytes: the zstd frame magic (28 B5 2F FD)
 * makes every later read go through a libzstd decompression stream, anything else is read
 * as it is. Reads are buffered (128 KiB of compressed input plus what the caller asks for);
 * memory is constant whatever the file's length.
 * Output: ts_afile_open() creates "<path>.tmp.XXXXXX" beside path (O_EXCL, mode from the
 * umask); writes are plain; ts_afile_commit() fsyncs, closes, renames over path and syncs
 * the directory, so a reader never sees a half-written file; ts_afile_discard() removes
 * the temporary file unless committed. ts_afile_compress() streams one file's bytes into
 * another through libzstd.
 */
#ifndef TS_SIM_UTIL_IO_H
#define TS_SIM_UTIL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"

typedef struct ts_zin {
    int fd;              /* the open file */
    bool is_zstd;        /* the file is a zstd stream */
    void *dstream;       /* ZSTD_DStream *, when is_zstd */
    unsigned char *in;   /* compressed bytes read ahead */
    size_t in_len;       /* valid bytes in `in` */
    size_t in_pos;       /* bytes of `in` consumed */
    bool in_eof;         /* the file has no more bytes */
    bool frame_done;     /* the last decompression call ended a frame */
    const char *path;    /* for messages (borrowed) */
} ts_zin_t;

/* Opens path for reading (path is borrowed for messages and must outlive the stream).
 * Returns 0, TS_ENOENT, TS_EIO or TS_ENOMEM; messages name the path. */
int ts_zin_open(ts_zin_t *z, const char *path, ts_err_t *err);
/* Reads up to n bytes into buf: the count (less than n only at the end), or a negative
 * error: TS_EIO (the file) or TS_EFORMAT (corrupt or truncated compressed data). */
ssize_t ts_zin_read(ts_zin_t *z, void *buf, size_t n, ts_err_t *err);
/* Goes back to the first byte. Returns 0 or TS_EIO. */
int ts_zin_rewind(ts_zin_t *z, ts_err_t *err);
void ts_zin_close(ts_zin_t *z); /* also after a failed open; not on a zeroed struct */

typedef struct ts_afile {
    int fd;         /* the temporary file; -1 once closed */
    char *path;     /* the target (owned) */
    char *tmp;      /* the temporary file's name (owned) */
    bool committed; /* renamed into place */
} ts_afile_t;

/* Creates the temporary file of path. what names the file in messages ("trace").
 * Returns 0; TS_ENOENT (no such directory), TS_ENOSPC, TS_EIO, TS_ENOMEM. */
int ts_afile_open(ts_afile_t *f, const char *path, const char *what, ts_err_t *err);
/* Writes all n bytes at the current position. Returns 0, TS_ENOSPC or TS_EIO. */
int ts_afile_write(ts_afile_t *f, const void *buf, size_t n, const char *what, ts_err_t *err);
/* fsync, close, rename over path, sync the directory. A file written by another library
 * through f->tmp (with fd closed, set to -1) is reopened to be synced. Returns 0 or
 * TS_ENOSPC / TS_EIO (the temporary file is then removed). */
int ts_afile_commit(ts_afile_t *f, const char *what, ts_err_t *err);
/* Closes and removes the temporary file unless committed; frees. Accepts a zeroed one. */
void ts_afile_discard(ts_afile_t *f);

/* Compresses the bytes of the open file src_fd (from offset 0 to its end) into dst with
 * zstd at level. Returns 0, TS_EIO, TS_ENOSPC or TS_ENOMEM. */
int ts_afile_compress(int src_fd, ts_afile_t *dst, int level, const char *what, ts_err_t *err);

/* Reads up to n bytes from fd, retrying short reads and EINTR: the count (less than n only
 * at the end of the file), or -errno. */
ssize_t ts_io_read_full(int fd, void *buf, size_t n);

/* An errno as a tiersim code: ENOSPC/EDQUOT -> TS_ENOSPC, ENOENT -> TS_ENOENT, ENOMEM ->
 * TS_ENOMEM, else TS_EIO. */
int ts_io_code(int sys_errno);

/* mkdir -p: creates dir and its missing parents, then checks that dir is a directory.
 * Returns 0, TS_ENOENT, TS_ENOSPC, TS_ENOMEM, TS_EINVAL (name too long) or TS_EIO. */
int ts_mkdir_p(const char *dir, ts_err_t *err);

/* Fills the stream of one output file; write errors are found afterwards (ferror). */
typedef void (*ts_file_body_fn)(FILE *f, const void *ctx);

/* Writes path in full through a temporary file beside it, renamed into place (the atomic
 * file above); what names the file in messages ("plot data"). Returns 0, or TS_ENOENT,
 * TS_ENOSPC, TS_ENOMEM or TS_EIO naming path, which is then left untouched. */
int ts_file_write(const char *path, const char *what, ts_file_body_fn body, const void *ctx,
                  ts_err_t *err);

#endif
