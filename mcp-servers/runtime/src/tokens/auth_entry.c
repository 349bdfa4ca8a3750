/*
 * auth_entry.c - the entries of the instance-auth cache: per instance its status, version and expiry, and the
 * credentials the broker confirmed for it (see auth.h); the revoked grants; the read side of the cache.
 */
#include "tokens/auth_internal.h"
#include "tokens/versions.h"
#include "common/status.h"
#include "util/clock.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mcp__auth_entry_free(void *p)
{
    struct entry *e = p;
    free(e->authorize_url);
    free(e);
}

struct cred *mcp__auth_cred_find(struct entry *e, const uint8_t id[32])
{
    for (int i = 0; e != NULL && i < MCP_AUTH_CREDS; i++)
        if (e->creds[i].used && CRYPTO_memcmp(e->creds[i].id, id, 32) == 0)
            return &e->creds[i];
    return NULL;
}

/* The slot of id, else a free one, else the least recently confirmed one (reset). */
struct cred *mcp__auth_cred_claim(struct entry *e, const uint8_t id[32], int grant)
{
    struct cred *c = mcp__auth_cred_find(e, id);
    if (c != NULL)
        return c;
    c = &e->creds[0];
    for (int i = 0; i < MCP_AUTH_CREDS; i++) {
        struct cred *x = &e->creds[i];
        if (!x->used) {
            c = x;
            break;
        }
        if (!x->confirmed || (c->confirmed && x->confirmed_ms < c->confirmed_ms))
            c = x;
    }
    memset(c, 0, sizeof(*c));
    memcpy(c->id, id, 32);
    c->used = 1;
    c->grant = grant;
    return c;
}

void mcp__auth_creds_unconfirm(struct entry *e)
{
    for (int i = 0; i < MCP_AUTH_CREDS; i++)
        e->creds[i].confirmed = 0;
}

/* When the status the credential is served with was learned: a grant is confirmed by the same broker answer as the
 * status, so a status pushed (or answered for another credential) does not refresh it; a key is trusted for ttl. */
int64_t mcp__auth_learned_ms(const struct entry *e, const struct cred *c)
{
    return c->grant && c->confirmed_ms < e->status_ms ? c->confirmed_ms : e->status_ms;
}

static void on_evicted(void *arg, const char *instance, void *value)
{
    mcp_versions_note(arg, instance, ((const struct entry *)value)->version);
}

void mcp_auth_keep_versions(mcp_auth_t *a, struct mcp_versions *v)
{
    mcp_lru_on_evict(a->entries, v != NULL ? on_evicted : NULL, v);
}

struct entry *mcp__auth_entry_get(mcp_auth_t *a, const char *instance, int create)
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

void mcp__auth_set_url(struct entry *e, const char *url)
{
    free(e->authorize_url);
    e->authorize_url = url ? strdup(url) : NULL;
}

void mcp__auth_entry_status(struct entry *e, const char *status)
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
void mcp__auth_outcome(const struct entry *e, int64_t now_s, mcp_auth_outcome_t *o)
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

/* The cache id of a grant: a key hash can never equal it (another input domain). grant_id at most 64 chars. */
void mcp__auth_grant_hash(const char *grant_id, uint8_t out[32])
{
    char buf[6 + 64];
    size_t n = strlen(grant_id);
    if (n > 64)
        n = 64;
    memcpy(buf, "grant:", 6);
    memcpy(buf + 6, grant_id, n);
    SHA256((const unsigned char *)buf, 6 + n, out);
}

void mcp_auth_revoke_grant(mcp_auth_t *a, const char *instance_id, const char *grant_id, int64_t now_ms)
{
    if (grant_id == NULL || strlen(grant_id) > 64)
        return;
    (void)mcp_revoked_add(a->revoked, instance_id, grant_id, now_ms);
    uint8_t id[32];
    mcp__auth_grant_hash(grant_id, id);
    struct cred *c = mcp__auth_cred_find(mcp_lru_peek(a->entries, instance_id), id);
    if (c != NULL)
        c->confirmed = 0;
}

size_t mcp_auth_revoked_count(const mcp_auth_t *a)
{
    return mcp_revoked_count(a->revoked);
}

int64_t mcp_auth_version(mcp_auth_t *a, const char *instance_id)
{
    struct entry *e = mcp_lru_peek(a->entries, instance_id);
    return e != NULL ? e->version : -1;
}

void mcp_auth_note_version(mcp_auth_t *a, const char *instance_id, int64_t version)
{
    struct entry *e = version >= 0 ? mcp__auth_entry_get(a, instance_id, 1) : NULL;
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
        mcp__auth_creds_unconfirm(e);
        mcp__auth_entry_status(e, NULL);
        e->expires_at = 0;
        mcp__auth_set_url(e, NULL);
        if (version > e->version)
            e->version = version;
        return;
    }
    struct entry *e = mcp__auth_entry_get(a, instance_id, 1);
    if (e == NULL)
        return;
    mcp__auth_entry_status(e, status);
    e->status_ms = mcp__now_ms();
    if (version > e->version)
        e->version = version;
    if (authorize_url != NULL)
        mcp__auth_set_url(e, authorize_url);
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
