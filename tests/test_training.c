/* SPDX-License-Identifier: MIT */
/*
 * test_training.c - the training generator (workloads/training.c) and the no-eviction
 * admission filter (policies/admit_until_full.c).
 *
 * Proves the data-stall result: under a fresh permutation per epoch, a cache of C of N
 * samples that admits until full and never evicts hits exactly C per epoch from the second
 * on (ratio C/N), while LRU hits sum_{j<C} (C-j)/(N-j) per epoch (about (C/N)^2 / 2),
 * within 5 binomial standard deviations. Also: every sample exactly once per epoch (so the
 * permutation is a bijection, and ranks' shards are disjoint); shard rank keeps each rank's
 * samples fixed; trace info figures (requests, keys, footprint, mean size, ops, span) and
 * a checkpoint/restart run counted by hand; checkpoint bytes from parameters; step,
 * checkpoint, pause and drain timestamps; `requests` cutting the trace; info() counts equal
 * to what is emitted; the presets; determinism and replay; parameter errors naming the key;
 * TS_ENOMEM on open; the epochs of progress and GPUs it reports for normalised costs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen_test.h"
#include <math.h>

#include "sim/admit.h"
#include "sim/engine.h"
#include "sim/hier.h"
#include "sim/util/mem.h"
#include "traces/info.h"
#include "workloads/gen.h"
#include "policies/registry.h"

extern const ts_reader_ops_t ts_reader_gen_training;
extern const ts_policy_ops_t ts_policy_lru;
extern const ts_admit_ops_t ts_admit_until_full;


static int train_open(uint64_t seed, const char *const *kv, size_t n, ts_reader_t **r, ts_err_t *err)
{
    return gen_test_open("training", seed, kv, n, r, err);
}

static ts_reader_t *train_open_ok(uint64_t seed, const char *const *kv, size_t n)
{
    return gen_test_open_ok("training", seed, kv, n);
}

#define OPEN(seed, kv) train_open_ok(seed, kv, sizeof(kv) / sizeof(kv[0]))

static bool next_req(ts_reader_t *r, ts_req_t *q)
{
    ts_err_t err = {0};
    int rc = ts_reader_next(r, q, &err);
    assert_true(rc == 0 || rc == 1);
    return rc == 1;
}

/* ---- the data-stall result ---- */

/* A params struct of until_full with name = value (free with ts_free). */
static void *until_full_params(const char *name, const char *value)
{
    const ts_admit_ops_t *a = &ts_admit_until_full;
    ts_err_t err = {0};
    const ts_plugin_t *b = &a->base;
    void *p = ts_calloc(1, b->params_size);
    assert_non_null(p);
    assert_int_equal(ts_param_defaults(b->params, b->params_count, p, b->params_size, &err), 0);
    assert_int_equal(ts_param_set(b->params, b->params_count, p, name, value, &err), 0);
    return p;
}

/* Per-epoch hits of a one-tier hierarchy (LRU, capacity C objects; until_full when
 * no_evict) replaying reader r, whose epochs are n requests each. */
static void epoch_hits(ts_reader_t *r, uint64_t n, uint64_t epochs, uint64_t c, bool no_evict,
                       uint64_t *hits)
{
    ts_err_t err = {0};
    ts_policy_init_t init = {.capacity = c, .count_objects = true, .seed = 1};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create("dram", &ts_policy_lru, NULL, &init, &t, &err), 0);
    ts_hier_config_t cfg = {0};
    char cap[32];
    snprintf(cap, sizeof(cap), "%llu", (unsigned long long)c);
    void *params = NULL;
    if (no_evict) {
        params = until_full_params("objects", cap);
        cfg.admit[0] = &ts_admit_until_full;
        cfg.admit_params[0] = params;
    }
    ts_hier_t *h = NULL;
    assert_int_equal(ts_hier_create(&cfg, &t, 1, &h, &err), 0);
    ts_req_t q;
    for (uint64_t e = 0; e < epochs; e++) {
        hits[e] = 0;
        for (uint64_t i = 0; i < n; i++) {
            assert_true(next_req(r, &q));
            int lvl = ts_hier_access(h, &q, NULL, &err);
            assert_true(lvl >= 0);
            hits[e] += lvl == 0;
        }
    }
    assert_false(next_req(r, &q));
    assert_int_equal(t->st.n_evict,
                     no_evict ? 0 : (epochs * n - hits[0] - hits[1] - hits[2] - hits[3]) - c);
    ts_hier_destroy(h);
    ts_tier_destroy(t);
    ts_free(params);
}

