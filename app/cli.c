/* SPDX-License-Identifier: MIT */
/*
 * cli.c - the tiersim command line: ts_cli_main checks the registries and dispatches the verbs
 * run, live, mrc, sweep, report, trace (info, head, gen, convert), list and calibrate, each in its
 * cli_<verb>.c; help and version; every verb's help text; and what the verbs share
 * (cli_internal.h): errors, usage errors, option parsing, standard output as a file.
 *
 * Each verb parses its own options through ts__cli_getopt, calls the library, and prints.
 * Results go to stdout; notes ("wrote FILE"), warnings, progress and errors to stderr.
 * Exit status: 0 success; 1 an error of the run, one line `tiersim: error: where: msg`;
 * 2 a usage error, one line naming the problem, then "Try 'tiersim VERB --help'."; 128 + the
 * signal when interrupted (cli_signals.c). Standard output is checked once at the end.
 * Help (`tiersim help VERB`, `tiersim VERB --help`) goes to stdout and exits 0.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/util/gslerr.h"
#include "../sim/util/io.h"
#include "../sim/util/units.h"
#include "cli_internal.h"
#include "plugins.h"
#include "ranks.h"

/* ---- help texts: the overview is made from the summaries, in this order ---- */

typedef struct cli_help {
    const char *name;    /* "run", or "trace gen" for a sub-verb */
    const char *summary; /* one line in the overview (or in trace's list of sub-verbs) */
    const char *text;    /* usage, what it does, every option, examples */
} cli_help_t;

