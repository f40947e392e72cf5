/* SPDX-License-Identifier: MIT */
/*
 * s3.c - the "s3" live back-end: the central store as a real S3-compatible object store
 * (AWS S3, MinIO, Ceph RGW, ...), reached over HTTP(S) with libcurl, each request signed
 * with AWS Signature Version 4 by libcurl itself (CURLOPT_AWS_SIGV4).
 *
 * Layout: path-style URLs <endpoint>/<bucket>/<prefix>/<run>/<key as 16 hex digits>, where
 * <run> is "<tier>-<pid>-<clock>" made at open, so a run only ever writes names no one else
 * has: the marker <run>/.tiersim-live-s3 ("TIERSIM-LIVE-S3 1", the process and the tier) is
 * written first, after a HEAD has found no object of that name (an existing one is refused,
 * never replaced). At close every object the run stored and the marker are deleted unless
 * `keep: true`. Credentials come from the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY), never from the scenario. Bodies are sent as UNSIGNED-PAYLOAD
 * (x-amz-content-sha256), as S3 allows, so a put costs no hash of its bytes.
 * Asynchronous: up to `qd` requests in flight on one curl multi handle (connections kept
 * alive and reused); submit answers TS_BE_QUEUED or TS_BE_BUSY, poll drives the transfers
 * and hands back the finished ones. Results: 200/204 -> 0, 404 -> TS_ENOENT, a read whose
 * body is not the stored size -> TS_EINVAL, anything else (403, 5xx, a transport error) ->
 * TS_EIO. Cost: one HTTP request per operation; memory: ~32 bytes a key plus curl's.
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/backend.h"
#include "../sim/util/ktab.h"
#include "../sim/util/mem.h"
#include "backend.h"

#define S3_MAGIC "TIERSIM-LIVE-S3 1\n"
#define S3_MARKER ".tiersim-live-s3"
#define S3_MAX_QD 256

typedef struct s3_params {
    char endpoint[512]; /* http(s)://host[:port] */
    char bucket[256];
    char region[64];
    char prefix[256];
    uint64_t qd;
    bool keep;
} s3_params_t;

static const ts_param_spec_t k_s3_params[] = {
    {"bucket", TS_PT_STRING, offsetof(s3_params_t, bucket), sizeof(((s3_params_t *)0)->bucket), 1,
     0, NULL, "the bucket (it must exist; tiersim writes only under prefix/ in it)", NULL},
    {"endpoint", TS_PT_STRING, offsetof(s3_params_t, endpoint),
     sizeof(((s3_params_t *)0)->endpoint), 1, 0, NULL,
     "the store's URL, http(s)://host[:port] (path-style requests)", NULL},
    {"keep", TS_PT_BOOL, offsetof(s3_params_t, keep), 0, 0, 1, "false",
     "keep the run's objects and its marker in the bucket after the run", NULL},
    {"prefix", TS_PT_STRING, offsetof(s3_params_t, prefix), sizeof(((s3_params_t *)0)->prefix), 1,
     0, "tiersim", "the key prefix under which each run makes its own folder", NULL},
    {"qd", TS_PT_COUNT, offsetof(s3_params_t, qd), 0, 1, S3_MAX_QD, "16",
     "requests in flight at most (HTTP connections kept open)", NULL},
    {"region", TS_PT_STRING, offsetof(s3_params_t, region), sizeof(((s3_params_t *)0)->region), 1,
     0, "us-east-1", "the region in the signature's scope", NULL},
};

typedef struct s3_node {
    uint64_t key; /* first: the ktab reads it */
    uint64_t size;
} s3_node_t;

typedef struct s3_slot {
    CURL *h;
    ts_be_io_t *io;  /* NULL: free */
    uint64_t got;    /* a read: body bytes received so far */
    bool overflow;   /* a read: more bytes came than asked for */
    char url[1024];
} s3_slot_t;

