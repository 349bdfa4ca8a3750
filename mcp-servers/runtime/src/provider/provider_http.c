/*
 * provider_http.c - provider API calls from tools: token, request, 401 refresh-and-retry-once, error mapping
 * (see mcp/provider_http.h).
 */
#include "provider/provider_internal.h"
#include "common/metrics.h"
#include "common/status.h"
#include "tokens/auth.h"
#include "tokens/token_client.h"
#include "transport/server_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct fetch {
    mcp_call_t *call;
    mcp_server_t *s;
    mcp_provider_cb cb;
    void *arg;
    char *provider, *method, *url, *body;
    size_t body_len;
    cm_http_header_t *headers; /* extra + Authorization, strings owned */
    size_t n_extra;
    int timeout_ms, flags;
    size_t max_response;
    char *too_large;
    int retried;
    char *authorize_url;
    mcp_provider_error_fn error_text;
    void (*arg_free)(void *arg);
    int (*answer_status)(const struct mcp_provider_response *res);
    char *subject;
    int cb_ran;
    double sent_at;           /* monotonic seconds of the last request sent (the latency metric) */
    cm_http_call_t *inflight; /* the upstream request while it runs (aborted when the call is abandoned) */
};

static void fetch_free(struct fetch *f)
{
    if (!f->cb_ran && f->arg_free != NULL)
        f->arg_free(f->arg);
    for (size_t i = 0; i < f->n_extra + 1 && f->headers != NULL; i++) {
        free((char *)f->headers[i].name);
        if (f->headers[i].value != NULL) {
            memset((char *)f->headers[i].value, 0, strlen(f->headers[i].value));
            free((char *)f->headers[i].value);
        }
    }
    free(f->headers);
    free(f->provider);
    free(f->method);
    free(f->url);
    free(f->body);
    free(f->authorize_url);
    free(f->too_large);
    free(f->subject);
    free(f);
}

const char *mcp_provider_error_text(const char *provider, int status, long retry_after_s, int timed_out,
                                    const char *authorize_url, char *buf, size_t bufsz)
{
    const char *p = provider ? provider : "The provider";
    if (status == 0 && timed_out)
        snprintf(buf, bufsz, "%s did not answer in time; try again later.", p);
    else if (status == 0)
        snprintf(buf, bufsz, "%s could not be reached; try again later.", p);
    else if (status == 401)
        snprintf(buf, bufsz, "%s rejected the access token even after a refresh (401). Re-authorize this instance%s%s.",
                 p, authorize_url ? " at " : "", authorize_url ? authorize_url : "");
    else if (status == 403)
        snprintf(buf, bufsz,
                 "%s denied the request (403): the granted permissions (scopes) do not allow this action.%s%s%s", p,
                 authorize_url ? " Re-authorize this instance with them at " : "", authorize_url ? authorize_url : "",
                 authorize_url ? "." : "");
    else if (status == 404)
        snprintf(buf, bufsz, "%s reports that the requested item does not exist (404).", p);
    else if (status == 429 && retry_after_s >= 0)
        snprintf(buf, bufsz, "%s rate limit reached (429); retry after %ld seconds.", p, retry_after_s);
    else if (status == 429)
        snprintf(buf, bufsz, "%s rate limit reached (429); retry later.", p);
    else if (status >= 500)
        snprintf(buf, bufsz, "%s is having problems (HTTP %d); try again later.", p, status);
    else
        snprintf(buf, bufsz, "%s rejected the request (HTTP %d).", p, status);
    return buf;
}

static void send_request(struct fetch *f, const char *token);

/* After a final 401 or a 403: the authorize URL the broker gave when it confirmed the instance (auth cache), if
 * any: where the user re-authorizes, or grants the scope a tool lacks. */
static void authorize_url_for(struct fetch *f, int status)
{
    if ((status == 401 || status == 403) && f->authorize_url == NULL && f->s->auth != NULL) {
        const char *url = NULL;
        mcp_auth_status(f->s->auth, mcp_call_instance(f->call), &url);
        f->authorize_url = url ? strdup(url) : NULL;
    }
}

