/* SPDX-License-Identifier: MIT */
/*
 * test_result.c - a run's result is sized by what the run has: a run of n tiers holds n
 * tier results and n links (no more), a timed run one latency summary per level and one
 * row per device and link, a bill one level per tier plus the central store; its strings
 * are as long as their text, cut where a fixed buffer used to cut them. ts_result_release
 * frees all of it (the sanitizer build checks for leaks), accepts a zeroed or released
 * result, and a run that runs out of memory at any allocation fails with TS_ENOMEM and
 * leaves nothing behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <malloc.h>

#include "app/run.h"
#include "app/scenario.h"
#include "sim/result.h"
#include "sim/util/mem.h"

/* One tier, the fast engine, a bill (cost is on by default). */
static const char k_one_tier[] = "name: one\n"
                                 "seed: 1\n"
                                 "workload:\n"
                                 "  generator: {kind: loop, keys: 100, requests: 1000}\n"
                                 "tiers:\n"
                                 "  - {name: cache, capacity: 10, policy: lru}\n"
                                 "engine: fast\n";

/* Two tiers and the backing store under the timed engine: devices on every level, links
 * on nvme and on the backing store only (dram is the top tier: no GPU above it to take a
 * link from). Resources: 3 devices + 2 links x 2 directions = 7. */
static const char k_timed[] = "name: timed\n"
                              "seed: 3\n"
                              "mode: bytes\n"
                              "workload:\n"
                              "  generator: {kind: zipf, alpha: 0.9, keys: 200, requests: 2000,\n"
                              "              size: 4KiB}\n"
                              "tiers:\n"
                              "  - {name: dram, capacity: 64KiB, policy: lru,\n"
                              "     device: ddr5-4800-8ch}\n"
                              "  - {name: nvme, capacity: 256KiB, policy: fifo,\n"
                              "     device: kioxia-cm7-r, link: pcie-gen5-x16}\n"
                              "backing: {device: s3-standard, link: eth-100g}\n"
                              "engine: timed\n";

static ts_scenario_t *load_ok(const char *yaml)
{
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    if (ts_scenario_load_string(yaml, "result.yaml", NULL, NULL, 0, &sc, &err))
        fail_msg("load: %s: %s", err.where, err.msg);
    return sc;
}

static void run_ok(const char *yaml, ts_result_t *res)
{
    ts_scenario_t *sc = load_ok(yaml);
    ts_err_t err = {0};
    if (ts_run(sc, res, &err))
        fail_msg("run: %s: %s", err.where, err.msg);
    ts_scenario_destroy(sc);
}

/* The block at p holds n elements of elem_size bytes and not one more. malloc may round a
 * block up, by less than 32 bytes; every element checked here is at least 32 bytes. */
static void assert_holds(const void *p, size_t n, size_t elem_size)
{
    assert_non_null(p);
    size_t usable = malloc_usable_size((void *)p);
    assert_true(elem_size >= 32);
    if (usable < n * elem_size || usable >= (n + 1) * elem_size)
        fail_msg("a block of %zu bytes for %zu elements of %zu bytes", usable, n, elem_size);
}

static void test_result_one_tier_holds_one(void **state)
{
    (void)state;
    ts_result_t res;
    run_ok(k_one_tier, &res);
    assert_int_equal(res.n_tiers, 1);
    assert_holds(res.tiers, 1, sizeof(*res.tiers));
    assert_holds(res.hier.link, 1, sizeof(*res.hier.link));
    assert_true(res.has_cost);
    assert_int_equal(res.cost.n_levels, 2); /* the tier and the central store */
    assert_holds(res.cost.level, 2, sizeof(*res.cost.level));
    assert_string_equal(res.cost.level[0].name, "cache");
    assert_string_equal(res.cost.level[1].name, "backing");
    /* the fast engine: no timed arrays at all */
    assert_false(res.has_timed);
    assert_null(res.timed.served);
    assert_null(res.timed.res);
    /* strings: each exactly its text */
    assert_string_equal(res.tiers[0].name, "cache");
    assert_string_equal(res.tiers[0].policy, "lru");
    assert_string_equal(res.tiers[0].admit, ""); /* no filter: the writers print always */
    assert_string_equal(res.hier.prefetch, "");  /* no prefetcher: they print none */
    assert_string_equal(res.name, "one");
    assert_string_equal(res.scenario, "result.yaml");
    assert_int_equal(malloc_usable_size(res.tiers[0].name) < 32, true); /* not a 64-byte buffer */
    assert_false(res.is_yaml_shared); /* a lone run keeps its own copy of the text */
    assert_string_equal(res.scenario_yaml, k_one_tier);
    ts_result_release(&res);
}

