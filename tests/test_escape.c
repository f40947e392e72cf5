/* SPDX-License-Identifier: MIT */
/*
 * test_escape.c - input bytes that are not plain text: a UTF-8 byte-order mark at the start
 * of a text trace (plain and zstd; csv, twitter, mooncake, agent_sessions) is skipped once,
 * at the start only; input echoed in a message shows control, invisible and non-UTF-8
 * bytes as \xHH (ts_text_shown, the readers' and the parameters' messages); a file name
 * that is not UTF-8 (bytes FF and C3 28) gives valid UTF-8 from `trace info --json` (each
 * bad byte U+FFFD, read back by jansson) and from the HTML report of a run on that file.
 */
#include <jansson.h>
#include <zstd.h>

#include "cli_test.h"

#include "sim/param.h"
#include "sim/util/text.h"
#include "trace_test.h"

#define BOM "\xEF\xBB\xBF"

/* True when s holds only printable ASCII: what a message that escaped its input shows. */
static bool escape_is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7F)
            return false;
    return true;
}

/* Every case by hand: printable ASCII and visible UTF-8 as they are, anything else \xHH
 * (upper-case hex), a long text cut after a whole character with "...". */
static void test_escape_shown_table(void **state)
{
    (void)state;
    static const struct {
        const char *name, *in;
        size_t size;
        const char *want;
    } cases[] = {
        {"plain", "abc", 64, "abc"},
        {"byte-order mark", BOM "1", 64, "\\xEF\\xBB\\xBF1"},
        {"control byte", "a\x01z", 64, "a\\x01z"},
        {"tab", "a\tb", 64, "a\\x09b"},
        {"delete", "\x7F", 64, "\\x7F"},
        {"valid two-byte UTF-8 kept", "caf\xC3\xA9", 64, "caf\xC3\xA9"},
        {"lone 0xff", "a\xFFz", 64, "a\\xFFz"},
        {"0xc3 without its continuation", "\xC3\x28", 64, "\\xC3("},
        {"overlong slash", "\xC0\xAF", 64, "\\xC0\\xAF"},
        {"surrogate", "\xED\xA0\x80", 64, "\\xED\\xA0\\x80"},
        {"zero-width space", "a\xE2\x80\x8B", 64, "a\\xE2\\x80\\x8B"},
        {"fits exactly", "abcdefghijklmno", 16, "abcdefghijklmno"},
        {"cut with dots", "abcdefghijklmnop", 16, "abcdefghijkl..."}, /* 16 - 4 = 12 */
        {"escape not split", "abcdefghijk\x01z", 16, "abcdefghijk..."}, /* 11 + 4 > 12 */
        {"null", NULL, 16, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        memset(buf, 'X', sizeof(buf));
        const char *got = ts_text_shown(cases[i].in, buf, cases[i].size);
        if (got != buf || strcmp(buf, cases[i].want) != 0)
            fail_msg("case %s: got '%s', want '%s'", cases[i].name, buf, cases[i].want);
    }
}

/* ts_utf8_fix: each byte that starts no valid sequence becomes U+FFFD (EF BF BD). */
static void test_escape_utf8_fix(void **state)
{
    (void)state;
    char out[64];
    static const char in[] = "a\xFF\xC3\x28\xC3\xA9";
    size_t n = ts_utf8_fix(in, sizeof(in) - 1, out);
    static const char want[] = "a\xEF\xBF\xBD\xEF\xBF\xBD(\xC3\xA9";
    assert_int_equal(n, sizeof(want) - 1);
    assert_memory_equal(out, want, n);
    uint32_t cp = 0;
    assert_int_equal(ts_utf8_len("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(ts_utf8_len("\xF0\x9F\x98", 3, &cp), 0); /* cut short */
    assert_int_equal(ts_utf8_len("\xF5\x80\x80\x80", 4, &cp), 0); /* above U+10FFFF */
}

/* Writes text zstd-compressed to g_dir/name; path (400 bytes) gets its name. */
static void escape_put_zst(const char *name, const char *text, char *path)
{
    size_t cap = ZSTD_compressBound(strlen(text));
    void *z = malloc(cap);
    assert_non_null(z);
    size_t n = ZSTD_compress(z, cap, text, strlen(text), 3);
    assert_false(ZSTD_isError(n));
    trace_test_put(name, z, n, path);
    free(z);
}

/* Reads every request of path (format, with name=value) into q; returns how many. */
static size_t escape_read(const char *format, const char *path, const char *name,
                          const char *value, ts_req_t *q, size_t cap)
{
    ts_err_t err = {0};
    const char *names[] = {name}, *values[] = {value};
    ts_reader_t *r = trace_test_open(format, path, names, values, name ? 1 : 0, &err);
    size_t n = 0;
    int rc;
    while (n < cap && (rc = ts_reader_next(r, &q[n], &err)) == 1)
        n++;
    if (n < cap && rc != 0)
        fail_msg("%s: %s: %s", format, err.where, err.msg);
    ts_reader_close(r);
    return n;
}

/* A CSV file that starts with a BOM reads as the same file without it: plain, zstd, with
 * a header, and after a rewind. */
static void test_escape_csv_bom_skipped(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text, *param, *value;
        int zst;
    } cases[] = {
        {"plain", BOM "1,10,4096\n2,11,100\n", NULL, NULL, 0},
        {"zstd", BOM "1,10,4096\n2,11,100\n", NULL, NULL, 1},
        {"header", BOM "time,key,size\n1,10,4096\n2,11,100\n", "header", "true", 0},
        {"comment first", BOM "# requests\n1,10,4096\n2,11,100\n", NULL, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[400];
        if (cases[i].zst)
            escape_put_zst("bom.csv.zst", cases[i].text, path);
        else
            trace_test_put("bom.csv", cases[i].text, strlen(cases[i].text), path);
        ts_req_t q[4];
        size_t n = escape_read("csv", path, cases[i].param, cases[i].value, q, 4);
        if (n != 2 || q[0].time_ns != 1000000000ull || q[0].key != 10 ||
            q[0].size_bytes != 4096 || q[1].time_ns != 2000000000ull || q[1].key != 11 ||
            q[1].size_bytes != 100)
            fail_msg("case %s: %zu requests", cases[i].name, n);
    }
    /* a rewind starts the file again: the mark is skipped again */
    char path[400];
    trace_test_put("bom.csv", BOM "1,10,4096\n", 13, path);
    ts_err_t err = {0};
    ts_reader_t *r = trace_test_open("csv", path, NULL, NULL, 0, &err);
    ts_req_t q;
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_int_equal(ts_reader_reset(r, &err), 0);
    assert_int_equal(ts_reader_next(r, &q, &err), 1);
    assert_int_equal(q.key, 10);
    assert_int_equal(ts_reader_next(r, &q, &err), 0);
    ts_reader_close(r);
}

/* The other text readers (twitter, mooncake) and the JSON of agent_sessions skip it too. */
static void test_escape_other_readers_skip_bom(void **state)
{
    (void)state;
    char path[400];
    ts_req_t q[8];
    static const char tw[] = BOM "0,key-a,10,90,7,get,0\n";
    trace_test_put("bom.twitter", tw, sizeof(tw) - 1, path);
    assert_int_equal(escape_read("twitter", path, NULL, NULL, q, 8), 1);
    assert_int_equal(q[0].size_bytes, 100); /* key 10 + value 90 */
    static const char mc[] = BOM "{\"timestamp\": 0, \"input_length\": 1000, "
                                 "\"output_length\": 100, \"hash_ids\": [1, 2]}\n";
    trace_test_put("bom.jsonl", mc, sizeof(mc) - 1, path);
    assert_int_equal(escape_read("mooncake", path, NULL, NULL, q, 8), 2); /* two blocks */
    static const char ag[] = BOM "{\"block_size\": 64, \"requests\": [\n"
                                 " {\"t\": 0.0, \"type\": \"s\", \"in\": 4, \"out\": 1,"
                                 " \"hash_ids\": [1]}]}\n";
    trace_test_put("bom.json", ag, sizeof(ag) - 1, path);
    assert_int_equal(escape_read("agent_sessions", path, NULL, NULL, q, 8), 1);
    escape_put_zst("bomz.json.zst", ag, path);
    assert_int_equal(escape_read("agent_sessions", path, NULL, NULL, q, 8), 1);
}

/* A mark anywhere but at the file's start is data: the error shows it escaped, and the
 * message holds printable ASCII only. */
static void test_escape_messages_show_bytes(void **state)
{
    (void)state;
    static const trace_test_bad_t csv_cases[] = {
        {"1,10,4096\n" BOM "2,11,100\n", ":2", "found '\\xEF\\xBB\\xBF2'"},
        {"1\x01,10,4096\n", ":1", "found '1\\x01'"},
        {"1,10,4\xFF\n", ":1", "found '4\\xFF'"},
    };
    trace_test_bad_cases("csv", csv_cases, sizeof(csv_cases) / sizeof(csv_cases[0]), NULL,
                         NULL, 0);
    static const trace_test_bad_t tw_cases[] = {
        {"0,a,1,2,3,g\xC3\x28t,0\n", ":1", "found 'g\\xC3(t'"},
    };
    trace_test_bad_cases("twitter", tw_cases, 1, NULL, NULL, 0);
    /* jansson's messages may quote the input: they are shown escaped too */
    static const trace_test_bad_t mc_cases[] = {
        {"{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1, \"x\": \"\xFF\", "
         "\"hash_ids\": [1]}\n",
         ":1", "unable to decode byte 0xff"},
        {"{\"timestamp\": 0, \"x\": \"a\x01\"}\n", ":1", "control character 0x1"},
    };
    trace_test_bad_cases("mooncake", mc_cases, 2, NULL, NULL, 0);
    static const char ag[] = "{\"block_size\": 64, \"requests\": [\xFF]}\n";
    char ag_path[400];
    trace_test_put("bad.json", ag, sizeof(ag) - 1, ag_path);
    ts_err_t ag_err = {0};
    ts_reader_t *ag_r = trace_test_open("agent_sessions", ag_path, NULL, NULL, 0, &ag_err);
    assert_int_equal(trace_test_drain(ag_r, &ag_err), TS_EFORMAT);
    assert_non_null(strstr(ag_err.msg, "invalid JSON"));
    assert_true(escape_is_ascii(ag_err.msg));
    ts_reader_close(ag_r);
    char path[400];
    trace_test_put("bad.csv", "1,10,4096\n" BOM "2,11,100\n", 23, path);
    ts_err_t err = {0};
    ts_reader_t *r = trace_test_open("csv", path, NULL, NULL, 0, &err);
    assert_int_equal(trace_test_drain(r, &err), TS_EFORMAT);
    assert_true(escape_is_ascii(err.msg));
    ts_reader_close(r);
}

/* Parameter values and unknown keys are echoed escaped too. */
static void test_escape_param_messages(void **state)
{
    (void)state;
    const ts_reader_ops_t *csv = ts_trace_find("csv", NULL);
    assert_non_null(csv);
    const ts_plugin_t *b = &csv->base;
    void *params = calloc(1, b->params_size);
    assert_non_null(params);
    ts_err_t err = {0};
    assert_int_equal(ts_param_set(b->params, b->params_count, params, "time_unit",
                                  "s" BOM, &err),
                     TS_EPARSE);
    assert_non_null(strstr(err.msg, "found 's\\xEF\\xBB\\xBF'"));
    assert_true(escape_is_ascii(err.msg));
    ts_err_clear(&err);
    assert_int_equal(
        ts_param_set(b->params, b->params_count, params, "hea\xFF" "der", "true", &err),
        TS_ENOENT);
    assert_non_null(strstr(err.msg, "unknown key 'hea\\xFFder'"));
    ts_err_clear(&err);
    assert_int_equal(ts_param_set(b->params, b->params_count, params, "default_size",
                                  "4\x01KiB", &err),
                     TS_EPARSE);
    assert_non_null(strstr(err.msg, "found '4\\x01KiB'"));
    free(params);
}

/* n bytes of s are valid UTF-8 throughout. */
static bool escape_is_utf8(const char *s, size_t n)
{
    for (size_t i = 0, len; i < n; i += len)
        if (!(len = ts_utf8_len(s + i, n - i, NULL)))
            return false;
    return true;
}

/* The odd name in the fixture's directory: "t" FF "-" C3 28 ".csv", holding a small trace;
 * name gets its path. */
#define ODD_NAME "t\xFF-\xC3\x28.csv"
#define ODD_FIXED "t\xEF\xBF\xBD-\xEF\xBF\xBD(.csv" /* each bad byte U+FFFD */

static void escape_put_odd(struct fixture *f, char *name, size_t size)
{
    cli_put_file(f, ODD_NAME, "1,10,4096\n2,11,100\n1,10,4096\n", name, size);
}

static void test_escape_trace_info_json_odd_name(void **state)
{
    struct fixture *f = *state;
    char name[512];
    escape_put_odd(f, name, sizeof(name));
    char *out = tiersim_ok(f, "trace info '%s' --json", name);
    size_t n = strlen(out);
    assert_true(escape_is_utf8(out, n));
    json_error_t jerr;
    json_t *o = json_loads(out, 0, &jerr);
    if (!o)
        fail_msg("not JSON: %s: %s", jerr.text, out);
    char want[600];
    snprintf(want, sizeof(want), "%s/%s", f->dir, ODD_FIXED);
    assert_string_equal(json_string_value(json_object_get(o, "trace")), want);
    assert_int_equal(json_integer_value(json_object_get(o, "requests")), 3);
    json_decref(o);
    free(out);
}

/* A run whose trace has the odd name writes result.h5; its HTML report is valid UTF-8 and
 * shows the name with U+FFFD for each bad byte (and so does the run's JSON). */
static void test_escape_html_report_odd_name(void **state)
{
    struct fixture *f = *state;
    char name[512], yaml[512];
    escape_put_odd(f, name, sizeof(name));
    cli_put_file(f, "s.yaml",
                 "workload: {trace: {path: x.csv, format: csv}}\ntiers: [{capacity: 10}]\n",
                 yaml, sizeof(yaml));
    free(tiersim_ok(f, "run '%s' -q -s 'workload.trace.path=%s' -o '%s/r'", yaml, ODD_NAME,
                    f->dir));
    free(tiersim_ok(f, "report '%s/r/result.h5' --html '%s/r.html' -q", f->dir, f->dir));
    size_t n = 0;
    char path[600];
    snprintf(path, sizeof(path), "%s/r.html", f->dir);
    char *page = file_test_slurp(path, &n);
    assert_non_null(page);
    assert_true(escape_is_utf8(page, n));
    assert_null(memmem(page, n, "\xFF", 1));
    assert_non_null(memmem(page, n, ODD_FIXED, strlen(ODD_FIXED)));
    free(page);
    snprintf(path, sizeof(path), "%s/r/result.json", f->dir);
    char *doc = file_test_slurp(path, &n);
    assert_non_null(doc);
    assert_true(escape_is_utf8(doc, n));
    json_error_t jerr;
    json_t *o = json_loadb(doc, n, 0, &jerr);
    if (!o)
        fail_msg("result.json is not JSON: %s", jerr.text);
    json_decref(o);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_shown_table),
        cmocka_unit_test(test_escape_utf8_fix),
        cmocka_unit_test(test_escape_csv_bom_skipped),
        cmocka_unit_test(test_escape_other_readers_skip_bom),
        cmocka_unit_test(test_escape_messages_show_bytes),
        cmocka_unit_test(test_escape_param_messages),
        cmocka_unit_test_setup_teardown(test_escape_trace_info_json_odd_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escape_html_report_odd_name, setup, teardown),
    };
    return cmocka_run_group_tests(tests, trace_test_setup, trace_test_teardown);
}
