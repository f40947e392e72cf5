/* SPDX-License-Identifier: MIT */
/*
 * json.c - the JSON result document (schema 1, documented field by field in docs/results.md).
 *
 * Reads a ts_result_t only and builds the document with jansson, keys in insertion order,
 * then serialises it to memory before writing, so an allocation failure never leaves a
 * partial document in the output. Determinism: no wall-clock figure is written unless
 * with_timing is set; reals use 17 significant digits (exact round trip); strings that are
 * not valid UTF-8 have each bad byte replaced by U+FFFD. Counters are JSON integers, which
 * jansson limits to 2^63-1: a larger value fails with TS_ERANGE rather than being altered.
 * Cost: O(tiers) time and a few KiB of heap through ts_malloc.
 */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/fmt.h"
#include "../sim/util/text.h"

#define JSON_SCHEMA 1
#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
#define JSON_STR_MAX 1024 /* longest string field of a ts_result_t */

/* Building state: the first failure sticks and turns every later put into a no-op, so the
 * builders read as a flat list of fields and are checked once. */
typedef struct json_ctx {
    int rc;
    ts_err_t *err;
} json_ctx_t;

static pthread_once_t json_alloc_once = PTHREAD_ONCE_INIT;

/* The one-time init: routes jansson's allocations through ts_malloc/ts_free so the OOM
 * test hook reaches them. This is process-wide state inside jansson, set once (first call
 * of ts_report_json, under pthread_once) and never changed back. It is safe for other
 * jansson users in the process because ts_malloc/ts_free are plain malloc/free apart from
 * the test hook, so blocks allocated before or after the switch can be freed either way. */
static void json_init_alloc(void)
{
    json_set_alloc_funcs(ts_malloc, ts_free);
}

/* A JSON string from a field of at most size bytes (up to its NUL); NULL reads as "". A
 * byte that starts no valid UTF-8 sequence becomes U+FFFD (ts_utf8_fix): JSON strings are
 * UTF-8, and jansson refuses anything else. */
static json_t *json_str(const char *s, size_t size)
{
    s = ts_str(s);
    char buf[3 * JSON_STR_MAX + 1];
    size_t n = strnlen(s, size < JSON_STR_MAX ? size : JSON_STR_MAX);
    return json_stringn(buf, ts_utf8_fix(s, n, buf));
}

static void json_put(json_ctx_t *c, json_t *obj, const char *key, json_t *val)
{
    if (c->rc) {
        json_decref(val);
        return;
    }
    /* json_object_set_new releases val itself when it fails, and fails on a NULL val. */
    if (json_object_set_new(obj, key, val))
        c->rc = ts_err_set(c->err, TS_ENOMEM, "json: out of memory at \"%s\"", key);
}

static void json_put_u64(json_ctx_t *c, json_t *obj, const char *key, uint64_t v)
{
    if (c->rc)
        return;
    if (v > (uint64_t)INT64_MAX) {
        c->rc = ts_err_set(c->err, TS_ERANGE,
                           "json: \"%s\" = %" PRIu64 " exceeds the largest JSON integer (2^63-1)",
                           key, v);
        return;
    }
    json_put(c, obj, key, json_integer((json_int_t)v));
}

/* A finite real, or null (jansson cannot represent NaN or infinities). */
static void json_put_real(json_ctx_t *c, json_t *obj, const char *key, double v)
{
    json_put(c, obj, key, isfinite(v) ? json_real(v) : json_null());
}

/* Adds an empty object or array under key and returns it (NULL after a failure). */
static json_t *json_put_new(json_ctx_t *c, json_t *obj, const char *key, json_t *child)
{
    json_put(c, obj, key, child);
    return c->rc ? NULL : child;
}

