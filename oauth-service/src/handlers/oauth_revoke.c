/*
 * POST /oauth/revoke {instance_id} (admin key) - ends an instance's grant without deleting the instance:
 *  1. revocation at the provider through the plugin (RFC 7009: the refresh token with token_type_hint
 *     "refresh_token" when there is one, which ends the whole grant, else the access token; an empty 2xx
 *     counts as success) where the provider can; best effort with the host's HTTP timeout;
 *  2. local purge in one statement: access and refresh token ciphertexts dropped, row_version + 1 (a refresh
 *     in flight loses its compare-and-set), status needs_reauth, audit row "revoked";
 *  3. the vending cache and the refresh schedule forget the instance; an invalidation is pushed.
 * Steps 1-2 run in one transaction holding the instance's refresh advisory lock (OB_REFRESH_LOCK_KEY, waited
 * for at most refresh.lock_wait_ms, bounded by the query timeout): the refresh token read is the current one
 * (not one a refresh in flight is replacing) and no refresh starts between the read and the purge.
 * 200 {instance_id, revoked: true, provider_revoked: bool, revoke_error?}; 404 instance_not_found;
 * 503 refresh_in_progress when the lock could not be had in time (nothing changed: retry).
 */
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "keys/keys.h"
#include "push/pusher.h"
#include "refresh/refresher.h"
#include "store/cred_crypto.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"
#include "store/refresh_lock.h"
#include "store/instance.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct revoke_ctx {
    ob_async_t a;
    char id[37];
    char service[65];
    int provider_revoked;
    char revoke_error[64];
    cm_pg_conn_t *conn; /* in a transaction holding the refresh lock, until the purge commits */
    int revoke_status;  /* the status the purge left (cm_inst_status_t; -1 = no such instance) */
    int64_t event_version;
} revoke_ctx_t;

static void ctx_free(revoke_ctx_t *c)
{
    if (c->conn)
        cm_pg_release(c->conn); /* rolled back when not committed */
    ob_async_free(c);
}

static const char sql_purge[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET access_token_enc = NULL, access_token_key_id = NULL, refresh_token_enc = NULL,"
    "         refresh_token_key_id = NULL, token_expires_at = NULL, refresh_expires_at = NULL,"
    "         next_refresh_at = NULL, row_version = row_version + 1"
    "   WHERE instance_id = $1::uuid RETURNING instance_id),"
    " s AS ("
    "  UPDATE mcp_service_table SET status = CASE WHEN status = 'active' THEN 'needs_reauth' ELSE status END,"
    "         row_version = row_version + 1, event_version = event_version + 1"
    "   WHERE instance_id = $1::uuid RETURNING instance_id, status, event_version),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'revoked', 'admin', $2::jsonb FROM s)"
    " SELECT status, event_version FROM s";

static void on_purge_committed(void *arg, int status, PGresult *res);

static void on_purged(void *arg, int status, PGresult *res)
{
    revoke_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_icache_invalidate(c->a.b->instances, c->id);
        ob_respond_db_error(c->a.req, status, res, "purging revoked tokens");
        ctx_free(c);
        return;
    }
    /* keep the purge's answer until the COMMIT says it holds */
    c->revoke_status = PQntuples(res) ? ob_status_column(res, 0, 0) : -1;
    c->event_version = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
    if (cm_pg_conn_query(c->conn, "COMMIT", 0, NULL, on_purge_committed, c) != CM_AGAIN) {
        ob_respond_db_error(c->a.req, CM_EIO, NULL, "committing a revocation");
        ctx_free(c);
    }
}

static void on_purge_committed(void *arg, int status, PGresult *res)
{
    revoke_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    h2o_req_t *req = c->a.req;
    ob_icache_invalidate(b->instances, c->id);
    if (!ob_pg_ok(status, res, PGRES_COMMAND_OK)) {
        ob_respond_db_error(req, status, res, "committing a revocation");
    } else if (c->revoke_status < 0) {
        if (req != NULL)
            cm_respond_error(req, 404, "instance_not_found", "instance_id", "no such instance");
    } else {
        ob_refresher_forget(b->refresher, c->id);
        ob_push_invalidate(b->pusher, c->service, c->id, c->revoke_status, c->event_version);
        cm_info("revoke", "instance %s: tokens purged (provider revocation: %s)", c->id,
                c->provider_revoked ? "done" : c->revoke_error);
        if (req != NULL) {
            json_t *o = json_pack("{s:s, s:b, s:b, s:s}", "instance_id", c->id, "revoked", 1, "provider_revoked",
                                  c->provider_revoked, "status", cm_inst_status_name(c->revoke_status));
            if (!c->provider_revoked)
                json_object_set_new(o, "revoke_error", json_string(c->revoke_error));
            cm_respond_json(req, 200, o);
        }
    }
    ctx_free(c);
}

static void purge(revoke_ctx_t *c)
{
    json_t *d = json_pack("{s:b}", "provider_revoked", c->provider_revoked);
    if (!c->provider_revoked)
        json_object_set_new(d, "revoke_error", json_string(c->revoke_error));
    char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    const char *p[2] = {c->id, detail ? detail : "{}"};
    int rc = cm_pg_conn_query(c->conn, sql_purge, 2, p, on_purged, c);
    free(detail);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(c->a.req, rc, NULL, "purging revoked tokens");
        ctx_free(c);
    }
}

