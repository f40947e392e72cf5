/* SPDX-License-Identifier: MIT */
/*
 * sweep.c - a scenario at every point of a grid of `-s` values (see sweep.h).
 *
 * Order of work: parse the axes, build each point's overrides, load every point's scenario
 * side by side to check it (its errors come first, by point; only the first point's stays
 * loaded), measure the footprint once when the points share their workload and need it,
 * then run the points side by side (sim/par.h), each loading its scenario again and
 * freeing it once run, while a thread writes the files from the journal (on two threads or
 * more). The runs share one copy of the scenario's text, so what a sweep holds is its
 * results, each sized by its run, and a scenario per thread. Across MPI ranks, rank 0
 * checks the points and measures the footprint for every rank.
 */
#include "sweep.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/sweep_report.h"
#include "../sim/future.h"
#include "../sim/memtrace.h"
#include "../sim/util/mem.h"
#include "par.h"
#include "ranks.h"
#include "run.h"
#include "scenario.h"

/* ---- axes ---- */

/* A copy of [b, e) with the spaces around it trimmed; NULL when out of memory. */
static char *sweep_trimmed(const char *b, const char *e)
{
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    char *s = ts_malloc((size_t)(e - b) + 1);
    if (s) {
        memcpy(s, b, (size_t)(e - b));
        s[e - b] = 0;
    }
    return s;
}

static int sweep_add_value(ts_sweep_axis_t *a, const char *b, const char *e, const char *text,
                           ts_err_t *err)
{
    if (a->n_values == TS_SWEEP_MAX_VALUES)
        return ts_err_set(err, TS_ERANGE, "more than %d values", TS_SWEEP_MAX_VALUES);
    char *v = sweep_trimmed(b, e);
    if (!v)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the values of '%s'", text);
    if (!*v) {
        ts_free(v);
        return ts_err_set(err, TS_EPARSE, "value %zu is empty (expected key=V1,V2,...)",
                          a->n_values + 1);
    }
    char **vs = ts_realloc(a->values, (a->n_values + 1) * sizeof(*vs));
    if (!vs) {
        ts_free(v);
        return ts_err_set(err, TS_ENOMEM, "cannot hold the values of '%s'", text);
    }
    a->values = vs;
    a->values[a->n_values++] = v;
    return 0;
}

int ts_sweep_axis_parse(const char *text, ts_sweep_axis_t *out, ts_err_t *err)
{
    *out = (ts_sweep_axis_t){0};
    const char *eq = strchr(text, '=');
    int rc = 0;
    if (!eq)
        rc = ts_err_set(err, TS_EPARSE, "expected key.path=V1,V2,... (no '=')");
    else if (!(out->key = sweep_trimmed(text, eq)))
        rc = ts_err_set(err, TS_ENOMEM, "cannot hold the key of '%s'", text);
    else if (!out->key[0] || strpbrk(out->key, " \t"))
        rc = ts_err_set(err, TS_EPARSE, "expected a key path such as tiers.0.capacity "
                                        "before '=', found '%.*s'", (int)(eq - text), text);
    /* values split at the commas outside brackets and quotes */
    const char *b = eq ? eq + 1 : NULL;
    int depth = 0;
    char quote = 0;
    for (const char *p = b; rc == 0 && p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            else if (!*p)
                rc = ts_err_set(err, TS_EPARSE, "a quote (%c) is not closed", quote);
            if (!*p)
                break;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (--depth < 0)
                rc = ts_err_set(err, TS_EPARSE, "'%c' closes no bracket", *p);
        } else if ((*p == ',' && depth == 0) || !*p) {
            if (!*p && depth)
                rc = ts_err_set(err, TS_EPARSE, "a bracket is not closed");
            else
                rc = sweep_add_value(out, b, p, text, err);
            b = p + 1;
            if (!*p)
                break;
        }
    }
    if (rc) {
        ts_err_where(err, "%.120s", text);
        ts_sweep_axis_release(out);
    }
    return rc;
}

/* ---- points ---- */

/* The sweep's files written while the points run (sweep_run_local): the calling thread
 * takes each run from the journal as soon as it and those before it are done, while the
 * points run on a thread of their own (and its OpenMP team). */