static void json_scenario(json_ctx_t *c, json_t *root, const ts_result_t *res)
{
    json_t *o = json_put_new(c, root, "scenario", json_object());
    json_put(c, o, "source", json_str(res->scenario, TS_RESULT_SOURCE));
    json_put(c, o, "name", json_str(res->name, TS_RESULT_NAME));
    json_put_u64(c, o, "seed", res->seed);
    json_put(c, o, "mode", json_string(ts_mode_name(res->mode)));
    json_put(c, o, "engine", res->engine ? json_str(res->engine, JSON_STR_MAX) : json_null());
    json_put(c, o, "workload", json_str(res->workload, TS_RESULT_WORKLOAD));
    json_put_u64(c, o, "footprint_objects", res->footprint_objects);
    json_put_u64(c, o, "footprint_bytes", res->footprint_bytes);
    const ts_reader_units_t *u = &res->units;
    if (!u->ckpt_bytes)
        return;
    json_t *k = json_put_new(c, o, "checkpoint", json_object());
    if (!k)
        return;
    json_put_u64(c, k, "written", u->checkpoints);
    json_put_u64(c, k, "read", u->ckpt_reads);
    json_put_u64(c, k, "bytes_each", u->ckpt_bytes);
    json_put_u64(c, k, "ranks", u->gpus);
    json_put_u64(c, k, "bytes_written", u->ckpt_bytes_written);
    json_put_u64(c, k, "bytes_read", u->ckpt_bytes_read);
}

/* Appends a fresh object to arr and returns it (NULL after a failure). */
static json_t *json_append_object(json_ctx_t *c, json_t *arr, const char *what)
{
    if (c->rc)
        return NULL;
    json_t *o = json_object();
    if (json_array_append_new(arr, o)) { /* releases o; fails on NULL */
        c->rc = ts_err_set(c->err, TS_ENOMEM, "json: out of memory at \"%s\"", what);
        return NULL;
    }
    return o;
}

static void json_tier(json_ctx_t *c, json_t *arr, const ts_result_t *res,
                      const ts_tier_result_t *t)
{
    json_t *o = json_append_object(c, arr, "tiers");
    if (!o)
        return;
    const ts_tier_stats_t *st = &t->st;
    json_put(c, o, "name", json_str(t->name, TS_TIER_NAME));
    json_put(c, o, "policy", json_str(t->policy, TS_TIER_POLICY));
    json_put(c, o, "params", json_str(t->params, TS_TIER_PARAMS));
    json_put_u64(c, o, "capacity", t->capacity);
    json_put(c, o, "capacity_unit",
             json_string(res->mode == TS_MODE_BYTES ? "bytes" : "objects"));
    json_put_u64(c, o, "requests", st->n_req);
    json_put_u64(c, o, "hits", st->n_hit);
    json_put_u64(c, o, "misses", st->n_miss);
    json_put_real(c, o, "miss_ratio", ts_tier_miss_ratio(t));
    json_put_real(c, o, "byte_miss_ratio", ts_tier_byte_miss_ratio(t));
    json_put_u64(c, o, "evictions", st->n_evict);
    json_put_u64(c, o, "insertions", st->n_insert);
    json_put_u64(c, o, "too_large", st->n_too_large);
    json_put_u64(c, o, "removed", st->n_removed);
    json_put_u64(c, o, "bytes_requested", st->bytes_req);
    json_put_u64(c, o, "bytes_hit", st->bytes_hit);
    json_put_u64(c, o, "bytes_missed", st->bytes_miss);
    json_put_u64(c, o, "bytes_in", st->bytes_in);
    json_put_u64(c, o, "bytes_out", st->bytes_out);
    json_put_u64(c, o, "gets", st->n_get);
    json_put_u64(c, o, "puts", st->n_put);
    json_put_u64(c, o, "deletes", st->n_delete);
    json_put_u64(c, o, "used_peak", st->used_peak);
    json_put_u64(c, o, "objects_end", t->n_objects);
    json_put_u64(c, o, "used_end", t->used);
    json_put(c, o, "admission", json_str(ts_str(t->admit)[0] ? t->admit : "always", TS_TIER_ADMIT));
    json_put(c, o, "admission_params", json_str(t->admit_params, TS_TIER_ADMIT_PARAMS));
    json_put_u64(c, o, "refused", st->n_refused);
    json_put_u64(c, o, "promotions_in", st->n_promote_in);
    json_put_u64(c, o, "promotions_out", st->n_promote_out);
    json_put_u64(c, o, "demotions_in", st->n_demote_in);
    json_put_u64(c, o, "demotions_out", st->n_demote_out);
    json_put_u64(c, o, "back_invalidations", st->n_backinval);
    json_put_u64(c, o, "writebacks", st->n_writeback);
    json_put_u64(c, o, "writeback_bytes", st->bytes_writeback);
    json_put_u64(c, o, "prefetched", st->n_prefetch_in);
    json_put_u64(c, o, "prefetched_bytes", st->bytes_prefetch_in);
}

