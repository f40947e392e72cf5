/* SPDX-License-Identifier: MIT */
/*
 * test_input_range.c - numbers of the input that do not fit the integer they become: a
 * Mooncake or Bailian timestamp beyond 2^64 ns, a CSV time or size beyond range, an HDF5
 * float member out of its field's range, a parameter such as `keys: 1e30`. Each is an
 * error naming the record (path:line or record N) and the field, never a silent wrap or
 * clamp (the sanitizer build adds -fsanitize=float-cast-overflow to catch such casts).
 *
 * Bounds by hand: 2^64 ns = 18446744073709551616 ns = 18446744073.709551616 s
 * = 18446744073709.551616 ms.
 */
#include <hdf5.h>
#include <math.h>

#include "sim/reader.h"
#include "trace_test.h"
#include "workloads/gen.h"

/* The first request of a one-file trace, or the error it gives. */
static int range_first(const char *format, const char *name, const char *text,
                       const char *pname, const char *pvalue, ts_req_t *q, ts_err_t *err)
{
    char path[400];
    trace_test_put(name, text, strlen(text), path);
    const char *names[] = {pname}, *values[] = {pvalue};
    ts_reader_t *r = trace_test_open(format, path, names, values, pname ? 1 : 0, err);
    int rc = ts_reader_next(r, q, err);
    ts_reader_close(r);
    return rc;
}

struct range_case {
    const char *name, *format, *text, *pname, *pvalue;
    int rc;             /* 1: read, else the error */
    uint64_t time_ns;   /* when read */
    const char *where;  /* the end of err.where when refused */
    const char *msg;    /* the whole message when refused */
};

