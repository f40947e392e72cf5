/* SPDX-License-Identifier: MIT */
/*
 * cli_list.c - `tiersim list`: the registered plug-ins (policies, trace formats, generators,
 * admission filters, prefetchers) with their parameters, the model presets of the inference
 * generator, the device and link presets (and those of a catalogue FILE) with their fields,
 * and the price table with the cost keys of a scenario.
 *
 * Everything is printed from the registries' and presets' own tables and schemas, so the
 * list cannot drift from what a scenario accepts. With no argument it lists them all.
 */
#include <stdio.h>
#include <string.h>

#include "../sim/admit.h"
#include "../sim/policy.h"
#include "../sim/prefetch.h"
#include "../sim/util/fmt.h"
#include "../traces/trace.h"
#include "../workloads/gen.h"
#include "../sim/models.h"
#include "../sim/cost.h"
#include "../sim/device.h"
#include "../sim/util/units.h"
#include "cli_internal.h"

/* ---- list ---- */

static void cli_list_params(const ts_param_spec_t *spec, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char form[256];
        ts_param_type_name(&spec[i], form, sizeof(form));
        const char *def = !spec[i].def ? "(required)" : spec[i].def[0] ? spec[i].def : "\"\"";
        printf("    %-16s %s; default %s. %s\n", spec[i].name, form, def, spec[i].help);
    }
}

static void cli_list_policies(void)
{
    printf("policies:\n");
    for (size_t i = 0; i < ts_registry_count(&ts_policies); i++) {
        const ts_plugin_t *p = ts_registry_at(&ts_policies, i);
        printf("  %-10s %s%s\n", p->name, p->summary,
               p->flags & TS_POLICY_NEEDS_FUTURE ? " [offline]" : "");
        cli_list_params(p->params, p->params_count);
    }
}

static void cli_list_formats(void)
{
    printf("trace formats:\n");
    for (size_t i = 0; i < ts_registry_count(&ts_formats); i++) {
        const ts_reader_ops_t *f = ts_reader_ops_of(ts_registry_at(&ts_formats, i));
        printf("  %-10s %s%s\n", f->base.name, f->base.summary,
               f->writer ? " [read/write]" : " [read]");
        cli_list_params(f->base.params, f->base.params_count);
    }
}

static void cli_list_generators(void)
{
    printf("generators:\n");
    for (size_t i = 0; i < ts_registry_count(&ts_generators); i++) {
        const ts_plugin_t *g = ts_registry_at(&ts_generators, i);
        printf("  %-10s %s\n", g->name, g->summary);
        cli_list_params(g->params, g->params_count);
    }
}

/* Bytes as vendors state them: exact GiB multiples in binary ("512GiB", as DIMMs are sold),
 * others decimal with three significant digits ("7.68TB", "80GB"). */
static const char *cli_si_bytes(uint64_t bytes, char *buf, size_t size)
{
    if (bytes && bytes % (1ull << 30) == 0)
        return ts_format_size(bytes, 0, buf, size);
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)bytes;
    int u = 0;
    while (u < 6 && v >= 999.5) {
        v /= 1000;
        u++;
    }
    snprintf(buf, size, "%.3g%s", v, units[u]);
    return buf;
}

