/* SPDX-License-Identifier: MIT */
/*
 * text.c - the human-readable report: what `tiersim run` prints and report.txt holds.
 *
 * Reads a ts_result_t only. Layout (documented with an example in docs/results.md): a
 * header naming the scenario, workload, mode, engine, seed and footprint; the per-tier
 * table in two aligned blocks (lookups/hits/misses, then contents and traffic) so that it
 * stays within 110 columns: counters are exact, or shown with three significant digits
 * ("1.23M") in a block whose exact form would be wider; for a hierarchy with other than the
 * default rules, its rules, write-back and prefetch figures, per-tier moves and per-link
 * traffic; the totals (always exact); and, only when wall_s > 0, the wall time and
 * requests/s. Plain ASCII, no colours.
 * Cost: O(tiers); no allocation (cells live on the stack).
 */
#include "report.h"

#include <math.h>
#include <string.h>

#include "../sim/units.h"
#include "fmt_internal.h"

#define TEXT_WHAT "text report"
#define TEXT_MAX_COLS 10
#define TEXT_MAX_ROWS (TS_MAX_TIERS + 1) /* tiers, and the central store in the bill */
#define TEXT_CELL 72 /* a tier name (63) plus room */
#define TEXT_WIDTH 110 /* widest table line before counts switch to the compact form */

typedef struct text_table {
    size_t n_cols;
    size_t n_rows;
    const char *head[TEXT_MAX_COLS];
    bool is_left[TEXT_MAX_COLS]; /* left-aligned (names) rather than right-aligned (numbers) */
    char cell[TEXT_MAX_ROWS][TEXT_MAX_COLS][TEXT_CELL];
} text_table_t;

/* Copies a fixed-size field, which may lack its terminator, into a cell (cut to fit). */
static void text_cell(char *dst, const char *src, size_t src_size)
{
    size_t n = strnlen(src, src_size);
    if (n >= TEXT_CELL)
        n = TEXT_CELL - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* A counter: exact, or "1.23M" when the exact table would be too wide. */
static void text_count(char *dst, uint64_t v, bool is_compact)
{
    if (is_compact)
        ts__fmt_count(v, dst, TEXT_CELL);
    else
        snprintf(dst, TEXT_CELL, "%llu", (unsigned long long)v);
}

/* Capacity-like figures are in charge units: objects (compact count) or bytes. */
static void text_charge(char *dst, const ts_result_t *res, uint64_t v)
{
    if (res->mode == TS_MODE_BYTES)
        ts__fmt_bytes(v, dst, TEXT_CELL);
    else
        ts__fmt_count(v, dst, TEXT_CELL);
}

/* Fills w with each column's width (heading or widest cell); returns the line width. */
static size_t text_widths(const text_table_t *t, size_t *w)
{
    size_t total = 0;
    for (size_t c = 0; c < t->n_cols; c++) {
        w[c] = strlen(t->head[c]);
        for (size_t r = 0; r < t->n_rows; r++) {
            size_t n = strlen(t->cell[r][c]);
            if (n > w[c])
                w[c] = n;
        }
        total += w[c] + (c ? 2 : 0);
    }
    return total;
}

static int text_print_table(const text_table_t *t, FILE *out, ts_err_t *err)
{
    size_t w[TEXT_MAX_COLS];
    text_widths(t, w);
    for (size_t r = 0; r <= t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *s = r == 0 ? t->head[c] : t->cell[r - 1][c];
            bool is_last = c + 1 == t->n_cols;
            int rc;
            if (t->is_left[c] && is_last)
                rc = ts__out_printf(out, err, TEXT_WHAT, "%s", s);
            else if (t->is_left[c])
                rc = ts__out_printf(out, err, TEXT_WHAT, "%-*s  ", (int)w[c], s);
            else
                rc = ts__out_printf(out, err, TEXT_WHAT, "%*s%s", (int)w[c], s,
                                    is_last ? "" : "  ");
            if (rc)
                return rc;
        }
        int rc = ts__out_printf(out, err, TEXT_WHAT, "\n");
        if (rc)
            return rc;
    }
    return 0;
}

