/* SPDX-License-Identifier: MIT */
/*
 * test_config.c - the scenario loader at the top level (app/config.c, config_read.c): every
 * error names file:line:col (or `-s key`) and the key path and says what was expected (one
 * table for every section); errors in a file name the file; a full scenario and one with no
 * optional keys decode to the expected fields; overrides edit the tree before decoding; a
 * failed allocation anywhere gives TS_ENOMEM and leaks nothing. Expected locations were
 * counted by hand from the YAML in each case. Each section's valid scenarios have their own
 * file: test_config_tiers.c, test_config_devices.c, test_config_workload.c and
 * test_config_outputs.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/util/mem.h"
#include "app/scenario.h"
#include "config_test.h"
#include "writer_test.h"

static size_t count_ovr(const char *const *ovr, size_t cap)
{
    size_t n = 0;
    while (n < cap && ovr[n])
        n++;
    return n;
}

/* ---- error table ---- */

struct err_case {
    const char *name;
    const char *yaml;
    const char *ovr[4]; /* overrides, NULL-terminated */
    int code;
    const char *where; /* exact err.where */
    const char *msg;   /* substring of err.msg */
    const char *needs; /* a generator kind or trace format the case needs, or NULL */
};

static const struct err_case k_err_cases[] = {
    /* structure and unknown keys */
    {"tier unknown key suggests", "tiers:\n  - {name: dram, capacity: 1000, polcy: lru}\n" W_ZIPF,
     {NULL}, TS_ENOENT, SRC ":2:34: tiers[0].polcy",
     "unknown key 'polcy' (did you mean 'policy'?)", NULL},
    {"top-level unknown key suggests", "tierz:\n  - {capacity: 1}\n", {NULL}, TS_ENOENT,
     SRC ":1:1: tierz", "unknown key 'tierz' (did you mean 'tiers'?)", NULL},
    {"top-level unknown key lists keys", "colour: red\n", {NULL}, TS_ENOENT, SRC ":1:1: colour",
     "expected one of: name, seed, mode, workload, tiers, hierarchy, prefetch, engine, timed, "
     "live, backing, devices, outputs, cost, prices, sweep",
     NULL},
    {"empty scenario", "", {NULL}, TS_EPARSE, SRC ":1:1", "the scenario is empty", NULL},
    {"root is a list", "- 1\n", {NULL}, TS_EPARSE, SRC ":1:1", "found a list", NULL},
    {"missing workload", "tiers:\n  - {capacity: 1}\n", {NULL}, TS_EPARSE, SRC ":1:1",
     "missing required key 'workload' at the top level", NULL},
    {"missing tiers", W_ZIPF, {NULL}, TS_EPARSE, SRC ":1:1",
     "missing required key 'tiers' at the top level", "zipf"},
    /* YAML itself */
    {"yaml syntax error", "seed: 1: 2\n", {NULL}, TS_EPARSE, SRC ":1:8",
     "mapping values are not allowed", NULL},
    {"yaml unclosed flow list", "tiers: [\n  {capacity: 1}\n", {NULL}, TS_EPARSE, SRC ":3:1",
     "while parsing a flow sequence at line 1, column 8", NULL},
    {"tab indentation", "tiers:\n\t- {capacity: 1}\n", {NULL}, TS_EPARSE, SRC ":2:1",
     "found a tab: YAML indents with spaces only", NULL},
    {"reserved character", "seed: 1\n@x: 2\n", {NULL}, TS_EPARSE, SRC ":2:1",
     "cannot start any token ('@')", NULL},
    {"duplicate yaml key", "seed: 1\nseed: 2\n", {NULL}, TS_EPARSE, SRC ":2:1: seed",
     "duplicate key 'seed' (first given at line 1)", NULL},
    {"alias refused", "name: &n hello\nseed: *n\n", {NULL}, TS_EPARSE, SRC ":2:7: seed",
     "aliases (*n) are not supported", NULL},
    {"two documents", "seed: 1\n---\nseed: 2\n", {NULL}, TS_EPARSE, SRC ":2:1",
     "expected one YAML document", NULL},
    /* scalars at the top */
    {"seed negative", "seed: -1\n", {NULL}, TS_EPARSE, SRC ":1:7: seed",
     "expected a whole number from 0 to 18446744073709551615, found '-1'", NULL},
    {"seed is a map", "seed: {a: 1}\n", {NULL}, TS_EPARSE, SRC ":1:7: seed",
     "expected a whole number such as 42, found a map", NULL},
    {"mode suggests", "mode: byte\n", {NULL}, TS_ENOENT, SRC ":1:7: mode",
     "unknown mode 'byte' (did you mean 'bytes'?)", NULL},
    {"live engine needs back-ends",
     "engine: live\ntiers:\n  - {name: dram, capacity: 1, device: ddr5-4800-8ch}\n" W_ZIPF,
     {NULL}, TS_EPARSE, SRC ":1:9: tiers[0]",
     "the live engine needs a back-end for every tier; add for example 'backend: memory'",
     NULL},
    {"backend parameters checked whatever the engine",
     "tiers:\n  - {name: dram, capacity: 1, backend: {name: memory, pinned: 3}}\n" W_ZIPF,
     {NULL}, TS_EPARSE, SRC ":2:63: tiers[0].backend.pinned", "expected true or false", NULL},
    /* devices, links and the timed engine */
    {"timed engine needs devices", "engine: timed\ntiers:\n  - {name: dram, capacity: 1}\n" W_ZIPF,
     {NULL}, TS_EPARSE, SRC ":1:9: tiers[0]",
     "the timed engine needs a device for every tier; add for example 'device: ddr5-4800-8ch' "
     "to tier 'dram'", NULL},
    {"unknown device suggests", "tiers:\n  - {capacity: 1, device: h100-sx}\n" W_ZIPF, {NULL},
     TS_ENOENT, SRC ":2:27: tiers[0].device", "unknown device 'h100-sx' (did you mean 'h100-sxm'?)",
     NULL},
    {"device override unknown field",
     "tiers:\n  - {capacity: 1, device: {preset: h100-sxm, chanels: 8}}\n" W_ZIPF, {NULL},
     TS_ENOENT, SRC ":2:46: tiers[0].device.chanels", "did you mean 'channels'?", NULL},
    {"device override bad value",
     "tiers:\n  - {capacity: 1, device: {preset: h100-sxm, read_bw: fast}}\n" W_ZIPF, {NULL},
     TS_EPARSE, SRC ":2:55: tiers[0].device.read_bw", "bandwidth", NULL},
    {"device map needs a preset", "tiers:\n  - {capacity: 1, device: {channels: 8}}\n" W_ZIPF,
     {NULL}, TS_EPARSE, SRC ":2:27: tiers[0].device", "missing required key 'preset'", NULL},
    {"unknown link", "tiers:\n  - {capacity: 1, link: pcie-gen6}\n" W_ZIPF, {NULL}, TS_ENOENT,
     SRC ":2:25: tiers[0].link", "unknown link 'pcie-gen6'", NULL},
    {"sample unknown key suggests", "workload: {generator: zipf, sample: {rat: 1%}}\n", {NULL},
     TS_ENOENT, SRC ":1:38: workload.sample.rat", "did you mean 'rate'?", NULL},
    {"sample rate out of range", "workload: {generator: zipf, sample: {rate: 150%}}\n", {NULL},
     TS_ERANGE, SRC ":1:44: workload.sample.rate", "rate", NULL},
    {"sample window backwards", "workload: {generator: zipf, sample: {start: 2s, end: 1s}}\n",
     {NULL}, TS_ERANGE, SRC ":1:37: workload.sample", "the window ends before it starts", NULL},
    {"timed unknown key suggests", "timed: {arrival: open}\n", {NULL}, TS_ENOENT,
     SRC ":1:9: timed.arrival", "did you mean 'arrivals'?", NULL},
    {"timed bad arrivals", "timed: {arrivals: clsoed}\n", {NULL}, TS_EPARSE,
     SRC ":1:19: timed.arrivals", "expected one of open|closed, found 'clsoed'", NULL},
    {"timed zero clients", "timed: {clients: 0}\n", {NULL}, TS_ERANGE, SRC ":1:18: timed.clients",
     "clients", NULL},
    {"prefill auto needs a model",
     "timed: {prefill_rate: auto}\ntiers:\n  - {capacity: 1, device: h100-sxm}\n" W_ZIPF, {NULL},
     TS_EPARSE, SRC ":1:23: timed.prefill_rate",
     "'auto' needs a workload with a model (the inference generator, a mooncake, bailian or "
     "agent_sessions trace) or its own prefill_rate",
     NULL},
    {"prefill auto needs a GPU",
     "timed: {prefill_rate: auto}\ntiers:\n  - {capacity: 1, device: ddr5-4800-8ch}\n"
     "workload: {generator: inference}\n",
     {NULL}, TS_EPARSE, SRC ":1:23: timed.prefill_rate",
     "'auto' needs a GPU tier to take FLOP/s from", "inference"},
    {"prefill rate neither number nor auto", "timed: {prefill_rate: fast}\n", {NULL}, TS_EPARSE,
     SRC ":1:23: timed.prefill_rate", "found 'fast'", NULL},
    {"cost_aware needs a device", "tiers:\n  - {capacity: 1, admit: cost_aware}\n" W_ZIPF,
     {NULL}, TS_EPARSE, SRC ":2:26: tiers[0].admit",
     "cost_aware needs the tier's device (or load_rate and load_latency)", NULL},
    {"cost_aware needs a prefill rate",
     "tiers:\n  - {capacity: 1, admit: cost_aware, device: ddr5-4800-8ch}\n" W_ZIPF, {NULL},
     TS_EPARSE, SRC ":2:26: tiers[0].admit",
     "cost_aware needs a prefill rate and a block size: set timed.prefill_rate", NULL},
    {"backing unknown key", "backing: {devise: s3-standard}\n", {NULL}, TS_ENOENT,
     SRC ":1:11: backing.devise", "unknown key 'devise' (did you mean 'device'?)", NULL},
    {"devices file missing", "devices: no-such-devices.yaml\n" "tiers:\n  - {capacity: 1}\n" W_ZIPF,
     {NULL}, TS_ENOENT, SRC ":1:10: devices", "no-such-devices.yaml", NULL},
    {"engine suggests", "engine: fastt\n", {NULL}, TS_ENOENT, SRC ":1:9: engine",
     "unknown engine 'fastt' (did you mean 'fast'?)", NULL},
    {"outputs bad bool", "outputs: {json: maybe}\n", {NULL}, TS_EPARSE, SRC ":1:17: outputs.json",
     "expected true or false, found 'maybe'", NULL},
    {"outputs unknown key", "outputs: {jsn: true}\n", {NULL}, TS_ENOENT, SRC ":1:11: outputs.jsn",
     "did you mean 'json'?", NULL},
    {"outputs interval not a duration", "outputs: {interval: 10}\n", {NULL}, TS_EPARSE,
     SRC ":1:21: outputs.interval",
     "expected auto or a duration such as 1s or 500ms, found '10'", NULL},
    {"outputs interval zero", "outputs: {interval: 0}\n", {NULL}, TS_EPARSE,
     SRC ":1:21: outputs.interval", "found '0'", NULL},
    {"outputs interval by requests", "outputs: {interval: 1s, axis: requests}\n", {NULL},
     TS_EPARSE, SRC ":1:21: outputs.interval",
     "expected auto or a count of requests such as 10k, found '1s'", NULL},
    {"outputs points out of range", "outputs: {points: 1}\n", {NULL}, TS_ERANGE,
     SRC ":1:19: outputs.points", "expected a count of points from 2 to 1000000, found '1'",
     NULL},
    {"outputs axis suggests", "outputs: {axis: tme}\n", {NULL}, TS_ENOENT,
     SRC ":1:17: outputs.axis", "unknown axis 'tme' (did you mean 'time'?)", NULL},
    {"outputs axis requests with the timed engine",
     "outputs: {axis: requests}\nengine: timed\ntiers:\n  - {capacity: 1}\n" W_ZIPF, {NULL},
     TS_EINVAL, SRC ":1:17: outputs.axis",
     "the timed engine samples its time series on its clock", "zipf"},
    /* tiers */
    {"capacity bad unit", "tiers:\n  - name: dram\n    capacity: 12x\n", {NULL}, TS_EPARSE,
     SRC ":3:15: tiers[0].capacity",
     "expected a count such as 1000, 10k or 1e6, or a percentage such as 10%, found '12x'", NULL},
    {"size in objects mode", "tiers:\n  - {capacity: 4GiB}\n", {NULL}, TS_EPARSE,
     SRC ":2:16: tiers[0].capacity",
     "in objects mode a capacity is an object count such as 1000 or 10k, found the size '4GiB'",
     NULL},
    {"bytes mode bad size", "mode: bytes\ntiers:\n  - {capacity: 12x}\n", {NULL}, TS_EPARSE,
     SRC ":3:16: tiers[0].capacity", "expected a size such as 4096 (bytes), 512MiB or 1.5TB",
     NULL},
    {"bytes mode capacity in bits", "mode: bytes\ntiers:\n  - {capacity: 10Gb}\n", {NULL},
     TS_EPARSE, SRC ":3:16: tiers[0].capacity",
     "found '10Gb': Gb is gigabits; did you mean '10GB'?", NULL},
    {"bytes mode capacity case", "mode: bytes\ntiers:\n  - {capacity: 10Gib}\n", {NULL},
     TS_EPARSE, SRC ":3:16: tiers[0].capacity",
     "found '10Gib': units are case-sensitive; did you mean '10GiB'?", NULL},
    {"capacity zero", "tiers:\n  - {capacity: 0}\n", {NULL}, TS_ERANGE,
     SRC ":2:16: tiers[0].capacity", "a capacity must be above zero, found '0'", NULL},
    {"capacity over 100%", "tiers:\n  - {capacity: 150%}\n", {NULL}, TS_ERANGE,
     SRC ":2:16: tiers[0].capacity", "at most 100%, found '150%'", NULL},
    {"capacity bad percent", "tiers:\n  - {capacity: ten%}\n", {NULL}, TS_EPARSE,
     SRC ":2:16: tiers[0].capacity", "expected a percentage of the footprint such as 10%", NULL},
    {"capacity empty", "tiers:\n  - {capacity: }\n", {NULL}, TS_EPARSE,
     SRC ":2:16: tiers[0].capacity", "found nothing", NULL},
    {"capacity missing", "tiers:\n  - {name: a}\n", {NULL}, TS_EPARSE, SRC ":2:5: tiers[0]",
     "missing required key 'capacity'", NULL},
    {"unknown policy suggests", "tiers:\n  - {capacity: 10, policy: lruu}\n", {NULL}, TS_ENOENT,
     SRC ":2:28: tiers[0].policy", "unknown policy 'lruu' (did you mean 'lru'?)", NULL},
    {"policy map without name", "tiers:\n  - {capacity: 1, policy: {size: 3}}\n", {NULL},
     TS_EPARSE, SRC ":2:27: tiers[0].policy", "missing required key 'name'", NULL},
    {"policy map unknown policy", "tiers:\n  - {capacity: 1, policy: {name: fifoo}}\n", {NULL},
     TS_ENOENT, SRC ":2:34: tiers[0].policy.name", "did you mean 'fifo'?", NULL},
    {"policy without parameters", "tiers:\n  - {capacity: 1, policy: {name: lru, ratio: 5}}\n",
     {NULL}, TS_ENOENT, SRC ":2:39: tiers[0].policy.ratio",
     "unknown key 'ratio' (this takes no parameters)", NULL},
    {"policy is a list", "tiers:\n  - {capacity: 1, policy: [lru]}\n", {NULL}, TS_EPARSE,
     SRC ":2:27: tiers[0].policy", "expected a policy name such as lru or a map", NULL},
    {"duplicate tier names", "tiers:\n  - {name: dram, capacity: 10}\n  - {name: dram, capacity: 20}\n",
     {NULL}, TS_EPARSE, SRC ":3:12: tiers[1].name",
     "duplicate tier name 'dram' (tiers[0] has it too)", NULL},
    {"duplicate with a default name", "tiers:\n  - {capacity: 10}\n  - {name: tier0, capacity: 20}\n",
     {NULL}, TS_EPARSE, SRC ":3:12: tiers[1].name", "duplicate tier name 'tier0'", NULL},
    {"tier name with a blank", "tiers:\n  - {name: my tier, capacity: 1}\n", {NULL}, TS_EPARSE,
     SRC ":2:12: tiers[0].name", "expected a tier name of letters, digits", NULL},
    {"no tiers", "tiers: []\n", {NULL}, TS_EPARSE, SRC ":1:8: tiers",
     "expected at least one tier, found none", NULL},
    {"tiers is a map", "tiers: {capacity: 1}\n", {NULL}, TS_EPARSE, SRC ":1:8: tiers",
     "expected a list of tiers", NULL},
    {"tier is a value", "tiers:\n  - dram\n", {NULL}, TS_EPARSE, SRC ":2:5: tiers[0]",
     "expected a map such as {name: dram, capacity: 1000, policy: lru}, found a value", NULL},
    /* hierarchy rules */
    {"inclusion suggests", "hierarchy: {inclusion: exclusiv}\n", {NULL}, TS_ENOENT,
     SRC ":1:24: hierarchy.inclusion", "unknown inclusion 'exclusiv' (did you mean 'exclusive'?)",
     NULL},
    {"promote unknown", "hierarchy: {promote: sideways}\n", {NULL}, TS_ENOENT,
     SRC ":1:22: hierarchy.promote", "unknown promote rule 'sideways'", NULL},
    {"demote suggests", "hierarchy: {demote: nxt}\n", {NULL}, TS_ENOENT,
     SRC ":1:21: hierarchy.demote", "unknown demote rule 'nxt' (did you mean 'next'?)", NULL},
    {"write is a list", "hierarchy: {write: [back]}\n", {NULL}, TS_EPARSE,
     SRC ":1:20: hierarchy.write", "expected one of: through, back, found a list", NULL},
    {"flush_at_end bad bool", "hierarchy: {flush_at_end: sometimes}\n", {NULL}, TS_EPARSE,
     SRC ":1:27: hierarchy.flush_at_end", "expected true or false, found 'sometimes'", NULL},
    {"hierarchy unknown key", "hierarchy: {inclusive: true}\n", {NULL}, TS_ENOENT,
     SRC ":1:13: hierarchy.inclusive", "unknown key 'inclusive' (did you mean 'inclusion'?)",
     NULL},
    {"hierarchy is a list", "hierarchy: [exclusive]\n", {NULL}, TS_EPARSE, SRC ":1:12: hierarchy",
     "expected a map such as {inclusion: exclusive", NULL},
    {"override hierarchy rule", "tiers:\n  - {capacity: 1}\n", {"hierarchy.write=bak"},
     TS_ENOENT, "-s hierarchy.write", "unknown write policy 'bak' (did you mean 'back'?)", NULL},
    /* admission */
    {"admit suggests", "tiers:\n  - {capacity: 1, admit: second_hitt}\n", {NULL}, TS_ENOENT,
     SRC ":2:26: tiers[0].admit", "unknown admission 'second_hitt' (did you mean 'second_hit'?)",
     NULL},
    {"admit parameter bad value",
     "tiers:\n  - {capacity: 1, admit: {kind: second_hit, window: lots}}\n",
     {NULL}, TS_EPARSE, SRC ":2:53: tiers[0].admit.window", "found 'lots'", NULL},
    {"admit parameter of another filter",
     "tiers:\n  - {capacity: 1, admit: {kind: max_size, window: 5}}\n",
     {NULL}, TS_ENOENT, SRC ":2:43: tiers[0].admit.window", "unknown key 'window'", NULL},
    {"admit is a list", "tiers:\n  - {capacity: 1, admit: [always]}\n", {NULL}, TS_EPARSE,
     SRC ":2:26: tiers[0].admit",
     "expected an admission filter name or a map such as {kind: second_hit", NULL},
    {"admit map without kind", "tiers:\n  - {capacity: 1, admit: {window: 5}}\n", {NULL},
     TS_EPARSE, SRC ":2:26: tiers[0].admit", "missing required key 'kind'", NULL},
    /* prefetch */
    {"prefetcher suggests", "prefetch: {kind: nextn}\n", {NULL}, TS_ENOENT,
     SRC ":1:18: prefetch.kind",
     "unknown prefetcher 'nextn' (did you mean 'next_n'?)", NULL},
    {"prefetch n out of range", "prefetch: {kind: next_n, n: 100}\n", {NULL}, TS_ERANGE,
     SRC ":1:29: prefetch.n", "100", NULL},
    {"prefetch is a list", "prefetch: [next_n]\n", {NULL}, TS_EPARSE, SRC ":1:11: prefetch",
     "expected a prefetcher name or a map such as {kind: next_n", NULL},
    {"prefetch into unknown tier",
     "prefetch: {kind: next_n, into: hbmm}\ntiers:\n  - {name: hbm, capacity: 10}\n" W_ZIPF,
     {NULL}, TS_ENOENT, SRC ":1:32: prefetch.into", "unknown tier 'hbmm' (did you mean 'hbm'?)",
     "zipf"},
    {"prefetch into is a list",
     "prefetch: {kind: hint, into: [a]}\ntiers:\n  - {name: hbm, capacity: 10}\n" W_ZIPF,
     {NULL}, TS_EPARSE, SRC ":1:30: prefetch.into", "expected a tier name, found a list", "zipf"},
    /* workload */
    {"workload is a list", "workload: [1]\n", {NULL}, TS_EPARSE, SRC ":1:11: workload",
     "expected a map such as", NULL},
    {"workload without source", "workload: {}\n", {NULL}, TS_EPARSE, SRC ":1:11: workload",
     "missing required key: 'trace' (a file) or 'generator' (synthetic)", NULL},
    {"workload with both sources", "workload:\n  trace: {path: a.csv}\n  generator: zipf\n",
     {NULL}, TS_EPARSE, SRC ":3:3: workload", "give either 'trace' or 'generator', not both",
     NULL},
    {"unknown workload key", "workload: {generater: zipf}\n", {NULL}, TS_ENOENT,
     SRC ":1:12: workload.generater", "did you mean 'generator'?", NULL},
    {"unknown generator kind", "workload: {generator: {kind: zipff}}\n", {NULL}, TS_ENOENT,
     SRC ":1:30: workload.generator.kind", "unknown generator kind 'zipff'", NULL},
    {"unknown generator kind, short form", "workload: {generator: zipff}\n", {NULL}, TS_ENOENT,
     SRC ":1:23: workload.generator", "unknown generator kind 'zipff'", NULL},
    {"generator without kind", "workload: {generator: {alpha: 1}}\n", {NULL}, TS_EPARSE,
     SRC ":1:23: workload.generator", "missing required key 'kind'", NULL},
    {"unknown trace format", "workload: {trace: {path: a.csv, format: csvv}}\n", {NULL},
     TS_ENOENT, SRC ":1:41: workload.trace.format", "unknown trace format 'csvv'", NULL},
    {"trace format not guessable", "workload: {trace: data.xyz}\n", {NULL}, TS_EPARSE,
     SRC ":1:19: workload.trace", "cannot tell the format of 'data.xyz'", NULL},
    {"trace without path", "workload: {trace: {header: true}}\n", {NULL}, TS_EPARSE,
     SRC ":1:19: workload.trace", "missing required key 'path'", NULL},
    {"bad generator parameter value", "workload: {generator: {kind: zipf, alpha: abc}}\n",
     {NULL}, TS_EPARSE, SRC ":1:43: workload.generator.alpha", "found 'abc'", "zipf"},
    {"unknown generator parameter", "workload: {generator: {kind: zipf, alpah: 1}}\n", {NULL},
     TS_ENOENT, SRC ":1:36: workload.generator.alpah", "did you mean 'alpha'?", "zipf"},
    {"generator parameter is a list", "workload: {generator: {kind: zipf, alpha: [1]}}\n",
     {NULL}, TS_EPARSE, SRC ":1:43: workload.generator.alpha", "found a list", "zipf"},
    {"trace parameter bad value", "workload: {trace: {path: a.csv, columns: {time: x}}}\n",
     {NULL}, TS_EPARSE, SRC ":1:49: workload.trace.columns.time", "expected an integer, found 'x'",
     "csv"},
    {"trace parameter out of range", "workload: {trace: {path: a.csv, columns: {time: -5}}}\n",
     {NULL}, TS_ERANGE, SRC ":1:49: workload.trace.columns.time", "found '-5'", "csv"},
    {"trace parameter unknown nested key", "workload: {trace: {path: a.csv, columns: {tme: 0}}}\n",
     {NULL}, TS_ENOENT, SRC ":1:43: workload.trace.columns.tme",
     "unknown key 'columns.tme' (did you mean 'columns.time'?)", "csv"},
    /* overrides */
    {"override without =", "tiers:\n  - {capacity: 1}\n", {"seed"}, TS_EPARSE, "-s seed",
     "expected key.path=value, found 'seed'", NULL},
    {"override without key", "tiers:\n  - {capacity: 1}\n", {"=5"}, TS_EPARSE, "-s =5",
     "expected key.path=value", NULL},
    {"override empty segment", "tiers:\n  - {capacity: 1}\n", {"tiers..capacity=1"}, TS_EPARSE,
     "-s tiers..capacity", "empty key in 'tiers..capacity'", NULL},
    {"override index out of range", "tiers:\n  - {capacity: 1}\n", {"tiers.1.capacity=5"},
     TS_ENOENT, "-s tiers.1.capacity", "index 1 is out of range (tiers has 1 entry)", NULL},
    {"override index not a number", "tiers:\n  - {capacity: 1}\n", {"tiers.first.capacity=5"},
     TS_EPARSE, "-s tiers.first.capacity", "tiers is a list: expected an index such as 0, found 'first'",
     NULL},
    {"override through a value", "tiers:\n  - {name: a, capacity: 1}\n", {"tiers.0.name.x=5"},
     TS_ENOENT, "-s tiers.0.name.x", "'tiers.0.name' is a value, not a map or a list", NULL},
    {"override bad value", "tiers:\n  - {capacity: 1}\n", {"tiers.0.capacity=12x"}, TS_EPARSE,
     "-s tiers.0.capacity", "expected a count such as 1000, 10k or 1e6", NULL},
    {"override unknown key", "tiers:\n  - {capacity: 1}\n", {"tiers.0.polcy=lru"}, TS_ENOENT,
     "-s tiers.0.polcy", "unknown key 'polcy' (did you mean 'policy'?)", NULL},
    {"override unknown top key", "tiers:\n  - {capacity: 1}\n", {"sed=4"}, TS_ENOENT, "-s sed",
     "did you mean 'seed'?", NULL},
    {"override unknown policy", "tiers:\n  - {capacity: 1}\n", {"tiers.0.policy=lruu"},
     TS_ENOENT, "-s tiers.0.policy", "unknown policy 'lruu'", NULL},
    {"override engine", "tiers:\n  - {capacity: 1}\n", {"engine=slow"}, TS_ENOENT,
     "-s engine", "unknown engine 'slow' (expected one of: fast, timed, live)", NULL},
    {"override device", "tiers:\n  - {capacity: 1, device: h100-sxm}\n" W_ZIPF,
     {"tiers.0.device=h200x"}, TS_ENOENT, "-s tiers.0.device", "unknown device 'h200x'", NULL},
    {"override cannot add a list", "", {"tiers.0.capacity=1"}, TS_ENOENT, "-s tiers.0.capacity",
     "there is no list 'tiers' to index", NULL},
    {"override on a scalar root", "hello\n", {"seed=1"}, TS_EPARSE, "-s seed",
     "the scenario is a single value, not a map", NULL},
    /* sweep axes */
    {"sweep not a map", "tiers:\n  - {capacity: 1}\n" W_ZIPF "sweep: [1, 2]\n", {NULL},
     TS_EPARSE, SRC ":4:8: sweep", "expected a map such as {tiers.0.capacity: [1%, 5%]", "zipf"},
    {"sweep empty list", "tiers:\n  - {capacity: 1}\n" W_ZIPF "sweep: {seed: []}\n", {NULL},
     TS_EPARSE, SRC ":4:15: sweep.seed", "expected at least one value, found an empty list",
     "zipf"},
    {"sweep value a map", "tiers:\n  - {capacity: 1}\n" W_ZIPF "sweep: {seed: [1, {a: 2}]}\n",
     {NULL}, TS_EPARSE, SRC ":4:19: sweep.seed[1]", "expected a value such as 5% or lru, found a map",
     "zipf"},
    {"sweep key with a space", "tiers:\n  - {capacity: 1}\n" W_ZIPF "sweep: {a b: [1]}\n", {NULL},
     TS_EPARSE, SRC ":4:9: sweep.a b", "expected a key path such as tiers.0.capacity, found 'a b'",
     "zipf"},
    {"first failing override wins", "tiers:\n  - {capacity: 1}\n", {"seed=1", "bad", "also bad"},
     TS_EPARSE, "-s bad", "found 'bad'", NULL},
};

