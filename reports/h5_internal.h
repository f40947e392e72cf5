/* SPDX-License-Identifier: MIT */
/*
 * h5_internal.h - the HDF5 results file's layout, shared by its writer (h5.c) and reader
 * (h5_read.c): names, the column tables that map each compound dataset and attribute set
 * onto the result's structs, and the HDF5 types built from them.
 *
 * A column table lists (name, offset in a C struct, kind). The same table gives the file
 * type (little-endian, packed in table order), the memory type (native, at the struct's
 * offsets, so whole arrays of structs are written and read in one call) and, for attribute
 * sets, one scalar attribute per entry. Strings: fixed-length, UTF-8, NUL-terminated in
 * compound datasets; variable-length UTF-8 in attributes and string datasets (h5py reads
 * those as str). A result's strings are pointers (TS__H5_PSTR): a table holding one is
 * staged in a packed row (the file's layout, native types) on its way to and from the file.
 * Columns and attributes added after the file's first layout are optional (a file an
 * older tiersim wrote lacks them): the reader then leaves them 0 or "" and says so in the
 * result's `lacks`. The layout is documented in docs/results-hdf5.md.
 */
#ifndef TS_REPORTS_H5_INTERNAL_H
#define TS_REPORTS_H5_INTERNAL_H

#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/result.h"

#define TS__H5_FORMAT "tiersim-results" /* root attribute `format` */
#define TS__H5_SCHEMA 1u                 /* root attribute `schema` */
#define TS__H5_NAME 96                   /* buffer for a link name built from a tier name */

typedef enum ts__h5_kind {
    TS__H5_U64 = 0,
    TS__H5_F64,
    TS__H5_U32,
    TS__H5_U8,
    TS__H5_I32,
    TS__H5_STR,  /* a char array of `size` bytes */
    TS__H5_PSTR, /* a char * owned by the struct (NULL reads as ""), stored in `size` bytes */
} ts__h5_kind_t;

typedef struct ts__h5_field {
    const char *name;  /* column or attribute name */
    size_t offset;     /* in the C struct */
    uint8_t kind;      /* ts__h5_kind_t */
    uint16_t size;     /* TS__H5_STR, TS__H5_PSTR: bytes stored, NUL included */
    uint32_t optional; /* 0: required (a file without it is refused); else added after the
                        * first layout, and the TS_LACKS_* bits (sim/result.h) a file
                        * without it sets in ts_result_t.lacks: it then reads as 0 or "" */
} ts__h5_field_t;

typedef struct ts__h5_table {
    const ts__h5_field_t *f;
    size_t n;        /* entries of f */
    size_t mem_size; /* the C struct's size (row stride) */
} ts__h5_table_t;

/* One row of /hierarchy/links. */
typedef struct ts__h5_link_row {
    char upper[64]; /* tier above the link */
    char lower[64]; /* tier below it, or "backing" */
    ts_link_stats_t st;
} ts__h5_link_row_t;

/* One row of /timed/latency: a summary and which requests it covers. */
typedef struct ts__h5_lat_row {
    char name[80]; /* "all", "get", "put", "ttft", "get@<level>" */
    int32_t level; /* the level that served the gets (backing = tiers), or -1 */
    ts_lat_t lat;  /* buckets: not a column (the dataset /timed/hist/<name>) */
} ts__h5_lat_row_t;

/* One row of /live/backends: a level's back-end (d.read and d.write are not columns: rows
 * of /live/latency), and its rates over the measured span. */
typedef struct ts__h5_backend_row {
    char level[64];     /* the tier, or "backing" */
    ts_live_level_t d;
    double iops;        /* reads and writes per second */
    double bytes_per_s; /* their bytes per second */
} ts__h5_backend_row_t;

/* One row of /live/compare: a figure measured beside predicted. */
typedef struct ts__h5_compare_row {
    char figure[96];  /* "latency.all.p99_ns" */
    char unit[16];    /* "ns", "1/s", "bytes/s", "ratio" */
    double measured;
    double predicted; /* NaN: not predicted */
    double error_pct; /* NaN: nothing to compare with */
} ts__h5_compare_row_t;

/* One row of /series/tiers/<tier>. */
typedef struct ts__h5_series_row {
    uint64_t t;          /* interval start from the origin: ns or requests */
    uint64_t dt;         /* its width */
    uint64_t requests, hits;
    double hit_ratio;    /* hits / requests; NaN without requests */
    uint64_t bytes_hit, bytes_in, bytes_out, used;
    double occupancy;    /* used / capacity at the interval's end */
} ts__h5_series_row_t;

/* One row of /series/total. */
typedef struct ts__h5_total_row {
    uint64_t t, dt, requests, hits;
    double hit_ratio;
    uint64_t bytes_requested, bytes_hit, backing_requests, backing_bytes;
} ts__h5_total_row_t;

