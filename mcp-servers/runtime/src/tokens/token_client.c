/*
 * token_client.c - per-instance token cache fed by the broker and by pushes (see tokens/token_client.h).
 */
#include "tokens/token_client.h"
#include "tokens/versions.h"
#include "tokens/broker.h"
#include "common/metrics.h"
#include "common/status.h"
#include "tokens/broker_api.h"
#include "util/lru.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKEN_LEN 8192

struct entry {
    int64_t expires_at;
    int64_t version; /* the broker's per-instance version of this token, -1 = none */
    uint64_t seq;    /* tc->seq when stored: a fetch started before it is superseded */
    char token[];    /* NUL-terminated */
};

struct mcp_token_wait {
    mcp_token_cb cb;
    void *arg;
    int cancelled;
    struct mcp_token_wait *next;
};

struct flight {
    mcp_token_client_t *tc;
    struct mcp_token_wait *waiters;
    int refresh;                /* asked the broker to refresh the provider token */
    uint64_t start_seq;         /* tc->seq when it started */
    struct flight *prev, *next; /* tc->all: every flight whose broker call is pending */
    char instance[65];
};

struct mcp_token_client {
    mcp_broker_t *broker;
    int64_t margin_s;
    mcp_lru_t *cache;   /* instance -> struct entry */
    mcp_lru_t *flights; /* instance -> struct flight (not owned: freed when the call completes) */
    uint64_t seq;       /* bumped by every store */
    struct flight *all; /* pending flights, including superseded ones no longer in flights */
    mcp_token_stats_t stats;
    mcp_versions_t *versions; /* where evicted entries leave their version (borrowed, may be NULL) */
};

static void entry_free(void *p)
{
    struct entry *e = p;
    OPENSSL_cleanse(e->token, strlen(e->token));
    free(e);
}

static void on_evicted(void *arg, const char *instance, void *value)
{
    mcp_versions_note(arg, instance, ((const struct entry *)value)->version);
}

void mcp_token_client_keep_versions(mcp_token_client_t *tc, mcp_versions_t *v)
{
    tc->versions = v;
    mcp_lru_on_evict(tc->cache, v != NULL ? on_evicted : NULL, v);
}

mcp_token_client_t *mcp_token_client_new(mcp_broker_t *broker, int refresh_margin_s, size_t capacity)
{
    mcp_token_client_t *tc = calloc(1, sizeof(*tc));
    if (tc == NULL)
        return NULL;
    tc->broker = broker;
    tc->margin_s = refresh_margin_s > 0 ? refresh_margin_s : 60;
    tc->cache = mcp_lru_new(capacity > 0 ? capacity : 10000, entry_free);
    tc->flights = mcp_lru_new(0, NULL);
    if (tc->cache == NULL || tc->flights == NULL) {
        mcp_token_client_free(tc);
        return NULL;
    }
    tc->stats.capacity = mcp_lru_capacity(tc->cache);
    return tc;
}

static void flight_link(mcp_token_client_t *tc, struct flight *f)
{
    f->prev = NULL;
    f->next = tc->all;
    if (tc->all != NULL)
        tc->all->prev = f;
    tc->all = f;
}

static void flight_unlink(mcp_token_client_t *tc, struct flight *f)
{
    if (f->prev != NULL)
        f->prev->next = f->next;
    else
        tc->all = f->next;
    if (f->next != NULL)
        f->next->prev = f->prev;
}

void mcp_token_client_free(mcp_token_client_t *tc)
{
    if (tc == NULL)
        return;
    for (struct flight *f = tc->all; f != NULL; f = f->next)
        f->tc = NULL; /* the broker callback will only free it */
    mcp_lru_free(tc->flights);
    mcp_lru_free(tc->cache);
    free(tc);
}

int mcp_token_put(mcp_token_client_t *tc, const char *instance_id, const char *token, int64_t expires_at,
                  int64_t version)
{
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n > MAX_TOKEN_LEN)
        return CM_EINVAL;
    struct entry *old = mcp_lru_peek(tc->cache, instance_id);
    if (old != NULL && version >= 0 && old->version > version)
        return CM_ECONFLICT; /* an older token than the cached one: ignored */
    struct entry *e = malloc(sizeof(*e) + n + 1);
    if (e == NULL)
        return CM_ENOMEM;
    e->expires_at = expires_at;
    e->version = version >= 0 ? version : (old != NULL ? old->version : -1);
    e->seq = ++tc->seq;
    memcpy(e->token, token, n + 1);
    if (mcp_lru_put(tc->cache, instance_id, e) != CM_OK) {
        entry_free(e);
        return CM_ENOMEM;
    }
    return CM_OK;
}

