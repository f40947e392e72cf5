/* SPDX-License-Identifier: MIT */
/*
 * live_internal.h - what the live engine's two files share: the table of the copies each
 * level holds (key -> size and version of the bytes the engine wrote there). Expected O(1)
 * per operation; about 40 bytes a copy.
 */
#ifndef TS_SIM_LIVE_INTERNAL_H
#define TS_SIM_LIVE_INTERNAL_H

#include <stdint.h>

#include "util/err.h"
#include "util/ktab.h"
#include "util/pool.h"

typedef struct live_copy {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
    uint64_t version;
} live_copy_t;

typedef struct live_map {
    ts_ktab_t index;
    ts_pool_t pool;
} live_map_t;

int live_map_init(live_map_t *m, uint64_t expected, ts_err_t *err);
void live_map_free(live_map_t *m);                             /* accepts a zeroed table */
live_copy_t *live_map_find(const live_map_t *m, uint64_t key); /* NULL: none */
/* Sets key's copy (added when absent). Returns 0 or TS_ENOMEM. */
int live_map_set(live_map_t *m, uint64_t key, uint64_t size, uint64_t version, ts_err_t *err);
void live_map_drop(live_map_t *m, uint64_t key); /* no copy: nothing */

#endif
