/* SPDX-License-Identifier: MIT */
/*
 * hdf5.c - an HDF5 trace container: reader and writer.
 *
 * Layout (what the writer makes; docs/trace-format.md shows how h5py and pandas read it):
 *   dataset "/requests": one dimension, extendible, chunked (65536 records) and compressed
 *     (shuffle + deflate level 4); a compound type with the little-endian members
 *       time_ns u64, key u64, size u64, stream u32, op u8, flags u8, idle_ns u64
 *     (op: 0 get, 1 put, 2 delete; flags: ts_req_flag bits)
 *   attributes of "/requests": format "tiersim-trace", version 1, n_records (u64),
 *     generator (tiersim's version)
 * Reading takes members by name, so a dataset written by other tools (h5py, pandas via
 * h5py) is read when it has at least `key`; time_ns, size, stream, op, flags and idle_ns
 * default to the request index (as ns), default_size, 0, get, 0 and 0 when absent, and any
 * integer or float type HDF5 can convert is accepted. Records are read 65536 at a time, so
 * memory stays constant. HDF5's own error printing is turned off: errors come back as
 * messages naming the file and the dataset or member.
 * Writing goes to "<path>.tmp.XXXXXX" and is renamed into place by finish(), like every
 * writer. The HDF5 library is not thread-safe unless built so: the reader is flagged
 * TS_READER_NOT_THREAD_SAFE. Cost: O(1) per record plus HDF5's chunk compression.
 */
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../sim/util/mem.h"
#include "../sim/reader.h"
#include "../sim/util/io.h"

#define H5T_PATH_MAX 1024
#define H5T_CHUNK 65536u
#define H5T_DATASET "requests"
#define H5T_WHAT "trace"

/* The in-memory record the reader and writer exchange with HDF5. */
typedef struct h5t_rec {
    uint64_t time_ns;
    uint64_t key;
    uint64_t size;
    uint32_t stream;
    uint8_t op;
    uint8_t flags;
    uint64_t idle_ns;
} h5t_rec_t;

static const struct {
    const char *name;
    size_t offset;
} k_members[] = {
    {"time_ns", offsetof(h5t_rec_t, time_ns)}, {"key", offsetof(h5t_rec_t, key)},
    {"size", offsetof(h5t_rec_t, size)},       {"stream", offsetof(h5t_rec_t, stream)},
    {"op", offsetof(h5t_rec_t, op)},           {"flags", offsetof(h5t_rec_t, flags)},
    {"idle_ns", offsetof(h5t_rec_t, idle_ns)},
};
#define N_MEMBERS (sizeof(k_members) / sizeof(k_members[0]))

/* The reader's record: a member stored as a float in the file is read as a double into
 * real[i] and converted by the reader, which checks its range (HDF5 would clamp it, and
 * turn NaN into anything). */
typedef struct h5t_read_rec {
    h5t_rec_t rec;
    double real[N_MEMBERS];
} h5t_read_rec_t;

static hid_t h5t_member_type(size_t i, bool file)
{
    switch (i) {
    case 3:
        return file ? H5T_STD_U32LE : H5T_NATIVE_UINT32;
    case 4:
    case 5:
        return file ? H5T_STD_U8LE : H5T_NATIVE_UINT8;
    default:
        return file ? H5T_STD_U64LE : H5T_NATIVE_UINT64;
    }
}

/* HDF5 prints its error stack unless told not to; the library must print nothing. */
static void h5t_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* ================================ reader ================================ */

typedef struct h5t_params {
    char path[H5T_PATH_MAX];  /* trace file */
    char dataset[256];        /* dataset of records */
    uint64_t default_size;    /* size when the dataset has no `size` */
} h5t_params_t;

static const ts_param_spec_t k_h5t_params[] = {
    {"path", TS_PT_STRING, offsetof(h5t_params_t, path), H5T_PATH_MAX, 1, 0, NULL,
     "trace file (.h5)", NULL},
    {"dataset", TS_PT_STRING, offsetof(h5t_params_t, dataset), 256, 1, 0, "requests",
     "the dataset of records (a 1-D compound dataset)", NULL},
    {"default_size", TS_PT_SIZE, offsetof(h5t_params_t, default_size), 0, 0, 1.8e19, "4KiB",
     "object size when the dataset has no size member", NULL},
};

