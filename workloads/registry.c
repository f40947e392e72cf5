/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the one table of workload generators (ts_generators), sorted by kind, and
 * its kind check.
 *
 * To add a generator: write workloads/<kind>.c exporting
 * `const ts_reader_ops_t ts_reader_gen_<kind>` (kind TS_PLUGIN_GENERATOR, flag
 * TS_READER_GENERATOR, common parameters from TS__GEN_COMMON_PARAMS in gen_internal.h),
 * declare it below and list it in k_gens in name order; the generic checks
 * (sim/registry.h, run by the tests and at start-up) then verify it.
 */
#include "gen.h"


extern const ts_reader_ops_t ts_reader_gen_agentic;
extern const ts_reader_ops_t ts_reader_gen_checkpoint;
extern const ts_reader_ops_t ts_reader_gen_inference;
extern const ts_reader_ops_t ts_reader_gen_loop;
extern const ts_reader_ops_t ts_reader_gen_mix;
extern const ts_reader_ops_t ts_reader_gen_training;
extern const ts_reader_ops_t ts_reader_gen_uniform;
extern const ts_reader_ops_t ts_reader_gen_zipf;

static const ts_plugin_t *const k_gens[] = {
    &ts_reader_gen_agentic.base, &ts_reader_gen_checkpoint.base, &ts_reader_gen_inference.base,
    &ts_reader_gen_loop.base,    &ts_reader_gen_mix.base,        &ts_reader_gen_training.base,
    &ts_reader_gen_uniform.base, &ts_reader_gen_zipf.base,
};

static int gen_check(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_reader_ops_t *g = ts_reader_ops_of(p);
    if (!(p->flags & TS_READER_GENERATOR))
        return ts_err_set(err, TS_EINVAL, "generator %s lacks the generator flag", p->name);
    if (!g->open || !g->next || !g->reset || !g->close)
        return ts_err_set(err, TS_EINVAL, "generator %s lacks a required method", p->name);
    if (g->writer || g->extension || g->magic)
        return ts_err_set(err, TS_EINVAL, "generator %s has a trace format's writer, extension "
                          "or magic", p->name);
    return 0;
}

const ts_registry_t ts_generators = {
    .kind = TS_PLUGIN_GENERATOR,
    .entries = k_gens,
    .n = sizeof(k_gens) / sizeof(k_gens[0]),
    .check = gen_check,
};

const ts_reader_ops_t *ts_gen_find(const char *kind, ts_err_t *err)
{
    return ts_reader_ops_of(ts_registry_find(&ts_generators, kind, err));
}
