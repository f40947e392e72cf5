/* SPDX-License-Identifier: MIT */
/*
 * report_html_read.c - the HTML report's runs (report_html_internal.h): read whole from the
 * results files, labelled, and told apart by the overrides they do not share (or their
 * files), so tables and figures can name each one. Cost: the runs' results in memory, and
 * O(runs^2 x overrides) to tell them apart. Also what each page of the report needs besides
 * its runs: the directory its figures are drawn in, its file's name and its links.
 */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "../sim/util/fmt.h"
#include "../sim/util/io.h"
#include "../sim/util/mem.h"
#include "h5.h"
#include "report_html_internal.h"

/* Whether run j holds override o ("key=value"). */
static bool rh_has_override(const ts__html_run_t *j, const char *o)
{
    for (size_t k = 0; k < j->res->n_overrides; k++)
        if (!strcmp(j->res->overrides[k], o))
            return true;
    return false;
}

/* Appends s to buf (of size) at *off, after ", " unless it is the first. */
static void rh_append(char *buf, size_t size, size_t *off, const char *s)
{
    if (*off >= size)
        return;
    int n = snprintf(buf + *off, size - *off, "%s%s", *off ? ", " : "", s);
    *off += n > 0 ? (size_t)n : 0;
}

/* Run i's overrides that not every other run of its name holds too (those tell it apart):
 * "key=value, ..." into full, "value, ..." into values and "key, ..." into keys, the first
 * one's value into first and the others' values into rest. */
static void rh_distinct(const ts__html_report_t *r, size_t i, char *full, char *values, char *keys,
                              char *first, char *rest, size_t size)
{
    const ts__html_run_t *x = &r->runs[i];
    size_t of = 0, ov = 0, ok = 0, orest = 0;
    full[0] = values[0] = keys[0] = first[0] = rest[0] = 0;
    for (size_t k = 0; k < x->res->n_overrides; k++) {
        const char *o = x->res->overrides[k];
        bool common = true;
        for (size_t j = 0; j < r->n_runs && common; j++)
            if (j != i && !strcmp(ts_str(x->res->name), ts_str(r->runs[j].res->name)))
                common = rh_has_override(&r->runs[j], o);
        if (common)
            continue;
        const char *eq = strchr(o, '=');
        char key[128];
        snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - o) : (int)strlen(o), o);
        if (!ov)
            snprintf(first, size, "%s", eq ? eq + 1 : o);
        else
            rh_append(rest, size, &orest, eq ? eq + 1 : o);
        rh_append(full, size, &of, o);
        rh_append(values, size, &ov, eq ? eq + 1 : o);
        rh_append(keys, size, &ok, key);
    }
}

/* What tells one run apart, from rh_distinct: computed once per run. */
typedef struct rh_apart {
    char full[512], values[512], keys[512], first[512], rest[512];
} rh_apart_t;

/* Runs of the same name (one scenario run with other -s values, or from other files) are
 * told apart by the overrides they do not all share, else by their files. A run's tag
 * (its name in figures) is then just what tells it apart; else its name. When every run
 * is told apart by overrides of the same keys, the tags are their values only and
 * r->tag_keys names the keys. */
