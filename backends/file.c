/* SPDX-License-Identifier: MIT */
/*
 * file.c - the "file" live back-end: a tier held in one scratch file on a real file system,
 * read and written with O_DIRECT (the page cache bypassed, as a GPU server's NVMe cache
 * does), asynchronously at a queue depth, so a live run pays the drive's latency and
 * bandwidth with the drive's parallelism.
 *
 * The file: a 4 KiB header block ("TIERSIM-LIVE-FILE 1", the creating process and the
 * slot layout), then objects, each in an extent of whole 4 KiB blocks. Extents come from a
 * bump pointer and are reused through free lists by size (the allocator of extent.h, one
 * list per block count up to FILE_MAX_CLASS blocks, longer ones in one), so the file never
 * outgrows the tier's capacity plus the rounding. I/O goes through the queue of
 * ioq_internal.h (io_uring with registered file and buffers, or a pool of pread/pwrite
 * threads): `qd` slots, each with a buffer aligned to 4 KiB of the largest object (the
 * caller's buffer need not be aligned). submit answers TS_BE_QUEUED (TS_BE_BUSY when `qd`
 * requests are in flight), poll hands them back; a free, or a request refused before any I/O
 * (unknown key, wrong size, no room), answers TS_BE_DONE. A write takes its extent and its
 * share of the capacity at submit and updates the index when it lands: until then the key
 * keeps its old bytes (the seam's ordering rule keeps the key's other requests away).
 *
 * Safety: the file is created (O_EXCL) and removed at close unless `keep: true`; a file
 * already at the path is refused unless it starts with this back-end's header, so a user's
 * file is never overwritten. Where the file system refuses O_DIRECT (tmpfs), the file is
 * opened buffered and stats say so (direct = 0); `direct: false` asks for that outright.
 * Cost: O(1) expected per request plus the copy and the I/O; memory: ~48 bytes a key and
 * `qd` buffers of the largest object.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/backend.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/pool.h"
#include "backend.h"
#include "extent.h"
#include "ioq_internal.h"

#define FILE_BLOCK 4096u
#define FILE_MAX_CLASS 64 /* extents of 1..64 blocks have their own free list */
#define FILE_MAGIC "TIERSIM-LIVE-FILE 1\n"
#define FILE_REAP 64 /* completions taken from the queue at once */

enum { FILE_FSYNC_NEVER = 0, FILE_FSYNC_EACH, FILE_FSYNC_CLOSE };
enum { FILE_PREALLOC_WRITE = 0, FILE_PREALLOC_FALLOCATE, FILE_PREALLOC_NONE };
#define FILE_LAYOUT_CHUNK (4u << 20) /* bytes a write while the file is laid out */

typedef struct file_params {
    char path[1024]; /* the scratch file; "": <ctx->scratch>/tiersim-<tier>.live */
    bool direct;
    bool keep;
    uint64_t qd;      /* requests in flight at most */
    int io;           /* ts__ioq_kind_t */
    uint64_t threads; /* pool of the threads path; 0: qd */
    int fsync;        /* FILE_FSYNC_* */
    int prealloc;     /* FILE_PREALLOC_* */
} file_params_t;

static const char *const k_file_io[] = {"auto", "uring", "threads", NULL};
static const char *const k_file_fsync[] = {"never", "each", "close", NULL};
static const char *const k_file_prealloc[] = {"write", "fallocate", "none", NULL};

