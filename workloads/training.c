/* SPDX-License-Identifier: MIT */
/*
 * training.c - data-parallel training I/O as DLIO and MLPerf Storage model it: shuffled
 * epochs over a sample dataset read by R = nodes x gpus_per_node ranks in batches, steps
 * timed by an emulated accelerator's per-batch compute time, checkpoints and restarts.
 *
 * Keys: sample s (0 <= s < samples) is key s; a file groups samples_per_file consecutive
 * samples and only matters to `shuffle: file`. Checkpoint chunks have bit 63 set:
 * 1<<63 | is_local<<62 | version<<40 | rank<<20 | chunk (version < 2^22, rank and chunk
 * < 2^20). Every request's stream is its rank.
 * Order: epoch e reads a permutation of the shuffle units (samples, or files) given by a
 * keyed Feistel network over [0, U) with cycle walking (an exact bijection, O(1) memory);
 * its round keys are GSL taus2 draws from a stream seeded by (scenario seed, epoch).
 * shard global: position p of the epoch's permuted sequence goes to rank p mod R (as
 * PyTorch's DistributedSampler does); shard rank: rank r owns a fixed balanced range of
 * units and permutes only those. Rank r's batch for step s of an epoch is its positions
 * [s*batch, (s+1)*batch); steps per epoch = ceil(max rank share / batch).
 * Time: step k starts at t_k and lasts `compute`; the reads of batch k are issued at the
 * start of step k - prefetch (all of batches 0..prefetch at a (re)start). At the end of
 * step k, when (k+1) % ckpt_every == 0, each rank PUTs its shard of the checkpoint
 * (model_params x bytes_per_param / R bytes, in ckpt_chunk pieces), then training pauses
 * ckpt_pause; with ckpt_local the PUTs go to local keys and are drained after the pause
 * (GET local + PUT remote per chunk) while the next step runs. `restarts` failures happen
 * when progress first reaches i * steps / (restarts + 1); each reads the latest checkpoint
 * (GETs of the remote keys) and training resumes from its step, replaying lost steps.
 * `requests` > 0 replaces `epochs` by as many as reading that many samples takes, and
 * ends the trace after that many requests.
 * Cost: O(1) per request (a Feistel evaluation, about 4 rounds x cycle walks < 4 on
 * average); open counts the requests in O(ranks), or O(steps) with restarts.
 */
#include <stdio.h>
#include <string.h>

#include "../sim/util/mem.h"
#include "gen_internal.h"

/* ================================ presets ================================ */

enum train_workload { TW_UNET3D = 0, TW_RESNET50 = 1, TW_COSMOFLOW = 2, TW_CUSTOM = 3 };
enum train_accel { TA_A100 = 0, TA_H100 = 1, TA_COUNT_ = 2 };
enum train_shuffle { TSH_SAMPLE = 0, TSH_FILE = 1, TSH_NONE = 2 };
enum train_shard { TSD_GLOBAL = 0, TSD_RANK = 1 };

static const char *const k_train_workloads[] = {"unet3d", "resnet50", "cosmoflow", "custom", NULL};
static const char *const k_train_accels[] = {"a100", "h100", NULL};
static const char *const k_train_shuffles[] = {"sample", "file", "none", NULL};
static const char *const k_train_shards[] = {"global", "rank", NULL};

/* MLPerf Storage's DLIO workload configs (github.com/mlcommons/storage,
 * configs/dlio/workload/<name>_<accel>.yaml, commit caa90c9 of 2025-06-13, read 2026-12-07):
 * record_length_bytes, num_files_train x num_samples_per_file, read_threads, and per
 * accelerator batch_size and computation_time (seconds/batch). */
typedef struct train_preset {
    uint64_t samples;          /* num_files_train x num_samples_per_file */
    uint64_t sample_bytes;     /* record_length (mean) */
    uint64_t samples_per_file; /* num_samples_per_file */
    uint64_t read_threads;     /* reader.read_threads */
    uint64_t batch[TA_COUNT_];
    uint64_t compute_ns[TA_COUNT_];
    double au_target; /* MLPerf Storage's pass threshold for the workload's AU */
} train_preset_t;

