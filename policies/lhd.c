/* SPDX-License-Identifier: MIT */
/*
 * lhd.c - LHD: Least Hit Density. Evict the sampled object expected to earn the fewest
 * hits per unit of space and time it will still occupy.
 *
 * Time counts accesses (hits and inserts). An object's age is (now - its last access)
 * >> shift (coarsened; ages at or past max_age = 20000 overflow). Its class is its hit-age
 * class: k = the number of doublings that bring (last hit age + the one before) to at least
 * 20000, at most 15; 15 for a sum of 0; a new object has sum 20000 (class 0). Each class
 * keeps, per age, EWMA counts of hits and evictions, and from them a hit density per age
 *   D[a] = sum_{x >= a} hits[x] / sum_{x >= a} sum_{y >= x} (hits[y] + evictions[y])
 * (hits still to come over the space-time still to be spent, conditioned on reaching a).
 * Decision rule:
 *   on hit:     hits[class][age] += 1; the hit ages shift (lhd <- age); last access = now
 *   on insert:  last access = now; if its density is below the EWMA of victims' densities
 *               it joins the ring of the `admissions` last such objects
 *   on both:    with probability 1/32, while the explorer budget (1% of c) lasts and in
 *               the first 50 reconfigurations, the object becomes an explorer (+1 density)
 *   on evict:   draw `samples` cached objects (8 during the first 50 reconfigurations)
 *               uniformly with replacement, and take the ring's objects still cached; the
 *               one with the lowest D[class][age] / charge leaves (an overflowed age ranks
 *               lowest; ties: the first examined); evictions[class][age] += 1
 *   every `reconfigure_every` accesses: counts *= 0.9, densities recomputed; at the 5th
 *               and 25th, shift = ceil log2(mean cached objects / (0.01 * 20000)) (at
 *               least 1) with the counts compressed or stretched to the new scale.
 * Before the first reconfiguration D[a] = (k + 17) / (a + 1), the authors' start (their
 * class index is 16 + k: application class 1 of 16).
 * Structure: the cached objects sit in a dense array of 32-byte tags (key, size, last
 * access, hit ages), which are also the index's nodes, so a draw is one random index and a
 * hit reads only its slot and its tag; removal moves the last tag into the hole. The
 * admission ring keeps each key's slot (set on insert, followed when a tag moves), so an
 * eviction examines the ring without the index. Cost:
 * O(1) per hit and insert, O(samples + admissions) per evict, O(16 * 20000) per
 * reconfiguration. Memory: a 32-byte tag per object, the index, and 3.8 MB of per-age
 * counts and densities.
 * Paper: Beckmann, Chen, Cidon, "LHD: Improving Cache Hit Rate by Maximizing Hit Density",
 * NSDI 2018; the constants are those of the authors' simulator (github.com/beckmann/cache_
 * replacement), which libCacheSim runs.
 */
#include "../sim/policy.h"

#include <float.h>
#include <stddef.h>

#include "../sim/util/mem.h"
#include "../sim/util/rng.h"
#include "lhd_internal.h"
#include "list_internal.h"
#include "mq_internal.h"

extern const ts_policy_ops_t ts_policy_lhd;

#define LHD_CLASSES 16       /* hit-age classes */
#define LHD_MAX_AGE 20000u   /* coarsened ages at or past this overflow */
#define LHD_EWMA 0.9f        /* decay of counts and of the object-count mean */
#define LHD_EXPLORE_ODDS 32u /* 1 in 32 accesses makes an explorer */
#define LHD_WARM_RECONF 50   /* reconfigurations with 8 samples and explorers */
#define LHD_WARM_SAMPLES 8u

typedef struct lhd_params {
    int64_t samples;            /* draws per eviction after warm-up */
    int64_t admissions;         /* ring of recently admitted low-density objects */
    uint64_t reconfigure_every; /* accesses between reconfigurations */
    double explorer_fraction;   /* share of the capacity explorers may hold */
} lhd_params_t;

