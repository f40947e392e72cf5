/* SPDX-License-Identifier: MIT */
/*
 * cli.c - the tiersim command line: verbs run, mrc, report, trace (info, head, gen, convert), list
 * (policies, formats, generators, admission, prefetchers, models, devices, prices).
 *
 * Each verb parses its own options with getopt_long, calls the library, and prints. Errors
 * from the library arrive as a ts_err_t and leave as one line `tiersim: error: where: msg`
 * with exit status 1; usage errors exit with 2.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/admit.h"
#include "../sim/policy.h"
#include "../sim/prefetch.h"
#include "../sim/util/fmt.h"
#include "../reports/mrc_report.h"
#include "../reports/h5.h"
#include "../reports/report.h"
#include "../reports/report_html.h"
#include "../reports/sweep_report.h"
#include "../traces/info.h"
#include "../traces/trace.h"
#include "../workloads/gen.h"
#include "../sim/models.h"
#include "../sim/cost.h"
#include "../sim/device.h"
#include "../sim/util/mem.h"
#include "mrc.h"
#include "progress.h"
#include "run.h"
#include "../sim/sample.h"
#include "scenario.h"
#include "sweep.h"
#include "../sim/util/units.h"

#define CLI_MAX_OVERRIDES 256

static int cli_fail(const ts_err_t *err)
{
    char buf[512];
    fprintf(stderr, "tiersim: error: %s\n", ts_err_format(err, buf, sizeof(buf)));
    return 1;
}

static int cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tiersim: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'tiersim help'.\n");
    return 2;
}

#define CLI_THREADS_USAGE "--threads expects a count such as 4, found '%s'"

/* -s VALUE: one more override in ovr[0..*n). Returns 0, or 2 (a usage error) past
 * CLI_MAX_OVERRIDES. */
static int cli_add_override(const char **ovr, size_t *n, const char *arg)
{
    if (*n == CLI_MAX_OVERRIDES)
        return cli_usage_error("too many -s overrides (at most %s)", "256");
    ovr[(*n)++] = arg;
    return 0;
}

/* A count option from 1 to 100000 (--threads, --points) into *out; 2 (a usage error)
 * naming it otherwise. */
static int cli_count_opt(const char *arg, const char *usage, size_t *out)
{
    uint64_t v;
    ts_err_t e = {0};
    if (ts_parse_count(arg, &v, &e) != 0 || v == 0 || v > 100000)
        return cli_usage_error(usage, arg);
    *out = (size_t)v;
    return 0;
}

/* Where progress lines go: stderr when it is a terminal and --quiet was not given. */
static FILE *cli_progress_out(bool quiet)
{
    return !quiet && isatty(STDERR_FILENO) ? stderr : NULL;
}

static void cli_help(FILE *out)
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

/* ---- run ---- */

/* Settles which result files run writes before it runs (the time series are sampled only
 * for result.h5): -o DIR replaces outputs.dir; a scenario that turns every file off gets
 * them all. */
static int cli_outputs(ts_scenario_t *sc, const char *outdir, ts_err_t *err)
{
    ts_output_spec_t *o = &sc->outputs;
    if (outdir) {
        int n = snprintf(o->dir, sizeof(o->dir), "%s", outdir);
        if (n < 0 || (size_t)n >= sizeof(o->dir))
            return ts_err_set(err, TS_EINVAL, "-o: output directory name too long (%zu bytes)",
                              strlen(outdir));
    }
    if (!o->json && !o->csv && !o->text && !o->hdf5)
        o->json = o->csv = o->text = o->hdf5 = true;
    return 0;
}

