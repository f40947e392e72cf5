/* SPDX-License-Identifier: MIT */
/*
 * dev_fixed.c - device behaviour `fixed`: c independent servers, each serving one request
 * at a time at the per-channel rate; nothing is shared between requests in service.
 *
 *     c        = channels (at least 1)
 *     rate(op) = min(bw(op) / c, channel_bw)        (channel_bw = 0: no cap)
 *     S(op, x) = overhead + latency(op) + request_cost + x / rate(op), in ns rounded up
 *               (nothing is shared, so the request cost is one more fixed time)
 *     resource: c channels, no shared bandwidth; a request holds its channel for S and
 *               queues FCFS when all c are busy: the M/D/c server of queueing theory
 * So one request alone takes S, c requests at once all take S (under ps they would share
 * the bandwidth), and the (c+1)-th waits one whole S. Reads and writes each move at their
 * own rate, and the device's byte count is the bytes moved. Pick it for devices made of
 * independent units that each stream at a fixed rate (tape drives, HDDs in a JBOD, a pool
 * of connections each with its own bandwidth, a calibrated per-channel service time);
 * ps suits a device whose parallelism pools one bandwidth.
 */
#include <stdbool.h>

#include "devmodel.h"

/* A channel count of 0 (a device built by hand; ts_dev_check and the engine refuse it)
 * reads as one server. */
static uint64_t fixed_servers(const ts_device_t *d)
{
    return d->channels ? d->channels : 1;
}

static uint64_t fixed_add(uint64_t a, uint64_t b)
{
    uint64_t s;
    return __builtin_add_overflow(a, b, &s) ? UINT64_MAX : s;
}

static uint64_t fixed_service_ns(const ts_device_t *d, ts_dev_op_t op, uint64_t bytes)
{
    uint64_t bw = op == TS_DEV_WRITE ? d->write_bytes_per_s : d->read_bytes_per_s;
    uint64_t lat = op == TS_DEV_WRITE ? d->write_latency_ns : d->read_latency_ns;
    uint64_t c = fixed_servers(d), cap = d->channel_bytes_per_s;
    bool capped = cap && (unsigned __int128)cap * c < bw; /* the cap is below bw / c */
    uint64_t move = capped ? ts_devmodel_transfer_ns(bytes, cap, 1)
                           : ts_devmodel_transfer_ns(bytes, bw, c);
    return fixed_add(fixed_add(fixed_add(d->overhead_ns, lat), d->request_cost_ns), move);
}

static int fixed_resource(const ts_device_t *d, ts_res_spec_t *spec, ts_err_t *err)
{
    if (d->read_bytes_per_s == 0 || d->write_bytes_per_s == 0)
        return ts_err_set(err, TS_EINVAL, "device %s has no bandwidth", d->name);
    uint64_t c = fixed_servers(d);
    spec->channels = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
    spec->bw_bytes_per_s = 0; /* nothing shared: the stage's time is its whole service */
    spec->max_rate_bytes_per_s = 0;
    return 0;
}

static void fixed_stage(const ts_device_t *d, ts_dev_op_t op, uint64_t bytes, ts_res_stage_t *st)
{
    st->fixed_ns = fixed_service_ns(d, op, bytes);
    st->bytes = bytes;
}

const ts_devmodel_ops_t ts_devmodel_fixed = {
    .base =
        {
            .abi = TS_PLUGIN_ABI,
            .kind = TS_PLUGIN_DEVMODEL,
            .name = "fixed",
            .summary = "one request per channel, each at min(channel_bw, bw/channels); no sharing "
                       "(M/D/c)",
            .flags = TS_DEVMODEL_NEEDS_CHANNELS,
        },
    .resource = fixed_resource,
    .stage = fixed_stage,
    .service_ns = fixed_service_ns,
};