static const train_preset_t k_train_presets[] = {
    [TW_UNET3D] = {168, 146600628, 1, 4, {7, 7}, {636000000, 323000000}, 0.90},
    [TW_RESNET50] = {1024 * 1251, 114660, 1251, 8, {400, 400}, {435000000, 224000000}, 0.90},
    [TW_COSMOFLOW] = {524288, 2828486, 1, 4, {1, 1}, {5510000, 3500000}, 0.70},
};
#define TRAIN_READ_THREADS_CUSTOM 4 /* read_threads of workload custom left at 0 */


/* ================================ parameters ================================ */

typedef struct train_params {
    int workload;              /* enum train_workload: defaults of the zero fields below */
    int accel;                 /* enum train_accel */
    uint64_t samples;          /* dataset size; 0: preset */
    uint64_t sample_bytes;     /* fixed size, lognormal median; 0: preset */
    int size_dist;             /* enum ts__size_dist */
    uint64_t size_min_bytes;   /* uniform/lognormal lower bound, pareto scale */
    uint64_t size_max_bytes;   /* upper bound */
    double size_sigma;         /* lognormal sd of ln(size) */
    double size_alpha;         /* pareto shape */
    uint64_t samples_per_file; /* 0: preset */
    int shuffle;               /* enum train_shuffle */
    int shard;                 /* enum train_shard */
    uint64_t epochs;
    uint64_t nodes;
    uint64_t gpus_per_node;
    uint64_t batch;      /* samples per rank per step; 0: preset */
    uint64_t prefetch;   /* batches read ahead of the one being computed */
    uint64_t read_threads; /* data-loader workers per rank: reads in flight (timed.depth) */
    uint64_t compute_ns; /* per-batch compute time; 0: preset */
    uint64_t ckpt_every; /* steps between checkpoints; 0: none */
    uint64_t model_params;
    uint64_t bytes_per_param;
    uint64_t ckpt_chunk_bytes;
    bool ckpt_local;
    uint64_t ckpt_pause_ns;
    uint64_t restarts;
    uint64_t requests; /* cut the trace here; 0: the whole run */
} train_params_t;

/* read_threads as given, else the preset's (custom: TRAIN_READ_THREADS_CUSTOM). */
static uint64_t train_read_threads(const train_params_t *p);

#define TP(f) offsetof(train_params_t, f)

