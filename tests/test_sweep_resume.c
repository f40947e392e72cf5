/* SPDX-License-Identifier: MIT */
/*
 * test_sweep_resume.c - `tiersim sweep --resume` (app/sweep_journal.c): a sweep killed by
 * SIGKILL at random moments, several times over, then resumed, ends with sweep.csv,
 * result.h5 and the table byte for byte those of a sweep never interrupted; a damaged
 * journal tail is cut off and its point run again; a resume against another grid, other
 * `-s` values or another scenario text is refused naming what differs, and one with no
 * journal is refused.
 *
 * The expected files are the uninterrupted sweep's, which the whole of tiersim's sweep
 * promises to reproduce (each point is exactly `tiersim run` with its overrides), so the
 * oracle is independent of the journal. The kill moments are drawn from the time the
 * uninterrupted sweep took (any build, sanitizers included); the seed is printed on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "file_test.h"
#include "sweep_proc_test.h"
#include "scratch_test.h"

/* 12 points, each a short fast-engine run */
#define RS_GRID                                                                            \
    "--vary tiers.0.capacity=1%,2%,5%,10% --vary tiers.0.policy=lru,sieve,fifo "           \
    "-s workload.generator.requests=60k --threads 2"
#define RS_KILLS 5

/* Kills a sweep into dir/sub once its journal exists (before any point is done). */
static void rs_kill_once_started(const char *dir, const char *sub, const char *scenario,
                                 const char *args)
{
    pid_t pid = rs_start(dir, sub, scenario, args);
    for (int k = 0; k < 20000 && !rs_exists(dir, sub, ".sweep-journal"); k++)
        usleep(1000);
    kill(pid, SIGKILL);
    rs_wait(pid);
    assert_true(rs_exists(dir, sub, ".sweep-journal"));
}


static void test_sweep_resume_after_kills_is_identical(void **state)
{
    const char *dir = *state, *sc = "examples/zipf-two-tier.yaml";
    double t0 = rs_now();
    assert_int_equal(rs_run(dir, "ref", sc, RS_GRID), 0);
    double took = rs_now() - t0;
    assert_false(rs_exists(dir, "ref", ".sweep-journal")); /* gone once the files are there */
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    int last = -1;
    for (int k = 0; k < RS_KILLS; k++) {
        /* a moment within the sweep's length (a resumed one is shorter: some runs finish) */
        double at = took * (0.1 + 0.8 * rand() / (double)RAND_MAX);
        pid_t pid = rs_start(dir, "o", sc, k ? RS_GRID " --resume" : RS_GRID);
        usleep((useconds_t)(at * 1e6));
        kill(pid, SIGKILL);
        last = rs_wait(pid);
        if (last == 0) { /* the sweep was done before the kill: start it over */
            char p[1024];
            snprintf(p, sizeof(p), "%s/o/result.h5", dir);
            remove(p);
            k = -1;
            took *= 0.8;
        } else if (last != 128 + SIGKILL && last != 1) /* 1: the journal was not made yet */
            fail_msg("a killed sweep exited %d (seed %u)", last, seed);
    }
    int rc = rs_run(dir, "o", sc, RS_GRID " --resume");
    if (rc != 0 && rs_exists(dir, "o", ".sweep-journal"))
        fail_msg("the resumed sweep exited %d (seed %u)", rc, seed);
    if (rc != 0) /* the kills all came before the journal: nothing to resume */
        assert_int_equal(rs_run(dir, "o", sc, RS_GRID), 0);
    rs_same(dir, "ref", "o", "/sweep.csv", seed);
    rs_same(dir, "ref", "o", "/result.h5", seed);
    rs_same(dir, "ref", "o", ".out", seed);
    assert_false(rs_exists(dir, "o", ".sweep-journal"));
}

/* A record cut short (the process killed while writing it) and bytes of no record after
 * the last one end the journal: the resume cuts them off and runs those points again. */