static int text_header(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    char a[TS__FMT_LEN], b[TS__FMT_LEN];
    const char *engine = res->engine ? res->engine : "unknown";
    int rc = ts__out_printf(out, err, TEXT_WHAT, "tiersim %s result\n\n", TS_VERSION);
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT, "scenario   %.*s\n", (int)sizeof(res->scenario),
                            res->scenario);
    if (!rc && res->name[0])
        rc = ts__out_printf(out, err, TEXT_WHAT, "name       %.*s\n", (int)sizeof(res->name),
                            res->name);
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT, "workload   %.*s\n", (int)sizeof(res->workload),
                            res->workload);
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT, "mode       %s (%s)\n", ts_mode_name(res->mode),
                            res->mode == TS_MODE_BYTES ? "objects charge their size in bytes"
                                                       : "every object charges 1");
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT, "engine     %s\n", engine);
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT, "seed       %llu\n",
                            (unsigned long long)res->seed);
    if (!rc && (res->footprint_objects || res->footprint_bytes))
        rc = ts__out_printf(out, err, TEXT_WHAT, "footprint  %s objects (%llu), %s (%llu bytes)\n",
                            ts__fmt_count(res->footprint_objects, a, sizeof(a)),
                            (unsigned long long)res->footprint_objects,
                            ts__fmt_bytes(res->footprint_bytes, b, sizeof(b)),
                            (unsigned long long)res->footprint_bytes);
    return rc;
}

/* Empties t and sets its headings (n of them) and one row per tier. */
static void text_table_init(text_table_t *t, const ts_result_t *res, const char *const *head,
                            size_t n)
{
    memset(t, 0, sizeof(*t));
    t->n_cols = n;
    t->n_rows = res->n_tiers;
    for (size_t c = 0; c < n; c++)
        t->head[c] = head[c];
}

/* Block 1: what each tier was asked and how often it answered. */
static void text_block_lookups(const ts_result_t *res, text_table_t *t, bool is_compact)
{
    static const char *const head[] = {"tier",   "policy", "capacity",   "requests",
                                       "hits",   "misses", "miss ratio", "byte miss ratio"};
    text_table_init(t, res, head, sizeof(head) / sizeof(head[0]));
    t->is_left[0] = t->is_left[1] = true;
    for (size_t i = 0; i < res->n_tiers; i++) {
        const ts_tier_result_t *tr = &res->tiers[i];
        char(*row)[TEXT_CELL] = t->cell[i];
        text_cell(row[0], tr->name, sizeof(tr->name));
        text_cell(row[1], tr->policy, sizeof(tr->policy));
        text_charge(row[2], res, tr->capacity);
        text_count(row[3], tr->st.n_req, is_compact);
        text_count(row[4], tr->st.n_hit, is_compact);
        text_count(row[5], tr->st.n_miss, is_compact);
        ts__fmt_pct(ts_tier_miss_ratio(tr), row[6], TEXT_CELL);
        ts__fmt_pct(ts_tier_byte_miss_ratio(tr), row[7], TEXT_CELL);
    }
}

/* Block 2: what entered and left each tier, and how full it got. */
static void text_block_traffic(const ts_result_t *res, text_table_t *t, bool is_compact)
{
    static const char *const head[] = {"tier",     "insertions", "evictions", "too large",
                                       "removed",  "bytes in",   "bytes out", "peak used",
                                       "used at end"};
    text_table_init(t, res, head, sizeof(head) / sizeof(head[0]));
    t->is_left[0] = true;
    for (size_t i = 0; i < res->n_tiers; i++) {
        const ts_tier_result_t *tr = &res->tiers[i];
        char(*row)[TEXT_CELL] = t->cell[i];
        text_cell(row[0], tr->name, sizeof(tr->name));
        text_count(row[1], tr->st.n_insert, is_compact);
        text_count(row[2], tr->st.n_evict, is_compact);
        text_count(row[3], tr->st.n_too_large, is_compact);
        text_count(row[4], tr->st.n_removed, is_compact);
        ts__fmt_bytes(tr->st.bytes_in, row[5], TEXT_CELL);
        ts__fmt_bytes(tr->st.bytes_out, row[6], TEXT_CELL);
        text_charge(row[7], res, tr->st.used_peak);
        text_charge(row[8], res, tr->used);
    }
}

