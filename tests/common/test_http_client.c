/*
 * test_http_client.c - cm_http_* requests against a real HTTP server (common/httpd, tests/common/http_client_fixture.c)
 * on 127.0.0.1 in the same loop: methods, bodies and headers echoed, status codes, Retry-After, redirects not
 * followed, timeout, response caps (Content-Length and chunked), connection refused, unsupported scheme,
 * callbacks never running inside cm_http_start, and the request id current at a call's start current in its callback.
 * Every loop is bounded in time.
 */
#include "cu.h"
#include "http_client_fixture.h"

#include "common/request_id.h"
#include "common/status.h"
#include "common/timer.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void test_get(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    struct result r;
    char v[128];
    get(c, "/echo", &r);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.error, "");
    CU_ASSERT_STRING_EQUAL(json_field(r.body, "method", v, sizeof(v)), "GET");
    CU_ASSERT_STRING_EQUAL(json_field(r.body, "user-agent", v, sizeof(v)), "oauth-broker/0.1");
    CU_ASSERT_TRUE(strncmp(r.content_type, "application/json", 16) == 0);
    CU_ASSERT_STRING_EQUAL(r.mixed, "padded value"); /* name lower-cased, value trimmed */
    CU_ASSERT_EQUAL(r.retry_after, -1);
    CU_ASSERT_TRUE(r.n_headers >= 3);
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 0);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
    cm_http_client_free(c);
}

static void test_methods_body_headers(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    cm_http_client_set_defaults(c, 0, 0, "custom-agent/2");
    char url[128], v[256];
    snprintf(url, sizeof(url), "%s/echo", base);
    cm_http_header_t hdrs[] = {{"X-Test", "hello world"}, {"Content-Type", "application/x-www-form-urlencoded"}};
    const char *methods[] = {NULL, "PUT", "PATCH", "DELETE", "POST"};
    const char *expect[] = {"POST", "PUT", "PATCH", "DELETE", "POST"};
    /* a body above 1 KiB would make curl send Expect: 100-continue; the client suppresses it */
    static char large[3000];
    memset(large, 'a', sizeof(large) - 1);
    for (int i = 0; i < 5; i++) {
        struct result r = {0};
        const char *body = i == 4 ? large : "grant_type=authorization_code&code=abc";
        cm_http_request_t req = {.method = methods[i],
                                 .url = url,
                                 .headers = hdrs,
                                 .n_headers = 2,
                                 .body = body,
                                 .body_len = strlen(body),
                                 .replay_ok = i == 4};
        CU_ASSERT_EQUAL(start(c, &req, &r, NULL), CM_AGAIN);
        CU_ASSERT_TRUE(run_until(&r.done, 1, 5000));
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_STRING_EQUAL(json_field(r.body, "method", v, sizeof(v)), expect[i]);
        if (i < 4)
            CU_ASSERT_STRING_EQUAL(json_field(r.body, "body", v, sizeof(v)), body);
        CU_ASSERT_STRING_EQUAL(json_field(r.body, "x-test", v, sizeof(v)), "hello world");
        CU_ASSERT_STRING_EQUAL(json_field(r.body, "user-agent", v, sizeof(v)), "custom-agent/2");
        CU_ASSERT_STRING_EQUAL(json_field(r.body, "expect", v, sizeof(v)), "(absent)");
    }
    /* HEAD: status, no body */
    struct result r = {0};
    cm_http_request_t head = {.method = "HEAD", .url = url};
    start(c, &head, &r, NULL);
    CU_ASSERT_TRUE(run_until(&r.done, 1, 5000));
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(r.body_len, 0);
    /* invalid input: nothing starts, no callback */
    cm_http_header_t evil[] = {{"X-Test", "a\r\nInjected: 1"}};
    cm_http_request_t bad_hdr = {.url = url, .headers = evil, .n_headers = 1};
    cm_http_request_t bad_method = {.method = "get me", .url = url};
    cm_http_request_t no_url = {.method = "GET"};
    cm_http_call_t *call = (cm_http_call_t *)1;
    memset(&r, 0, sizeof(r));
    CU_ASSERT_EQUAL(start(c, &bad_hdr, &r, &call), CM_EINVAL);
    CU_ASSERT_PTR_NULL(call);
    CU_ASSERT_EQUAL(start(c, &bad_method, &r, NULL), CM_EINVAL);
    CU_ASSERT_EQUAL(start(c, &no_url, &r, NULL), CM_EINVAL);
    run_for(50);
    CU_ASSERT_EQUAL(r.done, 0);
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 0);
    cm_http_client_free(c);
}

