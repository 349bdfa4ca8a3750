/*
 * test_log.c - flood control of common/src/log.c: a burst of one kind prints one line and one count line
 * once the interval is over; other kinds are not folded by it; different arguments are the same kind;
 * cm_log_flush prints what is pending; interval 0 prints everything. stderr is captured in a temporary file.
 */
#include "cu.h"
#include "log_capture.h"

#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void log_flood(int n)
{
    for (int i = 0; i < n; i++)
        cm_warn("test", "database unavailable for request %d", i); /* one kind, different arguments */
}

static void test_burst_folded_then_counted(void)
{
    /* an interval well above what the flood takes even under valgrind on a loaded machine */
    cm_log_set_rate_limit_ms(1500);
    capture_start();
    log_flood(200);
    cm_info("other", "a line of another kind");
    sleep_ms(1600);
    cm_warn("test", "database unavailable for request %d", 1000);
    char *out = capture_end();
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(count(out, "database unavailable for request 0\n"), 1);
    CU_ASSERT_EQUAL(count(out, "database unavailable for request 1\n"), 0);
    CU_ASSERT_EQUAL(count(out, "a line of another kind"), 1);
    CU_ASSERT_EQUAL(count(out, "level=warn comp=test folded=199 lines like \"database unavailable for request %d\""),
                    1);
    CU_ASSERT_EQUAL(count(out, "database unavailable for request 1000\n"), 1);
    CU_ASSERT_EQUAL(count(out, "\n"), 4); /* first line, the other kind, the count, the next line */
    /* the count comes before the line that follows the interval */
    CU_ASSERT_TRUE(strstr(out, "folded=199") < strstr(out, "request 1000\n"));
    free(out);
}

static void test_flush_prints_pending_count(void)
{
    cm_log_set_rate_limit_ms(60000);
    capture_start();
    for (int i = 0; i < 10; i++)
        cm_warn("test", "provider unreachable (%d)", i);
    cm_log_flush();
    char *out = capture_end();
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(count(out, "\n"), 2);
    CU_ASSERT_EQUAL(count(out, "folded=9 lines like"), 1);
    free(out);
    capture_start();
    cm_log_flush(); /* nothing pending any more */
    out = capture_end();
    CU_ASSERT_STRING_EQUAL(out, "");
    free(out);
}

static void test_plugin_style_component_buffer(void)
{
    /* a component passed in a reused buffer (the plugin host does that) is compared by text */
    cm_log_set_rate_limit_ms(60000);
    char comp[32];
    capture_start();
    for (int i = 0; i < 5; i++) {
        snprintf(comp, sizeof(comp), "provider:%s", i % 2 ? "github" : "google");
        cm_error(comp, "token endpoint failed: %d", i);
    }
    memset(comp, 'x', sizeof(comp) - 1);
    comp[sizeof(comp) - 1] = '\0';
    cm_log_flush();
    char *out = capture_end();
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(count(out, "comp=provider:google token endpoint failed: 0\n"), 1);
    CU_ASSERT_EQUAL(count(out, "comp=provider:github token endpoint failed: 1\n"), 1);
    CU_ASSERT_EQUAL(count(out, "comp=provider:google folded=2 "), 1);
    CU_ASSERT_EQUAL(count(out, "comp=provider:github folded=1 "), 1);
    CU_ASSERT_EQUAL(count(out, "xxx"), 0);
    free(out);
}

static void test_interval_zero_prints_all(void)
{
    cm_log_set_rate_limit_ms(0);
    capture_start();
    log_flood(50);
    char *out = capture_end();
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(count(out, "\n"), 50);
    CU_ASSERT_EQUAL(count(out, "folded="), 0);
    free(out);
}

static int setup(void)
{
    cm_log_set_level(CM_LOG_DEBUG);
    return 0;
}

void tests_register(void)
{
    CU_SUITE("log", setup, NULL, {"a burst of one kind: one line, then its count", test_burst_folded_then_counted},
             {"cm_log_flush prints a pending count once", test_flush_prints_pending_count},
             {"component compared by text", test_plugin_style_component_buffer},
             {"interval 0: every line", test_interval_zero_prints_all});
}