typedef struct sweep_writer {
    pthread_t thread;  /* the points' */
    int threads;       /* their OpenMP threads */
    int points_rc;     /* their outcome */
    ts_err_t points_err;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled when a point is done, or none will be any more */
    bool *is_done;     /* per run: its record and figures are in place */
    bool is_stopped;   /* no point finishes any more (the runs ended or one failed) */
} sweep_writer_t;

typedef struct sweep_ctx {
    const ts_sweep_spec_t *spec;
    ts_sweep_t *s;
    ts_scenario_t *first;       /* run 0's scenario, loaded first (the sweep's source, text,
                                 * thread count and shared footprint come from it) */
    bool *needs_footprint;      /* per run: its scenario measures the footprint */
    char **axis_ovr;            /* "key=value" per (axis, value), axis by axis */
    size_t n_axis_ovr;          /* entries of axis_ovr */
    size_t *axis_base;          /* axis a's first entry in axis_ovr */
    ts_run_opts_t base;         /* footprint shared by the points, when it is */
    ts_par_progress_t progress; /* requests over all points */
    ts_sweep_journal_t *j;      /* the finished points' results; NULL: none (across MPI
                                 * ranks: rank 0's the sweep's, another rank's its own) */
    size_t n_done, n_todo;      /* points finished of those to run (for spec->points) */
    bool *done_before;          /* across ranks: per run, finished before a resume */
    bool *ran;                  /* across ranks: per run, run by this rank */
    ts_memtrace_t *trace;       /* the shared trace decoded once (sweep_share_trace), or NULL */
    sweep_writer_t *w;          /* writes the files as the points finish; NULL: after them */
    bool is_written;            /* spec->write_dir holds the sweep's files */
} sweep_ctx_t;

/* "point 3 (tiers.0.capacity=2%, tiers.0.policy=lru)" as a prefix of err. */
static void sweep_prefix(const ts_sweep_t *s, size_t p, ts_err_t *err)
{
    char what[200];
    size_t off = 0;
    for (size_t a = 0; a < s->n_axes && off < sizeof(what); a++) {
        int n = snprintf(what + off, sizeof(what) - off, "%s%s=%s", a ? ", " : "",
                         s->axes[a].key, ts_sweep_value(s, p, a));
        off += n > 0 ? (size_t)n : 0;
    }
    ts_err_prefix(err, "sweep point %zu (%s)", p, what);
}

/* Loads run i's scenario (its point's) into *out, with no result files of its own. */
static int sweep_load_run(const sweep_ctx_t *c, size_t i, ts_scenario_t **out, ts_err_t *err)
{
    size_t p = ts_sweep_point(c->s, i);
    const ts_sweep_spec_t *spec = c->spec;
    size_t n = spec->n_overrides;
    const char **ovr = ts_malloc((n + c->s->n_axes) * sizeof(*ovr) + 1);
    if (!ovr)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the overrides of point %zu", p);
    for (size_t k = 0; k < n; k++)
        ovr[k] = spec->overrides[k];
    for (size_t a = 0; a < c->s->n_axes; a++)
        ovr[n++] = c->axis_ovr[c->axis_base[a] + ts_sweep_index(c->s, p, a)];
    int rc = ts_scenario_load(spec->path, spec->yaml, ovr, n, out, err);
    ts_free(ovr);
    if (rc)
        sweep_prefix(c->s, p, err);
    else
        (*out)->outputs.dir[0] = 0; /* the sweep writes the results, not each run */
    return rc;
}

/* Checks that run i's scenario loads (the points' errors come before any run) and notes
 * whether it measures the footprint; only run 0's stays loaded, the others are loaded
 * again when they run, so a sweep never holds every point's scenario at once. */
static int sweep_check_job(void *ctx, size_t i, ts_err_t *err)
{
    sweep_ctx_t *c = ctx;
    if (i == 0)
        return 0; /* loaded already */
    ts_scenario_t *sc = NULL;
    int rc = sweep_load_run(c, i, &sc, err);
    if (rc == 0)
        c->needs_footprint[i] = ts_run_needs_footprint(sc);
    ts_scenario_destroy(sc);
    return rc;
}

