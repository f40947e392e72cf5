/* SPDX-License-Identifier: MIT */
/*
 * bench_read.c - reading rates of the trace formats, in records per second.
 *
 * Writes `requests` (default 10M) Zipf(0.9) requests over 1M keys to a scratch directory
 * (default /tmp) in each format: native, oracleGeneral plain and zstd, HDF5, and CSV
 * (time,key,size); the files stay in the page cache, so this measures decoding, not the
 * disk. Then, per format, one untimed read and `runs` timed reads to the end through the
 * reader interface (open included); prints the median.
 *
 * usage: bench_read [requests] [runs] [dir]
 * Output: one line per format: format file_bytes records records_per_s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "sim/util/gslerr.h"
#include "sim/memtrace.h"
#include "sim/util/units.h"
#include "traces/trace.h"
#include "workloads/gen.h"

static int write_csv(const ts_memtrace_t *mt, const char *path)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    for (size_t i = 0; i < mt->n; i++)
        fprintf(fp, "%llu,%llu,%llu\n", (unsigned long long)(mt->reqs[i].time_ns / 1000000000u),
                (unsigned long long)mt->reqs[i].key, (unsigned long long)mt->reqs[i].size_bytes);
    return fclose(fp);
}

static int write_format(const ts_memtrace_t *mt, const char *format, const char *path,
                        ts_err_t *err)
{
    const ts_reader_ops_t *f = ts_trace_find(format, err);
    if (!f)
        return TS_ENOENT;
    ts_writer_t *w = NULL;
    int rc = f->writer->create(path, &w, err);
    for (size_t i = 0; rc == 0 && i < mt->n; i++)
        rc = f->writer->write(w, &mt->reqs[i], err);
    if (rc == 0)
        rc = f->writer->finish(w, err);
    f->writer->destroy(w);
    return rc;
}

static int read_all(const char *format, const char *path, uint64_t *n, double *secs,
                    ts_err_t *err)
{
    const ts_reader_ops_t *f = ts_trace_find(format, err);
    if (!f)
        return TS_ENOENT;
    double t0 = now_s();
    ts_reader_t *r = NULL;
    int rc = ts_trace_open_path(f, path, &r, err);
    ts_req_t q;
    *n = 0;
    while (rc == 0 && (rc = ts_reader_next(r, &q, err)) > 0) {
        (*n)++;
        rc = 0;
    }
    ts_reader_close(r);
    *secs = now_s() - t0;
    return rc;
}

int main(int argc, char **argv)
{
    ts_gsl_install();
    const char *requests = argc > 1 ? argv[1] : "10M";
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    if (runs < 1 || runs > 99)
        runs = 5;
    ts_err_t err = {0};
    char buf[512];
    const ts_reader_ops_t *zipf = ts_gen_find("zipf", &err);
    const char *names[] = {"requests", "keys", "alpha", "interarrival"};
    const char *values[] = {requests, "1M", "0.9", "1us"};
    ts_reader_ctx_t ctx = {.seed = 42};
    ts_reader_t *gen = NULL;
    ts_memtrace_t *mt = NULL;
    int rc = zipf ? ts_reader_open_kv(zipf, names, values, 4, &ctx, &gen, &err) : TS_ENOENT;
    if (rc == 0)
        rc = ts_memtrace_load(gen, 0, &mt, &err);
    ts_reader_close(gen);
    static const struct {
        const char *format, *ext;
    } k_files[] = {{"native", "tsim"},           {"oracle_general", "oracleGeneral"},
                   {"oracle_general", "oracleGeneral.zst"}, {"hdf5", "h5"},
                   {"csv", "csv"}};
    enum { N_FILES = sizeof(k_files) / sizeof(k_files[0]) };
    char paths[N_FILES][600];
    for (size_t i = 0; rc == 0 && i < N_FILES; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/tiersim-bench-read-%d.%s", dir, (int)getpid(),
                 k_files[i].ext);
        if (strcmp(k_files[i].format, "csv") == 0)
            rc = write_csv(mt, paths[i]) ? ts_err_set(&err, TS_EIO, "cannot write %s", paths[i])
                                         : 0;
        else
            rc = write_format(mt, k_files[i].format, paths[i], &err);
    }
    if (rc == 0)
        printf("%-22s %12s %10s %14s\n", "format", "file_bytes", "records", "records_per_s");
    for (size_t i = 0; rc == 0 && i < N_FILES; i++) {
        double secs[99];
        uint64_t n = 0;
        rc = read_all(k_files[i].format, paths[i], &n, &secs[0], &err); /* warm-up */
        for (int k = 0; rc == 0 && k < runs; k++)
            rc = read_all(k_files[i].format, paths[i], &n, &secs[k], &err);
        if (rc)
            break;
        FILE *fp = fopen(paths[i], "rb");
        long bytes = 0;
        if (fp && fseek(fp, 0, SEEK_END) == 0)
            bytes = ftell(fp);
        if (fp)
            fclose(fp);
        char label[64];
        snprintf(label, sizeof(label), "%s%s", k_files[i].format,
                 strstr(k_files[i].ext, ".zst") ? " (zstd)" : "");
        printf("%-22s %12ld %10llu %14.0f\n", label, bytes, (unsigned long long)n,
               (double)n / bench_median(secs, (size_t)runs));
        fflush(stdout);
    }
    for (size_t i = 0; i < N_FILES; i++)
        unlink(paths[i]);
    ts_memtrace_destroy(mt);
    if (rc) {
        fprintf(stderr, "bench_read: error: %s\n", ts_err_format(&err, buf, sizeof(buf)));
        return 1;
    }
    return 0;
}