static void test_training_no_evict_hits_c_over_n_lru_thrashes(void **state)
{
    (void)state;
    const uint64_t n = 20000, epochs = 4;
    static const struct {
        const char *name;
        uint64_t c;
        const char *gpus, *batch, *prefetch;
    } cases[] = {
        {"C = 25%, 1 rank", 5000, "1", "32", "0"},
        {"C = 50%, 8 ranks, prefetch 3", 10000, "8", "16", "3"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        uint64_t c = cases[k].c;
        char gpus[32], batch[32], pf[32];
        snprintf(gpus, sizeof(gpus), "gpus_per_node=%s", cases[k].gpus);
        snprintf(batch, sizeof(batch), "batch=%s", cases[k].batch);
        snprintf(pf, sizeof(pf), "prefetch=%s", cases[k].prefetch);
        const char *kv[] = {"workload=custom",
                            "samples=20000",
                            "sample_size=4KiB",
                            "epochs=4",
                            "compute=1ms",
                            gpus,
                            batch,
                            pf};
        print_message("case: %s\n", cases[k].name);
        uint64_t hit_ne[4], hit_lru[4];
        ts_reader_t *r = OPEN(7, kv);
        epoch_hits(r, n, epochs, c, true, hit_ne);
        ts_err_t err = {0};
        assert_int_equal(ts_reader_reset(r, &err), 0);
        epoch_hits(r, n, epochs, c, false, hit_lru);
        ts_reader_close(r);
        /* LRU from the second epoch: the cache holds the previous epoch's last C samples; the
         * j-th request of the epoch (j < C) finds C - j of them left among N - j unseen
         * samples (each miss evicts one of them, each hit moves one out of the set), and
         * hits never happen after the C-th. */
        double mean = 0, var = 0;
        for (uint64_t j = 0; j < c; j++) {
            double p = (double)(c - j) / (double)(n - j);
            mean += p;
            var += p * (1 - p);
        }
        double ratio = (double)c / (double)n;
        print_message("C/N %.3f: no-evict %llu %llu %llu, LRU %llu %llu %llu (expected %.1f +- "
                      "%.1f, (C/N)^2/2 N = %.1f)\n",
                      ratio, (unsigned long long)hit_ne[1], (unsigned long long)hit_ne[2],
                      (unsigned long long)hit_ne[3], (unsigned long long)hit_lru[1],
                      (unsigned long long)hit_lru[2], (unsigned long long)hit_lru[3], mean,
                      sqrt(var), ratio * ratio / 2 * (double)n);
        assert_int_equal(hit_ne[0], 0);
        assert_int_equal(hit_lru[0], 0);
        for (int e = 1; e < 4; e++) {
            /* every sample is read once per epoch and the cache keeps the first C: exactly
             * C hits, ratio C/N with no variance */
            assert_int_equal(hit_ne[e], c);
            assert_true(fabs((double)hit_lru[e] - mean) <= 5 * sqrt(var) + 1);
            assert_true((double)hit_lru[e] < 0.4 * (double)c); /* far less than C/N */
        }
    }
}

/* The fast engine counts the same C hits per later epoch through until_full. */
static void test_training_fast_engine_no_evict_total(void **state)
{
    (void)state;
    const char *kv[] = {"workload=custom", "samples=4000",    "sample_size=1MiB", "epochs=3",
                        "compute=1ms",     "gpus_per_node=4", "batch=10"};
    ts_reader_t *r = OPEN(3, kv);
    ts_err_t err = {0};
    /* bytes mode: 1000 objects of 1 MiB */
    ts_policy_init_t init = {.capacity = 1000ull << 20, .count_objects = false, .seed = 1};
    ts_tier_t *t = NULL;
    assert_int_equal(ts_tier_create("nvme", &ts_policy_lru, NULL, &init, &t, &err), 0);
    void *params = until_full_params("bytes", "1000MiB");
    ts_hier_config_t cfg = {0};
    cfg.admit[0] = &ts_admit_until_full;
    cfg.admit_params[0] = params;
    ts_hier_t *h = NULL;
    assert_int_equal(ts_hier_create(&cfg, &t, 1, &h, &err), 0);
    assert_int_equal(ts_engine_fast_hier(h, r, NULL, &err), 0);
    assert_int_equal(h->tot.n_req, 12000);
    assert_int_equal(h->tot.n_hit, 2 * 1000);
    assert_int_equal(t->st.n_insert, 1000);
    assert_int_equal(t->st.n_evict, 0);
    assert_int_equal(t->st.n_refused, 3000 + 2 * 3000);
    ts_hier_destroy(h);
    ts_tier_destroy(t);
    ts_free(params);
    ts_reader_close(r);
}

/* ---- structure of the reads ---- */

/* Reads one epoch of n sample reads (no checkpoints) and checks each sample appears once;
 * records each sample's rank in owner[]. */
static void read_epoch(ts_reader_t *r, uint64_t n, uint32_t *owner, uint64_t *per_rank)
{
    uint8_t *seen = calloc(n, 1);
    assert_non_null(seen);
    ts_req_t q;
    for (uint64_t i = 0; i < n; i++) {
        assert_true(next_req(r, &q));
        assert_true(q.key < n);
        assert_int_equal(q.op, TS_OP_GET);
        assert_int_equal(q.flags & ~(unsigned)TS_REQ_GROUP_END, 0); /* no checkpoint flag */
        assert_int_equal(seen[q.key], 0);
        seen[q.key] = 1;
        owner[q.key] = q.stream;
        per_rank[q.stream]++;
    }
    free(seen);
}

/* Each rank's batch ends with the group flag: 28 samples, 2 ranks, batches of 7 give 4
 * groups of 7 reads, each of one rank, every read but a group's last unflagged. */
static void test_training_batches_are_groups(void **state)
{
    (void)state;
    static const char *const kv[] = {"workload=custom", "samples=28", "sample_size=4KiB",
                                     "batch=7",         "gpus_per_node=2", "epochs=1",
                                     "compute=1ms",     "prefetch=0"};
    ts_reader_t *r = train_open_ok(3, kv, sizeof(kv) / sizeof(kv[0]));
    ts_req_t q;
    int in_group = 0, groups = 0;
    uint32_t stream = 0;
    while (next_req(r, &q)) {
        if (in_group == 0)
            stream = q.stream;
        assert_int_equal(q.stream, stream);
        in_group++;
        if (q.flags & TS_REQ_GROUP_END) {
            assert_int_equal(in_group, 7);
            in_group = 0;
            groups++;
        }
    }
    assert_int_equal(groups, 4);
    assert_int_equal(in_group, 0);
    ts_reader_close(r);
}

static void test_training_every_sample_once_per_epoch_and_shards(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *samples, *shuffle, *shard, *spf;
        uint64_t n;
    } cases[] = {
        {"N = 1", "1", "sample", "global", "1", 1},
        {"N = 2", "2", "sample", "global", "1", 2},
        {"N = 1000 (not a power of 2)", "1000", "sample", "global", "1", 1000},
        {"N = 4097, shard rank", "4097", "sample", "rank", "1", 4097},
        {"files of 10, global", "5000", "file", "global", "10", 5000},
        {"files of 10, shard rank", "5000", "file", "rank", "10", 5000},
        {"no shuffle", "999", "none", "global", "1", 999},
    };
    const uint64_t ranks = 6;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        print_message("case: %s\n", cases[k].name);
        char a[40], b[40], c[40], d[40];
        snprintf(a, sizeof(a), "samples=%s", cases[k].samples);
        snprintf(b, sizeof(b), "shuffle=%s", cases[k].shuffle);
        snprintf(c, sizeof(c), "shard=%s", cases[k].shard);
        snprintf(d, sizeof(d), "samples_per_file=%s", cases[k].spf);
        const char *kv[] = {"workload=custom",
                            "sample_size=4KiB",
                            "epochs=3",
                            "compute=1ms",
                            "nodes=2",
                            "gpus_per_node=3",
                            "batch=7",
                            a,
                            b,
                            c,
                            d};
        ts_reader_t *r = OPEN(5, kv);
        uint64_t n = cases[k].n;
        uint32_t *owner0 = calloc(n, sizeof(uint32_t)), *owner = calloc(n, sizeof(uint32_t));
        for (int e = 0; e < 3; e++) {
            uint64_t per_rank[6] = {0};
            read_epoch(r, n, e == 0 ? owner0 : owner, per_rank);
            /* global: rank r gets the positions p = r mod R, ceil((N - r) / R) of them;
             * rank: a balanced share of the units */
            for (uint64_t rk = 0; rk < ranks; rk++) {
                uint64_t want;
                if (strcmp(cases[k].shard, "global") == 0) {
                    want = rk < n ? (n - rk - 1) / ranks + 1 : 0;
                } else {
                    uint64_t u = strcmp(cases[k].shuffle, "file") == 0 ? 10 : 1;
                    uint64_t units = n / u;
                    want = (units / ranks + (rk < units % ranks)) * u;
                }
                assert_int_equal(per_rank[rk], want);
            }
            if (e > 0 && strcmp(cases[k].shard, "rank") == 0)
                assert_memory_equal(owner, owner0, n * sizeof(uint32_t));
        }
        ts_req_t q;
        assert_false(next_req(r, &q));
        free(owner0);
        free(owner);
        ts_reader_close(r);
    }
}

