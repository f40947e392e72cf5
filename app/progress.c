/* SPDX-License-Identifier: MIT */
/*
 * progress.c - the progress meter and its line (see progress.h).
 */
#include "progress.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "../sim/util/fmt.h"

#define PROGRESS_BAR 20 /* cells of the bar */

static double progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds as "6s", "1m05s" or "2h03m", rounded to the nearest second. */
static const char *progress_time(double s, char *buf, size_t size)
{
    long long v = s > 0 && s < 1e12 ? llround(s) : 0;
    if (v < 60)
        snprintf(buf, size, "%llds", v);
    else if (v < 3600)
        snprintf(buf, size, "%lldm%02llds", v / 60, v % 60);
    else
        snprintf(buf, size, "%lldh%02lldm", v / 3600, v % 3600 / 60);
    return buf;
}

const char *ts_progress_format(uint64_t done, uint64_t total, double elapsed_s, char *buf,
                               size_t size)
{
    return ts_progress_format_unit(done, total, elapsed_s, NULL, buf, size);
}

const char *ts_progress_format_unit(uint64_t done, uint64_t total, double elapsed_s,
                                    const char *unit, char *buf, size_t size)
{
    char d[TS_FMT_LEN], t[TS_FMT_LEN], r[TS_FMT_LEN], e[32];
    double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0;
    if (unit && rate < 10) /* a few points a second: "0.25/s", not "0/s" */
        snprintf(r, sizeof(r), "%.2g", rate);
    else
        ts_fmt_count((uint64_t)llround(rate), r, sizeof(r));
    const char *u = unit ? unit : "requests";
    ts_fmt_count(done, d, sizeof(d));
    if (!total) {
        snprintf(buf, size, "%s %s, %s/s, %s elapsed", d, u, r,
                 progress_time(elapsed_s, e, sizeof(e)));
        return buf;
    }
    uint64_t shown = done < total ? done : total;
    double share = (double)shown / (double)total;
    char bar[PROGRESS_BAR + 1];
    size_t filled = (size_t)((double)shown * PROGRESS_BAR / (double)total);
    memset(bar, '#', filled);
    memset(bar + filled, ' ', PROGRESS_BAR - filled);
    bar[PROGRESS_BAR] = 0;
    if (done)
        progress_time(elapsed_s * (double)(total - shown) / (double)done, e, sizeof(e));
    else
        snprintf(e, sizeof(e), "?");
    char pct[TS_FMT_LEN];
    snprintf(buf, size, "%5s%% [%s] %s/%s %s, %s/s, ETA %s",
             ts_fmt_fixed(share * 100, 1, pct, sizeof(pct)), bar, d,
             ts_fmt_count(total, t, sizeof(t)), u, r, e);
    return buf;
}

void ts_progress_start(ts_progress_t *p, FILE *out, uint64_t total)
{
    p->out = out;
    p->total = total;
    p->start_s = progress_now();
    p->drawn_s = 0;
    p->width = 0;
    p->unit = NULL;
}

void ts_progress_update(ts_progress_t *p, uint64_t done, uint64_t total)
{
    if (total)
        p->total = total;
    if (!p->out)
        return;
    double now = progress_now();
    if (done == 0) { /* a replay starts: what came before is not in its rate */
        p->start_s = now;
        return;
    }
    if (now - p->start_s < TS_PROGRESS_DELAY_S || now - p->drawn_s < TS_PROGRESS_REDRAW_S)
        return;
    char line[TS_PROGRESS_LINE];
    ts_progress_format_unit(done, p->total, now - p->start_s, p->unit, line, sizeof(line));
    size_t n = strlen(line);
    /* Pad over what is left of a longer previous line. */
    int pad = p->width > n ? (int)(p->width - n) : 0;
    fprintf(p->out, "\r%s%*s", line, pad, "");
    fflush(p->out);
    p->width = n;
    p->drawn_s = now;
}

void ts_progress_finish(ts_progress_t *p)
{
    if (!p->out || !p->width)
        return;
    fprintf(p->out, "\r%*s\r", (int)p->width, "");
    fflush(p->out);
    p->width = 0;
}

void ts_progress_hook_meter(void *ctx, uint64_t done, uint64_t total)
{
    ts_progress_update(ctx, done, total);
}
