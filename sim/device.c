/* SPDX-License-Identifier: MIT */
/*
 * device.c - device and link models, their schemas, and the preset catalogue (see device.h).
 *
 * The catalogue is two growable arrays (devices, links) filled from YAML documents: the
 * embedded presets first (generated from sim/presets by cmake/embed.cmake), then any user
 * file. Each load works on a copy and replaces the catalogue only when the whole document
 * decoded and checked, so a failed load changes nothing. Fields are set through the schemas
 * below (ts_param_set), never parsed here. Service times use 128-bit products so that
 * bytes x 1e9 cannot overflow, and round up to whole ns.
 */
#include "device.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "devmodel.h"
#include "device_internal.h"
#include "util/mem.h"
#include "util/units.h"
#include "util/yamltree.h"

#define DEV_PATH 256             /* key paths ("devices.h100-sxm.capacity") */
#define DEV_MAX_FILE (16u << 20) /* a catalogue is a few pages of YAML */
#define DEV_RAID_MAX 1024        /* drives in one RAID-0 */
#define DEV_RAID_PREFIX "raid0:"

/* ---- schemas ---- */

static const char *const k_kinds[] = {"gpu_hbm", "dram", "nvme", "raid0", "object_store",
                                      "other", NULL};
static const char *const k_dists[] = {"deterministic", "exponential", "lognormal", NULL};

#define DEV_F(field) offsetof(ts_device_t, field)
static const ts_param_spec_t k_dev_schema[] = {
    {"kind", TS_PT_ENUM, DEV_F(kind), 0, 1, 0, NULL, "what the device is", k_kinds},
    {"summary", TS_PT_STRING, DEV_F(summary), TS_DEV_SUMMARY, 1, 0, "",
     "the part, in words", NULL},
    {"capacity", TS_PT_SIZE, DEV_F(capacity_bytes), 0, 1, 1.8e19, NULL, "usable capacity",
     NULL},
    {"channels", TS_PT_COUNT, DEV_F(channels), 0, 1, 1e6, NULL,
     "requests served at once (useful queue depth)", NULL},
    {"read_latency", TS_PT_DURATION, DEV_F(read_latency_ns), 0, 0, 3.6e12, NULL,
     "unloaded latency of one read, before its data moves", NULL},
    {"write_latency", TS_PT_DURATION, DEV_F(write_latency_ns), 0, 0, 3.6e12, NULL,
     "unloaded latency of one write, before its data moves", NULL},
    {"read_bw", TS_PT_RATE, DEV_F(read_bytes_per_s), 0, 1, 1.8e19, NULL,
     "read bandwidth of the whole device", NULL},
    {"write_bw", TS_PT_RATE, DEV_F(write_bytes_per_s), 0, 1, 1.8e19, NULL,
     "write bandwidth of the whole device", NULL},
    {"overhead", TS_PT_DURATION, DEV_F(overhead_ns), 0, 0, 3.6e12, "0",
     "fixed cost added to every request", NULL},
    {"channel_bw", TS_PT_RATE, DEV_F(channel_bytes_per_s), 0, 0, 1.8e19, "0",
     "the most one request can move per second (0: no cap)", NULL},
    {"service", TS_PT_ENUM, DEV_F(service_dist), 0, 1, 0, "deterministic",
     "how each request's time varies: deterministic, exponential (coefficient of variation "
     "1) or lognormal (service_cv); the mean stays the model's",
     k_dists},
    {"service_cv", TS_PT_DOUBLE, DEV_F(service_cv), 0, 0, 100, "1",
     "service: lognormal: the coefficient of variation of a request's time (0 to 100)", NULL},
    {"request_cost", TS_PT_DURATION, DEV_F(request_cost_ns), 0, 0, 3.6e12, "0",
     "work per request on the device's shared path (a controller, a virtual disk's host), "
     "shared like the bandwidth: k requests in service each progress at 1/k (0: none)",
     NULL},
    {"model", TS_PT_STRING, DEV_F(model), TS_DEV_MODEL_NAME, 1, 0, "ps",
     "behaviour under load: ps (shared bandwidth) or fixed (one request per channel)", NULL},
    {"host_link", TS_PT_STRING, DEV_F(host_link), TS_DEV_NAME, 1, 0, "",
     "GPUs: the link to host memory, a link name", NULL},
    {"bf16_flops", TS_PT_DOUBLE, DEV_F(bf16_flops), 0, 0, 1e18, "0",
     "GPUs: dense BF16 FLOP/s (e.g. 989.5e12)", NULL},
};
#undef DEV_F

