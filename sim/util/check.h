/* SPDX-License-Identifier: MIT */
/*
 * check.h - internal invariant checks: TS_ASSERT, TS_ALWAYS, TS_NEVER, and the switch for
 * the expensive whole-structure walks.
 *
 * These are for bugs, never for input: a broken invariant means the program is wrong, so in
 * debug builds (TS_DEBUG: CMake's Debug and TS_SANITIZE builds) a failed check prints
 * "tiersim: internal error: file:line: condition" on stderr and aborts. In release builds
 * TS_ASSERT compiles to nothing that runs (its condition is still type-checked: it must
 * have no side effects), and TS_ALWAYS / TS_NEVER only yield their value, as SQLite's
 * ALWAYS / NEVER do: code written `if (TS_NEVER(x)) recover;` means the same in every build.
 * Cost: one branch per check in debug builds, none in release builds. The O(n) walks of
 * whole structures (a policy's lists, an index) run only when asked for: TS_CHECK=1 in the
 * environment, or ts_check_set_expensive(1) on the calling thread.
 */
#ifndef TS_SIM_UTIL_CHECK_H
#define TS_SIM_UTIL_CHECK_H

#include <stdbool.h>

/* 1 when the checks run (debug and sanitizer builds), 0 in release builds. Code that
 * prepares what a check reads writes `if (TS_CHECK_ON) ...`, which the compiler drops in
 * release builds while still type-checking it. */
#if defined(TS_DEBUG) && TS_DEBUG
#define TS_CHECK_ON 1
#else
#define TS_CHECK_ON 0
#endif

/* Both forms of each macro, so a test can exercise either in any build. Code uses the
 * plain names below, never these. */
#define TS_ASSERT_DEBUG(cond) ((cond) ? (void)0 : ts_check_fail(__FILE__, __LINE__, #cond))
#define TS_ASSERT_RELEASE(cond) ((void)sizeof(!(cond)))
#define TS_ALWAYS_DEBUG(x)                                                                         \
    ((x) ? true : (ts_check_fail(__FILE__, __LINE__, "ALWAYS(" #x ")"), false))
#define TS_ALWAYS_RELEASE(x) ((x) ? true : false)
#define TS_NEVER_DEBUG(x) ((x) ? (ts_check_fail(__FILE__, __LINE__, "NEVER(" #x ")"), true) : false)
#define TS_NEVER_RELEASE(x) ((x) ? true : false)

/* TS_ASSERT(cond): cond must hold here (an internal invariant; no side effects).
 * TS_ALWAYS(x): x is expected to be true; yields x as a bool (checked in debug builds).
 * TS_NEVER(x): x is expected to be false; yields x as a bool (checked in debug builds). */
#if TS_CHECK_ON
#define TS_ASSERT(cond) TS_ASSERT_DEBUG(cond)
#define TS_ALWAYS(x) TS_ALWAYS_DEBUG(x)
#define TS_NEVER(x) TS_NEVER_DEBUG(x)
#else
#define TS_ASSERT(cond) TS_ASSERT_RELEASE(cond)
#define TS_ALWAYS(x) TS_ALWAYS_RELEASE(x)
#define TS_NEVER(x) TS_NEVER_RELEASE(x)
#endif

/* Receives a failed check: the source file and line, and the condition or a message saying
 * which invariant broke. */
typedef void (*ts_check_hook_fn)(void *ctx, const char *file, int line, const char *what);

/* Reports a failed check. With no hook installed on the calling thread: prints
 * "tiersim: internal error: file:line: what" on stderr and aborts. With a hook: calls it
 * and returns when it returns (the code then goes on as a release build would). */
void ts_check_fail(const char *file, int line, const char *what);

/* Test hook: failed checks on the calling thread go to fn(ctx, ...) instead of aborting
 * (fn NULL: abort again, the default). fn may return, or longjmp out of the check. Other
 * threads are unaffected. */
void ts_check_set_hook(ts_check_hook_fn fn, void *ctx);

/* True when the expensive checks (O(n) walks of whole structures) should run on this
 * thread: as set by ts_check_set_expensive, else when the environment variable TS_CHECK
 * is set to anything but "" or "0" (read once per process). Only debug builds call it from
 * the library (TS_CHECK_ON && ts_check_expensive()). */
bool ts_check_expensive(void);

/* Turns the expensive checks on (1) or off (0) for the calling thread; -1 goes back to the
 * environment's choice (the default). */
void ts_check_set_expensive(int on);

#endif
