/* SPDX-License-Identifier: MIT */
/*
 * test_determinism.c - the same scenario and seed give the same bytes: every generator
 * (ts_generators) written by every trace format that has a writer (ts_formats), plain and
 * with a ".zst" name, twice with the same seed gives two identical files, and with another
 * seed a different one (unless the generator is flagged seed-free, TS_READER_SEEDLESS). The tables are walked, so a new generator or writer is covered
 * without a line here.
 *
 * Uninitialised request fields are made visible on purpose: before every next() the
 * request is filled with a poison byte that differs between the two runs, so a field a
 * generator leaves unset reaches the file as different bytes. The second run also starts
 * more than a second after the first, so a writer that stores the wall-clock time (an
 * HDF5 object's modification time) differs too.
 *
 * Readers get the same check: each file written above, and a small file of each text
 * format (and an agent_sessions conversation), is read twice into requests poisoned with two different bytes; the requests must
 * be equal, field by field and byte by byte.
 *
 * Report writers too: `tiersim run -o` with every writer of ts_reports (fast and timed
 * engines) and `tiersim sweep -o`, each twice, more than a second apart, give the same
 * bytes in every file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "file_test.h"
#include "scratch_test.h"
#include "reports/writer.h"
#include "sim/reader.h"
#include "traces/trace.h"
#include "workloads/gen.h"

#define DET_REQUESTS 3000 /* requests written per file */
#define DET_SEED 42u
#define DET_OTHER_SEED 43u

/* Opens gen with seed, its request count cut to DET_REQUESTS and scrambled keys where it
 * has those parameters (so that the keys of a scan depend on the seed). */
static ts_reader_t *det_open(const ts_reader_ops_t *gen, uint64_t seed)
{
    const char *names[2], *values[2];
    size_t n = 0;
    const ts_plugin_t *b = &gen->base;
    if (ts_param_find(b->params, b->params_count, "requests")) {
        names[n] = "requests";
        values[n++] = "3000";
    }
    if (ts_param_find(b->params, b->params_count, "scramble")) {
        names[n] = "scramble";
        values[n++] = "true";
    }
    ts_reader_ctx_t ctx = {.seed = seed};
    ts_reader_t *r = NULL;
    ts_err_t err = {0};
    if (ts_reader_open_kv(gen, names, values, n, &ctx, &r, &err))
        fail_msg("%s: cannot open: %s: %s", b->name, err.where, err.msg);
    return r;
}

/* Writes the first DET_REQUESTS requests of gen (seed) to path in format fmt, poisoning
 * the request with poison before every next(). */
static void det_write(const ts_reader_ops_t *gen, const ts_reader_ops_t *fmt, uint64_t seed,
                      unsigned char poison, const char *path)
{
    ts_reader_t *r = det_open(gen, seed);
    ts_writer_t *w = NULL;
    ts_err_t err = {0};
    if (fmt->writer->create(path, &w, &err))
        fail_msg("%s -> %s: cannot create %s: %s", gen->base.name, fmt->base.name, path,
                 err.msg);
    for (int i = 0; i < DET_REQUESTS; i++) {
        ts_req_t req;
        memset(&req, poison, sizeof(req));
        int rc = ts_reader_next(r, &req, &err);
        if (rc < 0)
            fail_msg("%s: request %d: %s: %s", gen->base.name, i, err.where, err.msg);
        if (rc == 0)
            break;
        if (fmt->writer->write(w, &req, &err))
            fail_msg("%s -> %s: request %d: %s", gen->base.name, fmt->base.name, i, err.msg);
    }
    if (fmt->writer->finish(w, &err))
        fail_msg("%s -> %s: finish: %s", gen->base.name, fmt->base.name, err.msg);
    fmt->writer->destroy(w);
    ts_reader_close(r);
}

/* The file of one run of gen in fmt, plain (zst 0) or with a ".zst" name (zst 1). */
static void det_path(const char *dir, const ts_reader_ops_t *gen, const ts_reader_ops_t *fmt,
                     int zst, const char *run, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s-%s-%s%s%s", dir, gen->base.name, fmt->base.name, run,
             fmt->extension ? fmt->extension : ".trace", zst ? ".zst" : "");
}

