/*
 * as_upstream.c - the provider's answer to a service URL sign-in (see as_upstream.h; docs/mcp-authorization.md,
 * "Service URL sign-in").
 *
 * 1. the ob_as_login cookie must match the request row, which moves from stage "upstream" to "done" in one statement
 *    (a replayed answer, another browser or an expired request: an HTML page, nothing else happens);
 * 2. a provider error, a failed RFC 9207 check or an expired state -> the MCP client gets error=access_denied;
 * 3. the code is exchanged with the app's credentials; an ID token must pass the checks of the normal callback
 *    (oauth/id_token.h); the account is identified (oauth/identity.h). Any failure here -> error=server_error with a
 *    description (nothing was stored: without an account there is no instance to bind);
 * 4. the account's instance: created (origin mcp_login, user_id the account, an MCP access key nobody is shown, the
 *    app's client stored sealed like any instance's) or, when the unique index says it exists, the one bound to it;
 * 5. the tokens are stored as the normal callback stores them (ob_db_store_tokens, push, refresh schedule); an
 *    instance that is not active refuses them -> error=access_denied;
 * 6. the code (as_codes, the request's bindings) and the audit line as_grant_created -> 303 with code, state, iss.
 * A proof of ownership (OB_STATE_AS_PROOF) replaces steps 3-5: the instance's own client (sealed secret opened) does
 * the exchange, and the account must be the instance's upstream_subject (else access_denied); nothing is stored.
 */
#include "handlers/as_upstream.h"
#include "handlers/as_util.h"
#include "handlers/flow_util.h"

#include "as/apps.h"
#include "as/authz_request.h"
#include "keys/keys.h"
#include "oauth/id_token.h"
#include "oauth/identity.h"
#include "providers/host_api.h"
#include "providers/registry.h"
#include "push/pusher.h"
#include "refresh/refresher.h"
#include "store/cred_crypto.h"
#include "store/instance.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct login_ctx {
    ob_async_t a;
    ob_state_t st;
    int expired, iss_ok;
    const op_provider_t *provider;   /* held (ob_provider_hold): a reload meanwhile does not unload it */
    char *client_id, *client_secret; /* the client signed in with: the operator's app, or a proof's instance's */
    char *options;
    char *bound; /* a proof: the instance's upstream_subject */
    char *code, *error;
    json_t *row; /* the MCP client's request */
    op_token_set_t ts;
    char *subject;
    char instance_id[37];
    char *access_token; /* for the push (wiped) */
    char *as_code;      /* the code handed to the MCP client (wiped) */
} login_ctx_t;

static void ctx_free(login_ctx_t *c)
{
    ob_state_wipe(&c->st);
    cm_secure_free(c->code, 0);
    free(c->error);
    json_decref(c->row);
    ob_host_token_set_clear(&c->ts);
    free(c->subject);
    free(c->client_id);
    cm_secure_free(c->client_secret, 0);
    free(c->options);
    free(c->bound);
    cm_secure_free(c->access_token, 0);
    cm_secure_free(c->as_code, 0);
    ob_provider_release(c->a.b->providers, c->provider);
    ob_async_free(c);
}

static const char *row_str(const login_ctx_t *c, const char *key)
{
    return json_string_value(json_object_get(c->row, key));
}

/* 303 to the MCP client (code, or error + error_description), with state and iss; then frees c. */
static void finish(login_ctx_t *c, const char *error, const char *description)
{
    h2o_req_t *req = c->a.req;
    if (req == NULL)
        goto out_free;
    const char *iss = c->a.b->cfg->base_url, *state = row_str(c, "state");
    const char *ok[] = {"code", c->as_code, "state", state, "iss", iss, NULL};
    const char *bad[] = {"error", error, "error_description", description, "state", state, "iss", iss, NULL};
    char *url = ob_as_redirect_with(row_str(c, "redirect_uri"), error ? bad : ok);
    if (url == NULL) {
        ob_send_error_page(c->a.b, req, 500, "internal_error", "The answer to the application could not be built.",
                           NULL, 0);
        goto out_free;
    }
    if (error != NULL)
        cm_info("as", "service URL sign-in ended with %s: %s", error, description);
    cm_add_header(req, "location", url);
    cm_add_header(req, "cache-control", "no-store");
    cm_add_header(req, "referrer-policy", "no-referrer");
    cm_respond_empty(req, 303);
    cm_secure_free(url, 0);
out_free:
    ctx_free(c);
}