/* A point is done: its result to the journal, only its figures kept, the count told. */
static int sweep_done(sweep_ctx_t *c, size_t i, ts_err_t *err)
{
    int rc = c->j ? ts_sweep_journal_add(c->j, i, &c->s->runs[i], err) : 0;
    if (rc == 0 && (c->j || c->spec->is_lean))
        ts_result_release(&c->s->runs[i]); /* its counters and figures stay */
    if (rc == 0 && c->w) { /* the writer may take it */
        pthread_mutex_lock(&c->w->mu);
        c->w->is_done[i] = true;
        pthread_cond_broadcast(&c->w->cv);
        pthread_mutex_unlock(&c->w->mu);
    }
    const ts_progress_hook_t *h = c->spec->points;
    if (rc == 0 && h) {
#pragma omp critical(ts_sweep_points)
        h->fn(h->ctx, ++c->n_done, c->n_todo);
    }
    return rc;
}

static int sweep_job(void *ctx, size_t i, ts_err_t *err)
{
    sweep_ctx_t *c = ctx;
    if (c->done_before ? c->done_before[i] : ts_sweep_journal_has(c->j, i))
        return 0; /* finished before the sweep was resumed */
    ts_par_slot_t slot;
    ts_run_opts_t opts = c->base;
    opts.progress = ts_par_slot_init(&slot, &c->progress);
    opts.series = c->spec->series;
    opts.shared_yaml = c->s->scenario_yaml;
    ts_scenario_t *sc = c->first;
    int rc = i == 0 ? 0 : sweep_load_run(c, i, &sc, err);
    if (rc)
        return rc;
    rc = ts_run_with(sc, &opts, &c->s->runs[i], err);
    if (sc != c->first)
        ts_scenario_destroy(sc); /* the point is done: only its result stays */
    if (rc) {
        sweep_prefix(c->s, ts_sweep_point(c->s, i), err);
        return rc;
    }
    ts_par_slot_report(&slot, c->s->runs[i].totals.n_req);
    if (c->ran)
        c->ran[i] = true;
    return sweep_done(c, i, err);
}

/* Whether an axis changes what the workload reads: then each point measures its own. */
static bool sweep_shares_workload(const ts_sweep_t *s)
{
    for (size_t a = 0; a < s->n_axes; a++)
        if (!strncmp(s->axes[a].key, "workload", 8) || !strcmp(s->axes[a].key, "seed"))
            return false;
    return true;
}

/* Whether a point's scenario has a tier whose policy reads next accesses. */
static bool sweep_any_future(const sweep_ctx_t *c)
{
    for (size_t i = 0; i < c->s->n_runs; i++) {
        ts_scenario_t *sc = NULL;
        ts_err_t e = {0};
        if (sweep_load_run(c, i, &sc, &e) != 0)
            return true; /* loaded before without error: treat as needing it */
        bool needs = false;
        for (size_t t = 0; t < sc->n_tiers && !needs; t++)
            needs = sc->tiers[t].policy->base.flags & TS_POLICY_NEEDS_FUTURE;
        ts_scenario_destroy(sc);
        if (needs)
            return true;
    }
    return false;
}

/* A trace file every point reads alike (no axis touches the workload or the seed; a format
 * that reports no workload units, so a replay from memory reports what the file does) is
 * decoded once into memory when it takes at most sweep.share_trace_memory, and every point
 * replays it from there (c->base.trace). Else each point reads the file. */
static int sweep_share_trace(sweep_ctx_t *c, ts_err_t *err)
{
    const ts_scenario_t *sc = c->first;
    uint64_t cap = sc->sweep_share_bytes / sizeof(ts_req_t);
    if (c->s->n_runs < 2 || sc->workload.is_generator || sc->workload.reader->units || !cap ||
        !sweep_shares_workload(c->s))
        return 0;
    ts_reader_t *r = NULL;
    int rc = ts_scenario_open_workload(sc, &r, err);
    ts_reader_info_t info = {0};
    if (rc == 0)
        ts_reader_info(r, &info);
    if (rc == 0 && (!info.n_requests || info.n_requests <= cap)) {
        rc = ts_memtrace_load(r, cap + 1, &c->trace, err);
        if (rc == 0 && c->trace->n > cap) { /* longer than it said: each point reads it */
            ts_memtrace_destroy(c->trace);
            c->trace = NULL;
        }
    }
    ts_reader_close(r);
    /* the next-access pre-pass of offline policies (OPT, Belady-Size), done once for every
     * point: the others never read next_access */
    if (rc == 0 && c->trace && sweep_any_future(c)) {
        rc = ts_future_annotate(c->trace->reqs, c->trace->n, err);
        c->base.trace_future = rc == 0;
    }
    c->base.trace = c->trace;
    return rc;
}