static void check_err_case(const struct err_case *c)
{
    ts_scenario_t *sc = (ts_scenario_t *)1;
    ts_err_t err = {0};
    size_t n = count_ovr(c->ovr, 4);
    int rc = ts_scenario_load_string(c->yaml, SRC, "/base", c->ovr, n, &sc, &err);
    if (rc != c->code || strcmp(err.where, c->where) != 0 || !strstr(err.msg, c->msg) || sc)
        fail_msg("case '%s': got %s (%s) where '%s' msg '%s'; expected %s where '%s' msg '%s'",
                 c->name, ts_err_name(rc), sc ? "scenario set" : "no scenario", err.where,
                 err.msg, ts_err_name(c->code), c->where, c->msg);
}

static void test_config_errors_name_place_and_problem(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(k_err_cases) / sizeof(k_err_cases[0]); i++) {
        const struct err_case *c = &k_err_cases[i];
        if (c->needs && !have_gen(c->needs) && !have_format(c->needs))
            fail_msg("case '%s' needs the generator or format '%s', which is not in the "
                     "registry", c->name, c->needs);
        check_err_case(c);
    }
}

static void test_config_long_source_keeps_key_path(void **state)
{
    (void)state;
    char source[301];
    memset(source, 'd', 295);
    strcpy(source + 295, ".yaml");
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_scenario_load_string("tiers:\n  - name: dram\n    capacity: 12x\n",
                                             source, NULL, NULL, 0, &sc, &err),
                     TS_EPARSE);
    assert_true(strncmp(err.where, "...ddd", 6) == 0);
    const char *tail = "ddd.yaml:3:15: tiers[0].capacity";
    size_t len = strlen(err.where);
    assert_true(len > strlen(tail));
    assert_string_equal(err.where + len - strlen(tail), tail);
}

