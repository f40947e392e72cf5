/* SPDX-License-Identifier: MIT */
/*
 * cost.c - the cost model (see cost.h): price schemas, the embedded price table and the bill.
 *
 * The table is a YAML map of shared rows and one of dated profiles, each with its rows
 * (prices.yaml, embedded by cmake/embed.cmake); a table is made for one profile, its rows
 * replacing shared and fallback rows of the same name. Each row keeps the mask of the keys
 * it lists, so a device's defaults are its kind's row with its own row laid over it key by
 * key. The bill reads the scenario's prices and the result's counters only, so tests
 * compute it from hand-made results.
 */
#include "cost.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "device.h"
#include "device_internal.h"
#include "util/mem.h"
#include "result.h"
#include "util/units.h"
#include "util/yamltree.h"

#define COST_HOUR_NS 3.6e12
#define COST_MONTH_H 730.0 /* 8760 h / 12, as sim/util/units.c reads GB-month prices */

const char *const ts_cost_period_names[TS_COST_PERIOD_COUNT_] = {"cost.period", "simulated time",
                                                                 "trace span"};

/* ---- schemas ---- */

#define PRICE_F(f) offsetof(ts_price_t, f)

/* In scope order: the first COST_TIER_KEYS keys for tiers, COST_BACKING_KEYS for the central
 * store, all for the price table. */
static const ts_param_spec_t k_price_schema[] = {
    {"purchase", TS_PT_PRICE_GB, PRICE_F(purchase_usd_gb), 0, 0, 1e9, "0",
     "price paid per GB of capacity, amortised over lifetime", NULL},
    {"lifetime", TS_PT_DURATION, PRICE_F(lifetime_ns), 0, 1e9, 3.1536e19, "5y",
     "years of service the purchase is spread over", NULL},
    {"storage", TS_PT_PRICE_GB_MONTH, PRICE_F(storage_usd_gb_month), 0, 0, 1e9, "0",
     "rent per GB-month of capacity", NULL},
    {"power", TS_PT_POWER, PRICE_F(power_w), 0, 0, 1e9, "0",
     "watts the level draws, billed at cost.electricity", NULL},
    {"capacity", TS_PT_SIZE, PRICE_F(capacity_bytes), 0, 0, 1.8e19, "0",
     "capacity billed (0: the tier's capacity; the central store: the workload's footprint)",
     NULL},
    {"get", TS_PT_PRICE_REQUEST, PRICE_F(get_usd), 0, 0, 1e3, "0",
     "price of a read request", NULL},
    {"put", TS_PT_PRICE_REQUEST, PRICE_F(put_usd), 0, 0, 1e3, "0",
     "price of a write request", NULL},
    {"egress", TS_PT_PRICE_GB, PRICE_F(egress_usd_gb), 0, 0, 1e9, "0",
     "price per GB read out", NULL},
    {"ingress", TS_PT_PRICE_GB, PRICE_F(ingress_usd_gb), 0, 0, 1e9, "0",
     "price per GB written in", NULL},
    {"gpu_price", TS_PT_PRICE_HOUR, PRICE_F(gpu_usd_hour), 0, 0, 1e9, "0",
     "rent of the GPU whose HBM this is, per GPU-hour", NULL},
};

#define COST_TIER_KEYS 5
#define COST_BACKING_KEYS 9

const ts_param_spec_t *ts_price_schema(ts_price_scope_t scope, size_t *n)
{
    *n = scope == TS_PRICE_TIER      ? COST_TIER_KEYS
         : scope == TS_PRICE_BACKING ? COST_BACKING_KEYS
                                     : TS_PARAM_COUNT(k_price_schema);
    return k_price_schema;
}

#define COST_F(f) offsetof(ts_cost_spec_t, f)