void mcp_token_invalidate(mcp_token_client_t *tc, const char *instance_id)
{
    const struct entry *e = tc->versions != NULL ? mcp_lru_peek(tc->cache, instance_id) : NULL;
    if (e != NULL)
        mcp_versions_note(tc->versions, instance_id, e->version);
    if (mcp_lru_remove(tc->cache, instance_id) == CM_OK)
        tc->stats.invalidations++;
}

int64_t mcp_token_expiry(mcp_token_client_t *tc, const char *instance_id)
{
    struct entry *e = mcp_lru_peek(tc->cache, instance_id);
    return e ? e->expires_at : 0;
}

int64_t mcp_token_version(mcp_token_client_t *tc, const char *instance_id)
{
    struct entry *e = mcp_lru_peek(tc->cache, instance_id);
    return e ? e->version : -1;
}

static void finish(struct flight *f, const mcp_token_result_t *r)
{
    struct mcp_token_wait *w = f->waiters;
    while (w != NULL) {
        struct mcp_token_wait *next = w->next;
        if (!w->cancelled)
            w->cb(w->arg, r);
        free(w);
        w = next;
    }
    free(f);
}

static void on_broker(void *arg, int status, json_t *body, const char *error)
{
    struct flight *f = arg;
    mcp_token_client_t *tc = f->tc;
    mcp_token_result_t r = {.retry_after_s = -1};
    if (tc == NULL) { /* client freed meanwhile */
        for (struct mcp_token_wait *w = f->waiters, *next; w != NULL; w = next) {
            next = w->next;
            free(w);
        }
        free(f);
        return;
    }
    flight_unlink(tc, f);
    struct flight *current = mcp_lru_peek(tc->flights, f->instance);
    if (current == f)
        mcp_lru_take(tc->flights, f->instance);
    else if (current != NULL && current->refresh && !f->refresh) {
        /* superseded by a refresh started after this fetch: its waiters get the refreshed token */
        struct mcp_token_wait **tail = &current->waiters;
        while (*tail != NULL)
            tail = &(*tail)->next;
        *tail = f->waiters;
        f->waiters = NULL;
        free(f);
        return;
    }
    const char *token = json_string_value(json_object_get(body, "access_token"));
    json_t *exp = json_object_get(body, "expires_at"), *ver = json_object_get(body, "version");
    if (status == 200 && token != NULL && json_is_integer(exp)) {
        int64_t version = json_is_integer(ver) && json_integer_value(ver) >= 0 ? json_integer_value(ver) : -1;
        struct entry *e = mcp_lru_peek(tc->cache, f->instance);
        /* a token stored after this fetch started (a push, a refresh) is at least as fresh, unless versions say
           otherwise; a refresh's answer wins over anything but a higher version */
        int superseded =
            e != NULL && ((version >= 0 && e->version > version) ||
                          (!f->refresh && e->seq > f->start_seq && (version < 0 || e->version >= version)));
        int rc = superseded ? CM_ECONFLICT : mcp_token_put(tc, f->instance, token, json_integer_value(exp), version);
        if (rc == CM_OK || rc == CM_ECONFLICT) {
            if (rc == CM_ECONFLICT)
                tc->stats.superseded++;
            e = mcp_lru_peek(tc->cache, f->instance);
            r.ok = 1;
            r.access_token = e->token;
            r.expires_at = e->expires_at;
            finish(f, &r);
            return;
        }
        r.message = "token could not be stored";
    }
    tc->stats.fetch_failures++;
    r.http_status = status;
    r.code = json_string_value(json_object_get(body, "code"));
    r.authorize_url = json_string_value(json_object_get(body, "authorize_url"));
    json_t *ra = json_object_get(body, "retry_after_s"); /* the broker's Retry-After, also in the body */
    if (status == 503 && json_is_integer(ra) && json_integer_value(ra) >= 0 && json_integer_value(ra) <= 86400)
        r.retry_after_s = (long)json_integer_value(ra);
    if (r.message == NULL)
        r.message = status == 0 ? "the authorization broker is unreachable"
                    : json_string_value(json_object_get(body, "message"))
                        ? json_string_value(json_object_get(body, "message"))
                        : "the authorization broker did not return a token";
    (void)error;
    finish(f, &r);
}

