/*
 * test_http_client.c - cm_http_* against a real HTTP server (common/httpd) on 127.0.0.1, ephemeral
 * port, running in the same loop: methods, bodies and headers echoed, status codes, Retry-After,
 * redirects not followed, timeout, response caps (Content-Length and chunked), connection refused,
 * unsupported scheme, 100 concurrent requests (+ throughput), cancel (also from another call's
 * callback), freeing the client with calls pending (also from inside a callback), and callbacks
 * never running inside cm_http_start. Every loop is bounded in time.
 */
#include "cu.h"

#include "common/http_client.h"
#include "common/httpd.h"
#include "common/status.h"
#include "common/timer.h"

#include <dirent.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static cm_server_t *server;
static h2o_evloop_t *loop;
static int port;
static char base[64];
static int in_call, sync_callbacks;

#define MAX_HANGING 16
static h2o_req_t *hanging[MAX_HANGING];
static int n_hanging;

/* ---------------------------------------------------------------- server side */

static int h_echo(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    json_t *o = json_object();
    const char *names[] = {"x-test", "user-agent", "content-type", "expect", "x-id"};
    json_object_set_new(o, "method", json_stringn(req->method.base, req->method.len));
    json_object_set_new(o, "body",
                        json_stringn(req->entity.base ? req->entity.base : "", req->entity.base ? req->entity.len : 0));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        h2o_iovec_t v = cm_req_header(req, names[i]);
        if (v.base != NULL)
            json_object_set_new(o, names[i], json_stringn(v.base, v.len));
    }
    int bad;
    char *st = cm_req_query(req, "status", &bad), *ra = cm_req_query(req, "ra", &bad);
    if (ra != NULL)
        cm_add_header(req, "retry-after", ra);
    char *hdrs = cm_req_query(req, "hdrs", &bad);
    for (long i = 0, n = hdrs ? strtol(hdrs, NULL, 10) : 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "x-h-%ld", i);
        cm_add_header(req, name, "v");
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-mixed-case"), 0, "X-Mixed-CASE",
                          H2O_STRLIT("  padded value  "));
    cm_respond_json(req, st ? (int)strtol(st, NULL, 10) : 200, o);
    return 0;
}

static int h_redirect(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    cm_add_header(req, "location", "/echo");
    cm_respond_empty(req, 302);
    return 0;
}

static int h_big(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    int bad;
    char *n = cm_req_query(req, "n", &bad), *chunked = cm_req_query(req, "chunked", &bad);
    size_t len = n ? (size_t)strtoul(n, NULL, 10) : 0;
    char *body = h2o_mem_alloc_pool(&req->pool, len + 1);
    memset(body, 'x', len);
    if (chunked == NULL) {
        cm_respond_body(req, 200, "text/plain", body, len);
        return 0;
    }
    req->res.status = 200; /* no content_length: chunked, so only the write callback sees the size */
    req->res.reason = "OK";
    h2o_send_inline(req, body, len);
    return 0;
}

static int h_hang(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    if (n_hanging < MAX_HANGING)
        hanging[n_hanging++] = req; /* answered at teardown */
    else
        cm_respond_empty(req, 503);
    return 0;
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (d != NULL && readdir(d) != NULL)
        n++;
    if (d != NULL)
        closedir(d);
    return n;
}

static int setup(void)
{
    cm_server_options_t opts = {.name = "test-http-client"};
    if ((server = cm_server_new(&opts)) == NULL)
        return 1;
    cm_server_route(server, "*", "/echo", h_echo, NULL);
    cm_server_route(server, "GET", "/redirect", h_redirect, NULL);
    cm_server_route(server, "GET", "/big", h_big, NULL);
    cm_server_route(server, "*", "/hang", h_hang, NULL);
    if (cm_server_listen(server, "127.0.0.1", 0, &port) != CM_OK)
        return 1;
    loop = cm_server_loop(server);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    return 0;
}

static int teardown(void)
{
    for (int i = 0; i < n_hanging; i++)
        cm_respond_empty(hanging[i], 204);
    int64_t end = cm_now_ms() + 200;
    while (cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    cm_server_free(server);
    return 0;
}

/* ---------------------------------------------------------------- client side */

struct result {
    int done;
    int status, timed_out;
    char error[256];
    char body[4096];
    size_t body_len;
    char content_type[128];
    long retry_after;
    char mixed[64];
    size_t n_headers;
    int64_t at;
};

static void on_done(void *arg, const cm_http_response_t *res)
{
    struct result *r = arg;
    if (in_call)
        sync_callbacks++;
    r->done++;
    r->at = cm_now_ms();
    r->status = res->status;
    r->timed_out = res->timed_out;
    snprintf(r->error, sizeof(r->error), "%s", res->error ? res->error : "");
    snprintf(r->body, sizeof(r->body), "%s", res->body);
    r->body_len = res->body_len;
    snprintf(r->content_type, sizeof(r->content_type), "%s", res->content_type ? res->content_type : "");
    r->retry_after = res->retry_after_s;
    r->n_headers = res->n_headers;
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcmp(res->headers[i].name, "x-mixed-case") == 0)
            snprintf(r->mixed, sizeof(r->mixed), "%s", res->headers[i].value);
}

