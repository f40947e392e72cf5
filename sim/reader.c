/* SPDX-License-Identifier: MIT */
/*
 * reader.c - helpers shared by all readers (see reader.h).
 */
#include "reader.h"

#include <stdio.h>
#include <string.h>

#include "util/mem.h"

int ts_reader_read(ts_reader_t *r, ts_req_t *reqs, size_t max, size_t *got, ts_err_t *err)
{
    if (r->ops->next_batch)
        return r->ops->next_batch(r, reqs, max, got, err);
    size_t n = 0;
    int rc = 0;
    while (n < max && (rc = r->ops->next(r, &reqs[n], err)) > 0)
        n++;
    *got = n;
    return rc < 0 ? rc : 0;
}

void ts_reader_info(const ts_reader_t *r, ts_reader_info_t *out)
{
    memset(out, 0, sizeof(*out));
    if (r && r->ops->info)
        r->ops->info(r, out);
}

void ts_reader_units(const ts_reader_t *r, ts_reader_units_t *out)
{
    memset(out, 0, sizeof(*out));
    if (r && r->ops->units)
        r->ops->units(r, out);
}

void ts_reader_hints(const ts_reader_ops_t *ops, const void *params, ts_reader_hints_t *out)
{
    memset(out, 0, sizeof(*out));
    if (ops && ops->hints && params)
        ops->hints(params, out);
}

int ts_reader_open_kv(const ts_reader_ops_t *ops, const char *const *names,
                      const char *const *values, size_t n, const ts_reader_ctx_t *ctx,
                      ts_reader_t **out, ts_err_t *err)
{
    *out = NULL;
    void *params;
    int rc = ts_plugin_params(&ops->base, names, values, n, &params, err);
    if (rc == 0)
        rc = ops->open(params, ctx, out, err);
    ts_free(params);
    return rc;
}

int ts_reader_path(const ts_reader_ctx_t *ctx, const char *path, char *buf, size_t size,
                   ts_err_t *err)
{
    int n;
    if (path[0] == '/' || !ctx || !ctx->base_dir || !ctx->base_dir[0])
        n = snprintf(buf, size, "%s", path);
    else
        n = snprintf(buf, size, "%s/%s", ctx->base_dir, path);
    if (n < 0 || (size_t)n >= size)
        return ts_err_set(err, TS_ERANGE, "path '%s' is too long", path);
    return 0;
}
