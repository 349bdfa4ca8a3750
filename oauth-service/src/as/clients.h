/*
 * clients.h - the AS's registered clients (as_clients): dynamic (RFC 7591) and pre-registered (admin API), their
 * metadata policy (pure, tested) and their asynchronous lookup.
 *
 * Clients identified by a Client ID Metadata Document (an https client_id) are not stored here: a lookup of such
 * an id answers CM_ENOTFOUND (the CIMD cache is the caller's).
 */
#ifndef OB_AS_CLIENTS_H
#define OB_AS_CLIENTS_H

#include "core/broker.h"

#include <jansson.h>
#include <stddef.h>

#define OB_AS_CLIENT_ID_PREFIX "mcp_"
#define OB_AS_CLIENT_ID_RANDOM 32
#define OB_AS_CLIENT_SECRET_LEN 43
#define OB_AS_CLIENT_NAME_MAX 200
#define OB_AS_REGISTER_BODY_MAX (16 * 1024)

/* A stored client, as a lookup returns it (borrowed for the callback's duration). */
typedef struct ob_as_client {
    const char *client_id;
    const char *kind;        /* "dynamic" or "admin" */
    const json_t *metadata;  /* the registered metadata (redirect_uris, token_endpoint_auth_method, client_name, ...) */
    const char *secret_hash; /* lowercase hex SHA-256 of the secret, or NULL for a public client */
    int64_t created_at;      /* unix s */
} ob_as_client_t;

/* status CM_OK with c set, CM_ENOTFOUND (no such client; c NULL), or a pool error (CM_EIO, CM_ETIMEDOUT,
 * CM_EUNAVAIL, CM_ERR; c NULL). */
typedef void (*ob_as_client_cb)(void *arg, int status, const ob_as_client_t *c);

/*
 * Looks up client_id in as_clients. With touch set, the use is recorded in the same statement (last_used_at, and a
 * dynamic client's expires_at moved to now + dcr_idle_days; at most once an hour per client): pass it from the
 * endpoints a client uses. CM_AGAIN (cb
 * called once, later) or an error (cb never called). client_id is copied.
 */
int ob_as_client_load(ob_broker_t *b, const char *client_id, int touch, ob_as_client_cb cb, void *arg);

/*
 * The redirect URI policy of registration: https; http only on a loopback host (127.0.0.1, [::1], localhost); or a
 * private-use scheme with a dot-free or reverse-domain name (RFC 8252 7.1: "cursor://...", "com.example.app:/cb").
 * Never javascript:, data:, file:, vbscript:, blob:, about:, a fragment, userinfo, whitespace or controls, nor more
 * than 2000 bytes. 1 = acceptable; 0 with *why (static text).
 */
int ob_as_redirect_uri_ok(const char *uri, const char **why);

/*
 * Validates registration metadata (RFC 7591 2) and returns what is registered: the known members, defaults applied
 * (token_endpoint_auth_method client_secret_basic, grant_types [authorization_code], response_types [code],
 * application_type web), unknown members dropped. CM_OK with *out (caller's); CM_EINVAL with *error
 * ("invalid_redirect_uri" / "invalid_client_metadata", static) and a description in desc.
 */
int ob_as_client_metadata_validate(const json_t *in, json_t **out, const char **error, char *desc, size_t descsz);

/* 1 when the registered metadata's token_endpoint_auth_method needs a secret (client_secret_basic / _post). */
int ob_as_client_is_confidential(const json_t *metadata);

/* Writes "mcp_" + 32 characters of [A-Za-z0-9] (out >= 37 bytes). CM_OK or CM_ERR (no randomness). */
int ob_as_client_id_new(char *out, size_t outsz);
/* Writes 43 characters of [A-Za-z0-9] (out >= 44 bytes). CM_OK or CM_ERR. */
int ob_as_client_secret_new(char *out, size_t outsz);

#endif
