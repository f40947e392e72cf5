/* SPDX-License-Identifier: MIT */
/*
 * live_group.c - the live engine's request groups and their time to first token, measured
 * as the timed engine models it (engine_timed.c: timed_group_join, timed_group_done).
 *
 * A group is the requests up to one flagged TS_REQ_GROUP_END (an inference trace's KV block
 * reads of one LLM call); its gets join it as they are decided. It starts at the due time
 * of its first get (the live engine's latency origin) and ends when the foreground of its
 * last get has ended; its TTFT is that time plus the recompute of its missed KV blocks
 * (gets flagged TS_REQ_KV the backing store served): missed x block_tokens / prefill_rate
 * seconds. The recompute is not run on a GPU: it is the modelled prefill time, added as the
 * timed engine adds it. Groups in flight are nodes of a pool (util/pool.h): O(1) a get.
 */
#include <math.h>

#include "live_internal.h"
#include "util/pool.h"

static live_group_t *live_grp(const live_t *e, uint32_t g)
{
    return ts_pool_at(&e->grp, g);
}

int ts__live_group_join(live_t *e, uint32_t *open, uint64_t due, uint32_t *id)
{
    if (*open == LIVE_NONE) {
        uint32_t g = ts_pool_alloc(&e->grp, e->err);
        if (g == TS_POOL_NONE)
            return TS_ENOMEM;
        *live_grp(e, g) = (live_group_t){.start_ns = due};
        *open = g;
    }
    *id = *open;
    live_grp(e, *id)->pending++;
    return 0;
}

/* Group g has ended: its TTFT and its prefill tokens are counted, and its slot freed. */
static void live_group_end(live_t *e, uint32_t g)
{
    live_group_t *gr = live_grp(e, g);
    const ts_live_config_t *cfg = e->cfg;
    uint64_t recompute = 0;
    if (cfg->prefill_rate > 0 && cfg->block_tokens)
        recompute = (uint64_t)llround((double)gr->n_missed * (double)cfg->block_tokens /
                                      cfg->prefill_rate * 1e9);
    uint64_t wall = gr->last_ns > gr->start_ns ? gr->last_ns - gr->start_ns : 0;
    ts_hist_record(e->h_ttft, wall + recompute);
    e->out->m.prefill_tokens_saved += (uint64_t)gr->n_hit * cfg->block_tokens;
    e->out->m.prefill_tokens_recomputed += (uint64_t)gr->n_missed * cfg->block_tokens;
    ts_pool_release(&e->grp, g);
}

void ts__live_group_close(live_t *e, uint32_t *open)
{
    uint32_t g = *open;
    if (g == LIVE_NONE)
        return;
    *open = LIVE_NONE;
    live_grp(e, g)->ended = true;
    if (live_grp(e, g)->pending == 0) /* its gets are all done already */
        live_group_end(e, g);
}

void ts__live_group_done(live_t *e, const live_chain_t *c, uint64_t now)
{
    live_group_t *gr = live_grp(e, c->group);
    if (c->req.flags & TS_REQ_KV) {
        if (c->served == e->n)
            gr->n_missed++;
        else
            gr->n_hit++;
    }
    if (now > gr->last_ns)
        gr->last_ns = now;
    if (--gr->pending == 0 && gr->ended)
        live_group_end(e, c->group);
}