/* ---- files ---- */

static void test_config_missing_file(void **state)
{
    (void)state;
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_scenario_load_file("/nonexistent/dir/scenario.yaml", NULL, 0, &sc, &err),
                     TS_ENOENT);
    assert_non_null(strstr(err.msg, "cannot open scenario '/nonexistent/dir/scenario.yaml'"));
    assert_non_null(strstr(err.msg, "No such file"));
    assert_null(sc);
    ts_err_clear(&err);
    assert_int_equal(ts_scenario_load_file(TS_SOURCE_DIR, NULL, 0, &sc, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "is a directory"));
}

static void test_config_file_errors_name_the_file(void **state)
{
    (void)state;
    const char *path = TS_BINARY_DIR "/test_config_bad.yaml";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# a comment\ntiers:\n  - name: dram\n    capacity: 12x\n", f);
    fclose(f);
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_scenario_load_file(path, NULL, 0, &sc, &err), TS_EPARSE);
    assert_string_equal(err.where, TS_BINARY_DIR "/test_config_bad.yaml:4:15: tiers[0].capacity");
    assert_null(sc);
    ts_err_clear(&err);
    ts_mem_fail_after(0);
    assert_int_equal(ts_scenario_load_file(path, NULL, 0, &sc, &err), TS_ENOMEM);
    ts_mem_fail_after(-1);
    assert_non_null(strstr(err.msg, "out of memory"));
    assert_null(sc);
    unlink(path);
}