static int start(cm_http_client_t *c, const cm_http_request_t *req, struct result *r, cm_http_call_t **call)
{
    in_call = 1;
    int rc = cm_http_start(c, req, on_done, r, call);
    in_call = 0;
    return rc;
}

static int run_until(const int *flag, int target, int64_t max_ms)
{
    int64_t end = cm_now_ms() + max_ms;
    while (*flag < target && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    return *flag >= target;
}

static void run_for(int64_t ms)
{
    int never = 0;
    run_until(&never, 1, ms);
}

/* GETs path; returns the response in r after the callback ran. */
static void get(cm_http_client_t *c, const char *path, struct result *r)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", base, path);
    cm_http_request_t req = {.url = url};
    memset(r, 0, sizeof(*r));
    CU_ASSERT_EQUAL(start(c, &req, r, NULL), CM_AGAIN);
    CU_ASSERT_EQUAL(r->done, 0);
    CU_ASSERT_TRUE(run_until(&r->done, 1, 5000));
}

static const char *json_field(const char *body, const char *name, char *out, size_t outsz)
{
    json_t *o = json_loads(body, 0, NULL);
    const char *v = o ? json_string_value(json_object_get(o, name)) : NULL;
    snprintf(out, outsz, "%s", v ? v : "(absent)");
    json_decref(o);
    return out;
}

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

/* ---- concurrency ---- */

struct many {
    int done, ok;
    char expect[8];
};

static void on_many(void *arg, const cm_http_response_t *res)
{
    struct many *m = arg;
    char v[16];
    if (res->status == 200 && strcmp(json_field(res->body, "x-id", v, sizeof(v)), m->expect) == 0)
        m->ok = 1;
    m->done = 1;
}

static void test_concurrent(void)
{
    int fds = count_fds();
    cm_http_client_t *c = cm_http_client_new(loop);
    static struct many m[100];
    char url[128];
    snprintf(url, sizeof(url), "%s/echo", base);
    memset(m, 0, sizeof(m));
    for (int i = 0; i < 100; i++) {
        snprintf(m[i].expect, sizeof(m[i].expect), "%d", i);
        cm_http_header_t h[] = {{"X-Id", m[i].expect}};
        cm_http_request_t req = {.url = url, .headers = h, .n_headers = 1};
        CU_ASSERT_EQUAL(cm_http_start(c, &req, on_many, &m[i], NULL), CM_AGAIN);
    }
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 100);
    int64_t end = cm_now_ms() + 10000;
    int done = 0, ok = 0;
    while (done < 100 && cm_now_ms() < end) {
        h2o_evloop_run(loop, 10);
        done = ok = 0;
        for (int i = 0; i < 100; i++) {
            done += m[i].done;
            ok += m[i].ok;
        }
    }
    CU_ASSERT_EQUAL(done, 100);
    CU_ASSERT_EQUAL(ok, 100);
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 0);

    /* throughput: 5000 GETs, 100 in flight, connections reused (fewer under memcheck: the same paths, 20x slower) */
    int total = (int)(5000 / cu_wait_ms(1)), sent = 0, finished = 0;
    static struct many t[5000];
    memset(t, 0, sizeof(t));
    int64_t t0 = cm_now_ms();
    end = t0 + 60000;
    while (finished < total && cm_now_ms() < end) {
        while (sent < total && sent - finished < 100) {
            snprintf(t[sent].expect, sizeof(t[sent].expect), "%d", sent % 1000);
            cm_http_header_t h[] = {{"X-Id", t[sent].expect}};
            cm_http_request_t req = {.url = url, .headers = h, .n_headers = 1};
            cm_http_start(c, &req, on_many, &t[sent], NULL);
            sent++;
        }
        h2o_evloop_run(loop, 10);
        finished = (int)(sent - (int)cm_http_client_inflight(c));
    }
    int64_t ms = cm_now_ms() - t0;
    ok = 0;
    for (int i = 0; i < total; i++)
        ok += t[i].ok;
    CU_ASSERT_EQUAL(ok, total);
    fprintf(stderr, "\n    [http] %d requests, 100 in flight, client and server on one loop: %lld ms = %.0f req/s\n",
            total, (long long)ms, ms > 0 ? total * 1000.0 / (double)ms : 0.0);
    cm_http_client_free(c);
    run_for(100); /* the server notices the closed keep-alive connections */
    CU_ASSERT_EQUAL(count_fds(), fds);
}