typedef struct h5t_reader {
    ts_reader_t base;    /* must be first */
    hid_t file, dset, mtype;
    uint64_t n;          /* records in the dataset */
    uint64_t index;      /* next record */
    h5t_read_rec_t *buf; /* records read ahead */
    uint64_t buf_first;  /* index of buf[0] */
    uint64_t buf_n;      /* records in buf */
    uint64_t default_size;
    bool has[N_MEMBERS]; /* members present in the file */
    bool is_real[N_MEMBERS]; /* ... stored as floats: read into real[] */
    hid_t dxpl;          /* transfer list: a value out of its field's range aborts a read */
    int is_out_of_range; /* set by h5t_conv_except */
    char path[2 * H5T_PATH_MAX];
    char dataset[256];
} h5t_reader_t;

extern const ts_reader_ops_t ts_reader_hdf5;
extern const ts_writer_ops_t ts_writer_hdf5;

static void h5t_close(ts_reader_t *r)
{
    h5t_reader_t *h = (h5t_reader_t *)r;
    if (!h)
        return;
    if (h->mtype >= 0)
        H5Tclose(h->mtype);
    if (h->dxpl >= 0)
        H5Pclose(h->dxpl);
    if (h->dset >= 0)
        H5Dclose(h->dset);
    if (h->file >= 0)
        H5Fclose(h->file);
    ts_free(h->buf);
    ts_free(h);
}

/* Builds the memory type from the members the file's compound type has. */
static int h5t_reader_type(h5t_reader_t *h, ts_err_t *err)
{
    hid_t ftype = H5Dget_type(h->dset);
    if (ftype < 0 || H5Tget_class(ftype) != H5T_COMPOUND) {
        if (ftype >= 0)
            H5Tclose(ftype);
        return ts_err_set(err, TS_EFORMAT, "'%s': dataset '%s' is not a table of records "
                          "(expected a compound type with members key, time_ns, size, ...)",
                          h->path, h->dataset);
    }
    h->mtype = H5Tcreate(H5T_COMPOUND, sizeof(h5t_read_rec_t));
    int rc = 0;
    for (size_t i = 0; i < N_MEMBERS && rc == 0 && h->mtype >= 0; i++) {
        int at = H5Tget_member_index(ftype, k_members[i].name);
        h->has[i] = at >= 0;
        if (!h->has[i])
            continue;
        H5T_class_t cls = H5Tget_member_class(ftype, (unsigned)at);
        h->is_real[i] = cls == H5T_FLOAT;
        if (cls != H5T_INTEGER && cls != H5T_FLOAT)
            rc = ts_err_set(err, TS_EFORMAT, "'%s': member '%s' of '%s' is not a number",
                            h->path, k_members[i].name, h->dataset);
        else if (h->is_real[i] ? H5Tinsert(h->mtype, k_members[i].name,
                                           offsetof(h5t_read_rec_t, real) + i * sizeof(double),
                                           H5T_NATIVE_DOUBLE) < 0
                               : H5Tinsert(h->mtype, k_members[i].name, k_members[i].offset,
                                           h5t_member_type(i, false)) < 0)
            rc = ts_err_set(err, TS_EINTERNAL, "'%s': cannot map member '%s'", h->path,
                            k_members[i].name);
    }
    H5Tclose(ftype);
    if (rc == 0 && h->mtype < 0)
        rc = ts_err_set(err, TS_ENOMEM, "'%s': cannot create a record type", h->path);
    if (rc == 0 && !h->has[1])
        rc = ts_err_set(err, TS_EFORMAT, "'%s': dataset '%s' has no member 'key'", h->path,
                        h->dataset);
    return rc;
}

/* Bits of member i's field. */
static int h5t_member_bits(size_t i)
{
    return i == 3 ? 32 : i == 4 || i == 5 ? 8 : 64;
}

static int h5t_range_fail(const char *member, int bits, ts_err_t *err)
{
    return ts_err_set(err, TS_EFORMAT,
                      "member '%s' is out of the range of its field (a whole number from 0 to "
                      "2^%d - 1)",
                      member, bits);
}

/* A member's value that its field cannot hold (a float time of 1e30, a negative key, NaN,
 * an op of 300): the read fails instead of HDF5 clamping it silently. Fractions of a float
 * are truncated, as an integer field must. */