static const cli_help_t k_help[] = {
    {"run", "run a scenario (YAML) and print its report",
     "usage: tiersim run [SCENARIO] [options]\n"
     "\n"
     "Runs a scenario, a YAML file (with none, the built-in default), with its engine (fast or\n"
     "timed) and prints the text report: the tiers, the totals, the latencies of the timed\n"
     "engine and the bill. On a terminal a progress line shows on stderr once a run lasts a\n"
     "second.\n"
     "\n"
     "options:\n"
     "  -s, --set KEY.PATH=VALUE  override a key of the scenario, checked like the file\n"
     "                            (repeatable; list entries by index: tiers.0.capacity=5%)\n"
     "      --json                print the result as JSON instead of the text report\n"
     "      --timing              add the wall time and requests/s to the JSON\n"
     "  -o, --output DIR          write the result files into DIR instead of the scenario's\n"
     "                            outputs.dir: report.txt, result.json, tiers.csv, cost.csv,\n"
     "                            result.h5 (those outputs: names, or all of them)\n"
     "  -q, --quiet               print no report and no progress\n"
     "  -h, --help                this text\n"
     "\n"
     "examples:\n"
     "  tiersim run\n"
     "  tiersim run examples/zipf-two-tier.yaml -s tiers.0.policy=s3fifo -s seed=7\n"
     "  tiersim run examples/csv-trace.yaml --json\n"
     "  tiersim run examples/csv-trace.yaml -q -o out\n"},
    {"live", "run a scenario on real storage, measured beside the timed engine's prediction",
     "usage: tiersim live SCENARIO [options]\n"
     "\n"
     "Runs the scenario with engine: live. The hierarchy decides as in the fast and timed\n"
     "engines, and every decision is carried out on the back-end each tier names (backend:\n"
     "memory, file, ...): hits read real bytes, misses read the backing store and fill the\n"
     "tiers, evictions free, puts write. The report sets what was measured beside what the\n"
     "timed engine predicts for the same scenario, with the error in percent.\n"
     "\n"
     "Safety: file back-ends write only their own scratch files, inside live.scratch (or\n"
     "--scratch), refuse a file they did not create, and remove theirs at the end unless\n"
     "kept; the memory and free space needed are checked before anything is written. The\n"
     "first Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops the run after the requests in flight and\n"
     "writes a partial report (exit 128 + the signal); a second one quits at once. A full\n"
     "disk or an I/O error also ends it with a partial report (exit 1).\n"
     "\n"
     "options:\n"
     "  -s, --set KEY.PATH=VALUE  override a key of the scenario (repeatable)\n"
     "      --scratch DIR         the directory for scratch files (live.scratch)\n"
     "      --keep                keep the scratch files (live.keep)\n"
     "      --verify              check every read against what was written (live.verify)\n"
     "      --allow-raw-device DEV, --i-know-this-erases DEV\n"
     "                            let a file back-end whose path is the block device DEV\n"
     "                            erase it (both must name it; refused when mounted)\n"
     "      --json                print the result as JSON instead of the text report\n"
     "  -o, --output DIR          write the result files into DIR (as run does)\n"
     "  -q, --quiet               print no report and no progress\n"
     "  -h, --help                this text\n"
     "\n"
     "examples:\n"
     "  tiersim live examples/live-memory-file.yaml --scratch /tmp --verify\n"
     "  tiersim live examples/live-memory-file.yaml --scratch /tmp -s live.speed=4\n"},
    {"mrc", "miss-ratio curves of the top tier, one per policy",
     "usage: tiersim mrc [SCENARIO] [options]\n"
     "\n"
     "Miss-ratio curves of the scenario's top tier. Prints the miss ratio at each capacity,\n"
     "a column per policy. Methods: exact builds LRU's whole curve in one pass of stack\n"
     "distances (Mattson); shards does the same over a sample of the keys (SHARDS, FAST'15);\n"
     "mini runs each policy at capacity x rate over a sample (miniature simulations, ATC'17);\n"
     "replay runs the whole scenario once per policy and capacity. The first three model a\n"
     "top tier alone (one tier, no admission filter, no prefetcher). Points run side by side\n"
     "on the cores (the same result for any thread count).\n"
     "\n"
     "options:\n"
     "  -s, --set KEY.PATH=VALUE  override a key of the scenario (repeatable)\n"
     "      --policies P,Q,...    the policies to compare, or all (default: the top tier's own)\n"
     "      --sizes S,S,...       the capacities: shares of the footprint (1%) or capacities in\n"
     "                            the scenario's unit (10k objects, 4GiB); default 0.1% to 100%\n"
     "                            in 1-2-5 steps\n"
     "      --points N            instead of --sizes, N shares spaced evenly on a log scale\n"
     "                            from 0.1% to 100%\n"
     "      --method M            exact, shards, mini or replay (default: exact for lru\n"
     "                            where it can be, replay otherwise); exact and shards serve\n"
     "                            lru only\n"
     "      --rate R              shards and mini: the share of keys sampled (default 0.01)\n"
     "      --max-keys N          shards: keep at most N sampled keys, lowering the rate as\n"
     "                            the trace grows (fixed-size SHARDS)\n"
     "      --threads N           simulations run at once (default: OpenMP's; at most one\n"
     "                            per point and 4 per online CPU, with a note)\n"
     "  -o, --output DIR          write DIR/mrc.csv, one row per policy and capacity\n"
     "      --plot FILE           draw the curves with gnuplot into FILE (.svg or .png), with\n"
     "                            its data (.dat) and script (.gp) beside it; without gnuplot\n"
     "                            a warning, and the data and script are still written\n"
     "  -q, --quiet               print no table and no progress\n"
     "  -h, --help                this text\n"
     "\n"
     "examples:\n"
     "  tiersim mrc examples/csv-trace.yaml --policies lru,fifo,sieve --sizes 8KiB,16KiB,32KiB\n"
     "  tiersim mrc examples/zipf-two-tier.yaml --points 3 -s workload.generator.requests=100k\n"
     "  tiersim mrc examples/zipf-lru.yaml --method exact --points 100\n"
     "  tiersim mrc examples/zipf-lru.yaml --method shards --rate 0.1\n"
     "  tiersim mrc examples/zipf-lru.yaml --method mini --policies lru,arc,s3fifo\n"},
    {"sweep", "run a scenario at every point of a grid of values",
     "usage: tiersim sweep [SCENARIO] [options]\n"
     "\n"
     "Runs the scenario at every point of a grid: each --vary is an axis, as is each key of\n"
     "the scenario's sweep: map; the points are the product of the axes (the last one varies\n"
     "fastest) and run side by side on the cores. Prints one row per point: its values, hit\n"
     "ratios, p99 latency, accelerator utilisation and cost. Under MPI (mpirun -n R tiersim\n"
     "sweep ... -o DIR) the points are dealt to R ranks as they ask for them; DIR must be\n"
     "shared by the ranks, and rank 0 writes the files and prints (see tiersim version).\n"
     "\n"
     "options:\n"
     "      --vary KEY.PATH=V1,V2,...  an axis: the values of one key (repeatable, at most 16\n"
     "                                 axes; commas inside {}, [] or quotes stay in a value)\n"
     "  -s, --set KEY.PATH=VALUE       override a key at every point (repeatable)\n"
     "      --threads N                simulations run at once (default: OpenMP's; at most\n"
     "                                 one per point and 4 per online CPU, with a note)\n"
     "      --shard I/N                run only the points whose number modulo N is I (one\n"
     "                                 task of a job array; report reads the shards together)\n"
     "  -o, --output DIR               write DIR/sweep.csv (a row per point) and\n"
     "                                 DIR/result.h5 (every run); each point finished is\n"
     "                                 kept in DIR/.sweep-journal until they are written\n"
     "      --resume                   run only the points DIR/.sweep-journal lacks (a\n"
     "                                 sweep killed part-way; the same grid and scenario)\n"
     "      --html FILE                write the HTML report of the runs into FILE; with -\n"
     "                                 the page goes to standard output instead of the table\n"
     "  -q, --quiet                    print no table, no progress and no \"wrote\" line\n"
     "  -h, --help                     this text\n"
     "\n"
     "examples:\n"
     "  tiersim sweep examples/csv-trace.yaml --vary tiers.0.policy=lru,fifo --vary seed=1,2\n"
     "  tiersim sweep examples/csv-trace.yaml --vary tiers.0.policy=lru,sieve -o out/sweep\n"
     "  mpirun -n 4 tiersim sweep examples/csv-trace.yaml --vary seed=1,2,3,4 -o out/mpi\n"},
    {"report", "the text or HTML report of results files (result.h5)",
     "usage: tiersim report RESULTS.h5... [options]\n"
     "\n"
     "Reads HDF5 results files back (run -o, sweep -o, the shards of a job array): prints the\n"
     "text report of each run, as run printed it, or with --html writes one self-contained\n"
     "page of all the runs (tables, figures drawn by gnuplot, the scenarios) that opens in any\n"
     "browser. Without gnuplot the page leaves the figures out, with a warning.\n"
     "\n"
     "options:\n"
     "  -o, --output FILE     write the text reports into FILE (- : standard output, the\n"
     "                        default)\n"
     "      --html FILE       write the HTML page into FILE instead (- : standard output)\n"
     "      --plots DIR       with --html: keep the figures, their data and scripts in DIR\n"
     "      --run-figures N   with --html: the first N runs get figures of their own (24)\n"
     "  -q, --quiet           no \"wrote FILE\" line\n"
     "  -h, --help            this text\n"
     "\n"
     "examples:\n"
     "  tiersim run examples/csv-trace.yaml -q -o out\n"
     "  tiersim report out/result.h5\n"
     "  tiersim report out/result.h5 --html out/report.html\n"},
    {"trace", "trace files: info, head, gen, convert",
     "usage: tiersim trace SUB-VERB [options]\n"
     "\n"
     "Reads, summarises, generates and converts trace files. The format of a file is told\n"
     "from its magic bytes or its name unless named; 'tiersim list formats' lists the formats\n"
     "with the parameters of their readers.\n"
     "\n"
     "sub-verbs:\n"
     "%s"
     "\n"
     "Run 'tiersim trace SUB-VERB --help' (or 'tiersim help trace SUB-VERB') for its options.\n"
     "\n"
     "examples:\n"
     "  tiersim trace info examples/tiny.csv\n"},
    {"trace info", "requests, keys, footprint, time span, op mix, sizes",
     "usage: tiersim trace info FILE [options]\n"
     "\n"
     "Reads a trace to its end and prints its figures: requests, unique keys, footprint (each\n"
     "key at its first size), bytes requested, time span (and requests out of time order), the\n"
     "op mix, and the request sizes' minimum, mean, maximum and p50/p90/p99 (exact up to\n"
     "65,536 requests, from a seeded sample beyond), then what the workload counts in its own\n"
     "terms (epochs, sessions, tokens, checkpoints). FILE may be a scenario (*.yaml, *.yml):\n"
     "its workload, generator or trace, is read.\n"
     "\n"
     "options:\n"
     "  -f, --format FMT         the trace's format (default: told from the file)\n"
     "  -p, --param NAME=VALUE   a parameter of the format's reader (repeatable), e.g. for\n"
     "                           CSV -p header=true -p time_unit=ns -p columns.size=-1\n"
     "      --json               print the figures as one JSON object (ns and bytes)\n"
     "      --sample RATE        keep a share of the keys (1%, 0.1) with all their requests\n"
     "      --start T            keep the requests from T after the first one (30s, 2h)\n"
     "      --end T              keep the requests before T after the first one\n"
     "      --skip-bad N         pass over up to N malformed records, counting them\n"
     "  -h, --help               this text\n"
     "\n"
     "examples:\n"
     "  tiersim trace info examples/tiny.csv -p time_unit=ns\n"
     "  tiersim trace info examples/tiny.csv --json --start 20s --end 60s\n"},
    {"trace head", "the first requests, every field",
     "usage: tiersim trace head FILE [options]\n"
     "\n"
     "Prints the first requests of a trace, one a line with every field: time since the\n"
     "trace's start, key, size, op, stream, flags (1 prefetch, 2 checkpoint, 4 hint, 8 group\n"
     "end, 16 KV block) and the idle hint; times and sizes exactly, with their units.\n"
     "\n"
     "options:\n"
     "  -n N                     how many requests (default 10)\n"
     "  -f, --format FMT         the trace's format (default: told from the file)\n"
     "  -p, --param NAME=VALUE   a parameter of the format's reader (repeatable)\n"
     "      --sample RATE        keep a share of the keys (1%, 0.1) with all their requests\n"
     "      --start T            keep the requests from T after the first one (30s, 2h)\n"
     "      --end T              keep the requests before T after the first one\n"
     "      --skip-bad N         pass over up to N malformed records, counting them\n"
     "  -h, --help               this text\n"
     "\n"
     "examples:\n"
     "  tiersim trace head examples/tiny.csv -n 5\n"},
    {"trace gen", "write a scenario's workload to a trace file",
     "usage: tiersim trace gen [SCENARIO] -o FILE [options]\n"
     "\n"
     "Writes the workload of a scenario (with none, the built-in default), a generator or a\n"
     "trace, to a trace file. The format is --format, else the one FILE's name suggests when\n"
     "it can be written (t.csv, t.oracleGeneral.zst), else native. On a terminal it shows its\n"
     "progress, and it ends with a line on stderr saying what it wrote.\n"
     "\n"
     "options:\n"
     "  -o, --output FILE         the trace file to write (- : standard output, in --format\n"
     "                            or native)\n"
     "  -f, --format FMT          the format to write\n"
     "  -s, --set KEY.PATH=VALUE  override a key of the scenario (repeatable), e.g.\n"
     "                            -s workload.generator.requests=10M\n"
     "  -q, --quiet               no progress and no closing line\n"
     "  -h, --help                this text\n"
     "\n"
     "examples:\n"
     "  tiersim trace gen examples/zipf-two-tier.yaml -o zipf.tsim\n"
     "  tiersim trace gen examples/csv-trace.yaml -o - --format oracle_general > t.bin\n"},
    {"trace convert", "convert a trace from one format to another",
     "usage: tiersim trace convert IN OUT [options]\n"
     "\n"
     "Reads the trace IN and writes it to OUT (- : standard output). The output format is\n"
     "--to, else the one OUT's name suggests when it can be written, else native. On a\n"
     "terminal it shows its progress, and it ends with a line on stderr saying what it wrote.\n"
     "\n"
     "options:\n"
     "      --from FMT           the input's format (default: told from the file)\n"
     "      --to FMT             the output's format\n"
     "  -p, --param NAME=VALUE   a parameter of the input format's reader (repeatable)\n"
     "      --sample RATE        keep a share of the keys (1%, 0.1) with all their requests\n"
     "      --start T            keep the requests from T after the first one (30s, 2h)\n"
     "      --end T              keep the requests before T after the first one\n"
     "      --skip-bad N         pass over up to N malformed records, counting them\n"
     "  -q, --quiet              no progress and no closing line\n"
     "  -h, --help               this text\n"
     "\n"
     "examples:\n"
     "  tiersim trace convert examples/tiny.csv tiny.tsim -p time_unit=ns\n"
     "  tiersim trace convert examples/tiny.csv - --sample 50% -p time_unit=ns > half.tsim\n"},
    {"calibrate", "measure a device and write the devices file the models load",
     "usage: tiersim calibrate --file PATH | --memory | --gpu N [options]\n"
     "\n"
     "Measures a device through tiersim's live back-ends: random and sequential reads and\n"
     "writes at 4KiB, 64KiB, 1MiB and 4MiB and queue depths 1, 4, 16, 32 and 128 (depth x\n"
     "size at most 128MiB), each point for a fixed time. Fits the device model (latency,\n"
     "bandwidth, channels; docs/calibrate.md) and writes a devices file that a scenario loads\n"
     "(devices: FILE) and `tiersim list devices FILE` shows. Prints each point beside what\n"
     "the model predicts for it, in IOPS, MB/s and microseconds. Takes about a minute and a\n"
     "half (a few seconds with --quick); a progress line shows on a terminal.\n"
     "\n"
     "Safety: --file writes only a scratch file it creates (an existing file is refused\n"
     "unless tiersim made it), removed at the end unless --keep; the free space is checked\n"
     "first and --size lowered, with a note, when it is short.\n"
     "\n"
     "options:\n"
     "      --file PATH           measure the file system of PATH: a directory for the\n"
     "                            scratch file (tiersim-calibrate.live), or its path;\n"
     "                            O_DIRECT, io_uring (kind nvme)\n"
     "      --memory              measure host memory: memcpy on one thread, depth 1 (dram)\n"
     "      --gpu N               measure GPU N: copies host->GPU (writes) and GPU->host\n"
     "                            (reads), depth up to 64 CUDA streams (kind other)\n"
     "      --cuda-library FILE   with --gpu: the CUDA runtime to load (default libcudart)\n"
     "      --size S              bytes of objects stored at once (default 1GiB for --file,\n"
     "                            256MiB otherwise; at least 16MiB, 4MiB with --quick)\n"
     "  -o, --output FILE         write the devices file into FILE and the table to stdout;\n"
     "                            without it the file goes to stdout, the table as comments\n"
     "      --name NAME           the device's name (default calibrated-file,\n"
     "                            calibrated-memory or calibrated-gpu)\n"
     "      --keep                keep the scratch file\n"
     "      --quick               a short grid (4KiB and 1MiB, depths 1 and 16, 0.2s a point)\n"
     "      --time T              measuring time of one point (default 1s, 0.2s with --quick)\n"
     "  -q, --quiet               no table, note or progress\n"
     "  -h, --help                this text\n"
     "\n"
     "examples:\n"
     "  tiersim calibrate --memory --quick --size 16MiB -o mem.yaml\n"
     "  tiersim list devices mem.yaml\n"
     "  tiersim calibrate --file . --quick --size 16MiB -o disk.yaml --name my-disk\n"},
    {"list", "the plug-ins, models, devices and prices a scenario may name",
     "usage: tiersim list [WHAT]\n"
     "\n"
     "Prints what a scenario may name, from the same tables the scenario loader reads; with\n"
     "no WHAT, all of it. WHAT is one of:\n"
     "  policies       eviction policies with their parameters (type, default, range)\n"
     "  formats        trace formats with their readers' parameters\n"
     "  generators     workload generators with their parameters\n"
     "  admission      admission filters with their parameters\n"
     "  prefetchers    prefetchers with their parameters\n"
     "  reports        report writers (what `outputs:` may name) and the files they write\n"
     "  behaviours     device behaviours (what a device's `model` may name)\n"
     "  backends       live back-ends (where a tier's objects are in live mode)\n"
     "  models         the LLM presets of the inference and agentic workloads\n"
     "  devices [FILE] device and link presets with their key figures and fields, and the\n"
     "                 entries of a catalogue FILE\n"
     "  prices         the default prices and the cost keys of a scenario\n"
     "\n"
     "options:\n"
     "  -h, --help     this text\n"
     "\n"
     "examples:\n"
     "  tiersim list policies\n"
     "  tiersim list devices\n"},
    {"help", "this overview, or the help of a verb",
     "usage: tiersim help [VERB [SUB-VERB]]\n"
     "\n"
     "Prints the overview of the verbs, or the help of one: its usage, what it does, every\n"
     "option and examples. 'tiersim VERB --help' prints the same.\n"
     "\n"
     "examples:\n"
     "  tiersim help run\n"
     "  tiersim help trace gen\n"},
    {"version", "the version of tiersim",
     "usage: tiersim version\n"
     "\n"
     "Prints the version of tiersim and whether this build runs sweeps across MPI ranks\n"
     "(the MPI library, or none); 'tiersim --version' does the same.\n"
     "\n"
     "examples:\n"
     "  tiersim version\n"},
};

