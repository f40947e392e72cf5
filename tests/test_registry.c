/* SPDX-License-Identifier: MIT */
/*
 * test_registry.c - the generic plug-in registry: a well-formed table passes its check; an
 * unsorted, duplicated, mis-kinded or wrong-ABI entry, a broken schema or a failing kind
 * check is refused with a message naming it; lookups find exact names and suggest close
 * ones; params come from the schema's defaults and name=value pairs, and a failed
 * allocation is reported, not crashed on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/registry.h"
#include "sim/util/mem.h"

typedef struct toy_params {
    uint64_t size;  /* bytes */
    double ratio;   /* a share */
} toy_params_t;

static const ts_param_spec_t k_toy_schema[] = {
    {"size", TS_PT_SIZE, offsetof(toy_params_t, size), 0, 1, 1e12, "4KiB", "a size", NULL},
    {"ratio", TS_PT_FRACTION, offsetof(toy_params_t, ratio), 0, 0, 1, "10%", "a share", NULL},
};

/* A kind's ops table: the header first, then its own ops. */
typedef struct toy_ops {
    ts_plugin_t base;
    int (*run)(void);
} toy_ops_t;

static int toy_run(void)
{
    return 7;
}

#define TOY(nm, fl)                                                                        \
    {                                                                                      \
        .base = {.abi = TS_PLUGIN_ABI,                                                     \
                 .kind = TS_PLUGIN_POLICY,                                                 \
                 .name = nm,                                                               \
                 .summary = "a toy",                                                       \
                 .flags = fl,                                                              \
                 .params = k_toy_schema,                                                   \
                 .params_count = 2,                                                        \
                 .params_size = sizeof(toy_params_t)},                                     \
        .run = toy_run,                                                                    \
    }

static const toy_ops_t k_alpha = TOY("alpha", 0);
static const toy_ops_t k_beta = TOY("beta", 1);
static const toy_ops_t k_gamma = TOY("gamma", 2);
static const toy_ops_t k_no_run = {.base = {.abi = TS_PLUGIN_ABI,
                                            .kind = TS_PLUGIN_POLICY,
                                            .name = "norun",
                                            .summary = "lacks run"}};

/* The kind's own check: run is required. */
static int toy_check(const ts_plugin_t *p, ts_err_t *err)
{
    const toy_ops_t *o = (const toy_ops_t *)p;
    return o->run ? 0 : ts_err_set(err, TS_EINVAL, "policy %s lacks run", p->name);
}

static ts_registry_t toy_registry(const ts_plugin_t *const *e, size_t n)
{
    return (ts_registry_t){.kind = TS_PLUGIN_POLICY, .entries = e, .n = n, .check = toy_check};
}

static void test_registry_sorted_table_passes(void **state)
{
    (void)state;
    const ts_plugin_t *e[] = {&k_alpha.base, &k_beta.base, &k_gamma.base};
    ts_registry_t r = toy_registry(e, 3);
    ts_err_t err = {0};
    assert_int_equal(ts_registry_check(&r, &err), 0);
    assert_int_equal(ts_registry_count(&r), 3);
    assert_ptr_equal(ts_registry_at(&r, 1), &k_beta.base);
    assert_null(ts_registry_at(&r, 3));
    /* the entry is its ops table: the kind's ops are one cast away */
    assert_int_equal(((const toy_ops_t *)ts_registry_at(&r, 0))->run(), 7);
}