/* shuffle: file reads each file's samples in order; none reads 0, 1, 2, ... per rank. */
static void test_training_file_shuffle_keeps_files_together(void **state)
{
    (void)state;
    const char *kv[] = {"workload=custom", "samples=600",  "sample_size=4KiB",
                        "epochs=2",        "compute=1ms",  "gpus_per_node=1",
                        "batch=25",        "shuffle=file", "samples_per_file=12"};
    ts_reader_t *r = OPEN(9, kv);
    ts_req_t q;
    uint64_t n_file_starts = 0, prev = 0;
    for (int i = 0; i < 1200; i++) {
        assert_true(next_req(r, &q));
        if (i % 12 == 0) {
            assert_int_equal(q.key % 12, 0);
            n_file_starts++;
        } else {
            assert_int_equal(q.key, prev + 1);
        }
        prev = q.key;
    }
    assert_int_equal(n_file_starts, 100);
    ts_reader_close(r);
    const char *kv2[] = {"workload=custom", "samples=100",     "sample_size=4KiB", "epochs=1",
                         "compute=1ms",     "gpus_per_node=4", "batch=5",          "shuffle=none"};
    r = OPEN(9, kv2);
    /* step 0: rank 0 reads positions 0, 4, 8, 12, 16; rank 1: 1, 5, ... */
    for (uint64_t rk = 0; rk < 4; rk++)
        for (uint64_t i = 0; i < 5; i++) {
            assert_true(next_req(r, &q));
            assert_int_equal(q.key, rk + 4 * i);
            assert_int_equal(q.stream, rk);
        }
    ts_reader_close(r);
}