static void on_revoked(void *arg, int status, const op_error_t *err)
{
    revoke_ctx_t *c = arg;
    c->provider_revoked = status == OP_OK;
    if (!c->provider_revoked)
        snprintf(c->revoke_error, sizeof(c->revoke_error), "%s", err && err->code[0] ? err->code : "revoke_failed");
    purge(c);
}

/* Columns of ob_db_instance_secrets. */
enum { S_ID, S_SERVICE, S_STATUS, S_CLIENT_ID, S_SECRET, S_SECRET_KID, S_RT, S_RT_KID, S_AT, S_AT_KID, S_OPTIONS };

static void on_secrets(void *arg, int status, PGresult *res)
{
    revoke_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(c->a.req, status, res, "reading an instance for revocation");
        ctx_free(c);
        return;
    }
    if (PQntuples(res) == 0) {
        if (c->a.req != NULL)
            cm_respond_error(c->a.req, 404, "instance_not_found", "instance_id", "no such instance");
        ctx_free(c);
        return;
    }
    snprintf(c->service, sizeof(c->service), "%s", PQgetvalue(res, 0, S_SERVICE));
    const op_provider_t *p = ob_service_provider(b, c->service);
    const char *hint = "refresh_token";
    char *token = ob_cred_open_column(b->keys->ring, c->id, OB_FIELD_REFRESH_TOKEN, res, S_RT);
    if (token == NULL) {
        token = ob_cred_open_column(b->keys->ring, c->id, OB_FIELD_ACCESS_TOKEN, res, S_AT);
        hint = "access_token";
    }
    snprintf(c->revoke_error, sizeof(c->revoke_error), "%s",
             token == NULL ? "no_token" : (p == NULL ? "provider_unavailable" : "revocation_unsupported"));
    if (token == NULL || p == NULL || p->revoke == NULL) {
        cm_secure_free(token, 0);
        purge(c);
        return;
    }
    char *secret = ob_cred_open_column(b->keys->ring, c->id, OB_FIELD_CLIENT_SECRET, res, S_SECRET);
    char *redirect = ob_redirect_uri(b, p->name);
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = PQgetisnull(res, 0, S_CLIENT_ID) ? "" : PQgetvalue(res, 0, S_CLIENT_ID),
                          .client_secret = secret,
                          .redirect_uri = redirect ? redirect : "",
                          .options_json = PQgetvalue(res, 0, S_OPTIONS)};
    int rc = p->revoke(p->data, &client, token, hint, on_revoked, c);
    cm_secure_free(token, 0);
    cm_secure_free(secret, 0);
    free(redirect);
    if (rc != OP_AGAIN) {
        snprintf(c->revoke_error, sizeof(c->revoke_error), "revoke_not_started");
        purge(c);
    }
}

static void on_locked(void *arg, int status, PGresult *res)
{
    revoke_ctx_t *c = arg;
    if (status == CM_OK && PQresultStatus(res) == PGRES_FATAL_ERROR &&
        strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE) ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "", "55P03") ==
            0) {
        if (c->a.req != NULL)
            cm_respond_error(c->a.req, 503, "refresh_in_progress", NULL,
                             "a refresh of this instance is in progress; nothing was changed, try again");
        ctx_free(c);
        return;
    }
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(c->a.req, status, res, "taking the refresh lock for revocation");
        ctx_free(c);
        return;
    }
    int rc = ob_db_instance_secrets(NULL, c->conn, c->id, on_secrets, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(c->a.req, rc, NULL, "reading an instance for revocation");
        ctx_free(c);
    }
}

static void on_step(void *arg, int status, PGresult *res)
{
    (void)arg; /* BEGIN / SET LOCAL: a failure fails the lock statement queued behind it, which reports it */
    (void)status;
    (void)res;
}

static void on_conn(void *arg, int status, cm_pg_conn_t *conn)
{
    revoke_ctx_t *c = arg;
    char set[96];
    if (status != CM_OK) {
        ob_respond_db_error(c->a.req, status, NULL, "reading an instance for revocation");
        ctx_free(c);
        return;
    }
    c->conn = conn;
    const ob_config_t *cfg = c->a.b->cfg;
    int wait = cfg->refresh_lock_wait_ms;
    if (cfg->db_query_timeout_ms > 0 && wait > cfg->db_query_timeout_ms - 200)
        wait = cfg->db_query_timeout_ms > 400 ? cfg->db_query_timeout_ms - 200 : 200;
    snprintf(set, sizeof(set), "SET LOCAL lock_timeout = '%dms'", wait);
    const char *p[1] = {c->id};
    if (cm_pg_conn_query(conn, "BEGIN", 0, NULL, on_step, NULL) != CM_AGAIN ||
        cm_pg_conn_query(conn, set, 0, NULL, on_step, NULL) != CM_AGAIN ||
        cm_pg_conn_query(conn, "SELECT pg_advisory_xact_lock(" OB_REFRESH_LOCK_KEY("$1") ")", 1, p, on_locked, c) !=
            CM_AGAIN) {
        ob_respond_db_error(c->a.req, CM_EIO, NULL, "taking the refresh lock for revocation");
        ctx_free(c);
    }
}

static int on_revoke(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    char id[37];
    (void)m;
    if (!ob_require_admin(b, req) || !ob_body_instance_id(req, NULL, id))
        return 0;
    revoke_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    memcpy(c->id, id, sizeof(c->id));
    int rc = cm_pg_acquire(b->db, on_conn, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "reading an instance for revocation");
        ob_async_free(c);
    }
    return 0;
}

int ob_oauth_revoke_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "POST", "/oauth/revoke", on_revoke, b);
}
