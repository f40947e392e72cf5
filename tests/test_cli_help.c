/* SPDX-License-Identifier: MIT */
/*
 * test_cli_help.c - the command line's help and usage errors, end to end through the tiersim
 * executable: every verb's and trace sub-verb's help, by every spelling (help VERB, VERB
 * --help, VERB -h; help trace SUB, trace SUB --help, trace SUB -h), goes to stdout alone,
 * starts with its synopsis, fits 100 columns and exits 0, and every example it shows runs as
 * written from a directory that has the repository's examples/; the overview lists every
 * verb; a bad option, a missing value or a bad count is two lines on stderr (the problem
 * naming the option, then the verb's Try line) with exit 2; an unknown verb gets a
 * suggestion and the overview's Try line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_test.h"
#include "file_test.h"

/* What one command printed. */
struct run {
    int rc;
    char *out, *err;
};

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

/* Runs `tiersim ARGS` from the source tree, stdout and stderr caught apart. */
static struct run tiersim_caught(struct fixture *f, const char *args)
{
    char cmd[4096], path[512];
    snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s > '%s/out' 2> '%s/err'", TS_SOURCE_DIR,
             f->exe, args, f->dir, f->dir);
    int st = system(cmd);
    struct run r = {WIFEXITED(st) ? WEXITSTATUS(st) : -1, NULL, NULL};
    snprintf(path, sizeof(path), "%s/out", f->dir);
    r.out = file_test_slurp(path, NULL);
    snprintf(path, sizeof(path), "%s/err", f->dir);
    r.err = file_test_slurp(path, NULL);
    assert_non_null(r.out);
    assert_non_null(r.err);
    return r;
}

/* The verbs and sub-verbs with the synopsis their help starts with. */
static const struct topic {
    const char *name; /* as `tiersim help` takes it */
    const char *synopsis;
} k_topics[] = {
    {"run", "usage: tiersim run [SCENARIO] [options]\n"},
    {"mrc", "usage: tiersim mrc [SCENARIO] [options]\n"},
    {"sweep", "usage: tiersim sweep [SCENARIO] [options]\n"},
    {"report", "usage: tiersim report RESULTS.h5... [options]\n"},
    {"trace", "usage: tiersim trace SUB-VERB [options]\n"},
    {"trace info", "usage: tiersim trace info FILE [options]\n"},
    {"trace head", "usage: tiersim trace head FILE [options]\n"},
    {"trace gen", "usage: tiersim trace gen [SCENARIO] -o FILE [options]\n"},
    {"trace convert", "usage: tiersim trace convert IN OUT [options]\n"},
    {"calibrate", "usage: tiersim calibrate --file PATH | --memory | --gpu N [options]\n"},
    {"list", "usage: tiersim list [WHAT]\n"},
    {"help", "usage: tiersim help [VERB [SUB-VERB]]\n"},
    {"version", "usage: tiersim version\n"},
};

#define N_TOPICS (sizeof(k_topics) / sizeof(k_topics[0]))

/* No line of text is longer than width. */
static void assert_width(const char *what, const char *text, size_t width)
{
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n > width)
            fail_msg("%s: a line of %zu columns: %.*s", what, n, (int)n, line);
        line += n + (end != NULL);
    }
}

static void test_cli_help_every_topic_every_spelling(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < N_TOPICS; i++) {
        const char *name = k_topics[i].name;
        char spellings[3][128];
        snprintf(spellings[0], sizeof(spellings[0]), "help %s", name);
        snprintf(spellings[1], sizeof(spellings[1]), "%s --help", name);
        snprintf(spellings[2], sizeof(spellings[2]), "%s -h", name);
        char *first = NULL;
        for (size_t k = 0; k < 3; k++) {
            struct run r = tiersim_caught(f, spellings[k]);
            if (r.rc != 0 || r.err[0])
                fail_msg("tiersim %s: exit %d, stderr '%s'", spellings[k], r.rc, r.err);
            if (strncmp(r.out, k_topics[i].synopsis, strlen(k_topics[i].synopsis)) != 0)
                fail_msg("tiersim %s does not start with its synopsis:\n%s", spellings[k],
                         r.out);
            if (!strstr(r.out, "\nexamples:\n  tiersim "))
                fail_msg("tiersim %s has no example", spellings[k]);
            assert_width(spellings[k], r.out, 100);
            if (!first)
                first = strdup(r.out);
            else if (strcmp(first, r.out) != 0)
                fail_msg("tiersim %s differs from tiersim %s", spellings[k], spellings[0]);
            run_free(&r);
        }
        free(first);
    }
}

