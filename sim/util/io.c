/* SPDX-License-Identifier: MIT */
/*
 * io.c - plain or zstd input streams, atomic output files, the table of the process's live
 * temporary files and the write-fault hook of the tests (see io.h).
 */
#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
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

/* ---- write faults (tests) ---- */

static _Thread_local long io_countdown = -1; /* writes left before one fails; <0: off */
static _Thread_local int io_fail_errno;      /* the errno of the failing writes */
static _Thread_local long io_count;          /* writes that succeeded since the hook was set */

void ts_io_fail_after(long n, int sys_errno)
{
    io_countdown = n;
    io_fail_errno = sys_errno > 0 ? sys_errno : EIO;
    io_count = 0;
}

long ts_io_write_count(void)
{
    return io_count;
}

int ts_io_fault(void)
{
    if (io_countdown < 0) {
        io_count++;
        return 0;
    }
    if (io_countdown == 0)
        return io_fail_errno;
    io_countdown--;
    io_count++;
    return 0;
}

static const struct {
    const char *name;
    int value;
} k_io_errnos[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO},       {"EDQUOT", EDQUOT},
                   {"EFBIG", EFBIG},   {"EROFS", EROFS},   {"EACCES", EACCES},
                   {"EPERM", EPERM},   {"ENOENT", ENOENT}, {"ENOMEM", ENOMEM}};

int ts_io_fail_spec(const char *spec, ts_err_t *err)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;
    char *end = NULL;
    errno = 0;
    long n = colon && colon != spec ? strtol(spec, &end, 10) : -1;
    if (!colon || end != colon || errno || n < 0)
        return ts_err_set(err, TS_EINVAL, "expects N:ERRNO such as 3:ENOSPC, found '%s'",
                          spec ? spec : "");
    for (size_t i = 0; i < sizeof(k_io_errnos) / sizeof(k_io_errnos[0]); i++)
        if (strcmp(colon + 1, k_io_errnos[i].name) == 0) {
            ts_io_fail_after(n, k_io_errnos[i].value);
            return 0;
        }
    return ts_err_set(err, TS_EINVAL,
                      "unknown errno '%s' (ENOSPC, EIO, EDQUOT, EFBIG, EROFS, EACCES, EPERM, "
                      "ENOENT or ENOMEM)",
                      colon + 1);
}

/* ---- the process's live temporary files (removed when it is interrupted) ---- */

/* One slot of the table. A slot is claimed by moving state from FREE to FILLING (compare
 * and swap: threads never share a slot), filled, then published as LIVE; dropping it moves
 * it back to FREE. The signal handler reads only LIVE slots and calls only unlink, rmdir,
 * strcmp and atomic loads, all async-signal-safe. */
enum { IO_FREE, IO_FILLING, IO_LIVE };

typedef struct io_live {
    atomic_int state;                   /* IO_FREE, IO_FILLING or IO_LIVE */
    bool is_dir;                        /* a scratch directory: rmdir, after the files */
    char path[PATH_MAX];                /* what to remove */
    char target[TS_IO_LIVE_TARGET_MAX]; /* what it stands for, for the message (fitted) */
} io_live_t;

/* The one process-wide mutable table of the library. It is safe under OpenMP and in a
 * signal handler because every slot changes hands through lock-free atomics only (see
 * io_live_t), and a failed claim (all slots taken) costs only the clean-up of that file. */
static io_live_t io_live[TS_IO_LIVE_MAX];

int ts_io_live_add(const char *path, const char *target, bool is_dir)
{
    if (!path || strlen(path) >= sizeof(io_live[0].path))
        return 0;
    for (int i = 0; i < TS_IO_LIVE_MAX; i++) {
        int expect = IO_FREE;
        if (!atomic_compare_exchange_strong(&io_live[i].state, &expect, IO_FILLING))
            continue;
        io_live_t *l = &io_live[i];
        memcpy(l->path, path, strlen(path) + 1);
        ts_err_fit(l->target, sizeof(l->target), target ? target : path);
        l->is_dir = is_dir;
        atomic_store(&l->state, IO_LIVE);
        return i + 1;
    }
    return 0;
}

void ts_io_live_drop(int id)
{
    if (id > 0 && id <= TS_IO_LIVE_MAX)
        atomic_store(&io_live[id - 1].state, IO_FREE);
}

/* Whether s is the path of a live slot other than self (a temporary file written beside
 * another one, such as the records of a trace before they are compressed), or lies in a
 * live scratch directory (a figure drawn for a page): no output the user named. */
