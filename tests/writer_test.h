/* SPDX-License-Identifier: MIT */
/*
 * writer_test.h - report writers by name for the tests that write result files or read a
 * scenario's outputs: one writer from the registry, whether a set holds one, and an output
 * directory written with the writers json, csv, text and hdf5 chosen one by one (in that
 * order, the order the files were always written in).
 */
#ifndef TS_TESTS_WRITER_TEST_H
#define TS_TESTS_WRITER_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reports/writer.h"

/* The registered writer named name (the test fails without it). */
static inline const ts_report_ops_t *writer_named(const char *name)
{
    const ts_plugin_t *p = ts_registry_find(&ts_reports, name, NULL);
    assert_non_null(p);
    return (const ts_report_ops_t *)p;
}

/* Whether set (a ts_report_set_t) holds the writer named name. */
static inline bool writer_in(uint64_t set, const char *name)
{
    ts_report_set_t bit = ts_report_find_bit(name, NULL);
    assert_true(bit != 0);
    return (set & bit) != 0;
}

/* Writes res into dir with the writers chosen by the four flags. */
static inline int write_dir(const ts_result_t *res, const char *dir, bool json, bool csv,
                            bool text, bool hdf5, ts_err_t *err)
{
    static const char *const names[] = {"json", "csv", "text", "hdf5"};
    const bool on[] = {json, csv, text, hdf5};
    const ts_report_ops_t *w[4];
    size_t n = 0;
    for (size_t i = 0; i < 4; i++)
        if (on[i])
            w[n++] = writer_named(names[i]);
    return ts_report_write_run(res, w, n, dir, NULL, err);
}

#endif