static int cli_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, NULL, 's'}, {"json", no_argument, NULL, 'j'},
        {"timing", no_argument, NULL, 't'},    {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *ovr[CLI_MAX_OVERRIDES];
    size_t n_ovr = 0;
    bool json = false, timing = false, quiet = false;
    const char *outdir = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (cli_add_override(ovr, &n_ovr, optarg))
                return 2;
            break;
        case 'j':
            json = true;
            break;
        case 't':
            timing = true;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            cli_help(stdout);
            return 0;
        default:
            return 2;
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("run takes one scenario, found also '%s'", argv[optind + 1]);
    const char *path = optind < argc ? argv[optind] : NULL;

    ts_err_t err = {0};
    ts_scenario_t *sc = NULL;
    ts_result_t *res = ts_calloc(1, sizeof(*res));
    if (!res) {
        ts_err_set(&err, TS_ENOMEM, "cannot allocate the result");
        return cli_fail(&err);
    }
    int rc = ts_scenario_load(path, NULL, ovr, n_ovr, &sc, &err);
    ts_progress_t meter;
    ts_progress_start(&meter, cli_progress_out(quiet), 0);
    const ts_progress_hook_t hook = {ts_progress_hook_meter, &meter};
    const ts_run_opts_t run_opts = {.progress = &hook};
    if (rc == 0)
        rc = cli_outputs(sc, outdir, &err);
    if (rc == 0)
        rc = ts_run_with(sc, &run_opts, res, &err);
    ts_progress_finish(&meter);
    if (rc == 0) {
        if (json)
            rc = ts_report_json(res, timing, stdout, &err);
        else if (!quiet)
            rc = ts_report_text(res, stdout, &err);
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = ts_err_sys(&err, TS_EIO, errno, "cannot write to standard output");
    if (rc == 0 && sc->outputs.dir[0]) {
        const ts_output_spec_t *o = &sc->outputs;
        rc = ts_report_write_dir(res, o->dir, o->json, o->csv, o->text, o->hdf5, &err);
    }
    ts_scenario_destroy(sc);
    ts_result_release(res);
    ts_free(res);
    return rc ? cli_fail(&err) : 0;
}

/* ---- trace ---- */

static const ts_trace_format_t *cli_format(const char *name, const char *path, ts_err_t *err)
{
    if (name)
        return ts_trace_find(name, err);
    const ts_trace_format_t *f = ts_trace_guess(path);
    if (!f)
        ts_err_set(err, TS_EINVAL,
                   "cannot tell the format of '%s' from its contents or name; give --format",
                   path);
    return f;
}

/* Reader parameters for trace info / convert: path first, then each `-p name=value`. */
typedef struct cli_rparams {
    const char *names[CLI_MAX_OVERRIDES + 1];
    const char *values[CLI_MAX_OVERRIDES + 1];
    char *owned[CLI_MAX_OVERRIDES];
    size_t n, n_owned;
    ts_sample_spec_t sample; /* --sample, --start, --end (rate 0: not set, all) */
    uint64_t skip_bad;       /* --skip-bad N */
    ts_reader_t *outer;      /* the reader handed out, to ask how many were skipped */
} cli_rparams_t;

/* The reading options every trace verb takes, after -p: sampling while reading. */
#define CLI_READ_OPTS                                                                           \
    {"sample", required_argument, NULL, 'S'}, {"start", required_argument, NULL, 'A'},          \
        {"end", required_argument, NULL, 'E'}, {"skip-bad", required_argument, NULL, 'B'}

/* Takes one sampling or --skip-bad option into p (c is its getopt code). Returns 0 or 2. */
static int cli_sample_opt(cli_rparams_t *p, int c, const char *arg)
{
    if (c == 'B') {
        ts_err_t e = {0};
        if (ts_parse_count(arg, &p->skip_bad, &e) != 0)
            return cli_usage_error("--skip-bad expects a count of records, found '%s'", arg);
        return 0;
    }
    static const char *const names[] = {"rate", "start", "end"};
    size_t n;
    const ts_param_spec_t *spec = ts_sample_schema(&n);
    if (p->sample.rate == 0)
        p->sample.rate = 1.0;
    ts_err_t err = {0};
    const char *name = names[c == 'S' ? 0 : c == 'A' ? 1 : 2];
    if (ts_param_set(spec, n, &p->sample, name, arg, &err) != 0) {
        fprintf(stderr, "tiersim: error: --%s: %s\n", c == 'S' ? "sample" : name, err.msg);
        return 2;
    }
    return 0;
}

static int cli_rparam_add(cli_rparams_t *p, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || p->n_owned == CLI_MAX_OVERRIDES)
        return cli_usage_error("-p expects name=value (a parameter of the trace format), "
                               "found '%s'",
                               arg);
    char *name = ts_strdup(arg);
    if (!name)
        return cli_usage_error("out of memory at '%s'", arg);
    name[eq - arg] = 0;
    p->owned[p->n_owned++] = name;
    p->names[p->n] = name;
    p->values[p->n++] = eq + 1;
    return 0;
}

static void cli_rparams_free(cli_rparams_t *p)
{
    for (size_t i = 0; i < p->n_owned; i++)
        ts_free(p->owned[i]);
}

static int cli_open_trace(const ts_trace_format_t *fmt, const char *path, cli_rparams_t *p,
                          ts_reader_t **r, ts_err_t *err)
{
    p->names[p->n] = "path";
    p->values[p->n] = path;
    int rc = ts_reader_open_kv(fmt->reader, p->names, p->values, p->n + 1, NULL, r, err);
    if (rc == 0 && p->sample.rate != 0 && !ts_sample_is_all(&p->sample)) {
        ts_reader_t *inner = *r;
        *r = NULL;
        rc = ts_sample_open(inner, &p->sample, r, err);
    }
    if (rc == 0 && p->skip_bad) {
        ts_reader_t *inner = *r;
        *r = NULL;
        rc = ts_skipbad_open(inner, p->skip_bad, r, err);
    }
    p->outer = rc == 0 ? *r : NULL;
    return rc;
}

/* After a read with --skip-bad: says on stderr how many records were passed over. */
static void cli_report_skipped(const cli_rparams_t *p)
{
    const ts_err_t *first = NULL;
    uint64_t n = p->outer ? ts_skipbad_count(p->outer, &first) : 0;
    if (n && first)
        fprintf(stderr, "tiersim: passed over %llu malformed record%s; the first: %s%s%s\n",
                (unsigned long long)n, n == 1 ? "" : "s", first->where,
                first->where[0] ? ": " : "", first->msg);
}

static int cli_copy(ts_reader_t *r, const ts_trace_format_t *to, const char *out, bool quiet,
                    uint64_t *count, ts_err_t *err)
{
    if (!to->writer)
        return ts_err_set(err, TS_EUNSUPPORTED, "format %s cannot be written", to->name);
    ts_writer_t *w = NULL;
    int rc = to->writer->create(out, &w, err);
    ts_req_t q;
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    ts_progress_t meter;
    ts_progress_start(&meter, cli_progress_out(quiet), info.n_requests);
    *count = 0;
    while (rc == 0 && (rc = ts_reader_next(r, &q, err)) > 0) {
        rc = to->writer->write(w, &q, err);
        if ((++*count & (TS_PROGRESS_EVERY - 1)) == 0)
            ts_progress_update(&meter, *count, 0);
    }
    ts_progress_finish(&meter);
    if (rc == 0)
        rc = to->writer->finish(w, err);
    if (w)
        to->writer->destroy(w);
    return rc;
}

