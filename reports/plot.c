/* SPDX-License-Identifier: MIT */
/*
 * plot.c - gnuplot plots (see plot.h).
 *
 * Each plot kind supplies two writers: its data blocks and its gnuplot commands. The
 * driver writes the data file, then the script (a terminal by the image's extension, the
 * same data as an inline `$data << EOD` block, the commands), each atomically
 * (ts_file_write); then it spawns gnuplot on the script, pointing the script's
 * `ts_output` variable at the image's temporary file, reads gnuplot's output through a
 * pipe (kept for the error message) and renames the image into place only when gnuplot
 * exits with status 0. No shell is involved: names reach gnuplot as arguments or as quoted
 * gnuplot strings (single quotes doubled, control characters turned to blanks).
 * Cost: the size of the data, written twice; one process.
 */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../sim/util/mem.h"
#include "../sim/util/io.h"
#include "../sim/util/fmt.h"

extern char **environ;

#define PLOT_W 960           /* image size in pixels */
#define PLOT_H 600
#define PLOT_H_PANELS 780    /* two panels stacked */
#define PLOT_MAX_LABELS 30   /* Pareto plots label every point up to this many */
#define PLOT_OUTPUT_KEEP 160 /* bytes of gnuplot's output kept for a message */

/* ---- text for gnuplot ---- */

/* Writes s with control characters as blanks (for comments and data strings, where a
 * line break would end the line); bad, a character that must not appear, becomes '\''. */
static void plot_text(FILE *f, const char *s, char bad)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f ? ' ' : (bad && c == (unsigned char)bad) ? '\'' : c, f);
    }
}

/* s as a gnuplot single-quoted string: inside one, only a doubled '' is special. A tic
 * label is also a format (is_format): its '%' are doubled. */
static void plot_quote_as(FILE *f, const char *s, bool is_format)
{
    fputc('\'', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'' || (c == '%' && is_format))
            fputc(c, f);
        fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
    fputc('\'', f);
}

static void plot_quote(FILE *f, const char *s)
{
    plot_quote_as(f, s, false);
}

/* ---- the plot kinds' shared parts ---- */

typedef struct plot_kind {
    const char *what;          /* "miss-ratio curves", for the files' first line */
    const char *default_title; /* when the caller gives none */
    int height;                /* image height in pixels */
    void (*data)(FILE *f, const void *ctx);
    void (*commands)(FILE *f, const void *ctx, const char *title);
} plot_kind_t;

/* Series lists: the blocks of the data, each series with points a block. */
typedef struct plot_lists {
    const ts_plot_series_t *s[2]; /* up to two lists (time series: hit ratio, occupancy) */
    size_t n[2];
    const char *heading[2];       /* "# <heading> <name>" before each block */
    const char *columns;          /* "# columns: ..." */
    bool is_bytes;                /* MRC: capacities are bytes */
} plot_lists_t;

static const char *plot_series_name(const ts_plot_series_t *s)
{
    return s->name && s->name[0] ? s->name : "(unnamed)";
}

static void plot_lists_data(FILE *f, const void *ctx)
{
    const plot_lists_t *l = ctx;
    fprintf(f, "# columns: %s\n", l->columns);
    size_t block = 0;
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < l->n[k]; i++) {
            const ts_plot_series_t *s = &l->s[k][i];
            if (!s->n)
                continue;
            fputs(block++ ? "\n\n# " : "# ", f);
            fprintf(f, "index %zu, %s", block - 1, l->heading[k]);
            plot_text(f, plot_series_name(s), 0);
            fputc('\n', f);
            for (size_t j = 0; j < s->n; j++)
                fprintf(f, "%.10g %.10g\n", s->x[j], s->y[j]);
        }
}

/* The plot command for list k: one `$data index i using ...` per series with points,
 * numbered from *block. */
static void plot_lists_plot(FILE *f, const plot_lists_t *l, size_t k, size_t *block,
                            const char *using, const char *style)
{
    bool any = false;
    for (size_t i = 0; i < l->n[k]; i++) {
        const ts_plot_series_t *s = &l->s[k][i];
        if (!s->n)
            continue;
        /* Eight colours, then the same dashed: every line stays distinct. */
        fprintf(f, "%s$data index %zu using %s with %s dt %zu title ",
                any ? ", \\\n     " : "plot ", *block, using, style, 1 + i / 8);
        ++*block;
        plot_quote(f, plot_series_name(s));
        any = true;
    }
    fputc('\n', f);
}

