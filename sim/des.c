/* SPDX-License-Identifier: MIT */
/*
 * des.c - event queue (see des.h): a 4-ary implicit min-heap of 128-bit keys with a lazily
 * filled root hole. Grows by doubling; the array is realigned on every growth so that each
 * group of four siblings starts on a 64-byte boundary.
 */
#include "des.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define DES_ALIGN 64u
#define DES_PAD 4u /* sentinel slots after the last key */
#define DES_PREFETCH_MIN (1u << 15) /* heaps above 512 KiB: prefetch grandchildren */
#define DES_KEY_MAX (~(ts_des_key_t)0)

static inline ts_des_key_t des_key(uint64_t at_ns, uint32_t seq, uint32_t tag)
{
    return (ts_des_key_t)at_ns << 64 | (ts_des_key_t)seq << 32 | tag;
}

/* Slot i's first child is 4i+1; placing slot 1 on a 64-byte boundary aligns every group. */
__attribute__((cold, noinline)) static int des_grow(ts_des_t *q, uint32_t cap, ts_err_t *err)
{
    size_t bytes = ((size_t)cap + DES_PAD + 1) * sizeof(ts_des_key_t) + DES_ALIGN;
    char *raw = ts_malloc(bytes);
    if (!raw)
        return ts_err_set(err, TS_ENOMEM, "cannot grow the event queue to %u events", cap);
    uintptr_t first = ((uintptr_t)raw + sizeof(ts_des_key_t) + DES_ALIGN - 1) &
                      ~(uintptr_t)(DES_ALIGN - 1);
    ts_des_key_t *heap = (ts_des_key_t *)(first - sizeof(ts_des_key_t));
    if (q->n)
        memcpy(heap, q->heap, (size_t)q->n * sizeof(ts_des_key_t));
    for (uint32_t i = q->n; i < cap + DES_PAD; i++)
        heap[i] = DES_KEY_MAX;
    ts_free(q->raw);
    q->raw = raw;
    q->heap = heap;
    q->cap = cap;
    return 0;
}

int ts_des_create(uint32_t initial, ts_des_t **out, ts_err_t *err)
{
    *out = NULL;
    ts_des_t *q = ts_calloc(1, sizeof(*q));
    if (!q)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate an event queue");
    int rc = des_grow(q, initial < 64 ? 64 : initial, err);
    if (rc) {
        ts_free(q);
        return rc;
    }
    *out = q;
    return 0;
}

void ts_des_destroy(ts_des_t *q)
{
    if (!q)
        return;
    ts_free(q->ring);
    ts_free(q->raw);
    ts_free(q);
}

int ts_des_kind_add(ts_des_t *q, ts_des_handler_fn fn, void *ctx, uint32_t *kind,
                    ts_err_t *err)
{
    if (q->n_kinds >= TS_DES_KINDS)
        return ts_err_set(err, TS_ENOSPC, "more than %u event kinds", TS_DES_KINDS);
    q->handlers[q->n_kinds] = (ts_des_handler_t){.fn = fn, .ctx = ctx};
    *kind = q->n_kinds++;
    return 0;
}

int ts_des_reserve(ts_des_t *q, uint32_t n, ts_err_t *err)
{
    if (n <= q->cap)
        return 0;
    return des_grow(q, n, err);
}

