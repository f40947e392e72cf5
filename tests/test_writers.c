/* SPDX-License-Identifier: MIT */
/*
 * test_writers.c - the report writers as plug-ins: the registry's table passes its check
 * (and an unsorted copy or a malformed writer does not); every registered writer writes a
 * hand-built run into a scratch directory, complete and readable (JSON by jansson, CSV by
 * field counts, HDF5 read back, HTML to its closing tag); a set is committed whole or not
 * at all; a writer of one run refuses many; `outputs:` names writers by key and by list,
 * with "did you mean" for a typo, and the run samples the time series for the writers that
 * read them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/run.h"
#include "app/scenario.h"
#include "file_test.h"
#include "reports/h5.h"
#include "reports/writer.h"
#include "scratch_test.h"
#include "sim/util/mem.h"
#include "result_test.h"
#include "writer_test.h"

/* ---- the hand-built run ---------------------------------------------------------------- */

/* Two tiers, hbm (lru) over dram (fifo): 10 requests, 4 hits in hbm and 3 in dram, 3 to the
 * backing store; a bill of $1.50 for the backing store's capacity alone. */
static void make_run(ts_result_t *r, uint64_t seed)
{
    ts_result_release(r); /* a run made before, or a zeroed one */
    memset(r, 0, sizeof(*r));
    test_str(&r->scenario, "two.yaml");
    test_str(&r->name, "two tiers");
    test_str(&r->workload, "zipf alpha=0.9 keys=100");
    r->seed = seed;
    r->mode = TS_MODE_OBJECTS;
    r->engine = "fast";
    test_result_tiers(r, 2);
    static const char *const names[] = {"hbm", "dram"}, *const policies[] = {"lru", "fifo"};
    static const ts_tier_stats_t st[] = {
        {.n_req = 10, .n_hit = 4, .n_miss = 6, .n_get = 10, .n_insert = 6, .n_evict = 2},
        {.n_req = 6, .n_hit = 3, .n_miss = 3, .n_get = 6, .n_insert = 3},
    };
    for (size_t i = 0; i < 2; i++) {
        ts_tier_result_t *t = &r->tiers[i];
        test_str(&t->name, "%s", names[i]);
        test_str(&t->policy, "%s", policies[i]);
        test_str(&t->admit, "always");
        t->capacity = 4 * (i + 1);
        t->n_objects = t->used = 4 * (i + 1);
        t->st = st[i];
    }
    r->totals = (ts_totals_t){.n_req = 10, .n_get = 10, .n_hit = 7, .n_backing = 3};
    r->has_cost = true;
    ts_cost_result_t *c = &r->cost;
    c->period_ns = 3600000000000ULL; /* 1 h */
    c->period_from = TS_COST_PERIOD_SET;
    test_cost_levels(c, 1);
    test_str(&c->level[0].name, "backing");
    c->level[0].billed_bytes = 1000000000;
    c->level[0].capacity_usd = 1.5;
    c->capacity_usd = 1.5;
    c->total_usd = 1.5;
}

/* ---- what each file must be ------------------------------------------------------------ */

typedef void (*check_fn)(const char *path, const ts_result_t *r);

static void check_json(const char *path, const ts_result_t *r)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("%s does not parse: line %d: %s", path, jerr.line, jerr.text);
    assert_int_equal(json_integer_value(json_object_get(root, "schema")), 1);
    json_t *tiers = json_object_get(root, "tiers");
    assert_int_equal(json_array_size(tiers), r->n_tiers);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tiers, 0), "name")),
                        "hbm");
    json_decref(root);
}

/* Fields of one CSV line (commas outside double quotes, plus one). */
static size_t csv_fields(const char *line, size_t len)
{
    size_t n = 1;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == ',' && !quoted)
            n++;
    }
    return n;
}

/* Every line has the header's field count; returns the lines. */
static size_t check_csv_lines(const char *path)
{
    char *text = file_test_slurp(path, NULL);
    assert_non_null(text);
    size_t len = strlen(text);
    assert_true(len > 0 && text[len - 1] == '\n'); /* complete: the last line ends */
    size_t lines = 0, want = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = csv_fields(p, (size_t)(nl - p));
        if (lines++ == 0)
            want = n;
        else if (n != want)
            fail_msg("%s line %zu has %zu fields, the header %zu", path, lines, n, want);
        p = nl + 1;
    }
    free(text);
    return lines;
}

