/* SPDX-License-Identifier: MIT */
/*
 * test_gen.c - workload generators: the registry and its checks; determinism (same seed,
 * same requests; another seed, other requests) and exact replay after reset; the loop's
 * exact cycle; uniform and Zipf frequencies against theory (chi-square, rank-1 share
 * 1/H(N, alpha), rank1/rank2 = 2^alpha) for both Zipf samplers; sizes that are a function
 * of the key and stay in bounds; put ratio and arrivals; mix's scan placement; errors and
 * TS_ENOMEM from every allocation of open.
 *
 * Statistical checks use 5-sigma (or chi-square mean + 6 sd) tolerances with fixed seeds,
 * so they are deterministic and far from flaky.
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

#include "sim/util/mem.h"
#include "workloads/gen.h"


static int gen_open(const char *kind, uint64_t seed, const char *const *kv, size_t n,
                    ts_reader_t **r, ts_err_t *err)
{
    return gen_test_open(kind, seed, kv, n, r, err);
}

static ts_reader_t *gen_open_ok(const char *kind, uint64_t seed, const char *const *kv,
                                size_t n)
{
    return gen_test_open_ok(kind, seed, kv, n);
}

static void next_ok(ts_reader_t *r, ts_req_t *q)
{
    ts_err_t err = {0};
    assert_int_equal(ts_reader_next(r, q, &err), 1);
}

static bool req_equal(const ts_req_t *a, const ts_req_t *b)
{
    return a->time_ns == b->time_ns && a->key == b->key && a->size_bytes == b->size_bytes &&
           a->op == b->op && a->stream == b->stream && a->flags == b->flags;
}

/* ---- registry ---- */

static void test_gen_registry(void **state)
{
    (void)state;
    ts_err_t err = {0};
    assert_int_equal(ts_registry_check(&ts_generators, &err), 0);
    assert_int_equal(ts_registry_count(&ts_generators), 8);
    for (size_t i = 0; i < ts_registry_count(&ts_generators); i++) {
        const ts_reader_ops_t *g = ts_reader_ops_of(ts_registry_at(&ts_generators, i));
        assert_true(g->base.flags & TS_READER_GENERATOR);
        assert_ptr_equal(ts_gen_find(g->base.name, NULL), g);
        if (i > 0)
            assert_true(strcmp(ts_registry_at(&ts_generators, i - 1)->name, g->base.name) < 0);
    }
    assert_null(ts_registry_at(&ts_generators, ts_registry_count(&ts_generators)));
    assert_null(ts_gen_find("zipg", &err));
    assert_int_equal(err.code, TS_ENOENT);
    assert_non_null(strstr(err.msg, "did you mean 'zipf'"));
    ts_err_clear(&err);
    assert_null(ts_gen_find("bogus", &err));
    assert_non_null(strstr(err.msg, "agentic, checkpoint, inference, loop, mix, training, uniform, zipf"));
}

/* The basic generators take the common parameters (requests, keys, sizes, arrivals); the
 * workload families (agentic, ...) have their own and their own test files. */
static bool has_common(const ts_reader_ops_t *ops)
{
    return ts_param_find(ops->base.params, ops->base.params_count, "requests") != NULL;
}

/* ---- determinism ---- */

static const char *const k_busy_kv[] = {"requests=3000", "keys=500",         "put_ratio=0.3",
                                        "arrival=poisson", "size_dist=lognormal", "scan_every=50"};

static const char *const k_requests_kv[] = {"requests=3000"};

/* kv for kind: mix takes scan_every, the basic kinds the common parameters; the workload
 * models (inference, ...) have their own and only share `requests`. */
static size_t busy_n(const char *kind)
{
    if (strcmp(kind, "mix") == 0)
        return 6;
    if (strcmp(kind, "loop") == 0 || strcmp(kind, "uniform") == 0 || strcmp(kind, "zipf") == 0)
        return 5;
    return 1;
}

static const char *const *busy_kv(const char *kind)
{
    return busy_n(kind) == 1 ? k_requests_kv : k_busy_kv;
}

