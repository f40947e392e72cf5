/* SPDX-License-Identifier: MIT */
/*
 * test_progress.c - the progress line: exact text for hand-computed cases (share, bar, rate,
 * time left, clamping, unknown totals), and the meter: silent before its delay, draws one
 * line after it, erases it at the end, restarts its clock when a replay starts, never
 * draws without an output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "app/progress.h"

struct line_case {
    const char *name;
    uint64_t done, total;
    double elapsed_s;
    const char *want;
};

/* Derivations (rate = done / elapsed; ETA = elapsed * (total - done) / done; the bar has
 * floor(20 * done / total) cells filled; counts keep three significant digits):
 *  quarter: 2.5M of 10M in 2 s: 25.0%, 5 cells, 1.25M/s, 7.5M left at 1.25M/s = 6 s.
 *  minutes: 1M of 100M in 1 s: 1.0%, 0.2 cells -> 0, 1.00M/s, 99M left = 99 s = 1m39s.
 *  hours: 1000 of 10M in 10 s: 0.01% -> "0.0", 100/s, 9,999,000 left = 99,990 s
 *    = 27 h 46 min 30 s, shown to the minute: 27h46m.
 *  over: 12 done of a stated 10 (a reader's length can be short): clamped to 100.0%, 20
 *    cells, nothing left; the count still says 12; 12 in 2 s = 6/s.
 *  nothing yet: 0 of 10: no rate, so no ETA ("?").
 *  unknown total: 123,456 in 4 s: "123k", 30,864/s = "30.9k", 4 s elapsed. */
static void test_progress_line_table(void **state)
{
    (void)state;
    static const struct line_case cases[] = {
        {"quarter", 2500000, 10000000, 2.0,
         " 25.0% [#####               ] 2.50M/10.0M requests, 1.25M/s, ETA 6s"},
        {"minutes", 1000000, 100000000, 1.0,
         "  1.0% [                    ] 1.00M/100M requests, 1.00M/s, ETA 1m39s"},
        {"hours", 1000, 10000000, 10.0,
         "  0.0% [                    ] 1.00k/10.0M requests, 100/s, ETA 27h46m"},
        {"over", 12, 10, 2.0, "100.0% [####################] 12/10 requests, 6/s, ETA 0s"},
        {"nothing yet", 0, 10, 1.0, "  0.0% [                    ] 0/10 requests, 0/s, ETA ?"},
        {"unknown total", 123456, 0, 4.0, "123k requests, 30.9k/s, 4s elapsed"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[TS_PROGRESS_LINE];
        ts_progress_format(cases[i].done, cases[i].total, cases[i].elapsed_s, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%s: got '%s', want '%s'", cases[i].name, buf, cases[i].want);
    }
}

/* The widest line (every field at its widest) fits its buffer and an 80-column terminal. */
static void test_progress_widest_line_fits(void **state)
{
    (void)state;
    char buf[TS_PROGRESS_LINE];
    ts_progress_format(999499999999ULL, 999999999999999ULL, 0.001, buf, sizeof(buf));
    assert_true(strlen(buf) < 80);
    ts_progress_format(999499999999ULL, 0, 1e7, buf, sizeof(buf));
    assert_true(strlen(buf) < 80);
}

static char *read_all(FILE *f)
{
    static char buf[1024];
    rewind(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    return buf;
}

static void test_progress_meter_waits_then_draws_then_erases(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    ts_progress_t p;
    ts_progress_start(&p, f, 1000);
    ts_progress_update(&p, 10, 0); /* at once: within the delay */
    assert_string_equal(read_all(f), "");
    p.start_s -= 2 * TS_PROGRESS_DELAY_S; /* as if the run had lasted a while */
    fseek(f, 0, SEEK_END);
    ts_progress_update(&p, 500, 0);
    const char *s = read_all(f);
    assert_true(s[0] == '\r');
    assert_non_null(strstr(s, " 50.0% [##########          ] 500/1.00k requests"));
    size_t width = strlen(s) - 1;
    assert_int_equal(p.width, width);
    ts_progress_update(&p, 600, 0); /* within the redraw interval: nothing more */
    assert_int_equal(strlen(read_all(f)), width + 1);
    fseek(f, 0, SEEK_END);
    ts_progress_finish(&p);
    s = read_all(f);
    /* The erase: carriage return, blanks over the whole line, carriage return. */
    const char *erase = s + width + 1;
    assert_int_equal(strlen(erase), width + 2);
    assert_true(erase[0] == '\r' && erase[width + 1] == '\r');
    assert_int_equal(strspn(erase + 1, " "), width);
    fclose(f);
}

/* done == 0 marks the start of a replay: the delay counts from there. */
static void test_progress_meter_restarts_when_a_replay_starts(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    ts_progress_t p;
    ts_progress_start(&p, f, 100);
    p.start_s -= 2 * TS_PROGRESS_DELAY_S; /* a long footprint pass */
    ts_progress_update(&p, 0, 100);
    ts_progress_update(&p, 5, 0);
    assert_string_equal(read_all(f), "");
    fclose(f);
}

static void test_progress_meter_without_output_is_silent(void **state)
{
    (void)state;
    ts_progress_t p;
    ts_progress_start(&p, NULL, 0);
    p.start_s -= 10;
    ts_progress_update(&p, 1, 0);
    ts_progress_finish(&p);
    assert_int_equal(p.width, 0);
}

/* The hook form passes the reader's total through to the meter. */
static void test_progress_hook_takes_the_total(void **state)
{
    (void)state;
    ts_progress_t p;
    ts_progress_start(&p, NULL, 0);
    ts_progress_hook_t hook = {ts_progress_hook_meter, &p};
    hook.fn(hook.ctx, 5, 40);
    assert_int_equal(p.total, 40);
}

/* A sweep counts points: 16 of 64 after 6.4 s is 25% (5 of the 20 cells), 2.5 points a
 * second, and the 48 left take 48 / 2.5 = 19.2 s; a rate under 10 a second keeps two
 * significant digits (1 point in 3 s: 0.33/s, 63 left: 189 s = 3m09s). */
static void test_progress_line_counts_points(void **state)
{
    (void)state;
    char buf[TS_PROGRESS_LINE];
    assert_string_equal(ts_progress_format_unit(16, 64, 6.4, "points", buf, sizeof(buf)),
                        " 25.0% [#####               ] 16/64 points, 2.5/s, ETA 19s");
    assert_string_equal(ts_progress_format_unit(1, 64, 3.0, "points", buf, sizeof(buf)),
                        "  1.6% [                    ] 1/64 points, 0.33/s, ETA 3m09s");
    assert_string_equal(ts_progress_format_unit(7, 0, 2.0, "points", buf, sizeof(buf)),
                        "7 points, 3.5/s, 2s elapsed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_line_table),
        cmocka_unit_test(test_progress_line_counts_points),
        cmocka_unit_test(test_progress_widest_line_fits),
        cmocka_unit_test(test_progress_meter_waits_then_draws_then_erases),
        cmocka_unit_test(test_progress_meter_restarts_when_a_replay_starts),
        cmocka_unit_test(test_progress_meter_without_output_is_silent),
        cmocka_unit_test(test_progress_hook_takes_the_total),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