static void test_range_trace_times(void **state)
{
    (void)state;
    static const struct range_case cases[] = {
        {"mooncake 1e30 ms", "mooncake",
         "{\"timestamp\": 1e30, \"input_length\": 10, \"output_length\": 1, \"hash_ids\": [1]}\n",
         NULL, NULL, TS_EFORMAT, 0, ":1",
         "'timestamp' is beyond 2^64 ns (584 years): 1e+30 ms"},
        {"mooncake just past 2^64 ns", "mooncake",
         "{\"timestamp\": 18446744073710, \"input_length\": 10, \"output_length\": 1, "
         "\"hash_ids\": [1]}\n",
         NULL, NULL, TS_EFORMAT, 0, ":1",
         "'timestamp' is beyond 2^64 ns (584 years): 18446744073710 ms"},
        {"mooncake 1e10 ms", "mooncake",
         "{\"timestamp\": 10000000000, \"input_length\": 10, \"output_length\": 1, "
         "\"hash_ids\": [1]}\n",
         NULL, NULL, 1, 10000000000000000ull, NULL, NULL}, /* 1e10 ms = 1e16 ns */
        {"bailian 1e30 s", "bailian",
         "{\"chat_id\": 1, \"parent_chat_id\": -1, \"timestamp\": 1e30, \"input_length\": 16,"
         " \"output_length\": 1, \"type\": \"text\", \"turn\": 1, \"hash_ids\": [7]}\n",
         NULL, NULL, TS_EFORMAT, 0, ":1",
         "'timestamp' is beyond 2^64 ns (584 years): 1e+30 s"},
        {"csv seconds past 2^64 ns", "csv", "18446744074,1,1\n", NULL, NULL, TS_EFORMAT, 0, ":1",
         "column 0 (time): expected a time below 2^64 ns (584 years), found '18446744074'"},
        {"csv seconds below 2^64 ns", "csv", "18446744073,1,1\n", NULL, NULL, 1,
         18446744073000000000ull, NULL, NULL},
        {"csv whole part past 2^64", "csv", "99999999999999999999999,1,1\n", NULL, NULL,
         TS_EFORMAT, 0, ":1",
         "column 0 (time): expected a time below 2^64 ns (584 years), found "
         "'99999999999999999999999'"},
        {"csv ns 2^64", "csv", "18446744073709551616,1,1\n", "time_unit", "ns", TS_EFORMAT, 0,
         ":1",
         "column 0 (time): expected a time below 2^64 ns (584 years), found "
         "'18446744073709551616'"},
        {"csv ns 2^64 - 1", "csv", "18446744073709551615,1,1\n", "time_unit", "ns", 1,
         UINT64_MAX, NULL, NULL},
        {"csv size 1e30", "csv", "1,1,1e30\n", NULL, NULL, TS_EFORMAT, 0, ":1",
         "column 2 (size): expected a size below 2^64 bytes, found '1e30'"},
        {"csv negative size", "csv", "1,1,-1\n", NULL, NULL, TS_EFORMAT, 0, ":1",
         "column 2 (size): expected a size, found '-1'"},
        {"csv time not a number", "csv", "1e30,1,1\n", NULL, NULL, TS_EFORMAT, 0, ":1",
         "column 0 (time): expected a non-negative time, found '1e30'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        ts_req_t q = {0};
        int rc = range_first(cases[i].format, "t", cases[i].text, cases[i].pname,
                             cases[i].pvalue, &q, &err);
        if (rc != cases[i].rc)
            fail_msg("case %s: rc %d (%s: %s)", cases[i].name, rc, err.where, err.msg);
        if (rc == 1 && q.time_ns != cases[i].time_ns)
            fail_msg("case %s: time %llu", cases[i].name, (unsigned long long)q.time_ns);
        if (rc == 1)
            continue;
        size_t nw = strlen(err.where), ne = strlen(cases[i].where);
        if (nw < ne || strcmp(err.where + nw - ne, cases[i].where) != 0 ||
            strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %s: '%s: %s'", cases[i].name, err.where, err.msg);
    }
}

/* Parameters: a count, size or duration that does not fit in 64 bits is refused, naming
 * the parameter; none wraps or saturates. */
static void test_range_params(void **state)
{
    (void)state;
    static const struct {
        const char *name, *param, *value, *msg;
    } cases[] = {
        {"keys 1e30", "keys", "1e30", "count '1e30' does not fit in 64 bits"},
        {"requests 2^64", "requests", "18446744073709551616",
         "count '18446744073709551616' does not fit in 64 bits"},
        {"size 1e30", "size", "1e30", "number of bytes '1e30' does not fit in 64 bits"},
        {"size in PiB", "size", "16384PiB", /* 2^14 x 2^50 = 2^64 */
         "number of bytes '16384PiB' does not fit in 64 bits"},
        {"interarrival 1e30s", "interarrival", "1e30s",
         "duration '1e30s' does not fit in 64 bits of ns"},
    };
    const ts_plugin_t *zipf = ts_registry_find(&ts_generators, "zipf", NULL);
    if (!zipf)
        skip();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!ts_param_find(zipf->params, zipf->params_count, cases[i].param))
            fail_msg("case %s: zipf has no parameter %s", cases[i].name, cases[i].param);
        const char *names[] = {cases[i].param}, *values[] = {cases[i].value};
        ts_reader_t *r = NULL;
        ts_err_t err = {0};
        int rc = ts_reader_open_kv(ts_reader_ops_of(zipf), names, values, 1, NULL, &r, &err);
        char where[64];
        snprintf(where, sizeof(where), "zipf.%s", cases[i].param);
        if (rc != TS_ERANGE || r || strcmp(err.where, where) != 0 ||
            strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %s: rc %d '%s: %s'", cases[i].name, rc, err.where, err.msg);
    }
}

/* An Azure arrivals file of the inference generator: 2^64 ns after 1970 is
 * 2554-07-21 23:34:33.709551616 UTC (18446744073 s = 213503 days + 84873 s; day 213503 is
 * 2554-07-21); one nanosecond earlier is the last time a request can hold. */
static void test_range_azure_times(void **state)
{
    (void)state;
    const ts_plugin_t *inf = ts_registry_find(&ts_generators, "inference", NULL);
    if (!inf || !ts_param_find(inf->params, inf->params_count, "arrivals_file"))
        skip();
    static const struct {
        const char *name, *text;
        int rc;
    } cases[] = {
        {"last ns", "2554-07-21 23:34:33.709551615,100,10\n", 1},
        {"2^64 ns", "2554-07-21 23:34:33.709551616,100,10\n", TS_EFORMAT},
        {"year 9999", "9999-01-01 00:00:00,100,10\n", TS_EFORMAT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[400];
        trace_test_put("az.csv", cases[i].text, strlen(cases[i].text), path);
        const char *names[] = {"arrivals_file"}, *values[] = {path};
        ts_reader_t *r = NULL;
        ts_err_t err = {0};
        ts_reader_ctx_t ctx = {.seed = 1};
        assert_int_equal(ts_reader_open_kv(ts_reader_ops_of(inf), names, values, 1, &ctx, &r,
                                           &err),
                         0);
        ts_req_t q;
        int rc = ts_reader_next(r, &q, &err);
        ts_reader_close(r);
        if (rc != cases[i].rc)
            fail_msg("case %s: rc %d (%s: %s)", cases[i].name, rc, err.where, err.msg);
        if (rc < 0 && (!strstr(err.where, "az.csv:1") ||
                       strcmp(err.msg, "column 0 (TIMESTAMP): beyond 2^64 ns after 1970 "
                                       "(2554-07-21 23:34:33.709551615)") != 0))
            fail_msg("case %s: '%s: %s'", cases[i].name, err.where, err.msg);
    }
}

/* Writes n records of the compound type t (closed here) as path's "requests" dataset. */
static void range_h5_write(const char *path, hid_t t, hsize_t n, const void *recs)
{
    hid_t s = H5Screate_simple(1, &n, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t d = H5Dcreate2(f, "requests", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, recs) >= 0);
    H5Dclose(d);
    H5Sclose(s);
    H5Tclose(t);
    H5Fclose(f);
}

/* An HDF5 dataset whose time_ns member is a double: 1e30, -5 and NaN do not fit in a
 * uint64_t; each such record is an error naming it and the member, and the records
 * around it read. */
static void test_range_hdf5_float_members(void **state)
{
    (void)state;
    char path[400];
    snprintf(path, sizeof(path), "%s/float.h5", g_dir);
    typedef struct {
        double time_ns;
        uint64_t key;
    } rec_t;
    rec_t recs[] = {{10.0, 1}, {1e30, 2}, {20.5, 3}, {-5.0, 4}, {NAN, 5}, {30.0, 6}};
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(rec_t));
    H5Tinsert(t, "time_ns", offsetof(rec_t, time_ns), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "key", offsetof(rec_t, key), H5T_NATIVE_UINT64);
    range_h5_write(path, t, sizeof(recs) / sizeof(recs[0]), recs);
    ts_err_t err = {0};
    ts_reader_t *r = trace_test_open("hdf5", path, NULL, NULL, 0, &err);
    static const struct {
        int rc;
        uint64_t time_ns, key;
        const char *where;
    } want[] = {
        {1, 10, 1, NULL},           {TS_EFORMAT, 0, 0, ": record 1"},
        {1, 20, 3, NULL}, /* 20.5 truncated, as a whole field must */
        {TS_EFORMAT, 0, 0, ": record 3"}, {TS_EFORMAT, 0, 0, ": record 4"},
        {1, 30, 6, NULL},           {0, 0, 0, NULL},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ts_req_t q = {0};
        ts_err_clear(&err);
        int rc = ts_reader_next(r, &q, &err);
        if (rc != want[i].rc)
            fail_msg("step %zu: rc %d (%s: %s)", i, rc, err.where, err.msg);
        if (rc == 1 && (q.time_ns != want[i].time_ns || q.key != want[i].key))
            fail_msg("step %zu: time %llu key %llu", i, (unsigned long long)q.time_ns,
                     (unsigned long long)q.key);
        if (rc < 0) {
            size_t nw = strlen(err.where), ne = strlen(want[i].where);
            if (nw < ne || strcmp(err.where + nw - ne, want[i].where) != 0 ||
                strcmp(err.msg, "member 'time_ns' is out of the range of its field (a whole "
                                "number from 0 to 2^64 - 1)") != 0)
                fail_msg("step %zu: '%s: %s'", i, err.where, err.msg);
        }
    }
    ts_reader_close(r);
}

/* Integer members too: a key stored as int64 -1 and an op stored as uint16 300 do not fit
 * a uint64_t and a uint8_t; HDF5 would clamp them (to 0 and 255), the reader refuses them. */
static void test_range_hdf5_integer_members(void **state)
{
    (void)state;
    char path[400];
    snprintf(path, sizeof(path), "%s/int.h5", g_dir);
    typedef struct {
        int64_t key;
        uint16_t op;
    } rec_t;
    rec_t recs[] = {{7, 1}, {-1, 0}, {8, 300}, {9, 2}};
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(rec_t));
    H5Tinsert(t, "key", offsetof(rec_t, key), H5T_NATIVE_INT64);
    H5Tinsert(t, "op", offsetof(rec_t, op), H5T_NATIVE_UINT16);
    range_h5_write(path, t, sizeof(recs) / sizeof(recs[0]), recs);
    ts_err_t err = {0};
    ts_reader_t *r = trace_test_open("hdf5", path, NULL, NULL, 0, &err);
    static const struct {
        int rc;
        uint64_t key;
        const char *where, *msg;
    } want[] = {
        {1, 7, NULL, NULL},
        {TS_EFORMAT, 0, ": record 1",
         "member 'key' is out of the range of its field (a whole number from 0 to 2^64 - 1)"},
        {TS_EFORMAT, 0, ": record 2",
         "member 'op' is out of the range of its field (a whole number from 0 to 2^8 - 1)"},
        {1, 9, NULL, NULL},
        {0, 0, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ts_req_t q = {0};
        ts_err_clear(&err);
        int rc = ts_reader_next(r, &q, &err);
        if (rc != want[i].rc || (rc == 1 && q.key != want[i].key))
            fail_msg("step %zu: rc %d key %llu (%s: %s)", i, rc, (unsigned long long)q.key,
                     err.where, err.msg);
        if (rc < 0) {
            size_t nw = strlen(err.where), ne = strlen(want[i].where);
            if (nw < ne || strcmp(err.where + nw - ne, want[i].where) != 0 ||
                strcmp(err.msg, want[i].msg) != 0)
                fail_msg("step %zu: '%s: %s'", i, err.where, err.msg);
        }
    }
    ts_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_trace_times),
        cmocka_unit_test(test_range_params),
        cmocka_unit_test(test_range_azure_times),
        cmocka_unit_test(test_range_hdf5_float_members),
        cmocka_unit_test(test_range_hdf5_integer_members),
    };
    return cmocka_run_group_tests(tests, trace_test_setup, trace_test_teardown);
}