static void test_result_timed_levels_and_resources(void **state)
{
    (void)state;
    ts_result_t res;
    run_ok(k_timed, &res);
    assert_true(res.has_timed);
    assert_int_equal(res.n_tiers, 2);
    assert_holds(res.tiers, 2, sizeof(*res.tiers));
    assert_holds(res.hier.link, 2, sizeof(*res.hier.link));
    const ts_timed_result_t *t = &res.timed;
    assert_int_equal(t->n_levels, 3); /* dram, nvme, backing */
    assert_holds(t->served, 3, sizeof(*t->served));
    assert_int_equal(t->n_res, 7);
    assert_holds(t->res, 7, sizeof(*t->res));
    /* level by level: the device, then its link up and down when it has one */
    static const struct {
        const char *name;
        uint8_t role, level;
    } want[] = {
        {"dram: ddr5-4800-8ch", TS_ROLE_DEVICE, 0},
        {"nvme: kioxia-cm7-r", TS_ROLE_DEVICE, 1},
        {"nvme link up: pcie-gen5-x16", TS_ROLE_LINK_UP, 1},
        {"nvme link down: pcie-gen5-x16", TS_ROLE_LINK_DOWN, 1},
        {"backing: s3-standard", TS_ROLE_DEVICE, 2},
        {"backing link up: eth-100g", TS_ROLE_LINK_UP, 2},
        {"backing link down: eth-100g", TS_ROLE_LINK_DOWN, 2},
    };
    for (size_t j = 0; j < 7; j++) {
        assert_string_equal(t->res[j].name, want[j].name);
        assert_int_equal(t->res[j].role, want[j].role);
        assert_int_equal(t->res[j].level, want[j].level);
    }
    /* every get was served by some level: the per-level counts add up to the gets */
    uint64_t gets = 0;
    for (size_t l = 0; l < t->n_levels; l++)
        gets += t->served[l].n;
    assert_int_equal(gets, t->op[0].n);
    assert_int_equal(res.cost.n_levels, 3);
    assert_holds(res.cost.level, 3, sizeof(*res.cost.level));
    ts_result_release(&res);
}

/* Release frees every part and leaves a zeroed-looking result: releasing it again, or
 * releasing a zeroed result, is harmless. */
static void test_result_release_frees_everything(void **state)
{
    (void)state;
    ts_result_t res;
    run_ok(k_timed, &res);
    assert_true(ts_result_heap_bytes(&res) > 0);
    ts_result_release(&res);
    assert_null(res.tiers);
    assert_int_equal(res.n_tiers, 0);
    assert_null(res.hier.link);
    assert_null(res.hier.prefetch);
    assert_null(res.timed.served);
    assert_int_equal(res.timed.n_levels, 0);
    assert_null(res.timed.res);
    assert_int_equal(res.timed.n_res, 0);
    assert_null(res.timed.all.buckets);
    assert_null(res.cost.level);
    assert_int_equal(res.cost.n_levels, 0);
    assert_null(res.scenario);
    assert_null(res.workload);
    assert_null(res.scenario_yaml);
    assert_null(res.overrides);
    assert_int_equal(ts_result_heap_bytes(&res), 0);
    ts_result_release(&res);
    ts_result_t zero;
    memset(&zero, 0, sizeof(zero));
    ts_result_release(&zero);
    ts_result_release(NULL);
}

/* A borrowed scenario text is not freed with the result: the caller's copy stays whole
 * (ASan would report a double free otherwise). */