/* Block 3 (non-default hierarchies only): what moved between tiers. */
static void text_block_moves(const ts_result_t *res, text_table_t *t, bool is_compact)
{
    static const char *const head[] = {"tier",   "admission", "refused",    "prom in",
                                       "prom out", "dem in",  "dem out",    "back-inval",
                                       "write-back", "prefetched"};
    text_table_init(t, res, head, sizeof(head) / sizeof(head[0]));
    t->is_left[0] = t->is_left[1] = true;
    for (size_t i = 0; i < res->n_tiers; i++) {
        const ts_tier_result_t *tr = &res->tiers[i];
        const ts_tier_stats_t *st = &tr->st;
        char(*row)[TEXT_CELL] = t->cell[i];
        text_cell(row[0], tr->name, sizeof(tr->name));
        text_cell(row[1], tr->admit[0] ? tr->admit : "always", sizeof(tr->admit));
        const uint64_t v[] = {st->n_refused,    st->n_promote_in, st->n_promote_out,
                              st->n_demote_in,  st->n_demote_out, st->n_backinval,
                              st->n_writeback,  st->n_prefetch_in};
        for (size_t c = 0; c < sizeof(v) / sizeof(v[0]); c++)
            text_count(row[c + 2], v[c], is_compact);
    }
}

/* Block 4 (non-default hierarchies only): traffic on each link, upper <-> lower level. */
static void text_block_links(const ts_result_t *res, text_table_t *t, bool is_compact)
{
    static const char *const head[] = {"link", "transfers up", "bytes up", "transfers down",
                                       "bytes down"};
    text_table_init(t, res, head, sizeof(head) / sizeof(head[0]));
    t->is_left[0] = true;
    for (size_t i = 0; i < res->n_tiers; i++) {
        const ts_link_stats_t *l = &res->hier.st.link[i];
        char(*row)[TEXT_CELL] = t->cell[i];
        const char *lower = i + 1 < res->n_tiers ? res->tiers[i + 1].name : "backing";
        snprintf(row[0], TEXT_CELL, "%.30s - %.30s", res->tiers[i].name, lower);
        text_count(row[1], l->n_up, is_compact);
        ts__fmt_bytes(l->bytes_up, row[2], TEXT_CELL);
        text_count(row[3], l->n_down, is_compact);
        ts__fmt_bytes(l->bytes_down, row[4], TEXT_CELL);
    }
}

typedef void (*text_block_fn)(const ts_result_t *res, text_table_t *t, bool is_compact);

/* Prints one block under its title, with exact counts when they fit in TEXT_WIDTH. */
static int text_block(const ts_result_t *res, text_block_fn build, const char *title,
                      text_table_t *t, FILE *out, ts_err_t *err)
{
    size_t w[TEXT_MAX_COLS];
    build(res, t, false);
    if (text_widths(t, w) > TEXT_WIDTH)
        build(res, t, true);
    int rc = ts__out_printf(out, err, TEXT_WHAT, "\n%s\n", title);
    return rc ? rc : text_print_table(t, out, err);
}

/* The rules line and the write-back / prefetch figures of a non-default hierarchy. */
static int text_hier_summary(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_hier_result_t *h = &res->hier;
    const ts_hier_stats_t *st = &h->st;
    char a[TS__FMT_LEN], b[TS__FMT_LEN];
    int rc = ts__out_printf(out, err, TEXT_WHAT,
                            "\nhierarchy  inclusion %s, promote %s, demote %s, write %s%s\n",
                            h->inclusion ? h->inclusion : "non_inclusive",
                            h->promote ? h->promote : "top", h->demote ? h->demote : "drop",
                            h->write ? h->write : "through",
                            h->flush_at_end ? " (flush at end)" : "");
    if (!rc && h->write && strcmp(h->write, "back") == 0)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "  write-backs      %llu (%s); dirty at end %llu (%s), flushed %llu\n",
                            (unsigned long long)st->n_writeback,
                            ts__fmt_bytes(st->bytes_writeback, a, sizeof(a)),
                            (unsigned long long)st->n_dirty_end,
                            ts__fmt_bytes(st->bytes_dirty_end, b, sizeof(b)),
                            (unsigned long long)st->n_flush_end);
    if (!rc && h->prefetch[0] && strcmp(h->prefetch, "none") != 0)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "  prefetch         %s %s into %s: %llu issued (%s), %llu used, "
                            "%llu unused (%s), %llu hints\n",
                            h->prefetch, h->prefetch_params, h->prefetch_into,
                            (unsigned long long)st->n_pf_issued,
                            ts__fmt_bytes(st->bytes_pf, a, sizeof(a)),
                            (unsigned long long)st->n_pf_used,
                            (unsigned long long)st->n_pf_unused,
                            ts__fmt_bytes(st->bytes_pf_unused, b, sizeof(b)),
                            (unsigned long long)st->n_pf_hint);
    return rc;
}

