/*
 * POST /as/token with grant_type=refresh_token (as_token.c has the request and the client), in one transaction:
 *   1. UPDATE as_refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now().
 *      No row: unknown, expired or spent; a spent one is a reuse: its grant is revoked (refresh_reuse) and audited
 *      -> invalid_grant.
 *   2. The grant (locked): not revoked, of this client, instance active; resource (when given) equal to the grant's,
 *      scope (when given) a subset of it. A failed check rolls back: the token stays usable by its client.
 *   3. The successor token, the grant's last use and the audit row (as_token_refreshed) in one statement; sign;
 *      commit; answer.
 */
#include "handlers/as_token_int.h"

#include "as/grants.h"
#include "as/tokens.h"

#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <string.h>

enum { R_SPEND = 100, R_REUSE, R_COMMIT_REUSE, R_GRANT, R_ROTATE };

static void on_step(void *arg, int status, PGresult *res);

static void run(tok_ctx_t *c, int step, const char *sql, int n, const char *const *params)
{
    c->step = step;
    int rc = cm_pg_conn_query(c->conn, sql, n, params, on_step, c);
    if (rc != CM_AGAIN)
        ob_as_tok_db_fail(c, rc, NULL, "the token endpoint");
}

void ob_as_tok_refresh_start(tok_ctx_t *c)
{
    static const char sql[] = "UPDATE as_refresh_tokens SET used_at = now()"
                              " WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING grant_id";
    const char *params[] = {c->secret_hash};
    run(c, R_SPEND, sql, 1, params);
}

static void check_grant(tok_ctx_t *c, const PGresult *res)
{
    static const char sql_rotate[] =
        "WITH r AS (INSERT INTO as_refresh_tokens (token_hash, grant_id, expires_at)"
        "           VALUES ($1, $2::uuid, now() + make_interval(secs => $3::int))),"
        " g AS (UPDATE as_grants SET last_used_at = now() WHERE grant_id = $2::uuid RETURNING instance_id),"
        " a AS (INSERT INTO token_audit_log (instance_id, event, actor, detail)"
        "       SELECT instance_id, 'as_token_refreshed', 'as_token',"
        "              jsonb_build_object('grant_id', $2::text, 'client_id', $4::text, 'scope', $5::text) FROM g)"
        " SELECT 1";
    if (PQntuples(res) == 0) {
        ob_as_tok_fail(c, 400, "invalid_grant", "the grant is gone");
        return;
    }
    snprintf(c->instance_id, sizeof(c->instance_id), "%s", PQgetvalue(res, 0, 0));
    snprintf(c->granted_resource, sizeof(c->granted_resource), "%s", PQgetvalue(res, 0, 2));
    snprintf(c->granted_scope, sizeof(c->granted_scope), "%s", PQgetvalue(res, 0, 3));
    snprintf(c->service, sizeof(c->service), "%s", PQgetvalue(res, 0, 5));
    if (strcmp(PQgetvalue(res, 0, 4), "t") == 0) {
        ob_as_tok_fail(c, 400, "invalid_grant", "the grant was revoked");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), c->an.client_id) != 0) {
        ob_as_tok_fail(c, 400, "invalid_grant", "the refresh token was issued to another client");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 6), "active") != 0) {
        ob_as_tok_fail(c, 400, "invalid_grant", "the instance is not active");
        return;
    }
    if (c->resource[0] != '\0' && strcmp(c->resource, c->granted_resource) != 0) {
        ob_as_tok_fail(c, 400, "invalid_target", "resource differs from the grant's");
        return;
    }
    if (c->scope[0] != '\0' && !ob_as_scope_subset(c->scope, c->granted_scope)) {
        ob_as_tok_fail(c, 400, "invalid_scope", "scope exceeds the grant's");
        return;
    }
    char ttl[16];
    if (ob_as_opaque_new(c->refresh, sizeof(c->refresh), c->refresh_hash, sizeof(c->refresh_hash)) != CM_OK) {
        ob_as_tok_fail(c, 500, "server_error", "no randomness");
        return;
    }
    snprintf(ttl, sizeof(ttl), "%d", c->a.b->cfg->authz.refresh_token_ttl_s);
    const char *params[] = {c->refresh_hash, c->grant_id, ttl, c->an.client_id,
                            c->scope[0] ? c->scope : c->granted_scope};
    run(c, R_ROTATE, sql_rotate, 5, params);
}

static void on_step(void *arg, int status, PGresult *res)
{
    static const char sql_reuse[] = OB_AS_SQL_REVOKE(OB_AS_BY_SPENT_REFRESH);
    static const char sql_grant[] =
        "SELECT g.instance_id, g.client_id, g.resource, g.scope, g.revoked_at IS NOT NULL, m.service_name,"
        "       CASE WHEN m.expires_at <= now() THEN 'expired' ELSE m.status END"
        "  FROM as_grants g JOIN mcp_service_table m ON m.instance_id = g.instance_id"
        " WHERE g.grant_id = $1::uuid FOR UPDATE OF g";
    tok_ctx_t *c = arg;
    switch (c->step) {
    case R_SPEND:
        if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
            ob_as_tok_db_fail(c, status, res, "spending a refresh token");
        } else if (PQntuples(res) == 0) {
            const char *params[] = {c->secret_hash, "refresh_reuse", "", "", "as_token", "as_refresh_reuse"};
            run(c, R_REUSE, sql_reuse, 6, params);
        } else {
            snprintf(c->grant_id, sizeof(c->grant_id), "%s", PQgetvalue(res, 0, 0));
            const char *params[] = {c->grant_id};
            run(c, R_GRANT, sql_grant, 1, params);
        }
        return;
    case R_REUSE:
        if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
            ob_as_tok_db_fail(c, status, res, "revoking the grant of a reused refresh token");
            return;
        }
        if (PQntuples(res) > 0)
            c->revoked = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
        run(c, R_COMMIT_REUSE, "COMMIT", 0, NULL);
        return;
    case R_COMMIT_REUSE:
        if (!ob_pg_ok(status, res, PGRES_COMMAND_OK)) {
            ob_as_tok_db_fail(c, status, res, "committing a refresh token reuse");
            return;
        }
        if (c->revoked != NULL) {
            cm_warn("as", "a spent refresh token was presented again: its grant is revoked");
            ob_as_grants_revoked(c->a.b, c->revoked);
        }
        ob_as_tok_fail(c, 400, "invalid_grant", "the refresh token is invalid, expired or already used");
        return;
    case R_GRANT:
        if (!ob_pg_ok(status, res, PGRES_TUPLES_OK))
            ob_as_tok_db_fail(c, status, res, "reading a grant");
        else
            check_grant(c, res);
        return;
    case R_ROTATE:
        if (!ob_pg_ok(status, res, PGRES_TUPLES_OK))
            ob_as_tok_db_fail(c, status, res, "rotating a refresh token");
        else
            ob_as_tok_issue(c);
        return;
    default:
        ob_as_tok_db_fail(c, CM_ERR, NULL, "the token endpoint (unexpected step)");
    }
}
