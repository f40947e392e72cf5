/* SPDX-License-Identifier: MIT */
/*
 * cli_trace.c - `tiersim trace`: info (statistics, or one JSON object with --json), head (the
 * first N requests, every field), gen (a scenario's workload into a trace file) and convert
 * (a trace from one format to another).
 *
 * info, head and convert read through the input format's reader (named, else told from the
 * file), set by -p name=value, and optionally sample (--sample, --start, --end) and pass over
 * malformed records (--skip-bad, with a count on stderr). gen and convert write through the
 * output format's writer: named, else the one the file's name suggests, else native; an
 * output named "-" goes to stdout (through a scratch file: writers write files by name).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../sim/util/fmt.h"
#include "../traces/info.h"
#include "../traces/trace.h"
#include "../sim/util/mem.h"
#include "cli_internal.h"
#include "progress.h"
#include "../sim/sample.h"
#include "scenario.h"
#include "../sim/util/units.h"
#include "../sim/util/text.h"

/* ---- trace ---- */

static const ts_reader_ops_t *cli_format(const char *name, const char *path, ts_err_t *err)
{
    if (name)
        return ts_trace_find(name, err);
    const ts_reader_ops_t *f = ts_trace_guess(path);
    if (!f)
        ts_err_set(err, TS_EINVAL,
                   "cannot tell the format of '%s' from its contents or name; give --format",
                   path);
    return f;
}

/* Reader parameters for trace info / convert: path first, then each `-p name=value`. */
typedef struct cli_rparams {
    const char *names[TS__CLI_MAX_OVERRIDES + 1];
    const char *values[TS__CLI_MAX_OVERRIDES + 1];
    char *owned[TS__CLI_MAX_OVERRIDES];
    size_t n, n_owned;
    ts_sample_spec_t sample; /* --sample, --start, --end (rate 0: not set, all) */
    uint64_t skip_bad;       /* --skip-bad N */
    ts_reader_t *outer;      /* the reader handed out, to ask how many were skipped */
} cli_rparams_t;

/* The reading options every trace verb takes, after -p: sampling while reading. */
#define CLI_READ_OPTS                                                                           \
    {"sample", required_argument, NULL, 'S'}, {"start", required_argument, NULL, 'A'},          \
        {"end", required_argument, NULL, 'E'}, {"skip-bad", required_argument, NULL, 'B'}

/* Takes one sampling or --skip-bad option of verb into p (c is its getopt code). Returns 0
 * or 2. */
static int cli_sample_opt(const char *verb, cli_rparams_t *p, int c, const char *arg)
{
    if (c == 'B') {
        ts_err_t e = {0};
        if (ts_parse_count(arg, &p->skip_bad, &e) != 0)
            return ts__cli_usage(verb, "--skip-bad expects a count of records, found '%s'", arg);
        return 0;
    }
    static const char *const names[] = {"rate", "start", "end"};
    size_t n;
    const ts_param_spec_t *spec = ts_sample_schema(&n);
    if (p->sample.rate == 0)
        p->sample.rate = 1.0;
    ts_err_t err = {0};
    const char *name = names[c == 'S' ? 0 : c == 'A' ? 1 : 2];
    if (ts_param_set(spec, n, &p->sample, name, arg, &err) != 0)
        return ts__cli_usage(verb, "--%s: %s", c == 'S' ? "sample" : name, err.msg);
    return 0;
}

static int cli_rparam_add(const char *verb, cli_rparams_t *p, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || p->n_owned == TS__CLI_MAX_OVERRIDES)
        return ts__cli_usage(verb, "-p expects name=value (a parameter of the trace format), "
                                   "found '%s'",
                             arg);
    char *name = ts_strdup(arg);
    if (!name)
        return ts__cli_usage(verb, "out of memory at '%s'", arg);
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

static int cli_wrap_read(cli_rparams_t *p, int rc, ts_reader_t **r, ts_err_t *err);

static int cli_open_trace(const ts_reader_ops_t *fmt, const char *path, cli_rparams_t *p,
                          ts_reader_t **r, ts_err_t *err)
{
    p->names[p->n] = "path";
    p->values[p->n] = path;
    int rc = ts_reader_open_kv(fmt, p->names, p->values, p->n + 1, NULL, r, err);
    return cli_wrap_read(p, rc, r, err);
}

/* After an open that returned rc: wraps *r in the sampling and --skip-bad readers p asks
 * for. Returns the first error. */