static void check_tiers_csv(const char *path, const ts_result_t *r)
{
    assert_int_equal(check_csv_lines(path), 1 + r->n_tiers + 1); /* header, tiers, total */
}

static void check_cost_csv(const char *path, const ts_result_t *r)
{
    (void)r;
    assert_true(check_csv_lines(path) >= 3); /* header, a line item, the total */
}

static void check_text(const char *path, const ts_result_t *r)
{
    char *text = file_test_slurp(path, NULL);
    assert_non_null(text);
    size_t len = strlen(text);
    assert_true(len > 0 && text[len - 1] == '\n');
    for (size_t i = 0; i < r->n_tiers; i++)
        assert_non_null(strstr(text, r->tiers[i].name));
    free(text);
}

static void check_h5(const char *path, const ts_result_t *r)
{
    ts_result_h5_t *f = NULL;
    ts_err_t err = {0};
    ts_result_t *back = ts_calloc(1, sizeof(*back));
    assert_non_null(back);
    if (ts_result_h5_open(path, &f, &err) || ts_result_h5_read(f, 0, back, &err))
        fail_msg("%s: %s", path, err.msg);
    assert_int_equal(ts_result_h5_runs(f), 1);
    assert_int_equal(back->n_tiers, r->n_tiers);
    assert_string_equal(back->tiers[1].name, "dram");
    assert_int_equal(back->totals.n_hit, 7);
    assert_int_equal(back->seed, r->seed);
    ts_result_h5_close(f);
    ts_result_release(back);
    ts_free(back);
}

static void check_html(const char *path, const ts_result_t *r)
{
    size_t len = 0;
    char *page = file_test_slurp(path, &len);
    assert_non_null(page);
    assert_non_null(strstr(page, r->name));
    while (len && (page[len - 1] == '\n' || page[len - 1] == ' '))
        len--;
    assert_true(len >= 7 && memcmp(page + len - 7, "</html>", 7) == 0);
    free(page);
}

/* Every file a registered writer names has its check here: a new writer without one fails
 * test_writers_each_writes_its_files. */
static const struct {
    const char *file;
    check_fn check;
} k_checks[] = {
    {"result.json", check_json}, {"tiers.csv", check_tiers_csv}, {"cost.csv", check_cost_csv},
    {"report.txt", check_text},  {"result.h5", check_h5},        {"report.html", check_html},
};

static check_fn check_of(const char *file)
{
    for (size_t i = 0; i < sizeof(k_checks) / sizeof(k_checks[0]); i++)
        if (!strcmp(k_checks[i].file, file))
            return k_checks[i].check;
    fail_msg("no check for '%s': add one to k_checks", file);
    return NULL;
}

/* ---- the registry ---------------------------------------------------------------------- */

