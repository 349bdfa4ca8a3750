/*
 * test_host_api.c - the host API handed to plugins: memory (size header, wipe), token sets,
 * registration routed per plugin view and closed after init, request validation, and real
 * outbound HTTP through cm_http on an h2o loop against a loopback server (request copied, response
 * translated, Retry-After, the 256 KiB cap, timeouts, completion of calls in flight on drain).
 */
#include "cu.h"

#include "providers/host_api.h"

#include "common/log.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- a tiny loopback HTTP server (one connection at a time, Connection: close) ---- */

static int srv_fd = -1, srv_port;
static pthread_t srv_thread;
static char last_request[4096];
static pthread_mutex_t srv_lock = PTHREAD_MUTEX_INITIALIZER;

static void reply(int c, const char *status_line, const char *extra_headers, const char *ctype, const char *body,
                  size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
                     status_line, ctype, len, extra_headers);
    if (write(c, head, (size_t)n) < 0 || (len > 0 && write(c, body, len) < 0))
        return;
}

static void serve_one(int c)
{
    char req[4096] = "";
    size_t got = 0;
    char *end = NULL;
    while (got < sizeof(req) - 1 && (end = strstr(req, "\r\n\r\n")) == NULL) {
        ssize_t n = read(c, req + got, sizeof(req) - 1 - got);
        if (n <= 0)
            return;
        got += (size_t)n;
        req[got] = '\0';
    }
    if (end == NULL)
        return;
    const char *cl = strcasestr(req, "content-length:");
    size_t want = cl != NULL ? strtoul(cl + 15, NULL, 10) : 0, have = got - (size_t)(end + 4 - req);
    while (have < want && got < sizeof(req) - 1) {
        ssize_t n = read(c, req + got, sizeof(req) - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        have += (size_t)n;
        req[got] = '\0';
    }
    pthread_mutex_lock(&srv_lock);
    snprintf(last_request, sizeof(last_request), "%s", req);
    if (getenv("SRV_DEBUG"))
        fprintf(stderr, "server got: %.40s\n", req);
    pthread_mutex_unlock(&srv_lock);
    if (strncmp(req, "POST /ok ", 9) == 0 || strncmp(req, "GET /ok ", 8) == 0) {
        reply(c, "200 OK", "", "application/json", "{\"ok\":true}", 11);
    } else if (strncmp(req, "GET /retry ", 11) == 0) {
        reply(c, "429 Too Many Requests", "Retry-After: 7\r\n", "text/plain", "slow down", 9);
    } else if (strncmp(req, "GET /big ", 9) == 0) {
        size_t n = 300 * 1024;
        char *big = malloc(n);
        memset(big, 'x', n);
        reply(c, "200 OK", "", "text/plain", big, n);
        free(big);
    } else if (strncmp(req, "GET /slow ", 10) == 0) {
        usleep(1500 * 1000);
        reply(c, "200 OK", "", "text/plain", "late", 4);
    } else {
        reply(c, "404 Not Found", "", "text/plain", "no", 2);
    }
}

static void *server_main(void *arg)
{
    for (;;) {
        int c = accept(srv_fd, NULL, NULL);
        if (c < 0)
            return NULL;
        serve_one(c);
        close(c);
    }
}

/* ---- loop plumbing ---- */

static h2o_evloop_t *loop;
static cm_http_client_t *http;
static op_host_api_t *base;

typedef struct result {
    int called, status, timed_out;
    char error[128], ctype[64], body[64];
    size_t body_len;
    long retry_after_s;
} result_t;

static void on_done(void *arg, const op_http_response_t *res)
{
    result_t *r = arg;
    r->called++;
    r->status = res->status;
    r->timed_out = res->timed_out;
    snprintf(r->error, sizeof(r->error), "%s", res->error != NULL ? res->error : "");
    snprintf(r->ctype, sizeof(r->ctype), "%s", res->content_type != NULL ? res->content_type : "");
    snprintf(r->body, sizeof(r->body), "%.*s", (int)(res->body_len < 63 ? res->body_len : 63), res->body);
    r->body_len = res->body_len;
    r->retry_after_s = res->retry_after_s;
}

static void run_until(const result_t *r, int ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (r != NULL && r->called)
            return;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
            return;
        h2o_evloop_run(loop, 20);
    }
}

