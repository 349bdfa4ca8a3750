/*
 * test_mem_trim.c - the decision of common/mem_trim.c (when a burst was freed and its pages should be given back),
 * fed figures, and one real check.
 */
#include "cu.h"
#include "common/mem_trim.h"

#define MiB ((size_t)1 << 20)

static void test_free_bytes_growth(void)
{
    size_t fb = 10 * MiB, rb = 50 * MiB;
    CU_ASSERT_FALSE(cm_mem_trim_burst(&fb, &rb, 10 * MiB + MiB / 2, 50 * MiB, MiB)); /* under the threshold */
    CU_ASSERT_TRUE(cm_mem_trim_burst(&fb, &rb, 12 * MiB, 50 * MiB, MiB));            /* 2 MiB more free */
    CU_ASSERT_EQUAL(fb, 10 * MiB);                                                   /* a base only goes down */
}

static void test_reuse_lowers_the_base(void)
{
    size_t fb = 10 * MiB, rb = 50 * MiB;
    CU_ASSERT_FALSE(cm_mem_trim_burst(&fb, &rb, 4 * MiB, 50 * MiB, MiB)); /* 6 MiB reused */
    CU_ASSERT_EQUAL(fb, 4 * MiB);
    /* freed again: 1.5 MiB above the new base is a burst, although below the old one */
    CU_ASSERT_TRUE(cm_mem_trim_burst(&fb, &rb, 4 * MiB + 3 * MiB / 2, 50 * MiB, MiB));
}

static void test_rss_growth_with_free_memory(void)
{
    /* the free bytes did not move (the chunks a trim released count as free), the pages came back */
    size_t fb = 8 * MiB, rb = 40 * MiB;
    CU_ASSERT_TRUE(cm_mem_trim_burst(&fb, &rb, 8 * MiB, 43 * MiB, MiB));
    /* the same RSS growth with almost nothing free is live data: nothing to give back */
    fb = MiB / 2;
    rb = 40 * MiB;
    CU_ASSERT_FALSE(cm_mem_trim_burst(&fb, &rb, MiB / 2, 43 * MiB, MiB));
    /* an RSS that shrank lowers its base; unknown (0) leaves it */
    fb = 8 * MiB;
    rb = 40 * MiB;
    CU_ASSERT_FALSE(cm_mem_trim_burst(&fb, &rb, 8 * MiB, 30 * MiB, MiB));
    CU_ASSERT_EQUAL(rb, 30 * MiB);
    CU_ASSERT_FALSE(cm_mem_trim_burst(&fb, &rb, 8 * MiB, 0, MiB));
    CU_ASSERT_EQUAL(rb, 30 * MiB);
}

/* The check on this process: nothing freed since it was made, no trim. (A trim after real frees is not asserted: ASan
 * and valgrind replace the allocator whose arenas it reads.) */
static void test_check_runs(void)
{
    h2o_evloop_t *loop = h2o_evloop_create();
    cm_mem_trim_t *t = cm_mem_trim_new(loop, 60000, 64 * MiB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(cm_mem_trim_check(t), 0); /* nothing freed since it was made */
    cm_mem_trim_stats_t st;
    cm_mem_trim_get_stats(t, &st);
    CU_ASSERT_EQUAL(st.trims, 0);
    cm_mem_trim_free(t);
    h2o_evloop_destroy(loop);
}

void tests_register(void)
{
    CU_SUITE("mem_trim", NULL, NULL, {"free bytes growth", test_free_bytes_growth},
             {"reuse lowers the base", test_reuse_lowers_the_base},
             {"RSS growth with free memory", test_rss_growth_with_free_memory}, {"check", test_check_runs});
}
