/* SPDX-License-Identifier: MIT */
/*
 * cost.h - the cost model: prices per level (each tier and the central store) and per
 * GPU-hour, their defaults from an embedded price table (sim/presets/prices.yaml; sources in
 * docs/cost.md) read as one of its dated, sourced profiles, and the bill of a run, computed
 * from its result alone.
 *
 * Billing period P: cost.period when set; else the timed engine's simulated span; else the
 * trace's span (first to last request time). In hours, with a month of 730 h:
 *   capacity (per level) = GB billed x (purchase / lifetime_h + storage / 730) x P_h
 *   requests  = central-store reads x get + writes x put
 *   transfer  = GB read out of the central store x egress + GB written into it x ingress
 *   GPU time  = GPUs x P_h x gpu_price; of which lost to stalls: GPU time x stall_ns /
 *               (clients x span_ns) (timed engine, closed loop only)
 *   power     = (watts of every level + GPUs x gpu_power) x P_h / 1000 x electricity
 *   total     = capacity + requests + transfer + GPU time + power
 * and the total per million requests, per training epoch, per million tokens and per agent
 * session when the workload counts those units (sim/reader.h, ts_reader_units_t).
 * Central-store reads and writes are the transfers across the link between the last tier and
 * the backing store (every object read from or written to it crosses that link once).
 * Cost: O(tiers); the price table is parsed once per scenario load (a few rows).
 */
#ifndef TS_SIM_COST_H
#define TS_SIM_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "param.h"
#include "util/err.h"

#define TS_PRICE_ROW 80     /* buffer size of a price-table row or profile name */
#define TS_PRICE_DATE 16    /* buffer size of a date a price was read ("2026-09") */
#define TS_PRICE_SOURCE 160 /* buffer size of where a price was read */

/* The prices of one level: a tier, the central store, or a row of the price table. */
typedef struct ts_price {
    /* capacity: purchase amortised over the lifetime, or rent (both add up when both set) */
    double purchase_usd_gb;      /* one-off price per GB of capacity */
    uint64_t lifetime_ns;        /* the purchase is spread over this */
    double storage_usd_gb_month; /* rent per GB-month */
    double power_w;              /* watts drawn, billed at cost.electricity */
    uint64_t capacity_bytes;     /* capacity billed; 0: the tier's (central store: footprint) */
    /* the central store */
    double get_usd;        /* per read request */
    double put_usd;        /* per write request */
    double egress_usd_gb;  /* per GB read out */
    double ingress_usd_gb; /* per GB written in */
    /* price-table rows of GPUs */
    double gpu_usd_hour; /* renting the GPU whose HBM this is, per hour */
    /* read-only */
    char row[TS_PRICE_ROW];     /* the price-table row the defaults came from; "" none */
    char profile[TS_PRICE_ROW]; /* the profile that row belongs to; "" a row every profile
                                 * shares (or none) */
} ts_price_t;

/* Which keys of ts_price_t a YAML map may set. */
typedef enum ts_price_scope {
    TS_PRICE_TIER = 0,    /* tiers[].cost: capacity and power */
    TS_PRICE_BACKING = 1, /* backing.cost: also requests and transfer */
    TS_PRICE_TABLE = 2,   /* a price-table row: also gpu_price */
} ts_price_scope_t;

/* The schema of ts_price_t for a scope; *n receives its entry count. Each scope's keys are
 * the previous scope's plus its own. */
const ts_param_spec_t *ts_price_schema(ts_price_scope_t scope, size_t *n);

/* A scenario's cost model: the top-level `cost:` map (schema ts_cost_schema) and the prices
 * of every level after defaults and overrides (filled by sim/config.c). */