static int cli_wrap_read(cli_rparams_t *p, int rc, ts_reader_t **r, ts_err_t *err)
{
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

static int cli_copy(ts_reader_t *r, const ts_reader_ops_t *to, const char *out, bool quiet,
                    uint64_t *count, ts_err_t *err)
{
    if (!to->writer)
        return ts_err_set(err, TS_EUNSUPPORTED, "format %s cannot be written", to->base.name);
    ts_writer_t *w = NULL;
    int rc = to->writer->create(out, &w, err);
    ts_req_t q;
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    ts_progress_t meter;
    ts_progress_start(&meter, ts__cli_progress_out(quiet), info.n_requests);
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
    printf("size pctl    p50 %s",
           ts_format_size((uint64_t)(st->size_p50_bytes + 0.5), 1, a, sizeof(a)));
    printf("  p90 %s", ts_format_size((uint64_t)(st->size_p90_bytes + 0.5), 1, a, sizeof(a)));
    printf("  p99 %s  (%s over %llu sizes)\n",
           ts_format_size((uint64_t)(st->size_p99_bytes + 0.5), 1, a, sizeof(a)),
           st->is_size_exact ? "exact" : "sampled", (unsigned long long)st->n_size_samples);
    const ts_reader_units_t *u = &st->units; /* the workload's own terms, where known */
    if (u->epochs > 0)
        printf("epochs       %.3f over %llu accelerators\n", u->epochs,
               (unsigned long long)u->gpus);
    if (u->sessions)
        printf("sessions     %llu conversations, %llu sub-agents\n",
               (unsigned long long)u->sessions, (unsigned long long)u->subagents);
    if (u->llm_requests)
        printf("LLM calls    %llu\n", (unsigned long long)u->llm_requests);
    if (u->tokens)
        printf("tokens       %llu (in %llu, out %llu)\n", (unsigned long long)u->tokens,
               (unsigned long long)u->tokens_in, (unsigned long long)u->tokens_out);
    if (u->ckpt_bytes) {
        printf("checkpoints  %llu written, %llu read, each %s (%s GB) over %llu ranks\n",
               (unsigned long long)u->checkpoints, (unsigned long long)u->ckpt_reads,
               ts_format_size(u->ckpt_bytes, 1, a, sizeof(a)),
               ts_fmt_fixed((double)u->ckpt_bytes / 1e9, 1, b, sizeof(b)),
               (unsigned long long)u->gpus);
        printf("ckpt bytes   written %s, read %s\n",
               ts_format_size(u->ckpt_bytes_written, 1, a, sizeof(a)),
               ts_format_size(u->ckpt_bytes_read, 1, b, sizeof(b)));
    }
    if (u->model_ns || u->think_ns) {
        printf("call times   model %s", ts_format_duration(u->model_ns, a, sizeof(a)));
        printf(", think/tool %s (sums over the calls)\n",
               ts_format_duration(u->think_ns, a, sizeof(a)));
    }
}

/* The statistics as one JSON object (trace info --json). A file name that is not valid
 * UTF-8 (JSON strings must be) has each bad byte replaced by U+FFFD, as the result
 * documents do: "trace" names the file for a person, not byte for byte. */
static int cli_print_stats_json(const char *path, const char *format, const ts_trace_stats_t *st)
{
    size_t n = strlen(path);
    char *name = ts_malloc(3 * n + 1); /* each byte at most U+FFFD's 3 */
    if (name)
        name[ts_utf8_fix(path, n, name)] = 0;
    json_t *o = !name ? NULL : json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                          "s:{s:I, s:I, s:I}, "
                          "s:{s:I, s:f, s:I, s:f, s:f, s:f, s:b, s:I}, "
                          "s:{s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                          "s:I, s:I, s:I, s:I, s:I}}",
                          "trace", name, "format", format,
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
                          "samples", (json_int_t)st->n_size_samples,
                          "units", "epochs", st->units.epochs, "gpus", (json_int_t)st->units.gpus,
                          "sessions", (json_int_t)st->units.sessions,
                          "subagents", (json_int_t)st->units.subagents,
                          "llm_calls", (json_int_t)st->units.llm_requests,
                          "tokens", (json_int_t)st->units.tokens,
                          "tokens_in", (json_int_t)st->units.tokens_in,
                          "tokens_out", (json_int_t)st->units.tokens_out,
                          "model_ns", (json_int_t)st->units.model_ns,
                          "think_ns", (json_int_t)st->units.think_ns,
                          "checkpoints", (json_int_t)st->units.checkpoints,
                          "checkpoint_reads", (json_int_t)st->units.ckpt_reads,
                          "checkpoint_bytes", (json_int_t)st->units.ckpt_bytes,
                          "checkpoint_bytes_written", (json_int_t)st->units.ckpt_bytes_written,
                          "checkpoint_bytes_read", (json_int_t)st->units.ckpt_bytes_read);
    ts_free(name);
    if (!o) {
        ts_err_t err = {0};
        ts_err_set(&err, TS_ENOMEM, "cannot build the JSON of '%s'", path);
        return ts__cli_fail(&err);
    }
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
    const ts_reader_ops_t *fmt; /* the trace's format, or the scenario's generator */
    ts_scenario_t *sc;          /* FILE is a scenario: its workload is read */
    ts_reader_t *r;
    ts_err_t err;
} cli_read_t;

