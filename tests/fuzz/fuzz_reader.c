/* SPDX-License-Identifier: MIT */
/*
 * fuzz_reader.c - a fuzz harness for one trace reader (TS_FUZZ_FORMAT names it).
 *
 * LLVMFuzzerTestOneInput hands the bytes to the reader as a file (an anonymous memfd, read
 * through /proc/self/fd) and reads to the end or the first error, at most 100000 requests:
 * any input must give requests or one clean error, never a crash, a leak or undefined
 * behaviour. Built with clang and -DTS_FUZZ=ON, libFuzzer drives it (`build-fuzz/fuzz_csv
 * -max_total_time=60`). In every other build a main() replays the files named on its
 * command line, and with none, a deterministic mutation run: seed inputs (a valid trace of
 * the format and edge cases) with thousands of byte flips, insertions and truncations from
 * a fixed-seed generator. ctest runs that under the sanitizers in `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/reader.h"
#include "traces/trace.h"

#ifndef TS_FUZZ_FORMAT
#error "TS_FUZZ_FORMAT must name a trace format"
#endif

#define FUZZ_MAX_REQUESTS 100000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ts_reader_ops_t *f = ts_trace_find(TS_FUZZ_FORMAT, NULL);
    if (!f)
        return 0; /* main() refuses to start then */
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return 0;
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(fd, data + done, size - done);
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ts_err_t err = {0};
    ts_reader_t *r = NULL;
    if (ts_trace_open_path(f, path, &r, &err) == 0) {
        ts_req_t q;
        for (int i = 0; i < FUZZ_MAX_REQUESTS && ts_reader_next(r, &q, &err) == 1; i++)
            ;
        if (ts_reader_reset(r, &err) == 0)
            (void)ts_reader_next(r, &q, &err);
        ts_reader_close(r);
    }
    close(fd);
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

/* A valid trace of the format: written by its writer when it has one, else text. */
static size_t fuzz_seed(uint8_t *buf, size_t cap)
{
    const ts_reader_ops_t *f = ts_trace_find(TS_FUZZ_FORMAT, NULL);
    static const struct {
        const char *format, *text;
    } k_text[] = {
        {"csv", "0,1,4096\n10,2,4096,get\n20,\"3\",8KiB\n# c\n30,1,4096\n"},
        {"twitter", "0,k1,10,90,7,get,0\n1,k2,4,100,7,set,60\n2,k1,10,0,8,delete,0\n"},
        {"msr", "128166372003061629,hm,1,Read,8192,8192,1000\n128166372003061729,hm,1,Write,"
                "6000,5000,900\n"},
        {"mooncake", "{\"timestamp\": 0, \"input_length\": 1000, \"output_length\": 100, "
                     "\"hash_ids\": [1, 2]}\n"},
        {"bailian", "{\"chat_id\": 1, \"parent_chat_id\": -1, \"timestamp\": 1.5, "
                    "\"input_length\": 40, \"output_length\": 8, \"type\": \"text\", \"turn\": "
                    "1, \"hash_ids\": [7, 8]}\n"},
        {"agent_sessions",
         "{\"id\": \"c\", \"block_size\": 64, \"hash_id_scope\": \"local\", \"requests\": ["
         "{\"t\": 0, \"type\": \"s\", \"in\": 150, \"out\": 90, \"hash_ids\": [1, 2], "
         "\"api_time\": 1.5, \"think_time\": 0}, {\"t\": 0.1, \"type\": \"n\", \"in\": 150, "
         "\"out\": 9, \"hash_ids\": [1, 2]}, {\"t\": 4, \"type\": \"subagent\", \"requests\": "
         "[{\"t\": 0, \"type\": \"s\", \"in\": 64, \"out\": 1, \"hash_ids\": [1]}, {\"t\": 1, "
         "\"type\": \"subagent\", \"requests\": []}]}, {\"t\": 9, \"type\": \"s\", \"in\": "
         "260, \"out\": 3, \"hash_ids\": [1, 2, 3, 4], \"think_time\": 7.4}]}\n"},
    };
    for (size_t i = 0; i < sizeof(k_text) / sizeof(k_text[0]); i++)
        if (strcmp(k_text[i].format, TS_FUZZ_FORMAT) == 0) {
            size_t n = strlen(k_text[i].text);
            memcpy(buf, k_text[i].text, n < cap ? n : cap);
            return n < cap ? n : cap;
        }
    if (!f || !f->writer)
        return 0;
    char path[256];
    snprintf(path, sizeof(path), "%s/fuzz-seed-%d-%s", TS_BINARY_DIR, (int)getpid(),
             TS_FUZZ_FORMAT);
    ts_err_t err = {0};
    ts_writer_t *w = NULL;
    if (f->writer->create(path, &w, &err) != 0)
        return 0;
    for (uint64_t i = 0; i < 40; i++) {
        ts_req_t q = {.time_ns = i * 1000000000ull, .key = i % 7, .size_bytes = 100 + i,
                      .next_access = TS_REQ_NEVER, .stream = (uint32_t)i % 3,
                      .op = (uint8_t)(i % 2), .flags = 4, .idle_ns = i};
        (void)f->writer->write(w, &q, &err);
    }
    size_t n = 0;
    if (f->writer->finish(w, &err) == 0) {
        FILE *fp = fopen(path, "rb");
        if (fp) {
            n = fread(buf, 1, cap, fp);
            fclose(fp);
        }
        unlink(path);
    }
    f->writer->destroy(w);
    return n;
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
    size_t n_seed = fuzz_seed(seed, sizeof(seed));
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
