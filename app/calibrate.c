/* SPDX-License-Identifier: MIT */
/*
 * calibrate.c - `tiersim calibrate`: measure a live back-end over a grid of sizes, queue
 * depths and patterns, fit the device model to it and write it as a devices catalogue file.
 *
 * Measuring: for each request size, the back-end is opened on --size bytes (the file
 * back-end on its own scratch file, made and removed by it), filled with objects of that
 * size in key order (so keys follow their extents), then each point runs for a fixed time
 * with `depth` requests kept in flight (submit/poll, TS_BACKEND_ASYNC; a synchronous
 * back-end runs at depth 1 only), random then sequential reads, then random then
 * sequential writes over the stored keys. Keys in flight are never submitted again until
 * they complete (the seam's ordering rule).
 * Fitting (docs/calibrate.md): the ps model with a shared per-request cost, W k / d =
 * L(op) + k (q + s / B(op)) with k = min(d, C), is linear in L, q and 1/B at a given
 * channel count C: a weighted least-squares fit (gsl_multifit_wlinear, relative residuals)
 * for every C up to the deepest depth, and the C whose model is closest to the measured
 * IOPS. The QD1 lines (mean latency = a + size / b, gsl_fit_linear) are reported beside it.
 * Cost: O(points x depth) small fits.
 */
#include "calibrate.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>

#include "../backends/backend.h"
#include "../sim/backend.h"
#include "../sim/util/gslerr.h"
#include "../sim/util/io.h"
#include "../sim/util/mem.h"
#include "../sim/util/rng.h"
#include "../sim/util/units.h"

#define CALIB_MIB (1024u * 1024u)
#define CALIB_INFLIGHT_MAX (128u * CALIB_MIB) /* depth x size at most, bytes */
#define CALIB_POLL 64                         /* completions taken at once */
#define CALIB_SEED 0x7153ca11u                 /* of the random key orders */

static const uint64_t k_sizes[] = {4096, 65536, CALIB_MIB, 4 * CALIB_MIB};
static const unsigned k_depths[] = {1, 4, 16, 32, 128};
static const uint64_t k_quick_sizes[] = {4096, CALIB_MIB};
static const unsigned k_quick_depths[] = {1, 16};
static const char *const k_patterns[] = {"random read", "sequential read", "random write",
                                         "sequential write"};

/* ---- the points ---- */

double ts_calib_bytes_per_s(const ts_calib_point_t *p)
{
    return p->elapsed_ns ? (double)p->n_ops * (double)p->size_bytes * 1e9 / (double)p->elapsed_ns
                         : 0;
}

double ts_calib_iops(const ts_calib_point_t *p)
{
    return p->elapsed_ns ? (double)p->n_ops * 1e9 / (double)p->elapsed_ns : 0;
}

double ts_calib_mean_ns(const ts_calib_point_t *p)
{
    return p->n_ops ? (double)p->lat_sum_ns / (double)p->n_ops : 0;
}

static bool calib_is_read(const ts_calib_point_t *p)
{
    return p->pattern == TS_CALIB_RAND_READ || p->pattern == TS_CALIB_SEQ_READ;
}

uint64_t ts_calib_min_size(bool quick)
{
    return 4 * (quick ? k_quick_sizes[1] : k_sizes[3]);
}

/* ---- the fit ---- */

/* The QD1 line of one pattern: mean latency (ns) = a + size / b by least squares over its
 * depth-1 points; *b = 0 with fewer than two sizes or a slope that is not positive.
 * Returns 0, or TS_ERANGE when GSL's fit fails. */
static int calib_line(const ts_calib_point_t *pts, size_t n, int pattern, double *a, double *b,
                      ts_err_t *err)
{
    double x[TS_CALIB_MAX_POINTS], y[TS_CALIB_MAX_POINTS];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].pattern == pattern && pts[i].depth == 1 && pts[i].n_ops) {
            x[m] = (double)pts[i].size_bytes;
            y[m++] = ts_calib_mean_ns(&pts[i]);
        }
    *a = m ? y[0] : 0;
    *b = 0;
    if (m < 2)
        return 0;
    double c0, c1, cov00, cov01, cov11, sumsq;
    ts_gsl_clear();
    if (gsl_fit_linear(x, 1, y, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != 0)
        return ts_gsl_fail(err, TS_ERANGE,
                           "calibrate: the queue-depth-1 line of the %s points (%zu sizes) "
                           "cannot be fitted",
                           k_patterns[pattern], m);
    if (!isfinite(c0) || !isfinite(c1)) /* every size the same: no line */
        return 0;
    *a = c0;
    *b = c1 > 0 ? 1e9 / c1 : 0;
    return 0;
}

