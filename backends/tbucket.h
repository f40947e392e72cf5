/* SPDX-License-Identifier: MIT */
/*
 * tbucket.h - the timing of an emulated far store (the directory back-end's `latency`,
 * `bandwidth` and `burst`): when a transfer asked for now ends, given a first-byte latency
 * and a token bucket of `rate` bytes/s holding up to `burst` bytes. A pure function of the
 * clock it is given, so it is tested with numbers worked out by hand.
 *
 * The bucket is kept as one time (the virtual-clock form of a token bucket, as in the
 * generic cell rate algorithm of ITU-T I.371): drained_ns, when every byte admitted so far
 * has flowed out at `rate`. A transfer of n bytes whose first byte may flow at s (the time
 * asked plus the latency) moves it to d = max(drained_ns, s) + n / rate, and ends at
 * max(s, d - burst / rate): the bucket lends up to `burst` bytes' worth of time. An idle
 * bucket is full, so a transfer of at most `burst` bytes costs the latency alone, and a
 * steady stream gets `rate`. Each transfer's time is rounded up to a whole nanosecond.
 */
#ifndef TS_BACKENDS_TBUCKET_H
#define TS_BACKENDS_TBUCKET_H

#include <stdint.h>

typedef struct ts_tbucket {
    uint64_t rate;       /* bytes per second; 0: no cap */
    uint64_t burst;      /* bytes that pass at once after an idle spell */
    uint64_t drained_ns; /* private: when the bytes admitted so far have flowed out */
} ts_tbucket_t;

/* When a transfer of bytes, asked for at now_ns, ends (ns, same clock): its first byte after
 * latency_ns, its bytes as the bucket allows; takes them from the bucket. Never before
 * now_ns + latency_ns. */
uint64_t ts_tbucket_end(ts_tbucket_t *b, uint64_t now_ns, uint64_t latency_ns, uint64_t bytes);

#endif
