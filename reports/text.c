/* SPDX-License-Identifier: MIT */
/*
 * text.c - the human-readable report: what `tiersim run` prints and report.txt holds.
 *
 * Reads a ts_result_t only. Layout (documented with an example in docs/results.md): a
 * header naming the scenario, workload, mode, engine, seed and footprint; the per-tier
 * table in two aligned blocks (lookups/hits/misses, then contents and traffic); for a
 * hierarchy with other than the default rules, its rules, write-back and prefetch figures,
 * per-tier moves and per-link traffic; the totals (always exact); from the timed engine,
 * latency and device tables; and, only when wall_s > 0, the wall time and requests/s.
 * Every line fits TEXT_WIDTH (100) columns: "label  value" lines wrap at blanks under their
 * value; a table too wide with exact counters shows them, and byte volumes, with three
 * significant digits ("1.23M", "19.6GiB"); one still too wide continues its columns in a
 * second table under the same first column. Plain ASCII, no colours.
 * Cost: O(tiers); no allocation (cells live on the stack).
 */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "../sim/util/units.h"
#include "../sim/util/fmt.h"

#define TEXT_WHAT "text report"
#define TEXT_MAX_COLS 10
#define TEXT_MAX_ROWS TS_TIMED_MAX_RES /* the devices and links table is the longest */
#define TEXT_CELL 72   /* a tier name (63) plus room */
#define TEXT_WIDTH 100 /* widest line */
#define TEXT_COL 11    /* where the value of a top-level "label  value" line starts */
#define TEXT_SUB 19    /* the same for the indented lines of a section */

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
        ts_fmt_count(v, dst, TEXT_CELL);
    else
        snprintf(dst, TEXT_CELL, "%llu", (unsigned long long)v);
}

/* A byte volume: two decimals, or three significant digits in a compact table. */
static void text_bytes(char *dst, uint64_t v, bool is_compact)
{
    if (is_compact)
        ts_fmt_bytes_short(v, dst, TEXT_CELL);
    else
        ts_fmt_bytes(v, dst, TEXT_CELL);
}

/* Capacity-like figures are in charge units: objects (compact count) or bytes. */
static void text_charge(char *dst, const ts_result_t *res, uint64_t v, bool is_compact)
{
    if (res->mode == TS_MODE_BYTES)
        text_bytes(dst, v, is_compact);
    else
        ts_fmt_count(v, dst, TEXT_CELL);
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

/* A row with nothing but its first cell is a heading inside the table. */
static bool text_is_heading(const text_table_t *t, size_t r)
{
    for (size_t c = 1; c < t->n_cols; c++)
        if (t->cell[r][c][0])
            return false;
    return true;
}

/* Prints column 0 and columns [from, to). */
static int text_print_cols(const text_table_t *t, const size_t *w, size_t from, size_t to,
                           FILE *out, ts_err_t *err)
{
    int rc = 0;
    for (size_t r = 0; r <= t->n_rows && !rc; r++) {
        const char *first = r == 0 ? t->head[0] : t->cell[r - 1][0];
        bool is_heading = r > 0 && text_is_heading(t, r - 1);
        if (is_heading || from == to)
            rc = ts_out_printf(out, err, TEXT_WHAT, "%s", first);
        else
            rc = ts_out_printf(out, err, TEXT_WHAT, "%-*s", (int)w[0], first);
        for (size_t c = from; c < to && !rc && !is_heading; c++) {
            const char *s = r == 0 ? t->head[c] : t->cell[r - 1][c];
            bool is_last = c + 1 == to;
            if (t->is_left[c] && is_last) /* no blanks at the end of a line */
                rc = ts_out_printf(out, err, TEXT_WHAT, "  %s", s);
            else if (t->is_left[c])
                rc = ts_out_printf(out, err, TEXT_WHAT, "  %-*s", (int)w[c], s);
            else
                rc = ts_out_printf(out, err, TEXT_WHAT, "  %*s", (int)w[c], s);
        }
        if (!rc)
            rc = ts_out_printf(out, err, TEXT_WHAT, "\n");
    }
    return rc;
}

/* The table in one piece when it fits TEXT_WIDTH, else its columns in consecutive tables
 * that each repeat column 0, blank lines between them. Column 0 (at most TEXT_CELL - 1)
 * and any one compact column fit together. */
static int text_print_table(const text_table_t *t, FILE *out, ts_err_t *err)
{
    size_t w[TEXT_MAX_COLS];
    if (text_widths(t, w) <= TEXT_WIDTH)
        return text_print_cols(t, w, 1, t->n_cols, out, err);
    int rc = 0;
    for (size_t from = 1; from < t->n_cols && !rc;) {
        size_t to = from + 1, width = w[0] + 2 + w[from];
        while (to < t->n_cols && width + 2 + w[to] <= TEXT_WIDTH)
            width += 2 + w[to++];
        if (from > 1)
            rc = ts_out_printf(out, err, TEXT_WHAT, "\n");
        if (!rc)
            rc = text_print_cols(t, w, from, to, out, err);
        from = to;
    }
    return rc;
}

/* "label" padded to col, then the formatted text wrapped at blanks so that no line passes
 * TEXT_WIDTH, each further line indented by col; a word longer than a line is cut. */
static int text_field(FILE *out, ts_err_t *err, size_t col, const char *label, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));
static int text_field(FILE *out, ts_err_t *err, size_t col, const char *label, const char *fmt,
                      ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    const size_t room = TEXT_WIDTH - col;
    const char *s = text;
    int rc = ts_out_printf(out, err, TEXT_WHAT, "%-*s", (int)col, label);
    while (!rc && strlen(s) > room) {
        size_t cut = room;
        while (cut > 0 && s[cut] != ' ')
            cut--;
        size_t take = cut ? cut : room;
        rc = ts_out_printf(out, err, TEXT_WHAT, "%.*s\n%*s", (int)take, s, (int)col, "");
        for (s += take; *s == ' ';)
            s++;
    }
    return rc ? rc : ts_out_printf(out, err, TEXT_WHAT, "%s\n", s);
}

