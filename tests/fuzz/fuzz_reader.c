/* SPDX-License-Identifier: MIT */
/*
 * fuzz_reader.c - a fuzz harness for one trace reader (TS_FUZZ_FORMAT names it).
 *
 * LLVMFuzzerTestOneInput hands the bytes to the reader as a file (an anonymous memfd, read
 * through /proc/self/fd) and reads to the end or the first error, at most 100000 requests:
 * any input must give requests or one clean error, never a crash, a leak or undefined
 * behaviour. It asserts (abort(), which libFuzzer reports as a crash) that every failing
 * open, next or reset returns a TS_E* code and leaves that code and a message in the
 * error, and that next returns only 1, 0 or an error. Built with clang and -DTS_FUZZ=ON,
 * libFuzzer drives it (`build-fuzz/fuzz_csv -max_total_time=60`). In every other build a
 * main() replays the files named on its command line, and with none, first checks that
 * the format's valid seed reads back exactly, request by request (what the writer was
 * given, or values worked out by hand from the text), then runs a deterministic mutation
 * run: the seed and edge cases with thousands of byte flips, insertions and truncations
 * from a fixed-seed generator. A seed that cannot be written or does not read back fails
 * the harness (exit 1). ctest runs it under the sanitizers in `make check`.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/reader.h"
#include "sim/util/gslerr.h"
#include "traces/trace.h"

#ifndef TS_FUZZ_FORMAT
#error "TS_FUZZ_FORMAT must name a trace format"
#endif

#define FUZZ_MAX_REQUESTS 100000

/* The HDF5 library sizes its metadata cache entries from the file and mallocs them: a
 * damaged size asks for terabytes (found by libFuzzer: H5C_protect, 2 TiB). In a normal
 * process malloc returns NULL and HDF5 fails the open, which tiersim reports as an error
 * (catalogue row fuzz_hdf5_huge_metadata_alloc); AddressSanitizer aborts instead, unless
 * it is told to return NULL as malloc does. Formats read by tiersim's own code keep the
 * abort: a huge allocation there is a finding. */
#define FUZZ_IS_HDF5                                                                         \
    (sizeof(TS_FUZZ_FORMAT) == 5 && TS_FUZZ_FORMAT[0] == 'h' && TS_FUZZ_FORMAT[1] == 'd' &&    \
     TS_FUZZ_FORMAT[2] == 'f' && TS_FUZZ_FORMAT[3] == '5')
const char *__asan_default_options(void);
/* Called before the sanitizer is set up: no instrumented code, no libc, no global (the
 * test is a constant the compiler folds). */
__attribute__((no_sanitize_address, used)) const char *__asan_default_options(void)
{
    return FUZZ_IS_HDF5 ? "allocator_may_return_null=1" : "";
}

/* Aborts (a finding for libFuzzer, a failure for ctest) when an error is not reported as
 * the reader interface says: a negative TS_E* code, the same code in err, a message. */
static void fuzz_check_error(const char *what, int rc, const ts_err_t *err)
{
    if (rc < 0 && err->code == rc && err->msg[0] != 0)
        return;
    fprintf(stderr, "fuzz_%s: %s returned %d with err.code %d and message '%s'\n",
            TS_FUZZ_FORMAT, what, rc, err->code, err->msg);
    abort();
}

/* Writes the bytes to a file; its path into path. Returns the fd or -1. An anonymous memfd
 * read through /proc/self/fd, except for HDF5: the HDF5 library resolves the path's
 * symbolic links (to "/memfd:fuzz (deleted)", which it cannot open), so it gets a real
 * temporary file, which fuzz_done removes. */
static int fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_size)
{
    int fd;
    if (strcmp(TS_FUZZ_FORMAT, "hdf5") == 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(path, path_size, "%s/fuzz-hdf5-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        fd = mkstemp(path);
    } else {
        fd = memfd_create("fuzz", 0);
        snprintf(path, path_size, "/proc/self/fd/%d", fd);
    }
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(fd, data + done, size - done);
        if (k <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)k;
    }
    return fd;
}

