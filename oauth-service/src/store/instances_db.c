/*
 * instances_db.c - SQL of the instance lifecycle (see instances_db.h).
 */
#include "store/instances_db.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "store/instance.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_create[] =
    "WITH i AS ("
    "  INSERT INTO mcp_service_table (instance_id, user_id, service_name, custom_name, mcp_key_hash, expires_at,"
    "                                 origin, upstream_subject)"
    "  VALUES ($1::uuid, $2, $3, $4, $5,"
    "          CASE WHEN $6::bigint > 0 THEN now() + make_interval(secs => $6::bigint) END,"
    "          COALESCE($13::text, 'admin'), $14)"
    "  ON CONFLICT (service_name, upstream_subject) WHERE origin = 'mcp_login' DO NOTHING"
    "  RETURNING instance_id, status, oauth_status),"
    " c AS ("
    "  INSERT INTO mcp_credentials (instance_id, client_id, client_secret_enc, client_secret_key_id,"
    "                               requested_scopes, provider_options)"
    "  SELECT instance_id, $7, $8::bytea, $9, $10, $11::jsonb FROM i RETURNING instance_id),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'created', COALESCE($15::text, 'admin'), $12::jsonb FROM i)"
    " SELECT i.instance_id, i.status, i.oauth_status FROM i JOIN c USING (instance_id)";

int ob_db_instance_create(cm_pg_pool_t *db, const ob_new_instance_t *ni, cm_pg_result_cb cb, void *arg)
{
    char exp[32];
    snprintf(exp, sizeof(exp), "%" PRId64, ni->expires_in);
    const char *p[15] = {ni->instance_id,      ni->user_id,           ni->service,
                         ni->custom_name,      ni->mcp_key_hash,      exp,
                         ni->client_id,        ni->client_secret_hex, ni->client_secret_kid,
                         ni->requested_scopes, ni->provider_options,  ni->audit_detail,
                         ni->origin,           ni->upstream_subject,  ni->actor};
    return cm_pg_query(db, sql_create, 15, p, cb, arg);
}

int ob_db_instance_list(cm_pg_pool_t *db, const char *user_id, const char *service, int limit, cm_pg_result_cb cb,
                        void *arg)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[3] = {user_id, service, lim};
    return cm_pg_query(db,
                       OB_INSTANCE_SELECT "WHERE s.user_id = $1 AND ($2::text IS NULL OR s.service_name = $2) "
                                          "ORDER BY s.created_at, s.instance_id LIMIT $3::int",
                       3, p, cb, arg);
}

static const char sql_patch[] =
    "WITH cur AS (SELECT instance_id, status FROM mcp_service_table WHERE instance_id = $1::uuid FOR UPDATE),"
    " u AS ("
    "  UPDATE mcp_service_table s SET status = COALESCE($2::text, s.status),"
    "         custom_name = CASE WHEN $3::boolean THEN $4::text ELSE s.custom_name END,"
    "         row_version = s.row_version + 1,"
    "         event_version = s.event_version + (COALESCE($2::text, s.status) IS DISTINCT FROM s.status)::int"
    "    FROM cur WHERE s.instance_id = cur.instance_id"
    "     AND ($2::text IS NULL OR $2::text = 'inactive' OR cur.status IN ('active', 'inactive'))"
    "  RETURNING s.instance_id, s.service_name, cur.status AS old_status, s.status, s.event_version),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, CASE WHEN old_status <> status THEN 'status_changed' ELSE 'updated' END, 'admin',"
    "         jsonb_build_object('old_status', old_status, 'status', status, 'custom_name_changed', $3::boolean)"
    "    FROM u),"
    /* The operator's disable ends the instance's MCP client grants: enabling it again needs a new consent. A
     * grant committed while this statement waited for the row lock is not in its snapshot and escapes; no grant
     * is created while the instance is inactive (the token endpoint re-checks the status under its row lock), so
     * any grant live on an inactive instance is such a leftover, revoked by the next write of the instance
     * (its re-enabling at the latest), which sees it. */
    " g AS ("
    "  UPDATE as_grants g SET revoked_at = now(), revoked_reason = 'instance_disabled'"
    "    FROM u WHERE 'inactive' IN (u.status, u.old_status) AND g.instance_id = u.instance_id"
    "     AND g.revoked_at IS NULL"
    "  RETURNING g.grant_id, g.instance_id, g.client_id),"
    " r AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'as_grant_revoked', 'admin',"
    "         jsonb_build_object('grant_id', grant_id, 'client_id', client_id, 'reason', 'instance_disabled')"
    "    FROM g)"
    " SELECT (SELECT count(*) FROM cur), (SELECT count(*) FROM u), (SELECT service_name FROM u),"
    "        (SELECT old_status FROM u), (SELECT status FROM u), (SELECT event_version FROM u),"
    "        (SELECT string_agg(grant_id::text, ',') FROM g)";

