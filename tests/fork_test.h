/* SPDX-License-Identifier: MIT */
/*
 * fork_test.h - a child process for a test that expects the child may abort (a failed
 * check, GSL's own error handler): the parent reads how it ended with waitpid.
 * Include after <cmocka.h>.
 */
#ifndef TS_TESTS_FORK_TEST_H
#define TS_TESTS_FORK_TEST_H

#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

/* Flushes stdio (so nothing buffered is written twice), forks, and in the child turns core
 * files off (an expected abort leaves none). Returns fork's value, asserted not negative. */
static inline pid_t test_fork_no_core(void)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
    }
    return pid;
}

#endif