static const ts_param_spec_t k_train_params[] = {
    {"workload", TS_PT_ENUM, TP(workload), 0, 1, 0, "unet3d",
     "MLPerf Storage workload whose DLIO config gives the zero parameters below (custom: none)",
     k_train_workloads},
    {"accelerator", TS_PT_ENUM, TP(accel), 0, 1, 0, "h100",
     "emulated accelerator: picks the preset's batch and per-batch compute time", k_train_accels},
    {"samples", TS_PT_COUNT, TP(samples), 0, 0, 1099511627776.0, "0",
     "samples in the dataset (0: the preset's)", NULL},
    {"sample_size", TS_PT_SIZE, TP(sample_bytes), 0, 0, TS__MAX_SIZE, "0",
     "sample size (fixed), median (lognormal); 0: the preset's mean record length", NULL},
    {"size_dist", TS_PT_ENUM, TP(size_dist), 0, 1, 0, "fixed",
     "sample size distribution, a fixed function of the sample", ts__size_dist_names},
    {"size_min", TS_PT_SIZE, TP(size_min_bytes), 0, 0, TS__MAX_SIZE, "1KiB",
     "smallest sample (uniform, lognormal) and scale (pareto)", NULL},
    {"size_max", TS_PT_SIZE, TP(size_max_bytes), 0, 0, TS__MAX_SIZE, "1GiB",
     "largest sample (uniform, lognormal, pareto)", NULL},
    {"size_sigma", TS_PT_DOUBLE, TP(size_sigma), 0, 0, 20, "0.5",
     "lognormal: standard deviation of ln(sample size)", NULL},
    {"size_alpha", TS_PT_DOUBLE, TP(size_alpha), 0, 0.01, 100, "1.5", "pareto: shape (tail index)",
     NULL},
    {"samples_per_file", TS_PT_COUNT, TP(samples_per_file), 0, 0, 1e9, "0",
     "samples stored together in one file (0: the preset's); used by shuffle: file", NULL},
    {"shuffle", TS_PT_ENUM, TP(shuffle), 0, 1, 0, "sample",
     "each epoch permutes samples, or files (samples in a file read in order), or none",
     k_train_shuffles},
    {"shard", TS_PT_ENUM, TP(shard), 0, 1, 0, "global",
     "global: one permutation dealt over ranks; rank: each rank permutes its own fixed share",
     k_train_shards},
    {"epochs", TS_PT_COUNT, TP(epochs), 0, 1, 1e6, "5", "passes over the dataset", NULL},
    {"nodes", TS_PT_COUNT, TP(nodes), 0, 1, 65536, "1", "host nodes", NULL},
    {"gpus_per_node", TS_PT_COUNT, TP(gpus_per_node), 0, 1, 1024, "8",
     "accelerators per node; one data-parallel rank each (the request's stream)", NULL},
    {"batch", TS_PT_COUNT, TP(batch), 0, 0, 1e9, "0", "samples per rank per step (0: the preset's)",
     NULL},
    {"prefetch", TS_PT_COUNT, TP(prefetch), 0, 0, 1e6, "2",
     "batches a rank reads ahead of the one it computes", NULL},
    {"read_threads", TS_PT_COUNT, TP(read_threads), 0, 0, 1024, "0",
     "data-loader workers per rank: reads a rank keeps in flight, the timed engine's "
     "timed.depth (0: the preset's: unet3d 4, resnet50 8, cosmoflow 4; custom 4)",
     NULL},
    {"compute", TS_PT_DURATION, TP(compute_ns), 0, 0, 3.6e12, "0",
     "accelerator time per batch (0: the preset's for the accelerator)", NULL},
    {"ckpt_every", TS_PT_COUNT, TP(ckpt_every), 0, 0, 1e12, "0",
     "steps between checkpoints (0: no checkpoints)", NULL},
    {"model_params", TS_PT_COUNT, TP(model_params), 0, 1, 1e15, "8e9",
     "model parameters whose state a checkpoint saves", NULL},
    {"bytes_per_param", TS_PT_COUNT, TP(bytes_per_param), 0, 1, 64, "14",
     "checkpoint bytes per parameter (bf16 weights 2 + fp32 master and Adam moments 12)", NULL},
    {"ckpt_chunk", TS_PT_SIZE, TP(ckpt_chunk_bytes), 0, 1, TS__MAX_SIZE, "64MiB",
     "a rank's checkpoint shard is written in objects of this size", NULL},
    {"ckpt_local", TS_PT_BOOL, TP(ckpt_local), 0, 1, 0, "false",
     "write checkpoints to local keys first, then drain them to remote keys", NULL},
    {"ckpt_pause", TS_PT_DURATION, TP(ckpt_pause_ns), 0, 0, 3.6e12, "0",
     "training stalls this long after each checkpoint write", NULL},
    {"restarts", TS_PT_COUNT, TP(restarts), 0, 0, 1e6, "0",
     "failures spread over the run; each reads back the latest checkpoint", NULL},
    {"requests", TS_PT_COUNT, TP(requests), 0, 0, 1e15, "0",
     "end the trace after this many requests, running as many epochs as that takes "
     "(0: run `epochs` epochs)",
     NULL},
};

/* ================================ instance ================================ */

#define TRAIN_ROUNDS 4
#define TRAIN_CKPT_BIT (1ULL << 63)
#define TRAIN_LOCAL_BIT (1ULL << 62)
#define TRAIN_FIELD_MAX (1ULL << 20) /* ranks and chunks per rank */
#define TRAIN_VERSION_MAX (1ULL << 22)

enum { TRAIN_STREAM_EPOCH = 16 };

enum train_phase { PH_ISSUE, PH_CKPT, PH_DRAIN, PH_RESTORE, PH_DONE };

typedef struct train_walk {
    int phase;          /* enum train_phase */
    uint64_t k;         /* logical step computed after the current issue phase */
    uint64_t iss_k;     /* batch being issued (ISSUE) */
    uint64_t iss_end;   /* first batch not issued in this phase */
    uint64_t now_ns;    /* time of the requests of the phase */
    uint64_t next_fail; /* failures that have happened */
    uint64_t ckpt_v;    /* version of the latest checkpoint (0: none yet) */
    uint64_t v;         /* version written, drained or read by the phase */
    uint64_t r;         /* cursor: rank */
    uint64_t i;         /* cursor: sample in batch, or chunk */
    int sub;            /* cursor: DRAIN's GET (0) or PUT (1) */
} train_walk_t;