#define LINK_F(field) offsetof(ts_link_t, field)
static const ts_param_spec_t k_link_schema[] = {
    {"summary", TS_PT_STRING, LINK_F(summary), TS_DEV_SUMMARY, 1, 0, "", "the link, in words",
     NULL},
    {"bandwidth", TS_PT_RATE, LINK_F(bytes_per_s), 0, 1, 1.8e19, NULL,
     "bandwidth per direction", NULL},
    {"latency", TS_PT_DURATION, LINK_F(latency_ns), 0, 0, 3.6e12, NULL,
     "unloaded one-way latency of a transfer", NULL},
};
#undef LINK_F

const ts_param_spec_t *ts_dev_schema(size_t *n)
{
    *n = TS_PARAM_COUNT(k_dev_schema);
    return k_dev_schema;
}

const ts_param_spec_t *ts_link_schema(size_t *n)
{
    *n = TS_PARAM_COUNT(k_link_schema);
    return k_link_schema;
}

const char *ts_dev_kind_name(int kind)
{
    return kind >= 0 && kind < TS_DEV_KIND_COUNT_ ? k_kinds[kind] : "?";
}

/* ---- service times ---- */

/* The device's behaviour computes it; a transfer at a zero rate (never valid) reads as none. */
uint64_t ts_dev_service_ns(const ts_device_t *d, ts_dev_op_t op, uint64_t bytes)
{
    const ts_devmodel_ops_t *m = ts_devmodel_of(d, NULL);
    return (m ? m : ts_devmodel_default())->service_ns(d, op, bytes);
}

double ts_dev_service_factor(const ts_device_t *d, gsl_rng *r)
{
    if (d->service_dist == TS_DEV_EXPONENTIAL)
        return gsl_ran_exponential(r, 1.0);
    if (d->service_dist == TS_DEV_LOGNORMAL && d->service_cv > 0) {
        double s2 = log1p(d->service_cv * d->service_cv);
        return gsl_ran_lognormal(r, -s2 / 2, sqrt(s2));
    }
    return 1.0;
}

uint64_t ts_dev_cost_bytes(const ts_device_t *d)
{
    unsigned __int128 b = ((unsigned __int128)d->request_cost_ns * d->read_bytes_per_s +
                           999999999u) / 1000000000u;
    return b >= TS_RES_MAX_BYTES ? TS_RES_MAX_BYTES : (uint64_t)b;
}

uint64_t ts_link_transfer_ns(const ts_link_t *l, uint64_t bytes)
{
    return l->latency_ns + ts_devmodel_transfer_ns(bytes, l->bytes_per_s, 1);
}

/* ---- editing one model ---- */

/* Sets one field of d through the schema; a model must name a registered behaviour, and a
 * refused one leaves the old name in place. */
static int dev_set_field(ts_device_t *d, const char *field, const char *value, ts_err_t *err)
{
    char old[TS_DEV_MODEL_NAME];
    memcpy(old, d->model, sizeof(old));
    int rc = ts_param_set(k_dev_schema, TS_PARAM_COUNT(k_dev_schema), d, field, value, err);
    const ts_param_spec_t *ps = ts_param_find(k_dev_schema, TS_PARAM_COUNT(k_dev_schema), field);
    if (rc || ps->offset != offsetof(ts_device_t, model))
        return rc;
    ts_err_t why = {0};
    if (ts_devmodel_of(d, &why))
        return 0;
    memcpy(d->model, old, sizeof(old));
    return ts_err_set(err, TS_EPARSE, "%s", why.msg);
}

/* The message names "name.field"; where is left to the caller (a file position). */
int ts_dev_set(ts_device_t *d, const char *field, const char *value, ts_err_t *err)
{
    int rc = dev_set_field(d, field, value, err);
    if (rc)
        ts_err_prefix(err, "%s.%s", d->name, field);
    return rc;
}

