/* SPDX-License-Identifier: MIT */
/*
 * h5_layout.c - the HDF5 results file's column tables and types (see h5_internal.h; the
 * layout is documented in docs/results-hdf5.md). Column names follow the CSV and JSON
 * writers. New columns go at the end of their table, marked OPT: older files lack them.
 */
#include "h5_internal.h"

#include <stdio.h>
#include <string.h>

#include "../sim/util/mem.h"

#define TS__COUNT(a) (sizeof(a) / sizeof(a[0]))
#define TS__TABLE(name, fields, type) \
    const ts__h5_table_t name = {fields, TS__COUNT(fields), sizeof(type)}

/* One entry: name, struct, member (and a string's size), then OPT(bits) for a column or
 * attribute added after the first layout (b73d664's), which older files lack: bits are the
 * TS_LACKS_* a report needs to tell such a file's 0 from a measured one, or TS_LACKS_SOME
 * alone. */
#define FIELD(n, T, m, k, sz, ...) \
    {.name = (n), .offset = offsetof(T, m), .kind = (k), .size = (sz), __VA_ARGS__}
#define U64(n, T, m, ...) FIELD(n, T, m, TS__H5_U64, 0, __VA_ARGS__)
#define F64(n, T, m, ...) FIELD(n, T, m, TS__H5_F64, 0, __VA_ARGS__)
#define U32(n, T, m, ...) FIELD(n, T, m, TS__H5_U32, 0, __VA_ARGS__)
#define U8(n, T, m, ...) FIELD(n, T, m, TS__H5_U8, 0, __VA_ARGS__)
#define I32(n, T, m, ...) FIELD(n, T, m, TS__H5_I32, 0, __VA_ARGS__)
#define STR(n, T, m, ...) FIELD(n, T, m, TS__H5_STR, sizeof(((T *)0)->m), __VA_ARGS__)
#define PSTR(n, T, m, size, ...) FIELD(n, T, m, TS__H5_PSTR, size, __VA_ARGS__)
#define OPT(bits) .optional = TS_LACKS_SOME | (bits)

_Static_assert(sizeof(bool) == 1, "bool columns are stored as u8");
_Static_assert(sizeof(size_t) == sizeof(uint64_t), "size_t columns are stored as u64");
_Static_assert(sizeof(uint32_t) == sizeof(((ts_timed_result_t *)0)->clients), "clients is u32");
_Static_assert(sizeof(uint32_t) == sizeof(((ts_live_level_t *)0)->max_inflight),
               "max_inflight is u32");

const char *const ts__h5_engine_names[TS__H5_ENGINES] = {"fast", "timed", "live"};

static const ts__h5_field_t k_run_attrs[] = {
    PSTR("scenario", ts_result_t, scenario, TS_RESULT_SOURCE),
    PSTR("name", ts_result_t, name, TS_RESULT_NAME),
    PSTR("workload", ts_result_t, workload, TS_RESULT_WORKLOAD),
    U64("seed", ts_result_t, seed),
    U64("footprint_objects", ts_result_t, footprint_objects),
    U64("footprint_bytes", ts_result_t, footprint_bytes),
    U64("skipped_records", ts_result_t, skipped_records),
    PSTR("skipped_first", ts_result_t, skipped_first, TS_RESULT_SKIPPED),
};
TS__TABLE(ts__h5_run_attrs, k_run_attrs, ts_result_t);

