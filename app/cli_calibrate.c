/* SPDX-License-Identifier: MIT */
/*
 * cli_calibrate.c - `tiersim calibrate`: measures a scratch file's file system (--file),
 * host memory (--memory) or a GPU (--gpu N) through the live back-ends, fits the device
 * model and writes a devices catalogue file (app/calibrate.c).
 *
 * With -o FILE the table goes to stdout and the catalogue into FILE (atomically); without,
 * the catalogue goes to stdout with the table as its comment block. A progress line shows
 * on stderr when it is a terminal. The first signal stops after the point in progress: the
 * table of what was measured is printed, nothing is written, exit 128 + the signal.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "../sim/util/units.h"
#include "calibrate.h"
#include "cli_internal.h"

/* The progress line: ctx is the FILE it goes to (NULL: none). */
static void cli_calib_progress(void *ctx, size_t done, size_t total, const char *what)
{
    FILE *out = ctx;
    if (!out)
        return;
    fprintf(out, "\r\033[Kcalibrate: point %zu of %zu: %s", done + 1, total, what);
    fflush(out);
}

/* A catalogue name: letters, digits, '.', '_', '-', shorter than TS_DEV_NAME. */
static bool cli_calib_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= TS_DEV_NAME)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

int ts__cli_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"file", required_argument, NULL, 'f'},   {"memory", no_argument, NULL, 'm'},
        {"gpu", required_argument, NULL, 'g'},    {"size", required_argument, NULL, 'S'},
        {"output", required_argument, NULL, 'o'}, {"name", required_argument, NULL, 'n'},
        {"keep", no_argument, NULL, 'k'},         {"quick", no_argument, NULL, 'Q'},
        {"time", required_argument, NULL, 't'},   {"cuda-library", required_argument, NULL, 'L'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ts_calib_spec_t spec = {.target = -1};
    const char *out_path = NULL, *name = NULL, *size_arg = NULL;
    bool quiet = false, has_size = false;
    int targets = 0, c, rc = 0;
    ts_err_t err = {0};
    optind = 1;
    while (rc == 0 && (c = ts__cli_getopt("calibrate", argc, argv, "o:qh", opts)) != -1) {
        switch (c) {
        case 'f':
            rc = ts__cli_path_opt("calibrate", "--file", optarg);
            spec.target = TS_CALIB_FILE;
            spec.path = optarg;
            targets++;
            break;
        case 'm':
            spec.target = TS_CALIB_MEMORY;
            targets++;
            break;
        case 'g': {
            int64_t v;
            spec.target = TS_CALIB_GPU;
            targets++;
            if (ts_parse_int(optarg, &v, &err) != 0 || v < 0 || v > 1023)
                rc = ts__cli_usage("calibrate",
                                   "--gpu expects a GPU number from 0 to 1023, found '%s'",
                                   optarg);
            spec.gpu = (int)v;
            break;
        }
        case 'S':
            has_size = true;
            size_arg = optarg;
            if (ts_parse_size(optarg, &spec.size_bytes, &err) != 0)
                rc = ts__cli_usage("calibrate", "--size: %s", err.msg);
            break;
        case 'o':
            rc = ts__cli_path_opt("calibrate", "--output", optarg);
            out_path = optarg;
            break;
        case 'n':
            name = optarg;
            if (!cli_calib_name_ok(optarg))
                rc = ts__cli_usage("calibrate",
                                   "--name expects a device name of letters, digits, '.', '_' "
                                   "and '-' (at most %d characters), found '%s'",
                                   TS_DEV_NAME - 1, optarg);
            break;
        case 'k':
            spec.keep = true;
            break;
        case 'Q':
            spec.quick = true;
            break;
        case 't':
            if (ts_parse_duration(optarg, &spec.point_ns, &err) != 0 || spec.point_ns < 1000000 ||
                spec.point_ns > 60000000000u)
                rc = ts__cli_usage("calibrate",
                                   "--time expects a duration from 1ms to 60s per point, such as "
                                   "500ms, found '%s'",
                                   optarg);
            break;
        case 'L':
            rc = ts__cli_path_opt("calibrate", "--cuda-library", optarg);
            spec.gpu_library = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            return ts__cli_help_topic("calibrate", NULL, stdout);
        default:
            rc = 2;
        }
    }
    if (rc)
        return rc;
    if (targets != 1)
        return ts__cli_usage("calibrate", "calibrate measures one device: give one of --file "
                                          "PATH, --memory or --gpu N");
    if (optind < argc)
        return ts__cli_usage("calibrate", "calibrate takes no arguments, found '%s'",
                             argv[optind]);
    if (spec.gpu_library && spec.target != TS_CALIB_GPU)
        return ts__cli_usage("calibrate", "--cuda-library goes with --gpu N");
    if (!has_size)
        spec.size_bytes = spec.target == TS_CALIB_FILE ? 1024ull * 1024 * 1024
                                                       : 256ull * 1024 * 1024;
    if (spec.size_bytes < ts_calib_min_size(spec.quick)) {
        char a[32];
        return ts__cli_usage("calibrate", "--size must be at least %s%s, found '%s'",
                             ts_format_size(ts_calib_min_size(spec.quick), 1, a, sizeof(a)),
                             spec.quick ? " with --quick" : "",
                             size_arg);
    }
    if (!name)
        name = spec.target == TS_CALIB_FILE     ? "calibrated-file"
               : spec.target == TS_CALIB_MEMORY ? "calibrated-memory"
                                                : "calibrated-gpu";
    static volatile sig_atomic_t stop;
    ts__cli_signals_soft(&stop);
    spec.stop = &stop;
    spec.output = out_path;
    FILE *prog = ts__cli_progress_out(quiet);
    spec.progress = cli_calib_progress;
    spec.progress_ctx = prog;
    ts_calib_t *cal = ts_calloc(1, sizeof(*cal));
    if (!cal) {
        ts_err_set(&err, TS_ENOMEM, "calibrate: out of memory");
        return ts__cli_fail(&err);
    }
    ts_err_clear(&err);
    rc = ts_calib_measure(&spec, cal, &err);
    if (prog) {
        fprintf(prog, "\r\033[K");
        fflush(prog);
    }
    if (rc == 0 && cal->note[0] && !quiet)
        fprintf(stderr, "tiersim: note: %s\n", cal->note);
    if (rc == 0 && cal->stopped) {
        if (!quiet)
            ts_calib_write_text(cal, stdout, "");
        fprintf(stderr, "tiersim: interrupted (%s); nothing written to %s\n",
                stop == SIGINT ? "SIGINT" : stop == SIGTERM ? "SIGTERM" : "SIGHUP",
                out_path ? out_path : "standard output");
        ts_free(cal);
        return 128 + (int)stop;
    }
    if (rc == 0 && out_path && !quiet)
        ts_calib_write_text(cal, stdout, "");
    if (rc == 0)
        rc = ts_calib_write_yaml(cal, name, out_path, stdout, &err);
    if (rc == 0 && out_path && !quiet)
        fprintf(stderr, "tiersim: wrote %s (device %s)\n", out_path, name);
    ts_free(cal);
    return rc ? ts__cli_fail(&err) : 0;
}
