/* SPDX-License-Identifier: MIT */
/*
 * test_cli_list.c - `tiersim list` end to end (app/cli_list.c): every policy, the device and
 * link presets with their fields (and those of a user catalogue, a bad one one line with its
 * place), the price table's rows and cost keys, the model presets with their KV bytes per
 * token and the inference generator's trace, and every list fitting in 100 columns. The
 * fixture is tests/cli_test.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_test.h"

static void test_cli_list_shows_every_policy(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "list policies"), 0);
    char *out = slurp(f->dir, "out");
    static const char *const names[] = {"fifo", "lru", "clock", "lfu", "arc", "s3fifo",
                                        "sieve", "opt"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strstr(out, names[i]))
            fail_msg("list policies lacks %s", names[i]);
    free(out);
}

/* Whether the table row of out that starts with "  name " contains text. */
static int cli_row_has(const char *out, const char *name, const char *text)
{
    char key[80];
    snprintf(key, sizeof(key), "\n  %s ", name);
    const char *row = strstr(out, key);
    if (!row)
        return 0;
    const char *eol = strchr(row + 1, '\n');
    const char *hit = strstr(row, text);
    return hit && (!eol || hit < eol);
}

static void test_cli_list_devices_shows_presets_and_fields(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "list devices");
    static const struct {
        const char *name, *figures[3];
    } rows[] = {
        {"h100-sxm", {"80GB", "3.35TB/s", "pcie-gen5-x16"}},
        {"gb200", {"186GB", "8TB/s", "nvlink-c2c"}},
        {"micron-9550-max", {"6.4TB", "14GB/s", "10GB/s"}},
        {"ddr5-4800-8ch", {"512GiB", "307GB/s", "100ns"}},
        {"s3-standard", {"object_store", "30ms", "625MB/s per request"}},
        {"pcie-gen5-x16", {"63GB/s", "1us", "PCIe 5.0"}},
        {"eth-400g", {"50GB/s", "10us", "400 Gb"}},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        for (size_t k = 0; k < 3; k++)
            if (!cli_row_has(out, rows[i].name, rows[i].figures[k]))
                fail_msg("row %s lacks %s in:\n%s", rows[i].name, rows[i].figures[k], out);
    static const char *const text[] = {"raid0:<N>x<drive>", "device fields", "link fields",
                                       "read_bw          a bandwidth (e.g. 25GB/s",
                                       "bandwidth        a bandwidth"};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        if (!strstr(out, text[i]))
            fail_msg("list devices lacks '%s'", text[i]);
    free(out);

    out = tiersim_ok(f, "list");
    assert_non_null(strstr(out, "policies:"));
    assert_true(cli_row_has(out, "kioxia-cm7-r", "nvme"));
    free(out);
    assert_int_equal(tiersim(f, "list devics"), 2);
    char *err = slurp(f->dir, "err");
    assert_non_null(strstr(err, "did you mean 'devices'"));
    free(err);
    assert_int_equal(tiersim(f, "list policies extra"), 2);

    /* A user catalogue adds a row and edits a preset; a bad one is one line with its place. */
    char path[512];
    cli_put_file(f, "mine.yaml",
                 "devices:\n  my-drive: {like: samsung-pm9a3, capacity: 3.84TB}\n"
                 "  h100-sxm: {capacity: 94GB}\n",
                 path, sizeof(path));
    out = tiersim_ok(f, "list devices '%s'", path);
    assert_true(cli_row_has(out, "my-drive", "3.84TB"));
    assert_true(cli_row_has(out, "h100-sxm", "94GB"));
    free(out);
    cli_put_file(f, "bad.yaml", "devices:\n  my-drive: {like: samsung-pm9a3, read_bw: 7GB}\n",
                 path, sizeof(path));
    char args[1024];
    snprintf(args, sizeof(args), "list devices '%s'", path);
    assert_int_equal(tiersim(f, args), 1);
    err = slurp(f->dir, "err");
    assert_non_null(strstr(err, "bad.yaml:2:44: devices.my-drive.read_bw: expected a bandwidth"));
    assert_null(strchr(strchr(err, '\n') + 1, '\n'));
    free(err);
}

/* The price table's rows with the prices of sim/presets/prices.yaml, and the cost keys;
 * `list` alone ends with them. */