static H5T_conv_ret_t h5t_conv_except(H5T_conv_except_t e, hid_t src, hid_t dst, void *src_buf,
                                      void *dst_buf, void *data)
{
    (void)src, (void)dst, (void)src_buf, (void)dst_buf;
    if (e == H5T_CONV_EXCEPT_TRUNCATE || e == H5T_CONV_EXCEPT_PRECISION)
        return H5T_CONV_UNHANDLED;
    *(int *)data = 1;
    return H5T_CONV_ABORT;
}

/* After a read of [start, start + count) failed on a value out of range: the first record
 * with a member that is, in *bad, and that member's index; start + count and N_MEMBERS
 * when none is found alone. */
static void h5t_find_range_error(h5t_reader_t *h, hsize_t start, hsize_t count, hsize_t *bad,
                                 size_t *member)
{
    hsize_t one = 1;
    hid_t fspace = H5Dget_space(h->dset), mspace = H5Screate_simple(1, &one, NULL);
    *bad = start + count;
    *member = N_MEMBERS;
    for (hsize_t r = start; r < start + count && fspace >= 0 && mspace >= 0; r++) {
        for (size_t i = 0; i < N_MEMBERS && *member == N_MEMBERS; i++) {
            if (!h->has[i])
                continue;
            h5t_rec_t x;
            hid_t t = h->is_real[i] ? -1 : H5Tcreate(H5T_COMPOUND, sizeof(h5t_rec_t));
            h->is_out_of_range = 0;
            herr_t st = -1;
            if (t >= 0 && H5Tinsert(t, k_members[i].name, k_members[i].offset,
                                    h5t_member_type(i, false)) >= 0 &&
                H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &r, NULL, &one, NULL) >= 0)
                st = H5Dread(h->dset, t, mspace, fspace, h->dxpl, &x);
            if (t >= 0)
                H5Tclose(t);
            if (st < 0 && h->is_out_of_range) {
                *bad = r;
                *member = i;
            }
        }
        if (*member < N_MEMBERS)
            break;
    }
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
}