/* FILE named *.yaml or *.yml, without --format: a scenario whose workload is read. */
static bool cli_is_scenario(const char *path)
{
    size_t n = strlen(path);
    return (n > 5 && strcmp(path + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(path + n - 4, ".yml") == 0);
}

/* cli_read_open's return when it printed the help: nothing to read. */
#define CLI_READ_HELP 3

/* Parses the arguments of `trace info` or `trace head` (verb: "trace info", "trace head")
 * and opens the reader. Returns 0, 2 (usage, said), CLI_READ_HELP (help printed) or 1 (an
 * error in cr->err, not yet printed: the caller closes and fails). */
static int cli_read_open(int argc, char **argv, const char *verb, cli_read_t *cr)
{
    static const struct option info_opts[] = {{"format", required_argument, NULL, 'f'},
                                               {"param", required_argument, NULL, 'p'},
                                               {"json", no_argument, NULL, 'j'},
                                               {"help", no_argument, NULL, 'h'},
                                               CLI_READ_OPTS,
                                               {NULL, 0, NULL, 0}};
    static const struct option head_opts[] = {{"format", required_argument, NULL, 'f'},
                                               {"param", required_argument, NULL, 'p'},
                                               {"help", no_argument, NULL, 'h'},
                                               CLI_READ_OPTS,
                                               {NULL, 0, NULL, 0}};
    bool is_head = strcmp(verb, "trace head") == 0;
    cr->limit = 10;
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = ts__cli_getopt(verb, argc, argv, is_head ? "f:p:n:h" : "f:p:h",
                                          is_head ? head_opts : info_opts)) != -1) {
        ts_err_t perr = {0};
        if (c == 'h')
            return ts__cli_help_topic("trace", verb + strlen("trace "), stdout) ? 2
                                                                                : CLI_READ_HELP;
        if (c == 'f')
            cr->fmt_name = optarg;
        else if (c == 'p')
            rc = cli_rparam_add(verb, &cr->rp, optarg);
        else if (c == 'j')
            cr->as_json = true;
        else if (c == 'n')
            rc = ts_parse_count(optarg, &cr->limit, &perr) ? ts__cli_usage(verb, "-n: %s",
                                                                           perr.msg)
                                                           : 0;
        else if (c == 'S' || c == 'A' || c == 'E' || c == 'B')
            rc = cli_sample_opt(verb, &cr->rp, c, optarg);
        else
            rc = 2; /* said by ts__cli_getopt */
    }
    if (rc == 0 && optind != argc - 1)
        rc = optind == argc ? ts__cli_usage(verb, "%s needs a FILE", verb)
                            : ts__cli_usage(verb, "%s takes one FILE, found also '%s'", verb,
                                            argv[optind + 1]);
    if (rc)
        return rc;
    cr->path = argv[optind];
    if (!cr->fmt_name && cli_is_scenario(cr->path)) {
        if (cr->rp.n)
            return ts__cli_usage(verb, "-p sets a trace format's parameter; a scenario's "
                                       "workload takes its own");
        rc = ts_scenario_load(cr->path, NULL, NULL, 0, &cr->sc, &cr->err);
        if (rc == 0)
            rc = ts_scenario_open_workload(cr->sc, &cr->r, &cr->err);
        if (rc == 0)
            cr->fmt = cr->r->ops;
        return cli_wrap_read(&cr->rp, rc, &cr->r, &cr->err) ? 1 : 0;
    }
    cr->fmt = cli_format(cr->fmt_name, cr->path, &cr->err);
    if (!cr->fmt)
        return 1;
    return cli_open_trace(cr->fmt, cr->path, &cr->rp, &cr->r, &cr->err) ? 1 : 0;
}

/* Closes what cli_read_open opened; with rc 1, prints the error. Returns rc (0 after the
 * help). */
