/* SPDX-License-Identifier: MIT */
/*
 * agentic.c - agentic sessions: LLM calls over a growing context, separated by tool calls
 * that leave the session's KV cache idle, with sub-agents and a shared memory store.
 *
 * Model (docs/workload-agentic.md gives the parameters, their sources and an example):
 *   sessions arrive as a Poisson process (session_rate) and run N turns (geometric with mean
 *   `turns`, or fixed). Turn k is one LLM call at time T over the whole context: a shared
 *   system + tool prompt (prefix_tokens), then everything the session appended so far. The
 *   context is cut into blocks of B tokens named by chained hashes, key_j =
 *   mix64(key_{j-1} ^ mix64(content_j + salt)), content_j = owner session << 32 | j (owner 0
 *   for the shared prefix), so equal prefixes give equal keys. At T the turn reads the
 *   memory store (memory_reads GETs) and every full block written before it (GETs); at
 *   T_end = T + new prompt tokens / prefill_rate + output tokens / decode_rate it writes the
 *   memory store (memory_writes PUTs) and the blocks its new prompt and output tokens
 *   filled (PUTs). Then a tool call (lognormal; with probability human_prob a human turn
 *   instead) runs until the next turn at T_next; its output joins the next prompt.
 *   Hints: every KV request of a turn carries stream = session id and TS_REQ_HINT with
 *   idle_ns = T_next - its own time (the turn's last request: exactly the tool call's
 *   duration); on a session's last turn idle_ns = UINT64_MAX (end_hint). With
 *   prefetch_lead > 0 the session's blocks are re-announced as TS_REQ_PREFETCH requests at
 *   max(T_end, T_next - lead). Memory-store requests carry the stream but no hint.
 *   Sub-agents fork at the end of a turn (subagent_prob): a new session whose context is
 *   the parent's, so it reads the parent's blocks, then appends its own (no deeper forks).
 * Events: a binary heap of pending session phases (start, end, prefetch) in time order,
 * ties by insertion order; memory is O(live sessions x their blocks). Draws: four GSL taus2
 * streams seeded from the scenario seed (arrivals, turns, memory store, hint errors: the
 * same requests whatever hint_noise says); deterministic, and reset() replays exactly.
 * Cost: O(1) per request, O(log live sessions) per phase.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../sim/util/mem.h"
#include "gen_internal.h"

/* ================================ parameters ================================ */

enum { AG_TURNS_GEOMETRIC = 0, AG_TURNS_FIXED = 1 };
static const char *const k_ag_turns_dists[] = {"geometric", "fixed", NULL};

typedef struct agentic_params {
    uint64_t sessions;           /* top-level sessions in the trace */
    double session_rate;         /* arrivals per second (Poisson) */
    double turns;                /* mean turns per session */
    int turns_dist;              /* AG_TURNS_* */
    uint64_t prefix_tokens;      /* shared system + tool prompt */
    uint64_t user_tokens;        /* a session's (or sub-agent's) first prompt */
    uint64_t output_tokens;      /* median output tokens per turn */
    double output_sigma;         /* lognormal sigma of the output tokens */
    uint64_t tool_tokens;        /* median tokens a tool call adds to the context */
    double tool_tokens_sigma;    /* lognormal sigma of those */
    uint64_t block_tokens;       /* tokens per KV block */
    uint64_t kv_bytes_per_token; /* KV cache bytes per token */
    double prefill_rate;         /* tokens/s of prefill */
    double decode_rate;          /* tokens/s of one session's decode */
    uint64_t tool_time_ns;       /* median tool-call duration */
    double tool_sigma;           /* lognormal sigma of it */
    double human_prob;           /* share of turns followed by a human turn */
    uint64_t human_time_ns;      /* median human think time */
    double human_sigma;          /* lognormal sigma of it */
    double subagent_prob;        /* chance a turn forks a sub-agent */
    double subagent_turns;       /* mean turns of a sub-agent (geometric) */
    uint64_t memory_objects;     /* objects in the memory store */
    double memory_alpha;         /* Zipf exponent of their popularity */
    uint64_t memory_size;        /* bytes per memory-store object */
    uint64_t memory_reads;       /* GETs at each turn's start */
    uint64_t memory_writes;      /* PUTs at each turn's end */
    uint64_t context_max;        /* a session ends before its prompt would exceed this */
    bool end_hint;               /* last turn: idle_ns = UINT64_MAX */
    double hint_noise;           /* lognormal sigma of the hint's error (0: exact) */
    uint64_t prefetch_lead_ns;   /* prefetch hints this long before a turn; 0: none */
} agentic_params_t;

