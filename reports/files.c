/* SPDX-License-Identifier: MIT */
/*
 * files.c - writes a set of report writers' files into an output directory, atomically as
 * one set (see writer.h).
 *
 * The directory is created when missing (every missing parent too, like mkdir -p). Each
 * file is first written in full to a temporary file beside it (".<name>.XXXXXX", mode
 * 0644) by its writer's write op, flushed and fsync'ed; only when every file of the set is
 * complete are they renamed into place, then the directory is fsync'ed so the renames last.
 * A failure removes the temporary files, so a reader only ever sees a previous complete
 * file or a new complete one, and a set is never half replaced: anything but a regular file
 * in the way (a directory, FIFO, device, socket) is refused before anything is written and
 * checked again before the renames; while they run, each previous file is kept as a hard
 * link, so a rename failing midway puts the earlier ones back (files_commit). Temporary
 * files are in the live table of sim/util/io.h (removed if the process is interrupted).
 * Cost: one temporary file per file; no heap allocation here (the set's bookkeeping lives
 * on the stack, at most TS_REPORT_SET_FILES files), only the writers'.
 */
#include "writer.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/util/io.h"

typedef struct files_out {
    const ts_report_ops_t *w; /* its writer */
    size_t file;              /* index in w->files */
    bool has_tmp;             /* tmp exists on disk and must be renamed or removed */
    int live;                 /* tmp's entry in the live table (sim/util/io.h); 0: none */
    char tmp[PATH_MAX];       /* temporary path: <dir>/.<name>.XXXXXX */
    char path[PATH_MAX];      /* while committing: <dir>/<name> */
} files_out_t;

void ts_report_warn(ts_report_warn_t *w, const char *file, const char *fmt, ...)
{
    if (w->n++)
        return;
    char work[4096]; /* fitted into w->msg: a long name loses its middle, not the end */
    int used = snprintf(work, sizeof(work) / 2, "%s: ", file);
    if (used < 0 || (size_t)used >= sizeof(work) / 2)
        used = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(work + used, sizeof(work) - (size_t)used, fmt, ap);
    va_end(ap);
    ts_err_fit(w->msg, sizeof(w->msg), work);
}

/* ts_err_sys for a path: "'<path>': <what>: <strerror>". */
static int files_sys(ts_err_t *err, int sys_errno, const char *path, const char *what)
{
    return ts_err_sys(err, ts_io_code(sys_errno), sys_errno, "'%s': %s", path, what);
}

/* Removes o's temporary file, then its entry in the live table. */
static void files_drop_tmp(files_out_t *o)
{
    if (o->has_tmp)
        unlink(o->tmp);
    o->has_tmp = false;
    ts_io_live_drop(o->live);
    o->live = 0;
}

/* Writes o->tmp in full and syncs it; on failure nothing is left on disk. */
static int files_write_tmp(const ts_report_in_t *in, files_out_t *o, const char *path,
                           ts_report_warn_t *warn, ts_err_t *err)
{
    sigset_t old;
    ts_io_hold_signals(&old); /* created and in the live table as one, for a handler */
    int fd = mkstemp(o->tmp), made_errno = errno;
    if (fd >= 0)
        o->live = ts_io_live_add(o->tmp, path, false);
    ts_io_release_signals(&old);
    if (fd < 0)
        return files_sys(err, made_errno, path, "cannot create temporary file");
    o->has_tmp = true;
    FILE *f = NULL, *done;
    ts_err_t le = {0};
    int rc;
    /* mkstemp makes the file 0600; results are meant to be shared like any output. */
    if (fchmod(fd, 0644) != 0) {
        rc = files_sys(err, errno, path, "cannot set permissions");
        goto fail;
    }
    f = fdopen(fd, "w");
    if (!f) {
        rc = files_sys(err, errno, path, "cannot open temporary file");
        goto fail;
    }
    fd = -1; /* owned by f now */

    rc = o->w->write(in, o->file, f, warn, &le);
    if (rc) {
        int code = rc == TS_EIO && le.sys_errno ? ts_io_code(le.sys_errno) : rc;
        rc = ts_err_set(err, code, "'%s': %s", path, le.msg);
        if (err && err->code == code && !err->sys_errno)
            err->sys_errno = le.sys_errno;
        goto fail;
    }
    int e = ts_io_fault(); /* the test hook: this file's write fails */
    if (e || fsync(fileno(f)) != 0) {
        rc = e ? files_sys(err, e, path, "cannot write") : files_sys(err, errno, path,
                                                                     "cannot sync");
        goto fail;
    }
    done = f;
    f = NULL;
    if (fclose(done) != 0) {
        rc = files_sys(err, errno, path, "cannot close");
        goto fail;
    }
    return 0;

fail:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    files_drop_tmp(o);
    return rc;
}

/* Makes the renames durable. Some file systems cannot sync a directory (EINVAL): the files
 * are complete either way, so that is not an error. */
static int files_sync_dir(const char *dir, ts_err_t *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return files_sys(err, errno, dir, "cannot open output directory to sync it");
    int rc = 0;
    if (fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP)
        rc = files_sys(err, errno, dir, "cannot sync output directory");
    close(fd);
    return rc;
}

