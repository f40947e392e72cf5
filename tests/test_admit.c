/* SPDX-License-Identifier: MIT */
/*
 * test_admit.c - the admission-filter seam's capabilities: a filter flagged TS_ADMIT_ALL
 * gets no instance in a hierarchy (its create is never called), and cost_aware's resolve
 * fills the figures the scenario left at 0 from a device, links and the timed figures:
 *     load_rate    = min(device read rate, per-request cap, every link's rate)
 *     load_latency = device read latency + overhead + every link's latency
 * keeps the figures given, and says what is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/admit.h"
#include "sim/hier.h"
#include "sim/util/mem.h"

extern const ts_policy_ops_t ts_policy_lru;
extern const ts_admit_ops_t ts_admit_always;
extern const ts_admit_ops_t ts_admit_cost_aware;

/* ---- TS_ADMIT_ALL: no instance ---- */

static int toy_create_fails(const void *params, ts_admit_t **out, ts_err_t *err)
{
    (void)params;
    *out = NULL;
    return ts_err_set(err, TS_EINVAL, "a filter that admits everything was created");
}

static bool toy_admit(ts_admit_t *a, const ts_req_t *r)
{
    (void)a;
    (void)r;
    return false;
}

static size_t toy_mem_bytes(const ts_admit_t *a)
{
    (void)a;
    return 0;
}

/* Flagged as admitting everything, whatever its name; creating it would fail. */
static const ts_admit_ops_t k_toy_all = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_ADMIT,
             .name = "toy_all",
             .summary = "a toy that admits everything",
             .flags = TS_ADMIT_ALL},
    .create = toy_create_fails,
    .admit = toy_admit,
    .mem_bytes = toy_mem_bytes,
};

static void test_admit_all_gets_no_instance(void **state)
{
    (void)state;
    const ts_admit_ops_t *all[] = {&k_toy_all, &ts_admit_always};
    for (size_t c = 0; c < 2; c++) {
        ts_err_t err = {0};
        ts_policy_init_t init = {.capacity = 4, .count_objects = true, .seed = 1};
        ts_tier_t *t[2] = {NULL, NULL};
        assert_int_equal(ts_tier_create("t0", &ts_policy_lru, NULL, &init, &t[0], &err), 0);
        assert_int_equal(ts_tier_create("t1", &ts_policy_lru, NULL, &init, &t[1], &err), 0);
        ts_hier_config_t cfg = {0};
        cfg.admit[1] = all[c];
        ts_hier_t *h = NULL;
        if (ts_hier_create(&cfg, t, 2, &h, &err) != 0)
            fail_msg("%s: %s", all[c]->base.name, err.msg);
        assert_null(h->admit[0]);
        assert_null(h->admit[1]);
        ts_hier_destroy(h);
        ts_tier_destroy(t[0]);
        ts_tier_destroy(t[1]);
    }
}

/* ---- cost_aware's resolve ---- */

/* cost_aware's params with name=value pairs over its defaults (every figure 0, speedup 1). */
static void *ca_params(const char *const *names, const char *const *values, size_t n)
{
    void *p = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_plugin_params_kv(&ts_admit_cost_aware.base, names, values, n, &p, &err),
                     0);
    return p;
}

/* The figure name of a filled params struct, read through the schema (the struct is the
 * filter's own). */
static double ca_get(const void *params, const char *name)
{
    const ts_plugin_t *b = &ts_admit_cost_aware.base;
    const ts_param_spec_t *ps = ts_param_find(b->params, b->params_count, name);
    assert_non_null(ps);
    return ts_param_number(ps, params);
}

