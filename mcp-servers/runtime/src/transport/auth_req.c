/*
 * auth_req.c - who a request to the MCP endpoint is: an access token of the broker (verified here, its grant and
 * the instance status checked through the auth cache) or an instance access key (the auth cache); the scope rules of
 * tokens. See http_out.h.
 */
#include "tokens/auth.h"
#include "tokens/jwks.h"
#include "tokens/jwt.h"
#include "tokens/verified.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "transport/http_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void finish(struct mcp_http_req *r, int result, const char *message)
{
    mcp_auth_outcome_t o = {.result = result, .message = message};
    r->authn_done(r, &o);
}

static void drop_jws(struct mcp_http_req *r)
{
    if (r->jws != NULL) {
        cm_jws_parsed_free(r->jws);
        free(r->jws);
        r->jws = NULL;
    }
}

void mcp__authenticate_abandon(struct mcp_http_req *r)
{
    if (r->jwks_wait != NULL) {
        mcp_jwks_cancel(r->jwks_wait);
        r->jwks_wait = NULL;
    }
    if (r->auth_wait != NULL) {
        mcp_auth_cancel(r->auth_wait);
        r->auth_wait = NULL;
    }
    drop_jws(r);
}

static void on_grant_checked(void *arg, const mcp_auth_outcome_t *o)
{
    struct mcp_http_req *r = arg;
    r->auth_wait = NULL;
    if (r->req != NULL)
        r->authn_done(r, o);
}

/* The token is valid for this resource: the instance and its grant are checked with the auth cache. */
static void check_grant(struct mcp_http_req *r, const mcp_jwt_claims_t *claims)
{
    if (r->service_url) {
        size_t n = strlen(claims->sub) + 1;
        r->instance = h2o_mem_alloc_pool(&r->req->pool, n);
        memcpy(r->instance, claims->sub, n);
    }
    r->jwt = 1;
    r->scopes = claims->scopes;
    /* every token of one grant (refreshed ones too) keeps the sessions of that grant's client */
    snprintf(r->credential, sizeof(r->credential), "g:%s", claims->gid);
    mcp_auth_outcome_t now;
    int rc = mcp_auth_check_grant(r->s->auth, r->instance, claims->gid, mcp__now_ms(), on_grant_checked, r,
                                  &r->auth_wait, &now);
    if (rc == CM_AGAIN)
        return;
    r->auth_wait = NULL;
    r->authn_done(r, &now);
}

/* The resource URL of this request (the token's required aud) into out; -1 when it cannot be formed. */
static int request_resource(struct mcp_http_req *r, char *out, size_t outsz)
{
    return mcp__resource_url(r->s, r->service_url ? NULL : r->instance, out, outsz);
}

/* The token's key is at hand: verify, remember the success, then check the grant. */
static void verify_with(struct mcp_http_req *r, const cm_jwk_t *key)
{
    mcp_server_t *s = r->s;
    char aud[600], msg[160];
    mcp_jwt_claims_t claims;
    if (request_resource(r, aud, sizeof(aud)) != 0) {
        drop_jws(r);
        finish(r, MCP_AUTHZ_BAD_KEY, "The access token is not valid for this resource.");
        return;
    }
    mcp_jwt_expect_t e = {.iss = s->issuer,
                          .aud = aud,
                          .instance = r->service_url ? NULL : r->instance,
                          .now = mcp__unix_now(),
                          .leeway_s = s->opts.jwt_leeway_s};
    cm_jwt_fail_t f = mcp_jwt_verify(r->jws, key, &e, &claims);
    drop_jws(r);
    if (f != CM_JWT_OK) {
        /* the reason helps the client's developer; it says nothing about any secret */
        snprintf(msg, sizeof(msg), "The access token is not valid: %s.", cm_jwt_fail_str(f));
        cm_debug(s->name, "access token refused: %s", cm_jwt_fail_str(f));
        finish(r, MCP_AUTHZ_BAD_KEY, msg);
        return;
    }
    mcp_verified_put(s->verified, r->bearer.base, r->bearer.len, aud, &claims);
    check_grant(r, &claims);
}

static void lookup_key(struct mcp_http_req *r, int may_wait);

static void on_jwks(void *arg)
{
    struct mcp_http_req *r = arg;
    r->jwks_wait = NULL;
    if (r->req != NULL)
        lookup_key(r, 0);
}

static void lookup_key(struct mcp_http_req *r, int may_wait)
{
    const cm_jwk_t *key = NULL;
    int rc = mcp_jwks_lookup(r->s->jwks, r->jws->kid, mcp__now_ms(), on_jwks, r, &r->jwks_wait, &key);
    if (rc == CM_AGAIN && may_wait)
        return;
    if (rc == CM_AGAIN) { /* a second wait cannot happen (a fetch just ended); never loop on it */
        mcp_jwks_cancel(r->jwks_wait);
        r->jwks_wait = NULL;
        rc = CM_EIO;
    }
    r->jwks_wait = NULL;
    if (rc == CM_OK) {
        verify_with(r, key);
        return;
    }
    drop_jws(r);
    if (rc == CM_ENOTFOUND)
        finish(r, MCP_AUTHZ_BAD_KEY, "The access token is not valid: unknown signing key.");
    else
        finish(r, MCP_AUTHZ_UNAVAILABLE,
               "The authorization broker's signing keys could not be fetched; retry shortly.");
}