#define AG_P(f) offsetof(agentic_params_t, f)

static const ts_param_spec_t k_agentic_params[] = {
    {"sessions", TS_PT_COUNT, AG_P(sessions), 0, 0, 1e9, "100",
     "top-level sessions in the trace (sub-agents come on top)", NULL},
    {"session_rate", TS_PT_DOUBLE, AG_P(session_rate), 0, 1e-9, 1e9, "0.1",
     "session arrivals per second (Poisson)", NULL},
    {"turns", TS_PT_DOUBLE, AG_P(turns), 0, 1, 1e6, "45",
     "mean LLM calls per session (Claude Code: 45 per conversation, p50)", NULL},
    {"turns_dist", TS_PT_ENUM, AG_P(turns_dist), 0, 1, 0, "geometric",
     "turns per session: geometric with that mean, or fixed", k_ag_turns_dists},
    {"prefix_tokens", TS_PT_COUNT, AG_P(prefix_tokens), 0, 0, 1e9, "15000",
     "shared system + tool prompt tokens (Claude Code: ~15K)", NULL},
    {"user_tokens", TS_PT_COUNT, AG_P(user_tokens), 0, 0, 1e9, "500",
     "tokens of a session's first prompt and of a sub-agent's task", NULL},
    {"output_tokens", TS_PT_COUNT, AG_P(output_tokens), 0, 0, 1e9, "216",
     "median output tokens per LLM call (Claude Code: p50 216)", NULL},
    {"output_sigma", TS_PT_DOUBLE, AG_P(output_sigma), 0, 0, 10, "1",
     "lognormal sigma of the output tokens", NULL},
    {"tool_tokens", TS_PT_COUNT, AG_P(tool_tokens), 0, 0, 1e9, "440",
     "median tokens a tool result appends (context grows ~655 a turn, p50)", NULL},
    {"tool_tokens_sigma", TS_PT_DOUBLE, AG_P(tool_tokens_sigma), 0, 0, 10, "1.5",
     "lognormal sigma of the tool result tokens", NULL},
    {"block_tokens", TS_PT_COUNT, AG_P(block_tokens), 0, 1, 1e6, "256",
     "tokens per KV block (LMCache chunk: 256; vLLM: 16)", NULL},
    {"kv_bytes_per_token", TS_PT_SIZE, AG_P(kv_bytes_per_token), 0, 1, 1e9, "128KiB",
     "KV cache bytes per token (Llama-3.1-8B BF16: 128KiB)", NULL},
    {"prefill_rate", TS_PT_DOUBLE, AG_P(prefill_rate), 0, 1e-3, 1e12, "20000",
     "prefill tokens per second (8B model on one H100: ~24-29K)", NULL},
    {"decode_rate", TS_PT_DOUBLE, AG_P(decode_rate), 0, 1e-3, 1e12, "100",
     "decode tokens per second of one session", NULL},
    {"tool_time", TS_PT_DURATION, AG_P(tool_time_ns), 0, 1, 8.64e15, "9s",
     "median tool-call duration (Claude Code: gap after a tool call p50 9 s)", NULL},
    {"tool_sigma", TS_PT_DOUBLE, AG_P(tool_sigma), 0, 0, 10, "1.61",
     "lognormal sigma of the tool time (p90 71 s: ln(71/9)/1.2816)", NULL},
    {"human_prob", TS_PT_FRACTION, AG_P(human_prob), 0, 0, 1, "0.14",
     "share of turns that wait for a human instead (86% end in a tool call)", NULL},
    {"human_time", TS_PT_DURATION, AG_P(human_time_ns), 0, 1, 8.64e15, "210s",
     "median human think time (Claude Code: p50 210 s)", NULL},
    {"human_sigma", TS_PT_DOUBLE, AG_P(human_sigma), 0, 0, 10, "2.1",
     "lognormal sigma of the human time (TraceLab p50 1.4 min, p90 20.6 min)", NULL},
    {"subagent_prob", TS_PT_FRACTION, AG_P(subagent_prob), 0, 0, 1, "0.05",
     "chance that a turn forks a sub-agent", NULL},
    {"subagent_turns", TS_PT_DOUBLE, AG_P(subagent_turns), 0, 1, 1e6, "5",
     "mean turns of a sub-agent (geometric)", NULL},
    {"memory_objects", TS_PT_COUNT, AG_P(memory_objects), 0, 1, 1e9, "10000",
     "objects in the shared memory store", NULL},
    {"memory_alpha", TS_PT_DOUBLE, AG_P(memory_alpha), 0, 0, 10, "0.9",
     "Zipf exponent of memory-store popularity", NULL},
    {"memory_size", TS_PT_SIZE, AG_P(memory_size), 0, 0, 1e12, "16KiB",
     "bytes per memory-store object", NULL},
    {"memory_reads", TS_PT_COUNT, AG_P(memory_reads), 0, 0, 1e6, "1",
     "memory-store GETs at the start of each turn", NULL},
    {"memory_writes", TS_PT_COUNT, AG_P(memory_writes), 0, 0, 1e6, "1",
     "memory-store PUTs (appends) at the end of each turn", NULL},
    {"context_max", TS_PT_COUNT, AG_P(context_max), 0, 1, 1e9, "200000",
     "context window: a session ends before its prompt would exceed it", NULL},
    {"end_hint", TS_PT_BOOL, AG_P(end_hint), 0, 1, 0, "true",
     "a session's last turn carries idle_ns = UINT64_MAX (never back)", NULL},
    {"hint_noise", TS_PT_DOUBLE, AG_P(hint_noise), 0, 0, 10, "0",
     "lognormal sigma of the error of the hinted idle time (0: exact)", NULL},
    {"prefetch_lead", TS_PT_DURATION, AG_P(prefetch_lead_ns), 0, 0, 8.64e15, "0",
     "emit prefetch hints for a session's blocks this long before its next turn (0: "
     "none; use with prefetch: hint)",
     NULL},
};