static bool io_live_is_tmp(const char *s, int self)
{
    for (int i = 0; i < TS_IO_LIVE_MAX; i++) {
        const io_live_t *l = &io_live[i];
        if (i == self || atomic_load(&l->state) != IO_LIVE)
            continue;
        size_t n = strlen(l->path);
        if (strcmp(l->path, s) == 0 || (l->is_dir && strncmp(l->path, s, n) == 0 && s[n] == '/'))
            return true;
    }
    return false;
}

/* Removes dir and the entries in it (files, and empty directories), with calls that are
 * async-signal-safe on Linux: open, getdents64 (raw system call), unlinkat, close, rmdir. */
static void io_rmdir_flat(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        char buf[4096] __attribute__((aligned(8)));
        long got;
        while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
            for (long at = 0; at < got;) {
                const struct dirent64 *d = (const void *)(buf + at);
                const char *name = d->d_name;
                if (!(name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]))) &&
                    unlinkat(fd, name, 0) != 0)
                    unlinkat(fd, name, AT_REMOVEDIR);
                at += d->d_reclen;
            }
        close(fd);
    }
    rmdir(dir);
}

size_t ts_io_live_remove_all(const char **first, size_t *n_others)
{
    size_t n = 0, others = 0;
    const char *t = NULL;
    for (int pass = 0; pass < 2; pass++) /* files first: a directory goes once empty */
        for (int i = 0; i < TS_IO_LIVE_MAX; i++) {
            io_live_t *l = &io_live[i];
            if (atomic_load(&l->state) != IO_LIVE || l->is_dir != (pass == 1))
                continue;
            if (pass == 0 && !io_live_is_tmp(l->target, i)) {
                if (!t)
                    t = l->target;
                else if (strcmp(t, l->target) != 0)
                    others++;
            }
            if (pass == 0)
                unlink(l->path);
            else
                io_rmdir_flat(l->path);
            n++;
        }
    for (int i = 0; i < TS_IO_LIVE_MAX; i++) /* a directory alone stands for itself */
        if (!t && atomic_load(&io_live[i].state) == IO_LIVE)
            t = io_live[i].target;
    if (first)
        *first = t;
    if (n_others)
        *n_others = others;
    return n;
}

/* Commits in progress on any thread (ts_io_hold_signals), and the signal a handler put off
 * meanwhile (0: none): see ts_io_signal_defer. */
static atomic_int io_held;
static atomic_int io_pending;

int ts_io_signal_defer(int sig)
{
    if (atomic_load(&io_held) == 0)
        return 0;
    atomic_store(&io_pending, sig);
    /* released meanwhile: whoever takes the signal back handles it (here, or the raise) */
    if (atomic_load(&io_held) == 0 && atomic_exchange(&io_pending, 0) != 0)
        return 0;
    return 1;
}

void ts_io_hold_signals(sigset_t *old)
{
    atomic_fetch_add(&io_held, 1);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &s, old);
}

void ts_io_release_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
    int sig;
    if (atomic_fetch_sub(&io_held, 1) == 1 && (sig = atomic_exchange(&io_pending, 0)) != 0)
        raise(sig); /* a handler put it off: now it runs */
}

/* ---- output ---- */

/* What the file type of mode is, for a message. */
static const char *io_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

int ts_io_check_target(const char *path, const char *what, ts_err_t *err)
{
    struct stat sb;
    if (lstat(path, &sb) != 0 || S_ISREG(sb.st_mode))
        return 0; /* new, or unreadable: the write itself says why */
    bool is_link = S_ISLNK(sb.st_mode);
    if (is_link && (stat(path, &sb) != 0 || S_ISREG(sb.st_mode)))
        return 0; /* the link is replaced, its target left alone (rename(2)) */
    const char *kind = io_kind(sb.st_mode);
    if (strcmp(kind, "not a regular file") == 0)
        return ts_err_set(err, TS_EIO, "cannot write %s '%s': it is not a regular file", what,
                          path);
    return ts_err_set(err, TS_EIO, "cannot write %s '%s': it is %s%s, not a regular file",
                      what, path, is_link ? "a symbolic link to " : "", kind);
}

/* FNV-1a of s: tells apart the shortened names of two long file names. */
static uint32_t io_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

#define IO_TMP_SUFFIX ".tmp.XXXXXX"
#define IO_TMP_HASH 9 /* "~" and eight hex digits */

/* The temporary name of path into f->tmp (allocated): "<path>.tmp.XXXXXX", or, when the
 * file's name would then pass NAME_MAX, its first bytes (whole UTF-8 characters) then
 * "~<hash of the name>.tmp.XXXXXX". Returns 0 or TS_ENOMEM. */