static const ts_param_spec_t k_lhd_params[] = {
    {.name = "samples",
     .type = TS_PT_INT,
     .offset = offsetof(lhd_params_t, samples),
     .min = 1,
     .max = 4096,
     .def = "32",
     .help = "cached objects drawn at random per eviction (8 during warm-up)"},
    {.name = "admissions",
     .type = TS_PT_INT,
     .offset = offsetof(lhd_params_t, admissions),
     .min = 0,
     .max = 1024,
     .def = "8",
     .help = "recently admitted low-density objects also examined per eviction"},
    {.name = "reconfigure_every",
     .type = TS_PT_COUNT,
     .offset = offsetof(lhd_params_t, reconfigure_every),
     .min = 1,
     .max = 1e15,
     .def = "1048576",
     .help = "accesses (hits and inserts) between recomputations of the hit densities"},
    {.name = "explorer_fraction",
     .type = TS_PT_FRACTION,
     .offset = offsetof(lhd_params_t, explorer_fraction),
     .min = 0,
     .max = 1,
     .def = "0.01",
     .help = "share of the capacity that explorers (objects with a density bonus) may hold"},
};

/* A cached object: its key (the index's node), size and LHD's tag. */
typedef struct lhd_tag {
    uint64_t key;        /* must be first (ts_ktab) */
    uint64_t size_bytes; /* as inserted */
    uint64_t t;          /* last access (accesses) */
    uint16_t lh;         /* coarsened age at its last hit (0 before any) */
    uint16_t llh;        /* the hit before (LHD_MAX_AGE before any) */
    uint8_t explorer;    /* holds explorer budget */
} lhd_tag_t;

typedef struct lhd_class {
    float hits[LHD_MAX_AGE];    /* EWMA hits per coarsened age */
    float evicts[LHD_MAX_AGE];  /* EWMA evictions per coarsened age */
    float density[LHD_MAX_AGE]; /* hit density per age */
} lhd_class_t;

typedef struct lhd {
    ts_policy_t base;      /* must be first */
    ts_ktab_t index;       /* key -> slot in tags */
    lhd_tag_t *tags;       /* cached objects, [0, n) */
    uint32_t n;            /* tags in use */
    uint32_t cap;          /* tags allocated */
    uint64_t charge;       /* sum of the objects' charges */
    lhd_class_t *cls;      /* LHD_CLASSES classes */
    uint64_t *ring;        /* keys of recent low-density admissions */
    uint32_t *ring_slot;   /* each one's slot in tags while it is cached (kept so by insert
                              and lhd_drop), so an eviction reads no index */
    uint32_t n_ring;       /* ring slots (the admissions parameter) */
    uint32_t ring_head;    /* next slot to write, mod n_ring */
    uint32_t samples;      /* draws per eviction after warm-up */
    uint32_t shift;        /* age coarsening */
    uint64_t now;          /* accesses so far */
    uint64_t until_reconf; /* accesses to the next reconfiguration */
    uint64_t reconf_every; /* the parameter */
    uint64_t n_reconf;     /* reconfigurations so far */
    int64_t explorer_left; /* explorer budget, charge units */
    float ewma_victim;     /* EWMA of the victims' densities */
    float ewma_objs;       /* EWMA of the cached object count ... */
    float ewma_mass;       /* ... and of its weight */
    uint64_t rng;          /* splitmix64 state */
} lhd_t;

static inline uint64_t lhd_rand(lhd_t *l)
{
    l->rng += 0x9e3779b97f4a7c15ULL;
    return ts_mix64(l->rng);
}

/* The slot of key's tag, TS_KTAB_NONE when not cached. */
static inline uint32_t lhd_find(const lhd_t *l, uint64_t key)
{
    return ts_ktab_find(&l->index, key, l->tags, sizeof(lhd_tag_t));
}

static inline uint64_t lhd_charge(const lhd_t *l, const lhd_tag_t *g)
{
    return ts_policy_charge(&l->base, g->size_bytes);
}

/* Doublings of sum to reach LHD_MAX_AGE, at most 15; 15 for 0. */
static inline uint32_t lhd_age_class(uint32_t sum)
{
    if (sum == 0)
        return LHD_CLASSES - 1;
    if (sum >= LHD_MAX_AGE)
        return 0;
    /* sum << k has the top bit of LHD_MAX_AGE; one more doubling when still below it. */
    uint32_t k = (uint32_t)(__builtin_clz(sum) - __builtin_clz(LHD_MAX_AGE));
    k += (sum << k) < LHD_MAX_AGE;
    return k < LHD_CLASSES - 1 ? k : LHD_CLASSES - 1;
}

static inline uint32_t lhd_class_of(const lhd_tag_t *g)
{
    return lhd_age_class((uint32_t)g->lh + g->llh);
}