static void test_status_and_retry_after(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    struct result r;
    get(c, "/echo?status=201", &r);
    CU_ASSERT_EQUAL(r.status, 201);
    get(c, "/echo?status=404", &r);
    CU_ASSERT_EQUAL(r.status, 404);
    CU_ASSERT_STRING_EQUAL(r.error, "");
    get(c, "/echo?status=500", &r);
    CU_ASSERT_EQUAL(r.status, 500);
    get(c, "/echo?status=429&ra=120", &r);
    CU_ASSERT_EQUAL(r.status, 429);
    CU_ASSERT_EQUAL(r.retry_after, 120);
    get(c, "/echo?status=503&ra=garbage", &r);
    CU_ASSERT_EQUAL(r.status, 503);
    CU_ASSERT_EQUAL(r.retry_after, -1);

    char date[64], path[160];
    time_t when = time(NULL) + 60;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(date, sizeof(date), "%a,%%20%d%%20%b%%20%Y%%20%H:%M:%S%%20GMT", &tm);
    snprintf(path, sizeof(path), "/echo?status=503&ra=%s", date);
    get(c, path, &r);
    CU_ASSERT_EQUAL(r.status, 503);
    CU_ASSERT_TRUE(r.retry_after >= 55 && r.retry_after <= 61);

    get(c, "/redirect", &r); /* never followed */
    CU_ASSERT_EQUAL(r.status, 302);
    cm_http_client_free(c);
}

static void test_timeout(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    char url[128];
    snprintf(url, sizeof(url), "%s/hang", base);
    cm_http_request_t req = {.url = url, .timeout_ms = 300};
    struct result r = {0};
    int64_t t0 = cm_now_ms();
    start(c, &req, &r, NULL);
    CU_ASSERT_TRUE(run_until(&r.done, 1, 3000));
    CU_ASSERT_EQUAL(r.timed_out, 1);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_NOT_EQUAL(r.error, "");
    CU_ASSERT_TRUE(r.at - t0 >= 300);
    CU_ASSERT_TRUE(r.at - t0 < 1500);
    /* the client default applies when the request has none */
    cm_http_client_set_defaults(c, 200, 0, NULL);
    cm_http_request_t req2 = {.url = url};
    memset(&r, 0, sizeof(r));
    t0 = cm_now_ms();
    start(c, &req2, &r, NULL);
    CU_ASSERT_TRUE(run_until(&r.done, 1, 3000));
    CU_ASSERT_EQUAL(r.timed_out, 1);
    CU_ASSERT_TRUE(r.at - t0 < 1000);
    cm_http_client_free(c);
}

static void test_too_large(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    const char *paths[] = {"/big?n=5000", "/big?n=5000&chunked=1", "/big?n=1000", "/big?n=1000&chunked=1",
                           "/big?n=3000000&chunked=1"};
    int ok[] = {0, 0, 1, 1, 0};
    for (int i = 0; i < 5; i++) {
        char url[160];
        snprintf(url, sizeof(url), "%s%s", base, paths[i]);
        cm_http_request_t req = {.url = url, .max_response = i == 4 ? 0 : 1000}; /* 0: the 1 MiB default */
        struct result r = {0};
        start(c, &req, &r, NULL);
        CU_ASSERT_TRUE(run_until(&r.done, 1, 5000));
        if (ok[i]) {
            CU_ASSERT_EQUAL(r.status, 200);
            CU_ASSERT_EQUAL(r.body_len, 1000);
        } else {
            CU_ASSERT_EQUAL(r.status, 0);
            CU_ASSERT_STRING_EQUAL(r.error, "response too large");
            CU_ASSERT_EQUAL(r.body_len, 0);
        }
    }
    /* at most 100 response header lines */
    struct result r;
    get(c, "/echo?hdrs=90", &r);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_TRUE(r.n_headers >= 90);
    get(c, "/echo?hdrs=150", &r);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.error, "response headers too large");
    cm_http_client_free(c);
}

