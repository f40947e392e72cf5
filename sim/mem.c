/* SPDX-License-Identifier: MIT */
/*
 * mem.c - heap wrappers with a thread-local failure countdown for tests (see mem.h).
 */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local long mem_countdown = -1; /* allocations left before one fails; <0: off */
static _Thread_local long mem_count;

static int mem_should_fail(void)
{
    if (mem_countdown < 0) {
        mem_count++;
        return 0;
    }
    if (mem_countdown == 0)
        return 1;
    mem_countdown--;
    mem_count++;
    return 0;
}

void *ts_malloc(size_t size)
{
    return mem_should_fail() ? NULL : malloc(size ? size : 1);
}

void *ts_calloc(size_t n, size_t size)
{
    return mem_should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *ts_realloc(void *p, size_t size)
{
    return mem_should_fail() ? NULL : realloc(p, size ? size : 1);
}

void ts_free(void *p)
{
    free(p);
}

char *ts_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = ts_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void ts_mem_fail_after(long n)
{
    mem_countdown = n;
    mem_count = 0;
}

long ts_mem_count(void)
{
    return mem_count;
}
