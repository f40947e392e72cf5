/* SPDX-License-Identifier: MIT */
/*
 * dev_ps.c - device behaviour `ps` (the default): channels, a FCFS waiting line, a fixed
 * time, then bytes through bandwidth shared by the requests in service.
 *
 *     resource: channels = device channels, B = read_bw, per-transfer cap = channel_bw (0:
 *               none; a cap above B is B)
 *     request:  wait for a channel; hold it for overhead + latency(op); then move the bytes
 *               with the k transfers in flight each at min(channel_bw, B / k)
 *     write:    one pipe per device: S bytes move as ceil(S * read_bw / write_bw)
 *               read-equivalent bytes (alone: S / write_bw; fewer than S when writes are
 *               the faster)
 *     cost:     request_cost (0: none) moves as ts_dev_cost_bytes more read-equivalent bytes,
 *               so k requests in service each take k x request_cost for it: a shared
 *               per-request path (a controller, a virtual disk's host) that caps the IOPS
 *               of small requests at 1 / request_cost however many channels there are
 *     alone:    overhead + latency(op) + request_cost + bytes / min(bw(op), channel_bw)
 * Pick it for devices whose internal parallelism pools one bandwidth (HBM, DRAM, an NVMe
 * drive, a NIC): a request alone gets the whole device; k at once share it. The capped
 * write above and service_ns differ for a write on a device with channel_bw set and
 * write_bw != read_bw (the cap applies to read-equivalent bytes in the engine).
 */
#include <math.h>

#include "devmodel.h"

static int ps_resource(const ts_device_t *d, ts_res_spec_t *spec, ts_err_t *err)
{
    if (d->read_bytes_per_s == 0 || d->write_bytes_per_s == 0)
        return ts_err_set(err, TS_EINVAL, "device %s has no bandwidth", d->name);
    uint64_t bw = d->read_bytes_per_s, cap = d->channel_bytes_per_s;
    spec->channels = d->channels > UINT32_MAX ? UINT32_MAX : (uint32_t)d->channels;
    spec->bw_bytes_per_s = bw;
    spec->max_rate_bytes_per_s = cap && bw && cap > bw ? bw : cap;
    return 0;
}

static void ps_stage(const ts_device_t *d, ts_dev_op_t op, uint64_t bytes, ts_res_stage_t *st)
{
    st->fixed_ns = d->overhead_ns + (op == TS_DEV_READ ? d->read_latency_ns : d->write_latency_ns);
    st->bytes = bytes;
    if (op == TS_DEV_WRITE && d->write_bytes_per_s) {
        double wscale = (double)d->read_bytes_per_s / (double)d->write_bytes_per_s;
        if (wscale != 1.0) {
            double scaled = ceil((double)bytes * wscale);
            st->bytes = scaled >= (double)TS_RES_MAX_BYTES ? TS_RES_MAX_BYTES : (uint64_t)scaled;
        }
    }
    uint64_t cost = ts_dev_cost_bytes(d);
    st->bytes = st->bytes > TS_RES_MAX_BYTES - cost ? TS_RES_MAX_BYTES : st->bytes + cost;
}

static uint64_t ps_service_ns(const ts_device_t *d, ts_dev_op_t op, uint64_t bytes)
{
    uint64_t bw = op == TS_DEV_WRITE ? d->write_bytes_per_s : d->read_bytes_per_s;
    uint64_t lat = op == TS_DEV_WRITE ? d->write_latency_ns : d->read_latency_ns;
    if (d->channel_bytes_per_s && d->channel_bytes_per_s < bw)
        bw = d->channel_bytes_per_s;
    return d->overhead_ns + lat + d->request_cost_ns + ts_devmodel_transfer_ns(bytes, bw, 1);
}

const ts_devmodel_ops_t ts_devmodel_ps = {
    .base =
        {
            .abi = TS_PLUGIN_ABI,
            .kind = TS_PLUGIN_DEVMODEL,
            .name = "ps",
            .summary = "processor sharing: k requests in service share the bandwidth, each at "
                       "min(channel_bw, bw/k)",
            .flags = TS_DEVMODEL_SHARES_BW,
        },
    .resource = ps_resource,
    .stage = ps_stage,
    .service_ns = ps_service_ns,
};