static void test_admit_cost_aware_resolve_from_device_and_links(void **state)
{
    (void)state;
    assert_non_null(ts_admit_cost_aware.resolve);
    /* An NVMe drive read at 10 GB/s after 80 us, 20 us of software overhead, at most
     * 4 GB/s per request; behind a 8 GB/s link of 2 us and a 3 GB/s link of 5 us:
     *   rate    = min(10, 4, 8, 3) GB/s = 3 GB/s (the slower link)
     *   latency = 80 + 20 + 2 + 5 us = 107 us */
    ts_device_t dev = {.read_bytes_per_s = 10000000000ull,
                       .read_latency_ns = 80000,
                       .overhead_ns = 20000,
                       .channel_bytes_per_s = 4000000000ull};
    ts_link_t near = {.bytes_per_s = 8000000000ull, .latency_ns = 2000};
    ts_link_t far = {.bytes_per_s = 3000000000ull, .latency_ns = 5000};
    const ts_link_t *links[] = {&near, &far};
    ts_admit_ctx_t ctx = {.device = &dev,
                          .links = links,
                          .n_links = 2,
                          .prefill_rate = 5000,
                          .block_tokens = 256};
    void *p = ca_params(NULL, NULL, 0);
    ts_err_t err = {0};
    assert_int_equal(ts_admit_cost_aware.resolve(p, &ctx, &err), 0);
    assert_true(ca_get(p, "load_rate") == 3e9);
    assert_true(ca_get(p, "load_latency") == 107000);
    assert_true(ca_get(p, "prefill_rate") == 5000);
    assert_true(ca_get(p, "block_tokens") == 256);
    assert_true(ca_get(p, "speedup") == 1);
    ts_free(p);

    /* Without links the per-request cap sets the rate: min(10, 4) = 4 GB/s; the latency
     * given (1 ms) and the block size given (16) are kept. */
    ctx.n_links = 0;
    static const char *const names[] = {"load_latency", "block_tokens"};
    static const char *const values[] = {"1ms", "16"};
    p = ca_params(names, values, 2);
    assert_int_equal(ts_admit_cost_aware.resolve(p, &ctx, &err), 0);
    assert_true(ca_get(p, "load_rate") == 4e9);
    assert_true(ca_get(p, "load_latency") == 1000000);
    assert_true(ca_get(p, "block_tokens") == 16);
    ts_free(p);
    ctx.links = links + 1; /* only the 3 GB/s, 5 us link */
    ctx.n_links = 1;
    p = ca_params(NULL, NULL, 0);
    assert_int_equal(ts_admit_cost_aware.resolve(p, &ctx, &err), 0);
    assert_true(ca_get(p, "load_rate") == 3e9);
    assert_true(ca_get(p, "load_latency") == 105000);
    ts_free(p);
}

static void test_admit_cost_aware_resolve_says_what_is_missing(void **state)
{
    (void)state;
    /* no device and no load figures */
    ts_admit_ctx_t ctx = {.prefill_rate = 5000, .block_tokens = 256};
    void *p = ca_params(NULL, NULL, 0);
    ts_err_t err = {0};
    assert_int_equal(ts_admit_cost_aware.resolve(p, &ctx, &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "cost_aware needs the tier's device (or load_rate and "
                                    "load_latency)"));
    ts_free(p);
    /* load figures given: no device needed; but no prefill rate anywhere */
    static const char *const names[] = {"load_rate", "load_latency"};
    static const char *const values[] = {"1GB/s", "10us"};
    p = ca_params(names, values, 2);
    ctx.prefill_rate = 0;
    ts_err_clear(&err);
    assert_int_equal(ts_admit_cost_aware.resolve(p, &ctx, &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "cost_aware needs a prefill rate and a block size"));
    ts_free(p);
    ctx.prefill_rate = 100;
    p = ca_params(names, values, 2);
    assert_int_equal(ts_admit_cost_aware.resolve(p, &ctx, &err), 0);
    assert_true(ca_get(p, "load_rate") == 1e9 && ca_get(p, "load_latency") == 10000);
    assert_true(ca_get(p, "prefill_rate") == 100);
    ts_free(p);
}

/* A 20 MB KV block of 10 tokens loads back in 1 us + 20 MB / 1 GB/s = 20.001 ms. At 1000
 * tokens/s with attention's 1e-6 s per token^2 (from timed), its recompute takes, with c
 * tokens before it, 10 ms + 1e-6 x ((c + 10)^2 - c^2): 10.1 ms at c = 0 (refused), 30.1 ms
 * at c = 1000 (admitted). A prefill_rate of the filter's own is a constant rate: refused. */
static bool ca_admits(const char *context, const char *rate, double attn_s)
{
    static const char *names[] = {"load_rate", "load_latency", "block_tokens", "context",
                                  "prefill_rate"};
    const char *values[] = {"1GB/s", "1us", "10", context, rate};
    ts_admit_ctx_t ctx = {.prefill_rate = 1000, .prefill_attn_s = attn_s};
    void *p = ca_params(names, values, rate ? 5 : 4);
    ts_err_t err = {0};
    ts_admit_t *a = NULL;
    assert_int_equal(ts_admit_cost_aware.resolve(p, &ctx, &err), 0);
    assert_int_equal(ts_admit_cost_aware.create(p, &a, &err), 0);
    ts_req_t r = {.key = 1, .size_bytes = 20000000, .op = TS_OP_GET, .flags = TS_REQ_KV};
    bool ok = a->ops->admit(a, &r);
    ts_admit_destroy(a);
    ts_free(p);
    return ok;
}

static void test_admit_cost_aware_recompute_grows_with_context(void **state)
{
    (void)state;
    assert_false(ca_admits("0", NULL, 1e-6));
    assert_true(ca_admits("1000", NULL, 1e-6));
    assert_false(ca_admits("1000", NULL, 0));     /* a constant rate: 10 ms wherever */
    assert_false(ca_admits("1000", "1000", 1e-6)); /* the filter's own rate: constant */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admit_all_gets_no_instance),
        cmocka_unit_test(test_admit_cost_aware_resolve_from_device_and_links),
        cmocka_unit_test(test_admit_cost_aware_resolve_says_what_is_missing),
        cmocka_unit_test(test_admit_cost_aware_recompute_grows_with_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
