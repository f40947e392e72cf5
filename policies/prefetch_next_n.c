/* SPDX-License-Identifier: MIT */
/*
 * prefetch_next_n.c - sequential-by-key prefetching: after key k, fetch k+1 .. k+n.
 *
 * Decision rule:
 *   on_access(k, size): propose keys k+1, ..., k+n (stopping before the key space wraps),
 *                       each with the demand request's size and time
 * The hierarchy fetches those that no tier holds. Suits scans over numbered blocks or
 * samples (training epochs in file order, sequential checkpoint reads).
 * Cost: O(n) per demand access; no state besides n.
 */
#include "../sim/prefetch.h"

#include "../sim/util/mem.h"

extern const ts_prefetch_ops_t ts_prefetch_next_n;

typedef struct next_n_params {
    uint64_t n; /* keys fetched ahead */
} next_n_params_t;

typedef struct next_n {
    ts_prefetcher_t base;
    uint64_t n;
} next_n_t;

static const ts_param_spec_t k_next_n_params[] = {
    {.name = "n",
     .type = TS_PT_COUNT,
     .offset = offsetof(next_n_params_t, n),
     .min = 1,
     .max = TS_PREFETCH_MAX,
     .def = "4",
     .help = "how many following keys to fetch after each demand access"},
};

static int next_n_create(const void *params, ts_prefetcher_t **out, ts_err_t *err)
{
    next_n_t *p = ts_calloc(1, sizeof(*p));
    *out = NULL;
    if (!p)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate prefetcher next_n");
    p->base.ops = &ts_prefetch_next_n;
    p->n = ((const next_n_params_t *)params)->n;
    *out = &p->base;
    return 0;
}

static void next_n_destroy(ts_prefetcher_t *p)
{
    ts_free(p);
}

static size_t next_n_on_access(ts_prefetcher_t *p, const ts_req_t *r, ts_req_t *out, size_t cap)
{
    uint64_t n = ((const next_n_t *)p)->n;
    size_t k = 0;
    for (uint64_t i = 1; i <= n && k < cap && r->key <= UINT64_MAX - i; i++)
        out[k++] = (ts_req_t){.time_ns = r->time_ns,
                              .key = r->key + i,
                              .size_bytes = r->size_bytes,
                              .next_access = TS_REQ_NEVER,
                              .stream = r->stream,
                              .op = TS_OP_GET,
                              .flags = TS_REQ_PREFETCH};
    return k;
}

static size_t next_n_mem_bytes(const ts_prefetcher_t *p)
{
    (void)p;
    return sizeof(next_n_t);
}

const ts_prefetch_ops_t ts_prefetch_next_n = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_PREFETCH,
             .name = "next_n",
             .summary = "after a demand access to key k, fetch keys k+1..k+n that are not cached",
             .params = k_next_n_params,
             .params_count = TS_PARAM_COUNT(k_next_n_params),
             .params_size = sizeof(next_n_params_t)},
    .create = next_n_create,
    .destroy = next_n_destroy,
    .on_access = next_n_on_access,
    .mem_bytes = next_n_mem_bytes,
};