int ts_link_set(ts_link_t *l, const char *field, const char *value, ts_err_t *err)
{
    int rc = ts_param_set(k_link_schema, TS_PARAM_COUNT(k_link_schema), l, field, value, err);
    if (rc)
        ts_err_prefix(err, "%s.%s", l->name, field);
    return rc;
}

int ts_dev_set_kv(ts_device_t *d, const char *const *kv, size_t n, ts_err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(kv[i], '=');
        char field[TS_DEV_NAME];
        if (!eq || eq == kv[i] || (size_t)(eq - kv[i]) >= sizeof(field))
            return ts_err_set(err, TS_EPARSE, "expected field=value (e.g. capacity=40GB), "
                                              "found '%s'",
                              kv[i]);
        memcpy(field, kv[i], (size_t)(eq - kv[i]));
        field[eq - kv[i]] = 0;
        int rc = ts_dev_set(d, field, eq + 1, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int dev_mul(uint64_t a, unsigned n, uint64_t *out, const char *what, ts_err_t *err)
{
    if (__builtin_mul_overflow(a, (uint64_t)n, out))
        return ts_err_set(err, TS_ERANGE, "RAID-0 of %u drives: %s overflows 64 bits", n, what);
    return 0;
}

int ts_dev_raid0(const ts_device_t *drive, unsigned n, ts_device_t *out, ts_err_t *err)
{
    if (n == 0 || n > DEV_RAID_MAX)
        return ts_err_set(err, TS_ERANGE, "a RAID-0 has 1 to %d drives, found %u", DEV_RAID_MAX,
                          n);
    ts_device_t r = *drive;
    int len = snprintf(r.name, sizeof(r.name), DEV_RAID_PREFIX "%ux%s", n, drive->name);
    if (len < 0 || (size_t)len >= sizeof(r.name))
        return ts_err_set(err, TS_ERANGE, "RAID-0 name '" DEV_RAID_PREFIX "%ux%s' is longer "
                                          "than %d characters",
                          n, drive->name, TS_DEV_NAME - 1);
    snprintf(r.summary, sizeof(r.summary), "RAID-0 of %u x %s", n, drive->name);
    r.kind = TS_DEV_RAID0;
    int rc = dev_mul(drive->capacity_bytes, n, &r.capacity_bytes, "capacity", err);
    if (!rc)
        rc = dev_mul(drive->channels, n, &r.channels, "channels", err);
    if (!rc)
        rc = dev_mul(drive->read_bytes_per_s, n, &r.read_bytes_per_s, "read_bw", err);
    if (!rc)
        rc = dev_mul(drive->write_bytes_per_s, n, &r.write_bytes_per_s, "write_bw", err);
    r.request_cost_ns = drive->request_cost_ns / n; /* n drives' shared paths side by side */
    if (!rc)
        *out = r;
    return rc;
}

/* Every numeric field inside its schema range; strings terminated; the one enum (kind) a
 * known value. */
static int dev_check_fields(const ts_param_spec_t *spec, size_t n, const void *obj,
                            const char *what, const char *name, ts_err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        const ts_param_spec_t *ps = &spec[i];
        if (ps->type == TS_PT_STRING) {
            if (!memchr((const char *)obj + ps->offset, 0, ps->size))
                return ts_err_set(err, TS_EINVAL, "%s '%s': %s is not terminated", what, name,
                                  ps->name);
            continue;
        }
        double v = ts_param_number(ps, obj);
        bool bad = ps->type == TS_PT_ENUM ? v < 0 || v >= TS_DEV_KIND_COUNT_
                                          : ps->min <= ps->max && (v < ps->min || v > ps->max);
        if (bad) {
            char form[128], val[64];
            return ts_err_set(err, TS_ERANGE,
                              "%s '%s': %s = %s is outside its range (%s, %g to %g)", what, name,
                              ps->name, ts_param_format(ps, obj, val, sizeof(val)),
                              ts_param_type_name(ps, form, sizeof(form)), ps->min, ps->max);
        }
    }
    return 0;
}

int ts_dev_check(const ts_device_t *d, ts_err_t *err)
{
    int rc = dev_check_fields(k_dev_schema, TS_PARAM_COUNT(k_dev_schema), d, "device", d->name,
                              err);
    if (rc)
        return rc;
    if (d->kind == TS_DEV_GPU_HBM && !d->host_link[0])
        return ts_err_set(err, TS_EINVAL, "device '%s' is a GPU but has no host_link", d->name);
    ts_err_t why = {0};
    if (!ts_devmodel_of(d, &why))
        return ts_err_set(err, TS_EINVAL, "device '%s': %s", d->name, why.msg);
    return 0;
}

int ts_link_check(const ts_link_t *l, ts_err_t *err)
{
    return dev_check_fields(k_link_schema, TS_PARAM_COUNT(k_link_schema), l, "link", l->name,
                            err);
}

/* ---- the catalogue ---- */

struct ts_dev_catalog {
    ts_device_t *devs;
    size_t n_devs, cap_devs;
    ts_link_t *links;
    size_t n_links, cap_links;
};

size_t ts_dev_catalog_n_devices(const ts_dev_catalog_t *c)
{
    return c->n_devs;
}

const ts_device_t *ts_dev_catalog_device_at(const ts_dev_catalog_t *c, size_t i)
{
    return i < c->n_devs ? &c->devs[i] : NULL;
}

size_t ts_dev_catalog_n_links(const ts_dev_catalog_t *c)
{
    return c->n_links;
}

const ts_link_t *ts_dev_catalog_link_at(const ts_dev_catalog_t *c, size_t i)
{
    return i < c->n_links ? &c->links[i] : NULL;
}

static void cat_free_arrays(ts_dev_catalog_t *c)
{
    ts_free(c->devs);
    ts_free(c->links);
    memset(c, 0, sizeof(*c));
}

void ts_dev_catalog_destroy(ts_dev_catalog_t *c)
{
    if (!c)
        return;
    cat_free_arrays(c);
    ts_free(c);
}

/* Index of the entry named name in an array of structs whose first member is the name. */
static long cat_index(const void *arr, size_t n, size_t stride, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp((const char *)arr + i * stride, name) == 0)
            return (long)i;
    return -1;
}