static int rh_tell_apart(ts__html_report_t *r)
{
    rh_apart_t *d = ts_malloc((r->n_runs + 1) * sizeof(*d));
    if (!d)
        return ts_err_set(r->err, TS_ENOMEM, "report: cannot name %zu runs", r->n_runs);
    for (size_t i = 0; i < r->n_runs; i++)
        rh_distinct(r, i, d[i].full, d[i].values, d[i].keys, d[i].first, d[i].rest,
                          sizeof(d[i].full));
    const char *first_keys = r->n_runs ? d[0].keys : "";
    bool values_only = r->n_runs > 1;
    for (size_t i = 0; i < r->n_runs; i++) {
        ts__html_run_t *x = &r->runs[i];
        const char *mine = d[i].full;
        bool same_name = false, same_overrides = false, same_file = false;
        for (size_t j = 0; j < r->n_runs; j++) {
            if (i == j || strcmp(ts_str(x->res->name), ts_str(r->runs[j].res->name)) != 0)
                continue;
            same_name = true;
            same_overrides |= !strcmp(mine, d[j].full);
            same_file |= !strcmp(x->file, r->runs[j].file);
        }
        bool by_overrides = same_name && !same_overrides && mine[0];
        values_only &= by_overrides && !strcmp(d[i].keys, first_keys);
        /* a run of its own name, or one of a file's runs (its label has its number) */
        if (!same_name || (same_file && !by_overrides)) {
            ts_fmt_shorten(x->label, x->tag, sizeof(x->tag));
            continue;
        }
        char part[72];
        ts_fmt_shorten(by_overrides ? mine : x->file, part, sizeof(part));
        ts_fmt_shorten(part, x->tag, sizeof(x->tag));
        char label[sizeof(x->label)];
        /* the overrides say which run it is: its number in the file is in the file column */
        snprintf(label, sizeof(label), "%.80s (%s)",
                 by_overrides && ts_str(x->res->name)[0] ? x->res->name : x->label, part);
        memcpy(x->label, label, sizeof(label));
    }
    if (values_only) {
        /* every run is told apart by the same keys: the figures name runs by their values */
        ts_fmt_shorten(first_keys, r->tag_keys, sizeof(r->tag_keys));
        for (size_t i = 0; i < r->n_runs; i++) {
            ts_fmt_shorten(d[i].values, r->runs[i].tag, sizeof(r->runs[i].tag));
            ts_fmt_shorten(d[i].first, r->runs[i].x_value, sizeof(r->runs[i].x_value));
            ts_fmt_shorten(d[i].rest, r->runs[i].line, sizeof(r->runs[i].line));
        }
        const char *comma = strchr(first_keys, ',');
        snprintf(r->x_key, sizeof(r->x_key), "%.*s",
                 comma ? (int)(comma - first_keys) : (int)strlen(first_keys), first_keys);
        ts_fmt_shorten(comma ? comma + 2 : "", r->line_keys, sizeof(r->line_keys));
    }
    ts_free(d);
    return 0;
}

int ts__report_html_read(ts__html_report_t *r, const char *const *files, size_t n)
{
    size_t seen_runs = 0, *seen = &seen_runs; /* runs of the files before this one */
    for (size_t i = 0; i < n; i++) {
        ts_result_h5_t *f;
        int rc = ts_result_h5_open(files[i], &f, r->err);
        if (rc)
            return rc;
        size_t k = ts_result_h5_runs(f), skip = r->first > *seen ? r->first - *seen : 0;
        skip = skip < k ? skip : k; /* runs of earlier pages */
        *seen += k;
        k -= skip;
        size_t room = TS_REPORT_HTML_MAX_RUNS - r->n_runs; /* the others: counted only */
        r->n_left_out += k > room ? k - room : 0;
        k = k > room ? room : k;
        ts__html_run_t *v = ts_realloc(r->runs, (r->n_runs + k) * sizeof(*v));
        if (!v && k) {
            ts_result_h5_close(f);
            return ts_err_set(r->err, TS_ENOMEM, "cannot hold the runs of '%s'", files[i]);
        }
        r->runs = v;
        for (size_t j = 0; j < k && rc == 0; j++) {
            ts__html_run_t *run = &r->runs[r->n_runs];
            memset(run, 0, sizeof(*run));
            if (!(run->res = ts_calloc(1, sizeof(*run->res)))) {
                rc = ts_err_set(r->err, TS_ENOMEM, "cannot hold run %zu of '%s'", skip + j,
                                files[i]);
                break;
            }
            r->n_runs++;
            rc = ts_result_h5_read(f, skip + j, run->res, r->err);
            const char *shown = r->opts && r->opts->names ? r->opts->names[i] : files[i];
            snprintf(run->file, sizeof(run->file), "%s", shown);
            run->index = skip + j;
            const char *name =
                ts_str(run->res->name)[0] ? run->res->name : ts__report_html_base(shown);
            if (ts_result_h5_runs(f) > 1)
                snprintf(run->label, sizeof(run->label), "%s #%zu", name, skip + j);
            else
                snprintf(run->label, sizeof(run->label), "%s", name);
        }
        ts_result_h5_close(f);
        if (rc)
            return rc;
    }
    if (!r->n_runs)
        return ts_err_set(r->err, TS_EINVAL, "report: the results files hold no run");
    return rh_tell_apart(r);
}

