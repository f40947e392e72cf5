/* SPDX-License-Identifier: MIT */
/*
 * scenarios_test.h - the scenarios the tests of many-run tools (mrc, sweep) share: a
 * cyclic loop whose figures are derived by hand, and a two-tier Zipf.
 */
#ifndef TS_TESTS_SCENARIOS_TEST_H
#define TS_TESTS_SCENARIOS_TEST_H

/* A cyclic scan over K = 100 keys, 1000 requests: every key is asked 10 times in turn. An
 * LRU or FIFO tier below K objects misses every request; from K on only the K cold misses. */
#define TS_TEST_LOOP_YAML                                                                          \
    "seed: 1\n"                                                                                    \
    "workload:\n"                                                                                  \
    "  generator: {kind: loop, keys: 100, requests: 1000}\n"                                       \
    "tiers:\n"                                                                                     \
    "  - {name: cache, capacity: 10, policy: lru}\n"                                               \
    "engine: fast\n"

/* Zipf over two tiers with shares of the footprint as capacities. */
#define TS_TEST_ZIPF_YAML                                                                          \
    "seed: 7\n"                                                                                    \
    "workload:\n"                                                                                  \
    "  generator: {kind: zipf, alpha: 0.8, keys: 5000, requests: 40k}\n"                           \
    "tiers:\n"                                                                                     \
    "  - {name: hbm, capacity: 1%, policy: lru}\n"                                                 \
    "  - {name: dram, capacity: 10%, policy: fifo}\n"                                              \
    "engine: fast\n"

#endif
