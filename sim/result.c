/* SPDX-License-Identifier: MIT */
/*
 * result.c - what a result owns on the heap, and its release (see result.h).
 */
#include "result.h"

#include "mem.h"

void ts_result_release(ts_result_t *res)
{
    if (!res)
        return;
    ts_timed_result_release(&res->timed);
    ts_series_destroy(res->series);
    ts_free(res->scenario_yaml);
    ts_free(res->overrides);
    res->series = NULL;
    res->scenario_yaml = NULL;
    res->overrides = NULL;
    res->n_overrides = 0;
}
