/* SPDX-License-Identifier: MIT */
/*
 * io.h - files for every folder: an input that reads a plain or zstd-compressed file the
 * same way, an atomic output file, mkdir -p, one file written through a stream, the table
 * of the process's live temporary files, and the write-fault hook of the tests.
 *
 * Input: ts_zin_open() looks at the first four bytes: the zstd frame magic (28 B5 2F FD)
 * makes every later read go through a libzstd decompression stream, anything else is read
 * as it is. Reads are buffered (128 KiB of compressed input plus what the caller asks for);
 * memory is constant whatever the file's length.
 * Output: ts_afile_open() creates "<path>.tmp.XXXXXX" beside path (O_EXCL, mode from the
 * umask; a name too long for NAME_MAX with that suffix is shortened and a hash of it
 * added); writes are plain; ts_afile_commit() fsyncs, closes, renames over path and syncs
 * the directory, so a reader never sees a half-written file; ts_afile_discard() removes
 * the temporary file unless committed. ts_afile_compress() streams one file's bytes into
 * another through libzstd. An output only ever replaces a regular file or makes a new one:
 * a directory, device, FIFO or socket at path is an error, checked when the file is opened
 * and again just before the rename. A symbolic link at path is replaced by the file, its
 * target left alone (rename(2)); one leading to anything but a regular file is refused.
 * Every temporary file is in the live table while it exists, so an interrupted process can
 * remove them all (ts_io_live_remove_all, from a signal handler).
 */
#ifndef TS_SIM_UTIL_IO_H
#define TS_SIM_UTIL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
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
    int live;       /* its slot in the live table (ts_io_live_add); 0: none */
} ts_afile_t;

/* Creates the temporary file of path. what names the file in messages ("trace").
 * Returns 0; TS_EINVAL (an empty path, or a file name longer than NAME_MAX), TS_EIO (a
 * directory, device, FIFO or socket at path: "cannot write trace 'x': it is a FIFO, not a
 * regular file"), TS_ENOENT (no such directory), TS_ENOSPC, TS_EIO, TS_ENOMEM. */
int ts_afile_open(ts_afile_t *f, const char *path, const char *what, ts_err_t *err);
/* Writes all n bytes at the current position (one write for the fault hook). Returns 0,
 * TS_ENOSPC or TS_EIO. */
int ts_afile_write(ts_afile_t *f, const void *buf, size_t n, const char *what, ts_err_t *err);
/* fsync (one write for the fault hook), close, check path again (ts_io_check_target),
 * rename over path, sync the directory. A file written by another library through f->tmp
 * (with fd closed, set to -1) is reopened to be synced. Signals are held while the file is
 * renamed and leaves the live table. Returns 0 or TS_ENOSPC / TS_EIO (the temporary file is
 * then removed). */
int ts_afile_commit(ts_afile_t *f, const char *what, ts_err_t *err);
/* Commits n files as one set: each is synced and closed (one write each for the fault
 * hook), every path checked again, then, signals held, each file a path already holds is
 * kept as a hard link "<tmp>.old" and the set renamed in order (one write each for the hook
 * when n > 1); a rename failing midway puts back the files renamed before it (or removes
 * them where there was none), so the paths hold the whole old set or the whole new one.
 * On any failure every temporary file is removed and the error names the file. Only a
 * SIGKILL between two renames, or a file system without hard links, can leave a mix.
 * ts_afile_commit is this with n = 1. At most TS_IO_SET_MAX files (else TS_EINVAL).
 * Returns 0, TS_ENOSPC or TS_EIO. */
int ts_afile_commit_set(ts_afile_t *const *fs, size_t n, const char *what, ts_err_t *err);
/* Closes and removes the temporary file unless committed; frees. Accepts a zeroed one. */
void ts_afile_discard(ts_afile_t *f);

/* ---- a set of files renamed into place as one ---- */
#define TS_IO_SET_MAX 16 /* files in one set */

/* One file of a set: its complete temporary file, its target and live-table entry. */
typedef struct ts_io_rename {
    const char *tmp, *path;
    int live;        /* dropped (0) once renamed */
    bool had_file;   /* out: path held a file */
    bool has_old;    /* out, while renaming: "<tmp>.old" kept it as a hard link */
    bool is_renamed; /* out: tmp is now path */
} ts_io_rename_t;

/* Renames set[0..n) into place with signals held: with n > 1, each file a path holds is
 * first kept as a hard link "<tmp>.old", each rename counts as a write for the fault hook,
 * and a rename failing midway puts back the files renamed before it (or removes them where
 * there was none). The links are removed at the end. Returns 0 or the errno of the failure,
 * *bad the file it names. The paths are checked by the caller (ts_io_check_target). */
int ts_io_rename_set(ts_io_rename_t *set, size_t n, size_t *bad);

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

/* The room the filesystem holding dir offers tiersim's scratch data: *usable = nine tenths
 * of what an unprivileged user may still write there (a tenth is left alone), *total = its
 * size (either may be NULL). Returns 0, or TS_ENOENT / TS_EIO (statvfs's errno, naming
 * dir). */
