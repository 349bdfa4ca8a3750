/*
 * test_metrics.c - the metrics registry and its text format: exact output of each type, label and HELP escaping,
 * cumulative histogram buckets, bounded label sets, declaration rules; promtool accepts the output when installed.
 */
#include "cu.h"

#include "common/metrics.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *render(cm_metrics_t *m)
{
    char *out = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(cm_metrics_render(m, &out, &len), CM_OK);
    CU_ASSERT_PTR_NOT_NULL(out);
    if (out != NULL)
        CU_ASSERT_EQUAL(strlen(out), len);
    return out;
}

static void test_counter_and_gauge_text(void)
{
    cm_metrics_t *m = cm_metrics_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    cm_metric_family_t *c = cm_metrics_family(m, CM_METRIC_COUNTER, "app_requests_total", "Requests.\nSecond \\ line.",
                                              "route,status", NULL, 0);
    cm_metric_family_t *g = cm_metrics_family(m, CM_METRIC_GAUGE, "app_open", "Open things.", NULL, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    cm_metric_inc(cm_metric_get(c, "/a/*", "200"));
    cm_metric_inc(cm_metric_get(c, "/a/*", "200"));
    cm_metric_add(cm_metric_get(c, "we\"ird\\path\nx", "500"), 3);
    cm_metric_add(cm_metric_get(c, "/a/*", "200"), -5); /* a counter never goes down */
    cm_metric_set(cm_metric_series(g, NULL), 7.5);
    CU_ASSERT_EQUAL(cm_metric_value(cm_metric_get(c, "/a/*", "200")), 2);
    char *out = render(m);
    const char *want = "# HELP app_requests_total Requests.\\nSecond \\\\ line.\n"
                       "# TYPE app_requests_total counter\n"
                       "app_requests_total{route=\"/a/*\",status=\"200\"} 2\n"
                       "app_requests_total{route=\"we\\\"ird\\\\path\\nx\",status=\"500\"} 3\n"
                       "# HELP app_open Open things.\n"
                       "# TYPE app_open gauge\n"
                       "app_open 7.5\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(out ? out : "", want));
    free(out);
    cm_metrics_free(m);
}

static void test_histogram_cumulative(void)
{
    cm_metrics_t *m = cm_metrics_new();
    static const double b[] = {0.1, 1, 10};
    cm_metric_family_t *h = cm_metrics_family(m, CM_METRIC_HISTOGRAM, "lat_seconds", "Latency.", "route", b, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    cm_metric_series_t *s = cm_metric_get(h, "/x");
    cm_metric_observe(s, 0.05);
    cm_metric_observe(s, 0.1); /* le is inclusive */
    cm_metric_observe(s, 0.5);
    cm_metric_observe(s, 20);
    char *out = render(m);
    const char *want = "# TYPE lat_seconds histogram\n"
                       "lat_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
                       "lat_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
                       "lat_seconds_bucket{route=\"/x\",le=\"10\"} 3\n"
                       "lat_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
                       "lat_seconds_sum{route=\"/x\"} 20.65\n"
                       "lat_seconds_count{route=\"/x\"} 4\n";
    CU_ASSERT_PTR_NOT_NULL(strstr(out ? out : "", want));
    free(out);
    cm_metrics_free(m);
}

static void test_declarations(void)
{
    cm_metrics_t *m = cm_metrics_new();
    cm_metric_family_t *a = cm_metrics_family(m, CM_METRIC_COUNTER, "x_total", "X.", "k", NULL, 0);
    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_PTR_EQUAL(cm_metrics_family(m, CM_METRIC_COUNTER, "x_total", "X.", "k", NULL, 0), a);
    CU_ASSERT_PTR_NULL(cm_metrics_family(m, CM_METRIC_GAUGE, "x_total", "X.", "k", NULL, 0)); /* type clash */
    CU_ASSERT_PTR_NULL(cm_metrics_family(m, CM_METRIC_COUNTER, "1bad", "", NULL, NULL, 0));
    CU_ASSERT_PTR_NULL(cm_metrics_family(m, CM_METRIC_COUNTER, "bad-name", "", NULL, NULL, 0));
    CU_ASSERT_PTR_NULL(cm_metrics_family(m, CM_METRIC_COUNTER, "y", "", "a,b,c,d,e", NULL, 0));
    CU_ASSERT_PTR_NULL(cm_metrics_family(m, CM_METRIC_HISTOGRAM, "h", "", "le", NULL, 0)); /* le is reserved */
    static const double unsorted[] = {1, 0.5};
    CU_ASSERT_PTR_NULL(cm_metrics_family(m, CM_METRIC_HISTOGRAM, "h2", "", NULL, unsorted, 2));
    /* NULL everywhere is harmless */
    cm_metric_inc(cm_metric_get(NULL, "a"));
    cm_metric_observe(NULL, 1);
    cm_metrics_free(m);
}

static void test_bounded_series(void)
{
    cm_metrics_t *m = cm_metrics_new();
    cm_metric_family_t *f = cm_metrics_family(m, CM_METRIC_COUNTER, "ids_total", "Per id.", "id", NULL, 0);
    char id[32];
    for (int i = 0; i < CM_METRICS_MAX_SERIES + 10; i++) {
        snprintf(id, sizeof(id), "id%d", i);
        cm_metric_inc(cm_metric_get(f, id));
    }
    snprintf(id, sizeof(id), "id%d", CM_METRICS_MAX_SERIES + 1);
    CU_ASSERT_PTR_NULL(cm_metric_get(f, id));
    CU_ASSERT_PTR_NOT_NULL(cm_metric_get(f, "id0")); /* existing ones go on */
    char *out = render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(out ? out : "", "metrics_series_dropped_total{family=\"ids_total\"} 11\n"));
    CU_ASSERT_PTR_NULL(strstr(out ? out : "", "id=\"id256\""));
    free(out);
    cm_metrics_free(m);
}

static void on_collect(cm_metrics_t *m, void *arg)
{
    (void)m;
    cm_metric_set(cm_metric_series(arg, NULL), 42);
}

static void test_collector_and_promtool(void)
{
    cm_metrics_t *m = cm_metrics_new();
    cm_metric_family_t *g = cm_metrics_family(m, CM_METRIC_GAUGE, "sampled", "Sampled at render.", NULL, NULL, 0);
    cm_metric_family_t *c = cm_metrics_family(m, CM_METRIC_COUNTER, "esc_total", "Escapes \" stay.", "v", NULL, 0);
    cm_metric_inc(cm_metric_get(c, "q\"b\\n\nl"));
    cm_metric_observe(cm_metric_get(cm_metrics_family(m, CM_METRIC_HISTOGRAM, "d_seconds", "D.", "r", NULL, 0), "/"),
                      0.2);
    CU_ASSERT_EQUAL(cm_metrics_on_collect(m, on_collect, g), CM_OK);
    char *out = render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(out ? out : "", "\nsampled 42\n"));
    cm_metrics_off_collect(m, on_collect, g);
    cm_metric_set(cm_metric_series(g, NULL), 1);
    free(out);
    out = render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(out ? out : "", "\nsampled 1\n"));
    if (access("/usr/bin/promtool", X_OK) == 0 && out != NULL) {
        FILE *p = popen("/usr/bin/promtool check metrics >/dev/null 2>&1", "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        fputs(out, p);
        CU_ASSERT_EQUAL(pclose(p), 0);
    }
    free(out);
    cm_metrics_free(m);
}