/* Largest x over the lists' points (0 when none). */
static double plot_lists_max_x(const plot_lists_t *l)
{
    double m = 0;
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < l->n[k]; i++)
            for (size_t j = 0; j < l->s[k][i].n; j++)
                if (l->s[k][i].x[j] > m)
                    m = l->s[k][i].x[j];
    return m;
}

/* The smallest positive x of both lists; 0 when none is. */
static double plot_lists_min_pos_x(const plot_lists_t *l)
{
    double m = 0;
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < l->n[k]; i++)
            for (size_t j = 0; j < l->s[k][i].n; j++) {
                double x = l->s[k][i].x[j];
                if (x > 0 && (m == 0 || x < m))
                    m = x;
            }
    return m;
}

/* Checks a list: points need both arrays. Returns the count of series with points. */
static int plot_lists_check(const ts_plot_series_t *s, size_t n, size_t *with_points,
                            ts_err_t *err)
{
    if (n && !s)
        return ts_err_set(err, TS_EINVAL, "plot: %zu series but no array", n);
    for (size_t i = 0; i < n; i++) {
        if (s[i].n && (!s[i].x || !s[i].y))
            return ts_err_set(err, TS_EINVAL, "plot: series '%s' has %zu points but no values",
                              plot_series_name(&s[i]), s[i].n);
        *with_points += s[i].n != 0;
    }
    return 0;
}

/* ---- files ---- */

typedef struct plot_files {
    char dat[PATH_MAX]; /* the data */
    char gp[PATH_MAX];  /* the script */
    bool is_svg;        /* else PNG */
} plot_files_t;

/* The data and script names beside image, and the terminal from its extension. */
static int plot_names(const char *image, plot_files_t *pf, ts_err_t *err)
{
    if (!image || !image[0])
        return ts_err_set(err, TS_EINVAL, "plot: no image file name");
    const char *slash = strrchr(image, '/');
    const char *dot = strrchr(image, '.');
    if (!dot || (slash && dot < slash) ||
        (strcasecmp(dot, ".png") != 0 && strcasecmp(dot, ".svg") != 0))
        return ts_err_set(err, TS_EINVAL,
                          "plot '%s': cannot tell the image type; give a name ending in .png "
                          "or .svg",
                          image);
    pf->is_svg = strcasecmp(dot, ".svg") == 0;
    int stem = (int)(dot - image);
    int a = snprintf(pf->dat, sizeof(pf->dat), "%.*s.dat", stem, image);
    int b = snprintf(pf->gp, sizeof(pf->gp), "%.*s.gp", stem, image);
    if (a < 0 || b < 0 || (size_t)a >= sizeof(pf->dat) || (size_t)b >= sizeof(pf->gp))
        return ts_err_set(err, TS_EINVAL, "plot: file name too long (%zu bytes): '%s'",
                          strlen(image), image);
    return 0;
}

typedef struct plot_job {
    const plot_kind_t *kind;
    const void *ctx;
    const char *image;
    const char *title;
    const plot_files_t *pf;
} plot_job_t;

static void plot_dat_body(FILE *f, const void *ctx)
{
    const plot_job_t *j = ctx;
    fprintf(f, "# tiersim %s: ", j->kind->what);
    plot_text(f, j->title, 0);
    fputc('\n', f);
    j->kind->data(f, j->ctx);
}

static void plot_gp_body(FILE *f, const void *ctx)
{
    const plot_job_t *j = ctx;
    fprintf(f, "# tiersim %s. Redraw it with: gnuplot ", j->kind->what);
    plot_text(f, j->pf->gp, 0);
    fputs("\n# (from the directory tiersim ran in; the data are also in ", f);
    plot_text(f, j->pf->dat, 0);
    fputs(")\nif (!exists(\"ts_output\")) ts_output = ", f);
    plot_quote(f, j->image);
    if (j->pf->is_svg)
        fprintf(f, "\nset terminal svg size %d,%d dynamic noenhanced font 'Sans,12' "
                   "background rgb 'white'\n",
                PLOT_W, j->kind->height);
    else
        fprintf(f, "\nset terminal pngcairo size %d,%d noenhanced font 'Sans,11' "
                   "background rgb 'white'\n",
                PLOT_W, j->kind->height);
    fputs("set output ts_output\nset encoding utf8\nset grid\n$data << EOD\n", f);
    j->kind->data(f, j->ctx);
    fputs("EOD\n", f);
    j->kind->commands(f, j->ctx, j->title);
}

/* ---- running gnuplot ---- */

