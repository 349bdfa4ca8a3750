/*
 * grants.h - revoking an MCP client's grant: one statement marks it revoked (with the reason) and writes the audit
 * rows; after it, the owning MCP server is told by push ({"type":"grant_revoked"}).
 */
#ifndef OB_AS_GRANTS_H
#define OB_AS_GRANTS_H

#include "core/broker.h"

/*
 * The revocation statement for the grant SELECTOR names (an SQL expression over $1). Parameters: $1 (the selector's),
 * $2 reason ([a-z_]+), $3 instance id filter ('' = any), $4 client id filter ('' = any), $5 actor, $6 an extra audit
 * event ('' = none; e.g. as_refresh_reuse). Rows: grant_id, instance_id, service_name of each grant revoked now
 * (none when it was already revoked or does not match).
 */
#define OB_AS_SQL_REVOKE(SELECTOR)                                                                                     \
    "WITH g AS (UPDATE as_grants g SET revoked_at = now(), revoked_reason = $2"                                        \
    "             FROM mcp_service_table m"                                                                            \
    "            WHERE g.grant_id = " SELECTOR " AND m.instance_id = g.instance_id AND g.revoked_at IS NULL"           \
    "              AND ($3 = '' OR g.instance_id::text = $3) AND ($4 = '' OR g.client_id = $4)"                        \
    "           RETURNING g.grant_id, g.instance_id, m.service_name, g.client_id),"                                    \
    " a AS (INSERT INTO token_audit_log (instance_id, event, actor, detail)"                                           \
    "       SELECT instance_id, 'as_grant_revoked', $5,"                                                               \
    "              jsonb_build_object('grant_id', grant_id, 'client_id', client_id, 'reason', $2) FROM g),"            \
    " r AS (INSERT INTO token_audit_log (instance_id, event, actor, detail)"                                           \
    "       SELECT instance_id, $6, $5, jsonb_build_object('grant_id', grant_id, 'client_id', client_id)"              \
    "         FROM g WHERE $6 <> '')"                                                                                  \
    " SELECT grant_id, instance_id, service_name FROM g"

#define OB_AS_BY_GRANT_ID "$1::uuid"
#define OB_AS_BY_REFRESH "(SELECT grant_id FROM as_refresh_tokens WHERE token_hash = $1)"
#define OB_AS_BY_CODE "(SELECT grant_id FROM as_codes WHERE code_hash = $1)"
/* a refresh token already rotated: presenting it again is a reuse */
#define OB_AS_BY_SPENT_REFRESH "(SELECT grant_id FROM as_refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL)"

/* Pushes grant_revoked for each row of a revocation result (columns of OB_AS_SQL_REVOKE); returns the row count. */
int ob_as_grants_revoked(ob_broker_t *b, const PGresult *res);

/* status CM_OK with the number of grants revoked now (0 or 1), or an error. */
typedef void (*ob_as_revoke_cb)(void *arg, int status, int revoked);
/*
 * Revokes the grant selected by selector_sql (one of OB_AS_BY_*) with key as $1, then pushes. instance_id and
 * client_id filter (NULL = any); cb may be NULL. CM_AGAIN or an error (cb never called). Strings copied.
 */
int ob_as_grant_revoke(ob_broker_t *b, const char *selector_sql, const char *key, const char *instance_id,
                       const char *client_id, const char *reason, const char *actor, ob_as_revoke_cb cb, void *arg);

#endif