static void on_code(void *arg, int status, PGresult *res)
{
    login_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK) || strcmp(PQgetvalue(res, 0, 0), "1") != 0) {
        cm_warn("as", "instance %s: creating an authorization code failed", c->instance_id);
        finish(c, "server_error", "The authorization could not be completed. Please try again.");
        return;
    }
    finish(c, NULL, NULL);
}

/* Step 6. */
static void create_code(login_ctx_t *c)
{
    char code_hash[65], ttl[24];
    char *req_text = json_dumps(c->row, JSON_COMPACT);
    c->as_code = cm_random_token(32);
    if (c->as_code == NULL || req_text == NULL) {
        free(req_text);
        finish(c, "server_error", "The authorization could not be completed.");
        return;
    }
    cm_sha256_hex(c->as_code, strlen(c->as_code), code_hash, sizeof(code_hash));
    snprintf(ttl, sizeof(ttl), "%d", c->a.b->cfg->authz.code_ttl_s);
    const char *params[] = {code_hash, c->instance_id, req_text, ttl};
    int rc = cm_pg_query(
        c->a.b->db,
        "WITH r AS (SELECT $3::jsonb AS request), "
        " k AS (INSERT INTO as_codes (code_hash, instance_id, client_id, client_name, redirect_uri, resource, scope, "
        "  code_challenge, expires_at) SELECT $1, $2::uuid, request->>'client_id', request->>'client_name', "
        "  request->>'redirect_uri', request->>'resource', request->>'scope', request->>'code_challenge', "
        "  now() + make_interval(secs => $4::int) FROM r RETURNING instance_id, client_id, resource, scope), "
        " a AS (INSERT INTO token_audit_log (instance_id, event, actor, detail) SELECT instance_id, "
        "  'as_grant_created', 'as', jsonb_build_object('client_id', client_id, 'resource', resource, 'scope', scope, "
        "  'sign_in', 'upstream') FROM k) "
        "SELECT count(*) FROM k",
        4, params, on_code, c);
    free(req_text);
    if (rc != CM_AGAIN)
        finish(c, "server_error", "The authorization could not be completed. Please try again.");
}

static void on_stored(void *arg, int status, PGresult *res)
{
    login_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    const char *service = row_str(c, "service");
    ob_icache_invalidate(b->instances, c->instance_id);
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK) || PQntuples(res) == 0) {
        ob_respond_db_error(NULL, status, res, "storing tokens of a service URL sign-in");
        finish(c, "server_error", "The upstream tokens could not be stored. Please try again.");
        return;
    }
    if (PQgetisnull(res, 0, 0)) { /* the account's connection is disabled or expired */
        finish(c, "access_denied", "This account's connection is disabled or has expired: ask the operator.");
        return;
    }
    cm_info("as", "instance %s: signed in through the service URL (credentials version %s)", c->instance_id,
            PQgetvalue(res, 0, 1));
    int64_t version = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    if (c->access_token != NULL && c->ts.expires_at > 0)
        ob_push_token(b->pusher, service, c->instance_id, c->access_token, c->ts.expires_at,
                      ob_status_column(res, 0, 0), version);
    else
        ob_push_invalidate(b->pusher, service, c->instance_id, ob_status_column(res, 0, 0), version);
    ob_refresher_schedule(b->refresher, c->instance_id,
                          strcmp(PQgetvalue(res, 0, 3), "t") == 0 ? strtoll(PQgetvalue(res, 0, 4), NULL, 10) : 0);
    create_code(c);
}