/* The model at a point (docs/calibrate.md): with d requests kept in flight and
 * k = min(d, C) in service, each takes W_s = L(op) + k (q + s / B(op)), so the device gives
 * X = k / W_s requests per second and the mean latency is W = d / X, as the ps behaviour
 * serves them (sim/dev_ps.c). */
typedef struct calib_model {
    unsigned channels;
    double lat_ns[2];  /* [0] reads, [1] writes */
    double cost_ns;    /* the shared per-request work */
    double ns_per_b[2]; /* 1e9 / bandwidth */
} calib_model_t;

static double calib_model_iops(const calib_model_t *m, const ts_calib_point_t *p)
{
    int w = !calib_is_read(p);
    double k = p->depth < m->channels ? p->depth : m->channels;
    double ws = m->lat_ns[w] + k * (m->cost_ns + (double)p->size_bytes * m->ns_per_b[w]);
    return ws > 0 ? k * 1e9 / ws : 0;
}

/* Root mean square of (measured - model) / model over the points' IOPS, percent. */
static double calib_rms(const calib_model_t *m, const ts_calib_point_t *pts, size_t n)
{
    double sq = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double x = calib_model_iops(m, &pts[i]);
        if (!pts[i].n_ops || x <= 0)
            continue;
        double e = (ts_calib_iops(&pts[i]) - x) / x;
        sq += e * e;
        k++;
    }
    return k ? 100 * sqrt(sq / (double)k) : INFINITY;
}

/* The least-squares fit at C channels: each point gives the time in service of the model,
 * W k / d = L(op) + k q + k s / B(op), linear in L(read), L(write), q, 1/B(read),
 * 1/B(write); weighted by 1 / (W k / d)^2 the residuals are relative, so a 4 KiB point
 * counts as much as a 4 MiB one (gsl_multifit_wlinear). q is left out (0) where no point
 * has more than one request in service (it cannot be told from L) or where it comes out
 * negative; the write columns where nothing was written. Returns 1 (fitted), 0 when the fit
 * has no positive bandwidth or too few points, TS_ENOMEM, or TS_ERANGE when GSL's fit fails
 * (its SVD does not converge). */
static int calib_fit_at(const ts_calib_point_t *pts, size_t n, unsigned channels, bool with_q,
                        calib_model_t *out, ts_err_t *err)
{
    enum { LR, LW, Q, BR, BW, NCOL };
    bool has_w = false, deep = false;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].n_ops && ts_calib_mean_ns(&pts[i]) > 0) {
            has_w |= !calib_is_read(&pts[i]);
            deep |= pts[i].depth > 1 && channels > 1;
            m++;
        }
    with_q = with_q && deep;
    int col[NCOL], p = 0;
    for (int c = 0; c < NCOL; c++)
        col[c] = (c == Q && !with_q) || ((c == LW || c == BW) && !has_w) ? -1 : p++;
    if (m < (size_t)p)
        return 0;
    /* X (m x p), cov (p x p), y, w (m) and c (p) are views on one block of the tiersim
     * heap; only the workspace is GSL's own (its failure recorded by gslerr.h) */
    size_t np = (size_t)p, n_dbl = m * np + np * np + 2 * m + np;
    ts_gsl_clear();
    double *blk = ts_calloc(n_dbl, sizeof(double));
    gsl_multifit_linear_workspace *ws = blk ? gsl_multifit_linear_alloc(m, np) : NULL;
    if (!ws) {
        ts_free(blk);
        return ts_gsl_fail(err, TS_ENOMEM,
                           "calibrate: cannot allocate the fit's matrices (%zu points x %d "
                           "columns, %zu bytes and GSL's workspace)",
                           m, p, n_dbl * sizeof(double));
    }
    gsl_matrix_view Xv = gsl_matrix_view_array(blk, m, np);
    gsl_matrix_view covv = gsl_matrix_view_array(blk + m * np, np, np);
    gsl_vector_view yv = gsl_vector_view_array(blk + m * np + np * np, m);
    gsl_vector_view wv = gsl_vector_view_array(blk + m * np + np * np + m, m);
    gsl_vector_view cv = gsl_vector_view_array(blk + m * np + np * np + 2 * m, np);
    gsl_matrix *X = &Xv.matrix, *cov = &covv.matrix;
    gsl_vector *y = &yv.vector, *w = &wv.vector, *c = &cv.vector;
    for (size_t i = 0, r = 0; i < n; i++) {
        const ts_calib_point_t *pt = &pts[i];
        double lat = ts_calib_mean_ns(pt);
        if (!pt->n_ops || lat <= 0)
            continue;
        int wr = !calib_is_read(pt);
        double k = pt->depth < channels ? pt->depth : channels;
        double t = lat * k / pt->depth;
        gsl_matrix_set(X, r, (size_t)col[wr ? LW : LR], 1);
        if (col[Q] >= 0)
            gsl_matrix_set(X, r, (size_t)col[Q], k);
        gsl_matrix_set(X, r, (size_t)col[wr ? BW : BR], k * (double)pt->size_bytes);
        gsl_vector_set(y, r, t);
        gsl_vector_set(w, r, 1 / (t * t));
        r++;
    }
    double chisq;
    int rc = 0;
    bool ok = gsl_multifit_wlinear(X, w, y, c, cov, &chisq, ws) == 0;
    if (!ok)
        rc = ts_gsl_fail(err, TS_ERANGE,
                         "calibrate: the least-squares fit at %u channels (%zu points) failed",
                         channels, m);
    if (ok) {
        *out = (calib_model_t){.channels = channels};
        out->lat_ns[0] = fmax(0, gsl_vector_get(c, (size_t)col[LR]));
        out->ns_per_b[0] = gsl_vector_get(c, (size_t)col[BR]);
        out->lat_ns[1] = has_w ? fmax(0, gsl_vector_get(c, (size_t)col[LW])) : out->lat_ns[0];
        out->ns_per_b[1] = has_w ? gsl_vector_get(c, (size_t)col[BW]) : out->ns_per_b[0];
        out->cost_ns = col[Q] >= 0 ? gsl_vector_get(c, (size_t)col[Q]) : 0;
        ok = out->ns_per_b[0] > 0 && out->ns_per_b[1] > 0;
    }
    gsl_multifit_linear_free(ws);
    ts_free(blk);
    if (rc)
        return rc;
    if (ok && out->cost_ns < 0) /* a negative cost: the points say none */
        return calib_fit_at(pts, n, channels, false, out, err);
    return ok;
}

