/* SPDX-License-Identifier: MIT */
/*
 * test_trace_kvjson.c - Mooncake and Bailian KV-cache traces: requests expanded into their
 * block gets (and decode puts) with hand-computed counts, sizes and times, shared prefixes
 * as shared keys, conversations as streams, and errors naming the line.
 */
#include "trace_test.h"

static ts_reader_t *open_kv(const char *format, const char *text, const char *const *names,
                            const char *const *values, size_t n, ts_err_t *err)
{
    char path[400];
    trace_test_put("t.jsonl", text, strlen(text), path);
    return trace_test_open(format, path, names, values, n, err);
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
    /* every request is a KV block; each request's last prompt read ends its TTFT group */
    static const uint8_t flags[] = {TS_REQ_KV, TS_REQ_KV | TS_REQ_GROUP_END, TS_REQ_KV,
                                    TS_REQ_KV, TS_REQ_KV, TS_REQ_KV | TS_REQ_GROUP_END};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(q[i].op, ops[i]);
        assert_int_equal(q[i].flags, flags[i]);
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
    static const trace_test_bad_t k_cases[] = {
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
    trace_test_bad_cases("mooncake", k_cases, sizeof(k_cases) / sizeof(k_cases[0]), NULL, NULL,
                         0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mooncake_expands_requests),
        cmocka_unit_test(test_bailian_conversations_are_streams),
        cmocka_unit_test(test_kvjson_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, trace_test_setup, trace_test_teardown);
}