static int cli_read_close(cli_read_t *cr, int rc)
{
    cli_report_skipped(&cr->rp);
    ts_reader_close(cr->r);
    ts_scenario_destroy(cr->sc);
    cli_rparams_free(&cr->rp);
    if (rc == CLI_READ_HELP)
        return 0;
    return rc == 1 ? ts__cli_fail(&cr->err) : rc;
}

static int cli_trace_info(int argc, char **argv)
{
    cli_read_t cr = {0};
    ts_trace_stats_t st;
    int rc = cli_read_open(argc, argv, "trace info", &cr);
    if (rc == CLI_READ_HELP)
        return cli_read_close(&cr, rc);
    if (rc == 0 && ts_trace_stats(cr.r, &st, &cr.err) != 0)
        rc = 1;
    if ((rc = cli_read_close(&cr, rc)) != 0)
        return rc;
    if (cr.as_json)
        return cli_print_stats_json(cr.path, cr.fmt->base.name, &st);
    printf("trace        %s (%s)\n", cr.path, cr.fmt->base.name);
    cli_print_stats(&st);
    return 0;
}

/* trace head: the first N requests, one a line, every field; times and sizes exactly, with
 * their units ("20s", "1.5us", "4KiB", "1000B"). */
static int cli_trace_head(int argc, char **argv)
{
    cli_read_t cr = {0};
    int rc = cli_read_open(argc, argv, "trace head", &cr);
    if (rc == 0)
        printf("%20s %20s %12s %-6s %10s %5s %20s\n", "time", "key", "size", "op", "stream",
               "flags", "idle");
    ts_req_t q;
    for (uint64_t i = 0; rc == 0 && i < cr.limit; i++) {
        int got = ts_reader_next(cr.r, &q, &cr.err);
        if (got <= 0) {
            rc = got < 0;
            break;
        }
        char t[48], sz[48], idle[48];
        printf("%20s %20llu %12s %-6s %10u %5u %20s\n",
               ts_format_duration_exact(q.time_ns, t, sizeof(t)), (unsigned long long)q.key,
               ts_format_size(q.size_bytes, 0, sz, sizeof(sz)), ts_op_name(q.op), q.stream,
               q.flags, ts_format_duration_exact(q.idle_ns, idle, sizeof(idle)));
    }
    return cli_read_close(&cr, rc);
}

/* The output format: named, else the one the output file's name suggests when that
 * format can be written, else native (always for standard output). */
static const ts_reader_ops_t *cli_out_format(const char *name, const char *path,
                                               ts_err_t *err)
{
    if (name)
        return ts_trace_find(name, err);
    const ts_reader_ops_t *f = ts__cli_is_stdout(path) ? NULL : ts_trace_guess(path);
    return f && f->writer ? f : ts_trace_find("native", err);
}

/* cli_copy into out, or with out "-" into a scratch file (named with the format's
 * extension) copied to standard output. */
static int cli_write(ts_reader_t *r, const ts_reader_ops_t *to, const char *out, bool quiet,
                     uint64_t *count, ts_err_t *err)
{
    if (!ts__cli_is_stdout(out))
        return cli_copy(r, to, out, quiet, count, err);
    ts__cli_stdout_t so = {0};
    char name[64];
    snprintf(name, sizeof(name), "trace%s", to->extension ? to->extension : "");
    int rc = ts__cli_stdout_open(&so, name, err);
    if (rc == 0)
        rc = cli_copy(r, to, so.path, quiet, count, err);
    if (rc == 0)
        rc = ts__cli_stdout_copy(&so, err);
    ts__cli_stdout_close(&so);
    return rc;
}

/* The closing line of gen and convert, on stderr; none with -q or for standard output. */
static void cli_wrote(bool quiet, uint64_t n, const char *out, const ts_reader_ops_t *fmt)
{
    if (!quiet && !ts__cli_is_stdout(out))
        fprintf(stderr, "tiersim: wrote %llu requests to %s (%s)\n", (unsigned long long)n,
                out, fmt->base.name);
}

