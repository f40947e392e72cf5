/* SPDX-License-Identifier: MIT */
/*
 * backend.c - what every live back-end shares (see backend.h): opening one from name=value
 * parameters, one request carried to its end, and the registry's check of a table.
 */
#include "backend.h"

#include "util/mem.h"

int ts_backend_open_kv(const ts_backend_ops_t *ops, const char *const *names,
                       const char *const *values, size_t n, const ts_backend_ctx_t *ctx,
                       ts_backend_t **out, ts_err_t *err)
{
    *out = NULL;
    void *params;
    int rc = ts_plugin_params(&ops->base, names, values, n, &params, err);
    if (rc == 0)
        rc = ops->open(params, ctx, out, err);
    ts_free(params);
    return rc;
}

int ts_backend_do(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err)
{
    io->result = 0;
    int rc;
    while ((rc = b->ops->submit(b, io, err)) == TS_BE_BUSY) {
        ts_be_io_t *done;
        int n = b->ops->poll(b, &done, 1, UINT64_MAX, err); /* room for it, then again */
        if (n < 0)
            return n;
    }
    if (rc < 0)
        return rc;
    for (int n = 0; rc == TS_BE_QUEUED;) { /* only an asynchronous back-end queues */
        ts_be_io_t *done = NULL;
        if ((n = b->ops->poll(b, &done, 1, UINT64_MAX, err)) < 0)
            return n;
        if (n == 1 && done == io)
            break;
    }
    if (io->result && err && !err->code)
        ts_err_set(err, io->result, "%s: %s of key %llu failed", b->ops->base.name,
                   io->op == TS_BE_READ ? "read" : io->op == TS_BE_WRITE ? "write" : "free",
                   (unsigned long long)io->key);
    return io->result;
}

int ts_backend_check(const ts_plugin_t *p, ts_err_t *err)
{
    const ts_backend_ops_t *o = ts_backend_ops_of(p);
    if (!o || !o->open || !o->submit || !o->stats || !o->close)
        return ts_err_set(err, TS_EINVAL, "live back-end '%s' lacks open, submit, stats or close",
                          p->name);
    if ((p->flags & TS_BACKEND_ASYNC) && !o->poll)
        return ts_err_set(err, TS_EINVAL, "live back-end '%s' is asynchronous but has no poll",
                          p->name);
    return 0;
}
