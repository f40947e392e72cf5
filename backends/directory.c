/* SPDX-License-Identifier: MIT */
/*
 * directory.c - the "directory" live back-end: the central store (the system of record, an
 * object store far away) stood for by a directory of object files on a local disk, with
 * the far store's first-byte latency and bandwidth put back in by waiting (tbucket.h), so
 * a live run pays what the store would cost; stats then say `emulated`.
 *
 * Layout: <path>/<key as 16 hex digits>, one file per object, written as a temporary
 * .<key>.tmp renamed into place (a rewritten key keeps its old bytes until the new ones are
 * whole), read with one pread loop; no fsync (the far store's cost is the emulated one).
 * <path>/.tiersim-live-directory marks a directory this back-end made ("TIERSIM-LIVE-
 * DIRECTORY 1", the process and the tier): a directory without it is refused, so a user's
 * files are never touched; one with it is taken over, its objects served again (a kept
 * store holds its data set from one run to the next). At close the objects, the marker and
 * the directory are removed unless `keep: true`. Each request waits, from the moment it was
 * asked, until ts_tbucket_end says it ends (clock_nanosleep); the file I/O is inside that
 * time. A free costs the latency alone. Capacity 0 means no limit (a store that grows).
 * Synchronous: submit answers TS_BE_DONE. Cost: O(1) expected per request plus three to
 * four system calls and the copy; memory: ~32 bytes a key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../sim/backend.h"
#include "../sim/util/io.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/pool.h"
#include "backend.h"
#include "tbucket.h"

#define DIR_MAGIC "TIERSIM-LIVE-DIRECTORY 1\n"
#define DIR_MARKER ".tiersim-live-directory"

typedef struct dir_params {
    char path[1024]; /* the directory; "": <ctx->scratch>/tiersim-<tier>.store */
    uint64_t latency_ns;
    uint64_t bandwidth; /* bytes/s; 0: no cap */
    uint64_t burst;     /* bytes */
    bool keep;
} dir_params_t;

static const ts_param_spec_t k_dir_params[] = {
    {"bandwidth", TS_PT_RATE, offsetof(dir_params_t, bandwidth), 0, 0, 1.8e19, "0",
     "emulated bandwidth cap, a token bucket (e.g. 1GB/s); 0: the disk's own", NULL},
    {"burst", TS_PT_SIZE, offsetof(dir_params_t, burst), 0, 0, 1.8e19, "0",
     "bytes the bucket passes at once after an idle spell; 0: a strict rate", NULL},
    {"keep", TS_PT_BOOL, offsetof(dir_params_t, keep), 0, 1, 0, "false",
     "keep the directory and its objects after the run (a later run serves them again)", NULL},
    {"latency", TS_PT_DURATION, offsetof(dir_params_t, latency_ns), 0, 0, 8.64e13, "0",
     "emulated first-byte latency of every request (e.g. 20ms); 0: the disk's own", NULL},
    {"path", TS_PT_STRING, offsetof(dir_params_t, path), sizeof(((dir_params_t *)0)->path), 1, 0,
     "",
     "the directory (created; an existing one is refused unless this back-end made "
     "it); empty: tiersim-<tier>.store in the scratch directory",
     NULL},
};

typedef struct dir_node {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
} dir_node_t;

typedef struct dir_backend {
    ts_backend_t base;
    int dfd; /* the directory */
    bool keep;
    char tier[64];
    char path[1024];
    uint64_t capacity; /* bytes; 0: no limit */
    uint64_t latency_ns;
    ts_tbucket_t bucket;
    ts_pool_t nodes;
    ts_ktab_t index;
    ts_backend_stats_t st;
} dir_backend_t;

/* Whether name is an object's ("0123456789abcdef") or a temporary one's (".<that>.tmp"). */
static bool dir_is_object(const char *name, bool *is_tmp)
{
    *is_tmp = name[0] == '.';
    const char *hex = name + *is_tmp;
    for (int i = 0; i < 16; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'))) return false;
    return *is_tmp ? strcmp(hex + 16, ".tmp") == 0 : hex[16] == 0;
}

static void dir_name(uint64_t key, bool tmp, char *buf, size_t size)
{
    snprintf(buf, size, tmp ? ".%016llx.tmp" : "%016llx", (unsigned long long)key);
}

/* Removes the objects (and, unless only_tmp, the marker and the directory). */
static void dir_remove(dir_backend_t *d, bool only_tmp)
{
    int fd = dup(d->dfd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0) close(fd);
        return;
    }
    rewinddir(dir);
    struct dirent *e;
    bool tmp;
    while ((e = readdir(dir)))
        if (dir_is_object(e->d_name, &tmp) && (tmp || !only_tmp)) unlinkat(d->dfd, e->d_name, 0);
    closedir(dir);
    if (!only_tmp && unlinkat(d->dfd, DIR_MARKER, 0) == 0)
        rmdir(d->path); /* fails, and leaves it, when a user put files there */
}

