/* SPDX-License-Identifier: MIT */
/*
 * prefetch_none.c - no prefetching (the default): proposes nothing, takes no hints.
 *
 * Decision rule: on_access proposes nothing. The hierarchy treats it as having no
 * prefetcher at all, and trace requests flagged TS_REQ_PREFETCH stay demand requests.
 * Cost: none.
 */
#include "../sim/prefetch.h"

#include "../sim/util/mem.h"

extern const ts_prefetch_ops_t ts_prefetch_none;

static int none_create(const void *params, ts_prefetcher_t **out, ts_err_t *err)
{
    (void)params;
    *out = ts_calloc(1, sizeof(ts_prefetcher_t));
    if (!*out)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate prefetcher none");
    (*out)->ops = &ts_prefetch_none;
    return 0;
}

static void none_destroy(ts_prefetcher_t *p)
{
    ts_free(p);
}

static size_t none_mem_bytes(const ts_prefetcher_t *p)
{
    (void)p;
    return sizeof(ts_prefetcher_t);
}

const ts_prefetch_ops_t ts_prefetch_none = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_PREFETCH,
             .name = "none",
             .summary = "no prefetching (the default)",
             .flags = TS_PREFETCH_NOTHING},
    .create = none_create,
    .destroy = none_destroy,
    .mem_bytes = none_mem_bytes,
};