static void cli_print_stats(const ts_trace_stats_t *st)
{
    char a[32], b[32], c[32];
    printf("requests     %llu\n", (unsigned long long)st->n_requests);
    printf("unique keys  %llu\n", (unsigned long long)st->n_keys);
    printf("footprint    %s (%llu bytes)\n", ts_format_size(st->footprint_bytes, 1, a, sizeof(a)),
           (unsigned long long)st->footprint_bytes);
    printf("requested    %s\n", ts_format_size(st->requested_bytes, 1, a, sizeof(a)));
    printf("time span    %s", ts_format_duration(st->span_ns, a, sizeof(a)));
    if (st->n_time_backwards)
        printf(" (%llu requests out of time order)", (unsigned long long)st->n_time_backwards);
    printf("\nops         ");
    for (unsigned op = 0; op < TS_OP_COUNT_; op++) {
        double share = st->n_requests ? 100.0 * (double)st->n_ops[op] / (double)st->n_requests : 0;
        printf(" %s %llu (%.1f%%)", ts_op_name(op), (unsigned long long)st->n_ops[op], share);
    }
    printf("\nsize         min %s  mean %s  max %s\n",
           ts_format_size(st->size_min_bytes, 1, a, sizeof(a)),
           ts_format_size((uint64_t)(st->size_mean_bytes + 0.5), 1, b, sizeof(b)),
           ts_format_size(st->size_max_bytes, 1, c, sizeof(c)));
    printf("size pctl    p50 %s", ts_format_size((uint64_t)(st->size_p50_bytes + 0.5), 1, a, sizeof(a)));
    printf("  p90 %s", ts_format_size((uint64_t)(st->size_p90_bytes + 0.5), 1, a, sizeof(a)));
    printf("  p99 %s  (%s over %llu sizes)\n",
           ts_format_size((uint64_t)(st->size_p99_bytes + 0.5), 1, a, sizeof(a)),
           st->is_size_exact ? "exact" : "sampled", (unsigned long long)st->n_size_samples);
}

/* The statistics as one JSON object (trace info --json). */
static int cli_print_stats_json(const char *path, const char *format, const ts_trace_stats_t *st)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                          "s:{s:I, s:I, s:I}, "
                          "s:{s:I, s:f, s:I, s:f, s:f, s:f, s:b, s:I}}",
                          "trace", path, "format", format,
                          "requests", (json_int_t)st->n_requests,
                          "unique_keys", (json_int_t)st->n_keys,
                          "footprint_bytes", (json_int_t)st->footprint_bytes,
                          "requested_bytes", (json_int_t)st->requested_bytes,
                          "first_time_ns", (json_int_t)st->first_ns,
                          "last_time_ns", (json_int_t)st->last_ns,
                          "span_ns", (json_int_t)st->span_ns,
                          "time_backwards", (json_int_t)st->n_time_backwards,
                          "ops", "get", (json_int_t)st->n_ops[TS_OP_GET],
                          "put", (json_int_t)st->n_ops[TS_OP_PUT],
                          "delete", (json_int_t)st->n_ops[TS_OP_DELETE],
                          "size_bytes", "min", (json_int_t)st->size_min_bytes,
                          "mean", st->size_mean_bytes, "max", (json_int_t)st->size_max_bytes,
                          "p50", st->size_p50_bytes, "p90", st->size_p90_bytes,
                          "p99", st->size_p99_bytes, "exact", (int)st->is_size_exact,
                          "samples", (json_int_t)st->n_size_samples);
    if (!o)
        return cli_usage_error("cannot build the JSON of '%s'", path);
    int rc = json_dumpf(o, stdout, JSON_INDENT(2)) == 0 && fputc('\n', stdout) != EOF ? 0 : 1;
    json_decref(o);
    return rc;
}

/* What `trace info` and `trace head` share: FILE, --format, -p, the reading options, and
 * the verb's own (--json for info, -n for head). */
typedef struct cli_read {
    cli_rparams_t rp;
    const char *fmt_name;
    bool as_json;   /* info --json */
    uint64_t limit; /* head -n */
    const char *path;
    const ts_trace_format_t *fmt;
    ts_reader_t *r;
    ts_err_t err;
} cli_read_t;

/* Parses the arguments of `trace <verb>` and opens the reader. Returns 0, 2 (usage, said)
 * or 1 (an error in cr->err, not yet printed: the caller closes and fails). */
static int cli_read_open(int argc, char **argv, const char *verb, cli_read_t *cr)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                          {"param", required_argument, NULL, 'p'},
                                          {"json", no_argument, NULL, 'j'},
                                          CLI_READ_OPTS,
                                          {NULL, 0, NULL, 0}};
    bool is_head = strcmp(verb, "head") == 0;
    cr->limit = 10;
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, "f:p:n:", opts, NULL)) != -1) {
        ts_err_t perr = {0};
        if (c == 'f')
            cr->fmt_name = optarg;
        else if (c == 'p')
            rc = cli_rparam_add(&cr->rp, optarg);
        else if (c == 'j' && !is_head)
            cr->as_json = true;
        else if (c == 'n' && is_head)
            rc = ts_parse_count(optarg, &cr->limit, &perr) ? cli_usage_error("-n: %s", perr.msg)
                                                            : 0;
        else if (c == 'S' || c == 'A' || c == 'E' || c == 'B')
            rc = cli_sample_opt(&cr->rp, c, optarg);
        else
            rc = cli_usage_error("trace %s does not take this option", verb);
    }
    if (rc == 0 && optind != argc - 1)
        rc = cli_usage_error("trace %s takes one FILE", verb);
    if (rc)
        return rc;
    cr->path = argv[optind];
    cr->fmt = cli_format(cr->fmt_name, cr->path, &cr->err);
    if (!cr->fmt)
        return 1;
    return cli_open_trace(cr->fmt, cr->path, &cr->rp, &cr->r, &cr->err) ? 1 : 0;
}

/* Closes what cli_read_open opened; with rc 1, prints the error. Returns rc. */
static int cli_read_close(cli_read_t *cr, int rc)
{
    cli_report_skipped(&cr->rp);
    ts_reader_close(cr->r);
    cli_rparams_free(&cr->rp);
    return rc == 1 ? cli_fail(&cr->err) : rc;
}

static int cli_trace_info(int argc, char **argv)
{
    cli_read_t cr = {0};
    ts_trace_stats_t st;
    int rc = cli_read_open(argc, argv, "info", &cr);
    if (rc == 0 && ts_trace_stats(cr.r, &st, &cr.err) != 0)
        rc = 1;
    if ((rc = cli_read_close(&cr, rc)) != 0)
        return rc;
    if (cr.as_json)
        return cli_print_stats_json(cr.path, cr.fmt->name, &st);
    printf("trace        %s (%s)\n", cr.path, cr.fmt->name);
    cli_print_stats(&st);
    return 0;
}