/* Renames every temporary file of the set into place, as one (ts_io_rename_set): the paths
 * are checked again (ts_io_check_target); each previous file is kept meanwhile as a hard
 * link <tmp>.old, so a rename failing midway puts the earlier ones back; signals are held
 * throughout, so an interrupted process never leaves half a set. On a file system without
 * hard links a previous file cannot be kept, and only a rename failing midway could then
 * leave the earlier files renamed. Returns 0 or the error naming the file. */
static int files_commit(files_out_t *outs, size_t n, const char *dir, ts_err_t *err)
{
    ts_io_rename_t set[TS_REPORT_SET_FILES];
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        files_out_t *o = &outs[i];
        snprintf(o->path, sizeof(o->path), "%s/%s", dir, o->w->files[o->file]); /* planned */
        rc = ts_io_check_target(o->path, "results file", err);
        set[i] = (ts_io_rename_t){.tmp = o->tmp, .path = o->path, .live = o->live};
    }
    size_t bad = 0;
    int e = rc ? 0 : ts_io_rename_set(set, n, &bad);
    for (size_t i = 0; i < n && !rc; i++) {
        outs[i].has_tmp = e != 0; /* after a failure the caller removes what is left */
        outs[i].live = set[i].live;
    }
    if (e)
        rc = files_sys(err, e, outs[bad].path, "cannot rename temporary file into place");
    return rc;
}

/* Lists the files the writers write for in into outs; checks the set. */
static int files_plan(const ts_report_in_t *in, const ts_report_ops_t *const *writers,
                      size_t n, files_out_t *outs, size_t *n_outs, ts_err_t *err)
{
    *n_outs = 0;
    for (size_t i = 0; i < n; i++) {
        const ts_report_ops_t *w = writers[i];
        if (!w)
            return ts_err_set(err, TS_EINVAL, "write results: report writer %zu is NULL", i);
        if (in->n_runs != 1 && !(w->base.flags & TS_REPORT_MANY_RUNS))
            return ts_err_set(err, TS_EINVAL, "report writer %s writes one run, not %zu",
                              w->base.name, in->n_runs);
        for (size_t f = 0; f < TS_REPORT_MAX_FILES && w->files[f]; f++) {
            if (w->has_file && !w->has_file(in, f))
                continue;
            for (size_t k = 0; k < *n_outs; k++)
                if (!strcmp(outs[k].w->files[outs[k].file], w->files[f]))
                    return ts_err_set(err, TS_EINVAL,
                                      "report writers %s and %s both write '%s'",
                                      outs[k].w->base.name, w->base.name, w->files[f]);
            if (*n_outs == TS_REPORT_SET_FILES)
                return ts_err_set(err, TS_EINVAL, "write results: more than %d files",
                                  TS_REPORT_SET_FILES);
            files_out_t *o = &outs[(*n_outs)++];
            o->w = w;
            o->file = f;
            o->has_tmp = false;
            o->live = 0;
        }
    }
    return 0;
}

int ts_report_write_dir(const ts_report_in_t *in, const ts_report_ops_t *const *writers,
                        size_t n, const char *dir, ts_report_warn_t *warn, ts_err_t *err)
{
    ts_report_warn_t none;
    if (!warn)
        warn = &none;
    memset(warn, 0, sizeof(*warn));
    if (!in || (n && !writers) || !dir || !dir[0])
        return ts_err_set(err, TS_EINVAL, "write results: no output directory");
    files_out_t outs[TS_REPORT_SET_FILES];
    size_t n_outs;
    int rc = files_plan(in, writers, n, outs, &n_outs, err);
    if (rc || n_outs == 0)
        return rc;
    rc = ts_mkdir_p(dir, err);
    if (rc)
        return rc;

    char path[PATH_MAX];
    for (size_t i = 0; i < n_outs && !rc; i++) {
        files_out_t *o = &outs[i];
        const char *name = o->w->files[o->file];
        int n1 = snprintf(path, sizeof(path), "%s/%s", dir, name);
        int n2 = snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX", dir, name);
        if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(path) || (size_t)n2 >= sizeof(o->tmp))
            rc = ts_err_set(err, TS_EINVAL, "'%s/%s': path too long", dir, name);
        else /* a directory, device, FIFO or socket in the way: refuse the set first */
            rc = ts_io_check_target(path, "results file", err);
    }
    for (size_t i = 0; i < n_outs && !rc; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, outs[i].w->files[outs[i].file]);
        rc = files_write_tmp(in, &outs[i], path, warn, err);
    }
    /* Rename only when every file is complete; after a failure remove what is left. */
    if (!rc)
        rc = files_commit(outs, n_outs, dir, err);
    for (size_t i = 0; i < n_outs; i++)
        files_drop_tmp(&outs[i]);
    return rc ? rc : files_sync_dir(dir, err);
}

int ts_report_write_run(const ts_result_t *res, const ts_report_ops_t *const *writers,
                        size_t n, const char *dir, ts_report_warn_t *warn, ts_err_t *err)
{
    if (!res)
        return ts_err_set(err, TS_EINVAL, "write results: no result");
    const ts_result_t *one[] = {res};
    const ts_report_in_t in = {.runs = one, .n_runs = 1};
    return ts_report_write_dir(&in, writers, n, dir, warn, err);
}