static int h5t_open(const void *params, const ts_reader_ctx_t *ctx, ts_reader_t **out,
                    ts_err_t *err)
{
    const h5t_params_t *p = params;
    *out = NULL;
    h5t_quiet();
    h5t_reader_t *h = ts_calloc(1, sizeof(*h));
    if (!h)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the hdf5 reader");
    h->base.ops = &ts_reader_hdf5;
    h->file = h->dset = h->mtype = h->dxpl = -1;
    h->default_size = p->default_size;
    snprintf(h->dataset, sizeof(h->dataset), "%s", p->dataset);
    int rc = ts_reader_path(ctx, p->path, h->path, sizeof(h->path), err);
    if (rc)
        goto fail;
    if (access(h->path, R_OK) != 0) {
        rc = ts_err_sys(err, ts_io_code(errno), errno, "cannot open trace '%s'", h->path);
        goto fail;
    }
    if ((h->dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
        H5Pset_type_conv_cb(h->dxpl, h5t_conv_except, &h->is_out_of_range) < 0) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the hdf5 reader");
        goto fail;
    }
    if ((h->file = H5Fopen(h->path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        rc = ts_err_set(err, TS_EFORMAT, "'%s' is not an HDF5 file", h->path);
        goto fail;
    }
    if ((h->dset = H5Dopen2(h->file, h->dataset, H5P_DEFAULT)) < 0) {
        rc = ts_err_set(err, TS_EFORMAT, "'%s' has no dataset '%s'", h->path, h->dataset);
        goto fail;
    }
    hid_t space = H5Dget_space(h->dset);
    hsize_t dims[2] = {0, 0};
    int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (nd == 1)
        H5Sget_simple_extent_dims(space, dims, NULL);
    if (space >= 0)
        H5Sclose(space);
    if (nd != 1) {
        rc = ts_err_set(err, TS_EFORMAT, "'%s': dataset '%s' has %d dimensions, expected 1",
                        h->path, h->dataset, nd);
        goto fail;
    }
    h->n = dims[0];
    if ((rc = h5t_reader_type(h, err)))
        goto fail;
    if (!(h->buf = ts_malloc(H5T_CHUNK * sizeof(h5t_read_rec_t)))) {
        rc = ts_err_set(err, TS_ENOMEM, "cannot allocate the reader of '%s'", h->path);
        goto fail;
    }
    *out = &h->base;
    return 0;
fail:
    h5t_close(&h->base);
    return rc;
}

/* Reads up to `limit` records from h->index into buf. */
static int h5t_fill(h5t_reader_t *h, hsize_t limit, ts_err_t *err)
{
    h->is_out_of_range = 0;
    hsize_t start = h->index, count = h->n - h->index < limit ? h->n - h->index : limit;
    memset(h->buf, 0, (size_t)count * sizeof(h5t_read_rec_t));
    hid_t fspace = H5Dget_space(h->dset);
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    herr_t st = -1;
    if (fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0)
        st = H5Dread(h->dset, h->mtype, mspace, fspace, h->dxpl, h->buf);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (st < 0 && h->is_out_of_range) {
        hsize_t bad;
        size_t i;
        h5t_find_range_error(h, start, count, &bad, &i);
        if (bad > start && bad < start + count) /* the records before it are good */
            return h5t_fill(h, bad - start, err);
        if (i < N_MEMBERS) {
            h->index++; /* passed over: the next call goes on */
            ts_err_where(err, "%s: record %llu", h->path, (unsigned long long)start);
            return h5t_range_fail(k_members[i].name, h5t_member_bits(i), err);
        }
    }
    if (st < 0) {
        ts_err_where(err, "%s: record %llu", h->path, (unsigned long long)h->index);
        return ts_err_set(err, TS_EFORMAT, "cannot read records of '%s' (damaged file?)",
                          h->dataset);
    }
    h->buf_first = h->index;
    h->buf_n = count;
    return 0;
}

static int h5t_next(ts_reader_t *r, ts_req_t *req, ts_err_t *err)
{
    h5t_reader_t *h = (h5t_reader_t *)r;
    if (h->index == h->n)
        return 0;
    if (h->index >= h->buf_first + h->buf_n) {
        int rc = h5t_fill(h, H5T_CHUNK, err);
        if (rc)
            return rc;
    }
    h5t_read_rec_t *rr = &h->buf[h->index - h->buf_first];
    const h5t_rec_t *x = &rr->rec;
    for (size_t i = 0; i < N_MEMBERS; i++) {
        if (!h->has[i] || !h->is_real[i])
            continue;
        int bits = h5t_member_bits(i);
        double w = floor(rr->real[i]);
        if (!(w >= 0 && w < ldexp(1.0, bits))) { /* NaN too */
            ts_err_where(err, "%s: record %llu", h->path, (unsigned long long)h->index);
            h->index++; /* passed over: the next call goes on */
            return h5t_range_fail(k_members[i].name, bits, err);
        }
        void *field = (char *)&rr->rec + k_members[i].offset;
        if (bits == 64)
            *(uint64_t *)field = (uint64_t)w; /* fractions truncated, as an integer field */
        else if (bits == 32)
            *(uint32_t *)field = (uint32_t)w;
        else
            *(uint8_t *)field = (uint8_t)w;
    }
    if (h->has[4] && x->op >= TS_OP_COUNT_) {
        ts_err_where(err, "%s: record %llu", h->path, (unsigned long long)h->index);
        h->index++; /* passed over: the next call goes on */
        return ts_err_set(err, TS_EFORMAT, "op %u is not 0 (get), 1 (put) or 2 (delete)",
                          x->op);
    }
    memset(req, 0, sizeof(*req));
    req->time_ns = h->has[0] ? x->time_ns : h->index;
    req->key = x->key;
    req->size_bytes = h->has[2] ? x->size : h->default_size;
    req->stream = x->stream;
    req->op = x->op;
    req->flags = x->flags;
    req->idle_ns = x->idle_ns;
    req->next_access = TS_REQ_NEVER;
    h->index++;
    return 1;
}

static int h5t_reset(ts_reader_t *r, ts_err_t *err)
{
    (void)err;
    h5t_reader_t *h = (h5t_reader_t *)r;
    h->index = 0;
    h->buf_first = h->buf_n = 0;
    return 0;
}

static void h5t_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    memset(out, 0, sizeof(*out));
    out->n_requests = ((const h5t_reader_t *)r)->n;
}

const ts_reader_ops_t ts_reader_hdf5 = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_FORMAT,
             .name = "hdf5",
             .summary = "HDF5 container: a chunked, compressed compound dataset of records",
             .flags = TS_READER_NOT_THREAD_SAFE, /* unless HDF5 is built thread-safe */
             .params = k_h5t_params,
             .params_count = TS_PARAM_COUNT(k_h5t_params),
             .params_size = sizeof(h5t_params_t)},
    .open = h5t_open,
    .next = h5t_next,
    .reset = h5t_reset,
    .close = h5t_close,
    .info = h5t_info,
    .writer = &ts_writer_hdf5,
    .extension = ".h5",
    .magic = "\x89HDF\r\n\x1a\n", /* the HDF5 superblock signature at offset 0 */
    .magic_size = 8,
};