static void test_writers_registry_checks(void **state)
{
    (void)state;
    ts_err_t err = {0};
    if (ts_registry_check(&ts_reports, &err))
        fail_msg("%s", err.msg);
    static const char *const want[] = {"csv", "hdf5", "html", "json", "text"};
    assert_int_equal(ts_registry_count(&ts_reports), 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(ts_registry_at(&ts_reports, i)->name, want[i]);

    /* the same entries out of order are refused */
    const ts_plugin_t *swapped[5];
    for (size_t i = 0; i < 5; i++)
        swapped[i] = ts_registry_at(&ts_reports, i);
    swapped[0] = ts_registry_at(&ts_reports, 1);
    swapped[1] = ts_registry_at(&ts_reports, 0);
    ts_registry_t bad = ts_reports;
    bad.entries = swapped;
    assert_int_equal(ts_registry_check(&bad, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "not sorted"));
}

static int toy_write(const ts_report_in_t *in, size_t file, FILE *out, ts_report_warn_t *warn,
                     ts_err_t *err)
{
    (void)in, (void)file, (void)warn, (void)err;
    return fputs("toy\n", out) < 0 ? TS_EIO : 0;
}

/* The kind's check: each malformed writer is refused with a message naming what is wrong. */
static void test_writers_kind_check_refuses(void **state)
{
    (void)state;
#define TOY_BASE(fl) {.abi = TS_PLUGIN_ABI, .kind = TS_PLUGIN_REPORT, .name = "toy", \
                      .summary = "a toy", .flags = (fl)}
    static const ts_report_ops_t no_write = {.base = TOY_BASE(0), .files = {"a.txt"}};
    static const ts_report_ops_t no_file = {.base = TOY_BASE(0), .write = toy_write};
    static const ts_report_ops_t slash = {.base = TOY_BASE(0), .files = {"a/b"},
                                          .write = toy_write};
    static const ts_report_ops_t twice = {.base = TOY_BASE(TS_REPORT_MULTI_FILE),
                                          .files = {"a", "a"}, .write = toy_write};
    static const ts_report_ops_t not_multi = {.base = TOY_BASE(0), .files = {"a", "b"},
                                              .write = toy_write};
    static const ts_report_ops_t bad_flag = {.base = TOY_BASE(1u << 20), .files = {"a"},
                                             .write = toy_write};
    static const ts_report_ops_t good = {.base = TOY_BASE(TS_REPORT_MULTI_FILE),
                                         .files = {"a", "b"}, .write = toy_write};
#undef TOY_BASE
    static const struct {
        const char *name;
        const ts_report_ops_t *w;
        const char *msg; /* NULL: passes */
    } cases[] = {
        {"no write", &no_write, "lacks write or a file"},
        {"no file", &no_file, "lacks write or a file"},
        {"slash", &slash, "'a/b' is not a file name"},
        {"twice", &twice, "names 'a' twice"},
        {"multi flag", &not_multi, "TS_REPORT_MULTI_FILE is not set but it names 2 files"},
        {"unknown flag", &bad_flag, "unknown flags"},
        {"good", &good, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const ts_plugin_t *e[] = {&cases[i].w->base};
        const ts_registry_t r = {.kind = TS_PLUGIN_REPORT, .entries = e, .n = 1,
                                 .check = ts_report_check};
        ts_err_t err = {0};
        int rc = ts_registry_check(&r, &err);
        if (cases[i].msg ? rc != TS_EINVAL || !strstr(err.msg, cases[i].msg) : rc != 0)
            fail_msg("case %s: rc %d, message '%s'", cases[i].name, rc, err.msg);
    }
}

/* The default set is what a scenario always got: json, csv, text and hdf5, not html. */
static void test_writers_default_set(void **state)
{
    (void)state;
    ts_report_set_t want = 0;
    static const char *const names[] = {"csv", "hdf5", "json", "text"};
    for (size_t i = 0; i < 4; i++)
        want |= ts_report_find_bit(names[i], NULL);
    assert_true(ts_report_default_set() == want);
    ts_err_t err = {0};
    assert_true(ts_report_find_bit("jsn", &err) == 0);
    assert_int_equal(err.code, TS_ENOENT);
    assert_string_equal(err.msg, "unknown report writer 'jsn' (did you mean 'json'?)");
    const ts_report_ops_t *list[TS_REPORT_MAX];
    assert_int_equal(ts_report_set_list(want, list), 4);
    assert_string_equal(list[1]->base.name, "hdf5"); /* registry order */
    assert_true(ts_report_set_flags(want) & TS_REPORT_SERIES);
    assert_false(ts_report_set_flags(ts_report_find_bit("json", NULL)) & TS_REPORT_SERIES);
}

/* ---- writing --------------------------------------------------------------------------- */

/* Each writer alone into its own directory: exactly its files, each complete and readable,
 * no temporary file left, in the output directory or in TMPDIR. */
static void test_writers_each_writes_its_files(void **state)
{
    const char *base = *state;
    char tmp[1100], dir[1200], path[1300];
    snprintf(tmp, sizeof(tmp), "%s/tmp", base);
    assert_int_equal(mkdir(tmp, 0755), 0);
    char *old_tmp = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", tmp, 1);
    ts_result_t r = {0};
    make_run(&r, 5);
    for (size_t i = 0; i < ts_registry_count(&ts_reports); i++) {
        const ts_report_ops_t *w = (const ts_report_ops_t *)ts_registry_at(&ts_reports, i);
        snprintf(dir, sizeof(dir), "%s/%s", base, w->base.name);
        ts_err_t err = {0};
        ts_report_warn_t warn;
        if (ts_report_write_run(&r, &w, 1, dir, &warn, &err))
            fail_msg("writer %s: %s", w->base.name, err.msg);
        size_t n_files = 0, n_tmp;
        for (size_t f = 0; f < TS_REPORT_MAX_FILES && w->files[f]; f++, n_files++) {
            snprintf(path, sizeof(path), "%s/%s", dir, w->files[f]);
            if (access(path, R_OK) != 0)
                fail_msg("writer %s wrote no %s", w->base.name, w->files[f]);
            check_of(w->files[f])(path, &r);
        }
        assert_int_equal(scratch_count(dir, &n_tmp), n_files); /* the bill: cost.csv too */
        assert_int_equal(n_tmp, 0);
    }
    assert_int_equal(scratch_count(tmp, NULL), 0); /* html's scratch copy is gone */
    if (old_tmp)
        setenv("TMPDIR", old_tmp, 1);
    else
        unsetenv("TMPDIR");
    free(old_tmp);
    ts_result_release(&r);
}

/* Without gnuplot the page still comes, with its figures left out and a warning. */
static void test_writers_html_without_gnuplot(void **state)
{
    char dir[1200], path[1300];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    char *old_path = strdup(getenv("PATH") ? getenv("PATH") : "");
    setenv("PATH", "/nonexistent", 1);
    ts_result_t r = {0};
    make_run(&r, 5);
    const ts_report_ops_t *w = writer_named("html");
    ts_report_warn_t warn;
    ts_err_t err = {0};
    int rc = ts_report_write_run(&r, &w, 1, dir, &warn, &err);
    setenv("PATH", old_path, 1);
    free(old_path);
    if (rc)
        fail_msg("%s", err.msg);
    assert_true(w->base.flags & TS_REPORT_NEEDS_GNUPLOT);
    assert_true(warn.n >= 1); /* the bill's bars at least */
    assert_non_null(strstr(warn.msg, "report.html: "));
    assert_non_null(strstr(warn.msg, "left out"));
    assert_non_null(strstr(warn.msg, "gnuplot"));
    snprintf(path, sizeof(path), "%s/report.html", dir);
    check_html(path, &r);
    ts_result_release(&r);
}

/* A directory in the way of the second writer's file: nothing is written, the first
 * writer's earlier file is kept as it was, no temporary file remains. */
static void test_writers_set_all_or_nothing_blocked(void **state)
{
    char dir[1200], json[1300], blocker[1300];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    snprintf(json, sizeof(json), "%s/result.json", dir);
    snprintf(blocker, sizeof(blocker), "%s/report.txt", dir);
    ts_result_t r = {0};
    make_run(&r, 5);
    const ts_report_ops_t *w[] = {writer_named("json"), writer_named("text")};
    ts_err_t err = {0};
    assert_int_equal(ts_report_write_run(&r, w, 1, dir, NULL, &err), 0);
    char *before = file_test_slurp(json, NULL);
    assert_non_null(before);
    assert_int_equal(mkdir(blocker, 0755), 0);
    make_run(&r, 6); /* another seed: a new result.json would differ */
    int rc = ts_report_write_run(&r, w, 2, dir, NULL, &err);
    assert_int_equal(rc, TS_EIO);
    assert_non_null(strstr(err.msg, blocker));
    char *after = file_test_slurp(json, NULL);
    assert_string_equal(after, before);
    size_t n_tmp;
    assert_int_equal(scratch_count(dir, &n_tmp), 2); /* result.json, the directory */
    assert_int_equal(n_tmp, 0);
    free(before), free(after);
    ts_result_release(&r);
}

/* The second writer fails while writing (a counter JSON cannot hold): the first writer's
 * new file is dropped, its old one kept. */
static void test_writers_set_all_or_nothing_writer_fails(void **state)
{
    char dir[1200], text[1300];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    snprintf(text, sizeof(text), "%s/report.txt", dir);
    ts_result_t r = {0};
    make_run(&r, 5);
    const ts_report_ops_t *w[] = {writer_named("text"), writer_named("json")};
    ts_err_t err = {0};
    assert_int_equal(ts_report_write_run(&r, w, 2, dir, NULL, &err), 0);
    char *before = file_test_slurp(text, NULL);
    make_run(&r, 6);
    r.totals.n_req = UINT64_MAX; /* above 2^63-1 */
    int rc = ts_report_write_run(&r, w, 2, dir, NULL, &err);
    assert_int_equal(rc, TS_ERANGE);
    assert_non_null(strstr(err.msg, "result.json"));
    char *after = file_test_slurp(text, NULL);
    assert_string_equal(after, before);
    size_t n_tmp;
    assert_int_equal(scratch_count(dir, &n_tmp), 2);
    assert_int_equal(n_tmp, 0);
    free(before), free(after);
    ts_result_release(&r);
}

/* Many runs go to the writers that hold them; a writer of one run refuses them; two writers
 * of one file and a NULL writer are refused before anything is written. */
static void test_writers_many_runs_and_bad_sets(void **state)
{
    char dir[1200], path[1300];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_result_t a = {0}, b = {0};
    make_run(&a, 1);
    make_run(&b, 2);
    const ts_result_t *runs[] = {&a, &b};
    const ts_report_in_t in = {.runs = runs, .n_runs = 2};
    const ts_report_ops_t *h5 = writer_named("hdf5"), *json = writer_named("json");
    ts_err_t err = {0};
    assert_true(h5->base.flags & TS_REPORT_MANY_RUNS);
    assert_int_equal(ts_report_write_dir(&in, &h5, 1, dir, NULL, &err), 0);
    snprintf(path, sizeof(path), "%s/result.h5", dir);
    ts_result_h5_t *f = NULL;
    assert_int_equal(ts_result_h5_open(path, &f, &err), 0);
    assert_int_equal(ts_result_h5_runs(f), 2);
    ts_result_h5_close(f);

    assert_int_equal(ts_report_write_dir(&in, &json, 1, dir, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "report writer json writes one run, not 2"));
    const ts_report_ops_t *dup[] = {json, json};
    ts_err_clear(&err);
    assert_int_equal(ts_report_write_run(&a, dup, 2, dir, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "both write 'result.json'"));
    const ts_report_ops_t *null[] = {json, NULL};
    ts_err_clear(&err);
    assert_int_equal(ts_report_write_run(&a, null, 2, dir, NULL, &err), TS_EINVAL);
    assert_int_equal(scratch_count(dir, NULL), 1); /* only the first result.h5 */

    /* a shard with no run: the hdf5 writer has nothing to write, so nothing is created */
    const ts_report_in_t none = {.runs = runs, .n_runs = 0};
    snprintf(path, sizeof(path), "%s/empty", dir);
    assert_int_equal(ts_report_write_dir(&none, &h5, 1, path, NULL, &err), 0);
    assert_int_not_equal(access(path, F_OK), 0);
    ts_result_release(&a);
    ts_result_release(&b);
}

/* ---- `outputs:` ------------------------------------------------------------------------ */

static const char k_scenario[] = "workload: {generator: {kind: zipf, keys: 100, requests: 500}}\n"
                                 "tiers: [{capacity: 10}]\n";

static int load(const char *outputs, const char *ovr, ts_scenario_t **sc, ts_err_t *err)
{
    char yaml[1024];
    snprintf(yaml, sizeof(yaml), "%s%s", k_scenario, outputs);
    return ts_scenario_load_string(yaml, "w.yaml", NULL, ovr ? &ovr : NULL, ovr ? 1 : 0, sc,
                                   err);
}

/* The set a scenario's outputs choose, as the writers' names joined by spaces. */
static const char *chosen(const char *outputs, const char *ovr, char *buf, size_t size)
{
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    if (load(outputs, ovr, &sc, &err))
        fail_msg("'%s': %s: %s", outputs, err.where, err.msg);
    const ts_report_ops_t *w[TS_REPORT_MAX];
    size_t n = ts_report_set_list(sc->outputs.writers, w), used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "", w[i]->base.name);
    ts_scenario_destroy(sc);
    return buf;
}