/* Coarsened age, LHD_MAX_AGE - 1 when it overflows. */
static inline uint32_t lhd_age(const lhd_t *l, const lhd_tag_t *g)
{
    uint64_t a = (l->now - g->t) >> l->shift;
    return a >= LHD_MAX_AGE ? LHD_MAX_AGE - 1 : (uint32_t)a;
}

static inline float lhd_rank(const lhd_t *l, const lhd_tag_t *g)
{
    uint32_t a = lhd_age(l, g);
    if (a == LHD_MAX_AGE - 1)
        return -FLT_MAX;
    float d = l->cls[lhd_class_of(g)].density[a] / (float)lhd_charge(l, g);
    return g->explorer ? d + 1.0f : d;
}

/* Key now sits in tags[slot]: the ring's entries for it follow (the ring is a few keys). */
static inline void lhd_ring_moved(lhd_t *l, uint64_t key, uint32_t slot)
{
    for (uint32_t i = 0; i < l->n_ring; i++)
        if (l->ring[i] == key)
            l->ring_slot[i] = slot;
}

static void lhd_destroy(ts_policy_t *p)
{
    lhd_t *l = (lhd_t *)p;
    if (!l)
        return;
    ts_free(l->ring);
    ts_free(l->ring_slot);
    ts_free(l->cls);
    ts_free(l->tags);
    ts_ktab_free(&l->index);
    ts_free(l);
}

static int lhd_create(const void *params, const ts_policy_init_t *init, ts_policy_t **out,
                      ts_err_t *err)
{
    lhd_params_t lp;
    *out = NULL;
    int rc = ts__mq_params(&ts_policy_lhd, params, &lp, sizeof(lp), err);
    if (rc)
        return rc;
    if (lp.samples < 1 || lp.samples > 4096 || lp.admissions < 0 || lp.admissions > 1024 ||
        lp.reconfigure_every < 1 || !(lp.explorer_fraction >= 0 && lp.explorer_fraction <= 1))
        return ts_err_set(err, TS_EINVAL,
                          "lhd: samples must lie in 1..4096, admissions in 0..1024, "
                          "reconfigure_every at least 1 access, explorer_fraction in [0, 1]");
    lhd_t *l = ts_calloc(1, sizeof(*l));
    if (!l)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate lhd");
    ts_policy_base_init(&l->base, &ts_policy_lhd, init);
    l->samples = (uint32_t)lp.samples;
    l->n_ring = (uint32_t)lp.admissions;
    l->shift = 10;
    l->reconf_every = l->until_reconf = lp.reconfigure_every;
    l->explorer_left = (int64_t)((double)init->capacity * lp.explorer_fraction);
    l->rng = ts_seed_derive(init->seed, 0x4c4844); /* "LHD" */
    uint64_t hint = init->count_objects && init->capacity < (1u << 26) ? init->capacity : 1024;
    l->cap = (uint32_t)hint + 1;
    if ((rc = ts_ktab_init(&l->index, hint, err)))
        goto fail;
    l->tags = ts_malloc((size_t)l->cap * sizeof(*l->tags));
    l->cls = ts_malloc(LHD_CLASSES * sizeof(*l->cls));
    l->ring = ts_malloc((l->n_ring ? l->n_ring : 1) * sizeof(*l->ring));
    l->ring_slot = ts_malloc((l->n_ring ? l->n_ring : 1) * sizeof(*l->ring_slot));
    if (!l->tags || !l->cls || !l->ring || !l->ring_slot) {
        rc = ts_err_set(err, TS_ENOMEM, "lhd: cannot allocate %u tags and %zu bytes of classes",
                        l->cap, LHD_CLASSES * sizeof(*l->cls));
        goto fail;
    }
    for (uint32_t k = 0; k < LHD_CLASSES; k++) {
        lhd_class_t *c = &l->cls[k];
        for (uint32_t a = 0; a < LHD_MAX_AGE; a++) {
            c->hits[a] = c->evicts[a] = 0;
            c->density[a] = (float)(k + 17) / (float)(a + 1);
        }
    }
    for (uint32_t i = 0; i < l->n_ring; i++) {
        l->ring[i] = UINT64_MAX; /* empty slot (examining a cached key is harmless) */
        l->ring_slot[i] = UINT32_MAX;
    }
    *out = &l->base;
    return 0;
fail:
    lhd_destroy(&l->base);
    return rc;
}

/* ---- reconfiguration: decay, age coarsening, hit densities ---- */