int ob_db_instance_patch(cm_pg_pool_t *db, const char *id, const char *status, int set_name, const char *custom_name,
                         cm_pg_result_cb cb, void *arg)
{
    const char *p[4] = {id, status, set_name ? "true" : "false", set_name ? custom_name : NULL};
    return cm_pg_query(db, sql_patch, 4, p, cb, arg);
}

int ob_db_instance_delete(cm_pg_pool_t *db, const char *id, const char *audit_detail, cm_pg_result_cb cb, void *arg)
{
    const char *p[2] = {id, audit_detail};
    return cm_pg_query(
        db,
        "WITH d AS (DELETE FROM mcp_service_table WHERE instance_id = $1::uuid"
        "           RETURNING instance_id, service_name, event_version + 1 AS ev),"
        " a AS ("
        "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
        "  SELECT instance_id, 'deleted', 'admin', $2::jsonb || jsonb_build_object('service', service_name)"
        "    FROM d)"
        " SELECT count(*), min(service_name), COALESCE(max(ev), 0) FROM d",
        2, p, cb, arg);
}

static const char sql_secrets[] =
    "SELECT s.instance_id, s.service_name, s.status, c.client_id, c.client_secret_enc,"
    " c.client_secret_key_id, c.refresh_token_enc, c.refresh_token_key_id, c.access_token_enc,"
    " c.access_token_key_id, COALESCE(c.provider_options::text, '{}'),"
    " COALESCE(extract(epoch FROM s.expires_at)::bigint, 0)"
    " FROM mcp_service_table s LEFT JOIN mcp_credentials c ON c.instance_id = s.instance_id"
    " WHERE s.instance_id = $1::uuid";

int ob_db_instance_secrets(cm_pg_pool_t *db, cm_pg_conn_t *conn, const char *id, cm_pg_result_cb cb, void *arg)
{
    const char *p[1] = {id};
    return conn != NULL ? cm_pg_conn_query(conn, sql_secrets, 1, p, cb, arg)
                        : cm_pg_query(db, sql_secrets, 1, p, cb, arg);
}

int ob_db_consume_nonce(cm_pg_pool_t *db, const char *nonce, const char *instance_id, int64_t expires_at,
                        cm_pg_result_cb cb, void *arg)
{
    char hash[65], exp[32];
    cm_sha256_hex(nonce, strlen(nonce), hash, sizeof(hash));
    snprintf(exp, sizeof(exp), "%" PRId64, expires_at);
    const char *p[3] = {hash, instance_id, exp};
    return cm_pg_query(db,
                       "WITH purge AS (DELETE FROM oauth_state_nonces WHERE ctid IN"
                       "   (SELECT ctid FROM oauth_state_nonces"
                       "     WHERE expires_at < now() - interval '1 hour' LIMIT 50))"
                       " INSERT INTO oauth_state_nonces (nonce, instance_id, expires_at)"
                       " VALUES ($1, $2::uuid, to_timestamp($3::bigint))"
                       " ON CONFLICT (nonce) DO NOTHING RETURNING 1",
                       3, p, cb, arg);
}

static const char sql_store_tokens[] =
    "WITH cur AS (SELECT instance_id, status, expires_at FROM mcp_service_table WHERE instance_id = $1::uuid"
    "             FOR UPDATE),"
    " ok AS (SELECT instance_id FROM cur WHERE status IN ('active', 'needs_reauth')"
    "          AND (expires_at IS NULL OR expires_at > now())),"
    " c AS ("
    "  UPDATE mcp_credentials SET " OB_SQL_SET_NEW_TOKENS ","
    "         scope = COALESCE($8, requested_scopes, scope), token_type = COALESCE($9, 'Bearer'),"
    " " OB_SQL_SET_TOKENS_CLEAN "   WHERE instance_id IN (SELECT instance_id FROM ok)"
    "  RETURNING instance_id, row_version, (refresh_token_enc IS NOT NULL) AS has_rt,"
    "            COALESCE(extract(epoch FROM token_expires_at)::bigint, 0) AS exp),"
    " s AS ("
    "  UPDATE mcp_service_table SET oauth_status = 'completed',"
    "         status = CASE WHEN status = 'needs_reauth' THEN 'active' ELSE status END,"
    "         row_version = row_version + 1, event_version = event_version + 1"
    "   WHERE instance_id IN (SELECT instance_id FROM c) RETURNING instance_id, status, event_version),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, $10, $11, $12::jsonb FROM s)"
    " SELECT s.status, c.row_version, s.event_version, c.has_rt, c.exp, cur.status"
    "   FROM cur LEFT JOIN c USING (instance_id) LEFT JOIN s USING (instance_id)";