static void test_writers_outputs_choose(void **state)
{
    (void)state;
    static const struct {
        const char *name, *outputs, *ovr, *want;
    } cases[] = {
        {"absent", "", NULL, "csv hdf5 json text"},
        {"keys from the default", "outputs: {json: false, html: true}\n", NULL,
         "csv hdf5 html text"},
        {"list", "outputs: {write: [text, json]}\n", NULL, "json text"},
        {"list then keys", "outputs: {html: true, write: [text]}\n", NULL, "html text"},
        {"key off the list", "outputs: {write: [text, json], text: no}\n", NULL, "json"},
        {"override list", "", "outputs.write=text, json", "json text"},
        {"override one", "outputs: {write: [csv]}\n", "outputs.write=hdf5", "hdf5"},
        {"empty list", "outputs: {write: []}\n", NULL, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char got[128];
        if (strcmp(chosen(cases[i].outputs, cases[i].ovr, got, sizeof(got)), cases[i].want))
            fail_msg("case %s: '%s', expected '%s'", cases[i].name, got, cases[i].want);
    }
}

static void test_writers_outputs_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name, *outputs, *ovr;
        int code;
        const char *where, *msg;
    } cases[] = {
        {"key typo", "outputs: {jsn: true}\n", NULL, TS_ENOENT, "outputs.jsn",
         "unknown key 'jsn' (did you mean 'json'?)"},
        {"list typo", "outputs: {write: [text, jsn]}\n", NULL, TS_ENOENT, "outputs.write.1",
         "unknown report writer 'jsn' (did you mean 'json'?)"},
        {"override typo", "", "outputs.write=text,htm", TS_ENOENT, "-s outputs.write",
         "unknown report writer 'htm' (did you mean 'html'?)"},
        {"empty name", "outputs: {write: 'text,,json'}\n", NULL, TS_EPARSE, "outputs.write",
         "separated by commas"},
        {"a map", "outputs: {write: {text: true}}\n", NULL, TS_EPARSE, "outputs.write",
         "expected a list of report writers"},
        {"not a bool", "outputs: {html: sometimes}\n", NULL, TS_EPARSE, "outputs.html",
         "expected true or false"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_scenario_t *sc = NULL;
        ts_err_t err = {0};
        int rc = load(cases[i].outputs, cases[i].ovr, &sc, &err);
        if (rc != cases[i].code || !strstr(err.where, cases[i].where) ||
            !strstr(err.msg, cases[i].msg))
            fail_msg("case %s: rc %d, '%s: %s'", cases[i].name, rc, err.where, err.msg);
        assert_null(sc);
    }
}