static void lhd_coarsen(lhd_t *l)
{
    l->ewma_objs = l->ewma_objs * LHD_EWMA + (float)l->n;
    l->ewma_mass = l->ewma_mass * LHD_EWMA + 1.0f;
    if (l->n_reconf != 5 && l->n_reconf != 25)
        return;
    float optimal = l->ewma_objs / l->ewma_mass / (0.01f * (float)LHD_MAX_AGE);
    uint32_t s = 1;
    while (s < 40 && (float)(1ull << s) < optimal)
        s++;
    int delta = (int)s - (int)l->shift;
    l->shift = s;
    l->ewma_objs *= 8;
    l->ewma_mass *= 8;
    for (uint32_t k = 0; k < LHD_CLASSES && delta < 0; k++) {
        float *h = l->cls[k].hits, *e = l->cls[k].evicts;
        uint32_t d = (uint32_t)-delta, f = 1u << d;
        for (uint32_t a = LHD_MAX_AGE >> d; a < LHD_MAX_AGE - 1; a++) {
            h[LHD_MAX_AGE - 1] += h[a];
            e[LHD_MAX_AGE - 1] += e[a];
        }
        for (uint32_t a = LHD_MAX_AGE - 1; a-- > 0;) {
            h[a] = h[a >> d] / (float)f;
            e[a] = e[a >> d] / (float)f;
        }
    }
    for (uint32_t k = 0; k < LHD_CLASSES && delta > 0; k++) {
        float *h = l->cls[k].hits, *e = l->cls[k].evicts;
        uint32_t d = (uint32_t)delta;
        for (uint32_t a = 0; a < LHD_MAX_AGE >> d; a++) {
            float hs = 0, es = 0;
            for (uint32_t i = 0; i < (1u << d); i++) {
                hs += h[(a << d) + i];
                es += e[(a << d) + i];
            }
            h[a] = hs;
            e[a] = es;
        }
        for (uint32_t a = LHD_MAX_AGE >> d; a < LHD_MAX_AGE - 1; a++)
            h[a] = e[a] = 0;
    }
}

void ts__lhd_model(const float *hits, const float *evicts, float *density, uint32_t n_ages)
{
    float events = hits[n_ages - 1] + evicts[n_ages - 1];
    float h = hits[n_ages - 1];
    float life = events;
    for (uint32_t a = n_ages - 1; a-- > 0;) {
        h += hits[a];
        events += hits[a] + evicts[a];
        life += events;
        density[a] = events > 1e-5f ? h / life : 0.0f;
    }
}

static void lhd_reconfigure(lhd_t *l)
{
    for (uint32_t k = 0; k < LHD_CLASSES; k++)
        for (uint32_t a = 0; a < LHD_MAX_AGE; a++) {
            l->cls[k].hits[a] *= LHD_EWMA;
            l->cls[k].evicts[a] *= LHD_EWMA;
        }
    lhd_coarsen(l);
    for (uint32_t k = 0; k < LHD_CLASSES; k++)
        ts__lhd_model(l->cls[k].hits, l->cls[k].evicts, l->cls[k].density, LHD_MAX_AGE);
}

/* An access to the object of tag g (a hit or its insert): explorer draw, clock, and the
 * periodic reconfiguration. Returns whether the draw chose exploration. */
static bool lhd_access(lhd_t *l, lhd_tag_t *g, uint64_t charge)
{
    g->t = l->now;
    bool explore = (lhd_rand(l) % LHD_EXPLORE_ODDS) == 0;
    g->explorer = explore && l->explorer_left > 0 && l->n_reconf < LHD_WARM_RECONF;
    if (g->explorer)
        l->explorer_left -= (int64_t)charge;
    return explore;
}

static void lhd_tick(lhd_t *l)
{
    l->now++;
    if (--l->until_reconf == 0) {
        lhd_reconfigure(l);
        l->until_reconf = l->reconf_every;
        l->n_reconf++;
    }
}

static bool lhd_lookup(ts_policy_t *p, const ts_req_t *r, bool touch)
{
    lhd_t *l = (lhd_t *)p;
    uint32_t slot = lhd_find(l, r->key);
    if (slot == TS_KTAB_NONE)
        return false;
    if (!touch)
        return true;
    lhd_tag_t *g = &l->tags[slot];
    uint64_t charge = lhd_charge(l, g);
    uint32_t age = lhd_age(l, g);
    l->cls[lhd_class_of(g)].hits[age] += 1;
    if (g->explorer)
        l->explorer_left += (int64_t)charge;
    g->llh = g->lh;
    g->lh = (uint16_t)age;
    lhd_access(l, g, charge);
    lhd_tick(l);
    return true;
}

