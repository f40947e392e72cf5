/* SPDX-License-Identifier: MIT */
/*
 * test_device.c - device and link models: every embedded preset parses and passes its
 * checks, key figures equal the datasheet numbers in docs/devices.md, NVMe channels and
 * write latencies reproduce the rated IOPS (Little's law), RAID-0 scales as documented,
 * overrides edit one field, service times match hand arithmetic, user catalogues add and
 * edit entries, the model field picks a behaviour (sim/devmodel.h), and every error names
 * the field, the file position and the expected form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/device.h"
#include "sim/util/mem.h"

static int setup(void **state)
{
    ts_err_t err = {0};
    ts_dev_catalog_t *c = NULL;
    if (ts_dev_catalog_create(&c, &err)) {
        fprintf(stderr, "catalogue: %s: %s\n", err.where, err.msg);
        return -1;
    }
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ts_dev_catalog_destroy(*state);
    return 0;
}

static ts_device_t find_dev(const ts_dev_catalog_t *c, const char *name)
{
    ts_device_t d;
    ts_err_t err = {0};
    if (ts_dev_find(c, name, &d, &err))
        fail_msg("%s: %s", name, err.msg);
    return d;
}

static void test_device_schemas_are_well_formed(void **state)
{
    (void)state;
    ts_err_t err = {0};
    size_t n;
    const ts_param_spec_t *s = ts_dev_schema(&n);
    assert_int_equal(ts_param_check_schema(s, n, sizeof(ts_device_t), &err), 0);
    s = ts_link_schema(&n);
    assert_int_equal(ts_param_check_schema(s, n, sizeof(ts_link_t), &err), 0);
    assert_string_equal(ts_dev_kind_name(TS_DEV_NVME), "nvme");
    assert_string_equal(ts_dev_kind_name(99), "?");
}

/* Every preset passes the range checks, every GPU's host link resolves, and the families the
 * documentation promises are all there. */
static void test_device_every_preset_parses_and_passes_checks(void **state)
{
    const ts_dev_catalog_t *c = *state;
    ts_err_t err = {0};
    size_t per_kind[TS_DEV_KIND_COUNT_] = {0};
    for (size_t i = 0; i < ts_dev_catalog_n_devices(c); i++) {
        const ts_device_t *d = ts_dev_catalog_device_at(c, i);
        if (ts_dev_check(d, &err))
            fail_msg("%s: %s", d->name, err.msg);
        assert_true(d->summary[0] != 0);
        per_kind[d->kind]++;
        if (d->kind == TS_DEV_GPU_HBM) {
            ts_link_t l;
            assert_int_equal(ts_link_find(c, d->host_link, &l, &err), 0);
            assert_true(d->bf16_flops > 0);
        }
    }
    assert_true(per_kind[TS_DEV_GPU_HBM] >= 5);
    assert_true(per_kind[TS_DEV_DRAM] >= 1);
    assert_true(per_kind[TS_DEV_NVME] >= 5);
    assert_true(per_kind[TS_DEV_OBJECT_STORE] >= 1);
    for (size_t i = 0; i < ts_dev_catalog_n_links(c); i++) {
        const ts_link_t *l = ts_dev_catalog_link_at(c, i);
        if (ts_link_check(l, &err))
            fail_msg("%s: %s", l->name, err.msg);
    }
    static const char *const links[] = {"pcie-gen4-x16", "pcie-gen5-x16", "nvlink-c2c",
                                        "nvlink4",       "eth-100g",      "eth-200g",
                                        "eth-400g",      "ib-ndr-400",    "wan-10g"};
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        ts_link_t l;
        if (ts_link_find(c, links[i], &l, &err))
            fail_msg("missing link %s", links[i]);
    }
    assert_null(ts_dev_catalog_device_at(c, ts_dev_catalog_n_devices(c)));
}

/* Every field of every preset prints (ts_param_format, as `list` and catalogue files write
 * it) in a form that sets the same value back. */
