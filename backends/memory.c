/* SPDX-License-Identifier: MIT */
/*
 * memory.c - the "memory" live back-end: a tier held in host DRAM, every object's bytes
 * really copied in on a write and out on a read (memcpy), so a live run pays the memory
 * bandwidth a DRAM tier costs.
 *
 * The objects live in one arena: an anonymous mapping of twice the capacity rounded up to
 * 64-byte blocks (MAP_NORESERVE: address space, not memory), carved into extents of whole
 * blocks by the extent allocator of extent.h (exact-length free lists up to 256 KiB, a
 * bump pointer, longer free extents cut), found by key through a ktab over a pool of nodes.
 A page of the arena is faulted in when it is first written and kept: an extent
 * freed and reused costs no fault (the C heap would give each object of 128 KiB or more a
 * mapping of its own, fault it in page by page, and unmap it on free, so every fill of a
 * large object paid its page faults again). Pages are touched as the bump pointer reaches
 * them, so the memory used is what the objects need, not the arena's size. The bytes
 * stored never exceed the context's capacity: a write that would is refused with
 * TS_ENOSPC (the policies evict before they insert, so that is a fault of the caller).
 * With `pinned: true` the arena's used part is locked in RAM (mlock, extended as the bump
 * pointer passes it), so no object is ever paged out; a lock refused (RLIMIT_MEMLOCK) is
 * an error naming the limit.
 * Synchronous: submit answers TS_BE_DONE. Cost: O(1) expected per request plus the copy;
 * memory: the bytes stored (more with fragmentation, at most twice the capacity), plus ~40
 * bytes a key.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../sim/backend.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/pool.h"
#include "backend.h"
#include "extent.h"

#define MEM_BLOCK 64u          /* bytes: a cache line */
#define MEM_CLASSES 4096u      /* exact-length free lists up to 4096 blocks (256 KiB) */

typedef struct mem_params {
    bool pinned;
} mem_params_t;

static const ts_param_spec_t k_mem_params[] = {
    {"pinned", TS_PT_BOOL, offsetof(mem_params_t, pinned), 0, 1, 0, "false",
     "lock the arena in RAM (mlock): never paged out; needs RLIMIT_MEMLOCK room for the "
     "capacity", NULL},
};

typedef struct mem_node {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
    uint64_t offset; /* of its extent in the arena, bytes */
} mem_node_t;

typedef struct mem_backend {
    ts_backend_t base;
    bool pinned;
    char tier[64];
    uint64_t capacity;
    char *arena;         /* arena_bytes of address space */
    uint64_t arena_bytes;
    uint64_t locked;     /* pinned: bytes from the arena's start locked in RAM */
    ts_extents_t extents;
    ts_pool_t nodes;
    ts_ktab_t index;
    ts_backend_stats_t st;
} mem_backend_t;

static void mem_close(ts_backend_t *b)
{
    mem_backend_t *m = (mem_backend_t *)b;
    if (!m)
        return;
    if (m->arena)
        munmap(m->arena, m->arena_bytes); /* unlocks what was locked */
    ts_extents_free(&m->extents);
    ts_ktab_free(&m->index);
    ts_pool_free_all(&m->nodes);
    ts_free(m);
}

static uint64_t mem_page(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (uint64_t)p : 4096;
}

/* pinned: locks the arena up to end (rounded up to a page) in RAM. */
static int mem_lock_to(mem_backend_t *m, uint64_t end, ts_err_t *err)
{
    uint64_t pg = mem_page();
    end = (end + pg - 1) / pg * pg;
    end = end < m->arena_bytes ? end : m->arena_bytes;
    if (!m->pinned || end <= m->locked)
        return 0;
    if (mlock(m->arena + m->locked, end - m->locked) != 0)
        return ts_err_sys(err, TS_ENOMEM, errno,
                          "memory back-end of tier %s: cannot lock %llu bytes in RAM (see "
                          "ulimit -l, RLIMIT_MEMLOCK)",
                          m->tier, (unsigned long long)(end - m->locked));
    m->locked = end;
    return 0;
}