/* mcp_token_cache_hits_total / mcp_token_cache_misses_total: a lookup served from memory, or not (fetched from the
 * broker, joined to a fetch in flight, or refreshed on request). */
static void count_lookup(int hit)
{
    static cm_metric_series_t *hits, *misses;
    if (hits == NULL) {
        hits = cm_metric_series(
            cm_counter("mcp_token_cache_hits_total", "Provider token lookups served from the token cache.", NULL),
            NULL);
        misses = cm_metric_series(
            cm_counter("mcp_token_cache_misses_total", "Provider token lookups that had to ask the broker.", NULL),
            NULL);
    }
    cm_metric_inc(hit ? hits : misses);
}

int mcp_token_get(mcp_token_client_t *tc, const char *instance_id, int refresh, int64_t now_s, mcp_token_cb cb,
                  void *arg, mcp_token_wait_t **wait, mcp_token_result_t *now)
{
    memset(now, 0, sizeof(*now));
    now->retry_after_s = -1;
    *wait = NULL;
    struct entry *e = refresh ? NULL : mcp_lru_get(tc->cache, instance_id);
    if (e != NULL && now_s < e->expires_at - tc->margin_s) {
        tc->stats.hits++;
        count_lookup(1);
        now->ok = 1;
        now->access_token = e->token;
        now->expires_at = e->expires_at;
        return CM_OK;
    }
    tc->stats.misses++;
    count_lookup(0);
    if (tc->broker == NULL) {
        now->message = "no authorization broker is configured";
        return CM_OK;
    }
    struct mcp_token_wait *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        now->message = "out of memory";
        return CM_OK;
    }
    w->cb = cb;
    w->arg = arg;
    struct flight *f = mcp_lru_peek(tc->flights, instance_id);
    if (f != NULL && (f->refresh || !refresh)) { /* one refresh per instance at a time; fetches share likewise */
        w->next = f->waiters;
        f->waiters = w;
        *wait = w;
        if (refresh)
            tc->stats.refreshes_joined++;
        return CM_AGAIN;
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        free(w);
        now->message = "out of memory";
        return CM_OK;
    }
    f->tc = tc;
    f->waiters = w;
    f->refresh = refresh;
    f->start_seq = tc->seq;
    snprintf(f->instance, sizeof(f->instance), "%s", instance_id);
    char path[160];
    snprintf(path, sizeof(path), MCP_BROKER_PATH_TOKEN_FMT "%s", instance_id, refresh ? "?refresh=1" : "");
    if (mcp_lru_put(tc->flights, instance_id, f) != CM_OK) {
        free(w);
        free(f);
        now->message = "out of memory";
        return CM_OK;
    }
    if (mcp_broker_call(tc->broker, "GET", path, NULL, 1, on_broker, f, NULL) != CM_AGAIN) {
        mcp_lru_take(tc->flights, instance_id);
        free(w);
        free(f);
        now->message = "the authorization broker is unreachable";
        tc->stats.fetch_failures++;
        return CM_OK;
    }
    flight_link(tc, f);
    tc->stats.fetches++;
    *wait = w;
    return CM_AGAIN;
}

int mcp_token_get_after_401(mcp_token_client_t *tc, const char *instance_id, const char *rejected, int64_t now_s,
                            mcp_token_cb cb, void *arg, mcp_token_wait_t **wait, mcp_token_result_t *now)
{
    struct entry *e = mcp_lru_peek(tc->cache, instance_id);
    if (e != NULL && rejected != NULL && strcmp(e->token, rejected) != 0 && now_s < e->expires_at) {
        /* another call (or a push) replaced the rejected token meanwhile: retry with that one */
        memset(now, 0, sizeof(*now));
        now->retry_after_s = -1;
        *wait = NULL;
        tc->stats.retried_cached++;
        now->ok = 1;
        now->access_token = e->token;
        now->expires_at = e->expires_at;
        return CM_OK;
    }
    if (e != NULL && (rejected == NULL || strcmp(e->token, rejected) == 0))
        mcp_token_invalidate(tc, instance_id);
    return mcp_token_get(tc, instance_id, 1, now_s, cb, arg, wait, now);
}

void mcp_token_cancel(mcp_token_wait_t *w)
{
    if (w != NULL)
        w->cancelled = 1;
}

void mcp_token_get_stats(const mcp_token_client_t *tc, mcp_token_stats_t *out)
{
    *out = tc->stats;
    out->entries = mcp_lru_size(tc->cache);
    out->capacity = mcp_lru_capacity(tc->cache);
}