/* Spawns prog on the script with ts_output set to out; *status receives its exit status
 * (-1 when it died of a signal) and out_text the start of what it printed. Returns 0 or
 * the errno of a failed start (ENOENT: not found). */
static int plot_spawn(const char *prog, const char *script, const char *out, int *status,
                      char *out_text, size_t out_size)
{
    size_t n = strlen(out);
    char *expr = ts_malloc(2 * n + sizeof("ts_output=''"));
    if (!expr)
        return ENOMEM;
    char *p = expr;
    memcpy(p, "ts_output='", 11);
    p += 11;
    for (const char *s = out; *s; s++) {
        if (*s == '\'')
            *p++ = '\'';
        *p++ = *s;
    }
    p[0] = '\'';
    p[1] = 0;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        int e = errno;
        ts_free(expr);
        return e;
    }
    posix_spawn_file_actions_t fa;
    int e = posix_spawn_file_actions_init(&fa);
    if (!e)
        e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!e)
        e = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    if (!e)
        e = posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    char *const argv[] = {(char *)prog, (char *)"-e", expr, (char *)script, NULL};
    pid_t pid = 0;
    if (!e)
        e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    ts_free(expr);
    size_t kept = 0;
    char buf[4096];
    ssize_t k;
    /* Read to the end (also after a failed start, harmlessly) so gnuplot never blocks. */
    while (!e && ((k = read(fds[0], buf, sizeof(buf))) > 0 || (k < 0 && errno == EINTR)))
        for (ssize_t i = 0; i < k && kept + 1 < out_size; i++)
            out_text[kept++] = buf[i];
    out_text[kept] = 0;
    close(fds[0]);
    if (e)
        return e;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return errno;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return 0;
}

/* The first line of gnuplot's output with text, for a message. */
static const char *plot_first_line(char *text)
{
    char *s = text;
    while (*s == '\n' || *s == ' ')
        s++;
    s[strcspn(s, "\n")] = 0;
    return s;
}

/* Runs gnuplot on the script gp (not yet in place) drawing into img's temporary file.
 * Returns 0, TS_EUNSUPPORTED when gnuplot is missing or fails (the data and script are still
 * worth keeping: the message says where they are), or another error. */
static int plot_gnuplot(const plot_job_t *j, const ts_afile_t *gp, ts_afile_t *img,
                        const ts_plot_opts_t *opts, ts_err_t *err)
{
    const char *prog = opts && opts->gnuplot ? opts->gnuplot : "gnuplot";
    int rc = ts_afile_open(img, j->image, "plot", err);
    if (rc)
        return rc;
    close(img->fd); /* gnuplot writes the temporary file by name */
    img->fd = -1;
    char text[PLOT_OUTPUT_KEEP];
    int status = 0;
    int e = plot_spawn(prog, gp->tmp, img->tmp, &status, text, sizeof(text));
    if (e == ENOENT)
        rc = ts_err_set(err, TS_EUNSUPPORTED,
                        "gnuplot not found: wrote the data to %s; install gnuplot (Debian "
                        "package gnuplot-nox) to draw it: gnuplot %s",
                        j->pf->dat, j->pf->gp);
    else if (e == ENOMEM)
        rc = ts_err_set(err, TS_ENOMEM, "cannot start %s for '%s'", prog, j->image);
    else if (e)
        rc = ts_err_sys(err, TS_EUNSUPPORTED, e, "cannot run %s: wrote the data to %s", prog,
                        j->pf->dat);
    else if (status != 0)
        rc = ts_err_set(err, TS_EUNSUPPORTED,
                        "%s failed (exit status %d: %s): wrote the data to %s and the script "
                        "to %s",
                        prog, status, plot_first_line(text), j->pf->dat, j->pf->gp);
    return rc;
}

/* Writes the data, the script and (unless only the script is asked for) the image, and
 * replaces them as one set: a failure anywhere leaves the previous three as they were.
 * When gnuplot is missing or fails, the data and script are still put in place (the
 * TS_EUNSUPPORTED error says so), and the previous image is left alone. */
