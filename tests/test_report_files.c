/* SPDX-License-Identifier: MIT */
/*
 * test_report_files.c - result files (reports/files.c through ts_report_write_run, one
 * scratch directory per test): each file written holds exactly its writer's output, mode
 * 0644, made under a new directory path, with no temporary file left; only the chosen
 * writers' files appear, cost.csv beside tiers.csv when there is a bill. Write failures
 * (a full device for each writer, a path that is not a directory, a blocked rename, no
 * write permission, out of memory) report an error naming the file and leave no
 * temporary file behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/report.h"
#include "sim/util/io.h"
#include "sim/util/mem.h"
#include "scratch_test.h"
#include "writer_test.h"
#include "report_test.h"

/* ---- helpers ---------------------------------------------------------------------------- */

/* The bytes of path (free them), their count in *len (may be NULL); NULL when it cannot be
 * read. */
static char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    assert_non_null(m);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    if (len)
        *len = n;
    return buf;
}

static char *read_file(const char *path)
{
    return read_bytes(path, NULL);
}

/* ---- the bill ---------------------------------------------------------------------------- */

/* With a bill, write_dir adds cost.csv beside tiers.csv. */
static void test_report_write_dir_cost_csv(void **state)
{
    char dir[1200], path[1300];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_result_t r;
    make_cost_result(&r);
    ts_err_t err = {0};
    assert_int_equal(write_dir(&r, dir, false, true, false, false, &err), 0);
    assert_int_equal(scratch_count(dir, NULL), 2);
    snprintf(path, sizeof(path), "%s/cost.csv", dir);
    char *got = read_file(path), *want = NULL;
    assert_non_null(got);
    assert_int_equal(capture(ts_report_cost_csv, &r, &want, &err), 0);
    assert_string_equal(got, want);
    free(got), free(want);
    ts_result_release(&r);
}

/* ---- output errors ----------------------------------------------------------------------- */

static void test_report_dev_full(void **state)
{
    (void)state;
    FILE *probe = fopen("/dev/full", "w");
    if (!probe) { /* the environment lacks the device: a skip, said aloud */
        print_message("[ SKIP     ] test_report_dev_full: cannot open /dev/full\n");
        skip();
    }
    fclose(probe);
    static const struct {
        const char *name;
        writer_fn fn;
    } cases[] = {{"json", json_plain}, {"csv", ts_report_csv}, {"text", ts_report_text}};
    ts_result_t r;
    make_result(&r);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FILE *f = fopen("/dev/full", "w");
        assert_non_null(f);
        ts_err_t err = {0};
        int rc = cases[i].fn(&r, f, &err);
        fclose(f);
        if (rc != TS_EIO || err.sys_errno != ENOSPC || !strstr(err.msg, "write failed"))
            fail_msg("case %s: rc %d errno %d msg \"%s\"", cases[i].name, rc, err.sys_errno,
                     err.msg);
        assert_non_null(strstr(err.msg, cases[i].name));
    }
    ts_result_release(&r);
}

/* ---- write_dir --------------------------------------------------------------------------- */

static void test_report_write_dir_files(void **state)
{
    char dir[1200], path[1300];
    snprintf(dir, sizeof(dir), "%s/a/b//out/", (const char *)*state); /* mkdir -p */
    ts_result_t r;
    make_result(&r);
    r.wall_s = 1.5; /* in the printed report, never in report.txt (compared below) */
    ts_err_t err = {0};
    assert_int_equal(write_dir(&r, dir, true, true, true, false, &err), 0);
    r.wall_s = 0.0;
    size_t n_hidden;
    assert_int_equal(scratch_count(dir, &n_hidden), 3);
    assert_int_equal(n_hidden, 0); /* no temporary file left */

    static const struct {
        const char *file;
        writer_fn fn;
    } cases[] = {{"result.json", json_plain},
                 {"tiers.csv", ts_report_csv},
                 {"report.txt", ts_report_text}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
        char *got = read_file(path);
        char *want = NULL;
        assert_non_null(got);
        assert_int_equal(capture(cases[i].fn, &r, &want, &err), 0);
        if (strcmp(got, want) != 0)
            fail_msg("%s differs from the writer's output", cases[i].file);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0644);
        free(got), free(want);
    }
    snprintf(path, sizeof(path), "%s/result.json", dir);
    char *json = read_file(path);
    assert_null(strstr(json, "wall")); /* result.json is the deterministic document */
    free(json);

    /* again, only the CSV: it replaces tiers.csv, nothing else appears */
    assert_int_equal(write_dir(&r, dir, false, true, false, false, &err), 0);
    assert_int_equal(scratch_count(dir, NULL), 3);
    ts_result_release(&r);
}

static void test_report_write_dir_only_json(void **state)
{
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    assert_int_equal(write_dir(&r, dir, true, false, false, false, &err), 0);
    assert_int_equal(scratch_count(dir, NULL), 1);
    char path[1300];
    snprintf(path, sizeof(path), "%s/result.json", dir);
    assert_int_equal(access(path, R_OK), 0);
    ts_result_release(&r);
}

