/* SPDX-License-Identifier: MIT */
/*
 * test_sweep_mpi.c - sweeps across MPI ranks (app/ranks.c): `mpirun -n 2 tiersim sweep`
 * writes sweep.csv, result.h5 and the table byte for byte as one process does; the whole
 * MPI job killed with SIGKILL at random moments, several times over, then resumed under
 * mpirun, still ends with those bytes (rank 0 takes in the records the other rank left in
 * its own journal); without -o, and for another verb than sweep, mpirun is refused in one
 * line. The oracle is the one-process sweep, which every sweep promises to reproduce.
 * Skipped (exit 77) in a build without MPI or where mpirun cannot start two ranks.
 */
#include <errno.h>
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
#include "scratch_test.h"
#include "sweep_proc_test.h"

/* 12 points, each a short fast-engine run; one thread per rank */
#define MP_GRID                                                                            \
    "--vary tiers.0.capacity=1%,2%,5%,10% --vary tiers.0.policy=lru,sieve,fifo "           \
    "-s workload.generator.requests=60k --threads 1"
#define MP_KILLS 3

static char g_launch[256];

/* Kills every rank still writing into dir/o (the launcher's ranks outlive it when it put
 * them in process groups of their own) and waits until none is left. */
static void mp_kill_ranks(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "pkill -KILL -f -- '%s/o' >/dev/null 2>&1", dir);
    for (int k = 0; k < 200; k++) {
        if (system(cmd) != 0) /* pkill: 1 when nothing matched */
            return;
        usleep(50000);
    }
    fail_msg("ranks of a killed sweep into %s/o do not die", dir);
}

static void test_sweep_mpi_two_ranks_write_what_one_process_does(void **state)
{
    const char *dir = *state, *sc = "examples/zipf-two-tier.yaml";
    assert_int_equal(rs_run(dir, "one", sc, MP_GRID), 0);
    assert_int_equal(rs_wait(rs_start_with(g_launch, dir, "two", sc, MP_GRID)), 0);
    rs_same(dir, "one", "two", "/sweep.csv", 0);
    rs_same(dir, "one", "two", "/result.h5", 0);
    rs_same(dir, "one", "two", ".out", 0);
    assert_false(rs_exists(dir, "two", ".sweep-journal"));
    assert_false(rs_exists(dir, "two", ".sweep-journal.1")); /* taken in, then removed */
}

static void test_sweep_mpi_resume_after_kills_is_identical(void **state)
{
    const char *dir = *state, *sc = "examples/zipf-two-tier.yaml";
    assert_int_equal(rs_run(dir, "ref", sc, MP_GRID), 0);
    double t0 = rs_now();
    assert_int_equal(rs_wait(rs_start_with(g_launch, dir, "timed", sc, MP_GRID)), 0);
    double took = rs_now() - t0;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    bool started = false;
    for (int k = 0; k < MP_KILLS; k++) {
        double at = took * (0.2 + 0.7 * rand() / (double)RAND_MAX);
        pid_t pid = rs_start_with(g_launch, dir, "o", sc, started ? MP_GRID " --resume" : MP_GRID);
        usleep((useconds_t)(at * 1e6));
        kill(-pid, SIGKILL); /* the launcher; its ranks may sit in groups of their own */
        int last = rs_wait(pid);
        mp_kill_ranks(dir); /* a job lost whole */
        started = rs_exists(dir, "o", ".sweep-journal"); /* none: not begun, or done */
        if (last == 0) { /* done before the kill: start over */
            char p[1024];
            snprintf(p, sizeof(p), "%s/o/result.h5", dir);
            remove(p);
            started = false;
            k = -1;
            took *= 0.8;
        }
    }
    int rc = rs_wait(rs_start_with(g_launch, dir, "o", sc, started ? MP_GRID " --resume" : MP_GRID));
    if (rc != 0) {
        char p[1024];
        snprintf(p, sizeof(p), "%s/o.err", dir);
        char *e = file_test_slurp(p, NULL);
        fail_msg("the resumed sweep under mpirun exited %d (seed %u): %s", rc, seed,
                 e ? e : "(no stderr)");
    }
    rs_same(dir, "ref", "o", "/sweep.csv", seed);
    rs_same(dir, "ref", "o", "/result.h5", seed);
    assert_false(rs_exists(dir, "o", ".sweep-journal"));
    assert_false(rs_exists(dir, "o", ".sweep-journal.1"));
}

static void test_sweep_mpi_refusals(void **state)
{
    const char *dir = *state;
    char cmd[2048];
    /* no -o: the ranks have nowhere to meet */
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && %s '%s' sweep examples/zipf-two-tier.yaml --vary seed=1,2 "
             ">'%s/noout.out' 2>'%s/noout.err'",
             TS_SOURCE_DIR, g_launch, getenv("TS_TIERSIM"), dir, dir);
    assert_int_not_equal(system(cmd), 0);
    rs_stderr_has(dir, "noout", "needs -o DIR, a directory every rank can reach");
    /* another verb */
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && %s '%s' run examples/zipf-two-tier.yaml >'%s/run.out' 2>'%s/run.err'",
             TS_SOURCE_DIR, g_launch, getenv("TS_TIERSIM"), dir, dir);
    assert_int_not_equal(system(cmd), 0);
    rs_stderr_has(dir, "run", "only `tiersim sweep` runs across MPI ranks (2 ranks here)");
}

int main(void)
{
#ifndef TS_HAVE_MPI
    fprintf(stderr, "test_sweep_mpi: skipped: built without MPI\n");
    return 77;
#else
    /* as root, OpenMPI wants to be told; leaks inside the MPI library are not tiersim's */
    snprintf(g_launch, sizeof(g_launch), "mpirun -n 2 --oversubscribe%s",
             getuid() == 0 ? " --allow-run-as-root" : "");
    const char *asan = getenv("ASAN_OPTIONS");
    char opts[512];
    snprintf(opts, sizeof(opts), "%s%sdetect_leaks=0", asan ? asan : "", asan && *asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    char probe[512];
    snprintf(probe, sizeof(probe), "%s true >/dev/null 2>&1", g_launch);
    if (system(probe) != 0) {
        fprintf(stderr, "test_sweep_mpi: skipped: '%s true' does not run\n", g_launch);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sweep_mpi_two_ranks_write_what_one_process_does,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_mpi_resume_after_kills_is_identical,
                                        scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_mpi_refusals, scratch_setup,
                                        scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
