/* SPDX-License-Identifier: MIT */
/*
 * stackdist.c - LRU stack distances in one pass, exact or SHARDS-sampled (see stackdist.h).
 *
 * The Fenwick tree is 1-based over times 0 .. cap-1 (tree[t + 1]); at[t] names the entry
 * whose last access is time t. When the clock reaches cap the live times are renumbered
 * 0 .. n-1 in order (the tree rebuilt in O(cap)), doubling cap when more than half of it is
 * live: each request costs O(1) amortised for that. Fixed-size SHARDS keeps a max-heap of
 * (hash, key) of the sampled keys; a deleted key's heap entry is skipped when it comes up.
 */
#include "stackdist.h"

#include <stdio.h>
#include <string.h>

#include "util/check.h"
#include "util/ktab.h"
#include "util/mem.h"

#define SD_NONE UINT32_MAX
#define SD_MIN_CAP 1024u

typedef struct sd_entry {
    uint64_t key;  /* first: the key table compares it */
    uint64_t size; /* bytes at the last access */
    uint32_t pos;  /* time of the last access; on the free list: the next free id */
    uint32_t hash; /* sample hash */
} sd_entry_t;

typedef struct sd_heap_item {
    uint64_t key;
    uint32_t hash;
} sd_heap_item_t;

struct ts_stackdist {
    bool count_bytes, is_exact;
    uint32_t threshold;
    uint64_t max_keys;
    uint64_t *capacity; /* n_cap ascending capacities */
    size_t n_cap;
    ts_ktab_t index;      /* key -> entry id */
    sd_entry_t *e;        /* entries; ids below n_e are used or on the free list */
    uint32_t n_e, cap_e, free_e;
    uint64_t n_keys;      /* keys on the stack */
    uint64_t *tree;       /* Fenwick tree, tree[1..cap] */
    uint32_t *at;         /* at[t]: entry id last accessed at time t, or SD_NONE */
    uint32_t cap, now;    /* times held; the next time */
    uint64_t total;       /* weight on the stack */
    sd_heap_item_t *heap; /* fixed-size SHARDS: max-heap by hash */
    size_t n_heap, cap_heap;
    uint64_t *n_hit, *b_hit;   /* exact: per bucket (first capacity that hits; n_cap: none);
                                * dense: per need (distance + 1), h_len of them */
    size_t h_len;
    bool is_dense;             /* exact objects mode without capacities: a histogram */
    uint64_t fp_bytes;         /* bytes of the keys at their first request */
    uint64_t n_created;        /* keys ever put on the stack */
    double *dn_hit, *db_hit;   /* sampled: the same, at the current rate */
    double n_sampled, b_sampled; /* sampled references and bytes, at the current rate */
    uint64_t n_req, bytes_req, largest;
};

/* ---- Fenwick tree ---- */

static void sd_add(ts_stackdist_t *s, uint32_t t, uint64_t delta)
{
    for (uint64_t i = (uint64_t)t + 1; i <= s->cap; i += i & (~i + 1))
        s->tree[i] += delta; /* a negative delta wraps: the sums stay right */
}

/* Weight at times 0 .. t. */
static uint64_t sd_prefix(const ts_stackdist_t *s, uint32_t t)
{
    uint64_t sum = 0;
    for (uint64_t i = (uint64_t)t + 1; i > 0; i &= i - 1)
        sum += s->tree[i];
    return sum;
}

static uint64_t sd_weight(const ts_stackdist_t *s, const sd_entry_t *e)
{
    return s->count_bytes ? e->size : 1;
}

