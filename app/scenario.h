/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - a parsed scenario: workload source + tiers + engine + cost model + outputs
 * (+ seed, mode).
 *
 * Built by sim/config.c from YAML (a file, or the built-in default) with `-s key.path=value`
 * overrides applied before decoding, so an override is checked exactly like the file.
 * Plug-in choices are resolved to their ops tables and their params structs are filled and
 * range-checked here: the engines never see strings.
 */
#ifndef TS_APP_SCENARIO_H
#define TS_APP_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/policy.h"
#include "../sim/cost.h"
#include "../sim/device.h"
#include "../sim/result.h"
#include "../sim/util/err.h"
#include "../sim/hier.h"
#include "../sim/reader.h"
#include "../sim/sample.h"
#include "../sim/series.h"
#include "../sim/timed.h"
#include "../sim/backend.h"

typedef enum ts_engine_kind {
    TS_ENGINE_FAST = 0,  /* functional replay, no clock */
    TS_ENGINE_TIMED = 1, /* discrete events over device and link models */
    TS_ENGINE_LIVE = 2,  /* real back-ends, measured beside the timed engine's prediction */
} ts_engine_kind_t;

/* Where a level's objects are in live mode: a back-end and its parameters. */
typedef struct ts_backend_spec {
    const ts_backend_ops_t *ops; /* NULL: none given */
    void *params;                /* owned; ops->base.params_size bytes */
} ts_backend_spec_t;

/* The scenario's `live:` map (schema ts_live_schema, app/config_live.c). */
typedef struct ts_live_params {
    double speed;         /* open loop: trace time divided by it */
    bool verify;          /* check every read against what was written */
    char scratch[1024];   /* directory for the file back-ends' scratch files (resolved) */
    bool keep;            /* keep the scratch files */
    uint64_t chains;      /* requests in flight at most (0: the engine's default) */
    uint64_t buffers;     /* bytes of request buffers at most (0: 1 GiB) */
} ts_live_params_t;

typedef struct ts_tier_spec {
    char name[64];                 /* tier name (unique in the scenario) */
    const ts_policy_ops_t *policy; /* resolved from the registry */
    void *policy_params;           /* owned; policy->params_size bytes (NULL if none) */
    uint64_t capacity;             /* absolute capacity, charge units (0 when is_fraction) */
    bool is_fraction;              /* capacity given as a percentage of the footprint */
    double capacity_fraction;      /* e.g. 0.1 for "10%" */
    const ts_admit_ops_t *admit;   /* admission filter; NULL: always */
    void *admit_params;            /* owned; admit->params_size bytes (NULL if none) */
    bool has_device;               /* `device:` given (required by the timed engine) */
    ts_device_t device;            /* the preset with the scenario's overrides */
    bool has_link;                 /* `link:` given, or taken from the GPU above */
    ts_link_t link;                /* the link this tier is reached over from above */
    ts_backend_spec_t backend;     /* `backend:` (live mode) */
} ts_tier_spec_t;

typedef struct ts_workload_spec {
    const ts_reader_ops_t *reader; /* a trace format's reader or a generator */
    void *params;                  /* owned; reader->params_size bytes */
    bool is_generator;             /* from `generator:` rather than `trace:` */
    /* where a trace was given, for errors found when it is opened ("s.yaml:3:11:
     * workload.trace"), and where its file was named (the path key, or the same) */
    char where[sizeof(((ts_err_t *)0)->where)];
    char where_path[sizeof(((ts_err_t *)0)->where)];
} ts_workload_spec_t;

typedef struct ts_output_spec {
    char dir[1024];   /* where result files go; empty: none */
    uint64_t writers; /* the report writers that write them: a ts_report_set_t (bit i:
                       * entry i of ts_reports, reports/writer.h) */
    ts_series_spec_t series; /* the time series result.h5 holds (axis, interval, points) */
} ts_output_spec_t;

#define TS_SCENARIO_MAX_AXES TS_SWEEP_MAX_AXES