/* ================================ state ================================ */

enum { AG_START = 0, AG_END = 1, AG_PREFETCH = 2 }; /* a session's phases */

enum { AG_STREAM_ARRIVAL = 11, AG_STREAM_TURN = 12, AG_STREAM_MEM = 13, AG_SALT_BLOCK = 14,
       AG_SALT_MEM = 15, AG_STREAM_NOISE = 16 };

typedef struct ag_sess {
    uint32_t id;         /* stream id (1, 2, ... in order of creation) */
    bool is_sub;         /* a sub-agent (forks no further) */
    bool is_last;        /* the current turn is the last */
    uint32_t turn;       /* turns started */
    uint32_t n_turns;    /* turns it will run (fewer if the context fills) */
    uint64_t tokens;     /* context tokens written (after the last turn's output) */
    uint64_t pending;    /* tokens appended since, part of the next prompt */
    uint64_t *keys;      /* chain keys of the full blocks */
    uint32_t n_keys;     /* blocks in keys */
    uint32_t cap_keys;   /* room in keys */
    uint64_t n_old;      /* blocks the current turn reads */
    uint64_t n_end;      /* blocks after the current turn's output */
    uint64_t out_tokens; /* the current turn's output */
    uint64_t after;      /* context tokens after the current turn's output */
    uint64_t t_start, t_end, t_next; /* current turn's times, ns */
    uint64_t next_due;   /* hinted time of the next turn (T_next with noise) */
    int phase;           /* AG_* of the pending event */
} ag_sess_t;

typedef struct ag_event {
    uint64_t time_ns; /* when */
    uint64_t seq;     /* insertion order: ties */
    ag_sess_t *s;     /* whose phase */
} ag_event_t;

