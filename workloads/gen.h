/* SPDX-License-Identifier: MIT */
/*
 * gen.h - the registry of workload generators (workloads/registry.c).
 *
 * A generator is a trace reader (ts_reader_ops_t with TS_READER_GENERATOR, exported as
 * ts_reader_gen_<kind>) that synthesises requests from GSL random generators seeded from
 * the scenario seed: the same seed and params give the same requests, and reset() replays
 * them exactly.
 */
#ifndef TS_WORKLOADS_GEN_H
#define TS_WORKLOADS_GEN_H

#include <stddef.h>

#include "../sim/util/err.h"
#include "../sim/reader.h"

size_t ts_gen_count(void);
const ts_reader_ops_t *ts_gen_at(size_t i);

/* The generator of that kind, or NULL with err "unknown generator kind 'x' (did you
 * mean ...)". */
const ts_reader_ops_t *ts_gen_find(const char *kind, ts_err_t *err);

/* Checks every entry (ABI, generator flag, names unique and sorted, methods, schemas).
 * 0 or TS_EINVAL. */
int ts_gen_registry_check(ts_err_t *err);

#endif
