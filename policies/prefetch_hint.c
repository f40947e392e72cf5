/* SPDX-License-Identifier: MIT */
/*
 * prefetch_hint.c - hint-driven prefetching: the workload says what it will need.
 *
 * Decision rule: on_access proposes nothing; instead (TS_PREFETCH_HINTS) every trace
 * request carrying TS_REQ_PREFETCH is a prefetch of its key and size into the target tier,
 * not a demand access. Data loaders and inference servers that know their next batch or
 * KV-cache blocks emit such hints; later workload-aware prefetchers build on this.
 * Cost: none beyond the fetch itself.
 */
#include "../sim/prefetch.h"

#include "../sim/util/mem.h"

extern const ts_prefetch_ops_t ts_prefetch_hint;

static int hint_create(const void *params, ts_prefetcher_t **out, ts_err_t *err)
{
    (void)params;
    *out = ts_calloc(1, sizeof(ts_prefetcher_t));
    if (!*out)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate prefetcher hint");
    (*out)->ops = &ts_prefetch_hint;
    return 0;
}

static void hint_destroy(ts_prefetcher_t *p)
{
    ts_free(p);
}

static size_t hint_mem_bytes(const ts_prefetcher_t *p)
{
    (void)p;
    return sizeof(ts_prefetcher_t);
}

const ts_prefetch_ops_t ts_prefetch_hint = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_PREFETCH,
             .name = "hint",
             .summary = "trace requests flagged prefetch are prefetch hints, not demand",
             .flags = TS_PREFETCH_HINTS},
    .create = hint_create,
    .destroy = hint_destroy,
    .mem_bytes = hint_mem_bytes,
};