/* Step 5: seals and stores c->ts into the instance c->instance_id. */
static void store_tokens(login_ctx_t *c)
{
    ob_broker_t *b = c->a.b;
    op_token_set_t *ts = &c->ts;
    char *at_hex = NULL, *rt_hex = NULL, *detail = NULL;
    const char *at_kid = NULL, *rt_kid = NULL;
    int rc = ob_cred_seal(b->keys->ring, c->instance_id, OB_FIELD_ACCESS_TOKEN, ts->access_token,
                          strlen(ts->access_token), &at_hex, &at_kid);
    if (rc == CM_OK && ts->refresh_token != NULL)
        rc = ob_cred_seal(b->keys->ring, c->instance_id, OB_FIELD_REFRESH_TOKEN, ts->refresh_token,
                          strlen(ts->refresh_token), &rt_hex, &rt_kid);
    json_t *d = json_pack("{s:s, s:b, s:I, s:s}", "provider", c->provider->name, "refresh_token",
                          ts->refresh_token != NULL, "expires_at", (json_int_t)ts->expires_at, "via", "service_url");
    detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    c->access_token = strdup(ts->access_token);
    if (rc != CM_OK || detail == NULL || c->access_token == NULL) {
        finish(c, "server_error", "The provider's tokens could not be stored (too large or malformed).");
        goto out_free;
    }
    ob_token_write_t w = {.instance_id = c->instance_id,
                          .access_hex = at_hex,
                          .access_kid = at_kid,
                          .refresh_hex = rt_hex,
                          .refresh_kid = rt_kid,
                          .expires_at = ts->expires_at,
                          .refresh_expires_at = ts->refresh_expires_at,
                          .scope = ts->scope,
                          .token_type = ts->token_type,
                          .event = "authorized",
                          .actor = "as_login",
                          .audit_detail = detail};
    if (ob_db_store_tokens(b->db, &w, on_stored, c) != CM_AGAIN)
        finish(c, "server_error", "The upstream tokens could not be stored. Please try again.");
out_free:
    free(at_hex);
    free(rt_hex);
    free(detail);
}

static void on_found(void *arg, int status, PGresult *res)
{
    login_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK) || PQntuples(res) != 1) {
        ob_respond_db_error(NULL, status, res, "finding the instance of an upstream account");
        finish(c, "server_error", "The connection of this account could not be found. Please try again.");
        return;
    }
    snprintf(c->instance_id, sizeof(c->instance_id), "%s", PQgetvalue(res, 0, 0));
    store_tokens(c);
}

static void on_created(void *arg, int status, PGresult *res)
{
    login_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(NULL, status, res, "creating the instance of an upstream account");
        finish(c, "server_error", "The connection could not be created. Please try again.");
        return;
    }
    if (PQntuples(res) == 1) {
        cm_info("as", "instance %s: created for a service URL sign-in", c->instance_id);
        store_tokens(c);
        return;
    }
    /* the account has its instance already (or another sign-in of it created it meanwhile) */
    const char *params[] = {row_str(c, "service"), c->subject};
    if (cm_pg_query(c->a.b->db,
                    "SELECT instance_id FROM mcp_service_table WHERE service_name = $1 AND upstream_subject = $2 "
                    "AND origin = 'mcp_login'",
                    2, params, on_found, c) != CM_AGAIN)
        finish(c, "server_error", "The connection could not be found. Please try again.");
}

/* Step 4: the account's instance, created unless it exists. */
static void bind_instance(login_ctx_t *c)
{
    ob_broker_t *b = c->a.b;
    char key_hash[65], *secret_hex = NULL, *detail = NULL;
    const char *kid = NULL;
    char *key = cm_random_token(32); /* nobody is shown it: only its hash is stored */
    if (key == NULL || cm_uuid_v4(c->instance_id, sizeof(c->instance_id)) != CM_OK) {
        cm_secure_free(key, 0);
        finish(c, "server_error", "The connection could not be created.");
        return;
    }
    cm_sha256_hex(key, strlen(key), key_hash, sizeof(key_hash));
    cm_secure_free(key, 0);
    if (c->client_secret != NULL &&
        ob_cred_seal(b->keys->ring, c->instance_id, OB_FIELD_CLIENT_SECRET, c->client_secret, strlen(c->client_secret),
                     &secret_hex, &kid) != CM_OK) {
        finish(c, "server_error", "The connection could not be created.");
        return;
    }
    json_t *d = json_pack("{s:s, s:s, s:s}", "service", row_str(c, "service"), "client_id", c->client_id, "origin",
                          "mcp_login");
    detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    ob_new_instance_t ni = {.instance_id = c->instance_id,
                            .user_id = c->subject,
                            .service = row_str(c, "service"),
                            .mcp_key_hash = key_hash,
                            .client_id = c->client_id,
                            .client_secret_hex = secret_hex,
                            .client_secret_kid = kid,
                            .provider_options = "{}",
                            .audit_detail = detail ? detail : "{}",
                            .origin = "mcp_login",
                            .upstream_subject = c->subject,
                            .actor = "as_login"};
    if (ob_db_instance_create(b->db, &ni, on_created, c) != CM_AGAIN)
        finish(c, "server_error", "The connection could not be created. Please try again.");
    free(secret_hex);
    free(detail);
}