/* The clock is at cap: renumber the live times, growing the tree when it is over half full. */
static int sd_compact(ts_stackdist_t *s, ts_err_t *err)
{
    uint32_t cap = s->cap;
    if (s->n_keys * 2 > cap) {
        if (cap > UINT32_MAX / 4)
            return ts_err_set(err, TS_ENOMEM, "the LRU stack cannot hold more than %u keys",
                              cap);
        uint32_t nc = cap * 2;
        uint64_t *tree = ts_realloc(s->tree, ((size_t)nc + 1) * sizeof(*tree));
        if (!tree)
            return ts_err_set(err, TS_ENOMEM, "cannot grow the LRU stack to %u times", nc);
        s->tree = tree;
        uint32_t *at = ts_realloc(s->at, (size_t)nc * sizeof(*at));
        if (!at)
            return ts_err_set(err, TS_ENOMEM, "cannot grow the LRU stack to %u times", nc);
        s->at = at;
        s->cap = cap = nc;
    }
    uint32_t j = 0;
    for (uint32_t t = 0; t < s->now; t++)
        if (s->at[t] != SD_NONE) {
            s->at[j] = s->at[t];
            s->e[s->at[j]].pos = j;
            j++;
        }
    for (uint32_t t = j; t < cap; t++)
        s->at[t] = SD_NONE;
    memset(s->tree, 0, ((size_t)cap + 1) * sizeof(*s->tree));
    for (uint32_t t = 0; t < j; t++)
        s->tree[t + 1] = sd_weight(s, &s->e[s->at[t]]);
    for (uint64_t i = 1; i <= cap; i++) { /* linear build: each node adds into its parent */
        uint64_t p = i + (i & (~i + 1));
        if (p <= cap)
            s->tree[p] += s->tree[i];
    }
    s->now = j;
    return 0;
}

/* ---- entries ---- */

static uint32_t sd_new_entry(ts_stackdist_t *s, ts_err_t *err)
{
    if (s->free_e != SD_NONE) {
        uint32_t id = s->free_e;
        s->free_e = s->e[id].pos;
        return id;
    }
    if (s->n_e == s->cap_e) {
        if (s->cap_e > UINT32_MAX / 2 - 1) {
            ts_err_set(err, TS_ENOMEM, "the LRU stack cannot hold more than %u keys", s->cap_e);
            return SD_NONE;
        }
        uint32_t nc = s->cap_e ? s->cap_e * 2 : SD_MIN_CAP;
        sd_entry_t *v = ts_realloc(s->e, (size_t)nc * sizeof(*v));
        if (!v) {
            ts_err_set(err, TS_ENOMEM, "cannot grow the LRU stack to %u keys", nc);
            return SD_NONE;
        }
        s->e = v;
        s->cap_e = nc;
    }
    return s->n_e++;
}

/* Takes entry id off the stack and frees it. */
static void sd_drop(ts_stackdist_t *s, uint32_t id)
{
    sd_entry_t *e = &s->e[id];
    uint64_t w = sd_weight(s, e);
    sd_add(s, e->pos, ~w + 1);
    s->at[e->pos] = SD_NONE;
    s->total -= w;
    int removed = ts_ktab_remove(&s->index, e->key, id);
    TS_ASSERT(removed == 1);
    (void)removed;
    s->n_keys--;
    e->pos = s->free_e;
    s->free_e = id;
}

/* ---- fixed-size SHARDS ---- */

static int sd_heap_push(ts_stackdist_t *s, uint64_t key, uint32_t hash, ts_err_t *err)
{
    if (s->n_heap == s->cap_heap) {
        size_t nc = s->cap_heap ? s->cap_heap * 2 : 1024;
        sd_heap_item_t *v = ts_realloc(s->heap, nc * sizeof(*v));
        if (!v)
            return ts_err_set(err, TS_ENOMEM, "cannot grow the SHARDS key heap to %zu keys", nc);
        s->heap = v;
        s->cap_heap = nc;
    }
    size_t i = s->n_heap++;
    while (i > 0 && s->heap[(i - 1) / 2].hash < hash) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = (sd_heap_item_t){.key = key, .hash = hash};
    return 0;
}

static sd_heap_item_t sd_heap_pop(ts_stackdist_t *s)
{
    sd_heap_item_t top = s->heap[0], last = s->heap[--s->n_heap];
    size_t i = 0, n = s->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && s->heap[c + 1].hash > s->heap[c].hash)
            c++;
        if (s->heap[c].hash <= last.hash)
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n)
        s->heap[i] = last;
    return top;
}

/* Over max_keys: lower the threshold to the largest sampled hash and drop the keys at it;
 * the counts so far are rescaled to the new rate. */