static void test_result_shared_text_is_borrowed(void **state)
{
    (void)state;
    ts_scenario_t *sc = load_ok(k_one_tier);
    char *text = ts_strdup(k_one_tier);
    assert_non_null(text);
    ts_run_opts_t opts = {.shared_yaml = text};
    ts_result_t a, b;
    ts_err_t err = {0};
    assert_int_equal(ts_run_with(sc, &opts, &a, &err), 0);
    assert_int_equal(ts_run_with(sc, &opts, &b, &err), 0);
    assert_true(a.is_yaml_shared);
    assert_ptr_equal(a.scenario_yaml, text);
    assert_ptr_equal(b.scenario_yaml, text);
    size_t own = ts_result_heap_bytes(&a);
    ts_result_release(&a);
    ts_result_release(&b);
    assert_string_equal(text, k_one_tier);
    /* a text that is not the scenario's is not borrowed */
    opts.shared_yaml = "name: other\n";
    assert_int_equal(ts_run_with(sc, &opts, &a, &err), 0);
    assert_false(a.is_yaml_shared);
    assert_string_equal(a.scenario_yaml, k_one_tier);
    assert_int_equal(ts_result_heap_bytes(&a), own + sizeof(k_one_tier)); /* now its own */
    ts_result_release(&a);
    ts_free(text);
    ts_scenario_destroy(sc);
}

/* ts_result_strf leaves what snprintf leaves in a buffer of max bytes (0: no limit). */
static void test_result_strf_cuts_like_snprintf(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        size_t max;
        const char *text;
        const char *want;
    } cases[] = {
        {"fits", 8, "abc", "abc"},
        {"exactly max - 1", 4, "abc", "abc"},
        {"cut", 4, "abcdef", "abc"},
        {"one byte: empty", 1, "abc", ""},
        {"no limit", 0, "abcdef", "abcdef"},
        {"empty", 8, "", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *s = NULL;
        assert_int_equal(ts_result_strf(&s, cases[i].max, NULL, "%s", cases[i].text), 0);
        if (strcmp(s, cases[i].want) != 0)
            fail_msg("%s: '%s', expected '%s'", cases[i].name, s, cases[i].want);
        assert_int_equal(malloc_usable_size(s) < strlen(cases[i].want) + 1 + 32, true);
        ts_free(s);
    }
    /* it replaces (and frees) what *dst held; out of memory leaves NULL and says so */
    char *s = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_result_strf(&s, 0, &err, "%d-%s", 42, "x"), 0);
    assert_string_equal(s, "42-x");
    ts_mem_fail_after(0);
    assert_int_equal(ts_result_strf(&s, 0, &err, "%s", "y"), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_null(s);
    assert_non_null(strstr(err.msg, "cannot hold a string"));
}

/* Out of memory at any allocation of a run (fast, then timed): TS_ENOMEM, and nothing
 * left (the sanitizer build checks), until the run succeeds. */
static void test_result_run_out_of_memory(void **state)
{
    (void)state;
    const char *yamls[] = {k_one_tier, k_timed};
    for (size_t y = 0; y < 2; y++) {
        ts_scenario_t *sc = load_ok(yamls[y]);
        ts_result_t res;
        int rc = TS_ENOMEM;
        long n = 0;
        for (; rc != 0; n++) {
            ts_err_t err = {0};
            ts_mem_fail_after(n);
            rc = ts_run(sc, &res, &err);
            ts_mem_fail_after(-1);
            if (rc && rc != TS_ENOMEM)
                fail_msg("%s: allocation %ld failed: %s (%s)", y ? "timed" : "fast", n,
                         ts_err_name(rc), err.msg);
            if (rc) { /* a failed run owns nothing */
                assert_null(res.tiers);
                assert_null(res.scenario_yaml);
                assert_null(res.timed.served);
                assert_null(res.cost.level);
            }
        }
        assert_true(n > 10);
        ts_result_release(&res);
        ts_scenario_destroy(sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_result_one_tier_holds_one),
        cmocka_unit_test(test_result_timed_levels_and_resources),
        cmocka_unit_test(test_result_release_frees_everything),
        cmocka_unit_test(test_result_shared_text_is_borrowed),
        cmocka_unit_test(test_result_strf_cuts_like_snprintf),
        cmocka_unit_test(test_result_run_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