#define TIER_ST(n, m) U64(n, ts_tier_result_t, st.m)
static const ts__h5_field_t k_tiers[] = {
    PSTR("tier", ts_tier_result_t, name, TS_TIER_NAME),
    PSTR("policy", ts_tier_result_t, policy, TS_TIER_POLICY),
    PSTR("params", ts_tier_result_t, params, TS_TIER_PARAMS),
    U64("capacity", ts_tier_result_t, capacity),
    TIER_ST("requests", n_req),
    TIER_ST("hits", n_hit),
    TIER_ST("misses", n_miss),
    TIER_ST("bytes_requested", bytes_req),
    TIER_ST("bytes_hit", bytes_hit),
    TIER_ST("bytes_missed", bytes_miss),
    TIER_ST("gets", n_get),
    TIER_ST("puts", n_put),
    TIER_ST("deletes", n_delete),
    TIER_ST("insertions", n_insert),
    TIER_ST("evictions", n_evict),
    TIER_ST("too_large", n_too_large),
    TIER_ST("removed", n_removed),
    TIER_ST("bytes_in", bytes_in),
    TIER_ST("bytes_out", bytes_out),
    TIER_ST("used_peak", used_peak),
    U64("objects_end", ts_tier_result_t, n_objects),
    U64("used_end", ts_tier_result_t, used),
    PSTR("admission", ts_tier_result_t, admit, TS_TIER_ADMIT),
    PSTR("admission_params", ts_tier_result_t, admit_params, TS_TIER_ADMIT_PARAMS),
    TIER_ST("refused", n_refused),
    TIER_ST("promotions_in", n_promote_in),
    TIER_ST("promotions_out", n_promote_out),
    TIER_ST("demotions_in", n_demote_in),
    TIER_ST("demotions_out", n_demote_out),
    TIER_ST("back_invalidations", n_backinval),
    TIER_ST("writebacks", n_writeback),
    TIER_ST("writeback_bytes", bytes_writeback),
    TIER_ST("prefetched", n_prefetch_in),
    TIER_ST("prefetched_bytes", bytes_prefetch_in),
};
TS__TABLE(ts__h5_tiers, k_tiers, ts_tier_result_t);

static const ts__h5_field_t k_totals[] = {
    U64("requests", ts_totals_t, n_req),
    U64("gets", ts_totals_t, n_get),
    U64("puts", ts_totals_t, n_put),
    U64("deletes", ts_totals_t, n_delete),
    U64("bytes_requested", ts_totals_t, bytes_req),
    U64("hits", ts_totals_t, n_hit),
    U64("bytes_hit", ts_totals_t, bytes_hit),
    U64("backing_requests", ts_totals_t, n_backing),
    U64("backing_bytes", ts_totals_t, bytes_backing),
    U64("first_time_ns", ts_totals_t, first_ns),
    U64("last_time_ns", ts_totals_t, last_ns),
};
TS__TABLE(ts__h5_totals, k_totals, ts_totals_t);

static const ts__h5_field_t k_hier_attrs[] = {
    U8("flush_at_end", ts_hier_result_t, flush_at_end),
    PSTR("prefetch", ts_hier_result_t, prefetch, TS_HIER_PREFETCH),
    PSTR("prefetch_params", ts_hier_result_t, prefetch_params, TS_HIER_PREFETCH_PARAMS),
    PSTR("prefetch_into", ts_hier_result_t, prefetch_into, TS_HIER_PREFETCH_INTO),
};
TS__TABLE(ts__h5_hier_attrs, k_hier_attrs, ts_hier_result_t);

static const ts__h5_field_t k_hier_counters[] = {
    U64("writebacks", ts_hier_stats_t, n_writeback),
    U64("writeback_bytes", ts_hier_stats_t, bytes_writeback),
    U64("dirty_end", ts_hier_stats_t, n_dirty_end),
    U64("dirty_bytes_end", ts_hier_stats_t, bytes_dirty_end),
    U64("flushed_end", ts_hier_stats_t, n_flush_end),
    U64("flushed_bytes_end", ts_hier_stats_t, bytes_flush_end),
    U64("prefetch_hints", ts_hier_stats_t, n_pf_hint),
    U64("prefetch_issued", ts_hier_stats_t, n_pf_issued),
    U64("prefetch_bytes", ts_hier_stats_t, bytes_pf),
    U64("prefetch_used", ts_hier_stats_t, n_pf_used),
    U64("prefetch_used_bytes", ts_hier_stats_t, bytes_pf_used),
    U64("prefetch_unused", ts_hier_stats_t, n_pf_unused),
    U64("prefetch_unused_bytes", ts_hier_stats_t, bytes_pf_unused),
};
TS__TABLE(ts__h5_hier_counters, k_hier_counters, ts_hier_stats_t);