#define CLI_N_HELP (sizeof(k_help) / sizeof(k_help[0]))

static const cli_help_t *cli_help_find(const char *name)
{
    for (size_t i = 0; i < CLI_N_HELP; i++)
        if (strcmp(k_help[i].name, name) == 0)
            return &k_help[i];
    return NULL;
}

/* The verbs (entries without a blank), or the sub-verbs of "trace" ("trace X"), one a line. */
static void cli_help_list(FILE *out, const char *prefix)
{
    size_t skip = prefix ? strlen(prefix) + 1 : 0;
    for (size_t i = 0; i < CLI_N_HELP; i++) {
        const char *n = k_help[i].name;
        bool is_sub = strchr(n, ' ') != NULL;
        if (prefix ? is_sub && strncmp(n, prefix, skip - 1) == 0 : !is_sub)
            fprintf(out, "  %-9s %s\n", n + skip, k_help[i].summary);
    }
}

void ts__cli_help(FILE *out)
{
    fprintf(out, "usage: tiersim VERB [options] [arguments]\n"
                 "\n"
                 "tiersim replays storage traces, real or generated, through tiers of caches and\n"
                 "reports hit ratios, latency, GPU stall time and dollars.\n"
                 "\n"
                 "verbs:\n");
    cli_help_list(out, NULL);
    fprintf(out, "\n"
                 "Run 'tiersim help VERB' (or 'tiersim VERB --help') for a verb's options and\n"
                 "examples. Results go to standard output; notes, warnings, progress and errors\n"
                 "to standard error. Exit status: 0 success, 1 an error, 2 a usage error,\n"
                 "130 or 143 interrupted by SIGINT or SIGTERM (temporary files removed).\n");
}

