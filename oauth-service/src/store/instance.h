/*
 * instance.h - one instance as the broker sees it: registry row + credential metadata + the
 * decrypted access token (for vending). Never holds the client secret or the refresh token.
 *
 * Rows come from OB_INSTANCE_SELECT (text results); ob_instance_from_row parses one.
 */
#ifndef OB_STORE_INSTANCE_H
#define OB_STORE_INSTANCE_H

#include "keys/keyring.h"

#include "common/broker_proto.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>

/* The column list every instance read uses; append "WHERE ..." (alias s = mcp_service_table, c = mcp_credentials). */
#define OB_INSTANCE_SELECT                                                                                             \
    "SELECT s.instance_id, s.user_id, s.service_name, s.status, s.oauth_status, "                                      \
    "COALESCE(extract(epoch FROM s.expires_at)::bigint, 0), s.custom_name, s.mcp_key_hash, s.row_version, "            \
    "s.usage_count, COALESCE(extract(epoch FROM s.last_used_at)::bigint, 0), "                                         \
    "extract(epoch FROM s.created_at)::bigint, extract(epoch FROM s.updated_at)::bigint, "                             \
    "c.client_id, c.access_token_enc, c.access_token_key_id, "                                                         \
    "COALESCE(extract(epoch FROM c.token_expires_at)::bigint, 0), c.scope, c.token_type, "                             \
    "COALESCE(c.provider_options::text, '{}'), c.requested_scopes, (c.refresh_token_enc IS NOT NULL), "                \
    "COALESCE(c.row_version, 0), s.event_version "                                                                     \
    "FROM mcp_service_table s LEFT JOIN mcp_credentials c ON c.instance_id = s.instance_id "

/* The OAuth flow's state of an instance (mcp_service_table.oauth_status; the names are the database's and the
 * admin API's). */
typedef enum ob_oauth_status {
    OB_OAUTH_PENDING = 0, /* created, or an authorization under way */
    OB_OAUTH_COMPLETED,   /* tokens stored by a callback or an import */
    OB_OAUTH_FAILED,      /* the last authorization failed (a completed one never goes back) */
    OB_OAUTH__COUNT
} ob_oauth_status_t;

/* The name of st ("pending", ...); "?" when out of range. */
const char *ob_oauth_status_name(ob_oauth_status_t st);
/* Parses an oauth_status name. CM_OK and *out, or CM_EINVAL for NULL or an unknown name. */
int ob_oauth_status_parse(const char *name, ob_oauth_status_t *out);

/* The instance status (cm_inst_status_t) in column col of row, as the database names it; -1 when NULL or not a
 * status name. */
int ob_status_column(const PGresult *res, int row, int col);

typedef struct ob_instance {
    /* What every vend reads comes first, in three cache lines: with 100,000 cached instances each line is a miss. */
    char id[37];
    char service[65];               /* a registry name (1..64 characters) */
    cm_inst_status_t status;        /* as stored: active | inactive | expired | needs_reauth */
    ob_oauth_status_t oauth_status; /* pending | completed | failed */
    int64_t expires_at;             /* instance lifetime, unix s; 0 = none */
    int64_t token_expires_at;       /* 0 = does not expire / unknown */
    char *access_token;             /* decrypted; NULL when none (or not decrypted) */
    /* Memos filled lazily by the hot paths while the instance is cached (freed with it): */
    char *vend_body; /* serialized 200 answer of GET /instances/{id}/token (status active) */
    size_t vend_body_len;
    char *authz_template;      /* the plugin's authorization URL built with placeholders (handlers/oauth_authorize.c) */
    char authz_ph[3][24];      /* placeholders of state, code_challenge, nonce ("" = not passed) */
    int authz_template_failed; /* the plugin did not keep the placeholders verbatim: build every time */

    char *user_id;
    char *custom_name; /* may be NULL */
    char key_hash[65]; /* SHA-256 hex of the instance MCP access key */
    int64_t row_version;
    int64_t usage_count;
    int64_t last_used_at;
    int64_t created_at, updated_at;
    char *client_id;
    char *scope;            /* granted scopes; may be NULL */
    char *requested_scopes; /* may be NULL (service defaults) */
    char *provider_options; /* JSON object text */
    char *token_type;
    int has_refresh_token;
    int64_t cred_row_version;
    int64_t event_version; /* mcp_service_table.event_version: the "version" MCP servers order events by */
} ob_instance_t;

/*
 * Parses row `row` of an OB_INSTANCE_SELECT result. With kr != NULL the access token is decrypted
 * (a ciphertext that fails to open is logged and treated as absent). Returns a malloc'ed instance
 * (caller frees with ob_instance_free), or NULL on allocation failure or a row without a user or a valid service name.
 */
ob_instance_t *ob_instance_from_row(const PGresult *res, int row, const ob_keyring_t *kr);
/* Wipes the access token and frees. NULL is fine. */
void ob_instance_free(ob_instance_t *inst);

/* The status that applies now: expired once expires_at has passed (unless inactive), else the stored one. */
cm_inst_status_t ob_instance_effective_status(const ob_instance_t *inst, int64_t now);

/*
 * The admin view (no secrets, no token): a new JSON object the caller owns. authorize_url and mcp_url may be
 * NULL (omitted).
 */
json_t *ob_instance_to_json(const ob_instance_t *inst, int64_t now, const char *authorize_url, const char *mcp_url);

#endif