int ts_calib_fit(ts_calib_point_t *pts, size_t n, ts_calib_fit_t *fit, ts_err_t *err)
{
    memset(fit, 0, sizeof(*fit));
    bool any = false;
    unsigned deepest = 1;
    for (size_t i = 0; i < n; i++) {
        any |= pts[i].pattern == TS_CALIB_RAND_READ && pts[i].depth == 1 && pts[i].n_ops;
        deepest = pts[i].n_ops && pts[i].depth > deepest ? pts[i].depth : deepest;
    }
    if (!any)
        return ts_err_set(err, TS_EINVAL,
                          "calibrate: no random read at queue depth 1 was measured; nothing "
                          "to fit");
    int rc = calib_line(pts, n, TS_CALIB_RAND_READ, &fit->read_line_ns,
                        &fit->read_line_bytes_per_s, err);
    if (!rc)
        rc = calib_line(pts, n, TS_CALIB_RAND_WRITE, &fit->write_line_ns,
                        &fit->write_line_bytes_per_s, err);
    if (rc)
        return rc;
    /* every channel count up to the deepest depth measured (more cannot be told apart):
     * the one whose fit is closest to the points, the fewest channels on a tie */
    calib_model_t best = {0}, m;
    double best_rms = INFINITY;
    for (unsigned ch = 1; ch <= deepest; ch++) {
        int got = calib_fit_at(pts, n, ch, true, &m, err);
        if (got < 0)
            return got;
        if (got == 0)
            continue;
        double r = calib_rms(&m, pts, n);
        if (r < best_rms - 1e-9) {
            best_rms = r;
            best = m;
        }
    }
    if (!isfinite(best_rms))
        return ts_err_set(err, TS_EINVAL,
                          "calibrate: the points give no positive bandwidth at any channel "
                          "count; nothing to fit");
    fit->channels = best.channels;
    fit->read_latency_ns = best.lat_ns[0];
    fit->write_latency_ns = best.lat_ns[1];
    fit->request_cost_ns = best.cost_ns;
    fit->read_bytes_per_s = 1e9 / best.ns_per_b[0];
    fit->write_bytes_per_s = 1e9 / best.ns_per_b[1];
    fit->rms_err_pct = best_rms;
    for (size_t i = 0; i < n; i++)
        pts[i].model_bytes_per_s = calib_model_iops(&best, &pts[i]) * (double)pts[i].size_bytes;
    return 0;
}

/* ---- measuring ---- */