static const ts_param_spec_t k_file_params[] = {
    {"direct", TS_PT_BOOL, offsetof(file_params_t, direct), 0, 1, 0, "true",
     "O_DIRECT: bypass the page cache (falls back to buffered where the file system refuses)",
     NULL},
    {"fsync", TS_PT_ENUM, offsetof(file_params_t, fsync), 0, 1, 0, "never",
     "when writes are made durable: never (the tier is a cache), each (every write, "
     "RWF_DSYNC) or close (one fsync before the file is closed)",
     k_file_fsync},
    {"io", TS_PT_ENUM, offsetof(file_params_t, io), 0, 1, 0, "auto",
     "the I/O path: uring (io_uring), threads (a pool of pread/pwrite threads) or auto "
     "(io_uring, threads where the kernel refuses it); stats name the one that ran",
     k_file_io},
    {"keep", TS_PT_BOOL, offsetof(file_params_t, keep), 0, 1, 0, "false",
     "keep the scratch file after the run (it is removed by default)", NULL},
    {"path", TS_PT_STRING, offsetof(file_params_t, path), sizeof(((file_params_t *)0)->path), 1, 0,
     "",
     "the scratch file (created; an existing file is refused unless this back-end "
     "made it); empty: tiersim-<tier>.live in the scratch directory",
     NULL},
    {"prealloc", TS_PT_ENUM, offsetof(file_params_t, prealloc), 0, 1, 0, "write",
     "how the tier's blocks are laid out before the run: write (the whole capacity written "
     "once, as fio lays out a file, so the run's writes overwrite allocated blocks as a "
     "drive in service does), fallocate (reserved but unwritten: the first write to a block "
     "also converts its extent) or none (a sparse file: the first write allocates)",
     k_file_prealloc},
    {"qd", TS_PT_COUNT, offsetof(file_params_t, qd), 0, 1, 4096, "32",
     "queue depth: requests in flight at most, each with a buffer of the largest object", NULL},
    {"threads", TS_PT_COUNT, offsetof(file_params_t, threads), 0, 0, 1024, "0",
     "threads of the pread/pwrite pool (io: threads, or auto without io_uring); 0: qd", NULL},
};

typedef struct file_node {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
    uint64_t offset; /* of its extent, bytes */
    uint64_t blocks; /* the extent's length */
} file_node_t;

/* A free extent in a list. */
/* A request in flight in one queue slot. */
typedef struct file_slot {
    ts_be_io_t *io;
    uint64_t offset, blocks; /* the extent read or written */
    uint64_t reserved;       /* a write: bytes of capacity it holds until it lands */
} file_slot_t;

typedef struct file_backend {
    ts_backend_t base;
    int fd;
    bool keep;
    bool direct;
    bool is_raw; /* a block device the user allowed (never unlinked) */
    int lock_fd; /* holds the file's lock (flock) */
    int fsync;
    char tier[64];
    char path[1024];
    uint64_t capacity, reserved_max; /* bytes: objects, and whole extents at most */
    uint64_t pending;                /* bytes of capacity held by writes in flight */
    ts_extents_t extents;            /* of the file past its header */
    uint64_t buf_bytes;              /* each slot's buffer: the largest object */
    ts__ioq_t *q;
    file_slot_t *slots; /* qd */
    unsigned *idle;     /* slots not in flight: idle[0..n_idle) */
    unsigned qd, n_idle;
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
    if (!f)
        return;
    ts__ioq_close(f->q); /* lets what is in flight land */
    if (f->fd >= 0) {
        if (f->fsync == FILE_FSYNC_CLOSE && f->keep)
            fsync(f->fd); /* best effort: close cannot fail */
        if (!f->keep)
            unlink(f->path); /* while still locked: no other run takes it over meanwhile */
        close(f->fd);
    }
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    ts_extents_free(&f->extents);
    ts_free(f->slots);
    ts_free(f->idle);
    ts_ktab_free(&f->index);
    ts_pool_free_all(&f->nodes);
    ts_free(f);
}

/* Creates (or, when it carries our header, takes over) f->path; writes the header. */
/* Whether path is the block device the user allowed (the same device number). */
static bool file_raw_allowed(const struct stat *sb, const char *allowed)
{
    struct stat ab;
    return allowed && stat(allowed, &ab) == 0 && S_ISBLK(ab.st_mode) && ab.st_rdev == sb->st_rdev;
}

