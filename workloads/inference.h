/* SPDX-License-Identifier: MIT */
/*
 * inference.h - what the inference generator (workloads/inference.c, kind "inference")
 * tells beyond the requests themselves: the LLM request that the block requests last
 * returned belong to (its conversation, turn, token counts and block ranges).
 *
 * A request carries no token count, so a consumer that needs one (the timed engine's time
 * to first token, a test of the reuse structure) asks here after each next(). Every block
 * request of one LLM request has the same time_ns and stream; docs/workload-inference.md
 * describes the order (weight reads, prompt GETs, prefill PUTs, decode PUTs).
 */
#ifndef TS_WORKLOADS_INFERENCE_H
#define TS_WORKLOADS_INFERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "../sim/util/err.h"
#include "../sim/reader.h"

#define TS_INFERENCE_WEIGHT_KEY (1ull << 63)   /* weight chunk keys have this bit; KV keys not */
#define TS_INFERENCE_WEIGHT_STREAM 0x80000000u /* weight reads: this bit | model index */
#define TS_INFERENCE_BASE_STREAM 0xffffffffu   /* lora: the base model's weight reads */

typedef struct ts_inference_req {
    uint64_t index;           /* LLM request number since open/reset, from 0 */
    uint64_t time_ns;         /* arrival time, the time_ns of all its block requests */
    uint64_t conversation;    /* conversation number, from 0; stream = it mod 2^31 */
    uint32_t turn;            /* 1 for the first turn */
    uint32_t turns;           /* turns drawn for the conversation */
    uint32_t model;           /* model or adapter rank (0 the most popular) */
    uint32_t system_prompt;   /* system prompt rank (0 the most popular) */
    uint64_t system_tokens;   /* tokens of the shared system prompt */
    uint64_t history_tokens;  /* system prompt + earlier turns' prompts and outputs */
    uint64_t prompt_tokens;   /* history + this turn's user tokens */
    uint64_t output_tokens;   /* decode tokens */
    uint64_t block_tokens;    /* B */
    uint64_t block_bytes;     /* KV bytes per token x B: the size of every KV request */
    uint64_t n_prompt_blocks; /* floor(prompt_tokens / B): the GETs */
    uint64_t first_new_block; /* prompt blocks from here on are new: the prefill PUTs */
    uint64_t n_blocks_after;  /* floor((prompt + output) / B): decode PUTs are blocks
                               * n_prompt_blocks .. n_blocks_after - 1 */
    uint64_t n_weight_reads;  /* weight chunk GETs before the KV blocks (0: resident) */
    uint64_t weight_bytes;    /* bytes those reads carry */
} ts_inference_req_t;

/* Fills out with the LLM request of the block request that r's next() returned last.
 * Returns 0; TS_EINVAL when r is not an inference generator; TS_ENOENT before the first
 * request (after open or reset). */
int ts_gen_inference_current(const ts_reader_t *r, ts_inference_req_t *out, ts_err_t *err);

#endif
