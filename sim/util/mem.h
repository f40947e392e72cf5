/* SPDX-License-Identifier: MIT */
/*
 * mem.h - the one door to the heap, with a hook that makes the Nth allocation fail.
 *
 * Every allocation in the library goes through these wrappers so tests can prove that each
 * create/open path reports TS_ENOMEM and leaks nothing when any one allocation fails. The
 * failure countdown is thread-local, so simulations on other OpenMP threads are unaffected.
 */
#ifndef TS_SIM_UTIL_MEM_H
#define TS_SIM_UTIL_MEM_H

#include <stddef.h>

void *ts_malloc(size_t size);
void *ts_calloc(size_t n, size_t size);
void *ts_realloc(void *p, size_t size);
void ts_free(void *p);
/* strdup through ts_malloc; NULL on failure (or when s is NULL). Free with ts_free. */
char *ts_strdup(const char *s);

/* Copies n strings into one block: n pointers, then the strings. NULL on failure (and for
 * n = 0). Free with one ts_free. */
char **ts_strv_dup(const char *const *v, size_t n);

/* Bytes of the CPU's last-level cache (sysconf, else Linux's sysfs; 8 MiB when neither
 * says). Reads the system each call: call it once per run, not per request. */
size_t ts_mem_llc_bytes(void);

/* Bytes of memory the system can still give without swapping (Linux's MemAvailable), or
 * 0 when unknown. */
unsigned long long ts_mem_available_bytes(void);

/* Test hook: the allocation after n successful ones fails (n = 0: the next one fails).
 * A negative n switches the hook off (the default). Affects the calling thread only. */
void ts_mem_fail_after(long n);

/* Number of allocations that succeeded on this thread since the hook was last set. */
long ts_mem_count(void);

#endif
