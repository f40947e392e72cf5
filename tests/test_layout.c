/* SPDX-License-Identifier: MIT */
/*
 * test_layout.c - the tree keeps its shape: includes go one way only (sim/util <- sim <-
 * policies, workloads, traces, reports, backends <- app), no file includes another folder's
 * `*_internal.h`, and no source file is over 900 lines.
 *
 * Reads every .c and .h file of the library's folders from the source tree, resolves each
 * quoted #include against the including file's folder and checks the edge against the
 * layers below. A new folder must be placed in a layer here before its files pass.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define LAYOUT_MAX_LINES 900

/* The folders of libtiersim, bottom layer first: a file may include its own folder and any
 * folder of a lower layer, never one of its own layer or above. */
static const struct layout_folder {
    const char *path; /* relative to the source tree */
    int layer;
} k_folders[] = {
    {"sim/util", 0}, {"sim", 1},     {"policies", 2}, {"workloads", 2},
    {"traces", 2},   {"reports", 2}, {"backends", 2}, {"app", 3},
};
#define N_FOLDERS (sizeof(k_folders) / sizeof(k_folders[0]))

/* The folder of a path relative to the source tree ("sim/util/io.h" -> sim/util), or -1. */
static int layout_folder_of(const char *rel)
{
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < N_FOLDERS; i++) {
        size_t n = strlen(k_folders[i].path);
        if (strncmp(rel, k_folders[i].path, n) == 0 && rel[n] == '/' &&
            !strchr(rel + n + 1, '/') && n > best_len) {
            best = (int)i;
            best_len = n;
        }
    }
    return best;
}

/* dir/inc with "." and ".." folded, relative to the source tree, into out. */
static void layout_join(const char *dir, const char *inc, char *out, size_t size)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s/%s", dir, inc);
    const char *parts[64];
    size_t n = 0;
    for (char *save = NULL, *p = strtok_r(buf, "/", &save); p && n < 64;
         p = strtok_r(NULL, "/", &save)) {
        if (strcmp(p, ".") == 0)
            continue;
        if (strcmp(p, "..") == 0) {
            if (n)
                n--;
            continue;
        }
        parts[n++] = p;
    }
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "/" : "", parts[i]);
}

typedef struct layout_stats {
    size_t files;    /* files read */
    size_t includes; /* quoted includes checked */
} layout_stats_t;

/* Checks one file: its length and every quoted include. */
static void layout_check_file(const char *folder, int layer, const char *name,
                              layout_stats_t *st)
{
    char path[PATH_MAX + 512], rel[PATH_MAX];
    snprintf(rel, sizeof(rel), "%s/%s", folder, name);
    snprintf(path, sizeof(path), "%s/%s", TS_SOURCE_DIR, rel);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", rel);
    char line[4096];
    size_t lines = 0;
    while (fgets(line, sizeof(line), f)) {
        lines++;
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "#include \"", 10) != 0)
            continue;
        const char *q = strchr(p + 10, '"');
        if (!q)
            continue;
        char inc[PATH_MAX], target[PATH_MAX];
        snprintf(inc, sizeof(inc), "%.*s", (int)(q - (p + 10)), p + 10);
        layout_join(folder, inc, target, sizeof(target));
        st->includes++;
        int to = layout_folder_of(target);
        if (to < 0)
            continue; /* a generated file or a header outside the library's folders */
        const char *tfolder = k_folders[to].path;
        if (strcmp(tfolder, folder) == 0)
            continue;
        if (k_folders[to].layer >= layer)
            fail_msg("%s:%zu includes %s: %s may not include %s (a layer at or above it)", rel,
                     lines, target, folder, tfolder);
        if (strstr(target, "_internal.h"))
            fail_msg("%s:%zu includes %s, another folder's internal header", rel, lines, target);
    }
    fclose(f);
    if (lines > LAYOUT_MAX_LINES)
        fail_msg("%s has %zu lines (at most %d: split it)", rel, lines, LAYOUT_MAX_LINES);
    st->files++;
}

static bool layout_is_source(const char *name)
{
    size_t n = strlen(name);
    return n > 2 && name[0] != '.' && (strcmp(name + n - 2, ".c") == 0 ||
                                       strcmp(name + n - 2, ".h") == 0);
}

/* Every library file: its includes go down the layers only, never into another folder's
 * internal header, and it is at most 900 lines. */
static void test_layout_includes_go_down_and_files_stay_short(void **state)
{
    (void)state;
    layout_stats_t st = {0};
    for (size_t i = 0; i < N_FOLDERS; i++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/%s", TS_SOURCE_DIR, k_folders[i].path);
        DIR *d = opendir(dir);
        if (!d)
            fail_msg("cannot open %s", k_folders[i].path);
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (layout_is_source(e->d_name))
                layout_check_file(k_folders[i].path, k_folders[i].layer, e->d_name, &st);
        closedir(d);
    }
    /* the walk saw the tree: well over a hundred files and many includes */
    assert_true(st.files > 100);
    assert_true(st.includes > 500);
}

/* The tests and benchmarks stay short too (they may include any layer). */
static void test_layout_tests_stay_short(void **state)
{
    (void)state;
    static const char *const dirs[] = {"tests", "bench"};
    for (size_t i = 0; i < 2; i++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/%s", TS_SOURCE_DIR, dirs[i]);
        DIR *d = opendir(dir);
        if (!d)
            fail_msg("cannot open %s", dirs[i]);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!layout_is_source(e->d_name))
                continue;
            char path[PATH_MAX + 512], line[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            FILE *f = fopen(path, "r");
            if (!f)
                fail_msg("cannot read %s/%s", dirs[i], e->d_name);
            size_t lines = 0;
            while (fgets(line, sizeof(line), f))
                lines++;
            fclose(f);
            if (lines > LAYOUT_MAX_LINES)
                fail_msg("%s/%s has %zu lines (at most %d: split it)", dirs[i], e->d_name,
                         lines, LAYOUT_MAX_LINES);
        }
        closedir(d);
    }
}

/* The path arithmetic the check rests on, by hand. */
static void test_layout_resolves_paths(void **state)
{
    (void)state;
    char out[PATH_MAX];
    layout_join("policies", "../sim/util/mem.h", out, sizeof(out));
    assert_string_equal(out, "sim/util/mem.h");
    layout_join("sim", "util/err.h", out, sizeof(out));
    assert_string_equal(out, "sim/util/err.h");
    layout_join("app", "./cli.h", out, sizeof(out));
    assert_string_equal(out, "app/cli.h");
    assert_string_equal(k_folders[layout_folder_of("sim/util/io.h")].path, "sim/util");
    assert_string_equal(k_folders[layout_folder_of("sim/hier.h")].path, "sim");
    assert_int_equal(layout_folder_of("sim/presets/devices.yaml"), -1);
    assert_int_equal(layout_folder_of("generated/ts_presets.c"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_resolves_paths),
        cmocka_unit_test(test_layout_includes_go_down_and_files_stay_short),
        cmocka_unit_test(test_layout_tests_stay_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