static bool det_same(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *x = file_test_slurp(a, &na), *y = file_test_slurp(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    bool same = na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* Writes run (seed, poison) of every generator in every writable format, plain and .zst. */
static void det_each(const char *dir, const char *run, uint64_t seed, unsigned char poison)
{
    for (size_t g = 0; g < ts_generators.n; g++) {
        const ts_reader_ops_t *gen = ts_reader_ops_of(ts_generators.entries[g]);
        for (size_t f = 0; f < ts_formats.n; f++) {
            const ts_reader_ops_t *fmt = ts_reader_ops_of(ts_formats.entries[f]);
            if (!fmt->writer)
                continue;
            for (int z = 0; z < 2; z++) {
                char path[1024];
                det_path(dir, gen, fmt, z, run, path, sizeof(path));
                det_write(gen, fmt, seed, poison, path);
            }
        }
    }
}

static void test_determinism_every_generator_and_writer(void **state)
{
    const char *dir = *state;
    det_each(dir, "a", DET_SEED, 0x00);
    det_each(dir, "c", DET_OTHER_SEED, 0x00);
    sleep(2); /* a writer that records the wall-clock second shows it */
    det_each(dir, "b", DET_SEED, 0xa5);
    size_t n_checked = 0, n_bad = 0;
    for (size_t g = 0; g < ts_generators.n; g++) {
        const ts_reader_ops_t *gen = ts_reader_ops_of(ts_generators.entries[g]);
        for (size_t f = 0; f < ts_formats.n; f++) {
            const ts_reader_ops_t *fmt = ts_reader_ops_of(ts_formats.entries[f]);
            if (!fmt->writer)
                continue;
            for (int z = 0; z < 2; z++) {
                char a[1024], b[1024], c[1024];
                det_path(dir, gen, fmt, z, "a", a, sizeof(a));
                det_path(dir, gen, fmt, z, "b", b, sizeof(b));
                det_path(dir, gen, fmt, z, "c", c, sizeof(c));
                if (!det_same(a, b) && ++n_bad)
                    print_error("%s -> %s%s: the same seed gave different bytes\n",
                                gen->base.name, fmt->base.name, z ? " (.zst)" : "");
                bool is_seedless = gen->base.flags & TS_READER_SEEDLESS; /* draws nothing */
                if (!is_seedless && det_same(a, c) && ++n_bad)
                    print_error("%s -> %s%s: seeds %u and %u gave the same bytes\n",
                                gen->base.name, fmt->base.name, z ? " (.zst)" : "", DET_SEED,
                                DET_OTHER_SEED);
                n_checked++;
            }
        }
    }
    /* at least 7 generators x 3 writers (native, oracle_general, hdf5) x 2 */
    assert_true(n_checked >= 42);
    assert_int_equal(n_bad, 0);
}

/* Reads path with fmt twice, poisoning every request with 0x00 then 0xa5 before next():
 * both runs must give the same requests, byte for byte (every field set by the reader). */
static void det_read_twice(const ts_reader_ops_t *fmt, const char *path)
{
    ts_req_t first[64];
    int n_first = 0;
    for (int run = 0; run < 2; run++) {
        ts_reader_t *r = NULL;
        ts_err_t err = {0};
        if (ts_trace_open_path(fmt, path, &r, &err))
            fail_msg("%s: cannot open %s: %s: %s", fmt->base.name, path, err.where, err.msg);
        int i = 0;
        for (; i < 64; i++) {
            ts_req_t req;
            memset(&req, run ? 0xa5 : 0x00, sizeof(req));
            int rc = ts_reader_next(r, &req, &err);
            if (rc < 0)
                fail_msg("%s: request %d: %s: %s", fmt->base.name, i, err.where, err.msg);
            if (rc == 0)
                break;
            if (run == 0)
                first[i] = req;
            else if (i >= n_first || memcmp(&first[i], &req, sizeof(req)) != 0)
                fail_msg("%s: request %d of %s leaves a field unset", fmt->base.name, i, path);
        }
        if (run == 0)
            n_first = i;
        else if (i != n_first)
            fail_msg("%s: %d then %d requests", fmt->base.name, n_first, i);
        ts_reader_close(r);
    }
    if (n_first == 0)
        fail_msg("%s: no request in %s", fmt->base.name, path);
}

/* One small file of a read-only text format. */
struct det_text_case {
    const char *format, *file, *text;
};

static void test_determinism_every_reader_sets_every_field(void **state)
{
    const char *dir = *state;
    /* files the writers made: every writable format */
    const ts_reader_ops_t *gen = ts_reader_ops_of(ts_generators.entries[0]);
    size_t n_written = 0;
    for (size_t f = 0; f < ts_formats.n; f++) {
        const ts_reader_ops_t *fmt = ts_reader_ops_of(ts_formats.entries[f]);
        if (!fmt->writer)
            continue;
        char path[1024];
        det_path(dir, gen, fmt, 0, "r", path, sizeof(path));
        det_write(gen, fmt, DET_SEED, 0x00, path);
        det_read_twice(fmt, path);
        n_written++;
    }
    assert_true(n_written >= 3);
    static const struct det_text_case cases[] = {
        {"csv", "t.csv", "1,10,4096\n2,11,100\n"},
        {"twitter", "t.twitter", "0,key-a,10,90,7,get,0\n1,12345,4,100,7,set,0\n"},
        {"msr", "t.msr", "128166372003061629,hm,1,Read,8192,8192,1000\n"
                         "128166372003061729,hm,1,Write,6000,5000,900\n"},
        {"mooncake", "t.jsonl",
         "{\"timestamp\": 0, \"input_length\": 1000, \"output_length\": 100, "
         "\"hash_ids\": [1, 2]}\n"},
        {"bailian", "b.jsonl",
         "{\"chat_id\": 10, \"parent_chat_id\": -1, \"timestamp\": 1.5, \"input_length\": 40,"
         " \"output_length\": 8, \"type\": \"text\", \"turn\": 1, \"hash_ids\": [7, 8]}\n"},
        {"agent_sessions", "a.json",
         "{\"block_size\": 64, \"requests\": [\n"
         " {\"t\": 0.0, \"type\": \"s\", \"in\": 130, \"out\": 4, \"hash_ids\": [1, 2],"
         " \"api_time\": 1.5, \"think_time\": 2},\n"
         " {\"t\": 5.0, \"type\": \"s\", \"in\": 140, \"out\": 1, \"hash_ids\": [1, 2, 3]}]}\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_t err = {0};
        const ts_reader_ops_t *fmt = ts_trace_find(cases[i].format, &err);
        if (!fmt)
            continue; /* a format left out of this build */
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(cases[i].text, fp);
        fclose(fp);
        det_read_twice(fmt, path);
    }
}

/* Runs `tiersim ARGS -q -o dir/sub` (stdout and stderr to dir/log); asserts it exits 0. */
static void det_cli(const char *dir, const char *sub, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s -q -o '%s/%s' >'%s/log' 2>&1", TS_SOURCE_DIR,
             getenv("TS_TIERSIM"), args, dir, sub, dir);
    if (system(cmd) != 0)
        fail_msg("'tiersim %s' failed (see %s/log)", args, dir);
}

/* Every file of dir/a is in dir/b with the same bytes, and there are at least min_files. */
static void det_same_dirs(const char *dir, const char *what, size_t min_files)
{
    char a[1024], b[1024];
    snprintf(a, sizeof(a), "%s/a", dir);
    DIR *d = opendir(a);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(a, sizeof(a), "%s/a/%s", dir, e->d_name);
        snprintf(b, sizeof(b), "%s/b/%s", dir, e->d_name);
        size_t na = 0, nb = 0;
        char *fa = file_test_slurp(a, &na), *fb = file_test_slurp(b, &nb);
        if (!fa || !fb || na != nb || memcmp(fa, fb, na) != 0)
            fail_msg("%s: %s differs between two runs", what, e->d_name);
        free(fa);
        free(fb);
        n++;
    }
    closedir(d);
    if (n < min_files)
        fail_msg("%s: %zu files written, expected at least %zu", what, n, min_files);
}

static void test_determinism_every_report_writer(void **state)
{
    const char *dir = *state;
    char names[512] = "", args[1024];
    size_t n = ts_registry_count(&ts_reports), used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? "," : "",
                                 ts_registry_at(&ts_reports, i)->name);
    static const char *const runs[] = {
        "run examples/zipf-two-tier.yaml -s workload.generator.requests=20000",
        "run examples/inference-llama70b.yaml -s workload.generator.requests=2000",
    };
    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        char cmd[1200];
        snprintf(args, sizeof(args), "%s -s outputs.write=%s", runs[r], names);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/a' '%s/b'", dir, dir);
        assert_int_equal(system(cmd), 0);
        det_cli(dir, "a", args);
        sleep(1); /* a wall-clock time written anywhere would differ */
        det_cli(dir, "b", args);
        det_same_dirs(dir, runs[r], n);
    }
    const char *sweep = "sweep examples/zipf-two-tier.yaml -s workload.generator.requests=5000 "
                        "--vary tiers.0.policy=lru,sieve";
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s/a' '%s/b'", dir, dir);
    assert_int_equal(system(cmd), 0);
    det_cli(dir, "a", sweep);
    sleep(1);
    det_cli(dir, "b", sweep);
    det_same_dirs(dir, "sweep", 2); /* sweep.csv and result.h5 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_determinism_every_generator_and_writer,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_determinism_every_reader_sets_every_field,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_determinism_every_report_writer, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
