/*
 * auth.c - instance authentication with a broker-backed cache (see auth.h, broker_api.h section 1).
 */
#include "tokens/auth.h"
#include "tokens/broker.h"
#include "common/crypto.h"
#include "common/status.h"
#include "tokens/broker_api.h"
#include "util/lru.h"
#include "util/clock.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcp_auth_wait {
    struct flight *f;
    mcp_auth_cb cb;
    void *arg;
    struct mcp_auth_wait *next;
    int cancelled;
};

/* One broker call in flight for (instance, key hash); waiters share it. */
struct flight {
    mcp_auth_t *a;
    char instance[65];
    char key[65 + 1 + 64]; /* "<instance>:<hex hash>" in a->flights */
    uint8_t hash[32];
    int64_t asked_ms; /* the caller's clock when the call started: the stale-if-error bound is judged at it */
    struct mcp_auth_wait *waiters;
};

struct entry {
    uint8_t hash[32]; /* the confirmed key hash; all zero = none confirmed */
    int confirmed;
    int64_t confirmed_ms; /* monotonic ms of the broker's confirmation of hash */
    int64_t status_ms;    /* monotonic ms when status was learned (broker answer or push) */
    int64_t recheck_ms;   /* monotonic ms when the last background revalidation was started */
    int64_t expires_at;   /* unix s after which the instance counts as expired; 0 = none */
    int64_t version;      /* highest broker version seen for the instance; -1 = none */
    int broker_failed;    /* the last revalidation of hash failed for a transport reason or a broker 5xx */
    char status[16];      /* "" = unknown */
    int st;               /* status as a cm_inst_status_t; -1 when unknown or not a known name */
    char *authorize_url;  /* may be NULL */
};

struct mcp_auth {
    mcp_broker_t *broker;
    int64_t ttl_ms;           /* key-hash confirmation lifetime */
    int64_t status_ttl_ms;    /* status lifetime: older -> the request waits for the broker's answer */
    int64_t recheck_after_ms; /* a status older than this is revalidated in the background while still served */
    int64_t stale_ms;         /* stale-if-error bound after the status was learned; 0 = off */
    uint64_t stale_served;    /* requests answered from a status past its lifetime because the broker failed */
    int64_t stale_last_ms;    /* monotonic ms of the last such answer; 0 = none */
    mcp_lru_t *entries;       /* instance -> struct entry */
    mcp_lru_t *flights;       /* "<instance>:<hash>" -> struct flight (not owned) */
    size_t inflight;
};

static void entry_free(void *p)
{
    struct entry *e = p;
    free(e->authorize_url);
    free(e);
}

mcp_auth_t *mcp_auth_new(mcp_broker_t *broker, int ttl_s, int status_ttl_s, int recheck_ms, int stale_if_error_s,
                         size_t capacity)
{
    mcp_auth_t *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    a->broker = broker;
    a->ttl_ms = (int64_t)(ttl_s > 0 ? ttl_s : 300) * 1000;
    a->status_ttl_ms = (int64_t)(status_ttl_s > 0 ? status_ttl_s : MCP_AUTH_STATUS_TTL_S_DEFAULT) * 1000;
    if (a->status_ttl_ms > a->ttl_ms)
        a->status_ttl_ms = a->ttl_ms;
    a->recheck_after_ms = recheck_ms > 0 ? recheck_ms : MCP_AUTH_RECHECK_MS_DEFAULT;
    if (a->recheck_after_ms > a->status_ttl_ms)
        a->recheck_after_ms = a->status_ttl_ms;
    a->stale_ms = (int64_t)(stale_if_error_s > 0 ? stale_if_error_s : 0) * 1000;
    a->entries = mcp_lru_new(capacity > 0 ? capacity : 10000, entry_free);
    a->flights = mcp_lru_new(0, NULL);
    if (a->entries == NULL || a->flights == NULL) {
        mcp_lru_free(a->entries);
        mcp_lru_free(a->flights);
        free(a);
        return NULL;
    }
    return a;
}

static int orphan_flight(void *arg, const char *key, void *value)
{
    ((struct flight *)value)->a = NULL; /* the broker callback only frees it */
    return 0;
}

