/* SPDX-License-Identifier: MIT */
/*
 * test_html.c - the self-contained HTML page: escaping, sections, tables, inline SVG,
 * atomic writing and its errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "file_test.h"
#include "reports/html.h"
#include "sim/util/mem.h"

static void test_html_page_escapes_text_and_closes_sections(void **state)
{
    (void)state;
    ts_html_t *h;
    ts_err_t err = {0};
    assert_int_equal(ts_html_create("a <b> & \"c\"", &h, &err), 0);
    assert_int_equal(ts_html_section(h, "summary", "Tiers & costs", &err), 0);
    assert_int_equal(ts_html_para(h, "1 < 2 > 0 'q'", &err), 0);
    const char *head[] = {"tier", "hits", "miss ratio"};
    const char *cells[] = {"hbm", "120", "12.50%", "<dram>", "7", "", "$", "$0.25", "$x"};
    assert_int_equal(ts_html_table(h, "per tier", 3, head, 3, cells, &err), 0);
    assert_int_equal(ts_html_section(h, "scenario", "Scenario", &err), 0);
    assert_int_equal(ts_html_pre(h, "tiers:\n  - {name: a&b}\n", &err), 0);
    size_t len;
    const char *t = ts_html_text(h, &len);
    assert_non_null(t);
    assert_int_equal(strlen(t), len);
    /* the title, escaped, as <title> and as the first heading */
    assert_int_equal(file_test_count(t, "a &lt;b&gt; &amp; &quot;c&quot;"), 2);
    assert_non_null(strstr(t, "<h2>Tiers &amp; costs</h2>"));
    assert_non_null(strstr(t, "<p>1 &lt; 2 &gt; 0 &#39;q&#39;</p>"));
    /* numbers right-aligned, names not; the empty cell stays a cell */
    assert_non_null(strstr(t, "<td>hbm</td><td class=\"n\">120</td><td class=\"n\">12.50%</td>"));
    assert_non_null(strstr(t, "<td>&lt;dram&gt;</td><td class=\"n\">7</td><td></td>"));
    /* dollars are numbers; a dollar sign alone or before text is not */
    assert_non_null(strstr(t, "<td>$</td><td class=\"n\">$0.25</td><td>$x</td>"));
    assert_non_null(strstr(t, "{name: a&amp;b}"));
    /* two sections, each closed exactly once; the page ends with the layout script */
    assert_int_equal(file_test_count(t, "<section id="), 2);
    assert_int_equal(file_test_count(t, "</section>"), 2);
    assert_non_null(strstr(t, "data-figures"));
    assert_true(len > 7 && strcmp(t + len - 8, "</html>\n") == 0);
    /* the page can grow after being read */
    assert_int_equal(ts_html_para(h, "more", &err), 0);
    t = ts_html_text(h, &len);
    assert_int_equal(file_test_count(t, "</section>"), 2);
    assert_non_null(strstr(t, "<p>more</p>\n</section>"));
    /* a bad id is refused */
    assert_int_equal(ts_html_section(h, "a b", "x", &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "bad HTML section id 'a b'"));
    ts_html_destroy(h);
}

static void test_html_svg_inline_without_prologue(void **state)
{
    (void)state;
    ts_html_t *h;
    ts_err_t err = {0};
    assert_int_equal(ts_html_create("figs", &h, &err), 0);
    const char svg[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n"
                       "<svg width=\"10\" height=\"5\"><rect width=\"10\" height=\"5\"/></svg>\n";
    assert_int_equal(ts_html_svg(h, svg, sizeof(svg) - 1, "hit ratio < 1", &err), 0);
    const char *t = ts_html_text(h, NULL);
    assert_null(strstr(t, "<?xml"));
    assert_null(strstr(t, "DOCTYPE svg"));
    assert_non_null(strstr(t, "<figure>\n<svg width=\"10\""));
    assert_non_null(strstr(t, "<figcaption>hit ratio &lt; 1</figcaption>"));
    assert_int_equal(ts_html_svg(h, "<png/>", 6, "not svg", &err), TS_EPARSE);
    assert_non_null(strstr(err.msg, "figure 'not svg': no <svg> element"));
    ts_err_clear(&err);
    assert_int_equal(ts_html_svg_file(h, "no/such/figure.svg", "x", &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "cannot open figure 'no/such/figure.svg'"));
    ts_html_destroy(h);
}

static void test_html_write_is_atomic_and_names_the_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/ts_html_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], svgp[256];
    snprintf(path, sizeof(path), "%s/report.html", dir);
    snprintf(svgp, sizeof(svgp), "%s/f.svg", dir);
    FILE *f = fopen(svgp, "w");
    assert_non_null(f);
    fputs("<svg width=\"4\" height=\"4\"></svg>", f);
    fclose(f);
    ts_html_t *h;
    ts_err_t err = {0};
    assert_int_equal(ts_html_create("r", &h, &err), 0);
    assert_int_equal(ts_html_svg_file(h, svgp, "f", &err), 0);
    assert_int_equal(ts_html_write(h, path, &err), 0);
    size_t len;
    const char *t = ts_html_text(h, &len);
    f = fopen(path, "rb");
    assert_non_null(f);
    char *back = malloc(len + 1);
    assert_int_equal(fread(back, 1, len + 1, f), len); /* exactly the page */
    fclose(f);
    assert_memory_equal(back, t, len);
    free(back);
    /* a missing directory: an error naming the file, and nothing left behind */
    char bad[300];
    snprintf(bad, sizeof(bad), "%s/missing/report.html", dir);
    assert_int_equal(ts_html_write(h, bad, &err), TS_ENOENT);
    assert_non_null(strstr(err.msg, "missing/report.html"));
    ts_html_destroy(h);
    unlink(path);
    unlink(svgp);
    assert_int_equal(rmdir(dir), 0); /* empty: no temporary file was left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_page_escapes_text_and_closes_sections),
        cmocka_unit_test(test_html_svg_inline_without_prologue),
        cmocka_unit_test(test_html_write_is_atomic_and_names_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