static void fuzz_done(int fd, const char *path)
{
    close(fd);
    if (strncmp(path, "/proc/", 6) != 0)
        unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_gsl_install(); /* under libFuzzer's main too: a GSL error is an error, never abort() */
    const ts_reader_ops_t *f = ts_trace_find(TS_FUZZ_FORMAT, NULL);
    if (!f)
        return 0; /* main() refuses to start then */
    char path[4096];
    int fd = fuzz_file(data, size, path, sizeof(path));
    if (fd < 0)
        return 0;
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    int rc = ts_trace_open_path(f, path, &r, &err);
    if (rc != 0) {
        fuzz_check_error("open", rc, &err);
        if (r != NULL) {
            fprintf(stderr, "fuzz_%s: a failed open left a reader\n", TS_FUZZ_FORMAT);
            abort();
        }
    } else {
        ts_req_t q;
        for (int i = 0; i < FUZZ_MAX_REQUESTS; i++) {
            rc = ts_reader_next(r, &q, &err);
            if (rc < 0 || rc > 1)
                fuzz_check_error("next", rc, &err);
            if (rc != 1)
                break;
        }
        ts_err_t err2 = {0};
        rc = ts_reader_reset(r, &err2);
        if (rc != 0)
            fuzz_check_error("reset", rc, &err2);
        else if ((rc = ts_reader_next(r, &q, &err2)) < 0 || rc > 1)
            fuzz_check_error("next after reset", rc, &err2);
        ts_reader_close(r);
    }
    fuzz_done(fd, path);
    return 0;
}

#ifndef TS_LIBFUZZER

/* splitmix64: the mutation run's generator (fixed seed, so every run is the same). */
static uint64_t fuzz_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- the valid seed, and what it must read back as ---- */

#define FUZZ_SEED_MAX 64 /* requests of a seed */

/* The fields compared (a format keeps some only). */
enum {
    FZ_TIME = 1 << 0,
    FZ_KEY = 1 << 1, /* the literal key; without it, only which requests share a key */
    FZ_SIZE = 1 << 2,
    FZ_STREAM = 1 << 3,
    FZ_OP = 1 << 4,
    FZ_FLAGS = 1 << 5,
    FZ_IDLE = 1 << 6,
};

/* One expected request; same_key: requests with the same letter have the same key,
 * different letters different keys (for hashed keys). */
struct fuzz_want {
    uint64_t time_ns, key, size_bytes;
    uint32_t stream;
    uint8_t op, flags;
    uint64_t idle_ns;
    char same_key;
};

/* A seed: its bytes, the requests they hold (n_want; 0 with is_checked false: only that it
 * reads without error, at least one request, and the same again after reset). */
struct fuzz_seed {
    size_t n;
    struct fuzz_want want[FUZZ_SEED_MAX];
    size_t n_want;
    unsigned fields;
    bool is_checked;
};

#define S_ 1000000000ull

/* The text formats' seeds, with what each line means worked out from the format's
 * documentation (the file headers of traces/csv.c, twitter.c, msr.c). */
