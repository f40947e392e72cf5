/* SPDX-License-Identifier: MIT */
/*
 * text.c - lines and fields of text traces (see text.h).
 */
#include "text.h"

#include <stdio.h>
#include <string.h>

#include "ktab.h"
#include "mem.h"

#define TEXT_BUF (64u * 1024u)

int ts_text_open(ts_text_t *t, const char *path, ts_err_t *err)
{
    memset(t, 0, sizeof(*t));
    t->path = path;
    t->cap = TEXT_BUF;
    if (!(t->buf = ts_malloc(t->cap)))
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the line buffer of '%s'", path);
    int rc = ts_zin_open(&t->in, path, err);
    if (rc) {
        ts_free(t->buf);
        t->buf = NULL;
        return rc;
    }
    t->is_open = true;
    return 0;
}

void ts_text_close(ts_text_t *t)
{
    if (t->is_open)
        ts_zin_close(&t->in);
    t->is_open = false;
    ts_free(t->buf);
    t->buf = NULL;
}

int ts_text_rewind(ts_text_t *t, ts_err_t *err)
{
    t->len = t->pos = 0;
    t->is_eof = false;
    t->line = 0;
    return ts_zin_rewind(&t->in, err);
}

/* The next raw line, NUL-terminated, without its '\n'. 1: a line; 0: end. */
static int text_getline(ts_text_t *t, char **line, ts_err_t *err)
{
    for (;;) {
        char *nl = memchr(t->buf + t->pos, '\n', t->len - t->pos);
        if (nl || (t->is_eof && t->pos < t->len)) {
            char *end = nl ? nl : t->buf + t->len; /* len < cap: room for the NUL */
            *end = 0;
            *line = t->buf + t->pos;
            t->pos = (size_t)(end - t->buf) + (nl != NULL);
            /* a UTF-8 byte-order mark starts the file's first line, not its text */
            if (t->line++ == 0 && strncmp(*line, TS_TEXT_BOM, 3) == 0)
                *line += 3;
            return 1;
        }
        if (t->is_eof)
            return 0;
        if (t->pos > 0) {
            memmove(t->buf, t->buf + t->pos, t->len - t->pos);
            t->len -= t->pos;
            t->pos = 0;
        }
        if (t->len + 1 >= t->cap) {
            if (t->cap >= TS_TEXT_LINE_MAX) {
                ts_err_where(err, "%s:%llu", t->path, (unsigned long long)t->line + 1);
                return ts_err_set(err, TS_EFORMAT, "line is longer than %u bytes",
                                  TS_TEXT_LINE_MAX);
            }
            char *nb = ts_realloc(t->buf, t->cap * 2);
            if (!nb)
                return ts_err_set(err, TS_ENOMEM, "cannot grow the line buffer of '%s'",
                                  t->path);
            t->buf = nb;
            t->cap *= 2;
        }
        ssize_t k = ts_zin_read(&t->in, t->buf + t->len, t->cap - 1 - t->len, err);
        if (k < 0) {
            ts_err_where(err, "%s:%llu", t->path, (unsigned long long)t->line + 1);
            return (int)k;
        }
        if (k == 0)
            t->is_eof = true;
        t->len += (size_t)k;
    }
}

int ts_text_next(ts_text_t *t, char **line, ts_err_t *err)
{
    for (;;) {
        char *s = NULL;
        int rc = text_getline(t, &s, err);
        if (rc <= 0)
            return rc;
        size_t n = strlen(s);
        if (n > 0 && s[n - 1] == '\r')
            s[n - 1] = 0;
        const char *q = s;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == 0 || *q == '#')
            continue;
        *line = s;
        return 1;
    }
}

static bool text_is_blank(char c, char sep)
{
    return (c == ' ' || c == '\t') && c != sep;
}

int ts_text_split(const ts_text_t *t, char *p, char sep, char **fields, int max,
                   ts_err_t *err)
{
    int n = 0;
    for (;;) {
        while (text_is_blank(*p, sep))
            p++;
        char *start, *end;
        if (*p == '"') {
            char *w = ++p;
            start = w;
            for (;;) {
                if (*p == 0) {
                    ts_err_where(err, "%s:%llu", t->path, (unsigned long long)t->line);
                    return ts_err_set(err, TS_EFORMAT, "column %d: unterminated quote", n);
                }
                if (*p == '"') {
                    if (p[1] != '"') {
                        p++;
                        break;
                    }
                    p++;
                }
                *w++ = *p++;
            }
            end = w;
            while (text_is_blank(*p, sep))
                p++;
            if (*p && *p != sep) {
                ts_err_where(err, "%s:%llu", t->path, (unsigned long long)t->line);
                return ts_err_set(err, TS_EFORMAT,
                                  "column %d: unexpected '%c' after a quoted field", n, *p);
            }
        } else {
            start = p;
            while (*p && *p != sep)
                p++;
            end = p;
            while (end > start && text_is_blank(end[-1], sep))
                end--;
        }
        bool has_more = *p == sep;
        *end = 0;
        fields[n++] = start;
        if (!has_more || n >= max)
            return n;
        p++;
    }
}

bool ts_text_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

uint64_t ts_text_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return ts_hash64(h);
}

size_t ts_utf8_len(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    uint32_t c = u[0], v, min;
    size_t len;
    if (c < 0x80) {
        if (cp)
            *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, v = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    if (cp)
        *cp = v;
    return len;
}

size_t ts_utf8_fix(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len = ts_utf8_len(s + i, n - i, NULL);
        if (len) {
            memcpy(out + o, s + i, len);
            o += len, i += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            o += 3, i++;
        }
    }
    return o;
}

/* A character a terminal shows as a glyph (not a control or an invisible format one). */
static bool text_is_visible(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xAD || cp == 0xFEFF)
        return false;
    return !((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
             (cp >= 0x2060 && cp <= 0x206F));
}

/* Bytes the character at s (of n) takes shown, and its length in s. */
static size_t text_shown_one(const char *s, size_t n, size_t *len)
{
    uint32_t cp = 0;
    size_t k = ts_utf8_len(s, n, &cp);
    if (k > 0 && text_is_visible(cp)) {
        *len = k;
        return k;
    }
    *len = 1;
    return 4; /* \xHH */
}

const char *ts_text_shown(const char *s, char *buf, size_t size)
{
    size_t n = s ? strlen(s) : 0, total = 0, len;
    for (size_t i = 0; i < n; i += len)
        total += text_shown_one(s + i, n - i, &len);
    size_t limit = total < size ? size - 1 : size > 4 ? size - 4 : 0; /* room for "..." */
    size_t o = 0;
    for (size_t i = 0; i < n; i += len) {
        size_t need = text_shown_one(s + i, n - i, &len);
        if (o + need > limit)
            break;
        if (need == len)
            memcpy(buf + o, s + i, len);
        else
            snprintf(buf + o, 5, "\\x%02X", (unsigned char)s[i]);
        o += need;
    }
    if (total >= size && size > 4) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    if (size)
        buf[o] = 0;
    return buf;
}