static int text_header(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    char a[TS_FMT_LEN], b[TS_FMT_LEN];
    const char *engine = res->engine ? res->engine : "unknown";
    int rc = ts_out_printf(out, err, TEXT_WHAT, "tiersim %s result\n\n", TS_VERSION);
    if (!rc)
        rc = text_field(out, err, TEXT_COL, "scenario", "%.*s", TS_RESULT_SOURCE,
                        ts_str(res->scenario));
    if (!rc && ts_str(res->name)[0])
        rc = text_field(out, err, TEXT_COL, "name", "%.*s", TS_RESULT_NAME, res->name);
    if (!rc)
        rc = text_field(out, err, TEXT_COL, "workload", "%.*s", TS_RESULT_WORKLOAD,
                        ts_str(res->workload));
    if (!rc)
        rc = text_field(out, err, TEXT_COL, "mode", "%s (%s)", ts_mode_name(res->mode),
                        res->mode == TS_MODE_BYTES ? "objects charge their size in bytes"
                                                   : "every object charges 1");
    if (!rc)
        rc = text_field(out, err, TEXT_COL, "engine", "%s", engine);
    if (!rc)
        rc = text_field(out, err, TEXT_COL, "seed", "%llu", (unsigned long long)res->seed);
    if (!rc && (res->footprint_objects || res->footprint_bytes))
        rc = text_field(out, err, TEXT_COL, "footprint", "%s objects (%llu), %s (%llu bytes)",
                        ts_fmt_count(res->footprint_objects, a, sizeof(a)),
                        (unsigned long long)res->footprint_objects,
                        ts_fmt_bytes(res->footprint_bytes, b, sizeof(b)),
                        (unsigned long long)res->footprint_bytes);
    const ts_reader_units_t *u = &res->units;
    if (!rc && u->ckpt_bytes)
        rc = text_field(out, err, TEXT_COL, "checkpoint",
                        "%llu written, %llu read, each %s (%s GB) over %llu ranks",
                        (unsigned long long)u->checkpoints, (unsigned long long)u->ckpt_reads,
                        ts_fmt_bytes(u->ckpt_bytes, a, sizeof(a)),
                        ts_fmt_fixed((double)u->ckpt_bytes / 1e9, 1, b, sizeof(b)),
                        (unsigned long long)u->gpus);
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
        text_cell(row[0], ts_str(tr->name), TS_TIER_NAME);
        text_cell(row[1], ts_str(tr->policy), TS_TIER_POLICY);
        text_charge(row[2], res, tr->capacity, is_compact);
        text_count(row[3], tr->st.n_req, is_compact);
        text_count(row[4], tr->st.n_hit, is_compact);
        text_count(row[5], tr->st.n_miss, is_compact);
        ts_fmt_pct(ts_tier_miss_ratio(tr), row[6], TEXT_CELL);
        ts_fmt_pct(ts_tier_byte_miss_ratio(tr), row[7], TEXT_CELL);
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
        text_cell(row[0], ts_str(tr->name), TS_TIER_NAME);
        text_count(row[1], tr->st.n_insert, is_compact);
        text_count(row[2], tr->st.n_evict, is_compact);
        text_count(row[3], tr->st.n_too_large, is_compact);
        text_count(row[4], tr->st.n_removed, is_compact);
        text_bytes(row[5], tr->st.bytes_in, is_compact);
        text_bytes(row[6], tr->st.bytes_out, is_compact);
        text_charge(row[7], res, tr->st.used_peak, is_compact);
        text_charge(row[8], res, tr->used, is_compact);
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
        text_cell(row[0], ts_str(tr->name), TS_TIER_NAME);
        text_cell(row[1], ts_str(tr->admit)[0] ? tr->admit : "always", TS_TIER_ADMIT);
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
        const ts_link_stats_t *l = &res->hier.link[i];
        char(*row)[TEXT_CELL] = t->cell[i];
        const char *lower = i + 1 < res->n_tiers ? ts_str(res->tiers[i + 1].name) : "backing";
        snprintf(row[0], TEXT_CELL, "%.30s - %.30s", ts_str(res->tiers[i].name), lower);
        text_count(row[1], l->n_up, is_compact);
        text_bytes(row[2], l->bytes_up, is_compact);
        text_count(row[3], l->n_down, is_compact);
        text_bytes(row[4], l->bytes_down, is_compact);
    }
}

