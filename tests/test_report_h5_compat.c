/* SPDX-License-Identifier: MIT */
/*
 * test_report_h5_compat.c - result.h5 files an older tiersim wrote. The current writer's
 * file of the hand trace's timed run (h5_test.h), with figures set by hand in every optional
 * column and attribute, is rewritten with the HDF5 C API into an older layout: a table
 * copied through a compound type without the column (as the writer before it laid the table
 * out), or an attribute deleted. Each such file loads: the member reads 0 or "", the
 * result's `lacks` holds its bit, and everything else reads as from the whole file. The
 * first layout (every optional member gone at once) loads, and its text report and page
 * say that overload and the kind of utilisation were not recorded rather than show zeros.
 * A missing required column or attribute is still refused, naming the file, the table (or
 * group) and the member.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_test.h"
#include "h5_test.h"
#include "reports/report.h"
#include "reports/report_html.h"
#include "scratch_test.h"
#include "sim/result.h"
#include "sim/util/mem.h"

#define RES "runs/0000/timed/resources"
#define TIMED "runs/0000/timed"
#define COST "runs/0000/cost"
#define MS 1000000ull

/* ---- the file and its older layouts ---------------------------------------------------- */

/* The hand trace's timed run with a figure set by hand in every optional member (none is
 * 0 or ""), written to dir/name; its path into path. Every resource is marked overloaded at
 * 1,500 bytes/s offered against 1,000, backlogged from 2 ms, its utilisation of the
 * bandwidth, a quarter of its channels busy; the run stopped at timed.max_in_flight at 27 ms
 * after 2 recomputed KV blocks (32 tokens, 4096 bytes); prices from profile neocloud-2025,
 * read 2025, the GPU's price from neocloud-2026-09. */
static void write_full(const char *dir, const char *name, char *path, size_t size)
{
    char yaml[4096];
    ts_result_t *res = hand_run(dir, "timed", yaml, sizeof(yaml));
    ts_timed_result_t *t = &res->timed;
    assert_true(res->has_timed && res->has_cost && t->n_res > 0);
    assert_int_not_equal(t->arrivals, TS_ARRIVALS_CLOSED); /* at trace times: open loop */
    for (size_t i = 0; i < t->n_res; i++) {
        ts_res_result_t *r = &t->res[i];
        r->is_bw_util = true;
        r->channel_utilisation = 0.25;
        r->is_overloaded = true;
        r->is_load_bytes = true;
        r->offered_per_s = 1500;
        r->capacity_per_s = 1000;
        r->backlog_since_ns = 2 * MS;
    }
    t->n_overloaded = (uint32_t)t->n_res;
    t->partial = true;
    t->arrivals_end_ns = 27 * MS;
    t->kv_recomputed = 2;
    t->prefill_tokens_recomputed = 32;
    t->kv_recomputed_bytes = 4096;
    ts_cost_result_t *c = &res->cost;
    ts_err_t err = {0};
    assert_int_equal(ts_result_strf(&t->stop_reason, TS_TIMED_STOP, &err, "%s",
                                    "500 jobs in flight (timed.max_in_flight)"), 0);
    assert_int_equal(ts_result_strf(&c->prices, 0, &err, "neocloud-2025"), 0);
    assert_int_equal(ts_result_strf(&c->prices_date, 0, &err, "2025"), 0);
    assert_int_equal(ts_result_strf(&c->gpu_fallback, 0, &err, "neocloud-2026-09"), 0);
    snprintf(path, size, "%s/%s", dir, name);
    assert_int_equal(ts_report_h5(res, path, &err), 0);
    drop(res);
}

/* Rewrites the table dset of path without its column col, as a writer before that column
 * laid it out: the rows read through a compound of the other columns (their file types, one
 * after the other) into a new dataset of that type in its place. */