/* ---- time ---- */

static void test_training_step_times_follow_compute_and_prefetch(void **state)
{
    (void)state;
    /* 2 ranks x batch 3 over 30 samples: 15 per rank, 5 steps per epoch, 2 epochs = 10
     * steps of 250 ms. prefetch 2: batches 0, 1, 2 at t = 0, then batch k + 2 at the start
     * of step k (k * 250 ms), k = 1..7. */
    const char *kv[] = {"workload=custom", "samples=30",      "sample_size=4KiB", "epochs=2",
                        "compute=250ms",   "gpus_per_node=2", "batch=3",          "prefetch=2"};
    ts_reader_t *r = OPEN(1, kv);
    ts_req_t q;
    for (uint64_t b = 0; b < 10; b++) {
        uint64_t t = b <= 2 ? 0 : (b - 2) * 250000000ull;
        for (int i = 0; i < 6; i++) {
            assert_true(next_req(r, &q));
            assert_int_equal(q.time_ns, t);
            assert_int_equal(q.stream, i / 3);
        }
    }
    assert_false(next_req(r, &q));
    ts_reader_close(r);
}

/* Checkpoints at the end of steps 1 and 3 (ckpt_every 2) of one rank reading one sample a
 * 1 s step: each pauses training 100 ms, and its drain follows the pause, before the next
 * step's read. */
static void test_training_checkpoint_pause_and_drain_times(void **state)
{
    (void)state;
    const char *kv[] = {"workload=custom",  "samples=4",         "sample_size=4KiB",
                        "batch=1",          "gpus_per_node=1",   "epochs=1",
                        "compute=1s",       "prefetch=0",        "ckpt_every=2",
                        "ckpt_pause=100ms", "model_params=1000", "ckpt_local=true"};
    static const struct {
        uint64_t ms;
        int op;
        int kind; /* 0 sample, 1 local chunk, 2 remote chunk */
    } want[] = {
        {0, TS_OP_GET, 0},    {1000, TS_OP_GET, 0}, {2000, TS_OP_PUT, 1}, {2100, TS_OP_GET, 1},
        {2100, TS_OP_PUT, 2}, {2100, TS_OP_GET, 0}, {3100, TS_OP_GET, 0}, {4100, TS_OP_PUT, 1},
        {4200, TS_OP_GET, 1}, {4200, TS_OP_PUT, 2},
    };
    ts_reader_t *r = OPEN(1, kv);
    ts_req_t q;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_true(next_req(r, &q));
        assert_int_equal(q.time_ns, want[i].ms * 1000000ull);
        assert_int_equal(q.op, want[i].op);
        int kind = q.key >> 63 ? 1 + !((q.key >> 62) & 1) : 0;
        assert_int_equal(kind, want[i].kind);
        if (kind) assert_int_equal(q.size_bytes, 14000);
    }
    assert_false(next_req(r, &q));
    ts_reader_close(r);
}

/* ---- presets ---- */

static void test_training_presets_from_dlio_configs(void **state)
{
    (void)state;
    static const struct {
        const char *workload, *accel;
        uint64_t samples, size, batch, compute_ns;
    } cases[] = {
        {"unet3d", "h100", 168, 146600628, 7, 323000000},
        {"unet3d", "a100", 168, 146600628, 7, 636000000},
        {"cosmoflow", "h100", 524288, 2828486, 1, 3500000},
        {"resnet50", "a100", 1024 * 1251, 114660, 400, 435000000},
        {"resnet50", "h100", 1024 * 1251, 114660, 400, 224000000},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char w[40], a[40];
        snprintf(w, sizeof(w), "workload=%s", cases[k].workload);
        snprintf(a, sizeof(a), "accelerator=%s", cases[k].accel);
        const char *kv[] = {w, a, "prefetch=0", "epochs=1"};
        ts_reader_t *r = OPEN(1, kv);
        ts_reader_info_t info;
        ts_reader_info(r, &info);
        assert_int_equal(info.n_requests, cases[k].samples);
        assert_int_equal(info.n_keys, cases[k].samples);
        /* 8 ranks: step 0 is 8 batches at t = 0, step 1 starts after one compute time */
        ts_req_t q;
        for (uint64_t i = 0; i < 8 * cases[k].batch; i++) {
            assert_true(next_req(r, &q));
            assert_int_equal(q.time_ns, 0);
            assert_int_equal(q.size_bytes, cases[k].size);
            assert_int_equal(q.stream, i / cases[k].batch);
        }
        assert_true(next_req(r, &q));
        assert_int_equal(q.time_ns, cases[k].compute_ns);
        ts_reader_close(r);
    }
}

