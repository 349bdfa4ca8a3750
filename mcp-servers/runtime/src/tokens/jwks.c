/*
 * jwks.c - the broker's signing keys, fetched without blocking and cached (see jwks.h).
 */
#include "tokens/jwks.h"
#include "common/http_client.h"
#include "common/status.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct mcp_jwks_wait {
    mcp_jwks_cb cb;
    void *arg;
    int cancelled;
    struct mcp_jwks_wait *next;
};

/* One fetch in flight. Orphaned (j = NULL) when the cache is freed before a fake fetcher answers. */
struct fetch {
    mcp_jwks_t *j;
    cm_http_call_t *call; /* the default fetcher's call */
    mcp_jwks_done_fn done;
    void *done_arg;
    int64_t started_ms;
};

struct mcp_jwks {
    char *url;
    cm_http_client_t *http;
    mcp_jwks_fetch_fn fetch;
    void *fetch_ctx;
    cm_jwk_t **keys;
    size_t n;
    int loaded;             /* a set was fetched at least once */
    int last_failed;        /* the last fetch failed */
    int64_t attempt_ms;     /* when the last fetch started; 0 = never */
    int64_t fetched_ms;     /* when the last successful fetch started */
    int64_t expires_ms;     /* past this the set is refreshed in the background */
    struct fetch *inflight; /* NULL when no fetch runs */
    struct mcp_jwks_wait *waiters;
    int64_t refetch_ms; /* the least time between two fetches after one that answered */
    uint64_t fetches, failures;
};

static void http_done(void *arg, const cm_http_response_t *res)
{
    struct fetch *f = arg;
    long max_age = -1;
    for (size_t i = 0; i < res->n_headers; i++) {
        if (strcasecmp(res->headers[i].name, "cache-control") != 0)
            continue;
        const char *p = strcasestr(res->headers[i].value, "max-age=");
        if (p != NULL && isdigit((unsigned char)p[8]))
            max_age = strtol(p + 8, NULL, 10);
        else if (strcasestr(res->headers[i].value, "no-cache") || strcasestr(res->headers[i].value, "no-store"))
            max_age = 0;
    }
    f->call = NULL;
    f->done(f->done_arg, res->status, res->body, res->body_len, max_age);
}

static int http_fetch(mcp_jwks_t *j, struct fetch *f, mcp_jwks_done_fn done)
{
    cm_http_header_t headers[] = {{"Accept", "application/json"}};
    cm_http_request_t req = {.method = "GET",
                             .url = j->url,
                             .headers = headers,
                             .n_headers = 1,
                             .timeout_ms = 5000,
                             .max_response = 64 * 1024};
    f->done = done;
    f->done_arg = f;
    return cm_http_start(j->http, &req, http_done, f, &f->call);
}

mcp_jwks_t *mcp_jwks_new(const char *url, cm_http_client_t *http, mcp_jwks_fetch_fn fetch, void *fetch_ctx,
                         int refetch_s)
{
    mcp_jwks_t *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return NULL;
    j->url = strdup(url);
    if (j->url == NULL) {
        free(j);
        return NULL;
    }
    j->http = http;
    j->fetch = fetch;
    j->fetch_ctx = fetch_ctx;
    j->refetch_ms = (int64_t)(refetch_s > 0 ? refetch_s : MCP_JWKS_REFETCH_S) * 1000;
    return j;
}

static void free_waiters(struct mcp_jwks_wait *w)
{
    while (w != NULL) {
        struct mcp_jwks_wait *next = w->next;
        free(w);
        w = next;
    }
}

void mcp_jwks_free(mcp_jwks_t *j)
{
    if (j == NULL)
        return;
    if (j->inflight != NULL) {
        if (j->inflight->call != NULL) { /* the HTTP client never calls back a cancelled call */
            cm_http_cancel(j->inflight->call);
            free(j->inflight);
        } else {
            j->inflight->j = NULL; /* a fake fetcher still answers: the answer then only frees it */
        }
    }
    free_waiters(j->waiters);
    cm_jwks_free(j->keys, j->n);
    free(j->url);
    free(j);
}

static long bounded_age(long max_age_s)
{
    if (max_age_s < 0)
        return MCP_JWKS_DEFAULT_AGE_S;
    if (max_age_s < MCP_JWKS_MIN_AGE_S)
        return MCP_JWKS_MIN_AGE_S;
    return max_age_s > MCP_JWKS_MAX_AGE_S ? MCP_JWKS_MAX_AGE_S : max_age_s;
}