static const ts__h5_field_t k_links[] = {
    STR("upper", ts__h5_link_row_t, upper),
    STR("lower", ts__h5_link_row_t, lower),
    U64("transfers_up", ts__h5_link_row_t, st.n_up),
    U64("bytes_up", ts__h5_link_row_t, st.bytes_up),
    U64("transfers_down", ts__h5_link_row_t, st.n_down),
    U64("bytes_down", ts__h5_link_row_t, st.bytes_down),
};
TS__TABLE(ts__h5_links, k_links, ts__h5_link_row_t);

static const ts__h5_field_t k_timed_attrs[] = {
    F64("time_scale", ts_timed_result_t, time_scale),
    U32("clients", ts_timed_result_t, clients),
    U64("think_ns", ts_timed_result_t, think_ns),
    U64("span_ns", ts_timed_result_t, span_ns),
    U64("end_ns", ts_timed_result_t, end_ns),
    U64("timed_requests", ts_timed_result_t, n_timed),
    F64("requests_per_s", ts_timed_result_t, req_per_s),
    F64("bytes_per_s", ts_timed_result_t, bytes_per_s),
    U64("background_jobs", ts_timed_result_t, n_background),
    U64("background_bytes", ts_timed_result_t, bytes_background),
    U64("compute_ns", ts_timed_result_t, compute_ns),
    U64("stall_ns", ts_timed_result_t, stall_ns),
    F64("accelerator_utilisation", ts_timed_result_t, utilisation),
    U64("prefill_tokens_saved", ts_timed_result_t, prefill_tokens_saved),
    U64("prefill_tokens_recomputed", ts_timed_result_t, prefill_tokens_recomputed),
    U64("kv_recomputed", ts_timed_result_t, kv_recomputed),
    U64("kv_recomputed_bytes", ts_timed_result_t, kv_recomputed_bytes, OPT(TS_LACKS_KV_BYTES)),
    F64("prefill_rate", ts_timed_result_t, prefill_rate),
    U64("block_tokens", ts_timed_result_t, block_tokens),
    PSTR("prefill_source", ts_timed_result_t, prefill_source, TS_PREFILL_SOURCE),
    U64("arrivals_end_ns", ts_timed_result_t, arrivals_end_ns, OPT(TS_LACKS_OVERLOAD)),
    U32("overloaded", ts_timed_result_t, n_overloaded, OPT(TS_LACKS_OVERLOAD)),
    U8("partial", ts_timed_result_t, partial, OPT(TS_LACKS_OVERLOAD)),
    PSTR("stop_reason", ts_timed_result_t, stop_reason, TS_TIMED_STOP, OPT(TS_LACKS_OVERLOAD)),
    U32("loader_workers", ts_timed_result_t, loader_workers, OPT(0)),
    U32("prefetch_factor", ts_timed_result_t, prefetch_factor, OPT(0)),
    F64("au_target", ts_timed_result_t, au_target, OPT(0)),
};
TS__TABLE(ts__h5_timed_attrs, k_timed_attrs, ts_timed_result_t);