static void json_hierarchy(json_ctx_t *c, json_t *root, const ts_result_t *res)
{
    const ts_hier_result_t *h = &res->hier;
    const ts_hier_stats_t *st = &h->st;
    json_t *o = json_put_new(c, root, "hierarchy", json_object());
    json_put(c, o, "inclusion", json_string(h->inclusion ? h->inclusion : "non_inclusive"));
    json_put(c, o, "promote", json_string(h->promote ? h->promote : "top"));
    json_put(c, o, "demote", json_string(h->demote ? h->demote : "drop"));
    json_put(c, o, "write", json_string(h->write ? h->write : "through"));
    json_put(c, o, "flush_at_end", json_boolean(h->flush_at_end));
    json_t *p = json_put_new(c, o, "prefetch", json_object());
    json_put(c, p, "kind", json_str(ts_str(h->prefetch)[0] ? h->prefetch : "none", TS_HIER_PREFETCH));
    json_put(c, p, "params", json_str(h->prefetch_params, TS_HIER_PREFETCH_PARAMS));
    json_put(c, p, "into", json_str(h->prefetch_into, TS_HIER_PREFETCH_INTO));
    json_put_u64(c, p, "hints", st->n_pf_hint);
    json_put_u64(c, p, "issued", st->n_pf_issued);
    json_put_u64(c, p, "bytes", st->bytes_pf);
    json_put_u64(c, p, "used", st->n_pf_used);
    json_put_u64(c, p, "used_bytes", st->bytes_pf_used);
    json_put_u64(c, p, "unused", st->n_pf_unused);
    json_put_u64(c, p, "unused_bytes", st->bytes_pf_unused);
    json_put_u64(c, o, "writebacks", st->n_writeback);
    json_put_u64(c, o, "writeback_bytes", st->bytes_writeback);
    json_put_u64(c, o, "dirty_end", st->n_dirty_end);
    json_put_u64(c, o, "dirty_bytes_end", st->bytes_dirty_end);
    json_put_u64(c, o, "flushed_end", st->n_flush_end);
    json_put_u64(c, o, "flushed_bytes_end", st->bytes_flush_end);
    json_t *links = json_put_new(c, o, "links", json_array());
    for (size_t i = 0; i < res->n_tiers && !c->rc; i++) {
        json_t *l = json_append_object(c, links, "links");
        const char *lower = i + 1 < res->n_tiers ? res->tiers[i + 1].name : "backing";
        json_put(c, l, "upper", json_str(res->tiers[i].name, TS_TIER_NAME));
        json_put(c, l, "lower", json_str(lower, TS_TIER_NAME));
        json_put_u64(c, l, "transfers_up", h->link[i].n_up);
        json_put_u64(c, l, "bytes_up", h->link[i].bytes_up);
        json_put_u64(c, l, "transfers_down", h->link[i].n_down);
        json_put_u64(c, l, "bytes_down", h->link[i].bytes_down);
    }
}

static void json_totals(json_ctx_t *c, json_t *root, const ts_totals_t *to)
{
    json_t *o = json_put_new(c, root, "totals", json_object());
    json_put_u64(c, o, "requests", to->n_req);
    json_put_u64(c, o, "gets", to->n_get);
    json_put_u64(c, o, "puts", to->n_put);
    json_put_u64(c, o, "deletes", to->n_delete);
    json_put_u64(c, o, "bytes_requested", to->bytes_req);
    json_put_u64(c, o, "hits", to->n_hit);
    json_put_u64(c, o, "bytes_hit", to->bytes_hit);
    json_put_real(c, o, "hit_ratio", ts_ratio(to->n_hit, to->n_req));
    json_put_real(c, o, "byte_hit_ratio", ts_ratio(to->bytes_hit, to->bytes_req));
    json_put_u64(c, o, "backing_requests", to->n_backing);
    json_put_u64(c, o, "backing_bytes", to->bytes_backing);
    json_put_u64(c, o, "first_time_ns", to->first_ns);
    json_put_u64(c, o, "last_time_ns", to->last_ns);
}