typedef struct s3_backend {
    ts_backend_t base;
    char tier[64];
    char base_url[1024]; /* <endpoint>/<bucket>/<prefix>/<run> */
    char sigv4[96];      /* "aws:amz:<region>:s3" */
    char userpwd[512];   /* access:secret */
    bool keep, marked;
    uint64_t capacity;   /* bytes; 0: no limit */
    uint64_t max_object;
    CURLM *multi;
    struct curl_slist *hdr;
    s3_slot_t *slot;
    uint32_t qd, inflight;
    s3_node_t *node; /* the objects stored: [n_node], the index maps key -> position */
    uint32_t n_node, cap_node;
    ts_ktab_t index;
    ts_backend_stats_t st;
} s3_backend_t;

static size_t s3_sink(char *p, size_t size, size_t n, void *ud)
{
    s3_slot_t *s = ud;
    size_t len = size * n;
    if (!s->io || s->io->op != TS_BE_READ) /* an error's text: dropped */
        return len;
    uint64_t room = s->io->size - s->got;
    if (len > room) {
        s->overflow = true;
        len = (size_t)room;
    }
    memcpy((char *)s->io->buf + s->got, p, len);
    s->got += len;
    return size * n;
}

/* Sets h up for method on url (a body of size bytes from body for PUT). */
static void s3_prepare(s3_backend_t *d, CURL *h, const char *url, const char *method,
                       const void *body, uint64_t size, void *sink)
{
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, d->sigv4);
    curl_easy_setopt(h, CURLOPT_USERPWD, d->userpwd);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, d->hdr);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s3_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    if (strcmp(method, "PUT") == 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "DELETE") == 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
    }
}

static void s3_url(const s3_backend_t *d, uint64_t key, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%016llx", d->base_url, (unsigned long long)key);
}

/* One request now, outside the multi handle (open and close). Returns the HTTP status, or
 * -1 with err set on a transport error. */
static long s3_now(s3_backend_t *d, const char *url, const char *method, const void *body,
                   uint64_t size, ts_err_t *err)
{
    CURL *h = curl_easy_init();
    if (!h) {
        ts_err_set(err, TS_ENOMEM, "s3 back-end of tier %s: cannot make a curl handle", d->tier);
        return -1;
    }
    s3_slot_t sink = {0};
    s3_prepare(d, h, url, method, body, size, &sink);
    CURLcode cc = curl_easy_perform(h);
    long code = -1;
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    else if (err)
        ts_err_set(err, TS_EIO, "s3 back-end of tier %s: %s %s: %s", d->tier, method, url,
                   curl_easy_strerror(cc));
    curl_easy_cleanup(h);
    return code;
}

static void s3_close(ts_backend_t *b)
{
    s3_backend_t *d = (s3_backend_t *)b;
    if (!d)
        return;
    for (uint32_t i = 0; d->slot && i < d->qd; i++) {
        if (d->slot[i].h) {
            if (d->slot[i].io)
                curl_multi_remove_handle(d->multi, d->slot[i].h);
            curl_easy_cleanup(d->slot[i].h);
        }
    }
    if (d->marked && !d->keep) { /* the run's objects, then its marker */
        char url[1200];
        for (uint32_t i = 0; i < d->n_node; i++) {
            s3_url(d, d->node[i].key, url, sizeof(url));
            s3_now(d, url, "DELETE", NULL, 0, NULL);
        }
        snprintf(url, sizeof(url), "%s/" S3_MARKER, d->base_url);
        s3_now(d, url, "DELETE", NULL, 0, NULL);
    }
    if (d->multi)
        curl_multi_cleanup(d->multi);
    curl_slist_free_all(d->hdr);
    ts_free(d->slot);
    ts_ktab_free(&d->index);
    ts_free(d->node);
    ts_free(d);
}

