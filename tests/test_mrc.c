/* SPDX-License-Identifier: MIT */
/*
 * test_mrc.c - miss-ratio curves: LRU on a cyclic loop misses everything below the loop's
 * length and only the cold misses from it on; OPT never misses more than LRU; the curves
 * are identical with one and two threads; shares of the footprint resolve to sorted,
 * distinct capacities; progress sums every point; the table fits 100 columns and the CSV
 * holds every point; every bad input is refused with a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenarios_test.h"
#include "reports/mrc_report.h"
#include "app/mrc.h"
#include "mrc_test.h"

static const char k_loop[] = TS_TEST_LOOP_YAML;

/* The top tier's policy and capacity are what the curve varies. */
static const char k_zipf[] = TS_TEST_ZIPF_YAML;

/* LRU on a loop of K keys with capacity c < K: by the time a key comes back, the K - 1
 * other keys have been asked since, so it was evicted: every request misses (ratio 1).
 * With c >= K nothing is ever evicted: only the K first requests miss, K / N = 0.1. */
static void test_mrc_lru_on_a_loop(void **state)
{
    (void)state;
    const char *pol[] = {"lru"};
    ts_mrc_spec_t spec = {.yaml = k_loop, .policies = pol, .n_policies = 1,
                          .sizes = "150, 1, 50,99,100", .threads = 2};
    ts_mrc_t *m = run_ok(&spec);
    assert_int_equal(m->n_requests, 1000);
    assert_int_equal(m->footprint_objects, 100);
    assert_int_equal(m->n_sizes, 5);
    const uint64_t cap[] = {1, 50, 99, 100, 150}; /* sorted */
    const double want[] = {1.0, 1.0, 1.0, 0.1, 0.1};
    for (size_t s = 0; s < 5; s++) {
        assert_int_equal(m->capacity[s], cap[s]);
        assert_int_equal(m->points[s].n_req, 1000);
        assert_true(ts_mrc_miss_ratio(&m->points[s]) == want[s]);
    }
    assert_string_equal(m->tier, "cache");
    assert_string_equal(m->policies[0], "lru");
    ts_mrc_destroy(m);
}

/* Belady's rule is optimal for the object miss ratio with unit sizes, so OPT <= LRU at
 * every capacity, on the loop (where LRU is at its worst) and on Zipf. */
static void test_mrc_opt_never_above_lru(void **state)
{
    (void)state;
    const char *pol[] = {"lru", "opt"};
    const char *scenarios[] = {k_loop, k_zipf};
    for (size_t k = 0; k < 2; k++) {
        ts_mrc_spec_t spec = {.yaml = scenarios[k], .policies = pol, .n_policies = 2,
                              .n_points = 8};
        ts_mrc_t *m = run_ok(&spec);
        assert_int_equal(m->n_policies, 2);
        for (size_t s = 0; s < m->n_sizes; s++) {
            const ts_mrc_point_t *lru = &m->points[s], *opt = &m->points[m->n_sizes + s];
            if (opt->n_miss > lru->n_miss)
                fail_msg("scenario %zu, capacity %llu: OPT %llu misses, LRU %llu", k,
                         (unsigned long long)m->capacity[s], (unsigned long long)opt->n_miss,
                         (unsigned long long)lru->n_miss);
        }
        ts_mrc_destroy(m);
    }
}

static void test_mrc_same_with_one_and_two_threads(void **state)
{
    (void)state;
    const char *pol[] = {"lru", "arc", "s3fifo"};
    ts_mrc_spec_t spec = {.yaml = k_zipf, .policies = pol, .n_policies = 3, .n_points = 6,
                          .threads = 1};
    ts_mrc_t *a = run_ok(&spec);
    spec.threads = 2;
    ts_mrc_t *b = run_ok(&spec);
    assert_int_equal(a->n_sizes, b->n_sizes);
    assert_memory_equal(a->capacity, b->capacity, a->n_sizes * sizeof(*a->capacity));
    assert_memory_equal(a->points, b->points, 3 * a->n_sizes * sizeof(*a->points));
    ts_mrc_destroy(a);
    ts_mrc_destroy(b);
}

/* Shares round to the nearest whole object (at least one) and repeats collapse: of 100
 * keys, 0.1% is 0.1 -> 1, 0.5% -> 0.5 -> 1 (half rounds up), 1% -> 1, 10% -> 10, 100%. The
 * default list (0.1% .. 100%, 1-2-5) gives 1, 1, 1, 1, 2, 5, 10, 20, 50, 100. Without a
 * policy the scenario's own is used. */
static void test_mrc_shares_become_distinct_capacities(void **state)
{
    (void)state;
    ts_mrc_spec_t spec = {.yaml = k_loop, .sizes = "10%,0.1%,1%,0.5%,100%"};
    ts_mrc_t *m = run_ok(&spec);
    assert_int_equal(m->n_policies, 1);
    assert_string_equal(m->policies[0], "lru");
    assert_int_equal(m->n_sizes, 3);
    assert_int_equal(m->capacity[0], 1);
    assert_int_equal(m->capacity[1], 10);
    assert_int_equal(m->capacity[2], 100);
    ts_mrc_destroy(m);
    spec.sizes = NULL;
    m = run_ok(&spec);
    const uint64_t want[] = {1, 2, 5, 10, 20, 50, 100};
    assert_int_equal(m->n_sizes, 7);
    assert_memory_equal(m->capacity, want, sizeof(want));
    ts_mrc_destroy(m);
}

