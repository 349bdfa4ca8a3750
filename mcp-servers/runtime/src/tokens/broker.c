/*
 * broker.c - calls to the broker (broker_api.h) through common/http_client: service bearer, X-MCP-Service,
 * JSON bodies, a timeout on every call, reachability bookkeeping for /health.
 */
#include "tokens/broker.h"
#include "common/http_client.h"
#include "common/request_id.h"
#include "common/status.h"
#include "tokens/broker_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mcp_broker {
    cm_http_client_t *http;
    char *base, *service, *auth_header;
    int timeout_ms;
    int64_t last_ok_ms;
    unsigned failures;
    mcp_broker_fake_fn fake; /* unit tests only */
    void *fake_ctx;
};

struct pending {
    mcp_broker_t *b;
    mcp_broker_cb cb;
    void *arg;
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mcp_broker_t *mcp_broker_new(cm_http_client_t *http, const char *base_url, const char *service, const char *bearer,
                             int timeout_ms)
{
    mcp_broker_t *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    size_t blen = strlen(base_url);
    while (blen > 0 && base_url[blen - 1] == '/')
        blen--;
    b->http = http;
    b->base = strndup(base_url, blen);
    b->service = strdup(service);
    size_t alen = strlen(bearer) + 8;
    b->auth_header = malloc(alen);
    if (b->base == NULL || b->service == NULL || b->auth_header == NULL) {
        mcp_broker_free(b);
        return NULL;
    }
    snprintf(b->auth_header, alen, "Bearer %s", bearer);
    b->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    return b;
}

mcp_broker_t *mcp_broker_new_fake(mcp_broker_fake_fn fn, void *ctx)
{
    mcp_broker_t *b = mcp_broker_new(NULL, "http://fake-broker.invalid", "test", "fake-bearer", 0);
    if (b != NULL) {
        b->fake = fn;
        b->fake_ctx = ctx;
    }
    return b;
}

void mcp_broker_free(mcp_broker_t *b)
{
    if (b == NULL)
        return;
    free(b->base);
    free(b->service);
    if (b->auth_header != NULL) {
        memset(b->auth_header, 0, strlen(b->auth_header));
        free(b->auth_header);
    }
    free(b);
}

static void on_done(void *arg, const cm_http_response_t *res)
{
    struct pending *p = arg;
    mcp_broker_t *b = p->b;
    json_t *body = NULL;
    if (res->status == 0) {
        b->failures++;
    } else {
        b->failures = 0;
        b->last_ok_ms = wall_ms();
        if (res->body_len > 0) {
            body = json_loadb(res->body, res->body_len, 0, NULL);
            if (body != NULL && !json_is_object(body)) {
                json_decref(body);
                body = NULL;
            }
        }
    }
    p->cb(p->arg, res->status, body, res->status == 0 ? (res->error ? res->error : "transport error") : NULL);
    json_decref(body);
    free(p);
}

int mcp_broker_call(mcp_broker_t *b, const char *method, const char *path, const json_t *body, int idempotent,
                    mcp_broker_cb cb, void *arg, cm_http_call_t **call)
{
    char url[1024];
    if (b->fake != NULL)
        return b->fake(b->fake_ctx, method, path, body, cb, arg);
    int n = snprintf(url, sizeof(url), "%s%s", b->base, path);
    if (n < 0 || (size_t)n >= sizeof(url))
        return CM_EINVAL;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (body != NULL && text == NULL)
        return CM_ENOMEM;
    struct pending *p = malloc(sizeof(*p));
    if (p == NULL) {
        free(text);
        return CM_ENOMEM;
    }
    p->b = b;
    p->cb = cb;
    p->arg = arg;
    /* the broker logs this call under the id of the tool call or request that caused it */
    const char *rid = cm_reqid_current();
    cm_http_header_t headers[5] = {
        {"Authorization", b->auth_header},
        {MCP_BROKER_HEADER_SERVICE, b->service},
        {"Accept", "application/json"},
    };
    size_t nh = 3;
    if (body != NULL)
        headers[nh++] = (cm_http_header_t){"Content-Type", "application/json"};
    if (rid != NULL)
        headers[nh++] = (cm_http_header_t){CM_REQID_HEADER, rid};
    cm_http_request_t req = {
        .method = method,
        .url = url,
        .headers = headers,
        .n_headers = nh,
        .body = text,
        .body_len = text ? strlen(text) : 0,
        .timeout_ms = b->timeout_ms,
        .drop = free, /* the server stopped with this call in flight: only the pending record is ours */
        .max_response = 64 * 1024,
        .replay_ok = idempotent,
    };
    int rc = cm_http_start(b->http, &req, on_done, p, call);
    free(text);
    if (rc != CM_AGAIN) {
        free(p);
        return rc < 0 ? rc : CM_ERR;
    }
    return CM_AGAIN;
}

int64_t mcp_broker_last_ok_ms(const mcp_broker_t *b)
{
    return b->last_ok_ms;
}

unsigned mcp_broker_failures(const mcp_broker_t *b)
{
    return b->failures;
}

const char *mcp_broker_url(const mcp_broker_t *b)
{
    return b->base;
}
