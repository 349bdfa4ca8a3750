/*
 * httpd_io.c - response and request helpers for h2o handlers (see common/httpd.h).
 */
#include "common/httpd.h"
#include "httpd_internal.h"
#include "common/json_util.h"
#include "common/url.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *cm_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    }
    return status < 400 ? "OK" : "Error";
}

void cm_add_header(h2o_req_t *req, const char *name, const char *value)
{
    size_t nlen = strlen(name), vlen = strlen(value);
    h2o_iovec_t n = h2o_strdup(&req->pool, name, nlen);
    h2o_iovec_t v = h2o_strdup(&req->pool, value, vlen);
    h2o_add_header_by_str(&req->pool, &req->res.headers, n.base, n.len, 1, NULL, v.base, v.len);
}

static int has_res_header(h2o_req_t *req, const char *lc_name)
{
    return h2o_find_header_by_str(&req->res.headers, lc_name, strlen(lc_name), -1) != -1;
}

void cm_respond_body(h2o_req_t *req, int status, const char *content_type, const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = cm_reason(status);
    if (content_type != NULL) {
        h2o_iovec_t ct = h2o_strdup(&req->pool, content_type, strlen(content_type));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ct.base, ct.len);
    }
    if (!has_res_header(req, "x-content-type-options"))
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
                              H2O_STRLIT("nosniff"));
    req->res.content_length = len;
    h2o_send_inline(req, body, len);
}

void cm_respond_empty(h2o_req_t *req, int status)
{
    req->res.status = status;
    req->res.reason = cm_reason(status);
    req->res.content_length = 0;
    static h2o_generator_t generator = {NULL, NULL};
    h2o_start_response(req, &generator);
    h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
}

void cm_respond_json(h2o_req_t *req, int status, json_t *body)
{
    char *text = body != NULL ? cm_json_dumps(body) : NULL;
    json_decref(body);
    if (text == NULL) {
        static const char fallback[] = "{\"code\":\"internal_error\",\"message\":\"response encoding failed\"}";
        status = 500;
        if (!has_res_header(req, "cache-control"))
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
        cm_respond_body(req, status, "application/json", fallback, sizeof(fallback) - 1);
        return;
    }
    if (!has_res_header(req, "cache-control"))
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    cm_respond_body(req, status, "application/json", text, strlen(text));
    free(text);
}

static json_t *error_doc(const char *code, const char *field, const char *message)
{
    json_t *body = json_object();
    json_object_set_new(body, "code", json_string(code));
    json_object_set_new(body, "message", json_string(message));
    if (field != NULL)
        json_object_set_new(body, "field", json_string(field));
    return body;
}

char *cm__error_text(const char *code, const char *field, const char *message)
{
    json_t *body = error_doc(code, field, message);
    char *text = body != NULL ? cm_json_dumps(body) : NULL;
    json_decref(body);
    return text;
}

void cm_respond_error(h2o_req_t *req, int status, const char *code, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cm_respond_json(req, status, error_doc(code, field, msg));
}

void cm_respond_html(h2o_req_t *req, int status, const char *html, size_t len)
{
    if (!has_res_header(req, "content-security-policy"))
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0, NULL,
                              H2O_STRLIT("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"));
    if (!has_res_header(req, "cache-control"))
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("referrer-policy"), 0, NULL,
                          H2O_STRLIT("no-referrer"));
    cm_respond_body(req, status, "text/html; charset=utf-8", html, len);
}

h2o_iovec_t cm_req_header(h2o_req_t *req, const char *lc_name)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, lc_name, strlen(lc_name), -1);
    if (i == -1)
        return h2o_iovec_init(NULL, 0);
    return req->headers.entries[i].value;
}

h2o_iovec_t cm_req_bearer(h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (i == -1)
        return h2o_iovec_init(NULL, 0);
    h2o_iovec_t v = req->headers.entries[i].value;
    if (v.len < 7 || strncasecmp(v.base, "bearer ", 7) != 0)
        return h2o_iovec_init(NULL, 0);
    size_t off = 7;
    while (off < v.len && v.base[off] == ' ')
        off++;
    size_t end = v.len;
    while (end > off && v.base[end - 1] == ' ')
        end--;
    if (end == off)
        return h2o_iovec_init(NULL, 0);
    return h2o_iovec_init(v.base + off, end - off);
}

struct query_find {
    const char *name;
    const char *value;
    h2o_mem_pool_t *pool;
    char *out;
};

static int query_find_cb(void *arg, const char *name, const char *value)
{
    struct query_find *q = arg;
    if (strcmp(name, q->name) != 0)
        return 0;
    q->out = h2o_strdup(q->pool, value, strlen(value)).base;
    return 1;
}

char *cm_req_query(h2o_req_t *req, const char *name, int *bad)
{
    if (bad != NULL)
        *bad = 0;
    if (req->query_at == SIZE_MAX)
        return NULL;
    const char *q = req->path.base + req->query_at + 1;
    size_t qlen = req->path.len - req->query_at - 1;
    struct query_find f = {.name = name, .pool = &req->pool};
    int rc = cm_form_parse(q, qlen, query_find_cb, &f);
    if (rc < 0 && bad != NULL)
        *bad = 1;
    return f.out;
}

json_t *cm_req_json_object(h2o_req_t *req, const char **why)
{
    json_error_t err;
    if (req->entity.base == NULL || req->entity.len == 0) {
        if (why)
            *why = "request body is empty";
        return NULL;
    }
    json_t *v = cm_json_loadb(req->entity.base, req->entity.len, &err);
    if (v == NULL) {
        if (why)
            *why = "request body is not valid JSON";
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        if (why)
            *why = "request body must be a JSON object";
        return NULL;
    }
    return v;
}

int cm_req_method_is(h2o_req_t *req, const char *m)
{
    return h2o_memis(req->method.base, req->method.len, m, strlen(m));
}

char *cm_match_str(h2o_req_t *req, const cm_route_match_t *m, size_t i)
{
    if (i >= m->n_params)
        return NULL;
    return h2o_strdup(&req->pool, m->params[i].base, m->params[i].len).base;
}
