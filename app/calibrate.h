/* SPDX-License-Identifier: MIT */
/*
 * calibrate.h - `tiersim calibrate`: measures a live back-end (a scratch file on a real file
 * system, host memory, a GPU's memory) over a grid of request sizes, queue depths and access
 * patterns, fits the device model of sim/device.h to what it measured, and writes the
 * result as a devices catalogue file (the `devices:` file a scenario loads).
 *
 * Pipeline: ts_calib_measure drives the back-end through the seam (sim/backend.h), one point
 * at a time for a fixed time each, with up to `depth` requests in flight; ts_calib_fit turns
 * the points into latency, bandwidth and channels (docs/calibrate.md has the formulas);
 * ts_calib_write_text and ts_calib_write_yaml print the table and the catalogue entry.
 * The fit is a pure function of the points, so tests feed it synthetic measurements.
 */
#ifndef TS_APP_CALIBRATE_H
#define TS_APP_CALIBRATE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../sim/device.h"
#include "../sim/util/err.h"

#define TS_CALIB_MAX_POINTS 128 /* measured points of one run, at most */

/* What is measured. */
typedef enum ts_calib_target {
    TS_CALIB_FILE = 0, /* the file back-end on a scratch file (O_DIRECT, io_uring) */
    TS_CALIB_MEMORY,   /* the memory back-end (memcpy, one thread) */
    TS_CALIB_GPU,      /* the gpu back-end: writes host->GPU, reads GPU->host */
} ts_calib_target_t;

/* The four access patterns of a point. */
typedef enum ts_calib_pattern {
    TS_CALIB_RAND_READ = 0, /* reads, keys in a random order */
    TS_CALIB_SEQ_READ,      /* reads, keys in the order of their extents */
    TS_CALIB_RAND_WRITE,    /* writes over stored keys, in a random order */
    TS_CALIB_SEQ_WRITE,     /* writes over stored keys, in key order */
} ts_calib_pattern_t;

/* One measured point: a pattern at one size and depth. */
typedef struct ts_calib_point {
    int pattern;          /* ts_calib_pattern_t */
    uint64_t size_bytes;  /* bytes per request */
    unsigned depth;       /* requests kept in flight */
    uint64_t n_ops;       /* requests completed */
    uint64_t elapsed_ns;  /* from the first submit to the last completion */
    uint64_t lat_sum_ns;  /* the sum of every request's submit-to-completion time */
    /* filled by ts_calib_fit */
    double model_bytes_per_s; /* what the fitted model predicts at this point */
} ts_calib_point_t;

/* The measured bytes per second, requests per second and mean latency (ns) of p. */
double ts_calib_bytes_per_s(const ts_calib_point_t *p);
double ts_calib_iops(const ts_calib_point_t *p);
double ts_calib_mean_ns(const ts_calib_point_t *p);

/* The fit: the figures of the device model and how well they reproduce the points. */
typedef struct ts_calib_fit {
    double read_latency_ns, write_latency_ns; /* per-op latency */
    double read_bytes_per_s, write_bytes_per_s;
    uint64_t channels;
    double request_cost_ns; /* the shared per-request work (device field request_cost) */
    /* the QD1 lines mean latency = a + size / b of the random reads and writes (gsl_fit_linear);
     * a in ns, b in bytes/s (0: fewer than two sizes, or a slope that is not positive) */
    double read_line_ns, read_line_bytes_per_s, write_line_ns, write_line_bytes_per_s;
    double rms_err_pct; /* root mean square of the points' model errors, percent */
} ts_calib_fit_t;