static void dir_close(ts_backend_t *b)
{
    dir_backend_t *d = (dir_backend_t *)b;
    if (!d) return;
    if (d->dfd >= 0) {
        if (!d->keep) dir_remove(d, false);
        close(d->dfd);
    }
    ts_ktab_free(&d->index);
    ts_pool_free_all(&d->nodes);
    ts_free(d);
}

static int dir_add(dir_backend_t *d, uint64_t key, uint64_t size, ts_err_t *err)
{
    uint32_t id = ts_pool_alloc(&d->nodes, err);
    if (id == TS_POOL_NONE || ts_ktab_insert(&d->index, key, id, err) != 0) {
        if (id != TS_POOL_NONE) ts_pool_release(&d->nodes, id);
        return TS_ENOMEM;
    }
    *(dir_node_t *)ts_pool_at(&d->nodes, id) = (dir_node_t){.key = key, .size = size};
    d->st.objects++;
    d->st.bytes += size;
    d->st.reserved += size;
    return 0;
}

/* Takes over a directory this back-end made: its objects are listed again, temporary files
 * of an interrupted write removed. */
static int dir_take_over(dir_backend_t *d, ts_err_t *err)
{
    dir_remove(d, true);
    int fd = dup(d->dfd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        int e = errno;
        if (fd >= 0) close(fd);
        return ts_err_sys(err, TS_EIO, e, "directory back-end of tier %s: cannot list '%s'",
                          d->tier, d->path);
    }
    rewinddir(dir);
    struct dirent *e;
    bool tmp;
    int rc = 0;
    while (!rc && (e = readdir(dir))) {
        struct stat sb;
        if (!dir_is_object(e->d_name, &tmp) || tmp ||
            fstatat(d->dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode) ||
            sb.st_size == 0)
            continue;
        rc = dir_add(d, strtoull(e->d_name, NULL, 16), (uint64_t)sb.st_size, err);
    }
    closedir(dir);
    return rc;
}

