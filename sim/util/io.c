/* SPDX-License-Identifier: MIT */
/*
 * io.c - plain or zstd input streams and atomic output files (see io.h).
 */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "mem.h"

#define ZIN_BUF (128u * 1024u)
#define IO_COPY (256u * 1024u)

static const unsigned char k_zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

int ts_io_code(int sys_errno)
{
    switch (sys_errno) {
    case ENOSPC:
    case EDQUOT:
        return TS_ENOSPC;
    case ENOENT:
        return TS_ENOENT;
    case ENOMEM:
        return TS_ENOMEM;
    default:
        return TS_EIO;
    }
}

ssize_t ts_io_read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}

/* ---- input ---- */

int ts_zin_open(ts_zin_t *z, const char *path, ts_err_t *err)
{
    memset(z, 0, sizeof(*z));
    z->path = path;
    z->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (z->fd < 0) {
        int e = errno;
        return ts_err_sys(err, e == ENOENT ? TS_ENOENT : TS_EIO, e, "cannot open '%s'", path);
    }
    unsigned char head[4];
    ssize_t got = ts_io_read_full(z->fd, head, sizeof(head));
    if (got < 0 || lseek(z->fd, 0, SEEK_SET) != 0) {
        int e = got < 0 ? (int)-got : errno;
        ts_zin_close(z);
        return ts_err_sys(err, TS_EIO, e, "cannot read '%s'", path);
    }
    z->is_zstd = got == 4 && memcmp(head, k_zstd_magic, 4) == 0;
    if (!z->is_zstd)
        return 0;
    z->dstream = ZSTD_createDStream();
    z->in = ts_malloc(ZIN_BUF);
    if (!z->dstream || !z->in) {
        ts_zin_close(z);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate a zstd stream for '%s'", path);
    }
    ZSTD_initDStream(z->dstream);
    return 0;
}

ssize_t ts_zin_read(ts_zin_t *z, void *buf, size_t n, ts_err_t *err)
{
    if (!z->is_zstd) {
        ssize_t got = ts_io_read_full(z->fd, buf, n);
        if (got < 0)
            return ts_err_sys(err, TS_EIO, (int)-got, "cannot read '%s'", z->path);
        return got;
    }
    ZSTD_outBuffer out = {buf, n, 0};
    while (out.pos < out.size) {
        if (z->in_pos == z->in_len && !z->in_eof) {
            ssize_t got = ts_io_read_full(z->fd, z->in, ZIN_BUF);
            if (got < 0)
                return ts_err_sys(err, TS_EIO, (int)-got, "cannot read '%s'", z->path);
            z->in_len = (size_t)got;
            z->in_pos = 0;
            z->in_eof = got == 0;
        }
        if (z->in_eof && z->in_pos == z->in_len) {
            if (!z->frame_done)
                return ts_err_set(err, TS_EFORMAT,
                                  "'%s': the zstd stream ends in the middle of a frame",
                                  z->path);
            break;
        }
        ZSTD_inBuffer in = {z->in, z->in_len, z->in_pos};
        size_t r = ZSTD_decompressStream(z->dstream, &out, &in);
        z->in_pos = in.pos;
        if (ZSTD_isError(r))
            return ts_err_set(err, TS_EFORMAT, "'%s': corrupt zstd data (%s)", z->path,
                              ZSTD_getErrorName(r));
        z->frame_done = r == 0;
    }
    return (ssize_t)out.pos;
}

int ts_zin_rewind(ts_zin_t *z, ts_err_t *err)
{
    if (lseek(z->fd, 0, SEEK_SET) != 0)
        return ts_err_sys(err, TS_EIO, errno, "cannot rewind '%s'", z->path);
    z->in_len = z->in_pos = 0;
    z->in_eof = false;
    z->frame_done = false;
    if (z->is_zstd)
        ZSTD_DCtx_reset(z->dstream, ZSTD_reset_session_only);
    return 0;
}