static int afile_tmp_name(ts_afile_t *f, const char *path)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    size_t base = slash ? (size_t)(slash + 1 - path) : 0, name = n - base, keep = name;
    bool is_long = name + strlen(IO_TMP_SUFFIX) > NAME_MAX;
    if (is_long) {
        keep = NAME_MAX - strlen(IO_TMP_SUFFIX) - IO_TMP_HASH;
        while (keep > 0 && ((unsigned char)path[base + keep] & 0xc0) == 0x80)
            keep--; /* not in the middle of a character */
    }
    f->tmp = ts_malloc(base + keep + IO_TMP_HASH + sizeof(IO_TMP_SUFFIX));
    if (!f->tmp)
        return TS_ENOMEM;
    memcpy(f->tmp, path, base + keep);
    char *p = f->tmp + base + keep;
    if (is_long)
        p += snprintf(p, IO_TMP_HASH + 1, "~%08x", (unsigned)io_hash(path + base));
    memcpy(p, IO_TMP_SUFFIX, sizeof(IO_TMP_SUFFIX));
    return 0;
}

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
        sigset_t old;
        ts_io_hold_signals(&old); /* created and in the live table as one, for a handler */
        f->fd = open(f->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        int e = errno;
        if (f->fd >= 0)
            f->live = ts_io_live_add(f->tmp, f->path, false);
        ts_io_release_signals(&old);
        if (f->fd >= 0)
            return 0;
        errno = e;
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
    if (!path || !path[0])
        return ts_err_set(err, TS_EINVAL, "cannot write %s: no file name", what);
    const char *slash = strrchr(path, '/');
    if (strlen(slash ? slash + 1 : path) > NAME_MAX)
        return ts_err_sys(err, TS_EINVAL, ENAMETOOLONG, "cannot create %s '%s'", what, path);
    int rc = ts_io_check_target(path, what, err);
    if (rc)
        return rc;
    f->path = ts_strdup(path);
    if (!f->path || afile_tmp_name(f, path) != 0) {
        ts_afile_discard(f);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the writer of '%s'", path);
    }
    rc = afile_create_tmp(f, what, err);
    if (rc)
        ts_afile_discard(f);
    return rc;
}

