/*
 * cu.h - tiny glue for CUnit test binaries. A test file defines `void tests_register(void)` that
 * adds its suites (CU_add_suite / CU_add_test); tests/support/cunit_main.c runs them and exits
 * non-zero on any failure.
 */
#ifndef TESTS_SUPPORT_CU_H
#define TESTS_SUPPORT_CU_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

void tests_register(void);

/* Adds a suite with the given tests: CU_SUITE("name", setup, teardown, {"t1", fn1}, {"t2", fn2}) */
typedef struct {
    const char *name;
    CU_TestFunc fn;
} cu_test_t;
/* A wait bound for conditions a test polls for, multiplied by OB_TEST_TIMEOUT_SCALE (1..100; scripts/valgrind.sh sets
 * it, since everything runs ~20x slower under memcheck). Only for "wait at most": a fixed wait stays unscaled. */
long long cu_wait_ms(long long ms);
/* How many descriptors this process has open (entries of /proc/self/fd, including the one reading it): a test
 * compares two counts to prove nothing leaked. */
int cu_count_fds(void);

void cu_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean, const cu_test_t *tests, size_t n);
#define CU_SUITE(name, init, clean, ...)                                                                               \
    do {                                                                                                               \
        static const cu_test_t cu_tests_[] = {__VA_ARGS__};                                                            \
        cu_add_suite(name, init, clean, cu_tests_, sizeof(cu_tests_) / sizeof(cu_tests_[0]));                          \
    } while (0)

#endif