int ts__cli_help_topic(const char *verb, const char *sub, FILE *out)
{
    if (!verb) {
        ts__cli_help(out);
        return 0;
    }
    char name[64];
    snprintf(name, sizeof(name), "%s%s%s", verb, sub ? " " : "", sub ? sub : "");
    const cli_help_t *h = cli_help_find(name);
    if (!h) {
        const char *cands[CLI_N_HELP];
        size_t n = 0;
        for (size_t i = 0; i < CLI_N_HELP; i++) {
            const char *k = k_help[i].name, *blank = strchr(k, ' ');
            if (sub && blank && strncmp(k, verb, (size_t)(blank - k)) == 0)
                cands[n++] = blank + 1;
            else if (!sub && !blank)
                cands[n++] = k;
        }
        const char *hint = ts_suggest(sub ? sub : verb, cands, n);
        if (sub && cli_help_find(verb) && n == 0)
            return ts__cli_usage("help", "help: %s has no sub-verbs, found '%s'", verb, sub);
        if (sub && cli_help_find(verb))
            return ts__cli_usage(verb, "unknown %s sub-verb '%s'%s%s%s", verb, sub,
                                 hint ? " (did you mean '" : "", hint ? hint : "",
                                 hint ? "'?)" : "");
        return ts__cli_usage(NULL, "help: unknown verb '%s'%s%s%s", verb,
                             hint ? " (did you mean '" : "", hint ? hint : "",
                             hint ? "'?)" : "");
    }
    if (strcmp(name, "trace") == 0) { /* its text lists the sub-verbs */
        const char *mark = strstr(h->text, "%s");
        fprintf(out, "%.*s", (int)(mark - h->text), h->text);
        cli_help_list(out, "trace");
        fputs(mark + 2, out);
    } else {
        fputs(h->text, out);
    }
    return 0;
}