static void sd_shrink(ts_stackdist_t *s)
{
    while (s->n_keys > s->max_keys && s->n_heap) {
        uint32_t t = s->heap[0].hash;
        while (s->n_heap && s->heap[0].hash >= t) {
            sd_heap_item_t it = sd_heap_pop(s);
            uint32_t id = ts_ktab_find(&s->index, it.key, s->e, sizeof(*s->e));
            if (id != TS_KTAB_NONE)
                sd_drop(s, id);
        }
        double ratio = (double)t / (double)s->threshold;
        for (size_t i = 0; i <= s->n_cap; i++) {
            s->dn_hit[i] *= ratio;
            s->db_hit[i] *= ratio;
        }
        s->n_sampled *= ratio;
        s->b_sampled *= ratio;
        s->threshold = t;
    }
}

/* ---- the stack ---- */

int ts_stackdist_create(const ts_stackdist_config_t *cfg, ts_stackdist_t **out, ts_err_t *err)
{
    *out = NULL;
    if (cfg->threshold == 0 || cfg->threshold > TS_STACKDIST_P)
        return ts_err_set(err, TS_EINVAL, "a sampling threshold must be 1 to %u of %u, found %u",
                          TS_STACKDIST_P, TS_STACKDIST_P, cfg->threshold);
    bool dense = cfg->n_capacity == 0;
    if (dense && (cfg->count_bytes || cfg->threshold != TS_STACKDIST_P || cfg->max_keys))
        return ts_err_set(err, TS_EINVAL, "a miss-ratio curve needs a capacity unless it is "
                          "exact in objects mode");
    for (size_t i = 1; i < cfg->n_capacity; i++)
        if (cfg->capacity[i] <= cfg->capacity[i - 1])
            return ts_err_set(err, TS_EINVAL, "capacities must be ascending and distinct");
    ts_stackdist_t *s = ts_calloc(1, sizeof(*s));
    if (!s)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate an LRU stack");
    s->count_bytes = cfg->count_bytes;
    s->threshold = cfg->threshold;
    s->max_keys = cfg->max_keys;
    s->is_exact = cfg->threshold == TS_STACKDIST_P && cfg->max_keys == 0;
    s->n_cap = cfg->n_capacity;
    s->is_dense = dense;
    s->free_e = SD_NONE;
    s->cap = SD_MIN_CAP;
    size_t nb = dense ? 1024 : cfg->n_capacity + 1;
    s->h_len = nb;
    s->capacity = ts_malloc((cfg->n_capacity ? cfg->n_capacity : 1) * sizeof(*s->capacity));
    s->tree = ts_calloc((size_t)s->cap + 1, sizeof(*s->tree));
    s->at = ts_malloc((size_t)s->cap * sizeof(*s->at));
    if (s->is_exact) {
        s->n_hit = ts_calloc(nb, sizeof(*s->n_hit));
        s->b_hit = ts_calloc(nb, sizeof(*s->b_hit));
    } else {
        s->dn_hit = ts_calloc(nb, sizeof(*s->dn_hit));
        s->db_hit = ts_calloc(nb, sizeof(*s->db_hit));
    }
    bool ok = s->capacity && s->tree && s->at &&
              (s->is_exact ? s->n_hit && s->b_hit : s->dn_hit && s->db_hit);
    int rc = ok ? ts_ktab_init(&s->index, cfg->expected_keys ? cfg->expected_keys : 1024, err)
                : ts_err_set(err, TS_ENOMEM, "cannot allocate an LRU stack of %zu capacities",
                             cfg->n_capacity);
    if (rc) {
        ts_stackdist_destroy(s);
        return rc;
    }
    if (cfg->n_capacity) /* dense: no capacities given */
        memcpy(s->capacity, cfg->capacity, cfg->n_capacity * sizeof(*s->capacity));
    for (uint32_t t = 0; t < s->cap; t++)
        s->at[t] = SD_NONE;
    *out = s;
    return 0;
}

void ts_stackdist_destroy(ts_stackdist_t *s)
{
    if (!s)
        return;
    ts_ktab_free(&s->index);
    ts_free(s->capacity);
    ts_free(s->e);
    ts_free(s->tree);
    ts_free(s->at);
    ts_free(s->heap);
    ts_free(s->n_hit);
    ts_free(s->b_hit);
    ts_free(s->dn_hit);
    ts_free(s->db_hit);
    ts_free(s);
}