static int plot_draw(const char *image, const plot_kind_t *kind, const void *ctx,
                     const ts_plot_opts_t *opts, ts_err_t *err)
{
    plot_files_t pf;
    int rc = plot_names(image, &pf, err);
    if (rc)
        return rc;
    plot_job_t j = {.kind = kind,
                    .ctx = ctx,
                    .image = image,
                    .title = opts && opts->title ? opts->title : kind->default_title,
                    .pf = &pf};
    ts_afile_t dat = {.fd = -1}, gp = {.fd = -1}, img = {.fd = -1};
    rc = ts_afile_write_body(&dat, pf.dat, "plot data", plot_dat_body, &j, err);
    if (!rc)
        rc = ts_afile_write_body(&gp, pf.gp, "plot script", plot_gp_body, &j, err);
    bool is_drawn = !rc && !(opts && opts->is_script_only);
    if (is_drawn)
        rc = plot_gnuplot(&j, &gp, &img, opts, err);
    if (!rc || rc == TS_EUNSUPPORTED) {
        ts_afile_t *const set[] = {&dat, &gp, &img};
        ts_err_t ce = {0};
        int crc = ts_afile_commit_set(set, rc == 0 && is_drawn ? 3 : 2, "plot", &ce);
        if (crc && err) /* the commit's failure outranks gnuplot's note */
            *err = ce;
        rc = crc ? crc : rc;
    }
    ts_afile_discard(&img);
    ts_afile_discard(&gp);
    ts_afile_discard(&dat);
    return rc;
}

/* ---- miss-ratio curves ---- */

static void plot_mrc_commands(FILE *f, const void *ctx, const char *title)
{
    const plot_lists_t *l = ctx;
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < l->n[0]; i++)
        for (size_t j = 0; j < l->s[0][i].n; j++) {
            double x = l->s[0][i].x[j];
            lo = x > 0 && x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    bool is_log = hi > 0 && hi >= 20 * lo;
    fputs("set title ", f);
    plot_quote(f, title);
    fprintf(f, "\nset xlabel 'cache capacity (%s%s)'\n", l->is_bytes ? "bytes" : "objects",
            is_log ? ", log scale" : "");
    fputs("set ylabel 'miss ratio (% of requests)'\nset yrange [0:100]\n"
          "set key outside right top\n",
          f);
    if (is_log)
        fputs(l->is_bytes ? "set logscale x 2\nset format x '%.0b %BB'\n"
                          : "set logscale x 10\nset format x '%.0s%c'\n",
              f);
    else
        fputs(l->is_bytes ? "set format x '%.1b %BB'\n" : "set format x '%.1s%c'\n", f);
    size_t block = 0;
    plot_lists_plot(f, l, 0, &block, "1:($2*100)", "linespoints lw 2 pt 7 ps 0.8");
}

int ts_plot_mrc(const char *image, const ts_plot_series_t *curves, size_t n, bool is_bytes,
                const ts_plot_opts_t *opts, ts_err_t *err)
{
    static const plot_kind_t kind = {"miss-ratio curves", "Miss-ratio curves", PLOT_H,
                                     plot_lists_data, plot_mrc_commands};
    size_t with_points = 0;
    int rc = plot_lists_check(curves, n, &with_points, err);
    if (rc)
        return rc;
    if (!with_points)
        return ts_err_set(err, TS_EINVAL, "plot '%s': no curve has points", image);
    plot_lists_t l = {.s = {curves}, .n = {n}, .heading = {"policy "},
                      .is_bytes = is_bytes,
                      .columns = is_bytes ? "capacity_bytes miss_ratio"
                                          : "capacity_objects miss_ratio"};
    return plot_draw(image, &kind, &l, opts, err);
}

/* ---- latency CDF ---- */

static void plot_cdf_commands(FILE *f, const void *ctx, const char *title)
{
    const plot_lists_t *l = ctx;
    double lo = plot_lists_min_pos_x(l), hi = plot_lists_max_x(l);
    bool is_ms = hi >= 1e7;
    double unit = is_ms ? 1e6 : 1e3;
    fputs("set title ", f);
    plot_quote(f, title);
    fprintf(f, "\nset xlabel 'latency (%s, log scale)'\n", is_ms ? "ms" : "µs");
    if (lo > 0) /* half a step of margin each side: no rise drawn on the frame */
        fprintf(f, "set xrange [%.6g:%.6g]\n", lo / unit / 1.5, hi / unit * 1.5);
    fputs("set ylabel 'requests at or below (%)'\nset yrange [0:100]\nset logscale x 10\n"
          "set key outside right top\n",
          f);
    size_t block = 0;
    plot_lists_plot(f, l, 0, &block, is_ms ? "($1/1e6):($2*100)" : "($1/1e3):($2*100)",
                    "steps lw 2");
}