/* `write: [text, json]` writes exactly report.txt and result.json. */
static void test_writers_outputs_write_exactly(void **state)
{
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/out", (const char *)*state);
    ts_scenario_t *sc = NULL;
    ts_err_t err = {0};
    assert_int_equal(load("outputs: {write: [text, json]}\n", NULL, &sc, &err), 0);
    const ts_report_ops_t *w[TS_REPORT_MAX];
    size_t n = ts_report_set_list(sc->outputs.writers, w);
    ts_result_t r = {0};
    make_run(&r, 5);
    assert_int_equal(ts_report_write_run(&r, w, n, dir, NULL, &err), 0);
    assert_int_equal(scratch_count(dir, NULL), 2);
    char path[1300];
    snprintf(path, sizeof(path), "%s/report.txt", dir);
    assert_int_equal(access(path, R_OK), 0);
    snprintf(path, sizeof(path), "%s/result.json", dir);
    assert_int_equal(access(path, R_OK), 0);
    ts_scenario_destroy(sc);
    ts_result_release(&r);
}

/* The time series are sampled when a writer that reads them (hdf5, html) writes, not for
 * the others, and not without a directory. */
static void test_writers_run_samples_series_for_them(void **state)
{
    (void)state;
    static const struct {
        const char *outputs;
        bool has_series;
    } cases[] = {
        {"outputs: {dir: out, write: [html]}\n", true},
        {"outputs: {dir: out, write: [hdf5]}\n", true},
        {"outputs: {dir: out, write: [json, csv, text]}\n", false},
        {"outputs: {write: [hdf5]}\n", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_scenario_t *sc = NULL;
        ts_err_t err = {0};
        ts_result_t *res = ts_calloc(1, sizeof(*res));
        assert_non_null(res);
        if (load(cases[i].outputs, NULL, &sc, &err) || ts_run(sc, res, &err))
            fail_msg("'%s': %s", cases[i].outputs, err.msg);
        if ((res->series != NULL) != cases[i].has_series)
            fail_msg("'%s': series %s", cases[i].outputs, res->series ? "sampled" : "missing");
        ts_result_release(res);
        ts_free(res);
        ts_scenario_destroy(sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writers_registry_checks),
        cmocka_unit_test(test_writers_kind_check_refuses),
        cmocka_unit_test(test_writers_default_set),
        cmocka_unit_test_setup_teardown(test_writers_each_writes_its_files, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_writers_html_without_gnuplot, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_writers_set_all_or_nothing_blocked, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_writers_set_all_or_nothing_writer_fails,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_writers_many_runs_and_bad_sets, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test(test_writers_outputs_choose),
        cmocka_unit_test(test_writers_outputs_errors),
        cmocka_unit_test_setup_teardown(test_writers_outputs_write_exactly, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test(test_writers_run_samples_series_for_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
