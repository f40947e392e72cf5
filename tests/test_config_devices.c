/* SPDX-License-Identifier: MIT */
/*
 * test_config_devices.c - what a scenario's devices and links imply once resolved
 * (app/config_devices.c): `prefill_rate: auto` from the model and the GPU tier's FLOP/s (or
 * the workload's own rate), the zero load and recompute figures of a `cost_aware` admission
 * filter from the tier's device, its links and `timed`, and the timed engine's depth from
 * the training generator's read threads. Expected figures are derived by hand in each
 * test's comment.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sim/admit.h"
#include "app/scenario.h"
#include "config_test.h"

/* prefill_rate: auto = GPUs x dense BF16 FLOP/s x MFU / (2 x active parameters per token).
 * Llama-3.1-8B has 8 030 261 248 parameters and an H100 SXM 989.5 TFLOP/s dense BF16, so at
 * the default 50% MFU on one GPU: 989.5e12 x 0.5 / 16 060 522 496 = 30 806.0 tokens/s; on 4
 * GPUs at 40%: x 4 x 0.8 = 98 579.3. block_tokens 0 takes the generator's 256. Attention
 * (Mooncake Eq. 1, a = 4): 32 layers x 4 x 4096 (32 heads x 128) = 524 288 FLOPs per token^2,
 * attn_s = 524 288 / 494.75e12 = 1.0597e-9 s; over a whole 8,192-token prompt a token costs
 * 16 060 522 496 + 524 288 x 8192 = 20 355 489 792 FLOPs: 24 305.5 tokens/s; over 32,768,
 * 33 240 465 408 FLOPs: 14 884.0 tokens/s. */
static void test_config_prefill_rate_auto_from_model_and_gpu(void **state)
{
    (void)state;
    need_gen("inference");
    need_gen("agentic");
    const char *yaml = "mode: bytes\n"
                       "workload: {generator: {kind: inference, model: llama-3.1-8b}}\n"
                       "tiers:\n"
                       "  - {capacity: 1GB, device: h100-sxm}\n"
                       "  - {capacity: 1TB, device: ddr5-4800-8ch}\n"
                       "engine: timed\n"
                       "timed: {prefill_rate: auto}\n";
    ts_scenario_t *sc = load_ok(yaml, NULL, 0);
    double want = 989.5e12 * 0.5 / (2.0 * 8030261248.0);
    assert_true(fabs(sc->timed.prefill_rate - want) < 1e-9 * want);
    assert_true(fabs(sc->timed.prefill_rate - 30806.0) < 1.0);
    assert_int_equal(sc->timed.block_tokens, 256);
    assert_true(fabs(sc->timed.prefill_attn_s - 524288.0 / (989.5e12 * 0.5)) < 1e-21);
    assert_true(fabs(sc->timed.prefill_attn_s - 1.0597e-9) < 1e-13);
    assert_string_equal(sc->prefill_source, "llama-3.1-8b on 1 x h100-sxm at 50% MFU, without "
                                            "attention; with it, mean 24305 over an 8k-token "
                                            "prompt, 14884 over 32k");
    ts_scenario_destroy(sc);

    const char *ovr[] = {"timed.prefill_gpus=4", "timed.mfu=40%", "timed.block_tokens=16"};
    sc = load_ok(yaml, ovr, 3);
    assert_true(fabs(sc->timed.prefill_rate - want * 4 * 0.8) < 1e-9 * want);
    assert_int_equal(sc->timed.block_tokens, 16);
    ts_scenario_destroy(sc);

    /* a workload without a model but with its own prefill model: its rate */
    sc = load_ok("mode: bytes\n"
                 "workload: {generator: {kind: agentic, prefill_rate: 12345}}\n"
                 "tiers: [{capacity: 1GB, device: h100-sxm}]\n"
                 "engine: timed\n"
                 "timed: {prefill_rate: auto}\n",
                 NULL, 0);
    assert_true(sc->timed.prefill_rate == 12345.0);
    assert_string_equal(sc->prefill_source, "the workload's prefill_rate");
    ts_scenario_destroy(sc);

    /* a number is taken as it is, with no source */
    const char *ovr3[] = {"timed.prefill_rate=1000"};
    sc = load_ok(yaml, ovr3, 1);
    assert_true(sc->timed.prefill_rate == 1000.0);
    assert_string_equal(sc->prefill_source, "");
    ts_scenario_destroy(sc);
}

/* The value of a plug-in's parameter name in its filled params struct (the struct is the
 * plug-in's own: read through its schema). */
static double cfg_param_number(const ts_plugin_t *p, const void *params, const char *name)
{
    const ts_param_spec_t *ps = ts_param_find(p->params, p->params_count, name);
    assert_non_null(ps);
    return ts_param_number(ps, params);
}

/* cost_aware's load figures come from the tier's device and the links up to the top tier:
 * DRAM read at 200 GB/s after 1 us, behind a 50 GB/s link of 2 us latency: 50 GB/s (the
 * slower) after 3 us; its recompute figures from `timed` (auto: 30 806 tokens/s, blocks of
 * 256 tokens from the generator). */
