/* SPDX-License-Identifier: MIT */
/*
 * cli_list.c - `tiersim list`: the registered plug-ins of every kind that has some
 * (policies, trace formats, generators, admission filters, prefetchers, ...) with their
 * capability flags as words and their parameters, the model presets of the inference
 * generator, the device and link presets (and those of a catalogue FILE) with their fields,
 * and the price table with the cost keys of a scenario.
 *
 * Everything is printed from app/plugins' tables and the presets' own tables and schemas,
 * by one printer per layout, so the list cannot drift from what a scenario accepts. Every
 * line fits 100 columns: long text wraps under its column with a hanging indent. With no
 * argument it lists them all.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../reports/writer.h"
#include "../sim/admit.h"
#include "../sim/backend.h"
#include "../sim/cost.h"
#include "../sim/device.h"
#include "../sim/devmodel.h"
#include "../sim/models.h"
#include "../sim/policy.h"
#include "../sim/prefetch.h"
#include "../sim/reader.h"
#include "../sim/util/fmt.h"
#include "../sim/util/units.h"
#include "cli_internal.h"
#include "plugins.h"

/* ---- layout: every line fits CLI_WIDTH columns ---- */

#define CLI_WIDTH 100
#define CLI_SUMMARY_INDENT 13 /* "  " + a 10-column name + " " */
#define CLI_PARAM_INDENT 21   /* "    " + a 16-column name + " " */

/* Ends a line that already holds col columns with text, broken at spaces so that no line
 * passes CLI_WIDTH; continuation lines start with indent spaces. A word longer than a whole
 * line is printed on a line of its own. */
static void cli_wrap(size_t col, const char *text, size_t indent)
{
    bool need_space = false;
    const char *s = text;
    for (;;) {
        size_t w = strcspn(s, " ");
        if (col + (need_space ? 1 : 0) + w > CLI_WIDTH && col > indent) {
            printf("\n%*s", (int)indent, "");
            col = indent;
            need_space = false;
        }
        if (need_space) {
            putchar(' ');
            col++;
        }
        fwrite(s, 1, w, stdout);
        col += w;
        s += w;
        if (!*s)
            break;
        s++; /* the space: printed before the next word, or where the line breaks */
        need_space = true;
    }
    putchar('\n');
}

static void cli_list_params(const ts_param_spec_t *spec, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char form[256], text[1024];
        ts_param_type_name(&spec[i], form, sizeof(form));
        const char *def = !spec[i].def ? "(required)" : spec[i].def[0] ? spec[i].def : "\"\"";
        snprintf(text, sizeof(text), "%s; default %s. %s", form, def, spec[i].help);
        int col = printf("    %-16s ", spec[i].name);
        cli_wrap(col > 0 ? (size_t)col : 0, text, CLI_PARAM_INDENT);
    }
}

/* ---- plug-ins: one printer for every kind of app/plugins ---- */

typedef struct cli_word {
    uint32_t bit;     /* a capability flag of the kind */
    const char *word; /* how the list names it */
} cli_word_t;

/* "read/write" or "read": what can be done with a trace format. */
static const char *cli_format_mode(const ts_plugin_t *p)
{
    return ts_reader_ops_of(p)->writer ? "read/write" : "read";
}

static const cli_word_t k_policy_words[] = {
    {TS_POLICY_NEEDS_FUTURE, "offline"},
    {TS_POLICY_HINTS, "uses hints"},
};
static const cli_word_t k_admit_words[] = {
    {TS_ADMIT_REQ_META, "reads request flags"},
    {TS_ADMIT_ALL, "admits everything"},
};
static const cli_word_t k_prefetch_words[] = {
    {TS_PREFETCH_HINTS, "takes hints"},
    {TS_PREFETCH_NOTHING, "does nothing"},
};
static const cli_word_t k_reader_words[] = {
    {TS_READER_NOT_THREAD_SAFE, "not thread-safe"},
    {TS_READER_SEEDLESS, "seed-free"},
};
static const cli_word_t k_report_words[] = {
    {TS_REPORT_DEFAULT, "default"},
    {TS_REPORT_BINARY, "binary"},
    {TS_REPORT_MULTI_FILE, "several files"},
    {TS_REPORT_NEEDS_GNUPLOT, "uses gnuplot"},
};
static const cli_word_t k_devmodel_words[] = {
    {TS_DEVMODEL_SHARES_BW, "shares bandwidth"},
    {TS_DEVMODEL_NEEDS_CHANNELS, "needs channels"},
    {TS_DEVMODEL_MEASURED, "measured"},
};
static const cli_word_t k_backend_words[] = {
    {TS_BACKEND_ASYNC, "asynchronous"},
    {TS_BACKEND_DIRECT_IO, "direct I/O"},
    {TS_BACKEND_GPU_MEMORY, "GPU memory"},
    {TS_BACKEND_PERSISTENT, "persistent"},
};

