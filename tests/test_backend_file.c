/* SPDX-License-Identifier: MIT */
/*
 * test_backend_file.c - the "file" live back-end (backends/file.c) on a scratch file: the
 * hand-traced sequence of test_backend_memory.c gives the same results on a file, with 4 KiB
 * extents counted by hand; objects of many blocks read back byte for byte; freed extents are
 * reused, so the file never grows past the header and twice the capacity; the file is
 * removed at close unless kept; a file at the path that this back-end did not make is
 * refused and left as it was; buffered I/O (direct: false) and O_DIRECT (where the file
 * system allows it, else the fallback, reported in stats) give the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend_test.h"
#include "file_test.h"
#include "scratch_test.h"

static ts_backend_t *open_file(const char *dir, uint64_t capacity, uint64_t max_object,
                               const char *direct, const char *keep, ts_err_t *err)
{
    const ts_backend_ctx_t ctx = {.tier = "nvme", .capacity = capacity,
                                  .max_object = max_object, .scratch = dir};
    const char *names[2], *values[2];
    size_t n = 0;
    if (direct)
        names[n] = "direct", values[n++] = direct;
    if (keep)
        names[n] = "keep", values[n++] = keep;
    ts_backend_t *b = NULL;
    ts_err_clear(err);
    if (ts_backend_open_kv(&ts_backend_file, names, values, n, &ctx, &b, err) != 0)
        return NULL;
    return b;
}

/* As in test_backend_memory.c, capacity 10,000 bytes: A and B (4096 B each, one block each)
 * fit, C would make 12,288 bytes: refused; free A, C fits; B replaced by 100 bytes (still
 * one block). Then 2 objects, 4196 bytes, 2 blocks = 8192 bytes of extents. */
static void test_backend_file_hand_traced(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    ts_backend_t *b = open_file(dir, 10000, 10000, "false", NULL, &err);
    if (!b)
        fail_msg("open: %s", err.msg);
    static char a[4096], bb[4096], c[4096], got[4096];
    memset(a, 'A', sizeof(a));
    memset(bb, 'B', sizeof(bb));
    memset(c, 'C', sizeof(c));
    assert_int_equal(be_io(b, TS_BE_WRITE, 1, a, 4096, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, bb, 4096, &err), 0);
    memset(a, 'x', sizeof(a));
    assert_int_equal(be_io(b, TS_BE_WRITE, 3, c, 4096, &err), TS_ENOSPC);
    assert_non_null(strstr(err.msg, "tier nvme: 4096 bytes of key 3 do not fit (8192 of 10000 "
                                    "bytes used)"));
    assert_int_equal(be_io(b, TS_BE_READ, 1, got, 4096, &err), 0);
    for (size_t i = 0; i < sizeof(got); i++)
        if (got[i] != 'A')
            fail_msg("byte %zu of key 1 is '%c', not 'A'", i, got[i]);
    assert_int_equal(be_io(b, TS_BE_READ, 2, got, 100, &err), TS_EINVAL);
    assert_int_equal(be_io(b, TS_BE_FREE, 1, NULL, 0, &err), 0);
    assert_int_equal(be_io(b, TS_BE_READ, 1, got, 4096, &err), TS_ENOENT);
    assert_int_equal(be_io(b, TS_BE_WRITE, 3, c, 4096, &err), 0);
    assert_int_equal(be_io(b, TS_BE_WRITE, 2, bb, 100, &err), 0);
    memset(got, 0, sizeof(got));
    assert_int_equal(be_io(b, TS_BE_READ, 2, got, 100, &err), 0);
    assert_int_equal(got[0], 'B');
    assert_int_equal(got[99], 'B');
    assert_int_equal(got[100], 0);
    assert_int_equal(be_io(b, TS_BE_READ, 3, got, 4096, &err), 0);
    assert_int_equal(got[4095], 'C');
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_int_equal(st.objects, 2);
    assert_int_equal(st.bytes, 4196);
    assert_int_equal(st.reserved, 8192);
    assert_int_equal(st.writes, 4);
    assert_int_equal(st.bytes_written, 3 * 4096 + 100);
    assert_int_equal(st.reads, 3);
    assert_int_equal(st.frees, 1);
    assert_false(st.direct); /* asked for buffered I/O */
    char path[1024];
    snprintf(path, sizeof(path), "%s/tiersim-nvme.live", dir);
    assert_int_equal(access(path, F_OK), 0);
    b->ops->close(b);
    assert_int_equal(access(path, F_OK), -1); /* removed: not kept */
}