/* ---- errors, the options several verbs take ---- */

int ts__cli_fail(const ts_err_t *err)
{
    char buf[512];
    fprintf(stderr, "tiersim: error: %s\n", ts_err_format(err, buf, sizeof(buf)));
    return 1;
}

int ts__cli_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tiersim: error: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (verb)
        fprintf(stderr, "\nTry 'tiersim %s --help'.\n", verb);
    else
        fprintf(stderr, "\nTry 'tiersim help'.\n");
    return 2;
}

/* The usage error of a long option that getopt_long refused: unknown (with the closest
 * name), ambiguous (with the names it could be), given a value it does not take, or missing
 * its value. arg is the word as typed ("--jsn", "--output=x"). */
static int cli_bad_long(const char *verb, const char *arg, int c, const struct option *opts)
{
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    const struct option *match = NULL;
    char could[256] = "";
    size_t n_prefix = 0, used = 0;
    const char *names[64];
    size_t n_names = 0;
    for (const struct option *o = opts; o->name; o++) {
        if (n_names < 64)
            names[n_names++] = o->name;
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (strlen(o->name) == len) { /* an exact name wins over prefixes */
            match = o;
            n_prefix = 1;
            break;
        }
        match = o;
        n_prefix++;
        if (used < sizeof(could))
            used += (size_t)snprintf(could + used, sizeof(could) - used, "%s--%s",
                                     used ? ", " : "", o->name);
    }
    if (n_prefix > 1)
        return ts__cli_usage(verb, "%s: option '%.*s' is ambiguous (it could be %s)", verb,
                             (int)len + 2, arg, could);
    if (match && c == ':')
        return ts__cli_usage(verb, "%s: option '--%s' needs a value", verb, match->name);
    if (match && name[len] == '=' && match->has_arg == no_argument)
        return ts__cli_usage(verb, "%s: option '--%s' takes no value, found '%s'", verb,
                             match->name, arg);
    char word[64];
    snprintf(word, sizeof(word), "%.*s", (int)(len < 63 ? len : 63), name);
    const char *hint = ts_suggest(word, names, n_names);
    return ts__cli_usage(verb, "%s: unknown option '%.*s'%s%s%s", verb, (int)len + 2, arg,
                         hint ? " (did you mean '--" : "", hint ? hint : "",
                         hint ? "'?)" : "");
}