static int sweep_footprint(sweep_ctx_t *c, ts_err_t *err)
{
    bool needs = false;
    for (size_t i = 0; i < c->s->n_runs && !needs; i++)
        needs = c->needs_footprint[i];
    if (!needs || !sweep_shares_workload(c->s))
        return 0;
    ts_reader_t *r = NULL;
    uint64_t n_req = 0;
    int rc = c->trace ? ts_memtrace_reader(c->trace, &r, err)
                      : ts_scenario_open_workload(c->first, &r, err);
    if (rc == 0)
        rc = ts_footprint(r, &c->base.footprint_objects, &c->base.footprint_bytes, &n_req, err);
    ts_reader_close(r);
    c->base.has_footprint = rc == 0;
    c->progress.total = n_req * c->s->n_runs;
    return rc;
}

/* Across MPI ranks: the footprint measured by rank 0 only (sweep_footprint) and sent to
 * the others, which would each replay the workload once more for the same figures. rc is
 * this rank's outcome so far. Collective; every rank returns the same outcome. */
static int sweep_footprint_ranks(sweep_ctx_t *c, int rc, ts_err_t *err)
{
    if (rc == 0 && ts_mpi_rank() == 0)
        rc = sweep_footprint(c, err);
    if ((rc = ts_mpi_agree(rc, 0, err)) != 0)
        return rc;
    uint64_t fp[4] = {c->base.footprint_objects, c->base.footprint_bytes, c->progress.total,
                      c->base.has_footprint};
    ts_mpi_bcast(fp, sizeof(fp));
    c->base.footprint_objects = fp[0];
    c->base.footprint_bytes = fp[1];
    c->progress.total = fp[2];
    c->base.has_footprint = fp[3] != 0;
    return 0;
}

/* A copy of src into dst (zeroed on failure). */
static int sweep_axis_copy(ts_sweep_axis_t *dst, const ts_sweep_axis_t *src, ts_err_t *err)
{
    *dst = (ts_sweep_axis_t){.key = ts_strdup(src->key),
                             .values = ts_calloc(src->n_values, sizeof(char *))};
    for (size_t v = 0; dst->key && dst->values && v < src->n_values; v++, dst->n_values++)
        if (!(dst->values[v] = ts_strdup(src->values[v])))
            break;
    if (dst->key && dst->values && dst->n_values == src->n_values)
        return 0;
    ts_sweep_axis_release(dst);
    return ts_err_set(err, TS_ENOMEM, "cannot hold the axis '%s'", src->key);
}

/* The axes: the scenario's `sweep:` ones in their order, each replaced by a --vary axis of
 * its key, then the other --vary axes in theirs. */
