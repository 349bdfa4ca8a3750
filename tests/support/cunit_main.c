#include "cu.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

void cu_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean, const cu_test_t *tests, size_t n)
{
    CU_pSuite s = CU_add_suite(name, init, clean);
    if (s == NULL) {
        fprintf(stderr, "CU_add_suite(%s) failed\n", name);
        return;
    }
    for (size_t i = 0; i < n; i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
}

long long cu_wait_ms(long long ms)
{
    const char *s = getenv("OB_TEST_TIMEOUT_SCALE");
    long k = s != NULL ? strtol(s, NULL, 10) : 1;
    return ms * (k >= 1 && k <= 100 ? k : 1);
}

int cu_count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (d != NULL && readdir(d) != NULL)
        n++;
    if (d != NULL)
        closedir(d);
    return n;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    tests_register();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