static const ts__h5_field_t k_cost_attrs[] = {
    U64("period_ns", ts_cost_result_t, period_ns),
    I32("period_from", ts_cost_result_t, period_from),
    F64("capacity_usd", ts_cost_result_t, capacity_usd),
    U64("gets", ts_cost_result_t, n_get),
    U64("puts", ts_cost_result_t, n_put),
    F64("get_usd", ts_cost_result_t, get_usd),
    F64("put_usd", ts_cost_result_t, put_usd),
    F64("requests_usd", ts_cost_result_t, requests_usd),
    U64("bytes_out", ts_cost_result_t, bytes_out),
    U64("bytes_in", ts_cost_result_t, bytes_in),
    F64("egress_usd", ts_cost_result_t, egress_usd),
    F64("ingress_usd", ts_cost_result_t, ingress_usd),
    F64("transfer_usd", ts_cost_result_t, transfer_usd),
    PSTR("gpu", ts_cost_result_t, gpu, TS_DEV_NAME),
    U64("gpus", ts_cost_result_t, gpus),
    F64("gpu_usd_per_hour", ts_cost_result_t, gpu_usd_hour),
    F64("gpu_usd", ts_cost_result_t, gpu_usd),
    U8("has_stall", ts_cost_result_t, has_stall),
    F64("stall_share", ts_cost_result_t, stall_share),
    F64("stall_usd", ts_cost_result_t, stall_usd),
    F64("power_w", ts_cost_result_t, power_w),
    F64("electricity_usd_per_kwh", ts_cost_result_t, electricity_usd_kwh),
    F64("energy_kwh", ts_cost_result_t, energy_kwh),
    F64("power_usd", ts_cost_result_t, power_usd),
    F64("total_usd", ts_cost_result_t, total_usd),
    U64("requests", ts_cost_result_t, n_requests),
    F64("usd_per_million_requests", ts_cost_result_t, usd_per_m_requests),
    F64("epochs", ts_cost_result_t, epochs),
    F64("usd_per_epoch", ts_cost_result_t, usd_per_epoch),
    U64("tokens", ts_cost_result_t, tokens),
    U8("tokens_from_prefill", ts_cost_result_t, is_prefill_tokens),
    F64("usd_per_million_tokens", ts_cost_result_t, usd_per_m_tokens),
    U64("sessions", ts_cost_result_t, sessions),
    F64("usd_per_session", ts_cost_result_t, usd_per_session),
    PSTR("prices", ts_cost_result_t, prices, TS_PRICE_ROW, OPT(TS_LACKS_PRICES)),
    PSTR("prices_date", ts_cost_result_t, prices_date, TS_PRICE_ROW, OPT(TS_LACKS_PRICES)),
    PSTR("gpu_price_fallback", ts_cost_result_t, gpu_fallback, TS_PRICE_ROW,
         OPT(TS_LACKS_PRICES)),
};
TS__TABLE(ts__h5_cost_attrs, k_cost_attrs, ts_cost_result_t);

const char *const ts__h5_gpus_from[4] = {"none", "cost.gpus", "timed.clients", "workload"};

static const ts__h5_field_t k_cost_levels[] = {
    PSTR("level", ts_cost_level_t, name, TS_COST_LEVEL_NAME),
    STR("priced_as", ts_cost_level_t, price.row),
    U64("billed_bytes", ts_cost_level_t, billed_bytes),
    U8("billed_estimated", ts_cost_level_t, is_estimated),
    F64("purchase_usd_per_gb", ts_cost_level_t, price.purchase_usd_gb),
    U64("lifetime_ns", ts_cost_level_t, price.lifetime_ns),
    F64("storage_usd_per_gb_month", ts_cost_level_t, price.storage_usd_gb_month),
    F64("power_w", ts_cost_level_t, price.power_w),
    U64("capacity_bytes", ts_cost_level_t, price.capacity_bytes),
    F64("usd_per_get", ts_cost_level_t, price.get_usd),
    F64("usd_per_put", ts_cost_level_t, price.put_usd),
    F64("egress_usd_per_gb", ts_cost_level_t, price.egress_usd_gb),
    F64("ingress_usd_per_gb", ts_cost_level_t, price.ingress_usd_gb),
    F64("gpu_usd_per_hour", ts_cost_level_t, price.gpu_usd_hour),
    F64("capacity_usd", ts_cost_level_t, capacity_usd),
};
TS__TABLE(ts__h5_cost_levels, k_cost_levels, ts_cost_level_t);

static const ts__h5_field_t k_latency[] = {
    STR("name", ts__h5_lat_row_t, name),
    I32("level", ts__h5_lat_row_t, level),
    U64("count", ts__h5_lat_row_t, lat.n),
    F64("mean_ns", ts__h5_lat_row_t, lat.mean_ns),
    U64("p50_ns", ts__h5_lat_row_t, lat.p50_ns),
    U64("p90_ns", ts__h5_lat_row_t, lat.p90_ns),
    U64("p99_ns", ts__h5_lat_row_t, lat.p99_ns),
    U64("p999_ns", ts__h5_lat_row_t, lat.p999_ns),
    U64("max_ns", ts__h5_lat_row_t, lat.max_ns),
};
TS__TABLE(ts__h5_latency, k_latency, ts__h5_lat_row_t);