typedef void (*text_block_fn)(const ts_result_t *res, text_table_t *t, bool is_compact);

/* Prints one block under its title (none when NULL), with exact figures when they fit in
 * TEXT_WIDTH. */
static int text_block(const ts_result_t *res, text_block_fn build, const char *title,
                      text_table_t *t, FILE *out, ts_err_t *err)
{
    size_t w[TEXT_MAX_COLS];
    build(res, t, false);
    if (text_widths(t, w) > TEXT_WIDTH)
        build(res, t, true);
    int rc = ts_out_printf(out, err, TEXT_WHAT, "\n");
    if (!rc && title)
        rc = ts_out_printf(out, err, TEXT_WHAT, "%s\n", title);
    return rc ? rc : text_print_table(t, out, err);
}

/* The rules line and the write-back / prefetch figures of a non-default hierarchy. */
static int text_hier_summary(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_hier_result_t *h = &res->hier;
    const ts_hier_stats_t *st = &h->st;
    char a[TS_FMT_LEN], b[TS_FMT_LEN];
    int rc = ts_out_printf(out, err, TEXT_WHAT, "\n");
    if (!rc)
        rc = text_field(out, err, TEXT_COL, "hierarchy",
                        "inclusion %s, promote %s, demote %s, write %s%s",
                        h->inclusion ? h->inclusion : "non_inclusive",
                        h->promote ? h->promote : "top", h->demote ? h->demote : "drop",
                        h->write ? h->write : "through",
                        h->flush_at_end ? " (flush at end)" : "");
    if (!rc && h->write && strcmp(h->write, "back") == 0)
        rc = text_field(out, err, TEXT_SUB, "  write-backs",
                        "%llu (%s); dirty at end %llu (%s), flushed %llu",
                        (unsigned long long)st->n_writeback,
                        ts_fmt_bytes(st->bytes_writeback, a, sizeof(a)),
                        (unsigned long long)st->n_dirty_end,
                        ts_fmt_bytes(st->bytes_dirty_end, b, sizeof(b)),
                        (unsigned long long)st->n_flush_end);
    if (!rc && ts_str(h->prefetch)[0])
        rc = text_field(out, err, TEXT_SUB, "  prefetch",
                        "%s %s into %s: %llu issued (%s), %llu used, %llu unused (%s), %llu "
                        "hints",
                        h->prefetch, ts_str(h->prefetch_params), ts_str(h->prefetch_into),
                        (unsigned long long)st->n_pf_issued,
                        ts_fmt_bytes(st->bytes_pf, a, sizeof(a)),
                        (unsigned long long)st->n_pf_used, (unsigned long long)st->n_pf_unused,
                        ts_fmt_bytes(st->bytes_pf_unused, b, sizeof(b)),
                        (unsigned long long)st->n_pf_hint);
    return rc;
}