struct progress_seen {
    uint64_t done, total;
    size_t calls;
    bool went_back;
};

/* Called from the worker threads (one at a time): no assertion here. */
static void record(void *ctx, uint64_t done, uint64_t total)
{
    struct progress_seen *p = ctx;
    p->went_back |= done < p->done; /* the sum over points never goes back */
    p->done = done;
    p->total = total;
    p->calls++;
}

/* LRU's curve is one exact pass of the 1000 requests, FIFO's three runs of 1000: the sum
 * reaches 4000 of 4000. */
static void test_mrc_progress_sums_every_point(void **state)
{
    (void)state;
    struct progress_seen seen = {0};
    const ts_progress_hook_t hook = {record, &seen};
    const char *pol[] = {"lru", "fifo"};
    ts_mrc_spec_t spec = {.yaml = k_loop, .policies = pol, .n_policies = 2,
                          .sizes = "10,50,100", .threads = 2, .progress = &hook};
    ts_mrc_t *m = run_ok(&spec);
    assert_false(seen.went_back);
    assert_int_equal(seen.done, 4000);
    assert_int_equal(seen.total, 4000);
    assert_true(seen.calls >= 4);
    ts_mrc_destroy(m);
}

static void test_mrc_table_and_csv(void **state)
{
    (void)state;
    const char *pol[] = {"lru", "fifo"};
    ts_mrc_spec_t spec = {.yaml = k_loop, .policies = pol, .n_policies = 2,
                          .sizes = "50,100"};
    ts_mrc_t *m = run_ok(&spec);
    char buf[4096];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    assert_non_null(f);
    ts_err_t err = {0};
    assert_int_equal(ts_report_mrc_text(m, f, &err), 0);
    fclose(f);
    assert_non_null(strstr(buf, "miss ratio of tier cache by policy and capacity (objects)\n"));
    /* capacity 50 is 50% of the 100 keys; both policies miss everything there. */
    assert_non_null(strstr(buf, "\ncapacity  footprint      lru     fifo\n"
                                "      50     50.00%  100.00%  100.00%\n"
                                "     100    100.00%   10.00%   10.00%\n"));
    f = fmemopen(buf, sizeof(buf), "w");
    assert_int_equal(ts_report_mrc_csv(m, f, &err), 0);
    fclose(f);
    /* 4096-byte objects: 1000 requests are 4,096,000 bytes; at 100 objects 100 miss
     * (409,600 bytes) and the run's other 900 requests hit. */
    assert_non_null(strstr(buf, "lru,100,objects,1.000000000,1000,100,0.100000000,4096000,"
                                "409600,0.100000000,1000,900,exact,\n"));
    size_t lines = 0;
    for (const char *p = buf; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + 2 * 2);
    ts_mrc_destroy(m);
}

/* With all nine policies the table is split so that every line fits 100 columns. */
/* mrc.csv lands in the directory, created when missing; a path too long is refused. */
static void test_mrc_write_dir(void **state)
{
    (void)state;
    const char *pol[] = {"lru"};
    ts_mrc_spec_t spec = {.yaml = k_loop, .policies = pol, .n_policies = 1, .sizes = "50"};
    ts_mrc_t *m = run_ok(&spec);
    char dir[1024], sub[1100], path[1200];
    snprintf(dir, sizeof(dir), "%s/mrc-XXXXXX", TS_BINARY_DIR);
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    ts_err_t err = {0};
    assert_int_equal(ts_report_mrc_write(m, sub, &err), 0);
    snprintf(path, sizeof(path), "%s/mrc.csv", sub);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "lru,50,objects,0.500000000,1000,1000,1.000000000,4096000,"
                              "4096000,1.000000000,1000,0,exact,\n");
    fclose(f);
    static char longdir[5000];
    memset(longdir, 'd', sizeof(longdir) - 1);
    assert_int_equal(ts_report_mrc_write(m, longdir, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "path too long for mrc.csv in 'ddd"));
    char cmd[1100];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    ts_mrc_destroy(m);
}

static void test_mrc_table_fits_100_columns(void **state)
{
    (void)state;
    const char *pol[] = {"arc", "clock", "fifo", "lfu", "lru", "opt", "s3fifo", "session",
                         "sieve", "lru"};
    ts_mrc_spec_t spec = {.yaml = k_loop, .policies = pol, .n_policies = 9,
                          .sizes = "1,1000000000000000"};
    ts_mrc_t *m = run_ok(&spec);
    /* Widen a policy name to force a second table. */
    snprintf(m->policies[8], sizeof(m->policies[8]), "%s", "sieve-with-a-long-name-xxxxx");
    char buf[8192];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    ts_err_t err = {0};
    assert_int_equal(ts_report_mrc_text(m, f, &err), 0);
    fclose(f);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        if (strlen(line) > 100)
            fail_msg("%zu columns: %s", strlen(line), line);
    ts_mrc_destroy(m);
}

