/* SPDX-License-Identifier: MIT */
/*
 * test_policy_epoch.c - the epoch-aware policy traced by hand (an epoch turned by a re-read,
 * and by a request count), and on shuffled epochs against what theory gives: a cache of C
 * of N samples hits about C of every epoch's N reads (C - 1 at least: the first miss of an
 * epoch may take a sample still to come), never more than OPT, where LRU hits about
 * C^2 / (2N).
 */
#include <math.h>

#include <gsl/gsl_randist.h>

#include "policy_trace.h"
#include "rng_test.h"

/* Capacity 3, epochs of the four samples A B C D. used (read this epoch) is listed
 * newest first, fresh (not yet read) newest first; * marks the current epoch's stamp.
 *  epoch 0:  A B C m: used [C B A]; D m: evicts the newest used, C: used [D B A]
 *  epoch 1:  B H: B is on used (read again): the epoch turns, used -> fresh [D B A];
 *              B consumed: used [B], fresh [D A]
 *            A H, D H: used [D A B];  C m: evicts D: used [C A B]
 *  epoch 2:  D m: no re-read yet, so C A B still count as used: evicts C: [D A B]
 *            C m: evicts D: [C A B];  B H: the turn; A H */
static void test_policy_epoch_turns_on_a_re_read(void **state)
{
    (void)state;
    ts_tier_t *t = pt_tier("epoch", 3, NULL, 0);
    char got[16], set[8];
    assert_string_equal(pt_run(t, "ABCD", got), "mmmm");
    assert_string_equal(pt_content(t, set), "ABD");
    assert_string_equal(pt_run(t, "BADC", got), "HHHm");
    assert_string_equal(pt_content(t, set), "ABC");
    assert_string_equal(pt_run(t, "DCBA", got), "mmHH");
    assert_string_equal(pt_content(t, set), "ABC");
    ts_tier_destroy(t);
}

/* The same with epoch_requests 4: epochs 0 and 1 as above; at D (request 9) the epoch turns
 * by count: fresh [C A B], used []. D m: nothing used yet, so the least recently read fresh
 * sample goes, B: used [D]. C H: used [C D], fresh [A]. B m: evicts C (newest used). A H. */
static void test_policy_epoch_turns_by_count(void **state)
{
    (void)state;
    const char *kv[] = {"epoch_requests", "4"};
    ts_tier_t *t = pt_tier("epoch", 3, kv, 1);
    char got[16], set[8];
    assert_string_equal(pt_run(t, "ABCDBADC", got), "mmmmHHHm");
    assert_string_equal(pt_run(t, "DCBA", got), "mHmH");
    assert_string_equal(pt_content(t, set), "ABD");
    ts_tier_destroy(t);
}

enum { N_SAMPLES = 1000, CAP = 250, EPOCHS = 8 };

/* Hits in epochs 1.. of EPOCHS shuffled epochs over N_SAMPLES samples (the first epoch
 * fills the cache), each epoch's hits in per[]. */
static uint64_t shuffled_hits(const char *policy, uint64_t per[EPOCHS])
{
    static uint64_t order[EPOCHS * N_SAMPLES];
    gsl_rng *g = test_rng(11);
    for (int e = 0; e < EPOCHS; e++) {
        for (uint64_t s = 0; s < N_SAMPLES; s++)
            order[e * N_SAMPLES + s] = s;
        gsl_ran_shuffle(g, &order[e * N_SAMPLES], N_SAMPLES, sizeof(uint64_t));
    }
    gsl_rng_free(g);
    static ts_req_t reqs[EPOCHS * N_SAMPLES];
    for (size_t i = 0; i < EPOCHS * N_SAMPLES; i++)
        reqs[i] = (ts_req_t){.key = order[i], .size_bytes = 1, .op = TS_OP_GET};
    ts_err_t err = {0};
    assert_int_equal(ts_future_annotate(reqs, EPOCHS * N_SAMPLES, &err), 0);
    ts_tier_t *t = pt_tier(policy, CAP, NULL, 0);
    uint64_t hits = 0;
    for (int e = 0; e < EPOCHS; e++) {
        per[e] = 0;
        for (size_t i = (size_t)e * N_SAMPLES; i < (size_t)(e + 1) * N_SAMPLES; i++) {
            if (ts_tier_lookup(t, &reqs[i])) {
                per[e]++;
                continue;
            }
            bool inserted;
            assert_int_equal(ts_tier_fill(t, &reqs[i], NULL, NULL, &inserted, &err), 0);
        }
        if (e > 0)
            hits += per[e];
    }
    ts_tier_destroy(t);
    return hits;
}

static void test_policy_epoch_hits_c_of_n_on_shuffled_epochs(void **state)
{
    (void)state;
    uint64_t per[EPOCHS], lru_per[EPOCHS], opt_per[EPOCHS];
    uint64_t ep = shuffled_hits("epoch", per);
    uint64_t lru = shuffled_hits("lru", lru_per);
    uint64_t opt = shuffled_hits("opt", opt_per);
    print_message("hits in epochs 2-%d of %d reads each: epoch %llu, lru %llu, opt %llu\n",
                  EPOCHS, N_SAMPLES, (unsigned long long)ep, (unsigned long long)lru,
                  (unsigned long long)opt);
    for (int e = 1; e < EPOCHS; e++) /* every epoch: C - 1 or C */
        assert_true(per[e] >= CAP - 1 && per[e] <= CAP);
    assert_true(ep <= opt);
    /* LRU: a sample read at position i of one epoch and j of the next hits when fewer than
     * C samples came between, N - i + j < C: about C^2 / (2N) = 31 an epoch */
    double lru_theory = (double)CAP * CAP / (2.0 * N_SAMPLES) * (EPOCHS - 1);
    assert_true(fabs((double)lru - lru_theory) < 0.25 * lru_theory);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_epoch_turns_on_a_re_read),
        cmocka_unit_test(test_policy_epoch_turns_by_count),
        cmocka_unit_test(test_policy_epoch_hits_c_of_n_on_shuffled_epochs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