/* One size's run: the back-end, its objects' keys in flight and the requests. */
typedef struct calib_run {
    ts_backend_t *b;
    bool is_async;
    uint64_t n_keys;   /* objects stored, keys 0..n_keys) */
    uint64_t size;     /* bytes each */
    unsigned max_depth;
    ts_be_io_t *ios;   /* max_depth requests */
    unsigned *idle;    /* requests not in flight: idle[0..n_idle) */
    unsigned n_idle;
    char *bufs;        /* max_depth buffers of size bytes */
    bool *busy;        /* n_keys: a request on the key is in flight */
    uint64_t *order;   /* n_keys: the key order of the pattern */
    uint64_t next;     /* position in order */
} calib_run_t;

/* Counts io's completion into p (NULL: the fill), freeing its request and key. */
static int calib_done(calib_run_t *r, ts_be_io_t *io, ts_calib_point_t *p, uint64_t now,
                      ts_err_t *err)
{
    r->busy[io->key] = false;
    r->idle[r->n_idle++] = (unsigned)(io - r->ios);
    if (io->result)
        return err && err->code ? err->code
                                : ts_err_set(err, io->result, "calibrate: %s of key %" PRIu64
                                                              " failed",
                                             io->op == TS_BE_READ ? "read" : "write", io->key);
    if (p) {
        p->n_ops++;
        p->lat_sum_ns += now - io->user;
    }
    return 0;
}

/* Takes completions, waiting up to wait_ns for the first. Returns how many, or < 0. */
static int calib_reap(calib_run_t *r, ts_calib_point_t *p, uint64_t wait_ns, ts_err_t *err)
{
    ts_be_io_t *done[CALIB_POLL];
    int got = r->b->ops->poll(r->b, done, CALIB_POLL, wait_ns, err);
    if (got < 0)
        return got;
    uint64_t now = ts_backend_now_ns();
    for (int i = 0; i < got; i++) {
        int rc = calib_done(r, done[i], p, now, err);
        if (rc)
            return rc;
    }
    return got;
}

/* The next key of the order that is not in flight (one exists: depth <= n_keys). */
static uint64_t calib_next_key(calib_run_t *r)
{
    for (;;) {
        uint64_t k = r->order[r->next];
        r->next = (r->next + 1) % r->n_keys;
        if (!r->busy[k])
            return k;
    }
}

/* Runs op with depth requests in flight for point_ns (ops = n_keys and no clock for the
 * fill: p NULL), into p. Returns 0 or the first error. */
static int calib_point(calib_run_t *r, ts_be_op_t op, unsigned depth, uint64_t point_ns,
                       uint64_t ops, ts_calib_point_t *p, ts_err_t *err)
{
    unsigned inflight = 0;
    uint64_t submitted = 0, start = ts_backend_now_ns(), deadline = start + point_ns, now = start;
    int rc = 0;
    while (rc == 0) {
        bool more = p ? now < deadline : submitted < ops;
        if (more && inflight < depth && r->n_idle) {
            ts_be_io_t *io = &r->ios[r->idle[--r->n_idle]];
            uint64_t key = p ? calib_next_key(r) : submitted;
            *io = (ts_be_io_t){.op = op, .key = key, .size = r->size,
                               .buf = r->bufs + (size_t)(io - r->ios) * r->size};
            r->busy[key] = true;
            io->user = ts_backend_now_ns();
            rc = r->b->ops->submit(r->b, io, err);
            if (rc == TS_BE_QUEUED) {
                inflight++;
                submitted++;
                rc = 0;
            } else if (rc == TS_BE_DONE) {
                submitted++;
                now = ts_backend_now_ns();
                rc = calib_done(r, io, p, now, err);
            } else if (rc == TS_BE_BUSY) { /* not taken: give it back, reap first */
                r->busy[key] = false;
                r->idle[r->n_idle++] = (unsigned)(io - r->ios);
                if ((rc = calib_reap(r, p, 1000000, err)) > 0) {
                    inflight -= (unsigned)rc;
                    rc = 0;
                }
            }
            if (!r->is_async)
                now = ts_backend_now_ns();
            continue;
        }
        if (inflight == 0 && !more)
            break;
        if ((rc = calib_reap(r, p, 1000000, err)) >= 0) {
            inflight -= (unsigned)rc;
            rc = 0;
        }
        now = ts_backend_now_ns();
    }
    if (p)
        p->elapsed_ns = now - start;
    return rc;
}