int ts_plot_latency_cdf(const char *image, const ts_plot_series_t *levels, size_t n,
                        const ts_plot_opts_t *opts, ts_err_t *err)
{
    static const plot_kind_t kind = {"latency CDF", "Latency CDF", PLOT_H, plot_lists_data,
                                     plot_cdf_commands};
    size_t with_points = 0;
    int rc = plot_lists_check(levels, n, &with_points, err);
    if (rc)
        return rc;
    if (!with_points)
        return ts_err_set(err, TS_EINVAL, "plot '%s': no level has latencies", image);
    plot_lists_t l = {.s = {levels}, .n = {n}, .heading = {"level "},
                      .columns = "latency_ns cumulative_fraction"};
    return plot_draw(image, &kind, &l, opts, err);
}

/* ---- hit ratio and occupancy over time ---- */

static bool plot_lists_has_points(const plot_lists_t *l, size_t k)
{
    for (size_t i = 0; i < l->n[k]; i++)
        if (l->s[k][i].n)
            return true;
    return false;
}

static void plot_time_commands(FILE *f, const void *ctx, const char *title)
{
    static const struct {
        double ns;
        const char *name;
    } units[] = {{1e6, "ms"}, {1e9, "s"}, {60e9, "min"}, {3600e9, "h"}};
    const plot_lists_t *l = ctx;
    double hi = plot_lists_max_x(l);
    size_t u = hi < 1e9 ? 0 : hi < 600e9 ? 1 : hi < 3 * 3600e9 ? 2 : 3;
    char using[64];
    snprintf(using, sizeof(using), "($1/%.0f):($2*100)", units[u].ns);
    bool has[2] = {plot_lists_has_points(l, 0), plot_lists_has_points(l, 1)};
    fprintf(f, "set multiplot layout %d,1 title ", has[0] && has[1] ? 2 : 1);
    plot_quote(f, title);
    fprintf(f, "\nset xlabel 'simulated time (%s)'\nset key outside right top\n"
               "set yrange [0:100]\n",
            units[u].name);
    size_t block = 0;
    if (has[0]) {
        fputs("set ylabel 'hit ratio (% of requests in each interval)'\n", f);
        plot_lists_plot(f, l, 0, &block, using, "lines lw 2");
    }
    if (has[1]) {
        fputs("set ylabel 'occupancy (% of the tier capacity)'\n", f);
        plot_lists_plot(f, l, 1, &block, using, "lines lw 2");
    }
    fputs("unset multiplot\n", f);
}

int ts_plot_timeseries(const char *image, const ts_plot_series_t *hit_ratio, size_t n_hit,
                       const ts_plot_series_t *occupancy, size_t n_occ,
                       const ts_plot_opts_t *opts, ts_err_t *err)
{
    static const plot_kind_t kind = {"hit ratio and occupancy over time",
                                     "Hit ratio and occupancy over time", PLOT_H_PANELS,
                                     plot_lists_data, plot_time_commands};
    size_t with_points = 0;
    int rc = plot_lists_check(hit_ratio, n_hit, &with_points, err);
    if (!rc)
        rc = plot_lists_check(occupancy, n_occ, &with_points, err);
    if (rc)
        return rc;
    if (!with_points)
        return ts_err_set(err, TS_EINVAL, "plot '%s': no series has points", image);
    plot_lists_t l = {.s = {hit_ratio, occupancy},
                      .n = {n_hit, n_occ},
                      .heading = {"hit ratio of ", "occupancy of "},
                      .columns = "time_ns ratio"};
    return plot_draw(image, &kind, &l, opts, err);
}

/* ---- stacked cost bars ---- */

static const char *plot_per(const char *per)
{
    return per && per[0] ? per : "total";
}

static void plot_bars_data(FILE *f, const void *ctx)
{
    const ts_plot_bars_t *b = ctx;
    fprintf(f, "# columns: run, then dollars %s for each category:\n# run", plot_per(b->per));
    for (size_t c = 0; c < b->n_categories; c++) {
        fputs(" \"", f);
        plot_text(f, b->categories[c], '"');
        fputc('"', f);
    }
    fputc('\n', f);
    for (size_t r = 0; r < b->n_runs; r++) {
        fputc('"', f);
        plot_text(f, b->runs[r], '"');
        fputc('"', f);
        for (size_t c = 0; c < b->n_categories; c++)
            fprintf(f, " %.10g", b->usd[r * b->n_categories + c]);
        fputc('\n', f);
    }
}

/* x tics at 0, 1, ... named by names (formats: their '%' doubled); names that would run
 * into each other (more than max_n, or more than max_chars in all) slant down to the left,
 * each ending at its tic. */
