/* SPDX-License-Identifier: MIT */
/*
 * file_test.h - reading a whole file in tests, and counting what a text holds (header-only;
 * each test binary includes it).
 */
#ifndef TS_TESTS_FILE_TEST_H
#define TS_TESTS_FILE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bytes of path with a terminating NUL (free them), or NULL; *len (when not NULL)
 * receives their count. */
static inline char *file_test_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = 0;
    if (buf && len)
        *len = (size_t)n;
    fclose(fp);
    return buf;
}

/* Occurrences of needle in hay (overlapping ones too). */
static inline size_t file_test_count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

#endif
