/*
 * http_client_easy.c - the easy handle of one request (http_client_internal.h): the request's method, headers and
 * body checked and set, the safety options every call gets, and the callbacks that collect the response (headers
 * capped in number and bytes, Retry-After parsed, the body capped).
 */
#include "http_client_internal.h"

#include "common/status.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void cm__http_clear_headers(cm_http_call_t *call)
{
    for (size_t i = 0; i < call->n_headers; i++) {
        free((char *)call->headers[i].name);
        free((char *)call->headers[i].value);
    }
    call->n_headers = 0;
    call->header_bytes = 0;
    call->retry_after = -1;
}

/* Retry-After: delta-seconds or an HTTP-date. -1 when absent or unparsable. */
static long parse_retry_after(const char *v)
{
    if (isdigit((unsigned char)v[0])) {
        char *end;
        long s = strtol(v, &end, 10);
        while (*end == ' ' || *end == '\t')
            end++;
        return *end == '\0' && s >= 0 ? (s > 86400 * 365 ? 86400 * 365 : s) : -1;
    }
    time_t when = curl_getdate(v, NULL);
    if (when == (time_t)-1)
        return -1;
    time_t now = time(NULL);
    return when > now ? (long)(when - now) : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    cm_http_call_t *call = arg;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) { /* a new response (after 1xx): forget the previous block */
        cm__http_clear_headers(call);
        return len;
    }
    call->header_bytes += len;
    if (call->header_bytes > MAX_HEADER_BYTES) {
        call->too_big = 2;
        return 0; /* aborts the transfer */
    }
    while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
        len--;
    const char *colon = memchr(p, ':', len);
    if (len == 0 || colon == NULL || colon == p || p[0] == ' ' || p[0] == '\t')
        return size * n; /* blank line, obsolete folding or garbage: ignored */
    size_t name_len = (size_t)(colon - p);
    const char *v = colon + 1, *end = p + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (call->n_headers == MAX_HEADERS) {
        call->too_big = 2;
        return 0;
    }
    if (call->headers == NULL && (call->headers = calloc(MAX_HEADERS, sizeof(*call->headers))) == NULL)
        return 0;
    char *name = strndup(p, name_len), *value = strndup(v, (size_t)(end - v));
    if (name == NULL || value == NULL) {
        free(name);
        free(value);
        return 0;
    }
    for (char *q = name; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    call->headers[call->n_headers++] = (cm_http_header_t){name, value};
    if (strcmp(name, "retry-after") == 0)
        call->retry_after = parse_retry_after(value);
    return size * n;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    cm_http_call_t *call = arg;
    size_t len = size * n;
    if (len > call->max - call->len) {
        call->too_big = 1;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    if (call->len + len + 1 > call->cap) {
        size_t cap = call->cap ? call->cap : 512; /* under 1 KiB: a small answer never makes malloc consolidate */
        while (cap < call->len + len + 1)
            cap *= 2;
        char *grown = realloc(call->buf, cap);
        if (grown == NULL)
            return 0;
        call->buf = grown;
        call->cap = cap;
    }
    memcpy(call->buf + call->len, p, len);
    call->len += len;
    call->buf[call->len] = '\0';
    return len;
}

static int valid_method(const char *m)
{
    size_t n = strlen(m);
    if (n == 0 || n > 16)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (m[i] < 'A' || m[i] > 'Z')
            return 0;
    return 1;
}

static int header_safe(const char *s)
{
    return s != NULL && strpbrk(s, "\r\n") == NULL;
}

int cm__http_setup_easy(cm_http_client_t *c, cm_http_call_t *call, const cm_http_request_t *req)
{
    CURL *e = call->easy;
    const char *method = req->method ? req->method : req->body ? "POST" : "GET";
    if (!valid_method(method))
        return CM_EINVAL;
    for (size_t i = 0; i < req->n_headers; i++) {
        const cm_http_header_t *h = &req->headers[i];
        if (!header_safe(h->name) || !header_safe(h->value) || h->name[0] == '\0' || strchr(h->name, ':') != NULL)
            return CM_EINVAL;
        size_t len = strlen(h->name) + strlen(h->value) + 3;
        char *line = malloc(len);
        if (line == NULL)
            return CM_ENOMEM;
        snprintf(line, len, "%s: %s", h->name, h->value);
        struct curl_slist *grown = curl_slist_append(call->req_headers, line);
        free(line);
        if (grown == NULL)
            return CM_ENOMEM;
        call->req_headers = grown;
    }
    struct curl_slist *grown = curl_slist_append(call->req_headers, "Expect:"); /* no 100-continue round trip */
    if (grown == NULL)
        return CM_ENOMEM;
    call->req_headers = grown;

    if (curl_easy_setopt(e, CURLOPT_URL, req->url) != CURLE_OK)
        return CM_EINVAL;
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(req->timeout_ms > 0 ? req->timeout_ms : c->timeout_ms));
    if (call->max < (size_t)INT64_MAX) /* early refusal when Content-Length already says too much */
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)call->max);
    curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, call->req_headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, call);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, call);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, cm__http_on_curl_close);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, c);
    if (req->body != NULL || strcmp(method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, call->req_body ? call->req_body : "");
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    if ((strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0) && !req->replay_ok) {
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L); /* never resent by curl on a stale connection */
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    cm_http_guard_setup(e, &call->guard, req);
    return CM_OK;
}