void mcp_auth_free(mcp_auth_t *a)
{
    if (a == NULL)
        return;
    mcp_lru_foreach(a->flights, orphan_flight, NULL);
    mcp_lru_free(a->flights);
    mcp_lru_free(a->entries);
    free(a);
}

static struct entry *entry_get(mcp_auth_t *a, const char *instance, int create)
{
    struct entry *e = mcp_lru_get(a->entries, instance);
    if (e == NULL && create) {
        e = calloc(1, sizeof(*e));
        if (e == NULL || mcp_lru_put(a->entries, instance, e) != CM_OK) {
            free(e);
            return NULL;
        }
        e->version = -1;
        e->st = -1;
    }
    return e;
}

static void set_url(struct entry *e, const char *url)
{
    free(e->authorize_url);
    e->authorize_url = url ? strdup(url) : NULL;
}

static void set_status(struct entry *e, const char *status)
{
    size_t n = status ? strlen(status) : 0;
    if (n >= sizeof(e->status))
        n = sizeof(e->status) - 1;
    memcpy(e->status, status ? status : "", n);
    e->status[n] = '\0';
    cm_inst_status_t st;
    e->st = status != NULL && cm_inst_status_parse(status, &st) == CM_OK ? (int)st : -1;
}

int mcp_auth_status_is(const char *status, cm_inst_status_t want)
{
    cm_inst_status_t st;
    return status != NULL && cm_inst_status_parse(status, &st) == CM_OK && st == want;
}

/* The decision for a known status; an elapsed expires_at counts as "expired" whatever the cached status says. */
static void outcome_from_entry(const struct entry *e, int64_t now_s, mcp_auth_outcome_t *o)
{
    memset(o, 0, sizeof(*o));
    o->status = e->status[0] ? e->status : NULL;
    o->authorize_url = e->authorize_url;
    int expired = e->expires_at > 0 && now_s >= e->expires_at;
    if (expired)
        o->status = "expired";
    if (!expired && e->st == CM_INST_ACTIVE) {
        o->result = MCP_AUTHZ_OK;
        return;
    }
    o->result = MCP_AUTHZ_INACTIVE;
    if (expired || e->st == CM_INST_EXPIRED)
        o->message = "This instance's authorization has expired. Re-authorize it at the authorize_url, then retry.";
    else if (e->st == CM_INST_NEEDS_REAUTH)
        o->message = "This instance needs to be re-authorized with the provider. Open the authorize_url, then retry.";
    else
        o->message = "This instance is not active. Re-activate or re-authorize it at the authorize_url.";
}

/* Stale-if-error: an ACTIVE status of the key hash, learned less than stale_ms ago, may still be served while the
 * broker cannot answer (transport error, timeout, 5xx), so that a broker restart does not stop every MCP server.
 * Only for the key the broker last confirmed, and never for a status that is not active. */
static int stale_usable(const mcp_auth_t *a, const struct entry *e, const uint8_t hash[32], int64_t now_ms)
{
    return a->stale_ms > 0 && e != NULL && e->confirmed && now_ms - e->confirmed_ms < a->ttl_ms &&
           CRYPTO_memcmp(hash, e->hash, 32) == 0 && e->st == CM_INST_ACTIVE && now_ms - e->status_ms < a->stale_ms;
}

/* Fills *o from the stale status and counts the answer. */
static void serve_stale(mcp_auth_t *a, const struct entry *e, int64_t now_ms, mcp_auth_outcome_t *o)
{
    outcome_from_entry(e, mcp__unix_now(), o);
    a->stale_served++;
    a->stale_last_ms = now_ms;
}

/* A broker failure that says nothing about the instance: not reachable, timed out, or a 5xx. */
static int transient_failure(int status)
{
    return status == 0 || status >= 500;
}

static void finish_flight(struct flight *f, const mcp_auth_outcome_t *o)
{
    struct mcp_auth_wait *w = f->waiters;
    f->a->inflight--;
    mcp_lru_take(f->a->flights, f->key);
    while (w != NULL) {
        struct mcp_auth_wait *next = w->next;
        if (!w->cancelled)
            w->cb(w->arg, o);
        free(w);
        w = next;
    }
    free(f);
}