static int text_totals(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_totals_t *to = &res->totals;
    char a[TS_FMT_LEN], b[TS_FMT_LEN], c[TS_FMT_LEN];
    int rc = ts_out_printf(out, err, TEXT_WHAT, "\ntotals\n");
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  requests", "%llu (get %llu, put %llu, delete %llu)",
                        (unsigned long long)to->n_req, (unsigned long long)to->n_get,
                        (unsigned long long)to->n_put, (unsigned long long)to->n_delete);
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  bytes requested", "%s (%llu bytes)",
                        ts_fmt_bytes(to->bytes_req, a, sizeof(a)),
                        (unsigned long long)to->bytes_req);
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  hit ratio", "%s (%llu requests served by some tier)",
                        ts_fmt_pct(ts_ratio(to->n_hit, to->n_req), a, sizeof(a)),
                        (unsigned long long)to->n_hit);
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  byte hit ratio", "%s (%s)",
                        ts_fmt_pct(ts_ratio(to->bytes_hit, to->bytes_req), a, sizeof(a)),
                        ts_fmt_bytes(to->bytes_hit, b, sizeof(b)));
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  backing store", "%llu requests (%s), %s (%llu bytes)",
                        (unsigned long long)to->n_backing,
                        ts_fmt_pct(ts_ratio(to->n_backing, to->n_req), a, sizeof(a)),
                        ts_fmt_bytes(to->bytes_backing, b, sizeof(b)),
                        (unsigned long long)to->bytes_backing);
    if (!rc && res->has_timed && res->timed.kv_recomputed)
        rc = text_field(out, err, TEXT_SUB, "  recomputed",
                        "%llu KV blocks (%llu tokens, %s) no tier held: prefilled again on the "
                        "GPU, not read from the backing store; counted in its requests above, "
                        "neither timed as requests nor billed as gets",
                        (unsigned long long)res->timed.kv_recomputed,
                        (unsigned long long)res->timed.prefill_tokens_recomputed,
                        res->lacks & TS_LACKS_KV_BYTES
                            ? "bytes not recorded"
                            : ts_fmt_bytes(res->timed.kv_recomputed_bytes, a, sizeof(a)));
    if (!rc && res->skipped_records)
        rc = text_field(out, err, TEXT_SUB, "  skipped", "%llu malformed records (first: %.*s)",
                        (unsigned long long)res->skipped_records,
                        TS_RESULT_SKIPPED, ts_str(res->skipped_first));
    if (!rc && to->n_req && to->last_ns >= to->first_ns)
        rc = text_field(out, err, TEXT_SUB, "  trace time", "%s to %s (span %s)",
                        ts_format_duration(to->first_ns, a, sizeof(a)),
                        ts_format_duration(to->last_ns, b, sizeof(b)),
                        ts_format_duration(to->last_ns - to->first_ns, c, sizeof(c)));
    return rc;
}

static const char *text_ns(uint64_t ns, char *buf, size_t size)
{
    return ts_format_duration(ns, buf, size);
}

/* One latency row: label, then count, mean and percentiles; none for an empty set. */
static void text_lat_row(text_table_t *t, const char *label, const ts_lat_t *l)
{
    if (!l->n)
        return;
    char(*row)[TEXT_CELL] = t->cell[t->n_rows++];
    snprintf(row[0], TEXT_CELL, "%s", label);
    ts_fmt_count(l->n, row[1], TEXT_CELL);
    text_ns((uint64_t)llround(l->mean_ns), row[2], TEXT_CELL);
    const uint64_t v[] = {l->p50_ns, l->p90_ns, l->p99_ns, l->p999_ns, l->max_ns};
    for (size_t i = 0; i < 5; i++)
        text_ns(v[i], row[3 + i], TEXT_CELL);
}

