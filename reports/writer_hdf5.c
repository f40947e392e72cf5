/* SPDX-License-Identifier: MIT */
/*
 * writer_hdf5.c - the "hdf5" report writer: result.h5, the HDF5 results file (h5.c's
 * layout, docs/results.md) of one run or of a sweep's runs (/runs/0000, /runs/0001, ...),
 * with the latency histograms and the time series. None for a shard with no run.
 * Cost: the file is built in memory (a few hundred KiB a run), then written in one go; past
 * 64 MiB it is built in the output file itself, mapped (h5.c), so it does not stay in memory.
 */
#include <errno.h>

#include "../sim/util/mem.h"
#include "h5_internal.h"
#include "writer.h"

static bool hdf5_has_file(const ts_report_in_t *in, size_t file)
{
    (void)file;
    return in->n_runs > 0;
}

/* The file's bytes, built in memory, then written like any other file. */
static int hdf5_write(const ts_report_in_t *in, size_t file, FILE *out, ts_report_warn_t *warn,
                      ts_err_t *err)
{
    (void)file, (void)warn;
    void *image;
    size_t size;
    bool in_fd;
    /* a large file is built in out's own file, not in memory */
    const ts__h5_src_t src = {.runs = in->load_run ? NULL : in->runs, .n = in->n_runs,
                              .load = in->load_run, .ctx = in->load_ctx,
                              .fd = fflush(out) == 0 ? fileno(out) : -1};
    int rc = ts__report_h5_image_src(&src, &image, &size, &in_fd, err);
    if (rc || in_fd)
        return rc;
    errno = 0;
    if (fwrite(image, 1, size, out) != size || fflush(out) != 0) {
        int e = errno;
        rc = ts_err_sys(err, TS_EIO, e ? e : EIO, "hdf5: write failed");
    }
    ts_free(image);
    return rc;
}

const ts_report_ops_t ts_sink_hdf5 = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_REPORT,
             .name = "hdf5",
             .summary = "result.h5: every figure, latency histograms and time series (h5py, "
                        "pandas); one run or a sweep's",
             .flags = TS_REPORT_BINARY | TS_REPORT_MANY_RUNS | TS_REPORT_SERIES |
                      TS_REPORT_DEFAULT},
    .files = {"result.h5"},
    .has_file = hdf5_has_file,
    .write = hdf5_write,
};