static const struct fuzz_text {
    const char *format, *text;
    unsigned fields;
    size_t n_want;
    struct fuzz_want want[6];
} k_text[] = {
    /* time in s (default), key column 1 used as is, size column 2, no op column: gets */
    {"csv", "0,1,4096\n10,2,4096,get\n20,\"3\",8KiB\n# c\n30,1,4096\n",
     FZ_TIME | FZ_KEY | FZ_SIZE | FZ_STREAM | FZ_OP | FZ_FLAGS | FZ_IDLE, 4,
     {{0, 1, 4096, 0, 0, 0, 0, 'a'},
      {10 * S_, 2, 4096, 0, 0, 0, 0, 'b'},
      {20 * S_, 3, 8192, 0, 0, 0, 0, 'c'},
      {30 * S_, 1, 4096, 0, 0, 0, 0, 'a'}}},
    /* size = key size + value size, stream = client id, set -> put; keys hashed */
    {"twitter", "0,k1,10,90,7,get,0\n1,k2,4,100,7,set,60\n2,k1,10,0,8,delete,0\n",
     FZ_TIME | FZ_SIZE | FZ_STREAM | FZ_OP, 3,
     {{0, 0, 100, 7, 0, 0, 0, 'a'},
      {1 * S_, 0, 104, 7, 1, 0, 0, 'b'},
      {2 * S_, 0, 10, 8, 2, 0, 0, 'a'}}},
    /* 4 KiB blocks: bytes 8192..16383 are blocks 2 and 3; bytes 6000..10999 blocks 1 and 2;
     * time = ticks x 100; stream = disk 1; keys hashed from (volume, block) */
    {"msr",
     "128166372003061629,hm,1,Read,8192,8192,1000\n128166372003061729,hm,1,Write,"
     "6000,5000,900\n",
     FZ_TIME | FZ_SIZE | FZ_STREAM | FZ_OP, 4,
     {{12816637200306162900ull, 0, 4096, 1, 0, 0, 0, 'c'},
      {12816637200306162900ull, 0, 4096, 1, 0, 0, 0, 'd'},
      {12816637200306172900ull, 0, 4096, 1, 1, 0, 0, 'b'},
      {12816637200306172900ull, 0, 4096, 1, 1, 0, 0, 'c'}}},
    {"mooncake",
     "{\"timestamp\": 0, \"input_length\": 1000, \"output_length\": 100, "
     "\"hash_ids\": [1, 2]}\n",
     0, 0, {{0}}},
    {"bailian",
     "{\"chat_id\": 1, \"parent_chat_id\": -1, \"timestamp\": 1.5, "
     "\"input_length\": 40, \"output_length\": 8, \"type\": \"text\", \"turn\": "
     "1, \"hash_ids\": [7, 8]}\n",
     0, 0, {{0}}},
    {"agent_sessions",
     "{\"id\": \"c\", \"block_size\": 64, \"hash_id_scope\": \"local\", \"requests\": ["
     "{\"t\": 0, \"type\": \"s\", \"in\": 150, \"out\": 90, \"hash_ids\": [1, 2], "
     "\"api_time\": 1.5, \"think_time\": 0}, {\"t\": 0.1, \"type\": \"n\", \"in\": 150, "
     "\"out\": 9, \"hash_ids\": [1, 2]}, {\"t\": 4, \"type\": \"subagent\", \"requests\": "
     "[{\"t\": 0, \"type\": \"s\", \"in\": 64, \"out\": 1, \"hash_ids\": [1]}, {\"t\": 1, "
     "\"type\": \"subagent\", \"requests\": []}]}, {\"t\": 9, \"type\": \"s\", \"in\": "
     "260, \"out\": 3, \"hash_ids\": [1, 2, 3, 4], \"think_time\": 7.4}]}\n",
     0, 0, {{0}}},
};

/* Fills buf with a valid trace of the format and sd with what it holds: the text seed, or
 * 40 requests through the format's writer. Returns false (with a message) when the seed
 * cannot be made: that fails the harness. */
static bool fuzz_make_seed(uint8_t *buf, size_t cap, struct fuzz_seed *sd)
{
    const ts_reader_ops_t *f = ts_trace_find(TS_FUZZ_FORMAT, NULL);
    memset(sd, 0, sizeof(*sd));
    for (size_t i = 0; i < sizeof(k_text) / sizeof(k_text[0]); i++)
        if (strcmp(k_text[i].format, TS_FUZZ_FORMAT) == 0) {
            size_t n = strlen(k_text[i].text);
            if (n > cap)
                return false;
            memcpy(buf, k_text[i].text, n);
            sd->n = n;
            sd->fields = k_text[i].fields;
            sd->n_want = k_text[i].n_want;
            sd->is_checked = k_text[i].n_want > 0;
            memcpy(sd->want, k_text[i].want, sizeof(k_text[i].want));
            return true;
        }
    if (!f || !f->writer) {
        fprintf(stderr, "fuzz_%s: no seed: the format has no text seed here and no writer\n",
                TS_FUZZ_FORMAT);
        return false;
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/fuzz-seed-%d-%s", TS_BINARY_DIR, (int)getpid(),
             TS_FUZZ_FORMAT);
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    if (f->writer->create(path, &w, &err) != 0) {
        fprintf(stderr, "fuzz_%s: cannot create the seed %s: %s\n", TS_FUZZ_FORMAT, path,
                err.msg);
        return false;
    }
    /* oracle_general keeps time in whole seconds, key and size, and reads every request back
     * as a get; native and hdf5 keep every field but next_access. */
    bool is_oracle = strcmp(TS_FUZZ_FORMAT, "oracle_general") == 0;
    sd->fields = is_oracle ? FZ_TIME | FZ_KEY | FZ_SIZE | FZ_OP
                           : FZ_TIME | FZ_KEY | FZ_SIZE | FZ_STREAM | FZ_OP | FZ_FLAGS | FZ_IDLE;
    sd->n_want = 40;
    sd->is_checked = true;
    bool ok = true;
    for (uint64_t i = 0; i < sd->n_want && ok; i++) {
        ts_req_t q = {.time_ns = i * S_, .key = i % 7, .size_bytes = 100 + i,
                      .next_access = TS_REQ_NEVER, .stream = (uint32_t)i % 3,
                      .op = (uint8_t)(i % 2), .flags = TS_REQ_HINT, .idle_ns = i};
        sd->want[i] = (struct fuzz_want){q.time_ns, q.key,   q.size_bytes,       q.stream,
                                         is_oracle ? 0 : q.op, q.flags, q.idle_ns,
                                         (char)('a' + i % 7)};
        if (f->writer->write(w, &q, &err) != 0) {
            fprintf(stderr, "fuzz_%s: writing seed request %u: %s\n", TS_FUZZ_FORMAT,
                    (unsigned)i, err.msg);
            ok = false;
        }
    }
    if (ok && f->writer->finish(w, &err) != 0) {
        fprintf(stderr, "fuzz_%s: finishing the seed: %s\n", TS_FUZZ_FORMAT, err.msg);
        ok = false;
    }
    f->writer->destroy(w);
    if (ok) {
        FILE *fp = fopen(path, "rb");
        sd->n = fp ? fread(buf, 1, cap, fp) : 0;
        if (!fp || !feof(fp) || ferror(fp) || sd->n == 0) {
            fprintf(stderr, "fuzz_%s: cannot read the seed back whole from %s\n",
                    TS_FUZZ_FORMAT, path);
            ok = false;
        }
        if (fp)
            fclose(fp);
    }
    unlink(path);
    return ok;
}