/* trace head: the first N requests, one a line, every field. */
static int cli_trace_head(int argc, char **argv)
{
    cli_read_t cr = {0};
    int rc = cli_read_open(argc, argv, "head", &cr);
    if (rc == 0)
        printf("%20s %20s %12s %-6s %10s %5s %20s\n", "time_ns", "key", "size", "op",
               "stream", "flags", "idle_ns");
    ts_req_t q;
    for (uint64_t i = 0; rc == 0 && i < cr.limit; i++) {
        int got = ts_reader_next(cr.r, &q, &cr.err);
        if (got <= 0) {
            rc = got < 0;
            break;
        }
        printf("%20llu %20llu %12llu %-6s %10u %5u %20llu\n", (unsigned long long)q.time_ns,
               (unsigned long long)q.key, (unsigned long long)q.size_bytes, ts_op_name(q.op),
               q.stream, q.flags, (unsigned long long)q.idle_ns);
    }
    return cli_read_close(&cr, rc);
}

/* The output format: named, else the one the output file's name suggests when that
 * format can be written, else native. */
static const ts_trace_format_t *cli_out_format(const char *name, const char *path,
                                               ts_err_t *err)
{
    if (name)
        return ts_trace_find(name, err);
    const ts_trace_format_t *f = ts_trace_guess(path);
    return f && f->writer ? f : ts_trace_find("native", err);
}

static int cli_trace_gen(int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"set", required_argument, NULL, 's'},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {NULL, 0, NULL, 0}};
    const char *fmt_name = NULL, *out = NULL;
    const char *ovr[CLI_MAX_OVERRIDES];
    size_t n_ovr = 0;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:s:q", opts, NULL)) != -1) {
        if (c == 'f')
            fmt_name = optarg;
        else if (c == 'o')
            out = optarg;
        else if (c == 's' && n_ovr < CLI_MAX_OVERRIDES)
            ovr[n_ovr++] = optarg;
        else if (c == 'q')
            quiet = true;
        else
            return 2;
    }
    if (!out)
        return cli_usage_error("trace gen needs -o FILE%s", "");
    if (argc - optind > 1)
        return cli_usage_error("trace gen takes one scenario, found also '%s'", argv[optind + 1]);
    ts_err_t err = {0};
    ts_scenario_t *sc = NULL;
    ts_reader_t *r = NULL;
    uint64_t n = 0;
    const ts_trace_format_t *fmt = cli_out_format(fmt_name, out, &err);
    const char *path = optind < argc ? argv[optind] : NULL;
    int rc = fmt ? ts_scenario_load(path, NULL, ovr, n_ovr, &sc, &err) : TS_ENOENT;
    if (rc == 0)
        rc = ts_scenario_open_workload(sc, &r, &err);
    if (rc == 0)
        rc = cli_copy(r, fmt, out, quiet, &n, &err);
    ts_reader_close(r);
    ts_scenario_destroy(sc);
    if (rc)
        return cli_fail(&err);
    if (!quiet)
        fprintf(stderr, "tiersim: wrote %llu requests to %s (%s)\n", (unsigned long long)n, out,
            fmt->name);
    return 0;
}

static int cli_trace_convert(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                          {"to", required_argument, NULL, 't'},
                                          {"param", required_argument, NULL, 'p'},
                                          {"quiet", no_argument, NULL, 'q'},
                                          CLI_READ_OPTS,
                                          {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL;
    cli_rparams_t rp = {0};
    bool quiet = false;
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, "p:q", opts, NULL)) != -1) {
        if (c == 'q')
            quiet = true;
        else if (c == 'f')
            from = optarg;
        else if (c == 't')
            to = optarg;
        else if (c == 'p')
            rc = cli_rparam_add(&rp, optarg);
        else if (c == 'S' || c == 'A' || c == 'E' || c == 'B')
            rc = cli_sample_opt(&rp, c, optarg);
        else
            rc = 2;
    }
    if (rc == 0 && argc - optind != 2)
        rc = cli_usage_error("trace convert takes IN and OUT%s", "");
    if (rc) {
        cli_rparams_free(&rp);
        return rc;
    }
    const char *in = argv[optind], *out = argv[optind + 1];
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    uint64_t n = 0;
    const ts_trace_format_t *fin = cli_format(from, in, &err);
    const ts_trace_format_t *fout = fin ? cli_out_format(to, out, &err) : NULL;
    rc = fout ? cli_open_trace(fin, in, &rp, &r, &err) : TS_EINVAL;
    if (rc == 0)
        rc = cli_copy(r, fout, out, quiet, &n, &err);
    cli_report_skipped(&rp);
    ts_reader_close(r);
    cli_rparams_free(&rp);
    if (rc)
        return cli_fail(&err);
    if (!quiet)
        fprintf(stderr, "tiersim: wrote %llu requests to %s (%s)\n", (unsigned long long)n, out,
            fout->name);
    return 0;
}