static int text_totals(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_totals_t *to = &res->totals;
    char a[TS__FMT_LEN], b[TS__FMT_LEN], c[TS__FMT_LEN];
    int rc = ts__out_printf(out, err, TEXT_WHAT,
                            "\ntotals\n"
                            "  requests         %llu (get %llu, put %llu, delete %llu)\n",
                            (unsigned long long)to->n_req, (unsigned long long)to->n_get,
                            (unsigned long long)to->n_put, (unsigned long long)to->n_delete);
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT, "  bytes requested  %llu (%s)\n",
                            (unsigned long long)to->bytes_req,
                            ts__fmt_bytes(to->bytes_req, a, sizeof(a)));
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "  hit ratio        %s (%llu requests served by some tier)\n",
                            ts__fmt_pct(ts_ratio(to->n_hit, to->n_req), a, sizeof(a)),
                            (unsigned long long)to->n_hit);
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT, "  byte hit ratio   %s (%s)\n",
                            ts__fmt_pct(ts_ratio(to->bytes_hit, to->bytes_req), a, sizeof(a)),
                            ts__fmt_bytes(to->bytes_hit, b, sizeof(b)));
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "  backing store    %llu requests (%s), %s (%llu bytes)\n",
                            (unsigned long long)to->n_backing,
                            ts__fmt_pct(ts_ratio(to->n_backing, to->n_req), a, sizeof(a)),
                            ts__fmt_bytes(to->bytes_backing, b, sizeof(b)),
                            (unsigned long long)to->bytes_backing);
    if (!rc && res->skipped_records)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "  skipped          %llu malformed records (first: %.*s)\n",
                            (unsigned long long)res->skipped_records,
                            (int)sizeof(res->skipped_first), res->skipped_first);
    if (!rc && to->n_req && to->last_ns >= to->first_ns)
        rc = ts__out_printf(out, err, TEXT_WHAT, "  trace time       %s to %s (span %s)\n",
                            ts_format_duration(to->first_ns, a, sizeof(a)),
                            ts_format_duration(to->last_ns, b, sizeof(b)),
                            ts_format_duration(to->last_ns - to->first_ns, c, sizeof(c)));
    return rc;
}

static const char *text_ns(uint64_t ns, char *buf, size_t size)
{
    return ts_format_duration(ns, buf, size);
}

static int text_lat_row(FILE *out, ts_err_t *err, const char *label, const ts_lat_t *l)
{
    if (!l->n)
        return 0;
    char n[TS__FMT_LEN], m[32], a[32], b[32], c[32], d[32], e[32];
    return ts__out_printf(out, err, TEXT_WHAT, "  %-22s %9s %10s %10s %10s %10s %10s %10s\n",
                          label, ts__fmt_count(l->n, n, sizeof(n)),
                          text_ns((uint64_t)llround(l->mean_ns), m, sizeof(m)),
                          text_ns(l->p50_ns, a, sizeof(a)), text_ns(l->p90_ns, b, sizeof(b)),
                          text_ns(l->p99_ns, c, sizeof(c)), text_ns(l->p999_ns, d, sizeof(d)),
                          text_ns(l->max_ns, e, sizeof(e)));
}

