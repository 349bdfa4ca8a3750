/* auth_internal.h (private to auth*.c) - the instance-auth cache's entries, shared by the broker-call side (auth.c)
 * and the entry bookkeeping (auth_entry.c). Loop-thread only. */
#ifndef MCP_AUTH_INTERNAL_H
#define MCP_AUTH_INTERNAL_H

#include "tokens/auth.h"
#include "tokens/revoked.h"
#include "util/lru.h"

#include <stdint.h>

/* A credential the broker confirmed for the instance: the key, and the grants of the clients that use it. */
struct cred {
    uint8_t id[32];
    int used, grant, confirmed;
    int64_t confirmed_ms; /* monotonic ms of the broker's last confirmation */
    int64_t recheck_ms;   /* monotonic ms when the last background revalidation was started */
    int broker_failed;    /* the last revalidation failed for a transport reason or a broker 5xx */
};

#define MCP_AUTH_CREDS 4

struct entry {
    struct cred creds[MCP_AUTH_CREDS]; /* the least recently confirmed one is replaced by a new credential */
    int64_t status_ms;                 /* monotonic ms when status was learned (broker answer or push) */
    int64_t expires_at;                /* unix s after which the instance counts as expired; 0 = none */
    int64_t version;                   /* highest broker version seen for the instance; -1 = none */
    char status[16];                   /* "" = unknown */
    int st;                            /* status as a cm_inst_status_t; -1 when unknown or not a known name */
    char *authorize_url;               /* may be NULL */
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
    mcp_revoked_t *revoked;   /* grants the broker pushed as revoked */
    size_t inflight;
};

void mcp__auth_entry_free(void *p);
/* The instance's entry (created when create and absent; NULL when absent or out of memory). Borrowed. */
struct entry *mcp__auth_entry_get(mcp_auth_t *a, const char *instance, int create);
/* The slot of credential id in e (e may be NULL), or NULL. */
struct cred *mcp__auth_cred_find(struct entry *e, const uint8_t id[32]);
/* The slot of id, else a free one, else the least recently confirmed one (reset for id). */
struct cred *mcp__auth_cred_claim(struct entry *e, const uint8_t id[32], int grant);
void mcp__auth_creds_unconfirm(struct entry *e);
/* When the status the credential is served with was learned (see auth_entry.c). */
int64_t mcp__auth_learned_ms(const struct entry *e, const struct cred *c);
void mcp__auth_set_url(struct entry *e, const char *url);
void mcp__auth_entry_status(struct entry *e, const char *status);
/* The decision for a known status (an elapsed expires_at counts as expired). */
void mcp__auth_outcome(const struct entry *e, int64_t now_s, mcp_auth_outcome_t *o);
/* The cache id of a grant (grant_id at most 64 characters). */
void mcp__auth_grant_hash(const char *grant_id, uint8_t out[32]);

#endif