/* ---- valid scenarios ---- */

static void test_config_full_scenario_decodes(void **state)
{
    (void)state;
    need_gen("zipf");
    ts_scenario_t *sc = load_ok("name: demo\n"
                                "seed: 7\n"
                                "workload:\n"
                                "  generator: {kind: zipf, alpha: 1.1}\n"
                                "tiers:\n"
                                "  - {name: hbm, capacity: 10k, policy: fifo}\n"
                                "  - {capacity: 10%}\n"
                                "  - {capacity: 1e6, policy: {name: lru}}\n"
                                "engine: fast\n"
                                "outputs: {dir: out, csv: false}\n",
                                NULL, 0);
    assert_string_equal(sc->source, SRC);
    assert_string_equal(sc->base_dir, "/base");
    assert_string_equal(sc->name, "demo");
    assert_int_equal(sc->seed, 7);
    assert_int_equal(sc->mode, TS_MODE_OBJECTS);
    assert_int_equal(sc->engine, TS_ENGINE_FAST);
    assert_true(sc->workload.is_generator);
    assert_string_equal(sc->workload.reader->base.name, "zipf");
    const ts_param_spec_t *alpha = ts_param_find(sc->workload.reader->base.params,
                                                 sc->workload.reader->base.params_count, "alpha");
    assert_non_null(alpha);
    assert_true(ts_param_number(alpha, sc->workload.params) == 1.1);
    assert_int_equal(sc->n_tiers, 3);
    assert_string_equal(sc->tiers[0].name, "hbm");
    assert_string_equal(sc->tiers[0].policy->base.name, "fifo");
    assert_int_equal(sc->tiers[0].capacity, 10000);
    assert_false(sc->tiers[0].is_fraction);
    assert_string_equal(sc->tiers[1].name, "tier1");
    assert_string_equal(sc->tiers[1].policy->base.name, "lru"); /* the default */
    assert_true(sc->tiers[1].is_fraction);
    assert_true(sc->tiers[1].capacity_fraction > 0.0999 && sc->tiers[1].capacity_fraction < 0.1001);
    assert_int_equal(sc->tiers[1].capacity, 0);
    assert_string_equal(sc->tiers[2].name, "tier2");
    assert_string_equal(sc->tiers[2].policy->base.name, "lru");
    assert_int_equal(sc->tiers[2].capacity, 1000000);
    assert_string_equal(sc->outputs.dir, "out");
    assert_true(writer_in(sc->outputs.writers, "json"));
    assert_false(writer_in(sc->outputs.writers, "csv"));
    assert_true(writer_in(sc->outputs.writers, "text"));
    ts_scenario_destroy(sc);
}

