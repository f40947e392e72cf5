/* SPDX-License-Identifier: MIT */
/*
 * cacheus_internal.h - Cacheus's two learning rules (policies/cacheus.c), shared with its
 * test: the experts' regret and the adaptive learning rate.
 */
#ifndef TS_POLICIES_CACHEUS_INTERNAL_H
#define TS_POLICIES_CACHEUS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ts__cacheus_lr {
    double lr;        /* learning rate now */
    double lr_prev;   /* at the previous update (0 at the start) */
    double hr_prev;   /* hit rate of the previous period (0 at the start) */
    uint32_t unlearn; /* updates without a rising hit rate at an unchanged lr */
} ts__cacheus_lr_t;

/* SR-LRU's weight after a miss on a key the regretting expert evicted (lru_regrets: SR-LRU,
 * else CR-LFU): that expert's weight is multiplied by exp(-lr), then both are normalised to
 * sum to 1. */
double ts__cacheus_regret(double w_lru, bool lru_regrets, double lr);

/* The end of a period with hit rate hr (hits / requests). With dhr and dlr the changes of
 * hit rate and lr since the previous update: when dlr != 0, lr moves by |lr * dlr| up when
 * dhr / dlr > 0 and down otherwise, and becomes 0.0001 when the result would not exceed
 * 0.001 and 0.9 when it would reach 1; when dlr == 0, a period with hr == 0 or dhr <= 0 counts
 * towards unlearn, and at 10 the count restarts and the function returns true: the caller draws a
 * new lr. */
bool ts__cacheus_lr_update(ts__cacheus_lr_t *s, double hr);

#endif