/* The broker failed while requests waited: each gets the stale status (counted per request). */
static void finish_stale(struct flight *f, const struct entry *e, int64_t now_ms)
{
    mcp_auth_t *a = f->a;
    mcp_auth_outcome_t o;
    outcome_from_entry(e, mcp__unix_now(), &o);
    for (const struct mcp_auth_wait *w = f->waiters; w != NULL; w = w->next)
        if (!w->cancelled) {
            a->stale_served++;
            a->stale_last_ms = now_ms;
        }
    finish_flight(f, &o);
}

static void on_broker(void *arg, int status, json_t *body, const char *error)
{
    struct flight *f = arg;
    mcp_auth_t *a = f->a;
    mcp_auth_outcome_t o = {0};
    if (a == NULL) { /* the auth cache was freed meanwhile */
        struct mcp_auth_wait *w = f->waiters;
        while (w != NULL) {
            struct mcp_auth_wait *next = w->next;
            free(w);
            w = next;
        }
        free(f);
        return;
    }
    const char *code = json_string_value(json_object_get(body, "code"));
    if (status == 200 && json_is_string(json_object_get(body, "status"))) {
        struct entry *e = entry_get(a, f->instance, 1);
        if (e == NULL) {
            o.result = MCP_AUTHZ_UNAVAILABLE;
            o.message = "out of memory";
            finish_flight(f, &o);
            return;
        }
        memcpy(e->hash, f->hash, 32);
        e->confirmed = 1;
        e->broker_failed = 0;
        e->confirmed_ms = mcp__now_ms();
        json_t *ver = json_object_get(body, "version"), *exp = json_object_get(body, "expires_at");
        /* a push newer than this answer (higher version) arrived while it was in flight: keep the push's status */
        if (!json_is_integer(ver) || json_integer_value(ver) >= e->version) {
            if (json_is_integer(ver))
                e->version = json_integer_value(ver);
            set_status(e, json_string_value(json_object_get(body, "status")));
            set_url(e, json_string_value(json_object_get(body, "authorize_url")));
            e->expires_at = json_is_integer(exp) && json_integer_value(exp) > 0 ? json_integer_value(exp) : 0;
            e->status_ms = e->confirmed_ms;
        }
        outcome_from_entry(e, mcp__unix_now(), &o);
        finish_flight(f, &o);
        return;
    }
    if (status == 401 && code != NULL && strcmp(code, MCP_BROKER_ERR_INVALID_KEY) == 0) {
        o.result = MCP_AUTHZ_BAD_KEY;
        o.message = "The access key is not valid for this instance.";
        struct entry *e = entry_get(a, f->instance, 0);
        if (e != NULL && CRYPTO_memcmp(e->hash, f->hash, 32) == 0)
            e->confirmed = 0; /* the key was replaced: a revalidation must not leave the old one served */
    } else if (status == 404) {
        o.result = MCP_AUTHZ_NOT_FOUND;
        o.message = "Unknown instance.";
        struct entry *e = entry_get(a, f->instance, 0);
        if (e != NULL) { /* deleted at the broker: nothing cached may be served any more; the version stays */
            e->confirmed = 0;
            set_status(e, NULL);
        }
    } else {
        o.result = MCP_AUTHZ_UNAVAILABLE;
        o.message = transient_failure(status) ? "The authorization broker is unreachable; try again shortly."
                                              : "The authorization broker refused this server's credentials.";
        (void)error;
        struct entry *e = entry_get(a, f->instance, 0);
        if (e != NULL && CRYPTO_memcmp(e->hash, f->hash, 32) == 0) {
            e->broker_failed = transient_failure(status);
            if (!e->broker_failed) /* refused (e.g. this server's credentials): nothing cached may outlive that */
                e->confirmed = 0;
        }
        if (transient_failure(status) && stale_usable(a, e, f->hash, f->asked_ms)) {
            finish_stale(f, e, f->asked_ms);
            return;
        }
    }
    finish_flight(f, &o);
}

/* Starts the broker call for (instance, hash), waiters to be added by the caller. Returns CM_AGAIN with *out, or
 * CM_ENOMEM / CM_EIO (broker unreachable) with nothing started. */