static const ts_param_spec_t k_cost_schema[] = {
    {"enabled", TS_PT_BOOL, COST_F(is_enabled), 0, 1, 0, "true",
     "compute the bill and show it in every report", NULL},
    {"gpus", TS_PT_COUNT, COST_F(gpus), 0, 0, 1e9, "0",
     "GPUs billed (0: the timed engine's closed-loop clients, else the workload's "
     "accelerators, else none)",
     NULL},
    {"gpu", TS_PT_STRING, COST_F(gpu), TS_DEV_NAME, 1, 0, "",
     "the GPU whose price-table row gives gpu_price (\"\": the first tier on a GPU's HBM)",
     NULL},
    {"gpu_price", TS_PT_PRICE_HOUR, COST_F(gpu_usd_hour), 0, 0, 1e9, "0",
     "rent per GPU-hour (default: the GPU's row of the price table)", NULL},
    {"gpu_power", TS_PT_POWER, COST_F(gpu_power_w), 0, 0, 1e9, "0",
     "watts per GPU, billed at electricity", NULL},
    {"electricity", TS_PT_PRICE_KWH, COST_F(electricity_usd_kwh), 0, 0, 1e6, "0",
     "price of energy (0: power is not billed)", NULL},
    {"period", TS_PT_DURATION, COST_F(period_ns), 0, 0, 1.8e19, "0",
     "billing period (0: the simulated span: timed engine, or first to last request)", NULL},
};

const ts_param_spec_t *ts_cost_schema(size_t *n)
{
    *n = TS_PARAM_COUNT(k_cost_schema);
    return k_cost_schema;
}

/* ---- the price table ---- */

typedef struct cost_row {
    ts_price_t p;                 /* name in p.row, its profile's in p.profile */
    uint32_t mask;                /* bit i: the row lists k_price_schema[i] */
    char date[TS_PRICE_DATE];     /* when it was read ("" not said) */
    char source[TS_PRICE_SOURCE]; /* where */
} cost_row_t;

/* Every row and profile of the embedded files, then the rows of the profile chosen. */
struct ts_price_table {
    cost_row_t *all; /* shared rows (profile "") and every profile's, in file order */
    size_t n_all, cap_all;
    ts_price_profile_t *profiles;
    size_t n_profiles, cap_profiles;
    size_t chosen;   /* index into profiles */
    cost_row_t *rows; /* the chosen profile's table: n rows, each name once */
    size_t n;
};

#define COST_MAX_CHAIN 8 /* a profile and its fallbacks, at most */

/* TS_EINTERNAL naming the embedded file's position: the table ships with the binary. */
static int table_fail(ts_err_t *err, const char *file, ts_ymark_t m, const char *path,
                      const char *msg)
{
    ts_err_set(err, TS_EINTERNAL, "embedded price table: %s", msg);
    ts_ymark_where(err, file, m, path);
    return TS_EINTERNAL;
}

/* A scalar string into buf (size bytes); false when it is not one or does not fit. */
static bool table_text(const ts_ynode_t *n, char *buf, size_t size)
{
    if (n->kind != TS_Y_SCALAR || n->is_null)
        return false;
    int k = snprintf(buf, size, "%s", n->value);
    return k >= 0 && (size_t)k < size;
}

static int table_row(cost_row_t *row, const ts_ynode_t *e, const char *profile,
                     const char *file, ts_err_t *err)
{
    char path[2 * TS_PRICE_ROW + 40];
    snprintf(path, sizeof(path), "%s%s%s.%s", profile[0] ? "profiles." : "prices", profile,
             profile[0] ? ".prices" : "", e->key);
    if (strlen(e->key) >= TS_PRICE_ROW || e->kind != TS_Y_MAP)
        return table_fail(err, file, e->mark, path, "expected a row name and a map of prices");
    memset(row, 0, sizeof(*row));
    int rc = ts_param_defaults(k_price_schema, TS_PARAM_COUNT(k_price_schema), &row->p,
                               sizeof(row->p), err);
    if (rc)
        return rc;
    memcpy(row->p.row, e->key, strlen(e->key) + 1);
    snprintf(row->p.profile, sizeof(row->p.profile), "%s", profile);
    for (const ts_ynode_t *f = e->child; f; f = f->next) {
        bool is_date = strcmp(f->key, "date") == 0, is_source = strcmp(f->key, "source") == 0;
        if (is_date || is_source) {
            if (!table_text(f, is_date ? row->date : row->source,
                            is_date ? sizeof(row->date) : sizeof(row->source)))
                return table_fail(err, file, f->mark, path, "date or source too long");
            continue;
        }
        const ts_param_spec_t *ps =
            ts_param_find(k_price_schema, TS_PARAM_COUNT(k_price_schema), f->key);
        if (!ps || f->kind != TS_Y_SCALAR ||
            ts_param_set(k_price_schema, TS_PARAM_COUNT(k_price_schema), &row->p, f->key,
                         f->value, err) != 0)
            return table_fail(err, file, f->mark, path, "not a price key and value");
        row->mask |= 1u << (ps - k_price_schema);
    }
    return 0;
}

