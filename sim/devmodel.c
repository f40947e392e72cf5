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


extern const ts_devmodel_ops_t ts_devmodel_fixed;
extern const ts_devmodel_ops_t ts_devmodel_ps;

/* The kind's own check: the ops, a name that fits a device's model field, known flags. */
static int devmodel_check(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_devmodel_ops_t *m = (const ts_devmodel_ops_t *)p;
    if (!m->resource || !m->stage || !m->service_ns)
        return ts_err_set(err, TS_EINVAL, "device model %s lacks an op", p->name);
    if (strlen(p->name) >= TS_DEV_MODEL_NAME)
        return ts_err_set(err, TS_EINVAL, "device model %s: a name has at most %d characters",
                          p->name, TS_DEV_MODEL_NAME - 1);
    if (p->flags & ~TS_DEVMODEL_FLAGS_ALL)
        return ts_err_set(err, TS_EINVAL, "device model %s has unknown flags 0x%x", p->name,
                          p->flags & ~TS_DEVMODEL_FLAGS_ALL);
    return 0;
}

static const ts_plugin_t *const k_models[] = {
    &ts_devmodel_fixed.base,
    &ts_devmodel_ps.base,
};

const ts_registry_t ts_devmodels = {
    .kind = TS_PLUGIN_DEVMODEL,
    .entries = k_models,
    .n = sizeof(k_models) / sizeof(k_models[0]),
    .check = devmodel_check,
};

const ts_devmodel_ops_t *ts_devmodel_find(const char *name, ts_err_t *err)
{
    return (const ts_devmodel_ops_t *)ts_registry_find(&ts_devmodels, name, err);
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
    return ts_registry_check(&ts_devmodels, err);
}

uint64_t ts_devmodel_transfer_ns(uint64_t bytes, uint64_t bytes_per_s, uint64_t n)
{
    if (!bytes_per_s || !n)
        return 0;
    unsigned __int128 num = (unsigned __int128)bytes * 1000000000u * n;
    unsigned __int128 q = (num + bytes_per_s - 1) / bytes_per_s;
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}