static void on_identified(void *arg, int status, const char *subject, const op_identity_t *id)
{
    login_ctx_t *c = arg;
    (void)id;
    if (status != CM_OK || subject == NULL || strlen(subject) > 256 || (c->subject = strdup(subject)) == NULL) {
        finish(c, "server_error", "The account at the provider could not be identified. Nothing was connected.");
        return;
    }
    if (c->st.kind == OB_STATE_AS_LOGIN) {
        bind_instance(c);
    } else if (c->bound != NULL && strcmp(c->subject, c->bound) == 0) {
        /* the proof holds: the instance's stored tokens stay as they are (this sign-in only proved the account) */
        snprintf(c->instance_id, sizeof(c->instance_id), "%s", c->st.instance_id);
        create_code(c);
    } else {
        cm_warn("as", "instance %s: a sign-in to prove ownership used another account (refused)", c->st.instance_id);
        finish(c, "access_denied", "That account is not the one connected to this connection. Nothing was granted.");
    }
}

static void on_tokens(void *arg, int status, op_token_set_t *tokens, const op_error_t *err)
{
    login_ctx_t *c = arg;
    if (tokens != NULL) {
        c->ts = *tokens; /* we take the members */
        memset(tokens, 0, sizeof(*tokens));
    }
    if (status != OP_OK || c->ts.access_token == NULL) {
        cm_warn("as", "service URL sign-in: the provider refused the code: %s",
                err && err->code[0] ? err->code : "no access token");
        finish(c, "server_error", "The provider refused the authorization code. Please try again.");
        return;
    }
    int iss_param;
    char why[96];
    if (c->ts.id_token != NULL &&
        ob_id_token_check(c->ts.id_token, c->st.nonce, c->client_id, ob_provider_issuer(c->provider, &iss_param),
                          ob_now(), why, sizeof(why)) != CM_OK) {
        cm_warn("as", "service URL sign-in: ID token refused: %s", why);
        finish(c, "server_error", "The provider's ID token does not belong to this sign-in. Nothing was connected.");
        return;
    }
    op_client_t client = {.struct_size = sizeof(client), .client_id = c->client_id};
    int rc = ob_identify(c->a.b, c->provider, &client, &c->ts, c->st.nonce, on_identified, c);
    if (rc != CM_AGAIN) {
        cm_warn("as", "service URL sign-in: the provider cannot identify accounts: %s", cm_status_str(rc));
        finish(c, "server_error", "The account at the provider could not be identified. Nothing was connected.");
    }
}

/* Step 3. */
static void exchange(login_ctx_t *c)
{
    ob_broker_t *b = c->a.b;
    char *redirect = ob_redirect_uri(b, c->provider->name);
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = c->client_id,
                          .client_secret = c->client_secret,
                          .redirect_uri = redirect,
                          .options_json = c->options ? c->options : "{}"};
    int rc = redirect != NULL ? c->provider->exchange_code(c->provider->data, &client, c->code,
                                                           c->st.verifier[0] ? c->st.verifier : NULL, on_tokens, c)
                              : OP_ENOMEM;
    free(redirect);
    if (rc != OP_AGAIN)
        finish(c, "server_error", "The code exchange with the provider could not be started. Please try again.");
}

static void on_proof_client(void *arg, int status, PGresult *res)
{
    login_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK) || PQntuples(res) != 1) {
        finish(c, "server_error", "This connection could not be read. Please try again.");
        return;
    }
    c->client_secret = ob_cred_open_column(c->a.b->keys->ring, c->st.instance_id, OB_FIELD_CLIENT_SECRET, res, 1);
    if (c->client_secret == NULL && !PQgetisnull(res, 0, 1)) {
        finish(c, "server_error", "The connection's client secret cannot be read on this broker.");
        return;
    }
    c->client_id = strdup(PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
    c->options = strdup(PQgetvalue(res, 0, 3));
    c->bound = PQgetisnull(res, 0, 4) ? NULL : strdup(PQgetvalue(res, 0, 4));
    if (c->client_id == NULL || c->options == NULL) {
        finish(c, "server_error", "The sign-in could not be completed.");
        return;
    }
    exchange(c);
}

