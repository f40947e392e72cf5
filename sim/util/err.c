/* SPDX-License-Identifier: MIT */
/*
 * err.c - error names, messages and the first-error-wins record (see err.h).
 *
 * A message is formatted in a work buffer on the stack (ERR_WORK bytes), then fitted into
 * the record: when it is too long, its longest words (paths, mostly) lose their middle to
 * "...", so what comes last, the reason, is kept. Nothing here allocates.
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

/* ---- fitting a message into a fixed buffer ---- */

/* Where a formatted message is built before it is fitted: long enough for a few paths of
 * PATH_MAX bytes and their context; only a longer message loses its end. */
#define ERR_WORK 16384
#define ERR_KEEP 16 /* a shortened word keeps at least this many bytes, "..." included */

/* The longest word of s[0..len) (a run of bytes other than blanks): its start and length. */
static size_t err_longest_word(const char *s, size_t len, size_t *at)
{
    size_t best = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && s[i] == ' ')
            i++;
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (j - i > best) {
            best = j - i;
            *at = i;
        }
        i = j;
    }
    return best;
}

/* Shortens s (len bytes, NUL-terminated, in a buffer of at least len + 1) in place to at
 * most cap - 1 bytes: the longest words lose their middle to "..." first (a path keeps
 * its start and its file name), so the end of the message, its reason, survives; when no
 * word is left long enough, the middle of the whole text goes. Returns the new length. */
static size_t err_fit_inplace(char *s, size_t len, size_t cap)
{
    while (len >= cap) {
        size_t at = 0, w = err_longest_word(s, len, &at);
        if (w <= ERR_KEEP)
            break;
        size_t excess = len - (cap - 1);
        size_t keep = w > excess + 3 + ERR_KEEP ? w - excess - 3 : ERR_KEEP - 3;
        size_t head = keep / 3, tail = keep - head;
        memcpy(s + at + head, "...", 3);
        memmove(s + at + head + 3, s + at + w - tail, len - (at + w - tail) + 1);
        len -= w - (head + 3 + tail);
    }
    if (len >= cap && cap > 4) { /* still too long: the middle of the text goes */
        size_t keep = cap - 1 - 3, head = keep / 3, tail = keep - head;
        memcpy(s + head, "...", 3);
        memmove(s + head + 3, s + len - tail, tail + 1);
        len = cap - 1;
    } else if (len >= cap) {
        len = cap ? cap - 1 : 0;
        if (cap)
            s[len] = 0;
    }
    return len;
}

size_t ts_err_fit(char *dst, size_t size, const char *src)
{
    if (!size)
        return 0;
    size_t len = strlen(src);
    if (len < size) {
        memcpy(dst, src, len + 1);
        return len;
    }
    char work[ERR_WORK];
    if (len >= sizeof(work)) { /* its start and its end, then fitted */
        size_t half = (sizeof(work) - 1) / 2;
        memcpy(work, src, half);
        memcpy(work + half, src + len - half, half);
        len = 2 * half;
    } else {
        memcpy(work, src, len);
    }
    work[len] = 0;
    len = err_fit_inplace(work, len, size);
    memcpy(dst, work, len + 1);
    return len;
}

/* Formats fmt (and ": strerror" when sys_errno) into dst of size bytes, fitted. */
static void err_vformat(char *dst, size_t size, int sys_errno, const char *fmt, va_list ap)
{
    char work[ERR_WORK];
    int n = vsnprintf(work, sizeof(work), fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(work) ? (size_t)n : sizeof(work) - 1;
    work[len] = 0;
    if (sys_errno) {
        const char *why = strerror(sys_errno);
        size_t wl = strlen(why);
        if (len + 2 + wl >= sizeof(work)) /* keep the reason: drop the end of the text */
            len = sizeof(work) - 1 - 2 - wl;
        memcpy(work + len, ": ", 2);
        memcpy(work + len + 2, why, wl + 1);
        len += 2 + wl;
    }
    len = err_fit_inplace(work, len, size);
    memcpy(dst, work, len + 1);
}

static int err_vset(ts_err_t *e, int code, int sys_errno, const char *fmt, va_list ap)
{
    if (!e || e->code != 0)
        return code;
    e->code = code;
    e->sys_errno = sys_errno;
    err_vformat(e->msg, sizeof(e->msg), sys_errno, fmt, ap);
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
    err_vformat(e->where, sizeof(e->where), 0, fmt, ap);
    va_end(ap);
}

void ts_err_prefix(ts_err_t *e, const char *fmt, ...)
{
    if (!e || e->code == 0)
        return;
    char work[ERR_WORK];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(work, sizeof(work) / 2, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(work) / 2 ? (size_t)n : sizeof(work) / 2 - 1;
    size_t old = strnlen(e->msg, sizeof(e->msg)); /* fits: the message is shorter than half */
    memcpy(work + len, ": ", 2);
    memcpy(work + len + 2, e->msg, old);
    len += 2 + old;
    work[len] = 0;
    len = err_fit_inplace(work, len, sizeof(e->msg));
    memcpy(e->msg, work, len + 1);
}

const char *ts_err_format(const ts_err_t *e, char *buf, size_t size)
{
    char work[sizeof(e->where) + sizeof(e->msg) + 2];
    if (!e || e->code == 0)
        snprintf(work, sizeof(work), "no error");
    else if (e->where[0])
        snprintf(work, sizeof(work), "%s: %s", e->where,
                 e->msg[0] ? e->msg : ts_strerror(e->code));
    else
        snprintf(work, sizeof(work), "%s", e->msg[0] ? e->msg : ts_strerror(e->code));
    ts_err_fit(buf, size, work); /* fits work: where and msg are NUL-terminated */
    return buf;
}