/* Writes the run's marker, after making sure no object has its name. */
static int s3_mark(s3_backend_t *d, ts_err_t *err)
{
    char url[1200], text[256];
    snprintf(url, sizeof(url), "%s/" S3_MARKER, d->base_url);
    long code = s3_now(d, url, "HEAD", NULL, 0, err);
    if (code < 0)
        return TS_EIO;
    if (code != 404)
        return ts_err_set(err, TS_EIO,
                          "s3 back-end of tier %s: %s answered HTTP %ld where no object should "
                          "be (%s); refusing to write there",
                          d->tier, url, code,
                          code == 200   ? "an object of that name exists"
                          : code == 403 ? "the credentials are refused"
                                        : "not an S3 store, or no such bucket");
    int n = snprintf(text, sizeof(text), S3_MAGIC "pid %ld\ntier %s\n", (long)getpid(), d->tier);
    code = s3_now(d, url, "PUT", text, (uint64_t)n, err);
    if (code < 0)
        return TS_EIO;
    if (code != 200)
        return ts_err_set(err, TS_EIO, "s3 back-end of tier %s: writing %s: HTTP %ld", d->tier,
                          url, code);
    d->marked = true;
    return 0;
}

static int s3_open(const void *params, const ts_backend_ctx_t *ctx, ts_backend_t **out,
                   ts_err_t *err)
{
    const s3_params_t *p = params;
    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ts_err_set(err, TS_EIO, "s3 back-end: libcurl would not start");
    s3_backend_t *d = ts_calloc(1, sizeof(*d));
    if (!d)
        return ts_err_set(err, TS_ENOMEM, "s3 back-end: out of memory");
    d->base.ops = &ts_backend_s3;
    d->keep = p->keep || (ctx && ctx->keep);
    d->capacity = ctx ? ctx->capacity : 0;
    d->max_object = ctx ? ctx->max_object : 0;
    d->qd = (uint32_t)p->qd;
    d->st.io = "libcurl";
    snprintf(d->tier, sizeof(d->tier), "%s", ctx && ctx->tier ? ctx->tier : "tier");
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    int rc = 0;
    if (!ak || !*ak || !sk || !*sk)
        rc = ts_err_set(err, TS_EINVAL,
                        "s3 back-end of tier %s: no credentials: set AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY in the environment",
                        d->tier);
    else if (strncmp(p->endpoint, "http://", 7) != 0 && strncmp(p->endpoint, "https://", 8) != 0)
        rc = ts_err_set(err, TS_EINVAL,
                        "s3 back-end of tier %s: endpoint '%s' is not an http:// or https:// URL",
                        d->tier, p->endpoint);
    if (!rc) {
        size_t e = strlen(p->endpoint);
        while (e && p->endpoint[e - 1] == '/')
            e--;
        int n = snprintf(d->base_url, sizeof(d->base_url), "%.*s/%s/%s/%s-%ld-%llx", (int)e,
                         p->endpoint, p->bucket, p->prefix, d->tier, (long)getpid(),
                         (unsigned long long)ts_backend_now_ns());
        if (n < 0 || (size_t)n >= sizeof(d->base_url) - 40)
            rc = ts_err_set(err, TS_EINVAL, "s3 back-end of tier %s: endpoint, bucket and "
                            "prefix make a URL too long", d->tier);
        snprintf(d->sigv4, sizeof(d->sigv4), "aws:amz:%s:s3", p->region);
        snprintf(d->userpwd, sizeof(d->userpwd), "%s:%s", ak, sk);
    }
    if (!rc) {
        d->hdr = curl_slist_append(NULL, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
        struct curl_slist *h2 = d->hdr ? curl_slist_append(d->hdr, "Content-Type:") : NULL;
        d->hdr = h2 ? curl_slist_append(h2, "Expect:") : NULL;
        d->multi = curl_multi_init();
        d->slot = ts_calloc(d->qd, sizeof(*d->slot));
        if (!d->hdr || !d->multi || !d->slot)
            rc = ts_err_set(err, TS_ENOMEM, "s3 back-end of tier %s: out of memory", d->tier);
        for (uint32_t i = 0; !rc && i < d->qd; i++)
            if (!(d->slot[i].h = curl_easy_init()))
                rc = ts_err_set(err, TS_ENOMEM, "s3 back-end: cannot make %u curl handles",
                                d->qd);
    }
    if (!rc && ts_ktab_init(&d->index, 1024, err) != 0)
        rc = TS_ENOMEM;
    if (!rc)
        rc = s3_mark(d, err);
    if (rc) {
        s3_close(&d->base);
        return rc;
    }
    *out = &d->base;
    return 0;
}

static s3_node_t *s3_find(s3_backend_t *d, uint64_t key)
{
    uint32_t id = ts_ktab_find(&d->index, key, d->node, sizeof(s3_node_t));
    return id == TS_KTAB_NONE ? NULL : &d->node[id];
}

/* Records key (size bytes) as stored. Returns 0 or TS_ENOMEM. */
static int s3_add(s3_backend_t *d, uint64_t key, uint64_t size, ts_err_t *err)
{
    if (d->n_node == d->cap_node) {
        uint32_t cap = d->cap_node ? 2 * d->cap_node : 1024;
        s3_node_t *v = cap > d->cap_node ? ts_realloc(d->node, (size_t)cap * sizeof(*v)) : NULL;
        if (!v)
            return ts_err_set(err, TS_ENOMEM, "s3 back-end: cannot index %u objects", cap);
        d->node = v;
        d->cap_node = cap;
    }
    if (ts_ktab_insert(&d->index, key, d->n_node, err))
        return TS_ENOMEM;
    d->node[d->n_node++] = (s3_node_t){.key = key, .size = size};
    d->st.objects++;
    d->st.bytes += size;
    return 0;
}

/* Forgets the object at position id; the last one takes its place. */
static void s3_drop(s3_backend_t *d, uint32_t id)
{
    d->st.objects--;
    d->st.bytes -= d->node[id].size;
    ts_ktab_remove(&d->index, d->node[id].key, id);
    uint32_t last = --d->n_node;
    if (id != last) {
        ts_ktab_remove(&d->index, d->node[last].key, last);
        d->node[id] = d->node[last];
        ts_ktab_insert(&d->index, d->node[id].key, id, NULL); /* room: one was just freed */
    }
}

static int s3_submit(ts_backend_t *b, ts_be_io_t *io, ts_err_t *err)
{
    s3_backend_t *d = (s3_backend_t *)b;
    if (io->op != TS_BE_FREE && (io->size == 0 || (d->max_object && io->size > d->max_object)))
        return ts_err_set(err, TS_EINVAL, "s3 back-end of tier %s: object of %llu B (at most %llu)",
                          d->tier, (unsigned long long)io->size,
                          (unsigned long long)d->max_object);
    const s3_node_t *n = s3_find(d, io->key); /* the run's own objects: known here */
    if (io->op == TS_BE_WRITE && d->capacity &&
        d->st.bytes - (n ? n->size : 0) + io->size > d->capacity) {
        io->result = ts_err_set(err, TS_ENOSPC,
                                "s3 back-end of tier %s: %llu bytes of key %llu do not fit "
                                "(%llu of %llu bytes used)",
                                d->tier, (unsigned long long)io->size,
                                (unsigned long long)io->key, (unsigned long long)d->st.bytes,
                                (unsigned long long)d->capacity);
        return TS_BE_DONE;
    }
    if (io->op != TS_BE_WRITE && !n) {
        io->result = ts_err_set(err, TS_ENOENT, "s3 back-end of tier %s: key %llu is not stored",
                                d->tier, (unsigned long long)io->key);
        return TS_BE_DONE;
    }
    if (io->op == TS_BE_READ && n->size != io->size) {
        io->result = ts_err_set(err, TS_EINVAL,
                                "s3 back-end of tier %s: key %llu holds %llu bytes, %llu asked for",
                                d->tier, (unsigned long long)io->key, (unsigned long long)n->size,
                                (unsigned long long)io->size);
        return TS_BE_DONE;
    }
    if (d->inflight == d->qd)
        return TS_BE_BUSY;
    s3_slot_t *s = NULL;
    for (uint32_t i = 0; i < d->qd && !s; i++)
        if (!d->slot[i].io)
            s = &d->slot[i];
    s->io = io;
    s->got = 0;
    s->overflow = false;
    s3_url(d, io->key, s->url, sizeof(s->url));
    s3_prepare(d, s->h, s->url,
               io->op == TS_BE_WRITE  ? "PUT"
               : io->op == TS_BE_FREE ? "DELETE"
                                      : "GET",
               io->buf, io->size, s);
    curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
    if (curl_multi_add_handle(d->multi, s->h) != CURLM_OK) {
        s->io = NULL;
        return ts_err_set(err, TS_EIO, "s3 back-end of tier %s: curl refused a request", d->tier);
    }
    d->inflight++;
    return TS_BE_QUEUED;
}

/* The result of slot s's finished transfer (cc), and the index and counters kept. */
static void s3_finish(s3_backend_t *d, s3_slot_t *s, CURLcode cc)
{
    ts_be_io_t *io = s->io;
    long code = 0;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
    io->result = cc != CURLE_OK              ? TS_EIO
                 : code == 404               ? TS_ENOENT
                 : code != 200 && code != 204 ? TS_EIO
                                             : 0;
    if (io->result == 0 && io->op == TS_BE_READ && (s->overflow || s->got != io->size))
        io->result = TS_EINVAL;
    if (io->result == 0) {
        s3_node_t *n = s3_find(d, io->key);
        if (io->op == TS_BE_READ) {
            d->st.reads++;
            d->st.bytes_read += io->size;
        } else if (io->op == TS_BE_WRITE) {
            d->st.writes++;
            d->st.bytes_written += io->size;
            if (n) {
                d->st.bytes += io->size - n->size;
                n->size = io->size;
            } else if (s3_add(d, io->key, io->size, NULL)) {
                io->result = TS_ENOMEM;
            }
        } else if (n) {
            d->st.frees++;
            s3_drop(d, (uint32_t)(n - d->node));
        }
    }
    d->st.reserved = d->st.bytes;
    curl_multi_remove_handle(d->multi, s->h);
    s->io = NULL;
    d->inflight--;
}

static int s3_poll(ts_backend_t *b, ts_be_io_t **done, int max, uint64_t wait_ns, ts_err_t *err)
{
    s3_backend_t *d = (s3_backend_t *)b;
    int k = 0;
    for (int pass = 0; pass < 2 && k == 0; pass++) {
        int running = 0;
        if (pass == 1) {
            if (wait_ns == 0 || d->inflight == 0)
                break;
            int ms = (int)((wait_ns + 999999) / 1000000);
            curl_multi_poll(d->multi, NULL, 0, ms, NULL);
        }
        if (curl_multi_perform(d->multi, &running) != CURLM_OK)
            return ts_err_set(err, TS_EIO, "s3 back-end of tier %s: curl failed", d->tier);
        CURLMsg *m;
        int left;
        while (k < max && (m = curl_multi_info_read(d->multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            s3_slot_t *s = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            ts_be_io_t *io = s->io;
            s3_finish(d, s, m->data.result);
            done[k++] = io;
        }
    }
    return k;
}

static void s3_stats(const ts_backend_t *b, ts_backend_stats_t *out)
{
    *out = ((const s3_backend_t *)b)->st;
}

const ts_backend_ops_t ts_backend_s3 = {
    .base = {.abi = TS_PLUGIN_ABI,
             .kind = TS_PLUGIN_BACKEND,
             .name = "s3",
             .summary = "the central store as a real S3-compatible object store (libcurl, "
                        "SigV4), objects under a folder of the run's own",
             .flags = TS_BACKEND_ASYNC | TS_BACKEND_PERSISTENT,
             .params = k_s3_params,
             .params_count = sizeof(k_s3_params) / sizeof(k_s3_params[0]),
             .params_size = sizeof(s3_params_t)},
    .open = s3_open,
    .submit = s3_submit,
    .poll = s3_poll,
    .stats = s3_stats,
    .close = s3_close,
};
