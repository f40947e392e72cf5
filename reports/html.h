/* SPDX-License-Identifier: MIT */
/*
 * html.h - a self-contained HTML page: headings, paragraphs, tables, preformatted text and
 * inline SVG figures, written atomically to one file that opens in any browser offline.
 *
 * The page carries its style sheet and one small script inline and links to nothing. Every
 * text is escaped; SVG documents are embedded as they are, less their XML prologue and
 * doctype. The page is valid UTF-8 whatever the bytes given: in texts and SVGs alike, a byte
 * that starts no valid UTF-8 sequence, and a control character other than tab, LF and CR,
 * becomes U+FFFD (a file name in Latin-1 shows as "t\uFFFD.csv", never as raw bytes). Sections get the ids their callers give, so a test (or a reader) can find them.
 * The script marks the page once it has laid it out: <body data-figures="N"> counts the
 * figures drawn with a non-zero size, which is what the headless-browser test reads.
 * Cost: the page is built in memory (one growing buffer), then written in one go.
 */
#ifndef TS_REPORTS_HTML_H
#define TS_REPORTS_HTML_H

#include <stddef.h>

#include "../sim/util/err.h"

typedef struct ts_html ts_html_t;

/* A page titled title (also its first heading). Returns 0 or TS_ENOMEM. */
int ts_html_create(const char *title, ts_html_t **out, ts_err_t *err);
void ts_html_destroy(ts_html_t *h); /* accepts NULL */

/* Opens a section with the given id (letters, digits, '-' and '_') and a second-level
 * heading; the previous section, if any, is closed. */
int ts_html_section(ts_html_t *h, const char *id, const char *heading, ts_err_t *err);
/* A paragraph of text. */
int ts_html_para(ts_html_t *h, const char *text, ts_err_t *err);
/* A paragraph that is a link to href (a page beside this one) reading text. */
int ts_html_link(ts_html_t *h, const char *href, const char *text, ts_err_t *err);
/* A table: ncols header cells, then nrows x ncols cells, row by row; cells that look like
 * numbers are right-aligned. caption may be NULL. */
int ts_html_table(ts_html_t *h, const char *caption, size_t ncols, const char *const *header,
                  size_t nrows, const char *const *cells, ts_err_t *err);
/* Preformatted text (a scenario's YAML). */
int ts_html_pre(ts_html_t *h, const char *text, ts_err_t *err);
/* A figure: the SVG document svg (len bytes) inline, with a caption. TS_EPARSE when the
 * text holds no <svg element. */
int ts_html_svg(ts_html_t *h, const char *svg, size_t len, const char *caption, ts_err_t *err);
/* The same from an SVG file. TS_ENOENT / TS_EIO name the file. */
int ts_html_svg_file(ts_html_t *h, const char *path, const char *caption, ts_err_t *err);

/* Writes the page to path atomically (a temporary file beside it, renamed when complete).
 * Returns 0, TS_ENOSPC, TS_ENOENT or TS_EIO naming the file. */
int ts_html_write(ts_html_t *h, const char *path, ts_err_t *err);

/* The page so far, closed as ts_html_write would write it (NUL-terminated; owned by h,
 * valid until the next call). NULL when out of memory. */
const char *ts_html_text(ts_html_t *h, size_t *len);

#endif