/* Reads the whole of the bytes into out (at most max); the count, or -1 with a message. */
static long fuzz_read_all(const ts_reader_ops_t *f, ts_reader_t *r, ts_req_t *out, size_t max,
                          const char *pass)
{
    ts_err_t err = {0};
    for (size_t n = 0;; n++) {
        ts_req_t q;
        int rc = ts_reader_next(r, &q, &err);
        if (rc == 0)
            return (long)n;
        if (rc != 1 || n == max) {
            fprintf(stderr, "fuzz_%s: the seed (%s) %s at request %zu: %s\n", f->base.name,
                    pass, rc == 1 ? "holds too many requests" : "fails", n, err.msg);
            return -1;
        }
        out[n] = q;
    }
}

/* Whether the seed reads back as sd says, and the same after a reset. */
static bool fuzz_check_seed(const uint8_t *buf, const struct fuzz_seed *sd)
{
    const ts_reader_ops_t *f = ts_trace_find(TS_FUZZ_FORMAT, NULL);
    static ts_req_t got[FUZZ_SEED_MAX + 1], again[FUZZ_SEED_MAX + 1];
    char path[4096];
    int fd = fuzz_file(buf, sd->n, path, sizeof(path));
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    if (fd < 0 || ts_trace_open_path(f, path, &r, &err) != 0) {
        fprintf(stderr, "fuzz_%s: cannot open the seed: %s\n", TS_FUZZ_FORMAT, err.msg);
        if (fd >= 0)
            fuzz_done(fd, path);
        return false;
    }
    bool ok = true;
    long n = fuzz_read_all(f, r, got, FUZZ_SEED_MAX, "first read");
    long n2 = -1;
    if (n >= 0 && ts_reader_reset(r, &err) == 0)
        n2 = fuzz_read_all(f, r, again, FUZZ_SEED_MAX, "after reset");
    else if (n >= 0)
        fprintf(stderr, "fuzz_%s: reset fails on the seed: %s\n", TS_FUZZ_FORMAT, err.msg);
    ts_reader_close(r);
    fuzz_done(fd, path);
    if (n < 0 || n2 < 0)
        return false;
    if (n == 0 || n2 != n) {
        fprintf(stderr, "fuzz_%s: the seed gives %ld requests, then %ld after reset\n",
                TS_FUZZ_FORMAT, n, n2);
        return false;
    }
    for (long i = 0; i < n; i++)
        if (got[i].time_ns != again[i].time_ns || got[i].key != again[i].key ||
            got[i].size_bytes != again[i].size_bytes || got[i].stream != again[i].stream ||
            got[i].op != again[i].op || got[i].flags != again[i].flags ||
            got[i].idle_ns != again[i].idle_ns) {
            fprintf(stderr, "fuzz_%s: request %ld differs after reset\n", TS_FUZZ_FORMAT, i);
            ok = false;
        }
    if (!sd->is_checked)
        return ok;
    if ((size_t)n != sd->n_want) {
        fprintf(stderr, "fuzz_%s: the seed gives %ld requests, expected %zu\n", TS_FUZZ_FORMAT,
                n, sd->n_want);
        return false;
    }
    unsigned m = sd->fields;
    for (size_t i = 0; i < sd->n_want; i++) {
        const struct fuzz_want *w = &sd->want[i];
        const ts_req_t *q = &got[i];
        bool same = (!(m & FZ_TIME) || q->time_ns == w->time_ns) &&
                    (!(m & FZ_KEY) || q->key == w->key) &&
                    (!(m & FZ_SIZE) || q->size_bytes == w->size_bytes) &&
                    (!(m & FZ_STREAM) || q->stream == w->stream) &&
                    (!(m & FZ_OP) || q->op == w->op) && (!(m & FZ_FLAGS) || q->flags == w->flags) &&
                    (!(m & FZ_IDLE) || q->idle_ns == w->idle_ns);
        for (size_t j = 0; j < i; j++)
            if ((sd->want[j].same_key == w->same_key) != (got[j].key == q->key))
                same = false;
        if (!same) {
            fprintf(stderr,
                    "fuzz_%s: seed request %zu reads back as time %llu key %llu size %llu "
                    "stream %u op %u flags %u idle %llu; written: time %llu key %llu size %llu "
                    "stream %u op %u flags %u idle %llu (fields compared: 0x%x)\n",
                    TS_FUZZ_FORMAT, i, (unsigned long long)q->time_ns,
                    (unsigned long long)q->key, (unsigned long long)q->size_bytes, q->stream,
                    q->op, q->flags, (unsigned long long)q->idle_ns,
                    (unsigned long long)w->time_ns, (unsigned long long)w->key,
                    (unsigned long long)w->size_bytes, w->stream, w->op, w->flags,
                    (unsigned long long)w->idle_ns, m);
            ok = false;
        }
    }
    return ok;
}