/* MLPerf Storage's resnet50 is 1,024 TFRecord files of 1,251 samples: with shuffle: file
 * one epoch reads all 1,281,024 samples, 1,251 at a time in file order (the file as the
 * unit of the permutation); and each preset's read_threads (unet3d 4, resnet50 8,
 * cosmoflow 4) is the hint the timed engine's depth takes, unless read_threads is set. */
static void test_training_resnet50_files_and_read_threads(void **state)
{
    (void)state;
    const char *kv[] = {"workload=resnet50", "shuffle=file", "epochs=1", "prefetch=0",
                        "nodes=1", "gpus_per_node=1"};
    ts_reader_t *r = OPEN(1, kv);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, 1281024);
    ts_req_t q, first;
    assert_true(next_req(r, &first));
    for (uint64_t i = 1; i < 1251; i++) { /* the rest of its file, in order */
        assert_true(next_req(r, &q));
        assert_int_equal(q.key, first.key + i);
    }
    ts_reader_close(r);
    static const struct {
        const char *w, *rt;
        uint64_t want;
    } cases[] = {{"workload=unet3d", "read_threads=0", 4},
                 {"workload=resnet50", "read_threads=0", 8},
                 {"workload=cosmoflow", "read_threads=0", 4},
                 {"workload=resnet50", "read_threads=2", 2}};
    const ts_reader_ops_t *g = &ts_reader_gen_training;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const char *names[] = {"workload", "read_threads"};
        const char *values[] = {strchr(cases[k].w, '=') + 1, strchr(cases[k].rt, '=') + 1};
        void *params = NULL;
        ts_err_t err = {0};
        assert_int_equal(ts_plugin_params(&g->base, names, values, 2, &params, &err), 0);
        ts_reader_hints_t h;
        ts_reader_hints(g, params, &h);
        assert_int_equal(h.read_threads, cases[k].want);
        ts_free(params);
    }
}

/* ---- trace info figures ---- */

static void test_training_trace_info_matches_parameters(void **state)
{
    (void)state;
    /* lognormal sizes: the footprint is the sum of each sample's own size, and every epoch
     * requests each sample once, so requested = epochs x footprint exactly. */
    const char *kv[] = {"workload=custom",     "samples=3000",   "sample_size=100KiB",
                        "size_dist=lognormal", "size_sigma=0.5", "size_min=1KiB",
                        "size_max=10MiB",      "epochs=4",       "compute=10ms",
                        "gpus_per_node=8",     "batch=16"};
    ts_reader_t *r = OPEN(2, kv);
    ts_trace_stats_t st;
    ts_err_t err = {0};
    assert_int_equal(ts_trace_stats(r, &st, &err), 0);
    assert_int_equal(st.n_requests, 4 * 3000);
    assert_int_equal(st.n_keys, 3000);
    assert_int_equal(st.requested_bytes, 4 * st.footprint_bytes);
    assert_int_equal(st.n_ops[TS_OP_GET], 12000);
    assert_int_equal(st.n_time_backwards, 0);
    /* 375 samples a rank, 24 steps an epoch, 96 steps; prefetch 2: the last batch is issued
     * at the start of step 93 */
    assert_int_equal(st.last_ns, 93 * 10000000ull);
    /* mean of a lognormal with median m and sigma s: m exp(s^2 / 2) = 116.0 KiB; 3000
     * samples give a relative standard error of about sqrt(exp(s^2) - 1) / sqrt(3000) = 1% */
    double mean = 102400.0 * exp(0.125);
    assert_true(fabs(st.size_mean_bytes - mean) < 0.05 * mean);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, 12000);
    assert_int_equal(info.n_keys, 3000);
    ts_reader_close(r);
}

/* ---- checkpoints and restarts ---- */