typedef struct agentic_gen {
    ts_reader_t base;    /* must be first */
    agentic_params_t p;  /* copy of the parameters */
    uint64_t seed;       /* the scenario seed */
    uint64_t block_salt; /* content-id salt of the block hashes */
    uint64_t mem_salt;   /* key salt of the memory store */
    uint64_t block_bytes; /* block_tokens * kv_bytes_per_token */
    uint64_t *prefix;    /* chain keys of the shared prefix's full blocks */
    uint32_t n_prefix;
    gsl_rng *rng_arr, *rng_turn, *rng_mem; /* arrivals; turns; memory-store ranks */
    gsl_rng *rng_noise;                    /* hint errors (the trace is the same without) */
    ts__zipf_t zipf;     /* memory-store ranks */
    ag_event_t *heap;    /* pending phases, min-heap on (time, seq) */
    size_t n_heap, cap_heap;
    uint64_t seq;        /* events pushed */
    uint64_t n_arrived;  /* top-level sessions started */
    double next_arrival; /* ns */
    uint32_t next_id;    /* stream id of the next session */
    ag_sess_t *cur;      /* session whose batch is being emitted; NULL between batches */
    int cur_phase;       /* its phase */
    uint64_t cur_i, cur_n; /* request index in the batch, batch length */
} agentic_gen_t;

extern const ts_reader_ops_t ts_reader_gen_agentic;

static uint64_t ag_chain(const agentic_gen_t *g, uint64_t parent, uint64_t owner, uint64_t j)
{
    return ts_mix64(parent ^ ts_mix64((owner << 32 | j) + g->block_salt));
}

/* ================================ events ================================ */

static bool ag_before(const ag_event_t *a, const ag_event_t *b)
{
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
}

static int ag_push(agentic_gen_t *g, ag_sess_t *s, int phase, uint64_t t, ts_err_t *err)
{
    if (g->n_heap == g->cap_heap) {
        size_t ncap = g->cap_heap * 2 + 16;
        ag_event_t *h = ts_realloc(g->heap, ncap * sizeof(*h));
        if (!h)
            return ts_err_set(err, TS_ENOMEM, "agentic: cannot grow the event heap to %zu",
                              ncap);
        g->heap = h;
        g->cap_heap = ncap;
    }
    s->phase = phase;
    ag_event_t e = {t, g->seq++, s};
    size_t i = g->n_heap++;
    while (i > 0 && ag_before(&e, &g->heap[(i - 1) / 2])) {
        g->heap[i] = g->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    g->heap[i] = e;
    return 0;
}

static ag_event_t ag_pop(agentic_gen_t *g)
{
    ag_event_t top = g->heap[0];
    ag_event_t e = g->heap[--g->n_heap];
    size_t i = 0, n = g->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ag_before(&g->heap[c + 1], &g->heap[c]))
            c++;
        if (!ag_before(&g->heap[c], &e))
            break;
        g->heap[i] = g->heap[c];
        i = c;
    }
    if (n)
        g->heap[i] = e;
    return top;
}

/* ================================ sessions ================================ */

static void ag_sess_free(ag_sess_t *s)
{
    if (s) {
        ts_free(s->keys);
        ts_free(s);
    }
}

static int ag_keys_reserve(ag_sess_t *s, uint64_t n, ts_err_t *err)
{
    if (n <= s->cap_keys)
        return 0;
    if (n > UINT32_MAX)
        return ts_err_set(err, TS_ERANGE, "agentic: a context of %llu blocks is too long",
                          (unsigned long long)n);
    uint64_t ncap = (uint64_t)s->cap_keys * 2 + 64;
    if (ncap < n)
        ncap = n;
    if (ncap > UINT32_MAX)
        ncap = UINT32_MAX;
    uint64_t *k = ts_realloc(s->keys, (size_t)ncap * sizeof(*k));
    if (!k)
        return ts_err_set(err, TS_ENOMEM, "agentic: cannot grow a session to %llu blocks",
                          (unsigned long long)ncap);
    s->keys = k;
    s->cap_keys = (uint32_t)ncap;
    return 0;
}

/* A new session whose context is keys[0..n_keys) and `tokens` tokens; its first prompt
 * adds user_tokens. It starts at time t. */
