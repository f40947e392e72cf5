/* SPDX-License-Identifier: MIT */
/*
 * html.c - the self-contained HTML page of reports/html.h.
 *
 * The body is built in a growing buffer; ts_html_text appends the closing tags to a copy of
 * its length only (the buffer keeps growing afterwards), so the page can be read, then
 * extended. Nothing here knows about results: `tiersim report` (reports/report_html.c) fills
 * the page.
 */
#include "html.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/io.h"
#include "../sim/util/text.h"

struct ts_html {
    char *buf;       /* the page so far: head and body, without the closing tags */
    size_t len, cap;
    bool in_section; /* a <section> is open */
    char *text;      /* the last page handed out by ts_html_text */
};

static const char k_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>%s</title>\n<style>\n"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232a;"
    "margin:0 auto;max-width:1100px;padding:1.5em 2em 4em}\n"
    "h1{font-size:1.7em;margin:.2em 0 .6em}h2{font-size:1.25em;margin:2em 0 .6em;"
    "border-bottom:1px solid #d7dde3;padding-bottom:.25em}\n"
    "table{border-collapse:collapse;margin:.6em 0 1.2em;font-variant-numeric:tabular-nums}\n"
    "caption{text-align:left;font-weight:600;padding:.3em 0}\n"
    "table{display:block;overflow-x:auto;max-width:100%%}\n"
    "th,td{border-bottom:1px solid #e4e8ec;padding:.3em .8em;text-align:left;"
    "max-width:28em}th,td.n{white-space:nowrap}th{background:#f3f5f7}td.n{text-align:right}\n"
    "pre{background:#f6f8fa;border:1px solid #e4e8ec;padding:.8em 1em;overflow:auto;"
    "font-size:13px}\n"
    "figure{margin:1em 0 2em}figure svg{max-width:100%%;height:auto;display:block}\n"
    "figcaption{color:#56606b;font-size:.92em;margin-top:.3em}\n"
    "</style>\n</head>\n<body>\n<h1>%s</h1>\n";

/* Counts the figures the browser laid out with a size: what the headless test checks. */
static const char k_tail[] =
    "<script>\n"
    "window.addEventListener('load',function(){var n=0;"
    "document.querySelectorAll('figure svg').forEach(function(s){var r="
    "s.getBoundingClientRect();if(r.width>0&&r.height>0)n++;});"
    "document.body.setAttribute('data-figures',String(n));});\n"
    "</script>\n</body>\n</html>\n";

static int html_reserve(ts_html_t *h, size_t n, ts_err_t *err)
{
    if (h->len + n + 1 <= h->cap)
        return 0;
    size_t cap = h->cap ? h->cap : 4096;
    while (cap < h->len + n + 1)
        cap *= 2;
    char *b = ts_realloc(h->buf, cap);
    if (!b)
        return ts_err_set(err, TS_ENOMEM, "cannot grow the HTML page to %zu bytes", cap);
    h->buf = b;
    h->cap = cap;
    return 0;
}

static int html_raw(ts_html_t *h, const char *s, size_t n, ts_err_t *err)
{
    int rc = html_reserve(h, n, err);
    if (rc)
        return rc;
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len] = 0;
    return 0;
}

static int html_puts(ts_html_t *h, const char *s, ts_err_t *err)
{
    return html_raw(h, s, strlen(s), err);
}

#define HTML_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD, in UTF-8 */

/* A control character HTML does not allow in text (all but tab, LF and CR; DEL; C1). */
static bool html_is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp < 0xA0);
}

/* Appends the n bytes of s as valid UTF-8 text for the page: a byte that starts no valid
 * UTF-8 sequence (RFC 3629) and a control character become U+FFFD; with is_text, &, <, >,
 * " and ' become entities too (raw markup, an SVG document, keeps them). */