/* A fetch answered: install the set when it is one, then wake every waiter (each looks its kid up again). */
static void on_fetched(void *arg, int status, const char *body, size_t body_len, long max_age_s)
{
    struct fetch *f = arg;
    mcp_jwks_t *j = f->j;
    if (j == NULL) {
        free(f);
        return;
    }
    j->inflight = NULL;
    json_t *doc = status == 200 && body != NULL ? json_loadb(body, body_len, 0, NULL) : NULL;
    cm_jwk_t **keys = NULL;
    size_t n = 0;
    if (doc != NULL && cm_jwks_parse(doc, &keys, &n) == CM_OK) {
        cm_jwks_free(j->keys, j->n);
        j->keys = keys;
        j->n = n;
        j->loaded = 1;
        j->last_failed = 0;
        j->fetched_ms = f->started_ms;
        j->expires_ms = f->started_ms + (int64_t)bounded_age(max_age_s) * 1000;
    } else {
        j->last_failed = 1;
        j->failures++;
    }
    json_decref(doc);
    free(f);
    struct mcp_jwks_wait *w = j->waiters;
    j->waiters = NULL;
    while (w != NULL) {
        struct mcp_jwks_wait *next = w->next;
        if (!w->cancelled)
            w->cb(w->arg);
        free(w);
        w = next;
    }
}

static int may_fetch(const mcp_jwks_t *j, int64_t now_ms)
{
    if (j->inflight != NULL)
        return 0;
    if (j->attempt_ms == 0)
        return 1;
    return now_ms - j->attempt_ms >= (j->last_failed ? MCP_JWKS_RETRY_MS : j->refetch_ms);
}

static int start_fetch(mcp_jwks_t *j, int64_t now_ms)
{
    struct fetch *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return CM_ENOMEM;
    f->j = j;
    f->started_ms = now_ms;
    j->attempt_ms = now_ms;
    j->fetches++;
    int rc = j->fetch != NULL ? j->fetch(j->fetch_ctx, j->url, on_fetched, f) : http_fetch(j, f, on_fetched);
    if (rc != CM_AGAIN) {
        free(f);
        j->last_failed = 1;
        j->failures++;
        return CM_EIO;
    }
    j->inflight = f;
    return CM_AGAIN;
}

static const cm_jwk_t *find(const mcp_jwks_t *j, const char *kid)
{
    if (kid == NULL)
        return j->n == 1 ? j->keys[0] : NULL;
    for (size_t i = 0; i < j->n; i++) {
        const char *k = cm_jwk_kid(j->keys[i]);
        if (k != NULL && strcmp(k, kid) == 0)
            return j->keys[i];
    }
    return NULL;
}

int mcp_jwks_lookup(mcp_jwks_t *j, const char *kid, int64_t now_ms, mcp_jwks_cb cb, void *arg, mcp_jwks_wait_t **wait,
                    const cm_jwk_t **key)
{
    *wait = NULL;
    *key = NULL;
    const cm_jwk_t *k = j->loaded ? find(j, kid) : NULL;
    if (k != NULL) {
        /* past its age the set is refreshed while still used: a rotated-out key matters only to tokens it signed,
           which the grant check with the broker still covers */
        if (now_ms >= j->expires_ms && may_fetch(j, now_ms))
            (void)start_fetch(j, now_ms);
        *key = k;
        return CM_OK;
    }
    if (j->inflight == NULL) {
        if (!may_fetch(j, now_ms) || start_fetch(j, now_ms) != CM_AGAIN)
            return j->loaded ? CM_ENOTFOUND : CM_EIO;
    }
    struct mcp_jwks_wait *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return CM_EIO;
    w->cb = cb;
    w->arg = arg;
    w->next = j->waiters;
    j->waiters = w;
    *wait = w;
    return CM_AGAIN;
}

void mcp_jwks_cancel(mcp_jwks_wait_t *w)
{
    if (w != NULL)
        w->cancelled = 1; /* freed when the fetch answers (bounded by its timeout) */
}

void mcp_jwks_get_stats(const mcp_jwks_t *j, int64_t now_ms, mcp_jwks_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    out->age_ms = -1;
    if (j == NULL)
        return;
    out->keys = j->n;
    out->fetches = j->fetches;
    out->failures = j->failures;
    out->age_ms = j->loaded ? now_ms - j->fetched_ms : -1;
}
