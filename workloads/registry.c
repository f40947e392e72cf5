/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the one table of workload generators, sorted by kind, and its checks.
 *
 * To add a generator: write workloads/<kind>.c exporting
 * `const ts_reader_ops_t ts_reader_gen_<kind>` (flag TS_READER_GENERATOR, common parameters
 * from TS__GEN_COMMON_PARAMS in gen_internal.h), declare it below and list it in k_gens in
 * name order; ts_gen_registry_check() then verifies it.
 */
#include "gen.h"

#include <stdio.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/units.h"

extern const ts_reader_ops_t ts_reader_gen_agentic;
extern const ts_reader_ops_t ts_reader_gen_inference;
extern const ts_reader_ops_t ts_reader_gen_loop;
extern const ts_reader_ops_t ts_reader_gen_mix;
extern const ts_reader_ops_t ts_reader_gen_training;
extern const ts_reader_ops_t ts_reader_gen_uniform;
extern const ts_reader_ops_t ts_reader_gen_zipf;

static const ts_reader_ops_t *const k_gens[] = {
    &ts_reader_gen_agentic,
    &ts_reader_gen_inference,
    &ts_reader_gen_loop,
    &ts_reader_gen_mix,
    &ts_reader_gen_training,
    &ts_reader_gen_uniform,
    &ts_reader_gen_zipf,
};

#define N_GENS (sizeof(k_gens) / sizeof(k_gens[0]))

size_t ts_gen_count(void)
{
    return N_GENS;
}

const ts_reader_ops_t *ts_gen_at(size_t i)
{
    return i < N_GENS ? k_gens[i] : NULL;
}

const ts_reader_ops_t *ts_gen_find(const char *kind, ts_err_t *err)
{
    const char *names[N_GENS];
    for (size_t i = 0; i < N_GENS; i++)
        names[i] = k_gens[i]->name;
    long at = ts_name_index("generator kind", kind, names, N_GENS, err);
    return at < 0 ? NULL : k_gens[at];
}

/* The schema is well formed and every default parses (a default that cannot be read would
 * only show up when a user relies on it). */
static int gen_check_params(const ts_reader_ops_t *r, ts_err_t *err)
{
    int rc = ts_param_check_schema(r->params, r->params_count, r->params_size, err);
    if (rc == 0) {
        void *buf = ts_malloc(r->params_size);
        if (!buf)
            return ts_err_set(err, TS_ENOMEM, "cannot allocate parameters of %s", r->name);
        rc = ts_param_defaults(r->params, r->params_count, buf, r->params_size, err);
        ts_free(buf);
    }
    return rc ? TS_EINVAL : 0;
}

static int gen_check(const ts_reader_ops_t *g, ts_err_t *err)
{
    if (!g)
        return ts_err_set(err, TS_EINVAL, "generator entry is NULL");
    const char *name = g->name ? g->name : "(unnamed)";
    if (g->abi != TS_READER_ABI)
        return ts_err_set(err, TS_EINVAL, "generator %s has ABI %u, expected %u", name, g->abi,
                          TS_READER_ABI);
    if (!g->name || !g->name[0] || !g->summary)
        return ts_err_set(err, TS_EINVAL, "generator %s lacks a name or summary", name);
    if (!(g->flags & TS_READER_GENERATOR))
        return ts_err_set(err, TS_EINVAL, "generator %s lacks the generator flag", name);
    if (!g->open || !g->next || !g->reset || !g->close)
        return ts_err_set(err, TS_EINVAL, "generator %s lacks a required method", name);
    int rc = gen_check_params(g, err);
    if (rc)
        ts_err_prefix(err, "generator %s", name);
    return rc;
}

int ts_gen_registry_check(ts_err_t *err)
{
    for (size_t i = 0; i < N_GENS; i++) {
        int rc = gen_check(k_gens[i], err);
        if (rc)
            return rc;
        if (i > 0 && strcmp(k_gens[i - 1]->name, k_gens[i]->name) >= 0)
            return ts_err_set(err, TS_EINVAL,
                              "generator registry is not sorted or has a duplicate at '%s'",
                              k_gens[i]->name);
    }
    return 0;
}
