/*
 * host_api.c - the services the broker offers provider plugins (see host_api.h).
 */
#include "providers/host_api.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct host_call host_call_t;

typedef struct ob_host {
    op_host_api_t api;    /* first: an op_host_api_t * is an ob_host_t * */
    struct ob_host *base; /* NULL for the base table */
    cm_http_client_t *http;
    char *plugin;
    ob_host_register_fn reg;
    void *reg_arg;
    int sealed, draining;
    host_call_t *calls; /* in flight, newest first */
    size_t inflight;
} ob_host_t;

struct host_call {
    host_call_t *next, **prev;
    ob_host_t *view;
    cm_http_call_t *call;
    op_http_done_fn done;
    void *arg;
    char *method, *url, *body;
    size_t body_len;
    cm_http_header_t *headers;
    size_t n_headers;
};

/* ---- memory ---- */

#define MEM_HDR 16 /* keeps max_align_t alignment; holds the size */

void *ob_host_mem_alloc(size_t size)
{
    if (size > SIZE_MAX - MEM_HDR)
        return NULL;
    unsigned char *b = calloc(1, MEM_HDR + size);
    if (b == NULL)
        return NULL;
    memcpy(b, &size, sizeof(size));
    return b + MEM_HDR;
}

char *ob_host_mem_strndup(const char *s, size_t n)
{
    if (s == NULL)
        return NULL;
    size_t len = strnlen(s, n);
    if (len == SIZE_MAX)
        return NULL;
    char *d = ob_host_mem_alloc(len + 1);
    if (d != NULL)
        memcpy(d, s, len);
    return d;
}

void ob_host_mem_free(void *p)
{
    if (p == NULL)
        return;
    unsigned char *b = (unsigned char *)p - MEM_HDR;
    size_t size;
    memcpy(&size, b, sizeof(size));
    OPENSSL_cleanse(b, MEM_HDR + size);
    free(b);
}

void ob_host_token_set_clear(op_token_set_t *ts)
{
    if (ts == NULL)
        return;
    /* 0 is a zeroed struct of the host's own; a larger size (a later minor) holds nothing else of ours */
    size_t size = ts->struct_size == 0 || ts->struct_size > sizeof(*ts) ? sizeof(*ts) : ts->struct_size;
    char **strings[] = {&ts->access_token, &ts->refresh_token, &ts->token_type,
                        &ts->scope,        &ts->id_token,      &ts->extras_json};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        if ((size_t)((char *)strings[i] - (char *)ts) + sizeof(char *) <= size) {
            ob_host_mem_free(*strings[i]);
            *strings[i] = NULL;
        }
    }
    if (offsetof(op_token_set_t, refresh_expires_at) + sizeof(ts->refresh_expires_at) <= size) {
        ts->expires_at = 0;
        ts->refresh_expires_at = 0;
    }
}

static int64_t host_now(void)
{
    return (int64_t)time(NULL);
}

/* ---- logging ---- */

static void host_log(void *host_ctx, int level, const char *provider, const char *fmt, ...)
{
    ob_host_t *h = host_ctx;
    char comp[96];
    const char *who = provider != NULL ? provider : h != NULL && h->plugin != NULL ? h->plugin : "plugin";
    snprintf(comp, sizeof(comp), "provider:%s", who);
    if (level < OP_LOG_DEBUG)
        level = OP_LOG_DEBUG;
    if (level > OP_LOG_ERROR)
        level = OP_LOG_ERROR;
    va_list ap;
    va_start(ap, fmt);
    cm_logv(level, comp, fmt, ap);
    va_end(ap);
}

/* ---- registration ---- */

static int host_register(void *host_ctx, const op_provider_t *provider)
{
    ob_host_t *h = host_ctx;
    if (h->reg == NULL || h->sealed) {
        cm_warn("providers", "plugin %s: register_provider outside init refused",
                h->plugin ? h->plugin : "(none: base table)");
        return OP_EINVAL;
    }
    return h->reg(h->reg_arg, provider);
}

/* ---- HTTP ---- */

static void call_free(host_call_t *c)
{
    free(c->method);
    free(c->url);
    cm_secure_free(c->body, c->body_len);
    for (size_t i = 0; i < c->n_headers; i++) {
        free((char *)c->headers[i].name);
        cm_secure_free((char *)c->headers[i].value, 0);
    }
    free(c->headers);
    free(c);
}

static void call_unlink(host_call_t *c)
{
    *c->prev = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->view->inflight--;
}

static void on_http_done(void *arg, const cm_http_response_t *res)
{
    host_call_t *c = arg;
    call_unlink(c);
    op_http_response_t out = {
        .struct_size = sizeof(out),
        .status = res->status,
        .timed_out = res->timed_out,
        .error = res->status == 0 ? (res->error != NULL ? res->error : "transport error") : NULL,
        .content_type = res->content_type,
        .body = res->body != NULL ? res->body : "",
        .body_len = res->body != NULL ? res->body_len : 0,
        .retry_after_s = res->retry_after_s,
    };
    c->done(c->arg, &out);
    call_free(c);
}

static int text_ok(const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if (*s == '\r' || *s == '\n')
            return 0;
    return s != NULL;
}

static int method_ok(const char *m)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};
    for (size_t i = 0; m != NULL && methods[i] != NULL; i++)
        if (strcmp(m, methods[i]) == 0)
            return 1;
    return 0;
}

#define REQ_V1_SIZE (offsetof(op_http_request_t, timeout_ms) + sizeof(int))