static int cli_trace(int argc, char **argv)
{
    static const char *const subs[] = {"info", "gen", "convert", "head"};
    if (argc < 2)
        return cli_usage_error("trace needs a sub-verb: info, gen, convert or head%s", "");
    if (strcmp(argv[1], "head") == 0)
        return cli_trace_head(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0)
        return cli_trace_info(argc - 1, argv + 1);
    if (strcmp(argv[1], "gen") == 0)
        return cli_trace_gen(argc - 1, argv + 1);
    if (strcmp(argv[1], "convert") == 0)
        return cli_trace_convert(argc - 1, argv + 1);
    const char *hint = ts_suggest(argv[1], subs, 4);
    fprintf(stderr, "tiersim: error: unknown trace sub-verb '%s'%s%s%s\n", argv[1],
            hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    return 2;
}

/* ---- mrc ---- */

/* Splits a comma-separated list in place into at most max entries. Returns the count, or
 * max + 1 when there are more. */
static size_t cli_split(char *list, const char **out, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (n++ < max)
            out[n - 1] = t;
    return n;
}

/* The miss-ratio curve of the scenario's top tier, one column per policy. */
static int cli_mrc(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, NULL, 's'},     {"policies", required_argument, NULL, 'P'},
        {"sizes", required_argument, NULL, 'S'},   {"points", required_argument, NULL, 'N'},
        {"threads", required_argument, NULL, 'T'}, {"output", required_argument, NULL, 'o'},
        {"plot", required_argument, NULL, 'G'},    {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *ovr[CLI_MAX_OVERRIDES];
    const char *pols[TS_MRC_MAX_POLICIES];
    char *pol_list = NULL;
    ts_mrc_spec_t spec = {.overrides = ovr, .policies = pols};
    const char *outdir = NULL, *plot = NULL;
    bool quiet = false;
    size_t threads = 0;
    ts_err_t err = {0};
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, "s:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            rc = cli_add_override(ovr, &spec.n_overrides, optarg);
            break;
        case 'P':
            ts_free(pol_list);
            pol_list = ts_strdup(optarg);
            if (!pol_list)
                rc = cli_usage_error("out of memory at '%s'", optarg);
            else if (strcmp(pol_list, "all") == 0)
                for (spec.n_policies = 0; spec.n_policies < ts_policy_count(); spec.n_policies++)
                    pols[spec.n_policies] = ts_policy_at(spec.n_policies)->name;
            else if ((spec.n_policies = cli_split(pol_list, pols, TS_MRC_MAX_POLICIES)) == 0 ||
                     spec.n_policies > TS_MRC_MAX_POLICIES)
                rc = cli_usage_error("--policies expects 1 to 32 names separated by commas, "
                                     "found '%s'",
                                     optarg);
            break;
        case 'S':
            spec.sizes = optarg;
            break;
        case 'N':
            rc = cli_count_opt(optarg, "--points expects a count such as 12, found '%s'",
                               &spec.n_points);
            break;
        case 'T':
            rc = cli_count_opt(optarg, CLI_THREADS_USAGE, &threads);
            spec.threads = (int)threads;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'G':
            plot = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            cli_help(stdout);
            ts_free(pol_list);
            return 0;
        default:
            rc = 2;
        }
    }
    if (rc == 0 && spec.sizes && spec.n_points)
        rc = cli_usage_error("give --sizes or --points, not both%s", "");
    if (rc == 0 && argc - optind > 1)
        rc = cli_usage_error("mrc takes one scenario, found also '%s'", argv[optind + 1]);
    if (rc) {
        ts_free(pol_list);
        return rc;
    }
    spec.path = optind < argc ? argv[optind] : NULL;
    ts_err_clear(&err);
    ts_progress_t meter;
    ts_progress_start(&meter, cli_progress_out(quiet), 0);
    const ts_progress_hook_t hook = {ts_progress_hook_meter, &meter};
    spec.progress = &hook;
    ts_mrc_t *m = NULL;
    rc = ts_mrc_run(&spec, &m, &err);
    ts_progress_finish(&meter);
    if (rc == 0 && !quiet)
        rc = ts_report_mrc_text(m, stdout, &err);
    if (rc == 0 && outdir)
        rc = ts_report_mrc_write(m, outdir, &err);
    if (rc == 0 && plot) {
        rc = ts_report_mrc_plot(m, plot, NULL, &err);
        if (rc == TS_EUNSUPPORTED) { /* no image, but the data are there: a warning */
            fprintf(stderr, "tiersim: warning: %s\n", err.msg);
            rc = 0;
        }
    }
    ts_mrc_destroy(m);
    ts_free(pol_list);
    return rc ? cli_fail(&err) : 0;
}

/* ---- sweep ---- */

/* The HTML report of the runs of n files into html; figures gnuplot could not draw are a
 * warning. */
static int cli_html(const char *const *files, size_t n, const char *html,
                    const ts_report_html_opts_t *ro, bool quiet, ts_err_t *err)
{
    size_t missing = 0;
    char warn[sizeof(err->msg)];
    int rc = ts_report_html(files, n, html, ro, &missing, warn, sizeof(warn), err);
    if (rc)
        return rc;
    if (missing)
        fprintf(stderr, "tiersim: warning: %zu figure%s left out: %s\n", missing,
                missing == 1 ? "" : "s", warn);
    if (!quiet)
        printf("wrote %s\n", html);
    return 0;
}


/* Removes dir/result.h5 and dir, the scratch a sweep with --html and no -o wrote. */
static void cli_sweep_scratch_remove(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/result.h5", dir);
    remove(path);
    snprintf(path, sizeof(path), "%s/sweep.csv", dir);
    remove(path);
    rmdir(dir);
}

