/* SPDX-License-Identifier: MIT */
/*
 * files.c - writes the requested result files into an output directory, atomically.
 *
 * The directory is created when missing (every missing parent too, like mkdir -p). Each
 * file is first written in full to a temporary file beside it (".<name>.XXXXXX", mode
 * 0644), flushed and fsync'ed; only when every requested file is complete are they renamed
 * into place, then the directory is fsync'ed so the renames last. A failure removes the
 * temporary files, so a reader only ever sees a previous complete file or a new complete
 * one. result.json is written without timing (deterministic); report.txt includes the wall
 * time when the result has one.
 * Other writers share two helpers from here (fmt_internal.h): the mkdir -p, and one file
 * written through a stream and renamed into place (ts_file_write, over traces/io.c's
 * atomic file).
 * Cost: four small files; no heap allocation apart from the JSON and HDF5 writers'.
 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/util/mem.h"
#include "../sim/util/io.h"
#include "../sim/util/fmt.h"
#include "h5_internal.h"

typedef int (*files_writer_fn)(const ts_result_t *res, FILE *out, ts_err_t *err);

typedef struct files_out {
    const char *name;       /* file name inside the directory */
    files_writer_fn write;  /* fills the open temporary file */
    bool is_wanted;         /* asked for by the caller */
    bool has_tmp;           /* tmp exists on disk and must be renamed or removed */
    char tmp[PATH_MAX];     /* temporary path */
    char path[PATH_MAX];    /* final path */
} files_out_t;

static int files_json(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    return ts_report_json(res, false, out, err);
}

/* result.h5: the file's bytes, built in memory, then written like any other. */
static int files_h5(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    void *image;
    size_t size;
    int rc = ts__report_h5_image(&res, 1, &image, &size, err);
    if (rc)
        return rc;
    errno = 0;
    if (fwrite(image, 1, size, out) != size || fflush(out) != 0) {
        int e = errno;
        rc = ts_err_sys(err, TS_EIO, e ? e : EIO, "hdf5: write failed");
    }
    ts_free(image);
    return rc;
}

/* ts_err_sys for a path: "'<path>': <what>: <strerror>". */
static int files_sys(ts_err_t *err, int sys_errno, const char *path, const char *what)
{
    return ts_err_sys(err, ts_io_code(sys_errno), sys_errno, "'%s': %s", path, what);
}

/* Writes o->tmp in full and syncs it; on failure nothing is left on disk. */
static int files_write_tmp(const ts_result_t *res, files_out_t *o, ts_err_t *err)
{
    int fd = mkstemp(o->tmp);
    if (fd < 0)
        return files_sys(err, errno, o->path, "cannot create temporary file");
    o->has_tmp = true;
    FILE *f = NULL, *done;
    ts_err_t le = {0};
    int rc;
    /* mkstemp makes the file 0600; results are meant to be shared like any output. */
    if (fchmod(fd, 0644) != 0) {
        rc = files_sys(err, errno, o->path, "cannot set permissions");
        goto fail;
    }
    f = fdopen(fd, "w");
    if (!f) {
        rc = files_sys(err, errno, o->path, "cannot open temporary file");
        goto fail;
    }
    fd = -1; /* owned by f now */

    rc = o->write(res, f, &le);
    if (rc) {
        int code = rc == TS_EIO && le.sys_errno ? ts_io_code(le.sys_errno) : rc;
        rc = ts_err_set(err, code, "'%s': %s", o->path, le.msg);
        if (err && err->code == code && !err->sys_errno)
            err->sys_errno = le.sys_errno;
        goto fail;
    }
    if (fsync(fileno(f)) != 0) {
        rc = files_sys(err, errno, o->path, "cannot sync");
        goto fail;
    }
    done = f;
    f = NULL;
    if (fclose(done) != 0) {
        rc = files_sys(err, errno, o->path, "cannot close");
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

int ts_report_write_dir(const ts_result_t *res, const char *dir, bool json, bool csv,
                        bool text, bool hdf5, ts_err_t *err)
{
    if (!res || !dir || !dir[0])
        return ts_err_set(err, TS_EINVAL, "write results: no output directory");
    files_out_t outs[] = {
        {.name = "result.json", .write = files_json, .is_wanted = json},
        {.name = "tiers.csv", .write = ts_report_csv, .is_wanted = csv},
        {.name = "cost.csv", .write = ts_report_cost_csv, .is_wanted = csv && res->has_cost},
        {.name = "report.txt", .write = ts_report_text, .is_wanted = text},
        {.name = "result.h5", .write = files_h5, .is_wanted = hdf5},
    };
    const size_t n_outs = sizeof(outs) / sizeof(outs[0]);
    if (!json && !csv && !text && !hdf5)
        return 0;
    int rc = ts_mkdir_p(dir, err);
    if (rc)
        return rc;

    for (size_t i = 0; i < n_outs && !rc; i++) {
        files_out_t *o = &outs[i];
        if (!o->is_wanted)
            continue;
        int n1 = snprintf(o->path, sizeof(o->path), "%s/%s", dir, o->name);
        int n2 = snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX", dir, o->name);
        if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(o->path) || (size_t)n2 >= sizeof(o->tmp))
            rc = ts_err_set(err, TS_EINVAL, "'%s/%s': path too long", dir, o->name);
        else
            rc = files_write_tmp(res, o, err);
    }
    /* Rename only when every file is complete; after a failure remove what is left. */
    for (size_t i = 0; i < n_outs; i++) {
        files_out_t *o = &outs[i];
        if (!o->has_tmp)
            continue;
        if (!rc && rename(o->tmp, o->path) != 0)
            rc = files_sys(err, errno, o->path, "cannot rename temporary file into place");
        else if (!rc)
            o->has_tmp = false;
        if (o->has_tmp) {
            unlink(o->tmp);
            o->has_tmp = false;
        }
    }
    return rc ? rc : files_sync_dir(dir, err);
}