/* The timed engine: how requests were issued, latency percentiles, devices and links. */
static int text_timed(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_timed_result_t *t = &res->timed;
    char a[TS__FMT_LEN], b[TS__FMT_LEN], c[TS__FMT_LEN], d[32];
    int rc;
    if (t->arrivals == TS_ARRIVALS_CLOSED)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "\ntimed      closed loop: %llu clients, think %s between requests\n",
                            (unsigned long long)t->clients, text_ns(t->think_ns, d, sizeof(d)));
    else
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "\ntimed      open loop: requests at their trace times x %g\n",
                            t->time_scale);
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "  simulated time   %s (last background job ends at %s)\n"
                            "  throughput       %s requests/s, %s/s\n",
                            text_ns(t->span_ns, d, sizeof(d)),
                            text_ns(t->end_ns, (char[32]){0}, 32),
                            ts__fmt_fixed(t->req_per_s, 0, a, sizeof(a)),
                            ts__fmt_bytes((uint64_t)llround(t->bytes_per_s), b, sizeof(b)));
    if (!rc && t->arrivals == TS_ARRIVALS_CLOSED)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "  accelerator      compute %s, stall %s: utilisation %s\n",
                            text_ns(t->compute_ns, a, sizeof(a)), text_ns(t->stall_ns, b,
                                                                        sizeof(b)),
                            ts__fmt_pct(t->utilisation, c, sizeof(c)));
    if (!rc && t->ttft.n)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "  prefill tokens   %llu saved (blocks a tier held), %llu "
                            "recomputed (%llu blocks)\n",
                            (unsigned long long)t->prefill_tokens_saved,
                            (unsigned long long)t->prefill_tokens_recomputed,
                            (unsigned long long)t->kv_recomputed);
    if (!rc && t->ttft.n && t->prefill_rate > 0)
        rc = ts__out_printf(out, err, TEXT_WHAT, "  prefill rate     %s tokens/s%s%s%s\n",
                            ts__fmt_fixed(t->prefill_rate, 0, a, sizeof(a)),
                            t->prefill_source[0] ? " (" : "", t->prefill_source,
                            t->prefill_source[0] ? ")" : "");
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "\nlatency                  %9s %10s %10s %10s %10s %10s %10s\n",
                            "count", "mean", "p50", "p90", "p99", "p99.9", "max");
    if (!rc)
        rc = text_lat_row(out, err, "all", &t->all);
    if (!rc)
        rc = text_lat_row(out, err, "get", &t->op[0]);
    if (!rc)
        rc = text_lat_row(out, err, "put", &t->op[1]);
    if (!rc)
        rc = text_lat_row(out, err, "time to first token", &t->ttft);
    for (size_t l = 0; !rc && l <= res->n_tiers; l++) {
        char label[96];
        snprintf(label, sizeof(label), "get served by %.*s", 60,
                 l < res->n_tiers ? res->tiers[l].name : "backing");
        rc = text_lat_row(out, err, label, &t->served[l]);
    }
    if (!rc)
        rc = ts__out_printf(out, err, TEXT_WHAT,
                            "\ndevices and links                       %9s %10s %6s %8s %10s "
                            "%10s\n",
                            "ops", "bytes", "util", "queue", "wait mean", "wait max");
    for (size_t i = 0; !rc && i < t->n_res; i++) {
        const ts_res_result_t *r = &t->res[i];
        char m[32];
        rc = ts__out_printf(out, err, TEXT_WHAT, "  %-38.*s %9s %10s %6s %8s %10s %10s\n",
                            (int)sizeof(r->name), r->name,
                            ts__fmt_count(r->n_ops, a, sizeof(a)),
                            ts__fmt_bytes(r->bytes, b, sizeof(b)),
                            ts__fmt_pct(r->utilisation, c, sizeof(c)),
                            ts__fmt_fixed(r->mean_queue, 2, d, sizeof(d)),
                            text_ns((uint64_t)llround(r->mean_wait_ns), m, sizeof(m)),
                            text_ns(r->max_wait_ns, (char[32]){0}, 32));
    }
    return rc;
}

/* ---- cost ---- */

/* The bill's first block: what each level's capacity costs over the period. */
static void text_block_cost(const ts_result_t *res, text_table_t *t, bool is_compact)
{
    static const char *const head[] = {"level", "priced as", "billed", "purchase", "rent",
                                       "dollars"};
    (void)is_compact;
    text_table_init(t, res, head, sizeof(head) / sizeof(head[0]));
    t->n_rows = res->cost.n_levels;
    t->is_left[0] = t->is_left[1] = true;
    for (size_t i = 0; i < res->cost.n_levels && i < TEXT_MAX_ROWS; i++) {
        const ts_cost_level_t *l = &res->cost.level[i];
        const ts_price_t *p = &l->price;
        char(*row)[TEXT_CELL] = t->cell[i];
        char a[TS__FMT_LEN], b[TS__FMT_LEN];
        text_cell(row[0], l->name, sizeof(l->name));
        text_cell(row[1], p->row[0] ? p->row : "-", sizeof(p->row));
        snprintf(row[2], TEXT_CELL, "%s%s", l->is_estimated ? "~" : "",
                 ts__fmt_bytes(l->billed_bytes, a, sizeof(a)));
        if (p->purchase_usd_gb > 0)
            snprintf(row[3], TEXT_CELL, "%s over %s",
                     ts__fmt_price(p->purchase_usd_gb, TS_PRICE_PER_GB, a, sizeof(a)),
                     ts_format_duration(p->lifetime_ns, b, sizeof(b)));
        else
            snprintf(row[3], TEXT_CELL, "-");
        if (p->storage_usd_gb_month > 0)
            ts__fmt_price(p->storage_usd_gb_month, TS_PRICE_PER_GB_MONTH, row[4], TEXT_CELL);
        else
            snprintf(row[4], TEXT_CELL, "-");
        ts__fmt_usd(l->capacity_usd, row[5], TEXT_CELL);
    }
}