/* Every option a verb's parser takes is in its help: the ones each verb shares, by name. */
static void test_cli_help_names_every_option(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *topic, *options[14];
    } cases[] = {
        {"run", {"--set", "--json", "--timing", "--output", "--quiet", "--help"}},
        {"mrc",
         {"--set", "--policies", "--sizes", "--points", "--threads", "--output", "--plot",
          "--quiet", "--help"}},
        {"sweep",
         {"--vary", "--set", "--threads", "--shard", "--output", "--html", "--quiet",
          "--help"}},
        {"report", {"--output", "--html", "--plots", "--run-figures", "--quiet", "--help"}},
        {"trace info",
         {"--format", "--param", "--json", "--sample", "--start", "--end", "--skip-bad",
          "--help"}},
        {"trace head",
         {"-n N", "--format", "--param", "--sample", "--start", "--end", "--skip-bad",
          "--help"}},
        {"trace gen", {"--output", "--format", "--set", "--quiet", "--help"}},
        {"trace convert",
         {"--from", "--to", "--param", "--sample", "--start", "--end", "--skip-bad", "--quiet",
          "--help"}},
        {"list", {"--help"}},
        {"calibrate",
         {"--file", "--memory", "--gpu", "--cuda-library", "--size", "--output", "--name",
          "--keep", "--quick", "--time", "--quiet", "--help"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char args[128];
        snprintf(args, sizeof(args), "help %s", cases[i].topic);
        struct run r = tiersim_caught(f, args);
        assert_int_equal(r.rc, 0);
        for (size_t k = 0; k < 14 && cases[i].options[k]; k++)
            if (!strstr(r.out, cases[i].options[k]))
                fail_msg("help %s lacks %s", cases[i].topic, cases[i].options[k]);
        run_free(&r);
    }
}

/* tiersim help, --help and -h: the overview, every verb on a line of its own. */
static void test_cli_help_overview(void **state)
{
    struct fixture *f = *state;
    static const char *const spellings[] = {"help", "--help", "-h"};
    for (size_t k = 0; k < 3; k++) {
        struct run r = tiersim_caught(f, spellings[k]);
        assert_int_equal(r.rc, 0);
        assert_string_equal(r.err, "");
        assert_true(strncmp(r.out, "usage: tiersim VERB", 19) == 0);
        for (size_t i = 0; i < N_TOPICS; i++) {
            if (strchr(k_topics[i].name, ' '))
                continue;
            char line[64];
            snprintf(line, sizeof(line), "\n  %-9s ", k_topics[i].name);
            if (!strstr(r.out, line))
                fail_msg("the overview lacks the line of %s:\n%s", k_topics[i].name, r.out);
        }
        assert_non_null(strstr(r.out, "Run 'tiersim help VERB'"));
        assert_width("overview", r.out, 100);
        run_free(&r);
    }
    /* trace's own help lists its sub-verbs */
    struct run r = tiersim_caught(f, "trace --help");
    static const char *const subs[] = {"\n  info ", "\n  head ", "\n  gen ", "\n  convert "};
    for (size_t i = 0; i < 4; i++)
        assert_non_null(strstr(r.out, subs[i]));
    run_free(&r);
    /* no verb at all: the overview on stderr, a usage error */
    r = tiersim_caught(f, "");
    assert_int_equal(r.rc, 2);
    assert_string_equal(r.out, "");
    assert_true(strncmp(r.err, "usage: tiersim VERB", 19) == 0);
    run_free(&r);
}

/* Every example of every help runs as written, in order, from a directory of its own where
 * examples/ is the repository's and `tiersim` is on PATH (outputs such as out/ land there). */
static void test_cli_help_examples_run(void **state)
{
    struct fixture *f = *state;
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s/ex/bin' && ln -s '%s' '%s/ex/bin/tiersim' && ln -s '%s/examples' "
             "'%s/ex/examples'",
             f->dir, f->exe, f->dir, TS_SOURCE_DIR, f->dir);
    assert_int_equal(system(cmd), 0);
    size_t n_examples = 0;
    for (size_t i = 0; i < N_TOPICS; i++) {
        char args[128];
        snprintf(args, sizeof(args), "help %s", k_topics[i].name);
        struct run r = tiersim_caught(f, args);
        assert_int_equal(r.rc, 0);
        const char *ex = strstr(r.out, "\nexamples:\n");
        assert_non_null(ex);
        for (const char *line = strchr(ex + 1, '\n') + 1; strncmp(line, "  tiersim ", 10) == 0;) {
            const char *end = strchr(line, '\n');
            assert_non_null(end);
            char script[600];
            snprintf(script, sizeof(script), "%s/ex/example.sh", f->dir);
            FILE *fp = fopen(script, "w");
            assert_non_null(fp);
            fprintf(fp, "%.*s\n", (int)(end - line - 2), line + 2);
            fclose(fp);
            snprintf(cmd, sizeof(cmd),
                     "cd '%s/ex' && PATH='%s/ex/bin':\"$PATH\" sh example.sh > ex.out 2> ex.err",
                     f->dir, f->dir);
            int st = system(cmd);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                snprintf(script, sizeof(script), "%s/ex/ex.err", f->dir);
                char *err = file_test_slurp(script, NULL);
                fail_msg("help %s: '%.*s' failed: %s", k_topics[i].name, (int)(end - line - 2),
                         line + 2, err ? err : "");
            }
            n_examples++;
            line = end + 1;
        }
        run_free(&r);
    }
    assert_true(n_examples >= N_TOPICS);
}