static int sweep_axes(const ts_sweep_spec_t *spec, const ts_scenario_t *base, ts_sweep_t *s,
                      ts_err_t *err)
{
    ts_sweep_axis_t given[TS_SWEEP_MAX_AXES] = {0};
    size_t n_given = 0;
    int rc = 0;
    if (spec->n_axes > TS_SWEEP_MAX_AXES)
        rc = ts_err_set(err, TS_ERANGE, "%zu axes, at most %d", spec->n_axes,
                        TS_SWEEP_MAX_AXES);
    for (size_t a = 0; rc == 0 && a < spec->n_axes; a++) {
        if ((rc = ts_sweep_axis_parse(spec->axes[a], &given[a], err)) != 0)
            break;
        n_given++;
        for (size_t b = 0; rc == 0 && b < a; b++)
            if (!strcmp(given[a].key, given[b].key)) {
                ts_err_where(err, "%.120s", spec->axes[a]);
                rc = ts_err_set(err, TS_EINVAL, "key '%s' is swept twice: give its values "
                                "in one axis", given[a].key);
            }
    }
    bool used[TS_SWEEP_MAX_AXES] = {false};
    for (size_t a = 0; rc == 0 && a < base->n_sweep; a++) {
        size_t g = 0;
        while (g < n_given && (used[g] || strcmp(given[g].key, base->sweep[a].key) != 0))
            g++;
        if (g < n_given) { /* --vary replaces the scenario's values of that key */
            s->axes[s->n_axes++] = given[g];
            given[g] = (ts_sweep_axis_t){0};
            used[g] = true;
        } else {
            rc = sweep_axis_copy(&s->axes[s->n_axes], &base->sweep[a], err);
            s->n_axes += rc == 0;
        }
    }
    for (size_t g = 0; rc == 0 && g < n_given; g++) {
        if (used[g])
            continue;
        if (s->n_axes == TS_SWEEP_MAX_AXES) {
            rc = ts_err_set(err, TS_ERANGE, "more than %d axes with the scenario's",
                            TS_SWEEP_MAX_AXES);
            break;
        }
        s->axes[s->n_axes++] = given[g];
        given[g] = (ts_sweep_axis_t){0};
    }
    for (size_t g = 0; g < n_given; g++)
        ts_sweep_axis_release(&given[g]);
    if (rc)
        return rc;
    if (!s->n_axes)
        return ts_err_set(err, TS_EINVAL, "a sweep needs at least one axis: --vary "
                                          "key=V1,V2,... or a `sweep:` map in the scenario");
    s->n_points = 1;
    for (size_t a = 0; a < s->n_axes; a++) {
        s->n_points *= s->axes[a].n_values;
        if (s->n_points > TS_SWEEP_MAX_POINTS)
            return ts_err_set(err, TS_ERANGE, "more than %d points (the product of the "
                              "axes' lengths)", TS_SWEEP_MAX_POINTS);
    }
    s->n_shards = spec->n_shards > 1 ? spec->n_shards : 1;
    s->shard = spec->n_shards > 1 ? spec->shard : 0;
    if (s->shard >= s->n_shards)
        return ts_err_set(err, TS_EINVAL, "shard %zu of %zu: shards are numbered from 0 to %zu",
                          spec->shard, s->n_shards, s->n_shards - 1);
    s->n_runs = s->n_points > s->shard ? (s->n_points - s->shard - 1) / s->n_shards + 1 : 0;
    return 0;
}

static int sweep_axis_overrides(sweep_ctx_t *c, ts_err_t *err)
{
    const ts_sweep_t *s = c->s;
    size_t total = 0;
    c->axis_base = ts_calloc(s->n_axes, sizeof(*c->axis_base));
    for (size_t a = 0; c->axis_base && a < s->n_axes; a++) {
        c->axis_base[a] = total;
        total += s->axes[a].n_values;
    }
    c->axis_ovr = c->axis_base ? ts_calloc(total, sizeof(*c->axis_ovr)) : NULL;
    if (!c->axis_ovr)
        return ts_err_set(err, TS_ENOMEM, "cannot hold the sweep's overrides");
    c->n_axis_ovr = total;
    for (size_t a = 0; a < s->n_axes; a++)
        for (size_t v = 0; v < s->axes[a].n_values; v++) {
            const ts_sweep_axis_t *x = &s->axes[a];
            size_t len = strlen(x->key) + strlen(x->values[v]) + 2;
            char *o = ts_malloc(len);
            if (!o)
                return ts_err_set(err, TS_ENOMEM, "cannot hold the sweep's overrides");
            snprintf(o, len, "%s=%s", x->key, x->values[v]);
            c->axis_ovr[c->axis_base[a] + v] = o;
        }
    return 0;
}

/* Opens the sweep's journal: a new one, or, resuming, the one there, whose points' figures
 * are read back. */
