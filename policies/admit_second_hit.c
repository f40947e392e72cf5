/* SPDX-License-Identifier: MIT */
/*
 * admit_second_hit.c - admit on the second miss: one-hit wonders never enter the tier.
 *
 * Decision rule:
 *   on_miss(k): remember k as one of the tier's last `window` missed keys
 *   admit(k):   true when k is among the last `window` misses recorded before this request
 * So the first miss of a key is refused and a second miss within the window is admitted
 * (the hierarchy records a request's misses only after placing it).
 * Structure: a ring of the last `window` missed keys (8 bytes each) and a ts_ktab from key
 * to the ring slot of its latest occurrence (11-23 bytes per distinct key in the ring): a
 * bounded, exact recent-key filter of about 20-31 bytes per window entry (3 MB for the
 * default window of 100000). When a slot is overwritten its key leaves the index unless a
 * later slot holds it.
 * Cost: O(1) expected per on_miss and admit; memory fixed at create (no growth after).
 */
#include "../sim/admit.h"

#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"

extern const ts_admit_ops_t ts_admit_second_hit;

typedef struct second_hit_params {
    uint64_t window; /* misses remembered */
} second_hit_params_t;

typedef struct second_hit {
    ts_admit_t base;
    uint64_t *ring;  /* the last `window` missed keys, oldest overwritten first */
    uint64_t window; /* ring slots */
    uint64_t next;   /* slot the next miss is written to */
    uint64_t filled; /* slots in use (< window until the ring wraps) */
    ts_ktab_t index; /* key -> slot of its latest occurrence */
} second_hit_t;

static const ts_param_spec_t k_second_hit_params[] = {
    {.name = "window",
     .type = TS_PT_COUNT,
     .offset = offsetof(second_hit_params_t, window),
     .min = 1,
     .max = 1e9,
     .def = "100000",
     .help = "how many of the tier's most recent misses are remembered"},
};

static void second_hit_destroy(ts_admit_t *a)
{
    second_hit_t *s = (second_hit_t *)a;
    if (!s)
        return;
    ts_ktab_free(&s->index);
    ts_free(s->ring);
    ts_free(s);
}

static int second_hit_create(const void *params, ts_admit_t **out, ts_err_t *err)
{
    *out = NULL;
    second_hit_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate admission filter second_hit");
    s->base.ops = &ts_admit_second_hit;
    s->window = ((const second_hit_params_t *)params)->window;
    int rc = ts_ktab_init(&s->index, s->window, err);
    if (rc)
        goto fail;
    s->ring = ts_malloc(s->window * sizeof(*s->ring));
    if (!s->ring) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate a second_hit window of %llu keys",
                        (unsigned long long)s->window);
        goto fail;
    }
    *out = &s->base;
    return 0;
fail:
    second_hit_destroy(&s->base);
    return rc;
}

static bool second_hit_admit(ts_admit_t *a, const ts_req_t *r)
{
    const second_hit_t *s = (const second_hit_t *)a;
    return ts_ktab_find(&s->index, r->key, s->ring, sizeof(uint64_t)) != TS_KTAB_NONE;
}

static void second_hit_on_miss(ts_admit_t *a, const ts_req_t *r)
{
    second_hit_t *s = (second_hit_t *)a;
    uint32_t slot = (uint32_t)s->next;
    if (s->filled == s->window) { /* the oldest miss leaves unless a later slot has it */
        uint64_t old = s->ring[slot];
        if (ts_ktab_find(&s->index, old, s->ring, sizeof(uint64_t)) == slot)
            ts_ktab_remove(&s->index, old, slot);
    } else {
        s->filled++;
    }
    uint32_t prev = ts_ktab_find(&s->index, r->key, s->ring, sizeof(uint64_t));
    if (prev != TS_KTAB_NONE)
        ts_ktab_remove(&s->index, r->key, prev);
    s->ring[slot] = r->key;
    /* The index never holds more than `window` keys, the size it was made for, so this
     * insert does not grow the table and cannot fail. */
    ts_ktab_insert(&s->index, r->key, slot, NULL);
    s->next = s->next + 1 == s->window ? 0 : s->next + 1;
}

static size_t second_hit_mem_bytes(const ts_admit_t *a)
{
    const second_hit_t *s = (const second_hit_t *)a;
    return sizeof(*s) + s->window * sizeof(*s->ring) + ts_ktab_bytes(&s->index);
}

const ts_admit_ops_t ts_admit_second_hit = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_ADMIT,
             .name = "second_hit",
             .summary = "admit a key only on its second miss within the last `window` misses",
             .params = k_second_hit_params,
             .params_count = TS_PARAM_COUNT(k_second_hit_params),
             .params_size = sizeof(second_hit_params_t)},
    .create = second_hit_create,
    .destroy = second_hit_destroy,
    .admit = second_hit_admit,
    .on_miss = second_hit_on_miss,
    .mem_bytes = second_hit_mem_bytes,
};