static void test_device_preset_fields_round_trip_through_text(void **state)
{
    const ts_dev_catalog_t *c = *state;
    size_t n;
    const ts_param_spec_t *spec = ts_dev_schema(&n);
    for (size_t i = 0; i < ts_dev_catalog_n_devices(c); i++) {
        const ts_device_t *d = ts_dev_catalog_device_at(c, i);
        ts_device_t back = *d;
        memset((char *)&back + TS_DEV_NAME, 0, sizeof(back) - TS_DEV_NAME);
        for (size_t k = 0; k < n; k++) {
            char text[256];
            ts_err_t err = {0};
            ts_param_format(&spec[k], d, text, sizeof(text));
            if (ts_dev_set(&back, spec[k].name, text, &err))
                fail_msg("%s.%s = '%s': %s", d->name, spec[k].name, text, err.msg);
        }
        if (memcmp(&back, d, sizeof(back)) != 0)
            fail_msg("%s does not round-trip", d->name);
    }
}

/* The figures of docs/devices.md, typed in from the datasheets (decimal units). */
static void test_device_presets_match_datasheets(void **state)
{
    const ts_dev_catalog_t *c = *state;
    static const struct {
        const char *name;
        uint64_t capacity, read_bw, write_bw;
        double bf16;
    } cases[] = {
        {"a100-80gb-sxm", 80000000000ULL, 2039000000000ULL, 2039000000000ULL, 312e12},
        {"h100-sxm", 80000000000ULL, 3350000000000ULL, 3350000000000ULL, 1979e12 / 2},
        {"h200", 141000000000ULL, 4800000000000ULL, 4800000000000ULL, 1979e12 / 2},
        {"b200", 180000000000ULL, 8000000000000ULL, 8000000000000ULL, 4.5e15 / 2},
        {"gb200", 186000000000ULL, 8000000000000ULL, 8000000000000ULL, 5e15 / 2},
        /* 8 channels x 4800 MT/s x 8 bytes; 8 x 64 GiB */
        {"ddr5-4800-8ch", 512ULL << 30, 307200000000ULL, 307200000000ULL, 0},
        {"ddr5-4800-12ch", 768ULL << 30, 460800000000ULL, 460800000000ULL, 0},
        {"samsung-pm9a3", 7680000000000ULL, 6500000000ULL, 3500000000ULL, 0},
        {"kioxia-cm6-r", 30720000000000ULL, 6900000000ULL, 4200000000ULL, 0},
        {"micron-9550-max", 6400000000000ULL, 14000000000ULL, 10000000000ULL, 0},
        {"kioxia-cm7-r", 7680000000000ULL, 14000000000ULL, 6750000000ULL, 0},
        {"micron-7600-max", 6400000000000ULL, 12000000000ULL, 7000000000ULL, 0},
        /* 100 Gbit/s NIC = 12.5 GB/s */
        {"s3-standard", 1000000000000000000ULL, 12500000000ULL, 12500000000ULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_device_t d = find_dev(c, cases[i].name);
        if (d.capacity_bytes != cases[i].capacity || d.read_bytes_per_s != cases[i].read_bw ||
            d.write_bytes_per_s != cases[i].write_bw || d.bf16_flops != cases[i].bf16)
            fail_msg("%s differs from its datasheet figures", cases[i].name);
    }
    ts_device_t gb = find_dev(c, "gb200");
    assert_string_equal(gb.host_link, "nvlink-c2c");
    ts_device_t a100 = find_dev(c, "a100-80gb-sxm");
    assert_string_equal(a100.host_link, "pcie-gen4-x16");
    assert_int_equal(find_dev(c, "micron-9550-max").read_latency_ns, 60000); /* datasheet 60 us */
    assert_int_equal(find_dev(c, "s3-standard").channel_bytes_per_s, 625000000); /* 5 Gbit/s */

    static const struct {
        const char *name;
        uint64_t bw;
    } links[] = {
        {"pcie-gen4-x16", 31500000000ULL}, /* 16 GT/s x 16 x 128/130 / 8 = 31.5 GB/s */
        {"pcie-gen5-x16", 63000000000ULL}, /* twice Gen4 */
        {"nvlink-c2c", 450000000000ULL},   /* 900 GB/s both ways */
        {"nvlink4", 450000000000ULL},      /* 900 GB/s both ways */
        {"nvlink5", 900000000000ULL},      /* 1.8 TB/s both ways */
        {"eth-400g", 50000000000ULL},      /* 400 Gbit/s / 8 */
        {"ib-ndr-400", 50000000000ULL},
        {"eth-100g", 12500000000ULL},
        {"wan-10g", 1250000000ULL},
    };
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        ts_link_t l;
        ts_err_t err = {0};
        assert_int_equal(ts_link_find(c, links[i].name, &l, &err), 0);
        if (l.bytes_per_s != links[i].bw)
            fail_msg("%s: %llu B/s", links[i].name, (unsigned long long)l.bytes_per_s);
    }
}