typedef struct train_gen {
    ts__gen_t g;      /* must be first; rng_key draws the round keys */
    train_params_t p; /* resolved parameters (presets applied) */
    uint64_t ranks;
    uint64_t unit;        /* samples per shuffle unit (files or samples) */
    uint64_t units;       /* samples / unit */
    uint64_t steps_ep;    /* steps per epoch */
    uint64_t steps;       /* epochs x steps_ep (logical steps) */
    uint64_t ckpt_bytes;  /* whole checkpoint */
    uint64_t ckpt_chunks; /* chunks over all ranks */
    uint64_t n_requests;
    uint64_t n_keys;
    uint64_t n_emitted; /* requests returned since open or reset */
    uint64_t step_top;  /* 1 + the highest step whose sample reads have been issued */
    uint64_t step_new;  /* steps from here on are read for the first time (this segment) */
    uint64_t n_new_reads; /* sample reads of first-time steps: progress, restarts excluded */
    train_walk_t w;
    uint64_t key_epoch;        /* epoch of rk (UINT64_MAX: none) */
    uint64_t rk[TRAIN_ROUNDS]; /* Feistel round keys of key_epoch */
} train_gen_t;

extern const ts_reader_ops_t ts_reader_gen_training;

/* ---- permutation ---- */

/* One pass of a balanced Feistel network on 2h bits; a bijection of [0, 2^2h). */
static uint64_t train_feistel(const uint64_t *rk, uint64_t salt, unsigned h, uint64_t x)
{
    uint64_t mask = (1ULL << h) - 1;
    uint64_t l = x >> h, r = x & mask;
    for (int i = 0; i < TRAIN_ROUNDS; i++) {
        uint64_t f = ts_mix64(r ^ rk[i] ^ salt) & mask;
        uint64_t t = l ^ f;
        l = r;
        r = t;
    }
    return l << h | r;
}

/* The image of x under a keyed permutation of [0, n): the Feistel network over the smallest
 * even power of two >= n, reapplied until the value falls inside [0, n) (cycle walking:
 * still a bijection of [0, n), after fewer than 4 passes on average). */
static uint64_t train_perm(const uint64_t *rk, uint64_t salt, uint64_t n, uint64_t x)
{
    if (n <= 1) return 0;
    unsigned bits = 64 - (unsigned)__builtin_clzll(n - 1);
    unsigned h = (bits + 1) / 2;
    do
        x = train_feistel(rk, salt, h, x);
    while (x >= n);
    return x;
}

static void train_epoch_keys(train_gen_t *t, uint64_t e)
{
    if (t->key_epoch == e) return;
    ts_rng_reseed(t->g.rng_key, ts_seed_derive(t->g.seed, TRAIN_STREAM_EPOCH + e));
    for (int i = 0; i < TRAIN_ROUNDS; i++)
        t->rk[i] = ts_rng_u64(t->g.rng_key);
    t->key_epoch = e;
}

/* ---- shards and batches ---- */

/* Samples rank r reads per epoch. */
static uint64_t train_share(const train_gen_t *t, uint64_t r)
{
    if (t->p.shard == TSD_GLOBAL) {
        uint64_t n = t->p.samples;
        return r < n ? (n - r - 1) / t->ranks + 1 : 0;
    }
    uint64_t q = t->units / t->ranks;
    return (q + (r < t->units % t->ranks)) * t->unit;
}

/* First unit of rank r's own range (shard rank). */
static uint64_t train_unit_lo(const train_gen_t *t, uint64_t r)
{
    uint64_t q = t->units / t->ranks, m = t->units % t->ranks;
    return r * q + (r < m ? r : m);
}

/* Samples a rank with that share reads in logical step k. */
static uint64_t train_len(const train_gen_t *t, uint64_t share, uint64_t k)
{
    uint64_t first = (k % t->steps_ep) * t->p.batch;
    if (first >= share) return 0;
    return share - first < t->p.batch ? share - first : t->p.batch;
}

static uint64_t train_batch_len(const train_gen_t *t, uint64_t k, uint64_t r)
{
    return train_len(t, train_share(t, r), k);
}