/* Fills order with the keys in extent order (sequential) or a fixed random permutation. */
static void calib_order(calib_run_t *r, bool is_random)
{
    for (uint64_t i = 0; i < r->n_keys; i++)
        r->order[i] = i;
    for (uint64_t i = r->n_keys; is_random && i > 1; i--) { /* Fisher-Yates */
        uint64_t j = ts_mix64(CALIB_SEED + i) % i, t = r->order[i - 1];
        r->order[i - 1] = r->order[j];
        r->order[j] = t;
    }
    r->next = 0;
}

static void calib_run_free(calib_run_t *r)
{
    if (r->b)
        r->b->ops->close(r->b);
    ts_free(r->ios);
    ts_free(r->idle);
    ts_free(r->bufs);
    ts_free(r->busy);
    ts_free(r->order);
    memset(r, 0, sizeof(*r));
}

/* The depths of the grid that one size allows: depth x size within CALIB_INFLIGHT_MAX,
 * depth within the keys, 1 alone for a synchronous back-end, at most cap. */
static bool calib_depth_ok(unsigned d, uint64_t size, uint64_t n_keys, bool is_async,
                           unsigned cap)
{
    return d <= cap && d <= n_keys && (d == 1 || (is_async && d * size <= CALIB_INFLIGHT_MAX));
}

/* Opens the back-end of spec for objects of size bytes, qd requests in flight. */
static int calib_open(const ts_calib_spec_t *spec, const ts_calib_t *c, uint64_t size,
                      uint64_t capacity, unsigned qd, ts_backend_t **b, ts_err_t *err)
{
    const ts_backend_ctx_t ctx = {.tier = "calibrate", .capacity = capacity, .max_object = size,
                                  .keep = spec->keep};
    char qds[16], dev[16];
    snprintf(qds, sizeof(qds), "%u", qd);
    snprintf(dev, sizeof(dev), "%d", spec->gpu);
    if (spec->target == TS_CALIB_FILE) {
        const char *names[] = {"path", "qd"}, *values[] = {c->where, qds};
        return ts_backend_open_kv(&ts_backend_file, names, values, 2, &ctx, b, err);
    }
    if (spec->target == TS_CALIB_GPU) {
        const char *names[] = {"device", "streams", "library"};
        const char *values[] = {dev, qds, spec->gpu_library};
        return ts_backend_open_kv(&ts_backend_gpu, names, values, spec->gpu_library ? 3 : 2,
                                  &ctx, b, err);
    }
    return ts_backend_open_kv(&ts_backend_memory, NULL, NULL, 0, &ctx, b, err);
}

/* Measures every point of one size. *done counts the points for the progress line. */
static int calib_size(const ts_calib_spec_t *spec, ts_calib_t *c, uint64_t size,
                      const unsigned *depths, size_t n_depths, uint64_t point_ns, size_t *done,
                      size_t total, ts_err_t *err)
{
    const ts_backend_ops_t *ops = spec->target == TS_CALIB_FILE  ? &ts_backend_file
                                  : spec->target == TS_CALIB_GPU ? &ts_backend_gpu
                                                                 : &ts_backend_memory;
    calib_run_t r = {.size = size, .n_keys = c->size_bytes / size,
                     .is_async = (ops->base.flags & TS_BACKEND_ASYNC) != 0};
    unsigned cap = spec->target == TS_CALIB_GPU ? 64 : 4096; /* the gpu's streams */
    r.max_depth = 1;
    for (size_t i = 0; i < n_depths; i++)
        if (calib_depth_ok(depths[i], size, r.n_keys, r.is_async, cap) &&
            depths[i] > r.max_depth)
            r.max_depth = depths[i];
    r.ios = ts_calloc(r.max_depth, sizeof(*r.ios));
    r.idle = ts_calloc(r.max_depth, sizeof(*r.idle));
    r.bufs = ts_malloc(r.max_depth * size);
    r.busy = ts_calloc(r.n_keys, sizeof(*r.busy));
    r.order = ts_calloc(r.n_keys, sizeof(*r.order));
    int rc = 0;
    if (!r.ios || !r.idle || !r.bufs || !r.busy || !r.order)
        rc = ts_err_set(err, TS_ENOMEM, "calibrate: out of memory for %u requests of %" PRIu64
                                        " bytes", r.max_depth, size);
    if (rc == 0) {
        memset(r.bufs, 0xa5, r.max_depth * size);
        for (unsigned i = 0; i < r.max_depth; i++)
            r.idle[r.n_idle++] = r.max_depth - 1 - i;
        rc = calib_open(spec, c, size, r.n_keys * size, r.max_depth, &r.b, err);
    }
    /* a second signal (the first stops after the point) removes the scratch file too */
    int live = rc == 0 && spec->target == TS_CALIB_FILE && !spec->keep
                   ? ts_io_live_add(c->where, spec->output ? spec->output : "standard output",
                                    false)
                   : 0;
    if (rc == 0) { /* the objects, keys in the order of their extents */
        calib_order(&r, false);
        rc = calib_point(&r, TS_BE_WRITE, r.max_depth, 0, r.n_keys, NULL, err);
    }
    if (rc == 0) {
        ts_backend_stats_t st;
        r.b->ops->stats(r.b, &st);
        snprintf(c->io, sizeof(c->io), "%s", st.io ? st.io : "");
        c->io[strcspn(c->io, " ")] = '\0'; /* the path's name, not its details */
        c->direct = st.direct;
    }
    for (int pat = 0; rc == 0 && pat < 4; pat++) {
        calib_order(&r, pat == TS_CALIB_RAND_READ || pat == TS_CALIB_RAND_WRITE);
        for (size_t i = 0; rc == 0 && i < n_depths; i++) {
            if (!calib_depth_ok(depths[i], size, r.n_keys, r.is_async, cap))
                continue;
            if (spec->stop && *spec->stop) {
                c->stopped = true;
                break;
            }
            char what[64], sz[32];
            snprintf(what, sizeof(what), "%s %s QD%u", k_patterns[pat],
                     ts_format_size(size, 1, sz, sizeof(sz)), depths[i]);
            if (spec->progress)
                spec->progress(spec->progress_ctx, (*done)++, total, what);
            ts_calib_point_t *p = &c->points[c->n_points++];
            *p = (ts_calib_point_t){.pattern = pat, .size_bytes = size, .depth = depths[i]};
            rc = calib_point(&r, pat < TS_CALIB_RAND_WRITE ? TS_BE_READ : TS_BE_WRITE,
                             depths[i], point_ns, 0, p, err);
        }
    }
    calib_run_free(&r); /* closes the back-end: the scratch file goes unless kept */
    ts_io_live_drop(live);
    return rc;
}