static void plot_category_tics(FILE *f, const char *const *names, size_t n, size_t max_n,
                               size_t max_chars)
{
    size_t chars = 0;
    fputs("set xtics (", f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        plot_quote_as(f, names[i], true);
        fprintf(f, " %zu", i);
        chars += strlen(names[i]);
    }
    fprintf(f, ")%s\n", n > max_n || chars > max_chars ? " rotate by 30 right" : "");
}

static void plot_bars_commands(FILE *f, const void *ctx, const char *title)
{
    const ts_plot_bars_t *b = ctx;
    fputs("set title ", f);
    plot_quote(f, title);
    fputs("\nset ylabel ", f);
    char label[160];
    snprintf(label, sizeof(label), "cost ($ %.120s)", plot_per(b->per));
    plot_quote(f, label);
    fputs("\nset style data histograms\nset style histogram rowstacked\n"
          "set style fill solid 0.85 border -1\nset boxwidth 0.7 relative\n"
          "set yrange [0:*]\nset grid noxtics ytics\nset key outside right top\n",
          f);
    plot_category_tics(f, b->runs, b->n_runs, 6, 60);
    for (size_t c = 0; c < b->n_categories; c++) {
        fprintf(f, "%s$data using %zu title ", c ? ", \\\n     " : "plot ", c + 2);
        plot_quote(f, b->categories[c]);
    }
    fputc('\n', f);
}

int ts_plot_cost_bars(const char *image, const ts_plot_bars_t *bars, const ts_plot_opts_t *opts,
                      ts_err_t *err)
{
    static const plot_kind_t kind = {"cost breakdown", "Cost breakdown", PLOT_H,
                                     plot_bars_data, plot_bars_commands};
    if (!bars || !bars->n_runs || !bars->n_categories || !bars->runs || !bars->categories ||
        !bars->usd)
        return ts_err_set(err, TS_EINVAL, "plot '%s': no runs or no cost categories",
                          image ? image : "");
    for (size_t i = 0; i < bars->n_runs; i++)
        if (!bars->runs[i])
            return ts_err_set(err, TS_EINVAL, "plot '%s': run %zu has no name", image, i);
    for (size_t i = 0; i < bars->n_categories; i++)
        if (!bars->categories[i])
            return ts_err_set(err, TS_EINVAL, "plot '%s': category %zu has no name", image, i);
    return plot_draw(image, &kind, bars, opts, err);
}

/* ---- a sweep along one key ---- */

typedef struct plot_sweep_ctx {
    plot_lists_t l; /* first: the data writer takes the context as its lists */
    const ts_plot_sweep_t *sw;
} plot_sweep_ctx_t;

static void plot_sweep_commands(FILE *f, const void *ctx, const char *title)
{
    const plot_sweep_ctx_t *c = ctx;
    const ts_plot_sweep_t *sw = c->sw;
    const char *benefit = sw->benefit_name ? sw->benefit_name : "hit ratio";
    fputs("set multiplot layout 2,1 title ", f);
    plot_quote(f, title);
    fputc('\n', f);
    plot_category_tics(f, sw->x_labels, sw->n_x, 12, 80);
    fprintf(f, "set xrange [-0.5:%zu.5]\nset grid\nset key outside right top\n", sw->n_x - 1);
    fputs("set xlabel ", f);
    plot_quote(f, sw->x_name);
    char label[200];
    snprintf(label, sizeof(label), "%.120s (%%)", benefit);
    fputs("\nset ylabel ", f);
    plot_quote(f, label);
    fputc('\n', f);
    size_t block = 0;
    plot_lists_plot(f, &c->l, 0, &block, "1:($2*100)", "linespoints lw 2 pt 7");
    snprintf(label, sizeof(label), "cost ($ %.120s)", plot_per(sw->per));
    fputs("set ylabel ", f);
    plot_quote(f, label);
    fputc('\n', f);
    plot_lists_plot(f, &c->l, 1, &block, "1:2", "linespoints lw 2 pt 7");
    fputs("unset multiplot\n", f);
}

int ts_plot_sweep(const char *image, const ts_plot_sweep_t *sw, const ts_plot_opts_t *opts,
                  ts_err_t *err)
{
    static const plot_kind_t kind = {"a sweep along one key", "Benefit and cost along the sweep",
                                     PLOT_H_PANELS, plot_lists_data, plot_sweep_commands};
    if (!sw || !sw->n_x || !sw->x_labels || !sw->x_name || !sw->n_lines || !sw->benefit ||
        !sw->cost)
        return ts_err_set(err, TS_EINVAL, "plot '%s': no values or no lines",
                          image ? image : "");
    size_t with_points = 0;
    int rc = plot_lists_check(sw->benefit, sw->n_lines, &with_points, err);
    if (!rc)
        rc = plot_lists_check(sw->cost, sw->n_lines, &with_points, err);
    if (rc)
        return rc;
    if (!with_points)
        return ts_err_set(err, TS_EINVAL, "plot '%s': no line has points", image);
    plot_sweep_ctx_t c = {.l = {.s = {sw->benefit, sw->cost},
                                .n = {sw->n_lines, sw->n_lines},
                                .heading = {"benefit of ", "cost of "},
                                .columns = "value_index value"},
                          .sw = sw};
    return plot_draw(image, &kind, &c, opts, err);
}