/* A block device at f->path: refused unless the user allowed it; then opened exclusively
 * (Linux refuses O_EXCL on a mounted device), checked for size, and erased from block 0. */
static int file_open_raw(file_backend_t *f, const struct stat *sb, bool direct, const char *allowed,
                         ts_err_t *err)
{
    if (!file_raw_allowed(sb, allowed))
        return ts_err_set(err, TS_EIO,
                          "file back-end of tier %s: '%s' is a block device; live mode erases "
                          "one only when --allow-raw-device and --i-know-this-erases both name "
                          "it",
                          f->tier, f->path);
    int fd = open(f->path, O_RDWR | O_EXCL | O_CLOEXEC | (direct ? O_DIRECT : 0));
    if (fd < 0)
        return ts_err_sys(err, TS_EIO, errno,
                          "file back-end of tier %s: cannot open block device '%s' for itself "
                          "alone (mounted or in use?)",
                          f->tier, f->path);
    uint64_t size = 0;
    if (ioctl(fd, BLKGETSIZE64, &size) != 0 || size < FILE_BLOCK + f->reserved_max) {
        close(fd);
        return ts_err_set(err, TS_ENOSPC,
                          "file back-end of tier %s: block device '%s' holds %llu bytes, the "
                          "tier needs %llu",
                          f->tier, f->path, (unsigned long long)size,
                          (unsigned long long)(FILE_BLOCK + f->reserved_max));
    }
    f->is_raw = true;
    f->keep = true; /* a device is never unlinked */
    f->direct = direct;
    /* its first block becomes this back-end's header (O_DIRECT: an aligned buffer) */
    char *head = NULL;
    if (posix_memalign((void **)&head, FILE_BLOCK, FILE_BLOCK)) {
        close(fd);
        return ts_err_set(err, TS_ENOMEM, "file back-end: out of memory");
    }
    memset(head, 0, FILE_BLOCK);
    snprintf(head, FILE_BLOCK, FILE_MAGIC "pid %ld\ntier %s\nblock %u\nraw device\n",
             (long)getpid(), f->tier, FILE_BLOCK);
    bool ok = pwrite(fd, head, FILE_BLOCK, 0) == (ssize_t)FILE_BLOCK && fsync(fd) == 0;
    free(head);
    if (!ok) {
        int e = errno;
        close(fd);
        return ts_err_sys(err, TS_EIO, e, "file back-end of tier %s: cannot write '%s'", f->tier,
                          f->path);
    }
    f->fd = fd;
    return 0;
}

