/* SPDX-License-Identifier: MIT */
/*
 * mem.c - heap wrappers with a thread-local failure countdown for tests (see mem.h).
 *
 * Blocks of MEM_HUGE bytes or more (policy node pools, key indexes, in-memory traces) are
 * aligned to 2 MiB and marked MADV_HUGEPAGE: policies touch them at random, and with 4 KiB
 * pages nearly every such touch also misses the TLB. Where transparent huge pages are off
 * the advice is ignored and nothing else changes.
 */
#include "mem.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_HUGE ((size_t)2 << 20)
#define MEM_HUGE_MIN ((size_t)1 << 20)

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

static void *mem_huge(size_t size)
{
    void *p = NULL;
    size_t whole = (size + MEM_HUGE - 1) & ~(MEM_HUGE - 1);
    if (posix_memalign(&p, MEM_HUGE, whole))
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, whole, MADV_HUGEPAGE); /* advice only: failure is harmless */
#endif
    return p;
}

void *ts_malloc(size_t size)
{
    if (mem_should_fail())
        return NULL;
    return size >= MEM_HUGE_MIN ? mem_huge(size) : malloc(size ? size : 1);
}

void *ts_calloc(size_t n, size_t size)
{
    if (mem_should_fail())
        return NULL;
    if (n && size > (size_t)-1 / n)
        return NULL;
    if (n * size < MEM_HUGE_MIN)
        return calloc(n ? n : 1, size ? size : 1);
    void *p = mem_huge(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *ts_realloc(void *p, size_t size)
{
    if (mem_should_fail())
        return NULL;
    if (size < MEM_HUGE_MIN || !p)
        return size < MEM_HUGE_MIN ? realloc(p, size ? size : 1) : mem_huge(size);
    size_t old = malloc_usable_size(p);
    void *q = mem_huge(size);
    if (!q)
        return NULL;
    memcpy(q, p, old < size ? old : size);
    free(p);
    return q;
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

char **ts_strv_dup(const char *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    size_t bytes = n * sizeof(char *);
    for (size_t i = 0; i < n; i++)
        bytes += strlen(v[i]) + 1;
    char **d = ts_malloc(bytes);
    if (!d)
        return NULL;
    char *p = (char *)(d + n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        memcpy(p, v[i], len);
        d[i] = p;
        p += len;
    }
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

size_t ts_mem_llc_bytes(void)
{
    long b = -1;
#ifdef _SC_LEVEL3_CACHE_SIZE
    b = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (b <= 0)
        b = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
    for (int i = 3; b <= 0 && i >= 2; i--) { /* sysfs: index3 is L3 on x86 and most ARM */
        char path[64], unit = 0;
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        long v = 0;
        if (fscanf(f, "%ld%c", &v, &unit) >= 1)
            b = unit == 'K' ? v << 10 : unit == 'M' ? v << 20 : v;
        fclose(f);
    }
    return b > 0 ? (size_t)b : (size_t)8 << 20;
}

unsigned long long ts_mem_available_bytes(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    unsigned long long kib = 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
            break;
    fclose(f);
    return kib << 10;
}