static const ts__h5_field_t k_resources[] = {
    PSTR("name", ts_res_result_t, name, TS_RES_NAME),
    U8("role", ts_res_result_t, role),
    U8("level", ts_res_result_t, level),
    U64("channels", ts_res_result_t, channels),
    U64("operations", ts_res_result_t, n_ops),
    U64("bytes", ts_res_result_t, bytes),
    F64("utilisation", ts_res_result_t, utilisation),
    F64("mean_queue", ts_res_result_t, mean_queue),
    F64("mean_wait_ns", ts_res_result_t, mean_wait_ns),
    U64("max_wait_ns", ts_res_result_t, max_wait_ns),
    F64("mean_in_system", ts_res_result_t, mean_in_system),
    U8("utilisation_of_bandwidth", ts_res_result_t, is_bw_util, OPT(TS_LACKS_UTIL_OF)),
    F64("channel_utilisation", ts_res_result_t, channel_utilisation, OPT(TS_LACKS_UTIL_OF)),
    U8("overloaded", ts_res_result_t, is_overloaded, OPT(TS_LACKS_OVERLOAD)),
    U8("load_in_bytes", ts_res_result_t, is_load_bytes, OPT(TS_LACKS_OVERLOAD)),
    F64("offered_per_s", ts_res_result_t, offered_per_s, OPT(TS_LACKS_OVERLOAD)),
    F64("capacity_per_s", ts_res_result_t, capacity_per_s, OPT(TS_LACKS_OVERLOAD)),
    U64("backlog_since_ns", ts_res_result_t, backlog_since_ns, OPT(TS_LACKS_OVERLOAD)),
};
TS__TABLE(ts__h5_resources, k_resources, ts_res_result_t);

static const ts__h5_field_t k_buckets[] = {
    U64("lo_ns", ts_hist_bucket_t, lo_ns),
    U64("hi_ns", ts_hist_bucket_t, hi_ns),
    U64("count", ts_hist_bucket_t, count),
};
TS__TABLE(ts__h5_buckets, k_buckets, ts_hist_bucket_t);

static const ts__h5_field_t k_live_attrs[] = {
    F64("speed", ts_live_result_t, speed),
    U8("verify", ts_live_result_t, verify),
    U64("verified_reads", ts_live_result_t, n_verified),
    U64("late_requests", ts_live_result_t, n_late),
    U64("late_max_ns", ts_live_result_t, late_max_ns),
    U64("populate_objects", ts_live_result_t, populate_objects),
    U64("populate_bytes", ts_live_result_t, populate_bytes),
    F64("populate_s", ts_live_result_t, populate_s),
    U64("made_objects", ts_live_result_t, made_objects),
    F64("cpu_s", ts_live_result_t, cpu_s),
    U8("partial", ts_live_result_t, partial),
    PSTR("stop_reason", ts_live_result_t, stop_reason, TS_LIVE_STOP),
};
TS__TABLE(ts__h5_live_attrs, k_live_attrs, ts_live_result_t);

static const ts__h5_field_t k_backends[] = {
    STR("level", ts__h5_backend_row_t, level),
    PSTR("backend", ts__h5_backend_row_t, d.backend, TS_LIVE_BACKEND),
    U8("direct", ts__h5_backend_row_t, d.direct),
    U8("emulated", ts__h5_backend_row_t, d.emulated),
    U64("reads", ts__h5_backend_row_t, d.n_read),
    U64("writes", ts__h5_backend_row_t, d.n_write),
    U64("frees", ts__h5_backend_row_t, d.n_free),
    U64("bytes_read", ts__h5_backend_row_t, d.bytes_read),
    U64("bytes_written", ts__h5_backend_row_t, d.bytes_written),
    U32("max_inflight", ts__h5_backend_row_t, d.max_inflight),
    F64("busy_s", ts__h5_backend_row_t, d.busy_s),
    F64("iops", ts__h5_backend_row_t, iops),
    F64("bytes_per_s", ts__h5_backend_row_t, bytes_per_s),
};
TS__TABLE(ts__h5_backends, k_backends, ts__h5_backend_row_t);

