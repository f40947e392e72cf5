/* SPDX-License-Identifier: MIT */
/*
 * report_html_internal.h - what the HTML report's two files share: the runs read from the
 * results files and the page being built (report_html.c draws and writes it,
 * report_html_read.c reads the runs and names them).
 */
#ifndef TS_REPORTS_REPORT_HTML_INTERNAL_H
#define TS_REPORTS_REPORT_HTML_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "../sim/result.h"
#include "html.h"
#include "report_html.h"

typedef struct ts__html_run {
    ts_result_t *res;
    char label[160]; /* the run's name in tables and legends */
    char tag[64];    /* in figures: what tells it apart, shortened */
    char x_value[64]; /* with tag_keys: its value of the first key */
    char line[64];    /* with tag_keys: its values of the others ("" when one key) */
    char file[PATH_MAX];
    size_t index; /* in its file */
} ts__html_run_t;

typedef struct ts__html_report {
    ts__html_run_t *runs;
    size_t n_runs;
    size_t n_left_out; /* runs of the files past TS_REPORT_HTML_MAX_RUNS: not read */
    size_t first;      /* the page's first run, over the files' runs (runs before: not
                        * read); its runs are numbered from it */
    size_t page_no, n_pages; /* this page's number (from 1) of the report's */
    const char *first_out;   /* page 1's file, which the others' names come from */
    const ts_report_html_opts_t *opts;
    char dir[PATH_MAX]; /* where figures are drawn */
    bool is_tmp_dir;     /* dir is ours to remove */
    int live;            /* its entry in the live table (sim/util/io.h): gone on a signal */
    const char *out;     /* the page: what an interrupted run says it did not write */
    char tag_keys[128];  /* the keys whose values the figures name runs by; empty: none */
    char x_key[64];      /* with tag_keys: the first, along which the sweep figure runs */
    char line_keys[128]; /* with tag_keys: the others, one line per their values */
    ts_html_t *page;
    size_t n_missing; /* figures gnuplot could not draw */
    char *warn;
    size_t warn_size;
    ts_err_t *err;
} ts__html_report_t;

/* The last part of a path. */
static inline const char *ts__report_html_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Runs from r->first on (TS_REPORT_HTML_MAX_RUNS at most) of files[0..n): read into r->runs (each one's result owned by r, freed by its
 * caller even on failure), labels them and works out what tells them apart (their tags,
 * r->tag_keys, r->x_key, r->line_keys). Returns 0, or the reader's error (TS_ENOENT,
 * TS_EFORMAT, ...), TS_ENOMEM, TS_EINVAL when the files hold no run. */
int ts__report_html_read(ts__html_report_t *r, const char *const *files, size_t n);

/* Makes the directory r's figures are drawn in (opts->plots_dir, or a temporary one in
 * the live table). Returns 0 or TS_EIO. */
int ts__report_html_workdir(ts__html_report_t *r);

/* Frees what r holds (its runs, its page) and removes its temporary directory. */
void ts__report_html_release(ts__html_report_t *r);

/* Page `page`'s file name (from 1) for a report written to out (size bytes at name): out
 * itself for page 1, else out with "-PAGE" before its ".html" ("r.html": "r-2.html"). */
void ts__report_html_page_name(const char *out, size_t page, char *name, size_t size);

/* The links between pages: on page 1 a section listing every other page and its runs, on
 * the others a link back to page 1 and to the next. Returns 0 or TS_ENOMEM. */
int ts__report_html_links(ts__html_report_t *r);

#endif
