/*
 * POST /as/token (docs/mcp-authorization.md "Token endpoint"): form-encoded; client authentication none /
 * client_secret_basic / client_secret_post; grant types authorization_code (here) and refresh_token
 * (as_token_refresh.c). Every answer has Cache-Control: no-store; errors are RFC 6749 5.2 JSON.
 *
 * authorization_code, in one transaction on one connection:
 *   1. UPDATE as_codes SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING
 *      the binding. No row: the code is unknown, expired or spent; a spent code's grant (created by its first
 *      redemption) is revoked (code_reuse) -> invalid_grant.
 *   2. The binding is checked: client, redirect_uri, S256(code_verifier), resource. A failed check still spends the
 *      code (the transaction commits): a code that met a wrong verifier is never tried again.
 *   3. One statement creates the grant and its first refresh token, links the code to the grant and audits
 *      as_token_issued, only while the instance is active.
 *   4. The access token is signed, the transaction committed, then the answer goes.
 */
#include "handlers/as_token_int.h"
#include "handlers/routes.h"

#include "as/grants.h"
#include "as/tokens.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    STEP_BEGIN = 1,
    STEP_REDEEM,
    STEP_REUSE,
    STEP_GRANT,
    STEP_COMMIT_FAIL, /* commit a spent code, then answer the failure kept in fail_* */
    STEP_COMMIT_ISSUE,
    STEP_COMMIT_REUSE,
};

/* The failure answered after STEP_COMMIT_FAIL (static strings). */
typedef struct tok_code_ctx {
    tok_ctx_t t; /* first */
    const char *fail_error, *fail_desc;
    char client_name[256];
} tok_code_ctx_t;

static void on_code_step(void *arg, int status, PGresult *res);

void ob_as_tok_end(tok_ctx_t *c)
{
    if (c->conn != NULL)
        cm_pg_release(c->conn); /* rolls back an open transaction */
    c->conn = NULL;
    PQclear(c->revoked);
    cm_secure_free(c->access_token, 0);
    c->access_token = NULL;
    cm_wipe(&c->an, sizeof(c->an));
    cm_wipe(c->refresh, sizeof(c->refresh));
    cm_wipe(c->verifier, sizeof(c->verifier));
    ob_async_free(c);
}

void ob_as_tok_fail(tok_ctx_t *c, int status, const char *error, const char *desc)
{
    if (c->conn != NULL) {
        cm_pg_release(c->conn);
        c->conn = NULL;
    }
    if (status == 401 && strcmp(error, "invalid_client") == 0)
        ob_as_invalid_client(c->a.req, &c->an, desc);
    else
        ob_as_oauth_error(c->a.req, status, error, desc);
    ob_as_tok_end(c);
}

void ob_as_tok_db_fail(tok_ctx_t *c, int status, const PGresult *res, const char *what)
{
    if (res != NULL)
        cm_error("as", "%s: %s", what, PQresultErrorMessage(res));
    else
        cm_warn("as", "%s: %s", what, cm_status_str(status));
    ob_as_tok_fail(c, 503, "temporarily_unavailable", "the database is unavailable: retry later");
}

/* Runs sql on the context's connection with the code step callback; a failure to queue is answered. */
static void run(tok_ctx_t *c, int step, const char *sql, int n, const char *const *params, cm_pg_result_cb cb)
{
    c->step = step;
    int rc = cm_pg_conn_query(c->conn, sql, n, params, cb, c);
    if (rc != CM_AGAIN)
        ob_as_tok_db_fail(c, rc, NULL, "the token endpoint");
}

static void on_issue_commit(void *arg, int status, PGresult *res)
{
    tok_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_COMMAND_OK)) {
        ob_as_tok_db_fail(c, status, res, "committing a token");
        return;
    }
    cm_pg_release(c->conn);
    c->conn = NULL;
    if (c->a.req != NULL) {
        const char *scope = c->scope[0] ? c->scope : c->granted_scope;
        cm_add_header(c->a.req, "access-control-allow-origin", "*");
        ob_as_respond_no_store(
            c->a.req, 200,
            ob_as_token_response(c->access_token, c->a.b->cfg->authz.access_token_ttl_s, scope, c->refresh));
    }
    ob_as_tok_end(c);
}

