/* SPDX-License-Identifier: MIT */
/*
 * devmodel.c - the one table of device behaviours, sorted by name, its lookups and checks,
 * and the transfer-time helper the behaviours share (see devmodel.h).
 *
 * To add a behaviour: write sim/dev_<name>.c exporting `const ts_devmodel_ops_t
 * ts_devmodel_<name>` (dev_fixed.c is the short example), declare it below and list it in
 * k_models in name order; tests/test_devmodel.c checks the table. Lookups are linear over a
 * handful of entries and happen once per device, never per request.
 */
#include "devmodel.h"

#include <string.h>

#include "util/units.h"

extern const ts_devmodel_ops_t ts_devmodel_fixed;
extern const ts_devmodel_ops_t ts_devmodel_ps;

static const ts_devmodel_ops_t *const k_models[] = {
    &ts_devmodel_fixed,
    &ts_devmodel_ps,
};

#define N_MODELS (sizeof(k_models) / sizeof(k_models[0]))

size_t ts_devmodel_count(void)
{
    return N_MODELS;
}

const ts_devmodel_ops_t *ts_devmodel_at(size_t i)
{
    return i < N_MODELS ? k_models[i] : NULL;
}

const ts_devmodel_ops_t *ts_devmodel_find(const char *name, ts_err_t *err)
{
    const char *names[N_MODELS];
    for (size_t i = 0; i < N_MODELS; i++)
        names[i] = k_models[i]->name;
    long at = ts_name_index("device model", name, names, N_MODELS, err);
    return at < 0 ? NULL : k_models[at];
}

const ts_devmodel_ops_t *ts_devmodel_default(void)
{
    return &ts_devmodel_ps;
}

const ts_devmodel_ops_t *ts_devmodel_of(const ts_device_t *d, ts_err_t *err)
{
    return d->model[0] ? ts_devmodel_find(d->model, err) : ts_devmodel_default();
}

int ts_devmodel_registry_check(ts_err_t *err)
{
    for (size_t i = 0; i < N_MODELS; i++) {
        const ts_devmodel_ops_t *m = k_models[i];
        const char *name = m->name ? m->name : "(unnamed)";
        if (m->abi != TS_DEVMODEL_ABI || !m->name || !m->name[0] || !m->summary || !m->resource ||
            !m->stage || !m->service_ns)
            return ts_err_set(err, TS_EINVAL,
                              "device model %s has a wrong ABI or lacks a name, a summary or "
                              "an op",
                              name);
        if (strlen(m->name) >= TS_DEV_MODEL_NAME)
            return ts_err_set(err, TS_EINVAL, "device model %s: a name has at most %d characters",
                              name, TS_DEV_MODEL_NAME - 1);
        if (m->flags & ~TS_DEVMODEL_FLAGS_ALL)
            return ts_err_set(err, TS_EINVAL, "device model %s has unknown flags 0x%x", name,
                              m->flags & ~TS_DEVMODEL_FLAGS_ALL);
        if (ts_param_check_schema(m->params, m->params_count, m->params_size, err)) {
            ts_err_prefix(err, "device model %s", name);
            return TS_EINVAL;
        }
        if (i > 0 && strcmp(k_models[i - 1]->name, m->name) >= 0)
            return ts_err_set(err, TS_EINVAL,
                              "device model registry is not sorted or has a duplicate at '%s'",
                              name);
    }
    return 0;
}

uint64_t ts_devmodel_transfer_ns(uint64_t bytes, uint64_t bytes_per_s, uint64_t n)
{
    if (!bytes_per_s || !n)
        return 0;
    unsigned __int128 num = (unsigned __int128)bytes * 1000000000u * n;
    unsigned __int128 q = (num + bytes_per_s - 1) / bytes_per_s;
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}