void ts_zin_close(ts_zin_t *z)
{
    if (z->fd >= 0)
        close(z->fd);
    z->fd = -1;
    ZSTD_freeDStream(z->dstream);
    z->dstream = NULL;
    ts_free(z->in);
    z->in = NULL;
}

/* ---- output ---- */

/* Creates the temporary file with O_EXCL (so the mode follows the umask, unlike mkstemp)
 * under a name whose last six characters come from the clock, the pid and the attempt. */
static int afile_create_tmp(ts_afile_t *f, const char *what, ts_err_t *err)
{
    static const char k_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t n = strlen(f->tmp);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 20 ^
                 (uint64_t)(uintptr_t)f;
    for (int attempt = 0; attempt < 100; attempt++) {
        x += 0x9e3779b97f4a7c15ULL;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        for (size_t i = 0; i < 6; i++, z /= 62)
            f->tmp[n - 6 + i] = k_chars[z % 62];
        f->fd = open(f->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f->fd >= 0)
            return 0;
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    return ts_err_sys(err, ts_io_code(e), e, "cannot create %s '%s'", what, f->path);
}

int ts_afile_open(ts_afile_t *f, const char *path, const char *what, ts_err_t *err)
{
    memset(f, 0, sizeof(*f));
    f->fd = -1;
    size_t n = strlen(path);
    f->path = ts_strdup(path);
    f->tmp = ts_malloc(n + sizeof(".tmp.XXXXXX"));
    if (!f->path || !f->tmp) {
        ts_afile_discard(f);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the writer of '%s'", path);
    }
    memcpy(f->tmp, path, n);
    memcpy(f->tmp + n, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
    int rc = afile_create_tmp(f, what, err);
    if (rc)
        ts_afile_discard(f);
    return rc;
}

int ts_afile_write(ts_afile_t *f, const void *buf, size_t n, const char *what, ts_err_t *err)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(f->fd, (const char *)buf + done, n - done);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            return ts_err_sys(err, ts_io_code(e) == TS_ENOSPC ? TS_ENOSPC : TS_EIO, e,
                              "cannot write %s '%s'", what, f->path);
        }
        done += (size_t)k;
    }
    return 0;
}

/* Makes the rename durable; best effort (a failure here cannot be undone anyway). */
static void afile_sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? ts_malloc((size_t)(slash - path) + 2) : NULL;
    if (slash && !dir)
        return;
    if (dir) {
        size_t len = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, len);
        dir[len] = 0;
    }
    int fd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    ts_free(dir);
}

int ts_afile_commit(ts_afile_t *f, const char *what, ts_err_t *err)
{
    int e = 0;
    const char *step = "sync";
    if (f->fd < 0) /* written through its name by another library (HDF5) */
        f->fd = open(f->tmp, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0 || fsync(f->fd) != 0) {
        e = errno;
    } else {
        int fd = f->fd;
        f->fd = -1;
        step = "close";
        if (close(fd) != 0)
            e = errno;
        else if ((step = "rename the temporary file into", rename(f->tmp, f->path)) != 0)
            e = errno;
    }
    if (e) {
        if (f->fd >= 0) {
            close(f->fd);
            f->fd = -1;
        }
        unlink(f->tmp);
        return ts_err_sys(err, ts_io_code(e) == TS_ENOSPC ? TS_ENOSPC : TS_EIO, e,
                          "cannot %s %s '%s'", step, what, f->path);
    }
    f->committed = true;
    afile_sync_dir(f->path);
    return 0;
}

void ts_afile_discard(ts_afile_t *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
    if (!f->committed && f->tmp && f->path)
        unlink(f->tmp);
    ts_free(f->path);
    ts_free(f->tmp);
    f->path = f->tmp = NULL;
}

