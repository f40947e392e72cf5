/* SPDX-License-Identifier: MIT */
/*
 * test_trace_kvjson.c - Mooncake and Bailian KV-cache traces: requests expanded into their
 * block gets (and decode puts) with hand-computed counts, sizes and times, shared prefixes
 * as shared keys, conversations as streams, and errors naming the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "traces/trace.h"

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof(g_dir), "%s/kvjson-XXXXXX", TS_BINARY_DIR);
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static ts_reader_t *open_kv(const char *format, const char *text, const char *const *names,
                            const char *const *values, size_t n, ts_err_t *err)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/t.jsonl", g_dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    const char *nn[8] = {"path"}, *vv[8] = {path};
    for (size_t i = 0; i < n; i++) {
        nn[i + 1] = names[i];
        vv[i + 1] = values[i];
    }
    const ts_trace_format_t *f = ts_trace_find(format, err);
    assert_non_null(f);
    ts_reader_t *r = NULL;
    assert_int_equal(ts_reader_open_kv(f->reader, nn, vv, n + 1, NULL, &r, err), 0);
    return r;
}

static size_t drain(ts_reader_t *r, ts_req_t *q, size_t cap, ts_err_t *err)
{
    size_t n = 0;
    while (n < cap && ts_reader_next(r, &q[n], err) == 1)
        n++;
    return n;
}

/* Request 1: 1000 prompt tokens in blocks [1, 2], 100 output tokens: floor(1100/512) -
 * floor(1000/512) = 1 output block. Request 2 (at 1.5 s): blocks [1, 2, 3], 1100 + 10
 * tokens: 0 output blocks. Blocks of 512 tokens x 1000 bytes. */
static const char k_mooncake[] =
    "{\"timestamp\": 0, \"input_length\": 1000, \"output_length\": 100, \"hash_ids\": [1, 2]}\n"
    "{\"timestamp\": 1500, \"input_length\": 1100, \"output_length\": 10, "
    "\"hash_ids\": [1, 2, 3]}\n";

static void test_mooncake_expands_requests(void **state)
{
    (void)state;
    const char *names[] = {"kv_bytes_per_token", "write_output"};
    const char *values[] = {"1000", "true"};
    ts_err_t err = {0};
    ts_reader_t *r = open_kv("mooncake", k_mooncake, names, values, 2, &err);
    ts_req_t q[10];
    size_t n = drain(r, q, 10, &err);
    assert_int_equal(err.code, 0);
    assert_int_equal(n, 6);
    static const uint8_t ops[] = {TS_OP_GET, TS_OP_GET, TS_OP_PUT, TS_OP_GET, TS_OP_GET,
                                  TS_OP_GET};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(q[i].op, ops[i]);
        assert_int_equal(q[i].size_bytes, 512000);
        assert_true(q[i].time_ns == (i < 3 ? 0 : 1500000000ull));
    }
    assert_true(q[0].key == q[3].key && q[1].key == q[4].key); /* the shared prefix */
    assert_true(q[5].key != q[0].key && q[5].key != q[1].key && q[2].key != q[5].key);
    assert_true(q[0].stream != q[3].stream); /* one stream per request */
    ts_reader_close(r);
    /* without output writes, sized by a model preset: Llama-3.1-8B, 131072 B/token */
    const char *n2[] = {"model"};
    const char *v2[] = {"llama-3.1-8b"};
    r = open_kv("mooncake", k_mooncake, n2, v2, 1, &err);
    n = drain(r, q, 10, &err);
    assert_int_equal(n, 5);
    assert_int_equal(q[0].size_bytes, 131072ull * 512);
    ts_reader_close(r);
}

/* Chats 10 -> 11 -> 12 are one conversation, 20 another; times in seconds. */
static void test_bailian_conversations_are_streams(void **state)
{
    (void)state;
    static const char text[] =
        "{\"chat_id\": 10, \"parent_chat_id\": -1, \"timestamp\": 1.5, \"input_length\": 40,"
        " \"output_length\": 8, \"type\": \"text\", \"turn\": 1, \"hash_ids\": [7, 8]}\n"
        "{\"chat_id\": 20, \"parent_chat_id\": -1, \"timestamp\": 2, \"input_length\": 16,"
        " \"output_length\": 8, \"type\": \"text\", \"turn\": 1, \"hash_ids\": [9]}\n"
        "{\"chat_id\": 11, \"parent_chat_id\": 10, \"timestamp\": 3, \"input_length\": 60,"
        " \"output_length\": 8, \"type\": \"text\", \"turn\": 2, \"hash_ids\": [7, 8, 5]}\n"
        "{\"chat_id\": 12, \"parent_chat_id\": 11, \"timestamp\": 4, \"input_length\": 70,"
        " \"output_length\": 8, \"type\": \"text\", \"turn\": 3, \"hash_ids\": [7, 8, 5, 6]}\n";
    const char *names[] = {"kv_bytes_per_token"};
    const char *values[] = {"100"};
    ts_err_t err = {0};
    ts_reader_t *r = open_kv("bailian", text, names, values, 1, &err);
    ts_req_t q[16];
    size_t n = drain(r, q, 16, &err);
    assert_int_equal(err.code, 0);
    assert_int_equal(n, 10);
    assert_int_equal(q[0].size_bytes, 1600); /* 16 tokens x 100 bytes */
    assert_true(q[0].time_ns == 1500000000ull);
    uint32_t conv = q[0].stream, other = q[2].stream;
    assert_true(conv != other);
    for (size_t i = 3; i < n; i++)
        assert_int_equal(q[i].stream, conv);
    assert_true(q[3].key == q[0].key && q[6].key == q[0].key && q[8].key == q[5].key);
    /* reset replays the same streams */
    assert_int_equal(ts_reader_reset(r, &err), 0);
    ts_req_t again[16];
    assert_int_equal(drain(r, again, 16, &err), 10);
    assert_int_equal(again[9].stream, conv);
    ts_reader_close(r);
}

static void test_kvjson_errors_name_the_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *where;
        const char *msg;
    } k_cases[] = {
        {"{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": []}\n"
         "not json\n",
         ":2", "expected a JSON object"},
        {"{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n", ":1", "'hash_ids'"},
        {"{\"timestamp\": 0, \"input_length\": -5, \"output_length\": 1, \"hash_ids\": [1]}\n",
         ":1", "'input_length'"},
        {"{\"timestamp\": \"x\", \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1]}\n",
         ":1", "'timestamp'"},
        {"{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1.5]}\n",
         ":1", "hold integers"},
    };
    for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
        ts_err_t err = {0};
        ts_reader_t *r = open_kv("mooncake", k_cases[i].text, NULL, NULL, 0, &err);
        ts_req_t q;
        int rc;
        while ((rc = ts_reader_next(r, &q, &err)) == 1)
            ;
        if (rc != TS_EFORMAT || !strstr(err.where, k_cases[i].where) ||
            !strstr(err.msg, k_cases[i].msg))
            fail_msg("case %zu: rc %d where '%s' msg '%s'", i, rc, err.where, err.msg);
        ts_reader_close(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mooncake_expands_requests),
        cmocka_unit_test(test_bailian_conversations_are_streams),
        cmocka_unit_test(test_kvjson_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