static const ts__h5_field_t k_compare[] = {
    STR("figure", ts__h5_compare_row_t, figure),
    STR("unit", ts__h5_compare_row_t, unit),
    F64("measured", ts__h5_compare_row_t, measured),
    F64("predicted", ts__h5_compare_row_t, predicted),
    F64("error_pct", ts__h5_compare_row_t, error_pct),
};
TS__TABLE(ts__h5_compare, k_compare, ts__h5_compare_row_t);

static const ts__h5_field_t k_series_attrs[] = {
    U64("origin", ts_series_t, origin),
    U64("interval", ts_series_t, interval),
    U64("span", ts_series_t, span),
    U32("merges", ts_series_t, n_merges),
    U64("max_points", ts_series_t, max_points),
};
TS__TABLE(ts__h5_series_attrs, k_series_attrs, ts_series_t);

#define SERIES_COLS(t_name, dt_name)                                                            \
    U64(t_name, ts__h5_series_row_t, t), U64(dt_name, ts__h5_series_row_t, dt),                 \
        U64("requests", ts__h5_series_row_t, requests),                                         \
        U64("hits", ts__h5_series_row_t, hits),                                                 \
        F64("hit_ratio", ts__h5_series_row_t, hit_ratio),                                       \
        U64("bytes_hit", ts__h5_series_row_t, bytes_hit),                                       \
        U64("bytes_in", ts__h5_series_row_t, bytes_in),                                         \
        U64("bytes_out", ts__h5_series_row_t, bytes_out),                                       \
        U64("used", ts__h5_series_row_t, used), F64("occupancy", ts__h5_series_row_t, occupancy)
static const ts__h5_field_t k_series_time[] = {SERIES_COLS("t_ns", "dt_ns")};
static const ts__h5_field_t k_series_req[] = {SERIES_COLS("t_requests", "dt_requests")};
TS__TABLE(ts__h5_series_time, k_series_time, ts__h5_series_row_t);
TS__TABLE(ts__h5_series_req, k_series_req, ts__h5_series_row_t);

#define TOTAL_COLS(t_name, dt_name)                                                             \
    U64(t_name, ts__h5_total_row_t, t), U64(dt_name, ts__h5_total_row_t, dt),                   \
        U64("requests", ts__h5_total_row_t, requests), U64("hits", ts__h5_total_row_t, hits),   \
        F64("hit_ratio", ts__h5_total_row_t, hit_ratio),                                        \
        U64("bytes_requested", ts__h5_total_row_t, bytes_requested),                            \
        U64("bytes_hit", ts__h5_total_row_t, bytes_hit),                                        \
        U64("backing_requests", ts__h5_total_row_t, backing_requests),                          \
        U64("backing_bytes", ts__h5_total_row_t, backing_bytes)
static const ts__h5_field_t k_total_time[] = {TOTAL_COLS("t_ns", "dt_ns")};
static const ts__h5_field_t k_total_req[] = {TOTAL_COLS("t_requests", "dt_requests")};
TS__TABLE(ts__h5_total_time, k_total_time, ts__h5_total_row_t);
TS__TABLE(ts__h5_total_req, k_total_req, ts__h5_total_row_t);

hid_t ts__h5_str_type(size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, size ? size : H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0 ||
        H5Tset_strpad(t, H5T_STR_NULLTERM) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

hid_t ts__h5_scalar_type(const ts__h5_field_t *f, bool file)
{
    switch (f->kind) {
    case TS__H5_U64:
        return H5Tcopy(file ? H5T_STD_U64LE : H5T_NATIVE_UINT64);
    case TS__H5_F64:
        return H5Tcopy(file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE);
    case TS__H5_U32:
        return H5Tcopy(file ? H5T_STD_U32LE : H5T_NATIVE_UINT32);
    case TS__H5_U8:
        return H5Tcopy(file ? H5T_STD_U8LE : H5T_NATIVE_UINT8);
    case TS__H5_I32:
        return H5Tcopy(file ? H5T_STD_I32LE : H5T_NATIVE_INT32);
    default:
        return ts__h5_str_type(f->size);
    }
}

size_t ts__h5_field_size(const ts__h5_field_t *f)
{
    switch (f->kind) {
    case TS__H5_U64:
    case TS__H5_F64:
        return 8;
    case TS__H5_U32:
    case TS__H5_I32:
        return 4;
    case TS__H5_U8:
        return 1;
    default:
        return f->size;
    }
}

bool ts__h5_has_pointers(const ts__h5_table_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->f[i].kind == TS__H5_PSTR)
            return true;
    return false;
}