int ts_afile_compress(int src_fd, ts_afile_t *dst, int level, const char *what,
                       ts_err_t *err)
{
    if (lseek(src_fd, 0, SEEK_SET) != 0)
        return ts_err_sys(err, TS_EIO, errno, "cannot rewind %s '%s'", what, dst->path);
    ZSTD_CStream *cs = ZSTD_createCStream();
    size_t out_cap = ZSTD_CStreamOutSize();
    unsigned char *in = ts_malloc(IO_COPY), *out = ts_malloc(out_cap);
    int rc = 0;
    if (!cs || !in || !out) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate a zstd stream for '%s'", dst->path);
        goto done;
    }
    ZSTD_CCtx_setParameter(cs, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(cs, ZSTD_c_checksumFlag, 1);
    for (;;) {
        ssize_t got = ts_io_read_full(src_fd, in, IO_COPY);
        if (got < 0) {
            rc = ts_err_sys(err, TS_EIO, (int)-got, "cannot read back %s '%s'", what, dst->path);
            break;
        }
        ZSTD_EndDirective mode = got == 0 ? ZSTD_e_end : ZSTD_e_continue;
        ZSTD_inBuffer ib = {in, (size_t)got, 0};
        size_t left;
        do {
            ZSTD_outBuffer ob = {out, out_cap, 0};
            left = ZSTD_compressStream2(cs, &ob, &ib, mode);
            if (ZSTD_isError(left)) {
                rc = ts_err_set(err, TS_EIO, "cannot compress %s '%s' (%s)", what, dst->path,
                                ZSTD_getErrorName(left));
                goto done;
            }
            if ((rc = ts_afile_write(dst, out, ob.pos, what, err)) != 0)
                goto done;
        } while (mode == ZSTD_e_end ? left != 0 : ib.pos < ib.size);
        if (got == 0)
            break;
    }
done:
    ZSTD_freeCStream(cs);
    ts_free(in);
    ts_free(out);
    return rc;
}

/* ts_err_sys for a path: "'<path>': <what>: <strerror>". */
static int io_sys(ts_err_t *err, int sys_errno, const char *path, const char *what)
{
    return ts_err_sys(err, ts_io_code(sys_errno), sys_errno, "'%s': %s", path, what);
}

int ts_mkdir_p(const char *dir, ts_err_t *err)
{
    char buf[PATH_MAX];
    size_t n = strlen(dir);
    if (n >= sizeof(buf))
        return ts_err_set(err, TS_EINVAL, "output directory name too long (%zu bytes)", n);
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        if (buf[i - 1] == '/') /* "a//b" or a trailing slash */
            continue;
        char keep = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return io_sys(err, errno, buf, "cannot create directory");
        buf[i] = keep;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return io_sys(err, errno, dir, "cannot open output directory");
    if (!S_ISDIR(sb.st_mode))
        return ts_err_sys(err, TS_EIO, ENOTDIR, "'%s': output directory is not a directory",
                          dir);
    return 0;
}

int ts_file_write(const char *path, const char *what, ts_file_body_fn body, const void *ctx,
                   ts_err_t *err)
{
    ts_afile_t af;
    int rc = ts_afile_open(&af, path, what, err);
    if (rc)
        return rc;
    FILE *f = fdopen(af.fd, "w");
    if (!f) {
        int e = errno;
        ts_afile_discard(&af);
        return ts_err_sys(err, TS_ENOMEM, e, "cannot write %s '%s'", what, path);
    }
    af.fd = -1; /* f owns it now; commit reopens the file by name to sync it */
    errno = 0;
    body(f, ctx);
    int e = fflush(f) != 0 || ferror(f) ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e) {
        ts_afile_discard(&af);
        return ts_err_sys(err, ts_io_code(e) == TS_ENOSPC ? TS_ENOSPC : TS_EIO, e,
                          "cannot write %s '%s'", what, path);
    }
    rc = ts_afile_commit(&af, what, err);
    ts_afile_discard(&af);
    return rc;
}