static int start_flight(mcp_auth_t *a, const char *instance_id, const uint8_t hash[32], const char *fkey,
                        int64_t now_ms, struct flight **out)
{
    char path[160], hex[65];
    struct flight *f = calloc(1, sizeof(*f));
    if (f == NULL || mcp_lru_put(a->flights, fkey, f) != CM_OK) {
        free(f);
        return CM_ENOMEM;
    }
    f->a = a;
    snprintf(f->instance, sizeof(f->instance), "%s", instance_id);
    snprintf(f->key, sizeof(f->key), "%s", fkey);
    memcpy(f->hash, hash, 32);
    f->asked_ms = now_ms;
    cm_hex_encode(hash, 32, hex, sizeof(hex));
    snprintf(path, sizeof(path), MCP_BROKER_PATH_AUTH_FMT, instance_id);
    json_t *body = json_pack("{s:s}", "key_sha256", hex);
    int rc = mcp_broker_call(a->broker, "POST", path, body, 1, on_broker, f, NULL);
    json_decref(body);
    if (rc != CM_AGAIN) {
        mcp_lru_take(a->flights, fkey);
        free(f);
        return CM_EIO;
    }
    a->inflight++;
    *out = f;
    return CM_AGAIN;
}

static void flight_key(const char *instance_id, const uint8_t hash[32], char fkey[65 + 1 + 64])
{
    char hex[65];
    cm_hex_encode(hash, 32, hex, sizeof(hex));
    snprintf(fkey, 65 + 1 + 64, "%s:%s", instance_id, hex);
}

/* A served status past its revalidation age: ask the broker in the background (one call per instance and key at
 * a time, at most one start per recheck_after_ms even when calls fail), so that a change the push did not bring
 * is seen a round trip later, while requests are answered from the cache without waiting. */
static void maybe_recheck(mcp_auth_t *a, const char *instance_id, struct entry *e, int64_t now_ms)
{
    char fkey[65 + 1 + 64];
    struct flight *f;
    if (a->broker == NULL || now_ms - e->status_ms < a->recheck_after_ms ||
        now_ms - e->recheck_ms < a->recheck_after_ms)
        return;
    flight_key(instance_id, e->hash, fkey);
    if (mcp_lru_peek(a->flights, fkey) != NULL)
        return;
    e->recheck_ms = now_ms;
    (void)start_flight(a, instance_id, e->hash, fkey, now_ms, &f);
}

int mcp_auth_check(mcp_auth_t *a, const char *instance_id, const char *key, size_t keylen, int64_t now_ms,
                   mcp_auth_cb cb, void *arg, mcp_auth_wait_t **wait, mcp_auth_outcome_t *now)
{
    memset(now, 0, sizeof(*now));
    *wait = NULL;
    if (key == NULL || keylen == 0) {
        now->result = MCP_AUTHZ_MISSING;
        now->message = "Authorization: Bearer <instance access key> is required.";
        return CM_OK;
    }
    if (keylen > 512) {
        now->result = MCP_AUTHZ_BAD_KEY;
        now->message = "The access key is not valid for this instance.";
        return CM_OK;
    }
    uint8_t hash[32];
    SHA256((const unsigned char *)key, keylen, hash);
    struct entry *e = entry_get(a, instance_id, 0);
    /* status checked on every request, cache hit or not: expires_at locally; a status past its revalidation age
       is served while the broker is asked in the background, one past status_ttl is not served: the request
       waits for the broker (asked with the key hash, in the same call) */
    if (e != NULL && e->confirmed && now_ms - e->confirmed_ms < a->ttl_ms && CRYPTO_memcmp(hash, e->hash, 32) == 0 &&
        e->status[0] != '\0' && now_ms - e->status_ms < a->status_ttl_ms) {
        maybe_recheck(a, instance_id, e, now_ms);
        outcome_from_entry(e, mcp__unix_now(), now);
        return CM_OK;
    }
    if (a->broker == NULL) {
        now->result = MCP_AUTHZ_UNAVAILABLE;
        now->message = "No authorization broker is configured.";
        return CM_OK;
    }
    /* past the lifetime, and the broker failed the last time it was asked: answer from the stale status without
       waiting, the broker being asked again at most once per recheck interval */
    if (e != NULL && e->broker_failed && stale_usable(a, e, hash, now_ms)) {
        maybe_recheck(a, instance_id, e, now_ms);
        serve_stale(a, e, now_ms, now);
        return CM_OK;
    }
    char fkey[65 + 1 + 64];
    flight_key(instance_id, hash, fkey);
    struct mcp_auth_wait *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        now->result = MCP_AUTHZ_UNAVAILABLE;
        now->message = "out of memory";
        return CM_OK;
    }
    w->cb = cb;
    w->arg = arg;
    struct flight *f = mcp_lru_peek(a->flights, fkey);
    if (f == NULL) { /* else the same (instance, key) is being checked already: wait for that answer */
        int rc = start_flight(a, instance_id, hash, fkey, now_ms, &f);
        if (rc == CM_EIO && stale_usable(a, e, hash, now_ms)) {
            free(w);
            e->broker_failed = 1;
            e->recheck_ms = now_ms;
            serve_stale(a, e, now_ms, now);
            return CM_OK;
        }
        if (rc != CM_AGAIN) {
            free(w);
            now->result = MCP_AUTHZ_UNAVAILABLE;
            now->message =
                rc == CM_ENOMEM ? "out of memory" : "The authorization broker is unreachable; try again shortly.";
            return CM_OK;
        }
    }
    if (e != NULL && CRYPTO_memcmp(hash, e->hash, 32) == 0)
        e->recheck_ms = now_ms; /* a waited-for call counts as this interval's attempt too */
    w->f = f;
    w->next = f->waiters;
    f->waiters = w;
    *wait = w;
    return CM_AGAIN;
}