static void drop_column(const char *path, const char *dset, const char *col)
{
    hid_t f = open_rw(path);
    hid_t d = H5Dopen2(f, dset, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t ft = H5Dget_type(d);
    int n = H5Tget_nmembers(ft);
    int gone = H5Tget_member_index(ft, col);
    if (gone < 0)
        fail_msg("%s has no column %s to drop", dset, col);
    size_t size = 0;
    for (int i = 0; i < n; i++) {
        hid_t m = H5Tget_member_type(ft, (unsigned)i);
        size += i == gone ? 0 : H5Tget_size(m);
        H5Tclose(m);
    }
    hid_t older = H5Tcreate(H5T_COMPOUND, size);
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        if (i == gone)
            continue;
        hid_t m = H5Tget_member_type(ft, (unsigned)i);
        char *name = H5Tget_member_name(ft, (unsigned)i);
        assert_true(H5Tinsert(older, name, off, m) >= 0);
        off += H5Tget_size(m);
        H5free_memory(name);
        H5Tclose(m);
    }
    hid_t space = H5Dget_space(d);
    hssize_t rows = H5Sget_simple_extent_npoints(space);
    void *buf = calloc(rows > 0 ? (size_t)rows : 1, size);
    assert_non_null(buf);
    assert_true(H5Dread(d, older, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Dclose(d);
    assert_true(H5Ldelete(f, dset, H5P_DEFAULT) >= 0);
    d = H5Dcreate2(f, dset, older, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Dwrite(d, older, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    free(buf);
    H5Dclose(d);
    H5Sclose(space);
    H5Tclose(older);
    H5Tclose(ft);
    H5Fclose(f);
}

static void drop_attr(const char *path, const char *obj, const char *name)
{
    hid_t f = open_rw(path);
    if (H5Adelete_by_name(f, obj, name, H5P_DEFAULT) < 0)
        fail_msg("%s has no attribute %s to drop", obj, name);
    H5Fclose(f);
}

/* Run 0 of path into a new result (free with drop). */
static ts_result_t *read_back(const char *path)
{
    ts_result_h5_t *f = NULL;
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    assert_non_null(res);
    ts_err_t err = {0};
    if (ts_result_h5_open(path, &f, &err) || ts_result_h5_read(f, 0, res, &err))
        fail_msg("%s: %s", path, err.msg);
    ts_result_h5_close(f);
    return res;
}

/* ---- what a member the file lacks reads as --------------------------------------------- */

/* Where a member lives in a result: in every row of timed.res, in timed, in cost. */
enum compat_in { IN_RES, IN_TIMED, IN_COST };
#define AT(in, T, m) in, offsetof(T, m), sizeof(((T *)0)->m)
#define STR_AT(in, T, m) in, offsetof(T, m), 0

/* Every optional member of the current layout: the table (a column) or group (an
 * attribute) it lives in, the bit a file without it sets besides TS_LACKS_SOME, and where
 * it lands in a result (its bytes, or size 0 for a string). */
static const struct compat_case {
    const char *obj, *member;
    bool is_column;
    uint32_t lacks;
    enum compat_in in;
    size_t off, size;
} k_optional[] = {
    {RES, "overloaded", true, TS_LACKS_OVERLOAD, AT(IN_RES, ts_res_result_t, is_overloaded)},
    {RES, "load_in_bytes", true, TS_LACKS_OVERLOAD, AT(IN_RES, ts_res_result_t, is_load_bytes)},
    {RES, "offered_per_s", true, TS_LACKS_OVERLOAD, AT(IN_RES, ts_res_result_t, offered_per_s)},
    {RES, "capacity_per_s", true, TS_LACKS_OVERLOAD,
     AT(IN_RES, ts_res_result_t, capacity_per_s)},
    {RES, "backlog_since_ns", true, TS_LACKS_OVERLOAD,
     AT(IN_RES, ts_res_result_t, backlog_since_ns)},
    {RES, "utilisation_of_bandwidth", true, TS_LACKS_UTIL_OF,
     AT(IN_RES, ts_res_result_t, is_bw_util)},
    {RES, "channel_utilisation", true, TS_LACKS_UTIL_OF,
     AT(IN_RES, ts_res_result_t, channel_utilisation)},
    {TIMED, "kv_recomputed_bytes", false, TS_LACKS_KV_BYTES,
     AT(IN_TIMED, ts_timed_result_t, kv_recomputed_bytes)},
    {TIMED, "arrivals_end_ns", false, TS_LACKS_OVERLOAD,
     AT(IN_TIMED, ts_timed_result_t, arrivals_end_ns)},
    {TIMED, "overloaded", false, TS_LACKS_OVERLOAD,
     AT(IN_TIMED, ts_timed_result_t, n_overloaded)},
    {TIMED, "partial", false, TS_LACKS_OVERLOAD, AT(IN_TIMED, ts_timed_result_t, partial)},
    {TIMED, "stop_reason", false, TS_LACKS_OVERLOAD,
     STR_AT(IN_TIMED, ts_timed_result_t, stop_reason)},
    {COST, "prices", false, TS_LACKS_PRICES, STR_AT(IN_COST, ts_cost_result_t, prices)},
    {COST, "prices_date", false, TS_LACKS_PRICES,
     STR_AT(IN_COST, ts_cost_result_t, prices_date)},
    {COST, "gpu_price_fallback", false, TS_LACKS_PRICES,
     STR_AT(IN_COST, ts_cost_result_t, gpu_fallback)},
};
#define N_OPTIONAL (sizeof(k_optional) / sizeof(k_optional[0]))

/* Sets what the whole file's result r holds of c's member to what a file without it reads
 * as, 0 or "", after checking that it held a figure there (write_full set none to 0). */
static void zero_member(ts_result_t *r, const struct compat_case *c)
{
    size_t n = c->in == IN_RES ? r->timed.n_res : 1;
    for (size_t i = 0; i < n; i++) {
        char *p = c->in == IN_RES     ? (char *)&r->timed.res[i]
                  : c->in == IN_TIMED ? (char *)&r->timed
                                      : (char *)&r->cost;
        p += c->off;
        bool is_held = false;
        if (c->size == 0) {
            char *v = *(char **)p;
            is_held = v && v[0];
            if (is_held)
                v[0] = 0;
        } else {
            for (size_t k = 0; k < c->size; k++)
                is_held = is_held || p[k] != 0;
            memset(p, 0, c->size);
        }
        if (!is_held)
            fail_msg("the whole file holds no figure in %s/%s", c->obj, c->member);
    }
}

static void drop_member(const char *path, const struct compat_case *c)
{
    if (c->is_column)
        drop_column(path, c->obj, c->member);
    else
        drop_attr(path, c->obj, c->member);
}

/* ---- tests ----------------------------------------------------------------------------- */

/* Each optional member dropped alone: the file loads, that member reads 0 or "", lacks has
 * its bit, and the rest is the whole file's (JSON, series, histograms, scenario). */
static void test_report_h5_compat_each_optional(void **state)
{
    const char *dir = *state;
    char whole[1200], path[1200];
    write_full(dir, "whole.h5", whole, sizeof(whole));
    ts_result_t *full = read_back(whole);
    assert_int_equal(full->lacks, 0);
    drop(full);
    for (size_t i = 0; i < N_OPTIONAL; i++) {
        const struct compat_case *c = &k_optional[i];
        snprintf(path, sizeof(path), "%s/without-%zu.h5", dir, i);
        write_full(dir, strrchr(path, '/') + 1, path, sizeof(path));
        drop_member(path, c);
        ts_result_t *want = read_back(whole), *back = read_back(path);
        if (back->lacks != (TS_LACKS_SOME | c->lacks))
            fail_msg("without %s/%s: lacks 0x%x, expected 0x%x", c->obj, c->member,
                     back->lacks, TS_LACKS_SOME | c->lacks);
        zero_member(want, c);
        char *jw = json_of(want), *jb = json_of(back);
        if (strcmp(jw, jb) != 0)
            fail_msg("without %s/%s: read back as\n%s\nexpected\n%s", c->obj, c->member, jb,
                     jw);
        free(jw);
        free(jb);
        assert_same_result(want, back);
        drop(want);
        drop(back);
    }
}

/* The first layout: every optional member gone. It loads with all their bits, and the text
 * report says what was not recorded instead of reporting no overload, no stop, a kind of
 * utilisation or 0 bytes recomputed; report.html says the same of overload. */
static void test_report_h5_compat_first_layout(void **state)
{
    const char *dir = *state;
    char whole[1200], path[1200];
    write_full(dir, "whole.h5", whole, sizeof(whole));
    write_full(dir, "first.h5", path, sizeof(path));
    for (size_t i = 0; i < N_OPTIONAL; i++)
        drop_member(path, &k_optional[i]);
    ts_result_t *full = read_back(whole), *back = read_back(path);
    assert_int_equal(back->lacks, TS_LACKS_SOME | TS_LACKS_OVERLOAD | TS_LACKS_UTIL_OF |
                                      TS_LACKS_KV_BYTES | TS_LACKS_PRICES);
    for (size_t i = 0; i < N_OPTIONAL; i++)
        zero_member(full, &k_optional[i]);
    assert_same_result(full, back);

    char *text = report_of(back, true);
    static const char *const said[] = {
        "  overload         not recorded in this file (written by an older tiersim)\n",
        "  util             bandwidth or channels: not recorded in this file (written by an "
        "older tiersim)\n",
        "(32 tokens, bytes not recorded)",
    };
    for (size_t i = 0; i < sizeof(said) / sizeof(said[0]); i++)
        if (!strstr(text, said[i]))
            fail_msg("no \"%s\" in the report:\n%s", said[i], text);
    static const char *const unsaid[] = {"  overloaded ", "stopped early", "% bw", "% ch",
                                         "prices     "};
    for (size_t i = 0; i < sizeof(unsaid) / sizeof(unsaid[0]); i++)
        if (strstr(text, unsaid[i]))
            fail_msg("\"%s\" in the report of a file that did not record it:\n%s", unsaid[i],
                     text);
    free(text);

    const char *files[] = {path};
    char page_path[1300];
    snprintf(page_path, sizeof(page_path), "%s/first.html", dir);
    ts_report_html_opts_t opts = {.gnuplot = "/nonexistent/gnuplot"}; /* no figures */
    ts_err_t err = {0};
    assert_int_equal(ts_report_html(files, 1, page_path, &opts, NULL, NULL, 0, &err), 0);
    char *page = file_test_slurp(page_path, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "<p>Overload: not recorded in this file (written by an older "
                                 "tiersim).</p>"));
    assert_null(strstr(page, "<p>Overloaded:"));
    assert_null(strstr(page, "<p>Partial:"));
    free(page);

    /* the whole file's report says the opposite */
    ts_result_t *again = read_back(whole);
    text = report_of(again, true);
    assert_null(strstr(text, "not recorded"));
    assert_non_null(strstr(text, "  overloaded "));
    assert_non_null(strstr(text, "% bw"));
    assert_non_null(strstr(text, "(32 tokens, 4.00KiB)"));
    assert_non_null(strstr(text, "prices     neocloud-2025, read 2025"));
    free(text);
    drop(again);
    drop(full);
    drop(back);
}

/* A required column or attribute dropped the same way is refused, naming the file, the
 * table or group, and the member. */
static void test_report_h5_compat_required(void **state)
{
    static const struct {
        const char *obj, *member;
        bool is_column;
        const char *msg;
    } cases[] = {
        {RES, "utilisation", true, "/runs/0000/timed/resources: no column 'utilisation'"},
        {"runs/0000/tiers", "hits", true, "/runs/0000/tiers: no column 'hits'"},
        {COST "/levels", "capacity_usd", true,
         "/runs/0000/cost/levels: no column 'capacity_usd'"},
        {TIMED, "span_ns", false, "/runs/0000/timed: no attribute 'span_ns'"},
        {COST, "total_usd", false, "/runs/0000/cost: no attribute 'total_usd'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[1200];
        snprintf(path, sizeof(path), "%s/required-%zu.h5", (const char *)*state, i);
        write_full(*state, strrchr(path, '/') + 1, path, sizeof(path));
        if (cases[i].is_column)
            drop_column(path, cases[i].obj, cases[i].member);
        else
            drop_attr(path, cases[i].obj, cases[i].member);
        expect_read_error(path, TS_EFORMAT, cases[i].msg);
    }
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
#define T(fn) cmocka_unit_test_setup_teardown(fn, scratch_setup, scratch_teardown)
    const struct CMUnitTest tests[] = {
        T(test_report_h5_compat_each_optional),
        T(test_report_h5_compat_first_layout),
        T(test_report_h5_compat_required),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
