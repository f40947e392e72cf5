/* SPDX-License-Identifier: MIT */
/*
 * cli.c - the tiersim command line: ts_cli_main checks the registries and dispatches the verbs
 * run, mrc, sweep, report, trace (info, head, gen, convert) and list (policies, formats,
 * generators, admission, prefetchers, models, devices, prices), each in its cli_<verb>.c;
 * help and version; and the option helpers the verbs share (cli_internal.h).
 *
 * Each verb parses its own options with getopt_long, calls the library, and prints. Errors
 * from the library arrive as a ts_err_t and leave as one line `tiersim: error: where: msg`
 * with exit status 1; usage errors exit with 2.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../sim/util/units.h"
#include "cli_internal.h"
#include "plugins.h"

/* ---- errors, the options several verbs take, help ---- */

int ts__cli_fail(const ts_err_t *err)
{
    char buf[512];
    fprintf(stderr, "tiersim: error: %s\n", ts_err_format(err, buf, sizeof(buf)));
    return 1;
}

int ts__cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tiersim: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'tiersim help'.\n");
    return 2;
}

int ts__cli_add_override(const char **ovr, size_t *n, const char *arg)
{
    if (*n == TS__CLI_MAX_OVERRIDES)
        return ts__cli_usage_error("too many -s overrides (at most %s)", "256");
    ovr[(*n)++] = arg;
    return 0;
}

int ts__cli_count_opt(const char *arg, const char *usage, size_t *out)
{
    uint64_t v;
    ts_err_t e = {0};
    if (ts_parse_count(arg, &v, &e) != 0 || v == 0 || v > 100000)
        return ts__cli_usage_error(usage, arg);
    *out = (size_t)v;
    return 0;
}

FILE *ts__cli_progress_out(bool quiet)
{
    return !quiet && isatty(STDERR_FILENO) ? stderr : NULL;
}

void ts__cli_help(FILE *out)
{
    fprintf(out,
            "usage: tiersim VERB [options]\n"
            "\n"
            "verbs:\n"
            "  run [SCENARIO] [-s key.path=value]... [--json] [--timing] [-o DIR] [-q]\n"
            "        run a scenario (YAML) with its engine (fast or timed); with no SCENARIO, the\n"
            "        built-in default. Prints a text report, or the JSON result with --json.\n"
            "        On a terminal a progress line shows on stderr once a run lasts a second;\n"
            "        -q prints neither.\n"
            "  mrc [SCENARIO] [-s key.path=value]... [--policies P,Q,...|all]\n"
            "      [--sizes S,S,... | --points N] [--threads N] [-o DIR] [--plot FILE] [-q]\n"
            "        miss-ratio curves of the top tier: one fast run per policy and capacity,\n"
            "        side by side on the cores. Sizes are shares of the footprint (5%%) or\n"
            "        capacities (1000 objects, 4GiB); default 0.1%% to 100%% in 1-2-5 steps;\n"
            "        --points N spaces N shares evenly on a log scale. Prints a table; -o DIR\n"
            "        writes DIR/mrc.csv; --plot mrc.svg (or .png) draws it with gnuplot\n"
            "  sweep [SCENARIO] [--vary key.path=V1,V2,...]... [-s key.path=value]...\n"
            "        [--threads N] [--shard I/N] [-o DIR] [--html FILE] [-q]\n"
            "        run the scenario at every point of the grid of its `sweep:` axes and\n"
            "        the --vary ones (each axis's values separated by commas; commas inside\n"
            "        {}, [] or quotes stay in a value), side by side on the cores. Prints a\n"
            "        row per point; -o DIR writes DIR/sweep.csv and every run in\n"
            "        DIR/result.h5; --html FILE writes the runs' HTML report (cost against\n"
            "        benefit with the Pareto front).\n"
            "        --shard I/N runs only the points whose number modulo N is I (one task\n"
            "        of a job array); `report` reads the shards' result.h5 files together\n"
            "  report RESULTS.h5... [--html FILE] [--plots DIR] [--run-figures N] [-q]\n"
            "        the runs of HDF5 results files: their text reports, or with --html one\n"
            "        self-contained page (tables, figures inlined as SVG, the scenarios) that\n"
            "        opens in any browser; --plots DIR keeps the figures, their data and\n"
            "        gnuplot scripts; the first N runs (24) get their own figures, the others\n"
            "        their tables. Without gnuplot the page leaves the figures out (a warning)\n"
            "  trace info FILE [--format FMT] [-p name=value]... [--json]\n"
            "        requests, unique keys, footprint, time span, op mix, size percentiles\n"
            "  trace head FILE [-n N] [--format FMT] [-p name=value]...\n"
            "        the first N requests (10), every field\n"
            "  trace gen SCENARIO -o FILE [--format FMT] [-s key.path=value]... [-q]\n"
            "        write the scenario's workload (a generator or a trace) to a trace file\n"
            "  trace convert IN OUT [--from FMT] [--to FMT] [-p name=value]... [-q]\n"
            "        convert a trace between formats (the output's by its name, else native)\n"
            "        -p sets a parameter of the input format's reader, e.g. for CSV:\n"
            "        -p time_unit=ns -p header=true -p columns.size=-1\n"
            "        info, head and convert also take --sample RATE (keep RATE of the keys,\n"
            "        every request of each kept key), --start T and --end T (a window from\n"
            "        the first request's time), and --skip-bad N (pass over up to N malformed\n"
            "        records, reporting how many); gen and convert show their progress on a\n"
            "        terminal, -q silences it and the closing line\n"
            "  list [policies|formats|generators|admission|prefetchers|models|devices [FILE]|\n"
            "        prices]\n"
            "        the registered plug-ins with their parameters; the device and link\n"
            "        presets (and those of a catalogue FILE) with key figures and fields;\n"
            "        the default prices and the cost keys of a scenario\n"
            "  help | --help     this text\n"
            "  version | --version\n");
}

/* ---- main ---- */

int ts_cli_main(int argc, char **argv)
{
    static const char *const verbs[] = {"run",  "mrc",  "sweep", "report", "trace",
                                        "list", "help", "version"};
    ts_err_t err = {0};
    if (ts_plugins_check(&err)) { /* a broken plug-in table is a bug of this build */
        ts_err_where(&err, "internal");
        ts__cli_fail(&err);
        return 70; /* EX_SOFTWARE */
    }
    if (argc < 2) {
        ts__cli_help(stderr);
        return 2;
    }
    const char *v = argv[1];
    if (strcmp(v, "run") == 0)
        return ts__cli_run(argc - 1, argv + 1);
    if (strcmp(v, "mrc") == 0)
        return ts__cli_mrc(argc - 1, argv + 1);
    if (strcmp(v, "sweep") == 0)
        return ts__cli_sweep(argc - 1, argv + 1);
    if (strcmp(v, "report") == 0)
        return ts__cli_report(argc - 1, argv + 1);
    if (strcmp(v, "trace") == 0)
        return ts__cli_trace(argc - 1, argv + 1);
    if (strcmp(v, "list") == 0)
        return ts__cli_list(argc - 1, argv + 1);
    if (strcmp(v, "help") == 0 || strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0) {
        ts__cli_help(stdout);
        return 0;
    }
    if (strcmp(v, "version") == 0 || strcmp(v, "--version") == 0) {
        printf("tiersim %s\n", TS_VERSION);
        return 0;
    }
    const char *hint = ts_suggest(v, verbs, sizeof(verbs) / sizeof(verbs[0]));
    fprintf(stderr, "tiersim: error: unknown verb '%s'%s%s%s\nTry 'tiersim help'.\n", v,
            hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    return 2;
}