static void json_timing(json_ctx_t *c, json_t *root, const ts_result_t *res)
{
    json_t *o = json_put_new(c, root, "timing", json_object());
    bool is_known = isfinite(res->wall_s) && res->wall_s > 0.0;
    json_put(c, o, "wall_s", is_known ? json_real(res->wall_s) : json_null());
    json_put(c, o, "requests_per_s",
             is_known ? json_real((double)res->totals.n_req / res->wall_s) : json_null());
}

static void json_lat(json_ctx_t *c, json_t *obj, const char *key, const ts_lat_t *l)
{
    json_t *o = json_put_new(c, obj, key, json_object());
    json_put_u64(c, o, "count", l->n);
    json_put_real(c, o, "mean_ns", l->mean_ns);
    json_put_u64(c, o, "p50_ns", l->p50_ns);
    json_put_u64(c, o, "p90_ns", l->p90_ns);
    json_put_u64(c, o, "p99_ns", l->p99_ns);
    json_put_u64(c, o, "p999_ns", l->p999_ns);
    json_put_u64(c, o, "max_ns", l->max_ns);
}

/* "latency": {all, get, put}, then "ttft". */
static void json_lat_sets(json_ctx_t *c, json_t *o, const ts_timed_result_t *t)
{
    json_t *lat = json_put_new(c, o, "latency", json_object());
    json_lat(c, lat, "all", &t->all);
    json_lat(c, lat, "get", &t->op[0]);
    json_lat(c, lat, "put", &t->op[1]);
    json_lat(c, o, "ttft", &t->ttft);
}

/* A level's name: the tier's, or "backing" past the tiers. */
static json_t *json_level(const ts_result_t *res, size_t l)
{
    return json_str(l < res->n_tiers ? res->tiers[l].name : "backing", TS_TIER_NAME);
}

/* "get_latency_by_level": one {level, latency} per tier and the backing store. */
static void json_by_level(json_ctx_t *c, json_t *o, const ts_result_t *res,
                          const ts_timed_result_t *t)
{
    json_t *served = json_put_new(c, o, "get_latency_by_level", json_array());
    for (size_t l = 0; served && l <= res->n_tiers && l < t->n_levels; l++) {
        json_t *e = json_append_object(c, served, "get_latency_by_level");
        json_put(c, e, "level", json_level(res, l));
        json_lat(c, e, "latency", &t->served[l]);
    }
}

static const char *const k_roles[] = {"device", "link_up", "link_down"};

