/* SPDX-License-Identifier: MIT */
/*
 * admit_max_size.c - size-threshold admission: large objects bypass the tier.
 *
 * Decision rule: admit(r) = r->size_bytes <= max_size. Keeps a small, fast tier (HBM)
 * for the many small objects instead of a few large ones.
 * Cost: O(1); no state besides the threshold.
 */
#include "../sim/admit.h"

#include "../sim/util/mem.h"

extern const ts_admit_ops_t ts_admit_max_size;

typedef struct max_size_params {
    uint64_t max_size; /* bytes: larger objects are refused */
} max_size_params_t;

typedef struct max_size {
    ts_admit_t base;
    uint64_t max_size; /* bytes */
} max_size_t;

static const ts_param_spec_t k_max_size_params[] = {
    {.name = "max_size",
     .type = TS_PT_SIZE,
     .offset = offsetof(max_size_params_t, max_size),
     .min = 0,
     .max = 1.8e19,
     .def = "1MiB",
     .help = "largest object size the tier admits"},
};

static int max_size_create(const void *params, ts_admit_t **out, ts_err_t *err)
{
    max_size_t *m = ts_calloc(1, sizeof(*m));
    *out = NULL;
    if (!m)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate admission filter max_size");
    m->base.ops = &ts_admit_max_size;
    m->max_size = ((const max_size_params_t *)params)->max_size;
    *out = &m->base;
    return 0;
}

static void max_size_destroy(ts_admit_t *a)
{
    ts_free(a);
}

static bool max_size_admit(ts_admit_t *a, const ts_req_t *r)
{
    return r->size_bytes <= ((const max_size_t *)a)->max_size;
}

static size_t max_size_mem_bytes(const ts_admit_t *a)
{
    (void)a;
    return sizeof(max_size_t);
}

const ts_admit_ops_t ts_admit_max_size = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_ADMIT,
             .name = "max_size",
             .summary = "admit only objects of at most max_size bytes",
             .params = k_max_size_params,
             .params_count = TS_PARAM_COUNT(k_max_size_params),
             .params_size = sizeof(max_size_params_t)},
    .create = max_size_create,
    .destroy = max_size_destroy,
    .admit = max_size_admit,
    .mem_bytes = max_size_mem_bytes,
};