void ob_as_tok_issue(tok_ctx_t *c)
{
    ob_broker_t *b = c->a.b;
    ob_as_access_t acc = {.issuer = b->cfg->base_url,
                          .resource = c->granted_resource,
                          .instance_id = c->instance_id,
                          .client_id = c->an.client_id,
                          .scope = c->scope[0] ? c->scope : c->granted_scope,
                          .grant_id = c->grant_id,
                          .service = c->service,
                          .iat = ob_now(),
                          .ttl_s = b->cfg->authz.access_token_ttl_s};
    int rc = ob_as_access_token(b->as, &acc, &c->access_token);
    if (rc != CM_OK) {
        cm_error("as", "signing an access token failed (%s)", rc == CM_ENOTFOUND ? "no key can sign" : "error");
        ob_as_tok_fail(c, 500, "server_error", "the access token could not be signed");
        return;
    }
    c->step = STEP_COMMIT_ISSUE;
    rc = cm_pg_conn_query(c->conn, "COMMIT", 0, NULL, on_issue_commit, c);
    if (rc != CM_AGAIN)
        ob_as_tok_db_fail(c, rc, NULL, "committing a token");
}

/* Step 3: the grant, its first refresh token, the code's link and the audit row, while the instance is active. */
static void create_grant(tok_code_ctx_t *x)
{
    static const char sql[] =
        "WITH i AS (SELECT instance_id, service_name FROM mcp_service_table"
        "            WHERE instance_id = $1::uuid AND status = 'active' AND (expires_at IS NULL OR expires_at > now())"
        "              FOR SHARE),"
        " g AS (INSERT INTO as_grants (instance_id, client_id, client_name, resource, scope, last_used_at)"
        "       SELECT instance_id, $2, NULLIF($3, ''), $4, $5, now() FROM i RETURNING grant_id, instance_id),"
        " r AS (INSERT INTO as_refresh_tokens (token_hash, grant_id, expires_at)"
        "       SELECT $6, grant_id, now() + make_interval(secs => $7::int) FROM g),"
        " c AS (UPDATE as_codes SET grant_id = g.grant_id FROM g WHERE code_hash = $8),"
        " a AS (INSERT INTO token_audit_log (instance_id, event, actor, detail)"
        "       SELECT instance_id, 'as_token_issued', 'as_token',"
        "              jsonb_build_object('grant_id', grant_id, 'client_id', $2::text, 'grant_type',"
        "                                 'authorization_code', 'scope', $5::text) FROM g)"
        " SELECT g.grant_id, i.service_name FROM g, i";
    tok_ctx_t *c = &x->t;
    char ttl[16];
    if (ob_as_opaque_new(c->refresh, sizeof(c->refresh), c->refresh_hash, sizeof(c->refresh_hash)) != CM_OK) {
        ob_as_tok_fail(c, 500, "server_error", "no randomness");
        return;
    }
    snprintf(ttl, sizeof(ttl), "%d", c->a.b->cfg->authz.refresh_token_ttl_s);
    const char *params[] = {
        c->instance_id, c->an.client_id, x->client_name, c->granted_resource, c->granted_scope, c->refresh_hash, ttl,
        c->secret_hash};
    run(c, STEP_GRANT, sql, 8, params, on_code_step);
}

/* A check of step 2 failed: commit the spent code, then answer. */
static void fail_after_commit(tok_code_ctx_t *x, const char *error, const char *desc)
{
    x->fail_error = error;
    x->fail_desc = desc;
    run(&x->t, STEP_COMMIT_FAIL, "COMMIT", 0, NULL, on_code_step);
}

static void check_binding(tok_code_ctx_t *x, const PGresult *res)
{
    tok_ctx_t *c = &x->t;
    snprintf(c->instance_id, sizeof(c->instance_id), "%s", PQgetvalue(res, 0, 0));
    const char *client = PQgetvalue(res, 0, 1), *redirect = PQgetvalue(res, 0, 2);
    const char *challenge = PQgetvalue(res, 0, 5);
    snprintf(c->granted_resource, sizeof(c->granted_resource), "%s", PQgetvalue(res, 0, 3));
    snprintf(c->granted_scope, sizeof(c->granted_scope), "%s", PQgetvalue(res, 0, 4));
    snprintf(x->client_name, sizeof(x->client_name), "%s", PQgetisnull(res, 0, 6) ? "" : PQgetvalue(res, 0, 6));
    if (strcmp(client, c->an.client_id) != 0) {
        fail_after_commit(x, "invalid_grant", "the code was issued to another client");
        return;
    }
    if (strcmp(redirect, c->redirect_uri) != 0) {
        fail_after_commit(x, "invalid_grant", "redirect_uri differs from the one of the authorization request");
        return;
    }
    char *computed = cm_pkce_challenge_s256(c->verifier);
    int pkce_ok = computed != NULL && cm_ct_streq(computed, challenge);
    free(computed);
    if (!pkce_ok) {
        fail_after_commit(x, "invalid_grant", "code_verifier does not match the code_challenge");
        return;
    }
    if (c->resource[0] != '\0' && strcmp(c->resource, c->granted_resource) != 0) {
        fail_after_commit(x, "invalid_target", "resource differs from the one of the authorization request");
        return;
    }
    create_grant(x);
}

