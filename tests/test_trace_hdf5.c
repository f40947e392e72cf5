/* SPDX-License-Identifier: MIT */
/*
 * test_trace_hdf5.c - the HDF5 container: a round trip of every field across more than one
 * chunk, a dataset made by another tool (other member order, types and names missing),
 * and the errors.
 */
#include <hdf5.h>

#include "trace_test.h"

static const ts_reader_ops_t *fmt(void)
{
    const ts_reader_ops_t *f = ts_trace_find("hdf5", NULL);
    assert_non_null(f);
    return f;
}

static ts_reader_t *open_h5(const char *path, const char *dataset, ts_err_t *err, int *rc)
{
    const char *names[] = {"path", "dataset", "default_size"};
    const char *values[] = {path, dataset ? dataset : "requests", "512"};
    ts_reader_t *r = NULL;
    *rc = ts_reader_open_kv(fmt(), names, values, 3, NULL, &r, err);
    return r;
}

static ts_req_t make(uint64_t i)
{
    ts_req_t q = {.time_ns = i * 1000 + 7, .key = i * 0x9e3779b97f4a7c15ull,
                  .size_bytes = 4096 + i, .next_access = TS_REQ_NEVER, .stream = (uint32_t)i % 9,
                  .op = (uint8_t)(i % 3), .flags = (uint8_t)(i % 8), .idle_ns = i % 5 ? 0 : i};
    return q;
}

/* 150000 records (more than two 65536-record chunks) come back field for field. */
static void test_hdf5_round_trip(void **state)
{
    (void)state;
    enum { N = 150000 };
    char path[400];
    snprintf(path, sizeof(path), "%s/t.h5", g_dir);
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    assert_int_equal(fmt()->writer->create(path, &w, &err), 0);
    for (uint64_t i = 0; i < N; i++) {
        ts_req_t q = make(i);
        assert_int_equal(fmt()->writer->write(w, &q, &err), 0);
    }
    assert_int_equal(fmt()->writer->finish(w, &err), 0);
    fmt()->writer->destroy(w);
    assert_ptr_equal(ts_trace_guess(path), fmt());
    int rc;
    ts_reader_t *r = open_h5(path, NULL, &err, &rc);
    assert_int_equal(rc, 0);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, N);
    ts_req_t q;
    uint64_t i = 0;
    while (ts_reader_next(r, &q, &err) == 1) {
        ts_req_t e = make(i++);
        if (q.time_ns != e.time_ns || q.key != e.key || q.size_bytes != e.size_bytes ||
            q.stream != e.stream || q.op != e.op || q.flags != e.flags || q.idle_ns != e.idle_ns)
            fail_msg("record %llu differs", (unsigned long long)(i - 1));
    }
    assert_int_equal(err.code, 0);
    assert_int_equal(i, N);
    ts_reader_close(r);
}

/* A dataset another tool wrote: key as u32, size as a double, op and stream absent, no
 * time: times become the record index, op get, and the types convert by name. */
static void test_hdf5_reads_other_layouts(void **state)
{
    (void)state;
    char path[400];
    snprintf(path, sizeof(path), "%s/other.h5", g_dir);
    typedef struct {
        double size;
        uint32_t key;
    } rec_t;
    rec_t recs[3] = {{100.0, 7}, {2048.0, 8}, {1e6, 7}};
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(rec_t));
    H5Tinsert(t, "size", offsetof(rec_t, size), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "key", offsetof(rec_t, key), H5T_NATIVE_UINT32);
    hsize_t dims = 3;
    hid_t s = H5Screate_simple(1, &dims, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t d = H5Dcreate2(f, "reqs", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, recs) >= 0);
    H5Dclose(d);
    H5Sclose(s);
    H5Tclose(t);
    H5Fclose(f);
    ts_err_t err = {0};
    int rc;
    ts_reader_t *r = open_h5(path, "reqs", &err, &rc);
    assert_int_equal(rc, 0);
    ts_req_t q;
    for (uint64_t i = 0; i < 3; i++) {
        assert_int_equal(ts_reader_next(r, &q, &err), 1);
        assert_true(q.time_ns == i && q.key == recs[i].key &&
                    q.size_bytes == (uint64_t)recs[i].size && q.op == TS_OP_GET);
    }
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    ts_reader_close(r);
    /* a dataset that is not there is refused, naming it */
    r = open_h5(path, "nope", &err, &rc);
    assert_int_equal(rc, TS_EFORMAT);
    assert_non_null(strstr(err.msg, "no dataset 'nope'"));
}

static void test_hdf5_errors(void **state)
{
    (void)state;
    char path[400];
    snprintf(path, sizeof(path), "%s/not.h5", g_dir);
    FILE *fp = fopen(path, "w");
    fputs("hello\n", fp);
    fclose(fp);
    ts_err_t err = {0};
    int rc;
    open_h5(path, NULL, &err, &rc);
    assert_int_equal(rc, TS_EFORMAT);
    assert_non_null(strstr(err.msg, "not an HDF5 file"));
    snprintf(path, sizeof(path), "%s/missing.h5", g_dir);
    open_h5(path, NULL, &err, &rc);
    assert_int_equal(rc, TS_ENOENT);
    /* an abandoned writer leaves nothing behind */
    snprintf(path, sizeof(path), "%s/gone.h5", g_dir);
    ts_writer_t *w = NULL;
    assert_int_equal(fmt()->writer->create(path, &w, &err), 0);
    ts_req_t q = make(1);
    assert_int_equal(fmt()->writer->write(w, &q, &err), 0);
    fmt()->writer->destroy(w);
    assert_int_equal(access(path, F_OK), -1);
    char cmd[500];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep gone)\"", g_dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hdf5_round_trip),
        cmocka_unit_test(test_hdf5_reads_other_layouts),
        cmocka_unit_test(test_hdf5_errors),
    };
    return cmocka_run_group_tests(tests, trace_test_setup, trace_test_teardown);
}