/* Appends the rows of map (shared rows: profile "") to t->all. */
static int table_rows(ts_price_table_t *t, const ts_ynode_t *map, const char *profile,
                      const char *file, ts_err_t *err)
{
    size_t need = t->n_all + map->n_children;
    if (need > t->cap_all) {
        cost_row_t *all = ts_realloc(t->all, need * sizeof(*all));
        if (!all)
            return ts_err_set(err, TS_ENOMEM, "out of memory loading the price table");
        t->all = all;
        t->cap_all = need;
    }
    int rc = 0;
    for (const ts_ynode_t *e = map->child; e && rc == 0; e = e->next)
        if ((rc = table_row(&t->all[t->n_all], e, profile, file, err)) == 0)
            t->n_all++;
    return rc;
}

/* One entry of `profiles:`: its date, source, fallback, whether it is the default, and its
 * rows. */
static int table_profile(ts_price_table_t *t, const ts_ynode_t *e, const char *file,
                         ts_err_t *err)
{
    char path[TS_PRICE_ROW + 40];
    snprintf(path, sizeof(path), "profiles.%s", e->key);
    if (t->n_profiles == t->cap_profiles) {
        size_t cap = t->cap_profiles ? 2 * t->cap_profiles : 4;
        ts_price_profile_t *p = ts_realloc(t->profiles, cap * sizeof(*p));
        if (!p)
            return ts_err_set(err, TS_ENOMEM, "out of memory loading the price table");
        t->profiles = p;
        t->cap_profiles = cap;
    }
    ts_price_profile_t *p = &t->profiles[t->n_profiles];
    memset(p, 0, sizeof(*p));
    const ts_ynode_t *rows = e->kind == TS_Y_MAP ? ts_ynode_get(e, "prices") : NULL;
    if (strlen(e->key) >= sizeof(p->name) || !rows || rows->kind != TS_Y_MAP)
        return table_fail(err, file, e->mark, path, "expected a profile name and a map with "
                                                    "date, source and prices");
    memcpy(p->name, e->key, strlen(e->key) + 1);
    for (const ts_ynode_t *f = e->child; f; f = f->next) {
        bool is_ok = f == rows;
        if (!strcmp(f->key, "date"))
            is_ok = table_text(f, p->date, sizeof(p->date));
        else if (!strcmp(f->key, "source"))
            is_ok = table_text(f, p->source, sizeof(p->source));
        else if (!strcmp(f->key, "fallback"))
            is_ok = table_text(f, p->fallback, sizeof(p->fallback));
        else if (!strcmp(f->key, "default"))
            is_ok = p->is_default = f->kind == TS_Y_SCALAR && !strcmp(f->value, "true");
        if (!is_ok)
            return table_fail(err, file, f->mark, path,
                              "expected date, source, fallback, default: true or prices");
    }
    if (!p->date[0] || !p->source[0])
        return table_fail(err, file, e->mark, path, "a profile needs its date and source");
    t->n_profiles++;
    return table_rows(t, rows, p->name, file, err);
}