int ts__cli_getopt(const char *verb, int argc, char **argv, const char *shortopts,
                   const struct option *longopts)
{
    char spec[64];
    snprintf(spec, sizeof(spec), ":%s", shortopts);
    opterr = 0;
    int c = getopt_long(argc, argv, spec, longopts, NULL);
    if (c != '?' && c != ':')
        return c;
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    if (strncmp(arg, "--", 2) == 0 && arg[2])
        cli_bad_long(verb, arg, c, longopts);
    else if (c == ':')
        ts__cli_usage(verb, "%s: option '-%c' needs a value", verb, optopt);
    else
        ts__cli_usage(verb, "%s: unknown option '-%c'", verb, optopt ? optopt : '?');
    return '?';
}

int ts__cli_add_override(const char *verb, const char **ovr, size_t *n, const char *arg)
{
    if (*n == TS__CLI_MAX_OVERRIDES)
        return ts__cli_usage(verb, "too many -s overrides (at most %d)", TS__CLI_MAX_OVERRIDES);
    ovr[(*n)++] = arg;
    return 0;
}

int ts__cli_count_opt(const char *verb, const char *arg, const char *usage, size_t *out)
{
    uint64_t v;
    ts_err_t e = {0};
    if (ts_parse_count(arg, &v, &e) != 0 || v == 0 || v > 100000) {
        fprintf(stderr, "tiersim: error: ");
        fprintf(stderr, usage, arg);
        fprintf(stderr, "\nTry 'tiersim %s --help'.\n", verb);
        return 2;
    }
    *out = (size_t)v;
    return 0;
}