int ts_afile_write(ts_afile_t *f, const void *buf, size_t n, const char *what, ts_err_t *err)
{
    size_t done = 0;
    int e = ts_io_fault();
    while (!e && done < n) {
        ssize_t k = write(f->fd, (const char *)buf + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            e = errno;
        else
            done += (size_t)k;
    }
    if (e)
        return ts_err_sys(err, ts_io_code(e) == TS_ENOSPC ? TS_ENOSPC : TS_EIO, e,
                          "cannot write %s '%s'", what, f->path);
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

/* Syncs and closes f's temporary file (one write for the fault hook). Returns 0 or the
 * errno, with the step that failed in *step. */
static int afile_finish(ts_afile_t *f, const char **step)
{
    int e = 0;
    *step = "sync";
    if (f->fd < 0) /* written through its name by another library (HDF5) */
        f->fd = open(f->tmp, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0 || fsync(f->fd) != 0) {
        e = errno;
    } else if ((e = ts_io_fault()) == 0) {
        int fd = f->fd;
        f->fd = -1;
        *step = "close";
        if (close(fd) != 0)
            e = errno;
    }
    if (e && f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
    return e;
}

int ts_io_rename_set(ts_io_rename_t *set, size_t n, size_t *bad)
{
    char old[PATH_MAX + 8];
    sigset_t held;
    ts_io_hold_signals(&held); /* renamed and dropped together, for the handler */
    struct stat sb;
    for (size_t i = 0; i < n; i++) {
        ts_io_rename_t *r = &set[i];
        r->had_file = r->has_old = r->is_renamed = false;
        int k = snprintf(old, sizeof(old), "%s.old", r->tmp);
        if (n > 1 && lstat(r->path, &sb) == 0) { /* a single file needs no way back */
            r->had_file = true;
            unlink(old); /* left by a process killed here: ours by its name */
            r->has_old = k > 0 && (size_t)k < sizeof(old) && link(r->path, old) == 0;
        }
    }
    int e = 0;
    for (size_t i = 0; i < n && !e; i++) {
        ts_io_rename_t *r = &set[i];
        if ((e = n > 1 ? ts_io_fault() : 0) != 0 || rename(r->tmp, r->path) != 0) {
            e = e ? e : errno;
            *bad = i;
            break;
        }
        r->is_renamed = true;
        ts_io_live_drop(r->live);
        r->live = 0;
    }
    for (size_t i = 0; i < n; i++) { /* on a failure, back to the previous files */
        ts_io_rename_t *r = &set[i];
        snprintf(old, sizeof(old), "%s.old", r->tmp);
        if (e && r->is_renamed && r->has_old)
            rename(old, r->path);
        else if (e && r->is_renamed && !r->had_file)
            unlink(r->path); /* new: as before, no file */
        else if (r->has_old) /* (a previous file that could not be linked stays replaced) */
            unlink(old);
        if (e)
            r->is_renamed = false;
    }
    ts_io_release_signals(&held);
    return e;
}

int ts_afile_commit_set(ts_afile_t *const *fs, size_t n, const char *what, ts_err_t *err)
{
    if (n > TS_IO_SET_MAX)
        return ts_err_set(err, TS_EINVAL, "a set of %zu files to commit, at most %d", n,
                          TS_IO_SET_MAX);
    int e = 0, rc = 0;
    size_t bad = 0;
    const char *step = "sync";
    for (size_t i = 0; i < n && !e; i++)
        if ((e = afile_finish(fs[i], &step)) != 0)
            bad = i;
    for (size_t i = 0; i < n && !e && !rc; i++)
        rc = ts_io_check_target(fs[i]->path, what, err); /* again: it may have appeared */
    if (!e && !rc) {
        ts_io_rename_t set[TS_IO_SET_MAX];
        for (size_t i = 0; i < n; i++)
            set[i] = (ts_io_rename_t){.tmp = fs[i]->tmp, .path = fs[i]->path,
                                      .live = fs[i]->live};
        step = "rename the temporary file into";
        e = ts_io_rename_set(set, n, &bad);
        for (size_t i = 0; i < n; i++) {
            fs[i]->committed = set[i].is_renamed;
            fs[i]->live = set[i].live;
        }
    }
    if (e || rc) { /* nothing of the set is left: every temporary file goes */
        for (size_t i = 0; i < n; i++) {
            unlink(fs[i]->tmp);
            ts_io_live_drop(fs[i]->live);
            fs[i]->live = 0;
        }
        if (rc)
            return rc;
        return ts_err_sys(err, ts_io_code(e) == TS_ENOSPC ? TS_ENOSPC : TS_EIO, e,
                          "cannot %s %s '%s'", step, what, fs[bad]->path);
    }
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(fs[i]->path, fs[i - 1]->path) != 0)
            afile_sync_dir(fs[i]->path);
    return 0;
}

int ts_afile_commit(ts_afile_t *f, const char *what, ts_err_t *err)
{
    return ts_afile_commit_set(&f, 1, what, err);
}

void ts_afile_discard(ts_afile_t *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
    if (!f->committed && f->tmp && f->path)
        unlink(f->tmp);
    ts_io_live_drop(f->live); /* after the unlink: a signal in between finds it gone */
    f->live = 0;
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

int ts_afile_write_body(ts_afile_t *af, const char *path, const char *what,
                        ts_file_body_fn body, const void *ctx, ts_err_t *err)
{
    int rc = ts_afile_open(af, path, what, err);
    if (rc)
        return rc;
    FILE *f = fdopen(af->fd, "w");
    if (!f) {
        int e = errno;
        ts_afile_discard(af);
        return ts_err_sys(err, TS_ENOMEM, e, "cannot write %s '%s'", what, path);
    }
    af->fd = -1; /* f owns it now; commit reopens the file by name to sync it */
    errno = 0;
    body(f, ctx);
    int e = fflush(f) != 0 || ferror(f) ? (errno ? errno : EIO) : ts_io_fault();
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e) {
        ts_afile_discard(af);
        return ts_err_sys(err, ts_io_code(e) == TS_ENOSPC ? TS_ENOSPC : TS_EIO, e,
                          "cannot write %s '%s'", what, path);
    }
    return 0;
}

int ts_file_write(const char *path, const char *what, ts_file_body_fn body, const void *ctx,
                  ts_err_t *err)
{
    ts_afile_t af;
    int rc = ts_afile_write_body(&af, path, what, body, ctx, err);
    if (rc)
        return rc;
    rc = ts_afile_commit(&af, what, err);
    ts_afile_discard(&af);
    return rc;
}

int ts_io_room(const char *dir, uint64_t *usable, uint64_t *total, ts_err_t *err)
{
    struct statvfs vfs;
    if (statvfs(dir, &vfs) != 0)
        return ts_err_sys(err, errno == ENOENT || errno == ENOTDIR ? TS_ENOENT : TS_EIO, errno,
                          "no directory '%s' for the scratch file", dir);
    if (usable)
        *usable = (uint64_t)vfs.f_bavail * vfs.f_frsize / 10 * 9;
    if (total)
        *total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
    return 0;
}