static void on_code_step(void *arg, int status, PGresult *res)
{
    static const char sql_reuse[] = OB_AS_SQL_REVOKE(OB_AS_BY_CODE);
    tok_code_ctx_t *x = arg;
    tok_ctx_t *c = &x->t;
    switch (c->step) {
    case STEP_REDEEM:
        if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
            ob_as_tok_db_fail(c, status, res, "redeeming a code");
        } else if (PQntuples(res) == 0) {
            const char *params[] = {c->secret_hash, "code_reuse", "", "", "as_token", "as_code_reuse"};
            run(c, STEP_REUSE, sql_reuse, 6, params, on_code_step);
        } else {
            check_binding(x, res);
        }
        return;
    case STEP_REUSE:
        if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
            ob_as_tok_db_fail(c, status, res, "revoking the grant of a reused code");
            return;
        }
        if (PQntuples(res) > 0) {
            PGresult *copy = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
            c->revoked = copy;
        }
        x->fail_error = "invalid_grant";
        x->fail_desc = "the code is invalid, expired or already used";
        run(c, STEP_COMMIT_REUSE, "COMMIT", 0, NULL, on_code_step);
        return;
    case STEP_COMMIT_REUSE:
        if (!ob_pg_ok(status, res, PGRES_COMMAND_OK)) {
            ob_as_tok_db_fail(c, status, res, "committing a code reuse");
            return;
        }
        if (c->revoked != NULL) {
            cm_warn("as", "an authorization code was presented again: its grant is revoked");
            ob_as_grants_revoked(c->a.b, c->revoked);
        }
        ob_as_tok_fail(c, 400, x->fail_error, x->fail_desc);
        return;
    case STEP_GRANT:
        if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
            ob_as_tok_db_fail(c, status, res, "creating a grant");
        } else if (PQntuples(res) == 0) {
            fail_after_commit(x, "invalid_grant", "the instance does not exist or is not active");
        } else {
            snprintf(c->grant_id, sizeof(c->grant_id), "%s", PQgetvalue(res, 0, 0));
            snprintf(c->service, sizeof(c->service), "%s", PQgetvalue(res, 0, 1));
            ob_as_tok_issue(c);
        }
        return;
    case STEP_COMMIT_FAIL:
        if (!ob_pg_ok(status, res, PGRES_COMMAND_OK))
            ob_as_tok_db_fail(c, status, res, "spending a code");
        else
            ob_as_tok_fail(c, 400, x->fail_error, x->fail_desc);
        return;
    default:
        ob_as_tok_db_fail(c, CM_ERR, NULL, "the token endpoint (unexpected step)");
    }
}

static void on_begin(void *arg, int status, PGresult *res)
{
    static const char sql_redeem[] =
        "UPDATE as_codes SET used_at = now()"
        " WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()"
        " RETURNING instance_id, client_id, redirect_uri, resource, scope, code_challenge, client_name";
    tok_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_COMMAND_OK)) {
        ob_as_tok_db_fail(c, status, res, "starting a token transaction");
        return;
    }
    if (c->step == STEP_BEGIN) {
        const char *params[] = {c->secret_hash};
        run(c, STEP_REDEEM, sql_redeem, 1, params, on_code_step);
    } else {
        ob_as_tok_refresh_start(c);
    }
}

static void on_acquired(void *arg, int status, cm_pg_conn_t *conn)
{
    tok_ctx_t *c = arg;
    if (status != CM_OK) {
        ob_as_tok_db_fail(c, status, NULL, "the token endpoint");
        return;
    }
    c->conn = conn;
    int rc = cm_pg_conn_query(conn, "BEGIN", 0, NULL, on_begin, c);
    if (rc != CM_AGAIN)
        ob_as_tok_db_fail(c, rc, NULL, "the token endpoint");
}

static void on_authenticated(void *arg, int status)
{
    tok_ctx_t *c = arg;
    if (status == CM_EPERM) {
        ob_as_tok_fail(c, 401, "invalid_client", "client authentication failed");
        return;
    }
    if (status != CM_OK) {
        ob_as_tok_db_fail(c, status, NULL, "authenticating a client");
        return;
    }
    int rc = cm_pg_acquire(c->a.b->db, on_acquired, c);
    if (rc != CM_AGAIN)
        ob_as_tok_db_fail(c, rc, NULL, "the token endpoint");
}

