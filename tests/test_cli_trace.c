/* SPDX-License-Identifier: MIT */
/*
 * test_cli_trace.c - `tiersim trace` end to end (app/cli_trace.c), and where the verbs that
 * write files say so: trace gen/info agree, convert takes reader parameters (a misspelt one
 * is one line with a suggestion), the trace verbs read agent-session directories, head
 * prints the first records and info --json a window; "wrote" lines go to stderr and -q
 * silences them (trace gen and convert, report -o and --html); -o - writes one file to
 * stdout and nothing else there. The fixture is tests/cli_test.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "file_test.h"
#include "cli_test.h"

/* trace info's output out holds every one of the n texts of want. */
static void info_has_all(const char *out, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strstr(out, want[i]))
            fail_msg("trace info lacks '%s' in:\n%s", want[i], out);
}

static void test_cli_trace_gen_then_info(void **state)
{
    struct fixture *f = *state;
    free(tiersim_ok(f, "trace gen -s workload.generator.requests=5000 -o '%s/t.tsim'", f->dir));
    char *out = tiersim_ok(f, "trace info '%s/t.tsim'", f->dir);
    assert_non_null(strstr(out, "requests     5000\n"));
    free(out);
}

/* trace info of a scenario reads its workload: examples/checkpoint-llama3-70b.yaml's 64
 * ranks of 15,287,602,688 bytes (test_checkpoint.c) make 978,406,572,032 bytes a checkpoint,
 * 911.21 GiB or 978.4 GB, written 10 times and read 10 times. -p belongs to trace files. */
static void test_cli_trace_info_of_a_scenario(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "trace info examples/checkpoint-llama3-70b.yaml");
    static const char *const want[] = {
        "(checkpoint)\n",
        "checkpoints  10 written, 10 read, each 911.21GiB (978.4 GB) over 64 ranks\n",
        "ckpt bytes   written 8.90TiB, read 8.90TiB\n"};
    info_has_all(out, want, sizeof(want) / sizeof(want[0]));
    free(out);
    out = tiersim_ok(f, "trace info examples/checkpoint-llama3-70b.yaml --json");
    assert_non_null(strstr(out, "\"checkpoint_bytes\": 978406572032"));
    free(out);
    assert_int_equal(tiersim(f, "trace info examples/checkpoint-llama3-70b.yaml -p x=1"), 2);
    /* the run's report and result.json say the same */
    out = tiersim_ok(f, "run examples/checkpoint-llama3-70b.yaml");
    assert_non_null(strstr(out, "\ncheckpoint 10 written, 10 read, each 911.21GiB (978.4 GB) "
                                "over 64 ranks\n"));
    free(out);
    out = tiersim_ok(f, "run examples/checkpoint-llama3-70b.yaml --json");
    json_error_t je;
    json_t *root = json_loads(out, 0, &je);
    assert_non_null(root);
    json_t *k = json_object_get(json_object_get(root, "scenario"), "checkpoint");
    assert_int_equal(json_integer_value(json_object_get(k, "bytes_each")), 978406572032);
    assert_int_equal(json_integer_value(json_object_get(k, "written")), 10);
    assert_int_equal(json_integer_value(json_object_get(k, "ranks")), 64);
    json_decref(root);
    free(out);
}

/* examples/tiny.csv by hand: 12 requests over keys 1..6; first sizes 4+4+8+4+16+4 KiB =
 * 40 KiB; nine 4 KiB, two 8 KiB and one 16 KiB request = 68 KiB; times 0..110 in ns. */
static void test_cli_trace_convert_with_reader_params(void **state)
{
    struct fixture *f = *state;
    free(tiersim_ok(f, "trace convert examples/tiny.csv '%s/t.tsim' -p time_unit=ns", f->dir));
    char *out = tiersim_ok(f, "trace info '%s/t.tsim'", f->dir);
    static const char *const want[] = {"requests     12\n", "unique keys  6\n",
                                       "footprint    40KiB (40960 bytes)\n",
                                       "requested    68KiB\n", "time span    110ns\n",
                                       "get 12 (100.0%)"};
    info_has_all(out, want, sizeof(want) / sizeof(want[0]));
    free(out);
    /* Without the parameter the times are read as seconds. */
    out = tiersim_ok(f, "trace info examples/tiny.csv");
    assert_non_null(strstr(out, "time span    110s\n"));
    free(out);
    /* A misspelt parameter: one line naming it, with a suggestion, exit 1. */
    assert_int_equal(tiersim(f, "trace info examples/tiny.csv -p time_unt=ns"), 1);
    char *err = slurp(f->dir, "err");
    assert_non_null(err);
    assert_string_equal(err, "tiersim: error: csv.time_unt: unknown key 'time_unt' (did you "
                             "mean 'time_unit'?)\n");
    free(err);
    assert_int_equal(tiersim(f, "trace info examples/tiny.csv -p time_unit"), 2);
}