/* Samples all ranks read in logical step k, in O(1). */
static uint64_t train_step_reads(const train_gen_t *t, uint64_t k)
{
    if (t->p.shard == TSD_GLOBAL) { /* positions [s*B*R, (s+1)*B*R) of the epoch, s*B*R < N */
        uint64_t lo = (k % t->steps_ep) * t->p.batch * t->ranks;
        uint64_t hi = lo + t->p.batch * t->ranks;
        return (hi < t->p.samples ? hi : t->p.samples) - lo;
    }
    /* units % R ranks own one unit more than the others */
    uint64_t m = t->units % t->ranks, small = t->units / t->ranks * t->unit;
    return m * train_len(t, small + t->unit, k) + (t->ranks - m) * train_len(t, small, k);
}

/* The sample rank r reads i-th in logical step k. */
static uint64_t train_sample(train_gen_t *t, uint64_t k, uint64_t r, uint64_t i)
{
    uint64_t e = k / t->steps_ep, q = (k % t->steps_ep) * t->p.batch + i;
    uint64_t u = t->unit;
    train_epoch_keys(t, e);
    bool is_shuffled = t->p.shuffle != TSH_NONE;
    if (t->p.shard == TSD_GLOBAL) {
        uint64_t pos = r + t->ranks * q;
        uint64_t unit = is_shuffled ? train_perm(t->rk, 0, t->units, pos / u) : pos / u;
        return unit * u + pos % u;
    }
    uint64_t n_units = train_share(t, r) / u;
    uint64_t unit = is_shuffled ? train_perm(t->rk, ts_mix64(r + 1), n_units, q / u) : q / u;
    return (train_unit_lo(t, r) + unit) * u + q % u;
}

/* Bytes of rank r's checkpoint shard and its chunk count. */
static uint64_t train_shard_bytes(const train_gen_t *t, uint64_t r)
{
    return t->ckpt_bytes / t->ranks + (r < t->ckpt_bytes % t->ranks);
}

static uint64_t train_shard_chunks(const train_gen_t *t, uint64_t r)
{
    uint64_t b = train_shard_bytes(t, r), c = t->p.ckpt_chunk_bytes;
    return b / c + (b % c != 0);
}

static uint64_t train_ckpt_key(uint64_t v, uint64_t r, uint64_t c, bool is_local)
{
    return TRAIN_CKPT_BIT | (is_local ? TRAIN_LOCAL_BIT : 0) | (v % TRAIN_VERSION_MAX) << 40 |
           r << 20 | c;
}

/* ---- the walk: which phase follows which (shared by the counting pass and next()) ---- */

/* Starts the issue phase of batches [from, to) (clipped to the run). */
static void walk_issue(train_gen_t *t, uint64_t from, uint64_t to)
{
    train_walk_t *w = &t->w;
    w->phase = PH_ISSUE;
    w->iss_k = from < t->steps ? from : t->steps;
    w->iss_end = to < t->steps ? to : t->steps;
    w->r = w->i = 0;
}

/* A (re)start at logical step k: batches k .. k + prefetch are issued at once. Steps below
 * step_top were read before the failure: their reads again are not progress. */
static void walk_segment(train_gen_t *t, uint64_t k)
{
    t->step_new = t->step_top;
    t->w.k = k;
    walk_issue(t, k, k + t->p.prefetch + 1);
}

static void walk_phase(train_gen_t *t, int phase, uint64_t v)
{
    t->w.phase = phase;
    t->w.v = v;
    t->w.r = t->w.i = 0;
    t->w.sub = 0;
}

/* After step k's checkpoint (if any): a failure, or the next step. */
static void walk_after_ckpt(train_gen_t *t)
{
    train_walk_t *w = &t->w;
    if (w->next_fail < t->p.restarts &&
        w->k + 1 >= (w->next_fail + 1) * t->steps / (t->p.restarts + 1)) {
        w->next_fail++;
        if (w->ckpt_v > 0) {
            walk_phase(t, PH_RESTORE, w->ckpt_v);
            return;
        }
        walk_segment(t, 0);
        return;
    }
    w->k++;
    if (w->k >= t->steps) {
        w->phase = PH_DONE;
        return;
    }
    walk_issue(t, w->k + t->p.prefetch, w->k + t->p.prefetch + 1);
}