typedef struct ts_cost_spec {
    bool is_enabled;            /* cost.enabled: compute and report the bill */
    uint64_t gpus;              /* GPUs billed; 0: the closed-loop clients, else the
                                 * workload's accelerators, else none */
    char gpu[TS_DEV_NAME];      /* the GPU priced ("" none): cost.gpu or the first HBM tier's */
    double gpu_usd_hour;        /* per GPU-hour (cost.gpu_price, else the GPU's row) */
    char prices[TS_PRICE_ROW];  /* the price profile (top-level `prices:`, else the default) */
    char prices_date[TS_PRICE_DATE]; /* the date the profile's prices were read */
    char gpu_fallback[TS_PRICE_ROW]; /* the profile gpu_usd_hour came from when `prices`
                                      * has no row for the GPU; "" none */
    double gpu_power_w;         /* watts per GPU, billed at electricity */
    double electricity_usd_kwh; /* 0: power is not billed */
    uint64_t period_ns;         /* billing period; 0: the simulated span */
    ts_price_t tier[TS_MAX_TIERS];
    ts_price_t backing;
} ts_cost_spec_t;

/* The schema of the top-level `cost:` keys (fields of ts_cost_spec_t). */
const ts_param_spec_t *ts_cost_schema(size_t *n);

/* ---- the price table ---- */

typedef struct ts_price_table ts_price_table_t;

/* A dated, sourced price list of the table (`profiles:` in prices.yaml). */
typedef struct ts_price_profile {
    char name[TS_PRICE_ROW];      /* "neocloud-2026-09" */
    char date[TS_PRICE_DATE];     /* when its prices were read: "2026-09" */
    char source[TS_PRICE_SOURCE]; /* what they were read from */
    char fallback[TS_PRICE_ROW];  /* the profile a row it lacks comes from; "" none */
    bool is_default;              /* the profile of a scenario without `prices:` */
} ts_price_profile_t;

/* Parses the embedded price table as profile prices (NULL or "": the default profile): the
 * shared rows, then the rows of prices' fallback profiles (farthest first), then its own,
 * each replacing a row of the same name. Returns 0; TS_ENOENT when no profile is named
 * prices (the message names it, suggests a close name and lists the profiles); TS_ENOMEM;
 * or TS_EINTERNAL when the embedded file is broken (a build bug, reported with its
 * file:line:col). */
int ts_price_table_create(const char *prices, ts_price_table_t **out, ts_err_t *err);
void ts_price_table_destroy(ts_price_table_t *t); /* accepts NULL */

/* The default prices of the device named name of kind kind (ts_dev_kind_t): the schema's
 * defaults, then the row `kind:<kind>`, then the row named after the device (for
 * "raid0:<n>x<drive>", the drive's), each setting only the keys it lists. out->row names the
 * most specific row used ("" when none applied). */
void ts_price_table_lookup(const ts_price_table_t *t, const char *name, int kind,
                           ts_price_t *out);

/* Rows in file order; a row's name is in ->row and it holds only the keys it lists (others
 * at the schema's defaults). The pointers live as long as t. */
size_t ts_price_table_count(const ts_price_table_t *t);
const ts_price_t *ts_price_table_at(const ts_price_table_t *t, size_t i);
/* The row named name, or NULL. */
const ts_price_t *ts_price_table_find(const ts_price_table_t *t, const char *name);
/* Where row i's prices were read and when ("" when the table does not say); they live as
 * long as t. */
const char *ts_price_table_source(const ts_price_table_t *t, size_t i);
const char *ts_price_table_date(const ts_price_table_t *t, size_t i);

/* The profile t was created for. */
const ts_price_profile_t *ts_price_table_profile(const ts_price_table_t *t);
/* Every profile of the table, in file order (NULL past the end); they live as long as t. */
size_t ts_price_profile_count(const ts_price_table_t *t);
const ts_price_profile_t *ts_price_profile_at(const ts_price_table_t *t, size_t i);

/* ---- the bill ---- */

typedef enum ts_cost_period {
    TS_COST_PERIOD_SET = 0,   /* cost.period */
    TS_COST_PERIOD_TIMED = 1, /* the timed engine's simulated span */
    TS_COST_PERIOD_TRACE = 2, /* the trace's span, first to last request */
    TS_COST_PERIOD_COUNT_
} ts_cost_period_t;

