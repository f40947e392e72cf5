/* SPDX-License-Identifier: MIT */
/*
 * test_report_csv.c - the CSV writers (reports/csv.c): tiers.csv of the hand-built two-tier
 * result of tests/report_test.h is, byte for byte, the hand-written table (a quoted tier
 * name, a total row that sums tier-local figures and takes request figures from the
 * totals), names the unit in byte mode and is the same from call to call; cost.csv has one
 * line item a row with the hand-set bill's figures, normalised only by the units counted,
 * and is refused for a result without a bill.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "report_test.h"

/* ---- CSV ------------------------------------------------------------------------------- */

static void test_report_csv_rows(void **state)
{
    (void)state;
    ts_result_t r;
    make_result(&r);
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_csv, &r, &text, &err), 0);
    /* hand-written: the total row sums tier-local figures (capacity 21000, insertions 9,
     * bytes_in 10644, ...), takes request figures from the totals (7 of 10 served, so 3
     * misses, 0.3; 4500 of 10000 bytes missed, 0.45) and leaves used_peak empty. */
    static const char want[] =
        "tier,policy,params,capacity,capacity_unit,requests,hits,misses,miss_ratio,"
        "byte_miss_ratio,bytes_requested,bytes_hit,bytes_missed,gets,puts,deletes,insertions,"
        "evictions,too_large,removed,bytes_in,bytes_out,used_peak,objects_end,used_end,"
        "admission,refused,promotions_in,promotions_out,demotions_in,demotions_out,"
        "back_invalidations,writebacks,writeback_bytes,prefetched,prefetched_bytes,"
        "link_transfers_up,link_bytes_up,link_transfers_down,link_bytes_down\n"
        "hbm,lru,,20000,objects,10,4,6,0.600000000,0.750000000,10000,2500,7500,8,1,1,6,2,0,1,"
        "6144,3072,5,4,4,always,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
        "\"dram, \"\"big\"\"\",fifo,ratio=0.1,1000,objects,6,3,3,0.500000000,0.600000000,7500,"
        "3000,4500,5,1,0,3,0,1,0,4500,0,3,3,3,always,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
        "total,,,21000,objects,10,7,3,0.300000000,0.450000000,10000,5500,4500,8,1,1,9,2,1,1,"
        "10644,3072,,7,7,,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n";
    assert_string_equal(text, want);
    free(text);

    /* byte mode names the unit; deterministic across calls */
    r.mode = TS_MODE_BYTES;
    char *a = NULL, *b = NULL;
    assert_int_equal(capture(ts_report_csv, &r, &a, &err), 0);
    assert_int_equal(capture(ts_report_csv, &r, &b, &err), 0);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\nhbm,lru,,20000,bytes,"));
    free(a), free(b);
    ts_result_release(&r);
}

/* ---- the bill ---------------------------------------------------------------------------- */

/* cost.csv: one line item a row; the GPU-hours are 8 x 2 h; normalised figures only for the
 * units counted. A result without a bill is refused. */
static void test_report_cost_csv(void **state)
{
    (void)state;
    ts_result_t r;
    make_cost_result(&r);
    ts_err_t err = {0};
    char *text = NULL;
    assert_int_equal(capture(ts_report_cost_csv, &r, &text, &err), 0);
    static const char *const want[] = {
        "item,level,quantity,unit,price,usd\n",
        "\ncapacity,dram,100000000000,bytes,,0.02\n",
        "\ncapacity,backing,1000000000000,bytes,,0.1\n",
        "\nrequests_get,backing,1000,requests,4e-07,0.0004\n",
        "\ntransfer_out,backing,2000000000,bytes,9e-11,0.18\n",
        "\ngpu_time,h100-sxm,16,gpu_hours,2.99,47.84\n",
        "\ngpu_stall,h100-sxm,1.6",
        "\ntotal,,2,hours,,48.1404\n",
        "\nper_million_requests,,10,requests,,4814040\n",
        "\nper_epoch,,1.5,epochs,,32.0936\n"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(text, want[i]))
            fail_msg("cost.csv lacks \"%s\":\n%s", want[i], text);
    assert_null(strstr(text, "per_million_tokens"));
    free(text);
    r.has_cost = false;
    assert_int_equal(capture(ts_report_cost_csv, &r, &text, &err), TS_EINVAL);
    free(text);
    ts_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_csv_rows),
        cmocka_unit_test(test_report_cost_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