/* Latency of all requests, per op, time to first token, then gets by serving level. */
static void text_block_latency(const ts_result_t *res, text_table_t *t, bool is_compact)
{
    static const char *const head[] = {"latency", "count", "mean",  "p50",
                                       "p90",     "p99",   "p99.9", "max"};
    (void)is_compact; /* counts and durations are short already */
    const ts_timed_result_t *tr = &res->timed;
    text_table_init(t, res, head, sizeof(head) / sizeof(head[0]));
    t->is_left[0] = true;
    t->n_rows = 0;
    text_lat_row(t, "all", &tr->all);
    text_lat_row(t, "get", &tr->op[0]);
    text_lat_row(t, "put", &tr->op[1]);
    text_lat_row(t, ts_timed_group_label(tr), &tr->ttft);
    snprintf(t->cell[t->n_rows++][0], TEXT_CELL, "get, by the level that served it");
    size_t heading = t->n_rows;
    for (size_t l = 0; l <= res->n_tiers && l < tr->n_levels; l++) {
        char label[TEXT_CELL];
        snprintf(label, sizeof(label), "  %.*s", TEXT_CELL - 3,
                 l < res->n_tiers ? ts_str(res->tiers[l].name) : "backing");
        text_lat_row(t, label, &tr->served[l]);
    }
    if (t->n_rows == heading) /* no level served a get: no heading either */
        memset(t->cell[--t->n_rows], 0, sizeof(t->cell[0]));
}

/* Each device and link: operations, bytes, utilisation (of the bandwidth, "bw", for those
 * that share it, else of the channels, "ch"; neither when the file did not say), queue and
 * waits. A level's links follow its device ("dram: ddr5-4800-8ch", then "dram link up:
 * pcie-gen5-x16"), so they are shown under it, indented, with the device's or link's model
 * in a column. */
static void text_block_devices(const ts_result_t *res, text_table_t *t, bool is_compact)
{
    static const char *const head[] = {"devices and links", "model", "ops",       "bytes",
                                       "util",              "queue", "wait mean", "wait max"};
    const ts_timed_result_t *tr = &res->timed;
    text_table_init(t, res, head, sizeof(head) / sizeof(head[0]));
    t->is_left[0] = t->is_left[1] = true;
    t->n_rows = tr->n_res < TEXT_MAX_ROWS ? tr->n_res : TEXT_MAX_ROWS;
    for (size_t i = 0; i < t->n_rows; i++) {
        const ts_res_result_t *r = &tr->res[i];
        char(*row)[TEXT_CELL] = t->cell[i];
        const char *name = ts_str(r->name);
        const char *model = strstr(name, ": ");
        size_t n_level = model ? (size_t)(model - name) : strlen(name);
        if (r->role == TS_ROLE_DEVICE)
            snprintf(row[0], TEXT_CELL, "%.*s", (int)n_level, name);
        else
            snprintf(row[0], TEXT_CELL, "  link %s", r->role == TS_ROLE_LINK_UP ? "up" : "down");
        snprintf(row[1], TEXT_CELL, "%s", model ? model + 2 : "");
        ts_fmt_count(r->n_ops, row[2], TEXT_CELL);
        text_bytes(row[3], r->bytes, is_compact);
        char pct[TS_FMT_LEN];
        const char *of = res->lacks & TS_LACKS_UTIL_OF ? "" : r->is_bw_util ? " bw" : " ch";
        snprintf(row[4], TEXT_CELL, "%s%s", ts_fmt_pct(r->utilisation, pct, sizeof(pct)), of);
        ts_fmt_fixed(r->mean_queue, 2, row[5], TEXT_CELL);
        text_ns((uint64_t)llround(r->mean_wait_ns), row[6], TEXT_CELL);
        text_ns(r->max_wait_ns, row[7], TEXT_CELL);
    }
}

/* An open loop's overloaded resources, and why a run stopped early; or that the results
 * file did not record them. */
static int text_overload(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    const ts_timed_result_t *t = &res->timed;
    if (res->lacks & TS_LACKS_OVERLOAD)
        return t->arrivals == TS_ARRIVALS_CLOSED
                   ? 0
                   : text_field(out, err, TEXT_SUB, "  overload", TS_REPORT_NOT_RECORDED);
    int rc = 0;
    char line[256];
    for (size_t i = 0; !rc && i < t->n_res; i++)
        if (t->res[i].is_overloaded)
            rc = text_field(out, err, TEXT_SUB, "  overloaded",
                            "%s: %s: its queue grows without bound, so latency figures depend "
                            "on the run's length",
                            ts_str(t->res[i].name),
                            ts_res_load_text(&t->res[i], line, sizeof(line)));
    if (!rc && t->partial)
        rc = text_field(out, err, TEXT_SUB, "  stopped early", "%s; the figures are partial",
                        ts_str(t->stop_reason));
    return rc;
}

