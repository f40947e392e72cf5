/* SPDX-License-Identifier: MIT */
/*
 * test_plugins.c - app/plugins: every kind's table sits at its kind's slot and passes the
 * start-up check; every kind that has entries is sorted and unique, and a table with two
 * lines swapped or a line repeated is refused; a name is found under its kind only, with
 * "did you mean" in the kind's words; kinds without plug-ins have empty tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "app/plugins.h"
#include "sim/admit.h"
#include "sim/policy.h"
#include "policies/registry.h"

static void test_plugins_check_passes_and_slots_hold_their_kind(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_plugins_check(&err), 0);
    size_t with_entries = 0;
    for (int k = 0; k < TS_PLUGIN_KIND_COUNT_; k++) {
        const ts_registry_t *r = ts_plugins_registry((ts_plugin_kind_t)k);
        assert_non_null(r);
        assert_int_equal(r->kind, k);
        with_entries += ts_registry_count(r) > 0;
        for (size_t i = 0; i < ts_registry_count(r); i++) {
            const ts_plugin_t *p = ts_registry_at(r, i);
            assert_int_equal(p->kind, k);
            if (i > 0 && strcmp(ts_registry_at(r, i - 1)->name, p->name) >= 0)
                fail_msg("%s: '%s' then '%s' is out of order", ts_plugin_kind_name(k),
                         ts_registry_at(r, i - 1)->name, p->name);
            assert_ptr_equal(ts_plugins_find((ts_plugin_kind_t)k, p->name, NULL), p);
        }
    }
    /* policies, admission filters, prefetchers, trace formats, generators */
    assert_true(with_entries >= 5);
    assert_null(ts_plugins_registry(TS_PLUGIN_KIND_COUNT_));
}

/* A copy of every kind's table with two neighbours swapped, then with one line repeated,
 * is refused by the same check the start-up runs. */
static void test_plugins_line_out_of_order_fails(void **state)
{
    (void)state;
    for (int k = 0; k < TS_PLUGIN_KIND_COUNT_; k++) {
        const ts_registry_t *r = ts_plugins_registry((ts_plugin_kind_t)k);
        size_t n = ts_registry_count(r);
        if (n < 2)
            continue;
        const ts_plugin_t *e[TS_REGISTRY_MAX];
        for (size_t i = 0; i < n; i++)
            e[i] = ts_registry_at(r, i);
        const ts_plugin_t *t = e[n - 2];
        e[n - 2] = e[n - 1];
        e[n - 1] = t;
        ts_registry_t bad = *r;
        bad.entries = e;
        ts_err_t err = {0};
        assert_int_equal(ts_registry_check(&bad, &err), TS_EINVAL);
        if (!strstr(err.msg, "not sorted or has a duplicate"))
            fail_msg("%s: swapped lines gave '%s'", ts_plugin_kind_name(k), err.msg);
        e[n - 2] = e[n - 1]; /* the same line twice */
        ts_err_clear(&err);
        assert_int_equal(ts_registry_check(&bad, &err), TS_EINVAL);
        assert_non_null(strstr(err.msg, "duplicate"));
    }
}

static void test_plugins_find_by_kind_with_suggestions(void **state)
{
    (void)state;
    ts_err_t err = {0};
    const ts_policy_ops_t *lru = ts_policy_ops_of(ts_plugins_find(TS_PLUGIN_POLICY, "lru", &err));
    assert_non_null(lru);
    assert_ptr_equal(lru, ts_policy_find("lru", NULL));
    assert_non_null(lru->lookup);
    /* a name of another kind is not found under this one */
    assert_null(ts_plugins_find(TS_PLUGIN_POLICY, "second_hit", &err));
    assert_int_equal(err.code, TS_ENOENT);
    ts_err_clear(&err);
    assert_null(ts_plugins_find(TS_PLUGIN_ADMIT, "secondhit", &err));
    assert_string_equal(err.msg, "unknown admission 'secondhit' (did you mean 'second_hit'?)");
    ts_err_clear(&err);
    assert_null(ts_plugins_find(TS_PLUGIN_FORMAT, "natve", &err));
    assert_string_equal(err.msg, "unknown trace format 'natve' (did you mean 'native'?)");
    ts_err_clear(&err);
    assert_null(ts_plugins_find(TS_PLUGIN_GENERATOR, "zipg", &err));
    assert_string_equal(err.msg, "unknown generator kind 'zipg' (did you mean 'zipf'?)");
    ts_err_clear(&err);
    assert_null(ts_plugins_find(TS_PLUGIN_PREFETCH, "next", &err));
    assert_non_null(strstr(err.msg, "unknown prefetcher 'next'"));
    ts_err_clear(&err);
    assert_null(ts_plugins_find(TS_PLUGIN_KIND_COUNT_, "lru", &err));
    assert_int_equal(err.code, TS_EINVAL);
}

/* A kind no folder lists yet (report writers, device behaviours, live back-ends until their
 * branches add some) has an empty table that answers every name as unknown. */
static void test_plugins_empty_kinds(void **state)
{
    (void)state;
    for (int k = 0; k < TS_PLUGIN_KIND_COUNT_; k++) {
        const ts_registry_t *r = ts_plugins_registry((ts_plugin_kind_t)k);
        if (ts_registry_count(r) > 0)
            continue;
        assert_null(ts_registry_at(r, 0));
        ts_err_t err = {0};
        assert_null(ts_plugins_find((ts_plugin_kind_t)k, "file", &err));
        assert_int_equal(err.code, TS_ENOENT);
        char want[64];
        snprintf(want, sizeof(want), "unknown %s 'file'", ts_plugin_kind_name(k));
        assert_non_null(strstr(err.msg, want));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plugins_check_passes_and_slots_hold_their_kind),
        cmocka_unit_test(test_plugins_line_out_of_order_fails),
        cmocka_unit_test(test_plugins_find_by_kind_with_suggestions),
        cmocka_unit_test(test_plugins_empty_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