static int html_utf8(ts_html_t *h, const char *s, size_t n, bool is_text, ts_err_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        uint32_t cp = 0;
        size_t len = ts_utf8_len(s + i, n - i, &cp);
        const char *ent = NULL;
        if (len == 0 || html_is_control(cp))
            ent = HTML_REPLACEMENT;
        else if (is_text)
            ent = cp == '&' ? "&amp;" : cp == '<' ? "&lt;" : cp == '>' ? "&gt;"
                  : cp == '"' ? "&quot;" : cp == '\'' ? "&#39;" : NULL;
        rc = ent ? html_puts(h, ent, err) : html_raw(h, s + i, len, err);
        i += len ? len : 1;
    }
    return rc;
}

/* Appends s with &, <, >, " and ' escaped and its bytes made valid UTF-8 (html_utf8). */
static int html_esc(ts_html_t *h, const char *s, ts_err_t *err)
{
    return html_utf8(h, s, strlen(s), true, err);
}

/* Appends a printf-formatted text whose arguments are escaped by the caller. */
static int html_printf(ts_html_t *h, ts_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int html_printf(ts_html_t *h, ts_err_t *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ts_err_set(err, TS_EINVAL, "cannot format the HTML page");
    int rc = html_reserve(h, (size_t)n, err);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(h->buf + h->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    h->len += (size_t)n;
    return 0;
}

int ts_html_create(const char *title, ts_html_t **out, ts_err_t *err)
{
    *out = NULL;
    ts_html_t *h = ts_calloc(1, sizeof(*h));
    if (!h)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate an HTML page");
    /* the title goes in twice, escaped: build it in the page, then copy it */
    int rc = html_esc(h, title ? title : "", err);
    char *t = rc ? NULL : ts_malloc(h->len + 1);
    if (!rc && !t)
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate an HTML page");
    if (!rc) {
        memcpy(t, h->buf, h->len + 1);
        h->len = 0;
        rc = html_printf(h, err, k_head, t, t);
    }
    ts_free(t);
    if (rc) {
        ts_html_destroy(h);
        return rc;
    }
    *out = h;
    return 0;
}

void ts_html_destroy(ts_html_t *h)
{
    if (!h)
        return;
    ts_free(h->buf);
    ts_free(h->text);
    ts_free(h);
}

int ts_html_section(ts_html_t *h, const char *id, const char *heading, ts_err_t *err)
{
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return ts_err_set(err, TS_EINVAL, "bad HTML section id '%s'", id);
    int rc = h->in_section ? html_puts(h, "</section>\n", err) : 0;
    if (!rc)
        rc = html_printf(h, err, "<section id=\"%s\">\n<h2>", id);
    if (!rc)
        rc = html_esc(h, heading, err);
    if (!rc)
        rc = html_puts(h, "</h2>\n", err);
    h->in_section = rc == 0;
    return rc;
}

int ts_html_para(ts_html_t *h, const char *text, ts_err_t *err)
{
    int rc = html_puts(h, "<p>", err);
    if (!rc)
        rc = html_esc(h, text, err);
    return rc ? rc : html_puts(h, "</p>\n", err);
}

int ts_html_link(ts_html_t *h, const char *href, const char *text, ts_err_t *err)
{
    int rc = html_puts(h, "<p><a href=\"", err);
    rc = rc ? rc : html_esc(h, href, err);
    rc = rc ? rc : html_puts(h, "\">", err);
    rc = rc ? rc : html_esc(h, text, err);
    return rc ? rc : html_puts(h, "</a></p>\n", err);
}

/* A cell that reads as a number, with an optional unit or percent after it. */
static bool html_is_number(const char *s)
{
    char *end;
    if (*s == '$') /* dollars align as numbers too */
        s++;
    if (!*s)
        return false;
    (void)strtod(s, &end);
    return end != s;
}

int ts_html_table(ts_html_t *h, const char *caption, size_t ncols, const char *const *header,
                  size_t nrows, const char *const *cells, ts_err_t *err)
{
    int rc = html_puts(h, "<table>\n", err);
    if (!rc && caption) {
        rc = html_puts(h, "<caption>", err);
        rc = rc ? rc : html_esc(h, caption, err);
        rc = rc ? rc : html_puts(h, "</caption>\n", err);
    }
    rc = rc ? rc : html_puts(h, "<thead><tr>", err);
    for (size_t j = 0; j < ncols && !rc; j++) {
        rc = html_puts(h, "<th>", err);
        rc = rc ? rc : html_esc(h, header[j], err);
        rc = rc ? rc : html_puts(h, "</th>", err);
    }
    rc = rc ? rc : html_puts(h, "</tr></thead>\n<tbody>\n", err);
    for (size_t i = 0; i < nrows && !rc; i++) {
        rc = html_puts(h, "<tr>", err);
        for (size_t j = 0; j < ncols && !rc; j++) {
            const char *c = cells[i * ncols + j] ? cells[i * ncols + j] : "";
            rc = html_puts(h, html_is_number(c) ? "<td class=\"n\">" : "<td>", err);
            rc = rc ? rc : html_esc(h, c, err);
            rc = rc ? rc : html_puts(h, "</td>", err);
        }
        rc = rc ? rc : html_puts(h, "</tr>\n", err);
    }
    return rc ? rc : html_puts(h, "</tbody>\n</table>\n", err);
}

int ts_html_pre(ts_html_t *h, const char *text, ts_err_t *err)
{
    int rc = html_puts(h, "<pre>", err);
    rc = rc ? rc : html_esc(h, text, err);
    return rc ? rc : html_puts(h, "</pre>\n", err);
}

/* The first occurrence of needle in s[0, len). */
static const char *html_find(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

int ts_html_svg(ts_html_t *h, const char *svg, size_t len, const char *caption, ts_err_t *err)
{
    const char *start = html_find(svg, len, "<svg");
    if (!start)
        return ts_err_set(err, TS_EPARSE, "figure '%s': no <svg> element in the image",
                          caption ? caption : "");
    int rc = html_puts(h, "<figure>\n", err);
    rc = rc ? rc : html_utf8(h, start, len - (size_t)(start - svg), false, err);
    rc = rc ? rc : html_puts(h, "\n<figcaption>", err);
    rc = rc ? rc : html_esc(h, caption ? caption : "", err);
    return rc ? rc : html_puts(h, "</figcaption>\n</figure>\n", err);
}

int ts_html_svg_file(ts_html_t *h, const char *path, const char *caption, ts_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ts_err_sys(err, ts_io_code(errno), errno, "cannot open figure '%s'", path);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *b = ts_realloc(buf, ncap);
            if (!b) {
                rc = ts_err_set(err, TS_ENOMEM, "cannot read figure '%s'", path);
                break;
            }
            buf = b;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                rc = ts_err_sys(err, TS_EIO, errno, "cannot read figure '%s'", path);
            break;
        }
    }
    fclose(f);
    if (!rc)
        rc = ts_html_svg(h, buf ? buf : "", len, caption, err);
    if (rc && !err->where[0])
        ts_err_where(err, "%s", path);
    ts_free(buf);
    return rc;
}

const char *ts_html_text(ts_html_t *h, size_t *len)
{
    const char *close = h->in_section ? "</section>\n" : "";
    size_t n = h->len + strlen(close) + sizeof(k_tail) - 1;
    char *t = ts_realloc(h->text, n + 1);
    if (!t)
        return NULL;
    h->text = t;
    memcpy(t, h->buf, h->len);
    memcpy(t + h->len, close, strlen(close));
    memcpy(t + h->len + strlen(close), k_tail, sizeof(k_tail));
    if (len)
        *len = n;
    return t;
}

int ts_html_write(ts_html_t *h, const char *path, ts_err_t *err)
{
    size_t n;
    const char *text = ts_html_text(h, &n);
    if (!text)
        return ts_err_set(err, TS_ENOMEM, "cannot finish the HTML page for '%s'", path);
    ts_afile_t f;
    int rc = ts_afile_open(&f, path, "HTML report", err);
    if (rc)
        return rc;
    rc = ts_afile_write(&f, text, n, "HTML report", err);
    if (!rc)
        rc = ts_afile_commit(&f, "HTML report", err);
    ts_afile_discard(&f);
    return rc;
}
