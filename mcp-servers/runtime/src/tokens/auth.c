/*
 * auth.c - instance authentication with a broker-backed cache (see auth.h, broker_api.h section 1).
 */
#include "tokens/auth_internal.h"
#include "tokens/broker.h"
#include "common/crypto.h"
#include "common/status.h"
#include "tokens/broker_api.h"
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

/* What a request presents: a key (id = SHA-256 of it) or a grant of a verified access token (id = SHA-256 of
 * "grant:" and the grant id, gid the id the broker is asked about). */
struct credential {
    uint8_t id[32];
    const char *gid; /* NULL for a key */
};

/* One broker call in flight for (instance, credential); waiters share it. */
struct flight {
    mcp_auth_t *a;
    char instance[65];
    char key[65 + 1 + 64]; /* "<instance>:<hex id>" in a->flights */
    uint8_t id[32];
    int grant;
    char gid[65];
    int64_t asked_ms; /* the caller's clock when the call started: the stale-if-error bound is judged at it */
    struct mcp_auth_wait *waiters;
};

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
    a->entries = mcp_lru_new(capacity > 0 ? capacity : 10000, mcp__auth_entry_free);
    a->flights = mcp_lru_new(0, NULL);
    a->revoked = mcp_revoked_new(0, 0);
    if (a->entries == NULL || a->flights == NULL || a->revoked == NULL) {
        mcp_lru_free(a->entries);
        mcp_lru_free(a->flights);
        mcp_revoked_free(a->revoked);
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
    mcp_revoked_free(a->revoked);
    free(a);
}

/* Stale-if-error: an ACTIVE status of the key hash, learned less than stale_ms ago, may still be served while the
 * broker cannot answer (transport error, timeout, 5xx), so that a broker restart does not stop every MCP server.
 * Only for the key the broker last confirmed, and never for a status that is not active. */
static int stale_usable(const mcp_auth_t *a, const struct entry *e, const struct cred *c, int64_t now_ms)
{
    return a->stale_ms > 0 && e != NULL && c != NULL && c->confirmed && now_ms - c->confirmed_ms < a->ttl_ms &&
           e->st == CM_INST_ACTIVE && now_ms - mcp__auth_learned_ms(e, c) < a->stale_ms;
}

/* Fills *o from the stale status and counts the answer. */
static void serve_stale(mcp_auth_t *a, const struct entry *e, int64_t now_ms, mcp_auth_outcome_t *o)
{
    mcp__auth_outcome(e, mcp__unix_now(), o);
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
    mcp__auth_outcome(e, mcp__unix_now(), &o);
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
        struct entry *e = mcp__auth_entry_get(a, f->instance, 1);
        if (e == NULL) {
            o.result = MCP_AUTHZ_UNAVAILABLE;
            o.message = "out of memory";
            finish_flight(f, &o);
            return;
        }
        if (f->grant && mcp_revoked_has(a->revoked, f->instance, f->gid, mcp__now_ms())) {
            /* the revocation was pushed while this call was in flight: the push wins */
            o.result = MCP_AUTHZ_BAD_KEY;
            o.message = "The access token's grant was revoked.";
            finish_flight(f, &o);
            return;
        }
        struct cred *c = mcp__auth_cred_claim(e, f->id, f->grant);
        c->confirmed = 1;
        c->broker_failed = 0;
        c->confirmed_ms = mcp__now_ms();
        json_t *ver = json_object_get(body, "version"), *exp = json_object_get(body, "expires_at");
        /* a push newer than this answer (higher version) arrived while it was in flight: keep the push's status */
        if (!json_is_integer(ver) || json_integer_value(ver) >= e->version) {
            if (json_is_integer(ver))
                e->version = json_integer_value(ver);
            mcp__auth_entry_status(e, json_string_value(json_object_get(body, "status")));
            mcp__auth_set_url(e, json_string_value(json_object_get(body, "authorize_url")));
            e->expires_at = json_is_integer(exp) && json_integer_value(exp) > 0 ? json_integer_value(exp) : 0;
            e->status_ms = c->confirmed_ms;
        }
        mcp__auth_outcome(e, mcp__unix_now(), &o);
        finish_flight(f, &o);
        return;
    }
    struct entry *e = mcp__auth_entry_get(a, f->instance, 0);
    struct cred *c = mcp__auth_cred_find(e, f->id);
    if (status == 401 && code != NULL &&
        strcmp(code, f->grant ? MCP_BROKER_ERR_INVALID_GRANT : MCP_BROKER_ERR_INVALID_KEY) == 0) {
        o.result = MCP_AUTHZ_BAD_KEY;
        o.message = f->grant ? "The access token's grant is revoked or unknown."
                             : "The access key is not valid for this instance.";
        if (c != NULL)
            c->confirmed = 0; /* replaced or revoked: a revalidation must not leave the old one served */
    } else if (status == 404) {
        o.result = MCP_AUTHZ_NOT_FOUND;
        o.message = "Unknown instance.";
        if (e != NULL) { /* deleted at the broker: nothing cached may be served any more; the version stays */
            mcp__auth_creds_unconfirm(e);
            mcp__auth_entry_status(e, NULL);
        }
    } else {
        o.result = MCP_AUTHZ_UNAVAILABLE;
        o.message = transient_failure(status) ? "The authorization broker is unreachable; try again shortly."
                                              : "The authorization broker refused this server's credentials.";
        (void)error;
        if (c != NULL) {
            c->broker_failed = transient_failure(status);
            if (!c->broker_failed) /* refused (e.g. this server's credentials): nothing cached may outlive that */
                c->confirmed = 0;
        }
        if (transient_failure(status) && stale_usable(a, e, c, f->asked_ms)) {
            finish_stale(f, e, f->asked_ms);
            return;
        }
    }
    finish_flight(f, &o);
}