static void test_sweep_resume_cuts_a_damaged_tail(void **state)
{
    const char *dir = *state, *sc = "examples/zipf-two-tier.yaml";
    assert_int_equal(rs_run(dir, "ref", sc, RS_GRID), 0);
    /* a journal with its header only */
    rs_kill_once_started(dir, "d", sc, RS_GRID);
    assert_int_equal(rs_run(dir, "d", sc, RS_GRID " --resume"), 0);
    rs_same(dir, "ref", "d", "/result.h5", 0);
    /* now a journal with a torn record: kill after the first points, then cut its end */
    for (int tries = 0; tries < 20; tries++) {
        pid_t pid = rs_start(dir, "t", sc, RS_GRID);
        char p[1024];
        snprintf(p, sizeof(p), "%s/t/.sweep-journal", dir);
        struct stat st = {0};
        for (int k = 0; k < 20000 && (stat(p, &st) != 0 || st.st_size < 4096); k++)
            usleep(1000);
        kill(pid, SIGKILL);
        if (rs_wait(pid) == 0 || stat(p, &st) != 0 || st.st_size < 4096)
            continue; /* finished first, or killed too soon: again */
        assert_int_equal(truncate(p, st.st_size - 100), 0); /* the last record torn */
        int fd = open(p, O_WRONLY | O_APPEND);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "TSJREC01 not a record", 21), 21); /* and junk after it */
        close(fd);
        assert_int_equal(rs_run(dir, "t", sc, RS_GRID " --resume"), 0);
        rs_same(dir, "ref", "t", "/sweep.csv", 0);
        rs_same(dir, "ref", "t", "/result.h5", 0);
        return;
    }
    fail_msg("no sweep could be killed with a record in its journal");
}

static void test_sweep_resume_refuses_another_sweep(void **state)
{
    const char *dir = *state;
    char sc[1024], cmd[2048];
    snprintf(sc, sizeof(sc), "%s/s.yaml", dir); /* a scenario of the test's own, to change */
    snprintf(cmd, sizeof(cmd), "cp '%s/examples/zipf-two-tier.yaml' '%s'", TS_SOURCE_DIR, sc);
    assert_int_equal(system(cmd), 0);
    rs_kill_once_started(dir, "o", sc, RS_GRID);
    /* another grid: a value of an axis */
    assert_int_equal(rs_run(dir, "o", sc,
                            "--vary tiers.0.capacity=1%,2%,5%,10% "
                            "--vary tiers.0.policy=lru,sieve,s3fifo "
                            "-s workload.generator.requests=60k --resume"), 1);
    rs_stderr_has(dir, "o", "is the journal of another sweep: axis tiers.0.policy: its values "
                            "differ from the journal's sweep's");
    /* the axes in another order (it numbers the points otherwise) */
    assert_int_equal(rs_run(dir, "o", sc,
                            "--vary tiers.0.policy=lru,sieve,fifo "
                            "--vary tiers.0.capacity=1%,2%,5%,10% "
                            "-s workload.generator.requests=60k --resume"), 1);
    rs_stderr_has(dir, "o", "axis tiers.0.policy: the journal's sweep has another key");
    /* another -s value, and one more -s */
    assert_int_equal(rs_run(dir, "o", sc,
                            "--vary tiers.0.capacity=1%,2%,5%,10% "
                            "--vary tiers.0.policy=lru,sieve,fifo "
                            "-s workload.generator.requests=70k --resume"), 1);
    rs_stderr_has(dir, "o", "-s workload.generator.requests: its value differs");
    assert_int_equal(rs_run(dir, "o", sc, RS_GRID " -s seed=7 --resume"), 1);
    rs_stderr_has(dir, "o", "-s seed: given here but not to the journal's sweep");
    /* another shard */
    assert_int_equal(rs_run(dir, "o", sc, RS_GRID " --shard 1/2 --resume"), 1);
    rs_stderr_has(dir, "o", "shard 1/2: the journal's sweep ran another shard");
    /* the scenario's text changed */
    snprintf(cmd, sizeof(cmd), "echo '# changed' >> '%s'", sc);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(rs_run(dir, "o", sc, RS_GRID " --resume"), 1);
    rs_stderr_has(dir, "o", "s.yaml: its text is not the one the journal's sweep ran");
    assert_true(rs_exists(dir, "o", ".sweep-journal")); /* a refusal changes nothing */
    /* no journal */
    assert_int_equal(rs_run(dir, "none", sc, RS_GRID " --resume"), 1);
    rs_stderr_has(dir, "none", "cannot resume: no sweep journal");
    /* not a journal */
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/bad' && echo hello > '%s/bad/.sweep-journal'", dir,
             dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(rs_run(dir, "bad", sc, RS_GRID " --resume"), 1);
    rs_stderr_has(dir, "bad", "is not a sweep journal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sweep_resume_after_kills_is_identical,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_resume_cuts_a_damaged_tail, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_resume_refuses_another_sweep,
                                        scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
