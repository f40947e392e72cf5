/* SPDX-License-Identifier: MIT */
/*
 * memory.c - the "memory" live back-end: a tier held in host DRAM, every object's bytes
 * really copied in on a write and out on a read (memcpy), so a live run pays the memory
 * bandwidth a DRAM tier costs.
 *
 * Each object is one allocation of its exact size from the C heap (glibc serves small ones
 * from its size-class bins and large ones from mmap), found by key through a ktab over a
 * pool of nodes. The bytes stored never exceed the context's capacity: a write that would
 * is refused with TS_ENOSPC (the policies evict before they insert, so that is a fault of
 * the caller). With `pinned: true` every object is locked in RAM (mlock), so it is never
 * paged out; a lock refused (RLIMIT_MEMLOCK) is an error naming the limit.
 * Synchronous: submit answers TS_BE_DONE. Cost: O(1) expected per request plus the copy;
 * memory: the objects, plus about 40 bytes a key.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../sim/backend.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "../sim/util/pool.h"
#include "backend.h"

typedef struct mem_params {
    bool pinned;
} mem_params_t;

static const ts_param_spec_t k_mem_params[] = {
    {"pinned", TS_PT_BOOL, offsetof(mem_params_t, pinned), 0, 1, 0, "false",
     "lock every object in RAM (mlock): never paged out; needs RLIMIT_MEMLOCK room", NULL},
};

typedef struct mem_node {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
    void *data;
} mem_node_t;

typedef struct mem_backend {
    ts_backend_t base;
    bool pinned;
    char tier[64];
    uint64_t capacity;
    uint32_t n_ids; /* ids below this have held a node (those to look at on close) */
    ts_pool_t nodes;
    ts_ktab_t index;
    ts_backend_stats_t st;
} mem_backend_t;

static void mem_close(ts_backend_t *b)
{
    mem_backend_t *m = (mem_backend_t *)b;
    if (!m)
        return;
    for (uint32_t id = 0; m->index.n && id < m->n_ids; id++) {
        mem_node_t *nd = ts_pool_at(&m->nodes, id); /* a freed one has no data */
        if (nd->data && ts_ktab_find(&m->index, nd->key, m->nodes.base, m->nodes.stride) == id) {
            if (m->pinned)
                munlock(nd->data, nd->size);
            ts_free(nd->data);
        }
    }
    ts_ktab_free(&m->index);
    ts_pool_free_all(&m->nodes);
    ts_free(m);
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
    if (ts_pool_init(&m->nodes, sizeof(mem_node_t), 1024, err) != 0 ||
        ts_ktab_init(&m->index, 1024, err) != 0) {
        ts_pool_free_all(&m->nodes);
        ts_free(m);
        return TS_ENOMEM;
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

static void mem_drop(mem_backend_t *m, mem_node_t *nd, uint32_t id)
{
    if (m->pinned)
        munlock(nd->data, nd->size);
    ts_free(nd->data);
    m->st.objects--;
    m->st.bytes -= nd->size;
    m->st.reserved -= nd->size;
    ts_ktab_remove(&m->index, nd->key, id);
    nd->data = NULL;
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
    void *data = ts_malloc(io->size);
    if (!data)
        return ts_err_set(err, TS_ENOMEM, "memory back-end of tier %s: no memory for %llu bytes",
                          m->tier, (unsigned long long)io->size);
    if (m->pinned && mlock(data, io->size) != 0) {
        int e = errno;
        ts_free(data);
        return ts_err_sys(err, TS_ENOMEM, e, "memory back-end of tier %s: cannot lock %llu "
                                             "bytes in RAM (see ulimit -l, RLIMIT_MEMLOCK)",
                          m->tier, (unsigned long long)io->size);
    }
    memcpy(data, io->buf, io->size);
    if (old) { /* replaced: the node keeps its id */
        if (m->pinned)
            munlock(old->data, old->size);
        ts_free(old->data);
        m->st.bytes -= old->size;
        m->st.reserved -= old->size;
        old->data = data;
        old->size = io->size;
    } else {
        id = ts_pool_alloc(&m->nodes, err);
        if (id == TS_POOL_NONE || ts_ktab_insert(&m->index, io->key, id, err) != 0) {
            if (id != TS_POOL_NONE)
                ts_pool_release(&m->nodes, id);
            if (m->pinned)
                munlock(data, io->size);
            ts_free(data);
            return TS_ENOMEM;
        }
        mem_node_t *nd = ts_pool_at(&m->nodes, id);
        *nd = (mem_node_t){.key = io->key, .size = io->size, .data = data};
        m->n_ids = id + 1 > m->n_ids ? id + 1 : m->n_ids;
        m->st.objects++;
    }
    m->st.bytes += io->size;
    m->st.reserved += io->size;
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
            memcpy(io->buf, nd->data, nd->size);
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
             .summary = "host DRAM: each object's bytes copied in and out (memcpy), optionally "
                        "locked in RAM",
             .flags = 0,
             .params = k_mem_params,
             .params_count = sizeof(k_mem_params) / sizeof(k_mem_params[0]),
             .params_size = sizeof(mem_params_t)},
    .open = mem_open,
    .submit = mem_submit,
    .stats = mem_stats,
    .close = mem_close,
};