static inline void des_sift_up(ts_des_key_t *h, uint32_t i, ts_des_key_t x)
{
    while (i > 0) {
        uint32_t p = (i - 1) / 4;
        if (!(x < h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

/* Places x in the hole at slot i, bottom-up (Floyd): walks the hole down to a leaf along
 * the smaller children, then lets x rise from there, since a key placed at the root
 * usually belongs near the bottom. Slots n..n+3 hold DES_KEY_MAX sentinels, so every
 * sibling group reads as full; the smallest of a group is chosen by a branch-free
 * tournament, since its outcome is random. In heaps too large for the near caches the four
 * grandchild groups (256 contiguous bytes) are prefetched one level ahead. */
static inline void des_sift_down(ts_des_key_t *h, uint32_t n, uint32_t i, ts_des_key_t x)
{
    for (;;) {
        uint64_t c = (uint64_t)i * 4 + 1;
        if (c >= n)
            break;
        const ts_des_key_t *g = h + c;
        if (n > DES_PREFETCH_MIN && c * 4 + 1 < n) {
            const char *gc = (const char *)(h + c * 4 + 1);
            __builtin_prefetch(gc);
            __builtin_prefetch(gc + 64);
            __builtin_prefetch(gc + 128);
            __builtin_prefetch(gc + 192);
        }
        ts_des_key_t k0 = g[0], k1 = g[1], k2 = g[2], k3 = g[3];
        uint32_t a = k1 < k0, b = k3 < k2;
        ts_des_key_t ka = a ? k1 : k0, kb = b ? k3 : k2;
        uint32_t d = kb < ka;
        h[i] = d ? kb : ka;
        i = (uint32_t)c + 2 * d + (a ^ ((a ^ b) & (0u - d)));
    }
    des_sift_up(h, i, x);
}

/* Refills the root hole with the last key. */
static inline void des_fill_hole(ts_des_t *q)
{
    q->has_hole = false;
    ts_des_key_t x = q->heap[--q->n];
    q->heap[q->n] = DES_KEY_MAX;
    if (q->n > 0)
        des_sift_down(q->heap, q->n, 0, x);
}

static int des_cmp_key(const void *a, const void *b)
{
    ts_des_key_t x = *(const ts_des_key_t *)a, y = *(const ts_des_key_t *)b;
    return (x > y) - (x < y);
}

/* Sequence numbers ran out: sort the pending keys (a sorted array is a heap) and number
 * them again from 0, which keeps their order. */
__attribute__((cold, noinline)) static void des_renumber(ts_des_t *q)
{
    if (q->has_hole)
        des_fill_hole(q);
    qsort(q->heap, q->n, sizeof(ts_des_key_t), des_cmp_key);
    for (uint32_t i = 0; i < q->n; i++) {
        ts_des_key_t k = q->heap[i];
        q->heap[i] = des_key((uint64_t)(k >> 64), i, (uint32_t)k);
    }
    q->seq_next = q->n;
}

/* Doubles the ring of events at the current time, keeping their order. */
__attribute__((cold, noinline)) static int des_ring_grow(ts_des_t *q, ts_err_t *err)
{
    uint32_t cap = q->ring_cap ? q->ring_cap * 2 : 256;
    if (q->ring_cap > UINT32_MAX / 2)
        return ts_err_set(err, TS_ENOMEM, "more than %u events at one time", q->ring_cap);
    uint32_t *ring = ts_malloc((size_t)cap * sizeof(*ring));
    if (!ring)
        return ts_err_set(err, TS_ENOMEM, "cannot grow the event queue to %u events at one time",
                          cap);
    for (uint32_t i = 0; i < q->ring_n; i++)
        ring[i] = q->ring[(q->ring_head + i) & (q->ring_cap - 1)];
    ts_free(q->ring);
    q->ring = ring;
    q->ring_head = 0;
    q->ring_cap = cap;
    return 0;
}

int ts_des_schedule(ts_des_t *q, uint64_t at_ns, uint32_t tag, ts_err_t *err)
{
    if (at_ns < q->now_ns)
        return ts_err_set(err, TS_EINVAL, "event at %llu ns is before the clock (%llu ns)",
                          (unsigned long long)at_ns, (unsigned long long)q->now_ns);
    if (at_ns == q->now_ns) {
        if (q->ring_n == q->ring_cap) {
            int rc = des_ring_grow(q, err);
            if (rc)
                return rc;
        }
        q->ring[(q->ring_head + q->ring_n++) & (q->ring_cap - 1)] = tag;
        return 0;
    }
    if (q->seq_next == UINT32_MAX)
        des_renumber(q);
    ts_des_key_t x = des_key(at_ns, q->seq_next++, tag);
    if (q->has_hole) {
        q->has_hole = false;
        des_sift_down(q->heap, q->n, 0, x);
        return 0;
    }
    if (q->n == q->cap) {
        if (q->cap > UINT32_MAX / 2)
            return ts_err_set(err, TS_ENOMEM, "more than %u pending events", q->cap);
        int rc = des_grow(q, q->cap * 2, err);
        if (rc)
            return rc;
    }
    des_sift_up(q->heap, q->n++, x);
    return 0;
}

uint64_t ts_des_peek(ts_des_t *q)
{
    if (q->ring_n)
        return q->now_ns;
    if (q->has_hole)
        des_fill_hole(q);
    return q->n ? (uint64_t)(q->heap[0] >> 64) : TS_DES_NEVER;
}

bool ts_des_pop(ts_des_t *q, uint64_t until_ns, uint64_t *at_ns, uint32_t *tag)
{
    if (q->has_hole)
        des_fill_hole(q);
    if (q->ring_n && (q->n == 0 || (uint64_t)(q->heap[0] >> 64) > q->now_ns)) {
        /* the ring's events are at now, after any of the heap's at now */
        if (q->now_ns > until_ns)
            return false;
        *tag = q->ring[q->ring_head];
        q->ring_head = (q->ring_head + 1) & (q->ring_cap - 1);
        q->ring_n--;
        q->n_events++;
        *at_ns = q->now_ns;
        return true;
    }
    if (q->n == 0)
        return false;
    ts_des_key_t k = q->heap[0];
    uint64_t at = (uint64_t)(k >> 64);
    if (at > until_ns)
        return false;
    q->has_hole = true;
    q->now_ns = at;
    q->n_events++;
    *at_ns = at;
    *tag = (uint32_t)k;
    return true;
}

int ts_des_run(ts_des_t *q, uint64_t until_ns, ts_err_t *err)
{
    uint64_t at;
    uint32_t tag;
    while (ts_des_pop(q, until_ns, &at, &tag)) {
        const ts_des_handler_t *h = &q->handlers[ts_des_tag_kind(tag)];
        if (!h->fn)
            return ts_err_set(err, TS_EINTERNAL, "event of kind %u at %llu ns has no handler",
                              ts_des_tag_kind(tag), (unsigned long long)at);
        int rc = h->fn(h->ctx, ts_des_tag_id(tag), err);
        if (rc)
            return rc;
    }
    return 0;
}
