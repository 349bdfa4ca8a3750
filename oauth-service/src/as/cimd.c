/*
 * cimd.c - fetching and caching Client ID Metadata Documents (cimd.h).
 *
 * The cache is a most-recently-used-first list, searched linearly: it holds at most a few hundred documents and a
 * lookup costs far less than the consent it serves. A fetch in flight keeps its waiters; its answer (document or
 * failure) goes to all of them.
 */
#include "as/cimd.h"

#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct entry {
    char *url;
    json_t *doc;
    int64_t expires_at;
    struct entry *prev, *next;
};

struct waiter {
    ob_cimd_cb cb;
    ob_cimd_drop_fn drop;
    void *arg;
    struct waiter *next;
};

struct fetch {
    ob_cimd_t *c;
    char *url;
    cm_http_call_t *call;
    struct waiter *waiters;
    struct fetch *next;
};

struct ob_cimd {
    cm_http_client_t *http;
    const json_t *allowed;
    const char *ca_file;
    size_t capacity, count;
    struct entry *head, *tail;
    struct fetch *fetches;
    uint64_t started;
};

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

ob_cimd_t *ob_cimd_new(cm_http_client_t *http, const json_t *allowed_origins, const char *ca_file, size_t capacity)
{
    ob_cimd_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->http = http;
    c->allowed = allowed_origins;
    c->ca_file = ca_file;
    c->capacity = capacity ? capacity : 512;
    return c;
}

static void entry_unlink(ob_cimd_t *c, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void entry_push_front(ob_cimd_t *c, struct entry *e)
{
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

static void entry_free(ob_cimd_t *c, struct entry *e)
{
    entry_unlink(c, e);
    c->count--;
    free(e->url);
    json_decref(e->doc);
    free(e);
}

/* Frees the fetch; waiters still on it (the cache going away with the fetch in flight) get their drop, never cb:
 * the handler behind cb may already be torn down, only the context itself is released. */
static void fetch_free(struct fetch *f)
{
    while (f->waiters) {
        struct waiter *w = f->waiters;
        f->waiters = w->next;
        if (w->drop != NULL)
            w->drop(w->arg);
        free(w);
    }
    free(f->url);
    free(f);
}

void ob_cimd_free(ob_cimd_t *c)
{
    if (c == NULL)
        return;
    while (c->head)
        entry_free(c, c->head);
    while (c->fetches) {
        struct fetch *f = c->fetches;
        c->fetches = f->next;
        cm_http_cancel(f->call);
        fetch_free(f);
    }
    free(c);
}

const json_t *ob_cimd_peek(ob_cimd_t *c, const char *url, int64_t now)
{
    for (struct entry *e = c->head; e; e = e->next) {
        if (strcmp(e->url, url) != 0)
            continue;
        if (e->expires_at <= now) {
            entry_free(c, e);
            return NULL;
        }
        entry_unlink(c, e);
        entry_push_front(c, e);
        return e->doc;
    }
    return NULL;
}

static void cache_put(ob_cimd_t *c, const char *url, json_t *doc, int ttl)
{
    for (struct entry *e = c->head; e; e = e->next) {
        if (strcmp(e->url, url) == 0) {
            entry_free(c, e);
            break;
        }
    }
    struct entry *e = calloc(1, sizeof(*e));
    if (e == NULL || (e->url = strdup(url)) == NULL) {
        free(e);
        return; /* not cached: the next lookup fetches again */
    }
    e->doc = json_incref(doc);
    e->expires_at = now_s() + ttl;
    entry_push_front(c, e);
    c->count++;
    while (c->count > c->capacity)
        entry_free(c, c->tail);
}

static const char *header(const cm_http_response_t *res, const char *name)
{
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcmp(res->headers[i].name, name) == 0)
            return res->headers[i].value;
    return NULL;
}

static void on_fetched(void *arg, const cm_http_response_t *res)
{
    struct fetch *f = arg;
    ob_cimd_t *c = f->c;
    /* off the list first: a waiter may start a lookup of the same URL */
    for (struct fetch **pp = &c->fetches; *pp; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            break;
        }
    }
    json_t *doc = NULL;
    const char *why = NULL;
    int status;
    if (res->error != NULL) {
        status = CM_EIO;
        why = res->timed_out                                  ? "The client's metadata document did not arrive in time."
              : strcmp(res->error, "response too large") == 0 ? "The client's metadata document is too large."
              : strcmp(res->error, "address refused") == 0
                  ? "The client's metadata document is on an address this server does not fetch from."
                  : "The client's metadata document could not be fetched.";
        cm_info("as", "client metadata document %s: %s", f->url, res->error);
    } else {
        status = ob_cimd_validate(f->url, res->status, res->content_type, res->body, res->body_len, &doc, &why);
        if (status == CM_OK) {
            int ttl = ob_cimd_cache_ttl(header(res, "cache-control"));
            if (ttl > 0)
                cache_put(c, f->url, doc, ttl);
        } else {
            cm_info("as", "client metadata document %s refused (HTTP %d): %s", f->url, res->status, why);
        }
    }
    while (f->waiters) {
        struct waiter *w = f->waiters;
        f->waiters = w->next;
        w->cb(w->arg, status, doc, why);
        free(w);
    }
    json_decref(doc);
    fetch_free(f);
}

/* 1 when the origin of url (scheme://host[:port], compared without case) is allow-listed. */
static int origin_allowed(const ob_cimd_t *c, const char *url)
{
    size_t olen = strcspn(url + 8, "/") + 8, i;
    const json_t *v;
    json_array_foreach(c->allowed, i, v)
    {
        const char *o = json_string_value(v);
        if (o != NULL && strlen(o) == olen && strncasecmp(o, url, olen) == 0)
            return 1;
    }
    return 0;
}

static int addr_ok(void *arg, const struct sockaddr *sa, size_t salen)
{
    (void)arg;
    return ob_cimd_addr_public(sa, salen);
}

int ob_cimd_get(ob_cimd_t *c, const char *url, ob_cimd_cb cb, ob_cimd_drop_fn drop, void *arg)
{
    if (!ob_cimd_is_url(url))
        return CM_EINVAL;
    struct waiter *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return CM_ENOMEM;
    w->cb = cb;
    w->drop = drop;
    w->arg = arg;
    for (struct fetch *f = c->fetches; f; f = f->next) {
        if (strcmp(f->url, url) == 0) {
            w->next = f->waiters;
            f->waiters = w;
            return CM_AGAIN;
        }
    }
    struct fetch *f = calloc(1, sizeof(*f));
    if (f == NULL || (f->url = strdup(url)) == NULL) {
        free(f);
        free(w);
        return CM_ENOMEM;
    }
    f->c = c;
    f->waiters = w;
    static const cm_http_header_t accept[] = {{"Accept", "application/json"}};
    cm_http_request_t req = {.method = "GET",
                             .url = url,
                             .headers = accept,
                             .n_headers = 1,
                             .timeout_ms = OB_CIMD_TIMEOUT_MS,
                             .max_response = OB_CIMD_MAX_BYTES,
                             .ca_file = c->ca_file,
                             .addr_ok = origin_allowed(c, url) ? NULL : addr_ok};
    int rc = cm_http_start(c->http, &req, on_fetched, f, &f->call);
    if (rc != CM_AGAIN) {
        f->waiters = NULL; /* an error leaves arg with the caller */
        free(w);
        fetch_free(f);
        return rc;
    }
    f->next = c->fetches;
    c->fetches = f;
    c->started++;
    return CM_AGAIN;
}

uint64_t ob_cimd_fetches(const ob_cimd_t *c)
{
    return c->started;
}