/* The timed engine: how requests were issued, latency percentiles, devices and links. */
static int text_timed(const ts_result_t *res, text_table_t *tab, FILE *out, ts_err_t *err)
{
    const ts_timed_result_t *t = &res->timed;
    char a[TS_FMT_LEN], b[TS_FMT_LEN], c[TS_FMT_LEN], d[32];
    int rc = ts_out_printf(out, err, TEXT_WHAT, "\n");
    const char *title = res->has_live ? "predicted" : "timed";
    if (!rc && res->has_live)
        rc = text_field(out, err, TEXT_COL, "predicted",
                        "by the timed engine for the same scenario and devices:");
    if (!rc && t->arrivals == TS_ARRIVALS_CLOSED && t->loader_workers)
        rc = text_field(out, err, TEXT_COL, res->has_live ? "" : title,
                        "closed loop: %llu clients, each a data loader of %u workers reading "
                        "%u batches ahead each; compute %s per batch",
                        (unsigned long long)t->clients, t->loader_workers, t->prefetch_factor,
                        text_ns(t->think_ns, d, sizeof(d)));
    else if (!rc && t->arrivals == TS_ARRIVALS_CLOSED)
        rc = text_field(out, err, TEXT_COL, res->has_live ? "" : title,
                        "closed loop: %llu clients, think %s between requests",
                        (unsigned long long)t->clients, text_ns(t->think_ns, d, sizeof(d)));
    else if (!rc)
        rc = text_field(out, err, TEXT_COL, res->has_live ? "" : title,
                        "open loop: requests at their trace times x %g", t->time_scale);
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  simulated time",
                        "%s (last background job ends at %s)", text_ns(t->span_ns, d, sizeof(d)),
                        text_ns(t->end_ns, a, sizeof(a)));
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  throughput", "%s requests/s, %s/s",
                        ts_fmt_fixed(t->req_per_s, 0, a, sizeof(a)),
                        ts_fmt_bytes((uint64_t)llround(t->bytes_per_s), b, sizeof(b)));
    if (!rc && t->arrivals == TS_ARRIVALS_CLOSED)
        rc = text_field(out, err, TEXT_SUB, "  accelerator",
                        t->loader_workers ? "compute %s, stall %s: utilisation (AU) %s, as DLIO "
                                            "measures it: each client's first step left out"
                                          : "compute %s, stall %s: utilisation %s",
                        text_ns(t->compute_ns, a, sizeof(a)), text_ns(t->stall_ns, b, sizeof(b)),
                        ts_fmt_pct(t->utilisation, c, sizeof(c)));
    if (!rc && t->arrivals == TS_ARRIVALS_CLOSED && t->au_target > 0)
        rc = text_field(out, err, TEXT_SUB, "  AU threshold",
                        "%s (MLPerf Storage's for this workload): %s",
                        ts_fmt_pct(t->au_target, a, sizeof(a)),
                        t->utilisation >= t->au_target ? "pass" : "FAIL");
    if (!rc && t->ttft.n && (t->block_tokens || t->prefill_rate > 0))
        rc = text_field(out, err, TEXT_SUB, "  prefill tokens",
                        "%llu saved (blocks a tier held), %llu recomputed (%llu blocks)",
                        (unsigned long long)t->prefill_tokens_saved,
                        (unsigned long long)t->prefill_tokens_recomputed,
                        (unsigned long long)t->kv_recomputed);
    if (!rc && t->ttft.n && t->prefill_rate > 0)
        rc = text_field(out, err, TEXT_SUB, "  prefill rate", "%s tokens/s%s%s%s",
                        ts_fmt_fixed(t->prefill_rate, 0, a, sizeof(a)),
                        ts_str(t->prefill_source)[0] ? " (" : "", ts_str(t->prefill_source),
                        ts_str(t->prefill_source)[0] ? ")" : "");
    if (!rc)
        rc = text_block(res, text_block_latency, NULL, tab, out, err);
    if (!rc)
        rc = text_block(res, text_block_devices, NULL, tab, out, err);
    if (!rc && t->n_res && (res->lacks & TS_LACKS_UTIL_OF))
        rc = text_field(out, err, TEXT_SUB, "  util",
                        "bandwidth or channels: " TS_REPORT_NOT_RECORDED);
    else if (!rc && t->n_res)
        rc = text_field(out, err, TEXT_SUB, "  util", "bw: busy share of the bandwidth; ch: of "
                                                      "the channels");
    return rc ? rc : text_overload(res, out, err);
}

/* ---- cost ---- */

/* Hours with four decimals, "<0.0001" for a period too short to show ("0.0000" would read
 * as none at all). */
