/*
 * plain.c - requests to the URLs Graph hands out for one operation: the pre-authenticated download URL of a
 * /content redirect, an upload session's uploadUrl, a copy's monitor URL. They may be on other hosts and carry their
 * own authorization, so the access token is never sent to them (Graph documents a 401 for an upload fragment that
 * carries one): they go through the loop's HTTP client directly, not through mcp_provider_fetch.
 */
#include "common/status.h"
#include "onedrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct plain {
    mcp_call_t *call;
    od_plain_cb cb;
    void *arg;
};

static void on_done(void *arg, const cm_http_response_t *res)
{
    struct plain *p = arg;
    p->cb(p->call, res, p->arg);
    free(p);
}

int od_plain_fetch(mcp_call_t *c, const char *method, const char *url, const cm_http_header_t *h, size_t nh,
                   const char *body, size_t body_len, size_t max_response, od_plain_cb cb, void *arg)
{
    if (url == NULL || (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0) ||
        strpbrk(url, " \r\n") != NULL)
        return CM_EINVAL;
    cm_http_client_t *http = mcp_server_http(mcp_call_server(c));
    struct plain *p = calloc(1, sizeof(*p));
    if (http == NULL || p == NULL) {
        free(p);
        return CM_ENOMEM;
    }
    p->call = c;
    p->cb = cb;
    p->arg = arg;
    cm_http_request_t req = {.method = method,
                             .url = url,
                             .headers = h,
                             .n_headers = nh,
                             .body = body,
                             .body_len = body_len,
                             .timeout_ms = 30000,
                             .max_response = max_response ? max_response : 1024 * 1024};
    if (cm_http_start(http, &req, on_done, p, NULL) != CM_AGAIN) {
        free(p);
        return CM_EINVAL;
    }
    return CM_OK;
}

void od_plain_error(const cm_http_response_t *res, const char *what, char *buf, size_t n)
{
    char generic[512], graph[1024];
    if (res->status == 0) {
        if (res->error != NULL && strstr(res->error, "too large") != NULL)
            snprintf(buf, n, "%s: the answer is larger than this tool accepts.", what);
        else
            snprintf(buf, n, "%s: %s.", what, res->timed_out ? "timed out" : "could not be reached");
        return;
    }
    mcp_provider_error_text(MSGRAPH_PROVIDER, res->status, res->retry_after_s, res->timed_out, NULL, generic,
                            sizeof(generic));
    mcp_provider_response_t r = {.status = res->status,
                                 .body = res->body,
                                 .body_len = res->body_len,
                                 .content_type = res->content_type,
                                 .headers = res->headers,
                                 .n_headers = res->n_headers,
                                 .retry_after_s = res->retry_after_s};
    if (res->body_len > 0 && res->body[0] == '{')
        r.json = json_loadb(res->body, res->body_len, 0, NULL);
    msgraph_error_text(&r, generic, NULL, graph, sizeof(graph));
    json_decref(r.json);
    snprintf(buf, n, "%s: %s", what, graph);
}
