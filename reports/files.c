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
 * file or a new complete one, and a set is never half replaced: a directory in the way of a
 * file, the one thing that makes a rename fail once its temporary file is written, is
 * refused before anything is written.
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
    char tmp[PATH_MAX];       /* temporary path: <dir>/.<name>.XXXXXX */
} files_out_t;

void ts_report_warn(ts_report_warn_t *w, const char *file, const char *fmt, ...)
{
    if (w->n++)
        return;
    int used = snprintf(w->msg, sizeof(w->msg), "%s: ", file);
    if (used < 0 || (size_t)used >= sizeof(w->msg))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg + used, sizeof(w->msg) - (size_t)used, fmt, ap);
    va_end(ap);
}

/* ts_err_sys for a path: "'<path>': <what>: <strerror>". */
static int files_sys(ts_err_t *err, int sys_errno, const char *path, const char *what)
{
    return ts_err_sys(err, ts_io_code(sys_errno), sys_errno, "'%s': %s", path, what);
}

/* Writes o->tmp in full and syncs it; on failure nothing is left on disk. */
static int files_write_tmp(const ts_report_in_t *in, files_out_t *o, const char *path,
                           ts_report_warn_t *warn, ts_err_t *err)
{
    int fd = mkstemp(o->tmp);
    if (fd < 0)
        return files_sys(err, errno, path, "cannot create temporary file");
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
    if (fsync(fileno(f)) != 0) {
        rc = files_sys(err, errno, path, "cannot sync");
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
    unlink(o->tmp);
    o->has_tmp = false;
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
    struct stat sb;
    for (size_t i = 0; i < n_outs && !rc; i++) {
        files_out_t *o = &outs[i];
        const char *name = o->w->files[o->file];
        int n1 = snprintf(path, sizeof(path), "%s/%s", dir, name);
        int n2 = snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX", dir, name);
        if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(path) || (size_t)n2 >= sizeof(o->tmp))
            rc = ts_err_set(err, TS_EINVAL, "'%s/%s': path too long", dir, name);
        else if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            /* its rename would fail after earlier ones succeeded: refuse the set first */
            rc = files_sys(err, EISDIR, path, "cannot replace a directory with a file");
    }
    for (size_t i = 0; i < n_outs && !rc; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, outs[i].w->files[outs[i].file]);
        rc = files_write_tmp(in, &outs[i], path, warn, err);
    }
    /* Rename only when every file is complete; after a failure remove what is left. */
    for (size_t i = 0; i < n_outs; i++) {
        files_out_t *o = &outs[i];
        if (!o->has_tmp)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, o->w->files[o->file]); /* fits: see above */
        if (!rc && rename(o->tmp, path) != 0)
            rc = files_sys(err, errno, path, "cannot rename temporary file into place");
        else if (!rc)
            o->has_tmp = false;
        if (o->has_tmp) {
            unlink(o->tmp);
            o->has_tmp = false;
        }
    }
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