/* A proof: the instance's own client (its sealed secret opened) and the account it is bound to, then step 3. */
static void proof_client(login_ctx_t *c)
{
    const char *params[] = {c->st.instance_id};
    if (cm_pg_query(c->a.b->db,
                    "SELECT c.client_id, c.client_secret_enc, c.client_secret_key_id, c.provider_options::text, "
                    "s.upstream_subject FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) "
                    "WHERE s.instance_id = $1::uuid",
                    1, params, on_proof_client, c) != CM_AGAIN)
        finish(c, "server_error", "This connection could not be read. Please try again.");
}

static void on_claimed(void *arg, int status, PGresult *res)
{
    login_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    if (c->a.req == NULL) {
        ctx_free(c);
        return;
    }
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_send_error_page(b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.", NULL, 0);
        ctx_free(c);
        return;
    }
    if (PQntuples(res) == 1)
        c->row = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (!json_is_object(c->row)) {
        ob_send_error_page(b, c->a.req, 400, "request_used",
                           "This sign-in was already completed, has expired, or was started in another browser. "
                           "Start again from the application.",
                           NULL, 0);
        ctx_free(c);
        return;
    }
    const char *service = row_str(c, "service");
    const ob_as_app_t *app = service ? ob_as_app_for(b, service) : NULL;
    if (c->st.kind == OB_STATE_AS_LOGIN && app != NULL) {
        c->client_id = strdup(app->client_id);
        c->client_secret = app->secret ? strdup(app->secret) : NULL;
    }
    if (c->error != NULL) {
        finish(c, "access_denied",
               strcmp(c->error, "access_denied") == 0 ? "The user declined at the provider."
                                                      : "The provider reported an error.");
    } else if (!c->iss_ok) {
        finish(c, "access_denied", "The provider's answer does not come from its issuer (RFC 9207).");
    } else if (c->expired) {
        finish(c, "access_denied", "The sign-in at the provider took too long. Please try again.");
    } else if (c->provider == NULL || service == NULL || !ob_service_has_provider(b, service, c->provider) ||
               (c->st.kind == OB_STATE_AS_LOGIN && c->client_id == NULL) ||
               (c->st.kind == OB_STATE_AS_PROOF &&
                (row_str(c, "instance_id") == NULL || strcmp(c->st.instance_id, row_str(c, "instance_id")) != 0))) {
        finish(c, "server_error", "The sign-in provider of this server is not available any more.");
    } else if (c->code == NULL || c->code[0] == '\0' || strlen(c->code) > 4096) {
        finish(c, "server_error", "The provider's answer has no authorization code.");
    } else if (c->st.kind == OB_STATE_AS_PROOF) {
        proof_client(c);
    } else {
        exchange(c);
    }
}

void ob_as_upstream_callback(ob_broker_t *b, h2o_req_t *req, const ob_state_t *st, int expired,
                             const op_provider_t *provider, const char *code, const char *error, int iss_ok)
{
    char *login = ob_as_cookie(req, "ob_as_login");
    if (login == NULL || login[0] == '\0') {
        ob_send_error_page(b, req, 403, "login_cookie_missing",
                           "This browser did not start this sign-in (or blocks cookies). Start again from the "
                           "application.",
                           NULL, 0);
        return;
    }
    login_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return;
    c->st = *st;
    c->expired = expired;
    c->iss_ok = iss_ok;
    c->provider = ob_provider_hold(b->providers, provider);
    c->code = code ? strdup(code) : NULL;
    c->error = error ? strdup(error) : NULL;
    char csrf_hash[65];
    cm_sha256_hex(login, strlen(login), csrf_hash, sizeof(csrf_hash));
    const char *params[] = {st->as_request, csrf_hash};
    if (cm_pg_query(b->db,
                    "UPDATE as_requests SET request = request || '{\"stage\": \"done\"}' WHERE request_hash = $1 "
                    "AND csrf_hash = $2 AND request->>'stage' = 'upstream' AND expires_at > now() "
                    "RETURNING request::text",
                    2, params, on_claimed, c) != CM_AGAIN) {
        ob_send_error_page(b, req, 503, "temporarily_unavailable", "Please try again in a moment.", NULL, 0);
        ctx_free(c);
    }
}