typedef struct ts_scenario {
    char source[1024];   /* file the scenario came from, or "<built-in>" */
    char *text;          /* owned: the YAML as given (the file's text, or the string) */
    char **overrides;    /* owned (one block, ts_strv_dup): the `-s` overrides, in order */
    size_t n_overrides;
    char base_dir[1024]; /* directory relative paths are resolved against */
    char name[128];      /* optional title */
    uint64_t seed;       /* every random draw derives from it */
    ts_mode_t mode;      /* objects or bytes */
    ts_engine_kind_t engine;
    ts_workload_spec_t workload;
    ts_sample_spec_t sample;  /* which part of the workload is replayed (rate 1: all) */
    uint64_t skip_bad;        /* malformed records to pass over before failing (0: none) */
    size_t n_tiers;
    ts_tier_spec_t tiers[TS_MAX_TIERS]; /* top (fastest) first */
    ts_hier_config_t hier;   /* the hierarchy's rules; its admit/prefetch pointers are views
                              * of tiers[i].admit(_params) and prefetch_params */
    void *prefetch_params;   /* owned; hier.prefetch->params_size bytes (NULL if none) */
    char prefetch_into[64];  /* name of the prefetch target tier (empty without prefetch) */
    ts_timed_params_t timed; /* how the timed engine issues requests */
    char prefill_source[160]; /* `timed.prefill_rate: auto`: what the rate came from */
    ts_device_t backing;     /* the backing store's device (default s3-standard) */
    bool has_backing_link;   /* `backing.link` given */
    ts_link_t backing_link;  /* the link the backing store is reached over */
    ts_backend_spec_t backing_backend; /* `backing.backend:` (live mode; default memory) */
    ts_live_params_t live;   /* `live:` */
    char devices_file[1024]; /* an extra device catalogue (resolved path), empty: none */
    ts_cost_spec_t cost;     /* prices of every level and of GPU time (defaults resolved) */
    ts_output_spec_t outputs;
    size_t n_sweep;             /* `sweep:` axes for `tiersim sweep` (a run ignores them) */
    ts_sweep_axis_t *sweep;    /* owned: n_sweep axes, in the order written */
    uint64_t sweep_share_bytes; /* `sweep.share_trace_memory`: a trace file the points share
                                 * is decoded once into memory when it takes at most this
                                 * (40 bytes a request); 0: each point reads it (1 GiB) */
} ts_scenario_t;

#define TS_SWEEP_SHARE_DEFAULT (1ull << 30) /* sweep.share_trace_memory's default */

/* The schema of ts_live_params_t (`live:`); *n receives its entry count. */
const ts_param_spec_t *ts_live_schema(size_t *n);

/* Loads a scenario from a YAML file, applying n overrides "key.path=value" in order.
 * Errors carry file:line:col (or "-s key") and the key path in err->where.
 * Returns 0, TS_ENOENT / TS_EIO (file), TS_EPARSE (YAML, bad value), TS_ERANGE, TS_ENOMEM;
 * also TS_ENOENT for an unknown key or plug-in name and TS_EUNSUPPORTED for a planned engine. */
int ts_scenario_load_file(const char *path, const char *const *overrides, size_t n,
                          ts_scenario_t **out, ts_err_t *err);

/* Same from YAML text; source names it in messages (e.g. "<built-in>"); base_dir resolves
 * relative paths (NULL: the current directory). */
int ts_scenario_load_string(const char *yaml, const char *source, const char *base_dir,
                            const char *const *overrides, size_t n, ts_scenario_t **out,
                            ts_err_t *err);

/* From the file at path when it is given, else from the text yaml (named "<text>"), else
 * the built-in default ("<built-in>"): the one way every many-run tool and the CLI load. */
int ts_scenario_load(const char *path, const char *yaml, const char *const *overrides,
                     size_t n, ts_scenario_t **out, ts_err_t *err);

/* The built-in default scenario's YAML (what `tiersim run` runs with no file). */
const char *ts_scenario_default_yaml(void);

void ts_scenario_destroy(ts_scenario_t *sc); /* accepts NULL */

/* Opens the scenario's workload reader. */
int ts_scenario_open_workload(const ts_scenario_t *sc, ts_reader_t **out, ts_err_t *err);

/* Writes "zipf alpha=0.9 keys=1000000 ..." (the reader name and its parameters). */
const char *ts_scenario_workload_desc(const ts_scenario_t *sc, char *buf, size_t size);

#endif
