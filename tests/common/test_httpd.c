/*
 * test_httpd.c - the server glue over real loopback HTTP: router (params, 404, 405 + Allow),
 * JSON error bodies, body size limit, bearer and query parsing, stop.
 * The server loop runs on the test's main thread; a client thread drives it with blocking curl.
 */
#include "cu.h"

#include "common/httpd.h"
#include "common/status.h"

#include "common/timer.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct resp {
    long status;
    char body[4096];
    size_t len;
    char allow[128];
    char ctype[128];
};

static cm_server_t *server;
static int port;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = sz * n, room = sizeof(r->body) - 1 - r->len;
    if (len > room)
        len = room;
    memcpy(r->body + r->len, p, len);
    r->len += len;
    r->body[r->len] = '\0';
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = sz * n;
    if (len > 6 && strncasecmp(p, "allow:", 6) == 0)
        snprintf(r->allow, sizeof(r->allow), "%.*s", (int)(len - 9), p + 7);
    if (len > 13 && strncasecmp(p, "content-type:", 13) == 0)
        snprintf(r->ctype, sizeof(r->ctype), "%.*s", (int)(len - 16), p + 14);
    return len;
}

static void do_request(const char *method, const char *path, const char *body, size_t body_len, const char *auth,
                       struct resp *r)
{
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    memset(r, 0, sizeof(*r));
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    if (auth)
        h = curl_slist_append(h, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

/* ---- handlers ---- */

static int h_item(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(cm_match_str(req, m, 0)));
    json_object_set_new(o, "n", json_integer((json_int_t)m->n_params));
    int bad = 0;
    char *q = cm_req_query(req, "q", &bad);
    json_object_set_new(o, "q", q ? json_string(q) : json_null());
    json_object_set_new(o, "bad_query", json_boolean(bad));
    h2o_iovec_t tok = cm_req_bearer(req);
    json_object_set_new(o, "bearer", tok.base ? json_stringn(tok.base, tok.len) : json_null());
    cm_respond_json(req, 200, o);
    return 0;
}

static int h_echo(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    const char *why = NULL;
    json_t *o = cm_req_json_object(req, &why);
    if (o == NULL) {
        cm_respond_error(req, 400, "invalid_body", NULL, "%s", why);
        return 0;
    }
    cm_respond_json(req, 201, o);
    return 0;
}

static int h_rest(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "svc", json_string(cm_match_str(req, m, 0)));
    json_object_set_new(o, "rest", json_string(cm_match_str(req, m, 1)));
    cm_respond_json(req, 200, o);
    return 0;
}

static int h_html(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    static const char page[] = "<!doctype html><p>hi</p>";
    cm_respond_html(req, 200, page, sizeof(page) - 1);
    return 0;
}

/* ---- client thread: runs the scenario, records results, stops the server ---- */

static struct resp results[12];

static void *client_main(void *arg)
{
    static const char big[100 * 1024] = {'{'};
    static const char huge[(16 + 1100) * 1024] = {'{'}; /* beyond limit + 1 MiB: h2o's own 413 */
    do_request("GET", "/items/abc?q=hello%20world", NULL, 0, "Authorization: Bearer  t0k3n ", &results[0]);
    do_request("DELETE", "/items/abc", NULL, 0, NULL, &results[1]);
    do_request("GET", "/nothing/here", NULL, 0, NULL, &results[2]);
    do_request("POST", "/echo", "{\"a\":[1,2]}", 11, NULL, &results[3]);
    do_request("POST", "/echo", "[1,2]", 5, NULL, &results[4]);
    do_request("POST", "/echo", "{bad", 4, NULL, &results[5]);
    do_request("POST", "/echo", big, sizeof(big), NULL, &results[6]);
    do_request("GET", "/svc/gmail/a/b/c", NULL, 0, NULL, &results[7]);
    do_request("GET", "/items/abc/", NULL, 0, NULL, &results[8]);
    do_request("POST", "/echo", huge, sizeof(huge), NULL, &results[11]);
    do_request("GET", "/page", NULL, 0, "Authorization: Basic Zm9v", &results[9]);
    do_request("GET", "/items/x?q=%zz", NULL, 0, "Authorization: Basic Zm9v", &results[10]);
    cm_server_stop(server);
    return NULL;
}