static int ag_spawn(agentic_gen_t *g, const uint64_t *keys, uint32_t n_keys, uint64_t tokens,
                    bool is_sub, uint64_t t, ts_err_t *err)
{
    ag_sess_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "agentic: cannot allocate a session");
    int rc = ag_keys_reserve(s, n_keys, err);
    if (rc) {
        ag_sess_free(s);
        return rc;
    }
    if (n_keys)
        memcpy(s->keys, keys, (size_t)n_keys * sizeof(*keys));
    s->n_keys = n_keys;
    s->id = g->next_id++;
    s->is_sub = is_sub;
    s->tokens = tokens;
    s->pending = g->p.user_tokens;
    double mean = is_sub ? g->p.subagent_turns : g->p.turns;
    if (!is_sub && g->p.turns_dist == AG_TURNS_FIXED)
        s->n_turns = (uint32_t)llround(mean);
    else
        s->n_turns = mean <= 1 ? 1 : gsl_ran_geometric(g->rng_turn, 1.0 / mean);
    if (s->n_turns < 1)
        s->n_turns = 1;
    rc = ag_push(g, s, AG_START, t, err);
    if (rc)
        ag_sess_free(s);
    return rc;
}

static uint64_t ag_lognormal_count(gsl_rng *r, uint64_t median, double sigma)
{
    if (median == 0)
        return 0;
    double v = sigma > 0 ? gsl_ran_lognormal(r, log((double)median), sigma) : (double)median;
    return v >= 1e15 ? (uint64_t)1e15 : (uint64_t)llround(v);
}

/* A duration in ns, at least 1. */
static uint64_t ag_lognormal_ns(gsl_rng *r, uint64_t median_ns, double sigma)
{
    uint64_t v = ag_lognormal_count(r, median_ns, sigma);
    return v ? v : 1;
}

/* A duration in ns from a double, capped at 10^15 ns (11.6 days) so that times stay far
 * from overflow whatever the rates and draws. */
static uint64_t ag_ns(double v)
{
    return !(v > 0) ? 0 : v >= 1e15 ? (uint64_t)1e15 : (uint64_t)llround(v);
}

/* Draws turn s->turn, which starts at t: its output, times, next gap and hint. */
static void ag_turn_begin(agentic_gen_t *g, ag_sess_t *s, uint64_t t)
{
    const agentic_params_t *p = &g->p;
    uint64_t b = p->block_tokens;
    uint64_t prompt = s->tokens + s->pending;
    s->n_old = s->tokens / b;
    s->out_tokens = ag_lognormal_count(g->rng_turn, p->output_tokens, p->output_sigma);
    if (s->out_tokens > p->context_max - prompt) /* prompt <= context_max: see ag_check */
        s->out_tokens = p->context_max - prompt;  /* the window stops the output */
    uint64_t after = prompt + s->out_tokens;
    s->after = after;
    s->n_end = after / b;
    uint64_t fresh = prompt - s->n_old * b; /* prompt tokens not in a cached block */
    double llm_s = (double)fresh / p->prefill_rate + (double)s->out_tokens / p->decode_rate;
    s->t_start = t;
    s->t_end = t + ag_ns(llm_s * 1e9);
    s->turn++;
    /* The next prompt adds a tool result (or a human message). */
    s->pending = ag_lognormal_count(g->rng_turn, p->tool_tokens, p->tool_tokens_sigma);
    s->is_last = s->turn >= s->n_turns || after + s->pending > p->context_max;
    if (s->is_last) {
        s->t_next = s->next_due = UINT64_MAX;
        return;
    }
    bool human = p->human_prob > 0 && ts_rng_unit(g->rng_turn) < p->human_prob;
    uint64_t gap = human ? ag_lognormal_ns(g->rng_turn, p->human_time_ns, p->human_sigma)
                         : ag_lognormal_ns(g->rng_turn, p->tool_time_ns, p->tool_sigma);
    s->t_next = s->t_end + gap;
    double hinted = (double)gap;
    if (p->hint_noise > 0)
        hinted *= gsl_ran_lognormal(g->rng_noise, 0, p->hint_noise);
    s->next_due = s->t_end + ag_ns(hinted);
}