/* One line item of the bill: label, what was counted and at what price, dollars. */
static int text_cost_line(FILE *out, ts_err_t *err, const char *label, const char *detail,
                          double usd)
{
    char d[TS__FMT_LEN];
    return ts__out_printf(out, err, TEXT_WHAT, "  %-16s %-64s %12s\n", label, detail,
                          ts__fmt_usd(usd, d, sizeof(d)));
}

static int text_cost_items(const ts_cost_result_t *c, FILE *out, ts_err_t *err)
{
    char line[160], a[TS__FMT_LEN], b[TS__FMT_LEN], x[TS__FMT_LEN], y[TS__FMT_LEN];
    const ts_price_t *p = &c->level[c->n_levels - 1].price;
    snprintf(line, sizeof(line), "%llu get x %s, %llu put x %s",
             (unsigned long long)c->n_get, ts__fmt_price(p->get_usd, TS_PRICE_PER_REQUEST, a,
                                                         sizeof(a)),
             (unsigned long long)c->n_put, ts__fmt_price(p->put_usd, TS_PRICE_PER_REQUEST, b,
                                                         sizeof(b)));
    int rc = text_cost_line(out, err, "requests", line, c->requests_usd);
    snprintf(line, sizeof(line), "%s out x %s, %s in x %s", ts__fmt_bytes(c->bytes_out, a,
                                                                          sizeof(a)),
             ts__fmt_price(p->egress_usd_gb, TS_PRICE_PER_GB, x, sizeof(x)),
             ts__fmt_bytes(c->bytes_in, b, sizeof(b)),
             ts__fmt_price(p->ingress_usd_gb, TS_PRICE_PER_GB, y, sizeof(y)));
    if (!rc)
        rc = text_cost_line(out, err, "transfer", line, c->transfer_usd);
    double hours = (double)c->period_ns / 3.6e12;
    if (c->gpus && c->gpu_usd_hour > 0)
        snprintf(line, sizeof(line), "%llu GPUs (%s) x %sh x %s%s%.*s",
                 (unsigned long long)c->gpus, c->gpus_from, ts__fmt_fixed(hours, 4, a, sizeof(a)),
                 ts__fmt_price(c->gpu_usd_hour, TS_PRICE_PER_HOUR, b, sizeof(b)),
                 c->gpu[0] ? " " : "", (int)sizeof(c->gpu), c->gpu);
    else if (c->gpus)
        snprintf(line, sizeof(line), "%llu GPUs (%s) x %sh, no price (cost.gpu or gpu_price)",
                 (unsigned long long)c->gpus, c->gpus_from, ts__fmt_fixed(hours, 4, a, sizeof(a)));
    else
        snprintf(line, sizeof(line), "no GPUs billed (cost.gpus)");
    if (!rc)
        rc = text_cost_line(out, err, "GPU time", line, c->gpu_usd);
    if (!rc && c->has_stall) {
        snprintf(line, sizeof(line), "%s of the GPU time waited on storage",
                 ts__fmt_pct(c->stall_share, a, sizeof(a)));
        rc = text_cost_line(out, err, "  lost to stalls", line, c->stall_usd);
    }
    if (!rc && c->electricity_usd_kwh > 0) {
        snprintf(line, sizeof(line), "%sW x %sh = %s kWh x %s", ts__fmt_fixed(c->power_w, 0, a,
                                                                              sizeof(a)),
                 ts__fmt_fixed(hours, 4, b, sizeof(b)), ts__fmt_fixed(c->energy_kwh, 3, x,
                                                                      sizeof(x)),
                 ts__fmt_price(c->electricity_usd_kwh, TS_PRICE_PER_KWH, y, sizeof(y)));
        rc = text_cost_line(out, err, "power", line, c->power_usd);
    }
    if (!rc)
        rc = text_cost_line(out, err, "total", "", c->total_usd);
    return rc;
}

/* Normalised figures: per million requests always, the others when the workload counts
 * their unit. */
