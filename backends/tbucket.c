/* SPDX-License-Identifier: MIT */
/*
 * tbucket.c - an emulated far store's timing (tbucket.h): first-byte latency and a token
 * bucket kept as one virtual time.
 */
#include "tbucket.h"

/* ceil(bytes / rate) in ns (exact: 128-bit product, never overflows for 64-bit bytes). */
static uint64_t tbucket_ns(uint64_t bytes, uint64_t rate, int round_up)
{
    unsigned __int128 num = (unsigned __int128)bytes * 1000000000u;
    unsigned __int128 q = num / rate + (round_up && num % rate ? 1 : 0);
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

static uint64_t tbucket_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t ts_tbucket_end(ts_tbucket_t *b, uint64_t now_ns, uint64_t latency_ns, uint64_t bytes)
{
    uint64_t s = tbucket_add(now_ns, latency_ns);
    if (b->rate == 0)
        return s;
    uint64_t from = b->drained_ns > s ? b->drained_ns : s;
    b->drained_ns = tbucket_add(from, tbucket_ns(bytes, b->rate, 1));
    uint64_t lent = tbucket_ns(b->burst, b->rate, 0);
    return b->drained_ns - s > lent ? b->drained_ns - lent : s;
}