/* The timed engine's figures: simulated time, never wall time, so they are deterministic. */
static void json_timed(json_ctx_t *c, json_t *root, const ts_result_t *res)
{
    const ts_timed_result_t *t = &res->timed;
    json_t *o = json_put_new(c, root, "timed", json_object());
    if (res->has_live) /* the timed engine's prediction of the live run */
        json_put(c, o, "is_prediction", json_true());
    json_put(c, o, "arrivals", json_string(ts_arrivals_names[t->arrivals]));
    json_put_real(c, o, "time_scale", t->time_scale);
    json_put_u64(c, o, "clients", t->clients);
    json_put_u64(c, o, "think_ns", t->think_ns);
    json_put_u64(c, o, "span_ns", t->span_ns);
    json_put_u64(c, o, "end_ns", t->end_ns);
    json_put_u64(c, o, "timed_requests", t->n_timed);
    json_put_real(c, o, "requests_per_s", t->req_per_s);
    json_put_real(c, o, "bytes_per_s", t->bytes_per_s);
    json_put_u64(c, o, "background_jobs", t->n_background);
    json_put_u64(c, o, "background_bytes", t->bytes_background);
    json_put_u64(c, o, "compute_ns", t->compute_ns);
    json_put_u64(c, o, "stall_ns", t->stall_ns);
    json_put_real(c, o, "accelerator_utilisation", t->utilisation);
    json_put_u64(c, o, "loader_workers", t->loader_workers);
    json_put_u64(c, o, "prefetch_factor", t->prefetch_factor);
    json_put_real(c, o, "au_target", t->au_target);
    json_lat_sets(c, o, t);
    json_put_u64(c, o, "prefill_tokens_saved", t->prefill_tokens_saved);
    json_put_u64(c, o, "prefill_tokens_recomputed", t->prefill_tokens_recomputed);
    json_put_u64(c, o, "kv_recomputed", t->kv_recomputed);
    json_put_u64(c, o, "kv_recomputed_bytes", t->kv_recomputed_bytes);
    json_put_real(c, o, "prefill_rate", t->prefill_rate);
    json_put_u64(c, o, "block_tokens", t->block_tokens);
    json_put(c, o, "prefill_source", json_str(t->prefill_source, TS_PREFILL_SOURCE));
    json_by_level(c, o, res, t);
    json_t *rs = json_put_new(c, o, "resources", json_array());
    for (size_t i = 0; rs && i < t->n_res; i++) {
        const ts_res_result_t *r = &t->res[i];
        json_t *e = json_append_object(c, rs, "resources");
        json_put(c, e, "name", json_str(r->name, TS_RES_NAME));
        json_put(c, e, "role", json_string(k_roles[r->role < 3 ? r->role : 0]));
        json_put(c, e, "level", json_level(res, r->level));
        json_put_u64(c, e, "channels", r->channels);
        json_put_u64(c, e, "operations", r->n_ops);
        json_put_u64(c, e, "bytes", r->bytes);
        json_put_real(c, e, "utilisation", r->utilisation);
        json_put_real(c, e, "mean_queue", r->mean_queue);
        json_put_real(c, e, "mean_wait_ns", r->mean_wait_ns);
        json_put_u64(c, e, "max_wait_ns", r->max_wait_ns);
        json_put_real(c, e, "mean_in_system", r->mean_in_system);
        json_put(c, e, "utilisation_of", json_string(r->is_bw_util ? "bandwidth" : "channels"));
        json_put_real(c, e, "channel_utilisation", r->channel_utilisation);
        if (t->arrivals != TS_ARRIVALS_OPEN)
            continue;
        json_put(c, e, "overloaded", json_boolean(r->is_overloaded));
        json_put(c, e, "load_unit", json_string(r->is_load_bytes ? "bytes/s" : "requests/s"));
        json_put_real(c, e, "offered_per_s", r->offered_per_s);
        json_put_real(c, e, "capacity_per_s", r->capacity_per_s);
        json_put_u64(c, e, "backlog_since_ns", r->backlog_since_ns);
    }
    json_put_u64(c, o, "arrivals_end_ns", t->arrivals_end_ns);
    json_put_u64(c, o, "overloaded", t->n_overloaded);
    json_put(c, o, "partial", json_boolean(t->partial));
    json_put(c, o, "stop_reason", json_str(t->stop_reason, TS_TIMED_STOP));
}

/* A finite real, or null: an error in percent that has nothing to compare with. */
static json_t *json_real_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* What the live run measured, in the timed section's shape (wall time: differs from run
 * to run by nature). */
static void json_live_measured(json_ctx_t *c, json_t *lo, const ts_result_t *res)
{
    const ts_timed_result_t *m = &res->live.m;
    json_t *o = json_put_new(c, lo, "measured", json_object());
    json_put_u64(c, o, "span_ns", m->span_ns);
    json_put_u64(c, o, "timed_requests", m->n_timed);
    json_put_real(c, o, "requests_per_s", m->req_per_s);
    json_put_real(c, o, "bytes_per_s", m->bytes_per_s);
    json_put_u64(c, o, "compute_ns", m->compute_ns);
    json_put_u64(c, o, "stall_ns", m->stall_ns);
    json_put_real(c, o, "accelerator_utilisation", m->utilisation);
    json_put_u64(c, o, "prefill_tokens_saved", m->prefill_tokens_saved);
    json_put_u64(c, o, "prefill_tokens_recomputed", m->prefill_tokens_recomputed);
    json_put_u64(c, o, "kv_recomputed", m->kv_recomputed);
    json_lat_sets(c, o, m);
    json_by_level(c, o, res, m);
}

