/* SPDX-License-Identifier: MIT */
/*
 * csv.c - tiers.csv: a header line, one row per tier (top first) and a "total" row last;
 * and cost.csv: the bill, one line item per row (item, level, quantity, unit, price, usd).
 *
 * Reads a ts_result_t only. Columns are documented in docs/results.md and never reordered
 * within a schema; numbers are plain decimal (no units, no grouping), ratios have nine
 * decimals, text fields are quoted per RFC 4180 when they hold a comma, a quote or a line
 * break. Lines end in "\n". No wall-clock figure: the file is deterministic.
 * Cost: O(tiers); no allocation.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../sim/util/units.h"
#include "../sim/util/fmt.h"

#define CSV_WHAT "csv"
#define CSV_RATIO_DECIMALS 9

static const char csv_header[] =
    "tier,policy,params,capacity,capacity_unit,requests,hits,misses,miss_ratio,"
    "byte_miss_ratio,bytes_requested,bytes_hit,bytes_missed,gets,puts,deletes,insertions,"
    "evictions,too_large,removed,bytes_in,bytes_out,used_peak,objects_end,used_end,"
    "admission,refused,promotions_in,promotions_out,demotions_in,demotions_out,"
    "back_invalidations,writebacks,writeback_bytes,prefetched,prefetched_bytes,"
    "link_transfers_up,link_bytes_up,link_transfers_down,link_bytes_down\n";

/* One row's values; has_used_peak is false on the total row, where a sum of peaks reached
 * at different times would not be a peak. */
typedef struct csv_row {
    const char *tier, *policy, *params;
    size_t tier_size, policy_size, params_size; /* bounds of the fixed-size fields */
    uint64_t capacity, requests, hits, misses;
    double miss_ratio, byte_miss_ratio;
    uint64_t bytes_requested, bytes_hit, bytes_missed, gets, puts, deletes;
    uint64_t insertions, evictions, too_large, removed, bytes_in, bytes_out;
    bool has_used_peak;
    uint64_t used_peak, objects_end, used_end;
    const char *admit; /* admission filter; "" on the total row */
    size_t admit_size;
    uint64_t hier[14]; /* refused .. link_bytes_down, in header order (CSV_HIER_COLS) */
} csv_row_t;

#define CSV_HIER_COLS 14

static uint64_t csv_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b; /* saturate rather than wrap */
}

/* A text field followed by a comma, quoted when RFC 4180 requires it. */
static int csv_text(FILE *out, ts_err_t *err, const char *s, size_t size)
{
    int rc = ts_out_csv_field(out, err, CSV_WHAT, s, size);
    return rc ? rc : ts_out_printf(out, err, CSV_WHAT, ",");
}

static int csv_u64(FILE *out, ts_err_t *err, uint64_t v, const char *sep)
{
    return ts_out_printf(out, err, CSV_WHAT, "%llu%s", (unsigned long long)v, sep);
}

static int csv_write_row(FILE *out, ts_err_t *err, const ts_result_t *res, const csv_row_t *r)
{
    char a[TS_FMT_LEN], b[TS_FMT_LEN];
    int rc = csv_text(out, err, r->tier, r->tier_size);
    if (!rc)
        rc = csv_text(out, err, r->policy, r->policy_size);
    if (!rc)
        rc = csv_text(out, err, r->params, r->params_size);
    if (!rc)
        rc = ts_out_printf(out, err, CSV_WHAT, "%llu,%s,%llu,%llu,%llu,%s,%s,",
                            (unsigned long long)r->capacity, ts_mode_name(res->mode),
                            (unsigned long long)r->requests, (unsigned long long)r->hits,
                            (unsigned long long)r->misses,
                            ts_fmt_fixed(r->miss_ratio, CSV_RATIO_DECIMALS, a, sizeof(a)),
                            ts_fmt_fixed(r->byte_miss_ratio, CSV_RATIO_DECIMALS, b, sizeof(b)));
    const uint64_t mid[] = {r->bytes_requested, r->bytes_hit, r->bytes_missed, r->gets,
                            r->puts,            r->deletes,   r->insertions,   r->evictions,
                            r->too_large,       r->removed,   r->bytes_in,     r->bytes_out};
    for (size_t i = 0; i < sizeof(mid) / sizeof(mid[0]) && !rc; i++)
        rc = csv_u64(out, err, mid[i], ",");
    if (!rc)
        rc = r->has_used_peak ? csv_u64(out, err, r->used_peak, ",")
                              : ts_out_printf(out, err, CSV_WHAT, ",");
    if (!rc)
        rc = csv_u64(out, err, r->objects_end, ",");
    if (!rc)
        rc = csv_u64(out, err, r->used_end, ",");
    if (!rc)
        rc = csv_text(out, err, r->admit, r->admit_size);
    for (size_t i = 0; i < CSV_HIER_COLS && !rc; i++)
        rc = csv_u64(out, err, r->hier[i], i + 1 < CSV_HIER_COLS ? "," : "\n");
    return rc;
}

