/* SPDX-License-Identifier: MIT */
/*
 * result_test.h - results built by hand in tests: the arrays and strings a filled result
 * owns (sim/result.h), allocated as the library allocates them, so ts_result_release frees
 * them and the sanitizer build sees no leak. Header-only, static helpers.
 */
#ifndef TS_TESTS_RESULT_TEST_H
#define TS_TESTS_RESULT_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/result.h"
#include "sim/util/mem.h"

/* *dst := the formatted text, in a new heap string owned by the result (the old one freed). */
static inline __attribute__((format(printf, 2, 3))) void test_str(char **dst, const char *fmt,
                                                                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = ts_malloc(n > 0 ? (size_t)n + 1 : 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    va_end(ap);
    ts_free(*dst);
    *dst = s;
}

/* Gives r n tiers and n hierarchy links: the ones it has keep their contents, the others
 * are zeroed. */
static inline void test_result_tiers(ts_result_t *r, size_t n)
{
    ts_result_t fresh = {0};
    assert_int_equal(ts_result_alloc_tiers(&fresh, n, NULL), 0);
    size_t keep = r->n_tiers < n ? r->n_tiers : n;
    if (keep) {
        memcpy(fresh.tiers, r->tiers, keep * sizeof(*r->tiers));
        memcpy(fresh.hier.link, r->hier.link, keep * sizeof(*r->hier.link));
        memset(r->tiers, 0, keep * sizeof(*r->tiers)); /* their strings moved */
    }
    ts_result_t old = {.tiers = r->tiers, .n_tiers = r->n_tiers,
                       .hier.link = r->hier.link};
    ts_result_release(&old);
    r->tiers = fresh.tiers;
    r->n_tiers = n;
    r->hier.link = fresh.hier.link;
}

/* Gives a hand-made bill n zeroed levels (n >= 1). */
static inline void test_cost_levels(ts_cost_result_t *c, size_t n)
{
    assert_null(c->level);
    c->level = ts_calloc(n, sizeof(*c->level));
    assert_non_null(c->level);
    c->n_levels = n;
}

#endif
