/* SPDX-License-Identifier: MIT */
/*
 * admit_until_full.c - the no-eviction cache: admit while there is room, then nothing.
 *
 * Decision rule (objects and bytes are what this filter has admitted so far):
 *   admit(r): if objects + 1 <= max_objects (0: no limit) and
 *                bytes + r->size <= max_bytes (0: no limit):
 *                 objects += 1; bytes += r->size; true
 *             else false
 * Set the limits to the tier's capacity: the tier then never has to evict, and its
 * contents are the first objects that arrived (the "MinIO" cache of Mohan et al.,
 * "Analyzing and Mitigating Data Stalls in DNN Training", VLDB 2021, which under a fresh
 * random permutation per epoch hits C/N of a dataset of N samples cached C at a time).
 * The filter counts what it admitted, not what the tier holds (admit.h gives no occupancy):
 * deletes and removals are not given back, so it can only err on the side of admitting
 * less. Cost: O(1); no memory beyond the instance.
 */
#include "../sim/admit.h"

#include "../sim/util/mem.h"

extern const ts_admit_ops_t ts_admit_until_full;

typedef struct until_full_params {
    uint64_t max_objects; /* 0: no object limit */
    uint64_t max_bytes;   /* 0: no byte limit */
} until_full_params_t;

typedef struct until_full {
    ts_admit_t base;
    until_full_params_t lim;
    uint64_t n_objects; /* admitted so far */
    uint64_t n_bytes;   /* their bytes */
} until_full_t;

static const ts_param_spec_t k_until_full_params[] = {
    {.name = "objects",
     .type = TS_PT_COUNT,
     .offset = offsetof(until_full_params_t, max_objects),
     .min = 0,
     .max = 1e15,
     .def = "0",
     .help = "objects admitted before the filter closes (0: no limit); the tier's capacity"},
    {.name = "bytes",
     .type = TS_PT_SIZE,
     .offset = offsetof(until_full_params_t, max_bytes),
     .min = 0,
     .max = 1.8e19,
     .def = "0",
     .help = "bytes admitted before the filter closes (0: no limit); the tier's capacity"},
};

static int until_full_create(const void *params, ts_admit_t **out, ts_err_t *err)
{
    *out = NULL;
    until_full_t *u = ts_calloc(1, sizeof(*u));
    if (!u) return ts_err_set(err, TS_ENOMEM, "cannot allocate admission filter until_full");
    u->base.ops = &ts_admit_until_full;
    u->lim = *(const until_full_params_t *)params;
    *out = &u->base;
    return 0;
}

static void until_full_destroy(ts_admit_t *a)
{
    ts_free(a);
}

static bool until_full_admit(ts_admit_t *a, const ts_req_t *r)
{
    until_full_t *u = (until_full_t *)a;
    if (u->lim.max_objects && u->n_objects >= u->lim.max_objects) return false;
    if (u->lim.max_bytes && r->size_bytes > u->lim.max_bytes - u->n_bytes) return false;
    u->n_objects++;
    u->n_bytes += r->size_bytes;
    return true;
}

static size_t until_full_mem_bytes(const ts_admit_t *a)
{
    (void)a;
    return sizeof(until_full_t);
}

const ts_admit_ops_t ts_admit_until_full = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_ADMIT,
             .name = "until_full",
             .summary = "no-eviction cache: admit the first objects that fit the given room, then "
                        "none",
             .params = k_until_full_params,
             .params_count = TS_PARAM_COUNT(k_until_full_params),
             .params_size = sizeof(until_full_params_t)},
    .create = until_full_create,
    .destroy = until_full_destroy,
    .admit = until_full_admit,
    .mem_bytes = until_full_mem_bytes,
};