/* The hierarchy columns of tier i: its traffic, then the link below it. */
static void csv_hier_cols(const ts_result_t *res, size_t i, uint64_t *v)
{
    const ts_tier_stats_t *st = &res->tiers[i].st;
    const ts_link_stats_t *l = &res->hier.link[i];
    const uint64_t cols[CSV_HIER_COLS] = {
        st->n_refused,     st->n_promote_in,  st->n_promote_out,    st->n_demote_in,
        st->n_demote_out,  st->n_backinval,   st->n_writeback,      st->bytes_writeback,
        st->n_prefetch_in, st->bytes_prefetch_in, l->n_up,          l->bytes_up,
        l->n_down,         l->bytes_down};
    memcpy(v, cols, sizeof(cols));
}

static void csv_tier_row(const ts_result_t *res, size_t i, csv_row_t *r)
{
    const ts_tier_result_t *t = &res->tiers[i];
    const ts_tier_stats_t *st = &t->st;
    *r = (csv_row_t){
        .tier = ts_str(t->name), .tier_size = TS_TIER_NAME,
        .policy = ts_str(t->policy), .policy_size = TS_TIER_POLICY,
        .params = ts_str(t->params), .params_size = TS_TIER_PARAMS,
        .capacity = t->capacity, .requests = st->n_req, .hits = st->n_hit,
        .misses = st->n_miss, .miss_ratio = ts_tier_miss_ratio(t),
        .byte_miss_ratio = ts_tier_byte_miss_ratio(t), .bytes_requested = st->bytes_req,
        .bytes_hit = st->bytes_hit, .bytes_missed = st->bytes_miss, .gets = st->n_get,
        .puts = st->n_put, .deletes = st->n_delete, .insertions = st->n_insert,
        .evictions = st->n_evict, .too_large = st->n_too_large, .removed = st->n_removed,
        .bytes_in = st->bytes_in, .bytes_out = st->bytes_out, .has_used_peak = true,
        .used_peak = st->used_peak, .objects_end = t->n_objects, .used_end = t->used,
        .admit = ts_str(t->admit)[0] ? t->admit : "always", .admit_size = TS_TIER_ADMIT,
    };
    csv_hier_cols(res, i, r->hier);
}

/* The hierarchy as a whole: request figures from the totals (a hit is a request served by
 * some tier, a miss one that no tier served), tier-local figures summed over the tiers. */
static void csv_total_row(const ts_result_t *res, csv_row_t *r)
{
    const ts_totals_t *to = &res->totals;
    uint64_t misses = to->n_req > to->n_hit ? to->n_req - to->n_hit : 0;
    uint64_t bytes_missed = to->bytes_req > to->bytes_hit ? to->bytes_req - to->bytes_hit : 0;
    *r = (csv_row_t){
        .tier = "total", .tier_size = sizeof("total"),
        .policy = "", .policy_size = 1,
        .params = "", .params_size = 1,
        .requests = to->n_req, .hits = to->n_hit, .misses = misses,
        .miss_ratio = ts_ratio(misses, to->n_req),
        .byte_miss_ratio = ts_ratio(bytes_missed, to->bytes_req),
        .bytes_requested = to->bytes_req, .bytes_hit = to->bytes_hit,
        .bytes_missed = bytes_missed, .gets = to->n_get, .puts = to->n_put,
        .deletes = to->n_delete, .has_used_peak = false, .admit = "", .admit_size = 1,
    };
    for (size_t i = 0; i < res->n_tiers; i++) {
        const ts_tier_result_t *t = &res->tiers[i];
        r->capacity = csv_add(r->capacity, t->capacity);
        r->insertions = csv_add(r->insertions, t->st.n_insert);
        r->evictions = csv_add(r->evictions, t->st.n_evict);
        r->too_large = csv_add(r->too_large, t->st.n_too_large);
        r->removed = csv_add(r->removed, t->st.n_removed);
        r->bytes_in = csv_add(r->bytes_in, t->st.bytes_in);
        r->bytes_out = csv_add(r->bytes_out, t->st.bytes_out);
        r->objects_end = csv_add(r->objects_end, t->n_objects);
        r->used_end = csv_add(r->used_end, t->used);
        uint64_t v[CSV_HIER_COLS];
        csv_hier_cols(res, i, v);
        for (size_t k = 0; k < CSV_HIER_COLS; k++)
            r->hier[k] = csv_add(r->hier[k], v[k]);
    }
}

int ts_report_csv(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    if (!res || !out || res->n_tiers > TS_MAX_TIERS)
        return ts_err_set(err, TS_EINVAL, "csv: bad arguments");
    csv_row_t row;
    int rc = ts_out_printf(out, err, CSV_WHAT, "%s", csv_header);
    for (size_t i = 0; i < res->n_tiers && !rc; i++) {
        csv_tier_row(res, i, &row);
        rc = csv_write_row(out, err, res, &row);
    }
    if (!rc) {
        csv_total_row(res, &row);
        rc = csv_write_row(out, err, res, &row);
    }
    return rc ? rc : ts_out_finish(out, err, CSV_WHAT);
}