extern const char *const ts_cost_period_names[TS_COST_PERIOD_COUNT_];

#define TS_COST_LEVEL_NAME 64 /* bytes a level's name holds at most, NUL included */

typedef struct ts_cost_level {
    char *name;             /* owned: tier name, or "backing" */
    ts_price_t price;       /* the prices applied */
    uint64_t billed_bytes;  /* capacity billed */
    bool is_estimated;      /* billed_bytes estimated: objects mode, capacity x mean size */
    double capacity_usd;    /* purchase amortised over the period, plus rent */
} ts_cost_level_t;

typedef struct ts_cost_result {
    uint64_t period_ns;   /* billing period */
    int period_from;      /* ts_cost_period_t */
    size_t n_levels;      /* tiers, then the central store last */
    ts_cost_level_t *level; /* owned: n_levels levels */
    double capacity_usd;  /* summed over the levels */
    uint64_t n_get;       /* reads from the central store (misses, fills, prefetches) */
    uint64_t n_put;       /* writes to it (write-through puts, write-backs) */
    double get_usd;       /* n_get x its price */
    double put_usd;
    double requests_usd;  /* get_usd + put_usd */
    uint64_t bytes_out;   /* read out of the central store */
    uint64_t bytes_in;    /* written into it */
    double egress_usd;    /* GB out x its price */
    double ingress_usd;
    double transfer_usd;  /* egress_usd + ingress_usd */
    char *gpu;            /* owned: GPU priced; NULL or "" none (shorter than TS_DEV_NAME) */
    uint64_t gpus;        /* GPUs billed */
    const char *gpus_from; /* "cost.gpus", "timed.clients", "workload" or "none" */
    double gpu_usd_hour;
    char *gpu_fallback;   /* owned: the profile the GPU's price fell back to; NULL or "" none */
    char *prices;         /* owned: the price profile of the run; NULL or "" not recorded */
    char *prices_date;    /* owned: the date its prices were read */
    double gpu_usd;       /* GPUs x period x price */
    bool has_stall;       /* a closed loop measured the GPUs' stalls */
    double stall_share;   /* stall_ns / (clients x span_ns), at most 1 */
    double stall_usd;     /* the part of gpu_usd spent waiting on storage */
    double power_w;       /* levels and GPUs */
    double electricity_usd_kwh;
    double energy_kwh;
    double power_usd;
    double total_usd;     /* capacity + requests + transfer + GPU time + power */
    /* normalised figures; each per-unit figure is 0 when its unit count is 0 (unknown) */
    uint64_t n_requests;  /* demand requests: gets, puts, deletes */
    double usd_per_m_requests;
    double epochs;        /* training epochs of progress */
    double usd_per_epoch;
    uint64_t tokens;      /* tokens served */
    bool is_prefill_tokens; /* tokens are the timed engine's prefill tokens (the workload did
                             * not count any) */
    double usd_per_m_tokens;
    uint64_t sessions;    /* agent sessions */
    double usd_per_session;
} ts_cost_result_t;

struct ts_result;

/* The bill of res, the result of a run priced by spec (the scenario's cost model; res
 * holds its counters, footprint, units and, from the timed engine, span and stalls). Reads
 * its arguments only and fills *out completely (zeroed first: release an earlier bill
 * before reusing it); *out owns its levels and strings (ts_cost_result_release). Returns 0
 * or TS_ENOMEM (then *out owns nothing). */
int ts_cost_compute(const ts_cost_spec_t *spec, const struct ts_result *res,
                    ts_cost_result_t *out, ts_err_t *err);

/* Frees what a bill owns and zeroes those fields; accepts a zeroed bill. */
void ts_cost_result_release(ts_cost_result_t *c);

/* True when the bill of spec needs the footprint (the central store's capacity is priced
 * and not given), which a run then measures. */
bool ts_cost_needs_footprint(const ts_cost_spec_t *spec);

#endif
