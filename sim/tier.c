/* SPDX-License-Identifier: MIT */
/*
 * tier.c - capacity accounting and counters around one policy (see tier.h).
 * The loop follows the usual simulator shape: lookup, admit, evict until it fits, insert.
 * Debug builds check the tier's invariants and the policy's (its check op) after every
 * operation that changes them (tier_assert; docs/invariants.md).
 */
#include "tier.h"

#include <stdio.h>
#include <string.h>

#include "util/check.h"
#include "util/mem.h"

/* Debug builds: the accounting holds after every operation (used <= capacity; objects mode
 * charges 1 per object, bytes mode the bytes in minus the bytes out; every lookup counted as
 * a hit or a miss; inserts cover what left and what stays), and the policy agrees with it:
 * counters only, or a walk of its whole structure when expensive checks are on. */
static void tier_assert(const ts_tier_t *t)
{
    if (!TS_CHECK_ON)
        return;
    const ts_tier_stats_t *st = &t->st;
    TS_ASSERT(t->used <= t->capacity);
    TS_ASSERT(t->used <= st->used_peak);
    TS_ASSERT(st->n_hit + st->n_miss == st->n_req);
    TS_ASSERT(st->n_insert >= st->n_evict + st->n_removed + t->n_objects);
    TS_ASSERT(t->count_objects ? t->used == t->n_objects
                               : t->used == st->bytes_in - st->bytes_out);
    const ts_policy_t *p = t->policy;
    if (p->ops->check) {
        ts_err_t e = {0};
        if (p->ops->check(p, t->n_objects, t->used, ts_check_expensive(), &e) != 0)
            ts_check_fail(__FILE__, __LINE__, e.msg);
    }
}

int ts_tier_create(const char *name, const ts_policy_ops_t *ops, const void *params,
                   const ts_policy_init_t *init, ts_tier_t **out, ts_err_t *err)
{
    *out = NULL;
    ts_tier_t *t = ts_calloc(1, sizeof(*t));
    if (!t)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate tier %s", name);
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->capacity = init->capacity;
    t->count_objects = init->count_objects;
    int rc = ops->create(params, init, &t->policy, err);
    if (rc) {
        ts_err_prefix(err, "tier %s: policy %s", name, ops->base.name);
        ts_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void ts_tier_destroy(ts_tier_t *t)
{
    if (!t)
        return;
    ts_policy_destroy(t->policy);
    ts_free(t);
}

bool ts_tier_lookup(ts_tier_t *t, const ts_req_t *r)
{
    ts_tier_stats_t *st = &t->st;
    st->n_req++;
    st->bytes_req += r->size_bytes;
    st->n_get += r->op == TS_OP_GET;
    st->n_put += r->op == TS_OP_PUT;
    st->n_delete += r->op == TS_OP_DELETE;
    bool hit = t->policy->ops->lookup(t->policy, r, true);
    if (hit) {
        st->n_hit++;
        st->bytes_hit += r->size_bytes;
    } else {
        st->n_miss++;
        st->bytes_miss += r->size_bytes;
    }
    tier_assert(t);
    return hit;
}

void ts_tier_count_gets(ts_tier_t *t, uint64_t n, uint64_t bytes, uint64_t hits,
                        uint64_t hit_bytes)
{
    ts_tier_stats_t *st = &t->st;
    st->n_req += n;
    st->n_get += n;
    st->bytes_req += bytes;
    st->n_hit += hits;
    st->bytes_hit += hit_bytes;
    st->n_miss += n - hits;
    st->bytes_miss += bytes - hit_bytes;
    tier_assert(t);
}

int ts_tier_fill(ts_tier_t *t, const ts_req_t *r, ts_tier_evict_fn on_evict, void *ctx,
                 bool *inserted, ts_err_t *err)
{
    ts_policy_t *p = t->policy;
    uint64_t charge = ts_tier_charge(t, r->size_bytes);
    *inserted = false;
    if (charge > t->capacity) {
        t->st.n_too_large++;
        return 0;
    }
    /* Full in objects mode: one victim makes the room; the policy may do both at once. */
    if (t->count_objects && t->used == t->capacity && p->ops->replace && !on_evict) {
        ts_victim_t v;
        int rc = p->ops->replace(p, r, &v);
        if (rc == 0) {
            t->st.n_evict++;
            t->st.bytes_out += v.size_bytes;
            t->st.n_insert++;
            t->st.bytes_in += r->size_bytes;
            *inserted = true;
            tier_assert(t);
            return 0;
        }
        if (rc != TS_EUNSUPPORTED)
            return ts_err_set(err, TS_EINTERNAL,
                              "tier %s: policy %s has nothing to evict while %llu of %llu "
                              "units are in use",
                              t->name, p->ops->base.name, (unsigned long long)t->used,
                              (unsigned long long)t->capacity);
    }
    while (t->used + charge > t->capacity) {
        ts_victim_t v;
        if (p->ops->evict(p, r, &v) != 0)
            return ts_err_set(err, TS_EINTERNAL,
                              "tier %s: policy %s has nothing to evict while %llu of %llu "
                              "units are in use",
                              t->name, p->ops->base.name, (unsigned long long)t->used,
                              (unsigned long long)t->capacity);
        TS_ASSERT(t->n_objects > 0 && t->used >= ts_tier_charge(t, v.size_bytes));
        t->used -= ts_tier_charge(t, v.size_bytes);
        t->n_objects--;
        t->st.n_evict++;
        t->st.bytes_out += v.size_bytes;
        if (on_evict)
            on_evict(ctx, t, &v);
    }
    int rc = p->ops->insert(p, r, err);
    if (rc) {
        ts_err_prefix(err, "tier %s", t->name);
        tier_assert(t); /* a failed insert leaves the policy as it was */
        return rc;
    }
    t->used += charge;
    t->n_objects++;
    t->st.n_insert++;
    t->st.bytes_in += r->size_bytes;
    if (t->used > t->st.used_peak)
        t->st.used_peak = t->used;
    *inserted = true;
    tier_assert(t);
    return 0;
}

bool ts_tier_take(ts_tier_t *t, uint64_t key, ts_victim_t *out)
{
    ts_victim_t v;
    if (!t->policy->ops->remove(t->policy, key, &v))
        return false;
    TS_ASSERT(v.key == key && t->n_objects > 0 && t->used >= ts_tier_charge(t, v.size_bytes));
    t->used -= ts_tier_charge(t, v.size_bytes);
    t->n_objects--;
    t->st.bytes_out += v.size_bytes;
    if (out)
        *out = v;
    tier_assert(t);
    return true;
}

bool ts_tier_remove(ts_tier_t *t, uint64_t key)
{
    if (!ts_tier_take(t, key, NULL))
        return false;
    t->st.n_removed++;
    return true;
}