static int table_parse(ts_price_table_t *t, const ts__dev_preset_t *text, ts_err_t *err)
{
    ts_ytree_t *tree = NULL;
    int rc = ts_ytree_parse(text->text, text->len, text->file, &tree, err);
    if (rc)
        return rc == TS_ENOMEM ? rc : TS_EINTERNAL;
    const ts_ynode_t *root = ts_ytree_root(tree);
    const ts_ynode_t *rows = ts_ynode_get(root, "prices");
    const ts_ynode_t *profiles = ts_ynode_get(root, "profiles");
    ts_ymark_t top = {1, 1, NULL};
    if (!rows || rows->kind != TS_Y_MAP || (profiles && profiles->kind != TS_Y_MAP) ||
        root->n_children != 1 + (profiles != NULL))
        rc = table_fail(err, text->file, top, "", "expected the maps prices: and profiles:");
    if (rc == 0)
        rc = table_rows(t, rows, "", text->file, err);
    for (const ts_ynode_t *e = profiles ? profiles->child : NULL; e && rc == 0; e = e->next)
        rc = table_profile(t, e, text->file, err);
    ts_ytree_destroy(tree);
    return rc;
}

static long table_profile_index(const ts_price_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->n_profiles; i++)
        if (strcmp(t->profiles[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Every fallback names a profile, no chain is longer than COST_MAX_CHAIN, one profile is the
 * default. */
static int table_check(const ts_price_table_t *t, ts_err_t *err)
{
    size_t n_default = 0;
    for (size_t i = 0; i < t->n_profiles; i++) {
        const ts_price_profile_t *p = &t->profiles[i];
        n_default += p->is_default;
        size_t depth = 0;
        for (long k = (long)i; k >= 0 && t->profiles[k].fallback[0]; depth++) {
            k = table_profile_index(t, t->profiles[k].fallback);
            if (k < 0 || depth == COST_MAX_CHAIN)
                return ts_err_set(err, TS_EINTERNAL,
                                  "embedded price table: profile '%s' falls back to %s",
                                  p->name, k < 0 ? "an unknown profile" : "itself");
        }
    }
    if (n_default != 1)
        return ts_err_set(err, TS_EINTERNAL,
                          "embedded price table: %zu profiles are marked default, not one",
                          n_default);
    return 0;
}

static cost_row_t *table_row_named(const ts_price_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].p.row, name) == 0)
            return &t->rows[i];
    return NULL;
}

/* The table of profile `chosen`: the shared rows, then the rows of its fallbacks (farthest
 * first), then its own, each replacing a row of the same name. */
static int table_resolve(ts_price_table_t *t, ts_err_t *err)
{
    long chain[COST_MAX_CHAIN + 1];
    size_t depth = 0;
    for (long k = (long)t->chosen; k >= 0 && depth <= COST_MAX_CHAIN;
         k = table_profile_index(t, t->profiles[k].fallback))
        chain[depth++] = k;
    if (!(t->rows = ts_calloc(t->n_all ? t->n_all : 1, sizeof(*t->rows))))
        return ts_err_set(err, TS_ENOMEM, "out of memory loading the price table");
    for (size_t d = depth + 1; d-- > 0;) {
        const char *profile = d == depth ? "" : t->profiles[chain[d]].name;
        for (size_t i = 0; i < t->n_all; i++) {
            if (strcmp(t->all[i].p.profile, profile) != 0)
                continue;
            cost_row_t *r = table_row_named(t, t->all[i].p.row);
            *(r ? r : &t->rows[t->n++]) = t->all[i];
        }
    }
    return 0;
}

int ts_price_table_create(const char *prices, ts_price_table_t **out, ts_err_t *err)
{
    *out = NULL;
    ts_price_table_t *t = ts_calloc(1, sizeof(*t));
    if (!t)
        return ts_err_set(err, TS_ENOMEM, "out of memory loading the price table");
    int rc = 0;
    for (size_t i = 0; i < ts__price_presets_count && rc == 0; i++)
        rc = table_parse(t, &ts__price_presets[i], err);
    if (rc == 0)
        rc = table_check(t, err);
    if (rc == 0 && prices && prices[0]) {
        const char *names[32];
        size_t n = 0;
        for (size_t i = 0; i < t->n_profiles && n < 32; i++)
            names[n++] = t->profiles[i].name;
        long k = ts_name_index("price profile", prices, names, n, err);
        if (k < 0)
            rc = TS_ENOENT;
        else
            t->chosen = (size_t)k;
    } else if (rc == 0) {
        while (t->chosen < t->n_profiles && !t->profiles[t->chosen].is_default)
            t->chosen++; /* table_check found exactly one */
    }
    if (rc == 0)
        rc = table_resolve(t, err);
    if (rc) {
        ts_price_table_destroy(t);
        return rc;
    }
    *out = t;
    return 0;
}