/* The trace verbs read a directory of agent-session conversations: b.json is cut short
 * (passed over with --skip-bad 1), c.json has 2 + 3 prompt blocks (ids 1, 2 and 1, 2, 3:
 * 5 gets over 3 keys), its calls at 0 and 3 s, each block 64 tokens x Llama-3.1-70B's
 * 320 KiB = 20 MiB. */
static void test_cli_trace_verbs_read_agent_sessions(void **state)
{
    struct fixture *f = *state;
    char path[512];
    snprintf(path, sizeof(path), "%s/conv", f->dir);
    assert_int_equal(mkdir(path, 0755), 0);
    static const char *const files[][2] = {
        {"b.json", "{"},
        {"c.json", "{\"block_size\": 64, \"requests\": [{\"t\": 0, \"type\": \"s\", \"in\": 128, "
                   "\"out\": 1, \"hash_ids\": [1, 2]}, {\"t\": 3, \"type\": \"s\", \"in\": 192, "
                   "\"out\": 1, \"hash_ids\": [1, 2, 3]}]}"},
    };
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/conv/%s", f->dir, files[i][0]);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        fputs(files[i][1], fp);
        fclose(fp);
    }
    assert_int_equal(tiersim(f, "trace info x --format agent_sessions"), 1);
    char *out = tiersim_ok(f, "trace info '%s/conv' --format agent_sessions --skip-bad 1", f->dir);
    static const char *const want[] = {"requests     5\n", "unique keys  3\n",
                                       "footprint    60MiB", "time span    3s\n"};
    info_has_all(out, want, sizeof(want) / sizeof(want[0]));
    free(out);
    char *err = slurp(f->dir, "err");
    assert_non_null(err);
    assert_non_null(strstr(err, "passed over 1 malformed record; the first: "));
    assert_non_null(strstr(err, "conv/b.json: invalid JSON at line 1"));
    free(err);
    free(tiersim_ok(f, "trace convert '%s/conv' '%s/c.tsim' --from agent_sessions --skip-bad 1",
                    f->dir, f->dir));
    out = tiersim_ok(f, "trace info '%s/c.tsim'", f->dir);
    assert_non_null(strstr(out, "requests     5\n"));
    free(out);
    out = tiersim_ok(f, "trace head '%s/conv/c.json' --format agent_sessions -n 1", f->dir);
    assert_non_null(strstr(out, " 3s\n")); /* the first call's hint: 3 s */
    free(out);
    snprintf(path, sizeof(path), "trace head '%s/conv' --format agent_sessions", f->dir);
    assert_int_equal(tiersim(f, path), 1); /* without --skip-bad: b.json stops it */
}

/* trace head prints the first records; trace info --json is one JSON object; a window of
 * [20 s, 60 s) keeps the requests at 20, 30, 40 and 50 s of examples/tiny.csv (times in s). */
static void test_cli_trace_head_json_and_window(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "trace head examples/tiny.csv -n 3");
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4); /* the heading and three records */
    assert_non_null(strstr(out, " 20s ")); /* the third request's time, exactly */
    free(out);
    out = tiersim_ok(f, "trace info examples/tiny.csv --json --start 20s --end 60s");
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "requests")), 4);
    assert_int_equal(json_integer_value(json_object_get(doc, "first_time_ns")), 20000000000ll);
    json_decref(doc);
    free(out);
    assert_int_equal(tiersim(f, "trace info examples/tiny.csv --sample 0"), 2);
}

/* "wrote" lines go to stderr, never stdout, and -q silences them: trace gen and convert say
 * how many requests they wrote (examples/csv-trace.yaml's trace, examples/tiny.csv, has 12),
 * report -o FILE and --html FILE name the file. */