static int cli_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, NULL, 's'},    {"vary", required_argument, NULL, 'V'},
        {"threads", required_argument, NULL, 'T'}, {"output", required_argument, NULL, 'o'},
        {"html", required_argument, NULL, 'H'},   {"shard", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *ovr[CLI_MAX_OVERRIDES], *axes[TS_SWEEP_MAX_AXES];
    ts_sweep_spec_t spec = {.overrides = ovr, .axes = axes, .series = true};
    const char *outdir = NULL, *html = NULL;
    bool quiet = false;
    size_t threads = 0;
    ts_err_t err = {0};
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, "s:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            rc = cli_add_override(ovr, &spec.n_overrides, optarg);
            break;
        case 'V':
            if (spec.n_axes == TS_SWEEP_MAX_AXES)
                rc = cli_usage_error("too many --vary axes (at most %s)", "16");
            else
                axes[spec.n_axes++] = optarg;
            break;
        case 'T':
            rc = cli_count_opt(optarg, CLI_THREADS_USAGE, &threads);
            spec.threads = (int)threads;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'H':
            html = optarg;
            break;
        case 'S': {
            unsigned long i, n;
            int used = 0;
            if (sscanf(optarg, "%lu/%lu%n", &i, &n, &used) != 2 || optarg[used] || n == 0 ||
                i >= n || n > TS_SWEEP_MAX_POINTS || optarg[0] == '-')
                rc = cli_usage_error("--shard expects I/N with 0 <= I < N <= 10000, such as "
                                     "0/4, found '%s'", optarg);
            spec.shard = i;
            spec.n_shards = n;
            break;
        }
        case 'q':
            quiet = true;
            break;
        case 'h':
            cli_help(stdout);
            return 0;
        default:
            rc = 2;
        }
    }
    if (rc == 0 && argc - optind > 1)
        rc = cli_usage_error("sweep takes one scenario, found also '%s'", argv[optind + 1]);
    if (rc)
        return rc;
    spec.path = optind < argc ? argv[optind] : NULL;
    spec.series = outdir || html; /* the time series are for result.h5 only */
    ts_err_clear(&err);
    ts_progress_t meter;
    ts_progress_start(&meter, cli_progress_out(quiet), 0);
    const ts_progress_hook_t hook = {ts_progress_hook_meter, &meter};
    spec.progress = &hook;
    ts_sweep_t *s = NULL;
    rc = ts_sweep_run(&spec, &s, &err);
    ts_progress_finish(&meter);
    if (rc == 0 && !quiet)
        rc = ts_report_sweep_text(s, stdout, &err);
    if (rc == 0 && fflush(stdout) != 0)
        rc = ts_err_sys(&err, TS_EIO, errno, "cannot write to standard output");
    char scratch[PATH_MAX] = "";
    if (rc == 0 && html && !outdir) { /* the report reads a results file: a scratch one */
        const char *tmp = getenv("TMPDIR");
        snprintf(scratch, sizeof(scratch), "%s/tiersim-sweep.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(scratch)) {
            rc = ts_err_sys(&err, TS_EIO, errno, "cannot create a scratch directory in '%s'",
                            tmp && *tmp ? tmp : "/tmp");
            scratch[0] = 0;
        }
        outdir = scratch;
    }
    if (rc == 0 && outdir)
        rc = ts_report_sweep_write(s, outdir, &err);
    if (rc == 0 && html && !s->n_runs) {
        fprintf(stderr, "tiersim: warning: shard %zu/%zu has no point: no report written\n",
                s->shard, s->n_shards);
        html = NULL;
    }
    if (rc == 0 && html) {
        char h5[PATH_MAX + 16];
        snprintf(h5, sizeof(h5), "%s/result.h5", outdir);
        const char *files[] = {h5};
        const ts_report_html_opts_t ro = {0};
        rc = cli_html(files, 1, html, &ro, quiet, &err);
    }
    if (scratch[0])
        cli_sweep_scratch_remove(scratch);
    ts_sweep_destroy(s);
    return rc ? cli_fail(&err) : 0;
}

/* ---- report ---- */

/* The text report of every run of every file, one after the other. */
static int cli_report_text(char **files, int n, ts_err_t *err)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        ts_result_h5_t *f = NULL;
        rc = ts_result_h5_open(files[i], &f, err);
        size_t runs = rc ? 0 : ts_result_h5_runs(f);
        for (size_t k = 0; k < runs && rc == 0; k++) {
            ts_result_t *res = ts_calloc(1, sizeof(*res));
            rc = res ? ts_result_h5_read(f, k, res, err)
                     : ts_err_set(err, TS_ENOMEM, "cannot hold a run of '%s'", files[i]);
            if (rc == 0 && (i || k))
                putchar('\n');
            if (rc == 0 && (n > 1 || runs > 1))
                printf("== %s, run %zu\n\n", files[i], k);
            if (rc == 0)
                rc = ts_report_text(res, stdout, err);
            if (res)
                ts_result_release(res);
            ts_free(res);
        }
        ts_result_h5_close(f);
    }
    return rc;
}

static int cli_report(int argc, char **argv)
{
    static const struct option opts[] = {{"html", required_argument, NULL, 'H'},
                                         {"plots", required_argument, NULL, 'P'},
                                         {"run-figures", required_argument, NULL, 'F'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *html = NULL;
    ts_report_html_opts_t ro = {0};
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            html = optarg;
            break;
        case 'P':
            ro.plots_dir = optarg;
            break;
        case 'F':
            if (cli_count_opt(optarg, "--run-figures expects a count such as 24, found '%s'",
                              &ro.run_figures))
                return 2;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            cli_help(stdout);
            return 0;
        default:
            return 2;
        }
    }
    if (optind >= argc)
        return cli_usage_error("report needs at least one results file (result.h5)%s", "");
    if ((ro.plots_dir || ro.run_figures) && !html)
        return cli_usage_error("--plots and --run-figures go with --html%s", "");
    ts_err_t err = {0};
    int rc;
    if (!html) {
        rc = cli_report_text(argv + optind, argc - optind, &err);
        if (rc == 0 && fflush(stdout) != 0)
            rc = ts_err_sys(&err, TS_EIO, errno, "cannot write to standard output");
        return rc ? cli_fail(&err) : 0;
    }
    rc = cli_html((const char *const *)(argv + optind), (size_t)(argc - optind), html, &ro,
                  quiet, &err);
    return rc ? cli_fail(&err) : 0;
}

/* ---- list ---- */

static void cli_list_params(const ts_param_spec_t *spec, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char form[256];
        ts_param_type_name(&spec[i], form, sizeof(form));
        const char *def = !spec[i].def ? "(required)" : spec[i].def[0] ? spec[i].def : "\"\"";
        printf("    %-16s %s; default %s. %s\n", spec[i].name, form, def, spec[i].help);
    }
}

static void cli_list_policies(void)
{
    printf("policies:\n");
    for (size_t i = 0; i < ts_policy_count(); i++) {
        const ts_policy_ops_t *p = ts_policy_at(i);
        printf("  %-10s %s%s\n", p->name, p->summary,
               p->flags & TS_POLICY_NEEDS_FUTURE ? " [offline]" : "");
        cli_list_params(p->params, p->params_count);
    }
}

