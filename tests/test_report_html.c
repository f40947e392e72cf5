/* SPDX-License-Identifier: MIT */
/*
 * test_report_html.c - `tiersim report --html`: two timed runs written as HDF5 results,
 * turned into one page; its sections, tables and figures; the page rendered in headless
 * Chromium (Debian's chromium), which must lay out every figure, with a screenshot kept in
 * <build>/test-output/report.png; figures left out without gnuplot; errors name the file.
 * A live run (live_result_test.h's, by hand): its section with every figure measured beside
 * predicted and the error, its back-ends, and the measured vs predicted latency CDF.
 * The Chromium and drawing checks are skipped (and say so) when the programs are missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "file_test.h"
#include "live_result_test.h"
#include "reports/h5.h"
#include "reports/report_html.h"
#include "scratch_test.h"
#include "sim/util/mem.h"
#include "app/run.h"
#include "app/scenario.h"

/* Two tiers over S3 under the timed engine: 3000 Zipf requests of 64 KiB, a closed loop of
 * two clients (GPU utilisation and a stall line in the bill). */
static const char k_yaml[] = "name: html %s\n"
                             "seed: 3\n"
                             "mode: bytes\n"
                             "workload: {generator: {kind: zipf, alpha: 0.9, keys: 2000,\n"
                             "           requests: 3000, size: 64KiB}}\n"
                             "tiers:\n"
                             "  - {name: hbm, capacity: %s, device: h100-sxm}\n"
                             "  - {name: dram, capacity: 40MiB, device: ddr5-4800-8ch}\n"
                             "engine: timed\n"
                             "timed: {arrivals: closed, clients: 2, think: 1ms}\n"
                             "outputs: {dir: %s}\n";

/* Runs the scenario named name with an HBM tier of cap and the override ov (NULL: none),
 * writes dir/<sub>/result.h5 and its path into path; *total is the run's bill. */
static void run_to(const char *dir, const char *sub, const char *name, const char *cap,
                   const char *ov, char *path, size_t size, double *total)
{
    char out[1100], yaml[2048];
    snprintf(out, sizeof(out), "%s/%s", dir, sub);
    snprintf(yaml, sizeof(yaml), k_yaml, name, cap, out);
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    assert_non_null(res);
    if (ts_scenario_load_string(yaml, "html.yaml", dir, ov ? &ov : NULL, ov ? 1 : 0, &sc,
                                &err) ||
        ts_run(sc, res, &err))
        fail_msg("run %s: %s: %s", name, err.where, err.msg);
    assert_non_null(res->series); /* sampled: the scenario writes its results */
    assert_true(res->has_cost);
    *total = res->cost.total_usd;
    assert_int_equal(mkdir(out, 0755), 0);
    snprintf(path, size, "%s/result.h5", out);
    assert_int_equal(ts_report_h5(res, path, &err), 0);
    ts_result_release(res);
    ts_free(res);
    ts_scenario_destroy(sc);
}

static void write_run(const char *dir, const char *name, const char *cap, char *path,
                      size_t size, double *total)
{
    run_to(dir, name, name, cap, NULL, path, size, total);
}

/* True when a program is found through PATH. */
static int have(const char *prog)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

/* Runs cmd and returns its standard output (malloc'd). */
static char *capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap)
            s = realloc(s, cap *= 2);
    }
    s[n] = 0;
    pclose(p);
    return s;
}

/* Checks a latency CDF's data file: each level's points rise from 0 at its first latency to
 * 1 at its last, never falling, at latencies that never fall. Returns the levels seen. */
static size_t check_cdf_data(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("no CDF data %s", path);
    char line[256];
    size_t levels = 0, points = 0;
    double px = 0, py = 0;
    while (fgets(line, sizeof(line), f)) {
        double x, y;
        if (!strncmp(line, "# index", 7)) {
            if (levels)
                assert_true(py == 1.0); /* the level before ended at all of its requests */
            levels++;
            points = 0;
        } else if (sscanf(line, "%lf %lf", &x, &y) == 2) {
            if (points++ == 0)
                assert_true(y == 0.0);
            else
                assert_true(x >= px && y >= py);
            px = x;
            py = y;
        }
    }
    fclose(f);
    assert_true(levels > 0 && py == 1.0);
    return levels;
}