static void test_registry_refuses_bad_tables(void **state)
{
    (void)state;
    static const toy_ops_t wrong_abi = {.base = {.abi = TS_PLUGIN_ABI + 1,
                                                 .kind = TS_PLUGIN_POLICY,
                                                 .name = "old",
                                                 .summary = "s"},
                                        .run = toy_run};
    static const toy_ops_t wrong_kind = {.base = {.abi = TS_PLUGIN_ABI,
                                                  .kind = TS_PLUGIN_FORMAT,
                                                  .name = "csvish",
                                                  .summary = "s"},
                                         .run = toy_run};
    static const ts_param_spec_t bad_schema[] = {
        {"x", TS_PT_COUNT, 64, 0, 0, 1, "0", "outside the struct", NULL},
    };
    static const toy_ops_t broken_schema = {.base = {.abi = TS_PLUGIN_ABI,
                                                     .kind = TS_PLUGIN_POLICY,
                                                     .name = "broken",
                                                     .summary = "s",
                                                     .params = bad_schema,
                                                     .params_count = 1,
                                                     .params_size = 8},
                                            .run = toy_run};
    static const struct {
        const char *name;
        const ts_plugin_t *e[2];
        const char *msg;
    } cases[] = {
        {"unsorted", {&k_beta.base, &k_alpha.base}, "not sorted or has a duplicate at 'alpha'"},
        {"duplicate", {&k_alpha.base, &k_alpha.base}, "duplicate at 'alpha'"},
        {"abi", {&k_alpha.base, &wrong_abi.base}, "policy old has ABI 3, expected 2"},
        {"kind", {&wrong_kind.base, &k_alpha.base}, "trace format csvish is listed among"},
        {"schema", {&k_alpha.base, &broken_schema.base}, "policy broken"},
        {"kind check", {&k_alpha.base, &k_no_run.base}, "policy norun lacks run"},
        {"null", {&k_alpha.base, NULL}, "policy entry 1 is NULL"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_registry_t r = toy_registry(cases[i].e, 2);
        ts_err_t err = {0};
        int rc = ts_registry_check(&r, &err);
        if (rc != TS_EINVAL || !strstr(err.msg, cases[i].msg))
            fail_msg("case %s: rc %d, message '%s'", cases[i].name, rc, err.msg);
    }
}

static void test_registry_find_exact_and_suggest(void **state)
{
    (void)state;
    const ts_plugin_t *e[] = {&k_alpha.base, &k_beta.base, &k_gamma.base};
    ts_registry_t r = toy_registry(e, 3);
    ts_err_t err = {0};
    assert_ptr_equal(ts_registry_find(&r, "gamma", &err), &k_gamma.base);
    assert_null(ts_registry_find(&r, "gamme", &err));
    assert_int_equal(err.code, TS_ENOENT);
    assert_string_equal(err.msg, "unknown policy 'gamme' (did you mean 'gamma'?)");
    ts_err_t far = {0};
    assert_null(ts_registry_find(&r, "zzzzzzzz", &far));
    assert_string_equal(far.msg,
                        "unknown policy 'zzzzzzzz' (expected one of: alpha, beta, gamma)");
}

static void test_registry_kind_names(void **state)
{
    (void)state;
    assert_string_equal(ts_plugin_kind_name(TS_PLUGIN_GENERATOR), "generator kind");
    assert_string_equal(ts_plugin_kind_name(TS_PLUGIN_FORMAT), "trace format");
    for (int k = 0; k < TS_PLUGIN_KIND_COUNT_; k++)
        assert_string_not_equal(ts_plugin_kind_name(k), "?");
    assert_string_equal(ts_plugin_kind_name(TS_PLUGIN_KIND_COUNT_), "?");
    assert_string_equal(ts_plugin_kind_name(-1), "?");
}

static void test_registry_params_defaults_then_pairs(void **state)
{
    (void)state;
    void *p = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_plugin_params_kv(&k_alpha.base, NULL, NULL, 0, &p, &err), 0);
    toy_params_t *t = p;
    assert_int_equal(t->size, 4096);      /* 4KiB */
    assert_true(t->ratio == 0.1);         /* 10% */
    ts_free(p);
    const char *names[] = {"ratio", "size"};
    const char *values[] = {"0.25", "1MiB"};
    assert_int_equal(ts_plugin_params_kv(&k_alpha.base, names, values, 2, &p, &err), 0);
    t = p;
    assert_int_equal(t->size, 1048576);
    assert_true(t->ratio == 0.25);
    ts_free(p);
    const char *bad[] = {"2"};
    assert_int_not_equal(ts_plugin_params_kv(&k_alpha.base, names, bad, 1, &p, &err), 0);
    assert_null(p);
}

static void test_registry_params_out_of_memory(void **state)
{
    (void)state;
    void *p = (void *)1;
    ts_err_t err = {0};
    ts_mem_fail_after(0);
    int rc = ts_plugin_params_kv(&k_alpha.base, NULL, NULL, 0, &p, &err);
    ts_mem_fail_after(-1);
    assert_int_equal(rc, TS_ENOMEM);
    assert_null(p);
    assert_non_null(strstr(err.msg, "alpha"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_sorted_table_passes),
        cmocka_unit_test(test_registry_refuses_bad_tables),
        cmocka_unit_test(test_registry_find_exact_and_suggest),
        cmocka_unit_test(test_registry_kind_names),
        cmocka_unit_test(test_registry_params_defaults_then_pairs),
        cmocka_unit_test(test_registry_params_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
