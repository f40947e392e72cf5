/* SPDX-License-Identifier: MIT */
/*
 * writer.h - the report-writer seam: what a writer is (an ops table of kind
 * TS_PLUGIN_REPORT), the registry of the built-in ones, and the one call that writes a set
 * of them into an output directory, all files or none.
 *
 * A writer names the files it writes in an output directory (report.txt, result.json,
 * tiers.csv and cost.csv, result.h5, report.html) and fills one of them at a time through
 * a stream opened on a temporary file; reports/files.c owns the directory, the temporary
 * files and the renames, so a set is committed whole: every temporary file is written,
 * then all are renamed. A scenario's `outputs:` names writers by their registry names
 * (app/config_outputs.c): adding a writer is one file (reports/writer_<name>.c exporting
 * `const ts_report_ops_t ts_sink_<name>`) and one line in reports/registry.c. Writers read
 * results only (sim/result.h), never the engines.
 */
#ifndef TS_REPORTS_WRITER_H
#define TS_REPORTS_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../sim/registry.h"
#include "../sim/result.h"
#include "../sim/util/err.h"

#define TS_REPORT_MAX 64      /* writers in the registry: a set is a 64-bit mask */
#define TS_REPORT_MAX_FILES 4 /* files one writer writes */
#define TS_REPORT_SET_FILES 16 /* files one call of ts_report_write_dir writes */

/* What a writer is and needs, for the run, the CLI and `tiersim list`. */
enum ts_report_flag {
    TS_REPORT_BINARY = 1u << 0,        /* its files are bytes, not text */
    TS_REPORT_MULTI_FILE = 1u << 1,    /* it writes more than one file */
    TS_REPORT_NEEDS_GNUPLOT = 1u << 2, /* complete only when gnuplot draws its figures;
                                        * without it the files come with a warning */
    TS_REPORT_MANY_RUNS = 1u << 3,     /* one set of its files holds many runs (a sweep's) */
    TS_REPORT_SERIES = 1u << 4,        /* it reads the time series: a run samples them when
                                        * this writer is chosen */
    TS_REPORT_DEFAULT = 1u << 5,       /* written when a scenario does not choose */
};
#define TS_REPORT_FLAGS_ALL 63u /* every flag above */

/* What a set of writers writes: one run, or the runs of a sweep. */
typedef struct ts_report_in {
    const ts_result_t *const *runs; /* runs[0..n_runs), in order */
    size_t n_runs;                  /* 1 for a run; a sweep's points (0: a shard with none) */
    const ts_sweep_t *sweep;        /* the sweep the runs are the points of, or NULL */
    /* When set, the writers that read whole runs (result.h5) load run i with it, into a
     * zeroed result they release once written, rather than read runs[i] (a sweep's runs
     * come back from its journal one at a time; runs[i] then holds only its figures). */
    int (*load_run)(void *ctx, size_t i, ts_result_t *res, ts_err_t *err);
    void *load_ctx;
} ts_report_in_t;

/* Warnings from a set's writers (files written, but not complete: figures left out). */
typedef struct ts_report_warn {
    size_t n;      /* warnings given */
    char msg[300]; /* the first: "<file>: <what>" */
} ts_report_warn_t;

/*
 * Contract of the ops:
 *   files     the names written in the output directory (plain names, no '/'), the unused
 *             entries NULL; at least one (required).
 *   has_file  whether files[file] is written for in (optional; NULL: every file).
 *   write     fills files[file] for in into out, a stream on a temporary file that the
 *             caller syncs and renames (required). Returns 0, or TS_EIO (the write failed;
 *             sys_errno set), TS_ENOMEM, TS_ERANGE, TS_EINVAL with a message the caller
 *             prefixes with the file's path. A file written but incomplete is a warning
 *             added to *warn (never NULL), not an error.
 * A writer without TS_REPORT_MANY_RUNS is called with exactly one run.
 */
typedef struct ts_report_ops ts_report_ops_t;
struct ts_report_ops {
    ts_plugin_t base; /* kind TS_PLUGIN_REPORT, name "json"; flags: ts_report_flag bits */
    const char *files[TS_REPORT_MAX_FILES];
    bool (*has_file)(const ts_report_in_t *in, size_t file);
    int (*write)(const ts_report_in_t *in, size_t file, FILE *out, ts_report_warn_t *warn,
                 ts_err_t *err);
};

/* Adds a warning: the first one's text is kept ("<file>: <formatted>"). */
void ts_report_warn(ts_report_warn_t *w, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the registry (reports/registry.c) ---- */

/* The built-in writers, sorted by name: csv, hdf5, html, json, text. Its check (run by
 * ts_registry_check) is ts_report_check. */
extern const ts_registry_t ts_reports;

/* The kind's own check of one entry: write and files[0] present, file names plain and
 * distinct, flags known, TS_REPORT_MULTI_FILE set exactly when it names several files.
 * Returns 0 or TS_EINVAL naming the writer. */
int ts_report_check(const ts_plugin_t *p, ts_err_t *err);

/* Sets of writers: bit i stands for entry i of ts_reports. */
typedef uint64_t ts_report_set_t;

/* The writers flagged TS_REPORT_DEFAULT. */
ts_report_set_t ts_report_default_set(void);

/* The bit of the writer named name, or 0 with err (TS_ENOENT): "unknown report writer 'x'
 * (did you mean 'y'?)". */
ts_report_set_t ts_report_find_bit(const char *name, ts_err_t *err);

/* The writers of set in registry order into out (room for TS_REPORT_MAX). Returns their
 * count. */
size_t ts_report_set_list(ts_report_set_t set, const ts_report_ops_t **out);

/* The union of the flags of set's writers. */
uint32_t ts_report_set_flags(ts_report_set_t set);

/* ---- writing (reports/files.c) ---- */

/* Writes the files of the n writers for in into dir, atomically as one set: dir is created
 * with its missing parents; each file is written in full to a temporary file beside it
 * (".<name>.XXXXXX", mode 0644) and synced, in the order of writers and of their files;
 * only when every one is complete are they all renamed into place and dir synced. On any
 * failure every temporary file is removed and every earlier file is kept: anything but a
 * regular file in the way (a directory, FIFO, device, socket; a symbolic link to one) is
 * refused before anything is written and again before the renames, and a rename failing
 * midway puts back the files renamed before it (each previous file is kept meanwhile as a
 * hard link "<tmp>.old"; on a file system without hard links a previous file renamed over
 * stays replaced). Signals are held during the renames (sim/util/io.h). The write-fault hook
 * (ts_io_fail_after) counts each file's flush, then each rename. Nothing is created when no
 * writer has a file to write. warn (may be NULL) receives the writers'
 * warnings. Returns 0, TS_EINVAL (no directory, a NULL writer, a writer of one run given
 * several, two writers of one file, more than TS_REPORT_SET_FILES files, a path too long),
 * or TS_ENOSPC, TS_ENOENT, TS_ENOMEM, TS_ERANGE, TS_EIO naming the file. */
int ts_report_write_dir(const ts_report_in_t *in, const ts_report_ops_t *const *writers,
                        size_t n, const char *dir, ts_report_warn_t *warn, ts_err_t *err);

/* ts_report_write_dir for the one run res. */
int ts_report_write_run(const ts_result_t *res, const ts_report_ops_t *const *writers,
                        size_t n, const char *dir, ts_report_warn_t *warn, ts_err_t *err);

#endif