static void test_report_write_dir_not_a_dir(void **state)
{
    char file[1200], below[1300];
    snprintf(file, sizeof(file), "%s/plain", (const char *)*state);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("not a directory\n", f);
    fclose(f);
    ts_result_t r;
    make_result(&r);

    ts_err_t err = {0};
    int rc = write_dir(&r, file, true, true, true, false, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, file));
    assert_non_null(strstr(err.msg, "not a directory"));

    snprintf(below, sizeof(below), "%s/sub", file);
    ts_err_clear(&err);
    rc = write_dir(&r, below, true, true, true, false, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, below));
    assert_int_equal(scratch_count((const char *)*state, NULL), 1);

    ts_err_clear(&err);
    assert_int_equal(write_dir(&r, "", true, true, true, false, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "output directory"));
    ts_result_release(&r);
}

/* report.txt is a non-empty directory, so renaming into it fails: the error names the file
 * and every temporary file is removed. */
static void test_report_write_dir_rename_fails(void **state)
{
    char dir[1200], blocker[1300], inner[1400];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    snprintf(blocker, sizeof(blocker), "%s/report.txt", dir);
    snprintf(inner, sizeof(inner), "%s/keep", blocker);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(mkdir(blocker, 0755), 0);
    assert_int_equal(mkdir(inner, 0755), 0);
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    int rc = write_dir(&r, dir, true, true, true, false, &err);
    assert_int_equal(rc, TS_EIO);
    assert_non_null(strstr(err.msg, blocker));
    size_t n_hidden;
    scratch_count(dir, &n_hidden);
    assert_int_equal(n_hidden, 0);
    ts_result_release(&r);
}

/* Without write permission: an error naming the file, nothing left. Root bypasses
 * permissions, so the test is skipped there. */
static void test_report_write_dir_no_permission(void **state)
{
    if (geteuid() == 0) { /* a privilege skip, said aloud */
        print_message("[ SKIP     ] test_report_write_dir_no_permission: root ignores "
                      "permissions\n");
        skip();
    }
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/ro", (const char *)*state);
    assert_int_equal(mkdir(dir, 0555), 0);
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    int rc = write_dir(&r, dir, true, true, true, false, &err);
    assert_int_equal(rc, TS_EIO);
    assert_int_equal(err.sys_errno, EACCES);
    assert_non_null(strstr(err.msg, "result.json"));
    assert_int_equal(scratch_count(dir, NULL), 0);
    ts_result_release(&r);
}

/* Out of memory while building result.json: no file appears, nothing leaks. */
static void test_report_write_dir_oom(void **state)
{
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_result_t r;
    make_result(&r);
    long n;
    for (n = 0; n < 100000; n++) {
        ts_err_t err = {0};
        ts_mem_fail_after(n);
        int rc = write_dir(&r, dir, true, true, true, false, &err);
        ts_mem_fail_after(-1);
        if (rc == 0)
            break;
        if (rc != TS_ENOMEM)
            fail_msg("allocation %ld: rc %d (%s)", n, rc, err.msg);
        assert_non_null(strstr(err.msg, "result.json"));
        assert_int_equal(scratch_count(dir, NULL), 0);
    }
    assert_true(n > 0);
    assert_int_equal(scratch_count(dir, NULL), 3);
    ts_result_release(&r);
}

/* The write-fault hook (sim/util/io.h) fails each write or rename of a set in turn: the
 * previous set stays byte for byte, no file of the new set appears, no temporary file is
 * left; a rename failing after earlier ones succeeded puts them back. */
static void test_report_write_dir_fault_all_or_nothing(void **state)
{
    static const char *const names[] = {"result.json", "tiers.csv", "report.txt",
                                        "result.h5", "cost.csv"};
    char dir[1200], path[1300];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_result_t a, b;
    make_result(&a);
    make_cost_result(&b); /* other figures, and cost.csv besides */
    ts_err_t err = {0};
    assert_int_equal(write_dir(&a, dir, true, true, true, true, &err), 0);
    assert_int_equal(scratch_count(dir, NULL), 4);
    char *old[4];
    size_t old_len[4];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        old[i] = read_bytes(path, &old_len[i]);
        assert_non_null(old[i]);
    }
    long n;
    for (n = 0; n < 100; n++) {
        ts_err_clear(&err);
        ts_io_fail_after(n, n % 2 ? EIO : ENOSPC);
        int rc = write_dir(&b, dir, true, true, true, true, &err);
        ts_io_fail_after(-1, 0);
        if (rc == 0)
            break;
        if (rc != (n % 2 ? TS_EIO : TS_ENOSPC))
            fail_msg("write %ld: rc %d (%s)", n, rc, err.msg);
        size_t n_tmp;
        assert_int_equal(scratch_count(dir, &n_tmp), 4); /* no cost.csv */
        assert_int_equal(n_tmp, 0);
        for (size_t i = 0; i < 4; i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            size_t len;
            char *now = read_bytes(path, &len);
            assert_non_null(now);
            if (len != old_len[i] || memcmp(now, old[i], len) != 0)
                fail_msg("write %ld failing changed %s", n, names[i]);
            free(now);
        }
    }
    assert_int_equal(n, 10); /* five files written, then five renamed */
    assert_int_equal(scratch_count(dir, NULL), 5);
    for (size_t i = 0; i < 4; i++)
        free(old[i]);
    ts_result_release(&a);
    ts_result_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_write_dir_cost_csv, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test(test_report_dev_full),
        cmocka_unit_test_setup_teardown(test_report_write_dir_files, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_only_json, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_not_a_dir, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_rename_fails, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_no_permission, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_oom, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_write_dir_fault_all_or_nothing,
                                        scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
