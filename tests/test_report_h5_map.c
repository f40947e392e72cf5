/* SPDX-License-Identifier: MIT */
/*
 * test_report_h5_map.c - a results file built in its own output file (reports/h5.c): past
 * its threshold the image moves from memory into the file, mapped, and grows there; the
 * file then holds exactly the bytes the in-memory image has, runs given or loaded one at a
 * time. The threshold is lowered to one page so that a few small runs cross it many times
 * (the writer's own is 64 MiB, which a 10,000-point sweep passes).
 */
#include "h5_test.h"

#include <fcntl.h>
#include <unistd.h>

#include "file_test.h"
#include "reports/h5_internal.h"
#include "scratch_test.h"

#define MAP_RUNS 24

static const ts_result_t *g_runs[MAP_RUNS];

/* A run source that hands out copies: the h5 read-back of run i. */
static int map_load(void *ctx, size_t i, ts_result_t *res, ts_err_t *err)
{
    ts_result_h5_t *f = ctx;
    return ts_result_h5_read(f, i, res, err);
}

static void test_report_h5_map_same_bytes_as_memory(void **state)
{
    const char *dir = *state;
    char yaml[4096], path[1200];
    ts_result_t *fast = hand_run(dir, "fast", yaml, sizeof(yaml));
    ts_result_t *timed = hand_run(dir, "timed", yaml, sizeof(yaml));
    for (size_t i = 0; i < MAP_RUNS; i++)
        g_runs[i] = i % 2 ? timed : fast;
    ts_err_t err = {0};
    void *mem = NULL;
    size_t n_mem = 0;
    assert_int_equal(ts__report_h5_image(g_runs, MAP_RUNS, &mem, &n_mem, &err), 0);
    long page = sysconf(_SC_PAGESIZE);
    assert_true(n_mem > 4 * (size_t)page); /* it crosses the threshold, and grows past it */
    /* the runs given, then loaded one at a time from the file just written */
    snprintf(path, sizeof(path), "%s/mem.h5", dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(mem, 1, n_mem, fp), n_mem);
    fclose(fp);
    ts_result_h5_t *f = NULL;
    assert_int_equal(ts_result_h5_open(path, &f, &err), 0);
    for (int loaded = 0; loaded < 2; loaded++) {
        snprintf(path, sizeof(path), "%s/map%d.h5", dir, loaded);
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        assert_true(fd >= 0);
        const ts__h5_src_t src = {.runs = loaded ? NULL : g_runs, .n = MAP_RUNS,
                                  .load = map_load, .ctx = f, .fd = fd,
                                  .map_bytes = (size_t)page};
        void *image = NULL;
        size_t size = 0;
        bool in_fd = false;
        if (ts__report_h5_image_src(&src, &image, &size, &in_fd, &err))
            fail_msg("mapped image: %s", err.msg);
        assert_true(in_fd);
        assert_null(image);
        assert_int_equal(size, n_mem);
        close(fd);
        size_t n_file = 0;
        char *bytes = file_test_slurp(path, &n_file);
        assert_non_null(bytes);
        assert_int_equal(n_file, n_mem);
        assert_memory_equal(bytes, mem, n_mem);
        free(bytes);
    }
    ts_result_h5_close(f);
    ts_free(mem);
    drop(fast);
    drop(timed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_h5_map_same_bytes_as_memory,
                                        scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