#define CLI_WORDS(a) a, sizeof(a) / sizeof(a[0])

/* What `tiersim list` shows of each kind, in this order. */
static const struct cli_kind {
    const char *arg;   /* `tiersim list ARG` */
    const char *title; /* the heading */
    ts_plugin_kind_t kind;
    const cli_word_t *words; /* flags shown as words */
    size_t n_words;
    const char *(*mode)(const ts_plugin_t *p); /* a first word of its own; NULL: none */
} k_kinds[] = {
    {"policies", "policies", TS_PLUGIN_POLICY, CLI_WORDS(k_policy_words), NULL},
    {"formats", "trace formats", TS_PLUGIN_FORMAT, CLI_WORDS(k_reader_words), cli_format_mode},
    {"generators", "generators", TS_PLUGIN_GENERATOR, CLI_WORDS(k_reader_words), NULL},
    {"admission", "admission filters", TS_PLUGIN_ADMIT, CLI_WORDS(k_admit_words), NULL},
    {"prefetchers", "prefetchers", TS_PLUGIN_PREFETCH, CLI_WORDS(k_prefetch_words), NULL},
    {"reports", "report writers", TS_PLUGIN_REPORT, CLI_WORDS(k_report_words), NULL},
    {"behaviours", "device behaviours", TS_PLUGIN_DEVMODEL, CLI_WORDS(k_devmodel_words), NULL},
    {"backends", "live back-ends", TS_PLUGIN_BACKEND, CLI_WORDS(k_backend_words), NULL},
};
#define N_KINDS (sizeof(k_kinds) / sizeof(k_kinds[0]))

/* Appends to buf (size bytes, holding *used) what fits of the formatted text. */
static void cli_append(char *buf, size_t size, size_t *used, const char *a, const char *b)
{
    if (*used >= size)
        return;
    int n = snprintf(buf + *used, size - *used, "%s%s", a, b);
    *used = n < 0 ? size : *used + (size_t)n;
}

/* name, summary, its flags as words ("[read/write, not thread-safe]"), then its
 * parameters. */
static void cli_list_plugin(const struct cli_kind *k, const ts_plugin_t *p)
{
    char text[1024];
    size_t used = 0;
    cli_append(text, sizeof(text), &used, p->summary, "");
    const char *sep = " [";
    if (k->mode) {
        cli_append(text, sizeof(text), &used, sep, k->mode(p));
        sep = ", ";
    }
    for (size_t i = 0; i < k->n_words; i++)
        if (p->flags & k->words[i].bit) {
            cli_append(text, sizeof(text), &used, sep, k->words[i].word);
            sep = ", ";
        }
    if (sep[0] == ',')
        cli_append(text, sizeof(text), &used, "]", "");
    int col = printf("  %-10s ", p->name);
    cli_wrap(col > 0 ? (size_t)col : 0, text, CLI_SUMMARY_INDENT);
    cli_list_params(p->params, p->params_count);
}