struct bad_case {
    const char *name;
    const char *yaml;
    const char *policies; /* comma-separated; NULL: none */
    const char *sizes;
    size_t points;
    int rc;
    const char *where;
    const char *msg;
};

static void test_mrc_bad_inputs(void **state)
{
    (void)state;
    static const char k_empty[] =
        "workload:\n  generator: {kind: loop, keys: 100, requests: 0}\n"
        "tiers:\n  - {name: a, capacity: 10, policy: lru}\n";
    static const char k_thin[] =
        "workload:\n  generator: {kind: loop, keys: 100, requests: 1000}\n"
        "tiers:\n  - {name: a, capacity: 10, policy: lru}\n"
        "  - {name: b, capacity: 0.1%, policy: lru}\n";
    static const struct bad_case cases[] = {
        {"unknown policy", k_loop, "lruu", NULL, 0, TS_ENOENT, "policies",
         "unknown policy 'lruu' (did you mean 'lru'?)"},
        {"repeated policy", k_loop, "lru,arc,lru", NULL, 0, TS_EINVAL, "policies",
         "policy 'lru' is named twice"},
        {"bad size", k_loop, NULL, "5x", 0, TS_EPARSE, "sizes",
         "expected a share of the footprint such as 5% or an object count such as 1000 or "
         "10k, found '5x'"},
        {"bytes in objects mode", k_loop, NULL, "4GiB", 0, TS_EPARSE, "sizes", "found '4GiB'"},
        {"share above 100%", k_loop, NULL, "150%", 0, TS_ERANGE, "sizes",
         "a share of the footprint must be above 0% and at most 100%, found '150%'"},
        {"zero", k_loop, NULL, "0", 0, TS_ERANGE, "sizes", "a capacity must be above zero"},
        {"empty size", k_loop, NULL, "1%,,2%", 0, TS_EPARSE, "sizes",
         "empty size in '1%,,2%'"},
        {"one point", k_loop, NULL, NULL, 1, TS_ERANGE, "", "points: expected 2 to 1000"},
        {"bad scenario", "tiers: 3\n", NULL, NULL, 0, TS_EPARSE, "<text>", "list of tiers"},
        {"thirty-three policies", k_loop,
         "lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,"
         "lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru,lru",
         NULL, 0, TS_ERANGE, "policies", "at most 32 policies, found 33"},
        {"empty workload", k_empty, NULL, "10%", 0, TS_ERANGE, "sizes",
         "shares of the footprint need a workload with requests; this one has none"},
        /* The second tier's 0.1% of 100 keys is a tenth of an object: found when a point
         * runs, and named with the point. */
        {"failing point", k_thin, "fifo", "10,20", 0, TS_ERANGE, "tiers.b.capacity",
         "policy fifo, capacity 10: 0.1% of a footprint of 100 objects is less than one unit"},
    };
    { /* 1001 sizes, one more than a curve takes. */
        static char many[1 + 1000 * 2 + 1]; /* "1" then ",1" 1000 times */
        many[0] = '1';
        for (size_t i = 0; i < 1000; i++)
            memcpy(many + 1 + 2 * i, ",1", 2);
        ts_mrc_spec_t spec = {.yaml = k_loop, .sizes = many};
        ts_err_t err = {0};
        ts_mrc_t *m = NULL;
        assert_int_equal(ts_mrc_run(&spec, &m, &err), TS_ERANGE);
        assert_string_equal(err.where, "sizes");
        assert_string_equal(err.msg, "more than 1000 sizes");
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad_case *c = &cases[i];
        char list[256];
        const char *pol[40];
        size_t n = 0;
        if (c->policies) {
            snprintf(list, sizeof(list), "%s", c->policies);
            for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
                 t = strtok_r(NULL, ",", &save))
                pol[n++] = t;
        }
        ts_mrc_spec_t spec = {.yaml = c->yaml, .policies = pol, .n_policies = n,
                              .sizes = c->sizes, .n_points = c->points, .threads = 2};
        ts_err_t err = {0};
        ts_mrc_t *m = (ts_mrc_t *)&err; /* must come back NULL */
        int rc = ts_mrc_run(&spec, &m, &err);
        if (rc != c->rc || m != NULL || !strstr(err.where, c->where) ||
            !strstr(err.msg, c->msg))
            fail_msg("%s: rc %d, where '%s', message '%s'", c->name, rc, err.where, err.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mrc_lru_on_a_loop),
        cmocka_unit_test(test_mrc_opt_never_above_lru),
        cmocka_unit_test(test_mrc_same_with_one_and_two_threads),
        cmocka_unit_test(test_mrc_shares_become_distinct_capacities),
        cmocka_unit_test(test_mrc_progress_sums_every_point),
        cmocka_unit_test(test_mrc_table_and_csv),
        cmocka_unit_test(test_mrc_write_dir),
        cmocka_unit_test(test_mrc_table_fits_100_columns),
        cmocka_unit_test(test_mrc_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