static void test_cli_list_prices_shows_rows_and_keys(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "list prices");
    static const struct {
        const char *name, *figure;
    } rows[] = {
        {"kind:dram", "$4/GB"},
        {"kind:nvme", "$0.1/GB"},
        {"kind:object_store", "$0.023/GiB-month"},
        {"kind:object_store", "$0.0004/1000"},
        {"h100-sxm", "$3.99/h"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (!cli_row_has(out, rows[i].name, rows[i].figure))
            fail_msg("row %s lacks %s in:\n%s", rows[i].name, rows[i].figure, out);
    static const char *const text[] = {"backing.cost keys only:", "egress", "gpu_price",
                                       "electricity", "lifetime"};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        if (!strstr(out, text[i]))
            fail_msg("list prices lacks '%s'", text[i]);
    /* the profiles with their dates, the default named, and the GPU prices of each: the
     * hyperscaler's H100 its own, its B200 its fallback's */
    static const char *const profiles[] = {
        "\n  neocloud-2025, read 2025\n", "\n  neocloud-2026-09, read 2026-09 (the default)\n",
        "\n  hyperscaler-2026-09, read 2026-09, falls back to neocloud-2026-09\n"};
    for (size_t i = 0; i < 3; i++)
        if (!strstr(out, profiles[i]))
            fail_msg("list prices lacks '%s':\n%s", profiles[i], out);
    const char *hyper = strstr(out, profiles[2]) + 1;
    const char *b200 = strstr(hyper, "\n    b200 ");
    assert_non_null(strstr(hyper, "\n    h100-sxm       $6.88/h   2026-09  aws.amazon.com"));
    assert_non_null(b200);
    static const char want_b200[] = "\n    b200           $6.69/h   2026-09  from neocloud-2026-09";
    assert_int_equal(strncmp(b200, want_b200, strlen(want_b200)), 0);
    free(out);
    out = tiersim_ok(f, "list");
    assert_true(cli_row_has(out, "kind:object_store", "$0.005/1000"));
    free(out);
}

/* The model presets with their KV bytes per token (2 x layers x kv heads x head dim x 2;
 * MLA layers x 576 x 2), the inference generator's parameters, and its trace: Llama-3.1-70B
 * blocks of 256 tokens are 327680 x 256 bytes = 80MiB. */
static void test_cli_list_models_and_gen_inference(void **state)
{
    struct fixture *f = *state;
    char *out = tiersim_ok(f, "list models");
    static const struct {
        const char *name, *figures[2];
    } rows[] = {
        {"llama-3.1-8b", {"131072", "8x128"}},   {"llama-3.1-70b", {"327680", "141GB"}},
        {"llama-3.1-405b", {"516096", "126"}},   {"qwen2.5-72b", {"327680", "72.71B"}},
        {"deepseek-v3", {"70272", "MLA"}},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        for (size_t k = 0; k < 2; k++)
            if (!cli_row_has(out, rows[i].name, rows[i].figures[k]))
                fail_msg("row %s lacks %s in:\n%s", rows[i].name, rows[i].figures[k], out);
    free(out);
    out = tiersim_ok(f, "list generators");
    assert_true(cli_row_has(out, "inference", "KV blocks"));
    assert_non_null(strstr(out, "block_tokens"));
    free(out);
    free(tiersim_ok(f, "trace gen examples/inference-llama70b.yaml "
                       "-s workload.generator.requests=3000 -o '%s/i.tsim'",
                    f->dir));
    out = tiersim_ok(f, "trace info '%s/i.tsim'", f->dir);
    if (!strstr(out, "requests     3000\n") || !strstr(out, "min 80MiB  mean 80MiB  max 80MiB"))
        fail_msg("trace info of the inference trace:\n%s", out);
    free(out);
}

/* The longest line of text, in columns (bytes: the lists are ASCII). */
static size_t cli_widest_line(const char *text, const char **where)
{
    size_t widest = 0;
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        if (n > widest) {
            widest = n;
            *where = line;
        }
        line += n + (line[n] == '\n');
    }
    return widest;
}

/* `tiersim list` and `tiersim list KIND` for every KIND it accepts (as its error for an
 * unknown one lists them) fit in 100 columns: long help wraps under its column. */
static void test_cli_list_fits_100_columns(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tiersim(f, "list zzzzzzzzzzzzzzzz"), 2);
    char *err = slurp(f->dir, "err");
    assert_non_null(err);
    const char *kinds = strstr(err, "; expected ");
    assert_non_null(kinds);
    kinds += strlen("; expected ");
    char list[512];
    snprintf(list, sizeof(list), "%.*s", (int)strcspn(kinds, "\n"), kinds);
    free(err);
    size_t n_kinds = 0;
    for (char *save = NULL, *w = strtok_r(list, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
        if (strcmp(w, "or") == 0)
            continue;
        char args[64];
        snprintf(args, sizeof(args), "list %s", w);
        char *out = tiersim_ok(f, "%s", args);
        const char *at = out;
        size_t widest = cli_widest_line(out, &at);
        if (widest > 100)
            fail_msg("tiersim %s: a line of %zu columns: %.*s", args, widest, (int)widest, at);
        free(out);
        n_kinds++;
    }
    assert_true(n_kinds >= 8); /* five plug-in kinds, models, devices, prices */
    char *out = tiersim_ok(f, "list");
    const char *at = out;
    size_t widest = cli_widest_line(out, &at);
    if (widest > 100)
        fail_msg("tiersim list: a line of %zu columns: %.*s", widest, (int)widest, at);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_list_shows_every_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_devices_shows_presets_and_fields, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_prices_shows_rows_and_keys, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_fits_100_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_list_models_and_gen_inference, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