static const char *text_hours(uint64_t ns, char *buf, size_t size)
{
    double hours = (double)ns / 3.6e12;
    if (ns && hours < 0.00005)
        snprintf(buf, size, "<0.0001");
    else
        ts_fmt_fixed(hours, 4, buf, size);
    return buf;
}

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
        char a[TS_FMT_LEN], b[TS_FMT_LEN];
        text_cell(row[0], ts_str(l->name), TS_COST_LEVEL_NAME);
        text_cell(row[1], p->row[0] ? p->row : "-", sizeof(p->row));
        snprintf(row[2], TEXT_CELL, "%s%s", l->is_estimated ? "~" : "",
                 ts_fmt_bytes(l->billed_bytes, a, sizeof(a)));
        if (p->purchase_usd_gb > 0)
            snprintf(row[3], TEXT_CELL, "%s over %s",
                     ts_fmt_price(p->purchase_usd_gb, TS_PRICE_PER_GB, a, sizeof(a)),
                     ts_format_duration(p->lifetime_ns, b, sizeof(b)));
        else
            snprintf(row[3], TEXT_CELL, "-");
        if (p->storage_usd_gb_month > 0)
            ts_fmt_price(p->storage_usd_gb_month, TS_PRICE_PER_GB_MONTH, row[4], TEXT_CELL);
        else
            snprintf(row[4], TEXT_CELL, "-");
        ts_fmt_usd(l->capacity_usd, row[5], TEXT_CELL);
    }
}

/* One line item of the bill: label, what was counted and at what price, dollars. */
static int text_cost_line(FILE *out, ts_err_t *err, const char *label, const char *detail,
                          double usd)
{
    char d[TS_FMT_LEN];
    return ts_out_printf(out, err, TEXT_WHAT, "  %-16s %-64s %12s\n", label, detail,
                          ts_fmt_usd(usd, d, sizeof(d)));
}

