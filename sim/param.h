/* SPDX-License-Identifier: MIT */
/*
 * param.h - typed parameter schemas for plug-ins (policies, readers, generators, sinks).
 *
 * A plug-in declares its parameters once, as a table of ts_param_spec_t describing the
 * fields of its params struct. Config code fills the struct from YAML strings through
 * ts_param_set(); `tiersim list` prints the same table; plug-ins never parse strings.
 * Defaults are written as strings and parsed by the same parser as user values, so a
 * default can never disagree with what a user could write. Nested YAML maps are addressed
 * by dotted names ("columns.time").
 */
#ifndef TS_SIM_PARAM_H
#define TS_SIM_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef enum ts_param_type {
    TS_PT_BOOL,     /* bool */
    TS_PT_INT,      /* int64_t, plain decimal */
    TS_PT_COUNT,    /* uint64_t, accepts 10M, 1e6 */
    TS_PT_DOUBLE,   /* double */
    TS_PT_SIZE,     /* uint64_t bytes, accepts 4KiB, 1.5TB */
    TS_PT_DURATION, /* uint64_t ns, accepts 200us, 3ms */
    TS_PT_FRACTION, /* double, accepts 10% or 0.1 */
    TS_PT_STRING,   /* char[size], NUL-terminated */
    TS_PT_ENUM,     /* int: index into choices */
    TS_PT_RATE,     /* uint64_t bytes/s, accepts 25GB/s, 400Gbit/s */
    /* prices: double dollars in the internal unit of sim/util/units.h, same order as
     * ts_price_unit_t */
    TS_PT_PRICE_GB,       /* per GB: $0.09/GB, $90/TB */
    TS_PT_PRICE_GB_MONTH, /* per GB-month: $0.023/GB-month */
    TS_PT_PRICE_HOUR,     /* per hour: $2.99/h */
    TS_PT_PRICE_REQUEST,  /* per request: $0.0004/1000 */
    TS_PT_PRICE_KWH,      /* per kWh: $0.12/kWh */
    TS_PT_POWER,          /* double watts, accepts 700W, 1.2kW */
} ts_param_type_t;

typedef struct ts_param_spec {
    const char *name;            /* key as written in YAML ("alpha", "columns.time") */
    ts_param_type_t type;        /* how the value is parsed and stored */
    size_t offset;               /* offsetof the field in the params struct */
    size_t size;                 /* TS_PT_STRING: buffer size; others: 0 */
    double min, max;             /* inclusive range for numeric types (min > max: none) */
    const char *def;             /* default, as a user would write it; NULL: required */
    const char *help;            /* one line for `tiersim list` and the docs */
    const char *const *choices;  /* TS_PT_ENUM: NULL-terminated names */
} ts_param_spec_t;

/* Checks a schema: names unique and non-empty, fields inside params_size, string sizes
 * set, enum choices present, and every default parses and lies in range.
 * Returns 0 or TS_EINVAL naming the bad entry. */
int ts_param_check_schema(const ts_param_spec_t *spec, size_t n, size_t params_size,
                          ts_err_t *err);

/* Fills params (params_size bytes, zeroed first) with every default.
 * Returns 0 or TS_EINVAL when a default is bad (a schema bug caught by the check above). */
int ts_param_defaults(const ts_param_spec_t *spec, size_t n, void *params, size_t params_size,
                      ts_err_t *err);

/* The spec named name, or NULL. */
const ts_param_spec_t *ts_param_find(const ts_param_spec_t *spec, size_t n, const char *name);

/* Parses value into the field named name.
 * Returns 0; TS_ENOENT for an unknown name (message lists a close name or the valid ones);
 * TS_EPARSE when the value does not parse (message says what form was expected);
 * TS_ERANGE when outside [min, max] or too long for a string. */
int ts_param_set(const ts_param_spec_t *spec, size_t n, void *params, const char *name,
                 const char *value, ts_err_t *err);

/* Writes the field's current value as text a user could write back. Returns buf. */
const char *ts_param_format(const ts_param_spec_t *ps, const void *params, char *buf,
                            size_t size);

/* A short description of the accepted form ("size (e.g. 4KiB)", "one of lru|fifo"). */
const char *ts_param_type_name(const ts_param_spec_t *ps, char *buf, size_t size);

/* The field's value as a double (numeric, bool and enum types); 0 for strings. */
double ts_param_number(const ts_param_spec_t *ps, const void *params);

/* Fills a list of names for "did you mean" suggestions (n at most cap). Returns count. */
size_t ts_param_names(const ts_param_spec_t *spec, size_t n, const char **names, size_t cap);

#define TS_PARAM_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