void ts_price_table_destroy(ts_price_table_t *t)
{
    if (!t)
        return;
    ts_free(t->rows);
    ts_free(t->all);
    ts_free(t->profiles);
    ts_free(t);
}

size_t ts_price_table_count(const ts_price_table_t *t)
{
    return t->n;
}

const ts_price_t *ts_price_table_at(const ts_price_table_t *t, size_t i)
{
    return i < t->n ? &t->rows[i].p : NULL;
}

const char *ts_price_table_source(const ts_price_table_t *t, size_t i)
{
    return i < t->n ? t->rows[i].source : "";
}

const char *ts_price_table_date(const ts_price_table_t *t, size_t i)
{
    return i < t->n ? t->rows[i].date : "";
}

const ts_price_profile_t *ts_price_table_profile(const ts_price_table_t *t)
{
    return &t->profiles[t->chosen];
}

size_t ts_price_profile_count(const ts_price_table_t *t)
{
    return t->n_profiles;
}

const ts_price_profile_t *ts_price_profile_at(const ts_price_table_t *t, size_t i)
{
    return i < t->n_profiles ? &t->profiles[i] : NULL;
}

const ts_price_t *ts_price_table_find(const ts_price_table_t *t, const char *name)
{
    const cost_row_t *r = table_row_named(t, name);
    return r ? &r->p : NULL;
}

/* Copies the keys row lists into out (every field of ts_price_t's schema is 8 bytes). */
_Static_assert(sizeof(double) == sizeof(uint64_t), "price fields are 8 bytes");

static void table_apply(const cost_row_t *row, ts_price_t *out)
{
    if (!row)
        return;
    for (size_t i = 0; i < TS_PARAM_COUNT(k_price_schema); i++)
        if (row->mask & (1u << i))
            memcpy((char *)out + k_price_schema[i].offset,
                   (const char *)&row->p + k_price_schema[i].offset, sizeof(double));
    snprintf(out->row, sizeof(out->row), "%s", row->p.row);
    snprintf(out->profile, sizeof(out->profile), "%s", row->p.profile);
}

void ts_price_table_lookup(const ts_price_table_t *t, const char *name, int kind,
                           ts_price_t *out)
{
    ts_param_defaults(k_price_schema, TS_PARAM_COUNT(k_price_schema), out, sizeof(*out), NULL);
    char kind_row[TS_PRICE_ROW];
    snprintf(kind_row, sizeof(kind_row), "kind:%s", ts_dev_kind_name(kind));
    table_apply(table_row_named(t, kind_row), out);
    const char *x = strchr(name, 'x');
    if (strncmp(name, "raid0:", 6) == 0 && x)
        name = x + 1; /* raid0:<n>x<drive>: the drive's price per GB */
    table_apply(table_row_named(t, name), out);
}

/* ---- the bill ---- */

static double cost_per(double usd, double units)
{
    return units > 0 ? usd / units : 0;
}

/* Capacity billed for tier i: as given, else its capacity in bytes (objects mode: times the
 * mean object size of the footprint, else of the requests). */
static uint64_t cost_tier_bytes(const ts_result_t *res, const ts_price_t *p, size_t i,
                                bool *is_estimated)
{
    *is_estimated = false;
    if (p->capacity_bytes || res->mode == TS_MODE_BYTES)
        return p->capacity_bytes ? p->capacity_bytes : res->tiers[i].capacity;
    const ts_totals_t *to = &res->totals;
    double mean = res->footprint_objects
                      ? (double)res->footprint_bytes / (double)res->footprint_objects
                      : cost_per((double)to->bytes_req, (double)(to->n_get + to->n_put));
    *is_estimated = true;
    return (uint64_t)llround((double)res->tiers[i].capacity * mean);
}