int ob_db_store_tokens(cm_pg_pool_t *db, const ob_token_write_t *w, cm_pg_result_cb cb, void *arg)
{
    char exp[32], rexp[32];
    snprintf(exp, sizeof(exp), "%" PRId64, w->expires_at);
    snprintf(rexp, sizeof(rexp), "%" PRId64, w->refresh_expires_at);
    const char *p[12] = {w->instance_id, w->access_hex, w->access_kid, w->refresh_hex, w->refresh_kid, exp,
                         rexp,           w->scope,      w->token_type, w->event,       w->actor,       w->audit_detail};
    return cm_pg_query(db, sql_store_tokens, 12, p, cb, arg);
}

static void on_logged(void *arg, int status, PGresult *res)
{
    const char *what = arg;
    if (status != CM_OK)
        cm_warn("store", "%s: %s", what, cm_status_str(status));
    else if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        cm_warn("store", "%s: %s", what, PQresultErrorMessage(res));
}

struct mark_ctx {
    cm_pg_result_cb cb;
    void *arg;
};

static void on_marked(void *arg, int status, PGresult *res)
{
    struct mark_ctx m = *(struct mark_ctx *)arg;
    free(arg);
    on_logged((void *)"marking an authorization failed", status, res);
    m.cb(m.arg, status, res);
}

int ob_db_mark_failed(cm_pg_pool_t *db, const char *instance_id, const char *event, const char *audit_detail,
                      cm_pg_result_cb cb, void *arg)
{
    const char *p[3] = {instance_id, event, audit_detail};
    struct mark_ctx *m = NULL;
    if (cb != NULL) {
        if ((m = malloc(sizeof(*m))) == NULL)
            return CM_ENOMEM;
        m->cb = cb;
        m->arg = arg;
    }
    int rc = cm_pg_query(db,
                         "WITH u AS (UPDATE mcp_service_table SET oauth_status = 'failed'"
                         "            WHERE instance_id = $1::uuid AND oauth_status = 'pending' RETURNING 1)"
                         " INSERT INTO token_audit_log (instance_id, event, actor, detail)"
                         " VALUES ($1::uuid, $2, 'oauth_callback', $3::jsonb)",
                         3, p, m != NULL ? on_marked : on_logged,
                         m != NULL ? (void *)m : (void *)"marking an authorization failed");
    if (rc != CM_AGAIN) {
        cm_warn("store", "marking instance %s failed: %s", instance_id, cm_status_str(rc));
        free(m);
    }
    return rc;
}

int ob_db_mark_expired(cm_pg_pool_t *db, const char *instance_id, cm_pg_result_cb cb, void *arg)
{
    const char *p[1] = {instance_id};
    return cm_pg_query(db,
                       "WITH u AS (UPDATE mcp_service_table SET status = 'expired', row_version = row_version + 1,"
                       "                   event_version = event_version + 1"
                       "            WHERE instance_id = $1::uuid AND status = 'active' AND expires_at <= now()"
                       "            RETURNING instance_id, service_name, event_version),"
                       " a AS (INSERT INTO token_audit_log (instance_id, event, actor, detail)"
                       "       SELECT instance_id, 'status_changed', 'system', '{\"status\":\"expired\"}' FROM u)"
                       " SELECT instance_id, service_name, event_version FROM u",
                       1, p, cb ? cb : on_logged, cb ? arg : (void *)"marking an instance expired");
}

int ob_db_add_usage(cm_pg_pool_t *db, const char *service, const char *usage_json, cm_pg_result_cb cb, void *arg)
{
    const char *p[2] = {usage_json, service};
    return cm_pg_query(db,
                       "UPDATE mcp_service_table t SET usage_count = t.usage_count + u.count,"
                       "       last_used_at = GREATEST(t.last_used_at, to_timestamp(u.last_used_at))"
                       "  FROM (SELECT instance_id, sum(count)::bigint AS count, max(last_used_at) AS last_used_at"
                       "          FROM jsonb_to_recordset($1::jsonb) AS x(instance_id uuid, count bigint,"
                       "                                                  last_used_at bigint)"
                       "         GROUP BY instance_id) u"
                       " WHERE t.instance_id = u.instance_id AND t.service_name = $2",
                       2, p, cb, arg);
}