static void test_training_checkpoints_and_restart_counted_by_hand(void **state)
{
    (void)state;
    /* 20 samples, 2 ranks x batch 2: 10 per rank, 5 steps an epoch, 2 epochs = steps 0..9.
     * Checkpoint every 3 steps (after steps 2, 5, 8: versions 1, 2, 3) of 1000 params x 14
     * bytes = 14000 bytes, 7000 a rank, chunks of 4096: 4096 + 2904, 4 chunks in all.
     * ckpt_local: 4 local PUTs, then 4 x (GET local + PUT remote) = 12 requests each.
     * One restart, when progress reaches 10 / 2 = 5 steps (after step 4): it reads version 1
     * (4 GETs) and resumes at step 3. Steps run: 0..4 then 3..9 (12 steps, 12 ms).
     * Reads, prefetch 1: batches 0..5, then 3..9 again: 13 batches x 4 = 52 GETs.
     * Checkpoints written: v1 in the first run, v2 and v3 after the restart: 36 requests
     * (24 PUTs, 12 GETs). Total 52 + 36 + 4 = 92 requests: 68 GETs, 24 PUTs.
     * Keys: 20 samples + 3 versions x 4 chunks x 2 (local and remote) = 44. */
    const char *kv[] = {"workload=custom",   "samples=20",         "sample_size=4KiB",
                        "batch=2",           "gpus_per_node=2",    "epochs=2",
                        "compute=1ms",       "prefetch=1",         "ckpt_every=3",
                        "model_params=1000", "bytes_per_param=14", "ckpt_chunk=4KiB",
                        "ckpt_local=true",   "restarts=1"};
    ts_reader_t *r = OPEN(4, kv);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, 92);
    assert_int_equal(info.n_keys, 44);
    ts_req_t q;
    uint64_t n = 0, n_ck_put = 0, n_ck_get = 0, b_ck_put = 0, n_restore = 0, last = 0;
    uint64_t n_local_put = 0;
    while (next_req(r, &q)) {
        n++;
        assert_true(q.time_ns >= last);
        last = q.time_ns;
        if (!(q.flags & TS_REQ_CHECKPOINT)) {
            assert_true(q.key < 20);
            continue;
        }
        assert_true(q.key >> 63);
        bool is_local = (q.key >> 62) & 1;
        if (q.op == TS_OP_PUT) {
            n_ck_put++;
            b_ck_put += q.size_bytes;
            n_local_put += is_local;
        } else {
            n_ck_get++;
            if (!is_local) { /* a restore: version 1 */
                n_restore++;
                assert_int_equal((q.key >> 40) & 0x3fffff, 1);
                assert_int_equal(q.time_ns, 5000000); /* the failure ends step 4 */
            }
        }
    }
    assert_int_equal(n, 92);
    assert_int_equal(n_ck_put, 24);
    assert_int_equal(n_local_put, 12);
    assert_int_equal(b_ck_put, 3 * 2 * 14000); /* each version written locally and remotely */
    assert_int_equal(n_ck_get, 12 + 4);
    assert_int_equal(n_restore, 4);
    assert_int_equal(last, 11000000); /* drain of v3 at the start of step 9 (the 12th) */
    /* Progress: batches 0..5 were read before the failure; after it batches 3..5 are read
     * again (not progress) and 6..9 for the first time: 6 x 4 + 4 x 4 = 40 new reads of 20
     * samples = 2 epochs, the two the run trains; 2 ranks = 2 GPUs. */
    ts_reader_units_t u;
    ts_reader_units(r, &u);
    assert_true(u.epochs == 2.0);
    assert_int_equal(u.gpus, 2);
    ts_err_t err = {0};
    assert_int_equal(ts_reader_reset(r, &err), 0);
    ts_reader_units(r, &u);
    assert_true(u.epochs == 0.0); /* counted since the reset */
    ts_reader_close(r);
}

/* A checkpoint of an 8B model at bf16 + fp32 Adam (14 B/param) over 8 ranks: 112e9 bytes,
 * 14e9 a rank, in 1 GiB chunks: 13 full chunks + 14e9 - 13 GiB. */
static void test_training_checkpoint_size_from_params(void **state)
{
    (void)state;
    const char *kv[] = {"workload=custom", "samples=80",      "sample_size=4KiB",
                        "batch=10",        "epochs=1",        "compute=1s",
                        "ckpt_every=1",    "ckpt_chunk=1GiB", "prefetch=0"};
    ts_reader_t *r = OPEN(1, kv);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, 80 + 8 * 14);
    ts_req_t q;
    uint64_t bytes = 0, n = 0, per_rank[8] = {0};
    while (next_req(r, &q))
        if (q.flags & TS_REQ_CHECKPOINT) {
            assert_int_equal(q.op, TS_OP_PUT);
            assert_int_equal(q.time_ns, 1000000000ull); /* end of the only step */
            bytes += q.size_bytes;
            per_rank[q.stream] += q.size_bytes;
            n++;
        }
    assert_int_equal(bytes, 112000000000ull);
    assert_int_equal(n, 8 * 14);
    for (int i = 0; i < 8; i++)
        assert_int_equal(per_rank[i], 14000000000ull);
    ts_reader_close(r);
}

