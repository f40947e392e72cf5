/* SPDX-License-Identifier: MIT */
/*
 * readahead.h - a reader that reads another on a thread of its own.
 *
 * A run that has the machine to itself replays on one CPU while a second sits idle; the
 * trace's decoding (and the kernel's share: page faults, copies) then moves to that CPU:
 * a producer thread fills blocks of TS_READAHEAD_BLOCK requests from the inner reader, up
 * to TS_READAHEAD_BLOCKS ahead, and the wrapper hands them out in order. The requests,
 * their order and every error (at the same request, after the ones before it) are those
 * of the inner reader, so results do not change. Each side sleeps on a condition variable
 * only when the other is behind; the hand-over costs a few atomic operations per block.
 * The inner reader is borrowed and used only by the thread while the wrapper is open: the
 * caller must not touch it until ts_reader_close() of the wrapper, which stops the thread.
 * Memory: TS_READAHEAD_BLOCKS x TS_READAHEAD_BLOCK requests (384 KiB).
 */
#ifndef TS_SIM_READAHEAD_H
#define TS_SIM_READAHEAD_H

#include <stdbool.h>

#include "reader.h"

#define TS_READAHEAD_BLOCK 1024 /* requests per block */
#define TS_READAHEAD_BLOCKS 8   /* blocks in flight */

/* Whether reading inner on a thread of its own can pay and is safe: a second CPU is
 * online for this process, and inner (of format or generator ops, which must be thread
 * safe) reports no workload units (a wrapper that reads ahead would count requests not
 * yet replayed). */
bool ts_readahead_wanted(const ts_reader_t *inner, const ts_reader_ops_t *ops);

/* Wraps inner (borrowed) and starts the thread. Returns 0, TS_ENOMEM or TS_EIO (no
 * thread could be started). */
int ts_readahead_open(ts_reader_t *inner, ts_reader_t **out, ts_err_t *err);

#endif