/* Little's law: a drive with c channels, each holding a 4 KiB request for s = latency +
 * 4KiB/bw, completes c/s requests per second when saturated. The presets chose c (reads) and
 * the write latency (writes) so that this equals the datasheet's random 4K IOPS; rounding c
 * up and the latency to whole us keeps the error under 1%. */
static void test_device_nvme_channels_reproduce_rated_iops(void **state)
{
    const ts_dev_catalog_t *c = *state;
    static const struct {
        const char *name;
        double read_iops, write_iops;
    } cases[] = {
        {"samsung-pm9a3", 900e3, 200e3},
        {"kioxia-cm6-r", 1400e3, 170e3},
        {"micron-9550-max", 3300e3, 640e3},
        {"kioxia-cm7-r", 2700e3, 310e3},
        {"micron-7600-max", 2100e3, 675e3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_device_t d = find_dev(c, cases[i].name);
        double r = (double)d.channels * 1e9 / (double)ts_dev_service_ns(&d, TS_DEV_READ, 4096);
        double w = (double)d.channels * 1e9 / (double)ts_dev_service_ns(&d, TS_DEV_WRITE, 4096);
        if (r < cases[i].read_iops * 0.99 || r > cases[i].read_iops * 1.01 ||
            w < cases[i].write_iops * 0.99 || w > cases[i].write_iops * 1.01)
            fail_msg("%s: model gives %.0f / %.0f IOPS", cases[i].name, r, w);
    }
}

static void test_device_raid0_scales_capacity_channels_bandwidth(void **state)
{
    const ts_dev_catalog_t *c = *state;
    ts_device_t one = find_dev(c, "micron-9550-max");
    ts_device_t r = find_dev(c, "raid0:4xmicron-9550-max");
    assert_string_equal(r.name, "raid0:4xmicron-9550-max");
    assert_int_equal(r.kind, TS_DEV_RAID0);
    assert_int_equal(r.capacity_bytes, 25600000000000ULL);  /* 4 x 6.4 TB */
    assert_int_equal(r.channels, 4 * one.channels);
    assert_int_equal(r.read_bytes_per_s, 56000000000ULL);   /* 4 x 14 GB/s */
    assert_int_equal(r.write_bytes_per_s, 40000000000ULL);  /* 4 x 10 GB/s */
    assert_int_equal(r.read_latency_ns, one.read_latency_ns);
    assert_int_equal(r.write_latency_ns, one.write_latency_ns);
    assert_int_equal(r.channel_bytes_per_s, one.channel_bytes_per_s);
    ts_err_t err = {0};
    assert_int_equal(ts_dev_check(&r, &err), 0);

    ts_device_t by_fn;
    assert_int_equal(ts_dev_raid0(&one, 4, &by_fn, &err), 0);
    assert_memory_equal(&by_fn, &r, sizeof(r));
    assert_int_equal(ts_dev_raid0(&one, 0, &by_fn, &err), TS_ERANGE);
    ts_err_clear(&err);
    one.capacity_bytes = UINT64_MAX / 2;
    assert_int_equal(ts_dev_raid0(&one, 3, &by_fn, &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "capacity overflows"));

    static const char *const bad[] = {"raid0:", "raid0:x", "raid0:4", "raid0:4x", "raid0:-2xa",
                                      "raid0:4ymicron-9550-max"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ts_err_clear(&err);
        if (ts_dev_find(c, bad[i], &r, &err) != TS_EPARSE)
            fail_msg("%s accepted", bad[i]);
        assert_non_null(strstr(err.msg, "expected raid0:<N>x<drive>"));
    }
    ts_err_clear(&err);
    assert_int_equal(ts_dev_find(c, "raid0:2xmicron-9550-mx", &r, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "did you mean 'micron-9550-max'"));
    ts_err_clear(&err);
    assert_int_equal(ts_dev_find(c, "raid0:5000xmicron-9550-max", &r, &err), TS_ERANGE);
}

/* A found device is a copy: editing it changes that field only, and not the catalogue. */
static void test_device_override_edits_one_field(void **state)
{
    const ts_dev_catalog_t *c = *state;
    ts_device_t d = find_dev(c, "h100-sxm");
    ts_device_t before = d;
    ts_err_t err = {0};
    assert_int_equal(ts_dev_set(&d, "capacity", "94GB", &err), 0);
    assert_int_equal(d.capacity_bytes, 94000000000ULL);
    before.capacity_bytes = d.capacity_bytes;
    assert_memory_equal(&d, &before, sizeof(d));
    assert_int_equal(find_dev(c, "h100-sxm").capacity_bytes, 80000000000ULL);

    static const char *const kv[] = {"read_bw=4TB/s", "channels=8", "host_link=nvlink-c2c"};
    assert_int_equal(ts_dev_set_kv(&d, kv, 3, &err), 0);
    assert_int_equal(d.read_bytes_per_s, 4000000000000ULL);
    assert_int_equal(d.channels, 8);
    assert_string_equal(d.host_link, "nvlink-c2c");
    assert_int_equal(d.write_bytes_per_s, 3350000000000ULL);

    ts_link_t l;
    assert_int_equal(ts_link_find(c, "eth-100g", &l, &err), 0);
    assert_int_equal(ts_link_set(&l, "latency", "5us", &err), 0);
    assert_int_equal(l.latency_ns, 5000);
}

static void test_device_errors_name_the_problem(void **state)
{
    const ts_dev_catalog_t *c = *state;
    ts_device_t d = find_dev(c, "h100-sxm");
    ts_err_t err = {0};
    assert_int_equal(ts_dev_find(c, "h100-sxn", &d, &err), TS_ENOENT);
    assert_string_equal(err.msg, "unknown device 'h100-sxn' (did you mean 'h100-sxm'?)");
    ts_err_clear(&err);
    assert_int_equal(ts_dev_find(c, "quantum-drive", &d, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "expected one of: a100-80gb-sxm, "));
    ts_err_clear(&err);
    ts_link_t l;
    assert_int_equal(ts_link_find(c, "pcie-gen6-x16", &l, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "unknown link 'pcie-gen6-x16' (did you mean"));

    d = find_dev(c, "h100-sxm");
    ts_err_clear(&err);
    assert_int_equal(ts_dev_set(&d, "capcity", "1GB", &err), TS_ENOENT);
    assert_string_equal(err.msg, "h100-sxm.capcity: unknown key 'capcity' (did you mean "
                                 "'capacity'?)");
    assert_string_equal(err.where, ""); /* left for the caller's file position */
    ts_err_clear(&err);
    assert_int_equal(ts_dev_set(&d, "capacity", "12x", &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "h100-sxm.capacity: expected a size"));
    ts_err_clear(&err);
    assert_int_equal(ts_dev_set(&d, "read_bw", "5GB", &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "expected a bandwidth such as 25GB/s"));
    ts_err_clear(&err);
    assert_int_equal(ts_dev_set(&d, "channels", "0", &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "channels must be between 1 and"));
    ts_err_clear(&err);
    assert_int_equal(ts_dev_set(&d, "kind", "tape", &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "one of gpu_hbm|dram|nvme"));
    ts_err_clear(&err);
    static const char *const kv[] = {"capacity"};
    assert_int_equal(ts_dev_set_kv(&d, kv, 1, &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "expected field=value"));
    assert_int_equal(d.capacity_bytes, 80000000000ULL); /* failed edits change nothing */

    ts_err_clear(&err);
    d.read_bytes_per_s = 0; /* a struct filled by hand is checked against the schema too */
    assert_int_equal(ts_dev_check(&d, &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "read_bw"));
    ts_err_clear(&err);
    d = find_dev(c, "h100-sxm");
    d.host_link[0] = 0;
    assert_int_equal(ts_dev_check(&d, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "no host_link"));
}

/* Service times by hand. 1 MiB = 1048576 B over 7 GB/s = 149796.57 ns, rounded up. */
static void test_device_service_times_by_hand(void **state)
{
    (void)state;
    ts_device_t d = {.name = "hand",
                     .kind = TS_DEV_NVME,
                     .capacity_bytes = 1000000000000ULL,
                     .channels = 64,
                     .read_latency_ns = 80000,
                     .write_latency_ns = 20000,
                     .read_bytes_per_s = 7000000000ULL,
                     .write_bytes_per_s = 4000000000ULL};
    assert_int_equal(ts_dev_service_ns(&d, TS_DEV_READ, 1048576), 80000 + 149797);
    /* 1048576 / 4 GB/s = 262144 ns exactly */
    assert_int_equal(ts_dev_service_ns(&d, TS_DEV_WRITE, 1048576), 20000 + 262144);
    assert_int_equal(ts_dev_service_ns(&d, TS_DEV_READ, 0), 80000);
    d.overhead_ns = 5000;
    assert_int_equal(ts_dev_service_ns(&d, TS_DEV_READ, 1048576), 5000 + 80000 + 149797);
    /* A 1 GB/s per-request cap binds: 1048576 B take 1048576 ns. */
    d.channel_bytes_per_s = 1000000000ULL;
    assert_int_equal(ts_dev_service_ns(&d, TS_DEV_READ, 1048576), 5000 + 80000 + 1048576);
    /* A cap above the device bandwidth does not. */
    d.channel_bytes_per_s = 9000000000ULL;
    assert_int_equal(ts_dev_service_ns(&d, TS_DEV_READ, 1048576), 5000 + 80000 + 149797);

    /* 1 GiB over 63 GB/s = 17043521.016 ns, rounded up, plus 1 us. */
    ts_link_t l = {.name = "gen5", .bytes_per_s = 63000000000ULL, .latency_ns = 1000};
    assert_int_equal(ts_link_transfer_ns(&l, 1ULL << 30), 1000 + 17043522);
    /* 1 TB over 12.5 GB/s = 80 s; no overflow of bytes x 1e9 */
    l.bytes_per_s = 12500000000ULL;
    l.latency_ns = 0;
    assert_int_equal(ts_link_transfer_ns(&l, 1000000000000ULL), 80000000000ULL);
}

static const char k_user_yaml[] = "devices:\n"
                                  "  my-drive: {like: micron-9550-max, capacity: 3.2TB}\n"
                                  "  h100-sxm: {capacity: 94GB}\n"
                                  "  tape:\n"
                                  "    kind: other\n"
                                  "    capacity: 18TB\n"
                                  "    channels: 1\n"
                                  "    read_latency: 60s\n"
                                  "    write_latency: 60s\n"
                                  "    read_bw: 400MB/s\n"
                                  "    write_bw: 400MB/s\n"
                                  "  my-gpu: {like: h100-sxm, host_link: my-link}\n"
                                  "links:\n"
                                  "  my-link: {bandwidth: 10Gbit/s, latency: 5ms}\n";

static void test_device_user_catalogue_adds_and_edits(void **state)
{
    ts_dev_catalog_t *c = *state;
    size_t n = ts_dev_catalog_n_devices(c);
    ts_err_t err = {0};
    assert_int_equal(ts_dev_catalog_load_string(c, k_user_yaml, "user.yaml", &err), 0);
    assert_int_equal(ts_dev_catalog_n_devices(c), n + 3);
    ts_device_t d = find_dev(c, "my-drive");
    assert_int_equal(d.capacity_bytes, 3200000000000ULL);
    assert_int_equal(d.read_bytes_per_s, 14000000000ULL); /* copied from the 9550 */
    assert_int_equal(find_dev(c, "h100-sxm").capacity_bytes, 94000000000ULL);
    assert_int_equal(find_dev(c, "h100-sxm").read_bytes_per_s, 3350000000000ULL);
    d = find_dev(c, "tape");
    assert_int_equal(d.kind, TS_DEV_OTHER);
    assert_int_equal(d.read_latency_ns, 60000000000ULL);
    assert_int_equal(d.channel_bytes_per_s, 0); /* default */
    d = find_dev(c, "my-gpu");
    assert_int_equal(d.capacity_bytes, 94000000000ULL); /* copied after the edit above */
    ts_link_t l;
    assert_int_equal(ts_link_find(c, "my-link", &l, &err), 0);
    assert_int_equal(l.bytes_per_s, 1250000000ULL);

    /* The same through a file. */
    char path[] = "/tmp/tiersim-dev-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char more[] = "devices:\n  tape: {capacity: 36TB}\n";
    assert_int_equal(write(fd, more, sizeof(more) - 1), (ssize_t)(sizeof(more) - 1));
    close(fd);
    assert_int_equal(ts_dev_catalog_load_file(c, path, &err), 0);
    unlink(path);
    assert_int_equal(find_dev(c, "tape").capacity_bytes, 36000000000000ULL);
    assert_int_equal(ts_dev_catalog_load_file(c, path, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "cannot open device catalogue"));
}

struct bad_case {
    const char *name;
    const char *yaml;
    int rc;
    const char *where; /* substring of err.where */
    const char *msg;   /* substring of err.msg */
};

/* Each bad document fails with the position and key of its problem, and leaves the
 * catalogue as it was (even the edit of h100-sxm that comes before the problem). */
static void test_device_catalogue_errors_point_at_the_text(void **state)
{
    ts_dev_catalog_t *c = *state;
    static const struct bad_case cases[] = {
        {"bad size", "devices:\n  h100-sxm: {capacity: 1GB}\n  x:\n    capacity: 12x\n",
         TS_EPARSE, "u.yaml:4:15: devices.x.capacity", "expected a size"},
        {"unknown field", "devices:\n  h100-sxm:\n    capasity: 1GB\n", TS_ENOENT,
         "u.yaml:3:5: devices.h100-sxm.capasity", "did you mean 'capacity'"},
        {"missing field",
         "devices:\n  n:\n    kind: nvme\n    capacity: 1TB\n    channels: 4\n"
         "    read_latency: 1us\n    write_latency: 1us\n    read_bw: 1GB/s\n",
         TS_EINVAL, "u.yaml:2:3: devices.n", "lacks write_bw (a bandwidth"},
        {"top key", "device:\n  a: {}\n", TS_ENOENT, "u.yaml:1:1: device",
         "did you mean 'devices'"},
        {"unknown like", "devices:\n  a: {like: h100-sxn}\n", TS_ENOENT,
         "u.yaml:2:13: devices.a.like", "did you mean 'h100-sxm'"},
        {"like on a known name", "devices:\n  h100-sxm: {like: h200}\n", TS_EINVAL,
         "devices.h100-sxm.like", "already a device"},
        {"colon in name", "devices:\n  \"raid0:2xa\": {like: h200}\n", TS_EINVAL,
         "devices.raid0:2xa", "may not contain ':'"},
        {"list not map", "devices:\n  - a\n", TS_EPARSE, "u.yaml:2:3: devices",
         "expected a map of devices by name"},
        {"nested value", "links:\n  l: {bandwidth: {a: 1}}\n", TS_EPARSE,
         "links.l.bandwidth", "expected a value, found a map"},
        {"dangling host link", "devices:\n  g: {like: h100-sxm, host_link: pcie-gen9}\n",
         TS_ENOENT, "", "device 'g' host_link: unknown link 'pcie-gen9'"},
        {"yaml syntax", "devices: [\n", TS_EPARSE, "u.yaml:", ""},
    };
    size_t n = ts_dev_catalog_n_devices(c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        int rc = ts_dev_catalog_load_string(c, cases[i].yaml, "u.yaml", &err);
        if (rc != cases[i].rc || !strstr(err.where, cases[i].where) ||
            !strstr(err.msg, cases[i].msg))
            fail_msg("case %s: rc %d where '%s' msg '%s'", cases[i].name, rc, err.where,
                     err.msg);
    }
    assert_int_equal(ts_dev_catalog_n_devices(c), n);
    assert_int_equal(find_dev(c, "h100-sxm").capacity_bytes, 80000000000ULL);
}

/* The behaviour field (sim/devmodel.h): every preset is ps, the default; `model: fixed` is
 * set by name, in a catalogue entry, and kept through `like:` and raid0 copies; an unknown
 * name is refused where it is written, with a suggestion, and changes nothing.
 * Micron 9550 MAX, a 4 KiB read alone: ps moves it at 14 GB/s (292.57 ns, rounded up to
 * 293); fixed at 14 GB/s / 199 channels: 4096 x 199 / 14 = 58221.71 ns, so 58222. */
static void test_device_model_field_selects_a_behaviour(void **state)
{
    ts_dev_catalog_t *c = *state;
    for (size_t i = 0; i < ts_dev_catalog_n_devices(c); i++)
        assert_string_equal(ts_dev_catalog_device_at(c, i)->model, "ps");
    ts_device_t d = find_dev(c, "micron-9550-max");
    ts_err_t err = {0};
    assert_int_equal(ts_dev_service_ns(&d, TS_DEV_READ, 4096), 60000 + 293);
    assert_int_equal(ts_dev_set(&d, "model", "fixed", &err), 0);
    assert_string_equal(d.model, "fixed");
    assert_int_equal(ts_dev_service_ns(&d, TS_DEV_READ, 4096), 60000 + 58222);
    assert_int_equal(ts_dev_check(&d, &err), 0);
    assert_int_equal(ts_dev_set(&d, "model", "fixd", &err), TS_EPARSE);
    assert_string_equal(err.msg, "micron-9550-max.model: unknown device model 'fixd' (did you "
                                 "mean 'fixed'?)");
    assert_string_equal(d.model, "fixed"); /* a failed set changes nothing */
    ts_err_clear(&err);
    snprintf(d.model, sizeof(d.model), "bogus"); /* filled by hand: the check catches it */
    assert_int_equal(ts_dev_check(&d, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "device 'micron-9550-max': unknown device model 'bogus'"));

    ts_err_clear(&err);
    assert_int_equal(ts_dev_catalog_load_string(
                         c, "devices:\n  pool: {like: micron-9550-max, model: fixed}\n",
                         "u.yaml", &err),
                     0);
    assert_string_equal(find_dev(c, "pool").model, "fixed");
    assert_string_equal(find_dev(c, "raid0:2xpool").model, "fixed");
    size_t n = ts_dev_catalog_n_devices(c);
    assert_int_equal(ts_dev_catalog_load_string(c, "devices:\n  x: {like: h100-sxm, model: psx}\n",
                                                "u.yaml", &err),
                     TS_EPARSE);
    assert_non_null(strstr(err.where, "u.yaml:2:30: devices.x.model"));
    assert_non_null(strstr(err.msg, "unknown device model 'psx' (did you mean 'ps'?)"));
    assert_int_equal(ts_dev_catalog_n_devices(c), n);
}

/* Failing the Nth allocation of create gives TS_ENOMEM (and, under ASan, no leak) until
 * the call succeeds. */
static void test_device_catalogue_create_survives_oom(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        ts_err_t err = {0};
        ts_dev_catalog_t *c = NULL;
        ts_mem_fail_after(n);
        int rc = ts_dev_catalog_create(&c, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            assert_non_null(c);
            ts_dev_catalog_destroy(c);
            assert_true(n > 0);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(c);
        assert_true(n < 1000);
    }
}

/* A user load that runs out of memory at any allocation reports TS_ENOMEM and leaves the
 * catalogue as it was. */
static void test_device_catalogue_load_survives_oom(void **state)
{
    ts_dev_catalog_t *c = *state;
    size_t n = ts_dev_catalog_n_devices(c);
    for (long k = 0;; k++) {
        ts_err_t err = {0};
        ts_mem_fail_after(k);
        int rc = ts_dev_catalog_load_string(c, k_user_yaml, "user.yaml", &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, TS_ENOMEM);
        assert_int_equal(ts_dev_catalog_n_devices(c), n);
        assert_int_equal(find_dev(c, "h100-sxm").capacity_bytes, 80000000000ULL);
        assert_true(k < 1000);
    }
    assert_int_equal(ts_dev_catalog_n_devices(c), n + 3);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_device_schemas_are_well_formed),
        T(test_device_every_preset_parses_and_passes_checks),
        T(test_device_preset_fields_round_trip_through_text),
        T(test_device_presets_match_datasheets),
        T(test_device_nvme_channels_reproduce_rated_iops),
        T(test_device_raid0_scales_capacity_channels_bandwidth),
        T(test_device_override_edits_one_field),
        T(test_device_errors_name_the_problem),
        T(test_device_service_times_by_hand),
        T(test_device_user_catalogue_adds_and_edits),
        T(test_device_catalogue_errors_point_at_the_text),
        T(test_device_model_field_selects_a_behaviour),
        cmocka_unit_test(test_device_catalogue_create_survives_oom),
        T(test_device_catalogue_load_survives_oom),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