/* idle_ns for a request of s at time t, and whether the request carries a hint. */
static bool ag_hint(const agentic_gen_t *g, const ag_sess_t *s, uint64_t t, uint64_t *idle)
{
    if (s->is_last) {
        *idle = UINT64_MAX;
        return g->p.end_hint;
    }
    *idle = s->next_due > t ? s->next_due - t : 0;
    return true;
}

/* Extends s's chain to n_end blocks (the current turn's new blocks). */
static int ag_turn_blocks(agentic_gen_t *g, ag_sess_t *s, ts_err_t *err)
{
    int rc = ag_keys_reserve(s, s->n_end, err);
    if (rc)
        return rc;
    for (uint64_t j = s->n_keys; j < s->n_end; j++) {
        uint64_t parent = j ? s->keys[j - 1] : g->block_salt;
        s->keys[j] = ag_chain(g, parent, s->id, j);
    }
    s->n_keys = (uint32_t)s->n_end;
    return 0;
}

/* When s's prefetch hints go out: lead before its next turn, not before its turn ends. */
static uint64_t ag_prefetch_time(const agentic_params_t *p, const ag_sess_t *s)
{
    return s->t_next > s->t_end + p->prefetch_lead_ns ? s->t_next - p->prefetch_lead_ns
                                                      : s->t_end;
}

/* Starts the batch of the event e. */
static int ag_batch_begin(agentic_gen_t *g, ag_event_t e, ts_err_t *err)
{
    ag_sess_t *s = e.s;
    g->cur = s;
    g->cur_phase = s->phase;
    g->cur_i = 0;
    switch (s->phase) {
    case AG_START:
        ag_turn_begin(g, s, e.time_ns);
        g->cur_n = g->p.memory_reads + s->n_old;
        return 0;
    case AG_END:
        g->cur_n = g->p.memory_writes + (s->n_end - s->n_old);
        return ag_turn_blocks(g, s, err);
    default:
        g->cur_n = s->n_keys;
        return 0;
    }
}

/* The batch of g->cur is done: schedule the session's next phase, fork, or end it. */
static int ag_batch_end(agentic_gen_t *g, ts_err_t *err)
{
    ag_sess_t *s = g->cur; /* stays current until rescheduled: an error leaves it to
                            * ag_clear */
    const agentic_params_t *p = &g->p;
    int rc = 0;
    switch (g->cur_phase) {
    case AG_START:
        rc = ag_push(g, s, AG_END, s->t_end, err);
        break;
    case AG_END:
        s->tokens = s->after;
        if (!s->is_sub && p->subagent_prob > 0 &&
            ts_rng_unit(g->rng_turn) < p->subagent_prob &&
            s->tokens + p->user_tokens <= p->context_max) /* its prompt fits the window */
            rc = ag_spawn(g, s->keys, s->n_keys, s->tokens, true, s->t_end, err);
        if (rc)
            return rc;
        if (s->is_last) {
            g->cur = NULL;
            ag_sess_free(s);
            return 0;
        }
        rc = ag_push(g, s, p->prefetch_lead_ns ? AG_PREFETCH : AG_START,
                     p->prefetch_lead_ns ? ag_prefetch_time(p, s) : s->t_next, err);
        break;
    default:
        rc = ag_push(g, s, AG_START, s->t_next, err);
        break;
    }
    if (rc == 0)
        g->cur = NULL;
    return rc;
}

/* ================================ reader ================================ */

static void ag_clear(agentic_gen_t *g)
{
    for (size_t i = 0; i < g->n_heap; i++)
        ag_sess_free(g->heap[i].s);
    g->n_heap = 0;
    ag_sess_free(g->cur);
    g->cur = NULL;
}

static void ag_rewind(agentic_gen_t *g)
{
    ag_clear(g);
    ts_rng_reseed(g->rng_arr, ts_seed_derive(g->seed, AG_STREAM_ARRIVAL));
    ts_rng_reseed(g->rng_turn, ts_seed_derive(g->seed, AG_STREAM_TURN));
    ts_rng_reseed(g->rng_mem, ts_seed_derive(g->seed, AG_STREAM_MEM));
    ts_rng_reseed(g->rng_noise, ts_seed_derive(g->seed, AG_STREAM_NOISE));
    g->seq = 0;
    g->n_arrived = 0;
    g->next_arrival = 0;
    g->next_id = 1;
}