int ts_io_room(const char *dir, uint64_t *usable, uint64_t *total, ts_err_t *err);

/* Fills the stream of one output file; write errors are found afterwards (ferror). */
typedef void (*ts_file_body_fn)(FILE *f, const void *ctx);

/* Writes path in full through a temporary file beside it, renamed into place (the atomic
 * file above); what names the file in messages ("plot data"). Two writes for the fault
 * hook: the stream's flush, then the commit's sync. Returns 0, or TS_EINVAL, TS_ENOENT,
 * TS_ENOSPC, TS_ENOMEM or TS_EIO naming path, which is then left untouched. */
int ts_file_write(const char *path, const char *what, ts_file_body_fn body, const void *ctx,
                  ts_err_t *err);
/* The first half of ts_file_write: opens af on path and writes body through a stream, one
 * write for the fault hook; the file is left for ts_afile_commit or ts_afile_commit_set,
 * then ts_afile_discard. On failure af is discarded already. Returns as ts_file_write. */
int ts_afile_write_body(ts_afile_t *af, const char *path, const char *what,
                        ts_file_body_fn body, const void *ctx, ts_err_t *err);

/* Whether path may be written: 0 when nothing is there, or a regular file, or a symbolic
 * link to a regular file or to nothing (the link is what a rename replaces); else TS_EIO
 * naming what is there ("cannot write <what> '<path>': it is a character device, not a
 * regular file"). Used by the atomic file and by reports/files.c before writing and just
 * before renaming. */
int ts_io_check_target(const char *path, const char *what, ts_err_t *err);

/* ---- the live temporary files of the process ----
 * One process-wide table (the library's only mutable global besides the per-thread test
 * hooks) of the temporary files and scratch directories that exist right now, so that a
 * signal handler can remove them before the process exits. Its slots change hands through
 * lock-free atomics only, so threads (OpenMP) and a handler may use it at any time; adding
 * to a full table is silently not done (that file alone would be left after a signal). */
#define TS_IO_LIVE_MAX 32         /* live entries at once */
#define TS_IO_LIVE_TARGET_MAX 512 /* bytes of a target kept for the message (fitted) */

/* Adds path (copied; a file, or with is_dir a directory removed after the files) standing
 * for target (the output the user named, for the message; NULL: path). Returns its id for
 * ts_io_live_drop, or 0 when it could not be added (table full, path too long). */
int ts_io_live_add(const char *path, const char *target, bool is_dir);
/* Drops entry id (0: none) once its file is renamed or removed. */
void ts_io_live_drop(int id);
/* Async-signal-safe: removes every live file (unlink), then every live directory with the
 * entries in it (a scratch directory holds files only).
 * *first (may be NULL) receives the target of the first live file (or directory) or NULL
 * when none; *n_others (may be NULL) the count of other distinct targets (a temporary
 * file standing for another temporary file is not counted). Returns the entries removed. */
size_t ts_io_live_remove_all(const char **first, size_t *n_others);
/* Blocks SIGINT, SIGTERM and SIGHUP on the calling thread (the old mask into *old) and
 * marks a commit in progress, so a rename and its ts_io_live_drop, or the renames of a set,
 * happen as one for a handler; ts_io_release_signals restores the mask, and the last
 * release re-raises a signal a handler put off meanwhile (ts_io_signal_defer). Nests. */
void ts_io_hold_signals(sigset_t *old);
void ts_io_release_signals(const sigset_t *old);
/* For a signal handler, first thing (async-signal-safe): 1 when a commit is in progress on
 * some thread, sig is then kept and raised again when it ends, and the handler returns at
 * once; 0 when the handler goes on (remove the live files, exit). A signal delivered to a
 * thread other than the committing one is so put off too. */
int ts_io_signal_defer(int sig);

/* ---- the write-fault hook (tests) ----
 * Like ts_mem_fail_after for the heap: the write after n successful ones fails with errno
 * sys_errno (<= 0: EIO), and so does every write after it, until the hook is set again;
 * n < 0 switches it off (the default). Per thread. A "write" is one of: a call of
 * ts_afile_write; the sync of each file ts_afile_commit(_set) commits, and each rename of
 * a set of more than one; the flush of ts_file_write's (ts_afile_write_body's) stream; and
 * in reports/files.c the flush of each file of a set, then each rename of its commit. So every
 * file a verb writes can be made to fail with ENOSPC or EIO. A child tiersim built with
 * TS_DEBUG (Debug and sanitizer builds) reads TS_IO_FAIL_AFTER=N:ERRNO once at start-up
 * (ts_io_fail_spec). */
void ts_io_fail_after(long n, int sys_errno);
/* Writes that succeeded on this thread since the hook was last set. */
long ts_io_write_count(void);
/* Counts one write: 0 to go on, or the errno it must fail with. For writers of files. */
int ts_io_fault(void);
/* Sets the hook from "N:ERRNO" (ERRNO: ENOSPC, EIO, EDQUOT, EFBIG, EROFS, EACCES, EPERM,
 * ENOENT or ENOMEM). Returns 0 or TS_EINVAL saying what it expected. */
int ts_io_fail_spec(const char *spec, ts_err_t *err);

#endif