static void test_refused_and_scheme(void)
{
    /* a port that was just free: bind, read it, close */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    close(fd);

    cm_http_client_t *c = cm_http_client_new(loop);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", ntohs(sa.sin_port));
    cm_http_request_t req = {.url = url};
    struct result r = {0};
    CU_ASSERT_EQUAL(start(c, &req, &r, NULL), CM_AGAIN);
    CU_ASSERT_EQUAL(r.done, 0); /* even an immediate failure comes later */
    CU_ASSERT_TRUE(run_until(&r.done, 1, 3000));
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_EQUAL(r.timed_out, 0);
    CU_ASSERT_STRING_NOT_EQUAL(r.error, "");

    cm_http_request_t ftp = {.url = "ftp://127.0.0.1/file"};
    cm_http_request_t file = {.url = "file:///etc/passwd"};
    memset(&r, 0, sizeof(r));
    start(c, &ftp, &r, NULL);
    start(c, &file, &r, NULL);
    CU_ASSERT_TRUE(run_until(&r.done, 2, 3000));
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_NOT_EQUAL(r.error, "");
    CU_ASSERT_EQUAL(r.body_len, 0);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
    cm_http_client_free(c);
}

struct rid_seen {
    int done;
    char current[CM_REQID_MAX + 1];  /* the current request id inside the callback */
    char response[CM_REQID_MAX + 1]; /* the server's X-Request-Id */
};

static void on_rid_done(void *arg, const cm_http_response_t *res)
{
    struct rid_seen *r = arg;
    const char *cur = cm_reqid_current();
    snprintf(r->current, sizeof(r->current), "%s", cur ? cur : "(none)");
    snprintf(r->response, sizeof(r->response), "(absent)");
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcmp(res->headers[i].name, "x-request-id") == 0)
            snprintf(r->response, sizeof(r->response), "%s", res->headers[i].value);
    r->done = 1;
}

/* A call keeps the request id current at its start for its callback; the server (common/httpd) echoes a well-formed
 * X-Request-Id and replaces a malformed one. */
static void test_request_id(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char url[128];
    snprintf(url, sizeof(url), "%s/echo", base);
    struct rid_seen r = {0}, bad = {0};
    cm_reqid_t saved;
    cm_reqid_enter("rid-async.1", &saved);
    cm_http_header_t h = {CM_REQID_HEADER, cm_reqid_current()};
    cm_http_request_t req = {.url = url, .headers = &h, .n_headers = 1};
    CU_ASSERT_EQUAL(cm_http_start(c, &req, on_rid_done, &r, NULL), CM_AGAIN);
    cm_reqid_restore(&saved);
    cm_http_header_t hb = {CM_REQID_HEADER, "not well formed"};
    cm_http_request_t reqb = {.url = url, .headers = &hb, .n_headers = 1};
    CU_ASSERT_EQUAL(cm_http_start(c, &reqb, on_rid_done, &bad, NULL), CM_AGAIN);
    CU_ASSERT_TRUE(run_until(&r.done, 1, 5000));
    CU_ASSERT_TRUE(run_until(&bad.done, 1, 5000));
    CU_ASSERT_STRING_EQUAL(r.current, "rid-async.1");
    CU_ASSERT_STRING_EQUAL(r.response, "rid-async.1");
    CU_ASSERT_STRING_EQUAL(bad.current, "(none)"); /* started outside any request */
    CU_ASSERT_EQUAL(strlen(bad.response), 32);
    CU_ASSERT_EQUAL(strspn(bad.response, "0123456789abcdef"), 32);
    CU_ASSERT_PTR_NULL(cm_reqid_current()); /* restored after each callback */
    cm_http_client_free(c);
}

void tests_register(void)
{
    CU_SUITE("http_client", setup, teardown, {"get", test_get}, {"methods_body_headers", test_methods_body_headers},
             {"status_and_retry_after", test_status_and_retry_after}, {"timeout", test_timeout},
             {"too_large", test_too_large}, {"refused_and_scheme", test_refused_and_scheme},
             {"request_id", test_request_id});
}