static int lhd_insert(ts_policy_t *p, const ts_req_t *r, ts_err_t *err)
{
    lhd_t *l = (lhd_t *)p;
    if (l->n == l->cap) {
        uint32_t cap = l->cap * 2;
        lhd_tag_t *d = ts_realloc(l->tags, (size_t)cap * sizeof(*d));
        if (!d)
            return ts_err_set(err, TS_ENOMEM, "lhd: cannot grow to %u tags", cap);
        l->tags = d;
        l->cap = cap;
    }
    if (ts_ktab_insert(&l->index, r->key, l->n, err))
        return TS_ENOMEM;
    uint64_t charge = ts_policy_charge(p, r->size_bytes);
    l->charge += charge;
    uint32_t slot = l->n++;
    lhd_tag_t *g = &l->tags[slot];
    *g = (lhd_tag_t){.key = r->key, .size_bytes = r->size_bytes, .lh = 0, .llh = LHD_MAX_AGE};
    lhd_ring_moved(l, r->key, slot);
    bool explore = lhd_access(l, g, charge);
    if (!explore && l->n_ring && lhd_rank(l, g) < l->ewma_victim) {
        uint32_t i = l->ring_head++ % l->n_ring;
        l->ring[i] = r->key;
        l->ring_slot[i] = slot;
    }
    lhd_tick(l);
    return 0;
}

/* Drops the tag in slot; the last tag takes its place (and its index entry). */
static void lhd_drop(lhd_t *l, uint32_t slot, ts_victim_t *out)
{
    lhd_tag_t *g = &l->tags[slot];
    if (out) {
        out->key = g->key;
        out->size_bytes = g->size_bytes;
    }
    uint64_t charge = lhd_charge(l, g);
    if (g->explorer)
        l->explorer_left += (int64_t)charge;
    TS_ASSERT(l->charge >= charge);
    l->charge -= charge;
    int removed = ts_ktab_remove(&l->index, g->key, slot);
    TS_ASSERT(removed == 1);
    uint32_t last = --l->n;
    if (slot == last)
        return;
    *g = l->tags[last];
    lhd_ring_moved(l, g->key, slot);
    removed = ts_ktab_remove(&l->index, g->key, last);
    TS_ASSERT(removed == 1);
    (void)removed;
    /* The table holds two keys fewer than before this call, so it does not grow and the
     * insert cannot fail. */
    int rc = ts_ktab_insert(&l->index, g->key, slot, NULL);
    TS_ASSERT(rc == 0);
    (void)rc;
}

/* Examines slot s: best and best_rank keep the lowest rank (the first on ties). */
static inline void lhd_consider(const lhd_t *l, uint32_t s, uint32_t *best, float *best_rank)
{
    float rk = lhd_rank(l, &l->tags[s]);
    if (rk < *best_rank) {
        *best = s;
        *best_rank = rk;
    }
}

static int lhd_evict(ts_policy_t *p, const ts_req_t *r, ts_victim_t *out)
{
    lhd_t *l = (lhd_t *)p;
    (void)r;
    if (l->n == 0)
        return TS_ENOENT;
    uint32_t m = l->n_reconf > LHD_WARM_RECONF ? l->samples : LHD_WARM_SAMPLES;
    uint32_t best = 0, draw[64];
    float best_rank = FLT_MAX;
    /* Draw a batch first and prefetch its tags, so the cache misses overlap. */
    for (uint32_t done = 0; done < m; done += 64) {
        uint32_t k = m - done < 64 ? m - done : 64;
        for (uint32_t i = 0; i < k; i++) {
            draw[i] = ts__draw_below(&l->rng, l->n);
            __builtin_prefetch(&l->tags[draw[i]]);
        }
        for (uint32_t i = 0; i < k; i++)
            lhd_consider(l, draw[i], &best, &best_rank);
    }
    for (uint32_t i = 0; i < l->n_ring; i++) {
        uint32_t s = l->ring_slot[i]; /* its slot if it is still cached */
        if (s < l->n && l->tags[s].key == l->ring[i])
            lhd_consider(l, s, &best, &best_rank);
    }
    l->ewma_victim = LHD_EWMA * l->ewma_victim + (1 - LHD_EWMA) * best_rank;
    lhd_tag_t *g = &l->tags[best];
    l->cls[lhd_class_of(g)].evicts[lhd_age(l, g)] += 1;
    lhd_drop(l, best, out);
    return 0;
}

