/* SPDX-License-Identifier: MIT */
/*
 * test_reader.c - what a reader's hints() say of its workload, from its parameters alone:
 * the inference generator gives its model preset and block size, the training generator
 * its reader threads, the KV-cache trace formats their model and block size, the agentic
 * generator its block size and prefill rate; readers without hints() give zeros. Also the
 * capability flags readers declare (the HDF5 reader is not thread-safe, generators are
 * flagged as such and formats are not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/reader.h"
#include "sim/util/mem.h"
#include "traces/trace.h"
#include "workloads/gen.h"

/* The hints of reader ops with its defaults overridden by n name=value pairs. */
static ts_reader_hints_t hints_of(const ts_reader_ops_t *ops, const char *const *names,
                                  const char *const *values, size_t n)
{
    assert_non_null(ops);
    void *p = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_plugin_params_kv(&ops->base, names, values, n, &p, &err), 0);
    ts_reader_hints_t h;
    ts_reader_hints(ops, p, &h);
    ts_free(p);
    return h;
}

static void test_reader_hints_of_inference(void **state)
{
    (void)state;
    /* the defaults: Llama-3.1-70B in blocks of 256 tokens (LMCache's chunk) */
    ts_reader_hints_t h = hints_of(ts_gen_find("inference", NULL), NULL, NULL, 0);
    assert_string_equal(h.model, "llama-3.1-70b");
    assert_int_equal(h.block_tokens, 256);
    assert_int_equal(h.read_threads, 0);
    assert_true(h.prefill_rate == 0);
    static const char *const names[] = {"model", "block_tokens"};
    static const char *const values[] = {"llama-3.1-8b", "16"};
    h = hints_of(ts_gen_find("inference", NULL), names, values, 2);
    assert_string_equal(h.model, "llama-3.1-8b");
    assert_int_equal(h.block_tokens, 16);
}

static void test_reader_hints_of_training(void **state)
{
    (void)state;
    /* four data-loader workers per rank by default (DLIO's read_threads) */
    ts_reader_hints_t h = hints_of(ts_gen_find("training", NULL), NULL, NULL, 0);
    assert_null(h.model);
    assert_int_equal(h.block_tokens, 0);
    assert_int_equal(h.read_threads, 4);
    static const char *const names[] = {"read_threads"};
    static const char *const values[] = {"8"};
    h = hints_of(ts_gen_find("training", NULL), names, values, 1);
    assert_int_equal(h.read_threads, 8);
}

static void test_reader_hints_of_kv_traces_and_agentic(void **state)
{
    (void)state;
    static const char *const path[] = {"path"};
    static const char *const file[] = {"t.jsonl"};
    /* Mooncake traces hash 512-token blocks, Bailian 16, agent sessions 64 */
    static const struct {
        const char *format;
        uint64_t block_tokens;
    } cases[] = {{"mooncake", 512}, {"bailian", 16}, {"agent_sessions", 64}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_reader_hints_t h = hints_of(ts_trace_find(cases[i].format, NULL), path, file, 1);
        assert_string_equal(h.model, "llama-3.1-70b");
        if (h.block_tokens != cases[i].block_tokens)
            fail_msg("%s: block_tokens %llu", cases[i].format,
                     (unsigned long long)h.block_tokens);
    }
    static const char *const names[] = {"block_tokens", "prefill_rate"};
    static const char *const values[] = {"128", "12345"};
    ts_reader_hints_t h = hints_of(ts_gen_find("agentic", NULL), names, values, 2);
    assert_null(h.model);
    assert_int_equal(h.block_tokens, 128);
    assert_true(h.prefill_rate == 12345);
    /* no hints(): all zero */
    h = hints_of(ts_gen_find("zipf", NULL), NULL, NULL, 0);
    assert_true(!h.model && !h.block_tokens && !h.read_threads && h.prefill_rate == 0);
    h = hints_of(ts_trace_find("csv", NULL), path, file, 1);
    assert_true(!h.model && !h.block_tokens && !h.read_threads && h.prefill_rate == 0);
}

static void test_reader_flags(void **state)
{
    (void)state;
    for (size_t i = 0; i < ts_registry_count(&ts_formats); i++) {
        const ts_plugin_t *p = ts_registry_at(&ts_formats, i);
        assert_false(p->flags & TS_READER_GENERATOR);
    }
    for (size_t i = 0; i < ts_registry_count(&ts_generators); i++) {
        const ts_plugin_t *p = ts_registry_at(&ts_generators, i);
        assert_true(p->flags & TS_READER_GENERATOR);
        assert_false(p->flags & TS_READER_NOT_THREAD_SAFE);
    }
    assert_true(ts_trace_find("hdf5", NULL)->base.flags & TS_READER_NOT_THREAD_SAFE);
    assert_false(ts_trace_find("native", NULL)->base.flags & TS_READER_NOT_THREAD_SAFE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_hints_of_inference),
        cmocka_unit_test(test_reader_hints_of_training),
        cmocka_unit_test(test_reader_hints_of_kv_traces_and_agentic),
        cmocka_unit_test(test_reader_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
