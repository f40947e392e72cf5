/* SPDX-License-Identifier: MIT */
/*
 * devmodel.h - the device-behaviour seam: how a device serves requests under load in the
 * timed engine, as an ops table, and the registry of the built-in behaviours.
 *
 * A device (sim/device.h) holds figures: channels, latencies, bandwidths, overhead, a
 * per-request cap. Its behaviour turns them into what the timed engine runs: the resource of
 * the device's level (channels, shared bandwidth, per-transfer cap; sim/resource.h) and,
 * for each request, its stage on that resource (time holding a channel, bytes through the
 * bandwidth). `ps` (processor sharing, the default) and `fixed` (one request per channel at
 * the per-channel rate) are built in; a calibrated device or a live back-end is one more
 * file and one more line in the table of sim/devmodel.c. A device names its behaviour in
 * its `model` field; the engine resolves it once per level and calls the ops through the
 * resolved pointer, so nothing on the hot path compares names. Every op is a pure function
 * of the device's fields: O(1), never allocates.
 */
#ifndef TS_SIM_DEVMODEL_H
#define TS_SIM_DEVMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "param.h"
#include "registry.h"
#include "resource.h"
#include "util/err.h"

/* What a behaviour is and what it needs, for the engine and for `tiersim list`. */
enum ts_devmodel_flag {
    TS_DEVMODEL_SHARES_BW = 1u << 0,      /* requests in service share the device bandwidth:
                                           * one request's rate depends on the load */
    TS_DEVMODEL_NEEDS_CHANNELS = 1u << 1, /* the device's channels are its servers: the
                                           * engine refuses a device with channels = 0 */
    TS_DEVMODEL_MEASURED = 1u << 2,       /* times come from measurements of a real device
                                           * (calibrated tables, a live back-end) */
};
#define TS_DEVMODEL_FLAGS_ALL 7u /* every flag above */

/*
 * Contract of the ops (all required):
 *   resource   fills channels, bw_bytes_per_s and max_rate_bytes_per_s of *spec for the
 *              device's level (the engine has set name and wait_hist and leaves the rest to
 *              the op). Returns 0, or TS_EINVAL for a device it cannot time (the message
 *              names the device; the engine adds the level).
 *   stage      fills fixed_ns and bytes of *st for one request of op moving bytes (the
 *              engine sets res and caps bytes at TS_RES_MAX_BYTES). Called per request.
 *   service_ns the time of one request alone on the idle device, in ns: what the engine
 *              gives the request when nothing else is in service (ts_dev_service_ns).
 */
typedef struct ts_devmodel_ops {
    /* kind TS_PLUGIN_DEVMODEL; name is what `model:` names ("ps", "fixed"); flags are
     * ts_devmodel_flag bits; params an optional schema of the behaviour's own parameters
     * (NULL: none; the built-ins read only device fields) */
    ts_plugin_t base;
    int (*resource)(const ts_device_t *d, ts_res_spec_t *spec, ts_err_t *err);
    void (*stage)(const ts_device_t *d, ts_dev_op_t op, uint64_t bytes, ts_res_stage_t *st);
    uint64_t (*service_ns)(const ts_device_t *d, ts_dev_op_t op, uint64_t bytes);
} ts_devmodel_ops_t;

/* ---- registry (sim/devmodel.c) ---- */

/* The built-in behaviours, sorted by name (the generic registry of sim/registry.h). */
extern const ts_registry_t ts_devmodels;

static inline size_t ts_devmodel_count(void)
{
    return ts_registry_count(&ts_devmodels);
}
/* Sorted by name; NULL past the end. */
static inline const ts_devmodel_ops_t *ts_devmodel_at(size_t i)
{
    return (const ts_devmodel_ops_t *)ts_registry_at(&ts_devmodels, i);
}

/* The behaviour named name, or NULL with err (TS_ENOENT) saying "unknown device model 'x'
 * (did you mean 'y'?)" or listing the valid names. */
const ts_devmodel_ops_t *ts_devmodel_find(const char *name, ts_err_t *err);

/* The behaviour a device without one gets: ps, the model the engine has always used. */
const ts_devmodel_ops_t *ts_devmodel_default(void);

/* The behaviour d's model field names; "" (a device built by hand, zeroed) is the default.
 * NULL with err as ts_devmodel_find for an unknown name. */
const ts_devmodel_ops_t *ts_devmodel_of(const ts_device_t *d, ts_err_t *err);

/* Checks every entry (ts_registry_check, then a name fitting TS_DEV_MODEL_NAME, the ops and
 * known flags). Returns 0 or TS_EINVAL. */
int ts_devmodel_registry_check(ts_err_t *err);

/* ---- helpers for behaviours ---- */

/* ceil(bytes * 1e9 * n / bytes_per_s): the ns to move bytes at bytes_per_s / n, computed in
 * 128 bits (exact for any 64-bit bytes and rate, n up to 2^32), saturating at UINT64_MAX;
 * 0 when bytes_per_s or n is 0. */
uint64_t ts_devmodel_transfer_ns(uint64_t bytes, uint64_t bytes_per_s, uint64_t n);

#endif