/* The current phase has emitted everything: move on. */
static void walk_done(train_gen_t *t)
{
    train_walk_t *w = &t->w;
    switch (w->phase) {
    case PH_ISSUE: /* step k computes, then ends */
        w->now_ns += t->p.compute_ns;
        if (t->p.ckpt_every && (w->k + 1) % t->p.ckpt_every == 0) {
            walk_phase(t, PH_CKPT, (w->k + 1) / t->p.ckpt_every);
            return;
        }
        walk_after_ckpt(t);
        return;
    case PH_CKPT:
        w->ckpt_v = w->v;
        w->now_ns += t->p.ckpt_pause_ns;
        if (t->p.ckpt_local) {
            walk_phase(t, PH_DRAIN, w->v);
            return;
        }
        walk_after_ckpt(t);
        return;
    case PH_DRAIN:
        walk_after_ckpt(t);
        return;
    case PH_RESTORE:
        walk_segment(t, w->ckpt_v * t->p.ckpt_every);
        return;
    }
}

/* Requests the current phase emits in all. */
static uint64_t walk_phase_size(const train_gen_t *t)
{
    const train_walk_t *w = &t->w;
    switch (w->phase) {
    case PH_ISSUE: {
        uint64_t n = 0;
        for (uint64_t k = w->iss_k; k < w->iss_end; k++)
            n += train_step_reads(t, k);
        return n;
    }
    case PH_CKPT:
    case PH_RESTORE:
        return t->ckpt_chunks;
    case PH_DRAIN:
        return 2 * t->ckpt_chunks;
    }
    return 0;
}

static void walk_start(train_gen_t *t)
{
    memset(&t->w, 0, sizeof(t->w));
    walk_segment(t, 0);
}

/* ================================ reader ================================ */

static void train_close(ts_reader_t *r)
{
    train_gen_t *t = (train_gen_t *)r;
    if (!t) return;
    ts__gen_fini(&t->g);
    ts_free(t);
}

/* Fills the zero parameters from the preset and checks what the schema cannot. */
static int train_resolve(train_gen_t *t, ts_err_t *err)
{
    train_params_t *p = &t->p;
    const train_preset_t *pre = p->workload == TW_CUSTOM ? NULL : &k_train_presets[p->workload];
    if (pre) {
        if (!p->samples) p->samples = pre->samples;
        if (!p->sample_bytes) p->sample_bytes = pre->sample_bytes;
        if (!p->samples_per_file) p->samples_per_file = pre->samples_per_file;
        if (!p->batch) p->batch = pre->batch[p->accel];
        if (!p->compute_ns) p->compute_ns = pre->compute_ns[p->accel];
    }
    p->read_threads = train_read_threads(p);
    if (!p->samples) return ts__gen_bad(err, "training", "samples", "workload custom needs a sample count");
    if (!p->sample_bytes && p->size_dist != TS__SIZE_UNIFORM && p->size_dist != TS__SIZE_PARETO)
        return ts__gen_bad(err, "training", "sample_size", "workload custom needs a sample size");
    if (!p->batch) return ts__gen_bad(err, "training", "batch", "workload custom needs a batch size");
    if (!p->samples_per_file) p->samples_per_file = 1;
    t->ranks = p->nodes * p->gpus_per_node;
    if (t->ranks > TRAIN_FIELD_MAX)
        return ts__gen_bad(err, "training", "gpus_per_node", "nodes x gpus_per_node is %llu, above 2^20",
                         (unsigned long long)t->ranks);
    t->unit = p->shuffle == TSH_FILE ? p->samples_per_file : 1;
    if (p->samples % t->unit)
        return ts__gen_bad(err, "training", "samples_per_file",
                         "shuffle: file needs samples to be a multiple of it (%llu is not)",
                         (unsigned long long)p->samples);
    t->units = p->samples / t->unit;
    if (p->requests) /* enough epochs to read that many samples */
        p->epochs = p->requests / p->samples + (p->requests % p->samples != 0);
    uint64_t most = train_share(t, 0); /* rank 0 has the largest share in both modes */
    t->steps_ep = most / p->batch + (most % p->batch != 0);
    if (t->steps_ep == 0) t->steps_ep = 1;
    t->steps = p->epochs * t->steps_ep;
    if (p->model_params > UINT64_MAX / p->bytes_per_param)
        return ts__gen_bad(err, "training", "model_params", "checkpoint of %llu parameters overflows",
                         (unsigned long long)p->model_params);
    t->ckpt_bytes = p->model_params * p->bytes_per_param;
    if (p->ckpt_every) {
        if (train_shard_chunks(t, 0) > TRAIN_FIELD_MAX)
            return ts__gen_bad(err, "training", "ckpt_chunk",
                             "a rank's shard would take %llu chunks, above 2^20: raise it",
                             (unsigned long long)train_shard_chunks(t, 0));
        if (t->steps / p->ckpt_every >= TRAIN_VERSION_MAX)
            return ts__gen_bad(err, "training", "ckpt_every", "%llu checkpoints in the run, above 2^22",
                             (unsigned long long)(t->steps / p->ckpt_every));
        for (uint64_t r = 0; r < t->ranks; r++)
            t->ckpt_chunks += train_shard_chunks(t, r);
    }
    return 0;
}