static void test_gen_same_seed_same_requests_and_reset_replays(void **state)
{
    (void)state;
    for (size_t g = 0; g < ts_registry_count(&ts_generators); g++) {
        if (!has_common(ts_reader_ops_of(ts_registry_at(&ts_generators, g))))
            continue;
        const char *kind = ts_registry_at(&ts_generators, g)->name;
        print_message("kind: %s\n", kind);
        ts_reader_t *a = gen_open_ok(kind, 11, busy_kv(kind), busy_n(kind));
        ts_reader_t *b = gen_open_ok(kind, 11, busy_kv(kind), busy_n(kind));
        ts_req_t *first = calloc(3000, sizeof(ts_req_t));
        ts_req_t qa, qb;
        for (int i = 0; i < 3000; i++) {
            next_ok(a, &qa);
            next_ok(b, &qb);
            assert_true(req_equal(&qa, &qb));
            first[i] = qa;
        }
        ts_err_t err = {0};
        assert_int_equal(ts_reader_next(a, &qa, &err), 0);
        assert_int_equal(ts_reader_reset(a, &err), 0);
        for (int i = 0; i < 3000; i++) {
            next_ok(a, &qa);
            assert_true(req_equal(&qa, &first[i]));
        }
        assert_int_equal(ts_reader_next(a, &qa, &err), 0);
        ts_reader_info_t info;
        ts_reader_info(a, &info);
        assert_int_equal(info.n_requests, 3000);
        free(first);
        ts_reader_close(a);
        ts_reader_close(b);
    }
}

static void test_gen_other_seed_other_requests(void **state)
{
    (void)state;
    for (size_t g = 0; g < ts_registry_count(&ts_generators); g++) {
        if (!has_common(ts_reader_ops_of(ts_registry_at(&ts_generators, g))))
            continue;
        const char *kind = ts_registry_at(&ts_generators, g)->name;
        ts_reader_t *a = gen_open_ok(kind, 1, busy_kv(kind), busy_n(kind));
        ts_reader_t *b = gen_open_ok(kind, 2, busy_kv(kind), busy_n(kind));
        int n_same = 0;
        ts_req_t qa, qb;
        for (int i = 0; i < 1000; i++) {
            next_ok(a, &qa);
            next_ok(b, &qb);
            n_same += req_equal(&qa, &qb);
        }
        print_message("kind: %s, %d equal\n", kind, n_same);
        assert_true(n_same < 50); /* request 0 is at time 0 for both; keys then differ */
        ts_reader_close(a);
        ts_reader_close(b);
    }
}

/* ---- loop ---- */