static int mem_open(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                    ts_err_t *err)
{
    const mem_params_t *p = params;
    *out = NULL;
    if (!ctx || ctx->capacity == 0)
        return ts_err_set(err, TS_EINVAL, "memory back-end: the tier has no capacity");
    mem_backend_t *m = ts_malloc(sizeof(*m));
    if (!m)
        return ts_err_set(err, TS_ENOMEM, "memory back-end: out of memory");
    memset(m, 0, sizeof(*m));
    m->base.ops = &ts_backend_memory;
    m->pinned = p && p->pinned;
    m->capacity = ctx->capacity;
    snprintf(m->tier, sizeof(m->tier), "%s", ctx->tier ? ctx->tier : "tier");
    uint64_t blocks = (ctx->capacity + MEM_BLOCK - 1) / MEM_BLOCK;
    int rc = blocks > UINT64_MAX / (2 * MEM_BLOCK)
                 ? ts_err_set(err, TS_ERANGE, "memory back-end of tier %s: capacity too large",
                              m->tier)
                 : 0;
    m->arena_bytes = 2 * blocks * MEM_BLOCK;
    if (!rc && (ts_extents_init(&m->extents, MEM_BLOCK, 0, m->arena_bytes, MEM_CLASSES, err) ||
                ts_pool_init(&m->nodes, sizeof(mem_node_t), 1024, err) ||
                ts_ktab_init(&m->index, 1024, err)))
        rc = TS_ENOMEM;
    if (!rc) {
        void *a = mmap(NULL, m->arena_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (a == MAP_FAILED)
            rc = ts_err_sys(err, TS_ENOMEM, errno,
                            "memory back-end of tier %s: cannot map %llu bytes of address "
                            "space",
                            m->tier, (unsigned long long)m->arena_bytes);
        else
            m->arena = a;
    }
    if (rc) {
        mem_close(&m->base);
        return rc;
    }
    *out = &m->base;
    return 0;
}

/* The node of key, or NULL. */
static mem_node_t *mem_find(const mem_backend_t *m, uint64_t key, uint32_t *id)
{
    *id = ts_ktab_find(&m->index, key, m->nodes.base, m->nodes.stride);
    return *id == TS_KTAB_NONE ? NULL : ts_pool_at(&m->nodes, *id);
}

static uint64_t mem_blocks(uint64_t bytes)
{
    return (bytes + MEM_BLOCK - 1) / MEM_BLOCK;
}

/* Gives nd's extent back (no memory for the free list: only the extent is lost). */
static void mem_release(mem_backend_t *m, const mem_node_t *nd)
{
    (void)ts_extents_release(&m->extents, nd->offset, mem_blocks(nd->size));
    m->st.bytes -= nd->size;
    m->st.reserved -= mem_blocks(nd->size) * MEM_BLOCK;
}

static void mem_drop(mem_backend_t *m, mem_node_t *nd, uint32_t id)
{
    mem_release(m, nd);
    m->st.objects--;
    ts_ktab_remove(&m->index, nd->key, id);
    ts_pool_release(&m->nodes, id);
}

static int mem_write(mem_backend_t *m, ts_be_io_t *io, ts_err_t *err)
{
    uint32_t id;
    mem_node_t *old = mem_find(m, io->key, &id);
    uint64_t after = m->st.bytes - (old ? old->size : 0) + io->size;
    if (after > m->capacity)
        return ts_err_set(err, TS_ENOSPC, "memory back-end of tier %s: %llu bytes of key %llu "
                                          "do not fit (%llu of %llu bytes used)",
                          m->tier, (unsigned long long)io->size, (unsigned long long)io->key,
                          (unsigned long long)m->st.bytes, (unsigned long long)m->capacity);
    uint64_t offset;
    int rc = ts_extents_alloc(&m->extents, mem_blocks(io->size), &offset);
    if (rc == TS_ENOSPC && old) { /* no room for both: the old bytes go first */
        mem_release(m, old);
        old->size = 0;
        rc = ts_extents_alloc(&m->extents, mem_blocks(io->size), &offset);
    }
    if (rc == 0 && (rc = mem_lock_to(m, offset + io->size, err)) != 0)
        (void)ts_extents_release(&m->extents, offset, mem_blocks(io->size)); /* not kept */
    else if (rc)
        ts_err_set(err, rc,
                   "memory back-end of tier %s: no room for key %llu in the arena (%llu bytes "
                   "of extents in use of %llu)",
                   m->tier, (unsigned long long)io->key, (unsigned long long)m->st.reserved,
                   (unsigned long long)m->arena_bytes);
    if (rc) {
        if (old && old->size == 0) { /* its bytes are gone: so is the key */
            m->st.objects--;
            ts_ktab_remove(&m->index, old->key, id);
            ts_pool_release(&m->nodes, id);
        }
        return rc;
    }
    memcpy(m->arena + offset, io->buf, io->size);
    if (old) { /* replaced: the node keeps its id */
        if (old->size)
            mem_release(m, old);
        old->offset = offset;
        old->size = io->size;
    } else {
        id = ts_pool_alloc(&m->nodes, err);
        if (id == TS_POOL_NONE || ts_ktab_insert(&m->index, io->key, id, err) != 0) {
            if (id != TS_POOL_NONE)
                ts_pool_release(&m->nodes, id);
            (void)ts_extents_release(&m->extents, offset, mem_blocks(io->size));
            return TS_ENOMEM;
        }
        *(mem_node_t *)ts_pool_at(&m->nodes, id) =
            (mem_node_t){.key = io->key, .size = io->size, .offset = offset};
        m->st.objects++;
    }
    m->st.bytes += io->size;
    m->st.reserved += mem_blocks(io->size) * MEM_BLOCK;
    m->st.writes++;
    m->st.bytes_written += io->size;
    return 0;
}

static int mem_submit(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err)
{
    mem_backend_t *m = (mem_backend_t *)b;
    if (io->op != TS_BE_FREE && (io->size == 0 || !io->buf))
        return ts_err_set(err, TS_EINVAL, "memory back-end of tier %s: a %s of key %llu with "
                                          "no bytes",
                          m->tier, io->op == TS_BE_READ ? "read" : "write",
                          (unsigned long long)io->key);
    uint32_t id;
    mem_node_t *nd;
    switch (io->op) {
    case TS_BE_WRITE:
        io->result = mem_write(m, io, err);
        break;
    case TS_BE_READ:
        if (!(nd = mem_find(m, io->key, &id)))
            io->result = ts_err_set(err, TS_ENOENT, "memory back-end of tier %s: key %llu is "
                                                    "not stored",
                                    m->tier, (unsigned long long)io->key);
        else if (nd->size != io->size)
            io->result = ts_err_set(err, TS_EINVAL, "memory back-end of tier %s: key %llu holds "
                                                    "%llu bytes, %llu asked for",
                                    m->tier, (unsigned long long)io->key,
                                    (unsigned long long)nd->size, (unsigned long long)io->size);
        else {
            memcpy(io->buf, m->arena + nd->offset, nd->size);
            m->st.reads++;
            m->st.bytes_read += nd->size;
            io->result = 0;
        }
        break;
    case TS_BE_FREE:
        if (!(nd = mem_find(m, io->key, &id))) {
            io->result = ts_err_set(err, TS_ENOENT, "memory back-end of tier %s: key %llu is "
                                                    "not stored",
                                    m->tier, (unsigned long long)io->key);
        } else {
            mem_drop(m, nd, id);
            m->st.frees++;
            io->result = 0;
        }
        break;
    default:
        return ts_err_set(err, TS_EINVAL, "memory back-end: unknown operation %d", (int)io->op);
    }
    return TS_BE_DONE;
}

static void mem_stats(const ts_backend_t *b, ts_backend_stats_t *out)
{
    *out = ((const mem_backend_t *)b)->st;
}

const ts_backend_ops_t ts_backend_memory = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_BACKEND,
             .name = "memory",
             .summary = "host DRAM: objects in one arena, each object's bytes copied in and out "
                        "(memcpy), optionally locked in RAM",
             .flags = 0,
             .params = k_mem_params,
             .params_count = sizeof(k_mem_params) / sizeof(k_mem_params[0]),
             .params_size = sizeof(mem_params_t)},
    .open = mem_open,
    .submit = mem_submit,
    .stats = mem_stats,
    .close = mem_close,
};