static void cli_list_kind(const struct cli_kind *k)
{
    const ts_registry_t *r = ts_plugins_registry(k->kind);
    printf("%s:\n", k->title);
    for (size_t i = 0; i < ts_registry_count(r); i++)
        cli_list_plugin(k, ts_registry_at(r, i));
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
    printf("  %-15s %-12s %8s %4s %8s %8s %7s %7s  %s\n", "name", "kind", "capacity", "chan",
           "read bw", "write bw", "rd lat", "wr lat", "notes");
    for (size_t i = 0; i < ts_dev_catalog_n_devices(cat); i++) {
        const ts_device_t *d = ts_dev_catalog_device_at(cat, i);
        char cap[32], rb[32], wb[32], rl[32], wl[32], cb[32], notes[160] = "", text[512];
        int col = printf("  %-15s %-12s %8s %4llu %8s %8s %7s %7s", d->name,
                         ts_dev_kind_name(d->kind),
                         cli_si_bytes(d->capacity_bytes, cap, sizeof(cap)),
                         (unsigned long long)d->channels,
                         ts_format_rate(d->read_bytes_per_s, 1, rb, sizeof(rb)),
                         ts_format_rate(d->write_bytes_per_s, 1, wb, sizeof(wb)),
                         ts_format_duration(d->read_latency_ns, rl, sizeof(rl)),
                         ts_format_duration(d->write_latency_ns, wl, sizeof(wl)));
        if (d->host_link[0])
            snprintf(notes, sizeof(notes), "link %s", d->host_link);
        if (d->channel_bytes_per_s)
            snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes), "%s%s per request",
                     notes[0] ? ", " : "",
                     ts_format_rate(d->channel_bytes_per_s, 1, cb, sizeof(cb)));
        if (notes[0]) {
            printf("  ");
            cli_wrap(col > 0 ? (size_t)col + 2 : 0, notes, (size_t)(col > 0 ? col + 2 : 0));
        } else {
            printf("\n");
        }
        /* the part in words on the lines below, under the kind (column 18) */
        snprintf(text, sizeof(text), "%s", d->summary);
        if (d->bf16_flops > 0)
            snprintf(text + strlen(text), sizeof(text) - strlen(text), " [%.4g TFLOP/s BF16]",
                     d->bf16_flops / 1e12);
        if (text[0]) {
            printf("%18s", "");
            cli_wrap(18, text, 18);
        }
    }
    printf("  raid0:<N>x<drive> builds a RAID-0 of N drives, e.g. raid0:4xmicron-9550-max\n");
    printf("links (bandwidth per direction):\n");
    printf("  %-16s %10s %9s  %s\n", "name", "bandwidth", "latency", "summary");
    for (size_t i = 0; i < ts_dev_catalog_n_links(cat); i++) {
        const ts_link_t *l = ts_dev_catalog_link_at(cat, i);
        char bw[32], lat[32];
        int col = printf("  %-16s %10s %9s  ", l->name,
                         ts_format_rate(l->bytes_per_s, 1, bw, sizeof(bw)),
                         ts_format_duration(l->latency_ns, lat, sizeof(lat)));
        cli_wrap(col > 0 ? (size_t)col : 0, l->summary, 41); /* under the summary */
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

/* The price profiles, dated, and the GPU prices each gives (a row it does not list comes
 * from its fallback, said on the row). */
static int cli_list_profiles(const ts_price_table_t *def)
{
    printf("price profiles (a scenario picks one with `prices: PROFILE`; docs/cost.md), their "
           "sources\nand GPU prices per GPU-hour:\n");
    for (size_t i = 0; i < ts_price_profile_count(def); i++) {
        const ts_price_profile_t *pp = ts_price_profile_at(def, i);
        printf("  %s, read %s%s%s%s\n    %s\n", pp->name, pp->date,
               pp->is_default ? " (the default)" : "",
               pp->fallback[0] ? ", falls back to " : "", pp->fallback, pp->source);
        ts_err_t err = {0};
        ts_price_table_t *t = NULL;
        if (ts_price_table_create(pp->name, &t, &err))
            return ts__cli_fail(&err);
        for (size_t k = 0; k < ts_price_table_count(t); k++) {
            const ts_price_t *p = ts_price_table_at(t, k);
            if (!(p->gpu_usd_hour > 0))
                continue;
            char g[40], from[TS_PRICE_ROW + 40] = "";
            if (strcmp(p->profile, pp->name) != 0)
                snprintf(from, sizeof(from), "from %.*s: not known here", TS_PRICE_ROW,
                         p->profile);
            printf("    %-14s %-9s %-8s %s\n", p->row,
                   cli_price(p->gpu_usd_hour, TS_PRICE_PER_HOUR, g, sizeof(g)),
                   ts_price_table_date(t, k), from[0] ? from : ts_price_table_source(t, k));
        }
        ts_price_table_destroy(t);
    }
    return 0;
}

/* The price table (sim/presets/prices.yaml) of the default profile, the profiles and the
 * cost keys of a scenario. */
static int cli_list_prices(void)
{
    ts_err_t err = {0};
    ts_price_table_t *t = NULL;
    if (ts_price_table_create(NULL, &t, &err))
        return ts__cli_fail(&err);
    const ts_price_profile_t *def = ts_price_table_profile(t);
    printf("prices (profile %s, the default; a device takes its kind's row, then its own):\n",
           def->name);
    printf("  %-17s %-9s %-8s %-16s %-12s %-12s %-8s %s\n", "row", "purchase", "lifetime",
           "storage", "get", "put", "egress", "gpu_price");
    for (size_t i = 0; i < ts_price_table_count(t); i++) {
        const ts_price_t *p = ts_price_table_at(t, i);
        char a[40], b[40], c[40], d[40], e[40], f[40], g[40];
        printf("  %-17s %-9s %-8s %-16s %-12s %-12s %-8s %s\n", p->row,
               cli_price(p->purchase_usd_gb, TS_PRICE_PER_GB, a, sizeof(a)),
               p->purchase_usd_gb > 0 ? ts_format_duration(p->lifetime_ns, b, sizeof(b)) : "-",
               cli_price(p->storage_usd_gb_month, TS_PRICE_PER_GB_MONTH, c, sizeof(c)),
               cli_price(p->get_usd, TS_PRICE_PER_REQUEST, d, sizeof(d)),
               cli_price(p->put_usd, TS_PRICE_PER_REQUEST, e, sizeof(e)),
               cli_price(p->egress_usd_gb, TS_PRICE_PER_GB, f, sizeof(f)),
               cli_price(p->gpu_usd_hour, TS_PRICE_PER_HOUR, g, sizeof(g)));
    }
    int rc = cli_list_profiles(t);
    ts_price_table_destroy(t);
    if (rc)
        return rc;
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

/* The kinds with plug-ins (k_kinds, in order), then the tables of presets. */
static const char *const k_more[] = {"models", "devices", "prices"};
#define N_MORE (sizeof(k_more) / sizeof(k_more[0]))

int ts__cli_list(int argc, char **argv)
{
    const char *what[N_KINDS + N_MORE];
    const struct cli_kind *kinds[N_KINDS];
    size_t n_what = 0;
    for (size_t i = 0; i < N_KINDS; i++)
        if (ts_registry_count(ts_plugins_registry(k_kinds[i].kind)) > 0) {
            kinds[n_what] = &k_kinds[i];
            what[n_what++] = k_kinds[i].arg;
        }
    const size_t n_kinds = n_what;
    for (size_t i = 0; i < N_MORE; i++)
        what[n_what++] = k_more[i];
    const char *w = argc > 1 ? argv[1] : NULL;
    size_t k = 0;
    while (w && k < n_what && strcmp(w, what[k]) != 0)
        k++;
    if (w && k == n_what) {
        const char *hint = ts_suggest(w, what, n_what);
        char list[256] = "";
        for (size_t i = 0; !hint && i < n_what; i++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                     i == 0 ? "" : i + 1 == n_what ? " or " : ", ", what[i]);
        return ts__cli_usage("list", "cannot list '%s'%s%s%s", w,
                             hint ? " (did you mean '" : "; expected ", hint ? hint : list,
                             hint ? "'?)" : "");
    }
    if (argc > 2 && (!w || strcmp(w, "devices") != 0))
        return ts__cli_usage("list", "only 'list devices' takes a FILE, found '%s'", argv[2]);
    if (argc > 3)
        return ts__cli_usage("list", "list devices takes one FILE, found also '%s'", argv[3]);
    for (size_t i = 0; i < n_kinds; i++)
        if (!w || k == i)
            cli_list_kind(kinds[i]);
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