/* The first capacity index whose capacity is at least need (n_cap: none). */
static size_t sd_bucket(const ts_stackdist_t *s, uint64_t need)
{
    size_t lo = 0, hi = s->n_cap;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->capacity[mid] < need)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t sd_bucket_scaled(const ts_stackdist_t *s, double need)
{
    size_t lo = 0, hi = s->n_cap;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)s->capacity[mid] < need)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Dense mode: room in the histogram for a need up to the keys on the stack. */
static int sd_hist_room(ts_stackdist_t *s, uint64_t need, ts_err_t *err)
{
    if (need < s->h_len)
        return 0;
    size_t len = s->h_len * 2 > need ? s->h_len * 2 : (size_t)need + 1;
    uint64_t *n = ts_realloc(s->n_hit, len * sizeof(*n));
    if (!n)
        return ts_err_set(err, TS_ENOMEM, "cannot grow the stack distance histogram to %zu",
                          len);
    s->n_hit = n;
    uint64_t *b = ts_realloc(s->b_hit, len * sizeof(*b));
    if (!b)
        return ts_err_set(err, TS_ENOMEM, "cannot grow the stack distance histogram to %zu",
                          len);
    s->b_hit = b;
    memset(n + s->h_len, 0, (len - s->h_len) * sizeof(*n));
    memset(b + s->h_len, 0, (len - s->h_len) * sizeof(*b));
    s->h_len = len;
    return 0;
}

int ts_stackdist_access(ts_stackdist_t *s, const ts_req_t *r, ts_err_t *err)
{
    uint64_t key = r->key, size = r->size_bytes;
    if (r->op == TS_OP_DELETE) {
        uint32_t id = ts_ktab_find(&s->index, key, s->e, sizeof(*s->e));
        if (id == TS_KTAB_NONE)
            return 0;
        if (s->is_exact)
            return ts_err_set(err, TS_EUNSUPPORTED,
                              "key %llu is deleted while on the LRU stack: a delete frees room "
                              "only at the capacities that held it, which one pass cannot "
                              "follow exactly",
                              (unsigned long long)key);
        sd_drop(s, id);
        return 0;
    }
    s->n_req++;
    s->bytes_req += size;
    if (size > s->largest)
        s->largest = size;
    uint32_t hash = 0;
    if (!s->is_exact) {
        hash = ts_stackdist_hash(key);
        if (hash >= s->threshold)
            return 0;
        s->n_sampled += 1;
        s->b_sampled += (double)size;
    }
    if (s->now == s->cap) { /* room for this access's time first: nothing to undo */
        int rc = sd_compact(s, err);
        if (rc)
            return rc;
    }
    uint64_t w = s->count_bytes ? size : 1;
    size_t bucket = s->n_cap; /* a first access misses at every capacity */
    uint32_t id = ts_ktab_find(&s->index, key, s->e, sizeof(*s->e));
    if (id != TS_KTAB_NONE) {
        sd_entry_t *e = &s->e[id];
        if (s->is_exact && s->count_bytes && e->size != size)
            return ts_err_set(err, TS_EUNSUPPORTED,
                              "key %llu changes size from %llu to %llu bytes: the tier keeps "
                              "the size it inserted, which then depends on the capacity",
                              (unsigned long long)key, (unsigned long long)e->size,
                              (unsigned long long)size);
        uint64_t w_old = sd_weight(s, e);
        uint64_t d = s->total - sd_prefix(s, e->pos); /* the others' weight since */
        sd_add(s, e->pos, ~w_old + 1);
        s->at[e->pos] = SD_NONE;
        s->total -= w_old;
        if (s->is_dense) {
            bucket = (size_t)d + 1;
            int rc = sd_hist_room(s, bucket, err);
            if (rc) { /* put it back as it was */
                sd_add(s, e->pos, w_old);
                s->at[e->pos] = id;
                s->total += w_old;
                return rc;
            }
        } else if (s->is_exact)
            bucket = sd_bucket(s, d + w < d ? UINT64_MAX : d + w);
        else
            bucket = sd_bucket_scaled(s, (double)d * TS_STACKDIST_P / s->threshold + (double)w);
    } else {
        id = sd_new_entry(s, err);
        if (id == SD_NONE)
            return TS_ENOMEM;
        s->e[id] = (sd_entry_t){.key = key, .hash = hash};
        int rc = ts_ktab_insert(&s->index, key, id, err);
        if (rc == 0 && s->max_keys && (rc = sd_heap_push(s, key, hash, err)) != 0)
            ts_ktab_remove(&s->index, key, id);
        if (rc) {
            s->e[id].pos = s->free_e;
            s->free_e = id;
            return rc;
        }
        s->n_keys++;
        s->n_created++;
        s->fp_bytes += size;
    }
    sd_entry_t *e = &s->e[id];
    e->size = size;
    e->pos = s->now;
    s->at[s->now++] = id;
    sd_add(s, e->pos, w);
    s->total += w;
    if (s->is_exact) {
        if (!s->is_dense || bucket != s->n_cap) { /* dense: n_cap 0 marks a first access */
            s->n_hit[bucket]++;
            s->b_hit[bucket] += size;
        }
    } else {
        s->dn_hit[bucket] += 1;
        s->db_hit[bucket] += (double)size;
        if (s->max_keys && s->n_keys > s->max_keys)
            sd_shrink(s);
    }
    return 0;
}

