/* SPDX-License-Identifier: MIT */
/*
 * gen.h - the registry of workload generators (workloads/registry.c): ts_generators.
 *
 * A generator is a trace reader (ts_reader_ops_t of kind TS_PLUGIN_GENERATOR, flagged
 * TS_READER_GENERATOR, exported as ts_reader_gen_<kind>) that synthesises requests from GSL
 * random generators seeded from the scenario seed: the same seed and params give the same
 * requests, and reset() replays them exactly.
 */
#ifndef TS_WORKLOADS_GEN_H
#define TS_WORKLOADS_GEN_H

#include <stddef.h>

#include "../sim/util/err.h"
#include "../sim/reader.h"
#include "../sim/registry.h"

/* Every generator, sorted by kind. Its kind check asks for the generator flag, the
 * reader's methods and schema defaults that all parse. */
extern const ts_registry_t ts_generators;

/* The generator of that kind, or NULL with err "unknown generator kind 'x' (did you
 * mean ...)". */
const ts_reader_ops_t *ts_gen_find(const char *kind, ts_err_t *err);

#endif
