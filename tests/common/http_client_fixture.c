/*
 * http_client_fixture.c - the harness of the cm_http_* tests (http_client_fixture.h says what it serves).
 */
#include "http_client_fixture.h"

#include "cu.h"

#include "common/status.h"
#include "common/timer.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cm_server_t *server;
h2o_evloop_t *loop;
static int port;
char base[64];
int in_call, sync_callbacks;

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

int setup(void)
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

int teardown(void)
{
    for (int i = 0; i < n_hanging; i++)
        cm_respond_empty(hanging[i], 204);
    int64_t end = cm_now_ms() + 200;
    while (cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    cm_server_free(server);
    return 0;
}

void on_done(void *arg, const cm_http_response_t *res)
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

int start(cm_http_client_t *c, const cm_http_request_t *req, struct result *r, cm_http_call_t **call)
{
    in_call = 1;
    int rc = cm_http_start(c, req, on_done, r, call);
    in_call = 0;
    return rc;
}

int run_until(const int *flag, int target, int64_t max_ms)
{
    int64_t end = cm_now_ms() + max_ms;
    while (*flag < target && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    return *flag >= target;
}

void run_for(int64_t ms)
{
    int never = 0;
    run_until(&never, 1, ms);
}

/* GETs path; returns the response in r after the callback ran. */
void get(cm_http_client_t *c, const char *path, struct result *r)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", base, path);
    cm_http_request_t req = {.url = url};
    memset(r, 0, sizeof(*r));
    CU_ASSERT_EQUAL(start(c, &req, r, NULL), CM_AGAIN);
    CU_ASSERT_EQUAL(r->done, 0);
    CU_ASSERT_TRUE(run_until(&r->done, 1, 5000));
}

const char *json_field(const char *body, const char *name, char *out, size_t outsz)
{
    json_t *o = json_loads(body, 0, NULL);
    const char *v = o ? json_string_value(json_object_get(o, name)) : NULL;
    snprintf(out, outsz, "%s", v ? v : "(absent)");
    json_decref(o);
    return out;
}