void ts_stackdist_fold(const ts_stackdist_t *s, const uint64_t *capacity, size_t n_capacity,
                       ts_stackdist_point_t *out)
{
    uint64_t n = 0, b = 0;
    size_t need = 1;
    for (size_t i = 0; i < n_capacity; i++) {
        for (; need < s->h_len && need <= capacity[i]; need++) {
            n += s->n_hit[need];
            b += s->b_hit[need];
        }
        out[i] = (ts_stackdist_point_t){.hits = (double)n, .bytes_hit = (double)b};
    }
}

void ts_stackdist_footprint(const ts_stackdist_t *s, uint64_t *objects, uint64_t *bytes)
{
    *objects = s->n_created;
    *bytes = s->fp_bytes;
}

void ts_stackdist_points(const ts_stackdist_t *s, ts_stackdist_point_t *out)
{
    if (s->is_dense) {
        ts_stackdist_fold(s, s->capacity, s->n_cap, out);
        return;
    }
    if (s->is_exact) {
        uint64_t n = 0, b = 0;
        for (size_t i = 0; i < s->n_cap; i++) {
            n += s->n_hit[i];
            b += s->b_hit[i];
            out[i] = (ts_stackdist_point_t){.hits = (double)n, .bytes_hit = (double)b};
        }
        return;
    }
    /* SHARDS_adj: the first bucket takes the expected minus the sampled references, so the
     * buckets sum to what a sample at exactly rate R would hold; then 1/R scales up. */
    double rate = ts_stackdist_rate(s);
    double adj_n = (double)s->n_req * rate - s->n_sampled;
    double adj_b = (double)s->bytes_req * rate - s->b_sampled;
    double n = adj_n, b = adj_b;
    for (size_t i = 0; i < s->n_cap; i++) {
        n += s->dn_hit[i];
        b += s->db_hit[i];
        double hn = n / rate, hb = b / rate;
        hn = hn < 0 ? 0 : hn > (double)s->n_req ? (double)s->n_req : hn;
        hb = hb < 0 ? 0 : hb > (double)s->bytes_req ? (double)s->bytes_req : hb;
        out[i] = (ts_stackdist_point_t){.hits = hn, .bytes_hit = hb};
    }
}

uint64_t ts_stackdist_requests(const ts_stackdist_t *s)
{
    return s->n_req;
}

uint64_t ts_stackdist_bytes(const ts_stackdist_t *s)
{
    return s->bytes_req;
}

uint64_t ts_stackdist_largest(const ts_stackdist_t *s)
{
    return s->largest;
}

double ts_stackdist_rate(const ts_stackdist_t *s)
{
    return (double)s->threshold / (double)TS_STACKDIST_P;
}