static void flight_key(const char *instance_id, const uint8_t id[32], char fkey[65 + 1 + 64])
{
    char hex[65];
    cm_hex_encode(id, 32, hex, sizeof(hex));
    snprintf(fkey, 65 + 1 + 64, "%s:%s", instance_id, hex);
}

/* Starts the broker call for (instance, credential), waiters to be added by the caller. Returns CM_AGAIN with *out,
 * or CM_ENOMEM / CM_EIO (broker unreachable) with nothing started. */
static int start_flight(mcp_auth_t *a, const char *instance_id, const struct credential *cr, int64_t now_ms,
                        struct flight **out)
{
    char path[160], hex[65], fkey[65 + 1 + 64];
    flight_key(instance_id, cr->id, fkey);
    struct flight *f = calloc(1, sizeof(*f));
    if (f == NULL || mcp_lru_put(a->flights, fkey, f) != CM_OK) {
        free(f);
        return CM_ENOMEM;
    }
    f->a = a;
    snprintf(f->instance, sizeof(f->instance), "%s", instance_id);
    snprintf(f->key, sizeof(f->key), "%s", fkey);
    memcpy(f->id, cr->id, 32);
    f->grant = cr->gid != NULL;
    snprintf(f->gid, sizeof(f->gid), "%s", cr->gid ? cr->gid : "");
    f->asked_ms = now_ms;
    snprintf(path, sizeof(path), MCP_BROKER_PATH_AUTH_FMT, instance_id);
    json_t *body;
    if (f->grant) {
        body = json_pack("{s:s}", "grant_id", cr->gid);
    } else {
        cm_hex_encode(cr->id, 32, hex, sizeof(hex));
        body = json_pack("{s:s}", "key_sha256", hex);
    }
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

/* A served status past its revalidation age: ask the broker in the background (one call per instance and
 * credential at a time, at most one start per recheck_after_ms even when calls fail), so that a change the push did
 * not bring is seen a round trip later, while requests are answered from the cache without waiting. */
static void maybe_recheck(mcp_auth_t *a, const char *instance_id, const struct entry *e, struct cred *c,
                          const struct credential *cr, int64_t now_ms)
{
    char fkey[65 + 1 + 64];
    struct flight *f;
    if (a->broker == NULL || now_ms - mcp__auth_learned_ms(e, c) < a->recheck_after_ms ||
        now_ms - c->recheck_ms < a->recheck_after_ms)
        return;
    flight_key(instance_id, cr->id, fkey);
    if (mcp_lru_peek(a->flights, fkey) != NULL)
        return;
    c->recheck_ms = now_ms;
    (void)start_flight(a, instance_id, cr, now_ms, &f);
}

static int check_credential(mcp_auth_t *a, const char *instance_id, const struct credential *cr, int64_t now_ms,
                            mcp_auth_cb cb, void *arg, mcp_auth_wait_t **wait, mcp_auth_outcome_t *now)
{
    struct entry *e = mcp__auth_entry_get(a, instance_id, 0);
    struct cred *c = mcp__auth_cred_find(e, cr->id);
    /* status checked on every request, cache hit or not: expires_at locally; a status past its revalidation age
       is served while the broker is asked in the background, one past status_ttl is not served: the request
       waits for the broker (asked with the credential, in the same call) */
    if (c != NULL && c->confirmed && now_ms - c->confirmed_ms < a->ttl_ms && e->status[0] != '\0' &&
        now_ms - mcp__auth_learned_ms(e, c) < a->status_ttl_ms) {
        maybe_recheck(a, instance_id, e, c, cr, now_ms);
        mcp__auth_outcome(e, mcp__unix_now(), now);
        return CM_OK;
    }
    if (a->broker == NULL) {
        now->result = MCP_AUTHZ_UNAVAILABLE;
        now->message = "No authorization broker is configured.";
        return CM_OK;
    }
    /* past the lifetime, and the broker failed the last time it was asked: answer from the stale status without
       waiting, the broker being asked again at most once per recheck interval */
    if (c != NULL && c->broker_failed && stale_usable(a, e, c, now_ms)) {
        maybe_recheck(a, instance_id, e, c, cr, now_ms);
        serve_stale(a, e, now_ms, now);
        return CM_OK;
    }
    char fkey[65 + 1 + 64];
    flight_key(instance_id, cr->id, fkey);
    struct mcp_auth_wait *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        now->result = MCP_AUTHZ_UNAVAILABLE;
        now->message = "out of memory";
        return CM_OK;
    }
    w->cb = cb;
    w->arg = arg;
    struct flight *f = mcp_lru_peek(a->flights, fkey);
    if (f == NULL) { /* else the same (instance, credential) is being checked already: wait for that answer */
        int rc = start_flight(a, instance_id, cr, now_ms, &f);
        if (rc == CM_EIO && stale_usable(a, e, c, now_ms)) {
            free(w);
            c->broker_failed = 1;
            c->recheck_ms = now_ms;
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
    if (c != NULL)
        c->recheck_ms = now_ms; /* a waited-for call counts as this interval's attempt too */
    w->f = f;
    w->next = f->waiters;
    f->waiters = w;
    *wait = w;
    return CM_AGAIN;
}

int mcp_auth_check(mcp_auth_t *a, const char *instance_id, const char *key, size_t keylen, int64_t now_ms,
                   mcp_auth_cb cb, void *arg, mcp_auth_wait_t **wait, mcp_auth_outcome_t *now)
{
    memset(now, 0, sizeof(*now));
    *wait = NULL;
    if (key == NULL || keylen == 0) {
        now->result = MCP_AUTHZ_MISSING;
        now->message = "Authorization: Bearer <access token or instance access key> is required.";
        return CM_OK;
    }
    if (keylen > 512) {
        now->result = MCP_AUTHZ_BAD_KEY;
        now->message = "The access key is not valid for this instance.";
        return CM_OK;
    }
    struct credential cr = {.gid = NULL};
    SHA256((const unsigned char *)key, keylen, cr.id);
    return check_credential(a, instance_id, &cr, now_ms, cb, arg, wait, now);
}

int mcp_auth_check_grant(mcp_auth_t *a, const char *instance_id, const char *grant_id, int64_t now_ms, mcp_auth_cb cb,
                         void *arg, mcp_auth_wait_t **wait, mcp_auth_outcome_t *now)
{
    memset(now, 0, sizeof(*now));
    *wait = NULL;
    if (grant_id == NULL || grant_id[0] == '\0' || strlen(grant_id) > 64 ||
        mcp_revoked_has(a->revoked, instance_id, grant_id, now_ms)) {
        now->result = MCP_AUTHZ_BAD_KEY;
        now->message = "The access token's grant was revoked.";
        return CM_OK;
    }
    struct credential cr = {.gid = grant_id};
    mcp__auth_grant_hash(grant_id, cr.id);
    return check_credential(a, instance_id, &cr, now_ms, cb, arg, wait, now);
}

void mcp_auth_cancel(mcp_auth_wait_t *w)
{
    if (w != NULL)
        w->cancelled = 1; /* freed when the broker call completes (bounded by its timeout) */
}
