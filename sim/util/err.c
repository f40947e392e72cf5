/* SPDX-License-Identifier: MIT */
/*
 * err.c - error names, messages and the first-error-wins record (see err.h).
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

const char *ts_err_name(int code)
{
    switch (code) {
    case TS_OK:
        return "OK";
#define TS__ERR_NAME(name, val, desc)                                                              \
    case TS_##name:                                                                                \
        return #name;
        TS_ERRNO_MAP(TS__ERR_NAME)
#undef TS__ERR_NAME
    }
    return "UNKNOWN";
}

const char *ts_strerror(int code)
{
    switch (code) {
    case TS_OK:
        return "success";
#define TS__ERR_DESC(name, val, desc)                                                              \
    case TS_##name:                                                                                \
        return desc;
        TS_ERRNO_MAP(TS__ERR_DESC)
#undef TS__ERR_DESC
    }
    return "unknown error";
}

void ts_err_clear(ts_err_t *e)
{
    if (e)
        memset(e, 0, sizeof(*e));
}

static int err_vset(ts_err_t *e, int code, int sys_errno, const char *fmt, va_list ap)
{
    if (!e || e->code != 0)
        return code;
    e->code = code;
    e->sys_errno = sys_errno;
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    if (sys_errno) {
        size_t n = strlen(e->msg);
        snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(sys_errno));
    }
    return code;
}

int ts_err_set(ts_err_t *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, 0, fmt, ap);
    va_end(ap);
    return code;
}

int ts_err_sys(ts_err_t *e, int code, int sys_errno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, sys_errno, fmt, ap);
    va_end(ap);
    return code;
}

void ts_err_where(ts_err_t *e, const char *fmt, ...)
{
    if (!e || e->where[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->where, sizeof(e->where), fmt, ap);
    va_end(ap);
}

void ts_err_prefix(ts_err_t *e, const char *fmt, ...)
{
    if (!e || e->code == 0)
        return;
    char head[128], old[sizeof(e->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof(head), fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof(old));
    int n = snprintf(e->msg, sizeof(e->msg), "%s: ", head);
    if (n < 0 || (size_t)n >= sizeof(e->msg))
        return;
    size_t len = strnlen(old, sizeof(e->msg) - (size_t)n - 1);
    memcpy(e->msg + n, old, len);
    e->msg[(size_t)n + len] = 0;
}

const char *ts_err_format(const ts_err_t *e, char *buf, size_t size)
{
    if (!e || e->code == 0)
        snprintf(buf, size, "no error");
    else if (e->where[0])
        snprintf(buf, size, "%s: %s", e->where, e->msg[0] ? e->msg : ts_strerror(e->code));
    else
        snprintf(buf, size, "%s", e->msg[0] ? e->msg : ts_strerror(e->code));
    return buf;
}
