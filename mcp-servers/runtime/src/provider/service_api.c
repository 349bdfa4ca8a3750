/*
 * service_api.c - provider API base URLs from the environment, URLs below them, and requests with a JSON body
 * (see mcp/provider_http.h).
 */
#include "mcp/provider_http.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies base (trailing slashes dropped) + prefix into b; CM_ETOOBIG when it does not fit (b unchanged). */
static int set_base(mcp_api_base_t *b, const char *base, const char *prefix)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    int len = snprintf(NULL, 0, "%.*s%s", (int)n, base, prefix ? prefix : "");
    if (len < 0 || (size_t)len >= sizeof(b->url))
        return CM_ETOOBIG;
    snprintf(b->url, sizeof(b->url), "%.*s%s", (int)n, base, prefix ? prefix : "");
    return CM_OK;
}

int mcp_api_base_init(mcp_api_base_t *b, const char *env_name, const char *default_url, const char *path_prefix,
                      char *err, size_t errsz)
{
    if (set_base(b, default_url, path_prefix) != CM_OK) {
        snprintf(err, errsz, "the default API base is too long");
        b->url[0] = '\0';
        return CM_EINVAL;
    }
    const char *env = env_name ? getenv(env_name) : NULL;
    if (env == NULL || env[0] == '\0')
        return CM_OK;
    if (!cm_url_is_http(env)) {
        snprintf(err, errsz, "%s must be an http(s) URL", env_name);
        return CM_EINVAL;
    }
    if (set_base(b, env, path_prefix) != CM_OK) {
        snprintf(err, errsz, "%s is too long (at most %d characters)", env_name, MCP_API_BASE_MAX - 1);
        return CM_EINVAL;
    }
    return CM_OK;
}

const char *mcp_api_base_url(const mcp_api_base_t *b)
{
    return b->url;
}

char *mcp_api_url(const mcp_api_base_t *b, const char *path, const char *const *query)
{
    cm_buf_t buf = {0};
    cm_buf_appendz(&buf, b->url);
    cm_buf_appendz(&buf, path ? path : "");
    char *u = cm_buf_take(&buf);
    if (u == NULL || query == NULL)
        return u;
    char *q = cm_url_with_query(u, query);
    free(u);
    return q;
}

void mcp_provider_fetch_json(mcp_call_t *c, const mcp_provider_request_t *req, char *url_owned, json_t *body,
                             mcp_provider_cb cb, void *arg)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    cm_http_header_t *headers = calloc(req->n_headers + 1, sizeof(*headers));
    json_decref(body);
    if (url_owned == NULL || (body != NULL && text == NULL) || headers == NULL) {
        char msg[256];
        snprintf(msg, sizeof(msg), "Could not build the %s request.", req->provider ? req->provider : "provider");
        if (req->flags & MCP_PROVIDER_DELIVER_ERRORS) {
            mcp_provider_response_t r = {.status = 0, .retry_after_s = -1, .error = msg};
            cb(c, &r, arg);
            goto out_free_text;
        }
        if (req->arg_free != NULL)
            req->arg_free(arg);
        mcp_call_fail(c, "%s", msg);
        goto out_free_text;
    }
    for (size_t i = 0; i < req->n_headers; i++)
        headers[i] = req->headers[i];
    mcp_provider_request_t r = *req;
    r.url = url_owned;
    r.headers = headers;
    r.n_headers = req->n_headers;
    r.body = text;
    r.body_len = text ? strlen(text) : 0;
    if (text != NULL)
        headers[r.n_headers++] = (cm_http_header_t){"Content-Type", "application/json"};
    mcp_provider_fetch(c, &r, cb, arg); /* copies the request */
out_free_text:
    free(headers);
    free(text);
    free(url_owned);
}
