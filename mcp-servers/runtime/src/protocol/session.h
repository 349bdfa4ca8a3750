/*
 * session.h - legacy-era (2025-11-25 and older) HTTP sessions: Mcp-Session-Id bookkeeping.
 *
 * A session is created by `initialize` and bound to the instance it was created on and to the credential that
 * created it (a grant of the instance, or its key): the same id presented on another instance, or with another
 * credential of the same instance, is unknown (404), so one client of an instance cannot ride another's session.
 * Sessions expire after idle_ms without use (default 30 minutes). Caps: max_per_instance and max_total; creating a
 * session beyond a cap evicts the least recently used session of that instance (resp. of the whole table), whose client
 * then gets 404 and re-initializes as the spec prescribes. Sessions never authenticate anything: every request is
 * authorized on its own.
 *
 * Session ids are 32 random bytes as 64 lowercase hex characters (visible ASCII, as required).
 * Loop-thread only.
 */
#ifndef MCP_SESSION_H
#define MCP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#define MCP_SESSION_ID_LEN 64
/* Room for a credential name: "g:" + grant id (<= 64) or "k:" + the key's SHA-256 in hex. */
#define MCP_SESSION_CREDENTIAL_LEN 72

typedef struct mcp_sessions mcp_sessions_t;

typedef struct mcp_session {
    char id[MCP_SESSION_ID_LEN + 1];
    char instance_id[65];
    char credential[MCP_SESSION_CREDENTIAL_LEN]; /* names, never holds, the secret; "" without authentication */
    char protocol_version[16];
    char client_name[64];
    int initialized;            /* notifications/initialized received */
    int log_level;              /* MCP_LOG_* threshold set by logging/setLevel; -1 = not set (no log notifications) */
    unsigned client_input_caps; /* bit (1 << mcp_input_kind_t) per input capability the client declared at initialize */
    int64_t created_ms;
    int64_t last_used_ms;
    void *transport; /* the transport's stream state (freed through the drop hook); NULL when none */
} mcp_session_t;

typedef struct mcp_sessions_stats {
    size_t active;
    uint64_t created, expired, evicted, deleted;
} mcp_sessions_stats_t;

/* 0 for any limit selects the default: idle 30 min, 100 per instance, 10000 total. Caller owns the table. */
mcp_sessions_t *mcp_sessions_new(int64_t idle_ms, size_t max_per_instance, size_t max_total);
void mcp_sessions_free(mcp_sessions_t *t);
/* fn(arg, session) runs before any session is removed (expiry, eviction, DELETE, mcp_sessions_free): the transport
 * releases what it hung on session->transport. */
void mcp_sessions_set_drop_hook(mcp_sessions_t *t, void (*fn)(void *arg, mcp_session_t *session), void *arg);

/*
 * Creates a session for instance_id (<= 64 chars) and credential (a name of the credential that authenticated the
 * request, < MCP_SESSION_CREDENTIAL_LEN chars; NULL or "" = none) negotiated at protocol_version. Returns CM_OK and
 * *out (borrowed: valid until the session is deleted, expires or is evicted), CM_EINVAL for a bad instance id or
 * credential, CM_ENOMEM, or CM_EIO when no random bytes could be had.
 */
int mcp_sessions_create(mcp_sessions_t *t, const char *instance_id, const char *credential,
                        const char *protocol_version, int64_t now_ms, mcp_session_t **out);
/*
 * The live session with this id on this instance created with this credential (NULL = ""), marked used at now_ms;
 * NULL when unknown, expired (then removed) or bound to another instance or credential. Borrowed.
 */
mcp_session_t *mcp_sessions_lookup(mcp_sessions_t *t, const char *id, const char *instance_id, const char *credential,
                                   int64_t now_ms);
/* The live session with this id, whatever its instance (server-initiated messages); not marked used. Borrowed. */
mcp_session_t *mcp_sessions_peek(mcp_sessions_t *t, const char *id);
/* Ends a session (HTTP DELETE). CM_OK or CM_ENOTFOUND (unknown, or another instance's or credential's). */
int mcp_sessions_delete(mcp_sessions_t *t, const char *id, const char *instance_id, const char *credential);
/* Ends every session of an instance (e.g. its access was revoked). Returns how many. */
size_t mcp_sessions_delete_instance(mcp_sessions_t *t, const char *instance_id);
/* Removes sessions idle for longer than the timeout. Returns how many. Cost: O(expired). */
size_t mcp_sessions_sweep(mcp_sessions_t *t, int64_t now_ms);
size_t mcp_sessions_count(const mcp_sessions_t *t);
size_t mcp_sessions_count_instance(const mcp_sessions_t *t, const char *instance_id);
void mcp_sessions_get_stats(const mcp_sessions_t *t, mcp_sessions_stats_t *out);
int64_t mcp_sessions_idle_ms(const mcp_sessions_t *t);

#endif
