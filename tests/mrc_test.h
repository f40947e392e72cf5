/* SPDX-License-Identifier: MIT */
/*
 * mrc_test.h - what the miss-ratio curve tests share: a run that must succeed.
 */
#ifndef TS_TESTS_MRC_TEST_H
#define TS_TESTS_MRC_TEST_H

#include "app/mrc.h"

/* ts_mrc_run, failing the test with its error when it fails. */
static inline ts_mrc_t *run_ok(const ts_mrc_spec_t *spec)
{
    ts_err_t err = {0};
    ts_mrc_t *m = NULL;
    int rc = ts_mrc_run(spec, &m, &err);
    if (rc)
        fail_msg("ts_mrc_run: %s: %s", err.where, err.msg);
    return m;
}

#endif