/* The presets, plus the entries of a user catalogue file when file is given. */
static int cli_list_devices(const char *file)
{
    ts_err_t err = {0};
    ts_dev_catalog_t *cat = NULL;
    if (ts_dev_catalog_create(&cat, &err) || (file && ts_dev_catalog_load_file(cat, file, &err))) {
        ts_dev_catalog_destroy(cat);
        return ts__cli_fail(&err);
    }
    printf("devices (bandwidth per device; latency unloaded, per request):\n");
    printf("  %-16s %-12s %8s %5s %10s %10s %9s %9s  %s\n", "name", "kind", "capacity", "chan",
           "read bw", "write bw", "read lat", "write lat", "summary");
    for (size_t i = 0; i < ts_dev_catalog_n_devices(cat); i++) {
        const ts_device_t *d = ts_dev_catalog_device_at(cat, i);
        char cap[32], rb[32], wb[32], rl[32], wl[32];
        printf("  %-16s %-12s %8s %5llu %10s %10s %9s %9s  %s", d->name,
               ts_dev_kind_name(d->kind), cli_si_bytes(d->capacity_bytes, cap, sizeof(cap)),
               (unsigned long long)d->channels,
               ts_format_rate(d->read_bytes_per_s, 1, rb, sizeof(rb)),
               ts_format_rate(d->write_bytes_per_s, 1, wb, sizeof(wb)),
               ts_format_duration(d->read_latency_ns, rl, sizeof(rl)),
               ts_format_duration(d->write_latency_ns, wl, sizeof(wl)), d->summary);
        if (d->host_link[0])
            printf(" [host link %s, %.4g TFLOP/s BF16]", d->host_link, d->bf16_flops / 1e12);
        if (d->channel_bytes_per_s)
            printf(" [%s per request]", ts_format_rate(d->channel_bytes_per_s, 1, rb, sizeof(rb)));
        printf("\n");
    }
    printf("  raid0:<N>x<drive> builds a RAID-0 of N drives, e.g. raid0:4xmicron-9550-max\n");
    printf("links (bandwidth per direction):\n");
    printf("  %-16s %10s %9s  %s\n", "name", "bandwidth", "latency", "summary");
    for (size_t i = 0; i < ts_dev_catalog_n_links(cat); i++) {
        const ts_link_t *l = ts_dev_catalog_link_at(cat, i);
        char bw[32], lat[32];
        printf("  %-16s %10s %9s  %s\n", l->name, ts_format_rate(l->bytes_per_s, 1, bw, sizeof(bw)),
               ts_format_duration(l->latency_ns, lat, sizeof(lat)), l->summary);
    }
    ts_dev_catalog_destroy(cat);
    size_t n;
    const ts_param_spec_t *spec = ts_dev_schema(&n);
    printf("device fields (a catalogue file or an override sets them by name):\n");
    cli_list_params(spec, n);
    spec = ts_link_schema(&n);
    printf("link fields:\n");
    cli_list_params(spec, n);
    return 0;
}

/* A price for the table, "-" when zero. */
static const char *cli_price(double usd, ts_price_unit_t unit, char *buf, size_t size)
{
    if (usd > 0)
        return ts_format_price(usd, unit, buf, size);
    snprintf(buf, size, "-");
    return buf;
}

/* The price table (sim/presets/prices.yaml) and the cost keys of a scenario. */
static int cli_list_prices(void)
{
    ts_err_t err = {0};
    ts_price_table_t *t = NULL;
    if (ts_price_table_create(&t, &err))
        return ts__cli_fail(&err);
    printf("prices (defaults: a device takes its kind's row, then its own; docs/cost.md):\n");
    printf("  %-18s %-16s %-8s %-17s %-12s %-12s %-8s %s\n", "row", "purchase", "lifetime",
           "storage", "get", "put", "egress", "gpu_price");
    for (size_t i = 0; i < ts_price_table_count(t); i++) {
        const ts_price_t *p = ts_price_table_at(t, i);
        char a[40], b[40], c[40], d[40], e[40], f[40], g[40];
        printf("  %-18s %-16s %-8s %-17s %-12s %-12s %-8s %s\n", p->row,
               cli_price(p->purchase_usd_gb, TS_PRICE_PER_GB, a, sizeof(a)),
               p->purchase_usd_gb > 0 ? ts_format_duration(p->lifetime_ns, b, sizeof(b)) : "-",
               cli_price(p->storage_usd_gb_month, TS_PRICE_PER_GB_MONTH, c, sizeof(c)),
               cli_price(p->get_usd, TS_PRICE_PER_REQUEST, d, sizeof(d)),
               cli_price(p->put_usd, TS_PRICE_PER_REQUEST, e, sizeof(e)),
               cli_price(p->egress_usd_gb, TS_PRICE_PER_GB, f, sizeof(f)),
               cli_price(p->gpu_usd_hour, TS_PRICE_PER_HOUR, g, sizeof(g)));
    }
    ts_price_table_destroy(t);
    size_t n_tier, n_backing, n_cost;
    const ts_param_spec_t *spec = ts_price_schema(TS_PRICE_TIER, &n_tier);
    ts_price_schema(TS_PRICE_BACKING, &n_backing);
    printf("tiers[].cost and backing.cost keys:\n");
    cli_list_params(spec, n_tier);
    printf("backing.cost keys only:\n");
    cli_list_params(spec + n_tier, n_backing - n_tier);
    spec = ts_cost_schema(&n_cost);
    printf("cost keys:\n");
    cli_list_params(spec, n_cost);
    return 0;
}