static void test_merge_processes(void)
{
    const char *a = "# HELP req_total Requests.\n# TYPE req_total counter\nreq_total{route=\"/a\"} 3\n"
                    "# HELP up Up.\n# TYPE up gauge\nup 1\n";
    const char *b = "# HELP req_total Requests.\n# TYPE req_total counter\nreq_total{route=\"/a\"} 4\n"
                    "req_total{route=\"/b\"} 1\n# HELP only_b Only in b.\n# TYPE only_b gauge\nonly_b{} 7\n";
    const char *texts[] = {a, NULL, b};
    const char *values[] = {"0", "1", "2"};
    char *out = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(cm_metrics_merge(texts, values, 3, "worker", &out, &len), CM_OK);
    CU_ASSERT_STRING_EQUAL(out, "# HELP req_total Requests.\n# TYPE req_total counter\n"
                                "req_total{worker=\"0\",route=\"/a\"} 3\n"
                                "req_total{worker=\"2\",route=\"/a\"} 4\n"
                                "req_total{worker=\"2\",route=\"/b\"} 1\n"
                                "# HELP up Up.\n# TYPE up gauge\nup{worker=\"0\"} 1\n"
                                "# HELP only_b Only in b.\n# TYPE only_b gauge\nonly_b{worker=\"2\"} 7\n");
    CU_ASSERT_EQUAL(strlen(out), len);
    free(out);
    /* a real registry's output (a histogram: _bucket, _sum, _count under one family) merged with itself */
    cm_metrics_t *m = cm_metrics_new();
    cm_metric_observe(cm_metric_get(cm_metrics_family(m, CM_METRIC_HISTOGRAM, "d_seconds", "D.", "r", NULL, 0), "/"),
                      0.2);
    char *r = render(m);
    const char *two[] = {r, r};
    CU_ASSERT_EQUAL_FATAL(cm_metrics_merge(two, values, 2, "worker", &out, &len), CM_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "d_seconds_bucket{worker=\"1\",r=\"/\",le=\"0.25\"} 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "d_seconds_count{worker=\"0\",r=\"/\"} 1\n"));
    CU_ASSERT_PTR_NULL(strstr(strstr(out, "# TYPE d_seconds") + 1, "# TYPE d_seconds"));
    if (access("/usr/bin/promtool", X_OK) == 0) {
        FILE *p = popen("/usr/bin/promtool check metrics >/dev/null 2>&1", "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        fputs(out, p);
        CU_ASSERT_EQUAL(pclose(p), 0);
    }
    free(out);
    free(r);
    cm_metrics_free(m);
}

void tests_register(void)
{
    CU_SUITE("metrics", NULL, NULL, {"counter and gauge text, escaping", test_counter_and_gauge_text},
             {"histogram buckets are cumulative", test_histogram_cumulative}, {"declaration rules", test_declarations},
             {"label sets are bounded", test_bounded_series},
             {"collectors run at render; promtool accepts the output", test_collector_and_promtool},
             {"several processes' expositions merge, each sample labelled", test_merge_processes});
}
