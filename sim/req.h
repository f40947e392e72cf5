/* SPDX-License-Identifier: MIT */
/*
 * req.h - the request: the one record that flows from readers through engines to tiers.
 *
 * Units: time in nanoseconds since the trace start, size in bytes. next_access is the
 * virtual time (0-based request index) of the next request to the same key, filled by the
 * engine's pre-pass only when a policy needs the future (Belady); TS_REQ_NEVER otherwise.
 */
#ifndef TS_SIM_REQ_H
#define TS_SIM_REQ_H

#include <stdint.h>

typedef enum ts_op {
    TS_OP_GET = 0,    /* read the object */
    TS_OP_PUT = 1,    /* write (create or overwrite) the object */
    TS_OP_DELETE = 2, /* remove the object */
    TS_OP_COUNT_
} ts_op_t;

enum ts_req_flag {
    TS_REQ_PREFETCH = 1u << 0,   /* issued by a prefetcher, not by the workload */
    TS_REQ_CHECKPOINT = 1u << 1, /* part of a checkpoint write or restore */
    TS_REQ_HINT = 1u << 2,       /* idle_ns holds a workload hint */
    TS_REQ_GROUP_END = 1u << 3,  /* ends a group: the requests of its stream since its
                                  * previous group ended (an LLM call's weight and prompt
                                  * reads, whose end is the time to first token) */
    TS_REQ_KV = 1u << 4,         /* a KV-cache block: a miss can be recomputed by prefill
                                  * instead of loaded (weights and other objects cannot) */
    TS_REQ_TTL = 1u << 5,        /* idle_ns holds the object's time to live from this
                                  * request (a write that sets an expiry: Twitter's TTL
                                  * column); never with TS_REQ_HINT */
};

#define TS_REQ_NEVER UINT64_MAX /* next_access when the key is never requested again */

typedef struct ts_req {
    uint64_t time_ns;     /* issue time, ns since the start of the trace */
    uint64_t key;         /* object id or block hash */
    uint64_t size_bytes;  /* object size in bytes */
    uint64_t next_access; /* request index of the next access to key, or TS_REQ_NEVER */
    uint32_t stream;      /* tenant, GPU rank or session id */
    uint8_t op;           /* ts_op_t */
    uint8_t flags;        /* ts_req_flag bits */
    uint16_t reserved_;   /* zero */
    uint64_t idle_ns;     /* with TS_REQ_HINT: the workload's expectation of how long this
                           * stream will be idle after this request (an agent's tool call
                           * before its next turn), in ns; with TS_REQ_TTL: how long the
                           * object lives from this request, in ns; 0 otherwise */
} ts_req_t;

/* "get", "put", "delete"; "?" for anything else. */
static inline const char *ts_op_name(unsigned op)
{
    static const char *const names[] = {"get", "put", "delete"};
    return op < TS_OP_COUNT_ ? names[op] : "?";
}

#endif