static int sweep_journal(sweep_ctx_t *c, ts_err_t *err)
{
    const ts_sweep_spec_t *spec = c->spec;
    const ts_sweep_journal_id_t id = {.source = c->first->source, .text = c->first->text,
                                      .overrides = spec->overrides,
                                      .n_overrides = spec->n_overrides, .sweep = c->s,
                                      .is_scratch = spec->is_journal_scratch};
    int rc = spec->resume ? ts_sweep_journal_resume(spec->journal_dir, &id, &c->j, err)
                          : ts_sweep_journal_create(spec->journal_dir, &id, &c->j, err);
    if (rc == 0) /* a killed MPI sweep's ranks' records (.sweep-journal.N), or stale ones */
        rc = spec->resume ? ts_sweep_journal_absorb(c->j, &id, err)
                          : ts_sweep_journal_clear_ranks(spec->journal_dir, err);
    for (size_t i = 0; rc == 0 && i < c->s->n_runs; i++)
        if (ts_sweep_journal_has(c->j, i)) {
            c->n_todo--;
            rc = ts_sweep_journal_read(c->j, i, &c->s->runs[i], err);
            ts_result_release(&c->s->runs[i]); /* its figures only, as for the others */
        }
    return rc;
}

int ts_sweep_load_run(void *ctx, size_t i, ts_result_t *res, ts_err_t *err)
{
    return ts_sweep_journal_read(ctx, i, res, err);
}

/* Across MPI ranks: rank 0 opens the sweep's journal (and takes in the records its ranks
 * left when a resumed sweep was killed), tells every rank which points are done, and each
 * other rank starts a journal of its own (.sweep-journal.RANK) beside it. Collective. */