/* Each figure measured beside predicted, with the error in percent. */
static void json_live_compare(json_ctx_t *c, json_t *lo, const ts_result_t *res)
{
    ts_live_fig_t figs[TS_LIVE_FIGS];
    size_t n = ts_report_live_figures(res, figs);
    json_t *arr = json_put_new(c, lo, "compare", json_array());
    for (size_t i = 0; arr && i < n; i++) {
        const ts_live_fig_t *f = &figs[i];
        json_t *e = json_append_object(c, arr, "compare");
        json_put(c, e, "figure", json_str(f->key, sizeof(f->key)));
        json_put(c, e, "unit", json_string(ts_report_live_unit_name(f->unit)));
        json_put_real(c, e, "measured", f->measured);
        json_put(c, e, "predicted", f->has_predicted ? json_real_or_null(f->predicted)
                                                      : json_null());
        json_put(c, e, "error_pct", json_real_or_null(ts_report_live_error_pct(f)));
    }
}

/* What each level's back-end did; rates over the measured span. */
static void json_live_backends(json_ctx_t *c, json_t *lo, const ts_result_t *res)
{
    const ts_live_result_t *lr = &res->live;
    json_t *arr = json_put_new(c, lo, "backends", json_array());
    for (size_t l = 0; arr && l < lr->n_levels; l++) {
        const ts_live_level_t *d = &lr->level[l];
        json_t *e = json_append_object(c, arr, "backends");
        json_put(c, e, "level", json_level(res, l));
        json_put(c, e, "backend", json_str(d->backend, TS_LIVE_BACKEND));
        json_put(c, e, "direct", json_boolean(d->direct));
        json_put(c, e, "emulated", json_boolean(d->emulated));
        json_put_u64(c, e, "reads", d->n_read);
        json_put_u64(c, e, "writes", d->n_write);
        json_put_u64(c, e, "frees", d->n_free);
        json_put_u64(c, e, "bytes_read", d->bytes_read);
        json_put_u64(c, e, "bytes_written", d->bytes_written);
        json_lat(c, e, "read_latency", &d->read);
        json_lat(c, e, "write_latency", &d->write);
        json_put_u64(c, e, "max_inflight", d->max_inflight);
        json_put_real(c, e, "busy_s", d->busy_s);
        json_put_real(c, e, "iops", ts_report_live_iops(d, lr->m.span_ns));
        json_put_real(c, e, "bytes_per_s", ts_report_live_bytes_per_s(d, lr->m.span_ns));
    }
}

/* The live engine's run: how it ran, what it measured, measured beside predicted (the
 * prediction itself is "timed"), and each back-end. */
static void json_live(json_ctx_t *c, json_t *root, const ts_result_t *res)
{
    const ts_live_result_t *lr = &res->live;
    const ts_timed_result_t *m = &lr->m;
    json_t *o = json_put_new(c, root, "live", json_object());
    json_put(c, o, "arrivals", json_string(ts_arrivals_names[m->arrivals < TS_ARRIVALS_COUNT_
                                                                 ? m->arrivals
                                                                 : 0]));
    json_put_real(c, o, "time_scale", m->time_scale);
    json_put_real(c, o, "speed", lr->speed);
    json_put_u64(c, o, "clients", m->clients);
    json_put_u64(c, o, "think_ns", m->think_ns);
    json_put(c, o, "verify", json_boolean(lr->verify));
    json_put_u64(c, o, "verified_reads", lr->n_verified);
    json_t *pop = json_put_new(c, o, "populate", json_object());
    json_put_u64(c, pop, "objects", lr->populate_objects);
    json_put_u64(c, pop, "bytes", lr->populate_bytes);
    json_put_real(c, pop, "seconds", lr->populate_s);
    json_put_u64(c, o, "made_objects", lr->made_objects);
    json_t *late = json_put_new(c, o, "late", json_object());
    json_put_u64(c, late, "requests", lr->n_late);
    json_put_u64(c, late, "max_ns", lr->late_max_ns);
    json_put_real(c, o, "cpu_s", lr->cpu_s);
    json_put(c, o, "partial", json_boolean(lr->partial));
    json_put(c, o, "stop_reason",
             lr->stop_reason ? json_str(lr->stop_reason, TS_LIVE_STOP) : json_null());
    json_live_measured(c, o, res);
    json_live_compare(c, o, res);
    json_live_backends(c, o, res);
}

