/* SPDX-License-Identifier: MIT */
/*
 * file.c - the "file" live back-end: a tier held in one scratch file on a real file system,
 * read and written with O_DIRECT (the page cache bypassed, as a GPU server's NVMe cache
 * does), so a live run pays the drive's latency and bandwidth.
 *
 * The file: a 4 KiB header block ("TIERSIM-LIVE-FILE 1", the creating process and the
 * slot layout), then objects, each in an extent of whole 4 KiB blocks. Extents come from a
 * bump pointer and are reused through free lists by size (the allocator of extent.h, one
 * list per block count up to FILE_MAX_CLASS blocks, longer ones in one), so the file never
 * outgrows the tier's capacity plus the rounding. I/O is pread/pwrite through a bounce
 * buffer aligned to 4 KiB (the caller's buffer need not be aligned); synchronous: submit
 * answers TS_BE_DONE. (io_uring with queue depth comes next.)
 *
 * Safety: the file is created (O_EXCL) and removed at close unless `keep: true`; a file
 * already at the path is refused unless it starts with this back-end's header, so a user's
 * file is never overwritten. Where the file system refuses O_DIRECT (tmpfs), the file is
 * opened buffered and stats say so (direct = 0); `direct: false` asks for that outright.
 * Cost: O(1) expected per request plus the copy and the I/O; memory: ~48 bytes a key and
 * one bounce buffer of the largest object.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/backend.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/pool.h"
#include "backend.h"
#include "extent.h"

#define FILE_BLOCK 4096u
#define FILE_MAX_CLASS 64 /* extents of 1..64 blocks have their own free list */
#define FILE_MAGIC "TIERSIM-LIVE-FILE 1\n"

typedef struct file_params {
    char path[1024]; /* the scratch file; "": <ctx->scratch>/tiersim-<tier>.live */
    bool direct;
    bool keep;
} file_params_t;

static const ts_param_spec_t k_file_params[] = {
    {"direct", TS_PT_BOOL, offsetof(file_params_t, direct), 0, 1, 0, "true",
     "O_DIRECT: bypass the page cache (falls back to buffered where the file system refuses)",
     NULL},
    {"keep", TS_PT_BOOL, offsetof(file_params_t, keep), 0, 1, 0, "false",
     "keep the scratch file after the run (it is removed by default)", NULL},
    {"path", TS_PT_STRING, offsetof(file_params_t, path), sizeof(((file_params_t *)0)->path), 1, 0,
     "",
     "the scratch file (created; an existing file is refused unless this back-end "
     "made it); empty: tiersim-<tier>.live in the scratch directory",
     NULL},
};

typedef struct file_node {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
    uint64_t offset; /* of its extent, bytes */
    uint64_t blocks; /* the extent's length */
} file_node_t;

typedef struct file_backend {
    ts_backend_t base;
    int fd;
    bool keep;
    bool direct;
    char tier[64];
    char path[1024];
    uint64_t capacity, reserved_max; /* bytes: objects, and whole extents at most */
    ts_extents_t extents;            /* of the file past its header */
    void *bounce;
    uint64_t bounce_size;
    ts_pool_t nodes;
    ts_ktab_t index;
    ts_backend_stats_t st;
} file_backend_t;

static uint64_t file_blocks(uint64_t bytes)
{
    return (bytes + FILE_BLOCK - 1) / FILE_BLOCK;
}

static void file_close(ts_backend_t *b)
{
    file_backend_t *f = (file_backend_t *)b;
    if (!f) return;
    if (f->fd >= 0) {
        close(f->fd);
        if (!f->keep) unlink(f->path);
    }
    ts_extents_free(&f->extents);
    free(f->bounce);
    ts_ktab_free(&f->index);
    ts_pool_free_all(&f->nodes);
    ts_free(f);
}

