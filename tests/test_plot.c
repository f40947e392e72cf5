/* SPDX-License-Identifier: MIT */
/*
 * test_plot.c - gnuplot plots: the Pareto front of a hand-made point set; each plot's
 * script (title escaped, axis labels with units, one plot clause per series) and data file
 * without running gnuplot; PNG and SVG images when gnuplot is installed; without gnuplot
 * in PATH (or when it fails) a clear message, the data and script on disk and no image or
 * temporary file left; bad names and empty inputs refused with a message.
 */
#include <dirent.h>
#include <math.h>
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
#include "reports/plot.h"
#include "sim/util/mem.h"

/* Each test runs in a scratch directory of its own (the current directory), so file names
 * and the messages that carry them are short. */
struct fixture {
    char dir[1024];
    char cwd[1024];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/plot-XXXXXX", TS_BINARY_DIR);
    if (!getcwd(f->cwd, sizeof(f->cwd)) || !mkdtemp(f->dir) || chdir(f->dir) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[1100];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    int rc = chdir(f->cwd) == 0 && system(cmd) == 0 ? 0 : -1;
    free(f);
    return rc;
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* The names in dir, sorted, joined by spaces. */
static void listing(const char *dir, char *out, size_t size)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, ".."))
            snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? " " : "",
                     ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
}

/* gnuplot is installed when some PATH entry has it. */
static bool has_gnuplot(void)
{
    const char *path = getenv("PATH");
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path ? path : "");
    for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char exe[4200];
        snprintf(exe, sizeof(exe), "%s/gnuplot", d);
        if (access(exe, X_OK) == 0)
            return true;
    }
    return false;
}

/* Two MRC curves: capacities 10 .. 1000 objects (a 100x range, so a log axis). */
static const double k_cap[] = {10, 100, 1000};
static const double k_lru[] = {0.9, 0.6, 0.2};
static const double k_arc[] = {0.85, 0.5, 0.15};

static void mrc_series(ts_plot_series_t s[3])
{
    s[0] = (ts_plot_series_t){"lru", k_cap, k_lru, 3};
    s[1] = (ts_plot_series_t){"arc", k_cap, k_arc, 3};
    s[2] = (ts_plot_series_t){"empty", NULL, NULL, 0}; /* left out */
}

/* ---- Pareto front ---- */

/* Hand-made set, least cost and most benefit wins:
 *   8 (0.5, 0.10)  cheapest of all: on the front
 *   0 (1.0, 0.50)  more benefit than 8: on the front
 *   1 (2.0, 0.40)  dominated by 0 (cheaper and better)
 *   2 (2.0, 0.70)  on the front
 *   5 (2.0, 0.70)  identical to 2: only the first (2) is kept
 *   3 (3.0, 0.70)  dominated by 2 (same benefit, cheaper)
 *   4 (4.0, 0.90)  on the front
 *   7 (5.0, 0.85)  dominated by 4
 *   6 (NaN, 0.99)  left out
 * So the front by cost is 8, 0, 2, 4. */
static void test_plot_pareto_front_of_a_hand_made_set(void **state)
{
    (void)state;
    const double cost[] = {1.0, 2.0, 2.0, 3.0, 4.0, 2.0, NAN, 5.0, 0.5};
    const double benefit[] = {0.50, 0.40, 0.70, 0.70, 0.90, 0.70, 0.99, 0.85, 0.10};
    size_t front[9];
    size_t n = ts_pareto_front(cost, benefit, 9, front);
    assert_int_equal(n, 4);
    assert_int_equal(front[0], 8);
    assert_int_equal(front[1], 0);
    assert_int_equal(front[2], 2);
    assert_int_equal(front[3], 4);
}

/* One point is its own front; none gives none; a point that is best at both wins alone. */
static void test_plot_pareto_front_small_sets(void **state)
{
    (void)state;
    size_t front[3];
    const double c1[] = {7}, b1[] = {0.3};
    assert_int_equal(ts_pareto_front(c1, b1, 1, front), 1);
    assert_int_equal(front[0], 0);
    assert_int_equal(ts_pareto_front(c1, b1, 0, front), 0);
    const double c3[] = {3, 1, 2}, b3[] = {0.5, 0.9, 0.6};
    assert_int_equal(ts_pareto_front(c3, b3, 3, front), 1);
    assert_int_equal(front[0], 1);
}

/* ---- scripts ---- */