int main(int argc, char **argv)
{
    static uint8_t seed[1 << 16], buf[1 << 16];
    if (!ts_trace_find(TS_FUZZ_FORMAT, NULL)) {
        fprintf(stderr, "fuzz: no trace format '%s'\n", TS_FUZZ_FORMAT);
        return 2;
    }
    if (argc > 1) { /* replay files, e.g. a crash libFuzzer saved */
        for (int i = 1; i < argc; i++) {
            FILE *fp = fopen(argv[i], "rb");
            if (!fp)
                continue;
            size_t n = fread(buf, 1, sizeof(buf), fp);
            fclose(fp);
            LLVMFuzzerTestOneInput(buf, n);
        }
        return 0;
    }
    static struct fuzz_seed sd;
    if (!fuzz_make_seed(seed, sizeof(seed), &sd) || !fuzz_check_seed(seed, &sd)) {
        fprintf(stderr, "fuzz_%s: FAILED: the valid seed does not read back\n", TS_FUZZ_FORMAT);
        return 1;
    }
    printf("fuzz_%s: the seed (%zu bytes) reads back %s\n", TS_FUZZ_FORMAT, sd.n,
           sd.is_checked ? "request by request as written" : "the same after reset");
    size_t n_seed = sd.n;
    LLVMFuzzerTestOneInput(seed, 0);
    LLVMFuzzerTestOneInput(seed, n_seed);
    uint64_t s = 42;
    int rounds = strcmp(TS_FUZZ_FORMAT, "hdf5") == 0 ? 600 : n_seed ? 3000 : 300;
    for (int round = 0; round < rounds; round++) {
        size_t n = n_seed;
        memcpy(buf, seed, n);
        int edits = 1 + (int)(fuzz_next(&s) % 8);
        for (int e = 0; e < edits; e++) {
            uint64_t x = fuzz_next(&s);
            size_t at = n ? (size_t)(x % n) : 0;
            switch ((x >> 32) % 4) {
            case 0: /* flip a byte */
                if (n)
                    buf[at] ^= (uint8_t)(x >> 40 | 1);
                break;
            case 1: /* set a byte to an edge value */
                if (n)
                    buf[at] = (uint8_t[]){0, 0xff, '"', ',', '\n', '-', '{', '9'}[(x >> 40) % 8];
                break;
            case 2: /* cut the tail */
                n = at;
                break;
            default: /* insert a random byte */
                if (n < sizeof(buf)) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = (uint8_t)(x >> 48);
                    n++;
                }
                break;
            }
        }
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("fuzz_%s: %d mutated inputs from a %zu-byte seed, no crash\n", TS_FUZZ_FORMAT,
           rounds, n_seed);
    return 0;
}

#endif