static int file_create(file_backend_t *f, bool direct, const char *allowed, ts_err_t *err)
{
    struct stat pre;
    int fd;
    if (stat(f->path, &pre) == 0 && S_ISBLK(pre.st_mode))
        return file_open_raw(f, &pre, direct, allowed, err);
    fd = open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        char head[sizeof(FILE_MAGIC)] = "";
        int old = open(f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat sb;
        bool ours = old >= 0 && fstat(old, &sb) == 0 && S_ISREG(sb.st_mode) &&
                    pread(old, head, sizeof(head) - 1, 0) == (ssize_t)sizeof(head) - 1 &&
                    memcmp(head, FILE_MAGIC, sizeof(head) - 1) == 0;
        if (old >= 0)
            close(old);
        if (!ours)
            return ts_err_set(err, TS_EIO,
                              "file back-end of tier %s: '%s' exists and was not "
                              "made by tiersim's live mode; refusing to touch it",
                              f->tier, f->path);
        fd = open(f->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW); /* truncated once locked */
    }
    if (fd < 0)
        return ts_err_sys(err, TS_EIO, errno, "file back-end of tier %s: cannot create '%s'",
                          f->tier, f->path);
    /* a lock held for the back-end's life on a descriptor of its own (never handed to
     * io_uring, whose teardown may outlive close): a second live run on the same scratch
     * file is refused rather than sharing it; the lock goes with the process. Until it is
     * held, the file is not this back-end's to empty or remove (f->fd stays -1). */
    f->lock_fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (f->lock_fd < 0 || flock(f->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        return ts_err_sys(err, TS_EIO, e,
                          "file back-end of tier %s: '%s' is in use by another live run", f->tier,
                          f->path);
    }
    f->fd = fd;
    if (ftruncate(fd, 0) != 0)
        return ts_err_sys(err, TS_EIO, errno, "file back-end of tier %s: cannot empty '%s'",
                          f->tier, f->path);
    char head[FILE_BLOCK] = ""; /* written buffered: no alignment needed */
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

/* Lays the tier's blocks out before the run (prealloc): a block written once is overwritten
 * in place by the run, as on a drive in service; a sparse file's first write to a block
 * allocates it inside the write (and io_uring hands such writes to worker threads), which is
 * the file system's cost, not the drive's, and not what `tiersim calibrate` measured. The
 * capacity rounded to whole blocks is laid out after the header; extents past it (rounding
 * of many small objects) are allocated on first write. A raw device has nothing to lay out. */
static int file_layout(file_backend_t *f, int mode, ts_err_t *err)
{
    if (f->is_raw || mode == FILE_PREALLOC_NONE)
        return 0;
    uint64_t len = file_blocks(f->capacity) * FILE_BLOCK;
    if (mode == FILE_PREALLOC_FALLOCATE) {
        int e = posix_fallocate(f->fd, FILE_BLOCK, (off_t)len);
        if (e == 0 || e == EOPNOTSUPP || e == EINVAL)
            return 0; /* a file system without it: the file stays sparse */
        return ts_err_sys(err, e == ENOSPC ? TS_ENOSPC : TS_EIO, e,
                          "file back-end of tier %s: cannot reserve %llu bytes in '%s'", f->tier,
                          (unsigned long long)len, f->path);
    }
    void *zero = NULL;
    if (posix_memalign(&zero, FILE_BLOCK, FILE_LAYOUT_CHUNK) != 0)
        return ts_err_set(err, TS_ENOMEM, "file back-end of tier %s: out of memory", f->tier);
    memset(zero, 0, FILE_LAYOUT_CHUNK);
    int rc = 0;
    for (uint64_t done = 0; done < len && !rc;) {
        size_t n = len - done < FILE_LAYOUT_CHUNK ? (size_t)(len - done) : FILE_LAYOUT_CHUNK;
        ssize_t w = pwrite(f->fd, zero, n, (off_t)(FILE_BLOCK + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = ts_err_sys(err, w < 0 && errno == ENOSPC ? TS_ENOSPC : TS_EIO,
                            w < 0 ? errno : ENOSPC,
                            "file back-end of tier %s: cannot lay out '%s' (%llu of %llu bytes "
                            "written)",
                            f->tier, f->path, (unsigned long long)done, (unsigned long long)len);
        else
            done += (uint64_t)w;
    }
    free(zero);
    return rc;
}

/* The slots and their I/O queue. */
static int file_queue(file_backend_t *f, const file_params_t *p, ts_err_t *err)
{
    f->qd = (unsigned)p->qd;
    f->slots = ts_calloc(f->qd, sizeof(*f->slots));
    f->idle = ts_calloc(f->qd, sizeof(*f->idle));
    if (!f->slots || !f->idle)
        return ts_err_set(err, TS_ENOMEM,
                          "file back-end of tier %s: out of memory for %u "
                          "queue slots",
                          f->tier, f->qd);
    for (unsigned i = 0; i < f->qd; i++)
        f->idle[i] = f->qd - 1 - i;
    f->n_idle = f->qd;
    const ts__ioq_cfg_t cfg = {.fd = f->fd,
                               .kind = (ts__ioq_kind_t)p->io,
                               .qd = f->qd,
                               .threads = p->threads ? (unsigned)p->threads : f->qd,
                               .buf_bytes = f->buf_bytes,
                               .dsync = p->fsync == FILE_FSYNC_EACH};
    int rc = ts__ioq_open(&cfg, &f->q, err);
    if (rc)
        ts_err_prefix(err, "file back-end of tier %s", f->tier);
    return rc;
}

static int file_open(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                     ts_err_t *err)
{
    const file_params_t *p = params;
    *out = NULL;
    if (!ctx || ctx->capacity == 0)
        return ts_err_set(err, TS_EINVAL, "file back-end: the tier has no capacity");
    file_backend_t *f = ts_malloc(sizeof(*f));
    if (!f)
        return ts_err_set(err, TS_ENOMEM, "file back-end: out of memory");
    memset(f, 0, sizeof(*f));
    f->base.ops = &ts_backend_file;
    f->fd = -1;
    f->lock_fd = -1;
    f->keep = p->keep || ctx->keep;
    f->fsync = p->fsync;
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
    f->buf_bytes = file_blocks(max_object) * FILE_BLOCK;
    /* whole extents of the objects held at once: the capacity plus a block of rounding per
     * object at most, bounded by one block per 4 KiB of capacity again */
    f->reserved_max = 2 * file_blocks(ctx->capacity) * FILE_BLOCK;
    if (!rc && (ts_extents_init(&f->extents, FILE_BLOCK, FILE_BLOCK, f->reserved_max,
                                FILE_MAX_CLASS, err) != 0 ||
                ts_pool_init(&f->nodes, sizeof(file_node_t), 1024, err) != 0 ||
                ts_ktab_init(&f->index, 1024, err) != 0))
        rc = TS_ENOMEM;
    if (!rc)
        rc = file_create(f, p->direct, ctx->raw_device, err);
    if (!rc)
        rc = file_layout(f, p->prealloc, err);
    if (!rc)
        rc = file_queue(f, p, err);
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
    (void)ts_extents_release(&f->extents, nd->offset,
                             nd->blocks); /* no memory: only the extent is lost */
    f->st.objects--;
    f->st.bytes -= nd->size;
    f->st.reserved -= nd->blocks * FILE_BLOCK;
    ts_ktab_remove(&f->index, nd->key, id);
    ts_pool_release(&f->nodes, id);
}

static file_node_t *file_find(file_backend_t *f, uint64_t key, uint32_t *id)
{
    *id = ts_ktab_find(&f->index, key, f->nodes.base, f->nodes.stride);
    return *id == TS_KTAB_NONE ? NULL : ts_pool_at(&f->nodes, *id);
}

/* Starts writing io into a new extent in slot s, holding its share of the capacity. A key
 * already stored keeps its old bytes until the new ones land (file_landed), unless the file
 * is full: then the old extent is given back first. Returns 0 (started) or the request's
 * result. */
static int file_write(file_backend_t *f, ts_be_io_t *io, unsigned s, ts_err_t *err)
{
    uint32_t id;
    file_node_t *old = file_find(f, io->key, &id);
    uint64_t old_size = old ? old->size : 0;
    if (f->st.bytes + f->pending - old_size + io->size > f->capacity)
        return ts_err_set(err, TS_ENOSPC,
                          "file back-end of tier %s: %llu bytes of key %llu do "
                          "not fit (%llu of %llu bytes used)",
                          f->tier, (unsigned long long)io->size, (unsigned long long)io->key,
                          (unsigned long long)(f->st.bytes + f->pending),
                          (unsigned long long)f->capacity);
    uint64_t blocks = file_blocks(io->size), offset;
    int rc = ts_extents_alloc(&f->extents, blocks, &offset);
    if (rc == TS_ENOSPC && old) { /* full: the old extent first */
        file_drop(f, old, id);
        old_size = 0;
        rc = ts_extents_alloc(&f->extents, blocks, &offset);
    }
    if (rc)
        return ts_err_set(err, rc,
                          "file back-end of tier %s: no room for key %llu in '%s' "
                          "(%llu bytes of extents in use)",
                          f->tier, (unsigned long long)io->key, f->path,
                          (unsigned long long)f->st.reserved);
    char *buf = ts__ioq_buf(f->q, s);
    memcpy(buf, io->buf, io->size);
    memset(buf + io->size, 0, blocks * FILE_BLOCK - io->size);
    if ((rc = ts__ioq_start(f->q, s, true, blocks * FILE_BLOCK, offset, err)) != 0) {
        ts_extents_release(&f->extents, offset, blocks);
        return rc;
    }
    uint64_t held = io->size > old_size ? io->size - old_size : 0;
    f->pending += held;
    f->slots[s] = (file_slot_t){.io = io, .offset = offset, .blocks = blocks, .reserved = held};
    return 0;
}

/* Starts reading io's object into slot s. Returns 0 (started) or the request's result. */
static int file_read(file_backend_t *f, ts_be_io_t *io, unsigned s, ts_err_t *err)
{
    uint32_t id;
    const file_node_t *nd = file_find(f, io->key, &id);
    if (!nd)
        return ts_err_set(err, TS_ENOENT, "file back-end of tier %s: key %llu is not stored",
                          f->tier, (unsigned long long)io->key);
    if (nd->size != io->size)
        return ts_err_set(err, TS_EINVAL,
                          "file back-end of tier %s: key %llu holds %llu bytes, "
                          "%llu asked for",
                          f->tier, (unsigned long long)io->key, (unsigned long long)nd->size,
                          (unsigned long long)io->size);
    int rc = ts__ioq_start(f->q, s, false, nd->blocks * FILE_BLOCK, nd->offset, err);
    if (rc)
        return rc;
    f->slots[s] = (file_slot_t){.io = io, .offset = nd->offset, .blocks = nd->blocks};
    return 0;
}

/* A write of slot s landed: the key's node moves to the new extent (or is made). */
static int file_landed(file_backend_t *f, const file_slot_t *sl, ts_err_t *err)
{
    const ts_be_io_t *io = sl->io;
    uint32_t id;
    file_node_t *old = file_find(f, io->key, &id);
    if (old) {
        ts_extents_release(&f->extents, old->offset, old->blocks);
        f->st.bytes -= old->size;
        f->st.reserved -= old->blocks * FILE_BLOCK;
        f->st.objects--;
    } else {
        id = ts_pool_alloc(&f->nodes, err);
        if (id == TS_POOL_NONE || ts_ktab_insert(&f->index, io->key, id, err) != 0) {
            if (id != TS_POOL_NONE)
                ts_pool_release(&f->nodes, id);
            ts_extents_release(&f->extents, sl->offset, sl->blocks);
            return TS_ENOMEM;
        }
    }
    *(file_node_t *)ts_pool_at(&f->nodes, id) =
        (file_node_t){.key = io->key, .size = io->size, .offset = sl->offset, .blocks = sl->blocks};
    f->st.objects++;
    f->st.bytes += io->size;
    f->st.reserved += sl->blocks * FILE_BLOCK;
    f->st.writes++;
    f->st.bytes_written += io->size;
    return 0;
}

/* Slot s finished with res (bytes moved or -errno): the request's result, its slot idle. */
static ts_be_io_t *file_finish(file_backend_t *f, unsigned s, int64_t res, ts_err_t *err)
{
    file_slot_t *sl = &f->slots[s];
    ts_be_io_t *io = sl->io;
    bool is_write = io->op == TS_BE_WRITE;
    uint64_t want = sl->blocks * FILE_BLOCK;
    f->pending -= sl->reserved;
    f->idle[f->n_idle++] = s;
    if (res < 0 || (uint64_t)res != want) {
        if (is_write)
            ts_extents_release(&f->extents, sl->offset, sl->blocks);
        if (res < 0)
            io->result =
                ts_err_sys(err, res == -ENOSPC ? TS_ENOSPC : TS_EIO, (int)-res,
                           "file back-end of tier %s: cannot %s key %llu in '%s'", f->tier,
                           is_write ? "write" : "read", (unsigned long long)io->key, f->path);
        else
            io->result =
                ts_err_set(err, TS_EIO,
                           "file back-end of tier %s: short %s of key "
                           "%llu in '%s' (%lld of %llu bytes)",
                           f->tier, is_write ? "write" : "read", (unsigned long long)io->key,
                           f->path, (long long)res, (unsigned long long)want);
        return io;
    }
    if (is_write) {
        io->result = file_landed(f, sl, err);
    } else {
        memcpy(io->buf, ts__ioq_buf(f->q, s), io->size);
        f->st.reads++;
        f->st.bytes_read += io->size;
        io->result = 0;
    }
    return io;
}

static int file_submit(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err)
{
    file_backend_t *f = (file_backend_t *)b;
    if (io->op != TS_BE_FREE && io->op != TS_BE_READ && io->op != TS_BE_WRITE)
        return ts_err_set(err, TS_EINVAL, "file back-end: unknown operation %d", (int)io->op);
    if (io->op != TS_BE_FREE && (io->size == 0 || !io->buf || io->size > f->buf_bytes))
        return ts_err_set(err, TS_EINVAL,
                          "file back-end of tier %s: a %s of key %llu with %llu "
                          "bytes (1 to %llu)",
                          f->tier, io->op == TS_BE_READ ? "read" : "write",
                          (unsigned long long)io->key, (unsigned long long)io->size,
                          (unsigned long long)f->buf_bytes);
    if (io->op == TS_BE_FREE) { /* metadata only: done now */
        uint32_t id;
        file_node_t *nd = file_find(f, io->key, &id);
        if (!nd) {
            io->result = ts_err_set(err, TS_ENOENT,
                                    "file back-end of tier %s: key %llu is "
                                    "not stored",
                                    f->tier, (unsigned long long)io->key);
        } else {
            file_drop(f, nd, id);
            f->st.frees++;
            io->result = 0;
        }
        return TS_BE_DONE;
    }
    if (!f->n_idle)
        return TS_BE_BUSY;
    unsigned s = f->idle[f->n_idle - 1];
    int rc = io->op == TS_BE_WRITE ? file_write(f, io, s, err) : file_read(f, io, s, err);
    if (rc) { /* refused before any I/O */
        io->result = rc;
        return TS_BE_DONE;
    }
    f->n_idle--;
    return TS_BE_QUEUED;
}

static int file_poll(ts_backend_t *b, ts_be_io_t **done, int max, uint64_t wait_ns, ts_err_t *err)
{
    file_backend_t *f = (file_backend_t *)b;
    unsigned slots[FILE_REAP];
    int64_t res[FILE_REAP];
    int n = ts__ioq_reap(f->q, slots, res, max < FILE_REAP ? max : FILE_REAP, wait_ns, err);
    for (int i = 0; i < n; i++)
        done[i] = file_finish(f, slots[i], res[i], err);
    return n;
}

static void file_stats(const ts_backend_t *b, ts_backend_stats_t *out)
{
    const file_backend_t *f = (const file_backend_t *)b;
    *out = f->st;
    out->direct = f->direct;
    out->io = ts__ioq_path(f->q);
}

const ts_backend_ops_t ts_backend_file = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_BACKEND,
             .name = "file",
             .summary = "one scratch file on a real file system, O_DIRECT, objects in 4 KiB "
                        "extents, io_uring at a queue depth (or a pread/pwrite thread pool)",
             .flags = TS_BACKEND_ASYNC | TS_BACKEND_DIRECT_IO | TS_BACKEND_PERSISTENT,
             .params = k_file_params,
             .params_count = sizeof(k_file_params) / sizeof(k_file_params[0]),
             .params_size = sizeof(file_params_t)},
    .open = file_open,
    .submit = file_submit,
    .poll = file_poll,
    .stats = file_stats,
    .close = file_close,
};