/* The tables (definitions in h5_layout.c). */
extern const ts__h5_table_t ts__h5_run_attrs;    /* onto ts_result_t */
extern const ts__h5_table_t ts__h5_tiers;        /* onto ts_tier_result_t */
extern const ts__h5_table_t ts__h5_totals;       /* onto ts_totals_t */
extern const ts__h5_table_t ts__h5_hier_attrs;   /* onto ts_hier_result_t */
extern const ts__h5_table_t ts__h5_hier_counters; /* onto ts_hier_stats_t */
extern const ts__h5_table_t ts__h5_links;        /* onto ts__h5_link_row_t */
extern const ts__h5_table_t ts__h5_timed_attrs;  /* onto ts_timed_result_t */
extern const ts__h5_table_t ts__h5_cost_attrs;   /* onto ts_cost_result_t */
extern const ts__h5_table_t ts__h5_cost_levels;  /* onto ts_cost_level_t */
/* The values ts_cost_result_t.gpus_from may point at, as stored in /cost's `gpus_from`. */
extern const char *const ts__h5_gpus_from[4];
extern const ts__h5_table_t ts__h5_latency;      /* onto ts__h5_lat_row_t */
extern const ts__h5_table_t ts__h5_resources;    /* onto ts_res_result_t */
extern const ts__h5_table_t ts__h5_buckets;      /* onto ts_hist_bucket_t */
extern const ts__h5_table_t ts__h5_live_attrs;   /* onto ts_live_result_t */
extern const ts__h5_table_t ts__h5_backends;     /* onto ts__h5_backend_row_t */
extern const ts__h5_table_t ts__h5_compare;      /* onto ts__h5_compare_row_t */
extern const ts__h5_table_t ts__h5_series_attrs; /* onto ts_series_t */
extern const ts__h5_table_t ts__h5_series_time;  /* onto ts__h5_series_row_t, t_ns, dt_ns */
extern const ts__h5_table_t ts__h5_series_req;   /* the same, t_requests, dt_requests */
extern const ts__h5_table_t ts__h5_total_time;   /* onto ts__h5_total_row_t */
extern const ts__h5_table_t ts__h5_total_req;

/* Names of enum values as stored, indexed by the enum. */
#define TS__H5_ENGINES 3
extern const char *const ts__h5_engine_names[TS__H5_ENGINES]; /* "fast", "timed", "live" */

/* The compound type of a table: the file's (packed, little-endian) or memory's (at the
 * struct's offsets; none for a table with pointers). Returns a type to H5Tclose, or a
 * negative id. */
hid_t ts__h5_compound(const ts__h5_table_t *t, bool file);

/* The bytes a field takes in the file and in a packed row (a number's in a struct too). */
size_t ts__h5_field_size(const ts__h5_field_t *f);

/* Whether a table has pointer fields (TS__H5_PSTR): then rows go through a packed copy. */
bool ts__h5_has_pointers(const ts__h5_table_t *t);

/* Whether a table's struct is laid out as its packed row (no pointer, no padding, fields
 * in table order): its rows then go to and from the file as they are. */
bool ts__h5_is_packed(const ts__h5_table_t *t);

/* The packed row of a table: the file's layout with native types (its compound type to
 * H5Tclose, or a negative id; and its size in bytes). */
hid_t ts__h5_packed_type(const ts__h5_table_t *t);
size_t ts__h5_packed_size(const ts__h5_table_t *t);

/* n struct rows (t->mem_size bytes apart) into packed rows at out; a string longer than
 * its column is cut at size - 1 bytes, the rest of the column zero. */
void ts__h5_pack(const ts__h5_table_t *t, const void *rows, size_t n, void *out);

/* n packed rows into struct rows (zeroed), each string a new heap copy owned by its row.
 * Returns 0 or TS_ENOMEM (the copies made so far stay in the rows, for their owner to
 * free). */
int ts__h5_unpack(const ts__h5_table_t *t, const void *packed, size_t n, void *rows);

/* A fixed-length UTF-8 string type of size bytes, or a variable-length one (size 0). */
hid_t ts__h5_str_type(size_t size);

/* The scalar type of one attribute entry (memory or file); H5Tclose it. */
hid_t ts__h5_scalar_type(const ts__h5_field_t *f, bool file);

/* A link name for a tier or row name: '/' becomes '_', and "" or "." becomes "_". */
const char *ts__h5_link_name(const char *name, char *buf, size_t size);

/* Turns HDF5's own error printing off (the library prints nothing). */
void ts__h5_quiet(void);

/* The bytes of the results file of runs[0..n), built in memory: *image (HDF5's own memory
 * for the file, handed over rather than copied; free with ts_free) and *size. Returns 0, TS_ENOMEM or TS_EIO (HDF5 refused an object; the message names
 * it). */
int ts__report_h5_image(const ts_result_t *const *runs, size_t n, void **image, size_t *size,
                        ts_err_t *err);

/* Where the runs of a results file come from: runs[0..n), or, with runs NULL, load(ctx, i,
 * res, err), which fills a zeroed result the writer releases once written (a sweep's runs
 * read back one at a time from its journal). fd: a file to build an image larger than
 * map_bytes (0: 64 MiB) in (mapped; -1: memory only). */
typedef struct ts__h5_src {
    const ts_result_t *const *runs;
    size_t n;
    int (*load)(void *ctx, size_t i, ts_result_t *res, ts_err_t *err);
    void *ctx;
    int fd;
    size_t map_bytes; /* a multiple of the page size */
} ts__h5_src_t;

/* ts__report_h5_image for src. When the image grew into src->fd, the file holds it (cut
 * to *size bytes), *image is NULL and *in_fd true. */
int ts__report_h5_image_src(const ts__h5_src_t *src, void **image, size_t *size, bool *in_fd,
                            ts_err_t *err);

#endif