/* Copies s into dst (size dstsz) when it fits; 0 when it does not. NULL copies "". */
static int copy(char *dst, size_t dstsz, const char *s)
{
    if (s == NULL) {
        dst[0] = '\0';
        return 1;
    }
    size_t n = strlen(s);
    if (n >= dstsz)
        return 0;
    memcpy(dst, s, n + 1);
    return 1;
}

enum { F_GRANT_TYPE, F_CODE, F_REDIRECT_URI, F_VERIFIER, F_RESOURCE, F_SCOPE, F_REFRESH, F_CLIENT_ID, F_SECRET, F_N };

static int on_token(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    static const char *const names[] = {"grant_type", "code",          "redirect_uri", "code_verifier", "resource",
                                        "scope",      "refresh_token", "client_id",    "client_secret", NULL};
    ob_broker_t *b = data;
    char *v[F_N + 1];
    const char *why = NULL;
    ob_as_authn_t an;
    (void)m;
    if (!ob_as_enabled(b, req))
        return 0;
    cm_add_header(req, "access-control-allow-origin", "*");
    if (ob_as_form_read(req, names, v, &why) != CM_OK) {
        ob_as_oauth_error(req, 400, "invalid_request", why);
        return 0;
    }
    const char *gt = v[F_GRANT_TYPE];
    if (gt == NULL) {
        ob_as_oauth_error(req, 400, "invalid_request", "grant_type is required");
        return 0;
    }
    int is_code = strcmp(gt, "authorization_code") == 0, is_refresh = strcmp(gt, "refresh_token") == 0;
    if (!is_code && !is_refresh) {
        ob_as_oauth_error(req, 400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
        return 0;
    }
    if (ob_as_authn_parse(req, v[F_CLIENT_ID], v[F_SECRET], &an, &why) != CM_OK) {
        if (strcmp(why, "client_id is required") == 0)
            ob_as_invalid_client(req, &an, why);
        else
            ob_as_oauth_error(req, 400, "invalid_request", why);
        cm_wipe(&an, sizeof(an));
        return 0;
    }
    const char *secret = is_code ? v[F_CODE] : v[F_REFRESH];
    if (secret == NULL || secret[0] == '\0' || strlen(secret) > 512 ||
        (is_code && (v[F_REDIRECT_URI] == NULL || v[F_VERIFIER] == NULL))) {
        cm_wipe(&an, sizeof(an));
        ob_as_oauth_error(req, 400, "invalid_request",
                          is_code ? "code, redirect_uri and code_verifier are required" : "refresh_token is required");
        return 0;
    }
    if (v[F_SCOPE] != NULL && (is_code || !ob_as_scope_valid(v[F_SCOPE]))) {
        cm_wipe(&an, sizeof(an));
        ob_as_oauth_error(req, 400, "invalid_scope",
                          is_code ? "scope is set at the authorization request"
                                  : "scope must be of mcp:read mcp:write");
        return 0;
    }
    tok_code_ctx_t *x = ob_async_new(b, req, sizeof(tok_code_ctx_t));
    if (x == NULL) {
        cm_wipe(&an, sizeof(an));
        return 0;
    }
    tok_ctx_t *c = &x->t;
    c->an = an;
    cm_wipe(&an, sizeof(an));
    cm_sha256_hex(secret, strlen(secret), c->secret_hash, sizeof(c->secret_hash));
    if (!copy(c->redirect_uri, sizeof(c->redirect_uri), v[F_REDIRECT_URI]) ||
        !copy(c->verifier, sizeof(c->verifier), v[F_VERIFIER]) ||
        !copy(c->resource, sizeof(c->resource), v[F_RESOURCE]) || !copy(c->scope, sizeof(c->scope), v[F_SCOPE])) {
        ob_as_tok_fail(c, 400, is_code ? "invalid_grant" : "invalid_request", "a parameter is too long");
        return 0;
    }
    c->step = is_code ? STEP_BEGIN : 0;
    int rc = ob_as_authn_check(b, &c->an, on_authenticated, c);
    if (rc == CM_OK || rc == CM_EPERM)
        on_authenticated(c, rc);
    else if (rc != CM_AGAIN)
        ob_as_tok_db_fail(c, rc, NULL, "authenticating a client");
    return 0;
}

int ob_as_token_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "POST", "/as/token", on_token, b);
}