static void test_cli_wrote_lines_on_stderr_and_quiet(void **state)
{
    struct fixture *f = *state;
    char args[1024], want[1024];
    snprintf(args, sizeof(args), "trace gen examples/csv-trace.yaml -o '%s/t.tsim'", f->dir);
    assert_int_equal(tiersim(f, args), 0);
    char *out = slurp(f->dir, "out"), *err = slurp(f->dir, "err");
    snprintf(want, sizeof(want), "tiersim: wrote 12 requests to %s/t.tsim (native)\n", f->dir);
    assert_string_equal(out, "");
    assert_string_equal(err, want);
    free(out);
    free(err);
    free(tiersim_ok(f, "run examples/csv-trace.yaml -q -o '%s/r'", f->dir));
    static const char *const cases[][2] = {
        {"trace gen examples/csv-trace.yaml -o '%s/t2.tsim'", "t2.tsim"},
        {"trace convert examples/tiny.csv '%s/t3.tsim'", "t3.tsim"},
        {"report '%s/r/result.h5' -o '%s/r.txt'", "r.txt"},
        {"report '%s/r/result.h5' --html '%s/r.html'", "r.html"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int quiet = 0; quiet < 2; quiet++) {
            char cmd[900];
            snprintf(cmd, sizeof(cmd), cases[i][0], f->dir, f->dir);
            snprintf(args, sizeof(args), "%s%s", cmd, quiet ? " -q" : "");
            int rc = tiersim(f, args);
            out = slurp(f->dir, "out");
            err = slurp(f->dir, "err");
            if (rc != 0 || !out || out[0] || !err)
                fail_msg("%s: exit %d, stdout '%s'", args, rc, out ? out : "");
            /* gnuplot may be missing: a warning line, never a "wrote" on stdout */
            int said = strstr(err, "tiersim: wrote ") && strstr(err, cases[i][1]);
            if (said == (quiet != 0))
                fail_msg("%s: stderr '%s'", args, err);
            free(out);
            free(err);
        }
    }
    /* report -o FILE holds what report prints on stdout */
    char *text = tiersim_ok(f, "report '%s/r/result.h5'", f->dir);
    char *file = slurp(f->dir, "r.txt");
    assert_non_null(file);
    assert_string_equal(text, file);
    free(file);
    char *dash = tiersim_ok(f, "report '%s/r/result.h5' -o -", f->dir);
    assert_string_equal(text, dash);
    free(dash);
    free(text);
}

/* -o - writes a single output file to stdout and nothing else there, with no "wrote" line:
 * trace gen's native trace starts with the 8-byte magic "TSIMTRC\0" and holds the 64-byte
 * header and 40 bytes for each of examples/tiny.csv's 12 requests (64 + 12 x 40 = 544), and
 * reads back; trace convert IN - gives the same bytes; report --html - gives the page. */
static void test_cli_dash_writes_to_stdout(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "trace gen examples/csv-trace.yaml -o -"), 0);
    char path[512];
    snprintf(path, sizeof(path), "%s/out", f->dir);
    size_t len = 0;
    char *trace = file_test_slurp(path, &len);
    char *err = slurp(f->dir, "err");
    assert_non_null(trace);
    assert_string_equal(err, "");
    free(err);
    assert_int_equal(len, 64 + 12 * 40);
    assert_memory_equal(trace, "TSIMTRC\0", 8);
    snprintf(path, sizeof(path), "%s/gen.tsim", f->dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(trace, 1, len, fp), len);
    fclose(fp);
    char *info = tiersim_ok(f, "trace info '%s'", path);
    assert_non_null(strstr(info, "requests     12\n"));
    assert_non_null(strstr(info, "(native)"));
    free(info);
    /* the same requests through convert: the same bytes (csv-trace.yaml reads tiny.csv
     * with time_unit=ns) */
    assert_int_equal(tiersim(f, "trace convert examples/tiny.csv - -p time_unit=ns"), 0);
    snprintf(path, sizeof(path), "%s/out", f->dir);
    size_t len2 = 0;
    char *conv = file_test_slurp(path, &len2);
    assert_non_null(conv);
    assert_int_equal(len2, len);
    assert_memory_equal(conv, trace, len);
    err = slurp(f->dir, "err");
    assert_string_equal(err, "");
    free(err);
    free(conv);
    free(trace);
    /* no scratch left behind in TMPDIR */
    char tmp[600], env[700];
    snprintf(tmp, sizeof(tmp), "%s/tmp", f->dir);
    assert_int_equal(mkdir(tmp, 0755), 0);
    snprintf(env, sizeof(env), "TMPDIR=%s", tmp);
    assert_int_equal(tiersim_env(f, env, "trace gen examples/csv-trace.yaml -o - -q"), 0);
    assert_int_equal(dir_entries(tmp), 0);
    free(tiersim_ok(f, "run examples/csv-trace.yaml -q -o '%s/r'", f->dir));
    char *page = tiersim_ok(f, "report '%s/r/result.h5' --html -", f->dir);
    assert_true(strncmp(page, "<!DOCTYPE html>", 15) == 0);
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_trace_gen_then_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_trace_info_of_a_scenario, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_trace_convert_with_reader_params, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_trace_head_json_and_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_trace_verbs_read_agent_sessions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_wrote_lines_on_stderr_and_quiet, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_dash_writes_to_stdout, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