static void cli_list_admission(void)
{
    printf("admission filters:\n");
    for (size_t i = 0; i < ts_registry_count(&ts_admits); i++) {
        const ts_plugin_t *a = ts_registry_at(&ts_admits, i);
        printf("  %-10s %s\n", a->name, a->summary);
        cli_list_params(a->params, a->params_count);
    }
}

static void cli_list_prefetchers(void)
{
    printf("prefetchers:\n");
    for (size_t i = 0; i < ts_registry_count(&ts_prefetchers); i++) {
        const ts_plugin_t *p = ts_registry_at(&ts_prefetchers, i);
        printf("  %-10s %s\n", p->name, p->summary);
        cli_list_params(p->params, p->params_count);
    }
}

/* The LLM model presets of the inference generator (workloads/models.c). */
static void cli_list_models(void)
{
    printf("models (inference generator; KV bytes per token at the preset's KV type):\n");
    printf("  %-16s %-9s %6s %10s %10s %9s %9s %9s %8s\n", "name", "attention", "layers",
           "kv heads", "KV/token", "params", "active", "weights", "context");
    for (size_t i = 0; i < ts_gen_model_count(); i++) {
        const ts_model_t *m = ts_gen_model_at(i);
        char heads[32], w[32];
        if (m->attn == TS_ATTN_MLA)
            snprintf(heads, sizeof(heads), "%u+%u", m->kv_lora_rank, m->rope_head_dim);
        else
            snprintf(heads, sizeof(heads), "%ux%u", m->kv_heads, m->head_dim);
        printf("  %-16s %-9s %6u %10s %10llu %8.4gB %8.4gB %9s %8llu\n", m->name,
               m->attn == TS_ATTN_MLA ? "MLA" : "standard", m->layers, heads,
               (unsigned long long)ts_gen_model_kv_bytes_per_token(m, 0),
               (double)m->params_total / 1e9, (double)m->params_active / 1e9,
               cli_si_bytes(ts_gen_model_weight_bytes(m), w, sizeof(w)),
               (unsigned long long)m->context_tokens);
    }
}

int ts__cli_list(int argc, char **argv)
{
    static const char *const what[] = {"policies", "formats", "generators", "admission",
                                       "prefetchers", "models", "devices", "prices"};
    const size_t n_what = sizeof(what) / sizeof(what[0]);
    const char *w = argc > 1 ? argv[1] : NULL;
    size_t k = 0;
    while (w && k < n_what && strcmp(w, what[k]) != 0)
        k++;
    if (w && k == n_what) {
        const char *hint = ts_suggest(w, what, n_what);
        fprintf(stderr, "tiersim: error: cannot list '%s'%s%s%s\n", w,
                hint ? " (did you mean '"
                     : "; expected policies, formats, generators, admission, prefetchers, "
                       "models, devices or prices",
                hint ? hint : "", hint ? "'?)" : "");
        return 2;
    }
    if (argc > 2 && (!w || strcmp(w, "devices") != 0))
        return ts__cli_usage_error("only 'list devices' takes a FILE, found '%s'", argv[2]);
    if (argc > 3)
        return ts__cli_usage_error("list devices takes one FILE, found also '%s'", argv[3]);
    if (!w || strcmp(w, "policies") == 0)
        cli_list_policies();
    if (!w || strcmp(w, "formats") == 0)
        cli_list_formats();
    if (!w || strcmp(w, "generators") == 0)
        cli_list_generators();
    if (!w || strcmp(w, "admission") == 0)
        cli_list_admission();
    if (!w || strcmp(w, "prefetchers") == 0)
        cli_list_prefetchers();
    if (!w || strcmp(w, "models") == 0)
        cli_list_models();
    if (!w || strcmp(w, "devices") == 0) {
        int rc = cli_list_devices(argc > 2 ? argv[2] : NULL);
        if (rc || w)
            return rc;
    }
    if (!w || strcmp(w, "prices") == 0)
        return cli_list_prices();
    return 0;
}
