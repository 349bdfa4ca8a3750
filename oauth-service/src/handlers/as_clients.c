/*
 * The authorization server's clients (docs/mcp-authorization.md "Clients"):
 *
 * POST /as/register      Dynamic Client Registration (RFC 7591), open, at most authorization.dcr_rate_per_min per
 *                        client address and minute (429 + Retry-After). 201 with the registered metadata,
 *                        client_id, client_id_issued_at and, for client_secret_basic / _post, client_secret and
 *                        client_secret_expires_at 0. 400 {error: invalid_redirect_uri | invalid_client_metadata}.
 * POST /as/clients       admin: the same metadata, kind "admin", never expires (201 as above)
 * GET /as/clients/{id}   admin: the client without its secret
 * DELETE /as/clients/{id} admin: deletes it and revokes its grants (200 {client_id, deleted, grants_revoked})
 */
#include "handlers/as_util.h"
#include "handlers/routes.h"

#include "as/clients.h"
#include "push/pusher.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reg_ctx {
    ob_async_t a;
    json_t *answer; /* the 201 body, with the secret: wiped (freed) after answering */
} reg_ctx_t;

static void reg_free(reg_ctx_t *c)
{
    json_t *s = json_object_get(c->answer, "client_secret");
    if (s != NULL && json_string_value(s) != NULL)
        cm_wipe((void *)json_string_value(s), json_string_length(s));
    json_decref(c->answer);
    ob_async_free(c);
}

static void on_stored(void *arg, int status, PGresult *res)
{
    reg_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK) || PQntuples(res) != 1) {
        if (c->a.req != NULL)
            ob_as_oauth_error(c->a.req, status == CM_OK ? 500 : 503, "server_error", "the client was not stored");
        if (res != NULL)
            cm_error("as", "storing a client: %s", PQresultErrorMessage(res));
    } else if (c->a.req != NULL) {
        json_object_set_new(c->answer, "client_id_issued_at", json_integer(strtoll(PQgetvalue(res, 0, 0), NULL, 10)));
        ob_as_respond_no_store(c->a.req, 201, json_incref(c->answer));
    }
    reg_free(c);
}

/* Validates body, issues the id (and secret) and stores the client; answers. */
static void register_client(ob_broker_t *b, h2o_req_t *req, const char *kind, const char *actor)
{
    static const char sql[] =
        "WITH c AS (INSERT INTO as_clients (client_id, kind, metadata, secret_hash, expires_at)"
        "           VALUES ($1, $2, $3::jsonb, NULLIF($4, ''),"
        "                   CASE WHEN $2 = 'dynamic' THEN now() + make_interval(days => $5::int) END)"
        "           RETURNING client_id, created_at),"
        " a AS (INSERT INTO token_audit_log (event, actor, detail)"
        "       SELECT 'as_client_registered', $6, jsonb_build_object('client_id', client_id, 'kind', $2::text,"
        "              'client_name', $3::jsonb -> 'client_name', 'redirect_uris', $3::jsonb -> 'redirect_uris') FROM "
        "c)"
        " SELECT extract(epoch FROM created_at)::bigint FROM c";
    const char *error = NULL;
    char desc[256], id[48], secret[64], hash[65] = "", days[16];
    json_error_t jerr;
    json_t *md = NULL;
    if (req->entity.len > OB_AS_REGISTER_BODY_MAX) {
        ob_as_oauth_error(req, 400, "invalid_client_metadata", "the body is larger than 16 KiB");
        return;
    }
    json_t *in = cm_json_loadb(req->entity.base ? req->entity.base : "", req->entity.len, &jerr);
    if (ob_as_client_metadata_validate(in, &md, &error, desc, sizeof(desc)) != CM_OK) {
        json_decref(in);
        ob_as_oauth_error(req, 400, error ? error : "invalid_client_metadata", error ? desc : "out of memory");
        return;
    }
    json_decref(in);
    int confidential = ob_as_client_is_confidential(md);
    if (ob_as_client_id_new(id, sizeof(id)) != CM_OK ||
        (confidential && ob_as_client_secret_new(secret, sizeof(secret)) != CM_OK)) {
        json_decref(md);
        ob_as_oauth_error(req, 500, "server_error", "no randomness");
        return;
    }
    if (confidential)
        cm_sha256_hex(secret, strlen(secret), hash, sizeof(hash));
    char *text = json_dumps(md, JSON_COMPACT);
    reg_ctx_t *c = text ? ob_async_new(b, req, sizeof(*c)) : NULL;
    if (c == NULL) {
        free(text);
        json_decref(md);
        cm_wipe(secret, sizeof(secret));
        return;
    }
    c->answer = md;
    json_object_set_new(md, "client_id", json_string(id));
    if (confidential) {
        json_object_set_new(md, "client_secret", json_string(secret));
        json_object_set_new(md, "client_secret_expires_at", json_integer(0));
    }
    cm_wipe(secret, sizeof(secret));
    snprintf(days, sizeof(days), "%d", b->cfg->authz.dcr_idle_days);
    const char *params[] = {id, kind, text, hash, days, actor};
    int rc = cm_pg_query(b->db, sql, 6, params, on_stored, c);
    free(text);
    if (rc != CM_AGAIN) {
        ob_as_oauth_error(req, 503, "temporarily_unavailable", "the database is unavailable");
        reg_free(c);
    }
}