/* info()'s request and key counts equal what the generator emits, with and without
 * restarts (counted in closed form, or by walking the run), for both shard modes. */
static void test_training_info_counts_what_it_emits(void **state)
{
    (void)state;
    static const char *const cases[][4] = {
        {"shard=global", "restarts=0", "ckpt_local=true", "prefetch=0"},
        {"shard=global", "restarts=2", "ckpt_local=true", "prefetch=4"},
        {"shard=rank", "restarts=0", "ckpt_local=false", "prefetch=1"},
        {"shard=rank", "restarts=3", "ckpt_local=true", "prefetch=2"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const char *kv[] = {"workload=custom",  "samples=1003",    "sample_size=4KiB",
                            "batch=9",          "nodes=3",         "gpus_per_node=2",
                            "epochs=3",         "compute=1ms",     "ckpt_every=7",
                            "model_params=5e6", "ckpt_chunk=1MiB", cases[k][0],
                            cases[k][1],        cases[k][2],       cases[k][3]};
        ts_reader_t *r = OPEN(6, kv);
        ts_reader_info_t info;
        ts_reader_info(r, &info);
        ts_trace_stats_t st;
        ts_err_t err = {0};
        assert_int_equal(ts_trace_stats(r, &st, &err), 0);
        print_message("case %zu: %llu requests, %llu keys\n", k, (unsigned long long)st.n_requests,
                      (unsigned long long)st.n_keys);
        assert_int_equal(st.n_requests, info.n_requests);
        assert_int_equal(st.n_keys, info.n_keys);
        assert_int_equal(st.n_time_backwards, 0);
        if (k == 0) {
            /* by hand: 3 x 1003 reads; 6 ranks, shares of at most 168, 19 steps an epoch, 57
             * steps, 8 checkpoints of 5e6 x 14 B = 70e6 B, 11666667 B a rank = 12 chunks of
             * 1 MiB, 72 chunks, each put locally, read and put remotely: 3009 + 8 x 216 */
            assert_int_equal(st.n_requests, 3009 + 8 * 216);
            assert_int_equal(st.n_keys, 1003 + 8 * 72 * 2);
        }
        ts_reader_close(r);
    }
}

/* ---- determinism ---- */

static void test_training_same_seed_same_requests_other_seed_other_order(void **state)
{
    (void)state;
    const char *kv[] = {"workload=custom", "samples=5000", "sample_size=4KiB",
                        "epochs=2",        "compute=1ms",  "batch=8",
                        "ckpt_every=50",   "restarts=1",   "model_params=1e6"};
    ts_reader_t *a = OPEN(11, kv), *b = OPEN(11, kv), *c = OPEN(12, kv);
    ts_reader_info_t info;
    ts_reader_info(a, &info);
    ts_req_t *first = calloc(info.n_requests, sizeof(ts_req_t));
    ts_req_t qa, qb, qc;
    uint64_t n = 0, n_same_c = 0;
    while (next_req(a, &qa)) {
        assert_true(next_req(b, &qb));
        assert_true(next_req(c, &qc));
        assert_memory_equal(&qa, &qb, sizeof(qa));
        n_same_c += qa.key == qc.key;
        first[n++] = qa;
    }
    assert_int_equal(n, info.n_requests);
    assert_false(next_req(b, &qb));
    /* a random permutation fixes about 1 sample of N; checkpoint keys are the same */
    print_message("%llu of %llu keys equal under another seed\n", (unsigned long long)n_same_c,
                  (unsigned long long)n);
    assert_true(n_same_c < n / 10);
    ts_err_t err = {0};
    assert_int_equal(ts_reader_reset(a, &err), 0);
    for (uint64_t i = 0; i < n; i++) {
        assert_true(next_req(a, &qa));
        assert_memory_equal(&qa, &first[i], sizeof(qa));
    }
    assert_false(next_req(a, &qa));
    free(first);
    ts_reader_close(a);
    ts_reader_close(b);
    ts_reader_close(c);
}

/* requests = 3000 over unet3d's 168 samples: 18 epochs run (3024 reads), cut at 3000. */
static void test_training_requests_cuts_the_trace(void **state)
{
    (void)state;
    const char *kv[] = {"requests=3000"};
    ts_reader_t *r = OPEN(8, kv);
    ts_reader_info_t info;
    ts_reader_info(r, &info);
    assert_int_equal(info.n_requests, 3000);
    assert_int_equal(info.n_keys, 168);
    uint32_t owner[168];
    for (int e = 0; e < 17; e++) {
        uint64_t per_rank[8] = {0};
        read_epoch(r, 168, owner, per_rank);
        for (int i = 0; i < 8; i++)
            assert_int_equal(per_rank[i], 21);
    }
    ts_req_t q;
    for (int i = 0; i < 3000 - 17 * 168; i++)
        assert_true(next_req(r, &q));
    assert_false(next_req(r, &q));
    ts_reader_units_t u; /* 3000 first-time reads of 168 samples: 3000 / 168 epochs */
    ts_reader_units(r, &u);
    assert_true(fabs(u.epochs - 3000.0 / 168.0) < 1e-12);
    assert_int_equal(u.gpus, 8);
    ts_reader_close(r);
}

/* ---- errors ---- */

static void test_training_bad_params_name_the_key(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *kv[4];
        int code;
        const char *msg;
    } cases[] = {
        {"custom without samples",
         {"workload=custom", "sample_size=1KiB", "batch=1"},
         TS_EINVAL,
         "samples"},
        {"custom without batch",
         {"workload=custom", "samples=10", "sample_size=1KiB"},
         TS_EINVAL,
         "batch"},
        {"custom without size",
         {"workload=custom", "samples=10", "batch=1"},
         TS_EINVAL,
         "sample_size"},
        {"files that do not divide",
         {"samples=10", "samples_per_file=3", "shuffle=file"},
         TS_EINVAL,
         "samples_per_file"},
        {"too many chunks",
         {"ckpt_every=1", "ckpt_chunk=1KiB", "model_params=1e12"},
         TS_EINVAL,
         "ckpt_chunk"},
        {"zero epochs", {"epochs=0"}, TS_ERANGE, "epochs"},
        {"unknown accelerator", {"accelerator=tpu"}, TS_EPARSE, "accelerator"},
        {"unknown key", {"epoch=3"}, TS_ENOENT, "epoch"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        size_t n = 0;
        while (n < 4 && cases[k].kv[n])
            n++;
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        int rc = train_open(1, cases[k].kv, n, &r, &err);
        print_message("case: %s -> %s: %s\n", cases[k].name, err.where, err.msg);
        assert_int_equal(rc, cases[k].code);
        assert_null(r);
        assert_true(strstr(err.msg, cases[k].msg) || strstr(err.where, cases[k].msg));
    }
}

static void test_training_open_oom(void **state)
{
    (void)state;
    const char *kv[] = {"samples=100"};
    for (long n = 0;; n++) {
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        ts_mem_fail_after(n);
        int rc = train_open(1, kv, 1, &r, &err);
        ts_mem_fail_after(-1);
        if (rc == 0) {
            assert_true(n > 0);
            ts_reader_close(r);
            break;
        }
        assert_int_equal(rc, TS_ENOMEM);
        assert_null(r);
        assert_true(n < 100);
    }
}

/* until_full alone: admits the first objects that fit, then refuses everything. */
static void test_training_until_full_admits_first_then_none(void **state)
{
    (void)state;
    const char *names[] = {"objects", "bytes"}, *values[] = {"3", "10KiB"};
    ts_admit_t *a = NULL;
    ts_err_t err = {0};
    assert_int_equal(ts_admit_create_kv(&ts_admit_until_full, names, values, 2, &a, &err), 0);
    ts_req_t q = {.size_bytes = 4096};
    assert_true(a->ops->admit(a, &q));  /* 4 KiB */
    assert_true(a->ops->admit(a, &q));  /* 8 KiB */
    assert_false(a->ops->admit(a, &q)); /* 12 KiB > 10 KiB */
    q.size_bytes = 2048;
    assert_true(a->ops->admit(a, &q)); /* 10 KiB, 3 objects */
    q.size_bytes = 1;
    assert_false(a->ops->admit(a, &q)); /* the object limit */
    ts_admit_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_training_no_evict_hits_c_over_n_lru_thrashes),
        cmocka_unit_test(test_training_fast_engine_no_evict_total),
        cmocka_unit_test(test_training_batches_are_groups),
        cmocka_unit_test(test_training_every_sample_once_per_epoch_and_shards),
        cmocka_unit_test(test_training_file_shuffle_keeps_files_together),
        cmocka_unit_test(test_training_step_times_follow_compute_and_prefetch),
        cmocka_unit_test(test_training_checkpoint_pause_and_drain_times),
        cmocka_unit_test(test_training_presets_from_dlio_configs),
        cmocka_unit_test(test_training_resnet50_files_and_read_threads),
        cmocka_unit_test(test_training_trace_info_matches_parameters),
        cmocka_unit_test(test_training_checkpoints_and_restart_counted_by_hand),
        cmocka_unit_test(test_training_checkpoint_size_from_params),
        cmocka_unit_test(test_training_info_counts_what_it_emits),
        cmocka_unit_test(test_training_same_seed_same_requests_other_seed_other_order),
        cmocka_unit_test(test_training_requests_cuts_the_trace),
        cmocka_unit_test(test_training_bad_params_name_the_key),
        cmocka_unit_test(test_training_open_oom),
        cmocka_unit_test(test_training_until_full_admits_first_then_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