void mcp_auth_cancel(mcp_auth_wait_t *w)
{
    if (w != NULL)
        w->cancelled = 1; /* freed when the broker call completes (bounded by its timeout) */
}

int64_t mcp_auth_version(mcp_auth_t *a, const char *instance_id)
{
    struct entry *e = mcp_lru_peek(a->entries, instance_id);
    return e != NULL ? e->version : -1;
}

void mcp_auth_note_version(mcp_auth_t *a, const char *instance_id, int64_t version)
{
    struct entry *e = version >= 0 ? entry_get(a, instance_id, 1) : NULL;
    if (e != NULL && version > e->version)
        e->version = version;
}

void mcp_auth_set_status(mcp_auth_t *a, const char *instance_id, const char *status, const char *authorize_url,
                         int64_t version)
{
    if (status == NULL || mcp_auth_status_is(status, CM_INST_DELETED)) {
        struct entry *e = version >= 0 ? mcp_lru_peek(a->entries, instance_id) : NULL;
        if (e == NULL) {
            mcp_lru_remove(a->entries, instance_id);
            return;
        }
        /* keep only the version (so that older pushes stay ignored); the next request asks the broker */
        e->confirmed = 0;
        set_status(e, NULL);
        e->expires_at = 0;
        set_url(e, NULL);
        if (version > e->version)
            e->version = version;
        return;
    }
    struct entry *e = entry_get(a, instance_id, 1);
    if (e == NULL)
        return;
    set_status(e, status);
    e->status_ms = mcp__now_ms();
    if (version > e->version)
        e->version = version;
    if (authorize_url != NULL)
        set_url(e, authorize_url);
}

const char *mcp_auth_status(mcp_auth_t *a, const char *instance_id, const char **authorize_url)
{
    struct entry *e = mcp_lru_peek(a->entries, instance_id);
    if (authorize_url)
        *authorize_url = e ? e->authorize_url : NULL;
    if (e != NULL && e->status[0] && e->expires_at > 0 && mcp__unix_now() >= e->expires_at)
        return "expired";
    return e && e->status[0] ? e->status : NULL;
}

size_t mcp_auth_cached(const mcp_auth_t *a)
{
    return mcp_lru_size(a->entries);
}

void mcp_auth_get_stale_stats(const mcp_auth_t *a, int64_t now_ms, mcp_auth_stale_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    out->last_age_ms = -1;
    if (a == NULL)
        return;
    out->bound_s = (int)(a->stale_ms / 1000);
    out->served = a->stale_served;
    out->last_age_ms = a->stale_last_ms > 0 ? now_ms - a->stale_last_ms : -1;
}