/* Counts the requests: without restarts every batch is read once and every checkpoint
 * written once (local PUT, GET and PUT when drained); with restarts the run is walked once,
 * a phase at a time, in O(1) per step. */
static void train_count(train_gen_t *t)
{
    uint64_t versions = t->p.ckpt_every ? t->steps / t->p.ckpt_every : 0;
    uint64_t n = t->p.epochs * t->p.samples + versions * t->ckpt_chunks * (t->p.ckpt_local ? 3 : 1);
    if (t->p.restarts) {
        n = 0;
        walk_start(t);
        while (t->w.phase != PH_DONE) {
            n += walk_phase_size(t);
            walk_done(t);
        }
    }
    t->n_requests = t->p.requests && t->p.requests < n ? t->p.requests : n;
    t->n_keys = t->p.samples + versions * t->ckpt_chunks * (t->p.ckpt_local ? 2 : 1);
}

static void train_rewind(train_gen_t *t)
{
    ts__gen_rewind(&t->g);
    t->key_epoch = UINT64_MAX;
    t->n_emitted = 0;
    t->step_top = t->n_new_reads = 0;
    walk_start(t);
}

static int train_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                      ts_err_t *err)
{
    *out = NULL;
    train_gen_t *t = ts_calloc(1, sizeof(*t));
    if (!t) return ts_err_set(err, TS_ENOMEM, "cannot allocate the training generator");
    t->p = *(const train_params_t *)params;
    int rc = train_resolve(t, err);
    if (rc == 0) {
        train_count(t);
        ts__gen_common_t c = {
            .requests = t->n_requests,
            .keys = t->p.samples,
            .size_bytes = t->p.sample_bytes,
            .size_dist = t->p.size_dist,
            .size_min_bytes = t->p.size_min_bytes,
            .size_max_bytes = t->p.size_max_bytes,
            .size_sigma = t->p.size_sigma,
            .size_alpha = t->p.size_alpha,
        };
        rc = ts__gen_init(&t->g, &ts_reader_gen_training, &c, ctx, err);
    }
    if (rc) {
        train_close(&t->g.base);
        return rc;
    }
    train_rewind(t);
    *out = &t->g.base;
    return 0;
}

static void train_fill(ts_req_t *req, uint64_t time_ns, uint64_t key, uint64_t size, uint64_t r,
                       int op, uint8_t flags)
{
    memset(req, 0, sizeof(*req));
    req->time_ns = time_ns;
    req->key = key;
    req->size_bytes = size;
    req->next_access = TS_REQ_NEVER;
    req->stream = (uint32_t)r;
    req->op = (uint8_t)op;
    req->flags = flags;
}

/* The chunk the cursor points at (CKPT, DRAIN, RESTORE); false past the last rank. */
static bool train_chunk(train_gen_t *t, uint64_t *size)
{
    train_walk_t *w = &t->w;
    while (w->r < t->ranks && w->i >= train_shard_chunks(t, w->r)) {
        w->r++;
        w->i = 0;
    }
    if (w->r >= t->ranks) return false;
    uint64_t b = train_shard_bytes(t, w->r), c = t->p.ckpt_chunk_bytes;
    *size = b - w->i * c < c ? b - w->i * c : c;
    return true;
}

