/* SPDX-License-Identifier: MIT */
/*
 * text.h - line-oriented text traces: lines from a plain or zstd-compressed file,
 * and delimited fields split in place. Shared by the csv, twitter and other text readers.
 *
 * Lines: ts_text_next() hands out each line NUL-terminated, without its '\n' or a trailing
 * '\r', skipping blank lines and lines whose first non-blank character is '#'; `line`
 * counts every line from 1 (skipped ones included), so errors can say path:line. A UTF-8
 * byte-order mark (EF BB BF) at the start of the file (plain or zstd) is dropped. Memory: a
 * 64 KiB buffer that grows to the longest line (at most 1 MiB, longer is an error).
 * Fields: split on one separator character; fields may be quoted ("a,b", "" for a quote)
 * and are trimmed of spaces and tabs (unless the tab is the separator).
 *
 */
#ifndef TS_SIM_UTIL_TEXT_H
#define TS_SIM_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "io.h"

#define TS_TEXT_LINE_MAX (1024u * 1024u)
#define TS_TEXT_BOM "\xEF\xBB\xBF" /* UTF-8 byte-order mark, dropped at a file's start */

typedef struct ts_text {
    ts_zin_t in;         /* the file, decompressed when it is zstd */
    char *buf;            /* [pos, len) not consumed yet */
    size_t cap, len, pos; /* buffer size, bytes held, consumed bytes */
    bool is_eof;          /* the file has no more bytes */
    bool is_open;         /* `in` is open */
    uint64_t line;        /* number of the current line (1-based) */
    const char *path;     /* for messages (borrowed) */
} ts_text_t;

/* Opens path (borrowed: it must outlive the reader). Returns 0, TS_ENOENT, TS_EIO or
 * TS_ENOMEM. */
int ts_text_open(ts_text_t *t, const char *path, ts_err_t *err);
/* *line = the next line with content: 1; 0 at the end; or a negative error (TS_EFORMAT for
 * a line over TS_TEXT_LINE_MAX, TS_EIO), with err->where = "path:line". */
int ts_text_next(ts_text_t *t, char **line, ts_err_t *err);
/* Back to the first line. Returns 0 or TS_EIO. */
int ts_text_rewind(ts_text_t *t, ts_err_t *err);
void ts_text_close(ts_text_t *t); /* accepts a zeroed reader */

/* Splits line in place into at most max fields, field i starting at fields[i]; returns the
 * number found (it stops after max), or TS_EFORMAT for a broken quote, with err->where =
 * "path:line" of t. */
int ts_text_split(const ts_text_t *t, char *line, char sep, char **fields, int max,
                   ts_err_t *err);

/* Length (1 to 4) of the valid UTF-8 sequence that starts s (at most n bytes), its code
 * point in *cp (cp may be NULL); 0 when the bytes there are not valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF; n = 0 gives 0). */
size_t ts_utf8_len(const char *s, size_t n, uint32_t *cp);

/* Copies the n bytes of s into out as valid UTF-8: each byte that does not start a valid
 * sequence becomes U+FFFD (EF BF BD), so out must hold 3 x n bytes. Returns the bytes
 * written (no NUL added). */
size_t ts_utf8_fix(const char *s, size_t n, char *out);

/* Input text as a message shows it, into buf (size > 0 bytes, NUL-terminated): printable
 * ASCII and printable UTF-8 characters as they are; every other byte as \xHH (upper-case
 * hex): control characters, DEL, bytes that are not valid UTF-8, and invisible characters
 * (C1 controls, U+00AD, U+200B-U+200F, U+2028-U+202E, U+2060-U+206F, U+FEFF, e.g. a
 * byte-order mark shows as \xEF\xBB\xBF). A text that does not fit is cut after a whole
 * character and ends with "...". s NULL shows as "". Returns buf. */
const char *ts_text_shown(const char *s, char *buf, size_t size);
#define TS_TEXT_SHOWN 64 /* a buffer for a field echoed in a message: about 60 bytes shown */

/* A decimal unsigned 64-bit integer, digits only (no sign, no blanks). */
bool ts_text_u64(const char *s, uint64_t *out);

/* A 64-bit key for a text key: FNV-1a, then the MurmurHash3 finaliser. */
uint64_t ts_text_hash(const char *s);

#endif