/* Creates (or, when it carries our header, takes over) f->path; writes the header. */
static int file_create(file_backend_t *f, bool direct, ts_err_t *err)
{
    int fd = open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        char head[sizeof(FILE_MAGIC)] = "";
        int old = open(f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat sb;
        bool ours = old >= 0 && fstat(old, &sb) == 0 && S_ISREG(sb.st_mode) &&
                    pread(old, head, sizeof(head) - 1, 0) == (ssize_t)sizeof(head) - 1 &&
                    memcmp(head, FILE_MAGIC, sizeof(head) - 1) == 0;
        if (old >= 0) close(old);
        if (!ours)
            return ts_err_set(err, TS_EIO,
                              "file back-end of tier %s: '%s' exists and was not "
                              "made by tiersim's live mode; refusing to touch it",
                              f->tier, f->path);
        fd = open(f->path, O_RDWR | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0)
        return ts_err_sys(err, TS_EIO, errno, "file back-end of tier %s: cannot create '%s'",
                          f->tier, f->path);
    f->fd = fd;
    char *head = f->bounce; /* FILE_BLOCK bytes at least, aligned */
    memset(head, 0, FILE_BLOCK);
    snprintf(head, FILE_BLOCK, FILE_MAGIC "pid %ld\ntier %s\nblock %u\n", (long)getpid(), f->tier,
             FILE_BLOCK);
    if (pwrite(fd, head, FILE_BLOCK, 0) != (ssize_t)FILE_BLOCK || fsync(fd) != 0)
        return ts_err_sys(err, TS_EIO, errno, "file back-end of tier %s: cannot write '%s'",
                          f->tier, f->path);
    if (direct) { /* from here on, past the page cache where the file system allows it */
        int dfd = open(f->path, O_RDWR | O_CLOEXEC | O_DIRECT | O_NOFOLLOW);
        if (dfd >= 0) {
            close(f->fd);
            f->fd = dfd;
            f->direct = true;
        }
    }
    return 0;
}

static int file_open(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                     ts_err_t *err)
{
    const file_params_t *p = params;
    *out = NULL;
    if (!ctx || ctx->capacity == 0)
        return ts_err_set(err, TS_EINVAL, "file back-end: the tier has no capacity");
    file_backend_t *f = ts_malloc(sizeof(*f));
    if (!f) return ts_err_set(err, TS_ENOMEM, "file back-end: out of memory");
    memset(f, 0, sizeof(*f));
    f->base.ops = &ts_backend_file;
    f->fd = -1;
    f->keep = p->keep || ctx->keep;
    f->capacity = ctx->capacity;
    snprintf(f->tier, sizeof(f->tier), "%s", ctx->tier ? ctx->tier : "tier");
    int n = p->path[0] ? snprintf(f->path, sizeof(f->path), "%s", p->path)
            : ctx->scratch
                ? snprintf(f->path, sizeof(f->path), "%s/tiersim-%s.live", ctx->scratch, f->tier)
                : -1;
    int rc = 0;
    if (n < 0 || (size_t)n >= sizeof(f->path))
        rc = ts_err_set(err, TS_EINVAL, "file back-end of tier %s: %s", f->tier,
                        n < 0 ? "no path, and no scratch directory (live.scratch or --scratch DIR)"
                              : "path too long");
    uint64_t max_object = ctx->max_object ? ctx->max_object : ctx->capacity;
    f->bounce_size = file_blocks(max_object) * FILE_BLOCK;
    /* whole extents of the objects held at once: the capacity plus a block of rounding per
     * object at most, bounded by one block per 4 KiB of capacity again */
    f->reserved_max = 2 * file_blocks(ctx->capacity) * FILE_BLOCK;
    if (!rc && posix_memalign(&f->bounce, FILE_BLOCK, f->bounce_size) != 0)
        rc = ts_err_set(err, TS_ENOMEM,
                        "file back-end of tier %s: no memory for a %llu-byte "
                        "buffer",
                        f->tier, (unsigned long long)f->bounce_size);
    if (!rc && (ts_extents_init(&f->extents, FILE_BLOCK, FILE_BLOCK, f->reserved_max,
                                FILE_MAX_CLASS, err) != 0 ||
                ts_pool_init(&f->nodes, sizeof(file_node_t), 1024, err) != 0 ||
                ts_ktab_init(&f->index, 1024, err) != 0))
        rc = TS_ENOMEM;
    if (!rc) rc = file_create(f, p->direct, err);
    if (rc) {
        file_close(&f->base);
        return rc;
    }
    *out = &f->base;
    return 0;
}

/* Drops key's object (its extent back to the free lists). */
static void file_drop(file_backend_t *f, file_node_t *nd, uint32_t id)
{
    /* no memory: only the extent is lost */
    (void)ts_extents_release(&f->extents, nd->offset, nd->blocks);
    f->st.objects--;
    f->st.bytes -= nd->size;
    f->st.reserved -= nd->blocks * FILE_BLOCK;
    ts_ktab_remove(&f->index, nd->key, id);
    ts_pool_release(&f->nodes, id);
}

static int file_io_err(file_backend_t *f, const char *what, uint64_t key, ssize_t got,
                       uint64_t want, ts_err_t *err)
{
    if (got < 0)
        return ts_err_sys(err, errno == ENOSPC ? TS_ENOSPC : TS_EIO, errno,
                          "file back-end of tier %s: cannot %s key %llu in '%s'", f->tier, what,
                          (unsigned long long)key, f->path);
    return ts_err_set(err, TS_EIO,
                      "file back-end of tier %s: short %s of key %llu in '%s' "
                      "(%lld of %llu bytes)",
                      f->tier, what, (unsigned long long)key, f->path, (long long)got,
                      (unsigned long long)want);
}

/* Writes io into a new extent; a key already stored keeps its old bytes until the new ones
 * are on the file (its extent is given back only then, or first when the file is full). */
static int file_write(file_backend_t *f, ts_be_io_t *io, ts_err_t *err)
{
    uint32_t id = ts_ktab_find(&f->index, io->key, f->nodes.base, f->nodes.stride);
    file_node_t *old = id == TS_KTAB_NONE ? NULL : ts_pool_at(&f->nodes, id);
    if (f->st.bytes - (old ? old->size : 0) + io->size > f->capacity)
        return ts_err_set(err, TS_ENOSPC,
                          "file back-end of tier %s: %llu bytes of key %llu do "
                          "not fit (%llu of %llu bytes used)",
                          f->tier, (unsigned long long)io->size, (unsigned long long)io->key,
                          (unsigned long long)f->st.bytes, (unsigned long long)f->capacity);
    uint64_t blocks = file_blocks(io->size), offset;
    int rc = ts_extents_alloc(&f->extents, blocks, &offset);
    if (rc == TS_ENOSPC && old) { /* full: the old extent first */
        file_drop(f, old, id);
        old = NULL;
        rc = ts_extents_alloc(&f->extents, blocks, &offset);
    }
    if (rc)
        return ts_err_set(err, rc,
                          "file back-end of tier %s: no room for key %llu in '%s' "
                          "(%llu bytes of extents in use)",
                          f->tier, (unsigned long long)io->key, f->path,
                          (unsigned long long)f->st.reserved);
    memcpy(f->bounce, io->buf, io->size);
    memset((char *)f->bounce + io->size, 0, blocks * FILE_BLOCK - io->size);
    ssize_t got = pwrite(f->fd, f->bounce, blocks * FILE_BLOCK, (off_t)offset);
    if (got != (ssize_t)(blocks * FILE_BLOCK)) {
        rc = file_io_err(f, "write", io->key, got, blocks * FILE_BLOCK, err);
        ts_extents_release(&f->extents, offset, blocks);
        return rc;
    }
    if (old) { /* the node moves to the new extent */
        ts_extents_release(&f->extents, old->offset, old->blocks);
        f->st.bytes -= old->size;
        f->st.reserved -= old->blocks * FILE_BLOCK;
        f->st.objects--;
    } else {
        id = ts_pool_alloc(&f->nodes, err);
        if (id == TS_POOL_NONE || ts_ktab_insert(&f->index, io->key, id, err) != 0) {
            if (id != TS_POOL_NONE) ts_pool_release(&f->nodes, id);
            ts_extents_release(&f->extents, offset, blocks);
            return TS_ENOMEM;
        }
    }
    *(file_node_t *)ts_pool_at(&f->nodes, id) =
        (file_node_t){.key = io->key, .size = io->size, .offset = offset, .blocks = blocks};
    f->st.objects++;
    f->st.bytes += io->size;
    f->st.reserved += blocks * FILE_BLOCK;
    f->st.writes++;
    f->st.bytes_written += io->size;
    return 0;
}

static int file_read(file_backend_t *f, ts_be_io_t *io, ts_err_t *err)
{
    uint32_t id = ts_ktab_find(&f->index, io->key, f->nodes.base, f->nodes.stride);
    if (id == TS_KTAB_NONE)
        return ts_err_set(err, TS_ENOENT, "file back-end of tier %s: key %llu is not stored",
                          f->tier, (unsigned long long)io->key);
    const file_node_t *nd = ts_pool_at(&f->nodes, id);
    if (nd->size != io->size)
        return ts_err_set(err, TS_EINVAL,
                          "file back-end of tier %s: key %llu holds %llu bytes, "
                          "%llu asked for",
                          f->tier, (unsigned long long)io->key, (unsigned long long)nd->size,
                          (unsigned long long)io->size);
    ssize_t got = pread(f->fd, f->bounce, nd->blocks * FILE_BLOCK, (off_t)nd->offset);
    if (got != (ssize_t)(nd->blocks * FILE_BLOCK))
        return file_io_err(f, "read", io->key, got, nd->blocks * FILE_BLOCK, err);
    memcpy(io->buf, f->bounce, nd->size);
    f->st.reads++;
    f->st.bytes_read += nd->size;
    return 0;
}

static int file_submit(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err)
{
    file_backend_t *f = (file_backend_t *)b;
    if (io->op != TS_BE_FREE && (io->size == 0 || !io->buf || io->size > f->bounce_size))
        return ts_err_set(err, TS_EINVAL,
                          "file back-end of tier %s: a %s of key %llu with %llu "
                          "bytes (1 to %llu)",
                          f->tier, io->op == TS_BE_READ ? "read" : "write",
                          (unsigned long long)io->key, (unsigned long long)io->size,
                          (unsigned long long)f->bounce_size);
    if (io->op == TS_BE_WRITE) {
        io->result = file_write(f, io, err);
    } else if (io->op == TS_BE_READ) {
        io->result = file_read(f, io, err);
    } else if (io->op == TS_BE_FREE) {
        uint32_t id = ts_ktab_find(&f->index, io->key, f->nodes.base, f->nodes.stride);
        if (id == TS_KTAB_NONE) {
            io->result = ts_err_set(err, TS_ENOENT,
                                    "file back-end of tier %s: key %llu is "
                                    "not stored",
                                    f->tier, (unsigned long long)io->key);
        } else {
            file_drop(f, ts_pool_at(&f->nodes, id), id);
            f->st.frees++;
            io->result = 0;
        }
    } else {
        return ts_err_set(err, TS_EINVAL, "file back-end: unknown operation %d", (int)io->op);
    }
    return TS_BE_DONE;
}

static void file_stats(const ts_backend_t *b, ts_backend_stats_t *out)
{
    const file_backend_t *f = (const file_backend_t *)b;
    *out = f->st;
    out->direct = f->direct;
}

const ts_backend_ops_t ts_backend_file = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_BACKEND,
             .name = "file",
             .summary = "one scratch file on a real file system, O_DIRECT, objects in 4 KiB "
                        "extents (pread/pwrite)",
             .flags = TS_BACKEND_DIRECT_IO | TS_BACKEND_PERSISTENT,
             .params = k_file_params,
             .params_count = sizeof(k_file_params) / sizeof(k_file_params[0]),
             .params_size = sizeof(file_params_t)},
    .open = file_open,
    .submit = file_submit,
    .stats = file_stats,
    .close = file_close,
};