/* ================================ writer ================================ */

typedef struct h5t_writer {
    ts_writer_t base; /* must be first */
    ts_afile_t af;   /* the temporary name and the rename */
    hid_t file, dset, mtype;
    uint64_t n;       /* records written to the dataset */
    h5t_rec_t *buf;   /* pending records */
    uint64_t len;
    bool is_done;
} h5t_writer_t;


static void h5t_wclose(h5t_writer_t *w)
{
    if (w->mtype >= 0)
        H5Tclose(w->mtype);
    if (w->dset >= 0)
        H5Dclose(w->dset);
    if (w->file >= 0)
        H5Fclose(w->file);
    w->mtype = w->dset = w->file = -1;
}

static void h5t_destroy(ts_writer_t *base)
{
    h5t_writer_t *w = (h5t_writer_t *)base;
    if (!w)
        return;
    h5t_wclose(w);
    ts_afile_discard(&w->af);
    ts_free(w->buf);
    ts_free(w);
}

static hid_t h5t_type(bool file)
{
    size_t size = file ? 8 + 8 + 8 + 4 + 1 + 1 + 8 : sizeof(h5t_rec_t);
    hid_t t = H5Tcreate(H5T_COMPOUND, size);
    size_t off = 0;
    for (size_t i = 0; t >= 0 && i < N_MEMBERS; i++) {
        hid_t mt = h5t_member_type(i, file);
        if (H5Tinsert(t, k_members[i].name, file ? off : k_members[i].offset, mt) < 0) {
            H5Tclose(t);
            return -1;
        }
        off += H5Tget_size(mt);
    }
    return t;
}

static int h5t_attr(hid_t obj, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = space >= 0 ? H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    herr_t st = a >= 0 ? H5Awrite(a, type, value) : -1;
    if (a >= 0)
        H5Aclose(a);
    if (space >= 0)
        H5Sclose(space);
    return st < 0 ? -1 : 0;
}

static int h5t_attr_str(hid_t obj, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0 || H5Tset_size(t, strlen(value) + 1) < 0) {
        if (t >= 0)
            H5Tclose(t);
        return -1;
    }
    int rc = h5t_attr(obj, name, t, value);
    H5Tclose(t);
    return rc;
}

static int h5t_create(const char *path, ts_writer_t **out, ts_err_t *err)
{
    *out = NULL;
    h5t_quiet();
    h5t_writer_t *w = ts_calloc(1, sizeof(*w));
    if (!w)
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the hdf5 writer");
    w->base.ops = &ts_writer_hdf5;
    w->file = w->dset = w->mtype = -1;
    w->af.fd = -1;
    int rc = ts_afile_open(&w->af, path, H5T_WHAT, err);
    if (rc) {
        h5t_destroy(&w->base);
        return rc;
    }
    close(w->af.fd); /* HDF5 writes the temporary file through its own name */
    w->af.fd = -1;
    hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = H5T_CHUNK;
    hid_t ftype = h5t_type(true), space = H5Screate_simple(1, &dims, &maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), fcpl = H5Pcreate(H5P_FILE_CREATE);
    w->mtype = h5t_type(false);
    /* no object modification times: the same requests give the same bytes */
    if (fcpl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0)
        w->file = H5Fcreate(w->af.tmp, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    if (ftype >= 0 && space >= 0 && dcpl >= 0 && w->mtype >= 0 && w->file >= 0 &&
        H5Pset_obj_track_times(dcpl, 0) >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
        H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, 4) >= 0)
        w->dset = H5Dcreate2(w->file, H5T_DATASET, ftype, space, H5P_DEFAULT, dcpl,
                             H5P_DEFAULT);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    uint32_t version = 1;
    if (w->dset < 0 || h5t_attr_str(w->dset, "format", "tiersim-trace") < 0 ||
        h5t_attr(w->dset, "version", H5T_STD_U32LE, &version) < 0 ||
        h5t_attr_str(w->dset, "generator", "tiersim " TS_VERSION) < 0) {
        h5t_destroy(&w->base);
        return ts_err_set(err, TS_EIO, "cannot create HDF5 trace '%s'", path);
    }
    if (!(w->buf = ts_malloc(H5T_CHUNK * sizeof(h5t_rec_t)))) {
        h5t_destroy(&w->base);
        return ts_err_set(err, TS_ENOMEM, "cannot allocate the writer of '%s'", path);
    }
    *out = &w->base;
    return 0;
}