/* 2 runs x (latency CDF + hit ratio and occupancy over time) + the cost bars + the Pareto
 * plot of the two runs: 6 figures. */
enum { N_FIGURES = 6 };

static void test_report_html_two_runs_in_chromium(void **state)
{
    const char *dir = *state;
    char a[1200], b[1200], out[1100], figs[1100];
    double total[2];
    write_run(dir, "small", "2MiB", a, sizeof(a), &total[0]);
    write_run(dir, "large", "60MiB", b, sizeof(b), &total[1]);
    snprintf(out, sizeof(out), "%s/report.html", dir);
    snprintf(figs, sizeof(figs), "%s/figs", dir);
    const char *files[] = {a, b};
    ts_report_html_opts_t opts = {.plots_dir = figs};
    size_t missing = 99;
    char warn[512];
    ts_err_t err = {0};
    int rc = ts_report_html(files, 2, out, &opts, &missing, warn, sizeof(warn), &err);
    if (rc)
        fail_msg("report: %s: %s", err.where, err.msg);
    char *page = file_test_slurp(out, NULL);
    assert_non_null(page);
    /* the sections, each once */
    static const char *const ids[] = {"id=\"summary\"", "id=\"run-0\"", "id=\"run-1\"",
                                      "id=\"compare\""};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(file_test_count(page, ids[i]), 1);
    /* the runs by name, their tiers, latencies, bills and scenarios */
    assert_non_null(strstr(page, "<title>tiersim report: html small and 1 more run</title>"));
    assert_non_null(strstr(page, "Run 0: html small"));
    assert_non_null(strstr(page, "Run 1: html large"));
    assert_int_equal(file_test_count(page, "<caption>tiers</caption>"), 2);
    assert_int_equal(file_test_count(page, "<caption>latency (timed engine)</caption>"), 2);
    assert_int_equal(file_test_count(page, "<caption>the bill (dollars)</caption>"), 2);
    assert_int_equal(file_test_count(page, "Prices: profile neocloud-2026-09, read 2026-09."), 2);
    assert_int_equal(file_test_count(page, "<td>get served by hbm</td>"), 2);
    /* each bill ends with its run's total, to the cent (both are above a cent), all of it */
    for (size_t i = 0; i < 2; i++) {
        char row[128];
        assert_true(total[i] >= 0.01);
        snprintf(row, sizeof(row),
                 "<td>total</td><td class=\"n\">$%.2f</td><td class=\"n\">100.0%%</td>",
                 total[i]);
        if (!strstr(page, row))
            fail_msg("no bill row %s", row);
    }
    assert_int_equal(file_test_count(page, "timed: {arrivals: closed, clients: 2, think: 1ms}"), 2);
    /* figures: drawn and inlined, or each one said to be missing */
    bool drawn = missing == 0;
    if (drawn) {
        assert_int_equal(file_test_count(page, "<figure>"), N_FIGURES);
        assert_int_equal(file_test_count(page, "Figure left out"), 0);
    } else {
        print_message("gnuplot could not draw (%s): figures checked as left out\n", warn);
        assert_int_equal(missing, N_FIGURES);
        assert_int_equal(file_test_count(page, "Figure left out"), N_FIGURES);
    }
    free(page);
    /* the CDFs' data stay in figs, drawn or not: all, then hbm, dram and backing */
    char cdf[1200];
    snprintf(cdf, sizeof(cdf), "%s/latency-0000.dat", figs);
    assert_int_equal(check_cdf_data(cdf), 4);
    if (!have("chromium")) {
        print_message("chromium not found: the page was not rendered\n");
        return;
    }
    /* rendered: every figure laid out with a size (the page's own script counts them) */
    char cmd[3000];
    snprintf(cmd, sizeof(cmd),
             "chromium --headless --no-sandbox --disable-gpu --dump-dom 'file://%s' "
             "2>/dev/null",
             out);
    char *dom = capture(cmd);
    char want[64];
    snprintf(want, sizeof(want), "data-figures=\"%d\"", drawn ? N_FIGURES : 0);
    if (!strstr(dom, want))
        fail_msg("chromium's DOM lacks %s", want);
    assert_non_null(strstr(dom, "<section id=\"compare\">"));
    free(dom);
    /* and a screenshot for people to look at */
    char shots[1100], png[1200];
    snprintf(shots, sizeof(shots), "%s/test-output", TS_BINARY_DIR);
    mkdir(shots, 0755);
    snprintf(png, sizeof(png), "%s/report.png", shots);
    unlink(png);
    snprintf(cmd, sizeof(cmd),
             "chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
             "--window-size=1200,4000 --screenshot='%s' 'file://%s' >/dev/null 2>&1",
             png, out);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(png, "rb");
    assert_non_null(f);
    unsigned char sig[8];
    assert_int_equal(fread(sig, 1, 8, f), 8);
    fclose(f);
    assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
}

