/* SPDX-License-Identifier: MIT */
/*
 * check.c - the failure path of the invariant checks and the expensive-check switch (see
 * check.h). The hook and the per-thread switch are thread-local, so simulations on other
 * OpenMP threads are unaffected; the environment's choice is read once per process and
 * cached (every thread computes the same value, so the race on the cache is harmless).
 */
#include "check.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local ts_check_hook_fn check_hook; /* NULL: print and abort */
static _Thread_local void *check_hook_ctx;
static _Thread_local int check_expensive = -1; /* -1: follow TS_CHECK */
static atomic_int check_env = -1;              /* TS_CHECK: -1 not read yet, else 0 or 1 */

void ts_check_fail(const char *file, int line, const char *what)
{
    if (check_hook) {
        check_hook(check_hook_ctx, file, line, what);
        return;
    }
    fprintf(stderr, "tiersim: internal error: %s:%d: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

void ts_check_set_hook(ts_check_hook_fn fn, void *ctx)
{
    check_hook = fn;
    check_hook_ctx = fn ? ctx : NULL;
}

bool ts_check_expensive(void)
{
    if (check_expensive >= 0)
        return check_expensive != 0;
    int v = atomic_load_explicit(&check_env, memory_order_relaxed);
    if (v < 0) {
        const char *s = getenv("TS_CHECK");
        v = s && *s && strcmp(s, "0") != 0;
        atomic_store_explicit(&check_env, v, memory_order_relaxed);
    }
    return v != 0;
}

void ts_check_set_expensive(int on)
{
    check_expensive = on < 0 ? -1 : on != 0;
}