static int h5t_flush(h5t_writer_t *w, ts_err_t *err)
{
    if (w->len == 0)
        return 0;
    hsize_t start = w->n, count = w->len, total = w->n + w->len;
    herr_t st = H5Dset_extent(w->dset, &total);
    hid_t fspace = st >= 0 ? H5Dget_space(w->dset) : -1;
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    st = -1;
    if (fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0)
        st = H5Dwrite(w->dset, w->mtype, mspace, fspace, H5P_DEFAULT, w->buf);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (st < 0) {
        w->is_done = true;
        return ts_err_set(err, TS_EIO, "cannot write HDF5 trace '%s' (disk full?)", w->af.path);
    }
    w->n = total;
    w->len = 0;
    return 0;
}

static int h5t_write(ts_writer_t *base, const ts_req_t *req, ts_err_t *err)
{
    h5t_writer_t *w = (h5t_writer_t *)base;
    if (w->is_done)
        return ts_err_set(err, TS_EINVAL, "trace '%s' is already finished or failed",
                          w->af.path);
    if (req->op >= TS_OP_COUNT_) {
        ts_err_where(err, "%s: record %llu", w->af.path, (unsigned long long)(w->n + w->len));
        return ts_err_set(err, TS_EINVAL, "op %u is not a request op", req->op);
    }
    if (w->len == H5T_CHUNK) {
        int rc = h5t_flush(w, err);
        if (rc)
            return rc;
    }
    h5t_rec_t *x = &w->buf[w->len++];
    memset(x, 0, sizeof(*x));
    x->time_ns = req->time_ns;
    x->key = req->key;
    x->size = req->size_bytes;
    x->stream = req->stream;
    x->op = req->op;
    x->flags = req->flags;
    x->idle_ns = req->idle_ns;
    return 0;
}

static int h5t_finish(ts_writer_t *base, ts_err_t *err)
{
    h5t_writer_t *w = (h5t_writer_t *)base;
    if (w->is_done)
        return ts_err_set(err, TS_EINVAL, "trace '%s' is already finished or failed",
                          w->af.path);
    w->is_done = true;
    int rc = h5t_flush(w, err);
    if (rc == 0 && h5t_attr(w->dset, "n_records", H5T_STD_U64LE, &w->n) < 0)
        rc = ts_err_set(err, TS_EIO, "cannot write HDF5 trace '%s'", w->af.path);
    bool closed_ok = true;
    if (w->dset >= 0 && H5Dclose(w->dset) < 0)
        closed_ok = false;
    w->dset = -1;
    if (w->file >= 0 && H5Fclose(w->file) < 0)
        closed_ok = false;
    w->file = -1;
    if (rc == 0 && !closed_ok)
        rc = ts_err_set(err, TS_EIO, "cannot complete HDF5 trace '%s' (disk full?)",
                        w->af.path);
    if (rc == 0)
        rc = ts_afile_commit(&w->af, H5T_WHAT, err);
    return rc;
}

const ts_writer_ops_t ts_writer_hdf5 = {
    .create = h5t_create,
    .write = h5t_write,
    .finish = h5t_finish,
    .destroy = h5t_destroy,
};