static void test_config_defaults_when_keys_are_absent(void **state)
{
    (void)state;
    need_gen("zipf");
    ts_scenario_t *sc = load_ok("workload: {generator: zipf}\ntiers: [{capacity: 5}]\n", NULL, 0);
    assert_string_equal(sc->name, "");
    assert_int_equal(sc->seed, 42);
    assert_int_equal(sc->mode, TS_MODE_OBJECTS);
    assert_int_equal(sc->engine, TS_ENGINE_FAST);
    assert_string_equal(sc->outputs.dir, "");
    assert_true(writer_in(sc->outputs.writers, "json") && writer_in(sc->outputs.writers, "csv") &&
                writer_in(sc->outputs.writers, "text"));
    assert_int_equal(sc->n_tiers, 1);
    assert_string_equal(sc->tiers[0].name, "tier0");
    assert_string_equal(sc->tiers[0].policy->base.name, "lru");
    /* the default hierarchy: today's engine behaviour */
    assert_int_equal(sc->hier.inclusion, TS_INCL_NON_INCLUSIVE);
    assert_int_equal(sc->hier.promote, TS_PROMOTE_TOP);
    assert_int_equal(sc->hier.demote, TS_DEMOTE_DROP);
    assert_int_equal(sc->hier.write, TS_WRITE_THROUGH);
    assert_false(sc->hier.flush_at_end);
    assert_null(sc->hier.admit[0]);
    assert_null(sc->hier.prefetch);
    ts_scenario_destroy(sc);
}