/* ---- cost against benefit, Pareto front ---- */

static int pareto_cmp(const void *a, const void *b, void *ctx)
{
    const double *const *v = ctx; /* v[0] costs, v[1] benefits */
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (v[0][i] != v[0][j])
        return v[0][i] < v[0][j] ? -1 : 1;
    if (v[1][i] != v[1][j])
        return v[1][i] > v[1][j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

size_t ts_pareto_front(const double *cost, const double *benefit, size_t n, size_t *front)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(cost[i]) && isfinite(benefit[i]))
            front[m++] = i;
    const double *v[2] = {cost, benefit};
    qsort_r(front, m, sizeof(*front), pareto_cmp, (void *)v);
    /* By cost, then benefit descending: a point is on the front when it beats the best
     * benefit of every point at most as costly. */
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || benefit[front[i]] > benefit[front[k - 1]])
            front[k++] = front[i];
    return k;
}

typedef struct plot_pareto {
    const ts_plot_points_t *p;
    const size_t *front;
    size_t n_front;
} plot_pareto_t;

static void plot_pareto_row(FILE *f, const ts_plot_points_t *p, size_t i)
{
    fprintf(f, "%.10g %.10g \"", p->cost_usd[i], p->benefit[i]);
    plot_text(f, p->labels && p->labels[i] ? p->labels[i] : "", '"');
    fputs("\"\n", f);
}

static const char *plot_benefit(const ts_plot_points_t *p)
{
    return p->benefit_name && p->benefit_name[0] ? p->benefit_name : "hit ratio";
}

static void plot_pareto_data(FILE *f, const void *ctx)
{
    const plot_pareto_t *pp = ctx;
    const ts_plot_points_t *p = pp->p;
    fprintf(f, "# columns: cost_usd (%s) ", plot_per(p->per));
    plot_text(f, plot_benefit(p), 0);
    fputs(" name\n# index 0, every run\n", f);
    for (size_t i = 0; i < p->n; i++)
        if (isfinite(p->cost_usd[i]) && isfinite(p->benefit[i]))
            plot_pareto_row(f, p, i);
    fputs("\n\n# index 1, the Pareto front (least cost, most benefit)\n", f);
    for (size_t i = 0; i < pp->n_front; i++)
        plot_pareto_row(f, p, pp->front[i]);
}

/* A label's box on the plot, in data units. */
typedef struct plot_label {
    double x0, x1, y0, y1;
} plot_label_t;

/* The x and y spans of the points (y in %), never 0. */
static void plot_pareto_ranges(const ts_plot_points_t *p, double *xr, double *yr)
{
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (size_t i = 0; i < p->n; i++) {
        double v[2] = {p->cost_usd[i], p->benefit[i] * 100};
        for (size_t k = 0; k < 2; k++)
            if (isfinite(v[k])) {
                lo[k] = v[k] < lo[k] ? v[k] : lo[k];
                hi[k] = v[k] > hi[k] ? v[k] : hi[k];
            }
    }
    *xr = hi[0] > lo[0] ? hi[0] - lo[0] : 1;
    *yr = hi[1] > lo[1] ? hi[1] - lo[1] : 1;
}

static bool plot_is_front(const plot_pareto_t *pp, size_t i)
{
    for (size_t k = 0; k < pp->n_front; k++)
        if (pp->front[k] == i)
            return true;
    return false;
}

/* Places the label of `chars` characters of the point (x, y): above and right of it, or
 * below and right when a label placed before overlaps that box. Returns false when both
 * are taken; else records the box and sets *dy, its offset in lines. The plot area is
 * about 150 characters of the labels' font wide and 40 lines high (of the data's spans
 * xr and yr, widened by the plot's offsets). */