/* Nine objects of 1 KiB + k x 12,544 bytes (k = 0..8) of distinct bytes, with O_DIRECT asked
 * for: each reads back exactly. Their extents, by hand: ceil(size / 4096) = 1, 4, 7, 10, 13,
 * 16, 19, 22, 25 blocks, 117 in all. Freed and rewritten three times, they reuse their
 * extents, so the file stays the header plus 117 blocks: 4096 + 479,232 = 483,328 bytes. */
static void test_backend_file_extents_reused(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    const uint64_t cap = 1 << 20, big = 100 * 1024;
    ts_backend_t *b = open_file(dir, cap, big, "true", NULL, &err);
    if (!b)
        fail_msg("open: %s", err.msg);
    unsigned char *buf = malloc(big), *got = malloc(big);
    assert_non_null(buf);
    assert_non_null(got);
    for (int round = 0; round < 4; round++) {
        for (uint64_t k = 0; k < 9; k++) { /* 1 KiB + k x 12,544 B: 1 to 25 blocks, 450 KiB */
            uint64_t size = 1024 + k * 12544;
            for (uint64_t i = 0; i < size; i++)
                buf[i] = (unsigned char)(k * 31 + i * 7 + (uint64_t)round);
            assert_int_equal(be_io(b, TS_BE_WRITE, k, buf, size, &err), 0);
        }
        for (uint64_t k = 0; k < 9; k++) {
            uint64_t size = 1024 + k * 12544;
            assert_int_equal(be_io(b, TS_BE_READ, k, got, size, &err), 0);
            for (uint64_t i = 0; i < size; i++)
                if (got[i] != (unsigned char)(k * 31 + i * 7 + (uint64_t)round))
                    fail_msg("round %d key %llu byte %llu differs", round,
                             (unsigned long long)k, (unsigned long long)i);
        }
        for (uint64_t k = 0; round < 3 && k < 9; k++)
            assert_int_equal(be_io(b, TS_BE_FREE, k, NULL, 0, &err), 0);
    }
    assert_int_equal(be_io(b, TS_BE_WRITE, 99, buf, big + 1, &err), TS_EINVAL); /* too big */
    ts_backend_stats_t st;
    b->ops->stats(b, &st);
    assert_int_equal(st.objects, 9);
    char path[1024];
    snprintf(path, sizeof(path), "%s/tiersim-nvme.live", dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 483328);
    printf("[ NOTE     ] file back-end: O_DIRECT %s here\n",
           st.direct ? "in effect" : "refused by the file system: buffered I/O");
    free(buf);
    free(got);
    b->ops->close(b);
}

/* keep: true leaves the file, which starts with the back-end's header, and a later open
 * takes it over; a file of the user's at the path is refused and left as it was. */
static void test_backend_file_safety(void **state)
{
    const char *dir = *state;
    ts_err_t err = {0};
    ts_backend_t *b = open_file(dir, 8192, 4096, "false", "true", &err);
    assert_non_null(b);
    char data[100] = "kept";
    assert_int_equal(be_io(b, TS_BE_WRITE, 5, data, sizeof(data), &err), 0);
    b->ops->close(b);
    char path[1024];
    snprintf(path, sizeof(path), "%s/tiersim-nvme.live", dir);
    size_t n = 0;
    char *text = file_test_slurp(path, &n);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "TIERSIM-LIVE-FILE 1\n", 20), 0);
    free(text);
    b = open_file(dir, 8192, 4096, "false", NULL, &err); /* ours: taken over, then removed */
    assert_non_null(b);
    b->ops->close(b);
    assert_int_equal(access(path, F_OK), -1);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("the user's own data\n", f);
    assert_int_equal(fclose(f), 0);
    assert_null(open_file(dir, 8192, 4096, "false", NULL, &err));
    assert_int_equal(err.code, TS_EIO);
    assert_non_null(strstr(err.msg, "exists and was not made by tiersim's live mode; refusing "
                                    "to touch it"));
    text = file_test_slurp(path, &n);
    assert_non_null(text);
    assert_string_equal(text, "the user's own data\n");
    free(text);
    const ts_backend_ctx_t nowhere = {.tier = "nvme", .capacity = 8192};
    ts_err_clear(&err);
    assert_int_equal(ts_backend_open_kv(&ts_backend_file, NULL, NULL, 0, &nowhere, &b, &err),
                     TS_EINVAL);
    assert_non_null(strstr(err.msg, "no path, and no scratch directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backend_file_hand_traced, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_extents_reused, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_backend_file_safety, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