/* ---- overrides ---- */

static const char k_base[] = "workload:\n"
                             "  generator: {kind: zipf, alpha: 0.8}\n"
                             "tiers:\n"
                             "  - {name: dram, capacity: 1000, policy: {name: lru}}\n"
                             "outputs:\n";

static void test_config_overrides_edit_and_add_keys(void **state)
{
    (void)state;
    need_gen("zipf");
    const char *ovr[] = {"seed=7",
                         "tiers.0.capacity=5000",
                         "workload.generator.alpha=1.1",
                         "outputs.dir=out",
                         "outputs.json = false",
                         "tiers.0.policy=fifo",
                         "name=renamed",
                         "mode=bytes",
                         "seed=9"};
    ts_scenario_t *sc = load_ok(k_base, ovr, sizeof(ovr) / sizeof(ovr[0]));
    assert_int_equal(sc->seed, 9); /* the later override wins */
    assert_int_equal(sc->mode, TS_MODE_BYTES);
    assert_int_equal(sc->tiers[0].capacity, 5000);
    assert_string_equal(sc->tiers[0].policy->base.name, "fifo");
    const ts_param_spec_t *alpha = ts_param_find(sc->workload.reader->base.params,
                                                 sc->workload.reader->base.params_count, "alpha");
    assert_true(ts_param_number(alpha, sc->workload.params) == 1.1);
    assert_string_equal(sc->outputs.dir, "out");
    assert_false(writer_in(sc->outputs.writers, "json"));
    assert_string_equal(sc->name, "renamed");
    ts_scenario_destroy(sc);
}