/* As cat_index, or -1 with "unknown WHAT 'name' (did you mean ...)" in err. */
static long cat_lookup(const char *what, const void *arr, size_t n, size_t stride,
                       const char *name, ts_err_t *err)
{
    long i = cat_index(arr, n, stride, name);
    if (i >= 0)
        return i;
    const char **names = ts_malloc((n ? n : 1) * sizeof(*names));
    if (!names) {
        ts_err_set(err, TS_ENOMEM, "out of memory looking up %s '%s'", what, name);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        names[k] = (const char *)arr + k * stride;
    ts_name_index(what, name, names, n, err);
    ts_free(names);
    return -1;
}

int ts_link_find(const ts_dev_catalog_t *c, const char *name, ts_link_t *out, ts_err_t *err)
{
    long i = cat_lookup("link", c->links, c->n_links, sizeof(ts_link_t), name, err);
    if (i < 0)
        return err && err->code ? err->code : TS_ENOENT;
    *out = c->links[i];
    return 0;
}

static int dev_raid0_spec(const ts_dev_catalog_t *c, const char *name, ts_device_t *out,
                          ts_err_t *err)
{
    const char *p = name + strlen(DEV_RAID_PREFIX);
    char *end;
    errno = 0;
    unsigned long n = (*p >= '0' && *p <= '9') ? strtoul(p, &end, 10) : 0;
    if (n == 0 || errno || *end != 'x' || !end[1])
        return ts_err_set(err, TS_EPARSE,
                          "expected " DEV_RAID_PREFIX "<N>x<drive> (e.g. " DEV_RAID_PREFIX
                          "4xmicron-9550-max), found '%s'",
                          name);
    ts_device_t drive;
    long i = cat_lookup("device", c->devs, c->n_devs, sizeof(ts_device_t), end + 1, err);
    if (i < 0)
        return err && err->code ? err->code : TS_ENOENT;
    drive = c->devs[i];
    return ts_dev_raid0(&drive, n > DEV_RAID_MAX ? DEV_RAID_MAX + 1u : (unsigned)n, out, err);
}

int ts_dev_find(const ts_dev_catalog_t *c, const char *name, ts_device_t *out, ts_err_t *err)
{
    if (cat_index(c->devs, c->n_devs, sizeof(ts_device_t), name) < 0 &&
        strncmp(name, DEV_RAID_PREFIX, strlen(DEV_RAID_PREFIX)) == 0)
        return dev_raid0_spec(c, name, out, err);
    long i = cat_lookup("device", c->devs, c->n_devs, sizeof(ts_device_t), name, err);
    if (i < 0)
        return err && err->code ? err->code : TS_ENOENT;
    *out = c->devs[i];
    return 0;
}

/* ---- loading YAML ---- */

typedef struct cat_load {
    ts_dev_catalog_t *c; /* the working copy being edited */
    const char *source;
    ts_err_t *err;
} cat_load_t;

static int cat_fail(cat_load_t *L, ts_ymark_t m, const char *path, int code, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

static int cat_fail(cat_load_t *L, ts_ymark_t m, const char *path, int code, const char *fmt,
                    ...)
{
    char msg[sizeof(L->err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ts_err_set(L->err, code, "%s", msg);
    ts_ymark_where(L->err, L->source, m, path);
    return code;
}

/* Makes room for one more element of an array (doubling). */
static int cat_grow(void **arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = ts_realloc(*arr, ncap * elem);
    if (!p)
        return TS_ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* One entry ("h100-sxm: {...}") of `devices:` (is_link false) or `links:`. The object is
 * the existing entry when the name is known, a copy of `like:` when given, else the
 * defaults, in which case every required field must be set. */
static int cat_entry(cat_load_t *L, const ts_ynode_t *e, bool is_link)
{
    const char *group = is_link ? "links" : "devices";
    const char *what = is_link ? "link" : "device";
    const ts_param_spec_t *spec = is_link ? k_link_schema : k_dev_schema;
    size_t n_spec = is_link ? TS_PARAM_COUNT(k_link_schema) : TS_PARAM_COUNT(k_dev_schema);
    size_t stride = is_link ? sizeof(ts_link_t) : sizeof(ts_device_t);
    char path[DEV_PATH];
    snprintf(path, sizeof(path), "%s.%s", group, e->key);

    if (!e->key[0] || strlen(e->key) >= TS_DEV_NAME)
        return cat_fail(L, e->key_mark, path, TS_ERANGE, "a %s name has 1 to %d characters",
                        what, TS_DEV_NAME - 1);
    if (strchr(e->key, ':'))
        return cat_fail(L, e->key_mark, path, TS_EINVAL,
                        "a %s name may not contain ':' (raid0:<N>x<drive> is built on demand)",
                        what);
    if (e->kind != TS_Y_MAP)
        return cat_fail(L, e->mark, path, TS_EPARSE, "expected a map of %s fields, found %s",
                        what, ts_ynode_what(e));

    union {
        ts_device_t dev;
        ts_link_t link;
    } obj;
    void *o = is_link ? (void *)&obj.link : (void *)&obj.dev;
    void *arr = is_link ? (void *)L->c->links : (void *)L->c->devs;
    size_t n = is_link ? L->c->n_links : L->c->n_devs;
    long at = cat_index(arr, n, stride, e->key);
    bool need_all = false;
    const ts_ynode_t *like = ts_ynode_get(e, "like");
    if (at >= 0 && like) {
        snprintf(path, sizeof(path), "%s.%s.like", group, e->key);
        return cat_fail(L, like->key_mark, path, TS_EINVAL,
                        "'%s' is already a %s: edit its fields directly, or copy it under a "
                        "new name with like:",
                        e->key, what);
    }
    if (at >= 0) {
        memcpy(o, (char *)arr + (size_t)at * stride, stride);
    } else if (like) {
        int rc = like->kind != TS_Y_SCALAR || like->is_null
                     ? TS_EPARSE
                     : is_link ? ts_link_find(L->c, like->value, &obj.link, L->err)
                               : ts_dev_find(L->c, like->value, &obj.dev, L->err);
        if (rc == TS_EPARSE && !L->err->code)
            ts_err_set(L->err, rc, "expected the name of a %s to copy, found %s", what,
                       ts_ynode_what(like));
        if (rc) {
            snprintf(path, sizeof(path), "%s.%s.like", group, e->key);
            ts_ymark_where(L->err, L->source, like->mark, path);
            return rc;
        }
    } else {
        int rc = ts_param_defaults(spec, n_spec, o, stride, L->err);
        if (rc)
            return rc;
        need_all = true;
    }
    memset(o, 0, TS_DEV_NAME); /* the name is the first member of both structs */
    memcpy(o, e->key, strlen(e->key) + 1);

    uint64_t set = 0;
    for (const ts_ynode_t *f = e->child; f; f = f->next) {
        if (strcmp(f->key, "like") == 0)
            continue;
        snprintf(path, sizeof(path), "%s.%s.%s", group, e->key, f->key);
        if (f->kind != TS_Y_SCALAR || f->is_null)
            return cat_fail(L, f->mark, path, TS_EPARSE, "expected a value, found %s",
                            ts_ynode_what(f));
        int rc = is_link ? ts_param_set(spec, n_spec, o, f->key, f->value, L->err)
                         : dev_set_field(o, f->key, f->value, L->err);
        if (rc) {
            ts_ymark_where(L->err, L->source, rc == TS_ENOENT ? f->key_mark : f->mark, path);
            return rc;
        }
        set |= 1ull << (ts_param_find(spec, n_spec, f->key) - spec);
    }
    for (size_t i = 0; need_all && i < n_spec; i++) {
        if (spec[i].def || (set & (1ull << i)))
            continue;
        char form[128];
        snprintf(path, sizeof(path), "%s.%s", group, e->key);
        return cat_fail(L, e->key_mark, path, TS_EINVAL,
                        "%s '%s' lacks %s (%s); give it, or `like: <%s>` to copy one", what,
                        e->key, spec[i].name, ts_param_type_name(&spec[i], form, sizeof(form)),
                        what);
    }
    int rc = is_link ? ts_link_check(&obj.link, L->err) : ts_dev_check(&obj.dev, L->err);
    if (rc) {
        snprintf(path, sizeof(path), "%s.%s", group, e->key);
        ts_ymark_where(L->err, L->source, e->key_mark, path);
        return rc;
    }
    if (at < 0) {
        rc = is_link ? cat_grow((void **)&L->c->links, n, &L->c->cap_links, stride)
                     : cat_grow((void **)&L->c->devs, n, &L->c->cap_devs, stride);
        if (rc)
            return ts_err_set(L->err, TS_ENOMEM, "out of memory adding %s '%s'", what, e->key);
        arr = is_link ? (void *)L->c->links : (void *)L->c->devs;
        at = (long)n;
        if (is_link)
            L->c->n_links++;
        else
            L->c->n_devs++;
    }
    memcpy((char *)arr + (size_t)at * stride, o, stride);
    return 0;
}

static int cat_document(cat_load_t *L, const ts_ynode_t *root)
{
    if (!root)
        return 0;
    if (root->kind != TS_Y_MAP)
        return cat_fail(L, root->mark, "", TS_EPARSE,
                        "expected a map with devices: and links:, found %s", ts_ynode_what(root));
    for (const ts_ynode_t *g = root->child; g; g = g->next) {
        bool is_link = strcmp(g->key, "links") == 0;
        if (!is_link && strcmp(g->key, "devices") != 0) {
            static const char *const keys[] = {"devices", "links"};
            const char *hint = ts_suggest(g->key, keys, 2);
            return cat_fail(L, g->key_mark, g->key, TS_ENOENT, "unknown key '%s' (%s%s%s)",
                            g->key, hint ? "did you mean '" : "expected devices or links",
                            hint ? hint : "", hint ? "'?" : "");
        }
        if (g->kind == TS_Y_SCALAR && g->is_null)
            continue;
        if (g->kind != TS_Y_MAP)
            return cat_fail(L, g->mark, g->key, TS_EPARSE,
                            "expected a map of %s by name, found %s", g->key, ts_ynode_what(g));
        for (const ts_ynode_t *e = g->child; e; e = e->next) {
            int rc = cat_entry(L, e, is_link);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Every GPU's host link names a link of the catalogue. */
static int cat_check_links(const ts_dev_catalog_t *c, ts_err_t *err)
{
    for (size_t i = 0; i < c->n_devs; i++) {
        const ts_device_t *d = &c->devs[i];
        if (!d->host_link[0] || cat_index(c->links, c->n_links, sizeof(ts_link_t),
                                          d->host_link) >= 0)
            continue;
        ts_link_t l;
        int rc = ts_link_find(c, d->host_link, &l, err);
        ts_err_prefix(err, "device '%s' host_link", d->name);
        return rc;
    }
    return 0;
}

static int cat_clone(const ts_dev_catalog_t *from, ts_dev_catalog_t *to)
{
    memset(to, 0, sizeof(*to));
    to->cap_devs = from->n_devs + 8;
    to->cap_links = from->n_links + 8;
    to->devs = ts_malloc(to->cap_devs * sizeof(ts_device_t));
    to->links = ts_malloc(to->cap_links * sizeof(ts_link_t));
    if (!to->devs || !to->links) {
        cat_free_arrays(to);
        return TS_ENOMEM;
    }
    if (from->n_devs)
        memcpy(to->devs, from->devs, from->n_devs * sizeof(ts_device_t));
    if (from->n_links)
        memcpy(to->links, from->links, from->n_links * sizeof(ts_link_t));
    to->n_devs = from->n_devs;
    to->n_links = from->n_links;
    return 0;
}

/* Decodes texts[0..n) in order into a copy of c, checks host links, then replaces c. */
static int cat_load_texts(ts_dev_catalog_t *c, const ts__dev_preset_t *texts, size_t n,
                          ts_err_t *err)
{
    ts_dev_catalog_t work;
    if (cat_clone(c, &work))
        return ts_err_set(err, TS_ENOMEM, "out of memory loading devices");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ts_ytree_t *tree = NULL;
        rc = ts_ytree_parse(texts[i].text, texts[i].len, texts[i].file, &tree, err);
        if (rc == 0) {
            cat_load_t L = {&work, texts[i].file, err};
            rc = cat_document(&L, ts_ytree_root(tree));
        }
        ts_ytree_destroy(tree);
    }
    if (rc == 0)
        rc = cat_check_links(&work, err);
    if (rc) {
        cat_free_arrays(&work);
        return rc;
    }
    cat_free_arrays(c);
    *c = work;
    return 0;
}

int ts_dev_catalog_create(ts_dev_catalog_t **out, ts_err_t *err)
{
    *out = NULL;
    ts_dev_catalog_t *c = ts_calloc(1, sizeof(*c));
    if (!c)
        return ts_err_set(err, TS_ENOMEM, "out of memory creating the device catalogue");
    int rc = cat_load_texts(c, ts__dev_presets, ts__dev_presets_count, err);
    if (rc) {
        ts_err_prefix(err, "embedded presets");
        ts_dev_catalog_destroy(c);
        return rc;
    }
    *out = c;
    return 0;
}

int ts_dev_catalog_load_string(ts_dev_catalog_t *c, const char *yaml, const char *source,
                               ts_err_t *err)
{
    if (!yaml)
        return ts_err_set(err, TS_EINVAL, "no catalogue text");
    ts__dev_preset_t t = {source ? source : "<string>", yaml, strlen(yaml)};
    return cat_load_texts(c, &t, 1, err);
}

int ts_dev_catalog_load_file(ts_dev_catalog_t *c, const char *path, ts_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return ts_err_sys(err, e == ENOENT ? TS_ENOENT : TS_EIO, e,
                          "cannot open device catalogue '%s'", path);
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *p = cap > DEV_MAX_FILE ? NULL : ts_realloc(text, cap);
            if (!p) {
                rc = cap > DEV_MAX_FILE
                         ? ts_err_set(err, TS_ERANGE, "device catalogue '%s' is larger than "
                                                      "%u MiB",
                                      path, DEV_MAX_FILE >> 20)
                         : ts_err_set(err, TS_ENOMEM, "out of memory reading '%s'", path);
                break;
            }
            text = p;
        }
        size_t got = fread(text + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                rc = ts_err_sys(err, TS_EIO, errno, "cannot read device catalogue '%s'", path);
            break;
        }
    }
    fclose(f);
    if (rc == 0) {
        text[len] = 0;
        ts__dev_preset_t t = {path, text, len};
        rc = cat_load_texts(c, &t, 1, err);
    }
    ts_free(text);
    return rc;
}