static void ag_close(ts_reader_t *r)
{
    agentic_gen_t *g = (agentic_gen_t *)r;
    if (!g)
        return;
    ag_clear(g);
    ts_free(g->heap);
    ts_free(g->prefix);
    ts__zipf_fini(&g->zipf);
    ts_rng_destroy(g->rng_arr);
    ts_rng_destroy(g->rng_turn);
    ts_rng_destroy(g->rng_mem);
    ts_rng_destroy(g->rng_noise);
    ts_free(g);
}

static int ag_check(const agentic_params_t *p, ts_err_t *err)
{
    if (p->prefix_tokens + p->user_tokens > p->context_max)
        return ts_err_set(err, TS_EINVAL,
                          "agentic: prefix_tokens + user_tokens (%llu) exceed context_max "
                          "(%llu)",
                          (unsigned long long)(p->prefix_tokens + p->user_tokens),
                          (unsigned long long)p->context_max);
    if (p->context_max / p->block_tokens > UINT32_MAX)
        return ts_err_set(err, TS_EINVAL,
                          "agentic: context_max / block_tokens exceeds 2^32 blocks");
    if ((double)p->block_tokens * (double)p->kv_bytes_per_token > TS__MAX_SIZE)
        return ts_err_set(err, TS_EINVAL,
                          "agentic: block_tokens * kv_bytes_per_token exceeds 2^50 bytes");
    if (p->turns_dist == AG_TURNS_FIXED && p->turns != floor(p->turns))
        return ts_err_set(err, TS_EINVAL, "agentic: turns must be a whole number when "
                                          "turns_dist is fixed, not %g",
                          p->turns);
    return 0;
}

static int ag_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                   ts_err_t *err)
{
    const agentic_params_t *p = params;
    *out = NULL;
    int rc = ag_check(p, err);
    if (rc)
        return rc;
    agentic_gen_t *g = ts_calloc(1, sizeof(*g));
    if (!g)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the agentic generator");
    g->base.ops = &ts_reader_gen_agentic;
    g->p = *p;
    g->seed = ctx ? ctx->seed : 0;
    g->block_salt = ts_seed_derive(g->seed, AG_SALT_BLOCK);
    g->mem_salt = ts_seed_derive(g->seed, AG_SALT_MEM);
    g->block_bytes = p->block_tokens * p->kv_bytes_per_token;
    g->next_id = 1;
    g->rng_arr = ts_rng_create(ts_seed_derive(g->seed, AG_STREAM_ARRIVAL), err);
    g->rng_turn = g->rng_arr ? ts_rng_create(ts_seed_derive(g->seed, AG_STREAM_TURN), err)
                             : NULL;
    g->rng_mem = g->rng_turn ? ts_rng_create(ts_seed_derive(g->seed, AG_STREAM_MEM), err)
                             : NULL;
    g->rng_noise = g->rng_mem ? ts_rng_create(ts_seed_derive(g->seed, AG_STREAM_NOISE), err)
                              : NULL;
    if (!g->rng_noise) {
        rc = TS_ENOMEM;
        goto fail;
    }
    rc = ts__zipf_init(&g->zipf, p->memory_objects, p->memory_alpha, TS__ZIPF_AUTO, err);
    if (rc)
        goto fail;
    g->n_prefix = (uint32_t)(p->prefix_tokens / p->block_tokens);
    if (g->n_prefix) {
        g->prefix = ts_malloc((size_t)g->n_prefix * sizeof(*g->prefix));
        if (!g->prefix) {
            rc = ts_err_set(err, TS_ENOMEM, "agentic: cannot allocate the prefix blocks");
            goto fail;
        }
        for (uint32_t j = 0; j < g->n_prefix; j++)
            g->prefix[j] = ag_chain(g, j ? g->prefix[j - 1] : g->block_salt, 0, j);
    }
    *out = &g->base;
    return 0;
fail:
    ag_close(&g->base);
    return rc;
}