static void cost_level(ts_cost_level_t *l, const ts_price_t *p, uint64_t bytes, double hours)
{
    l->price = *p;
    l->billed_bytes = bytes;
    double gb = (double)bytes / 1e9;
    double amortised = p->lifetime_ns ? p->purchase_usd_gb * COST_HOUR_NS / (double)p->lifetime_ns
                                      : 0;
    l->capacity_usd = gb * hours * (amortised + p->storage_usd_gb_month / COST_MONTH_H);
}

static void cost_period(const ts_cost_spec_t *spec, const ts_result_t *res, ts_cost_result_t *out)
{
    const ts_totals_t *to = &res->totals;
    if (spec->period_ns) {
        out->period_ns = spec->period_ns;
        out->period_from = TS_COST_PERIOD_SET;
    } else if (res->has_timed) {
        out->period_ns = res->timed.span_ns;
        out->period_from = TS_COST_PERIOD_TIMED;
    } else {
        out->period_ns = to->last_ns > to->first_ns ? to->last_ns - to->first_ns : 0;
        out->period_from = TS_COST_PERIOD_TRACE;
    }
}

/* GPUs: as set, else the closed loop's clients, else the workload's accelerators. */
static void cost_gpus(const ts_cost_spec_t *spec, const ts_result_t *res, double hours,
                      ts_cost_result_t *out)
{
    const ts_timed_result_t *t = &res->timed;
    bool is_closed = res->has_timed && t->arrivals == TS_ARRIVALS_CLOSED && t->clients;
    out->gpus = spec->gpus ? spec->gpus : is_closed ? t->clients : res->units.gpus;
    out->gpus_from = spec->gpus   ? "cost.gpus"
                     : is_closed     ? "timed.clients"
                     : out->gpus     ? "workload"
                                     : "none";
    out->gpu_usd_hour = spec->gpu_usd_hour;
    out->gpu_usd = (double)out->gpus * hours * out->gpu_usd_hour;
    if (is_closed && t->span_ns) {
        out->has_stall = true;
        double share = (double)t->stall_ns / ((double)t->clients * (double)t->span_ns);
        out->stall_share = share < 1 ? share : 1;
        out->stall_usd = out->gpu_usd * out->stall_share;
    }
}

static void cost_normalise(const ts_result_t *res, ts_cost_result_t *out)
{
    const ts_totals_t *to = &res->totals;
    double total = out->total_usd;
    out->n_requests = to->n_get + to->n_put + to->n_delete;
    out->usd_per_m_requests = cost_per(total, (double)out->n_requests / 1e6);
    out->epochs = res->units.epochs;
    out->usd_per_epoch = cost_per(total, out->epochs);
    out->tokens = res->units.tokens;
    if (!out->tokens && res->has_timed) {
        out->tokens = res->timed.prefill_tokens_saved + res->timed.prefill_tokens_recomputed;
        out->is_prefill_tokens = out->tokens > 0;
    }
    out->usd_per_m_tokens = cost_per(total, (double)out->tokens / 1e6);
    out->sessions = res->units.sessions;
    out->usd_per_session = cost_per(total, (double)out->sessions);
}

/* The bill's strings and its array of levels (tiers, then the backing store). */
static int cost_alloc(const ts_cost_spec_t *spec, const ts_result_t *res, ts_cost_result_t *out,
                      ts_err_t *err)
{
    size_t n = res->n_tiers;
    int rc = 0;
    if (!(out->level = ts_calloc(n + 1, sizeof(*out->level))))
        rc = TS_ENOMEM;
    else
        out->n_levels = n + 1;
    for (size_t i = 0; rc == 0 && i <= n; i++)
        rc = ts_result_strf(&out->level[i].name, TS_COST_LEVEL_NAME, NULL, "%s",
                            i < n ? ts_str(res->tiers[i].name) : "backing");
    if (rc == 0)
        rc = ts_result_strf(&out->gpu, sizeof(spec->gpu), NULL, "%s", spec->gpu);
    if (rc == 0)
        rc = ts_result_strf(&out->gpu_fallback, sizeof(spec->gpu_fallback), NULL, "%s",
                            spec->gpu_fallback);
    if (rc == 0)
        rc = ts_result_strf(&out->prices, sizeof(spec->prices), NULL, "%s", spec->prices);
    if (rc == 0)
        rc = ts_result_strf(&out->prices_date, sizeof(spec->prices_date), NULL, "%s",
                            spec->prices_date);
    if (rc) {
        ts_cost_result_release(out);
        return ts_err_set(err, TS_ENOMEM, "cannot hold the bill of %zu levels", n + 1);
    }
    return 0;
}