bool ts__h5_is_packed(const ts__h5_table_t *t)
{
    size_t off = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->f[i].kind == TS__H5_PSTR || t->f[i].offset != off)
            return false;
        off += ts__h5_field_size(&t->f[i]);
    }
    return off == t->mem_size;
}

size_t ts__h5_packed_size(const ts__h5_table_t *t)
{
    size_t size = 0;
    for (size_t i = 0; i < t->n; i++)
        size += ts__h5_field_size(&t->f[i]);
    return size;
}

/* The compound of t's fields, each of the file's or native type, at the struct's offsets
 * (is_packed false) or one after the other. */
static hid_t h5l_compound(const ts__h5_table_t *t, bool file, bool is_packed)
{
    hid_t c = H5Tcreate(H5T_COMPOUND, is_packed ? ts__h5_packed_size(t) : t->mem_size);
    size_t off = 0;
    for (size_t i = 0; c >= 0 && i < t->n; i++) {
        hid_t m = ts__h5_scalar_type(&t->f[i], file);
        herr_t st = m < 0 ? -1 : H5Tinsert(c, t->f[i].name, is_packed ? off : t->f[i].offset, m);
        off += ts__h5_field_size(&t->f[i]);
        if (m >= 0)
            H5Tclose(m);
        if (st < 0) {
            H5Tclose(c);
            return -1;
        }
    }
    return c;
}

hid_t ts__h5_compound(const ts__h5_table_t *t, bool file)
{
    if (!file && ts__h5_has_pointers(t))
        return -1; /* a pointer is not a column: stage the rows (ts__h5_pack) */
    return h5l_compound(t, file, file);
}

hid_t ts__h5_packed_type(const ts__h5_table_t *t)
{
    return h5l_compound(t, false, true);
}

void ts__h5_pack(const ts__h5_table_t *t, const void *rows, size_t n, void *out)
{
    size_t psize = ts__h5_packed_size(t);
    memset(out, 0, n * psize);
    for (size_t r = 0; r < n; r++) {
        const char *row = (const char *)rows + r * t->mem_size;
        char *dst = (char *)out + r * psize;
        for (size_t i = 0; i < t->n; i++) {
            const ts__h5_field_t *f = &t->f[i];
            size_t size = ts__h5_field_size(f);
            if (f->kind == TS__H5_PSTR) {
                const char *v = *(char *const *)(row + f->offset);
                if (v)
                    memcpy(dst, v, strnlen(v, size - 1));
            } else {
                memcpy(dst, row + f->offset, size);
            }
            dst += size;
        }
    }
}

int ts__h5_unpack(const ts__h5_table_t *t, const void *packed, size_t n, void *rows)
{
    size_t psize = ts__h5_packed_size(t);
    memset(rows, 0, n * t->mem_size);
    for (size_t r = 0; r < n; r++) {
        const char *src = (const char *)packed + r * psize;
        char *row = (char *)rows + r * t->mem_size;
        for (size_t i = 0; i < t->n; i++) {
            const ts__h5_field_t *f = &t->f[i];
            size_t size = ts__h5_field_size(f);
            if (f->kind == TS__H5_PSTR) {
                size_t len = strnlen(src, size);
                char *v = ts_malloc(len + 1);
                if (!v)
                    return TS_ENOMEM;
                memcpy(v, src, len);
                v[len] = 0;
                *(char **)(row + f->offset) = v;
            } else {
                memcpy(row + f->offset, src, size);
            }
            src += size;
        }
    }
    return 0;
}

const char *ts__h5_link_name(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name[0] && strcmp(name, ".") != 0 ? name : "_");
    for (char *p = buf; *p; p++)
        if (*p == '/')
            *p = '_';
    return buf;
}

void ts__h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}