static void test_routes_over_http(void)
{
    cm_server_options_t o = {.name = "test", .max_request_body = 16 * 1024};
    server = cm_server_new(&o);
    CU_ASSERT_FATAL(server != NULL);
    CU_ASSERT_EQUAL(cm_server_route(server, "GET", "/items/*", h_item, NULL), CM_OK);
    CU_ASSERT_EQUAL(cm_server_route(server, "PUT", "/items/*", h_item, NULL), CM_OK);
    CU_ASSERT_EQUAL(cm_server_route(server, "POST", "/echo", h_echo, NULL), CM_OK);
    CU_ASSERT_EQUAL(cm_server_route(server, "GET", "/svc/*/**", h_rest, NULL), CM_OK);
    CU_ASSERT_EQUAL(cm_server_route(server, "GET", "/page", h_html, NULL), CM_OK);
    CU_ASSERT_EQUAL(cm_server_route(server, "GET", "relative", h_html, NULL), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_server_route(server, "GET", "/a/**/b", h_html, NULL), CM_EINVAL);
    CU_ASSERT_EQUAL_FATAL(cm_server_listen(server, "127.0.0.1", 0, &port), CM_OK);
    CU_ASSERT(port > 0);

    pthread_t t;
    pthread_create(&t, NULL, client_main, NULL);
    CU_ASSERT_EQUAL(cm_server_run(server), CM_OK);
    pthread_join(t, NULL);

    CU_ASSERT_EQUAL(results[0].status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(results[0].body, "\"id\":\"abc\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(results[0].body, "\"q\":\"hello world\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(results[0].body, "\"bearer\":\"t0k3n\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(results[0].ctype, "application/json"));

    CU_ASSERT_EQUAL(results[1].status, 405);
    CU_ASSERT_STRING_EQUAL(results[1].allow, "GET, PUT");
    CU_ASSERT_PTR_NOT_NULL(strstr(results[1].body, "\"code\":\"method_not_allowed\""));

    CU_ASSERT_EQUAL(results[2].status, 404);
    CU_ASSERT_PTR_NOT_NULL(strstr(results[2].body, "\"code\":\"not_found\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(results[2].ctype, "application/json"));

    CU_ASSERT_EQUAL(results[3].status, 201);
    CU_ASSERT_STRING_EQUAL(results[3].body, "{\"a\":[1,2]}");
    CU_ASSERT_EQUAL(results[4].status, 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(results[4].body, "must be a JSON object"));
    CU_ASSERT_EQUAL(results[5].status, 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(results[5].body, "not valid JSON"));
    CU_ASSERT_EQUAL(results[6].status, 413); /* over the limit: our JSON error */
    CU_ASSERT_PTR_NOT_NULL(strstr(results[6].body, "\"code\":\"body_too_large\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(results[6].ctype, "application/json"));
    /* far beyond it h2o refuses it before reading the body: the same JSON error */
    CU_ASSERT_EQUAL(results[11].status, 413);
    CU_ASSERT_PTR_NOT_NULL(strstr(results[11].body, "\"code\":\"body_too_large\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(results[11].ctype, "application/json"));

    CU_ASSERT_EQUAL(results[7].status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(results[7].body, "\"svc\":\"gmail\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(results[7].body, "\"rest\":\"a/b/c\""));

    CU_ASSERT_EQUAL(results[8].status, 404);

    CU_ASSERT_EQUAL(results[9].status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(results[9].ctype, "text/html"));
    CU_ASSERT_EQUAL(results[10].status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(results[10].body, "\"bearer\":null"));
    CU_ASSERT_PTR_NOT_NULL(strstr(results[10].body, "\"bad_query\":true"));

    cm_server_free(server);
    server = NULL;
}

static void test_listen_errors(void)
{
    cm_server_t *s = cm_server_new(NULL);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(cm_server_listen(s, "not-an-ip", 0, NULL), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_server_listen(s, "127.0.0.1", 70000, NULL), CM_EINVAL);
    int p1 = 0;
    CU_ASSERT_EQUAL(cm_server_listen(s, "127.0.0.1", 0, &p1), CM_OK);
    cm_server_t *s2 = cm_server_new(NULL);
    CU_ASSERT_EQUAL(cm_server_listen(s2, "127.0.0.1", p1, NULL), CM_EIO); /* port in use */
    cm_server_free(s2);
    cm_server_free(s);
}

/* ---- graceful stop: a request in flight finishes, an idle keep-alive connection is closed, a request that never
 * completes does not make cm_server_free abort ---- */

static void on_slow_timer(void *arg)
{
    h2o_req_t *req = arg;
    cm_respond_body(req, 200, "text/plain", "slow-done", 9);
}

static int h_slow(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    /* the timer is freed with the request's pool */
    cm_timer_t **t = h2o_mem_alloc_shared(&req->pool, sizeof(*t), NULL);
    *t = cm_timer_new(cm_server_loop(server), on_slow_timer, req);
    cm_timer_start(*t, 150);
    return 0;
}

static int h_hang(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    return 0; /* never answers */
}

static int raw_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 4};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void raw_send(int fd, const char *path)
{
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
    if (fd >= 0 && write(fd, buf, (size_t)n) != n)
        fprintf(stderr, "short write\n");
}

/* Reads until EOF or timeout into buf; returns bytes read, -1 on timeout before EOF. */
static ssize_t raw_read_all(int fd, char *buf, size_t cap, int until_eof)
{
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n == 0)
            break;
        if (n < 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        if (!until_eof && strstr(buf, "\r\n\r\n") != NULL)
            break;
    }
    buf[len] = '\0';
    return (ssize_t)len;
}

static struct {
    char slow[1024];
    ssize_t idle_after;
} stop_res;

static void *stop_client(void *arg)
{
    char buf[1024];
    int idle = raw_connect(), slow = raw_connect(), hang = raw_connect();
    raw_send(idle, "/page");
    raw_read_all(idle, buf, sizeof(buf), 0); /* answered; the connection stays open (keep-alive) */
    raw_send(slow, "/slow");
    raw_send(hang, "/hang");
    usleep(50 * 1000);
    cm_server_stop(server);
    raw_read_all(slow, stop_res.slow, sizeof(stop_res.slow), 1);
    stop_res.idle_after = raw_read_all(idle, buf, sizeof(buf), 1); /* 0: closed by the server */
    close(idle);
    close(slow);
    close(hang);
    return NULL;
}

static void test_graceful_stop(void)
{
    cm_server_options_t o = {.name = "stoptest", .drain_ms = 400};
    server = cm_server_new(&o);
    CU_ASSERT_FATAL(server != NULL);
    cm_server_route(server, "GET", "/page", h_html, NULL);
    cm_server_route(server, "GET", "/slow", h_slow, NULL);
    cm_server_route(server, "GET", "/hang", h_hang, NULL);
    CU_ASSERT_EQUAL_FATAL(cm_server_listen(server, "127.0.0.1", 0, &port), CM_OK);
    pthread_t t;
    pthread_create(&t, NULL, stop_client, NULL);
    CU_ASSERT_EQUAL(cm_server_run(server), CM_OK);
    pthread_join(t, NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(stop_res.slow, "HTTP/1.1 200"));
    CU_ASSERT_PTR_NOT_NULL(strstr(stop_res.slow, "slow-done"));
    CU_ASSERT_EQUAL(stop_res.idle_after, 0);
    cm_server_free(server); /* the hanging request is still open: must not abort */
    server = NULL;
}

/* ---- requests libh2o refuses itself, before any handler: a declared length or a chunked body over the hard cap,
 * a Transfer-Encoding it does not know; raw sockets, so that the client does not shape the request ---- */

static struct {
    char declared[2048], chunked[2048], bad_te[2048], expect[2048];
} early_res;

/* Sends head, then up to nchunks chunks of 64 KiB while the server still reads (bounded), then reads the answer. */
static void raw_exchange(const char *head, int nchunks, char *out, size_t cap)
{
    static char chunk[64 * 1024 + 16];
    int fd = raw_connect();
    if (fd < 0)
        return;
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0)
        goto out_close;
    int hl = snprintf(chunk, sizeof(chunk), "10000\r\n");
    memset(chunk + hl, 'x', 64 * 1024);
    memcpy(chunk + hl + 64 * 1024, "\r\n", 2);
    for (int i = 0; i < nchunks; i++)
        if (send(fd, chunk, (size_t)hl + 64 * 1024 + 2, MSG_NOSIGNAL) < 0)
            break; /* refused meanwhile: the answer is waiting */
    raw_read_all(fd, out, cap, 1);
out_close:
    close(fd);
}

static void *early_client(void *arg)
{
    raw_exchange(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n", 0,
        early_res.declared, sizeof(early_res.declared));
    raw_exchange(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", 24,
        early_res.chunked, sizeof(early_res.chunked));
    raw_exchange("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 0, early_res.bad_te,
                 sizeof(early_res.bad_te));
    raw_exchange("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: magic\r\n\r\n{}", 0, early_res.expect,
                 sizeof(early_res.expect));
    cm_server_stop(server);
    return NULL;
}

static void test_early_refusals_are_json(void)
{
    cm_server_options_t o = {.name = "earlytest", .max_request_body = 1024};
    server = cm_server_new(&o);
    CU_ASSERT_FATAL(server != NULL);
    cm_server_route(server, "POST", "/echo", h_echo, NULL);
    CU_ASSERT_EQUAL_FATAL(cm_server_listen(server, "127.0.0.1", 0, &port), CM_OK);
    pthread_t t;
    pthread_create(&t, NULL, early_client, NULL);
    CU_ASSERT_EQUAL(cm_server_run(server), CM_OK);
    pthread_join(t, NULL);
    const char *both[] = {early_res.declared, early_res.chunked};
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(both[i], "HTTP/1.1 413"));
        CU_ASSERT_PTR_NOT_NULL(strstr(both[i], "content-type: application/json"));
        CU_ASSERT_PTR_NOT_NULL(strstr(both[i], "\"code\":\"body_too_large\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(both[i], "limit of 1024 bytes"));
        CU_ASSERT_PTR_NULL(strstr(both[i], "text/plain"));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(early_res.bad_te, "HTTP/1.1 400"));
    CU_ASSERT_PTR_NOT_NULL(strstr(early_res.bad_te, "\"code\":\"invalid_request\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(early_res.bad_te, "content-type: application/json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(early_res.expect, "HTTP/1.1 417"));
    CU_ASSERT_PTR_NOT_NULL(strstr(early_res.expect, "\"code\":\"expectation_failed\""));
    cm_server_free(server);
    server = NULL;
}

void tests_register(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CU_SUITE("httpd", NULL, NULL, {"routes over http", test_routes_over_http}, {"listen errors", test_listen_errors},
             {"graceful stop", test_graceful_stop}, {"early refusals are JSON", test_early_refusals_are_json});
}