static void test_config_override_value_errors_name_the_flag(void **state)
{
    (void)state;
    need_gen("zipf");
    const char *ovr[] = {"workload.generator.alpha=lots"};
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_scenario_load_string(k_base, SRC, NULL, ovr, 1, &sc, &err), TS_EPARSE);
    assert_string_equal(err.where, "-s workload.generator.alpha");
    assert_non_null(strstr(err.msg, "found 'lots'"));
    assert_null(sc);
}

/* ---- out of memory ---- */

/* Counts the allocations T of a load, then fails allocation N = 0 .. T-1 in turn: each
 * must give TS_ENOMEM and no scenario (ASan reports any leak). Returns the code of the
 * load with no failure. */
static int load_under_oom(const char *yaml, const char *const *ovr, size_t n)
{
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    ts_mem_fail_after(-1);
    int final = ts_scenario_load_string(yaml, SRC, "/base", ovr, n, &sc, &err);
    long total = ts_mem_count();
    ts_scenario_destroy(sc);
    assert_true(total > 0);
    for (long fail = 0; fail < total; fail++) {
        sc = NULL;
        ts_err_clear(&err);
        ts_mem_fail_after(fail);
        int rc = ts_scenario_load_string(yaml, SRC, "/base", ovr, n, &sc, &err);
        ts_mem_fail_after(-1);
        if (rc != TS_ENOMEM || sc || !strstr(err.msg, "out of memory"))
            fail_msg("allocation %ld of %ld failed: got %s: %s: %s", fail, total,
                     ts_err_name(rc), err.where, err.msg);
    }
    return final;
}