/* One request of the walk: 1, or 0 at its end. */
static int train_step(train_gen_t *t, ts_req_t *req)
{
    train_walk_t *w = &t->w;
    for (;;) {
        uint64_t size;
        switch (w->phase) {
        case PH_DONE:
            return 0;
        case PH_ISSUE:
            while (w->iss_k < w->iss_end) {
                uint64_t len = w->r < t->ranks ? train_batch_len(t, w->iss_k, w->r) : 0;
                if (w->i < len) {
                    uint64_t s = train_sample(t, w->iss_k, w->r, w->i);
                    /* a rank's batch is a group: the timed engine's closed loop can issue
                     * it whole and compute when all of it has arrived */
                    train_fill(req, w->now_ns, s, ts__gen_size(&t->g, s), w->r, TS_OP_GET,
                               w->i + 1 == len ? TS_REQ_GROUP_END : 0);
                    if (w->iss_k >= t->step_new) {
                        t->n_new_reads++;
                        if (w->iss_k >= t->step_top)
                            t->step_top = w->iss_k + 1;
                    }
                    w->i++;
                    return 1;
                }
                w->i = 0;
                if (++w->r >= t->ranks) {
                    w->r = 0;
                    w->iss_k++;
                }
            }
            break;
        case PH_CKPT:
        case PH_RESTORE:
            if (train_chunk(t, &size)) {
                bool is_put = w->phase == PH_CKPT;
                uint64_t key = train_ckpt_key(w->v, w->r, w->i, is_put && t->p.ckpt_local);
                train_fill(req, w->now_ns, key, size, w->r, is_put ? TS_OP_PUT : TS_OP_GET,
                           TS_REQ_CHECKPOINT);
                w->i++;
                return 1;
            }
            break;
        case PH_DRAIN:
            if (train_chunk(t, &size)) {
                uint64_t key = train_ckpt_key(w->v, w->r, w->i, w->sub == 0);
                train_fill(req, w->now_ns, key, size, w->r, w->sub ? TS_OP_PUT : TS_OP_GET,
                           TS_REQ_CHECKPOINT);
                if (w->sub) {
                    w->sub = 0;
                    w->i++;
                } else {
                    w->sub = 1;
                }
                return 1;
            }
            break;
        }
        walk_done(t);
    }
}

static int train_next(ts_reader_t *rd, ts_req_t *req, ts_err_t *err)
{
    train_gen_t *t = (train_gen_t *)rd;
    (void)err;
    if (t->n_emitted >= t->n_requests || train_step(t, req) == 0) return 0;
    t->n_emitted++;
    return 1;
}

static int train_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    train_rewind((train_gen_t *)r);
    return 0;
}

static void train_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    const train_gen_t *t = (const train_gen_t *)r;
    out->n_requests = t->n_requests;
    out->n_keys = t->n_keys;
}

/* Epochs of progress: reads of steps never read before, over the dataset (a trace cut by
 * `requests` gives a fraction; steps replayed after a restart are not counted again). */
static void train_units(const ts_reader_t *r, ts_reader_units_t *out)
{
    const train_gen_t *t = (const train_gen_t *)r;
    out->epochs = (double)t->n_new_reads / (double)t->p.samples;
    out->gpus = t->ranks;
}

static uint64_t train_read_threads(const train_params_t *p)
{
    if (p->read_threads)
        return p->read_threads;
    return p->workload == TW_CUSTOM ? TRAIN_READ_THREADS_CUSTOM
                                    : k_train_presets[p->workload].read_threads;
}

/* The closed loop's defaults: a data loader per rank (timed.clients) with read_threads
 * workers (timed.depth), the per-batch compute (timed.think), the AU to pass. */
static void train_hints(const void *params, ts_reader_hints_t *out)
{
    const train_params_t *p = params;
    const train_preset_t *pre = p->workload == TW_CUSTOM ? NULL : &k_train_presets[p->workload];
    out->read_threads = train_read_threads(p);
    out->compute_ns = p->compute_ns ? p->compute_ns : pre ? pre->compute_ns[p->accel] : 0;
    out->ranks = p->nodes * p->gpus_per_node;
    out->au_target = pre ? pre->au_target : 0;
}

const ts_reader_ops_t ts_reader_gen_training = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_GENERATOR,
             .name = "training",
             .summary = "data-parallel training epochs (DLIO / MLPerf Storage): shuffled sample "
                        "reads "
                        "timed by accelerator compute, checkpoints, restarts",
             .flags = TS_READER_GENERATOR,
             .params = k_train_params,
             .params_count = TS_PARAM_COUNT(k_train_params),
             .params_size = sizeof(train_params_t)},
    .open = train_open,
    .next = train_next,
    .reset = train_reset,
    .close = train_close,
    .info = train_info,
    .units = train_units,
    .hints = train_hints,
};