/* A usage error is exactly two lines on stderr, nothing on stdout, exit 2. */
static void test_cli_help_usage_errors_are_two_lines(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *args, *err;
    } cases[] = {
        {"run --jsn",
         "tiersim: error: run: unknown option '--jsn' (did you mean '--json'?)\n"
         "Try 'tiersim run --help'.\n"},
        {"run -x", "tiersim: error: run: unknown option '-x'\nTry 'tiersim run --help'.\n"},
        {"run -o", "tiersim: error: run: option '-o' needs a value\nTry 'tiersim run --help'.\n"},
        {"run --output",
         "tiersim: error: run: option '--output' needs a value\nTry 'tiersim run --help'.\n"},
        {"run --json=yes",
         "tiersim: error: run: option '--json' takes no value, found '--json=yes'\n"
         "Try 'tiersim run --help'.\n"},
        {"mrc --p 3",
         "tiersim: error: mrc: option '--p' is ambiguous (it could be --policies, --points, "
         "--plot)\nTry 'tiersim mrc --help'.\n"},
        {"mrc --threads 0",
         "tiersim: error: --threads expects a count such as 4, found '0'\n"
         "Try 'tiersim mrc --help'.\n"},
        {"sweep --shrad 1/2",
         "tiersim: error: sweep: unknown option '--shrad' (did you mean '--shard'?)\n"
         "Try 'tiersim sweep --help'.\n"},
        {"report --htm",
         "tiersim: error: report: option '--html' needs a value\n"
         "Try 'tiersim report --help'.\n"},
        {"report r.h5 --plts x",
         "tiersim: error: report: unknown option '--plts' (did you mean '--plots'?)\n"
         "Try 'tiersim report --help'.\n"},
        {"trace info examples/tiny.csv --jsn",
         "tiersim: error: trace info: unknown option '--jsn' (did you mean '--json'?)\n"
         "Try 'tiersim trace info --help'.\n"},
        {"trace head examples/tiny.csv --json",
         "tiersim: error: trace head: unknown option '--json'\n"
         "Try 'tiersim trace head --help'.\n"},
        {"trace gen -o",
         "tiersim: error: trace gen: option '-o' needs a value\n"
         "Try 'tiersim trace gen --help'.\n"},
        {"trace convert a b --frm csv",
         "tiersim: error: trace convert: unknown option '--frm' (did you mean '--from'?)\n"
         "Try 'tiersim trace convert --help'.\n"},
        {"trace convert a",
         "tiersim: error: trace convert takes IN and OUT (- : standard output), found 1 name\n"
         "Try 'tiersim trace convert --help'.\n"},
        {"trace inf x",
         "tiersim: error: unknown trace sub-verb 'inf' (did you mean 'info'?)\n"
         "Try 'tiersim trace --help'.\n"},
        {"list --helpp",
         "tiersim: error: list: unknown option '--helpp' (did you mean '--help'?)\n"
         "Try 'tiersim list --help'.\n"},
        {"version 2", "tiersim: error: version takes no arguments, found '2'\n"
                      "Try 'tiersim version --help'.\n"},
        {"rn", "tiersim: error: unknown verb 'rn' (did you mean 'run'?)\nTry 'tiersim help'.\n"},
        {"help rn",
         "tiersim: error: help: unknown verb 'rn' (did you mean 'run'?)\nTry 'tiersim help'.\n"},
        {"help trace gem",
         "tiersim: error: unknown trace sub-verb 'gem' (did you mean 'gen'?)\n"
         "Try 'tiersim trace --help'.\n"},
        {"run -o -",
         "tiersim: error: run: -o names a directory, found '-' (standard output takes a single "
         "file)\nTry 'tiersim run --help'.\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct run r = tiersim_caught(f, cases[i].args);
        if (r.rc != 2 || r.out[0] || strcmp(r.err, cases[i].err) != 0)
            fail_msg("tiersim %s: exit %d, stdout '%s', stderr '%s', want '%s'", cases[i].args,
                     r.rc, r.out, r.err, cases[i].err);
        run_free(&r);
    }
    /* an error of the run itself is exit 1, one line, no Try line */
    struct run r = tiersim_caught(f, "run no-such-scenario.yaml");
    assert_int_equal(r.rc, 1);
    assert_int_equal(file_test_count(r.err, "\n"), 1);
    assert_null(strstr(r.err, "Try "));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_help_every_topic_every_spelling, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_help_names_every_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_help_overview, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_help_examples_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_help_usage_errors_are_two_lines, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