int ts__cli_path_opt(const char *verb, const char *opt, const char *arg)
{
    if (!arg[0])
        return ts__cli_usage(verb, "%s: %s needs a file name, found an empty one", verb, opt);
    return 0;
}

int ts__cli_dir_opt(const char *verb, const char *arg)
{
    if (!arg[0])
        return ts__cli_usage(verb, "%s: -o needs a directory, found an empty name", verb);
    if (ts__cli_is_stdout(arg))
        return ts__cli_usage(verb, "%s: -o names a directory, found '-' (standard output "
                                   "takes a single file)",
                             verb);
    return 0;
}

void ts__cli_threads_note(void *ctx, int asked, int used, const char *why)
{
    const ts__cli_threads_t *t = ctx;
    const char *env = getenv("OMP_NUM_THREADS");
    if (t->is_quiet)
        return;
    if (t->arg)
        fprintf(stderr, "tiersim: note: --threads %s: using %d (%s)\n", t->arg, used, why);
    else if (env && *env)
        fprintf(stderr, "tiersim: note: OMP_NUM_THREADS=%s: using %d (%s)\n", env, used, why);
    (void)asked;
}

FILE *ts__cli_progress_out(bool quiet)
{
    return !quiet && isatty(STDERR_FILENO) ? stderr : NULL;
}

/* ---- standard output as a file ---- */

int ts__cli_stdout_open(ts__cli_stdout_t *s, const char *name, ts_err_t *err)
{
    const char *tmp = getenv("TMPDIR");
    tmp = tmp && *tmp ? tmp : "/tmp";
    s->path[0] = 0;
    s->live[0] = s->live[1] = 0;
    int n = snprintf(s->dir, sizeof(s->dir), "%s/tiersim-stdout.XXXXXX", tmp);
    sigset_t old;
    ts_io_hold_signals(&old); /* made and in the live table as one: gone on a signal */
    bool is_made = n >= 0 && (size_t)n < sizeof(s->dir) && mkdtemp(s->dir);
    int e = errno;
    if (is_made) {
        snprintf(s->path, sizeof(s->path), "%s/%s", s->dir, name);
        s->live[0] = ts_io_live_add(s->path, "standard output", false);
        s->live[1] = ts_io_live_add(s->dir, "standard output", true);
    }
    ts_io_release_signals(&old);
    if (!is_made) {
        s->dir[0] = 0;
        return ts_err_sys(err, TS_EIO, e, "cannot create a scratch directory in '%s'", tmp);
    }
    return 0;
}

int ts__cli_stdout_copy(const ts__cli_stdout_t *s, ts_err_t *err)
{
    FILE *in = fopen(s->path, "rb");
    if (!in)
        return ts_err_sys(err, TS_EIO, errno, "cannot read back '%s'", s->path);
    char buf[1 << 16];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            rc = ts_err_sys(err, TS_EIO, errno, "cannot write to standard output");
    if (rc == 0 && ferror(in))
        rc = ts_err_sys(err, TS_EIO, errno, "cannot read back '%s'", s->path);
    fclose(in);
    if (rc == 0 && fflush(stdout) != 0)
        rc = ts_err_sys(err, TS_EIO, errno, "cannot write to standard output");
    return rc;
}

void ts__cli_stdout_close(ts__cli_stdout_t *s)
{
    if (s->path[0])
        remove(s->path);
    if (s->dir[0])
        rmdir(s->dir);
    ts_io_live_drop(s->live[0]);
    ts_io_live_drop(s->live[1]);
    s->live[0] = s->live[1] = 0;
    s->path[0] = s->dir[0] = 0;
}