static void test_config_oom_valid_scenario(void **state)
{
    (void)state;
    need_gen("zipf");
    const char *ovr[] = {"seed=3", "outputs.dir=x", "tiers.0.capacity=10"};
    assert_int_equal(load_under_oom(ts_scenario_default_yaml(), ovr, 3), 0);
    assert_int_equal(load_under_oom(k_base, NULL, 0), 0);
    assert_int_equal(load_under_oom("workload: {generator: zipf}\n"
                                    "prefetch: {kind: next_n, n: 2}\n"
                                    "hierarchy: {inclusion: inclusive, write: back}\n"
                                    "tiers: [{capacity: 5,\n"
                                    "          admit: {kind: second_hit, window: 9}}]\n",
                                    NULL, 0),
                     0);
}

static void test_config_oom_error_paths(void **state)
{
    (void)state;
    const char *ovr[] = {"seed=3", "outputs.dir=x", "tiers.1.capacity=10"};
    const char *yaml = "name: x\n"
                       "tiers:\n"
                       "  - {name: a, capacity: 10, policy: lru}\n"
                       "  - {name: b, capacity: 20%, policy: {name: fifo}}\n"
                       "workload: {generator: {kind: nope, alpha: 1}}\n";
    assert_int_equal(load_under_oom(yaml, ovr, 3), TS_ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors_name_place_and_problem),
        cmocka_unit_test(test_config_long_source_keeps_key_path),
        cmocka_unit_test(test_config_missing_file),
        cmocka_unit_test(test_config_file_errors_name_the_file),
        cmocka_unit_test(test_config_full_scenario_decodes),
        cmocka_unit_test(test_config_defaults_when_keys_are_absent),
        cmocka_unit_test(test_config_overrides_edit_and_add_keys),
        cmocka_unit_test(test_config_override_value_errors_name_the_flag),
        cmocka_unit_test(test_config_oom_valid_scenario),
        cmocka_unit_test(test_config_oom_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