/* Creates d->path and its marker, or takes over a directory with the marker. */
static int dir_create(dir_backend_t *d, ts_err_t *err)
{
    bool made = mkdir(d->path, 0700) == 0;
    if (!made && errno != EEXIST)
        return ts_err_sys(err, ts_io_code(errno), errno,
                          "directory back-end of tier %s: "
                          "cannot create '%s'",
                          d->tier, d->path);
    d->dfd = open(d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    char head[sizeof(DIR_MAGIC)] = "";
    int mfd =
        made || d->dfd < 0 ? -1 : openat(d->dfd, DIR_MARKER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    bool ours =
        made ||
        (mfd >= 0 && ts_io_read_full(mfd, head, sizeof(head) - 1) == (ssize_t)sizeof(head) - 1 &&
         memcmp(head, DIR_MAGIC, sizeof(head) - 1) == 0);
    if (mfd >= 0) close(mfd);
    if (!ours || d->dfd < 0) {
        if (d->dfd >= 0) close(d->dfd);
        d->dfd = -1;
        return ts_err_set(err, TS_EIO,
                          "directory back-end of tier %s: '%s' exists and was not "
                          "made by tiersim's live mode; refusing to touch it",
                          d->tier, d->path);
    }
    char text[256];
    int n = snprintf(text, sizeof(text), DIR_MAGIC "pid %ld\ntier %s\n", (long)getpid(), d->tier);
    mfd = openat(d->dfd, DIR_MARKER, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (mfd < 0 || write(mfd, text, (size_t)n) != n) {
        int e = errno;
        if (mfd >= 0) close(mfd);
        return ts_err_sys(err, TS_EIO, e,
                          "directory back-end of tier %s: cannot write the "
                          "marker in '%s'",
                          d->tier, d->path);
    }
    close(mfd);
    return made ? 0 : dir_take_over(d, err);
}

static int dir_open(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                    ts_err_t *err)
{
    const dir_params_t *p = params;
    *out = NULL;
    dir_backend_t *d = ts_malloc(sizeof(*d));
    if (!d) return ts_err_set(err, TS_ENOMEM, "directory back-end: out of memory");
    memset(d, 0, sizeof(*d));
    d->base.ops = &ts_backend_directory;
    d->dfd = -1;
    d->keep = p->keep || ctx->keep;
    d->capacity = ctx ? ctx->capacity : 0;
    d->latency_ns = p->latency_ns;
    d->bucket = (ts_tbucket_t){.rate = p->bandwidth, .burst = p->burst};
    d->st.emulated = p->latency_ns || p->bandwidth;
    snprintf(d->tier, sizeof(d->tier), "%s", ctx && ctx->tier ? ctx->tier : "tier");
    const char *scratch = ctx ? ctx->scratch : NULL;
    int n = p->path[0] ? snprintf(d->path, sizeof(d->path), "%s", p->path)
            : scratch  ? snprintf(d->path, sizeof(d->path), "%s/tiersim-%s.store", scratch, d->tier)
                       : -1;
    int rc = 0;
    if (n < 0 || (size_t)n >= sizeof(d->path))
        rc = ts_err_set(err, TS_EINVAL, "directory back-end of tier %s: %s", d->tier,
                        n < 0 ? "no path, and no scratch directory (live.scratch or --scratch DIR)"
                              : "path too long");
    if (!rc && (ts_pool_init(&d->nodes, sizeof(dir_node_t), 1024, err) != 0 ||
                ts_ktab_init(&d->index, 1024, err) != 0))
        rc = TS_ENOMEM;
    if (!rc) rc = dir_create(d, err);
    if (rc) {
        dir_close(&d->base);
        return rc;
    }
    *out = &d->base;
    return 0;
}

/* Waits until end_ns (CLOCK_MONOTONIC). */
static void dir_wait(uint64_t end_ns)
{
    if (end_ns == UINT64_MAX) return;
    struct timespec t = {.tv_sec = (time_t)(end_ns / 1000000000u),
                         .tv_nsec = (long)(end_ns % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
        ;
}

static dir_node_t *dir_find(const dir_backend_t *d, uint64_t key, uint32_t *id)
{
    *id = ts_ktab_find(&d->index, key, d->nodes.base, d->nodes.stride);
    return *id == TS_KTAB_NONE ? NULL : ts_pool_at(&d->nodes, *id);
}

static int dir_io_err(dir_backend_t *d, const char *what, uint64_t key, int e, ts_err_t *err)
{
    return ts_err_sys(err, ts_io_code(e), e,
                      "directory back-end of tier %s: cannot %s key %llu "
                      "in '%s'",
                      d->tier, what, (unsigned long long)key, d->path);
}

static int dir_write(dir_backend_t *d, ts_be_io_t *io, ts_err_t *err)
{
    uint32_t id;
    dir_node_t *old = dir_find(d, io->key, &id);
    if (d->capacity && d->st.bytes - (old ? old->size : 0) + io->size > d->capacity)
        return ts_err_set(err, TS_ENOSPC,
                          "directory back-end of tier %s: %llu bytes of key %llu "
                          "do not fit (%llu of %llu bytes used)",
                          d->tier, (unsigned long long)io->size, (unsigned long long)io->key,
                          (unsigned long long)d->st.bytes, (unsigned long long)d->capacity);
    char tmp[32], name[32];
    dir_name(io->key, true, tmp, sizeof(tmp));
    dir_name(io->key, false, name, sizeof(name));
    int fd = openat(d->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return dir_io_err(d, "write", io->key, errno, err);
    const char *p = io->buf;
    for (uint64_t left = io->size; left;) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            close(fd);
            unlinkat(d->dfd, tmp, 0);
            return dir_io_err(d, "write", io->key, e, err);
        }
        p += w;
        left -= (uint64_t)w;
    }
    if (close(fd) != 0 || renameat(d->dfd, tmp, d->dfd, name) != 0) {
        int e = errno;
        unlinkat(d->dfd, tmp, 0);
        return dir_io_err(d, "write", io->key, e, err);
    }
    if (old) {
        d->st.bytes += io->size - old->size;
        d->st.reserved += io->size - old->size;
        old->size = io->size;
    } else if (dir_add(d, io->key, io->size, err) != 0) {
        unlinkat(d->dfd, name, 0);
        return TS_ENOMEM;
    }
    d->st.writes++;
    d->st.bytes_written += io->size;
    return 0;
}

static int dir_read(dir_backend_t *d, ts_be_io_t *io, ts_err_t *err)
{
    uint32_t id;
    const dir_node_t *nd = dir_find(d, io->key, &id);
    if (!nd)
        return ts_err_set(err, TS_ENOENT, "directory back-end of tier %s: key %llu is not stored",
                          d->tier, (unsigned long long)io->key);
    if (nd->size != io->size)
        return ts_err_set(err, TS_EINVAL,
                          "directory back-end of tier %s: key %llu holds %llu "
                          "bytes, %llu asked for",
                          d->tier, (unsigned long long)io->key, (unsigned long long)nd->size,
                          (unsigned long long)io->size);
    char name[32];
    dir_name(io->key, false, name, sizeof(name));
    int fd = openat(d->dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return dir_io_err(d, "read", io->key, errno, err);
    ssize_t got = ts_io_read_full(fd, io->buf, io->size);
    close(fd);
    if (got < 0) return dir_io_err(d, "read", io->key, (int)-got, err);
    if ((uint64_t)got != io->size)
        return ts_err_set(err, TS_EIO,
                          "directory back-end of tier %s: short read of key %llu in "
                          "'%s' (%lld of %llu bytes: changed by someone else?)",
                          d->tier, (unsigned long long)io->key, d->path, (long long)got,
                          (unsigned long long)io->size);
    d->st.reads++;
    d->st.bytes_read += io->size;
    return 0;
}

static int dir_free(dir_backend_t *d, ts_be_io_t *io, ts_err_t *err)
{
    uint32_t id;
    dir_node_t *nd = dir_find(d, io->key, &id);
    if (!nd)
        return ts_err_set(err, TS_ENOENT, "directory back-end of tier %s: key %llu is not stored",
                          d->tier, (unsigned long long)io->key);
    char name[32];
    dir_name(io->key, false, name, sizeof(name));
    if (unlinkat(d->dfd, name, 0) != 0 && errno != ENOENT)
        return dir_io_err(d, "remove", io->key, errno, err);
    d->st.objects--;
    d->st.bytes -= nd->size;
    d->st.reserved -= nd->size;
    d->st.frees++;
    ts_ktab_remove(&d->index, nd->key, id);
    ts_pool_release(&d->nodes, id);
    return 0;
}

static int dir_submit(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err)
{
    dir_backend_t *d = (dir_backend_t *)b;
    if (io->op != TS_BE_FREE && (io->size == 0 || !io->buf))
        return ts_err_set(err, TS_EINVAL,
                          "directory back-end of tier %s: a %s of key %llu with "
                          "no bytes",
                          d->tier, io->op == TS_BE_READ ? "read" : "write",
                          (unsigned long long)io->key);
    uint64_t t0 = d->st.emulated ? ts_backend_now_ns() : 0;
    switch (io->op) {
    case TS_BE_WRITE:
        io->result = dir_write(d, io, err);
        break;
    case TS_BE_READ:
        io->result = dir_read(d, io, err);
        break;
    case TS_BE_FREE:
        io->result = dir_free(d, io, err);
        break;
    default:
        return ts_err_set(err, TS_EINVAL, "directory back-end: unknown operation %d", (int)io->op);
    }
    if (d->st.emulated) /* a free, or a request refused, pays the latency alone */
        dir_wait(io->op == TS_BE_FREE || io->result
                     ? t0 + d->latency_ns
                     : ts_tbucket_end(&d->bucket, t0, d->latency_ns, io->size));
    return TS_BE_DONE;
}

static void dir_stats(const ts_backend_t *b, ts_backend_stats_t *out)
{
    *out = ((const dir_backend_t *)b)->st;
}

const ts_backend_ops_t ts_backend_directory = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_BACKEND,
             .name = "directory",
             .summary = "the central store as a directory of object files, one per key, with "
                        "emulated latency and bandwidth",
             .flags = TS_BACKEND_PERSISTENT,
             .params = k_dir_params,
             .params_count = sizeof(k_dir_params) / sizeof(k_dir_params[0]),
             .params_size = sizeof(dir_params_t)},
    .open = dir_open,
    .submit = dir_submit,
    .stats = dir_stats,
    .close = dir_close,
};
