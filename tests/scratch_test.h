/* SPDX-License-Identifier: MIT */
/*
 * scratch_test.h - a fresh scratch directory per test for the tests that write result
 * files (cmocka setup/teardown; *state is its path), and a count of what a directory holds.
 */
#ifndef TS_TESTS_SCRATCH_TEST_H
#define TS_TESTS_SCRATCH_TEST_H

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Entries of dir other than . and ..; *n_tmp (may be NULL) counts temporary files: names
 * starting with '.' (reports/files.c) or containing ".tmp." (sim/util/io.c). */
static inline size_t scratch_count(const char *dir, size_t *n_tmp)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0, t = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        t += e->d_name[0] == '.' || strstr(e->d_name, ".tmp.") != NULL;
    }
    closedir(d);
    if (n_tmp)
        *n_tmp = t;
    return n;
}

static inline int scratch_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    chmod(path, 0700); /* a test may leave a read-only directory */
    return remove(path);
}

/* Setup: <build>/scratch.XXXXXX, its path (malloc'd) in *state. */
static inline int scratch_setup(void **state)
{
    char *base = malloc(1024);
    if (!base)
        return -1;
    snprintf(base, 1024, "%s/scratch.XXXXXX", TS_BINARY_DIR);
    if (!mkdtemp(base)) {
        free(base);
        return -1;
    }
    *state = base;
    return 0;
}

/* Teardown: removes the directory and everything in it. */
static inline int scratch_teardown(void **state)
{
    char *base = *state;
    nftw(base, scratch_rm, 16, FTW_DEPTH | FTW_PHYS);
    free(base);
    return 0;
}

#endif
