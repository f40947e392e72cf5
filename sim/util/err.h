/* SPDX-License-Identifier: MIT */
/*
 * err.h - error codes and the fixed-size error record every fallible call fills.
 *
 * Functions return 0 or a negative TS_E* code and describe the failure in a ts_err_t.
 * The record is fixed-size so that reporting never allocates (an out-of-memory error can
 * still be reported). The first error wins: later ts_err_set() calls on a filled record
 * are ignored, while ts_err_prefix() adds context on the way up.
 * A message never loses its end to the fixed size: one that does not fit is shortened in
 * the middle of its longest words (a path keeps its start and its file name, with "..."
 * between), so the reason, which comes last, survives (see ts_err_fit).
 */
#ifndef TS_SIM_UTIL_ERR_H
#define TS_SIM_UTIL_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* X(name, value, description): one list generates the enum, names and messages. */
#define TS_ERRNO_MAP(X)                                                                            \
    X(EINVAL, -1, "invalid argument")                                                              \
    X(ENOMEM, -2, "out of memory")                                                                 \
    X(EIO, -3, "input/output error")                                                               \
    X(EPARSE, -4, "parse error")                                                                   \
    X(ENOENT, -5, "not found")                                                                     \
    X(EUNSUPPORTED, -6, "not supported")                                                           \
    X(ERANGE, -7, "value out of range")                                                            \
    X(EFORMAT, -8, "malformed input")                                                              \
    X(ENOSPC, -9, "no space left")                                                                 \
    X(EINTERNAL, -10, "internal error")

enum ts_errno {
    TS_OK = 0,
#define TS__ERR_ENUM(name, val, desc) TS_##name = (val),
    TS_ERRNO_MAP(TS__ERR_ENUM)
#undef TS__ERR_ENUM
};

typedef struct ts_err {
    int code;        /* 0 or a TS_E* code */
    int sys_errno;   /* errno at the failure, 0 when not a system error */
    char where[128]; /* file:line:col, key path or record index; may be empty */
    char msg[256];   /* what went wrong, what was expected and what was found */
} ts_err_t;

/* Name ("EINVAL") and description of a code; "UNKNOWN" / "unknown error" otherwise. */
const char *ts_err_name(int code);
const char *ts_strerror(int code);

/* Copies src into dst (size bytes, NUL-terminated), shortened when it does not fit: the
 * longest words (runs of non-blank bytes) lose their middle to "..." until it fits, else
 * the middle of the whole text goes; the end of src is always kept.
 * Returns the length written. Never allocates. */
size_t ts_err_fit(char *dst, size_t size, const char *src);

/* Clears the record. e may be NULL. */
void ts_err_clear(ts_err_t *e);

/* Fills e (when still clear) with code and a printf-style message; returns code.
 * e may be NULL, in which case only code is returned. */
int ts_err_set(ts_err_t *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* As ts_err_set, and records errno (read before the call) as sys_errno and appends strerror. */
int ts_err_sys(ts_err_t *e, int code, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets the where field when it is still empty (innermost location wins). */
void ts_err_where(ts_err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prepends "context: " to the message of a filled record. No-op when e is NULL or clear. */
void ts_err_prefix(ts_err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes "where: msg" (or just msg) into buf, fitted like ts_err_fit; returns buf. */
const char *ts_err_format(const ts_err_t *e, char *buf, size_t size);

#endif