static void test_gen_loop_is_an_exact_cycle(void **state)
{
    (void)state;
    static const char *const kv[] = {"requests=2500", "keys=1000", "interarrival=3us"};
    ts_reader_t *r = gen_open_ok("loop", 5, kv, 3);
    ts_req_t q;
    for (uint64_t i = 0; i < 2500; i++) {
        next_ok(r, &q);
        assert_true(q.key == i % 1000);
        assert_true(q.time_ns == i * 3000);
        assert_true(q.size_bytes == 4096);
        assert_int_equal(q.op, TS_OP_GET);
    }
    ts_err_t err = {0};
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    ts_reader_close(r);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Scrambling is a bijection: N ranks give N distinct keys, in a cycle. */
static void test_gen_scramble_is_a_bijection(void **state)
{
    (void)state;
    enum { N = 20000 };
    static const char *const kv[] = {"requests=40000", "keys=20000", "scramble=true"};
    ts_reader_t *r = gen_open_ok("loop", 5, kv, 3);
    uint64_t *keys = malloc(N * sizeof(uint64_t));
    ts_req_t q;
    size_t n_small = 0;
    for (int i = 0; i < N; i++) {
        next_ok(r, &q);
        keys[i] = q.key;
        n_small += q.key < N;
    }
    for (int i = 0; i < N; i++) {
        next_ok(r, &q);
        assert_true(q.key == keys[i]);
    }
    qsort(keys, N, sizeof(uint64_t), cmp_u64);
    for (int i = 1; i < N; i++)
        assert_true(keys[i - 1] != keys[i]);
    assert_true(n_small < 5); /* scrambled keys spread over 2^64 */
    free(keys);
    ts_reader_close(r);
}

/* ---- uniform ---- */

static void test_gen_uniform_frequencies(void **state)
{
    (void)state;
    enum { N = 1000, M = 1000000 };
    static const char *const kv[] = {"requests=1M", "keys=1000", "scramble=false"};
    ts_reader_t *r = gen_open_ok("uniform", 3, kv, 3);
    uint64_t *count = calloc(N, sizeof(uint64_t));
    double sum = 0;
    ts_req_t q;
    for (int i = 0; i < M; i++) {
        next_ok(r, &q);
        assert_true(q.key < N);
        count[q.key]++;
        sum += (double)q.key;
    }
    /* Mean (N - 1) / 2 with sd sqrt((N^2 - 1) / 12 / M) = 0.289. */
    assert_true(fabs(sum / M - 499.5) < 5 * 0.289);
    /* Chi-square with N - 1 = 999 degrees of freedom: mean 999, sd sqrt(2 * 999) = 44.7. */
    double chi2 = 0, e = (double)M / N;
    for (int k = 0; k < N; k++)
        chi2 += ((double)count[k] - e) * ((double)count[k] - e) / e;
    print_message("uniform chi2 = %.1f\n", chi2);
    assert_true(chi2 > 999 - 6 * 44.7 && chi2 < 999 + 6 * 44.7);
    free(count);
    ts_reader_close(r);
}

/* ---- zipf ---- */

static double harmonic(uint64_t n, double alpha)
{
    double h = 0;
    for (uint64_t k = n; k >= 1; k--)
        h += pow((double)k, -alpha);
    return h;
}

struct zipf_case {
    const char *name;
    const char *keys;
    uint64_t n;
    const char *alpha;
    double a;
    const char *sampler;
};

static const struct zipf_case k_zipf_cases[] = {
    {"alias 0.7", "1000", 1000, "0.7", 0.7, "alias"},
    {"alias 1", "1000", 1000, "1", 1.0, "alias"},
    {"alias 1.3", "1000", 1000, "1.3", 1.3, "alias"},
    {"rejection 0", "1000", 1000, "0", 0.0, "rejection"},
    {"rejection 0.7", "1000", 1000, "0.7", 0.7, "rejection"},
    {"rejection 0.99", "1000", 1000, "0.99", 0.99, "rejection"},
    {"rejection 1", "1000", 1000, "1", 1.0, "rejection"},
    {"rejection 1.3", "1000", 1000, "1.3", 1.3, "rejection"},
    {"rejection 2.5", "1000", 1000, "2.5", 2.5, "rejection"},
    {"rejection 1 1M keys", "1M", 1000000, "1", 1.0, "rejection"},
    {"rejection 0.8 1M keys", "1M", 1000000, "0.8", 0.8, "rejection"},
    {"auto 0.9 small", "7", 7, "0.9", 0.9, "auto"},
};

/* Chi-square over ranks 0..B-1 and one bin for the rest, rank-1 share and rank1/rank2. */
static void test_gen_zipf_frequencies(void **state)
{
    (void)state;
    enum { M = 1000000, B = 40 };
    for (size_t c = 0; c < sizeof(k_zipf_cases) / sizeof(k_zipf_cases[0]); c++) {
        const struct zipf_case *zc = &k_zipf_cases[c];
        char keys[32], alpha[32], sampler[32];
        snprintf(keys, sizeof(keys), "keys=%s", zc->keys);
        snprintf(alpha, sizeof(alpha), "alpha=%s", zc->alpha);
        snprintf(sampler, sizeof(sampler), "sampler=%s", zc->sampler);
        const char *kv[] = {"requests=1M", keys, alpha, sampler, "scramble=false"};
        ts_reader_t *r = gen_open_ok("zipf", 17 + c, kv, 5);
        uint64_t count[B + 1] = {0};
        ts_req_t q;
        for (int i = 0; i < M; i++) {
            next_ok(r, &q);
            assert_true(q.key < zc->n);
            count[q.key < B ? q.key : B]++;
        }
        ts_reader_close(r);

        double h = harmonic(zc->n, zc->a);
        double p1 = 1.0 / h, sd1 = sqrt(p1 * (1 - p1) / M);
        double f1 = (double)count[0] / M;
        uint64_t bins = zc->n < B ? zc->n : B + 1;
        double chi2 = 0, p_head = 0;
        for (uint64_t k = 0; k < bins; k++) {
            double p = k < B ? pow((double)(k + 1), -zc->a) / h : 1.0 - p_head;
            if (k < B)
                p_head += p;
            double e = p * M;
            chi2 += ((double)count[k] - e) * ((double)count[k] - e) / e;
        }
        double dof = (double)bins - 1;
        double ratio = (double)count[0] / (double)count[1];
        double ratio_sd = pow(2, zc->a) * sqrt(1.0 / (double)count[0] + 1.0 / (double)count[1]);
        print_message("case %s: f1 %.5f (theory %.5f), r12 %.4f (theory %.4f), chi2 %.1f "
                      "(dof %.0f)\n",
                      zc->name, f1, p1, ratio, pow(2, zc->a), chi2, dof);
        assert_true(fabs(f1 - p1) < 5 * sd1);
        assert_true(fabs(ratio - pow(2, zc->a)) < 5 * ratio_sd);
        assert_true(chi2 < dof + 6 * sqrt(2 * dof));
    }
}

/* ---- sizes ---- */

struct size_case {
    const char *name;
    const char *dist;
};

static void test_gen_sizes_are_per_key_and_in_bounds(void **state)
{
    (void)state;
    static const char *const dists[] = {"fixed", "uniform", "lognormal", "pareto"};
    enum { N = 2000 };
    uint64_t *size = malloc(N * sizeof(uint64_t));
    for (size_t d = 0; d < 4; d++) {
        char dist[64];
        snprintf(dist, sizeof(dist), "size_dist=%s", dists[d]);
        const char *kv[] = {"requests=20000", "keys=2000", "scramble=false", dist,
                            "size=10KiB",     "size_min=1KiB", "size_max=64KiB"};
        ts_reader_t *r = gen_open_ok("uniform", 23, kv, 7);
        ts_reader_t *r2 = gen_open_ok("zipf", 23, kv, 7); /* another generator, same seed */
        for (uint64_t k = 0; k < N; k++)
            size[k] = UINT64_MAX;
        ts_req_t q;
        int n_distinct_sizes = 0;
        for (int i = 0; i < 20000; i++) {
            next_ok(r, &q);
            if (size[q.key] == UINT64_MAX) {
                size[q.key] = q.size_bytes;
                n_distinct_sizes++;
            }
            assert_true(size[q.key] == q.size_bytes);
            if (d == 0)
                assert_true(q.size_bytes == 10240);
            else
                assert_true(q.size_bytes >= 1024 && q.size_bytes <= 65536);
            next_ok(r2, &q);
            if (size[q.key] != UINT64_MAX)
                assert_true(size[q.key] == q.size_bytes);
        }
        print_message("dist %s: ok\n", dists[d]);
        ts_reader_close(r);
        ts_reader_close(r2);
    }
    free(size);
}

/* Each key once (a loop over N keys): the size distribution against theory. */
static void test_gen_size_distributions(void **state)
{
    (void)state;
    enum { N = 100000 };
    /* uniform on [1000, 3000]: mean 2000, sd 577.6 / sqrt(N) = 1.83 */
    {
        const char *kv[] = {"requests=100000", "keys=100000", "size_dist=uniform",
                            "size_min=1000", "size_max=3000"};
        ts_reader_t *r = gen_open_ok("loop", 9, kv, 5);
        double sum = 0;
        ts_req_t q;
        for (int i = 0; i < N; i++) {
            next_ok(r, &q);
            sum += (double)q.size_bytes;
        }
        assert_true(fabs(sum / N - 2000) < 5 * 1.83);
        ts_reader_close(r);
    }
    /* lognormal: median `size`: P(size <= 8KiB) = 0.5, sd 0.0016 */
    /* pareto alpha 1.5 scale 1KiB: P(size > 2KiB) = 2^-1.5 = 0.3536, sd 0.0015 */
    static const struct {
        const char *dist;
        uint64_t at;
        double p_above;
    } cases[] = {{"size_dist=lognormal", 8192, 0.5}, {"size_dist=pareto", 2048, 0.35355}};
    for (size_t c = 0; c < 2; c++) {
        const char *kv[] = {"requests=100000", "keys=100000", cases[c].dist, "size=8KiB",
                            "size_min=1KiB",   "size_max=1GiB", "size_alpha=1.5"};
        ts_reader_t *r = gen_open_ok("loop", 9, kv, 7);
        int above = 0;
        ts_req_t q;
        for (int i = 0; i < N; i++) {
            next_ok(r, &q);
            above += q.size_bytes > cases[c].at;
        }
        double p = cases[c].p_above, sd = sqrt(p * (1 - p) / N);
        print_message("%s: %.4f above (theory %.4f)\n", cases[c].dist, (double)above / N, p);
        assert_true(fabs((double)above / N - p) < 5 * sd + 1e-3);
        ts_reader_close(r);
    }
}

/* ---- ops and arrivals ---- */

static void test_gen_put_ratio_and_arrivals(void **state)
{
    (void)state;
    enum { M = 200000 };
    static const char *const kv[] = {"requests=200000", "keys=100", "put_ratio=30%",
                                     "arrival=poisson", "interarrival=2us"};
    ts_reader_t *r = gen_open_ok("uniform", 4, kv, 5);
    int puts = 0;
    ts_req_t q;
    uint64_t prev = 0;
    for (int i = 0; i < M; i++) {
        next_ok(r, &q);
        assert_true(q.op == TS_OP_GET || q.op == TS_OP_PUT);
        puts += q.op == TS_OP_PUT;
        if (i == 0)
            assert_true(q.time_ns == 0);
        assert_true(q.time_ns >= prev);
        prev = q.time_ns;
    }
    /* 30% puts, sd sqrt(0.21 / M) = 0.001; mean gap 2000 ns with sd 2000 / sqrt(M) = 4.5 */
    assert_true(fabs((double)puts / M - 0.3) < 5 * 0.001);
    assert_true(fabs((double)prev / (M - 1) - 2000) < 5 * 4.5);
    ts_reader_close(r);

    static const char *const all_puts[] = {"requests=100", "put_ratio=1"};
    r = gen_open_ok("zipf", 4, all_puts, 2);
    for (int i = 0; i < 100; i++) {
        next_ok(r, &q);
        assert_int_equal(q.op, TS_OP_PUT);
        assert_true(q.time_ns == (uint64_t)i * 1000); /* default: fixed 1us gaps */
    }
    ts_reader_close(r);
}

/* ---- mix ---- */

static void test_gen_mix_places_scans(void **state)
{
    (void)state;
    static const struct {
        const char *scan_keys;
        uint64_t n_scan_keys;
    } cases[] = {{"scan_keys=0", 10}, {"scan_keys=25", 25}};
    for (size_t c = 0; c < 2; c++) {
        const char *kv[] = {"requests=5000",  "keys=1000",      "scramble=false",
                            "scan_every=100", "scan_length=10", cases[c].scan_keys};
        ts_reader_t *r = gen_open_ok("mix", 8, kv, 6);
        ts_reader_info_t info;
        ts_reader_info(r, &info);
        assert_int_equal(info.n_keys, 1000 + cases[c].n_scan_keys);
        ts_req_t q;
        uint64_t cursor = 0;
        for (int i = 0; i < 5000; i++) {
            next_ok(r, &q);
            if (i % 110 < 100) {
                assert_true(q.key < 1000);
            } else {
                assert_true(q.key == 1000 + cursor);
                cursor = (cursor + 1) % cases[c].n_scan_keys;
            }
        }
        ts_reader_close(r);
    }
    /* scan_length 0: pure Zipf */
    static const char *const none[] = {"requests=1000", "keys=50", "scramble=false",
                                       "scan_every=10", "scan_length=0"};
    ts_reader_t *r = gen_open_ok("mix", 8, none, 5);
    ts_req_t q;
    for (int i = 0; i < 1000; i++) {
        next_ok(r, &q);
        assert_true(q.key < 50);
    }
    ts_reader_close(r);
}

/* ---- errors ---- */

static void test_gen_bad_params(void **state)
{
    (void)state;
    static const struct {
        const char *kind;
        const char *kv[3];
        size_t n;
        int code;
        const char *msg;
    } cases[] = {
        {"uniform", {"size_dist=uniform", "size_min=2KiB", "size_max=1KiB"}, 3, TS_EINVAL,
         "size_min (2048) is larger than size_max (1024)"},
        {"loop", {"size_dist=pareto", "size_min=0"}, 2, TS_EINVAL, "pareto"},
        {"zipf", {"keys=0"}, 1, TS_ERANGE, "keys must be between"},
        {"zipf", {"alpha=-1"}, 1, TS_ERANGE, "alpha"},
        {"zipf", {"keys=5000000000", "sampler=alias"}, 2, TS_EINVAL, "at most 2^32 keys"},
        {"mix", {"scan_every=0"}, 1, TS_ERANGE, "scan_every"},
        {"zipf", {"sampler=walker"}, 1, TS_EPARSE, "auto|alias|rejection"},
        {"uniform", {"alpha=1"}, 1, TS_ENOENT, "unknown key 'alpha'"},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        ts_err_t err = {0};
        ts_reader_t *r = NULL;
        print_message("case %zu: %s %s\n", c, cases[c].kind, cases[c].kv[0]);
        assert_int_equal(gen_open(cases[c].kind, 1, cases[c].kv, cases[c].n, &r, &err),
                         cases[c].code);
        assert_null(r);
        if (!strstr(err.msg, cases[c].msg))
            print_error("got: %s\n", err.msg);
        assert_non_null(strstr(err.msg, cases[c].msg));
    }
}

static void test_gen_zero_requests(void **state)
{
    (void)state;
    static const char *const kv[] = {"requests=0"};
    ts_reader_t *r = gen_open_ok("zipf", 1, kv, 1);
    ts_err_t err = {0};
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    ts_reader_close(r);
}

static void test_gen_open_oom(void **state)
{
    (void)state;
    static const char *const kv[] = {"requests=10", "keys=100"};
    for (size_t g = 0; g < ts_registry_count(&ts_generators); g++) {
        for (long n = 0;; n++) {
            ts_err_t err = {0};
            ts_reader_t *r = NULL;
            ts_mem_fail_after(n);
            const char *kind = ts_registry_at(&ts_generators, g)->name;
            const ts_reader_ops_t *ops = ts_reader_ops_of(ts_registry_at(&ts_generators, g));
            size_t n_kv = !has_common(ops) ? 0 : busy_n(kind) == 1 ? 1 : 2;
            int rc = gen_open(kind, 1, kv, n_kv, &r, &err);
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_registry),
        cmocka_unit_test(test_gen_same_seed_same_requests_and_reset_replays),
        cmocka_unit_test(test_gen_other_seed_other_requests),
        cmocka_unit_test(test_gen_loop_is_an_exact_cycle),
        cmocka_unit_test(test_gen_scramble_is_a_bijection),
        cmocka_unit_test(test_gen_uniform_frequencies),
        cmocka_unit_test(test_gen_zipf_frequencies),
        cmocka_unit_test(test_gen_sizes_are_per_key_and_in_bounds),
        cmocka_unit_test(test_gen_size_distributions),
        cmocka_unit_test(test_gen_put_ratio_and_arrivals),
        cmocka_unit_test(test_gen_mix_places_scans),
        cmocka_unit_test(test_gen_bad_params),
        cmocka_unit_test(test_gen_zero_requests),
        cmocka_unit_test(test_gen_open_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