static int on_register(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    char peer[64];
    int64_t retry = 0;
    (void)m;
    if (!ob_as_enabled(b, req))
        return 0;
    cm_add_header(req, "access-control-allow-origin", "*");
    if (ob_as_rate_hit(b->as->dcr_rate, ob_as_peer(req, peer, sizeof(peer)), cm_now_ms(), &retry)) {
        char ra[24];
        cm_info("as", "registration from %s refused: over authorization.dcr_rate_per_min", peer);
        snprintf(ra, sizeof(ra), "%lld", (long long)retry);
        cm_add_header(req, "retry-after", ra);
        ob_as_oauth_error(req, 429, "rate_limited", "too many registrations from this address: retry later");
        return 0;
    }
    register_client(b, req, "dynamic", "dcr");
    return 0;
}

static int on_admin_create(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    (void)m;
    if (!ob_as_enabled(b, req) || !ob_require_admin(b, req))
        return 0;
    register_client(b, req, "admin", "admin");
    return 0;
}

/* The route's client id, or NULL after a 404. */
static char *route_client_id(h2o_req_t *req, const cm_route_match_t *m)
{
    char *id = cm_match_str(req, m, 0);
    size_t n = id ? strlen(id) : 0;
    if (n < 8 || n > 128 || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-") != n) {
        cm_respond_error(req, 404, "client_not_found", "client_id", "no such client");
        return NULL;
    }
    return id;
}

/* The admin routes on one client: admin key, the route's client id, then sql ($1 = the id) answered by cb. */
static void admin_client_query(ob_broker_t *b, h2o_req_t *req, const cm_route_match_t *m, const char *sql,
                               cm_pg_result_cb cb, const char *what)
{
    if (!ob_as_enabled(b, req) || !ob_require_admin(b, req))
        return;
    char *id = route_client_id(req, m);
    ob_async_t *a = id ? ob_async_new(b, req, sizeof(*a)) : NULL;
    if (a == NULL)
        return;
    const char *params[] = {id};
    int rc = cm_pg_query(b->db, sql, 1, params, cb, a);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, what);
        ob_async_free(a);
    }
}

static void on_client_read(void *arg, int status, PGresult *res)
{
    ob_async_t *a = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(a->req, status, res, "reading a client");
    } else if (a->req != NULL && PQntuples(res) == 0) {
        cm_respond_error(a->req, 404, "client_not_found", "client_id", "no such client");
    } else if (a->req != NULL) {
        const char *t = PQgetvalue(res, 0, 0);
        json_t *o = cm_json_loadb(t, strlen(t), NULL);
        cm_respond_json(a->req, o ? 200 : 500, o ? o : json_pack("{s:s}", "code", "internal_error"));
    }
    ob_async_free(a);
}

static int on_admin_read(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    static const char sql[] =
        "SELECT (metadata || jsonb_build_object('client_id', client_id, 'kind', kind, 'has_secret',"
        "        secret_hash IS NOT NULL, 'created_at', extract(epoch FROM created_at)::bigint, 'last_used_at',"
        "        extract(epoch FROM last_used_at)::bigint, 'expires_at', extract(epoch FROM expires_at)::bigint))::text"
        "  FROM as_clients WHERE client_id = $1";
    admin_client_query(data, req, m, sql, on_client_read, "reading a client");
    return 0;
}

static void on_client_deleted(void *arg, int status, PGresult *res)
{
    ob_async_t *a = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(a->req, status, res, "deleting a client");
    } else if (PQntuples(res) == 0) {
        if (a->req != NULL)
            cm_respond_error(a->req, 404, "client_not_found", "client_id", "no such client");
    } else {
        int n = 0;
        for (int i = 0; i < PQntuples(res); i++) {
            if (PQgetisnull(res, i, 1))
                continue;
            ob_push_grant_revoked(a->b->pusher, PQgetvalue(res, i, 3), PQgetvalue(res, i, 2), PQgetvalue(res, i, 1));
            n++;
        }
        if (a->req != NULL)
            cm_respond_json(
                a->req, 200,
                json_pack("{s:s, s:b, s:i}", "client_id", PQgetvalue(res, 0, 0), "deleted", 1, "grants_revoked", n));
    }
    ob_async_free(a);
}

static int on_admin_delete(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    /* One statement: the client goes, its live grants are revoked (reason client_deleted), each audited. */
    static const char sql[] =
        "WITH c AS (DELETE FROM as_clients WHERE client_id = $1 RETURNING client_id),"
        " g AS (UPDATE as_grants g SET revoked_at = now(), revoked_reason = 'client_deleted'"
        "         FROM mcp_service_table m, c"
        "        WHERE g.client_id = c.client_id AND m.instance_id = g.instance_id AND g.revoked_at IS NULL"
        "       RETURNING g.grant_id, g.instance_id, m.service_name),"
        " a AS (INSERT INTO token_audit_log (event, actor, detail)"
        "       SELECT 'as_client_deleted', 'admin', jsonb_build_object('client_id', client_id) FROM c),"
        " r AS (INSERT INTO token_audit_log (instance_id, event, actor, detail)"
        "       SELECT instance_id, 'as_grant_revoked', 'admin',"
        "              jsonb_build_object('grant_id', grant_id, 'client_id', $1::text, 'reason', 'client_deleted')"
        "         FROM g)"
        " SELECT c.client_id, g.grant_id, g.instance_id, g.service_name FROM c LEFT JOIN g ON true";
    admin_client_query(data, req, m, sql, on_client_deleted, "deleting a client");
    return 0;
}

int ob_as_clients_register(ob_broker_t *b)
{
    int rc = CM_OK;
    rc |= cm_server_route(b->server, "POST", "/as/register", on_register, b);
    rc |= cm_server_route(b->server, "POST", "/as/clients", on_admin_create, b);
    rc |= cm_server_route(b->server, "GET", "/as/clients/*", on_admin_read, b);
    rc |= cm_server_route(b->server, "DELETE", "/as/clients/*", on_admin_delete, b);
    return rc == CM_OK ? CM_OK : CM_ERR;
}