static void cli_list_formats(void)
{
    printf("trace formats:\n");
    for (size_t i = 0; i < ts_trace_count(); i++) {
        const ts_trace_format_t *f = ts_trace_at(i);
        printf("  %-10s %s%s\n", f->name, f->summary, f->writer ? " [read/write]" : " [read]");
        cli_list_params(f->reader->params, f->reader->params_count);
    }
}

static void cli_list_generators(void)
{
    printf("generators:\n");
    for (size_t i = 0; i < ts_gen_count(); i++) {
        const ts_reader_ops_t *g = ts_gen_at(i);
        printf("  %-10s %s\n", g->name, g->summary);
        cli_list_params(g->params, g->params_count);
    }
}

/* Bytes as vendors state them: exact GiB multiples in binary ("512GiB", as DIMMs are sold),
 * others decimal with three significant digits ("7.68TB", "80GB"). */
static const char *cli_si_bytes(uint64_t bytes, char *buf, size_t size)
{
    if (bytes && bytes % (1ull << 30) == 0)
        return ts_format_size(bytes, 0, buf, size);
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)bytes;
    int u = 0;
    while (u < 6 && v >= 999.5) {
        v /= 1000;
        u++;
    }
    snprintf(buf, size, "%.3g%s", v, units[u]);
    return buf;
}

/* The presets, plus the entries of a user catalogue file when file is given. */
static int cli_list_devices(const char *file)
{
    ts_err_t err = {0};
    ts_dev_catalog_t *cat = NULL;
    if (ts_dev_catalog_create(&cat, &err) || (file && ts_dev_catalog_load_file(cat, file, &err))) {
        ts_dev_catalog_destroy(cat);
        return cli_fail(&err);
    }
    printf("devices (bandwidth per device; latency unloaded, per request):\n");
    printf("  %-16s %-12s %8s %5s %10s %10s %9s %9s  %s\n", "name", "kind", "capacity", "chan",
           "read bw", "write bw", "read lat", "write lat", "summary");
    for (size_t i = 0; i < ts_dev_catalog_n_devices(cat); i++) {
        const ts_device_t *d = ts_dev_catalog_device_at(cat, i);
        char cap[32], rb[32], wb[32], rl[32], wl[32];
        printf("  %-16s %-12s %8s %5llu %10s %10s %9s %9s  %s", d->name,
               ts_dev_kind_name(d->kind), cli_si_bytes(d->capacity_bytes, cap, sizeof(cap)),
               (unsigned long long)d->channels,
               ts_format_rate(d->read_bytes_per_s, 1, rb, sizeof(rb)),
               ts_format_rate(d->write_bytes_per_s, 1, wb, sizeof(wb)),
               ts_format_duration(d->read_latency_ns, rl, sizeof(rl)),
               ts_format_duration(d->write_latency_ns, wl, sizeof(wl)), d->summary);
        if (d->host_link[0])
            printf(" [host link %s, %.4g TFLOP/s BF16]", d->host_link, d->bf16_flops / 1e12);
        if (d->channel_bytes_per_s)
            printf(" [%s per request]", ts_format_rate(d->channel_bytes_per_s, 1, rb, sizeof(rb)));
        printf("\n");
    }
    printf("  raid0:<N>x<drive> builds a RAID-0 of N drives, e.g. raid0:4xmicron-9550-max\n");
    printf("links (bandwidth per direction):\n");
    printf("  %-16s %10s %9s  %s\n", "name", "bandwidth", "latency", "summary");
    for (size_t i = 0; i < ts_dev_catalog_n_links(cat); i++) {
        const ts_link_t *l = ts_dev_catalog_link_at(cat, i);
        char bw[32], lat[32];
        printf("  %-16s %10s %9s  %s\n", l->name, ts_format_rate(l->bytes_per_s, 1, bw, sizeof(bw)),
               ts_format_duration(l->latency_ns, lat, sizeof(lat)), l->summary);
    }
    ts_dev_catalog_destroy(cat);
    size_t n;
    const ts_param_spec_t *spec = ts_dev_schema(&n);
    printf("device fields (a catalogue file or an override sets them by name):\n");
    cli_list_params(spec, n);
    spec = ts_link_schema(&n);
    printf("link fields:\n");
    cli_list_params(spec, n);
    return 0;
}

/* A price for the table, "-" when zero. */
static const char *cli_price(double usd, ts_price_unit_t unit, char *buf, size_t size)
{
    if (usd > 0)
        return ts_format_price(usd, unit, buf, size);
    snprintf(buf, size, "-");
    return buf;
}

/* The price table (sim/presets/prices.yaml) and the cost keys of a scenario. */
static int cli_list_prices(void)
{
    ts_err_t err = {0};
    ts_price_table_t *t = NULL;
    if (ts_price_table_create(&t, &err))
        return cli_fail(&err);
    printf("prices (defaults: a device takes its kind's row, then its own; docs/cost.md):\n");
    printf("  %-18s %-16s %-8s %-17s %-12s %-12s %-8s %s\n", "row", "purchase", "lifetime",
           "storage", "get", "put", "egress", "gpu_price");
    for (size_t i = 0; i < ts_price_table_count(t); i++) {
        const ts_price_t *p = ts_price_table_at(t, i);
        char a[40], b[40], c[40], d[40], e[40], f[40], g[40];
        printf("  %-18s %-16s %-8s %-17s %-12s %-12s %-8s %s\n", p->row,
               cli_price(p->purchase_usd_gb, TS_PRICE_PER_GB, a, sizeof(a)),
               p->purchase_usd_gb > 0 ? ts_format_duration(p->lifetime_ns, b, sizeof(b)) : "-",
               cli_price(p->storage_usd_gb_month, TS_PRICE_PER_GB_MONTH, c, sizeof(c)),
               cli_price(p->get_usd, TS_PRICE_PER_REQUEST, d, sizeof(d)),
               cli_price(p->put_usd, TS_PRICE_PER_REQUEST, e, sizeof(e)),
               cli_price(p->egress_usd_gb, TS_PRICE_PER_GB, f, sizeof(f)),
               cli_price(p->gpu_usd_hour, TS_PRICE_PER_HOUR, g, sizeof(g)));
    }
    ts_price_table_destroy(t);
    size_t n_tier, n_backing, n_cost;
    const ts_param_spec_t *spec = ts_price_schema(TS_PRICE_TIER, &n_tier);
    ts_price_schema(TS_PRICE_BACKING, &n_backing);
    printf("tiers[].cost and backing.cost keys:\n");
    cli_list_params(spec, n_tier);
    printf("backing.cost keys only:\n");
    cli_list_params(spec + n_tier, n_backing - n_tier);
    spec = ts_cost_schema(&n_cost);
    printf("cost keys:\n");
    cli_list_params(spec, n_cost);
    return 0;
}

