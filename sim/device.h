/* SPDX-License-Identifier: MIT */
/*
 * device.h - device and link models (GPU HBM, host DRAM, NVMe, RAID-0, object storage; PCIe,
 * NVLink, NICs, WAN) and the catalogue of presets for real parts.
 *
 * A device is what a tier is built on: capacity, channels (requests served at once), per-op
 * unloaded latency and whole-device bandwidth, an optional per-request overhead and an
 * optional per-request bandwidth cap, and the behaviour that turns them into times under
 * load (`model`, sim/devmodel.h: ps by default). A link joins two tiers: bandwidth per
 * direction and latency. Both are plain structs described by parameter schemas
 * (sim/param.h), so one table parses YAML, checks ranges, prints `tiersim list devices` and
 * documents the fields.
 * Presets ship as YAML (sim/presets/ *.yaml, sources in docs/devices.md) embedded in the
 * binary; a catalogue starts from them and may load user files that add or edit entries.
 * Lookups are linear over a few dozen entries; loading is one YAML parse per file.
 */
#ifndef TS_SIM_DEVICE_H
#define TS_SIM_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "metrics.h"
#include "util/err.h"
#include "param.h"

#define TS_DEV_SUMMARY 128   /* buffer size of one-line descriptions */
#define TS_DEV_MODEL_NAME 16 /* buffer size of a behaviour's name (the model field) */

/* How one request's time on a device varies (field `service`): each request's time is the
 * model's, times a factor of mean 1 drawn per request (ts_dev_service_factor). */
typedef enum ts_dev_dist {
    TS_DEV_DETERMINISTIC = 0, /* the factor is 1: every request alike */
    TS_DEV_EXPONENTIAL,       /* exponential: coefficient of variation 1 (M/M/c) */
    TS_DEV_LOGNORMAL,         /* lognormal with coefficient of variation service_cv */
} ts_dev_dist_t;

typedef enum ts_dev_kind {
    TS_DEV_GPU_HBM = 0,  /* a GPU's HBM; has a host link and FLOP/s */
    TS_DEV_DRAM,         /* host memory */
    TS_DEV_NVME,         /* one NVMe SSD */
    TS_DEV_RAID0,        /* N identical drives striped (see ts_dev_raid0) */
    TS_DEV_OBJECT_STORE, /* central storage reached over a network */
    TS_DEV_OTHER,        /* anything else a user describes */
    TS_DEV_KIND_COUNT_,
} ts_dev_kind_t;

typedef enum ts_dev_op {
    TS_DEV_READ = 0,
    TS_DEV_WRITE = 1,
} ts_dev_op_t;

typedef struct ts_device {
    char name[TS_DEV_NAME];       /* catalogue key ("h100-sxm", "raid0:4xmicron-9550-max") */
    int kind;                     /* ts_dev_kind_t */
    char summary[TS_DEV_SUMMARY]; /* the part, in words */
    uint64_t capacity_bytes;      /* usable capacity */
    uint64_t channels;            /* requests served at once (useful queue depth) */
    uint64_t read_latency_ns;     /* unloaded time to first byte of a read */
    uint64_t write_latency_ns;    /* unloaded time of a write before its data moves */
    uint64_t read_bytes_per_s;    /* whole-device read bandwidth */
    uint64_t write_bytes_per_s;   /* whole-device write bandwidth */
    uint64_t overhead_ns;         /* fixed software cost per request (0: none) */
    uint64_t channel_bytes_per_s; /* the most one request can move per second (0: no cap) */
    int service_dist;             /* ts_dev_dist_t: how each request's time varies */
    double service_cv;            /* TS_DEV_LOGNORMAL: coefficient of variation */
    uint64_t request_cost_ns;     /* work of the device's shared path per request (a
                                   * controller, a virtual disk's host), shared like the
                                   * bandwidth under ps; 0: none */
    char model[TS_DEV_MODEL_NAME]; /* behaviour under load, a sim/devmodel.h registry name
                                    * ("ps", "fixed"); "" means the default, ps */
    char host_link[TS_DEV_NAME];  /* GPUs: the link to host memory ("" for none) */
    double bf16_flops;            /* GPUs: dense BF16 FLOP/s (0 for none) */
} ts_device_t;

typedef struct ts_link {
    char name[TS_DEV_NAME];       /* catalogue key ("pcie-gen5-x16") */
    char summary[TS_DEV_SUMMARY]; /* the link, in words */
    uint64_t bytes_per_s;         /* bandwidth per direction */
    uint64_t latency_ns;          /* unloaded one-way latency per transfer */
} ts_link_t;

/* ---- schemas ---- */

/* The device and link field schemas (what YAML entries and name=value overrides may set;
 * the name is the entry's key and is not a field). *n receives the entry count. */
const ts_param_spec_t *ts_dev_schema(size_t *n);
const ts_param_spec_t *ts_link_schema(size_t *n);

/* "gpu_hbm", "dram", "nvme", "raid0", "object_store", "other"; "?" when out of range. */
const char *ts_dev_kind_name(int kind);

/* ---- service times (unloaded, one request alone) ---- */

/* The time of one request alone on the idle device, in ns rounded up, as the device's
 * behaviour (model) gives it: overhead + latency(op) + bytes / per-request bandwidth, where
 * the per-request bandwidth is, under ps, the op's device bandwidth and, under fixed, that
 * bandwidth / channels, either capped by channel_bytes_per_s when that is set and lower.
 * Under ps the timed engine gives each of k requests in service min(cap, bandwidth / k);
 * this is the k = 1 case. A model that is not a registry name (one ts_dev_check refuses)
 * is read as the default. */