static void test_config_cost_aware_takes_device_and_timed_figures(void **state)
{
    (void)state;
    need_gen("inference");
    ts_scenario_t *sc = load_ok(
        "mode: bytes\n"
        "workload: {generator: {kind: inference, model: llama-3.1-8b}}\n"
        "tiers:\n"
        "  - {capacity: 1GB, device: h100-sxm}\n"
        "  - capacity: 1TB\n"
        "    admit: cost_aware\n"
        "    device: {preset: ddr5-4800-8ch, read_bw: 200GB/s, read_latency: 1us, overhead: 0,\n"
        "             channel_bw: 0}\n"
        "    link: {preset: pcie-gen5-x16, bandwidth: 50GB/s, latency: 2us}\n"
        "engine: timed\n"
        "timed: {prefill_rate: auto}\n",
        NULL, 0);
    const ts_admit_ops_t *ca = sc->tiers[1].admit;
    const void *p = sc->tiers[1].admit_params;
    assert_true(cfg_param_number(&ca->base, p, "load_rate") == 50000000000.0);
    assert_true(cfg_param_number(&ca->base, p, "load_latency") == 3000.0);
    assert_true(fabs(cfg_param_number(&ca->base, p, "prefill_rate") -
                     989.5e12 * 0.5 / (2.0 * 8030261248.0)) < 1e-6);
    assert_true(cfg_param_number(&ca->base, p, "block_tokens") == 256.0);
    assert_true(cfg_param_number(&ca->base, p, "speedup") == 1.0);
    ts_scenario_destroy(sc);
}

/* timed.depth 0 takes the training generator's read_threads (DLIO unet3d: 4). */
static void test_config_depth_from_read_threads(void **state)
{
    (void)state;
    need_gen("training");
    const char *yaml = "workload: {generator: training}\n"
                       "tiers: [{capacity: 10, device: ddr5-4800-8ch}]\n"
                       "engine: timed\n"
                       "timed: {arrivals: closed, batch: group}\n";
    ts_scenario_t *sc = load_ok(yaml, NULL, 0);
    assert_int_equal(sc->timed.depth, 4);
    ts_scenario_destroy(sc);
    const char *ovr[] = {"workload.generator.read_threads=8"};
    sc = load_ok("workload: {generator: {kind: training}}\n"
                 "tiers: [{capacity: 10, device: ddr5-4800-8ch}]\n",
                 ovr, 1);
    assert_int_equal(sc->timed.depth, 8);
    ts_scenario_destroy(sc);
    const char *ovr2[] = {"timed.depth=1"};
    sc = load_ok(yaml, ovr2, 1);
    assert_int_equal(sc->timed.depth, 1);
    ts_scenario_destroy(sc);
}

/* A training workload's closed loop defaults to what MLPerf Storage runs: one data loader
 * per rank (nodes x gpus_per_node clients), the preset's compute per batch (DLIO unet3d on
 * H100: 0.323 s; resnet50 on A100: 0.435 s) and its AU threshold (90%; cosmoflow 70%);
 * keys given by hand win. */
static void test_config_training_closed_loop_defaults(void **state)
{
    (void)state;
    need_gen("training");
    const char *yaml = "workload: {generator: {kind: training, nodes: 2, gpus_per_node: 4}}\n"
                       "tiers: [{capacity: 10, device: ddr5-4800-8ch}]\n"
                       "engine: timed\n"
                       "timed: {arrivals: closed}\n";
    ts_scenario_t *sc = load_ok(yaml, NULL, 0);
    assert_int_equal(sc->timed.clients, 8);
    assert_int_equal(sc->timed.batch, TS_TIMED_BATCH_LOADER);
    assert_int_equal(sc->timed.think_ns, 323000000);
    assert_int_equal(sc->timed.prefetch_factor, 2);
    assert_true(sc->timed.au_target == 0.9);
    ts_scenario_destroy(sc);
    const char *ovr[] = {"workload.generator.workload=cosmoflow",
                         "workload.generator.accelerator=a100"};
    sc = load_ok(yaml, ovr, 2);
    assert_int_equal(sc->timed.think_ns, 5510000);
    assert_true(sc->timed.au_target == 0.7);
    ts_scenario_destroy(sc);
    const char *ovr2[] = {"timed.think=1s", "timed.clients=3", "timed.batch=group"};
    sc = load_ok(yaml, ovr2, 3);
    assert_int_equal(sc->timed.think_ns, 1000000000);
    assert_int_equal(sc->timed.clients, 3);
    assert_int_equal(sc->timed.batch, TS_TIMED_BATCH_GROUP);
    ts_scenario_destroy(sc);
}

/* The live engine plays the same data loader: a training closed loop defaults to it there
 * too, with the preset's ranks and compute; `batch: group` by hand still wins. */
static void test_config_live_takes_the_loader(void **state)
{
    (void)state;
    need_gen("training");
    const char *yaml = "workload: {generator: {kind: training}}\n"
                       "tiers: [{capacity: 10, device: ddr5-4800-8ch, backend: memory}]\n"
                       "engine: live\n"
                       "timed: {arrivals: closed}\n";
    ts_scenario_t *sc = load_ok(yaml, NULL, 0);
    assert_int_equal(sc->timed.batch, TS_TIMED_BATCH_LOADER);
    assert_int_equal(sc->timed.depth, 4); /* unet3d's read_threads */
    ts_scenario_destroy(sc);
    const char *ovr[] = {"timed.batch=group"};
    sc = load_ok(yaml, ovr, 1);
    assert_int_equal(sc->timed.batch, TS_TIMED_BATCH_GROUP);
    ts_scenario_destroy(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_prefill_rate_auto_from_model_and_gpu),
        cmocka_unit_test(test_config_cost_aware_takes_device_and_timed_figures),
        cmocka_unit_test(test_config_depth_from_read_threads),
        cmocka_unit_test(test_config_training_closed_loop_defaults),
        cmocka_unit_test(test_config_live_takes_the_loader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