static int host_http_send(void *host_ctx, const op_http_request_t *req, op_http_done_fn done, void *arg)
{
    ob_host_t *h = host_ctx;
    ob_host_t *root = h->base != NULL ? h->base : h;
    if (req == NULL || done == NULL || req->struct_size < REQ_V1_SIZE || !method_ok(req->method) ||
        !cm_url_is_http(req->url) || !text_ok(req->url) || (req->body == NULL && req->body_len > 0) ||
        (req->n_headers > 0 && req->headers == NULL) || req->n_headers > 64)
        return OP_EINVAL;
    for (size_t i = 0; i < req->n_headers; i++)
        if (!text_ok(req->headers[i].name) || !text_ok(req->headers[i].value) || strchr(req->headers[i].name, ':'))
            return OP_EINVAL;
    if (root->http == NULL)
        return OP_EUNSUPPORTED;
    if (h->draining)
        return OP_EUNAVAIL;

    host_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return OP_ENOMEM;
    c->view = h;
    c->done = done;
    c->arg = arg;
    c->method = strdup(req->method);
    c->url = strdup(req->url);
    c->body_len = req->body_len;
    if (req->body != NULL && (c->body = malloc(req->body_len + 1)) != NULL) {
        memcpy(c->body, req->body, req->body_len);
        c->body[req->body_len] = '\0';
    }
    c->headers = calloc(req->n_headers + 1, sizeof(*c->headers));
    if (c->method == NULL || c->url == NULL || (req->body != NULL && c->body == NULL) || c->headers == NULL)
        goto out_nomem;
    for (; c->n_headers < req->n_headers; c->n_headers++) {
        c->headers[c->n_headers].name = strdup(req->headers[c->n_headers].name);
        c->headers[c->n_headers].value = strdup(req->headers[c->n_headers].value);
        if (c->headers[c->n_headers].name == NULL || c->headers[c->n_headers].value == NULL) {
            c->n_headers++;
            goto out_nomem;
        }
    }
    int timeout = req->timeout_ms > 0 ? req->timeout_ms : OB_HOST_HTTP_TIMEOUT_MS;
    cm_http_request_t creq = {
        .method = c->method,
        .url = c->url,
        .headers = c->headers,
        .n_headers = c->n_headers,
        .body = c->body,
        .body_len = c->body_len,
        .timeout_ms = timeout < OB_HOST_HTTP_MAX_TIMEOUT_MS ? timeout : OB_HOST_HTTP_MAX_TIMEOUT_MS,
        .max_response = OB_HOST_HTTP_MAX_RESPONSE,
    };
    int rc = cm_http_start(root->http, &creq, on_http_done, c, &c->call);
    if (rc != CM_AGAIN) {
        call_free(c);
        return rc == CM_OK ? OP_ERR : rc; /* CM_* and OP_* share their values */
    }
    c->next = h->calls;
    c->prev = &h->calls;
    if (h->calls != NULL)
        h->calls->prev = &c->next;
    h->calls = c;
    h->inflight++;
    return OP_AGAIN;

out_nomem:
    call_free(c);
    return OP_ENOMEM;
}

/* ---- tables ---- */

static void fill_table(ob_host_t *h)
{
    h->api.abi_major = OP_ABI_MAJOR;
    h->api.abi_minor = OP_ABI_MINOR;
    h->api.struct_size = sizeof(op_host_api_t);
    h->api.host_ctx = h;
    h->api.log = host_log;
    h->api.http_send = host_http_send;
    h->api.register_provider = host_register;
    h->api.mem_alloc = ob_host_mem_alloc;
    h->api.mem_strndup = ob_host_mem_strndup;
    h->api.mem_free = ob_host_mem_free;
    h->api.token_set_clear = ob_host_token_set_clear;
    h->api.now = host_now;
}

op_host_api_t *ob_host_api_new(cm_http_client_t *http)
{
    ob_host_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->http = http;
    fill_table(h);
    return &h->api;
}

void ob_host_api_free(op_host_api_t *api)
{
    ob_host_api_view_free(api);
}

op_host_api_t *ob_host_api_view_new(op_host_api_t *base, const char *plugin, ob_host_register_fn reg, void *reg_arg)
{
    ob_host_t *b = (ob_host_t *)base;
    ob_host_t *h = calloc(1, sizeof(*h));
    if (h == NULL || base == NULL)
        goto out_free;
    h->base = b->base != NULL ? b->base : b;
    h->plugin = strdup(plugin != NULL ? plugin : "plugin");
    if (h->plugin == NULL)
        goto out_free;
    h->reg = reg;
    h->reg_arg = reg_arg;
    fill_table(h);
    return &h->api;
out_free:
    free(h);
    return NULL;
}

void ob_host_api_view_seal(op_host_api_t *view)
{
    if (view != NULL)
        ((ob_host_t *)view)->sealed = 1;
}

void ob_host_api_view_drain(op_host_api_t *view)
{
    ob_host_t *h = (ob_host_t *)view;
    if (h == NULL)
        return;
    h->draining = 1;
    while (h->calls != NULL) {
        host_call_t *c = h->calls;
        cm_http_cancel(c->call);
        call_unlink(c);
        op_http_response_t out = {
            .struct_size = sizeof(out), .status = 0, .error = "cancelled", .body = "", .retry_after_s = -1};
        c->done(c->arg, &out);
        call_free(c);
    }
}

void ob_host_api_view_free(op_host_api_t *view)
{
    ob_host_t *h = (ob_host_t *)view;
    if (h == NULL)
        return;
    while (h->calls != NULL) {
        host_call_t *c = h->calls;
        cm_http_cancel(c->call);
        call_unlink(c);
        call_free(c);
    }
    free(h->plugin);
    free(h);
}

size_t ob_host_api_view_inflight(const op_host_api_t *view)
{
    return view != NULL ? ((const ob_host_t *)view)->inflight : 0;
}