static void authenticate_token(struct mcp_http_req *r, h2o_iovec_t bearer)
{
    char aud[600];
    mcp_jwt_claims_t claims;
    if (r->s->jwks == NULL) {
        finish(r, MCP_AUTHZ_BAD_KEY, "This server accepts no access tokens (no broker configured).");
        return;
    }
    r->bearer = bearer;
    if (request_resource(r, aud, sizeof(aud)) == 0 &&
        mcp_verified_get(r->s->verified, bearer.base, bearer.len, aud, mcp__unix_now(), &claims)) {
        check_grant(r, &claims);
        return;
    }
    r->jws = calloc(1, sizeof(*r->jws));
    if (r->jws == NULL) {
        finish(r, MCP_AUTHZ_UNAVAILABLE, "out of memory");
        return;
    }
    if (cm_jws_parse(bearer.base, bearer.len, r->jws) != CM_OK) {
        free(r->jws);
        r->jws = NULL;
        finish(r, MCP_AUTHZ_BAD_KEY, "The access token is not valid: malformed.");
        return;
    }
    /* typ and alg before any key lookup: alg "none" or HS256 never makes the server fetch anything */
    cm_jwt_fail_t f = mcp_jwt_check_header(r->jws);
    if (f != CM_JWT_OK) {
        char msg[120];
        snprintf(msg, sizeof(msg), "The access token is not valid: %s.", cm_jwt_fail_str(f));
        drop_jws(r);
        finish(r, MCP_AUTHZ_BAD_KEY, msg);
        return;
    }
    lookup_key(r, 1);
}

static void on_key_checked(void *arg, const mcp_auth_outcome_t *o)
{
    struct mcp_http_req *r = arg;
    r->auth_wait = NULL;
    if (r->req != NULL)
        r->authn_done(r, o);
}

void mcp__authenticate(struct mcp_http_req *r, mcp_auth_cb done)
{
    h2o_iovec_t bearer = cm_req_bearer(r->req);
    r->authn_done = done;
    if (bearer.base != NULL && mcp_jwt_shaped(bearer.base, bearer.len)) {
        authenticate_token(r, bearer);
        return;
    }
    if (r->service_url) { /* no instance to check a key against: only access tokens name one */
        finish(r, bearer.len > 0 ? MCP_AUTHZ_BAD_KEY : MCP_AUTHZ_MISSING,
               bearer.len > 0 ? "The service URL accepts only access tokens of the authorization server."
                              : "Authorization: Bearer <access token> is required.");
        return;
    }
    if (bearer.len > 0) { /* the key's hash names it: a session never holds the secret */
        char hex[65];
        cm_sha256_hex(bearer.base, bearer.len, hex, sizeof(hex));
        snprintf(r->credential, sizeof(r->credential), "k:%s", hex);
    }
    mcp_auth_outcome_t now;
    int rc = mcp_auth_check(r->s->auth, r->instance, bearer.base, bearer.len, mcp__now_ms(), on_key_checked, r,
                            &r->auth_wait, &now);
    if (rc == CM_AGAIN)
        return;
    r->auth_wait = NULL;
    done(r, &now);
}

/* 1 when the tool is annotated readOnlyHint: true (unknown tools are not). */
static int tool_read_only(mcp_server_t *s, const char *name)
{
    const mcp_tool_t *t = name ? mcp_tools_find(s->tools, name) : NULL;
    json_t *ann = t ? json_object_get(mcp_tool_json(t), "annotations") : NULL;
    return json_is_true(json_object_get(ann, "readOnlyHint"));
}

int mcp__scope_check(struct mcp_http_req *r, const mcp_jsonrpc_msg_t *msg)
{
    if (!r->jwt)
        return 0;
    const char *inst = r->service_url ? NULL : r->instance;
    if (!(r->scopes & MCP_SCOPE_READ)) {
        mcp__respond_insufficient_scope(r->s, r->req, inst, msg ? msg->id : NULL,
                                        "The access token's scope does not include mcp:read.");
        return -1;
    }
    if (msg != NULL && msg->kind == MCP_MSG_REQUEST && strcmp(msg->method, "tools/call") == 0 &&
        !(r->scopes & MCP_SCOPE_WRITE) &&
        !tool_read_only(r->s, json_string_value(json_object_get(msg->params, "name")))) {
        mcp__respond_insufficient_scope(r->s, r->req, inst, msg->id,
                                        "This tool changes data: the access token's scope must include mcp:write.");
        return -1;
    }
    return 0;
}
