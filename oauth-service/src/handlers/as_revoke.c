/*
 * POST /as/revoke (RFC 7009) and POST /as/introspect (RFC 7662) for the AS's own tokens.
 *
 * Revocation: the client authenticates as at the token endpoint. A refresh token revokes its grant; an access token
 * (a JWT verified with our keys) revokes the grant it names (gid) when it was issued to this client. The answer is
 * 200 with an empty body whatever the token was (RFC 7009 2.2).
 *
 * Introspection: the caller is an MCP server (X-MCP-Service + its service bearer) or the operator (admin key).
 * {"active": false} for anything invalid, expired, revoked, of an inactive instance or, for an MCP server, of
 * another service; else the token's claims (access token) or its grant's (refresh token).
 */
#include "handlers/as_util.h"
#include "handlers/routes.h"

#include "as/grants.h"
#include "as/signing_keys.h"

#include "keys/keys.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A compact JWS signed by one of our published keys: its claims (caller's), or NULL. Claims are not checked. */
static json_t *verified_claims(const ob_broker_t *b, const char *token)
{
    cm_jws_parsed_t p;
    json_t *claims = NULL;
    if (strchr(token, '.') == NULL || cm_jws_parse(token, strlen(token), &p) != CM_OK)
        return NULL;
    const ob_as_key_t *k = ob_as_key_find(b->as, p.kid, ob_now());
    if (k != NULL && p.payload != NULL && cm_jws_verify(&p, k->jwk, CM_JOSE_ES256) == CM_OK) {
        cm_jwt_expect_t e = {.iss = b->cfg->base_url, .typ = "at+jwt", .now = ob_now(), .require_exp = 1};
        if (cm_jwt_check_claims(&p, &e) == CM_JWT_OK)
            claims = json_incref(p.payload);
    }
    cm_jws_parsed_free(&p);
    return claims;
}

/* ---- revocation ---- */

typedef struct rev_ctx {
    ob_async_t a;
    ob_as_authn_t an;
    char *token; /* malloc'ed, wiped */
} rev_ctx_t;

static void rev_end(rev_ctx_t *c)
{
    cm_wipe(&c->an, sizeof(c->an));
    cm_secure_free(c->token, 0);
    ob_async_free(c);
}

static void on_rev_done(void *arg, int status, int revoked)
{
    rev_ctx_t *c = arg;
    (void)revoked;
    if (c->a.req != NULL) {
        if (status != CM_OK)
            ob_as_oauth_error(c->a.req, 503, "temporarily_unavailable", "the database is unavailable: retry later");
        else
            ob_as_respond_no_store(c->a.req, 200, json_object());
    }
    rev_end(c);
}

static void on_rev_auth(void *arg, int status)
{
    rev_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    if (status != CM_OK) {
        if (status == CM_EPERM)
            ob_as_invalid_client(c->a.req, &c->an, "client authentication failed");
        else
            ob_as_oauth_error(c->a.req, 503, "temporarily_unavailable", "the database is unavailable: retry later");
        rev_end(c);
        return;
    }
    int rc;
    json_t *claims = verified_claims(b, c->token);
    if (claims != NULL) {
        const char *gid = cm_json_str(claims, "gid");
        const char *cid = cm_json_str(claims, "client_id");
        if (gid == NULL || !cm_uuid_valid(gid) || cid == NULL || strcmp(cid, c->an.client_id) != 0) {
            json_decref(claims);
            on_rev_done(c, CM_OK, 0); /* not this client's: nothing to do, same answer */
            return;
        }
        rc = ob_as_grant_revoke(b, OB_AS_BY_GRANT_ID, gid, NULL, c->an.client_id, "client_revoked", "as_revoke",
                                on_rev_done, c);
        json_decref(claims);
    } else {
        char hash[65];
        cm_sha256_hex(c->token, strlen(c->token), hash, sizeof(hash));
        rc = ob_as_grant_revoke(b, OB_AS_BY_REFRESH, hash, NULL, c->an.client_id, "client_revoked", "as_revoke",
                                on_rev_done, c);
    }
    if (rc != CM_AGAIN)
        on_rev_done(c, rc, 0);
}

static int on_revoke(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    static const char *const names[] = {"token", "token_type_hint", "client_id", "client_secret", NULL};
    ob_broker_t *b = data;
    char *v[5];
    const char *why = NULL;
    (void)m;
    if (!ob_as_enabled(b, req))
        return 0;
    if (ob_as_form_read(req, names, v, &why) != CM_OK) {
        ob_as_oauth_error(req, 400, "invalid_request", why);
        return 0;
    }
    if (v[0] == NULL || v[0][0] == '\0' || strlen(v[0]) > 16384) {
        ob_as_oauth_error(req, 400, "invalid_request", "token is required");
        return 0;
    }
    rev_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    if (ob_as_authn_parse(req, v[2], v[3], &c->an, &why) != CM_OK) {
        if (strcmp(why, "client_id is required") == 0)
            ob_as_invalid_client(req, &c->an, why);
        else
            ob_as_oauth_error(req, 400, "invalid_request", why);
        rev_end(c);
        return 0;
    }
    if ((c->token = strdup(v[0])) == NULL) {
        ob_as_oauth_error(req, 500, "server_error", "out of memory");
        rev_end(c);
        return 0;
    }
    int rc = ob_as_authn_check(b, &c->an, on_rev_auth, c);
    if (rc == CM_OK || rc == CM_EPERM)
        on_rev_auth(c, rc);
    else if (rc != CM_AGAIN)
        on_rev_auth(c, rc);
    return 0;
}