/* ---- help, version and list's options ---- */

static bool cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* tiersim help [VERB [SUB-VERB]] */
static int cli_help_verb(int argc, char **argv)
{
    if (argc > 1 && cli_is_help(argv[1]))
        return ts__cli_help_topic("help", NULL, stdout);
    if (argc > 3)
        return ts__cli_usage("help", "help takes a verb and a sub-verb, found also '%s'",
                             argv[3]);
    return ts__cli_help_topic(argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL, stdout);
}

static int cli_version(int argc, char **argv)
{
    if (argc > 1 && cli_is_help(argv[1]))
        return ts__cli_help_topic("version", NULL, stdout);
    if (argc > 1)
        return ts__cli_usage("version", "version takes no arguments, found '%s'", argv[1]);
    printf("tiersim %s\n%s\n", TS_VERSION, ts_mpi_library());
    return 0;
}

/* list takes no options but --help; the listing itself is cli_list.c's. */
static int cli_list_verb(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i]))
            return ts__cli_help_topic("list", NULL, stdout);
        if (strncmp(argv[i], "--", 2) == 0 && argv[i][2])
            return cli_bad_long("list", argv[i], '?', opts);
        if (argv[i][0] == '-' && argv[i][1])
            return ts__cli_usage("list", "list: unknown option '%s'", argv[i]);
    }
    return ts__cli_list(argc, argv);
}

/* ---- main ---- */

/* The end of every verb: standard output is flushed here, once, so a write error on it (a
 * full disk, a closed pipe's EIO) is an error of the command even when the verb printed
 * with plain printf; with is_close, it is closed too. rc is the verb's status; an error
 * already reported wins. */
static int cli_check_stdout(int rc, bool is_close)
{
    errno = 0;
    int e = fflush(stdout) != 0 ? (errno ? errno : EIO) : ferror(stdout) ? EIO : 0;
    if (is_close && fclose(stdout) != 0 && !e)
        e = errno ? errno : EIO;
    if (e && rc == 0) {
        fprintf(stderr, "tiersim: error: standard output: %s\n", strerror(e));
        return 1;
    }
    return rc;
}

int ts_cli_exit(int rc)
{
    return cli_check_stdout(rc, true);
}

static int cli_dispatch(int argc, char **argv);

int ts_cli_main(int argc, char **argv)
{
#if defined(TS_DEBUG) && TS_DEBUG
    const char *fail = getenv("TS_IO_FAIL_AFTER"); /* the write-fault hook, for tests */
    ts_err_t ferr = {0};
    if (fail && *fail && ts_io_fail_spec(fail, &ferr) != 0) {
        ts_err_where(&ferr, "TS_IO_FAIL_AFTER");
        return ts__cli_fail(&ferr);
    }
#endif
    ts_gsl_install(); /* GSL's errors come back as codes, never abort() (gslerr.h) */
    ts__cli_signals_install();
    return cli_check_stdout(cli_dispatch(argc, argv), false);
}

static int cli_dispatch(int argc, char **argv)
{
    static const char *const verbs[] = {"run",  "live", "mrc",       "sweep", "report",
                                        "trace", "list", "calibrate", "help", "version"};
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
    if (strcmp(v, "live") == 0)
        return ts__cli_live(argc - 1, argv + 1);
    if (strcmp(v, "mrc") == 0)
        return ts__cli_mrc(argc - 1, argv + 1);
    if (strcmp(v, "sweep") == 0)
        return ts__cli_sweep(argc - 1, argv + 1);
    if (strcmp(v, "report") == 0)
        return ts__cli_report(argc - 1, argv + 1);
    if (strcmp(v, "trace") == 0)
        return ts__cli_trace(argc - 1, argv + 1);
    if (strcmp(v, "list") == 0)
        return cli_list_verb(argc - 1, argv + 1);
    if (strcmp(v, "calibrate") == 0)
        return ts__cli_calibrate(argc - 1, argv + 1);
    if (strcmp(v, "help") == 0 || cli_is_help(v))
        return cli_help_verb(argc - 1, argv + 1);
    if (strcmp(v, "version") == 0 || strcmp(v, "--version") == 0)
        return cli_version(argc - 1, argv + 1);
    if (v[0] == '-')
        return ts__cli_usage(NULL, "unknown option '%s' (options follow a verb)", v);
    const char *hint = ts_suggest(v, verbs, sizeof(verbs) / sizeof(verbs[0]));
    return ts__cli_usage(NULL, "unknown verb '%s'%s%s%s", v, hint ? " (did you mean '" : "",
                         hint ? hint : "", hint ? "'?)" : "");
}