static bool lhd_remove(ts_policy_t *p, uint64_t key, ts_victim_t *out)
{
    lhd_t *l = (lhd_t *)p;
    uint32_t slot = lhd_find(l, key);
    if (slot == TS_KTAB_NONE)
        return false;
    lhd_drop(l, slot, out);
    return true;
}

static size_t lhd_mem_bytes(const ts_policy_t *p)
{
    const lhd_t *l = (const lhd_t *)p;
    return sizeof(*l) + ts_ktab_bytes(&l->index) + (size_t)l->cap * sizeof(*l->tags) +
           LHD_CLASSES * sizeof(*l->cls) +
           (l->n_ring ? l->n_ring : 1) * (sizeof(*l->ring) + sizeof(*l->ring_slot));
}

static void lhd_prefetch(const ts_policy_t *p, uint64_t key, int stage)
{
    const lhd_t *l = (const lhd_t *)p;
    if (stage == 0)
        ts_ktab_prefetch(&l->index, key);
    else
        ts_ktab_prefetch_node(&l->index, key, l->tags, sizeof(lhd_tag_t));
}

/* One index key per tag, the shift in range; walking: the index, and each tag found at its
 * slot, accessed no later than now, hit ages in range, the objects' charge, and the slot
 * each admission ring entry keeps for a cached key. */
static int lhd_check(const ts_policy_t *p, uint64_t n_objects, uint64_t charge, bool full,
                     ts_err_t *err)
{
    const lhd_t *l = (const lhd_t *)p;
    if (l->index.n != l->n)
        return ts_err_set(err, TS_EINTERNAL, "lhd: the index holds %llu keys, the tags %u",
                          (unsigned long long)l->index.n, l->n);
    if (l->shift < 1 || l->shift > 40)
        return ts_err_set(err, TS_EINTERNAL, "lhd: age coarsening shift %u out of 1..40", l->shift);
    if (!full)
        return ts__held_check(p, l->n, l->charge, n_objects, charge, err);
    int rc = ts_ktab_check(&l->index, err);
    if (rc) {
        ts_err_prefix(err, "lhd");
        return rc;
    }
    uint64_t sum = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        const lhd_tag_t *g = &l->tags[i];
        if (lhd_find(l, g->key) != i || g->t > l->now || g->lh >= LHD_MAX_AGE ||
            g->llh > LHD_MAX_AGE)
            return ts_err_set(err, TS_EINTERNAL,
                              "lhd: tag %u (accessed at %llu of %llu accesses, hit ages %u and "
                              "%u) is not indexed at its slot or out of range",
                              i, (unsigned long long)g->t, (unsigned long long)l->now, g->lh,
                              g->llh);
        sum += lhd_charge(l, g);
    }
    if (sum != l->charge)
        return ts_err_set(err, TS_EINTERNAL, "lhd: counts %llu units, its objects %llu",
                          (unsigned long long)l->charge, (unsigned long long)sum);
    for (uint32_t i = 0; i < l->n_ring; i++) {
        uint32_t s = lhd_find(l, l->ring[i]);
        if (s != TS_KTAB_NONE && s != l->ring_slot[i])
            return ts_err_set(err, TS_EINTERNAL, "lhd: admission ring entry %u names slot %u, "
                              "its object is in slot %u", i, l->ring_slot[i], s);
    }
    return ts__held_check(p, l->n, sum, n_objects, charge, err);
}

const ts_policy_ops_t ts_policy_lhd = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_POLICY,
             .name = "lhd",
             .summary = "LHD: of 32 sampled objects, evicts the lowest hit density (expected "
                        "hits per space-time) learned per age and hit-age class",
             .params = k_lhd_params,
             .params_count = TS_PARAM_COUNT(k_lhd_params),
             .params_size = sizeof(lhd_params_t)},
    .create = lhd_create,
    .destroy = lhd_destroy,
    .lookup = lhd_lookup,
    .insert = lhd_insert,
    .evict = lhd_evict,
    .remove = lhd_remove,
    .mem_bytes = lhd_mem_bytes,
    .prefetch = lhd_prefetch,
    .check = lhd_check,
};