/* Where the file back-end's scratch file goes, and room for it: c->where, c->size_bytes,
 * c->capacity_bytes. */
static int calib_scratch(const ts_calib_spec_t *spec, ts_calib_t *c, uint64_t min,
                         ts_err_t *err)
{
    char dir[1024];
    struct stat sb;
    int n;
    if (stat(spec->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(dir, sizeof(dir), "%s", spec->path);
        n = snprintf(c->where, sizeof(c->where), "%s/tiersim-calibrate.live", spec->path);
    } else {
        const char *slash = strrchr(spec->path, '/');
        if (!slash)
            snprintf(dir, sizeof(dir), ".");
        else /* the parent; "/" for a file at the root */
            snprintf(dir, sizeof(dir), "%.*s",
                     slash == spec->path ? 1 : (int)(slash - spec->path), spec->path);
        n = snprintf(c->where, sizeof(c->where), "%s", spec->path);
    }
    if (n < 0 || (size_t)n >= 1024)
        return ts_err_set(err, TS_EINVAL, "calibrate: the path '%s' is too long", spec->path);
    uint64_t avail; /* nine tenths of the free space: the file holds --size plus the
                     * writes in flight (CALIB_INFLIGHT_MAX) and a header */
    int rc = ts_io_room(dir, &avail, &c->capacity_bytes, err);
    if (rc) {
        ts_err_prefix(err, "calibrate");
        return rc;
    }
    uint64_t extra = CALIB_INFLIGHT_MAX;
    if (c->size_bytes + extra <= avail)
        return 0;
    char a[32], s[32], m[32], fr[32];
    uint64_t fit = avail > extra ? (avail - extra) / min * min : 0;
    if (fit < min)
        return ts_err_set(err, TS_ENOSPC,
                          "calibrate: the scratch file needs at least %s (--size %s plus %s of "
                          "writes in flight) and '%s' has %s free",
                          ts_format_size(min + extra, 1, m, sizeof(m)),
                          ts_format_size(min, 1, s, sizeof(s)),
                          ts_format_size(extra, 1, a, sizeof(a)), dir,
                          ts_format_size(avail / 9 * 10, 1, fr, sizeof(fr)));
    snprintf(c->note, sizeof(c->note), "--size lowered from %s to %s: '%s' has %s free",
             ts_format_size(c->size_bytes, 1, s, sizeof(s)), ts_format_size(fit, 1, m, sizeof(m)),
             dir, ts_format_size(avail / 9 * 10, 1, a, sizeof(a)));
    c->size_bytes = fit;
    return 0;
}

int ts_calib_measure(const ts_calib_spec_t *spec, ts_calib_t *c, ts_err_t *err)
{
    memset(c, 0, sizeof(*c));
    c->target = spec->target;
    c->size_bytes = spec->size_bytes;
    const uint64_t *sizes = spec->quick ? k_quick_sizes : k_sizes;
    const unsigned *depths = spec->quick ? k_quick_depths : k_depths;
    size_t n_sizes = spec->quick ? 2 : 4, n_depths = spec->quick ? 2 : 5;
    uint64_t point_ns = spec->point_ns ? spec->point_ns : spec->quick ? 200000000u : 1000000000u;
    uint64_t min = ts_calib_min_size(spec->quick);
    char a[32], b[32], d[32];
    if (spec->size_bytes < min)
        return ts_err_set(err, TS_EINVAL,
                          "calibrate: --size %s is below %s (four objects of the largest size, "
                          "%s)",
                          ts_format_size(spec->size_bytes, 1, a, sizeof(a)),
                          ts_format_size(min, 1, b, sizeof(b)),
                          ts_format_size(min / 4, 1, d, sizeof(d)));
    int rc = 0;
    if (spec->target == TS_CALIB_FILE) {
        rc = calib_scratch(spec, c, min, err);
    } else if (spec->target == TS_CALIB_MEMORY) {
        snprintf(c->where, sizeof(c->where), "host memory (memcpy, one thread)");
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        c->capacity_bytes = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page
                                                  : spec->size_bytes;
    } else {
        snprintf(c->where, sizeof(c->where), "GPU %d (host<->GPU copies)", spec->gpu);
        c->capacity_bytes = spec->size_bytes;
    }
    /* the points the grid holds, for the progress line */
    bool is_async = spec->target != TS_CALIB_MEMORY;
    size_t total = 0;
    for (size_t i = 0; i < n_sizes; i++)
        for (size_t j = 0; j < n_depths; j++)
            total += 4 * calib_depth_ok(depths[j], sizes[i], c->size_bytes / sizes[i], is_async,
                                        spec->target == TS_CALIB_GPU ? 64 : 4096);
    size_t done = 0;
    for (size_t i = 0; rc == 0 && i < n_sizes && !c->stopped; i++)
        rc = calib_size(spec, c, sizes[i], depths, n_depths, point_ns, &done, total, err);
    if (rc == 0 && c->n_points)
        rc = ts_calib_fit(c->points, c->n_points, &c->fit, err);
    return rc;
}

/* ---- output ---- */

/* v rounded to 4 significant digits, at least 1. */
static uint64_t calib_round4(double v)
{
    if (!(v >= 1))
        return 1;
    double scale = pow(10, floor(log10(v)) - 3);
    return (uint64_t)(llround(v / scale) * scale + 0.5);
}

void ts_calib_device(const ts_calib_t *c, const char *name, ts_device_t *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", name);
    out->kind = c->target == TS_CALIB_FILE     ? TS_DEV_NVME
                : c->target == TS_CALIB_MEMORY ? TS_DEV_DRAM
                                               : TS_DEV_OTHER;
    snprintf(out->summary, sizeof(out->summary), "measured by tiersim calibrate: %s%s%s%s",
             c->target == TS_CALIB_FILE     ? "a scratch file"
             : c->target == TS_CALIB_MEMORY ? "host memory, one thread"
                                            : "GPU memory through host<->GPU copies",
             c->target == TS_CALIB_FILE ? (c->direct ? ", O_DIRECT" : ", buffered") : "",
             c->target == TS_CALIB_FILE && c->io[0] ? ", " : "",
             c->target == TS_CALIB_FILE ? c->io : "");
    out->capacity_bytes = c->capacity_bytes ? c->capacity_bytes : 1;
    out->channels = c->fit.channels ? c->fit.channels : 1;
    out->read_latency_ns = (uint64_t)llround(c->fit.read_latency_ns);
    out->write_latency_ns = (uint64_t)llround(c->fit.write_latency_ns);
    out->read_bytes_per_s = calib_round4(c->fit.read_bytes_per_s);
    out->write_bytes_per_s = calib_round4(c->fit.write_bytes_per_s);
    out->request_cost_ns = (uint64_t)llround(c->fit.request_cost_ns);
}

void ts_calib_write_text(const ts_calib_t *c, FILE *out, const char *prefix)
{
    const ts_calib_fit_t *f = &c->fit;
    char a[32], b[32];
    fprintf(out, "%smeasured: %s, %s of objects\n", prefix, c->where,
            ts_format_size(c->size_bytes, 1, a, sizeof(a)));
    fprintf(out, "%s%-16s %8s %5s %10s %10s %11s %10s %7s\n", prefix, "pattern", "size", "QD",
            "IOPS", "MB/s", "mean lat us", "model MB/s", "error %");
    for (size_t i = 0; i < c->n_points; i++) {
        const ts_calib_point_t *p = &c->points[i];
        double bps = ts_calib_bytes_per_s(p);
        double e = p->model_bytes_per_s > 0 ? 100 * (bps - p->model_bytes_per_s) /
                                                  p->model_bytes_per_s
                                            : 0;
        fprintf(out, "%s%-16s %8s %5u %10.0f %10.1f %11.1f %10.1f %+7.1f\n", prefix,
                k_patterns[p->pattern], ts_format_size(p->size_bytes, 1, a, sizeof(a)), p->depth,
                ts_calib_iops(p), bps / 1e6, ts_calib_mean_ns(p) / 1e3,
                p->model_bytes_per_s / 1e6, e);
    }
    for (int w = 0; w < 2; w++) {
        double line_ns = w ? f->write_line_ns : f->read_line_ns;
        double line_bw = w ? f->write_line_bytes_per_s : f->read_line_bytes_per_s;
        if (line_bw > 0)
            fprintf(out, "%sQD1 %s line: mean latency = %.1f us + size / %.1f MB/s "
                         "(least squares over the sizes)\n",
                    prefix, w ? "write" : "read", line_ns / 1e3, line_bw / 1e6);
    }
    fprintf(out, "%sfit: read latency %.1f us, write latency %.1f us, read %s, write %s,\n"
                 "%s     %" PRIu64 " channel(s), request cost %.2f us; rms error of the model "
                 "over the points %.1f%%\n",
            prefix, f->read_latency_ns / 1e3, f->write_latency_ns / 1e3,
            ts_format_rate((uint64_t)f->read_bytes_per_s, 1, a, sizeof(a)),
            ts_format_rate((uint64_t)f->write_bytes_per_s, 1, b, sizeof(b)), prefix, f->channels,
            f->request_cost_ns / 1e3, f->rms_err_pct);
    if (c->stopped)
        fprintf(out, "%sstopped early: the fit is of the points measured\n", prefix);
}

typedef struct calib_yaml {
    const ts_calib_t *c;
    const char *name;
} calib_yaml_t;

static void calib_yaml_body(FILE *out, const void *ctx)
{
    const calib_yaml_t *y = ctx;
    ts_device_t d;
    ts_calib_device(y->c, y->name, &d);
    char cap[32], rl[32], wl[32], rb[32], wb[32], rc[32];
    fprintf(out, "# SPDX-License-Identifier: MIT\n"
                 "# A device measured by `tiersim calibrate` (docs/calibrate.md). Load it with\n"
                 "# `devices: FILE` in a scenario and `device: %s` on a tier;\n"
                 "# `tiersim list devices FILE` shows it. Capacity: %s.\n#\n",
            d.name,
            y->c->target == TS_CALIB_FILE     ? "the file system's size"
            : y->c->target == TS_CALIB_MEMORY ? "the host's physical memory"
                                              : "the bytes measured (--size)");
    ts_calib_write_text(y->c, out, "# ");
    fprintf(out, "devices:\n  %s:\n    kind: %s\n    summary: \"%s\"\n    capacity: %s\n"
                 "    channels: %" PRIu64 "\n    read_latency: %s\n    write_latency: %s\n"
                 "    read_bw: %s\n    write_bw: %s\n    request_cost: %s\n",
            d.name, ts_dev_kind_name(d.kind), d.summary,
            ts_format_size(d.capacity_bytes, 0, cap, sizeof(cap)), d.channels,
            ts_format_duration_exact(d.read_latency_ns, rl, sizeof(rl)),
            ts_format_duration_exact(d.write_latency_ns, wl, sizeof(wl)),
            ts_format_rate(d.read_bytes_per_s, 0, rb, sizeof(rb)),
            ts_format_rate(d.write_bytes_per_s, 0, wb, sizeof(wb)),
            ts_format_duration_exact(d.request_cost_ns, rc, sizeof(rc)));
}

int ts_calib_write_yaml(const ts_calib_t *c, const char *name, const char *path, FILE *out,
                        ts_err_t *err)
{
    const calib_yaml_t y = {c, name};
    if (path)
        return ts_file_write(path, "devices file", calib_yaml_body, &y, err);
    calib_yaml_body(out, &y);
    return 0;
}
