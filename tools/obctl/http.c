/*
 * http.c - obctl's one blocking HTTP call to the broker (libcurl easy interface) and the reading of its answer.
 */
#include "obctl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_MAX (16u << 20)

typedef struct buf {
    char *data;
    size_t len;
    int too_big;
} buf_t;

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    buf_t *b = arg;
    size_t add = size * n;
    if (b->len + add > ANSWER_MAX) {
        b->too_big = 1;
        return 0;
    }
    char *d = realloc(b->data, b->len + add + 1);
    if (d == NULL)
        return 0;
    memcpy(d + b->len, p, add);
    b->len += add;
    d[b->len] = '\0';
    b->data = d;
    return add;
}

int obctl_http_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void obctl_http_cleanup(void)
{
    curl_global_cleanup();
}

char *obctl_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *copy = e ? strdup(e) : NULL;
    curl_free(e);
    return copy;
}

/* Reports a non-2xx answer; returns its exit code. */
static int report(const obctl_t *c, long status, const json_t *j, const buf_t *b)
{
    const char *code = json_string_value(json_object_get(j, "code"));
    const char *msg = json_string_value(json_object_get(j, "message"));
    const char *field = json_string_value(json_object_get(j, "field"));
    if (c->json && j != NULL)
        obctl_print_json(j);
    if (code != NULL)
        obctl_err("%ld %s%s%s%s: %s", status, code, field ? " (" : "", field ? field : "", field ? ")" : "",
                  msg ? msg : "");
    else
        obctl_err("HTTP %ld%s%.200s", status, b->len ? ": " : "", b->data ? b->data : "");
    return status >= 400 && status < 500 ? OBCTL_API : OBCTL_SERVER;
}

int obctl_call(obctl_t *c, const char *method, const char *path, const json_t *body, json_t **out, long *status)
{
    int rc = OBCTL_SERVER;
    char url[8192], auth[4200] = "";
    buf_t b = {NULL, 0, 0};
    char *payload = NULL;
    struct curl_slist *hdrs = NULL;
    json_t *j = NULL;
    long code = 0;
    *out = NULL;
    if (status)
        *status = 0;
    size_t ul = strlen(c->url);
    while (ul > 0 && c->url[ul - 1] == '/')
        ul--;
    if ((size_t)snprintf(url, sizeof(url), "%.*s%s", (int)ul, c->url, path) >= sizeof(url)) {
        obctl_err("the URL is too long");
        return OBCTL_USAGE;
    }
    CURL *h = curl_easy_init();
    if (h == NULL) {
        obctl_err("out of memory");
        return OBCTL_SERVER;
    }
    if (c->key != NULL) {
        /* the key goes into a header buffer of ours, wiped below; curl never logs it (no verbose mode) */
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->key);
        hdrs = curl_slist_append(hdrs, auth);
    }
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    if (body != NULL) {
        payload = json_dumps(body, JSON_COMPACT);
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        if (payload == NULL) {
            obctl_err("out of memory");
            goto cleanup_curl;
        }
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "GET") == 0)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout_s < 10 ? c->timeout_s : 10L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "obctl");
    CURLcode cr = curl_easy_perform(h);
    if (cr != CURLE_OK) {
        if (b.too_big) {
            obctl_err("the answer of %s %s is larger than %u bytes", method, path, ANSWER_MAX);
            rc = OBCTL_SERVER;
        } else {
            obctl_err("cannot reach the broker at %.*s: %s", (int)ul, c->url, curl_easy_strerror(cr));
            rc = OBCTL_UNREACHABLE;
        }
        goto cleanup_curl;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (status)
        *status = code;
    j = b.len ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    if (code < 200 || code > 299) {
        rc = report(c, code, j, &b);
        goto cleanup_curl;
    }
    if (j == NULL) {
        obctl_err("the broker's answer to %s %s is not JSON (HTTP %ld)", method, path, code);
        rc = OBCTL_SERVER;
        goto cleanup_curl;
    }
    *out = j;
    j = NULL;
    rc = OBCTL_OK;
cleanup_curl:
    json_decref(j);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    explicit_bzero(auth, sizeof(auth));
    if (payload != NULL) {
        /* a body may carry a client secret or tokens */
        explicit_bzero(payload, strlen(payload));
        free(payload);
    }
    free(b.data);
    return rc;
}

int obctl_path(char *path, size_t size, const char *fmt, const char *a, const char *b)
{
    char *ea = obctl_escape(a), *eb = b ? obctl_escape(b) : NULL;
    int n = ea && (eb || !b) ? snprintf(path, size, fmt, ea, eb ? eb : "") : -1;
    free(ea);
    free(eb);
    if (n < 0 || (size_t)n >= size) {
        obctl_err("an argument is too long");
        return OBCTL_USAGE;
    }
    return OBCTL_OK;
}

int obctl_id_call(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv, int npos, const char *method,
                  const char *fmt, const json_t *body, json_t **out)
{
    const char *pos[2] = {NULL, NULL};
    char path[2048];
    int rc = obctl_parse(c, cmd, argc, argv, NULL, pos, npos, npos);
    if (rc != OBCTL_OK || (rc = obctl_path(path, sizeof(path), fmt, pos[0], pos[1])) != OBCTL_OK ||
        (rc = obctl_load_key(c)) != OBCTL_OK)
        return rc;
    return obctl_call(c, method, path, body, out, NULL);
}