/* A normalised figure: the dollars per unit, or null when the workload did not count it. */
static void json_put_per(json_ctx_t *c, json_t *o, const char *key, double usd, bool is_known)
{
    json_put(c, o, key, is_known ? json_real(usd) : json_null());
}

/* The bill (docs/cost.md): reals are dollars unless the key names another unit. */
static void json_cost(json_ctx_t *c, json_t *root, const ts_result_t *res)
{
    const ts_cost_result_t *k = &res->cost;
    json_t *o = json_put_new(c, root, "cost", json_object());
    json_t *pr = json_put_new(c, o, "prices", json_object());
    json_put(c, pr, "profile", json_str(k->prices, TS_PRICE_ROW));
    json_put(c, pr, "date", json_str(k->prices_date, TS_PRICE_DATE));
    json_put_u64(c, o, "period_ns", k->period_ns);
    json_put(c, o, "period_from",
             json_string(k->period_from >= 0 && k->period_from < TS_COST_PERIOD_COUNT_
                             ? ts_cost_period_names[k->period_from]
                             : "?"));
    json_t *levels = json_put_new(c, o, "levels", json_array());
    for (size_t i = 0; levels && i < k->n_levels; i++) {
        const ts_cost_level_t *l = &k->level[i];
        json_t *e = json_append_object(c, levels, "levels");
        json_put(c, e, "name", json_str(l->name, TS_COST_LEVEL_NAME));
        json_put(c, e, "priced_as", json_str(l->price.row, sizeof(l->price.row)));
        json_put_u64(c, e, "billed_bytes", l->billed_bytes);
        json_put(c, e, "billed_estimated", json_boolean(l->is_estimated));
        json_put_real(c, e, "purchase_usd_per_gb", l->price.purchase_usd_gb);
        json_put_u64(c, e, "lifetime_ns", l->price.lifetime_ns);
        json_put_real(c, e, "storage_usd_per_gb_month", l->price.storage_usd_gb_month);
        json_put_real(c, e, "power_w", l->price.power_w);
        json_put_real(c, e, "capacity_usd", l->capacity_usd);
    }
    json_put_real(c, o, "capacity_usd", k->capacity_usd);
    static const ts_price_t none; /* a bill without levels prices nothing */
    const ts_price_t *b = k->n_levels && k->level ? &k->level[k->n_levels - 1].price : &none;
    json_t *rq = json_put_new(c, o, "requests", json_object());
    json_put_u64(c, rq, "gets", k->n_get);
    json_put_u64(c, rq, "puts", k->n_put);
    json_put_u64(c, rq, "recomputed_not_billed", res->has_timed ? res->timed.kv_recomputed : 0);
    json_put_real(c, rq, "usd_per_get", b->get_usd);
    json_put_real(c, rq, "usd_per_put", b->put_usd);
    json_put_real(c, rq, "usd", k->requests_usd);
    json_t *tr = json_put_new(c, o, "transfer", json_object());
    json_put_u64(c, tr, "bytes_out", k->bytes_out);
    json_put_u64(c, tr, "bytes_in", k->bytes_in);
    json_put_real(c, tr, "egress_usd_per_gb", b->egress_usd_gb);
    json_put_real(c, tr, "ingress_usd_per_gb", b->ingress_usd_gb);
    json_put_real(c, tr, "usd", k->transfer_usd);
    json_t *g = json_put_new(c, o, "gpu", json_object());
    json_put(c, g, "name", json_str(k->gpu, TS_DEV_NAME));
    json_put_u64(c, g, "count", k->gpus);
    json_put(c, g, "count_from", json_string(k->gpus_from ? k->gpus_from : "none"));
    json_put_real(c, g, "usd_per_hour", k->gpu_usd_hour);
    json_put(c, g, "price_fallback",
             ts_str(k->gpu_fallback)[0] ? json_str(k->gpu_fallback, TS_PRICE_ROW) : json_null());
    json_put_real(c, g, "usd", k->gpu_usd);
    json_put(c, g, "stall_share", k->has_stall ? json_real(k->stall_share) : json_null());
    json_put(c, g, "stall_usd", k->has_stall ? json_real(k->stall_usd) : json_null());
    json_t *pw = json_put_new(c, o, "power", json_object());
    json_put_real(c, pw, "watts", k->power_w);
    json_put_real(c, pw, "kwh", k->energy_kwh);
    json_put_real(c, pw, "usd_per_kwh", k->electricity_usd_kwh);
    json_put_real(c, pw, "usd", k->power_usd);
    json_put_real(c, o, "total_usd", k->total_usd);
    json_t *per = json_put_new(c, o, "normalised", json_object());
    json_put_u64(c, per, "requests", k->n_requests);
    json_put_per(c, per, "usd_per_million_requests", k->usd_per_m_requests, k->n_requests > 0);
    json_put_real(c, per, "epochs", k->epochs);
    json_put_per(c, per, "usd_per_epoch", k->usd_per_epoch, k->epochs > 0);
    json_put_u64(c, per, "tokens", k->tokens);
    json_put(c, per, "tokens_from",
             json_string(!k->tokens ? "none" : k->is_prefill_tokens ? "prefill" : "workload"));
    json_put_per(c, per, "usd_per_million_tokens", k->usd_per_m_tokens, k->tokens > 0);
    json_put_u64(c, per, "sessions", k->sessions);
    json_put_per(c, per, "usd_per_session", k->usd_per_session, k->sessions > 0);
}

