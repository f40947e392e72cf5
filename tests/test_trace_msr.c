/* SPDX-License-Identifier: MIT */
/*
 * test_trace_msr.c - MSR Cambridge block traces: I/Os cut into the blocks they touch
 * (aligned and not), whole extents, keys per volume, times from Windows filetimes, errors.
 */
#include "trace_test.h"

static ts_reader_t *open_msr(const char *text, const char *mode, ts_err_t *err)
{
    char path[400];
    trace_test_put("t.csv", text, strlen(text), path);
    const char *names[] = {"mode", "block_size"};
    const char *values[] = {mode, "4KiB"};
    return trace_test_open("msr", path, names, values, 2, err);
}

/* Line 1 reads 8 KiB at 8192: blocks 2 and 3. Line 2 writes 5000 bytes at 6000: bytes
 * 6000..10999 touch blocks 1 and 2. Line 3 reads block 3 of another disk. */
static const char k_trace[] =
    "128166372003061629,hm,1,Read,8192,8192,1000\n"
    "128166372003061729,hm,1,Write,6000,5000,900\n"
    "128166372003061829,hm,2,Read,12288,4096,800\n";

static void test_msr_blocks(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_reader_t *r = open_msr(k_trace, "blocks", &err);
    ts_req_t q[6];
    int n = 0;
    while (n < 6 && ts_reader_next(r, &q[n], &err) == 1)
        n++;
    assert_int_equal(n, 5);
    assert_int_equal(err.code, 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(q[i].size_bytes, 4096);
    assert_true(q[0].time_ns == 128166372003061629ull * 100 && q[0].op == TS_OP_GET);
    assert_true(q[2].time_ns == 128166372003061729ull * 100 && q[2].op == TS_OP_PUT);
    assert_int_equal(q[0].stream, 1);
    assert_int_equal(q[4].stream, 2);
    /* blocks: q0 = (1,2), q1 = (1,3), q2 = (1,1), q3 = (1,2), q4 = (2,3) */
    assert_true(q[0].key == q[3].key);
    assert_true(q[0].key != q[1].key && q[1].key != q[2].key && q[0].key != q[2].key);
    assert_true(q[4].key != q[1].key); /* same block, other disk */
    ts_reader_close(r);
}

static void test_msr_extents(void **state)
{
    (void)state;
    ts_err_t err = {0};
    ts_reader_t *r = open_msr(k_trace, "extents", &err);
    ts_req_t q;
    uint64_t sizes[3];
    int n = 0;
    while (n < 3 && ts_reader_next(r, &q, &err) == 1)
        sizes[n++] = q.size_bytes;
    assert_int_equal(n, 3);
    assert_true(sizes[0] == 8192 && sizes[1] == 5000 && sizes[2] == 4096);
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    assert_int_equal(ts_reader_reset(r, &err), 0);
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_int_equal(q.size_bytes, 8192);
    ts_reader_close(r);
}

static void test_msr_errors_name_the_line(void **state)
{
    (void)state;
    static const trace_test_bad_t k_cases[] = {
        {"1,hm,1,Read,0,512,1\n1,hm,1,Trim,0,512,1\n", ":2",
         "column 3 (Type): expected Read or Write"},
        {"x,hm,1,Read,0,512,1\n", ":1", "column 0 (Timestamp)"},
        {"1,hm,one,Read,0,512,1\n", ":1", "column 2 (DiskNumber)"},
        {"1,hm,1,Read,-4,512,1\n", ":1", "column 4 (Offset)"},
        {"1,hm,1,Read,0\n", ":1", "expected 7 columns"},
    };
    trace_test_bad_cases("msr", k_cases, sizeof(k_cases) / sizeof(k_cases[0]), NULL, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msr_blocks),
        cmocka_unit_test(test_msr_extents),
        cmocka_unit_test(test_msr_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, trace_test_setup, trace_test_teardown);
}