static int text_cost_per(const ts_cost_result_t *c, FILE *out, ts_err_t *err)
{
    char line[160], a[TS__FMT_LEN];
    int rc = 0;
    if (c->n_requests) {
        snprintf(line, sizeof(line), "%llu requests", (unsigned long long)c->n_requests);
        rc = text_cost_line(out, err, "per 1M requests", line, c->usd_per_m_requests);
    }
    if (!rc && c->epochs > 0) {
        snprintf(line, sizeof(line), "%s epochs", ts__fmt_fixed(c->epochs, 3, a, sizeof(a)));
        rc = text_cost_line(out, err, "per epoch", line, c->usd_per_epoch);
    }
    if (!rc && c->tokens) {
        snprintf(line, sizeof(line), "%llu tokens%s", (unsigned long long)c->tokens,
                 c->is_prefill_tokens ? " (prefill tokens of the timed engine)" : "");
        rc = text_cost_line(out, err, "per 1M tokens", line, c->usd_per_m_tokens);
    }
    if (!rc && c->sessions) {
        snprintf(line, sizeof(line), "%llu sessions", (unsigned long long)c->sessions);
        rc = text_cost_line(out, err, "per session", line, c->usd_per_session);
    }
    return rc;
}

/* The bill: the billing period, capacity per level, then requests, transfer, GPU time (and
 * what stalls cost of it), power, the total and the normalised figures. */
static int text_cost(const ts_result_t *res, text_table_t *t, FILE *out, ts_err_t *err)
{
    const ts_cost_result_t *c = &res->cost;
    char a[32], b[TS__FMT_LEN];
    int rc = ts__out_printf(out, err, TEXT_WHAT, "\ncost       billing period %s (%s, %s h)\n",
                            ts_format_duration(c->period_ns, a, sizeof(a)),
                            c->period_from >= 0 && c->period_from < TS_COST_PERIOD_COUNT_
                                ? ts_cost_period_names[c->period_from]
                                : "?",
                            ts__fmt_fixed((double)c->period_ns / 3.6e12, 4, b, sizeof(b)));
    if (!rc) {
        text_block_cost(res, t, false);
        rc = text_print_table(t, out, err);
    }
    if (!rc)
        rc = text_cost_line(out, err, "capacity", "all levels", c->capacity_usd);
    if (!rc)
        rc = text_cost_items(c, out, err);
    return rc ? rc : text_cost_per(c, out, err);
}

/* Wall-clock figures vary from run to run; they appear only when measured. */
static int text_timing(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    if (!(res->wall_s > 0.0) || !isfinite(res->wall_s))
        return 0;
    char a[TS__FMT_LEN], b[TS__FMT_LEN];
    double rate = (double)res->totals.n_req / res->wall_s;
    return ts__out_printf(out, err, TEXT_WHAT,
                          "\nrun\n"
                          "  wall time        %s s\n"
                          "  throughput       %s requests/s\n",
                          ts__fmt_fixed(res->wall_s, 3, a, sizeof(a)),
                          ts__fmt_fixed(rate, 0, b, sizeof(b)));
}

int ts_report_text(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    if (!res || !out || res->n_tiers > TS_MAX_TIERS)
        return ts_err_set(err, TS_EINVAL, "text report: bad arguments");
    text_table_t t; /* about 12 KiB: the cells of one block */
    int rc = text_header(res, out, err);
    if (!rc)
        rc = text_block(res, text_block_lookups, "tiers: lookups", &t, out, err);
    if (!rc)
        rc = text_block(res, text_block_traffic, "tiers: contents and traffic", &t, out, err);
    bool is_default = ts_hier_result_is_default(&res->hier, res->tiers, res->n_tiers);
    if (!rc && !is_default)
        rc = text_hier_summary(res, out, err);
    if (!rc && !is_default)
        rc = text_block(res, text_block_moves, "tiers: hierarchy moves", &t, out, err);
    if (!rc && !is_default)
        rc = text_block(res, text_block_links, "links (upper - lower)", &t, out, err);
    if (!rc)
        rc = text_totals(res, out, err);
    if (!rc && res->has_timed)
        rc = text_timed(res, out, err);
    if (!rc && res->has_cost)
        rc = text_cost(res, &t, out, err);
    if (!rc)
        rc = text_timing(res, out, err);
    if (!rc)
        rc = ts__out_finish(out, err, TEXT_WHAT);
    return rc;
}
