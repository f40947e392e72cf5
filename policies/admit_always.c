/* SPDX-License-Identifier: MIT */
/*
 * admit_always.c - the default admission filter: every object may enter the tier.
 *
 * Decision rule: admit(r) = true. The hierarchy treats a tier whose filter is `always` as
 * having no filter at all (it never calls it), so the default costs nothing per request.
 * Cost: O(1); no state.
 */
#include "../sim/admit.h"

#include "../sim/util/mem.h"

extern const ts_admit_ops_t ts_admit_always;

static int always_create(const void *params, ts_admit_t **out, ts_err_t *err)
{
    (void)params;
    *out = ts_calloc(1, sizeof(ts_admit_t));
    if (!*out)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate admission filter always");
    (*out)->ops = &ts_admit_always;
    return 0;
}

static void always_destroy(ts_admit_t *a)
{
    ts_free(a);
}

static bool always_admit(ts_admit_t *a, const ts_req_t *r)
{
    (void)a;
    (void)r;
    return true;
}

static size_t always_mem_bytes(const ts_admit_t *a)
{
    (void)a;
    return sizeof(ts_admit_t);
}

const ts_admit_ops_t ts_admit_always = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_ADMIT,
             .name = "always",
             .summary = "admit every object (the default)",
             .flags = TS_ADMIT_ALL},
    .create = always_create,
    .destroy = always_destroy,
    .admit = always_admit,
    .mem_bytes = always_mem_bytes,
};