static bool plot_label_place(plot_label_t *placed, size_t *n, double x, double y, size_t chars,
                             double xr, double yr, double *dy)
{
    const double cw = 1.2 * xr / 150, lh = 1.2 * yr / 40;
    static const double offsets[2] = {0.6, -1.4};
    for (size_t o = 0; o < 2; o++) {
        plot_label_t b = {x + 0.8 * cw, x + (0.8 + (double)chars) * cw, y + offsets[o] * lh,
                          y + (offsets[o] + 1) * lh};
        bool free = true;
        for (size_t k = 0; k < *n && free; k++)
            free = b.x1 <= placed[k].x0 || b.x0 >= placed[k].x1 || b.y1 <= placed[k].y0 ||
                   b.y0 >= placed[k].y1;
        if (free) {
            placed[(*n)++] = b;
            *dy = offsets[o];
            return true;
        }
    }
    return false;
}

static void plot_pareto_commands(FILE *f, const void *ctx, const char *title)
{
    const plot_pareto_t *pp = ctx;
    const ts_plot_points_t *p = pp->p;
    char label[200];
    fputs("set title ", f);
    plot_quote(f, title);
    snprintf(label, sizeof(label), "cost ($ %.120s)", plot_per(p->per));
    fputs("\nset xlabel ", f);
    plot_quote(f, label);
    snprintf(label, sizeof(label), "%.120s (%%)", plot_benefit(p));
    fputs("\nset ylabel ", f);
    plot_quote(f, label);
    fputs("\nset key below\nset offsets graph 0.05, graph 0.15, graph 0.05, graph 0.05\n",
          f);
    /* Labels: every point when few, else the front's; the front's placed first. */
    bool is_all = p->n <= PLOT_MAX_LABELS;
    plot_label_t placed[PLOT_MAX_LABELS];
    size_t n_placed = 0, tag = 1;
    double xr, yr;
    plot_pareto_ranges(p, &xr, &yr);
    for (size_t pass = 0; p->labels && pass < (is_all ? 2u : 1u); pass++) {
        size_t count = pass == 0 ? pp->n_front : p->n;
        for (size_t k = 0; k < count && n_placed < PLOT_MAX_LABELS; k++) {
            size_t i = pass == 0 ? pp->front[k] : k;
            if (pass == 1 && plot_is_front(pp, i))
                continue;
            if (!p->labels[i] || !p->labels[i][0] || !isfinite(p->cost_usd[i]) ||
                !isfinite(p->benefit[i]))
                continue;
            double dy;
            if (!plot_label_place(placed, &n_placed, p->cost_usd[i], p->benefit[i] * 100,
                                  strlen(p->labels[i]), xr, yr, &dy))
                continue; /* both places taken: the point stays unnamed */
            fprintf(f, "set label %zu ", tag++);
            plot_quote(f, p->labels[i]);
            fprintf(f, " at %.10g, %.10g offset character 0.8, %.1f font ',9'\n",
                    p->cost_usd[i], p->benefit[i] * 100, dy);
        }
    }
    fputs("plot $data index 0 using 1:($2*100) with points pt 7 ps 1.2 title 'runs'", f);
    if (pp->n_front) {
        snprintf(label, sizeof(label), "Pareto front (least cost, most %.120s)",
                 plot_benefit(p));
        fputs(", \\\n     $data index 1 using 1:($2*100) with steps lw 2 title ", f);
        plot_quote(f, label);
        fputs(", \\\n     $data index 1 using 1:($2*100) with points pt 6 ps 2 notitle", f);
    }
    fputc('\n', f);
}

int ts_plot_pareto(const char *image, const ts_plot_points_t *pts, const ts_plot_opts_t *opts,
                   ts_err_t *err)
{
    static const plot_kind_t kind = {"cost against benefit", "Cost and benefit across runs",
                                     PLOT_H, plot_pareto_data, plot_pareto_commands};
    if (!pts || !pts->n || !pts->cost_usd || !pts->benefit)
        return ts_err_set(err, TS_EINVAL, "plot '%s': no points", image ? image : "");
    size_t *front = ts_malloc(pts->n * sizeof(*front));
    if (!front)
        return ts_err_set(err, TS_ENOMEM, "plot '%s': cannot allocate the Pareto front of %zu "
                          "points", image ? image : "", pts->n);
    plot_pareto_t pp = {pts, front, ts_pareto_front(pts->cost_usd, pts->benefit, pts->n, front)};
    int rc = pp.n_front ? plot_draw(image, &kind, &pp, opts, err)
                        : ts_err_set(err, TS_EINVAL, "plot '%s': no point has a finite cost "
                                     "and benefit", image ? image : "");
    ts_free(front);
    return rc;
}