/* Fills q with request g->cur_i of the current batch. */
static void ag_emit(agentic_gen_t *g, ts_req_t *q)
{
    const ag_sess_t *s = g->cur;
    const agentic_params_t *p = &g->p;
    uint64_t i = g->cur_i++;
    memset(q, 0, sizeof(*q));
    q->next_access = TS_REQ_NEVER;
    q->stream = s->id;
    uint64_t n_mem = g->cur_phase == AG_START ? p->memory_reads
                     : g->cur_phase == AG_END ? p->memory_writes
                                              : 0;
    uint64_t t = g->cur_phase == AG_START ? s->t_start
                 : g->cur_phase == AG_END ? s->t_end
                                          : ag_prefetch_time(p, s);
    q->time_ns = t;
    if (i < n_mem) {
        uint64_t rank = ts__zipf_draw(&g->zipf, g->rng_mem);
        q->key = ts_mix64(rank ^ g->mem_salt);
        q->size_bytes = p->memory_size;
        q->op = g->cur_phase == AG_START ? TS_OP_GET : TS_OP_PUT;
        return;
    }
    uint64_t j = i - n_mem + (g->cur_phase == AG_END ? s->n_old : 0);
    q->key = s->keys[j];
    q->size_bytes = g->block_bytes;
    q->op = g->cur_phase == AG_END ? TS_OP_PUT : TS_OP_GET;
    q->flags = TS_REQ_KV;
    uint64_t idle;
    if (ag_hint(g, s, t, &idle)) {
        q->flags |= TS_REQ_HINT;
        q->idle_ns = idle;
    }
    if (g->cur_phase == AG_PREFETCH)
        q->flags |= TS_REQ_PREFETCH;
}

static int ag_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    agentic_gen_t *g = (agentic_gen_t *)r;
    for (;;) {
        if (g->cur) {
            if (g->cur_i < g->cur_n) {
                ag_emit(g, req);
                return 1;
            }
            int rc = ag_batch_end(g, err);
            if (rc)
                return rc;
            continue;
        }
        bool arrival = g->n_arrived < g->p.sessions &&
                       (g->n_heap == 0 || g->next_arrival <= (double)g->heap[0].time_ns);
        if (arrival) {
            uint64_t t = (uint64_t)llround(g->next_arrival);
            g->n_arrived++;
            g->next_arrival += gsl_ran_exponential(g->rng_arr, 1e9 / g->p.session_rate);
            uint64_t tokens = g->p.prefix_tokens;
            int rc = ag_spawn(g, g->prefix, g->n_prefix, tokens, false, t, err);
            if (rc)
                return rc;
            continue;
        }
        if (g->n_heap == 0)
            return 0;
        int rc = ag_batch_begin(g, ag_pop(g), err);
        if (rc)
            return rc;
    }
}

static int ag_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    ag_rewind((agentic_gen_t *)r);
    return 0;
}

/* Sessions: the top-level ones started (a sub-agent is part of its parent's session). */
static void ag_units(const ts_reader_t *r, ts_reader_units_t *out)
{
    out->sessions = ((const agentic_gen_t *)r)->n_arrived;
}

/* The block size, and the prefill rate the generator models itself. */
static void ag_hints(const void *params, ts_reader_hints_t *out)
{
    const agentic_params_t *p = params;
    out->block_tokens = p->block_tokens;
    out->prefill_rate = p->prefill_rate;
    out->idle_hints_exact = p->hint_noise == 0;
}

const ts_reader_ops_t ts_reader_gen_agentic = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_GENERATOR,
             .name = "agentic",
             .summary = "agent sessions: growing KV context per turn, tool-call idle hints, "
                        "sub-agents, a Zipf memory store",
             .flags = TS_READER_GENERATOR,
             .params = k_agentic_params,
             .params_count = TS_PARAM_COUNT(k_agentic_params),
             .params_size = sizeof(agentic_params_t)},
    .open = ag_open,
    .next = ag_next,
    .reset = ag_reset,
    .close = ag_close,
    .units = ag_units,
    .hints = ag_hints,
};