/* What to measure and how. */
typedef struct ts_calib_spec {
    int target;           /* ts_calib_target_t */
    const char *path;     /* TS_CALIB_FILE: the scratch file, or a directory for it */
    int gpu;              /* TS_CALIB_GPU: the device number */
    const char *gpu_library; /* TS_CALIB_GPU: the CUDA runtime to load; NULL: the default */
    uint64_t size_bytes;  /* bytes of objects stored at once (the scratch size) */
    bool keep;            /* keep the scratch file */
    bool quick;           /* the short grid (docs/calibrate.md) */
    uint64_t point_ns;    /* measuring time of one point; 0: 1 s (0.2 s with quick) */
    /* progress: called before each point with the points done, the total and the point's
     * name ("random read 4KiB QD16"); NULL: none */
    void (*progress)(void *ctx, size_t done, size_t total, const char *what);
    void *progress_ctx;
    const volatile sig_atomic_t *stop; /* set nonzero to stop after the point in progress */
    const char *output; /* the devices file to be written, named when a signal removes the
                         * scratch file; NULL: standard output */
} ts_calib_spec_t;

/* A run's result. */
typedef struct ts_calib {
    ts_calib_point_t points[TS_CALIB_MAX_POINTS];
    size_t n_points;
    ts_calib_fit_t fit;
    char where[1100];    /* the scratch file measured, or "host memory", "GPU 0" */
    char io[32];         /* the back-end's I/O path ("io_uring", "threads"), or "" */
    bool direct;         /* O_DIRECT took effect */
    uint64_t size_bytes; /* the scratch size used (smaller than asked when space was short) */
    uint64_t capacity_bytes; /* for the catalogue: see docs/calibrate.md */
    int target;
    bool stopped;        /* ts_calib_spec_t.stop ended the run early */
    char note[1280];     /* a note for the user ("--size lowered to ..."), or "" */
} ts_calib_t;

/* The smallest --size the grid allows (four objects of its largest size), bytes. */
uint64_t ts_calib_min_size(bool quick);

/* Measures spec into *out and fits it. Nothing but the scratch file (made by the file
 * back-end, removed at the end unless spec->keep) is written. Returns 0; TS_EINVAL (a size
 * below ts_calib_min_size, a --file path that is not a directory and exists, no room at
 * all); TS_EUNSUPPORTED (no CUDA runtime or GPU, the gpu back-end's message); TS_EIO,
 * TS_ENOSPC, TS_ENOMEM from the back-end. A stop ends early with out->stopped (returns 0
 * with the points measured so far, fitted when there are any). */
int ts_calib_measure(const ts_calib_spec_t *spec, ts_calib_t *out, ts_err_t *err);

/* Fits points[0..n) (any subset of the grid with at least one random-read point) into
 * *fit and fills each point's model_bytes_per_s. Formulas in docs/calibrate.md.
 * Returns 0; TS_EINVAL (no random-read point, or one that measured nothing); TS_ENOMEM (the
 * fit's matrices); TS_ERANGE (GSL's fit failed: its SVD did not converge), with GSL's reason.
 * GSL's errors reach it only once ts_gsl_install has run (sim/util/gslerr.h): under GSL's
 * default handler they abort. */
int ts_calib_fit(ts_calib_point_t *points, size_t n, ts_calib_fit_t *fit, ts_err_t *err);

/* The device entry of the fit: kind nvme (file), dram (memory) or other (gpu), every
 * figure rounded to 4 significant digits (latencies to whole ns). */
void ts_calib_device(const ts_calib_t *c, const char *name, ts_device_t *out);

/* The table of points, the QD1 lines and the fitted figures, each line starting with
 * prefix ("" for the terminal, "# " inside the YAML). */
void ts_calib_write_text(const ts_calib_t *c, FILE *out, const char *prefix);

/* The whole catalogue file (comment block, then `devices:` with one entry named name) into
 * path atomically (sim/util/io.h), or to out when path is NULL. Returns 0 or the file's
 * error (TS_EIO, TS_ENOSPC, TS_ENOENT, TS_EINVAL). */
int ts_calib_write_yaml(const ts_calib_t *c, const char *name, const char *path, FILE *out,
                        ts_err_t *err);

#endif