/* ---- cancel and free ---- */

struct canceller {
    struct result r;
    cm_http_call_t *victim;
};

static void on_cancel_other(void *arg, const cm_http_response_t *res)
{
    struct canceller *k = arg;
    k->r.done++;
    cm_http_cancel(k->victim);
    k->victim = NULL;
}

static void test_cancel(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    char echo[128], hang[128];
    snprintf(echo, sizeof(echo), "%s/echo", base);
    snprintf(hang, sizeof(hang), "%s/hang", base);
    struct result a = {0}, b = {0};
    cm_http_call_t *ca = NULL, *cb = NULL;
    cm_http_request_t req = {.url = echo};
    start(c, &req, &a, &ca);
    start(c, &req, &b, &cb);
    CU_ASSERT_PTR_NOT_NULL(ca);
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 2);
    cm_http_cancel(ca); /* before it even started */
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 1);
    CU_ASSERT_TRUE(run_until(&b.done, 1, 5000));
    run_for(50);
    CU_ASSERT_EQUAL(a.done, 0);
    CU_ASSERT_EQUAL(b.status, 200);

    /* cancel mid-flight (request sent, no answer yet) */
    struct result h = {0};
    cm_http_request_t hreq = {.url = hang, .timeout_ms = 2000};
    cm_http_call_t *ch = NULL;
    start(c, &hreq, &h, &ch);
    run_for(100);
    cm_http_cancel(ch);
    run_for(100);
    CU_ASSERT_EQUAL(h.done, 0);

    /* cancel from inside another call's callback */
    struct canceller k = {0};
    struct result v = {0};
    cm_http_request_t vreq = {.url = hang, .timeout_ms = 500};
    start(c, &vreq, &v, &k.victim);
    cm_http_start(c, &req, on_cancel_other, &k, NULL);
    CU_ASSERT_TRUE(run_until(&k.r.done, 1, 5000));
    run_for(700);
    CU_ASSERT_EQUAL(v.done, 0);
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 0);
    cm_http_client_free(c);
}

struct freer {
    cm_http_client_t *c;
    int calls;
};

static void on_free_client(void *arg, const cm_http_response_t *res)
{
    struct freer *f = arg;
    f->calls++;
    cm_http_client_free(f->c);
}

static void test_free_with_pending(void)
{
    char echo[128], hang[128];
    snprintf(echo, sizeof(echo), "%s/echo", base);
    snprintf(hang, sizeof(hang), "%s/hang", base);
    cm_http_request_t req = {.url = echo}, hreq = {.url = hang, .timeout_ms = 300};
    struct result r = {0};

    cm_http_client_t *c = cm_http_client_new(loop);
    for (int i = 0; i < 5; i++)
        start(c, &req, &r, NULL);
    start(c, &hreq, &r, NULL);
    cm_http_client_free(c); /* nothing started yet */
    run_for(100);
    CU_ASSERT_EQUAL(r.done, 0);

    c = cm_http_client_new(loop);
    for (int i = 0; i < 3; i++)
        start(c, &hreq, &r, NULL);
    run_for(50); /* connected, requests sent, no answer */
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 3);
    cm_http_client_free(c);
    run_for(500); /* past their timeout */
    CU_ASSERT_EQUAL(r.done, 0);

    /* freed from inside a callback while others are pending */
    struct freer f = {cm_http_client_new(loop), 0};
    cm_http_start(f.c, &req, on_free_client, &f, NULL);
    start(f.c, &hreq, &r, NULL);
    start(f.c, &hreq, &r, NULL);
    int64_t end = cm_now_ms() + 3000;
    while (f.calls == 0 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    run_for(500);
    CU_ASSERT_EQUAL(f.calls, 1);
    CU_ASSERT_EQUAL(r.done, 0);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
}

void tests_register(void)
{
    CU_SUITE("http_client", setup, teardown, {"get", test_get}, {"methods_body_headers", test_methods_body_headers},
             {"status_and_retry_after", test_status_and_retry_after}, {"timeout", test_timeout},
             {"too_large", test_too_large}, {"refused_and_scheme", test_refused_and_scheme},
             {"concurrent", test_concurrent}, {"cancel", test_cancel}, {"free_with_pending", test_free_with_pending});
}
