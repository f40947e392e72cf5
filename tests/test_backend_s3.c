/* SPDX-License-Identifier: MIT */
/*
 * test_backend_s3.c - the "s3" live back-end (backends/s3.c) against a small S3-compatible
 * server (tests/s3_server.py) that the test starts on the loopback address and stops: the
 * server checks every request's SigV4 signature, so a request libcurl signed wrong fails.
 * The hand-traced sequence of test_backend_memory.c gives the same results; requests go
 * side by side up to the queue depth (then busy); the run's objects and its marker are
 * deleted at close (the bucket lists none), or kept with keep; a wrong secret, missing
 * credentials, an endpoint that is not a URL and a store that does not answer are refused
 * with one clear line each. Skipped (exit 77) where python3 is absent.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "backend_test.h"

#define AK "tiersim-test-key"
#define SK "tiersim-test-secret"

static pid_t g_server = -1;
static char g_endpoint[64];
static char g_port_file[256];

/* Starts the server; returns false when python3 cannot run it. */
static bool server_start(void)
{
    snprintf(g_port_file, sizeof(g_port_file), "s3-port-%ld", (long)getpid());
    unlink(g_port_file);
    g_server = fork();
    if (g_server == 0) {
        execlp("python3", "python3", TS_SOURCE_DIR "/tests/s3_server.py", g_port_file, AK, SK,
               "us-east-1", "bkt", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 300; i++) { /* up to 30 s on a loaded machine */
        FILE *f = fopen(g_port_file, "r");
        int port = 0;
        if (f) {
            bool ok = fscanf(f, "%d", &port) == 1;
            fclose(f);
            if (ok && port > 0) {
                snprintf(g_endpoint, sizeof(g_endpoint), "http://127.0.0.1:%d", port);
                return true;
            }
        }
        int st;
        if (waitpid(g_server, &st, WNOHANG) == g_server) {
            g_server = -1;
            return false;
        }
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    return false;
}

static void server_stop(void)
{
    if (g_server > 0) {
        kill(g_server, SIGTERM);
        waitpid(g_server, NULL, 0);
    }
    unlink(g_port_file);
}

static ts_backend_t *s3_open(const char *keep, uint64_t capacity, uint64_t qd, ts_err_t *err,
                             int *rc)
{
    char qds[32];
    snprintf(qds, sizeof(qds), "%llu", (unsigned long long)qd);
    const char *names[] = {"endpoint", "bucket", "keep", "qd"};
    const char *values[] = {g_endpoint, "bkt", keep, qds};
    ts_backend_ctx_t ctx = {.tier = "s3", .capacity = capacity, .max_object = 1 << 20};
    ts_backend_t *b = NULL;
    *rc = ts_backend_open_kv(&ts_backend_s3, names, values, 4, &ctx, &b, err);
    return b;
}

struct list_buf {
    char text[4096];
    size_t n;
};

static size_t list_sink(char *p, size_t size, size_t n, void *ud)
{
    struct list_buf *b = ud;
    size_t len = size * n;
    size_t room = sizeof(b->text) - 1 - b->n;
    memcpy(b->text + b->n, p, len < room ? len : room);
    b->n += len < room ? len : room;
    b->text[b->n] = 0;
    return size * n;
}

/* The objects in the bucket, as ListObjectsV2 counts them (a signed request of its own). */
static int bucket_count(void)
{
    char url[128];
    snprintf(url, sizeof(url), "%s/bkt?list-type=2", g_endpoint);
    struct list_buf b = {.n = 0};
    CURL *h = curl_easy_init();
    assert_non_null(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
    curl_easy_setopt(h, CURLOPT_USERPWD, AK ":" SK);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, list_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_cleanup(h);
    const char *k = strstr(b.text, "<KeyCount>");
    assert_non_null(k);
    return atoi(k + strlen("<KeyCount>"));
}

static int setup(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", AK, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SK, 1);
    return 0;
}

/* The shared hand-traced sequence (backend_test.h); then close leaves the bucket empty. */
static void test_backend_s3_hand_traced_then_cleaned(void **state)
{
    (void)state;
    ts_err_t err = {0};
    int rc;
    ts_backend_t *b = s3_open("false", 10000, 4, &err, &rc);
    if (rc)
        fail_msg("open: %s", err.msg);
    assert_int_equal(bucket_count(), 1); /* the run's marker */
    ts_backend_stats_t st;
    be_hand_traced(b, "s3", &st);
    assert_string_equal(st.io, "libcurl");
    assert_false(st.emulated);
    assert_int_equal(bucket_count(), 3); /* keys 2 and 3, and the marker */
    b->ops->close(b);
    assert_int_equal(bucket_count(), 0);
}

/* qd 3: three writes go out at once, the fourth is busy until a poll hands one back; every
 * write is then read back whole. keep: the objects and the marker stay after close. */
static void test_backend_s3_queue_depth_and_keep(void **state)
{
    (void)state;
    ts_err_t err = {0};
    int rc;
    ts_backend_t *b = s3_open("true", 0, 3, &err, &rc);
    if (rc)
        fail_msg("open: %s", err.msg);
    static char data[4][8192], got[8192];
    ts_be_io_t io[4];
    for (int i = 0; i < 4; i++) {
        memset(data[i], 'a' + i, sizeof(data[i]));
        io[i] = (ts_be_io_t){.op = TS_BE_WRITE, .key = 10 + (uint64_t)i, .size = 8192,
                             .buf = data[i]};
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(b->ops->submit(b, &io[i], &err), TS_BE_QUEUED);
    assert_int_equal(b->ops->submit(b, &io[3], &err), TS_BE_BUSY);
    ts_be_io_t *done[4];
    int n = 0;
    for (int tries = 0; n < 3 && tries < 10000; tries++) {
        int k = b->ops->poll(b, done + n, 4 - n, 10000000, &err);
        assert_true(k >= 0);
        n += k;
    }
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(done[i]->result, 0);
    assert_int_equal(ts_backend_do(b, &io[3], &err), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(be_io(b, TS_BE_READ, 10 + (uint64_t)i, got, 8192, &err), 0);
        assert_memory_equal(got, data[i], 8192);
    }
    b->ops->close(b);
    assert_int_equal(bucket_count(), 5); /* kept: 4 objects and the marker */
}

/* Refusals, each one line naming what is wrong. */
static void test_backend_s3_refusals(void **state)
{
    (void)state;
    ts_err_t err = {0};
    int rc;
    int before = bucket_count();
    setenv("AWS_SECRET_ACCESS_KEY", "wrong", 1);
    assert_null(s3_open("false", 0, 4, &err, &rc));
    assert_int_equal(rc, TS_EIO);
    assert_non_null(strstr(err.msg, "HTTP 403"));
    assert_non_null(strstr(err.msg, "credentials are refused"));
    unsetenv("AWS_SECRET_ACCESS_KEY");
    ts_err_clear(&err);
    assert_null(s3_open("false", 0, 4, &err, &rc));
    assert_int_equal(rc, TS_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_SECRET_ACCESS_KEY"));
    setenv("AWS_SECRET_ACCESS_KEY", SK, 1);
    const char *names[] = {"endpoint", "bucket"};
    const char *values[] = {"127.0.0.1:9", "bkt"};
    ts_backend_ctx_t ctx = {.tier = "s3", .max_object = 4096};
    ts_backend_t *b = NULL;
    ts_err_clear(&err);
    assert_int_equal(ts_backend_open_kv(&ts_backend_s3, names, values, 2, &ctx, &b, &err),
                     TS_EINVAL);
    assert_non_null(strstr(err.msg, "not an http:// or https:// URL"));
    values[0] = "http://127.0.0.1:9"; /* the discard port: nothing listens */
    ts_err_clear(&err);
    assert_int_equal(ts_backend_open_kv(&ts_backend_s3, names, values, 2, &ctx, &b, &err),
                     TS_EIO);
    assert_non_null(strstr(err.msg, "HEAD http://127.0.0.1:9/bkt/tiersim/s3-"));
    assert_int_equal(bucket_count(), before); /* nothing written */
}

int main(void)
{
    if (!server_start()) {
        server_stop();
        fprintf(stderr, "test_backend_s3: skipped: python3 cannot run tests/s3_server.py\n");
        return 77;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend_s3_hand_traced_then_cleaned),
        cmocka_unit_test(test_backend_s3_queue_depth_and_keep),
        cmocka_unit_test(test_backend_s3_refusals),
    };
    int rc = cmocka_run_group_tests(tests, setup, NULL);
    server_stop();
    curl_global_cleanup();
    return rc;
}