static int setup(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    srv_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (srv_fd < 0 || bind(srv_fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(srv_fd, 16) != 0 ||
        getsockname(srv_fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    srv_port = ntohs(a.sin_port);
    pthread_create(&srv_thread, NULL, server_main, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    loop = h2o_evloop_create();
    http = cm_http_client_new(loop);
    base = ob_host_api_new(http);
    return http != NULL && base != NULL ? 0 : -1;
}

static int teardown(void)
{
    ob_host_api_free(base);
    cm_http_client_free(http);
    h2o_evloop_destroy(loop);
    shutdown(srv_fd, SHUT_RDWR);
    close(srv_fd);
    pthread_join(srv_thread, NULL);
    curl_global_cleanup();
    return 0;
}

static void url_of(char *out, size_t n, const char *path)
{
    snprintf(out, n, "http://127.0.0.1:%d%s", srv_port, path);
}

/* ---- memory ---- */

static void test_memory(void)
{
    unsigned char *p = base->mem_alloc(64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    int zero = 1;
    for (int i = 0; i < 64; i++)
        zero &= p[i] == 0;
    CU_ASSERT_TRUE(zero);
    CU_ASSERT_EQUAL(((uintptr_t)p) % 16, 0);
    base->mem_free(p);
    base->mem_free(NULL);
    CU_ASSERT_PTR_NULL(base->mem_alloc(SIZE_MAX - 4));
    char *s = base->mem_strndup("secret-token", 6);
    CU_ASSERT_STRING_EQUAL(s, "secret");
    base->mem_free(s);
    op_token_set_t ts = {.access_token = base->mem_strndup("a", 1),
                         .refresh_token = base->mem_strndup("r", 1),
                         .token_type = base->mem_strndup("Bearer", 6),
                         .expires_at = 5,
                         .extras_json = base->mem_strndup("{}", 2)};
    base->token_set_clear(&ts);
    CU_ASSERT_PTR_NULL(ts.access_token);
    CU_ASSERT_PTR_NULL(ts.extras_json);
    CU_ASSERT_EQUAL(ts.expires_at, 0);
    CU_ASSERT_EQUAL(base->abi_major, OP_ABI_MAJOR);
    CU_ASSERT_EQUAL(base->struct_size, sizeof(op_host_api_t));
    CU_ASSERT(base->now() > 1700000000);
}

/* ---- registration through views ---- */

static int registered;
static int on_register(void *arg, const op_provider_t *p)
{
    registered++;
    return strcmp(p->name, "refuse-me") == 0 ? OP_EINVAL : OP_OK;
}

static void test_views(void)
{
    op_provider_t p = {.struct_size = sizeof(p), .name = "x"}, bad = {.struct_size = sizeof(bad), .name = "refuse-me"};
    CU_ASSERT_EQUAL(base->register_provider(base->host_ctx, &p), OP_EINVAL); /* the base table never registers */
    op_host_api_t *v = ob_host_api_view_new(base, "myplugin", on_register, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->register_provider(v->host_ctx, &p), OP_OK);
    CU_ASSERT_EQUAL(v->register_provider(v->host_ctx, &bad), OP_EINVAL);
    ob_host_api_view_seal(v);
    CU_ASSERT_EQUAL(v->register_provider(v->host_ctx, &p), OP_EINVAL);
    CU_ASSERT_EQUAL(registered, 2);
    ob_host_api_view_free(v);
}

/* ---- request validation ---- */

static void test_invalid_requests(void)
{
    result_t r = {0};
    char url[128];
    url_of(url, sizeof(url), "/ok");
    op_kv_t crlf[] = {{"X-Test", "a\r\nInjected: 1"}};
    op_kv_t colon[] = {{"Bad:Name", "v"}};
    op_http_request_t ok = {sizeof(ok), "GET", url, NULL, 0, NULL, 0, 0};
    op_http_request_t reqs[] = {
        {sizeof(ok), "BREW", url, NULL, 0, NULL, 0, 0}, {sizeof(ok), "GET", "ftp://127.0.0.1/x", NULL, 0, NULL, 0, 0},
        {sizeof(ok), "GET", url, crlf, 1, NULL, 0, 0},  {sizeof(ok), "GET", url, colon, 1, NULL, 0, 0},
        {sizeof(ok), "POST", url, NULL, 0, NULL, 5, 0}, {0, "GET", url, NULL, 0, NULL, 0, 0},
        {sizeof(ok), NULL, url, NULL, 0, NULL, 0, 0},   {sizeof(ok), "GET", "http://a\r\n/", NULL, 0, NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
        CU_ASSERT_EQUAL(base->http_send(base->host_ctx, &reqs[i], on_done, &r), OP_EINVAL);
    CU_ASSERT_EQUAL(base->http_send(base->host_ctx, &ok, NULL, &r), OP_EINVAL);
    /* no client: unsupported */
    op_host_api_t *offline = ob_host_api_new(NULL);
    CU_ASSERT_EQUAL(offline->http_send(offline->host_ctx, &ok, on_done, &r), OP_EUNSUPPORTED);
    ob_host_api_free(offline);
    run_until(NULL, 50);
    CU_ASSERT_EQUAL(r.called, 0);
}

/* ---- real HTTP ---- */

static void test_http_round_trip(void)
{
    result_t r = {0};
    char url[128], body[] = "grant_type=authorization_code&code=abc";
    char hname[] = "X-Probe", hvalue[] = "probe-value";
    url_of(url, sizeof(url), "/ok");
    op_kv_t headers[] = {{hname, hvalue}, {"Content-Type", "application/x-www-form-urlencoded"}};
    op_http_request_t req = {sizeof(req), "POST", url, headers, 2, body, strlen(body), 0};
    op_host_api_t *v = ob_host_api_view_new(base, "p", NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(v->http_send(v->host_ctx, &req, on_done, &r), OP_AGAIN);
    CU_ASSERT_EQUAL(r.called, 0); /* never from inside the call */
    CU_ASSERT_EQUAL(ob_host_api_view_inflight(v), 1);
    /* the request was copied: the plugin may reuse its buffers at once */
    memset(body, 'Z', sizeof(body) - 1);
    memset(hvalue, 'Z', sizeof(hvalue) - 1);
    memset(url, 'Z', sizeof(url) - 1);
    run_until(&r, 5000);
    CU_ASSERT_EQUAL_FATAL(r.called, 1);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.body, "{\"ok\":true}");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.ctype, "application/json"));
    CU_ASSERT_EQUAL(r.retry_after_s, -1);
    CU_ASSERT_EQUAL(ob_host_api_view_inflight(v), 0);
    pthread_mutex_lock(&srv_lock);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_request, "POST /ok HTTP/1.1"));
    CU_ASSERT_PTR_NOT_NULL(strcasestr(last_request, "X-Probe: probe-value"));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_request, "grant_type=authorization_code&code=abc"));
    pthread_mutex_unlock(&srv_lock);
    ob_host_api_view_free(v);
}

static void test_http_statuses_and_limits(void)
{
    result_t retry = {0}, big = {0}, slow = {0};
    char url[128];
    url_of(url, sizeof(url), "/retry");
    op_http_request_t req = {sizeof(req), "GET", url, NULL, 0, NULL, 0, 0};
    CU_ASSERT_EQUAL_FATAL(base->http_send(base->host_ctx, &req, on_done, &retry), OP_AGAIN);
    run_until(&retry, 5000);
    CU_ASSERT_EQUAL(retry.status, 429);
    CU_ASSERT_EQUAL(retry.retry_after_s, 7);
    CU_ASSERT_STRING_EQUAL(retry.body, "slow down");

    url_of(url, sizeof(url), "/big");
    CU_ASSERT_EQUAL_FATAL(base->http_send(base->host_ctx, &req, on_done, &big), OP_AGAIN);
    run_until(&big, 5000);
    CU_ASSERT_EQUAL(big.called, 1);
    CU_ASSERT_EQUAL(big.status, 0); /* above the 256 KiB cap */
    CU_ASSERT_PTR_NOT_NULL(strstr(big.error, "too large"));

    url_of(url, sizeof(url), "/slow");
    req.timeout_ms = 300;
    CU_ASSERT_EQUAL_FATAL(base->http_send(base->host_ctx, &req, on_done, &slow), OP_AGAIN);
    run_until(&slow, 5000);
    CU_ASSERT_EQUAL(slow.called, 1);
    CU_ASSERT_EQUAL(slow.status, 0);
    CU_ASSERT_EQUAL(slow.timed_out, 1);
    usleep(1300 * 1000); /* let the server finish that connection */
}

static void test_drain(void)
{
    result_t r = {0}, after = {0};
    char url[128];
    url_of(url, sizeof(url), "/slow");
    op_http_request_t req = {sizeof(req), "GET", url, NULL, 0, NULL, 0, 0};
    op_host_api_t *v = ob_host_api_view_new(base, "p", NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(v->http_send(v->host_ctx, &req, on_done, &r), OP_AGAIN);
    run_until(NULL, 100);
    ob_host_api_view_drain(v);
    CU_ASSERT_EQUAL(r.called, 1);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.error, "cancelled");
    CU_ASSERT_EQUAL(v->http_send(v->host_ctx, &req, on_done, &after), OP_EUNAVAIL);
    ob_host_api_view_free(v);
    run_until(NULL, 1700);
    CU_ASSERT_EQUAL(r.called, 1); /* exactly once */
    CU_ASSERT_EQUAL(after.called, 0);
}

void tests_register(void)
{
    CU_SUITE("host api", setup, teardown, {"memory", test_memory}, {"views", test_views},
             {"invalid requests", test_invalid_requests}, {"http round trip", test_http_round_trip},
             {"http statuses and limits", test_http_statuses_and_limits}, {"drain", test_drain});
}