static int text_cost_items(const ts_cost_result_t *c, FILE *out, ts_err_t *err)
{
    char line[320], a[TS_FMT_LEN], b[TS_FMT_LEN], x[TS_FMT_LEN], y[TS_FMT_LEN];
    const ts_price_t *p = &c->level[c->n_levels - 1].price;
    snprintf(line, sizeof(line), "%llu get x %s, %llu put x %s",
             (unsigned long long)c->n_get, ts_fmt_price(p->get_usd, TS_PRICE_PER_REQUEST, a,
                                                         sizeof(a)),
             (unsigned long long)c->n_put, ts_fmt_price(p->put_usd, TS_PRICE_PER_REQUEST, b,
                                                         sizeof(b)));
    int rc = text_cost_line(out, err, "requests", line, c->requests_usd);
    snprintf(line, sizeof(line), "%s out x %s, %s in x %s", ts_fmt_bytes(c->bytes_out, a,
                                                                          sizeof(a)),
             ts_fmt_price(p->egress_usd_gb, TS_PRICE_PER_GB, x, sizeof(x)),
             ts_fmt_bytes(c->bytes_in, b, sizeof(b)),
             ts_fmt_price(p->ingress_usd_gb, TS_PRICE_PER_GB, y, sizeof(y)));
    if (!rc)
        rc = text_cost_line(out, err, "transfer", line, c->transfer_usd);
    if (c->gpus && c->gpu_usd_hour > 0)
        snprintf(line, sizeof(line), "%llu GPUs (%s) x %sh x %s%s%.*s%s%.*s",
                 (unsigned long long)c->gpus, c->gpus_from,
                 text_hours(c->period_ns, a, sizeof(a)),
                 ts_fmt_price(c->gpu_usd_hour, TS_PRICE_PER_HOUR, b, sizeof(b)),
                 ts_str(c->gpu)[0] ? " " : "", TS_DEV_NAME, ts_str(c->gpu),
                 ts_str(c->gpu_fallback)[0] ? " from " : "", TS_PRICE_ROW,
                 ts_str(c->gpu_fallback));
    else if (c->gpus)
        snprintf(line, sizeof(line), "%llu GPUs (%s) x %sh, no price (cost.gpu or gpu_price)",
                 (unsigned long long)c->gpus, c->gpus_from,
                 text_hours(c->period_ns, a, sizeof(a)));
    else
        snprintf(line, sizeof(line), "no GPUs billed (cost.gpus)");
    if (!rc)
        rc = text_cost_line(out, err, "GPU time", line, c->gpu_usd);
    if (!rc && c->has_stall) {
        snprintf(line, sizeof(line), "%s of the GPU time waited on storage",
                 ts_fmt_pct(c->stall_share, a, sizeof(a)));
        rc = text_cost_line(out, err, "  lost to stalls", line, c->stall_usd);
    }
    if (!rc && c->electricity_usd_kwh > 0) {
        snprintf(line, sizeof(line), "%sW x %sh = %s kWh x %s", ts_fmt_fixed(c->power_w, 0, a,
                                                                              sizeof(a)),
                 text_hours(c->period_ns, b, sizeof(b)), ts_fmt_fixed(c->energy_kwh, 3, x,
                                                                      sizeof(x)),
                 ts_fmt_price(c->electricity_usd_kwh, TS_PRICE_PER_KWH, y, sizeof(y)));
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
    char line[160], a[TS_FMT_LEN];
    int rc = 0;
    if (c->n_requests) {
        snprintf(line, sizeof(line), "%llu requests", (unsigned long long)c->n_requests);
        rc = text_cost_line(out, err, "per 1M requests", line, c->usd_per_m_requests);
    }
    if (!rc && c->epochs > 0) {
        snprintf(line, sizeof(line), "%s epochs", ts_fmt_fixed(c->epochs, 3, a, sizeof(a)));
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
    char a[32], b[TS_FMT_LEN];
    int rc = ts_out_printf(out, err, TEXT_WHAT, "\ncost       billing period %s (%s, %s h)\n",
                            ts_format_duration(c->period_ns, a, sizeof(a)),
                            c->period_from >= 0 && c->period_from < TS_COST_PERIOD_COUNT_
                                ? ts_cost_period_names[c->period_from]
                                : "?",
                            text_hours(c->period_ns, b, sizeof(b)));
    if (!rc && ts_str(c->prices)[0])
        rc = ts_out_printf(out, err, TEXT_WHAT,
                           "prices     %.*s, read %.*s (tiersim list prices)\n", TS_PRICE_ROW,
                           ts_str(c->prices), TS_PRICE_DATE, ts_str(c->prices_date));
    if (!rc) {
        text_block_cost(res, t, false);
        rc = text_print_table(t, out, err);
    }
    if (!rc)
        rc = text_cost_line(out, err, "capacity", "all levels", c->capacity_usd);
    if (!rc)
        rc = text_cost_items(c, out, err);
    if (!rc && res->has_timed && res->timed.kv_recomputed) /* why gets may read 0 */
        rc = ts_out_printf(out, err, TEXT_WHAT,
                           "  %-16s %llu KV blocks (%llu tokens) recomputed on the GPU, not "
                           "fetched: no get\n",
                           "note",
                           (unsigned long long)res->timed.kv_recomputed,
                           (unsigned long long)res->timed.prefill_tokens_recomputed);
    return rc ? rc : text_cost_per(c, out, err);
}

/* Wall-clock figures vary from run to run; they appear only when measured. */
static int text_timing(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    if (!(res->wall_s > 0.0) || !isfinite(res->wall_s))
        return 0;
    char a[TS_FMT_LEN], b[TS_FMT_LEN];
    double rate = (double)res->totals.n_req / res->wall_s;
    int rc = ts_out_printf(out, err, TEXT_WHAT, "\nrun\n");
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  wall time", "%s s",
                        ts_fmt_fixed(res->wall_s, 3, a, sizeof(a)));
    if (!rc)
        rc = text_field(out, err, TEXT_SUB, "  throughput", "%s requests/s",
                        ts_fmt_fixed(rate, 0, b, sizeof(b)));
    return rc;
}

int ts_report_text(const ts_result_t *res, FILE *out, ts_err_t *err)
{
    if (!res || !out || res->n_tiers > TS_MAX_TIERS)
        return ts_err_set(err, TS_EINVAL, "text report: bad arguments");
    text_table_t t; /* about 36 KiB: the cells of one block */
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
    if (!rc && res->has_live)
        rc = ts_report_text_live(res, out, err);
    if (!rc && res->has_timed)
        rc = text_timed(res, &t, out, err);
    if (!rc && res->has_cost)
        rc = text_cost(res, &t, out, err);
    if (!rc)
        rc = text_timing(res, out, err);
    if (!rc)
        rc = ts_out_finish(out, err, TEXT_WHAT);
    return rc;
}
