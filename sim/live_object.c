/* SPDX-License-Identifier: MIT */
/*
 * live_object.c - the live engine's objects (their bytes, header and checksum; live.h) and
 * its table of the copies each level holds (live_internal.h).
 */
#include <string.h>
#include <xxhash.h>

#include "live.h"
#include "live_internal.h"
#include "util/mem.h"

#define LIVE_MAGIC 0x5453494d4c495645ULL /* "TSIMLIVE" read as a big-endian word */

/* ---- objects ---- */

typedef struct live_header {
    uint64_t magic, key, size, version, sum;
} live_header_t;

_Static_assert(sizeof(live_header_t) == TS_LIVE_HEADER, "the object header is 40 bytes");

/* xorshift64* from a seed mixed from key and version: the object's bytes after its header. */
static void live_fill(uint8_t *p, uint64_t n, uint64_t key, uint64_t version)
{
    uint64_t x = ts_hash64(key ^ ts_hash64(version + 0x9e3779b97f4a7c15ULL)) | 1;
    uint64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t w = x * 0x2545f4914f6cdd1dULL;
        memcpy(p + i, &w, 8);
    }
    if (i < n) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t w = x * 0x2545f4914f6cdd1dULL;
        memcpy(p + i, &w, (size_t)(n - i));
    }
}

void ts_live_make_object(void *buf, uint64_t key, uint64_t version, uint64_t size)
{
    uint8_t *p = buf;
    if (size < TS_LIVE_HEADER) {
        live_fill(p, size, key, version);
        return;
    }
    live_fill(p + TS_LIVE_HEADER, size - TS_LIVE_HEADER, key, version);
    live_header_t h = {.magic = LIVE_MAGIC,
                       .key = key,
                       .size = size,
                       .version = version,
                       .sum = XXH3_64bits(p + TS_LIVE_HEADER, (size_t)(size - TS_LIVE_HEADER))};
    memcpy(p, &h, sizeof(h));
}

/* The first byte of buf that differs from the object (key, version, size) made afresh. */
static uint64_t live_first_diff(const uint8_t *buf, uint64_t key, uint64_t version, uint64_t size)
{
    uint8_t tmp[4096];
    uint64_t off = 0;
    /* regenerate in pieces: the header needs the whole object, so make it once when small */
    uint8_t *whole = size <= sizeof(tmp) ? tmp : ts_malloc((size_t)size);
    if (!whole) { /* no room to regenerate: compare the header at least */
        live_header_t h;
        memcpy(&h, buf, sizeof(h));
        return h.magic != LIVE_MAGIC ? 0 : h.key != key ? 8 : h.size != size ? 16 : 24;
    }
    ts_live_make_object(whole, key, version, size);
    while (off < size && buf[off] == whole[off])
        off++;
    if (whole != tmp)
        ts_free(whole);
    return off;
}

int ts_live_check_object(const void *buf, uint64_t key, uint64_t version, uint64_t size,
                         uint64_t *offset)
{
    const uint8_t *p = buf;
    bool ok;
    if (size < TS_LIVE_HEADER) {
        uint8_t tmp[TS_LIVE_HEADER];
        live_fill(tmp, size, key, version);
        ok = memcmp(tmp, p, (size_t)size) == 0;
    } else {
        live_header_t h;
        memcpy(&h, p, sizeof(h));
        ok = h.magic == LIVE_MAGIC && h.key == key && h.size == size && h.version == version &&
             h.sum == XXH3_64bits(p + TS_LIVE_HEADER, (size_t)(size - TS_LIVE_HEADER));
    }
    if (ok)
        return 0;
    *offset = live_first_diff(p, key, version, size);
    if (*offset >= size) /* the header's checksum itself was wrong */
        *offset = 32;
    return TS_EIO;
}

/* ---- the copies each level holds (written by this engine) ---- */

int live_map_init(live_map_t *m, uint64_t expected, ts_err_t *err)
{
    int rc = ts_ktab_init(&m->index, expected, err);
    if (rc == 0)
        rc = ts_pool_init(&m->pool, sizeof(live_copy_t), 64, err);
    return rc;
}

void live_map_free(live_map_t *m)
{
    ts_ktab_free(&m->index);
    ts_pool_free_all(&m->pool);
}

live_copy_t *live_map_find(const live_map_t *m, uint64_t key)
{
    uint32_t id = ts_ktab_find(&m->index, key, m->pool.base, sizeof(live_copy_t));
    return id == TS_KTAB_NONE ? NULL : ts_pool_at(&m->pool, id);
}

int live_map_set(live_map_t *m, uint64_t key, uint64_t size, uint64_t version, ts_err_t *err)
{
    live_copy_t *c = live_map_find(m, key);
    if (!c) {
        uint32_t id = ts_pool_alloc(&m->pool, err);
        if (id == TS_POOL_NONE)
            return TS_ENOMEM;
        c = ts_pool_at(&m->pool, id);
        c->key = key;
        int rc = ts_ktab_insert(&m->index, key, id, err);
        if (rc) {
            ts_pool_release(&m->pool, id);
            return rc;
        }
    }
    c->size = size;
    c->version = version;
    return 0;
}

void live_map_drop(live_map_t *m, uint64_t key)
{
    uint32_t id = ts_ktab_find(&m->index, key, m->pool.base, sizeof(live_copy_t));
    if (id == TS_KTAB_NONE)
        return;
    ts_ktab_remove(&m->index, key, id);
    ts_pool_release(&m->pool, id);
}