/* ---- cost.csv ---- */

static const char csv_cost_header[] = "item,level,quantity,unit,price,usd\n";

/* A real: whole numbers as plain integers ("873616"), others in their shortest exact form
 * ("0.35", "1.2e-08"), '.' as decimal point. */
static const char *csv_real(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else
        ts_format_real(v, buf, size);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
    return buf;
}

/* One line item; has_price false leaves the price empty (capacity mixes purchase and rent). */
static int csv_cost_row(FILE *out, ts_err_t *err, const char *item, const char *level,
                        size_t level_size, double quantity, const char *unit, bool has_price,
                        double price, double usd)
{
    char q[TS_FMT_LEN], p[TS_FMT_LEN], u[TS_FMT_LEN];
    int rc = ts_out_printf(out, err, CSV_WHAT, "%s,", item);
    if (!rc)
        rc = csv_text(out, err, level, level_size);
    if (!rc)
        rc = ts_out_printf(out, err, CSV_WHAT, "%s,%s,%s,%s\n", csv_real(quantity, q, sizeof(q)),
                            unit, has_price ? csv_real(price, p, sizeof(p)) : "",
                            csv_real(usd, u, sizeof(u)));
    return rc;
}

/* A normalised figure, written only when the workload counted its unit. */
static int csv_cost_per(FILE *out, ts_err_t *err, const char *item, double units,
                        const char *unit, double usd)
{
    return units > 0 ? csv_cost_row(out, err, item, "", 1, units, unit, false, 0, usd) : 0;
}

int ts_report_cost_csv(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    if (!res || !out || !res->has_cost || res->cost.n_levels == 0 || !res->cost.level ||
        res->cost.n_levels > TS_MAX_TIERS + 1)
        return ts_err_set(err, TS_EINVAL, "cost csv: bad arguments");
    const ts_cost_result_t *c = &res->cost;
    const ts_cost_level_t *b = &c->level[c->n_levels - 1];
    double hours = (double)c->period_ns / 3.6e12;
    int rc = ts_out_printf(out, err, CSV_WHAT, "%s", csv_cost_header);
    for (size_t i = 0; i < c->n_levels && !rc; i++) {
        const ts_cost_level_t *l = &c->level[i];
        rc = csv_cost_row(out, err, "capacity", ts_str(l->name), TS_COST_LEVEL_NAME,
                          (double)l->billed_bytes, "bytes", false, 0, l->capacity_usd);
    }
    if (!rc)
        rc = csv_cost_row(out, err, "requests_get", ts_str(b->name), TS_COST_LEVEL_NAME, (double)c->n_get,
                          "requests", true, b->price.get_usd, c->get_usd);
    if (!rc)
        rc = csv_cost_row(out, err, "requests_put", ts_str(b->name), TS_COST_LEVEL_NAME, (double)c->n_put,
                          "requests", true, b->price.put_usd, c->put_usd);
    if (!rc)
        rc = csv_cost_row(out, err, "transfer_out", ts_str(b->name), TS_COST_LEVEL_NAME,
                          (double)c->bytes_out, "bytes", true, b->price.egress_usd_gb / 1e9,
                          c->egress_usd);
    if (!rc)
        rc = csv_cost_row(out, err, "transfer_in", ts_str(b->name), TS_COST_LEVEL_NAME, (double)c->bytes_in,
                          "bytes", true, b->price.ingress_usd_gb / 1e9, c->ingress_usd);
    if (!rc)
        rc = csv_cost_row(out, err, "gpu_time", ts_str(c->gpu), TS_DEV_NAME, (double)c->gpus * hours,
                          "gpu_hours", true, c->gpu_usd_hour, c->gpu_usd);
    if (!rc && c->has_stall)
        rc = csv_cost_row(out, err, "gpu_stall", ts_str(c->gpu), TS_DEV_NAME,
                          (double)c->gpus * hours * c->stall_share, "gpu_hours", true,
                          c->gpu_usd_hour, c->stall_usd);
    if (!rc)
        rc = csv_cost_row(out, err, "power", "", 1, c->energy_kwh, "kwh", true,
                          c->electricity_usd_kwh, c->power_usd);
    if (!rc)
        rc = csv_cost_row(out, err, "total", "", 1, hours, "hours", false, 0, c->total_usd);
    if (!rc)
        rc = csv_cost_per(out, err, "per_million_requests", (double)c->n_requests, "requests",
                          c->usd_per_m_requests);
    if (!rc)
        rc = csv_cost_per(out, err, "per_epoch", c->epochs, "epochs", c->usd_per_epoch);
    if (!rc)
        rc = csv_cost_per(out, err, "per_million_tokens", (double)c->tokens, "tokens",
                          c->usd_per_m_tokens);
    if (!rc)
        rc = csv_cost_per(out, err, "per_session", (double)c->sessions, "sessions",
                          c->usd_per_session);
    return rc ? rc : ts_out_finish(out, err, CSV_WHAT);
}