void ts_cost_result_release(ts_cost_result_t *c)
{
    for (size_t i = 0; c->level && i < c->n_levels; i++)
        ts_free(c->level[i].name);
    ts_free(c->level);
    ts_free(c->gpu);
    ts_free(c->gpu_fallback);
    ts_free(c->prices);
    ts_free(c->prices_date);
    c->level = NULL;
    c->n_levels = 0;
    c->gpu = c->gpu_fallback = c->prices = c->prices_date = NULL;
}

int ts_cost_compute(const ts_cost_spec_t *spec, const ts_result_t *res, ts_cost_result_t *out,
                    ts_err_t *err)
{
    memset(out, 0, sizeof(*out));
    int rc = cost_alloc(spec, res, out, err);
    if (rc)
        return rc;
    cost_period(spec, res, out);
    double hours = (double)out->period_ns / COST_HOUR_NS;
    size_t n = res->n_tiers;
    double watts = 0;
    for (size_t i = 0; i < n; i++) {
        ts_cost_level_t *l = &out->level[i];
        const ts_price_t *p = &spec->tier[i];
        cost_level(l, p, cost_tier_bytes(res, p, i, &l->is_estimated), hours);
        watts += p->power_w;
    }
    const ts_price_t *b = &spec->backing;
    ts_cost_level_t *bl = &out->level[n];
    cost_level(bl, b, b->capacity_bytes ? b->capacity_bytes : res->footprint_bytes, hours);
    watts += b->power_w;
    for (size_t i = 0; i <= n; i++)
        out->capacity_usd += out->level[i].capacity_usd;

    static const ts_link_stats_t none; /* a result without tiers moved nothing */
    const ts_link_stats_t *last = n && res->hier.link ? &res->hier.link[n - 1] : &none;
    out->n_get = last->n_up;
    out->n_put = last->n_down;
    out->bytes_out = last->bytes_up;
    out->bytes_in = last->bytes_down;
    if (res->has_timed) { /* KV blocks the GPU recomputed were never fetched */
        const ts_timed_result_t *t = &res->timed;
        out->n_get -= t->kv_recomputed < out->n_get ? t->kv_recomputed : out->n_get;
        out->bytes_out -=
            t->kv_recomputed_bytes < out->bytes_out ? t->kv_recomputed_bytes : out->bytes_out;
    }
    out->get_usd = (double)out->n_get * b->get_usd;
    out->put_usd = (double)out->n_put * b->put_usd;
    out->requests_usd = out->get_usd + out->put_usd;
    out->egress_usd = (double)out->bytes_out / 1e9 * b->egress_usd_gb;
    out->ingress_usd = (double)out->bytes_in / 1e9 * b->ingress_usd_gb;
    out->transfer_usd = out->egress_usd + out->ingress_usd;

    cost_gpus(spec, res, hours, out);
    out->power_w = watts + (double)out->gpus * spec->gpu_power_w;
    out->electricity_usd_kwh = spec->electricity_usd_kwh;
    out->energy_kwh = out->power_w * hours / 1000;
    out->power_usd = out->energy_kwh * out->electricity_usd_kwh;
    out->total_usd = out->capacity_usd + out->requests_usd + out->transfer_usd + out->gpu_usd +
                     out->power_usd;
    cost_normalise(res, out);
    return 0;
}

bool ts_cost_needs_footprint(const ts_cost_spec_t *spec)
{
    const ts_price_t *b = &spec->backing;
    return spec->is_enabled && !b->capacity_bytes &&
           (b->storage_usd_gb_month > 0 || b->purchase_usd_gb > 0);
}