void ts__report_html_page_name(const char *out, size_t page, char *name, size_t size)
{
    size_t len = strlen(out);
    if (page <= 1) {
        snprintf(name, size, "%s", out);
        return;
    }
    const char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
    if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : out))
        dot = out + len; /* no extension: the number goes at the end */
    snprintf(name, size, "%.*s-%zu%s", (int)(dot - out), out, page, dot);
}

int ts__report_html_links(ts__html_report_t *r)
{
    char name[PATH_MAX], text[160];
    size_t total = r->first + r->n_runs + r->n_left_out, max = TS_REPORT_HTML_MAX_RUNS;
    int rc = 0;
    if (r->page_no == 1) {
        rc = ts_html_section(r->page, "pages", "Pages", r->err);
        for (size_t p = 2; p <= r->n_pages && rc == 0; p++) {
            size_t a = (p - 1) * max, b = a + max < total ? a + max : total;
            ts__report_html_page_name(r->first_out, p, name, sizeof(name));
            snprintf(text, sizeof(text), "Page %zu: runs %zu to %zu", p, a, b - 1);
            rc = ts_html_link(r->page, ts__report_html_base(name), text, r->err);
        }
        return rc;
    }
    ts__report_html_page_name(r->first_out, 1, name, sizeof(name));
    snprintf(text, sizeof(text), "Page 1 of %zu: every page, runs 0 to %zu, and the runs "
             "compared", r->n_pages, (total < max ? total : max) - 1);
    rc = ts_html_link(r->page, ts__report_html_base(name), text, r->err);
    if (rc == 0 && r->page_no < r->n_pages) {
        ts__report_html_page_name(r->first_out, r->page_no + 1, name, sizeof(name));
        snprintf(text, sizeof(text), "Next: page %zu of %zu", r->page_no + 1, r->n_pages);
        rc = ts_html_link(r->page, ts__report_html_base(name), text, r->err);
    }
    return rc;
}

static int rh_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int ts__report_html_workdir(ts__html_report_t *r)
{
    if (r->opts && r->opts->plots_dir) {
        snprintf(r->dir, sizeof(r->dir), "%s", r->opts->plots_dir);
        return ts_mkdir_p(r->dir, r->err);
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(r->dir, sizeof(r->dir), "%s/tiersim-report.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    sigset_t held;
    ts_io_hold_signals(&held); /* made and in the live table as one */
    bool is_made = mkdtemp(r->dir) != NULL;
    int e = errno;
    r->live = is_made ? ts_io_live_add(r->dir, r->out, true) : 0;
    ts_io_release_signals(&held);
    if (!is_made)
        return ts_err_sys(r->err, TS_EIO, e, "cannot create a directory for the figures "
                                             "in '%s'", tmp && *tmp ? tmp : "/tmp");
    r->is_tmp_dir = true;
    return 0;
}

void ts__report_html_release(ts__html_report_t *r)
{
    if (r->is_tmp_dir)
        nftw(r->dir, rh_rm, 8, FTW_DEPTH | FTW_PHYS);
    ts_io_live_drop(r->live);
    ts_html_destroy(r->page);
    for (size_t k = 0; k < r->n_runs; k++) {
        ts_result_release(r->runs[k].res);
        ts_free(r->runs[k].res);
    }
    ts_free(r->runs);
}