/* ---- introspection ---- */

typedef struct intro_ctx {
    ob_async_t a;
    json_t *claims; /* an access token's, NULL for a refresh token */
} intro_ctx_t;

static void inactive(h2o_req_t *req)
{
    if (req != NULL)
        ob_as_respond_no_store(req, 200, json_pack("{s:b}", "active", 0));
}

static void on_intro(void *arg, int status, PGresult *res)
{
    intro_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        if (c->a.req != NULL)
            ob_respond_db_error(c->a.req, status, res, "introspecting a token");
    } else if (PQntuples(res) == 0) {
        inactive(c->a.req);
    } else if (c->a.req != NULL) {
        json_t *o;
        if (c->claims != NULL) {
            o = json_deep_copy(c->claims);
            json_object_set_new(o, "token_type", json_string("Bearer"));
        } else {
            o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "client_id", PQgetvalue(res, 0, 0), "scope",
                          PQgetvalue(res, 0, 1), "sub", PQgetvalue(res, 0, 2), "aud", PQgetvalue(res, 0, 3), "exp",
                          (json_int_t)strtoll(PQgetvalue(res, 0, 4), NULL, 10), "gid", PQgetvalue(res, 0, 5), "service",
                          PQgetvalue(res, 0, 6), "token_type", "refresh_token");
            json_object_set_new(o, "iss", json_string(c->a.b->cfg->base_url));
        }
        json_object_set_new(o, "active", json_true());
        ob_as_respond_no_store(c->a.req, 200, o);
    }
    json_decref(c->claims);
    ob_async_free(c);
}

/* The caller's service ("" for the admin), or NULL after a 401. */
static const char *intro_caller(ob_broker_t *b, h2o_req_t *req)
{
    h2o_iovec_t tok = cm_req_bearer(req);
    h2o_iovec_t svc = cm_req_header(req, "x-mcp-service");
    if (tok.base != NULL && svc.base == NULL && b->keys->admin_configured &&
        ob_keys_admin_ok(b->keys, tok.base, tok.len))
        return "";
    if (tok.base != NULL && svc.base != NULL && svc.len > 0 && svc.len <= 64) {
        char *name = h2o_mem_alloc_pool(&req->pool, svc.len + 1);
        memcpy(name, svc.base, svc.len);
        name[svc.len] = '\0';
        if (strlen(name) == svc.len && ob_keys_service_ok(b->keys, name, tok.base, tok.len))
            return name;
    }
    cm_add_header(req, "www-authenticate", "Bearer realm=\"oauth-service\"");
    ob_as_oauth_error(req, 401, "invalid_client", "an MCP server's service bearer (X-MCP-Service) or the admin key");
    return NULL;
}

static int on_introspect(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    static const char sql_grant[] =
        "SELECT 1 FROM as_grants g JOIN mcp_service_table m ON m.instance_id = g.instance_id"
        " WHERE g.grant_id = $1::uuid AND g.revoked_at IS NULL AND m.status = 'active'"
        "   AND ($2 = '' OR m.service_name = $2)";
    static const char sql_refresh[] =
        "SELECT g.client_id, g.scope, g.instance_id, g.resource, extract(epoch FROM r.expires_at)::bigint,"
        "       g.grant_id, m.service_name"
        "  FROM as_refresh_tokens r JOIN as_grants g ON g.grant_id = r.grant_id"
        "  JOIN mcp_service_table m ON m.instance_id = g.instance_id"
        " WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND g.revoked_at IS NULL"
        "   AND m.status = 'active' AND ($2 = '' OR m.service_name = $2)";
    static const char *const names[] = {"token", "token_type_hint", NULL};
    ob_broker_t *b = data;
    char *v[3], hash[65];
    const char *why = NULL;
    (void)m;
    if (!ob_as_enabled(b, req))
        return 0;
    const char *service = intro_caller(b, req);
    if (service == NULL)
        return 0;
    if (ob_as_form_read(req, names, v, &why) != CM_OK || v[0] == NULL || strlen(v[0]) > 16384) {
        ob_as_oauth_error(req, 400, "invalid_request", why ? why : "token is required");
        return 0;
    }
    json_t *claims = verified_claims(b, v[0]);
    const char *gid = claims ? cm_json_str(claims, "gid") : NULL;
    if (claims != NULL && (gid == NULL || !cm_uuid_valid(gid))) {
        json_decref(claims);
        inactive(req);
        return 0;
    }
    intro_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL) {
        json_decref(claims);
        return 0;
    }
    c->claims = claims;
    if (claims == NULL)
        cm_sha256_hex(v[0], strlen(v[0]), hash, sizeof(hash));
    const char *params[] = {claims ? gid : hash, service};
    int rc = cm_pg_query(b->db, claims ? sql_grant : sql_refresh, 2, params, on_intro, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "introspecting a token");
        json_decref(c->claims);
        ob_async_free(c);
    }
    return 0;
}

int ob_as_revoke_register(ob_broker_t *b)
{
    int rc = CM_OK;
    rc |= cm_server_route(b->server, "POST", "/as/revoke", on_revoke, b);
    rc |= cm_server_route(b->server, "POST", "/as/introspect", on_introspect, b);
    return rc == CM_OK ? CM_OK : CM_ERR;
}