static int cli_trace_gen(int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"set", required_argument, NULL, 's'},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *fmt_name = NULL, *out = NULL;
    const char *ovr[TS__CLI_MAX_OVERRIDES];
    size_t n_ovr = 0;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = ts__cli_getopt("trace gen", argc, argv, "f:o:s:qh", opts)) != -1) {
        if (c == 'f')
            fmt_name = optarg;
        else if (c == 'o' && ts__cli_path_opt("trace gen", "-o", optarg))
            return 2;
        else if (c == 'o')
            out = optarg;
        else if (c == 's' && ts__cli_add_override("trace gen", ovr, &n_ovr, optarg))
            return 2;
        else if (c == 'q')
            quiet = true;
        else if (c == 'h')
            return ts__cli_help_topic("trace", "gen", stdout);
        else if (c != 's')
            return 2;
    }
    if (!out)
        return ts__cli_usage("trace gen", "trace gen needs -o FILE (- : standard output)");
    if (argc - optind > 1)
        return ts__cli_usage("trace gen", "trace gen takes one scenario, found also '%s'",
                             argv[optind + 1]);
    ts_err_t err = {0};
    ts_scenario_t *sc = NULL;
    ts_reader_t *r = NULL;
    uint64_t n = 0;
    const ts_reader_ops_t *fmt = cli_out_format(fmt_name, out, &err);
    const char *path = optind < argc ? argv[optind] : NULL;
    int rc = fmt ? ts_scenario_load(path, NULL, ovr, n_ovr, &sc, &err) : TS_ENOENT;
    if (rc == 0)
        rc = ts_scenario_open_workload(sc, &r, &err);
    if (rc == 0)
        rc = cli_write(r, fmt, out, quiet, &n, &err);
    ts_reader_close(r);
    ts_scenario_destroy(sc);
    if (rc)
        return ts__cli_fail(&err);
    cli_wrote(quiet, n, out, fmt);
    return 0;
}

static int cli_trace_convert(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                          {"to", required_argument, NULL, 't'},
                                          {"param", required_argument, NULL, 'p'},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"help", no_argument, NULL, 'h'},
                                          CLI_READ_OPTS,
                                          {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL;
    cli_rparams_t rp = {0};
    bool quiet = false;
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = ts__cli_getopt("trace convert", argc, argv, "p:qh", opts)) != -1) {
        if (c == 'q')
            quiet = true;
        else if (c == 'h') {
            cli_rparams_free(&rp);
            return ts__cli_help_topic("trace", "convert", stdout);
        } else if (c == 'f')
            from = optarg;
        else if (c == 't')
            to = optarg;
        else if (c == 'p')
            rc = cli_rparam_add("trace convert", &rp, optarg);
        else if (c == 'S' || c == 'A' || c == 'E' || c == 'B')
            rc = cli_sample_opt("trace convert", &rp, c, optarg);
        else
            rc = 2;
    }
    if (rc == 0 && argc - optind != 2)
        rc = ts__cli_usage("trace convert", "trace convert takes IN and OUT (- : standard "
                                            "output), found %d name%s",
                           argc - optind, argc - optind == 1 ? "" : "s");
    if (rc) {
        cli_rparams_free(&rp);
        return rc;
    }
    const char *in = argv[optind], *out = argv[optind + 1];
    if (!in[0] || !out[0]) {
        cli_rparams_free(&rp);
        return ts__cli_usage("trace convert", "trace convert: %s needs a file name, found an "
                                              "empty one",
                             in[0] ? "OUT" : "IN");
    }
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    uint64_t n = 0;
    const ts_reader_ops_t *fin = cli_format(from, in, &err);
    const ts_reader_ops_t *fout = fin ? cli_out_format(to, out, &err) : NULL;
    rc = fout ? cli_open_trace(fin, in, &rp, &r, &err) : TS_EINVAL;
    if (rc == 0)
        rc = cli_write(r, fout, out, quiet, &n, &err);
    cli_report_skipped(&rp);
    ts_reader_close(r);
    cli_rparams_free(&rp);
    if (rc)
        return ts__cli_fail(&err);
    cli_wrote(quiet, n, out, fout);
    return 0;
}

int ts__cli_trace(int argc, char **argv)
{
    static const char *const subs[] = {"info", "head", "gen", "convert"};
    if (argc < 2)
        return ts__cli_usage("trace", "trace needs a sub-verb: info, head, gen or convert");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return ts__cli_help_topic("trace", NULL, stdout);
    if (strcmp(sub, "head") == 0)
        return cli_trace_head(argc - 1, argv + 1);
    if (strcmp(sub, "info") == 0)
        return cli_trace_info(argc - 1, argv + 1);
    if (strcmp(sub, "gen") == 0)
        return cli_trace_gen(argc - 1, argv + 1);
    if (strcmp(sub, "convert") == 0)
        return cli_trace_convert(argc - 1, argv + 1);
    if (sub[0] == '-')
        return ts__cli_usage("trace", "trace: unknown option '%s' (options follow the "
                                      "sub-verb)",
                             sub);
    const char *hint = ts_suggest(sub, subs, sizeof(subs) / sizeof(subs[0]));
    return ts__cli_usage("trace", "unknown trace sub-verb '%s'%s%s%s", sub,
                         hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
}