static void cli_list_admission(void)
{
    printf("admission filters:\n");
    for (size_t i = 0; i < ts_admit_count(); i++) {
        const ts_admit_ops_t *a = ts_admit_at(i);
        printf("  %-10s %s\n", a->name, a->summary);
        cli_list_params(a->params, a->params_count);
    }
}

static void cli_list_prefetchers(void)
{
    printf("prefetchers:\n");
    for (size_t i = 0; i < ts_prefetch_count(); i++) {
        const ts_prefetch_ops_t *p = ts_prefetch_at(i);
        printf("  %-10s %s\n", p->name, p->summary);
        cli_list_params(p->params, p->params_count);
    }
}

/* The LLM model presets of the inference generator (workloads/models.c). */
static void cli_list_models(void)
{
    printf("models (inference generator; KV bytes per token at the preset's KV type):\n");
    printf("  %-16s %-9s %6s %10s %10s %9s %9s %9s %8s\n", "name", "attention", "layers",
           "kv heads", "KV/token", "params", "active", "weights", "context");
    for (size_t i = 0; i < ts_gen_model_count(); i++) {
        const ts_model_t *m = ts_gen_model_at(i);
        char heads[32], w[32];
        if (m->attn == TS_ATTN_MLA)
            snprintf(heads, sizeof(heads), "%u+%u", m->kv_lora_rank, m->rope_head_dim);
        else
            snprintf(heads, sizeof(heads), "%ux%u", m->kv_heads, m->head_dim);
        printf("  %-16s %-9s %6u %10s %10llu %8.4gB %8.4gB %9s %8llu\n", m->name,
               m->attn == TS_ATTN_MLA ? "MLA" : "standard", m->layers, heads,
               (unsigned long long)ts_gen_model_kv_bytes_per_token(m, 0),
               (double)m->params_total / 1e9, (double)m->params_active / 1e9,
               cli_si_bytes(ts_gen_model_weight_bytes(m), w, sizeof(w)),
               (unsigned long long)m->context_tokens);
    }
}

static int cli_list(int argc, char **argv)
{
    static const char *const what[] = {"policies", "formats", "generators", "admission",
                                       "prefetchers", "models", "devices", "prices"};
    const size_t n_what = sizeof(what) / sizeof(what[0]);
    const char *w = argc > 1 ? argv[1] : NULL;
    size_t k = 0;
    while (w && k < n_what && strcmp(w, what[k]) != 0)
        k++;
    if (w && k == n_what) {
        const char *hint = ts_suggest(w, what, n_what);
        fprintf(stderr, "tiersim: error: cannot list '%s'%s%s%s\n", w,
                hint ? " (did you mean '"
                     : "; expected policies, formats, generators, admission, prefetchers, "
                       "models, devices or prices",
                hint ? hint : "", hint ? "'?)" : "");
        return 2;
    }
    if (argc > 2 && (!w || strcmp(w, "devices") != 0))
        return cli_usage_error("only 'list devices' takes a FILE, found '%s'", argv[2]);
    if (argc > 3)
        return cli_usage_error("list devices takes one FILE, found also '%s'", argv[3]);
    if (!w || strcmp(w, "policies") == 0)
        cli_list_policies();
    if (!w || strcmp(w, "formats") == 0)
        cli_list_formats();
    if (!w || strcmp(w, "generators") == 0)
        cli_list_generators();
    if (!w || strcmp(w, "admission") == 0)
        cli_list_admission();
    if (!w || strcmp(w, "prefetchers") == 0)
        cli_list_prefetchers();
    if (!w || strcmp(w, "models") == 0)
        cli_list_models();
    if (!w || strcmp(w, "devices") == 0) {
        int rc = cli_list_devices(argc > 2 ? argv[2] : NULL);
        if (rc || w)
            return rc;
    }
    if (!w || strcmp(w, "prices") == 0)
        return cli_list_prices();
    return 0;
}

/* ---- main ---- */

int ts_cli_main(int argc, char **argv)
{
    static const char *const verbs[] = {"run",  "mrc",  "sweep", "report", "trace",
                                        "list", "help", "version"};
    ts_err_t err = {0};
    if (ts_policy_registry_check(&err) || ts_trace_registry_check(&err) ||
        ts_gen_registry_check(&err))
        return cli_fail(&err);
    if (argc < 2) {
        cli_help(stderr);
        return 2;
    }
    const char *v = argv[1];
    if (strcmp(v, "run") == 0)
        return cli_run(argc - 1, argv + 1);
    if (strcmp(v, "mrc") == 0)
        return cli_mrc(argc - 1, argv + 1);
    if (strcmp(v, "sweep") == 0)
        return cli_sweep(argc - 1, argv + 1);
    if (strcmp(v, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    if (strcmp(v, "trace") == 0)
        return cli_trace(argc - 1, argv + 1);
    if (strcmp(v, "list") == 0)
        return cli_list(argc - 1, argv + 1);
    if (strcmp(v, "help") == 0 || strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0) {
        cli_help(stdout);
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