static json_t *json_build(const ts_result_t *res, bool with_timing, ts_err_t *err, int *rc)
{
    json_ctx_t c = {0, err};
    json_t *root = json_object();
    if (!root) {
        *rc = ts_err_set(err, TS_ENOMEM, "json: out of memory");
        return NULL;
    }
    json_put(&c, root, "tiersim_version", json_string(TS_VERSION));
    json_put(&c, root, "schema", json_integer(JSON_SCHEMA));
    json_scenario(&c, root, res);
    json_t *tiers = json_put_new(&c, root, "tiers", json_array());
    for (size_t i = 0; i < res->n_tiers; i++)
        json_tier(&c, tiers, res, &res->tiers[i]);
    json_totals(&c, root, &res->totals);
    json_t *to = json_object_get(root, "totals");
    json_put_u64(&c, to, "skipped_records", res->skipped_records);
    json_put(&c, to, "skipped_first",
             json_str(res->skipped_first, TS_RESULT_SKIPPED));
    if (res->has_timed) { /* KV gets no tier held, prefilled again rather than read */
        json_put_u64(&c, to, "recomputed_blocks", res->timed.kv_recomputed);
        json_put_u64(&c, to, "recomputed_tokens", res->timed.prefill_tokens_recomputed);
    }
    json_hierarchy(&c, root, res);
    if (res->has_live)
        json_live(&c, root, res);
    if (res->has_timed)
        json_timed(&c, root, res);
    if (res->has_cost)
        json_cost(&c, root, res);
    if (with_timing)
        json_timing(&c, root, res);
    if (c.rc) {
        json_decref(root);
        *rc = c.rc;
        return NULL;
    }
    *rc = 0;
    return root;
}

int ts_report_json(const ts_result_t *res, bool with_timing, FILE *out, ts_err_t *err)
{
    if (!res || !out || res->n_tiers > TS_MAX_TIERS)
        return ts_err_set(err, TS_EINVAL, "json: bad arguments");
    pthread_once(&json_alloc_once, json_init_alloc);

    int rc;
    json_t *root = json_build(res, with_timing, err, &rc);
    if (!root)
        return rc;
    char *text = json_dumps(root, JSON_FLAGS);
    json_decref(root);
    if (!text)
        return ts_err_set(err, TS_ENOMEM, "json: out of memory serialising the document");

    size_t n = strlen(text);
    errno = 0;
    size_t put = fwrite(text, 1, n, out);
    int e = errno;
    ts_free(text); /* jansson allocated it through ts_malloc (json_init_alloc) */
    if (put != n)
        return ts_err_sys(err, TS_EIO, e ? e : EIO, "json: write failed");
    rc = ts_out_printf(out, err, "json", "\n");
    return rc ? rc : ts_out_finish(out, err, "json");
}