/* Ends the request with a tool error: the call fails, or with MCP_PROVIDER_DELIVER_ERRORS cb gets the text. */
static void end_error(struct fetch *f, int status, long retry_after, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void end_error(struct fetch *f, int status, long retry_after, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (f->flags & MCP_PROVIDER_DELIVER_ERRORS) {
        mcp_provider_response_t r = {.status = status, .retry_after_s = retry_after, .error = msg};
        f->cb_ran = 1;
        f->cb(f->call, &r, f->arg);
    } else {
        mcp_call_fail(f->call, "%s", msg);
    }
    fetch_free(f);
}

/* The runtime's text for a failed request: the request's subject named on 404 / 410, else mcp_provider_error_text. */
static void generic_text(const struct fetch *f, int status, long retry_after, int timed_out, char *buf, size_t bufsz)
{
    if (f->subject != NULL && status == 404)
        snprintf(buf, bufsz, "%s was not found (404): it does not exist, or this account cannot see it.", f->subject);
    else if (f->subject != NULL && status == 410)
        snprintf(buf, bufsz, "%s has been deleted (410 Gone).", f->subject);
    else
        mcp_provider_error_text(f->provider, status, retry_after, timed_out, f->authorize_url, buf, bufsz);
}

static void fail(struct fetch *f, int status, long retry_after, int timed_out)
{
    char msg[512];
    authorize_url_for(f, status);
    generic_text(f, status, retry_after, timed_out, msg, sizeof(msg));
    end_error(f, status, retry_after, "%s", msg);
}

const char *mcp_token_error_text(const char *provider, const mcp_token_result_t *r, char *buf, size_t bufsz)
{
    const char *p = provider ? provider : "the provider";
    if (r->code != NULL && (strcmp(r->code, "needs_reauth") == 0 || strcmp(r->code, "instance_expired") == 0 ||
                            strcmp(r->code, "instance_inactive") == 0))
        snprintf(buf, bufsz, "This instance must be re-authorized before %s can be used (%s)%s%s.", p, r->code,
                 r->authorize_url ? ": open " : "", r->authorize_url ? r->authorize_url : "");
    else if (r->http_status == 503 && r->retry_after_s >= 0)
        /* the broker cannot refresh the token now (the provider is down, or another replica is refreshing it) */
        snprintf(buf, bufsz, "No access token for %s right now: %s. This is temporary; retry after %ld seconds.", p,
                 r->message ? r->message : "the token could not be refreshed", r->retry_after_s);
    else
        snprintf(buf, bufsz, "No access token for %s: %s.", p, r->message ? r->message : "unavailable");
    return buf;
}

/* The call was abandoned (cancelled, timed out): the upstream request is aborted - the connection closed - and the
 * call ends without an answer; the tool's continuation never runs, so a multi-step tool takes no further step. */
static void abort_fetch(mcp_call_t *c, void *arg)
{
    struct fetch *f = arg;
    if (f->inflight != NULL)
        cm_http_cancel(f->inflight);
    f->inflight = NULL;
    mcp_call_fail(c, "cancelled");
    fetch_free(f);
}

static void on_token(void *arg, const mcp_token_result_t *r)
{
    struct fetch *f = arg;
    if (mcp_call_abandoned(f->call)) { /* abandoned while the token was fetched: never send the request */
        mcp_call_fail(f->call, "cancelled");
        fetch_free(f);
        return;
    }
    if (!r->ok) {
        char msg[1024];
        free(f->authorize_url);
        f->authorize_url = r->authorize_url ? strdup(r->authorize_url) : NULL;
        mcp_token_error_text(f->provider, r, msg, sizeof(msg));
        end_error(f, 0, r->http_status == 503 ? r->retry_after_s : -1, "%s", msg); /* 0: no provider answer */
        return;
    }
    send_request(f, r->access_token);
}

static void get_token(struct fetch *f, int refresh)
{
    mcp_token_wait_t *w;
    mcp_token_result_t now;
    if (f->s->tokens == NULL) {
        end_error(f, 0, -1, "No access token for %s: the token client is not configured.", f->provider);
        return;
    }
    /* after a 401: retry with the cached token when another call already replaced the rejected one, else one
       refresh per instance (token_client.h) */
    const char *sent = f->headers[f->n_extra].value, *rejected = sent && strlen(sent) > 7 ? sent + 7 : NULL;
    int rc = refresh
                 ? mcp_token_get_after_401(f->s->tokens, mcp_call_instance(f->call), rejected, mcp__unix_now(),
                                           on_token, f, &w, &now)
                 : mcp_token_get(f->s->tokens, mcp_call_instance(f->call), 0, mcp__unix_now(), on_token, f, &w, &now);
    if (rc == CM_AGAIN)
        return;
    on_token(f, &now);
}

/* The answer as hooks and callbacks see it; json is parsed when the body is JSON (the caller releases it). */
static void response_view(const cm_http_response_t *res, mcp_provider_response_t *r)
{
    *r = (mcp_provider_response_t){.status = res->status,
                                   .body = res->body,
                                   .body_len = res->body_len,
                                   .content_type = res->content_type,
                                   .headers = res->headers,
                                   .n_headers = res->n_headers,
                                   .retry_after_s = res->retry_after_s};
    if (res->content_type != NULL && strncasecmp(res->content_type, "application/json", 16) == 0 && res->body_len)
        r->json = json_loadb(res->body, res->body_len, 0, NULL);
}

/* mcp_upstream_requests_total{service,tool,status} and mcp_upstream_request_duration_seconds{service,tool}, one per
 * HTTP exchange with the provider (a 401 retried with a fresh token counts twice). status: the HTTP status, or
 * "timeout" / "error" when none came. */
static void count_upstream(const struct fetch *f, const cm_http_response_t *res)
{
    static cm_metric_family_t *calls, *duration;
    if (calls == NULL) {
        calls = cm_counter("mcp_upstream_requests_total", "Provider API requests by service, tool and HTTP status.",
                           "service,tool,status");
        duration = cm_histogram("mcp_upstream_request_duration_seconds",
                                "Provider API request latency by service and tool.", "service,tool");
    }
    char status[16];
    if (res->status > 0 && res->status < 1000)
        snprintf(status, sizeof(status), "%d", res->status);
    else
        snprintf(status, sizeof(status), "%s", res->timed_out ? "timeout" : "error");
    const char *tool = mcp_call_tool(f->call);
    cm_metric_inc(cm_metric_get(calls, f->s->service, tool ? tool : "", status));
    cm_metric_observe(cm_metric_get(duration, f->s->service, tool ? tool : ""), cm_metrics_now() - f->sent_at);
}

static void on_response(void *arg, const cm_http_response_t *res)
{
    struct fetch *f = arg;
    f->inflight = NULL;
    mcp_call_set_abort(f->call, NULL, NULL);
    count_upstream(f, res);
    mcp_provider_response_t r;
    response_view(res, &r);
    if (f->answer_status != NULL && r.status >= 200 && r.status < 300) {
        int status = f->answer_status(&r); /* a provider that answers errors inside a 2xx says what it stands for */
        if (status >= 100 && status <= 599)
            r.status = status;
    }
    if (r.status == 401 && !f->retried) {
        json_decref(r.json);
        f->retried = 1;
        get_token(f, 1);
        return;
    }
    if ((r.status >= 200 && r.status < 300) || (f->flags & MCP_PROVIDER_ALL_STATUSES && r.status != 0)) {
        f->cb_ran = 1;
        f->cb(f->call, &r, f->arg);
        json_decref(r.json);
        fetch_free(f);
        return;
    }
    if (f->error_text != NULL && r.status != 0) {
        char generic[512], msg[1024] = "";
        authorize_url_for(f, r.status);
        r.authorize_url = f->authorize_url;
        generic_text(f, r.status, r.retry_after_s, res->timed_out, generic, sizeof(generic));
        f->error_text(&r, generic, msg, sizeof(msg));
        json_decref(r.json);
        end_error(f, r.status, r.retry_after_s, "%s", msg[0] ? msg : generic);
        return;
    }
    json_decref(r.json);
    if (res->status == 0 && res->error != NULL && strstr(res->error, "too large") != NULL) {
        size_t max = f->max_response ? f->max_response : MCP_PROVIDER_DEFAULT_MAX_RESPONSE;
        if (f->too_large != NULL)
            end_error(f, 0, -1, "%s", f->too_large);
        else
            end_error(f, 0, -1, "The answer from %s is too large for this tool (over %.1f MiB); ask for less.",
                      f->provider, (double)max / (1024.0 * 1024.0));
        return;
    }
    fail(f, r.status, res->retry_after_s, res->timed_out);
}

static void send_request(struct fetch *f, const char *token)
{
    size_t n = strlen(token) + 8;
    char *auth = malloc(n);
    if (auth == NULL) {
        end_error(f, 0, -1, "out of memory");
        return;
    }
    snprintf(auth, n, "Bearer %s", token);
    cm_http_header_t *h = &f->headers[f->n_extra];
    if (h->value != NULL) {
        memset((char *)h->value, 0, strlen(h->value));
        free((char *)h->value);
    }
    h->value = auth;
    cm_http_request_t req = {.method = f->method,
                             .url = f->url,
                             .headers = f->headers,
                             .n_headers = f->n_extra + 1,
                             .body = f->body,
                             .body_len = f->body_len,
                             .timeout_ms = f->timeout_ms,
                             .max_response = f->max_response};
    f->sent_at = cm_metrics_now();
    if (cm_http_start(f->s->http, &req, on_response, f, &f->inflight) != CM_AGAIN) {
        fail(f, 0, -1, 0);
        return;
    }
    mcp_call_set_abort(f->call, abort_fetch, f);
}

void mcp_provider_fetch(mcp_call_t *call, const mcp_provider_request_t *req, mcp_provider_cb cb, void *arg)
{
    if (mcp_call_abandoned(call)) { /* the next step of an abandoned multi-step tool: not taken */
        if (req->arg_free != NULL)
            req->arg_free(arg);
        mcp_call_fail(call, "cancelled");
        return;
    }
    struct fetch *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        if (req->flags & MCP_PROVIDER_DELIVER_ERRORS) {
            mcp_provider_response_t r = {.status = 0, .retry_after_s = -1, .error = "out of memory"};
            cb(call, &r, arg);
            return;
        }
        if (req->arg_free != NULL)
            req->arg_free(arg);
        mcp_call_fail(call, "out of memory");
        return;
    }
    f->call = call;
    f->s = mcp_call_server(call);
    f->cb = cb;
    f->arg = arg;
    f->provider = strdup(req->provider ? req->provider : "The provider");
    f->method = req->method ? strdup(req->method) : NULL;
    f->url = strdup(req->url ? req->url : "");
    f->body_len = req->body_len;
    f->body = req->body ? malloc(req->body_len + 1) : NULL;
    if (f->body) {
        memcpy(f->body, req->body, req->body_len);
        f->body[req->body_len] = '\0';
    }
    f->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : 15000;
    f->flags = req->flags;
    f->max_response = req->max_response;
    f->too_large = req->too_large ? strdup(req->too_large) : NULL;
    f->error_text = req->error_text;
    f->arg_free = req->arg_free;
    f->answer_status = req->answer_status;
    f->subject = req->subject ? strdup(req->subject) : NULL;
    f->n_extra = req->n_headers;
    f->headers = calloc(req->n_headers + 1, sizeof(*f->headers));
    int oom = f->provider == NULL || f->url == NULL || f->headers == NULL || (req->body && !f->body) ||
              (req->method && !f->method) || (req->too_large && !f->too_large) || (req->subject && !f->subject);
    for (size_t i = 0; !oom && i < req->n_headers; i++) {
        f->headers[i].name = strdup(req->headers[i].name);
        f->headers[i].value = strdup(req->headers[i].value);
        oom = f->headers[i].name == NULL || f->headers[i].value == NULL;
    }
    if (!oom)
        oom = (f->headers[req->n_headers].name = strdup("Authorization")) == NULL;
    if (oom) {
        end_error(f, 0, -1, "out of memory");
        return;
    }
    get_token(f, 0);
}