static const ts_plot_opts_t k_script_only = {.is_script_only = true};

static void test_plot_mrc_script_has_title_units_and_series(void **state)
{
    (void)state;
    ts_plot_series_t s[3];
    mrc_series(s);
    ts_err_t err = {0};
    ts_plot_opts_t o = k_script_only;
    o.title = "Bob's \"cache\"\nsweep"; /* a quote doubled, a line break made a blank */
    assert_int_equal(ts_plot_mrc("m.svg", s, 3, false, &o, &err), 0);
    char *gp = file_test_slurp("m.gp", NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set title 'Bob''s \"cache\" sweep'\n"));
    assert_non_null(strstr(gp, "set xlabel 'cache capacity (objects, log scale)'"));
    assert_non_null(strstr(gp, "set ylabel 'miss ratio (% of requests)'"));
    assert_non_null(strstr(gp, "set logscale x 10"));
    assert_non_null(strstr(gp, "set terminal svg"));
    assert_int_equal(file_test_count(gp, "$data index"), 2); /* the empty series is left out */
    assert_non_null(strstr(gp, "title 'lru'"));
    assert_non_null(strstr(gp, "title 'arc'"));
    assert_non_null(strstr(gp, "$data << EOD\n"));
    assert_non_null(strstr(gp, "\n100 0.6\n"));
    free(gp);
    char *dat = file_test_slurp("m.dat", NULL);
    assert_non_null(dat);
    assert_non_null(strstr(dat, "# columns: capacity_objects miss_ratio\n"));
    assert_non_null(strstr(dat, "# index 1, policy arc\n10 0.85\n100 0.5\n1000 0.15\n"));
    free(dat);
    assert_false(exists("m.svg"));
}

/* Bytes: binary prefixes on a base-2 log axis; a narrow range stays linear. */
static void test_plot_mrc_script_in_bytes(void **state)
{
    (void)state;
    const double cap[] = {4096, 8192}, mr[] = {0.5, 0.4};
    ts_plot_series_t s = {"lru", cap, mr, 2};
    ts_err_t err = {0};
    assert_int_equal(ts_plot_mrc("b.png", &s, 1, true, &k_script_only, &err), 0);
    char *gp = file_test_slurp("b.gp", NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set xlabel 'cache capacity (bytes)'"));
    assert_null(strstr(gp, "logscale"));
    assert_non_null(strstr(gp, "%BB"));
    assert_non_null(strstr(gp, "set terminal pngcairo"));
    free(gp);
}

static void test_plot_latency_cdf_script(void **state)
{
    (void)state;
    /* HBM around 1 us, the backing store up to 50 ms: the axis is in ms (>= 10 ms). */
    const double x0[] = {1000, 2000}, y0[] = {0.5, 1.0};
    const double x1[] = {1e6, 5e7}, y1[] = {0.3, 1.0};
    ts_plot_series_t s[] = {{"hbm", x0, y0, 2}, {"backing", x1, y1, 2}};
    ts_err_t err = {0};
    assert_int_equal(ts_plot_latency_cdf("l.svg", s, 2, &k_script_only, &err), 0);
    char *gp = file_test_slurp("l.gp", NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set title 'Latency CDF'"));
    assert_non_null(strstr(gp, "set xlabel 'latency (ms, log scale)'"));
    assert_non_null(strstr(gp, "set ylabel 'requests at or below (%)'"));
    assert_non_null(strstr(gp, "($1/1e6):($2*100)"));
    assert_int_equal(file_test_count(gp, "$data index"), 2);
    /* 1 us to 50 ms with a factor of 1.5 to spare each side, in ms: no rise on the frame */
    assert_non_null(strstr(gp, "set xrange [0.000666667:75]"));
    free(gp);
    /* Below 10 ms the axis is in microseconds: 1 to 2 us, widened the same way. */
    assert_int_equal(ts_plot_latency_cdf("u.svg", s, 1, &k_script_only, &err), 0);
    gp = file_test_slurp("u.gp", NULL);
    assert_non_null(strstr(gp, "set xlabel 'latency (µs, log scale)'"));
    assert_non_null(strstr(gp, "set xrange [0.666667:3]"));
    free(gp);
}

static void test_plot_timeseries_script_has_two_panels(void **state)
{
    (void)state;
    /* 0 to 2 s of simulated time: the axis is in seconds. */
    const double t[] = {0, 1e9, 2e9}, h[] = {0.1, 0.5, 0.6}, o[] = {0.2, 0.9, 1.0};
    ts_plot_series_t hit[] = {{"hbm", t, h, 3}, {"dram", t, h, 3}};
    ts_plot_series_t occ[] = {{"hbm", t, o, 3}, {"dram", t, o, 3}};
    ts_err_t err = {0};
    assert_int_equal(
        ts_plot_timeseries("t.svg", hit, 2, occ, 2, &k_script_only, &err), 0);
    char *gp = file_test_slurp("t.gp", NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set multiplot layout 2,1 title 'Hit ratio and occupancy"));
    assert_non_null(strstr(gp, "set xlabel 'simulated time (s)'"));
    assert_non_null(strstr(gp, "set ylabel 'hit ratio (% of requests in each interval)'"));
    assert_non_null(strstr(gp, "set ylabel 'occupancy (% of the tier capacity)'"));
    assert_int_equal(file_test_count(gp, "plot $data"), 2);
    assert_int_equal(file_test_count(gp, "$data index"), 4);
    assert_non_null(strstr(gp, "$data index 3 using ($1/1000000000):($2*100)"));
    free(gp);
}

static void test_plot_cost_bars_script(void **state)
{
    (void)state;
    const char *runs[] = {"1% hbm", "run \"b\""};
    const char *cats[] = {"capacity hbm", "capacity dram", "requests", "transfer", "GPU time",
                          "stall"};
    const double usd[] = {1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1};
    ts_plot_bars_t b = {runs, 2, cats, 6, usd, "per epoch"};
    ts_err_t err = {0};
    assert_int_equal(ts_plot_cost_bars("c.svg", &b, &k_script_only, &err), 0);
    char *gp = file_test_slurp("c.gp", NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set title 'Cost breakdown'"));
    assert_non_null(strstr(gp, "set ylabel 'cost ($ per epoch)'"));
    assert_non_null(strstr(gp, "set style histogram rowstacked"));
    /* Tic labels are formats: their '%' doubled. */
    assert_non_null(strstr(gp, "set xtics ('1%% hbm' 0, 'run \"b\"' 1)"));
    assert_int_equal(file_test_count(gp, "$data using"), 6);
    /* In the data, a double quote inside a run's name becomes a single quote. */
    assert_non_null(strstr(gp, "\n\"run 'b'\" 6 5 4 3 2 1\n"));
    /* two short names stand level under their bars */
    assert_null(strstr(gp, "rotate"));
    free(gp);
    /* names of 61 characters in all would run into each other: they slant */
    const char *long_runs[] = {"tiers.0.capacity=0.5%, tiers.1.capacity=5%", "the run of 19 chars"};
    b.runs = long_runs;
    assert_int_equal(strlen(long_runs[0]) + strlen(long_runs[1]), 61);
    assert_int_equal(ts_plot_cost_bars("c.svg", &b, &k_script_only, &err), 0);
    gp = file_test_slurp("c.gp", NULL);
    assert_non_null(strstr(gp, "'the run of 19 chars' 1) rotate by 30 right\n"));
    free(gp);
}

static void test_plot_pareto_script_marks_the_front(void **state)
{
    (void)state;
    const char *names[] = {"a", "b", "c"};
    const double cost[] = {1, 2, 3}, ben[] = {0.5, 0.4, 0.9};
    ts_plot_points_t p = {names, cost, ben, 3, "GPU utilisation", "per epoch"};
    ts_err_t err = {0};
    assert_int_equal(ts_plot_pareto("p.svg", &p, &k_script_only, &err), 0);
    char *gp = file_test_slurp("p.gp", NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set xlabel 'cost ($ per epoch)'"));
    assert_non_null(strstr(gp, "set ylabel 'GPU utilisation (%)'"));
    assert_int_equal(file_test_count(gp, "set label"), 3);
    /* the front's labels first, each above and right of its point */
    assert_non_null(strstr(gp, "set label 1 'a' at 1, 50 offset character 0.8, 0.6 "));
    assert_non_null(strstr(gp, "set label 2 'c' at 3, 90 offset character 0.8, 0.6 "));
    assert_non_null(strstr(gp, "set label 3 'b' at 2, 40 offset character 0.8, 0.6 "));
    assert_non_null(strstr(gp, "with steps lw 2 title 'Pareto front (least cost, most GPU "
                               "utilisation)'"));
    /* The front is a (1, 0.5) and c (3, 0.9); b is dominated by a. */
    assert_non_null(strstr(gp, "# index 1, the Pareto front (least cost, most benefit)\n"
                               "1 0.5 \"a\"\n3 0.9 \"c\"\nEOD\n"));
    free(gp);    /* three runs at one spot and one far off: the second name goes below, the third has
     * no room and stays off */
    const char *same[] = {"x", "y", "z", "far"};
    const double c2[] = {1, 1, 1, 9}, b2[] = {0.5, 0.5, 0.5, 0.1};
    p = (ts_plot_points_t){same, c2, b2, 4, NULL, NULL};
    assert_int_equal(ts_plot_pareto("q.svg", &p, &k_script_only, &err), 0);
    gp = file_test_slurp("q.gp", NULL);
    assert_non_null(gp);
    assert_int_equal(file_test_count(gp, "set label"), 3);
    assert_non_null(strstr(gp, "'x' at 1, 50 offset character 0.8, 0.6 "));
    assert_non_null(strstr(gp, "'y' at 1, 50 offset character 0.8, -1.4 "));
    assert_non_null(strstr(gp, "'far' at 9, 10 offset character 0.8, 0.6 "));
    assert_null(strstr(gp, "'z'"));
    free(gp);
}

/* ---- drawing ---- */

static void check_png(const char *path)
{
    size_t n = 0;
    char *img = file_test_slurp(path, &n);
    assert_non_null(img);
    assert_true(n > 8);
    assert_memory_equal(img, "\x89PNG\r\n\x1a\n", 8);
    free(img);
}

static void check_svg(const char *path)
{
    char *img = file_test_slurp(path, NULL);
    assert_non_null(img);
    char *tag = strstr(img, "<svg");
    assert_non_null(tag);
    assert_true(tag - img < 512);
    assert_non_null(strstr(img, "</svg>"));
    free(img);
}

static void test_plot_draws_png_and_svg_with_gnuplot(void **state)
{
    (void)state;
    if (!has_gnuplot()) /* a dependency (make deps installs gnuplot-nox): fail, never skip */
        fail_msg("gnuplot is not installed: this test of drawing plots cannot run (make deps "
                 "installs gnuplot-nox)");
    ts_plot_series_t s[3];
    mrc_series(s);
    ts_err_t err = {0};
    assert_int_equal(ts_plot_mrc("m.png", s, 3, false, NULL, &err), 0);
    check_png("m.png");
    assert_int_equal(ts_plot_mrc("m.svg", s, 3, false, NULL, &err), 0);
    check_svg("m.svg");
    /* Every other kind's script is valid gnuplot too. */
    const double t[] = {1000, 1e6, 2e9}, y[] = {0.1, 0.5, 1.0};
    ts_plot_series_t ts[] = {{"hbm", t, y, 3}, {"backing", t, y, 3}};
    assert_int_equal(ts_plot_latency_cdf("l.svg", ts, 2, NULL, &err), 0);
    check_svg("l.svg");
    assert_int_equal(ts_plot_timeseries("t.png", ts, 2, ts, 1, NULL, &err), 0);
    check_png("t.png");
    const char *runs[] = {"a 1%", "b"}, *cats[] = {"capacity", "requests"};
    const double usd[] = {1, 2, 3, 4};
    ts_plot_bars_t b = {runs, 2, cats, 2, usd, NULL};
    assert_int_equal(ts_plot_cost_bars("c.svg", &b, NULL, &err), 0);
    check_svg("c.svg");
    const double cost[] = {1, 2, 3}, ben[] = {0.5, 0.4, 0.9};
    ts_plot_points_t p = {runs, cost, ben, 2, NULL, NULL};
    assert_int_equal(ts_plot_pareto("p.png", &p, NULL, &err), 0);
    check_png("p.png");
    char names[512];
    listing(".", names, sizeof(names));
    assert_string_equal(names, "c.dat c.gp c.svg l.dat l.gp l.svg m.dat m.gp m.png m.svg p.dat "
                               "p.gp p.png t.dat t.gp t.png");
}

/* Draws m.svg with PATH set to path alone, then puts PATH back. */
static int mrc_with_path(const char *path, ts_err_t *err)
{
    char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", path, 1);
    ts_plot_series_t s[3];
    mrc_series(s);
    int rc = ts_plot_mrc("m.svg", s, 3, false, NULL, err);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    return rc;
}

static void test_plot_without_gnuplot_keeps_the_data(void **state)
{
    struct fixture *f = *state;
    ts_err_t err = {0};
    int rc = mrc_with_path(f->dir, &err); /* a directory with no gnuplot in it */
    assert_int_equal(rc, TS_EUNSUPPORTED);
    assert_string_equal(err.msg, "gnuplot not found: wrote the data to m.dat; install gnuplot "
                                 "(Debian package gnuplot-nox) to draw it: gnuplot m.gp");
    char names[256];
    listing(".", names, sizeof(names));
    assert_string_equal(names, "m.dat m.gp"); /* no image, no temporary file */
}

static void test_plot_failing_gnuplot_is_reported(void **state)
{
    (void)state;
    ts_plot_series_t s[3];
    mrc_series(s);
    ts_err_t err = {0};
    ts_plot_opts_t o = {.gnuplot = "false"}; /* runs, exits with status 1 */
    assert_int_equal(ts_plot_mrc("m.png", s, 3, false, &o, &err), TS_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "false failed (exit status 1: ): wrote the data to "));
    char names[256];
    listing(".", names, sizeof(names));
    assert_string_equal(names, "m.dat m.gp");
}

struct bad_case {
    const char *name;
    const char *image; /* in the test's directory */
    int rc;
    const char *msg;
};

static void test_plot_bad_inputs_are_refused(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"no extension", "mrc", TS_EINVAL, "cannot tell the image type; give a name ending in "
                                           ".png or .svg"},
        {"pdf", "mrc.pdf", TS_EINVAL, "give a name ending in .png or .svg"},
        {"dot in directory", "a.svg/mrc", TS_EINVAL, "cannot tell the image type"},
        {"missing directory", "nodir/mrc.svg", TS_ENOENT, "'nodir/mrc.dat'"},
    };
    ts_plot_series_t s[3];
    mrc_series(s);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        int rc = ts_plot_mrc(cases[i].image, s, 3, false, &k_script_only, &err);
        if (rc != cases[i].rc || !strstr(err.msg, cases[i].msg))
            fail_msg("%s: rc %d, message '%s'", cases[i].name, rc, err.msg);
    }
    ts_err_t err = {0};
    assert_int_equal(ts_plot_mrc("m.svg", s + 2, 1, false, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "no curve has points"));
    ts_err_clear(&err);
    ts_plot_series_t broken = {"x", NULL, NULL, 2};
    assert_int_equal(ts_plot_latency_cdf("l.svg", &broken, 1, NULL, &err),
                     TS_EINVAL);
    assert_non_null(strstr(err.msg, "series 'x' has 2 points but no values"));
    ts_err_clear(&err);
    ts_plot_bars_t b = {0};
    assert_int_equal(ts_plot_cost_bars("c.svg", &b, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "no runs or no cost categories"));
    ts_err_clear(&err);
    const double nan[] = {NAN};
    ts_plot_points_t p = {NULL, nan, nan, 1, NULL, NULL};
    assert_int_equal(ts_plot_pareto("p.svg", &p, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "no point has a finite cost and benefit"));
    const char *runs[] = {"a", NULL}, *cats[] = {"x"};
    const double usd[] = {1, 2};
    ts_plot_bars_t nameless = {runs, 2, cats, 1, usd, NULL};
    ts_err_clear(&err);
    assert_int_equal(ts_plot_cost_bars("c.svg", &nameless, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "run 1 has no name"));
    const char *no_cat[] = {NULL};
    ts_plot_bars_t catless = {runs, 1, no_cat, 1, usd, NULL};
    ts_err_clear(&err);
    assert_int_equal(ts_plot_cost_bars("c.svg", &catless, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "category 0 has no name"));
    ts_err_clear(&err);
    assert_int_equal(ts_plot_mrc(NULL, s, 3, false, NULL, &err), TS_EINVAL);
    assert_string_equal(err.msg, "plot: no image file name");
    ts_err_clear(&err);
    static char longname[5000];
    memset(longname, 'x', sizeof(longname) - 5);
    memcpy(longname + sizeof(longname) - 5, ".svg", 4);
    assert_int_equal(ts_plot_mrc(longname, s, 3, false, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "plot: file name too long (4999 bytes): 'xxx"));
    char names[256];
    listing(".", names, sizeof(names));
    assert_string_equal(names, "");
}

/* A file named gnuplot that cannot be run, and no memory for the front. */
static void test_plot_unrunnable_gnuplot_and_no_memory(void **state)
{
    struct fixture *f = *state;
    FILE *fake = fopen("gnuplot", "w"); /* mode 0644: not executable */
    assert_non_null(fake);
    fclose(fake);
    ts_err_t err = {0};
    int rc = mrc_with_path(f->dir, &err);
    assert_int_equal(rc, TS_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "cannot run gnuplot: wrote the data to m.dat"));
    const double cost[] = {1}, ben[] = {0.5};
    ts_plot_points_t p = {NULL, cost, ben, 1, NULL, NULL};
    ts_err_clear(&err);
    ts_mem_fail_after(0);
    rc = ts_plot_pareto("p.svg", &p, NULL, &err);
    ts_mem_fail_after(-1);
    assert_int_equal(rc, TS_ENOMEM);
    assert_non_null(strstr(err.msg, "cannot allocate the Pareto front of 1 points"));
}

/* A sweep along capacity (3 values), one line per policy: two panels over the values as
 * categories, the benefit in % above the dollars; a line may skip a value. */
static void test_plot_sweep_script_has_two_panels_over_the_values(void **state)
{
    (void)state;
    const char *caps[] = {"1%", "2%", "5%"};
    const double x[] = {0, 1, 2}, lru[] = {0.3, 0.4, 0.5}, fifo[] = {0.25, 0.45};
    const double x_fifo[] = {0, 2}, usd_lru[] = {3, 2, 1}, usd_fifo[] = {4, 1};
    ts_plot_series_t ben[] = {{"lru", x, lru, 3}, {"fifo", x_fifo, fifo, 2}};
    ts_plot_series_t cost[] = {{"lru", x, usd_lru, 3}, {"fifo", x_fifo, usd_fifo, 2}};
    ts_plot_sweep_t sw = {"tiers.0.capacity", caps, 3, ben, cost, 2, NULL, "per epoch"};
    ts_err_t err = {0};
    assert_int_equal(ts_plot_sweep("s.svg", &sw, &k_script_only, &err), 0);
    char *gp = file_test_slurp("s.gp", NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set multiplot layout 2,1 title 'Benefit and cost along the "
                               "sweep'"));
    /* the values as categories; tic labels are formats, their '%' doubled */
    assert_non_null(strstr(gp, "set xtics ('1%%' 0, '2%%' 1, '5%%' 2)\nset xrange [-0.5:2.5]\n"));
    assert_non_null(strstr(gp, "set xlabel 'tiers.0.capacity'"));
    assert_non_null(strstr(gp, "set ylabel 'hit ratio (%)'"));
    assert_non_null(strstr(gp, "set ylabel 'cost ($ per epoch)'"));
    /* four blocks: the benefit of each line, then its cost; fifo skips 2% */
    assert_int_equal(file_test_count(gp, "$data index"), 4);
    assert_non_null(strstr(gp, "# index 1, benefit of fifo\n0 0.25\n2 0.45\n"));
    assert_non_null(strstr(gp, "# index 3, cost of fifo\n0 4\n2 1\n"));
    assert_non_null(strstr(gp, "$data index 0 using 1:($2*100) with linespoints"));
    assert_non_null(strstr(gp, "$data index 2 using 1:2 with linespoints"));
    free(gp);
    /* nothing to draw */
    sw.n_lines = 0;
    assert_int_equal(ts_plot_sweep("s.svg", &sw, &k_script_only, &err), TS_EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plot_pareto_front_of_a_hand_made_set),
        cmocka_unit_test(test_plot_pareto_front_small_sets),
        T(test_plot_mrc_script_has_title_units_and_series),
        T(test_plot_mrc_script_in_bytes),
        T(test_plot_latency_cdf_script),
        T(test_plot_timeseries_script_has_two_panels),
        T(test_plot_cost_bars_script),
        T(test_plot_pareto_script_marks_the_front),
        T(test_plot_sweep_script_has_two_panels_over_the_values),
        T(test_plot_draws_png_and_svg_with_gnuplot),
        T(test_plot_without_gnuplot_keeps_the_data),
        T(test_plot_failing_gnuplot_is_reported),
        T(test_plot_bad_inputs_are_refused),
        T(test_plot_unrunnable_gnuplot_and_no_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