static int sweep_journal_ranks(sweep_ctx_t *c, ts_err_t *err)
{
    const ts_sweep_spec_t *spec = c->spec;
    size_t n = c->s->n_runs;
    c->done_before = ts_calloc(n, sizeof(*c->done_before));
    c->ran = ts_calloc(n, sizeof(*c->ran));
    int rc = c->done_before && c->ran ? 0 : ts_err_set(err, TS_ENOMEM, "cannot hold %zu points", n);
    if (rc == 0 && ts_mpi_rank() == 0) {
        rc = sweep_journal(c, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
            c->done_before[i] = ts_sweep_journal_has(c->j, i);
    }
    rc = ts_mpi_agree(rc, 0, err);
    if (rc)
        return rc;
    ts_mpi_bcast(c->done_before, n * sizeof(*c->done_before));
    if (ts_mpi_rank() != 0) {
        char name[64];
        snprintf(name, sizeof(name), "%s.%d", TS_SWEEP_JOURNAL, ts_mpi_rank());
        const ts_sweep_journal_id_t id = {.source = c->first->source, .text = c->first->text,
                                          .overrides = spec->overrides,
                                          .n_overrides = spec->n_overrides, .sweep = c->s};
        rc = ts_sweep_journal_create_as(spec->journal_dir, name, &id, &c->j, err);
        c->n_todo = 0;
        for (size_t i = 0; i < n; i++)
            c->n_todo += !c->done_before[i];
    }
    return ts_mpi_agree(rc, 0, err);
}

/* The writer's runs: run i from the journal once it is done. The writer holds HDF5 (the
 * journal's lock) except while it waits, so the points' records are built meanwhile. */
static int sweep_writer_load(void *ctx, size_t i, ts_result_t *res, ts_err_t *err)
{
    sweep_ctx_t *c = ctx;
    sweep_writer_t *w = c->w;
    ts_sweep_journal_release_hdf5(c->j);
    pthread_mutex_lock(&w->mu);
    while (!w->is_done[i] && !w->is_stopped)
        pthread_cond_wait(&w->cv, &w->mu);
    bool is_done = w->is_done[i];
    pthread_mutex_unlock(&w->mu);
    ts_sweep_journal_hold_hdf5(c->j);
    if (!is_done)
        return ts_err_set(err, TS_EINVAL, "the sweep stopped before point %zu finished",
                          ts_sweep_point(c->s, i));
    return ts_sweep_journal_read(c->j, i, res, err);
}

static void *sweep_points_main(void *ctx)
{
    sweep_ctx_t *c = ctx;
    sweep_writer_t *w = c->w;
    w->points_rc = ts_par_run(c->s->n_runs, w->threads, sweep_job, c, &w->points_err);
    pthread_mutex_lock(&w->mu);
    w->is_stopped = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The points on this process's threads. With a journal, spec->write_dir and two threads or
 * more, the files are written meanwhile, in the order of the runs (the same bytes as
 * written after): result.h5 grows as the points finish, and what is left once the last
 * one is done is its run, sweep.csv and the renames. The writing stays on the calling
 * thread (what it writes meets the thread's write-fault hook, sim/util/io.h, as before);
 * the points go to a thread of their own. */
static int sweep_run_local(sweep_ctx_t *c, int threads, ts_err_t *err)
{
    size_t n = c->s->n_runs;
    sweep_writer_t w = {.threads = threads};
    if (threads > 1 && c->j && c->spec->write_dir &&
        (w.is_done = ts_calloc(n, sizeof(*w.is_done))) != NULL) {
        for (size_t i = 0; i < n; i++)
            w.is_done[i] = ts_sweep_journal_has(c->j, i); /* finished before a resume */
        pthread_mutex_init(&w.mu, NULL);
        pthread_cond_init(&w.cv, NULL);
        c->w = &w;
        if (pthread_create(&w.thread, NULL, sweep_points_main, c) != 0)
            c->w = NULL; /* written after the points, as with one thread */
    }
    int rc = 0;
    if (c->w) {
        ts_err_t werr = {0};
        ts_sweep_journal_hold_hdf5(c->j);
        int wrc = ts_report_sweep_write_from(c->s, sweep_writer_load, c, c->spec->write_dir,
                                             &werr);
        ts_sweep_journal_release_hdf5(c->j);
        pthread_join(w.thread, NULL); /* the points go on to their end after a failure */
        c->w = NULL;
        rc = w.points_rc ? w.points_rc : wrc;
        if (rc)
            *err = w.points_rc ? w.points_err : werr;
        c->is_written = rc == 0;
    } else {
        rc = ts_par_run(n, threads, sweep_job, c, err);
    }
    if (w.is_done) {
        pthread_mutex_destroy(&w.mu);
        pthread_cond_destroy(&w.cv);
        ts_free(w.is_done);
    }
    return rc;
}

/* Across MPI ranks: the points dealt to whichever rank asks first; then rank 0 takes every
 * rank's records into the sweep's journal and the figures of the points it did not run.
 * Collective; every rank returns the same outcome. */
static int sweep_run_ranks(sweep_ctx_t *c, int threads, ts_err_t *err)
{
    size_t n = c->s->n_runs, failed = n;
    ts_mpi_deal_t *d = NULL;
    ts_err_t end_err = {0};
    int rc = ts_mpi_deal_start(n, &d, err);
    if (rc == 0) {
        rc = ts_par_run_dealt(n, threads, ts_mpi_deal_next, d, sweep_job, c, &failed, err);
        int end = ts_mpi_deal_end(d, &end_err);
        if (rc == 0 && end) {
            rc = end;
            *err = end_err;
            failed = 0;
        }
    }
    rc = ts_mpi_agree(rc, rc ? failed : 0, err);
    if (rc == 0 && ts_mpi_rank() == 0) {
        const ts_sweep_journal_id_t id = {.source = c->first->source, .text = c->first->text,
                                          .overrides = c->spec->overrides,
                                          .n_overrides = c->spec->n_overrides, .sweep = c->s};
        ts_mpi_barrier(); /* every rank's journal is complete */
        rc = ts_sweep_journal_absorb(c->j, &id, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (!c->done_before[i] && !c->ran[i]) { /* run by another rank: its figures */
                rc = ts_sweep_journal_read(c->j, i, &c->s->runs[i], err);
                ts_result_release(&c->s->runs[i]);
            }
    } else if (rc == 0) {
        ts_mpi_barrier();
    }
    return rc;
}

int ts_sweep_run(const ts_sweep_spec_t *spec, ts_sweep_t **out, ts_err_t *err)
{
    return ts_sweep_run_journal(spec, out, NULL, err);
}

int ts_sweep_run_journal(const ts_sweep_spec_t *spec, ts_sweep_t **out,
                         ts_sweep_journal_t **journal, ts_err_t *err)
{
    *out = NULL;
    if (journal)
        *journal = NULL;
    ts_sweep_t *s = ts_calloc(1, sizeof(*s));
    sweep_ctx_t c = {.spec = spec, .s = s, .progress = {.hook = spec->progress}};
    ts_scenario_t *base = NULL; /* the scenario with the common overrides: its sweep axes */
    int rc = s ? ts_scenario_load(spec->path, spec->yaml, spec->overrides, spec->n_overrides,
                                  &base, err)
               : ts_err_set(err, TS_ENOMEM, "cannot hold a sweep");
    if (rc == 0)
        rc = sweep_axes(spec, base, s, err);
    ts_scenario_destroy(base);
    if (rc == 0)
        rc = sweep_axis_overrides(&c, err);
    if (rc == 0) {
        c.needs_footprint = ts_calloc(s->n_runs + 1, sizeof(*c.needs_footprint));
        s->runs = ts_calloc(s->n_runs + 1, sizeof(*s->runs));
        if (!c.needs_footprint || !s->runs)
            rc = ts_err_set(err, TS_ENOMEM, "cannot hold %zu points", s->n_runs);
    }
    if (rc == 0 && s->n_runs && (rc = sweep_load_run(&c, 0, &c.first, err)) == 0) {
        c.needs_footprint[0] = ts_run_needs_footprint(c.first);
        snprintf(s->source, sizeof(s->source), "%s", c.first->source);
        if (c.first->text && !(s->scenario_yaml = ts_strdup(c.first->text)))
            rc = ts_err_set(err, TS_ENOMEM, "cannot hold the scenario's text");
    }
    c.n_todo = s ? s->n_runs : 0;
    bool ranks = ts_mpi_size() > 1;
    if (rc == 0 && ranks && !spec->journal_dir)
        rc = ts_err_set(err, TS_EINVAL,
                        "a sweep across %d MPI ranks needs -o DIR, a directory every rank can "
                        "reach: each rank journals its points there",
                        ts_mpi_size());
    if (rc == 0 && s->n_runs && spec->journal_dir)
        rc = ranks ? sweep_journal_ranks(&c, err) : sweep_journal(&c, err);
    int threads = rc == 0 && s->n_runs ? ts_par_cap_note(ts_par_threads(spec->threads, c.first),
                                                         s->n_runs, spec->threads_note)
                                       : 1;
    /* every point's scenario checked; across MPI ranks by rank 0 only, for all (the
     * ranks agree on every outcome so far: the same files, and the journal's agreed) */
    bool is_agreed = rc == 0;
    if (rc == 0 && s->n_runs > 1 && ts_mpi_rank() == 0)
        rc = ts_par_run(s->n_runs, threads, sweep_check_job, &c, err);
    if (is_agreed && ranks)
        rc = ts_mpi_agree(rc, 0, err);
    if (rc == 0 && s->n_runs) {
        rc = sweep_share_trace(&c, err);
        if (ranks)
            rc = sweep_footprint_ranks(&c, rc, err);
        else if (rc == 0)
            rc = sweep_footprint(&c, err);
        if (rc == 0 && ranks)
            rc = sweep_run_ranks(&c, threads, err);
        else if (rc == 0)
            rc = sweep_run_local(&c, threads, err);
    } else if (rc == 0) { /* a shard past the last point: nothing to run */
        snprintf(s->source, sizeof(s->source), "%s",
                 spec->path ? spec->path : spec->yaml ? "<text>" : "<built-in>");
    }
    if (rc == 0 && spec->write_dir && !c.is_written && ts_mpi_rank() == 0)
        rc = ts_report_sweep_write_from(s, c.j ? ts_sweep_load_run : NULL, c.j,
                                        spec->write_dir, err);
    ts_scenario_destroy(c.first);
    ts_free(c.needs_footprint);
    ts_free(c.done_before);
    ts_free(c.ran);
    ts_memtrace_destroy(c.trace);
    for (size_t i = 0; i < c.n_axis_ovr; i++)
        ts_free(c.axis_ovr[i]);
    ts_free(c.axis_ovr);
    ts_free(c.axis_base);
    if (rc && !spec->resume) /* a failed sweep leaves the directory as it was */
        ts_sweep_journal_remove(c.j);
    if (rc || !journal)
        ts_sweep_journal_close(c.j);
    if (rc) {
        ts_sweep_destroy(s);
        return rc;
    }
    if (journal)
        *journal = c.j;
    *out = s;
    return 0;
}

