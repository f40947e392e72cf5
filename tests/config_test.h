/* SPDX-License-Identifier: MIT */
/*
 * config_test.h - what the scenario loader's tests (test_config*.c) share: the source name
 * errors are placed in, the short workload most cases need, whether a generator, trace format
 * or policy is registered (a case that needs a missing one is skipped), and loading a
 * scenario that must load.
 */
#ifndef TS_TESTS_CONFIG_TEST_H
#define TS_TESTS_CONFIG_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <cmocka.h>

#include "app/scenario.h"
#include "sim/policy.h"
#include "traces/trace.h"
#include "workloads/gen.h"
#include "policies/registry.h"

#define SRC "s.yaml"

#define W_ZIPF "workload: {generator: zipf}\n"

static inline bool have_gen(const char *kind)
{
    ts_err_t e = {0};
    return ts_gen_find(kind, &e) != NULL;
}

static inline bool have_format(const char *name)
{
    ts_err_t e = {0};
    return ts_trace_find(name, &e) != NULL;
}

static inline bool have_policy(const char *name)
{
    ts_err_t e = {0};
    return ts_policy_find(name, &e) != NULL;
}

/* A test of a plug-in fails, naming it, when the registry lacks it: a missing generator,
 * format or policy is a defect to report, never a reason to skip. */
static inline void need_gen(const char *kind)
{
    if (!have_gen(kind))
        fail_msg("the generator '%s' this test needs is not in the registry", kind);
}

static inline void need_format(const char *name)
{
    if (!have_format(name))
        fail_msg("the trace format '%s' this test needs is not in the registry", name);
}

static inline void need_policy(const char *name)
{
    if (!have_policy(name))
        fail_msg("the policy '%s' this test needs is not in the registry", name);
}

/* The scenario yaml with the n overrides ovr, loaded as SRC from /base (the test fails if it
 * does not load). */
static inline ts_scenario_t *load_ok(const char *yaml, const char *const *ovr, size_t n)
{
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    int rc = ts_scenario_load_string(yaml, SRC, "/base", ovr, n, &sc, &err);
    if (rc)
        fail_msg("load failed: %s: %s: %s", ts_err_name(rc), err.where, err.msg);
    assert_non_null(sc);
    return sc;
}

#endif