/* Runs of one name are told apart by their overrides where those differ, else by their
 * files; the figures name them by that alone. */
static void test_report_html_tells_runs_apart(void **state)
{
    const char *dir = *state;
    char a[1200], b[1200], c[1200], out[1100], figs[1100];
    double total;
    run_to(dir, "a", "same", "2MiB", "tiers.0.capacity=4MiB", a, sizeof(a), &total);
    run_to(dir, "b", "same", "2MiB", "tiers.0.capacity=8MiB", b, sizeof(b), &total);
    run_to(dir, "c", "same", "2MiB", "tiers.0.capacity=8MiB", c, sizeof(c), &total);
    snprintf(out, sizeof(out), "%s/same.html", dir);
    snprintf(figs, sizeof(figs), "%s/figs", dir);
    const char *files[] = {a, b, c};
    ts_report_html_opts_t opts = {.plots_dir = figs};
    size_t missing;
    char warn[512];
    ts_err_t err = {0};
    assert_int_equal(ts_report_html(files, 3, out, &opts, &missing, warn, sizeof(warn), &err), 0);
    char *page = file_test_slurp(out, NULL);
    assert_non_null(page);
    /* a by its override (no other run has it); b and c, alike in that, by their files */
    assert_non_null(strstr(page, "<td>html same (tiers.0.capacity=4MiB)</td>"));
    char want[1300];
    snprintf(want, sizeof(want), "<td>html same (%s)</td>", b);
    if (strlen(b) < 72 && !strstr(page, want)) /* longer paths are cut in the middle */
        fail_msg("no run named %s", want);
    free(page);
    /* the bars' names are what tells the runs apart */
    snprintf(want, sizeof(want), "%s/cost-0000.gp", figs);
    char *gp = file_test_slurp(want, NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set xtics ('tiers.0.capacity=4MiB' 0, '"));
    free(gp);
    /* a and b alone differ in the same key: the figures name them by its values, and the
     * captions say which key that is */
    assert_int_equal(ts_report_html(files, 2, out, &opts, &missing, warn, sizeof(warn), &err), 0);
    gp = file_test_slurp(want, NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set xtics ('4MiB' 0, '8MiB' 1)"));
    free(gp);
    page = file_test_slurp(out, NULL);
    assert_non_null(page);
    assert_int_equal(file_test_count(page, "; runs named by their tiers.0.capacity"), 2);
    assert_non_null(strstr(page, "<td>html same (tiers.0.capacity=8MiB)</td>"));
    free(page);
}

/* Two runs of one scenario text (other overrides) in one file, reported with figures for
 * the first run only: the second has its tables, a note, and a pointer to the first's
 * scenario with its own overrides. */
static void test_report_html_many_runs_stay_small(void **state)
{
    const char *dir = *state;
    char yaml[2048], path[1200], out[1100];
    snprintf(yaml, sizeof(yaml), k_yaml, "many", "2MiB", dir);
    const char *caps[] = {"tiers.0.capacity=4MiB", "tiers.0.capacity=8MiB"};
    ts_result_t res[2];
    const ts_result_t *runs[2] = {&res[0], &res[1]};
    for (size_t i = 0; i < 2; i++) {
        ts_scenario_t *sc = NULL;
        ts_err_t err = {0};
        if (ts_scenario_load_string(yaml, "many.yaml", dir, &caps[i], 1, &sc, &err) ||
            ts_run(sc, &res[i], &err))
            fail_msg("run %zu: %s: %s", i, err.where, err.msg);
        ts_scenario_destroy(sc);
    }
    snprintf(path, sizeof(path), "%s/many.h5", dir);
    ts_err_t err = {0};
    assert_int_equal(ts_report_h5_runs(runs, 2, path, &err), 0);
    for (size_t i = 0; i < 2; i++)
        ts_result_release(&res[i]);
    snprintf(out, sizeof(out), "%s/many.html", dir);
    const char *files[] = {path};
    ts_report_html_opts_t opts = {.run_figures = 1};
    size_t missing = 0;
    char warn[512];
    assert_int_equal(ts_report_html(files, 1, out, &opts, &missing, warn, sizeof(warn), &err), 0);
    char *page = file_test_slurp(out, NULL);
    assert_non_null(page);
    /* run 0: latency CDF and time series; the comparison: bars, the sweep along the one key
     * the runs differ in, and Pareto */
    assert_int_equal(file_test_count(page, "<figure>") + missing, 5);
    /* closed loops: the benefit is the GPU utilisation */
    assert_non_null(strstr(page, "<figcaption>GPU utilisation and cost by tiers.0.capacity"
                                 "</figcaption>"));
    assert_int_equal(file_test_count(page, "Runs from 1 on are shown by their tables only"), 1);
    assert_int_equal(file_test_count(page, "<caption>latency (timed engine)</caption>"), 2);
    assert_int_equal(file_test_count(page, "timed: {arrivals: closed, clients: 2, think: 1ms}"), 1);
    assert_non_null(strstr(page, "<p>Scenario: as run 0&#39;s, with:</p>\n"
                                 "<p>-s tiers.0.capacity=8MiB</p>"));
    free(page);
}

/* 450 runs (one run written 450 times) at TS_REPORT_HTML_MAX_RUNS = 200 a page: pages of
 * runs 0-199 (paged.html), 200-399 (paged-2.html) and 400-449 (paged-3.html), no fourth;
 * the first links to the two others, each other one back to the first and to the next.
 * With is_one_page (a page to stdout) only the first 200, and a note of the 250 left. */
static void test_report_html_pages_past_the_limit(void **state)
{
    const char *dir = *state;
    char a[1200], path[1200], out[1100], name[1200];
    double total;
    write_run(dir, "paged", "2MiB", a, sizeof(a), &total);
    ts_result_h5_t *f = NULL;
    ts_result_t res = {0};
    ts_err_t err = {0};
    assert_int_equal(ts_result_h5_open(a, &f, &err), 0);
    assert_int_equal(ts_result_h5_read(f, 0, &res, &err), 0);
    ts_result_h5_close(f);
    enum { N = 450 };
    const ts_result_t *runs[N];
    for (size_t i = 0; i < N; i++)
        runs[i] = &res;
    snprintf(path, sizeof(path), "%s/paged-runs.h5", dir);
    assert_int_equal(ts_report_h5_runs(runs, N, path, &err), 0);
    ts_result_release(&res);
    snprintf(out, sizeof(out), "%s/paged.html", dir);
    const char *files[] = {path};
    ts_report_html_opts_t opts = {.gnuplot = "/nonexistent/gnuplot", .run_figures = 1};
    size_t missing = 0;
    char warn[512];
    assert_int_equal(ts_report_html(files, 1, out, &opts, &missing, warn, sizeof(warn), &err), 0);
    static const struct {
        const char *file, *has[3];
        size_t n_runs;
    } pages[] = {
        {"paged.html", {"<a href=\"paged-2.html\">Page 2: runs 200 to 399</a>",
                        "<a href=\"paged-3.html\">Page 3: runs 400 to 449</a>",
                        "pages 2 to 3 show the other 250, 200 a page"}, 200},
        {"paged-2.html", {"<h1>tiersim report, page 2 of 3: runs 200 to 399 of 450</h1>",
                          "<a href=\"paged.html\">Page 1 of 3", "<a href=\"paged-3.html\">"
                          "Next: page 3 of 3</a>"}, 200},
        {"paged-3.html", {"<h1>tiersim report, page 3 of 3: runs 400 to 449 of 450</h1>",
                          "<section id=\"run-400\">", "<section id=\"run-449\">"}, 50},
    };
    for (size_t p = 0; p < 3; p++) {
        snprintf(name, sizeof(name), "%s/%s", dir, pages[p].file);
        char *page = file_test_slurp(name, NULL);
        if (!page)
            fail_msg("%s: not written", pages[p].file);
        for (size_t k = 0; k < 3; k++)
            if (!strstr(page, pages[p].has[k]))
                fail_msg("%s: no '%s'", pages[p].file, pages[p].has[k]);
        assert_int_equal(file_test_count(page, "<section id=\"run-"), pages[p].n_runs);
        free(page);
    }
    snprintf(name, sizeof(name), "%s/paged-4.html", dir);
    assert_int_equal(access(name, F_OK), -1);
    opts.is_one_page = true;
    snprintf(out, sizeof(out), "%s/one-page.html", dir);
    assert_int_equal(ts_report_html(files, 1, out, &opts, &missing, warn, sizeof(warn), &err), 0);
    char *page = file_test_slurp(out, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "the files hold 250 more, left out"));
    assert_null(strstr(page, "<a href="));
    assert_int_equal(file_test_count(page, "<section id=\"run-"), 200);
    free(page);
    snprintf(name, sizeof(name), "%s/one-page-2.html", dir);
    assert_int_equal(access(name, F_OK), -1);
}

/* A gnuplot that cannot run: the page still comes, saying which figures it left out. */
static void test_report_html_without_gnuplot(void **state)
{
    const char *dir = *state;
    char a[1200], out[1100];
    double total;
    write_run(dir, "one", "2MiB", a, sizeof(a), &total);
    snprintf(out, sizeof(out), "%s/one.html", dir);
    const char *files[] = {a};
    ts_report_html_opts_t opts = {.gnuplot = "/nonexistent/gnuplot"};
    size_t missing = 0;
    char warn[512];
    ts_err_t err = {0};
    assert_int_equal(ts_report_html(files, 1, out, &opts, &missing, warn, sizeof(warn), &err), 0);
    /* one run: its latency CDF, its time series and the cost bars; no Pareto plot */
    assert_int_equal(missing, 3);
    assert_non_null(strstr(warn, "gnuplot"));
    char *page = file_test_slurp(out, NULL);
    assert_non_null(page);
    assert_int_equal(file_test_count(page, "Figure left out"), 3);
    assert_int_equal(file_test_count(page, "<figure>"), 0);
    free(page);
    size_t n_tmp;
    scratch_count(dir, &n_tmp);
    assert_int_equal(n_tmp, 0); /* the page was renamed into place; the figures' directory
                                 * was temporary and is gone */
}

/* opts.names: the page calls the file by the name given (a scratch copy's original name),
 * while errors still name the path read. */
static void test_report_html_names_the_files_as_told(void **state)
{
    const char *dir = *state;
    char a[1200], out[1100];
    double total;
    write_run(dir, "one", "2MiB", a, sizeof(a), &total);
    snprintf(out, sizeof(out), "%s/one.html", dir);
    const char *files[] = {a}, *names[] = {"shown.h5"};
    ts_report_html_opts_t opts = {.gnuplot = "/nonexistent/gnuplot", .names = names};
    ts_err_t err = {0};
    assert_int_equal(ts_report_html(files, 1, out, &opts, NULL, NULL, 0, &err), 0);
    char *page = file_test_slurp(out, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "From shown.h5, run 0."));
    assert_null(strstr(page, a));
    free(page);
    const char *missing[] = {"no/such/result.h5"};
    assert_int_equal(ts_report_html(missing, 1, out, &opts, NULL, NULL, 0, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "no/such/result.h5"));
}

static void test_report_html_errors_name_the_file(void **state)
{
    const char *dir = *state;
    char out[1100], bogus[1100];
    snprintf(out, sizeof(out), "%s/x.html", dir);
    snprintf(bogus, sizeof(bogus), "%s/not-results.h5", dir);
    FILE *f = fopen(bogus, "w");
    fputs("not an HDF5 file\n", f);
    fclose(f);
    const char *missing[] = {"no/such/result.h5"};
    ts_err_t err = {0};
    assert_int_equal(ts_report_html(missing, 1, out, NULL, NULL, NULL, 0, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "no/such/result.h5"));
    const char *bad[] = {bogus};
    ts_err_clear(&err);
    assert_true(ts_report_html(bad, 1, out, NULL, NULL, NULL, 0, &err) != 0);
    assert_non_null(strstr(err.msg, "not-results.h5"));
    assert_int_equal(access(out, F_OK), -1); /* no page */
}

/* An overloaded resource and a run cut at timed.max_in_flight, set by hand on a timed run's
 * result, go through result.h5 into the page: a paragraph each. */
static void test_report_html_overload_and_partial(void **state)
{
    const char *dir = *state;
    char yaml[2048], h5[1200], out[1100];
    snprintf(yaml, sizeof(yaml), k_yaml, "overload", "2MiB", dir);
    snprintf(h5, sizeof(h5), "%s/overload.h5", dir);
    snprintf(out, sizeof(out), "%s/overload.html", dir);
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    assert_non_null(res);
    if (ts_scenario_load_string(yaml, "html.yaml", dir, NULL, 0, &sc, &err) ||
        ts_run(sc, res, &err))
        fail_msg("run: %s: %s", err.where, err.msg);
    ts_res_result_t *rr = &res->timed.res[res->timed.n_res - 1];
    rr->is_overloaded = 1;
    rr->offered_per_s = 1500;
    rr->capacity_per_s = 1000;
    rr->backlog_since_ns = 2000000;
    res->timed.n_overloaded = 1;
    res->timed.partial = true;
    assert_int_equal(ts_result_strf(&res->timed.stop_reason, TS_TIMED_STOP, &err, "%s",
                                    "500 jobs in flight (timed.max_in_flight)"), 0);
    char want[512];
    snprintf(want, sizeof(want), "<p>Overloaded: %s, offered 1.50k requests/s against a "
             "capacity of 1.00k requests/s (150.00%%); backlog growing since 2ms of simulated "
             "time.", rr->name);
    assert_int_equal(ts_report_h5(res, h5, &err), 0);
    ts_result_release(res);
    ts_free(res);
    ts_scenario_destroy(sc);
    const char *files[] = {h5};
    ts_report_html_opts_t opts = {.gnuplot = "/nonexistent/gnuplot"};
    assert_int_equal(ts_report_html(files, 1, out, &opts, NULL, NULL, 0, &err), 0);
    char *page = file_test_slurp(out, NULL);
    assert_non_null(page);
    if (!strstr(page, want))
        fail_msg("no \"%s\" in the page", want);
    assert_non_null(strstr(page, "<p>Partial: the timed run stopped early (500 jobs in flight "
                                 "(timed.max_in_flight)).</p>"));
    free(page);
}

/* A live run: how it ran, the comparison (errors worked out in live_result_test.h), the
 * back-ends, and the measured vs predicted latency CDF beside the prediction's own. */
static void test_report_html_live_run(void **state)
{
    const char *dir = *state;
    char h5[1200], out[1100], figs[1100], cdf[1200];
    ts_result_t r;
    make_live_result(&r);
    snprintf(h5, sizeof(h5), "%s/live.h5", dir);
    snprintf(out, sizeof(out), "%s/live.html", dir);
    snprintf(figs, sizeof(figs), "%s/figs", dir);
    ts_err_t err = {0};
    assert_int_equal(ts_report_h5(&r, h5, &err), 0);
    ts_result_release(&r);
    const char *files[] = {h5};
    ts_report_html_opts_t opts = {.plots_dir = figs};
    size_t missing = 99;
    char warn[512];
    if (ts_report_html(files, 1, out, &opts, &missing, warn, sizeof(warn), &err))
        fail_msg("report: %s", err.msg);
    char *page = file_test_slurp(out, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "live engine"));
    assert_non_null(strstr(page, "Partial: the live run stopped early (stopped by SIGINT)"));
    assert_int_equal(
        file_test_count(page, "<caption>measured beside predicted (the timed engine)</caption>"),
        1);
    assert_int_equal(file_test_count(page, "<caption>back-ends (live run)</caption>"), 1);
    assert_int_equal(
        file_test_count(page, "<caption>latency predicted by the timed engine</caption>"), 1);
    assert_int_equal(file_test_count(page, "<td>throughput (requests/s)</td>"), 1);
    assert_int_equal(file_test_count(page, "<td>get p50, served by backing</td>"), 1);
    /* the 17 errors: +25% twice, -25%, -20%, +50% eight times, +10% twice, +20%, -50%,
     * +100% */
    static const struct {
        const char *cell;
        size_t n;
    } errs[] = {{">+25.0%<", 2}, {">-25.0%<", 1}, {">-20.0%<", 1}, {">+50.0%<", 8},
                {">+10.0%<", 2}, {">+20.0%<", 1}, {">-50.0%<", 1}, {">+100.0%<", 1}};
    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
        if (file_test_count(page, errs[i].cell) != errs[i].n)
            fail_msg("%s: %zu cells, expected %zu", errs[i].cell,
                     file_test_count(page, errs[i].cell), errs[i].n);
    /* back-ends: hbm 6 reads (p50 497ns), 4 writes, 50 IOPS and 50000 bytes/s (48.83KiB/s)
     * over 200 ms, 2 in flight at most; file direct, directory emulated */
    assert_non_null(strstr(page, "<td>hbm</td><td>memory</td><td class=\"n\">6</td>"
                                 "<td class=\"n\">497ns</td>"));
    assert_non_null(strstr(page, "<td class=\"n\">50</td><td class=\"n\">48.83KiB/s</td>"
                                 "<td class=\"n\">2</td>"));
    assert_non_null(strstr(page, "<td>file, direct</td>"));
    assert_non_null(strstr(page, "<td>directory, emulated</td>"));
    /* the figure: the live run's CDF and the prediction's own (no series, no bill) */
    assert_int_equal(file_test_count(page, "measured vs predicted latency CDF"), 1);
    if (missing == 0)
        assert_int_equal(file_test_count(page, "<figure>"), 2);
    else
        print_message("gnuplot could not draw (%s): figures checked as left out\n", warn);
    free(page);
    /* its data: measured, then predicted, each rising from 0 to 1 */
    snprintf(cdf, sizeof(cdf), "%s/live-0000.dat", figs);
    assert_int_equal(check_cdf_data(cdf), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_html_two_runs_in_chromium, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_html_tells_runs_apart, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_html_many_runs_stay_small, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_html_pages_past_the_limit, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_html_without_gnuplot, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_html_names_the_files_as_told, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_html_errors_name_the_file, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_html_overload_and_partial, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_report_html_live_run, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