uint64_t ts_dev_service_ns(const ts_device_t *d, ts_dev_op_t op, uint64_t bytes);

/* A request's service factor on d, mean 1 (1 exactly when d is deterministic): exponential
 * of mean 1, or lognormal exp(N(mu, s^2)) with s^2 = ln(1 + cv^2) and mu = -s^2 / 2 (so its
 * mean is 1 and its standard deviation cv). r: the caller's seeded stream (gsl_rng). */
double ts_dev_service_factor(const ts_device_t *d, gsl_rng *r);

/* A request's cost on a ps device as read-equivalent bytes of its shared bandwidth:
 * ceil(request_cost_ns x read_bw / 1e9), saturating; 0 without a cost. */
uint64_t ts_dev_cost_bytes(const ts_device_t *d);

/* latency + bytes / bandwidth, in ns rounded up. */
uint64_t ts_link_transfer_ns(const ts_link_t *l, uint64_t bytes);

/* ---- editing one model ---- */

/* Sets the field named field from its text form through the schema (ts_param_set).
 * Returns 0; TS_ENOENT for an unknown field (with a suggestion); TS_EPARSE with the
 * expected form (for model: a name that is not a registered behaviour, with a suggestion);
 * TS_ERANGE. The message starts with "name.field: "; err->where is left
 * for the caller to fill (e.g. the scenario file position). A failed set changes nothing. */
int ts_dev_set(ts_device_t *d, const char *field, const char *value, ts_err_t *err);
int ts_link_set(ts_link_t *l, const char *field, const char *value, ts_err_t *err);

/* Applies "field=value" strings in order (e.g. a scenario's overrides of a preset).
 * Returns 0 or the first error of ts_dev_set (TS_EPARSE when a string lacks '='). */
int ts_dev_set_kv(ts_device_t *d, const char *const *kv, size_t n, ts_err_t *err);

/* A RAID-0 of n copies of drive: capacity, channels and both bandwidths times n; latencies,
 * overhead and the per-request cap unchanged (a request smaller than a stripe unit is
 * served by one drive). Named "raid0:<n>x<drive>", kind raid0.
 * Returns 0; TS_ERANGE when n is 0 or above 1024, or a product overflows 64 bits. */
int ts_dev_raid0(const ts_device_t *drive, unsigned n, ts_device_t *out, ts_err_t *err);

/* Checks ranges of every field through the schema and the cross-field rules (a GPU has a
 * host link and FLOP/s; the model names a registered behaviour, or is "").
 * Returns 0 or TS_ERANGE / TS_EINVAL naming the device and field. */
int ts_dev_check(const ts_device_t *d, ts_err_t *err);
int ts_link_check(const ts_link_t *l, ts_err_t *err);

/* ---- the catalogue ---- */

typedef struct ts_dev_catalog ts_dev_catalog_t;

/* A catalogue holding every embedded preset (devices and links). Independent catalogues
 * share nothing. Returns 0, TS_ENOMEM, or TS_EINTERNAL when an embedded file is broken
 * (a build bug, reported with its file:line:col). */
int ts_dev_catalog_create(ts_dev_catalog_t **out, ts_err_t *err);
void ts_dev_catalog_destroy(ts_dev_catalog_t *c); /* accepts NULL */

/* Loads a YAML catalogue file into c (same schema as the presets):
 *     devices:
 *       my-drive: {like: micron-9550-max, capacity: 3.2TB}   # copy an entry, edit fields
 *       h100-sxm: {capacity: 94GB}                          # edit an existing entry
 *       new-part: {kind: nvme, capacity: 1TB, ...}          # every required field
 *     links:
 *       my-link: {bandwidth: 10Gbit/s, latency: 5ms}
 * Every GPU's host_link must then name a link of the catalogue. On error c is unchanged.
 * Returns 0; TS_ENOENT / TS_EIO (file); TS_EPARSE, TS_ERANGE, TS_ENOENT (unknown key or
 * `like` name), TS_EINVAL (missing field), with err->where = "file:line:col: key.path";
 * TS_ENOMEM. */
int ts_dev_catalog_load_file(ts_dev_catalog_t *c, const char *path, ts_err_t *err);
/* Same from text; source names it in locations. */
int ts_dev_catalog_load_string(ts_dev_catalog_t *c, const char *yaml, const char *source,
                               ts_err_t *err);

/* Entries in load order (presets first). The pointers live until the next load or destroy. */
size_t ts_dev_catalog_n_devices(const ts_dev_catalog_t *c);
const ts_device_t *ts_dev_catalog_device_at(const ts_dev_catalog_t *c, size_t i);
size_t ts_dev_catalog_n_links(const ts_dev_catalog_t *c);
const ts_link_t *ts_dev_catalog_link_at(const ts_dev_catalog_t *c, size_t i);

/* Copies the device named name into *out. "raid0:<n>x<drive>" builds a RAID-0 of a
 * catalogue drive. Returns 0; TS_ENOENT "unknown device 'x' (did you mean 'y'?)"; TS_EPARSE
 * for a malformed raid0 name (message shows the expected form); TS_ERANGE (see raid0). */
int ts_dev_find(const ts_dev_catalog_t *c, const char *name, ts_device_t *out, ts_err_t *err);
/* Copies the link named name into *out. Returns 0 or TS_ENOENT with a suggestion. */
int ts_link_find(const ts_dev_catalog_t *c, const char *name, ts_link_t *out, ts_err_t *err);

#endif
